//! Dialogue and knowledge (issue 16): consultations, training and events, newsletters.

pub mod events;
