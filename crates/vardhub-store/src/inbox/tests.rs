use super::*;
use crate::hub::test_hub;
use std::os::unix::fs::PermissionsExt;

fn sha(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

async fn new_upload(hub: &Hub, region: &str, bytes: &[u8]) -> Upload {
    let digest = sha(bytes);
    hub.create_upload(&NewUpload {
        region,
        user: "reg_a",
        filename: "leverans.zip",
        size: bytes.len() as u64,
        sha256: &digest,
    })
    .await
    .unwrap()
}

fn mode(path: &std::path::Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[tokio::test]
async fn an_upload_is_received_in_chunks_at_the_hubs_offset_completed_claimed_and_finished() {
    let tmp = tempfile::tempdir().unwrap();
    let hub = test_hub(tmp.path()).await;
    let bytes: Vec<u8> = (0..10_000u32).map(|i| (i % 251) as u8).collect();
    let up = new_upload(&hub, "01", &bytes).await;
    assert_eq!(up.status, UploadStatus::Receiving);
    assert_eq!(up.offset, 0);
    let path = hub.upload_path(&up.id);
    assert_eq!(mode(&path), 0o600);
    assert_eq!(mode(&hub.inbox_dir()), 0o700);

    let up1 = hub
        .append_upload(&up.id, 0, bytes[..4000].to_vec())
        .await
        .unwrap();
    assert_eq!(up1.offset, 4000);
    // The same chunk again (a client that did not see the answer) and one out of order.
    for at in [0, 6000] {
        let err = hub
            .append_upload(&up.id, at, bytes[at as usize..].to_vec())
            .await
            .unwrap_err();
        assert!(
            matches!(err, InboxError::WrongOffset { current: 4000 }),
            "{err}"
        );
    }
    // Not beyond the declared size.
    let mut long = bytes[4000..].to_vec();
    long.push(0);
    let err = hub.append_upload(&up.id, 4000, long).await.unwrap_err();
    assert!(
        matches!(
            err,
            InboxError::BeyondSize {
                size: 10_000,
                end: 10_001
            }
        ),
        "{err}"
    );
    // Completion before the last byte is refused and changes nothing.
    let err = hub.complete_upload(&up.id, "reg_a").await.unwrap_err();
    assert!(
        matches!(
            err,
            InboxError::Incomplete {
                offset: 4000,
                size: 10_000
            }
        ),
        "{err}"
    );
    let up2 = hub
        .append_upload(&up.id, 4000, bytes[4000..].to_vec())
        .await
        .unwrap();
    assert_eq!(up2.offset, 10_000);
    assert_eq!(std::fs::read(&path).unwrap(), bytes);

    // Nothing is claimed before completion.
    let lock = hub.lock_writer().await.unwrap();
    assert!(hub.claim_upload(&lock).await.unwrap().is_none());
    let queued = hub.complete_upload(&up.id, "reg_a").await.unwrap();
    assert_eq!(queued.status, UploadStatus::Queued);
    let err = hub.append_upload(&up.id, 10_000, vec![]).await.unwrap_err();
    assert!(
        matches!(err, InboxError::NotReceiving(UploadStatus::Queued)),
        "{err}"
    );
    let err = hub.complete_upload(&up.id, "reg_a").await.unwrap_err();
    assert!(matches!(
        err,
        InboxError::NotReceiving(UploadStatus::Queued)
    ));

    let claimed = hub.claim_upload(&lock).await.unwrap().unwrap();
    assert_eq!(claimed.id, up.id);
    assert_eq!(claimed.status, UploadStatus::Processing);
    assert!(
        hub.claim_upload(&lock).await.unwrap().is_some(),
        "a processing upload is claimed again after a crash"
    );
    let done = hub
        .finish_upload(
            &lock,
            &up.id,
            UploadStatus::Published,
            Some("vardkontakter-01-2024-04-v1"),
            Some("{\"status\":\"accepted\"}"),
            None,
        )
        .await
        .unwrap();
    assert_eq!(done.status, UploadStatus::Published);
    assert_eq!(
        done.delivery_id.as_deref(),
        Some("vardkontakter-01-2024-04-v1")
    );
    assert_eq!(
        done.report_json.as_deref(),
        Some("{\"status\":\"accepted\"}")
    );
    assert!(!path.exists(), "the bytes are removed after a final status");
    assert!(hub.claim_upload(&lock).await.unwrap().is_none());
    // A final upload is not finished twice, and takes no chunk.
    assert!(
        hub.finish_upload(&lock, &up.id, UploadStatus::Rejected, None, None, None)
            .await
            .is_err()
    );
    let err = hub
        .append_upload(&up.id, 10_000, vec![1])
        .await
        .unwrap_err();
    assert!(matches!(
        err,
        InboxError::NotReceiving(UploadStatus::Published)
    ));

    let actions: Vec<(String, String, String)> = hub
        .audit_entries()
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.object == up.id.as_str())
        .map(|e| (e.actor, e.action, e.details))
        .collect();
    assert_eq!(
        actions,
        [
            ("reg_a", "deliveries.upload", "created region=01 size=10000"),
            ("reg_a", "deliveries.upload", "queued"),
            (
                "reg_a",
                "deliveries.ingest",
                "status=published region=01 delivery=vardkontakter-01-2024-04-v1"
            ),
        ]
        .map(|(a, b, c)| (a.to_owned(), b.to_owned(), c.to_owned()))
    );
    assert_eq!(hub.verify_audit().await.unwrap().unwrap(), 4);
}

#[tokio::test]
async fn a_checksum_mismatch_fails_the_upload_removes_its_bytes_and_queues_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let hub = test_hub(tmp.path()).await;
    let up = new_upload(&hub, "01", b"the declared bytes").await;
    hub.append_upload(&up.id, 0, b"other bytes, same n".to_vec()[..18].to_vec())
        .await
        .unwrap();
    let err = hub.complete_upload(&up.id, "reg_a").await.unwrap_err();
    assert!(matches!(err, InboxError::ChecksumMismatch), "{err}");
    let failed = hub.upload(&up.id).await.unwrap().unwrap();
    assert_eq!(failed.status, UploadStatus::Failed);
    assert!(failed.error.unwrap().contains("SHA-256"));
    assert!(!hub.upload_path(&up.id).exists());
    let lock = hub.lock_writer().await.unwrap();
    assert!(hub.claim_upload(&lock).await.unwrap().is_none());
    let err = hub.append_upload(&up.id, 18, vec![1]).await.unwrap_err();
    assert!(matches!(
        err,
        InboxError::NotReceiving(UploadStatus::Failed)
    ));
}

#[tokio::test]
async fn ids_are_parsed_strictly_and_unknown_ones_are_not_found() {
    let tmp = tempfile::tempdir().unwrap();
    let hub = test_hub(tmp.path()).await;
    for bad in [
        "",
        "../catalogue",
        "0123456789ABCDEF0123456789abcdef",
        "abc",
        &"a".repeat(33),
    ] {
        assert!(UploadId::parse(bad).is_none(), "{bad}");
    }
    let unknown = UploadId::parse(&"a".repeat(32)).unwrap();
    assert!(hub.upload(&unknown).await.unwrap().is_none());
    assert!(matches!(
        hub.append_upload(&unknown, 0, vec![1]).await.unwrap_err(),
        InboxError::NotFound
    ));
    assert!(matches!(
        hub.complete_upload(&unknown, "x").await.unwrap_err(),
        InboxError::NotFound
    ));
}

#[tokio::test]
async fn a_region_has_a_bounded_number_of_uploads_in_progress_and_lists_only_its_own() {
    let tmp = tempfile::tempdir().unwrap();
    let hub = test_hub(tmp.path()).await;
    for _ in 0..MAX_RECEIVING_PER_REGION {
        new_upload(&hub, "01", b"x").await;
    }
    let digest = sha(b"x");
    let err = hub
        .create_upload(&NewUpload {
            region: "01",
            user: "reg_a",
            filename: "f.zip",
            size: 1,
            sha256: &digest,
        })
        .await
        .unwrap_err();
    assert!(matches!(err, InboxError::TooManyReceiving { .. }), "{err}");
    let other = new_upload(&hub, "12", b"x").await;
    let files = std::fs::read_dir(hub.inbox_dir()).unwrap().count();
    assert_eq!(
        files,
        MAX_RECEIVING_PER_REGION as usize + 1,
        "no file for the refused one"
    );
    let own = hub.uploads_of_region("01").await.unwrap();
    assert_eq!(own.len(), MAX_RECEIVING_PER_REGION as usize);
    assert!(own.iter().all(|u| u.region == "01"));
    assert_eq!(hub.uploads_of_region("12").await.unwrap(), vec![other]);
}

#[tokio::test]
async fn a_chunk_while_another_is_being_written_is_refused_and_changes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let hub = test_hub(tmp.path()).await;
    let up = new_upload(&hub, "01", b"abcdef").await;
    // Another writer holds the upload's file lock (as a concurrent request would).
    let other = File::options()
        .write(true)
        .open(hub.upload_path(&up.id))
        .unwrap();
    other.lock().unwrap();
    let err = hub
        .append_upload(&up.id, 0, b"abc".to_vec())
        .await
        .unwrap_err();
    assert!(matches!(err, InboxError::Busy), "{err}");
    assert_eq!(hub.upload(&up.id).await.unwrap().unwrap().offset, 0);
    drop(other);
    let up = hub.append_upload(&up.id, 0, b"abc".to_vec()).await.unwrap();
    assert_eq!(up.offset, 3);
}
