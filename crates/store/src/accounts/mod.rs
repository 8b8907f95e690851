pub mod auth;
pub mod contacts;
pub mod invitations;
pub mod orgs;
pub mod preferences;
pub mod users;
