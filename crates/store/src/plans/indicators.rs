//! The indicators of a plan's goals: where the values come from (a Brygga series — EST reports
//! of a category at a place, reported crimes of an offence, a survey question — or values
//! entered by hand with their source), unit, desired direction, frequency, baseline (entered
//! with its source, or computed from the series at a date) and target.

use brygga_domain::plans::{Direction, Frequency, IndicatorSource};
use brygga_domain::text::TextRule;
use brygga_domain::time::today;
use brygga_domain::{FieldError, FieldErrors};
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use super::plan::{self, ActionPlan, opt_date};
use super::series::{self, SeriesSpec};
use super::{Doc, DocTable, new_key};
use crate::forum_work::actions::clean_text;
use crate::kernel::access::Action as Permission;
use crate::kernel::audit::{self, Event};
use crate::kernel::db::{Conn, ConnExt, DbError, FromRow, Row};
use crate::kernel::error::{StoreError, StoreResult};
use crate::kernel::sharing::{self, Scope};
use crate::{Viewer, args};

pub const NAME: TextRule = TextRule::line("name", "Indikatorns namn", 200);
pub const UNIT: TextRule = TextRule::line("unit", "Enheten", 60);
pub const MANUAL_SOURCE: TextRule = TextRule::line("manual_source", "Källan", 300).optional();
pub const BASELINE_SOURCE: TextRule = TextRule::line("baseline_source", "Baslinjens källa", 300).optional();
pub const SURVEY_QUESTION: TextRule = TextRule::line("survey_question", "Frågan", 300).optional();
pub const SURVEY_AREA: TextRule = TextRule::line("survey_area", "Området", 200).optional();

const MONTHS: [&str; 12] =
    ["januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september", "oktober", "november", "december"];

/// `mars 2026`.
pub fn month_name(d: Date) -> String {
    format!("{} {}", MONTHS[(d.month() - 1) as usize], d.year())
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Indicator {
    pub id: i64,
    pub plan_id: i64,
    pub key: String,
    pub goal_id: i64,
    pub name: String,
    /// `observations`, `crime_statistics`, `safety_survey` or `manual`.
    pub source: String,
    pub source_label: String,
    pub category_id: Option<i64>,
    pub category_name: Option<String>,
    pub area_id: Option<i64>,
    pub area_name: Option<String>,
    pub offence: Option<String>,
    pub survey_question: Option<String>,
    pub survey_area: Option<String>,
    pub manual_source: Option<String>,
    pub unit: String,
    /// `increase`, `decrease` or `keep`.
    pub direction: String,
    pub direction_label: String,
    pub baseline_value: Option<f64>,
    /// `2026-03-01`.
    pub baseline_on: Option<String>,
    /// Computed from the series (not entered by hand).
    pub baseline_computed: bool,
    pub baseline_source: Option<String>,
    /// The baseline is a small count of EST reports hidden from a reader outside the plan's
    /// parties (the small-count suppression): `baseline_value` is then `null`.
    pub baseline_suppressed: bool,
    pub target_value: Option<f64>,
    pub target_on: Option<String>,
    /// `monthly`, `quarterly`, `half_yearly` or `yearly`.
    pub frequency: String,
    pub frequency_label: String,
    pub position: i64,
}

impl Indicator {
    pub fn source(&self) -> IndicatorSource {
        IndicatorSource::from_code(&self.source).unwrap_or(IndicatorSource::Manual)
    }

    /// Hides a baseline computed from a small count of EST reports (1 … `threshold` − 1), as
    /// every published aggregate is hidden: for readers outside the plan's parties.
    pub fn suppress(&mut self, threshold: i64) {
        if self.source() == IndicatorSource::Observations
            && self.baseline_computed
            && let Some(v) = self.baseline_value
            && sharing::published_count(0, v.round() as i64, Some(threshold)).is_none()
        {
            self.baseline_value = None;
            self.baseline_suppressed = true;
        }
    }
}

/// The SELECT that [`Indicator::from_row`] decodes, by the names given here.
const SELECT: &str = "SELECT i.id, i.plan_id, i.key, i.goal_id, i.name, i.source, i.category_id, c.name AS category_name, i.area_id,
        a.name AS area_name, i.offence, i.survey_question, i.survey_area, i.manual_source, i.unit, i.direction, i.baseline_value,
        i.baseline_on, i.baseline_computed, i.baseline_source, i.target_value, i.target_on, i.frequency, i.position
     FROM plan_indicators i LEFT JOIN categories c ON c.id = i.category_id LEFT JOIN areas a ON a.id = i.area_id";

impl FromRow for Indicator {
    fn from_row(r: &Row) -> Result<Self, DbError> {
        let source: String = r.get("source")?;
        let direction: String = r.get("direction")?;
        let frequency: String = r.get("frequency")?;
        let label = |o: Option<&'static str>, what: &str| o.map(str::to_owned).ok_or_else(|| DbError::Decode(what.to_owned()));
        Ok(Self {
            id: r.get("id")?,
            plan_id: r.get("plan_id")?,
            key: r.get("key")?,
            goal_id: r.get("goal_id")?,
            name: r.get("name")?,
            source_label: label(IndicatorSource::from_code(&source).map(|s| s.label()), "source")?,
            source,
            category_id: r.get("category_id")?,
            category_name: r.get("category_name")?,
            area_id: r.get("area_id")?,
            area_name: r.get("area_name")?,
            offence: r.get("offence")?,
            survey_question: r.get("survey_question")?,
            survey_area: r.get("survey_area")?,
            manual_source: r.get("manual_source")?,
            unit: r.get("unit")?,
            direction_label: label(Direction::from_code(&direction).map(|s| s.label()), "direction")?,
            direction,
            baseline_value: r.get("baseline_value")?,
            baseline_on: r.get("baseline_on")?,
            baseline_computed: r.get("baseline_computed")?,
            baseline_source: r.get("baseline_source")?,
            baseline_suppressed: false,
            target_value: r.get("target_value")?,
            target_on: r.get("target_on")?,
            frequency_label: label(Frequency::from_code(&frequency).map(|s| s.label()), "frequency")?,
            frequency,
            position: r.get("position")?,
        })
    }
}

pub(crate) fn for_plan(db: &mut dyn Conn, plan_id: i64) -> StoreResult<Vec<Indicator>> {
    Ok(db.all(&format!("{SELECT} WHERE i.plan_id = $1 ORDER BY i.position, i.id"), args![plan_id])?)
}

/// One indicator, if the viewer may read its plan.
pub fn get(db: &mut dyn Conn, v: &Viewer, id: i64) -> StoreResult<Indicator> {
    let i: Indicator = db.opt(&format!("{SELECT} WHERE i.id = $1"), args![id])?.ok_or(StoreError::not_found("indicator"))?;
    Doc::load(db, v, DocTable::Plan, i.plan_id).map_err(|_| StoreError::not_found("indicator"))?;
    Ok(i)
}

/// The series an indicator's values come from, in the plan's picture: the joint picture of the
/// plan's forum when it has one, otherwise the owner's own. `None` for values entered by hand.
pub fn spec(plan: &ActionPlan, indicator: &Indicator) -> Option<SeriesSpec> {
    spec_of(
        plan,
        indicator.source(),
        indicator.category_id,
        indicator.area_id,
        indicator.offence.clone(),
        indicator.survey_question.clone(),
        indicator.survey_area.clone(),
    )
}

fn spec_of(
    plan: &ActionPlan,
    source: IndicatorSource,
    category_id: Option<i64>,
    area_id: Option<i64>,
    offence: Option<String>,
    survey_question: Option<String>,
    survey_area: Option<String>,
) -> Option<SeriesSpec> {
    if source == IndicatorSource::Manual {
        return None;
    }
    let municipality_code = plan.municipality_code.clone()?;
    let scope = match plan.picture_forum_id {
        Some(forum_id) => Scope::Joint { forum_id },
        None => Scope::Own { org_id: plan.owner.id },
    };
    Some(SeriesSpec {
        source,
        municipality_code,
        scope,
        category_id,
        area_id,
        offence,
        survey_question,
        survey_area,
        owner_org_id: plan.owner.id,
    })
}

/// An indicator as sent by a form or the API.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct IndicatorInput {
    /// The goal it measures (same plan).
    pub goal_id: i64,
    pub name: String,
    /// `observations`, `crime_statistics`, `safety_survey` or `manual`.
    pub source: String,
    /// For `observations`: a category of the plan's picture's checklist.
    #[serde(default)]
    pub category_id: Option<i64>,
    /// For `observations`: a place in the municipality; empty: the whole municipality.
    #[serde(default)]
    pub area_id: Option<i64>,
    /// For `crime_statistics`: an offence with statistics for the municipality.
    #[serde(default)]
    pub offence: Option<String>,
    /// For `safety_survey`: the question.
    #[serde(default)]
    pub survey_question: Option<String>,
    /// For `safety_survey`: the survey's area name; empty: all areas.
    #[serde(default)]
    pub survey_area: Option<String>,
    /// For `manual`: where the values come from.
    #[serde(default)]
    pub manual_source: Option<String>,
    /// E.g. "rapporter per månad", "anmälda brott", "procent".
    pub unit: String,
    /// `increase`, `decrease` or `keep`.
    pub direction: String,
    /// `monthly`, `quarterly`, `half_yearly` or `yearly`.
    pub frequency: String,
    /// Compute the baseline from the series at `baseline_on` (not for `manual`); the value and
    /// the source are then filled in by Brygga.
    #[serde(default)]
    pub compute_baseline: bool,
    /// Entered baseline (with `baseline_on` and `baseline_source`).
    #[serde(default)]
    pub baseline_value: Option<f64>,
    /// `2026-03-01`.
    #[serde(default)]
    pub baseline_on: Option<String>,
    #[serde(default)]
    pub baseline_source: Option<String>,
    #[serde(default)]
    pub target_value: Option<f64>,
    /// `2027-12-31`; not before the baseline date.
    #[serde(default)]
    pub target_on: Option<String>,
}

/// An indicator that passed every check (with its baseline computed when asked).
#[derive(Debug, Clone, PartialEq)]
pub struct ValidIndicator {
    pub goal_id: i64,
    pub name: String,
    pub source: IndicatorSource,
    pub category_id: Option<i64>,
    pub area_id: Option<i64>,
    pub offence: Option<String>,
    pub survey_question: Option<String>,
    pub survey_area: Option<String>,
    pub manual_source: Option<String>,
    pub unit: String,
    pub direction: Direction,
    pub frequency: Frequency,
    pub baseline_value: Option<f64>,
    pub baseline_on: Option<Date>,
    pub baseline_computed: bool,
    pub baseline_source: Option<String>,
    pub target_value: Option<f64>,
    pub target_on: Option<Date>,
}

/// The categories an indicator of `plan` may count: the checklist of the plan's forum, or of
/// every forum of the municipality the owner is in.
fn category_name(db: &mut dyn Conn, plan: &ActionPlan, category_id: i64) -> StoreResult<Option<String>> {
    Ok(db.scalar_opt(
        "SELECT c.name FROM categories c JOIN forums f ON f.id = c.forum_id WHERE c.id = $1 AND f.municipality_code = $2
           AND (c.forum_id = $3 OR ($3 < 0 AND (f.convener_org_id = $4 OR EXISTS (SELECT 1 FROM forum_members fm WHERE fm.forum_id = f.id AND fm.org_id = $4))))",
        args![category_id, plan.municipality(), plan.picture_forum_id.unwrap_or(-1), plan.owner.id],
    )?)
}

/// Checks an indicator against the plan and its data sources, computes the baseline when asked,
/// and reports every problem at once.
pub fn prepare(db: &mut dyn Conn, plan: &ActionPlan, input: &IndicatorInput) -> StoreResult<ValidIndicator> {
    let mut errs = FieldErrors::new();
    let goal_ok: i64 = db.scalar("SELECT COUNT(*) FROM plan_goals WHERE id = $1 AND plan_id = $2", args![input.goal_id, plan.id])?;
    if goal_ok == 0 {
        errs.push(FieldError::new("goal_id", "plans.goal_unknown", "Målet finns inte i den här planen. Välj ett av planens mål."));
    }
    let name = clean_text(&mut errs, &NAME, Some(&input.name));
    let unit = clean_text(&mut errs, &UNIT, Some(&input.unit));
    let manual_source = clean_text(&mut errs, &MANUAL_SOURCE, input.manual_source.as_deref());
    let baseline_source = clean_text(&mut errs, &BASELINE_SOURCE, input.baseline_source.as_deref());
    let survey_question = clean_text(&mut errs, &SURVEY_QUESTION, input.survey_question.as_deref());
    let survey_area = clean_text(&mut errs, &SURVEY_AREA, input.survey_area.as_deref());
    let source = errs.take(IndicatorSource::parse(&input.source));
    if plan.is_activity() && source.is_some_and(|s| s != IndicatorSource::Manual) {
        errs.push(FieldError::new(
            "source",
            "plans.activity_source",
            "En aktivitetsplan gäller ingen enskild kommun, så indikatorn kan inte hämtas ur Brygga. Välj ”Manuell” och ange källan.",
        ));
    }
    let direction = errs.take(Direction::parse(&input.direction));
    let frequency = errs.take(Frequency::parse(&input.frequency));
    let offence = input.offence.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned);
    let mut category: Option<String> = None;
    let mut area: Option<String> = None;
    match source {
        Some(IndicatorSource::Observations) => match input.category_id {
            None => errs.push(FieldError::new("category_id", "required", "Välj vilken kategori i EST-rapporterna som indikatorn räknar.")),
            Some(c) => match category_name(db, plan, c)? {
                Some(n) => category = Some(n),
                None => errs.push(FieldError::new(
                    "category_id",
                    "plans.category_unknown",
                    "Kategorin finns inte i checklistan för planens lägesbild. Välj en kategori i listan.",
                )),
            },
        },
        Some(IndicatorSource::CrimeStatistics) => match &offence {
            None => errs.push(FieldError::new("offence", "required", "Välj vilket brott i statistiken som indikatorn följer.")),
            Some(o) => {
                let n: i64 = db.scalar(
                    "SELECT COUNT(*) FROM crime_statistics WHERE municipality_code = $1 AND offence = $2",
                    args![plan.municipality(), o.as_str()],
                )?;
                if n == 0 {
                    errs.push(FieldError::new(
                        "offence",
                        "plans.offence_unknown",
                        format!("Det finns ingen statistik över ”{o}” för kommunen. Välj ett brott i listan."),
                    ));
                }
            }
        },
        Some(IndicatorSource::SafetySurvey) if matches!(survey_question, Some(None)) => {
            errs.push(FieldError::new("survey_question", "required", "Ange vilken fråga i trygghetsmätningen som indikatorn följer."));
        }
        Some(IndicatorSource::Manual) if matches!(manual_source, Some(None)) => {
            errs.push(FieldError::new(
                "manual_source",
                "required",
                "Ange varifrån värdena kommer när de förs in för hand, till exempel ”Skolenkäten, årskurs 9”.",
            ));
        }
        _ => {}
    }
    if let (Some(IndicatorSource::Observations), Some(a)) = (source, input.area_id) {
        let n: Option<String> =
            db.scalar_opt("SELECT name FROM areas WHERE id = $1 AND municipality_code = $2", args![a, plan.municipality()])?;
        match n {
            Some(n) => area = Some(n),
            None => errs.push(FieldError::new(
                "area_id",
                "area.unknown",
                "Platsen finns inte i planens kommun. Välj en plats i listan, eller ingen för hela kommunen.",
            )),
        }
    }
    let baseline_on = opt_date(&mut errs, "baseline_on", input.baseline_on.as_deref());
    let target_on = opt_date(&mut errs, "target_on", input.target_on.as_deref());
    for (field, value) in [("baseline_value", input.baseline_value), ("target_value", input.target_value)] {
        if value.is_some_and(|x| !x.is_finite()) {
            errs.push(FieldError::new(field, "number.invalid", "Skriv ett tal, till exempel 12 eller 4,5."));
        }
    }
    let mut baseline_value = input.baseline_value;
    let mut baseline_source = baseline_source.flatten();
    if input.compute_baseline {
        match (source, baseline_on) {
            (Some(IndicatorSource::Manual), _) => errs.push(FieldError::new(
                "baseline_on",
                "plans.baseline_manual",
                "En indikator med värden som förs in för hand kan inte beräkna sin baslinje. För in värdet och dess källa.",
            )),
            (_, Some(None)) => errs.push(FieldError::new(
                "baseline_on",
                "required",
                "Ange datumet som baslinjen ska beräknas för, till exempel 2026-03-01.",
            )),
            (Some(src), Some(Some(on))) if errs.is_empty() => {
                let spec = spec_of(
                    plan,
                    src,
                    input.category_id,
                    input.area_id,
                    offence.clone(),
                    survey_question.clone().flatten(),
                    survey_area.clone().flatten(),
                )
                .expect("not manual");
                match series::value_at(db, &spec, on)? {
                    None => errs.push(FieldError::new(
                        "baseline_on",
                        "plans.baseline_no_data",
                        format!(
                            "Serien har inga värden för {}. Välj ett senare datum, eller för in värdet för hand med källa.",
                            if src == IndicatorSource::SafetySurvey { on.year().to_string() } else { month_name(on) }
                        ),
                    )),
                    Some(value) => {
                        baseline_value = Some(value);
                        let what = match src {
                            IndicatorSource::Observations => {
                                let mut s = format!("EST-rapporter {}", category.clone().unwrap_or_default());
                                if let Some(a) = &area {
                                    s.push_str(&format!(", {a}"));
                                }
                                format!("{s}, {}", month_name(on))
                            }
                            IndicatorSource::CrimeStatistics => {
                                format!("Anmälda brott {}, {}", offence.clone().unwrap_or_default(), month_name(on))
                            }
                            _ => format!("Trygghetsmätning ”{}”, {}", survey_question.clone().flatten().unwrap_or_default(), on.year()),
                        };
                        baseline_source = Some(format!("{what} (beräknat {})", today()));
                    }
                }
            }
            _ => {}
        }
    } else if baseline_value.is_some() || matches!(baseline_on, Some(Some(_))) {
        if baseline_value.is_none() {
            errs.push(FieldError::new("baseline_value", "required", "Ange baslinjens värde, eller töm datumet."));
        }
        if matches!(baseline_on, Some(None)) {
            errs.push(FieldError::new("baseline_on", "required", "Ange baslinjens datum, till exempel 2026-03-01."));
        }
        if baseline_source.is_none() {
            errs.push(FieldError::new(
                "baseline_source",
                "required",
                "Ange baslinjens källa, till exempel ”Trygghetsmätningen 2025”, eller välj att beräkna den från data.",
            ));
        }
    }
    if input.target_value.is_some() && matches!(target_on, Some(None)) {
        errs.push(FieldError::new("target_on", "required", "Ange när målvärdet ska vara nått, till exempel 2027-12-31."));
    }
    if let (Some(Some(b)), Some(Some(t))) = (baseline_on, target_on)
        && t < b
    {
        errs.push(FieldError::new(
            "target_on",
            "plans.target_before_baseline",
            format!("Måldatumet ({t}) ligger före baslinjens datum ({b}). Välj ett måldatum efter baslinjen."),
        ));
    }
    errs.into_result()?;
    let source = source.expect("checked");
    let is = |s: IndicatorSource| source == s;
    Ok(ValidIndicator {
        goal_id: input.goal_id,
        name: name.flatten().expect("checked"),
        source,
        category_id: input.category_id.filter(|_| is(IndicatorSource::Observations)),
        area_id: input.area_id.filter(|_| is(IndicatorSource::Observations)),
        offence: offence.filter(|_| is(IndicatorSource::CrimeStatistics)),
        survey_question: survey_question.flatten().filter(|_| is(IndicatorSource::SafetySurvey)),
        survey_area: survey_area.flatten().filter(|_| is(IndicatorSource::SafetySurvey)),
        manual_source: manual_source.flatten().filter(|_| is(IndicatorSource::Manual)),
        unit: unit.flatten().expect("checked"),
        direction: direction.expect("checked"),
        frequency: frequency.expect("checked"),
        baseline_value,
        baseline_on: baseline_on.flatten(),
        baseline_computed: input.compute_baseline,
        baseline_source,
        target_value: input.target_value,
        target_on: target_on.flatten(),
    })
}

/// Adds an indicator to a goal of a draft plan.
pub fn create(db: &mut dyn Conn, v: &Viewer, plan_id: i64, input: &IndicatorInput) -> StoreResult<Indicator> {
    let doc = Doc::load(db, v, DocTable::Plan, plan_id)?;
    let org = doc.acting_party(v, None, |org| Permission::WritePlan { org })?;
    doc.require_draft()?;
    let p = plan::fetch(db, plan_id)?;
    let i = prepare(db, &p, input)?;
    let id = insert(db, plan_id, &new_key(), &i)?;
    doc.touch(db, None)?;
    audit::record(db, v, Event::new("plan.indicator_create").record("plan", plan_id).org(org))?;
    get(db, v, id)
}

/// Writes a checked indicator with `key`.
pub(crate) fn insert(db: &mut dyn Conn, plan_id: i64, key: &str, i: &ValidIndicator) -> StoreResult<i64> {
    let position: i64 = db.scalar("SELECT COALESCE(MAX(position), 0) + 1 FROM plan_indicators WHERE plan_id = $1", args![plan_id])?;
    Ok(db.scalar(
        "INSERT INTO plan_indicators (plan_id, key, goal_id, name, source, category_id, area_id, offence, survey_question, survey_area,
            manual_source, unit, direction, baseline_value, baseline_on, baseline_computed, baseline_source, target_value, target_on,
            frequency, position)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21) RETURNING id",
        args![
            plan_id,
            key,
            i.goal_id,
            i.name.as_str(),
            i.source.code(),
            i.category_id,
            i.area_id,
            i.offence.as_deref(),
            i.survey_question.as_deref(),
            i.survey_area.as_deref(),
            i.manual_source.as_deref(),
            i.unit.as_str(),
            i.direction.code(),
            i.baseline_value,
            i.baseline_on.map(|d| d.to_string()),
            i.baseline_computed,
            i.baseline_source.as_deref(),
            i.target_value,
            i.target_on.map(|d| d.to_string()),
            i.frequency.code(),
            position
        ],
    )?)
}

/// Changes an indicator of a draft plan (every field; the baseline is recomputed when asked).
pub fn update(db: &mut dyn Conn, v: &Viewer, id: i64, input: &IndicatorInput) -> StoreResult<Indicator> {
    let before = get(db, v, id)?;
    let doc = Doc::load(db, v, DocTable::Plan, before.plan_id)?;
    let org = doc.acting_party(v, None, |org| Permission::WritePlan { org })?;
    doc.require_draft()?;
    let p = plan::fetch(db, before.plan_id)?;
    let i = prepare(db, &p, input)?;
    db.execute(
        "UPDATE plan_indicators SET goal_id = $1, name = $2, source = $3, category_id = $4, area_id = $5, offence = $6, survey_question = $7,
            survey_area = $8, manual_source = $9, unit = $10, direction = $11, baseline_value = $12, baseline_on = $13,
            baseline_computed = $14, baseline_source = $15, target_value = $16, target_on = $17, frequency = $18 WHERE id = $19",
        args![
            i.goal_id,
            i.name.as_str(),
            i.source.code(),
            i.category_id,
            i.area_id,
            i.offence.as_deref(),
            i.survey_question.as_deref(),
            i.survey_area.as_deref(),
            i.manual_source.as_deref(),
            i.unit.as_str(),
            i.direction.code(),
            i.baseline_value,
            i.baseline_on.map(|d| d.to_string()),
            i.baseline_computed,
            i.baseline_source.as_deref(),
            i.target_value,
            i.target_on.map(|d| d.to_string()),
            i.frequency.code(),
            id
        ],
    )?;
    doc.touch(db, None)?;
    audit::record(db, v, Event::new("plan.indicator_update").record("plan", before.plan_id).org(org))?;
    get(db, v, id)
}

/// Deletes an indicator of a draft plan (with its values).
pub fn delete(db: &mut dyn Conn, v: &Viewer, id: i64) -> StoreResult<()> {
    let before = get(db, v, id)?;
    let doc = Doc::load(db, v, DocTable::Plan, before.plan_id)?;
    let org = doc.acting_party(v, None, |org| Permission::WritePlan { org })?;
    doc.require_draft()?;
    db.execute("UPDATE plan_deviations SET indicator_id = NULL WHERE indicator_id = $1", args![id])?;
    db.execute("DELETE FROM plan_indicators WHERE id = $1", args![id])?;
    doc.touch(db, None)?;
    audit::record(db, v, Event::new("plan.indicator_delete").record("plan", before.plan_id).org(org))?;
    Ok(())
}

/// The offences with statistics for `municipality` (choices for the form).
pub fn offences(db: &mut dyn Conn, municipality: &str) -> StoreResult<Vec<String>> {
    Ok(db.scalars("SELECT DISTINCT offence FROM crime_statistics WHERE municipality_code = $1 ORDER BY offence", args![municipality])?)
}
