//! Confidence intervals for a Poisson count O and crude rates O/n (`methods.md` §1.4–§1.6).

use serde::{Deserialize, Serialize};

use super::special::{gamma_p_inv, gamma_q_inv};
use super::{Confidence, Estimate, Interval, StatsError, positive};

/// PHE/OHID rule (§1.6): exact (Garwood) limits for O below this, Byar's from it on.
pub const PHE_EXACT_BELOW: u64 = 10;

/// How to compute a confidence interval for a count.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CountMethod {
    /// Garwood's exact (χ²) limits for every O (§1.4).
    Exact,
    /// Byar's approximation for every O (§1.5); undefined for O = 0.
    Byar,
    /// PHE/OHID rule (§1.6): exact if O < 10, Byar if O ≥ 10. The hub's default.
    Phe,
}

/// The method actually used for an interval.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CountMethodUsed {
    /// Garwood's exact limits.
    Exact,
    /// Byar's approximation.
    Byar,
}

/// An estimate together with the interval method that produced it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct MethodEstimate {
    /// Value and limits.
    pub estimate: Estimate,
    /// The interval method used.
    pub method: CountMethodUsed,
}

/// Garwood's exact interval for a Poisson count (§1.4):
/// `O_L = ½χ²_{α/2}(2O)` (0 for O = 0), `O_U = ½χ²_{1−α/2}(2O + 2)`.
pub fn garwood(observed: u64, conf: Confidence) -> Interval {
    let o = observed as f64;
    let tail = conf.lower_tail();
    let lower = if observed == 0 {
        0.0
    } else {
        gamma_p_inv(o, tail)
    };
    let upper = gamma_q_inv(o + 1.0, tail);
    Interval { lower, upper }
}

/// Byar's approximation (§1.5):
/// `O_L = O(1 − 1/(9O) − z/(3√O))³`, `O_U = (O+1)(1 − 1/(9(O+1)) + z/(3√(O+1)))³`.
///
/// Like PHE's `byars_lower`, the interval is undefined ([`StatsError::Undefined`]) when O = 0 or
/// the lower limit would be negative (e.g. O = 1 at 99.8 %); use [`CountMethod::Phe`], which
/// takes exact limits for O < 10.
pub fn byar(observed: u64, conf: Confidence) -> Result<Interval, StatsError> {
    if observed == 0 {
        return Err(StatsError::Undefined("Byar's interval needs O > 0"));
    }
    let z = conf.z();
    let o = observed as f64;
    let lo = 1.0 - 1.0 / (9.0 * o) - z / (3.0 * o.sqrt());
    if lo < 0.0 {
        return Err(StatsError::Undefined(
            "Byar's lower limit is negative for this O",
        ));
    }
    let o1 = o + 1.0;
    let hi = 1.0 - 1.0 / (9.0 * o1) + z / (3.0 * o1.sqrt());
    Ok(Interval {
        lower: o * lo * lo * lo,
        upper: o1 * hi * hi * hi,
    })
}

/// An interval for a count with the chosen method, and the method used.
pub fn count_interval(
    observed: u64,
    conf: Confidence,
    method: CountMethod,
) -> Result<(Interval, CountMethodUsed), StatsError> {
    match method {
        CountMethod::Exact => Ok((garwood(observed, conf), CountMethodUsed::Exact)),
        CountMethod::Byar => Ok((byar(observed, conf)?, CountMethodUsed::Byar)),
        CountMethod::Phe if observed < PHE_EXACT_BELOW => {
            Ok((garwood(observed, conf), CountMethodUsed::Exact))
        }
        CountMethod::Phe => Ok((byar(observed, conf)?, CountMethodUsed::Byar)),
    }
}

/// Crude rate `O / person_time` with limits `O_L / person_time`, `O_U / person_time`
/// (PHE `phe_rate`; per person — scale with [`Estimate::scaled`]).
pub fn crude_rate(
    observed: u64,
    person_time: f64,
    conf: Confidence,
    method: CountMethod,
) -> Result<MethodEstimate, StatsError> {
    let n = positive("person_time", person_time)?;
    let (ci, used) = count_interval(observed, conf, method)?;
    Ok(MethodEstimate {
        estimate: Estimate {
            value: observed as f64 / n,
            lower: ci.lower / n,
            upper: ci.upper / n,
        },
        method: used,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::testutil::assert_rel;

    /// methods.md §1.6 "Test vectors – counts": O, conf, Garwood L/U, Byar L/U (NaN = NA).
    #[rustfmt::skip]
    const COUNTS: &[(u64, f64, [f64; 4])] = &[
        (0, 0.95, [0.0, 3.688879454, f64::NAN, f64::NAN]),
        (0, 0.998, [0.0, 6.907755279, f64::NAN, f64::NAN]),
        (1, 0.95, [0.02531780798, 5.571643391, 0.0130721329, 5.563755582]),
        (1, 0.998, [0.001000500334, 9.233413476, f64::NAN, 9.362180218]),
        (2, 0.95, [0.2422092785, 7.224687668, 0.2246252113, 7.220869001]),
        (2, 0.998, [0.04540201777, 11.22887224, 0.02017491116, 11.33847606]),
        (5, 0.95, [1.62348639, 11.66833208, 1.611347716, 11.66816412]),
        (5, 0.998, [0.7393717319, 16.4547452, 0.6913957975, 16.53497339]),
        (9, 0.95, [4.115373097, 17.08480345, 4.106885024, 17.08578069]),
        (9, 0.998, [2.452424404, 22.65737331, 2.407116713, 22.72001477]),
        (10, 0.95, [4.795388696, 18.39035604, 4.787449914, 18.39145861]),
        (10, 0.998, [2.960520373, 24.13397115, 2.916318375, 24.19372493]),
        (20, 0.95, [12.21651959, 30.8883779, 12.21142883, 30.88988037]),
        (20, 0.998, [8.958213268, 38.04188135, 8.922802365, 38.08503563]),
        (65, 0.95, [50.16562773, 82.84783582, 50.16318771, 82.84913855]),
        (65, 0.998, [42.90183775, 93.97627965, 42.88026147, 94.00029084]),
        (100, 0.95, [81.36399125, 121.6267938, 81.36210549, 121.6279376]),
        (100, 0.998, [71.9213975, 134.9243191, 71.90369187, 134.9436218]),
        (1045, 0.95, [982.5937094, 1110.330777, 982.5932018, 1110.331213]),
        (1045, 0.998, [947.9464149, 1148.800292, 947.9407036, 1148.806161]),
    ];

    #[test]
    fn garwood_and_byar_match_methods_md() {
        for &(o, c, v) in COUNTS {
            let conf = Confidence::new(c).unwrap();
            let g = garwood(o, conf);
            assert_rel(g.lower, v[0], 1e-9);
            assert_rel(g.upper, v[1], 1e-9);
            match byar(o, conf) {
                Ok(b) => {
                    assert_rel(b.lower, v[2], 1e-9);
                    assert_rel(b.upper, v[3], 1e-9);
                }
                Err(_) => assert!(v[2].is_nan(), "Byar undefined for O={o} at {c}"),
            }
            let (_, used) = count_interval(o, conf, CountMethod::Phe).unwrap();
            let want = if o < 10 {
                CountMethodUsed::Exact
            } else {
                CountMethodUsed::Byar
            };
            assert_eq!(used, want);
        }
        // PHE testdata_Byars_Wilson.xlsx to 10 d.p.
        let b = byar(65, Confidence::P95).unwrap();
        assert_rel(b.lower, 50.163_187_710_5, 1e-11);
        assert_rel(b.upper, 82.849_138_545_9, 1e-11);
        let b = byar(1045, Confidence::P95).unwrap();
        assert_rel(b.lower, 982.593_201_807_3, 1e-12);
        assert_rel(b.upper, 1_110.331_212_985_6, 1e-12);
        let b = byar(10, Confidence::P998).unwrap();
        assert_rel(b.lower, 2.916_318_374_7, 1e-10);
        assert_rel(b.upper, 24.193_724_927_9, 1e-10);
    }

    /// methods.md §1.6 "crude rates, PHE rule": x, n, multiplier, rate, 95 % L/U, 99.8 % L/U, exact?
    type RateRow = (u64, f64, f64, f64, [f64; 4], bool);
    #[rustfmt::skip]
    const RATES: &[RateRow] = &[
        (1, 100.0, 100.0, 1.0, [0.02531780798, 5.571643391, 0.001000500334, 9.233413476], true),
        (5, 100.0, 100.0, 5.0, [1.62348639, 11.66833208, 0.7393717319, 16.4547452], true),
        (20, 100.0, 100.0, 20.0, [12.21142883, 30.88988037, 8.922802365, 38.08503563], false),
        (65, 100.0, 100.0, 65.0, [50.16318771, 82.84913855, 42.88026147, 94.00029084], false),
        (9856, 12345.0, 100.0, 79.83799109, [78.26949059, 81.43001654, 77.37590543, 82.35447277], false),
        (222, 3215.0, 100000.0, 6905.132193, [6026.574878, 7875.729371, 5560.737695, 8461.046682], false),
        (250, 220.0, 100000.0, 113636.3636, [99984.94739, 128631.1449, 92710.00554, 137651.2377], false),
    ];

    #[test]
    fn crude_rates_match_methods_md() {
        for &(x, n, k, rate, v, exact) in RATES {
            for (i, conf) in [Confidence::P95, Confidence::P998].into_iter().enumerate() {
                let r = crude_rate(x, n, conf, CountMethod::Phe).unwrap();
                let e = r.estimate.scaled(k);
                assert_rel(e.value, rate, 1e-9);
                assert_rel(e.lower, v[2 * i], 1e-9);
                assert_rel(e.upper, v[2 * i + 1], 1e-9);
                let want = if exact {
                    CountMethodUsed::Exact
                } else {
                    CountMethodUsed::Byar
                };
                assert_eq!(r.method, want);
            }
        }
    }

    #[test]
    fn zero_count_and_invalid_person_time() {
        let r = crude_rate(0, 1000.0, Confidence::P95, CountMethod::Phe).unwrap();
        assert_eq!(r.estimate.value, 0.0);
        assert_eq!(r.estimate.lower, 0.0);
        assert_rel(r.estimate.upper, 3.688_879_454e-3, 1e-9);
        assert!(crude_rate(0, 1000.0, Confidence::P95, CountMethod::Byar).is_err());
        assert_eq!(
            crude_rate(3, 0.0, Confidence::P95, CountMethod::Phe),
            Err(StatsError::ZeroDenominator)
        );
        assert!(crude_rate(3, -1.0, Confidence::P95, CountMethod::Phe).is_err());
        assert!(crude_rate(3, f64::NAN, Confidence::P95, CountMethod::Phe).is_err());
    }
}
