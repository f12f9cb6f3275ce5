//! Opening and creating a hub: its folders, its catalogue and its writer lock.

use crate::error::StoreError;
use crate::schema;
use crate::time;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Row, SqlitePool};
use std::fs::{self, File};
use std::path::{Path, PathBuf};
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

/// An open hub: its layout and a connection pool to its catalogue.
#[derive(Debug, Clone)]
pub struct Hub {
    pub(crate) layout: HubLayout,
    pub(crate) pool: SqlitePool,
    synthetic: bool,
}

impl Hub {
    /// Create a new hub in `root`. `synthetic` decides, for the hub's lifetime, whether it accepts
    /// only synthetic deliveries (development, demo, tests) or only real ones.
    pub async fn init(root: impl Into<PathBuf>, synthetic: bool) -> Result<Hub, StoreError> {
        let layout = HubLayout::new(root);
        if layout.catalogue().exists() {
            return Err(StoreError::AlreadyInitialised(layout.root().to_owned()));
        }
        for dir in [
            layout.root().to_owned(),
            layout.lake(),
            layout.staging(),
            layout.reports(),
            layout.logs(),
        ] {
            fs::create_dir_all(&dir).map_err(StoreError::io(&dir))?;
        }
        let pool = connect(&layout.catalogue(), true).await?;
        let mut tx = pool.begin().await?;
        for stmt in schema::DDL {
            sqlx::query(*stmt).execute(&mut *tx).await?;
        }
        let created = time::fmt(time::now_utc());
        for (k, v) in [
            ("schema_version", schema::SCHEMA_VERSION),
            ("synthetic", if synthetic { "true" } else { "false" }),
            ("created_at", created.as_str()),
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
        };
        hub.append_audit(
            "system",
            "init",
            "hub",
            if synthetic { "synthetic" } else { "real" },
        )
        .await?;
        Ok(hub)
    }

    /// Open an existing hub.
    pub async fn open(root: impl Into<PathBuf>) -> Result<Hub, StoreError> {
        let layout = HubLayout::new(root);
        if !layout.catalogue().exists() {
            return Err(StoreError::NotInitialised(layout.root().to_owned()));
        }
        let mut pool = connect(&layout.catalogue(), false).await?;
        if crate::held::migrate(&pool).await? {
            // Fresh connections read the widened schema.
            pool.close().await;
            pool = connect(&layout.catalogue(), false).await?;
        }
        let row = sqlx::query("SELECT value FROM hub_meta WHERE key = 'synthetic'")
            .fetch_one(&pool)
            .await?;
        let synthetic = row.get::<String, _>(0) == "true";
        Ok(Hub {
            layout,
            pool,
            synthetic,
        })
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
        let file = File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(StoreError::io(&path))?;
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

    /// Close the catalogue connections (flushes SQLite's WAL).
    pub async fn close(&self) {
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

/// A plain connection pool to a catalogue, without migration (tests of the migration).
#[cfg(test)]
pub(crate) async fn connect_for_test(root: &Path) -> SqlitePool {
    connect(&HubLayout::new(root).catalogue(), false)
        .await
        .expect("catalogue")
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
