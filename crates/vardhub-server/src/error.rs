//! Server errors, classified by who must act. None of them reaches a client in detail: handlers
//! turn them into a 500 problem and log them.

use std::net::SocketAddr;

/// An error of the server (the operator must act).
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    /// The address cannot be bound (in use, permission).
    #[error("kan inte lyssna på {0} / cannot listen on {0}: {1}")]
    Bind(SocketAddr, std::io::Error),
    /// Serving failed.
    #[error("servern avbröts / serving failed: {0}")]
    Serve(std::io::Error),
    /// The catalogue or lake failed.
    #[error(transparent)]
    Store(#[from] vardhub_store::StoreError),
    /// A results or lake file cannot be read.
    #[error("kan inte läsa {path} / cannot read {path}: {message}")]
    File {
        /// The file.
        path: String,
        /// What went wrong.
        message: String,
    },
    /// The disclosure step failed (a bug or an unusable policy).
    #[error("publiceringen misslyckades / publishing failed: {0}")]
    Publish(String),
    /// A template failed to render (a bug).
    #[error("sidan kunde inte visas / page rendering failed: {0}")]
    Render(#[from] askama::Error),
    /// A background task panicked (a bug).
    #[error("intern uppgift avbröts / internal task failed: {0}")]
    Task(#[from] tokio::task::JoinError),
    /// User administration: invalid input (the caller must act).
    #[error("{0}")]
    InvalidUser(String),
}
