//! The shared state of all requests.

use crate::ServerConfig;
use crate::analyses::AnalysisCache;
use crate::error::ServerError;
use crate::metrics::Metrics;
use crate::runs::{LoadedRun, RunCache};
use crate::scenarios::ScenarioCache;
use crate::throttle::Throttle;
use std::sync::{Arc, RwLock};
use vardhub_engine::definitions::Definitions;
use vardhub_engine::disclosure::DisclosurePolicy;
use vardhub_ingest::ReleaseKeys;
use vardhub_store::Hub;

/// Everything a handler needs: the hub, the definitions (recipes, specifications, disclosure
/// policy), the run cache, the metrics and,
/// when hemhämtning is configured, the regions' release keys. Never the key that makes lake
/// pseudonyms: the server cannot recompute a pseudonym from an identity number. Cheap to clone.
#[derive(Clone)]
pub struct AppState {
    inner: Arc<Inner>,
    release_keys: Option<Arc<ReleaseKeys>>,
}

struct Inner {
    hub: Hub,
    /// The definitions the server was started with.
    base: Definitions,
    /// `base` with the hub's approved recipes, as of the official run it was made for.
    definitions: RwLock<(Option<String>, Arc<Definitions>)>,
    runs: RunCache,
    analyses: AnalysisCache,
    scenarios: ScenarioCache,
    metrics: Metrics,
    config: ServerConfig,
    throttle: Throttle,
}

impl AppState {
    /// State over an open hub with the built-in definitions and a disclosure policy.
    pub fn new(hub: Hub, policy: DisclosurePolicy, config: ServerConfig) -> AppState {
        AppState::with_definitions(hub, Definitions::builtin().with_policy(policy), config)
    }
    /// State over an open hub with a set of definitions (recipes, specifications, policy).
    pub fn with_definitions(hub: Hub, definitions: Definitions, config: ServerConfig) -> AppState {
        AppState {
            inner: Arc::new(Inner {
                hub,
                definitions: RwLock::new((None, Arc::new(definitions.clone()))),
                base: definitions,
                runs: RunCache::default(),
                analyses: AnalysisCache::default(),
                scenarios: ScenarioCache::default(),
                metrics: Metrics::default(),
                throttle: Throttle::new(config.throttle),
                config,
            }),
            release_keys: None,
        }
    }
    /// The same state with the regions' release keys, from which hemhämtning makes each region's
    /// release pseudonyms. Without them, microdata downloads answer 503.
    pub fn with_release_keys(self, keys: Arc<ReleaseKeys>) -> AppState {
        AppState {
            release_keys: Some(keys),
            ..self
        }
    }
    /// The hub.
    pub fn hub(&self) -> &Hub {
        &self.inner.hub
    }
    /// The definitions the hub runs on: the server's own plus the recipes approved in the
    /// hub's catalogue as of the latest official run ([`AppState::latest_run`]).
    pub(crate) fn definitions(&self) -> Arc<Definitions> {
        self.inner
            .definitions
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .1
            .clone()
    }
    /// The newest official run; when it changed, the definitions are refreshed with the recipes
    /// approved in the hub's catalogue (a recipe approved and computed on a running hub is
    /// served without a restart).
    pub(crate) async fn latest_run(&self) -> Result<Option<Arc<LoadedRun>>, ServerError> {
        let run = self.runs().latest(self.hub()).await?;
        if let Some(r) = &run {
            let current = self
                .inner
                .definitions
                .read()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .0
                .clone();
            if current.as_deref() != Some(r.run.id.as_str()) {
                let approved: Vec<(String, String)> = self
                    .hub()
                    .approved_recipes()
                    .await?
                    .into_iter()
                    .map(|s| (s.file, s.text))
                    .collect();
                let (defs, findings) = self.inner.base.clone().with_approved(&approved);
                for f in &findings {
                    tracing::warn!(finding = %f, "approved recipe left out");
                }
                *self
                    .inner
                    .definitions
                    .write()
                    .unwrap_or_else(std::sync::PoisonError::into_inner) =
                    (Some(r.run.id.clone()), Arc::new(defs));
                // Every view of a new official run is published ahead of its first request, all
                // in one pass (public, national, each region): a logged-in user's first page is
                // ready when the public's is.
                let (state, run) = (self.clone(), r.clone());
                tokio::spawn(async move {
                    match run.publish_every_view(&state.definitions()).await {
                        Ok(()) => tracing::info!(run = %run.run.id, "every view published"),
                        Err(e) => tracing::error!(error = %e, "publishing the views ahead failed"),
                    }
                });
            }
        }
        Ok(run)
    }
    /// The regions' release keys, when hemhämtning is configured.
    pub(crate) fn release_keys(&self) -> Option<&Arc<ReleaseKeys>> {
        self.release_keys.as_ref()
    }
    pub(crate) fn runs(&self) -> &RunCache {
        &self.inner.runs
    }
    /// The stored analysis runs read so far.
    pub(crate) fn analyses(&self) -> &AnalysisCache {
        &self.inner.analyses
    }
    /// The stored scenario documents read so far.
    pub(crate) fn scenarios(&self) -> &ScenarioCache {
        &self.inner.scenarios
    }
    pub(crate) fn metrics(&self) -> &Metrics {
        &self.inner.metrics
    }
    /// The throttle of failed authentication.
    pub(crate) fn throttle(&self) -> &Throttle {
        &self.inner.throttle
    }
    /// Load the latest official run and publish it for `accesses` now (loading a new run also
    /// starts publishing every view in the background, see `AppState::latest_run`). Errors are
    /// logged, not returned: requests will retry.
    pub async fn warm_up(&self, accesses: &[crate::Access]) {
        match self.latest_run().await {
            Ok(Some(run)) => {
                for a in accesses {
                    if let Err(e) = run.values(&self.definitions(), *a).await {
                        tracing::error!(error = %e, "warm-up failed");
                    }
                }
            }
            Ok(None) => {}
            Err(e) => tracing::error!(error = %e, "warm-up failed"),
        }
    }
    /// Load the latest official run and publish every view of it (public, national, each
    /// region) in one pass. Errors are logged, not returned: requests will retry.
    pub async fn warm_up_every_view(&self) {
        match self.latest_run().await {
            Ok(Some(run)) => {
                if let Err(e) = run.publish_every_view(&self.definitions()).await {
                    tracing::error!(error = %e, "warm-up failed");
                }
            }
            Ok(None) => {}
            Err(e) => tracing::error!(error = %e, "warm-up failed"),
        }
    }
    /// The configuration.
    pub fn config(&self) -> &ServerConfig {
        &self.inner.config
    }
}
