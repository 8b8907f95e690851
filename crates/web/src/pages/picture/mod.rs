pub mod imports;
pub mod questionnaire;
pub mod reporting;
pub mod weekly;
