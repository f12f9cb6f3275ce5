//! `vardhub definitions check DIR`, and the definitions every other command runs on
//! (`--definitions DIR`, `--disclosure-policy PATH`).

use super::say;
use anyhow::{Context, Result};
use std::path::Path;
use std::process::ExitCode;
use vardhub_engine::definitions::{Definitions, check_dir};
use vardhub_engine::disclosure::DisclosurePolicy;

/// The definitions of this invocation: the built-in set or `dir`, with the policy of `policy`
/// if given.
pub(crate) fn load(dir: Option<&Path>, policy: Option<&Path>) -> Result<Definitions> {
    let definitions = match dir {
        None => Definitions::builtin(),
        Some(dir) => Definitions::load(dir)?,
    };
    let Some(path) = policy else {
        return Ok(definitions);
    };
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("--disclosure-policy {}", path.display()))?;
    let policy = DisclosurePolicy::parse(&text)
        .with_context(|| format!("--disclosure-policy {}", path.display()))?;
    Ok(definitions.with_policy(policy))
}

/// `definitions check DIR`: every finding on its own line; exit 1 if there is any.
pub(crate) fn check(dir: &Path) -> ExitCode {
    let findings = check_dir(dir);
    for f in &findings {
        say(format_args!("{f}"));
    }
    if findings.is_empty() {
        if let Ok(d) = Definitions::load(dir) {
            say(format_args!(
                "inga fel / no mistakes: {} indikatorrecept, {} datamängder, röjandepolicy {} v{}",
                d.recipes().len(),
                d.specs().ids().count(),
                d.policy().id(),
                d.policy().version()
            ));
        }
        ExitCode::SUCCESS
    } else {
        say(format_args!(
            "{} fel / mistakes in {}",
            findings.len(),
            dir.display()
        ));
        ExitCode::from(1)
    }
}
