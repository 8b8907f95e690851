//! Brygga's domain: the types that can only hold valid values, and the rules that do not
//! need a database. No I/O lives here.

pub mod account;
pub mod actors;
pub mod agreements;
pub mod error;
pub mod est;
pub mod geography;
pub mod geometry;
pub mod kinds;
pub mod knowledge;
pub mod org_number;
pub mod personal_data;
pub mod plans;
pub mod steering;
pub mod text;
pub mod themes;
pub mod time;
pub mod words;

pub use error::{FieldError, FieldErrors};
pub use kinds::{ActionStatus, AlertUrgency, OrgKind, Role, VisibilityKind};
