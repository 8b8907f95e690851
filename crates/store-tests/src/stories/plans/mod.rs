//! Plans (issue 13): the lägesbild and problembild documents, the åtgärdsplan, follow-up and
//! evaluation.

use super::*;

mod situations;
pub use situations::*;
