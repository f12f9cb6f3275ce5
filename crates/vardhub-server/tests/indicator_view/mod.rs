//! Issue 18 (indicator page): every indicator opens, in Swedish and English, on a period where
//! the public sees a value (or says why); no `NaN`, internal method codes or document references;
//! values with units; every value that is not shown has its status in words with a glossary
//! link; a filtered view downloaded as CSV and xlsx has exactly the page table's rows and values;
//! the home region is remembered; a query the page does not understand never fails.

use super::support::{client, python, world};
use super::{ct, get};
use reqwest::StatusCode;
use serde_json::Value;

/// One row of the page's `#vardetabell`.
#[derive(Debug, Clone)]
struct TableRow {
    region: String,
    status: String,
    raw: String,
    shown: String,
    html: String,
}

fn attr(tag: &str, name: &str) -> String {
    let key = format!("{name}=\"");
    tag.find(&key)
        .map(|at| {
            let rest = &tag[at + key.len()..];
            rest[..rest.find('"').unwrap_or(0)].to_owned()
        })
        .unwrap_or_default()
}

/// The rows of the values table, in the page's order, and its `data-period`.
fn table(html: &str) -> (String, Vec<TableRow>) {
    let start = html.find("id=\"vardetabell\"").expect("no #vardetabell");
    let rest = &html[start..];
    let end = rest.find("</table>").unwrap();
    let t = &rest[..end];
    let period = attr(t, "data-period");
    let body = &t[t.find("<tbody>").unwrap()..];
    let rows = body
        .split("<tr")
        .skip(1)
        .map(|r| {
            let open = &r[..r.find('>').unwrap()];
            let cell = r.find("class=\"num value\">").unwrap();
            let v = &r[cell + "class=\"num value\">".len()..];
            TableRow {
                region: attr(open, "data-region"),
                status: attr(open, "data-status"),
                raw: attr(open, "data-value"),
                shown: v[..v.find("</td>").unwrap()].to_owned(),
                html: r.to_owned(),
            }
        })
        .collect();
    (period, rows)
}

async fn page(path: &str, token: Option<&str>) -> String {
    let res = get(path, token).await;
    assert_eq!(res.status(), StatusCode::OK, "{path}");
    res.text().await.unwrap()
}

fn hidden(status: &str) -> bool {
    !matches!(status, "ok" | "zero")
}

#[tokio::test]
async fn indicator_view_every_page_opens_on_a_shown_period_with_units_and_statuses() {
    let defs = vardhub_engine::definitions::Definitions::builtin();
    for (id, recipe) in defs.recipes() {
        for lang in ["sv", "en"] {
            let html = page(&format!("/indikatorer/{id}?lang={lang}"), None).await;
            for bad in [
                "NaN",
                "wilson",
                "poisson_exact",
                "§",
                "domain brief",
                " / none",
            ] {
                assert!(!html.contains(bad), "{id} {lang}: {bad}");
            }
            let (period, rows) = table(&html);
            assert!(!period.is_empty(), "{id} {lang}: no period");
            assert!(rows.len() >= 22, "{id} {lang}: {} rows", rows.len());
            let shown = rows.iter().any(|r| r.region != "00" && !r.raw.is_empty());
            assert!(
                shown || html.contains("Inga värden visas") || html.contains("No value is shown"),
                "{id} {lang} {period}: nothing shown and nothing said"
            );
            // The unit is named in the value column's heading and the date is a date.
            let unit = if recipe.spec.unit == vardhub_engine::indicator::spec::Unit::Proportion {
                "(%)"
            } else {
                ""
            };
            assert!(html.contains(unit), "{id} {lang}: unit");
            let updated = if lang == "sv" {
                "Senast uppdaterad: "
            } else {
                "Last updated: "
            };
            let at = html
                .find(updated)
                .unwrap_or_else(|| panic!("{id}: no date"));
            let line = &html[at..at + html[at..].find('<').unwrap()];
            assert!(
                line.contains("2026") || line.contains("202"),
                "{id}: {line}"
            );
            assert!(!line.contains("run"), "{id}: {line}");
            for r in &rows {
                if hidden(&r.status) {
                    assert_eq!(r.shown, "–", "{id} {} hidden shows –", r.region);
                    assert!(
                        r.html
                            .contains(&format!("href=\"/ordlista#status-{}\"", r.status)),
                        "{id} {lang} {}: no glossary link for {}",
                        r.region,
                        r.status
                    );
                }
            }
            let sweden = rows.iter().find(|r| r.region == "00").unwrap();
            let name = if lang == "sv" { ">Riket<" } else { ">Sweden<" };
            assert!(sweden.html.contains(name), "{id} {lang}: Sweden's name");
            // Every chart container is hidden from assistive technology; the tables carry the
            // numbers.
            for chart in html.split("class=\"chart chart-").skip(1) {
                let tag = &chart[..chart.find('>').unwrap()];
                assert!(tag.contains("aria-hidden=\"true\""), "{id}: {tag}");
            }
        }
    }
}

#[tokio::test]
async fn indicator_view_hip_fractures_show_the_public_a_value_or_say_why() {
    let html = page("/indikatorer/hoftfraktur_op_24h", None).await;
    let (period, rows) = table(&html);
    assert!(!period.contains('-') || period.contains('K'), "{period}");
    let shown = rows.iter().filter(|r| !r.raw.is_empty()).count();
    assert!(
        shown > 0 || html.contains("Inga värden visas"),
        "{period}: {shown} shown"
    );
    // No chart without a value to draw.
    if rows.iter().all(|r| r.region == "00" || r.raw.is_empty()) {
        assert!(!html.contains("data-chart-for=\"diagram-regioner\""));
        assert!(!html.contains("data-chart-for=\"karta\""));
    }
}

/// Parse a Swedish CSV number (`61,7`, `−3`).
fn sv_number(s: &str) -> Option<f64> {
    let s: String = s.chars().filter(|c| *c != '\u{a0}' && *c != ' ').collect();
    s.replace(',', ".").replace('−', "-").parse().ok()
}

#[tokio::test]
async fn indicator_view_the_download_is_exactly_the_filtered_table() {
    let w = world();
    let id = "vantetid_forsta_besok_90";
    let query = "kon=2&periodtyp=quarter&sortera=varde&jamfor=01&jamfor=12";
    let html = page(&format!("/indikatorer/{id}?{query}"), None).await;
    let (period, rows) = table(&html);
    assert!(period.contains("-K"), "{period}");
    // The links carry the view.
    for link in ["ladda-vy-csv", "ladda-vy-xlsx"] {
        let at = html.find(&format!("id=\"{link}\"")).unwrap();
        let tag = &html[at..at + html[at..].find('>').unwrap()];
        for part in ["kon=2", "periodtyp=quarter", "sortera=varde", "jamfor=12"] {
            assert!(tag.contains(part), "{link}: {tag}");
        }
    }
    // Sorted by value, best first (higher is better), Sweden on top, hidden last.
    let values: Vec<f64> = rows[1..]
        .iter()
        .filter_map(|r| sv_number(&r.shown))
        .collect();
    assert!(values.windows(2).all(|p| p[0] >= p[1]), "{values:?}");
    assert_eq!(rows[0].region, "00");

    let res = get(&format!("/indikatorer/{id}/vy.csv?{query}"), None).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(ct(res.headers()).starts_with("text/csv"));
    let disposition = res.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        disposition,
        format!("attachment; filename=\"{id}-{period}.csv\"")
    );
    let csv = res.text().await.unwrap();
    assert!(csv.starts_with('\u{feff}'), "BOM");
    assert!(csv.contains("\r\n"));
    let lines: Vec<Vec<&str>> = csv
        .trim_start_matches('\u{feff}')
        .split("\r\n")
        .filter(|l| !l.is_empty())
        .map(|l| l.split(';').collect())
        .collect();
    assert_eq!(
        lines[0],
        [
            "Områdeskod",
            "Område",
            "Värde (%)",
            "Konfidensintervall nedre",
            "Konfidensintervall övre",
            "Täljare",
            "Nämnare",
            "Status",
            "Jämfört med riket"
        ]
    );
    assert_eq!(lines.len() - 1, rows.len(), "one line per table row");
    for (line, row) in lines[1..].iter().zip(&rows) {
        assert_eq!(line[0], row.region);
        if hidden(&row.status) {
            assert_eq!(line[2], "", "{}", row.region);
            assert!(!line[7].is_empty(), "{}: status in words", row.region);
        } else {
            assert_eq!(
                sv_number(line[2]),
                sv_number(&row.shown),
                "{}: {} vs {}",
                row.region,
                line[2],
                row.shown
            );
            // Per cent, not a fraction.
            let raw: f64 = row.raw.parse().unwrap();
            let x = sv_number(line[2]).unwrap();
            assert!(
                (x - raw * 100.0).abs() < 0.051,
                "{}: {x} vs {raw}",
                row.region
            );
            assert!(!line[2].contains('.'), "decimal comma: {}", line[2]);
        }
    }

    // The workbook: the same rows, numbers as numbers, codes as text, a frozen header.
    let res = get(&format!("/indikatorer/{id}/vy.xlsx?{query}"), None).await;
    assert_eq!(res.status(), StatusCode::OK);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("vy.xlsx");
    std::fs::write(&file, res.bytes().await.unwrap()).unwrap();
    let out = python::run("openapi_xlsx.py", &[file.display().to_string()]).await;
    let book: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(book["freeze"], "A2");
    assert_eq!(book["header"][0], "Områdeskod");
    let xrows = book["rows"].as_array().unwrap();
    assert_eq!(xrows.len(), rows.len());
    for ((x, line), row) in xrows.iter().zip(&lines[1..]).zip(&rows) {
        assert_eq!(x[0], row.region.as_str(), "code as text");
        match sv_number(line[2]) {
            Some(v) => assert!(
                (x[2].as_f64().unwrap() - v).abs() < 1e-9,
                "{}: {} vs {v}",
                row.region,
                x[2]
            ),
            None => assert!(x[2].is_null(), "{}", row.region),
        }
    }
    let _ = w;
}

#[tokio::test]
async fn indicator_view_remembers_the_home_region_and_never_fails_on_a_query() {
    let w = world();
    let id = "vantetid_forsta_besok_90";
    let res = get(&format!("/indikatorer/{id}?hemregion=12"), None).await;
    assert_eq!(res.status(), StatusCode::OK);
    let cookie = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("hemregion="))
        .expect("a hemregion cookie")
        .to_owned();
    assert!(cookie.starts_with("hemregion=12;"), "{cookie}");
    assert!(
        cookie.contains("SameSite=Lax") && cookie.contains("Path=/"),
        "{cookie}"
    );
    let html = client()
        .get(format!("{}/indikatorer/{id}", w.base))
        .header("cookie", "hemregion=12")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("<option value=\"12\" selected>"),
        "home region preselected"
    );
    let at = html.find("id=\"diagram-tid-rubrik\"").unwrap();
    let heading = &html[at..at + html[at..].find("</h2>").unwrap()];
    assert!(heading.contains("Region Skåne"), "{heading}");
    // Several regions over time.
    let html = page(&format!("/indikatorer/{id}?jamfor=01&jamfor=25"), None).await;
    let at = html.find("id=\"diagram-tid-rubrik\"").unwrap();
    let heading = &html[at..at + html[at..].find("</h2>").unwrap()];
    assert!(heading.contains("Region Stockholm") && heading.contains("Region Norrbotten"));
    // Nonsense is the default view, never an error.
    for q in [
        "jamfor=xx&periodtyp=nope&period=abc&niva=zzz&kon=9&aldersgrupp=%00&sortera=?",
        "period=2099-01",
        "niva=kommun&kon=2",
        "hemregion=99",
    ] {
        let res = get(&format!("/indikatorer/{id}?{q}"), None).await;
        assert_eq!(res.status(), StatusCode::OK, "{q}");
        let res = get(&format!("/indikatorer/{id}/vy.csv?{q}"), None).await;
        assert_eq!(res.status(), StatusCode::OK, "{q}");
    }
    // A region analyst sees the own region's value; the download is the analyst's view.
    let token = w.token("reg_a");
    let html = page(&format!("/indikatorer/{id}"), Some(token)).await;
    let (_, rows) = table(&html);
    let own = rows.iter().find(|r| r.region == "01").unwrap();
    assert!(!hidden(&own.status), "{own:?}");
    let at = html.find("<option value=\"01\" selected>");
    assert!(at.is_some(), "the analyst's region is the home region");
}

#[tokio::test]
async fn indicator_view_english_downloads_and_every_chart_has_its_container_and_table() {
    let id = "vantetid_forsta_besok_90";
    let csv = get(
        &format!("/indikatorer/{id}/vy.csv?lang=en&niva=sjukvardsregion"),
        None,
    )
    .await
    .text()
    .await
    .unwrap();
    let head = csv
        .trim_start_matches('\u{feff}')
        .lines()
        .next()
        .unwrap()
        .to_owned();
    assert!(head.starts_with("Area code;Area;Value (%);"), "{head}");
    // Healthcare regions in English, Sweden first.
    let second = csv.lines().nth(1).unwrap();
    assert!(second.starts_with("00;Sweden;"), "{second}");
    assert!(
        csv.lines().any(|l| l.contains("healthcare region")),
        "{csv}"
    );
    for lang in ["sv", "en"] {
        let html = page(&format!("/indikatorer/{id}?lang={lang}"), None).await;
        for part in html.split("data-chart-for=\"").skip(1) {
            let chart = &part[..part.find('"').unwrap()];
            assert!(
                html.contains(&format!("<div id=\"{chart}\" class=\"chart")),
                "{chart}: a spec without its container"
            );
        }
        // Tables scroll in their own labelled box.
        let boxes = html.matches("class=\"scroll").count();
        let tables = html.matches("<table class=\"data\"").count();
        assert_eq!(boxes, tables, "{lang}: every table in a scroll box");
        // Hidden values in the chart tables name their status and link to the glossary.
        for t in html.split("<table class=\"data\" id=\"").skip(1) {
            for cell in t[..t.find("</table>").unwrap()].split("<td").skip(1) {
                if cell.contains("Dold") || cell.contains("Hidden") {
                    assert!(cell.contains("href=\"/ordlista#status-"), "{cell}");
                }
            }
        }
    }
}
