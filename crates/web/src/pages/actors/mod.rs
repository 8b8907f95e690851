//! Actors (issue 15): counterparts of every municipality, the county's contact-person coverage,
//! and the municipality's "vart vänder jag mig" guide.

pub mod counterparts;
pub mod coverage;
pub mod guide;
