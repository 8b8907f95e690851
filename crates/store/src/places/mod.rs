pub mod analysis;
pub mod areas;
pub mod geography;
pub mod place;
