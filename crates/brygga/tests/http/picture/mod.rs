mod chooser;
mod imports;
mod questionnaire;
mod reporting;
mod trust_files;
mod trust_picture;
mod weekly;
