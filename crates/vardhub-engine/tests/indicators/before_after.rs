//! Issue 14, before/after with a comparison group and cost over time, against the generator's
//! planted truth: the mobile-team intervention in Värmland has a known effect on the cost of the
//! 90 days after discharge (`truth.json` → `mobile_team`), and patients join right after an
//! emergency stay, so the naive before/after overstates it. The difference-in-differences
//! interval must cover the planted effect and the naive interval must not. The same world runs
//! the other analyses of the demo (AMI follow-up, cost over time for frail older people), and
//! nothing any of them publishes rests on fewer patients than the policy allows.

use super::{truth, world};
use vardhub_engine::analysis::{self, AnalysisResult, PublicResult};
use vardhub_engine::disclosure::DisclosurePolicy;

#[tokio::test(flavor = "multi_thread")]
async fn the_mobile_team_effect_is_recovered_by_the_comparison_group_and_not_by_the_naive_estimate()
{
    let w = world(0.05, "2024-01", "2024-12").await;
    let snapshot = w.hub.snapshot(None, None).await.unwrap();
    let policy = DisclosurePolicy::default_public();
    let truth = truth(&w.out);
    let planted = &truth["mobile_team"];
    let effect = planted["effect_per_patient_sek"].as_f64().unwrap();
    let naive_truth = planted["naive_per_patient_sek"].as_f64().unwrap();
    assert!(planted["joined"].as_u64().unwrap() >= 30, "{planted}");

    let recipes = analysis::builtin();
    let run = analysis::run(&snapshot, &recipes["mobila_team"], &policy)
        .await
        .unwrap();
    let AnalysisResult::BeforeAfter(r) = &run.by_region["17"] else {
        panic!("not a before/after result");
    };
    let did = r.did.expect("enough matched patients for an interval");
    let naive = r.naive.expect("naive estimate");
    eprintln!(
        "mobile team: exposed {} matched {} controls {}; planted effect {effect:.0} (naive {naive_truth:.0}); DiD {:.0} [{:.0}, {:.0}]; naive {:.0} [{:.0}, {:.0}]",
        r.exposed,
        r.matched,
        r.controls,
        did.estimate,
        did.lower,
        did.upper,
        naive.estimate,
        naive.lower,
        naive.upper
    );
    // Every joiner is found as exposed (the exposure code within 15 days of discharge).
    assert_eq!(r.exposed, planted["joined"].as_u64().unwrap());
    assert!(r.matched * 3 >= r.exposed * 2, "too few matched: {r:?}");
    assert!(
        did.lower <= effect && effect <= did.upper,
        "planted effect {effect:.0} outside the DiD interval [{:.0}, {:.0}]",
        did.lower,
        did.upper
    );
    assert!(
        !(naive.lower <= effect && effect <= naive.upper),
        "the naive interval [{:.0}, {:.0}] covers the planted effect {effect:.0}: no regression to the mean to show",
        naive.lower,
        naive.upper
    );
    // No other region has a mobile team.
    for (region, res) in &run.by_region {
        if let AnalysisResult::BeforeAfter(b) = res
            && region != "17"
        {
            assert_eq!(b.exposed, 0, "{region}");
        }
    }
    // Balance after matching: the prior cost is close (within a quarter standard deviation).
    let prior = r
        .balance
        .iter()
        .find(|b| b.variable == "kostnad_fore")
        .unwrap();
    assert!(prior.smd.unwrap().abs() < 0.25, "{prior:?}");

    // The other analyses of the demo run on the same world; nothing published rests on fewer
    // patients than the rules allow.
    let rules = *policy.analysis();
    for id in [
        "hjartinfarkt_uppfoljning",
        "aldre_vardkonsumtion",
        "mobila_team",
    ] {
        let run = analysis::run(&snapshot, &recipes[id], &policy)
            .await
            .unwrap();
        assert!(run.all.patients() > 0, "{id}: empty cohort");
        let results = run.into_results();
        let published = analysis::public_all(&results, &policy);
        super::analysis_attack::attack_run(&results, &published, &policy);
        for public in published {
            match public {
                PublicResult::CareChain(c) => {
                    for s in &c.steps {
                        assert!(s.curve.iter().all(|p| p.at_risk >= rules.min_at_risk));
                        assert!(s.curve.iter().all(|p| p.events >= rules.min_patients));
                        for q in &s.quantiles {
                            assert!(
                                q.below >= rules.min_each_side && q.above >= rules.min_each_side
                            );
                        }
                    }
                }
                PublicResult::CostOverTime(c) => {
                    for m in &c.months {
                        if let Some(v) = &m.values {
                            assert!(v.patients >= rules.min_cost_patients, "{id} {}", c.region);
                        }
                        if let Some(n) = m.patients.value {
                            assert!(n == 0 || n >= rules.min_patients);
                        }
                    }
                    if let Some(a) = c.after {
                        assert!(a.patients >= rules.min_cost_patients);
                        for g in a.concentration.iter().filter(|g| g.share.is_some()) {
                            assert!(g.patients >= rules.min_patients);
                            assert!(a.patients - g.patients >= rules.min_patients);
                        }
                    }
                }
                PublicResult::BeforeAfter(b) => {
                    if b.did.is_some() || b.exposed_group.is_some() {
                        assert!(b.matched.value.unwrap() >= rules.min_cost_patients);
                        assert!(b.controls.value.unwrap() >= rules.min_cost_patients);
                    }
                }
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn cost_over_time_for_frail_older_people_follows_the_cohort_definition() {
    let w = world(0.02, "2024-01", "2024-12").await;
    let snapshot = w.hub.snapshot(None, None).await.unwrap();
    let policy = DisclosurePolicy::default_public();
    let recipe = &analysis::builtin()["aldre_vardkonsumtion"];
    let run = analysis::run(&snapshot, recipe, &policy).await.unwrap();
    let AnalysisResult::CostOverTime(all) = &run.all else {
        panic!("not cost over time");
    };
    let patients = analysis::cohort::patients(&snapshot, recipe).await.unwrap();
    assert_eq!(all.patients, patients.len() as u64);
    assert!(all.patients >= 20, "{} patients", all.patients);
    // Every patient entered with three inpatient episodes at 80 or older within 365 days, the
    // index being the third.
    for p in &patients {
        let before: Vec<_> = p
            .contacts
            .iter()
            .filter(|c| c.candidate && c.admitted <= p.index.admitted)
            .filter(|c| p.index.admitted - c.admitted <= 365.0)
            .collect();
        assert!(before.len() >= 3, "{} episodes", before.len());
        assert!(p.index.alder.unwrap() >= 80);
    }
    // Month 0 holds the index stays; months before hold the two earlier episodes.
    let m = |k: i32| all.months.iter().find(|m| m.month == k).unwrap();
    let index_mean = patients.iter().map(|p| p.index.cost).sum::<f64>() / patients.len() as f64;
    assert!(
        m(0).cost >= index_mean * 0.999,
        "{} < {index_mean}",
        m(0).cost
    );
    let sv_before: f64 = (-12..0)
        .map(|k| {
            m(k).by_form
                .iter()
                .find(|f| f.form == "SV")
                .map_or(0.0, |f| f.contacts)
        })
        .sum();
    assert!(
        sv_before > 0.5,
        "{sv_before} inpatient episodes before the index per patient"
    );
    for mp in &all.months {
        let forms: f64 = mp.by_form.iter().map(|f| f.cost).sum();
        assert!(forms <= mp.cost + 1e-6);
        assert!(mp.patients <= all.patients);
    }
}
