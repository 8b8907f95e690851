//! Swedish full-text search (issue 15, item 6).

use super::*;

#[allow(clippy::module_inception)]
mod search;
pub use search::*;
