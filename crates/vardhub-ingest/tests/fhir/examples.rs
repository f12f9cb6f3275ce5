//! HL7's official FHIR R4 examples (npm `hl7.fhir.r4.examples`, unpacked by
//! `scripts/fhir-examples.sh`) as a robustness corpus: every example resource (each file, and
//! each Bundle's entries) goes through the reader — the five types it takes as such, every other
//! type in a file of Encounters — and every seventh also cut in half. Each one is mapped or
//! refused with named findings; none panics. Then the five types go through a whole ingest as one
//! delivery. (The whole package, 191 MB, reads in seconds, so no sampling is needed.)

use super::fhir_delivery;
use crate::env;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use vardhub_ingest::fhir::{ResourceType, map_line};
use vardhub_store::DeliveryStatus;

fn examples_dir() -> PathBuf {
    let dir = std::env::var_os("VARDHUB_FHIR_EXAMPLES").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/fhir-examples/package"),
        PathBuf::from,
    );
    assert!(
        dir.join("Patient-example.json").is_file(),
        "HL7's FHIR R4 examples are missing at {}: run scripts/fhir-examples.sh (it prints the \
         folder; scripts/test.sh exports it as VARDHUB_FHIR_EXAMPLES)",
        dir.display()
    );
    dir
}

/// The corpus: (resource type, resource), in file order.
fn corpus() -> Vec<(String, Value)> {
    let dir = examples_dir();
    let mut names: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    names.sort();
    let mut out = Vec::new();
    for path in names {
        let Ok(v) = serde_json::from_slice::<Value>(&std::fs::read(&path).unwrap()) else {
            continue; // not JSON at all (the package's own files are): nothing to feed
        };
        let rtype = v["resourceType"].as_str().unwrap_or_default().to_owned();
        if rtype == "Bundle" {
            for entry in v["entry"].as_array().into_iter().flatten() {
                if let Some(r) = entry.get("resource") {
                    let t = r["resourceType"].as_str().unwrap_or_default().to_owned();
                    out.push((t, r.clone()));
                }
            }
        }
        out.push((rtype, v));
    }
    out
}

#[tokio::test(flavor = "multi_thread")]
async fn official_r4_examples_are_mapped_or_named_never_a_panic() {
    let started = std::time::Instant::now();
    let corpus = corpus();
    let mut mapped: BTreeMap<&str, u64> = BTreeMap::new();
    let mut refused: BTreeMap<&str, u64> = BTreeMap::new();
    let mut rules: BTreeMap<String, u64> = BTreeMap::new();
    let mut lines: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    let mut wrong_type = 0u64;
    for (i, (rtype, v)) in corpus.iter().enumerate() {
        let line = serde_json::to_vec(v).unwrap();
        match ResourceType::parse(rtype) {
            Some(t) => {
                match map_line(t, &line) {
                    Ok(_) => *mapped.entry(t.name()).or_default() += 1,
                    Err(findings) => {
                        assert!(!findings.is_empty(), "{rtype} refused without a finding");
                        for f in &findings {
                            assert!(!f.field.is_empty() && !f.en.is_empty(), "{f:?}");
                            *rules.entry(f.rule.to_owned()).or_default() += 1;
                        }
                        *refused.entry(t.name()).or_default() += 1;
                    }
                }
                lines
                    .entry(t.name())
                    .or_default()
                    .push(String::from_utf8(line.clone()).unwrap());
            }
            None => {
                // Another type in a file of Encounters: named, not mapped.
                let findings = map_line(ResourceType::Encounter, &line).unwrap_err();
                assert_eq!(findings[0].rule, "fhir_resource_type", "{rtype}");
                wrong_type += 1;
            }
        }
        if i.is_multiple_of(7) {
            // The line cut short: malformed JSON, named.
            let cut = &line[..line.len() / 2];
            let t = ResourceType::parse(rtype).unwrap_or(ResourceType::Observation);
            assert_eq!(map_line(t, cut).unwrap_err()[0].rule, "fhir_json");
        }
    }
    let five: u64 = mapped.values().chain(refused.values()).sum();
    eprintln!(
        "FHIR R4 examples: {} resources read ({five} of the five types; mapped {mapped:?}, \
         refused {refused:?}; findings by rule {rules:?}; {wrong_type} of other types named) in {:?}",
        corpus.len(),
        started.elapsed()
    );
    assert!(
        five >= 250 && wrong_type >= 10_000,
        "the corpus is too small"
    );
    assert!(refused.get("Patient").copied().unwrap_or(0) > 0);
    assert!(
        rules.contains_key("fhir_identifier_system") && rules.contains_key("fhir_code_system"),
        "{rules:?}"
    );

    // The same resources as one FHIR delivery through the whole ingest.
    let e = env(true).await;
    let files: Vec<(&str, Vec<String>)> = ResourceType::ALL
        .iter()
        .map(|t| (t.name(), lines.remove(t.name()).unwrap_or_default()))
        .collect();
    let encounters = files[1].1.len() as u64;
    let report = e
        .ingest(&fhir_delivery(&e.root.join("examples"), &files))
        .await;
    assert_eq!(
        report.status,
        DeliveryStatus::Rejected,
        "no Swedish identities in HL7's examples"
    );
    let k = report
        .tables
        .iter()
        .find(|t| t.table == "kontakter")
        .unwrap();
    assert_eq!(k.rows_read, encounters);
    assert_eq!(
        k.rows_valid + k.rows_with_errors,
        k.rows_read,
        "every Encounter accounted for"
    );
    for t in ResourceType::ALL {
        let file = format!("{}.ndjson", t.name());
        let named: u64 = report
            .counts_by_file
            .iter()
            .filter(|c| c.file.as_deref() == Some(file.as_str()))
            .map(|c| c.errors + c.warnings)
            .sum();
        assert!(named > 0, "{file}: no findings for {t:?} examples");
    }
    eprintln!("whole ingest of the examples: {:?}", started.elapsed());
}
