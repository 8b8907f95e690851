//! Dialogue (issue 16): consultations with their invitations, registrations and input, and the
//! contributor's "Mina medskick".

pub mod consultations;
