//! Deliveries held for confirmation: a re-delivery that would replace its published predecessor
//! with far fewer rows is kept aside ([`crate::DeliveryStatus::Held`]) until an operator confirms
//! that the region really means it; the predecessor stays current meanwhile.

use crate::catalogue::{DeliveryStatus, make_current};
use crate::error::StoreError;
use crate::hub::{Hub, WriterLock};
use crate::time;
use sqlx::Row;
use vardhub_domain::Period;

/// The delivery currently published for one collection, region and period, with its rows per table.
#[derive(Debug, Clone)]
pub struct CurrentTables {
    /// Delivery id.
    pub id: String,
    /// (table, rows published).
    pub tables: Vec<(String, i64)>,
}

impl Hub {
    /// The current delivery of `collection`/`region`/`period` and its rows per table, if any.
    pub async fn current_tables(
        &self,
        collection: &str,
        region: &str,
        period: Period,
    ) -> Result<Option<CurrentTables>, StoreError> {
        let rows = sqlx::query(
            "SELECT c.delivery_id, f.table_name, f.rows
             FROM current_deliveries c JOIN delivery_files f ON f.delivery_id = c.delivery_id
             WHERE c.collection = ? AND c.region = ? AND c.period = ? ORDER BY f.table_name",
        )
        .bind(collection)
        .bind(region)
        .bind(period.to_string())
        .fetch_all(&self.pool)
        .await?;
        let Some(first) = rows.first() else {
            return Ok(None);
        };
        Ok(Some(CurrentTables {
            id: first.get(0),
            tables: rows.iter().map(|r| (r.get(1), r.get(2))).collect(),
        }))
    }

    /// Confirm a held delivery: it is published as it was validated (accepted with warnings),
    /// supersedes the current one, and the confirmation is appended to the audit log with the
    /// operator's name. Refused unless the delivery is held and no later delivery has superseded it.
    pub async fn confirm_held(
        &self,
        _lock: &WriterLock,
        id: &str,
        actor: &str,
    ) -> Result<(), StoreError> {
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let row = sqlx::query(
            "SELECT collection, region, period, status, superseded_at, rows_published
             FROM deliveries WHERE id = ?",
        )
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| {
            StoreError::Conflict(format!(
                "leveransen {id} finns inte / delivery {id} does not exist"
            ))
        })?;
        let status: String = row.get(3);
        let superseded: Option<String> = row.get(4);
        if status != DeliveryStatus::Held.as_str() || superseded.is_some() {
            return Err(StoreError::Conflict(format!(
                "leveransen {id} väntar inte på bekräftelse / delivery {id} is not waiting for confirmation"
            )));
        }
        let period = Period::parse(&row.get::<String, _>(2))
            .map_err(|_| StoreError::Internal(format!("bad period of {id}")))?;
        let (collection, region): (String, String) = (row.get(0), row.get(1));
        let rows: i64 = row.get(5);
        let now = time::fmt(time::now_utc());
        let status = DeliveryStatus::AcceptedWithWarnings;
        sqlx::query("UPDATE deliveries SET status = ?, published_at = ? WHERE id = ?")
            .bind(status.as_str())
            .bind(&now)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        make_current(
            &mut tx,
            &collection,
            &region,
            period,
            id,
            &now,
            actor,
            status,
            rows.max(0) as u64,
            "delivery.confirm",
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

/// The catalogue of a hub created before held deliveries existed refuses the status `held` (a
/// CHECK constraint). Widen the constraint in place: only the constraint's text changes, which
/// SQLite documents as safe to edit in the schema table.
pub(crate) async fn migrate(pool: &sqlx::SqlitePool) -> Result<bool, StoreError> {
    let mut conn = pool.acquire().await?;
    let sql: String =
        sqlx::query("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'deliveries'")
            .fetch_one(&mut *conn)
            .await?
            .get(0);
    const OLD: &str = "'accepted', 'accepted_with_warnings', 'rejected')";
    if !sql.contains(OLD) {
        return Ok(false);
    }
    let new = sql.replace(
        OLD,
        "'accepted', 'accepted_with_warnings', 'rejected', 'held')",
    );
    let version: i64 = sqlx::query("PRAGMA schema_version")
        .fetch_one(&mut *conn)
        .await?
        .get(0);
    sqlx::query("PRAGMA writable_schema = ON")
        .execute(&mut *conn)
        .await?;
    let result = async {
        sqlx::query(
            "UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = 'deliveries'",
        )
        .bind(&new)
        .execute(&mut *conn)
        .await?;
        // An integer we read ourselves: nothing from outside goes into this statement.
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "PRAGMA schema_version = {}",
            version + 1
        )))
        .execute(&mut *conn)
        .await?;
        Ok::<_, sqlx::Error>(())
    }
    .await;
    sqlx::query("PRAGMA writable_schema = OFF")
        .execute(&mut *conn)
        .await?;
    result?;
    sqlx::query("UPDATE hub_meta SET value = ? WHERE key = 'schema_version'")
        .bind(crate::schema::SCHEMA_VERSION)
        .execute(&mut *conn)
        .await?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_version_1_catalogue_learns_the_held_status_on_open() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("data");
        let hub = Hub::init(&root, true).await.unwrap();
        // Turn the new catalogue back into a version-1 one (the old CHECK constraint).
        {
            let mut conn = hub.pool.acquire().await.unwrap();
            let version: i64 = sqlx::query("PRAGMA schema_version")
                .fetch_one(&mut *conn)
                .await
                .unwrap()
                .get(0);
            for q in [
                "PRAGMA writable_schema = ON".to_owned(),
                "UPDATE sqlite_master SET sql = replace(sql, ', ''held'')', ')') WHERE name = 'deliveries'".to_owned(),
                format!("PRAGMA schema_version = {}", version + 1),
                "PRAGMA writable_schema = OFF".to_owned(),
                "UPDATE hub_meta SET value = '1' WHERE key = 'schema_version'".to_owned(),
            ] {
                sqlx::query(sqlx::AssertSqlSafe(q))
                    .execute(&mut *conn)
                    .await
                    .unwrap();
            }
        }
        hub.close().await;
        let insert =
            "INSERT INTO deliveries (id, collection, region, period, version, spec_version,
                synthetic, status, received_at, manifest_sha256, rows_received, rows_published,
                errors, warnings, report_json)
             VALUES ('x', 'c', '01', '2024-03', 1, '1', 1, 'held', 't', 's', 0, 0, 0, 0, '{}')";
        {
            let old = crate::hub::connect_for_test(&root).await;
            assert!(
                sqlx::query(insert).execute(&old).await.is_err(),
                "the old constraint refuses 'held'"
            );
            old.close().await;
        }
        let hub = Hub::open(&root).await.unwrap();
        sqlx::query(insert).execute(&hub.pool).await.unwrap();
        let v: String = sqlx::query("SELECT value FROM hub_meta WHERE key = 'schema_version'")
            .fetch_one(&hub.pool)
            .await
            .unwrap()
            .get(0);
        assert_eq!(v, crate::schema::SCHEMA_VERSION);
        let integrity: String = sqlx::query("PRAGMA integrity_check")
            .fetch_one(&hub.pool)
            .await
            .unwrap()
            .get(0);
        assert_eq!(integrity, "ok");
    }
}
