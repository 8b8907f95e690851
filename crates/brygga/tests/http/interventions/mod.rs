//! Actors: the register of ongoing interventions, its overlap hints and networks (issue 15).

mod api;
