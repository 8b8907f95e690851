pub mod me;
pub mod orgs;
pub mod users;
