//! Patient-level analyses over the lake: recipes as data ([`recipe`]), the cohort and what is
//! linked to each patient ([`cohort`]), care chains ([`chain`]), cost over time
//! ([`cost_time`]), before/after with a comparison group ([`before_after`]) and the door their
//! results pass before anyone but an operator sees them ([`disclose`], [`disclose_kinds`]).
//!
//! An analysis is computed per region (each patient linked within the region of the index when
//! the recipe's linkage is regional) and for all regions together (`00`).

pub mod before_after;
pub mod chain;
pub mod cohort;
pub mod cost_time;
pub mod disclose;
pub mod disclose_kinds;
pub mod disclose_set;
pub mod recipe;

pub use before_after::{BeforeAfterResult, before_after};
pub use chain::{ChainResult, chain};
pub use cost_time::{CostOverTimeResult, cost_over_time};
pub use disclose::{PublicChain, public};
pub use disclose_kinds::{
    PublicBeforeAfter, PublicCostOverTime, public_before_after, public_cost_over_time,
};
pub use disclose_set::public_all;
pub use recipe::{AnalysisKind, AnalysisRecipe, CostOverTimeSpec, Linkage, builtin};

use serde::{Deserialize, Serialize};

/// One analysis result of any kind, unsuppressed (serialised with its `kind`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum AnalysisResult {
    /// A care chain.
    CareChain(ChainResult),
    /// Cost over time.
    CostOverTime(CostOverTimeResult),
    /// Before/after with a comparison group.
    BeforeAfter(BeforeAfterResult),
}

/// What the public may see of one result (serialised with its `kind`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PublicResult {
    /// A care chain.
    CareChain(PublicChain),
    /// Cost over time.
    CostOverTime(PublicCostOverTime),
    /// Before/after with a comparison group.
    BeforeAfter(PublicBeforeAfter),
}

impl PublicResult {
    /// The region (`00` = all).
    pub fn region(&self) -> &str {
        match self {
            PublicResult::CareChain(r) => &r.region,
            PublicResult::CostOverTime(r) => &r.region,
            PublicResult::BeforeAfter(r) => &r.region,
        }
    }
}

impl AnalysisResult {
    /// The region (`00` = all).
    pub fn region(&self) -> &str {
        match self {
            AnalysisResult::CareChain(r) => &r.region,
            AnalysisResult::CostOverTime(r) => &r.region,
            AnalysisResult::BeforeAfter(r) => &r.region,
        }
    }

    /// Patients the result rests on (the cohort; for before/after the eligible members).
    pub fn patients(&self) -> u64 {
        match self {
            AnalysisResult::CareChain(r) => r.patients,
            AnalysisResult::CostOverTime(r) => r.patients,
            AnalysisResult::BeforeAfter(r) => r.eligible,
        }
    }

    /// What the public may see of it alone under `policy`. Published beside other regions'
    /// results, use [`public_all`], which also stops differencing between them.
    pub fn public(&self, policy: &DisclosurePolicy) -> PublicResult {
        match self {
            AnalysisResult::CareChain(r) => PublicResult::CareChain(public(r, policy)),
            AnalysisResult::CostOverTime(r) => {
                PublicResult::CostOverTime(public_cost_over_time(r, policy))
            }
            AnalysisResult::BeforeAfter(r) => {
                PublicResult::BeforeAfter(public_before_after(r, policy))
            }
        }
    }
}

use crate::disclosure::DisclosurePolicy;
use crate::indicator::ComputeError;
use std::collections::BTreeMap;
use vardhub_store::Snapshot;

/// Why an analysis cannot run.
#[derive(Debug, thiserror::Error)]
pub enum AnalysisError {
    /// The recipe links across regions and the policy does not allow it (the author or the
    /// policy owner must act).
    #[error(
        "analysen {0} länkar över regiongränser, vilket policyn inte tillåter / analysis links across regions, which the policy does not allow"
    )]
    NationalLinkageNotAllowed(String),
    /// The lake could not be queried (the operator must act).
    #[error(transparent)]
    Compute(#[from] ComputeError),
}

/// An analysis per region and for all regions (`00`), unsuppressed.
#[derive(Debug, Clone)]
pub struct AnalysisRun {
    /// All regions together.
    pub all: AnalysisResult,
    /// Per region of the index contact.
    pub by_region: BTreeMap<String, AnalysisResult>,
}

impl AnalysisRun {
    /// All regions together first, then each region.
    pub fn into_results(self) -> Vec<AnalysisResult> {
        std::iter::once(self.all)
            .chain(self.by_region.into_values())
            .collect()
    }
}

/// Compute one kind over one group of patients.
fn compute(recipe: &AnalysisRecipe, region: &str, patients: &[cohort::Patient]) -> AnalysisResult {
    match recipe.spec.kind {
        AnalysisKind::CareChain => AnalysisResult::CareChain(chain(recipe, region, patients)),
        AnalysisKind::CostOverTime => {
            AnalysisResult::CostOverTime(cost_over_time(recipe, region, patients))
        }
        AnalysisKind::BeforeAfter => AnalysisResult::BeforeAfter(
            before_after(recipe, region, patients).expect("checked recipe has [before_after]"),
        ),
    }
}

/// Run an analysis recipe over `snapshot` under `policy`'s linkage rule.
pub async fn run(
    snapshot: &Snapshot,
    recipe: &AnalysisRecipe,
    policy: &DisclosurePolicy,
) -> Result<AnalysisRun, AnalysisError> {
    if recipe.spec.linkage == Linkage::National && !policy.analysis().national_linkage {
        return Err(AnalysisError::NationalLinkageNotAllowed(
            recipe.spec.id.clone(),
        ));
    }
    let patients = cohort::patients(snapshot, recipe).await?;
    let mut regions: BTreeMap<String, Vec<cohort::Patient>> = BTreeMap::new();
    for p in &patients {
        regions.entry(p.region.clone()).or_default().push(p.clone());
    }
    Ok(AnalysisRun {
        all: compute(recipe, "00", &patients),
        by_region: regions
            .iter()
            .map(|(r, ps)| (r.clone(), compute(recipe, r, ps)))
            .collect(),
    })
}
