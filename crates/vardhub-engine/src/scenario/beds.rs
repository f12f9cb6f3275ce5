//! The Monte-Carlo bed-census model for one area (a region or a unit) over a horizon of days
//! (`methods.md` §6.2 "Monte-Carlo simulation"; assumptions in the module doc of
//! [`super`]).

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use serde::{Deserialize, Serialize};

use super::{
    Band, Rng, ScenarioError, default_threads, non_negative, run_replications, series_bands,
};

/// What happens to a patient who arrives when every staffed bed is taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Policy {
    /// The ward takes the patient anyway (the Swedish practice): överbeläggningar that day =
    /// max(0, census − staffed beds).
    #[default]
    Overflow,
    /// The patient is refused (the Erlang loss model; for validating the simulator).
    Loss,
}

/// A group of patients (e.g. a DRG group or diagnosis) with its own lengths of stay.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Stratum {
    /// The stratum's share of the baseline admissions (shares are normalised over strata).
    pub share: f64,
    /// Baseline lengths of stay in hours; each admission draws one uniformly (bootstrap).
    pub los_hours: Vec<f64>,
    /// Scenario factor on the length of stay (1 = baseline; 0.9 = 10 % shorter).
    pub los_factor: f64,
    /// Scenario factor on the stratum's admissions (1 = baseline).
    pub demand_factor: f64,
}

impl Stratum {
    /// A stratum with the baseline's LOS and demand (factors 1).
    pub fn new(share: f64, los_hours: Vec<f64>) -> Stratum {
        Stratum {
            share,
            los_hours,
            los_factor: 1.0,
            demand_factor: 1.0,
        }
    }
}

/// The bed model. The simulated period is `staffed_beds.len()` days from 00:00 of day 0; the
/// first `warmup_days` are simulated but left out of every output.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BedModel {
    /// Expected admissions (all strata, before demand factors) in each hour of the simulated
    /// period: `24 × staffed_beds.len()` values (see [`super::ArrivalProfile::hourly_intensity`]).
    pub hourly_arrivals: Vec<f64>,
    /// The strata; at least one.
    pub strata: Vec<Stratum>,
    /// Remaining hours of stay of the patients present at 00:00 of day 0.
    pub initial_remaining_hours: Vec<f64>,
    /// Staffed (disponibla) beds on each simulated day.
    pub staffed_beds: Vec<u32>,
    /// Days simulated first and dropped from the outputs (to start from an empty ward; use
    /// `initial_remaining_hours` instead when the census at the start is known).
    pub warmup_days: usize,
    /// Overflow (default) or loss.
    pub policy: Policy,
}

/// The census hour: the hub's bed collection counts at 06:00.
const CENSUS_HOUR: f64 = 6.0;

/// One replication's daily outputs (warm-up excluded).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BedReplication {
    /// Patients present at 06:00.
    pub census: Vec<u32>,
    /// max(0, census − staffed beds) at 06:00.
    pub overbelaggningar: Vec<u32>,
    /// Patients admitted that day (00–24).
    pub admissions: Vec<u32>,
    /// Patients refused that day ([`Policy::Loss`] only).
    pub refused: Vec<u32>,
    /// Days with the census above the staffed beds.
    pub days_over_capacity: u32,
    /// Bed-days: Σ census at 06:00.
    pub bed_days: u64,
}

/// Headline results with their bands over replications.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BedSummary {
    /// Mean census at 06:00 over the horizon.
    pub mean_census: Band,
    /// Mean occupancy: Σ census / Σ staffed beds over the horizon's days.
    pub mean_occupancy: Band,
    /// The hub's indicator `overbelaggningar_per_100`: 100 · Σ överbeläggningar / Σ staffed
    /// beds over the horizon's days (a mean daily rate per 100 staffed beds).
    pub overbelaggningar_per_100: Band,
    /// Share of days with the census above the staffed beds (the probability of exceeding
    /// capacity on a day).
    pub p_over_capacity: Band,
    /// Days with the census above the staffed beds.
    pub days_over_capacity: Band,
    /// Bed-days: Σ census at 06:00.
    pub bed_days: Band,
    /// Admissions over the horizon.
    pub admissions: Band,
    /// Share of arrivals refused ([`Policy::Loss`]; 0 for overflow).
    pub blocking: Band,
}

/// The result of a run: every replication, per-day bands and the headline summary.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BedOutcome {
    /// The replications, in order.
    pub replications: Vec<BedReplication>,
    /// Staffed beds per output day.
    pub staffed_beds: Vec<u32>,
    /// Per-day band of the census.
    pub census: Vec<Band>,
    /// Per-day band of överbeläggningar.
    pub overbelaggningar: Vec<Band>,
    /// Headline summaries.
    pub summary: BedSummary,
}

/// The model checked and prepared for sampling.
struct Prepared<'a> {
    model: &'a BedModel,
    /// Arrival-rate multiplier Σ share·demand (shares normalised).
    demand: f64,
    /// Cumulative probabilities of the strata among arrivals.
    cumulative: Vec<f64>,
    /// LOS samples with the LOS factor applied.
    los: Vec<Vec<f64>>,
    days: usize,
}

impl BedModel {
    fn prepare(&self) -> Result<Prepared<'_>, ScenarioError> {
        let days = self.staffed_beds.len();
        if days == 0 {
            return Err(ScenarioError::Empty {
                name: "staffed_beds",
            });
        }
        if self.hourly_arrivals.len() != 24 * days {
            return Err(ScenarioError::Length {
                name: "hourly_arrivals",
                got: self.hourly_arrivals.len(),
                expected: 24 * days,
            });
        }
        if self.warmup_days >= days {
            return Err(ScenarioError::Invalid {
                name: "warmup_days",
                value: self.warmup_days as f64,
                requirement: "< simulated days",
            });
        }
        for &x in &self.hourly_arrivals {
            non_negative("hourly_arrivals", x)?;
        }
        for &x in &self.initial_remaining_hours {
            non_negative("initial_remaining_hours", x)?;
        }
        if self.strata.is_empty() {
            return Err(ScenarioError::Empty { name: "strata" });
        }
        let mut weights = Vec::with_capacity(self.strata.len());
        let mut los = Vec::with_capacity(self.strata.len());
        let mut share_total = 0.0;
        for s in &self.strata {
            let share = non_negative("stratum share", s.share)?;
            let demand = non_negative("demand_factor", s.demand_factor)?;
            let factor = non_negative("los_factor", s.los_factor)?;
            if s.los_hours.is_empty() {
                return Err(ScenarioError::Empty { name: "los_hours" });
            }
            let mut sample = Vec::with_capacity(s.los_hours.len());
            for &h in &s.los_hours {
                sample.push(non_negative("los_hours", h)? * factor);
            }
            share_total += share;
            weights.push(share * demand);
            los.push(sample);
        }
        if share_total <= 0.0 {
            return Err(ScenarioError::Invalid {
                name: "sum of stratum shares",
                value: share_total,
                requirement: "> 0",
            });
        }
        let weight_total: f64 = weights.iter().sum();
        let mut acc = 0.0;
        let cumulative = weights
            .iter()
            .map(|w| {
                acc += w;
                if weight_total > 0.0 {
                    acc / weight_total
                } else {
                    1.0
                }
            })
            .collect();
        Ok(Prepared {
            model: self,
            demand: weight_total / share_total,
            cumulative,
            los,
            days,
        })
    }

    /// Runs [`super::REPLICATIONS`]-style `replications` replications on all cores.
    pub fn run(&self, seed: u64, replications: usize) -> Result<BedOutcome, ScenarioError> {
        self.run_with_threads(seed, replications, default_threads())
    }

    /// As [`BedModel::run`] on at most `threads` threads; the result does not depend on it.
    pub fn run_with_threads(
        &self,
        seed: u64,
        replications: usize,
        threads: usize,
    ) -> Result<BedOutcome, ScenarioError> {
        if replications == 0 {
            return Err(ScenarioError::Empty {
                name: "replications",
            });
        }
        let p = self.prepare()?;
        let reps = run_replications(replications, threads, |r| {
            p.simulate(&mut Rng::for_replication(seed, r))
        });
        Ok(self.summarise(reps))
    }

    /// One replication, drawn from the stream [`Rng::for_replication`]`(seed, replication)`.
    pub fn simulate(&self, seed: u64, replication: u64) -> Result<BedReplication, ScenarioError> {
        Ok(self
            .prepare()?
            .simulate(&mut Rng::for_replication(seed, replication)))
    }

    fn summarise(&self, reps: Vec<BedReplication>) -> BedOutcome {
        let staffed: Vec<u32> = self.staffed_beds[self.warmup_days..].to_vec();
        let staffed_total: f64 = staffed.iter().map(|&c| f64::from(c)).sum();
        let days = staffed.len() as f64;
        let sum = |v: &[u32]| v.iter().map(|&x| f64::from(x)).sum::<f64>();
        let ratio = |num: f64, den: f64| if den > 0.0 { num / den } else { 0.0 };
        let mut cols: [Vec<f64>; 8] = Default::default();
        for r in &reps {
            let bed_days = sum(&r.census);
            let over_days = r.census.iter().zip(&staffed).filter(|(n, c)| n > c).count() as f64;
            let admitted = sum(&r.admissions);
            let refused = sum(&r.refused);
            cols[0].push(bed_days / days);
            cols[1].push(ratio(bed_days, staffed_total));
            cols[2].push(100.0 * ratio(sum(&r.overbelaggningar), staffed_total));
            cols[3].push(over_days / days);
            cols[4].push(over_days);
            cols[5].push(bed_days);
            cols[6].push(admitted);
            cols[7].push(ratio(refused, admitted + refused));
        }
        let band = |v: &Vec<f64>| {
            Band::from_values(v)
                .unwrap_or_else(|| unreachable!("finite, non-empty by construction"))
        };
        let summary = BedSummary {
            mean_census: band(&cols[0]),
            mean_occupancy: band(&cols[1]),
            overbelaggningar_per_100: band(&cols[2]),
            p_over_capacity: band(&cols[3]),
            days_over_capacity: band(&cols[4]),
            bed_days: band(&cols[5]),
            admissions: band(&cols[6]),
            blocking: band(&cols[7]),
        };
        let as_f64 = |f: fn(&BedReplication) -> &Vec<u32>| -> Vec<Vec<f64>> {
            reps.iter()
                .map(|r| f(r).iter().map(|&x| f64::from(x)).collect())
                .collect()
        };
        let census = as_f64(|r| &r.census);
        let over = as_f64(|r| &r.overbelaggningar);
        let slices = |v: &Vec<Vec<f64>>| -> Vec<Band> {
            series_bands(&v.iter().map(Vec::as_slice).collect::<Vec<_>>())
        };
        BedOutcome {
            census: slices(&census),
            overbelaggningar: slices(&over),
            replications: reps,
            staffed_beds: staffed,
            summary,
        }
    }
}

/// A departure time in a min-heap (times are finite and ≥ 0, so their bits order them).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Departure(u64);

impl Departure {
    fn new(t: f64) -> Departure {
        Departure(t.to_bits())
    }
    fn time(self) -> f64 {
        f64::from_bits(self.0)
    }
}

impl Prepared<'_> {
    fn stratum(&self, rng: &mut Rng) -> usize {
        if self.cumulative.len() == 1 {
            return 0;
        }
        let u = rng.uniform();
        self.cumulative
            .partition_point(|&c| c <= u)
            .min(self.cumulative.len() - 1)
    }

    fn los(&self, rng: &mut Rng) -> f64 {
        let sample = &self.los[self.stratum(rng)];
        sample[rng.below(sample.len() as u64) as usize]
    }

    /// Adds a stay `[t_in, t_out)` (hours) to the census difference array: counted at every
    /// 06:00 in it.
    fn count_stay(&self, diff: &mut [i32], t_in: f64, t_out: f64) {
        let first = ((t_in - CENSUS_HOUR) / 24.0).ceil().max(0.0) as usize;
        let end = (((t_out - CENSUS_HOUR) / 24.0).ceil().max(0.0) as usize).min(self.days);
        if first < end {
            diff[first] += 1;
            diff[end] -= 1;
        }
    }

    fn simulate(&self, rng: &mut Rng) -> BedReplication {
        let m = self.model;
        let days = self.days;
        let mut diff = vec![0i32; days + 1];
        let mut admissions = vec![0u32; days];
        let mut refused = vec![0u32; days];
        match m.policy {
            Policy::Overflow => {
                for &rem in &m.initial_remaining_hours {
                    self.count_stay(&mut diff, 0.0, rem);
                }
                for (h, &lambda) in m.hourly_arrivals.iter().enumerate() {
                    let k = rng.poisson(lambda * self.demand);
                    if k == 0 {
                        continue;
                    }
                    admissions[h / 24] += k as u32;
                    for _ in 0..k {
                        let t = h as f64 + rng.uniform();
                        let out = t + self.los(rng);
                        self.count_stay(&mut diff, t, out);
                    }
                }
            }
            Policy::Loss => {
                let mut heap: BinaryHeap<Reverse<Departure>> = BinaryHeap::new();
                for &rem in &m.initial_remaining_hours {
                    self.count_stay(&mut diff, 0.0, rem);
                    heap.push(Reverse(Departure::new(rem)));
                }
                let mut times = Vec::new();
                for (h, &lambda) in m.hourly_arrivals.iter().enumerate() {
                    let k = rng.poisson(lambda * self.demand);
                    if k == 0 {
                        continue;
                    }
                    times.clear();
                    times.extend((0..k).map(|_| h as f64 + rng.uniform()));
                    times.sort_by(f64::total_cmp);
                    let beds = m.staffed_beds[h / 24] as usize;
                    for &t in &times {
                        while heap.peek().is_some_and(|d| d.0.time() <= t) {
                            heap.pop();
                        }
                        if heap.len() < beds {
                            let out = t + self.los(rng);
                            self.count_stay(&mut diff, t, out);
                            heap.push(Reverse(Departure::new(out)));
                            admissions[h / 24] += 1;
                        } else {
                            refused[h / 24] += 1;
                        }
                    }
                }
            }
        }
        let w = m.warmup_days;
        let mut census = Vec::with_capacity(days - w);
        let mut level = 0i32;
        for (d, step) in diff[..days].iter().enumerate() {
            level += step;
            if d >= w {
                census.push(level.max(0) as u32);
            }
        }
        let overbelaggningar: Vec<u32> = census
            .iter()
            .zip(&m.staffed_beds[w..])
            .map(|(&n, &c)| n.saturating_sub(c))
            .collect();
        BedReplication {
            days_over_capacity: overbelaggningar.iter().filter(|&&o| o > 0).count() as u32,
            bed_days: census.iter().map(|&n| u64::from(n)).sum(),
            census,
            overbelaggningar,
            admissions: admissions[w..].to_vec(),
            refused: refused[w..].to_vec(),
        }
    }
}

#[cfg(test)]
#[path = "beds_tests.rs"]
mod tests;
