//! Agreements and quality checklists (issue 14, items 6 and 7).

use super::*;

#[allow(clippy::module_inception)]
mod agreements;
pub use agreements::*;
