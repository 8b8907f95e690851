//! Plans (issue 13): the lägesbild and problembild documents, and the åtgärdsplan.

pub mod situations;
