//! The process evaluation's checks as the plan page and the follow-up page show them: grouped by
//! analysis, failing first, each with a link to what to fix.

use brygga_store::plans::evaluation::{Analysis, Check};

pub struct CheckView {
    pub passed: bool,
    pub message: String,
    pub href: String,
}

pub struct CheckGroup {
    pub label: &'static str,
    pub passed: usize,
    pub failed: usize,
    pub checks: Vec<CheckView>,
}

/// Where to fix what a check names: the plan page's part, or this capability's own pages.
pub fn check_href(plan_id: i64, c: &Check) -> String {
    match c.target.kind {
        "indicator" => format!("/atgardsplaner/{plan_id}/indikatorer/{}", c.target.id),
        "deviation" => format!("/atgardsplaner/{plan_id}/avvikelser/{}", c.target.id),
        _ => format!("/atgardsplaner/{plan_id}#{}", c.target.anchor),
    }
}

pub fn check_groups(plan_id: i64, checks: &[Check]) -> Vec<CheckGroup> {
    Analysis::ALL
        .iter()
        .map(|a| {
            let mine: Vec<&Check> = checks.iter().filter(|c| c.analysis == *a).collect();
            CheckGroup {
                label: a.label(),
                passed: mine.iter().filter(|c| c.passed).count(),
                failed: mine.iter().filter(|c| !c.passed).count(),
                // Failing first: that is what there is to do.
                checks: mine
                    .iter()
                    .filter(|c| !c.passed)
                    .chain(mine.iter().filter(|c| c.passed))
                    .map(|c| CheckView { passed: c.passed, message: c.message.clone(), href: check_href(plan_id, c) })
                    .collect(),
            }
        })
        .collect()
}
