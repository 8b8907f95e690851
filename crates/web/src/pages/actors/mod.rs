//! Actors (issue 15): counterparts of every municipality, the county's contact-person coverage,
//! the municipality's "vart vänder jag mig" guide; the register of interventions with its
//! overlap hints and helhetsbild; networks and reference groups.

pub mod counterparts;
pub mod coverage;
pub mod guide;
pub mod interventions;
pub mod networks;
