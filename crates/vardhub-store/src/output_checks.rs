//! The output-checking record (utdatagranskning): what a research project's researcher submitted
//! to take out of the hub, the machine's check of it, and the human checker's decision.
//!
//! The store keeps text it is handed — the output table and the machine report as JSON, the
//! machine verdict (`pass` or `review_required`) — and enforces the rules of the decision in the
//! same transaction that records it (so two checkers cannot race past them):
//!
//! * the checker is not the submitter;
//! * approving an output whose machine verdict is review-required (at submission or at decision)
//!   needs a written reason; so does every refusal;
//! * an output is decided once;
//! * the machine check compared the output with exactly the project's approved outputs at that
//!   moment (`earlier`, by submission id): an output approved between the check and the record
//!   makes the record stale ([`OutputRecordError::Stale`]; check again), so differencing is never
//!   checked against an outdated set;
//! * within a project, an output id may not be submitted again while an earlier submission of it
//!   is pending or approved (differencing flags name outputs by id).
//!
//! Both tables are created on demand and append-only (triggers refuse `UPDATE` and `DELETE`); a
//! decision is a row of its own, keyed by the submission. Project ids are text keys (the project
//! register is not consulted). Every submission and decision is audited (`outputs.submit`,
//! `outputs.decide`); reasons are masked with [`vardhub_domain::mask_identity_numbers`].

use crate::audit;
use crate::error::StoreError;
use crate::hub::Hub;
use crate::time;
use serde::Serialize;
use sqlx::Row;
use sqlx::sqlite::SqliteRow;
use vardhub_domain::mask_identity_numbers;

const DDL: &[&str] = &[
    "CREATE TABLE IF NOT EXISTS output_submissions (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        project TEXT NOT NULL,
        output_id TEXT NOT NULL,
        submitted_by TEXT NOT NULL,
        submitted_at TEXT NOT NULL,
        table_json TEXT NOT NULL,
        report_json TEXT NOT NULL,
        verdict TEXT NOT NULL CHECK (verdict IN ('pass', 'review_required')),
        earlier_json TEXT NOT NULL
    )",
    "CREATE INDEX IF NOT EXISTS output_submissions_project ON output_submissions (project)",
    "CREATE TABLE IF NOT EXISTS output_decisions (
        submission INTEGER PRIMARY KEY REFERENCES output_submissions(id),
        decision TEXT NOT NULL CHECK (decision IN ('approved', 'refused')),
        reason TEXT NOT NULL,
        checker TEXT NOT NULL,
        decided_at TEXT NOT NULL,
        report_json TEXT NOT NULL,
        verdict TEXT NOT NULL CHECK (verdict IN ('pass', 'review_required')),
        earlier_json TEXT NOT NULL
    )",
    "CREATE TRIGGER IF NOT EXISTS output_submissions_append_only_u BEFORE UPDATE ON output_submissions
        BEGIN SELECT RAISE(ABORT, 'output_submissions is append-only'); END",
    "CREATE TRIGGER IF NOT EXISTS output_submissions_append_only_d BEFORE DELETE ON output_submissions
        BEGIN SELECT RAISE(ABORT, 'output_submissions is append-only'); END",
    "CREATE TRIGGER IF NOT EXISTS output_decisions_append_only_u BEFORE UPDATE ON output_decisions
        BEGIN SELECT RAISE(ABORT, 'output_decisions is append-only'); END",
    "CREATE TRIGGER IF NOT EXISTS output_decisions_append_only_d BEFORE DELETE ON output_decisions
        BEGIN SELECT RAISE(ABORT, 'output_decisions is append-only'); END",
];

/// The machine verdict as stored: `pass`.
pub const VERDICT_PASS: &str = "pass";
/// The machine verdict as stored: `review_required`.
pub const VERDICT_REVIEW: &str = "review_required";

/// Why an output record was refused, classified by who must act.
#[derive(Debug, thiserror::Error)]
pub enum OutputRecordError {
    /// No submission with that id (the user must act).
    #[error("utdata {0} finns inte / no output {0}")]
    NotFound(i64),
    /// The output was decided already (the checker must act: nothing to do).
    #[error("utdata {id} är redan beslutad ({decision}) / output {id} is decided already")]
    AlreadyDecided {
        /// The submission.
        id: i64,
        /// The decision it has.
        decision: String,
    },
    /// The checker is the submitter (another checker must act).
    #[error(
        "utdata {0}: granskaren får inte vara den som lämnade in / output {0}: the checker must not be the submitter"
    )]
    SelfCheck(i64),
    /// A decision without the reason it needs (the checker must act).
    #[error(
        "utdata {0}: motivering krävs (maskinen kräver granskning, eller utdata avslås) / output {0}: a written reason is required (the machine requires review, or the output is refused)"
    )]
    ReasonRequired(i64),
    /// The project has this output id pending or approved (the researcher must act: a new id).
    #[error(
        "projektet {project} har redan utdata {output:?} (väntar eller godkänd) / the project has output {output:?} pending or approved already"
    )]
    Duplicate {
        /// The project.
        project: String,
        /// The output's id.
        output: String,
    },
    /// The project's approved outputs changed since the machine check (the caller must act: check
    /// again).
    #[error(
        "projektets godkända utdata har ändrats sedan kontrollen; kontrollera igen / the project's approved outputs changed since the check; check again"
    )]
    Stale,
    /// A field is unusable (the caller must act); the message names it.
    #[error("{0}")]
    Invalid(String),
    /// The catalogue failed (the operator must act).
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<sqlx::Error> for OutputRecordError {
    fn from(e: sqlx::Error) -> Self {
        OutputRecordError::Store(StoreError::Catalogue(e))
    }
}

/// A human checker's decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OutputDecision {
    /// The output may leave the hub.
    Approved,
    /// It may not.
    Refused,
}

impl OutputDecision {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            OutputDecision::Approved => "approved",
            OutputDecision::Refused => "refused",
        }
    }

    fn parse(s: &str) -> Result<OutputDecision, OutputRecordError> {
        match s {
            "approved" => Ok(OutputDecision::Approved),
            "refused" => Ok(OutputDecision::Refused),
            other => Err(StoreError::Internal(format!("unknown decision {other:?}")).into()),
        }
    }
}

/// The machine check behind a submission or a decision: the report (JSON), its verdict and the
/// submission ids of the project's approved outputs it compared against.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MachineCheck {
    /// The machine report as JSON.
    pub report_json: String,
    /// [`VERDICT_PASS`] or [`VERDICT_REVIEW`].
    pub verdict: String,
    /// The approved submissions compared against, ascending.
    pub earlier: Vec<i64>,
}

/// An output to record as submitted.
#[derive(Debug, Clone)]
pub struct NewOutput {
    /// The research project (text key).
    pub project: String,
    /// The output's own id (from its table).
    pub output_id: String,
    /// Who submitted it.
    pub submitted_by: String,
    /// The output table as JSON.
    pub table_json: String,
    /// The machine check at submission.
    pub check: MachineCheck,
}

/// A human decision as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DecisionRecord {
    /// Approved or refused.
    pub decision: OutputDecision,
    /// Why (masked; may be empty only when approving an output both checks passed).
    pub reason: String,
    /// The checker.
    pub checker: String,
    /// When (RFC 3339).
    pub decided_at: String,
    /// The machine check run again at the decision, against the then approved outputs.
    pub check: MachineCheck,
}

/// A submitted output with its machine check and, once made, the decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoredOutput {
    /// Submission id.
    pub id: i64,
    /// The research project.
    pub project: String,
    /// The output's own id.
    pub output_id: String,
    /// Who submitted it.
    pub submitted_by: String,
    /// When (RFC 3339).
    pub submitted_at: String,
    /// The output table as JSON.
    pub table_json: String,
    /// The machine check at submission.
    pub check: MachineCheck,
    /// The decision, if made.
    pub decision: Option<DecisionRecord>,
}

impl StoredOutput {
    /// Whether a checker approved it.
    pub fn approved(&self) -> bool {
        self.decision
            .as_ref()
            .is_some_and(|d| d.decision == OutputDecision::Approved)
    }
}

fn key(field: &str, v: &str) -> Result<String, OutputRecordError> {
    let t = v.trim();
    if t.is_empty() || t.chars().count() > 100 || t.chars().any(char::is_control) {
        return Err(OutputRecordError::Invalid(format!(
            "{field}: 1–100 tecken utan styrtecken / 1–100 characters, no control characters"
        )));
    }
    Ok(mask_identity_numbers(t).into_owned())
}

fn check_fields(c: &MachineCheck) -> Result<String, OutputRecordError> {
    if c.verdict != VERDICT_PASS && c.verdict != VERDICT_REVIEW {
        return Err(OutputRecordError::Invalid(format!(
            "okänt maskinutslag / unknown machine verdict {:?}",
            c.verdict
        )));
    }
    serde_json::to_string(&c.earlier).map_err(|e| OutputRecordError::Invalid(e.to_string()))
}

/// The submissions joined with their decisions, followed by `$tail` (a literal).
macro_rules! select {
    ($tail:literal) => {
        concat!(
            "SELECT s.id, s.project, s.output_id, s.submitted_by, s.submitted_at,
                    s.table_json, s.report_json, s.verdict, s.earlier_json,
                    d.decision, d.reason, d.checker, d.decided_at, d.report_json, d.verdict, d.earlier_json
                FROM output_submissions s LEFT JOIN output_decisions d ON d.submission = s.id ",
            $tail
        )
    };
}

fn earlier(json: &str) -> Result<Vec<i64>, OutputRecordError> {
    serde_json::from_str(json)
        .map_err(|e| StoreError::Internal(format!("earlier_json: {e}")).into())
}

fn from_row(r: SqliteRow) -> Result<StoredOutput, OutputRecordError> {
    let decision = match r.get::<Option<String>, _>(9) {
        None => None,
        Some(d) => Some(DecisionRecord {
            decision: OutputDecision::parse(&d)?,
            reason: r.get(10),
            checker: r.get(11),
            decided_at: r.get(12),
            check: MachineCheck {
                report_json: r.get(13),
                verdict: r.get(14),
                earlier: earlier(&r.get::<String, _>(15))?,
            },
        }),
    };
    Ok(StoredOutput {
        id: r.get(0),
        project: r.get(1),
        output_id: r.get(2),
        submitted_by: r.get(3),
        submitted_at: r.get(4),
        table_json: r.get(5),
        check: MachineCheck {
            report_json: r.get(6),
            verdict: r.get(7),
            earlier: earlier(&r.get::<String, _>(8))?,
        },
        decision,
    })
}

/// The ids of `project`'s approved submissions, ascending.
async fn approved_ids(
    tx: &mut sqlx::Transaction<'static, sqlx::Sqlite>,
    project: &str,
) -> Result<Vec<i64>, OutputRecordError> {
    let rows = sqlx::query(
        "SELECT s.id FROM output_submissions s JOIN output_decisions d ON d.submission = s.id
         WHERE s.project = ? AND d.decision = 'approved' ORDER BY s.id",
    )
    .bind(project)
    .fetch_all(&mut **tx)
    .await?;
    Ok(rows.iter().map(|r| r.get(0)).collect())
}

impl Hub {
    async fn ensure_output_checks(&self) -> Result<(), StoreError> {
        for ddl in DDL {
            sqlx::query(*ddl).execute(&self.pool).await?;
        }
        Ok(())
    }

    /// Record a submitted output with its machine check; audited as `outputs.submit` by the
    /// submitter. Refused when the check's `earlier` is not exactly the project's approved
    /// outputs now ([`OutputRecordError::Stale`]) or the output id is pending or approved in the
    /// project already.
    pub async fn submit_output(&self, o: &NewOutput) -> Result<StoredOutput, OutputRecordError> {
        self.ensure_output_checks().await?;
        let project = key("project", &o.project)?;
        let output_id = key("output id", &o.output_id)?;
        let by = key("submitted_by", &o.submitted_by)?;
        let earlier_json = check_fields(&o.check)?;
        let audit_key = self.audit_key()?;
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        if approved_ids(&mut tx, &project).await? != o.check.earlier {
            return Err(OutputRecordError::Stale);
        }
        let taken = sqlx::query(
            "SELECT 1 FROM output_submissions s LEFT JOIN output_decisions d ON d.submission = s.id
             WHERE s.project = ? AND s.output_id = ? AND COALESCE(d.decision, '') != 'refused'",
        )
        .bind(&project)
        .bind(&output_id)
        .fetch_optional(&mut *tx)
        .await?;
        if taken.is_some() {
            return Err(OutputRecordError::Duplicate {
                project,
                output: output_id,
            });
        }
        let at = time::fmt(time::now_utc());
        let id: i64 = sqlx::query(
            "INSERT INTO output_submissions (project, output_id, submitted_by, submitted_at,
             table_json, report_json, verdict, earlier_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
             RETURNING id",
        )
        .bind(&project)
        .bind(&output_id)
        .bind(&by)
        .bind(&at)
        .bind(&o.table_json)
        .bind(&o.check.report_json)
        .bind(&o.check.verdict)
        .bind(&earlier_json)
        .fetch_one(&mut *tx)
        .await?
        .get(0);
        let details = format!(
            "project={project} output={output_id} verdict={} earlier={earlier_json}",
            o.check.verdict
        );
        let head = audit::append(
            &mut tx,
            audit_key,
            &by,
            "outputs.submit",
            &format!("output:{id}"),
            &details,
        )
        .await?;
        tx.commit().await?;
        self.anchor_audit(&head);
        self.output(id)
            .await?
            .ok_or(OutputRecordError::NotFound(id))
    }

    /// Record a checker's decision on submission `id`, with the machine check run again at this
    /// moment (`recheck`); audited as `outputs.decide` by the checker. The rules of the module
    /// are enforced inside the transaction.
    pub async fn decide_output(
        &self,
        id: i64,
        decision: OutputDecision,
        reason: &str,
        checker: &str,
        recheck: &MachineCheck,
    ) -> Result<StoredOutput, OutputRecordError> {
        self.ensure_output_checks().await?;
        let checker = key("checker", checker)?;
        let reason = reason.trim();
        if reason.chars().count() > 2000 || reason.chars().any(|c| c.is_control() && c != '\n') {
            return Err(OutputRecordError::Invalid(
                "motiveringen: högst 2000 tecken utan styrtecken / the reason: at most 2000 characters, no control characters".into(),
            ));
        }
        let reason = mask_identity_numbers(reason).into_owned();
        let earlier_json = check_fields(recheck)?;
        let audit_key = self.audit_key()?;
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let row = sqlx::query(select!("WHERE s.id = ?"))
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?;
        let stored = from_row(row.ok_or(OutputRecordError::NotFound(id))?)?;
        if let Some(d) = &stored.decision {
            return Err(OutputRecordError::AlreadyDecided {
                id,
                decision: d.decision.as_str().into(),
            });
        }
        if stored.submitted_by.to_lowercase() == checker.to_lowercase() {
            return Err(OutputRecordError::SelfCheck(id));
        }
        let review = stored.check.verdict == VERDICT_REVIEW || recheck.verdict == VERDICT_REVIEW;
        if reason.is_empty() && (review || decision == OutputDecision::Refused) {
            return Err(OutputRecordError::ReasonRequired(id));
        }
        if approved_ids(&mut tx, &stored.project).await? != recheck.earlier {
            return Err(OutputRecordError::Stale);
        }
        let at = time::fmt(time::now_utc());
        sqlx::query(
            "INSERT INTO output_decisions (submission, decision, reason, checker, decided_at,
             report_json, verdict, earlier_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(id)
        .bind(decision.as_str())
        .bind(&reason)
        .bind(&checker)
        .bind(&at)
        .bind(&recheck.report_json)
        .bind(&recheck.verdict)
        .bind(&earlier_json)
        .execute(&mut *tx)
        .await?;
        let details = format!(
            "project={} output={} decision={} verdict={} earlier={earlier_json}",
            stored.project,
            stored.output_id,
            decision.as_str(),
            recheck.verdict
        );
        let head = audit::append(
            &mut tx,
            audit_key,
            &checker,
            "outputs.decide",
            &format!("output:{id}"),
            &details,
        )
        .await?;
        tx.commit().await?;
        self.anchor_audit(&head);
        self.output(id)
            .await?
            .ok_or(OutputRecordError::NotFound(id))
    }

    /// One submission with its decision, if any.
    pub async fn output(&self, id: i64) -> Result<Option<StoredOutput>, OutputRecordError> {
        self.ensure_output_checks().await?;
        let row = sqlx::query(select!("WHERE s.id = ?"))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.map(from_row).transpose()
    }

    /// The submissions of `project` (all projects: `None`), oldest first.
    pub async fn outputs(
        &self,
        project: Option<&str>,
    ) -> Result<Vec<StoredOutput>, OutputRecordError> {
        self.ensure_output_checks().await?;
        let rows = match project {
            Some(p) => {
                sqlx::query(select!("WHERE s.project = ? ORDER BY s.id"))
                    .bind(p.trim())
                    .fetch_all(&self.pool)
                    .await?
            }
            None => {
                sqlx::query(select!("ORDER BY s.id"))
                    .fetch_all(&self.pool)
                    .await?
            }
        };
        rows.into_iter().map(from_row).collect()
    }

    /// The approved outputs of `project`, oldest first: what differencing compares against.
    pub async fn approved_outputs(
        &self,
        project: &str,
    ) -> Result<Vec<StoredOutput>, OutputRecordError> {
        Ok(self
            .outputs(Some(project))
            .await?
            .into_iter()
            .filter(StoredOutput::approved)
            .collect())
    }
}

#[cfg(test)]
mod tests;
