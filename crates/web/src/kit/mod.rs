//! The web kit: what every page and API handler may use.

pub mod assets;
pub mod auth;
pub mod context;
pub mod error;
pub mod export;
pub mod i18n;
pub mod json;
pub mod page;
pub mod svg;
pub mod upload;
