//! Stored what-if scenarios (runs of kind scenario with a `scenario.json`) as a caller may see
//! them: [`crate::auth::sees_scenario`] decides. An unpublished scenario is seen only by the
//! entitled roles, with its document as stored (not disclosure-checked, labelled as such on the
//! page; every such view of one scenario is audited, `scenarios.view`); once an administrator
//! other than its author has published it (`vardhub_ops::scenario_publication`), everyone else
//! is shown the disclosure-checked copy recorded with the publication — never the stored one.
//!
//! Documents are read once, checked against the SHA-256 the catalogue recorded, and kept (a run
//! never changes); publications are read from the catalogue on every request (a publication on
//! another server process is seen at once). A run of kind scenario without a document, or whose
//! document cannot be read, is left out of the list (logged) and answers 500 on its own.

use crate::auth::{Caller, sees_scenario};
use crate::error::ServerError;
use crate::problem::Problem;
use crate::state::AppState;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use vardhub_ops::scenario_document::{self, ScenarioDocument};
use vardhub_store::scenario_publications::ScenarioPublication;
use vardhub_store::{IndicatorRun, RunKind};

/// A scenario run as one caller sees it.
#[derive(Debug, Clone)]
pub struct Seen {
    /// The catalogue's record.
    pub run: IndicatorRun,
    /// The document shown: the stored one (entitled roles) or the published copy.
    pub document: Arc<ScenarioDocument>,
    /// `document` is the stored one, not disclosure-checked.
    pub unchecked: bool,
    /// The publication, if published.
    pub publication: Option<ScenarioPublication>,
}

/// Scenario documents read so far: stored ones and published copies, by run id.
#[derive(Default)]
pub(crate) struct ScenarioCache {
    stored: Mutex<HashMap<String, Arc<ScenarioDocument>>>,
    published: Mutex<HashMap<String, Arc<ScenarioDocument>>>,
}

fn cached(
    map: &Mutex<HashMap<String, Arc<ScenarioDocument>>>,
    id: &str,
) -> Option<Arc<ScenarioDocument>> {
    map.lock().ok()?.get(id).cloned()
}

fn keep(
    map: &Mutex<HashMap<String, Arc<ScenarioDocument>>>,
    id: &str,
    doc: &Arc<ScenarioDocument>,
) {
    if let Ok(mut m) = map.lock() {
        m.insert(id.to_owned(), doc.clone());
    }
}

impl ScenarioCache {
    /// A run's stored document, read once.
    async fn stored(&self, run: &IndicatorRun) -> Result<Arc<ScenarioDocument>, ServerError> {
        if let Some(d) = cached(&self.stored, &run.id) {
            return Ok(d);
        }
        let r = run.clone();
        let doc = tokio::task::spawn_blocking(move || scenario_document::read(&r))
            .await?
            .map_err(|e| ServerError::File {
                path: run.result_path.display().to_string(),
                message: e.to_string(),
            })?;
        let doc = Arc::new(doc);
        keep(&self.stored, &run.id, &doc);
        Ok(doc)
    }

    /// A publication's copy, read once.
    fn published(&self, p: &ScenarioPublication) -> Result<Arc<ScenarioDocument>, ServerError> {
        if let Some(d) = cached(&self.published, &p.run_id) {
            return Ok(d);
        }
        let doc = scenario_document::parse(p.document.as_bytes()).map_err(|message| {
            ServerError::File {
                path: format!("scenario_publications/{}", p.run_id),
                message,
            }
        })?;
        let doc = Arc::new(doc);
        keep(&self.published, &p.run_id, &doc);
        Ok(doc)
    }
}

/// What `caller` sees of `run` (`None`: nothing). A published run's region is read from its
/// published copy, so that the public's view never needs the stored document.
async fn seen(
    state: &AppState,
    caller: &Caller,
    run: IndicatorRun,
    publication: Option<ScenarioPublication>,
) -> Result<Option<Seen>, ServerError> {
    let published = match &publication {
        Some(p) => Some(state.scenarios().published(p)?),
        None => None,
    };
    let region = match &published {
        Some(copy) => copy.spec.region,
        None => state.scenarios().stored(&run).await?.spec.region,
    };
    if sees_scenario(caller, region, false) {
        return Ok(Some(Seen {
            document: state.scenarios().stored(&run).await?,
            run,
            unchecked: true,
            publication,
        }));
    }
    match published {
        Some(copy) if sees_scenario(caller, region, true) => Ok(Some(Seen {
            run,
            document: copy,
            unchecked: false,
            publication,
        })),
        _ => Ok(None),
    }
}

async fn runs_and_publications(
    state: &AppState,
) -> Result<(Vec<IndicatorRun>, Vec<ScenarioPublication>), Problem> {
    let hub = state.hub();
    let runs = hub
        .indicator_runs_of(RunKind::Scenario)
        .await
        .map_err(Problem::internal)?
        .into_iter()
        .filter(scenario_document::has_document)
        .collect();
    let publications = hub
        .scenario_publications()
        .await
        .map_err(Problem::internal)?;
    Ok((runs, publications))
}

/// Every scenario run `caller` may see, newest first. A run whose document cannot be read is
/// left out and logged.
pub async fn visible(state: &AppState, caller: &Caller) -> Result<Vec<Seen>, Problem> {
    let (runs, mut publications) = runs_and_publications(state).await?;
    let mut out = Vec::new();
    for run in runs {
        let p = publications
            .iter()
            .position(|p| p.run_id == run.id)
            .map(|i| publications.swap_remove(i));
        match seen(state, caller, run, p).await {
            Ok(Some(s)) => out.push(s),
            Ok(None) => {}
            Err(e) => tracing::error!(error = %e, "a scenario run left out"),
        }
    }
    Ok(out)
}

/// Scenario run `run_id` as `caller` sees it (`None`: unknown, or not for this caller — the
/// same answer, so that a run's existence does not leak). Not audited: see [`one`].
pub async fn find(
    state: &AppState,
    caller: &Caller,
    run_id: &str,
) -> Result<Option<Seen>, Problem> {
    let hub = state.hub();
    let Some(run) = hub
        .indicator_runs_of(RunKind::Scenario)
        .await
        .map_err(Problem::internal)?
        .into_iter()
        .find(|r| r.id == run_id && scenario_document::has_document(r))
    else {
        return Ok(None);
    };
    let publication = hub
        .scenario_publication(run_id)
        .await
        .map_err(Problem::internal)?;
    seen(state, caller, run, publication)
        .await
        .map_err(Problem::internal)
}

/// [`find`], for showing: a logged-in caller shown the stored document is written to the audit
/// log first (`scenarios.view`).
pub async fn one(state: &AppState, caller: &Caller, run_id: &str) -> Result<Option<Seen>, Problem> {
    let seen = find(state, caller, run_id).await?;
    if let (Some(s), Some(p)) = (&seen, caller.0.as_ref())
        && s.unchecked
    {
        state
            .hub()
            .append_audit(
                &p.name,
                "scenarios.view",
                &s.run.id,
                &format!(
                    "scenario={} region={} published={}",
                    s.document.scenario,
                    s.document.spec.region.as_str(),
                    s.publication.is_some()
                ),
            )
            .await
            .map_err(Problem::internal)?;
    }
    Ok(seen)
}
