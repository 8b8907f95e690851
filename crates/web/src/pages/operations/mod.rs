pub mod audit;
pub mod status;
