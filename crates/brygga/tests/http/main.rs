//! Black-box HTTP tests: the real server on port 0 against a fresh database, on SQLite and on
//! PostgreSQL (skipped when no server is reachable, except under `CI=true`).

mod common;

mod api;
mod areas;
mod imports;
mod isolation;
mod mail;
mod ops;
mod pages;
mod picture;
mod questionnaire;
mod reporting;
mod smtp;
