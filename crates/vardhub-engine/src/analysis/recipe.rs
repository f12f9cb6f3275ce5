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

/// Where a patient's follow-up time starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TimeZero {
    /// At the admission of the index contact.
    #[default]
    Admission,
    /// At its discharge; patients who died in the index stay are not in the cohort.
    Discharge,
}

/// A cohort entered by repetition: the index is the candidate at which the patient has had
/// `count` candidates within `within_days` (counting it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Repeat {
    /// Candidates needed.
    pub count: u32,
    /// Within this many days (from the first of them to the index admission).
    pub within_days: u32,
}

/// The index event of a cohort.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Cohort {
    /// Index candidates.
    pub index: ContactFilter,
    /// No index candidate of the same patient in the previous `washout_days` (the first of a
    /// series is the index; an index is taken only where the washout lies inside the data).
    pub washout_days: u32,
    /// Days of follow-up of a care chain (other kinds state their own windows).
    #[serde(default)]
    pub horizon_days: Option<u32>,
    /// Where follow-up starts.
    #[serde(default)]
    pub time_zero: TimeZero,
    /// Entry by repetition instead of by the first candidate.
    #[serde(default)]
    pub repeat: Option<Repeat>,
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
    /// Cost and contacts per patient and month around the index, by form of care.
    CostOverTime,
    /// The exposed before and after, beside a matched comparison group.
    BeforeAfter,
}

/// Months around the index of a cost-over-time analysis (a month is 365.25 / 12 days counted
/// from time zero).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CostOverTimeSpec {
    /// Months before time zero (at most 24).
    pub months_before: u32,
    /// Months from time zero on (at most 24).
    pub months_after: u32,
}

/// How the comparison group is matched to the exposed (always exactly on region and sex, and
/// with time zero within `time_caliper_days`; within a stratum the nearest in prior cost first).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Matching {
    /// Also exactly on age in years and prior-use band.
    Exact,
    /// Also on age band and prior-use band (coarsened exact matching).
    Coarsened,
}

/// What makes a cohort member exposed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Exposure {
    /// A procedure with one of these KVÅ codes on a linked contact …
    pub codes: Vec<String>,
    /// … within this many days from time zero.
    pub within_days: u32,
}

/// A before/after analysis with a comparison group.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BeforeAfterSpec {
    /// Length of each window (days): before = [t0 − w, t0), after = [t0, t0 + w), contacts by
    /// admission.
    pub window_days: u32,
    /// The exposure.
    pub exposure: Exposure,
    /// The matching method.
    pub matching: Matching,
    /// Comparison patients per exposed (at most).
    pub controls_per_exposed: u32,
    /// A control's time zero lies at most this many days from the exposed's (calendar time:
    /// season, changes in care).
    pub time_caliper_days: u32,
    /// Width of the age bands of coarsened matching (years).
    #[serde(default = "five")]
    pub age_band_years: u32,
    /// Upper limits (SEK) of the prior-use bands: cost in the window before.
    pub prior_cost_bands_sek: Vec<f64>,
}

fn five() -> u32 {
    5
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
    #[serde(default)]
    pub steps: Vec<Step>,
    /// The months of a cost-over-time analysis.
    #[serde(default)]
    pub cost_over_time: Option<CostOverTimeSpec>,
    /// The design of a before/after analysis.
    #[serde(default)]
    pub before_after: Option<BeforeAfterSpec>,
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
        check_kind(&spec).map_err(err)?;
        let steps = &spec.steps;
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

    /// Days of follow-up from time zero the analysis needs.
    pub fn horizon_days(&self) -> f64 {
        let s = &self.spec;
        match s.kind {
            AnalysisKind::CareChain => f64::from(s.cohort.horizon_days.unwrap_or(0)),
            AnalysisKind::CostOverTime => s
                .cost_over_time
                .map_or(0.0, |c| f64::from(c.months_after) * MONTH_DAYS),
            AnalysisKind::BeforeAfter => s.before_after.as_ref().map_or(0.0, |b| {
                f64::from(b.window_days.max(b.exposure.within_days))
            }),
        }
    }

    /// Days before time zero the analysis looks at.
    pub fn lookback_days(&self) -> f64 {
        let s = &self.spec;
        match s.kind {
            AnalysisKind::CareChain => 0.0,
            AnalysisKind::CostOverTime => s
                .cost_over_time
                .map_or(0.0, |c| f64::from(c.months_before) * MONTH_DAYS),
            AnalysisKind::BeforeAfter => s
                .before_after
                .as_ref()
                .map_or(0.0, |b| f64::from(b.window_days)),
        }
    }

    /// The KVÅ codes whose procedures the analysis reads (steps and exposure).
    pub fn procedure_codes(&self) -> Vec<String> {
        let mut codes: Vec<String> = self
            .steps()
            .iter()
            .filter_map(|s| match &s.event {
                StepEvent::Procedure { codes } => Some(codes.clone()),
                _ => None,
            })
            .flatten()
            .collect();
        if let Some(b) = &self.spec.before_after {
            codes.extend(b.exposure.codes.iter().cloned());
        }
        codes.sort();
        codes.dedup();
        codes
    }
}

/// Days in a month of a cost-over-time analysis (365.25 / 12).
pub const MONTH_DAYS: f64 = 365.25 / 12.0;

/// The sections each kind needs and nothing it does not use.
fn check_kind(spec: &AnalysisSpec) -> Result<(), String> {
    let chain = !spec.steps.is_empty();
    let cost = spec.cost_over_time.is_some();
    let ba = spec.before_after.is_some();
    let horizon = spec.cohort.horizon_days.is_some();
    match spec.kind {
        AnalysisKind::CareChain => {
            if !chain {
                return Err("en vårdkedja behöver steg / a care chain needs steps".into());
            }
            match spec.cohort.horizon_days {
                Some(0) | None => {
                    return Err(
                        "en vårdkedja behöver horizon_days ≥ 1 / a care chain needs horizon_days ≥ 1"
                            .into(),
                    );
                }
                Some(_) => {}
            }
            if cost || ba {
                return Err("en vårdkedja har bara steg / a care chain has only steps".into());
            }
        }
        AnalysisKind::CostOverTime => {
            let Some(c) = spec.cost_over_time else {
                return Err("[cost_over_time] saknas / is missing".into());
            };
            if c.months_before > 24 || c.months_after == 0 || c.months_after > 24 {
                return Err(
                    "months_before ≤ 24 och 1 ≤ months_after ≤ 24 / months out of range".into(),
                );
            }
            if chain || ba || horizon {
                return Err(
                    "kostnad över tid har varken steg, horizon_days eller [before_after] / cost over time has no steps, horizon_days or [before_after]"
                        .into(),
                );
            }
        }
        AnalysisKind::BeforeAfter => {
            let Some(b) = &spec.before_after else {
                return Err("[before_after] saknas / is missing".into());
            };
            if b.window_days == 0 || b.exposure.codes.is_empty() || b.controls_per_exposed == 0 {
                return Err(
                    "window_days, exposure.codes och controls_per_exposed får inte vara tomma / must not be empty"
                        .into(),
                );
            }
            if b.age_band_years == 0 || b.prior_cost_bands_sek.windows(2).any(|w| w[0] >= w[1]) {
                return Err(
                    "age_band_years ≥ 1 och stigande prior_cost_bands_sek / bands must increase"
                        .into(),
                );
            }
            if spec.cohort.time_zero != TimeZero::Discharge {
                return Err(
                    "före/efter mäts från utskrivningen: time_zero = \"discharge\" / before/after needs time_zero = discharge"
                        .into(),
                );
            }
            if chain || cost || horizon {
                return Err(
                    "före/efter har varken steg, horizon_days eller [cost_over_time] / before/after has no steps, horizon_days or [cost_over_time]"
                        .into(),
                );
            }
        }
    }
    if let Some(r) = spec.cohort.repeat
        && (r.count < 2 || r.within_days == 0)
    {
        return Err("repeat: count ≥ 2 och within_days ≥ 1 / count ≥ 2, within_days ≥ 1".into());
    }
    Ok(())
}

/// The built-in analysis recipes: `(file name, text)`.
pub const BUILTIN_FILES: &[(&str, &str)] = &[
    (
        "hoftfraktur_vardkedja.toml",
        include_str!("../../../../analyses/hoftfraktur_vardkedja.toml"),
    ),
    (
        "hjartinfarkt_uppfoljning.toml",
        include_str!("../../../../analyses/hjartinfarkt_uppfoljning.toml"),
    ),
    (
        "aldre_vardkonsumtion.toml",
        include_str!("../../../../analyses/aldre_vardkonsumtion.toml"),
    ),
    (
        "mobila_team.toml",
        include_str!("../../../../analyses/mobila_team.toml"),
    ),
];

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
