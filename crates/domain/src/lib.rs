//! Brygga's domain: the types that can only hold valid values, and the rules that do not
//! need a database. No I/O lives here.

pub mod geography;
pub mod personal_data;
