//! `GET /api/v1/research/projects`: the public transparency list of approved research projects
//! and their releases — organisation, ethics approval, legal basis, purpose, approved variables
//! and population, and every release with its data versions, row counts and checksums. No
//! person's name (not even the principal investigator's), no staff, no paths. Releases
//! themselves are made by the CLI, which holds the key; the server holds none of it.

use crate::auth::Caller;
use crate::problem::Problem;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// `GET /api/v1/research/projects`.
pub async fn projects(State(state): State<AppState>, _caller: Caller) -> Result<Response, Problem> {
    let projects = vardhub_ops::research::public_projects(state.hub())
        .await
        .map_err(Problem::internal)?;
    Ok(Json(json!({ "projects": projects })).into_response())
}
