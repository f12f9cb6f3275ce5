//! Compute-and-store a run, and try a draft recipe.

use crate::OpsError;
use chrono::{DateTime, Utc};
use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;
use vardhub_engine::definitions::{Definitions, check_recipe};
use vardhub_engine::indicator::compute::FineRow;
use vardhub_engine::indicator::ledger::{ReleasedTable, release_against_ledger, to_entries};
use vardhub_engine::indicator::reach::{Change, Scope};
use vardhub_engine::indicator::{Prior, Recipe, ResultRow, compute, compute_after, fine, results};
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
    /// Indicators of which only the rows new deliveries can alter were queried.
    pub partly_queried: Vec<String>,
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
    let hashes = recipes
        .iter()
        .map(|r| (r.spec.id.clone(), r.hash.clone()))
        .collect();
    persist(hub, defs, request, &snapshot, started, hashes, computed).await
}

/// Store computed rows as a run of `request.kind` (released first if official).
async fn persist(
    hub: &Hub,
    defs: &Definitions,
    request: &RunRequest,
    snapshot: &vardhub_store::Snapshot,
    started: DateTime<Utc>,
    recipe_hashes: BTreeMap<String, String>,
    computed: vardhub_engine::indicator::Computed,
) -> Result<StoredRun, OpsError> {
    let batch = results::to_batch(&computed.rows).map_err(|e| OpsError::Encode(e.to_string()))?;
    let json = |v: serde_json::Result<String>| v.map_err(|e| OpsError::Encode(e.to_string()));
    let mut run = vardhub_store::new_run(snapshot.as_of, started);
    run.kind = request.kind;
    run.trigger = request.trigger.clone();
    run.recipes = json(serde_json::to_string(&recipe_hashes))?;
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
    let mut fine_rows: Vec<&(String, Vec<FineRow>)> = computed.fine.iter().collect();
    fine_rows.sort_by(|a, b| a.0.cmp(&b.0));
    let fine_batches = match request.kind {
        RunKind::Official => fine_rows
            .into_iter()
            .map(|(id, rows)| fine::to_batch(id, rows))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| OpsError::Encode(e.to_string()))?,
        _ => Vec::new(),
    };
    let run = hub
        .store_indicator_run_with_fine(run, &batch, &fine_batches, &to_entries(&released))
        .await?;
    Ok(StoredRun {
        run,
        inputs: inputs.len(),
        rows: computed.rows,
        timings: computed.timings,
        without_data: computed.without_data,
        released,
        disclosure_secs,
        partly_queried: computed.partly_queried,
    })
}

/// After an ingest published deliveries: a new official run that starts from the newest
/// official run. The delivered tables that differ between that run's inputs and the lake now
/// ([`changes_since`]) decide, per indicator, which fine rows can change ([`Scope`]): an
/// indicator none can change (and with the same recipe) keeps its rows; the others query only
/// the rows that can change, on the deliveries those need, and take the rest from the earlier
/// run's stored fine rows (in full when it kept none, or they fail their hash). Its published
/// values equal a full recomputation's. `None` when the hub has no official run yet.
pub async fn recompute_after_ingest(
    hub: &Hub,
    defs: &Definitions,
    trigger: &str,
) -> Result<Option<StoredRun>, OpsError> {
    let Some(previous) = hub.latest_official_run().await? else {
        return Ok(None);
    };
    let started = vardhub_store::now_utc();
    let snapshot = hub.snapshot(None, None).await?;
    if snapshot.deliveries.is_empty() {
        return Err(OpsError::EmptyLake);
    }
    let changes = changes_since(hub, defs, &previous, &snapshot).await?;
    let before: BTreeMap<String, String> =
        serde_json::from_str(&previous.recipes).unwrap_or_default();
    let same_recipe = |r: &Recipe| before.get(&r.spec.id) == Some(&r.hash);
    let (again, kept): (Vec<&Recipe>, Vec<&Recipe>) = defs
        .recipes()
        .values()
        .partition(|r| !same_recipe(r) || !Scope::of(&r.spec.definition, &changes).is_empty());
    let mut prior_fine = stored_fine(&previous);
    prior_fine.retain(|id, _| defs.recipe(id).is_some_and(same_recipe));
    let mut kept_fine = BTreeMap::new();
    for r in &kept {
        if let Some(rows) = prior_fine.remove(&r.spec.id) {
            kept_fine.insert(r.spec.id.clone(), rows);
        }
    }
    let prior = Prior {
        fine: prior_fine,
        changes,
    };
    let mut computed = compute_after(&snapshot, &again, &prior).await?;
    let kept_ids: BTreeSet<&str> = kept.iter().map(|r| r.spec.id.as_str()).collect();
    let carried = results::read_file(&previous.result_path)
        .map_err(|e| OpsError::StoredRun(e.to_string()))?;
    let carried_ids: BTreeSet<String> = carried.iter().map(|r| r.indicator.clone()).collect();
    computed.rows.extend(
        carried
            .into_iter()
            .filter(|r| kept_ids.contains(r.indicator.as_str())),
    );
    computed
        .rows
        .sort_by(|a, b| a.cell_key().cmp(&b.cell_key()));
    computed.without_data.extend(
        kept_ids
            .iter()
            .filter(|id| !carried_ids.contains(**id))
            .map(|id| (*id).to_owned()),
    );
    computed.fine.extend(kept_fine);
    let hashes = defs
        .recipes()
        .values()
        .map(|r| (r.spec.id.clone(), r.hash.clone()))
        .collect();
    let request = RunRequest::official(trigger);
    persist(hub, defs, &request, &snapshot, started, hashes, computed)
        .await
        .map(Some)
}

/// The delivered tables (per region and month) that differ between the inputs of `run` and
/// `snapshot`: deliveries new since (a new month or a new version) and deliveries the run read
/// that are no longer current (replaced or withdrawn; their tables from every version of their
/// collection's specification).
pub async fn changes_since(
    hub: &Hub,
    defs: &Definitions,
    run: &IndicatorRun,
    snapshot: &vardhub_store::Snapshot,
) -> Result<Vec<Change>, OpsError> {
    let read: BTreeSet<String> = serde_json::from_str(&run.inputs).unwrap_or_default();
    let now: BTreeSet<&str> = snapshot.deliveries.iter().map(|d| d.id.as_str()).collect();
    let mut changes = BTreeSet::new();
    for d in snapshot.deliveries.iter().filter(|d| !read.contains(&d.id)) {
        for f in &d.files {
            changes.insert(Change {
                table: f.table.clone(),
                region: d.region.clone(),
                period: d.period.clone(),
            });
        }
    }
    for id in read.iter().filter(|id| !now.contains(id.as_str())) {
        let Some((gone, _)) = hub.delivery(id).await? else {
            continue;
        };
        for spec in defs.specs().versions(&gone.collection) {
            for t in &spec.tables {
                changes.insert(Change {
                    table: t.name.clone(),
                    region: gone.region.clone(),
                    period: gone.period.clone(),
                });
            }
        }
    }
    Ok(changes.into_iter().collect())
}

/// The fine rows `run` kept, per indicator, when their file matches its recorded hash (none
/// otherwise: the indicators are then queried in full).
fn stored_fine(run: &IndicatorRun) -> BTreeMap<String, Vec<FineRow>> {
    use sha2::{Digest, Sha256};
    let Some((path, sha)) = run.fine_file() else {
        return BTreeMap::new();
    };
    match std::fs::read(&path) {
        Ok(bytes) if hex::encode(Sha256::digest(&bytes)) == sha => {
            vardhub_engine::indicator::fine::read_file(&path).unwrap_or_default()
        }
        _ => BTreeMap::new(),
    }
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
