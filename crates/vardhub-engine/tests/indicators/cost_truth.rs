//! Cost over time for frail older people (`aldre_vardkonsumtion`) against the generator's
//! independent computation of the same definitions (`truth.json` → `cost_over_time`): per region
//! and for all regions together, month by month, the patients observed must be equal and every
//! mean within 0.01 SEK (or 0.01 contacts; the sums are floats on the hub's side).

use super::{truth, world};
use std::time::Instant;
use vardhub_engine::analysis::{self, AnalysisResult, CostOverTimeResult};
use vardhub_engine::disclosure::DisclosurePolicy;

const ID: &str = "aldre_vardkonsumtion";
const TOLERANCE: f64 = 0.01;

/// Every difference between the hub's result and the truth of one region (empty when equal).
fn differences(region: &str, hub: &CostOverTimeResult, truth: &serde_json::Value) -> Vec<String> {
    let mut out = Vec::new();
    let patients = truth["patients"].as_u64().unwrap();
    if hub.patients != patients {
        out.push(format!(
            "{region}: cohort {} patients, truth {patients}",
            hub.patients
        ));
    }
    let months = truth["months"].as_array().unwrap();
    if hub.months.len() != months.len() {
        out.push(format!(
            "{region}: {} months, truth {}",
            hub.months.len(),
            months.len()
        ));
    }
    for (h, t) in hub.months.iter().zip(months) {
        let m = t["month"].as_i64().unwrap();
        assert_eq!(i64::from(h.month), m, "{region}: months in the same order");
        let n = t["patients"].as_u64().unwrap();
        if h.patients != n {
            out.push(format!(
                "{region} month {m}: {} patients observed, truth {n}",
                h.patients
            ));
        }
        let form = |f: &str| h.by_form.iter().find(|x| x.form == f).unwrap();
        let pairs = [
            ("cost", h.cost),
            ("cost_sv", form("SV").cost),
            ("cost_ov", form("OV").cost),
            ("cost_pv", form("PV").cost),
            ("contacts", h.contacts),
            ("contacts_sv", form("SV").contacts),
            ("contacts_ov", form("OV").contacts),
            ("contacts_pv", form("PV").contacts),
        ];
        for (name, ours) in pairs {
            let want = t[name].as_f64().unwrap();
            if (ours - want).abs() > TOLERANCE {
                out.push(format!(
                    "{region} month {m}: {name} {ours:.6}, truth {want:.6} (patients {}/{n})",
                    h.patients
                ));
            }
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread")]
async fn cost_over_time_of_frail_older_people_equals_the_generators_own_computation() {
    let started = Instant::now();
    let w = world(0.01, "2024-01", "2024-12").await;
    let generated = started.elapsed();
    let snapshot = w.hub.snapshot(None, None).await.unwrap();
    let policy = DisclosurePolicy::default_public();
    let run = analysis::run(&snapshot, &analysis::builtin()[ID], &policy)
        .await
        .unwrap();
    let truth = truth(&w.out);
    let planted = &truth["cost_over_time"][ID]["by_region"];
    let regions = planted.as_object().unwrap();
    assert!(regions.len() >= 22, "every region and 00: {regions:?}");

    let AnalysisResult::CostOverTime(all) = &run.all else {
        panic!("not a cost-over-time result");
    };
    let total = planted["00"]["patients"].as_u64().unwrap();
    assert!(total >= 20, "too small a cohort to compare: {total}");
    let mut diffs = differences("00", all, &planted["00"]);
    for (region, t) in regions.iter().filter(|(r, _)| *r != "00") {
        match run.by_region.get(region) {
            Some(AnalysisResult::CostOverTime(r)) => diffs.extend(differences(region, r, t)),
            Some(other) => panic!("{region}: not a cost-over-time result: {other:?}"),
            // The hub lists only regions with patients.
            None if t["patients"].as_u64() == Some(0) => {}
            None => diffs.push(format!(
                "{region}: no result from the hub, truth {} patients",
                t["patients"]
            )),
        }
    }
    for region in run.by_region.keys() {
        assert!(regions.contains_key(region), "{region}: not in truth");
    }
    let month0 = all.months.iter().find(|m| m.month == 0).unwrap();
    let month11 = all.months.iter().find(|m| m.month == 11).unwrap();
    eprintln!(
        "{ID}: {total} patients in {} regions; month 0: {} observed, {:.0} SEK; month 11: {} observed, {:.0} SEK; {} differences; world {:.1} s, all {:.1} s",
        run.by_region.len(),
        month0.patients,
        month0.cost,
        month11.patients,
        month11.cost,
        diffs.len(),
        generated.as_secs_f64(),
        started.elapsed().as_secs_f64()
    );
    assert!(diffs.is_empty(), "{}", diffs.join("\n"));
}
