//! Plans (issue 13). Keep-both on merge: each family declares its module here.

mod generator;
mod followup;
mod situations;
