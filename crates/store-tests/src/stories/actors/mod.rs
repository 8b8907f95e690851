//! Actors (issue 15): the directory, contact persons and coverage, counterparts and guides,
//! interventions and networks.

use super::*;

mod contact_coverage;
pub use contact_coverage::*;
