//! Opening and creating a hub: its folders, its catalogue and its writer lock.

use crate::error::StoreError;
use crate::keys::{AuditKey, HubId, refuse_inside_data};
use crate::private;
use crate::schema;
use crate::time;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Row, SqlitePool};
use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

/// The folders and files of a hub under its data directory.
#[derive(Debug, Clone)]
pub struct HubLayout {
    root: PathBuf,
}

impl HubLayout {
    /// The layout under `root` (the `--data` directory).
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }
    /// The data directory.
    pub fn root(&self) -> &Path {
        &self.root
    }
    /// The Parquet lake.
    pub fn lake(&self) -> PathBuf {
        self.root.join("lake")
    }
    /// Where deliveries are written before publication.
    pub fn staging(&self) -> PathBuf {
        self.root.join("staging")
    }
    /// Validation reports (JSON and readable summaries).
    pub fn reports(&self) -> PathBuf {
        self.root.join("reports")
    }
    /// Log files.
    pub fn logs(&self) -> PathBuf {
        self.root.join("logs")
    }
    /// The SQLite catalogue.
    pub fn catalogue(&self) -> PathBuf {
        self.root.join("catalogue.sqlite")
    }
    /// The writer lock file.
    fn lock_file(&self) -> PathBuf {
        self.root.join("writer.lock")
    }
}

/// An exclusive lock held by the one process that may change the lake and catalogue.
///
/// Readers never take it. It is an advisory `flock`, released when the process ends, also on SIGKILL.
#[derive(Debug)]
pub struct WriterLock {
    _file: File,
}

/// An open hub: its layout, its identity, a connection pool to its catalogue and, for a process
/// that appends to the audit log, the audit key.
#[derive(Debug, Clone)]
pub struct Hub {
    pub(crate) layout: HubLayout,
    pub(crate) pool: SqlitePool,
    synthetic: bool,
    id: HubId,
    audit: Option<Arc<AuditKey>>,
}

impl Hub {
    /// Create a new hub in `root` with identity `id`. `synthetic` decides, for the hub's lifetime,
    /// whether it accepts only synthetic deliveries (development, demo, tests) or only real ones.
    /// `audit` keys the audit log; its folder must lie outside `root`. Every folder is created
    /// 0700, the catalogue 0600.
    pub async fn init(
        root: impl Into<PathBuf>,
        synthetic: bool,
        id: HubId,
        audit: AuditKey,
    ) -> Result<Hub, StoreError> {
        let layout = HubLayout::new(root);
        if layout.catalogue().exists() {
            return Err(StoreError::AlreadyInitialised(layout.root().to_owned()));
        }
        refuse_inside_data(layout.root(), audit.dir())?;
        for dir in [
            layout.root().to_owned(),
            layout.lake(),
            layout.staging(),
            layout.reports(),
            layout.logs(),
        ] {
            private::create_dir_all(&dir).map_err(StoreError::io(&dir))?;
        }
        // SQLite gives the -wal and -shm files the catalogue's own mode.
        let catalogue = layout.catalogue();
        private::create_new_file(&catalogue).map_err(StoreError::io(&catalogue))?;
        let pool = connect(&catalogue, true).await?;
        let mut tx = pool.begin().await?;
        for stmt in schema::DDL {
            sqlx::query(*stmt).execute(&mut *tx).await?;
        }
        let created = time::fmt(time::now_utc());
        for (k, v) in [
            ("schema_version", schema::SCHEMA_VERSION),
            ("synthetic", if synthetic { "true" } else { "false" }),
            ("created_at", created.as_str()),
            ("hub_id", id.as_str()),
            ("audit_key_fingerprint", audit.fingerprint().as_str()),
        ] {
            sqlx::query("INSERT INTO hub_meta (key, value) VALUES (?, ?)")
                .bind(k)
                .bind(v)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        let hub = Hub {
            layout,
            pool,
            synthetic,
            id,
            audit: Some(Arc::new(audit)),
        };
        hub.append_audit(
            "system",
            "init",
            "hub",
            if synthetic { "synthetic" } else { "real" },
        )
        .await?;
        hub.checkpoint_audit().await?;
        Ok(hub)
    }

    /// Open an existing hub for reading. A process that also writes (and so appends to the audit
    /// log) adds the audit key with [`Hub::with_audit_key`].
    pub async fn open(root: impl Into<PathBuf>) -> Result<Hub, StoreError> {
        let layout = HubLayout::new(root);
        if !layout.catalogue().exists() {
            return Err(StoreError::NotInitialised(layout.root().to_owned()));
        }
        let pool = connect(&layout.catalogue(), false).await?;
        let meta = |key: &'static str| {
            let pool = pool.clone();
            async move {
                Ok::<_, StoreError>(
                    sqlx::query("SELECT value FROM hub_meta WHERE key = ?")
                        .bind(key)
                        .fetch_optional(&pool)
                        .await?
                        .map(|r| r.get::<String, _>(0)),
                )
            }
        };
        let version = meta("schema_version").await?.unwrap_or_default();
        if version != schema::SCHEMA_VERSION {
            return Err(StoreError::Conflict(format!(
                "hubben i {} har katalogschema {version}, den här versionen av vardhub kräver {} (granskningsloggen utan nyckel går inte att uppgradera; skapa hubben på nytt) / the hub in {} has catalogue schema {version}, this vardhub needs {} (an audit log without a key cannot be upgraded; create the hub again)",
                layout.root().display(),
                schema::SCHEMA_VERSION,
                layout.root().display(),
                schema::SCHEMA_VERSION
            )));
        }
        let synthetic = meta("synthetic").await?.as_deref() == Some("true");
        let id = HubId::parse(&meta("hub_id").await?.unwrap_or_default())?;
        Ok(Hub {
            layout,
            pool,
            synthetic,
            id,
            audit: None,
        })
    }

    /// The same hub with its audit key, so that it can append to the audit log and verify it.
    /// Refused when the key folder lies inside the data directory or the key is not the one the
    /// hub was created with.
    pub async fn with_audit_key(self, key: AuditKey) -> Result<Hub, StoreError> {
        refuse_inside_data(self.layout.root(), key.dir())?;
        let registered: Option<String> =
            sqlx::query("SELECT value FROM hub_meta WHERE key = 'audit_key_fingerprint'")
                .fetch_optional(&self.pool)
                .await?
                .map(|r| r.get(0));
        if registered.as_deref() != Some(key.fingerprint().as_str()) {
            return Err(StoreError::KeyFile {
                path: key.dir().join(AuditKey::FILE),
                reason: "är inte den här hubbens granskningsnyckel / is not this hub's audit key"
                    .into(),
            });
        }
        Ok(Hub {
            audit: Some(Arc::new(key)),
            ..self
        })
    }

    /// The audit key, if the hub was opened with it.
    pub(crate) fn audit_key(&self) -> Result<&AuditKey, StoreError> {
        self.audit.as_deref().ok_or(StoreError::NoAuditKey)
    }

    /// The hub's identity (names its default key folder).
    pub fn id(&self) -> &HubId {
        &self.id
    }

    /// The hub's folders.
    pub fn layout(&self) -> &HubLayout {
        &self.layout
    }

    /// Whether this hub was created for synthetic data.
    pub fn is_synthetic(&self) -> bool {
        self.synthetic
    }

    /// Take the writer lock, waiting for another writer to finish, and clean up after any writer
    /// that crashed: staging folders and lake folders that no catalogue row references are removed.
    pub async fn lock_writer(&self) -> Result<WriterLock, StoreError> {
        let path = self.layout.lock_file();
        let file = {
            use std::os::unix::fs::OpenOptionsExt;
            File::options()
                .create(true)
                .truncate(false)
                .write(true)
                .mode(private::FILE_MODE)
                .open(&path)
                .map_err(StoreError::io(&path))?
        };
        let file = tokio::task::spawn_blocking(move || file.lock().map(|()| file))
            .await
            .map_err(|e| StoreError::Internal(e.to_string()))?
            .map_err(StoreError::io(&path))?;
        self.recover().await?;
        Ok(WriterLock { _file: file })
    }

    /// Remove leftovers of a crashed writer. Only called with the writer lock held.
    async fn recover(&self) -> Result<(), StoreError> {
        let staging = self.layout.staging();
        if staging.exists() {
            for entry in fs::read_dir(&staging).map_err(StoreError::io(&staging))? {
                let path = entry.map_err(StoreError::io(&staging))?.path();
                remove_all(&path)?;
            }
        }
        let referenced: std::collections::HashSet<String> = sqlx::query(
            "SELECT lake_path FROM deliveries WHERE lake_path IS NOT NULL AND gc_at IS NULL",
        )
        .fetch_all(&self.pool)
        .await?
        .into_iter()
        .map(|r| r.get::<String, _>(0))
        .collect();
        for dir in version_dirs(&self.layout.lake())? {
            let rel = self.relative(&dir);
            if !referenced.contains(&rel) {
                tracing::warn!(path = %rel, "removing unpublished lake folder left by a crashed ingest");
                remove_all(&dir)?;
            }
        }
        Ok(())
    }

    /// A path relative to the data directory, with `/` separators, as stored in the catalogue.
    pub(crate) fn relative(&self, path: &Path) -> String {
        path.strip_prefix(self.layout.root())
            .unwrap_or(path)
            .components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/")
    }

    /// Write a last audit checkpoint (when the hub has its audit key) and close the catalogue
    /// connections (flushes SQLite's WAL).
    pub async fn close(&self) {
        if self.audit.is_some()
            && let Err(e) = self.checkpoint_audit().await
        {
            tracing::error!(error = %e, "audit checkpoint not written");
        }
        self.pool.close().await;
    }
}

async fn connect(path: &Path, create: bool) -> Result<SqlitePool, StoreError> {
    let options = SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(create)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Full)
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(30));
    Ok(SqlitePoolOptions::new()
        .max_connections(4)
        .connect_with(options)
        .await?)
}

pub(crate) fn remove_all(path: &Path) -> Result<(), StoreError> {
    let result = if path.is_dir() {
        fs::remove_dir_all(path)
    } else {
        fs::remove_file(path)
    };
    match result {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(StoreError::io(path)(e)),
        _ => Ok(()),
    }
}

/// Every `v<N>` folder of the lake (four levels down: collection/region=/period=/vN).
fn version_dirs(lake: &Path) -> Result<Vec<PathBuf>, StoreError> {
    let mut level = vec![lake.to_owned()];
    for _ in 0..4 {
        let mut next = Vec::new();
        for dir in level {
            if !dir.is_dir() {
                continue;
            }
            for entry in fs::read_dir(&dir).map_err(StoreError::io(&dir))? {
                let path = entry.map_err(StoreError::io(&dir))?.path();
                if path.is_dir() {
                    next.push(path);
                }
            }
        }
        level = next;
    }
    Ok(level)
}

/// fsync a directory so that a rename inside it is durable.
pub(crate) fn sync_dir(path: &Path) -> Result<(), StoreError> {
    File::open(path)
        .and_then(|f| f.sync_all())
        .map_err(StoreError::io(path))
}

/// A hub in `dir/hub` with its audit key in `dir/keys`, as the tests of this crate use it.
#[cfg(test)]
pub(crate) async fn test_hub(dir: &Path) -> Hub {
    let key = AuditKey::create(&dir.join("keys")).unwrap();
    Hub::init(dir.join("hub"), true, HubId::random(), key)
        .await
        .unwrap()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn mode(path: &Path) -> u32 {
        fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    /// Catalogue (with its -wal and -shm), folders, the writer lock and staged Parquet are created
    /// private to the hub's user even when the umask would let others read them.
    #[tokio::test]
    async fn files_of_the_data_directory_are_created_private() {
        let tmp = tempfile::tempdir().unwrap();
        let hub = test_hub(tmp.path()).await;
        let layout = hub.layout().clone();
        let lock = hub.lock_writer().await.unwrap();
        let staged = crate::StagedDelivery::create(&hub).unwrap();
        let schema = std::sync::Arc::new(datafusion::arrow::datatypes::Schema::new(vec![
            datafusion::arrow::datatypes::Field::new(
                "x",
                datafusion::arrow::datatypes::DataType::Int64,
                false,
            ),
        ]));
        let written = staged.table_writer("t", schema).unwrap().finish().unwrap();
        let parquet = staged.dir().join(&written.file_name);
        hub.append_audit("system", "test", "hub", "").await.unwrap();
        let wal = layout.root().join("catalogue.sqlite-wal");
        let shm = layout.root().join("catalogue.sqlite-shm");
        assert!(
            wal.exists() && shm.exists(),
            "the catalogue runs in WAL mode"
        );
        for file in [
            layout.catalogue(),
            wal,
            shm,
            layout.lock_file(),
            parquet.clone(),
        ] {
            assert_eq!(mode(&file), 0o600, "{}", file.display());
        }
        for dir in [
            layout.root().to_owned(),
            layout.lake(),
            layout.staging(),
            layout.reports(),
            layout.logs(),
            staged.dir().to_owned(),
        ] {
            assert_eq!(mode(&dir), 0o700, "{}", dir.display());
        }
        drop(staged);
        drop(lock);
        hub.close().await;
    }

    #[tokio::test]
    async fn a_key_folder_inside_the_data_directory_is_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let data = tmp.path().join("data");
        let key = AuditKey::create(&data.join("keys")).unwrap();
        let err = Hub::init(&data, true, HubId::random(), key)
            .await
            .unwrap_err();
        assert!(matches!(err, StoreError::KeyInsideData { .. }), "{err}");
        assert!(!data.join("catalogue.sqlite").exists());
    }

    #[tokio::test]
    async fn another_hubs_audit_key_is_refused_and_without_a_key_nothing_is_appended() {
        let tmp = tempfile::tempdir().unwrap();
        let hub = test_hub(tmp.path()).await;
        hub.close().await;
        let hub = Hub::open(tmp.path().join("hub")).await.unwrap();
        assert!(matches!(
            hub.append_audit("system", "x", "y", "").await,
            Err(StoreError::NoAuditKey)
        ));
        let other = AuditKey::create(&tmp.path().join("other")).unwrap();
        assert!(matches!(
            hub.clone().with_audit_key(other).await,
            Err(StoreError::KeyFile { .. })
        ));
        let own = AuditKey::load(&tmp.path().join("keys")).unwrap();
        let hub = hub.with_audit_key(own).await.unwrap();
        hub.append_audit("system", "x", "y", "").await.unwrap();
        assert_eq!(hub.verify_audit().await.unwrap().unwrap(), 2);
    }
}
