//! A care chain from its patients: per step the share reaching it within the horizon (the
//! cumulative incidence with death as a competing event; death itself by Kaplan–Meier), the
//! curve with its 95 % band, the time to it among those who reach it (quartiles with
//! distribution-free order-statistic intervals), the most common paths and the cost per patient.
//!
//! Follow-up of each patient starts at time zero (the index admission, or its discharge) and ends at the horizon, at death
//! or at the end of the delivered data, whichever comes first (censoring).

use super::cohort::Patient;
use super::recipe::{AnalysisRecipe, StepEvent};
use crate::stats::special::binomial_quantile;
use crate::stats::{Confidence, KaplanMeier, Observation, cumulative_incidence, mean_t, wilson};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One point of a step's curve (share reached by `day`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct CurvePoint {
    /// Days since time zero.
    pub day: f64,
    /// Patients still followed and not yet at the step just before `day`.
    pub at_risk: u64,
    /// Patients reaching the step on `day`.
    pub events: u64,
    /// Share reached by `day`.
    pub share: f64,
    /// Lower 95 % limit.
    pub lower: f64,
    /// Upper 95 % limit.
    pub upper: f64,
}

/// A quantile of the time to a step among the patients who reach it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct TimeQuantile {
    /// 0.25, 0.5 or 0.75.
    pub p: f64,
    /// Days (the ⌈n·p⌉-th smallest time).
    pub days: f64,
    /// Lower limit of the distribution-free 95 % interval (an order statistic; −∞, written
    /// as JSON `null`, when too few patients reach the step for one).
    #[serde(deserialize_with = "null_is_minus_infinity")]
    pub lower: f64,
    /// Upper limit (+∞, JSON `null`, likewise).
    #[serde(deserialize_with = "null_is_infinity")]
    pub upper: f64,
    /// Patients below it (what disclosure control counts).
    pub below: u64,
    /// Patients above it.
    pub above: u64,
    /// Patients reaching the step (the n of the order statistics).
    pub n: u64,
    /// Rank (1-based) of the lower limit among them; `None` when it is −∞.
    pub lower_rank: Option<u64>,
    /// Rank of the upper limit; `None` when it is +∞.
    pub upper_rank: Option<u64>,
}

/// JSON has no infinity: an unbounded limit is written as `null` and read back as −∞.
fn null_is_minus_infinity<'de, D: serde::Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    Ok(Option::<f64>::deserialize(d)?.unwrap_or(f64::NEG_INFINITY))
}

/// See [`null_is_minus_infinity`]: read back as +∞.
fn null_is_infinity<'de, D: serde::Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    Ok(Option::<f64>::deserialize(d)?.unwrap_or(f64::INFINITY))
}

/// One step's result (unsuppressed).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StepResult {
    /// Step id.
    pub id: String,
    /// Patients observed to reach it within their follow-up.
    pub reached: u64,
    /// Patients whose follow-up ended before the horizon without reaching it or dying
    /// (censored by the end of the data).
    pub censored: u64,
    /// Share reaching it within the horizon, with its 95 % interval (the curve's end).
    pub share: CurvePoint,
    /// Share reached by day 30 (30-day mortality for death), when any patient reached it by
    /// then: the curve's last point up to day 30.
    pub by_day_30: Option<CurvePoint>,
    /// The curve, one point per day on which a patient reached the step.
    pub curve: Vec<CurvePoint>,
    /// Quartiles of the time to it among those reaching it.
    pub quantiles: Vec<TimeQuantile>,
    /// How the share is estimated.
    pub method: String,
}

/// The cost per patient over the horizon (patients followed the whole horizon or until death).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct CostResult {
    /// Patients counted.
    pub patients: u64,
    /// Mean cost (SEK) of the index stay.
    pub index_stay: f64,
    /// Mean cost (SEK) of all linked contacts from the index admission to the horizon.
    pub total: f64,
    /// Lower 95 % limit of `total` (t interval, cut at 0: a cost is never negative).
    pub lower: f64,
    /// Upper limit.
    pub upper: f64,
    /// The share of the total cost borne by the costliest 1 %, 5 % and 10 % of the patients.
    pub concentration: [Concentration; 3],
}

/// Cost concentration: the share of all cost borne by the costliest `top` of the patients.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Concentration {
    /// 0.01, 0.05 or 0.10.
    pub top: f64,
    /// Patients in that group (⌈n · top⌉).
    pub patients: u64,
    /// Their share of the total cost (`None` when the total is 0, or hidden on publication).
    pub share: Option<f64>,
}

/// The cost shares of the costliest 1 %, 5 % and 10 % of patients with `totals` costs.
pub(crate) fn concentration(totals: &[f64]) -> [Concentration; 3] {
    let mut sorted = totals.to_vec();
    sorted.sort_by(|a, b| b.total_cmp(a));
    let all: f64 = sorted.iter().sum();
    [0.01, 0.05, 0.10].map(|top| {
        let k = ((sorted.len() as f64 * top).ceil() as usize).min(sorted.len());
        Concentration {
            top,
            patients: k as u64,
            share: (all > 0.0).then(|| sorted[..k].iter().sum::<f64>() / all),
        }
    })
}

/// A care chain's result, unsuppressed (operators and the disclosure step only).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChainResult {
    /// Analysis id.
    pub analysis: String,
    /// Recipe hash.
    pub hash: String,
    /// Region (`00` = every region, each linked within itself).
    pub region: String,
    /// Patients in the cohort.
    pub patients: u64,
    /// Per step.
    pub steps: Vec<StepResult>,
    /// Paths: the steps reached within the horizon in time order, and how many patients took it.
    pub paths: Vec<(Vec<String>, u64)>,
    /// Cost per patient.
    pub cost: Option<CostResult>,
}

/// Time (days from time zero) each patient reaches each step, if within follow-up.
fn step_times(p: &Patient, recipe: &AnalysisRecipe, end: f64) -> Vec<Option<f64>> {
    let t0 = p.t0;
    let discharge = p.index.discharged;
    let later = |c: &&super::cohort::Contact| c.admitted >= discharge && c.id != p.index.id;
    recipe
        .steps()
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let at = match &s.event {
                StepEvent::Procedure { codes } => p
                    .procedures
                    .iter()
                    .find(|(c, t)| *t >= p.index.admitted && codes.contains(c))
                    .map(|(_, t)| *t),
                StepEvent::Discharge => (!p.index.died_in_stay).then_some(discharge),
                StepEvent::Contact { .. } => p
                    .contacts
                    .iter()
                    .filter(later)
                    .find(|c| c.matches.get(i).copied().unwrap_or(false))
                    .map(|c| c.admitted),
                StepEvent::Readmission => p
                    .contacts
                    .iter()
                    .filter(later)
                    .find(|c| c.emergency_inpatient && c.admitted > discharge)
                    .map(|c| c.admitted),
                StepEvent::Death => p.death,
            }?;
            let days = (at - t0).max(0.0);
            (days <= end).then_some(days)
        })
        .collect()
}

/// The end of follow-up (days from the index) and whether it was the horizon or death.
fn follow_up_end(p: &Patient, horizon: f64) -> (f64, bool) {
    let t0 = p.t0;
    let death = p.death.map(|d| (d - t0).max(0.0));
    let end = horizon.min(p.data_end - t0).max(0.0);
    match death {
        Some(d) if d <= end => (d, true),
        _ => (end, end >= horizon),
    }
}

/// The ⌈n·p⌉-th order statistic and its distribution-free interval: order statistics
/// `(l, u)` with `l` = the binomial(n, p) α/2 quantile and `u` = its 1 − α/2 quantile + 1.
fn order_quantile(sorted: &[f64], p: f64, conf: Confidence) -> Option<TimeQuantile> {
    let n = sorted.len();
    if n == 0 {
        return None;
    }
    let rank = ((n as f64 * p).ceil() as usize).clamp(1, n);
    let l = binomial_quantile(conf.lower_tail(), n as u64, p) as usize;
    let u = binomial_quantile(conf.upper_tail(), n as u64, p) as usize + 1;
    Some(TimeQuantile {
        p,
        days: sorted[rank - 1],
        lower: if l >= 1 {
            sorted[l - 1]
        } else {
            f64::NEG_INFINITY
        },
        upper: if u <= n { sorted[u - 1] } else { f64::INFINITY },
        below: (rank - 1) as u64,
        above: (n - rank) as u64,
        n: n as u64,
        lower_rank: (l >= 1).then_some(l as u64),
        upper_rank: (u <= n).then_some(u as u64),
    })
}

/// Compute the chain over `patients` (already restricted to one region or all).
pub fn chain(recipe: &AnalysisRecipe, region: &str, patients: &[Patient]) -> ChainResult {
    let conf = Confidence::P95;
    let horizon = recipe.horizon_days();
    let steps = recipe.steps();
    let ends: Vec<(f64, bool)> = patients.iter().map(|p| follow_up_end(p, horizon)).collect();
    let times: Vec<Vec<Option<f64>>> = patients
        .iter()
        .zip(&ends)
        .map(|(p, (end, _))| step_times(p, recipe, *end))
        .collect();
    let mut out_steps = Vec::new();
    for (i, s) in steps.iter().enumerate() {
        let is_death = matches!(s.event, StepEvent::Death);
        let obs: Vec<Observation> = times
            .iter()
            .zip(&ends)
            .zip(patients)
            .map(|((t, (end, _)), p)| match t[i] {
                Some(at) => Observation { time: at, event: 1 },
                None => {
                    let died = p.death.is_some_and(|d| d - p.t0 <= *end);
                    Observation {
                        time: *end,
                        event: if died && !is_death { 2 } else { 0 },
                    }
                }
            })
            .collect();
        let mut reached_times: Vec<f64> = obs
            .iter()
            .filter(|o| o.event == 1)
            .map(|o| o.time)
            .collect();
        reached_times.sort_by(f64::total_cmp);
        let (curve, method) = curve(&obs, is_death, conf);
        let share = curve.last().copied().unwrap_or(CurvePoint {
            day: 0.0,
            at_risk: patients.len() as u64,
            events: 0,
            share: 0.0,
            lower: 0.0,
            upper: wilson(0, patients.len().max(1) as u64, conf).map_or(1.0, |w| w.upper),
        });
        let censored = obs
            .iter()
            .filter(|o| o.event == 0 && o.time < horizon)
            .count() as u64;
        // Without censoring before the horizon the share is exactly reached / patients (the
        // Aalen–Johansen estimate reduces to it), and the Wilson interval is the one for a
        // proportion — also where everybody reached the step, when the delta-method variance
        // is 0 and would claim certainty.
        let share = if censored == 0 && !patients.is_empty() {
            let n = patients.len() as u64;
            let x = (reached_times.len() as u64).min(n);
            wilson(x, n, conf).map_or(share, |w| CurvePoint {
                share: x as f64 / n as f64,
                lower: w.lower,
                upper: w.upper,
                ..share
            })
        } else {
            share
        };
        let by_day_30 = curve.iter().take_while(|p| p.day <= 30.0).last().copied();
        out_steps.push(StepResult {
            id: s.id.clone(),
            reached: reached_times.len() as u64,
            censored,
            share,
            by_day_30,
            curve,
            quantiles: [0.25, 0.5, 0.75]
                .into_iter()
                .filter_map(|q| order_quantile(&reached_times, q, conf))
                .collect(),
            method,
        });
    }
    let mut paths: BTreeMap<Vec<String>, u64> = BTreeMap::new();
    for t in &times {
        let mut reached: Vec<(f64, usize)> = t
            .iter()
            .enumerate()
            .filter_map(|(i, x)| x.map(|x| (x, i)))
            .collect();
        reached.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        *paths
            .entry(
                reached
                    .into_iter()
                    .map(|(_, i)| steps[i].id.clone())
                    .collect(),
            )
            .or_default() += 1;
    }
    let mut paths: Vec<(Vec<String>, u64)> = paths.into_iter().collect();
    paths.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    ChainResult {
        analysis: recipe.spec.id.clone(),
        hash: recipe.hash.clone(),
        region: region.to_owned(),
        patients: patients.len() as u64,
        steps: out_steps,
        paths,
        cost: cost(patients, &ends, horizon, conf),
    }
}

/// The share-reached curve: Aalen–Johansen with death competing, or 1 − Kaplan–Meier for death.
fn curve(obs: &[Observation], is_death: bool, conf: Confidence) -> (Vec<CurvePoint>, String) {
    if obs.is_empty() {
        return (Vec::new(), String::new());
    }
    if is_death {
        let km = KaplanMeier::fit(obs, conf).expect("checked times");
        let points = km
            .steps
            .iter()
            .map(|s| CurvePoint {
                day: s.time,
                at_risk: s.at_risk,
                events: s.events,
                share: 1.0 - s.survival,
                lower: 1.0 - s.upper,
                upper: 1.0 - s.lower,
            })
            .collect();
        (points, "1 − Kaplan–Meier, Greenwood, log(−log) 95 %".into())
    } else {
        let cif = cumulative_incidence(obs, 1, conf).expect("checked times");
        let points = cif
            .iter()
            .filter(|s| s.events > 0)
            .map(|s| CurvePoint {
                day: s.time,
                at_risk: s.at_risk,
                events: s.events,
                share: s.incidence,
                lower: s.lower,
                upper: s.upper,
            })
            .collect();
        (
            points,
            "Aalen–Johansen, död som konkurrerande händelse / death competing, delta method, log(−log) 95 %"
                .into(),
        )
    }
}

fn cost(
    patients: &[Patient],
    ends: &[(f64, bool)],
    horizon: f64,
    conf: Confidence,
) -> Option<CostResult> {
    let complete: Vec<(&Patient, f64)> = patients
        .iter()
        .zip(ends)
        .filter(|(_, (_, complete))| *complete)
        .map(|(p, (end, _))| (p, *end))
        .collect();
    if complete.len() < 2 {
        return None;
    }
    let totals: Vec<f64> = complete
        .iter()
        .map(|(p, end)| {
            p.contacts
                .iter()
                .filter(|c| c.admitted >= p.index.admitted && c.admitted - p.t0 <= end.min(horizon))
                .map(|c| c.cost)
                .sum()
        })
        .collect();
    let n = totals.len() as f64;
    let est = mean_t(&totals, conf).ok()?;
    Some(CostResult {
        patients: totals.len() as u64,
        index_stay: complete.iter().map(|(p, _)| p.index.cost).sum::<f64>() / n,
        total: est.estimate.value,
        lower: est.estimate.lower.max(0.0),
        upper: est.estimate.upper,
        concentration: concentration(&totals),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cost_concentration_counts_the_costliest_patients() {
        let costs: Vec<f64> = (1..=200).map(f64::from).collect();
        let c = concentration(&costs);
        // Top 1 % = 2 patients (200 + 199), 5 % = 10, 10 % = 20, of Σ 1..200 = 20 100.
        assert_eq!(c[0].patients, 2);
        assert!((c[0].share.unwrap() - 399.0 / 20_100.0).abs() < 1e-15);
        assert_eq!(c[1].patients, 10);
        assert!((c[1].share.unwrap() - (191..=200).sum::<i32>() as f64 / 20_100.0).abs() < 1e-15);
        assert_eq!(c[2].patients, 20);
        assert!(concentration(&[0.0, 0.0])[0].share.is_none());
    }

    #[test]
    fn unbounded_limits_survive_json() {
        let q = order_quantile(&[1.0, 2.0, 3.0], 0.5, Confidence::P95).unwrap();
        assert_eq!((q.lower, q.upper), (f64::NEG_INFINITY, f64::INFINITY));
        let text = serde_json::to_string(&q).unwrap();
        assert!(text.contains("\"lower\":null"), "{text}");
        let back: TimeQuantile = serde_json::from_str(&text).unwrap();
        assert_eq!(back, q);
    }

    #[test]
    fn order_statistic_interval_of_the_median() {
        // n = 20: the binomial(20, 0.5) 2.5 % and 97.5 % quantiles are 6 and 14, so the
        // interval is the 6th to the 15th smallest value (coverage 95.9 %).
        let x: Vec<f64> = (1..=20).map(f64::from).collect();
        let q = order_quantile(&x, 0.5, Confidence::P95).unwrap();
        assert_eq!(q.days, 10.0);
        assert_eq!((q.lower, q.upper), (6.0, 15.0));
        assert_eq!((q.below, q.above), (9, 10));
        assert!(order_quantile(&[], 0.5, Confidence::P95).is_none());
    }
}
