//! Publicerade scenarier / published what-if scenarios: an administrator's approval of a stored
//! scenario run (kind scenario) for everyone, with the disclosure-checked copy of its document
//! that the public is shown.
//!
//! `scenario_publications (run_id, author, approver, published_at, motivation, policy, document,
//! document_sha256)`, one row per published run, created on demand and append-only: triggers
//! refuse `UPDATE`, `DELETE` and a second insert for the same run (so `INSERT OR REPLACE` too).
//! The store checks in the transaction that records the publication (so two approvers cannot
//! race past it):
//!
//! * the run exists and is of kind scenario;
//! * its author — the actor of the run's `scenarios.run` audit entry, written with the run — is
//!   known and is not the approver (four eyes);
//! * it is not published already.
//!
//! The publication is audited (`scenarios.publish`, object: the run, details: the policy and the
//! document's SHA-256). The document is stored as given: the caller (`vardhub_ops`) made it
//! through the disclosure policy; the motivation is masked with
//! [`vardhub_domain::mask_identity_numbers`] as a last guard (the caller refuses such text).

use crate::audit;
use crate::error::StoreError;
use crate::hub::Hub;
use crate::runs::RunKind;
use crate::time;
use serde::Serialize;
use sqlx::Row;
use sqlx::sqlite::SqliteRow;
use vardhub_domain::mask_identity_numbers;

const DDL: &[&str] = &[
    "CREATE TABLE IF NOT EXISTS scenario_publications (
        run_id TEXT PRIMARY KEY,
        author TEXT NOT NULL,
        approver TEXT NOT NULL,
        published_at TEXT NOT NULL,
        motivation TEXT NOT NULL,
        policy TEXT NOT NULL,
        document TEXT NOT NULL,
        document_sha256 TEXT NOT NULL,
        CHECK (approver <> author)
    )",
    "CREATE TRIGGER IF NOT EXISTS scenario_publications_append_only_u
        BEFORE UPDATE ON scenario_publications
        BEGIN SELECT RAISE(ABORT, 'scenario_publications is append-only'); END",
    "CREATE TRIGGER IF NOT EXISTS scenario_publications_append_only_d
        BEFORE DELETE ON scenario_publications
        BEGIN SELECT RAISE(ABORT, 'scenario_publications is append-only'); END",
    // Runs before conflict resolution: `INSERT OR REPLACE` of a published run is refused too.
    "CREATE TRIGGER IF NOT EXISTS scenario_publications_once
        BEFORE INSERT ON scenario_publications
        WHEN EXISTS (SELECT 1 FROM scenario_publications WHERE run_id = NEW.run_id)
        BEGIN SELECT RAISE(ABORT, 'scenario_publications is append-only'); END",
];

/// The audit action with which a scenario run is stored; its actor is the run's author.
pub const RUN_ACTION: &str = "scenarios.run";
/// The audit action of a publication.
pub const PUBLISH_ACTION: &str = "scenarios.publish";

/// A publication to record.
#[derive(Debug, Clone, Copy)]
pub struct NewScenarioPublication<'a> {
    /// The scenario run.
    pub run_id: &'a str,
    /// The administrator who approves it.
    pub approver: &'a str,
    /// Why it may be published (checked public text).
    pub motivation: &'a str,
    /// The disclosure policy the document passed (`id vN`).
    pub policy: &'a str,
    /// The disclosure-checked document (JSON).
    pub document: &'a str,
}

/// A recorded publication.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ScenarioPublication {
    /// The scenario run.
    pub run_id: String,
    /// Who ran it.
    pub author: String,
    /// Who approved and published it.
    pub approver: String,
    /// When (RFC 3339).
    pub published_at: String,
    /// Why.
    pub motivation: String,
    /// The disclosure policy (`id vN`).
    pub policy: String,
    /// The disclosure-checked document (JSON) the public is shown.
    pub document: String,
    /// SHA-256 of `document`.
    pub document_sha256: String,
}

/// Why a publication was refused, classified by who must act.
#[derive(Debug, thiserror::Error)]
pub enum ScenarioPublicationError {
    /// No scenario run with that id (the user must act).
    #[error("ingen scenariokörning {0} / no scenario run {0}")]
    NotFound(String),
    /// The approver ran the scenario (another administrator must act).
    #[error(
        "scenariokörning {0}: den som körde scenariot får inte publicera det; en annan administratör måste godkänna / scenario run {0}: whoever ran the scenario may not publish it; another administrator must approve"
    )]
    SelfApproval(String),
    /// Published already (nothing to do).
    #[error("scenariokörning {0} är redan publicerad / scenario run {0} is published already")]
    AlreadyPublished(String),
    /// The run's author is not recorded, so four eyes cannot be checked (the operator must act:
    /// the run was not stored as a scenario run).
    #[error(
        "scenariokörning {0}: vem som körde den är inte registrerat / scenario run {0}: who ran it is not recorded"
    )]
    UnknownAuthor(String),
    /// The catalogue failed (the operator must act).
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<sqlx::Error> for ScenarioPublicationError {
    fn from(e: sqlx::Error) -> Self {
        ScenarioPublicationError::Store(e.into())
    }
}

fn publication(r: &SqliteRow) -> ScenarioPublication {
    ScenarioPublication {
        run_id: r.get(0),
        author: r.get(1),
        approver: r.get(2),
        published_at: r.get(3),
        motivation: r.get(4),
        policy: r.get(5),
        document: r.get(6),
        document_sha256: r.get(7),
    }
}

const COLUMNS: &str =
    "run_id, author, approver, published_at, motivation, policy, document, document_sha256";

impl Hub {
    async fn ensure_scenario_publications(&self) -> Result<(), StoreError> {
        self.ensure_runs_table().await?;
        for ddl in DDL {
            sqlx::query(*ddl).execute(&self.pool).await?;
        }
        Ok(())
    }

    /// Who ran scenario run `run_id`: the actor of its `scenarios.run` audit entry (`None`: not
    /// stored as a scenario run).
    pub async fn scenario_run_author(&self, run_id: &str) -> Result<Option<String>, StoreError> {
        let row = sqlx::query(
            "SELECT actor FROM audit_log WHERE action = ? AND object = ? ORDER BY seq LIMIT 1",
        )
        .bind(RUN_ACTION)
        .bind(run_id)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|r| r.get(0)))
    }

    /// Record the publication of a scenario run by `new.approver`, audited as
    /// `scenarios.publish`; refused when the run is unknown or not a scenario, its author is the
    /// approver or unknown, or it is published already (see the module documentation).
    pub async fn publish_scenario(
        &self,
        new: NewScenarioPublication<'_>,
    ) -> Result<ScenarioPublication, ScenarioPublicationError> {
        use sha2::{Digest, Sha256};
        self.ensure_scenario_publications().await?;
        let key = self.audit_key()?;
        let run_id = new.run_id.to_owned();
        let published_at = time::fmt(time::now_utc());
        let motivation = mask_identity_numbers(new.motivation.trim()).into_owned();
        let document_sha256 = hex::encode(Sha256::digest(new.document.as_bytes()));
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let kind = sqlx::query("SELECT kind FROM indicator_runs WHERE id = ?")
            .bind(&run_id)
            .fetch_optional(&mut *tx)
            .await?
            .map(|r| r.get::<String, _>(0));
        if kind.as_deref() != Some(RunKind::Scenario.as_str()) {
            return Err(ScenarioPublicationError::NotFound(run_id));
        }
        let author = sqlx::query(
            "SELECT actor FROM audit_log WHERE action = ? AND object = ? ORDER BY seq LIMIT 1",
        )
        .bind(RUN_ACTION)
        .bind(&run_id)
        .fetch_optional(&mut *tx)
        .await?
        .map(|r| r.get::<String, _>(0));
        let Some(author) = author else {
            return Err(ScenarioPublicationError::UnknownAuthor(run_id));
        };
        if author == new.approver {
            return Err(ScenarioPublicationError::SelfApproval(run_id));
        }
        let published = sqlx::query("SELECT 1 FROM scenario_publications WHERE run_id = ?")
            .bind(&run_id)
            .fetch_optional(&mut *tx)
            .await?;
        if published.is_some() {
            return Err(ScenarioPublicationError::AlreadyPublished(run_id));
        }
        sqlx::query(
            "INSERT INTO scenario_publications (run_id, author, approver, published_at, motivation,
                 policy, document, document_sha256)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(&run_id)
        .bind(&author)
        .bind(new.approver)
        .bind(&published_at)
        .bind(&motivation)
        .bind(new.policy)
        .bind(new.document)
        .bind(&document_sha256)
        .execute(&mut *tx)
        .await?;
        let head = audit::append(
            &mut tx,
            key,
            new.approver,
            PUBLISH_ACTION,
            &run_id,
            &format!("policy={} sha256={document_sha256}", new.policy),
        )
        .await?;
        tx.commit().await?;
        self.anchor_audit(&head);
        Ok(ScenarioPublication {
            run_id,
            author,
            approver: new.approver.to_owned(),
            published_at,
            motivation,
            policy: new.policy.to_owned(),
            document: new.document.to_owned(),
            document_sha256,
        })
    }

    /// Every published scenario run, oldest publication first.
    pub async fn scenario_publications(&self) -> Result<Vec<ScenarioPublication>, StoreError> {
        self.ensure_scenario_publications().await?;
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM scenario_publications ORDER BY published_at, run_id"
        )))
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.iter().map(publication).collect())
    }

    /// The publication of scenario run `run_id`, if it is published.
    pub async fn scenario_publication(
        &self,
        run_id: &str,
    ) -> Result<Option<ScenarioPublication>, StoreError> {
        self.ensure_scenario_publications().await?;
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM scenario_publications WHERE run_id = ?"
        )))
        .bind(run_id)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.as_ref().map(publication))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{AuditKey, HubId, new_run};

    async fn hub(dir: &std::path::Path) -> Hub {
        let key = AuditKey::create(&dir.join("keys")).unwrap();
        Hub::init(dir.join("hub"), true, HubId::random(), key)
            .await
            .unwrap()
    }

    async fn scenario_run(hub: &Hub, author: &str) -> String {
        let now = time::now_utc();
        let mut run = new_run(now, now);
        run.kind = RunKind::Scenario;
        let run = hub
            .store_run_document(run, "scenario.json", b"{}", 0, RUN_ACTION, author)
            .await
            .unwrap();
        run.id
    }

    fn new<'a>(run_id: &'a str, approver: &'a str) -> NewScenarioPublication<'a> {
        NewScenarioPublication {
            run_id,
            approver,
            motivation: "Godkänt av förvaltningsgruppen 198001022386",
            policy: "vardhub-public v4",
            document: "{\"x\": 1}",
        }
    }

    #[tokio::test]
    async fn four_eyes_once_and_append_only() {
        let tmp = tempfile::tempdir().unwrap();
        let hub = hub(tmp.path()).await;
        let run = scenario_run(&hub, "anna").await;
        assert_eq!(
            hub.scenario_run_author(&run).await.unwrap().as_deref(),
            Some("anna")
        );
        assert!(matches!(
            hub.publish_scenario(new("run-unknown", "bo")).await,
            Err(ScenarioPublicationError::NotFound(_))
        ));
        assert!(matches!(
            hub.publish_scenario(new(&run, "anna")).await,
            Err(ScenarioPublicationError::SelfApproval(_))
        ));
        assert!(hub.scenario_publication(&run).await.unwrap().is_none());
        let p = hub.publish_scenario(new(&run, "bo")).await.unwrap();
        assert_eq!((p.author.as_str(), p.approver.as_str()), ("anna", "bo"));
        assert!(!p.motivation.contains("198001022386"), "{}", p.motivation);
        assert_eq!(hub.scenario_publication(&run).await.unwrap(), Some(p));
        assert!(matches!(
            hub.publish_scenario(new(&run, "cecilia")).await,
            Err(ScenarioPublicationError::AlreadyPublished(_))
        ));
        for sql in [
            "UPDATE scenario_publications SET approver = 'x'",
            "DELETE FROM scenario_publications",
            "INSERT OR REPLACE INTO scenario_publications SELECT run_id, author, 'x', published_at,
                 motivation, policy, document, document_sha256 FROM scenario_publications",
        ] {
            assert!(sqlx::query(sql).execute(&hub.pool).await.is_err(), "{sql}");
        }
        assert_eq!(hub.scenario_publications().await.unwrap().len(), 1);
        let audit = hub.audit_entries().await.unwrap();
        let last = audit.last().unwrap();
        assert_eq!(
            (
                last.actor.as_str(),
                last.action.as_str(),
                last.object.as_str()
            ),
            ("bo", PUBLISH_ACTION, run.as_str())
        );
    }
}
