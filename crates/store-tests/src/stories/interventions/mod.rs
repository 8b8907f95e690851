//! Actors (issue 15, items 3 and 5): the register of ongoing interventions with its overlap
//! hints, and networks and reference groups.

use super::*;

#[allow(clippy::module_inception)]
mod interventions;
pub use interventions::*;
mod networks;
pub use networks::*;
