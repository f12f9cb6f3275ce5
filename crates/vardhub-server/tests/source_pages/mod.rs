//! Track-A pages in the browser (issue 17): a developer-made Windows-1252 file of a source is
//! imported into the test hub; `/kallor` is reached from the main menu, and it and a source
//! indicator's page pass axe-core (WCAG 2.1 A/AA) in Swedish and English.

use super::analysis_page::{axe_violations, wait_for};
use super::start_browser;
use crate::support::{open_hub, world};
use fantoccini::Locator;
use vardhub_ingest::external::ReadOptions;

const QUIRKY: &[u8] = include_bytes!("../../../vardhub-ingest/tests/data/external/quirky.csv");

#[tokio::test(flavor = "multi_thread")]
async fn the_external_sources_pages_pass_axe_in_swedish_and_english() {
    let Some((_driver, c)) = start_browser().await else {
        return;
    };
    let w = world();
    let hub = open_hub(&w.data).await;
    let report = vardhub_ops::sources::import(
        &hub,
        "quirky.csv",
        QUIRKY,
        "socialstyrelsen",
        "adm",
        &ReadOptions::default(),
    )
    .await
    .unwrap();
    hub.close().await;
    assert_eq!(report.rows_valid, 15);

    for lang in ["sv", "en"] {
        c.goto(&format!("{}/?lang={lang}", w.base)).await.unwrap();
        c.find(Locator::Css("header nav a[href='/kallor']"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        wait_for(&c, "main table.data").await;
        let v = axe_violations(&c).await;
        assert!(v.is_empty(), "/kallor ({lang}): {v:?}");
        let link = c
            .find(Locator::Css(
                "main table.data a[href^='/kallor/socialstyrelsen/']",
            ))
            .await
            .unwrap();
        link.click().await.unwrap();
        wait_for(&c, "main table.data td").await;
        let url = c.current_url().await.unwrap();
        let v = axe_violations(&c).await;
        assert!(v.is_empty(), "{url} ({lang}): {v:?}");
        let html_lang = c
            .find(Locator::Css("html"))
            .await
            .unwrap()
            .attr("lang")
            .await
            .unwrap();
        assert_eq!(html_lang.as_deref(), Some(lang), "{url}");
    }
}
