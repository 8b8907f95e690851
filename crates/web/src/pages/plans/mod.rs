//! Plans (issue 13): the lägesbild and problembild documents, the åtgärdsplan, follow-up and the
//! process evaluation.

pub mod followup;
pub mod situations;
