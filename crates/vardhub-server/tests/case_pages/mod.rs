//! A case of the competence centre end to end in the real browser, through the pages' own
//! forms: a requester files a need (a personnummer in the question is refused with the reason,
//! the typed values kept), centre staff triage, prioritise on the three dimensions, assess
//! consequences and risks and link the answer, a decision-maker accepts and then closes it with
//! a reference; the public register finds it by a word of the question and shows it without any
//! personal data. axe-core finds no WCAG 2.1 A/AA violation on the form, the case page with every
//! step form, and the public register and case page.

use super::analysis_page::{axe_violations, wait_for};
use super::{WAIT, screenshots_dir, start_browser};
use crate::support::world;
use fantoccini::{Client, Locator};

const NAME: &str = "Greta Lindqvist";
const EMAIL: &str = "greta.lindqvist@example.se";
const WORD: &str = "trycksårsprevalens";

async fn type_into(c: &Client, css: &str, text: &str) {
    let e = c.find(Locator::Css(css)).await.unwrap();
    e.clear().await.unwrap();
    e.send_keys(text).await.unwrap();
}

async fn click(c: &Client, css: &str) {
    c.find(Locator::Css(css))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
}

async fn select(c: &Client, css: &str, value: &str) {
    c.find(Locator::Css(css))
        .await
        .unwrap()
        .select_by_value(value)
        .await
        .unwrap();
}

async fn page_text(c: &Client) -> String {
    c.find(Locator::Css("body"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

async fn no_violations(c: &Client, name: &str) {
    let v = axe_violations(c).await;
    assert!(
        v.is_empty(),
        "{name}: axe violations: {}",
        serde_json::to_string_pretty(&v).unwrap()
    );
    std::fs::write(
        screenshots_dir().join(format!("{name}.png")),
        c.screenshot().await.unwrap(),
    )
    .unwrap();
}

pub(crate) async fn log_in(c: &Client, user: &str) {
    let w = world();
    c.goto(&format!("{}/logga-in?lang=sv", w.base))
        .await
        .unwrap();
    type_into(c, "#namn", user).await;
    type_into(c, "#token", w.token(user)).await;
    click(c, "form.login button").await;
    wait_for(c, "form[action='/logga-ut']").await;
}

pub(crate) async fn log_out(c: &Client) {
    click(c, "form[action='/logga-ut'] button").await;
    wait_for(c, "a[href='/logga-in']").await;
}

/// Submit the form `form` and wait for the case page again (post/redirect/get: the address is
/// the case's, not the form's), without an error.
async fn submit_step(c: &Client, form: &str, id: &str) {
    // A mark on the old page's window: gone once the browser has loaded the next page.
    c.execute("window.vhOld = true;", vec![]).await.unwrap();
    click(c, &format!("{form} button[type='submit']")).await;
    let started = std::time::Instant::now();
    loop {
        let url = c.current_url().await.unwrap();
        let old = c.execute("return window.vhOld === true;", vec![]).await;
        if !matches!(old, Ok(serde_json::Value::Bool(true)))
            && url.path().ends_with(&format!("/arenden/{id}"))
            && c.find(Locator::Css("#status")).await.is_ok()
        {
            break;
        }
        assert!(
            started.elapsed() < WAIT,
            "{form}: still at {url}: {}",
            page_text(c).await
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(
        c.find(Locator::Css("#fel")).await.is_err(),
        "{form}: {}",
        page_text(c).await
    );
}

async fn status(c: &Client) -> String {
    c.find(Locator::Css("#status"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_case_goes_from_filing_to_closure_in_the_browser_and_the_register_shows_it_without_personal_data()
 {
    let Some((_driver, c)) = start_browser().await else {
        return;
    };
    let w = world();

    // The requester files a need from the register.
    log_in(&c, "req").await;
    c.goto(&format!("{}/arenden?lang=sv", w.base))
        .await
        .unwrap();
    click(&c, "a[href='/arenden/nytt?lang=sv']").await;
    wait_for(&c, "#anmal").await;
    no_violations(&c, "arende-anmalan").await;
    type_into(&c, "#f-name", NAME).await;
    type_into(&c, "#f-email", EMAIL).await;
    select(&c, "#f-kind", "region").await;
    type_into(&c, "#f-org", "Region Jönköpings län").await;
    let question = format!("Hur har {WORD} utvecklats per region för patient 19800102-2386?");
    type_into(&c, "#f-question", &question).await;
    type_into(&c, "#f-purpose", "Uppföljning av patientsäkerhetsarbetet").await;
    type_into(&c, "#f-data", "Vårdkontakter och diagnoser 2024").await;
    select(&c, "#f-urgency", "hog").await;
    click(&c, "#skicka").await;
    let error = wait_for(&c, "#fel").await.text().await.unwrap();
    assert!(error.contains("personuppgifter"), "{error}");
    let kept = c
        .find(Locator::Css("#f-purpose"))
        .await
        .unwrap()
        .prop("value")
        .await
        .unwrap();
    assert_eq!(
        kept.as_deref(),
        Some("Uppföljning av patientsäkerhetsarbetet")
    );
    let question = format!("Hur har {WORD} utvecklats per region under 2024?");
    type_into(&c, "#f-question", &question).await;
    click(&c, "#skicka").await;
    wait_for(&c, "#status").await;
    let url = c.current_url().await.unwrap();
    let id = url.path().rsplit('/').next().unwrap().to_owned();
    assert_eq!(status(&c).await, "Inkommet");
    // The requester sees the own contact details, and no step form.
    let text = page_text(&c).await;
    assert!(text.contains(EMAIL), "{text}");
    assert!(c.find(Locator::Css("#form-sortering")).await.is_err());
    no_violations(&c, "arende-inkommet").await;
    log_out(&c).await;

    // Centre staff: triage, prioritisation, assessment, links.
    log_in(&c, "centre").await;
    c.goto(&format!("{}/arenden/{id}?lang=sv", w.base))
        .await
        .unwrap();
    wait_for(&c, "#form-sortering").await;
    no_violations(&c, "arende-handlaggare").await;
    select(&c, "#s-category", "indikator").await;
    type_into(&c, "#s-note", "Kan besvaras som ny indikator").await;
    submit_step(&c, "#form-sortering", &id).await;
    assert_eq!(status(&c).await, "Sorterat");
    for (dim, score) in [("value", 4), ("feasibility", 3), ("regulatory", 5)] {
        click(&c, &format!("#p-{dim}-{score}")).await;
        type_into(
            &c,
            &format!("#p-{dim}-motivering"),
            &format!("Motivering för {dim} enligt skalan"),
        )
        .await;
    }
    submit_step(&c, "#form-prioritering", &id).await;
    assert_eq!(status(&c).await, "Prioriterat");
    let scores = c
        .find(Locator::Css("#poang caption"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(scores.contains("hög (12/15)"), "{scores}");
    type_into(&c, "#b-governance", "NPO hud äger definitionen").await;
    click(&c, "#b-comp-indikatorrecept").await;
    click(&c, "#b-comp-dashboard").await;
    type_into(&c, "#b-data", "vardkontakter med diagnoser").await;
    type_into(&c, "#b-competence", "Statistiker och kliniker").await;
    type_into(&c, "#b-effort", "60").await;
    select(&c, "#b-risk1-kind", "kvalitet").await;
    type_into(
        &c,
        "#b-risk1-description",
        "Olika registreringspraxis mellan regioner",
    )
    .await;
    type_into(&c, "#b-risk1-likelihood", "3").await;
    type_into(&c, "#b-risk1-impact", "2").await;
    type_into(&c, "#b-risk1-mitigation", "Kvalitetsrapport per region").await;
    submit_step(&c, "#form-bedomning", &id).await;
    assert_eq!(status(&c).await, "Konsekvens- och riskbedömt");
    let risks = page_text(&c).await;
    assert!(risks.contains("6 (hög)"), "{risks}");
    type_into(
        &c,
        "#k-links",
        "indikator:medelvardtid\nanalys:hoftfraktur_vardkedja",
    )
    .await;
    submit_step(&c, "#form-kopplingar", &id).await;
    wait_for(&c, "#kopplingslista a[href='/indikatorer/medelvardtid']").await;
    assert!(c.find(Locator::Css("#form-beslut")).await.is_err());
    // Handling time, recorded by the staff and summed.
    type_into(&c, "#t-hours", "1,5").await;
    type_into(&c, "#t-activity", "Sortering, prioritering och bedömning").await;
    submit_step(&c, "#form-tid", &id).await;
    let time = wait_for(&c, "#tid caption").await.text().await.unwrap();
    assert!(time.contains("1,50"), "{time}");
    log_out(&c).await;

    // The decision-maker accepts, then closes with a reference; closing without one is refused.
    log_in(&c, "decider").await;
    c.goto(&format!("{}/arenden/{id}?lang=sv", w.base))
        .await
        .unwrap();
    wait_for(&c, "#form-beslut").await;
    click(&c, "#d-beviljat").await;
    type_into(&c, "#d-motivation", "Hög nytta och genomförbart i år").await;
    submit_step(&c, "#form-beslut", &id).await;
    assert_eq!(status(&c).await, "Beviljat");
    click(&c, "#d-avslutat").await;
    type_into(&c, "#d-motivation", "Besvarat av befintlig indikator").await;
    click(&c, "#form-beslut button[type='submit']").await;
    let error = wait_for(&c, "#fel").await.text().await.unwrap();
    assert!(error.contains("hänvisning"), "{error}");
    click(&c, "#d-avslutat").await;
    type_into(&c, "#d-motivation", "Besvarat av befintlig indikator").await;
    type_into(&c, "#d-references", "indikator:medelvardtid").await;
    submit_step(&c, "#form-beslut", &id).await;
    assert_eq!(status(&c).await, "Avslutat");
    assert!(c.find(Locator::Css("#form-beslut")).await.is_err());
    log_out(&c).await;

    // The public register finds it by a word of the question, closed, without personal data.
    c.goto(&format!("{}/arenden?lang=sv", w.base))
        .await
        .unwrap();
    type_into(&c, "#sok", WORD).await;
    select(&c, "#status", "avslutat").await;
    // The unfiltered register lists the case too: wait for the search's own page.
    c.execute("window.vhOld = true;", vec![]).await.unwrap();
    click(&c, "#sok-knapp").await;
    let started = std::time::Instant::now();
    while matches!(
        c.execute("return window.vhOld === true;", vec![]).await,
        Ok(serde_json::Value::Bool(true)) | Err(_)
    ) {
        assert!(started.elapsed() < WAIT, "the search did not load");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let row = wait_for(&c, &format!("#arenden tr[data-id='{id}']")).await;
    let row_text = row.text().await.unwrap();
    assert!(
        row_text.contains("Avslutat") && row_text.contains("hög (12/15)"),
        "{row_text}"
    );
    no_violations(&c, "arenderegister").await;
    click(&c, &format!("#arenden a[href='/arenden/{id}?lang=sv']")).await;
    wait_for(&c, "#beslutslista").await;
    let text = page_text(&c).await;
    for secret in [NAME, EMAIL, "greta", "decider", "centre"] {
        assert!(!text.contains(secret), "{secret} on the public page");
    }
    assert!(c.find(Locator::Css("#historik")).await.is_err());
    assert!(c.find(Locator::Css("#tid")).await.is_err());
    assert!(text.contains("Beslutsfattare"), "{text}");
    no_violations(&c, "arende-publikt").await;
    // English.
    click(&c, "#sprakval").await;
    wait_for(&c, "html[lang='en']").await;
    assert_eq!(status(&c).await, "Closed");
    no_violations(&c, "arende-publikt-en").await;

    // Output checking as the centre's checker: a flagged output with its decision form.
    let hub = crate::support::open_hub(&w.data).await;
    let defs = vardhub_engine::definitions::Definitions::builtin();
    let example = include_str!("../../../../research/exempel_hoftfraktur.toml");
    let project = vardhub_ops::research::add_project(&hub, defs.specs(), example, "centre")
        .await
        .unwrap();
    hub.add_research_member(&project.record.id, "forskare", "centre")
        .await
        .unwrap();
    let table: vardhub_engine::output_check::OutputTable =
        serde_json::from_value(serde_json::json!({
            "id": "tabell-1",
            "cells": [{ "label": "Region Jämtland; S72; 2024", "count": 3 },
                      { "label": "Region Skåne; S72; 2024", "count": 140 }]
        }))
        .unwrap();
    let submitted = vardhub_ops::outputs::submit(
        &hub,
        defs.policy(),
        project.record.id.as_str(),
        &table,
        "forskare",
    )
    .await
    .unwrap();
    log_in(&c, "centre").await;
    c.goto(&format!("{}/forskning/utdata?lang=sv", w.base))
        .await
        .unwrap();
    wait_for(&c, &format!("#form-{}", submitted.stored.id)).await;
    no_violations(&c, "utdatagranskning").await;
    c.close().await.unwrap();
}
