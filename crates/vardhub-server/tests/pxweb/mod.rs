//! Issue 17 (pxweb): PxWeb API v2 and JSON-stat 2 over every published table — config, table
//! list with search and paging, metadata in both languages, data by GET and POST selections
//! (`*`, wildcards, `top(n)`, `[range(a,b)]`), CSV, PxWeb's refusals, and the disclosure door:
//! every cell equals the public JSON API's value or is `null` with a status. Last, the
//! ecosystem's own clients (pxwebpy, pyjstat) read every table.

use super::support::{client, python, world};
use super::{ID, JsonBody, all_values, assert_problem, ct, get, json, same};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::collections::{BTreeSet, HashMap};

const V2: &str = "/api/v2";

async fn post(path: &str, body: &Value, token: Option<&str>) -> reqwest::Response {
    let w = world();
    let mut req = client()
        .post(format!("{}{path}", w.base))
        .header("content-type", "application/json")
        .body(serde_json::to_vec(body).unwrap());
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    req.send().await.unwrap()
}

/// Every published table id, walking the pages two at a time — after the track-A file of
/// `crate::sources` is imported (once per binary), so that its tables are listed too.
async fn table_ids() -> Vec<String> {
    crate::sources::import().await;
    let first = json(&format!("{V2}/tables?pageSize=2"), None).await;
    let total = first["page"]["totalElements"].as_u64().unwrap() as usize;
    let pages = first["page"]["totalPages"].as_u64().unwrap() as usize;
    assert_eq!(pages, total.div_ceil(2).max(1));
    let mut ids = Vec::new();
    for p in 1..=pages {
        let page = json(&format!("{V2}/tables?pageSize=2&pageNumber={p}"), None).await;
        for t in page["tables"].as_array().unwrap() {
            ids.push(t["id"].as_str().unwrap().to_owned());
        }
    }
    assert_eq!(ids.len(), total);
    ids
}

/// The codes of a JSON-stat dimension in index order.
fn codes(ds: &Value, dim: &str) -> Vec<String> {
    let index = ds["dimension"][dim]["category"]["index"]
        .as_object()
        .unwrap();
    let mut v: Vec<(u64, String)> = index
        .iter()
        .map(|(k, i)| (i.as_u64().unwrap(), k.clone()))
        .collect();
    v.sort();
    assert!(
        v.iter().enumerate().all(|(n, (i, _))| n as u64 == *i),
        "{dim}: index 0..n"
    );
    v.into_iter().map(|(_, k)| k).collect()
}

/// Check the JSON-stat 2 structure; the dimension codes in `id` order.
fn check_dataset(ds: &Value) -> Vec<String> {
    assert_eq!(ds["version"], "2.0");
    assert_eq!(ds["class"], "dataset");
    for k in ["label", "source", "updated"] {
        assert!(ds[k].is_string(), "{k}");
    }
    let ids: Vec<String> = ds["id"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect();
    let size: Vec<u64> = ds["size"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_u64().unwrap())
        .collect();
    assert_eq!(ids.len(), size.len());
    for (d, n) in ids.iter().zip(&size) {
        assert_eq!(codes(ds, d).len() as u64, *n, "size of {d}");
        let labels = ds["dimension"][d]["category"]["label"].as_object().unwrap();
        assert_eq!(labels.len() as u64, *n, "labels of {d}");
    }
    if ids.contains(&"Tid".to_owned()) {
        assert_eq!(ds["role"]["time"], json!(["Tid"]));
    }
    if ids.contains(&"ContentsCode".to_owned()) {
        assert_eq!(ds["role"]["metric"], json!(["ContentsCode"]));
        let units = ds["dimension"]["ContentsCode"]["category"]["unit"]
            .as_object()
            .unwrap();
        assert_eq!(
            units.len() as u64,
            size[ids.iter().position(|d| d == "ContentsCode").unwrap()]
        );
        assert!(
            units
                .values()
                .all(|u| u["decimals"].is_u64() && u["base"].is_string())
        );
    }
    if let Some(values) = ds.get("value") {
        let n: u64 = size.iter().product();
        assert_eq!(
            values.as_array().unwrap().len() as u64,
            n,
            "value length = product of size"
        );
        for (i, v) in values.as_array().unwrap().iter().enumerate() {
            assert_eq!(
                v.is_null(),
                ds["status"].get(i.to_string()).is_some(),
                "value {i}: null exactly when it has a status"
            );
        }
    }
    ids
}

#[tokio::test]
async fn pxweb_config_and_table_list_cover_every_indicator_with_paging_search_and_language() {
    let c = json(&format!("{V2}/config"), None).await;
    assert!(c["apiVersion"].as_str().unwrap().starts_with("2."));
    assert!(c["maxDataCells"].as_u64().unwrap() >= 10_000);
    assert_eq!(c["defaultLanguage"], "sv");
    assert_eq!(c["dataFormats"], json!(["json-stat2", "csv"]));

    let ids = table_ids().await;
    let distinct: BTreeSet<&String> = ids.iter().collect();
    assert_eq!(distinct.len(), ids.len(), "pages do not overlap");
    let catalogue = json("/api/v1/indicators", None).await;
    let indicators: BTreeSet<String> = catalogue["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap().to_owned())
        .collect();
    // Track-A tables: one per source indicator of `/api/v1/sources`, named `ext-{source}-{id}`.
    let listed = source_tables().await;
    assert!(!listed.is_empty(), "the imported source is listed");
    for id in listed.keys() {
        assert!(ids.contains(id), "{id} is a PxWeb table");
    }
    for id in ids.iter().filter(|id| !listed.contains_key(*id)) {
        assert!(indicators.contains(id), "{id} is an indicator");
        // A table is listed only when the run has values for it.
        assert!(
            !all_values(id, None, "").await.is_empty(),
            "{id} has values"
        );
    }
    assert!(ids.contains(&ID.to_owned()));

    let sv = json(&format!("{V2}/tables/{ID}"), None).await;
    let en = json(&format!("{V2}/tables/{ID}?lang=en"), None).await;
    assert_eq!(sv["language"], "sv");
    assert_eq!(en["language"], "en");
    assert_eq!(
        sv["label"],
        "Första besök i specialiserad vård inom 90 dagar"
    );
    assert_eq!(en["label"], "First specialist visit within 90 days");
    assert_eq!(sv["timeUnit"], "Monthly");
    assert_eq!(sv["firstPeriod"], "2024-01");
    assert!(
        sv["links"]
            .as_array()
            .unwrap()
            .iter()
            .any(|l| l["rel"] == "data")
    );

    // Every word of the query, without case, in id, title or description.
    let hits = json(
        &format!("{V2}/tables?query=SPECIALISERAD%2090&pageSize=100"),
        None,
    )
    .await;
    let hit_ids: Vec<&str> = hits["tables"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_str().unwrap())
        .collect();
    assert!(hit_ids.contains(&ID), "{hit_ids:?}");
    assert!(hit_ids.len() < ids.len());
    // pxwebpy's search sends Python's spelling of booleans.
    let found = json(
        &format!("{V2}/tables?query=specialiserad&includeDiscontinued=True&pastDays=1"),
        None,
    )
    .await;
    assert!(
        found["tables"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["id"] == ID)
    );
    let none = json(&format!("{V2}/tables?query=finnsintealls"), None).await;
    assert_eq!(none["page"]["totalElements"], 0);

    for bad in [
        "pageSize=0",
        "pageSize=x",
        "pageNumber=0",
        "lang=fr",
        "pastDays=-1",
        "nosuch=1",
    ] {
        assert_problem(
            get(&format!("{V2}/tables?{bad}"), None).await,
            StatusCode::BAD_REQUEST,
        )
        .await;
    }
    let p = assert_problem(
        get(&format!("{V2}/tables/nosuch"), None).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    assert!(p["detail"].as_str().unwrap().contains("nosuch"));
}

#[tokio::test]
async fn pxweb_metadata_is_json_stat_2_with_swedish_and_english_labels() {
    let sv = json(&format!("{V2}/tables/{ID}/metadata"), None).await;
    let en = json(&format!("{V2}/tables/{ID}/metadata?lang=en"), None).await;
    let ids = check_dataset(&sv);
    assert_eq!(ids.first().map(String::as_str), Some("Region"));
    assert_eq!(ids.last().map(String::as_str), Some("Tid"));
    assert!(ids.contains(&"ContentsCode".to_owned()));
    assert!(sv.get("value").is_none(), "metadata has no values");
    let regions = codes(&sv, "Region");
    for r in ["00", "01", "12"] {
        assert!(regions.contains(&r.to_owned()), "{r}");
    }
    assert_eq!(regions[0], "00");
    assert_eq!(sv["role"]["geo"], json!(["Region"]));
    assert_eq!(
        sv["dimension"]["Region"]["category"]["label"]["00"],
        "Riket"
    );
    assert_eq!(
        en["dimension"]["Region"]["category"]["label"]["00"],
        "Sweden"
    );
    assert_eq!(sv["dimension"]["Region"]["extension"]["elimination"], true);
    assert_eq!(sv["dimension"]["Tid"]["extension"]["elimination"], false);
    assert_eq!(
        codes(&sv, "ContentsCode"),
        ["value", "numerator", "denominator", "lower", "upper"]
    );
    assert_eq!(
        sv["dimension"]["ContentsCode"]["category"]["label"]["numerator"],
        "Täljare"
    );
    assert_eq!(
        en["dimension"]["ContentsCode"]["category"]["label"]["numerator"],
        "Numerator"
    );
    assert_eq!(
        sv["dimension"]["Tid"]["category"]["label"]["2024-01"],
        "januari 2024"
    );
    assert_eq!(
        en["dimension"]["Tid"]["category"]["label"]["2024-01"],
        "January 2024"
    );
    // The status legend in both languages.
    let legend = sv["extension"]["status"].as_object().unwrap();
    assert_eq!(legend[":"]["code"], "hidden_small");
    assert_eq!(legend[":"]["sv"], "Dold – för få fall");
    assert_eq!(legend[":"]["en"], "Hidden – too few cases");
    assert!(
        en["note"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n == ": = Hidden – too few cases")
    );
    // Every table's metadata is well-formed.
    for id in table_ids().await {
        check_dataset(&json(&format!("{V2}/tables/{id}/metadata"), None).await);
    }
}

/// The JSON API's public values of a table, by (region, kon, aldersgrupp, period).
async fn public_api(id: &str) -> HashMap<(String, String, String, String), Value> {
    all_values(id, None, "")
        .await
        .into_iter()
        .map(|v| {
            let s = |k: &str| v[k].as_str().unwrap().to_owned();
            ((s("region"), s("kon"), s("aldersgrupp"), s("period")), v)
        })
        .collect()
}

/// Track-A tables: PxWeb table id → the open API path of its values.
async fn source_tables() -> HashMap<String, String> {
    let list = json("/api/v1/sources", None).await;
    let mut out = HashMap::new();
    for s in list["sources"].as_array().unwrap() {
        for i in s["indicators"].as_array().unwrap() {
            out.insert(
                format!(
                    "ext-{}-{}",
                    s["id"].as_str().unwrap(),
                    i["id"].as_str().unwrap()
                ),
                i["links"]["values"].as_str().unwrap().to_owned(),
            );
        }
    }
    out
}

/// A track-A table's cells equal `/api/v1/sources/…/values`: a shown value is the same number, a
/// value hidden by the hub's policy or by the source is `null` with its own symbol.
#[tokio::test]
async fn pxweb_source_tables_equal_the_sources_api_with_the_sources_statuses() {
    let tables = {
        table_ids().await;
        source_tables().await
    };
    let mut symbols = BTreeSet::new();
    let mut compared = 0;
    for (id, path) in &tables {
        let api = json(path, None).await;
        let meta = json(&format!("{V2}/tables/{id}/metadata"), None).await;
        let dims = check_dataset(&meta);
        let selection: Vec<Value> = dims
            .iter()
            .map(|d| json!({"variableCode": d, "valueCodes": ["*"]}))
            .collect();
        let ds = post(
            &format!("{V2}/tables/{id}/data"),
            &json!({"selection": selection}),
            None,
        )
        .await
        .json_value()
        .await;
        assert_eq!(check_dataset(&ds), dims, "{id}");
        let cats: Vec<Vec<String>> = dims.iter().map(|d| codes(&ds, d)).collect();
        let place = |region: &str, kon: &str, content: &str, period: &str| -> usize {
            let mut i = 0;
            for (k, d) in dims.iter().enumerate() {
                let want = match d.as_str() {
                    "Region" => region,
                    "Kon" => kon,
                    "ContentsCode" => content,
                    "Tid" => period,
                    other => panic!("{id}: unexpected dimension {other}"),
                };
                let at = cats[k].iter().position(|c| c == want).unwrap();
                i = i * cats[k].len() + at;
            }
            i
        };
        for v in api["values"].as_array().unwrap() {
            let s = |k: &str| v[k].as_str().unwrap().to_owned();
            let status = s("status");
            for content in ["value", "numerator", "denominator", "lower", "upper"] {
                let i = place(&s("region"), &s("kon"), content, &s("period"));
                let cell = &ds["value"][i];
                let symbol = ds["status"].get(i.to_string()).and_then(Value::as_str);
                if status == "ok" || status == "zero" {
                    if v[content].is_number() {
                        assert!(same(cell.as_f64(), v[content].as_f64()), "{id} {v}");
                        compared += 1;
                    } else {
                        assert!(cell.is_null() && symbol == Some("."), "{id} {content} {v}");
                    }
                } else {
                    assert!(cell.is_null(), "{id} {content}: hidden value leaked: {v}");
                    let expected = match status.as_str() {
                        "hidden_small" => ":",
                        "hidden_secondary" => "::",
                        "source_suppressed" => "x",
                        "source_missing" => "...",
                        "nil" => "-",
                        _ => ".",
                    };
                    assert_eq!(symbol, Some(expected), "{id} {v}");
                    symbols.insert(expected);
                }
            }
        }
    }
    assert!(compared > 0);
    // The developer-made file has a hub-hidden and a source-hidden value at least.
    assert!(
        symbols.contains(":") && symbols.contains("x"),
        "{symbols:?}"
    );
}

#[tokio::test]
async fn pxweb_cells_equal_the_public_api_and_every_hidden_value_is_null_with_its_status() {
    let mut hidden_seen = 0;
    let external = {
        table_ids().await;
        source_tables().await
    };
    for id in table_ids()
        .await
        .into_iter()
        .filter(|id| !external.contains_key(id))
    {
        let api = public_api(&id).await;
        let meta = json(&format!("{V2}/tables/{id}/metadata"), None).await;
        let dims = check_dataset(&meta);
        let periods = codes(&meta, "Tid");
        let mut matched = 0;
        // One period per request keeps every request under the cell cap. A national analyst's
        // token changes nothing: PxWeb serves the public view.
        for (n, period) in periods.iter().enumerate() {
            let token = (n % 2 == 1).then(|| world().token("nat").to_owned());
            let selection: Vec<Value> = dims
                .iter()
                .map(|d| {
                    let codes = if d == "Tid" {
                        json!([period])
                    } else {
                        json!(["*"])
                    };
                    json!({"variableCode": d, "valueCodes": codes})
                })
                .collect();
            let res = post(
                &format!("{V2}/tables/{id}/data"),
                &json!({"selection": selection}),
                token.as_deref(),
            )
            .await;
            assert_eq!(res.status(), StatusCode::OK, "{id} {period}");
            let ds = res.json_value().await;
            assert_eq!(check_dataset(&ds), dims);
            let cats: Vec<Vec<String>> = dims.iter().map(|d| codes(&ds, d)).collect();
            let values = ds["value"].as_array().unwrap();
            let mut at = vec![0usize; dims.len()];
            for (i, v) in values.iter().enumerate() {
                let code = |d: &str, default: &str| -> String {
                    dims.iter()
                        .position(|x| x == d)
                        .map_or(default.to_owned(), |k| cats[k][at[k]].clone())
                };
                let key = (
                    code("Region", "00"),
                    code("Kon", "alla"),
                    code("Alder", "alla"),
                    code("Tid", ""),
                );
                let content = code("ContentsCode", "");
                let status = ds["status"].get(i.to_string()).and_then(Value::as_str);
                match api.get(&key) {
                    None => assert_eq!(status, Some("/"), "{id} {key:?}: not published"),
                    Some(row) => {
                        let public = row["public_status"].as_str().unwrap();
                        let expected = row[content.as_str()].as_f64();
                        if public.starts_with("hidden") {
                            hidden_seen += 1;
                            assert!(v.is_null(), "{id} {key:?} {content}: hidden value leaked");
                            let symbol = if public == "hidden_small" { ":" } else { "::" };
                            assert_eq!(status, Some(symbol), "{id} {key:?}");
                        } else if expected.is_some() {
                            assert!(
                                same(v.as_f64(), expected),
                                "{id} {key:?} {content}: {v} vs {expected:?}"
                            );
                            matched += 1;
                        } else {
                            assert!(v.is_null() && status.is_some(), "{id} {key:?} {content}");
                        }
                    }
                }
                for k in (0..dims.len()).rev() {
                    at[k] += 1;
                    if at[k] < cats[k].len() {
                        break;
                    }
                    at[k] = 0;
                }
            }
        }
        let api_numbers: usize = api
            .values()
            .map(|r| {
                ["value", "numerator", "denominator", "lower", "upper"]
                    .iter()
                    .filter(|c| r[**c].is_number())
                    .count()
            })
            .sum();
        assert_eq!(
            matched, api_numbers,
            "{id}: every published number is in PxWeb"
        );
    }
    eprintln!("hidden cells checked: {hidden_seen}");
    assert!(hidden_seen > 0, "the test hub has hidden cells to check");
}

#[tokio::test]
async fn pxweb_selections_get_and_post_star_top_wildcards_ranges_and_csv() {
    let meta = json(&format!("{V2}/tables/{ID}/metadata"), None).await;
    let periods = codes(&meta, "Tid");
    let last = periods.last().unwrap();
    // GET: two regions, the newest period, every content; Kon and Alder left out (eliminated).
    let q = "valueCodes[Region]=12,01&valueCodes[ContentsCode]=*&valueCodes[Tid]=top(1)";
    let ds = json(&format!("{V2}/tables/{ID}/data?{q}"), None).await;
    assert_eq!(check_dataset(&ds), ["Region", "ContentsCode", "Tid"]);
    assert_eq!(codes(&ds, "Region"), ["01", "12"], "table order");
    assert_eq!(codes(&ds, "Tid"), std::slice::from_ref(last));
    assert_eq!(ds["size"], json!([2, 5, 1]));
    // The same by POST, with codes in another case and the expression in upper case.
    let body = json!({"selection": [
        {"variableCode": "region", "valueCodes": ["01", "12"]},
        {"variableCode": "CONTENTSCODE", "valueCodes": ["*"]},
        {"variableCode": "Tid", "valueCodes": ["TOP(1)"]},
    ]});
    let res = post(&format!("{V2}/tables/{ID}/data"), &body, None).await;
    assert_eq!(res.status(), StatusCode::OK);
    let posted = res.json_value().await;
    assert_eq!(posted["value"], ds["value"]);
    assert_eq!(posted["status"], ds["status"]);
    // Wildcards and ranges.
    let ds = json(&format!("{V2}/tables/{ID}/data?valueCodes[Region]=0?&valueCodes[ContentsCode]=value&valueCodes[Tid]=[range({},{})]", periods[0], periods[1]), None).await;
    let regions = codes(&ds, "Region");
    assert!(
        regions.iter().all(|r| r.len() == 2 && r.starts_with('0'))
            && regions.contains(&"00".to_owned())
    );
    assert_eq!(codes(&ds, "Tid"), periods[..2]);
    // No selection: the default selection (Sweden and the regions, the values, the finest periods).
    let ds = json(&format!("{V2}/tables/{ID}/data"), None).await;
    let ids = check_dataset(&ds);
    assert!(!ids.contains(&"Kon".to_owned()));
    assert_eq!(codes(&ds, "ContentsCode"), ["value"]);
    assert!(codes(&ds, "Region").iter().all(|r| r.len() == 2));
    // Posting /defaultselection back gives the same data.
    let default = json(&format!("{V2}/tables/{ID}/defaultselection"), None).await;
    let kon = default["selection"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["variableCode"] == "Kon");
    assert!(
        kon.is_none_or(|k| k["valueCodes"] == json!([])),
        "Kon eliminated by default"
    );
    let body = json!({"selection": default["selection"]});
    let res = post(&format!("{V2}/tables/{ID}/data"), &body, None).await;
    assert_eq!(res.status(), StatusCode::OK);
    let again = res.json_value().await;
    assert_eq!(
        (&again["id"], &again["value"], &again["status"]),
        (&ds["id"], &ds["value"], &ds["status"])
    );
    // CSV: one row per cell plus the header; the status symbol where there is no value.
    let res = get(
        &format!(
            "{V2}/tables/{ID}/data?{q}&outputFormat=csv&outputFormatParams=SeparatorSemicolon"
        ),
        None,
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(ct(res.headers()).starts_with("text/csv"));
    let text = res.text().await.unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "Region;ContentsCode;Tid;värde");
    assert_eq!(lines.len(), 1 + 2 * 5);
    let jsonstat = json(&format!("{V2}/tables/{ID}/data?{q}"), None).await;
    for (i, line) in lines[1..].iter().enumerate() {
        let cell = line.rsplit(';').next().unwrap();
        match jsonstat["value"][i].as_f64() {
            Some(x) => assert!(same(cell.parse::<f64>().ok(), Some(x)), "{line}"),
            None => assert_eq!(
                cell,
                jsonstat["status"][i.to_string()].as_str().unwrap(),
                "{line}"
            ),
        }
    }
}

#[tokio::test]
async fn pxweb_refusals_are_pxweb_problems_naming_the_variable_and_code() {
    let data = format!("{V2}/tables/{ID}/data");
    let cases = [
        (
            "valueCodes[Nosuch]=1&valueCodes[ContentsCode]=value&valueCodes[Tid]=*",
            "Non-existent variable",
            "Nosuch",
        ),
        (
            "valueCodes[Region]=99&valueCodes[ContentsCode]=value&valueCodes[Tid]=*",
            "Non-existent value",
            "99",
        ),
        (
            "valueCodes[Region]=00&valueCodes[ContentsCode]=value",
            "Missing selection for mandantory variable",
            "Tid",
        ),
        (
            "valueCodes[ContentsCode]=value&valueCodes[Tid]=top(x)",
            "Illegal selection expression",
            "top(x)",
        ),
        (
            "valueCodes[ContentsCode]=value&valueCodes[Tid]=1999*",
            "Non-existent value",
            "1999*",
        ),
        (
            "valueCodes[ContentsCode]=value&valueCodes[Tid]=*&codelist[Region]=agg_x",
            "Non-existent codelist",
            "agg_x",
        ),
        (
            "valueCodes[ContentsCode]=value&valueCodes[Tid]=*&outputFormat=px",
            "Unsupported output format",
            "px",
        ),
        (
            "valueCodes[ContentsCode]=value&valueCodes[Tid]=*&outputFormatParams=UseTexts",
            "Unsupported output format parameter",
            "UseTexts",
        ),
    ];
    for (q, title, named) in cases {
        let p = assert_problem(
            get(&format!("{data}?{q}"), None).await,
            StatusCode::BAD_REQUEST,
        )
        .await;
        assert_eq!(p["title"], title, "{q}");
        assert!(p["detail"].as_str().unwrap().contains(named), "{q}: {p}");
    }
    let res = post(
        &data,
        &json!({"selection": [{"variableCode": "Tid"}]}),
        None,
    )
    .await;
    let p = assert_problem(res, StatusCode::BAD_REQUEST).await;
    assert_eq!(p["title"], "Missing selection for mandantory variable");
    let w = world();
    let res = client()
        .post(format!("{}{data}", w.base))
        .header("content-type", "application/json")
        .body("{")
        .send()
        .await
        .unwrap();
    assert_problem(res, StatusCode::BAD_REQUEST).await;
    assert_problem(
        get(&format!("{V2}/tables/nosuch/data"), None).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    // The cell cap: the whole of the largest table in one request is refused exactly when it
    // has more cells than /config allows.
    let max = json(&format!("{V2}/config"), None).await["maxDataCells"]
        .as_u64()
        .unwrap();
    for id in table_ids().await {
        let meta = json(&format!("{V2}/tables/{id}/metadata"), None).await;
        let cells: u64 = meta["size"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s.as_u64().unwrap())
            .product();
        let all: Vec<String> = meta["id"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| format!("valueCodes[{}]=*", d.as_str().unwrap()))
            .collect();
        let res = get(&format!("{V2}/tables/{id}/data?{}", all.join("&")), None).await;
        eprintln!("{id}: {cells} cells, cap {max}");
        if cells > max {
            let p = assert_problem(res, StatusCode::BAD_REQUEST).await;
            assert_eq!(p["title"], "Too many cells selected");
            assert!(p["detail"].as_str().unwrap().contains(&cells.to_string()));
        } else {
            assert_eq!(res.status(), StatusCode::OK, "{id}: {cells} cells");
        }
    }
}

#[tokio::test]
async fn pxweb_pxwebpy_and_pyjstat_read_every_table() {
    let w = world();
    // The track-A tables exist before the clients list the tables.
    let ids = table_ids().await;
    let out = python::run("pxweb_clients.py", std::slice::from_ref(&w.base)).await;
    let report: Value = serde_json::from_str(out.lines().last().unwrap_or(""))
        .unwrap_or_else(|e| panic!("{e}: {out}"));
    eprintln!("pxweb clients: {report}");
    assert!(report["external_tables"].as_u64().unwrap() > 0, "{report}");
    assert_eq!(
        report["tables"].as_u64().unwrap() as usize,
        ids.len(),
        "{report}"
    );
    assert!(!ids.is_empty());
    assert_eq!(report["failures"], json!([]), "{report}");
    assert!(report["values_compared"].as_u64().unwrap() > 0, "{report}");
}
