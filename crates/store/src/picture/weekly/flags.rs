//! The picture's verdicts in words: the trend test per cell (on the published weeks only), the
//! cells and the flags among them, and every Swedish sentence the picture carries (flags, why a
//! picture is empty, why there is no hotspot layer, refused weeks), kept here rather than spread
//! through the SQL and the statistics.

use std::collections::HashMap;

use brygga_analys::trend::{self, Direction, TrendCell, TrendOptions, TrendResult};
use brygga_domain::FieldError;
use brygga_domain::time::{IsoWeek, format_number};

use super::aggregate::{Cat, Grid, Key};
use super::{Cell, Flag, LAST_YEAR_HALF_WINDOW, PictureQuery, RECENT_WEEKS, SERIES_WEEKS, T, Trend, WeeklyPicture};
use crate::kernel::error::{StoreError, StoreResult};

/// Label of reports without a place.
pub const NO_PLACE: &str = "Ingen särskild plats";

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

pub(super) fn opts() -> TrendOptions {
    TrendOptions::default()
}

/// The trend cell for the week under test in a 56-week window of published counts whose first
/// `first` weeks lie before the scope had any data (they are missing, not zero). A hidden week
/// (`None`) is missing too: the baseline holds the published weeks only, never a hidden value
/// (nor a stand-in for one, which would still vary with what is hidden).
pub(super) fn trend_cell(window: &[Option<i64>], first: usize) -> TrendCell {
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

/// The trend test (and Benjamini–Hochberg over its p-values) on the published cells only, each
/// on its published weeks only: a hidden week is missing from the baseline, and a cell whose
/// week is hidden is not tested at all.
pub(super) fn test_cells(grid: &Grid) -> StoreResult<HashMap<Key, TrendResult>> {
    let tested: Vec<Key> = grid.shown.keys().filter(|k| grid.shown[*k][T].is_some()).copied().collect();
    let tests: Vec<TrendCell> = tested.iter().map(|k| trend_cell(&grid.shown[k], grid.first)).collect();
    let results = trend::detect(&tests, &opts()).map_err(|e| StoreError::Internal(format!("trend: {e}")))?;
    Ok(tested.into_iter().zip(results).collect())
}

/// The cells that pass the filters, with their trends, and the flags among them: the surest
/// first, then the largest.
pub(super) fn cells_and_flags(
    picture: &mut WeeklyPicture,
    q: &PictureQuery,
    grid: &Grid,
    results: &HashMap<Key, TrendResult>,
    area_name: &HashMap<i64, &str>,
) {
    for k in grid.shown.keys().filter(|k| q.keeps(&grid.cats[k.0], k.1)) {
        let cat = &grid.cats[k.0];
        let name = place_name(k.1, k.1.and_then(|id| area_name.get(&id).copied()));
        let count = grid.shown[k][T];
        let result = results.get(k);
        let trend = result.map(|r| trend_of(r, count, grid.exact, picture.in_progress));
        if let (Some(trend), Some(result)) = (trend.as_ref().filter(|t| t.flagged), result) {
            let c = count.expect("flagged cells are published");
            picture.flags.push(flag(cat, k.1, &name, c, q.week, trend, result.direction));
        }
        picture.cells.push(cell(grid, k, name, trend));
    }
    picture.flags.sort_by(|a, b| {
        a.q_value.unwrap_or(0.0).total_cmp(&b.q_value.unwrap_or(0.0)).then(b.count.cmp(&a.count)).then(a.sentence.cmp(&b.sentence))
    });
    let cats = &grid.cats;
    picture.cells.sort_by(|a, b| {
        let order = |c: &Cell| cats.iter().position(|x| x.code == c.category_code).unwrap_or(usize::MAX);
        order(a).cmp(&order(b)).then(a.area_id.is_none().cmp(&b.area_id.is_none())).then(a.area_name.cmp(&b.area_name))
    });
}

/// A flagged cell as a flag with its sentence.
fn flag(cat: &Cat, area_id: Option<i64>, name: &str, count: i64, week: IsoWeek, trend: &Trend, direction: Direction) -> Flag {
    Flag {
        category_code: cat.code.clone(),
        category_name: cat.name.clone(),
        area_id,
        area_name: name.to_owned(),
        count,
        typical_low: trend.typical_low,
        typical_high: trend.typical_high,
        direction: trend.direction.clone(),
        q_value: trend.q_value,
        sentence: flag_sentence(&cat.name, area_id.map(|_| name), count, week, trend.typical_low, trend.typical_high, direction),
    }
}

/// A cell as published: series and baselines of the published weeks, the exact numbers inside
/// the scope only.
fn cell(grid: &Grid, k: &Key, name: String, trend: Option<Trend>) -> Cell {
    let (cat, shown, first, exact) = (&grid.cats[k.0], &grid.shown[k], grid.first, grid.exact);
    let count = shown[T];
    let ly_end = T - 52 + LAST_YEAR_HALF_WINDOW;
    Cell {
        category_code: cat.code.clone(),
        category_name: cat.name.clone(),
        category_ids: if exact { cat.ids.clone() } else { vec![] },
        area_id: k.1,
        area_name: name,
        count,
        suppressed: count.is_none(),
        reports: exact.then_some(grid.windows[k].reports),
        series: shown[T + 1 - SERIES_WEEKS..].to_vec(),
        baseline_recent: shown[first.max(T - RECENT_WEEKS)..T].to_vec(),
        baseline_last_year: if first <= ly_end { shown[first..=ly_end].to_vec() } else { vec![] },
        trend,
    }
}

/// A place's name in the picture: the area's, [`NO_PLACE`] for reports without one, and a
/// stand-in for an area the viewer cannot list.
pub(super) fn place_name(area_id: Option<i64>, name: Option<&str>) -> String {
    match (area_id, name) {
        (None, _) => NO_PLACE.to_owned(),
        (Some(_), Some(n)) => n.to_owned(),
        (Some(id), None) => format!("Plats {id}"),
    }
}

/// A week after the current one.
pub(super) fn future_week(week: IsoWeek, current: IsoWeek) -> FieldError {
    FieldError::new(
        "week",
        "week.future",
        format!(
            "Vecka {} har inte börjat än. Lägesbilden kan visa den här veckan ({}) eller en tidigare.",
            week_label(week, current),
            week_label(current, current)
        ),
    )
}

/// An unknown municipality code.
pub(super) fn unknown_municipality(code: &str) -> FieldError {
    FieldError::new("municipality", "municipality.unknown", format!("Det finns ingen kommun med koden {code}."))
}

/// A municipality asked for by a code or name that does not exist.
pub(super) fn unknown_municipality_name(text: &str) -> FieldError {
    FieldError::new("municipality", "municipality.unknown", format!("Hittar ingen kommun som heter ”{text}”."))
}

/// A picture over several municipalities asked for without one.
pub(super) fn no_municipality() -> FieldError {
    FieldError::new("municipality", "municipality.required", "Bilden gäller flera kommuner. Välj kommun, till exempel ?kommun=Trelleborg.")
}

/// A place filter that is neither an area id nor `ingen`.
pub(super) fn not_a_place(text: &str) -> FieldError {
    FieldError::new("place", "place.invalid", format!("”{text}” är ingen plats. Välj en plats i listan eller ”{NO_PLACE}”."))
}

/// Why a picture is empty: its first report comes `later`; or it has reports, but only before
/// the 52 weeks; or none at all.
pub(super) fn empty_message(later: Option<IsoWeek>, before_window: bool, week: IsoWeek) -> String {
    match later {
        Some(w) => format!("Bilden har inga rapporter före {}. Välj {} eller en senare vecka.", week_label(w, week), week_label(w, week)),
        None if before_window => {
            format!("Bilden har inga rapporter under de {SERIES_WEEKS} veckorna fram till {}.", week_label(week, week))
        }
        None => "Det finns inga rapporter i den här bilden ännu.".to_owned(),
    }
}

/// Why there is no hotspot layer: the week has no reports.
pub(super) const NO_HOTSPOTS_EMPTY_WEEK: &str = "Ingen hotspotanalys: veckan har inga rapporter.";
/// … every place has as many reports.
pub(super) const NO_HOTSPOTS_EVEN: &str = "Ingen hotspotanalys: alla platser har lika många rapporter den här veckan.";

/// … the municipality has fewer than five places (or some cannot be placed on the map).
pub(super) fn no_hotspots_few_places(placed: usize) -> String {
    format!(
        "Ingen hotspotanalys: den behöver minst fem platser i kommunen{}.",
        if placed < 5 { format!(" (det finns {placed})") } else { String::new() }
    )
}

/// … the analysis refused.
pub(super) fn no_hotspots(e: impl std::fmt::Display) -> String {
    format!("Ingen hotspotanalys: {e}.")
}

#[cfg(test)]
mod tests {
    use super::super::LOOKBACK;
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
