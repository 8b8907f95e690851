//! Progress, computed and never typed (pure).
//!
//! - An **indicator's** progress is how far its latest value has come from the baseline towards
//!   the target: `(latest − baseline) / (target − baseline)`, clamped to 0…1. The sign works for
//!   both `increase` and `decrease` (a decrease has a target below the baseline). When the target
//!   equals the baseline, or lies against the desired direction, progress is 1 when the latest
//!   value is at or beyond the target in the desired direction and 0 otherwise. For `keep`
//!   progress is 1 while the latest value stays within ±5 % of the baseline ([`KEEP_TOLERANCE`];
//!   a baseline of 0 must stay exactly 0) and 0 otherwise. Without a baseline, a target and a
//!   value there is no progress (`None`), never 0.
//! - A **goal's** progress is the weighted mean of its own indicators' progress (each weight 1)
//!   and its child goals' progress (each with the child's `weight`). Parts without progress are
//!   left out, and the result says how many were. Nobody types a percentage for a parent.

use brygga_domain::plans::Direction;
use serde::Serialize;

/// How far from the baseline a `keep` indicator may go and still be kept (a share of the
/// baseline).
pub const KEEP_TOLERANCE: f64 = 0.05;

/// An indicator's progress, 0…1, or `None` when it cannot be computed.
pub fn indicator(direction: Direction, baseline: Option<f64>, target: Option<f64>, latest: Option<f64>) -> Option<f64> {
    let (b, t, l) = (baseline?, target?, latest?);
    if !(b.is_finite() && t.is_finite() && l.is_finite()) {
        return None;
    }
    match direction {
        Direction::Keep => Some(if (l - b).abs() <= KEEP_TOLERANCE * b.abs() { 1.0 } else { 0.0 }),
        Direction::Increase | Direction::Decrease => {
            let towards = if direction == Direction::Increase { t > b } else { t < b };
            if towards {
                Some(((l - b) / (t - b)).clamp(0.0, 1.0))
            } else {
                let reached = if direction == Direction::Increase { l >= t } else { l <= t };
                Some(if reached { 1.0 } else { 0.0 })
            }
        }
    }
}

/// A goal with its indicators' progress and its child goals, as [`goal`] reads it.
#[derive(Debug, Clone, PartialEq)]
pub struct GoalNode {
    pub id: i64,
    /// The goal's weight in its parent's progress (> 0).
    pub weight: f64,
    /// Each own indicator's progress ([`indicator`]).
    pub indicators: Vec<Option<f64>>,
    pub children: Vec<GoalNode>,
}

/// A goal's computed progress, with its children's.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GoalProgress {
    pub goal_id: i64,
    /// 0…1; `None` when no indicator or child goal has progress.
    pub progress: Option<f64>,
    /// Own indicators and child goals that have no progress and were left out of the mean.
    pub left_out: usize,
    /// Own indicators and child goals that counted.
    pub counted: usize,
    #[cfg_attr(feature = "openapi", schema(no_recursion))]
    pub children: Vec<GoalProgress>,
}

impl GoalProgress {
    /// This goal and every descendant, depth first.
    pub fn flatten(&self) -> Vec<&GoalProgress> {
        let mut out = vec![self];
        for c in &self.children {
            out.extend(c.flatten());
        }
        out
    }
}

/// The progress of a goal tree, bottom up.
pub fn goal(node: &GoalNode) -> GoalProgress {
    let children: Vec<GoalProgress> = node.children.iter().map(goal).collect();
    let mut sum = 0.0;
    let mut weights = 0.0;
    let mut left_out = 0;
    let mut counted = 0;
    for p in &node.indicators {
        match p {
            Some(p) => {
                sum += p;
                weights += 1.0;
                counted += 1;
            }
            None => left_out += 1,
        }
    }
    for (c, n) in children.iter().zip(&node.children) {
        match c.progress {
            Some(p) => {
                sum += p * n.weight;
                weights += n.weight;
                counted += 1;
            }
            None => left_out += 1,
        }
    }
    GoalProgress { goal_id: node.id, progress: (weights > 0.0).then(|| sum / weights), left_out, counted, children }
}

/// Builds the trees of a plan's goals from flat rows `(id, parent_id, weight)` in display order
/// and each goal's indicators' progress `(goal_id, progress)`. A goal whose parent is missing
/// (or a cycle, which the schema's writers refuse) is treated as a root.
pub fn forest(goals: &[(i64, Option<i64>, f64)], indicators: &[(i64, Option<f64>)]) -> Vec<GoalNode> {
    use std::collections::{HashMap, HashSet};
    let ids: HashSet<i64> = goals.iter().map(|g| g.0).collect();
    let mut children: HashMap<i64, Vec<i64>> = HashMap::new();
    let mut roots = Vec::new();
    for (id, parent, _) in goals {
        match parent.filter(|p| ids.contains(p) && p != id) {
            Some(p) => children.entry(p).or_default().push(*id),
            None => roots.push(*id),
        }
    }
    let weight: HashMap<i64, f64> = goals.iter().map(|g| (g.0, g.2)).collect();
    fn build(
        id: i64,
        children: &HashMap<i64, Vec<i64>>,
        weight: &HashMap<i64, f64>,
        indicators: &[(i64, Option<f64>)],
        seen: &mut HashSet<i64>,
    ) -> GoalNode {
        seen.insert(id);
        let kids = children.get(&id).map(Vec::as_slice).unwrap_or_default();
        GoalNode {
            id,
            weight: weight.get(&id).copied().unwrap_or(1.0),
            indicators: indicators.iter().filter(|i| i.0 == id).map(|i| i.1).collect(),
            children: kids
                .iter()
                .filter(|k| !seen.contains(k))
                .copied()
                .collect::<Vec<_>>()
                .into_iter()
                .map(|k| build(k, children, weight, indicators, seen))
                .collect(),
        }
    }
    let mut seen = HashSet::new();
    let mut out: Vec<GoalNode> = roots.into_iter().map(|r| build(r, &children, &weight, indicators, &mut seen)).collect();
    // Goals caught in a cycle have no root: each unseen one becomes a root of its own.
    for (id, _, _) in goals {
        if !seen.contains(id) {
            out.push(build(*id, &children, &weight, indicators, &mut seen));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: Option<f64>, b: f64) -> bool {
        a.is_some_and(|a| (a - b).abs() < 1e-9)
    }

    #[test]
    fn decrease_from_40_towards_20_at_35_is_a_quarter() {
        // (35 − 40) / (20 − 40) = −5 / −20 = 0.25
        assert!(close(indicator(Direction::Decrease, Some(40.0), Some(20.0), Some(35.0)), 0.25));
        // Past the target: clamped to 1. The wrong way: clamped to 0.
        assert!(close(indicator(Direction::Decrease, Some(40.0), Some(20.0), Some(12.0)), 1.0));
        assert!(close(indicator(Direction::Decrease, Some(40.0), Some(20.0), Some(44.0)), 0.0));
    }

    #[test]
    fn increase_from_60_towards_80_at_75_is_three_quarters() {
        // (75 − 60) / (80 − 60) = 15 / 20 = 0.75
        assert!(close(indicator(Direction::Increase, Some(60.0), Some(80.0), Some(75.0)), 0.75));
        assert!(close(indicator(Direction::Increase, Some(60.0), Some(80.0), Some(50.0)), 0.0));
    }

    #[test]
    fn a_target_at_or_against_the_baseline_is_reached_or_not() {
        assert!(close(indicator(Direction::Decrease, Some(10.0), Some(10.0), Some(9.0)), 1.0));
        assert!(close(indicator(Direction::Decrease, Some(10.0), Some(10.0), Some(11.0)), 0.0));
        assert!(close(indicator(Direction::Increase, Some(10.0), Some(8.0), Some(8.5)), 1.0));
        assert!(close(indicator(Direction::Increase, Some(10.0), Some(8.0), Some(7.0)), 0.0));
    }

    #[test]
    fn keep_is_within_five_percent_of_the_baseline() {
        // 5 % of 200 is 10: 190 and 210 are kept, 211 is not.
        assert!(close(indicator(Direction::Keep, Some(200.0), Some(200.0), Some(190.0)), 1.0));
        assert!(close(indicator(Direction::Keep, Some(200.0), Some(200.0), Some(210.0)), 1.0));
        assert!(close(indicator(Direction::Keep, Some(200.0), Some(200.0), Some(211.0)), 0.0));
        assert!(close(indicator(Direction::Keep, Some(0.0), Some(0.0), Some(0.0)), 1.0));
        assert!(close(indicator(Direction::Keep, Some(0.0), Some(0.0), Some(1.0)), 0.0));
    }

    #[test]
    fn nothing_is_computed_without_baseline_target_and_value() {
        assert_eq!(indicator(Direction::Decrease, None, Some(20.0), Some(35.0)), None);
        assert_eq!(indicator(Direction::Decrease, Some(40.0), None, Some(35.0)), None);
        assert_eq!(indicator(Direction::Decrease, Some(40.0), Some(20.0), None), None);
        assert_eq!(indicator(Direction::Keep, Some(40.0), None, Some(40.0)), None);
    }

    #[test]
    fn a_parent_is_the_weighted_mean_of_its_children() {
        // Result goal A (weight 2): indicators 0.25 and 0.75 → 0.5.
        // Result goal B (weight 1): one indicator 1.0 → 1.0.
        // Result goal C (weight 5): no indicator with progress → left out.
        // Effect goal: (0.5 × 2 + 1.0 × 1) / 3 = 2 / 3, one child left out.
        let a = GoalNode { id: 2, weight: 2.0, indicators: vec![Some(0.25), Some(0.75)], children: vec![] };
        let b = GoalNode { id: 3, weight: 1.0, indicators: vec![Some(1.0)], children: vec![] };
        let c = GoalNode { id: 4, weight: 5.0, indicators: vec![None], children: vec![] };
        let root = GoalNode { id: 1, weight: 1.0, indicators: vec![], children: vec![a, b, c] };
        let p = goal(&root);
        assert!(close(p.progress, 2.0 / 3.0), "{p:?}");
        assert_eq!((p.left_out, p.counted), (1, 2));
        assert!(close(p.children[0].progress, 0.5));
        assert_eq!(p.children[2].progress, None);
        assert_eq!(p.children[2].left_out, 1);
        assert_eq!(p.flatten().iter().map(|g| g.goal_id).collect::<Vec<_>>(), [1, 2, 3, 4]);
    }

    #[test]
    fn own_indicators_count_beside_children_with_weight_one() {
        // Own indicator 0.2 (weight 1) and a child at 0.8 with weight 3: (0.2 + 2.4) / 4 = 0.65.
        let child = GoalNode { id: 2, weight: 3.0, indicators: vec![Some(0.8)], children: vec![] };
        let root = GoalNode { id: 1, weight: 1.0, indicators: vec![Some(0.2)], children: vec![child] };
        assert!(close(goal(&root).progress, 0.65));
    }

    #[test]
    fn forest_builds_trees_in_order_and_survives_cycles() {
        let goals = [(1, None, 1.0), (2, Some(1), 2.0), (3, Some(1), 1.0), (4, Some(5), 1.0), (5, Some(4), 1.0)];
        let f = forest(&goals, &[(2, Some(0.5)), (3, Some(1.0))]);
        assert_eq!(f.iter().map(|n| n.id).collect::<Vec<_>>(), [1, 4]);
        assert_eq!(f[0].children.iter().map(|n| (n.id, n.weight)).collect::<Vec<_>>(), [(2, 2.0), (3, 1.0)]);
        // (0.5 × 2 + 1.0 × 1) / 3
        assert!(close(goal(&f[0]).progress, 2.0 / 3.0));
        assert_eq!(f[1].children.iter().map(|n| n.id).collect::<Vec<_>>(), [5]);
    }
}
