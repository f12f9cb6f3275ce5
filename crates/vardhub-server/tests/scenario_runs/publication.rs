//! Publishing a scenario run: refused to anyone not logged in (401), to roles that may not see
//! it (404), to entitled roles that are not administrators and to the administrator who ran it
//! (403), without a motivation or with an identity number in it (422), for a run calibrated on
//! fewer stays than the policy's least count (409, through the API and the page's form), and a
//! second time (409). After a valid publication by another administrator everyone sees it, the
//! public the disclosure-checked copy: the counts of stays rounded to the policy's least count or
//! hidden below it, the admissions per day derived from the rounded count, and no user names.

use super::{ENTITLED, OUTSIDERS, cache_control, get, valid};
use crate::support::{REGION_A, client, open_hub, store_scenario, world};
use crate::{assert_problem, json};
use reqwest::StatusCode;
use serde_json::{Value, json};

const ID: &str = "http_test_published_scenario";
const TITLE: &str = "Publicerat testscenario";
const MOTIVATION: &str = "Godkänt av förvaltningsgruppen för vårdplatser 2025-02-03.";

async fn post(run_id: &str, user: Option<&str>, body: &str) -> reqwest::Response {
    let w = world();
    let mut req = client()
        .post(format!("{}/api/v1/scenarios/{run_id}/publication", w.base))
        .header("content-type", "application/json")
        .body(body.to_owned());
    if let Some(u) = user {
        req = req.bearer_auth(w.token(u));
    }
    req.send().await.unwrap()
}

fn motivation(text: &str) -> String {
    json!({ "motivation": text }).to_string()
}

#[tokio::test]
async fn only_another_administrator_publishes_and_the_public_sees_the_checked_copy() {
    let w = world();
    let doc = json("/api/openapi.json", None).await;
    let run_id = store_scenario(&w.data, ID, TITLE, REGION_A, "adm").await;
    let ok = motivation(MOTIVATION);

    assert_problem(post(&run_id, None, &ok).await, StatusCode::UNAUTHORIZED).await;
    for user in OUTSIDERS.into_iter().flatten() {
        assert_problem(post(&run_id, Some(user), &ok).await, StatusCode::NOT_FOUND).await;
    }
    for user in ENTITLED.into_iter().filter(|u| *u != "adm") {
        let p = assert_problem(post(&run_id, Some(user), &ok).await, StatusCode::FORBIDDEN).await;
        assert!(
            p["detail"].as_str().unwrap().contains("administratör"),
            "{p}"
        );
    }
    // The author: four eyes.
    let p = assert_problem(post(&run_id, Some("adm"), &ok).await, StatusCode::FORBIDDEN).await;
    assert!(p["detail"].as_str().unwrap().contains("körde"), "{p}");
    // The motivation is required and published: no identity number.
    for body in [
        "{}".to_owned(),
        motivation(""),
        motivation("   "),
        motivation("Efterfrågat av patient 198001022386"),
        motivation("Efterfrågat av patient 19800102-2386"),
    ] {
        assert_problem(
            post(&run_id, Some("adm2"), &body).await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    assert_problem(
        post(&run_id, Some("adm2"), "not json").await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert_problem(
        post(
            &run_id,
            Some("adm2"),
            &json!({"motivation": MOTIVATION, "x": 1}).to_string(),
        )
        .await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    // Nothing of that published it.
    assert_problem(
        get(&format!("/api/v1/scenarios/{run_id}"), None).await,
        StatusCode::NOT_FOUND,
    )
    .await;

    // The stored document, as an entitled role sees it.
    let path = format!("/api/v1/scenarios/{run_id}");
    let stored = json(&path, Some(w.token("nat"))).await;
    let calibration = &stored["document"]["result"]["calibration"];
    let stays = calibration["stays"].as_u64().unwrap();
    let elsewhere = calibration["stays_elsewhere"].as_u64().unwrap();
    assert!(stays >= 5, "the world's region A has {stays} stays");

    let res = post(&run_id, Some("adm2"), &ok).await;
    assert!(cache_control(&res).contains("no-store"));
    let published = valid(
        res,
        &doc,
        "/api/v1/scenarios/{run_id}/publication",
        "post",
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(published["published"], true);
    assert_eq!(published["publication"]["approved_by"], "adm2");
    assert_eq!(published["publication"]["author"], "adm");
    assert_eq!(published["publication"]["motivation"], MOTIVATION);
    assert_problem(post(&run_id, Some("adm2"), &ok).await, StatusCode::CONFLICT).await;

    // Everyone sees it now; the public the checked copy.
    for user in OUTSIDERS {
        let res = get(&path, user).await;
        if user.is_none() {
            assert!(
                cache_control(&res).contains("public"),
                "{}",
                cache_control(&res)
            );
        } else {
            assert!(cache_control(&res).contains("no-store"));
        }
        let v = valid(
            res,
            &doc,
            "/api/v1/scenarios/{run_id}",
            "get",
            StatusCode::OK,
        )
        .await;
        assert_eq!(v["disclosure_checked"], true, "{user:?}");
        assert_eq!(v["published"], true);
        assert!(v["publication"]["approved_by"].is_null(), "{user:?}: {v}");
        assert!(
            !v.to_string().contains("adm2"),
            "{user:?} is told who approved"
        );
        let d = &v["document"];
        assert_eq!(d["disclosure"]["policy"], "vardhub-public v4");
        assert_eq!(d["disclosure"]["min_count"], 5);
        let c = &d["result"]["calibration"];
        let shown = c["stays"].as_u64().unwrap();
        assert_eq!(shown % 5, 0);
        assert!(shown.abs_diff(stays) <= 2, "{shown} for {stays}");
        match elsewhere {
            0 => assert_eq!(c["stays_elsewhere"], 0),
            1..=4 => assert!(c["stays_elsewhere"].is_null()),
            n => assert!(c["stays_elsewhere"].as_u64().unwrap().abs_diff(n) <= 2),
        }
        // 60 baseline days: January and February 2024.
        let per_day = c["admissions_per_day"].as_f64().unwrap();
        assert!((per_day - shown as f64 / 60.0).abs() < 1e-9, "{per_day}");
        // The model's outputs are as computed.
        assert_eq!(
            d["result"]["headline"],
            stored["document"]["result"]["headline"]
        );

        let list = json("/api/v1/scenarios", user.map(|u| w.token(u))).await;
        assert!(
            list["scenarios"]
                .as_array()
                .unwrap()
                .iter()
                .any(|s| s["run_id"] == run_id.as_str() && s["published"] == true),
            "{user:?}"
        );
        let page = get(&format!("/scenarier/{run_id}"), user).await;
        assert_eq!(page.status(), StatusCode::OK, "{user:?}");
        let page = page.text().await.unwrap();
        for part in [
            TITLE,
            MOTIVATION,
            "id=\"publicerat\"",
            "id=\"rojandekontroll\"",
            "id=\"diagram-solfjader\"",
            &format!("ca {shown} (avrundat till närmaste 5)"),
        ] {
            assert!(page.contains(part), "{user:?}: {part} not on the page");
        }
        assert!(!page.contains("ej-rojandekontrollerat"), "{user:?}");
        assert!(!page.contains("adm2"), "{user:?}");
        assert!(!page.contains("id=\"publicera\""), "{user:?}");
        let list = get("/scenarier", user).await.text().await.unwrap();
        assert!(list.contains(TITLE), "{user:?}");
    }
    // An entitled role still sees the stored document, and who approved it.
    let v = json(&path, Some(w.token("reg_a"))).await;
    assert_eq!(v["disclosure_checked"], false);
    assert_eq!(v["publication"]["approved_by"], "adm2");
    assert_eq!(v["document"]["result"]["calibration"]["stays"], stays);

    let hub = open_hub(&w.data).await;
    let entries = hub.audit_entries().await.unwrap();
    let publish: Vec<_> = entries
        .iter()
        .filter(|e| e.action == "scenarios.publish" && e.object == run_id)
        .collect();
    assert_eq!(publish.len(), 1);
    assert_eq!(publish[0].actor, "adm2");
    assert!(!publish[0].details.contains("198001022386"));
}

#[tokio::test]
async fn a_scenario_on_fewer_stays_than_the_least_count_is_not_published() {
    let w = world();
    // A stored run whose calibration rests on three stays: the world's own document with the
    // count changed, stored as `adm`'s scenario run.
    let source = store_scenario(
        &w.data,
        "http_test_small_source",
        "Källscenario",
        REGION_A,
        "adm",
    )
    .await;
    let stored = json(&format!("/api/v1/scenarios/{source}"), Some(w.token("nat"))).await;
    let mut document: Value = stored["document"].clone();
    document["scenario"] = json!("http_test_small_scenario");
    document["spec"]["id"] = json!("http_test_small_scenario");
    document["spec"]["title"]["sv"] = json!("Litet testscenario");
    document["result"]["calibration"]["stays"] = json!(3);
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
    let p = assert_problem(
        post(&run.id, Some("adm2"), &motivation(MOTIVATION)).await,
        StatusCode::CONFLICT,
    )
    .await;
    let detail = p["detail"].as_str().unwrap();
    assert!(
        detail.contains("3 vårdtillfällen") && detail.contains("5"),
        "{detail}"
    );

    // The page's form: the same refusal, shown on the page with the motivation kept.
    let res = client()
        .post(format!("{}/scenarier/{}/publicering", w.base, run.id))
        .bearer_auth(w.token("adm2"))
        .header("origin", &w.base)
        .form(&[("motivation", MOTIVATION)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CONFLICT);
    let page = res.text().await.unwrap();
    assert!(
        page.contains("id=\"fel\"") && page.contains("3 vårdtillfällen"),
        "{page}"
    );
    assert!(page.contains(MOTIVATION));
    // Still unpublished: the public does not see it.
    assert_eq!(
        get(&format!("/scenarier/{}", run.id), None).await.status(),
        StatusCode::NOT_FOUND
    );
    // The form of another region's analyst: not found; of a national analyst: not permitted.
    for (user, status) in [
        ("reg_b", StatusCode::NOT_FOUND),
        ("nat", StatusCode::FORBIDDEN),
    ] {
        let res = client()
            .post(format!("{}/scenarier/{}/publicering", w.base, run.id))
            .bearer_auth(w.token(user))
            .header("origin", &w.base)
            .form(&[("motivation", MOTIVATION)])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), status, "{user}");
    }
}
