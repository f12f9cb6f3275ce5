//! Downloads are every row, not one page: the CSVs (all three dialects), the xlsx and the
//! indicator page's download links have exactly the rows of all the JSON pages together. The
//! spreadsheet CSV keeps codes as text (`="01"`); the xlsx has typed cells (read by openpyxl).

use super::{ID, get_with, header};
use crate::support::{python, world};
use reqwest::StatusCode;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

/// Every value of `id` (public view) walking the JSON pages of `page_size`, and the `total`.
async fn json_pages(id: &str, query: &str, page_size: usize) -> (Vec<Value>, usize) {
    let mut out = Vec::new();
    let mut next = Some(format!(
        "/api/v1/indicators/{id}/values?page_size={page_size}&{query}"
    ));
    let mut total = 0;
    while let Some(path) = next {
        let res = get_with(&path, None, &[]).await;
        assert_eq!(res.status(), StatusCode::OK, "{path}");
        let page: Value = serde_json::from_slice(&res.bytes().await.unwrap()).unwrap();
        total = page["total"].as_u64().unwrap() as usize;
        out.extend(page["values"].as_array().unwrap().iter().cloned());
        next = page["links"]["next"].as_str().map(str::to_owned);
    }
    (out, total)
}

/// The indicator with the most public values (so that it has more than one default page).
async fn largest_indicator() -> (String, usize) {
    let cat: Value = get_with("/api/v1/indicators", None, &[])
        .await
        .json_body()
        .await;
    let mut best = (String::new(), 0);
    for i in cat["indicators"].as_array().unwrap() {
        let id = i["id"].as_str().unwrap();
        let page: Value = get_with(
            &format!("/api/v1/indicators/{id}/values?page_size=1"),
            None,
            &[],
        )
        .await
        .json_body()
        .await;
        let total = page["total"].as_u64().unwrap() as usize;
        if total > best.1 {
            best = (id.to_owned(), total);
        }
    }
    best
}

trait JsonBody {
    async fn json_body(self) -> Value;
}

impl JsonBody for reqwest::Response {
    async fn json_body(self) -> Value {
        assert_eq!(self.status(), StatusCode::OK);
        serde_json::from_slice(&self.bytes().await.unwrap()).unwrap()
    }
}

/// The header and data rows of a CSV body (after the BOM), fields unquoted (`""` is a quote;
/// the server's cells never hold a line break).
fn csv_rows(body: &[u8], sep: char) -> (Vec<String>, Vec<Vec<String>>) {
    let text = std::str::from_utf8(body).unwrap();
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    assert!(text.ends_with("\r\n"));
    let mut lines = text
        .trim_end_matches("\r\n")
        .split("\r\n")
        .map(|l| fields(l, sep));
    let head = lines.next().unwrap();
    (head, lines.collect())
}

/// One CSV line's fields.
fn fields(line: &str, sep: char) -> Vec<String> {
    let mut out = vec![String::new()];
    let (mut quoted, mut chars) = (false, line.chars().peekable());
    while let Some(c) = chars.next() {
        let cell = out.last_mut().unwrap();
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                cell.push('"');
            }
            (true, '"') => quoted = false,
            (false, '"') if cell.is_empty() => quoted = true,
            (false, c) if c == sep => out.push(String::new()),
            (_, c) => cell.push(c),
        }
    }
    assert!(!quoted, "unterminated quote in {line}");
    out
}

/// (indicator, region, period, kon, aldersgrupp) of a JSON value.
fn key(v: &Value) -> (String, String, String, String, String) {
    let s = |k: &str| v[k].as_str().unwrap().to_owned();
    (
        s("indicator"),
        s("region"),
        s("period"),
        s("kon"),
        s("aldersgrupp"),
    )
}

#[tokio::test]
async fn every_download_has_every_row_of_all_the_json_pages() {
    let (id, total) = largest_indicator().await;
    assert!(
        total > vardhub_server::routes::api::DEFAULT_PAGE_SIZE,
        "the test needs more values than one default page: {id} has {total}"
    );
    let (values, json_total) = json_pages(&id, "", 97).await;
    assert_eq!(values.len(), total);
    assert_eq!(json_total, total);
    let want: BTreeSet<_> = values.iter().map(key).collect();
    assert_eq!(want.len(), total, "each cell once");

    for (format, sep) in [("csv", ';'), ("csv-excel", ';'), ("csv-rfc4180", ',')] {
        // A page or page size asked for does not cut a download short.
        for extra in ["", "&page=2&page_size=10"] {
            let path = format!("/api/v1/indicators/{id}/values?format={format}{extra}");
            let res = get_with(&path, None, &[]).await;
            assert_eq!(res.status(), StatusCode::OK, "{path}");
            assert!(
                res.headers().get("link").is_none(),
                "{path}: a download has no pages"
            );
            assert_eq!(header(res.headers(), "x-total-count"), total.to_string());
            let (head, rows) = csv_rows(&res.bytes().await.unwrap(), sep);
            assert_eq!(rows.len(), total, "{path}");
            assert!(rows.iter().all(|r| r.len() == head.len()), "{path}");
            if format == "csv-rfc4180" {
                let got: BTreeSet<_> = rows
                    .iter()
                    .map(|r| {
                        (
                            r[0].clone(),
                            r[3].clone(),
                            r[4].clone(),
                            r[5].clone(),
                            r[6].clone(),
                        )
                    })
                    .collect();
                assert_eq!(got, want, "the same cells as the JSON pages");
            }
        }
    }
    // The JSON stays paged.
    let first: Value = get_with(&format!("/api/v1/indicators/{id}/values"), None, &[])
        .await
        .json_body()
        .await;
    assert_eq!(
        first["values"].as_array().unwrap().len(),
        vardhub_server::routes::api::DEFAULT_PAGE_SIZE
    );

    // Every download link of the indicator page that covers all periods gives every row.
    let html = get_with(&format!("/indikatorer/{id}"), None, &[])
        .await
        .text()
        .await
        .unwrap();
    let links: Vec<String> = html
        .split("href=\"")
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .map(|h| h.replace("&amp;", "&"))
        .filter(|h| h.starts_with(&format!("/api/v1/indicators/{id}/values?format=csv")))
        .filter(|h| !h.contains("period="))
        .collect();
    assert!(links.len() >= 2, "{links:?}");
    for link in links {
        let sep = if link.contains("rfc4180") { ',' } else { ';' };
        let res = get_with(&link, None, &[]).await;
        assert_eq!(res.status(), StatusCode::OK, "{link}");
        let (_, rows) = csv_rows(&res.bytes().await.unwrap(), sep);
        assert_eq!(rows.len(), total, "{link}");
    }
}

#[tokio::test]
async fn the_spreadsheet_csv_writes_codes_as_text_and_numbers_with_decimal_comma() {
    let period = &world().periods[1];
    let query = format!("period={period}&region=00");
    let (values, _) = json_pages(ID, &query, 5000).await;
    let res = get_with(
        &format!("/api/v1/indicators/{ID}/values?format=csv-excel&{query}"),
        None,
        &[],
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(header(res.headers(), "content-type").starts_with("text/csv"));
    assert!(header(res.headers(), "content-disposition").contains(".csv"));
    let body = res.bytes().await.unwrap();
    assert_eq!(&body[..3], b"\xEF\xBB\xBF", "UTF-8 BOM");
    let (head, rows) = csv_rows(&body, ';');
    assert_eq!(rows.len(), values.len());
    let col = |name: &str| head.iter().position(|h| h == name).unwrap();
    let text = |s: &str| format!("=\"{s}\"");
    let by_key: BTreeMap<_, _> = values.iter().map(|v| (key(v), v)).collect();
    let mut seen_80 = false;
    for r in &rows {
        // Codes that a spreadsheet would read as numbers or dates are text formulas.
        assert_eq!(r[col("region")], text("00"));
        assert_eq!(r[col("period")], text(period));
        let kon = &r[col("kon")];
        assert!(
            [text("1"), text("2"), "alla".to_owned(), "okant".to_owned()].contains(kon),
            "{kon}"
        );
        let age = &r[col("aldersgrupp")];
        seen_80 |= *age == text("80+");
        let unwrap = |c: &str| {
            c.strip_prefix("=\"")
                .and_then(|c| c.strip_suffix('"'))
                .unwrap_or(c)
                .to_owned()
        };
        let v = by_key[&(
            unwrap(&r[col("indicator")]),
            "00".to_owned(),
            period.clone(),
            unwrap(kon),
            unwrap(age),
        )];
        // Numbers are numbers with a decimal comma, never formulas.
        let cell = &r[col("value")];
        match v["value"].as_f64() {
            Some(x) => {
                assert!(!cell.starts_with('='), "{cell}");
                let y: f64 = cell.replace(',', ".").parse().unwrap();
                assert!((x - y).abs() <= 1e-9 * x.abs().max(1.0), "{x} vs {cell}");
            }
            None => assert!(cell.is_empty()),
        }
        // No other formula: only the server's own `="…"` around a digit-led text.
        for c in r {
            if let Some(inner) = c.strip_prefix("=\"") {
                assert!(inner.starts_with(|c: char| c.is_ascii_digit()), "{c}");
            }
        }
    }
    assert!(seen_80, "the age group 80+ is in Sweden's values");
}

#[tokio::test]
async fn the_xlsx_has_text_codes_number_values_swedish_headers_and_a_frozen_header_row() {
    let period = &world().periods[2];
    let query = format!("period={period}");
    let (values, total) = json_pages(ID, &query, 5000).await;
    let res = get_with(
        &format!("/api/v1/indicators/{ID}/values?format=xlsx&{query}"),
        None,
        &[],
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        header(res.headers(), "content-type"),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    assert!(header(res.headers(), "content-disposition").contains(&format!("{ID}.xlsx")));
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("v.xlsx");
    std::fs::write(&file, res.bytes().await.unwrap()).unwrap();
    let out = python::run("openapi_xlsx.py", &[file.display().to_string()]).await;
    let book: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(book["sheets"][0], "Värden");
    assert_eq!(book["freeze"], "A2", "the header row is frozen");
    let head: Vec<&str> = book["header"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h.as_str().unwrap())
        .collect();
    for h in [
        "Indikator",
        "Områdeskod",
        "Period",
        "Kön",
        "Åldersgrupp",
        "Värde",
        "Täljare",
    ] {
        assert!(head.contains(&h), "{h} in {head:?}");
    }
    let col = |name: &str| head.iter().position(|h| *h == name).unwrap();
    let rows = book["rows"].as_array().unwrap();
    let formats = book["formats"].as_array().unwrap();
    assert_eq!(rows.len(), total, "every row");
    let by_key: BTreeMap<_, _> = values.iter().map(|v| (key(v), v)).collect();
    let (mut region_01, mut numbers) = (0, 0);
    for (r, f) in rows.iter().zip(formats) {
        let s = |name: &str| {
            r[col(name)]
                .as_str()
                .unwrap_or_else(|| panic!("{name} is a text cell: {r}"))
                .to_owned()
        };
        let k = (
            s("Indikator"),
            s("Områdeskod"),
            s("Period"),
            s("Kön"),
            s("Åldersgrupp"),
        );
        if k.1 == "01" {
            region_01 += 1;
        }
        let v = by_key[&k];
        for (name, member) in [
            ("Värde", "value"),
            ("Täljare", "numerator"),
            ("Nämnare", "denominator"),
        ] {
            match v[member].as_f64() {
                Some(x) => {
                    let y = r[col(name)]
                        .as_f64()
                        .unwrap_or_else(|| panic!("{name} is a number cell: {r}"));
                    assert!((x - y).abs() <= 1e-12 * x.abs().max(1.0), "{x} vs {y}");
                    assert_ne!(f[col(name)], "General", "{name} has a number format");
                    numbers += 1;
                }
                None => assert!(r[col(name)].is_null(), "{name}: {r}"),
            }
        }
    }
    assert!(region_01 > 0, "region 01 stays the text \"01\"");
    assert!(numbers > 0);
}
