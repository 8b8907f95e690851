//! Dialogue (issue 16): consultations with their invitations, registrations and input, the
//! contributor's "Mina medskick", and concluding a consultation; training and events.

pub mod conclusion;
pub mod consultations;
pub mod events;
