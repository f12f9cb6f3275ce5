//! A stored scenario run's document (`scenario.json`, written by [`crate::scenarios`]) read
//! back: `{scenario, version, hash, spec, result}`, plus `disclosure` on the copy an
//! administrator published ([`crate::scenario_publication`]).
//!
//! The engine's result types are written, never read ([`vardhub_engine::whatif::ScenarioResult`]
//! is `Serialize` only), so this module is their read form, field for field; a test serialises
//! an engine result of every model and reads it here, matching the engine's enum exhaustively —
//! a new model of the engine does not compile there until it is read (and shown by the server).
//! A stored document of a model this module does not read is [`ScenarioBody::NotYetShown`]:
//! listed and described, never failed on. Reading through these types is also a whitelist: what
//! the engine adds later is not in a published copy until it is named here.

use crate::OpsError;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use vardhub_engine::scenario::Band;
use vardhub_engine::whatif::ScenarioSpec;
use vardhub_store::IndicatorRun;

/// The file name of a scenario run's document.
pub const DOCUMENT: &str = "scenario.json";

/// A scenario document: the raw one of a run, or a published, disclosure-checked copy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScenarioDocument {
    /// The scenario's id.
    pub scenario: String,
    /// The scenario file's version.
    pub version: String,
    /// The scenario file's hash.
    pub hash: String,
    /// The scenario as written.
    pub spec: ScenarioSpec,
    /// The result.
    pub result: ScenarioBody,
    /// What disclosure control did (a published copy only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disclosure: Option<Disclosure>,
}

/// A result, by model (`model`: `beds`, …).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "model", rename_all = "snake_case")]
pub enum ScenarioBody {
    /// A bed scenario (boxed: far larger than the other variant).
    Beds(Box<BedResult>),
    /// A waiting-list scenario (boxed likewise).
    WaitingList(Box<WaitResult>),
    /// A model this version does not read (shown as "not shown yet").
    #[serde(other)]
    NotYetShown,
}

/// What disclosure control did to a published copy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Disclosure {
    /// The policy (`id vN`).
    pub policy: String,
    /// The policy's least count shown (`rules.count.min_count`).
    pub min_count: u64,
    /// Counts shown are rounded to a multiple of this (the least count; 1: not rounded).
    pub rounding: u64,
    /// The counts hidden (field paths, `result.calibration.stays_elsewhere`).
    pub suppressed: Vec<String>,
    /// The counts rounded, and what is derived from them.
    pub rounded: Vec<String>,
}

/// A bed scenario's result (the engine's `BedScenarioResult`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BedResult {
    /// Horizon headline.
    pub headline: Headline,
    /// Per month of the horizon.
    pub months: Vec<MonthResult>,
    /// Per day of the horizon: date, the region's census band, baseline and scenario.
    pub daily_census: Vec<(String, Band, Band)>,
    /// Calibration facts.
    pub calibration: Calibration,
    /// Replications.
    pub replications: usize,
    /// Seed.
    pub seed: u64,
}

/// Headline results over the horizon.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Headline {
    /// Överbeläggningar per 100 staffed beds, baseline forecast.
    pub baseline: Band,
    /// … under the scenario.
    pub scenario: Band,
    /// Scenario − baseline, paired by replication.
    pub difference: Band,
    /// Mean occupied beds, scenario − baseline.
    pub census_difference: Band,
    /// Mean occupied beds, baseline.
    pub census_baseline: Band,
    /// Mean occupied beds, scenario.
    pub census_scenario: Band,
    /// Bed-days over the horizon, baseline.
    pub bed_days_baseline: Band,
    /// Bed-days, scenario.
    pub bed_days_scenario: Band,
    /// Share of days with any överbeläggning, baseline.
    pub p_overcrowded_baseline: Band,
    /// … scenario.
    pub p_overcrowded_scenario: Band,
    /// The lake's figure over the horizon where every day is delivered (back-test).
    pub observed: Option<Observed>,
}

/// One month of the horizon.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MonthResult {
    /// `ÅÅÅÅ-MM`.
    pub month: String,
    /// Överbeläggningar per 100 staffed beds, baseline forecast.
    pub baseline: Band,
    /// … scenario.
    pub scenario: Band,
    /// Mean occupied beds at 06:00, baseline.
    pub census_baseline: Band,
    /// … scenario.
    pub census_scenario: Band,
    /// Mean staffed beds per day, baseline and scenario.
    pub staffed: (f64, f64),
    /// The bed collection's figures for the month, if delivered (back-test).
    pub observed: Option<Observed>,
}

/// The bed collection's own figures.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Observed {
    /// Överbeläggningar per 100 staffed beds.
    pub overbelaggningar_per_100: f64,
    /// Mean occupied beds at 06:00.
    pub census: f64,
    /// Days delivered.
    pub days: u32,
}

/// What the model was calibrated on. The counts of stays are `None` in a published copy where
/// disclosure control hid them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Calibration {
    /// Completed stays used.
    pub stays: Option<u64>,
    /// Stays on wards outside the somatic bed collection (not used).
    pub stays_elsewhere: Option<u64>,
    /// Wards simulated.
    pub wards: usize,
    /// Admissions per day (baseline).
    pub admissions_per_day: f64,
    /// Mean length of stay in days (baseline).
    pub mean_los_days: f64,
    /// Share of the excess placed on another ward (baseline).
    pub outlying_share: f64,
    /// Days simulated before the horizon and dropped.
    pub warmup_days: usize,
    /// Spread (σ of the log) of a month's admission level beyond Poisson.
    pub month_level_sigma: f64,
}

/// A band that may be undefined: the engine's NaN (no completions in a month) is written as
/// `null` and read back as NaN.
fn nullable_band<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Band, D::Error> {
    #[derive(Deserialize)]
    struct Raw {
        mean: Option<f64>,
        se: Option<f64>,
        lower: Option<f64>,
        median: Option<f64>,
        upper: Option<f64>,
    }
    let r = Raw::deserialize(d)?;
    let v = |x: Option<f64>| x.unwrap_or(f64::NAN);
    Ok(Band {
        mean: v(r.mean),
        se: v(r.se),
        lower: v(r.lower),
        median: v(r.median),
        upper: v(r.upper),
    })
}

/// A number that may be undefined (`null` read as NaN).
fn nullable_f64<'de, D: serde::Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    Ok(Option::<f64>::deserialize(d)?.unwrap_or(f64::NAN))
}

/// A waiting-list scenario's result (the engine's `WaitScenarioResult`). Shares are of first
/// visits within 90 days; a band is NaN (`null` in JSON) for a month without completions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WaitResult {
    /// Horizon headline.
    pub headline: WaitHeadline,
    /// Per month of the horizon.
    pub months: Vec<WaitMonth>,
    /// Calibration facts.
    pub calibration: WaitCalibration,
    /// Replications.
    pub replications: usize,
    /// Seed.
    pub seed: u64,
}

/// Headline results of a waiting-list scenario over the horizon.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WaitHeadline {
    /// Share within 90 days, baseline forecast.
    #[serde(deserialize_with = "nullable_band")]
    pub baseline: Band,
    /// … under the scenario.
    #[serde(deserialize_with = "nullable_band")]
    pub scenario: Band,
    /// Scenario − baseline, paired by replication.
    #[serde(deserialize_with = "nullable_band")]
    pub difference: Band,
    /// Persons waiting at the horizon's end, baseline.
    #[serde(deserialize_with = "nullable_band")]
    pub list_baseline: Band,
    /// … scenario.
    #[serde(deserialize_with = "nullable_band")]
    pub list_scenario: Band,
    /// Scenario − baseline.
    #[serde(deserialize_with = "nullable_band")]
    pub list_difference: Band,
    /// The lake's figure over the horizon (back-test).
    pub observed: Option<ObservedShare>,
}

/// One month of a waiting-list scenario.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WaitMonth {
    /// `ÅÅÅÅ-MM`.
    pub month: String,
    /// Share within 90 days of the month's completions, baseline.
    #[serde(deserialize_with = "nullable_band")]
    pub baseline: Band,
    /// … scenario.
    #[serde(deserialize_with = "nullable_band")]
    pub scenario: Band,
    /// Scenario − baseline.
    #[serde(deserialize_with = "nullable_band")]
    pub difference: Band,
    /// Persons waiting at the month's end, baseline.
    #[serde(deserialize_with = "nullable_band")]
    pub list_baseline: Band,
    /// … scenario.
    #[serde(deserialize_with = "nullable_band")]
    pub list_scenario: Band,
    /// Of them waiting over 90 days, baseline.
    #[serde(deserialize_with = "nullable_band")]
    pub over_90_baseline: Band,
    /// … scenario.
    #[serde(deserialize_with = "nullable_band")]
    pub over_90_scenario: Band,
    /// The lake's figure for the month (back-test).
    pub observed: Option<ObservedShare>,
}

/// The lake's own share within 90 days. The counts are `None` in a published copy where
/// disclosure control hid them, and the share then too.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ObservedShare {
    /// First visits completed.
    pub completed: Option<u64>,
    /// Of them within 90 days.
    pub within: Option<u64>,
    /// `within / completed`.
    pub share: Option<f64>,
}

/// What a waiting-list model was calibrated on. The counts of persons are `None` in a published
/// copy where disclosure control hid them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WaitCalibration {
    /// Cases completed in the baseline.
    pub completed: Option<u64>,
    /// Of them with a medical target and no deviation reason.
    pub with_target: Option<u64>,
    /// Completions per day in the baseline.
    #[serde(deserialize_with = "nullable_f64")]
    pub per_day: f64,
    /// The lateness in days.
    #[serde(deserialize_with = "nullable_f64")]
    pub lateness_days: f64,
    /// Median wait of the baseline's completed cases, days.
    #[serde(deserialize_with = "nullable_f64")]
    pub median_wait_days: f64,
    /// The baseline's share within 90 days.
    #[serde(deserialize_with = "nullable_f64")]
    pub baseline_share: f64,
    /// Arrivals per calendar month (January first) relative to the baseline's mean.
    pub month_factors: [f64; 12],
}

impl ScenarioBody {
    /// The model's code as the spec names it (`beds`, or `unknown`).
    pub fn model(&self) -> &'static str {
        match self {
            ScenarioBody::Beds(_) => "beds",
            ScenarioBody::WaitingList(_) => "waiting_list",
            ScenarioBody::NotYetShown => "unknown",
        }
    }
}

/// Read a document from its JSON.
pub fn parse(bytes: &[u8]) -> Result<ScenarioDocument, String> {
    serde_json::from_slice(bytes).map_err(|e| e.to_string())
}

/// Read a run's document from its file, checked against the SHA-256 the catalogue recorded
/// (blocking I/O: call it from a blocking task in a server).
pub fn read(run: &IndicatorRun) -> Result<ScenarioDocument, OpsError> {
    let at = |m: String| OpsError::StoredRun(format!("{}: {m}", run.result_path.display()));
    if run.result_path.file_name().and_then(|n| n.to_str()) != Some(DOCUMENT) {
        return Err(at(format!("inte ett {DOCUMENT} / not a {DOCUMENT}")));
    }
    let bytes = std::fs::read(&run.result_path).map_err(|e| at(e.to_string()))?;
    if hex::encode(Sha256::digest(&bytes)) != run.result_sha256 {
        return Err(at(
            "SHA-256 stämmer inte med katalogen / does not match the catalogue".into(),
        ));
    }
    parse(&bytes).map_err(at)
}

/// Whether a run stored a scenario document (runs of kind scenario stored otherwise are not
/// scenarios to show).
pub fn has_document(run: &IndicatorRun) -> bool {
    run.result_path.file_name().and_then(|n| n.to_str()) == Some(DOCUMENT)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use vardhub_engine::whatif::beds as engine;
    use vardhub_engine::whatif::waits as wengine;
    use vardhub_engine::whatif::{Scenario, ScenarioResult};

    fn band(mean: f64) -> Band {
        Band {
            mean,
            se: 0.1,
            lower: mean - 1.0,
            median: mean,
            upper: mean + 1.0,
        }
    }

    /// A bed result of the engine, by hand.
    pub(crate) fn engine_beds(stays: usize, stays_elsewhere: usize) -> engine::BedScenarioResult {
        let observed = engine::Observed {
            overbelaggningar_per_100: 9.0,
            census: 80.0,
            days: 31,
        };
        engine::BedScenarioResult {
            headline: engine::Headline {
                baseline: band(9.8),
                scenario: band(4.1),
                difference: band(-5.7),
                census_difference: band(-0.5),
                census_baseline: band(80.0),
                census_scenario: band(79.5),
                bed_days_baseline: band(2480.0),
                bed_days_scenario: band(2465.0),
                p_overcrowded_baseline: band(0.9),
                p_overcrowded_scenario: band(0.6),
                observed: Some(observed),
            },
            months: vec![engine::MonthResult {
                month: "2024-03".into(),
                baseline: band(9.8),
                scenario: band(4.1),
                census_baseline: band(80.0),
                census_scenario: band(79.5),
                staffed: (75.0, 78.0),
                observed: Some(observed),
            }],
            daily_census: vec![("2024-03-01".into(), band(80.0), band(79.0))],
            calibration: engine::Calibration {
                stays,
                stays_elsewhere,
                wards: 4,
                admissions_per_day: stays as f64 / 60.0,
                mean_los_days: 4.2,
                outlying_share: 0.3,
                warmup_days: 60,
                month_level_sigma: 0.05,
            },
            replications: 20,
            seed: 1,
        }
    }

    /// A waiting-list result of the engine, by hand (its second month has no completions: NaN).
    pub(crate) fn engine_waits(
        completed: usize,
        with_target: usize,
    ) -> wengine::WaitScenarioResult {
        let observed = |completed: u64, within: u64| wengine::ObservedShare {
            completed,
            within,
            share: within as f64 / completed as f64,
        };
        let nan = Band {
            mean: f64::NAN,
            se: f64::NAN,
            lower: f64::NAN,
            median: f64::NAN,
            upper: f64::NAN,
        };
        let month = |month: &str, share: Band, observed| wengine::WaitMonth {
            month: month.into(),
            baseline: share,
            scenario: share,
            difference: share,
            list_baseline: band(300.0),
            list_scenario: band(250.0),
            over_90_baseline: band(40.0),
            over_90_scenario: band(30.0),
            observed,
        };
        wengine::WaitScenarioResult {
            headline: wengine::WaitHeadline {
                baseline: band(0.592),
                scenario: band(0.667),
                difference: band(0.083),
                list_baseline: band(300.0),
                list_scenario: band(250.0),
                list_difference: band(-50.0),
                observed: Some(observed(213, 121)),
            },
            months: vec![
                month("2024-03", band(0.6), Some(observed(3, 2))),
                month("2024-04", nan, None),
            ],
            calibration: wengine::WaitCalibration {
                completed,
                with_target,
                per_day: completed as f64 / 60.0,
                lateness_days: 12.5,
                median_wait_days: 61.0,
                baseline_share: 0.59,
                month_factors: [1.0; 12],
            },
            replications: 20,
            seed: 1,
        }
    }

    /// A scenario file over region 01 with a baseline of January–February 2024 (60 days).
    pub(crate) fn scenario() -> Scenario {
        let text = r#"id = "test_scenario"
version = "1.0.0"
title = { sv = "Tre fler vårdplatser", en = "Three more beds" }
model = "beds"
region = "01"
baseline = { from = "2024-01", to = "2024-02" }
horizon = { from = "2024-03", to = "2024-03" }
replications = 20

[[change]]
kind = "staffed_beds"
add = 3
"#;
        Scenario::from_toml("test_scenario.toml", text).unwrap()
    }

    /// The document `ops::scenarios::run_and_store` writes for `result`.
    pub(crate) fn document(scenario: &Scenario, result: &ScenarioResult) -> Vec<u8> {
        let s = &scenario.spec;
        serde_json::to_vec_pretty(&serde_json::json!({
            "scenario": s.id, "version": s.version, "hash": scenario.hash, "spec": s,
            "result": result,
        }))
        .unwrap()
    }

    #[test]
    fn every_model_of_the_engine_reads_field_for_field() {
        let s = scenario();
        for result in [
            ScenarioResult::Beds(engine_beds(412, 3)),
            ScenarioResult::WaitingList(engine_waits(1812, 1003)),
        ] {
            every_field(&s, &result);
        }
    }

    fn every_field(s: &Scenario, result: &ScenarioResult) {
        let doc = parse(&document(s, result)).unwrap();
        assert_eq!(doc.spec, s.spec);
        assert!(doc.disclosure.is_none());
        // Exhaustive on purpose: a new model of the engine stops the build here until this
        // module reads it and the server shows it (crates/vardhub-server/src/routes/pages/
        // scenario_sections.rs).
        match result {
            ScenarioResult::Beds(b) => {
                let ScenarioBody::Beds(r) = &doc.result else {
                    panic!("not read as beds: {:?}", doc.result)
                };
                // Every field: the engine's value and the read one serialise alike.
                assert_eq!(
                    serde_json::to_value(b).unwrap(),
                    serde_json::to_value(r).unwrap()
                );
                assert_eq!(r.calibration.stays, Some(412));
                assert_eq!(r.headline.difference.mean, -5.7);
            }
            ScenarioResult::WaitingList(w) => {
                let ScenarioBody::WaitingList(r) = &doc.result else {
                    panic!("not read as a waiting list: {:?}", doc.result)
                };
                // Through the JSON text on both sides (serde_json's float parsing is not exact).
                let text = |v: String| serde_json::from_str::<serde_json::Value>(&v).unwrap();
                assert_eq!(
                    text(serde_json::to_string(w).unwrap()),
                    serde_json::to_value(r).unwrap()
                );
                assert_eq!(doc.result.model(), "waiting_list");
                assert_eq!(r.calibration.completed, Some(1812));
                assert_eq!(r.months[0].observed.unwrap().within, Some(2));
                // A month without completions: null in JSON, NaN read.
                assert!(r.months[1].baseline.mean.is_nan());
                assert!(r.months[1].observed.is_none());
            }
        }
    }

    #[test]
    fn a_model_not_read_is_not_shown_and_not_an_error() {
        let s = scenario();
        let mut v: serde_json::Value =
            serde_json::from_slice(&document(&s, &ScenarioResult::Beds(engine_beds(412, 3))))
                .unwrap();
        v["result"] = serde_json::json!({"model": "queue_theory", "list": [1, 2, 3]});
        let doc = parse(&serde_json::to_vec(&v).unwrap()).unwrap();
        assert_eq!(doc.result, ScenarioBody::NotYetShown);
        assert_eq!(doc.result.model(), "unknown");
        assert!(parse(b"{}").is_err());
        assert!(parse(b"not json").is_err());
    }
}
