//! Loggkontroll over HTTP: a planted attempt on another region's microdata is flagged for the
//! hub's reviewers and shows in the other region's own review; a region reviews only itself;
//! the public and the centre's roles review nothing; the region's CSV opens in a spreadsheet.

use crate::analyses::schema;
use crate::support::{REGION_A, REGION_B, client, world};
use crate::{JsonBody, assert_problem, json};
use reqwest::StatusCode;
use serde_json::Value;

async fn get(path: &str, user: Option<&str>) -> reqwest::Response {
    let w = world();
    let mut req = client().get(format!("{}{path}", w.base));
    if let Some(u) = user {
        req = req.bearer_auth(w.token(u));
    }
    req.send().await.unwrap()
}

#[tokio::test]
async fn log_review_flags_a_planted_attempt_and_each_region_reviews_only_itself() {
    // The planted pattern: region A's analyst asks for region B's microdata.
    let res = get(
        &format!("/api/v1/microdata/vardkontakter/kontakter?period=2024-01&region={REGION_B}"),
        Some("reg_a"),
    )
    .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);

    let doc = json("/api/openapi.json", None).await;
    let schema = &doc["paths"]["/api/v1/audit/review"]["get"]["responses"]["200"]["content"]["application/json"]
        ["schema"];
    let res = get("/api/v1/audit/review", Some("adm")).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(
        res.headers()["cache-control"]
            .to_str()
            .unwrap()
            .contains("no-store")
    );
    let all: Value = res.json_value().await;
    assert!(schema::check(&doc, schema, &all, "$").is_empty());
    let flagged = all["flags"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["user"] == "reg_a" && f["rule"] == "OtherRegion" && f["region"] == REGION_B);
    assert!(flagged, "{}", all["flags"]);

    // Region B's analyst sees the attempt on B; region A's sees its own user's attempt.
    let b: Value = get("/api/v1/audit/review", Some("reg_b"))
        .await
        .json_value()
        .await;
    assert!(schema::check(&doc, schema, &b, "$").is_empty());
    assert_eq!(b["region"], REGION_B);
    assert!(
        b["events"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["user"] == "reg_a" && e["kind"] == "MicrodataRefused"),
        "{}",
        b["events"]
    );
    assert!(!b["flags"].as_array().unwrap().is_empty());
    // Nobody else's events: only those concerning B.
    for e in b["events"].as_array().unwrap() {
        assert!(
            e["region"] == REGION_B || e["user_region"] == REGION_B,
            "{e}"
        );
    }
    assert_problem(
        get(
            &format!("/api/v1/audit/review?region={REGION_A}"),
            Some("reg_b"),
        )
        .await,
        StatusCode::FORBIDDEN,
    )
    .await;
    for user in ["pub", "req", "centre", "decider", "forskare"] {
        assert_problem(
            get("/api/v1/audit/review", Some(user)).await,
            StatusCode::FORBIDDEN,
        )
        .await;
    }
    assert_problem(
        get("/api/v1/audit/review", None).await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    assert_problem(
        get("/api/v1/audit/review?from=2024-13-01", Some("adm")).await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert_problem(
        get(
            "/api/v1/audit/review?from=2020-01-01&to=2024-01-01",
            Some("adm"),
        )
        .await,
        StatusCode::BAD_REQUEST,
    )
    .await;

    // The region's CSV: semicolons, BOM, Swedish headers, the attempt flagged.
    let res = get("/api/v1/audit/review?format=csv", Some("reg_b")).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let csv = res.text().await.unwrap();
    assert!(csv.starts_with("\u{feff}löpnummer;datum;"), "{csv}");
    assert!(
        csv.lines()
            .any(|l| l.contains("reg_a") && l.contains("försök mot region")),
        "{csv}"
    );
    let daily = get("/api/v1/audit/review?format=csv&daily=true", Some("reg_b"))
        .await
        .text()
        .await
        .unwrap();
    assert!(daily.lines().count() >= 2, "{daily}");

    // The page, for the reviewer and refused to the public role.
    let w = world();
    let page = client()
        .get(format!("{}/loggkontroll", w.base))
        .bearer_auth(w.token("adm"))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(
        html.contains("id=\"flaggor\"") && html.contains("reg_a"),
        "{html}"
    );
    let page = client()
        .get(format!("{}/loggkontroll", w.base))
        .bearer_auth(w.token("pub"))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::FORBIDDEN);
}
