//! Means, e.g. mean length of stay (`methods.md` §1.8).

use serde::{Deserialize, Serialize};

use super::special::t_quantile;
use super::{Confidence, Estimate, StatsError};

/// A mean with its interval and the ingredients.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct MeanEstimate {
    /// Value and limits.
    pub estimate: Estimate,
    /// Number of observations (patients for [`ratio_mean`]).
    pub n: u64,
    /// Standard error (on the log scale for [`geometric_mean_t`]).
    pub standard_error: f64,
}

fn finite(values: &[f64]) -> Result<(), StatsError> {
    match values.iter().find(|v| !v.is_finite()) {
        Some(&v) => Err(StatsError::invalid("observation", "finite", v)),
        None => Ok(()),
    }
}

fn mean_sd(values: &[f64]) -> (f64, f64) {
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    let ss: f64 = values.iter().map(|v| (v - mean) * (v - mean)).sum();
    (mean, (ss / (n - 1.0)).sqrt())
}

/// Student t interval from summary statistics: `mean ± t_{n−1, 1−α/2} sd/√n` (PHE `phe_mean`;
/// `sd` with divisor n − 1). Needs n ≥ 2.
pub fn t_interval(
    n: u64,
    mean: f64,
    sd: f64,
    conf: Confidence,
) -> Result<MeanEstimate, StatsError> {
    if n < 2 {
        return Err(StatsError::TooFew(
            "at least two observations for a t interval",
        ));
    }
    if !mean.is_finite() {
        return Err(StatsError::invalid("mean", "finite", mean));
    }
    if !(sd.is_finite() && sd >= 0.0) {
        return Err(StatsError::invalid("sd", "finite and ≥ 0", sd));
    }
    let nf = n as f64;
    let se = sd / nf.sqrt();
    let h = t_quantile(conf.upper_tail(), nf - 1.0) * se;
    Ok(MeanEstimate {
        estimate: Estimate {
            value: mean,
            lower: mean - h,
            upper: mean + h,
        },
        n,
        standard_error: se,
    })
}

/// Arithmetic mean with the Student t interval (§1.8; PHE `phe_mean`).
pub fn mean_t(values: &[f64], conf: Confidence) -> Result<MeanEstimate, StatsError> {
    finite(values)?;
    if values.len() < 2 {
        return Err(StatsError::TooFew(
            "at least two observations for a t interval",
        ));
    }
    let (mean, sd) = mean_sd(values);
    t_interval(values.len() as u64, mean, sd, conf)
}

/// Geometric mean `exp(mean(ln x))` with the t interval on the log scale, back-transformed
/// (§1.8 (b)); all values must be > 0. `standard_error` is SE(ln).
pub fn geometric_mean_t(values: &[f64], conf: Confidence) -> Result<MeanEstimate, StatsError> {
    finite(values)?;
    if let Some(&v) = values.iter().find(|&&v| v <= 0.0) {
        return Err(StatsError::invalid(
            "observation",
            "> 0 for a geometric mean",
            v,
        ));
    }
    let logs: Vec<f64> = values.iter().map(|v| v.ln()).collect();
    let m = mean_t(&logs, conf)?;
    let e = m.estimate;
    Ok(MeanEstimate {
        estimate: Estimate {
            value: e.value.exp(),
            lower: e.lower.exp(),
            upper: e.upper.exp(),
        },
        ..m
    })
}

/// Mean length of stay as the ratio `R = Σb_i / Σk_i` (bed-days over discharges) with patients
/// as clusters, linearisation variance `Var(R) = Σ(b_i − R k_i)² / ((n − 1) n k̄²)` (Cochran
/// 1977, ch. 6) and a normal interval (§1.8 (c)).
pub fn ratio_mean(
    discharges: &[f64],
    bed_days: &[f64],
    conf: Confidence,
) -> Result<MeanEstimate, StatsError> {
    if discharges.len() != bed_days.len() {
        return Err(StatsError::LengthMismatch);
    }
    finite(discharges)?;
    finite(bed_days)?;
    if discharges.len() < 2 {
        return Err(StatsError::TooFew("at least two patients"));
    }
    let n = discharges.len() as f64;
    let sk: f64 = discharges.iter().sum();
    if sk <= 0.0 {
        return Err(StatsError::ZeroDenominator);
    }
    let r = bed_days.iter().sum::<f64>() / sk;
    let kbar = sk / n;
    let ss: f64 = discharges
        .iter()
        .zip(bed_days)
        .map(|(k, b)| (b - r * k) * (b - r * k))
        .sum();
    let se = (ss / (n - 1.0) / (n * kbar * kbar)).sqrt();
    let h = conf.z() * se;
    Ok(MeanEstimate {
        estimate: Estimate {
            value: r,
            lower: r - h,
            upper: r + h,
        },
        n: discharges.len() as u64,
        standard_error: se,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::testutil::assert_rel;

    const LOS: [f64; 12] = [
        1.0, 2.0, 2.0, 3.0, 3.0, 4.0, 5.0, 6.0, 8.0, 12.0, 15.0, 30.0,
    ];

    #[test]
    fn mean_los_t_interval() {
        let m = mean_t(&LOS, Confidence::P95).unwrap();
        assert_rel(m.estimate.value, 7.583_333_333, 1e-9);
        assert_rel(m.standard_error, 2.378_751_689, 1e-9);
        assert_rel(m.standard_error * 12f64.sqrt(), 8.240_237_566, 1e-9);
        assert_rel(m.estimate.lower, 2.347_736_167, 1e-9);
        assert_rel(m.estimate.upper, 12.818_930_5, 1e-9);
    }

    #[test]
    fn geometric_mean_los() {
        let m = geometric_mean_t(&LOS, Confidence::P95).unwrap();
        assert_rel(m.estimate.value, 4.889_306_816, 1e-9);
        assert_rel(m.standard_error, 0.278_973_676_1, 1e-9);
        assert_rel(m.estimate.lower, 2.645_959_123, 1e-9);
        assert_rel(m.estimate.upper, 9.034_652_476, 1e-9);
        assert!(geometric_mean_t(&[1.0, 0.0], Confidence::P95).is_err());
    }

    #[test]
    fn ratio_mean_los() {
        let k = [1.0, 1.0, 2.0, 1.0, 3.0, 1.0, 1.0, 2.0, 1.0, 1.0];
        let b = [3.0, 5.0, 9.0, 2.0, 20.0, 4.0, 6.0, 7.0, 1.0, 12.0];
        let m = ratio_mean(&k, &b, Confidence::P95).unwrap();
        assert_rel(m.estimate.value, 4.928_571_429, 1e-9);
        assert_rel(m.standard_error, 0.810_352_288_6, 1e-9);
        assert_rel(m.estimate.lower, 3.340_310_128, 1e-9);
        assert_rel(m.estimate.upper, 6.516_832_729, 1e-9);
        assert_eq!(
            ratio_mean(&k, &b[..3], Confidence::P95),
            Err(StatsError::LengthMismatch)
        );
    }

    #[test]
    fn too_few_or_invalid() {
        assert!(mean_t(&[3.0], Confidence::P95).is_err());
        assert!(mean_t(&[], Confidence::P95).is_err());
        assert!(mean_t(&[1.0, f64::NAN], Confidence::P95).is_err());
        assert!(t_interval(1, 2.0, 1.0, Confidence::P95).is_err());
        let m = t_interval(2, 2.0, 0.0, Confidence::P95).unwrap();
        assert_eq!((m.estimate.lower, m.estimate.upper), (2.0, 2.0));
    }
}
