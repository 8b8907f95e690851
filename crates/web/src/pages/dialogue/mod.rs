//! Dialogue (issue 16): consultations with civil society, "Mina medskick", and concluding a
//! consultation (themes, dispositions, the compiled documentation); training and events.

pub mod conclusion;
pub mod consultations;
pub mod events;
