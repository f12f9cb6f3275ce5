use super::*;
use sha2::{Digest, Sha256};
use vardhub_store::{AuditKey, HubId};

async fn hub(dir: &std::path::Path) -> Hub {
    let key = AuditKey::create(&dir.join("keys")).unwrap();
    Hub::init(dir.join("hub"), true, HubId::random(), key)
        .await
        .unwrap()
}

fn who(user: &'static str, region: &str) -> Uploader<'static> {
    Uploader {
        user,
        region: RegionCode::parse(region).unwrap(),
    }
}

fn sha(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Create, send in one chunk and complete an upload of `bytes`.
async fn queued(hub: &Hub, who: &Uploader<'_>, bytes: &[u8]) -> Upload {
    let up = create(hub, who, "leverans.zip", bytes.len() as u64, &sha(bytes))
        .await
        .unwrap();
    append(hub, who, up.id.as_str(), 0, bytes.to_vec())
        .await
        .unwrap();
    complete(hub, who, up.id.as_str()).await.unwrap()
}

#[tokio::test]
async fn declared_values_are_checked_before_anything_is_stored() {
    let tmp = tempfile::tempdir().unwrap();
    let hub = hub(tmp.path()).await;
    let a = who("reg_a", "01");
    let good = sha(b"x");
    let long = format!("{}.zip", "a".repeat(200));
    for (name, size, digest, field) in [
        ("", 1, good.as_str(), "filename"),
        (long.as_str(), 1, good.as_str(), "filename"),
        ("../../catalogue.zip", 1, good.as_str(), "filename"),
        ("a\nb.zip", 1, good.as_str(), "filename"),
        ("leverans.csv", 1, good.as_str(), "filename"),
        ("leverans.zip", 0, good.as_str(), "size"),
        ("leverans.zip", 1, "abc", "sha256"),
        ("leverans.zip", 1, &good[1..], "sha256"),
    ] {
        match create(&hub, &a, name, size, digest).await {
            Err(UploadError::Invalid { field: f, .. }) => assert_eq!(f, field, "{name:?}"),
            other => panic!("{name:?} {size} {digest}: {other:?}"),
        }
    }
    let err = create(&hub, &a, "stor.zip", MAX_UPLOAD_BYTES + 1, &good)
        .await
        .unwrap_err();
    assert!(matches!(err, UploadError::TooLarge { .. }), "{err}");
    assert!(list(&hub, &a).await.unwrap().is_empty());
    // An identity number in a file name never reaches the catalogue; the SHA-256 is lowercased.
    let up = create(&hub, &a, "19800102-2386.ZIP", 1, &good.to_uppercase())
        .await
        .unwrap();
    assert!(!up.filename.contains("19800102"), "{}", up.filename);
    assert!(!up.filename.contains("0102-2386"), "{}", up.filename);
    assert_eq!(up.sha256, good);
    assert_eq!(up.region, "01");
    assert_eq!(up.user, "reg_a");
}

#[tokio::test]
async fn another_regions_upload_does_not_exist_for_it() {
    let tmp = tempfile::tempdir().unwrap();
    let hub = hub(tmp.path()).await;
    let (a, b) = (who("reg_a", "01"), who("reg_b", "12"));
    let up = create(&hub, &a, "leverans.zip", 3, &sha(b"abc"))
        .await
        .unwrap();
    let id = up.id.as_str();
    let not_found = |r: Result<Upload, UploadError>| {
        assert!(
            matches!(r, Err(UploadError::Inbox(InboxError::NotFound))),
            "{r:?}"
        );
    };
    not_found(own(&hub, &b, id).await);
    not_found(append(&hub, &b, id, 0, b"abc".to_vec()).await);
    not_found(complete(&hub, &b, id).await);
    not_found(own(&hub, &a, "../../catalogue.sqlite").await);
    assert!(list(&hub, &b).await.unwrap().is_empty());
    // Nothing of region 12's attempts reached the upload.
    let mine = own(&hub, &a, id).await.unwrap();
    assert_eq!(mine.offset, 0);
    assert_eq!(mine.status, UploadStatus::Receiving);
    assert_eq!(list(&hub, &a).await.unwrap(), vec![mine]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_worker_ingests_the_next_queued_upload_and_records_its_report() {
    let tmp = tempfile::tempdir().unwrap();
    let hub = hub(tmp.path()).await;
    let pseudo = Pseudonymiser::from_master(&[7; 32], 1);
    let options = WorkerOptions::default();
    assert!(
        process_next(&hub, &pseudo, &options)
            .await
            .unwrap()
            .is_none()
    );
    // Not a zip at all: the ingest rejects it with a report; the worker records that.
    let a = who("reg_a", "01");
    let up = queued(&hub, &a, b"PK? not really a zip file").await;
    assert_eq!(up.status, UploadStatus::Queued);
    let done = process_next(&hub, &pseudo, &options)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(done.upload.id, up.id);
    assert_eq!(done.upload.status, UploadStatus::Rejected);
    assert!(done.hub_error.is_none());
    let report = done.report.unwrap();
    assert_eq!(report.status, DeliveryStatus::Rejected);
    assert!(
        report
            .issues
            .iter()
            .any(|i| i.severity == vardhub_ingest::Severity::Fatal),
        "{:?}",
        report.issues
    );
    assert!(report.source.contains(up.id.as_str()), "{}", report.source);
    assert!(
        !report.source.contains("inbox"),
        "no hub path: {}",
        report.source
    );
    // The stored report is the one returned; the bytes are gone; nothing else waits.
    let stored = own(&hub, &a, up.id.as_str()).await.unwrap();
    let again = super::report(&stored).unwrap().unwrap();
    assert_eq!(
        serde_json::to_value(&again).unwrap(),
        serde_json::to_value(&report).unwrap()
    );
    assert!(!hub.upload_path(&up.id).exists());
    assert!(
        process_next(&hub, &pseudo, &options)
            .await
            .unwrap()
            .is_none()
    );
    let ingest = hub
        .audit_entries()
        .await
        .unwrap()
        .into_iter()
        .find(|e| e.action == "deliveries.ingest")
        .unwrap();
    assert_eq!(ingest.actor, "reg_a");
    assert_eq!(ingest.object, up.id.as_str());
    assert!(
        ingest.details.starts_with("status=rejected region=01"),
        "{}",
        ingest.details
    );
}
