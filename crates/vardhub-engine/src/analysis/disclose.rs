//! The one door out for care chains: what of a [`ChainResult`] the public may see under the
//! policy's analysis rules ([`AnalysisRules`]). A value that fails a rule is left out with its
//! status; a value that would let a hidden one be recovered by subtraction is left out too.

use super::chain::{ChainResult, CostResult, CurvePoint, TimeQuantile};
use crate::disclosure::{AnalysisRules, DisclosurePolicy, Status};
use serde::{Deserialize, Serialize};

/// A count with its status.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PublicCount {
    /// The count, when shown.
    pub value: Option<u64>,
    /// Why (not) shown.
    pub status: Status,
}

/// One step as published.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PublicStep {
    /// Step id.
    pub id: String,
    /// Patients reaching it.
    pub reached: PublicCount,
    /// Share reached within the horizon, when shown.
    pub share: Option<CurvePoint>,
    /// Share reached by day 30 (its `day` is 30 and its `events` those by day 30), when the curve
    /// is shown to then and the patients reaching the step by day 30 are not 1–4.
    pub by_day_30: Option<CurvePoint>,
    /// Why the share is (not) shown.
    pub share_status: Status,
    /// The curve while enough patients are at risk, its points grouped so that each carries
    /// enough events.
    pub curve: Vec<CurvePoint>,
    /// Quartiles with enough patients on each side of the value and of both limits.
    pub quantiles: Vec<TimeQuantile>,
    /// Quartiles left out.
    pub quantiles_hidden: usize,
    /// How the share is estimated.
    pub method: String,
}

/// A care chain as published.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PublicChain {
    /// Analysis id.
    pub analysis: String,
    /// Region (`00` = all regions).
    pub region: String,
    /// Patients.
    pub patients: PublicCount,
    /// Steps (empty when the cohort is hidden).
    pub steps: Vec<PublicStep>,
    /// Paths taken by enough patients.
    pub paths: Vec<(Vec<String>, u64)>,
    /// Every other path together.
    pub other_paths: PublicCount,
    /// Cost per patient.
    pub cost: Option<CostResult>,
    /// Policy id and version.
    pub policy: String,
}

pub(super) fn small(v: u64, min: u64) -> bool {
    v >= 1 && v < min
}

pub(super) fn count(v: u64, min: u64) -> PublicCount {
    match v {
        0 => PublicCount {
            value: Some(0),
            status: Status::Zero,
        },
        v if small(v, min) => PublicCount {
            value: None,
            status: Status::HiddenSmall,
        },
        v => PublicCount {
            value: Some(v),
            status: Status::Ok,
        },
    }
}

/// A cost share of the costliest patients is about them: each group, and the rest, needs
/// `min_patients` patients.
pub(super) fn hide_small_shares(
    groups: &mut [super::chain::Concentration; 3],
    patients: u64,
    rules: &AnalysisRules,
) {
    for g in groups {
        if g.patients < rules.min_patients || patients - g.patients < rules.min_patients {
            g.share = None;
        }
    }
}

/// A curve's points grouped so that each published point carries at least `min_events` events
/// (a step of one or two patients' events is their times): the point keeps the estimate at the
/// group's last day, its events are the group's and its risk set the one at the group's start.
pub(super) fn coarsen(points: &[CurvePoint], min_events: u64) -> Vec<CurvePoint> {
    let mut out = Vec::new();
    let mut events = 0;
    let mut at_risk = None;
    for p in points {
        events += p.events;
        let first = *at_risk.get_or_insert(p.at_risk);
        if events >= min_events {
            out.push(CurvePoint {
                events,
                at_risk: first,
                ..*p
            });
            events = 0;
            at_risk = None;
        }
    }
    out
}

fn quantile_ok(q: &TimeQuantile, rules: &AnalysisRules) -> bool {
    // The value and both finite limits are single patients' times: each needs
    // `min_each_side` patients below and above it.
    let side_ok = |rank: u64| rank > rules.min_each_side && q.n - rank >= rules.min_each_side;
    side_ok(q.below + 1) && q.lower_rank.is_none_or(side_ok) && q.upper_rank.is_none_or(side_ok)
}

/// What the public may see of `result` under `policy`.
pub fn public(result: &ChainResult, policy: &DisclosurePolicy) -> PublicChain {
    let rules = policy.analysis();
    let policy_name = format!("{} v{}", policy.id(), policy.version());
    let n = result.patients;
    let patients = count(n, rules.min_patients);
    if patients.value.is_none() || n == 0 {
        return PublicChain {
            analysis: result.analysis.clone(),
            region: result.region.clone(),
            patients,
            steps: Vec::new(),
            paths: Vec::new(),
            other_paths: PublicCount {
                value: None,
                status: Status::NotApplicable,
            },
            cost: None,
            policy: policy_name,
        };
    }
    let proportion = policy.rules().proportion;
    let steps = result
        .steps
        .iter()
        .map(|s| {
            let kept: Vec<CurvePoint> = s
                .curve
                .iter()
                .take_while(|p| p.at_risk >= rules.min_at_risk)
                .copied()
                .collect();
            let whole = kept.len() == s.curve.len();
            let curve = coarsen(&kept, rules.min_patients);
            // The share at the horizon is the curve's end. Where patients were censored it is an
            // estimate whose last steps rest on the patients still at risk: shown only when the
            // whole curve is (at least `min_at_risk` at risk to its end). Without censoring it is
            // exactly reached / patients, a proportion under the proportion rule.
            let tail_ok = s.censored == 0 || whole;
            let primary_ok = !small(s.reached, proportion.min_numerator)
                && !small(n, proportion.min_denominator)
                && !small(n - s.reached.min(n), proportion.min_complement);
            let (share, share_status) = if !primary_ok {
                (None, Status::HiddenSmall)
            } else if !tail_ok {
                (None, Status::HiddenSecondary)
            } else if s.reached == 0 {
                (Some(s.share), Status::Zero)
            } else {
                (Some(s.share), Status::Ok)
            };
            let quantiles: Vec<TimeQuantile> = s
                .quantiles
                .iter()
                .filter(|q| quantile_ok(q, rules))
                .copied()
                .collect();
            // The share by day 30 is published as the curve's value at day 30 (not at the day of
            // the last event before it, which is one patient's time) where the curve is still
            // shown there and the patients reaching the step by then are not 1–4.
            let by_day_30 = s.by_day_30.filter(|p| kept.contains(p)).and_then(|p| {
                let events: u64 = s
                    .curve
                    .iter()
                    .take_while(|q| q.day <= 30.0)
                    .map(|q| q.events)
                    .sum();
                (!small(events, rules.min_patients)).then_some(CurvePoint {
                    day: 30.0,
                    events,
                    ..p
                })
            });
            PublicStep {
                id: s.id.clone(),
                reached: count(s.reached, rules.min_patients),
                share,
                by_day_30,
                share_status,
                curve,
                quantiles_hidden: s.quantiles.len() - quantiles.len(),
                quantiles,
                method: s.method.clone(),
            }
        })
        .collect();
    // Paths: rare ones grouped; if the group is small, more paths join it until it is not.
    let mut shown: Vec<(Vec<String>, u64)> = result
        .paths
        .iter()
        .filter(|p| p.1 >= rules.min_path)
        .cloned()
        .collect();
    let mut other: u64 = n - shown.iter().map(|p| p.1).sum::<u64>();
    while small(other, rules.min_patients) && !shown.is_empty() {
        let smallest = shown.pop().expect("not empty");
        other += smallest.1;
    }
    let other_paths = count(other, rules.min_patients);
    let cost = result
        .cost
        .filter(|c| c.patients >= rules.min_cost_patients)
        .map(|mut c| {
            hide_small_shares(&mut c.concentration, c.patients, rules);
            c
        });
    PublicChain {
        analysis: result.analysis.clone(),
        region: result.region.clone(),
        patients,
        steps,
        paths: shown,
        other_paths,
        cost,
        policy: policy_name,
    }
}
