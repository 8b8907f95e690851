//! The web kit: what every page and API handler may use.

pub mod area_import;
pub mod assets;
pub mod auth;
pub mod context;
pub mod document;
pub mod docx;
pub mod error;
pub mod export;
pub mod i18n;
pub mod json;
pub mod options;
pub mod page;
pub mod picture_view;
pub mod plan_checks;
pub mod plan_documents;
pub mod steering_report;
pub mod svg;
pub mod upload;
