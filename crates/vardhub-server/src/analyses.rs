//! Stored patient-level analyses: the newest run of kind analysis per analysis id, its document
//! (`analysis.json`) read once, checked against the SHA-256 the catalogue recorded, and kept.
//!
//! The document holds the results **unsuppressed**. They stay inside this module: handlers get
//! what the public may see through [`LoadedAnalysis::public`] (the engine's
//! [`vardhub_engine::analysis::public`], the one door), and an analyst's unsuppressed result only
//! through [`LoadedAnalysis::unsuppressed_for`], which checks the caller's access (a region
//! analyst: the own region only; national analysts and admins: every region) and appends the
//! access to the audit log before it returns anything.
//!
//! A document names its kind (`"kind"`; a document without one is a care chain, as the first
//! ones were). Kinds this server cannot show yet are loaded as [`Body::NotYetShown`]: listed and
//! described, never failed on.

use crate::auth::{Access, Caller};
use crate::error::ServerError;
use crate::problem::Problem;
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use vardhub_engine::analysis::chain::ChainResult;
use vardhub_engine::analysis::disclose::{PublicChain, PublicCount, PublicStep};
use vardhub_engine::analysis::{AnalysisRecipe, Linkage};
use vardhub_engine::disclosure::{DisclosurePolicy, Status};
use vardhub_store::{Hub, IndicatorRun, RunKind};

/// The file name of an analysis run's document.
pub const DOCUMENT: &str = "analysis.json";

/// The kind of a care-chain document (also what a document without `kind` is).
pub const CARE_CHAIN: &str = "care_chain";

/// What an analysis recipe says about itself, for lists and headings.
#[derive(Debug, Clone, PartialEq)]
pub struct AnalysisInfo {
    /// Analysis id.
    pub id: String,
    /// Kind (`care_chain`, `cost_over_time`, `before_after`, …).
    pub kind: String,
    /// Title (Swedish, English).
    pub title: (String, String),
    /// Description (Swedish, English).
    pub description: (String, String),
    /// Contacts are linked only within the region of the index (`false`: across regions).
    pub regional_linkage: bool,
    /// Days of follow-up of a care chain.
    pub horizon_days: Option<u64>,
    /// Follow-up starts at the index discharge (else at the admission).
    pub from_discharge: bool,
    /// Steps of a care chain: (id, Swedish name, English name).
    pub steps: Vec<(String, String, String)>,
}

impl AnalysisInfo {
    /// From a recipe. Fields that differ between recipe versions (horizon, time zero, kind) are
    /// read from the recipe's serialised form, so an older or newer recipe shape still lists.
    pub fn of(recipe: &AnalysisRecipe) -> AnalysisInfo {
        let s = &recipe.spec;
        let v = serde_json::to_value(s).unwrap_or(Value::Null);
        AnalysisInfo {
            id: s.id.clone(),
            kind: v["kind"].as_str().unwrap_or(CARE_CHAIN).to_owned(),
            title: (s.title_sv.clone(), s.title_en.clone()),
            description: (s.description_sv.clone(), s.description_en.clone()),
            regional_linkage: s.linkage == Linkage::Region,
            horizon_days: v["cohort"]["horizon_days"].as_u64(),
            from_discharge: v["cohort"]["time_zero"].as_str() == Some("discharge"),
            steps: s
                .steps
                .iter()
                .map(|st| (st.id.clone(), st.name_sv.clone(), st.name_en.clone()))
                .collect(),
        }
    }

    /// An analysis the server has no recipe for (stored by a hub with other definitions): its
    /// id stands in for the texts.
    pub fn unknown(id: &str, kind: &str) -> AnalysisInfo {
        AnalysisInfo {
            id: id.to_owned(),
            kind: kind.to_owned(),
            title: (id.to_owned(), id.to_owned()),
            description: (String::new(), String::new()),
            regional_linkage: true,
            horizon_days: None,
            from_discharge: false,
            steps: Vec::new(),
        }
    }
}

/// The analysis recipes the server knows (the built-in ones), by id.
pub fn recipes() -> &'static BTreeMap<String, AnalysisInfo> {
    static RECIPES: std::sync::LazyLock<BTreeMap<String, AnalysisInfo>> =
        std::sync::LazyLock::new(|| {
            vardhub_engine::analysis::builtin()
                .values()
                .map(|r| (r.spec.id.clone(), AnalysisInfo::of(r)))
                .collect()
        });
    &RECIPES
}

/// What a stored document holds.
#[derive(Debug)]
pub enum Body {
    /// A care chain: all regions (`00`) first, then each region, unsuppressed (private).
    CareChain(Vec<ChainResult>),
    /// A kind this server does not show yet (its `kind`).
    NotYetShown(String),
}

/// One stored analysis run, read.
#[derive(Debug)]
pub struct LoadedAnalysis {
    /// Analysis id.
    pub id: String,
    /// Recipe version and hash the run used.
    pub version: String,
    /// Recipe hash.
    pub hash: String,
    /// When the run finished (RFC 3339).
    pub computed_at: String,
    /// The snapshot moment it read.
    pub as_of: String,
    /// The run id: for the audit log only, never shown.
    run_id: String,
    body: Body,
}

impl LoadedAnalysis {
    /// The document's kind (`care_chain`, …).
    pub fn kind(&self) -> &str {
        match &self.body {
            Body::CareChain(_) => CARE_CHAIN,
            Body::NotYetShown(k) => k,
        }
    }

    /// Whether this server shows the kind.
    pub fn shown(&self) -> bool {
        matches!(self.body, Body::CareChain(_))
    }

    /// What the public may see: each result through the engine's `analysis::public` under
    /// `policy`, all regions (`00`) first. Empty for a kind not shown yet.
    pub fn public(&self, policy: &DisclosurePolicy) -> Vec<PublicChain> {
        match &self.body {
            Body::CareChain(results) => results
                .iter()
                .map(|r| vardhub_engine::analysis::public(r, policy))
                .collect(),
            Body::NotYetShown(_) => Vec::new(),
        }
    }

    /// The unsuppressed result of `region` (`00` = all regions) with every value shown, if the
    /// caller may see it: a region analyst only the own region (never `00`, which holds every
    /// region), national analysts and admins every region; the public never. An access is
    /// written to the audit log (`analysis.unsuppressed`) before the result is returned.
    /// `Ok(None)`: not allowed, or the region has no patients in the cohort.
    pub async fn unsuppressed_for(
        &self,
        hub: &Hub,
        caller: &Caller,
        region: &str,
    ) -> Result<Option<PublicChain>, Problem> {
        let Some(principal) = caller.0.as_ref() else {
            return Ok(None);
        };
        let access = principal.access();
        let allowed = match access {
            Access::Public => false,
            Access::Region(own) => own.as_str() == region,
            Access::Full => true,
        };
        let Body::CareChain(results) = &self.body else {
            return Ok(None);
        };
        if !allowed {
            return Ok(None);
        }
        let Some(result) = results.iter().find(|r| r.region == region) else {
            return Ok(None);
        };
        hub.append_audit(
            &principal.name,
            "analysis.unsuppressed",
            &self.run_id,
            &format!(
                "analysis={} region={region} access={}",
                self.id,
                access.key()
            ),
        )
        .await
        .map_err(Problem::internal)?;
        Ok(Some(everything(result)))
    }
}

/// A count shown as it is.
fn shown(v: u64) -> PublicCount {
    PublicCount {
        value: Some(v),
        status: if v == 0 { Status::Zero } else { Status::Ok },
    }
}

/// An unsuppressed result in the published shape with every value shown (for its owner only).
fn everything(r: &ChainResult) -> PublicChain {
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

/// The stored analysis runs the server has read, by run id.
#[derive(Default)]
pub(crate) struct AnalysisCache {
    loaded: Mutex<HashMap<String, Arc<LoadedAnalysis>>>,
}

impl AnalysisCache {
    /// The newest analysis run of each analysis id that stored a document (newest first in the
    /// catalogue; a run is of the analysis its `recipes` names).
    pub async fn newest_runs(hub: &Hub) -> Result<BTreeMap<String, IndicatorRun>, ServerError> {
        let mut newest = BTreeMap::new();
        for run in hub.indicator_runs_of(RunKind::Analysis).await? {
            if run.result_path.file_name().and_then(|n| n.to_str()) != Some(DOCUMENT) {
                continue;
            }
            let ids: BTreeMap<String, Value> =
                serde_json::from_str(&run.recipes).unwrap_or_default();
            let [id] = ids.keys().collect::<Vec<_>>()[..] else {
                continue;
            };
            newest.entry(id.clone()).or_insert(run);
        }
        Ok(newest)
    }

    /// The newest run of analysis `id`, read (or `None`: never run).
    pub async fn newest(
        &self,
        hub: &Hub,
        id: &str,
    ) -> Result<Option<Arc<LoadedAnalysis>>, ServerError> {
        let Some(run) = Self::newest_runs(hub).await?.remove(id) else {
            return Ok(None);
        };
        self.load(run).await.map(Some)
    }

    /// A run's document, read once and kept (only the newest run of each analysis is kept).
    async fn load(&self, run: IndicatorRun) -> Result<Arc<LoadedAnalysis>, ServerError> {
        if let Some(a) = self.cached(&run.id) {
            return Ok(a);
        }
        let path = run.result_path.clone();
        let bytes = tokio::task::spawn_blocking(move || std::fs::read(&path))
            .await?
            .map_err(|e| file_error(&run, e.to_string()))?;
        if hex::encode(Sha256::digest(&bytes)) != run.result_sha256 {
            return Err(file_error(
                &run,
                "SHA-256 stämmer inte med katalogen / does not match the catalogue".into(),
            ));
        }
        let (id, version, hash, body) = parse(&bytes).map_err(|e| file_error(&run, e))?;
        let loaded = Arc::new(LoadedAnalysis {
            id,
            version,
            hash,
            computed_at: run.finished_at.clone(),
            as_of: run.as_of.clone(),
            run_id: run.id.clone(),
            body,
        });
        if let Ok(mut cache) = self.loaded.lock() {
            cache.retain(|_, a| a.id != loaded.id);
            cache.insert(run.id, loaded.clone());
        }
        Ok(loaded)
    }

    fn cached(&self, run_id: &str) -> Option<Arc<LoadedAnalysis>> {
        self.loaded.lock().ok()?.get(run_id).cloned()
    }
}

fn file_error(run: &IndicatorRun, message: String) -> ServerError {
    ServerError::File {
        path: run.result_path.display().to_string(),
        message,
    }
}

/// (id, version, hash, body) of a document.
fn parse(bytes: &[u8]) -> Result<(String, String, String, Body), String> {
    let doc: Value = serde_json::from_slice(bytes).map_err(|e| e.to_string())?;
    let text = |k: &str| doc[k].as_str().unwrap_or_default().to_owned();
    let id = text("analysis");
    if id.is_empty() {
        return Err("dokumentet saknar analysis / the document names no analysis".into());
    }
    let kind = doc["kind"].as_str().unwrap_or(CARE_CHAIN);
    let body = if kind == CARE_CHAIN {
        let results = doc["results"]
            .as_array()
            .ok_or("dokumentet saknar results / the document has no results")?;
        Body::CareChain(
            results
                .iter()
                .map(|r| chain_result(r.clone()))
                .collect::<Result<_, _>>()?,
        )
    } else {
        Body::NotYetShown(kind.to_owned())
    };
    Ok((id, text("version"), text("hash"), body))
}

/// One care-chain result. JSON has no infinity: an interval limit of a time quantile that is
/// −∞ or +∞ (too few patients for a finite order statistic, its rank missing) is stored as
/// `null` and read back as that infinity.
fn chain_result(mut v: Value) -> Result<ChainResult, String> {
    let mut unbounded = Vec::new();
    if let Some(steps) = v["steps"].as_array_mut() {
        for (s, step) in steps.iter_mut().enumerate() {
            let Some(quantiles) = step["quantiles"].as_array_mut() else {
                continue;
            };
            for (q, quantile) in quantiles.iter_mut().enumerate() {
                for (k, lower) in [("lower", true), ("upper", false)] {
                    if quantile.get(k).is_some_and(Value::is_null) {
                        quantile[k] = Value::from(0.0);
                        unbounded.push((s, q, lower));
                    }
                }
            }
        }
    }
    let mut r: ChainResult = serde_json::from_value(v).map_err(|e| e.to_string())?;
    for (s, q, lower) in unbounded {
        let quantile = &mut r.steps[s].quantiles[q];
        if lower {
            quantile.lower = f64::NEG_INFINITY;
        } else {
            quantile.upper = f64::INFINITY;
        }
    }
    Ok(r)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_document_without_kind_is_a_care_chain_and_other_kinds_are_not_yet_shown() {
        let doc = br#"{"analysis": "a", "version": "1", "hash": "h", "results": []}"#;
        let (id, _, _, body) = parse(doc).unwrap();
        assert_eq!(id, "a");
        assert!(matches!(body, Body::CareChain(r) if r.is_empty()));
        let doc = br#"{"analysis": "b", "kind": "cost_over_time", "results": [{"x": 1}]}"#;
        let (_, _, _, body) = parse(doc).unwrap();
        assert!(matches!(body, Body::NotYetShown(k) if k == "cost_over_time"));
        assert!(parse(b"{}").is_err());
        assert!(parse(b"not json").is_err());
    }

    #[test]
    fn an_unbounded_quantile_limit_reads_back_as_infinity() {
        let q = serde_json::json!({"p": 0.5, "days": 2.0, "lower": null, "upper": null,
            "below": 1, "above": 1, "n": 3, "lower_rank": null, "upper_rank": null});
        let step = serde_json::json!({"id": "s", "reached": 3, "censored": 0,
            "share": {"day": 1.0, "at_risk": 3, "events": 3, "share": 1.0, "lower": 0.4, "upper": 1.0},
            "by_day_30": null, "curve": [], "quantiles": [q], "method": "m"});
        let r = serde_json::json!({"kind": "care_chain", "analysis": "a", "hash": "h",
            "region": "00", "patients": 3, "steps": [step], "paths": [], "cost": null});
        let r = chain_result(r).unwrap();
        let q = r.steps[0].quantiles[0];
        assert_eq!((q.lower, q.upper), (f64::NEG_INFINITY, f64::INFINITY));
        assert_eq!(q.days, 2.0);
    }
}
