//! Knowledge (issue 16, items 3 and 4): the method library with its EMMIE ratings and where
//! each method is in use; the idea bank of good examples and the idea board.

pub mod ideas;
pub mod methods;
