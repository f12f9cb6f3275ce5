//! What if? Scenarios over the lake: a scenario file ([`file`]) names a region, a baseline, a
//! horizon and changes; [`calibrate`] reads the baseline from one lake snapshot; [`beds`] runs
//! the bed model of [`crate::scenario`] per ward for the baseline forecast and the scenario with
//! the same random draws, and compares the forecast with what the lake shows for the horizon
//! where it has it (the back-test).
//!
//! Assumptions, written down once (also in [`crate::scenario`]): admissions are a Poisson
//! process whose intensity follows the baseline's month of year and hour of week at each ward's
//! own baseline rate (discharges per day in the baseline: a forecast made at the baseline's end
//! knows only completed stays, and in a steady state they equal admissions); lengths of stay are
//! resampled from the ward's completed baseline stays, independent of crowding; the staffed beds
//! are the bed collection's plan where delivered, else the ward's baseline mean per weekday;
//! the excess over a full ward is placed on another ward of the same hospital with free beds at
//! the region's baseline share. Months the baseline does not cover get no seasonal factor.

pub mod beds;
pub mod calibrate;
pub mod file;
pub mod wait_baseline;
pub mod waits;

pub use beds::{BedScenarioError, BedScenarioResult};
pub use file::{Change, ModelKind, Months, Scenario, ScenarioError, ScenarioSpec, Selection};
pub use waits::{WaitScenarioError, WaitScenarioResult};

use crate::indicator::ComputeError;
use vardhub_store::Snapshot;

/// Why a scenario run failed.
#[derive(Debug, thiserror::Error)]
pub enum WhatIfError {
    /// The lake query failed (the operator must act).
    #[error(transparent)]
    Lake(#[from] ComputeError),
    /// The scenario cannot run on these data as written (its author must act).
    #[error(transparent)]
    Beds(#[from] BedScenarioError),
    /// The waiting-list scenario cannot run on these data as written (its author must act).
    #[error(transparent)]
    Waits(#[from] WaitScenarioError),
    /// The model is not offered yet (its author must choose another).
    #[error("modellen {0} finns inte ännu / the model {0} is not offered yet")]
    NotOffered(&'static str),
}

/// The result of a scenario run.
#[derive(Debug, Clone, serde::Serialize)]
#[serde(tag = "model", rename_all = "snake_case")]
pub enum ScenarioResult {
    /// A bed scenario.
    Beds(BedScenarioResult),
    /// A waiting-list scenario.
    WaitingList(WaitScenarioResult),
}

/// Run `scenario` on `snapshot`.
pub async fn run(snapshot: &Snapshot, scenario: &Scenario) -> Result<ScenarioResult, WhatIfError> {
    let s = &scenario.spec;
    match s.model {
        ModelKind::Beds => {
            let base = calibrate::bed_baseline(snapshot, s).await?;
            let replications = scenario.replications() as usize;
            let seed = s.seed.unwrap_or(1);
            // CPU-bound (the model runs its replications on its own threads): a server calling
            // this should do so from a blocking task.
            let result = beds::run(s, &base, replications, seed)?;
            Ok(ScenarioResult::Beds(result))
        }
        ModelKind::WaitingList => {
            if s.sjukhus.is_some() {
                return Err(WaitScenarioError::Change(
                    "väntelistemodellen gäller hela regionen / the waiting-list model covers the whole region".into(),
                )
                .into());
            }
            let cases = wait_baseline::wait_cases(snapshot, s).await?;
            let replications = scenario.replications() as usize;
            let result = waits::run(s, &cases, replications, s.seed.unwrap_or(1))?;
            Ok(ScenarioResult::WaitingList(result))
        }
    }
}
