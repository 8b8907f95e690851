//! Dialogue (issue 16): consultations, events, newsletters.

pub mod conclusion;
