//! The live figures of a lägesbild or problembild version, drawn from Brygga's own data for the
//! document's municipality and period, each block with its source and date:
//! - reported crimes per offence (Brå's statistics) against the same period a year earlier;
//!   months the source suppresses are missing, and the block says how many;
//! - the EST reports of the document's picture (the forum's joint picture, or the owner's own)
//!   per category and place against the same period a year earlier, and the flags of the
//!   period's last week;
//! - police events by type;
//! - the owner's safety survey results of the period's year.
//!
//! An adopted version keeps the figures it was adopted with (`frozen_figures`); viewers who are
//! not parties get counts below the threshold suppressed ([`suppress`]), frozen figures too.

use brygga_domain::time::IsoWeek;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::Viewer;
use crate::kernel::db::{Conn, ConnExt, Value};
use crate::kernel::error::{StoreError, StoreResult};
use crate::kernel::sharing::{self, Scope};
use crate::picture::weekly::{self, PictureQuery};

/// What the figures are drawn for.
#[derive(Debug, Clone, PartialEq)]
pub struct FigureSpec {
    pub municipality_code: String,
    pub from: Date,
    /// Inclusive.
    pub to: Date,
    pub year: i64,
    pub picture_forum_id: Option<i64>,
    pub picture_name: String,
    pub owner_org_id: i64,
    pub owner_name: String,
}

/// One counted row: a category, a place, an event type.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CountRow {
    pub name: String,
    /// `null` when hidden (fewer than the threshold, for viewers outside the document).
    pub count: Option<i64>,
    /// The same period a year earlier; `null` when hidden or not compared.
    pub previous: Option<i64>,
    /// A count was hidden: "färre än 3".
    #[serde(default)]
    pub hidden: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CrimeFigure {
    pub offence: String,
    /// Reported crimes over the period's months with a published value.
    pub count: Option<f64>,
    pub previous: Option<f64>,
    /// Months of the period the source suppressed (missing, never 0).
    pub suppressed_months: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SurveyFigure {
    pub area_name: String,
    pub question: String,
    /// Share answering "unsafe", 0–1.
    pub share_unsafe: f64,
    pub respondents: Option<i64>,
}

/// A block's source and date, shown under its table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Provenance {
    /// "Polisens anmälningsstatistik (Brå)".
    pub source: String,
    /// The latest data date (`2026-10-31`, `2026-10` for monthly statistics), or `null` without data.
    pub data_date: Option<String>,
    /// When the figures were computed (`2026-12-06`).
    pub computed_on: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CrimeBlock {
    pub provenance: Provenance,
    pub rows: Vec<CrimeFigure>,
    /// "3 månadsvärden är skyddade i källan och saknas här." or `null`.
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EstBlock {
    pub provenance: Provenance,
    pub categories: Vec<CountRow>,
    /// The places with the most reports (up to [`TOP_PLACES`]).
    pub places: Vec<CountRow>,
    /// The flags of the period's last week, as the weekly picture phrased them.
    pub flags: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EventBlock {
    pub provenance: Provenance,
    pub rows: Vec<CountRow>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SurveyBlock {
    pub provenance: Provenance,
    pub rows: Vec<SurveyFigure>,
}

/// Every figure block of a version.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Figures {
    /// `2026-01-01`.
    pub period_from: String,
    /// `2026-12-31`.
    pub period_to: String,
    pub crime: CrimeBlock,
    pub est: EstBlock,
    pub police_events: EventBlock,
    pub surveys: SurveyBlock,
}

/// How many places the EST block lists.
pub const TOP_PLACES: usize = 5;

fn ms(d: Date) -> StoreResult<i64> {
    d.to_zoned(brygga_domain::time::stockholm()).map(|z| z.timestamp().as_millisecond()).map_err(|e| StoreError::Internal(e.to_string()))
}

fn year_before(d: Date) -> Date {
    d.checked_sub(jiff::Span::new().years(1)).unwrap_or(d)
}

fn next_day(d: Date) -> Date {
    d.tomorrow().unwrap_or(d)
}

fn ms_date(ms: i64) -> Option<String> {
    jiff::Timestamp::from_millisecond(ms).ok().map(|t| t.to_zoned(brygga_domain::time::stockholm()).date().to_string())
}

/// Computes the figures live (exact counts: callers suppress for outsiders).
pub fn compute(db: &mut dyn Conn, v: &Viewer, spec: &FigureSpec) -> StoreResult<Figures> {
    let computed_on = brygga_domain::time::today().to_string();
    let provenance = |source: String, data_date: Option<String>| Provenance { source, data_date, computed_on: computed_on.clone() };
    Ok(Figures {
        period_from: spec.from.to_string(),
        period_to: spec.to.to_string(),
        crime: crime(db, spec, &provenance)?,
        est: est(db, v, spec, &provenance)?,
        police_events: events(db, spec, &provenance)?,
        surveys: surveys(db, spec, &provenance)?,
    })
}

fn month_key(d: Date) -> i64 {
    i64::from(d.year()) * 100 + i64::from(d.month())
}

fn crime(db: &mut dyn Conn, spec: &FigureSpec, provenance: &dyn Fn(String, Option<String>) -> Provenance) -> StoreResult<CrimeBlock> {
    let (from, to) = (month_key(spec.from), month_key(spec.to));
    let (pfrom, pto) = (month_key(year_before(spec.from)), month_key(year_before(spec.to)));
    let rows: Vec<(String, i64, Option<f64>)> = db.map_all(
        "SELECT offence, year * 100 + month AS ym, crime_count FROM crime_statistics
         WHERE municipality_code = $1 AND ((year * 100 + month BETWEEN $2 AND $3) OR (year * 100 + month BETWEEN $4 AND $5))
         ORDER BY offence",
        &[spec.municipality_code.as_str().into(), from.into(), to.into(), pfrom.into(), pto.into()],
        |r| Ok((r.get("offence")?, r.get("ym")?, r.get("crime_count")?)),
    )?;
    let mut out: Vec<CrimeFigure> = Vec::new();
    let mut latest: Option<i64> = None;
    for (offence, ym, count) in rows {
        let i = match out.iter().position(|c| c.offence == offence) {
            Some(i) => i,
            None => {
                out.push(CrimeFigure { offence, count: None, previous: None, suppressed_months: 0 });
                out.len() - 1
            }
        };
        let row = &mut out[i];
        let current = (from..=to).contains(&ym);
        match (count, current) {
            (Some(c), true) => {
                row.count = Some(row.count.unwrap_or(0.0) + c);
                latest = latest.max(Some(ym));
            }
            (Some(c), false) => row.previous = Some(row.previous.unwrap_or(0.0) + c),
            (None, true) => row.suppressed_months += 1,
            (None, false) => {}
        }
    }
    out.retain(|r| r.count.is_some() || r.suppressed_months > 0);
    let suppressed: i64 = out.iter().map(|r| r.suppressed_months).sum();
    let note = (suppressed > 0).then(|| {
        format!(
            "{suppressed} månadsvärden är skyddade i källan (för få anmälningar) och saknas här; summorna gäller de publicerade månaderna."
        )
    });
    Ok(CrimeBlock {
        provenance: provenance("Polisens anmälningsstatistik (Brå)".into(), latest.map(|ym| format!("{:04}-{:02}", ym / 100, ym % 100))),
        rows: out,
        note,
    })
}

fn scope(spec: &FigureSpec) -> Scope {
    match spec.picture_forum_id {
        Some(forum_id) => Scope::Joint { forum_id },
        None => Scope::Own { org_id: spec.owner_org_id },
    }
}

/// Sums of the picture's reports in `[from, to)` grouped by `group` (`category` or `place`).
fn est_counts(db: &mut dyn Conn, spec: &FigureSpec, from: Date, to: Date, by_place: bool) -> StoreResult<Vec<(String, i64)>> {
    let (pred, mut params) = sharing::scope_predicate("o", &scope(spec), 1);
    let n = params.len();
    params.extend([Value::from(spec.municipality_code.as_str()), ms(from)?.into(), ms(next_day(to))?.into()]);
    let (select, join, group) = if by_place {
        ("COALESCE(a.name, 'Ingen särskild plats')", "LEFT JOIN areas a ON a.id = o.area_id", "a.name")
    } else {
        ("c.name", "JOIN categories c ON c.id = o.category_id", "c.name")
    };
    Ok(db.map_all(
        &format!(
            "SELECT {select} AS name, CAST(SUM(o.quantity) AS BIGINT) AS quantity FROM observations o {join}
             WHERE {pred} AND o.municipality_code = ${} AND o.observed_at >= ${} AND o.observed_at < ${} GROUP BY {group}",
            n + 1,
            n + 2,
            n + 3
        ),
        &params,
        |r| Ok((r.get("name")?, r.get("quantity")?)),
    )?)
}

fn est(
    db: &mut dyn Conn,
    v: &Viewer,
    spec: &FigureSpec,
    provenance: &dyn Fn(String, Option<String>) -> Provenance,
) -> StoreResult<EstBlock> {
    let (pfrom, pto) = (year_before(spec.from), year_before(spec.to));
    let now = est_counts(db, spec, spec.from, spec.to, false)?;
    let before = est_counts(db, spec, pfrom, pto, false)?;
    let mut categories: Vec<CountRow> = now
        .iter()
        .map(|(name, n)| CountRow {
            name: name.clone(),
            count: Some(*n),
            previous: Some(before.iter().find(|b| b.0 == *name).map_or(0, |b| b.1)),
            hidden: false,
        })
        .collect();
    categories.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| crate::sort_key(&a.name).cmp(&crate::sort_key(&b.name))));
    let places_now = est_counts(db, spec, spec.from, spec.to, true)?;
    let places_before = est_counts(db, spec, pfrom, pto, true)?;
    let mut places: Vec<CountRow> = places_now
        .iter()
        .map(|(name, n)| CountRow {
            name: name.clone(),
            count: Some(*n),
            previous: Some(places_before.iter().find(|b| b.0 == *name).map_or(0, |b| b.1)),
            hidden: false,
        })
        .collect();
    places.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| crate::sort_key(&a.name).cmp(&crate::sort_key(&b.name))));
    places.truncate(TOP_PLACES);
    let (pred, mut params) = sharing::scope_predicate("o", &scope(spec), 1);
    let n = params.len();
    params.extend([Value::from(spec.municipality_code.as_str()), ms(spec.from)?.into(), ms(next_day(spec.to))?.into()]);
    let latest: Option<i64> = db.scalar(
        &format!(
            "SELECT MAX(o.observed_at) FROM observations o WHERE {pred} AND o.municipality_code = ${} AND o.observed_at >= ${} AND o.observed_at < ${}",
            n + 1,
            n + 2,
            n + 3
        ),
        &params,
    )?;
    // The flags of the period's last week (or this week, while the period runs), from the
    // weekly picture itself. A viewer who may not see the picture gets none.
    let last = IsoWeek::of_date(spec.to).min(IsoWeek::current());
    let q = PictureQuery::new(scope(spec), spec.municipality_code.clone(), last, 0);
    let flags = match weekly::weekly(db, v, &q) {
        Ok(p) => p.flags.into_iter().map(|f| f.sentence).collect(),
        Err(StoreError::Forbidden | StoreError::NotFound { .. }) => Vec::new(),
        Err(e) => return Err(e),
    };
    Ok(EstBlock {
        provenance: provenance(format!("EST-rapporter i {}", spec.picture_name), latest.and_then(ms_date)),
        categories,
        places,
        flags,
    })
}

fn events(db: &mut dyn Conn, spec: &FigureSpec, provenance: &dyn Fn(String, Option<String>) -> Provenance) -> StoreResult<EventBlock> {
    let (from, to) = (ms(spec.from)?, ms(next_day(spec.to))?);
    let mut rows: Vec<CountRow> = db.map_all(
        "SELECT event_type, COUNT(*) AS n FROM police_events WHERE municipality_code = $1 AND at >= $2 AND at < $3 GROUP BY event_type",
        &[spec.municipality_code.as_str().into(), from.into(), to.into()],
        |r| Ok(CountRow { name: r.get("event_type")?, count: Some(r.get("n")?), previous: None, hidden: false }),
    )?;
    rows.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| crate::sort_key(&a.name).cmp(&crate::sort_key(&b.name))));
    let latest: Option<i64> = db.scalar(
        "SELECT MAX(at) FROM police_events WHERE municipality_code = $1 AND at >= $2 AND at < $3",
        &[spec.municipality_code.as_str().into(), from.into(), to.into()],
    )?;
    Ok(EventBlock { provenance: provenance("Polisens händelser (polisen.se)".into(), latest.and_then(ms_date)), rows })
}

fn surveys(db: &mut dyn Conn, spec: &FigureSpec, provenance: &dyn Fn(String, Option<String>) -> Provenance) -> StoreResult<SurveyBlock> {
    let rows: Vec<SurveyFigure> = db.map_all(
        "SELECT area_name, question, share_unsafe, respondents FROM safety_surveys
         WHERE owner_org_id = $1 AND municipality_code = $2 AND year = $3 ORDER BY question, area_name",
        &[spec.owner_org_id.into(), spec.municipality_code.as_str().into(), spec.year.into()],
        |r| {
            Ok(SurveyFigure {
                area_name: r.get("area_name")?,
                question: r.get("question")?,
                share_unsafe: r.get("share_unsafe")?,
                respondents: r.get("respondents")?,
            })
        },
    )?;
    let date = (!rows.is_empty()).then(|| spec.year.to_string());
    Ok(SurveyBlock { provenance: provenance(format!("Trygghetsmätning {}, {}", spec.year, spec.owner_name), date), rows })
}

/// Hides every count from 1 to `threshold − 1` (and a survey result with fewer respondents):
/// what outsiders see of a shared or published version.
pub fn suppress(f: &mut Figures, threshold: i64) {
    let hide = |n: &mut Option<i64>| -> bool {
        if n.is_some_and(|c| c >= 1 && c < threshold) {
            *n = None;
            true
        } else {
            false
        }
    };
    for row in f.est.categories.iter_mut().chain(f.est.places.iter_mut()).chain(f.police_events.rows.iter_mut()) {
        let a = hide(&mut row.count);
        let b = hide(&mut row.previous);
        row.hidden = row.hidden || a || b;
    }
    for row in &mut f.crime.rows {
        for c in [&mut row.count, &mut row.previous] {
            if c.is_some_and(|x| x >= 1.0 && x < threshold as f64) {
                *c = None;
            }
        }
    }
    f.surveys.rows.retain(|s| s.respondents.is_none_or(|r| r >= threshold));
    // Flags name a single place's weekly count; outsiders get the aggregates only.
    f.est.flags.clear();
}

/// The kinds of source with data (for triangulation): crime statistics, police events, EST
/// reports, surveys.
pub fn kinds_with_data(f: &Figures) -> Vec<&'static str> {
    let mut kinds = Vec::new();
    if f.crime.rows.iter().any(|r| r.count.is_some() || r.suppressed_months > 0) {
        kinds.push("crime_statistics");
    }
    if !f.police_events.rows.is_empty() {
        kinds.push("police_events");
    }
    if !f.est.categories.is_empty() {
        kinds.push("observations");
    }
    if !f.surveys.rows.is_empty() {
        kinds.push("safety_survey");
    }
    kinds
}
