//! An indicator's values from Brygga's own data, by calendar month (Europe/Stockholm):
//! - `observations`: the quantity of reports of one category (by its code, across checklists),
//!   at one place or in the whole municipality, in the plan's picture — the joint picture of
//!   `picture_forum_id`, or the owner's own picture. Reports are counted in the month of their
//!   ISO week's Thursday (the week's month, as everywhere in Brygga).
//! - `crime_statistics`: reported crimes of one offence in the municipality per month; a value
//!   the source suppresses is missing, never 0.
//! - `safety_survey`: the share feeling unsafe for one question (and area, when given), once a
//!   year, dated 1 January of the survey year; only results the plan's owner may read.
//!
//! The series are aggregates; callers outside the document's parties apply the small-count
//! suppression ([`crate::kernel::sharing::published_count`] with the plan's threshold).

use std::collections::BTreeMap;

use brygga_domain::plans::IndicatorSource;
use brygga_domain::time::IsoWeek;
use jiff::civil::Date;

use crate::kernel::db::{Conn, ConnExt, Value};
use crate::kernel::error::StoreResult;
use crate::kernel::sharing::{self, Scope};
use crate::kernel::sql::Query;

/// What a series is drawn from.
#[derive(Debug, Clone, PartialEq)]
pub struct SeriesSpec {
    pub source: IndicatorSource,
    pub municipality_code: String,
    /// For observations: the picture it is counted in.
    pub scope: Scope,
    pub category_id: Option<i64>,
    pub area_id: Option<i64>,
    pub offence: Option<String>,
    pub survey_question: Option<String>,
    pub survey_area: Option<String>,
    /// The organisation whose survey results count (the plan's owner).
    pub owner_org_id: i64,
}

/// A month's (or a survey year's) value, keyed by the period's first day.
pub type Series = BTreeMap<Date, f64>;

fn first_of_month(d: Date) -> Date {
    d.first_of_month()
}

/// The series from `from` to `to` (inclusive, by period start). Manual indicators have none.
pub fn series(db: &mut dyn Conn, spec: &SeriesSpec, from: Date, to: Date) -> StoreResult<Series> {
    match spec.source {
        IndicatorSource::Observations => observations(db, spec, from, to),
        IndicatorSource::CrimeStatistics => crime_statistics(db, spec, from, to),
        IndicatorSource::SafetySurvey => safety_survey(db, spec, from, to),
        IndicatorSource::Manual => Ok(Series::new()),
    }
}

fn observations(db: &mut dyn Conn, spec: &SeriesSpec, from: Date, to: Date) -> StoreResult<Series> {
    let Some(category_id) = spec.category_id else { return Ok(Series::new()) };
    let first = IsoWeek::of_date(first_of_month(from)).plus(-1);
    let last = IsoWeek::of_date(to.last_of_month()).plus(1);
    let (scope_sql, scope_args) = sharing::scope_predicate("o", &spec.scope, 5);
    let mut q = Query::new(
        "SELECT o.week, CAST(SUM(o.quantity) AS BIGINT) AS quantity FROM observations o
         WHERE o.municipality_code = $1 AND o.week BETWEEN $2 AND $3
           AND o.category_id IN (SELECT c.id FROM categories c WHERE c.code = (SELECT code FROM categories WHERE id = $4)) AND ",
    );
    q.params.extend([
        Value::from(spec.municipality_code.as_str()),
        i64::from(first.key()).into(),
        i64::from(last.key()).into(),
        category_id.into(),
    ]);
    q.push_numbered(&scope_sql, scope_args);
    if let Some(area) = spec.area_id {
        q.push(" AND o.area_id = ?", [area.into()]);
    }
    q.raw(" GROUP BY o.week");
    let rows = db.query(&q.sql, &q.params)?;
    let mut out = Series::new();
    // Every month of the span is in the series (a month without reports is 0: reports are
    // complete in Brygga in a way that statistics are not).
    let mut m = first_of_month(from);
    while m <= to {
        out.insert(m, 0.0);
        m = m.checked_add(jiff::Span::new().months(1)).expect("in range");
    }
    for r in rows {
        let week: i64 = r.get("week")?;
        let quantity: i64 = r.get("quantity")?;
        let Some(w) = IsoWeek::from_key(week) else { continue };
        let thursday = w.monday().checked_add(jiff::Span::new().days(3)).expect("in range");
        if let Some(v) = out.get_mut(&first_of_month(thursday)) {
            *v += quantity as f64;
        }
    }
    Ok(out)
}

fn crime_statistics(db: &mut dyn Conn, spec: &SeriesSpec, from: Date, to: Date) -> StoreResult<Series> {
    let Some(offence) = spec.offence.as_deref() else { return Ok(Series::new()) };
    let rows = db.query(
        "SELECT year, month, crime_count FROM crime_statistics
         WHERE municipality_code = $1 AND offence = $2 AND year * 100 + month BETWEEN $3 AND $4 AND crime_count IS NOT NULL",
        &[
            spec.municipality_code.as_str().into(),
            offence.into(),
            (i64::from(from.year()) * 100 + i64::from(from.month())).into(),
            (i64::from(to.year()) * 100 + i64::from(to.month())).into(),
        ],
    )?;
    let mut out = Series::new();
    for r in rows {
        let (y, m): (i64, i64) = (r.get("year")?, r.get("month")?);
        let count: f64 = r.get("crime_count")?;
        if let Ok(d) = Date::new(y as i16, m as i8, 1) {
            out.insert(d, count);
        }
    }
    Ok(out)
}

fn safety_survey(db: &mut dyn Conn, spec: &SeriesSpec, from: Date, to: Date) -> StoreResult<Series> {
    let Some(question) = spec.survey_question.as_deref() else { return Ok(Series::new()) };
    let mut q = Query::new(
        "SELECT year, AVG(share_unsafe) AS share FROM safety_surveys WHERE municipality_code = $1 AND question = $2 AND owner_org_id = $3 AND year BETWEEN $4 AND $5",
    );
    q.params.extend([
        Value::from(spec.municipality_code.as_str()),
        question.into(),
        spec.owner_org_id.into(),
        i64::from(from.year()).into(),
        i64::from(to.year()).into(),
    ]);
    if let Some(area) = spec.survey_area.as_deref() {
        q.push(" AND area_name = ?", [area.into()]);
    }
    q.raw(" GROUP BY year");
    let mut out = Series::new();
    for r in db.query(&q.sql, &q.params)? {
        let year: i64 = r.get("year")?;
        let share: f64 = r.get("share")?;
        if let Ok(d) = Date::new(year as i16, 1, 1) {
            out.insert(d, share);
        }
    }
    Ok(out)
}

/// The value at `on`: the period containing that date (the month; the survey year). `None`
/// when the source has no value there — a baseline cannot be computed from nothing.
pub fn value_at(db: &mut dyn Conn, spec: &SeriesSpec, on: Date) -> StoreResult<Option<f64>> {
    let key = match spec.source {
        IndicatorSource::SafetySurvey => Date::new(on.year(), 1, 1).expect("valid"),
        _ => first_of_month(on),
    };
    let s = series(db, spec, key, on)?;
    Ok(match spec.source {
        // A month of EST reports exists only when any report in the municipality's picture
        // reaches that far: a month before the first report is not "0", it is "no data".
        IndicatorSource::Observations if !has_reports_by(db, spec, on)? => None,
        _ => s.get(&key).copied(),
    })
}

/// Whether the picture has any report at or before the month of `on` (for any category).
fn has_reports_by(db: &mut dyn Conn, spec: &SeriesSpec, on: Date) -> StoreResult<bool> {
    let last = IsoWeek::of_date(on.last_of_month());
    let (scope_sql, scope_args) = sharing::scope_predicate("o", &spec.scope, 3);
    let mut q = Query::new("SELECT COUNT(*) FROM observations o WHERE o.municipality_code = $1 AND o.week <= $2 AND ");
    q.params.extend([Value::from(spec.municipality_code.as_str()), i64::from(last.key()).into()]);
    q.push_numbered(&scope_sql, scope_args);
    let n: i64 = db.scalar(&q.sql, &q.params)?;
    Ok(n > 0)
}
