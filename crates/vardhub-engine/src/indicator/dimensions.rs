//! What a recipe's results are published by: periods and area levels (`[dimensions]`).
//!
//! ```toml
//! [dimensions]
//! periods = ["month", "quarter", "year", "rolling12"]  # Sweden, sjukvårdsregioner and regions
//! kommun = ["year"]                                     # per kommun of residence, at these periods
//! sjukhus = ["quarter", "year"]                          # per hospital of the providing region
//! enhet = ["year"]                                       # per care unit
//! ```
//!
//! Without the table, a recipe is published by month, quarter, year and rolling 12 months for
//! Sweden, the sjukvårdsregioner and the regions. Finer levels are published for their totals only
//! (no sex or age split) and only where the recipe's building block places them inside one region:
//! a kommun where the region is the patient's residence (`per_inhabitants`), a hospital or unit
//! where it is the providing region (contact and bed blocks).

use super::spec::Definition;
use serde::{Deserialize, Serialize};
use vardhub_domain::{Level, PeriodKind};

/// A period kind as recipes write it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PeriodCode {
    /// Month.
    Month,
    /// Quarter.
    Quarter,
    /// Calendar year.
    Year,
    /// Rolling 12 months.
    #[serde(rename = "rolling12")]
    Rolling12,
}

impl PeriodCode {
    /// The domain kind.
    pub fn kind(self) -> PeriodKind {
        match self {
            PeriodCode::Month => PeriodKind::Month,
            PeriodCode::Quarter => PeriodKind::Quarter,
            PeriodCode::Year => PeriodKind::Year,
            PeriodCode::Rolling12 => PeriodKind::Rolling12,
        }
    }
}

fn all_periods() -> Vec<PeriodCode> {
    vec![
        PeriodCode::Month,
        PeriodCode::Quarter,
        PeriodCode::Year,
        PeriodCode::Rolling12,
    ]
}

/// The periods and levels a recipe is published by.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Dimensions {
    /// Periods of Sweden, the sjukvårdsregioner and the regions.
    #[serde(default = "all_periods")]
    pub periods: Vec<PeriodCode>,
    /// Periods published per kommun of residence (none: no kommun level).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub kommun: Vec<PeriodCode>,
    /// Periods published per hospital.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sjukhus: Vec<PeriodCode>,
    /// Periods published per care unit.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub enhet: Vec<PeriodCode>,
}

impl Default for Dimensions {
    fn default() -> Dimensions {
        Dimensions {
            periods: all_periods(),
            kommun: Vec::new(),
            sjukhus: Vec::new(),
            enhet: Vec::new(),
        }
    }
}

/// The finest grain a recipe's query groups by below the region.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubArea {
    /// None: the region is the finest area.
    None,
    /// The patient's kommun of residence.
    Kommun,
    /// The hospital.
    Sjukhus,
    /// The care unit (and its hospital).
    Enhet,
}

impl Dimensions {
    /// The period kinds of Sweden, sjukvårdsregioner and regions.
    pub fn period_kinds(&self) -> Vec<PeriodKind> {
        let mut k: Vec<PeriodKind> = self.periods.iter().map(|p| p.kind()).collect();
        k.sort();
        k.dedup();
        k
    }

    /// The period kinds published at a level (the regional ones for Sweden, sjukvårdsregion
    /// and region).
    pub fn kinds_at(&self, level: Level) -> Vec<PeriodKind> {
        let list = match level {
            Level::Land | Level::Sjukvardsregion | Level::Region => return self.period_kinds(),
            Level::Kommun => &self.kommun,
            Level::Sjukhus => &self.sjukhus,
            Level::Enhet => &self.enhet,
        };
        let mut k: Vec<PeriodKind> = list.iter().map(|p| p.kind()).collect();
        k.sort();
        k.dedup();
        k
    }

    /// The kind whose tables the disclosure policy decides: the finest the regions publish
    /// (rolling 12 months never: overlapping windows). Every other kind is derived from it.
    pub fn audited_kind(&self) -> Option<PeriodKind> {
        self.period_kinds()
            .into_iter()
            .find(|k| *k != PeriodKind::Rolling12)
    }

    /// Every period kind the recipe publishes at any level.
    pub fn all_kinds(&self) -> Vec<PeriodKind> {
        let mut k: Vec<PeriodKind> = Level::ALL
            .into_iter()
            .flat_map(|l| self.kinds_at(l))
            .collect();
        k.sort();
        k.dedup();
        k
    }

    /// The sub-area the query must group by.
    pub fn sub_area(&self) -> SubArea {
        if !self.enhet.is_empty() {
            SubArea::Enhet
        } else if !self.sjukhus.is_empty() {
            SubArea::Sjukhus
        } else if !self.kommun.is_empty() {
            SubArea::Kommun
        } else {
            SubArea::None
        }
    }

    /// Authoring mistakes: (field, what is wrong).
    pub fn mistakes(&self, def: &Definition) -> Vec<(&'static str, String)> {
        let mut out = Vec::new();
        if self.periods.is_empty() {
            out.push((
                "periods",
                "minst en period behövs / at least one period is published".to_owned(),
            ));
        }
        let regional = self.period_kinds();
        let audited = self.audited_kind();
        if !self.periods.is_empty() && audited.is_none() {
            out.push((
                "periods",
                "rullande 12 månader kan inte vara den enda perioden / rolling 12 months cannot be \
                 the only period: it is derived from months or quarters"
                    .to_owned(),
            ));
        }
        let residence = matches!(def, Definition::PerInhabitants { .. });
        let provider = matches!(
            def,
            Definition::EventWithin { .. }
                | Definition::DeathWithin { .. }
                | Definition::ReadmissionWithin { .. }
                | Definition::MeanLengthOfStay { .. }
                | Definition::CostPerDrgPoint { .. }
                | Definition::ProcedureShare { .. }
                | Definition::BedsPer100 { .. }
        );
        for (field, list, allowed, why) in [
            (
                "kommun",
                &self.kommun,
                residence,
                "kommunnivå kräver ett byggblock där regionen är patientens hemregion / a kommun level needs a block whose region is the patient's residence (per_inhabitants)",
            ),
            (
                "sjukhus",
                &self.sjukhus,
                provider,
                "sjukhusnivå kräver ett kontakt- eller vårdplatsblock / a hospital level needs a contact or bed block (the providing region's hospitals)",
            ),
            (
                "enhet",
                &self.enhet,
                provider,
                "enhetsnivå kräver ett kontakt- eller vårdplatsblock / a unit level needs a contact or bed block (the providing region's units)",
            ),
        ] {
            if list.is_empty() {
                continue;
            }
            if !allowed {
                out.push((field, format!("{why}; block {}", def.block_name())));
            }
            if let Some(a) = audited
                && !list.iter().any(|p| p.kind() == a)
            {
                out.push((
                    field,
                    format!(
                        "nivån behöver regionernas finaste period {0} / the level needs the \
                         regions' finest period, {0}: its longer periods are sums of it",
                        a.code()
                    ),
                ));
            }
            if let Some(p) = list.iter().find(|p| !regional.contains(&p.kind())) {
                out.push((
                    field,
                    format!(
                        "perioden {} finns inte bland regionernas perioder / period {0} is not among \
                         the regions' periods: a finer level must add up to a published region value",
                        p.kind().code()
                    ),
                ));
            }
        }
        if !self.kommun.is_empty() && (!self.sjukhus.is_empty() || !self.enhet.is_empty()) {
            out.push((
                "kommun",
                "antingen kommunnivå eller sjukhus-/enhetsnivå / either a kommun level or provider \
                 levels, not both"
                    .to_owned(),
            ));
        }
        out
    }
}
