//! A bed scenario for one region: each somatic ward simulated with the model of
//! [`crate::scenario::beds`] (arrivals with the region's month and hour-of-week profile at the
//! ward's own rate, lengths of stay resampled from the ward's own completed stays), the baseline
//! forecast and the scenario with the same random draws (common random numbers, so their
//! difference is the change's effect, not noise), then put together per day as the bed
//! collection counts: överbeläggningar = Σ over wards of max(0, census − staffed beds), less the
//! patients placed on another ward of the same hospital that has free staffed beds
//! (*utlokaliserade*), at the region's baseline share of placing the excess.

use super::calibrate::{BedBaseline, Stay};
use super::file::{Change, ScenarioSpec};
use crate::scenario::{ArrivalProfile, Band, BedModel, BedReplication, Policy, Rng, Stratum};
use crate::scenario::{default_threads, run_replications};
use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime};
use serde::Serialize;
use std::collections::BTreeMap;

/// Days simulated before the horizon and dropped, at least (and at least the 99th percentile of
/// the lengths of stay), so that the wards start the horizon full as in reality.
pub const MIN_WARMUP_DAYS: usize = 60;

/// Why a bed scenario cannot be run (its author or the data must change).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum BedScenarioError {
    /// No completed somatic stay in the baseline.
    #[error("inga avslutade vårdtillfällen i basperioden / no completed stays in the baseline")]
    NoStays,
    /// No ward with staffed beds.
    #[error("inga vårdenheter i vårdplatsinsamlingen / no wards in the bed collection")]
    NoWards,
    /// The model refused its input.
    #[error(transparent)]
    Model(#[from] crate::scenario::ScenarioError),
    /// A change the bed model cannot apply as written.
    #[error("{0}")]
    Change(String),
}

/// One month's results: the baseline forecast and the scenario, with bands.
#[derive(Debug, Clone, Serialize)]
pub struct MonthResult {
    /// The month (`ÅÅÅÅ-MM`).
    pub month: String,
    /// Överbeläggningar per 100 staffed beds, baseline forecast.
    pub baseline: Band,
    /// The same under the scenario.
    pub scenario: Band,
    /// Mean occupied beds at 06:00, baseline forecast.
    pub census_baseline: Band,
    /// The same under the scenario.
    pub census_scenario: Band,
    /// Mean staffed beds per day, baseline and scenario.
    pub staffed: (f64, f64),
    /// What the lake shows for the month, if delivered (the back-test).
    pub observed: Option<Observed>,
}

/// The bed collection's own figures for a month.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Observed {
    /// Överbeläggningar per 100 staffed beds.
    pub overbelaggningar_per_100: f64,
    /// Mean occupied beds at 06:00.
    pub census: f64,
    /// Days delivered.
    pub days: u32,
}

/// Headline results over the horizon.
#[derive(Debug, Clone, Serialize)]
pub struct Headline {
    /// Överbeläggningar per 100 staffed beds: baseline forecast.
    pub baseline: Band,
    /// … under the scenario.
    pub scenario: Band,
    /// Scenario − baseline, paired by replication.
    pub difference: Band,
    /// Mean occupied beds, scenario − baseline, paired by replication.
    pub census_difference: Band,
    /// Mean occupied beds, baseline and scenario.
    pub census_baseline: Band,
    /// Mean occupied beds under the scenario.
    pub census_scenario: Band,
    /// Bed-days over the horizon, baseline.
    pub bed_days_baseline: Band,
    /// Bed-days under the scenario.
    pub bed_days_scenario: Band,
    /// Share of days with any överbeläggning in the region, baseline.
    pub p_overcrowded_baseline: Band,
    /// … under the scenario.
    pub p_overcrowded_scenario: Band,
    /// The lake's figure over the horizon, where every day is delivered (back-test).
    pub observed: Option<Observed>,
}

/// What the model was calibrated on.
#[derive(Debug, Clone, Serialize)]
pub struct Calibration {
    /// Completed stays used.
    pub stays: usize,
    /// Stays on wards outside the somatic bed collection (not used).
    pub stays_elsewhere: usize,
    /// Wards simulated.
    pub wards: usize,
    /// Admissions per day (baseline).
    pub admissions_per_day: f64,
    /// Mean length of stay in days (baseline).
    pub mean_los_days: f64,
    /// Share of the excess placed on another ward (baseline).
    pub outlying_share: f64,
    /// Days simulated before the horizon and dropped.
    pub warmup_days: usize,
    /// Spread (σ of the log) of a month's admission level beyond Poisson, drawn per replication
    /// (with the Poisson error of the month's baseline estimate; lengths of stay are bootstrapped
    /// per replication).
    pub month_level_sigma: f64,
}

/// The whole result of a bed scenario.
#[derive(Debug, Clone, Serialize)]
pub struct BedScenarioResult {
    /// Horizon headline.
    pub headline: Headline,
    /// Per month.
    pub months: Vec<MonthResult>,
    /// Per day of the horizon: the region's census band, baseline and scenario.
    pub daily_census: Vec<(String, Band, Band)>,
    /// Calibration facts.
    pub calibration: Calibration,
    /// Replications and seed.
    pub replications: usize,
    /// Seed.
    pub seed: u64,
}

fn time_of(seconds: f64) -> Option<NaiveDateTime> {
    DateTime::from_timestamp(seconds.floor() as i64, 0).map(|t| t.naive_utc())
}

fn band(values: &[f64]) -> Band {
    Band::from_values(values).unwrap_or(Band {
        mean: f64::NAN,
        se: f64::NAN,
        lower: f64::NAN,
        median: f64::NAN,
        upper: f64::NAN,
    })
}

/// Staffed beds added per ward: `add` spread in proportion to each ward's mean staffed beds
/// (largest remainder; ties by ward order).
fn spread(add: i32, weights: &[f64]) -> Vec<i32> {
    let total: f64 = weights.iter().sum();
    if total <= 0.0 || weights.is_empty() {
        return vec![0; weights.len()];
    }
    let exact: Vec<f64> = weights.iter().map(|w| f64::from(add) * w / total).collect();
    let mut out: Vec<i32> = exact.iter().map(|x| x.trunc() as i32).collect();
    let mut rest = add - out.iter().sum::<i32>();
    let mut order: Vec<usize> = (0..weights.len()).collect();
    order.sort_by(|&a, &b| {
        let fa = (exact[a] - exact[a].trunc()).abs();
        let fb = (exact[b] - exact[b].trunc()).abs();
        fb.total_cmp(&fa).then(a.cmp(&b))
    });
    let step = rest.signum();
    for i in order.into_iter().cycle() {
        if rest == 0 {
            break;
        }
        out[i] += step;
        rest -= step;
    }
    out
}

/// A standard normal draw (Box–Muller).
fn normal(rng: &mut Rng) -> f64 {
    let u1 = rng.uniform().max(f64::MIN_POSITIVE);
    let u2 = rng.uniform();
    (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
}

/// The spread (σ of the log level) of monthly admission rates beyond Poisson: each interior
/// month's log rate against the mean of its neighbours' (r = ln n_i − (ln n_{i−1} + ln n_{i+1})/2,
/// whose variance is 1.5 σ² plus the Poisson part 1/n_i + (1/n_{i−1} + 1/n_{i+1})/4). A smooth
/// seasonal curve contributes little to r; what remains is the month-to-month irregularity a
/// forecast cannot know. 0 with fewer than three months.
pub fn month_level_sigma(rates: &[f64]) -> f64 {
    let ok: Vec<f64> = rates.iter().copied().filter(|x| *x > 0.0).collect();
    if ok.len() < 3 {
        return 0.0;
    }
    let (mut rr, mut pv, mut k) = (0.0, 0.0, 0.0);
    for w in ok.windows(3) {
        let r = w[1].ln() - (w[0].ln() + w[2].ln()) / 2.0;
        rr += r * r;
        pv += 1.0 / w[1] + (1.0 / w[0] + 1.0 / w[2]) / 4.0;
        k += 1.0;
    }
    ((rr / k - pv / k) / 1.5).max(0.0).sqrt()
}

fn ward_seed(seed: u64, ward: &str) -> u64 {
    // FNV-1a: stable across runs and platforms.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in ward.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    seed ^ h
}

struct Changes {
    los: Option<(f64, super::file::Selection)>,
    demand: Option<(f64, super::file::Selection)>,
    beds: Vec<(i32, NaiveDate)>,
}

fn changes(s: &ScenarioSpec) -> Result<Changes, BedScenarioError> {
    let start = s.horizon.first_day();
    let mut out = Changes {
        los: None,
        demand: None,
        beds: Vec::new(),
    };
    for c in &s.changes {
        let from = c.start(&s.horizon);
        match c {
            Change::StaffedBeds { add, .. } => out.beds.push((*add, from)),
            Change::LengthOfStay { factor, .. } | Change::Demand { factor, .. } => {
                if from != start {
                    return Err(BedScenarioError::Change(format!(
                        "{}: bäddmodellen ändrar vårdtider och efterfrågan från horisontens första dag / the bed model applies this change from the horizon's first day",
                        c.code()
                    )));
                }
                let slot = if matches!(c, Change::LengthOfStay { .. }) {
                    &mut out.los
                } else {
                    &mut out.demand
                };
                if slot.is_some() {
                    return Err(BedScenarioError::Change(format!(
                        "{}: högst en sådan ändring / at most one such change",
                        c.code()
                    )));
                }
                *slot = Some((*factor, c.selection()));
            }
            Change::Capacity { .. } => {
                return Err(BedScenarioError::Change(
                    "capacity: gäller väntelistor / applies to waiting lists".into(),
                ));
            }
        }
    }
    Ok(out)
}

/// The strata of one ward: stays grouped by whether each change selects them.
fn strata(stays: &[&Stay], ch: &Changes, scenario: bool) -> Vec<Stratum> {
    let mut groups: BTreeMap<(bool, bool), Vec<f64>> = BTreeMap::new();
    for st in stays {
        let age = st.age;
        let sel = |c: &Option<(f64, super::file::Selection)>| {
            c.as_ref()
                .is_some_and(|(_, s)| s.selects(st.hdia.as_deref(), age))
        };
        groups
            .entry((sel(&ch.los), sel(&ch.demand)))
            .or_default()
            .push(st.los_hours.max(0.0));
    }
    let n = stays.len() as f64;
    groups
        .into_iter()
        .map(|((in_los, in_demand), los)| {
            let mut s = Stratum::new(los.len() as f64 / n, los);
            if scenario {
                if in_los && let Some((f, _)) = ch.los {
                    s.los_factor = f;
                }
                if in_demand && let Some((f, _)) = ch.demand {
                    s.demand_factor = f;
                }
            }
            s
        })
        .collect()
}

/// Run a bed scenario on its baseline.
pub fn run(
    s: &ScenarioSpec,
    base: &BedBaseline,
    replications: usize,
    seed: u64,
) -> Result<BedScenarioResult, BedScenarioError> {
    if base.stays.is_empty() {
        return Err(BedScenarioError::NoStays);
    }
    if base.wards.is_empty() {
        return Err(BedScenarioError::NoWards);
    }
    let ch = changes(s)?;
    let (b0, b1) = (s.baseline.first_day(), s.baseline.end_day());
    let (h0, h1) = (s.horizon.first_day(), s.horizon.end_day());
    let horizon_days = (h1 - h0).num_days() as usize;
    let baseline_days = (b1 - b0).num_days() as f64;
    let times: Vec<NaiveDateTime> = base
        .stays
        .iter()
        .filter_map(|st| time_of(st.admitted))
        .collect();
    // The region's shape (month, hour of week) from the admissions within the baseline (months
    // it does not cover get no seasonal factor); each ward scaled to its own rate of completed
    // stays.
    let profile = ArrivalProfile::from_admissions(&times, b0, b1 - Duration::days(1))?;
    let mut los: Vec<f64> = base.stays.iter().map(|s| s.los_hours).collect();
    los.sort_by(f64::total_cmp);
    let p99 = los[((los.len() - 1) as f64 * 0.99) as usize] / 24.0;
    let warmup = MIN_WARMUP_DAYS.max(p99.ceil() as usize);
    let start = h0 - Duration::days(warmup as i64);
    let days = warmup + horizon_days;
    let shape = profile.hourly_intensity(start, days);
    let shape_total_per_day = profile.daily_rate.max(1e-12);

    // Staffed beds per ward and day: the bed collection's plan where delivered for the horizon,
    // else the ward's baseline mean for that weekday.
    let wards: Vec<(&String, &super::calibrate::WardSeries)> = base.wards.iter().collect();
    let mean_beds: Vec<f64> = wards
        .iter()
        .map(|(_, w)| {
            let v: Vec<f64> = w
                .days
                .iter()
                .filter(|(d, _)| **d >= b0 && **d < b1)
                .map(|(_, x)| f64::from(x.staffed))
                .collect();
            if v.is_empty() {
                0.0
            } else {
                v.iter().sum::<f64>() / v.len() as f64
            }
        })
        .collect();
    let mut added: Vec<Vec<i32>> = vec![vec![0; horizon_days]; wards.len()];
    for (add, from) in &ch.beds {
        let per_ward = spread(*add, &mean_beds);
        for (w, extra) in per_ward.iter().enumerate() {
            for (i, slot) in added[w].iter_mut().enumerate() {
                if h0 + Duration::days(i as i64) >= *from {
                    *slot += extra;
                }
            }
        }
    }
    let beds_on = |w: usize, day: NaiveDate| -> u32 {
        let series = wards[w].1;
        if let Some(x) = series.days.get(&day) {
            return x.staffed;
        }
        let wd = day.weekday();
        let v: Vec<u32> = series
            .days
            .iter()
            .filter(|(d, _)| **d >= b0 && **d < b1 && d.weekday() == wd)
            .map(|(_, x)| x.staffed)
            .collect();
        if v.is_empty() {
            0
        } else {
            (v.iter().map(|x| f64::from(*x)).sum::<f64>() / v.len() as f64).round() as u32
        }
    };
    let horizon_beds: Vec<Vec<u32>> = (0..wards.len())
        .map(|w| {
            (0..horizon_days)
                .map(|i| beds_on(w, h0 + Duration::days(i as i64)))
                .collect()
        })
        .collect();

    // Outlying placement: the region's share of the excess placed elsewhere in the baseline.
    let (mut over, mut out_pl) = (0.0, 0.0);
    for (_, w) in &wards {
        for (d, x) in &w.days {
            if *d >= b0 && *d < b1 {
                over += f64::from(x.overflow);
                out_pl += f64::from(x.outlying);
            }
        }
    }
    let outlying_share = if over + out_pl > 0.0 {
        out_pl / (over + out_pl)
    } else {
        0.0
    };

    // The admission level of each month varies beyond Poisson (epidemics, holidays): each
    // replication draws one level per calendar month of the simulated period, log-normal with
    // the spread seen between neighbouring months of the baseline.
    let mut counts: BTreeMap<(i32, u32), f64> = BTreeMap::new();
    for t in &times {
        let d = t.date();
        if d >= b0 && d < b1 {
            *counts.entry((d.year(), d.month())).or_default() += 1.0;
        }
    }
    let per_day: Vec<f64> = counts
        .iter()
        .map(|(&(y, m), n)| {
            let first = NaiveDate::from_ymd_opt(y, m, 1).unwrap_or(b0);
            let next = if m == 12 {
                NaiveDate::from_ymd_opt(y + 1, 1, 1)
            } else {
                NaiveDate::from_ymd_opt(y, m + 1, 1)
            }
            .unwrap_or(b1);
            let days = (next.min(b1) - first.max(b0)).num_days().max(1) as f64;
            (*n, days)
        })
        .map(|(n, d)| if n > 0.0 { n / d * 30.0 } else { 0.0 })
        .collect();
    let sigma = month_level_sigma(&per_day);
    let mut months_of_period: Vec<(i32, u32)> = Vec::new();
    let hour_month: Vec<usize> = (0..days * 24)
        .map(|h| {
            let d = start + Duration::days((h / 24) as i64);
            let key = (d.year(), d.month());
            match months_of_period.iter().position(|k| *k == key) {
                Some(i) => i,
                None => {
                    months_of_period.push(key);
                    months_of_period.len() - 1
                }
            }
        })
        .collect();
    // A month's level is also only estimated: from the baseline's admissions in that month of
    // the year (Poisson error 1/n on the log scale) — the forecast's parameter uncertainty.
    let mut by_month_of_year = [0.0f64; 12];
    for ((_, m), n) in &counts {
        by_month_of_year[(*m - 1) as usize] += n;
    }
    let month_sd: Vec<f64> = months_of_period
        .iter()
        .map(|(_, m)| {
            let n = by_month_of_year[(*m - 1) as usize];
            (sigma * sigma + if n > 0.0 { 1.0 / n } else { 0.0 }).sqrt()
        })
        .collect();
    let month_levels: Vec<Vec<f64>> = (0..replications as u64)
        .map(|r| {
            let mut rng = Rng::for_replication(seed ^ 0x6d6f_6e74_685f_6c76, r);
            month_sd
                .iter()
                .map(|sd| (sd * normal(&mut rng) - sd * sd / 2.0).exp())
                .collect()
        })
        .collect();

    // Simulate every ward, baseline and scenario, with the same seed per ward.
    let mut reps_base: Vec<Vec<BedReplication>> = Vec::new();
    let mut reps_scen: Vec<Vec<BedReplication>> = Vec::new();
    for (w, (name, _)) in wards.iter().enumerate() {
        let own: Vec<&Stay> = base.stays.iter().filter(|s| &s.ward == *name).collect();
        let rate_share = own.len() as f64 / baseline_days / shape_total_per_day;
        let hourly: Vec<f64> = shape.iter().map(|x| x * rate_share).collect();
        let first = horizon_beds[w].first().copied().unwrap_or(0);
        let mut beds_b = vec![first; warmup];
        beds_b.extend(&horizon_beds[w]);
        let mut beds_s = vec![first; warmup];
        beds_s.extend(
            horizon_beds[w]
                .iter()
                .zip(&added[w])
                .map(|(b, a)| (i64::from(*b) + i64::from(*a)).max(0) as u32),
        );
        let ws = ward_seed(seed, name);
        let run =
            |scenario: bool, beds: Vec<u32>| -> Result<Vec<BedReplication>, BedScenarioError> {
                if own.is_empty() {
                    let zero = BedReplication {
                        census: vec![0; horizon_days],
                        overbelaggningar: vec![0; horizon_days],
                        admissions: vec![0; horizon_days],
                        refused: vec![0; horizon_days],
                        days_over_capacity: 0,
                        bed_days: 0,
                    };
                    return Ok(vec![zero; replications]);
                }
                let model = BedModel {
                    hourly_arrivals: Vec::new(),
                    strata: strata(&own, &ch, scenario),
                    initial_remaining_hours: Vec::new(),
                    staffed_beds: beds,
                    warmup_days: warmup,
                    policy: Policy::Overflow,
                };
                // Each replication: the ward's intensity × that replication's month levels
                // (common to every ward and to baseline and scenario).
                let reps = run_replications(replications, default_threads(), |r| {
                    let mut m = model.clone();
                    // The ward's lengths of stay are a sample too: each replication draws its
                    // own bootstrap of them (the same for baseline and scenario).
                    let mut boot = Rng::for_replication(ws ^ 0x6c6f_735f_626f_6f74, r);
                    for st in &mut m.strata {
                        let n = st.los_hours.len() as u64;
                        st.los_hours = (0..n)
                            .map(|_| st.los_hours[boot.below(n) as usize])
                            .collect();
                    }
                    let levels = &month_levels[r as usize];
                    m.hourly_arrivals = hourly
                        .iter()
                        .enumerate()
                        .map(|(h, x)| x * levels[hour_month[h]])
                        .collect();
                    m.simulate(ws, r)
                });
                Ok(reps.into_iter().collect::<Result<Vec<_>, _>>()?)
            };
        reps_base.push(run(false, beds_b)?);
        reps_scen.push(run(true, beds_s)?);
    }

    // Put the wards together per replication and day.
    let hospitals: Vec<&str> = wards.iter().map(|(_, w)| w.sjukhus.as_str()).collect();
    let region_day = |reps: &[Vec<BedReplication>],
                      r: usize,
                      i: usize,
                      beds: &dyn Fn(usize) -> u32|
     -> (f64, f64, f64) {
        // (census, överbeläggningar after placement, staffed)
        let mut by_hospital: BTreeMap<&str, (f64, f64)> = BTreeMap::new();
        let (mut census, mut staffed) = (0.0, 0.0);
        for w in 0..wards.len() {
            let c = f64::from(reps[w][r].census[i]);
            let b = f64::from(beds(w));
            census += c;
            staffed += b;
            let e = by_hospital.entry(hospitals[w]).or_default();
            e.0 += (c - b).max(0.0);
            e.1 += (b - c).max(0.0);
        }
        let over: f64 = by_hospital
            .values()
            .map(|(excess, free)| excess - (outlying_share * excess).min(*free))
            .sum();
        (census, over, staffed)
    };
    let day_of = |i: usize| h0 + Duration::days(i as i64);
    let month_of = |i: usize| {
        let d = day_of(i);
        format!("{:04}-{:02}", d.year(), d.month())
    };
    let month_keys: Vec<String> = {
        let mut v: Vec<String> = (0..horizon_days).map(month_of).collect();
        v.dedup();
        v
    };
    struct Acc {
        over: f64,
        census: f64,
        staffed: f64,
        days: f64,
        crowded_days: f64,
    }
    let collect =
        |reps: &[Vec<BedReplication>], scenario: bool| -> Vec<(BTreeMap<String, Acc>, Vec<f64>)> {
            (0..replications)
                .map(|r| {
                    let mut months: BTreeMap<String, Acc> = BTreeMap::new();
                    let mut daily = Vec::with_capacity(horizon_days);
                    for i in 0..horizon_days {
                        let beds = |w: usize| {
                            let b = i64::from(horizon_beds[w][i])
                                + if scenario { i64::from(added[w][i]) } else { 0 };
                            b.max(0) as u32
                        };
                        let (c, o, st) = region_day(reps, r, i, &beds);
                        daily.push(c);
                        let a = months.entry(month_of(i)).or_insert(Acc {
                            over: 0.0,
                            census: 0.0,
                            staffed: 0.0,
                            days: 0.0,
                            crowded_days: 0.0,
                        });
                        a.over += o;
                        a.census += c;
                        a.staffed += st;
                        a.days += 1.0;
                        if o > 0.0 {
                            a.crowded_days += 1.0;
                        }
                    }
                    (months, daily)
                })
                .collect()
        };
    let base_r = collect(&reps_base, false);
    let scen_r = collect(&reps_scen, true);
    let per100 = |a: &Acc| {
        if a.staffed > 0.0 {
            100.0 * a.over / a.staffed
        } else {
            0.0
        }
    };
    let total = |m: &BTreeMap<String, Acc>| -> Acc {
        m.values().fold(
            Acc {
                over: 0.0,
                census: 0.0,
                staffed: 0.0,
                days: 0.0,
                crowded_days: 0.0,
            },
            |t, a| Acc {
                over: t.over + a.over,
                census: t.census + a.census,
                staffed: t.staffed + a.staffed,
                days: t.days + a.days,
                crowded_days: t.crowded_days + a.crowded_days,
            },
        )
    };
    let observed_for = |from: NaiveDate, to: NaiveDate| -> Option<Observed> {
        let mut per_day: BTreeMap<NaiveDate, (f64, f64, f64)> = BTreeMap::new();
        for (_, w) in &wards {
            for (d, x) in w.days.range(from..to) {
                let e = per_day.entry(*d).or_default();
                e.0 += f64::from(x.overflow);
                e.1 += f64::from(x.staffed);
                e.2 += f64::from(x.occupied);
            }
        }
        let want = (to - from).num_days() as usize;
        if per_day.len() < want || want == 0 {
            return None;
        }
        let (o, st, c) = per_day
            .values()
            .fold((0.0, 0.0, 0.0), |t, x| (t.0 + x.0, t.1 + x.1, t.2 + x.2));
        Some(Observed {
            overbelaggningar_per_100: if st > 0.0 { 100.0 * o / st } else { 0.0 },
            census: c / per_day.len() as f64,
            days: per_day.len() as u32,
        })
    };
    let months = month_keys
        .iter()
        .map(|m| {
            let pick =
                |rs: &[(BTreeMap<String, Acc>, Vec<f64>)], f: &dyn Fn(&Acc) -> f64| -> Vec<f64> {
                    rs.iter()
                        .map(|(ms, _)| ms.get(m).map_or(f64::NAN, f))
                        .collect()
                };
            let first = (0..horizon_days).find(|i| &month_of(*i) == m).unwrap_or(0);
            let last = (0..horizon_days)
                .rev()
                .find(|i| &month_of(*i) == m)
                .unwrap_or(0);
            let staffed = |rs: &[(BTreeMap<String, Acc>, Vec<f64>)]| {
                rs.first()
                    .and_then(|(ms, _)| ms.get(m))
                    .map_or(0.0, |a| a.staffed / a.days.max(1.0))
            };
            MonthResult {
                month: m.clone(),
                baseline: band(&pick(&base_r, &per100)),
                scenario: band(&pick(&scen_r, &per100)),
                census_baseline: band(&pick(&base_r, &|a: &Acc| a.census / a.days.max(1.0))),
                census_scenario: band(&pick(&scen_r, &|a: &Acc| a.census / a.days.max(1.0))),
                staffed: (staffed(&base_r), staffed(&scen_r)),
                observed: observed_for(day_of(first), day_of(last) + Duration::days(1)),
            }
        })
        .collect();
    let tot_b: Vec<Acc> = base_r.iter().map(|(m, _)| total(m)).collect();
    let tot_s: Vec<Acc> = scen_r.iter().map(|(m, _)| total(m)).collect();
    let v = |t: &[Acc], f: &dyn Fn(&Acc) -> f64| -> Vec<f64> { t.iter().map(f).collect() };
    let diff: Vec<f64> = tot_b
        .iter()
        .zip(&tot_s)
        .map(|(b, s)| per100(s) - per100(b))
        .collect();
    let headline = Headline {
        baseline: band(&v(&tot_b, &per100)),
        scenario: band(&v(&tot_s, &per100)),
        difference: band(&diff),
        census_difference: band(
            &tot_b
                .iter()
                .zip(&tot_s)
                .map(|(b, s)| (s.census - b.census) / s.days.max(1.0))
                .collect::<Vec<f64>>(),
        ),
        census_baseline: band(&v(&tot_b, &|a| a.census / a.days.max(1.0))),
        census_scenario: band(&v(&tot_s, &|a| a.census / a.days.max(1.0))),
        bed_days_baseline: band(&v(&tot_b, &|a| a.census)),
        bed_days_scenario: band(&v(&tot_s, &|a| a.census)),
        p_overcrowded_baseline: band(&v(&tot_b, &|a| a.crowded_days / a.days.max(1.0))),
        p_overcrowded_scenario: band(&v(&tot_s, &|a| a.crowded_days / a.days.max(1.0))),
        observed: observed_for(h0, h1),
    };
    let daily_census = (0..horizon_days)
        .map(|i| {
            let b: Vec<f64> = base_r.iter().map(|(_, d)| d[i]).collect();
            let s: Vec<f64> = scen_r.iter().map(|(_, d)| d[i]).collect();
            (day_of(i).to_string(), band(&b), band(&s))
        })
        .collect();
    let mean_los =
        base.stays.iter().map(|s| s.los_hours).sum::<f64>() / base.stays.len() as f64 / 24.0;
    Ok(BedScenarioResult {
        headline,
        months,
        daily_census,
        calibration: Calibration {
            stays: base.stays.len(),
            stays_elsewhere: base.stays_elsewhere,
            wards: wards.len(),
            admissions_per_day: base.stays.len() as f64 / baseline_days,
            mean_los_days: mean_los,
            outlying_share,
            warmup_days: warmup,
            month_level_sigma: sigma,
        },
        replications,
        seed,
    })
}

#[cfg(test)]
mod tests {
    use super::{month_level_sigma, spread};

    #[test]
    fn month_levels_vary_only_beyond_poisson() {
        // Smooth rates: no extra spread; alternating ±20 %: about 0.2 / √1.5 · 2 … > 0.1.
        assert_eq!(month_level_sigma(&[1000.0, 1000.0, 1000.0, 1000.0]), 0.0);
        assert_eq!(month_level_sigma(&[1000.0, 2000.0]), 0.0);
        let jumpy = [1000.0, 1200.0, 1000.0, 1200.0, 1000.0, 1200.0];
        assert!(month_level_sigma(&jumpy) > 0.1);
    }

    #[test]
    fn beds_are_spread_by_largest_remainder() {
        assert_eq!(spread(20, &[10.0, 10.0, 20.0]), vec![5, 5, 10]);
        assert_eq!(spread(1, &[1.0, 1.0]), vec![1, 0]);
        assert_eq!(spread(-3, &[2.0, 1.0]), vec![-2, -1]);
        assert_eq!(spread(7, &[0.0, 0.0]), vec![0, 0]);
        assert_eq!(spread(10, &[3.0, 3.0, 3.0]).iter().sum::<i32>(), 10);
    }
}
