//! # vardhub-server
//!
//! Vårddatahubbens webbserver / the hub online: the open-data API, the Swedish dashboard, region
//! access and *hemhämtning* (a region fetching its own pseudonymised microdata).
//!
//! ```text
//!  connection ─► listen.rs: connection limit, header-read timeout, client address
//!  request ─► security headers, same-origin forms, private caching of logged-in responses,
//!             timeout, body limit, logs + metrics (layers.rs)
//!          ─► Caller (auth.rs: bearer token or session cookie → Principal → Access; failures
//!             throttled per address and name, throttle.rs; audit fields, audit_fields.rs)
//!          ─► routes::api        /api/v1/indicators…     JSON / CSV, ETag, pagination
//!             routes::microdata  /api/v1/microdata/…     own region only, audited
//!             routes::analyses   /api/v1/analyses…       public form of stored analyses
//!             routes::scenarios  /api/v1/scenarios…      what-if scenario runs, publication
//!             routes::pages      /, /indikatorer/…,      askama templates + Vega-Lite charts
//!                                /analyser/…, /scenarier/…
//!             routes::ops        /health, /metrics, /api/openapi.json
//!             routes::assets     /static/…               vendored JS, CSS, map geometry
//!          ─► runs.rs: the latest indicator run, published per access level through
//!             `published::publish` (the disclosure policy) and cached
//!          ─► analyses.rs: the newest analysis run per analysis; its public form through
//!             `analysis::public_all` over the whole run (Sweden and every region together),
//!             once per run; an analyst's own region unsuppressed (unsuppressed.rs: the same
//!             shape, every value shown) only after an audit entry
//!          ─► scenarios.rs: the stored what-if scenario runs a caller may see (auth.rs,
//!             `sees_scenario`): the stored document for the entitled roles (audited), the
//!             disclosure-checked copy recorded with an administrator's publication for the rest
//! ```
//!
//! Start it with [`serve`], or build the [`app`] router around an [`AppState`] (tests).
//!
//! **Architecture invariants:**
//! * only this crate knows HTTP;
//! * every indicator value that leaves the server passes through [`published::publish`] with the
//!   caller's [`Access`] (public callers get [`published::View::Public`]); handlers never read
//!   [`vardhub_engine::indicator::ResultRow`]s;
//! * a stored patient-level analysis (run of kind analysis) leaves the server only through the
//!   engine's `analysis::public_all` over the whole run — never one result's `public` alone,
//!   which does not stop a region's hidden value being recovered as Sweden's minus the others'
//!   (the API always, the pages for everyone, every area chosen); the one exception is
//!   a logged-in analyst's panel on the page — a region analyst's own region, national analysts'
//!   and admins' chosen area — unsuppressed, clearly labelled and written to the audit log first
//!   (`analyses.rs`);
//! * a what-if scenario run (kind scenario) is served only to the entitled roles (administrators,
//!   centre staff, decision-makers, national analysts, the scenario's own region's analysts)
//!   until an administrator other than its author publishes it through the disclosure policy;
//!   everyone else is then shown the disclosure-checked copy recorded with the publication,
//!   never the stored document (`scenarios.rs`);
//! * microdata is only ever read from lake files whose catalogue region equals the caller's own
//!   region; request parameters are used for lookups, never to build file paths; it leaves with
//!   the region's release pseudonyms, never the lake's (no release keys: 503); the server holds
//!   only the regions' release keys ([`vardhub_ingest::ReleaseKeys`]), never the master key;
//! * every authenticated request and every download is appended to the keyed audit log (the
//!   server holds the audit key, which cannot make pseudonyms);
//! * request logs carry the route template, never a query string or personal data.

mod analyses;
mod audit_fields;
pub mod auth;
mod charts;
mod csv;
mod error;
mod i18n;
mod layers;
mod listen;
pub mod log_review;
mod metrics;
mod pdf;
pub mod problem;
pub mod published;
pub mod pxweb;
pub mod routes;
mod runs;
mod scenarios;
mod state;
pub mod throttle;
mod unsuppressed;
pub mod users;
pub mod xlsx;

use std::net::SocketAddr;
use std::time::Duration;

pub use auth::{Access, Principal, Role};
pub use error::ServerError;
pub use state::AppState;

/// How the server listens and protects itself.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// Address to bind (`127.0.0.1:8080`; port 0 = any free port).
    pub addr: SocketAddr,
    /// Longest time a request may take before it gets 408.
    pub request_timeout: Duration,
    /// Largest accepted request body (login form); larger gets 413.
    pub body_limit: usize,
    /// Largest accepted body of one chunk of a delivery uploaded over HTTP (routes under
    /// `routes::UPLOADS_PREFIX` only); larger gets 413.
    pub upload_chunk_limit: usize,
    /// Longest time a client may take to send a request's header (also an idle connection's
    /// first one); then the connection is closed.
    pub header_read_timeout: Duration,
    /// Most connections served at once; a connection beyond it is closed at once, so idle or
    /// half-open connections cannot starve `/health` (they time out, see above).
    pub max_connections: usize,
    /// The hub is reached over HTTPS (TLS terminated in front of it): cookies get `Secure` and
    /// the origin that state-changing forms must come from is `https://HOST`. Required in
    /// production.
    pub secure_cookies: bool,
    /// Throttling of failed logins and unknown tokens, per client address and per user name.
    pub throttle: throttle::ThrottlePolicy,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            addr: SocketAddr::from(([127, 0, 0, 1], 8080)),
            request_timeout: Duration::from_secs(30),
            body_limit: 16 * 1024,
            upload_chunk_limit: 8 * 1024 * 1024,
            header_read_timeout: Duration::from_secs(10),
            max_connections: 1024,
            secure_cookies: false,
            throttle: throttle::ThrottlePolicy::default(),
        }
    }
}

/// The whole application: routes and layers around a state.
pub fn app(state: AppState) -> axum::Router {
    layers::wrap(routes::router(), state)
}

/// Bind, serve until `shutdown` completes, then finish open requests (graceful shutdown).
/// `on_bound` is called with the actual address once listening (useful with port 0).
pub async fn serve(
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    on_bound: impl FnOnce(SocketAddr),
) -> Result<(), ServerError> {
    let addr = state.config().addr;
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| ServerError::Bind(addr, e))?;
    let bound = listener
        .local_addr()
        .map_err(|e| ServerError::Bind(addr, e))?;
    tracing::info!(%bound, "server listening");
    // Every view of the latest official run is published before the first request is taken,
    // in one pass: the public's first page and a region analyst's cost the same.
    state.warm_up_every_view().await;
    on_bound(bound);
    let limits = listen::Limits {
        header_read_timeout: state.config().header_read_timeout,
        max_connections: state.config().max_connections,
    };
    listen::run(listener, app(state), limits, shutdown).await;
    tracing::info!("server stopped");
    Ok(())
}

/// Completes on SIGINT (Ctrl-C) or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutdown signal received");
}
