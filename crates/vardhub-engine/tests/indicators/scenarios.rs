//! What-if scenarios against the generator's own counterfactual (issue 16): Synthetic Sweden
//! generated with a fixed seed (July 2023 – December 2024) and ingested for the scenario's
//! region; the engine calibrates on the twelve months to June 2024 (every month of the year, so
//! the seasons are known) and forecasts July – December 2024, with and without the change; the
//! generator is
//! run again with the same seed and the change applied to its own parameters from the
//! horizon's first day. The engine's 95 % band must cover what the generator then produces, and
//! the baseline forecast must cover what the lake shows for the horizon (the back-test).

use super::{ingest, truth};
use chrono::NaiveDate;
use std::path::{Path, PathBuf};
use vardhub_domain::{Period, RegionCode};
use vardhub_engine::whatif::{Scenario, ScenarioResult, run};
use vardhub_store::Hub;
use vardhub_synth::{ChangeKind, HIP_FRACTURE, ScenarioChange, SynthOptions};

const SCALE: f64 = 0.05;
const SEED: u64 = 7;

fn options(out: &Path) -> SynthOptions {
    SynthOptions {
        out: out.to_owned(),
        scale: SCALE,
        seed: SEED,
        from: Period::parse("2023-07").unwrap(),
        to: Period::parse("2024-12").unwrap(),
        encoding: vardhub_domain::Encoding::Utf8,
        defects: 0.0,
    }
}

/// The generator's outcomes over the horizon with the change: (baseline, scenario).
fn counterfactual(tmp: &Path, change: &ScenarioChange) -> serde_json::Value {
    let out = tmp.join("counterfactual");
    vardhub_synth::generate_scenario(&options(&out), Some(change), &vardhub_synth::NoProgress)
        .unwrap();
    truth(&out)["scenario"].clone()
}

/// A hub with the baseline world's deliveries of one region.
async fn region_hub(tmp: &Path, region: &str) -> Hub {
    let out = tmp.join("baseline");
    vardhub_synth::generate(&options(&out), &vardhub_synth::NoProgress).unwrap();
    let audit = vardhub_store::AuditKey::create(&tmp.join("keys")).unwrap();
    let hub = Hub::init(tmp.join("hub"), true, vardhub_store::HubId::random(), audit)
        .await
        .unwrap();
    let mut deliveries: Vec<PathBuf> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.is_dir()
                && p.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.contains(&format!("-{region}-")))
        })
        .collect();
    deliveries.sort();
    for d in &deliveries {
        ingest(&hub, d).await;
    }
    hub
}

fn scenario(region: &str, change: &str) -> Scenario {
    scenario_of("beds", region, change)
}

fn scenario_of(model: &str, region: &str, change: &str) -> Scenario {
    let text = format!(
        r#"id = "test"
version = "1.0.0"
title = {{ sv = "t", en = "t" }}
model = "{model}"
region = "{region}"
baseline = {{ from = "2023-07", to = "2024-06" }}
horizon = {{ from = "2024-07", to = "2024-12" }}
seed = 20261205

{change}
"#
    );
    Scenario::from_toml("test.toml", &text).unwrap()
}

fn start() -> NaiveDate {
    NaiveDate::from_ymd_opt(2024, 7, 1).unwrap()
}

fn number(v: &serde_json::Value, side: &str, key: &str) -> f64 {
    v[side]["from_start"][key].as_f64().unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn twenty_more_staffed_beds_in_sormland_covers_the_generators_counterfactual() {
    let tmp = tempfile::tempdir().unwrap();
    let hub = region_hub(tmp.path(), "04").await;
    let change = ScenarioChange {
        region: RegionCode::parse("04").unwrap(),
        start: start(),
        kind: ChangeKind::StaffedBeds { beds: 20 },
    };
    let truth = counterfactual(tmp.path(), &change);
    let s = scenario("04", "[[change]]\nkind = \"staffed_beds\"\nadd = 20");
    let snapshot = hub.snapshot(None, None).await.unwrap();
    let ScenarioResult::Beds(r) = run(&snapshot, &s).await.unwrap() else {
        panic!("a bed scenario gives a bed result")
    };
    let h = &r.headline;
    let (base, scen) = (
        number(&truth, "baseline", "overbelaggningar_per_100"),
        number(&truth, "scenario", "overbelaggningar_per_100"),
    );
    eprintln!(
        "Sörmland +20 beds: engine baseline {:?}, scenario {:?}; generator baseline {base}, scenario {scen}; lake {:?}",
        h.baseline, h.scenario, h.observed
    );
    // The back-test: the forecast without the change covers the lake's horizon.
    let observed = h.observed.expect("the horizon is delivered");
    assert!((observed.overbelaggningar_per_100 - base).abs() < 1e-6);
    assert!(
        h.baseline.covers(base),
        "back-test {base} vs {:?}",
        h.baseline
    );
    // The scenario covers the generator's counterfactual, and the effect goes the right way.
    assert!(
        h.scenario.covers(scen),
        "scenario {scen} vs {:?}",
        h.scenario
    );
    assert!(h.difference.upper <= 0.0, "{:?}", h.difference);
    let census = number(&truth, "scenario", "mean_belagda");
    assert!(
        h.census_scenario.covers(census),
        "{census} vs {:?}",
        h.census_scenario
    );
    // Staffed beds are the plan plus 20 on every day of the horizon.
    for m in &r.months {
        assert!((m.staffed.1 - m.staffed.0 - 20.0).abs() < 1e-9, "{m:?}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_shorter_hip_fracture_stay_in_vastra_gotaland_covers_the_generators_counterfactual() {
    let tmp = tempfile::tempdir().unwrap();
    let hub = region_hub(tmp.path(), "14").await;
    let change = ScenarioChange {
        region: RegionCode::parse("14").unwrap(),
        start: start(),
        kind: ChangeKind::LengthOfStay {
            diagnoses: HIP_FRACTURE.iter().map(|s| s.to_string()).collect(),
            factor: 0.9,
        },
    };
    let truth = counterfactual(tmp.path(), &change);
    let codes: Vec<String> = HIP_FRACTURE
        .iter()
        .map(|c| format!("\"{}\"", c.replace('.', "")))
        .collect();
    let s = scenario(
        "14",
        &format!(
            "[[change]]\nkind = \"length_of_stay\"\nfactor = 0.9\ndiagnoses = [{}]",
            codes.join(", ")
        ),
    );
    let snapshot = hub.snapshot(None, None).await.unwrap();
    let ScenarioResult::Beds(r) = run(&snapshot, &s).await.unwrap() else {
        panic!("a bed scenario gives a bed result")
    };
    let h = &r.headline;
    eprintln!(
        "Västra Götaland hip fracture LOS −10 %: engine census {:?} → {:?}, per 100 {:?} → {:?}; generator {}",
        h.census_baseline, h.census_scenario, h.baseline, h.scenario, truth
    );
    let base = number(&truth, "baseline", "mean_belagda");
    let scen = number(&truth, "scenario", "mean_belagda");
    eprintln!(
        "Västra Götaland occupied beds: lake {base}, forecast {:?}; generator with the change {scen}, scenario {:?}",
        h.census_baseline, h.census_scenario
    );
    // The back-test and the counterfactual level.
    assert!(
        h.census_baseline.covers(base),
        "back-test {base} vs {:?}",
        h.census_baseline
    );
    assert!(
        h.census_scenario.covers(scen),
        "{scen} vs {:?}",
        h.census_scenario
    );
    // The effect: the generator's own difference in occupied beds lies in the engine's paired
    // band.
    assert!(
        h.census_difference.covers(scen - base),
        "{} vs {:?}",
        scen - base,
        h.census_difference
    );
    assert!(
        h.census_difference.upper <= 0.0,
        "{:?}",
        h.census_difference
    );
    // Fewer bed-days, never more (paired by replication).
    assert!(h.bed_days_scenario.mean < h.bed_days_baseline.mean);
}

#[tokio::test(flavor = "multi_thread")]
async fn ten_percent_more_first_visit_capacity_in_norrbotten_covers_the_generators_counterfactual()
{
    let tmp = tempfile::tempdir().unwrap();
    let hub = region_hub(tmp.path(), "25").await;
    let change =
        ScenarioChange::first_visit_capacity(RegionCode::parse("25").unwrap(), start(), 1.1);
    let truth = counterfactual(tmp.path(), &change);
    let s = scenario_of(
        "waiting_list",
        "25",
        "[[change]]\nkind = \"capacity\"\nfactor = 1.1",
    );
    let snapshot = hub.snapshot(None, None).await.unwrap();
    let ScenarioResult::WaitingList(r) = run(&snapshot, &s).await.unwrap() else {
        panic!("a waiting-list scenario gives a waiting-list result")
    };
    let h = &r.headline;
    let base = number(&truth, "baseline", "first_visit_within_90d_share");
    let scen = number(&truth, "scenario", "first_visit_within_90d_share");
    eprintln!(
        "Norrbotten first visits +10 % capacity: calibration {:?}; engine {:?} → {:?} (difference {:?}); generator {base} → {scen}; lake {:?}",
        r.calibration, h.baseline, h.scenario, h.difference, h.observed
    );
    for (i, m) in r.months.iter().enumerate() {
        let month = |side: &str| &truth[side]["months"][12 + i];
        eprintln!(
            "  {}: {:.3} → {:.3} (difference {:.3} in {:.3}–{:.3}); generator {} → {}",
            m.month,
            m.baseline.mean,
            m.scenario.mean,
            m.difference.mean,
            m.difference.lower,
            m.difference.upper,
            month("baseline"),
            month("scenario")
        );
    }
    // The back-test: the lake's horizon is the generator's baseline, and the forecast covers it.
    let observed = h.observed.expect("the horizon is delivered");
    assert!(
        (observed.share - base).abs() < 1e-6,
        "{observed:?} vs {base}"
    );
    assert!(
        h.baseline.covers(base),
        "back-test {base} vs {:?}",
        h.baseline
    );
    // The scenario covers the generator's counterfactual; the effect is the generator's, and up.
    assert!(
        h.scenario.covers(scen),
        "scenario {scen} vs {:?}",
        h.scenario
    );
    // The effect goes up. The generator's two worlds are not paired draw by draw the way the
    // engine's replications are (a moved visit redraws the rest of that person's pathway, and
    // identities are numbered anew), so its realised difference is checked against the
    // unpaired spread of the two bands; the paired band is the engine's statement about the
    // expected effect.
    assert!(h.difference.lower > 0.0, "{:?}", h.difference);
    let unpaired = (
        h.scenario.lower - h.baseline.upper,
        h.scenario.upper - h.baseline.lower,
    );
    assert!(
        unpaired.0 <= scen - base && scen - base <= unpaired.1,
        "{} vs {unpaired:?}",
        scen - base
    );
    // A shorter list at the horizon's end.
    assert!(h.list_difference.upper < 0.0, "{:?}", h.list_difference);
}
