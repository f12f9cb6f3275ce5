//! Where the CLI finds a hub's keys, and `vardhub keys …`.
//!
//! A hub's secrets live in its key folder, never under the data directory: `--key-dir` /
//! `VARDHUB_KEY_DIR` when given, otherwise `$XDG_CONFIG_HOME/vardhub/<hub id>/` (or
//! `~/.config/vardhub/<hub id>/`). It holds `master.key` (makes lake pseudonyms; ingest only),
//! `audit.key` and `audit-anchors.log` (the keyed audit log and its checkpoints) and, once
//! exported, `release.keys` (the regions' release keys: all the web server gets). `--key-file`
//! still names the master key file. Every path is refused when it lies inside the data directory.

use super::{Cli, say};
use anyhow::{Context, Result};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use vardhub_ingest::{Pseudonymiser, ReleaseKeys};
use vardhub_store::{AuditKey, Hub, HubId, HubLayout, refuse_inside_data};

/// File name of the master key in the key folder.
const MASTER: &str = "master.key";
/// File name of the exported release keys in the key folder (what `serve` reads by default).
pub(crate) const RELEASE: &str = "release.keys";

/// The key folder of hub `id` (see the module documentation); refused inside the data directory.
pub(crate) fn key_dir(cli: &Cli, id: &HubId) -> Result<PathBuf> {
    let dir = match &cli.key_dir {
        Some(dir) => dir.clone(),
        None => {
            let base = std::env::var_os("XDG_CONFIG_HOME")
                .filter(|v| !v.is_empty())
                .map(PathBuf::from)
                .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")))
                .context(
                    "varken --key-dir, VARDHUB_KEY_DIR, XDG_CONFIG_HOME eller HOME är satt / none of --key-dir, VARDHUB_KEY_DIR, XDG_CONFIG_HOME, HOME is set",
                )?;
            base.join("vardhub").join(id.as_str())
        }
    };
    refuse_inside_data(&cli.data, &dir)?;
    Ok(dir)
}

/// The master key file: `--key-file`, or `master.key` in the key folder; refused inside the data
/// directory.
pub(crate) fn master_key(cli: &Cli, dir: &Path) -> Result<PathBuf> {
    let path = cli.key_file.clone().unwrap_or_else(|| dir.join(MASTER));
    refuse_inside_data(&cli.data, &path)?;
    Ok(path)
}

/// Create a hub in `--data` with its keys outside it; returns the hub and its key folder.
pub(crate) async fn init_hub(cli: &Cli, synthetic: bool) -> Result<(Hub, PathBuf)> {
    if HubLayout::new(&cli.data).catalogue().exists() {
        return Err(vardhub_store::StoreError::AlreadyInitialised(cli.data.clone()).into());
    }
    let id = HubId::random();
    let dir = key_dir(cli, &id)?;
    let master = master_key(cli, &dir)?;
    let audit = AuditKey::create(&dir)?;
    if master.exists() {
        Pseudonymiser::load(&master)?;
    } else {
        vardhub_ingest::create_key_file(&master)?;
    }
    let hub = Hub::init(&cli.data, synthetic, id, audit).await?;
    Ok((hub, dir))
}

/// Open the hub in `--data` for writing: with its audit key. Returns the hub and its key folder.
pub(crate) async fn open_hub(cli: &Cli) -> Result<(Hub, PathBuf)> {
    let hub = Hub::open(&cli.data).await?;
    let dir = key_dir(cli, hub.id())?;
    let audit = AuditKey::load(&dir).with_context(|| {
        format!(
            "granskningsnyckeln i {} / the audit key in {} (--key-dir, VARDHUB_KEY_DIR)",
            dir.display(),
            dir.display()
        )
    })?;
    Ok((hub.with_audit_key(audit).await?, dir))
}

/// Load the master key and check it against the catalogue's registration of its version.
pub(crate) async fn pseudonymiser(cli: &Cli, hub: &Hub, dir: &Path) -> Result<Pseudonymiser> {
    let p = Pseudonymiser::load(&master_key(cli, dir)?)?;
    hub.ensure_key_version(p.key_version(), &p.fingerprint())
        .await?;
    Ok(p)
}

/// `keys export-release --out PATH`: write the regions' release keys (all `serve` needs for
/// hemhämtning) to a new file outside the data directory.
pub(crate) async fn export_release(cli: &Cli, out: Option<&Path>) -> Result<ExitCode> {
    let (hub, dir) = open_hub(cli).await?;
    let out = out.map_or_else(|| dir.join(RELEASE), Path::to_owned);
    refuse_inside_data(&cli.data, &out)?;
    let keys = pseudonymiser(cli, &hub, &dir).await?.release_keys();
    keys.write(&out)?;
    hub.close().await;
    say(format_args!(
        "Utlämningsnycklar skrivna till {} (ge dem till `vardhub serve --release-keys`) / release keys written to {}",
        out.display(),
        out.display()
    ));
    Ok(ExitCode::SUCCESS)
}

/// The release keys for `serve`: `--release-keys`, or `release.keys` in the key folder. A missing
/// default file disables hemhämtning (with a warning); a given file that is missing, unusable,
/// the master key, or not derived from the key the catalogue registered is an error.
pub(crate) async fn release_keys(
    cli: &Cli,
    hub: &Hub,
    dir: &Path,
    given: Option<&Path>,
) -> Result<Option<ReleaseKeys>> {
    let path = given.map_or_else(|| dir.join(RELEASE), Path::to_owned);
    refuse_inside_data(&cli.data, &path)?;
    if given.is_none() && !path.exists() {
        tracing::warn!(
            release_keys = %path.display(),
            "no release keys: hemhämtning (microdata downloads) is disabled (vardhub keys export-release)"
        );
        return Ok(None);
    }
    let keys = ReleaseKeys::load(&path)?;
    hub.ensure_key_version(keys.key_version(), keys.fingerprint())
        .await
        .context("utlämningsnycklarna / the release keys")?;
    Ok(Some(keys))
}

/// `keys path`: print the hub's key folder.
pub(crate) async fn path(cli: &Cli) -> Result<ExitCode> {
    let hub = Hub::open(&cli.data).await?;
    let dir = key_dir(cli, hub.id())?;
    hub.close().await;
    say(format_args!("{}", dir.display()));
    Ok(ExitCode::SUCCESS)
}
