//! Recipes on a running hub: submitted (checked against the hub's definitions) as drafts; the
//! definitions an official run computes are the hub's own plus the approved ones.

use crate::OpsError;
use vardhub_engine::definitions::{Definitions, Finding, check_recipe};
use vardhub_store::{Hub, StoredRecipe};

/// Check `text` (file name `file`) against `defs` and submit it as a draft by `actor`.
pub async fn submit(
    hub: &Hub,
    defs: &Definitions,
    file: &str,
    text: &str,
    actor: &str,
) -> Result<StoredRecipe, OpsError> {
    let (recipe, findings) = check_recipe(file, text, defs.specs());
    let recipe = recipe.ok_or(OpsError::Mistakes(findings))?;
    let name = file.rsplit('/').next().unwrap_or(file);
    Ok(hub
        .submit_recipe(
            (
                &recipe.hash,
                &recipe.spec.id,
                &recipe.spec.version,
                name,
                text,
            ),
            actor,
        )
        .await?)
}

/// `defs` with the hub's approved recipes, and the findings of approved recipes that no longer
/// check against `defs` (left out).
pub async fn with_approved(
    defs: Definitions,
    hub: &Hub,
) -> Result<(Definitions, Vec<Finding>), OpsError> {
    let approved: Vec<(String, String)> = hub
        .approved_recipes()
        .await?
        .into_iter()
        .map(|r| (r.file, r.text))
        .collect();
    Ok(defs.with_approved(&approved))
}
