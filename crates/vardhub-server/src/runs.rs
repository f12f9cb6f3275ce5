//! The latest indicator run, loaded once and published once per access level.
//!
//! Each request asks the catalogue for the newest run (one small query); when it is a new run the
//! results file is read again. Published values are cached per [`Access`] key, so the disclosure
//! step runs at most once per run and access level. Values come sorted by indicator, period,
//! region, sex and age group, which makes pagination stable. The public statuses are the ones the
//! run recorded in the release ledger when it was stored; a run without a recorded release (or
//! recorded under another policy) is released here against the ledger entries before it.

use crate::auth::Access;
use crate::error::ServerError;
use crate::published::PublicValue;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use vardhub_engine::definitions::Definitions;
use vardhub_engine::indicator::ledger::{ReleasedTable, from_entries, release};
use vardhub_engine::indicator::{ResultRow, publish_views, results};
use vardhub_store::{Hub, IndicatorRun};

/// The newest run seen, if any.
#[derive(Default)]
pub(crate) struct RunCache {
    current: tokio::sync::Mutex<Option<Arc<LoadedRun>>>,
}

/// One run's rows (internal, unsuppressed: never handed to a handler) and its published views.
pub(crate) struct LoadedRun {
    pub run: IndicatorRun,
    rows: Arc<Vec<ResultRow>>,
    /// The release the run recorded, and the releases recorded before it.
    recorded: Arc<Vec<ReleasedTable>>,
    history: Arc<Vec<ReleasedTable>>,
    views: Mutex<HashMap<String, Arc<Vec<PublicValue>>>>,
    /// One view is computed at a time, so concurrent first requests wait instead of repeating it.
    computing: tokio::sync::Mutex<()>,
}

impl RunCache {
    /// The newest official run (never a draft, scenario, analysis or project run), loading it
    /// if it changed.
    pub async fn latest(&self, hub: &Hub) -> Result<Option<Arc<LoadedRun>>, ServerError> {
        let Some(newest) = hub.latest_official_run().await? else {
            return Ok(None);
        };
        let mut current = self.current.lock().await;
        if let Some(c) = current.as_ref()
            && c.run.id == newest.id
        {
            return Ok(Some(c.clone()));
        }
        let path = newest.result_path.clone();
        let rows = tokio::task::spawn_blocking(move || results::read_file(&path))
            .await?
            .map_err(|e| ServerError::File {
                path: e.path,
                message: e.message,
            })?;
        let ledger =
            |e: vardhub_engine::indicator::ledger::LedgerError| ServerError::Publish(e.to_string());
        let recorded = from_entries(&hub.release_of(&newest.id).await?).map_err(ledger)?;
        let history =
            from_entries(&hub.releases_before(Some(&newest.id)).await?).map_err(ledger)?;
        let loaded = Arc::new(LoadedRun {
            run: newest,
            rows: Arc::new(rows),
            recorded: Arc::new(recorded),
            history: Arc::new(history),
            views: Mutex::new(HashMap::new()),
            computing: tokio::sync::Mutex::new(()),
        });
        *current = Some(loaded.clone());
        Ok(Some(loaded))
    }
}

impl LoadedRun {
    /// Every value of the run as `access` may see it. The view is computed once, in a task of
    /// its own: a request that gives up (a timeout, a closed connection) does not throw the work
    /// away — the view is cached when done and the next request gets it.
    pub async fn values(
        self: &Arc<Self>,
        defs: &Arc<Definitions>,
        access: Access,
    ) -> Result<Arc<Vec<PublicValue>>, ServerError> {
        if let Some(v) = self.cached(&access.key()) {
            return Ok(v);
        }
        let (this, defs) = (self.clone(), defs.clone());
        tokio::spawn(async move { this.compute_view(&defs, access).await }).await?
    }

    async fn compute_view(
        &self,
        defs: &Arc<Definitions>,
        access: Access,
    ) -> Result<Arc<Vec<PublicValue>>, ServerError> {
        let key = access.key();
        let _computing = self.computing.lock().await;
        if let Some(v) = self.cached(&key) {
            return Ok(v);
        }
        self.publish(defs, &[access]).await?;
        self.cached(&key)
            .ok_or_else(|| ServerError::Publish(format!("view {key} not published")))
    }

    /// Publish every view of the run in one pass (public, national, each region): the tables
    /// are checked against the release once, so a logged-in user's view is ready when the
    /// public one is.
    pub async fn publish_every_view(&self, defs: &Arc<Definitions>) -> Result<(), ServerError> {
        let _computing = self.computing.lock().await;
        let accesses: Vec<Access> = [Access::Public, Access::Full]
            .into_iter()
            .chain(vardhub_domain::RegionCode::all().map(Access::Region))
            .filter(|a| self.cached(&a.key()).is_none())
            .collect();
        self.publish(defs, &accesses).await
    }

    /// Publish `accesses` and cache them (the caller holds `computing`).
    async fn publish(
        &self,
        defs: &Arc<Definitions>,
        accesses: &[Access],
    ) -> Result<(), ServerError> {
        if accesses.is_empty() {
            return Ok(());
        }
        let started = std::time::Instant::now();
        let (rows, defs, run_id) = (self.rows.clone(), defs.clone(), self.run.id.clone());
        let (recorded, history) = (self.recorded.clone(), self.history.clone());
        let views: Vec<crate::published::View> = accesses.iter().map(|a| a.view()).collect();
        // Values come sorted by indicator, period, region, sex, age group.
        let values = tokio::task::spawn_blocking(move || {
            let policy = defs.policy();
            let name = format!("{} v{}", policy.id(), policy.version());
            let fresh;
            let released: &[ReleasedTable] =
                if !recorded.is_empty() && recorded.iter().all(|r| r.policy == name) {
                    &recorded
                } else {
                    fresh = release(&defs, &rows, &history)?;
                    &fresh
                };
            publish_views(&defs, &rows, &run_id, &views, released)
        })
        .await?
        .map_err(|e| ServerError::Publish(e.to_string()))?;
        if let Ok(mut cache) = self.views.lock() {
            for (access, values) in accesses.iter().zip(values) {
                cache.insert(access.key(), Arc::new(values));
            }
        }
        tracing::info!(run = %self.run.id, views = accesses.len(),
            ms = started.elapsed().as_secs_f64() * 1000.0, "published views");
        Ok(())
    }

    fn cached(&self, key: &str) -> Option<Arc<Vec<PublicValue>>> {
        self.views.lock().ok()?.get(key).cloned()
    }
}
