//! Users of the web server and their sessions (*användare och inloggningar*).
//!
//! The catalogue stores only SHA-256 hashes of bearer tokens and session ids, never the secrets
//! themselves; a stolen catalogue does not let anyone log in. Both tables are created on demand
//! (also in hubs made before they existed), like the indicator runs. Roles are stored as text;
//! the server parses them at its edge.

use crate::audit;
use crate::error::StoreError;
use crate::hub::Hub;
use crate::time;
use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::Row;

const DDL: [&str; 2] = [
    "CREATE TABLE IF NOT EXISTS users (
        name TEXT PRIMARY KEY,
        role TEXT NOT NULL,
        region TEXT,
        token_sha256 TEXT NOT NULL UNIQUE,
        created_at TEXT NOT NULL
    )",
    "CREATE TABLE IF NOT EXISTS sessions (
        id_sha256 TEXT PRIMARY KEY,
        user_name TEXT NOT NULL REFERENCES users(name),
        created_at TEXT NOT NULL,
        expires_at TEXT NOT NULL
    )",
];

/// A user as stored (without any secret).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UserRecord {
    /// Unique user name.
    pub name: String,
    /// Role code (`public`, `region`, `national`, `admin`).
    pub role: String,
    /// The region of a region analyst (two digits).
    pub region: Option<String>,
    /// When the user was created (RFC 3339).
    pub created_at: String,
}

impl Hub {
    async fn ensure_user_tables(&self) -> Result<(), StoreError> {
        for stmt in DDL {
            sqlx::query(stmt).execute(&self.pool).await?;
        }
        Ok(())
    }

    /// Add a user with the SHA-256 (hex) of its bearer token; audited as `users.add`.
    /// A name that exists already is a [`StoreError::Conflict`].
    pub async fn add_user(
        &self,
        name: &str,
        role: &str,
        region: Option<&str>,
        token_sha256: &str,
    ) -> Result<UserRecord, StoreError> {
        self.ensure_user_tables().await?;
        let created_at = time::fmt(time::now_utc());
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let exists = sqlx::query("SELECT 1 FROM users WHERE name = ?")
            .bind(name)
            .fetch_optional(&mut *tx)
            .await?;
        if exists.is_some() {
            return Err(StoreError::Conflict(format!(
                "användaren {name} finns redan / user {name} exists already"
            )));
        }
        sqlx::query(
            "INSERT INTO users (name, role, region, token_sha256, created_at) VALUES (?, ?, ?, ?, ?)",
        )
        .bind(name)
        .bind(role)
        .bind(region)
        .bind(token_sha256)
        .bind(&created_at)
        .execute(&mut *tx)
        .await?;
        let details = match region {
            Some(r) => format!("role={role} region={r}"),
            None => format!("role={role}"),
        };
        let head = audit::append(
            &mut tx,
            self.audit_key()?,
            "system",
            "users.add",
            name,
            &details,
        )
        .await?;
        tx.commit().await?;
        self.anchor_audit(&head);
        Ok(UserRecord {
            name: name.to_owned(),
            role: role.to_owned(),
            region: region.map(str::to_owned),
            created_at,
        })
    }

    /// All users, by name.
    pub async fn users(&self) -> Result<Vec<UserRecord>, StoreError> {
        self.ensure_user_tables().await?;
        let rows = sqlx::query("SELECT name, role, region, created_at FROM users ORDER BY name")
            .fetch_all(&self.pool)
            .await?;
        Ok(rows.into_iter().map(user_from_row).collect())
    }

    /// The user whose token hashes to `token_sha256`.
    pub async fn user_by_token_hash(
        &self,
        token_sha256: &str,
    ) -> Result<Option<UserRecord>, StoreError> {
        self.ensure_user_tables().await?;
        let row =
            sqlx::query("SELECT name, role, region, created_at FROM users WHERE token_sha256 = ?")
                .bind(token_sha256)
                .fetch_optional(&self.pool)
                .await?;
        Ok(row.map(user_from_row))
    }

    /// Record a session (by the SHA-256 of its id) for `user` until `expires_at`.
    pub async fn create_session(
        &self,
        id_sha256: &str,
        user: &str,
        expires_at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.ensure_user_tables().await?;
        let now = time::now_utc();
        sqlx::query("DELETE FROM sessions WHERE expires_at <= ?")
            .bind(time::fmt(now))
            .execute(&self.pool)
            .await?;
        sqlx::query(
            "INSERT INTO sessions (id_sha256, user_name, created_at, expires_at) VALUES (?, ?, ?, ?)",
        )
        .bind(id_sha256)
        .bind(user)
        .bind(time::fmt(now))
        .bind(time::fmt(expires_at))
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The user of an unexpired session.
    pub async fn session_user(&self, id_sha256: &str) -> Result<Option<UserRecord>, StoreError> {
        self.ensure_user_tables().await?;
        let row = sqlx::query(
            "SELECT u.name, u.role, u.region, u.created_at FROM sessions s
             JOIN users u ON u.name = s.user_name
             WHERE s.id_sha256 = ? AND s.expires_at > ?",
        )
        .bind(id_sha256)
        .bind(time::fmt(time::now_utc()))
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(user_from_row))
    }

    /// End a session (logout).
    pub async fn delete_session(&self, id_sha256: &str) -> Result<(), StoreError> {
        self.ensure_user_tables().await?;
        sqlx::query("DELETE FROM sessions WHERE id_sha256 = ?")
            .bind(id_sha256)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}

fn user_from_row(r: sqlx::sqlite::SqliteRow) -> UserRecord {
    UserRecord {
        name: r.get(0),
        role: r.get(1),
        region: r.get(2),
        created_at: r.get(3),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn users_and_sessions_round_trip_and_names_are_unique() {
        let tmp = tempfile::tempdir().unwrap();
        let hub = crate::hub::test_hub(tmp.path()).await;
        let u = hub
            .add_user("anna", "region", Some("01"), "ab12")
            .await
            .unwrap();
        assert_eq!(u.region.as_deref(), Some("01"));
        assert!(matches!(
            hub.add_user("anna", "admin", None, "cd34").await,
            Err(StoreError::Conflict(_))
        ));
        assert_eq!(
            hub.user_by_token_hash("ab12").await.unwrap(),
            Some(u.clone())
        );
        assert_eq!(hub.user_by_token_hash("zz").await.unwrap(), None);
        let later = time::now_utc() + chrono::Duration::hours(1);
        hub.create_session("s1", "anna", later).await.unwrap();
        assert_eq!(hub.session_user("s1").await.unwrap(), Some(u));
        hub.delete_session("s1").await.unwrap();
        assert_eq!(hub.session_user("s1").await.unwrap(), None);
        let past = time::now_utc() - chrono::Duration::hours(1);
        hub.create_session("s2", "anna", past).await.unwrap();
        assert_eq!(hub.session_user("s2").await.unwrap(), None);
        assert!(hub.verify_audit().await.unwrap().is_ok());
    }
}
