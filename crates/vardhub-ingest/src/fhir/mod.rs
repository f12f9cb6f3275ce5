//! FHIR R4 bulk export (NDJSON) in: a region may deliver its care contacts as one NDJSON file per
//! resource type (`Patient`, `Encounter`, `Condition`, `Procedure`, `Observation`) with a manifest
//! of format [`vardhub_domain::manifest::FHIR_MANIFEST_FORMAT`]. The resources are mapped to the
//! rows of the `vardkontakter` tables (`kontakter`, `diagnoser`, `atgarder`) as text values and
//! handed to the same row validation, pseudonymisation, duplicate check and report as a CSV file.
//!
//! Only HL7 Sweden's identifier systems (personnummer, samordningsnummer), ICD-10-SE and KVÅ are
//! read ([`systems`]); anything else is a finding naming it, never a guess. Each line is one
//! record (at most 64 KiB); malformed JSON, a wrong `resourceType`, an unresolved reference or an
//! element the mapping cannot read becomes a finding with file, line, FHIR element and rule.
//! The mapping table is docs/fhir-mapping.md.

pub mod clinical;
pub mod encounter;
pub mod finding;
mod json;
pub mod ndjson;
pub mod resource;
mod rows;
mod sink;
mod stage;
pub mod systems;
pub mod time;

pub use finding::Finding;
pub use resource::{Mapped, ResourceType, map_line};
pub use sink::PATHS;
pub use stage::MAX_INDEXED;

use crate::ingest::TableOutcome;
use crate::pseudonym::Pseudonymiser;
use crate::report::{Issue, IssueSink, Severity, TableStats};
use crate::source::{DeliverySource, Progress};
use crate::table::{ResidenceCount, TableContext};
use sink::Sink;
use std::collections::{HashMap, HashSet};
use std::io;
use vardhub_domain::manifest::DataFormat;
use vardhub_domain::spec::CollectionSpec;
use vardhub_domain::{Encoding, Manifest, Period, RegionCode};
use vardhub_store::StagedDelivery;

/// The tables a FHIR delivery fills, with the resource type whose file their rows come from.
const TABLES: [(&str, ResourceType); 3] = [
    ("kontakter", ResourceType::Encounter),
    ("diagnoser", ResourceType::Condition),
    ("atgarder", ResourceType::Procedure),
];

fn fatal(issues: &mut IssueSink, file: Option<&str>, sv: String, en: String) {
    let issue = Issue::new(Severity::Fatal, "manifest_files", sv, en);
    issues.push(match file {
        Some(f) => issue.in_file(f),
        None => issue,
    });
}

/// Check a FHIR delivery's manifest files. `false` (nothing checked) when the manifest is not of
/// the FHIR format.
pub(crate) fn check_manifest(
    source: &DeliverySource,
    manifest: &Manifest,
    spec: &CollectionSpec,
    issues: &mut IssueSink,
) -> bool {
    if manifest.data_format() != Some(DataFormat::FhirNdjson) {
        return false;
    }
    if TABLES.iter().any(|(t, _)| spec.table(t).is_none()) {
        fatal(
            issues,
            None,
            format!(
                "FHIR-leveranser tas emot för vardkontakter, inte för {}",
                spec.id
            ),
            format!(
                "FHIR deliveries are taken for vardkontakter, not for {}",
                spec.id
            ),
        );
    }
    if manifest.encoding != Encoding::Utf8 {
        issues.push(Issue::new(
            Severity::Warning,
            "encoding",
            "FHIR NDJSON är alltid UTF-8; manifestets teckenkodning används inte",
            "FHIR NDJSON is always UTF-8; the manifest's encoding is not used",
        ));
    }
    let mut seen = HashSet::new();
    for f in &manifest.files {
        if ResourceType::parse(&f.table).is_none() {
            fatal(
                issues,
                Some(&f.path),
                format!(
                    "{} är ingen resurstyp hubben läser (Patient, Encounter, Condition, Procedure, Observation)",
                    f.table
                ),
                format!(
                    "{} is not a resource type the hub reads (Patient, Encounter, Condition, Procedure, Observation)",
                    f.table
                ),
            );
        }
        if !seen.insert(f.table.as_str()) {
            fatal(
                issues,
                Some(&f.path),
                format!("resurstypen {} anges flera gånger", f.table),
                format!("resource type {} is listed more than once", f.table),
            );
        }
        crate::manifest_read::check_file(source, &f.path, issues);
        if !f.path.ends_with(".ndjson") {
            fatal(
                issues,
                Some(&f.path),
                "filen ska vara .ndjson".into(),
                "the file must be .ndjson".into(),
            );
        }
    }
    crate::manifest_read::report_unlisted(source, manifest, issues);
    for required in ["Patient", "Encounter"] {
        if !seen.contains(required) {
            fatal(
                issues,
                None,
                format!(
                    "{required}-filen saknas i manifestet (leverera en tom fil om det inte finns några resurser)"
                ),
                format!(
                    "the {required} file is missing from the manifest (deliver an empty file if there are no resources)"
                ),
            );
        }
    }
    true
}

/// A delivery as the table loop knows it: where it is read from, its manifest, its
/// specification, and its period, region key and region.
pub(crate) type Delivery<'a> = (
    &'a DeliverySource,
    &'a Manifest,
    &'a CollectionSpec,
    (Period, &'a str, Option<RegionCode>),
);

/// Stage a FHIR delivery's tables (nothing for a delivery of another format), adding their
/// counts, residence counts and left-out keys to `out` as the table loop does.
pub(crate) fn stage(
    (source, manifest, spec, at): Delivery<'_>,
    staged: &mut StagedDelivery,
    pseudonymiser: &Pseudonymiser,
    progress: &dyn Progress,
    issues: &mut IssueSink,
    out: (
        &mut Vec<TableStats>,
        &mut HashMap<String, HashSet<u128>>,
        &mut ResidenceCount,
    ),
) -> io::Result<()> {
    if manifest.data_format() != Some(DataFormat::FhirNdjson) {
        return Ok(());
    }
    let (period, region_key, region) = at;
    let file_of = |t: ResourceType| manifest.files.iter().find(|f| f.table == t.name());
    let mut sinks: Vec<(String, String, Option<Sink<'_>>)> = Vec::new();
    for (name, rtype) in TABLES {
        let Some(table) = spec.table(name) else {
            continue;
        };
        let file =
            file_of(rtype).map_or_else(|| format!("{}.ndjson", rtype.name()), |f| f.path.clone());
        let ctx = TableContext {
            spec: table,
            file: file.clone(),
            period,
            region_key: region_key.to_owned(),
            region,
            pseudonymiser: Some(pseudonymiser),
            referenced_field: spec
                .tables
                .iter()
                .flat_map(|t| &t.references)
                .find(|r| r.table == table.name)
                .map(|r| r.field.as_str()),
        };
        let dedup_dir = staged.dir().join(format!(".dedup-{name}"));
        let sink = Sink::new(ctx, staged, &dedup_dir, issues)?;
        sinks.push((name.to_owned(), file, sink));
    }
    let [kontakter, diagnoser, atgarder] = &mut sinks[..] else {
        return Ok(()); // check_manifest made this fatal
    };
    let reader = stage::Reader { source, progress };
    let mut index = stage::Index::default();
    let mut ok = true;
    if let Some(mf) = file_of(ResourceType::Patient) {
        ok &= stage::patients(&reader, mf, &mut index, issues)?;
    }
    let encounters = file_of(ResourceType::Encounter);
    if let Some(mf) = encounters.filter(|_| ok) {
        ok &= stage::ranks(&reader, mf, &mut index, issues)?;
    }
    if let Some(mf) = file_of(ResourceType::Condition).filter(|_| ok) {
        ok &= stage::conditions(&reader, mf, &mut index, &mut diagnoser.2, issues)?;
    }
    if let Some(mf) = encounters.filter(|_| ok) {
        if stage::check_size(&index, &mf.path, issues) {
            ok &= rows::encounters(&reader, mf, &index, &mut kontakter.2, issues)?;
        } else {
            ok = false;
        }
    }
    if let Some(mf) = file_of(ResourceType::Procedure).filter(|_| ok) {
        ok &= rows::procedures(&reader, mf, &mut index, &mut atgarder.2, issues)?;
        stage::check_size(&index, &mf.path, issues);
    }
    if let Some(mf) = file_of(ResourceType::Observation).filter(|_| ok) {
        stage::observations(&reader, mf, issues)?;
    }
    drop(index);
    let (stats, left_out, residence) = out;
    for (name, file, sink) in sinks {
        let outcome = match sink {
            Some(s) => finish(staged, s, source, issues)?,
            None => None,
        };
        let Some(outcome) = outcome else {
            stats.push(TableStats {
                table: name,
                file,
                ..TableStats::default()
            });
            continue;
        };
        let (table_stats, res, keys) = outcome.into_parts();
        residence.with_residence += res.with_residence;
        residence.in_region += res.in_region;
        left_out.insert(name, keys);
        stats.push(table_stats);
    }
    Ok(())
}

fn finish(
    staged: &mut StagedDelivery,
    sink: Sink<'_>,
    source: &DeliverySource,
    issues: &mut IssueSink,
) -> io::Result<Option<TableOutcome>> {
    let Sink {
        validator,
        mut writer,
        file,
        ..
    } = sink;
    let (last, dups, validator) = validator.finish()?;
    if let Some(b) = last {
        writer.write(&b).map_err(io::Error::other)?;
    }
    let table = validator.context().spec.name.clone();
    let bytes = source.size(&file).unwrap_or(0);
    let left_out_keys = validator.left_out_keys.clone();
    crate::ingest::finish_table(
        staged,
        writer,
        &table,
        &file,
        dups,
        validator.rows_read,
        validator.rows_with_errors,
        validator.residence,
        bytes,
        issues,
    )
    .map(|o| o.map(|o| o.with_left_out_keys(left_out_keys)))
}
