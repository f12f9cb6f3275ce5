//! Run a patient-level analysis recipe over the lake and store it as a run of kind analysis:
//! the unsuppressed result (`analysis.json`, for operators and the output check) in the run's own
//! folder, never released or served; what the public may see is derived from it through
//! [`vardhub_engine::analysis::public`].

use crate::OpsError;
use vardhub_engine::analysis::{AnalysisRecipe, AnalysisResult, PublicResult, run};

use vardhub_engine::disclosure::DisclosurePolicy;
use vardhub_store::{Hub, IndicatorRun, RunKind};

/// A stored analysis run.
#[derive(Debug)]
pub struct StoredAnalysis {
    /// The catalogue's record (kind analysis).
    pub run: IndicatorRun,
    /// All regions together (`00`), then each region, unsuppressed.
    pub results: Vec<AnalysisResult>,
    /// The same as the public may see them under the policy.
    pub public: Vec<PublicResult>,
    /// Seconds the analysis took (queries and statistics).
    pub seconds: f64,
}

/// Run `recipe` on the newest snapshot and store it, recorded in the audit log as `actor`'s.
pub async fn run_and_store(
    hub: &Hub,
    recipe: &AnalysisRecipe,
    policy: &DisclosurePolicy,
    actor: &str,
) -> Result<StoredAnalysis, OpsError> {
    let started = vardhub_store::now_utc();
    let t = std::time::Instant::now();
    let snapshot = hub.snapshot(None, None).await?;
    if snapshot.deliveries.is_empty() {
        return Err(OpsError::EmptyLake);
    }
    let results = run(&snapshot, recipe, policy).await?.into_results();
    let seconds = t.elapsed().as_secs_f64();
    let document = serde_json::to_vec_pretty(&serde_json::json!({
        "analysis": recipe.spec.id,
        "kind": recipe.spec.kind,
        "version": recipe.spec.version,
        "hash": recipe.hash,
        "policy": format!("{} v{}", policy.id(), policy.version()),
        "results": results,
    }))
    .map_err(|e| OpsError::Encode(e.to_string()))?;
    let mut run = vardhub_store::new_run(snapshot.as_of, started);
    run.kind = RunKind::Analysis;
    run.trigger = format!("vardhub analyses run {}", recipe.spec.id);
    run.recipes = serde_json::json!({ &recipe.spec.id: &recipe.hash }).to_string();
    let inputs: Vec<&str> = snapshot.deliveries.iter().map(|d| d.id.as_str()).collect();
    run.inputs = serde_json::to_string(&inputs).map_err(|e| OpsError::Encode(e.to_string()))?;
    run.timings = serde_json::json!({ &recipe.spec.id: seconds * 1000.0 }).to_string();
    let patients = results.first().map_or(0, |r| r.patients() as i64);
    let run = hub
        .store_run_document(
            run,
            "analysis.json",
            &document,
            patients,
            "analyses.run",
            actor,
        )
        .await?;
    let public = vardhub_engine::analysis::public_all(&results, policy);
    Ok(StoredAnalysis {
        run,
        results,
        public,
        seconds,
    })
}
