//! What wraps every request: security headers, timeout, body limit, request logs and metrics,
//! uniform error bodies, remembering the chosen language, refusing state-changing requests from
//! other origins (login CSRF), `Cache-Control: private, no-store` on every response to a
//! request that carries credentials (a logged-in page must not stay in a shared or disk cache),
//! CORS on the open API only ([`OPEN_PREFIXES`], [`cors`]) and compression by `Accept-Encoding`
//! ([`compressible`]: never a logged-in page, never an already compressed file).

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
use tower_http::compression::CompressionLayer;
use tower_http::compression::predicate::{DefaultPredicate, Predicate};
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
        .merge(
            crate::routes::large_bodies()
                .layer(RequestBodyLimitLayer::new(config.upload_chunk_limit)),
        )
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
        .layer(middleware::from_fn(cors))
        .layer(CompressionLayer::new().compress_when(DefaultPredicate::new().and(compressible)))
        .layer(middleware::from_fn_with_state(state.clone(), observe))
        .with_state(state)
}

/// The open, anonymous API: everything under these paths may be read from any origin (CORS).
/// The indicator API, the OpenAPI document, PxWeb API v2, the DCAT catalogue and the track-A
/// sources. Nothing else — authenticated routes, microdata, uploads, pages — ever gets CORS
/// headers. A prefix matches itself and the paths below it (`/api/v1/catalog` does not match
/// `/api/v1/catalogue`).
pub const OPEN_PREFIXES: [&str; 5] = [
    "/api/v1/indicators",
    "/api/openapi.json",
    "/api/v2",
    "/api/v1/catalog",
    "/api/v1/sources",
];

/// Whether `path` is on the open API ([`OPEN_PREFIXES`]).
pub fn is_open(path: &str) -> bool {
    OPEN_PREFIXES.iter().any(|p| {
        path.strip_prefix(p)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
    })
}

/// The request headers a cross-origin reader of the open API may send.
const CORS_ALLOW_HEADERS: &str = "Accept, Accept-Language, If-None-Match";
/// The response headers a cross-origin reader of the open API may see.
const CORS_EXPOSE_HEADERS: &str = "ETag, Link, X-Total-Count, Content-Disposition";

/// CORS for the open API: `GET`/`HEAD` without credentials on a path of [`OPEN_PREFIXES`] get
/// `Access-Control-Allow-Origin: *` (never `Allow-Credentials`), and a preflight `OPTIONS` there
/// asking for `GET` or `HEAD` is answered 204. Requests that carry credentials (an
/// `Authorization` header or the session cookie: their answers may be a logged-in view) and
/// every other path get no CORS headers, so a browser on another site cannot read them; a
/// preflight elsewhere goes on to the router (405).
async fn cors(req: Request, next: Next) -> Response {
    use axum::http::Method;
    if !is_open(req.uri().path()) {
        return next.run(req).await;
    }
    let h = req.headers();
    if req.method() == Method::OPTIONS
        && h.contains_key(header::ORIGIN)
        && h.get(header::ACCESS_CONTROL_REQUEST_METHOD)
            .is_some_and(|m| m == "GET" || m == "HEAD")
    {
        let mut res = StatusCode::NO_CONTENT.into_response();
        let rh = res.headers_mut();
        rh.insert(
            header::ACCESS_CONTROL_ALLOW_ORIGIN,
            HeaderValue::from_static("*"),
        );
        rh.insert(
            header::ACCESS_CONTROL_ALLOW_METHODS,
            HeaderValue::from_static("GET, HEAD"),
        );
        rh.insert(
            header::ACCESS_CONTROL_ALLOW_HEADERS,
            HeaderValue::from_static(CORS_ALLOW_HEADERS),
        );
        rh.insert(
            header::ACCESS_CONTROL_MAX_AGE,
            HeaderValue::from_static("86400"),
        );
        return res;
    }
    let open = matches!(*req.method(), Method::GET | Method::HEAD) && !has_credentials(&req);
    let mut res = next.run(req).await;
    if open {
        let rh = res.headers_mut();
        rh.insert(
            header::ACCESS_CONTROL_ALLOW_ORIGIN,
            HeaderValue::from_static("*"),
        );
        rh.insert(
            header::ACCESS_CONTROL_EXPOSE_HEADERS,
            HeaderValue::from_static(CORS_EXPOSE_HEADERS),
        );
    }
    res
}

/// Marks a response to a request that carried credentials (set by [`private_when_logged_in`],
/// read by [`compressible`]).
#[derive(Debug, Clone, Copy)]
struct Credentialed;

/// Content types never compressed: already compressed files (Parquet, zip, xlsx, gzip, zstd)
/// and opaque bytes. Images are left out by tower-http's default predicate.
const INCOMPRESSIBLE: [&str; 6] = [
    "application/vnd.apache.parquet",
    "application/zip",
    "application/vnd.openxmlformats-officedocument.",
    "application/gzip",
    "application/zstd",
    "application/octet-stream",
];

/// Whether a response may be compressed (on top of tower-http's default: not tiny, not an
/// image, not a stream of events): not an already compressed file ([`INCOMPRESSIBLE`]), and not
/// an HTML page answering a request with credentials — a logged-in page mixes what is secret to
/// the user with text an attacker can put into it (query parameters, case texts), and its
/// compressed size would leak the secret (BREACH). JSON, CSV, scripts and style sheets are.
pub(crate) fn compressible(
    _status: StatusCode,
    _version: axum::http::Version,
    headers: &axum::http::HeaderMap,
    extensions: &axum::http::Extensions,
) -> bool {
    let ct = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    if INCOMPRESSIBLE.iter().any(|p| ct.starts_with(p)) {
        return false;
    }
    !(ct.starts_with("text/html") && extensions.get::<Credentialed>().is_some())
}

/// Whether a request carries credentials: an `Authorization` header or the session cookie.
fn has_credentials(req: &Request) -> bool {
    req.headers().contains_key(header::AUTHORIZATION)
        || req
            .headers()
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .any(|kv| kv.trim().starts_with(&format!("{SESSION_COOKIE}=")))
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
    let credentials = has_credentials(&req);
    let mut res = next.run(req).await;
    if credentials {
        res.extensions_mut().insert(Credentialed);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn open_prefixes_match_themselves_and_what_is_below_only() {
        for open in [
            "/api/v1/indicators",
            "/api/v1/indicators/x/values",
            "/api/openapi.json",
            "/api/v2",
            "/api/v2/tables/x/data",
            "/api/v1/catalog",
            "/api/v1/catalog/dataset.ttl",
            "/api/v1/sources/x",
        ] {
            assert!(is_open(open), "{open}");
        }
        for closed in [
            "/api/v1/indicatorsx",
            "/api/v1/catalogue",
            "/api/v20",
            "/api/openapi.jsonx",
            "/api/v1/microdata/a/b",
            "/api/v1/deliveries/uploads",
            "/api/v1/cases",
            "/",
            "/indikatorer/x",
        ] {
            assert!(!is_open(closed), "{closed}");
        }
    }

    #[test]
    fn compressed_files_and_logged_in_pages_are_not_compressed() {
        let with = |ct: &str, logged_in: bool| {
            let mut h = axum::http::HeaderMap::new();
            h.insert(header::CONTENT_TYPE, HeaderValue::from_str(ct).unwrap());
            let mut e = axum::http::Extensions::new();
            if logged_in {
                e.insert(Credentialed);
            }
            compressible(StatusCode::OK, axum::http::Version::HTTP_11, &h, &e)
        };
        assert!(with("application/json", false));
        assert!(with("application/json", true));
        assert!(with("text/csv; charset=utf-8", true));
        assert!(with("text/html; charset=utf-8", false));
        assert!(!with("text/html; charset=utf-8", true));
        assert!(!with("application/vnd.apache.parquet", false));
        assert!(!with(crate::xlsx::XLSX_MEDIA_TYPE, false));
        assert!(!with("application/zip", false));
    }
}
