//! A small, fast, seedable and portable random number generator: xoshiro256++ (Blackman &
//! Vigna 2019) seeded by SplitMix64, with uniform, exponential and Poisson variates. Pure
//! integer arithmetic and IEEE doubles, so a stream is the same on every platform.

use crate::stats::special::ln_gamma;

/// Mean below which [`Rng::poisson`] uses inversion (multiplication of uniforms); at and above
/// it, Hörmann's PTRS, as numpy does.
const POISSON_INVERSION_BELOW: f64 = 10.0;

/// xoshiro256++ state. One generator per replication ([`Rng::for_replication`]).
#[derive(Debug, Clone)]
pub struct Rng {
    s: [u64; 4],
}

/// One step of SplitMix64: advances `state` and returns the mixed output.
fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

impl Rng {
    /// A generator whose state is four SplitMix64 outputs from `seed`.
    pub fn new(seed: u64) -> Rng {
        let mut sm = seed;
        let s = [
            splitmix64(&mut sm),
            splitmix64(&mut sm),
            splitmix64(&mut sm),
            splitmix64(&mut sm),
        ];
        Rng { s }
    }

    /// The stream of replication `replication` of a run with seed `seed`: the seed and the
    /// index are mixed (SplitMix64 of each, combined) before seeding, so neighbouring seeds and
    /// indices give unrelated streams.
    pub fn for_replication(seed: u64, replication: u64) -> Rng {
        let mut a = seed;
        let mut b = replication ^ 0xD1B5_4A32_D192_ED03;
        let mixed = splitmix64(&mut a) ^ splitmix64(&mut b).rotate_left(17);
        Rng::new(mixed)
    }

    /// The next 64 random bits.
    #[inline]
    pub fn next_u64(&mut self) -> u64 {
        let s = &mut self.s;
        let result = s[0].wrapping_add(s[3]).rotate_left(23).wrapping_add(s[0]);
        let t = s[1] << 17;
        s[2] ^= s[0];
        s[3] ^= s[1];
        s[1] ^= s[2];
        s[0] ^= s[3];
        s[2] ^= t;
        s[3] = s[3].rotate_left(45);
        result
    }

    /// Uniform on [0, 1) with 53 random bits.
    #[inline]
    pub fn uniform(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Uniform integer in `0..n` (`n > 0`), by Lemire's multiply-shift with rejection (unbiased).
    #[inline]
    pub fn below(&mut self, n: u64) -> u64 {
        debug_assert!(n > 0);
        let threshold = n.wrapping_neg() % n;
        loop {
            let m = u128::from(self.next_u64()) * u128::from(n);
            if (m as u64) >= threshold {
                return (m >> 64) as u64;
            }
        }
    }

    /// Exponential with the given mean (inversion, `−mean · ln(1 − U)`).
    #[inline]
    pub fn exponential(&mut self, mean: f64) -> f64 {
        -mean * (1.0 - self.uniform()).ln()
    }

    /// Poisson with mean `mean ≥ 0` (0 for a non-positive or non-finite mean). Exact methods:
    /// inversion by multiplying uniforms below a mean of 10, PTRS (Hörmann 1993, transformed
    /// rejection with squeeze) from 10 on.
    pub fn poisson(&mut self, mean: f64) -> u64 {
        if mean.is_nan() || mean <= 0.0 {
            0
        } else if mean < POISSON_INVERSION_BELOW {
            self.poisson_inversion(mean)
        } else {
            self.poisson_ptrs(mean)
        }
    }

    fn poisson_inversion(&mut self, mean: f64) -> u64 {
        let limit = (-mean).exp();
        let mut k = 0;
        let mut prod = self.uniform();
        while prod > limit {
            k += 1;
            prod *= self.uniform();
        }
        k
    }

    fn poisson_ptrs(&mut self, lam: f64) -> u64 {
        let slam = lam.sqrt();
        let loglam = lam.ln();
        let b = 0.931 + 2.53 * slam;
        let a = -0.059 + 0.02483 * b;
        let invalpha = 1.1239 + 1.1328 / (b - 3.4);
        let vr = 0.9277 - 3.6224 / (b - 2.0);
        loop {
            let u = self.uniform() - 0.5;
            let v = self.uniform();
            let us = 0.5 - u.abs();
            let k = ((2.0 * a / us + b) * u + lam + 0.43).floor();
            if us >= 0.07 && v <= vr {
                return k as u64;
            }
            if k < 0.0 || (us < 0.013 && v > us) {
                continue;
            }
            if v.ln() + invalpha.ln() - (a / (us * us) + b).ln()
                <= -lam + k * loglam - ln_gamma(k + 1.0)
            {
                return k as u64;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::special::poisson_cdf;

    #[test]
    fn xoshiro_reference_output() {
        // Reference: xoshiro256plusplus.c with s = {1, 2, 3, 4}.
        let mut r = Rng { s: [1, 2, 3, 4] };
        let want = [41943041u64, 58720359, 3588806011781223, 3591011842654386];
        for w in want {
            assert_eq!(r.next_u64(), w);
        }
    }

    #[test]
    fn streams_are_reproducible_and_distinct() {
        let a: Vec<u64> = {
            let mut r = Rng::for_replication(7, 3);
            (0..4).map(|_| r.next_u64()).collect()
        };
        let mut r = Rng::for_replication(7, 3);
        assert_eq!(a, (0..4).map(|_| r.next_u64()).collect::<Vec<_>>());
        let mut other = Rng::for_replication(7, 4);
        assert_ne!(a[0], other.next_u64());
        let mut other = Rng::for_replication(8, 3);
        assert_ne!(a[0], other.next_u64());
    }

    #[test]
    fn uniform_and_below_are_in_range() {
        let mut r = Rng::new(1);
        for _ in 0..10_000 {
            let u = r.uniform();
            assert!((0.0..1.0).contains(&u));
            assert!(r.below(7) < 7);
        }
    }

    /// Pearson χ² of the Poisson sampler against the exact pmf, cells with ≥ 5 expected.
    fn poisson_chi_square(mean: f64, n: usize, seed: u64) -> (f64, usize) {
        let mut r = Rng::new(seed);
        let hi = (mean + 8.0 * mean.sqrt() + 10.0) as usize;
        let mut counts = vec![0usize; hi + 1];
        let mut sum = 0.0;
        for _ in 0..n {
            let k = (r.poisson(mean) as usize).min(hi);
            counts[k] += 1;
            sum += k as f64;
        }
        let m = sum / n as f64;
        // Mean within 5 SE.
        assert!(
            (m - mean).abs() < 5.0 * (mean / n as f64).sqrt(),
            "mean {m} vs {mean}"
        );
        // Pool cells from the left until each expects ≥ 5.
        let (mut chi, mut cells, mut obs, mut exp, mut prev) = (0.0, 0usize, 0.0, 0.0, 0.0);
        for (k, &c) in counts.iter().enumerate() {
            let cdf = if k == hi {
                1.0
            } else {
                poisson_cdf(k as u64, mean)
            };
            obs += c as f64;
            exp += (cdf - prev) * n as f64;
            prev = cdf;
            if exp >= 5.0 && (k == hi || (1.0 - cdf) * n as f64 >= 5.0) {
                chi += (obs - exp).powi(2) / exp;
                cells += 1;
                obs = 0.0;
                exp = 0.0;
            }
        }
        if exp > 0.0 {
            chi += (obs - exp).powi(2) / exp;
            cells += 1;
        }
        (chi, cells - 1)
    }

    #[test]
    fn poisson_sampler_fits_the_pmf_for_small_and_large_means() {
        for (i, mean) in [0.3, 2.5, 9.9, 10.0, 12.5, 40.0, 150.0, 2000.0]
            .into_iter()
            .enumerate()
        {
            let (chi, df) = poisson_chi_square(mean, 200_000, 11 + i as u64);
            // χ² 99.99 % quantile ≈ df + 3.72·√(2df) + 14 (generous; a wrong sampler is far off).
            let bound = df as f64 + 3.72 * (2.0 * df as f64).sqrt() + 14.0;
            assert!(chi < bound, "mean {mean}: χ² {chi} on {df} df");
        }
        let mut r = Rng::new(5);
        assert_eq!(r.poisson(0.0), 0);
        assert_eq!(r.poisson(f64::NAN), 0);
    }

    #[test]
    fn exponential_has_the_right_mean() {
        let mut r = Rng::new(3);
        let n = 200_000;
        let m = (0..n).map(|_| r.exponential(2.0)).sum::<f64>() / n as f64;
        assert!((m - 2.0).abs() < 5.0 * 2.0 / (n as f64).sqrt());
    }
}
