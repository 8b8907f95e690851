//! Plans (issue 13). Keep-both on merge: each family declares its module here.

mod demo;
mod documents;
mod followup;
mod generator;
mod plan;
mod situations;
