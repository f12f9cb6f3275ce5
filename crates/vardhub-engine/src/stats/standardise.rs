//! Direct and indirect standardisation (`methods.md` §1.7, §2.1–§2.4).
//!
//! # Standard populations
//!
//! Rates are comparable only if they use the same standard population and the same strata
//! (§2.1). [`StandardPopulation`] is data: an id and a weight per (age band, sex). The crate
//! ships [`StandardPopulation::esp2013`] (Eurostat 2013, the only standard `methods.md` gives with
//! numbers; use it for international comparisons). The hub's default for regional comparisons
//! is the Swedish register population, id `SE_RTB_<year>` (SCB, 31 December of the year named in
//! the indicator specification, 5-year bands 0–4 … 90+ × sex), which is built from the population
//! collection with [`StandardPopulation::new`] — `methods.md` §2.4 found no single year used by
//! all Socialstyrelsen products, so the year is part of the id and of every indicator's metadata
//! and stays fixed over a time series.

use serde::{Deserialize, Serialize};
use vardhub_domain::Sex;

use super::poisson::{CountMethod, MethodEstimate, byar, count_interval, garwood};
use super::special::{gamma_p_inv, gamma_q_inv};
use super::{Confidence, Estimate, Interval, StatsError, non_negative, positive};

/// PHE/OHID statistical floor for directly standardised rates: value and interval are not
/// calculated when the total count is below 10 (§1.6). Applied by the disclosure policy.
pub const PHE_DSR_MIN_COUNT: u64 = 10;

/// One stratum (age band × sex) of a directly standardised rate.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct DsrStratum {
    /// Events `x_i` (missing counts are 0).
    pub events: u64,
    /// Population or person-years `n_i` (> 0).
    pub population: f64,
    /// Standard population `N_i` (≥ 0).
    pub standard: f64,
}

/// Interval method for a directly standardised rate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DsrMethod {
    /// Dobson et al. (1991) with Byar's limits for O (PHE `calculate_dsr`, the hub's default).
    DobsonByar,
    /// Dobson with Garwood's exact limits for O.
    DobsonExact,
    /// Fay & Feuer (1997) gamma method.
    FayFeuer,
    /// Tiwari, Clegg & Zou (2006) modified gamma method.
    TiwariCleggZou,
    /// Normal approximation `DSR ± z √Var`.
    Normal,
}

/// A directly standardised rate (per person) with what its intervals need.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Dsr {
    /// `DSR = Σ w_i x_i`, `w_i = N_i / (W n_i)`.
    pub value: f64,
    /// `Var = Σ w_i² x_i`.
    pub variance: f64,
    /// `O = Σ x_i`.
    pub total_events: u64,
    /// `max_i w_i` (Fay–Feuer).
    pub max_weight: f64,
    /// Mean of `w_i` over strata (Tiwari–Clegg–Zou).
    pub mean_weight: f64,
    /// Mean of `w_i²` over strata (Tiwari–Clegg–Zou).
    pub mean_weight_sq: f64,
}

impl Dsr {
    /// Compute the DSR and its variance (§1.7). Errors if there are no strata, a population is
    /// not > 0, a standard weight is negative, or the standard population sums to 0.
    pub fn compute(strata: &[DsrStratum]) -> Result<Dsr, StatsError> {
        if strata.is_empty() {
            return Err(StatsError::TooFew("at least one stratum"));
        }
        let mut total_std = 0.0;
        for s in strata {
            positive("population", s.population)?;
            total_std += non_negative("standard", s.standard)?;
        }
        let w_total = positive("sum of the standard population", total_std)?;
        let (mut value, mut variance, mut o) = (0.0, 0.0, 0u64);
        let (mut max_w, mut sum_w, mut sum_w2) = (0.0_f64, 0.0, 0.0);
        for s in strata {
            let w = s.standard / (w_total * s.population);
            let x = s.events as f64;
            value += w * x;
            variance += w * w * x;
            o = o.saturating_add(s.events);
            max_w = max_w.max(w);
            sum_w += w;
            sum_w2 += w * w;
        }
        let k = strata.len() as f64;
        Ok(Dsr {
            value,
            variance,
            total_events: o,
            max_weight: max_w,
            mean_weight: sum_w / k,
            mean_weight_sq: sum_w2 / k,
        })
    }

    /// Standard error `√Var`.
    pub fn standard_error(&self) -> f64 {
        self.variance.sqrt()
    }

    /// The confidence interval by `method`.
    ///
    /// Dobson: `DSR + √(Var/O)(O_L − O)`, `DSR + √(Var/O)(O_U − O)`; undefined for O = 0, and with
    /// Byar also where Byar's lower limit is (O = 1 at 99.8 %). Fay–Feuer and Tiwari–Clegg–Zou
    /// are defined for O = 0 (lower limit 0). The PHE floor (no value for O < 10,
    /// [`PHE_DSR_MIN_COUNT`]) is a publication rule and lives in the disclosure policy.
    pub fn interval(&self, conf: Confidence, method: DsrMethod) -> Result<Interval, StatsError> {
        let (y, v) = (self.value, self.variance);
        let tail = conf.lower_tail();
        match method {
            DsrMethod::DobsonByar | DsrMethod::DobsonExact => {
                if self.total_events == 0 {
                    return Err(StatsError::Undefined("Dobson's interval needs O > 0"));
                }
                let o_ci = if method == DsrMethod::DobsonByar {
                    byar(self.total_events, conf)?
                } else {
                    garwood(self.total_events, conf)
                };
                let o = self.total_events as f64;
                let k = (v / o).sqrt();
                Ok(Interval {
                    lower: y + k * (o_ci.lower - o),
                    upper: y + k * (o_ci.upper - o),
                })
            }
            DsrMethod::FayFeuer | DsrMethod::TiwariCleggZou => {
                let lower = if y == 0.0 {
                    0.0
                } else {
                    v / y * gamma_p_inv(y * y / v, tail)
                };
                let (ys, vs) = if method == DsrMethod::FayFeuer {
                    (y + self.max_weight, v + self.max_weight * self.max_weight)
                } else {
                    (y + self.mean_weight, v + self.mean_weight_sq)
                };
                let upper = vs / ys * gamma_q_inv(ys * ys / vs, tail);
                Ok(Interval { lower, upper })
            }
            DsrMethod::Normal => {
                let h = conf.z() * v.sqrt();
                Ok(Interval {
                    lower: y - h,
                    upper: y + h,
                })
            }
        }
    }

    /// Value and interval (per person; scale with [`Estimate::scaled`]).
    pub fn estimate(&self, conf: Confidence, method: DsrMethod) -> Result<Estimate, StatsError> {
        Ok(Estimate::new(self.value, self.interval(conf, method)?))
    }
}

/// One stratum of a directly age-standardised proportion (§2.1).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ProportionStratum {
    /// Events `x_i`.
    pub events: u64,
    /// Trials `n_i` (> 0).
    pub trials: u64,
    /// Standard population `N_i` (≥ 0).
    pub standard: f64,
}

/// Directly standardised proportion `Σ (N_i/W) p_i` with the normal interval from
/// `Var = Σ (N_i/W)² p_i(1 − p_i)/n_i` (§2.1), limits clamped to [0, 1].
pub fn standardised_proportion(
    strata: &[ProportionStratum],
    conf: Confidence,
) -> Result<Estimate, StatsError> {
    if strata.is_empty() {
        return Err(StatsError::TooFew("at least one stratum"));
    }
    let mut w_total = 0.0;
    for s in strata {
        if s.trials == 0 {
            return Err(StatsError::ZeroDenominator);
        }
        if s.events > s.trials {
            return Err(StatsError::CountExceedsDenominator {
                count: s.events,
                denominator: s.trials,
            });
        }
        w_total += non_negative("standard", s.standard)?;
    }
    let w_total = positive("sum of the standard population", w_total)?;
    let (mut value, mut var) = (0.0, 0.0);
    for s in strata {
        let w = s.standard / w_total;
        let p = s.events as f64 / s.trials as f64;
        value += w * p;
        var += w * w * p * (1.0 - p) / s.trials as f64;
    }
    let h = conf.z() * var.sqrt();
    Ok(Estimate {
        value,
        lower: (value - h).max(0.0),
        upper: (value + h).min(1.0),
    })
}

/// Expected count for indirect standardisation (§2.2): `E = Σ n_i R_i` with the unit's stratum
/// populations `n_i` and the reference (e.g. national) stratum rates `R_i = X_i / N_i`.
pub fn expected_count(populations: &[f64], reference_rates: &[f64]) -> Result<f64, StatsError> {
    if populations.len() != reference_rates.len() {
        return Err(StatsError::LengthMismatch);
    }
    let mut e = 0.0;
    for (&n, &r) in populations.iter().zip(reference_rates) {
        e += non_negative("population", n)? * non_negative("reference rate", r)?;
    }
    Ok(e)
}

/// Standardised ratio `O/E` with `(O_L/E, O_U/E)`, E treated as fixed (§2.2; PHE
/// `calculate_ISRatio` with [`CountMethod::Phe`]).
pub fn smr(
    observed: u64,
    expected: f64,
    conf: Confidence,
    method: CountMethod,
) -> Result<MethodEstimate, StatsError> {
    let e = positive("expected", expected)?;
    let (ci, used) = count_interval(observed, conf, method)?;
    Ok(MethodEstimate {
        estimate: Estimate::new(observed as f64 / e, ci.scaled(1.0 / e)),
        method: used,
    })
}

/// Indirectly standardised rate = SMR × reference crude rate (PHE `calculate_ISRate`).
pub fn indirectly_standardised_rate(smr: Estimate, reference_rate: f64) -> Estimate {
    smr.scaled(reference_rate)
}

/// One band of a [`StandardPopulation`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StandardBand {
    /// First year of age in the band.
    pub age_from: u8,
    /// Last year of age (inclusive); `None` for the open top band (e.g. 90+).
    pub age_to: Option<u8>,
    /// `None` if the band covers both sexes.
    pub sex: Option<Sex>,
    /// Standard population (weight) of the band.
    pub weight: f64,
}

/// A standard population: an id (recorded in every indicator's metadata) and weights by age band
/// and sex. See the module documentation for which one the hub uses.
#[derive(Debug, Clone, PartialEq)]
pub struct StandardPopulation {
    id: String,
    bands: Vec<StandardBand>,
}

/// ESP 2013 weights for 0–4, 5–9, …, 85–89, 90+ (§2.4; sum 100 000).
const ESP2013: [f64; 19] = [
    5000.0, 5500.0, 5500.0, 5500.0, 6000.0, 6000.0, 6500.0, 7000.0, 7000.0, 7000.0, 7000.0, 6500.0,
    6000.0, 5500.0, 5000.0, 4000.0, 2500.0, 1500.0, 1000.0,
];

impl StandardPopulation {
    /// A standard population from bands. Errors if the id is empty, there are no bands, a weight
    /// is negative or not finite, the weights sum to 0, a band ends before it starts, or two
    /// bands of the same sex start at the same age.
    pub fn new(id: impl Into<String>, bands: Vec<StandardBand>) -> Result<Self, StatsError> {
        let id = id.into();
        if id.trim().is_empty() || bands.is_empty() {
            return Err(StatsError::TooFew("an id and at least one band"));
        }
        let mut total = 0.0;
        for (i, b) in bands.iter().enumerate() {
            total += non_negative("standard weight", b.weight)?;
            if b.age_to.is_some_and(|to| to < b.age_from) {
                return Err(StatsError::invalid(
                    "age band end",
                    "≥ its start",
                    f64::from(b.age_from),
                ));
            }
            if bands[..i]
                .iter()
                .any(|o| o.age_from == b.age_from && o.sex == b.sex)
            {
                return Err(StatsError::invalid(
                    "age band start",
                    "unique per sex",
                    f64::from(b.age_from),
                ));
            }
        }
        positive("sum of the standard population", total)?;
        Ok(StandardPopulation { id, bands })
    }

    /// The 2013 European Standard Population (Eurostat), 19 five-year bands, both sexes.
    pub fn esp2013() -> Self {
        let bands = ESP2013
            .iter()
            .enumerate()
            .map(|(i, &weight)| {
                let from = (5 * i) as u8;
                StandardBand {
                    age_from: from,
                    age_to: (i < 18).then_some(from + 4),
                    sex: None,
                    weight,
                }
            })
            .collect();
        StandardPopulation {
            id: "ESP2013".to_owned(),
            bands,
        }
    }

    /// The id, e.g. `ESP2013` or `SE_RTB_2023`.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The bands.
    pub fn bands(&self) -> &[StandardBand] {
        &self.bands
    }

    /// Sum of the weights.
    pub fn total(&self) -> f64 {
        self.bands.iter().map(|b| b.weight).sum()
    }

    /// The weight of the band that contains `age` for `sex` (a sex-specific band first, then a
    /// band for both sexes).
    pub fn weight(&self, age: u8, sex: Option<Sex>) -> Option<f64> {
        let covers = |b: &&StandardBand| age >= b.age_from && b.age_to.is_none_or(|to| age <= to);
        let specific =
            sex.and_then(|s| self.bands.iter().filter(covers).find(|b| b.sex == Some(s)));
        specific
            .or_else(|| self.bands.iter().filter(covers).find(|b| b.sex.is_none()))
            .map(|b| b.weight)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::testutil::assert_rel;

    /// methods.md §1.7: PHE test data with ESP 2013 (counts and populations of "big" and "small").
    #[rustfmt::skip]
    const PHE: [(u64, f64, u64, f64); 19] = [
        (127, 636.0, 12, 636.0), (25, 558.0, 4, 558.0), (18, 609.0, 3, 609.0), (21, 543.0, 2, 543.0),
        (12, 384.0, 3, 384.0), (27, 594.0, 4, 594.0), (48, 669.0, 8, 669.0), (27, 843.0, 2, 843.0),
        (29, 660.0, 2, 660.0), (32, 576.0, 3, 576.0), (32, 606.0, 4, 606.0), (34, 522.0, 5, 522.0),
        (45, 426.0, 6, 426.0), (65, 273.0, 8, 273.0), (38, 300.0, 5, 300.0), (68, 288.0, 6, 288.0),
        (74, 153.0, 5, 153.0), (82, 123.0, 5, 123.0), (91, 207.0, 4, 207.0),
    ];

    fn phe_area(big: bool) -> Vec<DsrStratum> {
        let esp = StandardPopulation::esp2013();
        PHE.iter()
            .zip(esp.bands())
            .map(|(&(bx, bn, sx, sn), band)| DsrStratum {
                events: if big { bx } else { sx },
                population: if big { bn } else { sn },
                standard: band.weight,
            })
            .collect()
    }

    #[test]
    fn dsr_matches_phe_test_data() {
        let big = Dsr::compute(&phe_area(true)).unwrap();
        assert_eq!(big.total_events, 895);
        assert_rel(big.value * 1e5, 10_430.247_991_469_4, 1e-12);
        assert_rel(big.variance, 1.365_661_9e-5, 1e-7);
        let e = big
            .estimate(Confidence::P95, DsrMethod::DobsonByar)
            .unwrap()
            .scaled(1e5);
        assert_rel(e.lower, 9_717.709_067_985_7, 1e-12);
        assert_rel(e.upper, 11_178.940_915_479_3, 1e-12);
        let e = big
            .estimate(Confidence::P998, DsrMethod::DobsonByar)
            .unwrap()
            .scaled(1e5);
        assert_rel(e.lower, 9_323.287_880_219_9, 1e-12);
        assert_rel(e.upper, 11_620.595_999_522_1, 1e-12);
        let ff = big
            .interval(Confidence::P95, DsrMethod::FayFeuer)
            .unwrap()
            .scaled(1e5);
        assert_rel(ff.lower, 9_718.425_961, 1e-9);
        assert_rel(ff.upper, 11_188.105_35, 1e-9);

        let small = Dsr::compute(&phe_area(false)).unwrap();
        assert_eq!(small.total_events, 91);
        assert_rel(small.value * 1e5, 1_103.212_025_300_1, 1e-12);
        assert_rel(small.variance, 1.474_634_965e-6, 1e-9);
        let e = small
            .interval(Confidence::P95, DsrMethod::DobsonByar)
            .unwrap()
            .scaled(1e5);
        assert_rel(e.lower, 877.455_767_536_7, 1e-12);
        assert_rel(e.upper, 1_367.088_222_725_2, 1e-12);
        let e = small
            .interval(Confidence::P998, DsrMethod::DobsonByar)
            .unwrap()
            .scaled(1e5);
        assert_rel(e.lower, 763.642_035_8, 1e-9);
        assert_rel(e.upper, 1_530.032_895, 1e-9);
        let ff = small
            .interval(Confidence::P95, DsrMethod::FayFeuer)
            .unwrap()
            .scaled(1e5);
        assert_rel(ff.lower, 878.106_349_1, 1e-9);
        assert_rel(ff.upper, 1_377.130_029, 1e-9);
    }

    #[test]
    fn fay_feuer_table_ii_example() {
        // methods.md §1.7: Down syndrome, birth order 5+ (Fay & Feuer 1997; dsrTest vignette).
        let x = [0u64, 8, 63, 112, 262, 295];
        let n = [327.0, 30_666.0, 123_419.0, 149_919.0, 104_088.0, 34_392.0];
        let std = [
            319_933.0, 931_318.0, 786_511.0, 488_235.0, 237_863.0, 61_313.0,
        ];
        let strata: Vec<_> = (0..6)
            .map(|i| DsrStratum {
                events: x[i],
                population: n[i],
                standard: std[i],
            })
            .collect();
        let d = Dsr::compute(&strata).unwrap();
        assert_rel(d.value, 0.000_755_290_074_5, 1e-9);
        assert_rel(d.variance, 1.682_709_694e-9, 1e-9);
        assert_rel(d.max_weight, 0.000_346_310_961_9, 1e-9);
        let ff = d
            .estimate(Confidence::P95, DsrMethod::FayFeuer)
            .unwrap()
            .scaled(1e5);
        assert_rel(ff.value, 75.529_007_45, 1e-9);
        assert_rel(ff.lower, 67.702_120_42, 1e-9);
        assert_rel(ff.upper, 188.300_172_7, 1e-9);
        let tcz = d
            .interval(Confidence::P95, DsrMethod::TiwariCleggZou)
            .unwrap()
            .scaled(1e5);
        assert_rel(tcz.lower, 67.702_120_42, 1e-9);
        assert_rel(tcz.upper, 112.858_429_1, 1e-9);
        let dob = d
            .interval(Confidence::P95, DsrMethod::DobsonByar)
            .unwrap()
            .scaled(1e5);
        assert_rel(dob.lower, 67.632_743_12, 1e-9);
        assert_rel(dob.upper, 83.867_108_71, 1e-9);
    }

    /// methods.md §2.3 worked example (three age bands).
    #[test]
    fn worked_example_section_2_3() {
        let x = [60u64, 180, 330];
        let n = [200_000.0, 40_000.0, 12_000.0];
        let std = [8_200_000.0, 1_600_000.0, 560_000.0];
        let national = [2_300.0, 7_600.0, 15_400.0];
        let strata: Vec<_> = (0..3)
            .map(|i| DsrStratum {
                events: x[i],
                population: n[i],
                standard: std[i],
            })
            .collect();
        let o: u64 = x.iter().sum();
        let crude = o as f64 / n.iter().sum::<f64>();
        assert_rel(crude * 1e5, 226.190_476_2, 1e-9);
        let d = Dsr::compute(&strata).unwrap();
        assert_rel(d.value * 1e5, 241.891_891_9, 1e-9);
        assert_rel(d.standard_error() * 1e5, 10.158_213_6, 1e-9);
        let dob = d
            .interval(Confidence::P95, DsrMethod::DobsonByar)
            .unwrap()
            .scaled(1e5);
        assert_rel(dob.lower, 222.387_867_6, 1e-9);
        assert_rel(dob.upper, 262.644_690_1, 1e-9);
        let ff = d
            .interval(Confidence::P95, DsrMethod::FayFeuer)
            .unwrap()
            .scaled(1e5);
        assert_rel(ff.lower, 222.389_235_9, 1e-9);
        assert_rel(ff.upper, 262.672_602_3, 1e-9);
        let nor = d
            .interval(Confidence::P95, DsrMethod::Normal)
            .unwrap()
            .scaled(1e5);
        assert_rel(nor.lower, 221.982_159_1, 1e-9);
        assert_rel(nor.upper, 261.801_624_7, 1e-9);

        let rates: Vec<f64> = national.iter().zip(&std).map(|(a, b)| a / b).collect();
        let e = expected_count(&n, &rates).unwrap();
        assert_rel(e, 576.097_561, 1e-9);
        let s = smr(o, e, Confidence::P95, CountMethod::Byar)
            .unwrap()
            .estimate;
        assert_rel(s.value, 0.989_415_749_4, 1e-9);
        assert_rel(s.lower, 0.909_845_946_8, 1e-9);
        assert_rel(s.upper, 1.074_080_126, 1e-9);
        let s = smr(o, e, Confidence::P95, CountMethod::Exact)
            .unwrap()
            .estimate;
        assert_rel(s.lower, 0.909_847_168_7, 1e-9);
        assert_rel(s.upper, 1.074_079_131, 1e-9);
        let national_crude = national.iter().sum::<f64>() / std.iter().sum::<f64>();
        let isr = indirectly_standardised_rate(s, national_crude).scaled(1e5);
        assert_rel(isr.value, 241.623_730_3, 1e-9);
    }

    #[test]
    fn phe_isr_test_vector() {
        // methods.md §2.2 (testresults_ISR, area "testdata_big").
        for (conf, lo, hi) in [
            (Confidence::P95, 1.001_714_771_3, 1.143_233_287_2),
            (Confidence::P998, 0.963_515_562_0, 1.186_007_041_6),
        ] {
            let s = smr(895, 835.883_561_2, conf, CountMethod::Phe).unwrap();
            assert_rel(s.estimate.value, 1.070_723_293_9, 1e-9);
            assert_rel(s.estimate.lower, lo, 1e-9);
            assert_rel(s.estimate.upper, hi, 1e-9);
        }
    }

    #[test]
    fn zero_events_and_invalid_strata() {
        let z = [DsrStratum {
            events: 0,
            population: 100.0,
            standard: 1.0,
        }];
        let d = Dsr::compute(&z).unwrap();
        assert_eq!(d.value, 0.0);
        assert!(d.interval(Confidence::P95, DsrMethod::DobsonByar).is_err());
        assert!(d.interval(Confidence::P95, DsrMethod::DobsonExact).is_err());
        let ff = d.interval(Confidence::P95, DsrMethod::FayFeuer).unwrap();
        assert_eq!(ff.lower, 0.0);
        // Shape 1, scale w_M: upper = −w_M ln(α/2).
        assert_rel(ff.upper, -(0.01f64) * 0.025f64.ln(), 1e-12);
        let bad = [DsrStratum {
            events: 1,
            population: 0.0,
            standard: 1.0,
        }];
        assert_eq!(Dsr::compute(&bad), Err(StatsError::ZeroDenominator));
        assert!(Dsr::compute(&[]).is_err());
        let bad = [DsrStratum {
            events: 1,
            population: 1.0,
            standard: -1.0,
        }];
        assert!(Dsr::compute(&bad).is_err());
        assert!(smr(3, 0.0, Confidence::P95, CountMethod::Phe).is_err());
        let s = smr(0, 2.0, Confidence::P95, CountMethod::Phe)
            .unwrap()
            .estimate;
        assert_eq!((s.value, s.lower), (0.0, 0.0));
    }

    #[test]
    fn standardised_proportion_weights_strata() {
        let s = [
            ProportionStratum {
                events: 10,
                trials: 100,
                standard: 1.0,
            },
            ProportionStratum {
                events: 30,
                trials: 100,
                standard: 3.0,
            },
        ];
        let e = standardised_proportion(&s, Confidence::P95).unwrap();
        assert_rel(e.value, 0.25, 1e-15);
        let var = (0.25f64 * 0.25 * 0.09 + 0.75 * 0.75 * 0.21) / 100.0;
        assert_rel(e.upper - e.value, Confidence::P95.z() * var.sqrt(), 1e-12);
        let bad = [ProportionStratum {
            events: 1,
            trials: 0,
            standard: 1.0,
        }];
        assert_eq!(
            standardised_proportion(&bad, Confidence::P95),
            Err(StatsError::ZeroDenominator)
        );
    }

    #[test]
    fn esp2013_is_complete() {
        let esp = StandardPopulation::esp2013();
        assert_eq!(esp.id(), "ESP2013");
        assert_eq!(esp.bands().len(), 19);
        assert_eq!(esp.total(), 100_000.0);
        assert_eq!(esp.weight(0, None), Some(5000.0));
        assert_eq!(esp.weight(57, Some(Sex::Female)), Some(6500.0));
        assert_eq!(esp.weight(104, None), Some(1000.0));
        let custom = StandardPopulation::new(
            "SE_RTB_2023",
            vec![
                StandardBand {
                    age_from: 0,
                    age_to: None,
                    sex: Some(Sex::Female),
                    weight: 5.0,
                },
                StandardBand {
                    age_from: 0,
                    age_to: None,
                    sex: Some(Sex::Male),
                    weight: 6.0,
                },
            ],
        )
        .unwrap();
        assert_eq!(custom.weight(40, Some(Sex::Male)), Some(6.0));
        assert_eq!(custom.weight(40, None), None);
        let dup = vec![
            StandardBand {
                age_from: 0,
                age_to: None,
                sex: None,
                weight: 1.0,
            },
            StandardBand {
                age_from: 0,
                age_to: Some(4),
                sex: None,
                weight: 1.0,
            },
        ];
        assert!(StandardPopulation::new("X", dup).is_err());
    }
}
