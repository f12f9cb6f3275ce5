//! A CSV delivery and the same contacts as a FHIR bulk export give the same lake rows.
//!
//! The CSV delivery is built here (Skatteverket test numbers, every variable of `kontakter`,
//! persons with several contacts in different written forms and municipalities, inpatient,
//! specialist and primary care, a contact discharged in summer time, a secondary diagnosis
//! without a main one, a procedure without time, a contact delivered twice, one row the
//! validation refuses); the FHIR delivery is written from it by `vardhub_synth::fhir` (see
//! `super::synth_fhir`). The source line column (`kalla_rad`) is left out of the comparison: CSV
//! counts its header line, NDJSON has none, so it differs by construction.

use super::synth_fhir;
use crate::delivery::{Delivery, Files, test_numbers};
use crate::env;
use datafusion::arrow::array::RecordBatch;
use datafusion::arrow::util::display::array_value_to_string;
use vardhub_ingest::ValidationReport;
use vardhub_store::DeliveryStatus;

/// One row per contact, the CSV way; (diagnoser, atgarder) rows beside.
fn contacts() -> (Vec<String>, Vec<String>, Vec<String>) {
    let numbers = test_numbers();
    let old = numbers
        .iter()
        .find(|n| n.starts_with("1920"))
        .expect("a test number born 1920")
        .clone();
    let persons: Vec<String> = numbers[5000..5059].iter().cloned().chain([old]).collect();
    let (mut k, mut d, mut a) = (Vec::new(), Vec::new(), Vec::new());
    let icd = ["S72.0", "I21.0", "K35.8", "J45.9", "F32.9", "I10"];
    for i in 0..200usize {
        let pnr = &persons[i % persons.len()];
        // The same person written differently in their two contacts.
        let written = match (i / persons.len(), pnr.starts_with("1920")) {
            (_, true) if i >= persons.len() => format!("{}+{}", &pnr[2..8], &pnr[8..]),
            (0, _) => pnr.clone(),
            _ if i.is_multiple_of(2) => format!("{}-{}", &pnr[..8], &pnr[8..]),
            _ => format!("{}-{}", &pnr[2..8], &pnr[8..]),
        };
        let typ = if i.is_multiple_of(3) { "" } else { "P" };
        let kon = if pnr.as_bytes()[10] % 2 == 1 {
            "1"
        } else {
            "2"
        };
        // Every seventh person has moved between their two contacts.
        let kommun = if i >= persons.len() && (i % persons.len()).is_multiple_of(7) {
            "0184"
        } else {
            "0180"
        };
        let form = ["SV", "OV", "PV", "SV"][i % 4];
        let day = 1 + i % 27;
        let id = format!("K{:04}", i + 1);
        let planerad = if i.is_multiple_of(2) { "J" } else { "N" };
        let enhet = if i.is_multiple_of(5) {
            "Avd Östra ÅÄÖ"
        } else {
            "Ortopedavd 4"
        };
        let hdia = if form == "SV" || !i.is_multiple_of(3) {
            icd[i % icd.len()]
        } else {
            ""
        };
        let row = match form {
            "SV" => {
                let (ins, uts) = if i == 0 {
                    ("2024-03-20 23:30".to_owned(), "2024-03-31 14:00".to_owned())
                } else {
                    (
                        format!("2024-02-{:02} 08:{:02}", 20 + i % 8, i % 60),
                        format!("2024-03-{day:02} 10:15"),
                    )
                };
                let satt = ["1", "2", "3", "4"][i % 4];
                a.push(format!("{id};1;NFJ09;2024-03-{day:02} 08:15"));
                if i.is_multiple_of(8) {
                    a.push(format!("{id};2;NFB49;"));
                }
                format!(
                    "{id};{written};{typ};{kon};{kommun};11001;{enhet};301;SV;{planerad};;;{ins};{uts};{satt};{hdia};I08C;2,350;98 500,50;{}",
                    i % 4
                )
            }
            _ => {
                let (sjukhus, mvo, yrke, enhet) = if form == "OV" {
                    ("11001", "101", "L", enhet)
                } else {
                    ("21002", "", "S", "VC Söder")
                };
                format!(
                    "{id};{written};{typ};{kon};{kommun};{sjukhus};{enhet};{mvo};{form};{planerad};{};{yrke};2024-03-{day:02} 09:00;2024-03-{day:02} 09:30;;{hdia};;;1 250,00;",
                    1 + i % 2
                )
            }
        };
        k.push(row);
        if i.is_multiple_of(2) || hdia.is_empty() {
            d.push(format!("{id};1;I10"));
            if i.is_multiple_of(4) {
                d.push(format!("{id};2;E11.9"));
            }
        }
    }
    // A contact delivered twice (its main diagnosis twice too: in FHIR a repeated Condition id),
    // and one the validation refuses (unknown main diagnosis): left out in both paths.
    k.push(k[1].clone());
    let bad = persons[3].clone();
    k.push(format!(
        "K9999;{bad};P;1;0180;11001;Avd 1;301;SV;N;;;2024-03-02 10:00;2024-03-05 10:00;1;Q99.99X;;;100,00;0"
    ));
    (k, d, a)
}

/// Every row of a table as text, without the source line (CSV counts its header, NDJSON does
/// not: it differs by construction), sorted.
fn rows(batches: &[RecordBatch]) -> Vec<String> {
    let mut out = Vec::new();
    for b in batches {
        let keep: Vec<usize> = (0..b.num_columns())
            .filter(|&c| b.schema().field(c).name() != vardhub_ingest::columns::SOURCE_ROW_COLUMN)
            .collect();
        for r in 0..b.num_rows() {
            let cells: Vec<String> = keep
                .iter()
                .map(|&c| array_value_to_string(b.column(c), r).unwrap())
                .collect();
            out.push(cells.join("|"));
        }
    }
    out.sort();
    out
}

fn counts(r: &ValidationReport) -> Vec<(String, u64, u64, u64)> {
    r.tables
        .iter()
        .map(|t| {
            (
                t.table.clone(),
                t.rows_read,
                t.rows_valid,
                t.rows_with_errors,
            )
        })
        .collect()
}

/// Ingest the CSV delivery `csv` into `csv_hub` and its FHIR export into `fhir_hub`; assert the
/// same status, counts and lake rows, table by table. Returns the two reports.
async fn assert_same_lake(
    csv: &std::path::Path,
    csv_hub: &crate::Env,
    fhir_hub: &crate::Env,
) -> (ValidationReport, ValidationReport) {
    let fhir_dir = fhir_hub.root.join("fhir");
    synth_fhir::convert_delivery(csv, &fhir_dir).unwrap();
    let csv_report = csv_hub.ingest(csv).await;
    let fhir_report = fhir_hub.ingest(&fhir_dir).await;
    let show = |r: &ValidationReport| r.summary(vardhub_ingest::Lang::En);
    assert_eq!(
        fhir_report.status,
        csv_report.status,
        "{}",
        show(&fhir_report)
    );
    assert_eq!(counts(&fhir_report), counts(&csv_report));
    for table in ["kontakter", "diagnoser", "atgarder"] {
        let (from_csv, from_fhir) = (
            rows(&csv_hub.read_table(table).await),
            rows(&fhir_hub.read_table(table).await),
        );
        assert_eq!(from_fhir.len(), from_csv.len(), "{table}");
        for (f, c) in from_fhir.iter().zip(&from_csv) {
            assert_eq!(f, c, "{table}");
        }
    }
    (csv_report, fhir_report)
}

#[tokio::test(flavor = "multi_thread")]
async fn fhir_export_gives_the_same_lake_rows_as_the_csv_delivery() {
    let (k, d, a) = contacts();
    let (csv_hub, fhir_hub) = (env(true).await, env(true).await);
    let csv = Delivery::new(&csv_hub.root, "csv")
        .contacts(
            &Files {
                kontakter: k,
                diagnoser: d,
                atgarder: a,
            },
            true,
        )
        .write();
    let (csv_report, fhir_report) = assert_same_lake(&csv, &csv_hub, &fhir_hub).await;
    assert_eq!(
        csv_report.status,
        DeliveryStatus::AcceptedWithWarnings,
        "{}",
        csv_report.summary(vardhub_ingest::Lang::En)
    );
    assert_eq!(
        counts(&csv_report)[0],
        ("kontakter".to_owned(), 202, 200, 2),
        "the duplicate and the refused contact are left out in both"
    );
    assert!(
        counts(&csv_report).iter().all(|c| c.2 > 0),
        "{:?}",
        counts(&csv_report)
    );
    // The refused contact is reported at its Encounter with the FHIR element and the variable.
    let hdia = fhir_report
        .issues
        .iter()
        .find(|i| i.rule == "code_unknown" || i.rule == "code_format")
        .expect("the unknown main diagnosis is reported");
    assert_eq!(hdia.file.as_deref(), Some("Encounter.ndjson"));
    assert_eq!(
        hdia.field.as_deref(),
        Some("Encounter.diagnosis(rank 1) → Condition.code (hdia)")
    );
    assert_eq!(hdia.row, Some(202));
    // One Patient per person although the written forms differ between contacts.
    let patients = std::fs::read_to_string(fhir_hub.root.join("fhir/Patient.ndjson")).unwrap();
    assert_eq!(patients.lines().count(), 60);
    // The same pseudonyms: the identity went through the same pseudonymisation.
    let schema = csv_hub.read_table("kontakter").await[0].schema();
    assert!(schema.column_with_name("patient_pseudonym").is_some());
    assert!(schema.column_with_name("patient_id").is_none());
}

#[tokio::test(flavor = "multi_thread")]
async fn zipped_fhir_export_is_read_like_the_folder() {
    let (k, d, a) = contacts();
    let (folder_hub, zip_hub) = (env(true).await, env(true).await);
    let files = Files {
        kontakter: k,
        diagnoser: d,
        atgarder: a,
    };
    let csv = Delivery::new(&folder_hub.root, "csv")
        .contacts(&files, false)
        .write();
    let fhir = folder_hub.root.join("fhir");
    synth_fhir::convert_delivery(&csv, &fhir).unwrap();
    let zip_path = zip_hub.root.join("fhir.zip");
    let mut zip = zip::ZipWriter::new(std::fs::File::create(&zip_path).unwrap());
    for entry in std::fs::read_dir(&fhir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        zip.start_file(name, zip::write::SimpleFileOptions::default())
            .unwrap();
        std::io::Write::write_all(&mut zip, &std::fs::read(&path).unwrap()).unwrap();
    }
    zip.finish().unwrap();
    let from_folder = folder_hub.ingest(&fhir).await;
    let from_zip = zip_hub.ingest(&zip_path).await;
    assert_eq!(
        from_zip.status,
        DeliveryStatus::AcceptedWithWarnings,
        "{}",
        from_zip.summary(vardhub_ingest::Lang::En)
    );
    assert_eq!(counts(&from_zip), counts(&from_folder));
    for table in ["kontakter", "diagnoser", "atgarder"] {
        assert_eq!(
            rows(&zip_hub.read_table(table).await),
            rows(&folder_hub.read_table(table).await),
            "{table}"
        );
    }
}

/// The generator's own deliveries (every region's `vardkontakter` of one month, with its planted
/// patterns), written as FHIR, give the same lake rows as their CSV.
#[tokio::test(flavor = "multi_thread")]
async fn generated_regions_give_the_same_lake_rows_as_csv_and_as_fhir() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("deliveries");
    vardhub_synth::generate(
        &vardhub_synth::SynthOptions {
            out: out.clone(),
            scale: 0.003,
            seed: 17,
            from: vardhub_domain::Period::parse("2024-02").unwrap(),
            to: vardhub_domain::Period::parse("2024-02").unwrap(),
            encoding: vardhub_domain::Encoding::Utf8,
            defects: 0.0,
        },
        &vardhub_synth::NoProgress,
    )
    .unwrap();
    let mut checked = 0;
    for region in ["01", "13", "25"] {
        let csv = std::fs::read_dir(&out)
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|p| {
                p.file_name()
                    .unwrap()
                    .to_string_lossy()
                    .starts_with(&format!("vardkontakter-{region}-"))
            })
            .unwrap_or_else(|| panic!("no vardkontakter delivery of region {region}"));
        let (csv_hub, fhir_hub) = (env(true).await, env(true).await);
        let (csv_report, _) = assert_same_lake(&csv, &csv_hub, &fhir_hub).await;
        assert!(
            matches!(
                csv_report.status,
                DeliveryStatus::Accepted | DeliveryStatus::AcceptedWithWarnings
            ),
            "{}",
            csv_report.summary(vardhub_ingest::Lang::En)
        );
        assert!(!csv_hub.read_table("kontakter").await.is_empty());
        checked += 1;
    }
    assert_eq!(checked, 3);
}
