//! Week-by-week line charts: one series of weekly counts, ISO week ticks in Swedish ("v. 47"),
//! the typical range of the last week as a band, and gaps where a count is hidden. Drawn as
//! inline SVG with `<title>` and `<desc>`; the page puts the same numbers in a table beside it.

use askama::Template;
use brygga_domain::time::{IsoWeek, format_number};

const WIDTH: f64 = 640.0;
const HEIGHT: f64 = 220.0;
const LEFT: f64 = 48.0;
const RIGHT: f64 = 12.0;
const TOP: f64 = 14.0;
const BOTTOM: f64 = 36.0;

/// A weekly series to draw.
#[derive(Debug, Clone)]
pub struct WeekSeries<'a> {
    /// Unique within the page: used for the ids `title`/`desc` are referenced by.
    pub id: &'a str,
    /// What is counted, e.g. "Klotter" or "Stortorget".
    pub name: &'a str,
    /// The weeks, oldest first.
    pub weeks: &'a [IsoWeek],
    /// One value per week; `None` where the count is hidden (drawn as a gap).
    pub values: &'a [Option<i64>],
    /// The typical range of the last week ("normalt lo–hi"), drawn as a band over the last
    /// `band_weeks` weeks.
    pub band: Option<(i64, i64)>,
    pub band_weeks: usize,
}

#[derive(Template)]
#[template(path = "picture/weekly/chart.svg")]
struct ChartSvg {
    id: String,
    title: String,
    desc: String,
    width: f64,
    height: f64,
    plot_left: f64,
    plot_right: f64,
    plot_bottom: f64,
    y_ticks: Vec<(f64, String)>,
    x_ticks: Vec<(f64, String)>,
    band: Option<(f64, f64, f64, f64, String)>,
    lines: Vec<String>,
    dots: Vec<(f64, f64)>,
    last: Option<(f64, f64)>,
    axis_label: &'static str,
}

/// A round upper bound for the y axis: 1, 2, 5 × 10ⁿ steps.
fn nice_max(max: i64) -> i64 {
    let max = max.max(4);
    let mut step = 1;
    loop {
        for m in [1, 2, 5] {
            if m * step * 4 >= max {
                return m * step * 4;
            }
        }
        step *= 10;
    }
}

/// `v. 47` with the year at the first week shown and at each new year.
fn tick_label(w: IsoWeek, first: bool) -> String {
    if first || w.week() == 1 { format!("v. {} {}", w.week(), w.year()) } else { format!("v. {}", w.week()) }
}

/// The chart as an accessible inline SVG (`role="img"`, `<title>`, `<desc>`).
pub fn line_chart(s: &WeekSeries<'_>) -> String {
    let n = s.values.len().max(1);
    let top_value = s.values.iter().flatten().copied().chain(s.band.map(|b| b.1)).max().unwrap_or(0);
    let y_max = nice_max(top_value);
    let plot_w = WIDTH - LEFT - RIGHT;
    let plot_h = HEIGHT - TOP - BOTTOM;
    let x = |i: usize| LEFT + if n == 1 { plot_w / 2.0 } else { plot_w * i as f64 / (n - 1) as f64 };
    let y = |v: i64| TOP + plot_h * (1.0 - v as f64 / y_max as f64);
    let mut lines = Vec::new();
    let mut current = String::new();
    let mut dots = Vec::new();
    for (i, v) in s.values.iter().enumerate() {
        match v {
            Some(v) => {
                let (px, py) = (x(i), y(*v));
                if !current.is_empty() {
                    current.push(' ');
                }
                current.push_str(&format!("{px:.1},{py:.1}"));
                dots.push((px, py));
            }
            None if !current.is_empty() => lines.push(std::mem::take(&mut current)),
            None => {}
        }
    }
    if !current.is_empty() {
        lines.push(current);
    }
    let last_index = s.values.len().saturating_sub(1);
    let last = s.values.last().copied().flatten().map(|v| (x(last_index), y(v)));
    let y_ticks = (0..=4).map(|k| {
        let v = y_max * k / 4;
        (y(v), format_number(v as f64, 0))
    });
    let x_ticks = (0..s.weeks.len()).filter(|i| (last_index - i).is_multiple_of(13)).map(|i| (x(i), tick_label(s.weeks[i], i < 13)));
    let band = s.band.map(|(lo, hi)| {
        let from = x(last_index.saturating_sub(s.band_weeks.saturating_sub(1)));
        let to = x(last_index);
        let (top, bottom) = (y(hi), y(lo));
        let label = format!("Normalt {}", brygga_store::picture::weekly::range_label(lo, hi));
        (from, top, (to - from).max(4.0), (bottom - top).max(2.0), label)
    });
    let desc = describe(s);
    let svg = ChartSvg {
        id: s.id.to_owned(),
        title: match (s.weeks.first(), s.weeks.last()) {
            (Some(a), Some(b)) => format!("{}: rapporter per vecka, {} – {}", s.name, tick_label(*a, true), tick_label(*b, true)),
            _ => s.name.to_owned(),
        },
        desc,
        width: WIDTH,
        height: HEIGHT,
        plot_left: LEFT,
        plot_right: WIDTH - RIGHT,
        plot_bottom: TOP + plot_h,
        y_ticks: y_ticks.collect(),
        x_ticks: x_ticks.collect(),
        band,
        lines,
        dots,
        last,
        axis_label: "Antal",
    };
    svg.render().unwrap_or_default()
}

/// The figure's text alternative: what it shows, its extremes, the last week against normal.
fn describe(s: &WeekSeries<'_>) -> String {
    let shown: Vec<(usize, i64)> = s.values.iter().enumerate().filter_map(|(i, v)| v.map(|v| (i, v))).collect();
    let mut parts = vec![format!("Linjediagram över antal rapporter per vecka för {}.", s.name)];
    if let Some(&(i, v)) = shown.iter().max_by_key(|(i, v)| (*v, *i)) {
        parts.push(format!("Högst {} ({}).", format_number(v as f64, 0), tick_label(s.weeks[i], true)));
    }
    if let (Some(Some(v)), Some(w)) = (s.values.last(), s.weeks.last()) {
        parts.push(format!("{}: {}.", tick_label(*w, true), format_number(*v as f64, 0)));
    }
    if let Some((lo, hi)) = s.band {
        parts.push(format!("Normalt intervall för den sista veckan: {}.", brygga_store::picture::weekly::range_label(lo, hi)));
    }
    if shown.len() < s.values.len() {
        parts.push("Veckor med få rapporter är dolda och visas som avbrott i linjen.".into());
    }
    parts.push("Alla värden finns i tabellen intill diagrammet.".into());
    parts.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chart_has_title_desc_ticks_and_gaps() {
        let weeks: Vec<IsoWeek> = (0..52).map(|i| IsoWeek::new(2026, 47).unwrap().plus(i - 51)).collect();
        let mut values: Vec<Option<i64>> = (0..52).map(|i| Some(i % 5)).collect();
        values[10] = None;
        let svg = line_chart(&WeekSeries { id: "c1", name: "Klotter", weeks: &weeks, values: &values, band: Some((3, 6)), band_weeks: 9 });
        assert!(svg.contains("<title id=\"c1-title\">Klotter: rapporter per vecka, v. 48 2025 – v. 47 2026</title>"), "{svg}");
        assert!(svg.contains("<desc id=\"c1-desc\">"));
        assert!(svg.contains("role=\"img\""));
        assert!(svg.contains(">v. 47 2026<") || svg.contains(">v. 47<"));
        assert_eq!(svg.matches("<polyline").count(), 2, "a hidden week breaks the line");
        assert!(svg.contains("Normalt 3–6"));
        assert_eq!(nice_max(14), 20);
        assert_eq!(nice_max(0), 4);
        assert_eq!(nice_max(130), 200);
    }
}
