pub mod auth;
pub mod contacts;
pub mod orgs;
pub mod users;
