pub mod actions;
pub mod alerts;
pub mod meetings;
pub mod sharing;
