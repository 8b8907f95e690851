//! The goals of an åtgärdsplan, in a tree: an effect goal broken into result goals, served by
//! process goals. A result goal states the level where its result is expected; each goal may
//! answer problems of the plan's lägesbild.

use brygga_domain::plans::{GoalKind, ResultLevel};
use brygga_domain::text::TextRule;
use brygga_domain::{FieldError, FieldErrors};
use serde::{Deserialize, Serialize};

use super::plan::quoted;
use super::{Doc, DocTable, new_key};
use crate::forum_work::actions::clean_text;
use crate::kernel::access::Action as Permission;
use crate::kernel::audit::{self, Event};
use crate::kernel::db::{Conn, ConnExt, DbError, FromRow, Row};
use crate::kernel::error::{StoreError, StoreResult};
use crate::{Viewer, args};

pub const TITLE: TextRule = TextRule::line("title", "Målet", 300);
pub const DESCRIPTION: TextRule = TextRule::line("description", "Beskrivningen", 4000).optional().multiline();

/// The message for a goal placed under itself or one of its own subgoals.
pub const CYCLE_MESSAGE: &str = "Målet kan inte ligga under sig självt eller under ett av sina egna delmål.";

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Goal {
    pub id: i64,
    pub plan_id: i64,
    /// Stable across the plan's versions.
    pub key: String,
    pub parent_id: Option<i64>,
    /// `effect`, `result` or `process`.
    pub kind: String,
    pub kind_label: String,
    pub title: String,
    pub description: Option<String>,
    /// For result goals: `individual`, `group`, `area`, `organisation` or `municipality`.
    pub level: Option<String>,
    pub level_label: Option<String>,
    /// Counts in the parent's progress.
    pub weight: f64,
    pub position: i64,
    /// The lägesbild problems the goal answers.
    pub problem_ids: Vec<i64>,
}

impl Goal {
    pub fn kind(&self) -> GoalKind {
        GoalKind::from_code(&self.kind).unwrap_or(GoalKind::Effect)
    }
}

/// The SELECT that [`Goal::from_row`] decodes, by the names given here.
const SELECT: &str =
    "SELECT g.id, g.plan_id, g.key, g.parent_id, g.kind, g.title, g.description, g.level, g.weight, g.position FROM plan_goals g";

impl FromRow for Goal {
    fn from_row(r: &Row) -> Result<Self, DbError> {
        let kind: String = r.get("kind")?;
        let k = GoalKind::from_code(&kind).ok_or_else(|| DbError::Decode(format!("kind {kind}")))?;
        let level: Option<String> = r.get("level")?;
        Ok(Self {
            id: r.get("id")?,
            plan_id: r.get("plan_id")?,
            key: r.get("key")?,
            parent_id: r.get("parent_id")?,
            kind_label: k.label().to_owned(),
            kind,
            title: r.get("title")?,
            description: r.get("description")?,
            level_label: level.as_deref().and_then(ResultLevel::from_code).map(|l| l.label().to_owned()),
            level,
            weight: r.get("weight")?,
            position: r.get("position")?,
            problem_ids: Vec::new(),
        })
    }
}

/// The goals of a plan version with their problems, in tree order (each parent before its
/// children, siblings by position). Two queries.
pub(crate) fn for_plan(db: &mut dyn Conn, plan_id: i64) -> StoreResult<Vec<Goal>> {
    let all: Vec<Goal> = db.all(&format!("{SELECT} WHERE g.plan_id = $1 ORDER BY g.position, g.id"), args![plan_id])?;
    let links: Vec<(i64, i64)> = db.map_all(
        "SELECT gp.goal_id, gp.problem_id FROM goal_problems gp JOIN plan_goals g ON g.id = gp.goal_id WHERE g.plan_id = $1 ORDER BY gp.problem_id",
        args![plan_id],
        |r| Ok((r.get("goal_id")?, r.get("problem_id")?)),
    )?;
    let mut out = Vec::with_capacity(all.len());
    fn walk(all: &[Goal], parent: Option<i64>, out: &mut Vec<Goal>, depth: usize) {
        if depth > all.len() {
            return;
        }
        for g in all.iter().filter(|g| g.parent_id == parent) {
            out.push(g.clone());
            walk(all, Some(g.id), out, depth + 1);
        }
    }
    walk(&all, None, &mut out, 0);
    for g in &mut out {
        g.problem_ids = links.iter().filter(|l| l.0 == g.id).map(|l| l.1).collect();
    }
    Ok(out)
}

/// One goal, if the viewer may read its plan.
pub fn get(db: &mut dyn Conn, v: &Viewer, id: i64) -> StoreResult<Goal> {
    let g: Goal = db.opt(&format!("{SELECT} WHERE g.id = $1"), args![id])?.ok_or(StoreError::not_found("goal"))?;
    Doc::load(db, v, DocTable::Plan, g.plan_id).map_err(|_| StoreError::not_found("goal"))?;
    let mut g = g;
    g.problem_ids = db.scalars("SELECT problem_id FROM goal_problems WHERE goal_id = $1 ORDER BY problem_id", args![id])?;
    Ok(g)
}

/// A goal as sent by a form or the API.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct GoalInput {
    /// `effect`, `result` or `process`.
    pub kind: String,
    pub title: String,
    #[serde(default)]
    pub description: Option<String>,
    /// The goal above it (same plan, same or higher kind); empty for a top goal.
    #[serde(default)]
    pub parent_id: Option<i64>,
    /// Required for result goals: `individual`, `group`, `area`, `organisation`, `municipality`.
    #[serde(default)]
    pub level: Option<String>,
    /// Weight in the parent's progress, > 0. Default 1.
    #[serde(default)]
    pub weight: Option<f64>,
    /// Problems of the plan's lägesbild the goal answers.
    #[serde(default)]
    pub problem_ids: Vec<i64>,
}

/// A goal that passed every check.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidGoal {
    pub kind: GoalKind,
    pub title: String,
    pub description: Option<String>,
    pub parent_id: Option<i64>,
    pub level: Option<ResultLevel>,
    pub weight: f64,
    pub problem_ids: Vec<i64>,
}

/// The parents of the plan's goals (id, parent, kind), for the tree checks.
fn tree(db: &mut dyn Conn, plan_id: i64) -> StoreResult<Vec<(i64, Option<i64>, String)>> {
    Ok(db.map_all("SELECT id, parent_id, kind FROM plan_goals WHERE plan_id = $1", args![plan_id], |r| {
        Ok((r.get("id")?, r.get("parent_id")?, r.get("kind")?))
    })?)
}

/// Whether placing `goal` under `parent` would make it its own ancestor.
pub fn makes_cycle(tree: &[(i64, Option<i64>, String)], goal: Option<i64>, parent: i64) -> bool {
    let Some(goal) = goal else { return false };
    let mut at = Some(parent);
    let mut steps = 0;
    while let Some(p) = at {
        if p == goal {
            return true;
        }
        steps += 1;
        if steps > tree.len() {
            return true;
        }
        at = tree.iter().find(|t| t.0 == p).and_then(|t| t.1);
    }
    false
}

/// The problems of the plan's lägesbild version.
pub(crate) fn plan_problem_ids(db: &mut dyn Conn, plan_id: i64) -> StoreResult<Vec<i64>> {
    Ok(db.scalars(
        "SELECT sp.id FROM situation_problems sp JOIN action_plans p ON p.situation_id = sp.situation_id WHERE p.id = $1",
        args![plan_id],
    )?)
}

/// Checks a goal against the plan's tree and lägesbild and reports every problem at once. `id`
/// is the goal when editing.
pub fn prepare(db: &mut dyn Conn, plan_id: i64, id: Option<i64>, input: &GoalInput) -> StoreResult<ValidGoal> {
    let mut errs = FieldErrors::new();
    let kind = errs.take(GoalKind::parse(&input.kind));
    let title = clean_text(&mut errs, &TITLE, Some(&input.title));
    let description = clean_text(&mut errs, &DESCRIPTION, input.description.as_deref());
    let level = match input.level.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => Some(None),
        Some(s) => errs.take(ResultLevel::parse(s)).map(Some),
    };
    if kind == Some(GoalKind::Result) && level == Some(None) {
        errs.push(FieldError::new(
            "level",
            "plans.level_required",
            "Ett resultatmål behöver en nivå: var ska resultatet synas (individ, grupp, område, organisation eller kommun)?",
        ));
    }
    let weight = input.weight.unwrap_or(1.0);
    if !(weight.is_finite() && weight > 0.0) {
        errs.push(FieldError::new("weight", "plans.weight", "Vikten måste vara större än 0, till exempel 1 eller 2,5."));
    }
    if let Some(parent) = input.parent_id {
        let t = tree(db, plan_id)?;
        match t.iter().find(|g| g.0 == parent) {
            None => errs.push(FieldError::new(
                "parent_id",
                "plans.parent_unknown",
                "Det överordnade målet finns inte i den här planen. Välj ett mål i listan, eller inget.",
            )),
            Some(_) if makes_cycle(&t, id, parent) => errs.push(FieldError::new("parent_id", "plans.goal_cycle", CYCLE_MESSAGE)),
            Some((_, _, pk)) => {
                if let (Some(k), Some(pk)) = (kind, GoalKind::from_code(pk))
                    && pk.rank() > k.rank()
                {
                    errs.push(FieldError::new(
                        "parent_id",
                        "plans.parent_kind",
                        format!(
                            "Ett {} kan inte ligga under ett {}. Ett effektmål bryts ned i resultatmål, som tjänas av processmål.",
                            k.label().to_lowercase(),
                            pk.label().to_lowercase()
                        ),
                    ));
                }
            }
        }
    }
    let mut problem_ids = input.problem_ids.clone();
    problem_ids.sort_unstable();
    problem_ids.dedup();
    if !problem_ids.is_empty() {
        let known = plan_problem_ids(db, plan_id)?;
        if problem_ids.iter().any(|p| !known.contains(p)) {
            errs.push(FieldError::new(
                "problem_ids",
                "plans.problem_unknown",
                "Problemet finns inte i planens lägesbild. Välj bland lägesbildens prioriterade problem.",
            ));
        }
    }
    errs.into_result()?;
    Ok(ValidGoal {
        kind: kind.expect("checked"),
        title: title.flatten().expect("checked"),
        description: description.expect("checked"),
        parent_id: input.parent_id,
        level: level.expect("checked"),
        weight,
        problem_ids,
    })
}

fn write_problems(db: &mut dyn Conn, id: i64, problems: &[i64]) -> StoreResult<()> {
    db.execute("DELETE FROM goal_problems WHERE goal_id = $1", args![id])?;
    for p in problems {
        db.execute("INSERT INTO goal_problems (goal_id, problem_id) VALUES ($1, $2)", args![id, *p])?;
    }
    Ok(())
}

/// Adds a goal to a draft plan.
pub fn create(db: &mut dyn Conn, v: &Viewer, plan_id: i64, input: &GoalInput) -> StoreResult<Goal> {
    let doc = Doc::load(db, v, DocTable::Plan, plan_id)?;
    let org = doc.acting_party(v, None, |org| Permission::WritePlan { org })?;
    doc.require_draft()?;
    let g = prepare(db, plan_id, None, input)?;
    insert(db, plan_id, &new_key(), &g).and_then(|id| {
        doc.touch(db, None)?;
        audit::record(db, v, Event::new("plan.goal_create").record("plan", plan_id).org(org))?;
        get(db, v, id)
    })
}

/// Writes a checked goal with `key` (imports and copies keep theirs).
pub(crate) fn insert(db: &mut dyn Conn, plan_id: i64, key: &str, g: &ValidGoal) -> StoreResult<i64> {
    let position: i64 = db.scalar("SELECT COALESCE(MAX(position), 0) + 1 FROM plan_goals WHERE plan_id = $1", args![plan_id])?;
    let id: i64 = db.scalar(
        "INSERT INTO plan_goals (plan_id, key, parent_id, kind, title, description, level, weight, position)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        args![
            plan_id,
            key,
            g.parent_id,
            g.kind.code(),
            g.title.as_str(),
            g.description.as_deref(),
            g.level.map(|l| l.code()),
            g.weight,
            position
        ],
    )?;
    write_problems(db, id, &g.problem_ids)?;
    Ok(id)
}

/// Changes a goal of a draft plan.
pub fn update(db: &mut dyn Conn, v: &Viewer, id: i64, input: &GoalInput) -> StoreResult<Goal> {
    let before = get(db, v, id)?;
    let doc = Doc::load(db, v, DocTable::Plan, before.plan_id)?;
    let org = doc.acting_party(v, None, |org| Permission::WritePlan { org })?;
    doc.require_draft()?;
    let g = prepare(db, before.plan_id, Some(id), input)?;
    db.execute(
        "UPDATE plan_goals SET parent_id = $1, kind = $2, title = $3, description = $4, level = $5, weight = $6 WHERE id = $7",
        args![g.parent_id, g.kind.code(), g.title.as_str(), g.description.as_deref(), g.level.map(|l| l.code()), g.weight, id],
    )?;
    write_problems(db, id, &g.problem_ids)?;
    doc.touch(db, None)?;
    audit::record(db, v, Event::new("plan.goal_update").record("plan", before.plan_id).org(org))?;
    get(db, v, id)
}

/// Deletes a goal of a draft plan; refused while measures, indicators or subgoals depend on it
/// (the message names them).
pub fn delete(db: &mut dyn Conn, v: &Viewer, id: i64) -> StoreResult<()> {
    let before = get(db, v, id)?;
    let doc = Doc::load(db, v, DocTable::Plan, before.plan_id)?;
    let org = doc.acting_party(v, None, |org| Permission::WritePlan { org })?;
    doc.require_draft()?;
    let measures: Vec<String> = db.scalars(
        "SELECT m.title FROM measure_goals mg JOIN plan_measures m ON m.id = mg.measure_id WHERE mg.goal_id = $1 ORDER BY m.position, m.id",
        args![id],
    )?;
    let indicators: Vec<String> = db.scalars("SELECT name FROM plan_indicators WHERE goal_id = $1 ORDER BY position, id", args![id])?;
    let children: Vec<String> = db.scalars("SELECT title FROM plan_goals WHERE parent_id = $1 ORDER BY position, id", args![id])?;
    let mut parts = Vec::new();
    if !measures.is_empty() {
        parts.push(format!("insatserna {}", quoted(&measures)));
    }
    if !indicators.is_empty() {
        parts.push(format!("indikatorerna {}", quoted(&indicators)));
    }
    if !children.is_empty() {
        parts.push(format!("delmålen {}", quoted(&children)));
    }
    if !parts.is_empty() {
        return Err(StoreError::invalid(FieldError::new(
            "goal",
            "plans.goal_in_use",
            format!("Målet kan inte tas bort: {} hänger på det. Koppla dem till ett annat mål eller ta bort dem först.", parts.join(", ")),
        )));
    }
    db.execute("DELETE FROM plan_goals WHERE id = $1", args![id])?;
    doc.touch(db, None)?;
    audit::record(db, v, Event::new("plan.goal_delete").record("plan", before.plan_id).org(org))?;
    Ok(())
}
