//! Totals over the published cells that pass the filters — by category, by place and overall —
//! each with its weekly series and the typical band of its chart. A hidden cell counts 0 in every
//! sum, so no total or difference gives a hidden count back.

use std::collections::BTreeMap;

use brygga_analys::trend::{self, TrendCell, TrendResult};

use super::aggregate::{Grid, Key};
use super::flags::{opts, place_name, trend_cell};
use super::{CategoryTotal, LOOKBACK, PictureQuery, Place, PlaceTotal, RECENT_WEEKS, SERIES_WEEKS, T, Total, WeeklyPicture};
use crate::kernel::error::{StoreError, StoreResult};
use crate::places::areas;

/// A place's published window and its hidden cells of the week.
type PlaceSums = BTreeMap<Option<i64>, (Vec<i64>, usize)>;

/// Fills the category totals and the grand total of `picture`, and returns the place totals
/// (for the hotspot layer).
pub(super) fn totals(
    picture: &mut WeeklyPicture,
    q: &PictureQuery,
    grid: &Grid,
    all_areas: &[areas::Area],
) -> StoreResult<Vec<PlaceTotal>> {
    let published = grid.published();
    let kept: Vec<&Key> = grid.shown.keys().filter(|k| q.keeps(&grid.cats[k.0], k.1)).collect();
    let by_category = category_sums(grid, &kept, &published);
    let place_sums = place_sums(grid, &kept, &published);
    let grand = sum_windows(kept.iter().map(|k| &published[*k]));
    let grand_hidden: usize = kept.iter().map(|k| grid.hidden(k)).sum();
    let bands = bands(&by_category, &place_sums, &grand, grid.first)?;
    let cats = &grid.cats;
    for (i, (c, sum, hidden)) in by_category.iter().enumerate() {
        picture.categories.push(CategoryTotal {
            code: cats[*c].code.clone(),
            name: cats[*c].name.clone(),
            category_ids: if grid.exact { cats[*c].ids.clone() } else { vec![] },
            total: total_of(sum, grid.first, *hidden, Some(&bands[i])),
        });
    }
    picture.categories.sort_by_key(|c| cats.iter().find(|x| x.code == c.code).map_or(i64::MAX, |x| x.sort_order));
    let place_bands: Vec<(Option<i64>, &TrendResult)> = place_sums.keys().copied().zip(&bands[by_category.len()..]).collect();
    let show_all_places = q.place.is_none() && q.category.is_none();
    let mut places = place_totals(all_areas, show_all_places, &place_sums, &place_bands, grid.first);
    if let Some(Place::Area(id)) = q.place {
        places.retain(|p| p.area_id == Some(id));
    }
    picture.total = total_of(&grand, grid.first, grand_hidden, bands.last());
    Ok(places)
}

/// Per category with kept cells (in the categories' order): its index, its summed window and
/// its hidden cells of the week.
fn category_sums(grid: &Grid, kept: &[&Key], published: &BTreeMap<Key, Vec<i64>>) -> Vec<(usize, Vec<i64>, usize)> {
    let mut out = Vec::new();
    for c in 0..grid.cats.len() {
        let members: Vec<_> = kept.iter().filter(|k| k.0 == c).collect();
        if members.is_empty() {
            continue;
        }
        let sum = sum_windows(members.iter().map(|k| &published[**k]));
        out.push((c, sum, members.iter().map(|k| grid.hidden(k)).sum()));
    }
    out
}

/// Per place with kept cells: its summed window and its hidden cells of the week.
fn place_sums(grid: &Grid, kept: &[&Key], published: &BTreeMap<Key, Vec<i64>>) -> PlaceSums {
    let mut place_sums = PlaceSums::new();
    for k in kept {
        let e = place_sums.entry(k.1).or_insert_with(|| (vec![0; LOOKBACK + 1], 0));
        for (s, v) in e.0.iter_mut().zip(&published[*k]) {
            *s += v;
        }
        e.1 += grid.hidden(k);
    }
    place_sums
}

/// One more call of the engine for the bands of the totals' charts (not flagged, not in BH):
/// the categories', then the places', then the grand total's.
fn bands(by_category: &[(usize, Vec<i64>, usize)], place_sums: &PlaceSums, grand: &[i64], first: usize) -> StoreResult<Vec<TrendResult>> {
    let as_published = |w: &[i64]| w.iter().map(|&v| Some(v)).collect::<Vec<_>>();
    let mut series_tests: Vec<TrendCell> = by_category.iter().map(|(_, w, _)| trend_cell(&as_published(w), first)).collect();
    series_tests.extend(place_sums.values().map(|(w, _)| trend_cell(&as_published(w), first)));
    series_tests.push(trend_cell(&as_published(grand), first));
    trend::detect(&series_tests, &opts()).map_err(|e| StoreError::Internal(format!("trend: {e}")))
}

/// A total from a 56-week window of published sums.
pub(super) fn total_of(window: &[i64], first: usize, hidden_cells: usize, result: Option<&TrendResult>) -> Total {
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
pub(super) fn place_totals(
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
            name: place_name(*k, area.map(|a| a.name.as_str())),
            kind: area.map(|a| a.kind.clone()),
            centroid: area.map(|a| a.centroid),
            total: total_of(w, first, *hidden, band(*k)),
            hotspot: None,
        });
    }
    out
}
