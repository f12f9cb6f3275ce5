//! Deterministic random streams and the few distributions the generator needs.
//!
//! Every random decision is drawn from a ChaCha8 stream whose seed is derived from the run's seed
//! and a fixed path of labels (`[CARE, region, person]`, …). Streams never depend on thread
//! scheduling or on how many other streams were used, so the same seed and options always give
//! the same bytes, and adding draws in one stream does not shift any other.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// The random stream type.
pub(crate) type Stream = ChaCha8Rng;

/// Labels of the top-level stream families.
pub(crate) mod tag {
    pub const POPULATION: u64 = 1;
    pub const BIRTHS: u64 = 2;
    pub const ATTRIBUTES: u64 = 3;
    pub const CARE: u64 = 4;
    pub const VISITORS: u64 = 5;
    pub const DEFECTS: u64 = 6;
    pub const FORMS: u64 = 7;
    pub const BEDS: u64 = 8;
    /// Who joins the mobile team and when (`crate::mobile`).
    pub const MOBILE_JOIN: u64 = 9;
    /// Which emergency stays of a joiner the mobile team avoids.
    pub const MOBILE_AVOIDED: u64 = 10;
    /// Time and staff of the mobile team's home visits.
    pub const MOBILE_VISITS: u64 = 11;
}

fn splitmix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = x;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A 64-bit hash of the seed and labels (also used for cheap per-row choices).
pub(crate) fn hash(seed: u64, labels: &[u64]) -> u64 {
    let mut h = splitmix(seed ^ 0x5EED_5EED_5EED_5EED);
    for &l in labels {
        h = splitmix(h ^ splitmix(l));
    }
    h
}

/// The stream for `labels` under `seed`.
pub(crate) fn stream(seed: u64, labels: &[u64]) -> Stream {
    let h = hash(seed, labels);
    let mut bytes = [0u8; 32];
    for (i, chunk) in bytes.chunks_exact_mut(8).enumerate() {
        chunk.copy_from_slice(
            &splitmix(h ^ (i as u64).wrapping_mul(0xA24B_AED4_963E_E407)).to_le_bytes(),
        );
    }
    ChaCha8Rng::from_seed(bytes)
}

/// `true` with probability `p`.
pub(crate) fn chance(rng: &mut Stream, p: f64) -> bool {
    p > 0.0 && rng.random::<f64>() < p
}

/// Uniform in `[0, 1)`.
pub(crate) fn uniform(rng: &mut Stream) -> f64 {
    rng.random::<f64>()
}

/// Uniform integer in `lo..hi` (`lo` if the range is empty).
pub(crate) fn range(rng: &mut Stream, lo: i64, hi: i64) -> i64 {
    if hi <= lo {
        lo
    } else {
        rng.random_range(lo..hi)
    }
}

/// Standard normal (Box–Muller).
pub(crate) fn normal(rng: &mut Stream) -> f64 {
    let u1 = 1.0 - rng.random::<f64>();
    let u2 = rng.random::<f64>();
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

/// Log-normal with the given median and log-scale standard deviation.
pub(crate) fn lognormal(rng: &mut Stream, median: f64, sigma: f64) -> f64 {
    median * (sigma * normal(rng)).exp()
}

/// Exponential with the given mean.
pub(crate) fn exponential(rng: &mut Stream, mean: f64) -> f64 {
    -mean * (1.0 - rng.random::<f64>()).ln()
}

/// Poisson with mean `lambda` (inversion for small means, a rounded normal for large ones).
pub(crate) fn poisson(rng: &mut Stream, lambda: f64) -> u32 {
    if lambda <= 0.0 {
        return 0;
    }
    if lambda < 40.0 {
        let mut p = (-lambda).exp();
        let mut cdf = p;
        let u = rng.random::<f64>();
        let mut k = 0u32;
        while u > cdf && k < 1000 {
            k += 1;
            p *= lambda / f64::from(k);
            cdf += p;
        }
        k
    } else {
        let x = lambda + lambda.sqrt() * normal(rng);
        x.round().max(0.0) as u32
    }
}

/// Index drawn with probability proportional to `weights` (the last index if all are zero).
pub(crate) fn weighted(rng: &mut Stream, weights: &[f64]) -> usize {
    let total: f64 = weights.iter().sum();
    let mut x = rng.random::<f64>() * total;
    for (i, &w) in weights.iter().enumerate() {
        if x < w {
            return i;
        }
        x -= w;
    }
    weights.len().saturating_sub(1)
}

/// Index from a cumulative table (`cum` ascending, last = total).
pub(crate) fn from_cumulative(rng: &mut Stream, cum: &[f64]) -> usize {
    let total = cum.last().copied().unwrap_or(0.0);
    let x = rng.random::<f64>() * total;
    cum.partition_point(|&c| c <= x)
        .min(cum.len().saturating_sub(1))
}

/// The inverse of the standard normal CDF (Acklam's rational approximation, |error| < 1.2e-9).
pub(crate) fn normal_quantile(p: f64) -> f64 {
    let p = p.clamp(1e-12, 1.0 - 1e-12);
    const A: [f64; 6] = [
        -3.969_683_028_665_376e1,
        2.209_460_984_245_205e2,
        -2.759_285_104_469_687e2,
        1.383_577_518_672_69e2,
        -3.066_479_806_614_716e1,
        2.506_628_277_459_239,
    ];
    const B: [f64; 5] = [
        -5.447_609_879_822_406e1,
        1.615_858_368_580_409e2,
        -1.556_989_798_598_866e2,
        6.680_131_188_771_972e1,
        -1.328_068_155_288_572e1,
    ];
    const C: [f64; 6] = [
        -7.784_894_002_430_293e-3,
        -3.223_964_580_411_365e-1,
        -2.400_758_277_161_838,
        -2.549_732_539_343_734,
        4.374_664_141_464_968,
        2.938_163_982_698_783,
    ];
    const D: [f64; 4] = [
        7.784_695_709_041_462e-3,
        3.224_671_290_700_398e-1,
        2.445_134_137_142_996,
        3.754_408_661_907_416,
    ];
    let low = 0.02425;
    if p < low {
        let q = (-2.0 * p.ln()).sqrt();
        (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
            / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
    } else if p <= 1.0 - low {
        let q = p - 0.5;
        let r = q * q;
        (((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q
            / (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1.0)
    } else {
        let q = (-2.0 * (1.0 - p).ln()).sqrt();
        -(((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
            / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_are_reproducible_and_distinct() {
        let a: Vec<u64> = (0..4).map(|_| stream(7, &[1, 2]).random()).collect();
        assert!(a.windows(2).all(|w| w[0] == w[1]));
        let b: u64 = stream(7, &[1, 3]).random();
        let c: u64 = stream(8, &[1, 2]).random();
        assert_ne!(a[0], b);
        assert_ne!(a[0], c);
    }

    #[test]
    fn poisson_mean_is_right() {
        let mut rng = stream(1, &[]);
        for lambda in [0.3, 4.0, 120.0] {
            let n = 20_000;
            let sum: u64 = (0..n).map(|_| u64::from(poisson(&mut rng, lambda))).sum();
            let mean = sum as f64 / n as f64;
            assert!((mean / lambda - 1.0).abs() < 0.05, "{lambda}: {mean}");
        }
    }

    #[test]
    fn normal_quantile_matches_known_values() {
        assert!((normal_quantile(0.5)).abs() < 1e-9);
        assert!((normal_quantile(0.975) - 1.959_964).abs() < 1e-5);
        assert!((normal_quantile(0.05) + 1.644_854).abs() < 1e-5);
    }
}
