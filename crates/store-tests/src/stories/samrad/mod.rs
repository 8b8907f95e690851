//! Consultations (issue 16, items 1 and 2): who reads a consultation and its input, the
//! participant's choice of attribution respected for every viewer (the organiser, the
//! lägesbild's readers), and input refused at the field with nothing written.

use super::*;

mod consultations;
pub use consultations::*;
