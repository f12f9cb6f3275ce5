//! Analysis recipes as data (`analyses/*.toml`): parsed with `deny_unknown_fields`, checked and
//! content-hashed like indicator recipes.
//!
//! A care-chain recipe names a cohort (index contacts: form of care, planned or acute, main
//! diagnosis, age; a washout — no index contact of the same patient in the previous N days —;
//! a follow-up horizon), the linkage scope (`region`: a patient's contacts are linked only within
//! the region of the index contact; `national`: across regions, only where the disclosure policy
//! allows it) and ordered steps, each one kind of event.

use crate::indicator::spec::ContactFilter;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// How far a patient's contacts are linked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Linkage {
    /// Only within the region of the index contact (what the law allows today).
    Region,
    /// Across regions (only where the policy allows it).
    National,
}

/// The index event of a cohort.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Cohort {
    /// Index contacts.
    pub index: ContactFilter,
    /// No index contact of the same patient in the previous `washout_days` (the first of a
    /// series is the index; an index is taken only where the washout lies inside the data).
    pub washout_days: u32,
    /// Days of follow-up after the index admission.
    pub horizon_days: u32,
}

/// What reaching a step means.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum StepEvent {
    /// A procedure with one of `codes` (KVÅ) on the index contact or a later linked contact.
    Procedure {
        /// KVÅ codes.
        codes: Vec<String>,
    },
    /// Discharge from the index stay.
    Discharge,
    /// A later linked contact (after the index discharge) matching the filter.
    Contact {
        /// The contacts.
        filter: ContactFilter,
    },
    /// An unplanned inpatient admission after the index discharge.
    Readmission,
    /// Death (population register).
    Death,
}

/// One step of a care chain.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    /// Identifier (`operation`).
    pub id: String,
    /// Swedish name.
    pub name_sv: String,
    /// English name.
    pub name_en: String,
    /// What reaching it means.
    pub event: StepEvent,
}

/// The kinds of analysis.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AnalysisKind {
    /// Share reaching each step, time to it, common paths and cost per patient.
    CareChain,
}

/// An analysis recipe.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AnalysisSpec {
    /// Identifier = file stem.
    pub id: String,
    /// Semantic version.
    pub version: String,
    /// Swedish title.
    pub title_sv: String,
    /// English title.
    pub title_en: String,
    /// Swedish description.
    pub description_sv: String,
    /// English description.
    pub description_en: String,
    /// The collection of the contacts.
    pub source: String,
    /// Linkage scope.
    pub linkage: Linkage,
    /// The cohort.
    pub cohort: Cohort,
    /// What is computed.
    pub kind: AnalysisKind,
    /// The steps of a care chain, in their expected order.
    pub steps: Vec<Step>,
}

/// A parsed, checked analysis recipe with its content hash.
#[derive(Debug, Clone, PartialEq)]
pub struct AnalysisRecipe {
    /// The recipe.
    pub spec: AnalysisSpec,
    /// SHA-256 of the file's bytes (first 16 hex digits).
    pub hash: String,
    /// File name.
    pub file: String,
}

/// An invalid analysis recipe (its author must act).
#[derive(Debug, thiserror::Error)]
#[error("analysrecept {file}: {message}")]
pub struct AnalysisRecipeError {
    /// File name.
    pub file: String,
    /// What is wrong.
    pub message: String,
}

impl AnalysisRecipe {
    /// Parse and check one recipe file.
    pub fn from_toml(file: &str, text: &str) -> Result<AnalysisRecipe, AnalysisRecipeError> {
        let err = |message: String| AnalysisRecipeError {
            file: file.to_owned(),
            message,
        };
        let spec: AnalysisSpec = toml::from_str(text).map_err(|e| err(e.to_string()))?;
        let stem = file.strip_suffix(".toml").unwrap_or(file);
        if spec.id != stem {
            return Err(err(format!(
                "id {} ska vara filnamnet {stem} / id must be the file stem",
                spec.id
            )));
        }
        if spec.source != "vardkontakter" {
            return Err(err(format!(
                "källan {} har inga kontakter / source has no contacts (vardkontakter)",
                spec.source
            )));
        }
        if spec.cohort.horizon_days == 0 {
            return Err(err("horizon_days måste vara minst 1 / must be ≥ 1".into()));
        }
        let steps = &spec.steps;
        if steps.is_empty() {
            return Err(err(
                "en vårdkedja behöver steg / a care chain needs steps".into()
            ));
        }
        let mut seen = std::collections::BTreeSet::new();
        for s in steps {
            if !seen.insert(s.id.as_str()) {
                return Err(err(format!(
                    "steget {} finns två gånger / step twice",
                    s.id
                )));
            }
            if let StepEvent::Procedure { codes } = &s.event
                && codes.is_empty()
            {
                return Err(err(format!(
                    "steget {} saknar koder / step has no codes",
                    s.id
                )));
            }
        }
        let hash = hex::encode(Sha256::digest(text.as_bytes()))[..16].to_owned();
        Ok(AnalysisRecipe {
            spec,
            hash,
            file: file.to_owned(),
        })
    }

    /// The steps of a care chain.
    pub fn steps(&self) -> &[Step] {
        &self.spec.steps
    }
}

/// The built-in analysis recipes: `(file name, text)`.
pub const BUILTIN_FILES: &[(&str, &str)] = &[(
    "hoftfraktur_vardkedja.toml",
    include_str!("../../../../analyses/hoftfraktur_vardkedja.toml"),
)];

/// The built-in analysis recipes by id.
pub fn builtin() -> std::collections::BTreeMap<String, AnalysisRecipe> {
    BUILTIN_FILES
        .iter()
        .map(|(file, text)| {
            let r = AnalysisRecipe::from_toml(file, text)
                .unwrap_or_else(|e| panic!("built-in analysis recipe is invalid (a bug): {e}"));
            (r.spec.id.clone(), r)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_analyses_parse_and_mistakes_are_named() {
        assert_eq!(builtin().len(), BUILTIN_FILES.len());
        let (file, text) = BUILTIN_FILES[0];
        let e =
            AnalysisRecipe::from_toml(file, &text.replace("horizon_days", "horisont")).unwrap_err();
        assert!(e.to_string().contains("horisont"), "{e}");
        let e = AnalysisRecipe::from_toml("annan.toml", text).unwrap_err();
        assert!(e.to_string().contains("file stem"), "{e}");
        let twice = format!(
            "{text}\n[[steps]]\nid = \"operation\"\nname_sv = \"x\"\nname_en = \"x\"\nevent = {{ kind = \"death\" }}\n"
        );
        let e = AnalysisRecipe::from_toml(file, &twice).unwrap_err();
        assert!(e.to_string().contains("twice"), "{e}");
    }
}
