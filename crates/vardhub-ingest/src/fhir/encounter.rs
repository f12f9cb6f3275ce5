//! Encounter → a `kontakter` row (without the Patient's fields and the main diagnosis, which the
//! reader joins in), and the Encounter's ranked diagnoses. docs/fhir-mapping.md has the table.

use super::finding::{self, Finding};
use super::json::{array, code_in, hub_extension, opt_str, reference_id, req_str, resource_id};
use super::systems;
use super::time::{TimeProblem, to_swedish_local};
use serde_json::Value;

/// What an Encounter says, as the CSV path's text values.
#[derive(Debug, Clone)]
pub struct EncounterFacts {
    /// `Encounter.id` (→ `kontakt_id`).
    pub id: String,
    /// The Patient `Encounter.subject` references.
    pub patient: String,
    /// Variable name → value, as text in the CSV path's conventions.
    pub values: Vec<(&'static str, String)>,
    /// The hub extension `kon` (overrides `Patient.gender`).
    pub sex: Option<String>,
    /// The hub extension `kommun` (overrides the Patient's address).
    pub kommun: Option<String>,
    /// `Encounter.diagnosis`: (Condition id, rank). Rank 1 is the main diagnosis.
    pub diagnoses: Vec<(String, u32)>,
    /// Problems with single diagnosis entries (the entry is dropped; the contact is kept).
    pub diagnosis_problems: Vec<Finding>,
}

/// Map an Encounter. Errors name every problem found.
pub fn map_encounter(v: &Value) -> Result<EncounterFacts, Vec<Finding>> {
    let mut p: Vec<Finding> = Vec::new();
    let mut values: Vec<(&'static str, String)> = Vec::new();
    let id = resource_id(v, "Encounter").map_err(|f| p.push(f)).ok();
    let patient = match v.get("subject") {
        Some(s) => reference_id(s, "Patient", "Encounter.subject")
            .map_err(|f| p.push(f))
            .ok(),
        None => {
            p.push(Finding::missing("Encounter.subject"));
            None
        }
    };
    match req_str(v, "status", "Encounter") {
        Ok("finished") => {}
        Ok(other) => p.push(Finding::error(
            finding::VALUE,
            "Encounter.status",
            format!("status {other}: bara avslutade kontakter (finished) levereras"),
            format!("status {other}: only completed contacts (finished) are delivered"),
        )),
        Err(f) => p.push(f),
    }
    if let Ok(form) = vardform(v).map_err(|f| p.push(f)) {
        values.push(("vardform", form.to_owned()));
    }
    if let Some(c) = v.get("priority") {
        match code_in(c, "Encounter.priority", "v3-ActPriority", |s| {
            s == systems::ACT_PRIORITY
        }) {
            Ok("EL" | "R") => values.push(("planerad", "J".into())),
            Ok("EM" | "UR" | "S" | "A") => values.push(("planerad", "N".into())),
            Ok(other) => p.push(unknown_code("Encounter.priority", other)),
            Err(f) => p.push(f),
        }
    }
    if let Some(s) = v.get("serviceProvider") {
        match identifier_in(s, "Encounter.serviceProvider", &[systems::SJUKHUS]) {
            Ok(code) => values.push(("sjukhus", code.to_owned())),
            Err(f) => p.push(f),
        }
    }
    match array(v, "location", "Encounter") {
        Ok(list) => {
            if let Some(loc) = list.first().and_then(|l| l.get("location")) {
                match identifier_in(
                    loc,
                    "Encounter.location.location",
                    &[systems::ENHET, systems::HSA_ID],
                ) {
                    Ok(code) => values.push(("enhet", code.to_owned())),
                    Err(f) => p.push(f),
                }
            }
        }
        Err(f) => p.push(f),
    }
    if let Some(c) = v.get("serviceType") {
        match code_in(c, "Encounter.serviceType", "MVO", |s| s == systems::MVO) {
            Ok(code) => values.push(("mvo", code.to_owned())),
            Err(f) => p.push(f),
        }
    }
    if let Some(period) = v.get("period") {
        for (key, var) in [("start", "inskrivningsdatum"), ("end", "utskrivningsdatum")] {
            match date_time(period, key, "Encounter.period") {
                Ok(Some(t)) => values.push((var, t)),
                Ok(None) => {}
                Err(f) => p.push(f),
            }
        }
    }
    if let Some(d) = v
        .get("hospitalization")
        .and_then(|h| h.get("dischargeDisposition"))
    {
        let path = "Encounter.hospitalization.dischargeDisposition";
        match code_in(d, path, "discharge-disposition", |s| {
            s == systems::DISCHARGE_DISPOSITION
        }) {
            Ok("home") => values.push(("utskrivningssatt", "1".into())),
            Ok("long") => values.push(("utskrivningssatt", "2".into())),
            Ok("other-hcf") => values.push(("utskrivningssatt", "3".into())),
            Ok("exp") => values.push(("utskrivningssatt", "4".into())),
            Ok(other) => p.push(unknown_code(path, other)),
            Err(f) => p.push(f),
        }
    }
    for (ext, var) in [
        ("besokstyp", "besokstyp"),
        ("yrkeskategori", "yrkeskategori"),
        ("drg", "drg"),
        ("drg-vikt", "drg_vikt"),
        ("kpp-kostnad", "kpp_kostnad"),
        ("utskrivningsklar-dagar", "utskrivningsklar_dagar"),
    ] {
        match hub_extension(v, ext, "Encounter") {
            Ok(Some(value)) => values.push((var, value)),
            Ok(None) => {}
            Err(f) => p.push(f),
        }
    }
    let sex = hub_extension(v, "kon", "Encounter")
        .map_err(|f| p.push(f))
        .ok()
        .flatten();
    let kommun = hub_extension(v, "kommun", "Encounter")
        .map_err(|f| p.push(f))
        .ok()
        .flatten();
    let (diagnoses, diagnosis_problems) = match array(v, "diagnosis", "Encounter") {
        Ok(list) => diagnoses(list),
        Err(f) => {
            p.push(f);
            (Vec::new(), Vec::new())
        }
    };
    match (id, patient) {
        (Some(id), Some(patient)) if p.is_empty() => Ok(EncounterFacts {
            id: id.to_owned(),
            patient: patient.to_owned(),
            values,
            sex,
            kommun,
            diagnoses,
            diagnosis_problems,
        }),
        _ => Err(p),
    }
}

/// `Encounter.class` (and the hub extension `vardform`, which must agree with it) → vardform.
fn vardform(v: &Value) -> Result<&'static str, Finding> {
    let class = v
        .get("class")
        .ok_or_else(|| Finding::missing("Encounter.class"))?;
    let code = code_in(class, "Encounter.class", "v3-ActCode", |s| {
        s == systems::ACT_CODE
    })?;
    let from_class = match code {
        "IMP" | "ACUTE" | "NONAC" => "SV",
        "AMB" | "EMER" | "VR" | "HH" => "OV",
        other => return Err(unknown_code("Encounter.class", other)),
    };
    match hub_extension(v, "vardform", "Encounter")?.as_deref() {
        None => Ok(from_class),
        Some("SV") if from_class == "SV" => Ok("SV"),
        Some("OV") if from_class == "OV" => Ok("OV"),
        Some("PV") if from_class == "OV" => Ok("PV"),
        Some(other) => Err(Finding::error(
            finding::VALUE,
            "Encounter.extension(vardform)",
            format!("vårdformen {other} stämmer inte med Encounter.class {code}"),
            format!("form of care {other} does not agree with Encounter.class {code}"),
        )),
    }
}

/// The ranked diagnoses; an entry without a usable reference or rank is a finding of its own.
fn diagnoses(list: &[Value]) -> (Vec<(String, u32)>, Vec<Finding>) {
    let mut out = Vec::new();
    let mut problems = Vec::new();
    for d in list {
        let Some(cond) = d.get("condition") else {
            problems.push(Finding::missing("Encounter.diagnosis.condition"));
            continue;
        };
        let id = match reference_id(cond, "Condition", "Encounter.diagnosis.condition") {
            Ok(id) => id,
            Err(f) => {
                problems.push(f);
                continue;
            }
        };
        match d.get("rank").and_then(Value::as_u64) {
            Some(rank) if (1..=u64::from(u32::MAX)).contains(&rank) => {
                out.push((id.to_owned(), rank as u32));
            }
            _ => problems.push(Finding::error(
                finding::VALUE,
                "Encounter.diagnosis.rank",
                "rangordning (positivt heltal) saknas: huvud- eller bidiagnos gissas inte",
                "rank (a positive integer) missing: main or secondary diagnosis is not guessed",
            )),
        }
    }
    (out, problems)
}

/// The value of a Reference's (or Location reference's) logical identifier in `accepted` systems.
fn identifier_in<'a>(r: &'a Value, path: &str, accepted: &[&str]) -> Result<&'a str, Finding> {
    let Some(ident) = r.get("identifier") else {
        return Err(Finding::error(
            finding::VALUE,
            format!("{path}.identifier"),
            format!(
                "identifierare saknas; hubben läser inte refererade resurser, ange identifier med system {}",
                accepted[0]
            ),
            format!(
                "identifier missing; the hub does not read referenced resources, give identifier with system {}",
                accepted[0]
            ),
        ));
    };
    let system = opt_str(ident, "system", path)?.unwrap_or("(utan system / without system)");
    if accepted.contains(&system) {
        return req_str(ident, "value", &format!("{path}.identifier"));
    }
    Err(Finding::error(
        finding::IDENTIFIER_SYSTEM,
        format!("{path}.identifier.system"),
        format!(
            "främmande identifierarsystem {system}; hubben tar emot {}",
            accepted.join(", ")
        ),
        format!(
            "foreign identifier system {system}; the hub takes {}",
            accepted.join(", ")
        ),
    ))
}

/// A `dateTime` element as Swedish local time.
pub(crate) fn date_time(v: &Value, key: &str, path: &str) -> Result<Option<String>, Finding> {
    let Some(s) = opt_str(v, key, path)? else {
        return Ok(None);
    };
    to_swedish_local(s).map(Some).map_err(|e| {
        let (sv, en) = match e {
            TimeProblem::Partial => (
                "bara år eller år och månad: en tidpunkt behövs",
                "year or year and month only: a point in time is needed",
            ),
            TimeProblem::Malformed => ("inte en FHIR dateTime", "not a FHIR dateTime"),
        };
        Finding::error(finding::VALUE, format!("{path}.{key}"), sv, en)
    })
}

fn unknown_code(path: &str, code: &str) -> Finding {
    Finding::error(
        finding::VALUE,
        path,
        format!(
            "koden {code} har ingen motsvarighet i samlingen (se docs/fhir-mapping.md); den gissas inte"
        ),
        format!(
            "code {code} has no counterpart in the collection (see docs/fhir-mapping.md); it is not guessed"
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn base() -> Value {
        json!({
            "resourceType": "Encounter", "id": "k1", "status": "finished",
            "class": {"system": systems::ACT_CODE, "code": "IMP"},
            "subject": {"reference": "https://fhir.example.se/r4/Patient/p1/_history/3"},
        })
    }

    fn value(e: &EncounterFacts, var: &str) -> Option<String> {
        e.values
            .iter()
            .find(|(k, _)| *k == var)
            .map(|(_, v)| v.clone())
    }

    #[test]
    fn class_priority_and_disposition_map_as_documented() {
        let mut v = base();
        v["priority"] = json!({"coding": [{"system": systems::ACT_PRIORITY, "code": "EM"}]});
        v["hospitalization"] = json!({"dischargeDisposition": {"coding": [
            {"system": systems::DISCHARGE_DISPOSITION, "code": "exp"}]}});
        let e = map_encounter(&v).unwrap();
        assert_eq!(e.patient, "p1", "absolute URL with history");
        assert_eq!(value(&e, "vardform").as_deref(), Some("SV"));
        assert_eq!(value(&e, "planerad").as_deref(), Some("N"));
        assert_eq!(value(&e, "utskrivningssatt").as_deref(), Some("4"));
        v["class"]["code"] = json!("AMB");
        v["extension"] = json!([{"url": systems::extension("vardform"), "valueCode": "PV"}]);
        assert_eq!(
            value(&map_encounter(&v).unwrap(), "vardform").as_deref(),
            Some("PV")
        );
    }

    #[test]
    fn contradictions_and_unknown_codes_are_findings_not_guesses() {
        let mut v = base();
        v["extension"] = json!([{"url": systems::extension("vardform"), "valueCode": "PV"}]);
        let f = map_encounter(&v).unwrap_err();
        assert_eq!(f[0].field, "Encounter.extension(vardform)");
        let mut v = base();
        v["class"]["code"] = json!("SS");
        v["hospitalization"] = json!({"dischargeDisposition": {"coding": [
            {"system": systems::DISCHARGE_DISPOSITION, "code": "hosp"}]}});
        v["status"] = json!("in-progress");
        let rules: Vec<String> = map_encounter(&v)
            .unwrap_err()
            .iter()
            .map(|f| f.field.clone())
            .collect();
        assert_eq!(
            rules,
            [
                "Encounter.status",
                "Encounter.class",
                "Encounter.hospitalization.dischargeDisposition"
            ]
        );
        let mut v = base();
        v["class"] = json!({"system": "http://snomed.info/sct", "code": "32485007"});
        let f = map_encounter(&v).unwrap_err();
        assert_eq!(f[0].rule, finding::CODE_SYSTEM);
        assert!(f[0].en.contains("http://snomed.info/sct"), "{f:?}");
    }

    #[test]
    fn a_diagnosis_without_rank_is_dropped_with_a_finding() {
        let mut v = base();
        v["diagnosis"] = json!([
            {"condition": {"reference": "Condition/c1"}, "rank": 1},
            {"condition": {"reference": "Condition/c2"}},
            {"condition": {"reference": "Observation/o1"}, "rank": 2},
        ]);
        let e = map_encounter(&v).unwrap();
        assert_eq!(e.diagnoses, [("c1".to_owned(), 1)]);
        assert_eq!(e.diagnosis_problems.len(), 2);
    }
}
