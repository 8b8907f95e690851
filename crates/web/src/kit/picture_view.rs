//! The weekly picture as rows and charts formatted the Swedish way: shared by the picture's own
//! pages and by the share-link page, which shows the same report without sign-in. Presentation
//! only; the numbers come from the store's `picture::weekly`.

use brygga_domain::time::{IsoWeek, format_number};
use brygga_store::picture::weekly::{self, Cell};

use crate::kit::svg::chart::{WeekSeries, line_chart};

pub fn int(v: i64) -> String {
    format_number(v as f64, 0)
}

pub fn signed(v: f64, decimals: usize) -> String {
    let s = format_number(v, decimals);
    if v > 0.0 && s.chars().any(|c| c.is_ascii_digit() && c != '0') { format!("+{s}") } else { s }
}

pub struct CellRow {
    pub category: String,
    pub place: String,
    pub count: String,
    pub suppressed: bool,
    pub reports: String,
    pub range: String,
    pub expected: String,
    pub change: String,
    pub position: &'static str,
    pub flag: &'static str,
    pub drill: Option<String>,
}

pub struct TotalRow {
    pub name: String,
    pub count: String,
    pub hidden: usize,
    pub recent_mean: String,
    pub change: String,
    pub range: String,
    pub hotspot: String,
}

pub struct ChartBlock {
    pub id: String,
    pub heading: String,
    pub svg: String,
    pub rows: Vec<(String, String)>,
}

fn position_text(p: Option<&str>) -> &'static str {
    match p {
        Some("above") => "Över det normala",
        Some("below") => "Under det normala",
        Some(_) => "Inom det normala",
        None => "–",
    }
}

pub fn cell_row(c: &Cell, base: &str, week: IsoWeek, can_drill: bool) -> CellRow {
    let drill = (can_drill && c.count.is_some_and(|n| n > 0)).then(|| {
        let ids = c.category_ids.iter().map(ToString::to_string).collect::<Vec<_>>().join(",");
        let place = c.area_id.map_or("ingen".to_owned(), |a| a.to_string());
        let q = serde_urlencoded::to_string([("vecka", week.to_string()), ("kategori", ids), ("plats", place)]).unwrap_or_default();
        format!("{base}/rapporter?{q}")
    });
    CellRow {
        category: c.category_name.clone(),
        place: c.area_name.clone(),
        count: c.count.map_or_else(String::new, int),
        suppressed: c.suppressed,
        reports: c.reports.map_or("–".into(), int),
        range: c.trend.as_ref().map_or("–".into(), |t| weekly::range_label(t.typical_low, t.typical_high)),
        expected: c.trend.as_ref().and_then(|t| t.expected).map_or("–".into(), |e| format_number(e, 1)),
        change: c.trend.as_ref().and_then(|t| t.change).map_or("–".into(), |d| signed(d, 1)),
        position: position_text(c.trend.as_ref().and_then(|t| t.position.as_deref())),
        flag: match c.trend.as_ref().filter(|t| t.flagged).map(|t| t.direction.as_str()) {
            Some("decrease") => "▼ Minskning",
            Some(_) => "▲ Ökning",
            None => "",
        },
        drill,
    }
}

pub fn total_row(name: &str, t: &weekly::Total, hotspot: Option<&weekly::Hotspot>) -> TotalRow {
    TotalRow {
        name: name.to_owned(),
        count: int(t.count),
        hidden: t.hidden_cells,
        recent_mean: format_number(t.recent_mean, 1),
        change: signed(t.change, 1),
        range: weekly::range_label(t.typical_low, t.typical_high),
        hotspot: match hotspot {
            Some(h) if h.class == "hot" => format!("Hotspot (z = {})", format_number(h.z.unwrap_or(0.0), 1)),
            Some(h) if h.class == "cold" => format!("Kall punkt (z = {})", format_number(h.z.unwrap_or(0.0), 1)),
            Some(_) => "Nej".into(),
            None => "–".into(),
        },
    }
}

pub fn chart(id: String, heading: &str, weeks: &[IsoWeek], series: &[i64], band: (i64, i64)) -> ChartBlock {
    let values: Vec<Option<i64>> = series.iter().copied().map(Some).collect();
    let svg =
        line_chart(&WeekSeries { id: &id, name: heading, weeks, values: &values, band: Some(band), band_weeks: weekly::RECENT_WEEKS + 1 });
    let rows = weeks.iter().zip(series).rev().map(|(w, v)| (weekly::week_label(*w, *weeks.last().unwrap_or(w)), int(*v))).collect();
    ChartBlock { id, heading: heading.to_owned(), svg, rows }
}
