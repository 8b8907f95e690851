//! The measures (insatser) of a plan: what is done, by whom (a party responsible, partners),
//! when, with what, why (the goals and the lägesbild causes it serves), on what basis, how the
//! recipients are involved — and the weekly actions from the forums' action lists that carry
//! it out. Content changes need a draft; the status and the action links are follow-up and go
//! on in the adopted version in force.

use brygga_domain::plans::{Involvement, MeasureBasis, MeasureStatus};
use brygga_domain::text::TextRule;
use brygga_domain::{FieldError, FieldErrors};
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use super::plan::opt_date;
use super::{Doc, DocTable, new_key, require_party_org};
use crate::forum_work::actions::clean_text;
use crate::forums::forum::OrgRef;
use crate::kernel::access::Action as Permission;
use crate::kernel::audit::{self, Event};
use crate::kernel::db::{Conn, ConnExt, DbError, FromRow, Row, Value};
use crate::kernel::error::{StoreError, StoreResult};
use crate::kernel::sharing;
use crate::knowledge::methods::{self, MethodBadge};
use crate::{Viewer, args};

pub const TITLE: TextRule = TextRule::line("title", "Insatsen", 300);
pub const DESCRIPTION: TextRule = TextRule::line("description", "Beskrivningen", 4000).optional().multiline();
pub const RESOURCES: TextRule = TextRule::line("resources", "Resurserna", 1000).optional().multiline();
pub const STATUS_NOTE: TextRule = TextRule::line("status_note", "Kommentaren till status", 1000).optional().multiline();
pub const BASIS_NOTE: TextRule = TextRule::line("basis_note", "Kunskapsgrunden", 1000).optional().multiline();

/// A lägesbild cause a measure addresses.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CauseRef {
    pub id: i64,
    pub title: String,
    pub problem_id: i64,
}

/// A weekly action that carries a measure out (readable by the viewer).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ActionRef {
    pub id: i64,
    pub title: String,
    pub forum_id: i64,
    pub status: String,
    pub due_on: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Measure {
    pub id: i64,
    pub plan_id: i64,
    pub key: String,
    pub title: String,
    pub description: Option<String>,
    pub responsible: OrgRef,
    pub partners: Vec<OrgRef>,
    pub start_on: Option<String>,
    pub end_on: Option<String>,
    pub resources: Option<String>,
    /// `planned`, `ongoing`, `done`, `delayed` or `cancelled`.
    pub status: String,
    pub status_label: String,
    pub status_note: Option<String>,
    pub no_police_powers: bool,
    /// `evaluated_method`, `documented_knowledge` or `none`.
    pub basis: String,
    pub basis_label: String,
    pub basis_note: Option<String>,
    /// The method of the library the measure rests on (its EMMIE badge), if linked.
    pub method: Option<MethodBadge>,
    pub method_id: Option<i64>,
    /// `co_creators`, `consulted`, `informed` or `passive`.
    pub involvement: Option<String>,
    pub involvement_label: Option<String>,
    pub position: i64,
    pub goal_ids: Vec<i64>,
    pub causes: Vec<CauseRef>,
    /// Only the actions the viewer may read.
    pub actions: Vec<ActionRef>,
}

/// The SELECT that [`Measure::from_row`] decodes, by the names given here.
const SELECT: &str = "SELECT m.id, m.plan_id, m.key, m.title, m.description, m.responsible_org_id, o.name AS responsible_name, m.start_on,
        m.end_on, m.resources, m.status, m.status_note, m.no_police_powers, m.basis, m.basis_note, m.method_id, m.involvement, m.position
     FROM plan_measures m JOIN organisations o ON o.id = m.responsible_org_id";

impl FromRow for Measure {
    fn from_row(r: &Row) -> Result<Self, DbError> {
        let status: String = r.get("status")?;
        let basis: String = r.get("basis")?;
        let involvement: Option<String> = r.get("involvement")?;
        Ok(Self {
            id: r.get("id")?,
            plan_id: r.get("plan_id")?,
            key: r.get("key")?,
            title: r.get("title")?,
            description: r.get("description")?,
            responsible: OrgRef { id: r.get("responsible_org_id")?, name: r.get("responsible_name")? },
            partners: Vec::new(),
            start_on: r.get("start_on")?,
            end_on: r.get("end_on")?,
            resources: r.get("resources")?,
            status_label: MeasureStatus::from_code(&status).ok_or_else(|| DbError::Decode(format!("status {status}")))?.label().to_owned(),
            status,
            status_note: r.get("status_note")?,
            no_police_powers: r.get("no_police_powers")?,
            basis_label: MeasureBasis::from_code(&basis).ok_or_else(|| DbError::Decode(format!("basis {basis}")))?.label().to_owned(),
            basis,
            basis_note: r.get("basis_note")?,
            method: None,
            method_id: r.get("method_id")?,
            involvement_label: involvement.as_deref().and_then(Involvement::from_code).map(|i| i.label().to_owned()),
            involvement,
            position: r.get("position")?,
            goal_ids: Vec::new(),
            causes: Vec::new(),
            actions: Vec::new(),
        })
    }
}

/// The measures of a plan version with every link: five queries however many measures.
pub(crate) fn for_plan(db: &mut dyn Conn, v: &Viewer, plan_id: i64) -> StoreResult<Vec<Measure>> {
    let mut items: Vec<Measure> = db.all(&format!("{SELECT} WHERE m.plan_id = $1 ORDER BY m.position, m.id"), args![plan_id])?;
    complete(db, v, &mut items, "m.plan_id = $1", plan_id)?;
    Ok(items)
}

fn complete(db: &mut dyn Conn, v: &Viewer, items: &mut [Measure], which: &str, arg: i64) -> StoreResult<()> {
    if items.is_empty() {
        return Ok(());
    }
    let partners: Vec<(i64, OrgRef)> = db.map_all(
        &format!(
            "SELECT x.measure_id, o.id, o.name FROM measure_partners x JOIN plan_measures m ON m.id = x.measure_id
             JOIN organisations o ON o.id = x.org_id WHERE {which} ORDER BY o.name_key"
        ),
        args![arg],
        |r| Ok((r.get("measure_id")?, OrgRef { id: r.get("id")?, name: r.get("name")? })),
    )?;
    let goals: Vec<(i64, i64)> = db.map_all(
        &format!("SELECT x.measure_id, x.goal_id FROM measure_goals x JOIN plan_measures m ON m.id = x.measure_id WHERE {which} ORDER BY x.goal_id"),
        args![arg],
        |r| Ok((r.get("measure_id")?, r.get("goal_id")?)),
    )?;
    let causes: Vec<(i64, CauseRef)> = db.map_all(
        &format!(
            "SELECT x.measure_id, c.id, c.title, c.problem_id FROM measure_causes x JOIN plan_measures m ON m.id = x.measure_id
             JOIN problem_causes c ON c.id = x.cause_id WHERE {which} ORDER BY c.position, c.id"
        ),
        args![arg],
        |r| Ok((r.get("measure_id")?, CauseRef { id: r.get("id")?, title: r.get("title")?, problem_id: r.get("problem_id")? })),
    )?;
    let forums = sharing::forum_record_args(v);
    let actions: Vec<(i64, ActionRef)> = db.map_all(
        &format!(
            "SELECT x.measure_id, t.id, t.title, t.forum_id, t.status, t.due_on FROM measure_actions x JOIN plan_measures m ON m.id = x.measure_id
             JOIN actions t ON t.id = x.action_id WHERE {which} AND {} ORDER BY t.due_on, t.id",
            sharing::forum_record_readable(db.dialect(), "t", 2)
        ),
        &[Value::Int(arg), forums],
        |r| {
            Ok((
                r.get("measure_id")?,
                ActionRef { id: r.get("id")?, title: r.get("title")?, forum_id: r.get("forum_id")?, status: r.get("status")?, due_on: r.get("due_on")? },
            ))
        },
    )?;
    let method_ids: Vec<i64> = items.iter().filter_map(|m| m.method_id).collect();
    let badges = methods::badges(db, &method_ids)?;
    for m in items.iter_mut() {
        m.method = m.method_id.and_then(|id| badges.iter().find(|b| b.id == id).cloned());
        m.partners = partners.iter().filter(|x| x.0 == m.id).map(|x| x.1.clone()).collect();
        m.goal_ids = goals.iter().filter(|x| x.0 == m.id).map(|x| x.1).collect();
        m.causes = causes.iter().filter(|x| x.0 == m.id).map(|x| x.1.clone()).collect();
        m.actions = actions.iter().filter(|x| x.0 == m.id).map(|x| x.1.clone()).collect();
    }
    Ok(())
}

/// One measure, if the viewer may read its plan.
pub fn get(db: &mut dyn Conn, v: &Viewer, id: i64) -> StoreResult<Measure> {
    let m: Measure = db.opt(&format!("{SELECT} WHERE m.id = $1"), args![id])?.ok_or(StoreError::not_found("measure"))?;
    Doc::load(db, v, DocTable::Plan, m.plan_id).map_err(|_| StoreError::not_found("measure"))?;
    let mut items = vec![m];
    complete(db, v, &mut items, "m.id = $1", id)?;
    Ok(items.pop().expect("one"))
}

/// A measure as sent by a form or the API.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct MeasureInput {
    pub title: String,
    #[serde(default)]
    pub description: Option<String>,
    /// A party to the plan. Required.
    #[serde(default)]
    pub responsible_org_id: Option<i64>,
    /// Other organisations taking part.
    #[serde(default)]
    pub partner_org_ids: Vec<i64>,
    /// `2026-03-01`.
    #[serde(default)]
    pub start_on: Option<String>,
    /// `2026-12-31`; not before `start_on`.
    #[serde(default)]
    pub end_on: Option<String>,
    #[serde(default)]
    pub resources: Option<String>,
    /// Default `planned`.
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub status_note: Option<String>,
    #[serde(default)]
    pub no_police_powers: bool,
    /// `evaluated_method`, `documented_knowledge` or `none` (default).
    #[serde(default)]
    pub basis: Option<String>,
    #[serde(default)]
    pub basis_note: Option<String>,
    /// A method of the library the measure rests on (`/api/v1/methods`).
    #[serde(default)]
    pub method_id: Option<i64>,
    /// `co_creators`, `consulted`, `informed` or `passive`.
    #[serde(default)]
    pub involvement: Option<String>,
    /// Goals of the same plan.
    #[serde(default)]
    pub goal_ids: Vec<i64>,
    /// Causes of the plan's lägesbild.
    #[serde(default)]
    pub cause_ids: Vec<i64>,
    /// Actions of the municipality's forums that the caller may read.
    #[serde(default)]
    pub action_ids: Vec<i64>,
}

/// A measure that passed every check.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidMeasure {
    pub title: String,
    pub description: Option<String>,
    pub responsible_org_id: i64,
    pub partners: Vec<i64>,
    pub start_on: Option<Date>,
    pub end_on: Option<Date>,
    pub resources: Option<String>,
    pub status: MeasureStatus,
    pub status_note: Option<String>,
    pub no_police_powers: bool,
    pub basis: MeasureBasis,
    pub basis_note: Option<String>,
    pub method_id: Option<i64>,
    pub involvement: Option<Involvement>,
    pub goal_ids: Vec<i64>,
    pub cause_ids: Vec<i64>,
    pub action_ids: Vec<i64>,
}

fn sorted(ids: &[i64]) -> Vec<i64> {
    let mut v = ids.to_vec();
    v.sort_unstable();
    v.dedup();
    v
}

/// The causes of the plan's lägesbild version.
pub(crate) fn plan_cause_ids(db: &mut dyn Conn, plan_id: i64) -> StoreResult<Vec<i64>> {
    Ok(db.scalars(
        "SELECT c.id FROM problem_causes c JOIN situation_problems sp ON sp.id = c.problem_id
         JOIN action_plans p ON p.situation_id = sp.situation_id WHERE p.id = $1",
        args![plan_id],
    )?)
}

/// Checks that every action is one of the municipality's forums' that the viewer may read.
fn check_actions(db: &mut dyn Conn, v: &Viewer, municipality: &str, ids: &[i64]) -> StoreResult<Option<FieldError>> {
    if ids.is_empty() {
        return Ok(None);
    }
    let found: Vec<i64> = db.scalars(
        &format!(
            "SELECT t.id FROM actions t JOIN forums f ON f.id = t.forum_id WHERE {} AND f.municipality_code = $2 AND {}",
            db.dialect().in_list("t.id", 1),
            sharing::forum_record_readable(db.dialect(), "t", 3)
        ),
        &[Value::IntList(ids.to_vec()), municipality.into(), sharing::forum_record_args(v)],
    )?;
    Ok(ids.iter().find(|i| !found.contains(i)).map(|i| {
        FieldError::new(
            "action_ids",
            "plans.action_unknown",
            format!("Åtgärd {i} finns inte i kommunens åtgärdslistor eller är inte delad med dig. Välj en åtgärd i listan."),
        )
    }))
}

/// Checks a measure against the plan (parties, goals, causes, actions) and reports every problem
/// at once.
pub fn prepare(db: &mut dyn Conn, v: &Viewer, doc: &Doc, input: &MeasureInput) -> StoreResult<ValidMeasure> {
    let mut errs = FieldErrors::new();
    let title = clean_text(&mut errs, &TITLE, Some(&input.title));
    let description = clean_text(&mut errs, &DESCRIPTION, input.description.as_deref());
    let resources = clean_text(&mut errs, &RESOURCES, input.resources.as_deref());
    let status_note = clean_text(&mut errs, &STATUS_NOTE, input.status_note.as_deref());
    let basis_note = clean_text(&mut errs, &BASIS_NOTE, input.basis_note.as_deref());
    match input.responsible_org_id {
        None => errs.push(FieldError::new(
            "responsible_org_id",
            "required",
            "Välj ansvarig organisation: vem ska genomföra insatsen? Det måste vara en part i planen.",
        )),
        Some(o) => {
            if let Err(e) = require_party_org(&doc.parties, o, "responsible_org_id", "Den ansvariga organisationen") {
                errs.push(e);
            }
        }
    }
    let partners: Vec<i64> = sorted(&input.partner_org_ids).into_iter().filter(|p| Some(*p) != input.responsible_org_id).collect();
    if !partners.is_empty() {
        let n: i64 = db.scalar(
            &format!("SELECT COUNT(*) FROM organisations WHERE {}", db.dialect().in_list("id", 1)),
            &[Value::IntList(partners.clone())],
        )?;
        if n != partners.len() as i64 {
            errs.push(FieldError::new(
                "partner_org_ids",
                "plans.partner_unknown",
                "En samarbetspartner finns inte. Välj organisationer i listan.",
            ));
        }
    }
    let start_on = opt_date(&mut errs, "start_on", input.start_on.as_deref());
    let end_on = opt_date(&mut errs, "end_on", input.end_on.as_deref());
    if let (Some(Some(s)), Some(Some(e))) = (start_on, end_on)
        && e < s
    {
        errs.push(FieldError::new(
            "end_on",
            "plans.end_before_start",
            format!("Insatsen slutar ({e}) före den börjar ({s}). Välj ett slutdatum efter startdatumet."),
        ));
    }
    let status = match input.status.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => Some(MeasureStatus::Planned),
        Some(s) => errs.take(MeasureStatus::parse(s)),
    };
    let basis = match input.basis.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => Some(MeasureBasis::None),
        Some(s) => errs.take(MeasureBasis::parse(s)),
    };
    let involvement = match input.involvement.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => Some(None),
        Some(s) => errs.take(Involvement::parse(s)).map(Some),
    };
    if let Some(m) = input.method_id
        && !methods::exists(db, m)?
    {
        errs.push(methods::unknown_method("method_id"));
    }
    let goal_ids = sorted(&input.goal_ids);
    if !goal_ids.is_empty() {
        let known: Vec<i64> = db.scalars("SELECT id FROM plan_goals WHERE plan_id = $1", args![doc.id])?;
        if goal_ids.iter().any(|g| !known.contains(g)) {
            errs.push(FieldError::new("goal_ids", "plans.goal_unknown", "Målet finns inte i den här planen. Välj bland planens mål."));
        }
    }
    let cause_ids = sorted(&input.cause_ids);
    if !cause_ids.is_empty() {
        let known = plan_cause_ids(db, doc.id)?;
        if cause_ids.iter().any(|c| !known.contains(c)) {
            errs.push(FieldError::new(
                "cause_ids",
                "plans.cause_unknown",
                "Orsaken finns inte i planens lägesbild. Välj bland orsakerna i lägesbildens orsaksanalys.",
            ));
        }
    }
    let action_ids = sorted(&input.action_ids);
    if let Some(e) = check_actions(db, v, doc.municipality_code.as_deref().unwrap_or_default(), &action_ids)? {
        errs.push(e);
    }
    errs.into_result()?;
    Ok(ValidMeasure {
        title: title.flatten().expect("checked"),
        description: description.expect("checked"),
        responsible_org_id: input.responsible_org_id.expect("checked"),
        partners,
        start_on: start_on.expect("checked"),
        end_on: end_on.expect("checked"),
        resources: resources.expect("checked"),
        status: status.expect("checked"),
        status_note: status_note.expect("checked"),
        no_police_powers: input.no_police_powers,
        basis: basis.expect("checked"),
        basis_note: basis_note.expect("checked"),
        method_id: input.method_id,
        involvement: involvement.expect("checked"),
        goal_ids,
        cause_ids,
        action_ids,
    })
}

fn write_links(db: &mut dyn Conn, id: i64, m: &ValidMeasure) -> StoreResult<()> {
    db.execute("DELETE FROM measure_partners WHERE measure_id = $1", args![id])?;
    for p in &m.partners {
        db.execute("INSERT INTO measure_partners (measure_id, org_id) VALUES ($1, $2)", args![id, *p])?;
    }
    db.execute("DELETE FROM measure_goals WHERE measure_id = $1", args![id])?;
    for g in &m.goal_ids {
        db.execute("INSERT INTO measure_goals (measure_id, goal_id) VALUES ($1, $2)", args![id, *g])?;
    }
    db.execute("DELETE FROM measure_causes WHERE measure_id = $1", args![id])?;
    for c in &m.cause_ids {
        db.execute("INSERT INTO measure_causes (measure_id, cause_id) VALUES ($1, $2)", args![id, *c])?;
    }
    Ok(())
}

/// Writes the action links: `keep` are linked actions the editor cannot read (kept).
fn write_actions(db: &mut dyn Conn, v: &Viewer, id: i64, actions: &[i64]) -> StoreResult<()> {
    let linked: Vec<i64> = db.scalars("SELECT action_id FROM measure_actions WHERE measure_id = $1", args![id])?;
    let readable: Vec<i64> = if linked.is_empty() {
        Vec::new()
    } else {
        db.scalars(
            &format!(
                "SELECT t.id FROM actions t WHERE {} AND {}",
                db.dialect().in_list("t.id", 1),
                sharing::forum_record_readable(db.dialect(), "t", 2)
            ),
            &[Value::IntList(linked.clone()), sharing::forum_record_args(v)],
        )?
    };
    for a in linked.iter().filter(|a| readable.contains(a) && !actions.contains(a)) {
        db.execute("DELETE FROM measure_actions WHERE measure_id = $1 AND action_id = $2", args![id, *a])?;
    }
    for a in actions.iter().filter(|a| !linked.contains(a)) {
        db.execute("INSERT INTO measure_actions (measure_id, action_id) VALUES ($1, $2)", args![id, *a])?;
    }
    Ok(())
}

/// Adds a measure to a draft plan.
pub fn create(db: &mut dyn Conn, v: &Viewer, plan_id: i64, input: &MeasureInput) -> StoreResult<Measure> {
    let doc = Doc::load(db, v, DocTable::Plan, plan_id)?;
    let org = doc.acting_party(v, None, |org| Permission::WritePlan { org })?;
    doc.require_draft()?;
    let m = prepare(db, v, &doc, input)?;
    let id = insert(db, plan_id, &new_key(), &m)?;
    write_actions(db, v, id, &m.action_ids)?;
    doc.touch(db, None)?;
    audit::record(db, v, Event::new("plan.measure_create").record("plan", plan_id).org(org))?;
    get(db, v, id)
}

/// Writes a checked measure with `key` and its partner, goal and cause links.
pub(crate) fn insert(db: &mut dyn Conn, plan_id: i64, key: &str, m: &ValidMeasure) -> StoreResult<i64> {
    let position: i64 = db.scalar("SELECT COALESCE(MAX(position), 0) + 1 FROM plan_measures WHERE plan_id = $1", args![plan_id])?;
    let id: i64 = db.scalar(
        "INSERT INTO plan_measures (plan_id, key, title, description, responsible_org_id, start_on, end_on, resources, status, status_note,
            no_police_powers, basis, basis_note, involvement, position, method_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) RETURNING id",
        args![
            plan_id,
            key,
            m.title.as_str(),
            m.description.as_deref(),
            m.responsible_org_id,
            m.start_on.map(|d| d.to_string()),
            m.end_on.map(|d| d.to_string()),
            m.resources.as_deref(),
            m.status.code(),
            m.status_note.as_deref(),
            m.no_police_powers,
            m.basis.code(),
            m.basis_note.as_deref(),
            m.involvement.map(|i| i.code()),
            position,
            m.method_id
        ],
    )?;
    write_links(db, id, m)?;
    Ok(id)
}

/// Changes a measure of a draft plan (every field and link).
pub fn update(db: &mut dyn Conn, v: &Viewer, id: i64, input: &MeasureInput) -> StoreResult<Measure> {
    let before = get(db, v, id)?;
    let doc = Doc::load(db, v, DocTable::Plan, before.plan_id)?;
    let org = doc.acting_party(v, None, |org| Permission::WritePlan { org })?;
    doc.require_draft()?;
    let m = prepare(db, v, &doc, input)?;
    db.execute(
        "UPDATE plan_measures SET title = $1, description = $2, responsible_org_id = $3, start_on = $4, end_on = $5, resources = $6,
            status = $7, status_note = $8, no_police_powers = $9, basis = $10, basis_note = $11, involvement = $12, method_id = $13
         WHERE id = $14",
        args![
            m.title.as_str(),
            m.description.as_deref(),
            m.responsible_org_id,
            m.start_on.map(|d| d.to_string()),
            m.end_on.map(|d| d.to_string()),
            m.resources.as_deref(),
            m.status.code(),
            m.status_note.as_deref(),
            m.no_police_powers,
            m.basis.code(),
            m.basis_note.as_deref(),
            m.involvement.map(|i| i.code()),
            m.method_id,
            id
        ],
    )?;
    write_links(db, id, &m)?;
    write_actions(db, v, id, &m.action_ids)?;
    doc.touch(db, None)?;
    audit::record(db, v, Event::new("plan.measure_update").record("plan", before.plan_id).org(org))?;
    get(db, v, id)
}

/// Deletes a measure of a draft plan.
pub fn delete(db: &mut dyn Conn, v: &Viewer, id: i64) -> StoreResult<()> {
    let before = get(db, v, id)?;
    let doc = Doc::load(db, v, DocTable::Plan, before.plan_id)?;
    let org = doc.acting_party(v, None, |org| Permission::WritePlan { org })?;
    doc.require_draft()?;
    db.execute("UPDATE plan_deviations SET measure_id = NULL WHERE measure_id = $1", args![id])?;
    db.execute("DELETE FROM plan_measures WHERE id = $1", args![id])?;
    doc.touch(db, None)?;
    audit::record(db, v, Event::new("plan.measure_delete").record("plan", before.plan_id).org(org))?;
    Ok(())
}

/// A measure's status as followed up in the adopted plan.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct MeasureStatusInput {
    /// `planned`, `ongoing`, `done`, `delayed` or `cancelled`.
    pub status: String,
    #[serde(default)]
    pub status_note: Option<String>,
}

/// Follow-up: sets a measure's status (and note) in the adopted version in force (members of a
/// party).
pub fn set_status(db: &mut dyn Conn, v: &Viewer, id: i64, input: &MeasureStatusInput) -> StoreResult<Measure> {
    let before = get(db, v, id)?;
    let doc = Doc::load(db, v, DocTable::Plan, before.plan_id)?;
    let org = doc.acting_party(v, Some(before.responsible.id), |org| Permission::FollowUpPlan { org })?;
    doc.require_in_force()?;
    let mut errs = FieldErrors::new();
    let status = errs.take(MeasureStatus::parse(input.status.trim()));
    let note = clean_text(&mut errs, &STATUS_NOTE, input.status_note.as_deref());
    if matches!(status, Some(MeasureStatus::Delayed | MeasureStatus::Cancelled)) && matches!(note, Some(None)) {
        errs.push(FieldError::new(
            "status_note",
            "required",
            "Skriv varför insatsen är försenad eller inställd, så att uppföljningen kan förklara det.",
        ));
    }
    errs.into_result()?;
    db.execute(
        "UPDATE plan_measures SET status = $1, status_note = $2 WHERE id = $3",
        args![status.expect("checked").code(), note.flatten(), id],
    )?;
    doc.touch(db, None)?;
    audit::record(db, v, Event::new("plan.measure_status").record("plan", before.plan_id).org(org))?;
    get(db, v, id)
}

/// Follow-up: links a weekly action to a measure (draft or adopted version in force).
pub fn link_action(db: &mut dyn Conn, v: &Viewer, id: i64, action_id: i64) -> StoreResult<Measure> {
    let (doc, org) = follow_up_doc(db, v, id)?;
    if let Some(e) = check_actions(db, v, doc.municipality_code.as_deref().unwrap_or_default(), &[action_id])? {
        return Err(StoreError::invalid(FieldError::new("action_id", e.code, e.message)));
    }
    let n: i64 = db.scalar("SELECT COUNT(*) FROM measure_actions WHERE measure_id = $1 AND action_id = $2", args![id, action_id])?;
    if n == 0 {
        db.execute("INSERT INTO measure_actions (measure_id, action_id) VALUES ($1, $2)", args![id, action_id])?;
        doc.touch(db, None)?;
        audit::record(db, v, Event::new("plan.measure_action_link").record("plan", doc.id).org(org))?;
    }
    get(db, v, id)
}

/// Follow-up: unlinks a weekly action from a measure.
pub fn unlink_action(db: &mut dyn Conn, v: &Viewer, id: i64, action_id: i64) -> StoreResult<Measure> {
    let (doc, org) = follow_up_doc(db, v, id)?;
    if db.execute("DELETE FROM measure_actions WHERE measure_id = $1 AND action_id = $2", args![id, action_id])? > 0 {
        doc.touch(db, None)?;
        audit::record(db, v, Event::new("plan.measure_action_unlink").record("plan", doc.id).org(org))?;
    }
    get(db, v, id)
}

/// The plan of a measure for a follow-up change: a draft (coordinators of a party) or the
/// adopted version in force (members of a party).
fn follow_up_doc(db: &mut dyn Conn, v: &Viewer, id: i64) -> StoreResult<(Doc, i64)> {
    let before = get(db, v, id)?;
    let doc = Doc::load(db, v, DocTable::Plan, before.plan_id)?;
    let org = if doc.status == brygga_domain::plans::DocumentStatus::Draft {
        doc.acting_party(v, None, |org| Permission::WritePlan { org })?
    } else {
        let org = doc.acting_party(v, Some(before.responsible.id), |org| Permission::FollowUpPlan { org })?;
        doc.require_in_force()?;
        org
    };
    Ok((doc, org))
}

/// The actions of the municipality's forums the viewer may read (choices for linking).
pub fn action_choices(db: &mut dyn Conn, v: &Viewer, municipality: &str) -> StoreResult<Vec<ActionRef>> {
    Ok(db.map_all(
        &format!(
            "SELECT t.id, t.title, t.forum_id, t.status, t.due_on FROM actions t JOIN forums f ON f.id = t.forum_id
             WHERE f.municipality_code = $1 AND {} ORDER BY t.due_on DESC, t.id DESC",
            sharing::forum_record_readable(db.dialect(), "t", 2)
        ),
        &[municipality.into(), sharing::forum_record_args(v)],
        |r| {
            Ok(ActionRef {
                id: r.get("id")?,
                title: r.get("title")?,
                forum_id: r.get("forum_id")?,
                status: r.get("status")?,
                due_on: r.get("due_on")?,
            })
        },
    )?)
}

/// A measure of a plan the viewer may read that a weekly action carries out (the way back from
/// the action list to the plan).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MeasureRef {
    pub id: i64,
    pub title: String,
    pub plan_id: i64,
    pub plan_title: String,
    pub version_no: i64,
    pub plan_status: String,
}

/// The measures, in plan versions the viewer may read, that `action_id` carries out (newest
/// version first).
pub fn for_action(db: &mut dyn Conn, v: &Viewer, action_id: i64) -> StoreResult<Vec<MeasureRef>> {
    let [orgs, forums] = sharing::readable_args(v);
    Ok(db.map_all(
        &format!(
            "SELECT m.id, m.title, t.id AS plan_id, t.title AS plan_title, t.version_no, t.status FROM measure_actions x
             JOIN plan_measures m ON m.id = x.measure_id JOIN action_plans t ON t.id = m.plan_id
             WHERE x.action_id = $1 AND {} ORDER BY t.lineage_id, t.version_no DESC, m.position",
            DocTable::Plan.readable(db, "t", 2)
        ),
        &[action_id.into(), orgs, forums],
        |r| {
            Ok(MeasureRef {
                id: r.get("id")?,
                title: r.get("title")?,
                plan_id: r.get("plan_id")?,
                plan_title: r.get("plan_title")?,
                version_no: r.get("version_no")?,
                plan_status: r.get("status")?,
            })
        },
    )?)
}

/// A measure that names a library method, for the method's page ("where it is in use").
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MethodUse {
    pub plan_id: i64,
    pub plan_title: String,
    /// `draft`, `adopted` or `superseded`.
    pub plan_status: String,
    pub measure_id: i64,
    pub measure_title: String,
}

/// The measures linked to `method_id` in the plan versions the viewer may read (the plans'
/// party rule, in the query), newest plan first.
pub fn using_method(db: &mut dyn Conn, v: &Viewer, method_id: i64) -> StoreResult<Vec<MethodUse>> {
    let [orgs, forums] = sharing::readable_args(v);
    let sql = format!(
        "SELECT p.id AS plan_id, p.title AS plan_title, p.status AS plan_status, m.id AS measure_id, m.title AS measure_title
         FROM plan_measures m JOIN action_plans p ON p.id = m.plan_id
         WHERE m.method_id = $3 AND p.status <> 'superseded' AND {} ORDER BY p.id DESC, m.position, m.id",
        sharing::party_record_readable(db.dialect(), "p", "plan_parties", "plan_id", 1)
    );
    Ok(db.map_all(&sql, &[orgs, forums, method_id.into()], |r| {
        Ok(MethodUse {
            plan_id: r.get("plan_id")?,
            plan_title: r.get("plan_title")?,
            plan_status: r.get("plan_status")?,
            measure_id: r.get("measure_id")?,
            measure_title: r.get("measure_title")?,
        })
    })?)
}
