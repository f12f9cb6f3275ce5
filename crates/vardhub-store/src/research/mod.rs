//! Research projects and the research release log (*utlämningsloggen*).
//!
//! `research_projects` holds each approved project as its record (JSON of
//! [`ResearchProject`]), the record's SHA-256, when and by whom it was added. `research_releases`
//! is the release log: per release the project (and the SHA-256 of the project record it was
//! built under), when and by whom, the files with name, rows, bytes and SHA-256, the data versions
//! read (delivery ids), the specification versions, the pseudonymisation key version and the
//! output folder. Both tables are created on demand (also in hubs made before they existed); the
//! catalogue refuses UPDATE and DELETE of both, so a project record never changes under its
//! releases and the release log only grows.
//!
//! Every project added ([`Hub::add_research_project`]), every release
//! ([`Hub::record_research_release`], in the same transaction) and every refused release
//! ([`Hub::refuse_research_release`], with its reason) is appended to the audit log
//! (`research.project.add`, `research.release`, `research.release.refused`).
//!
//! Who acts for a project is recorded in `research_members` ([`Hub::add_research_member`],
//! [`Hub::is_research_member`], [`Hub::research_member_projects`]).
//!
//! [`Hub::public_research_projects`] is what a public transparency page may show: a
//! [`PublicProject`] has no field for the principal investigator's name, the staff who added or
//! released, or the output folder.

use crate::audit;
use crate::error::StoreError;
use crate::hub::Hub;
use crate::time;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use sqlx::Row;
use std::collections::BTreeMap;
use vardhub_domain::Period;
use vardhub_domain::research::{
    AgeRange, ApprovedTable, DateCoarsening, LegalBasis, ProjectId, Regions, ResearchProject,
};

mod members;

pub use members::ResearchMember;

const DDL: &[&str] = &[
    "CREATE TABLE IF NOT EXISTS research_projects (
        id TEXT PRIMARY KEY,
        record TEXT NOT NULL,
        record_sha256 TEXT NOT NULL,
        created_at TEXT NOT NULL,
        created_by TEXT NOT NULL
    )",
    "CREATE TABLE IF NOT EXISTS research_releases (
        id TEXT PRIMARY KEY,
        seq INTEGER NOT NULL UNIQUE,
        project_id TEXT NOT NULL REFERENCES research_projects (id),
        project_sha256 TEXT NOT NULL,
        released_at TEXT NOT NULL,
        released_by TEXT NOT NULL,
        files TEXT NOT NULL,
        data_versions TEXT NOT NULL,
        spec_versions TEXT NOT NULL,
        key_version INTEGER NOT NULL,
        out_dir TEXT NOT NULL
    )",
    "CREATE TRIGGER IF NOT EXISTS research_releases_no_update BEFORE UPDATE ON research_releases
        BEGIN SELECT RAISE(ABORT, 'the research release log is append-only'); END",
    "CREATE TRIGGER IF NOT EXISTS research_releases_no_delete BEFORE DELETE ON research_releases
        BEGIN SELECT RAISE(ABORT, 'the research release log is append-only'); END",
    // Conflict resolution (`INSERT OR REPLACE`) deletes without firing delete triggers, so an
    // insert must itself be new: the next sequence number and an unused id.
    "CREATE TRIGGER IF NOT EXISTS research_releases_append_only BEFORE INSERT ON research_releases
        WHEN NEW.seq IS NOT (SELECT COALESCE(MAX(seq), 0) + 1 FROM research_releases)
          OR EXISTS (SELECT 1 FROM research_releases WHERE id = NEW.id)
        BEGIN SELECT RAISE(ABORT, 'the research release log is append-only'); END",
    "CREATE TRIGGER IF NOT EXISTS research_projects_insert_new BEFORE INSERT ON research_projects
        WHEN EXISTS (SELECT 1 FROM research_projects WHERE id = NEW.id)
        BEGIN SELECT RAISE(ABORT, 'a research project record is never changed'); END",
    "CREATE TRIGGER IF NOT EXISTS research_projects_no_update BEFORE UPDATE ON research_projects
        BEGIN SELECT RAISE(ABORT, 'a research project record is never changed'); END",
    "CREATE TRIGGER IF NOT EXISTS research_projects_no_delete BEFORE DELETE ON research_projects
        BEGIN SELECT RAISE(ABORT, 'a research project record is never changed'); END",
];

/// A project as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoredProject {
    /// The project record.
    pub record: ResearchProject,
    /// SHA-256 (hex) of the stored record JSON.
    pub record_sha256: String,
    /// When it was added (RFC 3339).
    pub created_at: String,
    /// Who added it.
    pub created_by: String,
}

/// One file of a release.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReleaseFile {
    /// File name inside the release folder.
    pub name: String,
    /// Data rows (0 for the data dictionary).
    pub rows: u64,
    /// Size in bytes.
    pub bytes: u64,
    /// SHA-256 (hex).
    pub sha256: String,
}

/// A release to record in the log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewRelease {
    /// Release id ([`Hub::next_research_release_id`]).
    pub id: String,
    /// The project.
    pub project_id: ProjectId,
    /// SHA-256 of the project record the release was built under.
    pub project_sha256: String,
    /// The files written.
    pub files: Vec<ReleaseFile>,
    /// The deliveries read (ids name collection, region, month and version).
    pub data_versions: Vec<String>,
    /// Per collection, the specification versions of the deliveries read.
    pub spec_versions: BTreeMap<String, Vec<String>>,
    /// The pseudonymisation key version the release pseudonyms were derived from.
    pub key_version: u32,
    /// Where the files were written.
    pub out_dir: String,
}

/// A release as logged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReleaseRecord {
    /// What was released.
    #[serde(flatten)]
    pub release: NewRelease,
    /// When (RFC 3339).
    pub released_at: String,
    /// By whom.
    pub released_by: String,
}

/// A release as the public may see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PublicRelease {
    /// Release id.
    pub id: String,
    /// The day of the release (`ÅÅÅÅ-MM-DD`, UTC).
    pub date: String,
    /// The deliveries read.
    pub data_versions: Vec<String>,
    /// Files with rows, bytes and SHA-256.
    pub files: Vec<ReleaseFile>,
}

/// A project as the public may see it: no person's name, no staff, no paths.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PublicProject {
    /// Project id.
    pub id: ProjectId,
    /// Title.
    pub title: String,
    /// Research principal (organisation).
    pub organisation: String,
    /// Etikprövningsmyndighetens diarienummer.
    pub ethics_dnr: String,
    /// First day of the approval.
    pub valid_from: chrono::NaiveDate,
    /// Last day of the approval.
    pub valid_to: chrono::NaiveDate,
    /// Legal basis.
    pub legal_basis: LegalBasis,
    /// Purpose.
    pub purpose: String,
    /// Approved tables and variables.
    pub selection: Vec<ApprovedTable>,
    /// Approved regions.
    pub regions: Regions,
    /// First approved month.
    pub from: Period,
    /// Last approved month.
    pub to: Period,
    /// Approved ages, if limited.
    pub age: Option<AgeRange>,
    /// How dates are coarsened.
    pub date_coarsening: DateCoarsening,
    /// Retention end.
    pub retention_end: chrono::NaiveDate,
    /// Its releases, oldest first.
    pub releases: Vec<PublicRelease>,
}

impl PublicProject {
    fn of(p: &ResearchProject, releases: Vec<PublicRelease>) -> PublicProject {
        PublicProject {
            id: p.id.clone(),
            title: p.title.clone(),
            organisation: p.organisation.clone(),
            ethics_dnr: p.ethics.dnr.to_string(),
            valid_from: p.ethics.valid_from,
            valid_to: p.ethics.valid_to,
            legal_basis: p.legal_basis,
            purpose: p.purpose.clone(),
            selection: p.selection.clone(),
            regions: p.population.regions.clone(),
            from: p.population.from,
            to: p.population.to,
            age: p.population.age,
            date_coarsening: p.date_coarsening,
            retention_end: p.retention_end,
            releases,
        }
    }
}

impl PublicRelease {
    fn of(r: &ReleaseRecord) -> PublicRelease {
        PublicRelease {
            id: r.release.id.clone(),
            date: r.released_at.chars().take(10).collect(),
            data_versions: r.release.data_versions.clone(),
            files: r.release.files.clone(),
        }
    }
}

fn encode<T: Serialize>(v: &T) -> Result<String, StoreError> {
    serde_json::to_string(v).map_err(|e| StoreError::Internal(format!("encode: {e}")))
}

fn decode<T: serde::de::DeserializeOwned>(what: &str, s: &str) -> Result<T, StoreError> {
    serde_json::from_str(s).map_err(|e| StoreError::Internal(format!("stored {what}: {e}")))
}

fn project_from_row(r: &sqlx::sqlite::SqliteRow) -> Result<StoredProject, StoreError> {
    let record: String = r.get(0);
    let sha: String = r.get(1);
    if hex::encode(Sha256::digest(record.as_bytes())) != sha {
        return Err(StoreError::Internal(
            "a research project record does not match its SHA-256".into(),
        ));
    }
    Ok(StoredProject {
        record: decode("research project", &record)?,
        record_sha256: sha,
        created_at: r.get(2),
        created_by: r.get(3),
    })
}

fn release_from_row(r: &sqlx::sqlite::SqliteRow) -> Result<ReleaseRecord, StoreError> {
    let project: String = r.get(1);
    let key_version: i64 = r.get(8);
    Ok(ReleaseRecord {
        release: NewRelease {
            id: r.get(0),
            project_id: ProjectId::parse(&project).map_err(StoreError::Internal)?,
            project_sha256: r.get(2),
            files: decode("release files", &r.get::<String, _>(5))?,
            data_versions: decode("data versions", &r.get::<String, _>(6))?,
            spec_versions: decode("spec versions", &r.get::<String, _>(7))?,
            key_version: u32::try_from(key_version)
                .map_err(|_| StoreError::Internal("key version".into()))?,
            out_dir: r.get(9),
        },
        released_at: r.get(3),
        released_by: r.get(4),
    })
}

impl Hub {
    async fn ensure_research_tables(&self) -> Result<(), StoreError> {
        for ddl in DDL {
            sqlx::query(*ddl).execute(&self.pool).await?;
        }
        Ok(())
    }

    /// Add a project (its record stored as JSON with its SHA-256); audited as
    /// `research.project.add` by `actor`. An id that exists already is a
    /// [`StoreError::Conflict`]: a record is never replaced.
    pub async fn add_research_project(
        &self,
        project: &ResearchProject,
        actor: &str,
    ) -> Result<StoredProject, StoreError> {
        self.ensure_research_tables().await?;
        let key = self.audit_key()?;
        let record = encode(project)?;
        let sha = hex::encode(Sha256::digest(record.as_bytes()));
        let created_at = time::fmt(time::now_utc());
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let exists = sqlx::query("SELECT 1 FROM research_projects WHERE id = ?")
            .bind(project.id.as_str())
            .fetch_optional(&mut *tx)
            .await?;
        if exists.is_some() {
            return Err(StoreError::Conflict(format!(
                "forskningsprojektet {} finns redan / research project {} exists already",
                project.id, project.id
            )));
        }
        sqlx::query(
            "INSERT INTO research_projects (id, record, record_sha256, created_at, created_by)
             VALUES (?, ?, ?, ?, ?)",
        )
        .bind(project.id.as_str())
        .bind(&record)
        .bind(&sha)
        .bind(&created_at)
        .bind(actor)
        .execute(&mut *tx)
        .await?;
        let details = format!(
            "dnr={} valid={}..{} retention_end={} sha256={sha}",
            project.ethics.dnr,
            project.ethics.valid_from,
            project.ethics.valid_to,
            project.retention_end
        );
        let head = audit::append(
            &mut tx,
            key,
            actor,
            "research.project.add",
            project.id.as_str(),
            &details,
        )
        .await?;
        tx.commit().await?;
        self.anchor_audit(&head);
        Ok(StoredProject {
            record: project.clone(),
            record_sha256: sha,
            created_at,
            created_by: actor.to_owned(),
        })
    }

    /// One project, if it exists.
    pub async fn research_project(
        &self,
        id: &ProjectId,
    ) -> Result<Option<StoredProject>, StoreError> {
        self.ensure_research_tables().await?;
        let row = sqlx::query(
            "SELECT record, record_sha256, created_at, created_by FROM research_projects
             WHERE id = ?",
        )
        .bind(id.as_str())
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(project_from_row).transpose()
    }

    /// Every project, by id.
    pub async fn research_projects(&self) -> Result<Vec<StoredProject>, StoreError> {
        self.ensure_research_tables().await?;
        let rows = sqlx::query(
            "SELECT record, record_sha256, created_at, created_by FROM research_projects
             ORDER BY id",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(project_from_row).collect()
    }

    /// The id the project's next release gets: `<project>-r<N>` (N = releases so far + 1). Two
    /// writers racing for it cannot both record it (the id is the log's key).
    pub async fn next_research_release_id(
        &self,
        project: &ProjectId,
    ) -> Result<String, StoreError> {
        self.ensure_research_tables().await?;
        let n: i64 = sqlx::query("SELECT COUNT(*) FROM research_releases WHERE project_id = ?")
            .bind(project.as_str())
            .fetch_one(&self.pool)
            .await?
            .get(0);
        Ok(format!("{project}-r{}", n + 1))
    }

    /// Record a release in the release log and append `research.release` to the audit log, in one
    /// transaction. The project must exist; a release id that exists already is a
    /// [`StoreError::Conflict`].
    pub async fn record_research_release(
        &self,
        release: &NewRelease,
        actor: &str,
    ) -> Result<ReleaseRecord, StoreError> {
        self.ensure_research_tables().await?;
        let key = self.audit_key()?;
        let released_at = time::fmt(time::now_utc());
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let project = sqlx::query("SELECT 1 FROM research_projects WHERE id = ?")
            .bind(release.project_id.as_str())
            .fetch_optional(&mut *tx)
            .await?;
        if project.is_none() {
            return Err(StoreError::Conflict(format!(
                "okänt forskningsprojekt / unknown research project {}",
                release.project_id
            )));
        }
        let taken = sqlx::query("SELECT 1 FROM research_releases WHERE id = ?")
            .bind(&release.id)
            .fetch_optional(&mut *tx)
            .await?;
        if taken.is_some() {
            return Err(StoreError::Conflict(format!(
                "utlämningen {} finns redan / release {} exists already",
                release.id, release.id
            )));
        }
        sqlx::query(
            "INSERT INTO research_releases (id, seq, project_id, project_sha256, released_at,
                 released_by, files, data_versions, spec_versions, key_version, out_dir)
             VALUES (?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM research_releases),
                     ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(&release.id)
        .bind(release.project_id.as_str())
        .bind(&release.project_sha256)
        .bind(&released_at)
        .bind(actor)
        .bind(encode(&release.files)?)
        .bind(encode(&release.data_versions)?)
        .bind(encode(&release.spec_versions)?)
        .bind(i64::from(release.key_version))
        .bind(&release.out_dir)
        .execute(&mut *tx)
        .await?;
        let rows: u64 = release.files.iter().map(|f| f.rows).sum();
        let files: Vec<String> = release
            .files
            .iter()
            .map(|f| format!("{}:{}", f.name, f.sha256))
            .collect();
        let details = format!(
            "release={} rows={rows} deliveries={} key_version={} project_sha256={} files={}",
            release.id,
            release.data_versions.len(),
            release.key_version,
            release.project_sha256,
            files.join(",")
        );
        let head = audit::append(
            &mut tx,
            key,
            actor,
            "research.release",
            release.project_id.as_str(),
            &details,
        )
        .await?;
        tx.commit().await?;
        self.anchor_audit(&head);
        Ok(ReleaseRecord {
            release: release.clone(),
            released_at,
            released_by: actor.to_owned(),
        })
    }

    /// Append a refused release to the audit log (`research.release.refused`): `project` as
    /// asked (the caller passes only a parsed id or `?`), `reason` a short code and a plain
    /// explanation (no personal data).
    pub async fn refuse_research_release(
        &self,
        project: &str,
        reason: &str,
        actor: &str,
    ) -> Result<(), StoreError> {
        self.append_audit(actor, "research.release.refused", project, reason)
            .await
            .map(|_| ())
    }

    /// The release log, oldest first: every release, or one project's.
    pub async fn research_releases(
        &self,
        project: Option<&ProjectId>,
    ) -> Result<Vec<ReleaseRecord>, StoreError> {
        self.ensure_research_tables().await?;
        let rows = sqlx::query(
            "SELECT id, project_id, project_sha256, released_at, released_by, files,
                    data_versions, spec_versions, key_version, out_dir
             FROM research_releases WHERE (? IS NULL OR project_id = ?) ORDER BY seq",
        )
        .bind(project.map(ProjectId::as_str))
        .bind(project.map(ProjectId::as_str))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(release_from_row).collect()
    }

    /// Every project with its releases, as a public transparency page may show them (see
    /// [`PublicProject`]), by project id.
    pub async fn public_research_projects(&self) -> Result<Vec<PublicProject>, StoreError> {
        let projects = self.research_projects().await?;
        let releases = self.research_releases(None).await?;
        Ok(projects
            .iter()
            .map(|p| {
                let own = releases
                    .iter()
                    .filter(|r| r.release.project_id == p.record.id)
                    .map(PublicRelease::of)
                    .collect();
                PublicProject::of(&p.record, own)
            })
            .collect())
    }

    /// The specification version and pseudonymisation key version of each delivery named (those
    /// that exist), by delivery id.
    pub async fn delivery_versions(
        &self,
        ids: &[String],
    ) -> Result<BTreeMap<String, (String, Option<u32>)>, StoreError> {
        let mut out = BTreeMap::new();
        for id in ids {
            let row = sqlx::query("SELECT spec_version, key_version FROM deliveries WHERE id = ?")
                .bind(id)
                .fetch_optional(&self.pool)
                .await?;
            if let Some(r) = row {
                let key: Option<i64> = r.get(1);
                out.insert(
                    id.clone(),
                    (r.get(0), key.and_then(|k| u32::try_from(k).ok())),
                );
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests;
