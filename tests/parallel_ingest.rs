//! Ingesting many deliveries in parallel (`ingest_in_order`, what `vardhub ingest` and the demo
//! use) leaves the hub exactly as ingesting them one by one: the same reports, the same
//! decisions, the same delivery ids and byte-identical lake files.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use vardhub_domain::{Encoding, Period};
use vardhub_ingest::{IngestOptions, NoProgress, Progress, Pseudonymiser};
use vardhub_store::Hub;

fn deliveries(out: &Path) -> Vec<PathBuf> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(out)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("manifest.json").exists())
        .collect();
    paths.sort();
    paths
}

/// A report as JSON without what differs between two runs by nature (time and source path).
fn comparable(report: &vardhub_ingest::ValidationReport) -> serde_json::Value {
    let mut v = serde_json::to_value(report).unwrap();
    let o = v.as_object_mut().unwrap();
    o.remove("received_at");
    o.remove("source");
    v
}

/// (id, collection, region, period, version, [(table, rows, sha256)]) of every current delivery.
type Published = Vec<(
    String,
    String,
    String,
    String,
    i64,
    Vec<(String, i64, String)>,
)>;

async fn published(hub: &Hub) -> Published {
    let snapshot = hub.snapshot(None, None).await.unwrap();
    let mut out: Published = snapshot
        .deliveries
        .iter()
        .map(|d| {
            (
                d.id.clone(),
                d.collection.clone(),
                d.region.clone(),
                d.period.clone(),
                d.version,
                d.files
                    .iter()
                    .map(|f| (f.table.clone(), f.rows, f.sha256.clone()))
                    .collect(),
            )
        })
        .collect();
    out.sort();
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn parallel_ingest_equals_ingest_one_by_one() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("deliveries");
    vardhub_synth::generate(
        &vardhub_synth::SynthOptions {
            out: out.clone(),
            scale: 0.002,
            seed: 5,
            from: Period::parse("2024-01").unwrap(),
            to: Period::parse("2024-02").unwrap(),
            encoding: Encoding::Utf8,
            // Defects give findings, flags and one rejected (truncated) delivery to compare too.
            defects: 0.01,
        },
        &vardhub_synth::NoProgress,
    )
    .unwrap();
    let paths = deliveries(&out);
    assert!(paths.len() > 100);
    let pseudonymiser = Arc::new(Pseudonymiser::from_master(&[3; 32], 1));
    let options = IngestOptions {
        specs: None,
        actor: "test".into(),
        expect_region: None,
    };

    // One by one.
    let audit = vardhub_store::AuditKey::create(&tmp.path().join("serial-keys")).unwrap();
    let serial = Hub::init(
        tmp.path().join("serial"),
        true,
        vardhub_store::HubId::random(),
        audit,
    )
    .await
    .unwrap();
    let lock = serial.lock_writer().await.unwrap();
    let mut serial_reports = Vec::new();
    for p in &paths {
        let o = vardhub_ingest::ingest(&serial, &lock, p, &pseudonymiser, &options, &NoProgress)
            .await
            .unwrap();
        serial_reports.push(comparable(&o.report));
    }
    drop(lock);

    // In parallel, finished in order.
    let audit = vardhub_store::AuditKey::create(&tmp.path().join("parallel-keys")).unwrap();
    let parallel = Hub::init(
        tmp.path().join("parallel"),
        true,
        vardhub_store::HubId::random(),
        audit,
    )
    .await
    .unwrap();
    let lock = parallel.lock_writer().await.unwrap();
    let mut parallel_reports = Vec::new();
    let mut order = Vec::new();
    vardhub_ingest::ingest_in_order(
        &parallel,
        &lock,
        &paths,
        &pseudonymiser,
        &options,
        3,
        |_| Arc::new(NoProgress) as Arc<dyn Progress>,
        |path, o| {
            order.push(path.to_owned());
            parallel_reports.push(comparable(&o.report));
        },
    )
    .await
    .unwrap();
    drop(lock);

    assert_eq!(order, paths, "outcomes come back in the given order");
    let rejected = serial_reports
        .iter()
        .filter(|r| r["status"] == "rejected")
        .count();
    assert!(rejected >= 1, "the defects include a rejected delivery");
    for (i, (s, p)) in serial_reports.iter().zip(&parallel_reports).enumerate() {
        assert_eq!(s, p, "report of {}", paths[i].display());
    }
    assert_eq!(serial_reports.len(), parallel_reports.len());
    assert_eq!(published(&serial).await, published(&parallel).await);
}
