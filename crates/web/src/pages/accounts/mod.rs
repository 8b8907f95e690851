pub mod account;
pub mod auth;
pub mod orgs;
pub mod users;
