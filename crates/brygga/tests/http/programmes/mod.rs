//! Programmes (issue 14). Keep-both on merge: each family declares its module here.

mod api;
mod deliverables;
mod demo;
mod generator;
mod report;
mod steering;
