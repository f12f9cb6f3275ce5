//! The work log (tidsredovisning): handling time and resources recorded per subject, the basis
//! of fees (MONA style: handling per hour, users, storage and compute per month).
//!
//! A **subject** is a case (`case:<id>`) or a research project (`project:<id>`); ids are text keys
//! here (the case and project registers live elsewhere and are not consulted). Two tables, both
//! created on demand and **append-only** (SQL triggers refuse `UPDATE` and `DELETE`): a mistake is
//! corrected by a new entry with negative values and a written reason, so that the log shows what
//! was recorded, when and by whom.
//!
//! * `work_log`: who worked, which day, how long (hours with at most two decimals, stored as whole
//!   minutes, rounded half away from zero: 0.01 h is 0.6 min → 1 min), the activity, and
//!   optionally the entry it corrects and whether it marks a project's start (the start fee falls
//!   in the period holding the earliest such day; without one, the first entry's).
//! * `resource_use`: per project and month, user accounts, storage (GB with two decimals, stored
//!   in hundredths) and compute (core-hours, stored as core-minutes).
//!
//! Every entry is audited as `work.record` in the same transaction. Free text (activity, reason)
//! is masked with [`vardhub_domain::mask_identity_numbers`] before it is stored.

use crate::audit;
use crate::error::StoreError;
use crate::hub::Hub;
use crate::time;
use chrono::NaiveDate;
use serde::Serialize;
use sqlx::Row;
use std::fmt;
use vardhub_domain::{Period, mask_identity_numbers};

/// The longest activity or reason text accepted.
pub const MAX_TEXT: usize = 500;
/// The most hours (or core-hours) one entry may hold, either sign.
pub const MAX_HOURS: i64 = 10_000;

const DDL: &[&str] = &[
    "CREATE TABLE IF NOT EXISTS work_log (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        subject TEXT NOT NULL,
        who TEXT NOT NULL,
        day TEXT NOT NULL,
        minutes INTEGER NOT NULL,
        activity TEXT NOT NULL,
        corrects INTEGER,
        reason TEXT,
        project_start INTEGER NOT NULL,
        recorded_by TEXT NOT NULL,
        recorded_at TEXT NOT NULL
    )",
    "CREATE INDEX IF NOT EXISTS work_log_subject_day ON work_log (subject, day)",
    "CREATE TABLE IF NOT EXISTS resource_use (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        subject TEXT NOT NULL,
        month TEXT NOT NULL,
        users INTEGER NOT NULL,
        storage_gb_hundredths INTEGER NOT NULL,
        compute_minutes INTEGER NOT NULL,
        reason TEXT,
        recorded_by TEXT NOT NULL,
        recorded_at TEXT NOT NULL
    )",
    "CREATE INDEX IF NOT EXISTS resource_use_subject_month ON resource_use (subject, month)",
    "CREATE TRIGGER IF NOT EXISTS work_log_append_only_u BEFORE UPDATE ON work_log
        BEGIN SELECT RAISE(ABORT, 'work_log is append-only'); END",
    "CREATE TRIGGER IF NOT EXISTS work_log_append_only_d BEFORE DELETE ON work_log
        BEGIN SELECT RAISE(ABORT, 'work_log is append-only'); END",
    "CREATE TRIGGER IF NOT EXISTS resource_use_append_only_u BEFORE UPDATE ON resource_use
        BEGIN SELECT RAISE(ABORT, 'resource_use is append-only'); END",
    "CREATE TRIGGER IF NOT EXISTS resource_use_append_only_d BEFORE DELETE ON resource_use
        BEGIN SELECT RAISE(ABORT, 'resource_use is append-only'); END",
];

/// Why a work-log entry was refused, classified by who must act.
#[derive(Debug, thiserror::Error)]
pub enum WorkLogError {
    /// The subject is not `case:<id>` or `project:<id>` (the user must act).
    #[error(
        "ogiltigt ärende/projekt {0:?}: skriv case:<id> eller project:<id> / invalid subject: write case:<id> or project:<id>"
    )]
    Subject(String),
    /// A number (hours, GB) is not a decimal with at most two decimals in range (the user must act).
    #[error("ogiltigt tal {0:?} (högst två decimaler) / invalid number (at most two decimals)")]
    Number(String),
    /// The entry breaks a rule of the log (the user must act); the message says which.
    #[error("{0}")]
    Invalid(String),
    /// The catalogue failed (the operator must act).
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<sqlx::Error> for WorkLogError {
    fn from(e: sqlx::Error) -> Self {
        WorkLogError::Store(StoreError::Catalogue(e))
    }
}

/// What work and resources are recorded against.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Subject {
    /// A case (ärende), `case:<id>`.
    Case(String),
    /// A research project, `project:<id>`.
    Project(String),
}

impl Subject {
    /// Parse `case:<id>` or `project:<id>`; the id is 1–64 letters, digits or `-_./`.
    pub fn parse(text: &str) -> Result<Subject, WorkLogError> {
        let bad = || WorkLogError::Subject(text.chars().take(80).collect());
        let (kind, id) = text.split_once(':').ok_or_else(bad)?;
        let ok = !id.is_empty()
            && id.chars().count() <= 64
            && id
                .chars()
                .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | '/'));
        match (kind, ok) {
            ("case", true) => Ok(Subject::Case(id.to_owned())),
            ("project", true) => Ok(Subject::Project(id.to_owned())),
            _ => Err(bad()),
        }
    }

    /// The id without its kind.
    pub fn id(&self) -> &str {
        match self {
            Subject::Case(id) | Subject::Project(id) => id,
        }
    }

    /// Whether this is a research project.
    pub fn is_project(&self) -> bool {
        matches!(self, Subject::Project(_))
    }
}

impl fmt::Display for Subject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Subject::Case(id) => write!(f, "case:{id}"),
            Subject::Project(id) => write!(f, "project:{id}"),
        }
    }
}

impl Serialize for Subject {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// A decimal with at most two decimals (`1.5`, `1,25`, `-0.75`) as hundredths.
pub fn hundredths(text: &str) -> Result<i64, WorkLogError> {
    let bad = || WorkLogError::Number(text.chars().take(40).collect());
    let t = text.trim().replace(',', ".");
    let (neg, t) = match t.strip_prefix('-') {
        Some(rest) => (true, rest.to_owned()),
        None => (false, t),
    };
    let (whole, frac) = t.split_once('.').unwrap_or((&t, ""));
    let digits = |s: &str| s.chars().all(|c| c.is_ascii_digit());
    if whole.is_empty() || whole.len() > 9 || frac.len() > 2 || !digits(whole) || !digits(frac) {
        return Err(bad());
    }
    let whole: i64 = whole.parse().map_err(|_| bad())?;
    let frac: i64 = format!("{frac:0<2}").parse().map_err(|_| bad())?;
    let v = whole * 100 + frac;
    Ok(if neg { -v } else { v })
}

/// Hours with at most two decimals as whole minutes (rounded half away from zero), within
/// ±[`MAX_HOURS`].
pub fn minutes_from_hours(text: &str) -> Result<i64, WorkLogError> {
    let h = hundredths(text)?;
    if h.abs() > MAX_HOURS * 100 {
        return Err(WorkLogError::Number(text.chars().take(40).collect()));
    }
    Ok(div_round(h * 60, 100))
}

/// `a / b` rounded half away from zero (`b > 0`).
pub fn div_round(a: i64, b: i64) -> i64 {
    let q = (2 * a.abs() + b) / (2 * b);
    if a < 0 { -q } else { q }
}

/// A work entry to record.
#[derive(Debug, Clone)]
pub struct NewWork {
    /// The case or project worked on.
    pub subject: Subject,
    /// Who did the work.
    pub who: String,
    /// The day it was done.
    pub day: NaiveDate,
    /// Whole minutes; negative only in a correction (with a reason).
    pub minutes: i64,
    /// What was done.
    pub activity: String,
    /// The entry this one corrects (same subject), if any.
    pub corrects: Option<i64>,
    /// Why (required when `minutes` is negative).
    pub reason: Option<String>,
    /// This day marks the project's start (start fee); projects only.
    pub project_start: bool,
}

/// A recorded work entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WorkEntry {
    /// Sequence number in the log.
    pub seq: i64,
    /// The case or project.
    pub subject: Subject,
    /// Who did the work.
    pub who: String,
    /// The day.
    pub day: NaiveDate,
    /// Whole minutes (negative: a correction).
    pub minutes: i64,
    /// What was done (masked).
    pub activity: String,
    /// The entry corrected, if any.
    pub corrects: Option<i64>,
    /// Why (corrections).
    pub reason: Option<String>,
    /// Marks the project's start.
    pub project_start: bool,
    /// Who recorded it.
    pub recorded_by: String,
    /// When (RFC 3339).
    pub recorded_at: String,
}

/// A project's resource use in a month to record (or a correction of it).
#[derive(Debug, Clone)]
pub struct NewResourceUse {
    /// The project (cases have no resources).
    pub subject: Subject,
    /// The month.
    pub month: Period,
    /// User accounts active in the month.
    pub users: i64,
    /// Storage in hundredths of a GB (averaged over the month).
    pub storage_gb_hundredths: i64,
    /// Compute in core-minutes.
    pub compute_minutes: i64,
    /// Why (required when any value is negative).
    pub reason: Option<String>,
}

/// A recorded resource-use entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ResourceUse {
    /// Sequence number.
    pub seq: i64,
    /// The project.
    pub subject: Subject,
    /// The month.
    pub month: Period,
    /// User accounts.
    pub users: i64,
    /// Storage, hundredths of a GB.
    pub storage_gb_hundredths: i64,
    /// Compute, core-minutes.
    pub compute_minutes: i64,
    /// Why (corrections).
    pub reason: Option<String>,
    /// Who recorded it.
    pub recorded_by: String,
    /// When (RFC 3339).
    pub recorded_at: String,
}

fn text(field: &str, value: &str, required: bool) -> Result<Option<String>, WorkLogError> {
    let v = value.trim();
    if v.is_empty() {
        return if required {
            Err(WorkLogError::Invalid(format!(
                "{field} saknas / {field} is missing"
            )))
        } else {
            Ok(None)
        };
    }
    if v.chars().count() > MAX_TEXT || v.chars().any(|c| c.is_control() && c != '\n') {
        return Err(WorkLogError::Invalid(format!(
            "{field}: högst {MAX_TEXT} tecken utan styrtecken / at most {MAX_TEXT} characters, no control characters"
        )));
    }
    Ok(Some(mask_identity_numbers(v).into_owned()))
}

fn name(field: &str, value: &str) -> Result<String, WorkLogError> {
    let v = value.trim();
    if v.is_empty() || v.chars().count() > 100 || v.chars().any(char::is_control) {
        return Err(WorkLogError::Invalid(format!(
            "{field}: ange ett namn / give a name"
        )));
    }
    Ok(mask_identity_numbers(v).into_owned())
}

impl Hub {
    async fn ensure_work_log(&self) -> Result<(), StoreError> {
        for ddl in DDL {
            sqlx::query(*ddl).execute(&self.pool).await?;
        }
        Ok(())
    }

    /// Record handling time, audited as `work.record` by `actor`. Zero minutes are refused; a
    /// negative entry needs a reason; a correction names an entry of the same subject and may not
    /// take it below zero; a start mark is for projects only.
    pub async fn record_work(&self, w: &NewWork, actor: &str) -> Result<WorkEntry, WorkLogError> {
        self.ensure_work_log().await?;
        let who = name("who", &w.who)?;
        let actor = name("actor", actor)?;
        let activity = text("activity", &w.activity, true)?.unwrap_or_default();
        let reason = text("reason", w.reason.as_deref().unwrap_or(""), w.minutes < 0)?;
        if w.minutes == 0 || w.minutes.abs() > MAX_HOURS * 60 {
            return Err(WorkLogError::Invalid(format!(
                "tiden ska vara skild från 0 och högst {MAX_HOURS} timmar / the time must be non-zero and at most {MAX_HOURS} hours"
            )));
        }
        if w.project_start && !w.subject.is_project() {
            return Err(WorkLogError::Invalid(
                "bara ett projekt har en start / only a project has a start".into(),
            ));
        }
        let key = self.audit_key()?;
        let subject = w.subject.to_string();
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        if let Some(c) = w.corrects {
            let row = sqlx::query(
                "SELECT (SELECT minutes FROM work_log WHERE seq = ?1 AND subject = ?2),
                        (SELECT COALESCE(SUM(minutes), 0) FROM work_log WHERE corrects = ?1)",
            )
            .bind(c)
            .bind(&subject)
            .fetch_one(&mut *tx)
            .await?;
            let Some(original) = row.get::<Option<i64>, _>(0) else {
                return Err(WorkLogError::Invalid(format!(
                    "post {c} finns inte för {subject} / entry {c} does not exist for {subject}"
                )));
            };
            if original + row.get::<i64, _>(1) + w.minutes < 0 {
                return Err(WorkLogError::Invalid(format!(
                    "rättelsen tar post {c} under noll / the correction takes entry {c} below zero"
                )));
            }
        }
        let at = time::fmt(time::now_utc());
        let day = w.day.format("%Y-%m-%d").to_string();
        let seq: i64 = sqlx::query(
            "INSERT INTO work_log (subject, who, day, minutes, activity, corrects, reason,
             project_start, recorded_by, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
             RETURNING seq",
        )
        .bind(&subject)
        .bind(&who)
        .bind(&day)
        .bind(w.minutes)
        .bind(&activity)
        .bind(w.corrects)
        .bind(&reason)
        .bind(w.project_start)
        .bind(&actor)
        .bind(&at)
        .fetch_one(&mut *tx)
        .await?
        .get(0);
        let mut details = format!("work seq={seq} who={who} day={day} minutes={}", w.minutes);
        if let Some(c) = w.corrects {
            details.push_str(&format!(" corrects={c}"));
        }
        if w.project_start {
            details.push_str(" project_start");
        }
        let head = audit::append(&mut tx, key, &actor, "work.record", &subject, &details).await?;
        tx.commit().await?;
        self.anchor_audit(&head);
        Ok(WorkEntry {
            seq,
            subject: w.subject.clone(),
            who,
            day: w.day,
            minutes: w.minutes,
            activity,
            corrects: w.corrects,
            reason,
            project_start: w.project_start,
            recorded_by: actor,
            recorded_at: at,
        })
    }

    /// The work entries of `subject` dated `from ..= to`, in day and sequence order.
    pub async fn work_entries(
        &self,
        subject: &Subject,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<WorkEntry>, WorkLogError> {
        self.ensure_work_log().await?;
        let rows = sqlx::query(
            "SELECT seq, who, day, minutes, activity, corrects, reason, project_start,
                    recorded_by, recorded_at
             FROM work_log WHERE subject = ? AND day >= ? AND day <= ? ORDER BY day, seq",
        )
        .bind(subject.to_string())
        .bind(from.format("%Y-%m-%d").to_string())
        .bind(to.format("%Y-%m-%d").to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|r| {
                let day: String = r.get(2);
                Ok(WorkEntry {
                    seq: r.get(0),
                    subject: subject.clone(),
                    who: r.get(1),
                    day: day.parse().map_err(|_| bad_row("work_log.day", &day))?,
                    minutes: r.get(3),
                    activity: r.get(4),
                    corrects: r.get(5),
                    reason: r.get(6),
                    project_start: r.get(7),
                    recorded_by: r.get(8),
                    recorded_at: r.get(9),
                })
            })
            .collect()
    }

    /// Record a project's resource use for a month, audited as `work.record`. All-zero entries
    /// are refused; a negative value (a correction) needs a reason; the month's sums may not go
    /// below zero.
    pub async fn record_resources(
        &self,
        u: &NewResourceUse,
        actor: &str,
    ) -> Result<ResourceUse, WorkLogError> {
        self.ensure_work_log().await?;
        let actor = name("actor", actor)?;
        if !u.subject.is_project() {
            return Err(WorkLogError::Invalid(
                "resurser registreras per projekt / resources are recorded per project".into(),
            ));
        }
        let values = [u.users, u.storage_gb_hundredths, u.compute_minutes];
        let negative = values.iter().any(|&v| v < 0);
        let reason = text("reason", u.reason.as_deref().unwrap_or(""), negative)?;
        let limit = MAX_HOURS * 100;
        if values.iter().all(|&v| v == 0) || values.iter().any(|v| v.abs() > limit) {
            return Err(WorkLogError::Invalid(format!(
                "ange användare, lagring eller beräkning (högst {limit} var) / give users, storage or compute (at most {limit} each)"
            )));
        }
        let key = self.audit_key()?;
        let subject = u.subject.to_string();
        let month = u.month.to_string();
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        if negative {
            let r = sqlx::query(
                "SELECT COALESCE(SUM(users), 0), COALESCE(SUM(storage_gb_hundredths), 0),
                        COALESCE(SUM(compute_minutes), 0)
                 FROM resource_use WHERE subject = ? AND month = ?",
            )
            .bind(&subject)
            .bind(&month)
            .fetch_one(&mut *tx)
            .await?;
            if (0..3).any(|i| r.get::<i64, _>(i) + values[i] < 0) {
                return Err(WorkLogError::Invalid(format!(
                    "rättelsen tar {subject} {month} under noll / the correction takes the month below zero"
                )));
            }
        }
        let at = time::fmt(time::now_utc());
        let seq: i64 = sqlx::query(
            "INSERT INTO resource_use (subject, month, users, storage_gb_hundredths,
             compute_minutes, reason, recorded_by, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
             RETURNING seq",
        )
        .bind(&subject)
        .bind(&month)
        .bind(u.users)
        .bind(u.storage_gb_hundredths)
        .bind(u.compute_minutes)
        .bind(&reason)
        .bind(&actor)
        .bind(&at)
        .fetch_one(&mut *tx)
        .await?
        .get(0);
        let details = format!(
            "resources seq={seq} month={month} users={} storage_gb_hundredths={} compute_minutes={}",
            u.users, u.storage_gb_hundredths, u.compute_minutes
        );
        let head = audit::append(&mut tx, key, &actor, "work.record", &subject, &details).await?;
        tx.commit().await?;
        self.anchor_audit(&head);
        Ok(ResourceUse {
            seq,
            subject: u.subject.clone(),
            month: u.month,
            users: u.users,
            storage_gb_hundredths: u.storage_gb_hundredths,
            compute_minutes: u.compute_minutes,
            reason,
            recorded_by: actor,
            recorded_at: at,
        })
    }

    /// The resource entries of `subject` for the months `from ..= to`, in month and sequence order.
    pub async fn resource_use(
        &self,
        subject: &Subject,
        from: Period,
        to: Period,
    ) -> Result<Vec<ResourceUse>, WorkLogError> {
        self.ensure_work_log().await?;
        let rows = sqlx::query(
            "SELECT seq, month, users, storage_gb_hundredths, compute_minutes, reason,
                    recorded_by, recorded_at
             FROM resource_use WHERE subject = ? AND month >= ? AND month <= ?
             ORDER BY month, seq",
        )
        .bind(subject.to_string())
        .bind(from.to_string())
        .bind(to.to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|r| {
                let month: String = r.get(1);
                Ok(ResourceUse {
                    seq: r.get(0),
                    subject: subject.clone(),
                    month: Period::parse(&month)
                        .map_err(|_| bad_row("resource_use.month", &month))?,
                    users: r.get(2),
                    storage_gb_hundredths: r.get(3),
                    compute_minutes: r.get(4),
                    reason: r.get(5),
                    recorded_by: r.get(6),
                    recorded_at: r.get(7),
                })
            })
            .collect()
    }

    /// The day a project started, for its start fee: the earliest day marked as its start, else
    /// the earliest of its first work entry and the first day of its first resource month.
    pub async fn project_start(
        &self,
        subject: &Subject,
    ) -> Result<Option<NaiveDate>, WorkLogError> {
        self.ensure_work_log().await?;
        let s = subject.to_string();
        let r = sqlx::query(
            "SELECT (SELECT MIN(day) FROM work_log WHERE subject = ?1 AND project_start = 1),
                    (SELECT MIN(day) FROM work_log WHERE subject = ?1),
                    (SELECT MIN(month) FROM resource_use WHERE subject = ?1)",
        )
        .bind(&s)
        .fetch_one(&self.pool)
        .await?;
        let marked: Option<String> = r.get(0);
        let first_work: Option<String> = r.get(1);
        let first_month: Option<String> = r.get(2);
        let day = |d: String| {
            d.parse::<NaiveDate>()
                .map_err(|_| bad_row("work_log.day", &d))
        };
        if let Some(d) = marked {
            return day(d).map(Some);
        }
        let month = first_month
            .map(|m| {
                Period::parse(&m)
                    .map(Period::first_day)
                    .map_err(|_| bad_row("resource_use.month", &m))
            })
            .transpose()?;
        let work = first_work.map(day).transpose()?;
        Ok(match (work, month) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        })
    }

    /// Every subject with work or resources recorded, sorted by its text form.
    pub async fn work_subjects(&self) -> Result<Vec<Subject>, WorkLogError> {
        self.ensure_work_log().await?;
        let rows = sqlx::query(
            "SELECT subject FROM work_log UNION SELECT subject FROM resource_use ORDER BY 1",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| Subject::parse(&r.get::<String, _>(0)))
            .collect()
    }
}

fn bad_row(column: &str, value: &str) -> WorkLogError {
    WorkLogError::Store(StoreError::Internal(format!(
        "{column} har ett ogiltigt värde / has an invalid value: {value:?}"
    )))
}

#[cfg(test)]
mod tests;
