//! Indicators against independent truth: a synthetic Sweden is generated (the generator counts the
//! true value of every planted indicator itself), delivered through the real ingest into a real
//! hub, and computed by the engine; the values must equal the generator's, and the planted better
//! and worse regions must be the ones the funnel flags.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use vardhub_engine::indicator::{ResultRow, builtin, compute};
use vardhub_engine::stats::Significance;
use vardhub_ingest::{IngestOptions, NoProgress, Pseudonymiser};
use vardhub_store::Hub;

/// Generator indicator name → the hub's indicator id.
const MAPPING: &[(&str, &str)] = &[
    ("hip_fracture_surgery_within_24h", "hoftfraktur_op_24h"),
    ("first_visit_within_90_days", "vantetid_forsta_besok_90"),
    ("operation_within_90_days", "vantetid_operation_90"),
    ("tonsillectomy_cold_technique_share", "tonsillektomi_kall_teknik"),
    ("ami_30_day_mortality", "ami_30d_dodlighet"),
    ("overcrowding_per_100_staffed_beds", "overbelaggningar_per_100"),
    ("outlying_patients_per_100_staffed_beds", "utlokaliserade_per_100"),
    ("ready_for_discharge_beds_per_100_staffed_beds", "utskrivningsklara_per_100"),
];

struct World {
    _tmp: tempfile::TempDir,
    hub: Hub,
    out: PathBuf,
}

async fn world(scale: f64, from: &str, to: &str) -> World {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("deliveries");
    vardhub_synth::generate(
        &vardhub_synth::SynthOptions {
            out: out.clone(),
            scale,
            seed: 7,
            from: vardhub_domain::Period::parse(from).unwrap(),
            to: vardhub_domain::Period::parse(to).unwrap(),
            encoding: vardhub_domain::Encoding::Utf8,
            defects: 0.0,
        },
        &vardhub_synth::NoProgress,
    )
    .unwrap();
    let hub = Hub::init(tmp.path().join("hub"), true).await.unwrap();
    let pseudo = Pseudonymiser::from_master(&[9; 32], 1);
    let mut deliveries: Vec<PathBuf> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    deliveries.sort();
    let lock = hub.lock_writer().await.unwrap();
    let opts = IngestOptions {
        actor: "test".into(),
        expect_region: None,
    };
    for d in &deliveries {
        let o = vardhub_ingest::ingest(&hub, &lock, d, &pseudo, &opts, &NoProgress).await.unwrap();
        assert!(o.accepted(), "{}", o.report.summary(vardhub_ingest::Lang::En));
    }
    World { _tmp: tmp, hub, out }
}

fn truth(out: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(out.join("truth.json")).unwrap()).unwrap()
}

fn totals<'a>(rows: &'a [ResultRow], id: &str) -> BTreeMap<(String, String), &'a ResultRow> {
    rows.iter()
        .filter(|r| r.indicator == id && r.kon == "alla" && r.aldersgrupp == "alla")
        .map(|r| ((r.region.clone(), r.period.clone()), r))
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn indicators_equal_the_planted_truth_and_the_funnel_flags_the_planted_regions() {
    let w = world(0.02, "2024-01", "2024-03").await;
    let recipes: Vec<_> = builtin().values().collect();
    let snapshot = w.hub.snapshot(None, None).await.unwrap();
    let computed = compute(&snapshot, &recipes).await.unwrap();
    assert!(computed.without_data.is_empty(), "{:?}", computed.without_data);
    let truth = truth(&w.out);
    let last_period = "2024-03";
    let mut compared = 0;
    for (name, id) in MAPPING {
        let ours = totals(&computed.rows, id);
        for v in truth["indicators"][name]["values"].as_array().unwrap() {
            let key = (v["region"].as_str().unwrap().to_owned(), v["period"].as_str().unwrap().to_owned());
            // Deaths after the last generated month are counted by the generator but not delivered.
            if *name == "ami_30_day_mortality" && key.1 == last_period {
                continue;
            }
            let (n, d) = (v["numerator"].as_f64().unwrap(), v["denominator"].as_f64().unwrap());
            match ours.get(&key) {
                Some(r) => {
                    assert_eq!((r.numerator, r.denominator), (n, d), "{id} {key:?}");
                    compared += 1;
                }
                None => assert_eq!(d, 0.0, "{id} {key:?}: the hub has no value but the truth has {n}/{d}"),
            }
        }
    }
    assert!(compared > 400, "compared {compared} values");

    // Planted differences with enough events per month at this scale: the funnel must flag them.
    let flag = |id: &str, region: &str, period: &str| {
        totals(&computed.rows, id)[&(region.to_owned(), period.to_owned())]
            .flags
            .unwrap()
            .at_95
    };
    for period in ["2024-01", "2024-02", "2024-03"] {
        assert_eq!(flag("vantetid_forsta_besok_90", "25", period), Significance::SignificantlyWorse, "Norrbotten {period}");
        assert_eq!(flag("overbelaggningar_per_100", "04", period), Significance::SignificantlyWorse, "Sörmland {period}");
        assert_eq!(flag("overbelaggningar_per_100", "08", period), Significance::SignificantlyBetter, "Kalmar {period}");
    }
    assert_eq!(flag("vantetid_forsta_besok_90", "13", "2024-02"), Significance::SignificantlyBetter, "Halland");

    // Margins add up: women + men = all, regions sum to Sweden.
    for id in ["vantetid_forsta_besok_90", "vardtillfallen_per_1000"] {
        let rows: Vec<&ResultRow> = computed.rows.iter().filter(|r| r.indicator == id && r.aldersgrupp == "alla").collect();
        for r in rows.iter().filter(|r| r.kon == "alla" && r.region != "00") {
            let parts: f64 = rows
                .iter()
                .filter(|p| p.region == r.region && p.period == r.period && p.kon != "alla")
                .map(|p| p.denominator)
                .sum();
            assert_eq!(parts, r.denominator, "{id} {} {}", r.region, r.period);
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn recomputing_unchanged_data_gives_identical_results_and_names_its_inputs() {
    let w = world(0.003, "2024-01", "2024-02").await;
    let recipes: Vec<_> = builtin().values().collect();
    let snapshot = w.hub.snapshot(None, None).await.unwrap();
    let a = compute(&snapshot, &recipes).await.unwrap();
    let b = compute(&w.hub.snapshot(None, None).await.unwrap(), &recipes).await.unwrap();
    assert_eq!(a.rows, b.rows);
    for r in &a.rows {
        assert!(!r.deliveries.is_empty(), "{} {} {} names no delivery", r.indicator, r.region, r.period);
        assert_eq!(r.spec_hash, builtin()[&r.indicator].hash);
    }
    let r = a
        .rows
        .iter()
        .find(|r| r.indicator == "vantetid_forsta_besok_90" && r.region == "01" && r.period == "2024-01")
        .unwrap();
    assert_eq!(r.deliveries, vec!["vantetider-01-2024-01-v1"]);
}
