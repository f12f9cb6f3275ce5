//! Users of the web server and their sessions (*användare och inloggningar*).
//!
//! The catalogue stores only SHA-256 hashes of bearer tokens and session ids, never the secrets
//! themselves; a stolen catalogue does not let anyone log in. Both tables are created on demand
//! (also in hubs made before they existed), like the indicator runs. Roles are stored as text;
//! the server parses them at its edge.
//!
//! A token expires (`expires_at`) and a user can be disabled (`disabled_at`); the server refuses
//! both, and a session lasts only while its user is neither. Rotating a token replaces its hash
//! (the old token stops working at once) and ends the user's sessions, as disabling does. Hubs
//! whose `users` table predates expiry get the columns added, and their users' tokens expire
//! [`LEGACY_TOKEN_DAYS`] days after the upgrade.

use crate::audit;
use crate::error::StoreError;
use crate::hub::Hub;
use crate::time;
use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::Row;

/// Days a token from before expiry existed stays valid after the upgrade.
pub const LEGACY_TOKEN_DAYS: i64 = 90;

const DDL: [&str; 2] = [
    "CREATE TABLE IF NOT EXISTS users (
        name TEXT PRIMARY KEY,
        role TEXT NOT NULL,
        region TEXT,
        token_sha256 TEXT NOT NULL UNIQUE,
        created_at TEXT NOT NULL,
        expires_at TEXT,
        disabled_at TEXT
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
    /// When the user's token expires (RFC 3339).
    pub expires_at: Option<String>,
    /// When the user was disabled (RFC 3339), if so.
    pub disabled_at: Option<String>,
}

impl UserRecord {
    /// Whether the token has expired at `now`.
    pub fn expired_at(&self, now: DateTime<Utc>) -> bool {
        // Catalogue timestamps are fixed-width RFC 3339 UTC: text order is time order.
        self.expires_at
            .as_deref()
            .is_some_and(|e| e <= time::fmt(now).as_str())
    }
    /// Whether the user is disabled.
    pub fn disabled(&self) -> bool {
        self.disabled_at.is_some()
    }
}

impl Hub {
    async fn ensure_user_tables(&self) -> Result<(), StoreError> {
        for stmt in DDL {
            sqlx::query(stmt).execute(&self.pool).await?;
        }
        let columns: Vec<String> = sqlx::query("SELECT name FROM pragma_table_info('users')")
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| r.get(0))
            .collect();
        if !columns.iter().any(|c| c == "expires_at") {
            let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
            let again =
                sqlx::query("SELECT 1 FROM pragma_table_info('users') WHERE name = 'expires_at'")
                    .fetch_optional(&mut *tx)
                    .await?;
            if again.is_none() {
                sqlx::query("ALTER TABLE users ADD COLUMN expires_at TEXT")
                    .execute(&mut *tx)
                    .await?;
                sqlx::query("ALTER TABLE users ADD COLUMN disabled_at TEXT")
                    .execute(&mut *tx)
                    .await?;
                let expires = time::now_utc() + chrono::Duration::days(LEGACY_TOKEN_DAYS);
                sqlx::query("UPDATE users SET expires_at = ?")
                    .bind(time::fmt(expires))
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
        }
        Ok(())
    }

    /// Add a user with the SHA-256 (hex) of its bearer token, valid until `expires_at`; audited
    /// as `users.add`. A name that exists already is a [`StoreError::Conflict`].
    pub async fn add_user(
        &self,
        name: &str,
        role: &str,
        region: Option<&str>,
        token_sha256: &str,
        expires_at: DateTime<Utc>,
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
        let expires = time::fmt(expires_at);
        sqlx::query(
            "INSERT INTO users (name, role, region, token_sha256, created_at, expires_at)
             VALUES (?, ?, ?, ?, ?, ?)",
        )
        .bind(name)
        .bind(role)
        .bind(region)
        .bind(token_sha256)
        .bind(&created_at)
        .bind(&expires)
        .execute(&mut *tx)
        .await?;
        let details = match region {
            Some(r) => format!("role={role} region={r} expires={expires}"),
            None => format!("role={role} expires={expires}"),
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
            expires_at: Some(expires),
            disabled_at: None,
        })
    }

    /// All users, by name.
    pub async fn users(&self) -> Result<Vec<UserRecord>, StoreError> {
        self.ensure_user_tables().await?;
        let rows = sqlx::query("SELECT name, role, region, created_at, expires_at, disabled_at FROM users ORDER BY name")
            .fetch_all(&self.pool)
            .await?;
        Ok(rows.into_iter().map(user_from_row).collect())
    }

    /// The user whose token hashes to `token_sha256`, whether expired or disabled or not (the
    /// caller refuses those, see [`UserRecord::expired_at`] and [`UserRecord::disabled`]).
    pub async fn user_by_token_hash(
        &self,
        token_sha256: &str,
    ) -> Result<Option<UserRecord>, StoreError> {
        self.ensure_user_tables().await?;
        let row = sqlx::query("SELECT name, role, region, created_at, expires_at, disabled_at FROM users WHERE token_sha256 = ?")
        .bind(token_sha256)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(user_from_row))
    }

    /// Disable a user: its token is refused from now on and its sessions end; audited as
    /// `users.disable` by `actor`. An unknown name is a [`StoreError::Conflict`].
    pub async fn disable_user(&self, name: &str, actor: &str) -> Result<UserRecord, StoreError> {
        self.ensure_user_tables().await?;
        let key = self.audit_key()?;
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let now = time::fmt(time::now_utc());
        let done =
            sqlx::query("UPDATE users SET disabled_at = COALESCE(disabled_at, ?) WHERE name = ?")
                .bind(&now)
                .bind(name)
                .execute(&mut *tx)
                .await?;
        if done.rows_affected() == 0 {
            return Err(no_such_user(name));
        }
        sqlx::query("DELETE FROM sessions WHERE user_name = ?")
            .bind(name)
            .execute(&mut *tx)
            .await?;
        let head =
            audit::append(&mut tx, key, actor, "users.disable", name, "sessions=ended").await?;
        let row = sqlx::query("SELECT name, role, region, created_at, expires_at, disabled_at FROM users WHERE name = ?")
            .bind(name)
            .fetch_one(&mut *tx)
            .await?;
        tx.commit().await?;
        self.anchor_audit(&head);
        Ok(user_from_row(row))
    }

    /// Give a user a new token (by its SHA-256) valid until `expires_at`: the old token stops
    /// working at once and the user's sessions end; audited as `users.rotate` by `actor`. A
    /// disabled user stays disabled. An unknown name is a [`StoreError::Conflict`].
    pub async fn rotate_token(
        &self,
        name: &str,
        token_sha256: &str,
        expires_at: DateTime<Utc>,
        actor: &str,
    ) -> Result<UserRecord, StoreError> {
        self.ensure_user_tables().await?;
        let key = self.audit_key()?;
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let expires = time::fmt(expires_at);
        let done = sqlx::query("UPDATE users SET token_sha256 = ?, expires_at = ? WHERE name = ?")
            .bind(token_sha256)
            .bind(&expires)
            .bind(name)
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() == 0 {
            return Err(no_such_user(name));
        }
        sqlx::query("DELETE FROM sessions WHERE user_name = ?")
            .bind(name)
            .execute(&mut *tx)
            .await?;
        let head = audit::append(
            &mut tx,
            key,
            actor,
            "users.rotate",
            name,
            &format!("expires={expires} sessions=ended"),
        )
        .await?;
        let row = sqlx::query("SELECT name, role, region, created_at, expires_at, disabled_at FROM users WHERE name = ?")
            .bind(name)
            .fetch_one(&mut *tx)
            .await?;
        tx.commit().await?;
        self.anchor_audit(&head);
        Ok(user_from_row(row))
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

    /// The user of an unexpired session, while the user is neither disabled nor expired.
    pub async fn session_user(&self, id_sha256: &str) -> Result<Option<UserRecord>, StoreError> {
        self.ensure_user_tables().await?;
        let now = time::fmt(time::now_utc());
        let row = sqlx::query(
            "SELECT u.name, u.role, u.region, u.created_at, u.expires_at, u.disabled_at
             FROM sessions s JOIN users u ON u.name = s.user_name
             WHERE s.id_sha256 = ? AND s.expires_at > ?
               AND u.disabled_at IS NULL AND (u.expires_at IS NULL OR u.expires_at > ?)",
        )
        .bind(id_sha256)
        .bind(&now)
        .bind(&now)
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
        expires_at: r.get(4),
        disabled_at: r.get(5),
    }
}

fn no_such_user(name: &str) -> StoreError {
    StoreError::Conflict(format!("användaren {name} finns inte / no user {name}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn users_and_sessions_round_trip_and_names_are_unique() {
        let tmp = tempfile::tempdir().unwrap();
        let hub = crate::hub::test_hub(tmp.path()).await;
        let year = time::now_utc() + chrono::Duration::days(365);
        let u = hub
            .add_user("anna", "region", Some("01"), "ab12", year)
            .await
            .unwrap();
        assert_eq!(u.region.as_deref(), Some("01"));
        assert!(matches!(
            hub.add_user("anna", "admin", None, "cd34", year).await,
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

    #[tokio::test]
    async fn tokens_expire_rotate_and_users_can_be_disabled() {
        let tmp = tempfile::tempdir().unwrap();
        let hub = crate::hub::test_hub(tmp.path()).await;
        let now = time::now_utc();
        let later = now + chrono::Duration::hours(1);
        let u = hub
            .add_user("bo", "national", None, "old", later)
            .await
            .unwrap();
        assert!(!u.expired_at(now) && u.expired_at(later) && !u.disabled());
        hub.create_session("s1", "bo", later).await.unwrap();
        let r = hub
            .rotate_token("bo", "new", now + chrono::Duration::days(90), "system")
            .await
            .unwrap();
        assert_eq!(hub.user_by_token_hash("old").await.unwrap(), None);
        assert_eq!(hub.user_by_token_hash("new").await.unwrap(), Some(r));
        assert_eq!(
            hub.session_user("s1").await.unwrap(),
            None,
            "rotation ends sessions"
        );
        hub.create_session("s2", "bo", later).await.unwrap();
        let d = hub.disable_user("bo", "system").await.unwrap();
        assert!(d.disabled());
        assert_eq!(
            hub.session_user("s2").await.unwrap(),
            None,
            "disabling ends sessions"
        );
        assert!(
            hub.user_by_token_hash("new")
                .await
                .unwrap()
                .unwrap()
                .disabled()
        );
        hub.create_session("s3", "bo", later).await.unwrap();
        assert_eq!(
            hub.session_user("s3").await.unwrap(),
            None,
            "no session for a disabled user"
        );
        assert!(matches!(
            hub.disable_user("nobody", "system").await,
            Err(StoreError::Conflict(_))
        ));
        let expired = hub
            .add_user(
                "cy",
                "public",
                None,
                "cy",
                now - chrono::Duration::seconds(1),
            )
            .await
            .unwrap();
        assert!(expired.expired_at(time::now_utc()));
        hub.create_session("s4", "cy", later).await.unwrap();
        assert_eq!(
            hub.session_user("s4").await.unwrap(),
            None,
            "no session for an expired token"
        );
        let actions: Vec<String> = hub
            .audit_entries()
            .await
            .unwrap()
            .into_iter()
            .map(|e| format!("{} {}", e.action, e.object))
            .collect();
        assert!(actions.contains(&"users.rotate bo".to_owned()));
        assert!(actions.contains(&"users.disable bo".to_owned()));
        assert!(hub.verify_audit().await.unwrap().is_ok());
    }

    #[tokio::test]
    async fn a_users_table_from_before_expiry_is_upgraded() {
        let tmp = tempfile::tempdir().unwrap();
        let hub = crate::hub::test_hub(tmp.path()).await;
        sqlx::query(
            "CREATE TABLE users (name TEXT PRIMARY KEY, role TEXT NOT NULL, region TEXT,
             token_sha256 TEXT NOT NULL UNIQUE, created_at TEXT NOT NULL)",
        )
        .execute(&hub.pool)
        .await
        .unwrap();
        sqlx::query(
            "INSERT INTO users VALUES ('old', 'admin', NULL, 'h', '2024-01-01T00:00:00.000000Z')",
        )
        .execute(&hub.pool)
        .await
        .unwrap();
        let u = hub.user_by_token_hash("h").await.unwrap().unwrap();
        let expires = u.expires_at.clone().unwrap();
        assert!(!u.expired_at(time::now_utc()) && !u.disabled(), "{expires}");
        assert!(u.expired_at(time::now_utc() + chrono::Duration::days(LEGACY_TOKEN_DAYS + 1)));
    }
}
