//! CORS on the open API only: `Access-Control-Allow-Origin: *` (never with credentials) on
//! anonymous GET/HEAD and preflights of the open prefixes; nothing on authenticated routes,
//! microdata, uploads or pages, nor on an open route asked with credentials.

use super::{ID, get_with, header, token};
use crate::support::{client, world};
use reqwest::{Method, StatusCode};

const ORIGIN: (&str, &str) = ("origin", "https://statistik.example.org");

/// A preflight from another site for `method` on `path`.
async fn preflight(path: &str, method: &str) -> reqwest::Response {
    client()
        .request(Method::OPTIONS, format!("{}{path}", world().base))
        .header(ORIGIN.0, ORIGIN.1)
        .header("access-control-request-method", method)
        .header("access-control-request-headers", "if-none-match")
        .send()
        .await
        .unwrap()
}

fn assert_no_cors(res: &reqwest::Response, what: &str) {
    for h in [
        "access-control-allow-origin",
        "access-control-allow-credentials",
        "access-control-allow-methods",
        "access-control-expose-headers",
    ] {
        assert!(res.headers().get(h).is_none(), "{what}: {h}");
    }
}

#[tokio::test]
async fn the_open_api_may_be_read_from_any_origin_without_credentials() {
    let period = &world().periods[0];
    for path in [
        "/api/v1/indicators".to_owned(),
        format!("/api/v1/indicators/{ID}"),
        format!("/api/v1/indicators/{ID}/values?region=00&period={period}"),
        format!("/api/v1/indicators/{ID}/values?region=00&period={period}&format=csv"),
        "/api/openapi.json".to_owned(),
    ] {
        let res = get_with(&path, None, &[ORIGIN]).await;
        assert_eq!(res.status(), StatusCode::OK, "{path}");
        assert_eq!(
            header(res.headers(), "access-control-allow-origin"),
            "*",
            "{path}"
        );
        assert!(
            res.headers()
                .get("access-control-allow-credentials")
                .is_none()
        );
        let exposed = header(res.headers(), "access-control-expose-headers");
        for h in ["ETag", "Link", "X-Total-Count"] {
            assert!(exposed.contains(h), "{path}: {exposed}");
        }
        // HEAD too.
        let head = client()
            .head(format!("{}{path}", world().base))
            .header(ORIGIN.0, ORIGIN.1)
            .send()
            .await
            .unwrap();
        assert_eq!(head.status(), StatusCode::OK, "HEAD {path}");
        assert_eq!(header(head.headers(), "access-control-allow-origin"), "*");
    }
    // The other areas' open prefixes, whatever they answer (a route not there yet is a 404).
    for path in ["/api/v2/config", "/api/v1/catalog", "/api/v1/sources"] {
        let res = get_with(path, None, &[ORIGIN]).await;
        assert_eq!(
            header(res.headers(), "access-control-allow-origin"),
            "*",
            "{path}"
        );
    }

    // A preflight for reading: 204 with the methods and headers a reader needs.
    let res = preflight(&format!("/api/v1/indicators/{ID}/values"), "GET").await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let h = res.headers();
    assert_eq!(header(h, "access-control-allow-origin"), "*");
    assert!(h.get("access-control-allow-credentials").is_none());
    let methods = header(h, "access-control-allow-methods");
    assert!(
        methods.contains("GET") && methods.contains("HEAD"),
        "{methods}"
    );
    assert!(
        !methods.contains("POST") && !methods.contains("DELETE"),
        "{methods}"
    );
    assert!(
        header(h, "access-control-allow-headers")
            .to_ascii_lowercase()
            .contains("if-none-match")
    );
    assert!(
        !header(h, "access-control-allow-headers")
            .to_ascii_lowercase()
            .contains("authorization"),
        "a token is never sent from another site"
    );
    // Not for writing, even on the open API.
    let res = preflight("/api/v1/indicators", "DELETE").await;
    assert_no_cors(&res, "DELETE preflight");
    assert!(!res.status().is_success());
}

#[tokio::test]
async fn authenticated_microdata_upload_and_page_routes_never_get_cors() {
    let w = world();
    let region = token("konf_reg").await;
    let nat = token("konf_nat").await;
    let period = &w.periods[0];
    let closed = [
        format!("/api/v1/microdata/vardkontakter/kontakter?period={period}"),
        "/api/v1/cases".to_owned(),
        "/api/v1/research/projects".to_owned(),
        "/api/v1/research/outputs".to_owned(),
        "/api/v1/audit/review".to_owned(),
        "/api/v1/fees/invoice".to_owned(),
        "/api/v1/scenarios".to_owned(),
        "/api/v1/analyses".to_owned(),
        "/api/v1/deliveries/uploads".to_owned(),
        "/api/v1/catalogue".to_owned(),
        "/api/v1/indicatorsx".to_owned(),
        "/".to_owned(),
        format!("/indikatorer/{ID}"),
        "/logga-in".to_owned(),
        "/health".to_owned(),
    ];
    for path in &closed {
        for t in [None, Some(region.as_str()), Some(nat.as_str())] {
            let res = get_with(path, t, &[ORIGIN]).await;
            assert_no_cors(&res, path);
        }
        for method in ["GET", "POST"] {
            let res = preflight(path, method).await;
            assert_no_cors(&res, &format!("preflight {method} {path}"));
            assert!(!res.status().is_success(), "preflight {method} {path}");
        }
    }
    // The region analyst's own file really was served (and still without CORS).
    let res = get_with(&closed[0], Some(&region), &[ORIGIN]).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_no_cors(&res, "microdata");

    // An open route asked with credentials may be a logged-in view: no CORS either.
    let values = format!("/api/v1/indicators/{ID}/values?region=00&period={period}");
    let res = get_with(&values, Some(&nat), &[ORIGIN]).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_no_cors(&res, "values with a token");
    let res = get_with(&values, None, &[ORIGIN, ("cookie", "vardhub_session=x")]).await;
    assert_no_cors(&res, "values with a session cookie");
}
