//! Distribution functions and multiple-testing control used by the statistics.

/// Upper tail of the standard normal, P(Z > z). Same definition as `scipy.stats.norm.sf`.
pub fn norm_sf(z: f64) -> f64 {
    0.5 * libm::erfc(z / std::f64::consts::SQRT_2)
}

/// Lower tail of the standard normal, P(Z ≤ z). Same definition as `scipy.stats.norm.cdf`.
pub fn norm_cdf(z: f64) -> f64 {
    0.5 * libm::erfc(-z / std::f64::consts::SQRT_2)
}

/// Natural log of Γ(x) for x > 0.
pub fn ln_gamma(x: f64) -> f64 {
    libm::lgamma(x)
}

/// Regularised upper incomplete gamma Q(a, x) = Γ(a, x)/Γ(a), for a > 0, x ≥ 0
/// (series for x < a + 1, Lentz continued fraction otherwise; Press et al., Numerical Recipes §6.2).
pub fn gamma_q(a: f64, x: f64) -> f64 {
    if x <= 0.0 {
        return 1.0;
    }
    if x < a + 1.0 { 1.0 - gamma_p_series(a, x) } else { gamma_q_fraction(a, x) }
}

fn gamma_p_series(a: f64, x: f64) -> f64 {
    let mut ap = a;
    let mut sum = 1.0 / a;
    let mut del = sum;
    for _ in 0..100_000 {
        ap += 1.0;
        del *= x / ap;
        sum += del;
        if del.abs() < sum.abs() * 1e-17 {
            break;
        }
    }
    sum * (-x + a * x.ln() - ln_gamma(a)).exp()
}

fn gamma_q_fraction(a: f64, x: f64) -> f64 {
    let tiny = 1e-300;
    let mut b = x + 1.0 - a;
    let mut c = 1.0 / tiny;
    let mut d = 1.0 / b;
    let mut h = d;
    for i in 1..100_000 {
        let an = -(i as f64) * (i as f64 - a);
        b += 2.0;
        d = an * d + b;
        if d.abs() < tiny {
            d = tiny;
        }
        c = b + an / c;
        if c.abs() < tiny {
            c = tiny;
        }
        d = 1.0 / d;
        let del = d * c;
        h *= del;
        if (del - 1.0).abs() < 1e-17 {
            break;
        }
    }
    (-x + a * x.ln() - ln_gamma(a)).exp() * h
}

/// Poisson cumulative distribution P(X ≤ k) with mean `mu` (as `scipy.stats.poisson.cdf`).
pub fn poisson_cdf(k: f64, mu: f64) -> f64 {
    if k < 0.0 {
        return 0.0;
    }
    if mu <= 0.0 {
        return 1.0;
    }
    gamma_q(k.floor() + 1.0, mu)
}

/// A negative binomial distribution parameterised by mean and size (dispersion) `r`:
/// variance = mean + mean²/r. `r = ∞` is the Poisson distribution.
#[derive(Debug, Clone, Copy)]
pub struct NegBinomial {
    /// Mean μ > 0.
    pub mean: f64,
    /// Size r > 0 (`f64::INFINITY` for Poisson).
    pub size: f64,
}

impl NegBinomial {
    /// ln P(X = k).
    pub fn ln_pmf(&self, k: u64) -> f64 {
        let k = k as f64;
        let mu = self.mean;
        if mu <= 0.0 {
            return if k == 0.0 { 0.0 } else { f64::NEG_INFINITY };
        }
        if !self.size.is_finite() {
            return -mu + k * mu.ln() - ln_gamma(k + 1.0);
        }
        let r = self.size;
        ln_gamma(k + r) - ln_gamma(r) - ln_gamma(k + 1.0) + r * (r / (r + mu)).ln() + k * (mu / (r + mu)).ln()
    }

    /// P(X ≤ k), summed term by term.
    pub fn cdf(&self, k: u64) -> f64 {
        let mut sum = 0.0;
        for j in 0..=k {
            sum += self.ln_pmf(j).exp();
        }
        sum.min(1.0)
    }

    /// P(X ≥ k), summed from `k` upwards when that tail is the small one (no cancellation).
    pub fn sf_inclusive(&self, k: u64) -> f64 {
        if k == 0 {
            return 1.0;
        }
        if (k as f64) <= self.mean {
            return (1.0 - self.cdf(k - 1)).max(0.0);
        }
        let mut sum = 0.0;
        let mut j = k;
        loop {
            let term = self.ln_pmf(j).exp();
            sum += term;
            if term <= sum * 1e-17 || term == 0.0 {
                break;
            }
            j += 1;
            if j - k > 10_000_000 {
                break;
            }
        }
        sum.min(1.0)
    }

    /// Smallest k with P(X ≤ k) ≥ q.
    pub fn quantile(&self, q: f64) -> u64 {
        let mut sum = 0.0;
        let mut k = 0u64;
        loop {
            sum += self.ln_pmf(k).exp();
            if sum >= q || k > 100_000_000 {
                return k;
            }
            k += 1;
        }
    }
}

/// Standard normal quantile Φ⁻¹(p) for 0 < p < 1 (Acklam's rational approximation, relative
/// error below 1.2·10⁻⁹, refined by one Halley step).
pub fn norm_ppf(p: f64) -> f64 {
    const A: [f64; 6] =
        [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.383_577_518_672_69e2, -3.066479806614716e1, 2.506628277459239];
    const B: [f64; 5] = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
    const C: [f64; 6] =
        [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
    const D: [f64; 4] = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
    if p <= 0.0 {
        return f64::NEG_INFINITY;
    }
    if p >= 1.0 {
        return f64::INFINITY;
    }
    let x = if p < 0.02425 {
        let q = (-2.0 * p.ln()).sqrt();
        (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5]) / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
    } else if p <= 1.0 - 0.02425 {
        let q = p - 0.5;
        let r = q * q;
        (((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q
            / (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1.0)
    } else {
        let q = (-2.0 * (1.0 - p).ln()).sqrt();
        -(((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5]) / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
    };
    let e = norm_cdf(x) - p;
    let u = e * (2.0 * std::f64::consts::PI).sqrt() * (x * x / 2.0).exp();
    x - u / (1.0 + x * u / 2.0)
}

/// Benjamini–Hochberg adjusted p-values (q-values), in the input order
/// (Benjamini & Hochberg 1995; same as `statsmodels.stats.multitest.fdrcorrection`).
/// `q_(i) = min_{j ≥ i} min(1, m·p_(j)/j)` over the ascending order of p.
pub fn benjamini_hochberg(p: &[f64]) -> Vec<f64> {
    let m = p.len();
    let mut order: Vec<usize> = (0..m).collect();
    order.sort_by(|&a, &b| p[a].total_cmp(&p[b]).then(a.cmp(&b)));
    let mut q = vec![0.0; m];
    let mut running = 1.0f64;
    for rank in (0..m).rev() {
        let i = order[rank];
        let candidate = (p[i] * m as f64 / (rank + 1) as f64).min(1.0);
        running = running.min(candidate);
        q[i] = running;
    }
    q
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normal_tails_known_values() {
        // scipy.stats.norm.sf(1.96) and norm.sf(5)
        assert!((norm_sf(1.96) - 0.024_997_895_148_220_435).abs() < 1e-17);
        assert!((norm_sf(5.0) / 2.866_515_718_791_939e-7 - 1.0).abs() < 1e-13);
        assert!((norm_cdf(-1.0) - 0.158_655_253_931_457_05).abs() < 1e-16);
    }

    #[test]
    fn poisson_cdf_matches_sum() {
        for &mu in &[0.3, 3.0, 17.5, 140.0] {
            for k in [0u64, 1, 5, 20, 150] {
                let direct = NegBinomial { mean: mu, size: f64::INFINITY }.cdf(k);
                let via_gamma = poisson_cdf(k as f64, mu);
                assert!((direct - via_gamma).abs() < 1e-13, "{mu} {k}: {direct} {via_gamma}");
            }
        }
    }

    #[test]
    fn negbin_tails_sum_to_one() {
        let d = NegBinomial { mean: 4.2, size: 2.5 };
        for k in 0..30 {
            let total = d.cdf(k) + d.sf_inclusive(k + 1);
            assert!((total - 1.0).abs() < 1e-12);
        }
        let mean: f64 = (0..400).map(|k| k as f64 * d.ln_pmf(k).exp()).sum();
        assert!((mean - 4.2).abs() < 1e-9);
    }

    #[test]
    fn normal_quantile_inverts_cdf() {
        for &p in &[1e-10, 0.001, 0.025, 0.3, 0.5, 0.9, 0.975, 0.999_999] {
            assert!((norm_cdf(norm_ppf(p)) / p - 1.0).abs() < 1e-12, "{p}");
        }
    }

    #[test]
    fn bh_matches_hand_computation() {
        let p = [0.01, 0.04, 0.03, 0.5];
        let q = benjamini_hochberg(&p);
        // sorted: 0.01, 0.03, 0.04, 0.5 -> 0.04, 0.0533.., 0.0533.., 0.5
        assert!((q[0] - 0.04).abs() < 1e-15);
        assert!((q[2] - 0.04 * 4.0 / 3.0).abs() < 1e-15);
        assert!((q[1] - 0.04 * 4.0 / 3.0).abs() < 1e-15);
        assert!((q[3] - 0.5).abs() < 1e-15);
    }
}
