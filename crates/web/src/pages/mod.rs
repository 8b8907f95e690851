//! Server-rendered pages, one folder per capability.

pub mod accounts;
pub mod actors;
pub mod agreements;
pub mod dialogue;
pub mod directory;
pub mod forum_work;
pub mod forums;
pub mod home;
pub mod operations;
pub mod picture;
pub mod places;
pub mod plans;
pub mod programmes;

pub mod search;
