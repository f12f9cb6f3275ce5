//! Differences and ratios of two estimates (`methods.md` §1.8).

use super::proportion::{clopper_pearson, wilson};
use super::{Confidence, Dsr, Estimate, StatsError, positive};

fn check(x: u64, n: u64) -> Result<f64, StatsError> {
    if n == 0 {
        return Err(StatsError::ZeroDenominator);
    }
    if x > n {
        return Err(StatsError::CountExceedsDenominator {
            count: x,
            denominator: n,
        });
    }
    Ok(x as f64 / n as f64)
}

/// Wald interval for `p1 − p2`: `SE = √(p1(1−p1)/n1 + p2(1−p2)/n2)`.
pub fn difference_of_proportions_wald(
    x1: u64,
    n1: u64,
    x2: u64,
    n2: u64,
    conf: Confidence,
) -> Result<Estimate, StatsError> {
    let (p1, p2) = (check(x1, n1)?, check(x2, n2)?);
    let se = (p1 * (1.0 - p1) / n1 as f64 + p2 * (1.0 - p2) / n2 as f64).sqrt();
    let d = p1 - p2;
    let h = conf.z() * se;
    Ok(Estimate {
        value: d,
        lower: d - h,
        upper: d + h,
    })
}

/// Newcombe's hybrid score interval for `p1 − p2` (1998b, method 10) from the Wilson limits:
/// `L = d − √((p1 − l1)² + (u2 − p2)²)`, `U = d + √((u1 − p1)² + (p2 − l2)²)`.
pub fn difference_of_proportions_newcombe(
    x1: u64,
    n1: u64,
    x2: u64,
    n2: u64,
    conf: Confidence,
) -> Result<Estimate, StatsError> {
    let (p1, p2) = (check(x1, n1)?, check(x2, n2)?);
    let (w1, w2) = (wilson(x1, n1, conf)?, wilson(x2, n2, conf)?);
    let d = p1 - p2;
    Ok(Estimate {
        value: d,
        lower: d - ((p1 - w1.lower).powi(2) + (w2.upper - p2).powi(2)).sqrt(),
        upper: d + ((w1.upper - p1).powi(2) + (p2 - w2.lower).powi(2)).sqrt(),
    })
}

/// Rate ratio `(O1/N1)/(O2/N2)` with the log-normal interval, `SE(ln RR) = √(1/O1 + 1/O2)`.
/// Undefined if either count is 0.
pub fn rate_ratio_log_normal(
    o1: u64,
    n1: f64,
    o2: u64,
    n2: f64,
    conf: Confidence,
) -> Result<Estimate, StatsError> {
    let (n1, n2) = (positive("n1", n1)?, positive("n2", n2)?);
    if o1 == 0 || o2 == 0 {
        return Err(StatsError::Undefined(
            "the log-normal rate ratio needs both counts > 0",
        ));
    }
    let rr = (o1 as f64 / n1) / (o2 as f64 / n2);
    let h = conf.z() * (1.0 / o1 as f64 + 1.0 / o2 as f64).sqrt();
    Ok(Estimate {
        value: rr,
        lower: rr * (-h).exp(),
        upper: rr * h.exp(),
    })
}

/// Rate ratio with the exact conditional interval: `O1 | O1 + O2 ~ Bin(O1 + O2, π)`,
/// Clopper–Pearson for π, `RR = π/(1 − π) · N2/N1` (upper limit +∞ when O2 = 0).
pub fn rate_ratio_exact(
    o1: u64,
    n1: f64,
    o2: u64,
    n2: f64,
    conf: Confidence,
) -> Result<Estimate, StatsError> {
    let (n1, n2) = (positive("n1", n1)?, positive("n2", n2)?);
    let total = o1 + o2;
    if total == 0 {
        return Err(StatsError::Undefined(
            "the rate ratio needs at least one event",
        ));
    }
    let ci = clopper_pearson(o1, total, conf)?;
    let to_rr = |p: f64| {
        if p >= 1.0 {
            f64::INFINITY
        } else {
            p / (1.0 - p) * n2 / n1
        }
    };
    let value = if o2 == 0 {
        f64::INFINITY
    } else {
        (o1 as f64 / n1) / (o2 as f64 / n2)
    };
    Ok(Estimate {
        value,
        lower: to_rr(ci.lower),
        upper: to_rr(ci.upper),
    })
}

/// Difference of two directly standardised rates with `SE = √(Var1 + Var2)` (normal interval).
pub fn difference_of_dsrs(a: &Dsr, b: &Dsr, conf: Confidence) -> Estimate {
    let d = a.value - b.value;
    let h = conf.z() * (a.variance + b.variance).sqrt();
    Estimate {
        value: d,
        lower: d - h,
        upper: d + h,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::testutil::assert_rel;

    #[test]
    fn differences_of_proportions() {
        let w = difference_of_proportions_wald(65, 100, 45, 100, Confidence::P95).unwrap();
        assert_rel(w.value, 0.2, 1e-12);
        assert_rel(
            (w.upper - w.value) / Confidence::P95.z(),
            0.068_920_243_76,
            1e-9,
        );
        assert_rel(w.lower, 0.064_918_804_42, 1e-9);
        assert_rel(w.upper, 0.335_081_195_6, 1e-9);
        let n = difference_of_proportions_newcombe(65, 100, 45, 100, Confidence::P95).unwrap();
        assert_rel(n.lower, 0.062_107_416_4, 1e-9);
        assert_rel(n.upper, 0.327_539_447_1, 1e-9);
        assert!(difference_of_proportions_wald(1, 0, 1, 2, Confidence::P95).is_err());
    }

    #[test]
    fn rate_ratios() {
        let l = rate_ratio_log_normal(120, 50_000.0, 90, 60_000.0, Confidence::P95).unwrap();
        assert_rel(l.value, 1.6, 1e-12);
        assert_rel(l.lower, 1.217_378_418, 1e-9);
        assert_rel(l.upper, 2.102_879_401, 1e-9);
        let e = rate_ratio_exact(120, 50_000.0, 90, 60_000.0, Confidence::P95).unwrap();
        assert_rel(e.lower, 1.207_250_002, 1e-9);
        assert_rel(e.upper, 2.126_916_3, 1e-9);
        assert!(rate_ratio_log_normal(0, 1.0, 3, 1.0, Confidence::P95).is_err());
        let e = rate_ratio_exact(3, 1.0, 0, 1.0, Confidence::P95).unwrap();
        assert_eq!(e.upper, f64::INFINITY);
        assert!(rate_ratio_exact(0, 1.0, 0, 1.0, Confidence::P95).is_err());
    }

    #[test]
    fn difference_of_phe_dsrs() {
        // methods.md §1.8: big − small with the §1.7 values.
        let big = Dsr {
            value: 0.104_302_479_914_694,
            variance: 1.365_661_9e-5,
            total_events: 895,
            max_weight: 0.0,
            mean_weight: 0.0,
            mean_weight_sq: 0.0,
        };
        let small = Dsr {
            value: 0.011_032_120_253_001,
            variance: 1.474_634_965e-6,
            total_events: 91,
            ..big
        };
        let d = difference_of_dsrs(&big, &small, Confidence::P95).scaled(1e5);
        assert_rel(d.value, 9_327.035_966, 1e-9);
        assert_rel(
            (d.upper - d.value) / Confidence::P95.z(),
            388.989_125_3,
            1e-7,
        );
        assert_rel(d.lower, 8_564.631_29, 1e-8);
        assert_rel(d.upper, 10_089.440_64, 1e-8);
    }
}
