//! External sources' values (track A) as the catalogue keeps them: one row per import of a
//! source, numbered 1, 2, … per source, with its report, its valid values (JSON: aggregates,
//! never personal data) and the SHA-256 of the file; `source_current` names the version readers
//! see. A rejected import is recorded with its report and never becomes current; a held one (far
//! smaller than the current version) waits for [`Hub::confirm_source_version`].
//!
//! Each import is one `BEGIN IMMEDIATE` transaction: the caller's decision sees the current
//! version ([`SourceVersion`] without body) and the number the new one gets, so two imports of
//! one source are serialised and the decision cannot race the store. Audited `sources.import`
//! and `sources.confirm`. Tables are created on demand.

use crate::audit;
use crate::error::StoreError;
use crate::hub::Hub;
use crate::time;
use sqlx::Row;

const DDL: &[&str] = &[
    "CREATE TABLE IF NOT EXISTS source_versions (
        source TEXT NOT NULL,
        version INTEGER NOT NULL,
        status TEXT NOT NULL,
        imported_at TEXT NOT NULL,
        imported_by TEXT NOT NULL,
        file TEXT NOT NULL,
        sha256 TEXT NOT NULL,
        rows INTEGER NOT NULL,
        indicators TEXT NOT NULL,
        report TEXT NOT NULL,
        body TEXT,
        PRIMARY KEY (source, version)
    )",
    "CREATE TABLE IF NOT EXISTS source_current (
        source TEXT PRIMARY KEY,
        version INTEGER NOT NULL
    )",
    "CREATE TRIGGER IF NOT EXISTS source_versions_no_delete BEFORE DELETE ON source_versions
        BEGIN SELECT RAISE(ABORT, 'source versions are kept'); END",
];

/// One stored import of a source (without its values).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SourceVersion {
    /// The source's id.
    pub source: String,
    /// 1, 2, … per source.
    pub version: u32,
    /// `accepted`, `accepted_with_warnings`, `held` or `rejected`.
    pub status: String,
    /// Whether readers see it.
    pub current: bool,
    /// When (RFC 3339 UTC).
    pub imported_at: String,
    /// Who imported it.
    pub imported_by: String,
    /// The file's name (masked by the caller).
    pub file: String,
    /// The file's SHA-256.
    pub sha256: String,
    /// Valid rows.
    pub rows: u64,
    /// The indicators and their rows, as JSON (the caller's format).
    pub indicators: String,
}

/// What an import stores, before its number and status are decided.
#[derive(Debug, Clone)]
pub struct NewSourceVersion {
    /// The source's id.
    pub source: String,
    /// Who imports it.
    pub imported_by: String,
    /// The file's name (masked).
    pub file: String,
    /// The file's SHA-256.
    pub sha256: String,
    /// Valid rows.
    pub rows: u64,
    /// The indicators and their rows (JSON).
    pub indicators: String,
    /// The values (JSON), `None` for a rejected file.
    pub body: Option<String>,
}

/// The caller's decision, made inside the transaction.
#[derive(Debug, Clone)]
pub struct SourceDecision {
    /// `accepted`, `accepted_with_warnings`, `held` or `rejected`.
    pub status: String,
    /// Whether the new version becomes current.
    pub make_current: bool,
    /// The report (JSON) to store with it.
    pub report: String,
}

fn summary(r: &sqlx::sqlite::SqliteRow) -> SourceVersion {
    SourceVersion {
        source: r.get("source"),
        version: u32::try_from(r.get::<i64, _>("version")).unwrap_or(0),
        status: r.get("status"),
        current: r.get::<i64, _>("is_current") != 0,
        imported_at: r.get("imported_at"),
        imported_by: r.get("imported_by"),
        file: r.get("file"),
        sha256: r.get("sha256"),
        rows: u64::try_from(r.get::<i64, _>("rows")).unwrap_or(0),
        indicators: r.get("indicators"),
    }
}

macro_rules! select {
    () => {
        "SELECT v.source, v.version, v.status, v.imported_at, v.imported_by, v.file,
        v.sha256, v.rows, v.indicators,
        (c.version IS NOT NULL) AS is_current
    FROM source_versions v
    LEFT JOIN source_current c ON c.source = v.source AND c.version = v.version"
    };
}

impl Hub {
    async fn ensure_source_tables(&self) -> Result<(), StoreError> {
        for ddl in DDL {
            sqlx::query(*ddl).execute(&self.pool).await?;
        }
        Ok(())
    }

    /// Store an import as the source's next version. `decide` gets the current version (if
    /// any) and the new version's number and returns the status, whether it becomes current and
    /// the report; all in one transaction with the audit entry `sources.import`. Returns the
    /// version number.
    pub async fn store_source_version(
        &self,
        new: NewSourceVersion,
        decide: impl FnOnce(Option<&SourceVersion>, u32) -> SourceDecision,
    ) -> Result<(u32, SourceDecision), StoreError> {
        self.ensure_source_tables().await?;
        let key = self.audit_key()?;
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let current = sqlx::query(concat!(select!(), " WHERE c.source = ?"))
            .bind(&new.source)
            .fetch_optional(&mut *tx)
            .await?
            .map(|r| summary(&r));
        let next: i64 = sqlx::query(
            "SELECT COALESCE(MAX(version), 0) + 1 FROM source_versions WHERE source = ?",
        )
        .bind(&new.source)
        .fetch_one(&mut *tx)
        .await?
        .get(0);
        let version = u32::try_from(next)
            .map_err(|_| StoreError::Internal("source version out of range".into()))?;
        let decision = decide(current.as_ref(), version);
        let at = time::fmt(time::now_utc());
        sqlx::query(
            "INSERT INTO source_versions (source, version, status, imported_at, imported_by,
                file, sha256, rows, indicators, report, body)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(&new.source)
        .bind(next)
        .bind(&decision.status)
        .bind(&at)
        .bind(&new.imported_by)
        .bind(&new.file)
        .bind(&new.sha256)
        .bind(i64::try_from(new.rows).unwrap_or(i64::MAX))
        .bind(&new.indicators)
        .bind(&decision.report)
        .bind(
            new.body
                .as_deref()
                .filter(|_| decision.status != "rejected"),
        )
        .execute(&mut *tx)
        .await?;
        if decision.make_current {
            set_current(&mut tx, &new.source, next).await?;
        }
        let details = format!(
            "status={} rows={} current={} sha256={}",
            decision.status, new.rows, decision.make_current, new.sha256
        );
        let head = audit::append(
            &mut tx,
            key,
            &new.imported_by,
            "sources.import",
            &format!("{}/v{version}", new.source),
            &details,
        )
        .await?;
        tx.commit().await?;
        self.anchor_audit(&head);
        Ok((version, decision))
    }

    /// Make a held version current (an operator confirmed that the smaller import is right);
    /// audited `sources.confirm`. A version that is not held is a conflict.
    pub async fn confirm_source_version(
        &self,
        source: &str,
        version: u32,
        actor: &str,
    ) -> Result<(), StoreError> {
        self.ensure_source_tables().await?;
        let key = self.audit_key()?;
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let status: Option<String> =
            sqlx::query("SELECT status FROM source_versions WHERE source = ? AND version = ?")
                .bind(source)
                .bind(i64::from(version))
                .fetch_optional(&mut *tx)
                .await?
                .map(|r| r.get(0));
        if status.as_deref() != Some("held") {
            return Err(StoreError::Conflict(format!(
                "{source} v{version} väntar inte på bekräftelse / is not held"
            )));
        }
        set_current(&mut tx, source, i64::from(version)).await?;
        let head = audit::append(
            &mut tx,
            key,
            actor,
            "sources.confirm",
            &format!("{source}/v{version}"),
            "",
        )
        .await?;
        tx.commit().await?;
        self.anchor_audit(&head);
        Ok(())
    }

    /// Every stored version of one source or of all, oldest first per source.
    pub async fn source_versions(
        &self,
        source: Option<&str>,
    ) -> Result<Vec<SourceVersion>, StoreError> {
        self.ensure_source_tables().await?;
        let rows = sqlx::query(concat!(
            select!(),
            " WHERE (?1 IS NULL OR v.source = ?1) ORDER BY v.source, v.version"
        ))
        .bind(source)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.iter().map(summary).collect())
    }

    /// The current version of every source with its values (JSON), in source order.
    pub async fn current_source_bodies(&self) -> Result<Vec<(SourceVersion, String)>, StoreError> {
        self.ensure_source_tables().await?;
        let rows = sqlx::query(
            "SELECT v.source, v.version, v.status, v.imported_at, v.imported_by, v.file,
                v.sha256, v.rows, v.indicators, 1 AS is_current, v.body
             FROM source_versions v
             JOIN source_current c ON c.source = v.source AND c.version = v.version
             WHERE v.body IS NOT NULL ORDER BY v.source",
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .iter()
            .map(|r| (summary(r), r.get::<String, _>("body")))
            .collect())
    }

    /// The stored report (JSON) of one version.
    pub async fn source_report(
        &self,
        source: &str,
        version: u32,
    ) -> Result<Option<String>, StoreError> {
        self.ensure_source_tables().await?;
        Ok(
            sqlx::query("SELECT report FROM source_versions WHERE source = ? AND version = ?")
                .bind(source)
                .bind(i64::from(version))
                .fetch_optional(&self.pool)
                .await?
                .map(|r| r.get(0)),
        )
    }
}

async fn set_current(
    tx: &mut sqlx::Transaction<'static, sqlx::Sqlite>,
    source: &str,
    version: i64,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO source_current (source, version) VALUES (?, ?)
         ON CONFLICT (source) DO UPDATE SET version = excluded.version",
    )
    .bind(source)
    .bind(version)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
