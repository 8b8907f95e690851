//! Knowledge — what is known to work and what others have done: the method library with its
//! evidence ratings on EMMIE's dimensions, and the idea bank of good examples with its idea
//! board (issue 16, items 3 and 4). Below the plans folder, because a plan's measure names the
//! method it rests on and the goal–means check reads that link; where a method is in use (the
//! intervention register, plans) is read by those folders, never from here.

use brygga_domain::{FieldError, FieldErrors};
use serde::Serialize;

pub mod ideas;
pub mod methods;

/// A code and its Swedish label.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Coded {
    pub code: String,
    pub label: String,
}

pub(crate) fn coded(code: &str, label: Option<&str>) -> Coded {
    Coded { code: code.to_owned(), label: label.unwrap_or(code).to_owned() }
}

/// The known codes of `input` (deduplicated, in order); the first unknown one is a field error
/// listing the valid codes.
pub(crate) fn code_list(errs: &mut FieldErrors, field: &str, input: &[String], list: &[(&str, &str)], what: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for c in input.iter().map(|s| s.trim()).filter(|s| !s.is_empty()) {
        if list.iter().any(|(k, _)| *k == c) {
            if !out.iter().any(|o| o == c) {
                out.push(c.to_owned());
            }
        } else {
            let known: Vec<&str> = list.iter().map(|(k, _)| *k).collect();
            errs.push(FieldError::new(field, "knowledge.unknown_code", format!("”{c}” är inte {what}. Välj bland: {}.", known.join(", "))));
            return out;
        }
    }
    out
}
