//! Agreements and quality checklists (issue 14, items 6 and 7).

mod api;
mod demo;
mod generator;
