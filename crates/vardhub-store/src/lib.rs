//! # vardhub-store
//!
//! Where the hub keeps what it has accepted:
//!
//! * a **lake** of Parquet files, one immutable folder per accepted delivery:
//!   `lake/<collection>/region=<RR>/period=<ÅÅÅÅ-MM>/v<N>/<table>.parquet`;
//! * a **catalogue** in SQLite (through sqlx, the same SQL later on PostgreSQL) holding deliveries,
//!   their versions and validation summaries, which delivery is current for each
//!   collection/region/period, pseudonymisation key versions, and an append-only hash-chained audit log.
//!
//! Publication is one catalogue transaction. A delivery is written to `staging/` first, renamed into
//! the lake, and only then made current by the commit; a crash at any point leaves the previous state
//! intact, and [`Hub::open`] removes what a crashed ingest left behind. Readers resolve the set of
//! files once per query ([`Hub::snapshot`]) and therefore never see a half-published delivery.
//!
//! Architecture invariants:
//! * nothing in this crate ever sees a raw personnummer: it stores what ingest hands it;
//! * lake folders are never modified after publication, only removed by garbage collection;
//! * the audit log is only appended to (the catalogue refuses `UPDATE`, `DELETE` and out-of-order
//!   inserts), each entry is MAC-chained with an audit key kept outside the data directory, and
//!   checkpoints outside the catalogue catch a truncated log;
//! * the release ledger (what each indicator run published) only grows, written with its run;
//! * no secret is stored under the data directory ([`refuse_inside_data`]); everything the hub
//!   creates there is private to its user (folders 0700, files 0600).

mod anchor;
mod audit;
mod cases;
mod catalogue;
mod crash;
mod error;
mod held;
mod hub;
pub mod inbox;
mod keys;
mod lake;
mod ledger;
pub mod log_review;
pub mod output_checks;
pub mod private;
mod recipes;
pub mod research;
mod runs;
pub mod scenario_publications;
mod schema;
pub mod sources;
mod time;
mod users;
pub mod work_log;

pub use audit::{AuditEntry, AuditError};
pub use cases::CaseEvent;
pub use catalogue::{
    DeliveryFilter, DeliveryRecord, DeliveryStatus, DeliverySummary, PublishedDelivery,
    PublishedFile, Snapshot, VolumeContext,
};
pub use error::StoreError;
pub use held::CurrentTables;
pub use hub::{Hub, HubLayout, WriterLock};
pub use keys::{AuditKey, HubId, refuse_inside_data};
pub use lake::{StagedDelivery, TableWriter, WrittenFile};
pub use ledger::LedgerEntry;
pub use log_review::{LogReport, LogReviewError};
pub use recipes::{RecipeEvent, RecipeStatus, StoredRecipe};
pub use runs::{IndicatorRun, RunKind, new_run};
pub use time::now_utc;
pub use users::UserRecord;
