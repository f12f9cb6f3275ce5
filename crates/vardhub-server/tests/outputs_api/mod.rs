//! Output checking and fees over HTTP: a researcher who is a member of a project submits outputs
//! (non-members and other roles are refused), the machine flags planted disclosive outputs (a
//! small cell; a difference against an approved output) and passes a safe one, the centre's
//! checker decides under the rules (never the submitter; a reason where needed; once), the page
//! shows the checker the decision form and the researcher only the statuses, and the invoice basis
//! of the project comes as JSON and as Swedish CSV to the centre only. Every JSON response is
//! checked against the OpenAPI document.

use crate::analyses::schema;
use crate::support::{REGION_A, client, open_hub, world};
use crate::{JsonBody, assert_problem, json};
use reqwest::StatusCode;
use serde_json::{Value, json};
use vardhub_domain::research::ProjectId;
use vardhub_engine::definitions::Definitions;
use vardhub_store::Hub;
use vardhub_store::work_log::{NewWork, Subject};

const PROJECT: &str = "utdata-test";
const OUTPUTS: &str = "/api/v1/research/outputs";

fn project_file() -> String {
    format!(
        r#"id = "{PROJECT}"
title = "Återinläggningar efter hjärtinfarkt"
principal_investigator = "Rut Granskarsson"
organisation = "Testuniversitetet"
purpose = "Att beskriva återinläggningar."
legal_basis = "gdpr-6-1-e-9-2-j"
date_coarsening = "month"
retention_end = "2035-12-31"

[ethics]
dnr = "2025-05555-01"
valid_from = "2025-01-01"
valid_to = "2030-12-31"

[population]
regions = ["{REGION_A}"]
from = "2024-01"
to = "2024-03"

[[selection]]
collection = "vardkontakter"
table = "kontakter"
variables = ["kontakt_id", "patient_id", "kon"]
"#
    )
}

/// The hub with the project added and `forskare` a member (whichever test comes first adds them).
async fn setup() -> Hub {
    let w = world();
    let hub = open_hub(&w.data).await;
    let id = ProjectId::parse(PROJECT).unwrap();
    if hub.research_project(&id).await.unwrap().is_none() {
        let defs = Definitions::builtin();
        let _ =
            vardhub_ops::research::add_project(&hub, defs.specs(), &project_file(), "centre").await;
    }
    if !hub.is_research_member(&id, "forskare").await.unwrap() {
        let _ = hub.add_research_member(&id, "forskare", "centre").await;
    }
    assert!(hub.is_research_member(&id, "forskare").await.unwrap());
    hub
}

/// A request as `user` (a name of the world, or a raw token with `token:`).
fn with_user(req: reqwest::RequestBuilder, user: Option<&str>) -> reqwest::RequestBuilder {
    match user {
        Some(u) => match u.strip_prefix("token:") {
            Some(t) => req.bearer_auth(t),
            None => req.bearer_auth(world().token(u)),
        },
        None => req,
    }
}

async fn get(path: &str, user: Option<&str>) -> reqwest::Response {
    let w = world();
    with_user(client().get(format!("{}{path}", w.base)), user)
        .send()
        .await
        .unwrap()
}

async fn post(path: &str, user: Option<&str>, body: &Value) -> reqwest::Response {
    let w = world();
    with_user(client().post(format!("{}{path}", w.base)), user)
        .header("content-type", "application/json")
        .body(body.to_string())
        .send()
        .await
        .unwrap()
}

fn no_store(res: &reqwest::Response) {
    let cc = res
        .headers()
        .get("cache-control")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    assert!(cc.contains("no-store"), "cache-control {cc:?}");
}

/// A successful response's JSON, checked against the document's schema for it.
async fn valid(
    res: reqwest::Response,
    doc: &Value,
    path: &str,
    method: &str,
    status: u16,
) -> Value {
    assert_eq!(res.status().as_u16(), status, "{method} {path}");
    no_store(&res);
    let v = res.json_value().await;
    let schema = &doc["paths"][path][method]["responses"][status.to_string()]["content"]["application/json"]
        ["schema"];
    assert!(
        schema.is_object(),
        "{method} {path} {status} not documented"
    );
    let problems = schema::check(doc, schema, &v, "$");
    assert!(problems.is_empty(), "{method} {path}: {problems:?}\n{v}");
    v
}

fn output(id: &str, cells: &[(&str, u64)]) -> Value {
    let cells: Vec<Value> = cells
        .iter()
        .map(|(label, count)| json!({ "label": label, "count": count }))
        .collect();
    json!({ "id": id, "cells": cells })
}

fn submission(id: &str, cells: &[(&str, u64)]) -> Value {
    json!({ "project": PROJECT, "output": output(id, cells) })
}

fn rules(v: &Value) -> Vec<(String, String)> {
    v["check"]["flags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["cell"].as_str().unwrap().to_owned(),
                f["rule"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn decision_path(id: i64) -> String {
    format!("{OUTPUTS}/{id}/decision")
}

#[tokio::test]
async fn outputs_are_checked_by_the_machine_and_decided_by_the_centre() {
    let doc = json("/api/openapi.json", None).await;
    let hub = setup().await;
    let (_, outsider) = vardhub_server::auth::add_user(
        &hub,
        "forskare_utan_projekt",
        vardhub_server::Role::Researcher,
        None,
    )
    .await
    .unwrap();
    let outsider = format!("token:{outsider}");
    let skane = "A: Region Skåne; I21; 2024";
    let uppsala = "A: Region Uppsala; I21; 2024";
    let jamtland = "A: Region Jämtland; I21; 2024";
    let safe = submission("a-saker", &[(skane, 120), (uppsala, 80)]);

    // Only a member researcher submits.
    assert_problem(post(OUTPUTS, None, &safe).await, StatusCode::UNAUTHORIZED).await;
    for user in ["pub", "centre", "adm", "decider", outsider.as_str()] {
        assert_problem(
            post(OUTPUTS, Some(user), &safe).await,
            StatusCode::FORBIDDEN,
        )
        .await;
    }
    let mut elsewhere = safe.clone();
    elsewhere["project"] = json!("finns-inte");
    assert_problem(
        post(OUTPUTS, Some("forskare"), &elsewhere).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    // Not the form: 400; an inconsistent table: 422.
    let mut extra = safe.clone();
    extra["personnummer"] = json!("x");
    assert_problem(
        post(OUTPUTS, Some("forskare"), &extra).await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    let twice = submission("a-dubbel", &[(skane, 10), (skane, 11)]);
    assert_problem(
        post(OUTPUTS, Some("forskare"), &twice).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;

    // A planted small cell needs review, with the rule named; a safe output passes.
    let small = submission("a-liten", &[(jamtland, 3), (uppsala, 80)]);
    let res = post(OUTPUTS, Some("forskare"), &small).await;
    let location = res.headers()["location"].to_str().unwrap().to_owned();
    let small = valid(res, &doc, OUTPUTS, "post", 201).await;
    let small_id = small["id"].as_i64().unwrap();
    assert_eq!(location, format!("{OUTPUTS}/{small_id}"));
    assert_eq!(small["status"], "pending");
    assert_eq!(small["submitted_by"], "forskare");
    assert_eq!(small["check"]["verdict"], "review_required");
    assert_eq!(rules(&small), vec![(jamtland.into(), "small_cell".into())]);
    assert!(
        small["check"]["flags"][0]["message_sv"]
            .as_str()
            .unwrap()
            .contains("antalet 3")
    );
    assert!(small["decision"].is_null());
    let safe = valid(
        post(OUTPUTS, Some("forskare"), &safe).await,
        &doc,
        OUTPUTS,
        "post",
        201,
    )
    .await;
    let safe_id = safe["id"].as_i64().unwrap();
    assert_eq!(safe["check"]["verdict"], "pass");
    assert!(rules(&safe).is_empty());
    assert_eq!(safe["status"], "pending", "the machine never approves");
    // The same output id again while pending: 409.
    assert_problem(
        post(
            OUTPUTS,
            Some("forskare"),
            &submission("a-saker", &[(skane, 200)]),
        )
        .await,
        StatusCode::CONFLICT,
    )
    .await;

    // Only the centre's checkers decide; never the submitter.
    let approve = json!({ "decision": "approved" });
    for user in ["forskare", "decider", "pub"] {
        assert_problem(
            post(&decision_path(safe_id), Some(user), &approve).await,
            StatusCode::FORBIDDEN,
        )
        .await;
    }
    assert_problem(
        post(&decision_path(safe_id), None, &approve).await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    assert_problem(
        post(
            &decision_path(safe_id),
            Some("centre"),
            &json!({ "decision": "kanske" }),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_problem(
        post(&decision_path(999_999), Some("centre"), &approve).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    let path = "/api/v1/research/outputs/{id}/decision";
    let approved = valid(
        post(&decision_path(safe_id), Some("centre"), &approve).await,
        &doc,
        path,
        "post",
        200,
    )
    .await;
    assert_eq!(approved["status"], "approved");
    assert_eq!(approved["decision"]["checker"], "centre");
    assert_eq!(approved["decision"]["check"]["verdict"], "pass");

    // The flagged output: approving without a reason is refused; refusing with one works, once.
    let p = assert_problem(
        post(&decision_path(small_id), Some("centre"), &approve).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert!(p["detail"].as_str().unwrap().contains("motivering"), "{p}");
    let refuse = json!({ "decision": "refused", "reason": "Jämtlands cell har tre personer" });
    let refused = valid(
        post(&decision_path(small_id), Some("centre"), &refuse).await,
        &doc,
        path,
        "post",
        200,
    )
    .await;
    assert_eq!(refused["status"], "refused");
    assert_eq!(
        refused["decision"]["reason"],
        "Jämtlands cell har tre personer"
    );
    for again in [
        &refuse,
        &json!({ "decision": "approved", "reason": "ändå" }),
    ] {
        assert_problem(
            post(&decision_path(small_id), Some("adm"), again).await,
            StatusCode::CONFLICT,
        )
        .await;
    }

    // A difference of two persons against the approved output is flagged, naming it.
    let diff = valid(
        post(
            OUTPUTS,
            Some("forskare"),
            &submission("a-differens", &[(skane, 122), (uppsala, 80)]),
        )
        .await,
        &doc,
        OUTPUTS,
        "post",
        201,
    )
    .await;
    assert_eq!(diff["check"]["verdict"], "review_required");
    assert_eq!(rules(&diff), vec![(skane.into(), "differencing".into())]);
    assert!(
        diff["check"]["flags"][0]["message_en"]
            .as_str()
            .unwrap()
            .contains("\"a-saker\""),
        "{diff}"
    );
    assert!(
        diff["check"]["earlier"]
            .as_array()
            .unwrap()
            .contains(&json!(safe_id))
    );

    // Who sees what.
    let ids = |v: &Value| -> Vec<i64> {
        v["outputs"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| o["id"].as_i64().unwrap())
            .collect()
    };
    let diff_id = diff["id"].as_i64().unwrap();
    for user in ["centre", "adm", "forskare"] {
        let all = valid(get(OUTPUTS, Some(user)).await, &doc, OUTPUTS, "get", 200).await;
        for id in [small_id, safe_id, diff_id] {
            assert!(ids(&all).contains(&id), "{user} sees {id}");
        }
        let own = valid(
            get(&format!("{OUTPUTS}?project={PROJECT}"), Some(user)).await,
            &doc,
            OUTPUTS,
            "get",
            200,
        )
        .await;
        assert!(
            own["outputs"]
                .as_array()
                .unwrap()
                .iter()
                .all(|o| o["project"] == PROJECT)
        );
        let one = valid(
            get(&format!("{OUTPUTS}/{small_id}"), Some(user)).await,
            &doc,
            "/api/v1/research/outputs/{id}",
            "get",
            200,
        )
        .await;
        assert_eq!(one["decision"]["decision"], "refused");
    }
    let none = valid(
        get(OUTPUTS, Some(&outsider)).await,
        &doc,
        OUTPUTS,
        "get",
        200,
    )
    .await;
    assert_eq!(none["total"], 0);
    assert_problem(
        get(&format!("{OUTPUTS}?project={PROJECT}"), Some(&outsider)).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    assert_problem(
        get(&format!("{OUTPUTS}/{safe_id}"), Some(&outsider)).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    for user in ["pub", "req", "decider", "reg_a", "nat"] {
        assert_problem(get(OUTPUTS, Some(user)).await, StatusCode::FORBIDDEN).await;
    }
    assert_problem(get(OUTPUTS, None).await, StatusCode::UNAUTHORIZED).await;
    for missing in ["999999", "abc"] {
        assert_problem(
            get(&format!("{OUTPUTS}/{missing}"), Some("centre")).await,
            StatusCode::NOT_FOUND,
        )
        .await;
    }

    // Every step is in the audit log.
    let actions: Vec<String> = hub
        .audit_entries()
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.object == format!("output:{small_id}"))
        .map(|e| e.action)
        .collect();
    assert_eq!(actions, vec!["outputs.submit", "outputs.decide"]);
}

#[tokio::test]
async fn the_invoice_basis_of_a_project_as_json_and_csv_for_the_centre_only() {
    let doc = json("/api/openapi.json", None).await;
    let hub = setup().await;
    let subject = Subject::parse(&format!("project:{PROJECT}")).unwrap();
    hub.record_work(
        &NewWork {
            subject: subject.clone(),
            who: "centre".into(),
            day: chrono::NaiveDate::from_ymd_opt(2025, 3, 10).unwrap(),
            minutes: 90,
            activity: "Uppstartsmöte med projektet".into(),
            corrects: None,
            reason: None,
            project_start: true,
        },
        "centre",
    )
    .await
    .unwrap();
    let path = "/api/v1/fees/invoice";
    let query = format!("{path}?subject=project:{PROJECT}&from=2025-01-01&to=2025-12-31");
    for user in ["centre", "decider", "adm"] {
        let v = valid(get(&query, Some(user)).await, &doc, path, "get", 200).await;
        assert_eq!(v["subject"], format!("project:{PROJECT}"));
        assert_eq!(v["project_start"], "2025-03-10");
        let lines: Vec<(&str, i64)> = v["lines"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| {
                (
                    l["kind"].as_str().unwrap(),
                    l["quantity_hundredths"].as_i64().unwrap(),
                )
            })
            .collect();
        assert_eq!(lines, vec![("start_fee", 100), ("handling", 150)]);
        let sum: i64 = v["lines"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["amount_ore"].as_i64().unwrap())
            .sum();
        assert_eq!(v["total_ore"], sum);
        assert_eq!(v["work"].as_array().unwrap().len(), 1);
    }

    let res = get(&format!("{query}&format=csv"), Some("centre")).await;
    assert_eq!(res.status(), StatusCode::OK);
    no_store(&res);
    assert_eq!(res.headers()["content-type"], "text/csv; charset=utf-8");
    let cd = res.headers()["content-disposition"].to_str().unwrap();
    assert!(
        cd.starts_with("attachment; filename=\"fakturaunderlag_"),
        "{cd}"
    );
    let csv = res.text().await.unwrap();
    assert!(csv.starts_with('\u{feff}'));
    assert!(csv.contains("\r\n"));
    let handling = csv
        .lines()
        .find(|l| l.contains("Handläggning"))
        .expect("a handling line");
    assert!(handling.contains(";1,50;timmar;"), "{handling}");
    assert!(csv.contains("Summa exkl. moms"));

    for user in ["forskare", "pub", "req", "reg_a"] {
        assert_problem(get(&query, Some(user)).await, StatusCode::FORBIDDEN).await;
    }
    assert_problem(get(&query, None).await, StatusCode::UNAUTHORIZED).await;
    for bad in [
        format!("{path}?subject=projekt:{PROJECT}&from=2025-01-01&to=2025-12-31"),
        format!("{path}?subject=project:{PROJECT}&to=2025-12-31"),
        format!("{path}?subject=project:{PROJECT}&from=2025-13-01&to=2025-12-31"),
        format!("{query}&format=xlsx"),
    ] {
        assert_problem(get(&bad, Some("centre")).await, StatusCode::BAD_REQUEST).await;
    }
    for unusable in [
        format!("{path}?subject=project:{PROJECT}&from=2025-12-31&to=2025-01-01"),
        format!("{path}?subject=project:{PROJECT}&from=2020-01-01&to=2020-12-31"),
    ] {
        assert_problem(
            get(&unusable, Some("centre")).await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
}

#[tokio::test]
async fn the_output_page_shows_the_checker_a_form_and_the_researcher_the_statuses() {
    let doc = json("/api/openapi.json", None).await;
    setup().await;
    let w = world();
    let kalmar = "C: Region Kalmar; I21; 2024";
    let pending = valid(
        post(
            OUTPUTS,
            Some("forskare"),
            &submission("c-sida", &[(kalmar, 2)]),
        )
        .await,
        &doc,
        OUTPUTS,
        "post",
        201,
    )
    .await;
    let id = pending["id"].as_i64().unwrap();
    let action = format!("/forskning/utdata/{id}/beslut");

    let page = |user: Option<&'static str>| async move {
        let res = get("/forskning/utdata", user).await;
        let status = res.status();
        if status == StatusCode::OK {
            no_store(&res);
        }
        (status, res.text().await.unwrap())
    };
    let (status, html) = page(Some("centre")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains(&format!("action=\"{action}")), "the form");
    assert!(html.contains("<fieldset>") && html.contains("<legend>"));
    assert!(html.contains(&format!("<label for=\"b-{id}-reason\"")));
    assert!(html.contains("c-sida") && html.contains(kalmar));
    assert!(html.contains("regel small_cell"), "the rule in words");
    assert!(html.contains("<caption>") && html.contains("scope=\"row\""));
    let res = get("/forskning/utdata?lang=en", Some("centre")).await;
    let english = res.text().await.unwrap();
    assert!(english.contains("Output checking") && english.contains("Approve release"));
    assert!(english.contains("rule small_cell"), "the rule in English");
    let (status, html) = page(Some("forskare")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("c-sida") && html.contains("Väntar på beslut"));
    assert!(!html.contains("/beslut"), "no form for the researcher");
    let (status, _) = page(Some("pub")).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let res = get("/forskning/utdata", None).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        res.headers()["location"],
        "/logga-in?next=/forskning/utdata"
    );
    // The transparency page links to it for logged-in users only.
    let res = get("/forskning", Some("centre")).await;
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("href=\"/forskning/utdata")
    );
    let res = get("/forskning", None).await;
    assert!(
        !res.text()
            .await
            .unwrap()
            .contains("href=\"/forskning/utdata")
    );

    // The form: refused without a reason (the page again, with why), then refused with one.
    let form = |user: &'static str, body: &'static str| {
        let action = action.clone();
        async move {
            with_user(client().post(format!("{}{action}", w.base)), Some(user))
                .header("origin", &w.base)
                .header("content-type", "application/x-www-form-urlencoded")
                .body(body)
                .send()
                .await
                .unwrap()
        }
    };
    let res = form("centre", "decision=approved&reason=").await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.unwrap();
    assert!(html.contains("role=\"alert\"") && html.contains("motivering krävs"));
    assert!(
        html.contains(&format!("action=\"{action}")),
        "the form again"
    );
    let res = form("forskare", "decision=refused&reason=nej").await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let res = form(
        "centre",
        "decision=refused&reason=Kalmars+cell+har+tv%C3%A5+personer",
    )
    .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let to = res.headers()["location"].to_str().unwrap();
    assert!(to.starts_with("/forskning/utdata?lang=sv"), "{to}");
    let (_, html) = page(Some("forskare")).await;
    assert!(html.contains("Kalmars cell har två personer") && html.contains("Avslagen"));
    let res = form("centre", "decision=approved&reason=%C3%A4nd%C3%A5").await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
}
