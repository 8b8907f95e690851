//! Consultations (samråd): organised by one or more organisations, with invited participants
//! and their input (medskick); themes, a disposition for every item and the compiled
//! documentation that tells each contributor what became of their words.
//!
//! Concluding a consultation: [`head`] (the consultation as the concluding commands see it),
//! [`themes`] (suggested by clustering Swedish stems, confirmed by the organiser),
//! [`dispositions`] (outcome, reason, links to what the item changed, the contributor's
//! notification), [`compiled`] (the versioned documentation, its publication and e-mail).

pub mod compiled;
pub mod dispositions;
pub mod head;
pub mod themes;
