//! What-if scenario runs over HTTP. A real stored run (bed model over the test world, kind
//! scenario) is served only to the entitled roles until it is published: the public, a
//! logged-in public user, a requester, a researcher and another region's analyst never see it in
//! any response (the list pages and APIs leave it out, its own page and API answer 404 as for an
//! unknown run), while administrators, centre staff, decision-makers, national analysts and the
//! scenario's own region's analyst see it on `/scenarier`, its page and the API (the stored
//! document, labelled, audited). The official run stays the one served. Publication:
//! [`publication`]. Every JSON response is checked against the OpenAPI document.

mod publication;

use crate::analyses::schema;
use crate::support::{REGION_A, client, open_hub, store_scenario, world};
use crate::{JsonBody, assert_problem, json};
use reqwest::StatusCode;
use serde_json::Value;

const ID: &str = "http_test_forbidden_scenario";
const TITLE: &str = "Hemligt scenario";

/// The roles that never see an unpublished scenario of region A.
pub(crate) const OUTSIDERS: [Option<&str>; 5] = [
    None,
    Some("pub"),
    Some("req"),
    Some("forskare"),
    Some("reg_b"),
];
/// The roles that do.
pub(crate) const ENTITLED: [&str; 5] = ["reg_a", "nat", "adm", "centre", "decider"];

/// GET `path` as `user` (a user name, or anonymous).
pub(crate) async fn get(path: &str, user: Option<&str>) -> reqwest::Response {
    let w = world();
    let mut req = client().get(format!("{}{path}", w.base));
    if let Some(u) = user {
        req = req.bearer_auth(w.token(u));
    }
    req.send().await.unwrap()
}

pub(crate) fn cache_control(res: &reqwest::Response) -> String {
    res.headers()
        .get("cache-control")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default()
}

/// A 200 JSON response, checked against the OpenAPI document's schema of `path` `method`
/// `status`.
pub(crate) async fn valid(
    res: reqwest::Response,
    doc: &Value,
    path: &str,
    method: &str,
    status: StatusCode,
) -> Value {
    assert_eq!(res.status(), status, "{method} {path}");
    let v = res.json_value().await;
    let schema = &doc["paths"][path][method]["responses"][status.as_str()]["content"]["application/json"]
        ["schema"];
    assert!(
        schema.is_object(),
        "{method} {path} {status} not documented"
    );
    assert_eq!(
        schema::check(doc, schema, &v, path),
        Vec::<String>::new(),
        "{v}"
    );
    v
}

#[tokio::test]
async fn an_unpublished_scenario_run_is_seen_only_by_the_entitled_roles() {
    let w = world();
    let doc = json("/api/openapi.json", None).await;
    let run_id = store_scenario(&w.data, ID, TITLE, REGION_A, "adm").await;
    assert_ne!(run_id, w.official_run);

    let paths = [
        "/health",
        "/api/v1/indicators",
        "/api/v1/analyses",
        "/api/v1/cases",
        "/api/v1/research/projects",
        "/api/v1/scenarios",
        "/",
        "/analyser",
        "/scenarier",
        "/arenden",
        "/forskning",
        "/katalog",
    ];
    let secrets = [run_id.as_str(), ID, TITLE];
    for user in OUTSIDERS {
        for path in paths {
            let res = get(path, user).await;
            assert_eq!(res.status(), StatusCode::OK, "{path} as {user:?}");
            let body = res.text().await.unwrap();
            for secret in secrets {
                assert!(!body.contains(secret), "{path} as {user:?} names {secret}");
            }
            if path == "/health" {
                assert!(body.contains(w.official_run.as_str()), "{body}");
            }
        }
        // Its own page and API: 404, as for a run that does not exist.
        for id in [run_id.as_str(), "run-finns-inte"] {
            let res = get(&format!("/scenarier/{id}"), user).await;
            assert_eq!(res.status(), StatusCode::NOT_FOUND, "page as {user:?}");
            let body = res.text().await.unwrap();
            assert!(!body.contains(TITLE), "{user:?}");
            let p = assert_problem(
                get(&format!("/api/v1/scenarios/{id}"), user).await,
                StatusCode::NOT_FOUND,
            )
            .await;
            assert!(!p.to_string().contains(TITLE));
        }
        let list = valid(
            get("/api/v1/scenarios", user).await,
            &doc,
            "/api/v1/scenarios",
            "get",
            StatusCode::OK,
        )
        .await;
        for s in list["scenarios"].as_array().unwrap() {
            assert_eq!(
                s["published"], true,
                "{user:?} sees an unpublished run: {s}"
            );
        }
    }

    for user in ENTITLED {
        let user = Some(user);
        // Other pages still never name it.
        for path in ["/", "/analyser", "/api/v1/analyses", "/api/v1/indicators"] {
            let body = get(path, user).await.text().await.unwrap();
            assert!(!body.contains(run_id.as_str()), "{path} as {user:?}");
        }
        let res = get("/api/v1/scenarios", user).await;
        assert!(cache_control(&res).contains("no-store"), "{user:?}");
        let list = valid(res, &doc, "/api/v1/scenarios", "get", StatusCode::OK).await;
        let mine = list["scenarios"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["run_id"] == run_id.as_str())
            .unwrap_or_else(|| panic!("{user:?} does not see the run"));
        assert_eq!(mine["published"], false);
        assert_eq!(mine["region"], REGION_A);
        assert_eq!(mine["title"]["sv"], TITLE);

        let path = format!("/api/v1/scenarios/{run_id}");
        let res = get(&path, user).await;
        assert!(cache_control(&res).contains("no-store"), "{user:?}");
        let one = valid(
            res,
            &doc,
            "/api/v1/scenarios/{run_id}",
            "get",
            StatusCode::OK,
        )
        .await;
        assert_eq!(one["disclosure_checked"], false);
        assert_eq!(one["published"], false);
        assert!(one["publication"].is_null());
        assert!(one["document"]["disclosure"].is_null());
        assert!(
            one["document"]["result"]["calibration"]["stays"]
                .as_u64()
                .unwrap()
                > 0
        );

        let res = get("/scenarier", user).await;
        assert_eq!(res.status(), StatusCode::OK);
        let list = res.text().await.unwrap();
        assert!(
            list.contains(TITLE) && list.contains(run_id.as_str()),
            "{user:?}"
        );
        assert!(list.contains("id=\"behorig\""), "{user:?}");
        let res = get(&format!("/scenarier/{run_id}"), user).await;
        assert_eq!(res.status(), StatusCode::OK, "{user:?}");
        let page = res.text().await.unwrap();
        for part in [
            TITLE,
            "id=\"ej-rojandekontrollerat\"",
            "Överbeläggningar per 100 vårdplatser: ",
            "(skillnad ",
            "; 95 % intervall ",
            "id=\"diagram-solfjader\"",
            "id=\"prognos-tabell\"",
            "id=\"diagram-belaggning\"",
            "id=\"belaggning-tabell\"",
            "id=\"huvudresultat-tabell\"",
            "<caption",
            "20 replikeringar",
            "Disponibla vårdplatser +3, från 2024-03-01",
        ] {
            assert!(page.contains(part), "{user:?}: {part} not on the page");
        }
        for bad in ["NaN", "inf<", "undefined"] {
            assert!(!page.contains(bad), "{bad} on the page");
        }
        // Only an administrator gets the publication form, and not the one who ran it.
        let form = page.contains("id=\"publicera\"");
        let four_eyes = page.contains("id=\"fyra-ogon\"");
        match user {
            Some("adm") => assert!(four_eyes && !form),
            _ => assert!(!four_eyes && !form, "{user:?}"),
        }
    }
    let page = get(&format!("/scenarier/{run_id}"), Some("adm2"))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("id=\"publicera\""));

    // Every view of the stored document is audited, naming the run.
    let hub = open_hub(&w.data).await;
    let viewers: Vec<String> = hub
        .audit_entries()
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.action == "scenarios.view" && e.object == run_id)
        .map(|e| e.actor)
        .collect();
    for user in ENTITLED {
        assert!(viewers.iter().any(|v| v == user), "{user} not audited");
    }
    assert!(!viewers.iter().any(|v| v == "pub" || v == "reg_b"));
}

/// A stored waiting-list run (a hand-made document, months without completions as `null`):
/// an entitled role sees the headline sentence, both charts and their tables, no `NaN`; the
/// public gets 404.
#[tokio::test]
async fn a_waiting_list_run_shows_its_charts_and_tables_to_the_entitled_only() {
    let w = world();
    let text = format!(
        r#"id = "http_test_waiting_list"
version = "1.0.0"
title = {{ sv = "Väntelistescenario", en = "Waiting-list scenario" }}
model = "waiting_list"
wait = "first_visit"
region = "{REGION_A}"
baseline = {{ from = "2024-01", to = "2024-02" }}
horizon = {{ from = "2024-03", to = "2024-04" }}
replications = 20

[[change]]
kind = "capacity"
factor = 1.1
"#
    );
    let s =
        vardhub_engine::whatif::Scenario::from_toml("http_test_waiting_list.toml", &text).unwrap();
    let band = |m: f64, d: f64| serde_json::json!({"mean": m, "se": 0.001, "lower": m - d, "median": m, "upper": m + d});
    let none =
        serde_json::json!({"mean": null, "se": null, "lower": null, "median": null, "upper": null});
    let month = |month: &str, share: &Value, observed: Value| {
        serde_json::json!({
            "month": month, "baseline": share, "scenario": share, "difference": share,
            "list_baseline": band(300.0, 20.0), "list_scenario": band(250.0, 20.0),
            "over_90_baseline": band(40.0, 5.0), "over_90_scenario": band(30.0, 5.0),
            "observed": observed,
        })
    };
    let document = serde_json::json!({
        "scenario": s.spec.id, "version": s.spec.version, "hash": s.hash, "spec": s.spec,
        "result": {
            "model": "waiting_list",
            "headline": {
                "baseline": band(0.592, 0.01), "scenario": band(0.667, 0.01),
                "difference": {"mean": 0.083, "se": 0.001, "lower": 0.067, "median": 0.083, "upper": 0.097},
                "list_baseline": band(300.0, 20.0), "list_scenario": band(250.0, 20.0),
                "list_difference": band(-50.0, 10.0),
                "observed": {"completed": 213, "within": 121, "share": 121.0 / 213.0},
            },
            "months": [
                month("2024-03", &band(0.6, 0.05), serde_json::json!({"completed": 213, "within": 121, "share": 121.0 / 213.0})),
                month("2024-04", &none, Value::Null),
            ],
            "calibration": {
                "completed": 1812, "with_target": 1003, "per_day": 30.2, "lateness_days": 12.5,
                "median_wait_days": 61.0, "baseline_share": 0.59, "month_factors": vec![1.0; 12],
            },
            "replications": 20, "seed": 1,
        },
    });
    let hub = open_hub(&w.data).await;
    let now = vardhub_store::now_utc();
    let mut run = vardhub_store::new_run(now, now);
    run.kind = vardhub_store::RunKind::Scenario;
    let run = hub
        .store_run_document(
            run,
            "scenario.json",
            &serde_json::to_vec(&document).unwrap(),
            0,
            "scenarios.run",
            "adm",
        )
        .await
        .unwrap();
    let path = format!("/scenarier/{}", run.id);
    let res = get(&path, Some("nat")).await;
    assert_eq!(res.status(), StatusCode::OK);
    let page = res.text().await.unwrap();
    for part in [
        "Andel första besök inom 90 dagar: 59,2 % → 66,7 % (skillnad +8,3 procentenheter; 95 % intervall +6,7 till +9,7)",
        "id=\"diagram-solfjader\"",
        "id=\"prognos-tabell\"",
        "id=\"diagram-vantelista\"",
        "id=\"vantelista-tabell\"",
        "Inga avslutade besök",
        "dagar efter det medicinskt angivna måldatumet",
    ] {
        assert!(page.contains(part), "{part} not in {page}");
    }
    assert!(!page.contains("NaN") && !page.contains("visas inte ännu"));
    // The charts come before their tables.
    assert!(page.find("diagram-vantelista") < page.find("vantelista-tabell"));
    for user in OUTSIDERS {
        assert_eq!(
            get(&path, user).await.status(),
            StatusCode::NOT_FOUND,
            "{user:?}"
        );
    }
}
