//! Moran's I: global (Moran 1950; Cliff & Ord 1981) and local (LISA, Anselin 1995).
//!
//! Formulas follow `esda.Moran` and `esda.Moran_Local` (esda 2.x) so the numbers agree with PySAL.

use crate::error::{Error, Result, check_finite};
use crate::rng::Rng;
use crate::stats::{norm_cdf, norm_sf};
use crate::weights::Weights;
use rayon::prelude::*;

/// Global Moran's I with its inference.
#[derive(Debug, Clone, PartialEq)]
pub struct MoranGlobal {
    /// I = n/S0 · Σ_ij w_ij z_i z_j / Σ_i z_i².
    pub i: f64,
    /// `E[I] = −1/(n−1)`.
    pub expected: f64,
    /// `Var[I]` under normality.
    pub variance_norm: f64,
    /// z under normality.
    pub z_norm: f64,
    /// Two-sided p under normality.
    pub p_norm: f64,
    /// `Var[I]` under randomisation.
    pub variance_rand: f64,
    /// z under randomisation.
    pub z_rand: f64,
    /// Two-sided p under randomisation.
    pub p_rand: f64,
    /// Permutation inference, when permutations were asked for.
    pub permutation: Option<PermutationResult>,
}

/// Permutation (Monte Carlo) inference for a global statistic.
#[derive(Debug, Clone, PartialEq)]
pub struct PermutationResult {
    /// Number of permutations.
    pub permutations: usize,
    /// Folded pseudo p-value (esda): (min(#≥, N−#≥) + 1)/(N + 1).
    pub p_sim: f64,
    /// Mean of the simulated statistics.
    pub mean: f64,
    /// Standard deviation of the simulated statistics (population form, as numpy `std`).
    pub sd: f64,
}

fn validate(y: &[f64], w: &Weights, min: usize) -> Result<()> {
    if y.is_empty() {
        return Err(Error::Empty { min });
    }
    if y.len() != w.n() {
        return Err(Error::LengthMismatch { what: "värden mot vikter", left: y.len(), right: w.n() });
    }
    if y.len() < min {
        return Err(Error::TooFew { n: y.len(), min });
    }
    check_finite(y)?;
    if w.links() == 0 {
        return Err(Error::NoNeighbours { n: w.n() });
    }
    Ok(())
}

fn centred(y: &[f64]) -> Result<(Vec<f64>, f64)> {
    let n = y.len() as f64;
    let mean = y.iter().sum::<f64>() / n;
    let z: Vec<f64> = y.iter().map(|v| v - mean).collect();
    let ss: f64 = z.iter().map(|v| v * v).sum();
    // a variance tiny relative to the values' magnitude is rounding noise, not variation
    let scale = y.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    if ss == 0.0 || ss.sqrt() <= scale * n.sqrt() * 1e-14 {
        return Err(Error::ZeroVariance);
    }
    Ok((z, ss))
}

/// The weights folded onto unordered pairs: Σ_ij w_ij z_i z_j = Σ_{i<j} (w_ij + w_ji) z_i z_j
/// (the diagonal is zero), stored as upper-triangular rows. Half the multiply-adds and gathers of
/// the row form, for every permutation.
struct PairForm {
    offsets: Vec<usize>,
    cols: Vec<u32>,
    weight: Vec<f64>,
}

impl PairForm {
    fn new(w: &Weights) -> Self {
        let n = w.n();
        let mut upper: Vec<Vec<(u32, f64)>> = vec![Vec::new(); n];
        for i in 0..n {
            let (nb, wv) = w.row(i);
            for (&j, &wij) in nb.iter().zip(wv) {
                let j = j as usize;
                let wji = w.get(j, i);
                if j > i {
                    upper[i].push((j as u32, wij + wji));
                } else if wji == 0.0 {
                    // only w_ij is present: fold it onto (j, i)
                    upper[j].push((i as u32, wij));
                }
            }
        }
        let mut offsets = Vec::with_capacity(n + 1);
        let mut cols = Vec::with_capacity(w.links());
        let mut weight = Vec::with_capacity(w.links());
        offsets.push(0);
        for mut row in upper {
            row.sort_by_key(|e| e.0);
            for (j, c) in row {
                cols.push(j);
                weight.push(c);
            }
            offsets.push(cols.len());
        }
        PairForm { offsets, cols, weight }
    }

    /// Σ_ij w_ij z_i z_j for `LANES` arrangements at once.
    fn cross_lanes(&self, z: &[[f64; LANES]]) -> [f64; LANES] {
        let mut total = [0.0; LANES];
        for (i, span) in self.offsets.windows(2).enumerate() {
            let mut inner = [0.0; LANES];
            for (&j, &c) in self.cols[span[0]..span[1]].iter().zip(&self.weight[span[0]..span[1]]) {
                let zj = &z[j as usize];
                for b in 0..LANES {
                    inner[b] += c * zj[b];
                }
            }
            let zi = &z[i];
            for b in 0..LANES {
                total[b] += zi[b] * inner[b];
            }
        }
        total
    }

    /// Σ_ij w_ij z_i z_j.
    fn cross(&self, z: &[f64]) -> f64 {
        let mut total = 0.0;
        for (i, span) in self.offsets.windows(2).enumerate() {
            let (cols, weight) = (&self.cols[span[0]..span[1]], &self.weight[span[0]..span[1]]);
            let inner: f64 = cols.iter().zip(weight).map(|(&j, &c)| c * z[j as usize]).sum();
            total += z[i] * inner;
        }
        total
    }
}

/// Permutations are drawn in blocks of this many from one stream, each block shuffling its own
/// copy of the data again and again (every shuffle is uniform whatever the starting order), so
/// the result depends on the seed only, not on how blocks are spread over threads.
const PERMUTATION_BLOCK: usize = 32;

/// Permutations evaluated side by side: value i of permutation b sits at `lanes[i][b]`, so each
/// weight is applied to `LANES` permutations with contiguous loads.
const LANES: usize = 8;

/// Global Moran's I of `y` with (already transformed) weights `w`, as `esda.Moran`.
/// `permutations = 0` skips permutation inference. Needs n ≥ 4.
pub fn moran(y: &[f64], w: &Weights, permutations: usize, seed: u64) -> Result<MoranGlobal> {
    validate(y, w, 4)?;
    let n = y.len() as f64;
    let (z, z2ss) = centred(y)?;
    let s0 = w.s0();
    let s1 = w.s1();
    let s2 = w.s2();
    let s02 = s0 * s0;
    let form = PairForm::new(w);
    let i_stat = n / s0 * form.cross(&z) / z2ss;
    let expected = -1.0 / (n - 1.0);

    let n2 = n * n;
    let variance_norm = (n2 * s1 - n * s2 + 3.0 * s02) / ((n - 1.0) * (n + 1.0) * s02) - (1.0 / (n - 1.0)).powi(2);
    let k = (z.iter().map(|v| v.powi(4)).sum::<f64>() / n) / (z2ss / n).powi(2);
    let a = n * ((n2 - 3.0 * n + 3.0) * s1 - n * s2 + 3.0 * s02);
    let b = k * ((n2 - n) * s1 - 2.0 * n * s2 + 6.0 * s02);
    let variance_rand = (a - b) / ((n - 1.0) * (n - 2.0) * (n - 3.0) * s02) - expected * expected;

    let z_norm = (i_stat - expected) / variance_norm.sqrt();
    let z_rand = (i_stat - expected) / variance_rand.sqrt();
    let two_sided = |zv: f64| 2.0 * if zv > 0.0 { norm_sf(zv) } else { norm_cdf(zv) };

    let permutation = (permutations > 0).then(|| {
        let blocks = permutations.div_ceil(PERMUTATION_BLOCK);
        let sims: Vec<f64> = (0..blocks as u64)
            .into_par_iter()
            .flat_map_iter(|block| {
                let mut rng = Rng::stream(seed, block);
                let mut lanes: Vec<[f64; LANES]> = z.iter().map(|&v| [v; LANES]).collect();
                let count = PERMUTATION_BLOCK.min(permutations - block as usize * PERMUTATION_BLOCK);
                let mut out = Vec::with_capacity(count);
                while out.len() < count {
                    let used = LANES.min(count - out.len());
                    for lane in 0..used {
                        for k in (1..lanes.len()).rev() {
                            let r = rng.below(k as u64 + 1) as usize;
                            let tmp = lanes[k][lane];
                            lanes[k][lane] = lanes[r][lane];
                            lanes[r][lane] = tmp;
                        }
                    }
                    let cross = form.cross_lanes(&lanes);
                    out.extend(cross[..used].iter().map(|c| n / s0 * c / z2ss));
                }
                out
            })
            .collect();
        summarise(&sims, i_stat)
    });

    Ok(MoranGlobal {
        i: i_stat,
        expected,
        variance_norm,
        z_norm,
        p_norm: two_sided(z_norm),
        variance_rand,
        z_rand,
        p_rand: two_sided(z_rand),
        permutation,
    })
}

/// Folded pseudo p-value and moments of a simulated distribution, as esda.
pub(crate) fn summarise(sims: &[f64], observed: f64) -> PermutationResult {
    let p = sims.len();
    let p_sim = folded_p(sims.iter().filter(|&&s| s >= observed).count(), p);
    let mean = sims.iter().sum::<f64>() / p as f64;
    let sd = (sims.iter().map(|s| (s - mean).powi(2)).sum::<f64>() / p as f64).sqrt();
    PermutationResult { permutations: p, p_sim, mean, sd }
}

pub(crate) fn folded_p(larger: usize, permutations: usize) -> f64 {
    let larger = larger.min(permutations - larger);
    (larger as f64 + 1.0) / (permutations as f64 + 1.0)
}

/// Moran scatterplot quadrant of a unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quadrant {
    /// High value, high neighbours (esda q = 1).
    HH,
    /// Low value, high neighbours (q = 2).
    LH,
    /// Low value, low neighbours (q = 3).
    LL,
    /// High value, low neighbours (q = 4).
    HL,
}

impl Quadrant {
    /// "HH", "LH", "LL" or "HL".
    pub fn as_str(self) -> &'static str {
        match self {
            Quadrant::HH => "HH",
            Quadrant::LH => "LH",
            Quadrant::LL => "LL",
            Quadrant::HL => "HL",
        }
    }
}

/// Local Moran statistic of one unit.
#[derive(Debug, Clone, PartialEq)]
pub struct LocalMoran {
    /// I_i = (n−1) z_i Σ_j w_ij z_j / Σ_k z_k², z standardised.
    pub i: f64,
    /// Quadrant (z_i > 0 counts as high; zero counts as low, as esda).
    pub quadrant: Quadrant,
    /// `E[I_i]` under total randomisation (Sokal et al. 1998, eq. A3).
    pub expected: f64,
    /// `Var[I_i]` under total randomisation (Sokal et al. 1998, eq. A4).
    pub variance: f64,
    /// (I_i − E)/√Var.
    pub z: f64,
    /// One-sided normal p of |z| (as esda's `p_z_sim` convention): P(Z > |z|).
    pub p_norm: f64,
    /// Folded conditional-permutation pseudo p-value, when permutations were asked for.
    pub p_sim: Option<f64>,
}

/// Local Moran's I (LISA) for every unit, as `esda.Moran_Local`; conditional permutation
/// inference holds each unit's value fixed and draws its neighbours' values from the others.
pub fn local_moran(y: &[f64], w: &Weights, permutations: usize, seed: u64) -> Result<Vec<LocalMoran>> {
    validate(y, w, 3)?;
    let n = y.len();
    let nf = n as f64;
    let (mut z, _) = centred(y)?;
    let sd = (z.iter().map(|v| v * v).sum::<f64>() / nf).sqrt();
    z.iter_mut().for_each(|v| *v /= sd);
    let den: f64 = z.iter().map(|v| v * v).sum();
    let lag = w.lag(&z);
    let m2 = den / nf;
    let m4 = z.iter().map(|v| v.powi(4)).sum::<f64>() / nf;
    let b2 = m4 / (m2 * m2);
    let n1 = nf - 1.0;

    let results: Vec<LocalMoran> = (0..n)
        .into_par_iter()
        .map_init(
            || (0..n as u32 - 1).collect::<Vec<u32>>(),
            |pool, i| {
                let (nb, wv) = w.row(i);
                let wi: f64 = wv.iter().sum();
                let wi2: f64 = wv.iter().map(|v| v * v).sum();
                let ii = n1 * z[i] * lag[i] / den;
                let expected = -wi / n1;
                let variance = wi2 * (nf - b2) / n1 + (wi * wi - wi2) * (2.0 * b2 - nf) / (n1 * (nf - 2.0)) - (wi / n1).powi(2);
                let zi = (ii - expected) / variance.sqrt();
                let quadrant = match (z[i] > 0.0, lag[i] > 0.0) {
                    (true, true) => Quadrant::HH,
                    (false, true) => Quadrant::LH,
                    (false, false) => Quadrant::LL,
                    (true, false) => Quadrant::HL,
                };
                let p_sim = (permutations > 0).then(|| {
                    let mut rng = Rng::stream(seed, i as u64);
                    let k = nb.len();
                    let mut larger = 0usize;
                    rng.for_each_sample(pool, k, permutations, |sample| {
                        let s: f64 = sample
                            .iter()
                            .zip(wv)
                            .map(|(&idx, &wj)| {
                                // the pool indexes the n−1 units other than i
                                let j = if (idx as usize) < i { idx as usize } else { idx as usize + 1 };
                                wj * z[j]
                            })
                            .sum();
                        if n1 * z[i] * s / den >= ii {
                            larger += 1;
                        }
                    });
                    folded_p(larger, permutations)
                });
                LocalMoran { i: ii, quadrant, expected, variance, z: zi, p_norm: norm_sf(zi.abs()), p_sim }
            },
        )
        .collect();
    Ok(results)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geom::Area;
    use crate::weights::{Contiguity, Transform, contiguity};

    fn lattice(side: usize) -> Vec<Area> {
        let mut v = Vec::new();
        for r in 0..side {
            for c in 0..side {
                let (x, y) = (c as f64, r as f64);
                v.push(Area::simple(vec![[x, y], [x + 1.0, y], [x + 1.0, y + 1.0], [x, y + 1.0]]));
            }
        }
        v
    }

    #[test]
    fn checkerboard_is_perfectly_negative_with_rook() {
        let w = contiguity(&lattice(4), Contiguity::Rook, 0.0).unwrap().transformed(Transform::Binary);
        let y: Vec<f64> = (0..16).map(|k| ((k / 4 + k % 4) % 2) as f64).collect();
        let m = moran(&y, &w, 0, 1).unwrap();
        assert!((m.i + 1.0).abs() < 1e-12, "{}", m.i);
    }

    #[test]
    fn pair_form_equals_row_form_for_asymmetric_weights() {
        let pts: Vec<[f64; 2]> = (0..40).map(|k| [((k * 37) % 23) as f64, ((k * 11) % 17) as f64 + 0.1 * k as f64]).collect();
        let w = crate::weights::knn(&pts, 3).unwrap().transformed(Transform::Row);
        let z: Vec<f64> = (0..40).map(|k| ((k * 7919) % 13) as f64 - 6.0).collect();
        let rows: f64 = w.lag(&z).iter().zip(&z).map(|(l, v)| l * v).sum();
        assert!((PairForm::new(&w).cross(&z) - rows).abs() < 1e-12 * rows.abs().max(1.0));
    }

    #[test]
    fn permutation_results_do_not_depend_on_threads() {
        let w = contiguity(&lattice(6), Contiguity::Queen, 0.0).unwrap().transformed(Transform::Row);
        let y: Vec<f64> = (0..36).map(|k| ((k * 7919) % 13) as f64).collect();
        let one = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap();
        let a = one.install(|| moran(&y, &w, 199, 42).unwrap());
        let b = moran(&y, &w, 199, 42).unwrap();
        assert_eq!(a, b);
        let la = one.install(|| local_moran(&y, &w, 99, 42).unwrap());
        let lb = local_moran(&y, &w, 99, 42).unwrap();
        assert_eq!(la, lb);
    }

    #[test]
    fn zero_variance_and_small_inputs_are_errors() {
        let w = contiguity(&lattice(3), Contiguity::Queen, 0.0).unwrap();
        assert_eq!(moran(&[2.0; 9], &w, 0, 0), Err(Error::ZeroVariance));
        assert!(matches!(moran(&[1.0; 3], &w, 0, 0), Err(Error::LengthMismatch { .. })));
        let mut y = vec![1.0; 9];
        y[3] = f64::NAN;
        assert_eq!(moran(&y, &w, 0, 0), Err(Error::NonFinite { index: 3 }));
    }
}
