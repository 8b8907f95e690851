//! Plans: the lägesbild, the åtgärdsplan, follow-up and the process evaluation; each family its
//! own module (the åtgärdsplan is `plans`).

pub mod documents;
pub mod followup;
#[allow(clippy::module_inception)]
pub mod plans;
pub mod situations;
