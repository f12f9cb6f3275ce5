//! Build a research release: the approved selection of the current lake, with the project's own
//! pseudonyms and tokens and coarsened dates, as Parquet and CSV with a data dictionary, recorded
//! in the release log. See the module documentation of [`super`].

use super::ResearchError;
use super::columns::{self, Keys, Origin, OutColumn, RowFilter};
use super::dictionary::{self, DictTable};
use chrono::NaiveDate;
use datafusion::arrow::array::{ArrayRef, AsArray, StringArray};
use datafusion::arrow::csv::WriterBuilder;
use datafusion::arrow::datatypes::{DataType, SchemaRef};
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::parquet::arrow::ArrowWriter;
use datafusion::parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use datafusion::parquet::basic::{Compression, ZstdLevel};
use datafusion::parquet::file::properties::WriterProperties;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use vardhub_domain::research::{
    AgeRange, ApprovedTable, ProjectId, Regions, ResearchProject, has_age, residence_variable,
};
use vardhub_domain::spec::{CollectionSpec, Scope, TableSpec};
use vardhub_domain::{Period, RegionCode, SpecSet};
use vardhub_ingest::{Pseudonymiser, ReleaseScope};
use vardhub_store::research::{NewRelease, ReleaseFile, ReleaseRecord};
use vardhub_store::{Hub, PublishedDelivery};

/// File names of the data dictionary in a release folder.
pub const DICTIONARY_CSV: &str = "variabelbeskrivning.csv";
/// The data dictionary as Markdown.
pub const DICTIONARY_MD: &str = "variabelbeskrivning.md";

/// What to release.
#[derive(Debug, Clone)]
pub struct ReleaseRequest<'a> {
    /// The project id as asked.
    pub project: &'a str,
    /// Only these approved variables (`variable`, `table.variable` or
    /// `collection.table.variable`); `None` = every approved variable.
    pub variables: Option<&'a [String]>,
    /// The folder the release folder `<release id>/` is created in.
    pub out_dir: &'a Path,
    /// The day the release is made (the ethics approval and retention are checked against it).
    pub today: NaiveDate,
    /// Who makes the release (audit log and release log).
    pub actor: &'a str,
}

/// One released table.
#[derive(Debug, Clone)]
pub struct TableSummary {
    /// Collection id.
    pub collection: String,
    /// Table name.
    pub table: String,
    /// Rows released.
    pub rows: u64,
    /// Released columns.
    pub columns: Vec<String>,
}

/// A release made.
#[derive(Debug, Clone)]
pub struct ReleaseSummary {
    /// As recorded in the release log.
    pub record: ReleaseRecord,
    /// The release folder.
    pub folder: PathBuf,
    /// The tables released.
    pub tables: Vec<TableSummary>,
}

/// One table of the release and where its rows come from.
struct TablePlan<'a> {
    spec: &'a CollectionSpec,
    table: &'a TableSpec,
    columns: Vec<OutColumn>,
    deliveries: Vec<&'a PublishedDelivery>,
    /// Rows kept by their own age.
    age: Option<AgeRange>,
    /// Rows kept when their `field` is a kept key of the parent table (filtered by age).
    parent: Option<(String, String, AgeRange)>,
    /// Rows kept by their municipality's region (national collections).
    residence: Option<(String, BTreeSet<RegionCode>)>,
}

/// The approved tables limited to the requested variables; `Err` names a request that is not
/// approved.
pub fn select(
    project: &ResearchProject,
    requested: Option<&[String]>,
) -> Result<Vec<ApprovedTable>, String> {
    let Some(requested) = requested else {
        return Ok(project.selection.clone());
    };
    let mut wanted: Vec<BTreeSet<&str>> = vec![BTreeSet::new(); project.selection.len()];
    for r in requested {
        let r = r.trim();
        let (c, t, v) = match r.split('.').collect::<Vec<_>>().as_slice() {
            [v] => (None, None, *v),
            [t, v] => (None, Some(*t), *v),
            [c, t, v] => (Some(*c), Some(*t), *v),
            _ => return Err(r.to_owned()),
        };
        let mut found = false;
        for (a, w) in project.selection.iter().zip(wanted.iter_mut()) {
            if c.is_none_or(|c| c == a.collection)
                && t.is_none_or(|t| t == a.table)
                && let Some(name) = a.variables.iter().find(|x| *x == v)
            {
                w.insert(name.as_str());
                found = true;
            }
        }
        if !found {
            return Err(r.to_owned());
        }
    }
    Ok(project
        .selection
        .iter()
        .zip(&wanted)
        .filter(|(_, w)| !w.is_empty())
        .map(|(a, w)| ApprovedTable {
            collection: a.collection.clone(),
            table: a.table.clone(),
            variables: a
                .variables
                .iter()
                .filter(|v| w.contains(v.as_str()))
                .cloned()
                .collect(),
        })
        .collect())
}

/// A request as it may be written down: identity numbers masked, at most 80 characters.
fn shown(s: &str) -> String {
    vardhub_domain::mask_identity_numbers(s)
        .chars()
        .take(80)
        .collect()
}

/// Build a release for `req.project` from the current lake (see [`super`]): refused (and
/// audited as `research.release.refused`) when the project does not exist, its ethics approval
/// is not valid on `req.today` or its retention has ended, a requested variable is not approved,
/// or there is no published data in the approved population.
pub async fn build_release(
    hub: &Hub,
    specs: &SpecSet,
    pseudonymiser: &Pseudonymiser,
    req: &ReleaseRequest<'_>,
) -> Result<ReleaseSummary, ResearchError> {
    let refuse = |object: String, reason: String, err: ResearchError| async move {
        hub.refuse_research_release(&object, &reason, req.actor)
            .await?;
        Err::<ReleaseSummary, _>(err)
    };
    let Ok(id) = ProjectId::parse(req.project.trim()) else {
        return refuse(
            "?".into(),
            "unknown_project".into(),
            ResearchError::UnknownProject(shown(req.project)),
        )
        .await;
    };
    let Some(stored) = hub.research_project(&id).await? else {
        return refuse(
            id.to_string(),
            "unknown_project".into(),
            ResearchError::UnknownProject(id.to_string()),
        )
        .await;
    };
    let project = &stored.record;
    if let Some(block) = project.release_blocked_at(req.today) {
        return refuse(
            id.to_string(),
            format!("{}: {block} (today={})", block.code(), req.today),
            ResearchError::Blocked(block),
        )
        .await;
    }
    let selection = match select(project, req.variables) {
        Ok(s) => s,
        Err(name) => {
            let name = shown(&name);
            return refuse(
                id.to_string(),
                format!("not_approved: {name}"),
                ResearchError::NotApproved(name),
            )
            .await;
        }
    };
    project.check_selection(specs)?;
    hub.ensure_key_version(pseudonymiser.key_version(), &pseudonymiser.fingerprint())
        .await?;
    let snapshot = hub.snapshot(None, None).await?;
    let plans = plan(project, &selection, specs, &snapshot.deliveries)?;
    let read: BTreeSet<&str> = plans
        .iter()
        .flat_map(|p| p.deliveries.iter().map(|d| d.id.as_str()))
        .collect();
    if read.is_empty() {
        return refuse(
            id.to_string(),
            "no_data: no published delivery in the approved population".into(),
            ResearchError::NoData,
        )
        .await;
    }
    let data_versions: Vec<String> = read.iter().map(|s| (*s).to_owned()).collect();
    let versions = hub.delivery_versions(&data_versions).await?;
    let mut spec_versions: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for d in plans.iter().flat_map(|p| p.deliveries.iter()) {
        let (spec_version, key) = versions.get(&d.id).cloned().ok_or_else(|| {
            ResearchError::Lake(format!("delivery {} not in the catalogue", d.id))
        })?;
        if key.is_some_and(|k| k != pseudonymiser.key_version()) {
            return Err(ResearchError::KeyVersion {
                delivery: d.id.clone(),
                lake: key.unwrap_or(0),
                given: pseudonymiser.key_version(),
            });
        }
        let list = spec_versions.entry(d.collection.clone()).or_default();
        if !list.contains(&spec_version) {
            list.push(spec_version);
            list.sort();
        }
    }

    let release_id = hub.next_research_release_id(&id).await?;
    vardhub_store::private::create_dir_all(req.out_dir).map_err(ResearchError::io(req.out_dir))?;
    let folder = req.out_dir.join(&release_id);
    {
        use std::os::unix::fs::DirBuilderExt;
        std::fs::DirBuilder::new()
            .mode(0o700)
            .create(&folder)
            .map_err(|e| match e.kind() {
                std::io::ErrorKind::AlreadyExists => ResearchError::OutputExists(folder.clone()),
                _ => ResearchError::Io {
                    path: folder.clone(),
                    source: e,
                },
            })?;
    }
    let pseudonyms = pseudonymiser.for_release(&ReleaseScope::Project(id.to_string()));
    let tokens = pseudonymiser.for_release(&ReleaseScope::ProjectTokens(id.to_string()));
    let keys = Keys {
        pseudonyms: &pseudonyms,
        tokens: &tokens,
        coarsening: project.date_coarsening,
    };
    let written = write_all(&plans, &keys, project, &release_id, &folder);
    let (tables, files) = match written {
        Ok(w) => w,
        Err(e) => {
            // Nothing half-written is left behind.
            let _ = std::fs::remove_dir_all(&folder);
            return Err(e);
        }
    };
    let release = NewRelease {
        id: release_id,
        project_id: id,
        project_sha256: stored.record_sha256.clone(),
        files,
        data_versions,
        spec_versions,
        key_version: pseudonymiser.key_version(),
        out_dir: std::fs::canonicalize(&folder)
            .unwrap_or_else(|_| folder.clone())
            .display()
            .to_string(),
    };
    let record = hub.record_research_release(&release, req.actor).await?;
    Ok(ReleaseSummary {
        record,
        folder,
        tables,
    })
}

/// Which deliveries each approved table reads and which row filters apply.
fn plan<'a>(
    project: &ResearchProject,
    selection: &[ApprovedTable],
    specs: &'a SpecSet,
    deliveries: &'a [PublishedDelivery],
) -> Result<Vec<TablePlan<'a>>, ResearchError> {
    let pop = &project.population;
    let mut plans = Vec::new();
    for a in selection {
        let (spec, table) = specs
            .newest(&a.collection)
            .and_then(|s| Some((s, s.table(&a.table)?)))
            .ok_or_else(|| {
                ResearchError::Lake(format!("{}.{} has no specification", a.collection, a.table))
            })?;
        let in_population = |d: &&PublishedDelivery| {
            d.collection == a.collection
                && Period::parse(&d.period).is_ok_and(|p| pop.contains_period(p))
                && match spec.scope {
                    Scope::Regional => {
                        RegionCode::parse(&d.region).is_ok_and(|r| pop.regions.contains(r))
                    }
                    Scope::National => true,
                }
                && d.files.iter().any(|f| f.table == a.table)
        };
        let age = pop.age.filter(|_| has_age(table));
        let parent = match (pop.age, age) {
            (Some(range), None) => table
                .references
                .iter()
                .find(|r| spec.table(&r.table).is_some_and(has_age))
                .map(|r| (r.field.clone(), r.table.clone(), range)),
            _ => None,
        };
        if pop.age.is_some() && age.is_none() && parent.is_none() {
            // `check_selection` refuses such a project; never release an unfiltered table.
            return Err(ResearchError::Lake(format!(
                "{}.{} cannot be limited by age",
                a.collection, a.table
            )));
        }
        let residence = match (&spec.scope, &pop.regions) {
            (Scope::National, Regions::Only(set)) => {
                let field = residence_variable(table).ok_or_else(|| {
                    ResearchError::Lake(format!(
                        "{}.{} cannot be limited to regions",
                        a.collection, a.table
                    ))
                })?;
                Some((field.to_owned(), set.clone()))
            }
            _ => None,
        };
        plans.push(TablePlan {
            spec,
            table,
            columns: columns::plan_columns(table, &a.variables),
            deliveries: deliveries.iter().filter(in_population).collect(),
            age,
            parent,
            residence,
        });
    }
    Ok(plans)
}

fn batches(path: &Path) -> Result<Vec<RecordBatch>, ResearchError> {
    let file = std::fs::File::open(path).map_err(ResearchError::io(path))?;
    let reader = ParquetRecordBatchReaderBuilder::try_new(file)
        .and_then(|b| b.build())
        .map_err(|e| ResearchError::Lake(format!("{}: {e}", path.display())))?;
    reader
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| ResearchError::Lake(format!("{}: {e}", path.display())))
}

type Written = (Vec<TableSummary>, Vec<ReleaseFile>);

/// Write every table (Parquet and CSV) and the dictionary; every file hashed.
fn write_all(
    plans: &[TablePlan<'_>],
    keys: &Keys<'_>,
    project: &ResearchProject,
    release_id: &str,
    folder: &Path,
) -> Result<Written, ResearchError> {
    let mut tables = Vec::new();
    let mut files = Vec::new();
    let mut dict = Vec::new();
    for p in plans {
        let stem = format!("{}.{}", p.spec.id, p.table.name);
        let rows = write_table(p, keys, folder, &stem)?;
        for ext in ["parquet", "csv"] {
            files.push(describe(&folder.join(format!("{stem}.{ext}")), rows)?);
        }
        tables.push(TableSummary {
            collection: p.spec.id.clone(),
            table: p.table.name.clone(),
            rows,
            columns: p.columns.iter().map(|c| c.name.clone()).collect(),
        });
        dict.push(DictTable {
            spec: p.spec,
            table: p.table,
            columns: &p.columns,
            file_stem: stem,
            rows,
        });
    }
    let csv_path = folder.join(DICTIONARY_CSV);
    let md_path = folder.join(DICTIONARY_MD);
    vardhub_store::private::write_file(&csv_path, dictionary::csv(project, &dict))
        .map_err(ResearchError::io(&csv_path))?;
    vardhub_store::private::write_file(&md_path, dictionary::markdown(project, release_id, &dict))
        .map_err(ResearchError::io(&md_path))?;
    files.push(describe(&csv_path, 0)?);
    files.push(describe(&md_path, 0)?);
    files.sort_by(|a, b| a.name.cmp(&b.name));
    Ok((tables, files))
}

/// Name, rows, size and SHA-256 of a written file (read back from disk).
fn describe(path: &Path, rows: u64) -> Result<ReleaseFile, ResearchError> {
    let mut file = std::fs::File::open(path).map_err(ResearchError::io(path))?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    let mut bytes = 0u64;
    loop {
        let n = file.read(&mut buf).map_err(ResearchError::io(path))?;
        if n == 0 {
            break;
        }
        bytes += n as u64;
        hasher.update(&buf[..n]);
    }
    Ok(ReleaseFile {
        name: path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        rows,
        bytes,
        sha256: hex::encode(hasher.finalize()),
    })
}

/// Text cells a spreadsheet would read as a formula get a leading `'` (CSV only).
fn neutralise(batch: &RecordBatch) -> Result<RecordBatch, ResearchError> {
    let columns: Vec<ArrayRef> = batch
        .columns()
        .iter()
        .map(|c| -> ArrayRef {
            if c.data_type() == &DataType::Utf8 {
                let out: StringArray = c
                    .as_string::<i32>()
                    .iter()
                    .map(|v| {
                        v.map(|s| {
                            if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
                                format!("'{s}")
                            } else {
                                s.to_owned()
                            }
                        })
                    })
                    .collect();
                Arc::new(out)
            } else {
                Arc::clone(c)
            }
        })
        .collect();
    RecordBatch::try_new(batch.schema(), columns).map_err(|e| ResearchError::Lake(e.to_string()))
}

/// Write one table's Parquet (zstd) and CSV files; returns its rows.
fn write_table(
    p: &TablePlan<'_>,
    keys: &Keys<'_>,
    folder: &Path,
    stem: &str,
) -> Result<u64, ResearchError> {
    let arrow = |e: datafusion::arrow::error::ArrowError| ResearchError::Lake(e.to_string());
    let parquet_err =
        |e: datafusion::parquet::errors::ParquetError| ResearchError::Lake(e.to_string());
    let schema: SchemaRef = columns::out_schema(&p.columns);
    let pq_path = folder.join(format!("{stem}.parquet"));
    let csv_path = folder.join(format!("{stem}.csv"));
    let pq_file =
        vardhub_store::private::create_new_file(&pq_path).map_err(ResearchError::io(&pq_path))?;
    let csv_file =
        vardhub_store::private::create_new_file(&csv_path).map_err(ResearchError::io(&csv_path))?;
    let props = WriterProperties::builder()
        .set_compression(Compression::ZSTD(
            ZstdLevel::try_new(3).map_err(parquet_err)?,
        ))
        .set_created_by(format!("vardhub {}", env!("CARGO_PKG_VERSION")))
        .build();
    let mut pq =
        ArrowWriter::try_new(pq_file, Arc::clone(&schema), Some(props)).map_err(parquet_err)?;
    let mut csv = WriterBuilder::new()
        .with_header(true)
        .with_date_format("%Y-%m-%d".into())
        .with_timestamp_format("%Y-%m-%d %H:%M:%S".into())
        .build(csv_file);
    let mut rows = 0u64;
    let mut wrote_csv = false;
    for d in &p.deliveries {
        let Some(file) = d.files.iter().find(|f| f.table == p.table.name) else {
            continue;
        };
        let mut filter = RowFilter {
            age: p.age,
            parent: None,
            residence: p.residence.clone(),
        };
        if let Some((field, parent, range)) = &p.parent {
            let mut kept = HashSet::new();
            if let Some(pf) = d.files.iter().find(|f| &f.table == parent) {
                for b in batches(&pf.path)? {
                    columns::kept_keys(&b, field, *range, &mut kept).map_err(arrow)?;
                }
            }
            filter.parent = Some((field.clone(), kept));
        }
        let origin = Origin {
            collection: &d.collection,
            region: &d.region,
        };
        for batch in batches(&file.path)? {
            let batch = if filter.is_empty() {
                batch
            } else {
                let mask = filter.mask(&batch).map_err(arrow)?;
                datafusion::arrow::compute::filter_record_batch(&batch, &mask).map_err(arrow)?
            };
            if batch.num_rows() == 0 {
                continue;
            }
            let out =
                columns::transform(&batch, &p.columns, &schema, keys, &origin).map_err(arrow)?;
            rows += out.num_rows() as u64;
            pq.write(&out).map_err(parquet_err)?;
            csv.write(&neutralise(&out)?).map_err(arrow)?;
            wrote_csv = true;
        }
    }
    if !wrote_csv {
        // The header alone.
        csv.write(&RecordBatch::new_empty(Arc::clone(&schema)))
            .map_err(arrow)?;
    }
    let csv_file = csv.into_inner();
    csv_file.sync_all().map_err(ResearchError::io(&csv_path))?;
    let pq_file = pq.into_inner().map_err(parquet_err)?;
    pq_file.sync_all().map_err(ResearchError::io(&pq_path))?;
    Ok(rows)
}
