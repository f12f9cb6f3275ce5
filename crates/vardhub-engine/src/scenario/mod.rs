//! What-if models for beds, waiting lists and costs (`methods.md` §6, issue 16): pure functions
//! and Monte-Carlo simulations on numbers. No lake, no I/O — the scenario file, the calibration
//! from the lake and the run live elsewhere and hand these models plain vectors.
//!
//! | need | items |
//! |---|---|
//! | closed forms (validation, quick answers) | [`erlang_b`], [`erlang_c`], [`erlang_loss`], [`poisson_census`], [`mm1_wait_exceeds`], [`mmc_wait_exceeds`], [`little_census`], [`beds_for_occupancy`], [`min_beds_for_blocking`], [`min_beds_for_census`], [`discrete_day_census_mean`] |
//! | bed census (Monte Carlo) | [`BedModel`], [`Stratum`], [`Policy`], [`ArrivalProfile`] → [`BedOutcome`] ([`BedReplication`], [`BedSummary`]) |
//! | waiting list (Monte Carlo, FIFO) | [`WaitingListModel`], [`Flow`] → [`WaitingListOutcome`]; [`simulate_mmc_waits`] (continuous-time M/M/c) |
//! | costs (KPP) | [`CostScenario`], [`ContactType`], [`Shift`] → [`CostResult`] |
//! | random numbers | [`Rng`] (xoshiro256++, one stream per seed and replication) |
//!
//! ## Assumptions (written down, as issue 16 asks)
//!
//! * **Arrivals** are a non-homogeneous Poisson process given the intensity of each hour of the
//!   horizon; [`ArrivalProfile`] estimates that intensity from the baseline as a daily rate ×
//!   month-of-year factor × hour-of-week factor (weekday and hour together). Real emergency
//!   arrivals are somewhat overdispersed, so bands are, if anything, a little narrow.
//! * **Lengths of stay** are resampled i.i.d. from the baseline stays of the patient's stratum
//!   (e.g. a DRG group or diagnosis), multiplied by the stratum's LOS factor. There is no
//!   feedback from crowding on LOS (no bed blocking, no early discharge when full), and patients
//!   present at the start keep their given remaining time (no factor applies to them).
//! * **Census** is counted at 06:00 each day, as the hub's bed collection counts;
//!   överbeläggningar that day = max(0, census − staffed beds) ([`Policy::Overflow`], the
//!   Swedish practice). [`Policy::Loss`] refuses patients when full and exists to validate the
//!   simulator against Erlang B. For a region the model pools its units, so its
//!   överbeläggningar are a lower bound of the indicator's sum over units.
//! * **Waiting lists** are FIFO (no prioritisation), with additions and removals per period
//!   (deterministic or Poisson) and capacity scaled by the scenario's factor; unused capacity
//!   in a period is lost. Removals in a period happen before that period's additions.
//! * **Costs** are volume × mean KPP cost per contact type (full cost incl. overheads), with
//!   shifts to substitute contact types and bed-days released via Little's law; the band on the
//!   costs (optional) comes from a bootstrap over the contacts' costs.
//! * **Uncertainty bands** are the 2.5 %, 50 % and 97.5 % quantiles (R type 7) over
//!   [`REPLICATIONS`] replications: they describe the spread of the outcome (prediction band),
//!   not the Monte-Carlo error of the mean, which [`Band::se`] gives.
//! * **Reproducibility:** replication `r` of a run with seed `s` draws from its own stream
//!   [`Rng::for_replication`]`(s, r)`, so results are identical whatever the number of threads.

mod beds;
mod closed_forms;
mod costs;
mod profile;
mod queue;
mod rng;

pub use beds::{BedModel, BedOutcome, BedReplication, BedSummary, Policy, Stratum};
pub use closed_forms::{
    CensusTail, ErlangLoss, beds_for_occupancy, beds_freed, discrete_day_census_mean, erlang_b,
    erlang_c, erlang_loss, little_census, min_beds_for_blocking, min_beds_for_census,
    mm1_wait_exceeds, mmc_wait_exceeds, poisson_census,
};
pub use costs::{ContactType, CostBands, CostResult, CostScenario, Shift, Substitute};
pub use profile::ArrivalProfile;
pub use queue::{
    Flow, FlowKind, WaitingListModel, WaitingListOutcome, WaitingListReplication,
    WaitingListSummary, simulate_mmc_waits,
};
pub use rng::Rng;

use serde::{Deserialize, Serialize};

/// The number of Monte-Carlo replications a scenario run uses by default.
///
/// Why 200 is enough: the band edges are the empirical 2.5 % and 97.5 % quantiles, which with
/// R = 200 lie near the 5th smallest and 5th largest replication. The probability mass below
/// the k-th order statistic is Beta(k, R + 1 − k), so a nominal 95 % band covers 95 % ± 1.5
/// percentage points (SD of Beta(191, 10)), and each band edge has a standard error of about
/// 0.19 outcome SDs (√(0.025 · 0.975 / 200) / φ(1.96)) — about 10 % of the band's half-width.
/// The mean's Monte-Carlo error is SD/√200 ≈ 0.07 SD, negligible beside the band. Doubling R
/// only shrinks these by √2, while a 12-month bed scenario for one region at R = 200 runs well
/// under the 10 s budget.
pub const REPLICATIONS: usize = 200;

/// The lower and upper quantiles of a 95 % band.
pub const BAND_QUANTILES: (f64, f64) = (0.025, 0.975);

/// A Monte-Carlo summary of one quantity over replications.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Band {
    /// Mean over replications.
    pub mean: f64,
    /// Monte-Carlo standard error of the mean (SD / √R; 0 for one replication).
    pub se: f64,
    /// 2.5 % quantile (type 7).
    pub lower: f64,
    /// Median.
    pub median: f64,
    /// 97.5 % quantile (type 7).
    pub upper: f64,
}

impl Band {
    /// The band of the given values (one per replication); `None` when empty or when a value is
    /// not finite.
    pub fn from_values(values: &[f64]) -> Option<Band> {
        if values.is_empty() || values.iter().any(|v| !v.is_finite()) {
            return None;
        }
        let mut sorted = values.to_vec();
        sorted.sort_by(f64::total_cmp);
        let n = values.len() as f64;
        let mean = values.iter().sum::<f64>() / n;
        let se = if values.len() > 1 {
            let ss: f64 = values.iter().map(|v| (v - mean).powi(2)).sum();
            (ss / (n - 1.0) / n).sqrt()
        } else {
            0.0
        };
        let q = |p| crate::stats::quantile_type7(&sorted, p).unwrap_or(f64::NAN);
        Some(Band {
            mean,
            se,
            lower: q(BAND_QUANTILES.0),
            median: q(0.5),
            upper: q(BAND_QUANTILES.1),
        })
    }

    /// Whether `x` lies in `[lower, upper]`.
    pub fn covers(&self, x: f64) -> bool {
        self.lower <= x && x <= self.upper
    }
}

/// Per-period bands of a series: `bands[t]` summarises period `t` over replications.
pub(crate) fn series_bands(rows: &[&[f64]]) -> Vec<Band> {
    let periods = rows.first().map_or(0, |r| r.len());
    let mut column = Vec::with_capacity(rows.len());
    (0..periods)
        .map(|t| {
            column.clear();
            column.extend(rows.iter().map(|r| r[t]));
            Band::from_values(&column).unwrap_or(Band {
                mean: f64::NAN,
                se: f64::NAN,
                lower: f64::NAN,
                median: f64::NAN,
                upper: f64::NAN,
            })
        })
        .collect()
}

/// Runs `f(r)` for every replication `r` in `0..replications` on up to `threads` threads and
/// returns the results in replication order (deterministic whatever the scheduling).
pub(crate) fn run_replications<T, F>(replications: usize, threads: usize, f: F) -> Vec<T>
where
    T: Send,
    F: Fn(u64) -> T + Sync,
{
    use std::sync::atomic::{AtomicUsize, Ordering};
    let threads = threads.clamp(1, replications.max(1));
    if threads == 1 {
        return (0..replications).map(|r| f(r as u64)).collect();
    }
    let next = AtomicUsize::new(0);
    let mut parts: Vec<Vec<(usize, T)>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                s.spawn(|| {
                    let mut out = Vec::new();
                    loop {
                        let r = next.fetch_add(1, Ordering::Relaxed);
                        if r >= replications {
                            break out;
                        }
                        out.push((r, f(r as u64)));
                    }
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    });
    let mut all: Vec<(usize, T)> = parts.iter_mut().flat_map(std::mem::take).collect();
    all.sort_by_key(|(r, _)| *r);
    all.into_iter().map(|(_, t)| t).collect()
}

/// The number of threads to use by default: the available cores.
pub(crate) fn default_threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// Invalid input to a scenario model.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ScenarioError {
    /// A number outside its domain (negative rate, factor ≤ 0, probability outside [0, 1], …).
    #[error(
        "ogiltigt värde för {name}: {value} (krav: {requirement}) / invalid {name}: {value} (must be {requirement})"
    )]
    Invalid {
        /// The argument.
        name: &'static str,
        /// Its value.
        value: f64,
        /// What it must satisfy.
        requirement: &'static str,
    },
    /// A required sample or list is empty.
    #[error("{name} är tom / {name} is empty")]
    Empty {
        /// What is empty.
        name: &'static str,
    },
    /// Two inputs that must agree in length do not.
    #[error("{name}: längd {got}, väntad {expected} / {name}: length {got}, expected {expected}")]
    Length {
        /// What is mismatched.
        name: &'static str,
        /// Its length.
        got: usize,
        /// The length required.
        expected: usize,
    },
}

/// Checks `value` is finite and ≥ 0.
pub(crate) fn non_negative(name: &'static str, value: f64) -> Result<f64, ScenarioError> {
    if value.is_finite() && value >= 0.0 {
        Ok(value)
    } else {
        Err(ScenarioError::Invalid {
            name,
            value,
            requirement: "finite and ≥ 0",
        })
    }
}

/// Checks `value` is finite and > 0.
pub(crate) fn positive(name: &'static str, value: f64) -> Result<f64, ScenarioError> {
    if value.is_finite() && value > 0.0 {
        Ok(value)
    } else {
        Err(ScenarioError::Invalid {
            name,
            value,
            requirement: "finite and > 0",
        })
    }
}

/// Checks `value` is a probability in [0, 1].
pub(crate) fn probability(name: &'static str, value: f64) -> Result<f64, ScenarioError> {
    if (0.0..=1.0).contains(&value) {
        Ok(value)
    } else {
        Err(ScenarioError::Invalid {
            name,
            value,
            requirement: "in [0, 1]",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn band_of_known_values() {
        let v: Vec<f64> = (1..=201).map(f64::from).collect();
        let b = Band::from_values(&v).unwrap();
        assert_eq!(b.mean, 101.0);
        assert_eq!(b.median, 101.0);
        assert_eq!(b.lower, 6.0);
        assert_eq!(b.upper, 196.0);
        assert!(b.covers(6.0) && !b.covers(5.9));
        assert!(Band::from_values(&[]).is_none());
        assert!(Band::from_values(&[1.0, f64::NAN]).is_none());
    }

    #[test]
    fn replications_come_back_in_order_whatever_the_threads() {
        let one = run_replications(37, 1, |r| r * r);
        let four = run_replications(37, 4, |r| r * r);
        assert_eq!(one, four);
        assert_eq!(one[36], 36 * 36);
        assert!(run_replications(0, 3, |r| r).is_empty());
    }
}
