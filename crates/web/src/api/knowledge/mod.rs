//! Knowledge (issue 16): the method library, the idea bank and the idea board.

pub mod ideas;
pub mod methods;
