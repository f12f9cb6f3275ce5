//! Ärenden as the catalogue keeps them: one row per case holding the whole [`Case`] (as JSON, its
//! texts parsed again when read) and an append-only history of what was done to it.
//!
//! Every change is one `BEGIN IMMEDIATE` transaction: read the case, apply the domain's rule
//! (the closure given to [`Hub::update_case`]), write it back, add a history row and an audit
//! entry. Two handlers acting at once are therefore serialised, and a refused action changes
//! nothing. The audit entry names the case and the action, never the requester's contact details.
//! Tables are created on demand (also in hubs made before cases existed).

use crate::audit;
use crate::error::StoreError;
use crate::hub::Hub;
use crate::time;
use sqlx::Row;
use vardhub_domain::case::{Case, CaseId, CaseRole, Filing, Stamp};

const DDL: [&str; 5] = [
    "CREATE TABLE IF NOT EXISTS cases (
        id TEXT PRIMARY KEY,
        year INTEGER NOT NULL,
        seq INTEGER NOT NULL,
        status TEXT NOT NULL,
        filed_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        body TEXT NOT NULL,
        UNIQUE (year, seq)
    )",
    "CREATE TABLE IF NOT EXISTS case_events (
        case_id TEXT NOT NULL REFERENCES cases (id),
        n INTEGER NOT NULL,
        at TEXT NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        status TEXT NOT NULL,
        PRIMARY KEY (case_id, n)
    )",
    "CREATE TRIGGER IF NOT EXISTS case_events_no_update BEFORE UPDATE ON case_events
        BEGIN SELECT RAISE(ABORT, 'case history is append-only'); END",
    "CREATE TRIGGER IF NOT EXISTS case_events_no_delete BEFORE DELETE ON case_events
        BEGIN SELECT RAISE(ABORT, 'case history is append-only'); END",
    // Before conflict resolution: `INSERT OR REPLACE` would delete without the delete trigger.
    "CREATE TRIGGER IF NOT EXISTS case_events_no_replace BEFORE INSERT ON case_events
        WHEN EXISTS (SELECT 1 FROM case_events WHERE case_id = NEW.case_id AND n = NEW.n)
        BEGIN SELECT RAISE(ABORT, 'case history is append-only'); END",
];

/// One row of a case's history.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CaseEvent {
    /// When (RFC 3339 UTC).
    pub at: String,
    /// Who (user name; not published).
    pub actor: String,
    /// What (`file`, `triage`, `prioritise`, `assess`, `link`, `decide`).
    pub action: String,
    /// The status after it.
    pub status: String,
}

fn encode(case: &Case) -> Result<String, StoreError> {
    serde_json::to_string(case).map_err(|e| StoreError::Internal(format!("case encode: {e}")))
}

fn decode(body: &str) -> Result<Case, StoreError> {
    serde_json::from_str(body)
        .map_err(|e| StoreError::Internal(format!("a stored case cannot be read: {e}")))
}

impl Hub {
    async fn ensure_case_tables(&self) -> Result<(), StoreError> {
        for stmt in DDL {
            sqlx::query(stmt).execute(&self.pool).await?;
        }
        Ok(())
    }

    /// File a new case: the next id of the current year, status filed; audited as `cases.file`.
    pub async fn file_case(
        &self,
        filing: Filing,
        filed_by: &str,
        role: CaseRole,
    ) -> Result<Case, StoreError> {
        self.ensure_case_tables().await?;
        let now = time::now_utc();
        let at = time::fmt(now);
        let year = chrono::Datelike::year(&now);
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let seq: i64 = sqlx::query("SELECT COALESCE(MAX(seq), 0) + 1 FROM cases WHERE year = ?")
            .bind(year)
            .fetch_one(&mut *tx)
            .await?
            .get(0);
        let seq = u32::try_from(seq).map_err(|_| StoreError::Internal("case seq".into()))?;
        let kind = filing.requester_kind.code();
        let urgency = filing.urgency.code();
        let stamp = Stamp {
            by: filed_by.to_owned(),
            role,
            at: at.clone(),
        };
        let case = Case::file(CaseId::new(year, seq), filing, stamp);
        sqlx::query(
            "INSERT INTO cases (id, year, seq, status, filed_at, updated_at, body)
             VALUES (?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(case.id.as_str())
        .bind(year)
        .bind(i64::from(seq))
        .bind(case.status.code())
        .bind(&at)
        .bind(&at)
        .bind(encode(&case)?)
        .execute(&mut *tx)
        .await?;
        insert_event(&mut tx, &case, &at, filed_by, "file").await?;
        let details = format!("requester_kind={kind} urgency={urgency}");
        let head = audit::append(
            &mut tx,
            self.audit_key()?,
            filed_by,
            "cases.file",
            case.id.as_str(),
            &details,
        )
        .await?;
        tx.commit().await?;
        self.anchor_audit(&head);
        Ok(case)
    }

    /// Apply `change` to a case in one transaction and store the result with a history row and an
    /// audit entry (`cases.<action>`). `change` gets the case and the time of the change; when it
    /// refuses, nothing is written and its error is returned inside `Ok`. An unknown case is
    /// `Ok(None)`.
    pub async fn update_case<E>(
        &self,
        id: &CaseId,
        actor: &str,
        action: &'static str,
        change: impl FnOnce(&mut Case, &str) -> Result<(), E>,
    ) -> Result<Option<Result<Case, E>>, StoreError> {
        self.ensure_case_tables().await?;
        let at = time::fmt(time::now_utc());
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let Some(row) = sqlx::query("SELECT body FROM cases WHERE id = ?")
            .bind(id.as_str())
            .fetch_optional(&mut *tx)
            .await?
        else {
            return Ok(None);
        };
        let mut case = decode(row.get::<&str, _>(0))?;
        if let Err(e) = change(&mut case, &at) {
            return Ok(Some(Err(e)));
        }
        sqlx::query("UPDATE cases SET status = ?, updated_at = ?, body = ? WHERE id = ?")
            .bind(case.status.code())
            .bind(&at)
            .bind(encode(&case)?)
            .bind(id.as_str())
            .execute(&mut *tx)
            .await?;
        insert_event(&mut tx, &case, &at, actor, action).await?;
        let head = audit::append(
            &mut tx,
            self.audit_key()?,
            actor,
            &format!("cases.{action}"),
            id.as_str(),
            &format!("status={}", case.status.code()),
        )
        .await?;
        tx.commit().await?;
        self.anchor_audit(&head);
        Ok(Some(Ok(case)))
    }

    /// One case.
    pub async fn case(&self, id: &CaseId) -> Result<Option<Case>, StoreError> {
        self.ensure_case_tables().await?;
        let row = sqlx::query("SELECT body FROM cases WHERE id = ?")
            .bind(id.as_str())
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| decode(r.get::<&str, _>(0))).transpose()
    }

    /// Every case, newest first.
    pub async fn cases(&self) -> Result<Vec<Case>, StoreError> {
        self.ensure_case_tables().await?;
        sqlx::query("SELECT body FROM cases ORDER BY year DESC, seq DESC")
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| decode(r.get::<&str, _>(0)))
            .collect()
    }

    /// A case's history, oldest first.
    pub async fn case_events(&self, id: &CaseId) -> Result<Vec<CaseEvent>, StoreError> {
        self.ensure_case_tables().await?;
        let rows = sqlx::query(
            "SELECT at, actor, action, status FROM case_events WHERE case_id = ? ORDER BY n",
        )
        .bind(id.as_str())
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .iter()
            .map(|r| CaseEvent {
                at: r.get(0),
                actor: r.get(1),
                action: r.get(2),
                status: r.get(3),
            })
            .collect())
    }
}

async fn insert_event(
    tx: &mut sqlx::Transaction<'static, sqlx::Sqlite>,
    case: &Case,
    at: &str,
    actor: &str,
    action: &str,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO case_events (case_id, n, at, actor, action, status)
         VALUES (?, (SELECT COALESCE(MAX(n), 0) + 1 FROM case_events WHERE case_id = ?), ?, ?, ?, ?)",
    )
    .bind(case.id.as_str())
    .bind(case.id.as_str())
    .bind(at)
    .bind(actor)
    .bind(action)
    .bind(case.status.code())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use vardhub_domain::case::{
        Actor, CaseError, Category, Contact, PublicText, RequesterKind, Triage, Urgency,
    };

    fn t(s: &str) -> PublicText {
        PublicText::parse("t", s, 500).unwrap()
    }

    fn filing() -> Filing {
        Filing {
            contact: Contact::parse("Berit Svensson", "berit@example.se").unwrap(),
            organisation: t("Region Halland"),
            requester_kind: RequesterKind::Region,
            question: t("Kostnad per patient efter höftfraktur?"),
            purpose: t("Budget"),
            data_wanted: t("vardkontakter"),
            urgency: Urgency::High,
        }
    }

    #[tokio::test]
    async fn cases_are_numbered_updated_in_one_step_and_audited() {
        let tmp = tempfile::tempdir().unwrap();
        let hub = crate::hub::test_hub(tmp.path()).await;
        let a = hub
            .file_case(filing(), "berit", CaseRole::Requester)
            .await
            .unwrap();
        let b = hub
            .file_case(filing(), "berit", CaseRole::Requester)
            .await
            .unwrap();
        assert_ne!(a.id, b.id);
        let staff = Actor {
            name: "stina".into(),
            role: CaseRole::Staff,
        };
        let triage = Triage {
            category: Category::Analysis,
            note: t("Analys"),
        };
        let ok = hub
            .update_case(&a.id, "stina", "triage", |c, at| {
                c.triage(&staff, triage, at)
            })
            .await
            .unwrap()
            .unwrap()
            .unwrap();
        assert_eq!(ok.status.code(), "sorterat");
        // A refused change writes nothing.
        let requester = Actor {
            name: "berit".into(),
            role: CaseRole::Requester,
        };
        let refused = hub
            .update_case(&b.id, "berit", "triage", |c, at| {
                c.triage(
                    &requester,
                    Triage {
                        category: Category::Other,
                        note: t("x"),
                    },
                    at,
                )
            })
            .await
            .unwrap()
            .unwrap();
        assert!(matches!(refused, Err(CaseError::Forbidden { .. })));
        assert_eq!(hub.case(&b.id).await.unwrap().unwrap(), b);
        assert_eq!(hub.case_events(&b.id).await.unwrap().len(), 1);
        let events = hub.case_events(&a.id).await.unwrap();
        assert_eq!(
            events.iter().map(|e| e.action.as_str()).collect::<Vec<_>>(),
            ["file", "triage"]
        );
        let unknown = CaseId::parse("1999-0001").unwrap();
        let none = hub
            .update_case(&unknown, "stina", "triage", |_, _| Ok::<(), CaseError>(()))
            .await
            .unwrap();
        assert!(none.is_none());
        assert_eq!(hub.cases().await.unwrap().len(), 2);
        // The audit log names the case and the action, never the contact details.
        assert!(hub.verify_audit().await.unwrap().is_ok());
        let text = format!("{:?}", hub.audit_entries().await.unwrap());
        assert!(text.contains("cases.triage"));
        assert!(!text.contains("berit@example.se") && !text.contains("Berit Svensson"));
        // The history cannot be rewritten.
        assert!(
            sqlx::query("DELETE FROM case_events")
                .execute(&hub.pool)
                .await
                .is_err()
        );
        let replace = "INSERT OR REPLACE INTO case_events (case_id, n, at, actor, action, status)
                       VALUES (?, 1, 'x', 'x', 'file', 'inkommet')";
        assert!(
            sqlx::query(replace)
                .bind(a.id.as_str())
                .execute(&hub.pool)
                .await
                .is_err()
        );
    }
}
