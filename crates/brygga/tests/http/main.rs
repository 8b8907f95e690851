//! Black-box HTTP tests: the real server on port 0 against a fresh database, on SQLite and on
//! PostgreSQL (skipped when no server is reachable, except under `CI=true`).

mod common;

mod actions;
mod alerts;
mod api;
mod api_forum_work;
mod areas;
mod chooser;
mod digest;
mod imports;
mod isolation;
mod mail;
mod meetings;
mod ops;
mod overview;
mod pages;
mod picture;
mod questionnaire;
mod reporting;
mod smtp;
mod trust_consent;
mod trust_files;
mod trust_geo;
mod trust_guard;
mod trust_ops;
mod trust_picture;
mod trust_redirect;
mod usecases;
