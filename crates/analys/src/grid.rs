//! Regular grids over point data: binning and grid Gi* hotspots.

use crate::error::{Error, Result};
use crate::geom::{Point, check_points};
use crate::stats::norm_sf;
use rayon::prelude::*;

/// Default ceiling on the number of grid cells (≈ 20 bytes per cell are needed).
pub const DEFAULT_MAX_CELLS: u64 = 20_000_000;

/// A regular grid: cell (c, r) covers [origin_x + c·cell, origin_x + (c+1)·cell) ×
/// [origin_y + r·cell, origin_y + (r+1)·cell). Cells are numbered row-major, row 0 first.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GridSpec {
    /// x of the lower-left corner.
    pub origin_x: f64,
    /// y of the lower-left corner.
    pub origin_y: f64,
    /// Side of a square cell.
    pub cell: f64,
    /// Number of columns.
    pub cols: usize,
    /// Number of rows.
    pub rows: usize,
}

impl GridSpec {
    /// The grid whose origin is the points' minimum x and y, with
    /// cols = ⌊(max_x − min_x)/cell⌋ + 1 and rows likewise; errors beyond `max_cells`.
    pub fn covering(points: &[Point], cell: f64, max_cells: u64) -> Result<GridSpec> {
        if points.is_empty() {
            return Err(Error::Empty { min: 1 });
        }
        check_points(points)?;
        if !(cell > 0.0 && cell.is_finite()) {
            return Err(Error::InvalidParameter { name: "cell", reason: "rutstorleken måste vara ett positivt tal".into() });
        }
        let (min, max) = extent(points);
        Self::from_extent(min, max, cell, max_cells)
    }

    /// Grid with origin `min` covering up to `max` (see [`GridSpec::covering`]).
    pub fn from_extent(min: Point, max: Point, cell: f64, max_cells: u64) -> Result<GridSpec> {
        let cols_f = ((max[0] - min[0]) / cell).floor() + 1.0;
        let rows_f = ((max[1] - min[1]) / cell).floor() + 1.0;
        if !(cols_f.is_finite() && rows_f.is_finite()) || cols_f * rows_f > max_cells as f64 {
            return Err(Error::GridTooLarge {
                cols: cols_f.min(u64::MAX as f64) as u64,
                rows: rows_f.min(u64::MAX as f64) as u64,
                max: max_cells,
            });
        }
        Ok(GridSpec { origin_x: min[0], origin_y: min[1], cell, cols: cols_f as usize, rows: rows_f as usize })
    }

    /// Checks a grid built by hand: finite origin, positive cell, at least one row and column,
    /// at most `max_cells` cells.
    pub fn validate(&self, max_cells: u64) -> Result<()> {
        if !(self.origin_x.is_finite() && self.origin_y.is_finite()) {
            return Err(Error::InvalidParameter { name: "grid", reason: "origo måste vara ändliga tal".into() });
        }
        if !(self.cell > 0.0 && self.cell.is_finite()) {
            return Err(Error::InvalidParameter { name: "cell", reason: "rutstorleken måste vara ett positivt tal".into() });
        }
        if self.cols == 0 || self.rows == 0 {
            return Err(Error::InvalidParameter { name: "grid", reason: "rutnätet måste ha minst en rad och en kolumn".into() });
        }
        if (self.cols as u64).saturating_mul(self.rows as u64) > max_cells {
            return Err(Error::GridTooLarge { cols: self.cols as u64, rows: self.rows as u64, max: max_cells });
        }
        Ok(())
    }

    /// Number of cells.
    pub fn len(&self) -> usize {
        self.cols * self.rows
    }

    /// Whether the grid has no cells.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Centre of cell (col, row).
    pub fn centre(&self, col: usize, row: usize) -> Point {
        [self.origin_x + (col as f64 + 0.5) * self.cell, self.origin_y + (row as f64 + 0.5) * self.cell]
    }

    /// Cell index (row-major) of a point, or `None` outside the grid.
    pub fn cell_of(&self, p: Point) -> Option<usize> {
        let c = floor_in_range((p[0] - self.origin_x) / self.cell);
        let r = floor_in_range((p[1] - self.origin_y) / self.cell);
        if c < 0.0 || r < 0.0 || c >= self.cols as f64 || r >= self.rows as f64 {
            return None;
        }
        Some(r as usize * self.cols + c as usize)
    }

    /// Count of points per cell (points outside are ignored).
    pub fn bin(&self, points: &[Point]) -> Vec<u32> {
        let idx: Vec<u32> = points.par_iter().map(|&p| self.cell_of(p).map_or(u32::MAX, |i| i as u32)).collect();
        let mut counts = vec![0u32; self.len()];
        for i in idx {
            if i != u32::MAX {
                counts[i as usize] += 1;
            }
        }
        counts
    }
}

/// ⌊v⌋ for |v| < 2⁶³ without a libm call (baseline x86-64 has no rounding instruction); larger
/// magnitudes saturate, which still falls outside any grid.
#[inline]
fn floor_in_range(v: f64) -> f64 {
    let t = v as i64 as f64;
    if t > v { t - 1.0 } else { t }
}

/// Minimum and maximum x and y.
pub fn extent(points: &[Point]) -> (Point, Point) {
    points
        .par_iter()
        .fold(
            || ([f64::INFINITY; 2], [f64::NEG_INFINITY; 2]),
            |(lo, hi), p| ([lo[0].min(p[0]), lo[1].min(p[1])], [hi[0].max(p[0]), hi[1].max(p[1])]),
        )
        .reduce(
            || ([f64::INFINITY; 2], [f64::NEG_INFINITY; 2]),
            |a, b| ([a.0[0].min(b.0[0]), a.0[1].min(b.0[1])], [a.1[0].max(b.1[0]), a.1[1].max(b.1[1])]),
        )
}

/// Grid hotspots: counts per cell with Gi* z and p.
#[derive(Debug, Clone, PartialEq)]
pub struct GridHotspots {
    /// The grid.
    pub grid: GridSpec,
    /// Points per cell, row-major.
    pub counts: Vec<u32>,
    /// Gi* z-score per cell.
    pub z: Vec<f64>,
    /// P(Z > |z|) per cell (esda `p_norm`).
    pub p: Vec<f64>,
}

/// Relative slack on the band so that cell centres at exactly the band distance are included
/// despite floating-point rounding of their coordinates.
pub const BAND_SLACK: f64 = 1e-9;

/// Bins points to [`GridSpec::covering`] and computes Gi* with binary weights between cells whose
/// centres are within `band` (the cell itself included), over every cell of the grid.
/// Equal to `esda.G_Local(counts, DistanceBand(centres, band), transform="B", star=True)`.
pub fn grid_hotspots(points: &[Point], cell: f64, band: f64, max_cells: u64) -> Result<GridHotspots> {
    if !(band >= 0.0 && band.is_finite()) {
        return Err(Error::InvalidParameter { name: "band", reason: "avståndet måste vara ett tal ≥ 0".into() });
    }
    let grid = GridSpec::covering(points, cell, max_cells)?;
    let counts = grid.bin(points);
    let (z, p) = grid_gi_star(&grid, &counts, band)?;
    Ok(GridHotspots { grid, counts, z, p })
}

/// Gi* (binary, self included) of per-cell values on a grid, neighbours within `band`.
pub fn grid_gi_star(grid: &GridSpec, values: &[u32], band: f64) -> Result<(Vec<f64>, Vec<f64>)> {
    grid.validate(u64::MAX)?;
    let n = grid.len();
    if values.len() != n {
        return Err(Error::LengthMismatch { what: "rutvärden mot rutnät", left: values.len(), right: n });
    }
    if n < 2 {
        return Err(Error::TooFew { n, min: 2 });
    }
    let (cols, rows) = (grid.cols, grid.rows);
    // stencil: for each row offset dr, the column half-width h(dr)
    let reach = band * (1.0 + BAND_SLACK) / grid.cell;
    let max_dr = (reach.floor() as usize).min(rows.max(cols));
    let reach2 = reach * reach;
    let half: Vec<usize> = (0..=max_dr)
        .map(|dr| {
            let rest = reach2 - (dr * dr) as f64;
            if rest < 0.0 { usize::MAX } else { (rest.sqrt().floor() as usize).min(cols) }
        })
        .collect();
    // row prefix sums (exact integers)
    let prefix: Vec<u64> = {
        let mut pre = vec![0u64; rows * (cols + 1)];
        pre.par_chunks_mut(cols + 1).enumerate().for_each(|(r, out)| {
            let mut acc = 0u64;
            for c in 0..cols {
                acc += values[r * cols + c] as u64;
                out[c + 1] = acc;
            }
        });
        pre
    };
    let total: u64 = values.iter().map(|&v| v as u64).sum();
    let total2: f64 = values.iter().map(|&v| (v as f64) * (v as f64)).sum();
    let nf = n as f64;
    let mean = total as f64 / nf;
    let var = total2 / nf - mean * mean;
    if total == 0 || values.iter().all(|&v| v == values[0]) {
        return Err(Error::ZeroVariance);
    }
    let sum_f = total as f64;
    let mut z = vec![0.0; n];
    let mut p = vec![0.0; n];
    z.par_chunks_mut(cols).zip(p.par_chunks_mut(cols)).enumerate().for_each(|(r, (zrow, prow))| {
        for c in 0..cols {
            let mut s = 0u64;
            let mut card = 0u64;
            for (dr, &h) in half.iter().enumerate() {
                if h == usize::MAX {
                    continue;
                }
                let c0 = c.saturating_sub(h);
                let c1 = (c + h).min(cols - 1);
                let mut visit = |rr: usize| {
                    let base = rr * (cols + 1);
                    s += prefix[base + c1 + 1] - prefix[base + c0];
                    card += (c1 - c0 + 1) as u64;
                };
                if dr == 0 {
                    visit(r);
                } else {
                    if r >= dr {
                        visit(r - dr);
                    }
                    if r + dr < rows {
                        visit(r + dr);
                    }
                }
            }
            let card = card as f64;
            let g = s as f64 / sum_f;
            let e = card / nf;
            let v = card * (nf - card) / (nf - 1.0) / (nf * nf) * (var / (mean * mean));
            let zi = (g - e) / v.sqrt();
            zrow[c] = zi;
            prow[c] = norm_sf(zi.abs());
        }
    });
    Ok((z, p))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::getis::local_g;
    use crate::weights::{Transform, distance_band};

    #[test]
    fn grid_follows_the_issue_definition() {
        let pts = vec![[10.0, 20.0], [10.0, 20.0], [59.9, 20.0], [60.0, 130.0], [60.0, 20.0]];
        let g = GridSpec::covering(&pts, 50.0, DEFAULT_MAX_CELLS).unwrap();
        assert_eq!((g.cols, g.rows), (2, 3));
        assert_eq!(g.bin(&pts), vec![3, 1, 0, 0, 0, 1]);
    }

    #[test]
    fn grid_gi_star_equals_general_gi_star() {
        let mut rng = crate::rng::Rng::new(3);
        let pts: Vec<Point> = (0..3000)
            .map(|_| {
                let (x, y) = (rng.next_f64() * 700.0, rng.next_f64() * 420.0);
                if rng.next_f64() < 0.3 { [x * 0.2, y * 0.3] } else { [x, y] }
            })
            .collect();
        for band in [0.0, 50.0, 150.0, 170.0] {
            let hs = grid_hotspots(&pts, 50.0, band, DEFAULT_MAX_CELLS).unwrap();
            let g = hs.grid;
            let centres: Vec<Point> = (0..g.len()).map(|i| g.centre(i % g.cols, i / g.cols)).collect();
            let w = distance_band(&centres, band.max(1e-6) * (1.0 + BAND_SLACK)).unwrap();
            let y: Vec<f64> = hs.counts.iter().map(|&c| c as f64).collect();
            let r = local_g(&y, &w, true, Transform::Binary, 0, 0).unwrap();
            for (i, (general, fast)) in r.iter().zip(&hs.z).enumerate() {
                assert!((general.z - fast).abs() <= 1e-9 * general.z.abs().max(1.0), "band {band} cell {i}: {} vs {fast}", general.z);
            }
        }
    }

    #[test]
    fn fast_floor_equals_floor() {
        for v in [0.0, -0.0, 0.5, -0.5, 1.0, -1.0, 2.999_999_999, -2.000_000_001, 1e15 + 0.5, -1e15 - 0.5, 123_456.0] {
            assert_eq!(floor_in_range(v), v.floor(), "{v}");
        }
        assert!(floor_in_range(1e300) < 1e300 && floor_in_range(-1e300) < 0.0);
    }

    #[test]
    fn too_large_grid_is_an_error() {
        let pts = vec![[0.0, 0.0], [1e9, 1e9]];
        assert!(matches!(grid_hotspots(&pts, 1.0, 3.0, DEFAULT_MAX_CELLS), Err(Error::GridTooLarge { .. })));
        assert!(matches!(grid_hotspots(&pts, f64::MIN_POSITIVE, 3.0, DEFAULT_MAX_CELLS), Err(Error::GridTooLarge { .. })));
    }

    #[test]
    fn single_cell_is_an_error() {
        assert_eq!(grid_hotspots(&[[1.0, 1.0]], 10.0, 20.0, 100), Err(Error::TooFew { n: 1, min: 2 }));
    }
}
