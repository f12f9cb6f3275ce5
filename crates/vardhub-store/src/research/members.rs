//! Project membership: which users act for which research project (a researcher submits outputs
//! only for the projects they are a member of).
//!
//! `research_members (project_id, user_name, added_at, added_by)`, one row per member, created on
//! demand. A member is added to an existing project only ([`Hub::add_research_member`]), once,
//! audited as `research.member.add` (object: the project; details: the user). User names are
//! those of `vardhub users`, but the users table is not consulted: a member may be added before
//! the account exists.

use crate::audit;
use crate::error::StoreError;
use crate::hub::Hub;
use crate::time;
use serde::Serialize;
use sqlx::Row;
use vardhub_domain::research::ProjectId;

const DDL: &[&str] = &["CREATE TABLE IF NOT EXISTS research_members (
        project_id TEXT NOT NULL REFERENCES research_projects (id),
        user_name TEXT NOT NULL,
        added_at TEXT NOT NULL,
        added_by TEXT NOT NULL,
        PRIMARY KEY (project_id, user_name)
    )"];

/// A member of a project as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ResearchMember {
    /// The project.
    pub project_id: ProjectId,
    /// The user's name.
    pub user_name: String,
    /// When the user was added (RFC 3339).
    pub added_at: String,
    /// Who added them.
    pub added_by: String,
}

/// A user name as `vardhub users` makes them: 1–64 of a–z, A–Z, 0–9, `.`, `_`, `-`.
fn user_name(user: &str) -> Result<&str, StoreError> {
    let ok = !user.is_empty()
        && user.len() <= 64
        && user
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b));
    if ok {
        Ok(user)
    } else {
        Err(StoreError::Conflict(
            "användarnamnet får bara innehålla a–z, 0–9, . _ - (högst 64 tecken) / the user name may only contain a–z, 0–9, . _ - (at most 64 characters)".into(),
        ))
    }
}

impl Hub {
    async fn ensure_research_members(&self) -> Result<(), StoreError> {
        self.ensure_research_tables().await?;
        for ddl in DDL {
            sqlx::query(*ddl).execute(&self.pool).await?;
        }
        Ok(())
    }

    /// Make `user` a member of `project`; audited as `research.member.add` by `actor`. The
    /// project must exist and the user must not be a member already (both
    /// [`StoreError::Conflict`]).
    pub async fn add_research_member(
        &self,
        project: &ProjectId,
        user: &str,
        actor: &str,
    ) -> Result<ResearchMember, StoreError> {
        self.ensure_research_members().await?;
        let user = user_name(user)?;
        let key = self.audit_key()?;
        let added_at = time::fmt(time::now_utc());
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let exists = sqlx::query("SELECT 1 FROM research_projects WHERE id = ?")
            .bind(project.as_str())
            .fetch_optional(&mut *tx)
            .await?;
        if exists.is_none() {
            return Err(StoreError::Conflict(format!(
                "okänt forskningsprojekt / unknown research project {project}"
            )));
        }
        let member =
            sqlx::query("SELECT 1 FROM research_members WHERE project_id = ? AND user_name = ?")
                .bind(project.as_str())
                .bind(user)
                .fetch_optional(&mut *tx)
                .await?;
        if member.is_some() {
            return Err(StoreError::Conflict(format!(
                "{user} är redan medlem i {project} / {user} is a member of {project} already"
            )));
        }
        sqlx::query(
            "INSERT INTO research_members (project_id, user_name, added_at, added_by)
             VALUES (?, ?, ?, ?)",
        )
        .bind(project.as_str())
        .bind(user)
        .bind(&added_at)
        .bind(actor)
        .execute(&mut *tx)
        .await?;
        let head = audit::append(
            &mut tx,
            key,
            actor,
            "research.member.add",
            project.as_str(),
            &format!("user={user}"),
        )
        .await?;
        tx.commit().await?;
        self.anchor_audit(&head);
        Ok(ResearchMember {
            project_id: project.clone(),
            user_name: user.to_owned(),
            added_at,
            added_by: actor.to_owned(),
        })
    }

    /// The projects `user` is a member of, by id.
    pub async fn research_member_projects(&self, user: &str) -> Result<Vec<ProjectId>, StoreError> {
        self.ensure_research_members().await?;
        let rows = sqlx::query(
            "SELECT project_id FROM research_members WHERE user_name = ? ORDER BY project_id",
        )
        .bind(user)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| ProjectId::parse(&r.get::<String, _>(0)).map_err(StoreError::Internal))
            .collect()
    }

    /// Whether `user` is a member of `project`.
    pub async fn is_research_member(
        &self,
        project: &ProjectId,
        user: &str,
    ) -> Result<bool, StoreError> {
        self.ensure_research_members().await?;
        let row =
            sqlx::query("SELECT 1 FROM research_members WHERE project_id = ? AND user_name = ?")
                .bind(project.as_str())
                .bind(user)
                .fetch_optional(&self.pool)
                .await?;
        Ok(row.is_some())
    }

    /// The members of `project`, by user name.
    pub async fn research_members(
        &self,
        project: &ProjectId,
    ) -> Result<Vec<ResearchMember>, StoreError> {
        self.ensure_research_members().await?;
        let rows = sqlx::query(
            "SELECT user_name, added_at, added_by FROM research_members WHERE project_id = ?
             ORDER BY user_name",
        )
        .bind(project.as_str())
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .iter()
            .map(|r| ResearchMember {
                project_id: project.clone(),
                user_name: r.get(0),
                added_at: r.get(1),
                added_by: r.get(2),
            })
            .collect())
    }
}
