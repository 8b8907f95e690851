//! Actors (issue 15): counterparts, contact coverage and guides.

pub mod counterparts;
