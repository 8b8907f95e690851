//! Seeded, platform-independent pseudo-random numbers.
//!
//! xoshiro256++ (Blackman & Vigna 2021, "Scrambled linear pseudorandom number generators") seeded
//! through SplitMix64. Every parallel task draws from its own *stream* derived from `(seed, stream)`,
//! so a result depends on the seed only, never on the number of threads or on scheduling.

/// SplitMix64 step (Steele, Lea & Flood 2014); used to expand seeds.
fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// xoshiro256++ generator.
#[derive(Debug, Clone)]
pub struct Rng {
    s: [u64; 4],
}

impl Rng {
    /// A generator for `seed`.
    pub fn new(seed: u64) -> Self {
        Self::stream(seed, 0)
    }

    /// Independent stream number `stream` of `seed` (e.g. one per permutation or per area).
    pub fn stream(seed: u64, stream: u64) -> Self {
        let mut a = seed;
        let k = splitmix64(&mut a);
        let mut state = k ^ stream.wrapping_mul(0xD1B5_4A32_D192_ED03).rotate_left(29) ^ stream;
        let mut s = [0u64; 4];
        for slot in &mut s {
            *slot = splitmix64(&mut state);
        }
        if s == [0; 4] {
            s[0] = 1;
        }
        Rng { s }
    }

    /// Next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        let result = self.s[0].wrapping_add(self.s[3]).rotate_left(23).wrapping_add(self.s[0]);
        let t = self.s[1] << 17;
        self.s[2] ^= self.s[0];
        self.s[3] ^= self.s[1];
        self.s[1] ^= self.s[2];
        self.s[0] ^= self.s[3];
        self.s[2] ^= t;
        self.s[3] = self.s[3].rotate_left(45);
        result
    }

    /// Uniform in [0, 1) with 53 random bits.
    pub fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Uniform integer in `0..n` without modulo bias (Lemire 2019). `n` must be positive.
    pub fn below(&mut self, n: u64) -> u64 {
        debug_assert!(n > 0);
        let mut m = (self.next_u64() as u128) * (n as u128);
        let mut low = m as u64;
        if low < n {
            let threshold = n.wrapping_neg() % n;
            while low < threshold {
                m = (self.next_u64() as u128) * (n as u128);
                low = m as u64;
            }
        }
        (m >> 64) as u64
    }

    /// Fisher–Yates shuffle in place.
    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.below(i as u64 + 1) as usize;
            items.swap(i, j);
        }
    }

    /// Runs `f` on `rounds` random ordered samples of `k` distinct elements of `pool`, each
    /// drawn by partial Fisher–Yates and undone afterwards, so `pool` is back in its original
    /// order when this returns and the samples depend only on the generator's state.
    pub fn for_each_sample<T>(&mut self, pool: &mut [T], k: usize, rounds: usize, mut f: impl FnMut(&[T])) {
        let m = pool.len();
        let k = k.min(m);
        let mut swaps = Vec::with_capacity(k);
        for _ in 0..rounds {
            swaps.clear();
            for j in 0..k {
                let r = j + self.below((m - j) as u64) as usize;
                pool.swap(j, r);
                swaps.push(r);
            }
            f(&pool[..k]);
            for j in (0..k).rev() {
                pool.swap(j, swaps[j]);
            }
        }
    }

    /// Standard normal deviate (polar Box–Muller; one value per call, the other is discarded).
    pub fn normal(&mut self) -> f64 {
        loop {
            let u = 2.0 * self.next_f64() - 1.0;
            let v = 2.0 * self.next_f64() - 1.0;
            let s = u * u + v * v;
            if s > 0.0 && s < 1.0 {
                return u * (-2.0 * s.ln() / s).sqrt();
            }
        }
    }

    /// Gamma(shape, scale 1) deviate (Marsaglia & Tsang 2000).
    pub fn gamma(&mut self, shape: f64) -> f64 {
        if shape < 1.0 {
            let u = self.next_f64().max(f64::MIN_POSITIVE);
            return self.gamma(shape + 1.0) * u.powf(1.0 / shape);
        }
        let d = shape - 1.0 / 3.0;
        let c = 1.0 / (9.0 * d).sqrt();
        loop {
            let x = self.normal();
            let v = 1.0 + c * x;
            if v <= 0.0 {
                continue;
            }
            let v = v * v * v;
            let u = self.next_f64();
            if u < 1.0 - 0.0331 * x * x * x * x || u.max(f64::MIN_POSITIVE).ln() < 0.5 * x * x + d * (1.0 - v + v.ln()) {
                return d * v;
            }
        }
    }

    /// Poisson deviate with mean `lambda` (multiplication method for small means, transformed
    /// rejection PTRS of Hörmann 1993 for large ones).
    pub fn poisson(&mut self, lambda: f64) -> u64 {
        if lambda <= 0.0 {
            return 0;
        }
        if lambda < 30.0 {
            let limit = (-lambda).exp();
            let mut k = 0u64;
            let mut p = self.next_f64();
            while p > limit {
                k += 1;
                p *= self.next_f64();
            }
            return k;
        }
        let slam = lambda.sqrt();
        let loglam = lambda.ln();
        let b = 0.931 + 2.53 * slam;
        let a = -0.059 + 0.02483 * b;
        let invalpha = 1.1239 + 1.1328 / (b - 3.4);
        let vr = 0.9277 - 3.6224 / (b - 2.0);
        loop {
            let u = self.next_f64() - 0.5;
            let v = self.next_f64();
            let us = 0.5 - u.abs();
            let k = ((2.0 * a / us + b) * u + lambda + 0.43).floor();
            if us >= 0.07 && v <= vr {
                return k as u64;
            }
            if k < 0.0 || (us < 0.013 && v > us) {
                continue;
            }
            let lhs = (v * invalpha / (a / (us * us) + b)).ln();
            let rhs = -lambda + k * loglam - libm::lgamma(k + 1.0);
            if lhs <= rhs {
                return k as u64;
            }
        }
    }

    /// Negative binomial deviate with mean `mean` and size `size` (gamma–Poisson mixture).
    pub fn neg_binomial(&mut self, mean: f64, size: f64) -> u64 {
        let lambda = self.gamma(size) * mean / size;
        self.poisson(lambda)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_are_reproducible_and_distinct() {
        let a: Vec<u64> = (0..4).map(|_| Rng::stream(7, 3).next_u64()).collect();
        assert!(a.windows(2).all(|w| w[0] == w[1]));
        assert_ne!(Rng::stream(7, 3).next_u64(), Rng::stream(7, 4).next_u64());
        assert_ne!(Rng::stream(7, 3).next_u64(), Rng::stream(8, 3).next_u64());
    }

    #[test]
    fn below_is_uniform_enough() {
        let mut rng = Rng::new(1);
        let mut counts = [0u32; 6];
        for _ in 0..60_000 {
            counts[rng.below(6) as usize] += 1;
        }
        for c in counts {
            assert!((9_500..10_500).contains(&c), "{counts:?}");
        }
    }

    #[test]
    fn poisson_mean_and_variance() {
        for &lambda in &[0.5, 4.0, 50.0] {
            let mut rng = Rng::new(11);
            let n = 100_000;
            let xs: Vec<f64> = (0..n).map(|_| rng.poisson(lambda) as f64).collect();
            let mean = xs.iter().sum::<f64>() / n as f64;
            let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
            assert!((mean - lambda).abs() < 0.02 * lambda + 0.02, "{lambda}: {mean}");
            assert!((var - lambda).abs() < 0.05 * lambda + 0.03, "{lambda}: {var}");
        }
    }

    #[test]
    fn neg_binomial_variance() {
        let mut rng = Rng::new(5);
        let (mean, size) = (6.0, 3.0);
        let n = 100_000;
        let xs: Vec<f64> = (0..n).map(|_| rng.neg_binomial(mean, size) as f64).collect();
        let m = xs.iter().sum::<f64>() / n as f64;
        let var = xs.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (n - 1) as f64;
        assert!((m - mean).abs() < 0.1, "{m}");
        let want = mean + mean * mean / size;
        assert!((var - want).abs() < 0.05 * want, "{var} vs {want}");
    }
}
