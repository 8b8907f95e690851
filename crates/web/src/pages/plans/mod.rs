//! Plans (issue 13): the lägesbild and problembild documents, the åtgärdsplan, follow-up and the
//! process evaluation; each family its own module (the åtgärdsplan is `plans`).

pub mod documents;
pub mod followup;
#[allow(clippy::module_inception)]
pub mod plans;
pub mod situations;
