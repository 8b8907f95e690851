//! Local Getis–Ord statistics Gi and Gi* (Getis & Ord 1992; Ord & Getis 1995), as
//! `esda.G_Local` (esda 2.x): same statistic, moments, z-scores and p-values.

use crate::error::{Error, Result, check_finite};
use crate::moran::folded_p;
use crate::rng::Rng;
use crate::stats::norm_sf;
use crate::weights::{Transform, Weights};
use rayon::prelude::*;

/// Gi or Gi* of one unit.
#[derive(Debug, Clone, PartialEq)]
pub struct LocalG {
    /// G_i = Σ_j w_ij y_j / Σ_{j(≠i)} y_j (star: self included in both sums).
    pub g: f64,
    /// `E[G_i] = W_i / N`.
    pub expected: f64,
    /// `Var[G_i] = W_i (N − W_i) / ((N − 1) N²) · s²/ȳ²`.
    pub variance: f64,
    /// (G_i − E)/√Var; NaN when the variance is zero (documented, e.g. a unit linked to all).
    pub z: f64,
    /// P(Z > |z|), esda's `p_norm` (one-sided in the direction of z).
    pub p: f64,
    /// Folded conditional-permutation pseudo p-value (esda `p_sim`), when asked for.
    pub p_sim: Option<f64>,
}

/// Local G for every unit. `w` holds the raw (untransformed, zero-diagonal) weights; `star`
/// adds the self-weight as esda does (1 for binary; the row's largest weight before row
/// standardisation), then `transform` is applied. Values should be non-negative (counts, rates).
pub fn local_g(y: &[f64], w: &Weights, star: bool, transform: Transform, permutations: usize, seed: u64) -> Result<Vec<LocalG>> {
    let n = y.len();
    if n == 0 {
        return Err(Error::Empty { min: 2 });
    }
    if n != w.n() {
        return Err(Error::LengthMismatch { what: "värden mot vikter", left: n, right: w.n() });
    }
    if n < 2 {
        return Err(Error::TooFew { n, min: 2 });
    }
    check_finite(y)?;
    let sum: f64 = y.iter().sum();
    let sum2: f64 = y.iter().map(|v| v * v).sum();
    let mean = sum / n as f64;
    if y.iter().all(|&v| v == y[0]) || mean == 0.0 {
        return Err(Error::ZeroVariance);
    }

    let remove_self = if star { 0.0 } else { 1.0 };
    let big_n = n as f64 - remove_self;
    let init = || (0..n as u32 - 1).collect::<Vec<u32>>();
    let one = |pool: &mut Vec<u32>, i: usize| {
        let (nb, raw) = w.row(i);
        // self weight, then the transformation (as esda's fill_diagonal + w.transform)
        let self_raw = if !star {
            0.0
        } else {
            match transform {
                Transform::Binary => 1.0,
                Transform::Row => raw.iter().copied().fold(0.0, f64::max),
            }
        };
        let (scale, self_w) = match transform {
            Transform::Binary => (None, if star { 1.0 } else { 0.0 }),
            Transform::Row => {
                let total = raw.iter().sum::<f64>() + self_raw;
                if total == 0.0 { (Some(0.0), 0.0) } else { (Some(1.0 / total), self_raw / total) }
            }
        };
        let weight = |v: f64| match scale {
            None => 1.0,
            Some(s) => v * s,
        };
        let lag: f64 = nb.iter().zip(raw).map(|(&j, &v)| weight(v) * y[j as usize]).sum::<f64>() + self_w * y[i];
        let card: f64 = raw.iter().map(|&v| weight(v)).sum::<f64>() + self_w;
        let denom = sum - y[i] * remove_self;
        let g = lag / denom;
        let emp_mean = denom / big_n;
        let emp_var = (sum2 - y[i] * y[i] * remove_self) / big_n - emp_mean * emp_mean;
        let expected = card / big_n;
        let variance = card * (big_n - card) / (big_n - 1.0) / (big_n * big_n) * (emp_var / (emp_mean * emp_mean));
        let z = (g - expected) / variance.sqrt();
        let p_sim = (permutations > 0).then(|| {
            let mut rng = Rng::stream(seed, i as u64);
            let k = nb.len();
            let mut larger = 0usize;
            rng.for_each_sample(pool, k, permutations, |sample| {
                let s: f64 = sample
                    .iter()
                    .zip(raw)
                    .map(|(&idx, &v)| {
                        let j = if (idx as usize) < i { idx as usize } else { idx as usize + 1 };
                        weight(v) * y[j]
                    })
                    .sum();
                if (s + self_w * y[i]) / denom >= g {
                    larger += 1;
                }
            });
            folded_p(larger, permutations)
        });
        LocalG { g, expected, variance, z, p: norm_sf(z.abs()), p_sim }
    };
    // Small inputs (a municipality's places) are not worth handing to the thread pool; each
    // area's permutations come from its own stream, so both ways give the same numbers.
    let work = n * (1 + permutations);
    let results = if work < PARALLEL_WORK {
        let mut pool = init();
        (0..n).map(|i| one(&mut pool, i)).collect()
    } else {
        (0..n).into_par_iter().map_init(init, one).collect()
    };
    Ok(results)
}

/// From this many area × permutation evaluations on, [`local_g`] uses the thread pool.
const PARALLEL_WORK: usize = 20_000;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::weights::distance_band;

    #[test]
    fn gi_star_peaks_at_the_cluster() {
        let pts: Vec<[f64; 2]> = (0..30).map(|k| [(k % 6) as f64, (k / 6) as f64]).collect();
        let w = distance_band(&pts, 1.5).unwrap();
        let y: Vec<f64> = pts.iter().map(|p| if p[0] < 2.0 && p[1] < 2.0 { 10.0 } else { 1.0 }).collect();
        let r = local_g(&y, &w, true, Transform::Binary, 0, 0).unwrap();
        let best = (0..30).max_by(|&a, &b| r[a].z.total_cmp(&r[b].z)).unwrap();
        assert!(pts[best][0] < 2.0 && pts[best][1] < 2.0);
        assert!(r[best].z > 3.0);
    }

    #[test]
    fn reproducible_across_threads() {
        let pts: Vec<[f64; 2]> = (0..40).map(|k| [(k % 8) as f64, (k / 8) as f64]).collect();
        let w = distance_band(&pts, 1.0).unwrap();
        let y: Vec<f64> = (0..40).map(|k| ((k * 37) % 11) as f64).collect();
        let one = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap();
        let a = one.install(|| local_g(&y, &w, true, Transform::Row, 99, 9).unwrap());
        let b = local_g(&y, &w, true, Transform::Row, 99, 9).unwrap();
        assert_eq!(a, b);
    }

    #[test]
    fn constant_values_are_an_error() {
        let pts: Vec<[f64; 2]> = (0..5).map(|k| [k as f64, 0.0]).collect();
        let w = distance_band(&pts, 1.0).unwrap();
        assert_eq!(local_g(&[3.0; 5], &w, true, Transform::Binary, 0, 0), Err(Error::ZeroVariance));
    }
}
