//! The plans capability: each family its own module (the åtgärdsplan is `plans`, beside the
//! lägesbild and the follow-up).

#[allow(clippy::module_inception)]
pub mod plans;
