//! The commands: read the input, call the engine, shape the JSON.

use crate::error::{CliError, Result};
use crate::input::{self, Format, Geometry};
use crate::{GiArgs, HotspotArgs, InputArgs, KdeArgs, KnoxArgs, NearRepeatArgs, StatArgs, TrendArgs, TrendSimArgs, WeightsArgs};
use brygga_analys::geom::{Area, Point};
use brygga_analys::kde::{Bandwidth, Kernel};
use brygga_analys::trend::{SimulationConfig, TrendCell, TrendOptions};
use brygga_analys::{Transform, WeightSpec, Weights, getis, grid, kde, knox, moran, trend};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::io::Write;

/// Phase timings on stderr when `BRYGGA_ANALYS_TIMINGS` is set (used by scripts/bench-analys).
struct Timings {
    enabled: bool,
    last: std::time::Instant,
}

impl Timings {
    fn start() -> Self {
        Timings { enabled: std::env::var_os("BRYGGA_ANALYS_TIMINGS").is_some(), last: std::time::Instant::now() }
    }

    fn mark(&mut self, phase: &str) {
        if self.enabled {
            let now = std::time::Instant::now();
            eprintln!("timing {phase} {:.6}", (now - self.last).as_secs_f64());
            self.last = now;
        }
    }
}

pub(crate) fn write_json<T: Serialize>(out: &mut dyn Write, value: &T) -> Result<()> {
    let mut w = std::io::BufWriter::with_capacity(1 << 16, out);
    serde_json::to_writer(&mut w, value).map_err(|e| CliError::Write(std::io::Error::other(e)))?;
    w.write_all(b"\n")?;
    w.flush()?;
    Ok(())
}

fn read_file(path: &str) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(|source| CliError::Read { path: path.to_owned(), source })
}

/// Units (areas or points) with one value each.
enum UnitGeometry {
    Areas(Vec<Area>),
    Points(Vec<Point>),
}

struct Units {
    ids: Vec<Value>,
    values: Vec<f64>,
    geometry: UnitGeometry,
}

fn load_units(input: &InputArgs, value: Option<&str>) -> Result<Units> {
    let bytes = read_file(&input.input)?;
    match input::detect_format(&input.input, &bytes) {
        Format::GeoJson => {
            let features = input::read_geojson(&bytes, &input.input)?;
            let values = match value {
                Some(v) => input::numeric_property(&features, v)?,
                None => Vec::new(),
            };
            let ids = features
                .iter()
                .enumerate()
                .map(|(k, f)| match &input.id {
                    Some(field) => f.properties.get(field).cloned().unwrap_or(Value::Null),
                    None => f.id.clone().unwrap_or_else(|| json!(k)),
                })
                .collect();
            let points: Option<Vec<Point>> = features
                .iter()
                .map(|f| match f.geometry {
                    Geometry::Point(p) => Some(p),
                    Geometry::Area(_) => None,
                })
                .collect();
            let geometry = match points {
                Some(p) => UnitGeometry::Points(p),
                None => UnitGeometry::Areas(
                    features
                        .into_iter()
                        .map(|f| match f.geometry {
                            Geometry::Area(a) => Ok(a),
                            Geometry::Point(_) => Err(CliError::GeoJson("filen blandar punkter och polygoner".into())),
                        })
                        .collect::<Result<_>>()?,
                ),
            };
            Ok(Units { ids, values, geometry })
        }
        Format::Csv => {
            let (Some(x), Some(y)) = (&input.x, &input.y) else {
                return Err(CliError::Usage("en CSV-fil behöver --x och --y (koordinatkolumner)".into()));
            };
            let mut cols: Vec<&str> = vec![x, y];
            if let Some(v) = value {
                cols.push(v);
            }
            let table = input::read_csv_columns(&bytes, &cols, input.id.as_deref(), &input.input)?;
            let points: Vec<Point> = table.numeric[0].iter().zip(&table.numeric[1]).map(|(&a, &b)| [a, b]).collect();
            let ids = match table.ids {
                Some(v) => v.into_iter().map(Value::String).collect(),
                None => (0..points.len()).map(|k| json!(k)).collect(),
            };
            let values = if value.is_some() { table.numeric[2].clone() } else { Vec::new() };
            Ok(Units { ids, values, geometry: UnitGeometry::Points(points) })
        }
    }
}

fn build_weights(units: &Units, spec: &str) -> Result<Weights> {
    let spec: WeightSpec = spec.parse()?;
    Ok(match &units.geometry {
        UnitGeometry::Areas(a) => spec.build_for_areas(a)?,
        UnitGeometry::Points(p) => spec.build_for_points(p)?,
    })
}

fn island_ids(units: &Units, w: &Weights) -> Vec<Value> {
    w.islands().into_iter().map(|i| units.ids[i].clone()).collect()
}

pub(crate) fn cmd_moran(a: &StatArgs) -> Result<Value> {
    let mut t = Timings::start();
    let units = load_units(&a.input, Some(&a.value))?;
    t.mark("read");
    let transform: Transform = a.transform.parse()?;
    let raw = build_weights(&units, &a.weights)?;
    let w = raw.transformed(transform);
    t.mark("weights");
    let m = moran::moran(&units.values, &w, a.permutations, a.seed)?;
    t.mark("statistic");
    let perm = m.permutation.as_ref();
    Ok(json!({
        "I": m.i,
        "expected": m.expected,
        "variance_norm": m.variance_norm,
        "z_norm": m.z_norm,
        "p_norm": m.p_norm,
        "variance_rand": m.variance_rand,
        "z_rand": m.z_rand,
        "p_rand": m.p_rand,
        "p_sim": perm.map(|p| p.p_sim),
        "EI_sim": perm.map(|p| p.mean),
        "seI_sim": perm.map(|p| p.sd),
        "permutations": a.permutations,
        "seed": a.seed,
        "n": units.values.len(),
        "islands": island_ids(&units, &raw),
    }))
}

pub(crate) fn cmd_lisa(a: &StatArgs) -> Result<Value> {
    let units = load_units(&a.input, Some(&a.value))?;
    let transform: Transform = a.transform.parse()?;
    let raw = build_weights(&units, &a.weights)?;
    let w = raw.transformed(transform);
    let r = moran::local_moran(&units.values, &w, a.permutations, a.seed)?;
    let results: Vec<Value> = r
        .iter()
        .enumerate()
        .map(|(k, l)| {
            json!({
                "id": units.ids[k],
                "value": units.values[k],
                "I": l.i,
                "expected": l.expected,
                "variance": l.variance,
                "z": l.z,
                "p": l.p_norm,
                "quadrant": l.quadrant.as_str(),
                "p_sim": l.p_sim,
                "cluster": match l.p_sim {
                    Some(p) if p <= a.alpha => l.quadrant.as_str(),
                    Some(_) => "ns",
                    None => "",
                },
            })
        })
        .collect();
    Ok(json!({ "results": results, "permutations": a.permutations, "seed": a.seed, "islands": island_ids(&units, &raw) }))
}

pub(crate) fn cmd_gistar(a: &GiArgs) -> Result<Value> {
    let units = load_units(&a.input, Some(&a.value))?;
    let transform: Transform = a.transform.parse()?;
    let raw = build_weights(&units, &a.weights)?;
    let r = getis::local_g(&units.values, &raw, !a.no_star, transform, a.permutations, a.seed)?;
    let results: Vec<Value> = r
        .iter()
        .enumerate()
        .map(|(k, g)| {
            let mut item = json!({ "id": units.ids[k], "value": units.values[k], "z": g.z, "p": g.p, "G": g.g });
            if let Some(p) = g.p_sim {
                item["p_sim"] = json!(p);
            }
            item
        })
        .collect();
    Ok(
        json!({ "star": !a.no_star, "transform": a.transform.to_ascii_lowercase(), "results": results, "islands": island_ids(&units, &raw) }),
    )
}

fn load_points(path: &str, x: &str, y: &str, extra: &[&str]) -> Result<(Vec<Point>, Vec<Vec<f64>>)> {
    let bytes = read_file(path)?;
    match input::detect_format(path, &bytes) {
        Format::Csv => {
            let mut cols = vec![x, y];
            cols.extend_from_slice(extra);
            let mut t = input::read_csv_columns(&bytes, &cols, None, path)?;
            let rest = t.numeric.split_off(2);
            let points = t.numeric[0].iter().zip(&t.numeric[1]).map(|(&a, &b)| [a, b]).collect();
            Ok((points, rest))
        }
        Format::GeoJson => {
            let features = input::read_geojson(&bytes, path)?;
            let points = features
                .iter()
                .enumerate()
                .map(|(k, f)| match f.geometry {
                    Geometry::Point(p) => Ok(p),
                    Geometry::Area(_) => Err(CliError::GeoJson(format!("objekt {}: punkter krävs, inte polygoner", k + 1))),
                })
                .collect::<Result<Vec<_>>>()?;
            let rest = extra.iter().map(|f| input::numeric_property(&features, f)).collect::<Result<Vec<_>>>()?;
            Ok((points, rest))
        }
    }
}

#[derive(Serialize)]
struct GridOut {
    origin_x: f64,
    origin_y: f64,
    cell: f64,
    cols: usize,
    rows: usize,
}

impl From<&grid::GridSpec> for GridOut {
    fn from(g: &grid::GridSpec) -> Self {
        GridOut { origin_x: g.origin_x, origin_y: g.origin_y, cell: g.cell, cols: g.cols, rows: g.rows }
    }
}

#[derive(Serialize)]
struct HotspotCell {
    col: usize,
    row: usize,
    count: u32,
    z: f64,
    p: f64,
}

#[derive(Serialize)]
struct HotspotOut {
    grid: GridOut,
    cells: Vec<HotspotCell>,
}

pub(crate) fn cmd_hotspots(a: &HotspotArgs, out: &mut dyn Write) -> Result<()> {
    let mut t = Timings::start();
    let (points, _) = load_points(&a.input, &a.x, &a.y, &[])?;
    t.mark("read");
    let hs = grid::grid_hotspots(&points, a.cell, a.band, a.max_cells)?;
    t.mark("statistic");
    drop(points);
    let cols = hs.grid.cols;
    let cells =
        (0..hs.grid.len()).map(|i| HotspotCell { col: i % cols, row: i / cols, count: hs.counts[i], z: hs.z[i], p: hs.p[i] }).collect();
    write_json(out, &HotspotOut { grid: (&hs.grid).into(), cells })?;
    t.mark("output");
    Ok(())
}

#[derive(Serialize)]
struct DensityCell {
    col: usize,
    row: usize,
    density: f64,
}

#[derive(Serialize)]
struct KdeOut {
    grid: GridOut,
    kernel: &'static str,
    bandwidth: f64,
    unit: &'static str,
    cells: Vec<DensityCell>,
}

pub(crate) fn cmd_kde(a: &KdeArgs, out: &mut dyn Write) -> Result<()> {
    let kernel: Kernel = a.kernel.parse()?;
    let extra: Vec<&str> = a.weight.iter().map(String::as_str).collect();
    let (points, rest) = load_points(&a.input, &a.x, &a.y, &extra)?;
    let bandwidth = a.bandwidth.map_or(Bandwidth::Rule, Bandwidth::Fixed);
    let d = kde::kde(&points, rest.first().map(Vec::as_slice), a.cell, kernel, bandwidth, a.max_cells)?;
    let cols = d.grid.cols;
    let cells = d.density.iter().enumerate().map(|(i, &density)| DensityCell { col: i % cols, row: i / cols, density }).collect();
    let kernel = match kernel {
        Kernel::Quartic => "quartic",
        Kernel::Gaussian => "gaussian",
    };
    write_json(
        out,
        &KdeOut { grid: (&d.grid).into(), kernel, bandwidth: d.bandwidth, unit: "händelser per kvadratenhet (m² i SWEREF 99 TM)", cells },
    )
}

pub(crate) fn cmd_knox(a: &KnoxArgs) -> Result<Value> {
    let mut t = Timings::start();
    let (points, rest) = load_points(&a.input, &a.x, &a.y, &[&a.t])?;
    t.mark("read");
    let r = knox::knox(&points, &rest[0], a.delta, a.tau, a.permutations, a.seed)?;
    t.mark("statistic");
    Ok(json!({
        "statistic": r.statistic,
        "expected": r.expected,
        "p_sim": r.p_sim,
        "p_poisson": r.p_poisson,
        "spatial_pairs": r.spatial_pairs,
        "temporal_pairs": r.temporal_pairs,
        "pairs": r.pairs,
        "delta": a.delta,
        "tau": a.tau,
        "permutations": r.permutations,
        "seed": a.seed,
    }))
}

fn bands(breaks: &[f64]) -> Vec<Value> {
    let mut v = Vec::new();
    let mut from = 0.0;
    for (k, &b) in breaks.iter().enumerate() {
        v.push(json!({ "from": from, "to": b, "from_inclusive": k == 0 }));
        from = b;
    }
    v.push(json!({ "from": from, "to": null, "from_inclusive": false }));
    v
}

pub(crate) fn cmd_nearrepeat(a: &NearRepeatArgs) -> Result<Value> {
    let (points, rest) = load_points(&a.input, &a.x, &a.y, &[&a.t])?;
    let t = knox::near_repeat(&points, &rest[0], &a.distances, &a.times, a.permutations, a.seed)?;
    let cells: Vec<Value> = t
        .cells
        .iter()
        .map(|c| json!({ "distance_band": c.distance_band, "time_band": c.time_band, "observed": c.observed, "expected": c.expected, "ratio": c.ratio, "p_sim": c.p_sim }))
        .collect();
    Ok(
        json!({ "distance_bands": bands(&t.distance_breaks), "time_bands": bands(&t.time_breaks), "permutations": t.permutations, "seed": a.seed, "cells": cells }),
    )
}

pub(crate) fn cmd_weights(a: &WeightsArgs) -> Result<Value> {
    let units = load_units(&a.input, None)?;
    let raw = build_weights(&units, &a.weights)?;
    let w = match &a.transform {
        Some(t) => raw.transformed(t.parse()?),
        None => raw.clone(),
    };
    let neighbours: Vec<Value> = (0..w.n())
        .map(|i| {
            let (nb, wv) = w.row(i);
            json!({ "id": units.ids[i], "neighbours": nb.iter().map(|&j| units.ids[j as usize].clone()).collect::<Vec<_>>(), "weights": wv })
        })
        .collect();
    Ok(json!({
        "n": w.n(),
        "links": w.links(),
        "mean_neighbours": w.links() as f64 / w.n() as f64,
        "islands": island_ids(&units, &raw),
        "neighbours": neighbours,
    }))
}

#[derive(Deserialize)]
struct TrendIn {
    #[serde(default)]
    id: Value,
    current: u32,
    #[serde(default)]
    recent: Vec<u32>,
    #[serde(default)]
    last_year: Option<Vec<u32>>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum TrendFile {
    Wrapped { cells: Vec<TrendIn> },
    Bare(Vec<TrendIn>),
}

pub(crate) fn cmd_trend(a: &TrendArgs) -> Result<Value> {
    let bytes = read_file(&a.input)?;
    let file: TrendFile = serde_json::from_slice(&bytes).map_err(|e| {
        CliError::Json(format!("{e}; väntat format: {{\"cells\":[{{\"id\":…,\"current\":14,\"recent\":[3,5,…],\"last_year\":[…]}}]}}"))
    })?;
    let cells_in = match file {
        TrendFile::Wrapped { cells } | TrendFile::Bare(cells) => cells,
    };
    if cells_in.is_empty() {
        return Err(CliError::Empty(a.input.clone()));
    }
    let cells: Vec<TrendCell> =
        cells_in.iter().map(|c| TrendCell { current: c.current, recent: c.recent.clone(), last_year: c.last_year.clone() }).collect();
    let opts = TrendOptions { fdr: a.fdr, range_coverage: a.coverage, ..TrendOptions::default() };
    let r = trend::detect(&cells, &opts)?;
    let results: Vec<Value> = r
        .iter()
        .zip(&cells_in)
        .map(|(t, c)| {
            json!({
                "id": c.id,
                "current": t.current,
                "expected": t.expected,
                "typical_low": t.typical_range.0,
                "typical_high": t.typical_range.1,
                "p": t.p_value,
                "q": t.q_value,
                "flagged": t.flagged,
                "direction": t.direction.as_str(),
                "dispersion": t.dispersion,
                "baseline_weeks": t.baseline_weeks,
                "tested": t.tested,
            })
        })
        .collect();
    Ok(json!({ "fdr": a.fdr, "coverage": a.coverage, "results": results }))
}

pub(crate) fn cmd_trend_sim(a: &TrendSimArgs) -> Result<Value> {
    if !(a.size >= 0.0 && a.size.is_finite()) || a.means.iter().any(|m| !(*m > 0.0 && m.is_finite())) {
        return Err(CliError::Usage("--size måste vara ≥ 0 och --means positiva tal".into()));
    }
    let cfg = SimulationConfig {
        seed: a.seed,
        series: a.series,
        base_means: a.means.clone(),
        size: (a.size > 0.0).then_some(a.size),
        ..SimulationConfig::default()
    };
    let rows = trend::simulate(&cfg)?;
    let rows: Vec<Value> = rows
        .iter()
        .map(|r| {
            json!({
                "base_mean": r.base_mean,
                "false_alarm_rate": r.false_alarm_rate,
                "weeks_with_false_flag_bh": r.weeks_with_false_flag_bh,
                "detected_first_week": r.detected_first_week,
                "detected_within_4_weeks": r.detected_within_4_weeks,
                "median_weeks_to_detection": r.median_weeks_to_detection,
            })
        })
        .collect();
    Ok(json!({
        "config": {
            "seed": cfg.seed, "series": cfg.series, "size": cfg.size, "seasonal_amplitude": cfg.seasonal_amplitude,
            "recent_weeks": cfg.recent_weeks, "last_year_half_window": cfg.last_year_half_window,
            "cells_per_week": cfg.cells_per_week, "fdr": cfg.fdr,
        },
        "rows": rows,
    }))
}
