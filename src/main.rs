//! `vardhub`: the command line of Vårddatahubben. A thin layer over the library crates: it parses
//! flags once, calls the libraries, prints, and picks the exit code in one place.

use anyhow::{Context, Result};
use clap::Parser;
use indicatif::{MultiProgress, ProgressBar, ProgressStyle};
use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use vardhub_domain::RegionCode;
use vardhub_ingest::{IngestOptions, Progress, Pseudonymiser};
use vardhub_store::{DeliveryFilter, Hub, RecipeStatus};

use cli::{
    AnalysisCommand, AuditCommand, Command, DefinitionsCommand, DeliveriesCommand,
    IndicatorCommand, KeysCommand, RecipesCommand, Step,
};

mod analyses;
mod audit_review;
mod cli;
mod cli_inbox;
mod cli_sources;
mod definitions;
mod demo;
mod demo_centre;
mod fees;
mod indicators;
mod keys;
mod outputs;
mod recipes;
mod research;
mod scenario;
mod serve;
mod users;

/// Vårddatahubben – regionernas gemensamma hälsodatahubb / the regions' shared health-data hub.
#[derive(Debug, Parser)]
#[command(name = "vardhub", version, about)]
struct Cli {
    /// Hubbens datakatalog / the hub's data directory.
    #[arg(
        long,
        global = true,
        env = "VARDHUB_DATA",
        default_value = "./vardhub-data"
    )]
    data: PathBuf,
    /// Hubbens nyckelkatalog (utanför datakatalogen) / the hub's key folder (outside the data
    /// directory). Default: $XDG_CONFIG_HOME/vardhub/<hubb-id> (~/.config/vardhub/<hub id>).
    #[arg(long, global = true, env = "VARDHUB_KEY_DIR")]
    key_dir: Option<PathBuf>,
    /// Huvudnyckelfil för pseudonymisering (utanför datakatalogen) / master key file for
    /// pseudonymisation (outside the data directory). Default: KEY_DIR/master.key.
    #[arg(long, global = true, env = "VARDHUB_KEY_FILE")]
    key_file: Option<PathBuf>,
    /// Definitionskatalog (specs/, indicators/, policies/) i stället för de inbyggda /
    /// definitions folder instead of the built-in set.
    #[arg(long, global = true, env = "VARDHUB_DEFINITIONS")]
    definitions: Option<PathBuf>,
    /// Röjandepolicy (TOML) i stället för definitionernas / disclosure policy file instead of the
    /// definitions' own.
    #[arg(long, global = true, env = "VARDHUB_DISCLOSURE_POLICY")]
    disclosure_policy: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

/// Actions on one delivery.
fn main() -> ExitCode {
    // Everything this process creates is private to its user (the store also sets explicit modes).
    rustix::process::umask(rustix::fs::Mode::from_raw_mode(0o077));
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("fel / error: {e}");
            return ExitCode::from(2);
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("fel / error: {e:#}");
            ExitCode::from(2)
        }
    }
}

/// Write structured logs (no personal data is ever logged) to DATA/logs/vardhub.log.
fn init_logging(data: &Path) {
    use tracing_subscriber::{EnvFilter, fmt, prelude::*};
    let file = vardhub_store::private::create_dir_all(&data.join("logs"))
        .and_then(|()| vardhub_store::private::append_file(&data.join("logs").join("vardhub.log")))
        .ok();
    let file_layer = file.map(|f| fmt::layer().json().with_writer(std::sync::Mutex::new(f)));
    let stderr_layer = fmt::layer()
        .with_writer(std::io::stderr)
        .with_target(false)
        .with_filter(
            EnvFilter::try_from_env("VARDHUB_LOG").unwrap_or_else(|_| EnvFilter::new("warn")),
        );
    let _ = tracing_subscriber::registry()
        .with(file_layer.with_filter(EnvFilter::new("info")))
        .with(stderr_layer)
        .try_init();
}

async fn run(cli: Cli) -> Result<ExitCode> {
    let data = cli.data.clone();
    let defs = || definitions::load(cli.definitions.as_deref(), cli.disclosure_policy.as_deref());
    match &cli.command {
        Command::Init { synthetic } => {
            let (hub, dir) = keys::init_hub(&cli, *synthetic).await?;
            init_logging(&data);
            tracing::info!(synthetic, "hub created");
            hub.close().await;
            say(format_args!(
                "Hubb skapad i {} ({}). Nycklar (utanför datakatalogen): {}\nHub created in {}; keys (outside the data directory) in {}.",
                data.display(),
                if *synthetic {
                    "syntetiska data"
                } else {
                    "riktiga data"
                },
                dir.display(),
                data.display(),
                dir.display()
            ));
            Ok(ExitCode::SUCCESS)
        }
        Command::Ingest {
            paths,
            json,
            as_region,
            lang,
            quiet,
            no_compute,
        } => {
            // A path that is not there is the operator's mistake (exit 2), not a rejected delivery.
            for p in paths {
                std::fs::metadata(p).with_context(|| {
                    format!("{}: ingen sådan leverans / no such delivery", p.display())
                })?;
            }
            let (hub, dir) = keys::open_hub(&cli).await?;
            init_logging(&data);
            let pseudonymiser = Pseudonymiser::load(&keys::master_key(&cli, &dir)?)?;
            let expect_region = as_region
                .as_deref()
                .map(RegionCode::parse)
                .transpose()
                .map_err(|e| anyhow::anyhow!("--as-region: {e}"))?;
            let options = IngestOptions {
                actor: std::env::var("USER").unwrap_or_else(|_| "cli".into()),
                expect_region,
                specs: Some(Arc::new(defs()?.specs().clone())),
            };
            let lock = hub.lock_writer().await?;
            let mut all_accepted = true;
            let mut published: BTreeSet<String> = BTreeSet::new();
            let mut published_ids: Vec<String> = Vec::new();
            let mut reports = Vec::new();
            let bars = MultiProgress::new();
            let hidden = *quiet || *json;
            let mut failed_json = None;
            vardhub_ingest::ingest_in_order(
                &hub,
                &lock,
                paths,
                &Arc::new(pseudonymiser),
                &options,
                std::thread::available_parallelism().map_or(1, |n| n.get()),
                |_| Arc::new(BarProgress::new(hidden, &bars)),
                |_, outcome| {
                    tracing::info!(
                        delivery = outcome.report.delivery_id.as_deref().unwrap_or("-"),
                        status = ?outcome.report.status,
                        "delivery ingested"
                    );
                    all_accepted &= outcome.accepted();
                    if outcome.accepted() {
                        published.extend(outcome.report.collection.clone());
                        published_ids.extend(outcome.report.delivery_id.clone());
                    }
                    if *json {
                        match serde_json::to_value(&outcome.report) {
                            Ok(v) => reports.push(v),
                            Err(e) => failed_json = Some(e),
                        }
                    } else {
                        bars.suspend(|| {
                            say(format_args!("{}", outcome.report.summary((*lang).into())))
                        });
                    }
                },
            )
            .await
            .context("ingest")?;
            bars.clear().ok();
            if let Some(e) = failed_json {
                return Err(e.into());
            }
            if *json {
                say(format_args!("{}", serde_json::to_string_pretty(&reports)?));
            }
            drop(lock);
            // Computation follows the data: the indicators reading what was published.
            if !published.is_empty() && !no_compute {
                let defs = recipes::with_approved(defs()?, &hub).await?;
                let trigger = format!("vardhub ingest {}", published_ids.join(" "));
                let started = std::time::Instant::now();
                if let Some(run) =
                    vardhub_ops::runs::recompute_after_ingest(&hub, &defs, &trigger).await?
                    && !*json
                {
                    say(format_args!(
                        "Ny beräkning / new run {} ({} indikatorer beräknade på nytt / recomputed: {}; \
                         {} av dem bara där de nya leveranserna kan ändra något / {} of them only \
                         where the new deliveries can change something) på / in {:.1} s \
                         (frågor / queries {:.1} s, röjandekontroll / disclosure control {:.1} s)",
                        run.run.id,
                        run.timings.len(),
                        run.timings
                            .iter()
                            .map(|(id, _, _)| id.as_str())
                            .collect::<Vec<_>>()
                            .join(", "),
                        run.partly_queried.len(),
                        run.partly_queried.len(),
                        started.elapsed().as_secs_f64(),
                        run.timings
                            .iter()
                            .map(|(_, t, _)| t.as_secs_f64())
                            .sum::<f64>(),
                        run.disclosure_secs,
                    ));
                }
            }
            hub.close().await;
            Ok(if all_accepted {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
        Command::Deliveries {
            action: Some(DeliveriesCommand::Confirm { delivery_id }),
            ..
        } => {
            let hub = Hub::open(&data).await?;
            let lock = hub.lock_writer().await?;
            let actor = std::env::var("USER").unwrap_or_else(|_| "cli".into());
            hub.confirm_held(&lock, delivery_id, &actor).await?;
            drop(lock);
            hub.close().await;
            say(format_args!(
                "{delivery_id} är bekräftad och publicerad / is confirmed and published"
            ));
            Ok(ExitCode::SUCCESS)
        }
        Command::Deliveries {
            region,
            collection,
            json,
            action: None,
        } => {
            let hub = Hub::open(&data).await?;
            let filter = DeliveryFilter {
                region: region.clone(),
                collection: collection.clone(),
            };
            let list = hub.deliveries(&filter).await?;
            if *json {
                say(format_args!("{}", serde_json::to_string_pretty(&list)?));
            } else {
                let mut out = String::from(
                    "leverans                                 status                  aktuell  rader      fel    varn.  mottagen\n",
                );
                for d in &list {
                    out.push_str(&format!(
                        "{:<40} {:<23} {:<8} {:>9} {:>6} {:>6}  {}\n",
                        d.id,
                        d.status.label_sv(),
                        if d.current { "ja" } else { "" },
                        d.rows_published,
                        d.errors,
                        d.warnings,
                        d.received_at
                    ));
                }
                out.push_str(&format!("{} leveranser / deliveries", list.len()));
                say(format_args!("{out}"));
            }
            hub.close().await;
            Ok(ExitCode::SUCCESS)
        }
        Command::Report {
            delivery_id,
            json,
            lang,
        } => {
            let hub = Hub::open(&data).await?;
            let Some((_, report)) = hub.delivery(delivery_id).await? else {
                eprintln!("okänd leverans / unknown delivery: {delivery_id}");
                return Ok(ExitCode::from(2));
            };
            if *json {
                say(format_args!("{report}"));
            } else {
                let report: vardhub_ingest::ValidationReport =
                    serde_json::from_str(&report).context("stored report does not parse")?;
                say(format_args!("{}", report.summary((*lang).into())));
            }
            hub.close().await;
            Ok(ExitCode::SUCCESS)
        }
        Command::Specs { id } => {
            let specs = vardhub_domain::spec::builtin();
            match id {
                None => {
                    for s in specs.values() {
                        say(format_args!("{:<15} {:<8} {}", s.id, s.version, s.title.sv));
                    }
                }
                Some(id) => {
                    let s = specs
                        .get(id)
                        .with_context(|| format!("okänd samling / unknown collection {id}"))?;
                    say(format_args!("{}", serde_json::to_string_pretty(s)?));
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Definitions {
            action: DefinitionsCommand::Check { dir },
        } => Ok(definitions::check(dir)),
        Command::Recipes { action } => {
            let defs = defs()?;
            let (hub, _) = keys::open_hub(&cli).await?;
            init_logging(&data);
            let step = |s: &Step, to| {
                (
                    s.recipe.clone(),
                    to,
                    recipes::actor(s.by.as_deref()),
                    s.note.clone(),
                )
            };
            let code = match action {
                RecipesCommand::Submit { file, by } => {
                    recipes::submit(&hub, &defs, file, &recipes::actor(by.as_deref())).await?
                }
                RecipesCommand::List => recipes::list(&hub).await?,
                RecipesCommand::Review(s)
                | RecipesCommand::Approve(s)
                | RecipesCommand::Draft(s)
                | RecipesCommand::Retire(s) => {
                    let to = match action {
                        RecipesCommand::Review(_) => RecipeStatus::Review,
                        RecipesCommand::Approve(_) => RecipeStatus::Approved,
                        RecipesCommand::Draft(_) => RecipeStatus::Draft,
                        _ => RecipeStatus::Retired,
                    };
                    let (recipe, to, by, note) = step(s, to);
                    recipes::move_to(&hub, &recipe, to, &by, &note).await?
                }
            };
            hub.close().await;
            Ok(code)
        }
        Command::Analyses { action } => match action {
            AnalysisCommand::List => Ok(analyses::list(&defs()?)),
            AnalysisCommand::Run { id, region, json } => {
                let defs = defs()?;
                let (hub, _) = keys::open_hub(&cli).await?;
                init_logging(&data);
                let code = analyses::run(&hub, &defs, id, region.as_deref(), *json).await?;
                hub.close().await;
                Ok(code)
            }
        },
        Command::Indicators { action } => match action {
            IndicatorCommand::List => Ok(indicators::list(&defs()?)),
            IndicatorCommand::Compute { indicator, as_of } => {
                let (hub, _) = keys::open_hub(&cli).await?;
                let defs = recipes::with_approved(defs()?, &hub).await?;
                init_logging(&data);
                let code =
                    indicators::compute_run(&hub, &defs, indicator.as_deref(), as_of.as_deref())
                        .await?;
                hub.close().await;
                Ok(code)
            }
            IndicatorCommand::Try { file } => {
                let defs = defs()?;
                let (hub, _) = keys::open_hub(&cli).await?;
                init_logging(&data);
                let code = indicators::try_recipe(&hub, &defs, file).await?;
                hub.close().await;
                Ok(code)
            }
            IndicatorCommand::Show { id, region, period } => {
                let defs = defs()?;
                let hub = Hub::open(&data).await?;
                let code =
                    indicators::show(&hub, &defs, id, region.as_deref(), period.as_deref()).await?;
                hub.close().await;
                Ok(code)
            }
        },
        Command::Audit {
            action: AuditCommand::Verify,
        } => {
            let (hub, _) = keys::open_hub(&cli).await?;
            let result = hub.verify_audit().await?;
            hub.close().await;
            match result {
                Ok(n) => {
                    say(format_args!(
                        "granskningsloggen är hel: {n} poster / audit log intact: {n} entries"
                    ));
                    Ok(ExitCode::SUCCESS)
                }
                Err(e) => {
                    eprintln!("{e}");
                    Ok(ExitCode::from(1))
                }
            }
        }
        Command::Audit {
            action:
                AuditCommand::Review {
                    from,
                    to,
                    region,
                    daily,
                    out,
                },
        } => {
            let (hub, _) = keys::open_hub(&cli).await?;
            let code =
                audit_review::run(&hub, from, to, region.as_deref(), *daily, out.as_deref()).await;
            hub.close().await;
            code
        }
        Command::Synth {
            out,
            scale,
            seed,
            from,
            to,
            encoding,
            defects,
            scenario_los,
            scenario_beds,
            scenario_first_visits,
        } => {
            let scenario = scenario_los
                .as_ref()
                .or(scenario_beds.as_ref())
                .or(scenario_first_visits.as_ref());
            let opts = vardhub_synth::SynthOptions {
                out: out.clone(),
                scale: *scale,
                seed: *seed,
                from: parse_period(from)?,
                to: parse_period(to)?,
                encoding: (*encoding).into(),
                defects: *defects,
            };
            let summary = synthesize_with(&opts, scenario)?;
            say(format_args!(
                "{} leveranser, {} rader, {:.1} MB, {} personer på {:.1} s ({:.0} rader/s) i {}\n{} deliveries written; truth in {}",
                summary.deliveries,
                summary.rows,
                summary.bytes as f64 / 1e6,
                summary.people,
                summary.seconds,
                summary.rows as f64 / summary.seconds.max(1e-9),
                out.display(),
                summary.deliveries,
                out.join("truth.json").display()
            ));
            Ok(ExitCode::SUCCESS)
        }
        Command::Demo {
            scale,
            from,
            to,
            keep_deliveries,
            addr,
            no_serve,
        } => {
            demo::run(
                &cli,
                *scale,
                parse_period(from)?,
                parse_period(to)?,
                *keep_deliveries,
                (!*no_serve).then_some(*addr),
            )
            .await
        }
        Command::Serve {
            addr,
            release_keys,
            secure_cookies,
        } => {
            let defs = defs()?;
            let (hub, dir) = keys::open_hub(&cli).await?;
            init_logging(&data);
            let release = keys::release_keys(&cli, &hub, &dir, release_keys.as_deref())
                .await?
                .map(Arc::new);
            serve::serve(hub, defs, *addr, *secure_cookies, release).await
        }
        Command::Keys { action } => match action {
            KeysCommand::ExportRelease { out } => keys::export_release(&cli, out.as_deref()).await,
            KeysCommand::Path => keys::path(&cli).await,
        },
        Command::Users { action } => {
            let (hub, _) = keys::open_hub(&cli).await?;
            let code = users::run(&hub, action).await;
            hub.close().await;
            code
        }
        Command::Fees { action } => {
            let defs = defs()?;
            let (hub, _) = keys::open_hub(&cli).await?;
            init_logging(&data);
            let code = fees::run(&hub, &defs, action).await;
            hub.close().await;
            code
        }
        Command::Outputs { action } => {
            let defs = defs()?;
            let (hub, _) = keys::open_hub(&cli).await?;
            init_logging(&data);
            let code = outputs::run(&hub, &defs, action).await;
            hub.close().await;
            code
        }
        Command::Gc { older_than_days } => {
            let (hub, _) = keys::open_hub(&cli).await?;
            init_logging(&data);
            let lock = hub.lock_writer().await?;
            let before = vardhub_store::now_utc() - chrono::Duration::days(*older_than_days);
            let removed = hub.gc(&lock, before).await?;
            say(format_args!(
                "{} versioner borttagna / versions removed",
                removed.len()
            ));
            hub.close().await;
            Ok(ExitCode::SUCCESS)
        }
        Command::Research { action } => research::run(&cli, action).await,
        Command::Inbox { action } => cli_inbox::run(&cli, action).await,
        Command::Sources { action } => cli_sources::run(&cli, action).await,
        Command::Scenario { action } => {
            let (hub, _) = keys::open_hub(&cli).await?;
            init_logging(&data);
            let code = scenario::run(&hub, action).await;
            hub.close().await;
            code
        }
    }
}

fn parse_period(s: &str) -> Result<vardhub_domain::Period> {
    vardhub_domain::Period::parse(s)
        .map_err(|e| anyhow::anyhow!("ogiltig månad / invalid month {s}: {e}"))
}

/// Run the generator with a progress bar over deliveries.
fn synthesize(opts: &vardhub_synth::SynthOptions) -> Result<vardhub_synth::SynthSummary> {
    synthesize_with(opts, None)
}

/// [`synthesize`] with a what-if change applied to the generator's parameters.
fn synthesize_with(
    opts: &vardhub_synth::SynthOptions,
    scenario: Option<&vardhub_synth::ScenarioChange>,
) -> Result<vardhub_synth::SynthSummary> {
    struct Bar(ProgressBar);
    impl vardhub_synth::SynthProgress for Bar {
        fn delivery_done(&self, name: &str) {
            self.0.set_message(name.to_owned());
            self.0.inc(1);
        }
    }
    let bar = ProgressBar::new(opts.delivery_count() as u64);
    bar.set_style(
        ProgressStyle::with_template("syntes {msg:28} [{bar:30}] {pos}/{len} {eta}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    let bar = Bar(bar);
    let summary = vardhub_synth::generate_scenario(opts, scenario, &bar)?;
    bar.0.finish_and_clear();
    Ok(summary)
}

/// Print a line to stdout (the one place the CLI writes results).
fn say(args: std::fmt::Arguments<'_>) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{args}");
}

/// An indicatif progress bar over the bytes of a delivery's files.
struct BarProgress {
    bar: ProgressBar,
}

impl BarProgress {
    /// A bar of its own among `bars` (deliveries are read in parallel).
    fn new(hidden: bool, bars: &MultiProgress) -> BarProgress {
        let bar = if hidden {
            ProgressBar::hidden()
        } else {
            bars.add(ProgressBar::new(0))
        };
        bar.set_style(
            ProgressStyle::with_template(
                "{msg:20} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec} {eta}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
        );
        BarProgress { bar }
    }
}

impl Drop for BarProgress {
    fn drop(&mut self) {
        self.bar.finish_and_clear();
    }
}

impl Progress for BarProgress {
    fn start_file(&self, name: &str, bytes: u64) {
        self.bar.set_message(name.to_owned());
        self.bar.set_length(bytes);
        self.bar.set_position(0);
    }
    fn advance(&self, bytes: u64) {
        self.bar.inc(bytes);
    }
}
