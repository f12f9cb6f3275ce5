//! The pages with data of their own — an analysis (care chain, cost over time, before/after), a
//! what-if scenario, a case of the competence centre and an external source's indicator (the
//! track-A file `source_pages` imports, imported again: a second version of the same rows) — at
//! both widths and in both languages: the same checks as the table of page types (axe-core, no
//! sideways scroll, no NaN, every chart drawn). Their modules (`analysis_page`, `scenario_page`,
//! `case_pages`, `source_pages`) test their content and flows at one desktop width; this adds the
//! phone.

use super::{WIDTHS, common_problems, full_screenshot, log_in, log_out, set_width, with_lang};
use crate::support::analysis::{ANALYSIS, COST, TEAM, TEAM_REGION, analysis_world};
use crate::support::{REGION_A, client, open_hub, store_scenario, world};
use fantoccini::{Client, Locator};
use serde_json::{Value, json};

/// Visit `url` (with `lang`) at every width in both languages; the problems found.
async fn visit(c: &Client, base: &str, path: &str, name: &str) -> Vec<String> {
    let mut problems = Vec::new();
    for width in WIDTHS {
        let outer = set_width(c, width).await;
        for lang in ["sv", "en"] {
            c.goto(&format!("{base}{}", with_lang(path, lang)))
                .await
                .unwrap();
            let label = format!("{name} {lang} {width}");
            let found = common_problems(c, &label, lang).await;
            for f in &found {
                eprintln!("PROBLEM {f}");
            }
            problems.extend(found);
            full_screenshot(c, outer, &format!("dashboard-{name}-{lang}-{width}")).await;
        }
    }
    set_width(c, WIDTHS[0]).await;
    problems
}

/// File a need through the API as the requester; its id.
async fn file_case() -> String {
    let w = world();
    let body = json!({
        "name": "Test Testsson", "email": "test@example.se", "organisation": "Region Uppsala",
        "requester_kind": "region",
        "question": "Hur skiljer sig återinskrivningarna inom 30 dagar mellan regionerna på telefonen?",
        "purpose": "Jämförelse inför verksamhetsplanen", "data_wanted": "vardkontakter", "urgency": "lag"
    });
    let res = client()
        .post(format!("{}/api/v1/cases", w.base))
        .header("content-type", "application/json")
        .bearer_auth(w.token("req"))
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let v: Value = serde_json::from_slice(&res.bytes().await.unwrap()).unwrap();
    v["case"]["id"].as_str().unwrap().to_owned()
}

const QUIRKY: &[u8] = include_bytes!("../../../vardhub-ingest/tests/data/external/quirky.csv");

/// Import the track-A file as Socialstyrelsen's; the path of its first indicator's page.
async fn source_page(c: &Client) -> String {
    let w = world();
    let hub = open_hub(&w.data).await;
    let report = vardhub_ops::sources::import(
        &hub,
        "quirky.csv",
        QUIRKY,
        "socialstyrelsen",
        "adm",
        &vardhub_ingest::external::ReadOptions::default(),
    )
    .await
    .unwrap();
    hub.close().await;
    assert_eq!(report.rows_valid, 15);
    c.goto(&format!("{}/kallor?lang=sv", w.base)).await.unwrap();
    c.find(Locator::Css(
        "main table.data a[href^='/kallor/socialstyrelsen/']",
    ))
    .await
    .unwrap()
    .attr("href")
    .await
    .unwrap()
    .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_analysis_scenario_case_and_source_pages_pass_the_same_checks_on_a_phone() {
    let Some((_driver, c)) = super::start_browser().await else {
        return;
    };
    let w = world();
    let mut problems = Vec::new();

    // A case: the public register's page, and centre staff's page with every step form.
    let case = file_case().await;
    c.goto(&format!("{}/?lang=sv", w.base)).await.unwrap();
    let path = format!("/arenden/{case}");
    problems.extend(visit(&c, &w.base, &path, "arende").await);
    set_width(&c, WIDTHS[0]).await;
    log_in(&c, "centre").await;
    problems.extend(visit(&c, &w.base, &path, "arende-centrum").await);
    log_out(&c).await;

    // An external source's indicator, logged out.
    let path = source_page(&c).await;
    problems.extend(visit(&c, &w.base, &path, "kalla").await);

    // An unpublished scenario, as a national analyst.
    let run = store_scenario(
        &w.data,
        "dashboard_phone",
        "Telefonscenario",
        REGION_A,
        "adm",
    )
    .await;
    log_in(&c, "nat").await;
    problems.extend(visit(&c, &w.base, &format!("/scenarier/{run}"), "scenario").await);
    log_out(&c).await;

    // The analyses, logged out, on their own server.
    let a = analysis_world();
    for (name, path) in [
        ("analys-vardkedja", format!("/analyser/{ANALYSIS}")),
        ("analys-kostnad", format!("/analyser/{COST}")),
        (
            "analys-fore-efter",
            format!("/analyser/{TEAM}?region={TEAM_REGION}"),
        ),
    ] {
        problems.extend(visit(&c, &a.base, &path, name).await);
    }
    assert!(
        problems.is_empty(),
        "{} problems:\n{}",
        problems.len(),
        problems.join("\n")
    );
    c.close().await.unwrap();
}
