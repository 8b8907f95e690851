//! Spatial weights: who is a neighbour of whom, and how much.
//!
//! Built from polygons (queen and rook contiguity, exact like libpysal or with a snapping
//! tolerance for slivers) or from points (k nearest neighbours, distance band, inverse distance).
//! Stored as compressed sparse rows with neighbours sorted by index.

use crate::error::{Error, Result};
use crate::geom::{Area, Point, check_points, dist2, open_ring, point_segment_dist2};
use crate::kdtree::KdTree;
use rayon::prelude::*;
use std::str::FromStr;
use std::sync::atomic::{AtomicU64, Ordering};

/// Most links (non-zero weights) a distance-based weights matrix may hold (≈ 1.2 GB).
pub const MAX_LINKS: u64 = 100_000_000;

/// Weight transformation, as libpysal's `W.transform`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transform {
    /// `"b"`: every link weighs 1.
    Binary,
    /// `"r"`: each row divided by its sum (rows of islands stay zero).
    Row,
}

impl FromStr for Transform {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "b" => Ok(Transform::Binary),
            "r" => Ok(Transform::Row),
            _ => Err(Error::InvalidParameter {
                name: "transform",
                reason: format!("«{s}» känns inte igen; använd b (binär) eller r (radstandardiserad)"),
            }),
        }
    }
}

/// Which neighbours to use; parsed from the CLI syntax `queen`, `rook`, `knn:K`, `band:D`,
/// `idw:D` or `idw:D:ALPHA` (optionally `queen:TOL` / `rook:TOL` for a snapping tolerance).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum WeightSpec {
    /// Polygons sharing at least one boundary point.
    Queen {
        /// Snapping tolerance in coordinate units; 0 = exact shared vertices (libpysal).
        tolerance: f64,
    },
    /// Polygons sharing a boundary segment.
    Rook {
        /// Snapping tolerance in coordinate units; 0 = exact shared edges (libpysal).
        tolerance: f64,
    },
    /// The `k` nearest neighbours (by centroid for polygons).
    Knn {
        /// Number of neighbours.
        k: usize,
    },
    /// All points within `threshold` (inclusive), binary.
    Band {
        /// Distance threshold.
        threshold: f64,
    },
    /// All points within `threshold`, weighted `distance^alpha` (libpysal `DistanceBand(binary=False)`).
    InverseDistance {
        /// Distance threshold.
        threshold: f64,
        /// Power, usually −1.
        alpha: f64,
    },
}

impl FromStr for WeightSpec {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        let bad = |reason: String| Error::InvalidParameter { name: "weights", reason };
        let mut parts = s.trim().split(':');
        let kind = parts.next().unwrap_or("").to_ascii_lowercase();
        let nums: Vec<&str> = parts.collect();
        let num = |k: usize| -> Result<f64> {
            let text = nums.get(k).ok_or_else(|| bad(format!("«{s}» saknar ett tal efter kolon")))?;
            let v: f64 = text.trim().parse().map_err(|_| bad(format!("«{text}» är inte ett tal")))?;
            if !v.is_finite() {
                return Err(bad(format!("«{text}» är inte ett ändligt tal")));
            }
            Ok(v)
        };
        let spec = match kind.as_str() {
            "queen" | "rook" => {
                let tolerance = if nums.is_empty() { 0.0 } else { num(0)? };
                if tolerance < 0.0 {
                    return Err(bad("toleransen får inte vara negativ".into()));
                }
                if kind == "queen" { WeightSpec::Queen { tolerance } } else { WeightSpec::Rook { tolerance } }
            }
            "knn" => {
                let k = num(0)?;
                if k < 1.0 || k.fract() != 0.0 || k > 10_000.0 {
                    return Err(bad("K måste vara ett heltal mellan 1 och 10000".into()));
                }
                WeightSpec::Knn { k: k as usize }
            }
            "band" => {
                let threshold = num(0)?;
                if threshold <= 0.0 {
                    return Err(bad("avståndet måste vara större än noll".into()));
                }
                WeightSpec::Band { threshold }
            }
            "idw" => {
                let threshold = num(0)?;
                if threshold <= 0.0 {
                    return Err(bad("avståndet måste vara större än noll".into()));
                }
                let alpha = if nums.len() > 1 { num(1)? } else { -1.0 };
                WeightSpec::InverseDistance { threshold, alpha }
            }
            _ => {
                return Err(bad(format!("«{s}» känns inte igen; använd queen, rook, knn:K, band:D eller idw:D")));
            }
        };
        let max_args = match spec {
            WeightSpec::InverseDistance { .. } => 2,
            _ => 1,
        };
        if nums.len() > max_args {
            return Err(bad(format!("«{s}» har för många delar")));
        }
        Ok(spec)
    }
}

impl WeightSpec {
    /// Builds the weights for areas (point-based kinds use the area centroids).
    pub fn build_for_areas(&self, areas: &[Area]) -> Result<Weights> {
        for (i, a) in areas.iter().enumerate() {
            a.validate(i)?;
        }
        match *self {
            WeightSpec::Queen { tolerance } => contiguity(areas, Contiguity::Queen, tolerance),
            WeightSpec::Rook { tolerance } => contiguity(areas, Contiguity::Rook, tolerance),
            _ => {
                let centroids: Vec<Point> = areas.iter().map(Area::centroid).collect();
                self.build_for_points(&centroids)
            }
        }
    }

    /// Builds the weights for points; contiguity kinds are an error.
    pub fn build_for_points(&self, points: &[Point]) -> Result<Weights> {
        match *self {
            WeightSpec::Queen { .. } | WeightSpec::Rook { .. } => Err(Error::InvalidParameter {
                name: "weights",
                reason: "queen och rook kräver polygoner; använd knn:K, band:D eller idw:D för punkter".into(),
            }),
            WeightSpec::Knn { k } => knn(points, k),
            WeightSpec::Band { threshold } => distance_band(points, threshold),
            WeightSpec::InverseDistance { threshold, alpha } => inverse_distance(points, threshold, alpha),
        }
    }
}

/// Sparse weights matrix W (row i holds the neighbours of unit i).
#[derive(Debug, Clone, PartialEq)]
pub struct Weights {
    offsets: Vec<usize>,
    neighbors: Vec<u32>,
    values: Vec<f64>,
}

impl Weights {
    /// Builds weights from one list of `(neighbour, weight)` per unit. Self-links, zero weights
    /// and duplicates (the first is kept) are dropped; rows are sorted by neighbour.
    pub fn from_lists(lists: Vec<Vec<(u32, f64)>>) -> Result<Self> {
        let n = lists.len();
        let mut offsets = Vec::with_capacity(n + 1);
        let mut neighbors = Vec::new();
        let mut values = Vec::new();
        offsets.push(0);
        for (i, mut row) in lists.into_iter().enumerate() {
            row.sort_by_key(|&(j, _)| j);
            row.dedup_by_key(|&mut (j, _)| j);
            for (j, w) in row {
                if j as usize >= n {
                    return Err(Error::InvalidParameter { name: "weights", reason: format!("granne {j} finns inte (bara {n} enheter)") });
                }
                if !w.is_finite() {
                    return Err(Error::InvalidParameter {
                        name: "weights",
                        reason: format!("vikten mellan {i} och {j} är inte ett ändligt tal"),
                    });
                }
                if j as usize != i && w != 0.0 {
                    neighbors.push(j);
                    values.push(w);
                }
            }
            offsets.push(neighbors.len());
        }
        Ok(Weights { offsets, neighbors, values })
    }

    /// Number of units.
    pub fn n(&self) -> usize {
        self.offsets.len() - 1
    }

    /// Neighbours of unit `i` and their weights.
    pub fn row(&self, i: usize) -> (&[u32], &[f64]) {
        let (a, b) = (self.offsets[i], self.offsets[i + 1]);
        (&self.neighbors[a..b], &self.values[a..b])
    }

    /// Number of neighbours of unit `i`.
    pub fn cardinality(&self, i: usize) -> usize {
        self.offsets[i + 1] - self.offsets[i]
    }

    /// Total number of links (non-zero weights).
    pub fn links(&self) -> usize {
        self.neighbors.len()
    }

    /// Units without neighbours.
    pub fn islands(&self) -> Vec<usize> {
        (0..self.n()).filter(|&i| self.cardinality(i) == 0).collect()
    }

    /// Largest number of neighbours of any unit.
    pub fn max_cardinality(&self) -> usize {
        (0..self.n()).map(|i| self.cardinality(i)).max().unwrap_or(0)
    }

    /// Weight w_ij (0 when j is not a neighbour of i).
    pub fn get(&self, i: usize, j: usize) -> f64 {
        let (nb, w) = self.row(i);
        match nb.binary_search(&(j as u32)) {
            Ok(k) => w[k],
            Err(_) => 0.0,
        }
    }

    /// Whether w_ij = w_ji for all i, j.
    pub fn is_symmetric(&self) -> bool {
        (0..self.n()).all(|i| {
            let (nb, w) = self.row(i);
            nb.iter().zip(w).all(|(&j, &v)| self.get(j as usize, i) == v)
        })
    }

    /// The transformed weights.
    pub fn transformed(&self, t: Transform) -> Weights {
        let mut out = self.clone();
        match t {
            Transform::Binary => out.values.iter_mut().for_each(|v| *v = 1.0),
            Transform::Row => {
                for i in 0..out.n() {
                    let (a, b) = (out.offsets[i], out.offsets[i + 1]);
                    let sum: f64 = out.values[a..b].iter().sum();
                    if sum != 0.0 {
                        out.values[a..b].iter_mut().for_each(|v| *v /= sum);
                    }
                }
            }
        }
        out
    }

    /// Row sums Σ_j w_ij.
    pub fn row_sums(&self) -> Vec<f64> {
        (0..self.n()).map(|i| self.row(i).1.iter().sum()).collect()
    }

    /// S0 = Σ_i Σ_j w_ij.
    pub fn s0(&self) -> f64 {
        self.values.iter().sum()
    }

    /// S1 = ½ Σ_i Σ_j (w_ij + w_ji)².
    pub fn s1(&self) -> f64 {
        let mut total = 0.0;
        for i in 0..self.n() {
            let (nb, w) = self.row(i);
            for (&j, &wij) in nb.iter().zip(w) {
                let wji = self.get(j as usize, i);
                let s = wij + wji;
                total += s * s;
                if wji == 0.0 {
                    // the (j, i) term is not visited from row j
                    total += s * s;
                }
            }
        }
        0.5 * total
    }

    /// S2 = Σ_i (Σ_j w_ij + Σ_j w_ji)².
    pub fn s2(&self) -> f64 {
        let n = self.n();
        let mut col = vec![0.0; n];
        for (&j, &w) in self.neighbors.iter().zip(&self.values) {
            col[j as usize] += w;
        }
        self.row_sums().iter().zip(&col).map(|(r, c)| (r + c) * (r + c)).sum()
    }

    /// Spatial lag (W y)_i = Σ_j w_ij y_j.
    pub fn lag(&self, y: &[f64]) -> Vec<f64> {
        (0..self.n())
            .map(|i| {
                let (nb, w) = self.row(i);
                nb.iter().zip(w).map(|(&j, &v)| v * y[j as usize]).sum()
            })
            .collect()
    }
}

/// Contiguity criterion.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Contiguity {
    /// A shared boundary point suffices.
    Queen,
    /// A shared boundary segment is needed.
    Rook,
}

/// Contiguity weights (binary) between areas.
///
/// With `tolerance == 0` this is libpysal's rule (`Queen`/`Rook.from_dataframe`): queen
/// neighbours share a vertex with identical coordinates, rook neighbours share an edge between two
/// such vertices. With `tolerance > 0` it is geometric and tolerant of slivers and unmatched
/// vertices: a vertex of one area within `tolerance` of the boundary of another is a contact;
/// queen needs one contact, rook needs contacts spread over more than `2 × tolerance`
/// (or an exactly shared edge), so any tolerance finds a superset of the exact neighbours.
pub fn contiguity(areas: &[Area], criterion: Contiguity, tolerance: f64) -> Result<Weights> {
    if !(tolerance >= 0.0 && tolerance.is_finite()) {
        return Err(Error::InvalidParameter { name: "tolerance", reason: "måste vara ett tal ≥ 0".into() });
    }
    for (i, a) in areas.iter().enumerate() {
        a.validate(i)?;
    }
    let pairs = if tolerance == 0.0 {
        exact_contiguity(areas, criterion)
    } else {
        // exact neighbours always stay (a shared edge shorter than 2 × tolerance would otherwise
        // read as a corner), so a tolerance only ever adds neighbours
        let mut p = snapped_contiguity(areas, criterion, tolerance);
        p.extend(exact_contiguity(areas, criterion));
        p.sort_unstable();
        p.dedup();
        p
    };
    let mut lists: Vec<Vec<(u32, f64)>> = vec![Vec::new(); areas.len()];
    for (a, b) in pairs {
        lists[a as usize].push((b, 1.0));
        lists[b as usize].push((a, 1.0));
    }
    Weights::from_lists(lists)
}

fn key(p: Point) -> (u64, u64) {
    let norm = |v: f64| if v == 0.0 { 0.0f64 } else { v };
    (norm(p[0]).to_bits(), norm(p[1]).to_bits())
}

fn exact_contiguity(areas: &[Area], criterion: Contiguity) -> Vec<(u32, u32)> {
    type Key = ((u64, u64), (u64, u64));
    let mut items: Vec<(Key, u32)> = Vec::new();
    for (i, area) in areas.iter().enumerate() {
        for ring in area.rings() {
            let v = open_ring(ring);
            for k in 0..v.len() {
                match criterion {
                    Contiguity::Queen => items.push(((key(v[k]), (0, 0)), i as u32)),
                    Contiguity::Rook => {
                        let (a, b) = (key(v[k]), key(v[(k + 1) % v.len()]));
                        if a != b {
                            items.push(((a.min(b), a.max(b)), i as u32));
                        }
                    }
                }
            }
        }
    }
    items.par_sort_unstable();
    items.dedup();
    let mut pairs = Vec::new();
    let mut start = 0;
    while start < items.len() {
        let mut end = start + 1;
        while end < items.len() && items[end].0 == items[start].0 {
            end += 1;
        }
        for a in start..end {
            for b in a + 1..end {
                pairs.push((items[a].1, items[b].1));
            }
        }
        start = end;
    }
    pairs.sort_unstable();
    pairs.dedup();
    pairs
}

fn snapped_contiguity(areas: &[Area], criterion: Contiguity, tol: f64) -> Vec<(u32, u32)> {
    // segments with their area, indexed in a uniform grid
    let mut segs: Vec<(Point, Point, u32)> = Vec::new();
    for (i, area) in areas.iter().enumerate() {
        for ring in area.rings() {
            let v = open_ring(ring);
            for k in 0..v.len() {
                segs.push((v[k], v[(k + 1) % v.len()], i as u32));
            }
        }
    }
    if segs.is_empty() {
        return Vec::new();
    }
    let mean_len = segs.iter().map(|s| dist2(s.0, s.1).sqrt()).sum::<f64>() / segs.len() as f64;
    let cell = (2.0 * tol).max(mean_len).max(f64::MIN_POSITIVE);
    let (mut minx, mut miny) = (f64::INFINITY, f64::INFINITY);
    for s in &segs {
        minx = minx.min(s.0[0]).min(s.1[0]);
        miny = miny.min(s.0[1]).min(s.1[1]);
    }
    let cell_of = |x: f64, y: f64| (((x - minx) / cell).floor() as i64, ((y - miny) / cell).floor() as i64);
    let mut grid: Vec<((i64, i64), u32)> = Vec::new();
    for (s, seg) in segs.iter().enumerate() {
        let (x0, x1) = (seg.0[0].min(seg.1[0]) - tol, seg.0[0].max(seg.1[0]) + tol);
        let (y0, y1) = (seg.0[1].min(seg.1[1]) - tol, seg.0[1].max(seg.1[1]) + tol);
        let (c0, r0) = cell_of(x0, y0);
        let (c1, r1) = cell_of(x1, y1);
        if (c1 - c0 + 1).saturating_mul(r1 - r0 + 1) > 1_000_000 {
            continue; // absurdly long segment relative to the others; contacts found from its ends
        }
        for c in c0..=c1 {
            for r in r0..=r1 {
                grid.push(((c, r), s as u32));
            }
        }
    }
    grid.par_sort_unstable();
    let tol2 = tol * tol;
    // contacts (a, b, point) with a < b
    let mut contacts: Vec<(u32, u32, Point)> = (0..areas.len())
        .into_par_iter()
        .flat_map_iter(|i| {
            let mut out = Vec::new();
            for ring in areas[i].rings() {
                for &v in open_ring(ring) {
                    let c = cell_of(v[0], v[1]);
                    let lo = grid.partition_point(|e| e.0 < c);
                    for e in &grid[lo..] {
                        if e.0 != c {
                            break;
                        }
                        let (a, b, j) = segs[e.1 as usize];
                        if j as usize != i && point_segment_dist2(v, a, b) <= tol2 {
                            let (p, q) = if (i as u32) < j { (i as u32, j) } else { (j, i as u32) };
                            out.push((p, q, v));
                        }
                    }
                }
            }
            out
        })
        .collect();
    contacts.par_sort_unstable_by(|x, y| (x.0, x.1).cmp(&(y.0, y.1)));
    let mut pairs = Vec::new();
    let mut start = 0;
    while start < contacts.len() {
        let mut end = start + 1;
        while end < contacts.len() && (contacts[end].0, contacts[end].1) == (contacts[start].0, contacts[start].1) {
            end += 1;
        }
        let keep = match criterion {
            Contiguity::Queen => true,
            Contiguity::Rook => {
                let (mut x0, mut x1, mut y0, mut y1) = (f64::INFINITY, f64::NEG_INFINITY, f64::INFINITY, f64::NEG_INFINITY);
                for c in &contacts[start..end] {
                    x0 = x0.min(c.2[0]);
                    x1 = x1.max(c.2[0]);
                    y0 = y0.min(c.2[1]);
                    y1 = y1.max(c.2[1]);
                }
                (x1 - x0).max(y1 - y0) > 2.0 * tol
            }
        };
        if keep {
            pairs.push((contacts[start].0, contacts[start].1));
        }
        start = end;
    }
    pairs
}

fn check_point_input(points: &[Point]) -> Result<()> {
    if points.is_empty() {
        return Err(Error::Empty { min: 2 });
    }
    check_points(points)
}

/// k-nearest-neighbour weights (binary, not symmetric), as libpysal `KNN.from_array`.
/// Ties in distance are broken by the lower index (libpysal breaks them arbitrarily).
pub fn knn(points: &[Point], k: usize) -> Result<Weights> {
    check_point_input(points)?;
    if k == 0 || k >= points.len() {
        return Err(Error::InvalidParameter {
            name: "k",
            reason: format!("måste vara mellan 1 och antalet punkter minus ett ({})", points.len() - 1),
        });
    }
    if (k as u64).saturating_mul(points.len() as u64) > MAX_LINKS {
        return Err(Error::TooManyLinks { limit: MAX_LINKS });
    }
    let tree = KdTree::new(points);
    let lists: Vec<Vec<(u32, f64)>> = (0..points.len() as u32)
        .into_par_iter()
        .map(|i| tree.nearest_excluding(i, k).into_iter().map(|(_, j)| (j, 1.0)).collect())
        .collect();
    Weights::from_lists(lists)
}

/// Binary distance-band weights: j is a neighbour of i when ‖p_i − p_j‖ ≤ `threshold`
/// (compared as squared distances, like scipy's KD-tree). Unlike libpysal, coincident points
/// (distance 0) are neighbours.
pub fn distance_band(points: &[Point], threshold: f64) -> Result<Weights> {
    band_impl(points, threshold, None, MAX_LINKS)
}

/// Inverse-distance weights w_ij = d_ij^alpha for 0 < d_ij ≤ `threshold`, as libpysal
/// `DistanceBand(threshold, binary=False, alpha=alpha)`. Coincident points get no link (their
/// weight would be infinite), as in libpysal.
pub fn inverse_distance(points: &[Point], threshold: f64, alpha: f64) -> Result<Weights> {
    if !alpha.is_finite() {
        return Err(Error::InvalidParameter { name: "alpha", reason: "måste vara ett ändligt tal".into() });
    }
    band_impl(points, threshold, Some(alpha), MAX_LINKS)
}

fn band_impl(points: &[Point], threshold: f64, alpha: Option<f64>, max_links: u64) -> Result<Weights> {
    check_point_input(points)?;
    if !(threshold > 0.0 && threshold.is_finite()) {
        return Err(Error::InvalidParameter { name: "band", reason: "avståndet måste vara ett positivt tal".into() });
    }
    let tree = KdTree::new(points);
    let r2 = threshold * threshold;
    let total = AtomicU64::new(0);
    let lists: Vec<Vec<(u32, f64)>> = (0..points.len())
        .into_par_iter()
        .map(|i| {
            if total.load(Ordering::Relaxed) > max_links {
                return Vec::new();
            }
            let mut found = Vec::new();
            tree.within(points[i], r2, &mut found);
            total.fetch_add(found.len() as u64, Ordering::Relaxed);
            found
                .into_iter()
                .filter(|&j| j as usize != i)
                .filter_map(|j| match alpha {
                    None => Some((j, 1.0)),
                    Some(a) => {
                        let d = dist2(points[i], points[j as usize]).sqrt();
                        if d == 0.0 {
                            None
                        } else if a == -1.0 {
                            Some((j, 1.0 / d))
                        } else {
                            Some((j, d.powf(a)))
                        }
                    }
                })
                .collect()
        })
        .collect();
    if total.load(Ordering::Relaxed) > max_links {
        return Err(Error::TooManyLinks { limit: max_links });
    }
    Weights::from_lists(lists)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A 3×3 lattice of unit squares, numbered row by row.
    fn lattice() -> Vec<Area> {
        let mut v = Vec::new();
        for r in 0..3 {
            for c in 0..3 {
                let (x, y) = (c as f64, r as f64);
                v.push(Area::simple(vec![[x, y], [x + 1.0, y], [x + 1.0, y + 1.0], [x, y + 1.0], [x, y]]));
            }
        }
        v
    }

    #[test]
    fn lattice_rook_and_queen() {
        let rook = contiguity(&lattice(), Contiguity::Rook, 0.0).unwrap();
        let queen = contiguity(&lattice(), Contiguity::Queen, 0.0).unwrap();
        assert_eq!(rook.row(4).0, &[1, 3, 5, 7]);
        assert_eq!(queen.row(4).0, &[0, 1, 2, 3, 5, 6, 7, 8]);
        assert_eq!(rook.row(0).0, &[1, 3]);
        assert_eq!(queen.row(0).0, &[1, 3, 4]);
        assert_eq!(rook.links(), 24);
        assert_eq!(queen.links(), 40);
        assert!(queen.is_symmetric());
    }

    #[test]
    fn slivers_need_tolerance() {
        let mut areas = lattice();
        // move the middle square's vertices by 1 mm: exact matching loses its neighbours
        for ring in areas[4].parts[0].exterior.iter_mut() {
            ring[0] += 0.001;
        }
        let exact = contiguity(&areas, Contiguity::Rook, 0.0).unwrap();
        assert_eq!(exact.cardinality(4), 0);
        let snapped = contiguity(&areas, Contiguity::Rook, 0.01).unwrap();
        assert_eq!(snapped.row(4).0, &[1, 3, 5, 7]);
        let snapped_q = contiguity(&areas, Contiguity::Queen, 0.01).unwrap();
        assert_eq!(snapped_q.row(4).0, &[0, 1, 2, 3, 5, 6, 7, 8]);
        let untouched = contiguity(&lattice(), Contiguity::Rook, 0.01).unwrap();
        assert_eq!(untouched, contiguity(&lattice(), Contiguity::Rook, 0.0).unwrap());
    }

    #[test]
    fn s_moments_of_asymmetric_weights() {
        // w01 = 1, w10 = 0, w12 = 2, w21 = 2
        let w = Weights::from_lists(vec![vec![(1, 1.0)], vec![(2, 2.0)], vec![(1, 2.0)]]).unwrap();
        assert_eq!(w.s0(), 5.0);
        // (w01+w10)^2 twice = 2, (w12+w21)^2 twice = 32 -> s1 = 17
        assert_eq!(w.s1(), 17.0);
        // rows 1,2,2 cols 0,3,2 -> (1)^2+(5)^2+(4)^2
        assert_eq!(w.s2(), 42.0);
    }

    #[test]
    fn band_includes_boundary_and_coincident() {
        let pts = vec![[0.0, 0.0], [1.0, 0.0], [0.0, 0.0], [3.0, 0.0]];
        let w = distance_band(&pts, 1.0).unwrap();
        assert_eq!(w.row(0).0, &[1, 2]);
        assert_eq!(w.islands(), vec![3]);
        let idw = inverse_distance(&pts, 3.0, -1.0).unwrap();
        assert_eq!(idw.row(0).0, &[1, 3]);
        assert!((idw.get(0, 3) - 1.0 / 3.0).abs() < 1e-15);
    }

    #[test]
    fn huge_bands_are_refused_not_allocated() {
        let pts = vec![[0.0, 0.0]; 400]; // 159,600 links
        assert_eq!(band_impl(&pts, 1.0, None, 100_000), Err(Error::TooManyLinks { limit: 100_000 }));
        assert_eq!(band_impl(&pts, 1.0, None, 200_000).unwrap().links(), 400 * 399);
    }

    #[test]
    fn spec_parsing() {
        assert_eq!("knn:5".parse::<WeightSpec>().unwrap(), WeightSpec::Knn { k: 5 });
        assert_eq!("band:150".parse::<WeightSpec>().unwrap(), WeightSpec::Band { threshold: 150.0 });
        assert_eq!("Queen".parse::<WeightSpec>().unwrap(), WeightSpec::Queen { tolerance: 0.0 });
        assert_eq!("rook:0.5".parse::<WeightSpec>().unwrap(), WeightSpec::Rook { tolerance: 0.5 });
        assert_eq!("idw:10:-2".parse::<WeightSpec>().unwrap(), WeightSpec::InverseDistance { threshold: 10.0, alpha: -2.0 });
        for bad in ["", "knn", "knn:0", "knn:2.5", "band:-1", "band:x", "band:nan", "hex", "knn:3:4"] {
            assert!(bad.parse::<WeightSpec>().is_err(), "{bad}");
        }
    }
}
