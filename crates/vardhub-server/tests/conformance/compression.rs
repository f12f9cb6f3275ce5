//! Compression by `Accept-Encoding` (gzip, brotli, zstd) on the API, CSV and static assets;
//! never on a page answering a logged-in request (BREACH) nor on already compressed files
//! (Parquet, xlsx). Compressed bodies are decoded by an independent decoder (pyarrow's) and
//! must equal the identity body.

use super::{ID, get_with, header, token};
use crate::support::{python, world};
use reqwest::StatusCode;

/// The body decoded by `tests/python/openapi_decode.py`.
async fn decode(encoding: &str, body: &[u8]) -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    let (src, dst) = (dir.path().join("in"), dir.path().join("out"));
    std::fs::write(&src, body).unwrap();
    python::run(
        "openapi_decode.py",
        &[
            encoding.to_owned(),
            src.display().to_string(),
            dst.display().to_string(),
        ],
    )
    .await;
    std::fs::read(&dst).unwrap()
}

/// (headers, raw body) of a GET.
async fn raw(
    path: &str,
    token: Option<&str>,
    accept_encoding: Option<&str>,
) -> (reqwest::header::HeaderMap, Vec<u8>) {
    let headers: Vec<(&str, &str)> = accept_encoding
        .map(|e| vec![("accept-encoding", e)])
        .unwrap_or_default();
    let res = get_with(path, token, &headers).await;
    assert_eq!(res.status(), StatusCode::OK, "{path}");
    let h = res.headers().clone();
    (h, res.bytes().await.unwrap().to_vec())
}

#[tokio::test]
async fn api_csv_and_assets_are_compressed_by_accept_encoding() {
    let period = &world().periods[0];
    for path in [
        format!("/api/v1/indicators/{ID}/values?page_size=5000"),
        "/api/v1/indicators".to_owned(),
        format!("/api/v1/indicators/{ID}/values?period={period}&format=csv"),
        "/api/openapi.json".to_owned(),
        "/static/app.css".to_owned(),
    ] {
        let (h, identity) = raw(&path, None, None).await;
        assert!(h.get("content-encoding").is_none(), "{path}");
        assert!(
            header(&h, "vary")
                .to_ascii_lowercase()
                .contains("accept-encoding"),
            "{path}: a cache must keep the encodings apart"
        );
        for encoding in ["gzip", "br", "zstd"] {
            let (h, body) = raw(&path, None, Some(encoding)).await;
            assert_eq!(header(&h, "content-encoding"), encoding, "{path}");
            assert!(
                header(&h, "vary")
                    .to_ascii_lowercase()
                    .contains("accept-encoding"),
                "{path}"
            );
            assert!(
                body.len() * 2 < identity.len(),
                "{path} {encoding}: {} of {} bytes",
                body.len(),
                identity.len()
            );
            assert_eq!(decode(encoding, &body).await, identity, "{path} {encoding}");
        }
        // The client's preference among several.
        let (h, _) = raw(&path, None, Some("gzip;q=0.5, br;q=1.0")).await;
        assert_eq!(header(&h, "content-encoding"), "br", "{path}");
    }
}

#[tokio::test]
async fn logged_in_pages_and_compressed_files_are_sent_as_they_are() {
    let w = world();
    let nat = token("konf_nat").await;
    let region = token("konf_reg").await;
    let all = "gzip, br, zstd";
    // A page for the public is compressed; the same page for a logged-in user is not.
    let page = format!("/indikatorer/{ID}");
    let (h, _) = raw(&page, None, Some(all)).await;
    assert!(!header(&h, "content-encoding").is_empty(), "a public page");
    for t in [&nat, &region] {
        let (h, body) = raw(&page, Some(t), Some(all)).await;
        assert!(h.get("content-encoding").is_none(), "a logged-in page");
        assert!(String::from_utf8(body).unwrap().contains("<html"));
    }
    let (h, _) = raw(&page, None, Some(all)).await;
    assert!(h.get("content-encoding").is_some());
    // The JSON API is compressed for a logged-in caller too (no page, no form).
    let (h, _) = raw(
        &format!("/api/v1/indicators/{ID}/values"),
        Some(&nat),
        Some(all),
    )
    .await;
    assert!(h.get("content-encoding").is_some());

    // Parquet and xlsx are compressed already.
    let period = &w.periods[0];
    let (h, body) = raw(
        &format!("/api/v1/microdata/vardkontakter/kontakter?period={period}"),
        Some(&region),
        Some(all),
    )
    .await;
    assert!(h.get("content-encoding").is_none(), "parquet");
    assert_eq!(&body[..4], b"PAR1");
    let (h, body) = raw(
        &format!("/api/v1/indicators/{ID}/values?format=xlsx&period={period}"),
        None,
        Some(all),
    )
    .await;
    assert!(h.get("content-encoding").is_none(), "xlsx");
    assert_eq!(&body[..2], b"PK");
}
