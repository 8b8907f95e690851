//! Agreements (överenskommelser) and their quality checklists: the agreements themselves
//! (`agreements`), assessments, snapshots and checklists (`assessments`) and the county table
//! (`county`).

#[allow(clippy::module_inception)]
pub mod agreements;
pub mod assessments;
pub mod county;
