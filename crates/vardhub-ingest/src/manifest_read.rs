//! Reading a delivery's manifest and checking the files it names, with findings that name the
//! real cause: a manifest that is too large, UTF-16, or JSON whose error names the field; a path
//! outside the delivery (not "missing"); a link or device instead of a file; files in the
//! delivery the manifest does not list.

use crate::bounds;
use crate::report::{Issue, IssueSink, Severity, mask};
use crate::source::{DeliverySource, FileProblem, file_problem};
use sha2::{Digest, Sha256};
use vardhub_domain::manifest::{MANIFEST_FILE, MAX_MANIFEST_BYTES, Manifest, ManifestError};

/// How many unlisted files are named one by one; the rest are counted in one finding.
const MAX_UNLISTED_NAMED: usize = 100;

/// Longest explanation of a JSON error shown (cut at a word boundary).
const MAX_MESSAGE_CHARS: usize = 300;

fn fatal(issues: &mut IssueSink, rule: &'static str, sv: String, en: String) {
    issues.push(Issue::new(Severity::Fatal, rule, sv, en).in_file(MANIFEST_FILE));
}

/// Read and parse the manifest. Returns it (if it could be read) and the SHA-256 of its bytes
/// (empty if there were none).
pub(crate) fn read_manifest(
    source: &DeliverySource,
    issues: &mut IssueSink,
) -> (Option<Manifest>, String) {
    let bytes = match source.manifest_bytes() {
        Ok(b) => b,
        Err(e) => {
            if bounds::exceeded(&e).is_some() {
                fatal(
                    issues,
                    "manifest_too_large",
                    format!("manifest.json är större än {MAX_MANIFEST_BYTES} byte och läses inte"),
                    format!(
                        "manifest.json is larger than {MAX_MANIFEST_BYTES} bytes and is not read"
                    ),
                );
            } else if let Some(p @ FileProblem::NotRegular(_)) = file_problem(&e) {
                fatal(
                    issues,
                    "file_not_regular",
                    format!("manifest.json kan inte läsas: {p}"),
                    format!("manifest.json cannot be read: {p}"),
                );
            } else {
                fatal(
                    issues,
                    "manifest_missing",
                    format!("manifest.json saknas eller kan inte läsas: {e}"),
                    format!("manifest.json is missing or unreadable: {e}"),
                );
            }
            return (None, String::new());
        }
    };
    let sha = hex::encode(Sha256::digest(&bytes));
    match Manifest::from_json(&bytes) {
        Ok(m) => (Some(m), sha),
        Err(e) => {
            let mut issue = Issue::new(
                Severity::Fatal,
                "manifest_invalid",
                format!("manifest.json följer inte formatet: {}", describe(&e)),
                format!("manifest.json does not follow the format: {}", describe(&e)),
            )
            .in_file(MANIFEST_FILE);
            if let ManifestError::Json { path, line, .. } = &e {
                issue = issue.field(path).at_row(*line as u64);
            }
            issues.push(issue);
            (None, sha)
        }
    }
}

/// A manifest error for a report: any value it quotes is masked word by word (so that no
/// identity number can pass) and a long explanation is cut at a word boundary, never inside one.
fn describe(e: &ManifestError) -> String {
    let ManifestError::Json {
        path,
        message,
        line,
        column,
    } = e
    else {
        return e.to_string();
    };
    let mut out = String::new();
    for word in message.split(' ') {
        if out.chars().count() + word.chars().count() > MAX_MESSAGE_CHARS {
            out.push_str(" …");
            break;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(&mask(word, false));
    }
    format!("field `{path}`: {out} (line {line}, column {column})")
}

/// Check one file the manifest names: inside the delivery, present, a regular file.
pub(crate) fn check_file(source: &DeliverySource, path: &str, issues: &mut IssueSink) {
    let (rule, sv, en) = match source.check(path) {
        Ok(()) => return,
        Err(FileProblem::OutsideDelivery) => (
            "path_outside",
            "sökvägen pekar utanför leveransen (.., absolut sökväg eller enhetsbokstav); filen läses inte"
                .to_owned(),
            "the path points outside the delivery (.., an absolute path or a drive letter); the file is not read"
                .to_owned(),
        ),
        Err(FileProblem::Missing) => (
            "file_missing",
            "filen som manifestet anger saknas i leveransen".to_owned(),
            "the file named in the manifest is missing from the delivery".to_owned(),
        ),
        Err(p @ FileProblem::NotRegular(kind)) => (
            "file_not_regular",
            format!("inte en vanlig fil ({kind}); leverera själva filen. Den öppnas inte."),
            format!("{p}. It is not opened."),
        ),
    };
    issues.push(Issue::new(Severity::Fatal, rule, sv, en).in_file(path));
}

/// A warning for every file in the delivery that the manifest does not list (it is not read).
pub(crate) fn report_unlisted(
    source: &DeliverySource,
    manifest: &Manifest,
    issues: &mut IssueSink,
) {
    let listed: Vec<&str> = manifest
        .files
        .iter()
        .map(|f| f.path.trim_start_matches("./"))
        .collect();
    let Ok((names, more)) = source.unlisted(&listed, MAX_UNLISTED_NAMED) else {
        return;
    };
    for name in names {
        issues.push(
            Issue::new(
                Severity::Warning,
                "file_unlisted",
                "filen finns i leveransen men inte i manifestet; den läses inte",
                "the file is in the delivery but not in the manifest; it is not read",
            )
            .in_file(&name),
        );
    }
    if more > 0 {
        issues.push(Issue::new(
            Severity::Warning,
            "file_unlisted",
            format!("ytterligare {more} filer finns i leveransen men inte i manifestet"),
            format!("{more} more files are in the delivery but not in the manifest"),
        ));
    }
}
