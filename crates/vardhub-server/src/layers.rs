//! What wraps every request: security headers, timeout, body limit, request logs and metrics,
//! uniform error bodies, remembering the chosen language, refusing state-changing requests from
//! other origins (login CSRF), and `Cache-Control: private, no-store` on every response to a
//! request that carries credentials (a logged-in page must not stay in a shared or disk cache).

use crate::auth::SESSION_COOKIE;
use crate::i18n::{LANG_COOKIE, Lang};
use crate::problem::{PROBLEM_JSON, Problem};
use crate::state::AppState;
use axum::Router;
use axum::body::Body;
use axum::extract::{MatchedPath, Request, State};
use axum::http::StatusCode;
use axum::http::header::{self, HeaderName, HeaderValue};
use axum::middleware::{self, Next};
use axum::response::{Html, IntoResponse, Response};
use std::time::Instant;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;

/// The Content-Security-Policy of every response: nothing from other origins, no inline
/// scripts, no eval, no framing.
pub const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; \
frame-ancestors 'none'";

/// Wrap the routes in the layers (outermost last).
pub(crate) fn wrap(routes: Router<AppState>, state: AppState) -> Router {
    let config = state.config().clone();
    let mut router = routes
        .layer(RequestBodyLimitLayer::new(config.body_limit))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            config.request_timeout,
        ))
        .layer(middleware::from_fn(uniform_errors))
        .layer(middleware::from_fn_with_state(state.clone(), same_origin))
        .layer(middleware::from_fn(private_when_logged_in))
        .layer(middleware::from_fn_with_state(state.clone(), remember_lang));
    for (name, value) in [
        ("content-security-policy", CSP),
        ("x-content-type-options", "nosniff"),
        // Not `no-referrer`: with it, browsers send `Origin: null` on our own form posts, and
        // the same-origin check below could not tell them from a forged one.
        ("referrer-policy", "same-origin"),
        ("x-frame-options", "DENY"),
        ("cross-origin-opener-policy", "same-origin"),
        (
            "permissions-policy",
            "geolocation=(), camera=(), microphone=()",
        ),
    ] {
        router = router.layer(SetResponseHeaderLayer::if_not_present(
            HeaderName::from_static(name),
            HeaderValue::from_static(value),
        ));
    }
    router
        .layer(middleware::from_fn_with_state(state.clone(), observe))
        .with_state(state)
}

/// Log and count each request by its route template (never the query string: it could carry
/// data), status and duration.
async fn observe(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let start = Instant::now();
    let method = req.method().clone();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |m| m.as_str().to_owned());
    let res = next.run(req).await;
    let seconds = start.elapsed().as_secs_f64();
    let status = res.status().as_u16();
    state.metrics().record(&route, status, seconds);
    tracing::info!(%method, route, status, ms = seconds * 1000.0, "request");
    res
}

/// Error responses made by layers or extractors (413, 408, 405, rejections) get the same body
/// as our own: problem details for the API and operations routes, a small page otherwise.
async fn uniform_errors(req: Request, next: Next) -> Response {
    let api = is_api(req.uri().path());
    let res = next.run(req).await;
    let status = res.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return res;
    }
    let ct = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if ct.starts_with(PROBLEM_JSON) || ct.starts_with("text/html") {
        return res;
    }
    if api {
        Problem::for_status(status).into_response()
    } else {
        let p = Problem::for_status(status);
        let body = format!(
            "<!doctype html><html lang=\"sv\"><head><meta charset=\"utf-8\"><title>{} {}</title>\
             <link rel=\"stylesheet\" href=\"/static/app.css\"></head><body><main id=\"innehall\">\
             <h1>{} {}</h1><p>{}</p><p><a href=\"/\">Startsidan / home</a></p></main></body></html>",
            p.status, p.title, p.status, p.title, p.detail
        );
        (status, Html(body)).into_response()
    }
}

/// The origin a browser names for this server's own pages: `http(s)://` + the `Host` header.
fn own_origin(req: &Request, secure: bool) -> Option<String> {
    let host = req.headers().get(header::HOST)?.to_str().ok()?;
    let scheme = if secure { "https" } else { "http" };
    Some(format!("{scheme}://{host}"))
}

/// A request whose method changes state (anything but GET, HEAD, OPTIONS) must come from the
/// server's own origin: its `Origin` header (or, without one, its `Referer`) must be
/// `http(s)://HOST` of the request. Otherwise 403: a page elsewhere cannot log a browser in as
/// someone else (login CSRF) or out, nor file or decide a case with the browser's session.
/// `Origin: null` is refused. An API request is exempt when it carries an `Authorization` header
/// (a browser never adds a bearer token by itself) or no cookie (then it acts for nobody): only a
/// cookie could let another site act with a user's rights.
async fn same_origin(State(state): State<AppState>, req: Request, next: Next) -> Response {
    use axum::http::Method;
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS)
        || (is_api(req.uri().path())
            && (req.headers().contains_key(header::AUTHORIZATION)
                || !req.headers().contains_key(header::COOKIE)))
    {
        return next.run(req).await;
    }
    let own = own_origin(&req, state.config().secure_cookies);
    let h = req.headers();
    let claimed = match h.get(header::ORIGIN) {
        Some(o) => o.to_str().ok().map(str::to_owned),
        None => h
            .get(header::REFERER)
            .and_then(|r| r.to_str().ok())
            .and_then(|r| {
                let rest = r.split_once("://")?.1;
                let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
                Some(format!("{}://{}", r.split_once("://")?.0, &rest[..end]))
            }),
    };
    if own.is_some() && claimed == own {
        return next.run(req).await;
    }
    tracing::warn!(method = %req.method(), "state-changing request from another origin refused");
    Problem::new(
        StatusCode::FORBIDDEN,
        "formuläret kom inte från denna webbplats / the form was not sent from this site",
    )
    .into_response()
}

/// Responses to requests that carry credentials (a session cookie or an `Authorization` header)
/// are `Cache-Control: private, no-store`, whatever the handler set.
async fn private_when_logged_in(req: Request, next: Next) -> Response {
    let credentials = req.headers().contains_key(header::AUTHORIZATION)
        || req
            .headers()
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .any(|kv| kv.trim().starts_with(&format!("{SESSION_COOKIE}=")));
    let mut res = next.run(req).await;
    if credentials {
        res.headers_mut().insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static("private, no-store"),
        );
    }
    res
}

/// The attributes of every cookie the server sets: `Path=/; SameSite=Strict`, and `Secure`
/// behind TLS.
pub(crate) fn cookie_attributes(state: &AppState) -> &'static str {
    if state.config().secure_cookies {
        "Path=/; SameSite=Strict; Secure"
    } else {
        "Path=/; SameSite=Strict"
    }
}

/// `?lang=en` on a page is remembered in a cookie.
async fn remember_lang(State(state): State<AppState>, req: Request<Body>, next: Next) -> Response {
    let chosen = if is_api(req.uri().path()) {
        None
    } else {
        Lang::from_query(req.uri().query())
    };
    let mut res = next.run(req).await;
    if let Some(lang) = chosen
        && let Ok(v) = HeaderValue::from_str(&format!(
            "{LANG_COOKIE}={}; Max-Age=31536000; {}",
            lang.code(),
            cookie_attributes(&state)
        ))
    {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    res
}

/// Paths answered with problem details rather than pages.
pub(crate) fn is_api(path: &str) -> bool {
    path.starts_with("/api/") || path == "/api" || path == "/health" || path == "/metrics"
}
