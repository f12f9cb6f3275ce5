//! A FHIR delivery into the staging folder, in passes over its NDJSON files so that memory holds
//! only small indices (hashed ids, each bounded by [`MAX_INDEXED`]):
//!
//! 1. `Patient`: id → identity, sex, residence (or: refused at line N);
//! 2. `Encounter`, first pass: Condition id → (Encounter, rank) from `Encounter.diagnosis`;
//! 3. `Condition`: rank 1 → the Encounter's main diagnosis; rank n ≥ 2 → a `diagnoser` row
//!    (`ordning` n − 1);
//! 4. `Encounter`, second pass: a `kontakter` row with the Patient and the main diagnosis;
//! 5. `Procedure`: an `atgarder` row;
//! 6. `Observation`: counted, one informational finding.
//!
//! Every row goes through the shared [`crate::table::TableValidator`] via [`Sink`].

use super::clinical::map_condition;
use super::encounter::map_encounter;
use super::finding::{self, Finding};
use super::resource::{PatientFacts, ResourceType, map_patient, parse_line};
use super::sink::Sink;
use crate::dedup::key_hash;
use crate::report::{Issue, IssueSink, Severity};
use crate::source::{DeliverySource, Progress};
use serde_json::Value;
use std::collections::{HashMap, HashSet};
use std::io::{self, BufReader};
use vardhub_domain::ManifestFile;

/// At most this many entries in each of the reader's indices (patients, ranked conditions, main
/// diagnoses, …); a delivery with more is refused as a whole (fatal `fhir_too_large`).
pub const MAX_INDEXED: usize = 4_000_000;

pub(super) fn hash(id: &str) -> u128 {
    key_hash([id.as_bytes()])
}

/// What the passes learn about the delivery.
#[derive(Default)]
pub(crate) struct Index {
    /// Patient id → facts, or the line where it was refused.
    pub(super) patients: HashMap<u128, Result<PatientFacts, u64>>,
    /// Condition id → (Encounter id, rank).
    pub(super) ranks: HashMap<u128, (String, u32)>,
    /// Conditions listed by more than one Encounter.
    pub(super) conflicts: HashSet<u128>,
    /// Conditions present in Condition.ndjson.
    pub(super) conditions: HashSet<u128>,
    /// Encounter id → main diagnosis code, or (Condition line, why not).
    pub(super) mains: HashMap<u128, Result<String, (u64, Finding)>>,
    /// Encounter id → procedures counted (for `ordning` without the extension).
    pub(super) procedures: HashMap<u128, u32>,
}

impl Index {
    fn full(&self) -> bool {
        [
            self.patients.len(),
            self.ranks.len(),
            self.conditions.len(),
            self.mains.len(),
            self.procedures.len(),
        ]
        .iter()
        .any(|n| *n >= MAX_INDEXED)
    }
}

/// Reads one NDJSON file line by line; checks its checksum and row count the first time.
pub(crate) struct Reader<'s> {
    pub source: &'s DeliverySource,
    pub progress: &'s dyn Progress,
}

impl Reader<'_> {
    /// Call `f` with (line, parsed resource or finding) for each line of `mf`. `false` when the
    /// file could not be read (a fatal issue says why).
    pub fn read(
        &self,
        mf: &ManifestFile,
        rtype: ResourceType,
        check_claims: bool,
        issues: &mut IssueSink,
        mut f: impl FnMut(u64, Result<Value, Finding>, &mut IssueSink) -> io::Result<()>,
    ) -> io::Result<bool> {
        let bound = crate::bounds::csv_file_bound(mf.rows);
        let read = self.source.with_file(&mf.path, bound, self.progress, |r| {
            let rows = super::ndjson::for_each_line(
                BufReader::with_capacity(1 << 16, &mut *r),
                |line, rec| {
                    let parsed = match rec {
                        Ok(bytes) => parse_line(rtype, bytes),
                        Err(()) => Err(too_long()),
                    };
                    f(line, parsed, issues)
                },
            )?;
            let (sha, _) = r.finish()?;
            Ok((rows, sha))
        });
        match read {
            Ok((rows, sha)) => {
                if check_claims {
                    crate::ingest::check_file_claims(mf, &sha, rows, issues);
                }
                Ok(true)
            }
            Err(e) => crate::csv_stage::file_error(e, mf, issues).map(|()| false),
        }
    }
}

fn too_long() -> Finding {
    Finding::error(
        "record_too_long",
        "",
        format!(
            "raden är längre än {} byte och läses inte (en resurs per rad)",
            crate::bounds::MAX_RECORD_BYTES
        ),
        format!(
            "the line is longer than {} bytes and is not read (one resource per line)",
            crate::bounds::MAX_RECORD_BYTES
        ),
    )
}

pub(super) fn push(issues: &mut IssueSink, file: &str, line: u64, f: &Finding) {
    issues.push(f.issue(file, line));
}

pub(super) fn id_of(v: &Value) -> Option<&str> {
    v.get("id").and_then(Value::as_str)
}

/// Pass 1: Patients.
pub(crate) fn patients(
    r: &Reader<'_>,
    mf: &ManifestFile,
    index: &mut Index,
    issues: &mut IssueSink,
) -> io::Result<bool> {
    r.read(
        mf,
        ResourceType::Patient,
        true,
        issues,
        |line, parsed, issues| {
            let v = match parsed {
                Ok(v) => v,
                Err(f) => {
                    push(issues, &mf.path, line, &f);
                    return Ok(());
                }
            };
            let key = id_of(&v).map(hash);
            let entry = match map_patient(&v) {
                Ok(p) => Ok(p),
                Err(findings) => {
                    for f in &findings {
                        push(issues, &mf.path, line, f);
                    }
                    Err(line)
                }
            };
            if let Some(key) = key {
                if index.patients.contains_key(&key) {
                    push(issues, &mf.path, line, &repeated("Patient"));
                } else if index.patients.len() < MAX_INDEXED {
                    index.patients.insert(key, entry);
                }
            }
            Ok(())
        },
    )
}

fn repeated(rtype: &str) -> Finding {
    Finding::error(
        finding::VALUE,
        format!("{rtype}.id"),
        format!("{rtype}-id:t förekommer redan tidigare i filen; bara den första läses"),
        format!("the {rtype} id occurs earlier in the file; only the first is read"),
    )
}

/// Pass 2: which Encounter ranks which Condition.
pub(crate) fn ranks(
    r: &Reader<'_>,
    mf: &ManifestFile,
    index: &mut Index,
    issues: &mut IssueSink,
) -> io::Result<bool> {
    r.read(mf, ResourceType::Encounter, true, issues, |_, parsed, _| {
        let Ok(e) = parsed
            .map_err(|_| ())
            .and_then(|v| map_encounter(&v).map_err(|_| ()))
        else {
            return Ok(()); // reported in the second pass
        };
        for (cond, rank) in e.diagnoses {
            let key = hash(&cond);
            match index.ranks.get(&key) {
                Some((enc, _)) if *enc != e.id => {
                    index.conflicts.insert(key);
                }
                Some(_) => {}
                None if index.ranks.len() < MAX_INDEXED => {
                    index.ranks.insert(key, (e.id.clone(), rank));
                }
                None => {}
            }
        }
        Ok(())
    })
}

/// Pass 3: Conditions → main diagnoses and `diagnoser` rows.
pub(crate) fn conditions(
    r: &Reader<'_>,
    mf: &ManifestFile,
    index: &mut Index,
    sink: &mut Option<Sink<'_>>,
    issues: &mut IssueSink,
) -> io::Result<bool> {
    r.read(mf, ResourceType::Condition, true, issues, |line, parsed, issues| {
        let file = mf.path.as_str();
        let refuse = |issues: &mut IssueSink, sink: &mut Option<Sink<'_>>, fs: &[Finding]| {
            for f in fs {
                push(issues, file, line, f);
            }
            if let Some(s) = sink {
                s.refused(&[]);
            }
        };
        let v = match parsed {
            Ok(v) => v,
            Err(f) => {
                refuse(issues, sink, &[f]);
                return Ok(());
            }
        };
        let c = match map_condition(&v) {
            Ok(c) => c,
            Err(fs) => {
                // A ranked main diagnosis that cannot be read makes its Encounter's row fail.
                // (It counts as a row of `kontakter`, not of `diagnoser`.)
                if let Some((enc, 1)) = id_of(&v).and_then(|id| index.ranks.get(&hash(id))) {
                    let why = fs.first().cloned().unwrap_or_else(|| Finding::missing("Condition"));
                    index.mains.insert(hash(enc), Err((line, why)));
                    for f in &fs {
                        push(issues, file, line, f);
                    }
                } else {
                    refuse(issues, sink, &fs);
                }
                return Ok(());
            }
        };
        let key = hash(&c.id);
        if index.conditions.len() >= MAX_INDEXED {
            return Ok(()); // the index is full: the delivery is refused after this pass
        }
        if !index.conditions.insert(key) {
            // A repeated secondary diagnosis is a `diagnoser` row left out, as a duplicate row is
            // in CSV; a repeated main diagnosis belongs to a contact (reported in `kontakter`).
            match index.ranks.get(&key) {
                Some((_, rank)) if *rank > 1 => refuse(issues, sink, &[repeated("Condition")]),
                _ => push(issues, file, line, &repeated("Condition")),
            }
            return Ok(());
        }
        let Some((enc, rank)) = index.ranks.get(&key).cloned() else {
            push(issues, file, line, &unranked());
            return Ok(());
        };
        let problem = if index.conflicts.contains(&key) {
            Some(Finding::error(
                finding::REFERENCE,
                "Condition.id",
                "diagnosen listas av flera Encounter; den knyts inte till någon",
                "the diagnosis is listed by several Encounters; it is linked to none",
            ))
        } else if c.encounter.as_ref().is_some_and(|e| *e != enc) {
            Some(Finding::error(
                finding::REFERENCE,
                "Condition.encounter",
                "Condition.encounter pekar på en annan Encounter än den som listar diagnosen",
                "Condition.encounter points at another Encounter than the one listing the diagnosis",
            ))
        } else {
            c.code.as_ref().err().cloned()
        };
        if rank == 1 {
            let main = match &problem {
                Some(f) => {
                    push(issues, file, line, f);
                    Err((line, f.clone()))
                }
                None => c.code.clone().map_err(|f| (line, f)),
            };
            index.mains.insert(hash(&enc), main);
            return Ok(());
        }
        let values = [
            ("kontakt_id", enc),
            ("ordning", (rank - 1).to_string()),
            ("kod", c.code.clone().unwrap_or_default()),
        ];
        match (problem, sink.as_mut()) {
            (Some(f), _) => refuse(issues, sink, &[f]),
            (None, Some(s)) => s.row(line, &values, issues)?,
            (None, None) => {}
        }
        Ok(())
    })
}

fn unranked() -> Finding {
    Finding::error(
        finding::UNRANKED,
        "Condition.id",
        "ingen Encounter listar diagnosen (Encounter.diagnosis); den hör inte till en vårdkontakt och läses inte",
        "no Encounter lists the diagnosis (Encounter.diagnosis); it belongs to no care contact and is not read",
    )
    .warning()
}

/// Pass 6: Observations are recognised and counted; one warning says they are not mapped.
pub(crate) fn observations(
    r: &Reader<'_>,
    mf: &ManifestFile,
    issues: &mut IssueSink,
) -> io::Result<bool> {
    let mut count = 0u64;
    let ok = r.read(
        mf,
        ResourceType::Observation,
        true,
        issues,
        |line, parsed, issues| {
            match parsed {
                Ok(_) => count += 1,
                Err(f) => push(issues, &mf.path, line, &f),
            }
            Ok(())
        },
    )?;
    if count > 0 {
        issues.push(
            Issue::new(
                Severity::Warning,
                finding::NOT_MAPPED,
                format!("{count} Observation-resurser läses inte: samlingen vardkontakter har ingen variabel för dem"),
                format!("{count} Observation resources are not read: the vardkontakter collection has no variable for them"),
            )
            .in_file(&mf.path)
            .field("Observation"),
        );
    }
    Ok(ok)
}

/// The fatal finding when an index is full.
pub(crate) fn check_size(index: &Index, file: &str, issues: &mut IssueSink) -> bool {
    if !index.full() {
        return true;
    }
    issues.push(
        Issue::new(
            Severity::Fatal,
            finding::TOO_LARGE,
            format!("leveransen har fler än {MAX_INDEXED} resurser av ett slag; dela upp den (t.ex. per vecka) eller leverera CSV"),
            format!("the delivery has more than {MAX_INDEXED} resources of one kind; split it (e.g. by week) or deliver CSV"),
        )
        .in_file(file),
    );
    false
}
