//! The project file (TOML) and its parsing into a [`ResearchProject`]: every value parsed, errors
//! naming the field.

use super::{
    AgeRange, ApprovedTable, DateCoarsening, EthicsApproval, EthicsDnr, LegalBasis, Population,
    ProjectError, ProjectId, Regions, ResearchProject, invalid,
};
use crate::period::Period;
use crate::region::RegionCode;
use crate::spec_set::SpecSet;
use chrono::NaiveDate;
use serde::Deserialize;
use std::collections::BTreeSet;

/// The project file as written (TOML, unknown fields refused). See the repository's
/// `research/exempel_hoftfraktur.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProjectFile {
    /// Project id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Principal investigator's name.
    pub principal_investigator: String,
    /// Research principal (organisation).
    pub organisation: String,
    /// Purpose.
    pub purpose: String,
    /// Legal basis code ([`LegalBasis::code`]).
    pub legal_basis: String,
    /// `day`, `month` or `year`.
    pub date_coarsening: String,
    /// `ÅÅÅÅ-MM-DD`.
    pub retention_end: String,
    /// The ethics approval.
    pub ethics: EthicsFile,
    /// The population.
    pub population: PopulationFile,
    /// The approved tables.
    pub selection: Vec<SelectionFile>,
}

/// `[ethics]` of a project file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EthicsFile {
    /// Etikprövningsmyndighetens diarienummer.
    pub dnr: String,
    /// `ÅÅÅÅ-MM-DD`.
    pub valid_from: String,
    /// `ÅÅÅÅ-MM-DD`.
    pub valid_to: String,
}

/// `regions = "alla"` (or `"all"`) or a list of länskoder.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum RegionsFile {
    /// `"alla"` / `"all"`.
    Word(String),
    /// `["01", "12"]`.
    List(Vec<String>),
}

/// `[population]` of a project file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PopulationFile {
    /// Regions.
    pub regions: RegionsFile,
    /// First month `ÅÅÅÅ-MM`.
    pub from: String,
    /// Last month `ÅÅÅÅ-MM`.
    pub to: String,
    /// Youngest age.
    pub age_min: Option<u32>,
    /// Oldest age.
    pub age_max: Option<u32>,
}

/// One `[[selection]]` of a project file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SelectionFile {
    /// Collection id.
    pub collection: String,
    /// Table.
    pub table: String,
    /// Approved variables.
    pub variables: Vec<String>,
}

fn date(field: &str, s: &str) -> Result<NaiveDate, ProjectError> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .map_err(|_| invalid(field, format!("{s:?}: ÅÅÅÅ-MM-DD")))
}

fn text(field: &str, s: String) -> Result<String, ProjectError> {
    let t = s.trim();
    if t.is_empty() {
        return Err(invalid(field, "tom / empty"));
    }
    if crate::contains_identity_number(t) {
        return Err(invalid(
            field,
            "innehåller något som liknar ett personnummer / contains what looks like an identity number",
        ));
    }
    Ok(t.to_owned())
}

impl ProjectFile {
    /// Parse the TOML text (errors name the field, line and column).
    pub fn parse(text: &str) -> Result<ProjectFile, ProjectError> {
        toml::from_str(text).map_err(|e| ProjectError::Toml(e.to_string()))
    }

    /// Turn the file into a project: every value parsed (errors name the field), the selection
    /// checked against `specs`.
    pub fn into_project(self, specs: &SpecSet) -> Result<ResearchProject, ProjectError> {
        let id = ProjectId::parse(&self.id).map_err(|r| invalid("id", r))?;
        let dnr = EthicsDnr::parse(&self.ethics.dnr).map_err(|r| invalid("ethics.dnr", r))?;
        let valid_from = date("ethics.valid_from", &self.ethics.valid_from)?;
        let valid_to = date("ethics.valid_to", &self.ethics.valid_to)?;
        if valid_to < valid_from {
            return Err(invalid(
                "ethics.valid_to",
                "före / before ethics.valid_from",
            ));
        }
        let retention_end = date("retention_end", &self.retention_end)?;
        if retention_end < valid_from {
            return Err(invalid("retention_end", "före / before ethics.valid_from"));
        }
        let legal_basis =
            LegalBasis::parse(&self.legal_basis).map_err(|r| invalid("legal_basis", r))?;
        let date_coarsening = DateCoarsening::parse(&self.date_coarsening)
            .map_err(|r| invalid("date_coarsening", r))?;
        let p = self.population;
        let regions = match p.regions {
            RegionsFile::Word(w) if matches!(w.trim(), "alla" | "all") => Regions::All,
            RegionsFile::Word(w) => {
                return Err(invalid(
                    "population.regions",
                    format!(
                        "{w:?}: \"alla\" eller en lista med länskoder / \"all\" or a list of region codes"
                    ),
                ));
            }
            RegionsFile::List(list) => {
                let mut set = BTreeSet::new();
                for (i, r) in list.iter().enumerate() {
                    let code = RegionCode::parse(r)
                        .map_err(|e| invalid(format!("population.regions[{i}]"), e.to_string()))?;
                    if !set.insert(code) {
                        return Err(invalid(
                            format!("population.regions[{i}]"),
                            format!("{r} två gånger / twice"),
                        ));
                    }
                }
                if set.is_empty() {
                    return Err(invalid("population.regions", "tom lista / empty list"));
                }
                Regions::Only(set)
            }
        };
        let from = Period::parse(&p.from).map_err(|e| invalid("population.from", e.to_string()))?;
        let to = Period::parse(&p.to).map_err(|e| invalid("population.to", e.to_string()))?;
        if to < from {
            return Err(invalid("population.to", "före / before population.from"));
        }
        let age = match (p.age_min, p.age_max) {
            (None, None) => None,
            (min, max) => {
                let range = AgeRange {
                    min: min.unwrap_or(0),
                    max: max.unwrap_or(130),
                };
                if range.max < range.min || range.max > 130 {
                    return Err(invalid(
                        "population.age_max",
                        "måste vara ≥ age_min och ≤ 130 / must be ≥ age_min and ≤ 130",
                    ));
                }
                Some(range)
            }
        };
        if self.selection.is_empty() {
            return Err(invalid("selection", "inga tabeller / no tables"));
        }
        let mut selection: Vec<ApprovedTable> = Vec::new();
        for (i, s) in self.selection.into_iter().enumerate() {
            let field = format!("selection[{i}]");
            if selection
                .iter()
                .any(|t| t.collection == s.collection && t.table == s.table)
            {
                return Err(invalid(
                    format!("{field}.table"),
                    format!("{}.{} två gånger / twice", s.collection, s.table),
                ));
            }
            if s.variables.is_empty() {
                return Err(invalid(format!("{field}.variables"), "tom / empty"));
            }
            let mut seen = BTreeSet::new();
            for (j, v) in s.variables.iter().enumerate() {
                if !seen.insert(v.as_str()) {
                    return Err(invalid(
                        format!("{field}.variables[{j}]"),
                        format!("{v} två gånger / twice"),
                    ));
                }
            }
            selection.push(ApprovedTable {
                collection: s.collection,
                table: s.table,
                variables: s.variables,
            });
        }
        let project = ResearchProject {
            id,
            title: text("title", self.title)?,
            principal_investigator: text("principal_investigator", self.principal_investigator)?,
            organisation: text("organisation", self.organisation)?,
            purpose: text("purpose", self.purpose)?,
            ethics: EthicsApproval {
                dnr,
                valid_from,
                valid_to,
            },
            legal_basis,
            selection,
            population: Population {
                regions,
                from,
                to,
                age,
            },
            date_coarsening,
            retention_end,
        };
        project.check_selection(specs)?;
        Ok(project)
    }
}
