//! The analysis pages in the real browser: every chart renders and is followed by its table,
//! nothing reads NaN or is blank, the keyboard reaches the area chooser, and axe-core (vendored
//! under `tests/vendor/`) finds no WCAG 2.1 A/AA violation — the care chain logged out in
//! Swedish and English and logged in as a region analyst with the own unsuppressed panel; cost
//! over time and before/after logged out, and as a national analyst with the unsuppressed panel
//! (at the fixture's scale the mobile team's public estimates are hidden, so its effect and
//! period charts are drawn in that panel).

use super::{WAIT, screenshots_dir, start_browser};
use crate::support::REGION_A;
use crate::support::analysis::{ANALYSIS, AnalysisWorld, COST, TEAM, TEAM_REGION, analysis_world};
use fantoccini::{Client, Locator};
use serde_json::{Value, json};

/// axe-core 4.14.1, unchanged (MPL-2.0, see `tests/vendor/README.md`).
const AXE: &str = include_str!("../vendor/axe-core-4.14.1.min.js");

/// Wait for an element, across a navigation (a find during one can be aborted: retried).
pub(crate) async fn wait_for(c: &Client, css: &str) -> fantoccini::elements::Element {
    let started = std::time::Instant::now();
    loop {
        if let Ok(e) = c.find(Locator::Css(css)).await {
            return e;
        }
        assert!(started.elapsed() < WAIT, "{css} did not appear");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

/// Wait until every chart on the page has rendered (or failed).
pub(crate) async fn wait_for_charts(c: &Client) -> usize {
    let script = "const all = document.querySelectorAll('.chart'); \
        return [all.length, document.querySelectorAll('.chart[data-rendered=\"true\"]').length, \
                Array.from(document.querySelectorAll('.chart[data-error]')).map(e => e.id + ': ' + e.getAttribute('data-error'))];";
    let started = std::time::Instant::now();
    loop {
        let v = c.execute(script, vec![]).await.unwrap();
        let (all, done) = (v[0].as_u64().unwrap(), v[1].as_u64().unwrap());
        assert!(
            v[2].as_array().unwrap().is_empty(),
            "a chart failed: {}",
            v[2]
        );
        if all == done {
            return all as usize;
        }
        assert!(started.elapsed() < WAIT, "{done} of {all} charts rendered");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

/// Every chart is followed, in its own section, by a data table; no cell is blank or NaN.
pub(crate) async fn assert_tables(c: &Client) {
    let v = c
        .execute(
            "return Array.from(document.querySelectorAll('.chart')).map(ch => { \
               const s = ch.closest('section.figure'); \
               const t = s && s.querySelector('table.data'); \
               return [ch.id, !!t && !!(ch.compareDocumentPosition(t) & Node.DOCUMENT_POSITION_FOLLOWING), \
                       t ? t.querySelectorAll('tbody tr').length : 0]; });",
            vec![],
        )
        .await
        .unwrap();
    for chart in v.as_array().unwrap() {
        assert_eq!(
            chart[1],
            json!(true),
            "{}: no table after the chart",
            chart[0]
        );
        assert!(chart[2].as_u64().unwrap() > 0, "{}: empty table", chart[0]);
    }
    let bad = c
        .execute(
            "return Array.from(document.querySelectorAll('td, th, dd')) \
               .map(e => e.textContent.trim()).filter(t => t === '' || /NaN|Infinity|undefined/.test(t));",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(bad, json!([]), "blank or NaN cells");
}

/// axe-core's WCAG 2.1 A/AA violations on the page (none expected).
pub(crate) async fn axe_violations(c: &Client) -> Vec<Value> {
    c.execute(AXE, vec![]).await.unwrap();
    let v = c
        .execute_async(
            "const done = arguments[arguments.length - 1]; \
             axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}}) \
               .then(r => done({passes: r.passes.length, \
                                violations: r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help, \
                                  nodes: v.nodes.slice(0, 5).map(n => n.target.join(' '))}))})) \
               .catch(e => done({passes: 0, violations: [{id: 'axe-error', help: String(e)}]}));",
            vec![],
        )
        .await
        .unwrap();
    assert!(v["passes"].as_u64().unwrap() > 10, "axe ran: {v}");
    v["violations"].as_array().cloned().unwrap()
}

/// Log in as `user` through the login form.
async fn log_in(c: &Client, w: &AnalysisWorld, user: &str) {
    c.goto(&format!("{}/logga-in?lang=sv", w.base))
        .await
        .unwrap();
    c.find(Locator::Css("#namn"))
        .await
        .unwrap()
        .send_keys(user)
        .await
        .unwrap();
    c.find(Locator::Css("#token"))
        .await
        .unwrap()
        .send_keys(w.token(user))
        .await
        .unwrap();
    c.find(Locator::Css("form.login button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_for(c, "form[action='/logga-ut']").await;
}

async fn check_page(c: &Client, name: &str) -> usize {
    let charts = wait_for_charts(c).await;
    assert_tables(c).await;
    let violations = axe_violations(c).await;
    assert!(
        violations.is_empty(),
        "{name}: axe violations: {}",
        serde_json::to_string_pretty(&violations).unwrap()
    );
    // The whole page in one screenshot.
    let height = c
        .execute("return document.documentElement.scrollHeight;", vec![])
        .await
        .unwrap()
        .as_u64()
        .unwrap_or(2400);
    c.set_window_size(1280, u32::try_from(height.clamp(800, 12_000)).unwrap())
        .await
        .unwrap();
    std::fs::write(
        screenshots_dir().join(format!("{name}.png")),
        c.screenshot().await.unwrap(),
    )
    .unwrap();
    c.set_window_size(1280, 2400).await.unwrap();
    charts
}

#[tokio::test(flavor = "multi_thread")]
async fn the_analysis_page_renders_its_charts_with_tables_and_passes_axe() {
    let Some((_driver, c)) = start_browser().await else {
        return;
    };
    let w = analysis_world();

    // The list, reached from the main menu.
    c.goto(&format!("{}/?lang=sv", w.base)).await.unwrap();
    c.find(Locator::Css("header nav a[href='/analyser']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_for(&c, "#analyslista").await;
    assert!(axe_violations(&c).await.is_empty(), "the list");
    c.find(Locator::Css(&format!("a[href='/analyser/{ANALYSIS}']")))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_for(&c, "#allman").await;
    let charts = check_page(&c, "analys-sv").await;
    assert!(
        charts >= 3,
        "Sweden: step bars, curves and paths ({charts})"
    );
    assert!(c.find(Locator::Css("#egen")).await.is_err(), "no own panel");
    // The skip link first, then the area chooser is reachable by keyboard.
    let first = c
        .execute(
            "document.querySelector('a.skip').focus(); return document.activeElement.getAttribute('href');",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(first, json!("#innehall"));
    let chooser = c.find(Locator::Css("#val-omrade")).await.unwrap();
    chooser.select_by_value(REGION_A).await.unwrap();
    c.find(Locator::Css("#visa"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_for(&c, &format!("#allman[data-region='{REGION_A}']")).await;
    check_page(&c, "analys-region").await;

    // English.
    c.find(Locator::Css("#sprakval"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_for(&c, "html[lang='en']").await;
    check_page(&c, "analys-en").await;

    // A region analyst: the own region's unsuppressed panel beside the public result.
    log_in(&c, w, "reg_a").await;
    c.goto(&format!("{}/analyser/{ANALYSIS}", w.base))
        .await
        .unwrap();
    let own = c
        .wait()
        .at_most(WAIT)
        .for_element(Locator::Css(&format!("#egen[data-region='{REGION_A}']")))
        .await
        .unwrap();
    let heading = own
        .find(Locator::Css("h2"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        heading.starts_with("Din region (ej röjandekontrollerad, endast för dig)"),
        "{heading}"
    );
    check_page(&c, "analys-region-analytiker").await;
    c.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn the_cost_and_before_after_pages_render_their_charts_with_tables_and_pass_axe() {
    let Some((_driver, c)) = start_browser().await else {
        return;
    };
    let w = analysis_world();

    // Cost over time, Sweden: the months chart (lines, band, rule at the index) and its table.
    c.goto(&format!("{}/analyser/{COST}?lang=sv", w.base))
        .await
        .unwrap();
    wait_for(&c, "#allman").await;
    let charts = check_page(&c, "kostnad-over-tid-sv").await;
    assert!(charts >= 1, "the months chart ({charts})");
    wait_for(&c, "#allman-manader-diagram[data-rendered='true'] svg").await;
    let rows = c
        .find_all(Locator::Css("#allman-manader-tabell tbody tr"))
        .await
        .unwrap();
    assert_eq!(rows.len(), 24, "one row per month, −12 … 11");
    c.goto(&format!("{}/analyser/{COST}?lang=en", w.base))
        .await
        .unwrap();
    wait_for(&c, "html[lang='en']").await;
    check_page(&c, "kostnad-over-tid-en").await;

    // Before/after, logged out: the team's region with its counts and why the estimates are
    // hidden, in words.
    c.goto(&format!(
        "{}/analyser/{TEAM}?region={TEAM_REGION}&lang=sv",
        w.base
    ))
    .await
    .unwrap();
    wait_for(&c, &format!("#allman[data-region='{TEAM_REGION}']")).await;
    check_page(&c, "fore-efter-sv").await;
    let note = c
        .find(Locator::Css("#allman > p.notice"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(note.starts_with("Skattningarna visas inte"), "{note}");

    // A national analyst: the team's region unsuppressed, both effects side by side and the
    // periods of both groups, each chart with its table.
    log_in(&c, w, "nat").await;
    c.goto(&format!("{}/analyser/{TEAM}?region={TEAM_REGION}", w.base))
        .await
        .unwrap();
    wait_for(&c, &format!("#egen[data-region='{TEAM_REGION}']")).await;
    let charts = check_page(&c, "fore-efter-nationell").await;
    assert!(charts >= 2, "effects and periods ({charts})");
    for id in ["egen-effekt-diagram", "egen-perioder-diagram"] {
        wait_for(&c, &format!("#{id}[data-rendered='true'] svg")).await;
    }
    let labels = c
        .find(Locator::Css("#egen-effekt-diagram"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(labels.contains("Naiv före/efter"), "{labels}");
    c.close().await.unwrap();
}
