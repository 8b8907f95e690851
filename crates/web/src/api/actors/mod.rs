//! Actors (issue 15): counterparts, contact coverage and guides; interventions and networks.

pub mod counterparts;
pub mod interventions;
pub mod networks;
