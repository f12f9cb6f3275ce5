//! An unsuppressed analysis result in the published shape, every value shown: what a logged-in
//! analyst's own panel draws (see [`crate::analyses::LoadedAnalysis::unsuppressed_for`], which
//! checks the access and audits it first). The conversion of every kind is here and only here,
//! so the pages draw the public result and the analyst's result with the same code.
//!
//! Nothing is hidden; only what does not exist is left out: a month without observed patients
//! has no means, a before/after without matched patients has no group means, effects, balance
//! or periods (each such mean would be over nobody).

use vardhub_engine::analysis::before_after::BeforeAfterResult;
use vardhub_engine::analysis::chain::ChainResult;
use vardhub_engine::analysis::cost_time::CostOverTimeResult;
use vardhub_engine::analysis::disclose::{PublicChain, PublicCount, PublicStep};
use vardhub_engine::analysis::disclose_kinds::PublicMonth;
use vardhub_engine::analysis::{
    AnalysisResult, PublicBeforeAfter, PublicCostOverTime, PublicResult,
};
use vardhub_engine::disclosure::Status;

/// `r` with every value shown, in the shape the public form has.
pub fn everything(r: &AnalysisResult) -> PublicResult {
    match r {
        AnalysisResult::CareChain(c) => PublicResult::CareChain(chain(c)),
        AnalysisResult::CostOverTime(c) => PublicResult::CostOverTime(cost_over_time(c)),
        AnalysisResult::BeforeAfter(b) => PublicResult::BeforeAfter(before_after(b)),
    }
}

/// A count shown as it is.
fn shown(v: u64) -> PublicCount {
    PublicCount {
        value: Some(v),
        status: if v == 0 { Status::Zero } else { Status::Ok },
    }
}

fn chain(r: &ChainResult) -> PublicChain {
    PublicChain {
        analysis: r.analysis.clone(),
        region: r.region.clone(),
        patients: shown(r.patients),
        steps: r
            .steps
            .iter()
            .map(|s| PublicStep {
                id: s.id.clone(),
                reached: shown(s.reached),
                share: Some(s.share),
                by_day_30: s.by_day_30,
                share_status: if s.reached == 0 {
                    Status::Zero
                } else {
                    Status::Ok
                },
                curve: s.curve.clone(),
                quantiles: s.quantiles.clone(),
                quantiles_hidden: 0,
                method: s.method.clone(),
            })
            .collect(),
        paths: r.paths.clone(),
        other_paths: shown(0),
        cost: r.cost,
        policy: String::new(),
    }
}

fn cost_over_time(r: &CostOverTimeResult) -> PublicCostOverTime {
    PublicCostOverTime {
        analysis: r.analysis.clone(),
        region: r.region.clone(),
        patients: shown(r.patients),
        months: r
            .months
            .iter()
            .map(|m| PublicMonth {
                month: m.month,
                patients: shown(m.patients),
                values: (m.patients > 0).then(|| m.clone()),
            })
            .collect(),
        after: r.after,
        policy: String::new(),
    }
}

fn before_after(r: &BeforeAfterResult) -> PublicBeforeAfter {
    let matched = r.matched > 0;
    PublicBeforeAfter {
        analysis: r.analysis.clone(),
        region: r.region.clone(),
        eligible: shown(r.eligible),
        exposed: shown(r.exposed),
        matched: shown(r.matched),
        controls: shown(r.controls),
        method: r.method.clone(),
        status: if r.exposed == 0 {
            Status::Zero
        } else if matched {
            Status::Ok
        } else {
            Status::NotApplicable
        },
        exposed_group: matched.then_some(r.exposed_group),
        comparison_group: matched.then_some(r.comparison_group),
        naive: r.naive,
        did: r.did,
        balance: if matched {
            r.balance.clone()
        } else {
            Vec::new()
        },
        periods: if matched {
            r.periods.clone()
        } else {
            Vec::new()
        },
        policy: String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use vardhub_engine::analysis::before_after::Group;

    #[test]
    fn nothing_is_hidden_and_nothing_is_made_up() {
        let group = Group {
            patients: 0,
            before: None,
            after: None,
        };
        let r = BeforeAfterResult {
            analysis: "a".into(),
            hash: "h".into(),
            region: "17".into(),
            eligible: 3,
            exposed: 1,
            matched: 0,
            controls: 0,
            method: "m".into(),
            exposed_group: group,
            comparison_group: group,
            naive: None,
            did: None,
            balance: Vec::new(),
            periods: Vec::new(),
        };
        let PublicResult::BeforeAfter(p) = everything(&AnalysisResult::BeforeAfter(r)) else {
            panic!("kind")
        };
        assert_eq!(p.eligible.value, Some(3));
        assert_eq!(p.exposed.value, Some(1));
        assert_eq!(p.matched.status, Status::Zero);
        assert_eq!(p.status, Status::NotApplicable);
        assert!(p.exposed_group.is_none());
    }
}
