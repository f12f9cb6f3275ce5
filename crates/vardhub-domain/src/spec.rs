//! Data-collection specifications: the hub's *informationsspecifikation*.
//!
//! Each collection (care contacts, waiting times, bed census, population) is described by a versioned
//! TOML file in the repository's `specs/` folder. The same specification drives validation of
//! deliveries, the metadata pages and the synthetic generator, so there is exactly one place where a
//! variable's name, type, code system and meaning are written down.
//!
//! The files are embedded at build time ([`builtin`]); [`CollectionSpec::from_toml`] parses and
//! checks one (unknown fields are errors, every variable must have a Swedish and English description,
//! rules must name existing fields).

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::LazyLock;

/// A text in Swedish and English.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Text {
    /// Swedish (the primary language of the hub).
    pub sv: String,
    /// English.
    pub en: String,
}

/// Who delivers a collection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    /// Each region delivers its own data.
    Regional,
    /// One national extract (e.g. the population register); the manifest names region `00`.
    National,
}

/// The type of one variable as delivered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VarType {
    /// Free text.
    String,
    /// Whole number.
    Integer,
    /// Decimal number; decimal comma or point accepted.
    Decimal,
    /// Calendar date: `ÅÅÅÅ-MM-DD` or `ÅÅÅÅMMDD`.
    Date,
    /// Date and time: `ÅÅÅÅ-MM-DD tt:mm[:ss]`, `ÅÅÅÅ-MM-DDTtt:mm[:ss]` or `ÅÅÅÅMMDDttmm[ss]`.
    Datetime,
    /// Yes/no: `1`/`0`, `J`/`N`, `ja`/`nej`, `true`/`false`.
    Boolean,
    /// A code from a code system or an allowed-values list.
    Code,
    /// A personnummer, samordningsnummer or reservnummer: pseudonymised at ingest, never stored.
    PersonalId,
}

/// Code systems a `code` variable can be validated against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CodeSystem {
    /// ICD-10-SE diagnosis codes (validated against Socialstyrelsen's list).
    Icd10se,
    /// KVÅ, klassifikation av vårdåtgärder (shape only).
    Kva,
    /// ATC (shape only).
    Atc,
    /// Medicinskt verksamhetsområde, three digits (shape only).
    Mvo,
    /// NordDRG code, four characters (shape only).
    Drg,
    /// Länskod of the 21 regions.
    Lan,
    /// Kommunkod, four digits.
    Kommun,
    /// ISO 5218 sex code.
    Sex,
    /// The declared kind of a personal identity number.
    IdKind,
}

impl CodeSystem {
    /// A short human name of the code system.
    pub fn name(self) -> &'static str {
        match self {
            CodeSystem::Icd10se => "ICD-10-SE",
            CodeSystem::Kva => "KVÅ",
            CodeSystem::Atc => "ATC",
            CodeSystem::Mvo => "MVO",
            CodeSystem::Drg => "NordDRG",
            CodeSystem::Lan => "Länskod",
            CodeSystem::Kommun => "Kommunkod",
            CodeSystem::Sex => "Kön (ISO 5218)",
            CodeSystem::IdKind => "Identitetstyp",
        }
    }
}

/// One allowed value of a `code` variable with a closed list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AllowedValue {
    /// The code as delivered.
    pub code: String,
    /// Swedish label.
    pub sv: String,
    /// English label.
    pub en: String,
}

/// One variable (column) of a table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Variable {
    /// Column name as delivered (lower-case, ASCII).
    pub name: String,
    /// Delivered type.
    #[serde(rename = "type")]
    pub var_type: VarType,
    /// Whether an empty value is an error.
    #[serde(default)]
    pub mandatory: bool,
    /// Code system for `code` variables.
    #[serde(default)]
    pub code_system: Option<CodeSystem>,
    /// Closed list of allowed values for `code` variables.
    #[serde(default)]
    pub allowed: Vec<AllowedValue>,
    /// Smallest allowed numeric value.
    #[serde(default)]
    pub min: Option<f64>,
    /// Largest allowed numeric value.
    #[serde(default)]
    pub max: Option<f64>,
    /// Longest allowed text, in characters.
    #[serde(default)]
    pub max_length: Option<usize>,
    /// Unit of measurement, if any (e.g. `SEK`, `dagar`).
    #[serde(default)]
    pub unit: Option<String>,
    /// For a `personal_id`: the variable that declares its kind (P/S/R), if any.
    #[serde(default)]
    pub kind_field: Option<String>,
    /// True when the variable is the hub's own assumption, not taken from an official national
    /// specification (see the domain brief's [NOT FOUND] notes).
    #[serde(default)]
    pub assumption: bool,
    /// What the variable means.
    pub description: Text,
}

impl Variable {
    /// The label of an allowed code, if the variable has a closed list containing it.
    pub fn allowed_value(&self, code: &str) -> Option<&AllowedValue> {
        self.allowed.iter().find(|a| a.code == code)
    }
}

/// A cross-field or delivery-level rule of a table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "rule", rename_all = "snake_case", deny_unknown_fields)]
pub enum TableRule {
    /// `later` must not be before `earlier` (when both are present).
    DateOrder {
        /// The earlier date/datetime field.
        earlier: String,
        /// The later date/datetime field.
        later: String,
    },
    /// The field's date must fall inside the delivery's period (when present).
    InPeriod {
        /// The date/datetime field.
        field: String,
    },
    /// The field's date must not be after the end of the delivery's period (when present).
    NotAfterPeriod {
        /// The date/datetime field.
        field: String,
    },
    /// `field` must be present when `when_field` has one of `values` (or any value if `values` is empty).
    RequiredIf {
        /// The conditionally mandatory field.
        field: String,
        /// The field that decides.
        when_field: String,
        /// Values of `when_field` that make `field` mandatory; empty = any non-empty value.
        #[serde(default)]
        values: Vec<String>,
    },
    /// `field` must be empty when `when_field` has one of `values`.
    AbsentIf {
        /// The field that must be empty.
        field: String,
        /// The field that decides.
        when_field: String,
        /// Values of `when_field` that forbid `field`.
        values: Vec<String>,
    },
    /// Numeric `smaller` must not exceed numeric `larger` (when both are present).
    NotGreater {
        /// The field that must be smaller or equal.
        smaller: String,
        /// The field that bounds it.
        larger: String,
    },
}

impl TableRule {
    /// Fields the rule refers to.
    pub fn fields(&self) -> Vec<&str> {
        match self {
            TableRule::DateOrder { earlier, later } => vec![earlier, later],
            TableRule::InPeriod { field } | TableRule::NotAfterPeriod { field } => vec![field],
            TableRule::RequiredIf {
                field, when_field, ..
            }
            | TableRule::AbsentIf {
                field, when_field, ..
            } => vec![field, when_field],
            TableRule::NotGreater { smaller, larger } => vec![smaller, larger],
        }
    }

    /// A stable short name of the rule, used in reports.
    pub fn name(&self) -> &'static str {
        match self {
            TableRule::DateOrder { .. } => "date_order",
            TableRule::InPeriod { .. } => "in_period",
            TableRule::NotAfterPeriod { .. } => "not_after_period",
            TableRule::RequiredIf { .. } => "required_if",
            TableRule::AbsentIf { .. } => "absent_if",
            TableRule::NotGreater { .. } => "not_greater",
        }
    }
}

/// What the hub derives from a personal identity number before it is pseudonymised.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Derivation {
    /// The `personal_id` variable to derive from.
    pub from: String,
    /// The date variable at which age is computed (e.g. the admission date); none = no age column.
    #[serde(default)]
    pub age_at: Option<String>,
    /// Whether to keep the birth date (only for the population register).
    #[serde(default)]
    pub keep_birth_date: bool,
}

/// One table (file) of a delivery.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TableSpec {
    /// Table name; the delivered file is `<name>.csv` or `<name>.parquet`.
    pub name: String,
    /// Title.
    pub title: Text,
    /// Variables forming the table's unique key (duplicates are errors).
    #[serde(default)]
    pub key: Vec<String>,
    /// Derivations from personal identity numbers.
    #[serde(default)]
    pub derive: Vec<Derivation>,
    /// Cross-field rules.
    #[serde(default)]
    pub rules: Vec<TableRule>,
    /// Fields that must point at rows of another table of the same delivery.
    #[serde(default)]
    pub references: Vec<Reference>,
    /// A date field that must not be after the death of the row's person in the population
    /// register (`befolkning`); a row after it is flagged (warning).
    #[serde(default)]
    pub not_after_death: Option<String>,
    /// The variables, in delivered order.
    pub variables: Vec<Variable>,
}

impl TableSpec {
    /// Look up a variable by name.
    pub fn variable(&self, name: &str) -> Option<&Variable> {
        self.variables.iter().find(|v| v.name == name)
    }

    /// Index of a variable by name.
    pub fn index_of(&self, name: &str) -> Option<usize> {
        self.variables.iter().position(|v| v.name == name)
    }
}

/// When a delivery is accepted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Acceptance {
    /// A delivery whose share of rows with errors exceeds this is rejected as a whole.
    pub max_error_row_share: f64,
    /// Row-count change against the region's previous delivery that raises a flag (e.g. 0.3 = ±30 %).
    pub max_change_from_previous: f64,
    /// Per-capita volume outside `[median / f, median × f]` of the other regions raises a flag.
    pub per_capita_factor: f64,
    /// A re-delivery of the same collection, region and period whose accepted rows of any table
    /// fall below this share of the published predecessor's is held for confirmation instead of
    /// superseding it (e.g. 0.5 = below half).
    #[serde(default = "default_min_share_of_predecessor")]
    pub min_share_of_predecessor: f64,
    /// Tables whose predecessor had fewer rows than this are not compared (small tables vary).
    #[serde(default = "default_predecessor_min_rows")]
    pub predecessor_min_rows: u64,
    /// One person holding more than this share of a table's rows is flagged (warning)…
    #[serde(default = "default_max_person_share")]
    pub max_person_share: f64,
    /// …if that is also more than this many rows.
    #[serde(default = "default_max_person_rows")]
    pub max_person_rows: u64,
}

fn default_min_share_of_predecessor() -> f64 {
    0.5
}
fn default_predecessor_min_rows() -> u64 {
    10
}
fn default_max_person_share() -> f64 {
    0.05
}
fn default_max_person_rows() -> u64 {
    20
}

/// A field whose values must occur in a field of the same name in another table of the same
/// delivery (a child row pointing at its parent: a diagnosis at its contact).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Reference {
    /// The referring field of this table.
    pub field: String,
    /// The table that must contain the value (in its field of the same name).
    pub table: String,
}

/// A versioned data-collection specification.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CollectionSpec {
    /// Identifier, also the lake's top-level folder (e.g. `vardkontakter`).
    pub id: String,
    /// Semantic version of the specification.
    pub version: String,
    /// Who delivers.
    pub scope: Scope,
    /// Title.
    pub title: Text,
    /// What the collection is for.
    pub description: Text,
    /// Where the variables come from (national specifications, domain brief sections).
    #[serde(default)]
    pub sources: Vec<String>,
    /// Acceptance thresholds.
    pub acceptance: Acceptance,
    /// The tables of a delivery.
    pub tables: Vec<TableSpec>,
}

/// An error in a specification file.
#[derive(Debug, thiserror::Error)]
pub enum SpecError {
    /// The TOML does not parse or does not fit the schema.
    #[error("specification {file}: {source}")]
    Parse {
        /// File name.
        file: String,
        /// Parser error.
        source: toml::de::Error,
    },
    /// The specification is inconsistent.
    #[error("specification {file}: {message}")]
    Invalid {
        /// File name.
        file: String,
        /// What is wrong.
        message: String,
    },
}

impl CollectionSpec {
    /// Parse and check one specification file.
    pub fn from_toml(file: &str, text: &str) -> Result<Self, SpecError> {
        let spec: CollectionSpec = toml::from_str(text).map_err(|source| SpecError::Parse {
            file: file.to_owned(),
            source,
        })?;
        spec.check().map_err(|message| SpecError::Invalid {
            file: file.to_owned(),
            message,
        })?;
        Ok(spec)
    }

    /// Look up a table by name.
    pub fn table(&self, name: &str) -> Option<&TableSpec> {
        self.tables.iter().find(|t| t.name == name)
    }

    fn check(&self) -> Result<(), String> {
        let a = &self.acceptance;
        if !(0.0..=1.0).contains(&a.max_error_row_share) {
            return Err("acceptance.max_error_row_share must be within 0..=1".into());
        }
        if !(0.0..=1.0).contains(&a.min_share_of_predecessor)
            || !(0.0..=1.0).contains(&a.max_person_share)
        {
            return Err("acceptance shares must be within 0..=1".into());
        }
        if a.per_capita_factor < 1.0 || a.max_change_from_previous <= 0.0 {
            return Err("acceptance thresholds out of range".into());
        }
        if self.tables.is_empty() {
            return Err("no tables".into());
        }
        let mut table_names = std::collections::HashSet::new();
        for t in &self.tables {
            if !table_names.insert(&t.name) {
                return Err(format!("table {} defined twice", t.name));
            }
            let mut names = std::collections::HashSet::new();
            for v in &t.variables {
                if !names.insert(v.name.as_str()) {
                    return Err(format!("{}.{} defined twice", t.name, v.name));
                }
                if v.description.sv.trim().is_empty() || v.description.en.trim().is_empty() {
                    return Err(format!("{}.{} lacks a description", t.name, v.name));
                }
                let is_code = v.var_type == VarType::Code;
                if is_code == (v.code_system.is_none() && v.allowed.is_empty()) {
                    return Err(format!(
                        "{}.{}: a code variable needs a code_system or allowed values, others none",
                        t.name, v.name
                    ));
                }
                if let Some(k) = &v.kind_field {
                    let ok = t.variable(k).is_some_and(|kv| {
                        kv.var_type == VarType::Code && kv.code_system == Some(CodeSystem::IdKind)
                    });
                    if v.var_type != VarType::PersonalId || !ok {
                        return Err(format!("{}.{}: bad kind_field {k}", t.name, v.name));
                    }
                }
            }
            for k in &t.key {
                if !names.contains(k.as_str()) {
                    return Err(format!("{}: key field {k} is not a variable", t.name));
                }
            }
            for r in &t.rules {
                for f in r.fields() {
                    if !names.contains(f) {
                        return Err(format!(
                            "{}: rule {} names unknown field {f}",
                            t.name,
                            r.name()
                        ));
                    }
                }
            }
            for r in &t.references {
                let ok = names.contains(r.field.as_str())
                    && self
                        .table(&r.table)
                        .is_some_and(|p| p.name != t.name && p.variable(&r.field).is_some());
                if !ok {
                    return Err(format!(
                        "{}: reference {} → {} names an unknown table or field",
                        t.name, r.field, r.table
                    ));
                }
            }
            if let Some(f) = &t.not_after_death {
                let ok = t
                    .variable(f)
                    .is_some_and(|v| matches!(v.var_type, VarType::Date | VarType::Datetime))
                    && t.variables
                        .iter()
                        .any(|v| v.var_type == VarType::PersonalId);
                if !ok {
                    return Err(format!(
                        "{}: not_after_death needs a date field and a personal_id",
                        t.name
                    ));
                }
            }
            for d in &t.derive {
                let from_ok = t
                    .variable(&d.from)
                    .is_some_and(|v| v.var_type == VarType::PersonalId);
                let at_ok = d.age_at.as_ref().is_none_or(|a| {
                    t.variable(a)
                        .is_some_and(|v| matches!(v.var_type, VarType::Date | VarType::Datetime))
                });
                if !from_ok || !at_ok {
                    return Err(format!("{}: bad derivation from {}", t.name, d.from));
                }
            }
        }
        Ok(())
    }
}

/// The specification files shipped with the hub, as `(file name, contents)`.
pub const BUILTIN_FILES: &[(&str, &str)] = &[
    (
        "vardkontakter.toml",
        include_str!("../../../specs/vardkontakter.toml"),
    ),
    (
        "vantetider.toml",
        include_str!("../../../specs/vantetider.toml"),
    ),
    (
        "vardplatser.toml",
        include_str!("../../../specs/vardplatser.toml"),
    ),
    (
        "befolkning.toml",
        include_str!("../../../specs/befolkning.toml"),
    ),
];

static BUILTIN: LazyLock<BTreeMap<String, CollectionSpec>> = LazyLock::new(|| {
    BUILTIN_FILES
        .iter()
        .map(|(file, text)| {
            let spec = CollectionSpec::from_toml(file, text)
                .unwrap_or_else(|e| panic!("built-in specification is invalid (a bug): {e}"));
            (spec.id.clone(), spec)
        })
        .collect()
});

/// The built-in collection specifications, by id. (They are checked by a unit test, so the lazy
/// parse cannot fail in a released build.)
pub fn builtin() -> &'static BTreeMap<String, CollectionSpec> {
    &BUILTIN
}

/// Look up a built-in collection by id and version.
pub fn find(id: &str, version: &str) -> Option<&'static CollectionSpec> {
    builtin().get(id).filter(|s| s.version == version)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_specs_parse_and_check() {
        for (file, text) in BUILTIN_FILES {
            let spec = CollectionSpec::from_toml(file, text).unwrap();
            assert_eq!(format!("{}.toml", spec.id), *file);
        }
        assert_eq!(builtin().len(), 4);
    }

    #[test]
    fn unknown_fields_are_rejected() {
        let text = BUILTIN_FILES[0].1.replacen("version =", "versoin =", 1);
        assert!(CollectionSpec::from_toml("x.toml", &text).is_err());
    }

    #[test]
    fn rules_must_name_existing_fields() {
        let text = BUILTIN_FILES[0].1.replacen(
            "later = \"utskrivningsdatum\"",
            "later = \"finns_inte\"",
            1,
        );
        let err = CollectionSpec::from_toml("x.toml", &text).unwrap_err();
        assert!(err.to_string().contains("finns_inte"), "{err}");
    }
}
