//! A FHIR file with foreign identifiers, SNOMED-only and WHO-ICD-10 codes, unresolved
//! references, a wrong resource type, malformed JSON and an oversize line: a report that names
//! each (file, line, FHIR element, rule), nothing guessed, nothing published, no identity number
//! anywhere in it.

use super::fhir_delivery;
use crate::delivery::test_numbers;
use crate::env;
use serde_json::json;
use vardhub_ingest::Severity;
use vardhub_store::DeliveryStatus;

const SNOMED: &str = "http://snomed.info/sct";
const PNR: &str = "http://electronichealth.se/identifier/personnummer";
const SAMORDNING: &str = "http://electronichealth.se/identifier/samordningsnummer";
const ICD10SE: &str = "http://hl7.org/fhir/sid/icd-10-se";

fn patient(id: &str, system: &str, value: &str) -> String {
    json!({"resourceType": "Patient", "id": id, "gender": "female",
           "identifier": [{"system": system, "value": value}]})
    .to_string()
}

fn encounter(id: &str, patient: &str, main: Option<&str>) -> String {
    let mut e = json!({
        "resourceType": "Encounter", "id": id, "status": "finished",
        "class": {"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "AMB"},
        "priority": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v3-ActPriority", "code": "EL"}]},
        "subject": {"reference": format!("Patient/{patient}")},
        "serviceProvider": {"identifier": {"system": "https://vardhub.se/fhir/sid/sjukhus", "value": "11001"}},
        "serviceType": {"coding": [{"system": "https://vardhub.se/fhir/CodeSystem/mvo", "code": "101"}]},
        "period": {"start": "2024-03-05T09:00:00+01:00", "end": "2024-03-05T09:30:00+01:00"},
        "extension": [{"url": "https://vardhub.se/fhir/StructureDefinition/besokstyp", "valueCode": "1"}],
    });
    if let Some(c) = main {
        e["diagnosis"] = json!([{"condition": {"reference": format!("Condition/{c}")}, "rank": 1}]);
    }
    e.to_string()
}

fn condition(id: &str, encounter: &str, codings: serde_json::Value) -> String {
    json!({"resourceType": "Condition", "id": id, "code": {"coding": codings},
           "encounter": {"reference": format!("Encounter/{encounter}")}})
    .to_string()
}

#[tokio::test(flavor = "multi_thread")]
async fn foreign_identifiers_and_snomed_only_codes_are_reported_not_guessed() {
    let e = env(true).await;
    let numbers = test_numbers();
    let (good, other) = (&numbers[7000], &numbers[7001]);
    let patients = vec![
        patient("p1", PNR, good),
        patient("p2", "https://fhir.nhs.uk/Id/nhs-number", "9434765919"),
        patient("p3", "http://hl7.org/fhir/sid/us-ssn", "123-45-6789"),
        // A personnummer under the samordningsnummer system: the shared validation refuses it.
        patient("p4", SAMORDNING, other),
    ];
    let mut encounters = vec![
        encounter("e1", "p1", Some("c1")),
        encounter("e2", "p2", None),
        encounter("e3", "p1", Some("c3")),
        encounter("e4", "p9", None),
        encounter("e5", "p3", None),
        encounter("e6", "p4", None),
        encounter("e7", "p1", Some("c7")),
        json!({"resourceType": "Observation", "id": "o1", "status": "final"}).to_string(),
        "{\"resourceType\": \"Encounter\", \"id\": ".to_owned(),
    ];
    encounters.push(format!(
        "{{\"resourceType\":\"Encounter\",\"id\":\"big\",\"text\":\"{}\"}}",
        "x".repeat(70 * 1024)
    ));
    let conditions = vec![
        condition("c1", "e1", json!([{"system": SNOMED, "code": "22298006"}])),
        condition(
            "c3",
            "e3",
            json!([{"system": SNOMED, "code": "38341003"}, {"system": ICD10SE, "code": "I10"}]),
        ),
        condition(
            "c7",
            "e7",
            json!([{"system": "http://hl7.org/fhir/sid/icd-10", "code": "I10"}]),
        ),
        condition("c8", "e1", json!([{"system": ICD10SE, "code": "E11.9"}])),
    ];
    let dir = fhir_delivery(
        &e.root.join("fhir"),
        &[
            ("Patient", patients),
            ("Encounter", encounters),
            ("Condition", conditions),
            ("Procedure", vec![]),
            (
                "Observation",
                vec![
                    json!({"resourceType": "Observation", "id": "o1", "status": "final"})
                        .to_string(),
                ],
            ),
        ],
    );
    let report = e.ingest(&dir).await;
    let text = serde_json::to_string(&report).unwrap();
    assert_eq!(report.status, DeliveryStatus::Rejected, "{text}");
    assert!(e.current_ids().await.is_empty(), "nothing is published");
    let find = |rule: &str, file: &str, row: u64| {
        report
            .issues
            .iter()
            .find(|i| i.rule == rule && i.file.as_deref() == Some(file) && i.row == Some(row))
            .unwrap_or_else(|| panic!("no {rule} at {file}:{row} in {text}"))
    };
    for (row, system) in [
        (2, "https://fhir.nhs.uk/Id/nhs-number"),
        (3, "http://hl7.org/fhir/sid/us-ssn"),
    ] {
        let i = find("fhir_identifier_system", "Patient.ndjson", row);
        assert!(
            i.message_en
                .contains(&format!("foreign identifier system {system}")),
            "{i:?}"
        );
        assert_eq!(i.field.as_deref(), Some("Patient.identifier.system"));
    }
    let snomed = find("fhir_code_system", "Condition.ndjson", 1);
    assert!(
        snomed.message_en.contains("no ICD-10-SE coding"),
        "{snomed:?}"
    );
    assert!(snomed.message_en.contains(SNOMED), "{snomed:?}");
    assert_eq!(snomed.field.as_deref(), Some("Condition.code"));
    let who = find("fhir_code_system", "Condition.ndjson", 3);
    assert!(
        who.message_en.contains("http://hl7.org/fhir/sid/icd-10"),
        "{who:?}"
    );
    // The contacts whose main diagnosis or patient is unusable are left out, naming why.
    let e1 = find("fhir_code_system", "Encounter.ndjson", 1);
    assert!(e1.message_en.contains("line 1"), "{e1:?}");
    assert_eq!(
        find("fhir_reference", "Encounter.ndjson", 2)
            .field
            .as_deref(),
        Some("Encounter.subject")
    );
    assert!(
        find("fhir_reference", "Encounter.ndjson", 4)
            .message_en
            .contains("Patient/p9")
    );
    let wrong_kind = find("personal_id", "Encounter.ndjson", 6);
    assert_eq!(
        wrong_kind.value.as_deref().map(|v| v.starts_with("[dolt")),
        Some(true)
    );
    assert_eq!(
        find("fhir_resource_type", "Encounter.ndjson", 8)
            .field
            .as_deref(),
        Some("resourceType")
    );
    find("fhir_json", "Encounter.ndjson", 9);
    find("record_too_long", "Encounter.ndjson", 10);
    // A Condition no Encounter ranks, and Observations: warnings, once per file for Observations.
    assert_eq!(
        find("fhir_condition_unranked", "Condition.ndjson", 4).severity,
        Severity::Warning
    );
    let obs: Vec<_> = report
        .issues
        .iter()
        .filter(|i| i.rule == "fhir_not_mapped")
        .collect();
    assert_eq!(obs.len(), 1, "{obs:?}");
    // e3 maps (ICD-10-SE beside SNOMED): one valid contact.
    let k = report
        .tables
        .iter()
        .find(|t| t.table == "kontakter")
        .unwrap();
    assert_eq!((k.rows_read, k.rows_valid), (10, 1), "{text}");
    for n in [good, other] {
        assert!(
            !text.contains(n.as_str()) && !text.contains(&n[2..]),
            "identity number in the report"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_fhir_manifest_naming_other_files_is_refused_with_the_reason() {
    let e = env(true).await;
    let dir = fhir_delivery(
        &e.root.join("fhir"),
        &[("Encounter", vec![]), ("MedicationRequest", vec![])],
    );
    let report = e.ingest(&dir).await;
    assert_eq!(report.status, DeliveryStatus::Rejected);
    let en: Vec<&str> = report
        .issues
        .iter()
        .map(|i| i.message_en.as_str())
        .collect();
    assert!(
        en.iter()
            .any(|m| m.contains("MedicationRequest is not a resource type the hub reads")),
        "{en:?}"
    );
    assert!(
        en.iter().any(|m| m.contains("the Patient file is missing")),
        "{en:?}"
    );
}
