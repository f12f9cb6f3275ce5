//! `If-None-Match` by weak comparison (RFC 9110 §13.1.2): `W/"x"` matches `"x"`, any tag of a
//! comma-separated list or of several fields, and `*`; a 304 carries the ETag.

use super::{ID, get_with, header};
use crate::support::world;
use reqwest::StatusCode;

#[tokio::test]
async fn if_none_match_compares_weakly_over_lists() {
    let period = &world().periods[1];
    for path in [
        format!("/api/v1/indicators/{ID}/values?region=00&period={period}"),
        format!("/api/v1/indicators/{ID}/values?region=00&format=csv"),
    ] {
        let res = get_with(&path, None, &[]).await;
        assert_eq!(res.status(), StatusCode::OK);
        let etag = header(res.headers(), "etag");
        assert!(etag.starts_with('"') && etag.ends_with('"'), "{etag}");
        let weak = format!("W/{etag}");
        let list = format!("\"nej\", {weak}");
        let tight = format!("\"nej\",{etag}");
        for (i, matching) in [
            vec![etag.as_str()],
            vec![weak.as_str()],
            vec![list.as_str()],
            vec![tight.as_str()],
            vec!["*"],
            vec!["\"nej\"", weak.as_str()],
        ]
        .iter()
        .enumerate()
        {
            let headers: Vec<(&str, &str)> =
                matching.iter().map(|v| ("if-none-match", *v)).collect();
            let res = get_with(&path, None, &headers).await;
            assert_eq!(res.status(), StatusCode::NOT_MODIFIED, "{path} case {i}");
            assert_eq!(header(res.headers(), "etag"), etag);
            assert!(header(res.headers(), "cache-control").contains("public"));
            assert!(res.bytes().await.unwrap().is_empty());
        }
        let bare = etag.trim_matches('"').to_owned();
        let inner_comma = format!("\"{bare},\"");
        for other in [
            "\"nej\"",
            "W/\"nej\", \"och\"",
            bare.as_str(),
            inner_comma.as_str(),
        ] {
            let res = get_with(&path, None, &[("if-none-match", other)]).await;
            assert_eq!(res.status(), StatusCode::OK, "{path}: {other}");
        }
    }
}
