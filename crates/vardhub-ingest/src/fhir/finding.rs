//! What the FHIR reader says about a resource it cannot map: a rule name, the FHIR element
//! (FHIRPath-like, `Encounter.subject`) and a message in Swedish and English. It becomes an
//! [`Issue`] with the NDJSON file and line when the delivery is read.

use crate::report::{Issue, Severity};

/// Rule: a line is not JSON, or not a JSON object.
pub const JSON: &str = "fhir_json";
/// Rule: the resource is not of the type its file holds.
pub const RESOURCE_TYPE: &str = "fhir_resource_type";
/// Rule: an identifier system the hub does not accept (`foreign identifier system <uri>`).
pub const IDENTIFIER_SYSTEM: &str = "fhir_identifier_system";
/// Rule: a code without a coding in the code system the hub needs (`no ICD-10-SE coding`).
pub const CODE_SYSTEM: &str = "fhir_code_system";
/// Rule: a reference that does not resolve in the delivery.
pub const REFERENCE: &str = "fhir_reference";
/// Rule: an element missing, of the wrong JSON type or with a value the mapping does not know.
pub const VALUE: &str = "fhir_value";
/// Rule (warning): resources the collection has no variable for; once per file.
pub const NOT_MAPPED: &str = "fhir_not_mapped";
/// Rule (warning): a Condition no Encounter lists among its diagnoses.
pub const UNRANKED: &str = "fhir_condition_unranked";
/// Rule (fatal): more resources than the reader's in-memory indices hold.
pub const TOO_LARGE: &str = "fhir_too_large";

/// One problem with one resource.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// Severity (an error leaves the resource's row out).
    pub severity: Severity,
    /// Stable rule name (the constants of this module, or `record_too_long`).
    pub rule: &'static str,
    /// The FHIR element, FHIRPath-like (`Encounter.class`).
    pub field: String,
    /// Explanation in Swedish.
    pub sv: String,
    /// Explanation in English.
    pub en: String,
}

impl Finding {
    /// An error about `field`.
    pub fn error(
        rule: &'static str,
        field: impl Into<String>,
        sv: impl Into<String>,
        en: impl Into<String>,
    ) -> Finding {
        Finding {
            severity: Severity::Error,
            rule,
            field: field.into(),
            sv: sv.into(),
            en: en.into(),
        }
    }

    /// The same finding as a warning.
    pub fn warning(mut self) -> Finding {
        self.severity = Severity::Warning;
        self
    }

    /// A required element is absent.
    pub fn missing(field: &str) -> Finding {
        Finding::error(VALUE, field, "elementet saknas", "the element is missing")
    }

    /// An element that is present but not of the expected JSON type or shape.
    pub fn malformed(field: &str, expected_sv: &str, expected_en: &str) -> Finding {
        Finding::error(
            VALUE,
            field,
            format!("elementet är inte {expected_sv}"),
            format!("the element is not {expected_en}"),
        )
    }

    /// The finding as a report issue at `file`, line `line`.
    pub fn issue(&self, file: &str, line: u64) -> Issue {
        Issue::new(self.severity, self.rule, self.sv.as_str(), self.en.as_str())
            .in_file(file)
            .at_row(line)
            .field(&self.field)
    }
}
