//! The public directory of organisations and their offers (issue 15, item 1).

use super::*;

#[allow(clippy::module_inception)]
mod directory;
pub use directory::*;
