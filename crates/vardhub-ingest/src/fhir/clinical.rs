//! Condition (→ the main diagnosis `hdia` or a `diagnoser` row, by its rank in the Encounter) and
//! Procedure (→ an `atgarder` row). Codes only from ICD-10-SE and KVÅ: a SNOMED-only or
//! WHO-ICD-10 code is reported, never translated.

use super::encounter::date_time;
use super::finding::Finding;
use super::json::{code_in, hub_extension, reference_id, resource_id};
use super::systems;
use serde_json::Value;

/// What a Condition says.
#[derive(Debug, Clone)]
pub struct ConditionFacts {
    /// `Condition.id`.
    pub id: String,
    /// The Encounter `Condition.encounter` references, if any.
    pub encounter: Option<String>,
    /// The ICD-10-SE code, or why there is none (reported only if an Encounter ranks it).
    pub code: Result<String, Finding>,
}

/// Map a Condition.
pub fn map_condition(v: &Value) -> Result<ConditionFacts, Vec<Finding>> {
    let mut p = Vec::new();
    let id = resource_id(v, "Condition").map_err(|f| p.push(f)).ok();
    let encounter = match v.get("encounter") {
        Some(e) => reference_id(e, "Encounter", "Condition.encounter")
            .map_err(|f| p.push(f))
            .ok()
            .map(str::to_owned),
        None => None,
    };
    let code = match v.get("code") {
        Some(c) => {
            code_in(c, "Condition.code", "ICD-10-SE", systems::is_icd10se).map(str::to_owned)
        }
        None => Err(Finding::missing("Condition.code")),
    };
    match id {
        Some(id) if p.is_empty() => Ok(ConditionFacts {
            id: id.to_owned(),
            encounter,
            code,
        }),
        _ => Err(p),
    }
}

/// What a Procedure says, as the CSV path's text values.
#[derive(Debug, Clone)]
pub struct ProcedureFacts {
    /// The Encounter `Procedure.encounter` references (→ `kontakt_id`).
    pub encounter: String,
    /// The hub extension `ordning`, if given.
    pub ordning: Option<String>,
    /// The KVÅ code.
    pub code: String,
    /// `Procedure.performedDateTime` or `performedPeriod.start`, Swedish time.
    pub performed: Option<String>,
}

/// Map a Procedure.
pub fn map_procedure(v: &Value) -> Result<ProcedureFacts, Vec<Finding>> {
    let mut p = Vec::new();
    if let Err(f) = resource_id(v, "Procedure") {
        p.push(f);
    }
    let encounter = match v.get("encounter") {
        Some(e) => reference_id(e, "Encounter", "Procedure.encounter")
            .map_err(|f| p.push(f))
            .ok(),
        None => {
            p.push(Finding::missing("Procedure.encounter"));
            None
        }
    };
    let code = match v.get("code") {
        Some(c) => code_in(c, "Procedure.code", "KVÅ", systems::is_kva)
            .map_err(|f| p.push(f))
            .ok(),
        None => {
            p.push(Finding::missing("Procedure.code"));
            None
        }
    };
    let performed = match v.get("performedPeriod") {
        Some(period) => date_time(period, "start", "Procedure.performedPeriod"),
        None => date_time(v, "performedDateTime", "Procedure"),
    }
    .map_err(|f| p.push(f))
    .ok()
    .flatten();
    let ordning = hub_extension(v, "ordning", "Procedure")
        .map_err(|f| p.push(f))
        .ok()
        .flatten();
    match (encounter, code) {
        (Some(encounter), Some(code)) if p.is_empty() => Ok(ProcedureFacts {
            encounter: encounter.to_owned(),
            ordning,
            code: code.to_owned(),
            performed,
        }),
        _ => Err(p),
    }
}
