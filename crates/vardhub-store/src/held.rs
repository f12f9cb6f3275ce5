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
        let key = self.audit_key()?;
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
        let head = make_current(
            &mut tx,
            key,
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
        self.anchor_audit(&head);
        Ok(())
    }
}
