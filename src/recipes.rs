//! `vardhub recipes submit | review | approve | retire | draft | list`: indicator recipes on a
//! running hub, without a new release. A submitted recipe is checked against the hub's
//! definitions (every mistake with file, line and field) and enters as a draft; it moves
//! draft → review → approved → retired, each step recorded with who, when and why (and audited).
//! Official runs compute the definitions' recipes plus the approved ones.

use super::say;
use anyhow::{Context, Result};
use std::path::Path;
use std::process::ExitCode;
use vardhub_engine::definitions::Definitions;
use vardhub_ops::OpsError;
use vardhub_store::{Hub, RecipeStatus};

/// Who acts: `--by`, else the login name.
pub(crate) fn actor(by: Option<&str>) -> String {
    by.map(str::to_owned)
        .or_else(|| std::env::var("USER").ok())
        .unwrap_or_else(|| "operatör".into())
}

/// `recipes submit FILE` ([`vardhub_ops::recipes::submit`]).
pub(crate) async fn submit(
    hub: &Hub,
    defs: &Definitions,
    file: &Path,
    actor: &str,
) -> Result<ExitCode> {
    let text = std::fs::read_to_string(file).with_context(|| file.display().to_string())?;
    let shown = file.display().to_string();
    let stored = match vardhub_ops::recipes::submit(hub, defs, &shown, &text, actor).await {
        Ok(stored) => stored,
        Err(OpsError::Mistakes(findings)) => {
            for f in &findings {
                say(format_args!("{f}"));
            }
            say(format_args!(
                "{} fel / mistakes: inte inlämnat / not submitted",
                findings.len()
            ));
            return Ok(ExitCode::from(1));
        }
        Err(e) => return Err(e.into()),
    };
    say(format_args!(
        "{} v{} ({}) inlämnat som utkast av {} / submitted as a draft",
        stored.id, stored.version, stored.hash, stored.submitted_by
    ));
    Ok(ExitCode::SUCCESS)
}

/// `recipes review|approve|retire|draft ID`.
pub(crate) async fn move_to(
    hub: &Hub,
    hash_or_id: &str,
    to: RecipeStatus,
    actor: &str,
    note: &str,
) -> Result<ExitCode> {
    let r = hub.move_recipe(hash_or_id, to, actor, note).await?;
    say(format_args!(
        "{} v{} ({}): {} ({actor})",
        r.id,
        r.version,
        r.hash,
        r.status.as_str()
    ));
    Ok(ExitCode::SUCCESS)
}

/// `recipes list`: every submitted recipe and its steps.
pub(crate) async fn list(hub: &Hub) -> Result<ExitCode> {
    for r in hub.recipes().await? {
        say(format_args!(
            "{:<28} v{:<6} {:<16} {:<9} {} {}",
            r.id,
            r.version,
            r.hash,
            r.status.as_str(),
            r.submitted_by,
            r.submitted_at
        ));
        for e in hub.recipe_events(&r.hash).await? {
            say(format_args!(
                "    {} {:<9} {} {}",
                e.at,
                e.status.as_str(),
                e.actor,
                e.note
            ));
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The definitions with the hub's approved recipes; recipes that no longer check are named.
pub(crate) async fn with_approved(defs: Definitions, hub: &Hub) -> Result<Definitions> {
    let (defs, findings) = vardhub_ops::recipes::with_approved(defs, hub).await?;
    for f in &findings {
        say(format_args!(
            "varning / warning: godkänt recept används inte / approved recipe not used: {f}"
        ));
    }
    Ok(defs)
}
