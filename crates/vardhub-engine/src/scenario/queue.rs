//! The waiting-list model (`methods.md` §6.3): a FIFO list stepped period by period with
//! additions and removals, in Monte Carlo over replications; and a continuous-time M/M/c
//! simulator for validation against the closed forms.

use std::collections::VecDeque;

use serde::{Deserialize, Serialize};

use super::{
    Band, Rng, ScenarioError, default_threads, non_negative, positive, run_replications,
    series_bands,
};

/// How a flow's count in a period is drawn from its mean.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FlowKind {
    /// Exactly the mean, fractions carried over: period `p` gets
    /// `⌊Σ_{q≤p} mean_q⌋ − ⌊Σ_{q<p} mean_q⌋`.
    Deterministic,
    /// Poisson with the period's mean.
    #[default]
    Poisson,
}

/// Additions to or removals from the list: a mean per period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Flow {
    /// Mean count in each period of the horizon.
    pub means: Vec<f64>,
    /// Deterministic or Poisson.
    pub kind: FlowKind,
}

impl Flow {
    /// The same mean in each of `periods` periods.
    pub fn constant(mean: f64, periods: usize, kind: FlowKind) -> Flow {
        Flow {
            means: vec![mean; periods],
            kind,
        }
    }
}

/// The waiting-list model. In period `p` (days `p·P .. (p+1)·P`, `P = period_days`) the list
/// first loses up to `capacity × capacity_factor` patients from its front (FIFO; unused
/// capacity is lost), then receives the period's additions (spread evenly over the period's
/// days when deterministic, on uniformly drawn days when Poisson). The snapshot is taken at the
/// end of the period, day `(p+1)·P`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WaitingListModel {
    /// Ages in days (days waited so far) of the patients waiting at day 0, in any order; they
    /// are served oldest first.
    pub initial_ages_days: Vec<u32>,
    /// Days per period: 1 (day steps) or 7 (weeks), or any other length.
    pub period_days: u32,
    /// Additions per period (referrals, decisions to treat); its length is the horizon.
    pub additions: Flow,
    /// Removals (capacity) per period, before the factor; same length as `additions`.
    pub capacity: Flow,
    /// The scenario's capacity factor (1.10 = 10 % more capacity).
    pub capacity_factor: f64,
    /// The waiting-time limit in days, 90 for the vårdgaranti.
    pub threshold_days: u32,
}

/// One replication's outputs per period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WaitingListReplication {
    /// Patients on the list at the end of the period.
    pub length: Vec<u32>,
    /// Of them, those who have waited more than the threshold (snapshot measure).
    pub waiting_over: Vec<u32>,
    /// Waits completed (patients removed) in the period.
    pub completed: Vec<u32>,
    /// Of them, waits longer than the threshold (completed-waits measure).
    pub completed_over: Vec<u32>,
    /// Sum of the completed waits in days.
    pub completed_wait_days: Vec<u64>,
    /// The longest completed wait over the horizon (days; 0 if none).
    pub max_wait: u32,
}

/// Headline results over the horizon with their bands.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WaitingListSummary {
    /// List length at the end of the horizon.
    pub final_length: Band,
    /// Snapshot share waiting more than the threshold at the end of the horizon (0 if empty).
    pub final_share_waiting_over: Band,
    /// Waits completed over the horizon.
    pub completed: Band,
    /// Share of the completed waits longer than the threshold (0 if none).
    pub share_completed_over: Band,
    /// Mean completed wait in days (0 if none).
    pub mean_completed_wait: Band,
    /// Longest completed wait in days.
    pub max_wait: Band,
}

/// The result of a run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WaitingListOutcome {
    /// The replications, in order.
    pub replications: Vec<WaitingListReplication>,
    /// Per-period band of the list length.
    pub length: Vec<Band>,
    /// Per-period band of the snapshot share waiting over the threshold.
    pub share_waiting_over: Vec<Band>,
    /// Per-period band of the share of completed waits over the threshold.
    pub share_completed_over: Vec<Band>,
    /// Headline summaries.
    pub summary: WaitingListSummary,
}

fn share(part: f64, whole: f64) -> f64 {
    if whole > 0.0 { part / whole } else { 0.0 }
}

/// Counts of a flow per period (deterministic with carried fractions, or Poisson).
fn draw_counts(flow: &Flow, factor: f64, rng: &mut Rng) -> Vec<u64> {
    match flow.kind {
        FlowKind::Deterministic => {
            // A small tolerance so that e.g. 13.2 · 5 counts as 66 despite rounding.
            let mut cum = 0.0;
            let mut prev = 0u64;
            flow.means
                .iter()
                .map(|m| {
                    cum += m * factor;
                    let now = (cum + 1e-7).floor() as u64;
                    let n = now.saturating_sub(prev);
                    prev = now;
                    n
                })
                .collect()
        }
        FlowKind::Poisson => flow.means.iter().map(|m| rng.poisson(m * factor)).collect(),
    }
}

impl WaitingListModel {
    fn check(&self) -> Result<(), ScenarioError> {
        positive("period_days", f64::from(self.period_days))?;
        positive("capacity_factor", self.capacity_factor)?;
        if self.additions.means.is_empty() {
            return Err(ScenarioError::Empty {
                name: "additions.means",
            });
        }
        if self.capacity.means.len() != self.additions.means.len() {
            return Err(ScenarioError::Length {
                name: "capacity.means",
                got: self.capacity.means.len(),
                expected: self.additions.means.len(),
            });
        }
        for &m in self.additions.means.iter().chain(&self.capacity.means) {
            non_negative("flow mean", m)?;
        }
        Ok(())
    }

    /// Runs `replications` replications on all cores.
    pub fn run(&self, seed: u64, replications: usize) -> Result<WaitingListOutcome, ScenarioError> {
        self.run_with_threads(seed, replications, default_threads())
    }

    /// As [`WaitingListModel::run`] on at most `threads` threads; the result does not depend
    /// on it.
    pub fn run_with_threads(
        &self,
        seed: u64,
        replications: usize,
        threads: usize,
    ) -> Result<WaitingListOutcome, ScenarioError> {
        self.check()?;
        if replications == 0 {
            return Err(ScenarioError::Empty {
                name: "replications",
            });
        }
        let reps = run_replications(replications, threads, |r| {
            self.step_all(&mut Rng::for_replication(seed, r))
        });
        Ok(summarise(reps))
    }

    /// One replication, drawn from the stream [`Rng::for_replication`]`(seed, replication)`.
    pub fn simulate(
        &self,
        seed: u64,
        replication: u64,
    ) -> Result<WaitingListReplication, ScenarioError> {
        self.check()?;
        Ok(self.step_all(&mut Rng::for_replication(seed, replication)))
    }

    fn step_all(&self, rng: &mut Rng) -> WaitingListReplication {
        let periods = self.additions.means.len();
        let len = i64::from(self.period_days);
        let threshold = i64::from(self.threshold_days);
        // The list as arrival days, ascending (FIFO front = oldest).
        let mut ages = self.initial_ages_days.clone();
        ages.sort_unstable_by(|a, b| b.cmp(a));
        let mut list: VecDeque<i64> = ages.iter().map(|&a| -i64::from(a)).collect();
        let removals = draw_counts(&self.capacity, self.capacity_factor, rng);
        let additions = draw_counts(&self.additions, 1.0, rng);
        let mut out = WaitingListReplication {
            length: Vec::with_capacity(periods),
            waiting_over: Vec::with_capacity(periods),
            completed: Vec::with_capacity(periods),
            completed_over: Vec::with_capacity(periods),
            completed_wait_days: Vec::with_capacity(periods),
            max_wait: 0,
        };
        let mut new = Vec::new();
        for p in 0..periods {
            let t = p as i64 * len;
            let (mut done, mut over, mut sum) = (0u32, 0u32, 0u64);
            for _ in 0..removals[p] {
                let Some(arrival) = list.pop_front() else {
                    break;
                };
                let wait = t - arrival;
                done += 1;
                sum += wait as u64;
                if wait > threshold {
                    over += 1;
                }
                out.max_wait = out.max_wait.max(wait as u32);
            }
            let n = additions[p];
            new.clear();
            match self.additions.kind {
                FlowKind::Deterministic => {
                    new.extend((0..n).map(|j| t + (j as i64 * len) / n as i64));
                }
                FlowKind::Poisson => {
                    new.extend((0..n).map(|_| t + rng.below(len as u64) as i64));
                    new.sort_unstable();
                }
            }
            list.extend(new.iter().copied());
            let end = t + len;
            let cutoff = end - threshold;
            out.length.push(list.len() as u32);
            out.waiting_over
                .push(list.partition_point(|&a| a < cutoff) as u32);
            out.completed.push(done);
            out.completed_over.push(over);
            out.completed_wait_days.push(sum);
        }
        out
    }
}

fn summarise(reps: Vec<WaitingListReplication>) -> WaitingListOutcome {
    let f = |v: &[u32]| v.iter().map(|&x| f64::from(x)).collect::<Vec<f64>>();
    let ratio_rows = |num: fn(&WaitingListReplication) -> &Vec<u32>,
                      den: fn(&WaitingListReplication) -> &Vec<u32>| {
        reps.iter()
            .map(|r| {
                num(r)
                    .iter()
                    .zip(den(r))
                    .map(|(&a, &b)| share(f64::from(a), f64::from(b)))
                    .collect::<Vec<f64>>()
            })
            .collect::<Vec<_>>()
    };
    let bands =
        |rows: &Vec<Vec<f64>>| series_bands(&rows.iter().map(Vec::as_slice).collect::<Vec<_>>());
    let length_rows: Vec<Vec<f64>> = reps.iter().map(|r| f(&r.length)).collect();
    let waiting_rows = ratio_rows(|r| &r.waiting_over, |r| &r.length);
    let completed_rows = ratio_rows(|r| &r.completed_over, |r| &r.completed);
    let mut cols: [Vec<f64>; 6] = Default::default();
    for r in &reps {
        let last = r.length.len() - 1;
        let done: f64 = r.completed.iter().map(|&x| f64::from(x)).sum();
        let over: f64 = r.completed_over.iter().map(|&x| f64::from(x)).sum();
        let wait: f64 = r.completed_wait_days.iter().map(|&x| x as f64).sum();
        cols[0].push(f64::from(r.length[last]));
        cols[1].push(share(
            f64::from(r.waiting_over[last]),
            f64::from(r.length[last]),
        ));
        cols[2].push(done);
        cols[3].push(share(over, done));
        cols[4].push(share(wait, done));
        cols[5].push(f64::from(r.max_wait));
    }
    let band = |v: &Vec<f64>| {
        Band::from_values(v).unwrap_or_else(|| unreachable!("finite, non-empty by construction"))
    };
    WaitingListOutcome {
        length: bands(&length_rows),
        share_waiting_over: bands(&waiting_rows),
        share_completed_over: bands(&completed_rows),
        summary: WaitingListSummary {
            final_length: band(&cols[0]),
            final_share_waiting_over: band(&cols[1]),
            completed: band(&cols[2]),
            share_completed_over: band(&cols[3]),
            mean_completed_wait: band(&cols[4]),
            max_wait: band(&cols[5]),
        },
        replications: reps,
    }
}

/// Waiting times in queue (`W_q`, in the time unit of the rates) of `customers` consecutive
/// customers of an M/M/c FIFO queue that starts empty: Poisson arrivals at `arrival_rate`,
/// exponential service at `service_rate` per server, `servers` servers, each customer served
/// by the first server to become free (event-driven; for one server the Lindley recursion).
/// Drop a warm-up from the front before comparing with stationary results.
pub fn simulate_mmc_waits(
    arrival_rate: f64,
    service_rate: f64,
    servers: u32,
    customers: usize,
    seed: u64,
    replication: u64,
) -> Result<Vec<f64>, ScenarioError> {
    let lambda = positive("arrival_rate", arrival_rate)?;
    let mu = positive("service_rate", service_rate)?;
    if servers == 0 {
        return Err(ScenarioError::Invalid {
            name: "servers",
            value: 0.0,
            requirement: "≥ 1",
        });
    }
    let mut rng = Rng::for_replication(seed, replication);
    let mut free_at = vec![0.0f64; servers as usize];
    let mut t = 0.0;
    let mut waits = Vec::with_capacity(customers);
    for _ in 0..customers {
        t += rng.exponential(1.0 / lambda);
        let (k, &f) = free_at
            .iter()
            .enumerate()
            .min_by(|a, b| a.1.total_cmp(b.1))
            .unwrap_or_else(|| unreachable!("servers ≥ 1"));
        let start = f.max(t);
        waits.push(start - t);
        free_at[k] = start + rng.exponential(1.0 / mu);
    }
    Ok(waits)
}

#[cfg(test)]
#[path = "queue_tests.rs"]
mod tests;
