//! The hub's operations: each use case is one library function above the store, the ingest and
//! the engine, with its own error type, called alike by the CLI, the server and the tests (no
//! operation lives in the binary or in an HTTP handler).
//!
//! * [`runs`]: compute and store a run of a kind (official runs are released against the
//!   ledger in the same step); try a draft recipe.
//! * [`recipes`]: submit a recipe to a running hub; the definitions with the approved recipes.
//! * [`analyses`]: run a patient-level analysis recipe and store it as a run of kind analysis.
//! * [`scenarios`]: run a what-if scenario and store it as a run of kind scenario;
//!   [`scenario_document`] reads its document back; [`scenario_publication`]: an administrator
//!   other than its author publishes it through the disclosure policy.

pub mod analyses;
pub mod cases;
pub mod dcat;
pub mod fees;
pub mod inbox;
pub mod outputs;
pub mod recipes;
pub mod research;
pub mod runs;
pub mod scenario_document;
pub mod scenario_publication;
pub mod scenarios;
pub mod sources;

use vardhub_engine::definitions::Finding;

/// Why an operation failed, classified by who must act.
#[derive(Debug, thiserror::Error)]
pub enum OpsError {
    /// The request names something that does not exist (the user must act).
    #[error("okänd indikator / unknown indicator {0}")]
    UnknownIndicator(String),
    /// There is nothing to compute at that moment (the user must act: ingest, or another time).
    #[error("sjön är tom vid denna tidpunkt / the lake is empty at that moment")]
    EmptyLake,
    /// A recipe has authoring mistakes (its author must act); each names file, line and field.
    #[error("receptet har {} fel / the recipe has {} mistakes", .0.len(), .0.len())]
    Mistakes(Vec<Finding>),
    /// The catalogue or the lake failed, or refused (the operator must act).
    #[error(transparent)]
    Store(#[from] vardhub_store::StoreError),
    /// The computation failed (a bug or a broken lake file: the operator must act).
    #[error(transparent)]
    Compute(#[from] vardhub_engine::indicator::ComputeError),
    /// The disclosure step or the ledger failed (a bug: the developers must act).
    #[error(transparent)]
    Release(#[from] vardhub_engine::indicator::ledger::ReleaseError),
    /// A stored run's results cannot be read (the operator must act: a damaged or missing file).
    #[error("en sparad körning kan inte läsas / a stored run cannot be read: {0}")]
    StoredRun(String),
    /// An analysis cannot run as asked (its author or the policy owner must act), or its lake
    /// query failed (the operator must act).
    #[error(transparent)]
    Analysis(#[from] vardhub_engine::analysis::AnalysisError),
    /// The request names an analysis that does not exist (the user must act).
    #[error("okänd analys / unknown analysis {0}")]
    UnknownAnalysis(String),
    /// Results could not be encoded (a bug: the developers must act).
    #[error("resultaten kunde inte kodas / results could not be encoded: {0}")]
    Encode(String),
}
