pub mod imports;
pub mod observations;
pub mod police_events;
pub mod questionnaire;
pub mod questionnaire_reminders;
pub mod statistics;
pub mod weekly;
