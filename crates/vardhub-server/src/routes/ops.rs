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

/// The parts of the document kept beside it, one per area (`assets/openapi/*.json`: `paths` and
/// `components.schemas`), merged into it by [`openapi_document`].
const OPENAPI_PARTS: [(&str, &str); 4] = [
    ("pxweb", include_str!("../../assets/openapi/pxweb.json")),
    ("dcat", include_str!("../../assets/openapi/dcat.json")),
    ("sources", include_str!("../../assets/openapi/sources.json")),
    ("uploads", include_str!("../../assets/openapi/uploads.json")),
];

/// The whole OpenAPI document: `assets/openapi.json` with every part's paths and schemas merged
/// in (a path or schema defined twice is a programming error: it panics in every test).
pub fn openapi_document() -> &'static str {
    static DOC: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DOC.get_or_init(|| {
        let mut doc: serde_json::Value =
            serde_json::from_str(OPENAPI).expect("assets/openapi.json is JSON");
        for (name, text) in OPENAPI_PARTS {
            let part: serde_json::Value = serde_json::from_str(text)
                .unwrap_or_else(|e| panic!("assets/openapi/{name}.json: {e}"));
            for (section, target) in [("paths", "/paths"), ("schemas", "/components/schemas")] {
                let from = if section == "paths" {
                    &part["paths"]
                } else {
                    &part["components"]["schemas"]
                };
                let Some(from) = from.as_object() else {
                    continue;
                };
                let into = doc
                    .pointer_mut(target)
                    .and_then(|v| v.as_object_mut())
                    .expect("the document has paths and components.schemas");
                for (k, v) in from {
                    assert!(
                        into.insert(k.clone(), v.clone()).is_none(),
                        "assets/openapi/{name}.json: {section} {k} defined twice"
                    );
                }
            }
        }
        serde_json::to_string_pretty(&doc).expect("a JSON value serialises")
    })
}

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
    let mut res = openapi_document().into_response();
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
