//! Anslutningar / the serve loop: accepting connections within a limit, closing those that do
//! not send a request header in time, and telling the routes the client's address.
//!
//! * At most [`Limits::max_connections`] connections are served at once (a semaphore); one
//!   accepted beyond that is closed at once, so thousands of idle or half-open connections cost a
//!   file descriptor for microseconds, not for ever.
//! * HTTP/1 with hyper's `header_read_timeout`: a connection that does not deliver a complete
//!   request header within [`Limits::header_read_timeout`] (a fresh one, or an idle keep-alive
//!   one) is closed and its slot freed, so `/health` gets through again.
//! * Each request carries `ConnectInfo<SocketAddr>` (the peer), read by
//!   [`crate::audit_fields::client_addr`] for the audit log and the login throttle.
//! * On shutdown: stop accepting, let open requests finish (graceful), then return.

use axum::Router;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tower::ServiceExt;

/// The limits of the serve loop.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limits {
    /// Time allowed for a request header.
    pub header_read_timeout: Duration,
    /// Connections served at once.
    pub max_connections: usize,
}

/// Serve `app` on `listener` until `shutdown` completes; then finish open connections.
pub(crate) async fn run(
    listener: TcpListener,
    app: Router,
    limits: Limits,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) {
    let slots = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let graceful = GracefulShutdown::new();
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout)
        .keep_alive(true);
    tokio::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    // Out of file descriptors and the like: pause instead of spinning.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
        };
        let Ok(permit) = Arc::clone(&slots).try_acquire_owned() else {
            tracing::debug!("connection limit reached: connection closed");
            drop(stream);
            continue;
        };
        let _ = stream.set_nodelay(true);
        let app = app.clone();
        let service = hyper::service::service_fn(move |req: hyper::Request<Incoming>| {
            let mut req = req.map(axum::body::Body::new);
            req.extensions_mut().insert(ConnectInfo(peer));
            app.clone().oneshot(req)
        });
        let conn = builder.serve_connection(TokioIo::new(stream), service);
        let conn = graceful.watch(conn);
        tokio::spawn(async move {
            if let Err(e) = conn.await {
                tracing::debug!(error = %e, "connection ended with an error");
            }
            drop(permit);
        });
    }
    drop(listener);
    graceful.shutdown().await;
}
