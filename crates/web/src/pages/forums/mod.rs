pub mod categories;
pub mod forum;
