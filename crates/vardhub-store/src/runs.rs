//! Indicator runs: each computation's results are one Parquet file under `results/<run>/` and one
//! catalogue row naming its inputs, recipes, software version and timings.

use crate::audit;
use crate::error::StoreError;
use crate::hub::{Hub, remove_all};
use crate::lake::TableWriter;
use crate::time;
use datafusion::arrow::record_batch::RecordBatch;
use serde::Serialize;
use sqlx::Row;
use std::path::PathBuf;

/// The catalogue table, created on demand (also in hubs made before it existed).
const DDL: &str = "CREATE TABLE IF NOT EXISTS indicator_runs (
    id TEXT PRIMARY KEY,
    started_at TEXT NOT NULL,
    finished_at TEXT NOT NULL,
    as_of TEXT NOT NULL,
    software_version TEXT NOT NULL,
    recipes TEXT NOT NULL,
    inputs TEXT NOT NULL,
    result_path TEXT NOT NULL,
    result_sha256 TEXT NOT NULL,
    rows INTEGER NOT NULL,
    timings TEXT NOT NULL,
    kind TEXT NOT NULL DEFAULT 'official',
    trigger TEXT NOT NULL DEFAULT ''
)";

/// Columns added after the table first shipped: (name, definition).
const ADDED_COLUMNS: &[(&str, &str)] = &[
    ("kind", "kind TEXT NOT NULL DEFAULT 'official'"),
    ("trigger", "trigger TEXT NOT NULL DEFAULT ''"),
    ("fine_sha256", "fine_sha256 TEXT NOT NULL DEFAULT ''"),
];

/// What a run is for. Runs of every kind are stored apart (own result folders, never in the
/// release ledger unless official); only the newest **official** run feeds the public API,
/// the pages and the region views.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RunKind {
    /// The published indicators.
    Official,
    /// A draft recipe tried on the lake (seen only by authorised users, unsuppressed).
    Draft,
    /// A what-if scenario.
    Scenario,
    /// A patient-level analysis.
    Analysis,
    /// A research project's computation.
    Project,
}

impl RunKind {
    /// Every kind.
    pub const ALL: [RunKind; 5] = [
        RunKind::Official,
        RunKind::Draft,
        RunKind::Scenario,
        RunKind::Analysis,
        RunKind::Project,
    ];

    /// The name stored in the catalogue.
    pub fn as_str(self) -> &'static str {
        match self {
            RunKind::Official => "official",
            RunKind::Draft => "draft",
            RunKind::Scenario => "scenario",
            RunKind::Analysis => "analysis",
            RunKind::Project => "project",
        }
    }

    /// Parse a stored name.
    pub fn parse(s: &str) -> Option<RunKind> {
        RunKind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// One computation run.
#[derive(Debug, Clone, Serialize)]
pub struct IndicatorRun {
    /// Run id (`run-<UTC timestamp>`).
    pub id: String,
    /// Start (RFC 3339).
    pub started_at: String,
    /// End.
    pub finished_at: String,
    /// The snapshot moment the run read.
    pub as_of: String,
    /// Software version.
    pub software_version: String,
    /// JSON object: indicator id → recipe hash.
    pub recipes: String,
    /// JSON array of the delivery ids read.
    pub inputs: String,
    /// Absolute path of the results file.
    pub result_path: PathBuf,
    /// SHA-256 of the results file.
    pub result_sha256: String,
    /// SHA-256 of the fine-rows file beside it (empty: the run kept none).
    pub fine_sha256: String,
    /// Result rows.
    pub rows: i64,
    /// JSON object: indicator id → milliseconds.
    pub timings: String,
    /// What the run is for.
    pub kind: RunKind,
    /// What started it (`vardhub indicators compute`, an ingest of given deliveries, …).
    pub trigger: String,
}

/// The file beside a run's results that holds its fine rows.
const FINE_FILE: &str = "fine.parquet";

impl IndicatorRun {
    /// Where the run's fine rows are and their SHA-256, if it kept them; the reader checks the
    /// hash before trusting them.
    pub fn fine_file(&self) -> Option<(PathBuf, &str)> {
        (!self.fine_sha256.is_empty()).then(|| {
            (
                self.result_path.with_file_name(FINE_FILE),
                self.fine_sha256.as_str(),
            )
        })
    }
}

impl Hub {
    /// Write a run's results and record the run, with the tables it publishes in the release
    /// ledger (`(table key, body)`), in one step. `run` is filled in with the file's path, hash
    /// and row count.
    pub async fn store_indicator_run(
        &self,
        run: IndicatorRun,
        results: &RecordBatch,
        released: &[(String, String)],
    ) -> Result<IndicatorRun, StoreError> {
        self.store_indicator_run_with_fine(run, results, &[], released)
            .await
    }

    /// As [`Hub::store_indicator_run`], keeping the run's fine rows (the recipes' query output,
    /// `fine` batches of one schema) beside its results, where [`IndicatorRun::fine_file`] finds
    /// them: the next run after an ingest starts from them.
    pub async fn store_indicator_run_with_fine(
        &self,
        mut run: IndicatorRun,
        results: &RecordBatch,
        fine: &[RecordBatch],
        released: &[(String, String)],
    ) -> Result<IndicatorRun, StoreError> {
        self.ensure_runs_table().await?;
        self.ensure_ledger().await?;
        if run.kind != RunKind::Official && !released.is_empty() {
            return Err(StoreError::Conflict(format!(
                "en körning av typen {} publiceras aldrig / a {} run is never released",
                run.kind.as_str(),
                run.kind.as_str()
            )));
        }
        let dir = self.run_dir(&run);
        crate::private::create_dir_all(&dir).map_err(StoreError::io(&dir))?;
        let path = dir.join("indicators.parquet");
        let mut writer = TableWriter::create(&path, "indicators", results.schema())?;
        writer.write(results)?;
        let written = writer.finish()?;
        if let Some(first) = fine.first() {
            let fine_path = dir.join(FINE_FILE);
            let mut writer = TableWriter::create(&fine_path, "fine", first.schema())?;
            for b in fine {
                writer.write(b)?;
            }
            run.fine_sha256 = writer.finish()?.sha256;
        }
        run.result_path = path.clone();
        run.result_sha256 = written.sha256.clone();
        run.rows = written.rows as i64;
        self.record_run(run, &dir, released, "indicators.compute", "system")
            .await
    }

    /// Store the result of a run that is not a table of indicator values (an analysis, a
    /// scenario): `document` (JSON) as `file_name` in the run's own folder, the run recorded with
    /// `rows` (patients, replications …) and `action` in the audit log. Never official: such runs
    /// are never released or served.
    pub async fn store_run_document(
        &self,
        mut run: IndicatorRun,
        file_name: &str,
        document: &[u8],
        rows: i64,
        action: &str,
        actor: &str,
    ) -> Result<IndicatorRun, StoreError> {
        use sha2::{Digest, Sha256};
        self.ensure_runs_table().await?;
        self.ensure_ledger().await?;
        if run.kind == RunKind::Official {
            return Err(StoreError::Conflict(
                "en officiell körning är en indikatortabell / an official run is a table of indicators"
                    .into(),
            ));
        }
        let dir = self.run_dir(&run);
        crate::private::create_dir_all(&dir).map_err(StoreError::io(&dir))?;
        let path = dir.join(file_name);
        crate::private::create_file(&path)
            .and_then(|mut f| {
                std::io::Write::write_all(&mut f, document).and_then(|_| f.sync_all())
            })
            .map_err(StoreError::io(&path))?;
        run.result_path = path;
        run.result_sha256 = hex::encode(Sha256::digest(document));
        run.rows = rows;
        self.record_run(run, &dir, &[], action, actor).await
    }

    fn run_dir(&self, run: &IndicatorRun) -> PathBuf {
        let results_dir = self.layout.root().join("results");
        match run.kind {
            RunKind::Official => results_dir.join(&run.id),
            kind => results_dir.join(kind.as_str()).join(&run.id),
        }
    }

    /// Insert the run's row, its release and an audit entry in one transaction; on failure the
    /// run's folder is removed.
    async fn record_run(
        &self,
        run: IndicatorRun,
        dir: &std::path::Path,
        released: &[(String, String)],
        action: &str,
        actor: &str,
    ) -> Result<IndicatorRun, StoreError> {
        let rel = self.relative(&run.result_path);
        let key = self.audit_key()?;
        let outcome: Result<audit::Head, StoreError> = async {
            let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
            sqlx::query(
                "INSERT INTO indicator_runs (id, started_at, finished_at, as_of, software_version, recipes, inputs,
                     result_path, result_sha256, rows, timings, kind, trigger, fine_sha256)
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            )
            .bind(&run.id)
            .bind(&run.started_at)
            .bind(&run.finished_at)
            .bind(&run.as_of)
            .bind(&run.software_version)
            .bind(&run.recipes)
            .bind(&run.inputs)
            .bind(&rel)
            .bind(&run.result_sha256)
            .bind(run.rows)
            .bind(&run.timings)
            .bind(run.kind.as_str())
            .bind(&run.trigger)
            .bind(&run.fine_sha256)
            .execute(&mut *tx)
            .await?;
            crate::ledger::record(&mut tx, &run.id, released).await?;
            let details = format!(
                "{} run, {} rows, {} tables released",
                run.kind.as_str(),
                run.rows,
                released.len()
            );
            let head = audit::append(&mut tx, key, actor, action, &run.id, &details).await?;
            tx.commit().await?;
            Ok(head)
        }
        .await;
        match outcome {
            Ok(head) => self.anchor_audit(&head),
            Err(e) => {
                let _ = remove_all(dir);
                return Err(e);
            }
        }
        Ok(run)
    }

    /// The runs table, with the columns added since it first shipped.
    pub(crate) async fn ensure_runs_table(&self) -> Result<(), StoreError> {
        sqlx::query(DDL).execute(&self.pool).await?;
        let columns: Vec<String> =
            sqlx::query("SELECT name FROM pragma_table_info('indicator_runs')")
                .fetch_all(&self.pool)
                .await?
                .into_iter()
                .map(|r| r.get(0))
                .collect();
        for (name, definition) in ADDED_COLUMNS {
            if !columns.iter().any(|c| c == name) {
                // A constant of this file, never input.
                sqlx::query(sqlx::AssertSqlSafe(format!(
                    "ALTER TABLE indicator_runs ADD COLUMN {definition}"
                )))
                .execute(&self.pool)
                .await?;
            }
        }
        Ok(())
    }

    /// Indicator runs of every kind, newest first.
    pub async fn indicator_runs(&self) -> Result<Vec<IndicatorRun>, StoreError> {
        self.runs_where(None).await
    }

    /// Indicator runs of one kind, newest first.
    pub async fn indicator_runs_of(&self, kind: RunKind) -> Result<Vec<IndicatorRun>, StoreError> {
        self.runs_where(Some(kind)).await
    }

    /// The newest official run: the one the public API, the pages and the region views serve.
    pub async fn latest_official_run(&self) -> Result<Option<IndicatorRun>, StoreError> {
        Ok(self
            .runs_where(Some(RunKind::Official))
            .await?
            .into_iter()
            .next())
    }

    async fn runs_where(&self, kind: Option<RunKind>) -> Result<Vec<IndicatorRun>, StoreError> {
        self.ensure_runs_table().await?;
        let rows = sqlx::query(
            "SELECT id, started_at, finished_at, as_of, software_version, recipes, inputs, result_path,
                    result_sha256, rows, timings, kind, trigger, fine_sha256 FROM indicator_runs
             WHERE ?1 IS NULL OR kind = ?1
             ORDER BY started_at DESC, id DESC",
        )
        .bind(kind.map(RunKind::as_str))
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|r| IndicatorRun {
                id: r.get(0),
                started_at: r.get(1),
                finished_at: r.get(2),
                as_of: r.get(3),
                software_version: r.get(4),
                recipes: r.get(5),
                inputs: r.get(6),
                result_path: self.layout.root().join(r.get::<String, _>(7)),
                result_sha256: r.get(8),
                rows: r.get(9),
                timings: r.get(10),
                // Unknown kinds (a newer hub's) are never taken for official.
                kind: RunKind::parse(&r.get::<String, _>(11)).unwrap_or(RunKind::Draft),
                trigger: r.get(12),
                fine_sha256: r.get(13),
            })
            .collect())
    }
}

/// A new official run record (id from the start time), to be filled in by the caller.
pub fn new_run(
    as_of: chrono::DateTime<chrono::Utc>,
    started: chrono::DateTime<chrono::Utc>,
) -> IndicatorRun {
    IndicatorRun {
        id: format!("run-{}", started.format("%Y%m%dT%H%M%S%6fZ")),
        started_at: time::fmt(started),
        finished_at: time::fmt(time::now_utc()),
        as_of: time::fmt(as_of),
        software_version: format!("vardhub {}", env!("CARGO_PKG_VERSION")),
        recipes: String::new(),
        inputs: String::new(),
        result_path: PathBuf::new(),
        result_sha256: String::new(),
        fine_sha256: String::new(),
        rows: 0,
        timings: String::new(),
        kind: RunKind::Official,
        trigger: String::new(),
    }
}
