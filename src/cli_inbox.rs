//! `vardhub inbox run [--once] [--interval S]`: the ingest worker for deliveries uploaded over
//! HTTP. It holds the master key (the server never does), so it is the one that ingests: a loop
//! over [`vardhub_ops::inbox::process_next`], which takes the writer lock, runs the real ingest
//! on the next queued upload for the upload's own region and records its status and report.
//! After a published delivery the indicators are recomputed as after `vardhub ingest` (unless
//! `--no-compute`). `vardhub inbox list REGION` shows a region's uploads.

use super::{Cli, definitions, init_logging, keys, recipes, say};
use anyhow::Result;
use clap::Subcommand;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;
use vardhub_domain::RegionCode;
use vardhub_ops::inbox::{self, Uploader, WorkerOptions};
use vardhub_store::Hub;
use vardhub_store::inbox::UploadStatus;

/// `vardhub inbox …`.
#[derive(Debug, Subcommand)]
pub(crate) enum InboxCommand {
    /// Läs in uppladdade leveranser: en i taget, tills den stoppas (eller en gång med --once)
    /// / ingest uploaded deliveries: one at a time, until stopped (or once with --once).
    ///
    /// Exit code 0: ran (every outcome is recorded with the upload); 2: system error.
    Run {
        /// Bearbeta det som väntar och avsluta / process what waits, then exit.
        #[arg(long)]
        once: bool,
        /// Sekunder mellan kontrollerna när inget väntar / seconds between checks when nothing
        /// waits.
        #[arg(long, default_value_t = 10)]
        interval: u64,
        /// Beräkna inte indikatorerna efter en publicering / do not recompute the indicators
        /// after a publication.
        #[arg(long = "no-compute")]
        no_compute: bool,
    },
    /// Visa en regions uppladdningar / show a region's uploads.
    List {
        /// Länskod / region code (t.ex. 01).
        region: String,
    },
}

/// Run an `inbox` command.
pub(crate) async fn run(cli: &Cli, action: &InboxCommand) -> Result<ExitCode> {
    let (hub, dir) = keys::open_hub(cli).await?;
    init_logging(&cli.data);
    let code = match action {
        InboxCommand::List { region } => {
            let region = RegionCode::parse(region)
                .map_err(|e| anyhow::anyhow!("ogiltig region / invalid region {region}: {e}"))?;
            let who = Uploader {
                user: "operatör",
                region,
            };
            for u in inbox::list(&hub, &who).await? {
                say(format_args!(
                    "{}  {:<10}  {:>12} / {:<12} byte  {}  {}  {}",
                    u.id.as_str(),
                    u.status.as_str(),
                    u.offset,
                    u.size,
                    u.user,
                    u.filename,
                    u.delivery_id.as_deref().unwrap_or("-")
                ));
            }
            ExitCode::SUCCESS
        }
        InboxCommand::Run {
            once,
            interval,
            no_compute,
        } => {
            let defs =
                definitions::load(cli.definitions.as_deref(), cli.disclosure_policy.as_deref())?;
            let pseudonymiser = keys::pseudonymiser(cli, &hub, &dir).await?;
            let options = WorkerOptions {
                specs: Some(Arc::new(defs.specs().clone())),
            };
            loop {
                let mut published = Vec::new();
                while let Some(done) = inbox::process_next(&hub, &pseudonymiser, &options).await? {
                    report(&done);
                    if done.upload.status == UploadStatus::Published {
                        published.extend(done.upload.delivery_id.clone());
                    }
                }
                if !published.is_empty() && !no_compute {
                    recompute(&hub, cli, &published).await?;
                }
                if *once {
                    break;
                }
                tokio::select! {
                    () = tokio::time::sleep(Duration::from_secs((*interval).max(1))) => {}
                    r = tokio::signal::ctrl_c() => {
                        r?;
                        break;
                    }
                }
            }
            ExitCode::SUCCESS
        }
    };
    hub.close().await;
    Ok(code)
}

/// One processed upload: a line for the operator, and the log.
fn report(done: &inbox::Processed) {
    let u = &done.upload;
    tracing::info!(
        upload = u.id.as_str(),
        region = %u.region,
        status = u.status.as_str(),
        delivery = u.delivery_id.as_deref().unwrap_or("-"),
        "upload processed"
    );
    if let Some(e) = &done.hub_error {
        tracing::error!(upload = u.id.as_str(), error = %e, "upload could not be processed");
    }
    say(format_args!(
        "{} (region {}, {}): {}{}{}",
        u.id.as_str(),
        u.region,
        u.filename,
        u.status.as_str(),
        u.delivery_id
            .as_deref()
            .map(|d| format!(" {d}"))
            .unwrap_or_default(),
        done.hub_error
            .as_deref()
            .map(|e| format!(" — {e}"))
            .unwrap_or_default()
    ));
}

/// Computation follows the data, as after `vardhub ingest`.
async fn recompute(hub: &Hub, cli: &Cli, published: &[String]) -> Result<()> {
    let defs = definitions::load(cli.definitions.as_deref(), cli.disclosure_policy.as_deref())?;
    let defs = recipes::with_approved(defs, hub).await?;
    let trigger = format!("vardhub inbox run {}", published.join(" "));
    if let Some(run) = vardhub_ops::runs::recompute_after_ingest(hub, &defs, &trigger).await? {
        say(format_args!(
            "Ny beräkning / new run {} ({} indikatorer / indicators)",
            run.run.id,
            run.timings.len()
        ));
    }
    Ok(())
}
