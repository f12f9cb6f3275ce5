//! "Ladda ner det jag ser" (issue 18): on the indicator page a filtered view is chosen through the
//! page's own form — women, a quarter, sorted by value — and the view's CSV (`a#ladda-vy-csv`,
//! `/indikatorer/{id}/vy.csv?<the page's query>`) is fetched with the browser's session: UTF-8
//! with a byte-order mark, `;`-separated, decimal comma without thousands grouping, the columns
//! Område, Värde (<unit>), Konfidensintervall nedre/övre, Täljare, Nämnare, Status, Jämfört med
//! riket — and exactly the table's rows, in the page's order, with the values shown on the page.
//! Logged out and as region 01's analyst (whose own region is shown unsuppressed: the session
//! cookie goes with the download).

use super::checks::{parse_shown, shows, table_rows};
use super::{WIDTHS, set_width};
use crate::support::{client, world};
use crate::{ID, WAIT};
use fantoccini::{Client, Locator};
use serde_json::Value;
use std::time::{Duration, Instant};
use vardhub_engine::disclosure::Status;

const COLUMNS: [&str; 8] = [
    "Område",
    "Värde (",
    "Konfidensintervall nedre",
    "Konfidensintervall övre",
    "Täljare",
    "Nämnare",
    "Status",
    "Jämfört med riket",
];

/// Wait for `css`, across the form's navigation.
async fn wait_css(c: &Client, css: &str) {
    let started = Instant::now();
    while c.find(Locator::Css(css)).await.is_err() {
        assert!(started.elapsed() < WAIT, "{css} did not appear");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Choose women, the latest quarter and the order by value in the page's form and show it; the
/// quarter chosen.
async fn choose_view(c: &Client) -> String {
    c.find(Locator::Css("#val-kon"))
        .await
        .expect("the form chooses the sex (#val-kon)")
        .select_by_value("2")
        .await
        .unwrap();
    let quarters = c
        .execute(
            "return Array.from(document.querySelectorAll('#val-period option')).map(o => o.value).filter(v => /^\\d{4}-K[1-4]$/.test(v));",
            vec![],
        )
        .await
        .unwrap();
    let quarter = quarters
        .as_array()
        .and_then(|q| q.iter().filter_map(Value::as_str).max())
        .expect("the form offers a quarter (#val-period)")
        .to_owned();
    c.find(Locator::Css("#val-period"))
        .await
        .unwrap()
        .select_by_value(&quarter)
        .await
        .unwrap();
    c.find(Locator::Css("#val-sortera"))
        .await
        .expect("the form chooses the order (#val-sortera)")
        .select_by_value("varde")
        .await
        .unwrap();
    c.find(Locator::Css("#visa"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_css(c, &format!("#vardetabell[data-period='{quarter}']")).await;
    quarter
}

/// The CSV's fields (quotes as in RFC 4180).
fn fields(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(ch) = chars.next() {
        match ch {
            '"' if quoted && chars.peek() == Some(&'"') => {
                cur.push('"');
                chars.next();
            }
            '"' => quoted = !quoted,
            ';' if !quoted => out.push(std::mem::take(&mut cur)),
            _ => cur.push(ch),
        }
    }
    out.push(cur);
    out
}

/// Whether `text` is the status as the page's status cell shows it (`on_page`, empty for `ok`), or
/// the status `code` as a code or in Swedish or English words.
fn is_status(text: &str, on_page: &str, code: &str) -> bool {
    text == on_page
        || Status::ALL
            .into_iter()
            .find(|s| s.code() == code)
            .is_some_and(|s| text == s.code() || text == s.label_sv() || text == s.label_en())
}

/// Download the view with the browser's session and compare it with the table, row by row.
async fn download_matches_table(c: &Client, who: &str) {
    let rows = table_rows(c).await;
    assert!(rows.len() >= 22, "{who}: {} rows", rows.len());
    let link = c
        .find(Locator::Css("a#ladda-vy-csv"))
        .await
        .unwrap_or_else(|_| panic!("{who}: no a#ladda-vy-csv on the page"));
    let href = link.attr("href").await.unwrap().unwrap();
    assert!(
        href.starts_with(&format!("/indikatorer/{ID}/vy.csv?")),
        "{who}: {href}"
    );
    for part in ["kon=2", "sortera=varde", "period="] {
        assert!(href.contains(part), "{who}: {href} lacks {part}");
    }
    let xlsx = c
        .find(Locator::Css("a#ladda-vy-xlsx"))
        .await
        .unwrap_or_else(|_| panic!("{who}: no a#ladda-vy-xlsx on the page"))
        .attr("href")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(xlsx, href.replacen("/vy.csv?", "/vy.xlsx?", 1), "{who}");

    let mut request = client().get(format!("{}{href}", world().base));
    if let Ok(session) = c.get_named_cookie("vardhub_session").await {
        request = request.header("cookie", format!("{}={}", session.name(), session.value()));
    }
    let response = request.send().await.unwrap();
    assert_eq!(response.status(), 200, "{who}: {href}");
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    assert!(
        content_type.starts_with("text/csv"),
        "{who}: {content_type}"
    );
    let bytes = response.bytes().await.unwrap();
    assert!(
        bytes.starts_with(b"\xEF\xBB\xBF"),
        "{who}: no byte-order mark"
    );
    let text = std::str::from_utf8(&bytes[3..]).expect("UTF-8");
    let mut lines = text.lines().filter(|l| !l.is_empty());
    let mut head = fields(lines.next().expect("a header line"));
    // The area's code may come first (`Områdeskod`); then the columns of the contract, in order.
    let code_column = head.first().is_some_and(|h| h == "Områdeskod");
    if code_column {
        head.remove(0);
    }
    assert_eq!(head.len(), COLUMNS.len(), "{who}: columns {head:?}");
    for (h, want) in head.iter().zip(COLUMNS) {
        assert!(h.starts_with(want), "{who}: column {h:?}, not {want:?}");
    }
    let csv: Vec<Vec<String>> = lines.map(fields).collect();
    assert_eq!(
        csv.len(),
        rows.len(),
        "{who}: {} CSV rows for {} table rows",
        csv.len(),
        rows.len()
    );
    let mut shown_values = 0;
    for (i, (line, row)) in csv.iter().zip(&rows).enumerate() {
        let name = row["name"].as_str().unwrap_or("").trim();
        let mut line = line.clone();
        if code_column {
            let code = line.remove(0);
            assert_eq!(
                Some(code.as_str()),
                row["region"].as_str(),
                "{who}: row {i}: the area's code"
            );
        }
        assert_eq!(line.len(), COLUMNS.len(), "{who}: row {i}: {line:?}");
        assert_eq!(line[0], name, "{who}: row {i} in the page's order");
        let status = row["status"].as_str().unwrap_or("");
        assert!(
            is_status(&line[6], row["statusText"].as_str().unwrap_or(""), status),
            "{who}: {name}: status {:?} in the CSV, {status} ({:?}) on the page",
            line[6],
            row["statusText"]
        );
        let value = &line[1];
        let cell = row["value"].as_str().unwrap_or("").trim();
        if matches!(status, "ok" | "zero") {
            assert!(
                !value.contains(['.', ' ', '\u{a0}']),
                "{who}: {name}: {value:?} (decimal comma, no grouping)"
            );
            let csv_value: f64 = value
                .replace(',', ".")
                .parse()
                .unwrap_or_else(|_| panic!("{who}: {name}: {value:?} is not a number"));
            let (on_page, decimals) =
                parse_shown(cell, "sv").unwrap_or_else(|| panic!("{who}: {name}: {cell:?}"));
            assert!(
                shows(on_page, decimals, csv_value),
                "{who}: {name}: the page shows {cell:?}, the CSV {value:?}"
            );
            shown_values += 1;
        } else {
            assert!(
                value.is_empty() || value == "–",
                "{who}: {name}: a {status} value in the CSV: {value:?}"
            );
        }
    }
    assert!(shown_values > 0, "{who}: no value shown in the view");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_download_of_a_filtered_view_has_exactly_the_rows_and_values_on_the_page() {
    let Some((_driver, c)) = super::start_browser().await else {
        return;
    };
    let w = world();
    set_width(&c, WIDTHS[0]).await;
    for who in ["public", "reg_a"] {
        if who == "reg_a" {
            super::log_in(&c, who).await;
        }
        c.goto(&format!("{}/indikatorer/{ID}?lang=sv", w.base))
            .await
            .unwrap();
        wait_css(&c, "#vardetabell").await;
        let quarter = choose_view(&c).await;
        let url = c.current_url().await.unwrap();
        let query = url.query().unwrap_or("");
        assert!(
            query.contains("kon=2") && query.contains("sortera=varde"),
            "{who}: {url}"
        );
        download_matches_table(&c, who).await;
        std::fs::write(
            super::screenshots_dir().join(format!("dashboard-vy-{who}-{quarter}.png")),
            c.screenshot().await.unwrap(),
        )
        .unwrap();
    }
    c.close().await.unwrap();
}
