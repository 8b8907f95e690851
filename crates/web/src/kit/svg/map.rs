//! Maps of areas drawn by the server: polygons as paths and points as circles, projected to
//! SWEREF 99 TM (so distances and shapes are true in Sweden) and scaled into a viewBox. No
//! map tiles or JavaScript are needed; a background tile layer may be configured
//! ([`configure_tiles`]), off by default.
//!
//! Accessibility: the map has a `<title>` and a `<desc>`; each area is a link (when given
//! one) whose accessible name is the area's name and value; a shaded map labels values on
//! the map and in its legend, marks increases with a hatch pattern as well as a colour, and
//! never relies on colour alone. Outlines are dark on a light background (contrast ≥ 3:1 for
//! every fill); labels are dark on a white halo. The page shows the same numbers in a table
//! (the figure's data-table alternative) — the map does not replace it.
//!
//! Pages that show a map link `/static/areas.css` (it limits the map's width on large
//! screens); without it the map still works, only larger.
//!
//! # Example: the weekly picture's choropleth
//!
//! ```
//! use brygga_web::kit::svg::map::{MapArea, MapOptions, Shading, area_map};
//! let geometry = serde_json::json!({"type": "Polygon", "coordinates": [[[13.14, 55.37], [13.17, 55.37], [13.17, 55.38], [13.14, 55.38], [13.14, 55.37]]]});
//! let point = serde_json::json!({"type": "Point", "coordinates": [13.1566, 55.3751]});
//! let areas = [
//!     MapArea::new("Centrum", &geometry).link("/lagesbild/1287?plats=1").value(12.0, "12 rapporter"),
//!     MapArea::new("Stortorget", &point).link("/lagesbild/1287?plats=2").value(3.0, "3 rapporter"),
//! ];
//! let svg = area_map(&areas, &MapOptions {
//!     id: "karta-vecka",
//!     title: "Rapporter per plats, vecka 47",
//!     description: "Antal rapporter per plats i Trelleborg vecka 47. Samma siffror finns i tabellen under kartan.",
//!     shading: Shading::Counts,
//!     legend_title: "Rapporter vecka 47",
//!     ..MapOptions::default()
//! });
//! assert!(svg.contains("<title id=\"karta-vecka-title\">"));
//! assert!(svg.contains("aria-label=\"Centrum: 12 rapporter\""));
//! ```
//!
//! For change between periods use [`Shading::Change`] with signed values (e.g. percent) and
//! value texts such as "+35 %"; classes are symmetric around zero, increases hatched.

use std::sync::OnceLock;

use askama::Template;
use brygga_domain::geography::{Extent, SWEDEN_ONSHORE_EXTENT};
use brygga_domain::geometry::{Shape, planar, sweref};
use brygga_domain::time::format_number;
use brygga_store::places::areas::Area;

use crate::kit::i18n::filters;

/// Width of the map's viewBox; the height follows the places' shape (between [`MIN_H`] and
/// [`MAX_H`]).
pub const WIDTH: f64 = 640.0;
const MIN_H: f64 = 300.0;
const MAX_H: f64 = 720.0;
/// Padding around the places, as a share of their extent.
const PAD: f64 = 0.06;
/// The smallest stretch of ground shown, in metres (a single point gets this much around it).
const MIN_SPAN_M: f64 = 600.0;

/// One place to draw.
#[derive(Debug, Clone)]
pub struct MapArea<'a> {
    pub name: &'a str,
    /// A GeoJSON geometry in WGS84, as stored (`Area::geometry`).
    pub geometry: &'a serde_json::Value,
    /// Where the place's link goes; no link when `None`.
    pub href: Option<String>,
    /// The value that shades it (with [`Shading::Counts`] or [`Shading::Change`]); `None`
    /// draws it as "no data".
    pub value: Option<f64>,
    /// The value as people read it ("12 rapporter", "+35 %"), for the label, the tooltip
    /// and the link's accessible name. Defaults to the number.
    pub value_text: Option<String>,
    /// Drawn with a heavy outline (the place being edited).
    pub emphasis: bool,
}

impl<'a> MapArea<'a> {
    pub fn new(name: &'a str, geometry: &'a serde_json::Value) -> Self {
        Self { name, geometry, href: None, value: None, value_text: None, emphasis: false }
    }

    /// A stored area.
    pub fn from_area(a: &'a Area) -> Self {
        Self::new(&a.name, &a.geometry)
    }

    pub fn link(mut self, href: impl Into<String>) -> Self {
        self.href = Some(href.into());
        self
    }

    pub fn value(mut self, value: f64, text: impl Into<String>) -> Self {
        self.value = Some(value);
        self.value_text = Some(text.into());
        self
    }

    pub fn emphasised(mut self) -> Self {
        self.emphasis = true;
        self
    }
}

/// How places are coloured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Shading {
    /// Outlines only, one light fill.
    #[default]
    None,
    /// Counts (≥ 0): a sequential blue scale, zero in its own class.
    Counts,
    /// Change (signed): a diverging blue–red scale symmetric around zero; increases hatched.
    Change,
}

/// What the map says about itself, and how it looks.
#[derive(Debug, Clone)]
pub struct MapOptions<'a> {
    /// Unique in the page; prefixes the ids of `<title>`, `<desc>` and patterns.
    pub id: &'a str,
    pub title: &'a str,
    /// What the map shows and where to find the same numbers; a sentence on the number of
    /// places is added.
    pub description: &'a str,
    pub shading: Shading,
    /// The legend's heading (shaded maps only).
    pub legend_title: &'a str,
    /// The ground to show when there are no places (e.g. the municipality's extent).
    pub frame: Option<Extent>,
    /// Write place names on polygons large enough to hold them.
    pub name_labels: bool,
    /// Mark the map for the drawing script (`static/areas.js`): clicks add positions.
    pub drawable: bool,
    /// A background tile layer; `None` draws no tiles. Pages pass [`tiles()`].
    pub tiles: Option<&'a TileLayer>,
}

impl Default for MapOptions<'_> {
    fn default() -> Self {
        Self {
            id: "karta",
            title: "Karta",
            description: "",
            shading: Shading::None,
            legend_title: "",
            frame: None,
            name_labels: false,
            drawable: false,
            tiles: None,
        }
    }
}

/// A background map in a SWEREF 99 TM tile matrix (as Lantmäteriet's and most Swedish
/// municipal WMTS services offer: EPSG:3006 tiles). Web Mercator tiles (OpenStreetMap's)
/// would not line up with a SWEREF 99 TM drawing, so they are not supported.
#[derive(Debug, Clone, PartialEq)]
pub struct TileLayer {
    /// Tile address with `{z}` (matrix), `{x}` (column) and `{y}` (row), e.g.
    /// `https://kartor.example.se/wmts/topowebb/default/3006/{z}/{y}/{x}.png`.
    pub url: String,
    /// The matrix's top-left corner, `[east, north]` in metres.
    pub origin: [f64; 2],
    /// Metres per pixel of each matrix, coarsest (`{z}` = 0) first.
    pub resolutions: Vec<f64>,
    /// Tile width and height in pixels.
    pub tile_size: u32,
    /// Shown under the map, e.g. "© Lantmäteriet".
    pub attribution: String,
}

static TILES: OnceLock<TileLayer> = OnceLock::new();

/// Sets the background tile layer once, at start-up. The page's Content-Security-Policy must
/// allow the tile host in `img-src` (or the tiles must be served from the same origin).
pub fn configure_tiles(layer: TileLayer) -> Result<(), String> {
    if !(layer.url.starts_with("https://") || layer.url.starts_with('/')) {
        return Err("the tile URL must start with https:// or /".into());
    }
    for part in ["{z}", "{x}", "{y}"] {
        if !layer.url.contains(part) {
            return Err(format!("the tile URL must contain {part}"));
        }
    }
    if layer.resolutions.is_empty() || layer.resolutions.iter().any(|r| !r.is_finite() || *r <= 0.0) || layer.tile_size == 0 {
        return Err("the tile matrix needs positive resolutions and a tile size".into());
    }
    TILES.set(layer).map_err(|_| "a tile layer is already configured".to_owned())
}

/// The configured tile layer, if any.
pub fn tiles() -> Option<&'static TileLayer> {
    TILES.get()
}

/// The most tiles one map may fetch.
const MAX_TILES: usize = 48;

// ---- drawing ----

struct Frame {
    e0: f64,
    n1: f64,
    scale: f64,
    height: f64,
}

impl Frame {
    fn fit(min_e: f64, min_n: f64, max_e: f64, max_n: f64) -> Frame {
        let (mut w, mut h) = ((max_e - min_e).max(MIN_SPAN_M), (max_n - min_n).max(MIN_SPAN_M));
        let (ce, cn) = ((min_e + max_e) / 2.0, (min_n + max_n) / 2.0);
        w *= 1.0 + 2.0 * PAD;
        h *= 1.0 + 2.0 * PAD;
        let mut scale = WIDTH / w;
        let mut height = h * scale;
        if height > MAX_H {
            height = MAX_H;
            scale = MAX_H / h;
            w = WIDTH / scale;
        } else if height < MIN_H {
            height = MIN_H;
            h = MIN_H / scale;
        }
        Frame { e0: ce - w / 2.0, n1: cn + h / 2.0, scale, height }
    }

    fn xy(&self, [e, n]: [f64; 2]) -> (f64, f64) {
        ((e - self.e0) * self.scale, (self.n1 - n) * self.scale)
    }
}

/// Sequential blues (ColorBrewer "Blues"), lightest for zero; each with the label text colour.
const COUNT_FILLS: [&str; 5] = ["#ffffff", "#c6dbef", "#6baed6", "#2171b5", "#08306b"];
/// Diverging (ColorBrewer "RdBu"): strong decrease … strong increase, colour-blind safe.
const CHANGE_FILLS: [&str; 5] = ["#2166ac", "#92c5de", "#f7f7f7", "#f4a582", "#b2182b"];
const NO_DATA_FILL: &str = "#e1e5ea";
const PLAIN_FILL: &str = "#0b4f71";

struct Class {
    fill: &'static str,
    hatch: bool,
    label: String,
}

fn fmt(v: f64, signed: bool) -> String {
    let decimals = if v.fract().abs() < 1e-9 {
        0
    } else if v.abs() < 10.0 {
        1
    } else {
        0
    };
    let s = format_number(v, decimals);
    if signed && v > 0.0 { format!("+{s}") } else { s }
}

/// A round number ≥ `v`: 1, 2, 2.5, 5 × 10ⁿ.
fn nice(v: f64) -> f64 {
    if v <= 0.0 || !v.is_finite() {
        return 1.0;
    }
    let p = 10f64.powf(v.log10().floor());
    [1.0, 2.0, 2.5, 5.0, 10.0].iter().map(|m| m * p).find(|c| *c >= v - 1e-12).unwrap_or(10.0 * p)
}

/// The classes for the values, and the class of each value.
fn classes(shading: Shading, values: &[Option<f64>]) -> (Vec<Class>, Vec<Option<usize>>) {
    let finite: Vec<f64> = values.iter().flatten().copied().filter(|v| v.is_finite()).collect();
    let integral = finite.iter().all(|v| v.fract().abs() < 1e-9);
    match shading {
        Shading::None => (vec![], vec![None; values.len()]),
        Shading::Counts => {
            let max = finite.iter().copied().fold(0.0, f64::max);
            let step = if integral { nice(max / 4.0).ceil().max(1.0) } else { nice(max / 4.0) };
            let mut cls = vec![Class { fill: COUNT_FILLS[0], hatch: false, label: "0".into() }];
            for (k, fill) in COUNT_FILLS.iter().enumerate().skip(1) {
                let (lo, hi) = ((k - 1) as f64 * step, k as f64 * step);
                let label = if integral {
                    let lo_i = lo + 1.0;
                    if lo_i >= hi { fmt(hi, false) } else { format!("{}–{}", fmt(lo_i, false), fmt(hi, false)) }
                } else {
                    format!("över {} till {}", fmt(lo, false), fmt(hi, false))
                };
                cls.push(Class { fill, hatch: false, label });
            }
            let which = values
                .iter()
                .map(|v| v.filter(|v| v.is_finite()).map(|v| if v <= 0.0 { 0 } else { ((v / step).ceil() as usize).clamp(1, 4) }))
                .collect();
            (cls, which)
        }
        Shading::Change => {
            let m = finite.iter().map(|v| v.abs()).fold(0.0, f64::max);
            let half = if integral { nice(m / 2.0).ceil().max(1.0) } else { nice(m / 2.0) };
            let top = 2.0 * half;
            let small = if integral { 1.0 } else { 0.0 };
            let cls = vec![
                Class {
                    fill: CHANGE_FILLS[0],
                    hatch: false,
                    label: format!("Kraftig minskning ({} till {})", fmt(-top, true), fmt(-half, true)),
                },
                Class {
                    fill: CHANGE_FILLS[1],
                    hatch: false,
                    label: format!("Minskning ({} till {})", fmt(-half + small, true), fmt(-small.max(f64::MIN_POSITIVE), true)),
                },
                Class { fill: CHANGE_FILLS[2], hatch: false, label: "Oförändrat (0)".into() },
                Class {
                    fill: CHANGE_FILLS[3],
                    hatch: true,
                    label: format!("Ökning ({} till {})", fmt(small.max(f64::MIN_POSITIVE), true), fmt(half - small, true)),
                },
                Class {
                    fill: CHANGE_FILLS[4],
                    hatch: true,
                    label: format!("Kraftig ökning ({} till {})", fmt(half, true), fmt(top, true)),
                },
            ];
            let which = values
                .iter()
                .map(|v| {
                    v.filter(|v| v.is_finite()).map(|v| {
                        if v <= -half {
                            0
                        } else if v < 0.0 {
                            1
                        } else if v == 0.0 {
                            2
                        } else if v < half {
                            3
                        } else {
                            4
                        }
                    })
                })
                .collect();
            (cls, which)
        }
    }
}

struct Drawn {
    href: Option<String>,
    /// The accessible name: "Name" or "Name: value".
    label: String,
    /// Path data for polygons, empty for points.
    path: String,
    /// Circle centre for points (and for polygons too small to see).
    dot: Option<(f64, f64)>,
    fill: &'static str,
    fill_opacity: f64,
    hatch: bool,
    stroke_width: f64,
    /// Value or name written on the map: (x, y, text, text-anchor).
    text: Option<(f64, f64, String, &'static str)>,
}

struct Tile {
    href: String,
    x: f64,
    y: f64,
    size: f64,
}

#[derive(Template)]
#[template(path = "places/areas/map.svg")]
struct MapSvg<'a> {
    id: &'a str,
    title: &'a str,
    desc: String,
    width: f64,
    height: f64,
    role: &'static str,
    drawable: bool,
    e0: String,
    n1: String,
    scale: String,
    shapes: Vec<Drawn>,
    tiles: Vec<Tile>,
    attribution: String,
    scale_bar: (f64, String),
    legend_title: &'a str,
    legend: Vec<(&'static str, bool, String)>,
    no_data: bool,
    any_hatch: bool,
}

fn r1(v: f64) -> String {
    format!("{v:.1}")
}

/// A round stretch for the scale bar, about a fifth of the width.
fn scale_bar(scale: f64) -> (f64, String) {
    let target = WIDTH / 5.0 / scale;
    let metres =
        [50.0, 100.0, 200.0, 250.0, 500.0, 1000.0, 2000.0, 2500.0, 5000.0, 10_000.0, 20_000.0, 25_000.0, 50_000.0, 100_000.0, 200_000.0]
            .into_iter()
            .rev()
            .find(|m| *m <= target)
            .unwrap_or(50.0);
    let text = if metres >= 1000.0 { format!("{} km", format_number(metres / 1000.0, 0)) } else { format!("{metres:.0} m") };
    (metres * scale, text)
}

fn tiles_for(layer: &TileLayer, f: &Frame) -> Vec<Tile> {
    let metres_per_unit = 1.0 / f.scale;
    // The finest matrix not finer than the drawing needs, coarser while too many tiles.
    let mut z = layer.resolutions.iter().rposition(|r| *r >= metres_per_unit / 2.0).unwrap_or(0);
    let (e1, n0) = (f.e0 + WIDTH / f.scale, f.n1 - f.height / f.scale);
    loop {
        let span = layer.resolutions[z] * f64::from(layer.tile_size);
        let (c0, c1) = (((f.e0 - layer.origin[0]) / span).floor(), ((e1 - layer.origin[0]) / span).floor());
        let (r0, r1) = (((layer.origin[1] - f.n1) / span).floor(), ((layer.origin[1] - n0) / span).floor());
        let count = (c1 - c0 + 1.0) * (r1 - r0 + 1.0);
        if count as usize <= MAX_TILES || z == 0 {
            if count as usize > MAX_TILES || c0 < 0.0 || r0 < 0.0 {
                return vec![];
            }
            let mut out = Vec::new();
            for row in r0 as i64..=r1 as i64 {
                for col in c0 as i64..=c1 as i64 {
                    let e = layer.origin[0] + col as f64 * span;
                    let n = layer.origin[1] - row as f64 * span;
                    let (x, y) = f.xy([e, n]);
                    let href = layer.url.replace("{z}", &z.to_string()).replace("{x}", &col.to_string()).replace("{y}", &row.to_string());
                    out.push(Tile { href, x, y, size: span * f.scale });
                }
            }
            return out;
        }
        z -= 1;
    }
}

/// Draws the places as an accessible SVG map (an HTML fragment: the map, and for shaded
/// maps a legend). Places whose geometry cannot be read are left out (and counted in the
/// description). See the module documentation for an example.
pub fn area_map(areas: &[MapArea<'_>], opts: &MapOptions<'_>) -> String {
    let shapes: Vec<Option<Shape>> = areas
        .iter()
        .map(|a| Shape::from_stored(a.geometry).ok().filter(|s| s.positions().all(|p| p[0].is_finite() && p[1].is_finite())))
        .collect();
    let metric: Vec<Option<Shape>> = shapes.iter().map(|s| s.as_ref().map(Shape::to_sweref)).collect();
    let bounds = metric.iter().flatten().flat_map(|s| s.positions().collect::<Vec<_>>()).fold(None, |acc: Option<[f64; 4]>, [e, n]| {
        Some(match acc {
            None => [e, n, e, n],
            Some([a, b, c, d]) => [a.min(e), b.min(n), c.max(e), d.max(n)],
        })
    });
    let frame_box = |x: &Extent| {
        let corners =
            [[x.min_lon, x.min_lat], [x.max_lon, x.min_lat], [x.max_lon, x.max_lat], [x.min_lon, x.max_lat]].map(sweref::to_sweref);
        [
            corners.iter().map(|c| c[0]).fold(f64::INFINITY, f64::min),
            corners.iter().map(|c| c[1]).fold(f64::INFINITY, f64::min),
            corners.iter().map(|c| c[0]).fold(f64::NEG_INFINITY, f64::max),
            corners.iter().map(|c| c[1]).fold(f64::NEG_INFINITY, f64::max),
        ]
    };
    let [min_e, min_n, max_e, max_n] = bounds.unwrap_or_else(|| frame_box(&opts.frame.unwrap_or(SWEDEN_ONSHORE_EXTENT)));
    let f = Frame::fit(min_e, min_n, max_e, max_n);

    let (classes, which) = classes(opts.shading, &areas.iter().map(|a| a.value).collect::<Vec<_>>());
    // Big places first, so small ones lie on top and stay clickable; points last.
    let mut order: Vec<usize> = (0..areas.len()).filter(|i| metric[*i].is_some()).collect();
    let size = |i: &usize| match &metric[*i] {
        Some(Shape::Polygons(ps)) => ps.iter().map(planar::polygon_area).sum::<f64>(),
        _ => -1.0,
    };
    order.sort_by(|a, b| size(b).total_cmp(&size(a)).then(a.cmp(b)));

    let shaded = opts.shading != Shading::None;
    let mut drawn = Vec::with_capacity(order.len());
    let mut no_data = false;
    for i in order {
        let a = &areas[i];
        let Some(shape) = &metric[i] else { continue };
        let value_text = a.value_text.clone().or_else(|| a.value.map(|v| fmt(v, opts.shading == Shading::Change)));
        let label = match (&value_text, shaded) {
            (Some(t), _) => format!("{}: {t}", a.name),
            (None, true) => format!("{}: inga uppgifter", a.name),
            (None, false) => a.name.to_owned(),
        };
        let (fill, fill_opacity, hatch) = if shaded {
            match which[i] {
                Some(c) => (classes[c].fill, 1.0, classes[c].hatch),
                None => {
                    no_data = true;
                    (NO_DATA_FILL, 1.0, false)
                }
            }
        } else {
            (PLAIN_FILL, if a.emphasis { 0.3 } else { 0.12 }, false)
        };
        let stroke_width = if a.emphasis { 3.5 } else { 1.5 };
        let (path, dot, anchor, room) = match shape {
            Shape::Point(p) => {
                let (x, y) = f.xy(*p);
                (String::new(), Some((x, y)), (x + 9.0, y + 4.0), f64::INFINITY)
            }
            Shape::Polygons(ps) => {
                let mut d = String::new();
                for ring in ps.iter().flat_map(|p| std::iter::once(&p.exterior).chain(p.holes.iter())) {
                    for (k, p) in ring.iter().enumerate() {
                        let (x, y) = f.xy(*p);
                        d.push_str(if k == 0 { "M" } else { "L" });
                        d.push_str(&format!("{} {}", r1(x), r1(y)));
                    }
                    d.push('Z');
                }
                let (bx0, by0, bx1, by1) = ps.iter().flat_map(|p| p.exterior.iter()).fold(
                    (f64::INFINITY, f64::INFINITY, f64::NEG_INFINITY, f64::NEG_INFINITY),
                    |(a, b, c, d), p| {
                        let (x, y) = f.xy(*p);
                        (a.min(x), b.min(y), c.max(x), d.max(y))
                    },
                );
                let tiny = bx1 - bx0 < 6.0 && by1 - by0 < 6.0;
                let inside = f.xy(planar::point_inside(ps));
                (d, tiny.then_some(inside), (inside.0, inside.1 + 4.0), if tiny { f64::INFINITY } else { bx1 - bx0 })
            }
        };
        let text = if shaded {
            Some((anchor.0, anchor.1, value_text.clone().unwrap_or_else(|| "–".into())))
        } else if opts.name_labels && (a.name.chars().count() as f64 * 7.0) < room && dot.is_none() {
            Some((anchor.0, anchor.1, a.name.to_owned()))
        } else {
            None
        };
        // Points' labels start right of the dot; polygons' are centred.
        let text = text.map(|(x, y, t)| (x, y, t, if matches!(shape, Shape::Point(_)) { "start" } else { "middle" }));
        drawn.push(Drawn { href: a.href.clone(), label, path, dot, fill, fill_opacity, hatch, stroke_width, text });
    }

    let polygons = metric.iter().flatten().filter(|s| matches!(s, Shape::Polygons(_))).count();
    let points = metric.iter().flatten().filter(|s| matches!(s, Shape::Point(_))).count();
    let unreadable = metric.iter().filter(|s| s.is_none()).count();
    let mut desc = opts.description.trim().to_owned();
    let count = match (polygons, points) {
        (0, 0) => "Kartan visar inga platser ännu.".to_owned(),
        (p, 0) => format!("Kartan visar {p} {}.", if p == 1 { "område" } else { "områden" }),
        (0, q) => format!("Kartan visar {q} {}.", if q == 1 { "punkt" } else { "punkter" }),
        (p, q) => {
            format!("Kartan visar {p} {} och {q} {}.", if p == 1 { "område" } else { "områden" }, if q == 1 { "punkt" } else { "punkter" })
        }
    };
    if !desc.is_empty() {
        desc.push(' ');
    }
    desc.push_str(&count);
    if unreadable > 0 {
        desc.push_str(&format!(" {unreadable} platser kunde inte ritas."));
    }
    let tiles = opts.tiles.map(|t| tiles_for(t, &f)).unwrap_or_default();
    let attribution = if tiles.is_empty() { String::new() } else { opts.tiles.map(|t| t.attribution.clone()).unwrap_or_default() };
    let any_hatch = drawn.iter().any(|d| d.hatch);
    let svg = MapSvg {
        id: opts.id,
        title: opts.title,
        desc,
        width: WIDTH,
        height: (f.height * 10.0).round() / 10.0,
        role: if drawn.iter().any(|d| d.href.is_some()) { "group" } else { "img" },
        drawable: opts.drawable,
        e0: format!("{:.3}", f.e0),
        n1: format!("{:.3}", f.n1),
        scale: format!("{:.9}", f.scale),
        shapes: drawn,
        tiles,
        attribution,
        scale_bar: scale_bar(f.scale),
        legend_title: opts.legend_title,
        legend: classes.into_iter().map(|c| (c.fill, c.hatch, c.label)).collect(),
        no_data,
        any_hatch,
    };
    svg.render().unwrap_or_else(|e| {
        tracing::error!(error = %e, "map template failed");
        String::new()
    })
}

/// The WGS84 extent to frame a municipality's map by, when it has no places yet.
pub fn municipality_frame(code: &str) -> Option<Extent> {
    brygga_domain::geography::municipality_extent(code)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn square(lon: f64, lat: f64, d: f64) -> serde_json::Value {
        json!({"type": "Polygon", "coordinates": [[[lon, lat], [lon + d, lat], [lon + d, lat + d], [lon, lat + d], [lon, lat]]]})
    }

    #[test]
    fn a_plain_map_links_every_place_and_describes_itself() {
        let (a, b) = (square(13.14, 55.37, 0.02), json!({"type": "Point", "coordinates": [13.1566, 55.3751]}));
        let areas = [MapArea::new("Centrum", &a).link("/platser/1287/1"), MapArea::new("Stortorget & torg", &b).link("/platser/1287/2")];
        let svg = area_map(&areas, &MapOptions { id: "k", title: "Platser i Trelleborg", ..Default::default() });
        assert!(svg.contains("<title id=\"k-title\">Platser i Trelleborg</title>"), "{svg}");
        assert!(svg.contains("Kartan visar 1 område och 1 punkt."));
        assert!(svg.contains("role=\"group\""));
        assert!(
            svg.contains("<a href=\"/platser/1287/2\" aria-label=\"Stortorget &#38; torg\">")
                || svg.contains("aria-label=\"Stortorget &amp; torg\""),
            "{svg}"
        );
        // The district is drawn before (under) the point.
        assert!(svg.find("Centrum").unwrap() < svg.find("Stortorget").unwrap());
        assert!(!svg.contains("<image"), "no tiles unless configured");
    }

    #[test]
    fn counts_are_classed_labelled_and_explained() {
        let g: Vec<serde_json::Value> = (0..5).map(|i| square(13.1 + 0.03 * f64::from(i), 55.37, 0.02)).collect();
        let names = ["A", "B", "C", "D", "E"];
        let values = [0.0, 1.0, 4.0, 9.0, 17.0];
        let mut areas: Vec<MapArea> =
            (0..5).map(|i| MapArea::new(names[i], &g[i]).value(values[i], format!("{} rapporter", values[i]))).collect();
        areas.push(MapArea::new("Okänd", &g[0]));
        let svg = area_map(&areas, &MapOptions { shading: Shading::Counts, legend_title: "Rapporter", ..Default::default() });
        // 17 / 4 → steps of 5: 0, 1–5, 6–10, 11–15, 16–20.
        for label in ["1–5", "6–10", "11–15", "16–20", "Inga uppgifter"] {
            assert!(svg.contains(label), "legend lacks {label}: {svg}");
        }
        assert!(svg.contains("Okänd: inga uppgifter"));
        assert!(svg.contains(">17 rapporter<"), "values are written on the map");
        let (cls, which) = classes(Shading::Counts, &values.map(Some));
        assert_eq!(which, [Some(0), Some(1), Some(1), Some(2), Some(4)]);
        assert_eq!(cls.len(), 5);
    }

    #[test]
    fn change_is_symmetric_and_increases_are_hatched() {
        let (cls, which) = classes(Shading::Change, &[Some(-40.0), Some(-5.0), Some(0.0), Some(12.0), Some(35.0), None]);
        assert_eq!(which, [Some(0), Some(1), Some(2), Some(3), Some(4), None]);
        assert!(cls[3].hatch && cls[4].hatch && !cls[0].hatch);
        assert_eq!(cls[0].label, "Kraftig minskning (−40 till −20)");
        assert_eq!(cls[1].label, "Minskning (−19 till −1)");
        assert_eq!(cls[4].label, "Kraftig ökning (+20 till +40)");
    }

    #[test]
    fn frames_keep_true_proportions() {
        // A tall place: height capped, the width widened so metres stay square.
        let tall = json!({"type": "Polygon", "coordinates": [[[13.1, 55.3], [13.11, 55.3], [13.11, 55.5], [13.1, 55.5], [13.1, 55.3]]]});
        let svg = area_map(&[MapArea::new("Smal", &tall)], &MapOptions::default());
        assert!(svg.contains(&format!("viewBox=\"0 0 640 {MAX_H}\"")), "{svg}");
        let f = Frame::fit(0.0, 0.0, 100.0, 10_000.0);
        assert!((f.scale - MAX_H / (10_000.0 * 1.12)).abs() < 1e-9);
        // No places: the frame (or Sweden) is shown, and said.
        let svg = area_map(&[], &MapOptions { frame: municipality_frame("1287"), ..Default::default() });
        assert!(svg.contains("Kartan visar inga platser ännu."));
    }

    #[test]
    fn tiles_cover_the_view_in_the_matrix() {
        let layer = TileLayer {
            url: "https://kartor.example.se/3006/{z}/{y}/{x}.png".into(),
            origin: [-1_200_000.0, 8_500_000.0],
            resolutions: vec![4096.0, 2048.0, 1024.0, 512.0, 256.0, 128.0, 64.0, 32.0, 16.0, 8.0, 4.0, 2.0, 1.0, 0.5],
            tile_size: 256,
            attribution: "© Kartor".into(),
        };
        let a = square(13.14, 55.37, 0.02);
        let svg = area_map(&[MapArea::new("Centrum", &a)], &MapOptions { tiles: Some(&layer), ..Default::default() });
        let n = svg.matches("<image ").count();
        assert!((1..=MAX_TILES).contains(&n), "{n} tiles");
        assert!(svg.contains("https://kartor.example.se/3006/"));
        assert!(svg.contains("© Kartor"));
        assert!(configure_tiles(TileLayer { url: "http://x/{z}/{x}/{y}".into(), ..layer.clone() }).is_err());
    }
}
