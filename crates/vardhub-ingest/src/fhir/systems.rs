//! Every identifier system, code system and extension URL the FHIR reader accepts, in one place
//! (docs/fhir-mapping.md lists the same). A system not listed here is reported, never guessed.

use vardhub_domain::IdKind;

/// HL7 Sweden's personnummer identifier system (basprofiler-r4, `$personnummer`).
pub const PERSONNUMMER: &str = "http://electronichealth.se/identifier/personnummer";
/// HL7 Sweden's samordningsnummer identifier system (basprofiler-r4, `$samordningsnummer`).
pub const SAMORDNINGSNUMMER: &str = "http://electronichealth.se/identifier/samordningsnummer";
/// The personnummer OID (RIV-TA `PersonIdType`) written as a URN.
pub const PERSONNUMMER_OID: &str = "urn:oid:1.2.752.129.2.1.3.1";
/// The samordningsnummer OID (RIV-TA `PersonIdType`) written as a URN.
pub const SAMORDNINGSNUMMER_OID: &str = "urn:oid:1.2.752.129.2.1.3.3";

/// ICD-10-SE as Swedish FHIR implementations name it.
pub const ICD10SE: &str = "http://hl7.org/fhir/sid/icd-10-se";
/// ICD-10-SE's OID (Socialstyrelsen) written as a URN.
pub const ICD10SE_OID: &str = "urn:oid:1.2.752.116.1.1.1.1.3";
/// KVÅ (Klassifikation av vårdåtgärder): Socialstyrelsen's OID written as a URN (HL7 has no
/// registered URI for KVÅ).
pub const KVA_OID: &str = "urn:oid:1.2.752.116.1.3.2.1.4";

/// HL7 v3 ActCode: `Encounter.class`.
pub const ACT_CODE: &str = "http://terminology.hl7.org/CodeSystem/v3-ActCode";
/// HL7 v3 ActPriority: `Encounter.priority`.
pub const ACT_PRIORITY: &str = "http://terminology.hl7.org/CodeSystem/v3-ActPriority";
/// FHIR discharge disposition: `Encounter.hospitalization.dischargeDisposition`.
pub const DISCHARGE_DISPOSITION: &str =
    "http://terminology.hl7.org/CodeSystem/discharge-disposition";
/// HSA-id (Inera) identifier system, accepted for the care unit.
pub const HSA_ID: &str = "urn:oid:1.2.752.29.4.19";

/// The hub's own base URL for what FHIR has no standard element for.
pub const HUB: &str = "https://vardhub.se/fhir";
/// Hospital code (Socialstyrelsen's sjukhuskod) identifier system: `Encounter.serviceProvider`.
pub const SJUKHUS: &str = "https://vardhub.se/fhir/sid/sjukhus";
/// Care unit identifier system: `Encounter.location.location`.
pub const ENHET: &str = "https://vardhub.se/fhir/sid/enhet";
/// MVO code system (Socialstyrelsen's medicinskt verksamhetsområde): `Encounter.serviceType`.
pub const MVO: &str = "https://vardhub.se/fhir/CodeSystem/mvo";

/// The extension URL for one of the hub's own values (`vardform`, `besokstyp`, …).
pub fn extension(name: &str) -> String {
    format!("{HUB}/StructureDefinition/{name}")
}

/// The hub extensions the reader knows: name, FHIR value type, where it may stand.
pub const EXTENSIONS: [(&str, &str, &str); 10] = [
    ("vardform", "valueCode", "Encounter"),
    ("besokstyp", "valueCode", "Encounter"),
    ("yrkeskategori", "valueCode", "Encounter"),
    ("drg", "valueCode", "Encounter"),
    ("drg-vikt", "valueDecimal", "Encounter"),
    ("kpp-kostnad", "valueDecimal", "Encounter"),
    ("utskrivningsklar-dagar", "valueInteger", "Encounter"),
    ("kommun", "valueCode", "Encounter, Patient.address"),
    ("kon", "valueCode", "Encounter"),
    ("ordning", "valuePositiveInt", "Procedure"),
];

/// The kind of identity number an identifier system stands for; `None`: not accepted.
pub fn identity_kind(system: &str) -> Option<IdKind> {
    match system {
        PERSONNUMMER | PERSONNUMMER_OID => Some(IdKind::Personnummer),
        SAMORDNINGSNUMMER | SAMORDNINGSNUMMER_OID => Some(IdKind::Samordningsnummer),
        _ => None,
    }
}

/// Is this an accepted ICD-10-SE system?
pub fn is_icd10se(system: &str) -> bool {
    matches!(system, ICD10SE | ICD10SE_OID)
}

/// Is this an accepted KVÅ system?
pub fn is_kva(system: &str) -> bool {
    system == KVA_OID
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_listed_systems_are_accepted() {
        assert_eq!(identity_kind(PERSONNUMMER), Some(IdKind::Personnummer));
        assert_eq!(
            identity_kind(SAMORDNINGSNUMMER_OID),
            Some(IdKind::Samordningsnummer)
        );
        assert_eq!(identity_kind("http://hl7.org/fhir/sid/us-ssn"), None);
        assert!(is_icd10se(ICD10SE) && !is_icd10se("http://hl7.org/fhir/sid/icd-10"));
        assert!(is_kva(KVA_OID) && !is_kva("http://snomed.info/sct"));
        assert_eq!(
            extension("vardform"),
            "https://vardhub.se/fhir/StructureDefinition/vardform"
        );
    }
}
