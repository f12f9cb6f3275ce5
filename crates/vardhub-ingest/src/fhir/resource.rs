//! One NDJSON line → one resource: JSON, an object, the file's resource type; then the Patient
//! mapping (identity, sex, residence). Encounter, Condition and Procedure are in their own
//! modules; Observation has no variable in the collection and is only recognised.

use super::finding::{self, Finding};
use super::json::{array, hub_extension, opt_str, req_str, resource_id};
use super::systems;
use serde_json::Value;
use vardhub_domain::IdKind;

/// The resource types a FHIR delivery may hold, one NDJSON file each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ResourceType {
    /// The person: identity number, sex, residence.
    Patient,
    /// The care contact (→ `kontakter`).
    Encounter,
    /// A diagnosis of an Encounter (→ `hdia`, `diagnoser`).
    Condition,
    /// A procedure of an Encounter (→ `atgarder`).
    Procedure,
    /// Read and recognised; no variable of the collection takes it.
    Observation,
}

impl ResourceType {
    /// All of them, in the order the reader needs their files.
    pub const ALL: [ResourceType; 5] = [
        ResourceType::Patient,
        ResourceType::Encounter,
        ResourceType::Condition,
        ResourceType::Procedure,
        ResourceType::Observation,
    ];

    /// The FHIR name (`Patient`).
    pub fn name(self) -> &'static str {
        match self {
            ResourceType::Patient => "Patient",
            ResourceType::Encounter => "Encounter",
            ResourceType::Condition => "Condition",
            ResourceType::Procedure => "Procedure",
            ResourceType::Observation => "Observation",
        }
    }

    /// From the FHIR name.
    pub fn parse(name: &str) -> Option<ResourceType> {
        ResourceType::ALL.into_iter().find(|t| t.name() == name)
    }
}

/// Parse one NDJSON line as a resource of type `expected`.
pub fn parse_line(expected: ResourceType, line: &[u8]) -> Result<Value, Finding> {
    let value: Value = serde_json::from_slice(line).map_err(|e| {
        Finding::error(
            finding::JSON,
            expected.name(),
            format!("raden är inte giltig JSON: {e}"),
            format!("the line is not valid JSON: {e}"),
        )
    })?;
    if !value.is_object() {
        return Err(Finding::error(
            finding::JSON,
            expected.name(),
            "raden är inte ett JSON-objekt (en resurs per rad)",
            "the line is not a JSON object (one resource per line)",
        ));
    }
    match value.get("resourceType").and_then(Value::as_str) {
        Some(t) if t == expected.name() => Ok(value),
        found => {
            let found = found.unwrap_or("—");
            Err(Finding::error(
                finding::RESOURCE_TYPE,
                "resourceType",
                format!(
                    "resursen är av typen {found}, men filen ska bara innehålla {}",
                    expected.name()
                ),
                format!(
                    "the resource is of type {found}, but the file may only hold {}",
                    expected.name()
                ),
            ))
        }
    }
}

/// What a Patient gives a care contact. The identity number is only handed on to
/// pseudonymisation: it is never shown (`Debug` masks it).
#[derive(Clone)]
pub struct PatientFacts {
    /// The Patient's logical id.
    pub id: String,
    raw_identity: String,
    kind: IdKind,
    /// ISO 5218 sex code from `Patient.gender`.
    pub sex: Option<&'static str>,
    /// Municipality of residence from `Patient.address` (hub extension `kommun`).
    pub kommun: Option<String>,
}

impl std::fmt::Debug for PatientFacts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PatientFacts")
            .field("id", &self.id)
            .field("identity", &crate::report::mask(&self.raw_identity, true))
            .field("kind", &self.kind)
            .field("sex", &self.sex)
            .field("kommun", &self.kommun)
            .finish()
    }
}

impl PatientFacts {
    /// The identity number as written and its kind from the identifier system (for the row the
    /// validator pseudonymises; never for display).
    pub(crate) fn identity(&self) -> (&str, IdKind) {
        (&self.raw_identity, self.kind)
    }
}

/// Map a Patient. Errors name every problem found.
pub fn map_patient(v: &Value) -> Result<PatientFacts, Vec<Finding>> {
    let mut problems = Vec::new();
    let id = resource_id(v, "Patient").map_err(|f| problems.push(f)).ok();
    let identity = identity(v).map_err(|f| problems.push(f)).ok();
    let sex = match opt_str(v, "gender", "Patient") {
        Ok(None) => None,
        Ok(Some("male")) => Some("1"),
        Ok(Some("female")) => Some("2"),
        Ok(Some("unknown")) => Some("0"),
        Ok(Some("other")) => Some("9"),
        Ok(Some(_)) => {
            problems.push(Finding::malformed(
                "Patient.gender",
                "male, female, other eller unknown",
                "male, female, other or unknown",
            ));
            None
        }
        Err(f) => {
            problems.push(f);
            None
        }
    };
    let kommun = match home_address(v) {
        Ok(Some(a)) => hub_extension(a, "kommun", "Patient.address")
            .map_err(|f| problems.push(f))
            .ok()
            .flatten(),
        Ok(None) => None,
        Err(f) => {
            problems.push(f);
            None
        }
    };
    match (id, identity) {
        (Some(id), Some((raw, kind))) if problems.is_empty() => Ok(PatientFacts {
            id: id.to_owned(),
            raw_identity: raw.to_owned(),
            kind,
            sex,
            kommun,
        }),
        _ => Err(problems),
    }
}

/// The address with `use` home, else the first.
fn home_address(v: &Value) -> Result<Option<&Value>, Finding> {
    let list = array(v, "address", "Patient")?;
    Ok(list
        .iter()
        .find(|a| a.get("use").and_then(Value::as_str) == Some("home"))
        .or_else(|| list.first()))
}

/// The Patient's identity number: a personnummer before a samordningsnummer; any other system is
/// named in the finding, never used.
fn identity(v: &Value) -> Result<(&str, IdKind), Finding> {
    let list = array(v, "identifier", "Patient")?;
    let mut accepted: Vec<(&str, IdKind)> = Vec::new();
    let mut foreign: Vec<String> = Vec::new();
    for ident in list {
        let system = ident.get("system").and_then(Value::as_str);
        match system.and_then(systems::identity_kind) {
            Some(kind) => {
                let value = req_str(ident, "value", "Patient.identifier")?;
                accepted.push((value, kind));
            }
            None => {
                let name = system
                    .unwrap_or("(utan system / without system)")
                    .to_owned();
                if !foreign.contains(&name) {
                    foreign.push(name);
                }
            }
        }
    }
    accepted.sort_by_key(|(_, k)| *k != IdKind::Personnummer);
    if let Some(first) = accepted.first() {
        return Ok(*first);
    }
    if foreign.is_empty() {
        return Err(Finding::error(
            finding::IDENTIFIER_SYSTEM,
            "Patient.identifier",
            "personnummer eller samordningsnummer saknas (Patient.identifier)",
            "no personnummer or samordningsnummer (Patient.identifier)",
        ));
    }
    foreign.truncate(5);
    let list = foreign.join(", ");
    Err(Finding::error(
        finding::IDENTIFIER_SYSTEM,
        "Patient.identifier.system",
        format!(
            "främmande identifierarsystem {list}: hubben tar emot personnummer ({}) och samordningsnummer ({}); identiteten gissas inte",
            systems::PERSONNUMMER,
            systems::SAMORDNINGSNUMMER
        ),
        format!(
            "foreign identifier system {list}: the hub takes personnummer ({}) and samordningsnummer ({}); the identity is not guessed",
            systems::PERSONNUMMER,
            systems::SAMORDNINGSNUMMER
        ),
    ))
}

/// One resource mapped on its own (references unresolved), as the robustness test and the
/// reader see it.
#[derive(Debug)]
pub enum Mapped {
    /// A Patient.
    Patient(PatientFacts),
    /// An Encounter.
    Encounter(super::encounter::EncounterFacts),
    /// A Condition.
    Condition(super::clinical::ConditionFacts),
    /// A Procedure.
    Procedure(super::clinical::ProcedureFacts),
    /// An Observation (recognised, not mapped: the collection has no variable for it).
    Observation,
}

/// Read one NDJSON line of a file of `expected` resources: the mapped resource, or the findings
/// that say why it cannot be mapped. Never panics, whatever the bytes.
pub fn map_line(expected: ResourceType, line: &[u8]) -> Result<Mapped, Vec<Finding>> {
    let v = parse_line(expected, line).map_err(|f| vec![f])?;
    match expected {
        ResourceType::Patient => map_patient(&v).map(Mapped::Patient),
        ResourceType::Encounter => super::encounter::map_encounter(&v).map(Mapped::Encounter),
        ResourceType::Condition => super::clinical::map_condition(&v).map(Mapped::Condition),
        ResourceType::Procedure => super::clinical::map_procedure(&v).map(Mapped::Procedure),
        ResourceType::Observation => Ok(Mapped::Observation),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn personnummer_wins_and_is_never_shown() {
        let v = json!({"resourceType": "Patient", "id": "p1", "gender": "female",
            "identifier": [
                {"system": systems::SAMORDNINGSNUMMER, "value": "198001032385"},
                {"system": "https://fhir.nhs.uk/Id/nhs-number", "value": "9434765919"},
                {"system": systems::PERSONNUMMER_OID, "value": "198001022386"}],
            "address": [{"use": "work"}, {"use": "home", "extension": [
                {"url": systems::extension("kommun"), "valueCode": "0180"}]}]});
        let p = map_patient(&v).unwrap();
        assert_eq!(p.identity(), ("198001022386", IdKind::Personnummer));
        assert_eq!((p.sex, p.kommun.as_deref()), (Some("2"), Some("0180")));
        assert!(!format!("{p:?}").contains("198001022386"));
    }

    #[test]
    fn lines_that_are_not_the_files_resources_are_named() {
        let rule = |t, line: &str| map_line(t, line.as_bytes()).unwrap_err()[0].rule;
        assert_eq!(
            rule(ResourceType::Patient, "{\"resourceType\":"),
            finding::JSON
        );
        assert_eq!(rule(ResourceType::Patient, "[1,2]"), finding::JSON);
        assert_eq!(
            rule(
                ResourceType::Patient,
                r#"{"resourceType":"Encounter","id":"e"}"#
            ),
            finding::RESOURCE_TYPE
        );
        assert_eq!(
            rule(
                ResourceType::Patient,
                r#"{"resourceType":"Patient","id":"p"}"#
            ),
            finding::IDENTIFIER_SYSTEM
        );
        let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
        assert_eq!(rule(ResourceType::Patient, &deep), finding::JSON);
        assert!(matches!(
            map_line(
                ResourceType::Observation,
                br#"{"resourceType":"Observation"}"#
            ),
            Ok(Mapped::Observation)
        ));
    }
}
