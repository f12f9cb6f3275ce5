//! A real what-if run (kind scenario, stored with its result document) is never served: no
//! endpoint or page names it or its scenario, for the public or any role, and the official run
//! stays the one served.

use crate::support::{REGION_A, client, open_hub, world};
use reqwest::StatusCode;
use vardhub_engine::whatif::{Scenario, ScenarioResult};

const ID: &str = "http_test_forbidden_scenario";

#[tokio::test]
async fn a_stored_scenario_run_appears_in_no_response() {
    let w = world();
    let hub = open_hub(&w.data).await;
    let text = format!(
        r#"id = "{ID}"
version = "1.0.0"
title = {{ sv = "Hemligt scenario", en = "Secret scenario" }}
model = "beds"
region = "{REGION_A}"
baseline = {{ from = "2024-01", to = "2024-02" }}
horizon = {{ from = "2024-03", to = "2024-03" }}
replications = 20

[[change]]
kind = "staffed_beds"
add = 3
"#
    );
    let scenario = Scenario::from_toml(&format!("{ID}.toml"), &text).unwrap();
    let stored = vardhub_ops::scenarios::run_and_store(&hub, &scenario, "adm")
        .await
        .unwrap();
    assert_eq!(stored.run.kind, vardhub_store::RunKind::Scenario);
    let ScenarioResult::Beds(r) = &stored.result;
    assert_eq!(r.months.len(), 1);
    let run_id = stored.run.id.clone();
    assert_ne!(run_id, w.official_run);

    let paths = [
        "/health",
        "/api/v1/indicators",
        "/api/v1/analyses",
        "/api/v1/cases",
        "/api/v1/research/projects",
        "/",
        "/analyser",
        "/arenden",
        "/forskning",
        "/katalog",
    ];
    let users = [
        None,
        Some("pub"),
        Some("reg_a"),
        Some("nat"),
        Some("adm"),
        Some("req"),
        Some("centre"),
        Some("decider"),
        Some("forskare"),
    ];
    for user in users {
        for path in paths {
            let mut req = client().get(format!("{}{path}", w.base));
            if let Some(u) = user {
                req = req.bearer_auth(w.token(u));
            }
            let res = req.send().await.unwrap();
            assert_eq!(res.status(), StatusCode::OK, "{path} as {user:?}");
            let body = res.text().await.unwrap();
            for secret in [run_id.as_str(), ID, "Hemligt scenario"] {
                assert!(!body.contains(secret), "{path} as {user:?} names {secret}");
            }
            if path == "/health" {
                assert!(body.contains(w.official_run.as_str()), "{body}");
            }
        }
    }
}
