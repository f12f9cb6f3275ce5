//! Indicators: recipes ([`spec`]) with the periods and levels they are published by
//! ([`dimensions`]), their SQL ([`sql`]), computation over a lake snapshot ([`compute`]; each month
//! row placed in its areas and periods by `placement`, summed in [`aggregate`], months with
//! incomplete outcome windows left out by [`follow_up`]), the stored form of results
//! ([`results`]), the public statuses of a run decided against earlier releases ([`ledger`]: per
//! period one table ([`grid`]) released in parts by `layout`, longer periods `derived`), what each
//! reader may see ([`publish`]) and the whole publication as one linked system for audits
//! ([`linked`]). A run after an ingest queries only the fine rows the new deliveries can alter
//! ([`reach`]) and takes the rest from the previous run's stored fine rows ([`fine`]).
//!
//! **Architecture invariant:** the engine reads the lake through a [`vardhub_store::Snapshot`]
//! and never writes the catalogue; storing a run is the caller's job.

pub mod aggregate;
pub mod compute;
mod derived;
pub mod dimensions;
pub mod fine;
pub mod follow_up;
pub mod grid;
pub mod lake;
mod layout;
pub mod ledger;
pub mod linked;
pub(crate) mod placement;
pub mod publish;
pub mod reach;
pub mod results;
pub mod spec;
pub mod sql;

pub use compute::{CellKey, ComputeError, Computed, Prior, ResultRow, compute, compute_after};
pub use ledger::{ReleasedTable, release};
pub use publish::{PublicValue, PublishError, View, publish, publish_released, publish_views};
pub use spec::{IndicatorSpec, Recipe, builtin};
