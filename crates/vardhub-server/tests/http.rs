//! HTTP-level tests against a real hub (see `support`): every endpoint for every role, problem
//! details, CSV dialects, ETag/304, pagination, hemhämtning isolation between regions, the audit
//! log, and that no public response carries a hidden value.

mod analyses;
mod cases_api;
mod conformance;
mod dcat;
mod indicator_view;
mod log_review_api;
mod outputs_api;
mod pxweb;
mod region_report;
mod research_api;
mod scenario_runs;
mod sources;
mod support;
mod timestamps;
mod trust;
mod uploads;

use datafusion::arrow::array::{AsArray, RecordBatch, RecordBatchReader};
use datafusion::arrow::datatypes::DataType;
use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use support::{REGION_A, REGION_B, client, world};
use vardhub_domain::RegionCode;
use vardhub_ingest::{ReleasePseudonymiser, ReleaseScope};

const ID: &str = "vantetid_forsta_besok_90";
const USERS: [&str; 5] = ["pub", "reg_a", "reg_b", "nat", "adm"];

async fn get(path: &str, token: Option<&str>) -> reqwest::Response {
    let w = world();
    let mut req = client().get(format!("{}{path}", w.base));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    req.send().await.unwrap()
}

async fn json(path: &str, token: Option<&str>) -> Value {
    let res = get(path, token).await;
    assert_eq!(res.status(), StatusCode::OK, "{path}");
    assert!(ct(res.headers()).starts_with("application/json"), "{path}");
    res.json_value().await
}

fn ct(h: &HeaderMap) -> &str {
    h.get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
}

trait JsonBody {
    async fn json_value(self) -> Value;
}

impl JsonBody for reqwest::Response {
    async fn json_value(self) -> Value {
        serde_json::from_slice(&self.bytes().await.unwrap()).unwrap()
    }
}

/// Assert a response is an RFC 9457 problem with this status.
async fn assert_problem(res: reqwest::Response, status: StatusCode) -> Value {
    assert_eq!(res.status(), status);
    assert_eq!(ct(res.headers()), "application/problem+json");
    let p = res.json_value().await;
    assert_eq!(p["status"], status.as_u16());
    for k in ["type", "title", "detail"] {
        assert!(p[k].is_string(), "problem member {k}: {p}");
    }
    p
}

/// All values of the indicator for a token, walking the pages.
async fn all_values(id: &str, token: Option<&str>, query: &str) -> Vec<Value> {
    let mut out = Vec::new();
    let mut next = Some(format!(
        "/api/v1/indicators/{id}/values?page_size=5000&{query}"
    ));
    while let Some(path) = next {
        let page = json(&path, token).await;
        out.extend(page["values"].as_array().unwrap().iter().cloned());
        next = page["links"]["next"].as_str().map(str::to_owned);
    }
    out
}

type Cell = (String, String, String, String, String);

fn cell(v: &Value) -> Cell {
    let s = |k: &str| v[k].as_str().unwrap().to_owned();
    (
        s("indicator"),
        s("region"),
        s("period"),
        s("kon"),
        s("aldersgrupp"),
    )
}

/// Equal numbers (serde_json's default float parsing may be one ulp off the shortest form).
fn same(a: Option<f64>, b: Option<f64>) -> bool {
    match (a, b) {
        (Some(x), Some(y)) => (x - y).abs() <= 1e-12 * x.abs().max(y.abs()).max(1.0),
        (x, y) => x == y,
    }
}

fn hidden(status: &str) -> bool {
    status.starts_with("hidden")
}

#[tokio::test]
async fn operations_endpoints_and_the_openapi_document_match_the_router() {
    let health = json("/health", None).await;
    assert_eq!(health["status"], "ok");
    assert!(
        health["latest_run"]["id"]
            .as_str()
            .unwrap()
            .starts_with("run-")
    );

    let doc = json("/api/openapi.json", None).await;
    assert_eq!(doc["openapi"], "3.1.0");
    let documented: BTreeSet<String> = doc["paths"].as_object().unwrap().keys().cloned().collect();
    let routed: BTreeSet<String> = vardhub_server::routes::documented()
        .into_iter()
        .map(|(p, _, _)| p.to_owned())
        .collect();
    assert_eq!(documented, routed, "OpenAPI paths vs router");
    for (path, method, _) in vardhub_server::routes::documented() {
        assert!(
            doc["paths"][path][method].is_object(),
            "{method} {path} not documented"
        );
    }

    let _ = get("/api/v1/indicators", None).await;
    let res = get("/metrics", None).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(ct(res.headers()).starts_with("text/plain"));
    let text = res.text().await.unwrap();
    assert!(
        text.contains("vardhub_http_requests_total{route=\"/api/v1/indicators\",status=\"200\"}"),
        "{text}"
    );
    assert!(
        text.contains(
            "vardhub_http_request_duration_seconds_bucket{route=\"/health\",le=\"+Inf\"}"
        )
    );
    assert!(text.contains("vardhub_latest_run_age_seconds "));
}

/// Draft, scenario, analysis and project runs stored after the official one are never served:
/// not by the operations endpoints, the API or the pages, to the public or to any user.
#[tokio::test]
async fn no_draft_scenario_or_analysis_run_appears_in_any_public_or_region_response() {
    let w = world();
    assert_eq!(w.other_runs.len(), 4);
    let health = json("/health", None).await;
    assert_eq!(health["latest_run"]["id"], w.official_run.as_str());
    let period = w.periods.last().unwrap();
    for user in [None]
        .into_iter()
        .chain(USERS.iter().map(|u| Some(w.token(u))))
    {
        let cat = json("/api/v1/indicators", user).await;
        assert_eq!(cat["latest_run"], w.official_run.as_str(), "{cat}");
        for path in [
            "/api/v1/indicators".to_owned(),
            format!("/api/v1/indicators/{ID}"),
            format!("/api/v1/indicators/{ID}/values?period={period}"),
            format!("/api/v1/indicators/{ID}/values?period={period}&format=csv"),
            "/".to_owned(),
            format!("/indikatorer/{ID}"),
            "/analyser".to_owned(),
            "/api/v1/analyses".to_owned(),
        ] {
            let res = get(&path, user).await;
            assert_eq!(res.status(), StatusCode::OK, "{path}");
            let body = res.text().await.unwrap();
            for other in &w.other_runs {
                assert!(!body.contains(other.as_str()), "{path} names {other}");
            }
        }
    }
}

#[tokio::test]
async fn the_catalogue_and_indicators_for_every_role() {
    let w = world();
    for user in [None]
        .into_iter()
        .chain(USERS.iter().map(|u| Some(w.token(u))))
    {
        let cat = json("/api/v1/indicators", user).await;
        let list = cat["indicators"].as_array().unwrap();
        assert_eq!(list.len(), 14);
        for i in list {
            for k in [
                "id",
                "version",
                "hash",
                "area",
                "source",
                "unit",
                "direction",
                "ci",
                "standardisation",
            ] {
                assert!(i[k].is_string(), "{k} of {i}");
            }
            for k in ["title", "description", "numerator", "denominator"] {
                assert!(i[k]["sv"].is_string() && i[k]["en"].is_string(), "{k}");
            }
            assert_eq!(i["latest_run"], cat["latest_run"]);
        }
        let one = json(&format!("/api/v1/indicators/{ID}"), user).await;
        assert_eq!(one["id"], ID);
        assert_problem(
            get("/api/v1/indicators/finns_inte", user).await,
            StatusCode::NOT_FOUND,
        )
        .await;
    }
    let p = assert_problem(
        get("/api/v1/indicators", Some("vh_wrong")).await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    assert!(p["detail"].as_str().unwrap().contains("token"));
    let res = client()
        .get(format!("{}/api/v1/indicators", w.base))
        .header("authorization", "Basic abc")
        .send()
        .await
        .unwrap();
    assert!(res.headers().get("www-authenticate").is_some());
    assert_problem(res, StatusCode::UNAUTHORIZED).await;
}

#[tokio::test]
async fn values_in_json_and_both_csv_dialects_with_problems_for_bad_requests() {
    let w = world();
    let period = &w.periods[1];
    let q = format!("/api/v1/indicators/{ID}/values?region={REGION_A}&period={period}");
    let j = json(&q, None).await;
    let values = j["values"].as_array().unwrap();
    assert!(
        (3..=4).contains(&values.len()),
        "men, women, both (and unknown): {}",
        values.len()
    );
    assert!(
        values
            .iter()
            .all(|v| v["region"] == REGION_A && v["period"] == period.as_str())
    );
    assert!(values.iter().all(|v| v["status"].is_string()));

    let res = get(&format!("{q}&format=csv"), None).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(ct(res.headers()).starts_with("text/csv"));
    let body = res.bytes().await.unwrap();
    assert_eq!(&body[..3], b"\xEF\xBB\xBF", "UTF-8 BOM");
    let text = std::str::from_utf8(&body[3..]).unwrap();
    assert!(text.starts_with("indicator;spec_version;"));
    assert_eq!(text.matches("\r\n").count(), values.len() + 1);
    assert!(!text.replace("\r\n", "").contains('\n'));

    let res = get(&format!("{q}&format=csv-rfc4180"), None).await;
    assert!(ct(res.headers()).contains("header=present"));
    let text = res.text().await.unwrap();
    assert!(text.starts_with("indicator,spec_version,"));
    assert_eq!(text.lines().count(), values.len() + 1);

    // Numbers: decimal comma vs point, same values.
    let nat = w.token("nat");
    let full = json(&q, Some(nat)).await;
    let with_value = full["values"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["value"].as_f64().is_some_and(|x| x.fract() != 0.0));
    if let Some(v) = with_value {
        let x = v["value"].as_f64().unwrap();
        let excel = get(&format!("{q}&format=csv"), Some(nat))
            .await
            .text()
            .await
            .unwrap();
        let rfc = get(&format!("{q}&format=csv-rfc4180"), Some(nat))
            .await
            .text()
            .await
            .unwrap();
        // The same number in both (the test's JSON parser may be one ulp off the server's
        // shortest representation, so the cells are parsed, not matched as text).
        let has = |text: &str, sep: char, decimal: char| {
            text.lines().any(|l| {
                l.split(sep).any(|c| {
                    c.contains(decimal)
                        && c.replace(decimal, ".")
                            .parse::<f64>()
                            .is_ok_and(|y| (y - x).abs() < 1e-12)
                })
            })
        };
        assert!(has(&excel, ';', ','), "{x} in {excel}");
        assert!(
            !excel.lines().skip(1).any(|l| l
                .split(';')
                .any(|c| c.parse::<f64>().is_ok_and(|y| y.fract() != 0.0))),
            "{excel}"
        );
        assert!(has(&rfc, ',', '.'), "{x} in {rfc}");
    }

    for bad in [
        "format=xml",
        "region=99",
        "period=2024-13",
        "kon=3",
        "aldersgrupp=90-99",
        "page=0",
        "page_size=0",
        "page_size=100000",
        "page=x",
    ] {
        assert_problem(
            get(&format!("/api/v1/indicators/{ID}/values?{bad}"), None).await,
            StatusCode::BAD_REQUEST,
        )
        .await;
    }
    let res = client()
        .get(format!("{}/api/v1/indicators/{ID}/values", w.base))
        .header("accept", "application/xml")
        .send()
        .await
        .unwrap();
    assert_problem(res, StatusCode::NOT_ACCEPTABLE).await;
    let res = client()
        .get(format!(
            "{}/api/v1/indicators/{ID}/values?region=01&period={period}",
            w.base
        ))
        .header("accept", "text/csv")
        .send()
        .await
        .unwrap();
    assert!(ct(res.headers()).starts_with("text/csv"));
    assert_problem(
        get("/api/v1/indicators/nej/values", None).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    assert_problem(get("/api/v1/finns-inte", None).await, StatusCode::NOT_FOUND).await;
    let res = client()
        .post(format!("{}/api/v1/indicators", w.base))
        .send()
        .await
        .unwrap();
    assert_problem(res, StatusCode::METHOD_NOT_ALLOWED).await;
    // "80+" written with a literal + (a space once decoded) is understood.
    let j = json(
        &format!("/api/v1/indicators/{ID}/values?aldersgrupp=80+&region=00&kon=alla"),
        None,
    )
    .await;
    assert!(j["total"].as_u64().unwrap() > 0);
}

#[tokio::test]
async fn pagination_covers_every_value_once_with_link_headers() {
    let whole = all_values(ID, None, "").await;
    assert!(whole.len() > 100);
    let mut walked = Vec::new();
    let mut next = Some(format!("/api/v1/indicators/{ID}/values?page_size=97"));
    let mut pages = 0;
    while let Some(path) = next {
        let res = get(&path, None).await;
        let link = res
            .headers()
            .get("link")
            .unwrap()
            .to_str()
            .unwrap()
            .to_owned();
        assert!(link.contains("rel=\"first\"") && link.contains("rel=\"last\""));
        let page = res.json_value().await;
        assert_eq!(page["total"].as_u64().unwrap() as usize, whole.len());
        walked.extend(page["values"].as_array().unwrap().iter().cloned());
        next = page["links"]["next"].as_str().map(str::to_owned);
        if let Some(n) = &next {
            assert!(link.contains(&format!("<{n}>; rel=\"next\"")), "{link}");
        }
        pages += 1;
    }
    assert_eq!(pages, whole.len().div_ceil(97));
    assert_eq!(walked, whole);
    let beyond = json(
        &format!(
            "/api/v1/indicators/{ID}/values?page_size=97&page={}",
            pages + 1
        ),
        None,
    )
    .await;
    assert!(beyond["values"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn etags_answer_304_and_differ_by_query_and_access() {
    let w = world();
    let path = format!("/api/v1/indicators/{ID}/values?region=00");
    let res = get(&path, None).await;
    let etag = res.headers().get("etag").unwrap().clone();
    assert!(
        res.headers()["cache-control"]
            .to_str()
            .unwrap()
            .contains("public")
    );
    let res = client()
        .get(format!("{}{path}", w.base))
        .header("if-none-match", etag.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_MODIFIED);
    assert_eq!(res.headers().get("etag"), Some(&etag));
    let other = get(&format!("{path}&kon=1"), None).await;
    assert_ne!(other.headers().get("etag"), Some(&etag));
    let national = get(&path, Some(w.token("nat"))).await;
    assert_ne!(national.headers().get("etag"), Some(&etag));
    assert!(
        national.headers()["cache-control"]
            .to_str()
            .unwrap()
            .contains("private")
    );
    let res = client()
        .get(format!("{}{path}", w.base))
        .bearer_auth(w.token("nat"))
        .header("if-none-match", etag)
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "a public ETag does not validate the national view"
    );
}

/// Per access level: what may be unsuppressed is, and everything else equals the public view.
#[tokio::test]
async fn each_role_sees_its_view_of_the_values() {
    let w = world();
    let public: BTreeMap<Cell, Value> = all_values(ID, None, "")
        .await
        .iter()
        .map(|v| (cell(v), v.clone()))
        .collect();
    let as_public_user: BTreeMap<Cell, Value> = all_values(ID, Some(w.token("pub")), "")
        .await
        .iter()
        .map(|v| (cell(v), v.clone()))
        .collect();
    assert_eq!(
        public, as_public_user,
        "a logged-in public user sees the public view"
    );
    for user in ["nat", "adm"] {
        let full = all_values(ID, Some(w.token(user)), "").await;
        assert_eq!(full.len(), public.len());
        assert!(
            full.iter().all(|v| !hidden(v["status"].as_str().unwrap())),
            "{user} sees nothing hidden"
        );
    }
    for (user, own) in [("reg_a", REGION_A), ("reg_b", REGION_B)] {
        let view = all_values(ID, Some(w.token(user)), "").await;
        assert_eq!(view.len(), public.len());
        for v in &view {
            let region = v["region"].as_str().unwrap();
            if region == own {
                assert!(
                    !hidden(v["status"].as_str().unwrap()),
                    "{user} sees own region unsuppressed"
                );
            } else {
                assert_eq!(
                    &public[&cell(v)],
                    v,
                    "{user} sees other regions as the public does"
                );
            }
        }
    }
}

/// The hidden cells, from the full (national) view, and the public payloads checked cell by cell.
#[tokio::test]
async fn no_public_response_contains_a_hidden_value() {
    let w = world();
    let nat = w.token("nat");
    let mut hidden_cells = 0;
    for id in vardhub_engine::indicator::builtin().keys() {
        let full: BTreeMap<Cell, Value> = all_values(id, Some(nat), "")
            .await
            .iter()
            .map(|v| (cell(v), v.clone()))
            .collect();
        let public = all_values(id, None, "").await;
        assert_eq!(public.len(), full.len(), "{id}");
        let csv = get(
            &format!("/api/v1/indicators/{id}/values?format=csv-rfc4180&page_size=5000"),
            None,
        )
        .await
        .text()
        .await
        .unwrap();
        let csv_rows: BTreeMap<Cell, Vec<String>> = csv
            .lines()
            .skip(1)
            .map(|l| {
                let f: Vec<String> = l.split(',').map(str::to_owned).collect();
                (
                    (
                        f[0].clone(),
                        f[3].clone(),
                        f[4].clone(),
                        f[5].clone(),
                        f[6].clone(),
                    ),
                    f,
                )
            })
            .collect();
        for p in &public {
            let status = p["status"].as_str().unwrap();
            if !hidden(status) {
                continue;
            }
            hidden_cells += 1;
            assert_eq!(p["public_status"], p["status"]);
            let c = cell(p);
            for k in [
                "numerator",
                "denominator",
                "value",
                "lower",
                "upper",
                "standardised",
                "standardised_lower",
                "standardised_upper",
                "funnel_95",
                "funnel_998",
                "meets_target",
            ] {
                assert!(p[k].is_null(), "{id} {c:?}: public {k} = {}", p[k]);
            }
            // The CSV row of the cell: its numeric columns are empty, and none equals a secret.
            let row = csv_rows
                .get(&c)
                .unwrap_or_else(|| panic!("{id} {c:?} missing in CSV"));
            // numerator … standardised_upper are empty; national_value is Sweden's published
            // value of the same stratum (it may coincide with the hidden one, e.g. 100 %).
            for field in &row[9..17] {
                assert!(field.is_empty(), "{id} {c:?}: CSV has {field}");
            }
            if let Ok(x) = row[17].parse::<f64>() {
                assert!(same(Some(x), p["national_value"].as_f64()), "{id} {c:?}");
                let sweden = (
                    c.0.clone(),
                    "00".to_owned(),
                    c.2.clone(),
                    c.3.clone(),
                    c.4.clone(),
                );
                let sweden = public.iter().find(|v| cell(v) == sweden);
                assert!(
                    same(Some(x), sweden.and_then(|v| v["value"].as_f64())),
                    "{id} {c:?}: national_value is not Sweden's published value"
                );
            }
        }
        // The indicator page: every hidden region row shows no value.
        for period in &w.periods {
            let html = get(&format!("/indikatorer/{id}?period={period}"), None)
                .await
                .text()
                .await
                .unwrap();
            // The page's table: the regions and Sweden (sjukvårdsregioner and finer areas are in
            // the API).
            for p in public.iter().filter(|p| {
                p["period"] == period.as_str()
                    && p["kon"] == "alla"
                    && p["aldersgrupp"] == "alla"
                    && matches!(p["level"].as_str(), Some("region" | "land"))
            }) {
                let region = p["region"].as_str().unwrap();
                let status = p["status"].as_str().unwrap();
                let marker =
                    format!("data-region=\"{region}\" data-status=\"{status}\" data-value=\"");
                let at = html
                    .find(&marker)
                    .unwrap_or_else(|| panic!("{id} {period} {region}: row missing"));
                let rest = &html[at + marker.len()..];
                let shown = &rest[..rest.find('"').unwrap()];
                if hidden(status) {
                    assert_eq!(shown, "", "{id} {period} {region}");
                    let row_end = rest.find("</tr>").unwrap();
                    let row = &rest[..row_end];
                    let secret = &full[&cell(p)];
                    if let Some(n) = secret["numerator"].as_f64() {
                        assert!(
                            !row.contains(&format!(">{n}<")),
                            "{id} {region}: numerator shown"
                        );
                    }
                } else {
                    assert!(
                        same(shown.parse::<f64>().ok(), p["value"].as_f64()),
                        "{id} {period} {region}: {shown} vs {}",
                        p["value"]
                    );
                }
            }
        }
    }
    assert!(hidden_cells > 0, "the test data must contain hidden cells");
}

#[tokio::test]
async fn hemhamtning_gives_a_region_only_its_own_microdata() {
    let w = world();
    let period = &w.periods[0];
    let path =
        |c: &str, t: &str, extra: &str| format!("/api/v1/microdata/{c}/{t}?period={period}{extra}");
    let a = w.token("reg_a");
    let b = w.token("reg_b");

    let pseudo = support::pseudonymiser();
    let release_a = pseudo.for_release(&ReleaseScope::Region(region(REGION_A)));
    let release_b = pseudo.for_release(&ReleaseScope::Region(region(REGION_B)));

    // Region A gets its own file as Parquet: the lake file with every pseudonym replaced by A's
    // release pseudonym, everything else unchanged.
    let res = get(&path("vardkontakter", "kontakter", ""), Some(a)).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(ct(res.headers()), "application/vnd.apache.parquet");
    let own_parquet = res.bytes().await.unwrap();
    assert_eq!(&own_parquet[..4], b"PAR1");
    let lake_a = lake_file(&w.data, "vardkontakter", REGION_A, period, "kontakter");
    let lake_b = lake_file(&w.data, "vardkontakter", REGION_B, period, "kontakter");
    assert_ne!(
        own_parquet.as_ref(),
        std::fs::read(&lake_a).unwrap().as_slice()
    );
    let mapped = assert_released(&own_parquet, &lake_a, &release_a);
    assert!(mapped > 10, "the file has pseudonyms to replace");
    // The same pseudonyms in every download: two downloads are byte-identical.
    let again = get(&path("vardkontakter", "kontakter", ""), Some(a)).await;
    assert_eq!(again.status(), StatusCode::OK);
    assert_eq!(again.bytes().await.unwrap(), own_parquet);
    // The CSV carries the same pseudonyms as the Parquet download.
    let csv_a = get(&path("vardkontakter", "kontakter", "&format=csv"), Some(a)).await;
    assert_eq!(csv_a.status(), StatusCode::OK);
    assert!(ct(csv_a.headers()).starts_with("text/csv"));
    let csv_a = csv_a.text().await.unwrap();
    assert_csv_matches(&csv_a, &own_parquet);

    // A patient in both regions' lake files has one lake pseudonym but different release
    // pseudonyms in A's and B's downloads, so the two downloads cannot be linked.
    let (shared, (file_a, file_b)) = shared_patient(w);
    let download = |token: &'static str, (c, p, t): (&'static str, String, &'static str)| async move {
        let res = get(
            &format!("/api/v1/microdata/{c}/{t}?period={p}"),
            Some(token),
        )
        .await;
        assert_eq!(res.status(), StatusCode::OK, "{c}/{t} {p}");
        res.bytes().await.unwrap()
    };
    let shared_in_a = download(a, file_a.clone()).await;
    let shared_in_b = download(b, file_b.clone()).await;
    let lake_of = |r: &str, (c, p, t): &(&str, String, &str)| lake_file(&w.data, c, r, p, t);
    assert_released(&shared_in_a, &lake_of(REGION_A, &file_a), &release_a);
    assert_released(&shared_in_b, &lake_of(REGION_B, &file_b), &release_b);
    let in_a = pseudonym_values(&parquet_batch(&shared_in_a));
    let in_b = pseudonym_values(&parquet_batch(&shared_in_b));
    let (pa, pb) = (release_a.pseudonym(&shared), release_b.pseudonym(&shared));
    assert!(in_a.contains(&pa) && in_b.contains(&pb));
    assert_ne!(pa, pb);
    assert!(!in_b.contains(&pa) && !in_a.contains(&pb));

    // Region B's data (contact ids and the like) never reach A. Strings in both lake files (a
    // shared patient's lake pseudonym) are covered by the lake-pseudonym check below.
    let a_strings = distinctive_strings(&lake_a);
    let b_strings: BTreeSet<String> = distinctive_strings(&lake_b)
        .difference(&a_strings)
        .cloned()
        .collect();
    assert!(b_strings.len() > 10);
    // No lake pseudonym at all, neither A's own nor B's, reaches A.
    let mut lake_pseudonyms = BTreeSet::new();
    for f in [
        &lake_a,
        &lake_b,
        &lake_of(REGION_A, &file_a),
        &lake_of(REGION_B, &file_b),
    ] {
        lake_pseudonyms.extend(pseudonym_values(&lake_batch(f)));
    }
    assert!(lake_pseudonyms.contains(&shared));
    let mut bodies_for_a: Vec<Vec<u8>> = vec![
        own_parquet.to_vec(),
        csv_a.into_bytes(),
        shared_in_a.to_vec(),
    ];
    let attempts = [
        path("vardkontakter", "kontakter", &format!("&region={REGION_B}")),
        path("vardkontakter", "kontakter", "&region=M"),
        path(
            "vardkontakter",
            "kontakter",
            &format!("&region={REGION_A}&region={REGION_B}"),
        ),
        format!("/api/v1/microdata/vardkontakter/kontakter?period={period}&region%3D{REGION_B}"),
        format!(
            "/api/v1/microdata/vardkontakter/..%2F..%2Fvardkontakter%2Fregion={REGION_B}?period={period}"
        ),
        format!(
            "/api/v1/microdata/..%2Flake%2Fvardkontakter%2Fregion%3D{REGION_B}/kontakter?period={period}"
        ),
        format!(
            "/api/v1/microdata/vardkontakter/kontakter/../../region={REGION_B}?period={period}"
        ),
        format!("/api/v1/microdata/vardkontakter%2Fregion={REGION_B}/kontakter?period={period}"),
        path("befolkning", "befolkning", ""),
        path("vardkontakter", "finns_inte", ""),
        format!("/api/v1/microdata/vardkontakter/kontakter?period=..%2F{REGION_B}"),
        format!("/api/v1/microdata/vardkontakter/kontakter?period={period}&format=../../x"),
    ];
    for attempt in &attempts {
        let res = get(attempt, Some(a)).await;
        let status = res.status();
        let body = res.bytes().await.unwrap().to_vec();
        if status == StatusCode::OK {
            // Only possible when the trick collapsed to A's own request.
            assert_eq!(body, own_parquet.to_vec(), "{attempt}");
        } else {
            assert!(
                [
                    StatusCode::BAD_REQUEST,
                    StatusCode::FORBIDDEN,
                    StatusCode::NOT_FOUND
                ]
                .contains(&status),
                "{attempt}: {status}"
            );
        }
        bodies_for_a.push(body);
    }
    // Every other route A can reach, too.
    for route in [
        "/".to_owned(),
        format!("/regioner/{REGION_B}"),
        format!("/indikatorer/{ID}?region={REGION_B}"),
        "/leveranser".to_owned(),
        format!("/api/v1/indicators/{ID}/values?region={REGION_B}&page_size=5000"),
    ] {
        bodies_for_a.push(get(&route, Some(a)).await.bytes().await.unwrap().to_vec());
    }
    for body in &bodies_for_a {
        // A Parquet body is compressed: search its decoded values, too.
        let mut text = String::from_utf8_lossy(body).into_owned();
        if body.starts_with(b"PAR1") {
            text.push_str(&all_strings(&parquet_batch(body)));
        }
        for s in &b_strings {
            assert!(
                !text.contains(s.as_str()),
                "region B's {s} reached region A"
            );
        }
        for s in &lake_pseudonyms {
            assert!(
                !text.contains(s.as_str()),
                "a lake pseudonym reached region A"
            );
        }
    }
    assert_problem(
        get(
            &path("vardkontakter", "kontakter", &format!("&region={REGION_B}")),
            Some(a),
        )
        .await,
        StatusCode::FORBIDDEN,
    )
    .await;

    // B gets its own, with B's release pseudonyms; other roles get nothing.
    let res = get(&path("vardkontakter", "kontakter", ""), Some(b)).await;
    assert_eq!(res.status(), StatusCode::OK);
    let own_b = res.bytes().await.unwrap();
    assert_ne!(own_b.as_ref(), std::fs::read(&lake_b).unwrap().as_slice());
    assert_ne!(own_b, own_parquet);
    assert_released(&own_b, &lake_b, &release_b);
    assert_problem(
        get(&path("vardkontakter", "kontakter", ""), None).await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    for user in ["pub", "nat", "adm"] {
        assert_problem(
            get(&path("vardkontakter", "kontakter", ""), Some(w.token(user))).await,
            StatusCode::FORBIDDEN,
        )
        .await;
    }
    assert_problem(
        get("/api/v1/microdata/vardkontakter/kontakter", Some(a)).await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert_problem(
        get(&path("vardkontakter", "kontakter", "&format=xlsx"), Some(a)).await,
        StatusCode::BAD_REQUEST,
    )
    .await;

    // Downloads and refusals are audited, and the chain still verifies.
    let hub = support::open_hub(&w.data).await;
    let entries = hub.audit_entries().await.unwrap();
    assert!(entries.iter().any(|e| {
        e.actor == "reg_a"
            && e.action == "microdata.download"
            && e.details
                .contains(&format!("pseudonyms=region:{REGION_A} key_version=1"))
    }));
    assert!(
        entries
            .iter()
            .filter(|e| e.action == "microdata.download")
            .all(|e| e.details.contains(" pseudonyms=region:")
                && e.details.contains(" key_version=")),
        "every download names its release pseudonyms"
    );
    assert!(entries.iter().any(|e| {
        e.actor == "reg_b"
            && e.action == "microdata.download"
            && e.details
                .contains(&format!("pseudonyms=region:{REGION_B} key_version=1"))
    }));
    assert!(
        entries
            .iter()
            .any(|e| e.actor == "reg_a" && e.action == "microdata.denied")
    );
    assert!(
        entries
            .iter()
            .any(|e| e.actor == "nat" && e.action == "http.read")
    );
    assert!(
        entries.iter().all(|e| !e.details.contains("vh_")),
        "no token in the audit log"
    );
    assert!(hub.verify_audit().await.unwrap().is_ok());
    hub.close().await;
}

/// A server without a pseudonymisation key refuses hemhämtning with 503 (never lake pseudonyms)
/// and audits the refusal.
#[tokio::test]
async fn hemhamtning_without_a_key_is_unavailable() {
    use tower::ServiceExt;
    let w = world();
    let hub = support::open_hub(&w.data).await;
    let app = vardhub_server::app(vardhub_server::AppState::new(
        hub.clone(),
        vardhub_engine::disclosure::DisclosurePolicy::default_public(),
        vardhub_server::ServerConfig::default(),
    ));
    let req = axum::http::Request::get(format!(
        "/api/v1/microdata/vardkontakter/kontakter?period={}",
        w.periods[0]
    ))
    .header("authorization", format!("Bearer {}", w.token("reg_a")))
    .body(axum::body::Body::empty())
    .unwrap();
    let res = app.oneshot(req).await.unwrap();
    assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE.as_u16());
    assert_eq!(
        res.headers()["content-type"].to_str().unwrap(),
        "application/problem+json"
    );
    let body = axum::body::to_bytes(res.into_body(), 1 << 20)
        .await
        .unwrap();
    assert!(!body.starts_with(b"PAR1"));
    let p: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(p["status"], 503);
    assert!(
        p["detail"].as_str().unwrap().contains("ingen nyckel"),
        "{p}"
    );
    let entries = hub.audit_entries().await.unwrap();
    assert!(entries.iter().any(|e| e.actor == "reg_a"
        && e.action == "microdata.denied"
        && e.details.ends_with("no-key")));
    hub.close().await;
}

fn region(code: &str) -> RegionCode {
    RegionCode::parse(code).unwrap()
}

/// All rows of a Parquet file (or body) in one batch.
fn read_parquet<R: datafusion::parquet::file::reader::ChunkReader + 'static>(r: R) -> RecordBatch {
    use datafusion::parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
    let reader = ParquetRecordBatchReaderBuilder::try_new(r)
        .unwrap()
        .build()
        .unwrap();
    let schema = reader.schema();
    let batches: Vec<RecordBatch> = reader.map(Result::unwrap).collect();
    datafusion::arrow::compute::concat_batches(&schema, &batches).unwrap()
}

fn parquet_batch(body: &[u8]) -> RecordBatch {
    read_parquet(axum::body::Bytes::copy_from_slice(body))
}

fn lake_batch(path: &std::path::Path) -> RecordBatch {
    read_parquet(std::fs::File::open(path).unwrap())
}

fn is_pseudonym(name: &str) -> bool {
    name.ends_with("_pseudonym")
}

/// The values of a string column (nulls as `None`).
fn strings(batch: &RecordBatch, i: usize) -> Vec<Option<String>> {
    let col = datafusion::arrow::compute::cast(batch.column(i), &DataType::Utf8).unwrap();
    col.as_string::<i32>()
        .iter()
        .map(|v| v.map(str::to_owned))
        .collect()
}

/// Every non-null value of the pseudonym columns.
fn pseudonym_values(batch: &RecordBatch) -> BTreeSet<String> {
    let schema = batch.schema();
    let mut out = BTreeSet::new();
    for (i, f) in schema.fields().iter().enumerate() {
        if is_pseudonym(f.name()) {
            out.extend(strings(batch, i).into_iter().flatten());
        }
    }
    out
}

/// Every string value of a batch, joined (to search a decoded Parquet body).
fn all_strings(batch: &RecordBatch) -> String {
    let schema = batch.schema();
    let mut out = String::new();
    for (i, f) in schema.fields().iter().enumerate() {
        if matches!(f.data_type(), DataType::Utf8 | DataType::LargeUtf8) {
            for v in strings(batch, i).into_iter().flatten() {
                out.push_str(&v);
                out.push('\n');
            }
        }
    }
    out
}

/// A downloaded Parquet body is the lake file with release pseudonyms: same schema and rows,
/// every other column equal, every non-null pseudonym the release pseudonym of the lake value
/// (and not the lake value). Returns how many pseudonyms were compared.
fn assert_released(body: &[u8], lake: &std::path::Path, release: &ReleasePseudonymiser) -> usize {
    let got = parquet_batch(body);
    let want = lake_batch(lake);
    assert_eq!(got.num_rows(), want.num_rows());
    assert_eq!(got.schema(), want.schema());
    let schema = want.schema();
    let mut compared = 0;
    let mut pseudonym_columns = 0;
    for (i, f) in schema.fields().iter().enumerate() {
        if !is_pseudonym(f.name()) {
            assert_eq!(got.column(i), want.column(i), "column {}", f.name());
            continue;
        }
        pseudonym_columns += 1;
        for (g, l) in strings(&got, i).into_iter().zip(strings(&want, i)) {
            match (g, l) {
                (None, None) => {}
                (Some(g), Some(l)) => {
                    assert_ne!(g, l, "a lake pseudonym was served");
                    assert_eq!(g, release.pseudonym(&l));
                    assert_eq!(g.len(), 32);
                    compared += 1;
                }
                (g, l) => panic!(
                    "null mismatch in {}: {:?} vs {:?}",
                    f.name(),
                    g.is_some(),
                    l.is_some()
                ),
            }
        }
    }
    assert!(pseudonym_columns > 0, "the table has a pseudonym column");
    compared
}

/// The CSV download has the Parquet download's columns and pseudonyms, row for row.
fn assert_csv_matches(csv: &str, parquet: &[u8]) {
    use datafusion::arrow::csv::ReaderBuilder;
    use datafusion::arrow::datatypes::{Field, Schema};
    let want = parquet_batch(parquet);
    let schema = want.schema();
    let text_schema = Arc::new(Schema::new(
        schema
            .fields()
            .iter()
            .map(|f| Field::new(f.name(), DataType::Utf8, true))
            .collect::<Vec<_>>(),
    ));
    let names: Vec<&str> = schema.fields().iter().map(|f| f.name().as_str()).collect();
    assert_eq!(csv.lines().next().unwrap(), names.join(","));
    let reader = ReaderBuilder::new(text_schema.clone())
        .with_header(true)
        .build(std::io::Cursor::new(csv.as_bytes()))
        .unwrap();
    let batches: Vec<RecordBatch> = reader.map(Result::unwrap).collect();
    let got = datafusion::arrow::compute::concat_batches(&text_schema, &batches).unwrap();
    assert_eq!(got.num_rows(), want.num_rows());
    let mut seen = 0;
    for (i, f) in schema.fields().iter().enumerate() {
        if is_pseudonym(f.name()) {
            let norm = |v: Vec<Option<String>>| -> Vec<Option<String>> {
                v.into_iter().map(|v| v.filter(|s| !s.is_empty())).collect()
            };
            assert_eq!(
                norm(strings(&got, i)),
                norm(strings(&want, i)),
                "{}",
                f.name()
            );
            seen += 1;
        }
    }
    assert!(seen > 0);
}

/// A lake pseudonym present in both a file of region A and one of region B (visitors: care outside
/// the home region), with the two files as (collection, period, table).
#[allow(clippy::type_complexity)]
fn shared_patient(
    w: &support::World,
) -> (
    String,
    (
        (&'static str, String, &'static str),
        (&'static str, String, &'static str),
    ),
) {
    let tables = [("vardkontakter", "kontakter"), ("vantetider", "arenden")];
    let files = |r: &str| {
        let mut out = Vec::new();
        for (c, t) in tables {
            for p in &w.periods {
                let set = pseudonym_values(&lake_batch(&lake_file(&w.data, c, r, p, t)));
                out.push(((c, p.clone(), t), set));
            }
        }
        out
    };
    let (in_a, in_b) = (files(REGION_A), files(REGION_B));
    for (fa, sa) in &in_a {
        for (fb, sb) in &in_b {
            if let Some(shared) = sa.intersection(sb).next() {
                eprintln!("a patient of both regions: {fa:?} and {fb:?}");
                return (shared.clone(), (fa.clone(), fb.clone()));
            }
        }
    }
    panic!("no patient in both regions' lake files: the synthetic data has no visitors");
}

/// The lake file of one table of the current delivery of a region and month.
fn lake_file(
    data: &std::path::Path,
    collection: &str,
    region: &str,
    period: &str,
    table: &str,
) -> std::path::PathBuf {
    let dir = data
        .join("lake")
        .join(collection)
        .join(format!("region={region}"))
        .join(format!("period={period}"));
    let mut versions: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    versions.sort();
    versions.last().unwrap().join(format!("{table}.parquet"))
}

/// Long string values of a Parquet file (pseudonyms, contact ids): if any of them shows up in a
/// response, data of that file leaked.
fn distinctive_strings(path: &std::path::Path) -> BTreeSet<String> {
    use datafusion::arrow::array::{Array, AsArray};
    use datafusion::arrow::datatypes::DataType;
    use datafusion::parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
    let reader = ParquetRecordBatchReaderBuilder::try_new(std::fs::File::open(path).unwrap())
        .unwrap()
        .build()
        .unwrap();
    let mut out = BTreeSet::new();
    for batch in reader {
        let batch = batch.unwrap();
        for col in batch.columns() {
            let stringish = matches!(
                col.data_type(),
                DataType::Utf8
                    | DataType::LargeUtf8
                    | DataType::Utf8View
                    | DataType::Dictionary(_, _)
            );
            if stringish {
                let col = datafusion::arrow::compute::cast(col, &DataType::Utf8).unwrap();
                let s = col.as_string::<i32>();
                for i in 0..s.len() {
                    let v = if s.is_null(i) { "" } else { s.value(i) };
                    if v.len() >= 16
                        && v.bytes().any(|b| b.is_ascii_digit())
                        && !v.contains(char::is_whitespace)
                    {
                        out.insert(v.to_owned());
                    }
                }
            }
        }
    }
    out
}

#[tokio::test]
async fn pages_in_both_languages_for_every_role_with_security_headers() {
    let w = world();
    let pages = [
        "/".to_owned(),
        format!("/indikatorer/{ID}"),
        format!("/indikatorer/{ID}?region=25&period={}", w.periods[0]),
        "/indikatorer/overbelaggningar_per_100".to_owned(),
        format!("/regioner/{REGION_A}"),
        "/analyser".to_owned(),
        "/katalog".to_owned(),
        "/katalog/vardkontakter".to_owned(),
        "/katalog/kodverk".to_owned(),
        "/logga-in".to_owned(),
    ];
    for user in [None]
        .into_iter()
        .chain(USERS.iter().map(|u| Some(w.token(u))))
    {
        for page in &pages {
            let res = get(page, user).await;
            assert_eq!(res.status(), StatusCode::OK, "{page}");
            assert!(ct(res.headers()).starts_with("text/html"));
            let h = res.headers().clone();
            assert!(
                h["content-security-policy"]
                    .to_str()
                    .unwrap()
                    .contains("default-src 'self'")
            );
            assert!(
                h["content-security-policy"]
                    .to_str()
                    .unwrap()
                    .contains("frame-ancestors 'none'")
            );
            assert_eq!(h["x-content-type-options"], "nosniff");
            assert_eq!(h["referrer-policy"], "same-origin");
            let html = res.text().await.unwrap();
            assert!(html.contains("<html lang=\"sv\">"), "{page}");
            assert!(
                html.contains("href=\"#innehall\"") && html.contains("id=\"innehall\""),
                "skip link"
            );
            assert!(
                !html.contains("http://") && !html.contains("https://"),
                "{page}: external URL"
            );
            assert!(
                !html.contains("<script>") && !html.contains("onclick="),
                "{page}: inline script"
            );
        }
    }
    // English, remembered in a cookie.
    let res = get(&format!("/indikatorer/{ID}?lang=en"), None).await;
    let cookie = res.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(cookie.starts_with("lang=en"));
    assert!(res.text().await.unwrap().contains("<html lang=\"en\">"));
    let res = client()
        .get(format!("{}/", w.base))
        .header("cookie", "lang=en")
        .send()
        .await
        .unwrap();
    assert!(res.text().await.unwrap().contains("<html lang=\"en\">"));

    // The indicator page: four charts, each followed by its table; download links to the API.
    let html = get(&format!("/indikatorer/{ID}"), None)
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(
        html.matches("type=\"application/json\" data-chart-for=")
            .count(),
        4
    );
    assert_eq!(html.matches("<table class=\"data\"").count(), 4);
    assert!(html.contains(&format!("/api/v1/indicators/{ID}/values?format=csv")));
    assert!(html.contains("/static/sweden_lan.geojson"));

    // Not found, as pages.
    for page in [
        "/indikatorer/nej",
        "/regioner/99",
        "/katalog/nej",
        "/finns/inte",
    ] {
        let res = get(page, None).await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "{page}");
        assert!(ct(res.headers()).starts_with("text/html"));
    }
    // Static files with long cache lifetimes.
    for (f, t) in [
        ("/static/vendor/vega-5.33.1.min.js", "text/javascript"),
        ("/static/vendor/vega-lite-5.23.0.min.js", "text/javascript"),
        ("/static/vendor/vega-embed-6.29.0.min.js", "text/javascript"),
        ("/static/vendor/htmx-2.0.11.min.js", "text/javascript"),
        ("/static/sweden_lan.geojson", "application/geo+json"),
    ] {
        let res = get(f, None).await;
        assert_eq!(res.status(), StatusCode::OK, "{f}");
        assert!(ct(res.headers()).starts_with(t));
        assert!(
            res.headers()["cache-control"]
                .to_str()
                .unwrap()
                .contains("immutable")
        );
    }
    let geo: Value = serde_json::from_slice(
        &get("/static/sweden_lan.geojson", None)
            .await
            .bytes()
            .await
            .unwrap(),
    )
    .unwrap();
    assert_eq!(geo["features"].as_array().unwrap().len(), 21);
    assert_eq!(get("/static/app.css", None).await.status(), StatusCode::OK);
    assert_eq!(
        get("/static/../Cargo.toml", None).await.status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn login_sessions_the_deliveries_page_and_limits() {
    let w = world();
    let res = get("/leveranser", None).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()["location"], "/logga-in?next=/leveranser");

    let login = |name: &str, token: &str| {
        client()
            .post(format!("{}/logga-in", w.base))
            .header("origin", &w.base)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(format!("name={name}&token={token}&next=%2Fleveranser"))
            .send()
    };
    let res = login("reg_a", "vh_fel").await.unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let res = login("nat", w.token("reg_a")).await.unwrap();
    assert_eq!(
        res.status(),
        StatusCode::UNAUTHORIZED,
        "a token only works with its own name"
    );
    let res = login("reg_a", w.token("reg_a")).await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()["location"], "/leveranser");
    let set = res.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(
        set.contains("HttpOnly") && set.contains("SameSite=Strict"),
        "{set}"
    );
    let session = set.split(';').next().unwrap().to_owned();
    let sid = session.split('=').nth(1).unwrap().to_owned();

    let with_cookie = |path: &str| {
        client()
            .get(format!("{}{path}", w.base))
            .header("cookie", session.clone())
            .send()
    };
    let res = with_cookie("/leveranser").await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let html = res.text().await.unwrap();
    assert!(html.contains("reg_a"));
    assert!(html.contains("class=\"data matrix\""));
    assert!(html.contains("data-region=\"01\""));
    let html = get("/leveranser", Some(w.token("nat")))
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("data-region=\"25\""));
    assert!(
        html.contains("✗") || html.contains("–"),
        "the withheld delivery shows as missing"
    );
    // The session gives the region view in the API, too.
    let v = client()
        .get(format!(
            "{}/api/v1/indicators/{ID}/values?region={REGION_A}",
            w.base
        ))
        .header("cookie", session.clone())
        .send()
        .await
        .unwrap()
        .json_value()
        .await;
    assert!(
        v["values"]
            .as_array()
            .unwrap()
            .iter()
            .all(|v| !hidden(v["status"].as_str().unwrap()))
    );

    // The catalogue stores only the hash of the session id and of tokens.
    let catalogue = std::fs::read(w.data.join("catalogue.sqlite")).unwrap();
    let cat = String::from_utf8_lossy(&catalogue);
    assert!(!cat.contains(&sid));
    for (_, t) in &w.tokens {
        assert!(!cat.contains(t.as_str()));
    }

    let res = client()
        .post(format!("{}/logga-ut", w.base))
        .header("origin", &w.base)
        .header("cookie", session.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert!(
        res.headers()["set-cookie"]
            .to_str()
            .unwrap()
            .contains("Max-Age=0")
    );
    assert_eq!(
        with_cookie("/leveranser").await.unwrap().status(),
        StatusCode::SEE_OTHER
    );

    // Body limit.
    let big = "x".repeat(64 * 1024);
    let res = client()
        .post(format!("{}/logga-in", w.base))
        .header("origin", &w.base)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("name={big}&token=x"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
}
