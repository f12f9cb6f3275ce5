//! A what-if scenario's page in the real browser: a national analyst (entitled) opens an
//! unpublished scenario; the fan chart and the daily occupancy chart render as SVG inside their
//! chart elements, each is followed by its table, nothing is blank or NaN, and axe-core finds no
//! WCAG 2.1 A/AA violation (the list too). Another administrator than its author then publishes
//! it through the page's form, and the public sees the disclosure-checked copy — again without
//! violations.

use super::analysis_page::{assert_tables, axe_violations, wait_for, wait_for_charts};
use super::case_pages::{log_in, log_out};
use super::{screenshots_dir, start_browser};
use crate::support::{REGION_A, store_scenario, world};
use fantoccini::{Client, Locator};

const TITLE: &str = "Webbläsarscenario";

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

/// Both charts rendered as SVG, each followed by its table.
async fn charts_and_tables(c: &Client) {
    assert_eq!(wait_for_charts(c).await, 2, "the fan and occupancy charts");
    for id in ["diagram-solfjader", "diagram-belaggning"] {
        c.find(Locator::Css(&format!("#{id}[data-rendered='true'] svg")))
            .await
            .unwrap_or_else(|_| panic!("{id} has no SVG"));
    }
    let rows = c
        .find_all(Locator::Css("#prognos-tabell tbody tr"))
        .await
        .unwrap();
    assert_eq!(rows.len(), 1, "one month of horizon");
    assert_tables(c).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_scenario_page_shows_its_fan_chart_and_tables_and_is_published_by_another_admin() {
    let Some((_driver, c)) = start_browser().await else {
        return;
    };
    let w = world();
    let run_id = store_scenario(&w.data, "browser_scenario", TITLE, REGION_A, "adm").await;
    let page = format!("{}/scenarier/{run_id}?lang=sv", w.base);

    log_in(&c, "nat").await;
    c.goto(&format!("{}/scenarier?lang=sv", w.base))
        .await
        .unwrap();
    wait_for(&c, &format!("#scenariolista tr[data-run='{run_id}']")).await;
    no_violations(&c, "scenarier-nat").await;
    c.goto(&page).await.unwrap();
    wait_for(&c, "#ej-rojandekontrollerat").await;
    charts_and_tables(&c).await;
    let headline = c
        .find(Locator::Css("#huvudresultat-text li"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        headline.starts_with("Överbeläggningar per 100 vårdplatser: ")
            && headline.contains("95 % intervall"),
        "{headline}"
    );
    assert!(c.find(Locator::Css("#publicera")).await.is_err());
    no_violations(&c, "scenario-nat").await;
    log_out(&c).await;

    // Another administrator publishes it through the form.
    log_in(&c, "adm2").await;
    c.goto(&page).await.unwrap();
    let text = wait_for(&c, "#motivering").await;
    no_violations(&c, "scenario-adm2-formular").await;
    text.send_keys("Godkänt av förvaltningsgruppen 2025-02-03.")
        .await
        .unwrap();
    c.find(Locator::Css("#publicera button[type='submit']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_for(&c, "#publicerat").await;
    assert!(c.find(Locator::Css("#fel")).await.is_err());
    log_out(&c).await;

    // The public: the checked copy.
    c.goto(&page).await.unwrap();
    wait_for(&c, "#rojandekontroll").await;
    assert!(
        c.find(Locator::Css("#ej-rojandekontrollerat"))
            .await
            .is_err()
    );
    charts_and_tables(&c).await;
    let stays = c
        .find(Locator::Css("#kalibrering-vardtillfallen"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(stays.contains("avrundat till närmaste 5"), "{stays}");
    no_violations(&c, "scenario-allman").await;
    c.close().await.unwrap();
}
