//! Analyser som öppna data / patient-level analyses in the open-data API: the list of analyses
//! and, per analysis, what the public may see of its newest run: all regions together (`00`) and
//! each region's result, the whole run through the engine's `analysis::public_all` under the
//! server's disclosure policy (each result tagged with its `kind`). The API never serves an
//! unsuppressed value, whoever asks (a region analyst's own unsuppressed result is on the page
//! only, audited).

use crate::analyses::{AnalysisCache, AnalysisInfo, LoadedAnalysis, recipes};
use crate::auth::{Access, Caller};
use crate::problem::Problem;
use crate::routes::api::set_cache;
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use vardhub_engine::disclosure::Status;

/// Every analysis: the server's recipes and the analyses stored runs name.
pub(crate) async fn known(
    state: &AppState,
) -> Result<Vec<(AnalysisInfo, Option<vardhub_store::IndicatorRun>)>, Problem> {
    let mut infos = recipes(&state.definitions());
    let mut runs = AnalysisCache::newest_runs(state.hub())
        .await
        .map_err(Problem::internal)?;
    for id in runs.keys() {
        if !infos.contains_key(id)
            && let Some((info, _)) = newest(state, id).await?
        {
            infos.insert(id.clone(), info);
        }
    }
    Ok(infos
        .into_values()
        .map(|i| {
            let run = runs.remove(&i.id);
            (i, run)
        })
        .collect())
}

/// The analysis `id` and its newest run, or 404 (unknown or never run).
pub(crate) async fn newest(
    state: &AppState,
    id: &str,
) -> Result<Option<(AnalysisInfo, std::sync::Arc<LoadedAnalysis>)>, Problem> {
    let Some(loaded) = state
        .analyses()
        .newest(state.hub(), id)
        .await
        .map_err(Problem::internal)?
    else {
        return Ok(None);
    };
    let info = recipes(&state.definitions())
        .remove(id)
        .unwrap_or_else(|| AnalysisInfo::unknown(id, loaded.kind()));
    Ok(Some((info, loaded)))
}

fn texts(info: &AnalysisInfo) -> (Value, Value) {
    (
        json!({"sv": info.title.0, "en": info.title.1}),
        json!({"sv": info.description.0, "en": info.description.1}),
    )
}

fn linkage(info: &AnalysisInfo) -> &'static str {
    if info.regional_linkage {
        "region"
    } else {
        "national"
    }
}

/// `GET /api/v1/analyses`.
pub async fn list(State(state): State<AppState>, _caller: Caller) -> Result<Response, Problem> {
    let analyses: Vec<Value> = known(&state)
        .await?
        .into_iter()
        .map(|(info, run)| {
            let (title, description) = texts(&info);
            let id = &info.id;
            json!({
                "id": id,
                "kind": info.kind,
                "title": title,
                "description": description,
                "linkage": linkage(&info),
                "computed_at": run.as_ref().map(|r| r.finished_at.as_str()),
                "as_of": run.as_ref().map(|r| r.as_of.as_str()),
                "links": {
                    "self": format!("/api/v1/analyses/{id}"),
                    "page": format!("/analyser/{id}"),
                },
            })
        })
        .collect();
    let mut res = Json(json!({ "analyses": analyses, "statuses": statuses() })).into_response();
    set_cache(res.headers_mut(), Access::Public);
    Ok(res)
}

/// `GET /api/v1/analyses/{id}`: the public form of the newest run.
pub async fn analysis(
    State(state): State<AppState>,
    _caller: Caller,
    Path(id): Path<String>,
) -> Result<Response, Problem> {
    let Some((info, loaded)) = newest(&state, &id).await? else {
        return Err(Problem::not_found(
            "okänd eller ännu inte beräknad analys / unknown analysis, or not computed yet",
        ));
    };
    let defs = state.definitions();
    let policy = defs.policy();
    let (title, description) = texts(&info);
    let steps: Vec<Value> = info
        .steps
        .iter()
        .map(|(id, sv, en)| json!({"id": id, "name": {"sv": sv, "en": en}}))
        .collect();
    let mut res = Json(json!({
        "id": info.id,
        "kind": loaded.kind(),
        "shown": loaded.shown(),
        "version": loaded.version,
        "hash": loaded.hash,
        "title": title,
        "description": description,
        "linkage": linkage(&info),
        "horizon_days": info.horizon_days,
        "time_zero": if info.from_discharge { "discharge" } else { "admission" },
        "months_before": info.months.map(|m| m.0),
        "months_after": info.months.map(|m| m.1),
        "window_days": info.window_days,
        "steps": steps,
        "computed_at": loaded.computed_at,
        "as_of": loaded.as_of,
        "policy": format!("{} v{}", policy.id(), policy.version()),
        "statuses": statuses(),
        "results": &*loaded.public(policy),
        "links": {"page": format!("/analyser/{}", info.id)},
    }))
    .into_response();
    set_cache(res.headers_mut(), Access::Public);
    Ok(res)
}

/// Every status with its Swedish and English label.
fn statuses() -> serde_json::Map<String, Value> {
    Status::ALL
        .iter()
        .map(|s| {
            (
                s.code().to_owned(),
                json!({"sv": s.label_sv(), "en": s.label_en()}),
            )
        })
        .collect()
}
