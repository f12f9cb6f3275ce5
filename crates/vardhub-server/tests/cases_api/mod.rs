//! The competence centre's cases over the API, as third-party clients and an attacker would use
//! it: each step by the role that may take it (others get 401/403, a step out of order 409, a
//! broken field 422 naming it); every response checked against the OpenAPI document; the public
//! register without any personal data; no state-changing request through a browser session from
//! another site.

use crate::analyses::schema;
use crate::support::{client, world};
use crate::{JsonBody, assert_problem, json};
use reqwest::StatusCode;
use serde_json::{Value, json};

const NAME: &str = "Hugo Nilsson";
const EMAIL: &str = "hugo.nilsson@example.se";

async fn post(path: &str, token: Option<&str>, body: &Value) -> reqwest::Response {
    let w = world();
    let mut req = client()
        .post(format!("{}{path}", w.base))
        .header("content-type", "application/json")
        .body(body.to_string());
    if let Some(t) = token {
        req = req.bearer_auth(w.token(t));
    }
    req.send().await.unwrap()
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

fn filing(question: &str) -> Value {
    json!({
        "name": NAME, "email": EMAIL, "organisation": "Region Gävleborg",
        "requester_kind": "region", "question": question,
        "purpose": "Jämförelse inför budget", "data_wanted": "vardkontakter", "urgency": "lag"
    })
}

#[tokio::test]
async fn a_case_through_the_api_by_each_role_with_the_register_free_of_personal_data() {
    let doc = json("/api/openapi.json", None).await;
    let step = "/api/v1/cases/{id}/";

    // Filing needs a login; a personnummer or a wrong code is named.
    assert_problem(
        post("/api/v1/cases", None, &filing("Fråga")).await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    let p = assert_problem(
        post(
            "/api/v1/cases",
            Some("req"),
            &filing("Gäller 198001022386?"),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert!(
        p["detail"].as_str().unwrap().contains("personuppgifter"),
        "{p}"
    );
    let mut bad = filing("Fråga");
    bad["urgency"] = json!("genast");
    let p = assert_problem(
        post("/api/v1/cases", Some("req"), &bad).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert!(p["detail"].as_str().unwrap().starts_with("urgency"), "{p}");
    let mut extra = filing("Fråga");
    extra["personnummer"] = json!("x");
    assert_problem(
        post("/api/v1/cases", Some("req"), &extra).await,
        StatusCode::BAD_REQUEST,
    )
    .await;

    let question = "Hur varierar väntetiden till grå starr-operation mellan regionerna?";
    let res = post("/api/v1/cases", Some("req"), &filing(question)).await;
    let location = res.headers()["location"].to_str().unwrap().to_owned();
    assert!(
        res.headers()["cache-control"]
            .to_str()
            .unwrap()
            .contains("no-store")
    );
    let v = valid(res, &doc, "/api/v1/cases", "post", 201).await;
    let id = v["case"]["id"].as_str().unwrap().to_owned();
    assert_eq!(location, format!("/api/v1/cases/{id}"));
    assert_eq!(v["internal"]["contact"]["email"], EMAIL);
    let at = |s: &str| format!("/api/v1/cases/{id}/{s}");

    // Triage: not the requester's; then staff.
    let triage = json!({"category": "indikator", "note": "Väntetider finns i vantetider"});
    assert_problem(
        post(&at("triage"), Some("req"), &triage).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    assert_problem(
        post(&at("triage"), Some("decider"), &triage).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    valid(
        post(&at("triage"), Some("centre"), &triage).await,
        &doc,
        &format!("{step}triage"),
        "post",
        200,
    )
    .await;
    // Accepting before prioritisation and assessment is a conflict.
    let accept = json!({"outcome": "beviljat", "motivation": "Viktigt"});
    assert_problem(
        post(&at("decision"), Some("decider"), &accept).await,
        StatusCode::CONFLICT,
    )
    .await;
    let prio = json!({"value": 3, "value_motivation": "Flera regioner", "feasibility": 5,
                      "feasibility_motivation": "Indikatorn finns", "regulatory": 5,
                      "regulatory_motivation": "Aggregat"});
    let v = valid(
        post(&at("priority"), Some("centre"), &prio).await,
        &doc,
        &format!("{step}priority"),
        "post",
        200,
    )
    .await;
    assert_eq!(v["case"]["priority_total"], 13);
    assert_eq!(v["case"]["priority_class"], "high");
    let mut out_of_scale = prio.clone();
    out_of_scale["value"] = json!(6);
    assert_problem(
        post(&at("priority"), Some("centre"), &out_of_scale).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    let assessment = json!({
        "governance": "NPO ögonsjukdomar", "components": ["indikatorrecept"],
        "data_needed": "vantetider", "competence": "Analytiker", "effort_hours": 8,
        "risks": [{"kind": "kvalitet", "description": "Olika väntetidsdefinitioner",
                   "likelihood": 2, "impact": 2, "mitigation": "Nationell definition"}]
    });
    let mut no_risk = assessment.clone();
    no_risk["risks"] = json!([]);
    assert_problem(
        post(&at("assessment"), Some("centre"), &no_risk).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    valid(
        post(&at("assessment"), Some("centre"), &assessment).await,
        &doc,
        &format!("{step}assessment"),
        "post",
        200,
    )
    .await;
    let unknown = json!({"links": [{"kind": "indikator", "target": "finns_inte"}]});
    assert_problem(
        post(&at("links"), Some("centre"), &unknown).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    let links = json!({"links": [{"kind": "indikator", "target": "vantetid_operation_90"}]});
    valid(
        post(&at("links"), Some("centre"), &links).await,
        &doc,
        &format!("{step}links"),
        "post",
        200,
    )
    .await;

    // Decisions: not staff's; accept; close needs a reference.
    assert_problem(
        post(&at("decision"), Some("centre"), &accept).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    valid(
        post(&at("decision"), Some("decider"), &accept).await,
        &doc,
        &format!("{step}decision"),
        "post",
        200,
    )
    .await;
    let close = json!({"outcome": "avslutat", "motivation": "Besvarat av indikatorn"});
    assert_problem(
        post(&at("decision"), Some("decider"), &close).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    let close = json!({"outcome": "avslutat", "motivation": "Besvarat av indikatorn",
                       "references": [{"kind": "indikator", "target": "vantetid_operation_90"}]});
    let v = valid(
        post(&at("decision"), Some("adm"), &close).await,
        &doc,
        &format!("{step}decision"),
        "post",
        200,
    )
    .await;
    assert_eq!(v["case"]["status"], "avslutat");
    assert_eq!(v["internal"]["history"].as_array().unwrap().len(), 7);
    assert_problem(
        post(&at("triage"), Some("centre"), &triage).await,
        StatusCode::CONFLICT,
    )
    .await;

    // The public register and case: found by a word, no personal data, no internal part.
    let w = world();
    let res = client()
        .get(format!(
            "{}/api/v1/cases?q=STARR-operation&status=avslutat",
            w.base
        ))
        .send()
        .await
        .unwrap();
    let reg = valid(res, &doc, "/api/v1/cases", "get", 200).await;
    assert!(
        reg["cases"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["id"] == id.as_str()),
        "{reg}"
    );
    let res = client()
        .get(format!("{}/api/v1/cases/{id}", w.base))
        .send()
        .await
        .unwrap();
    let public = valid(res, &doc, "/api/v1/cases/{id}", "get", 200).await;
    assert!(public.get("internal").is_none());
    assert_eq!(public["case"]["decisions"][1]["decided_by_role"], "admin");
    let all = client()
        .get(format!("{}/api/v1/cases", w.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    // (Test user names equal role codes, which are published: look for the fields that would
    // carry a user instead.)
    for secret in [
        NAME,
        EMAIL,
        "\"by\"",
        "\"actor\"",
        "\"contact\"",
        "\"history\"",
    ] {
        assert!(!all.contains(secret), "{secret} in the public register");
        assert!(
            !public.to_string().contains(secret),
            "{secret} in the public case"
        );
    }
    // Another requester sees only the public form; the own requester sees the internal part.
    let other = client()
        .get(format!("{}/api/v1/cases/{id}", w.base))
        .bearer_auth(w.token("forskare"))
        .send()
        .await
        .unwrap()
        .json_value()
        .await;
    assert!(other.get("internal").is_none());
    let own = client()
        .get(format!("{}/api/v1/cases/{id}", w.base))
        .bearer_auth(w.token("req"))
        .send()
        .await
        .unwrap()
        .json_value()
        .await;
    assert_eq!(own["internal"]["contact"]["name"], NAME);
    assert_problem(
        client()
            .get(format!("{}/api/v1/cases/1999-0001", w.base))
            .send()
            .await
            .unwrap(),
        StatusCode::NOT_FOUND,
    )
    .await;
    assert_problem(
        client()
            .get(format!("{}/api/v1/cases?status=klar", w.base))
            .send()
            .await
            .unwrap(),
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;

    // The audit log has each step, naming the case, never the contact details.
    let hub = crate::support::open_hub(&w.data).await;
    let entries = hub.audit_entries().await.unwrap();
    let steps: Vec<&str> = entries
        .iter()
        .filter(|e| e.object == id)
        .map(|e| e.action.as_str())
        .collect();
    assert_eq!(
        steps,
        [
            "cases.file",
            "cases.triage",
            "cases.prioritise",
            "cases.assess",
            "cases.link",
            "cases.decide",
            "cases.decide"
        ]
    );
    assert!(!format!("{entries:?}").contains(EMAIL));
}

#[tokio::test]
async fn no_case_step_through_a_browser_session_from_another_site() {
    let w = world();
    // A page elsewhere posting with the browser's cookie: refused before anything is read.
    for path in ["/api/v1/cases", "/arenden", "/arenden/2026-0001/beslut"] {
        let res = client()
            .post(format!("{}{path}", w.base))
            .header("cookie", "vardhub_session=stolen")
            .header("origin", "https://evil.example")
            .header("content-type", "application/x-www-form-urlencoded")
            .body("outcome=avslutat")
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{path}");
    }
    // The filing page sends an anonymous visitor to log in.
    let res = client()
        .get(format!("{}/arenden/nytt", w.base))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()["location"], "/logga-in?next=/arenden/nytt");
}
