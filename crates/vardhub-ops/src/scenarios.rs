//! Run a what-if scenario over the lake and store it as a run of kind scenario: the result
//! (`scenario.json`, with the scenario file's hash) in the run's own folder, audited as the
//! user's (`scenarios.run`: its actor is the run's author), never released; served only to the
//! roles the server entitles, until an administrator other than its author publishes it through
//! the disclosure policy ([`crate::scenario_publication`]).

use crate::OpsError;
use vardhub_engine::whatif::{Scenario, ScenarioResult, WhatIfError, run};
use vardhub_store::{Hub, IndicatorRun, RunKind};

/// A stored scenario run.
#[derive(Debug)]
pub struct StoredScenario {
    /// The catalogue's record (kind scenario).
    pub run: IndicatorRun,
    /// The result.
    pub result: ScenarioResult,
    /// Seconds the run took (lake queries and simulation).
    pub seconds: f64,
}

/// Why a scenario run failed.
#[derive(Debug, thiserror::Error)]
pub enum ScenarioRunError {
    /// The scenario cannot run (its author or the operator must act; see the inner error).
    #[error(transparent)]
    WhatIf(#[from] WhatIfError),
    /// Storing failed (the operator must act).
    #[error(transparent)]
    Ops(#[from] OpsError),
}

/// Run `scenario` on the newest snapshot and store it as `actor`'s run of kind scenario.
pub async fn run_and_store(
    hub: &Hub,
    scenario: &Scenario,
    actor: &str,
) -> Result<StoredScenario, ScenarioRunError> {
    let started = vardhub_store::now_utc();
    let t = std::time::Instant::now();
    let snapshot = hub.snapshot(None, None).await.map_err(OpsError::from)?;
    if snapshot.deliveries.is_empty() {
        return Err(OpsError::EmptyLake.into());
    }
    let result = run(&snapshot, scenario).await?;
    let seconds = t.elapsed().as_secs_f64();
    let s = &scenario.spec;
    let document = serde_json::to_vec_pretty(&serde_json::json!({
        "scenario": s.id,
        "version": s.version,
        "hash": scenario.hash,
        "spec": s,
        "result": result,
    }))
    .map_err(|e| OpsError::Encode(e.to_string()))?;
    let mut run = vardhub_store::new_run(snapshot.as_of, started);
    run.kind = RunKind::Scenario;
    run.trigger = format!("vardhub scenario run {}", s.id);
    run.recipes = serde_json::json!({ &s.id: &scenario.hash }).to_string();
    let inputs: Vec<&str> = snapshot.deliveries.iter().map(|d| d.id.as_str()).collect();
    run.inputs = serde_json::to_string(&inputs).map_err(|e| OpsError::Encode(e.to_string()))?;
    run.timings = serde_json::json!({ &s.id: seconds * 1000.0 }).to_string();
    let run = hub
        .store_run_document(
            run,
            crate::scenario_document::DOCUMENT,
            &document,
            0,
            vardhub_store::scenario_publications::RUN_ACTION,
            actor,
        )
        .await
        .map_err(OpsError::from)?;
    Ok(StoredScenario {
        run,
        result,
        seconds,
    })
}
