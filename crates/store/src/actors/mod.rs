//! Actors — who does what, where: the public directory of organisations and their offers,
//! contact persons and their coverage, networks, the counterparts of every municipality and
//! its "vart vänder jag mig" guide, and the register of ongoing interventions with its overlap
//! check. Above the planning folders (an intervention may name a plan's place or forum), below
//! search, which indexes it.

pub mod counterparts;
pub mod coverage;
pub mod guide;
pub mod interventions;
pub mod networks;
pub mod overlap;
