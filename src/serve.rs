//! `vardhub serve`: a thin call into `vardhub-server`.

use super::say;
use anyhow::Result;
use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;
use vardhub_engine::definitions::Definitions;
use vardhub_ingest::ReleaseKeys;
use vardhub_server::{AppState, ServerConfig};
use vardhub_store::Hub;

/// `serve [--addr A] [--secure-cookies]`: until SIGINT/SIGTERM, then finish open requests.
/// Hemhämtning (microdata downloads) needs the regions' `release_keys`; without them the server
/// answers those requests with 503. The server never holds the master key.
pub(crate) async fn serve(
    hub: Hub,
    definitions: Definitions,
    addr: SocketAddr,
    secure_cookies: bool,
    release_keys: Option<Arc<ReleaseKeys>>,
) -> Result<ExitCode> {
    let config = ServerConfig {
        addr,
        secure_cookies,
        ..ServerConfig::default()
    };
    let mut state = AppState::with_definitions(hub.clone(), definitions, config);
    if let Some(keys) = release_keys {
        state = state.with_release_keys(keys);
    }
    // `serve` publishes every view of the latest official run in one pass before it takes the
    // first request (public, national, each region).
    vardhub_server::serve(state, vardhub_server::shutdown_signal(), |bound| {
        say(format_args!(
            "Vårddatahubben: http://{bound}/  (Ctrl-C avslutar / stops)"
        ));
    })
    .await?;
    hub.close().await;
    Ok(ExitCode::SUCCESS)
}
