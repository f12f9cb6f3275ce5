//! Errors of the store, classified by who must act.

use std::path::PathBuf;

/// An error from the lake or the catalogue.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The data directory has no hub (run `vardhub init`).
    #[error("ingen hubb i {0} (kör `vardhub init`) / no hub in {0} (run `vardhub init`)")]
    NotInitialised(PathBuf),
    /// `init` on a directory that already holds a hub.
    #[error("det finns redan en hubb i {0} / a hub already exists in {0}")]
    AlreadyInitialised(PathBuf),
    /// The request conflicts with the hub's state (the operator or user must act).
    #[error("{0}")]
    Conflict(String),
    /// File-system failure (the operator must act: disk, permissions).
    #[error("I/O-fel vid {path}: {source} / I/O error at {path}")]
    Io {
        /// Where it happened.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// A key file or key folder would lie inside the data directory (the operator must move it):
    /// a copy of the data directory must not hold what makes pseudonyms or seals the audit log.
    #[error(
        "{path} ligger i datakatalogen {data}; nycklar ska ligga utanför (--key-dir, VARDHUB_KEY_DIR) / {path} is inside the data directory {data}; keys must live outside it (--key-dir, VARDHUB_KEY_DIR)"
    )]
    KeyInsideData {
        /// The key path given.
        path: PathBuf,
        /// The data directory.
        data: PathBuf,
    },
    /// A key file cannot be used (the operator must act: permissions, format, wrong file).
    #[error("nyckelfilen {path}: {reason} / key file {path}: {reason}")]
    KeyFile {
        /// The key file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// The hub was opened without its audit key and was asked to append to the audit log (a bug in
    /// the caller, or the operator gave no key folder).
    #[error(
        "granskningsnyckeln saknas: hubben öppnades utan nyckelkatalog / the audit key is missing: the hub was opened without its key folder"
    )]
    NoAuditKey,
    /// Catalogue failure.
    #[error("katalogfel / catalogue error: {0}")]
    Catalogue(#[from] sqlx::Error),
    /// Parquet or Arrow failure.
    #[error("Parquet-fel / Parquet error: {0}")]
    Parquet(#[from] datafusion::parquet::errors::ParquetError),
    /// The catalogue contradicts itself or the lake: likely a bug.
    #[error(
        "intern inkonsistens (troligen ett fel i vardhub) / internal inconsistency (likely a bug): {0}"
    )]
    Internal(String),
}

impl StoreError {
    /// Wrap an I/O error with the path it concerns.
    pub fn io(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> StoreError {
        let path = path.into();
        move |source| StoreError::Io { path, source }
    }
}
