pub mod interventions;
pub mod networks;
