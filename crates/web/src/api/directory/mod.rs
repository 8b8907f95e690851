//! The directory's API twins (`/directory/…`): public reads without a token, the organisation's
//! writes with one.

#[allow(clippy::module_inception)]
pub mod directory;
