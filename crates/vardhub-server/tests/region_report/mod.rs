//! The region report (issue 18): every region's report page and PDF in Swedish and English, the
//! PDF read back with pypdf, the report's numbers equal to the API's, hidden values given with
//! their status and never a number, the data-quality notes, and the deliveries page's links to
//! each delivery's quality report by role.

use super::{ct, get, json, world};
use crate::support::python;
use reqwest::StatusCode;
use serde_json::Value;
use std::collections::BTreeMap;
use vardhub_domain::RegionCode;

/// `(id, title sv, title en, unit)` of every indicator.
async fn indicators() -> Vec<(String, String, String, String)> {
    let cat = json("/api/v1/indicators", None).await;
    cat["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            let s = |v: &Value| v.as_str().unwrap_or_default().to_owned();
            (
                s(&i["id"]),
                s(&i["title"]["sv"]),
                s(&i["title"]["en"]),
                s(&i["unit"]),
            )
        })
        .collect()
}

/// Text with HTML's few escapes undone and every run of whitespace (NBSP too) one space.
fn plain(s: &str) -> String {
    s.replace("&#39;", "'")
        .replace("&quot;", "\"")
        .replace("&amp;", "&")
        .split(|c: char| c.is_whitespace())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

fn assert_clean(html: &str, what: &str) {
    for bad in ["NaN", "§", "inf<", "undefined"] {
        assert!(!html.contains(bad), "{what} contains {bad}");
    }
    assert!(
        !html.to_lowercase().contains("wilson"),
        "{what} names a method code"
    );
}

#[tokio::test]
async fn every_region_has_a_report_page_and_a_pdf_in_both_languages() {
    let w = world();
    let list = indicators().await;
    assert!(list.len() >= 10);
    let dir = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    for region in RegionCode::all() {
        let code = region.as_str();
        for lang in ["sv", "en"] {
            let titles: Vec<&str> = list
                .iter()
                .map(|(_, sv, en, _)| {
                    if lang == "sv" {
                        sv.as_str()
                    } else {
                        en.as_str()
                    }
                })
                .collect();
            for path in [
                format!("/regioner/{code}/rapport?lang={lang}"),
                format!("/regioner/{code}?lang={lang}"),
            ] {
                let res = get(&path, None).await;
                assert_eq!(res.status(), StatusCode::OK, "{path}");
                assert!(ct(res.headers()).starts_with("text/html"), "{path}");
                let html = res.text().await.unwrap();
                assert!(html.contains(&format!("<html lang=\"{lang}\">")), "{path}");
                assert_clean(&html, &path);
                let text = plain(&html);
                assert!(text.contains(region.name()), "{path}: region name");
                for t in &titles {
                    assert!(text.contains(&plain(t)), "{path}: no {t}");
                }
                assert_eq!(
                    html.matches("<tr data-indicator=").count(),
                    list.len(),
                    "{path}: one row per indicator"
                );
                assert!(html.contains("id=\"datakvalitet\""), "{path}");
                if path.contains("rapport") {
                    assert!(html.contains("id=\"rapporttabell\""), "{path}");
                    assert!(html.contains(&format!("/regioner/{code}/rapport.pdf")));
                } else {
                    assert!(html.contains("id=\"regiontabell\""), "{path}");
                    assert!(html.contains(&format!("href=\"/regioner/{code}/rapport\"")));
                }
            }
            let path = format!("/regioner/{code}/rapport.pdf?lang={lang}");
            let res = get(&path, Some(w.token("pub"))).await;
            assert_eq!(res.status(), StatusCode::OK, "{path}");
            assert_eq!(ct(res.headers()), "application/pdf", "{path}");
            assert_eq!(
                res.headers()["content-disposition"],
                format!("inline; filename=\"regionrapport-{code}.pdf\"").as_str()
            );
            let bytes = res.bytes().await.unwrap();
            assert!(bytes.starts_with(b"%PDF-"), "{path}");
            let file = dir.path().join(format!("{code}-{lang}.pdf"));
            std::fs::write(&file, &bytes).unwrap();
            files.push((
                file,
                region,
                lang,
                titles.iter().map(|t| plain(t)).collect::<Vec<_>>(),
            ));
        }
    }
    let args: Vec<String> = files
        .iter()
        .map(|f| f.0.to_string_lossy().into_owned())
        .collect();
    let out: Value =
        serde_json::from_str(&python::run("region_report_pdf.py", &args).await).unwrap();
    for (file, region, lang, titles) in &files {
        let got = &out[file.to_string_lossy().as_ref()];
        let text = got["text"].as_str().unwrap();
        assert!(got["pages"].as_u64().unwrap() >= 1);
        assert!(
            text.contains(region.name()),
            "{lang} PDF of {}",
            region.name()
        );
        for t in titles {
            assert!(
                text.contains(t.as_str()),
                "{lang} PDF of {}: no {t}",
                region.name()
            );
        }
        let footer = "Endast syntetiska data";
        assert!(
            text.contains(footer),
            "{lang} PDF of {}: footer",
            region.name()
        );
        assert!(
            text.contains(if *lang == "sv" {
                "Sida 1 av"
            } else {
                "Page 1 of"
            }),
            "page numbers"
        );
        assert!(!text.contains("NaN"));
    }
    // Unknown regions are pages that say so.
    for path in ["/regioner/99/rapport", "/regioner/99/rapport.pdf"] {
        assert_eq!(
            get(path, None).await.status(),
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
}

/// The rows of the report table: indicator → (period, status, data-value, the row's HTML).
fn rows(html: &str) -> BTreeMap<String, (String, String, Option<f64>, String)> {
    let attr = |tr: &str, name: &str| -> Option<String> {
        let start = tr.find(&format!(" {name}=\""))? + name.len() + 3;
        let end = tr[start..].find('"')? + start;
        Some(tr[start..end].to_owned())
    };
    html.split("<tr data-indicator=")
        .skip(1)
        .map(|chunk| {
            let tr = format!(" data-indicator={}", &chunk[..chunk.find("</tr>").unwrap()]);
            (
                attr(&tr, "data-indicator").unwrap(),
                (
                    attr(&tr, "data-period").unwrap(),
                    attr(&tr, "data-status").unwrap(),
                    attr(&tr, "data-value").map(|v| v.parse().unwrap()),
                    tr,
                ),
            )
        })
        .collect()
}

#[tokio::test]
async fn the_reports_numbers_are_the_apis_and_hidden_values_show_their_status() {
    let w = world();
    let list = indicators().await;
    let units: BTreeMap<String, String> = list
        .iter()
        .map(|(id, _, _, unit)| (id.clone(), unit.clone()))
        .collect();
    let mut shown = 0;
    let mut withheld = 0;
    for (token, region) in [(None, "01"), (None, "12"), (Some(w.token("reg_a")), "01")] {
        let html = get(&format!("/regioner/{region}/rapport"), token)
            .await
            .text()
            .await
            .unwrap();
        let table = rows(&html);
        assert_eq!(table.len(), list.len());
        for (id, (period, status, value, tr)) in &table {
            if period.is_empty() {
                assert!(value.is_none());
                continue;
            }
            let api = json(
                &format!(
                    "/api/v1/indicators/{id}/values?region={region}&period={period}&kon=alla&aldersgrupp=alla"
                ),
                token,
            )
            .await;
            let v = &api["values"].as_array().unwrap()[0];
            assert_eq!(v["status"].as_str().unwrap(), status, "{id} {period}");
            let published = matches!(status.as_str(), "ok" | "zero");
            if published {
                let expected = v["standardised"].as_f64().or(v["value"].as_f64());
                let got = value.unwrap_or_else(|| panic!("{id}: a shown value without data-value"));
                let x = expected.unwrap();
                assert!(
                    (got - x).abs() <= 1e-9 * x.abs().max(1.0),
                    "{id}: {got} vs {x}"
                );
                if units[id] == "proportion" {
                    let text = format!("{:.1}", x * 100.0).replace('.', ",");
                    assert!(
                        tr.contains(&format!("{text}\u{a0}%")),
                        "{id}: {text} % in {tr}"
                    );
                }
                shown += 1;
            } else {
                assert!(value.is_none(), "{id}: a number for a {status} value");
                assert!(
                    tr.contains(&format!("href=\"/ordlista#status-{status}\"")),
                    "{id}: the status links to the glossary: {tr}"
                );
                assert!(tr.contains("class=\"status\""), "{tr}");
                withheld += 1;
            }
        }
    }
    assert!(shown > 0, "some values are shown");
    assert!(withheld > 0, "the public view hides some values");
    eprintln!("compared {shown} shown and {withheld} withheld values with the API");
}

#[tokio::test]
async fn a_missing_delivery_is_a_data_quality_note() {
    // The synthetic Sweden withholds Jämtland Härjedalen's bed census for February 2024.
    let html = get("/regioner/23/rapport", None)
        .await
        .text()
        .await
        .unwrap();
    let section = &html[html.find("id=\"datakvalitet\"").unwrap()..];
    assert!(
        plain(section).contains("Februari 2024 saknas: regionens värden för februari 2024"),
        "{section}"
    );
    let html = get("/regioner/23?lang=en", None)
        .await
        .text()
        .await
        .unwrap();
    assert!(plain(&html).contains("February 2024 is missing"), "{html}");
}

#[tokio::test]
async fn the_deliveries_page_links_each_cell_to_its_quality_report_by_role() {
    let w = world();
    let links = |html: &str, region: &str| -> Vec<String> {
        let Some(start) = html.find(&format!("data-region=\"{region}\"")) else {
            return Vec::new();
        };
        let row = &html[start..start + html[start..].find("</tr>").unwrap()];
        row.split("href=\"/leveranser/")
            .skip(1)
            .map(|s| s[..s.find('"').unwrap()].to_owned())
            .collect()
    };
    // A region analyst sees only its own row, national and admin every row.
    let own = get("/leveranser", Some(w.token("reg_a")))
        .await
        .text()
        .await
        .unwrap();
    assert!(own.contains("data-region=\"01\"") && !own.contains("data-region=\"12\""));
    let all = get("/leveranser", Some(w.token("nat")))
        .await
        .text()
        .await
        .unwrap();
    assert!(all.contains("data-region=\"01\"") && all.contains("data-region=\"12\""));
    let mine = links(&own, "01");
    assert!(!mine.is_empty(), "region 01's cells link to their reports");
    let theirs = links(&all, "12");
    assert!(!theirs.is_empty());
    for id in mine.iter().take(3) {
        let path = format!("/leveranser/{id}");
        for (user, status) in [
            ("reg_a", StatusCode::OK),
            ("nat", StatusCode::OK),
            ("adm", StatusCode::OK),
            ("reg_b", StatusCode::NOT_FOUND),
            ("pub", StatusCode::FORBIDDEN),
        ] {
            let res = get(&path, Some(w.token(user))).await;
            assert_eq!(res.status(), status, "{user} {path}");
            let html = res.text().await.unwrap();
            if status == StatusCode::OK {
                assert!(html.contains(id.as_str()) && html.contains("id=\"leveransfakta\""));
            } else {
                assert!(!html.contains("leveransfakta"), "{user} {path}");
            }
        }
        assert_eq!(get(&path, None).await.status(), StatusCode::SEE_OTHER);
        let en = get(&format!("{path}?lang=en"), Some(w.token("reg_a")))
            .await
            .text()
            .await
            .unwrap();
        assert!(en.contains("Quality report"));
    }
    // Another region's delivery is as unknown as one that does not exist.
    let other = &theirs[0];
    let a = get(&format!("/leveranser/{other}"), Some(w.token("reg_a"))).await;
    assert_eq!(a.status(), StatusCode::NOT_FOUND);
    let b = get("/leveranser/finns-inte-v1", Some(w.token("reg_a"))).await;
    assert_eq!(b.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        a.text().await.unwrap().replace(other.as_str(), "X"),
        b.text().await.unwrap().replace("finns-inte-v1", "X")
    );
}
