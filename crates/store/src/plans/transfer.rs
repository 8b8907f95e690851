//! A whole plan version as documented, versioned JSON (`docs/PLAN-FORMAT.md`): municipalities
//! copy structures from each other, counties hand out templates. The file holds no ids: goals
//! are referred to by their key, categories by code, places by name; causes and actions are
//! not transferable between municipalities and are exported as titles for reference only.
//! Import creates a new draft for the importer's organisation, checking everything first and
//! writing nothing unless all of it is right (every problem in one list, with JSON paths such
//! as `goals[3].parent`).

use std::collections::HashMap;

use brygga_domain::{FieldError, FieldErrors};
use serde::{Deserialize, Serialize};

use super::goals::{self, GoalInput};
use super::indicators::{self, IndicatorInput};
use super::measures::{self, MeasureInput};
use super::plan::{self, PlanDocument, PlanInput};
use super::{Doc, DocTable, new_key};
use crate::kernel::audit::{self, Event};
use crate::kernel::db::{Conn, ConnExt};
use crate::kernel::error::{StoreError, StoreResult};
use crate::{Viewer, args};

pub const FORMAT: &str = "brygga.plan";
pub const FORMAT_VERSION: i64 = 1;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PlanFile {
    /// Always `brygga.plan`.
    pub format: String,
    /// The format's version: 1.
    pub version: i64,
    pub plan: PlanHeader,
    pub goals: Vec<GoalEntry>,
    pub indicators: Vec<IndicatorEntry>,
    pub measures: Vec<MeasureEntry>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PlanHeader {
    pub title: String,
    /// The municipality of the plan the file came from (for reference); `null` for a working
    /// group's activity plan.
    #[serde(default)]
    pub municipality_code: Option<String>,
    pub period_from: String,
    pub period_to: String,
    #[serde(default)]
    pub decided_by: Option<String>,
    #[serde(default)]
    pub decided_on: Option<String>,
    #[serde(default)]
    pub decision_ref: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct GoalEntry {
    /// The goal's key in the file; other entries refer to it.
    pub key: String,
    /// The key of the goal above it, which comes earlier in the file.
    #[serde(default)]
    pub parent: Option<String>,
    pub kind: String,
    pub title: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub level: Option<String>,
    pub weight: f64,
    /// The lägesbild problems it answered (titles, for reference; not imported).
    #[serde(default)]
    pub problems: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct IndicatorEntry {
    pub key: String,
    /// The key of its goal.
    pub goal: String,
    pub name: String,
    pub source: String,
    /// For `observations`: the category's code in the checklist.
    #[serde(default)]
    pub category: Option<String>,
    /// For `observations`: the place's name.
    #[serde(default)]
    pub area: Option<String>,
    #[serde(default)]
    pub offence: Option<String>,
    #[serde(default)]
    pub survey_question: Option<String>,
    #[serde(default)]
    pub survey_area: Option<String>,
    #[serde(default)]
    pub manual_source: Option<String>,
    pub unit: String,
    pub direction: String,
    pub frequency: String,
    #[serde(default)]
    pub baseline_value: Option<f64>,
    #[serde(default)]
    pub baseline_on: Option<String>,
    #[serde(default)]
    pub baseline_source: Option<String>,
    /// Whether the source plan computed the baseline from its data.
    #[serde(default)]
    pub baseline_computed: bool,
    #[serde(default)]
    pub target_value: Option<f64>,
    #[serde(default)]
    pub target_on: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct MeasureEntry {
    pub key: String,
    pub title: String,
    #[serde(default)]
    pub description: Option<String>,
    /// The responsible organisation's name in the source plan (for reference: on import the
    /// importing organisation is responsible until the draft says otherwise).
    pub responsible: String,
    #[serde(default)]
    pub start_on: Option<String>,
    #[serde(default)]
    pub end_on: Option<String>,
    #[serde(default)]
    pub resources: Option<String>,
    pub status: String,
    #[serde(default)]
    pub status_note: Option<String>,
    #[serde(default)]
    pub no_police_powers: bool,
    pub basis: String,
    #[serde(default)]
    pub basis_note: Option<String>,
    /// The short name of the library method it rests on (`GVI`); on import linked to the
    /// method with that short name, if the installation has one.
    #[serde(default)]
    pub method: Option<String>,
    #[serde(default)]
    pub involvement: Option<String>,
    /// Keys of the goals it serves.
    #[serde(default)]
    pub goals: Vec<String>,
    /// Causes it addressed (titles, for reference; not imported).
    #[serde(default)]
    pub causes: Vec<String>,
    /// Weekly actions that carried it out (titles, for reference; not imported).
    #[serde(default)]
    pub actions: Vec<String>,
}

/// The file of a plan version the viewer may read.
pub fn export(db: &mut dyn Conn, v: &Viewer, id: i64) -> StoreResult<PlanFile> {
    let d = plan::load(db, v, id)?;
    let problems: Vec<(i64, String)> = db.map_all(
        "SELECT sp.id, sp.title FROM situation_problems sp JOIN action_plans p ON p.situation_id = sp.situation_id WHERE p.id = $1",
        args![id],
        |r| Ok((r.get("id")?, r.get("title")?)),
    )?;
    let codes: Vec<(i64, String)> = db.map_all(
        "SELECT DISTINCT c.id, c.code FROM plan_indicators i JOIN categories c ON c.id = i.category_id WHERE i.plan_id = $1",
        args![id],
        |r| Ok((r.get("id")?, r.get("code")?)),
    )?;
    Ok(file_of(&d, &problems, &codes))
}

fn file_of(d: &PlanDocument, problems: &[(i64, String)], codes: &[(i64, String)]) -> PlanFile {
    let key = |g: i64| d.goal(g).map(|g| g.key.clone()).unwrap_or_default();
    PlanFile {
        format: FORMAT.into(),
        version: FORMAT_VERSION,
        plan: PlanHeader {
            title: d.plan.title.clone(),
            municipality_code: d.plan.municipality_code.clone(),
            period_from: d.plan.period_from.clone(),
            period_to: d.plan.period_to.clone(),
            decided_by: d.plan.decided_by.clone(),
            decided_on: d.plan.decided_on.clone(),
            decision_ref: d.plan.decision_ref.clone(),
        },
        goals: d
            .goals
            .iter()
            .map(|g| GoalEntry {
                key: g.key.clone(),
                parent: g.parent_id.map(key),
                kind: g.kind.clone(),
                title: g.title.clone(),
                description: g.description.clone(),
                level: g.level.clone(),
                weight: g.weight,
                problems: problems.iter().filter(|p| g.problem_ids.contains(&p.0)).map(|p| p.1.clone()).collect(),
            })
            .collect(),
        indicators: d
            .indicators
            .iter()
            .map(|i| IndicatorEntry {
                key: i.key.clone(),
                goal: key(i.goal_id),
                name: i.name.clone(),
                source: i.source.clone(),
                category: i.category_id.and_then(|c| codes.iter().find(|x| x.0 == c).map(|x| x.1.clone())),
                area: i.area_name.clone(),
                offence: i.offence.clone(),
                survey_question: i.survey_question.clone(),
                survey_area: i.survey_area.clone(),
                manual_source: i.manual_source.clone(),
                unit: i.unit.clone(),
                direction: i.direction.clone(),
                frequency: i.frequency.clone(),
                baseline_value: i.baseline_value,
                baseline_on: i.baseline_on.clone(),
                baseline_source: i.baseline_source.clone(),
                baseline_computed: i.baseline_computed,
                target_value: i.target_value,
                target_on: i.target_on.clone(),
            })
            .collect(),
        measures: d
            .measures
            .iter()
            .map(|m| MeasureEntry {
                key: m.key.clone(),
                title: m.title.clone(),
                description: m.description.clone(),
                responsible: m.responsible.name.clone(),
                start_on: m.start_on.clone(),
                end_on: m.end_on.clone(),
                resources: m.resources.clone(),
                status: m.status.clone(),
                status_note: m.status_note.clone(),
                no_police_powers: m.no_police_powers,
                basis: m.basis.clone(),
                basis_note: m.basis_note.clone(),
                method: m.method.as_ref().map(|b| b.short_name.clone()),
                involvement: m.involvement.clone(),
                goals: m.goal_ids.iter().map(|g| key(*g)).collect(),
                causes: m.causes.iter().map(|c| c.title.clone()).collect(),
                actions: m.actions.iter().map(|a| a.title.clone()).collect(),
            })
            .collect(),
    }
}

/// What an import needs besides the file.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ImportInput {
    /// The municipality of the new plan (one the owner has an approved claim in).
    pub municipality_code: String,
    /// The owning organisation (the viewer's, a coordinator there); default: the first where
    /// the viewer may write plans.
    #[serde(default)]
    pub owner_org_id: Option<i64>,
    /// The file (`{"format": "brygga.plan", "version": 1, …}`).
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub document: serde_json::Value,
}

/// Moves every error of `e` under `prefix` (`goals[3]`), naming the entry's field.
fn under(all: &mut FieldErrors, prefix: &str, e: StoreError, rename: &[(&str, &str)]) -> StoreResult<()> {
    match e {
        StoreError::Invalid(errs) => {
            for f in errs.0 {
                let field = rename.iter().find(|r| r.0 == f.field).map_or(f.field.as_str(), |r| r.1);
                all.push(FieldError::new(format!("{prefix}.{field}"), f.code, f.message));
            }
            Ok(())
        }
        other => Err(other),
    }
}

/// Reads a file into a new draft. Everything is checked and every problem reported at once;
/// with any, nothing is written (the caller's transaction is rolled back by the error).
pub fn import(db: &mut dyn Conn, v: &Viewer, input: &ImportInput) -> StoreResult<plan::ActionPlan> {
    let file: PlanFile = serde_json::from_value(input.document.clone()).map_err(|e| {
        StoreError::invalid(FieldError::new(
            "document",
            "plans.file_unreadable",
            format!("Filen går inte att läsa som en plan i Brygga-format: {e}. Exportera planen på nytt och försök igen."),
        ))
    })?;
    if file.format != FORMAT || file.version != FORMAT_VERSION {
        return Err(StoreError::invalid(FieldError::new(
            "document",
            "plans.file_format",
            format!("Filen har formatet ”{}” version {}; Brygga läser ”{FORMAT}” version {FORMAT_VERSION}.", file.format, file.version),
        )));
    }
    let mut all = FieldErrors::new();
    let header = PlanInput {
        title: file.plan.title.clone(),
        municipality_code: Some(input.municipality_code.clone()),
        owner_org_id: input.owner_org_id,
        period_from: Some(file.plan.period_from.clone()),
        period_to: Some(file.plan.period_to.clone()),
        decided_by: file.plan.decided_by.clone(),
        decided_on: file.plan.decided_on.clone(),
        decision_ref: file.plan.decision_ref.clone(),
        ..PlanInput::default()
    };
    let created = match plan::create(db, v, &header) {
        Ok(p) => p,
        Err(e) => {
            under(&mut all, "plan", e, &[])?;
            return Err(StoreError::Invalid(all));
        }
    };
    import_content(db, v, created.id, &file, "", &mut all)?;
    all.into_result()?;
    audit::record(db, v, Event::new("plan.import").record("plan", created.id).org(created.owner.id))?;
    plan::fetch(db, created.id)
}

/// Reads a file's goals, indicators and measures into the draft `plan_id` (the viewer writes
/// it), collecting every problem in `all` under `prefix` (`groups[2].plans[0].`), so a caller
/// importing several documents reports them all at once. Measures are the owner's
/// responsibility until reassigned. The caller refuses the whole import when `all` is not empty.
pub fn import_content(
    db: &mut dyn Conn,
    v: &Viewer,
    plan_id: i64,
    file: &PlanFile,
    prefix: &str,
    all: &mut FieldErrors,
) -> StoreResult<()> {
    let doc = Doc::load(db, v, DocTable::Plan, plan_id)?;
    let mut keys: HashMap<String, i64> = HashMap::new();
    for (n, g) in file.goals.iter().enumerate() {
        let at = format!("{prefix}goals[{n}]");
        if keys.contains_key(&g.key) || g.key.trim().is_empty() {
            all.push(FieldError::new(
                format!("{at}.key"),
                "plans.key_duplicate",
                "Nyckeln saknas eller finns redan tidigare i filen. Varje mål behöver en egen nyckel.",
            ));
            continue;
        }
        let parent_id = match &g.parent {
            None => None,
            Some(p) => match keys.get(p) {
                Some(id) => Some(*id),
                None => {
                    all.push(FieldError::new(
                        format!("{at}.parent"),
                        "plans.parent_unknown",
                        format!("Det överordnade målet ”{p}” finns inte tidigare i filen. Ett mål måste komma efter sitt överordnade mål."),
                    ));
                    continue;
                }
            },
        };
        let gi = GoalInput {
            kind: g.kind.clone(),
            title: g.title.clone(),
            description: g.description.clone(),
            parent_id,
            level: g.level.clone(),
            weight: Some(g.weight),
            problem_ids: Vec::new(),
        };
        match goals::prepare(db, plan_id, None, &gi) {
            Ok(valid) => {
                let id = goals::insert(db, plan_id, &new_key(), &valid)?;
                keys.insert(g.key.clone(), id);
            }
            Err(e) => under(all, &at, e, &[("parent_id", "parent")])?,
        }
    }
    let p = plan::fetch(db, plan_id)?;
    for (n, i) in file.indicators.iter().enumerate() {
        let at = format!("{prefix}indicators[{n}]");
        let Some(goal_id) = keys.get(&i.goal).copied() else {
            all.push(FieldError::new(format!("{at}.goal"), "plans.goal_unknown", format!("Målet ”{}” finns inte i filen.", i.goal)));
            continue;
        };
        let category_id = match i.category.as_deref() {
            None => None,
            Some(code) => {
                let found: Option<i64> = db.scalar_opt(
                    "SELECT MIN(c.id) FROM categories c JOIN forums f ON f.id = c.forum_id WHERE c.code = $1 AND f.municipality_code = $2
                       AND (c.forum_id = $3 OR ($3 < 0 AND (f.convener_org_id = $4 OR EXISTS (SELECT 1 FROM forum_members fm WHERE fm.forum_id = f.id AND fm.org_id = $4))))",
                    args![code, p.municipality(), p.picture_forum_id.unwrap_or(-1), p.owner.id],
                )?;
                if found.is_none() {
                    all.push(FieldError::new(
                        format!("{at}.category"),
                        "plans.category_unknown",
                        format!("Kategorin ”{code}” finns inte i checklistan här. Lägg till den i forumets checklista, eller ändra filen."),
                    ));
                    continue;
                }
                found
            }
        };
        let area_id = match i.area.as_deref() {
            None => None,
            Some(name) => {
                let found: Option<i64> =
                    db.scalar_opt("SELECT MIN(id) FROM areas WHERE municipality_code = $1 AND name = $2", args![p.municipality(), name])?;
                if found.is_none() {
                    all.push(FieldError::new(
                        format!("{at}.area"),
                        "area.unknown",
                        format!("Platsen ”{name}” finns inte i kommunen. Lägg till platsen, eller ändra filen."),
                    ));
                    continue;
                }
                found
            }
        };
        let ii = IndicatorInput {
            goal_id,
            name: i.name.clone(),
            source: i.source.clone(),
            category_id,
            area_id,
            offence: i.offence.clone(),
            survey_question: i.survey_question.clone(),
            survey_area: i.survey_area.clone(),
            manual_source: i.manual_source.clone(),
            unit: i.unit.clone(),
            direction: i.direction.clone(),
            frequency: i.frequency.clone(),
            compute_baseline: false,
            baseline_value: i.baseline_value,
            baseline_on: i.baseline_on.clone(),
            baseline_source: i.baseline_source.clone(),
            target_value: i.target_value,
            target_on: i.target_on.clone(),
        };
        match indicators::prepare(db, &p, &ii) {
            Ok(mut valid) => {
                valid.baseline_computed = i.baseline_computed;
                indicators::insert(db, plan_id, &new_key(), &valid)?;
            }
            Err(e) => under(all, &at, e, &[("goal_id", "goal"), ("category_id", "category"), ("area_id", "area")])?,
        }
    }
    for (n, m) in file.measures.iter().enumerate() {
        let at = format!("{prefix}measures[{n}]");
        let mut goal_ids = Vec::new();
        for k in &m.goals {
            match keys.get(k) {
                Some(id) => goal_ids.push(*id),
                None => all.push(FieldError::new(format!("{at}.goals"), "plans.goal_unknown", format!("Målet ”{k}” finns inte i filen."))),
            }
        }
        let mi = MeasureInput {
            title: m.title.clone(),
            description: m.description.clone(),
            responsible_org_id: Some(p.owner.id),
            start_on: m.start_on.clone(),
            end_on: m.end_on.clone(),
            resources: m.resources.clone(),
            status: Some(m.status.clone()),
            status_note: m.status_note.clone(),
            no_police_powers: m.no_police_powers,
            basis: Some(m.basis.clone()),
            basis_note: m.basis_note.clone(),
            method_id: match m.method.as_deref() {
                Some(short) => crate::knowledge::methods::id_by_short_name(db, short)?,
                None => None,
            },
            involvement: m.involvement.clone(),
            goal_ids,
            ..MeasureInput::default()
        };
        match measures::prepare(db, v, &doc, &mi) {
            Ok(valid) => {
                measures::insert(db, plan_id, &new_key(), &valid)?;
            }
            Err(e) => under(all, &at, e, &[("goal_ids", "goals")])?,
        }
    }
    Ok(())
}
