//! Indicators: recipes ([`spec`]), their SQL ([`sql`]), computation over a lake snapshot
//! ([`compute`], summed in [`aggregate`], months with incomplete outcome windows left out by
//! [`follow_up`]) and the stored form of results ([`results`]).
//!
//! **Architecture invariant:** the engine reads the lake through a [`vardhub_store::Snapshot`]
//! and never writes the catalogue; storing a run is the caller's job.

pub mod aggregate;
pub mod compute;
pub mod follow_up;
pub mod publish;
pub mod results;
pub mod spec;
pub mod sql;

pub use compute::{CellKey, ComputeError, Computed, ResultRow, compute};
pub use publish::{PublicValue, PublishError, View, publish};
pub use spec::{IndicatorSpec, Recipe, builtin};
