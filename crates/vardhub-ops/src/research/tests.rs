//! Research releases against a real hub: synthetic deliveries of three regions and three months
//! through the real ingest, then releases read back from disk.

use super::*;
use chrono::{Datelike, NaiveDate, Timelike};
use datafusion::arrow::array::{Array, AsArray, RecordBatchReader};
use datafusion::arrow::datatypes::{DataType, TimeUnit};
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use sha2::{Digest, Sha256};
use std::collections::{BTreeSet, HashSet};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use vardhub_domain::RegionCode;
use vardhub_ingest::{IngestOptions, NoProgress, Pseudonymiser, ReleaseScope};
use vardhub_store::{AuditKey, HubId};

/// Regions delivered to the test hub; the projects approve the first two.
const DELIVERED: [&str; 3] = ["01", "12", "13"];
/// The day releases are made (inside the approval).
const TODAY: (i32, u32, u32) = (2025, 6, 1);

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(TODAY.0, TODAY.1, TODAY.2).unwrap()
}

fn pseudonymiser() -> Pseudonymiser {
    Pseudonymiser::from_master(&[5; 32], 1)
}

/// Synthetic deliveries, generated once per test binary.
fn deliveries() -> &'static [PathBuf] {
    static DELIVERIES: OnceLock<Vec<PathBuf>> = OnceLock::new();
    DELIVERIES.get_or_init(|| {
        let out = tempfile::tempdir().unwrap().keep().join("deliveries");
        vardhub_synth::generate(
            &vardhub_synth::SynthOptions {
                out: out.clone(),
                scale: 0.002,
                seed: 15,
                from: vardhub_domain::Period::parse("2024-01").unwrap(),
                to: vardhub_domain::Period::parse("2024-03").unwrap(),
                encoding: vardhub_domain::Encoding::Utf8,
                defects: 0.0,
            },
            &vardhub_synth::NoProgress,
        )
        .unwrap();
        let mut found: Vec<PathBuf> = std::fs::read_dir(&out)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| {
                let name = p.file_name().unwrap().to_string_lossy().into_owned();
                DELIVERED
                    .iter()
                    .any(|r| name.starts_with(&format!("vardkontakter-{r}-")))
            })
            .collect();
        found.sort();
        found
    })
}

async fn empty_hub(dir: &Path) -> Hub {
    let audit = AuditKey::create(&dir.join("keys")).unwrap();
    Hub::init(dir.join("hub"), true, HubId::random(), audit)
        .await
        .unwrap()
}

async fn hub_with_data(dir: &Path) -> Hub {
    let hub = empty_hub(dir).await;
    let lock = hub.lock_writer().await.unwrap();
    let opts = IngestOptions {
        specs: None,
        actor: "test".into(),
        expect_region: None,
    };
    for d in deliveries() {
        let o = vardhub_ingest::ingest(&hub, &lock, d, &pseudonymiser(), &opts, &NoProgress)
            .await
            .unwrap();
        assert!(
            o.accepted(),
            "{}",
            o.report.summary(vardhub_ingest::Lang::En)
        );
    }
    drop(lock);
    hub
}

/// A project file: regions 01 and 12, January–February 2024, ages 50 and over, months.
fn project_file(id: &str) -> String {
    format!(
        r#"
id = "{id}"
title = "Testprojekt"
principal_investigator = "Petra Provsson"
organisation = "Testuniversitetet"
purpose = "Att pröva utlämningen."
legal_basis = "gdpr-6-1-e-9-2-j"
date_coarsening = "month"
retention_end = "2030-12-31"

[ethics]
dnr = "2025-01234-01"
valid_from = "2025-01-01"
valid_to = "2026-12-31"

[population]
regions = ["01", "12"]
from = "2024-01"
to = "2024-02"
age_min = 50

[[selection]]
collection = "vardkontakter"
table = "kontakter"
variables = ["kontakt_id", "patient_id", "alder", "inskrivningsdatum", "utskrivningsdatum", "hdia", "region", "period"]

[[selection]]
collection = "vardkontakter"
table = "diagnoser"
variables = ["kontakt_id", "ordning", "kod"]

[[selection]]
collection = "vardkontakter"
table = "atgarder"
variables = ["kontakt_id", "kod", "datumtid"]
"#
    )
}

async fn add(hub: &Hub, id: &str) {
    add_project(hub, &SpecSet::builtin(), &project_file(id), "centre")
        .await
        .unwrap();
}

async fn release(
    hub: &Hub,
    project: &str,
    out: &Path,
    variables: Option<&[String]>,
    day: NaiveDate,
) -> Result<ReleaseSummary, ResearchError> {
    let specs = SpecSet::builtin();
    let req = ReleaseRequest {
        project,
        variables,
        out_dir: out,
        today: day,
        actor: "centre",
    };
    build_release(hub, &specs, &pseudonymiser(), &req).await
}

fn read(path: &Path) -> RecordBatch {
    let file = std::fs::File::open(path).unwrap();
    let reader = ParquetRecordBatchReaderBuilder::try_new(file)
        .unwrap()
        .build()
        .unwrap();
    let schema = reader.schema();
    let batches: Vec<RecordBatch> = reader.map(Result::unwrap).collect();
    datafusion::arrow::compute::concat_batches(&schema, &batches).unwrap()
}

fn strings(batch: &RecordBatch, column: &str) -> Vec<String> {
    let c = batch
        .column_by_name(column)
        .unwrap_or_else(|| panic!("no column {column}"));
    let c = datafusion::arrow::compute::cast(c, &DataType::Utf8).unwrap();
    c.as_string::<i32>()
        .iter()
        .map(|v| v.unwrap_or("").to_owned())
        .collect()
}

fn names(batch: &RecordBatch) -> Vec<String> {
    batch
        .schema()
        .fields()
        .iter()
        .map(|f| f.name().clone())
        .collect()
}

/// The lake's rows of a table in the approved population (regions 01, 12; January–February).
async fn lake(hub: &Hub, table: &str) -> Vec<(String, RecordBatch)> {
    let snapshot = hub.snapshot(Some("vardkontakter"), None).await.unwrap();
    snapshot
        .deliveries
        .iter()
        .filter(|d| ["01", "12"].contains(&d.region.as_str()))
        .filter(|d| ["2024-01", "2024-02"].contains(&d.period.as_str()))
        .flat_map(|d| d.files.iter().map(move |f| (d, f)))
        .filter(|(_, f)| f.table == table)
        .map(|(d, f)| (d.region.clone(), read(&f.path)))
        .collect()
}

#[test]
fn the_derived_column_names_are_the_lakes() {
    use vardhub_domain::research as r;
    use vardhub_ingest::columns as c;
    assert_eq!(r::AGE_COLUMN, c::AGE_COLUMN);
    assert_eq!(r::DERIVED_SEX_COLUMN, c::DERIVED_SEX_COLUMN);
    assert_eq!(r::REGION_COLUMN, c::REGION_COLUMN);
    assert_eq!(r::PERIOD_COLUMN, c::PERIOD_COLUMN);
}

/// Done when: a release holds only approved variables and population (regions, months, ages);
/// tokens join the project's own tables; dates are coarsened; the files' checksums are those of
/// the release log; a variable that is not approved is refused (and audited).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_release_holds_only_the_approved_selection_and_is_logged() {
    let tmp = tempfile::tempdir().unwrap();
    let hub = hub_with_data(tmp.path()).await;
    add(&hub, "projekt-a").await;
    let out = tmp.path().join("ut");
    let summary = release(&hub, "projekt-a", &out, None, today())
        .await
        .unwrap();
    assert_eq!(summary.folder, out.join("projekt-a-r1"));

    // Only the approved variables, in the lake's order, never `kalla_rad` or anything else.
    let kontakter = read(&summary.folder.join("vardkontakter.kontakter.parquet"));
    assert_eq!(
        names(&kontakter),
        [
            "kontakt_id",
            "patient_pseudonym",
            "inskrivningsdatum",
            "utskrivningsdatum",
            "hdia",
            "alder",
            "region",
            "period"
        ]
    );
    let diagnoser = read(&summary.folder.join("vardkontakter.diagnoser.parquet"));
    assert_eq!(names(&diagnoser), ["kontakt_id", "ordning", "kod"]);
    let atgarder = read(&summary.folder.join("vardkontakter.atgarder.parquet"));
    assert_eq!(names(&atgarder), ["kontakt_id", "kod", "datumtid"]);

    // Only the approved population: exactly the lake's rows of regions 01 and 12, January and
    // February, aged 50 or more.
    let regions: BTreeSet<String> = strings(&kontakter, "region").into_iter().collect();
    assert_eq!(regions, BTreeSet::from(["01".into(), "12".into()]));
    let periods: BTreeSet<String> = strings(&kontakter, "period").into_iter().collect();
    assert_eq!(
        periods,
        BTreeSet::from(["2024-01".into(), "2024-02".into()])
    );
    let ages: Vec<i64> = strings(&kontakter, "alder")
        .iter()
        .map(|a| a.parse().unwrap())
        .collect();
    assert!(ages.iter().all(|a| *a >= 50));
    // Kept contacts per (region, lake kontakt_id), counted from the lake itself.
    let mut kept: HashSet<(String, String)> = HashSet::new();
    let mut lake_rows = 0;
    for (region, b) in lake(&hub, "kontakter").await {
        for (id, age) in strings(&b, "kontakt_id")
            .into_iter()
            .zip(strings(&b, "alder"))
        {
            if age.parse::<i64>().is_ok_and(|a| a >= 50) {
                kept.insert((region.clone(), id));
                lake_rows += 1;
            }
        }
    }
    assert!(lake_rows > 50, "too few rows to test: {lake_rows}");
    assert_eq!(kontakter.num_rows(), lake_rows);
    let lake_diagnoser: usize = lake(&hub, "diagnoser")
        .await
        .iter()
        .map(|(region, b)| {
            strings(b, "kontakt_id")
                .into_iter()
                .filter(|id| kept.contains(&(region.clone(), id.clone())))
                .count()
        })
        .sum();
    assert_eq!(diagnoser.num_rows(), lake_diagnoser);
    assert!(lake_diagnoser > 0);

    // Tokens: no lake id is released, and the project's tables join on them.
    let tokens: HashSet<String> = strings(&kontakter, "kontakt_id").into_iter().collect();
    assert_eq!(tokens.len(), kontakter.num_rows(), "one token per contact");
    assert!(kept.iter().all(|(_, id)| !tokens.contains(id)));
    assert!(tokens.iter().all(|t| t.len() == 32));
    for child in [&diagnoser, &atgarder] {
        assert!(
            strings(child, "kontakt_id")
                .iter()
                .all(|t| tokens.contains(t)),
            "a child row whose contact is not released"
        );
    }

    // Dates coarsened to the month, timestamps with a proper logical type.
    for (batch, column) in [
        (&kontakter, "inskrivningsdatum"),
        (&kontakter, "utskrivningsdatum"),
        (&atgarder, "datumtid"),
    ] {
        let c = batch.column_by_name(column).unwrap();
        assert_eq!(
            c.data_type(),
            &DataType::Timestamp(TimeUnit::Millisecond, None)
        );
        let ts = c.as_primitive::<datafusion::arrow::datatypes::TimestampMillisecondType>();
        assert!(ts.null_count() < ts.len());
        for t in ts.iter().flatten() {
            let t = chrono::DateTime::from_timestamp_millis(t)
                .unwrap()
                .naive_utc();
            assert_eq!((t.day(), t.hour(), t.minute()), (1, 0, 0), "{column} {t}");
        }
    }
    let pq = std::fs::File::open(summary.folder.join("vardkontakter.kontakter.parquet")).unwrap();
    let meta = ParquetRecordBatchReaderBuilder::try_new(pq).unwrap();
    let descr = meta.metadata().file_metadata().schema_descr();
    let logical = descr.column(2).logical_type_ref().cloned();
    assert!(
        matches!(
            logical,
            Some(datafusion::parquet::basic::LogicalType::Timestamp { .. })
        ),
        "{logical:?}"
    );

    // CSV beside Parquet: a header and the same rows.
    let csv = std::fs::read_to_string(summary.folder.join("vardkontakter.kontakter.csv")).unwrap();
    let mut lines = csv.lines();
    assert_eq!(lines.next().unwrap(), names(&kontakter).join(","));
    assert_eq!(lines.count(), kontakter.num_rows());
    // The data dictionary: one row per released column, Swedish and English.
    let dict = std::fs::read_to_string(summary.folder.join(DICTIONARY_CSV)).unwrap();
    assert_eq!(dict.lines().count(), 1 + 8 + 3 + 3);
    assert!(dict.contains("patient_pseudonym,patient_id"));
    assert!(dict.contains("pseudonymiserad med projektets egen nyckel"));
    assert!(dict.contains("avrundad till månad"));
    assert!(
        std::fs::read_to_string(summary.folder.join(DICTIONARY_MD))
            .unwrap()
            .contains("2025-01234-01")
    );

    // The release log: the files with checksums that match the disk, the deliveries read.
    let log = hub.research_releases(None).await.unwrap();
    assert_eq!(log.len(), 1);
    let r = &log[0].release;
    assert_eq!(r, &summary.record.release);
    let on_disk: BTreeSet<String> = std::fs::read_dir(&summary.folder)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    let logged: BTreeSet<String> = r.files.iter().map(|f| f.name.clone()).collect();
    assert_eq!(on_disk, logged);
    assert_eq!(logged.len(), 8);
    for f in &r.files {
        let bytes = std::fs::read(summary.folder.join(&f.name)).unwrap();
        assert_eq!(f.sha256, hex::encode(Sha256::digest(&bytes)), "{}", f.name);
        assert_eq!(f.bytes, bytes.len() as u64);
    }
    assert_eq!(r.data_versions.len(), 4, "{:?}", r.data_versions);
    assert!(
        r.data_versions
            .iter()
            .all(|d| d.starts_with("vardkontakter-01-2024-0")
                || d.starts_with("vardkontakter-12-2024-0"))
    );
    assert!(r.data_versions.iter().all(|d| !d.contains("2024-03")));
    assert_eq!(r.spec_versions["vardkontakter"], ["1.0.0"]);
    let public = public_projects(&hub).await.unwrap();
    assert_eq!(public[0].releases[0].files, r.files);
    assert!(
        !serde_json::to_string(&public)
            .unwrap()
            .contains("Petra Provsson")
    );

    // A requested subset: only those variables, only the tables that have them.
    let wanted = ["kontakter.hdia".to_owned(), "kontakt_id".to_owned()];
    let subset = release(&hub, "projekt-a", &out, Some(&wanted), today())
        .await
        .unwrap();
    let k = read(&subset.folder.join("vardkontakter.kontakter.parquet"));
    assert_eq!(names(&k), ["kontakt_id", "hdia"]);
    assert_eq!(subset.tables.len(), 3);

    // A variable that is not approved is refused, named, and audited.
    let wanted = ["kontakt_id".to_owned(), "kpp_kostnad".to_owned()];
    let err = release(&hub, "projekt-a", &out, Some(&wanted), today())
        .await
        .unwrap_err();
    assert!(
        matches!(&err, ResearchError::NotApproved(v) if v == "kpp_kostnad"),
        "{err}"
    );
    assert!(err.is_refusal());
    assert_eq!(err.who_must_act(), WhoMustAct::Requester);
    let refused = hub
        .audit_entries()
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.action == "research.release.refused")
        .map(|e| (e.object, e.details))
        .collect::<Vec<_>>();
    assert_eq!(
        refused,
        vec![("projekt-a".into(), "not_approved: kpp_kostnad".into())]
    );
    assert_eq!(hub.research_releases(None).await.unwrap().len(), 2);
    assert!(!out.join("projekt-a-r3").exists());
}

fn patients(folder: &Path) -> Vec<String> {
    strings(
        &read(&folder.join("vardkontakter.kontakter.parquet")),
        "patient_pseudonym",
    )
}

/// Done when: the same patient's pseudonym differs between two projects, between a project and
/// every region's release pseudonyms and the lake's, and is stable within one project across
/// releases; tokens differ between projects too.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pseudonyms_are_the_projects_own_and_stable_across_its_releases() {
    let tmp = tempfile::tempdir().unwrap();
    let hub = hub_with_data(tmp.path()).await;
    add(&hub, "projekt-a").await;
    add(&hub, "projekt-b").await;
    let out = tmp.path().join("ut");
    let a1 = release(&hub, "projekt-a", &out, None, today())
        .await
        .unwrap();
    let a2 = release(&hub, "projekt-a", &out, None, today())
        .await
        .unwrap();
    let b1 = release(&hub, "projekt-b", &out, None, today())
        .await
        .unwrap();

    // Stable within the project: the same rows, the same pseudonyms and tokens.
    let (pa1, pa2, pb) = (
        patients(&a1.folder),
        patients(&a2.folder),
        patients(&b1.folder),
    );
    assert_eq!(pa1, pa2);
    let ka1 = read(&a1.folder.join("vardkontakter.kontakter.parquet"));
    let ka2 = read(&a2.folder.join("vardkontakter.kontakter.parquet"));
    let kb = read(&b1.folder.join("vardkontakter.kontakter.parquet"));
    assert_eq!(strings(&ka1, "kontakt_id"), strings(&ka2, "kontakt_id"));
    // The same rows in the same order in both projects: row by row, another pseudonym.
    assert_eq!(pa1.len(), pb.len());
    assert!(pa1.iter().zip(&pb).all(|(a, b)| a != b));

    // Per patient, from the lake: the project's pseudonym is the project scope's, and differs
    // from the lake's, the other project's and every region's release pseudonym.
    let p = pseudonymiser();
    let scope_a = p.for_release(&ReleaseScope::Project("projekt-a".into()));
    let scope_b = p.for_release(&ReleaseScope::Project("projekt-b".into()));
    let regions: Vec<_> = RegionCode::all()
        .map(|r| p.for_release(&ReleaseScope::Region(r)))
        .collect();
    let mut lake_patients: Vec<String> = Vec::new();
    for (_, b) in lake(&hub, "kontakter").await {
        for (pseudonym, age) in strings(&b, "patient_pseudonym")
            .into_iter()
            .zip(strings(&b, "alder"))
        {
            if age.parse::<i64>().is_ok_and(|a| a >= 50) {
                lake_patients.push(pseudonym);
            }
        }
    }
    assert_eq!(lake_patients.len(), pa1.len());
    let mut released_a: HashSet<&str> = HashSet::new();
    for (lake_p, (a, b)) in lake_patients.iter().zip(pa1.iter().zip(&pb)) {
        assert_eq!(a, &scope_a.pseudonym(lake_p));
        assert_eq!(b, &scope_b.pseudonym(lake_p));
        assert_ne!(a, lake_p);
        for r in &regions {
            assert_ne!(a, &r.pseudonym(lake_p));
        }
        released_a.insert(a);
    }
    // And as sets: nothing released to project a appears in the lake, in project b's release or
    // in any region's hemhämtning of these patients.
    let lake_set: HashSet<&str> = lake_patients.iter().map(String::as_str).collect();
    let b_set: HashSet<&str> = pb.iter().map(String::as_str).collect();
    let region_set: HashSet<String> = lake_patients
        .iter()
        .flat_map(|l| regions.iter().map(move |r| r.pseudonym(l)))
        .collect();
    assert!(released_a.is_disjoint(&lake_set));
    assert!(released_a.is_disjoint(&b_set));
    assert!(released_a.iter().all(|a| !region_set.contains(*a)));
    // The same patient appears with one pseudonym: as many distinct pseudonyms as in the lake.
    assert_eq!(released_a.len(), lake_set.len());

    // Tokens are the project's own as well.
    let ta: HashSet<String> = strings(&ka1, "kontakt_id").into_iter().collect();
    let tb: HashSet<String> = strings(&kb, "kontakt_id").into_iter().collect();
    assert!(ta.is_disjoint(&tb));
    assert!(ta.iter().all(|t| !released_a.contains(t.as_str())));

    // The log has three releases, two of them project a's.
    let a = ProjectId::parse("projekt-a").unwrap();
    let log: Vec<String> = hub
        .research_releases(Some(&a))
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.release.id)
        .collect();
    assert_eq!(log, ["projekt-a-r1", "projekt-a-r2"]);
    assert_eq!(hub.research_releases(None).await.unwrap().len(), 3);
}

/// Done when: a release after the ethics approval has expired is refused and audited (so are
/// one before it is valid, after the retention end, and for an unknown project); nothing is
/// written or logged.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_release_outside_the_approval_is_refused_and_audited() {
    let tmp = tempfile::tempdir().unwrap();
    let hub = empty_hub(tmp.path()).await;
    add(&hub, "projekt-a").await;
    let out = tmp.path().join("ut");
    let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
    let expired = release(&hub, "projekt-a", &out, None, day(2027, 1, 1))
        .await
        .unwrap_err();
    assert!(
        matches!(
            expired,
            ResearchError::Blocked(vardhub_domain::research::ReleaseBlock::Expired(d)) if d == day(2026, 12, 31)
        ),
        "{expired}"
    );
    assert_eq!(expired.who_must_act(), WhoMustAct::Centre);
    let early = release(&hub, "projekt-a", &out, None, day(2024, 12, 31))
        .await
        .unwrap_err();
    assert!(matches!(
        early,
        ResearchError::Blocked(vardhub_domain::research::ReleaseBlock::NotYetValid(_))
    ));
    let unknown = release(&hub, "projekt-x", &out, None, today())
        .await
        .unwrap_err();
    assert!(matches!(unknown, ResearchError::UnknownProject(_)));
    let garbage = release(&hub, "19800102-2386", &out, None, today())
        .await
        .unwrap_err();
    assert!(!garbage.to_string().contains("19800102"), "{garbage}");
    // Valid day, but nothing delivered.
    let empty = release(&hub, "projekt-a", &out, None, today())
        .await
        .unwrap_err();
    assert!(matches!(empty, ResearchError::NoData));

    let refused: Vec<(String, String)> = hub
        .audit_entries()
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.action == "research.release.refused")
        .map(|e| (e.object, e.details))
        .collect();
    let codes: Vec<(&str, &str)> = refused
        .iter()
        .map(|(o, d)| (o.as_str(), d.split(':').next().unwrap()))
        .collect();
    assert_eq!(
        codes,
        [
            ("projekt-a", "ethics_expired"),
            ("projekt-a", "ethics_not_yet_valid"),
            ("projekt-x", "unknown_project"),
            ("?", "unknown_project"),
            ("projekt-a", "no_data"),
        ]
    );
    assert!(refused.iter().all(|(_, d)| !d.contains("19800102")));
    assert!(hub.verify_audit().await.unwrap().is_ok());
    assert!(hub.research_releases(None).await.unwrap().is_empty());
    assert!(!out.exists());
    // A project file's errors name the field; an existing id is a conflict.
    let bad = project_file("projekt-c").replace("2025-01234-01", "2018-01234-01");
    let e = add_project(&hub, &SpecSet::builtin(), &bad, "centre")
        .await
        .unwrap_err();
    assert!(e.to_string().starts_with("ethics.dnr"), "{e}");
    let e = add_project(
        &hub,
        &SpecSet::builtin(),
        &project_file("projekt-a"),
        "centre",
    )
    .await
    .unwrap_err();
    assert_eq!(e.who_must_act(), WhoMustAct::Requester);
}
