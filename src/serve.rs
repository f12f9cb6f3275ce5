//! `vardhub serve`: a thin call into `vardhub-server`.

use super::say;
use anyhow::Result;
use std::net::SocketAddr;
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;
use vardhub_engine::disclosure::DisclosurePolicy;
use vardhub_ingest::Pseudonymiser;
use vardhub_server::{AppState, ServerConfig};
use vardhub_store::Hub;

/// `serve [--addr A] [--secure-cookies]`: until SIGINT/SIGTERM, then finish open requests.
/// Hemhämtning (microdata downloads) needs `pseudonymiser`, the key its release pseudonyms derive
/// from; without it the server answers those requests with 503.
pub(crate) async fn serve(
    hub: Hub,
    addr: SocketAddr,
    secure_cookies: bool,
    pseudonymiser: Option<Arc<Pseudonymiser>>,
) -> Result<ExitCode> {
    let config = ServerConfig {
        addr,
        secure_cookies,
        ..ServerConfig::default()
    };
    let mut state = AppState::new(hub.clone(), DisclosurePolicy::default_public(), config);
    if let Some(p) = pseudonymiser {
        state = state.with_pseudonymiser(p);
    }
    vardhub_server::serve(state, vardhub_server::shutdown_signal(), |bound| {
        say(format_args!(
            "Vårddatahubben: http://{bound}/  (Ctrl-C avslutar / stops)"
        ));
    })
    .await?;
    hub.close().await;
    Ok(ExitCode::SUCCESS)
}

/// The key for hemhämtning, if the key file at `path` exists, can be read and is the one the
/// catalogue registered under its version. Otherwise a warning (naming the file, never its
/// content) and `None`: the server runs without microdata downloads.
pub(crate) async fn release_key(hub: &Hub, path: &Path) -> Option<Pseudonymiser> {
    if !path.exists() {
        tracing::warn!(
            key_file = %path.display(),
            "no key file: hemhämtning (microdata downloads) is disabled"
        );
        return None;
    }
    let pseudonymiser = match Pseudonymiser::load(path) {
        Ok(p) => p,
        Err(e) => {
            tracing::warn!(error = %e, "key file unusable: hemhämtning (microdata downloads) is disabled");
            return None;
        }
    };
    if let Err(e) = hub
        .ensure_key_version(pseudonymiser.key_version(), &pseudonymiser.fingerprint())
        .await
    {
        tracing::warn!(error = %e, "key file does not match the catalogue: hemhämtning (microdata downloads) is disabled");
        return None;
    }
    Some(pseudonymiser)
}
