//! The routes. The machine-readable ones (API and operations) are one table, [`documented`], from
//! which the router is built and against which a test checks `/api/openapi.json`.

pub mod analyses;
pub mod api;
pub mod assets;
pub mod audit;
pub mod cases;
pub mod dcat;
pub mod microdata;
pub mod ops;
pub mod outputs;
pub mod pages;
pub mod pxweb;
pub mod research;
pub mod scenarios;
pub mod sources;
pub mod uploads;

use crate::layers::is_api;
use crate::problem::Problem;
use crate::state::AppState;
use axum::Router;
use axum::http::Uri;
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, get, post};

/// The API and operations routes: `(path, method, handler)`; each appears in the OpenAPI document.
pub fn documented() -> Vec<(&'static str, &'static str, MethodRouter<AppState>)> {
    let mut routes = core();
    routes.extend(pxweb::documented());
    routes.extend(dcat::documented());
    routes.extend(sources::documented());
    routes.extend(uploads::documented());
    routes
}

/// Paths under this prefix take large bodies (a delivery's chunks): they are routed apart, with
/// their own body limit (`ServerConfig::upload_chunk_limit`), by [`large_bodies`].
pub const UPLOADS_PREFIX: &str = "/api/v1/deliveries/uploads";

fn core() -> Vec<(&'static str, &'static str, MethodRouter<AppState>)> {
    vec![
        ("/api/v1/indicators", "get", get(api::catalogue)),
        ("/api/v1/indicators/{id}", "get", get(api::indicator)),
        ("/api/v1/indicators/{id}/values", "get", get(api::values)),
        ("/api/v1/analyses", "get", get(analyses::list)),
        ("/api/v1/analyses/{id}", "get", get(analyses::analysis)),
        ("/api/v1/scenarios", "get", get(scenarios::list)),
        (
            "/api/v1/scenarios/{run_id}",
            "get",
            get(scenarios::scenario),
        ),
        (
            "/api/v1/scenarios/{run_id}/publication",
            "post",
            post(scenarios::publication),
        ),
        ("/api/v1/cases", "get", get(cases::register)),
        ("/api/v1/cases", "post", post(cases::file)),
        ("/api/v1/cases/{id}", "get", get(cases::case)),
        ("/api/v1/cases/{id}/triage", "post", post(cases::triage)),
        ("/api/v1/cases/{id}/priority", "post", post(cases::priority)),
        (
            "/api/v1/cases/{id}/assessment",
            "post",
            post(cases::assessment),
        ),
        ("/api/v1/cases/{id}/links", "post", post(cases::links)),
        ("/api/v1/cases/{id}/decision", "post", post(cases::decision)),
        (
            "/api/v1/microdata/{collection}/{table}",
            "get",
            get(microdata::download),
        ),
        ("/api/v1/research/projects", "get", get(research::projects)),
        ("/api/v1/research/outputs", "get", get(outputs::list)),
        ("/api/v1/research/outputs", "post", post(outputs::submit)),
        ("/api/v1/research/outputs/{id}", "get", get(outputs::output)),
        (
            "/api/v1/research/outputs/{id}/decision",
            "post",
            post(outputs::decision),
        ),
        ("/api/v1/fees/invoice", "get", get(outputs::invoice)),
        ("/api/v1/audit/review", "get", get(audit::review_log)),
        ("/api/openapi.json", "get", get(ops::openapi)),
        ("/health", "get", get(ops::health)),
        ("/metrics", "get", get(ops::metrics)),
    ]
}

/// All routes.
pub fn router() -> Router<AppState> {
    let mut r = Router::new();
    for (path, _, handler) in documented() {
        if !path.starts_with(UPLOADS_PREFIX) {
            r = r.route(path, handler);
        }
    }
    let r = sources::pages(r);
    let r = pages::case_routes(r);
    r.route("/", get(pages::start))
        .route("/indikatorer/{id}", get(pages::indicator))
        .route("/indikatorer/{id}/vy.csv", get(pages::view_csv))
        .route("/indikatorer/{id}/vy.xlsx", get(pages::view_xlsx))
        .route("/regioner/{code}", get(pages::region))
        .route("/regioner/{code}/rapport", get(pages::region_report))
        .route(
            "/regioner/{code}/rapport.pdf",
            get(pages::region_report_pdf),
        )
        .route("/ordlista", get(pages::glossary))
        .route("/analyser", get(pages::analyses))
        .route("/analyser/{id}", get(pages::analysis))
        .route("/scenarier", get(pages::scenarios))
        .route("/scenarier/{run_id}", get(pages::scenario))
        .route(
            "/scenarier/{run_id}/publicering",
            post(pages::scenario_publication),
        )
        .route("/leveranser", get(pages::deliveries))
        .route("/leveranser/{id}", get(pages::delivery_report))
        .route("/loggkontroll", get(pages::log_review))
        .route("/forskning", get(pages::research))
        .route("/forskning/utdata", get(pages::outputs))
        .route(
            "/forskning/utdata/{id}/beslut",
            post(pages::output_decision),
        )
        .route("/katalog", get(pages::catalogue))
        .route("/katalog/kodverk", get(pages::code_systems))
        .route("/katalog/{collection}", get(pages::collection))
        .route("/logga-in", get(pages::login_form).post(pages::login))
        .route("/logga-ut", post(pages::logout))
        .route("/static/{*file}", get(assets::file))
        .fallback(not_found)
}

/// The routes that take large bodies (under [`UPLOADS_PREFIX`]), routed apart so that the
/// ordinary body limit stays small everywhere else.
pub fn large_bodies() -> Router<AppState> {
    let mut r = Router::new();
    for (path, _, handler) in documented() {
        if path.starts_with(UPLOADS_PREFIX) {
            r = r.route(path, handler);
        }
    }
    r
}

async fn not_found(uri: Uri) -> Response {
    if is_api(uri.path()) {
        Problem::not_found("ingen sådan resurs / no such resource").into_response()
    } else {
        pages::not_found_page(crate::i18n::Lang::from_query(uri.query()).unwrap_or_default())
    }
}
