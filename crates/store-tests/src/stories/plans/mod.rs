//! Plans (issue 13): the lägesbild and problembild documents, the åtgärdsplan, follow-up and
//! the process evaluation.

use super::*;

pub mod followup;
pub use followup::*;
mod plan;
pub use plan::*;
mod situations;
pub use situations::*;
