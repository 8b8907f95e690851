//! Follow-up of an adopted plan: indicator values (computed from Brygga's data or entered by
//! hand), each indicator's series against baseline and target, deviations (avvikelser), and the
//! yearly follow-up report.
//!
//! **Values.** An indicator's value is kept per period of its frequency, keyed by the period's
//! first day (a month; a quarter from 1 Jan, 1 Apr, 1 Jul, 1 Oct; a half-year from 1 Jan or
//! 1 Jul; a year from 1 Jan). [`refresh_values`] computes the values of every indicator with a
//! Brygga source from [`series::series`] (origin `brygga`): counts (EST reports, reported crimes)
//! are summed over the months of the period, survey shares averaged; only periods that have
//! ended count (a running quarter is not a quarter), survey years excepted (a survey is dated
//! 1 January of its year); a period with a month the statistics suppress is missing, never a
//! smaller sum. An entered value (origin `entered`: a manual indicator's value, or a correction
//! of a computed one) is never overwritten by a refresh. The time of the last refresh is the
//! newest `created_at` of the plan's `brygga` values ([`last_refresh_ms`]); the page refreshes
//! when that is older than [`REFRESH_AFTER_MS`], and the nightly job [`KIND`] refreshes every
//! adopted plan.
//!
//! **Who.** Values and deviations are written in the version in force
//! ([`Doc::require_in_force`]) by members of a party ([`Permission::FollowUpPlan`]). Anyone who
//! may read the plan reads them; outside the parties, counts of EST reports below the
//! suppression threshold are hidden ([`sharing::published_count`]).

use std::collections::BTreeMap;

use brygga_domain::plans::{Direction, DocumentStatus, Frequency, GoalKind, IndicatorSource, MeasureStatus};
use brygga_domain::text::TextRule;
use brygga_domain::time::{parse_date, today};
use brygga_domain::{FieldError, FieldErrors};
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::kernel::access::Action as Permission;
use crate::kernel::audit::{self, Event};
use crate::kernel::db::{Conn, ConnExt, DbError, FromRow, Row};
use crate::kernel::error::{StoreError, StoreResult, checked_with};
use crate::kernel::jobs::{self, NewJob};
use crate::kernel::sharing::{self, Scope};
use crate::picture::weekly::DEFAULT_SUPPRESS_BELOW;
use crate::plans::evaluation::{self, Check};
use crate::plans::progress::{self, GoalProgress};
use crate::plans::series::{self, SeriesSpec};
use crate::plans::{Doc, DocTable, new_key};
use crate::{Viewer, args, now_ms};

/// The nightly refresh of every adopted plan's computed indicator values.
pub const KIND: &str = "plans.refresh_indicators";

/// The page refreshes computed values older than this (an hour).
pub const REFRESH_AFTER_MS: i64 = 60 * 60 * 1000;

pub const NOTE: TextRule = TextRule::line("note", "Källan", 500).optional().multiline();
pub const WHAT: TextRule = TextRule::line("what", "Vad som avvek", 500).multiline();
pub const WHY: TextRule = TextRule::line("why", "Varför", 2000).multiline();
pub const CONSEQUENCE: TextRule = TextRule::line("consequence", "Konsekvensen", 2000).optional().multiline();
pub const CORRECTION: TextRule = TextRule::line("correction", "Åtgärden", 2000).optional().multiline();
pub const DECIDED_BY: TextRule = TextRule::line("decided_by", "Vem som beslutade", 200).optional();

// ---------------------------------------------------------------------------------------------
// Periods.

/// The first day of the period of `frequency` that contains `d`.
pub fn period_start(frequency: Frequency, d: Date) -> Date {
    let m = match frequency {
        Frequency::Monthly => d.month(),
        Frequency::Quarterly => (d.month() - 1) / 3 * 3 + 1,
        Frequency::HalfYearly => {
            if d.month() <= 6 {
                1
            } else {
                7
            }
        }
        Frequency::Yearly => 1,
    };
    Date::new(d.year(), m, 1).expect("a valid month")
}

/// The first day of the next period.
pub fn next_period(frequency: Frequency, start: Date) -> Date {
    let months = match frequency {
        Frequency::Monthly => 1,
        Frequency::Quarterly => 3,
        Frequency::HalfYearly => 6,
        Frequency::Yearly => 12,
    };
    start.checked_add(jiff::Span::new().months(months)).expect("in range")
}

/// How a period is written for people: `november 2026`, `kvartal 2 2026`, `första halvåret 2026`,
/// `2026`.
pub fn period_label(frequency: Frequency, start: Date) -> String {
    const MONTHS: [&str; 12] =
        ["januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september", "oktober", "november", "december"];
    let y = start.year();
    match frequency {
        Frequency::Monthly => format!("{} {y}", MONTHS[usize::try_from(start.month() - 1).unwrap_or(0)]),
        Frequency::Quarterly => format!("kvartal {} {y}", (start.month() - 1) / 3 + 1),
        Frequency::HalfYearly => format!("{} halvåret {y}", if start.month() <= 6 { "första" } else { "andra" }),
        Frequency::Yearly => y.to_string(),
    }
}

fn period_rule(frequency: Frequency) -> &'static str {
    match frequency {
        Frequency::Monthly => "den första dagen i en månad",
        Frequency::Quarterly => "den första dagen i ett kvartal (1 januari, 1 april, 1 juli eller 1 oktober)",
        Frequency::HalfYearly => "den första dagen i ett halvår (1 januari eller 1 juli)",
        Frequency::Yearly => "1 januari",
    }
}

/// Reads a period (`2026-04-01`, or `2026-04` for a month) for an indicator measured with
/// `frequency`: it must be the first day of a period, and not a period that has not begun.
pub fn parse_period(frequency: Frequency, input: &str) -> Result<Date, FieldError> {
    let s = input.trim();
    if s.is_empty() {
        return Err(FieldError::new("period", "required", "Ange vilken period värdet gäller, till exempel 2026-01-01."));
    }
    let d = if s.len() == 7 { parse_date("period", &format!("{s}-01")) } else { parse_date("period", s) }
        .map_err(|e| FieldError::new("period", e.code, e.message))?;
    let start = period_start(frequency, d);
    if start != d {
        return Err(FieldError::new(
            "period",
            "plans.period_start",
            format!(
                "Indikatorn mäts {}: perioden anges med {}. {d} ligger i perioden {}, som börjar {start}.",
                frequency.label().to_lowercase(),
                period_rule(frequency),
                period_label(frequency, start)
            ),
        ));
    }
    if start > today() {
        return Err(FieldError::new(
            "period",
            "plans.period_future",
            format!("Perioden {} har inte börjat ännu. Ange en period som har börjat.", period_label(frequency, start)),
        ));
    }
    Ok(start)
}

// ---------------------------------------------------------------------------------------------
// Narrow reads of the plan and its indicators.

/// What follow-up needs of a plan version.
#[derive(Debug, Clone, PartialEq)]
struct PlanRow {
    id: i64,
    title: String,
    status: String,
    municipality_code: Option<String>,
    period_from: String,
    period_to: String,
    picture_forum_id: Option<i64>,
    owner_org_id: i64,
}

const PLAN_SELECT: &str =
    "SELECT id, title, status, municipality_code, period_from, period_to, picture_forum_id, owner_org_id FROM action_plans";

impl FromRow for PlanRow {
    fn from_row(r: &Row) -> Result<Self, DbError> {
        Ok(Self {
            id: r.get("id")?,
            title: r.get("title")?,
            status: r.get("status")?,
            municipality_code: r.get("municipality_code")?,
            period_from: r.get("period_from")?,
            period_to: r.get("period_to")?,
            picture_forum_id: r.get("picture_forum_id")?,
            owner_org_id: r.get("owner_org_id")?,
        })
    }
}

fn plan_row(db: &mut dyn Conn, plan_id: i64) -> StoreResult<PlanRow> {
    db.opt(&format!("{PLAN_SELECT} WHERE id = $1"), args![plan_id])?.ok_or(StoreError::not_found("plan"))
}

/// An indicator as follow-up reads it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = PlanIndicatorRef))]
pub struct IndicatorRef {
    pub id: i64,
    pub plan_id: i64,
    pub goal_id: i64,
    pub name: String,
    /// `observations`, `crime_statistics`, `safety_survey` or `manual`.
    pub source: String,
    pub source_label: String,
    /// Where entered values come from (manual indicators).
    pub manual_source: Option<String>,
    pub unit: String,
    /// `increase`, `decrease` or `keep`.
    pub direction: String,
    pub direction_label: String,
    /// `monthly`, `quarterly`, `half_yearly` or `yearly`.
    pub frequency: String,
    pub frequency_label: String,
    pub baseline_value: Option<f64>,
    pub baseline_on: Option<String>,
    pub target_value: Option<f64>,
    pub target_on: Option<String>,
    #[serde(skip)]
    category_id: Option<i64>,
    #[serde(skip)]
    area_id: Option<i64>,
    #[serde(skip)]
    offence: Option<String>,
    #[serde(skip)]
    survey_question: Option<String>,
    #[serde(skip)]
    survey_area: Option<String>,
}

impl IndicatorRef {
    pub fn source(&self) -> IndicatorSource {
        IndicatorSource::from_code(&self.source).unwrap_or(IndicatorSource::Manual)
    }
    pub fn direction(&self) -> Direction {
        Direction::from_code(&self.direction).unwrap_or(Direction::Keep)
    }
    pub fn frequency(&self) -> Frequency {
        Frequency::from_code(&self.frequency).unwrap_or(Frequency::Monthly)
    }
    /// Counts (summed over a period) rather than shares (averaged).
    pub fn is_count(&self) -> bool {
        matches!(self.source(), IndicatorSource::Observations | IndicatorSource::CrimeStatistics)
    }
}

const INDICATOR_SELECT: &str = "SELECT i.id, i.plan_id, i.goal_id, i.name, i.source, i.manual_source, i.unit, i.direction, i.frequency,
        i.baseline_value, i.baseline_on, i.target_value, i.target_on, i.category_id, i.area_id, i.offence, i.survey_question, i.survey_area
     FROM plan_indicators i";

impl FromRow for IndicatorRef {
    fn from_row(r: &Row) -> Result<Self, DbError> {
        let source: String = r.get("source")?;
        let direction: String = r.get("direction")?;
        let frequency: String = r.get("frequency")?;
        let label = |l: Option<&'static str>, c: &str| l.map(str::to_owned).ok_or_else(|| DbError::Decode(format!("code {c}")));
        Ok(Self {
            id: r.get("id")?,
            plan_id: r.get("plan_id")?,
            goal_id: r.get("goal_id")?,
            name: r.get("name")?,
            source_label: label(IndicatorSource::from_code(&source).map(IndicatorSource::label), &source)?,
            direction_label: label(Direction::from_code(&direction).map(Direction::label), &direction)?,
            frequency_label: label(Frequency::from_code(&frequency).map(Frequency::label), &frequency)?,
            source,
            direction,
            frequency,
            manual_source: r.get("manual_source")?,
            unit: r.get("unit")?,
            baseline_value: r.get("baseline_value")?,
            baseline_on: r.get("baseline_on")?,
            target_value: r.get("target_value")?,
            target_on: r.get("target_on")?,
            category_id: r.get("category_id")?,
            area_id: r.get("area_id")?,
            offence: r.get("offence")?,
            survey_question: r.get("survey_question")?,
            survey_area: r.get("survey_area")?,
        })
    }
}

fn indicators_of(db: &mut dyn Conn, plan_id: i64) -> StoreResult<Vec<IndicatorRef>> {
    Ok(db.all(&format!("{INDICATOR_SELECT} WHERE i.plan_id = $1 ORDER BY i.position, i.id"), args![plan_id])?)
}

/// The indicator and its plan, when the viewer may read the plan.
fn readable_indicator(db: &mut dyn Conn, v: &Viewer, indicator_id: i64) -> StoreResult<(IndicatorRef, Doc)> {
    let i: IndicatorRef =
        db.opt(&format!("{INDICATOR_SELECT} WHERE i.id = $1"), args![indicator_id])?.ok_or(StoreError::not_found("indicator"))?;
    let doc = Doc::load(db, v, DocTable::Plan, i.plan_id).map_err(|e| match e {
        StoreError::NotFound { .. } => StoreError::not_found("indicator"),
        e => e,
    })?;
    Ok((i, doc))
}

// ---------------------------------------------------------------------------------------------
// Values.

/// One value of an indicator's series.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = PlanIndicatorValue))]
pub struct IndicatorValue {
    /// The period's first day, `2026-04-01`.
    pub period: String,
    /// `kvartal 2 2026`.
    pub period_label: String,
    /// `None` when hidden: a count of EST reports below the suppression threshold, shown
    /// outside the plan's parties.
    pub value: Option<f64>,
    /// `brygga` (computed from Brygga's data) or `entered` (by hand, with its source).
    pub origin: String,
    /// The source of an entered value.
    pub note: Option<String>,
    pub created_at_ms: i64,
}

/// An indicator's series for its chart: values against baseline and target.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = PlanIndicatorSeries))]
pub struct IndicatorSeries {
    pub indicator: IndicatorRef,
    /// Oldest first.
    pub values: Vec<IndicatorValue>,
    pub baseline: Option<f64>,
    pub baseline_on: Option<String>,
    pub target: Option<f64>,
    pub target_on: Option<String>,
    pub direction: String,
    pub unit: String,
    /// The latest value shown (not hidden), and its period.
    pub latest: Option<f64>,
    pub latest_period: Option<String>,
    /// 0…1 ([`progress::indicator`]); `None` without baseline, target and a value.
    pub progress: Option<f64>,
    /// Values hidden by the small-count suppression.
    pub suppressed: usize,
}

/// A stored value: indicator, period, value, origin, note, created at.
type ValueRow = (i64, String, f64, String, Option<String>, i64);

fn value_rows(db: &mut dyn Conn, ids: &[i64]) -> StoreResult<Vec<ValueRow>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(db.map_all(
        &format!(
            "SELECT indicator_id, period, value, origin, note, created_at FROM indicator_values WHERE {} ORDER BY indicator_id, period",
            db.dialect().in_list("indicator_id", 1)
        ),
        &[ids.to_vec().into()],
        |r| Ok((r.get("indicator_id")?, r.get("period")?, r.get("value")?, r.get("origin")?, r.get("note")?, r.get("created_at")?)),
    )?)
}

/// Builds the series of `i` from its value rows; `suppress` hides small EST counts.
fn build_series(i: &IndicatorRef, rows: &[ValueRow], suppress: bool, until: Option<&str>) -> IndicatorSeries {
    let threshold = suppress.then_some(DEFAULT_SUPPRESS_BELOW);
    let hide = suppress && i.source() == IndicatorSource::Observations;
    let frequency = i.frequency();
    let mut suppressed = 0;
    let values: Vec<IndicatorValue> = rows
        .iter()
        .filter(|r| r.0 == i.id && until.is_none_or(|u| r.1.as_str() <= u))
        .map(|r| {
            let value = if hide && r.3 == "brygga" {
                #[allow(clippy::cast_possible_truncation)]
                let n = r.2.round() as i64;
                sharing::published_count(0, n, threshold).map(|n| n as f64)
            } else {
                Some(r.2)
            };
            if value.is_none() {
                suppressed += 1;
            }
            IndicatorValue {
                period_label: r.1.parse::<Date>().map(|d| period_label(frequency, d)).unwrap_or_else(|_| r.1.clone()),
                period: r.1.clone(),
                value,
                origin: r.3.clone(),
                note: r.4.clone(),
                created_at_ms: r.5,
            }
        })
        .collect();
    let latest = values.iter().rev().find(|x| x.value.is_some());
    let (latest_value, latest_period) = (latest.and_then(|x| x.value), latest.map(|x| x.period.clone()));
    IndicatorSeries {
        progress: progress::indicator(i.direction(), i.baseline_value, i.target_value, latest_value),
        latest: latest_value,
        latest_period,
        baseline: i.baseline_value,
        baseline_on: i.baseline_on.clone(),
        target: i.target_value,
        target_on: i.target_on.clone(),
        direction: i.direction.clone(),
        unit: i.unit.clone(),
        suppressed,
        values,
        indicator: i.clone(),
    }
}

/// The series of indicator `indicator_id`, for its chart. Outside the plan's parties, computed
/// counts of EST reports below the threshold are hidden.
pub fn series_of(db: &mut dyn Conn, v: &Viewer, indicator_id: i64) -> StoreResult<IndicatorSeries> {
    let (i, doc) = readable_indicator(db, v, indicator_id)?;
    let rows = value_rows(db, &[i.id])?;
    Ok(build_series(&i, &rows, !doc.is_party(v), None))
}

/// The series of every indicator of plan `plan_id`, in the plan's order.
pub fn plan_series(db: &mut dyn Conn, v: &Viewer, plan_id: i64) -> StoreResult<Vec<IndicatorSeries>> {
    let doc = Doc::load(db, v, DocTable::Plan, plan_id)?;
    let list = indicators_of(db, plan_id)?;
    let rows = value_rows(db, &list.iter().map(|i| i.id).collect::<Vec<_>>())?;
    Ok(list.iter().map(|i| build_series(i, &rows, !doc.is_party(v), None)).collect())
}

/// A value as sent by a form or the API.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = PlanValueInput))]
#[serde(deny_unknown_fields)]
pub struct ValueInput {
    /// The indicator (of the plan in force).
    pub indicator_id: i64,
    /// The period's first day for the indicator's frequency: `2026-04-01` (a quarter), or
    /// `2026-11` for a month. Required.
    #[serde(default)]
    pub period: String,
    /// The value. Required.
    #[serde(default)]
    pub value: Option<f64>,
    /// Where the value comes from (a report, a survey, a register). Required.
    #[serde(default)]
    pub note: Option<String>,
    /// The party the writer acts for, when they belong to several.
    #[serde(default)]
    pub org_id: Option<i64>,
}

/// Enters (or corrects) a value of an indicator of the plan in force; it is kept as `entered`
/// and no refresh overwrites it. `unread` holds what the front door could not read (a value
/// that was not a number); with any, nothing is written.
pub fn enter_value(db: &mut dyn Conn, v: &Viewer, plan_id: i64, input: &ValueInput, unread: FieldErrors) -> StoreResult<IndicatorValue> {
    let checked = (|| {
        let doc = Doc::load(db, v, DocTable::Plan, plan_id)?;
        let org = doc.acting_party(v, input.org_id, |org| Permission::FollowUpPlan { org })?;
        doc.require_in_force()?;
        let i: IndicatorRef = db
            .opt(&format!("{INDICATOR_SELECT} WHERE i.id = $1 AND i.plan_id = $2"), args![input.indicator_id, plan_id])?
            .ok_or_else(|| {
                StoreError::invalid(FieldError::new(
                    "indicator_id",
                    "plans.indicator_unknown",
                    "Indikatorn finns inte i planen. Välj en av planens indikatorer.",
                ))
            })?;
        let mut errs = FieldErrors::new();
        let period = errs.take(parse_period(i.frequency(), &input.period));
        let value = match input.value {
            None if unread.get("value").is_none() => {
                errs.push(FieldError::new("value", "required", "Ange värdet, till exempel 12 eller 12,5."));
                None
            }
            Some(x) if !x.is_finite() => {
                errs.push(FieldError::new("value", "number.invalid", "Värdet måste vara ett tal, till exempel 12 eller 12,5."));
                None
            }
            x => x,
        };
        let note = match NOTE.parse(input.note.as_deref().unwrap_or("")) {
            Ok(Some(n)) => Some(n),
            Ok(None) => {
                errs.push(FieldError::new(
                    "note",
                    "required",
                    "Ange källan: var kommer värdet från? Till exempel ”Skolenkäten 2026, åk 9”.",
                ));
                None
            }
            Err(e) => {
                errs.push(e);
                None
            }
        };
        errs.into_result()?;
        Ok((org, i, period.expect("checked"), value, note.expect("checked")))
    })();
    let (org, i, period, value, note) = checked_with(unread, checked)?;
    let value = value.ok_or_else(|| StoreError::Internal("value checked".into()))?;
    let now = now_ms();
    db.execute(
        "INSERT INTO indicator_values (indicator_id, period, value, origin, note, entered_by_user_id, created_at)
         VALUES ($1, $2, $3, 'entered', $4, $5, $6)
         ON CONFLICT (indicator_id, period) DO UPDATE SET value = excluded.value, origin = 'entered', note = excluded.note,
            entered_by_user_id = excluded.entered_by_user_id, created_at = excluded.created_at",
        args![i.id, period.to_string(), value, note.as_str(), v.user_id(), now],
    )?;
    audit::record(db, v, Event::new("plan.value.enter").record("plan_indicator", i.id).org(org))?;
    Ok(IndicatorValue {
        period_label: period_label(i.frequency(), period),
        period: period.to_string(),
        value: Some(value),
        origin: "entered".into(),
        note: Some(note),
        created_at_ms: now,
    })
}

/// Removes an entered value (a computed one comes back with the next refresh, so it is not
/// removed: correct it by entering a value instead).
pub fn remove_value(db: &mut dyn Conn, v: &Viewer, plan_id: i64, indicator_id: i64, period: &str) -> StoreResult<()> {
    let doc = Doc::load(db, v, DocTable::Plan, plan_id)?;
    let org = doc.acting_party(v, None, |org| Permission::FollowUpPlan { org })?;
    doc.require_in_force()?;
    let origin: Option<String> = db.scalar_opt(
        "SELECT v.origin FROM indicator_values v JOIN plan_indicators i ON i.id = v.indicator_id WHERE v.indicator_id = $1 AND v.period = $2 AND i.plan_id = $3",
        args![indicator_id, period.trim(), plan_id],
    )?;
    match origin.as_deref() {
        None => Err(StoreError::not_found("indicator value")),
        Some("brygga") => Err(StoreError::invalid(FieldError::new(
            "period",
            "plans.value_computed",
            "Värdet räknas fram ur Bryggas data och kan inte tas bort. Rätta det genom att föra in ett värde för samma period.",
        ))),
        Some(_) => {
            db.execute("DELETE FROM indicator_values WHERE indicator_id = $1 AND period = $2", args![indicator_id, period.trim()])?;
            audit::record(db, v, Event::new("plan.value.remove").record("plan_indicator", indicator_id).org(org))?;
            Ok(())
        }
    }
}

/// The series specification of an indicator with a Brygga source.
fn spec_of(plan: &PlanRow, i: &IndicatorRef) -> SeriesSpec {
    SeriesSpec {
        source: i.source(),
        // Only a municipality's plan has indicators from Brygga's data (an activity plan's are
        // entered by hand).
        municipality_code: plan.municipality_code.clone().unwrap_or_default(),
        scope: match plan.picture_forum_id {
            Some(forum_id) => Scope::Joint { forum_id },
            None => Scope::Own { org_id: plan.owner_org_id },
        },
        category_id: i.category_id,
        area_id: i.area_id,
        offence: i.offence.clone(),
        survey_question: i.survey_question.clone(),
        survey_area: i.survey_area.clone(),
        owner_org_id: plan.owner_org_id,
    }
}

/// Aggregates a monthly series (or yearly survey values) to the indicator's periods, up to
/// `today`: counts summed over periods that have ended and have every month, shares averaged.
pub fn aggregate(monthly: &series::Series, frequency: Frequency, count: bool, today: Date) -> BTreeMap<Date, f64> {
    let mut groups: BTreeMap<Date, Vec<f64>> = BTreeMap::new();
    for (d, x) in monthly {
        groups.entry(period_start(frequency, *d)).or_default().push(*x);
    }
    let months_in = |f: Frequency| match f {
        Frequency::Monthly => 1,
        Frequency::Quarterly => 3,
        Frequency::HalfYearly => 6,
        Frequency::Yearly => 12,
    };
    groups
        .into_iter()
        .filter_map(|(start, xs)| {
            if count {
                // Only periods that have ended, with a value for every month.
                (next_period(frequency, start) <= today && xs.len() == months_in(frequency)).then(|| (start, xs.iter().sum()))
            } else {
                Some((start, xs.iter().sum::<f64>() / xs.len() as f64))
            }
        })
        .collect()
}

/// Recomputes the `brygga` values of every indicator of `plan` with a Brygga source; returns how
/// many values were written. Entered values stay.
fn refresh(db: &mut dyn Conn, plan: &PlanRow) -> StoreResult<usize> {
    let now = now_ms();
    let to = today();
    let mut written = 0;
    for i in indicators_of(db, plan.id)? {
        if i.source() == IndicatorSource::Manual {
            continue;
        }
        let from =
            i.baseline_on.as_deref().and_then(|d| d.parse::<Date>().ok()).or_else(|| plan.period_from.parse::<Date>().ok()).unwrap_or(to);
        let from = period_start(i.frequency(), from);
        if from > to {
            continue;
        }
        let monthly = series::series(db, &spec_of(plan, &i), from, to)?;
        for (period, value) in aggregate(&monthly, i.frequency(), i.is_count(), to) {
            written += db.execute(
                "INSERT INTO indicator_values (indicator_id, period, value, origin, note, entered_by_user_id, created_at)
                 VALUES ($1, $2, $3, 'brygga', NULL, NULL, $4)
                 ON CONFLICT (indicator_id, period) DO UPDATE SET value = excluded.value, created_at = excluded.created_at
                 WHERE indicator_values.origin = 'brygga'",
                args![i.id, period.to_string(), value, now],
            )? as usize;
        }
    }
    Ok(written)
}

/// Recomputes plan `plan_id`'s values from Brygga's data (a member of a party, the version in
/// force). Returns how many values were written.
pub fn refresh_values(db: &mut dyn Conn, v: &Viewer, plan_id: i64) -> StoreResult<usize> {
    let doc = Doc::load(db, v, DocTable::Plan, plan_id)?;
    doc.acting_party(v, None, |org| Permission::FollowUpPlan { org })?;
    doc.require_in_force()?;
    let plan = plan_row(db, plan_id)?;
    refresh(db, &plan)
}

/// When the plan's computed values were last refreshed (the newest `created_at` of its `brygga`
/// values), if ever.
pub fn last_refresh_ms(db: &mut dyn Conn, plan_id: i64) -> StoreResult<Option<i64>> {
    Ok(db.scalar_opt(
        "SELECT MAX(v.created_at) FROM indicator_values v JOIN plan_indicators i ON i.id = v.indicator_id WHERE i.plan_id = $1 AND v.origin = 'brygga'",
        args![plan_id],
    )?
    .flatten())
}

/// Refreshes when the plan is in force, the viewer a party's member, and the last refresh older
/// than [`REFRESH_AFTER_MS`] (opening the follow-up page). Anyone else: nothing happens.
pub fn refresh_if_stale(db: &mut dyn Conn, v: &Viewer, plan_id: i64) -> StoreResult<bool> {
    let doc = Doc::load(db, v, DocTable::Plan, plan_id)?;
    if doc.status != DocumentStatus::Adopted || doc.acting_party(v, None, |org| Permission::FollowUpPlan { org }).is_err() {
        return Ok(false);
    }
    if last_refresh_ms(db, plan_id)?.is_some_and(|t| now_ms() - t < REFRESH_AFTER_MS) {
        return Ok(false);
    }
    let plan = plan_row(db, plan_id)?;
    refresh(db, &plan)?;
    Ok(true)
}

/// The nightly job: refreshes plan `plan_id` when it is still in force (no viewer: the system).
pub fn refresh_job(db: &mut dyn Conn, plan_id: i64) -> StoreResult<usize> {
    let Some(plan) = db.opt::<PlanRow>(&format!("{PLAN_SELECT} WHERE id = $1"), args![plan_id])? else { return Ok(0) };
    if plan.status != "adopted" {
        return Ok(0);
    }
    refresh(db, &plan)
}

/// Enqueues tonight's refresh of every adopted plan, once per plan and day (the dedup key).
/// Runs at 02:00 Swedish time; the scheduler calls it every tick.
pub fn enqueue_nightly(db: &mut dyn Conn, now: i64) -> StoreResult<Vec<i64>> {
    let ts = jiff::Timestamp::from_millisecond(now).map_err(|e| StoreError::Internal(e.to_string()))?;
    let day = ts.to_zoned(brygga_domain::time::stockholm()).date();
    let due = day
        .at(2, 0, 0, 0)
        .to_zoned(brygga_domain::time::stockholm())
        .map_err(|e| StoreError::Internal(e.to_string()))?
        .timestamp()
        .as_millisecond();
    if now < due {
        return Ok(Vec::new());
    }
    let plans: Vec<i64> = db.scalars("SELECT id FROM action_plans WHERE status = 'adopted' ORDER BY id", &[])?;
    let mut created = Vec::new();
    for id in plans {
        let job = NewJob::new(KIND, serde_json::json!({ "plan_id": id }), now).dedup(format!("{KIND}:plan-{id}:{day}")).at(due);
        created.extend(jobs::enqueue(db, &job, now)?);
    }
    Ok(created)
}

/// Called when a plan is adopted: fills its computed values at once.
pub fn on_adopted(db: &mut dyn Conn, plan_id: i64) -> StoreResult<usize> {
    refresh_job(db, plan_id)
}

// ---------------------------------------------------------------------------------------------
// Deviations.

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = PlanDeviation))]
pub struct Deviation {
    pub id: i64,
    pub plan_id: i64,
    pub key: String,
    pub measure_id: Option<i64>,
    pub measure_title: Option<String>,
    pub goal_id: Option<i64>,
    pub goal_title: Option<String>,
    pub indicator_id: Option<i64>,
    pub indicator_name: Option<String>,
    pub what: String,
    pub why: String,
    pub consequence: Option<String>,
    pub correction: Option<String>,
    pub decided_by: Option<String>,
    /// `2026-11-30`.
    pub decided_on: Option<String>,
    pub created_at_ms: i64,
    pub updated_at_ms: i64,
}

/// The SELECT that [`Deviation::from_row`] decodes.
const DEVIATION_SELECT: &str = "SELECT d.id, d.plan_id, d.key, d.measure_id, m.title AS measure_title, d.goal_id, g.title AS goal_title,
        d.indicator_id, i.name AS indicator_name, d.what, d.why, d.consequence, d.correction, d.decided_by, d.decided_on,
        d.created_at, d.updated_at
     FROM plan_deviations d LEFT JOIN plan_measures m ON m.id = d.measure_id LEFT JOIN plan_goals g ON g.id = d.goal_id
     LEFT JOIN plan_indicators i ON i.id = d.indicator_id";

impl FromRow for Deviation {
    fn from_row(r: &Row) -> Result<Self, DbError> {
        Ok(Self {
            id: r.get("id")?,
            plan_id: r.get("plan_id")?,
            key: r.get("key")?,
            measure_id: r.get("measure_id")?,
            measure_title: r.get("measure_title")?,
            goal_id: r.get("goal_id")?,
            goal_title: r.get("goal_title")?,
            indicator_id: r.get("indicator_id")?,
            indicator_name: r.get("indicator_name")?,
            what: r.get("what")?,
            why: r.get("why")?,
            consequence: r.get("consequence")?,
            correction: r.get("correction")?,
            decided_by: r.get("decided_by")?,
            decided_on: r.get("decided_on")?,
            created_at_ms: r.get("created_at")?,
            updated_at_ms: r.get("updated_at")?,
        })
    }
}

/// A deviation as sent by a form or the API.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = PlanDeviationInput))]
#[serde(deny_unknown_fields)]
pub struct DeviationInput {
    /// What deviated from the plan. Required.
    #[serde(default)]
    pub what: String,
    /// Why. Required.
    #[serde(default)]
    pub why: String,
    /// What it means for the goals.
    #[serde(default)]
    pub consequence: Option<String>,
    /// What is done about it.
    #[serde(default)]
    pub correction: Option<String>,
    /// Who decided (a body or a role, not a person's name).
    #[serde(default)]
    pub decided_by: Option<String>,
    /// `2026-11-30`; not in the future.
    #[serde(default)]
    pub decided_on: Option<String>,
    /// The measure, goal or indicator of the same plan it concerns.
    #[serde(default)]
    pub measure_id: Option<i64>,
    #[serde(default)]
    pub goal_id: Option<i64>,
    #[serde(default)]
    pub indicator_id: Option<i64>,
    /// The party the writer acts for, when they belong to several.
    #[serde(default)]
    pub org_id: Option<i64>,
}

/// A deviation that passed every check.
#[derive(Debug, Clone, PartialEq)]
struct ValidDeviation {
    what: String,
    why: String,
    consequence: Option<String>,
    correction: Option<String>,
    decided_by: Option<String>,
    decided_on: Option<Date>,
    measure_id: Option<i64>,
    goal_id: Option<i64>,
    indicator_id: Option<i64>,
}

fn text(errs: &mut FieldErrors, rule: &TextRule, input: Option<&str>) -> Option<String> {
    match rule.parse(input.unwrap_or("")) {
        Ok(Some(t)) => Some(t),
        Ok(None) if rule.required => {
            errs.push(FieldError::new(rule.field, "required", format!("{} saknas. Fyll i fältet.", rule.label)));
            None
        }
        Ok(None) => None,
        Err(e) => {
            errs.push(e);
            None
        }
    }
}

/// Checks a deviation against plan `plan_id`, reporting every problem at once.
fn prepare_deviation(db: &mut dyn Conn, plan_id: i64, input: &DeviationInput) -> StoreResult<ValidDeviation> {
    let mut errs = FieldErrors::new();
    let what = text(&mut errs, &WHAT, Some(&input.what));
    let why = text(&mut errs, &WHY, Some(&input.why));
    let consequence = text(&mut errs, &CONSEQUENCE, input.consequence.as_deref());
    let correction = text(&mut errs, &CORRECTION, input.correction.as_deref());
    let decided_by = text(&mut errs, &DECIDED_BY, input.decided_by.as_deref());
    let decided_on = match input.decided_on.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => match parse_date("decided_on", s) {
            Ok(d) if d > today() => {
                errs.push(FieldError::new(
                    "decided_on",
                    "date.future",
                    format!("Beslutsdatumet {d} har inte kommit ännu. Ange när beslutet togs, i dag ({}) eller tidigare.", today()),
                ));
                None
            }
            Ok(d) => Some(d),
            Err(e) => {
                errs.push(e);
                None
            }
        },
    };
    for (field, id, table, what) in [
        ("measure_id", input.measure_id, "plan_measures", "Insatsen"),
        ("goal_id", input.goal_id, "plan_goals", "Målet"),
        ("indicator_id", input.indicator_id, "plan_indicators", "Indikatorn"),
    ] {
        if let Some(id) = id {
            let n: i64 = db.scalar(&format!("SELECT COUNT(*) FROM {table} WHERE id = $1 AND plan_id = $2"), args![id, plan_id])?;
            if n == 0 {
                errs.push(FieldError::new(
                    field,
                    "plans.not_in_plan",
                    format!("{what} finns inte i den här versionen av planen. Välj bland planens egna."),
                ));
            }
        }
    }
    errs.into_result()?;
    Ok(ValidDeviation {
        what: what.expect("checked"),
        why: why.expect("checked"),
        consequence,
        correction,
        decided_by,
        decided_on,
        measure_id: input.measure_id,
        goal_id: input.goal_id,
        indicator_id: input.indicator_id,
    })
}

fn fetch_deviation(db: &mut dyn Conn, id: i64) -> StoreResult<Deviation> {
    db.opt(&format!("{DEVIATION_SELECT} WHERE d.id = $1"), args![id])?.ok_or(StoreError::not_found("deviation"))
}

/// Records a deviation in the plan in force. `unread` as for [`enter_value`].
pub fn record(db: &mut dyn Conn, v: &Viewer, plan_id: i64, input: &DeviationInput, unread: FieldErrors) -> StoreResult<Deviation> {
    let checked = (|| {
        let doc = Doc::load(db, v, DocTable::Plan, plan_id)?;
        let org = doc.acting_party(v, input.org_id, |org| Permission::FollowUpPlan { org })?;
        doc.require_in_force()?;
        Ok((org, prepare_deviation(db, plan_id, input)?))
    })();
    let (org, d) = checked_with(unread, checked)?;
    let now = now_ms();
    let id: i64 = db.scalar(
        "INSERT INTO plan_deviations (plan_id, key, measure_id, goal_id, indicator_id, what, why, consequence, correction, decided_by,
            decided_on, recorded_by_user_id, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13) RETURNING id",
        args![
            plan_id,
            new_key(),
            d.measure_id,
            d.goal_id,
            d.indicator_id,
            d.what.as_str(),
            d.why.as_str(),
            d.consequence.as_deref(),
            d.correction.as_deref(),
            d.decided_by.as_deref(),
            d.decided_on.map(|x| x.to_string()),
            v.user_id(),
            now
        ],
    )?;
    audit::record(db, v, Event::new("plan.deviation.record").record("plan_deviation", id).org(org))?;
    fetch_deviation(db, id)
}

/// The deviation and the party the viewer acts for, when the plan is in force.
fn writable_deviation(db: &mut dyn Conn, v: &Viewer, id: i64, wanted: Option<i64>) -> StoreResult<(Deviation, i64)> {
    let d = fetch_deviation(db, id)?;
    let doc = Doc::load(db, v, DocTable::Plan, d.plan_id).map_err(|e| match e {
        StoreError::NotFound { .. } => StoreError::not_found("deviation"),
        e => e,
    })?;
    let org = doc.acting_party(v, wanted, |org| Permission::FollowUpPlan { org })?;
    doc.require_in_force()?;
    Ok((d, org))
}

/// Changes every field of a deviation. `unread` as for [`enter_value`].
pub fn edit(db: &mut dyn Conn, v: &Viewer, id: i64, input: &DeviationInput, unread: FieldErrors) -> StoreResult<Deviation> {
    let checked = (|| {
        let (before, org) = writable_deviation(db, v, id, input.org_id)?;
        Ok((org, prepare_deviation(db, before.plan_id, input)?))
    })();
    let (org, d) = checked_with(unread, checked)?;
    db.execute(
        "UPDATE plan_deviations SET measure_id = $1, goal_id = $2, indicator_id = $3, what = $4, why = $5, consequence = $6, correction = $7,
            decided_by = $8, decided_on = $9, updated_at = $10 WHERE id = $11",
        args![
            d.measure_id,
            d.goal_id,
            d.indicator_id,
            d.what.as_str(),
            d.why.as_str(),
            d.consequence.as_deref(),
            d.correction.as_deref(),
            d.decided_by.as_deref(),
            d.decided_on.map(|x| x.to_string()),
            now_ms(),
            id
        ],
    )?;
    audit::record(db, v, Event::new("plan.deviation.edit").record("plan_deviation", id).org(org))?;
    fetch_deviation(db, id)
}

/// Removes a deviation from the plan in force.
pub fn remove(db: &mut dyn Conn, v: &Viewer, id: i64) -> StoreResult<()> {
    let (_, org) = writable_deviation(db, v, id, None)?;
    db.execute("DELETE FROM plan_deviations WHERE id = $1", args![id])?;
    audit::record(db, v, Event::new("plan.deviation.remove").record("plan_deviation", id).org(org))?;
    Ok(())
}

/// One deviation, when the viewer may read its plan.
pub fn deviation(db: &mut dyn Conn, v: &Viewer, id: i64) -> StoreResult<Deviation> {
    let d = fetch_deviation(db, id)?;
    Doc::load(db, v, DocTable::Plan, d.plan_id).map_err(|_| StoreError::not_found("deviation"))?;
    Ok(d)
}

/// The deviations of plan `plan_id`, newest first.
pub fn deviations(db: &mut dyn Conn, v: &Viewer, plan_id: i64) -> StoreResult<Vec<Deviation>> {
    Doc::load(db, v, DocTable::Plan, plan_id)?;
    Ok(db.all(&format!("{DEVIATION_SELECT} WHERE d.plan_id = $1 ORDER BY d.created_at DESC, d.id DESC"), args![plan_id])?)
}

/// Whether the viewer may follow plan `doc` up now (pages: show the forms or not).
pub fn may_follow_up(db: &mut dyn Conn, v: &Viewer, plan_id: i64) -> StoreResult<bool> {
    let doc = Doc::load(db, v, DocTable::Plan, plan_id)?;
    Ok(doc.status == DocumentStatus::Adopted && doc.acting_party(v, None, |org| Permission::FollowUpPlan { org }).is_ok())
}

// ---------------------------------------------------------------------------------------------
// The yearly follow-up report.

/// A goal of the report, in tree order.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = FollowUpReportGoal))]
pub struct ReportGoal {
    pub id: i64,
    /// `effect`, `result` or `process`.
    pub kind: String,
    pub kind_label: String,
    pub title: String,
    /// 0 for a root goal.
    pub depth: usize,
    pub level_label: Option<String>,
    pub weight: f64,
    /// Computed from the indicators and child goals (0…1).
    pub progress: Option<f64>,
    /// Indicators and child goals without progress, left out of it.
    pub left_out: usize,
    pub indicators: Vec<IndicatorSeries>,
}

/// A measure of the report, with its deviations.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = FollowUpReportMeasure))]
pub struct ReportMeasure {
    pub id: i64,
    pub title: String,
    pub responsible: String,
    pub status: String,
    pub status_label: String,
    pub start_on: Option<String>,
    pub end_on: Option<String>,
    pub deviations: Vec<Deviation>,
}

/// The report's totals.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = FollowUpReportTotals))]
pub struct ReportTotals {
    pub goals: usize,
    pub indicators: usize,
    /// Indicators with computed progress.
    pub indicators_with_progress: usize,
    pub measures: usize,
    /// Measures per status: (code, label, count), in the vocabulary's order.
    pub measures_by_status: Vec<(String, String, usize)>,
    /// Deviations of the year.
    pub deviations: usize,
    pub checks_passed: usize,
    pub checks_failed: usize,
    /// The weighted mean progress of the root goals.
    pub progress: Option<f64>,
}

/// The yearly follow-up report of a plan.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FollowUpReport {
    pub plan_id: i64,
    pub title: String,
    /// `null` for a working group's activity plan.
    pub municipality_code: Option<String>,
    pub period_from: String,
    pub period_to: String,
    /// `draft`, `adopted` or `superseded`.
    pub status: String,
    pub year: i32,
    /// Values up to the end of the year count.
    pub goals: Vec<ReportGoal>,
    pub measures: Vec<ReportMeasure>,
    /// Deviations recorded (or decided) in the year.
    pub deviations: Vec<Deviation>,
    pub checks: Vec<Check>,
    pub totals: ReportTotals,
}

/// The follow-up report of plan `plan_id` for `year` (values up to 31 December of the year).
pub fn report(db: &mut dyn Conn, v: &Viewer, plan_id: i64, year: i32) -> StoreResult<FollowUpReport> {
    if !(2000..=2100).contains(&year) {
        return Err(StoreError::invalid(FieldError::new("year", "year.invalid", "Ange ett år mellan 2000 och 2100, till exempel 2026.")));
    }
    let doc = Doc::load(db, v, DocTable::Plan, plan_id)?;
    report_of(db, plan_id, year, !doc.is_party(v))
}

/// [`report`] without the read check, for a caller that has made its own (a programme's steering
/// report reads its groups' activity plans under the programme's rule). `suppress` hides small
/// counts as for a reader outside the plan's parties.
pub(crate) fn report_of(db: &mut dyn Conn, plan_id: i64, year: i32, suppress: bool) -> StoreResult<FollowUpReport> {
    let plan = plan_row(db, plan_id)?;
    let until = format!("{year:04}-12-31");
    let goal_rows = db.map_all(
        "SELECT id, parent_id, kind, title, level, weight FROM plan_goals WHERE plan_id = $1 ORDER BY position, id",
        args![plan_id],
        |r| {
            Ok((
                r.get::<i64>("id")?,
                r.get::<Option<i64>>("parent_id")?,
                r.get::<String>("kind")?,
                r.get::<String>("title")?,
                r.get::<Option<String>>("level")?,
                r.get::<f64>("weight")?,
            ))
        },
    )?;
    let list = indicators_of(db, plan_id)?;
    let rows = value_rows(db, &list.iter().map(|i| i.id).collect::<Vec<_>>())?;
    let series: Vec<IndicatorSeries> = list.iter().map(|i| build_series(i, &rows, suppress, Some(&until))).collect();
    let forest = progress::forest(
        &goal_rows.iter().map(|g| (g.0, g.1, g.5)).collect::<Vec<_>>(),
        &series.iter().map(|s| (s.indicator.goal_id, s.progress)).collect::<Vec<_>>(),
    );
    let computed: Vec<GoalProgress> = forest.iter().map(progress::goal).collect();
    // Tree order: depth first through the forest.
    let mut ordered: Vec<(i64, usize)> = Vec::new();
    fn walk(n: &progress::GoalNode, depth: usize, out: &mut Vec<(i64, usize)>) {
        out.push((n.id, depth));
        for c in &n.children {
            walk(c, depth + 1, out);
        }
    }
    for n in &forest {
        walk(n, 0, &mut ordered);
    }
    let by_id: std::collections::HashMap<i64, &GoalProgress> =
        computed.iter().flat_map(GoalProgress::flatten).map(|g| (g.goal_id, g)).collect();
    let mut goals = Vec::new();
    for (id, depth) in ordered {
        let Some(g) = goal_rows.iter().find(|g| g.0 == id) else { continue };
        let kind = GoalKind::from_code(&g.2).ok_or_else(|| StoreError::Internal(format!("kind {}", g.2)))?;
        let p = by_id.get(&id);
        goals.push(ReportGoal {
            id,
            kind: g.2.clone(),
            kind_label: kind.label().to_owned(),
            title: g.3.clone(),
            depth,
            level_label: g.4.as_deref().and_then(brygga_domain::plans::ResultLevel::from_code).map(|l| l.label().to_owned()),
            weight: g.5,
            progress: p.and_then(|p| p.progress),
            left_out: p.map_or(0, |p| p.left_out),
            indicators: series.iter().filter(|s| s.indicator.goal_id == id).cloned().collect(),
        });
    }
    let all_deviations: Vec<Deviation> =
        db.all(&format!("{DEVIATION_SELECT} WHERE d.plan_id = $1 ORDER BY d.created_at, d.id"), args![plan_id])?;
    let in_year = |d: &Deviation| match &d.decided_on {
        Some(on) => on.starts_with(&format!("{year:04}-")),
        None => jiff::Timestamp::from_millisecond(d.created_at_ms)
            .map(|t| t.to_zoned(brygga_domain::time::stockholm()).year() == year as i16)
            .unwrap_or(false),
    };
    let deviations: Vec<Deviation> = all_deviations.into_iter().filter(in_year).collect();
    let measures: Vec<ReportMeasure> = db
        .map_all(
            "SELECT m.id, m.title, o.name AS responsible, m.status, m.start_on, m.end_on FROM plan_measures m
             JOIN organisations o ON o.id = m.responsible_org_id WHERE m.plan_id = $1 ORDER BY m.position, m.id",
            args![plan_id],
            |r| {
                let status: String = r.get("status")?;
                Ok(ReportMeasure {
                    id: r.get("id")?,
                    title: r.get("title")?,
                    responsible: r.get("responsible")?,
                    status_label: MeasureStatus::from_code(&status).map(|s| s.label().to_owned()).unwrap_or_default(),
                    status,
                    start_on: r.get("start_on")?,
                    end_on: r.get("end_on")?,
                    deviations: Vec::new(),
                })
            },
        )?
        .into_iter()
        .map(|mut m| {
            m.deviations = deviations.iter().filter(|d| d.measure_id == Some(m.id)).cloned().collect();
            m
        })
        .collect();
    let checks = evaluation::checks(&evaluation::read_input(db, plan_id, today())?);
    let roots: Vec<(f64, Option<f64>)> = forest.iter().zip(&computed).map(|(n, p)| (n.weight, p.progress)).collect();
    let weight: f64 = roots.iter().filter(|r| r.1.is_some()).map(|r| r.0).sum();
    let totals = ReportTotals {
        goals: goals.len(),
        indicators: series.len(),
        indicators_with_progress: series.iter().filter(|s| s.progress.is_some()).count(),
        measures: measures.len(),
        measures_by_status: MeasureStatus::ALL
            .iter()
            .map(|s| (s.code().to_owned(), s.label().to_owned(), measures.iter().filter(|m| m.status == s.code()).count()))
            .collect(),
        deviations: deviations.len(),
        checks_passed: checks.iter().filter(|c| c.passed).count(),
        checks_failed: checks.iter().filter(|c| !c.passed).count(),
        progress: (weight > 0.0).then(|| roots.iter().filter_map(|r| r.1.map(|p| p * r.0)).sum::<f64>() / weight),
    };
    Ok(FollowUpReport {
        plan_id,
        title: plan.title,
        municipality_code: plan.municipality_code,
        period_from: plan.period_from,
        period_to: plan.period_to,
        status: plan.status,
        year,
        goals,
        measures,
        deviations,
        checks,
        totals,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        s.parse().unwrap()
    }

    #[test]
    fn periods_start_on_their_first_day() {
        assert_eq!(period_start(Frequency::Monthly, d("2026-05-17")), d("2026-05-01"));
        assert_eq!(period_start(Frequency::Quarterly, d("2026-05-17")), d("2026-04-01"));
        assert_eq!(period_start(Frequency::Quarterly, d("2026-12-31")), d("2026-10-01"));
        assert_eq!(period_start(Frequency::HalfYearly, d("2026-06-30")), d("2026-01-01"));
        assert_eq!(period_start(Frequency::HalfYearly, d("2026-07-01")), d("2026-07-01"));
        assert_eq!(period_start(Frequency::Yearly, d("2026-07-01")), d("2026-01-01"));
        assert_eq!(period_label(Frequency::Quarterly, d("2026-04-01")), "kvartal 2 2026");
        assert_eq!(period_label(Frequency::Monthly, d("2026-11-01")), "november 2026");
        assert_eq!(period_label(Frequency::HalfYearly, d("2026-07-01")), "andra halvåret 2026");
    }

    #[test]
    fn a_period_that_is_not_a_period_start_is_refused_with_the_start() {
        assert_eq!(parse_period(Frequency::Quarterly, "2025-04-01"), Ok(d("2025-04-01")));
        assert_eq!(parse_period(Frequency::Monthly, "2025-11"), Ok(d("2025-11-01")));
        let e = parse_period(Frequency::Quarterly, "2025-05-01").unwrap_err();
        assert_eq!((e.field.as_str(), e.code), ("period", "plans.period_start"));
        assert!(e.message.contains("som börjar 2025-04-01"), "{}", e.message);
        assert_eq!(parse_period(Frequency::Yearly, "2025-07-01").unwrap_err().code, "plans.period_start");
        assert_eq!(parse_period(Frequency::Yearly, "2099-01-01").unwrap_err().code, "plans.period_future");
        assert_eq!(parse_period(Frequency::Yearly, "").unwrap_err().code, "required");
    }

    #[test]
    fn counts_are_summed_over_ended_complete_periods_and_shares_averaged() {
        let mut m = series::Series::new();
        for (k, x) in [("2026-01-01", 4.0), ("2026-02-01", 5.0), ("2026-03-01", 6.0), ("2026-04-01", 1.0), ("2026-05-01", 2.0)] {
            m.insert(d(k), x);
        }
        // Q1 is complete and ended: 15. Q2 has not ended on 2026-06-15.
        let q = aggregate(&m, Frequency::Quarterly, true, d("2026-06-15"));
        assert_eq!(q.into_iter().collect::<Vec<_>>(), [(d("2026-01-01"), 15.0)]);
        // A suppressed month (missing) leaves its quarter out even after it ended.
        m.remove(&d("2026-02-01"));
        assert!(!aggregate(&m, Frequency::Quarterly, true, d("2026-12-01")).contains_key(&d("2026-01-01")));
        // Shares: the mean of what there is.
        let s = aggregate(&m, Frequency::Yearly, false, d("2026-06-15"));
        assert_eq!(s.get(&d("2026-01-01")), Some(&((4.0 + 6.0 + 1.0 + 2.0) / 4.0)));
    }
}
