//! The release ledger: what each indicator run published, table by table.
//!
//! Disclosure control must check a new release against everything published before (an intruder
//! compares releases). Each run records, in the same transaction as the run itself, one entry per
//! published table: a key (indicator and period) and a body (the table's true values and the
//! statuses it was published with — internal, like the run's results). Bodies are stored once by
//! their SHA-256, so a run that publishes a table unchanged adds only a reference. The catalogue
//! refuses updates and deletes of both tables: the ledger only grows.

use crate::error::StoreError;
use crate::hub::Hub;
use sha2::{Digest, Sha256};
use sqlx::{Row, Sqlite, Transaction};

/// Created on demand (also in hubs made before the ledger existed).
const DDL: &[&str] = &[
    "CREATE TABLE IF NOT EXISTS release_bodies (
        sha256 TEXT PRIMARY KEY,
        body TEXT NOT NULL
    )",
    "CREATE TABLE IF NOT EXISTS releases (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        run_id TEXT NOT NULL,
        table_key TEXT NOT NULL,
        body_sha256 TEXT NOT NULL REFERENCES release_bodies (sha256),
        UNIQUE (run_id, table_key)
    )",
    "CREATE TRIGGER IF NOT EXISTS releases_no_update BEFORE UPDATE ON releases
        BEGIN SELECT RAISE(ABORT, 'the release ledger is append-only'); END",
    "CREATE TRIGGER IF NOT EXISTS releases_no_delete BEFORE DELETE ON releases
        BEGIN SELECT RAISE(ABORT, 'the release ledger is append-only'); END",
    "CREATE TRIGGER IF NOT EXISTS release_bodies_no_update BEFORE UPDATE ON release_bodies
        BEGIN SELECT RAISE(ABORT, 'the release ledger is append-only'); END",
    "CREATE TRIGGER IF NOT EXISTS release_bodies_no_delete BEFORE DELETE ON release_bodies
        BEGIN SELECT RAISE(ABORT, 'the release ledger is append-only'); END",
    // Run before conflict resolution: `INSERT OR REPLACE` of an existing entry would delete it
    // without firing the delete triggers. (A body inserted again with the same content is what
    // `INSERT OR IGNORE` does on every run: allowed.)
    "CREATE TRIGGER IF NOT EXISTS releases_no_replace BEFORE INSERT ON releases
        WHEN EXISTS (SELECT 1 FROM releases WHERE run_id = NEW.run_id AND table_key = NEW.table_key)
        BEGIN SELECT RAISE(ABORT, 'the release ledger is append-only'); END",
    "CREATE TRIGGER IF NOT EXISTS release_bodies_no_replace BEFORE INSERT ON release_bodies
        WHEN EXISTS (SELECT 1 FROM release_bodies WHERE sha256 = NEW.sha256 AND body IS NOT NEW.body)
        BEGIN SELECT RAISE(ABORT, 'the release ledger is append-only'); END",
];

/// One published table in the ledger.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LedgerEntry {
    /// The run that published it.
    pub run_id: String,
    /// Which table (e.g. `indicator/period`).
    pub table_key: String,
    /// The table as published (JSON, defined by the engine).
    pub body: String,
}

impl Hub {
    pub(crate) async fn ensure_ledger(&self) -> Result<(), StoreError> {
        for ddl in DDL {
            sqlx::query(*ddl).execute(&self.pool).await?;
        }
        Ok(())
    }

    /// Every ledger entry of runs recorded before `run_id` (all entries when `None` or when the run
    /// has none), oldest first.
    pub async fn releases_before(
        &self,
        run_id: Option<&str>,
    ) -> Result<Vec<LedgerEntry>, StoreError> {
        self.ensure_ledger().await?;
        let first_of_run: Option<i64> = match run_id {
            Some(id) => sqlx::query("SELECT MIN(seq) FROM releases WHERE run_id = ?")
                .bind(id)
                .fetch_one(&self.pool)
                .await?
                .get(0),
            None => None,
        };
        let rows = sqlx::query(
            "SELECT r.run_id, r.table_key, b.body FROM releases r
             JOIN release_bodies b ON b.sha256 = r.body_sha256
             WHERE r.seq < ? ORDER BY r.seq",
        )
        .bind(first_of_run.unwrap_or(i64::MAX))
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(entry).collect())
    }

    /// The ledger entries of one run (empty if it recorded none).
    pub async fn release_of(&self, run_id: &str) -> Result<Vec<LedgerEntry>, StoreError> {
        self.ensure_ledger().await?;
        let rows = sqlx::query(
            "SELECT r.run_id, r.table_key, b.body FROM releases r
             JOIN release_bodies b ON b.sha256 = r.body_sha256
             WHERE r.run_id = ? ORDER BY r.seq",
        )
        .bind(run_id)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(entry).collect())
    }
}

fn entry(r: sqlx::sqlite::SqliteRow) -> LedgerEntry {
    LedgerEntry {
        run_id: r.get(0),
        table_key: r.get(1),
        body: r.get(2),
    }
}

/// Record a run's published tables inside the run's transaction.
pub(crate) async fn record(
    tx: &mut Transaction<'static, Sqlite>,
    run_id: &str,
    tables: &[(String, String)],
) -> Result<(), StoreError> {
    for (key, body) in tables {
        let sha = hex::encode(Sha256::digest(body.as_bytes()));
        sqlx::query("INSERT OR IGNORE INTO release_bodies (sha256, body) VALUES (?, ?)")
            .bind(&sha)
            .bind(body)
            .execute(&mut **tx)
            .await?;
        sqlx::query("INSERT INTO releases (run_id, table_key, body_sha256) VALUES (?, ?, ?)")
            .bind(run_id)
            .bind(key)
            .bind(&sha)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::arrow::array::Int64Array;
    use datafusion::arrow::datatypes::{DataType, Field, Schema};
    use datafusion::arrow::record_batch::RecordBatch;
    use sqlx::sqlite::SqliteConnectOptions;
    use sqlx::{Connection, SqliteConnection};
    use std::sync::Arc;

    fn batch() -> RecordBatch {
        let schema = Arc::new(Schema::new(vec![Field::new("x", DataType::Int64, false)]));
        RecordBatch::try_new(schema, vec![Arc::new(Int64Array::from(vec![1, 2]))]).unwrap()
    }

    async fn store(hub: &Hub, id: &str, tables: &[(&str, &str)]) {
        let mut run = crate::new_run(crate::now_utc(), crate::now_utc());
        run.id = id.to_owned();
        let tables: Vec<(String, String)> = tables
            .iter()
            .map(|(k, b)| ((*k).to_owned(), (*b).to_owned()))
            .collect();
        hub.store_indicator_run(run, &batch(), &tables)
            .await
            .unwrap();
    }

    #[tokio::test]
    async fn the_ledger_keeps_every_release_in_order_and_only_grows() {
        let dir = tempfile::tempdir().unwrap();
        let hub = crate::hub::test_hub(dir.path()).await;
        assert!(hub.releases_before(None).await.unwrap().is_empty());
        store(
            &hub,
            "run-a",
            &[("ami/2024-01", "A1"), ("ami/2024-02", "A2")],
        )
        .await;
        store(
            &hub,
            "run-b",
            &[("ami/2024-01", "A1"), ("ami/2024-02", "B2")],
        )
        .await;
        store(&hub, "run-c", &[("ami/2024-01", "C1")]).await;
        let all = hub.releases_before(None).await.unwrap();
        let bodies: Vec<&str> = all.iter().map(|e| e.body.as_str()).collect();
        assert_eq!(bodies, ["A1", "A2", "A1", "B2", "C1"]);
        let before_c = hub.releases_before(Some("run-c")).await.unwrap();
        assert_eq!(before_c.len(), 4);
        assert!(before_c.iter().all(|e| e.run_id != "run-c"));
        let of_b = hub.release_of("run-b").await.unwrap();
        assert_eq!(
            of_b.iter()
                .map(|e| (e.table_key.as_str(), e.body.as_str()))
                .collect::<Vec<_>>(),
            [("ami/2024-01", "A1"), ("ami/2024-02", "B2")]
        );
        // A body published twice is stored once.
        let mut raw = SqliteConnection::connect_with(
            &SqliteConnectOptions::new().filename(hub.layout().catalogue()),
        )
        .await
        .unwrap();
        let n: i64 = sqlx::query("SELECT COUNT(*) FROM release_bodies")
            .fetch_one(&mut raw)
            .await
            .unwrap()
            .get(0);
        assert_eq!(n, 4);
        for sql in [
            "DELETE FROM releases WHERE run_id = 'run-a'",
            "UPDATE releases SET body_sha256 = 'x'",
            "DELETE FROM release_bodies",
            "UPDATE release_bodies SET body = 'forged'",
            "INSERT OR REPLACE INTO releases (run_id, table_key, body_sha256)
             SELECT run_id, table_key, body_sha256 FROM releases LIMIT 1",
            "INSERT OR REPLACE INTO release_bodies (sha256, body)
             SELECT sha256, 'forged' FROM release_bodies LIMIT 1",
        ] {
            let refused = sqlx::query(sql).execute(&mut raw).await;
            assert!(refused.is_err(), "{sql} was accepted");
        }
        assert_eq!(hub.releases_before(None).await.unwrap(), all);
        // The run and its release were audited together.
        let entries = hub.audit_entries().await.unwrap();
        assert!(
            entries
                .iter()
                .any(|e| e.object == "run-b" && e.details.contains("2 tables released"))
        );
    }
}
