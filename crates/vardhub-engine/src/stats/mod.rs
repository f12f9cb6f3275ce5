//! Statistical methods for indicators, following `methods.md` (formulas, critical values and
//! boundary cases) and tested against its vectors.
//!
//! | need | functions |
//! |---|---|
//! | proportion x/n | [`wilson`], [`wilson_cc`], [`clopper_pearson`], [`proportion`] |
//! | count / crude rate | [`garwood`], [`byar`], [`count_interval`], [`crude_rate`] |
//! | directly standardised rate | [`Dsr::compute`], [`Dsr::estimate`] ([`DsrMethod`]), [`standardised_proportion`], [`StandardPopulation`] |
//! | indirect standardisation | [`expected_count`], [`smr`], [`indirectly_standardised_rate`] |
//! | funnel limits | [`binomial_funnel_limit`], [`binomial_funnel_limits`], [`normal_funnel_limits`], [`poisson_funnel_limits`], [`chi_square_funnel_limits`], [`phe_ratio_funnel_limits`] |
//! | overdispersion | [`OverdispersionFit`], [`NaturalOverdispersion`] |
//! | better/worse than Sweden (published flag: exact test) | [`exact_flags_proportion`], [`exact_flags_count`] ([`binomial_tails`], [`poisson_tails`]); funnel lines: [`classify`], [`classify_proportion`], [`classify_ratio`], [`classify_rate`] |
//! | target level | [`compare_with_target`] |
//! | means (length of stay) | [`mean_t`], [`t_interval`], [`geometric_mean_t`], [`ratio_mean`] |
//! | time to event (care chains) | [`KaplanMeier`] (Greenwood, log(−log) band, Brookmeyer–Crowley quantile interval), [`cumulative_incidence`] (Aalen–Johansen with a competing event) |
//! | before/after with a comparison group | [`naive_before_after`], [`did_matched_pairs`], [`did_independent`] |
//! | differences and ratios | [`difference_of_proportions_wald`], [`difference_of_proportions_newcombe`], [`rate_ratio_log_normal`], [`rate_ratio_exact`], [`difference_of_dsrs`] |
//!
//! Conventions: every function takes an explicit [`Confidence`]; results are small `Copy` structs
//! ([`Interval`], [`Estimate`]) on the *unit* scale (a rate per person, a proportion in [0, 1]) —
//! use [`Estimate::scaled`] for "per 100 000" or percent. Invalid input (n = 0, x > n, negative or
//! non-finite populations) returns [`StatsError`]; valid input never panics. The integer
//! boundary cases x = 0, x = n and O = 0 are handled explicitly as `methods.md` prescribes.

mod compare;
mod did;
mod exact;
mod funnel;
mod mean;
mod overdispersion;
mod poisson;
mod proportion;
pub mod special;
mod standardise;
mod survival;
mod target;

pub use compare::{
    difference_of_dsrs, difference_of_proportions_newcombe, difference_of_proportions_wald,
    rate_ratio_exact, rate_ratio_log_normal,
};
pub use did::{BeforeAfter, Effect, did_independent, did_matched_pairs, naive_before_after};
pub use exact::{
    Tails, binomial_tails, binomial_tails_overdispersed, exact_flags_count, exact_flags_proportion,
    flag_from_tails, flags_from_tails, poisson_tails, poisson_tails_overdispersed,
};
pub use funnel::{
    FunnelFlags, FunnelLimit, ProportionFunnel, RatioFunnel, Significance, binomial_funnel_limit,
    binomial_funnel_limits, chi_square_funnel_limits, classify, classify_proportion, classify_rate,
    classify_ratio, log_normal_ratio_limits, normal_funnel_limits, phe_ratio_funnel_limits,
    poisson_funnel_limit, poisson_funnel_limits, sqrt_normal_ratio_limits,
};
pub use mean::{MeanEstimate, geometric_mean_t, mean_t, ratio_mean, t_interval};
pub use overdispersion::{
    NaturalOverdispersion, NaturalScale, OdScale, OdUnit, OverdispersionFit, quantile_type7,
};
pub use poisson::{
    CountMethod, CountMethodUsed, MethodEstimate, byar, count_interval, crude_rate, garwood,
};
pub use proportion::{clopper_pearson, proportion, wilson, wilson_cc};
pub use standardise::{
    Dsr, DsrMethod, DsrStratum, PHE_DSR_MIN_COUNT, ProportionStratum, StandardBand,
    StandardPopulation, expected_count, indirectly_standardised_rate, smr, standardised_proportion,
};
pub use survival::{IncidenceStep, KaplanMeier, KmStep, Observation, cumulative_incidence};
pub use target::{TargetCertainty, TargetComparison, compare_with_target};

use serde::{Deserialize, Serialize};

/// A two-sided confidence level, e.g. 95 % or 99.8 %.
///
/// `methods.md` §0: "95 % limits" are the 2.5 %/97.5 % quantiles, "99.8 % limits" the
/// 0.1 %/99.9 % quantiles; the critical value is `z = Φ⁻¹(1 − α/2)` in double precision
/// (1.959963985 and 3.090232306).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "f64", into = "f64")]
pub struct Confidence {
    level: f64,
}

impl Confidence {
    /// 95 % (two-sided; tails 2.5 % and 97.5 %).
    pub const P95: Confidence = Confidence { level: 0.95 };
    /// 99.8 % (two-sided; tails 0.1 % and 99.9 %).
    pub const P998: Confidence = Confidence { level: 0.998 };

    /// A confidence level strictly between 0 and 1.
    pub fn new(level: f64) -> Result<Confidence, StatsError> {
        if level.is_finite() && level > 0.0 && level < 1.0 {
            Ok(Confidence { level })
        } else {
            Err(StatsError::invalid("confidence level", "in (0, 1)", level))
        }
    }

    /// The two-sided level whose critical value is `z` (> 0), i.e. `2Φ(z) − 1`.
    pub fn from_z(z: f64) -> Result<Confidence, StatsError> {
        if !(z.is_finite() && z > 0.0) {
            return Err(StatsError::invalid("z", "finite and > 0", z));
        }
        Confidence::new(1.0 - 2.0 * special::normal_sf(z))
    }

    /// The level, e.g. 0.95.
    pub fn level(self) -> f64 {
        self.level
    }

    /// α = 1 − level.
    pub fn alpha(self) -> f64 {
        1.0 - self.level
    }

    /// The lower tail probability α/2.
    pub fn lower_tail(self) -> f64 {
        0.5 * (1.0 - self.level)
    }

    /// The upper tail probability 1 − α/2.
    pub fn upper_tail(self) -> f64 {
        0.5 + 0.5 * self.level
    }

    /// The critical value `z = Φ⁻¹(1 − α/2)`.
    pub fn z(self) -> f64 {
        -special::normal_quantile(self.lower_tail())
    }
}

impl TryFrom<f64> for Confidence {
    type Error = StatsError;
    fn try_from(level: f64) -> Result<Self, Self::Error> {
        Confidence::new(level)
    }
}

impl From<Confidence> for f64 {
    fn from(c: Confidence) -> f64 {
        c.level
    }
}

/// A confidence interval (or a pair of control limits).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Interval {
    /// Lower limit.
    pub lower: f64,
    /// Upper limit.
    pub upper: f64,
}

impl Interval {
    /// Both limits multiplied by `k` (e.g. 100 000 for "per 100 000").
    pub fn scaled(self, k: f64) -> Interval {
        Interval {
            lower: self.lower * k,
            upper: self.upper * k,
        }
    }

    /// The limits clamped to `[lo, hi]` (e.g. funnel limits truncated to [0, 1]).
    pub fn clamped(self, lo: f64, hi: f64) -> Interval {
        Interval {
            lower: self.lower.clamp(lo, hi),
            upper: self.upper.clamp(lo, hi),
        }
    }

    /// Whether `v` lies in the closed interval.
    pub fn contains(self, v: f64) -> bool {
        self.lower <= v && v <= self.upper
    }
}

/// A point estimate with its confidence interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Estimate {
    /// The point estimate.
    pub value: f64,
    /// Lower confidence limit.
    pub lower: f64,
    /// Upper confidence limit.
    pub upper: f64,
}

impl Estimate {
    /// An estimate from a value and an interval.
    pub fn new(value: f64, interval: Interval) -> Estimate {
        Estimate {
            value,
            lower: interval.lower,
            upper: interval.upper,
        }
    }

    /// The interval part.
    pub fn interval(self) -> Interval {
        Interval {
            lower: self.lower,
            upper: self.upper,
        }
    }

    /// Value and limits multiplied by `k` (e.g. 100 000 for "per 100 000", 100 for percent).
    pub fn scaled(self, k: f64) -> Estimate {
        Estimate {
            value: self.value * k,
            lower: self.lower * k,
            upper: self.upper * k,
        }
    }
}

/// Which direction of an indicator is good.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// Higher values are better (e.g. share treated within 90 days).
    HigherIsBetter,
    /// Lower values are better (e.g. 30-day mortality).
    LowerIsBetter,
}

/// Invalid input to a statistical function.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum StatsError {
    /// A denominator (n, person-time, expected count) is zero.
    #[error("nämnaren är noll / the denominator is zero")]
    ZeroDenominator,
    /// More events than trials.
    #[error(
        "täljaren {count} är större än nämnaren {denominator} / count {count} exceeds denominator {denominator}"
    )]
    CountExceedsDenominator {
        /// The numerator.
        count: u64,
        /// The denominator.
        denominator: u64,
    },
    /// An argument outside its domain.
    #[error(
        "ogiltigt värde för {name}: {value} (krav: {requirement}) / invalid {name}: {value} (must be {requirement})"
    )]
    Invalid {
        /// The argument.
        name: &'static str,
        /// What it must satisfy.
        requirement: &'static str,
        /// The value given.
        value: f64,
    },
    /// Too few observations or strata for the method.
    #[error("för få observationer / too few observations: {0}")]
    TooFew(&'static str),
    /// Inputs that must have the same length do not.
    #[error("olika längd på indata / input lengths differ")]
    LengthMismatch,
    /// The method is not defined for this (valid) input, e.g. Byar's lower limit for O = 0.
    #[error("metoden är inte definierad här / method undefined for this input: {0}")]
    Undefined(&'static str),
}

impl StatsError {
    pub(crate) fn invalid(name: &'static str, requirement: &'static str, value: f64) -> Self {
        StatsError::Invalid {
            name,
            requirement,
            value,
        }
    }
}

/// `Ok(v)` if `v` is finite and > 0.
pub(crate) fn positive(name: &'static str, v: f64) -> Result<f64, StatsError> {
    if v.is_finite() && v > 0.0 {
        Ok(v)
    } else if v == 0.0 {
        Err(StatsError::ZeroDenominator)
    } else {
        Err(StatsError::invalid(name, "finite and > 0", v))
    }
}

/// `Ok(v)` if `v` is finite and ≥ 0.
pub(crate) fn non_negative(name: &'static str, v: f64) -> Result<f64, StatsError> {
    if v.is_finite() && v >= 0.0 {
        Ok(v)
    } else {
        Err(StatsError::invalid(name, "finite and ≥ 0", v))
    }
}

/// `Ok(p)` if `p` is in [0, 1].
pub(crate) fn probability(name: &'static str, p: f64) -> Result<f64, StatsError> {
    if (0.0..=1.0).contains(&p) {
        Ok(p)
    } else {
        Err(StatsError::invalid(name, "in [0, 1]", p))
    }
}

#[cfg(test)]
pub(crate) mod testutil {
    /// Assert relative closeness (absolute when the expected value is 0).
    #[track_caller]
    pub fn assert_rel(got: f64, want: f64, rel: f64) {
        let tol = if want == 0.0 { rel } else { rel * want.abs() };
        assert!(
            (got - want).abs() <= tol,
            "got {got:.15e}, want {want:.15e} (rel {rel:e})"
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use testutil::assert_rel;

    #[test]
    fn critical_values_match_methods_md() {
        assert_rel(Confidence::P95.z(), 1.959_963_985, 1e-9);
        assert_rel(Confidence::P998.z(), 3.090_232_306, 1e-9);
        assert_rel(
            Confidence::from_z(1.959_963_984_540_054).unwrap().level(),
            0.95,
            1e-14,
        );
        assert!(Confidence::new(1.0).is_err());
        assert!(Confidence::new(f64::NAN).is_err());
    }

    #[test]
    fn confidence_serialises_as_a_number() {
        let json = serde_json::to_string(&Confidence::P998).unwrap();
        assert_eq!(json, "0.998");
        let back: Confidence = serde_json::from_str("0.95").unwrap();
        assert_eq!(back, Confidence::P95);
        assert!(serde_json::from_str::<Confidence>("1.5").is_err());
    }
}
