pub mod areas;
pub mod geo;
