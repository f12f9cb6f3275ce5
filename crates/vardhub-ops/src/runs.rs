//! Compute-and-store a run, and try a draft recipe.

use crate::OpsError;
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;
use std::time::Duration;
use vardhub_engine::definitions::{Definitions, check_recipe};
use vardhub_engine::indicator::ledger::{ReleasedTable, release_against_ledger, to_entries};
use vardhub_engine::indicator::{Recipe, ResultRow, compute, results};
use vardhub_store::{Hub, IndicatorRun, RunKind};

/// What to compute.
#[derive(Debug, Clone)]
pub struct RunRequest {
    /// The kind of run (only official runs are released and served).
    pub kind: RunKind,
    /// Only this indicator (default: every recipe of the definitions).
    pub only: Option<String>,
    /// Read the lake as of this moment (default: now).
    pub as_of: Option<DateTime<Utc>>,
    /// What started it, recorded with the run.
    pub trigger: String,
}

impl RunRequest {
    /// An official run of every recipe, now.
    pub fn official(trigger: &str) -> RunRequest {
        RunRequest {
            kind: RunKind::Official,
            only: None,
            as_of: None,
            trigger: trigger.to_owned(),
        }
    }
}

/// A stored run and what it took.
#[derive(Debug)]
pub struct StoredRun {
    /// The catalogue's record of the run.
    pub run: IndicatorRun,
    /// Every result row (unsuppressed: for operators and the publishing step only).
    pub rows: Vec<ResultRow>,
    /// Per indicator: query time and fine rows.
    pub timings: Vec<(String, Duration, usize)>,
    /// Indicators without data in the snapshot.
    pub without_data: Vec<String>,
    /// Deliveries read.
    pub inputs: usize,
    /// The public release (official runs; empty otherwise), and the time it took.
    pub released: Vec<ReleasedTable>,
    /// Seconds spent deciding the public statuses.
    pub disclosure_secs: f64,
}

/// Compute `request` over the lake with `defs` and store it. An official run's public statuses
/// are decided against every earlier release in the ledger and recorded with the run, in one
/// step; other kinds are stored apart and never released.
pub async fn compute_and_store(
    hub: &Hub,
    defs: &Definitions,
    request: &RunRequest,
) -> Result<StoredRun, OpsError> {
    let recipes: Vec<&Recipe> = match &request.only {
        Some(id) => vec![
            defs.recipe(id)
                .ok_or_else(|| OpsError::UnknownIndicator(id.clone()))?,
        ],
        None => defs.recipes().values().collect(),
    };
    store(hub, defs, &recipes, request).await
}

async fn store(
    hub: &Hub,
    defs: &Definitions,
    recipes: &[&Recipe],
    request: &RunRequest,
) -> Result<StoredRun, OpsError> {
    let started = vardhub_store::now_utc();
    let snapshot = hub.snapshot(None, request.as_of).await?;
    if snapshot.deliveries.is_empty() {
        return Err(OpsError::EmptyLake);
    }
    let computed = compute(&snapshot, recipes).await?;
    let batch = results::to_batch(&computed.rows).map_err(|e| OpsError::Encode(e.to_string()))?;
    let json = |v: serde_json::Result<String>| v.map_err(|e| OpsError::Encode(e.to_string()));
    let mut run = vardhub_store::new_run(snapshot.as_of, started);
    run.kind = request.kind;
    run.trigger = request.trigger.clone();
    run.recipes = json(serde_json::to_string(
        &recipes
            .iter()
            .map(|r| (r.spec.id.clone(), r.hash.clone()))
            .collect::<BTreeMap<_, _>>(),
    ))?;
    let inputs: Vec<&str> = snapshot.deliveries.iter().map(|d| d.id.as_str()).collect();
    run.inputs = json(serde_json::to_string(&inputs))?;
    run.timings = json(serde_json::to_string(
        &computed
            .timings
            .iter()
            .map(|(id, t, _)| (id.clone(), t.as_secs_f64() * 1000.0))
            .collect::<BTreeMap<_, _>>(),
    ))?;
    let t = std::time::Instant::now();
    let released = match request.kind {
        RunKind::Official => release_against_ledger(hub, defs, &computed.rows, None).await?,
        _ => Vec::new(),
    };
    let disclosure_secs = t.elapsed().as_secs_f64();
    let run = hub
        .store_indicator_run(run, &batch, &to_entries(&released))
        .await?;
    Ok(StoredRun {
        run,
        inputs: inputs.len(),
        rows: computed.rows,
        timings: computed.timings,
        without_data: computed.without_data,
        released,
        disclosure_secs,
    })
}

/// Check a draft recipe (`file` as the user named it) against `defs` and compute it as a run of
/// kind draft: stored apart, never released, never served. `Err(Mistakes)` names every mistake.
pub async fn try_recipe(
    hub: &Hub,
    defs: &Definitions,
    file: &str,
    text: &str,
) -> Result<(Recipe, StoredRun), OpsError> {
    let (recipe, findings) = check_recipe(file, text, defs.specs());
    let recipe = recipe.ok_or(OpsError::Mistakes(findings))?;
    let request = RunRequest {
        kind: RunKind::Draft,
        only: None,
        as_of: None,
        trigger: format!("vardhub indicators try {file}"),
    };
    let stored = store(hub, defs, &[&recipe], &request).await?;
    Ok((recipe, stored))
}
