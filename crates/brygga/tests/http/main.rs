//! Black-box HTTP tests: the real server on port 0 against a fresh database, on SQLite and on
//! PostgreSQL (skipped when no server is reachable, except under `CI=true`).

mod common;

mod smtp;

// The tests, by capability.
mod accounts;
mod actors;
mod agreements;
mod consultations;
mod directory;
mod events;
mod forum_work;
mod forums;
mod interventions;
mod kernel;
mod kit;
mod knowledge;
pub(crate) mod operations;
mod picture;
mod places;
mod plans;
mod programmes;
mod search;
