//! An indicator's series against its baseline and target: one value per period (a gap where a
//! value is hidden or missing), the baseline and the target as labelled horizontal lines. Swedish
//! number format; `<title>` and `<desc>`; the page puts the same numbers in a table beside it.

use brygga_domain::time::format_number;

const WIDTH: f64 = 640.0;
const HEIGHT: f64 = 240.0;
const LEFT: f64 = 56.0;
const RIGHT: f64 = 120.0;
const TOP: f64 = 14.0;
const BOTTOM: f64 = 36.0;

/// What to draw.
#[derive(Debug, Clone)]
pub struct IndicatorChart<'a> {
    /// Unique within the page (ids of `title` and `desc`).
    pub id: &'a str,
    pub name: &'a str,
    pub unit: &'a str,
    /// (period label, value), oldest first; `None` is drawn as a gap.
    pub points: &'a [(String, Option<f64>)],
    pub baseline: Option<f64>,
    pub target: Option<f64>,
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// A value with up to one decimal, the Swedish way (`12`, `12,5`).
pub fn number(v: f64) -> String {
    if (v - v.round()).abs() < 1e-9 { format_number(v, 0) } else { format_number(v, 1) }
}

/// A round upper bound for the y axis (1, 2, 5 × 10ⁿ, in four steps).
fn nice_max(max: f64) -> f64 {
    let max = if max.is_finite() && max > 0.0 { max } else { 1.0 };
    let mut step = 10f64.powi((max / 4.0).log10().floor() as i32);
    loop {
        for m in [1.0, 2.0, 5.0] {
            if m * step * 4.0 >= max {
                return m * step * 4.0;
            }
        }
        step *= 10.0;
    }
}

/// The chart as an accessible inline SVG (`role="img"`, `<title>`, `<desc>`).
pub fn indicator_chart(c: &IndicatorChart<'_>) -> String {
    let n = c.points.len().max(1);
    let top = c.points.iter().filter_map(|p| p.1).chain(c.baseline).chain(c.target).fold(0.0_f64, f64::max);
    let y_max = nice_max(top);
    let plot_w = WIDTH - LEFT - RIGHT;
    let plot_h = HEIGHT - TOP - BOTTOM;
    let x = |i: usize| LEFT + if n == 1 { plot_w / 2.0 } else { plot_w * i as f64 / (n - 1) as f64 };
    let y = |v: f64| TOP + plot_h * (1.0 - v.max(0.0) / y_max);
    let id = escape(c.id);
    let mut out = format!(
        "<svg class=\"chart indicator-chart\" role=\"img\" aria-labelledby=\"{id}-title {id}-desc\" viewBox=\"0 0 {WIDTH} {HEIGHT}\" width=\"100%\" preserveAspectRatio=\"xMidYMid meet\" xmlns=\"http://www.w3.org/2000/svg\">\n<title id=\"{id}-title\">{}</title>\n<desc id=\"{id}-desc\">{}</desc>\n",
        escape(&title(c)),
        escape(&describe(c))
    );
    let bottom = TOP + plot_h;
    out.push_str(&format!(
        "<g class=\"axes\" stroke=\"#4a5360\"><line x1=\"{LEFT}\" y1=\"{bottom}\" x2=\"{}\" y2=\"{bottom}\"/><line x1=\"{LEFT}\" y1=\"{TOP}\" x2=\"{LEFT}\" y2=\"{bottom}\"/></g>\n",
        WIDTH - RIGHT
    ));
    out.push_str("<g class=\"y-ticks\" font-size=\"14\" fill=\"#1b1f24\">");
    for k in 0..=4 {
        let v = y_max * f64::from(k) / 4.0;
        let ty = y(v);
        out.push_str(&format!(
            "<line x1=\"{}\" y1=\"{ty:.1}\" x2=\"{}\" y2=\"{ty:.1}\" stroke=\"#e1e5ea\"/><text x=\"{}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>",
            LEFT - 4.0,
            WIDTH - RIGHT,
            LEFT - 6.0,
            ty + 4.0,
            escape(&number(v))
        ));
    }
    out.push_str("</g>\n<g class=\"x-ticks\" font-size=\"14\" fill=\"#1b1f24\">");
    let every = n.div_ceil(6).max(1);
    for (i, (label, _)) in c.points.iter().enumerate() {
        if (n - 1 - i).is_multiple_of(every) {
            out.push_str(&format!("<text x=\"{:.1}\" y=\"{}\" text-anchor=\"middle\">{}</text>", x(i), bottom + 18.0, escape(label)));
        }
    }
    out.push_str("</g>\n");
    for (value, label, colour, dash) in [(c.baseline, "Utgångsvärde", "#4a5360", "6 4"), (c.target, "Målvärde", "#1a7f37", "2 3")]
        .into_iter()
        .filter_map(|(v, l, c, d)| v.map(|v| (v, l, c, d)))
    {
        let ly = y(value);
        out.push_str(&format!(
            "<g class=\"reference\"><line x1=\"{LEFT}\" y1=\"{ly:.1}\" x2=\"{}\" y2=\"{ly:.1}\" stroke=\"{colour}\" stroke-width=\"2\" stroke-dasharray=\"{dash}\"/><text x=\"{}\" y=\"{:.1}\" font-size=\"14\" fill=\"#1b1f24\">{label} {}</text></g>\n",
            WIDTH - RIGHT,
            WIDTH - RIGHT + 4.0,
            ly + 4.0,
            escape(&number(value))
        ));
    }
    out.push_str("<g class=\"series\" fill=\"none\" stroke=\"#0b4f71\" stroke-width=\"2\">");
    let mut current: Vec<String> = Vec::new();
    let mut dots = String::new();
    for (i, (_, v)) in c.points.iter().enumerate() {
        match v {
            Some(v) => {
                current.push(format!("{:.1},{:.1}", x(i), y(*v)));
                dots.push_str(&format!("<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"3\"/>", x(i), y(*v)));
            }
            None => {
                if current.len() > 1 {
                    out.push_str(&format!("<polyline points=\"{}\"/>", current.join(" ")));
                }
                current.clear();
            }
        }
    }
    if current.len() > 1 {
        out.push_str(&format!("<polyline points=\"{}\"/>", current.join(" ")));
    }
    out.push_str(&format!("</g>\n<g class=\"dots\" fill=\"#0b4f71\">{dots}</g>\n</svg>"));
    out
}

fn title(c: &IndicatorChart<'_>) -> String {
    match (c.points.first(), c.points.last()) {
        (Some(a), Some(b)) if c.points.len() > 1 => format!("{} ({}), {} – {}", c.name, c.unit, a.0, b.0),
        (Some(a), _) => format!("{} ({}), {}", c.name, c.unit, a.0),
        _ => format!("{} ({}): inga värden ännu", c.name, c.unit),
    }
}

/// The text alternative: what it shows, the latest value, baseline and target.
fn describe(c: &IndicatorChart<'_>) -> String {
    let mut parts = vec![format!("Linjediagram över {} per period, mätt i {}.", c.name, c.unit)];
    if let Some((label, Some(v))) = c.points.iter().rev().find(|p| p.1.is_some()) {
        parts.push(format!("Senaste värde: {} ({label}).", number(*v)));
    } else {
        parts.push("Inga värden att visa ännu.".into());
    }
    if let Some(b) = c.baseline {
        parts.push(format!("Utgångsvärde {}.", number(b)));
    }
    if let Some(t) = c.target {
        parts.push(format!("Målvärde {}.", number(t)));
    }
    if c.points.iter().any(|p| p.1.is_none()) {
        parts.push("Perioder med dolda eller saknade värden visas som avbrott i linjen.".into());
    }
    parts.push("Alla värden finns i tabellen intill diagrammet.".into());
    parts.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_chart_has_title_desc_reference_lines_swedish_numbers_and_gaps() {
        let points: Vec<(String, Option<f64>)> = vec![
            ("sep 2026".into(), Some(7.0)),
            ("okt 2026".into(), None),
            ("nov 2026".into(), Some(5.5)),
            ("dec 2026".into(), Some(1200.0)),
        ];
        let svg = indicator_chart(&IndicatorChart {
            id: "i1",
            name: "Klotter <Stortorget>",
            unit: "taggar",
            points: &points,
            baseline: Some(10.0),
            target: Some(2.5),
        });
        assert!(svg.contains("<title id=\"i1-title\">Klotter &lt;Stortorget&gt; (taggar), sep 2026 – dec 2026</title>"), "{svg}");
        assert!(svg.contains("Senaste värde: 1\u{a0}200 (dec 2026). Utgångsvärde 10. Målvärde 2,5."), "{svg}");
        assert!(svg.contains("role=\"img\""));
        assert!(svg.contains(">Målvärde 2,5</text>") && svg.contains(">Utgångsvärde 10</text>"));
        assert_eq!(svg.matches("<polyline").count(), 1, "a lone point after a gap is a dot, not a line");
        assert_eq!(svg.matches("<circle").count(), 3);
        assert_eq!(nice_max(1200.0), 2000.0);
        assert_eq!(nice_max(7.0), 8.0);
        assert!((nice_max(0.35) - 0.4).abs() < 1e-9, "shares get a fine axis");
        assert_eq!(number(12.5), "12,5");
        let empty = indicator_chart(&IndicatorChart { id: "i2", name: "Andel", unit: "%", points: &[], baseline: None, target: None });
        assert!(empty.contains("Inga värden att visa ännu."));
    }
}
