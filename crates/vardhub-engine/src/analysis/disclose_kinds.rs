//! The one door out for cost-over-time and before/after results, under the same policy rules as
//! care chains ([`AnalysisRules`]): a count of patients needs `min_patients`; a mean cost (and
//! everything computed from a group's costs: intervals, effects, balance) needs
//! `min_cost_patients` patients behind it, so that no single patient's cost can be read off or
//! bounded; a cost share of the costliest patients needs `min_patients` in the share and outside
//! it.

use super::before_after::{Balance, BeforeAfterResult, EffectCi, Group, PeriodCost};
use super::cost_time::{CostAfter, CostOverTimeResult, MonthPoint};
use super::disclose::{PublicCount, count, hide_small_shares};
use crate::disclosure::{DisclosurePolicy, Status};
use serde::{Deserialize, Serialize};

/// One month as published.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PublicMonth {
    /// Month relative to time zero.
    pub month: i32,
    /// Patients observed.
    pub patients: PublicCount,
    /// The means, when enough patients are behind them.
    pub values: Option<MonthPoint>,
}

/// A cost-over-time result as published.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PublicCostOverTime {
    /// Analysis id.
    pub analysis: String,
    /// Region (`00` = all).
    pub region: String,
    /// Patients in the cohort.
    pub patients: PublicCount,
    /// Month by month (empty when the cohort is hidden).
    pub months: Vec<PublicMonth>,
    /// After time zero in total.
    pub after: Option<CostAfter>,
    /// Policy id and version.
    pub policy: String,
}

/// A before/after result as published.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PublicBeforeAfter {
    /// Analysis id.
    pub analysis: String,
    /// Region (`00` = all).
    pub region: String,
    /// Cohort members with complete windows.
    pub eligible: PublicCount,
    /// Exposed.
    pub exposed: PublicCount,
    /// Exposed with controls.
    pub matched: PublicCount,
    /// Controls.
    pub controls: PublicCount,
    /// The matching in words.
    pub method: String,
    /// Why the estimates are (not) shown.
    pub status: Status,
    /// The matched exposed (when shown).
    pub exposed_group: Option<Group>,
    /// Their controls (when shown).
    pub comparison_group: Option<Group>,
    /// Naive before/after.
    pub naive: Option<EffectCi>,
    /// Difference-in-differences.
    pub did: Option<EffectCi>,
    /// Balance.
    pub balance: Vec<Balance>,
    /// 30-day periods.
    pub periods: Vec<PeriodCost>,
    /// Policy id and version.
    pub policy: String,
}

fn policy_name(policy: &DisclosurePolicy) -> String {
    format!("{} v{}", policy.id(), policy.version())
}

/// What the public may see of a cost-over-time result.
pub fn public_cost_over_time(
    result: &CostOverTimeResult,
    policy: &DisclosurePolicy,
) -> PublicCostOverTime {
    let rules = policy.analysis();
    let patients = count(result.patients, rules.min_patients);
    let shown = patients.value.is_some_and(|n| n > 0);
    let months = if shown {
        result
            .months
            .iter()
            .map(|m| PublicMonth {
                month: m.month,
                patients: count(m.patients, rules.min_patients),
                values: (m.patients >= rules.min_cost_patients).then(|| m.clone()),
            })
            .collect()
    } else {
        Vec::new()
    };
    let after = result
        .after
        .filter(|a| shown && a.patients >= rules.min_cost_patients)
        .map(|mut a| {
            hide_small_shares(&mut a.concentration, a.patients, rules);
            a
        });
    PublicCostOverTime {
        analysis: result.analysis.clone(),
        region: result.region.clone(),
        patients,
        months,
        after,
        policy: policy_name(policy),
    }
}

/// What the public may see of a before/after result.
pub fn public_before_after(
    result: &BeforeAfterResult,
    policy: &DisclosurePolicy,
) -> PublicBeforeAfter {
    let rules = policy.analysis();
    let enough =
        result.matched >= rules.min_cost_patients && result.controls >= rules.min_cost_patients;
    let status = if result.exposed == 0 {
        Status::Zero
    } else if enough {
        Status::Ok
    } else {
        Status::HiddenSmall
    };
    PublicBeforeAfter {
        analysis: result.analysis.clone(),
        region: result.region.clone(),
        eligible: count(result.eligible, rules.min_patients),
        exposed: count(result.exposed, rules.min_patients),
        matched: count(result.matched, rules.min_patients),
        controls: count(result.controls, rules.min_patients),
        method: result.method.clone(),
        status,
        exposed_group: enough.then_some(result.exposed_group),
        comparison_group: enough.then_some(result.comparison_group),
        naive: result.naive.filter(|_| enough),
        did: result.did.filter(|_| enough),
        balance: if enough {
            result.balance.clone()
        } else {
            Vec::new()
        },
        periods: if enough {
            result.periods.clone()
        } else {
            Vec::new()
        },
        policy: policy_name(policy),
    }
}
