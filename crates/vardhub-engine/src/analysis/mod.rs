//! Patient-level analyses over the lake: recipes as data ([`recipe`]), the cohort and what is
//! linked to each patient ([`cohort`]), care chains ([`chain`]) and the door their results pass
//! before anyone but an operator sees them ([`disclose`]).
//!
//! A care chain is computed per region (each patient linked within the region of the index when
//! the recipe's linkage is regional) and for all regions together (`00`).

pub mod chain;
pub mod cohort;
pub mod disclose;
pub mod recipe;

pub use chain::{ChainResult, chain};
pub use disclose::{PublicChain, public};
pub use recipe::{AnalysisRecipe, Linkage, builtin};

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

/// A care chain per region and for all regions (`00`), unsuppressed.
#[derive(Debug, Clone)]
pub struct ChainRun {
    /// All regions together.
    pub all: ChainResult,
    /// Per region of the index contact.
    pub by_region: BTreeMap<String, ChainResult>,
}

/// Run a care-chain recipe over `snapshot` under `policy`'s linkage rule.
pub async fn run_chain(
    snapshot: &Snapshot,
    recipe: &AnalysisRecipe,
    policy: &DisclosurePolicy,
) -> Result<ChainRun, AnalysisError> {
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
    Ok(ChainRun {
        all: chain(recipe, "00", &patients),
        by_region: regions
            .iter()
            .map(|(r, ps)| (r.clone(), chain(recipe, r, ps)))
            .collect(),
    })
}
