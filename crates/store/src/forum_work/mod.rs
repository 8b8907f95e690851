pub mod actions;
pub mod alerts;
pub mod digests;
pub mod meetings;
pub mod overview;
pub mod share_links;
