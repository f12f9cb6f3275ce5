//! Ärenden i API:t / the competence centre's cases over the API.
//!
//! * `GET /api/v1/cases?q=&status=`: the public register (no personal data), anyone.
//! * `GET /api/v1/cases/{id}`: one case's public form; for the centre's roles and the requester
//!   also `internal` (contact details, user names, history), sent `Cache-Control: no-store`.
//! * `POST /api/v1/cases` (any logged-in user) files a need; `POST …/{id}/triage`,
//!   `…/priority`, `…/assessment`, `…/links` (centre staff) and `…/decision` (decision-maker)
//!   take the next step. Bodies are JSON ([`vardhub_ops::cases`]'s forms); every step is one
//!   library operation, the same the pages call.
//!
//! Errors are problem details: 400 for a body that is not the form, 422 for a field that breaks
//! a rule (named), 401 without login, 403 for a role that may not, 404 for an unknown case, 409
//! for a step the case is not ready for.

use crate::auth::Caller;
use crate::problem::Problem;
use crate::state::AppState;
use axum::Json;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::header::{CACHE_CONTROL, LOCATION};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};
use vardhub_domain::case::{Actor, Case, CaseError};
use vardhub_ops::cases::{
    self as ops, AssessmentForm, CaseOpError, CaseView, DecisionForm, FilingForm, LinkForm,
    PriorityForm, RegisterQuery, TriageForm,
};

/// The user acting, from the caller; `None` when not logged in.
pub fn actor(caller: &Caller) -> Option<Actor> {
    caller.0.as_ref().map(|p| Actor {
        name: p.name.clone(),
        role: p.role.case_role(),
    })
}

/// A case operation's error as a problem.
pub fn problem(e: CaseOpError) -> Problem {
    match &e {
        CaseOpError::Invalid { .. } | CaseOpError::Refused(CaseError::Text(_)) => {
            Problem::new(StatusCode::UNPROCESSABLE_ENTITY, e.to_string())
        }
        CaseOpError::Refused(CaseError::Forbidden { .. }) => Problem::forbidden(e.to_string()),
        CaseOpError::Refused(CaseError::WrongStage { .. }) => {
            Problem::new(StatusCode::CONFLICT, e.to_string())
        }
        CaseOpError::Refused(_) => Problem::new(StatusCode::UNPROCESSABLE_ENTITY, e.to_string()),
        CaseOpError::UnknownCase(_) => Problem::not_found(e.to_string()),
        CaseOpError::Store(err) => Problem::internal(err),
    }
}

fn logged_in(caller: &Caller) -> Result<Actor, Problem> {
    actor(caller)
        .ok_or_else(|| Problem::unauthorized("logga in för att göra detta / log in to do this"))
}

fn body<T>(b: Result<Json<T>, JsonRejection>) -> Result<T, Problem> {
    b.map(|Json(t)| t).map_err(|e| {
        Problem::bad_request(format!("ogiltig JSON / invalid JSON: {}", e.body_text()))
    })
}

/// The JSON of a case view: the public form, and `internal` when the viewer may see it.
pub fn view_json(v: &CaseView) -> Value {
    let mut out = json!({ "case": v.public });
    if let Some((case, events)) = &v.full {
        out["internal"] = json!({
            "contact": case.filing.contact,
            "filed": case.filed,
            "triage": case.triage.as_ref().map(|(_, s)| s),
            "priority": case.priority.as_ref().map(|(_, s)| s),
            "assessment": case.assessment.as_ref().map(|(_, s)| s),
            "decisions": case.decisions.iter().map(|d| &d.stamp).collect::<Vec<_>>(),
            "history": events,
        });
    }
    out
}

fn private(mut res: Response) -> Response {
    res.headers_mut()
        .insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

async fn answer(
    state: &AppState,
    case: &Case,
    viewer: &Actor,
    created: bool,
) -> Result<Response, Problem> {
    let v = ops::view(state.hub(), case.id.as_str(), Some(viewer))
        .await
        .map_err(problem)?;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    let mut res = (status, Json(view_json(&v))).into_response();
    if created && let Ok(l) = HeaderValue::from_str(&format!("/api/v1/cases/{}", case.id)) {
        res.headers_mut().insert(LOCATION, l);
    }
    Ok(private(res))
}

/// `GET /api/v1/cases`: the public register.
pub async fn register(
    State(state): State<AppState>,
    _caller: Caller,
    q: Result<Query<RegisterQuery>, QueryRejection>,
) -> Result<Response, Problem> {
    let Query(q) = q.map_err(|e| Problem::bad_request(e.body_text()))?;
    let cases = ops::register(state.hub(), &q).await.map_err(problem)?;
    Ok(Json(json!({ "total": cases.len(), "cases": cases })).into_response())
}

/// `GET /api/v1/cases/{id}`.
pub async fn case(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Response, Problem> {
    let viewer = actor(&caller);
    let v = ops::view(state.hub(), &id, viewer.as_ref())
        .await
        .map_err(problem)?;
    let res = Json(view_json(&v)).into_response();
    Ok(if v.full.is_some() { private(res) } else { res })
}

/// `POST /api/v1/cases`: file a need.
pub async fn file(
    State(state): State<AppState>,
    caller: Caller,
    form: Result<Json<FilingForm>, JsonRejection>,
) -> Result<Response, Problem> {
    let a = logged_in(&caller)?;
    let form = body(form)?;
    let case = ops::file(state.hub(), &a, &form).await.map_err(problem)?;
    answer(&state, &case, &a, true).await
}

/// `POST /api/v1/cases/{id}/triage`.
pub async fn triage(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    form: Result<Json<TriageForm>, JsonRejection>,
) -> Result<Response, Problem> {
    let a = logged_in(&caller)?;
    let case = ops::triage(state.hub(), &id, &a, &body(form)?)
        .await
        .map_err(problem)?;
    answer(&state, &case, &a, false).await
}

/// `POST /api/v1/cases/{id}/priority`.
pub async fn priority(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    form: Result<Json<PriorityForm>, JsonRejection>,
) -> Result<Response, Problem> {
    let a = logged_in(&caller)?;
    let case = ops::prioritise(state.hub(), &id, &a, &body(form)?)
        .await
        .map_err(problem)?;
    answer(&state, &case, &a, false).await
}

/// `POST /api/v1/cases/{id}/assessment`.
pub async fn assessment(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    form: Result<Json<AssessmentForm>, JsonRejection>,
) -> Result<Response, Problem> {
    let a = logged_in(&caller)?;
    let case = ops::assess(state.hub(), &id, &a, &body(form)?)
        .await
        .map_err(problem)?;
    answer(&state, &case, &a, false).await
}

/// The body of `POST …/links`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LinksBody {
    links: Vec<LinkForm>,
}

/// `POST /api/v1/cases/{id}/links`.
pub async fn links(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    form: Result<Json<LinksBody>, JsonRejection>,
) -> Result<Response, Problem> {
    let a = logged_in(&caller)?;
    let defs = state.definitions();
    let case = ops::add_links(state.hub(), &defs, &id, &a, &body(form)?.links)
        .await
        .map_err(problem)?;
    answer(&state, &case, &a, false).await
}

/// `POST /api/v1/cases/{id}/decision`.
pub async fn decision(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    form: Result<Json<DecisionForm>, JsonRejection>,
) -> Result<Response, Problem> {
    let a = logged_in(&caller)?;
    let defs = state.definitions();
    let case = ops::decide(state.hub(), &defs, &id, &a, &body(form)?)
        .await
        .map_err(problem)?;
    answer(&state, &case, &a, false).await
}
