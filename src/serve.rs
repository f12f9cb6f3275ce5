//! `vardhub serve` and `vardhub users add`: thin calls into `vardhub-server`.

use super::say;
use anyhow::{Context, Result};
use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;
use vardhub_domain::RegionCode;
use vardhub_engine::disclosure::DisclosurePolicy;
use vardhub_ingest::ReleaseKeys;
use vardhub_server::{AppState, Role, ServerConfig};
use vardhub_store::Hub;

/// `serve [--addr A]`: until SIGINT/SIGTERM, then finish open requests. Hemhämtning (microdata
/// downloads) needs the regions' `release_keys`; without them the server answers those requests
/// with 503. The server never holds the master key.
pub(crate) async fn serve(
    hub: Hub,
    addr: SocketAddr,
    release_keys: Option<Arc<ReleaseKeys>>,
) -> Result<ExitCode> {
    let config = ServerConfig {
        addr,
        ..ServerConfig::default()
    };
    let mut state = AppState::new(hub.clone(), DisclosurePolicy::default_public(), config);
    if let Some(keys) = release_keys {
        state = state.with_release_keys(keys);
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

/// `users add NAME --role R [--region RR]`: prints the token once.
pub(crate) async fn add_user(
    hub: &Hub,
    name: &str,
    role: &str,
    region: Option<&str>,
) -> Result<ExitCode> {
    let role = Role::parse(role).context("--role: public, region, national, admin")?;
    let region = region
        .map(RegionCode::parse)
        .transpose()
        .map_err(|e| anyhow::anyhow!("--region: {e}"))?;
    let (user, token) = vardhub_server::auth::add_user(hub, name, role, region).await?;
    say(format_args!(
        "Användare {} ({}{}) skapad. Token (visas bara nu / shown only now):\n{token}",
        user.name,
        user.role,
        user.region
            .map(|r| format!(", region {r}"))
            .unwrap_or_default()
    ));
    Ok(ExitCode::SUCCESS)
}
