//! The weekly situation picture (lägesbild): counts by category × place for one municipality
//! and one ISO week, compared with a baseline, with the analysis engine's verdict on whether a
//! change is a trend or a temporary variation, a Getis–Ord Gi* hotspot layer over the places,
//! the sources in the picture, who can see it, and context (police events, reported crimes,
//! safety surveys).
//!
//! **Scopes** (`sharing::Scope`): an organisation's own picture, a forum's joint problem picture,
//! or everything shared in the municipality. DOMAIN.md keeps them apart; so does every number
//! here — each picture is computed from its own scope only.
//!
//! **Cost.** One aggregate query (`GROUP BY week, category_id, area_id` over the covering index
//! `observations_picture`) reads the 56 weeks the picture needs (the 52-week series and last
//! year's window); a second groups the week's reports by organisation and cell. No raw rows are
//! loaded.
//!
//! **Suppression.** When [`sharing::aggregate_threshold`] says the viewer is outside the scope,
//! each cell (category × place × week) is split into the part the viewer can read record by
//! record anyway (their organisations' reports and what is shared with their forums) and the
//! rest, and [`sharing::published_count`] publishes the cell only when the rest is zero or
//! reaches the threshold t; otherwise it is `null` (`<t`). The viewer's own reports can thus
//! never lift a hidden count over the threshold (padding a cell with back-dated reports and
//! subtracting them gives nothing back). A share link's viewer reads no records: the plain
//! threshold.
//!
//! The outsider's picture is a function of the published values only:
//! - *every* coarser number — category and place totals, the weekly series, the map and the
//!   hotspot layer, the grand total — is the sum of the published cells only, so no total or
//!   difference (between totals, filters or weeks) gives a hidden count back;
//! - the trend test runs on published values: a hidden week is *missing* — left out of the
//!   baseline (not counted as zero, not replaced by a stand-in); a cell whose week is hidden is
//!   not tested and carries no trend (`trend: null`); Benjamini–Hochberg ranks the published
//!   cells only; flags come from published cells only. A baseline left with fewer than four
//!   published weeks is not tested;
//! - the statistics that would depend on the exact count (expected count, p, q, the difference
//!   from the expected count, reports and counts per organisation) are left out;
//! - `sources` names an organisation only when it contributed to a published, non-zero cell of
//!   the week (not one whose reports are all hidden).
//!
//! What is published beyond the values: that a hidden cell exists (1 … t−1 reports that the
//! viewer cannot read), and which weeks have reports at all.

use std::collections::{BTreeMap, HashMap};

use brygga_analys::getis;
use brygga_analys::trend::{self, Direction, TrendCell, TrendOptions, TrendResult};
use brygga_analys::{Transform, WeightSpec};
use brygga_domain::FieldError;
use brygga_domain::geography;
use brygga_domain::time::{IsoWeek, format_number};
use serde::{Deserialize, Serialize};

use crate::forums::forum::{self, OrgRef};
use crate::kernel::db::{Conn, ConnExt, Value};
use crate::kernel::error::{StoreError, StoreResult};
use crate::kernel::sharing::{self, Scope};
use crate::kernel::sql::Query;
use crate::{Viewer, places::areas};

/// Weeks in the charts.
pub const SERIES_WEEKS: usize = 52;
/// Recent weeks in the baseline.
pub const RECENT_WEEKS: usize = 8;
/// Half-width of last year's window (the same ISO week ± this many).
pub const LAST_YEAR_HALF_WINDOW: usize = 3;
/// Weeks read before the week under test: last year's window reaches back 52 + 3.
const LOOKBACK: usize = 52 + LAST_YEAR_HALF_WINDOW;
/// Index of the week under test in the 56-week window.
const T: usize = LOOKBACK;
/// Default threshold below which counts are hidden outside the forum.
pub const DEFAULT_SUPPRESS_BELOW: i64 = 3;
/// Label of reports without a place.
pub const NO_PLACE: &str = "Ingen särskild plats";

/// A place filter: one area, or reports without an area.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Place {
    Area(i64),
    Unplaced,
}

/// What to compute.
#[derive(Debug, Clone, PartialEq)]
pub struct PictureQuery {
    pub scope: Scope,
    /// Four-digit municipality code.
    pub municipality: String,
    pub week: IsoWeek,
    /// Counts below this are hidden when the viewer is outside the scope (default 3).
    pub suppress_below: i64,
    /// Only this category (by code, or name in any case) in cells, flags and totals; the test
    /// still runs over all cells.
    pub category: Option<String>,
    /// Only this place.
    pub place: Option<Place>,
}

impl PictureQuery {
    pub fn new(scope: Scope, municipality: impl Into<String>, week: IsoWeek, suppress_below: i64) -> Self {
        Self { scope, municipality: municipality.into(), week, suppress_below, category: None, place: None }
    }
}

/// The verdict of the trend test for one cell or series. In suppressed pictures it is computed
/// from the published weeks only (a hidden week is left out of the baseline).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Trend {
    /// Enough baseline weeks (≥ 4) for a test.
    pub tested: bool,
    /// Expected count; `null` in suppressed pictures or without a baseline.
    pub expected: Option<f64>,
    /// The typical range ("normalt lo–hi"), the central 80 % of the predictive distribution.
    pub typical_low: i64,
    pub typical_high: i64,
    /// Two-sided p-value; `null` in suppressed pictures.
    pub p_value: Option<f64>,
    /// Benjamini–Hochberg q-value over the picture's cells; `null` in suppressed pictures.
    pub q_value: Option<f64>,
    /// The change is unlikely to be chance (q ≤ 0.05).
    pub flagged: bool,
    /// `increase`, `decrease` or `unchanged`.
    pub direction: String,
    /// Where the week's count lies: `above`, `within` or `below` the typical range; `null` when hidden.
    pub position: Option<String>,
    /// The week's count minus the expected count; `null` in suppressed pictures.
    pub change: Option<f64>,
    /// Weeks in the baseline.
    pub baseline_weeks: usize,
}

/// One category × place cell.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Cell {
    pub category_code: String,
    pub category_name: String,
    /// The category ids behind the code (one per forum checklist in the scope); empty in
    /// suppressed pictures (they would tell whose checklist a hidden count comes from).
    pub category_ids: Vec<i64>,
    /// `null`: reports without a place.
    pub area_id: Option<i64>,
    pub area_name: String,
    /// The week's count (sum of the reports' quantities); `null` when suppressed.
    pub count: Option<i64>,
    /// The count is below the threshold and hidden.
    pub suppressed: bool,
    /// Reports behind the count (`null` in suppressed pictures).
    pub reports: Option<i64>,
    /// The 52 weeks up to and including the week, oldest first; `null` where suppressed.
    pub series: Vec<Option<i64>>,
    /// The baseline's recent weeks (up to 8, oldest first); `null` where suppressed.
    pub baseline_recent: Vec<Option<i64>>,
    /// The same ISO weeks last year ± 3 (oldest first), when the data reaches back that far.
    pub baseline_last_year: Vec<Option<i64>>,
    /// The trend test on the published weeks; `null` when the week's count is hidden.
    pub trend: Option<Trend>,
}

impl Cell {
    /// The cell is flagged (a published change unlikely to be chance).
    pub fn flagged(&self) -> bool {
        self.trend.as_ref().is_some_and(|t| t.flagged)
    }
}

/// A flag: a change unlikely to be chance, as one plain Swedish sentence.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Flag {
    pub category_code: String,
    pub category_name: String,
    pub area_id: Option<i64>,
    pub area_name: String,
    pub count: i64,
    pub typical_low: i64,
    pub typical_high: i64,
    /// `increase` or `decrease`.
    pub direction: String,
    /// `null` in suppressed pictures.
    pub q_value: Option<f64>,
    /// "Klotter vid Stortorget: 14 rapporter v. 46 mot normalt 3–6 — ökningen är osannolik som slump"
    pub sentence: String,
}

/// A total over cells (a category, a place, or everything), with its weekly series.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Total {
    /// The week's total; in suppressed pictures the sum of the published cells only.
    pub count: i64,
    /// Cells of the week hidden from this total (suppressed pictures).
    pub hidden_cells: usize,
    /// 52 weeks, oldest first (sums of published cells in suppressed pictures).
    pub series: Vec<i64>,
    /// The typical range for the week, from the same test on this series (for the chart's band).
    pub typical_low: i64,
    pub typical_high: i64,
    /// The week's total minus the mean of the previous 8 weeks.
    pub change: f64,
    /// Mean of the previous 8 weeks.
    pub recent_mean: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CategoryTotal {
    pub code: String,
    pub name: String,
    /// The category ids behind the code (empty in suppressed pictures).
    pub category_ids: Vec<i64>,
    #[serde(flatten)]
    pub total: Total,
}

/// Getis–Ord Gi* for one place (this week's counts, k nearest places).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Hotspot {
    pub z: Option<f64>,
    /// esda's one-sided p-value in the direction of z.
    pub p: Option<f64>,
    /// `hot`, `cold` or `none` (two-sided 5 %).
    pub class: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PlaceTotal {
    /// `null`: reports without a place.
    pub area_id: Option<i64>,
    pub name: String,
    /// Kind of place (`square`, `park`, …); `null` for reports without a place.
    pub kind: Option<String>,
    /// `[lon, lat]` (WGS84).
    pub centroid: Option<[f64; 2]>,
    #[serde(flatten)]
    pub total: Total,
    pub hotspot: Option<Hotspot>,
}

/// An organisation whose reports are in the picture.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Source {
    pub org_id: i64,
    pub name: String,
    /// Reports this week; `null` in suppressed pictures.
    pub reports: Option<i64>,
    /// Sum of quantities this week; `null` in suppressed pictures.
    pub count: Option<i64>,
}

/// Who can see the picture.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Audience {
    /// `organisation` (own picture), `forum` (joint picture) or `signed_in` (aggregates for all).
    pub kind: String,
    /// The organisation or forum.
    pub name: Option<String>,
    /// The organisations whose users see the picture with exact counts.
    pub organisations: Vec<OrgRef>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PoliceEventCount {
    pub event_type: String,
    pub count: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CrimeRow {
    pub offence: String,
    /// `null`: suppressed in the source.
    pub count: Option<f64>,
    /// The same month a year earlier.
    pub last_year: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CrimeMonth {
    pub year: i64,
    pub month: i64,
    pub rows: Vec<CrimeRow>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SurveyResult {
    pub org_name: String,
    pub area_name: String,
    pub question: String,
    pub year: i64,
    /// Share answering "unsafe", 0–1.
    pub share_unsafe: f64,
    pub respondents: Option<i64>,
}

/// Shown beside the observations: public police events, reported crimes, safety surveys.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Context {
    pub police_events: Vec<PoliceEventCount>,
    pub police_events_total: i64,
    /// The latest month up to the week.
    pub crime_statistics: Option<CrimeMonth>,
    /// The latest survey year up to the week (own and shared results by scope; public ones outside it).
    pub surveys: Vec<SurveyResult>,
}

/// A choice for the picture's filters.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Choice {
    /// A category code, an area id, or `ingen` (reports without a place).
    pub value: String,
    pub label: String,
}

/// The weekly picture.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WeeklyPicture {
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub scope: Scope,
    /// The forum or organisation whose picture this is; the municipality for shared aggregates.
    pub title: String,
    pub municipality_code: String,
    pub municipality_name: String,
    /// `2026-W47`.
    pub week: String,
    /// The current week (the page does not go beyond it).
    pub current_week: String,
    /// The week has not ended: counts can still grow, decreases are not flagged.
    pub in_progress: bool,
    /// The 52 weeks of the series, oldest first.
    pub weeks: Vec<String>,
    /// `null`: exact counts; a number: counts below it are hidden (the viewer is outside).
    pub suppressed_below: Option<i64>,
    /// No reports in the picture up to this week.
    pub empty: bool,
    /// Why the picture is empty, in Swedish.
    pub message: Option<String>,
    pub flags: Vec<Flag>,
    pub cells: Vec<Cell>,
    pub categories: Vec<CategoryTotal>,
    /// Every place of the municipality, and reports without a place.
    pub places: Vec<PlaceTotal>,
    pub total: Total,
    /// Why there is no hotspot layer, when there is none.
    pub hotspot_note: Option<String>,
    /// The organisations with reports in the week's published cells (in suppressed pictures, not
    /// one whose reports of the week are all hidden).
    pub sources: Vec<Source>,
    pub audience: Audience,
    pub context: Context,
    /// Every category and place of the picture, for the filters (whatever is filtered).
    pub category_choices: Vec<Choice>,
    pub place_choices: Vec<Choice>,
}

impl WeeklyPicture {
    /// The picture's week.
    pub fn iso_week(&self) -> IsoWeek {
        IsoWeek::parse(&self.week).expect("formatted by us")
    }
}

/// `v. 46` (with the year when it differs from `context`).
pub fn week_label(w: IsoWeek, context: IsoWeek) -> String {
    if w.year() == context.year() { format!("v. {}", w.week()) } else { format!("v. {} {}", w.week(), w.year()) }
}

/// "3–6", or "3" when both ends are equal.
pub fn range_label(lo: i64, hi: i64) -> String {
    if lo == hi { format_number(lo as f64, 0) } else { format!("{}–{}", format_number(lo as f64, 0), format_number(hi as f64, 0)) }
}

/// The flag sentence: "Klotter vid Stortorget: 14 rapporter v. 46 mot normalt 3–6 — ökningen är
/// osannolik som slump".
pub fn flag_sentence(category: &str, area: Option<&str>, count: i64, week: IsoWeek, lo: i64, hi: i64, direction: Direction) -> String {
    let place = match area {
        Some(a) => format!("vid {a}"),
        None => "utan särskild plats".to_owned(),
    };
    let what = if count == 1 { "rapport" } else { "rapporter" };
    let verdict = match direction {
        Direction::Decrease => "minskningen är osannolik som slump",
        _ => "ökningen är osannolik som slump",
    };
    format!(
        "{category} {place}: {} {what} v. {} mot normalt {} — {verdict}",
        format_number(count as f64, 0),
        week.week(),
        range_label(lo, hi)
    )
}

/// One row of the aggregate: week, category, place, quantity, reports.
struct Agg {
    week: i64,
    category_id: i64,
    area_id: Option<i64>,
    quantity: i64,
    reports: i64,
    /// The part of `quantity` the viewer can read record by record.
    known: i64,
}

struct Cat {
    code: String,
    name: String,
    sort_order: i64,
    ids: Vec<i64>,
}

/// One cell's 56 weeks: all reports of the scope, the part the viewer can read record by record,
/// and the week's number of reports.
struct Window {
    total: Vec<i64>,
    known: Vec<i64>,
    reports: i64,
}

fn opts() -> TrendOptions {
    TrendOptions::default()
}

/// The trend cell for the week under test in a 56-week window of published counts whose first
/// `first` weeks lie before the scope had any data (they are missing, not zero). A hidden week
/// (`None`) is missing too: the baseline holds the published weeks only, never a hidden value
/// (nor a stand-in for one, which would still vary with what is hidden).
fn trend_cell(window: &[Option<i64>], first: usize) -> TrendCell {
    let weeks = |w: &[Option<i64>]| w.iter().flatten().map(|&v| to_u32(v)).collect::<Vec<_>>();
    let recent = weeks(&window[first.max(T - RECENT_WEEKS)..T]);
    let ly_end = T - 52 + LAST_YEAR_HALF_WINDOW;
    let last_year = (first <= ly_end).then(|| weeks(&window[first..=ly_end]));
    TrendCell { current: to_u32(window[T].unwrap_or(0)), recent, last_year }
}

fn to_u32(v: i64) -> u32 {
    u32::try_from(v.max(0)).unwrap_or(u32::MAX).min(trend::MAX_WEEKLY_COUNT)
}

fn position(count: i64, lo: i64, hi: i64) -> &'static str {
    if count > hi {
        "above"
    } else if count < lo {
        "below"
    } else {
        "within"
    }
}

fn trend_of(r: &TrendResult, count: Option<i64>, exact: bool, in_progress: bool) -> Trend {
    let (lo, hi) = (i64::from(r.typical_range.0), i64::from(r.typical_range.1));
    let expected = (r.expected.is_finite()).then_some(r.expected);
    // A week that has not ended always looks low: decreases wait for its end.
    let flagged = r.flagged && count.is_some() && !(in_progress && r.direction == Direction::Decrease);
    Trend {
        tested: r.tested,
        expected: expected.filter(|_| exact),
        typical_low: lo,
        typical_high: hi,
        p_value: exact.then_some(r.p_value),
        q_value: exact.then_some(r.q_value),
        flagged,
        direction: r.direction.as_str().to_owned(),
        position: count.map(|c| position(c, lo, hi).to_owned()),
        change: match (count, expected) {
            (Some(c), Some(e)) if exact => Some(c as f64 - e),
            _ => None,
        },
        baseline_weeks: r.baseline_weeks,
    }
}

/// A total from a 56-week window of published sums.
fn total_of(window: &[i64], first: usize, hidden_cells: usize, result: Option<&TrendResult>) -> Total {
    let recent = &window[first.max(T - RECENT_WEEKS)..T];
    let recent_mean = if recent.is_empty() { 0.0 } else { recent.iter().sum::<i64>() as f64 / recent.len() as f64 };
    let (lo, hi) = result.map_or((0, 0), |r| (i64::from(r.typical_range.0), i64::from(r.typical_range.1)));
    Total {
        count: window[T],
        hidden_cells,
        series: window[T + 1 - SERIES_WEEKS..].to_vec(),
        typical_low: lo,
        typical_high: hi,
        change: window[T] as f64 - recent_mean,
        recent_mean,
    }
}

fn municipality_name(code: &str) -> StoreResult<&'static str> {
    geography::municipality(code).map(|m| m.name).ok_or_else(|| {
        StoreError::invalid(FieldError::new("municipality", "municipality.unknown", format!("Det finns ingen kommun med koden {code}.")))
    })
}

/// The weekly picture of `q.municipality` in `q.week` for the scope, as the viewer may see it:
/// exact when the viewer is inside the scope, with small counts hidden otherwise (see the module
/// documentation). A week after the current one is a field error (`week`).
pub fn weekly(db: &mut dyn Conn, v: &Viewer, q: &PictureQuery) -> StoreResult<WeeklyPicture> {
    let threshold = sharing::aggregate_threshold(v, &q.scope, q.suppress_below.max(1))?;
    let exact = threshold.is_none();
    let municipality_name = municipality_name(&q.municipality)?;
    let current = IsoWeek::current();
    if q.week > current {
        return Err(StoreError::invalid(FieldError::new(
            "week",
            "week.future",
            format!(
                "Vecka {} har inte börjat än. Lägesbilden kan visa den här veckan ({}) eller en tidigare.",
                week_label(q.week, current),
                week_label(current, current)
            ),
        )));
    }
    let (title, audience) = audience(db, v, &q.scope, municipality_name)?;
    let window_weeks: Vec<IsoWeek> = (0..=LOOKBACK).map(|i| q.week.plus(i as i32 - LOOKBACK as i32)).collect();
    let index: HashMap<i64, usize> = window_weeks.iter().enumerate().map(|(i, w)| (i64::from(w.key()), i)).collect();
    let from = i64::from(window_weeks[0].key());
    let to = i64::from(q.week.key());

    // 1. The aggregate: one GROUP BY over the covering index, with the part the viewer can read
    //    record by record anyway (`known`, see `sharing::published_count`).
    let reader = if exact { v.clone() } else { sharing::reader_behind(v, db)? };
    let mut sql = Query::new(
        "SELECT o.week, o.category_id, o.area_id, CAST(SUM(o.quantity) AS BIGINT) AS quantity, COUNT(*) AS reports, CAST(SUM(CASE WHEN ",
    );
    sql.push_numbered(&sharing::readable(db.dialect(), "o", 1), sharing::readable_args(&reader));
    sql.raw(" THEN o.quantity ELSE 0 END) AS BIGINT) AS known FROM observations o WHERE ");
    sql.push("o.municipality_code = ? AND o.week >= ? AND o.week <= ? AND ", [q.municipality.as_str().into(), from.into(), to.into()]);
    let (pred, args) = sharing::scope_predicate("o", &q.scope, sql.next_param());
    sql.push_numbered(&pred, args);
    sql.raw(" GROUP BY o.week, o.category_id, o.area_id");
    let rows: Vec<Agg> = db.map_all(&sql.sql, &sql.params, |r| {
        Ok(Agg {
            week: r.get("week")?,
            category_id: r.get("category_id")?,
            area_id: r.get("area_id")?,
            quantity: r.get("quantity")?,
            reports: r.get("reports")?,
            known: r.get("known")?,
        })
    })?;

    // Weeks before the scope's first report are missing, not zero.
    let first_in_window = rows.iter().filter_map(|r| index.get(&r.week).copied()).min();
    let first = match first_in_window {
        Some(0) => 0,
        _ => {
            let earlier = first_week(db, &q.scope, &q.municipality, None, Some(from))?;
            if earlier.is_some() { 0 } else { first_in_window.unwrap_or(T + 1) }
        }
    };
    let in_progress = q.week == current;
    let context = context(db, &q.scope, exact, &q.municipality, q.week)?;
    let all_areas = areas::list(db, v, &q.municipality)?;
    let weeks: Vec<String> = window_weeks[T + 1 - SERIES_WEEKS..].iter().map(ToString::to_string).collect();
    let mut picture = WeeklyPicture {
        scope: q.scope,
        title,
        municipality_code: q.municipality.clone(),
        municipality_name: municipality_name.to_owned(),
        week: q.week.to_string(),
        current_week: current.to_string(),
        in_progress,
        weeks,
        suppressed_below: threshold,
        empty: false,
        message: None,
        flags: vec![],
        cells: vec![],
        categories: vec![],
        places: vec![],
        total: total_of(&[0; LOOKBACK + 1], T, 0, None),
        hotspot_note: None,
        sources: vec![],
        audience,
        context,
        category_choices: vec![],
        place_choices: all_areas.iter().map(|a| Choice { value: a.id.to_string(), label: a.name.clone() }).collect(),
    };
    if first > T {
        picture.empty = true;
        let later = first_week(db, &q.scope, &q.municipality, Some(to), None)?;
        picture.message = Some(match later.and_then(IsoWeek::from_key) {
            Some(w) => {
                format!("Bilden har inga rapporter före {}. Välj {} eller en senare vecka.", week_label(w, q.week), week_label(w, q.week))
            }
            None if first_in_window.is_none() && first_week(db, &q.scope, &q.municipality, None, None)?.is_some() => {
                format!("Bilden har inga rapporter under de {SERIES_WEEKS} veckorna fram till {}.", week_label(q.week, q.week))
            }
            None => "Det finns inga rapporter i den här bilden ännu.".to_owned(),
        });
        picture.places = place_totals(&all_areas, true, &BTreeMap::new(), &[], T + 1);
        picture.hotspot_note = Some("Ingen hotspotanalys: veckan har inga rapporter.".into());
        return Ok(picture);
    }

    // 2. Category names; the same code in several checklists is one category.
    let cat_ids: Vec<i64> = {
        let mut ids: Vec<i64> = rows.iter().map(|r| r.category_id).collect();
        ids.sort_unstable();
        ids.dedup();
        ids
    };
    let sql = format!("SELECT id, code, name, sort_order FROM categories WHERE {} ORDER BY sort_order, id", db.dialect().in_list("id", 1));
    let cat_rows: Vec<(i64, String, String, i64)> =
        db.map_all(&sql, &[Value::IntList(cat_ids)], |r| Ok((r.get("id")?, r.get("code")?, r.get("name")?, r.get("sort_order")?)))?;
    let mut cats: Vec<Cat> = Vec::new();
    let mut cat_of: HashMap<i64, usize> = HashMap::new();
    for (id, code, name, sort_order) in cat_rows {
        let i = match cats.iter().position(|c| c.code == code) {
            Some(i) => i,
            None => {
                cats.push(Cat { code, name, sort_order, ids: vec![] });
                cats.len() - 1
            }
        };
        cats[i].ids.push(id);
        cat_of.insert(id, i);
    }
    let area_name: HashMap<i64, &str> = all_areas.iter().map(|a| (a.id, a.name.as_str())).collect();
    picture.category_choices = cats.iter().map(|c| Choice { value: c.code.clone(), label: c.name.clone() }).collect();
    if rows.iter().any(|r| r.area_id.is_none()) {
        picture.place_choices.push(Choice { value: "ingen".into(), label: NO_PLACE.into() });
    }

    // 3. Cells: a 56-week window of counts each, and what of it the viewer may see.
    let mut windows: BTreeMap<(usize, Option<i64>), Window> = BTreeMap::new();
    for r in &rows {
        let (Some(&c), Some(&w)) = (cat_of.get(&r.category_id), index.get(&r.week)) else { continue };
        let e = windows.entry((c, r.area_id)).or_insert_with(|| Window {
            total: vec![0; LOOKBACK + 1],
            known: vec![0; LOOKBACK + 1],
            reports: 0,
        });
        e.total[w] += r.quantity;
        e.known[w] += r.known;
        if w == T {
            e.reports += r.reports;
        }
    }
    let keys: Vec<(usize, Option<i64>)> = windows.keys().copied().collect();
    // Everything below reads these published values only (exact ones inside the scope).
    let shown: BTreeMap<(usize, Option<i64>), Vec<Option<i64>>> = windows
        .iter()
        .map(|(k, w)| {
            let values = w.total.iter().zip(&w.known).map(|(&n, &known)| sharing::published_count(known, n - known, threshold));
            (*k, values.collect())
        })
        .collect();
    // The trend test (and Benjamini–Hochberg over its p-values) runs on the published cells only,
    // each on its published weeks only: a hidden week is missing from the baseline, and a cell
    // whose week is hidden is not tested at all.
    let tested: Vec<(usize, Option<i64>)> = keys.iter().filter(|k| shown[*k][T].is_some()).copied().collect();
    let tests: Vec<TrendCell> = tested.iter().map(|k| trend_cell(&shown[k], first)).collect();
    let results = trend::detect(&tests, &opts()).map_err(|e| StoreError::Internal(format!("trend: {e}")))?;
    let result_of: HashMap<(usize, Option<i64>), &TrendResult> = tested.iter().copied().zip(&results).collect();

    let keep = |c: usize, area: Option<i64>| {
        q.category.as_deref().is_none_or(|key| cats[c].code == key || cats[c].name.to_lowercase() == key.to_lowercase())
            && match q.place {
                None => true,
                Some(Place::Area(id)) => area == Some(id),
                Some(Place::Unplaced) => area.is_none(),
            }
    };
    // Published windows (hidden cells count 0 in every sum).
    let mut published: BTreeMap<(usize, Option<i64>), Vec<i64>> = BTreeMap::new();
    for k in &keys {
        let shown = &shown[k];
        published.insert(*k, shown.iter().map(|n| n.unwrap_or(0)).collect());
        if !keep(k.0, k.1) {
            continue;
        }
        let cat = &cats[k.0];
        let name = k.1.map_or(NO_PLACE.to_owned(), |id| area_name.get(&id).map_or_else(|| format!("Plats {id}"), |n| (*n).to_owned()));
        let count = shown[T];
        let result = result_of.get(k).copied();
        let trend = result.map(|r| trend_of(r, count, exact, in_progress));
        if let (Some(trend), Some(result)) = (trend.as_ref().filter(|t| t.flagged), result) {
            let c = count.expect("flagged cells are published");
            picture.flags.push(Flag {
                category_code: cat.code.clone(),
                category_name: cat.name.clone(),
                area_id: k.1,
                area_name: name.clone(),
                count: c,
                typical_low: trend.typical_low,
                typical_high: trend.typical_high,
                direction: trend.direction.clone(),
                q_value: trend.q_value,
                sentence: flag_sentence(
                    &cat.name,
                    k.1.map(|_| name.as_str()),
                    c,
                    q.week,
                    trend.typical_low,
                    trend.typical_high,
                    result.direction,
                ),
            });
        }
        let ly_end = T - 52 + LAST_YEAR_HALF_WINDOW;
        picture.cells.push(Cell {
            category_code: cat.code.clone(),
            category_name: cat.name.clone(),
            category_ids: if exact { cat.ids.clone() } else { vec![] },
            area_id: k.1,
            area_name: name,
            count,
            suppressed: count.is_none(),
            reports: exact.then_some(windows[k].reports),
            series: shown[T + 1 - SERIES_WEEKS..].to_vec(),
            baseline_recent: shown[first.max(T - RECENT_WEEKS)..T].to_vec(),
            baseline_last_year: if first <= ly_end { shown[first..=ly_end].to_vec() } else { vec![] },
            trend,
        });
    }
    picture.flags.sort_by(|a, b| {
        a.q_value.unwrap_or(0.0).total_cmp(&b.q_value.unwrap_or(0.0)).then(b.count.cmp(&a.count)).then(a.sentence.cmp(&b.sentence))
    });
    picture.cells.sort_by(|a, b| {
        let order = |c: &Cell| cats.iter().position(|x| x.code == c.category_code).unwrap_or(usize::MAX);
        order(a).cmp(&order(b)).then(a.area_id.is_none().cmp(&b.area_id.is_none())).then(a.area_name.cmp(&b.area_name))
    });

    // 4. Totals by category, place and overall, from the published cells that pass the filter.
    let kept: Vec<&(usize, Option<i64>)> = keys.iter().filter(|k| keep(k.0, k.1)).collect();
    let hidden = |k: &&(usize, Option<i64>)| usize::from(shown[*k][T].is_none());
    let mut sums: Vec<Vec<i64>> = Vec::new();
    let mut hidden_counts: Vec<usize> = Vec::new();
    let mut cat_totals: Vec<usize> = Vec::new();
    for (c, cat) in cats.iter().enumerate() {
        let members: Vec<_> = kept.iter().filter(|k| k.0 == c).collect();
        if members.is_empty() {
            continue;
        }
        let _ = cat;
        sums.push(sum_windows(members.iter().map(|k| &published[**k])));
        hidden_counts.push(members.iter().map(|k| hidden(k)).sum());
        cat_totals.push(c);
    }
    let mut place_sums: BTreeMap<Option<i64>, (Vec<i64>, usize)> = BTreeMap::new();
    for k in &kept {
        let e = place_sums.entry(k.1).or_insert_with(|| (vec![0; LOOKBACK + 1], 0));
        for (s, v) in e.0.iter_mut().zip(&published[*k]) {
            *s += v;
        }
        e.1 += hidden(k);
    }
    let grand = sum_windows(kept.iter().map(|k| &published[*k]));
    let grand_hidden: usize = kept.iter().map(hidden).sum();
    // One more call of the engine for the bands of the totals' charts (not flagged, not in BH).
    let as_published = |w: &[i64]| w.iter().map(|&v| Some(v)).collect::<Vec<_>>();
    let mut series_tests: Vec<TrendCell> = sums.iter().map(|w| trend_cell(&as_published(w), first)).collect();
    let place_keys: Vec<Option<i64>> = place_sums.keys().copied().collect();
    series_tests.extend(place_keys.iter().map(|k| trend_cell(&as_published(&place_sums[k].0), first)));
    series_tests.push(trend_cell(&as_published(&grand), first));
    let bands = trend::detect(&series_tests, &opts()).map_err(|e| StoreError::Internal(format!("trend: {e}")))?;
    for (i, &c) in cat_totals.iter().enumerate() {
        picture.categories.push(CategoryTotal {
            code: cats[c].code.clone(),
            name: cats[c].name.clone(),
            category_ids: if exact { cats[c].ids.clone() } else { vec![] },
            total: total_of(&sums[i], first, hidden_counts[i], Some(&bands[i])),
        });
    }
    picture.categories.sort_by_key(|c| cats.iter().find(|x| x.code == c.code).map_or(i64::MAX, |x| x.sort_order));
    let place_bands: Vec<(Option<i64>, &TrendResult)> = place_keys.iter().copied().zip(&bands[sums.len()..]).collect();
    let show_all_places = q.place.is_none() && q.category.is_none();
    let mut places = place_totals(&all_areas, show_all_places, &place_sums, &place_bands, first);
    if let Some(Place::Area(id)) = q.place {
        places.retain(|p| p.area_id == Some(id));
    }
    picture.total = total_of(&grand, first, grand_hidden, bands.last());
    picture.hotspot_note = hotspots(&mut places, &all_areas);
    picture.places = places;

    // 5. Sources: who contributed to the week's published cells.
    let published_now = |category_id: i64, area_id: Option<i64>| {
        cat_of.get(&category_id).and_then(|&c| shown.get(&(c, area_id))).is_some_and(|w| w[T].is_some_and(|n| n > 0))
    };
    picture.sources = sources(db, &q.scope, &q.municipality, to, exact, published_now)?;
    Ok(picture)
}

fn sum_windows<'a>(windows: impl Iterator<Item = &'a Vec<i64>>) -> Vec<i64> {
    let mut out = vec![0; LOOKBACK + 1];
    for w in windows {
        for (s, v) in out.iter_mut().zip(w) {
            *s += v;
        }
    }
    out
}

/// Places in the municipality's order (then reports without a place), with their totals: every
/// place with `every`, else only those with reports in the window.
fn place_totals(
    all_areas: &[areas::Area],
    every: bool,
    sums: &BTreeMap<Option<i64>, (Vec<i64>, usize)>,
    bands: &[(Option<i64>, &TrendResult)],
    first: usize,
) -> Vec<PlaceTotal> {
    let zero = (vec![0; LOOKBACK + 1], 0);
    let band = |k: Option<i64>| bands.iter().find(|b| b.0 == k).map(|b| b.1);
    let first = first.min(T);
    let mut out: Vec<PlaceTotal> = all_areas
        .iter()
        .filter(|a| every || sums.contains_key(&Some(a.id)))
        .map(|a| {
            let (w, hidden) = sums.get(&Some(a.id)).unwrap_or(&zero);
            PlaceTotal {
                area_id: Some(a.id),
                name: a.name.clone(),
                kind: Some(a.kind.clone()),
                centroid: Some(a.centroid),
                total: total_of(w, first, *hidden, band(Some(a.id))),
                hotspot: None,
            }
        })
        .collect();
    for (k, (w, hidden)) in sums {
        if out.iter().any(|p| p.area_id == *k) {
            continue;
        }
        let area = k.and_then(|id| all_areas.iter().find(|a| a.id == id));
        out.push(PlaceTotal {
            area_id: *k,
            name: match (k, area) {
                (None, _) => NO_PLACE.to_owned(),
                (Some(_), Some(a)) => a.name.clone(),
                (Some(id), None) => format!("Plats {id}"),
            },
            kind: area.map(|a| a.kind.clone()),
            centroid: area.map(|a| a.centroid),
            total: total_of(w, first, *hidden, band(*k)),
            hotspot: None,
        });
    }
    out
}

/// Gi* over the places' totals of the week (binary weights to the k nearest places, the place
/// itself included). Returns why there is no layer, if there is none.
fn hotspots(places: &mut [PlaceTotal], all_areas: &[areas::Area]) -> Option<String> {
    let idx: Vec<usize> = (0..places.len()).filter(|&i| places[i].area_id.is_some() && places[i].centroid.is_some()).collect();
    if idx.len() < 5 || idx.len() != all_areas.len() {
        return Some(format!(
            "Ingen hotspotanalys: den behöver minst fem platser i kommunen{}.",
            if idx.len() < 5 { format!(" (det finns {})", idx.len()) } else { String::new() }
        ));
    }
    let y: Vec<f64> = idx.iter().map(|&i| places[i].total.count as f64).collect();
    // Metres in a local projection around the places (good enough for neighbour order).
    let lat0 = idx.iter().map(|&i| places[i].centroid.expect("checked")[1]).sum::<f64>() / idx.len() as f64;
    let k = 4.min(idx.len() - 2);
    let points: Vec<[f64; 2]> = idx
        .iter()
        .map(|&i| {
            let [lon, lat] = places[i].centroid.expect("checked");
            [lon * 111_320.0 * lat0.to_radians().cos(), lat * 110_574.0]
        })
        .collect();
    let spec = WeightSpec::Knn { k };
    let weights = match spec.build_for_points(&points) {
        Ok(w) => w,
        Err(e) => return Some(format!("Ingen hotspotanalys: {e}.")),
    };
    match getis::local_g(&y, &weights, true, Transform::Binary, 0, 2024) {
        Ok(gs) => {
            for (&i, g) in idx.iter().zip(gs) {
                let z = g.z.is_finite().then_some(g.z);
                let p = g.p.is_finite().then_some(g.p);
                let class = match (z, p) {
                    (Some(z), Some(p)) if p <= 0.025 && z > 0.0 => "hot",
                    (Some(z), Some(p)) if p <= 0.025 && z < 0.0 => "cold",
                    _ => "none",
                };
                places[i].hotspot = Some(Hotspot { z, p, class: class.to_owned() });
            }
            None
        }
        Err(brygga_analys::Error::ZeroVariance) => {
            Some("Ingen hotspotanalys: alla platser har lika många rapporter den här veckan.".into())
        }
        Err(e) => Some(format!("Ingen hotspotanalys: {e}.")),
    }
}

/// The scope's first week with a report (`after`: strictly after; `before`: strictly before,
/// then the latest such week).
fn first_week(db: &mut dyn Conn, scope: &Scope, municipality: &str, after: Option<i64>, before: Option<i64>) -> StoreResult<Option<i64>> {
    let mut sql = Query::new("SELECT o.week FROM observations o WHERE ");
    sql.push("o.municipality_code = ? AND ", [municipality.into()]);
    let (pred, args) = sharing::scope_predicate("o", scope, sql.next_param());
    sql.push_numbered(&pred, args);
    if let Some(a) = after {
        sql.push(" AND o.week > ?", [a.into()]);
    }
    match before {
        Some(b) => sql.push(" AND o.week < ? ORDER BY o.week DESC LIMIT 1", [b.into()]),
        None => sql.raw(" ORDER BY o.week LIMIT 1"),
    };
    Ok(db.scalar_opt(&sql.sql, &sql.params)?)
}

/// The picture's title and who can see it.
fn audience(db: &mut dyn Conn, v: &Viewer, scope: &Scope, municipality_name: &str) -> StoreResult<(String, Audience)> {
    Ok(match scope {
        Scope::Own { org_id } => {
            let name: String = db
                .scalar_opt("SELECT name FROM organisations WHERE id = $1", crate::args![*org_id])?
                .ok_or(StoreError::not_found("organisation"))?;
            (
                name.clone(),
                Audience { kind: "organisation".into(), name: Some(name.clone()), organisations: vec![OrgRef { id: *org_id, name }] },
            )
        }
        Scope::Joint { forum_id } => {
            let f = forum::get(db, v, *forum_id)?;
            (f.name.clone(), Audience { kind: "forum".into(), name: Some(f.name), organisations: f.members })
        }
        Scope::Shared => (municipality_name.to_owned(), Audience { kind: "signed_in".into(), name: None, organisations: vec![] }),
    })
}

/// The organisations with reports in the week's published cells (`published(category_id,
/// area_id)`), with their numbers when the picture is exact.
fn sources(
    db: &mut dyn Conn,
    scope: &Scope,
    municipality: &str,
    week: i64,
    exact: bool,
    published: impl Fn(i64, Option<i64>) -> bool,
) -> StoreResult<Vec<Source>> {
    let mut sql = Query::new(
        "SELECT x.owner_org_id, g.name AS org_name, x.category_id, x.area_id, x.n, x.q FROM (SELECT o.owner_org_id AS owner_org_id, o.category_id AS category_id, o.area_id AS area_id, COUNT(*) AS n, CAST(SUM(o.quantity) AS BIGINT) AS q FROM observations o WHERE ",
    );
    sql.push("o.municipality_code = ? AND o.week = ? AND ", [municipality.into(), week.into()]);
    let (pred, args) = sharing::scope_predicate("o", scope, sql.next_param());
    sql.push_numbered(&pred, args);
    sql.raw(
        " GROUP BY o.owner_org_id, o.category_id, o.area_id) x JOIN organisations g ON g.id = x.owner_org_id ORDER BY g.name_key, g.id",
    );
    let rows: Vec<(i64, String, i64, Option<i64>, i64, i64)> = db.map_all(&sql.sql, &sql.params, |r| {
        Ok((r.get("owner_org_id")?, r.get("org_name")?, r.get("category_id")?, r.get("area_id")?, r.get("n")?, r.get("q")?))
    })?;
    let mut out: Vec<(i64, String, i64, i64)> = Vec::new();
    for (org_id, name, category_id, area_id, n, q) in rows {
        if !published(category_id, area_id) {
            continue;
        }
        match out.last_mut() {
            Some(last) if last.0 == org_id => {
                last.2 += n;
                last.3 += q;
            }
            _ => out.push((org_id, name, n, q)),
        }
    }
    Ok(out
        .into_iter()
        .map(|(org_id, name, n, q)| Source { org_id, name, reports: exact.then_some(n), count: exact.then_some(q) })
        .collect())
}

fn context(db: &mut dyn Conn, scope: &Scope, exact: bool, municipality: &str, week: IsoWeek) -> StoreResult<Context> {
    let police: Vec<(String, i64)> = db.map_all(
        "SELECT event_type, COUNT(*) AS n FROM police_events WHERE municipality_code = $1 AND week = $2 GROUP BY event_type ORDER BY COUNT(*) DESC, event_type",
        crate::args![municipality, i64::from(week.key())],
        |r| Ok((r.get("event_type")?, r.get("n")?)),
    )?;
    let police_events_total = police.iter().map(|p| p.1).sum();
    // The latest month that has begun by the end of the week.
    let sunday = week.monday().checked_add(jiff::Span::new().days(6)).unwrap_or(week.monday());
    let month_key = i64::from(sunday.year()) * 100 + i64::from(sunday.month());
    let latest: Option<(i64, i64)> = db.map_opt(
        "SELECT year, month FROM crime_statistics WHERE municipality_code = $1 AND year * 100 + month <= $2 ORDER BY year DESC, month DESC LIMIT 1",
        crate::args![municipality, month_key],
        |r| Ok((r.get("year")?, r.get("month")?)),
    )?;
    let crime_statistics = match latest {
        Some((year, month)) => {
            let rows: Vec<(String, Option<f64>, Option<f64>)> = db.map_all(
                "SELECT c.offence, c.crime_count, p.crime_count AS last_year FROM crime_statistics c
                 LEFT JOIN crime_statistics p ON p.municipality_code = c.municipality_code AND p.offence = c.offence AND p.year = c.year - 1 AND p.month = c.month
                 WHERE c.municipality_code = $1 AND c.year = $2 AND c.month = $3 ORDER BY c.offence",
                crate::args![municipality, year, month],
                |r| Ok((r.get("offence")?, r.get("crime_count")?, r.get("last_year")?)),
            )?;
            Some(CrimeMonth {
                year,
                month,
                rows: rows.into_iter().map(|(offence, count, last_year)| CrimeRow { offence, count, last_year }).collect(),
            })
        }
        None => None,
    };
    let mut sql = Query::new(
        "SELECT g.name AS org_name, s.area_name, s.question, s.year, s.share_unsafe, s.respondents FROM safety_surveys s JOIN organisations g ON g.id = s.owner_org_id WHERE ",
    );
    sql.push("s.municipality_code = ? AND s.year <= ? AND ", [municipality.into(), i64::from(week.year()).into()]);
    let (pred, args) = sharing::scope_predicate("s", scope, sql.next_param());
    sql.push_numbered(&pred, args);
    if !exact {
        // Outside the scope only published results: a survey shared with a forum stays there.
        sql.raw(" AND s.visibility = 'public'");
    }
    sql.raw(" ORDER BY s.year DESC, s.area_name, s.question LIMIT 200");
    let rows: Vec<SurveyResult> = db.map_all(&sql.sql, &sql.params, |r| {
        Ok(SurveyResult {
            org_name: r.get("org_name")?,
            area_name: r.get("area_name")?,
            question: r.get("question")?,
            year: r.get("year")?,
            share_unsafe: r.get("share_unsafe")?,
            respondents: r.get("respondents")?,
        })
    })?;
    let latest_year = rows.first().map(|r| r.year);
    let surveys = rows.into_iter().filter(|r| Some(r.year) == latest_year).collect();
    Ok(Context {
        police_events: police.into_iter().map(|(event_type, count)| PoliceEventCount { event_type, count }).collect(),
        police_events_total,
        crime_statistics,
        surveys,
    })
}

/// The organisations whose reports the picture of `q` is computed from: the owners of the
/// observations of `q.municipality` in the picture's weeks that the scope takes in (the same
/// predicate and window as [`weekly`]). For the audit of reads ([`weekly_audited`]).
pub(crate) fn owners(db: &mut dyn Conn, q: &PictureQuery) -> StoreResult<Vec<i64>> {
    let from = i64::from(q.week.plus(-(LOOKBACK as i32)).key());
    let to = i64::from(q.week.key());
    let mut sql = Query::new("SELECT DISTINCT o.owner_org_id FROM observations o WHERE ");
    sql.push("o.municipality_code = ? AND o.week >= ? AND o.week <= ? AND ", [q.municipality.as_str().into(), from.into(), to.into()]);
    let (pred, args) = sharing::scope_predicate("o", &q.scope, sql.next_param());
    sql.push_numbered(&pred, args);
    sql.raw(" ORDER BY o.owner_org_id");
    Ok(db.scalars(&sql.sql, &sql.params)?)
}

/// The weekly picture with the read to audit (run it through [`crate::Store::read_audited`]):
/// the owners are the organisations whose reports are in the picture's scope and window.
pub fn weekly_audited(
    db: &mut dyn Conn,
    v: &Viewer,
    q: &PictureQuery,
    action: &'static str,
    about: Option<(&'static str, i64)>,
    when: crate::kernel::audit::Reads,
) -> StoreResult<(WeeklyPicture, crate::kernel::audit::SharedRead)> {
    let picture = weekly(db, v, q)?;
    let owners = owners(db, q)?;
    Ok((picture, crate::kernel::audit::SharedRead { action, about, owners, when }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flag_sentences_read_as_the_issue_says() {
        let w = IsoWeek::new(2026, 46).unwrap();
        assert_eq!(
            flag_sentence("Klotter", Some("Stortorget"), 14, w, 3, 6, Direction::Increase),
            "Klotter vid Stortorget: 14 rapporter v. 46 mot normalt 3–6 — ökningen är osannolik som slump"
        );
        assert_eq!(
            flag_sentence("Nedskräpning", None, 1, w, 4, 4, Direction::Decrease),
            "Nedskräpning utan särskild plats: 1 rapport v. 46 mot normalt 4 — minskningen är osannolik som slump"
        );
    }

    #[test]
    fn small_counts_are_hidden_but_zero_is_not() {
        use sharing::published_count as publish;
        assert_eq!(publish(0, 0, Some(3)), Some(0));
        assert_eq!(publish(0, 1, Some(3)), None);
        assert_eq!(publish(0, 2, Some(3)), None);
        assert_eq!(publish(0, 3, Some(3)), Some(3));
        assert_eq!(publish(0, 1, None), Some(1));
        // What the viewer reads anyway never lifts a hidden count, and is shown when alone.
        assert_eq!(publish(5, 1, Some(3)), None);
        assert_eq!(publish(2, 0, Some(3)), Some(2));
        assert_eq!(publish(2, 3, Some(3)), Some(5));
        assert_eq!(publish(2, 1, None), Some(3));
    }

    #[test]
    fn weeks_before_the_first_report_are_not_in_the_baseline() {
        let mut window = vec![Some(0); LOOKBACK + 1];
        window[T] = Some(9);
        let all = trend_cell(&window, 0);
        assert_eq!((all.recent.len(), all.last_year.as_ref().map(Vec::len)), (8, Some(7)));
        let young = trend_cell(&window, T - 3);
        assert_eq!((young.recent.len(), young.last_year), (3, None));
        let partial = trend_cell(&window, 4);
        assert_eq!(partial.last_year.map(|l| l.len()), Some(3));
        // Hidden weeks are missing, not zero.
        window[T - 1] = None;
        window[2] = None;
        let hidden = trend_cell(&window, 0);
        assert_eq!((hidden.recent.len(), hidden.last_year.as_ref().map(Vec::len)), (7, Some(6)));
    }
}
