//! Knowledge (issue 16, items 3 and 4): the method library with its EMMIE ratings and where a
//! method is in use, the goal–means check with a method, the idea bank's good examples with
//! their consented stories, and the idea board.

use super::*;

mod library;
pub use library::*;
mod idea_bank;
pub use idea_bank::*;
mod mailing_lists;
pub use mailing_lists::*;
