//! Near-repeat analysis: the Knox test for space–time interaction (Knox 1964) and the band table
//! of the Near Repeat Calculator (Ratcliffe 2009; Johnson et al. 2007).
//!
//! A pair of events is close in space when their distance ≤ δ and close in time when
//! |t_i − t_j| ≤ τ, both inclusive, as `pointpats.spacetime.Knox`.

use crate::error::{Error, Result, check_finite};
use crate::geom::{Point, check_points, dist2};
use crate::kdtree::KdTree;
use crate::rng::Rng;
use crate::stats::poisson_cdf;
use crate::weights::MAX_LINKS;
use rayon::prelude::*;
use std::sync::atomic::{AtomicU64, Ordering};

/// Result of the global Knox test.
#[derive(Debug, Clone, PartialEq)]
pub struct KnoxResult {
    /// Number of pairs close in both space and time (N_ST).
    pub statistic: u64,
    /// Expected N_ST under independence: N_S · N_T / (n(n−1)/2).
    pub expected: f64,
    /// Pairs close in space (N_S).
    pub spatial_pairs: u64,
    /// Pairs close in time (N_T).
    pub temporal_pairs: u64,
    /// All pairs n(n−1)/2.
    pub pairs: u64,
    /// 1 − F_Poisson(N_ST; expected), as pointpats `p_poisson` (note: P(X > N_ST)).
    pub p_poisson: f64,
    /// (#{permutations with N_ST ≥ observed} + 1)/(N + 1), when permutations were asked for.
    pub p_sim: Option<f64>,
    /// Number of permutations.
    pub permutations: usize,
}

fn check(points: &[Point], times: &[f64]) -> Result<()> {
    if points.len() != times.len() {
        return Err(Error::LengthMismatch { what: "punkter mot tider", left: points.len(), right: times.len() });
    }
    if points.is_empty() {
        return Err(Error::Empty { min: 2 });
    }
    if points.len() < 2 {
        return Err(Error::TooFew { n: points.len(), min: 2 });
    }
    check_points(points)?;
    check_finite(times)
}

/// Unordered pairs (i < j) with squared distance ≤ r2, with that squared distance; an error
/// beyond [`MAX_LINKS`] pairs.
fn spatial_pairs(points: &[Point], r2: f64) -> Result<Vec<(u32, u32, f64)>> {
    let tree = KdTree::new(points);
    let total = AtomicU64::new(0);
    let pairs: Vec<(u32, u32, f64)> = (0..points.len())
        .into_par_iter()
        .map_init(Vec::new, |buf, i| {
            buf.clear();
            if total.load(Ordering::Relaxed) > MAX_LINKS {
                return Vec::new();
            }
            tree.within(points[i], r2, buf);
            total.fetch_add(buf.len() as u64 / 2, Ordering::Relaxed);
            let mut v: Vec<(u32, u32, f64)> =
                buf.iter().filter(|&&j| j as usize > i).map(|&j| (i as u32, j, dist2(points[i], points[j as usize]))).collect();
            v.sort_unstable_by_key(|p| p.1);
            v
        })
        .flatten_iter()
        .collect();
    if total.load(Ordering::Relaxed) > MAX_LINKS {
        return Err(Error::TooManyLinks { limit: MAX_LINKS });
    }
    Ok(pairs)
}

/// Number of unordered pairs with |t_i − t_j| ≤ tau (sorted two-pointer count).
fn pairs_within_time(sorted: &[f64], tau: f64) -> u64 {
    let mut count = 0u64;
    let mut lo = 0usize;
    for hi in 0..sorted.len() {
        while sorted[hi] - sorted[lo] > tau {
            lo += 1;
        }
        count += (hi - lo) as u64;
    }
    count
}

/// The Knox test. `permutations` random relabellings of the times (seeded) give `p_sim`.
pub fn knox(points: &[Point], times: &[f64], delta: f64, tau: f64, permutations: usize, seed: u64) -> Result<KnoxResult> {
    check(points, times)?;
    if !(delta >= 0.0 && delta.is_finite() && tau >= 0.0 && tau.is_finite()) {
        return Err(Error::InvalidParameter { name: "delta/tau", reason: "avstånd och tid måste vara tal ≥ 0".into() });
    }
    let n = points.len() as u64;
    let pairs = n * (n - 1) / 2;
    let close = spatial_pairs(points, delta * delta)?;
    let ns = close.len() as u64;
    let mut sorted = times.to_vec();
    sorted.par_sort_unstable_by(f64::total_cmp);
    let nt = pairs_within_time(&sorted, tau);
    let count = |t: &[f64]| close.iter().filter(|&&(i, j, _)| (t[i as usize] - t[j as usize]).abs() <= tau).count() as u64;
    let nst = count(times);
    let expected = ns as f64 * nt as f64 / pairs as f64;
    let p_sim = (permutations > 0).then(|| {
        let exceed: u64 = (0..permutations as u64)
            .into_par_iter()
            .map_init(
                || times.to_vec(),
                |buf, p| {
                    buf.copy_from_slice(times);
                    Rng::stream(seed, p).shuffle(buf);
                    u64::from(count(buf) >= nst)
                },
            )
            .sum();
        (exceed as f64 + 1.0) / (permutations as f64 + 1.0)
    });
    Ok(KnoxResult {
        statistic: nst,
        expected,
        spatial_pairs: ns,
        temporal_pairs: nt,
        pairs,
        p_poisson: 1.0 - poisson_cdf(nst as f64, expected),
        p_sim,
        permutations,
    })
}

/// One cell of the near-repeat table.
#[derive(Debug, Clone, PartialEq)]
pub struct BandCell {
    /// Distance band index (the last index is "beyond the last break").
    pub distance_band: usize,
    /// Time band index (the last index is "beyond the last break").
    pub time_band: usize,
    /// Observed pairs.
    pub observed: u64,
    /// Mean over the permutations.
    pub expected: f64,
    /// Knox ratio observed/expected (NaN when expected is 0).
    pub ratio: f64,
    /// (#{permutations with count ≥ observed} + 1)/(N + 1).
    pub p_sim: f64,
}

/// Near-repeat band table.
#[derive(Debug, Clone, PartialEq)]
pub struct NearRepeatTable {
    /// Upper limits of the distance bands: band 0 is [0, d₀], band k is (d_{k−1}, d_k]; one more
    /// band holds everything beyond.
    pub distance_breaks: Vec<f64>,
    /// Upper limits of the time bands (same convention on |Δt|).
    pub time_breaks: Vec<f64>,
    /// Cells, distance band major.
    pub cells: Vec<BandCell>,
    /// Number of permutations.
    pub permutations: usize,
}

fn band_of(breaks: &[f64], v: f64) -> usize {
    breaks.partition_point(|&b| b < v)
}

fn check_breaks(name: &'static str, breaks: &[f64]) -> Result<()> {
    if breaks.is_empty() || breaks.len() > 100 {
        return Err(Error::InvalidParameter { name, reason: "ange mellan 1 och 100 gränser".into() });
    }
    if breaks.iter().any(|b| !(b.is_finite() && *b >= 0.0)) || breaks.windows(2).any(|w| w[0] >= w[1]) {
        return Err(Error::InvalidParameter { name, reason: "gränserna måste vara tal ≥ 0 i stigande ordning".into() });
    }
    Ok(())
}

/// The Near Repeat Calculator's table: observed pairs per distance × time band against the mean
/// of `permutations` random relabellings of the times, with a one-sided pseudo p-value per cell.
pub fn near_repeat(
    points: &[Point],
    times: &[f64],
    distance_breaks: &[f64],
    time_breaks: &[f64],
    permutations: usize,
    seed: u64,
) -> Result<NearRepeatTable> {
    check(points, times)?;
    check_breaks("distance_bands", distance_breaks)?;
    check_breaks("time_bands", time_breaks)?;
    if permutations == 0 {
        return Err(Error::InvalidParameter { name: "permutations", reason: "tabellen behöver minst en permutation".into() });
    }
    let nd = distance_breaks.len() + 1;
    let ntb = time_breaks.len() + 1;
    let max_d = distance_breaks[distance_breaks.len() - 1];
    let close = spatial_pairs(points, max_d * max_d)?;
    let dband: Vec<u8> = close.iter().map(|&(_, _, d2)| band_of(distance_breaks, d2.sqrt()) as u8).collect();
    // all pairs per time band (invariant under relabelling the times)
    let mut sorted = times.to_vec();
    sorted.par_sort_unstable_by(f64::total_cmp);
    let n = points.len() as u64;
    let mut cumulative: Vec<u64> = time_breaks.iter().map(|&b| pairs_within_time(&sorted, b)).collect();
    cumulative.push(n * (n - 1) / 2);
    let time_totals: Vec<u64> = (0..ntb).map(|k| cumulative[k] - if k == 0 { 0 } else { cumulative[k - 1] }).collect();
    let table = |t: &[f64]| -> Vec<u64> {
        let mut m = vec![0u64; nd * ntb];
        for (&(i, j, _), &db) in close.iter().zip(&dband) {
            let tb = band_of(time_breaks, (t[i as usize] - t[j as usize]).abs());
            m[db as usize * ntb + tb] += 1;
        }
        // the "beyond" distance row is the rest of each time band
        for tb in 0..ntb {
            let inside: u64 = (0..nd - 1).map(|db| m[db * ntb + tb]).sum();
            m[(nd - 1) * ntb + tb] = time_totals[tb] - inside;
        }
        m
    };
    let observed = table(times);
    let (sum, exceed) = (0..permutations as u64)
        .into_par_iter()
        .map_init(
            || times.to_vec(),
            |buf, p| {
                buf.copy_from_slice(times);
                Rng::stream(seed, p).shuffle(buf);
                let m = table(buf);
                let ex: Vec<u64> = m.iter().zip(&observed).map(|(s, o)| u64::from(s >= o)).collect();
                (m, ex)
            },
        )
        .reduce(
            || (vec![0u64; nd * ntb], vec![0u64; nd * ntb]),
            |mut a, b| {
                a.0.iter_mut().zip(&b.0).for_each(|(x, y)| *x += y);
                a.1.iter_mut().zip(&b.1).for_each(|(x, y)| *x += y);
                a
            },
        );
    let cells = (0..nd * ntb)
        .map(|k| {
            let expected = sum[k] as f64 / permutations as f64;
            BandCell {
                distance_band: k / ntb,
                time_band: k % ntb,
                observed: observed[k],
                expected,
                ratio: observed[k] as f64 / expected,
                p_sim: (exceed[k] as f64 + 1.0) / (permutations as f64 + 1.0),
            }
        })
        .collect();
    Ok(NearRepeatTable { distance_breaks: distance_breaks.to_vec(), time_breaks: time_breaks.to_vec(), cells, permutations })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn events(n: usize, seed: u64) -> (Vec<Point>, Vec<f64>) {
        let mut rng = Rng::new(seed);
        let pts: Vec<Point> = (0..n).map(|_| [rng.next_f64() * 1000.0, rng.next_f64() * 1000.0]).collect();
        let t: Vec<f64> = (0..n).map(|_| (rng.next_f64() * 365.0).floor()).collect();
        (pts, t)
    }

    #[test]
    fn counts_match_brute_force() {
        let (pts, t) = events(300, 1);
        let r = knox(&pts, &t, 80.0, 10.0, 0, 0).unwrap();
        let (mut ns, mut nt, mut nst) = (0, 0, 0);
        for i in 0..300 {
            for j in i + 1..300 {
                let s = dist2(pts[i], pts[j]) <= 6400.0;
                let tt = (t[i] - t[j]).abs() <= 10.0;
                ns += u64::from(s);
                nt += u64::from(tt);
                nst += u64::from(s && tt);
            }
        }
        assert_eq!((r.spatial_pairs, r.temporal_pairs, r.statistic), (ns, nt, nst));
        assert_eq!(r.pairs, 300 * 299 / 2);
    }

    #[test]
    fn table_rows_sum_to_totals_and_first_cell_is_knox() {
        let (pts, t) = events(400, 2);
        let tab = near_repeat(&pts, &t, &[50.0, 100.0], &[7.0, 14.0], 49, 3).unwrap();
        let total: u64 = tab.cells.iter().map(|c| c.observed).sum();
        assert_eq!(total, 400 * 399 / 2);
        let k = knox(&pts, &t, 50.0, 7.0, 0, 0).unwrap();
        assert_eq!(tab.cells[0].observed, k.statistic);
        let expected_total: f64 = tab.cells.iter().map(|c| c.expected).sum();
        assert!((expected_total - total as f64).abs() < 1e-6);
    }

    #[test]
    fn planted_near_repeats_are_detected() {
        let (mut pts, mut t) = events(300, 4);
        for k in 0..60 {
            pts.push([pts[k][0] + 5.0, pts[k][1] + 5.0]);
            t.push(t[k] + 1.0);
        }
        let r = knox(&pts, &t, 20.0, 3.0, 199, 8).unwrap();
        assert!(r.p_sim.unwrap() <= 0.01, "{r:?}");
        let one = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap();
        assert_eq!(one.install(|| knox(&pts, &t, 20.0, 3.0, 199, 8).unwrap()), r);
    }
}
