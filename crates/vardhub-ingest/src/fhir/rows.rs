//! The passes that make rows of whole care contacts: Encounter (joined with its Patient and main
//! diagnosis) → `kontakter`, Procedure → `atgarder`.

use super::clinical::map_procedure;
use super::encounter::{EncounterFacts, map_encounter};
use super::finding::{self, Finding};
use super::resource::{PatientFacts, ResourceType};
use super::sink::Sink;
use super::stage::{Index, MAX_INDEXED, Reader, hash, id_of, push};
use crate::report::IssueSink;
use std::io;
use vardhub_domain::ManifestFile;

/// Pass 4: Encounters → `kontakter` rows.
pub(crate) fn encounters(
    r: &Reader<'_>,
    mf: &ManifestFile,
    index: &Index,
    sink: &mut Option<Sink<'_>>,
    issues: &mut IssueSink,
) -> io::Result<bool> {
    r.read(
        mf,
        ResourceType::Encounter,
        false,
        issues,
        |line, parsed, issues| {
            let file = mf.path.as_str();
            let mut id_only = Vec::new();
            let refused = match parsed {
                Err(f) => vec![f],
                Ok(v) => {
                    if let Some(id) = id_of(&v) {
                        id_only.push(("kontakt_id", id.to_owned()));
                    }
                    match map_encounter(&v) {
                        Err(fs) => fs,
                        Ok(e) => match contact(&e, index) {
                            Err(f) => vec![f],
                            Ok(values) => {
                                for f in &e.diagnosis_problems {
                                    push(issues, file, line, f);
                                }
                                for f in missing_secondary(&e, index) {
                                    push(issues, file, line, &f);
                                }
                                if let Some(s) = sink {
                                    s.row(line, &values, issues)?;
                                }
                                return Ok(());
                            }
                        },
                    }
                }
            };
            for f in &refused {
                push(issues, file, line, f);
            }
            if let Some(s) = sink {
                s.refused(&id_only);
            }
            Ok(())
        },
    )
}

/// The contact's values: the Encounter's own, its Patient's, its main diagnosis.
fn contact(e: &EncounterFacts, index: &Index) -> Result<Vec<(&'static str, String)>, Finding> {
    let patient: &PatientFacts = match index.patients.get(&hash(&e.patient)) {
        Some(Ok(p)) => p,
        Some(Err(line)) => {
            return Err(Finding::error(
                finding::REFERENCE,
                "Encounter.subject",
                format!("patienten underkändes (Patient-filen, rad {line}); kontakten läses inte"),
                format!(
                    "the patient was refused (the Patient file, line {line}); the contact is not read"
                ),
            ));
        }
        None => {
            return Err(Finding::error(
                finding::REFERENCE,
                "Encounter.subject",
                format!("Patient/{} finns inte i leveransens Patient-fil", e.patient),
                format!(
                    "Patient/{} is not in the delivery's Patient file",
                    e.patient
                ),
            ));
        }
    };
    let mains: Vec<&str> = e
        .diagnoses
        .iter()
        .filter(|(_, rank)| *rank == 1)
        .map(|(c, _)| c.as_str())
        .collect();
    let hdia = match mains.as_slice() {
        [] => String::new(),
        [cond] => match index.mains.get(&hash(&e.id)) {
            Some(Ok(code)) => code.clone(),
            Some(Err((line, why))) => {
                return Err(Finding::error(
                    why.rule,
                    "Encounter.diagnosis(rank 1)",
                    format!(
                        "huvuddiagnosen (Condition/{cond}, Condition-filen rad {line}) kan inte läsas: {}",
                        why.sv
                    ),
                    format!(
                        "the main diagnosis (Condition/{cond}, the Condition file line {line}) cannot be read: {}",
                        why.en
                    ),
                ));
            }
            None => {
                return Err(Finding::error(
                    finding::REFERENCE,
                    "Encounter.diagnosis(rank 1)",
                    format!(
                        "huvuddiagnosen Condition/{cond} finns inte i leveransens Condition-fil"
                    ),
                    format!(
                        "the main diagnosis Condition/{cond} is not in the delivery's Condition file"
                    ),
                ));
            }
        },
        _ => {
            return Err(Finding::error(
                finding::VALUE,
                "Encounter.diagnosis.rank",
                "flera diagnoser har rang 1; huvuddiagnosen gissas inte",
                "several diagnoses have rank 1; the main diagnosis is not guessed",
            ));
        }
    };
    let (raw, kind) = patient.identity();
    let mut values = e.values.clone();
    values.extend([
        ("kontakt_id", e.id.clone()),
        ("patient_id", raw.to_owned()),
        ("patient_id_typ", kind.code().to_owned()),
        ("hdia", hdia),
    ]);
    if let Some(sex) = e.sex.clone().or(patient.sex.map(str::to_owned)) {
        values.push(("kon", sex));
    }
    if let Some(k) = e.kommun.clone().or(patient.kommun.clone()) {
        values.push(("hemkommun", k));
    }
    Ok(values)
}

/// A secondary diagnosis whose Condition is not in the delivery: an error (the contact is kept,
/// the diagnosis is missing).
fn missing_secondary(e: &EncounterFacts, index: &Index) -> Vec<Finding> {
    e.diagnoses
        .iter()
        .filter(|(c, rank)| *rank > 1 && !index.conditions.contains(&hash(c)))
        .map(|(c, _)| {
            Finding::error(
                finding::REFERENCE,
                "Encounter.diagnosis.condition",
                format!("bidiagnosen Condition/{c} finns inte i leveransens Condition-fil; den saknas i leveransen"),
                format!("the secondary diagnosis Condition/{c} is not in the delivery's Condition file; it is missing from the delivery"),
            )
        })
        .collect()
}

/// Pass 5: Procedures → `atgarder` rows.
pub(crate) fn procedures(
    r: &Reader<'_>,
    mf: &ManifestFile,
    index: &mut Index,
    sink: &mut Option<Sink<'_>>,
    issues: &mut IssueSink,
) -> io::Result<bool> {
    r.read(
        mf,
        ResourceType::Procedure,
        true,
        issues,
        |line, parsed, issues| {
            let file = mf.path.as_str();
            let p = match parsed.map_err(|f| vec![f]).and_then(|v| map_procedure(&v)) {
                Ok(p) => p,
                Err(fs) => {
                    for f in &fs {
                        push(issues, file, line, f);
                    }
                    if let Some(s) = sink {
                        s.refused(&[]);
                    }
                    return Ok(());
                }
            };
            let ordning = match p.ordning {
                Some(o) => o,
                None => {
                    let key = hash(&p.encounter);
                    if index.procedures.len() >= MAX_INDEXED && !index.procedures.contains_key(&key)
                    {
                        String::new() // the index is full; the fatal finding follows the pass
                    } else {
                        let n = index.procedures.entry(key).or_default();
                        *n += 1;
                        n.to_string()
                    }
                }
            };
            let values = [
                ("kontakt_id", p.encounter),
                ("ordning", ordning),
                ("kod", p.code),
                ("datumtid", p.performed.unwrap_or_default()),
            ];
            if let Some(s) = sink {
                s.row(line, &values, issues)?;
            }
            Ok(())
        },
    )
}
