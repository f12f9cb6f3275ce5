//! # vardhub-ingest
//!
//! A region's delivery becomes a validated, pseudonymised, staged and published lake version.
//!
//! ```text
//! folder / zip ──► manifest check ──► per file: decode (UTF-8 / Windows-1252, BOM, CRLF)
//!                                      ──► validate rows against the collection spec
//!                                      ──► pseudonymise identity numbers (one module)
//!                                      ──► Parquet in staging/
//!              ──► duplicates, checksums, row counts, region and volume checks
//!              ──► accepted: one catalogue transaction publishes · rejected: nothing changes
//!              ──► report (JSON + Swedish and English summaries)
//! ```
//!
//! Architecture invariants:
//! * validation never panics and never fails on bad data: it returns the valid rows and issues;
//! * only [`pseudonym`] ever sees a raw identity number's canonical form or a key; reports mask
//!   every value that could be one ([`report::mask`]);
//! * nothing is published unless the whole delivery is accepted.

pub mod bounds;
pub mod checks;
pub mod columns;
mod csv_stage;
pub mod dedup;
pub mod external;
pub mod fhir;
pub mod ingest;
pub mod lines;
mod manifest_read;
mod parquet_stage;
pub mod pseudonym;
pub mod report;
pub mod sniff;
pub mod source;
pub mod table;
pub mod values;

pub use ingest::{
    IngestError, IngestOptions, IngestOutcome, PreparedDelivery, finish, ingest, ingest_at,
    ingest_in_order, prepare,
};
pub use pseudonym::{
    KeyError, Pseudonymiser, ReleaseKeys, ReleasePseudonymiser, ReleaseScope, create_key_file,
};
pub use report::{Issue, Lang, Severity, ValidationReport};
pub use source::{NoProgress, Progress};
