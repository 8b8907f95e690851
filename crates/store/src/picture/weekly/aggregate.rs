//! The picture's one SQL aggregate over the look-back window (`GROUP BY week, category_id,
//! area_id` over the covering index), the categories behind it, and each cell's published
//! weeks: everything after this module reads the published values only.

use std::collections::{BTreeMap, HashMap};

use brygga_domain::time::IsoWeek;

use super::{LOOKBACK, PictureQuery, SERIES_WEEKS, T};
use crate::Viewer;
use crate::kernel::db::{Conn, ConnExt, Value};
use crate::kernel::error::StoreResult;
use crate::kernel::sharing::{self, Scope};
use crate::kernel::sql::Query;

/// One row of the aggregate: week, category, place, quantity, reports.
pub(super) struct Agg {
    pub week: i64,
    pub category_id: i64,
    pub area_id: Option<i64>,
    quantity: i64,
    reports: i64,
    /// The part of `quantity` the viewer can read record by record.
    known: i64,
}

/// A category of the picture: one code, with the ids it has in the scope's checklists.
pub(super) struct Cat {
    pub code: String,
    pub name: String,
    pub sort_order: i64,
    pub ids: Vec<i64>,
}

/// One cell's 56 weeks: all reports of the scope, the part the viewer can read record by record,
/// and the week's number of reports.
pub(super) struct Window {
    total: Vec<i64>,
    known: Vec<i64>,
    pub reports: i64,
}

/// A cell: a category (index into [`Grid::cats`]) and a place (`None`: without a place).
pub(super) type Key = (usize, Option<i64>);

/// The 56 weeks the picture reads, oldest first (the week under test at [`T`]).
pub(super) struct Weeks {
    list: Vec<IsoWeek>,
    /// A week's key → its index in the window.
    index: HashMap<i64, usize>,
    /// The first and the last week's keys.
    pub from: i64,
    pub to: i64,
}

impl Weeks {
    pub fn new(week: IsoWeek) -> Self {
        let list: Vec<IsoWeek> = (0..=LOOKBACK).map(|i| week.plus(i as i32 - LOOKBACK as i32)).collect();
        let index: HashMap<i64, usize> = list.iter().enumerate().map(|(i, w)| (i64::from(w.key()), i)).collect();
        let from = i64::from(list[0].key());
        let to = i64::from(week.key());
        Self { list, index, from, to }
    }

    /// The 52 weeks of the series, as `2026-W47`.
    pub fn series_labels(&self) -> Vec<String> {
        self.list[T + 1 - SERIES_WEEKS..].iter().map(ToString::to_string).collect()
    }
}

/// The aggregate of the scope's reports in the window, with the part of each the viewer can read
/// record by record anyway (`known`, see `sharing::published_count`).
pub(super) fn rows(db: &mut dyn Conn, v: &Viewer, q: &PictureQuery, exact: bool, weeks: &Weeks) -> StoreResult<Vec<Agg>> {
    let (from, to) = (weeks.from, weeks.to);
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

    Ok(rows)
}

/// Where the data begins in the window: the first week with a report in it (`None`: none) and
/// the first week of the baseline — 0 when the scope has reports before the window, `T + 1`
/// when it has none up to the week. Weeks before the scope's first report are missing, not zero.
pub(super) fn first(db: &mut dyn Conn, q: &PictureQuery, rows: &[Agg], weeks: &Weeks) -> StoreResult<(Option<usize>, usize)> {
    let first_in_window = rows.iter().filter_map(|r| weeks.index.get(&r.week).copied()).min();
    let first = match first_in_window {
        Some(0) => 0,
        _ => {
            let earlier = first_week(db, &q.scope, &q.municipality, None, Some(weeks.from))?;
            if earlier.is_some() { 0 } else { first_in_window.unwrap_or(T + 1) }
        }
    };
    Ok((first_in_window, first))
}

/// The scope's first week with a report (`after`: strictly after; `before`: strictly before,
/// then the latest such week).
pub(super) fn first_week(
    db: &mut dyn Conn,
    scope: &Scope,
    municipality: &str,
    after: Option<i64>,
    before: Option<i64>,
) -> StoreResult<Option<i64>> {
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

/// The aggregate arranged by cell: the categories, each cell's window, and what of it the
/// viewer may see (`shown`: the published values; exact ones inside the scope).
pub(super) struct Grid {
    pub cats: Vec<Cat>,
    /// A category id → its index in `cats`.
    pub cat_of: HashMap<i64, usize>,
    pub windows: BTreeMap<Key, Window>,
    pub shown: BTreeMap<Key, Vec<Option<i64>>>,
    /// The first week of the baseline (see [`first`]).
    pub first: usize,
    /// The viewer is inside the scope: counts are exact.
    pub exact: bool,
}

impl Grid {
    /// Published windows: hidden weeks count 0 in every sum.
    pub fn published(&self) -> BTreeMap<Key, Vec<i64>> {
        self.shown.iter().map(|(k, shown)| (*k, shown.iter().map(|n| n.unwrap_or(0)).collect())).collect()
    }

    /// 1 when the cell's week is hidden.
    pub fn hidden(&self, k: &Key) -> usize {
        usize::from(self.shown[k][T].is_none())
    }

    /// The cell of a category id and place has a published, non-zero count in the week.
    pub fn published_now(&self, category_id: i64, area_id: Option<i64>) -> bool {
        self.cat_of.get(&category_id).and_then(|&c| self.shown.get(&(c, area_id))).is_some_and(|w| w[T].is_some_and(|n| n > 0))
    }
}

/// Arranges the aggregate by cell and publishes each cell's weeks under `threshold`.
pub(super) fn grid(db: &mut dyn Conn, rows: &[Agg], weeks: &Weeks, threshold: Option<i64>, first: usize) -> StoreResult<Grid> {
    let (cats, cat_of) = categories(db, rows)?;
    let windows = windows(rows, &cat_of, &weeks.index);
    let shown = windows
        .iter()
        .map(|(k, w)| {
            let values = w.total.iter().zip(&w.known).map(|(&n, &known)| sharing::published_count(known, n - known, threshold));
            (*k, values.collect())
        })
        .collect();
    Ok(Grid { cats, cat_of, windows, shown, first, exact: threshold.is_none() })
}

/// The categories of the aggregate; the same code in several checklists is one category.
fn categories(db: &mut dyn Conn, rows: &[Agg]) -> StoreResult<(Vec<Cat>, HashMap<i64, usize>)> {
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
    Ok((cats, cat_of))
}

/// Each cell's 56-week window of counts, of the part the viewer can read, and of the week's reports.
fn windows(rows: &[Agg], cat_of: &HashMap<i64, usize>, index: &HashMap<i64, usize>) -> BTreeMap<Key, Window> {
    let mut windows: BTreeMap<(usize, Option<i64>), Window> = BTreeMap::new();
    for r in rows {
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
    windows
}
