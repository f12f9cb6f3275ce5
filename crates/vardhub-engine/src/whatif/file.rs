//! Scenario files (`scenarios/*.toml`): what-if questions as data, parsed with
//! `deny_unknown_fields`, checked and content-hashed like recipes.
//!
//! A scenario names one region (optionally one hospital), the model (`beds` or `waiting_list`),
//! a baseline period the model is calibrated on, a horizon it predicts, and the changes. A change
//! acts from its `from` day (default: the horizon's first day) to the end of the horizon.
//!
//! ```toml
//! id = "sormland_20_vardplatser"
//! version = "1.0.0"
//! title = { sv = "20 fler disponibla vårdplatser i Sörmland", en = "20 more staffed beds in Sörmland" }
//! model = "beds"
//! region = "04"
//! baseline = { from = "2024-01", to = "2024-06" }
//! horizon = { from = "2024-07", to = "2024-12" }
//!
//! [[change]]
//! kind = "staffed_beds"
//! add = 20
//! ```

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use vardhub_domain::{Period, RegionCode};

/// Swedish and English text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Text {
    /// Swedish.
    pub sv: String,
    /// English.
    pub en: String,
}

/// Which model answers the scenario.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ModelKind {
    /// Bed occupancy: admissions and lengths of stay against staffed beds.
    Beds,
    /// A waiting list: referrals and completions per week.
    WaitingList,
}

/// A span of whole months.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Months {
    /// First month (`ÅÅÅÅ-MM`).
    pub from: Period,
    /// Last month, inclusive.
    pub to: Period,
}

impl Months {
    /// The first day.
    pub fn first_day(&self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.from.year(), self.from.month(), 1).unwrap_or_default()
    }
    /// The day after the last day.
    pub fn end_day(&self) -> NaiveDate {
        let next = self.to.next();
        NaiveDate::from_ymd_opt(next.year(), next.month(), 1).unwrap_or_default()
    }
    /// Number of days.
    pub fn days(&self) -> i64 {
        (self.end_day() - self.first_day()).num_days()
    }
}

/// Which stays a change concerns (none given: all).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Selection {
    /// Main diagnosis (ICD-10-SE) prefixes, without dot: `S720`.
    #[serde(default)]
    pub diagnoses: Vec<String>,
    /// Lowest age, inclusive.
    #[serde(default)]
    pub age_from: Option<u32>,
    /// Highest age, inclusive.
    #[serde(default)]
    pub age_to: Option<u32>,
}

impl Selection {
    /// Whether a stay with this main diagnosis and age is selected.
    pub fn selects(&self, hdia: Option<&str>, age: Option<i64>) -> bool {
        let dx = self.diagnoses.is_empty()
            || hdia.is_some_and(|d| {
                let d: String = d.chars().filter(|c| *c != '.').collect();
                self.diagnoses.iter().any(|p| d.starts_with(p.as_str()))
            });
        let age_ok = match age {
            Some(a) => {
                self.age_from.is_none_or(|f| a >= i64::from(f))
                    && self.age_to.is_none_or(|t| a <= i64::from(t))
            }
            None => self.age_from.is_none() && self.age_to.is_none(),
        };
        dx && age_ok
    }
    /// Whether it selects everything.
    pub fn is_all(&self) -> bool {
        self.diagnoses.is_empty() && self.age_from.is_none() && self.age_to.is_none()
    }
}

/// One change of a scenario.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Change {
    /// Admissions (or referrals) × `factor` for the selected patients.
    Demand {
        /// Multiplier (> 0).
        factor: f64,
        /// Main diagnosis (ICD-10-SE) prefixes without dot (`S720`); none: all.
        #[serde(default)]
        diagnoses: Vec<String>,
        /// Lowest age, inclusive.
        #[serde(default)]
        age_from: Option<u32>,
        /// Highest age, inclusive.
        #[serde(default)]
        age_to: Option<u32>,
        /// From this day (default: the horizon's first day).
        #[serde(default)]
        from: Option<NaiveDate>,
    },
    /// Lengths of stay × `factor` for the selected stays admitted from `from`.
    LengthOfStay {
        /// Multiplier (> 0; 0.9 = 10 % shorter).
        factor: f64,
        /// Main diagnosis (ICD-10-SE) prefixes without dot (`S720`); none: all.
        #[serde(default)]
        diagnoses: Vec<String>,
        /// Lowest age, inclusive.
        #[serde(default)]
        age_from: Option<u32>,
        /// Highest age, inclusive.
        #[serde(default)]
        age_to: Option<u32>,
        /// From this day.
        #[serde(default)]
        from: Option<NaiveDate>,
    },
    /// `add` more staffed beds (negative: fewer), spread over the area's wards in proportion to
    /// their staffed beds, every day from `from`.
    StaffedBeds {
        /// Beds added.
        add: i32,
        /// From this day.
        #[serde(default)]
        from: Option<NaiveDate>,
    },
    /// First-visit (or operation) capacity per week × `factor`.
    Capacity {
        /// Multiplier (> 0; 1.1 = 10 % more).
        factor: f64,
        /// From this day.
        #[serde(default)]
        from: Option<NaiveDate>,
    },
}

impl Change {
    /// The code of its kind.
    pub fn code(&self) -> &'static str {
        match self {
            Change::Demand { .. } => "demand",
            Change::LengthOfStay { .. } => "length_of_stay",
            Change::StaffedBeds { .. } => "staffed_beds",
            Change::Capacity { .. } => "capacity",
        }
    }
    /// Which stays or patients it concerns (staffed beds and capacity: all).
    pub fn selection(&self) -> Selection {
        match self {
            Change::Demand {
                diagnoses,
                age_from,
                age_to,
                ..
            }
            | Change::LengthOfStay {
                diagnoses,
                age_from,
                age_to,
                ..
            } => Selection {
                diagnoses: diagnoses.clone(),
                age_from: *age_from,
                age_to: *age_to,
            },
            _ => Selection::default(),
        }
    }
    /// The day it starts acting, given the horizon.
    pub fn start(&self, horizon: &Months) -> NaiveDate {
        let from = match self {
            Change::Demand { from, .. }
            | Change::LengthOfStay { from, .. }
            | Change::StaffedBeds { from, .. }
            | Change::Capacity { from, .. } => *from,
        };
        from.unwrap_or_else(|| horizon.first_day())
    }
    fn applies_to(&self, model: ModelKind) -> bool {
        matches!(
            (self, model),
            (Change::Demand { .. }, _)
                | (
                    Change::LengthOfStay { .. } | Change::StaffedBeds { .. },
                    ModelKind::Beds
                )
                | (Change::Capacity { .. }, ModelKind::WaitingList)
        )
    }
}

/// What the waiting-list model follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WaitKind {
    /// First visit in specialised care (vårdgarantin: 90 days from referral).
    #[default]
    FirstVisit,
    /// Operation or procedure (90 days from decision).
    Operation,
}

impl WaitKind {
    /// The code in the waiting-time collection (`vantetyp`).
    pub fn code(self) -> &'static str {
        match self {
            WaitKind::FirstVisit => "forsta_besok",
            WaitKind::Operation => "operation",
        }
    }
    /// Its `vantetyp` in the waiting-time collection's data (`FB`, `OP`).
    pub fn vantetyp(self) -> &'static str {
        match self {
            WaitKind::FirstVisit => "FB",
            WaitKind::Operation => "OP",
        }
    }
}

/// A scenario file as written.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScenarioSpec {
    /// Stable id (the file stem).
    pub id: String,
    /// Version of this scenario.
    pub version: String,
    /// Title.
    pub title: Text,
    /// What the question is, in words.
    #[serde(default)]
    pub description: Option<Text>,
    /// The model.
    pub model: ModelKind,
    /// The region.
    pub region: RegionCode,
    /// Only this hospital (its code), if given.
    #[serde(default)]
    pub sjukhus: Option<String>,
    /// The waiting list followed (waiting-list model).
    #[serde(default)]
    pub wait: WaitKind,
    /// Calibration period.
    pub baseline: Months,
    /// Prediction period (after the baseline).
    pub horizon: Months,
    /// Replications (default [`DEFAULT_REPLICATIONS`]).
    #[serde(default)]
    pub replications: Option<u32>,
    /// Seed of the simulation (default 1).
    #[serde(default)]
    pub seed: Option<u64>,
    /// The changes (none: the baseline forecast).
    #[serde(default, rename = "change")]
    pub changes: Vec<Change>,
}

/// Replications when the file names none (see the model module for why this is enough).
pub const DEFAULT_REPLICATIONS: u32 = 200;

/// A checked scenario with its content hash.
#[derive(Debug, Clone, PartialEq)]
pub struct Scenario {
    /// The file's content.
    pub spec: ScenarioSpec,
    /// SHA-256 of the file text (first 16 hex digits).
    pub hash: String,
    /// File name.
    pub file: String,
}

/// Why a scenario file is refused (its author must act); names the file.
#[derive(Debug, thiserror::Error)]
#[error("scenario {file}: {message}")]
pub struct ScenarioError {
    /// File name.
    pub file: String,
    /// What is wrong.
    pub message: String,
}

impl Scenario {
    /// Parse and check one scenario file (`file` is its name, for messages and the id check).
    pub fn from_toml(file: &str, text: &str) -> Result<Scenario, ScenarioError> {
        let err = |message: String| ScenarioError {
            file: file.to_owned(),
            message,
        };
        let spec: ScenarioSpec = toml::from_str(text).map_err(|e| err(e.to_string()))?;
        let stem = std::path::Path::new(file)
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or(file);
        if spec.id != stem {
            return Err(err(format!(
                "id {} ska vara filnamnet {stem} / id must be the file stem",
                spec.id
            )));
        }
        check(&spec).map_err(err)?;
        let hash = hex::encode(Sha256::digest(text.as_bytes()))[..16].to_owned();
        Ok(Scenario {
            spec,
            hash,
            file: file.to_owned(),
        })
    }

    /// Replications to run.
    pub fn replications(&self) -> u32 {
        self.spec.replications.unwrap_or(DEFAULT_REPLICATIONS)
    }
}

fn check(s: &ScenarioSpec) -> Result<(), String> {
    for (name, m) in [("baseline", &s.baseline), ("horizon", &s.horizon)] {
        if m.to < m.from {
            return Err(format!("{name}: to före from / to before from"));
        }
    }
    if s.horizon.from <= s.baseline.to {
        return Err(
            "horizon ska börja efter baseline / the horizon must start after the baseline".into(),
        );
    }
    if s.horizon.days() > 3 * 366 {
        return Err("horisonten högst tre år / the horizon is at most three years".into());
    }
    if let Some(r) = s.replications
        && !(20..=10_000).contains(&r)
    {
        return Err("replications: 20–10 000".into());
    }
    for (i, c) in s.changes.iter().enumerate() {
        let at = format!("change[{i}] ({})", c.code());
        if !c.applies_to(s.model) {
            return Err(format!(
                "{at}: gäller inte modellen {:?} / does not apply to this model",
                s.model
            ));
        }
        let factor = match c {
            Change::Demand { factor, .. }
            | Change::LengthOfStay { factor, .. }
            | Change::Capacity { factor, .. } => Some(*factor),
            Change::StaffedBeds { add, .. } => {
                if add.unsigned_abs() > 10_000 {
                    return Err(format!("{at}: add ±10 000"));
                }
                None
            }
        };
        if let Some(f) = factor
            && !(f.is_finite() && f > 0.0 && f <= 10.0)
        {
            return Err(format!(
                "{at}: factor ska vara i (0, 10] / factor in (0, 10]"
            ));
        }
        let start = c.start(&s.horizon);
        if start < s.horizon.first_day() || start >= s.horizon.end_day() {
            return Err(format!(
                "{at}: from ska ligga i horisonten / from must lie in the horizon"
            ));
        }
        let selection = c.selection();
        if s.model == ModelKind::WaitingList && !selection.is_all() {
            return Err(format!(
                "{at}: väntelistemodellen känner inte diagnos eller ålder / the waiting-list model knows no diagnosis or age"
            ));
        }
        {
            if let (Some(a), Some(b)) = (selection.age_from, selection.age_to)
                && a > b
            {
                return Err(format!("{at}: age_from > age_to"));
            }
            if selection
                .diagnoses
                .iter()
                .any(|d| d.is_empty() || !d.chars().all(|c| c.is_ascii_alphanumeric()))
            {
                return Err(format!(
                    "{at}: diagnoser skrivs utan punkt, t.ex. S720 / diagnoses without dot"
                ));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const BEDS: &str = r#"
id = "sormland_20_vardplatser"
version = "1.0.0"
title = { sv = "20 fler vårdplatser", en = "20 more beds" }
model = "beds"
region = "04"
baseline = { from = "2024-01", to = "2024-06" }
horizon = { from = "2024-07", to = "2024-12" }

[[change]]
kind = "staffed_beds"
add = 20

[[change]]
kind = "length_of_stay"
factor = 0.9
diagnoses = ["S720", "S721"]
from = "2024-08-01"
"#;

    #[test]
    fn a_scenario_parses_with_its_changes_and_hash() {
        let s = Scenario::from_toml("sormland_20_vardplatser.toml", BEDS).unwrap();
        assert_eq!(s.spec.changes.len(), 2);
        assert_eq!(s.replications(), DEFAULT_REPLICATIONS);
        assert_eq!(s.hash.len(), 16);
        assert_eq!(
            s.spec.changes[0].start(&s.spec.horizon),
            NaiveDate::from_ymd_opt(2024, 7, 1).unwrap()
        );
        assert_eq!(s.spec.horizon.days(), 184);
        let selection = s.spec.changes[1].selection();
        assert!(selection.selects(Some("S72.0"), Some(80)));
        assert!(!selection.selects(Some("I21"), Some(80)));
    }

    #[test]
    fn mistakes_are_named() {
        let bad = |from: &str, to: &str| {
            Scenario::from_toml("sormland_20_vardplatser.toml", &BEDS.replace(from, to))
                .unwrap_err()
                .to_string()
        };
        assert!(bad("add = 20", "add = 20\nextra = 1").contains("unknown field"));
        assert!(bad("factor = 0.9", "factor = 0").contains("factor"));
        assert!(
            bad(
                "horizon = { from = \"2024-07\"",
                "horizon = { from = \"2024-05\""
            )
            .contains("horizon")
        );
        assert!(
            bad(
                "kind = \"staffed_beds\"\nadd = 20",
                "kind = \"capacity\"\nfactor = 1.1"
            )
            .contains("does not apply")
        );
        assert!(bad("from = \"2024-08-01\"", "from = \"2025-08-01\"").contains("horizon"));
        assert!(!bad("region = \"04\"", "region = \"02\"").is_empty());
        assert!(
            Scenario::from_toml("annat_namn.toml", BEDS)
                .unwrap_err()
                .to_string()
                .contains("file stem")
        );
    }
}
