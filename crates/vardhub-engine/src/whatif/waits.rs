//! A waiting-list scenario for one region: the queue of referrals (or decisions) to their first
//! visit (or operation), calibrated on the lake's waiting-time cases, forecast over the horizon
//! with and without a change of capacity or demand.
//!
//! The model, with its assumptions written down:
//! * **Each case has a due date**: start + the wait its priority allows (its medical target). The
//!   clinics serve cases in due order; when capacity falls short, a backlog of cases already due
//!   builds and every case is served that many days late — the *lateness* `L`. The register
//!   records the target (`medicinskt_maldatum`) for some cases, so `L` is observed as
//!   genomförd − måldatum; it is estimated as the median over the baseline's completed cases
//!   with a target and no deviation reason.
//! * **The baseline is in balance**: completions per day equal arrivals per day (a forecast made
//!   at the end of the baseline knows the cases completed in it), and the lateness stays `L`. A
//!   case's wait less `L` is its offset to the due date; offsets are resampled from the
//!   baseline's completed cases (deviation reasons and all), so the forecast keeps the
//!   baseline's mix of priorities.
//! * **A change acts as a fluid queue** from its day `t₀`: capacity `×(1 + c)` and demand
//!   `×(1 + d)` make the backlog `a·L` change by `(d − c)·a` a day, so a case due on day
//!   `u ≥ t₀ − L` is served `(L + (d − c)(u − t₀))/(1 + c)` days late for `u ≥ t₀` and
//!   `(L − c(u − t₀))/(1 + c)` before, never less than 0. Cases due earlier were served before
//!   the change.
//! * **Arrivals follow the baseline's months**: the starts per day of each calendar month of the
//!   baseline relative to the whole baseline (the summer dip in referrals shapes who is
//!   completed when); a month the baseline lacks gets factor 1.
//! * **Uncertainty**: each replication resamples the baseline's cases (the offsets and the
//!   lateness estimate: parameter uncertainty) and draws the arrivals as a Poisson process at
//!   the resampled rate (the month-to-month noise a real month also has). The baseline and the
//!   scenario share every draw, so their difference is the change's effect.
//!
//! Outputs per month: the share of cases completed in the month within 90 days of their start
//! (the care guarantee's measure, PvV and MoV left out as the indicator does), the list at the
//! month's end and the share of it that has waited over 90 days.

use super::file::{Change, ScenarioSpec};
use super::wait_baseline::WaitCase;
use crate::scenario::{Band, Rng, default_threads, run_replications};
use chrono::{Datelike, NaiveDate};
use serde::Serialize;

/// The care guarantee's limit in days.
pub const GUARANTEE_DAYS: i64 = 90;

/// Completed cases with a medical target the lateness needs, at least.
pub const MIN_TARGETS: usize = 20;

/// Why a waiting-list scenario cannot be run (its author or the data must change).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum WaitScenarioError {
    /// No completed case in the baseline.
    #[error(
        "inga genomförda väntetidsärenden i basperioden / no completed waiting-time cases in the baseline"
    )]
    NoCases,
    /// Too few medical target dates to estimate the lateness.
    #[error(
        "för få medicinska måldatum i basperioden ({found}, behöver {MIN_TARGETS}): förseningen kan inte skattas / too few medical target dates in the baseline: the lateness cannot be estimated"
    )]
    NoTargets {
        /// How many there were.
        found: usize,
    },
    /// A change the model cannot apply as written.
    #[error("{0}")]
    Change(String),
}

/// A share with its band, baseline and scenario.
#[derive(Debug, Clone, Serialize)]
pub struct WaitMonth {
    /// The month (`ÅÅÅÅ-MM`).
    pub month: String,
    /// Share completed within 90 days, baseline forecast.
    pub baseline: Band,
    /// The same under the scenario.
    pub scenario: Band,
    /// Scenario − baseline.
    pub difference: Band,
    /// Cases waiting at the month's end, baseline forecast.
    pub list_baseline: Band,
    /// The same under the scenario.
    pub list_scenario: Band,
    /// Share of the list at the month's end that has waited over 90 days, baseline forecast.
    pub over_90_baseline: Band,
    /// The same under the scenario.
    pub over_90_scenario: Band,
    /// What the lake shows for the month, if delivered (the back-test).
    pub observed: Option<ObservedShare>,
}

/// The lake's own share for a month or the horizon.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct ObservedShare {
    /// Completed cases counted (PvV and MoV left out).
    pub completed: u64,
    /// Of them within 90 days.
    pub within: u64,
    /// `within / completed`.
    pub share: f64,
}

/// The horizon as a whole.
#[derive(Debug, Clone, Serialize)]
pub struct WaitHeadline {
    /// Share of the horizon's completed cases within 90 days, baseline forecast.
    pub baseline: Band,
    /// The same under the scenario.
    pub scenario: Band,
    /// Scenario − baseline.
    pub difference: Band,
    /// The list at the horizon's end, baseline forecast.
    pub list_baseline: Band,
    /// The same under the scenario.
    pub list_scenario: Band,
    /// Scenario − baseline.
    pub list_difference: Band,
    /// What the lake shows for the horizon, if all of it is delivered.
    pub observed: Option<ObservedShare>,
}

/// What the model was calibrated on.
#[derive(Debug, Clone, Serialize)]
pub struct WaitCalibration {
    /// Cases completed in the baseline (all reasons).
    pub completed: usize,
    /// Of them with a medical target and no deviation reason (the lateness sample).
    pub with_target: usize,
    /// Completions per day in the baseline (= arrivals per day in balance).
    pub per_day: f64,
    /// The lateness `L` in days.
    pub lateness_days: f64,
    /// Median wait of the baseline's completed cases, days.
    pub median_wait_days: f64,
    /// The baseline's share within 90 days (PvV and MoV left out).
    pub baseline_share: f64,
    /// Arrivals per calendar month (January first) relative to the baseline's mean.
    pub month_factors: [f64; 12],
}

/// The result of a waiting-list scenario.
#[derive(Debug, Clone, Serialize)]
pub struct WaitScenarioResult {
    /// The horizon as a whole.
    pub headline: WaitHeadline,
    /// Month by month.
    pub months: Vec<WaitMonth>,
    /// The calibration.
    pub calibration: WaitCalibration,
    /// Replications run.
    pub replications: usize,
    /// Seed.
    pub seed: u64,
}

/// The fluid queue's change: from day `t0`, capacity × (1 + c), demand × (1 + d).
#[derive(Debug, Clone, Copy, PartialEq)]
struct Shift {
    t0: i64,
    c: f64,
    d: f64,
}

impl Shift {
    /// Days late for a case due on `due`, given the baseline lateness `l`.
    fn lateness(&self, due: f64, l: f64) -> f64 {
        let t0 = self.t0 as f64;
        if due < t0 - l {
            return l;
        }
        let late = if due < t0 {
            (l - self.c * (due - t0)) / (1.0 + self.c)
        } else {
            (l + (self.d - self.c) * (due - t0)) / (1.0 + self.c)
        };
        late.max(0.0)
    }
}

fn day(d: NaiveDate) -> i64 {
    i64::from(d.num_days_from_ce())
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    crate::stats::quantile_type7(v, 0.5).unwrap_or(f64::NAN)
}

/// A baseline case as the model resamples it.
#[derive(Debug, Clone, Copy)]
struct Template {
    wait: f64,
    excluded: bool,
    /// genomförd − måldatum where the target is set and there is no deviation reason.
    late: Option<f64>,
}

/// The change as one shift (one capacity and one demand change at most, acting from one day).
fn shift(s: &ScenarioSpec) -> Result<Option<Shift>, WaitScenarioError> {
    let (mut c, mut d, mut t0) = (None, None, None);
    for ch in &s.changes {
        let from = day(ch.start(&s.horizon));
        if t0.is_some_and(|t| t != from) {
            return Err(WaitScenarioError::Change(
                "väntelistemodellen kräver att ändringarna börjar samma dag / the waiting-list model needs the changes to start on one day".into(),
            ));
        }
        t0 = Some(from);
        let slot = match ch {
            Change::Capacity { factor, .. } => (&mut c, *factor),
            Change::Demand { factor, .. } => (&mut d, *factor),
            other => {
                return Err(WaitScenarioError::Change(format!(
                    "{} gäller inte väntelistemodellen / does not apply to the waiting-list model",
                    other.code()
                )));
            }
        };
        if slot.0.replace(slot.1 - 1.0).is_some() {
            return Err(WaitScenarioError::Change(
                "högst en ändring av varje slag / at most one change of each kind".into(),
            ));
        }
    }
    Ok(t0.map(|t0| Shift {
        t0,
        c: c.unwrap_or(0.0),
        d: d.unwrap_or(0.0),
    }))
}

/// One replication's figures: per month (share base, share scen, list base, list scen,
/// over-90 base, over-90 scen) and the horizon's shares.
struct Rep {
    months: Vec<[f64; 6]>,
    horizon: [f64; 2],
}

/// Run the scenario `s` on its baseline `cases`.
pub fn run(
    s: &ScenarioSpec,
    cases: &[WaitCase],
    replications: usize,
    seed: u64,
) -> Result<WaitScenarioResult, WaitScenarioError> {
    let shift = shift(s)?;
    let (b0, b1) = (day(s.baseline.first_day()), day(s.baseline.end_day()));
    let (h0, h1) = (day(s.horizon.first_day()), day(s.horizon.end_day()));
    let templates: Vec<Template> = cases
        .iter()
        .filter_map(|c| {
            let done = day(c.done?);
            (b0..b1).contains(&done).then(|| Template {
                wait: (done - day(c.start)) as f64,
                excluded: c.excluded(),
                late: c
                    .target
                    .filter(|_| c.deviation.is_none())
                    .map(|t| (done - day(t)) as f64),
            })
        })
        .collect();
    if templates.is_empty() {
        return Err(WaitScenarioError::NoCases);
    }
    let targets: Vec<f64> = templates.iter().filter_map(|t| t.late).collect();
    if targets.len() < MIN_TARGETS {
        return Err(WaitScenarioError::NoTargets {
            found: targets.len(),
        });
    }
    let per_day = templates.len() as f64 / (b1 - b0) as f64;
    let month_factors = month_factors(cases, b0, b1);
    let calibration = WaitCalibration {
        completed: templates.len(),
        with_target: targets.len(),
        per_day,
        lateness_days: median(&mut targets.clone()),
        median_wait_days: median(&mut templates.iter().map(|t| t.wait).collect::<Vec<_>>()),
        baseline_share: share(templates.iter().filter(|t| !t.excluded).map(|t| t.wait)),
        month_factors,
    };
    let months = horizon_months(s);
    let max_wait = templates
        .iter()
        .map(|t| t.wait)
        .fold(0.0, f64::max)
        .min(1000.0);
    let warmup = max_wait.ceil() as i64 + 1;
    let baseline_days = (b1 - b0) as f64;
    let reps = run_replications(replications, default_threads(), |r| {
        replicate(
            &templates,
            shift,
            (h0 - warmup, h1, baseline_days),
            &month_factors,
            &months,
            Rng::for_replication(seed, r),
        )
    });
    // A replication without a completed case in a month (or an empty list) has no share there.
    let band = |f: &dyn Fn(&Rep) -> f64| {
        let v: Vec<f64> = reps.iter().map(f).filter(|x| x.is_finite()).collect();
        Band::from_values(&v).unwrap_or(Band {
            mean: f64::NAN,
            se: f64::NAN,
            lower: f64::NAN,
            median: f64::NAN,
            upper: f64::NAN,
        })
    };
    let observed = observe(cases, &months);
    let month_results = months
        .iter()
        .enumerate()
        .map(|(i, (label, _, _))| WaitMonth {
            month: label.clone(),
            baseline: band(&|r| r.months[i][0]),
            scenario: band(&|r| r.months[i][1]),
            difference: band(&|r| r.months[i][1] - r.months[i][0]),
            list_baseline: band(&|r| r.months[i][2]),
            list_scenario: band(&|r| r.months[i][3]),
            over_90_baseline: band(&|r| r.months[i][4]),
            over_90_scenario: band(&|r| r.months[i][5]),
            observed: observed[i],
        })
        .collect();
    let last = months.len() - 1;
    let horizon_observed = observed.iter().all(Option::is_some).then(|| {
        let (completed, within) = observed
            .iter()
            .flatten()
            .fold((0, 0), |(n, w), o| (n + o.completed, w + o.within));
        ObservedShare {
            completed,
            within,
            share: within as f64 / completed.max(1) as f64,
        }
    });
    Ok(WaitScenarioResult {
        headline: WaitHeadline {
            baseline: band(&|r| r.horizon[0]),
            scenario: band(&|r| r.horizon[1]),
            difference: band(&|r| r.horizon[1] - r.horizon[0]),
            list_baseline: band(&|r| r.months[last][2]),
            list_scenario: band(&|r| r.months[last][3]),
            list_difference: band(&|r| r.months[last][3] - r.months[last][2]),
            observed: horizon_observed,
        },
        months: month_results,
        calibration,
        replications,
        seed,
    })
}

/// The calendar month (0 = January) of a day number.
fn month_of(d: i64) -> usize {
    i32::try_from(d)
        .ok()
        .and_then(NaiveDate::from_num_days_from_ce_opt)
        .map_or(0, |d| d.month0() as usize)
}

/// Starts per day in each calendar month of the baseline `[b0, b1)`, relative to the whole
/// baseline (1 for a month it does not cover, or when it has no starts).
fn month_factors(cases: &[WaitCase], b0: i64, b1: i64) -> [f64; 12] {
    let mut starts = [0.0; 12];
    let mut days = [0.0; 12];
    for d in b0..b1 {
        days[month_of(d)] += 1.0;
    }
    for c in cases {
        let s = day(c.start);
        if (b0..b1).contains(&s) {
            starts[month_of(s)] += 1.0;
        }
    }
    let total: f64 = starts.iter().sum();
    let mean = total / (b1 - b0) as f64;
    std::array::from_fn(|m| {
        if days[m] > 0.0 && mean > 0.0 {
            starts[m] / days[m] / mean
        } else {
            1.0
        }
    })
}

/// The horizon's months: label, first day, day after the last.
fn horizon_months(s: &ScenarioSpec) -> Vec<(String, i64, i64)> {
    let mut out = Vec::new();
    let mut p = s.horizon.from;
    loop {
        let first = NaiveDate::from_ymd_opt(p.year(), p.month(), 1).unwrap_or_default();
        let next = p.next();
        let end = NaiveDate::from_ymd_opt(next.year(), next.month(), 1).unwrap_or_default();
        out.push((p.to_string(), day(first), day(end)));
        if p >= s.horizon.to {
            break;
        }
        p = next;
    }
    out
}

/// Share of `waits` within the guarantee (NaN when empty).
fn share(waits: impl Iterator<Item = f64>) -> f64 {
    let (mut n, mut within) = (0u64, 0u64);
    for w in waits {
        n += 1;
        within += u64::from(w <= GUARANTEE_DAYS as f64);
    }
    if n == 0 {
        f64::NAN
    } else {
        within as f64 / n as f64
    }
}

/// The lake's shares for the horizon's months.
fn observe(cases: &[WaitCase], months: &[(String, i64, i64)]) -> Vec<Option<ObservedShare>> {
    months
        .iter()
        .map(|(_, m0, m1)| {
            let (mut completed, mut within) = (0u64, 0u64);
            for c in cases.iter().filter(|c| !c.excluded()) {
                let Some(done) = c.done.map(day) else {
                    continue;
                };
                if (*m0..*m1).contains(&done) {
                    completed += 1;
                    within += u64::from(done - day(c.start) <= GUARANTEE_DAYS);
                }
            }
            (completed > 0).then(|| ObservedShare {
                completed,
                within,
                share: within as f64 / completed as f64,
            })
        })
        .collect()
}

/// A simulated case: its start, completion under the baseline and the scenario (`i64::MAX`:
/// not in that world), and whether the measures leave it out.
struct SimCase {
    start: i64,
    base: i64,
    scen: i64,
    excluded: bool,
}

/// Which completion day of a simulated case.
type Pick<'a> = &'a dyn Fn(&SimCase) -> i64;

/// One replication: resample the baseline, simulate arrivals from `span.0` (a warm-up as long as
/// the longest baseline wait) to the horizon's end `span.1`, serve them under the baseline and
/// the scenario. `span.2`: the baseline's days.
fn replicate(
    templates: &[Template],
    shift: Option<Shift>,
    span: (i64, i64, f64),
    season: &[f64; 12],
    months: &[(String, i64, i64)],
    mut rng: Rng,
) -> Rep {
    let (a0, h1, baseline_days) = span;
    let n = templates.len() as u64;
    let sample: Vec<Template> = (0..n).map(|_| templates[rng.below(n) as usize]).collect();
    let mut late: Vec<f64> = sample.iter().filter_map(|t| t.late).collect();
    let l = if late.is_empty() {
        median(&mut templates.iter().filter_map(|t| t.late).collect::<Vec<_>>())
    } else {
        median(&mut late)
    };
    // The rate itself is uncertain: a Poisson count over the baseline's days.
    let rate = rng.poisson(n as f64) as f64 / baseline_days;
    let mut cases: Vec<SimCase> = Vec::new();
    for s in a0..h1 {
        let rate = rate * season[month_of(s)];
        let extra = shift.filter(|sh| s >= sh.t0 && sh.d > 0.0);
        let arrivals = rng.poisson(rate);
        let added = extra.map_or(0, |sh| rng.poisson(rate * sh.d));
        for k in 0..arrivals + added {
            let t = sample[rng.below(n) as usize];
            // Less demand: each arrival kept with probability 1 + d (drawn always, so that the
            // baseline's draws do not depend on the change).
            let kept = rng.uniform()
                < 1.0
                    + shift
                        .filter(|sh| s >= sh.t0)
                        .map_or(0.0, |sh| sh.d.min(0.0));
            let offset = (t.wait - l).max(0.0);
            let base = s + t.wait.round() as i64;
            let scen = match shift {
                Some(sh) => s + (offset + sh.lateness(s as f64 + offset, l)).round() as i64,
                None => base,
            };
            let scen = if kept { scen.max(s + 1) } else { i64::MAX };
            cases.push(SimCase {
                start: s,
                // Only the scenario has the added demand.
                base: if k < arrivals { base } else { i64::MAX },
                scen,
                excluded: t.excluded,
            });
        }
    }
    let month = |m0: i64, m1: i64| -> [f64; 6] {
        let share_of = |pick: Pick| {
            share(
                cases
                    .iter()
                    .filter(|c| !c.excluded && (m0..m1).contains(&pick(c)))
                    .map(|c| (pick(c) - c.start) as f64),
            )
        };
        let end = m1 - 1;
        let list = |pick: Pick| {
            let waiting: Vec<i64> = cases
                .iter()
                .filter(|c| c.start <= end && pick(c) > end && pick(c) != i64::MAX)
                .map(|c| end - c.start)
                .collect();
            let over = waiting.iter().filter(|w| **w > GUARANTEE_DAYS).count();
            let n = waiting.len();
            (
                n as f64,
                if n == 0 {
                    f64::NAN
                } else {
                    over as f64 / n as f64
                },
            )
        };
        let (lb, ob) = list(&|c| c.base);
        let (ls, os) = list(&|c| c.scen);
        [share_of(&|c| c.base), share_of(&|c| c.scen), lb, ls, ob, os]
    };
    let months_out = months.iter().map(|(_, m0, m1)| month(*m0, *m1)).collect();
    let (hm0, hm1) = (months[0].1, months[months.len() - 1].2);
    let horizon = [
        share(
            cases
                .iter()
                .filter(|c| !c.excluded && (hm0..hm1).contains(&c.base))
                .map(|c| (c.base - c.start) as f64),
        ),
        share(
            cases
                .iter()
                .filter(|c| !c.excluded && (hm0..hm1).contains(&c.scen))
                .map(|c| (c.scen - c.start) as f64),
        ),
    ];
    Rep {
        months: months_out,
        horizon,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::whatif::file::Scenario;

    fn spec(change: &str) -> ScenarioSpec {
        let text = format!(
            r#"id = "t"
version = "1"
title = {{ sv = "t", en = "t" }}
model = "waiting_list"
region = "25"
baseline = {{ from = "2024-01", to = "2024-12" }}
horizon = {{ from = "2025-01", to = "2025-06" }}
{change}"#
        );
        Scenario::from_toml("t.toml", &text).unwrap().spec
    }

    /// Ten cases started each day of 2023–2024: waits 40–130 days in steps of 10, the medical
    /// target 30 days before completion for those that record one.
    fn cases() -> Vec<WaitCase> {
        let first = NaiveDate::from_ymd_opt(2023, 1, 1).unwrap();
        let mut out = Vec::new();
        for d in 0..730 {
            let start = first + chrono::Duration::days(d);
            for k in 0..10 {
                let done = start + chrono::Duration::days(40 + 10 * k);
                out.push(WaitCase {
                    start,
                    done: Some(done),
                    target: (k % 2 == 0).then(|| done - chrono::Duration::days(30)),
                    deviation: None,
                });
            }
        }
        out
    }

    #[test]
    fn the_fluid_queue_drains_and_builds_as_written() {
        let sh = Shift {
            t0: 1000,
            c: 0.1,
            d: 0.0,
        };
        assert_eq!(sh.lateness(900.0, 30.0), 30.0);
        assert!((sh.lateness(970.0, 30.0) - 30.0).abs() < 1e-9);
        assert!((sh.lateness(1000.0, 30.0) - 30.0 / 1.1).abs() < 1e-9);
        assert!((sh.lateness(1110.0, 30.0) - (30.0 - 11.0) / 1.1).abs() < 1e-9);
        assert_eq!(sh.lateness(1400.0, 30.0), 0.0);
        let more_demand = Shift {
            t0: 1000,
            c: 0.0,
            d: 0.1,
        };
        assert!((more_demand.lateness(1100.0, 30.0) - 40.0).abs() < 1e-9);
    }

    #[test]
    fn without_a_change_the_forecast_is_the_baseline_and_capacity_raises_the_share() {
        let cases = cases();
        let none = run(&spec(""), &cases, 40, 3).unwrap();
        assert_eq!(none.calibration.lateness_days, 30.0);
        assert!((none.calibration.baseline_share - 0.6).abs() < 1e-9);
        assert!(
            (none.headline.baseline.mean - 0.6).abs() < 0.01,
            "{:?}",
            none.headline
        );
        assert_eq!(none.headline.difference.upper, 0.0);
        assert_eq!(none.headline.difference.lower, 0.0);
        let more = run(
            &spec("[[change]]\nkind = \"capacity\"\nfactor = 1.2"),
            &cases,
            40,
            3,
        )
        .unwrap();
        // Same draws: the baseline is the run without a change.
        assert_eq!(more.headline.baseline.mean, none.headline.baseline.mean);
        assert!(more.headline.difference.lower > 0.0, "{:?}", more.headline);
        assert!(more.headline.list_difference.upper < 0.0);
        // Every month gains, the later the more (the backlog drains).
        let gains: Vec<f64> = more.months.iter().map(|m| m.difference.mean).collect();
        assert!(gains.windows(2).all(|w| w[1] >= w[0] - 0.02), "{gains:?}");
    }

    #[test]
    fn without_target_dates_the_lateness_is_not_guessed() {
        let mut cases = cases();
        for c in &mut cases {
            c.target = None;
        }
        assert_eq!(
            run(&spec(""), &cases, 20, 1).unwrap_err(),
            WaitScenarioError::NoTargets { found: 0 }
        );
        assert!(matches!(
            run(
                &spec(
                    "[[change]]\nkind = \"capacity\"\nfactor = 1.1\n[[change]]\nkind = \"capacity\"\nfactor = 1.2"
                ),
                &super::tests::cases(),
                20,
                1
            ),
            Err(WaitScenarioError::Change(_))
        ));
    }
}
