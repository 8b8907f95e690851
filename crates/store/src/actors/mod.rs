//! Actors — who does what, where: the public directory of organisations and their offers,
//! contact persons and their coverage, networks, the counterparts of every municipality and
//! its "vart vänder jag mig" guide, and the register of ongoing interventions with its overlap
//! check. Above the planning folders (an intervention may name a plan's place or forum), below
//! search, which indexes it.
//!
//! **The directory** (issue 15, item 1): [`profile`] (an organisation's directory profile,
//! extending `accounts::orgs`), [`offers`] (activities modelled on HSDS services and schedules),
//! [`directory`] (the public listing with its filters, the map's points, CSV and GeoJSON),
//! [`hsds`] (HSDS 3.0 export and import), [`verification`] (reminders when an offer is due to be
//! checked), [`codes`] (the code lists' storage, languages, weekdays, times).
//! - *Read*: an offer is read by its organisation's users always, and by everyone else — signed in
//!   or not — only when published on a public profile and not ended
//!   ([`crate::kernel::sharing::offer_readable`]). Organisations' base records are read by every
//!   signed-in user, and by anyone when the profile is public.
//! - *Write*: members, coordinators and administrators of the organisation
//!   ([`crate::Action::EditDirectory`]); nobody from outside, system administrators included.
//! - *Notified*: the organisation's coordinators and administrators, by e-mail, once per offer and
//!   due date when an offer's verification is due ([`verification::KIND`]).
//!
//! **Contacts and places** (items 2 and 4): [`counterparts`], [`coverage`], [`guide`].
//! **Interventions and networks** (items 3 and 5): [`interventions`], [`overlap`], [`networks`].
//! Each file states who reads, writes and is notified.

pub mod codes;
pub mod counterparts;
pub mod coverage;
pub mod directory;
pub mod guide;
pub mod hsds;
pub mod interventions;
pub mod networks;
pub mod offers;
pub mod overlap;
pub mod profile;
pub mod verification;
