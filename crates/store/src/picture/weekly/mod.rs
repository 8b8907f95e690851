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
//!
//! **Shape.** [`weekly`] orchestrates; each concern has its own file: `aggregate` (the SQL
//! aggregate over the look-back window and the published cells), `flags` (the trend test per
//! cell, the flags, and every Swedish sentence of the picture), `totals` (category, place and
//! grand totals with their bands), `hotspots` (the Gi* layer), `context` (audience, sources,
//! police events, statistics, surveys) and `target` (which picture a request asks for, and
//! whether the viewer may see it).

use std::collections::HashMap;

use brygga_domain::time::IsoWeek;
use serde::{Deserialize, Serialize};

use crate::forums::forum::OrgRef;
use crate::kernel::db::{Conn, ConnExt};
use crate::kernel::error::{StoreError, StoreResult};
use crate::kernel::sharing::{self, Scope};
use crate::kernel::sql::Query;
use crate::{Viewer, places::areas};

mod aggregate;
mod context;
mod flags;
mod hotspots;
mod target;
mod totals;

use aggregate::{Agg, Cat, Grid, Weeks};
pub use flags::{NO_PLACE, flag_sentence, range_label, week_label};
pub use target::{Request, Target, resolve};

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

impl PictureQuery {
    /// What an audit entry of reading this picture is about: the forum, the organisation, or the
    /// municipality (by its code) for the shared aggregate.
    pub fn about(&self) -> Option<(&'static str, i64)> {
        Some(match self.scope {
            Scope::Joint { forum_id } => ("forum", forum_id),
            Scope::Own { org_id } => ("organisation", org_id),
            Scope::Shared => ("municipality", self.municipality.parse().unwrap_or(0)),
        })
    }

    /// The cell passes the picture's filters (category by code or name in any case, place).
    fn keeps(&self, cat: &Cat, area: Option<i64>) -> bool {
        self.category.as_deref().is_none_or(|key| cat.code == key || cat.name.to_lowercase() == key.to_lowercase())
            && match self.place {
                None => true,
                Some(Place::Area(id)) => area == Some(id),
                Some(Place::Unplaced) => area.is_none(),
            }
    }
}

fn municipality_name(code: &str) -> StoreResult<&'static str> {
    brygga_domain::geography::municipality(code).map(|m| m.name).ok_or_else(|| StoreError::invalid(flags::unknown_municipality(code)))
}

/// The weekly picture of `q.municipality` in `q.week` for the scope, as the viewer may see it:
/// exact when the viewer is inside the scope, with small counts hidden otherwise (see the module
/// documentation). A week after the current one is a field error (`week`).
pub fn weekly(db: &mut dyn Conn, v: &Viewer, q: &PictureQuery) -> StoreResult<WeeklyPicture> {
    let threshold = sharing::aggregate_threshold(v, &q.scope, q.suppress_below.max(1))?;
    let municipality_name = municipality_name(&q.municipality)?;
    let current = IsoWeek::current();
    if q.week > current {
        return Err(StoreError::invalid(flags::future_week(q.week, current)));
    }
    let weeks = Weeks::new(q.week);
    let (mut picture, all_areas) = outline(db, v, q, &weeks, threshold, current, municipality_name)?;
    // 1. The aggregate: one GROUP BY over the covering index, with the part the viewer can read
    //    record by record anyway (`known`, see `sharing::published_count`).
    let rows = aggregate::rows(db, v, q, threshold.is_none(), &weeks)?;
    let (first_in_window, first) = aggregate::first(db, q, &rows, &weeks)?;
    if first > T {
        empty(db, q, &weeks, &mut picture, first_in_window, &all_areas)?;
        return Ok(picture);
    }
    // 2. Categories (the same code in several checklists is one category) and cells: a 56-week
    //    window of counts each, and what of it the viewer may see.
    let grid = aggregate::grid(db, &rows, &weeks, threshold, first)?;
    choices(&mut picture, &grid, &rows);
    // 3. The trend test on the published cells, the cells that pass the filters, and the flags.
    let results = flags::test_cells(&grid)?;
    let area_name: HashMap<i64, &str> = all_areas.iter().map(|a| (a.id, a.name.as_str())).collect();
    flags::cells_and_flags(&mut picture, q, &grid, &results, &area_name);
    // 4. Totals by category, place and overall, from the published cells that pass the filter.
    let mut places = totals::totals(&mut picture, q, &grid, &all_areas)?;
    picture.hotspot_note = hotspots::hotspots(&mut places, &all_areas);
    picture.places = places;
    // 5. Sources: who contributed to the week's published cells.
    picture.sources = context::sources(db, &q.scope, &q.municipality, weeks.to, grid.exact, |c, a| grid.published_now(c, a))?;
    Ok(picture)
}

/// The picture before its numbers: title and audience, the weeks, the context panels and the
/// place choices (the municipality's places are returned for the maps and totals).
fn outline(
    db: &mut dyn Conn,
    v: &Viewer,
    q: &PictureQuery,
    weeks: &Weeks,
    threshold: Option<i64>,
    current: IsoWeek,
    municipality_name: &str,
) -> StoreResult<(WeeklyPicture, Vec<areas::Area>)> {
    let (title, audience) = context::audience(db, v, &q.scope, municipality_name)?;
    let context = context::context(db, &q.scope, threshold.is_none(), &q.municipality, q.week)?;
    let all_areas = areas::list(db, v, &q.municipality)?;
    let picture = WeeklyPicture {
        scope: q.scope,
        title,
        municipality_code: q.municipality.clone(),
        municipality_name: municipality_name.to_owned(),
        week: q.week.to_string(),
        current_week: current.to_string(),
        in_progress: q.week == current,
        weeks: weeks.series_labels(),
        suppressed_below: threshold,
        empty: false,
        message: None,
        flags: vec![],
        cells: vec![],
        categories: vec![],
        places: vec![],
        total: totals::total_of(&[0; LOOKBACK + 1], T, 0, None),
        hotspot_note: None,
        sources: vec![],
        audience,
        context,
        category_choices: vec![],
        place_choices: all_areas.iter().map(|a| Choice { value: a.id.to_string(), label: a.name.clone() }).collect(),
    };
    Ok((picture, all_areas))
}

/// A picture with no reports up to its week: why (and which week to choose instead), every
/// place with nothing, and no hotspot layer.
fn empty(
    db: &mut dyn Conn,
    q: &PictureQuery,
    weeks: &Weeks,
    picture: &mut WeeklyPicture,
    first_in_window: Option<usize>,
    all_areas: &[areas::Area],
) -> StoreResult<()> {
    picture.empty = true;
    let later = aggregate::first_week(db, &q.scope, &q.municipality, Some(weeks.to), None)?.and_then(IsoWeek::from_key);
    let before_window =
        later.is_none() && first_in_window.is_none() && aggregate::first_week(db, &q.scope, &q.municipality, None, None)?.is_some();
    picture.message = Some(flags::empty_message(later, before_window, q.week));
    picture.places = totals::place_totals(all_areas, true, &Default::default(), &[], T + 1);
    picture.hotspot_note = Some(flags::NO_HOTSPOTS_EMPTY_WEEK.into());
    Ok(())
}

/// The filters' choices: every category of the picture, and reports without a place when any.
fn choices(picture: &mut WeeklyPicture, grid: &Grid, rows: &[Agg]) {
    picture.category_choices = grid.cats.iter().map(|c| Choice { value: c.code.clone(), label: c.name.clone() }).collect();
    if rows.iter().any(|r| r.area_id.is_none()) {
        picture.place_choices.push(Choice { value: "ingen".into(), label: NO_PLACE.into() });
    }
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
    use crate::kernel::sharing;

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
}
