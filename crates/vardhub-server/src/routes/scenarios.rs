//! Scenarier i API:t / what-if scenarios over the API.
//!
//! * `GET /api/v1/scenarios`: the scenario runs the caller may see
//!   ([`crate::auth::sees_scenario`]): published ones for everyone, unpublished ones for the
//!   entitled roles.
//! * `GET /api/v1/scenarios/{run_id}`: one run's document with its publication: the stored
//!   document for the entitled roles (`disclosure_checked: false`, audited `scenarios.view`),
//!   the published, disclosure-checked copy for everyone else. A run the caller may not see is a
//!   404, as an unknown one is (its existence does not leak).
//! * `POST /api/v1/scenarios/{run_id}/publication` (`{"motivation": "…"}`): an administrator
//!   other than the run's author publishes it through the server's disclosure policy
//!   ([`vardhub_ops::scenario_publication::publish`]); 201 with the scenario. 401 without login,
//!   404 a run the caller may not see, 403 anyone but an administrator or the run's own author,
//!   422 a missing motivation or one holding personal data, 409 published already, too few
//!   stays for the policy, or a model that cannot be checked yet.
//!
//! Responses to logged-in callers are `Cache-Control: no-store` (they may hold what is not
//! published, and name users); the public's may be cached briefly.

use crate::auth::{Access, Caller, Principal, Role};
use crate::problem::Problem;
use crate::routes::api::set_cache;
use crate::routes::outputs::no_store;
use crate::scenarios::{self, Seen};
use crate::state::AppState;
use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::header::LOCATION;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};
use vardhub_ops::scenario_publication::{self, PublishError};
use vardhub_store::scenario_publications::{ScenarioPublication, ScenarioPublicationError};

/// The cache headers of a response to `caller`.
fn cached(mut res: Response, caller: &Caller) -> Response {
    if caller.0.is_some() {
        no_store(res)
    } else {
        set_cache(res.headers_mut(), Access::Public);
        res
    }
}

fn not_found(run_id: &str) -> Problem {
    Problem::not_found(format!("inget scenario {run_id} / no scenario {run_id}"))
}

/// The model's code (`beds`, `waiting_list`).
fn model_code(s: &Seen) -> Value {
    serde_json::to_value(s.document.spec.model).unwrap_or(Value::Null)
}

/// A scenario in the list.
pub(crate) fn summary(s: &Seen) -> Value {
    let d = &s.document;
    let spec = &d.spec;
    let id = &s.run.id;
    json!({
        "run_id": id,
        "scenario": d.scenario,
        "version": d.version,
        "title": {"sv": spec.title.sv, "en": spec.title.en},
        "region": spec.region.as_str(),
        "region_name": spec.region.name(),
        "sjukhus": spec.sjukhus,
        "model": model_code(s),
        "baseline": spec.baseline,
        "horizon": spec.horizon,
        "computed_at": s.run.finished_at,
        "published": s.publication.is_some(),
        "published_at": s.publication.as_ref().map(|p| p.published_at.as_str()),
        "links": {"self": format!("/api/v1/scenarios/{id}"), "page": format!("/scenarier/{id}")},
    })
}

/// The publication as a caller is told it: who approved it only to the entitled roles (the
/// ones shown the stored document).
fn publication_json(p: &ScenarioPublication, entitled: bool) -> Value {
    let mut v = json!({
        "published_at": p.published_at,
        "motivation": p.motivation,
        "policy": p.policy,
    });
    if entitled {
        v["approved_by"] = json!(p.approver);
        v["author"] = json!(p.author);
    }
    v
}

/// One scenario with its document.
fn detail(s: &Seen) -> Value {
    let id = &s.run.id;
    json!({
        "run_id": id,
        "scenario": s.document.scenario,
        "model": model_code(s),
        "computed_at": s.run.finished_at,
        "as_of": s.run.as_of,
        "published": s.publication.is_some(),
        "publication": s.publication.as_ref().map(|p| publication_json(p, s.unchecked)),
        "disclosure_checked": !s.unchecked,
        "document": &*s.document,
        "links": {"page": format!("/scenarier/{id}"),
                  "publication": format!("/api/v1/scenarios/{id}/publication")},
    })
}

/// `GET /api/v1/scenarios`.
pub async fn list(State(state): State<AppState>, caller: Caller) -> Result<Response, Problem> {
    let seen = scenarios::visible(&state, &caller).await?;
    let list: Vec<Value> = seen.iter().map(summary).collect();
    Ok(cached(
        Json(json!({"total": list.len(), "scenarios": list})).into_response(),
        &caller,
    ))
}

/// `GET /api/v1/scenarios/{run_id}`.
pub async fn scenario(
    State(state): State<AppState>,
    caller: Caller,
    Path(run_id): Path<String>,
) -> Result<Response, Problem> {
    let Some(s) = scenarios::one(&state, &caller, &run_id).await? else {
        return Err(not_found(&run_id));
    };
    Ok(cached(Json(detail(&s)).into_response(), &caller))
}

/// The body of `POST /api/v1/scenarios/{run_id}/publication` (and the page's form).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PublicationBody {
    /// Why the scenario may be published (shown to everyone).
    #[serde(default)]
    pub motivation: String,
}

/// A publication's error as a problem.
fn problem(e: PublishError) -> Problem {
    match &e {
        PublishError::Motivation(_) => {
            Problem::new(StatusCode::UNPROCESSABLE_ENTITY, e.to_string())
        }
        PublishError::NotFound(id) => not_found(id),
        PublishError::NotPublishable(_) => Problem::new(StatusCode::CONFLICT, e.to_string()),
        PublishError::Record(r) => match r {
            ScenarioPublicationError::NotFound(id) => not_found(id),
            ScenarioPublicationError::SelfApproval(_) => Problem::forbidden(e.to_string()),
            ScenarioPublicationError::AlreadyPublished(_)
            | ScenarioPublicationError::UnknownAuthor(_) => {
                Problem::new(StatusCode::CONFLICT, e.to_string())
            }
            ScenarioPublicationError::Store(_) => Problem::internal(e),
        },
        PublishError::Ops(_) => Problem::internal(e),
    }
}

/// Publish scenario run `run_id` as `p` with `motivation`: the one operation the API and the
/// page call. 404 when `p` may not see the run, 403 for anyone but an administrator.
pub(crate) async fn publish_as(
    state: &AppState,
    caller: &Caller,
    p: &Principal,
    run_id: &str,
    motivation: &str,
) -> Result<ScenarioPublication, Problem> {
    if scenarios::find(state, caller, run_id).await?.is_none() {
        return Err(not_found(run_id));
    }
    if p.role != Role::Admin {
        return Err(Problem::forbidden(
            "bara en administratör publicerar scenarier / only an administrator publishes scenarios",
        ));
    }
    let defs = state.definitions();
    scenario_publication::publish(state.hub(), defs.policy(), run_id, motivation, &p.name)
        .await
        .map_err(problem)
}

/// `POST /api/v1/scenarios/{run_id}/publication`.
pub async fn publication(
    State(state): State<AppState>,
    caller: Caller,
    Path(run_id): Path<String>,
    b: Result<Json<PublicationBody>, JsonRejection>,
) -> Result<Response, Problem> {
    let Some(p) = caller.0.as_ref() else {
        return Err(Problem::unauthorized(
            "logga in för att publicera / log in to publish",
        ));
    };
    let Json(b) = b.map_err(|e| {
        Problem::bad_request(format!("ogiltig JSON / invalid JSON: {}", e.body_text()))
    })?;
    publish_as(&state, &caller, p, &run_id, &b.motivation).await?;
    let Some(s) = scenarios::find(&state, &caller, &run_id).await? else {
        return Err(not_found(&run_id));
    };
    let mut res = (StatusCode::CREATED, Json(detail(&s))).into_response();
    if let Ok(l) = HeaderValue::from_str(&format!("/api/v1/scenarios/{run_id}")) {
        res.headers_mut().insert(LOCATION, l);
    }
    Ok(no_store(res))
}
