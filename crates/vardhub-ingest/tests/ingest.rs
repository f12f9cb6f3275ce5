//! Ingest end to end with real files: each test builds a delivery on disk (folder, zip or Parquet),
//! ingests it into a fresh hub and checks the outcome, the report and the lake.

use datafusion::arrow::array::{AsArray, RecordBatch};
use datafusion::arrow::datatypes::{Int32Type, Int64Type};
use datafusion::parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use vardhub_domain::RegionCode;
use vardhub_ingest::{IngestOptions, NoProgress, Pseudonymiser, ValidationReport};
use vardhub_store::{DeliveryStatus, Hub};

#[path = "support/delivery.rs"]
mod delivery;
use delivery::*;
#[path = "support/untrusted.rs"]
mod untrusted;

mod external_values;
mod fhir;
mod trust;

struct Env {
    _tmp: tempfile::TempDir,
    root: PathBuf,
    hub: Hub,
    pseudo: Pseudonymiser,
}

async fn env(synthetic: bool) -> Env {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().to_owned();
    let audit = vardhub_store::AuditKey::create(&root.join("keys")).unwrap();
    let hub = Hub::init(
        root.join("data"),
        synthetic,
        vardhub_store::HubId::random(),
        audit,
    )
    .await
    .unwrap();
    Env {
        _tmp: tmp,
        root,
        hub,
        pseudo: Pseudonymiser::from_master(&[42; 32], 1),
    }
}

impl Env {
    async fn ingest(&self, path: &Path) -> ValidationReport {
        self.ingest_as(path, None).await
    }
    async fn ingest_as(&self, path: &Path, region: Option<&str>) -> ValidationReport {
        let lock = self.hub.lock_writer().await.unwrap();
        let opts = IngestOptions {
            specs: None,
            actor: "test".into(),
            expect_region: region.map(|r| RegionCode::parse(r).unwrap()),
        };
        vardhub_ingest::ingest(&self.hub, &lock, path, &self.pseudo, &opts, &NoProgress)
            .await
            .unwrap()
            .report
    }
    /// Every file under the lake with its content hash: "changes nothing" means this is unchanged.
    fn lake_state(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        let mut stack = vec![self.hub.layout().lake()];
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(&d).unwrap() {
                let p = e.unwrap().path();
                if p.is_dir() {
                    stack.push(p);
                } else {
                    out.push((
                        p.display().to_string(),
                        hex::encode(Sha256::digest(std::fs::read(&p).unwrap())),
                    ));
                }
            }
        }
        out.sort();
        out
    }
    async fn current_ids(&self) -> Vec<String> {
        self.hub
            .snapshot(None, None)
            .await
            .unwrap()
            .deliveries
            .into_iter()
            .map(|d| d.id)
            .collect()
    }
    async fn read_table(&self, table: &str) -> Vec<RecordBatch> {
        let snap = self
            .hub
            .snapshot(Some("vardkontakter"), None)
            .await
            .unwrap();
        let mut out = Vec::new();
        for f in snap.files_of("vardkontakter", table) {
            let r = ParquetRecordBatchReaderBuilder::try_new(std::fs::File::open(&f.path).unwrap())
                .unwrap()
                .build()
                .unwrap();
            out.extend(r.map(|b| b.unwrap()));
        }
        out
    }
}

fn rules(report: &ValidationReport) -> Vec<&str> {
    report.issues.iter().map(|i| i.rule.as_ref()).collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn clean_delivery_is_published_pseudonymised() {
    let e = env(true).await;
    let mut rows = vec![stay("K1", "194501103297"), visit("K2", "19900101-2385")];
    rows.push(stay("K3", "250101-9216").replace("S72.0", "S721"));
    let path = Delivery::new(&e.root, "d1")
        .contacts(&Files::new(rows), false)
        .write();
    let report = e.ingest(&path).await;
    assert_eq!(
        report.status,
        DeliveryStatus::Accepted,
        "{}",
        report.summary(vardhub_ingest::Lang::En)
    );
    assert_eq!(
        report.delivery_id.as_deref(),
        Some("vardkontakter-01-2024-03-v1")
    );
    assert_eq!(e.current_ids().await, vec!["vardkontakter-01-2024-03-v1"]);

    let batches = e.read_table("kontakter").await;
    let b = &batches[0];
    assert_eq!(b.num_rows(), 3);
    let pseudo = b
        .column_by_name("patient_pseudonym")
        .unwrap()
        .as_string::<i32>();
    assert!(pseudo.iter().all(|p| p.is_some_and(|p| p.len() == 32)));
    let kinds = b
        .column_by_name("patient_id_typ")
        .unwrap()
        .as_string::<i32>();
    assert_eq!(
        kinds.value(1),
        "P",
        "the kind is derived when the delivery leaves it empty"
    );
    let age = b
        .column_by_name("alder")
        .unwrap()
        .as_primitive::<Int32Type>();
    assert_eq!(age.value(0), 79);
    assert_eq!(age.value(2), 99, "10-digit form with '-' means under 100");
    let hdia = b.column_by_name("hdia").unwrap().as_string::<i32>();
    assert_eq!(hdia.value(0), "S720", "codes are normalised without dot");
    let cost = b
        .column_by_name("kpp_kostnad")
        .unwrap()
        .as_primitive::<datafusion::arrow::datatypes::Float64Type>();
    assert_eq!(cost.value(0), 98500.5, "decimal comma and thousands space");
    let rows = b
        .column_by_name("kalla_rad")
        .unwrap()
        .as_primitive::<Int64Type>();
    assert_eq!(rows.value(0), 2, "line numbers count the header as line 1");
    assert!(b.schema().column_with_name("patient_id").is_none());
    assert_eq!(e.read_table("diagnoser").await[0].num_rows(), 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn windows_1252_with_crlf_keeps_swedish_letters() {
    let e = env(true).await;
    let rows = vec![stay("K1", "194501103297").replace("Ortopedavd 4", "Avd Östra ÅÄÖ åäö")];
    let mut d = Delivery::new(&e.root, "d1").contacts(&Files::new(rows), true);
    d.encoding = "windows-1252";
    for f in &mut d.files {
        let (bytes, _, _) = encoding_rs::WINDOWS_1252.encode(std::str::from_utf8(&f.2).unwrap());
        f.2 = bytes.into_owned();
        f.3 = f.2.clone();
    }
    assert!(
        d.files[0].2.contains(&0xD6),
        "Ö is one byte in Windows-1252"
    );
    let report = e.ingest(&d.write()).await;
    assert_eq!(
        report.status,
        DeliveryStatus::Accepted,
        "{}",
        report.summary(vardhub_ingest::Lang::En)
    );
    let b = &e.read_table("kontakter").await[0];
    assert_eq!(
        b.column_by_name("enhet")
            .unwrap()
            .as_string::<i32>()
            .value(0),
        "Avd Östra ÅÄÖ åäö"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn utf8_with_bom_is_read() {
    let e = env(true).await;
    let d = Delivery::new(&e.root, "d1")
        .contacts(&Files::new(vec![stay("K1", "194501103297")]), true)
        .map_file("kontakter", |b| [b"\xEF\xBB\xBF".to_vec(), b].concat());
    let mut d = d;
    d.files[0].3 = d.files[0].2.clone();
    let report = e.ingest(&d.write()).await;
    assert_eq!(
        report.status,
        DeliveryStatus::Accepted,
        "{}",
        report.summary(vardhub_ingest::Lang::En)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn utf8_declared_but_windows_1252_bytes_is_an_encoding_error() {
    let e = env(true).await;
    let rows = vec![stay("K1", "194501103297").replace("Ortopedavd 4", "Avd Östra")];
    let mut d = Delivery::new(&e.root, "d1").contacts(&Files::new(rows), false);
    let (bytes, _, _) =
        encoding_rs::WINDOWS_1252.encode(std::str::from_utf8(&d.files[0].2).unwrap());
    d.files[0].2 = bytes.into_owned();
    d.files[0].3 = d.files[0].2.clone();
    let report = e.ingest(&d.write()).await;
    assert_eq!(
        report.status,
        DeliveryStatus::Rejected,
        "the only row is bad: above the threshold"
    );
    let issue = report.issues.iter().find(|i| i.rule == "encoding").unwrap();
    assert_eq!(issue.row, Some(2));
    assert_eq!(issue.field.as_deref(), Some("enhet"));
}

#[tokio::test(flavor = "multi_thread")]
async fn truncated_file_is_rejected_and_changes_nothing() {
    let e = env(true).await;
    let ok = Delivery::new(&e.root, "ok")
        .contacts(&Files::new(many_stays(50)), false)
        .write();
    assert_ne!(e.ingest(&ok).await.status, DeliveryStatus::Rejected);
    let before = e.lake_state();
    let d = Delivery::new(&e.root, "cut")
        .contacts(&Files::new(many_stays(60)), false)
        .map_file("kontakter", |b| b[..b.len() - 40].to_vec());
    let report = e.ingest(&d.write()).await;
    assert_eq!(report.status, DeliveryStatus::Rejected);
    let r = rules(&report);
    assert!(r.contains(&"checksum"), "{r:?}");
    assert!(
        r.contains(&"field_count"),
        "the cut last line is reported: {r:?}"
    );
    assert_eq!(e.lake_state(), before);
    assert_eq!(e.current_ids().await, vec!["vardkontakter-01-2024-03-v1"]);
    assert_eq!(e.read_table("kontakter").await[0].num_rows(), 50);
}

#[tokio::test(flavor = "multi_thread")]
async fn wrong_checksum_is_rejected() {
    let e = env(true).await;
    let mut d = Delivery::new(&e.root, "d1").contacts(&Files::new(many_stays(5)), false);
    d.files[1].3 = b"kontakt_id;ordning;kod\nK9;1;I10\n".to_vec(); // the manifest describes other bytes
    let report = e.ingest(&d.write()).await;
    assert_eq!(report.status, DeliveryStatus::Rejected);
    let issue = report.issues.iter().find(|i| i.rule == "checksum").unwrap();
    assert_eq!(issue.file.as_deref(), Some("diagnoser.csv"));
    assert!(e.current_ids().await.is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn delivery_for_the_wrong_region_is_rejected() {
    let e = env(true).await;
    // The sender represents Uppsala (03) but the manifest says Stockholm (01).
    let path = Delivery::new(&e.root, "d1")
        .contacts(&Files::new(many_stays(30)), false)
        .write();
    let report = e.ingest_as(&path, Some("03")).await;
    assert_eq!(report.status, DeliveryStatus::Rejected);
    assert!(rules(&report).contains(&"wrong_region"));
    // The manifest says Skåne (12) but the patients live in Stockholm.
    let mut d = Delivery::new(&e.root, "d2").contacts(&Files::new(many_stays(30)), false);
    d.region = "12".into();
    let report = e.ingest(&d.write()).await;
    assert_eq!(report.status, DeliveryStatus::Rejected);
    let issue = report
        .issues
        .iter()
        .find(|i| i.rule == "wrong_region")
        .unwrap();
    assert!(
        issue.message_en.contains("another region"),
        "{}",
        issue.message_en
    );
    assert!(e.current_ids().await.is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn invalid_personnummer_are_left_out_and_never_shown() {
    let e = env(true).await;
    let mut rows = many_stays(199);
    // 194501103297 with a wrong check digit.
    rows.push(stay("K999", "194501103296"));
    let path = Delivery::new(&e.root, "d1")
        .contacts(&Files::new(rows), false)
        .write();
    let report = e.ingest(&path).await;
    assert_eq!(
        report.status,
        DeliveryStatus::AcceptedWithWarnings,
        "1 of 200 rows is under the 1 % threshold"
    );
    let issue = report
        .issues
        .iter()
        .find(|i| i.rule == "personal_id")
        .unwrap();
    assert_eq!(
        (issue.row, issue.field.as_deref()),
        (Some(201), Some("patient_id"))
    );
    assert_eq!(issue.value.as_deref(), Some("[dolt, 12 tecken]"));
    let json = serde_json::to_string(&report).unwrap();
    assert!(!json.contains("4501103296") && !json.contains("4501103297"));
    assert_eq!(report.tables[0].rows_valid, 199);
    assert_eq!(e.read_table("kontakter").await[0].num_rows(), 199);
}

#[tokio::test(flavor = "multi_thread")]
async fn too_many_bad_rows_reject_the_whole_delivery() {
    let e = env(true).await;
    let mut rows = many_stays(20);
    rows.push(stay("K999", "194501103296"));
    let report = e
        .ingest(
            &Delivery::new(&e.root, "d1")
                .contacts(&Files::new(rows), false)
                .write(),
        )
        .await;
    assert_eq!(report.status, DeliveryStatus::Rejected);
    assert!(rules(&report).contains(&"error_threshold"));
    assert!(e.lake_state().is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn unknown_icd_codes_and_broken_date_logic_are_errors() {
    let e = env(true).await;
    let mut rows = many_stays(300);
    rows[10] = rows[10].replace("S72.0", "S72.5"); // well-formed but not in ICD-10-SE
    rows[20] = rows[20].replace("2024-03-09 10:00", "2024-03-01 10:00"); // discharge before admission
    rows[30] = rows[30].replace("2024-03-09 10:00", "2024-04-01 10:00"); // ends after the period
    rows[40] = rows[40].replace(";2,35;", ";2.3.5;"); // not a number
    let report = e
        .ingest(
            &Delivery::new(&e.root, "d1")
                .contacts(&Files::new(rows), false)
                .write(),
        )
        .await;
    assert_eq!(
        report.status,
        DeliveryStatus::Rejected,
        "4 of 300 rows is over 1 %"
    );
    let find = |rule: &str| report.issues.iter().find(|i| i.rule == rule).unwrap();
    assert_eq!(
        (
            find("code_unknown").row,
            find("code_unknown").field.as_deref()
        ),
        (Some(12), Some("hdia"))
    );
    assert_eq!(
        (find("date_order").row, find("date_order").field.as_deref()),
        (Some(22), Some("utskrivningsdatum"))
    );
    assert_eq!(find("in_period").row, Some(32));
    assert_eq!(
        (find("type").row, find("type").field.as_deref()),
        (Some(42), Some("drg_vikt"))
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn line_numbers_are_file_lines_in_crlf_files_too() {
    let e = env(true).await;
    let mut rows = many_stays(300);
    rows[10] = rows[10].replace("S72.0", "S72.5");
    let report = e
        .ingest(
            &Delivery::new(&e.root, "d1")
                .contacts(&Files::new(rows), true)
                .write(),
        )
        .await;
    let issue = report
        .issues
        .iter()
        .find(|i| i.rule == "code_unknown")
        .unwrap();
    assert_eq!(issue.row, Some(12), "header is line 1, rows[10] is line 12");
}

#[tokio::test(flavor = "multi_thread")]
async fn duplicates_are_removed_and_reported() {
    let e = env(true).await;
    let mut rows = many_stays(150);
    let copy = rows[5].clone();
    rows.push(copy);
    let report = e
        .ingest(
            &Delivery::new(&e.root, "d1")
                .contacts(&Files::new(rows), false)
                .write(),
        )
        .await;
    assert_eq!(report.status, DeliveryStatus::AcceptedWithWarnings);
    let dup = report
        .issues
        .iter()
        .find(|i| i.rule == "duplicate")
        .unwrap();
    assert_eq!(dup.row, Some(152));
    assert!(dup.message_en.contains("row 7"), "{}", dup.message_en);
    assert_eq!(report.tables[0].rows_valid, 150);
    assert_eq!(e.read_table("kontakter").await[0].num_rows(), 150);
}

#[tokio::test(flavor = "multi_thread")]
async fn mojibake_is_flagged_but_kept() {
    let e = env(true).await;
    let mut rows = many_stays(10);
    rows[3] = rows[3].replace("Ortopedavd 4", "Avd Ã–stra");
    let report = e
        .ingest(
            &Delivery::new(&e.root, "d1")
                .contacts(&Files::new(rows), false)
                .write(),
        )
        .await;
    assert_eq!(report.status, DeliveryStatus::AcceptedWithWarnings);
    let m = report.issues.iter().find(|i| i.rule == "mojibake").unwrap();
    assert_eq!((m.row, m.field.as_deref()), (Some(5), Some("enhet")));
    assert_eq!(report.tables[0].rows_valid, 10);
}

#[tokio::test(flavor = "multi_thread")]
async fn redelivery_supersedes_and_the_old_version_stays_readable_as_of() {
    let e = env(true).await;
    let v1 = Delivery::new(&e.root, "v1")
        .contacts(&Files::new(many_stays(10)), false)
        .write();
    e.ingest(&v1).await;
    let between = vardhub_store::now_utc();
    let v2 = Delivery::new(&e.root, "v2")
        .contacts(&Files::new(many_stays(12)), false)
        .write();
    let report = e.ingest(&v2).await;
    assert_eq!(
        report.delivery_id.as_deref(),
        Some("vardkontakter-01-2024-03-v2")
    );
    assert_eq!(e.current_ids().await, vec!["vardkontakter-01-2024-03-v2"]);
    let old = e.hub.snapshot(None, Some(between)).await.unwrap();
    assert_eq!(old.deliveries.len(), 1);
    assert_eq!(old.deliveries[0].id, "vardkontakter-01-2024-03-v1");
    assert!(old.deliveries[0].files.iter().all(|f| f.path.exists()));
    let list = e.hub.deliveries(&Default::default()).await.unwrap();
    let v1 = list.iter().find(|d| d.version == 1).unwrap();
    assert_eq!(
        v1.superseded_by.as_deref(),
        Some("vardkontakter-01-2024-03-v2")
    );
    // Garbage collection removes the superseded version's files.
    let lock = e.hub.lock_writer().await.unwrap();
    let removed = e.hub.gc(&lock, vardhub_store::now_utc()).await.unwrap();
    assert_eq!(removed, vec!["vardkontakter-01-2024-03-v1"]);
    assert!(
        e.hub
            .snapshot(None, Some(between))
            .await
            .unwrap()
            .deliveries
            .is_empty()
    );
    assert_eq!(
        e.hub.verify_audit().await.unwrap().unwrap(),
        5,
        "init, key, 2 publications, gc"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn synthetic_and_real_data_never_mix() {
    let real = env(false).await;
    let path = Delivery::new(&real.root, "d1")
        .contacts(&Files::new(many_stays(3)), false)
        .write();
    let report = real.ingest(&path).await;
    assert_eq!(report.status, DeliveryStatus::Rejected);
    assert!(rules(&report).contains(&"synthetic_mismatch"));
    let synth = env(true).await;
    let mut d = Delivery::new(&synth.root, "d1").contacts(&Files::new(many_stays(3)), false);
    d.synthetic = false;
    let report = synth.ingest(&d.write()).await;
    assert!(rules(&report).contains(&"synthetic_mismatch"));
}

#[tokio::test(flavor = "multi_thread")]
async fn zip_delivery_is_read() {
    let e = env(true).await;
    let dir = Delivery::new(&e.root, "d1")
        .contacts(&Files::new(many_stays(20)), true)
        .write();
    let zip_path = e.root.join("leverans.zip");
    let mut zip = zip::ZipWriter::new(std::fs::File::create(&zip_path).unwrap());
    for name in [
        "manifest.json",
        "kontakter.csv",
        "diagnoser.csv",
        "atgarder.csv",
    ] {
        zip.start_file(name, zip::write::SimpleFileOptions::default())
            .unwrap();
        std::io::Write::write_all(&mut zip, &std::fs::read(dir.join(name)).unwrap()).unwrap();
    }
    zip.finish().unwrap();
    let report = e.ingest(&zip_path).await;
    assert_eq!(
        report.status,
        DeliveryStatus::Accepted,
        "{}",
        report.summary(vardhub_ingest::Lang::En)
    );
    assert_eq!(e.read_table("kontakter").await[0].num_rows(), 20);
}

#[tokio::test(flavor = "multi_thread")]
async fn parquet_delivery_is_read() {
    use datafusion::arrow::array::{ArrayRef, StringArray};
    use datafusion::arrow::datatypes::{DataType, Field, Schema};
    use std::sync::Arc;
    let e = env(true).await;
    let mut d = Delivery::new(&e.root, "d1").contacts(&Files::new(many_stays(8)), false);
    // Replace kontakter.csv by the same rows as a Parquet file of text columns.
    let text = String::from_utf8(d.files[0].2.clone()).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(';').collect();
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(';').collect()).collect();
    let schema = Arc::new(Schema::new(
        header
            .iter()
            .map(|h| Field::new(*h, DataType::Utf8, true))
            .collect::<Vec<_>>(),
    ));
    let columns: Vec<ArrayRef> = (0..header.len())
        .map(|c| {
            Arc::new(StringArray::from(
                rows.iter()
                    .map(|r| (!r[c].is_empty()).then_some(r[c]))
                    .collect::<Vec<_>>(),
            )) as ArrayRef
        })
        .collect();
    let batch = RecordBatch::try_new(schema.clone(), columns).unwrap();
    let mut buf = Vec::new();
    let mut w = datafusion::parquet::arrow::ArrowWriter::try_new(&mut buf, schema, None).unwrap();
    w.write(&batch).unwrap();
    w.close().unwrap();
    d.files[0] = (
        "kontakter".into(),
        "kontakter.parquet".into(),
        buf.clone(),
        buf,
    );
    d.parquet_rows = Some(8);
    let report = e.ingest(&d.write()).await;
    assert_eq!(
        report.status,
        DeliveryStatus::Accepted,
        "{}",
        report.summary(vardhub_ingest::Lang::En)
    );
    assert_eq!(e.read_table("kontakter").await[0].num_rows(), 8);
}

#[tokio::test(flavor = "multi_thread")]
async fn missing_manifest_and_missing_columns_are_clear() {
    let e = env(true).await;
    let dir = e.root.join("empty");
    std::fs::create_dir_all(&dir).unwrap();
    let report = e.ingest(&dir).await;
    assert_eq!(report.status, DeliveryStatus::Rejected);
    assert!(rules(&report).contains(&"manifest_missing"));

    let d = Delivery::new(&e.root, "d1")
        .contacts(&Files::new(many_stays(3)), false)
        .map_file("kontakter", |b| {
            let s = String::from_utf8(b).unwrap();
            s.replacen("kontakt_id;patient_id;", "kontakt_id;pnr;", 1)
                .into_bytes()
        });
    let mut d = d;
    d.files[0].3 = d.files[0].2.clone();
    let report = e.ingest(&d.write()).await;
    assert_eq!(report.status, DeliveryStatus::Rejected);
    let missing = report
        .issues
        .iter()
        .find(|i| i.rule == "column_missing")
        .unwrap();
    assert_eq!(missing.field.as_deref(), Some("patient_id"));
    assert!(rules(&report).contains(&"column_unknown"));
    assert!(
        report
            .summary(vardhub_ingest::Lang::Sv)
            .contains("obligatorisk kolumn saknas")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn national_population_extract_is_published_under_region_00() {
    let e = env(true).await;
    let numbers = test_numbers();
    let rows: Vec<String> = numbers[2000..2100]
        .iter()
        .map(|n| {
            format!(
                "{n};P;{}-{}-{};{};1280;",
                &n[..4],
                &n[4..6],
                &n[6..8],
                if n.as_bytes()[10] % 2 == 1 { 1 } else { 2 }
            )
        })
        .collect();
    let mut d = Delivery::new(&e.root, "pop").table(
        "befolkning",
        "personer",
        "person_id;person_id_typ;fodelsedatum;kon;folkbokforingskommun;avlidendatum",
        &rows,
    );
    d.region = "00".into();
    let report = e.ingest(&d.write()).await;
    assert_eq!(
        report.status,
        DeliveryStatus::Accepted,
        "{}",
        report.summary(vardhub_ingest::Lang::En)
    );
    assert_eq!(
        report.delivery_id.as_deref(),
        Some("befolkning-00-2024-03-v1")
    );
    let mut d = Delivery::new(&e.root, "pop-regional").table(
        "befolkning",
        "personer",
        "person_id;person_id_typ;fodelsedatum;kon;folkbokforingskommun;avlidendatum",
        &rows,
    );
    d.region = "12".into();
    let report = e.ingest(&d.write()).await;
    assert!(
        rules(&report).contains(&"manifest_region"),
        "a national collection comes from region 00"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn bed_census_rules_are_checked() {
    let e = env(true).await;
    let header = "sjukhus;enhet;datum;vardinriktning;mvo;disponibla;belagda;overbelaggningar;utlokaliserade;utskrivningsklara";
    let mut rows: Vec<String> = (1..=31)
        .flat_map(|day| {
            (1..=4).map(move |unit| format!("11001;AVD{unit};2024-03-{day:02};SOM;101;24;26;2;1;3"))
        })
        .collect();
    rows[7] = "11001;AVD4;2024-03-02;SOM;101;24;2;0;0;3".into(); // more ready-for-discharge than occupied
    let report = e
        .ingest(
            &Delivery::new(&e.root, "beds")
                .table("vardplatser", "enhetsdagar", header, &rows)
                .write(),
        )
        .await;
    assert_eq!(
        report.status,
        DeliveryStatus::AcceptedWithWarnings,
        "{}",
        report.summary(vardhub_ingest::Lang::En)
    );
    let issue = report
        .issues
        .iter()
        .find(|i| i.rule == "not_greater")
        .unwrap();
    assert_eq!(
        (issue.row, issue.field.as_deref()),
        (Some(9), Some("utskrivningsklara"))
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn waiting_time_status_and_dates_are_consistent() {
    let e = env(true).await;
    let numbers = test_numbers();
    let header = "arende_id;patient_id;patient_id_typ;kon;hemkommun;vardenhet;mvo;vantetyp;atgard;startdatum;status;genomford_datum;avvikelseorsak;medicinskt_maldatum";
    let mut rows: Vec<String> = (0..200)
        .map(|i| {
            format!(
                "A{i};{};P;2;0180;ORT1;301;OP;NFB49;2024-01-10;G;2024-03-12;;",
                numbers[3000 + i]
            )
        })
        .collect();
    rows[3] = format!(
        "A3;{};P;2;0180;ORT1;301;OP;NFB49;2024-01-10;V;2024-03-12;PvV;",
        numbers[3003]
    );
    let report = e
        .ingest(
            &Delivery::new(&e.root, "wait")
                .table("vantetider", "arenden", header, &rows)
                .write(),
        )
        .await;
    assert_eq!(report.status, DeliveryStatus::AcceptedWithWarnings);
    let issue = report
        .issues
        .iter()
        .find(|i| i.rule == "absent_if")
        .unwrap();
    assert_eq!(
        (issue.row, issue.field.as_deref()),
        (Some(5), Some("genomford_datum"))
    );
}

/// Files in the data directory are private: after an accepted and a rejected delivery, every
/// file the hub wrote (lake Parquet, catalogue with -wal/-shm, reports, lock) is 0600 and every
/// folder 0700, whatever the umask of the test process.
#[tokio::test(flavor = "multi_thread")]
async fn files_in_the_data_directory_are_private() {
    use std::os::unix::fs::PermissionsExt;
    let e = env(true).await;
    let ok = Delivery::new(&e.root, "ok")
        .contacts(&Files::new(many_stays(5)), false)
        .write();
    assert_eq!(e.ingest(&ok).await.status, DeliveryStatus::Accepted);
    let mut rows = many_stays(3);
    rows.push(stay("K99", "194501103296"));
    let bad = Delivery::new(&e.root, "bad")
        .contacts(&Files::new(rows), false)
        .write();
    assert_eq!(e.ingest(&bad).await.status, DeliveryStatus::Rejected);
    let mut files = 0;
    let mut stack = vec![e.hub.layout().root().to_owned()];
    while let Some(dir) = stack.pop() {
        let mode = std::fs::metadata(&dir).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o700, "{}", dir.display());
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600, "{}", path.display());
            files += 1;
        }
    }
    let lake_files = e.read_table("kontakter").await.len();
    assert!(lake_files > 0);
    assert!(
        files >= 8,
        "lake, catalogue, reports were checked ({files} files)"
    );
}
