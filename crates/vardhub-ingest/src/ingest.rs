//! One delivery from bytes to lake: check the manifest, stream and validate every file into a
//! staging folder, run the delivery-level checks, decide, then publish in one catalogue transaction
//! or record the rejection. Whatever happens, the region gets a report.

use crate::columns::SOURCE_ROW_COLUMN;
use crate::dedup::Duplicate;
use crate::pseudonym::Pseudonymiser;
use crate::report::{Issue, IssueSink, Lang, Severity, TableStats, ValidationReport};
use crate::source::{DeliverySource, Progress};
use crate::table::{ResidenceCount, TableContext};
use datafusion::arrow::array::{AsArray, BooleanArray};
use datafusion::arrow::compute::filter_record_batch;
use datafusion::arrow::datatypes::Int64Type;
use datafusion::arrow::record_batch::RecordBatchReader;
use datafusion::parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use vardhub_domain::manifest::{MANIFEST_FORMAT, Manifest, ManifestFile};
use vardhub_domain::spec::{CollectionSpec, Scope};
use vardhub_domain::{Period, RegionCode, SpecSet};
use vardhub_store::{
    DeliveryRecord, DeliveryStatus, Hub, StagedDelivery, StoreError, TableWriter, WriterLock,
    WrittenFile,
};

/// A failure of the hub itself, not of the delivery (exit code 2): the operator must act.
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    /// Catalogue or lake.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Reading the delivery or writing reports failed for a reason that is not the delivery's fault.
    #[error("I/O-fel vid {path}: {source} / I/O error at {path}")]
    Io {
        /// Where.
        path: PathBuf,
        /// What.
        source: std::io::Error,
    },
}

/// Who ingests and what they may deliver.
#[derive(Debug, Clone)]
pub struct IngestOptions {
    /// User name for the audit log.
    pub actor: String,
    /// The region the submitter represents: a delivery for another region is refused.
    pub expect_region: Option<RegionCode>,
    /// The collection specifications deliveries are validated against (several versions of one
    /// collection may be live at once); `None`: the built-in ones.
    pub specs: Option<Arc<SpecSet>>,
}

/// The result of one ingest.
#[derive(Debug)]
pub struct IngestOutcome {
    /// The report (also stored in the catalogue and written to `reports/`).
    pub report: ValidationReport,
    /// Files the report was written to.
    pub report_files: Vec<PathBuf>,
}

impl IngestOutcome {
    /// Accepted (with or without warnings)?
    /// Not accepted: rejected, or held for confirmation (not published).
    pub fn accepted(&self) -> bool {
        matches!(
            self.report.status,
            DeliveryStatus::Accepted | DeliveryStatus::AcceptedWithWarnings
        )
    }
}

/// What the manifest check established.
struct Checked {
    manifest: Manifest,
    spec: Arc<CollectionSpec>,
    region_key: String,
    region: Option<RegionCode>,
    period: Period,
}

/// Ingest one delivery (folder or zip). Rejection is a normal outcome; `Err` means the hub failed.
/// The same as [`prepare`] followed by [`finish`].
pub async fn ingest(
    hub: &Hub,
    lock: &WriterLock,
    path: &Path,
    pseudonymiser: &Pseudonymiser,
    options: &IngestOptions,
    progress: &dyn Progress,
) -> Result<IngestOutcome, IngestError> {
    ingest_at(
        hub,
        lock,
        path,
        pseudonymiser,
        options,
        progress,
        vardhub_store::now_utc(),
    )
    .await
}

/// [`ingest`] with the hub's clock given: `now` is when the delivery counts as received (the
/// future-period check compares with its month). For tests and replays.
pub async fn ingest_at(
    hub: &Hub,
    lock: &WriterLock,
    path: &Path,
    pseudonymiser: &Pseudonymiser,
    options: &IngestOptions,
    progress: &dyn Progress,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<IngestOutcome, IngestError> {
    let prepared = prepare_at(hub, path, pseudonymiser, options, progress, now).await?;
    finish(hub, lock, prepared, options).await
}

/// Ingest many deliveries in the given order. Up to `parallel` of them are [`prepare`]d at once
/// on the runtime's threads (decoding, validation and pseudonymisation use every core), while each
/// is [`finish`]ed — checked against the catalogue, decided, published — one at a time and in
/// order, so the catalogue ends up exactly as if they had been ingested one by one. `progress_for`
/// gives each delivery its progress sink; `done` gets each outcome, in order. Needs a
/// multi-threaded runtime.
#[allow(clippy::too_many_arguments)]
pub async fn ingest_in_order(
    hub: &Hub,
    lock: &WriterLock,
    paths: &[PathBuf],
    pseudonymiser: &Arc<Pseudonymiser>,
    options: &IngestOptions,
    parallel: usize,
    progress_for: impl Fn(&Path) -> Arc<dyn Progress>,
    mut done: impl FnMut(&Path, IngestOutcome),
) -> Result<(), IngestError> {
    // Register (or check) the key once, before deliveries race to do it.
    hub.ensure_key_version(pseudonymiser.key_version(), &pseudonymiser.fingerprint())
        .await?;
    let mut pending = std::collections::VecDeque::new();
    let mut next = paths.iter();
    loop {
        while pending.len() < parallel.max(1) {
            let Some(path) = next.next() else { break };
            let (hub, pseudonymiser, options, task_path) = (
                hub.clone(),
                Arc::clone(pseudonymiser),
                options.clone(),
                path.clone(),
            );
            let progress = progress_for(path);
            let task = tokio::spawn(async move {
                prepare(&hub, &task_path, &pseudonymiser, &options, &*progress).await
            });
            pending.push_back((path, task));
        }
        let Some((path, task)) = pending.pop_front() else {
            return Ok(());
        };
        let prepared = task.await.unwrap_or_else(|e| {
            std::panic::resume_unwind(e.try_into_panic().unwrap_or_else(|_| {
                Box::new("ingest task cancelled") as Box<dyn std::any::Any + Send>
            }))
        })?;
        done(path, finish(hub, lock, prepared, options).await?);
    }
}

/// A delivery read, checked, validated, pseudonymised and staged, but not yet decided, recorded
/// or published (see [`prepare`] and [`finish`]).
pub struct PreparedDelivery {
    received_at: chrono::DateTime<chrono::Utc>,
    report: ValidationReport,
    issues: IssueSink,
    /// What the manifest check established; the staged files and residence counts if the
    /// delivery got as far as staging.
    checked: Option<(Checked, Option<(StagedDelivery, ResidenceCount)>)>,
    manifest_sha: String,
}

impl std::fmt::Debug for PreparedDelivery {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PreparedDelivery")
            .field("source", &self.report.source)
            .finish_non_exhaustive()
    }
}

/// The first, CPU-heavy half of an ingest: check the manifest, then stream, validate and
/// pseudonymise every file into a staging folder. It reads nothing from the catalogue that another
/// delivery could change (only the registered key version), so several deliveries can be prepared
/// at once while they are [`finish`]ed one at a time, in order. Call it from a multi-threaded
/// runtime (the staging runs in `block_in_place`).
pub async fn prepare(
    hub: &Hub,
    path: &Path,
    pseudonymiser: &Pseudonymiser,
    options: &IngestOptions,
    progress: &dyn Progress,
) -> Result<PreparedDelivery, IngestError> {
    prepare_at(
        hub,
        path,
        pseudonymiser,
        options,
        progress,
        vardhub_store::now_utc(),
    )
    .await
}

async fn prepare_at(
    hub: &Hub,
    path: &Path,
    pseudonymiser: &Pseudonymiser,
    options: &IngestOptions,
    progress: &dyn Progress,
    received_at: chrono::DateTime<chrono::Utc>,
) -> Result<PreparedDelivery, IngestError> {
    let mut issues = IssueSink::default();
    let mut report = ValidationReport {
        delivery_id: None,
        source: crate::report::mask_text(&path.display().to_string()),
        collection: None,
        region: None,
        period: None,
        spec_version: None,
        synthetic: None,
        status: DeliveryStatus::Rejected,
        received_at: received_at.to_rfc3339(),
        key_version: None,
        tables: Vec::new(),
        counts: Default::default(),
        issues: Vec::new(),
        issues_not_listed: 0,
        counts_by_file: Vec::new(),
        software: format!("vardhub {}", env!("CARGO_PKG_VERSION")),
    };
    let (checked, manifest_sha) = match DeliverySource::open(path) {
        Err(e) => {
            issues.push(Issue::new(
                Severity::Fatal,
                "delivery_unreadable",
                format!("leveransen kan inte öppnas: {e}"),
                format!("the delivery cannot be opened: {e}"),
            ));
            (None, String::new())
        }
        Ok(source) => {
            let (checked, sha) = check_manifest(hub, &source, options, &mut issues);
            if let Some(c) = &checked {
                crate::checks::period::check(c.period, received_at, &mut issues);
                report.collection = Some(c.spec.id.clone());
                report.region = Some(c.region_key.clone());
                report.period = Some(c.period.to_string());
                report.spec_version = Some(c.manifest.spec_version.clone());
                report.synthetic = Some(c.manifest.synthetic);
            }
            match checked {
                Some(c) if !issues.has_fatal() => {
                    let uses_ids = c.spec.tables.iter().any(|t| !t.derive.is_empty());
                    if uses_ids {
                        hub.ensure_key_version(
                            pseudonymiser.key_version(),
                            &pseudonymiser.fingerprint(),
                        )
                        .await?;
                        report.key_version = Some(pseudonymiser.key_version());
                    }
                    let mut staged = StagedDelivery::create(hub)?;
                    let (tables, residence) = tokio::task::block_in_place(|| {
                        stage_tables(
                            &source,
                            &c,
                            &mut staged,
                            pseudonymiser,
                            progress,
                            &mut issues,
                        )
                    })
                    .map_err(|e| IngestError::Io {
                        path: path.to_owned(),
                        source: e,
                    })?;
                    report.tables = tables;
                    (Some((c, Some((staged, residence)))), sha)
                }
                Some(c) => (Some((c, None)), sha),
                None => (None, sha),
            }
        }
    };
    Ok(PreparedDelivery {
        received_at,
        report,
        issues,
        checked,
        manifest_sha,
    })
}

/// The second half of an ingest, under the writer lock: the delivery-level checks against the
/// catalogue (volumes compared with earlier deliveries and other regions), the decision, then
/// one catalogue transaction that publishes the staged files or records the rejection, and the
/// report files. Deliveries must be finished in the order they were received.
pub async fn finish(
    hub: &Hub,
    lock: &WriterLock,
    prepared: PreparedDelivery,
    options: &IngestOptions,
) -> Result<IngestOutcome, IngestError> {
    let PreparedDelivery {
        received_at,
        mut report,
        mut issues,
        checked,
        manifest_sha,
    } = prepared;
    let mut hold = false;
    let checked = match checked {
        Some((c, Some((staged, residence)))) => {
            delivery_level_checks(hub, &c, &report.tables, residence, &mut issues).await?;
            crate::checks::share::check(
                &report.tables,
                &c.manifest.files,
                c.spec.acceptance.max_error_row_share,
                &mut issues,
            );
            if !issues.has_fatal() {
                crate::checks::death::check(
                    hub,
                    &c.spec,
                    c.period,
                    staged.dir(),
                    &report.tables,
                    &mut issues,
                )
                .await?;
                hold = crate::checks::predecessor::check(
                    hub,
                    &c.spec,
                    &c.region_key,
                    c.period,
                    &report.tables,
                    &mut issues,
                )
                .await?;
            }
            Some((c, Some(staged)))
        }
        Some((c, None)) => Some((c, None)),
        None => None,
    };

    // Decide.
    let rows_read: u64 = report.tables.iter().map(|t| t.rows_read).sum();
    for t in &mut report.tables {
        t.file = crate::report::mask_text(&t.file);
    }
    let (errors, warnings) = issues.totals();
    report.status = if issues.has_fatal() {
        DeliveryStatus::Rejected
    } else if hold {
        DeliveryStatus::Held
    } else if errors + warnings > 0 {
        DeliveryStatus::AcceptedWithWarnings
    } else {
        DeliveryStatus::Accepted
    };
    report.counts_by_file = issues.counts_by_file();
    let (list, counts, not_listed) = issues.into_parts();
    report.issues = list;
    report.counts = counts;
    report.issues_not_listed = not_listed;

    // Record.
    if let Some((c, staged)) = checked {
        let record = DeliveryRecord {
            collection: c.spec.id.clone(),
            region: c.region_key.clone(),
            period: c.period,
            spec_version: c.manifest.spec_version.clone(),
            synthetic: c.manifest.synthetic,
            status: report.status,
            received_at,
            manifest_sha256: manifest_sha,
            key_version: report.key_version,
            rows_received: rows_read,
            rows_published: report.tables.iter().map(|t| t.rows_valid).sum(),
            errors,
            warnings,
            actor: options.actor.clone(),
        };
        let to_json = |r: &mut ValidationReport, id: &str| {
            r.delivery_id = Some(id.to_owned());
            serde_json::to_string(r).unwrap_or_default()
        };
        let id = match (report.status, staged) {
            (DeliveryStatus::Rejected, _) | (_, None) => {
                let mut r = report.clone();
                hub.record_rejected(lock, &record, |id| to_json(&mut r, id))
                    .await?
            }
            (_, Some(staged)) => {
                let mut r = report.clone();
                hub.publish(lock, staged, &record, |id| to_json(&mut r, id))
                    .await?
            }
        };
        report.delivery_id = Some(id);
    }
    let report_files = write_report_files(hub, &report)?;
    Ok(IngestOutcome {
        report,
        report_files,
    })
}

fn write_report_files(hub: &Hub, report: &ValidationReport) -> Result<Vec<PathBuf>, IngestError> {
    let dir = hub.layout().reports();
    let stem = report.delivery_id.clone().unwrap_or_else(|| {
        format!(
            "oregistrerad-{}",
            report.received_at.replace([':', '+'], "")
        )
    });
    let io = |path: &Path| {
        let path = path.to_owned();
        move |source| IngestError::Io { path, source }
    };
    vardhub_store::private::create_dir_all(&dir).map_err(io(&dir))?;
    let files = [
        (
            dir.join(format!("{stem}.json")),
            serde_json::to_string_pretty(report).unwrap_or_default(),
        ),
        (dir.join(format!("{stem}.sv.txt")), report.summary(Lang::Sv)),
        (dir.join(format!("{stem}.en.txt")), report.summary(Lang::En)),
    ];
    for (path, text) in &files {
        vardhub_store::private::write_file(path, text).map_err(io(path))?;
    }
    Ok(files.into_iter().map(|(p, _)| p).collect())
}

fn fatal(issues: &mut IssueSink, rule: &'static str, sv: String, en: String) {
    issues.push(Issue::new(Severity::Fatal, rule, sv, en));
}

/// Read and check the manifest. Returns what could be established and the manifest's SHA-256.
fn check_manifest(
    hub: &Hub,
    source: &DeliverySource,
    options: &IngestOptions,
    issues: &mut IssueSink,
) -> (Option<Checked>, String) {
    let (manifest, sha) = crate::manifest_read::read_manifest(source, issues);
    let Some(manifest) = manifest else {
        return (None, sha);
    };
    if manifest.data_format().is_none() {
        fatal(
            issues,
            "manifest_invalid",
            format!("okänt manifestformat; väntade {MANIFEST_FORMAT}"),
            format!("unknown manifest format; expected {MANIFEST_FORMAT}"),
        );
    }
    let builtin;
    let specs: &SpecSet = match &options.specs {
        Some(s) => s,
        None => {
            builtin = SpecSet::builtin();
            &builtin
        }
    };
    let versions = specs.versions(&manifest.collection);
    if versions.is_empty() {
        let known: Vec<&str> = specs.ids().collect();
        fatal(
            issues,
            "manifest_collection",
            format!("okänd datasamling; kända: {}", known.join(", ")),
            format!("unknown collection; known: {}", known.join(", ")),
        );
        return (None, sha);
    }
    let spec = match specs.get(&manifest.collection, &manifest.spec_version) {
        Some(s) => Arc::new(s.clone()),
        None => {
            let live: Vec<&str> = versions.iter().map(|s| s.version.as_str()).collect();
            fatal(
                issues,
                "spec_version",
                format!(
                    "specifikationsversion {} stöds inte; hubben tar emot {}",
                    manifest.spec_version,
                    live.join(", ")
                ),
                format!(
                    "specification version {} is not supported; the hub accepts {}",
                    manifest.spec_version,
                    live.join(", ")
                ),
            );
            return (None, sha);
        }
    };
    let Ok(period) = Period::parse(&manifest.period) else {
        fatal(
            issues,
            "manifest_period",
            "ogiltig period (ÅÅÅÅ-MM)".into(),
            "invalid period (YYYY-MM)".into(),
        );
        return (None, sha);
    };
    let (region_key, region) = match spec.scope {
        Scope::National => {
            if manifest.region != "00" {
                fatal(
                    issues,
                    "manifest_region",
                    "en nationell samling ska ha region 00".into(),
                    "a national collection must have region 00".into(),
                );
            }
            ("00".to_owned(), None)
        }
        Scope::Regional => match RegionCode::parse(&manifest.region) {
            Ok(r) => (r.to_string(), Some(r)),
            Err(_) => {
                fatal(
                    issues,
                    "manifest_region",
                    "okänd region (länskod)".into(),
                    "unknown region (county code)".into(),
                );
                return (None, sha);
            }
        },
    };
    if let (Some(expected), Some(r)) = (options.expect_region, region)
        && expected != r
    {
        fatal(
            issues,
            "wrong_region",
            format!("leveransen gäller region {r}, men avsändaren företräder region {expected}"),
            format!("the delivery is for region {r}, but the sender represents region {expected}"),
        );
    }
    if manifest.synthetic != hub.is_synthetic() {
        let (sv, en) = if hub.is_synthetic() {
            (
                "hubben är skapad för syntetiska data; leveransen är inte markerad som syntetisk",
                "this hub is for synthetic data; the delivery is not marked synthetic",
            )
        } else {
            (
                "leveransen är markerad som syntetisk men hubben tar emot riktiga data",
                "the delivery is marked synthetic but this hub takes real data",
            )
        };
        fatal(issues, "synthetic_mismatch", sv.into(), en.into());
    }
    if crate::fhir::check_manifest(source, &manifest, &spec, issues) {
        let checked = Checked {
            manifest,
            spec,
            region_key,
            region,
            period,
        };
        return (Some(checked), sha);
    }
    let mut seen = HashSet::new();
    for f in &manifest.files {
        if spec.table(&f.table).is_none() {
            fatal(
                issues,
                "manifest_files",
                format!("tabellen {} finns inte i samlingen {}", f.table, spec.id),
                format!("table {} is not part of collection {}", f.table, spec.id),
            );
        }
        if !seen.insert(f.table.as_str()) {
            fatal(
                issues,
                "manifest_files",
                format!("tabellen {} anges flera gånger", f.table),
                format!("table {} is listed more than once", f.table),
            );
        }
        crate::manifest_read::check_file(source, &f.path, issues);
        if !(f.path.ends_with(".csv") || f.path.ends_with(".parquet")) {
            issues.push(
                Issue::new(
                    Severity::Fatal,
                    "manifest_files",
                    "filen ska vara .csv eller .parquet",
                    "the file must be .csv or .parquet",
                )
                .in_file(&f.path),
            );
        }
    }
    crate::manifest_read::report_unlisted(source, &manifest, issues);
    for t in &spec.tables {
        if !seen.contains(t.name.as_str()) {
            fatal(
                issues,
                "table_missing",
                format!(
                    "tabellen {} saknas i manifestet (leverera en tom fil om det inte finns några rader)",
                    t.name
                ),
                format!(
                    "table {} is missing from the manifest (deliver an empty file if there are no rows)",
                    t.name
                ),
            );
        }
    }
    (
        Some(Checked {
            manifest,
            spec,
            region_key,
            region,
            period,
        }),
        sha,
    )
}

/// Validate every file into the staging folder. I/O errors of the hub itself are `Err`; anything
/// wrong with the delivery becomes an issue.
fn stage_tables(
    source: &DeliverySource,
    c: &Checked,
    staged: &mut StagedDelivery,
    pseudonymiser: &Pseudonymiser,
    progress: &dyn Progress,
    issues: &mut IssueSink,
) -> std::io::Result<(Vec<TableStats>, ResidenceCount)> {
    let mut stats = Vec::new();
    let mut left_out = std::collections::HashMap::new();
    let mut residence = ResidenceCount::default();
    for mf in &c.manifest.files {
        let Some(table) = c.spec.table(&mf.table) else {
            continue;
        };
        progress.start_file(&mf.path, source.size(&mf.path).unwrap_or(0));
        let ctx = TableContext {
            spec: table,
            file: mf.path.clone(),
            period: c.period,
            region_key: c.region_key.clone(),
            region: c.region,
            pseudonymiser: Some(pseudonymiser),
            referenced_field: c
                .spec
                .tables
                .iter()
                .flat_map(|t| &t.references)
                .find(|r| r.table == table.name)
                .map(|r| r.field.as_str()),
        };
        let dedup_dir = staged.dir().join(format!(".dedup-{}", table.name));
        let outcome = if mf.path.ends_with(".parquet") {
            crate::parquet_stage::stage_parquet(
                source, mf, ctx, staged, &dedup_dir, progress, issues,
            )?
        } else {
            crate::csv_stage::stage_csv(
                source,
                mf,
                c.manifest.encoding,
                ctx,
                staged,
                &dedup_dir,
                progress,
                issues,
            )?
        };
        let Some(outcome) = outcome else {
            stats.push(TableStats {
                table: table.name.clone(),
                file: mf.path.clone(),
                ..TableStats::default()
            });
            continue;
        };
        residence.with_residence += outcome.residence.with_residence;
        residence.in_region += outcome.residence.in_region;
        left_out.insert(table.name.clone(), outcome.left_out_keys);
        stats.push(outcome.stats);
    }
    // A FHIR delivery's files name resource types, not tables: the loop above skipped them.
    let at = (c.period, c.region_key.as_str(), c.region);
    let delivery = (source, &c.manifest, c.spec.as_ref(), at);
    let out = (&mut stats, &mut left_out, &mut residence);
    crate::fhir::stage(delivery, staged, pseudonymiser, progress, issues, out)?;
    crate::checks::orphans::check(&c.spec, staged, &mut stats, &left_out, issues)?;
    crate::checks::concentration::check(&c.spec, staged.dir(), &stats, issues)?;
    Ok((stats, residence))
}

pub(crate) struct TableOutcome {
    stats: TableStats,
    residence: ResidenceCount,
    /// Hashes of the referenced key of the rows left out for their own errors.
    left_out_keys: HashSet<u128>,
}

impl TableOutcome {
    pub(crate) fn with_left_out_keys(mut self, keys: HashSet<u128>) -> TableOutcome {
        self.left_out_keys = keys;
        self
    }

    /// The counts, residence counts and left-out keys (for the FHIR reader's own loop).
    pub(crate) fn into_parts(self) -> (TableStats, ResidenceCount, HashSet<u128>) {
        (self.stats, self.residence, self.left_out_keys)
    }
}

/// Check the manifest's checksum and row count for a file that was read to its end.
pub(crate) fn check_file_claims(mf: &ManifestFile, sha: &str, rows: u64, issues: &mut IssueSink) {
    if !sha.eq_ignore_ascii_case(&mf.sha256) {
        issues.push(
            Issue::new(
                Severity::Fatal,
                "checksum",
                "filens SHA-256 stämmer inte med manifestet (ändrad eller avkortad under överföringen?)",
                "the file's SHA-256 does not match the manifest (changed or truncated in transfer?)",
            )
            .in_file(&mf.path),
        );
    }
    if rows != mf.rows {
        issues.push(
            Issue::new(
                Severity::Fatal,
                "row_count",
                format!("filen har {rows} datarader, manifestet anger {}", mf.rows),
                format!(
                    "the file has {rows} data rows, the manifest says {}",
                    mf.rows
                ),
            )
            .in_file(&mf.path),
        );
    }
}

/// Finish the Parquet file, remove duplicate rows (rewriting the file if there are any), and count.
#[allow(clippy::too_many_arguments)]
pub(crate) fn finish_table(
    staged: &mut StagedDelivery,
    writer: TableWriter,
    table: &str,
    file: &str,
    dups: Vec<Duplicate>,
    rows_read: u64,
    mut rows_with_errors: u64,
    residence: ResidenceCount,
    bytes: u64,
    issues: &mut IssueSink,
) -> std::io::Result<Option<TableOutcome>> {
    let mut written = writer.finish().map_err(std::io::Error::other)?;
    if !dups.is_empty() {
        for d in &dups {
            issues.push(
                Issue::new(
                    Severity::Error,
                    "duplicate",
                    format!("raden har samma nyckel som rad {}", d.first_line),
                    format!("the row has the same key as row {}", d.first_line),
                )
                .in_file(file)
                .at_row(d.line),
            );
        }
        rows_with_errors += dups.len() as u64;
        let drop: HashSet<u64> = dups.iter().map(|d| d.line).collect();
        written = remove_rows(staged, table, &drop)?;
    }
    let rows_valid = written.rows;
    staged.add(written);
    Ok(Some(TableOutcome {
        stats: TableStats {
            table: table.to_owned(),
            file: file.to_owned(),
            rows_read,
            rows_valid,
            rows_with_errors,
            bytes,
        },
        residence,
        left_out_keys: HashSet::new(),
    }))
}

/// Rewrite a staged table without the rows whose source line is in `drop`.
pub(crate) fn remove_rows(
    staged: &StagedDelivery,
    table: &str,
    drop: &HashSet<u64>,
) -> std::io::Result<WrittenFile> {
    let path = staged.dir().join(format!("{table}.parquet"));
    let old = staged.dir().join(format!(".{table}.before-dedup.parquet"));
    std::fs::rename(&path, &old)?;
    let file = std::fs::File::open(&old)?;
    let reader = ParquetRecordBatchReaderBuilder::try_new(file)
        .and_then(|b| b.with_batch_size(crate::table::BATCH_ROWS).build())
        .map_err(std::io::Error::other)?;
    let schema = reader.schema();
    let mut writer = staged
        .table_writer(table, schema)
        .map_err(std::io::Error::other)?;
    for batch in reader {
        let batch = batch.map_err(std::io::Error::other)?;
        let rows = batch
            .column_by_name(SOURCE_ROW_COLUMN)
            .ok_or_else(|| std::io::Error::other("source row column missing"))?
            .as_primitive::<Int64Type>();
        let keep: BooleanArray = rows
            .iter()
            .map(|r| Some(!r.is_some_and(|r| drop.contains(&(r as u64)))))
            .collect();
        let kept = filter_record_batch(&batch, &keep).map_err(std::io::Error::other)?;
        writer.write(&kept).map_err(std::io::Error::other)?;
    }
    let written = writer.finish().map_err(std::io::Error::other)?;
    std::fs::remove_file(&old)?;
    Ok(written)
}

/// Plausibility of the delivery as a whole: does it concern the region it claims, and is its
/// volume in line with the region's previous delivery and with the other regions? Volume findings
/// are flags (warnings), never a rejection.
async fn delivery_level_checks(
    hub: &Hub,
    c: &Checked,
    tables: &[TableStats],
    residence: ResidenceCount,
    issues: &mut IssueSink,
) -> Result<(), StoreError> {
    if let Some(region) = c.region
        && residence.with_residence >= 20
    {
        let share = residence.in_region as f64 / residence.with_residence as f64;
        if share < 0.5 {
            fatal(
                issues,
                "wrong_region",
                format!(
                    "bara {:.0} % av raderna har hemkommun i region {region}: leveransen verkar gälla en annan region",
                    100.0 * share
                ),
                format!(
                    "only {:.0} % of the rows have a home municipality in region {region}: the delivery seems to concern another region",
                    100.0 * share
                ),
            );
        }
    }
    let rows: u64 = tables.iter().map(|t| t.rows_valid).sum();
    let ctx = hub
        .volume_context(&c.spec.id, &c.region_key, c.period)
        .await?;
    let a = &c.spec.acceptance;
    if let Some((prev_period, prev_rows)) = &ctx.previous
        && *prev_rows > 0
    {
        let change = rows as f64 / *prev_rows as f64 - 1.0;
        if change.abs() > a.max_change_from_previous {
            issues.push(Issue::new(
                Severity::Warning,
                "volume_previous",
                format!(
                    "{rows} rader mot {prev_rows} i föregående leverans ({prev_period}): {:+.0} %, över flaggningsgränsen ±{:.0} %",
                    100.0 * change,
                    100.0 * a.max_change_from_previous
                ),
                format!(
                    "{rows} rows against {prev_rows} in the previous delivery ({prev_period}): {:+.0} %, beyond the flag limit ±{:.0} %",
                    100.0 * change,
                    100.0 * a.max_change_from_previous
                ),
            ));
        }
    }
    if let Some(region) = c.region
        && ctx.others.len() >= 3
    {
        let per_capita = |code: &str, rows: i64| {
            RegionCode::parse(code)
                .ok()
                .map(|r| rows as f64 / f64::from(r.region().population_2023()) * 1000.0)
        };
        let mut others: Vec<f64> = ctx
            .others
            .iter()
            .filter_map(|(r, n)| per_capita(r, *n))
            .collect();
        others.sort_by(f64::total_cmp);
        let median = others[others.len() / 2];
        let own = rows as f64 / f64::from(region.region().population_2023()) * 1000.0;
        if median > 0.0
            && (own > median * a.per_capita_factor || own < median / a.per_capita_factor)
        {
            issues.push(Issue::new(
                Severity::Warning,
                "volume_per_capita",
                format!(
                    "{own:.1} rader per 1 000 invånare mot median {median:.1} för de andra {} regionerna",
                    others.len()
                ),
                format!(
                    "{own:.1} rows per 1,000 inhabitants against a median of {median:.1} for the other {} regions",
                    others.len()
                ),
            ));
        }
    }
    Ok(())
}
