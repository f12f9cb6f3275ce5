//! FHIR R4 bulk NDJSON in (issue 17):
//!
//! * `equivalence`: a CSV delivery and its FHIR bulk export (written by `vardhub_synth::fhir`)
//!   give the same lake rows, table by table;
//! * `findings`: foreign identifier systems, SNOMED-only and WHO-ICD-10 codes, unresolved
//!   references, wrong resource types, malformed JSON and oversize lines give a report naming
//!   file, line, FHIR element and rule — never a panic, never a guessed mapping;
//! * `examples`: HL7's official R4 examples through the reader: each resource is mapped or named
//!   in a finding.

use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

mod equivalence;
mod examples;
mod findings;

/// The test-data converter: a CSV delivery written as the equivalent FHIR bulk export.
use vardhub_synth::fhir as synth_fhir;

/// Write a FHIR delivery: one NDJSON file per (resource type, lines), and a manifest describing
/// them (row counts and checksums as written).
pub fn fhir_delivery(dir: &Path, files: &[(&str, Vec<String>)]) -> PathBuf {
    std::fs::create_dir_all(dir).unwrap();
    let mut listed = Vec::new();
    for (rtype, lines) in files {
        let mut bytes = Vec::new();
        for l in lines {
            bytes.extend_from_slice(l.as_bytes());
            bytes.push(b'\n');
        }
        let name = format!("{rtype}.ndjson");
        std::fs::write(dir.join(&name), &bytes).unwrap();
        listed.push(serde_json::json!({
            "table": rtype, "path": name, "rows": lines.len(),
            "sha256": hex::encode(Sha256::digest(&bytes)),
        }));
    }
    let manifest = serde_json::json!({
        "format": vardhub_domain::manifest::FHIR_MANIFEST_FORMAT,
        "collection": "vardkontakter", "spec_version": "1.0.0",
        "region": "01", "period": "2024-03", "synthetic": true,
        "encoding": "utf-8", "files": listed,
    });
    std::fs::write(
        dir.join("manifest.json"),
        serde_json::to_vec_pretty(&manifest).unwrap(),
    )
    .unwrap();
    dir.to_owned()
}
