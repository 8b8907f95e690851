//! Plans: the lägesbild, the åtgärdsplan, follow-up and the process evaluation.

pub mod followup;
pub mod situations;
