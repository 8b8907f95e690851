//! Trend versus temporary variation in weekly counts (the weekly situation picture's flags).
//!
//! Each cell (category × area) is tested on its own: the count of the week under test against a
//! predictive distribution built from a baseline of the previous weeks and, when there is one, the
//! same season a year earlier. The p-values of all cells of one call are then adjusted with
//! Benjamini–Hochberg, so the share of false flags among the flags is controlled.
//!
//! ## The model (see docs/ANALYS.md for the justification)
//! Baseline b₁…b_m = the recent weeks followed by last year's window (Stroup et al. 1989
//! "historical limits" take the same season from earlier years; Farrington et al. 1996 treat the
//! counts as quasi-Poisson). With S = Σ b:
//! * weights w that keep earlier outbreaks out of the baseline ([`outbreak_weights`]: Farrington et
//!   al. 1996 reweighting with Noufaily et al. 2013's threshold); S = Σ w·b;
//! * mean μ = (S + ½)/m (the Poisson–gamma posterior mean under Jeffreys' prior, so an all-zero
//!   baseline still gives a proper distribution);
//! * overdispersion φ = max(1, Σ w(b − b̄)²/((m − 1) b̄)) (Farrington's quasi-Poisson estimate);
//! * predictive variance V = φ μ (1 + 1/m) — the week's own variance plus the uncertainty of μ;
//! * the week's count X ~ negative binomial with mean μ and variance V (size r = μ/(φ(1+1/m) − 1)).
//!   For φ = 1 this is exactly the Poisson–gamma posterior predictive.
//!
//! p = min(1, 2·min(P(X ≥ x), P(X ≤ x))) (two-sided; the smaller tail gives the direction);
//! the typical range is the central `range_coverage` interval of X.

use crate::error::{Error, Result};
use crate::rng::Rng;
use crate::stats::{benjamini_hochberg, norm_ppf};
use rayon::prelude::*;

/// One category × area cell to test.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TrendCell {
    /// Count of the week under test.
    pub current: u32,
    /// Counts of the previous weeks (typically 8 ISO weeks), any order.
    pub recent: Vec<u32>,
    /// Counts of the same season a year earlier (e.g. ISO weeks w−52−k … w−52+k); `None` for young
    /// data.
    pub last_year: Option<Vec<u32>>,
}

impl TrendCell {
    /// The cell for week index `t` of a continuous weekly series (oldest first, one value per ISO
    /// week): `recent_weeks` weeks before `t`, and last year's weeks `t − 52 − k … t − 52 + k` when
    /// the series reaches that far back (`None` otherwise). `None` when `t` is outside the series.
    /// Years with ISO week 53 shift the alignment by one week, which the ±k window absorbs.
    pub fn from_series(series: &[u32], t: usize, recent_weeks: usize, half_window: usize) -> Option<TrendCell> {
        let current = *series.get(t)?;
        let recent = series[t.saturating_sub(recent_weeks)..t].to_vec();
        let last_year = (t >= 52 + half_window).then(|| series[t - 52 - half_window..=(t - 52 + half_window).min(t - 1)].to_vec());
        Some(TrendCell { current, recent, last_year })
    }
}

/// Options of [`detect`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TrendOptions {
    /// False discovery rate for `flagged` (Benjamini–Hochberg), default 0.05.
    pub fdr: f64,
    /// Coverage of the typical range, default 0.8 (the 10th to the 90th percentile).
    pub range_coverage: f64,
    /// Fewest baseline weeks for a test, default 4; cells with fewer are not tested.
    pub min_baseline_weeks: usize,
}

impl Default for TrendOptions {
    fn default() -> Self {
        TrendOptions { fdr: 0.05, range_coverage: 0.8, min_baseline_weeks: 4 }
    }
}

/// Direction of a change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// More than expected.
    Increase,
    /// Fewer than expected.
    Decrease,
    /// Neither tail is smaller (or not tested).
    Unchanged,
}

impl Direction {
    /// "increase", "decrease" or "unchanged".
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Increase => "increase",
            Direction::Decrease => "decrease",
            Direction::Unchanged => "unchanged",
        }
    }
}

/// The verdict for one cell.
#[derive(Debug, Clone, PartialEq)]
pub struct TrendResult {
    /// Whether the cell had enough baseline weeks to be tested.
    pub tested: bool,
    /// The count of the week under test.
    pub current: u32,
    /// Expected count μ.
    pub expected: f64,
    /// Typical range (lo, hi), integers, for "normalt lo–hi".
    pub typical_range: (u32, u32),
    /// Two-sided p-value (1 when not tested).
    pub p_value: f64,
    /// Benjamini–Hochberg q-value over the tested cells of the call (1 when not tested).
    pub q_value: f64,
    /// q ≤ fdr.
    pub flagged: bool,
    /// Increase or decrease.
    pub direction: Direction,
    /// Estimated overdispersion φ (1 = Poisson).
    pub dispersion: f64,
    /// Number of baseline weeks used.
    pub baseline_weeks: usize,
}

/// Largest weekly count accepted (the distribution functions sum term by term).
pub const MAX_WEEKLY_COUNT: u32 = 1_000_000;

/// Anscombe residuals above this get down-weighted (Noufaily et al. 2013, "An improved algorithm
/// for outbreak detection in multiple surveillance systems", Stat. Med. 32:1206–1222, §3.3).
pub const OUTBREAK_RESIDUAL: f64 = 4.0;

/// Weights that keep earlier outbreaks out of the baseline (Farrington et al. 1996, §3.4,
/// with Noufaily et al.'s threshold): each week's Anscombe residual
/// r = 1.5·(b^{2/3} − b̄^{2/3}) / (b̄^{1/6} √φ₀) is computed against the mean b̄ and the
/// quasi-Poisson dispersion φ₀ (≥ 1) of the baseline *without its largest week* — so that an
/// outbreak cannot hide itself by inflating φ₀ — and a week with r > 2.58 gets weight r⁻²; the
/// weights are then scaled to sum to m. Without this, the first week of a flare-up sits in the
/// next week's baseline and masks it. On stable series the weights are almost always all 1.
pub fn outbreak_weights(baseline: &[u32]) -> Vec<f64> {
    let m = baseline.len();
    let mut w = vec![1.0; m];
    if m < 3 {
        return w;
    }
    let max_i = (0..m).max_by_key(|&i| baseline[i]).unwrap_or(0);
    let rest: Vec<f64> = (0..m).filter(|&i| i != max_i).map(|i| baseline[i] as f64).collect();
    let n = rest.len() as f64;
    let mean = rest.iter().sum::<f64>() / n;
    let phi0 = if mean > 0.0 { (rest.iter().map(|b| (b - mean).powi(2)).sum::<f64>() / ((n - 1.0) * mean)).max(1.0) } else { 1.0 };
    let centre = mean.max(0.5 / n);
    let scale = centre.powf(1.0 / 6.0) * phi0.sqrt();
    for (wi, &b) in w.iter_mut().zip(baseline) {
        let r = 1.5 * ((b as f64).powf(2.0 / 3.0) - centre.powf(2.0 / 3.0)) / scale;
        if r > OUTBREAK_RESIDUAL {
            *wi = r.powi(-2);
        }
    }
    let total: f64 = w.iter().sum();
    w.iter_mut().for_each(|x| *x *= m as f64 / total);
    w
}

/// Quadrature nodes for the uncertainty of the dispersion estimate.
const PHI_NODES: usize = 16;

/// The predictive distribution of the week's count given a baseline: a mixture of negative
/// binomials with mean μ whose dispersions φ_j = max(1, φ̂·(m−1)/c_j) run over the quantiles c_j
/// of χ²_{m−1} at (j + ½)/16 — the sampling distribution of the quasi-Poisson estimate φ̂
/// (Wilson–Hilferty approximation of the χ² quantiles). Without this the plug-in φ̂, estimated
/// from a handful of weeks, is too often too small and the test raises too many false alarms.
#[derive(Debug, Clone, PartialEq)]
pub struct Predictive {
    /// Mean μ = (S + ½)/m.
    pub mean: f64,
    /// Point estimate φ̂ ≥ 1 (1 = Poisson).
    pub dispersion: f64,
    /// Baseline weeks m.
    pub weeks: usize,
    sizes: Vec<f64>,
}

impl Predictive {
    /// From the baseline counts; `None` when the baseline is empty.
    pub fn from_baseline(baseline: &[u32]) -> Option<Predictive> {
        let m = baseline.len();
        if m == 0 {
            return None;
        }
        let mf = m as f64;
        let weights = outbreak_weights(baseline);
        let s: f64 = baseline.iter().zip(&weights).map(|(&b, w)| w * b as f64).sum();
        let mean_b = s / mf;
        let mu = (s + 0.5) / mf;
        let size_for = |phi: f64| mu / (phi * (1.0 + 1.0 / mf) - 1.0);
        if m < 2 || mean_b == 0.0 {
            return Some(Predictive { mean: mu, dispersion: 1.0, weeks: m, sizes: vec![size_for(1.0)] });
        }
        let ss: f64 = baseline.iter().zip(&weights).map(|(&b, w)| w * (b as f64 - mean_b).powi(2)).sum();
        let phi_hat = ss / ((mf - 1.0) * mean_b);
        let nu = mf - 1.0;
        let sizes = (0..PHI_NODES)
            .map(|j| {
                let z = norm_ppf((j as f64 + 0.5) / PHI_NODES as f64);
                let c = (nu * (1.0 - 2.0 / (9.0 * nu) + z * (2.0 / (9.0 * nu)).sqrt()).powi(3)).max(0.05 * nu);
                size_for((phi_hat * nu / c).max(1.0))
            })
            .collect();
        Some(Predictive { mean: mu, dispersion: phi_hat.max(1.0), weeks: m, sizes })
    }

    /// P(X ≤ k) for k = 0..=x, of the mixture.
    fn cdf_upto(&self, x: u64) -> Vec<f64> {
        let mut out = vec![0.0; x as usize + 1];
        let w = 1.0 / self.sizes.len() as f64;
        // P(X = k) by the recurrence P(k) = P(k−1)·(k−1+r)/k·μ/(r+μ): in the log domain only
        // while P(k) would underflow (large means), then by multiplication — no exp per term.
        const UNDERFLOW: f64 = -700.0;
        for &r in &self.sizes {
            let ratio = self.mean / (r + self.mean);
            let mut lp = -r * (self.mean / r).ln_1p();
            let mut pk = if lp > UNDERFLOW { lp.exp() } else { 0.0 };
            let mut acc = 0.0;
            for (k, slot) in out.iter_mut().enumerate() {
                if k > 0 {
                    let step = (k as f64 - 1.0 + r) / k as f64 * ratio;
                    if pk > 0.0 {
                        pk *= step;
                    } else {
                        lp += step.ln();
                        if lp > UNDERFLOW {
                            pk = lp.exp();
                        }
                    }
                }
                acc += pk;
                *slot += w * acc.min(1.0);
            }
        }
        out
    }

    /// P(X ≤ x).
    pub fn cdf(&self, x: u64) -> f64 {
        self.cdf_upto(x)[x as usize].min(1.0)
    }

    /// (P(X ≤ x), P(X ≥ x)).
    pub fn tails(&self, x: u64) -> (f64, f64) {
        let c = self.cdf_upto(x);
        let lower = c[x as usize].min(1.0);
        let upper = if x == 0 { 1.0 } else { (1.0 - c[x as usize - 1]).max(0.0) };
        (lower, upper)
    }

    /// Smallest k with P(X ≤ k) ≥ q.
    /// `q` is clamped to [0, 1 − 10⁻¹²]; the search stops at 64·μ + 10⁴ (far in the tail).
    pub fn quantile(&self, q: f64) -> u64 {
        let q = q.clamp(0.0, 1.0 - 1e-12);
        let limit = (self.mean * 64.0 + 1e4) as u64;
        let mut hi = (self.mean * 4.0 + 16.0) as u64;
        loop {
            let c = self.cdf_upto(hi.min(limit));
            if let Some(k) = c.iter().position(|&v| v >= q) {
                return k as u64;
            }
            if hi >= limit {
                return limit;
            }
            hi *= 2;
        }
    }
}

/// Tests one cell (without the multiple-testing step).
fn test_cell(cell: &TrendCell, opts: &TrendOptions) -> TrendResult {
    let mut baseline = cell.recent.clone();
    if let Some(ly) = &cell.last_year {
        baseline.extend_from_slice(ly);
    }
    let untested = |expected: f64, dispersion: f64, range: (u32, u32)| TrendResult {
        tested: false,
        current: cell.current,
        expected,
        typical_range: range,
        p_value: 1.0,
        q_value: 1.0,
        flagged: false,
        direction: Direction::Unchanged,
        dispersion,
        baseline_weeks: baseline.len(),
    };
    let Some(dist) = Predictive::from_baseline(&baseline) else {
        return untested(f64::NAN, f64::NAN, (0, 0));
    };
    let tail = (1.0 - opts.range_coverage) / 2.0;
    let range = (dist.quantile(tail) as u32, dist.quantile(1.0 - tail) as u32);
    if baseline.len() < opts.min_baseline_weeks {
        return untested(dist.mean, dist.dispersion, range);
    }
    let x = cell.current as u64;
    let (lower, upper) = dist.tails(x);
    let p = (2.0 * upper.min(lower)).min(1.0);
    let direction = if upper < lower {
        Direction::Increase
    } else if lower < upper {
        Direction::Decrease
    } else {
        Direction::Unchanged
    };
    TrendResult {
        tested: true,
        current: cell.current,
        expected: dist.mean,
        typical_range: range,
        p_value: p,
        q_value: 1.0,
        flagged: false,
        direction,
        dispersion: dist.dispersion,
        baseline_weeks: baseline.len(),
    }
}

/// From this many cells on, [`detect`] tests them in parallel.
const PARALLEL_CELLS: usize = 1024;

/// Tests every cell and applies Benjamini–Hochberg over the tested ones. Results are in input
/// order.
pub fn detect(cells: &[TrendCell], opts: &TrendOptions) -> Result<Vec<TrendResult>> {
    if !(opts.fdr > 0.0 && opts.fdr < 1.0) {
        return Err(Error::InvalidParameter { name: "fdr", reason: "måste ligga mellan 0 och 1".into() });
    }
    if !(opts.range_coverage > 0.0 && opts.range_coverage < 1.0) {
        return Err(Error::InvalidParameter { name: "range_coverage", reason: "måste ligga mellan 0 och 1".into() });
    }
    for (index, c) in cells.iter().enumerate() {
        let largest = c.recent.iter().chain(c.last_year.iter().flatten()).copied().chain([c.current]).max().unwrap_or(0);
        if largest > MAX_WEEKLY_COUNT {
            return Err(Error::CountTooLarge { index, value: largest, max: MAX_WEEKLY_COUNT });
        }
    }
    // A week's picture has a hundred cells or so: split across threads only when there are
    // enough to pay for it (a server's threads are busy with other requests).
    let mut results: Vec<TrendResult> = if cells.len() >= PARALLEL_CELLS {
        cells.par_iter().map(|c| test_cell(c, opts)).collect()
    } else {
        cells.iter().map(|c| test_cell(c, opts)).collect()
    };
    let tested: Vec<usize> = (0..results.len()).filter(|&i| results[i].tested).collect();
    let p: Vec<f64> = tested.iter().map(|&i| results[i].p_value).collect();
    let q = benjamini_hochberg(&p);
    for (k, &i) in tested.iter().enumerate() {
        results[i].q_value = q[k];
        results[i].flagged = q[k] <= opts.fdr;
    }
    Ok(results)
}

/// Settings of the false-alarm and detection simulation ([`simulate`]).
#[derive(Debug, Clone, PartialEq)]
pub struct SimulationConfig {
    /// Seed of the whole simulation.
    pub seed: u64,
    /// Series simulated per mean level.
    pub series: usize,
    /// Mean weekly counts to simulate.
    pub base_means: Vec<f64>,
    /// Negative binomial size of the weekly counts (`None`: Poisson).
    pub size: Option<f64>,
    /// Seasonal amplitude: μ_t = base · (1 + a·sin(2πt/52)).
    pub seasonal_amplitude: f64,
    /// Recent weeks in the baseline.
    pub recent_weeks: usize,
    /// Half-width k of last year's window (2k + 1 weeks).
    pub last_year_half_window: usize,
    /// Cells tested together each week for the Benjamini–Hochberg false-alarm measure.
    pub cells_per_week: usize,
    /// FDR level (and, for single-cell rates, the p-value level).
    pub fdr: f64,
}

impl Default for SimulationConfig {
    fn default() -> Self {
        SimulationConfig {
            seed: 2024,
            series: 2000,
            base_means: vec![1.0, 3.0, 10.0, 30.0],
            size: Some(10.0),
            seasonal_amplitude: 0.3,
            recent_weeks: 8,
            last_year_half_window: 3,
            cells_per_week: 50,
            fdr: 0.05,
        }
    }
}

/// Simulated behaviour at one mean level.
#[derive(Debug, Clone, PartialEq)]
pub struct SimulationRow {
    /// Mean weekly count.
    pub base_mean: f64,
    /// Share of stable weeks with p ≤ fdr (one cell tested alone).
    pub false_alarm_rate: f64,
    /// Share of weeks in which at least one of `cells_per_week` stable cells is flagged after BH.
    pub weeks_with_false_flag_bh: f64,
    /// Share of doubled series flagged (increase) in the first doubled week (one cell alone).
    pub detected_first_week: f64,
    /// Share flagged within the first four doubled weeks.
    pub detected_within_4_weeks: f64,
    /// Median number of doubled weeks before the first flag (1 = the first week); `None` when
    /// fewer than half are caught within 8 weeks.
    pub median_weeks_to_detection: Option<u32>,
}

fn simulate_series(rng: &mut Rng, cfg: &SimulationConfig, base: f64, weeks: usize, double_from: Option<usize>) -> Vec<u32> {
    (0..weeks)
        .map(|t| {
            let season = 1.0 + cfg.seasonal_amplitude * (2.0 * std::f64::consts::PI * t as f64 / 52.0).sin();
            let factor = if double_from.is_some_and(|d| t >= d) { 2.0 } else { 1.0 };
            let mu = base * season * factor;
            match cfg.size {
                Some(r) => rng.neg_binomial(mu, r) as u32,
                None => rng.poisson(mu) as u32,
            }
        })
        .collect()
}

fn cell_at(series: &[u32], t: usize, cfg: &SimulationConfig) -> TrendCell {
    TrendCell::from_series(series, t, cfg.recent_weeks, cfg.last_year_half_window).unwrap_or_default()
}

/// Deterministic simulation of the detector: false alarms on stable seasonal series and the speed
/// of catching a doubling. Stable weeks tested: the 52 weeks of the second year.
pub fn simulate(cfg: &SimulationConfig) -> Result<Vec<SimulationRow>> {
    if cfg.series == 0 || cfg.cells_per_week == 0 || cfg.base_means.is_empty() {
        return Err(Error::InvalidParameter { name: "simulation", reason: "minst en serie, en cell och en nivå behövs".into() });
    }
    let opts = TrendOptions { fdr: cfg.fdr, ..TrendOptions::default() };
    let start = 52 + cfg.last_year_half_window.max(cfg.recent_weeks);
    let weeks = start + 52 + 8;
    let mut rows = Vec::new();
    for (level, &base) in cfg.base_means.iter().enumerate() {
        let stream = |s: usize, kind: u64| Rng::stream(cfg.seed, ((level as u64) << 40) ^ (kind << 32) ^ s as u64);
        // stable series: single-cell false-alarm rate, and p-values per (series, week)
        let stable: Vec<Vec<f64>> = (0..cfg.series)
            .into_par_iter()
            .map(|s| {
                let series = simulate_series(&mut stream(s, 1), cfg, base, weeks, None);
                (start..start + 52).map(|t| test_cell(&cell_at(&series, t, cfg), &opts).p_value).collect()
            })
            .collect();
        let tests = (cfg.series * 52) as f64;
        let alarms = stable.iter().flatten().filter(|&&p| p <= cfg.fdr).count() as f64;
        // BH over groups of `cells_per_week` stable series, week by week
        let groups = cfg.series / cfg.cells_per_week;
        let mut weeks_flagged = 0usize;
        for group in stable.chunks_exact(cfg.cells_per_week) {
            for week in 0..52 {
                let p: Vec<f64> = group.iter().map(|series| series[week]).collect();
                if benjamini_hochberg(&p).iter().any(|&q| q <= cfg.fdr) {
                    weeks_flagged += 1;
                }
            }
        }
        // doubling from the middle of the second year
        let d = start + 26;
        let delays: Vec<Option<u32>> = (0..cfg.series)
            .into_par_iter()
            .map(|s| {
                let series = simulate_series(&mut stream(s, 2), cfg, base, weeks, Some(d));
                (0..8).find_map(|k| {
                    let r = test_cell(&cell_at(&series, d + k, cfg), &opts);
                    (r.p_value <= cfg.fdr && r.direction == Direction::Increase).then_some(k as u32 + 1)
                })
            })
            .collect();
        let n = cfg.series as f64;
        let first = delays.iter().filter(|d| **d == Some(1)).count() as f64 / n;
        let within4 = delays.iter().filter(|d| d.is_some_and(|k| k <= 4)).count() as f64 / n;
        let mut sorted: Vec<u32> = delays.iter().map(|d| d.unwrap_or(u32::MAX)).collect();
        sorted.sort_unstable();
        let median = sorted[(sorted.len() - 1) / 2];
        rows.push(SimulationRow {
            base_mean: base,
            false_alarm_rate: alarms / tests,
            weeks_with_false_flag_bh: if groups == 0 { f64::NAN } else { weeks_flagged as f64 / (groups * 52) as f64 },
            detected_first_week: first,
            detected_within_4_weeks: within4,
            median_weeks_to_detection: (median != u32::MAX).then_some(median),
        });
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cell(current: u32, recent: &[u32], last: Option<&[u32]>) -> TrendCell {
        TrendCell { current, recent: recent.to_vec(), last_year: last.map(<[u32]>::to_vec) }
    }

    #[test]
    fn obvious_spike_is_flagged_as_increase() {
        let cells = vec![cell(14, &[3, 5, 4, 6, 3, 4, 5, 4], Some(&[4, 3, 5, 4, 6, 4, 3])), cell(4, &[3, 5, 4, 6, 3, 4, 5, 4], None)];
        let r = detect(&cells, &TrendOptions::default()).unwrap();
        assert!(r[0].flagged && r[0].direction == Direction::Increase, "{:?}", r[0]);
        assert!(!r[1].flagged);
        let (lo, hi) = r[0].typical_range;
        assert!(lo <= 4 && (5..14).contains(&hi), "{lo}–{hi}");
        assert!(r[0].q_value >= r[0].p_value);
    }

    #[test]
    fn drop_to_zero_is_a_decrease() {
        let r = detect(&[cell(0, &[20, 22, 19, 25, 21, 18, 23, 20], None)], &TrendOptions::default()).unwrap();
        assert!(r[0].flagged);
        assert_eq!(r[0].direction, Direction::Decrease);
    }

    #[test]
    fn cells_from_a_weekly_series() {
        let series: Vec<u32> = (0..120).collect();
        let c = TrendCell::from_series(&series, 100, 8, 3).unwrap();
        assert_eq!(c.current, 100);
        assert_eq!(c.recent, (92..100).collect::<Vec<u32>>());
        assert_eq!(c.last_year.unwrap(), (45..=51).collect::<Vec<u32>>());
        let young = TrendCell::from_series(&series, 10, 8, 3).unwrap();
        assert_eq!(young.recent, (2..10).collect::<Vec<u32>>());
        assert!(young.last_year.is_none());
        assert_eq!(TrendCell::from_series(&series, 3, 8, 3).unwrap().recent, vec![0, 1, 2]);
        assert!(TrendCell::from_series(&series, 500, 8, 3).is_none());
    }

    #[test]
    fn extreme_quantiles_stay_bounded() {
        let d = Predictive::from_baseline(&[3, 9, 0, 14, 2, 7]).unwrap();
        assert!(d.quantile(1.0) <= (d.mean * 64.0 + 1e4) as u64);
        assert_eq!(d.quantile(0.0), 0);
        assert!(d.quantile(0.5) <= d.quantile(0.9));
    }

    #[test]
    fn an_earlier_outbreak_does_not_mask_the_next_week() {
        // Last week's 7 was the start of a flare-up; this week has 14 against about 1 a week.
        let flagged = detect(&[cell(14, &[1, 2, 0, 1, 1, 0, 1, 7], Some(&[0, 0, 1, 0]))], &TrendOptions::default()).unwrap();
        assert!(flagged[0].p_value < 1e-4, "p = {}", flagged[0].p_value);
        let w = outbreak_weights(&[1, 2, 0, 1, 1, 0, 1, 7, 0, 0, 1, 0]);
        assert!(w[7] < 0.1 && (w.iter().sum::<f64>() - 12.0).abs() < 1e-9, "{w:?}");
        // An ordinary busy week is not an outbreak.
        assert!(outbreak_weights(&[9, 11, 10, 14, 8, 12, 10, 11]).iter().all(|&x| (x - 1.0).abs() < 1e-12));
    }

    #[test]
    fn absurd_counts_are_an_error() {
        let r = detect(&[cell(u32::MAX, &[1, 2, 3, 4], None)], &TrendOptions::default());
        assert!(matches!(r, Err(Error::CountTooLarge { index: 0, .. })));
    }

    #[test]
    fn young_data_is_not_tested() {
        let r = detect(&[cell(9, &[1, 0], None), cell(0, &[], None)], &TrendOptions::default()).unwrap();
        assert!(!r[0].tested && !r[0].flagged && r[0].p_value == 1.0);
        assert!(!r[1].tested && r[1].expected.is_nan());
    }

    #[test]
    fn poisson_gamma_predictive_when_not_overdispersed() {
        // a constant baseline has φ̂ = 0, so every node is φ = 1: NB(size = S + ½, p = m/(m+1)),
        // mean (S+½)/m, variance mean·(m+1)/m
        let d = Predictive::from_baseline(&[2, 2, 2, 2]).unwrap();
        assert_eq!(d.dispersion, 1.0);
        assert!((d.mean - 8.5 / 4.0).abs() < 1e-15);
        let nb = crate::stats::NegBinomial { mean: d.mean, size: 8.5 };
        for k in 0..20 {
            assert!((d.cdf(k) - nb.cdf(k)).abs() < 1e-12, "{k}");
        }
        let (lo, up) = d.tails(3);
        assert!((lo + up - 1.0 - (nb.ln_pmf(3)).exp()).abs() < 1e-12);
    }

    #[test]
    fn simulated_false_alarms_stay_at_the_level() {
        let cfg = SimulationConfig { series: 400, base_means: vec![2.0, 20.0], ..SimulationConfig::default() };
        let rows = simulate(&cfg).unwrap();
        for row in &rows {
            assert!(row.false_alarm_rate <= 0.06, "{row:?}");
            assert!(row.weeks_with_false_flag_bh <= 0.10, "{row:?}");
        }
        // a doubling of 20 a week (overdispersed, NB size 10) is usually caught within four weeks
        assert!(rows[1].detected_first_week > 0.3, "{:?}", rows[1]);
        assert!(rows[1].detected_within_4_weeks > 0.6, "{:?}", rows[1]);
        assert_eq!(rows, simulate(&cfg).unwrap());
    }
}
