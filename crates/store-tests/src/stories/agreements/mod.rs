//! Agreements and quality checklists (issue 14, items 6 and 7).

use super::*;

mod agreements;
pub use agreements::*;
