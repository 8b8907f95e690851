pub mod areas;
pub mod geography;
