//! Problems and causes (orsaksanalys) of a lägesbild or problembild version: each prioritised
//! problem with its evidence (a category, a place, a flag, a crime statistics series, a survey
//! question — each checked to exist for the document's municipality and picture) and its causes
//! by the problem-analysis triangle (gärningsperson, offer/mål, plats, with who can influence the
//! side) and by risk and protective factors, with the basis and how certain it is.
//!
//! Every write needs a draft and a party's coordinator ([`super::situation::writable`]).

use brygga_domain::plans::{CauseBasis, Certainty, EvidenceKind, FactorKind, TriangleSide};
use brygga_domain::text::TextRule;
use brygga_domain::time::IsoWeek;
use brygga_domain::{FieldError, FieldErrors};
use serde::{Deserialize, Serialize};

use super::situation::writable;
use super::{Doc, DocTable, new_key};
use crate::forum_work::actions::clean_text;
use crate::kernel::audit::{self, Event};
use crate::kernel::db::{Conn, ConnExt, DbError, FromRow, Row};
use crate::kernel::error::{StoreError, StoreResult};
use crate::{Viewer, args};

pub const PROBLEM_TITLE: TextRule = TextRule::line("title", "Problemet", 200);
pub const PROBLEM_DESCRIPTION: TextRule = TextRule::line("description", "Beskrivningen", 4000).optional().multiline();
pub const EVIDENCE_NOTE: TextRule = TextRule::line("note", "Kommentaren", 1000).optional().multiline();
pub const CAUSE_TITLE: TextRule = TextRule::line("title", "Orsaken", 200);
pub const CAUSE_DESCRIPTION: TextRule = TextRule::line("description", "Beskrivningen", 4000).optional().multiline();
pub const INFLUENCER: TextRule = TextRule::line("influencer", "Vem som kan påverka", 300).optional();
pub const BASIS_NOTE: TextRule = TextRule::line("basis_note", "Underlaget", 2000).optional().multiline();

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Evidence {
    pub id: i64,
    /// `category`, `place`, `flag`, `crime_series` or `survey_question`.
    pub kind: String,
    pub kind_label: String,
    pub category_id: Option<i64>,
    pub category_name: Option<String>,
    pub area_id: Option<i64>,
    pub area_name: Option<String>,
    /// `2026-W47` for a flag.
    pub week: Option<String>,
    pub offence: Option<String>,
    pub survey_question: Option<String>,
    pub note: Option<String>,
    /// What it points at, in one Swedish phrase ("Klotter vid Stortorget, v. 2026-W47").
    pub label: String,
}

const EVIDENCE_SELECT: &str =
    "SELECT e.id, e.problem_id, e.kind, e.category_id, c.name AS category_name, e.area_id, a.name AS area_name, e.week,
        e.offence, e.survey_question, e.note, e.position
     FROM problem_evidence e LEFT JOIN categories c ON c.id = e.category_id LEFT JOIN areas a ON a.id = e.area_id";

impl FromRow for Evidence {
    fn from_row(r: &Row) -> Result<Self, DbError> {
        let kind: String = r.get("kind")?;
        let k = EvidenceKind::from_code(&kind).ok_or_else(|| DbError::Decode(format!("evidence kind {kind}")))?;
        let week: Option<i64> = r.get("week")?;
        let mut e = Self {
            id: r.get("id")?,
            kind,
            kind_label: k.label().to_owned(),
            category_id: r.get("category_id")?,
            category_name: r.get("category_name")?,
            area_id: r.get("area_id")?,
            area_name: r.get("area_name")?,
            week: week.and_then(IsoWeek::from_key).map(|w| w.to_string()),
            offence: r.get("offence")?,
            survey_question: r.get("survey_question")?,
            note: r.get("note")?,
            label: String::new(),
        };
        e.label = match k {
            EvidenceKind::Category => e.category_name.clone().unwrap_or_default(),
            EvidenceKind::Place => e.area_name.clone().unwrap_or_default(),
            EvidenceKind::Flag => format!(
                "{} vid {}, vecka {}",
                e.category_name.as_deref().unwrap_or("–"),
                e.area_name.as_deref().unwrap_or("–"),
                e.week.as_deref().unwrap_or("–")
            ),
            EvidenceKind::CrimeSeries => format!("Anmälda brott: {}", e.offence.as_deref().unwrap_or("–")),
            EvidenceKind::SurveyQuestion => format!("Trygghetsmätning: {}", e.survey_question.as_deref().unwrap_or("–")),
        };
        Ok(e)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Cause {
    pub id: i64,
    pub key: String,
    pub problem_id: i64,
    pub title: String,
    pub description: Option<String>,
    /// `offender`, `target` or `place`.
    pub triangle_side: Option<String>,
    pub triangle_label: Option<String>,
    /// Who can influence that side (handler, guardian, place manager).
    pub influencer: Option<String>,
    /// `risk` or `protective`.
    pub factor: Option<String>,
    pub factor_label: Option<String>,
    /// `data`, `research` or `dialogue`.
    pub basis: String,
    pub basis_label: String,
    pub basis_note: Option<String>,
    /// `low`, `medium` or `high`.
    pub certainty: String,
    pub certainty_label: String,
    pub position: i64,
}

const CAUSE_SELECT: &str =
    "SELECT id, key, problem_id, title, description, triangle_side, influencer, factor, basis, basis_note, certainty, position
     FROM problem_causes";

impl FromRow for Cause {
    fn from_row(r: &Row) -> Result<Self, DbError> {
        let side: Option<String> = r.get("triangle_side")?;
        let factor: Option<String> = r.get("factor")?;
        let basis: String = r.get("basis")?;
        let certainty: String = r.get("certainty")?;
        Ok(Self {
            id: r.get("id")?,
            key: r.get("key")?,
            problem_id: r.get("problem_id")?,
            title: r.get("title")?,
            description: r.get("description")?,
            triangle_label: side.as_deref().and_then(TriangleSide::from_code).map(|s| s.label().to_owned()),
            triangle_side: side,
            influencer: r.get("influencer")?,
            factor_label: factor.as_deref().and_then(FactorKind::from_code).map(|s| s.label().to_owned()),
            factor,
            basis_label: CauseBasis::from_code(&basis).map(|s| s.label().to_owned()).unwrap_or_default(),
            basis,
            basis_note: r.get("basis_note")?,
            certainty_label: Certainty::from_code(&certainty).map(|s| s.label().to_owned()).unwrap_or_default(),
            certainty,
            position: r.get("position")?,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Problem {
    pub id: i64,
    pub key: String,
    pub title: String,
    pub description: Option<String>,
    /// 1 is the highest priority.
    pub priority: i64,
    pub position: i64,
    pub evidence: Vec<Evidence>,
    pub causes: Vec<Cause>,
}

const PROBLEM_SELECT: &str = "SELECT id, key, title, description, priority, position FROM situation_problems";

impl FromRow for Problem {
    fn from_row(r: &Row) -> Result<Self, DbError> {
        Ok(Self {
            id: r.get("id")?,
            key: r.get("key")?,
            title: r.get("title")?,
            description: r.get("description")?,
            priority: r.get("priority")?,
            position: r.get("position")?,
            evidence: Vec::new(),
            causes: Vec::new(),
        })
    }
}

/// The problems of a version the viewer may read, by priority, with evidence and causes.
pub fn problems_of(db: &mut dyn Conn, v: &Viewer, situation_id: i64) -> StoreResult<Vec<Problem>> {
    Doc::load(db, v, DocTable::Situation, situation_id)?;
    let mut list: Vec<Problem> =
        db.all(&format!("{PROBLEM_SELECT} WHERE situation_id = $1 ORDER BY priority, position, id"), args![situation_id])?;
    for p in &mut list {
        p.evidence = db.all(&format!("{EVIDENCE_SELECT} WHERE e.problem_id = $1 ORDER BY e.position, e.id"), args![p.id])?;
        p.causes = db.all(&format!("{CAUSE_SELECT} WHERE problem_id = $1 ORDER BY position, id"), args![p.id])?;
    }
    Ok(list)
}

/// A cause as the plan links to it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CauseRef {
    pub id: i64,
    pub key: String,
    pub problem_id: i64,
    pub problem_title: String,
    pub title: String,
}

/// Every cause of a version the viewer may read (for the plan's measures).
pub fn causes_of(db: &mut dyn Conn, v: &Viewer, situation_id: i64) -> StoreResult<Vec<CauseRef>> {
    Doc::load(db, v, DocTable::Situation, situation_id)?;
    Ok(db.map_all(
        "SELECT c.id, c.key, c.problem_id, p.title AS problem_title, c.title FROM problem_causes c JOIN situation_problems p ON p.id = c.problem_id
         WHERE p.situation_id = $1 ORDER BY p.priority, p.position, c.position, c.id",
        args![situation_id],
        |r| Ok(CauseRef { id: r.get("id")?, key: r.get("key")?, problem_id: r.get("problem_id")?, problem_title: r.get("problem_title")?, title: r.get("title")? }),
    )?)
}

/// Copies every problem with its evidence and causes (keys kept) into a new version.
pub(crate) fn copy_all(db: &mut dyn Conn, from: i64, to: i64) -> StoreResult<()> {
    let ids: Vec<i64> = db.scalars("SELECT id FROM situation_problems WHERE situation_id = $1 ORDER BY id", args![from])?;
    for old in ids {
        let new: i64 = db.scalar(
            "INSERT INTO situation_problems (situation_id, key, title, description, priority, position)
             SELECT $1, key, title, description, priority, position FROM situation_problems WHERE id = $2 RETURNING id",
            args![to, old],
        )?;
        db.execute(
            "INSERT INTO problem_evidence (problem_id, kind, category_id, area_id, week, offence, survey_question, note, position)
             SELECT $1, kind, category_id, area_id, week, offence, survey_question, note, position FROM problem_evidence WHERE problem_id = $2",
            args![new, old],
        )?;
        db.execute(
            "INSERT INTO problem_causes (problem_id, key, title, description, triangle_side, influencer, factor, basis, basis_note, certainty, position)
             SELECT $1, key, title, description, triangle_side, influencer, factor, basis, basis_note, certainty, position FROM problem_causes WHERE problem_id = $2",
            args![new, old],
        )?;
    }
    Ok(())
}

/// The situation a problem belongs to, answered as not found when it is not `situation_id`'s.
fn problem_in(db: &mut dyn Conn, situation_id: i64, problem_id: i64) -> StoreResult<()> {
    let n: i64 =
        db.scalar("SELECT COUNT(*) FROM situation_problems WHERE id = $1 AND situation_id = $2", args![problem_id, situation_id])?;
    if n == 0 { Err(StoreError::not_found("problem")) } else { Ok(()) }
}

fn problem(db: &mut dyn Conn, v: &Viewer, situation_id: i64, problem_id: i64) -> StoreResult<Problem> {
    problems_of(db, v, situation_id)?.into_iter().find(|p| p.id == problem_id).ok_or(StoreError::not_found("problem"))
}

// ---------------------------------------------------------------------------------------------
// Problems

/// A problem as sent by a form or the API.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ProblemInput {
    pub title: String,
    #[serde(default)]
    pub description: Option<String>,
    /// 1 is the highest; default 1.
    #[serde(default)]
    pub priority: Option<i64>,
}

fn check_problem(input: &ProblemInput) -> Result<(String, Option<String>, i64), FieldErrors> {
    let mut errs = FieldErrors::new();
    let title = clean_text(&mut errs, &PROBLEM_TITLE, Some(&input.title));
    let description = clean_text(&mut errs, &PROBLEM_DESCRIPTION, input.description.as_deref());
    let priority = input.priority.unwrap_or(1);
    if priority < 1 {
        errs.push(FieldError::new("priority", "range", "Prioriteten är ett heltal från 1 (högst) och uppåt."));
    }
    errs.into_result()?;
    Ok((title.flatten().expect("checked"), description.expect("checked"), priority))
}

pub fn add_problem(db: &mut dyn Conn, v: &Viewer, situation_id: i64, input: &ProblemInput) -> StoreResult<Problem> {
    let (doc, org) = writable(db, v, situation_id)?;
    let (title, description, priority) = check_problem(input)?;
    doc.touch(db, None)?;
    let position: i64 =
        db.scalar("SELECT COALESCE(MAX(position), 0) + 1 FROM situation_problems WHERE situation_id = $1", args![situation_id])?;
    let id: i64 = db.scalar(
        "INSERT INTO situation_problems (situation_id, key, title, description, priority, position) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        args![situation_id, new_key(), title, description, priority, position],
    )?;
    audit::record(db, v, Event::new("situation.problem.add").record("situation", situation_id).org(org))?;
    problem(db, v, situation_id, id)
}

pub fn edit_problem(db: &mut dyn Conn, v: &Viewer, situation_id: i64, problem_id: i64, input: &ProblemInput) -> StoreResult<Problem> {
    let (doc, org) = writable(db, v, situation_id)?;
    problem_in(db, situation_id, problem_id)?;
    let (title, description, priority) = check_problem(input)?;
    doc.touch(db, None)?;
    db.execute(
        "UPDATE situation_problems SET title = $1, description = $2, priority = $3 WHERE id = $4",
        args![title, description, priority, problem_id],
    )?;
    audit::record(db, v, Event::new("situation.problem.edit").record("situation", situation_id).org(org))?;
    problem(db, v, situation_id, problem_id)
}

/// Linked measures of a plan, named, for a refusal.
fn measures_linking(db: &mut dyn Conn, cause_ids: &[i64]) -> StoreResult<Vec<String>> {
    if cause_ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(db.scalars(
        &format!(
            "SELECT DISTINCT m.title FROM measure_causes mc JOIN plan_measures m ON m.id = mc.measure_id WHERE {} ORDER BY m.title",
            db.dialect().in_list("mc.cause_id", 1)
        ),
        &[crate::kernel::db::Value::IntList(cause_ids.to_vec())],
    )?)
}

fn linked_refusal(field: &str, what: &str, measures: &[String]) -> StoreError {
    StoreError::invalid(FieldError::new(
        field,
        "plans.cause_in_use",
        format!(
            "{what} används av {} i åtgärdsplanen: {}. Ta först bort kopplingen där.",
            if measures.len() == 1 { "insatsen" } else { "insatserna" },
            measures.iter().map(|m| format!("”{m}”")).collect::<Vec<_>>().join(", ")
        ),
    ))
}

pub fn remove_problem(db: &mut dyn Conn, v: &Viewer, situation_id: i64, problem_id: i64) -> StoreResult<()> {
    let (doc, org) = writable(db, v, situation_id)?;
    problem_in(db, situation_id, problem_id)?;
    let causes: Vec<i64> = db.scalars("SELECT id FROM problem_causes WHERE problem_id = $1", args![problem_id])?;
    let linked = measures_linking(db, &causes)?;
    if !linked.is_empty() {
        return Err(linked_refusal("problem", "En orsak till problemet", &linked));
    }
    doc.touch(db, None)?;
    db.execute("DELETE FROM situation_problems WHERE id = $1", args![problem_id])?;
    audit::record(db, v, Event::new("situation.problem.remove").record("situation", situation_id).org(org))?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Evidence

/// What a problem rests on, as sent by a form or the API.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct EvidenceInput {
    /// `category`, `place`, `flag` (category + place + week), `crime_series` or `survey_question`.
    pub kind: String,
    /// Category id, code or name from the picture forum's checklist (or any checklist in the
    /// municipality, for the owner's own picture).
    #[serde(default)]
    pub category: Option<String>,
    /// A place in the municipality.
    #[serde(default)]
    pub area_id: Option<i64>,
    /// `2026-W47`, for a flag.
    #[serde(default)]
    pub week: Option<String>,
    /// An offence in the municipality's crime statistics.
    #[serde(default)]
    pub offence: Option<String>,
    /// A question of the owner's safety surveys in the municipality.
    #[serde(default)]
    pub survey_question: Option<String>,
    #[serde(default)]
    pub note: Option<String>,
}

struct ValidEvidence {
    kind: EvidenceKind,
    category_id: Option<i64>,
    area_id: Option<i64>,
    week: Option<i64>,
    offence: Option<String>,
    survey_question: Option<String>,
    note: Option<String>,
}

fn nonblank(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

fn check_evidence(db: &mut dyn Conn, doc: &Doc, input: &EvidenceInput) -> StoreResult<ValidEvidence> {
    let mut errs = FieldErrors::new();
    let kind = errs.take(EvidenceKind::parse(input.kind.trim()));
    let note = clean_text(&mut errs, &EVIDENCE_NOTE, input.note.as_deref());
    let forum: Option<i64> = db.scalar("SELECT picture_forum_id FROM situations WHERE id = $1", args![doc.id])?;
    let m = doc.municipality_code.as_deref().unwrap_or_default();
    let needs = |k: EvidenceKind| -> (bool, bool, bool) {
        match k {
            EvidenceKind::Category => (true, false, false),
            EvidenceKind::Place => (false, true, false),
            EvidenceKind::Flag => (true, true, true),
            _ => (false, false, false),
        }
    };
    let (cat_needed, area_needed, week_needed) = kind.map(needs).unwrap_or((false, false, false));
    let mut category_id = None;
    if cat_needed {
        match nonblank(&input.category) {
            None => errs.push(FieldError::new("category", "required", "Välj kategori.")),
            Some(key) => {
                let lower = key.to_lowercase();
                let found: Option<i64> = db
                    .scalar_opt(
                        "SELECT MIN(c.id) FROM categories c JOIN forums f ON f.id = c.forum_id
                     WHERE f.municipality_code = $1 AND ($2 < 0 OR c.forum_id = $2)
                       AND (CAST(c.id AS TEXT) = $3 OR c.code = $4 OR LOWER(c.name) = $4)",
                        args![m, forum.unwrap_or(-1), key, lower.as_str()],
                    )?
                    .flatten();
                match found {
                    Some(id) => category_id = Some(id),
                    None => errs.push(FieldError::new(
                        "category",
                        "category.unknown",
                        format!("Kategorin ”{key}” finns inte i checklistan för dokumentets lägesbild. Välj en kategori i listan."),
                    )),
                }
            }
        }
    }
    let mut area_id = None;
    if area_needed {
        match input.area_id {
            None => errs.push(FieldError::new("area_id", "required", "Välj plats.")),
            Some(a) => {
                let n: i64 = db.scalar("SELECT COUNT(*) FROM areas WHERE id = $1 AND municipality_code = $2", args![a, m])?;
                if n == 0 {
                    errs.push(FieldError::new("area_id", "area.unknown", "Platsen finns inte i kommunen. Välj en plats i listan."));
                } else {
                    area_id = Some(a);
                }
            }
        }
    }
    let mut week = None;
    if week_needed {
        match nonblank(&input.week) {
            None => errs.push(FieldError::new("week", "required", "Ange flaggans vecka, till exempel 2026-W47.")),
            Some(s) => {
                week = errs.take(IsoWeek::parse(s).map_err(|e| FieldError::new("week", e.code, e.message))).map(|w| i64::from(w.key()))
            }
        }
    }
    let mut offence = None;
    if kind == Some(EvidenceKind::CrimeSeries) {
        match nonblank(&input.offence) {
            None => errs.push(FieldError::new("offence", "required", "Välj brottstyp ur anmälningsstatistiken.")),
            Some(o) => {
                let n: i64 =
                    db.scalar("SELECT COUNT(*) FROM crime_statistics WHERE municipality_code = $1 AND offence = $2", args![m, o])?;
                if n == 0 {
                    errs.push(FieldError::new(
                        "offence",
                        "plans.no_series",
                        format!("Brottstypen ”{o}” finns inte i kommunens anmälningsstatistik. Välj en brottstyp i listan."),
                    ));
                } else {
                    offence = Some(o.to_owned());
                }
            }
        }
    }
    let mut question = None;
    if kind == Some(EvidenceKind::SurveyQuestion) {
        match nonblank(&input.survey_question) {
            None => errs.push(FieldError::new("survey_question", "required", "Välj fråga ur trygghetsmätningen.")),
            Some(q) => {
                let n: i64 = db.scalar(
                    "SELECT COUNT(*) FROM safety_surveys WHERE municipality_code = $1 AND question = $2 AND owner_org_id = $3",
                    args![m, q, doc.owner_org_id],
                )?;
                if n == 0 {
                    errs.push(FieldError::new(
                        "survey_question",
                        "plans.no_series",
                        format!("Frågan ”{q}” finns inte i ägarens trygghetsmätningar i kommunen. Välj en fråga i listan."),
                    ));
                } else {
                    question = Some(q.to_owned());
                }
            }
        }
    }
    errs.into_result()?;
    Ok(ValidEvidence {
        kind: kind.expect("checked"),
        category_id,
        area_id,
        week,
        offence,
        survey_question: question,
        note: note.expect("checked"),
    })
}

pub fn add_evidence(db: &mut dyn Conn, v: &Viewer, situation_id: i64, problem_id: i64, input: &EvidenceInput) -> StoreResult<Problem> {
    let (doc, org) = writable(db, v, situation_id)?;
    problem_in(db, situation_id, problem_id)?;
    let e = check_evidence(db, &doc, input)?;
    doc.touch(db, None)?;
    let position: i64 =
        db.scalar("SELECT COALESCE(MAX(position), 0) + 1 FROM problem_evidence WHERE problem_id = $1", args![problem_id])?;
    db.execute(
        "INSERT INTO problem_evidence (problem_id, kind, category_id, area_id, week, offence, survey_question, note, position)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        args![problem_id, e.kind.code(), e.category_id, e.area_id, e.week, e.offence, e.survey_question, e.note, position],
    )?;
    audit::record(db, v, Event::new("situation.evidence.add").record("situation", situation_id).org(org))?;
    problem(db, v, situation_id, problem_id)
}

pub fn remove_evidence(db: &mut dyn Conn, v: &Viewer, situation_id: i64, evidence_id: i64) -> StoreResult<()> {
    let (doc, org) = writable(db, v, situation_id)?;
    let n: i64 = db.scalar(
        "SELECT COUNT(*) FROM problem_evidence e JOIN situation_problems p ON p.id = e.problem_id WHERE e.id = $1 AND p.situation_id = $2",
        args![evidence_id, situation_id],
    )?;
    if n == 0 {
        return Err(StoreError::not_found("evidence"));
    }
    doc.touch(db, None)?;
    db.execute("DELETE FROM problem_evidence WHERE id = $1", args![evidence_id])?;
    audit::record(db, v, Event::new("situation.evidence.remove").record("situation", situation_id).org(org))?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Causes

/// A cause as sent by a form or the API. At least one of `triangle_side` and `factor`.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CauseInput {
    pub title: String,
    #[serde(default)]
    pub description: Option<String>,
    /// `offender` (gärningsperson), `target` (offer/mål) or `place` (plats).
    #[serde(default)]
    pub triangle_side: Option<String>,
    /// Who can influence that side: handler, guardian, place manager.
    #[serde(default)]
    pub influencer: Option<String>,
    /// `risk` or `protective`.
    #[serde(default)]
    pub factor: Option<String>,
    /// `data`, `research` or `dialogue`.
    pub basis: String,
    #[serde(default)]
    pub basis_note: Option<String>,
    /// `low`, `medium` or `high`.
    pub certainty: String,
}

struct ValidCause {
    title: String,
    description: Option<String>,
    side: Option<TriangleSide>,
    influencer: Option<String>,
    factor: Option<FactorKind>,
    basis: CauseBasis,
    basis_note: Option<String>,
    certainty: Certainty,
}

fn check_cause(input: &CauseInput) -> Result<ValidCause, FieldErrors> {
    let mut errs = FieldErrors::new();
    let title = clean_text(&mut errs, &CAUSE_TITLE, Some(&input.title));
    let description = clean_text(&mut errs, &CAUSE_DESCRIPTION, input.description.as_deref());
    let influencer = clean_text(&mut errs, &INFLUENCER, input.influencer.as_deref());
    let basis_note = clean_text(&mut errs, &BASIS_NOTE, input.basis_note.as_deref());
    let side = match nonblank(&input.triangle_side) {
        None => Some(None),
        Some(s) => errs.take(TriangleSide::parse(s)).map(Some),
    };
    let factor = match nonblank(&input.factor) {
        None => Some(None),
        Some(s) => errs.take(FactorKind::parse(s)).map(Some),
    };
    if matches!((side, factor), (Some(None), Some(None))) {
        errs.push(FieldError::new(
            "triangle_side",
            "plans.cause_kind",
            "Ange vilken sida av problemtriangeln orsaken gäller, eller om den är en risk- eller skyddsfaktor (eller både och).",
        ));
    }
    let basis = if input.basis.trim().is_empty() {
        errs.push(FieldError::new("basis", "required", "Ange vad orsaken bygger på: data, forskning eller dialog."));
        None
    } else {
        errs.take(CauseBasis::parse(input.basis.trim()))
    };
    let certainty = if input.certainty.trim().is_empty() {
        errs.push(FieldError::new("certainty", "required", "Ange hur säker orsaken är: låg, medel eller hög."));
        None
    } else {
        errs.take(Certainty::parse(input.certainty.trim()))
    };
    errs.into_result()?;
    Ok(ValidCause {
        title: title.flatten().expect("checked"),
        description: description.expect("checked"),
        side: side.expect("checked"),
        influencer: influencer.expect("checked"),
        factor: factor.expect("checked"),
        basis: basis.expect("checked"),
        basis_note: basis_note.expect("checked"),
        certainty: certainty.expect("checked"),
    })
}

fn cause(db: &mut dyn Conn, situation_id: i64, cause_id: i64) -> StoreResult<Cause> {
    db.opt(
        &format!("{CAUSE_SELECT} WHERE id = $1 AND problem_id IN (SELECT id FROM situation_problems WHERE situation_id = $2)"),
        args![cause_id, situation_id],
    )?
    .ok_or(StoreError::not_found("cause"))
}

pub fn add_cause(db: &mut dyn Conn, v: &Viewer, situation_id: i64, problem_id: i64, input: &CauseInput) -> StoreResult<Cause> {
    let (doc, org) = writable(db, v, situation_id)?;
    problem_in(db, situation_id, problem_id)?;
    let c = check_cause(input)?;
    doc.touch(db, None)?;
    let position: i64 = db.scalar("SELECT COALESCE(MAX(position), 0) + 1 FROM problem_causes WHERE problem_id = $1", args![problem_id])?;
    let id: i64 = db.scalar(
        "INSERT INTO problem_causes (problem_id, key, title, description, triangle_side, influencer, factor, basis, basis_note, certainty, position)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
        args![
            problem_id,
            new_key(),
            c.title,
            c.description,
            c.side.map(|s| s.code()),
            c.influencer,
            c.factor.map(|f| f.code()),
            c.basis.code(),
            c.basis_note,
            c.certainty.code(),
            position
        ],
    )?;
    audit::record(db, v, Event::new("situation.cause.add").record("situation", situation_id).org(org))?;
    cause(db, situation_id, id)
}

pub fn edit_cause(db: &mut dyn Conn, v: &Viewer, situation_id: i64, cause_id: i64, input: &CauseInput) -> StoreResult<Cause> {
    let (doc, org) = writable(db, v, situation_id)?;
    cause(db, situation_id, cause_id)?;
    let c = check_cause(input)?;
    doc.touch(db, None)?;
    db.execute(
        "UPDATE problem_causes SET title = $1, description = $2, triangle_side = $3, influencer = $4, factor = $5, basis = $6, basis_note = $7,
            certainty = $8 WHERE id = $9",
        args![
            c.title,
            c.description,
            c.side.map(|s| s.code()),
            c.influencer,
            c.factor.map(|f| f.code()),
            c.basis.code(),
            c.basis_note,
            c.certainty.code(),
            cause_id
        ],
    )?;
    audit::record(db, v, Event::new("situation.cause.edit").record("situation", situation_id).org(org))?;
    cause(db, situation_id, cause_id)
}

/// Removes a cause; refused, naming them, while a plan's measures address it.
pub fn remove_cause(db: &mut dyn Conn, v: &Viewer, situation_id: i64, cause_id: i64) -> StoreResult<()> {
    let (doc, org) = writable(db, v, situation_id)?;
    cause(db, situation_id, cause_id)?;
    let linked = measures_linking(db, &[cause_id])?;
    if !linked.is_empty() {
        return Err(linked_refusal("cause", "Orsaken", &linked));
    }
    doc.touch(db, None)?;
    db.execute("DELETE FROM problem_causes WHERE id = $1", args![cause_id])?;
    audit::record(db, v, Event::new("situation.cause.remove").record("situation", situation_id).org(org))?;
    Ok(())
}
