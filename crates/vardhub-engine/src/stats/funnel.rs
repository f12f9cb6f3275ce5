//! Funnel-plot control limits around a target (`methods.md` §3.1–§3.3) and the flag
//! "significantly better/worse than Sweden".
//!
//! Choice documented per §3.1: the interpolated exact limit is `(r_p − α)/n` for *both* tails
//! (Spiegelhalter 2005 as implemented in the R packages), not the Winton Centre variant
//! `(r_p + 1 − α)/n` for the upper limit.

use serde::{Deserialize, Serialize};

use super::poisson::{CountMethod, count_interval, garwood};
use super::special::{
    binomial_cdf, binomial_pmf, binomial_quantile, gamma_p_inv, gamma_q_inv, poisson_cdf,
    poisson_pmf, poisson_quantile,
};
use super::{Confidence, Direction, Interval, StatsError, positive, probability};

/// One interpolated exact limit with its ingredients (§3.1).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct FunnelLimit {
    /// The limit `(r_p − α)/n` (binomial: truncated to [0, 1]; Poisson: at least 0).
    pub limit: f64,
    /// `r_p = min{r : F(r) ≥ p}`.
    pub r_p: u64,
    /// `α = (F(r_p) − p)/(F(r_p) − F(r_p − 1))`.
    pub alpha: f64,
}

fn tail(name: &'static str, p: f64) -> Result<f64, StatsError> {
    if p > 0.0 && p < 1.0 {
        Ok(p)
    } else {
        Err(StatsError::invalid(name, "in (0, 1)", p))
    }
}

/// Spiegelhalter's exact binomial limit with interpolation for tail probability `p` around
/// `theta0` at denominator `n` (§3.1).
pub fn binomial_funnel_limit(n: u64, theta0: f64, p: f64) -> Result<FunnelLimit, StatsError> {
    if n == 0 {
        return Err(StatsError::ZeroDenominator);
    }
    probability("theta0", theta0)?;
    tail("tail probability", p)?;
    let r = binomial_quantile(p, n, theta0);
    let f_r = binomial_cdf(r, n, theta0);
    // F(r) − F(r − 1) is the probability mass at r (F(−1) = 0).
    let mass = binomial_pmf(r, n, theta0);
    let alpha = if mass > 0.0 { (f_r - p) / mass } else { 0.0 };
    let limit = ((r as f64 - alpha) / n as f64).clamp(0.0, 1.0);
    Ok(FunnelLimit {
        limit,
        r_p: r,
        alpha,
    })
}

/// Exact interpolated binomial limits at `conf` (tails α/2 and 1 − α/2), truncated to [0, 1].
pub fn binomial_funnel_limits(
    n: u64,
    theta0: f64,
    conf: Confidence,
) -> Result<Interval, StatsError> {
    Ok(Interval {
        lower: binomial_funnel_limit(n, theta0, conf.lower_tail())?.limit,
        upper: binomial_funnel_limit(n, theta0, conf.upper_tail())?.limit,
    })
}

/// Normal-approximation limits `θ0 ± z√(θ0(1 − θ0)/n)` (§3.2), *not* truncated (PHE truncates
/// at 0 and 1; use [`Interval::clamped`] to draw them). Identical to PHE's "Wilson" funnel.
pub fn normal_funnel_limits(n: f64, theta0: f64, conf: Confidence) -> Result<Interval, StatsError> {
    let n = positive("n", n)?;
    probability("theta0", theta0)?;
    let h = conf.z() * (theta0 * (1.0 - theta0) / n).sqrt();
    Ok(Interval {
        lower: theta0 - h,
        upper: theta0 + h,
    })
}

/// Spiegelhalter's interpolated Poisson limit for a standardised ratio O/E: Poisson with mean
/// `E·target`, limit `(r_p − α)/E` (§3.1, last paragraph; §3.3 (a)).
pub fn poisson_funnel_limit(expected: f64, target: f64, p: f64) -> Result<FunnelLimit, StatsError> {
    let e = positive("expected", expected)?;
    let t = positive("target", target)?;
    tail("tail probability", p)?;
    let mu = e * t;
    let r = poisson_quantile(p, mu);
    let f_r = poisson_cdf(r, mu);
    let mass = poisson_pmf(r, mu);
    let alpha = if mass > 0.0 { (f_r - p) / mass } else { 0.0 };
    Ok(FunnelLimit {
        limit: ((r as f64 - alpha) / e).max(0.0),
        r_p: r,
        alpha,
    })
}

/// Spiegelhalter's interpolated Poisson limits at `conf` for a ratio with target `target`.
pub fn poisson_funnel_limits(
    expected: f64,
    target: f64,
    conf: Confidence,
) -> Result<Interval, StatsError> {
    Ok(Interval {
        lower: poisson_funnel_limit(expected, target, conf.lower_tail())?.limit,
        upper: poisson_funnel_limit(expected, target, conf.upper_tail())?.limit,
    })
}

/// FunnelPlotR's unadjusted "Poisson" limits (§3.3 (b)):
/// `χ²_{α/2}(2E)/(2E)` and `χ²_{1−α/2}(2E + 2)/(2E)`, times `target`.
pub fn chi_square_funnel_limits(
    expected: f64,
    target: f64,
    conf: Confidence,
) -> Result<Interval, StatsError> {
    let e = positive("expected", expected)?;
    let t = positive("target", target)?;
    let a = conf.lower_tail();
    Ok(Interval {
        lower: gamma_p_inv(e, a) / e * t,
        upper: gamma_q_inv(e + 1.0, a) / e * t,
    })
}

/// PHE ratio/rate funnel limits at observed count O (§3.3 (c)): `O/O_U` and `O/O_L` with
/// Garwood's limits of O. For O = 0 the limits are 0 and +∞.
pub fn phe_ratio_funnel_limits(observed: u64, conf: Confidence) -> Interval {
    if observed == 0 {
        return Interval {
            lower: 0.0,
            upper: f64::INFINITY,
        };
    }
    let g = garwood(observed, conf);
    let o = observed as f64;
    Interval {
        lower: o / g.upper,
        upper: o / g.lower,
    }
}

/// Log-scale normal limits for a ratio (SHMI, §3.3 (d)): `exp(±z/√E)`.
pub fn log_normal_ratio_limits(expected: f64, conf: Confidence) -> Result<Interval, StatsError> {
    let h = conf.z() / positive("expected", expected)?.sqrt();
    Ok(Interval {
        lower: (-h).exp(),
        upper: h.exp(),
    })
}

/// Square-root-scale normal limits for a ratio (CQC, §3.3 (d)): `1 ± z/(2√E)`.
pub fn sqrt_normal_ratio_limits(expected: f64, conf: Confidence) -> Result<Interval, StatsError> {
    let h = conf.z() / (2.0 * positive("expected", expected)?.sqrt());
    Ok(Interval {
        lower: 1.0 - h,
        upper: 1.0 + h,
    })
}

/// A unit's position relative to the funnel around the national value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Significance {
    /// Outside the limits on the good side ("signifikant bättre än riket").
    SignificantlyBetter,
    /// Outside the limits on the bad side ("signifikant sämre än riket").
    SignificantlyWorse,
    /// Within the limits (limits included), or the exact test does not reject.
    NotSignificant,
    /// The exact test cannot reach significance on the side the value lies at this number of
    /// cases (see [`super::exact`]): no flag can be given either way.
    CannotBeAssessed,
}

impl Significance {
    /// Swedish label.
    pub fn label_sv(self) -> &'static str {
        match self {
            Significance::SignificantlyBetter => "Signifikant bättre än riket",
            Significance::SignificantlyWorse => "Signifikant sämre än riket",
            Significance::NotSignificant => "Ingen signifikant skillnad mot riket",
            Significance::CannotBeAssessed => "Kan inte bedömas – för få fall för ett test",
        }
    }

    /// English label.
    pub fn label_en(self) -> &'static str {
        match self {
            Significance::SignificantlyBetter => "Significantly better than Sweden",
            Significance::SignificantlyWorse => "Significantly worse than Sweden",
            Significance::NotSignificant => "Not significantly different from Sweden",
            Significance::CannotBeAssessed => "Cannot be assessed – too few cases for a test",
        }
    }
}

/// The flag at both conventional levels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct FunnelFlags {
    /// Against the 95 % limits.
    pub at_95: Significance,
    /// Against the 99.8 % limits.
    pub at_998: Significance,
}

/// Classify `value` against `limits`: strictly above the upper limit is "high", strictly below
/// the lower "low" (PHE `assign_funnel_significance`); `direction` turns high/low into
/// better/worse.
pub fn classify(value: f64, limits: Interval, direction: Direction) -> Significance {
    let (high, low) = match direction {
        Direction::HigherIsBetter => (
            Significance::SignificantlyBetter,
            Significance::SignificantlyWorse,
        ),
        Direction::LowerIsBetter => (
            Significance::SignificantlyWorse,
            Significance::SignificantlyBetter,
        ),
    };
    if value > limits.upper {
        high
    } else if value < limits.lower {
        low
    } else {
        Significance::NotSignificant
    }
}

/// Funnel method for proportions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProportionFunnel {
    /// Exact binomial with interpolation (§3.1) — the hub's default.
    ExactBinomial,
    /// Normal approximation (§3.2, PHE).
    Normal,
}

/// "Significantly better/worse than Sweden" for a proportion `x/n` against the national value.
pub fn classify_proportion(
    x: u64,
    n: u64,
    national: f64,
    direction: Direction,
    method: ProportionFunnel,
) -> Result<FunnelFlags, StatsError> {
    if n == 0 {
        return Err(StatsError::ZeroDenominator);
    }
    if x > n {
        return Err(StatsError::CountExceedsDenominator {
            count: x,
            denominator: n,
        });
    }
    let value = x as f64 / n as f64;
    let limits = |conf| match method {
        ProportionFunnel::ExactBinomial => binomial_funnel_limits(n, national, conf),
        ProportionFunnel::Normal => normal_funnel_limits(n as f64, national, conf),
    };
    Ok(FunnelFlags {
        at_95: classify(value, limits(Confidence::P95)?, direction),
        at_998: classify(value, limits(Confidence::P998)?, direction),
    })
}

/// Funnel method for standardised ratios and rates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RatioFunnel {
    /// Spiegelhalter's interpolated Poisson limits (§3.3 (a)) — the hub's default.
    ExactPoisson,
    /// FunnelPlotR's χ² limits (§3.3 (b)).
    ChiSquare,
    /// PHE: the unit's exact (O < 10) or Byar interval of O/E compared with 1 (§3.3 (c)).
    PheInterval,
}

/// "Significantly better/worse than Sweden" for a standardised ratio O/E (target 1).
pub fn classify_ratio(
    observed: u64,
    expected: f64,
    direction: Direction,
    method: RatioFunnel,
) -> Result<FunnelFlags, StatsError> {
    let e = positive("expected", expected)?;
    let value = observed as f64 / e;
    let flag = |conf: Confidence| -> Result<Significance, StatsError> {
        Ok(match method {
            RatioFunnel::ExactPoisson => {
                classify(value, poisson_funnel_limits(e, 1.0, conf)?, direction)
            }
            RatioFunnel::ChiSquare => {
                classify(value, chi_square_funnel_limits(e, 1.0, conf)?, direction)
            }
            RatioFunnel::PheInterval => {
                let (ci, _) = count_interval(observed, conf, CountMethod::Phe)?;
                // The ratio's interval lies entirely above (below) 1 ⇔ 1 is below (above) it.
                let flipped = classify(1.0, ci.scaled(1.0 / e), direction);
                match flipped {
                    Significance::SignificantlyBetter => Significance::SignificantlyWorse,
                    Significance::SignificantlyWorse => Significance::SignificantlyBetter,
                    other => other,
                }
            }
        })
    };
    Ok(FunnelFlags {
        at_95: flag(Confidence::P95)?,
        at_998: flag(Confidence::P998)?,
    })
}

/// "Significantly better/worse than Sweden" for a crude rate `observed / person_time` against
/// the national rate: the ratio to `E = national_rate × person_time` (§3.3, last bullet).
pub fn classify_rate(
    observed: u64,
    person_time: f64,
    national_rate: f64,
    direction: Direction,
    method: RatioFunnel,
) -> Result<FunnelFlags, StatsError> {
    let e = positive("person_time", person_time)? * positive("national_rate", national_rate)?;
    classify_ratio(observed, e, direction, method)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::testutil::assert_rel;

    /// methods.md §3.1: n, then (limit, r_p, α) for tails 0.001, 0.025, 0.975, 0.999, then the
    /// normal limits 99.8 % L, 95 % L, 95 % U, 99.8 % U; θ0 = 0.10.
    type ExactRow = [(f64, u64, f64); 4];
    #[rustfmt::skip]
    const BINOMIAL: &[(u64, ExactRow, [f64; 4])] = &[
        (20, [(0.0, 0, 0.9917747367), (0.0, 0, 0.7943684165), (0.228467607, 5, 0.4306478594), (0.3351718217, 7, 0.2965635663)],
            [-0.1072990851, -0.03147838109, 0.2314783811, 0.3072990851]),
        (50, [(0.0, 0, 0.8059674783), (0.01386292696, 1, 0.3068536521), (0.1797227276, 9, 0.01386361883), (0.2401284188, 13, 0.9935790624)],
            [-0.03110745315, 0.01684577054, 0.1831542295, 0.2311074531]),
        (100, [(0.01417886501, 2, 0.5821134992), (0.04038059552, 5, 0.9619404476), (0.1577186116, 16, 0.2281388361), (0.1983567185, 20, 0.1643281497)],
            [0.007293030815, 0.04120108046, 0.1587989195, 0.1927069692]),
        (200, [(0.0378515074, 8, 0.4296985196), (0.05769072202, 12, 0.4618555953), (0.1409717144, 29, 0.805657126), (0.1685672639, 34, 0.2865472295)],
            [0.03444627343, 0.05842288527, 0.1415771147, 0.1655537266]),
        (500, [(0.05998868655, 30, 0.005656726154), (0.07344752831, 37, 0.2762358441), (0.1260148989, 64, 0.9925505541), (0.142689313, 72, 0.6553435178)],
            [0.05854018298, 0.07370432378, 0.1262956762, 0.141459817]),
        (1000, [(0.07134084631, 72, 0.6591536874), (0.08127865674, 82, 0.7213432553), (0.1184829265, 119, 0.5170734695), (0.1299178439, 130, 0.08215605314)],
            [0.07068348224, 0.08140614903, 0.118593851, 0.1293165178]),
    ];

    #[test]
    fn binomial_exact_and_normal_limits_match_methods_md() {
        let tails = [0.001, 0.025, 0.975, 0.999];
        for &(n, exact, normal) in BINOMIAL {
            for (&p, &(limit, r, alpha)) in tails.iter().zip(&exact) {
                let got = binomial_funnel_limit(n, 0.1, p).unwrap();
                assert_eq!(got.r_p, r, "n={n} p={p}");
                assert_rel(got.alpha, alpha, 1e-9);
                assert_rel(got.limit, limit, 1e-9);
            }
            let n95 = normal_funnel_limits(n as f64, 0.1, Confidence::P95).unwrap();
            let n998 = normal_funnel_limits(n as f64, 0.1, Confidence::P998).unwrap();
            assert_rel(n998.lower, normal[0], 1e-9);
            assert_rel(n95.lower, normal[1], 1e-9);
            assert_rel(n95.upper, normal[2], 1e-9);
            assert_rel(n998.upper, normal[3], 1e-9);
            let both = binomial_funnel_limits(n, 0.1, Confidence::P998).unwrap();
            assert_rel(both.lower, exact[0].0, 1e-9);
            assert_rel(both.upper, exact[3].0, 1e-9);
        }
    }

    /// methods.md §3.3: E, FunnelPlotR 99.8 % L, 95 % L, 95 % U, 99.8 % U, Spiegelhalter
    /// 0.1 %, 2.5 %, 97.5 %, 99.9 %.
    #[rustfmt::skip]
    const POISSON: &[(f64, [f64; 4], [f64; 4])] = &[
        (15.0, [0.3862650349, 0.5596924089, 1.649347925, 2.082907302], [0.2716038044, 0.4906593251, 1.505544363, 1.855807616]),
        (20.0, [0.4479106634, 0.6108259793, 1.544418895, 1.902094068], [0.3584593554, 0.5602500519, 1.437288434, 1.735676429]),
        (30.0, [0.5289723599, 0.6746958007, 1.42756218, 1.702770806], [0.4692415857, 0.6411043089, 1.357214897, 1.593736824]),
        (50.0, [0.6191793921, 0.7422192747, 1.318375333, 1.51883784], [0.5824563298, 0.72243447, 1.276609834, 1.45502817]),
        (100.0, [0.719213975, 0.8136399125, 1.216267938, 1.349243191], [0.7006528426, 0.8036633712, 1.195808949, 1.318047504]),
    ];

    #[test]
    fn poisson_limits_match_methods_md() {
        for &(e, fpr, sp) in POISSON {
            let c95 = chi_square_funnel_limits(e, 1.0, Confidence::P95).unwrap();
            let c998 = chi_square_funnel_limits(e, 1.0, Confidence::P998).unwrap();
            assert_rel(c998.lower, fpr[0], 1e-9);
            assert_rel(c95.lower, fpr[1], 1e-9);
            assert_rel(c95.upper, fpr[2], 1e-9);
            assert_rel(c998.upper, fpr[3], 1e-9);
            for (&p, &want) in [0.001, 0.025, 0.975, 0.999].iter().zip(&sp) {
                assert_rel(poisson_funnel_limit(e, 1.0, p).unwrap().limit, want, 1e-9);
            }
        }
        // FunnelPlotR's own test values (7 significant digits).
        let c = chi_square_funnel_limits(20.0, 1.0, Confidence::P95).unwrap();
        assert_rel(c.lower, 0.610_826_0, 1e-6);
        assert_rel(c.upper, 1.544_419, 1e-6);
    }

    #[test]
    fn phe_ratio_funnel_and_normal_transforms() {
        // O/O_U and O/O_L with Garwood's limits (mpmath, 30 digits) …
        let l = phe_ratio_funnel_limits(20, Confidence::P95);
        assert_rel(l.lower, 0.647_492_725_678_813_2, 1e-12);
        assert_rel(l.upper, 1.637_127_486_284_686_5, 1e-12);
        // … and methods.md's 0.6474926614, 1.637127595, which come from PHE's bisection for E*
        // and agree only to about 1e-7.
        assert_rel(l.lower, 0.647_492_661_4, 2e-7);
        assert_rel(l.upper, 1.637_127_595, 2e-7);
        let z = phe_ratio_funnel_limits(0, Confidence::P95);
        assert_eq!((z.lower, z.upper), (0.0, f64::INFINITY));
        let z95 = Confidence::P95.z();
        let l = log_normal_ratio_limits(25.0, Confidence::P95).unwrap();
        assert_rel(l.upper, (z95 / 5.0).exp(), 1e-15);
        let s = sqrt_normal_ratio_limits(25.0, Confidence::P95).unwrap();
        assert_rel(s.lower, 1.0 - z95 / 10.0, 1e-15);
        assert!(log_normal_ratio_limits(0.0, Confidence::P95).is_err());
    }

    #[test]
    fn classification_respects_direction_and_levels() {
        // n = 1000, θ0 = 0.1: 95 % limits ≈ 0.0813–0.1185, 99.8 % ≈ 0.0713–0.1299.
        let up = Direction::HigherIsBetter;
        let down = Direction::LowerIsBetter;
        let m = ProportionFunnel::ExactBinomial;
        let f = classify_proportion(125, 1000, 0.1, up, m).unwrap();
        assert_eq!(f.at_95, Significance::SignificantlyBetter);
        assert_eq!(f.at_998, Significance::NotSignificant);
        let f = classify_proportion(125, 1000, 0.1, down, m).unwrap();
        assert_eq!(f.at_95, Significance::SignificantlyWorse);
        let f = classify_proportion(60, 1000, 0.1, up, m).unwrap();
        assert_eq!(
            f,
            FunnelFlags {
                at_95: Significance::SignificantlyWorse,
                at_998: Significance::SignificantlyWorse
            }
        );
        let f = classify_proportion(100, 1000, 0.1, up, ProportionFunnel::Normal).unwrap();
        assert_eq!(f.at_95, Significance::NotSignificant);
        // Boundaries: x = 0 and x = n are valid; n = 0 is not.
        let f = classify_proportion(0, 10, 0.1, up, m).unwrap();
        assert_eq!(f.at_95, Significance::NotSignificant);
        assert!(classify_proportion(10, 10, 0.1, up, m).is_ok());
        assert_eq!(
            classify_proportion(0, 0, 0.1, up, m),
            Err(StatsError::ZeroDenominator)
        );

        // Ratios: O = 40 vs E = 20 is high at both levels for every method.
        for method in [
            RatioFunnel::ExactPoisson,
            RatioFunnel::ChiSquare,
            RatioFunnel::PheInterval,
        ] {
            let f = classify_ratio(40, 20.0, down, method).unwrap();
            assert_eq!(f.at_998, Significance::SignificantlyWorse, "{method:?}");
            let f = classify_ratio(20, 20.0, down, method).unwrap();
            assert_eq!(f.at_95, Significance::NotSignificant, "{method:?}");
            let f = classify_ratio(0, 20.0, down, method).unwrap();
            assert_eq!(f.at_998, Significance::SignificantlyBetter, "{method:?}");
        }
        // Rate: 30 events in 10 000 person-years vs national 0.0015 (E = 15).
        let f = classify_rate(30, 10_000.0, 0.0015, up, RatioFunnel::ExactPoisson).unwrap();
        assert_eq!(f.at_95, Significance::SignificantlyBetter);
        assert!(classify_rate(3, 0.0, 0.1, up, RatioFunnel::ChiSquare).is_err());
    }

    #[test]
    fn significance_serialises_as_snake_case() {
        let s = serde_json::to_string(&Significance::SignificantlyBetter).unwrap();
        assert_eq!(s, "\"significantly_better\"");
        assert!(
            Significance::SignificantlyWorse
                .label_sv()
                .contains("sämre")
        );
    }
}
