//! `vardhub demo`: a synthetic Sweden generated, delivered and ingested end to end on the embedded
//! defaults, with a summary of what the hub accepted, then every indicator computed and published
//! through the disclosure policy.

use super::{Cli, init_logging, keys, say, synthesize};
use anyhow::{Context, Result, bail};
use indicatif::{ProgressBar, ProgressStyle};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;
use vardhub_domain::Period;
use vardhub_ingest::{IngestOptions, NoProgress, Pseudonymiser};
use vardhub_store::{DeliveryStatus, Hub};

/// The track-A example file (`sources/`; made-up numbers in a source's shape).
const EXAMPLE_SOURCE: &[u8] = include_bytes!("../sources/exempel_syntetiskt_socialstyrelsen.csv");

/// Marks a data directory (or delivery folder) as created by the demo, so a rerun may replace it.
const MARKER: &str = ".vardhub-demo";

fn replace_demo_dir(dir: &Path, what: &str) -> Result<()> {
    if !dir.exists() {
        return Ok(());
    }
    if dir.join(MARKER).exists() {
        std::fs::remove_dir_all(dir)
            .with_context(|| format!("removing the previous demo {what}"))?;
        return Ok(());
    }
    if std::fs::read_dir(dir)?.next().is_some() {
        bail!(
            "{} finns redan och skapades inte av demo; välj en annan katalog med --data / {} exists and was not created by the demo",
            dir.display(),
            dir.display()
        );
    }
    Ok(())
}

/// The order deliveries are ingested in: month by month, the population extract first.
fn sort_key(name: &str) -> (String, u8, String) {
    let mut parts = name.rsplitn(3, '-');
    let month = parts.next().unwrap_or_default();
    let year = parts.next().unwrap_or_default();
    let rest = parts.next().unwrap_or_default();
    let order = if rest.starts_with("befolkning") { 0 } else { 1 };
    (format!("{year}-{month}"), order, rest.to_owned())
}

pub(crate) async fn run(
    cli: &Cli,
    scale: f64,
    from: Period,
    to: Period,
    keep: bool,
    serve_at: Option<std::net::SocketAddr>,
) -> Result<ExitCode> {
    let t0 = Instant::now();
    let defs =
        crate::definitions::load(cli.definitions.as_deref(), cli.disclosure_policy.as_deref())?;
    let data = cli.data.clone();
    let inbox: PathBuf = {
        let name = data
            .file_name()
            .map_or("vardhub-data".into(), |n| n.to_string_lossy().into_owned());
        data.with_file_name(format!("{name}-leveranser"))
    };
    let previous_keys = previous_demo_keys(cli).await;
    replace_demo_dir(&data, "hub")?;
    replace_demo_dir(&inbox, "deliveries")?;
    if let Some(dir) = previous_keys {
        std::fs::remove_dir_all(&dir)
            .with_context(|| format!("removing the previous demo's keys in {}", dir.display()))?;
    }

    say(format_args!(
        "Vårddatahubben demo: syntetiskt Sverige (skala {scale}, {from} – {to})\n  hubb: {}\n  leveranser: {}",
        data.display(),
        inbox.display()
    ));
    let (hub, key_dir) = keys::init_hub(cli, true).await?;
    vardhub_store::private::write_file(&data.join(MARKER), "")?;
    vardhub_store::private::write_file(&key_dir.join(MARKER), "")?;
    init_logging(&data);
    let pseudonymiser = Pseudonymiser::load(&keys::master_key(cli, &key_dir)?)?;
    // What the web server gets instead of the master key (also for a later `vardhub serve`).
    let release_keys = Arc::new(pseudonymiser.release_keys());
    let release_file = key_dir.join(keys::RELEASE);
    release_keys.write(&release_file)?;
    say(format_args!(
        "  nycklar / keys (utanför datakatalogen / outside the data directory): {}\n  webbservern får bara / the web server gets only: {}",
        key_dir.display(),
        release_file.display()
    ));

    let t_synth = Instant::now();
    let opts = vardhub_synth::SynthOptions {
        out: inbox.clone(),
        scale,
        seed: 1,
        from,
        to,
        encoding: vardhub_domain::Encoding::Utf8,
        defects: 0.0,
    };
    let summary = synthesize(&opts)?;
    std::fs::write(inbox.join(MARKER), "")?;
    say(format_args!(
        "1. Syntes: {} leveranser, {} rader, {} personer på {:.1} s",
        summary.deliveries,
        summary.rows,
        summary.people,
        t_synth.elapsed().as_secs_f64()
    ));

    let mut deliveries: Vec<PathBuf> = std::fs::read_dir(&inbox)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join("manifest.json").exists())
        .collect();
    deliveries.sort_by_key(|p| sort_key(&p.file_name().unwrap_or_default().to_string_lossy()));
    let t_ingest = Instant::now();
    let bar = ProgressBar::new(deliveries.len() as u64);
    bar.set_style(
        ProgressStyle::with_template("ingest {msg:28} [{bar:30}] {pos}/{len} {eta}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    let options = IngestOptions {
        actor: "demo".into(),
        expect_region: None,
        specs: Some(std::sync::Arc::new(defs.specs().clone())),
    };
    let lock = hub.lock_writer().await?;
    let mut by_status: BTreeMap<&'static str, usize> = BTreeMap::new();
    let mut by_rule: BTreeMap<String, (u64, u64)> = BTreeMap::new();
    let mut rows = 0u64;
    let pseudonymiser = Arc::new(pseudonymiser);
    vardhub_ingest::ingest_in_order(
        &hub,
        &lock,
        &deliveries,
        &pseudonymiser,
        &options,
        std::thread::available_parallelism().map_or(1, |n| n.get()),
        |_| Arc::new(NoProgress),
        |path, outcome| {
            bar.set_message(
                path.file_name()
                    .unwrap_or_default()
                    .to_string_lossy()
                    .into_owned(),
            );
            let r = &outcome.report;
            *by_status.entry(r.status.label_sv()).or_default() += 1;
            rows += r.tables.iter().map(|t| t.rows_valid).sum::<u64>();
            for (rule, c) in &r.counts {
                let e = by_rule.entry(rule.clone()).or_default();
                e.0 += c.errors;
                e.1 += c.warnings;
            }
            bar.inc(1);
        },
    )
    .await?;
    bar.finish_and_clear();
    drop(lock);
    let secs = t_ingest.elapsed().as_secs_f64();
    say(format_args!(
        "2. Ingest: {} leveranser, {rows} rader publicerade på {secs:.1} s ({:.0} rader/s)",
        deliveries.len(),
        rows as f64 / secs.max(1e-9)
    ));
    for (status, n) in &by_status {
        say(format_args!("   {status}: {n}"));
    }
    for (rule, (e, w)) in &by_rule {
        say(format_args!("   regel {rule}: {e} fel, {w} varningar"));
    }

    // Region × collection matrix of the last month: what is current, what is missing.
    let snapshot = hub.snapshot(None, None).await?;
    let last = to.to_string();
    say(format_args!(
        "3. Aktuella leveranser {last} (region × samling; – = saknas):"
    ));
    let collections = ["vardkontakter", "vantetider", "vardplatser"];
    say(format_args!(
        "   region {:>18} {:>11} {:>12}",
        collections[0], collections[1], collections[2]
    ));
    for region in vardhub_domain::RegionCode::all() {
        let cell = |c: &str| {
            snapshot
                .deliveries
                .iter()
                .find(|d| d.collection == c && d.region == region.as_str() && d.period == last)
                .map_or("–".to_owned(), |d| format!("v{}", d.version))
        };
        say(format_args!(
            "   {} {:<26} {:>6} {:>11} {:>12}",
            region.as_str(),
            region.name(),
            cell(collections[0]),
            cell(collections[1]),
            cell(collections[2])
        ));
    }
    let missing = missing_months(&hub, from, to).await?;
    if !missing.is_empty() {
        say(format_args!(
            "   saknade leveranser under perioden: {}",
            missing.join(", ")
        ));
    }
    if !keep {
        std::fs::remove_dir_all(&inbox)?;
    }
    say(format_args!("4. Indikatorer:"));
    crate::indicators::compute_run(&hub, &defs, None, None).await?;
    say(format_args!("   Analyser / analyses:"));
    crate::analyses::run_all(&hub, &defs).await?;
    let rejected = by_status
        .get(DeliveryStatus::Rejected.label_sv())
        .copied()
        .unwrap_or(0);
    say(format_args!(
        "5. Demoanvändare / demo users (token visas bara nu / shown only now):"
    ));
    let users = [
        ("demo-region-13", vardhub_server::Role::Region, Some("13")),
        ("demo-nationell", vardhub_server::Role::National, None),
        ("demo-admin", vardhub_server::Role::Admin, None),
        ("demo-bestallare", vardhub_server::Role::Requester, None),
        ("demo-handlaggare", vardhub_server::Role::CentreStaff, None),
        (
            "demo-beslutsfattare",
            vardhub_server::Role::DecisionMaker,
            None,
        ),
    ];
    for (name, role, region) in users {
        let region = region
            .map(vardhub_domain::RegionCode::parse)
            .transpose()
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        let (_, token) = vardhub_server::auth::add_user(&hub, name, role, region).await?;
        say(format_args!("   {name:<20} {:<10} {token}", role.code()));
    }
    crate::demo_centre::seed(&hub, &defs)
        .await
        .context("kompetenscentrets exempel / the competence centre's examples")?;
    say(format_args!(
        "   Ärenden och ett forskningsprojekt som exempel / example cases and a research project: /arenden, /forskning"
    ));
    // Track A: a developer-made example file of an external source (made-up numbers).
    let example = vardhub_ops::sources::import(
        &hub,
        "exempel_syntetiskt_socialstyrelsen.csv",
        EXAMPLE_SOURCE,
        "socialstyrelsen",
        "demo",
        &vardhub_ingest::external::ReadOptions::default(),
    )
    .await
    .context("spår A-exemplet / the track-A example")?;
    say(format_args!(
        "   En extern källa som exempel (påhittade värden) / an external source as an example (made-up values): {} rader / rows, /kallor, /api/v2/tables",
        example.rows_valid
    ));
    say(format_args!(
        "Klart på {:.1} s. Prova även: vardhub --data {} indicators show vantetid_forsta_besok_90",
        t0.elapsed().as_secs_f64(),
        data.display(),
    ));
    drop(pseudonymiser);
    if let Some(addr) = serve_at {
        crate::serve::serve(hub, defs, addr, false, Some(release_keys)).await?;
    } else {
        hub.close().await;
    }
    Ok(if rejected == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// The key folder of the demo hub in `--data`, when a previous demo made both (its marker is in
/// each): it is replaced together with the hub.
async fn previous_demo_keys(cli: &Cli) -> Option<PathBuf> {
    if !cli.data.join(MARKER).exists() {
        return None;
    }
    let hub = Hub::open(&cli.data).await.ok()?;
    let dir = keys::key_dir(cli, hub.id()).ok();
    hub.close().await;
    dir.filter(|d| d.join(MARKER).exists())
}

/// Region/collection/month combinations without a current delivery.
async fn missing_months(hub: &Hub, from: Period, to: Period) -> Result<Vec<String>> {
    let snapshot = hub.snapshot(None, None).await?;
    let mut missing = Vec::new();
    for period in Period::range(from, to) {
        for collection in ["vardkontakter", "vantetider", "vardplatser"] {
            for region in vardhub_domain::RegionCode::all() {
                let found = snapshot.deliveries.iter().any(|d| {
                    d.collection == collection
                        && d.region == region.as_str()
                        && d.period == period.to_string()
                });
                if !found {
                    missing.push(format!("{collection}-{}-{period}", region.as_str()));
                }
            }
        }
    }
    Ok(missing)
}
