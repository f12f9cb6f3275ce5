//! Issue 14, care chains, against the generator's planted truth: the hip-fracture chain's time to
//! operation recovers the planted delay distribution, contacts are linked only within the region
//! of the index (and across regions only where the policy allows it), and nothing published
//! rests on fewer patients than the policy's analysis rules allow.

use super::{truth, world};
use std::collections::BTreeMap;
use vardhub_engine::analysis::{
    self, AnalysisError, AnalysisRecipe, AnalysisResult, ChainResult, cohort,
};
use vardhub_engine::disclosure::{DEFAULT_POLICY_TOML, DisclosurePolicy};
use vardhub_store::Snapshot;

/// A care chain for all regions and per region.
struct Chains {
    all: ChainResult,
    by_region: BTreeMap<String, ChainResult>,
}

fn as_chain(r: AnalysisResult) -> ChainResult {
    match r {
        AnalysisResult::CareChain(c) => c,
        other => panic!("not a care chain: {other:?}"),
    }
}

async fn run_chain(
    snapshot: &Snapshot,
    recipe: &AnalysisRecipe,
    policy: &DisclosurePolicy,
) -> Result<Chains, AnalysisError> {
    let run = analysis::run(snapshot, recipe, policy).await?;
    Ok(Chains {
        all: as_chain(run.all),
        by_region: run
            .by_region
            .into_iter()
            .map(|(k, v)| (k, as_chain(v)))
            .collect(),
    })
}

/// The planted CDF of minutes from admission to operation for a region operating a share `p`
/// within 24 hours (`truth.json` → `care_chains.hip_fracture_time_to_operation`).
fn planted_cdf(t: &serde_json::Value, p: f64, minutes: f64) -> f64 {
    let f = |k: &str| t[k].as_f64().unwrap();
    let (fast_from, fast_span) = (f("fast_from_minutes"), f("fast_span_minutes"));
    let (slow_from, slow_mean, cap) = (
        f("slow_from_minutes"),
        f("slow_mean_minutes"),
        f("slow_cap_minutes"),
    );
    let fast = ((minutes - fast_from) / fast_span).clamp(0.0, 1.0);
    let slow = if minutes < slow_from {
        0.0
    } else if minutes >= slow_from + cap {
        1.0
    } else {
        1.0 - (-(minutes - slow_from) / slow_mean).exp()
    };
    p * fast + (1.0 - p) * slow
}

/// The median of a mixture of regional delays, weighted by operated patients.
fn pooled_median(t: &serde_json::Value, weights: &[(f64, f64)]) -> f64 {
    let total: f64 = weights.iter().map(|w| w.1).sum();
    let cdf = |m: f64| {
        weights
            .iter()
            .map(|(p, w)| w / total * planted_cdf(t, *p, m))
            .sum::<f64>()
    };
    let (mut lo, mut hi) = (0.0, 10_000.0);
    for _ in 0..100 {
        let mid = 0.5 * (lo + hi);
        if cdf(mid) < 0.5 { lo = mid } else { hi = mid }
    }
    0.5 * (lo + hi)
}

#[tokio::test(flavor = "multi_thread")]
async fn the_hip_fracture_chain_recovers_the_planted_delay_and_links_only_within_the_region() {
    let w = world(0.05, "2024-01", "2024-06").await;
    let snapshot = w.hub.snapshot(None, None).await.unwrap();
    let recipe = &analysis::builtin()["hoftfraktur_vardkedja"];
    let policy = DisclosurePolicy::default_public();
    let run = run_chain(&snapshot, recipe, &policy).await.unwrap();
    let truth = truth(&w.out);
    let t = &truth["care_chains"]["hip_fracture_time_to_operation"];
    let within = |region: &str| t["by_region"][region]["within_24h"].as_f64().unwrap();
    assert!(run.all.patients > 100, "{} patients", run.all.patients);

    // National: the pooled planted median lies in the median's 95 % interval.
    let op = |r: &analysis::ChainResult| {
        r.steps
            .iter()
            .find(|s| s.id == "operation")
            .cloned()
            .unwrap()
    };
    let weights: Vec<(f64, f64)> = run
        .by_region
        .iter()
        .map(|(region, r)| (within(region), op(r).reached as f64))
        .collect();
    let planted = pooled_median(t, &weights) / 1440.0;
    let national = op(&run.all);
    let median = national.quantiles.iter().find(|q| q.p == 0.5).unwrap();
    assert!(
        median.lower <= planted && planted <= median.upper,
        "planted median {planted:.3} d outside [{:.3}, {:.3}] (estimate {:.3})",
        median.lower,
        median.upper,
        median.days
    );
    assert!(national.reached as f64 > 0.9 * run.all.patients as f64);
    // Per region with enough operated patients: the planted median lies in the interval. At
    // 95 % one region in twenty may miss by chance; more would be a bias.
    let mut checked = 0;
    let mut misses = Vec::new();
    for (region, r) in &run.by_region {
        let s = op(r);
        if s.reached < 10 {
            continue;
        }
        checked += 1;
        let q = s.quantiles.iter().find(|q| q.p == 0.5).unwrap();
        let planted = pooled_median(t, &[(within(region), 1.0)]) / 1440.0;
        if !(q.lower <= planted && planted <= q.upper) {
            misses.push(format!(
                "{region}: {planted:.3} ∉ [{:.3}, {:.3}]",
                q.lower, q.upper
            ));
        }
    }
    assert!(checked >= 3, "only {checked} regions with 10 operated");
    assert!(misses.len() <= 1 + checked / 20, "{misses:?}");
    // Step shares: the share operated within 24 hours (the operation curve at day 1, death
    // competing) covers the planted regional share.
    let mut checked = 0;
    let mut misses = Vec::new();
    for (region, r) in &run.by_region {
        if r.patients < 10 {
            continue;
        }
        let s = op(r);
        let Some(at_1) = s.curve.iter().take_while(|p| p.day <= 1.0).last() else {
            continue;
        };
        checked += 1;
        let planted = within(region);
        if !(at_1.lower <= planted && planted <= at_1.upper) {
            misses.push(format!(
                "{region}: {planted:.3} ∉ [{:.3}, {:.3}]",
                at_1.lower, at_1.upper
            ));
        }
    }
    assert!(checked >= 3, "only {checked} regions with 10 patients");
    assert!(misses.len() <= 1 + checked / 20, "{misses:?}");

    // Every step's share is a share and death within a year is plausible for hip fracture.
    for s in &run.all.steps {
        assert!(
            (0.0..=1.0).contains(&s.share.share),
            "{} {:?}",
            s.id,
            s.share
        );
        assert!(
            s.share.lower <= s.share.share && s.share.share <= s.share.upper,
            "{}",
            s.id
        );
    }
    let paths: u64 = run.all.paths.iter().map(|p| p.1).sum();
    assert_eq!(paths, run.all.patients);

    // Linkage: regional recipes never link another region's contacts; the data has patients
    // with contacts in two regions (a national linkage finds them), so the check can fail.
    let regional = cohort::patients(&snapshot, recipe).await.unwrap();
    assert!(
        regional
            .iter()
            .all(|p| p.contacts.iter().all(|c| c.region == p.region)),
        "a region-scoped analysis linked another region's contact"
    );
    let (file, text) = analysis::recipe::BUILTIN_FILES[0];
    let national_recipe = AnalysisRecipe::from_toml(
        file,
        &text.replace("linkage = \"region\"", "linkage = \"national\""),
    )
    .unwrap();
    assert!(
        run_chain(&snapshot, &national_recipe, &policy)
            .await
            .is_err()
    );
    let permissive = DisclosurePolicy::parse(
        &DEFAULT_POLICY_TOML.replace("national_linkage = false", "national_linkage = true"),
    )
    .unwrap();
    assert!(
        run_chain(&snapshot, &national_recipe, &permissive)
            .await
            .is_ok()
    );
    let linked = cohort::patients(&snapshot, &national_recipe).await.unwrap();
    assert!(
        linked
            .iter()
            .any(|p| p.contacts.iter().any(|c| c.region != p.region)),
        "no patient has contacts in two regions: the linkage check proves nothing"
    );

    // Disclosure: nothing published rests on fewer patients than the rules allow, and the rules
    // do hide something at regional level (so the check is not empty).
    let rules = *policy.analysis();
    let mut hidden = 0;
    let mut shown = 0;
    let results: Vec<AnalysisResult> = std::iter::once(&run.all)
        .chain(run.by_region.values())
        .cloned()
        .map(AnalysisResult::CareChain)
        .collect();
    let published = analysis::public_all(&results, &policy);
    let attacked = super::analysis_attack::attack_run(&results, &published, &policy);
    assert!(attacked > 0, "nothing hidden to attack");
    for (r, p) in std::iter::once(&run.all)
        .chain(run.by_region.values())
        .zip(&published)
    {
        let analysis::PublicResult::CareChain(p) = p else {
            panic!("not a chain");
        };
        assert_eq!(p.region, r.region);
        for s in &p.steps {
            for c in &s.curve {
                assert!(
                    c.at_risk >= rules.min_at_risk,
                    "{} {}: curve point at risk {}",
                    r.region,
                    s.id,
                    c.at_risk
                );
                assert!(
                    c.events >= rules.min_patients,
                    "{} {}: a curve step of {} events",
                    r.region,
                    s.id,
                    c.events
                );
            }
            for q in &s.quantiles {
                assert!(q.below >= rules.min_each_side && q.above >= rules.min_each_side);
                for rank in [q.lower_rank, q.upper_rank].into_iter().flatten() {
                    assert!(rank > rules.min_each_side && q.n - rank >= rules.min_each_side);
                }
            }
            hidden += s.quantiles_hidden + usize::from(s.share.is_none());
            shown += s.quantiles.len();
            if let Some(v) = s.reached.value {
                assert!(v == 0 || v >= rules.min_patients);
            }
        }
        for (_, n) in &p.paths {
            assert!(*n >= rules.min_path);
        }
        if let Some(v) = p.other_paths.value {
            assert!(v == 0 || v >= rules.min_patients);
        }
        if let Some(c) = p.cost {
            assert!(c.patients >= rules.min_cost_patients);
            for g in c.concentration.iter().filter(|g| g.share.is_some()) {
                assert!(g.patients >= rules.min_patients);
                assert!(c.patients - g.patients >= rules.min_patients);
            }
        }
    }
    assert!(hidden > 0 && shown > 0, "hidden {hidden}, shown {shown}");
}
