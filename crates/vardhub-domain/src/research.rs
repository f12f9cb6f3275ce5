//! Research projects (*forskningsprojekt*): who may receive which microdata, on what legal basis,
//! until when.
//!
//! A project is written by the competence centre as a TOML file ([`ProjectFile`], unknown fields
//! refused) and parsed once into a [`ResearchProject`] whose parts are parsed values: a
//! [`ProjectId`], the ethics approval's [`EthicsDnr`] with its validity, a [`LegalBasis`], the
//! approved selection (per collection and table the approved variables, each checked against the
//! collection specifications, [`SpecSet`]) and population (regions, months, optionally an age
//! range), the [`DateCoarsening`] of released dates and the retention end. Every error names the
//! field. [`ResearchProject::release_blocked_at`] says whether a release may be built on a given
//! day (ethics approval valid, retention not passed).
//!
//! Variables are named as in the specifications (`patient_id`, not the lake's
//! `patient_pseudonym`); besides a table's own variables, the columns the hub derives and keeps
//! with every row may be approved ([`approvable_variables`]): `alder` and `kon_enligt_id` (age and
//! sex from the identity number, where the table derives them), `region` and `period` (the
//! delivery's). The lake's `kalla_rad` (line in the delivered file) is never released.

use crate::period::Period;
use crate::region::RegionCode;
use crate::spec::{CodeSystem, Scope, TableSpec, VarType};
use crate::spec_set::SpecSet;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::fmt;

/// The lake column holding the age derived from the identity number (as `vardhub-ingest` writes it).
pub const AGE_COLUMN: &str = "alder";
/// The lake column holding the sex derived from the identity number.
pub const DERIVED_SEX_COLUMN: &str = "kon_enligt_id";
/// The lake column holding the delivering region.
pub const REGION_COLUMN: &str = "region";
/// The lake column holding the delivery's month.
pub const PERIOD_COLUMN: &str = "period";

/// Why a project file or record is not valid. Every variant names the field or the thing.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProjectError {
    /// The TOML does not parse or does not fit the form (unknown field, wrong type, missing field).
    #[error("projektfilen / the project file: {0}")]
    Toml(String),
    /// A field has an invalid value.
    #[error("{field}: {reason}")]
    Invalid {
        /// The field, as written in the file (`ethics.dnr`, `selection[2].table`).
        field: String,
        /// What is wrong.
        reason: String,
    },
    /// The selection names a collection no specification describes.
    #[error("okänd datasamling / unknown collection {0}")]
    UnknownCollection(String),
    /// The selection names a table the collection does not have.
    #[error("okänd tabell / unknown table {collection}.{table}")]
    UnknownTable {
        /// The collection.
        collection: String,
        /// The table named.
        table: String,
    },
    /// The selection names a variable the table does not have.
    #[error("okänd variabel / unknown variable {collection}.{table}.{variable}")]
    UnknownVariable {
        /// The collection.
        collection: String,
        /// The table.
        table: String,
        /// The variable named.
        variable: String,
    },
}

fn invalid(field: impl Into<String>, reason: impl Into<String>) -> ProjectError {
    ProjectError::Invalid {
        field: field.into(),
        reason: reason.into(),
    }
}

/// A project's id: lowercase `a`–`z`, `0`–`9` and `-`, 3–40 characters, starting with a letter,
/// not ending with `-`, and holding nothing shaped like an identity number (`hoftfraktur-2025`).
/// It names the project's pseudonyms, so it never changes.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ProjectId(String);

impl ProjectId {
    /// Parse an id.
    pub fn parse(s: &str) -> Result<ProjectId, String> {
        let ok_char = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-';
        if !(3..=40).contains(&s.len()) {
            return Err("3–40 tecken / characters".into());
        }
        if !s.chars().all(ok_char) {
            return Err("bara a–z, 0–9 och - / only a–z, 0–9 and -".into());
        }
        if !s.starts_with(|c: char| c.is_ascii_lowercase()) || s.ends_with('-') {
            return Err(
                "börjar med en bokstav, slutar inte med - / starts with a letter, does not end with -"
                    .into(),
            );
        }
        if crate::contains_identity_number(s) {
            return Err("liknar ett personnummer / looks like an identity number".into());
        }
        Ok(ProjectId(s.to_owned()))
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ProjectId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for ProjectId {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        ProjectId::parse(&s)
    }
}

impl From<ProjectId> for String {
    fn from(p: ProjectId) -> String {
        p.0
    }
}

/// The diarienummer of a decision by Etikprövningsmyndigheten: `ÅÅÅÅ-NNNNN-NN` (year, case
/// number, document number) or `ÅÅÅÅ-NNNNN`. The authority started in 2019, so the year is 2019
/// or later (earlier approvals came from the regional boards, with other numbers).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct EthicsDnr(String);

/// The year Etikprövningsmyndigheten started.
pub const ETHICS_AUTHORITY_FIRST_YEAR: u32 = 2019;

impl EthicsDnr {
    /// Parse a diarienummer (surrounding blanks ignored).
    pub fn parse(s: &str) -> Result<EthicsDnr, String> {
        let t = s.trim();
        let parts: Vec<&str> = t.split('-').collect();
        let digits = |p: &str, n: usize| p.len() == n && p.bytes().all(|b| b.is_ascii_digit());
        let shape = match parts.as_slice() {
            [y, n] => digits(y, 4) && digits(n, 5),
            [y, n, d] => digits(y, 4) && digits(n, 5) && digits(d, 2),
            _ => false,
        };
        if !shape {
            return Err("ÅÅÅÅ-NNNNN-NN eller / or ÅÅÅÅ-NNNNN".into());
        }
        let year: u32 = parts[0].parse().map_err(|_| "year".to_owned())?;
        if year < ETHICS_AUTHORITY_FIRST_YEAR {
            return Err(format!(
                "året {year} är före Etikprövningsmyndighetens start 2019 / year {year} is before the authority started in 2019"
            ));
        }
        Ok(EthicsDnr(t.to_owned()))
    }

    /// The number as written (`2025-01234-01`).
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The year of the case.
    pub fn year(&self) -> u32 {
        self.0[..4].parse().unwrap_or(0)
    }
}

impl fmt::Display for EthicsDnr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for EthicsDnr {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        EthicsDnr::parse(&s)
    }
}

impl From<EthicsDnr> for String {
    fn from(d: EthicsDnr) -> String {
        d.0
    }
}

/// The legal basis a release to a project rests on. Both need an approved ethics review; the
/// disclosure itself is still decided by the region after a secrecy review (offentlighets- och
/// sekretesslagen 25 kap. 1 §), which this record does not replace.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum LegalBasis {
    /// GDPR art. 6.1 e (a task in the public interest: research at a university or other public
    /// body) and art. 9.2 j (research), with dataskyddslagen (2018:218) 3 kap. 6 § and lagen
    /// (2003:460) om etikprövning av forskning som avser människor. Code `gdpr-6-1-e-9-2-j`.
    PublicInterestResearch,
    /// GDPR art. 6.1 f (legitimate interest: a private research body) and art. 9.2 j, with
    /// dataskyddslagen 3 kap. 6 § and etikprövningslagen. Code `gdpr-6-1-f-9-2-j`.
    LegitimateInterestResearch,
}

impl LegalBasis {
    /// Every basis.
    pub const ALL: [LegalBasis; 2] = [
        LegalBasis::PublicInterestResearch,
        LegalBasis::LegitimateInterestResearch,
    ];

    /// The code written in project files.
    pub fn code(self) -> &'static str {
        match self {
            LegalBasis::PublicInterestResearch => "gdpr-6-1-e-9-2-j",
            LegalBasis::LegitimateInterestResearch => "gdpr-6-1-f-9-2-j",
        }
    }

    /// Parse a code.
    pub fn parse(s: &str) -> Result<LegalBasis, String> {
        LegalBasis::ALL
            .into_iter()
            .find(|b| b.code() == s.trim())
            .ok_or_else(|| {
                format!(
                    "okänd rättslig grund / unknown legal basis {s:?}; one of: {}",
                    LegalBasis::ALL.map(|b| b.code()).join(", ")
                )
            })
    }

    /// Swedish description with the legal references.
    pub fn label_sv(self) -> &'static str {
        match self {
            LegalBasis::PublicInterestResearch => {
                "Uppgift av allmänt intresse, forskning: dataskyddsförordningen art. 6.1 e och 9.2 j, dataskyddslagen (2018:218) 3 kap. 6 §, etikprövningslagen (2003:460)"
            }
            LegalBasis::LegitimateInterestResearch => {
                "Berättigat intresse, forskning: dataskyddsförordningen art. 6.1 f och 9.2 j, dataskyddslagen (2018:218) 3 kap. 6 §, etikprövningslagen (2003:460)"
            }
        }
    }

    /// English description with the legal references.
    pub fn label_en(self) -> &'static str {
        match self {
            LegalBasis::PublicInterestResearch => {
                "Task in the public interest, research: GDPR art. 6(1)(e) and 9(2)(j), Swedish Data Protection Act (2018:218) ch. 3 s. 6, Ethical Review Act (2003:460)"
            }
            LegalBasis::LegitimateInterestResearch => {
                "Legitimate interest, research: GDPR art. 6(1)(f) and 9(2)(j), Swedish Data Protection Act (2018:218) ch. 3 s. 6, Ethical Review Act (2003:460)"
            }
        }
    }
}

impl TryFrom<String> for LegalBasis {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        LegalBasis::parse(&s)
    }
}

impl From<LegalBasis> for String {
    fn from(b: LegalBasis) -> String {
        b.code().to_owned()
    }
}

/// How released dates and timestamps are coarsened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DateCoarsening {
    /// The day: dates as they are, timestamps at 00:00 of their day (time of day removed).
    Day,
    /// The month: the first day of the month.
    Month,
    /// The year: 1 January.
    Year,
}

impl DateCoarsening {
    /// Parse `day`/`dag`, `month`/`manad`/`månad`, `year`/`ar`/`år`.
    pub fn parse(s: &str) -> Result<DateCoarsening, String> {
        match s.trim() {
            "day" | "dag" => Ok(DateCoarsening::Day),
            "month" | "manad" | "månad" => Ok(DateCoarsening::Month),
            "year" | "ar" | "år" => Ok(DateCoarsening::Year),
            other => Err(format!(
                "{other:?}: day, month eller / or year (dag, månad, år)"
            )),
        }
    }

    /// The date `d` coarsened.
    pub fn apply(self, d: NaiveDate) -> NaiveDate {
        use chrono::Datelike;
        match self {
            DateCoarsening::Day => d,
            DateCoarsening::Month => d.with_day(1).unwrap_or(d),
            DateCoarsening::Year => NaiveDate::from_ymd_opt(d.year(), 1, 1).unwrap_or(d),
        }
    }

    /// Swedish name (`dag`, `månad`, `år`).
    pub fn label_sv(self) -> &'static str {
        match self {
            DateCoarsening::Day => "dag",
            DateCoarsening::Month => "månad",
            DateCoarsening::Year => "år",
        }
    }

    /// English name (`day`, `month`, `year`).
    pub fn label_en(self) -> &'static str {
        match self {
            DateCoarsening::Day => "day",
            DateCoarsening::Month => "month",
            DateCoarsening::Year => "year",
        }
    }
}

/// The ethics approval: Etikprövningsmyndighetens diarienummer and the period it is valid for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EthicsApproval {
    /// The decision's diarienummer.
    pub dnr: EthicsDnr,
    /// First day releases may be made.
    pub valid_from: NaiveDate,
    /// Last day releases may be made.
    pub valid_to: NaiveDate,
}

/// Which regions' data a project may receive.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Regions {
    /// Every region.
    All,
    /// These regions only (never empty).
    Only(BTreeSet<RegionCode>),
}

impl Regions {
    /// Whether `region` is approved.
    pub fn contains(&self, region: RegionCode) -> bool {
        match self {
            Regions::All => true,
            Regions::Only(set) => set.contains(&region),
        }
    }
}

/// An inclusive age range in whole years.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AgeRange {
    /// Youngest age included.
    pub min: u32,
    /// Oldest age included.
    pub max: u32,
}

impl AgeRange {
    /// Whether `age` is inside the range.
    pub fn contains(&self, age: i64) -> bool {
        age >= i64::from(self.min) && age <= i64::from(self.max)
    }
}

/// The approved population: which regions' deliveries (for a national collection: residents of
/// those regions), which months (delivery periods, inclusive), and optionally which ages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Population {
    /// Approved regions.
    pub regions: Regions,
    /// First month.
    pub from: Period,
    /// Last month.
    pub to: Period,
    /// Age range (rows of tables with an age column, and their child rows).
    pub age: Option<AgeRange>,
}

impl Population {
    /// Whether a delivery period is approved.
    pub fn contains_period(&self, p: Period) -> bool {
        self.from <= p && p <= self.to
    }
}

/// One approved table with its approved variables (in the file's order, no duplicates).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApprovedTable {
    /// Collection id.
    pub collection: String,
    /// Table name.
    pub table: String,
    /// Approved variables, named as in the specification or [`approvable_variables`].
    pub variables: Vec<String>,
}

/// A research project as approved: parsed from a [`ProjectFile`], stored as JSON in the catalogue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResearchProject {
    /// The project's id.
    pub id: ProjectId,
    /// Title.
    pub title: String,
    /// The principal investigator (a person's name: never shown publicly).
    pub principal_investigator: String,
    /// The research principal (*forskningshuvudman*), an organisation.
    pub organisation: String,
    /// Purpose of the research.
    pub purpose: String,
    /// The ethics approval.
    pub ethics: EthicsApproval,
    /// The legal basis.
    pub legal_basis: LegalBasis,
    /// Approved tables and variables.
    pub selection: Vec<ApprovedTable>,
    /// Approved population.
    pub population: Population,
    /// How dates are coarsened in releases.
    pub date_coarsening: DateCoarsening,
    /// The day by which the project must have deleted released data; no release after it.
    pub retention_end: NaiveDate,
}

/// Why no release may be made on a given day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ReleaseBlock {
    /// The ethics approval is not valid yet.
    #[error("etikgodkännandet gäller först från {0} / the ethics approval is valid only from {0}")]
    NotYetValid(NaiveDate),
    /// The ethics approval has expired.
    #[error("etikgodkännandet gällde till {0} / the ethics approval expired on {0}")]
    Expired(NaiveDate),
    /// The retention end has passed.
    #[error("lagringstiden löpte ut {0} / the retention period ended on {0}")]
    RetentionEnded(NaiveDate),
}

impl ReleaseBlock {
    /// A short stable code (for the audit log).
    pub fn code(self) -> &'static str {
        match self {
            ReleaseBlock::NotYetValid(_) => "ethics_not_yet_valid",
            ReleaseBlock::Expired(_) => "ethics_expired",
            ReleaseBlock::RetentionEnded(_) => "retention_ended",
        }
    }
}

impl ResearchProject {
    /// Parse a project file and check it against the specifications.
    pub fn from_toml(text: &str, specs: &SpecSet) -> Result<ResearchProject, ProjectError> {
        ProjectFile::parse(text)?.into_project(specs)
    }

    /// Whether a release may be built on `today`: the ethics approval must be valid and the
    /// retention end not passed.
    pub fn release_blocked_at(&self, today: NaiveDate) -> Option<ReleaseBlock> {
        if today < self.ethics.valid_from {
            Some(ReleaseBlock::NotYetValid(self.ethics.valid_from))
        } else if today > self.ethics.valid_to {
            Some(ReleaseBlock::Expired(self.ethics.valid_to))
        } else if today > self.retention_end {
            Some(ReleaseBlock::RetentionEnded(self.retention_end))
        } else {
            None
        }
    }

    /// The approved variables of a table, if the table is approved.
    pub fn approved(&self, collection: &str, table: &str) -> Option<&ApprovedTable> {
        self.selection
            .iter()
            .find(|t| t.collection == collection && t.table == table)
    }

    /// Check the selection against `specs`: every collection, table and variable must exist (a
    /// variable in any version of the collection); with an age range, every table must have an
    /// age column or refer to a table that has one; with a region restriction, a national
    /// collection's table needs a municipality variable to tell residents' regions.
    pub fn check_selection(&self, specs: &SpecSet) -> Result<(), ProjectError> {
        for (i, t) in self.selection.iter().enumerate() {
            let versions = specs.versions(&t.collection);
            if versions.is_empty() {
                return Err(ProjectError::UnknownCollection(t.collection.clone()));
            }
            let tables: Vec<&TableSpec> =
                versions.iter().filter_map(|s| s.table(&t.table)).collect();
            let Some(newest) = tables.last() else {
                return Err(ProjectError::UnknownTable {
                    collection: t.collection.clone(),
                    table: t.table.clone(),
                });
            };
            for v in &t.variables {
                if !tables
                    .iter()
                    .any(|ts| approvable_variables(ts).iter().any(|a| a == v))
                {
                    return Err(ProjectError::UnknownVariable {
                        collection: t.collection.clone(),
                        table: t.table.clone(),
                        variable: v.clone(),
                    });
                }
            }
            let field = format!("selection[{i}]");
            let spec = versions.last().map(|s| (s.scope, s));
            if self.population.age.is_some() {
                let aged = has_age(newest)
                    || newest.references.iter().any(|r| {
                        spec.and_then(|(_, s)| s.table(&r.table))
                            .is_some_and(has_age)
                    });
                if !aged {
                    return Err(invalid(
                        format!("population.age ({field}: {}.{})", t.collection, t.table),
                        "tabellen har ingen ålderskolumn och hänvisar inte till en tabell som har det / the table has no age column and refers to no table that has one",
                    ));
                }
            }
            if let (Some((Scope::National, _)), Regions::Only(_)) = (spec, &self.population.regions)
                && residence_variable(newest).is_none()
            {
                return Err(invalid(
                    format!("population.regions ({field}: {}.{})", t.collection, t.table),
                    "en nationell tabell utan kommunvariabel kan inte begränsas till regioner / a national table without a municipality variable cannot be limited to regions",
                ));
            }
        }
        Ok(())
    }
}

/// Whether the table has the derived age column.
pub fn has_age(table: &TableSpec) -> bool {
    table.derive.iter().any(|d| d.age_at.is_some())
}

/// The table's variable holding a municipality of residence (code system `kommun`), if any.
pub fn residence_variable(table: &TableSpec) -> Option<&str> {
    table
        .variables
        .iter()
        .find(|v| v.code_system == Some(CodeSystem::Kommun))
        .map(|v| v.name.as_str())
}

/// The names a project may approve for a table: its variables, then the derived `alder` (where
/// the table derives an age) and `kon_enligt_id` (where it derives from an identity number), then
/// `region` and `period`.
pub fn approvable_variables(table: &TableSpec) -> Vec<String> {
    let mut names: Vec<String> = table.variables.iter().map(|v| v.name.clone()).collect();
    if has_age(table) {
        names.push(AGE_COLUMN.to_owned());
    }
    if !table.derive.is_empty() {
        names.push(DERIVED_SEX_COLUMN.to_owned());
    }
    names.push(REGION_COLUMN.to_owned());
    names.push(PERIOD_COLUMN.to_owned());
    names
}

/// Whether a variable of the specification is an identifier that a release replaces by a
/// per-project token: a `string` variable named `*_id` (`kontakt_id`, `arende_id`).
pub fn is_token_variable(table: &TableSpec, name: &str) -> bool {
    table
        .variable(name)
        .is_some_and(|v| v.var_type == VarType::String && v.name.ends_with("_id"))
}

mod file;

pub use file::{EthicsFile, PopulationFile, ProjectFile, RegionsFile, SelectionFile};

#[cfg(test)]
mod tests;
