//! Indicators: recipes ([`spec`]), their SQL ([`sql`]), computation over a lake snapshot
//! ([`compute`], summed in [`aggregate`], months with incomplete outcome windows left out by
//! [`follow_up`]), the stored form of results ([`results`]), the public statuses of a run decided
//! against earlier releases ([`ledger`]) and what each reader may see ([`publish`]).
//!
//! **Architecture invariant:** the engine reads the lake through a [`vardhub_store::Snapshot`]
//! and never writes the catalogue; storing a run is the caller's job.

pub mod aggregate;
pub mod compute;
pub mod follow_up;
pub mod lake;
pub mod ledger;
pub mod publish;
pub mod results;
pub mod spec;
pub mod sql;

pub use compute::{CellKey, ComputeError, Computed, ResultRow, compute};
pub use ledger::{ReleasedTable, release};
pub use publish::{PublicValue, PublishError, View, publish, publish_released};
pub use spec::{IndicatorSpec, Recipe, builtin};
