//! Kernel density estimation on a grid (hotspot layer).
//!
//! density(c) = Σ_i w_i · K(‖c − p_i‖ / h) / h², in events per square coordinate unit
//! (multiply by 10⁶ for events per km² in a metric CRS). Kernels are normalised to integrate to one
//! over the plane (Silverman 1986, §4.2 and eq. 4.5).

use crate::error::{Error, Result, check_finite};
use crate::geom::{Point, check_points};
use crate::grid::{GridSpec, extent};
use rayon::prelude::*;
use std::str::FromStr;

/// Kernel function.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kernel {
    /// K(u) = 3/π · (1 − u²)² for u ≤ 1, else 0 (Silverman 1986 eq. 4.5; ArcGIS Kernel Density).
    Quartic,
    /// K(u) = exp(−u²/2) / (2π), evaluated out to u = 6 (the neglected mass is e^−18 ≈ 1.5·10⁻⁸).
    Gaussian,
}

impl FromStr for Kernel {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "quartic" | "kvartisk" => Ok(Kernel::Quartic),
            "gaussian" | "gauss" => Ok(Kernel::Gaussian),
            _ => {
                Err(Error::InvalidParameter { name: "kernel", reason: format!("«{s}» känns inte igen; använd quartic eller gaussian") })
            }
        }
    }
}

impl Kernel {
    /// Support radius in bandwidths.
    pub fn reach(self) -> f64 {
        match self {
            Kernel::Quartic => 1.0,
            Kernel::Gaussian => 6.0,
        }
    }

    /// K(u) for squared scaled distance u².
    pub fn eval_u2(self, u2: f64) -> f64 {
        match self {
            Kernel::Quartic => {
                if u2 >= 1.0 {
                    0.0
                } else {
                    let t = 1.0 - u2;
                    3.0 / std::f64::consts::PI * t * t
                }
            }
            Kernel::Gaussian => {
                if u2 > 36.0 {
                    0.0
                } else {
                    (-0.5 * u2).exp() / (2.0 * std::f64::consts::PI)
                }
            }
        }
    }
}

/// Bandwidth choice.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Bandwidth {
    /// Given in coordinate units.
    Fixed(f64),
    /// The spatial variant of Silverman's rule used by ArcGIS Pro's Kernel Density:
    /// h = 0.9 · min(SD, √(1/ln 2) · D_m) · n^(−1/5), SD the standard distance and D_m the median
    /// distance to the mean centre.
    Rule,
}

/// The rule-of-thumb bandwidth (see [`Bandwidth::Rule`]).
pub fn rule_bandwidth(points: &[Point]) -> Result<f64> {
    let n = points.len();
    if n < 2 {
        return Err(Error::TooFew { n, min: 2 });
    }
    check_points(points)?;
    let nf = n as f64;
    let mx = points.iter().map(|p| p[0]).sum::<f64>() / nf;
    let my = points.iter().map(|p| p[1]).sum::<f64>() / nf;
    let mut d: Vec<f64> = points.iter().map(|p| ((p[0] - mx).powi(2) + (p[1] - my).powi(2)).sqrt()).collect();
    let sd = (d.iter().map(|v| v * v).sum::<f64>() / nf).sqrt();
    d.par_sort_unstable_by(f64::total_cmp);
    let median = if n % 2 == 1 { d[n / 2] } else { 0.5 * (d[n / 2 - 1] + d[n / 2]) };
    let h = 0.9 * sd.min((1.0 / std::f64::consts::LN_2).sqrt() * median) * nf.powf(-0.2);
    if h > 0.0 && h.is_finite() {
        Ok(h)
    } else {
        Err(Error::InvalidParameter {
            name: "bandwidth",
            reason: "punkterna sammanfaller, så ingen bandbredd kan beräknas; ange den".into(),
        })
    }
}

/// A density surface.
#[derive(Debug, Clone, PartialEq)]
pub struct DensityGrid {
    /// The grid.
    pub grid: GridSpec,
    /// Bandwidth used.
    pub bandwidth: f64,
    /// Kernel used.
    pub kernel: Kernel,
    /// Density at each cell centre, row-major.
    pub density: Vec<f64>,
}

/// Density over a grid that covers the points plus one support radius on each side.
pub fn kde(
    points: &[Point],
    weights: Option<&[f64]>,
    cell: f64,
    kernel: Kernel,
    bandwidth: Bandwidth,
    max_cells: u64,
) -> Result<DensityGrid> {
    if points.is_empty() {
        return Err(Error::Empty { min: 1 });
    }
    check_points(points)?;
    let h = match bandwidth {
        Bandwidth::Fixed(h) if h > 0.0 && h.is_finite() => h,
        Bandwidth::Fixed(_) => {
            return Err(Error::InvalidParameter { name: "bandwidth", reason: "måste vara ett positivt tal".into() });
        }
        Bandwidth::Rule => rule_bandwidth(points)?,
    };
    if !(cell > 0.0 && cell.is_finite()) {
        return Err(Error::InvalidParameter { name: "cell", reason: "rutstorleken måste vara ett positivt tal".into() });
    }
    let (lo, hi) = extent(points);
    let margin = h * kernel.reach();
    let grid = GridSpec::from_extent([lo[0] - margin, lo[1] - margin], [hi[0] + margin, hi[1] + margin], cell, max_cells)?;
    kde_on_grid(points, weights, &grid, kernel, h)
}

/// Density at the centres of a given grid (to align with other layers).
pub fn kde_on_grid(points: &[Point], weights: Option<&[f64]>, grid: &GridSpec, kernel: Kernel, h: f64) -> Result<DensityGrid> {
    check_points(points)?;
    grid.validate(u64::MAX)?;
    if let Some(w) = weights {
        if w.len() != points.len() {
            return Err(Error::LengthMismatch { what: "vikter mot punkter", left: w.len(), right: points.len() });
        }
        check_finite(w)?;
    }
    if !(h > 0.0 && h.is_finite()) {
        return Err(Error::InvalidParameter { name: "bandwidth", reason: "måste vara ett positivt tal".into() });
    }
    let (cols, rows, cell) = (grid.cols, grid.rows, grid.cell);
    let radius = h * kernel.reach();
    // bucket points by grid row (points outside the rows still count if within reach)
    let row_of = |y: f64| ((y - grid.origin_y) / cell).floor();
    let mut order: Vec<u32> = (0..points.len() as u32).collect();
    order.sort_by(|&a, &b| row_of(points[a as usize][1]).total_cmp(&row_of(points[b as usize][1])).then(a.cmp(&b)));
    let keys: Vec<f64> = order.iter().map(|&i| row_of(points[i as usize][1])).collect();
    let reach_rows = (radius / cell).ceil() + 1.0;
    let inv_h2 = 1.0 / (h * h);
    let mut density = vec![0.0; grid.len()];
    density.par_chunks_mut(cols).enumerate().for_each(|(r, out)| {
        let cy = grid.origin_y + (r as f64 + 0.5) * cell;
        let lo = keys.partition_point(|&k| k < r as f64 - reach_rows);
        let hi = keys.partition_point(|&k| k <= r as f64 + reach_rows);
        for &pi in &order[lo..hi] {
            let p = points[pi as usize];
            let dy = p[1] - cy;
            if dy.abs() > radius {
                continue;
            }
            let wi = weights.map_or(1.0, |w| w[pi as usize]);
            let c0 = (((p[0] - radius - grid.origin_x) / cell - 0.5).floor().max(0.0)) as usize;
            let c1f = ((p[0] + radius - grid.origin_x) / cell - 0.5).ceil();
            if c1f < 0.0 {
                continue;
            }
            let c1 = (c1f as usize).min(cols - 1);
            for (c, slot) in out.iter_mut().enumerate().take(c1 + 1).skip(c0) {
                let cx = grid.origin_x + (c as f64 + 0.5) * cell;
                let dx = p[0] - cx;
                let u2 = (dx * dx + dy * dy) * inv_h2;
                *slot += wi * kernel.eval_u2(u2) * inv_h2;
            }
        }
    });
    let _ = rows;
    Ok(DensityGrid { grid: *grid, bandwidth: h, kernel, density })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mass_is_conserved() {
        let mut rng = crate::rng::Rng::new(2);
        let pts: Vec<Point> = (0..200).map(|_| [rng.next_f64() * 1000.0, rng.next_f64() * 600.0]).collect();
        for kernel in [Kernel::Quartic, Kernel::Gaussian] {
            let d = kde(&pts, None, 5.0, kernel, Bandwidth::Fixed(60.0), 10_000_000).unwrap();
            let mass: f64 = d.density.iter().sum::<f64>() * 25.0;
            assert!((mass / 200.0 - 1.0).abs() < 2e-3, "{kernel:?}: {mass}");
        }
    }

    #[test]
    fn quartic_matches_direct_formula() {
        let pts = vec![[0.0, 0.0], [30.0, 10.0]];
        let d = kde(&pts, Some(&[1.0, 2.0]), 10.0, Kernel::Quartic, Bandwidth::Fixed(25.0), 1000).unwrap();
        for (i, &v) in d.density.iter().enumerate() {
            let c = d.grid.centre(i % d.grid.cols, i / d.grid.cols);
            let mut want = 0.0;
            for (p, w) in pts.iter().zip([1.0, 2.0]) {
                let u2 = ((c[0] - p[0]).powi(2) + (c[1] - p[1]).powi(2)) / 625.0;
                if u2 < 1.0 {
                    want += w * 3.0 / std::f64::consts::PI * (1.0 - u2).powi(2) / 625.0;
                }
            }
            assert!((v - want).abs() < 1e-15, "{i}");
        }
    }

    #[test]
    fn hand_made_grids_are_validated() {
        let bad = GridSpec { origin_x: 0.0, origin_y: 0.0, cell: 10.0, cols: 0, rows: 3 };
        assert!(kde_on_grid(&[[1.0, 1.0]], None, &bad, Kernel::Quartic, 5.0).is_err());
        let nan = GridSpec { origin_x: f64::NAN, ..bad };
        assert!(kde_on_grid(&[[1.0, 1.0]], None, &GridSpec { cols: 2, ..nan }, Kernel::Quartic, 5.0).is_err());
        assert!(crate::grid::grid_gi_star(&bad, &[], 10.0).is_err());
    }

    #[test]
    fn rule_bandwidth_is_positive_and_errors_on_coincident_points() {
        let pts: Vec<Point> = (0..50).map(|k| [k as f64, (k * k % 17) as f64]).collect();
        assert!(rule_bandwidth(&pts).unwrap() > 0.0);
        assert!(rule_bandwidth(&[[1.0, 1.0]; 5]).is_err());
    }
}
