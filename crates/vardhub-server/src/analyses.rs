//! Stored patient-level analyses: the newest run of kind analysis per analysis id, its document
//! (`analysis.json`) read once, checked against the SHA-256 the catalogue recorded, and kept.
//!
//! The document holds the results **unsuppressed**, all regions (`00`) first, then each region.
//! They stay inside this module: handlers get what the public may see through
//! [`LoadedAnalysis::public`] — the engine's [`vardhub_engine::analysis::public_all`] over the
//! whole run, the one door (it also hides what a region's value would give away beside Sweden's
//! and the other regions'), computed once per run and policy and kept — and an analyst's
//! unsuppressed result only through [`LoadedAnalysis::unsuppressed_for`], which checks the
//! caller's access (a region analyst: the own region only; national analysts and admins: every
//! region) and appends the access to the audit log before it returns anything.
//!
//! A document names its kind (`"kind"`; a document without one is a care chain, as the first
//! ones were, and so is a result without one). Kinds this server does not know are loaded as
//! [`Body::NotYetShown`]: listed and described, never failed on.

use crate::auth::{Access, Caller};
use crate::error::ServerError;
use crate::problem::Problem;
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use vardhub_engine::analysis::recipe::TimeZero;
use vardhub_engine::analysis::{AnalysisRecipe, AnalysisResult, Linkage, PublicResult, public_all};
use vardhub_engine::definitions::Definitions;
use vardhub_engine::disclosure::DisclosurePolicy;
use vardhub_store::{Hub, IndicatorRun, RunKind};

/// The file name of an analysis run's document.
pub const DOCUMENT: &str = "analysis.json";

/// The kind of a care-chain document (also what a document without `kind` is).
pub const CARE_CHAIN: &str = "care_chain";
/// The kind of a cost-over-time document.
pub const COST_OVER_TIME: &str = "cost_over_time";
/// The kind of a before/after document.
pub const BEFORE_AFTER: &str = "before_after";

/// The kinds this server shows.
pub const SHOWN_KINDS: [&str; 3] = [CARE_CHAIN, COST_OVER_TIME, BEFORE_AFTER];

/// What an analysis recipe says about itself, for lists, headings and the texts of its page.
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
    /// Time zero is the index discharge (else the admission).
    pub from_discharge: bool,
    /// Steps of a care chain: (id, Swedish name, English name).
    pub steps: Vec<(String, String, String)>,
    /// Months before and from time zero (cost over time).
    pub months: Option<(u32, u32)>,
    /// Days of each window before and after time zero (before/after).
    pub window_days: Option<u32>,
    /// The exposure: its codes and the days after time zero it must come within (before/after).
    pub exposure: Option<(Vec<String>, u32)>,
}

impl AnalysisInfo {
    /// From a recipe.
    pub fn of(recipe: &AnalysisRecipe) -> AnalysisInfo {
        let s = &recipe.spec;
        AnalysisInfo {
            id: s.id.clone(),
            kind: serde_json::to_value(s.kind)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_else(|| CARE_CHAIN.to_owned()),
            title: (s.title_sv.clone(), s.title_en.clone()),
            description: (s.description_sv.clone(), s.description_en.clone()),
            regional_linkage: s.linkage == Linkage::Region,
            horizon_days: s.cohort.horizon_days.map(u64::from),
            from_discharge: s.cohort.time_zero == TimeZero::Discharge,
            steps: s
                .steps
                .iter()
                .map(|st| (st.id.clone(), st.name_sv.clone(), st.name_en.clone()))
                .collect(),
            months: s.cost_over_time.map(|c| (c.months_before, c.months_after)),
            window_days: s.before_after.as_ref().map(|b| b.window_days),
            exposure: s
                .before_after
                .as_ref()
                .map(|b| (b.exposure.codes.clone(), b.exposure.within_days)),
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
            months: None,
            window_days: None,
            exposure: None,
        }
    }
}

/// The analysis recipes the server runs on, by id: those of its definitions (the folder it was
/// started with, or the built-in set).
pub fn recipes(definitions: &Definitions) -> BTreeMap<String, AnalysisInfo> {
    definitions
        .analyses()
        .values()
        .map(|r| (r.spec.id.clone(), AnalysisInfo::of(r)))
        .collect()
}

/// What a stored document holds.
#[derive(Debug)]
pub enum Body {
    /// A kind this server shows: all regions (`00`) first, then each region, unsuppressed
    /// (private).
    Shown(Vec<AnalysisResult>),
    /// A kind this server does not know.
    NotYetShown,
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
    /// The document's kind.
    kind: String,
    /// The run id: for the audit log only, never shown.
    run_id: String,
    body: Body,
    /// The public form of the whole run under a policy (its name), once computed.
    public: Mutex<Option<(String, Arc<Vec<PublicResult>>)>>,
}

impl LoadedAnalysis {
    /// The document's kind (`care_chain`, …).
    pub fn kind(&self) -> &str {
        &self.kind
    }

    /// Whether this server shows the kind.
    pub fn shown(&self) -> bool {
        matches!(self.body, Body::Shown(_))
    }

    /// What the public may see under `policy`: the whole run (Sweden and every region together)
    /// through the engine's `public_all`, all regions (`00`) first. Computed once per run and
    /// policy. Empty for a kind not shown.
    pub fn public(&self, policy: &DisclosurePolicy) -> Arc<Vec<PublicResult>> {
        let Body::Shown(results) = &self.body else {
            return Arc::new(Vec::new());
        };
        let name = format!("{} v{}", policy.id(), policy.version());
        let mut cache = self
            .public
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some((n, p)) = cache.as_ref()
            && *n == name
        {
            return p.clone();
        }
        let published = Arc::new(public_all(results, policy));
        *cache = Some((name, published.clone()));
        published
    }

    /// The unsuppressed result of `region` (`00` = all regions) with every value shown, in the
    /// published shape, if the caller may see it: a region analyst only the own region (never
    /// `00`, which holds every region), national analysts and admins every region; the public
    /// never. An access is written to the audit log (`analysis.unsuppressed`) before the result
    /// is returned. `Ok(None)`: not allowed, or the region has no patients in the cohort.
    pub async fn unsuppressed_for(
        &self,
        hub: &Hub,
        caller: &Caller,
        region: &str,
    ) -> Result<Option<PublicResult>, Problem> {
        let Some(principal) = caller.0.as_ref() else {
            return Ok(None);
        };
        let access = principal.access();
        let allowed = match access {
            Access::Public => false,
            Access::Region(own) => own.as_str() == region,
            Access::Full => true,
        };
        let Body::Shown(results) = &self.body else {
            return Ok(None);
        };
        if !allowed {
            return Ok(None);
        }
        let Some(result) = results.iter().find(|r| r.region() == region) else {
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
        Ok(Some(crate::unsuppressed::everything(result)))
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
        let parsed = tokio::task::spawn_blocking(move || parse(&bytes)).await?;
        let Parsed {
            id,
            kind,
            version,
            hash,
            body,
        } = parsed.map_err(|e| file_error(&run, e))?;
        let loaded = Arc::new(LoadedAnalysis {
            id,
            version,
            hash,
            computed_at: run.finished_at.clone(),
            as_of: run.as_of.clone(),
            kind,
            run_id: run.id.clone(),
            body,
            public: Mutex::new(None),
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

/// A document, read.
struct Parsed {
    id: String,
    kind: String,
    version: String,
    hash: String,
    body: Body,
}

/// Read a document. A result without `kind` is of the document's kind (the first care-chain
/// documents named none); a kind this server does not know is not read further.
fn parse(bytes: &[u8]) -> Result<Parsed, String> {
    let mut doc: Value = serde_json::from_slice(bytes).map_err(|e| e.to_string())?;
    let text = |k: &str| doc[k].as_str().unwrap_or_default().to_owned();
    let id = text("analysis");
    if id.is_empty() {
        return Err("dokumentet saknar analysis / the document names no analysis".into());
    }
    let kind = doc["kind"].as_str().unwrap_or(CARE_CHAIN).to_owned();
    let (version, hash) = (text("version"), text("hash"));
    let body = if SHOWN_KINDS.contains(&kind.as_str()) {
        let results = doc["results"]
            .as_array_mut()
            .ok_or("dokumentet saknar results / the document has no results")?;
        for r in results.iter_mut() {
            if let Some(o) = r.as_object_mut() {
                o.entry("kind").or_insert_with(|| Value::from(kind.clone()));
            }
        }
        Body::Shown(serde_json::from_value(doc["results"].take()).map_err(|e| e.to_string())?)
    } else {
        Body::NotYetShown
    };
    Ok(Parsed {
        id,
        kind,
        version,
        hash,
        body,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_document_without_kind_is_a_care_chain_and_unknown_kinds_are_not_shown() {
        let doc = br#"{"analysis": "a", "version": "1", "hash": "h", "results": []}"#;
        let p = parse(doc).unwrap();
        assert_eq!((p.id.as_str(), p.kind.as_str()), ("a", CARE_CHAIN));
        assert!(matches!(p.body, Body::Shown(r) if r.is_empty()));
        let doc = br#"{"analysis": "b", "kind": "survival", "results": [{"x": 1}]}"#;
        let p = parse(doc).unwrap();
        assert!(matches!(p.body, Body::NotYetShown));
        assert_eq!(p.kind, "survival");
        // A known kind that does not read is an error, not an empty page.
        let doc = br#"{"analysis": "c", "kind": "cost_over_time", "results": [{"x": 1}]}"#;
        assert!(parse(doc).is_err());
        assert!(parse(b"{}").is_err());
        assert!(parse(b"not json").is_err());
    }

    #[test]
    fn an_old_care_chain_result_without_kind_reads_with_unbounded_limits() {
        let q = serde_json::json!({"p": 0.5, "days": 2.0, "lower": null, "upper": null,
            "below": 1, "above": 1, "n": 3, "lower_rank": null, "upper_rank": null});
        let step = serde_json::json!({"id": "s", "reached": 3, "censored": 0,
            "share": {"day": 1.0, "at_risk": 3, "events": 3, "share": 1.0, "lower": 0.4, "upper": 1.0},
            "by_day_30": null, "curve": [], "quantiles": [q], "method": "m"});
        let r = serde_json::json!({"analysis": "a", "hash": "h",
            "region": "00", "patients": 3, "steps": [step], "paths": [], "cost": null});
        let doc = serde_json::json!({"analysis": "a", "results": [r]});
        let p = parse(&serde_json::to_vec(&doc).unwrap()).unwrap();
        let Body::Shown(results) = p.body else {
            panic!("not shown")
        };
        let AnalysisResult::CareChain(c) = &results[0] else {
            panic!("not a care chain")
        };
        let q = c.steps[0].quantiles[0];
        assert_eq!((q.lower, q.upper), (f64::NEG_INFINITY, f64::INFINITY));
        assert_eq!(q.days, 2.0);
    }
}
