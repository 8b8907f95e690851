//! Programmes (issue 14): programmes, working groups, activity plans, the steering group, its
//! decisions, deliverables and the steering report.



pub mod deliverables;
pub use deliverables::*;
pub mod report;
pub use report::*;
pub mod steering;
pub use steering::*;
