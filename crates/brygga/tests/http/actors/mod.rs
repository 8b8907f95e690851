//! Actors (issue 15).

mod counterparts;
