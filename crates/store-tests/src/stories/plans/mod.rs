//! Plans: the lägesbild, the åtgärdsplan, follow-up and evaluation.

use super::*;

mod plan;
pub use plan::*;
