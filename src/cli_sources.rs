//! `vardhub sources import FILE --source ID [--json] [--lang sv|en]`, `vardhub sources list
//! [--json]` and `vardhub sources confirm SOURCE VERSION`: track A imports of external indicator
//! values, thin calls into [`vardhub_ops::sources`].
//!
//! Exit codes of `import`: 0 accepted, 1 rejected or held (the report says why), 2 usage or
//! system error.

use super::{Cli, keys, say};
use crate::cli::LangArg;
use anyhow::{Context, Result};
use clap::Subcommand;
use std::path::PathBuf;
use std::process::ExitCode;
use vardhub_ingest::Lang;
use vardhub_ingest::external::ReadOptions;
use vardhub_ops::sources;
use vardhub_store::DeliveryStatus;

/// `vardhub sources …`.
#[derive(Debug, Subcommand)]
pub(crate) enum SourcesCommand {
    /// Importera en fil med externa indikatorvärden (semikolon-CSV, UTF-8 eller Windows-1252) /
    /// import a file of external indicator values.
    ///
    /// Exit code 0: accepted; 1: rejected or held; 2: usage or system error.
    Import {
        /// Filen / the file.
        file: PathBuf,
        /// Källa (id eller namn, t.ex. socialstyrelsen) / source (id or name).
        #[arg(long)]
        source: String,
        /// Skriv rapporten som JSON / print the report as JSON.
        #[arg(long)]
        json: bool,
        /// Språk för sammanfattningen / language of the summary.
        #[arg(long, default_value = "sv")]
        lang: LangArg,
        /// Största andel felaktiga rader innan filen avvisas / largest share of bad rows before
        /// the file is rejected.
        #[arg(long = "max-error-share", default_value_t = 0.10)]
        max_error_share: f64,
        /// Vem som importerar (standard: inloggningsnamnet) / who imports it.
        #[arg(long)]
        by: Option<String>,
    },
    /// Lista källorna, deras versioner och indikatorer / list the sources, their versions and
    /// indicators.
    List {
        /// JSON.
        #[arg(long)]
        json: bool,
    },
    /// Bekräfta en vilande version (den blev mycket mindre än den gällande) / confirm a held
    /// version.
    Confirm {
        /// Källa / source.
        source: String,
        /// Version.
        version: u32,
        /// Vem som bekräftar / who confirms it.
        #[arg(long)]
        by: Option<String>,
    },
}

fn actor(by: Option<&str>) -> String {
    by.map(str::to_owned)
        .or_else(|| std::env::var("USER").ok())
        .unwrap_or_else(|| "operatör".into())
}

/// Run a `sources` command.
pub(crate) async fn run(cli: &Cli, action: &SourcesCommand) -> Result<ExitCode> {
    let (hub, _) = keys::open_hub(cli).await?;
    super::init_logging(&cli.data);
    let code = match action {
        SourcesCommand::Import {
            file,
            source,
            json,
            lang,
            max_error_share,
            by,
        } => {
            let bytes = std::fs::read(file).with_context(|| file.display().to_string())?;
            let name = file.file_name().map_or_else(
                || file.display().to_string(),
                |n| n.to_string_lossy().into_owned(),
            );
            let opts = ReadOptions {
                max_error_share: *max_error_share,
            };
            let report =
                sources::import(&hub, &name, &bytes, source, &actor(by.as_deref()), &opts).await?;
            if *json {
                say(format_args!("{}", serde_json::to_string_pretty(&report)?));
            } else {
                say(format_args!("{}", report.summary(Lang::from(*lang))));
            }
            match report.status {
                DeliveryStatus::Accepted | DeliveryStatus::AcceptedWithWarnings => {
                    ExitCode::SUCCESS
                }
                DeliveryStatus::Rejected | DeliveryStatus::Held => ExitCode::from(1),
            }
        }
        SourcesCommand::List { json } => {
            let list = sources::listing(&hub).await?;
            if *json {
                say(format_args!("{}", serde_json::to_string_pretty(&list)?));
            } else {
                for s in &list {
                    let current = s
                        .current_version
                        .map_or_else(|| "-".to_owned(), |v| format!("v{v}"));
                    say(format_args!(
                        "{} ({}): {} {}, {} {current}",
                        s.id,
                        s.name_sv,
                        s.versions.len(),
                        "versioner / versions",
                        "gällande / current"
                    ));
                    for i in &s.indicators {
                        say(format_args!(
                            "  {} ({}): {} rader / rows",
                            i.id, i.name, i.rows
                        ));
                    }
                }
            }
            ExitCode::SUCCESS
        }
        SourcesCommand::Confirm {
            source,
            version,
            by,
        } => {
            sources::confirm(&hub, source, *version, &actor(by.as_deref())).await?;
            say(format_args!("{source} v{version} är gällande / is current"));
            ExitCode::SUCCESS
        }
    };
    hub.close().await;
    Ok(code)
}
