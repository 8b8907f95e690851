//! Programmes (issue 14). Keep-both on merge: each family declares its module here.

mod deliverables;
mod report;
mod steering;
