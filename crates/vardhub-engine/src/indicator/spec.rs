//! Indicator recipes (*indikatorrecept*): versioned TOML files in the repository's `indicators/`
//! folder, each defining one indicator declaratively — population, numerator, denominator, unit,
//! direction, target, confidence-interval method and standardisation — with a content hash that
//! every result row carries.
//!
//! The definition is one of a few building blocks ([`Definition`]), each compiled to one SQL query
//! over the lake (see [`super::sql`]), or an SQL escape hatch with required output columns.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::sync::LazyLock;
use vardhub_domain::spec::Text;

pub use super::dimensions::{Dimensions, PeriodCode, SubArea};

/// What a value measures, and so how it is computed from numerator and denominator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    /// numerator / denominator, shown as a percentage.
    Proportion,
    /// numerator / denominator × 100 (e.g. per 100 staffed beds).
    #[serde(rename = "per_100")]
    Per100,
    /// numerator / denominator × 1 000 (e.g. per 1 000 inhabitants).
    #[serde(rename = "per_1000")]
    Per1000,
    /// numerator / denominator × 100 000.
    #[serde(rename = "per_100000")]
    Per100000,
    /// Sum over count (mean of a per-row value, e.g. length of stay in days).
    Mean,
    /// A ratio of two sums (e.g. SEK per DRG point).
    Ratio,
    /// An amount per inhabitant (e.g. SEK per inhabitant).
    PerInhabitant,
}

impl Unit {
    /// The factor applied to numerator / denominator.
    pub fn scale(self) -> f64 {
        match self {
            Unit::Per100 => 100.0,
            Unit::Per1000 => 1000.0,
            Unit::Per100000 => 100_000.0,
            _ => 1.0,
        }
    }
    /// Whether the numerator is a count of events (so small-cell rules apply to it).
    pub fn counts_events(self) -> bool {
        !matches!(self, Unit::Mean | Unit::Ratio | Unit::PerInhabitant)
    }
}

/// Which direction is better.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// Higher values are better.
    Higher,
    /// Lower values are better.
    Lower,
}

/// The period an indicator is computed for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PeriodType {
    /// Calendar month.
    Month,
}

/// Confidence-interval method of the crude value (methods.md §0.1). It follows the kind of value:
/// a recipe may only name the method of its unit ([`Unit::crude_ci`]) or `none`. The interval of a
/// standardised value follows from the standardisation ([`Standardisation`]), not from this field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CiMethod {
    /// Wilson score interval for proportions (§1.1): always inside [0, 1].
    Wilson,
    /// Exact (Garwood) Poisson interval on the numerator count, ÷ the denominator (§1.4): rates.
    PoissonExact,
    /// Student t interval for means (§1.8).
    T,
    /// No interval.
    None,
}

/// Standardisation of a region's total.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Standardisation {
    /// Crude values only.
    None,
    /// Direct age–sex standardisation (10-year bands × sex) to Sweden's denominators of the same
    /// month (methods.md §1.7, §2.1). Every region uses the same weights over the same strata: a
    /// region lacking a denominator in a stratum Sweden has gets no standardised value (a
    /// re-weighting over only the filled strata would be a different standard per region).
    /// Interval: Dobson with Byar's limits for event counts; none for amounts.
    DirectAgeSex,
    /// Indirect age–sex standardisation (methods.md §2.2): expected events
    /// `E = Σ_s n_s · R_s` with Sweden's stratum rates `R_s` (10-year bands × sex, same month);
    /// the standardised value is `O/E ×` Sweden's crude value (PHE `calculate_ISRate`), its
    /// interval Garwood's exact limits of `O` ÷ `E` × Sweden's crude value (a share's interval
    /// truncated to [0, 1]). Needs no filled strata, so it works at monthly regional sizes; all
    /// regions are compared with the same reference rates.
    IndirectAgeSex,
}

impl Unit {
    /// The interval method of a crude value of this unit (methods.md §0.1): Wilson for shares,
    /// exact Poisson for rates, t for means, none for ratios of amounts.
    pub fn crude_ci(self) -> CiMethod {
        match self {
            Unit::Proportion => CiMethod::Wilson,
            Unit::Per100 | Unit::Per1000 | Unit::Per100000 => CiMethod::PoissonExact,
            Unit::Mean => CiMethod::T,
            Unit::Ratio | Unit::PerInhabitant => CiMethod::None,
        }
    }
}

/// A target level.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Target {
    /// The level, in the indicator's unit (a proportion as 0–1).
    pub value: f64,
    /// Where it comes from, Swedish.
    pub sv: String,
    /// Where it comes from, English.
    pub en: String,
}

/// Which care contacts an indicator is about.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContactFilter {
    /// Forms of care (`SV`, `OV`, `PV`); empty = all.
    #[serde(default)]
    pub vardform: Vec<String>,
    /// Planned (true) or acute (false) only; none = both.
    #[serde(default)]
    pub planerad: Option<bool>,
    /// Main-diagnosis code prefixes without dot (`S720`, `I21`); empty = any.
    #[serde(default)]
    pub hdia: Vec<String>,
    /// Minimum age at admission.
    #[serde(default)]
    pub min_age: Option<u32>,
}

/// What is summed per inhabitant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Measure {
    /// Number of contacts.
    Count,
    /// KPP cost of the contacts.
    Cost,
}

/// The building blocks an indicator is made of.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "block", rename_all = "snake_case", deny_unknown_fields)]
pub enum Definition {
    /// Index contacts with at least one procedure from `event_codes`; numerator: the first such
    /// procedure within `within_hours` of admission ("event B within N hours of event A").
    EventWithin {
        /// Index contacts.
        population: ContactFilter,
        /// KVÅ codes of the event.
        event_codes: Vec<String>,
        /// Hours from admission.
        within_hours: u32,
    },
    /// Index contacts; numerator: the patient died within `days` of the admission day.
    DeathWithin {
        /// Index contacts.
        population: ContactFilter,
        /// Days.
        days: u32,
    },
    /// Discharges (not by death); numerator: an unplanned inpatient admission of the same patient in
    /// the same region 1..=`days` days after the discharge day.
    ReadmissionWithin {
        /// Index discharges.
        population: ContactFilter,
        /// Days.
        days: u32,
    },
    /// Waiting-time cases; numerator: waited at most (`within`) or more than (`!within`) `days`.
    WaitingWithin {
        /// `FB` or `OP`; none = both.
        #[serde(default)]
        vantetyp: Option<String>,
        /// `G` (completed during the month) or `V` (waiting at month end).
        status: String,
        /// Days.
        days: u32,
        /// Deviation reasons excluded from numerator and denominator.
        #[serde(default)]
        exclude: Vec<String>,
        /// Share within (true) or beyond (false) `days`.
        within: bool,
    },
    /// Σ `column` / Σ disponibla over unit-days of the bed census.
    #[serde(rename = "beds_per_100")]
    BedsPer100 {
        /// `overbelaggningar`, `utlokaliserade` or `utskrivningsklara`.
        column: String,
        /// `SOM` or `PSY`.
        vardinriktning: String,
    },
    /// Mean length of stay in days (same day = 1).
    MeanLengthOfStay {
        /// The episodes.
        population: ContactFilter,
    },
    /// Σ KPP cost / Σ DRG weight without the nationally most expensive `exclude_top_share`.
    CostPerDrgPoint {
        /// The episodes.
        population: ContactFilter,
        /// Share of the most expensive episodes (ytterfall) excluded, per period.
        exclude_top_share: f64,
    },
    /// Contacts (or their cost) of the region's residents per inhabitant (population register).
    PerInhabitants {
        /// The contacts.
        population: ContactFilter,
        /// What is summed (the unit's scale turns it into "per 1 000" etc.).
        measure: Measure,
    },
    /// Procedures with a code in `denominator_codes`; numerator: those in `numerator_codes`.
    ProcedureShare {
        /// Denominator codes.
        denominator_codes: Vec<String>,
        /// Numerator codes (a subset).
        numerator_codes: Vec<String>,
    },
    /// Escape hatch: SQL over the lake's tables returning `region, period, kon, alder, numerator,
    /// denominator, sumsq, cases` (`sumsq` and `cases` may be NULL). Numerator and denominator are
    /// summed exactly as integers (see [`Definition::scales`]): return counts, or set the scales.
    Sql {
        /// The query.
        query: String,
        /// Days of follow-up after the end of the month that the outcome needs (in the same
        /// region's deliveries of the source collection); 0 = none.
        #[serde(default)]
        follow_up_days: u32,
        /// Units per 1 of the numerator (e.g. 100: SEK summed in öre).
        #[serde(default = "one")]
        numerator_scale: u32,
        /// Units per 1 of the denominator.
        #[serde(default = "one")]
        denominator_scale: u32,
    },
}

fn one() -> u32 {
    1
}

/// Where the follow-up of an outcome window must have been delivered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FollowUpSource {
    /// The same region's deliveries of the indicator's source collection (e.g. readmissions).
    SameRegion,
    /// The national population register extracts (`befolkning`: deaths).
    PopulationRegister,
}

/// Extra follow-up of a readmission: a contact is reported in the month it *ends*, so a
/// readmission that starts on the window's last day is in the data only once its stay has ended
/// and been delivered. 30 more days cover all but the longest stays.
pub const READMISSION_REPORTING_DAYS: u32 = 30;

/// An outcome window after the index month: the month is computed only when the data covering
/// its end + `days` have been delivered (see `indicator::follow_up`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FollowUp {
    /// Days after the last day of the index month.
    pub days: u32,
    /// Which deliveries must cover them.
    pub source: FollowUpSource,
}

impl Definition {
    /// The outcome window of a building block, if its numerator looks past the index month.
    ///
    /// **Rule:** every "within N days" outcome declares it here, and no month is computed whose
    /// window reaches past the delivered data. Blocks without one: `event_within` (the event
    /// belongs to the index contact, reported complete with it), `waiting_within` (measured back
    /// from a completion or census date in the month), and the census, mean, cost, per-inhabitant
    /// and share blocks (no outcome after the month).
    pub fn follow_up(&self) -> Option<FollowUp> {
        self.follow_up_window()
    }

    /// The building block's name as written in recipes (`death_within`, `waiting_within`, …).
    pub fn block_name(&self) -> String {
        serde_json::to_value(self)
            .ok()
            .and_then(|v| v.get("block")?.as_str().map(str::to_owned))
            .unwrap_or_default()
    }

    fn follow_up_window(&self) -> Option<FollowUp> {
        let (days, source) = match self {
            Definition::DeathWithin { days, .. } => (*days, FollowUpSource::PopulationRegister),
            Definition::ReadmissionWithin { days, .. } => (
                days.saturating_add(READMISSION_REPORTING_DAYS),
                FollowUpSource::SameRegion,
            ),
            Definition::Sql { follow_up_days, .. } => (*follow_up_days, FollowUpSource::SameRegion),
            Definition::EventWithin { .. }
            | Definition::WaitingWithin { .. }
            | Definition::BedsPer100 { .. }
            | Definition::MeanLengthOfStay { .. }
            | Definition::CostPerDrgPoint { .. }
            | Definition::PerInhabitants { .. }
            | Definition::ProcedureShare { .. } => return None,
        };
        (days > 0).then_some(FollowUp { days, source })
    }

    /// Units per 1 of the numerator and the denominator the query returns: the aggregation sums
    /// them as integers in these units, so decimal sums are exact (öre for SEK, 1/10 000 for DRG
    /// weights; counts, days and beds are whole).
    pub fn scales(&self) -> (u32, u32) {
        match self {
            Definition::CostPerDrgPoint { .. } => (100, 10_000),
            Definition::PerInhabitants {
                measure: Measure::Cost,
                ..
            } => (100, 1),
            Definition::Sql {
                numerator_scale,
                denominator_scale,
                ..
            } => (*numerator_scale, *denominator_scale),
            _ => (1, 1),
        }
    }
}

/// One indicator recipe.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IndicatorSpec {
    /// Identifier.
    pub id: String,
    /// Semantic version.
    pub version: String,
    /// Owning area (e.g. an NPO), in Swedish.
    pub area: String,
    /// The area's name in English (none: the Swedish name is shown).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub area_en: Option<String>,
    /// Source collection.
    pub source: String,
    /// The version of the source collection's specification whose variables the recipe uses;
    /// none = the newest in the definitions folder.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_version: Option<String>,
    /// Unit.
    pub unit: Unit,
    /// What a shown value is counted in, written after the number (`dagar`/`days`, `kr`/`SEK`);
    /// needed for means, ratios and amounts, whose [`Unit`] does not say it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit_text: Option<Text>,
    /// Which direction is better.
    pub direction: Direction,
    /// Period type.
    pub period_type: PeriodType,
    /// Interval method.
    pub ci: CiMethod,
    /// Standardisation.
    pub standardisation: Standardisation,
    /// Named reference population (when standardised).
    #[serde(default)]
    pub reference_population: Option<String>,
    /// Title.
    pub title: Text,
    /// Description.
    pub description: Text,
    /// Numerator in words.
    pub numerator: Text,
    /// Denominator in words.
    pub denominator: Text,
    /// Target level, if one exists.
    #[serde(default)]
    pub target: Option<Target>,
    /// The computation.
    pub definition: Definition,
    /// What the results are published by (periods and levels; see [`Dimensions`]).
    #[serde(default)]
    pub dimensions: Dimensions,
}

/// An indicator recipe with its content hash.
#[derive(Debug, Clone)]
pub struct Recipe {
    /// The parsed recipe.
    pub spec: IndicatorSpec,
    /// SHA-256 of the file's bytes (first 16 hex digits), carried by every result row.
    pub hash: String,
    /// File name.
    pub file: String,
}

/// An invalid recipe.
#[derive(Debug, thiserror::Error)]
#[error("indikatorrecept {file}: {message}")]
pub struct RecipeError {
    /// File name.
    pub file: String,
    /// What is wrong.
    pub message: String,
}

impl Recipe {
    /// Parse and check one recipe file.
    pub fn from_toml(file: &str, text: &str) -> Result<Recipe, RecipeError> {
        let err = |message: String| RecipeError {
            file: file.to_owned(),
            message,
        };
        let spec: IndicatorSpec = toml::from_str(text).map_err(|e| err(e.to_string()))?;
        if format!("{}.toml", spec.id) != file.rsplit('/').next().unwrap_or(file) {
            return Err(err("the file name must be <id>.toml".into()));
        }
        if vardhub_domain::spec::builtin().get(&spec.source).is_none() {
            return Err(err(format!("unknown source collection {}", spec.source)));
        }
        if spec.ci != CiMethod::None && spec.ci != spec.unit.crude_ci() {
            return Err(err(format!(
                "the interval of a {:?} value is {:?} (or none), not {:?}",
                spec.unit,
                spec.unit.crude_ci(),
                spec.ci
            )));
        }
        if spec.standardisation == Standardisation::IndirectAgeSex && !spec.unit.counts_events() {
            return Err(err(
                "indirect standardisation needs an indicator that counts events".into(),
            ));
        }
        if let Definition::Sql {
            numerator_scale,
            denominator_scale,
            ..
        } = &spec.definition
            && (*numerator_scale == 0 || *denominator_scale == 0)
        {
            return Err(err("a scale is at least 1".into()));
        }
        if spec.standardisation != Standardisation::None && spec.reference_population.is_none() {
            return Err(err(
                "a standardised indicator must name its reference population".into(),
            ));
        }
        if let Some(t) = &spec.target
            && spec.unit == Unit::Proportion
            && !(0.0..=1.0).contains(&t.value)
        {
            return Err(err("a proportion's target is between 0 and 1".into()));
        }
        if let Some((field, message)) = spec.dimensions.mistakes(&spec.definition).first() {
            return Err(err(format!("dimensions.{field}: {message}")));
        }
        let hash = recipe_hash(text);
        Ok(Recipe {
            spec,
            hash,
            file: file.to_owned(),
        })
    }
}

/// The content hash a recipe carries: SHA-256 of the file's bytes, first 16 hex digits.
pub fn recipe_hash(text: &str) -> String {
    hex::encode(&Sha256::digest(text.as_bytes())[..8])
}

/// The recipes shipped with the hub.
pub const BUILTIN_FILES: &[(&str, &str)] = &[
    (
        "vantetid_forsta_besok_90.toml",
        include_str!("../../../../indicators/vantetid_forsta_besok_90.toml"),
    ),
    (
        "vantetid_operation_90.toml",
        include_str!("../../../../indicators/vantetid_operation_90.toml"),
    ),
    (
        "vantande_over_90.toml",
        include_str!("../../../../indicators/vantande_over_90.toml"),
    ),
    (
        "overbelaggningar_per_100.toml",
        include_str!("../../../../indicators/overbelaggningar_per_100.toml"),
    ),
    (
        "utlokaliserade_per_100.toml",
        include_str!("../../../../indicators/utlokaliserade_per_100.toml"),
    ),
    (
        "utskrivningsklara_per_100.toml",
        include_str!("../../../../indicators/utskrivningsklara_per_100.toml"),
    ),
    (
        "hoftfraktur_op_24h.toml",
        include_str!("../../../../indicators/hoftfraktur_op_24h.toml"),
    ),
    (
        "ami_30d_dodlighet.toml",
        include_str!("../../../../indicators/ami_30d_dodlighet.toml"),
    ),
    (
        "aterinskrivning_30d_65.toml",
        include_str!("../../../../indicators/aterinskrivning_30d_65.toml"),
    ),
    (
        "medelvardtid.toml",
        include_str!("../../../../indicators/medelvardtid.toml"),
    ),
    (
        "kpp_kostnad_per_drg_poang.toml",
        include_str!("../../../../indicators/kpp_kostnad_per_drg_poang.toml"),
    ),
    (
        "vardkostnad_per_invanare.toml",
        include_str!("../../../../indicators/vardkostnad_per_invanare.toml"),
    ),
    (
        "vardtillfallen_per_1000.toml",
        include_str!("../../../../indicators/vardtillfallen_per_1000.toml"),
    ),
    (
        "tonsillektomi_kall_teknik.toml",
        include_str!("../../../../indicators/tonsillektomi_kall_teknik.toml"),
    ),
];

static BUILTIN: LazyLock<BTreeMap<String, Recipe>> = LazyLock::new(|| {
    BUILTIN_FILES
        .iter()
        .map(|(file, text)| {
            let r = Recipe::from_toml(file, text)
                .unwrap_or_else(|e| panic!("built-in indicator recipe is invalid (a bug): {e}"));
            (r.spec.id.clone(), r)
        })
        .collect()
});

/// The built-in recipes by id (checked by a unit test, so the lazy parse cannot fail).
pub fn builtin() -> &'static BTreeMap<String, Recipe> {
    &BUILTIN
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_recipes_parse() {
        for (file, text) in BUILTIN_FILES {
            Recipe::from_toml(file, text).unwrap();
        }
        assert_eq!(builtin().len(), 14);
    }

    #[test]
    fn the_hash_changes_with_the_text() {
        let (file, text) = BUILTIN_FILES[0];
        let a = Recipe::from_toml(file, text).unwrap();
        let b = Recipe::from_toml(file, &text.replace("days = 90", "days = 91")).unwrap();
        assert_ne!(a.hash, b.hash);
    }

    #[test]
    fn unknown_fields_and_sources_are_refused() {
        let (file, text) = BUILTIN_FILES[0];
        assert!(Recipe::from_toml(file, &text.replace("direction", "riktning")).is_err());
        assert!(
            Recipe::from_toml(
                file,
                &text.replace("source = \"vantetider\"", "source = \"x\"")
            )
            .is_err()
        );
        assert!(Recipe::from_toml("fel.toml", text).is_err());
    }
}
