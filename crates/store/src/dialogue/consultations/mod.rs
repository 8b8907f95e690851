//! Consultations (samråd, dialogmöten) with civil society: the consultation and its
//! arrangements, invitations chosen from the directory, registrations, the input (medskick)
//! with the participant's choice of attribution, the contributor's page "Mina medskick", and
//! the input given as material for a municipality's lägesbild (issue 16, items 1 and 2).
//!
//! **Who may read, write and be notified.**
//! - *Read a consultation*: [`sharing::consultation_readable`] — the users of its organisers
//!   always, the users of invited organisations once it is no longer a draft. Nobody else; a
//!   consultation another viewer may not read is "not found".
//! - *Read input*: [`sharing::consultation_input_readable`] — the organisers' users and the
//!   users of the organisation that gave it. Other participants never see each other's input.
//!   Who gave an anonymous item is shown only to that organisation's own users
//!   ([`input::shown_attribution`]); everyone else, organisers included, sees "Anonym deltagare".
//! - *Write*: coordinators and administrators of an organiser create, edit, open, close and
//!   invite ([`Permission::OrganiseConsultation`]) and enter input during the meeting as
//!   note-takers for a participating organisation; coordinators of an invited organisation
//!   accept or decline ([`Permission::AnswerConsultation`]); every user of an invited
//!   organisation but readers registers and gives, changes and withdraws its input while the
//!   consultation is open ([`Permission::TakePartInConsultation`]). Every write is audited
//!   (`consultation.*`) for the organisers and the organisation concerned.
//! - *Notified*: the coordinators and administrators of an invited organisation get one
//!   e-mail per invitation (title, time and link only, never the purpose or the questions).
//! - *Lägesbild*: input flagged as lägesbild material of a non-draft consultation concerning a
//!   municipality is read, with attribution applied, by whoever may read that municipality's
//!   lägesbild ([`situation`]); giving it so flagged is the participant's consent.
//!
//! **Concluding** (the organisers): [`head`] (the consultation as the concluding commands see
//! it), [`themes`] (suggested by clustering Swedish stems, confirmed by the organiser),
//! [`dispositions`] (outcome, reason, links to what the item changed, the contributor's
//! notification), [`compiled`] (the versioned documentation, its publication and e-mail). Each
//! file states who reads, writes and is notified.
//!
//! [`sharing::consultation_readable`]: crate::kernel::sharing::consultation_readable
//! [`sharing::consultation_input_readable`]: crate::kernel::sharing::consultation_input_readable
//! [`Permission::OrganiseConsultation`]: crate::kernel::access::Action::OrganiseConsultation
//! [`Permission::AnswerConsultation`]: crate::kernel::access::Action::AnswerConsultation
//! [`Permission::TakePartInConsultation`]: crate::kernel::access::Action::TakePartInConsultation

pub mod compiled;
pub mod consultation;
pub mod dispositions;
pub mod head;
pub mod input;
pub mod mine;
pub mod situation;
pub mod themes;

/// (code, Swedish label) of the kinds of consultation.
pub const KINDS: &[(&str, &str)] =
    &[("dialogue_meeting", "Dialogmöte"), ("round_table", "Rundabordssamtal"), ("written", "Skriftligt samråd"), ("survey", "Enkät")];

/// (code, Swedish label) of a consultation's status.
pub const STATUSES: &[(&str, &str)] = &[("draft", "Utkast"), ("open", "Öppet"), ("closed", "Avslutat")];

/// (code, Swedish label) of when an item of input was given.
pub const STAGES: &[(&str, &str)] = &[("before", "Före mötet"), ("during", "Under mötet"), ("after", "Efter mötet")];

/// (code, Swedish label) of the participant's choice of attribution.
pub const ATTRIBUTIONS: &[(&str, &str)] = &[("named", "Organisationen namnges"), ("anonymous", "Anonymt")];

/// (code, Swedish label) of how a participant takes part.
pub const ATTENDANCES: &[(&str, &str)] = &[("on_site", "På plats"), ("digital", "Digitalt"), ("written", "Bara skriftligt")];

/// (code, Swedish label) of what became of an item (the lead's dispositions).
pub const OUTCOMES: &[(&str, &str)] = &[
    ("adopted", "Omhändertaget"),
    ("partly", "Delvis omhändertaget"),
    ("not_adopted", "Inte omhändertaget"),
    ("for_information", "För kännedom"),
];

/// What an anonymous item shows instead of the organisation's name.
pub const ANONYMOUS: &str = "Anonym deltagare";

/// The Swedish label of `code` in `list` (the code itself when unknown).
pub fn label(list: &[(&'static str, &'static str)], code: &str) -> String {
    list.iter().find(|(c, _)| *c == code).map(|(_, l)| (*l).to_owned()).unwrap_or_else(|| code.to_owned())
}

pub(crate) fn known(list: &[(&str, &str)], code: &str) -> bool {
    list.iter().any(|(c, _)| *c == code)
}
