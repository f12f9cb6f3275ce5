//! `vardhub indicators list | compute | show`.

use super::say;
use anyhow::{Context, Result, bail};
use chrono::{DateTime, Utc};
use std::path::Path;
use std::process::ExitCode;
use vardhub_engine::definitions::Definitions;
use vardhub_engine::indicator::Recipe;
use vardhub_engine::indicator::{ResultRow, View, publish_released, results};
use vardhub_ops::OpsError;
use vardhub_ops::runs::RunRequest;
use vardhub_store::{Hub, RunKind};

/// `indicators list`.
pub(crate) fn list(defs: &Definitions) -> ExitCode {
    for r in defs.recipes().values() {
        let s = &r.spec;
        say(format_args!(
            "{:<28} v{:<6} {:<16} {:<10} {}",
            s.id,
            s.version,
            r.hash,
            format!("{:?}", s.unit).to_lowercase(),
            s.title.sv
        ));
    }
    ExitCode::SUCCESS
}

/// `indicators compute [--indicator ID] [--as-of TIME]`: an official run
/// ([`vardhub_ops::runs::compute_and_store`]) and what it took.
pub(crate) async fn compute_run(
    hub: &Hub,
    defs: &Definitions,
    only: Option<&str>,
    as_of: Option<&str>,
) -> Result<ExitCode> {
    let started = vardhub_store::now_utc();
    let as_of: Option<DateTime<Utc>> = as_of
        .map(|t| DateTime::parse_from_rfc3339(t).map(|t| t.with_timezone(&Utc)))
        .transpose()
        .context("--as-of: RFC 3339, e.g. 2024-05-01T00:00:00Z")?;
    let request = RunRequest {
        kind: RunKind::Official,
        only: only.map(str::to_owned),
        as_of,
        trigger: match only {
            Some(id) => format!("vardhub indicators compute --indicator {id}"),
            None => "vardhub indicators compute".into(),
        },
    };
    let stored = vardhub_ops::runs::compute_and_store(hub, defs, &request).await?;
    let (run, released, disclosure_secs) = (&stored.run, &stored.released, stored.disclosure_secs);
    let computed = &stored;
    let inputs = stored.inputs;
    say(format_args!(
        "Beräkning {} / run: {} rader från {} leveranser (läst per {})",
        run.id, run.rows, inputs, run.as_of
    ));
    say(format_args!(
        "{:<28} {:>10} {:>10}",
        "indikator", "ms", "finrader"
    ));
    for (id, t, n) in &computed.timings {
        say(format_args!(
            "{:<28} {:>10.1} {:>10}",
            id,
            t.as_secs_f64() * 1000.0,
            n
        ));
    }
    for id in &computed.without_data {
        say(format_args!("{id:<28} inga data / no data"));
    }
    say(format_args!(
        "resultat / results: {} (sha256 {})",
        run.result_path.display(),
        run.result_sha256
    ));
    let policy = defs.policy();
    let public = publish_released(defs, &computed.rows, &run.id, &View::Public, released)?;
    let mut by_status: std::collections::BTreeMap<&str, usize> = std::collections::BTreeMap::new();
    for v in &public {
        *by_status.entry(v.status.label_sv()).or_default() += 1;
    }
    say(format_args!(
        "röjandekontroll / disclosure control ({} v{}, mot tidigare utgåvor / against earlier releases): {} publicerade värden på {:.1} s",
        policy.id(),
        policy.version(),
        public.len(),
        disclosure_secs
    ));
    for (status, n) in by_status {
        say(format_args!("   {status}: {n}"));
    }
    say(format_args!(
        "total tid / total time: {:.1} s",
        (vardhub_store::now_utc() - started).num_milliseconds() as f64 / 1000.0
    ));
    Ok(ExitCode::SUCCESS)
}

/// `indicators show ID [--region R] [--period P]` from the latest run (unsuppressed: an operator view).
pub(crate) async fn show(
    hub: &Hub,
    defs: &Definitions,
    id: &str,
    region: Option<&str>,
    period: Option<&str>,
) -> Result<ExitCode> {
    let recipe = defs
        .recipe(id)
        .with_context(|| format!("okänd indikator / unknown indicator {id}"))?;
    let latest = hub.latest_official_run().await?;
    let Some(run) = latest.as_ref() else {
        bail!("ingen beräkning ännu; kör `vardhub indicators compute` / no run yet");
    };
    let rows: Vec<ResultRow> = results::read_file(&run.result_path)?
        .into_iter()
        .filter(|r| r.indicator == id)
        .filter(|r| region.is_none_or(|x| r.region == x))
        .filter(|r| period.is_none_or(|x| r.period == x))
        .filter(|r| region.is_some() || (r.kon == "alla" && r.aldersgrupp == "alla"))
        .collect();
    print_rows(recipe, &run.id, &rows);
    Ok(ExitCode::SUCCESS)
}

/// A recipe's header and its rows as a table (unsuppressed: an operator's view).
fn print_rows(recipe: &Recipe, run_label: &str, rows: &[ResultRow]) {
    let s = &recipe.spec;
    say(format_args!(
        "{} — {}\n{}\nKälla: {} · version {} · hash {} · beräkning {}",
        s.id, s.title.sv, s.description.sv, s.source, s.version, recipe.hash, run_label
    ));
    if let Some(t) = &s.target {
        say(format_args!("Målnivå: {} ({})", t.value, t.sv));
    }
    say(format_args!(
        "{:<7} {:<3} {:<5} {:<6} {:>9} {:>10} {:>9} {:>19} {:>9} {:<12}",
        "period",
        "reg",
        "kön",
        "ålder",
        "täljare",
        "nämnare",
        "värde",
        "95 % KI",
        "riket",
        "jmf riket"
    ));
    for r in rows {
        let v = r.standardised.or(r.value);
        let (lo, hi) = if r.standardised.is_some() {
            (r.standardised_lower, r.standardised_upper)
        } else {
            (r.lower, r.upper)
        };
        let ci = match (lo, hi) {
            (Some(l), Some(h)) => format!("{l:.3}–{h:.3}"),
            _ => String::new(),
        };
        say(format_args!(
            "{:<7} {:<3} {:<5} {:<6} {:>9.0} {:>10.1} {:>9} {:>19} {:>9} {:<12}",
            r.period,
            r.region,
            r.kon,
            r.aldersgrupp,
            r.numerator,
            r.denominator,
            v.map_or("–".into(), |v| format!("{v:.3}")),
            ci,
            r.national_value.map_or("–".into(), |v| format!("{v:.3}")),
            r.flags.map_or("", |f| f.at_95.label_sv()),
        ));
    }
}

/// `indicators try FILE`: check a draft recipe against the definitions (every mistake with file,
/// line and field), compute it on the lake and show its **unsuppressed** values for all regions
/// and Sweden (both sexes, all ages). Stored as a run of kind draft: never released, never served.
pub(crate) async fn try_recipe(hub: &Hub, defs: &Definitions, file: &Path) -> Result<ExitCode> {
    let text = std::fs::read_to_string(file).with_context(|| file.display().to_string())?;
    let shown = file.display().to_string();
    let (recipe, stored) = match vardhub_ops::runs::try_recipe(hub, defs, &shown, &text).await {
        Ok(done) => done,
        Err(OpsError::Mistakes(findings)) => {
            for f in &findings {
                say(format_args!("{f}"));
            }
            say(format_args!("{} fel / mistakes", findings.len()));
            return Ok(ExitCode::from(1));
        }
        Err(e) => return Err(e.into()),
    };
    let rows: Vec<ResultRow> = stored
        .rows
        .into_iter()
        .filter(|r| r.kon == "alla" && r.aldersgrupp == "alla")
        .collect();
    say(format_args!(
        "UTKAST – opublicerat, utan röjandekontroll / DRAFT – unpublished, without disclosure control"
    ));
    print_rows(
        &recipe,
        &format!("{} (utkast / draft)", stored.run.id),
        &rows,
    );
    Ok(ExitCode::SUCCESS)
}
