pub mod imports;
pub mod observations;
pub mod weekly;
