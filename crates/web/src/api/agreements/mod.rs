//! Agreements and quality checklists: agreements (`/agreements…`), checklists
//! (`/checklists…`), assessments and snapshots, and the county table.

#[allow(clippy::module_inception)]
pub mod agreements;
