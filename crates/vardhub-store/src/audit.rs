//! The append-only, hash-chained audit log.
//!
//! Each entry's hash is SHA-256 over the previous entry's hash and the entry's own fields, so that
//! changing or removing any entry breaks every later hash. The catalogue also refuses `UPDATE` and
//! `DELETE` on the table. Entries never contain personal data: actors are user names or `system`,
//! objects are delivery ids and similar.

use crate::error::StoreError;
use crate::hub::Hub;
use crate::time;
use sha2::{Digest, Sha256};
use sqlx::{Row, Sqlite, Transaction};

const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One audit entry.
#[derive(Debug, Clone, serde::Serialize)]
pub struct AuditEntry {
    /// Sequence number, from 1.
    pub seq: i64,
    /// When (RFC 3339 UTC).
    pub at: String,
    /// Who (user name, or `system`).
    pub actor: String,
    /// What kind of action (`ingest.publish`, `ingest.reject`, `read`, …).
    pub action: String,
    /// On what (delivery id, indicator id, …).
    pub object: String,
    /// Further details (no personal data).
    pub details: String,
    /// Hash of the previous entry.
    pub prev_hash: String,
    /// This entry's hash.
    pub hash: String,
}

/// The audit chain is broken.
#[derive(Debug, thiserror::Error)]
#[error(
    "granskningsloggen är bruten vid post {seq}: {reason} / the audit log is broken at entry {seq}"
)]
pub struct AuditError {
    /// The first entry that does not verify.
    pub seq: i64,
    /// Why.
    pub reason: String,
}

fn entry_hash(
    prev: &str,
    seq: i64,
    at: &str,
    actor: &str,
    action: &str,
    object: &str,
    details: &str,
) -> String {
    let mut h = Sha256::new();
    for part in [prev, &seq.to_string(), at, actor, action, object, details] {
        h.update((part.len() as u64).to_be_bytes());
        h.update(part.as_bytes());
    }
    hex::encode(h.finalize())
}

/// Append an entry inside an open transaction (so it commits or rolls back with the change it records).
pub(crate) async fn append(
    tx: &mut Transaction<'static, Sqlite>,
    actor: &str,
    action: &str,
    object: &str,
    details: &str,
) -> Result<i64, StoreError> {
    let last = sqlx::query("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")
        .fetch_optional(&mut **tx)
        .await?;
    let (seq, prev) = match last {
        Some(r) => (r.get::<i64, _>(0) + 1, r.get::<String, _>(1)),
        None => (1, GENESIS.to_owned()),
    };
    let at = time::fmt(time::now_utc());
    let hash = entry_hash(&prev, seq, &at, actor, action, object, details);
    sqlx::query(
        "INSERT INTO audit_log (seq, at, actor, action, object, details, prev_hash, hash)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(seq)
    .bind(&at)
    .bind(actor)
    .bind(action)
    .bind(object)
    .bind(details)
    .bind(&prev)
    .bind(&hash)
    .execute(&mut **tx)
    .await?;
    Ok(seq)
}

impl Hub {
    /// Append one audit entry in its own transaction.
    pub async fn append_audit(
        &self,
        actor: &str,
        action: &str,
        object: &str,
        details: &str,
    ) -> Result<i64, StoreError> {
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let seq = append(&mut tx, actor, action, object, details).await?;
        tx.commit().await?;
        Ok(seq)
    }

    /// All audit entries, oldest first.
    pub async fn audit_entries(&self) -> Result<Vec<AuditEntry>, StoreError> {
        let rows = sqlx::query(
            "SELECT seq, at, actor, action, object, details, prev_hash, hash FROM audit_log ORDER BY seq",
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|r| AuditEntry {
                seq: r.get(0),
                at: r.get(1),
                actor: r.get(2),
                action: r.get(3),
                object: r.get(4),
                details: r.get(5),
                prev_hash: r.get(6),
                hash: r.get(7),
            })
            .collect())
    }

    /// Check the whole chain; returns the number of entries verified.
    pub async fn verify_audit(&self) -> Result<Result<usize, AuditError>, StoreError> {
        let entries = self.audit_entries().await?;
        let mut prev = GENESIS.to_owned();
        for (i, e) in entries.iter().enumerate() {
            if e.seq != i as i64 + 1 {
                return Ok(Err(AuditError {
                    seq: e.seq,
                    reason: format!("sequence gap (expected {})", i + 1),
                }));
            }
            if e.prev_hash != prev {
                return Ok(Err(AuditError {
                    seq: e.seq,
                    reason: "previous hash does not match".into(),
                }));
            }
            let h = entry_hash(
                &prev, e.seq, &e.at, &e.actor, &e.action, &e.object, &e.details,
            );
            if h != e.hash {
                return Ok(Err(AuditError {
                    seq: e.seq,
                    reason: "entry hash does not match its contents".into(),
                }));
            }
            prev = h;
        }
        Ok(Ok(entries.len()))
    }
}
