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
    timings TEXT NOT NULL
)";

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
    /// Result rows.
    pub rows: i64,
    /// JSON object: indicator id → milliseconds.
    pub timings: String,
}

impl Hub {
    /// Write a run's results and record the run, with the tables it publishes in the release
    /// ledger (`(table key, body)`), in one step. `run` is filled in with the file's path, hash
    /// and row count.
    pub async fn store_indicator_run(
        &self,
        mut run: IndicatorRun,
        results: &RecordBatch,
        released: &[(String, String)],
    ) -> Result<IndicatorRun, StoreError> {
        sqlx::query(DDL).execute(&self.pool).await?;
        self.ensure_ledger().await?;
        let dir = self.layout.root().join("results").join(&run.id);
        crate::private::create_dir_all(&dir).map_err(StoreError::io(&dir))?;
        let path = dir.join("indicators.parquet");
        let mut writer = TableWriter::create(&path, "indicators", results.schema())?;
        writer.write(results)?;
        let written = writer.finish()?;
        run.result_path = path.clone();
        run.result_sha256 = written.sha256.clone();
        run.rows = written.rows as i64;
        let rel = self.relative(&path);
        let key = self.audit_key()?;
        let outcome: Result<audit::Head, StoreError> = async {
            let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
            sqlx::query(
                "INSERT INTO indicator_runs (id, started_at, finished_at, as_of, software_version, recipes, inputs,
                     result_path, result_sha256, rows, timings) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
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
            .execute(&mut *tx)
            .await?;
            crate::ledger::record(&mut tx, &run.id, released).await?;
            let details = format!("{} rows, {} tables released", run.rows, released.len());
            let head = audit::append(&mut tx, key, "system", "indicators.compute", &run.id, &details).await?;
            tx.commit().await?;
            Ok(head)
        }
        .await;
        match outcome {
            Ok(head) => self.anchor_audit(&head),
            Err(e) => {
                let _ = remove_all(&dir);
                return Err(e);
            }
        }
        Ok(run)
    }

    /// Indicator runs, newest first.
    pub async fn indicator_runs(&self) -> Result<Vec<IndicatorRun>, StoreError> {
        sqlx::query(DDL).execute(&self.pool).await?;
        let rows = sqlx::query(
            "SELECT id, started_at, finished_at, as_of, software_version, recipes, inputs, result_path,
                    result_sha256, rows, timings FROM indicator_runs ORDER BY started_at DESC, id DESC",
        )
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
            })
            .collect())
    }
}

/// A new run record (to be completed by [`Hub::store_indicator_run`]).
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
        rows: 0,
        timings: String::new(),
    }
}
