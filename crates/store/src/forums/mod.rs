pub mod categories;
pub mod consent;
pub mod forum;
