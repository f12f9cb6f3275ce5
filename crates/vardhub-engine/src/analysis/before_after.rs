//! Before/after with a comparison group: the exposed (a procedure with the exposure's codes
//! within `within_days` of time zero) against cohort members never exposed around their own time
//! zero, matched on region, sex, age and prior use (the cost in the window before), with time
//! zero within a caliper, up to `controls_per_exposed` each without replacement, the nearest in
//! prior cost first.
//!
//! The outcome is the cost of linked contacts admitted in the window before, `[t0 − w, t0)`, and
//! after, `[t0, t0 + w)`. Only cohort members whose two windows (and the exposure window) lie
//! inside their delivered data count. The naive before/after of the matched exposed is published
//! beside the difference-in-differences over the matched sets (each exposed against the mean of
//! its controls; paired t interval), so that regression to the mean — people join after a cost
//! peak — is visible rather than hidden: the comparison group, selected at the same kind of
//! peak, regresses as much.

use super::cohort::Patient;
use super::recipe::{AnalysisRecipe, BeforeAfterSpec, Matching};
use crate::stats::{
    BeforeAfter, Confidence, Effect, did_matched_pairs, mean_t, naive_before_after,
};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// A mean with its 95 % t interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct MeanCi {
    /// The mean.
    pub value: f64,
    /// Lower limit.
    pub lower: f64,
    /// Upper limit.
    pub upper: f64,
}

/// An effect with its 95 % interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct EffectCi {
    /// The estimate (SEK per patient; negative = lower cost after).
    pub estimate: f64,
    /// Lower limit.
    pub lower: f64,
    /// Upper limit.
    pub upper: f64,
    /// Standard error.
    pub se: f64,
    /// Degrees of freedom of the t distribution.
    pub df: f64,
}

impl From<Effect> for EffectCi {
    fn from(e: Effect) -> EffectCi {
        EffectCi {
            estimate: e.estimate,
            lower: e.lower,
            upper: e.upper,
            se: e.se,
            df: e.df,
        }
    }
}

/// One group's outcome.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Group {
    /// Patients.
    pub patients: u64,
    /// Mean cost in the window before.
    pub before: Option<MeanCi>,
    /// Mean cost in the window after.
    pub after: Option<MeanCi>,
}

/// How alike the groups are on one matching variable.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Balance {
    /// `alder`, `kvinnor`, `kostnad_fore`.
    pub variable: String,
    /// Mean among the matched exposed.
    pub exposed: f64,
    /// Mean among their controls (each exposed's controls weighted as one).
    pub comparison: f64,
    /// Standardised mean difference (pooled standard deviation).
    pub smd: Option<f64>,
}

/// Mean cost per patient in one 30-day period of the windows, both groups.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PeriodCost {
    /// First day relative to time zero.
    pub from_day: i32,
    /// Day after the last.
    pub to_day: i32,
    /// Mean among the matched exposed.
    pub exposed: f64,
    /// Mean among their controls (weighted as above).
    pub comparison: f64,
}

/// A before/after result, unsuppressed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BeforeAfterResult {
    /// Analysis id.
    pub analysis: String,
    /// Recipe hash.
    pub hash: String,
    /// Region (`00` = every region; matching is within a region either way).
    pub region: String,
    /// Cohort members whose windows lie inside the data.
    pub eligible: u64,
    /// Of them exposed.
    pub exposed: u64,
    /// Exposed with at least one control.
    pub matched: u64,
    /// Distinct controls used.
    pub controls: u64,
    /// The matching, in words.
    pub method: String,
    /// The matched exposed.
    pub exposed_group: Group,
    /// Their controls (each exposed's controls averaged).
    pub comparison_group: Group,
    /// Mean change after − before of the matched exposed.
    pub naive: Option<EffectCi>,
    /// Difference-in-differences.
    pub did: Option<EffectCi>,
    /// Balance on the matching variables.
    pub balance: Vec<Balance>,
    /// 30-day periods across both windows.
    pub periods: Vec<PeriodCost>,
}

/// One cohort member with complete windows.
struct Member<'a> {
    p: &'a Patient,
    outcome: BeforeAfter,
    age: f64,
    woman: bool,
}

fn cost_in(p: &Patient, from: f64, to: f64) -> f64 {
    p.contacts
        .iter()
        .filter(|c| c.admitted >= from && c.admitted < to)
        .map(|c| c.cost)
        .sum()
}

fn band(value: f64, limits: &[f64]) -> usize {
    limits.iter().take_while(|l| value >= **l).count()
}

/// The stratum a member is matched in (time zero is matched by the caliper).
fn stratum(m: &Member, b: &BeforeAfterSpec) -> (String, bool, i64, usize) {
    let age = m.age as i64;
    let age = match b.matching {
        Matching::Exact => age,
        Matching::Coarsened => age.div_euclid(i64::from(b.age_band_years)),
    };
    (
        m.p.region.clone(),
        m.woman,
        age,
        band(m.outcome.before, &b.prior_cost_bands_sek),
    )
}

/// Matched sets `(exposed, controls)`: in rounds, each exposed still short of the round takes
/// the free control of its stratum with time zero within the caliper that is nearest in prior
/// cost — one per round, so that every exposed gets a first control before any gets a second.
fn match_sets(
    exposed: &[Member],
    pool: &[Member],
    b: &BeforeAfterSpec,
) -> Vec<(usize, Vec<usize>)> {
    let mut strata: BTreeMap<_, Vec<usize>> = BTreeMap::new();
    for (i, m) in pool.iter().enumerate() {
        strata.entry(stratum(m, b)).or_default().push(i);
    }
    let caliper = f64::from(b.time_caliper_days);
    let mut used = BTreeSet::new();
    let mut sets: Vec<Vec<usize>> = vec![Vec::new(); exposed.len()];
    for round in 0..b.controls_per_exposed as usize {
        for (e, m) in exposed.iter().enumerate() {
            if sets[e].len() != round {
                continue;
            }
            let Some(candidates) = strata.get(&stratum(m, b)) else {
                continue;
            };
            let best = candidates
                .iter()
                .copied()
                .filter(|c| !used.contains(c) && (pool[*c].p.t0 - m.p.t0).abs() <= caliper)
                .min_by(|x, y| {
                    let d = |i: &usize| (pool[*i].outcome.before - m.outcome.before).abs();
                    d(x).total_cmp(&d(y)).then(x.cmp(y))
                });
            if let Some(c) = best {
                used.insert(c);
                sets[e].push(c);
            }
        }
    }
    sets.into_iter()
        .enumerate()
        .filter(|(_, c)| !c.is_empty())
        .collect()
}

fn mean_ci(x: &[f64]) -> Option<MeanCi> {
    mean_t(x, Confidence::P95).ok().map(|e| MeanCi {
        value: e.estimate.value,
        // Costs are never negative: a t interval reaching below 0 is cut there.
        lower: e.estimate.lower.max(0.0),
        upper: e.estimate.upper,
    })
}

fn mean(x: impl Iterator<Item = f64>) -> f64 {
    let (n, s) = x.fold((0.0, 0.0), |(n, s), v| (n + 1.0, s + v));
    if n > 0.0 { s / n } else { 0.0 }
}

fn sd(x: &[f64]) -> f64 {
    let m = mean(x.iter().copied());
    let n = x.len() as f64;
    if n < 2.0 {
        return 0.0;
    }
    (x.iter().map(|v| (v - m).powi(2)).sum::<f64>() / (n - 1.0)).sqrt()
}

/// The method in words.
fn method(b: &BeforeAfterSpec) -> String {
    match b.matching {
        Matching::Exact => format!(
            "exakt matchning på region, kön, ålder (år) och tidigare vård (kostnadsband), tidpunkt inom {} dagar, närmast i kostnad först, upp till {} kontroller per exponerad / exact matching",
            b.time_caliper_days, b.controls_per_exposed
        ),
        Matching::Coarsened => format!(
            "grovmatchning (CEM) på region, kön, {}-årsband och tidigare vård (kostnadsband), tidpunkt inom {} dagar, närmast i kostnad först, upp till {} kontroller per exponerad / coarsened exact matching",
            b.age_band_years, b.time_caliper_days, b.controls_per_exposed
        ),
    }
}

/// Compute the before/after over `patients` (already restricted to one region or all).
pub fn before_after(
    recipe: &AnalysisRecipe,
    region: &str,
    patients: &[Patient],
) -> Option<BeforeAfterResult> {
    let b = recipe.spec.before_after.as_ref()?;
    let w = f64::from(b.window_days);
    let within = f64::from(b.exposure.within_days);
    let exposed_at = |p: &Patient, from: f64, to: f64| {
        p.procedures
            .iter()
            .any(|(c, t)| *t >= from && *t <= to && b.exposure.codes.contains(c))
    };
    let mut exposed = Vec::new();
    let mut pool = Vec::new();
    let mut eligible = 0u64;
    for p in patients {
        if p.t0 - w < p.data_start || p.t0 + w.max(within) > p.data_end {
            continue;
        }
        eligible += 1;
        let m = Member {
            p,
            outcome: BeforeAfter {
                before: cost_in(p, p.t0 - w, p.t0),
                after: cost_in(p, p.t0, p.t0 + w),
            },
            age: p.index.alder.unwrap_or(0) as f64,
            woman: p.index.kon.as_deref() == Some("2"),
        };
        if exposed_at(p, p.t0, p.t0 + within) {
            exposed.push(m);
        } else if !exposed_at(p, p.t0 - w, p.t0 + w.max(within)) {
            pool.push(m);
        }
    }
    let sets = match_sets(&exposed, &pool, b);
    let used: BTreeSet<usize> = sets.iter().flat_map(|(_, c)| c.iter().copied()).collect();
    let avg = |set: &[usize], f: &dyn Fn(&Member) -> f64| mean(set.iter().map(|i| f(&pool[*i])));
    let pairs: Vec<(BeforeAfter, BeforeAfter)> = sets
        .iter()
        .map(|(e, c)| {
            (
                exposed[*e].outcome,
                BeforeAfter {
                    before: avg(c, &|m| m.outcome.before),
                    after: avg(c, &|m| m.outcome.after),
                },
            )
        })
        .collect();
    let group = |xs: Vec<BeforeAfter>| Group {
        patients: xs.len() as u64,
        before: mean_ci(&xs.iter().map(|x| x.before).collect::<Vec<_>>()),
        after: mean_ci(&xs.iter().map(|x| x.after).collect::<Vec<_>>()),
    };
    let treated: Vec<BeforeAfter> = pairs.iter().map(|p| p.0).collect();
    let mut comparison_group = group(pairs.iter().map(|p| p.1).collect());
    comparison_group.patients = used.len() as u64;
    let balance = [
        ("alder", &(|m: &Member| m.age) as &dyn Fn(&Member) -> f64),
        ("kvinnor", &|m: &Member| f64::from(u8::from(m.woman))),
        ("kostnad_fore", &|m: &Member| m.outcome.before),
    ]
    .into_iter()
    .map(|(name, f)| {
        let xe: Vec<f64> = sets.iter().map(|(e, _)| f(&exposed[*e])).collect();
        let xc: Vec<f64> = sets.iter().map(|(_, c)| avg(c, f)).collect();
        let pooled = ((sd(&xe).powi(2) + sd(&xc).powi(2)) / 2.0).sqrt();
        let (me, mc) = (mean(xe.iter().copied()), mean(xc.iter().copied()));
        Balance {
            variable: name.to_owned(),
            exposed: me,
            comparison: mc,
            smd: (pooled > 0.0).then(|| (me - mc) / pooled),
        }
    })
    .collect();
    let periods = period_costs(&exposed, &pool, &sets, w);
    Some(BeforeAfterResult {
        analysis: recipe.spec.id.clone(),
        hash: recipe.hash.clone(),
        region: region.to_owned(),
        eligible,
        exposed: exposed.len() as u64,
        matched: sets.len() as u64,
        controls: used.len() as u64,
        method: method(b),
        exposed_group: group(treated.clone()),
        comparison_group,
        naive: naive_before_after(&treated, Confidence::P95)
            .ok()
            .map(Into::into),
        did: did_matched_pairs(&pairs, Confidence::P95)
            .ok()
            .map(Into::into),
        balance,
        periods,
    })
}

/// Mean cost per 30-day period (the last of each window may be shorter) of both groups.
fn period_costs(
    exposed: &[Member],
    pool: &[Member],
    sets: &[(usize, Vec<usize>)],
    w: f64,
) -> Vec<PeriodCost> {
    let w = w as i32;
    let mut bounds = Vec::new();
    let mut a = -w;
    while a < w {
        let b = if a < 0 {
            (a + 30).min(0)
        } else {
            (a + 30).min(w)
        };
        bounds.push((a, b));
        a = b;
    }
    bounds
        .into_iter()
        .map(|(a, b)| {
            let cost = |m: &Member| cost_in(m.p, m.p.t0 + f64::from(a), m.p.t0 + f64::from(b));
            PeriodCost {
                from_day: a,
                to_day: b,
                exposed: mean(sets.iter().map(|(e, _)| cost(&exposed[*e]))),
                comparison: mean(
                    sets.iter()
                        .map(|(_, c)| mean(c.iter().map(|i| cost(&pool[*i])))),
                ),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bands_count_the_limits_passed() {
        let limits = [10_000.0, 30_000.0, 100_000.0];
        assert_eq!(band(0.0, &limits), 0);
        assert_eq!(band(10_000.0, &limits), 1);
        assert_eq!(band(99_999.0, &limits), 2);
        assert_eq!(band(1e9, &limits), 3);
    }
}
