//! Dialogue (issue 16): consultations with civil society and "Mina medskick".

pub mod consultations;
