//! Deliveries in the catalogue: publishing, rejecting, superseding, listing, and resolving the set of
//! files a reader should see.

use crate::audit;
use crate::error::StoreError;
use crate::hub::{Hub, WriterLock, remove_all, sync_dir};
use crate::lake::StagedDelivery;
use crate::time;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sqlx::Row;
use std::fs;
use std::path::PathBuf;
use vardhub_domain::Period;

/// The outcome of validating a delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryStatus {
    /// Accepted without remarks.
    Accepted,
    /// Accepted; the report has warnings or rows that were left out.
    AcceptedWithWarnings,
    /// Rejected as a whole; nothing was published.
    Rejected,
    /// Valid, but not published: it would replace its predecessor with far fewer rows. Its files
    /// are kept in the lake, unreferenced by readers, until an operator confirms it
    /// ([`Hub::confirm_held`]) or a later delivery supersedes it.
    Held,
}

impl DeliveryStatus {
    /// The value stored in the catalogue.
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryStatus::Accepted => "accepted",
            DeliveryStatus::AcceptedWithWarnings => "accepted_with_warnings",
            DeliveryStatus::Rejected => "rejected",
            DeliveryStatus::Held => "held",
        }
    }
    fn parse(s: &str) -> Result<Self, StoreError> {
        match s {
            "accepted" => Ok(Self::Accepted),
            "accepted_with_warnings" => Ok(Self::AcceptedWithWarnings),
            "rejected" => Ok(Self::Rejected),
            "held" => Ok(Self::Held),
            other => Err(StoreError::Internal(format!("unknown status {other}"))),
        }
    }
    /// Swedish label.
    pub fn label_sv(self) -> &'static str {
        match self {
            DeliveryStatus::Accepted => "godkänd",
            DeliveryStatus::AcceptedWithWarnings => "godkänd med varningar",
            DeliveryStatus::Rejected => "avvisad",
            DeliveryStatus::Held => "vilande – behöver bekräftas",
        }
    }
}

/// What ingest tells the catalogue about a delivery it has validated.
#[derive(Debug, Clone)]
pub struct DeliveryRecord {
    /// Collection id (`vardkontakter`, …).
    pub collection: String,
    /// Two-digit länskod, or `00` for a national delivery.
    pub region: String,
    /// The month delivered.
    pub period: Period,
    /// Specification version the delivery follows.
    pub spec_version: String,
    /// Whether the manifest declares synthetic data.
    pub synthetic: bool,
    /// Validation outcome.
    pub status: DeliveryStatus,
    /// When ingest started.
    pub received_at: DateTime<Utc>,
    /// SHA-256 of the manifest file.
    pub manifest_sha256: String,
    /// Pseudonymisation key version used (none for collections without identities).
    pub key_version: Option<u32>,
    /// Data rows received over all tables.
    pub rows_received: u64,
    /// Data rows published over all tables.
    pub rows_published: u64,
    /// Number of error issues.
    pub errors: u64,
    /// Number of warning issues.
    pub warnings: u64,
    /// Who submitted it (user name or `system`); goes to the audit log.
    pub actor: String,
}

/// One delivery as listed.
#[derive(Debug, Clone, Serialize)]
pub struct DeliverySummary {
    /// Delivery id, e.g. `vardkontakter-01-2024-03-v2`.
    pub id: String,
    /// Collection id.
    pub collection: String,
    /// Region (`00` = national).
    pub region: String,
    /// Month.
    pub period: String,
    /// Version number within collection/region/period.
    pub version: i64,
    /// Outcome.
    pub status: DeliveryStatus,
    /// Whether it is the current delivery for its collection/region/period.
    pub current: bool,
    /// Synthetic data.
    pub synthetic: bool,
    /// Received.
    pub received_at: String,
    /// Published (none if rejected).
    pub published_at: Option<String>,
    /// Superseded by a redelivery.
    pub superseded_at: Option<String>,
    /// The delivery that superseded it.
    pub superseded_by: Option<String>,
    /// Rows received.
    pub rows_received: i64,
    /// Rows published.
    pub rows_published: i64,
    /// Error issues.
    pub errors: i64,
    /// Warning issues.
    pub warnings: i64,
}

/// Filter for [`Hub::deliveries`].
#[derive(Debug, Clone, Default)]
pub struct DeliveryFilter {
    /// Only this region.
    pub region: Option<String>,
    /// Only this collection.
    pub collection: Option<String>,
}

/// One Parquet file of a published delivery.
#[derive(Debug, Clone, Serialize)]
pub struct PublishedFile {
    /// Table name.
    pub table: String,
    /// Absolute path.
    pub path: PathBuf,
    /// Rows.
    pub rows: i64,
    /// SHA-256 of the file.
    pub sha256: String,
}

/// A delivery visible to a reader.
#[derive(Debug, Clone, Serialize)]
pub struct PublishedDelivery {
    /// Delivery id.
    pub id: String,
    /// Collection id.
    pub collection: String,
    /// Region (`00` = national).
    pub region: String,
    /// Month.
    pub period: String,
    /// Version.
    pub version: i64,
    /// Publication time.
    pub published_at: String,
    /// Its files.
    pub files: Vec<PublishedFile>,
}

/// The set of deliveries a reader sees at one moment, resolved in one catalogue read.
#[derive(Debug, Clone, Serialize)]
pub struct Snapshot {
    /// The moment.
    pub as_of: DateTime<Utc>,
    /// Deliveries current at that moment.
    pub deliveries: Vec<PublishedDelivery>,
}

impl Snapshot {
    /// The files of one table over all deliveries in the snapshot.
    pub fn files_of<'a>(
        &'a self,
        collection: &'a str,
        table: &'a str,
    ) -> impl Iterator<Item = &'a PublishedFile> + 'a {
        self.deliveries
            .iter()
            .filter(move |d| d.collection == collection)
            .flat_map(|d| d.files.iter())
            .filter(move |f| f.table == table)
    }
}

/// Volumes to compare a new delivery with (delivery-level plausibility checks).
#[derive(Debug, Clone, Default)]
pub struct VolumeContext {
    /// The region's latest earlier current delivery of the collection: (period, rows published).
    pub previous: Option<(String, i64)>,
    /// Current deliveries of the other regions for the same period: (region, rows published).
    pub others: Vec<(String, i64)>,
}

impl Hub {
    /// Publish a staged, accepted delivery: one catalogue transaction makes it current and
    /// supersedes the previous version of the same collection/region/period (and any held version
    /// still waiting for confirmation). `report` builds the report JSON once the delivery id is
    /// known. Returns the delivery id.
    ///
    /// A delivery with status [`DeliveryStatus::Held`] is moved into the lake and recorded in the
    /// same way but made neither current nor visible to readers (no publication time).
    pub async fn publish(
        &self,
        _lock: &WriterLock,
        mut staged: StagedDelivery,
        record: &DeliveryRecord,
        report: impl FnOnce(&str) -> String,
    ) -> Result<String, StoreError> {
        if record.status == DeliveryStatus::Rejected {
            return Err(StoreError::Internal(
                "publish called for a rejected delivery".into(),
            ));
        }
        self.check_synthetic(record)?;
        let key = self.audit_key()?;
        staged.seal()?;
        crate::crash::point("publish.staged");
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let (version, id) = next_version(&mut tx, record).await?;
        let rel = format!(
            "lake/{}/region={}/period={}/v{}",
            record.collection, record.region, record.period, version
        );
        let final_dir = self.layout.root().join(&rel);
        let parent = final_dir
            .parent()
            .ok_or_else(|| StoreError::Internal("lake path without parent".into()))?
            .to_owned();
        crate::private::create_dir_all(&parent).map_err(StoreError::io(&parent))?;
        // A folder here can only be the leftover of a crashed publish (the catalogue has no row for it).
        remove_all(&final_dir)?;
        fs::rename(staged.dir(), &final_dir).map_err(StoreError::io(&final_dir))?;
        sync_dir(&parent)?;
        staged.mark_published();
        crate::crash::point("publish.renamed");

        let result: Result<audit::Head, StoreError> = async {
            let now = time::fmt(time::now_utc());
            let held = record.status == DeliveryStatus::Held;
            let published_at = (!held).then_some(now.as_str());
            insert_delivery(
                &mut tx,
                record,
                &id,
                version,
                published_at,
                Some(&rel),
                &report(&id),
            )
            .await?;
            for f in staged.files() {
                sqlx::query(
                    "INSERT INTO delivery_files (delivery_id, table_name, path, rows, bytes, sha256)
                     VALUES (?, ?, ?, ?, ?, ?)",
                )
                .bind(&id)
                .bind(&f.table)
                .bind(format!("{rel}/{}", f.file_name))
                .bind(f.rows as i64)
                .bind(f.bytes as i64)
                .bind(&f.sha256)
                .execute(&mut *tx)
                .await?;
            }
            if held {
                let details = serde_json::json!({
                    "status": record.status.as_str(),
                    "rows": record.rows_published,
                });
                return audit::append(
                    &mut tx,
                    key,
                    &record.actor,
                    "ingest.hold",
                    &id,
                    &details.to_string(),
                )
                .await;
            }
            make_current(
                &mut tx,
                key,
                &record.collection,
                &record.region,
                record.period,
                &id,
                &now,
                &record.actor,
                record.status,
                record.rows_published,
                "ingest.publish",
            )
            .await
        }
        .await;
        let head = match result {
            Ok(head) => head,
            Err(e) => {
                drop(tx);
                let _ = remove_all(&final_dir);
                return Err(e);
            }
        };
        crate::crash::point("publish.before_commit");
        if let Err(e) = tx.commit().await {
            let _ = remove_all(&final_dir);
            return Err(e.into());
        }
        crate::crash::point("publish.committed");
        self.anchor_audit(&head);
        Ok(id)
    }
    /// Record a rejected delivery (its report and counts; nothing in the lake, nothing current changes).
    pub async fn record_rejected(
        &self,
        _lock: &WriterLock,
        record: &DeliveryRecord,
        report: impl FnOnce(&str) -> String,
    ) -> Result<String, StoreError> {
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let (version, id) = next_version(&mut tx, record).await?;
        insert_delivery(&mut tx, record, &id, version, None, None, &report(&id)).await?;
        let details = serde_json::json!({"errors": record.errors, "rows": record.rows_received});
        let head = audit::append(
            &mut tx,
            self.audit_key()?,
            &record.actor,
            "ingest.reject",
            &id,
            &details.to_string(),
        )
        .await?;
        tx.commit().await?;
        self.anchor_audit(&head);
        Ok(id)
    }

    fn check_synthetic(&self, record: &DeliveryRecord) -> Result<(), StoreError> {
        if record.synthetic != self.is_synthetic() {
            return Err(StoreError::Conflict(if self.is_synthetic() {
                "hubben är skapad för syntetiska data och tar inte emot riktiga leveranser / this hub is for synthetic data only".into()
            } else {
                "hubben tar inte emot syntetiska leveranser / this hub does not accept synthetic deliveries".into()
            }));
        }
        Ok(())
    }

    /// Deliveries, newest first.
    pub async fn deliveries(
        &self,
        filter: &DeliveryFilter,
    ) -> Result<Vec<DeliverySummary>, StoreError> {
        let rows = sqlx::query(
            "SELECT d.id, d.collection, d.region, d.period, d.version, d.status,
                    c.delivery_id IS NOT NULL, d.synthetic, d.received_at, d.published_at,
                    d.superseded_at, d.superseded_by, d.rows_received, d.rows_published, d.errors, d.warnings
             FROM deliveries d LEFT JOIN current_deliveries c ON c.delivery_id = d.id
             WHERE (? IS NULL OR d.region = ?) AND (? IS NULL OR d.collection = ?)
             ORDER BY d.received_at DESC, d.id",
        )
        .bind(&filter.region)
        .bind(&filter.region)
        .bind(&filter.collection)
        .bind(&filter.collection)
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter().map(summary_from_row).collect()
    }

    /// One delivery and its stored report JSON.
    pub async fn delivery(
        &self,
        id: &str,
    ) -> Result<Option<(DeliverySummary, String)>, StoreError> {
        let row = sqlx::query(
            "SELECT d.id, d.collection, d.region, d.period, d.version, d.status,
                    c.delivery_id IS NOT NULL, d.synthetic, d.received_at, d.published_at,
                    d.superseded_at, d.superseded_by, d.rows_received, d.rows_published, d.errors, d.warnings,
                    d.report_json
             FROM deliveries d LEFT JOIN current_deliveries c ON c.delivery_id = d.id
             WHERE d.id = ?",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        match row {
            None => Ok(None),
            Some(r) => {
                let report: String = r.get(16);
                Ok(Some((summary_from_row(r)?, report)))
            }
        }
    }

    /// The deliveries a reader sees now (`as_of = None`) or at an earlier moment, for one collection
    /// or all. One catalogue read: the result is consistent even while another process publishes.
    pub async fn snapshot(
        &self,
        collection: Option<&str>,
        as_of: Option<DateTime<Utc>>,
    ) -> Result<Snapshot, StoreError> {
        let as_of = as_of.unwrap_or_else(time::now_utc);
        let t = time::fmt(as_of);
        let rows = sqlx::query(
            "SELECT d.id, d.collection, d.region, d.period, d.version, d.published_at,
                    f.table_name, f.path, f.rows, f.sha256
             FROM deliveries d JOIN delivery_files f ON f.delivery_id = d.id
             WHERE d.status <> 'rejected' AND d.published_at <= ?
               AND (d.superseded_at IS NULL OR d.superseded_at > ?)
               AND d.gc_at IS NULL
               AND (? IS NULL OR d.collection = ?)
             ORDER BY d.collection, d.region, d.period, f.table_name",
        )
        .bind(&t)
        .bind(&t)
        .bind(collection)
        .bind(collection)
        .fetch_all(&self.pool)
        .await?;
        let mut deliveries: Vec<PublishedDelivery> = Vec::new();
        for r in rows {
            let id: String = r.get(0);
            if deliveries.last().is_none_or(|d| d.id != id) {
                deliveries.push(PublishedDelivery {
                    id,
                    collection: r.get(1),
                    region: r.get(2),
                    period: r.get(3),
                    version: r.get(4),
                    published_at: r.get(5),
                    files: Vec::new(),
                });
            }
            let rel: String = r.get(7);
            if let Some(d) = deliveries.last_mut() {
                d.files.push(PublishedFile {
                    table: r.get(6),
                    path: self.layout.root().join(rel),
                    rows: r.get(8),
                    sha256: r.get(9),
                });
            }
        }
        Ok(Snapshot { as_of, deliveries })
    }

    /// Volumes to compare a new delivery of `collection` for `region` and `period` with.
    pub async fn volume_context(
        &self,
        collection: &str,
        region: &str,
        period: Period,
    ) -> Result<VolumeContext, StoreError> {
        let p = period.to_string();
        let previous = sqlx::query(
            "SELECT d.period, d.rows_published FROM current_deliveries c JOIN deliveries d ON d.id = c.delivery_id
             WHERE c.collection = ? AND c.region = ? AND c.period < ? ORDER BY c.period DESC LIMIT 1",
        )
        .bind(collection)
        .bind(region)
        .bind(&p)
        .fetch_optional(&self.pool)
        .await?
        .map(|r| (r.get::<String, _>(0), r.get::<i64, _>(1)));
        let others = sqlx::query(
            "SELECT c.region, d.rows_published FROM current_deliveries c JOIN deliveries d ON d.id = c.delivery_id
             WHERE c.collection = ? AND c.period = ? AND c.region <> ? ORDER BY c.region",
        )
        .bind(collection)
        .bind(&p)
        .bind(region)
        .fetch_all(&self.pool)
        .await?
        .into_iter()
        .map(|r| (r.get::<String, _>(0), r.get::<i64, _>(1)))
        .collect();
        Ok(VolumeContext { previous, others })
    }

    /// Register a pseudonymisation key version by its fingerprint, or check that the key now in use
    /// is the one registered under that version (a changed key would silently change every pseudonym).
    pub async fn ensure_key_version(
        &self,
        version: u32,
        fingerprint: &str,
    ) -> Result<(), StoreError> {
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let existing: Option<String> =
            sqlx::query("SELECT fingerprint FROM key_versions WHERE version = ?")
                .bind(i64::from(version))
                .fetch_optional(&mut *tx)
                .await?
                .map(|r| r.get(0));
        match existing {
            Some(f) if f == fingerprint => Ok(()),
            Some(_) => Err(StoreError::Conflict(format!(
                "nyckelfilen för nyckelversion {version} skiljer sig från den registrerade / the key file for key version {version} differs from the registered one"
            ))),
            None => {
                sqlx::query("INSERT INTO key_versions (version, registered_at, fingerprint) VALUES (?, ?, ?)")
                    .bind(i64::from(version))
                    .bind(time::fmt(time::now_utc()))
                    .bind(fingerprint)
                    .execute(&mut *tx)
                    .await?;
                let head = audit::append(
                    &mut tx,
                    self.audit_key()?,
                    "system",
                    "key.register",
                    &format!("key-v{version}"),
                    fingerprint,
                )
                .await?;
                tx.commit().await?;
                self.anchor_audit(&head);
                Ok(())
            }
        }
    }

    /// Remove the lake folders of deliveries superseded before `before`; they can no longer be read
    /// "as of" an earlier time. Returns the ids collected.
    pub async fn gc(
        &self,
        _lock: &WriterLock,
        before: DateTime<Utc>,
    ) -> Result<Vec<String>, StoreError> {
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let victims: Vec<(String, String)> = sqlx::query(
            "SELECT id, lake_path FROM deliveries
             WHERE superseded_at IS NOT NULL AND superseded_at < ? AND gc_at IS NULL AND lake_path IS NOT NULL",
        )
        .bind(time::fmt(before))
        .fetch_all(&mut *tx)
        .await?
        .into_iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
        let now = time::fmt(time::now_utc());
        let mut head = None;
        for (id, _) in &victims {
            sqlx::query("UPDATE deliveries SET gc_at = ? WHERE id = ?")
                .bind(&now)
                .bind(id)
                .execute(&mut *tx)
                .await?;
            head =
                Some(audit::append(&mut tx, self.audit_key()?, "system", "lake.gc", id, "").await?);
        }
        tx.commit().await?;
        if let Some(head) = &head {
            self.anchor_audit(head);
        }
        for (_, rel) in &victims {
            remove_all(&self.layout.root().join(rel))?;
        }
        Ok(victims.into_iter().map(|(id, _)| id).collect())
    }
}

/// Make `id` the current delivery of its collection/region/period inside `tx`: supersede the
/// previous current one and any held version waiting for confirmation, and append the audit entry.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn make_current(
    tx: &mut sqlx::Transaction<'static, sqlx::Sqlite>,
    key: &crate::keys::AuditKey,
    collection: &str,
    region: &str,
    period: Period,
    id: &str,
    now: &str,
    actor: &str,
    status: DeliveryStatus,
    rows: u64,
    action: &str,
) -> Result<audit::Head, StoreError> {
    let previous: Option<String> = sqlx::query(
        "SELECT delivery_id FROM current_deliveries WHERE collection = ? AND region = ? AND period = ?",
    )
    .bind(collection)
    .bind(region)
    .bind(period.to_string())
    .fetch_optional(&mut **tx)
    .await?
    .map(|r| r.get(0));
    if let Some(prev) = &previous {
        sqlx::query("UPDATE deliveries SET superseded_at = ?, superseded_by = ? WHERE id = ?")
            .bind(now)
            .bind(id)
            .bind(prev)
            .execute(&mut **tx)
            .await?;
    }
    // Held versions still waiting can no longer be confirmed: a newer delivery is current.
    sqlx::query(
        "UPDATE deliveries SET superseded_at = ?, superseded_by = ?
         WHERE collection = ? AND region = ? AND period = ? AND status = 'held'
           AND superseded_at IS NULL AND id <> ?",
    )
    .bind(now)
    .bind(id)
    .bind(collection)
    .bind(region)
    .bind(period.to_string())
    .bind(id)
    .execute(&mut **tx)
    .await?;
    sqlx::query(
        "INSERT INTO current_deliveries (collection, region, period, delivery_id) VALUES (?, ?, ?, ?)
         ON CONFLICT (collection, region, period) DO UPDATE SET delivery_id = excluded.delivery_id",
    )
    .bind(collection)
    .bind(region)
    .bind(period.to_string())
    .bind(id)
    .execute(&mut **tx)
    .await?;
    let details = serde_json::json!({
        "status": status.as_str(),
        "rows": rows,
        "supersedes": previous,
    });
    audit::append(tx, key, actor, action, id, &details.to_string()).await
}

async fn next_version(
    tx: &mut sqlx::Transaction<'static, sqlx::Sqlite>,
    record: &DeliveryRecord,
) -> Result<(i64, String), StoreError> {
    let version: i64 = sqlx::query(
        "SELECT COALESCE(MAX(version), 0) + 1 FROM deliveries WHERE collection = ? AND region = ? AND period = ?",
    )
    .bind(&record.collection)
    .bind(&record.region)
    .bind(record.period.to_string())
    .fetch_one(&mut **tx)
    .await?
    .get(0);
    let id = format!(
        "{}-{}-{}-v{}",
        record.collection, record.region, record.period, version
    );
    Ok((version, id))
}

#[allow(clippy::too_many_arguments)]
async fn insert_delivery(
    tx: &mut sqlx::Transaction<'static, sqlx::Sqlite>,
    record: &DeliveryRecord,
    id: &str,
    version: i64,
    published_at: Option<&str>,
    lake_path: Option<&str>,
    report_json: &str,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO deliveries (id, collection, region, period, version, spec_version, synthetic, status,
            received_at, published_at, manifest_sha256, key_version, rows_received, rows_published,
            errors, warnings, lake_path, report_json)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(id)
    .bind(&record.collection)
    .bind(&record.region)
    .bind(record.period.to_string())
    .bind(version)
    .bind(&record.spec_version)
    .bind(record.synthetic)
    .bind(record.status.as_str())
    .bind(time::fmt(record.received_at))
    .bind(published_at)
    .bind(&record.manifest_sha256)
    .bind(record.key_version.map(i64::from))
    .bind(record.rows_received as i64)
    .bind(record.rows_published as i64)
    .bind(record.errors as i64)
    .bind(record.warnings as i64)
    .bind(lake_path)
    .bind(report_json)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

fn summary_from_row(r: sqlx::sqlite::SqliteRow) -> Result<DeliverySummary, StoreError> {
    Ok(DeliverySummary {
        id: r.get(0),
        collection: r.get(1),
        region: r.get(2),
        period: r.get(3),
        version: r.get(4),
        status: DeliveryStatus::parse(&r.get::<String, _>(5))?,
        current: r.get(6),
        synthetic: r.get(7),
        received_at: r.get(8),
        published_at: r.get(9),
        superseded_at: r.get(10),
        superseded_by: r.get(11),
        rows_received: r.get(12),
        rows_published: r.get(13),
        errors: r.get(14),
        warnings: r.get(15),
    })
}
