//! A generated CSV delivery of `vardkontakter` written as the equivalent FHIR R4 bulk export:
//! `Patient.ndjson`, `Encounter.ndjson`, `Condition.ndjson`, `Procedure.ndjson` and a manifest of
//! format [`FHIR_MANIFEST_FORMAT`]. Test data for the hub's FHIR reader, written from the
//! mapping in docs/fhir-mapping.md and independent of the reader's code.
//!
//! One Patient per person (identity numbers compared as parsed, so the written forms may differ
//! between contacts); its `gender` and address municipality only where all its contacts agree,
//! otherwise the hub extensions `kon`/`kommun` on each Encounter. The main diagnosis is the
//! Condition of rank 1, secondary diagnosis `ordning` n the Condition of rank n + 1. Times are
//! written with the Swedish offset (+01:00 or +02:00, EU rule); a local time that does not exist
//! (the spring switch's lost hour) cannot be written faithfully and comes back an hour later.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime};
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};
use vardhub_domain::manifest::{FHIR_MANIFEST_FORMAT, MANIFEST_FILE, MANIFEST_FORMAT};
use vardhub_domain::{Encoding, IdKind, Manifest, ManifestFile, PatientId, Period, RegionCode};

const PERSONNUMMER: &str = "http://electronichealth.se/identifier/personnummer";
const SAMORDNINGSNUMMER: &str = "http://electronichealth.se/identifier/samordningsnummer";
/// Region Stockholm's reservnummer OID (RIV-TA): the hub does not accept it, and says so.
const RESERVNUMMER_SLL: &str = "urn:oid:1.2.752.97.3.1.3";
const ICD10SE: &str = "http://hl7.org/fhir/sid/icd-10-se";
const KVA: &str = "urn:oid:1.2.752.116.1.3.2.1.4";
const ACT_CODE: &str = "http://terminology.hl7.org/CodeSystem/v3-ActCode";
const ACT_PRIORITY: &str = "http://terminology.hl7.org/CodeSystem/v3-ActPriority";
const DISCHARGE: &str = "http://terminology.hl7.org/CodeSystem/discharge-disposition";
const SJUKHUS: &str = "https://vardhub.se/fhir/sid/sjukhus";
const ENHET: &str = "https://vardhub.se/fhir/sid/enhet";
const MVO: &str = "https://vardhub.se/fhir/CodeSystem/mvo";
const EXT: &str = "https://vardhub.se/fhir/StructureDefinition/";

/// Why a delivery could not be converted.
#[derive(Debug, thiserror::Error)]
pub enum FhirError {
    /// Reading or writing a file failed.
    #[error("I/O-fel vid {path} / I/O error at {path}: {source}")]
    Io {
        /// Where.
        path: PathBuf,
        /// What.
        source: std::io::Error,
    },
    /// The folder is not a CSV delivery of `vardkontakter` (manifest, header or file missing).
    #[error("inte en CSV-leverans av vardkontakter / not a CSV delivery of vardkontakter: {0}")]
    NotADelivery(String),
}

/// What was written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FhirSummary {
    /// Patient resources.
    pub patients: u64,
    /// Encounter resources (one per `kontakter` row).
    pub encounters: u64,
    /// Condition resources (one per main diagnosis and per `diagnoser` row).
    pub conditions: u64,
    /// Procedure resources (one per `atgarder` row).
    pub procedures: u64,
}

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> FhirError + '_ {
    move |source| FhirError::Io {
        path: path.to_owned(),
        source,
    }
}

/// A CSV file of the delivery: header and rows, decoded.
struct Table {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl Table {
    fn read(dir: &Path, file: &str, encoding: Encoding) -> Result<Table, FhirError> {
        let path = dir.join(file);
        let bytes = std::fs::read(&path).map_err(io_err(&path))?;
        let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
        let text = match encoding {
            Encoding::Utf8 => String::from_utf8_lossy(bytes).into_owned(),
            Encoding::Windows1252 => encoding_rs::WINDOWS_1252
                .decode_without_bom_handling(bytes)
                .0
                .into_owned(),
        };
        let mut lines = text.split('\n').map(|l| l.strip_suffix('\r').unwrap_or(l));
        let header = split(lines.next().unwrap_or_default());
        let rows = lines.filter(|l| !l.is_empty()).map(split).collect();
        Ok(Table { header, rows })
    }

    fn col(&self, name: &str) -> Result<usize, FhirError> {
        self.header
            .iter()
            .position(|h| h.trim() == name)
            .ok_or_else(|| FhirError::NotADelivery(format!("column {name} missing")))
    }
}

/// One `;`-separated line; a field in double quotes may hold `;` and `""`.
fn split(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                chars.next();
                cur.push('"');
            }
            ('"', _) => quoted = !quoted,
            (';', false) => out.push(std::mem::take(&mut cur)),
            _ => cur.push(c),
        }
    }
    out.push(cur);
    out
}

/// Convert the CSV delivery in `csv_dir` into a FHIR delivery in `out_dir` (created).
///
/// A generated region-month (Windows-1252, the identity numbers' written forms, ICD codes with
/// and without dot) converts completely: one Encounter per contact, one Condition per main and
/// secondary diagnosis, one Procedure per procedure, and a manifest that describes the files.
/// (This example is the converter's test on the generator's own output; it runs with
/// `cargo test -p vardhub-synth --doc`.)
///
/// ```
/// # use vardhub_domain::{Encoding, Manifest, Period};
/// # use vardhub_synth::{NoProgress, SynthOptions, fhir::convert_delivery, generate};
/// # let tmp = std::env::temp_dir().join(format!("vardhub-synth-fhir-{}", std::process::id()));
/// # let _ = std::fs::remove_dir_all(&tmp);
/// let opts = SynthOptions {
///     out: tmp.join("out"),
///     scale: 0.002,
///     seed: 7,
///     from: Period::parse("2024-02").unwrap(),
///     to: Period::parse("2024-02").unwrap(),
///     encoding: Encoding::Windows1252,
///     defects: 0.0,
/// };
/// generate(&opts, &NoProgress).unwrap();
/// let csv = opts.out.join("vardkontakter-03-2024-02");
/// let summary = convert_delivery(&csv, &tmp.join("fhir")).unwrap();
/// # let rows = |name: &str| -> Vec<Vec<u8>> {
/// #     let text = std::fs::read(csv.join(name)).unwrap();
/// #     text.split(|b| *b == b'\n').skip(1).filter(|l| !l.is_empty()).map(<[u8]>::to_vec).collect()
/// # };
/// # let mains = rows("kontakter.csv")
/// #     .iter()
/// #     .filter(|r| r.split(|b| *b == b';').nth(15).is_some_and(|f| !f.is_empty()))
/// #     .count() as u64;
/// assert!(summary.encounters > 100);
/// # assert_eq!(summary.encounters, rows("kontakter.csv").len() as u64);
/// # assert_eq!(summary.conditions, mains + rows("diagnoser.csv").len() as u64);
/// # assert_eq!(summary.procedures, rows("atgarder.csv").len() as u64);
/// # assert!(summary.patients > 0 && summary.patients < summary.encounters);
/// let manifest = std::fs::read(tmp.join("fhir/manifest.json")).unwrap();
/// let manifest = Manifest::from_json(&manifest).unwrap();
/// assert_eq!(manifest.format, "vardhub-leverans/1+fhir-ndjson");
/// # use sha2::Digest;
/// # for f in &manifest.files {
/// #     let data = std::fs::read(tmp.join("fhir").join(&f.path)).unwrap();
/// #     assert_eq!(f.sha256, hex::encode(sha2::Sha256::digest(&data)), "{}", f.path);
/// #     assert_eq!(f.rows, data.iter().filter(|b| **b == b'\n').count() as u64);
/// #     for line in data.split(|b| *b == b'\n').filter(|l| !l.is_empty()) {
/// #         let v: serde_json::Value = serde_json::from_slice(line).unwrap();
/// #         assert_eq!(v["resourceType"], f.table.as_str());
/// #         assert!(line.len() < 64 * 1024);
/// #     }
/// # }
/// # std::fs::remove_dir_all(&tmp).unwrap();
/// ```
pub fn convert_delivery(csv_dir: &Path, out_dir: &Path) -> Result<FhirSummary, FhirError> {
    let mpath = csv_dir.join(MANIFEST_FILE);
    let bytes = std::fs::read(&mpath).map_err(io_err(&mpath))?;
    let manifest =
        Manifest::from_json(&bytes).map_err(|e| FhirError::NotADelivery(e.to_string()))?;
    if manifest.format != MANIFEST_FORMAT || manifest.collection != "vardkontakter" {
        return Err(FhirError::NotADelivery(format!(
            "{} {}",
            manifest.format, manifest.collection
        )));
    }
    let period = Period::parse(&manifest.period)
        .map_err(|_| FhirError::NotADelivery(format!("period {}", manifest.period)))?;
    let file_of = |t: &str| {
        manifest
            .files
            .iter()
            .find(|f| f.table == t)
            .map(|f| f.path.clone())
            .ok_or_else(|| FhirError::NotADelivery(format!("table {t} missing")))
    };
    let kontakter = Table::read(csv_dir, &file_of("kontakter")?, manifest.encoding)?;
    let diagnoser = Table::read(csv_dir, &file_of("diagnoser")?, manifest.encoding)?;
    let atgarder = Table::read(csv_dir, &file_of("atgarder")?, manifest.encoding)?;
    let region = RegionCode::parse(&manifest.region).ok();
    let mut out = Writer::new(out_dir)?;
    let summary = convert(
        &kontakter,
        &diagnoser,
        &atgarder,
        period.last_day(),
        region,
        &mut out,
    )?;
    let files = out.finish()?;
    let fhir = Manifest {
        format: FHIR_MANIFEST_FORMAT.to_owned(),
        encoding: Encoding::Utf8,
        sender: manifest
            .sender
            .as_ref()
            .map(|s| format!("{s} (FHIR bulk export)")),
        files,
        ..manifest
    };
    let path = out_dir.join(MANIFEST_FILE);
    let mut json = serde_json::to_vec_pretty(&fhir).map_err(|e| FhirError::Io {
        path: path.clone(),
        source: std::io::Error::other(e),
    })?;
    json.push(b'\n');
    std::fs::write(&path, json).map_err(io_err(&path))?;
    Ok(summary)
}

/// The NDJSON files being written, hashed and counted.
struct Writer {
    dir: PathBuf,
    files: Vec<(&'static str, std::io::BufWriter<std::fs::File>, Sha256, u64)>,
}

const TYPES: [&str; 4] = ["Patient", "Encounter", "Condition", "Procedure"];

impl Writer {
    fn new(dir: &Path) -> Result<Writer, FhirError> {
        std::fs::create_dir_all(dir).map_err(io_err(dir))?;
        let mut files = Vec::new();
        for t in TYPES {
            let path = dir.join(format!("{t}.ndjson"));
            let f = std::fs::File::create(&path).map_err(io_err(&path))?;
            files.push((t, std::io::BufWriter::new(f), Sha256::new(), 0));
        }
        Ok(Writer {
            dir: dir.to_owned(),
            files,
        })
    }

    fn put(&mut self, v: &Value) -> Result<(), FhirError> {
        let t = v["resourceType"].as_str().unwrap_or_default();
        let dir = &self.dir;
        let Some((_, w, sha, n)) = self.files.iter_mut().find(|f| f.0 == t) else {
            return Err(FhirError::NotADelivery(format!("resource type {t}")));
        };
        let mut line = v.to_string().into_bytes();
        line.push(b'\n');
        let path = dir.join(format!("{t}.ndjson"));
        w.write_all(&line).map_err(io_err(&path))?;
        sha.update(&line);
        *n += 1;
        Ok(())
    }

    fn finish(self) -> Result<Vec<ManifestFile>, FhirError> {
        let mut out = Vec::new();
        for (t, mut w, sha, rows) in self.files {
            let path = self.dir.join(format!("{t}.ndjson"));
            w.flush().map_err(io_err(&path))?;
            out.push(ManifestFile {
                table: t.to_owned(),
                path: format!("{t}.ndjson"),
                rows,
                sha256: hex::encode(sha.finalize()),
            });
        }
        Ok(out)
    }
}

/// A person: parsed identity where the number parses, else the text as written.
#[derive(Clone, PartialEq, Eq, Hash)]
enum Person {
    Parsed(PatientId),
    Raw(String),
}

/// One Patient: the identity as first written, its kind, the sex and municipality of its first
/// contact and whether all its contacts agree on them.
struct PatientRow {
    raw: String,
    kind: IdKind,
    kon: String,
    kommun: String,
    same_kon: bool,
    same_kommun: bool,
}

fn convert(
    k: &Table,
    d: &Table,
    a: &Table,
    reference: NaiveDate,
    region: Option<RegionCode>,
    out: &mut Writer,
) -> Result<FhirSummary, FhirError> {
    let col = |name: &str| k.col(name);
    let (id_c, pid_c, typ_c, kon_c, kommun_c) = (
        col("kontakt_id")?,
        col("patient_id")?,
        col("patient_id_typ")?,
        col("kon")?,
        col("hemkommun")?,
    );
    let get = |row: &[String], c: usize| row.get(c).map_or("", |s| s.trim()).to_owned();
    // Patients: one per person, gender and municipality where all contacts agree.
    let mut persons: HashMap<Person, usize> = HashMap::new();
    let mut patients: Vec<PatientRow> = Vec::new();
    let mut patient_of = Vec::with_capacity(k.rows.len());
    for row in &k.rows {
        let raw = get(row, pid_c);
        let hint = IdKind::parse_label(&get(row, typ_c));
        let (person, kind) = match PatientId::parse(&raw, hint, reference, region) {
            Ok(id) => {
                let kind = id.kind();
                (Person::Parsed(id), kind)
            }
            Err(_) => (
                Person::Raw(raw.clone()),
                hint.unwrap_or(IdKind::Personnummer),
            ),
        };
        let (kon, kommun) = (get(row, kon_c), get(row, kommun_c));
        let next = persons.len();
        let i = *persons.entry(person).or_insert(next);
        if i == patients.len() {
            patients.push(PatientRow {
                raw,
                kind,
                kon,
                kommun,
                same_kon: true,
                same_kommun: true,
            });
        } else {
            let p = &mut patients[i];
            p.same_kon &= p.kon == kon;
            p.same_kommun &= p.kommun == kommun;
        }
        patient_of.push(i);
    }
    let mut summary = FhirSummary::default();
    for (i, pr) in patients.iter().enumerate() {
        let system = match pr.kind {
            IdKind::Personnummer => PERSONNUMMER,
            IdKind::Samordningsnummer => SAMORDNINGSNUMMER,
            IdKind::Reservnummer => RESERVNUMMER_SLL,
        };
        let mut p = json!({
            "resourceType": "Patient",
            "id": format!("p{}", i + 1),
            "identifier": [{ "system": system, "value": pr.raw }],
        });
        if let Some(g) = gender(&pr.kon).filter(|_| pr.same_kon) {
            p["gender"] = json!(g);
        }
        if let Some(m) = Some(&pr.kommun).filter(|m| pr.same_kommun && !m.is_empty()) {
            p["address"] =
                json!([{ "use": "home", "extension": [ext("kommun", "valueCode", json!(m))] }]);
        }
        out.put(&p)?;
        summary.patients += 1;
    }
    // Secondary diagnoses by contact.
    let (dk, dn, dc) = (d.col("kontakt_id")?, d.col("ordning")?, d.col("kod")?);
    let mut secondary: HashMap<String, Vec<(String, String)>> = HashMap::new();
    for row in &d.rows {
        secondary
            .entry(get(row, dk))
            .or_default()
            .push((get(row, dn), get(row, dc)));
    }
    for (row, &pi) in k.rows.iter().zip(&patient_of) {
        let id = get(row, id_c);
        let patient = format!("Patient/p{}", pi + 1);
        let v = |name: &str| k.col(name).map(|c| get(row, c));
        let mut e = encounter(&id, &patient, &v)?;
        let pr = &patients[pi];
        let mut exts = e["extension"]
            .as_array_mut()
            .map(std::mem::take)
            .unwrap_or_default();
        let own_kon = v("kon")?;
        if (!pr.same_kon || gender(&pr.kon).is_none()) && !own_kon.is_empty() {
            exts.push(ext("kon", "valueCode", json!(own_kon)));
        }
        let own_kommun = v("hemkommun")?;
        if !pr.same_kommun && !own_kommun.is_empty() {
            exts.push(ext("kommun", "valueCode", json!(own_kommun)));
        }
        let mut diagnosis = Vec::new();
        let hdia = v("hdia")?;
        if !hdia.is_empty() {
            let cid = format!("{id}-hdia");
            out.put(&condition(&cid, &id, &patient, &hdia))?;
            summary.conditions += 1;
            diagnosis.push(
                json!({ "condition": { "reference": format!("Condition/{cid}") }, "rank": 1 }),
            );
        }
        for (ordning, kod) in secondary.remove(&id).unwrap_or_default() {
            let cid = format!("{id}-d{ordning}");
            out.put(&condition(&cid, &id, &patient, &kod))?;
            summary.conditions += 1;
            let rank = ordning
                .parse::<u64>()
                .map_or(json!(ordning), |n| json!(n + 1));
            diagnosis.push(
                json!({ "condition": { "reference": format!("Condition/{cid}") }, "rank": rank }),
            );
        }
        if !diagnosis.is_empty() {
            e["diagnosis"] = Value::Array(diagnosis);
        }
        if !exts.is_empty() {
            e["extension"] = Value::Array(exts);
        }
        out.put(&e)?;
        summary.encounters += 1;
    }
    // Diagnoses of contacts that are not in kontakter (a defect): Conditions no Encounter ranks.
    let mut orphans: Vec<_> = secondary.into_iter().collect();
    orphans.sort();
    for (kid, list) in orphans {
        for (ordning, kod) in list {
            out.put(&condition(
                &format!("{kid}-d{ordning}"),
                &kid,
                "Patient/okand",
                &kod,
            ))?;
            summary.conditions += 1;
        }
    }
    let contact_patient: HashMap<String, usize> = k
        .rows
        .iter()
        .zip(&patient_of)
        .map(|(r, &pi)| (get(r, id_c), pi))
        .collect();
    let (ak, an, ac, at) = (
        a.col("kontakt_id")?,
        a.col("ordning")?,
        a.col("kod")?,
        a.col("datumtid")?,
    );
    for row in &a.rows {
        let kid = get(row, ak);
        let ordning = get(row, an);
        let mut p = json!({
            "resourceType": "Procedure",
            "id": format!("{kid}-a{ordning}"),
            "status": "completed",
            "subject": { "reference": "Patient/okand" },
            "encounter": { "reference": format!("Encounter/{kid}") },
            "code": { "coding": [{ "system": KVA, "code": get(row, ac) }] },
            "extension": [ext("ordning", "valuePositiveInt", number(&ordning, true))],
        });
        if let Some(pi) = contact_patient.get(&kid) {
            p["subject"] = json!({ "reference": format!("Patient/p{}", pi + 1) });
        }
        let when = get(row, at);
        if !when.is_empty() {
            p["performedDateTime"] = json!(date_time(&when));
        }
        out.put(&p)?;
        summary.procedures += 1;
    }
    Ok(summary)
}

fn encounter(
    id: &str,
    patient: &str,
    v: &dyn Fn(&str) -> Result<String, FhirError>,
) -> Result<Value, FhirError> {
    let form = v("vardform")?;
    let class = if form == "SV" { "IMP" } else { "AMB" };
    let mut e = json!({
        "resourceType": "Encounter",
        "id": id,
        "status": "finished",
        "class": { "system": ACT_CODE, "code": class },
        "subject": { "reference": patient },
    });
    let mut exts = Vec::new();
    if form != "SV" && form != "OV" {
        exts.push(ext("vardform", "valueCode", json!(form)));
    }
    match v("planerad")?.as_str() {
        "" => {}
        "J" | "j" | "1" => {
            e["priority"] = json!({ "coding": [{ "system": ACT_PRIORITY, "code": "EL" }] })
        }
        "N" | "n" | "0" => {
            e["priority"] = json!({ "coding": [{ "system": ACT_PRIORITY, "code": "EM" }] })
        }
        other => e["priority"] = json!({ "coding": [{ "system": ACT_PRIORITY, "code": other }] }),
    }
    let sjukhus = v("sjukhus")?;
    if !sjukhus.is_empty() {
        e["serviceProvider"] = json!({ "identifier": { "system": SJUKHUS, "value": sjukhus } });
    }
    let enhet = v("enhet")?;
    if !enhet.is_empty() {
        e["location"] =
            json!([{ "location": { "identifier": { "system": ENHET, "value": enhet } } }]);
    }
    let mvo = v("mvo")?;
    if !mvo.is_empty() {
        e["serviceType"] = json!({ "coding": [{ "system": MVO, "code": mvo }] });
    }
    let mut period = Map::new();
    for (key, var) in [("start", "inskrivningsdatum"), ("end", "utskrivningsdatum")] {
        let t = v(var)?;
        if !t.is_empty() {
            period.insert(key.into(), json!(date_time(&t)));
        }
    }
    if !period.is_empty() {
        e["period"] = Value::Object(period);
    }
    let disposition = match v("utskrivningssatt")?.as_str() {
        "" => None,
        "1" => Some("home".to_owned()),
        "2" => Some("long".to_owned()),
        "3" => Some("other-hcf".to_owned()),
        "4" => Some("exp".to_owned()),
        other => Some(other.to_owned()),
    };
    if let Some(code) = disposition {
        e["hospitalization"] = json!({ "dischargeDisposition": { "coding": [{ "system": DISCHARGE, "code": code }] } });
    }
    for (var, name, kind) in [
        ("besokstyp", "besokstyp", "valueCode"),
        ("yrkeskategori", "yrkeskategori", "valueCode"),
        ("drg", "drg", "valueCode"),
        ("drg_vikt", "drg-vikt", "valueDecimal"),
        ("kpp_kostnad", "kpp-kostnad", "valueDecimal"),
        (
            "utskrivningsklar_dagar",
            "utskrivningsklar-dagar",
            "valueInteger",
        ),
    ] {
        let value = v(var)?;
        if value.is_empty() {
            continue;
        }
        let json_value = match kind {
            "valueCode" => json!(value),
            k => number(&value, k == "valueInteger"),
        };
        let kind = if json_value.is_string() {
            "valueString"
        } else {
            kind
        };
        exts.push(ext(name, kind, json_value));
    }
    e["extension"] = Value::Array(exts);
    Ok(e)
}

fn condition(id: &str, encounter: &str, patient: &str, code: &str) -> Value {
    json!({
        "resourceType": "Condition",
        "id": id,
        "category": [{ "coding": [{
            "system": "http://terminology.hl7.org/CodeSystem/condition-category",
            "code": "encounter-diagnosis" }] }],
        "code": { "coding": [{ "system": ICD10SE, "code": code }] },
        "subject": { "reference": patient },
        "encounter": { "reference": format!("Encounter/{encounter}") },
    })
}

fn ext(name: &str, kind: &str, value: Value) -> Value {
    let mut m = Map::new();
    m.insert("url".into(), json!(format!("{EXT}{name}")));
    m.insert(kind.into(), value);
    Value::Object(m)
}

fn gender(kon: &str) -> Option<&'static str> {
    match kon {
        "1" => Some("male"),
        "2" => Some("female"),
        "0" => Some("unknown"),
        "9" => Some("other"),
        _ => None,
    }
}

/// A Swedish number (`98 500,50`) as a JSON number; the text itself where it is not one.
fn number(s: &str, integer: bool) -> Value {
    let cleaned: String = s
        .chars()
        .filter(|c| !matches!(c, ' ' | '\u{a0}'))
        .map(|c| if c == ',' { '.' } else { c })
        .collect();
    if integer {
        if let Ok(n) = cleaned.parse::<i64>() {
            return json!(n);
        }
    } else if let Some(n) = cleaned
        .parse::<f64>()
        .ok()
        .and_then(serde_json::Number::from_f64)
    {
        return Value::Number(n);
    }
    json!(s)
}

/// `ÅÅÅÅ-MM-DD tt:mm` (Swedish time) as a FHIR dateTime with the Swedish offset; a bare date
/// stays a date; anything else is written as it is.
fn date_time(s: &str) -> String {
    if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        return d.format("%Y-%m-%d").to_string();
    }
    let parsed = NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S"));
    let Ok(local) = parsed else {
        return s.to_owned();
    };
    let offset = if summer_utc(local - Duration::hours(2)) {
        2
    } else {
        1
    };
    format!("{}+0{offset}:00", local.format("%Y-%m-%dT%H:%M:%S"))
}

/// Is this UTC time in Swedish summer time (last Sunday of March 01:00 UTC to last Sunday of
/// October 01:00 UTC)?
fn summer_utc(utc: NaiveDateTime) -> bool {
    let switch = |month: u32| {
        let first_next = NaiveDate::from_ymd_opt(utc.year(), month + 1, 1)?;
        let last = first_next.pred_opt()?;
        let sunday = last - Duration::days(i64::from(last.weekday().num_days_from_sunday()));
        Some(sunday.and_time(NaiveTime::from_hms_opt(1, 0, 0)?))
    };
    match (switch(3), switch(10)) {
        (Some(start), Some(end)) => utc >= start && utc < end,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn swedish_times_get_their_offset() {
        assert_eq!(date_time("2024-02-10 14:10"), "2024-02-10T14:10:00+01:00");
        assert_eq!(date_time("2024-07-10 14:10"), "2024-07-10T14:10:00+02:00");
        // The autumn switch's repeated hour is written as the first (summer) one.
        assert_eq!(date_time("2024-10-27 02:30"), "2024-10-27T02:30:00+02:00");
        assert_eq!(date_time("2024-10-27 03:30"), "2024-10-27T03:30:00+01:00");
        assert_eq!(date_time("2024-02-10"), "2024-02-10");
        assert_eq!(date_time("igår"), "igår");
    }

    #[test]
    fn swedish_numbers_become_json_numbers() {
        assert_eq!(number("98 500,50", false), json!(98500.5));
        assert_eq!(number("2,350", false), json!(2.35));
        assert_eq!(number("12", true), json!(12));
        assert_eq!(number("tolv", true), json!("tolv"));
    }

    #[test]
    fn quoted_fields_keep_separators() {
        assert_eq!(split("a;\"b;c\";\"d\"\"e\";"), vec!["a", "b;c", "d\"e", ""]);
    }
}
