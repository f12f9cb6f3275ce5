//! External indicator values (track A): aggregate, non-personal figures that other organisations
//! publish — quality registers, PrimärvårdsKvalitet, Psykiatrin i siffror, Socialstyrelsen's
//! statistics, the national patient survey — parsed once into the hub's codes.
//!
//! * [`SourceId`] and [`SourceInfo`]: the sources the hub knows (name, publisher, link,
//!   attribution); a file from any other source is refused.
//! * [`ExternalIndicatorId`]: a source's indicator, as a stable slug.
//! * [`ExternalPeriod`]: the period forms sources use (`2018`, `2017–2018`, `2018 kv1`, `201801`,
//!   rolling 12 months), with the hub's [`crate::ReportPeriod`] where one matches.
//! * [`ExternalArea`]: `Riket`/`Sverige`/`00` or a region, from its code or any common form of
//!   its name.
//! * [`ExternalSex`], [`SourceStatus`] (what the source said about a value: given, suppressed,
//!   missing, not applicable, nothing to report) and [`ExternalValue`], one validated row.

mod area;
mod period;
mod source;

pub use area::{AreaProblem, ExternalArea};
pub use period::{ExternalPeriod, PeriodProblem};
pub use source::{ExternalIndicatorId, SourceId, SourceInfo, UnknownSource, sources};

use serde::{Deserialize, Serialize};

/// Sex as sources publish it, in the hub's codes (`1` men, `2` women, `alla` both).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExternalSex {
    /// Both sexes (`Totalt`, `Båda könen`, `alla`).
    Total,
    /// Men (`Män`, `M`).
    Men,
    /// Women (`Kvinnor`, `K`).
    Women,
}

impl ExternalSex {
    /// Parse the forms sources use (case-insensitive, trimmed): `Totalt`, `Båda könen`, `Alla`,
    /// `Total`, `Both`, `T`, `B`, `0` (hub's `alla` too); `Män`, `Man`, `M`, `Men`, `Male`, `1`;
    /// `Kvinnor`, `Kvinna`, `K`, `Women`, `Female`, `F`, `2`.
    pub fn parse(s: &str) -> Option<ExternalSex> {
        let t = s.trim().to_lowercase();
        match t.as_str() {
            "totalt" | "total" | "båda könen" | "bada konen" | "båda" | "alla" | "both"
            | "both sexes" | "all" | "t" | "b" | "0" | "" => Some(ExternalSex::Total),
            "män" | "man" | "m" | "men" | "male" | "males" | "1" => Some(ExternalSex::Men),
            "kvinnor" | "kvinna" | "k" | "women" | "woman" | "female" | "females" | "f" | "2" => {
                Some(ExternalSex::Women)
            }
            _ => None,
        }
    }

    /// The hub's code: `alla`, `1`, `2` (as the hub's own indicators' `kon`).
    pub fn code(self) -> &'static str {
        match self {
            ExternalSex::Total => "alla",
            ExternalSex::Men => "1",
            ExternalSex::Women => "2",
        }
    }

    /// Swedish label.
    pub fn label_sv(self) -> &'static str {
        match self {
            ExternalSex::Total => "Båda könen",
            ExternalSex::Men => "Män",
            ExternalSex::Women => "Kvinnor",
        }
    }

    /// English label.
    pub fn label_en(self) -> &'static str {
        match self {
            ExternalSex::Total => "Both sexes",
            ExternalSex::Men => "Men",
            ExternalSex::Women => "Women",
        }
    }
}

/// What the source said about a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SourceStatus {
    /// A value is given.
    Value,
    /// The source hid the value (`x`, `*`, `<5`, "för få", "sekretess"): too few or
    /// confidential.
    Suppressed,
    /// Not available or too uncertain (`..`, "Uppgift saknas").
    Missing,
    /// Cannot occur (`.`).
    NotApplicable,
    /// Nothing to report (`-`, `–`).
    Nil,
}

impl SourceStatus {
    /// The marker a source wrote instead of a value, if `s` is one (trimmed, case-insensitive):
    /// `x`, `X`, `*`, `<5` (any `<N`), `för få`, `sekretess`, `sekretessbelagd` → suppressed;
    /// `..`, `uppgift saknas`, `saknas`, `n/a`, `na` → missing; `.` → not applicable; `-`, `–`,
    /// `—` → nothing to report.
    pub fn from_marker(s: &str) -> Option<SourceStatus> {
        let t = s.trim().to_lowercase();
        match t.as_str() {
            "x"
            | "*"
            | "för få"
            | "for fa"
            | "för få observationer"
            | "sekretess"
            | "sekretessbelagd"
            | "skyddad"
            | "suppressed"
            | "too few" => Some(SourceStatus::Suppressed),
            ".." | "…" | "uppgift saknas" | "saknas" | "n/a" | "na" | "missing" => {
                Some(SourceStatus::Missing)
            }
            "." => Some(SourceStatus::NotApplicable),
            "-" | "–" | "—" => Some(SourceStatus::Nil),
            _ if t.starts_with('<')
                && t.len() > 1
                && t[1..].trim().bytes().all(|b| b.is_ascii_digit()) =>
            {
                Some(SourceStatus::Suppressed)
            }
            _ => None,
        }
    }

    /// The words a status column may hold (besides the markers): `ok`, `värde`, `redovisas`,
    /// `publicerad`, `preliminär` → value; `dold`, `undertryckt` → suppressed; `ej tillämpligt`
    /// → not applicable.
    pub fn from_status_text(s: &str) -> Option<SourceStatus> {
        if let Some(m) = SourceStatus::from_marker(s) {
            return Some(m);
        }
        let t = s.trim().to_lowercase();
        match t.as_str() {
            "ok" | "värde" | "redovisas" | "publicerad" | "preliminär" | "prel" | "slutlig"
            | "final" | "preliminary" | "value" => Some(SourceStatus::Value),
            "dold" | "undertryckt" | "hidden" => Some(SourceStatus::Suppressed),
            "ej tillämpligt" | "not applicable" => Some(SourceStatus::NotApplicable),
            _ => None,
        }
    }

    /// The code (`value`, `suppressed`, `missing`, `not_applicable`, `nil`).
    pub fn code(self) -> &'static str {
        match self {
            SourceStatus::Value => "value",
            SourceStatus::Suppressed => "suppressed",
            SourceStatus::Missing => "missing",
            SourceStatus::NotApplicable => "not_applicable",
            SourceStatus::Nil => "nil",
        }
    }
}

/// One validated row of an external delivery: every field parsed into the hub's codes. Texts
/// (indicator name, footnote) are already masked ([`crate::mask_identity_numbers`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExternalValue {
    /// The source's indicator.
    pub indicator: ExternalIndicatorId,
    /// The indicator's name as the file gave it.
    pub indicator_name: String,
    /// Sweden or a region.
    pub area: ExternalArea,
    /// The period.
    pub period: ExternalPeriod,
    /// Sex.
    pub sex: ExternalSex,
    /// What the source said about the value.
    pub status: SourceStatus,
    /// The value (only with status [`SourceStatus::Value`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<f64>,
    /// Numerator (a whole number), if given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub numerator: Option<u64>,
    /// Denominator (a whole number), if given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub denominator: Option<u64>,
    /// Lower limit of the interval, if given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lower: Option<f64>,
    /// Upper limit of the interval, if given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upper: Option<f64>,
    /// Footnote (masked).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub footnote: Option<String>,
    /// Line in the file (header = 1).
    pub line: u64,
}
