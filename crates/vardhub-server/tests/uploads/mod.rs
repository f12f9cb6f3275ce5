//! Issue 17: deliveries over HTTP. A region's node uploads a real synthetic delivery (as a zip)
//! in resumable chunks with its region's token, completes it, the ingest worker's one step
//! (`vardhub_ops::inbox::process_next`, with the test hub's key) ingests it, and the region
//! reads its status and quality report; another region's token can neither see nor append to
//! it, nor deliver for it; other roles are refused.
//!
//! The shared world serves 2024-01..03; these tests deliver 2024-04 (generated here), which no
//! served run reads, and nothing here recomputes the official run.

mod zip;

use crate::support::{self, client, world};
use crate::{JsonBody, assert_problem};
use reqwest::StatusCode;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use vardhub_ops::inbox::{WorkerOptions, process_next};

const UPLOADS: &str = "/api/v1/deliveries/uploads";

/// Synthetic deliveries of 2024-04 (all regions), generated once for this binary.
fn april() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let out = tempfile::tempdir().unwrap().keep().join("april");
        vardhub_synth::generate(
            &vardhub_synth::SynthOptions {
                out: out.clone(),
                scale: 0.004,
                seed: 11,
                from: vardhub_domain::Period::parse("2024-04").unwrap(),
                to: vardhub_domain::Period::parse("2024-04").unwrap(),
                encoding: vardhub_domain::Encoding::Utf8,
                defects: 0.0,
            },
            &vardhub_synth::NoProgress,
        )
        .unwrap();
        out
    })
}

/// The zip of April's delivery of `collection` for `region`, as a region's node sends it.
async fn delivery_zip(collection: &'static str, region: &'static str) -> Vec<u8> {
    tokio::task::spawn_blocking(move || {
        let dir = std::fs::read_dir(april())
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|d| {
                let Ok(m) = std::fs::read(d.join("manifest.json")) else {
                    return false;
                };
                let m: Value = serde_json::from_slice(&m).unwrap();
                m["collection"] == collection && m["region"] == region
            })
            .unwrap_or_else(|| panic!("no delivery {collection} {region}"));
        zip::folder(&dir)
    })
    .await
    .unwrap()
}

fn sha(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

fn token(user: &str) -> String {
    world().token(user).to_owned()
}

async fn create(user: Option<&str>, body: &Value) -> reqwest::Response {
    let mut req = client()
        .post(format!("{}{UPLOADS}", world().base))
        .header("content-type", "application/json")
        .body(body.to_string());
    if let Some(u) = user {
        req = req.bearer_auth(token(u));
    }
    req.send().await.unwrap()
}

/// Create an upload of `bytes` as `user`; its id.
async fn created(user: &str, bytes: &[u8]) -> String {
    let res = create(
        Some(user),
        &json!({"filename": "leverans.zip", "size": bytes.len(), "sha256": sha(bytes)}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let v = res.json_value().await;
    v["id"].as_str().unwrap().to_owned()
}

async fn put(user: &str, id: &str, offset: usize, chunk: &[u8]) -> reqwest::Response {
    client()
        .put(format!("{}{UPLOADS}/{id}", world().base))
        .bearer_auth(token(user))
        .header("upload-offset", offset.to_string())
        .header("content-type", "application/offset+octet-stream")
        .body(chunk.to_vec())
        .send()
        .await
        .unwrap()
}

async fn get(user: &str, path: &str) -> reqwest::Response {
    client()
        .get(format!("{}{path}", world().base))
        .bearer_auth(token(user))
        .send()
        .await
        .unwrap()
}

async fn complete(user: &str, id: &str) -> reqwest::Response {
    client()
        .post(format!("{}{UPLOADS}/{id}/complete", world().base))
        .bearer_auth(token(user))
        .send()
        .await
        .unwrap()
}

fn offset_header(res: &reqwest::Response) -> u64 {
    res.headers()["upload-offset"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap()
}

/// Run the ingest worker's step (as `vardhub inbox run` does, with the test hub's key) until
/// upload `id` has a final status; other tests' uploads may be processed on the way.
async fn process_until_final(user: &str, id: &str) -> Value {
    let hub = support::open_hub(&world().data).await;
    let pseudo = support::pseudonymiser();
    for _ in 0..20 {
        let v = get(user, &format!("{UPLOADS}/{id}"))
            .await
            .json_value()
            .await;
        if ["published", "held", "rejected", "failed"].contains(&v["status"].as_str().unwrap()) {
            hub.close().await;
            return v;
        }
        process_next(&hub, &pseudo, &WorkerOptions::default())
            .await
            .unwrap();
    }
    panic!("upload {id} was never processed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn uploads_a_region_delivers_in_resumable_chunks_and_gets_its_report() {
    let bytes = delivery_zip("vardkontakter", "01").await;
    let size = bytes.len();
    let res = create(
        Some("reg_a"),
        &json!({"filename": "vardkontakter-01-2024-04.zip", "size": size, "sha256": sha(&bytes)}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    assert_eq!(offset_header(&res), 0);
    let location = res.headers()["location"].to_str().unwrap().to_owned();
    let v = res.json_value().await;
    let id = v["id"].as_str().unwrap().to_owned();
    assert_eq!(location, format!("{UPLOADS}/{id}"));
    assert_eq!(v["status"], "receiving");
    assert_eq!(v["offset"], 0);
    assert_eq!(v["region"], "01", "the token's region");
    assert_eq!(v["user"], "reg_a");
    assert_eq!(v["links"]["complete"], format!("{UPLOADS}/{id}/complete"));

    let (a, b) = (size / 3, 2 * size / 3);
    let res = put("reg_a", &id, 0, &bytes[..a]).await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    assert_eq!(offset_header(&res), a as u64);
    // The same chunk again (the answer was lost) and a later one out of order: 409 with where
    // the upload stands.
    for (at, chunk) in [(0, &bytes[..a]), (b, &bytes[b..])] {
        let res = put("reg_a", &id, at, chunk).await;
        assert_eq!(offset_header(&res), a as u64);
        let p = assert_problem(res, StatusCode::CONFLICT).await;
        assert_eq!(p["offset"], a);
    }
    // Region 12 can neither append to, read, complete nor list region 01's upload.
    let res = put("reg_b", &id, a, &bytes[a..b]).await;
    assert_problem(res, StatusCode::NOT_FOUND).await;
    assert_problem(
        get("reg_b", &format!("{UPLOADS}/{id}")).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    assert_problem(complete("reg_b", &id).await, StatusCode::NOT_FOUND).await;
    let theirs = get("reg_b", UPLOADS).await.json_value().await;
    assert!(
        theirs["uploads"]
            .as_array()
            .unwrap()
            .iter()
            .all(|u| u["id"] != id.as_str()),
        "{theirs}"
    );
    // A connection broke: the client asks where the upload stands and continues there.
    let res = get("reg_a", &format!("{UPLOADS}/{id}")).await;
    assert_eq!(res.status(), StatusCode::OK);
    let at = offset_header(&res) as usize;
    let v = res.json_value().await;
    assert_eq!(v["offset"], a);
    assert_eq!(v["report"], Value::Null, "no report before processing");
    let res = put("reg_a", &id, at, &bytes[at..b]).await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let res = put("reg_a", &id, b, &bytes[b..]).await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    assert_eq!(offset_header(&res), size as u64);
    // Not one byte beyond the declared size.
    let res = put("reg_a", &id, size, b"x").await;
    assert_problem(res, StatusCode::PAYLOAD_TOO_LARGE).await;

    let res = complete("reg_a", &id).await;
    assert_eq!(res.status(), StatusCode::ACCEPTED);
    assert_eq!(res.json_value().await["status"], "queued");
    // Completing twice, or a chunk after completion: 409.
    assert_problem(complete("reg_a", &id).await, StatusCode::CONFLICT).await;

    let v = process_until_final("reg_a", &id).await;
    assert_eq!(v["status"], "published", "{v}");
    let delivery = v["delivery_id"].as_str().unwrap().to_owned();
    assert!(
        delivery.starts_with("vardkontakter-01-2024-04-v"),
        "{delivery}"
    );
    let report = &v["report"];
    assert_eq!(report["delivery_id"], delivery.as_str());
    assert_eq!(report["region"], "01");
    assert_eq!(report["period"], "2024-04");
    assert!(
        ["accepted", "accepted_with_warnings"].contains(&report["status"].as_str().unwrap()),
        "{report}"
    );
    assert!(
        report["tables"]
            .as_array()
            .unwrap()
            .iter()
            .all(|t| t["rows_valid"].as_u64().unwrap() > 0)
    );
    assert!(report["source"].as_str().unwrap().contains(&id));

    // Published atomically by the real ingest: current in the catalogue; the bytes are gone.
    let hub = support::open_hub(&world().data).await;
    let listed = hub
        .deliveries(&vardhub_store::DeliveryFilter {
            region: Some("01".into()),
            collection: Some("vardkontakter".into()),
        })
        .await
        .unwrap();
    let d = listed.iter().find(|d| d.id == delivery).unwrap();
    assert!(d.current, "{d:?}");
    let upload_id = vardhub_store::inbox::UploadId::parse(&id).unwrap();
    assert!(!hub.upload_path(&upload_id).exists());
    // Audited as the region user's: created, queued, ingested.
    let mine: Vec<String> = hub
        .audit_entries()
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.object == id && e.actor == "reg_a")
        .map(|e| e.action)
        .collect();
    assert_eq!(
        mine,
        [
            "deliveries.upload",
            "deliveries.upload",
            "deliveries.ingest"
        ]
    );
    hub.close().await;
    // The region's list shows it, without the report.
    let list = get("reg_a", UPLOADS).await.json_value().await;
    let item = list["uploads"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["id"] == id.as_str())
        .unwrap();
    assert_eq!(item["status"], "published");
    assert!(item.get("report").is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn uploads_another_regions_token_cannot_deliver_for_it() {
    // Region 01's delivery, uploaded with region 12's token.
    let bytes = delivery_zip("vantetider", "01").await;
    let id = created("reg_b", &bytes).await;
    assert_eq!(
        put("reg_b", &id, 0, &bytes).await.status(),
        StatusCode::NO_CONTENT
    );
    assert_eq!(complete("reg_b", &id).await.status(), StatusCode::ACCEPTED);
    // Region 01 cannot see region 12's upload either.
    assert_problem(
        get("reg_a", &format!("{UPLOADS}/{id}")).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    let v = process_until_final("reg_b", &id).await;
    assert_eq!(v["status"], "rejected", "{v}");
    assert_eq!(v["region"], "12");
    let report = &v["report"];
    assert_eq!(report["status"], "rejected");
    let rule = report["issues"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["rule"] == "wrong_region")
        .unwrap_or_else(|| panic!("{report}"));
    assert_eq!(rule["severity"], "fatal");
    assert!(
        rule["message_en"].as_str().unwrap().contains("region 12"),
        "{rule}"
    );
    // Nothing of it is current for region 01.
    let hub = support::open_hub(&world().data).await;
    let current = hub
        .deliveries(&vardhub_store::DeliveryFilter {
            region: Some("01".into()),
            collection: Some("vantetider".into()),
        })
        .await
        .unwrap();
    assert!(
        current
            .iter()
            .all(|d| !(d.period == "2024-04" && d.current)),
        "{current:?}"
    );
    hub.close().await;
}

#[tokio::test]
async fn uploads_a_checksum_mismatch_is_422_and_nothing_is_queued() {
    let bytes = b"PK these are not the declared bytes".to_vec();
    let res = create(
        Some("reg_a"),
        &json!({"filename": "leverans.zip", "size": bytes.len(), "sha256": sha(b"other")}),
    )
    .await;
    let id = res.json_value().await["id"].as_str().unwrap().to_owned();
    assert_eq!(
        put("reg_a", &id, 0, &bytes).await.status(),
        StatusCode::NO_CONTENT
    );
    let p = assert_problem(
        complete("reg_a", &id).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert!(p["detail"].as_str().unwrap().contains("SHA-256"), "{p}");
    let v = get("reg_a", &format!("{UPLOADS}/{id}"))
        .await
        .json_value()
        .await;
    assert_eq!(v["status"], "failed");
    assert!(v["error"].as_str().unwrap().contains("SHA-256"));
    // Failed is final: no more chunks, and it is not queued.
    assert_problem(put("reg_a", &id, 0, &bytes).await, StatusCode::CONFLICT).await;
    assert_problem(complete("reg_a", &id).await, StatusCode::CONFLICT).await;
}

#[tokio::test]
async fn uploads_roles_that_may_not_deliver_and_malformed_requests_are_refused() {
    let body = json!({"filename": "leverans.zip", "size": 3, "sha256": sha(b"abc")});
    assert_problem(create(None, &body).await, StatusCode::UNAUTHORIZED).await;
    for user in ["pub", "nat", "adm"] {
        assert_problem(create(Some(user), &body).await, StatusCode::FORBIDDEN).await;
        assert_problem(get(user, UPLOADS).await, StatusCode::FORBIDDEN).await;
    }
    let id = created("reg_a", b"abc").await;
    assert_problem(
        get("pub", &format!("{UPLOADS}/{id}")).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    assert_problem(put("pub", &id, 0, b"abc").await, StatusCode::FORBIDDEN).await;
    for bad in [
        json!({"filename": "leverans.csv", "size": 3, "sha256": sha(b"abc")}),
        json!({"filename": "../x.zip", "size": 3, "sha256": sha(b"abc")}),
        json!({"filename": "leverans.zip", "size": 0, "sha256": sha(b"abc")}),
        json!({"filename": "leverans.zip", "size": 3, "sha256": "abc"}),
    ] {
        let res = create(Some("reg_a"), &bad).await;
        assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    let res = create(
        Some("reg_a"),
        &json!({"filename": "a.zip", "size": 3, "sha256": sha(b"abc"), "region": "12"}),
    )
    .await;
    assert_problem(res, StatusCode::BAD_REQUEST).await;
    let res = create(
        Some("reg_a"),
        &json!({"filename": "a.zip", "size": 1u64 << 40, "sha256": sha(b"abc")}),
    )
    .await;
    assert_problem(res, StatusCode::PAYLOAD_TOO_LARGE).await;
    // A malformed or unknown id is 404 like another region's.
    for other in [
        "..%2F..%2Fcatalogue.sqlite",
        "0123456789ABCDEF0123456789abcdef",
        "0123456789abcdef0123456789abcdef",
    ] {
        assert_problem(
            get("reg_a", &format!("{UPLOADS}/{other}")).await,
            StatusCode::NOT_FOUND,
        )
        .await;
    }
    // Without Upload-Offset: 400; another media type: 415.
    let res = client()
        .put(format!("{}{UPLOADS}/{id}", world().base))
        .bearer_auth(token("reg_a"))
        .header("content-type", "application/octet-stream")
        .body("abc")
        .send()
        .await
        .unwrap();
    assert_problem(res, StatusCode::BAD_REQUEST).await;
    let res = client()
        .put(format!("{}{UPLOADS}/{id}", world().base))
        .bearer_auth(token("reg_a"))
        .header("upload-offset", "0")
        .header("content-type", "application/json")
        .body("abc")
        .send()
        .await
        .unwrap();
    assert_problem(res, StatusCode::UNSUPPORTED_MEDIA_TYPE).await;
    let v = get("reg_a", &format!("{UPLOADS}/{id}"))
        .await
        .json_value()
        .await;
    assert_eq!(v["offset"], 0, "nothing refused was written");
}

/// A chunk over `upload_chunk_limit` is refused with 413 before the handler (in-process
/// server on the shared hub with a small limit; the shared server's is 8 MiB).
#[tokio::test]
async fn uploads_a_chunk_over_the_limit_is_413() {
    use axum::body::Body;
    use tower::ServiceExt;
    let limit = 1024;
    let hub = support::open_hub(&world().data).await;
    let app = vardhub_server::app(vardhub_server::AppState::new(
        hub.clone(),
        vardhub_engine::disclosure::DisclosurePolicy::default_public(),
        vardhub_server::ServerConfig {
            upload_chunk_limit: limit,
            request_timeout: std::time::Duration::from_secs(600),
            ..vardhub_server::ServerConfig::default()
        },
    ));
    let bytes = vec![7u8; limit + 1];
    let id = created("reg_a", &bytes).await;
    let send = |chunk: Vec<u8>, offset: usize| {
        let mut req = axum::http::Request::builder()
            .method("PUT")
            .uri(format!("{UPLOADS}/{id}"))
            .header("host", "hub.test")
            .header("authorization", format!("Bearer {}", token("reg_a")))
            .header("upload-offset", offset.to_string())
            .header("content-type", "application/offset+octet-stream")
            .body(Body::from(chunk))
            .unwrap();
        req.extensions_mut()
            .insert(axum::extract::ConnectInfo(std::net::SocketAddr::from((
                [127, 0, 0, 1],
                40000,
            ))));
        app.clone().oneshot(req)
    };
    let res = send(bytes.clone(), 0).await.unwrap();
    assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE.as_u16());
    assert_eq!(res.headers()["content-type"], "application/problem+json");
    // At the limit it is taken.
    let res = send(bytes[..limit].to_vec(), 0).await.unwrap();
    assert_eq!(res.status(), StatusCode::NO_CONTENT.as_u16());
    assert_eq!(res.headers()["upload-offset"], limit.to_string().as_str());
    hub.close().await;
}
