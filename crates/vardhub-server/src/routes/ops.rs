//! Drift / operations: `/health`, `/metrics` and the OpenAPI document.

use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::http::header::{self, HeaderValue};
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// The hand-written OpenAPI 3.1 document (checked against the router by a test).
pub const OPENAPI: &str = include_str!("../../assets/openapi.json");

/// `GET /health`: 200 when the catalogue answers, 503 otherwise; names the latest official run.
pub async fn health(State(state): State<AppState>) -> Response {
    match state.hub().latest_official_run().await {
        Ok(latest) => {
            let mut res = Json(json!({
                "status": "ok",
                "catalogue": true,
                "latest_run": latest.map(|r| json!({
                    "id": r.id, "finished_at": r.finished_at, "as_of": r.as_of, "rows": r.rows,
                })),
            }))
            .into_response();
            res.headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            res
        }
        Err(e) => {
            tracing::error!(error = %e, "health: catalogue unreachable");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(json!({"status": "unavailable", "catalogue": false, "latest_run": null})),
            )
                .into_response()
        }
    }
}

/// `GET /metrics` (Prometheus text format 0.0.4).
pub async fn metrics(State(state): State<AppState>) -> Response {
    let age = match state.hub().latest_official_run().await {
        Ok(latest) => latest.and_then(|r| {
            chrono::DateTime::parse_from_rfc3339(&r.finished_at)
                .ok()
                .map(|t| (chrono::Utc::now() - t.with_timezone(&chrono::Utc)).as_seconds_f64())
        }),
        Err(_) => None,
    };
    let mut res = state.metrics().render(age).into_response();
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
    );
    res
}

/// `GET /api/openapi.json`.
pub async fn openapi() -> Response {
    let mut res = OPENAPI.into_response();
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    res.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=3600"),
    );
    res
}
