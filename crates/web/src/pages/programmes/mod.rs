//! Programmes: programmes, working groups and activity plans, the steering group, deliverables
//! and the steering report; each family its own module.

pub mod steering;
pub mod deliverables;
pub mod report;
