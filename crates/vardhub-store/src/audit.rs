//! The append-only, keyed audit log.
//!
//! Each entry's MAC is HMAC-SHA256, keyed with the hub's audit key ([`AuditKey`], kept outside the
//! data directory), over the previous entry's MAC and the entry's own fields: changing, inserting
//! or removing an entry breaks the chain, and without the key nobody can compute a new valid chain
//! after an edit. Removing entries from the end is caught by the checkpoints outside the catalogue
//! ([`crate::anchor`]). The catalogue also refuses `UPDATE` and `DELETE` on the table and any insert
//! that is not the next sequence number (so `INSERT OR REPLACE` cannot replace a row). Entries never
//! contain personal data: actors are user names or `system`, objects are delivery ids and similar.

use crate::anchor;
use crate::error::StoreError;
use crate::hub::Hub;
use crate::keys::AuditKey;
use crate::time;
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
    /// MAC of the previous entry.
    pub prev_hash: String,
    /// This entry's MAC (HMAC-SHA256 with the audit key).
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

#[allow(clippy::too_many_arguments)]
fn entry_mac(
    key: &AuditKey,
    prev: &str,
    seq: i64,
    at: &str,
    actor: &str,
    action: &str,
    object: &str,
    details: &str,
) -> String {
    key.mac(&[prev, &seq.to_string(), at, actor, action, object, details])
}

/// The newest entry after an append: what a checkpoint records.
#[derive(Debug, Clone)]
pub(crate) struct Head {
    pub seq: i64,
    pub mac: String,
}

/// Append an entry inside an open transaction (so it commits or rolls back with the change it records).
/// Call [`Hub::anchor_audit`] with the returned head after the commit.
pub(crate) async fn append(
    tx: &mut Transaction<'static, Sqlite>,
    key: &AuditKey,
    actor: &str,
    action: &str,
    object: &str,
    details: &str,
) -> Result<Head, StoreError> {
    let last = sqlx::query("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")
        .fetch_optional(&mut **tx)
        .await?;
    let (seq, prev) = match last {
        Some(r) => (r.get::<i64, _>(0) + 1, r.get::<String, _>(1)),
        None => (1, GENESIS.to_owned()),
    };
    let at = time::fmt(time::now_utc());
    let hash = entry_mac(key, &prev, seq, &at, actor, action, object, details);
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
    Ok(Head { seq, mac: hash })
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
        let key = self.audit_key()?;
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let head = append(&mut tx, key, actor, action, object, details).await?;
        tx.commit().await?;
        anchor::append(key, head.seq, &head.mac, false)?;
        Ok(head.seq)
    }

    /// Write a checkpoint of `head` after the transaction that appended it committed. The entry is
    /// committed either way, so a failure is logged, not returned: the next checkpoint (at the
    /// latest [`Hub::close`]) covers it.
    pub(crate) fn anchor_audit(&self, head: &Head) {
        if let Ok(key) = self.audit_key()
            && let Err(e) = anchor::append(key, head.seq, &head.mac, false)
        {
            tracing::error!(error = %e, "audit checkpoint not written");
        }
    }

    /// Write a checkpoint of the newest audit entry and flush it to disk (at the end of an
    /// ingest, a command, a server's life).
    pub async fn checkpoint_audit(&self) -> Result<(), StoreError> {
        let key = self.audit_key()?;
        let last = sqlx::query("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")
            .fetch_optional(&self.pool)
            .await?;
        if let Some(r) = last {
            anchor::append(key, r.get(0), &r.get::<String, _>(1), true)?;
        }
        Ok(())
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

    /// Check the whole chain with the audit key, and every checkpoint outside the catalogue;
    /// returns the number of entries verified. Needs the audit key.
    pub async fn verify_audit(&self) -> Result<Result<usize, AuditError>, StoreError> {
        let key = self.audit_key()?;
        // Checkpoints first: one is written only after its entry committed, so every checkpoint
        // read here names an entry the read below sees. Read the other way round, an append
        // landing between the two reads looks like a truncated log.
        let anchors = anchor::read(key)?;
        let entries = self.audit_entries().await?;
        let broken = |seq: i64, reason: String| Ok(Err(AuditError { seq, reason }));
        let mut prev = GENESIS.to_owned();
        for (i, e) in entries.iter().enumerate() {
            if e.seq != i as i64 + 1 {
                return broken(e.seq, format!("sequence gap (expected {})", i + 1));
            }
            if e.prev_hash != prev {
                return broken(e.seq, "previous MAC does not match".into());
            }
            let mac = entry_mac(
                key, &prev, e.seq, &e.at, &e.actor, &e.action, &e.object, &e.details,
            );
            if mac != e.hash {
                return broken(
                    e.seq,
                    "entry MAC does not match its contents (edited, or rechained without the audit key)"
                        .into(),
                );
            }
            prev = mac;
        }
        if anchors.is_empty() && !entries.is_empty() {
            return broken(
                entries.len() as i64,
                format!(
                    "no checkpoint in {} (wrong key folder, or the checkpoints were removed)",
                    key.anchors().display()
                ),
            );
        }
        for a in &anchors {
            if !a.signed {
                return broken(
                    a.seq,
                    format!("checkpoint line {} is not signed by the audit key", a.line),
                );
            }
            match usize::try_from(a.seq - 1).ok().and_then(|i| entries.get(i)) {
                None => {
                    return broken(
                        a.seq,
                        format!(
                            "entry {} named by checkpoint line {} is missing: the log was truncated",
                            a.seq, a.line
                        ),
                    );
                }
                Some(e) if e.hash != a.mac => {
                    return broken(
                        a.seq,
                        format!("entry differs from checkpoint line {}", a.line),
                    );
                }
                Some(_) => {}
            }
        }
        Ok(Ok(entries.len()))
    }
}

/// Tampering with the catalogue file directly, as someone holding a copy of the data directory
/// (but not the key folder) could.
#[cfg(test)]
mod tests {
    use super::*;
    use sha2::{Digest, Sha256};
    use sqlx::sqlite::SqliteConnectOptions;
    use sqlx::{Connection, SqliteConnection};

    /// A hub with `n` entries after `init`, and a raw connection to its catalogue file.
    async fn hub_with_entries(dir: &std::path::Path, n: usize) -> (Hub, SqliteConnection) {
        let hub = crate::hub::test_hub(dir).await;
        for i in 0..n {
            hub.append_audit("anna", "read", &format!("obj{i}"), "")
                .await
                .unwrap();
        }
        assert_eq!(hub.verify_audit().await.unwrap().unwrap(), n + 1);
        let raw = SqliteConnection::connect_with(
            &SqliteConnectOptions::new().filename(hub.layout().catalogue()),
        )
        .await
        .unwrap();
        (hub, raw)
    }

    async fn exec(raw: &mut SqliteConnection, sql: &str) -> Result<(), sqlx::Error> {
        sqlx::query(sqlx::AssertSqlSafe(sql.to_owned()))
            .execute(&mut *raw)
            .await
            .map(|_| ())
    }

    fn broken_at(result: Result<Result<usize, AuditError>, StoreError>) -> i64 {
        match result.unwrap() {
            Ok(n) => panic!("tampered log verified ({n} entries)"),
            Err(e) => e.seq,
        }
    }

    #[tokio::test]
    async fn audit_verify_detects_deletion_of_the_last_entry() {
        let tmp = tempfile::tempdir().unwrap();
        let (hub, mut raw) = hub_with_entries(tmp.path(), 3).await;
        let delete_last = "DELETE FROM audit_log WHERE seq = (SELECT MAX(seq) FROM audit_log)";
        assert!(
            exec(&mut raw, delete_last).await.is_err(),
            "trigger refuses"
        );
        exec(&mut raw, "DROP TRIGGER audit_log_no_delete")
            .await
            .unwrap();
        exec(&mut raw, delete_last).await.unwrap();
        // The remaining prefix is a valid chain; the checkpoint outside the catalogue is not.
        assert_eq!(broken_at(hub.verify_audit().await), 4);
    }

    /// The old public algorithm (SHA-256 over the previous hash and the fields), which anyone can
    /// run over an edited log.
    fn public_hash(prev: &str, e: &AuditEntry) -> String {
        let mut h = Sha256::new();
        for part in [
            prev,
            &e.seq.to_string(),
            &e.at,
            &e.actor,
            &e.action,
            &e.object,
            &e.details,
        ] {
            h.update((part.len() as u64).to_be_bytes());
            h.update(part.as_bytes());
        }
        hex::encode(h.finalize())
    }

    #[tokio::test]
    async fn audit_verify_detects_a_rechained_log() {
        let tmp = tempfile::tempdir().unwrap();
        let (hub, mut raw) = hub_with_entries(tmp.path(), 3).await;
        exec(&mut raw, "DROP TRIGGER audit_log_no_update")
            .await
            .unwrap();
        exec(
            &mut raw,
            "UPDATE audit_log SET actor = 'someone-else' WHERE seq = 2",
        )
        .await
        .unwrap();
        let mut prev = GENESIS.to_owned();
        for e in hub.audit_entries().await.unwrap() {
            let hash = public_hash(&prev, &e);
            sqlx::query("UPDATE audit_log SET prev_hash = ?, hash = ? WHERE seq = ?")
                .bind(&prev)
                .bind(&hash)
                .bind(e.seq)
                .execute(&mut raw)
                .await
                .unwrap();
            prev = hash;
        }
        assert_eq!(broken_at(hub.verify_audit().await), 1);
    }

    #[tokio::test]
    async fn audit_verify_detects_insert_or_replace() {
        let tmp = tempfile::tempdir().unwrap();
        let (hub, mut raw) = hub_with_entries(tmp.path(), 3).await;
        let entries = hub.audit_entries().await.unwrap();
        let replace = |e: &AuditEntry| {
            format!(
                "INSERT OR REPLACE INTO audit_log (seq, at, actor, action, object, details, prev_hash, hash)
                 VALUES ({}, '{}', 'someone-else', '{}', '{}', '{}', '{}', '{}')",
                e.seq, e.at, e.action, e.object, e.details, e.prev_hash, e.hash
            )
        };
        let err = exec(&mut raw, &replace(&entries[2])).await.unwrap_err();
        assert!(err.to_string().contains("append-only"), "{err}");
        assert_eq!(hub.verify_audit().await.unwrap().unwrap(), 4);
        // Someone who drops every trigger first gets the row replaced, and caught.
        for t in [
            "audit_log_append_only",
            "audit_log_no_update",
            "audit_log_no_delete",
        ] {
            exec(&mut raw, &format!("DROP TRIGGER {t}")).await.unwrap();
        }
        exec(&mut raw, &replace(&entries[2])).await.unwrap();
        assert_eq!(hub.audit_entries().await.unwrap()[2].actor, "someone-else");
        assert_eq!(broken_at(hub.verify_audit().await), 3);
    }

    #[tokio::test]
    async fn audit_verify_detects_forged_or_missing_checkpoints() {
        let tmp = tempfile::tempdir().unwrap();
        let (hub, _raw) = hub_with_entries(tmp.path(), 2).await;
        let anchors = tmp.path().join("keys").join(AuditKey::ANCHORS);
        let text = std::fs::read_to_string(&anchors).unwrap();
        // A checkpoint line not signed with the audit key.
        let forged = text.lines().last().unwrap().replace(" 3 ", " 2 ");
        std::fs::write(&anchors, format!("{text}{forged}\n")).unwrap();
        assert!(hub.verify_audit().await.unwrap().is_err());
        // No checkpoints at all.
        std::fs::remove_file(&anchors).unwrap();
        assert!(hub.verify_audit().await.unwrap().is_err());
        // Checkpoints lagging the log are fine (a crash between commit and checkpoint).
        std::fs::write(&anchors, text.lines().next().unwrap().to_owned() + "\n").unwrap();
        assert_eq!(hub.verify_audit().await.unwrap().unwrap(), 3);
        // A checkpoint caught half-written (no newline yet) is left for the next read.
        std::fs::write(&anchors, format!("{text}v1 4 ab")).unwrap();
        assert_eq!(hub.verify_audit().await.unwrap().unwrap(), 3);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn audit_verify_while_others_append_never_reports_a_broken_log() {
        let tmp = tempfile::tempdir().unwrap();
        let (hub, _raw) = hub_with_entries(tmp.path(), 1).await;
        let writer = {
            let hub = hub.clone();
            tokio::spawn(async move {
                for i in 0..150 {
                    hub.append_audit("anna", "read", &format!("w{i}"), "")
                        .await
                        .unwrap();
                }
            })
        };
        let mut checks = 0;
        while !writer.is_finished() {
            let verified = hub.verify_audit().await.unwrap();
            assert!(verified.is_ok(), "{verified:?}");
            checks += 1;
        }
        writer.await.unwrap();
        assert!(checks > 0);
        assert_eq!(hub.verify_audit().await.unwrap().unwrap(), 152);
    }
}
