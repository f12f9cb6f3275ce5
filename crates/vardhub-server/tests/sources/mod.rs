//! Track A over HTTP: a developer-made Windows-1252 file with the quirks sources publish
//! (decimal comma, non-breaking spaces, mixed periods, Riket and region names, suppression
//! markers) is imported into the test hub and read back through the API (JSON, checked against
//! the OpenAPI document, and CSV) and the pages in Swedish and English: values equal to the
//! file's numbers, Riket → `00`, region names → codes, suppressed values hidden with a status.

use crate::analyses::schema;
use crate::support::{client, open_hub, world};
use reqwest::StatusCode;
use serde_json::Value;
use vardhub_ingest::external::ReadOptions;

async fn body(res: reqwest::Response) -> Value {
    serde_json::from_slice(&res.bytes().await.unwrap()).unwrap()
}

async fn json(path: &str) -> Value {
    let res = client()
        .get(format!("{}{path}", world().base))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK, "{path}");
    body(res).await
}

/// A JSON response with `status`, checked against the document's schema of `path` `method`.
async fn valid(
    res: reqwest::Response,
    doc: &Value,
    path: &str,
    method: &str,
    status: StatusCode,
) -> Value {
    assert_eq!(res.status(), status, "{method} {path}");
    let v = body(res).await;
    let s = &doc["paths"][path][method]["responses"][status.as_str()]["content"]["application/json"]
        ["schema"];
    assert!(s.is_object(), "{method} {path} {status} not documented");
    assert_eq!(schema::check(doc, s, &v, path), Vec::<String>::new(), "{v}");
    v
}

/// An RFC 9457 problem with `status`.
async fn assert_problem(res: reqwest::Response, status: StatusCode) {
    assert_eq!(res.status(), status);
    let ct = res.headers()["content-type"].to_str().unwrap().to_owned();
    assert_eq!(ct, "application/problem+json");
    let p = body(res).await;
    assert_eq!(p["status"], status.as_u16());
}

const QUIRKY: &[u8] = include_bytes!("../../../vardhub-ingest/tests/data/external/quirky.csv");
const STROKE: &str = "andel-som-lever-30-dagar-efter-stroke";
const VALUES: &str = "/api/v1/sources/{source}/indicators/{id}/values";

/// Import the quirky file into the shared test hub, once per test binary (the DCAT and PxWeb
/// tests list the sources' tables too).
pub(crate) async fn import() {
    static ONCE: tokio::sync::OnceCell<()> = tokio::sync::OnceCell::const_new();
    ONCE.get_or_init(import_quirky).await;
}

async fn import_quirky() {
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
    assert_eq!(
        report.rows_valid,
        15,
        "{}",
        report.summary(vardhub_ingest::Lang::En)
    );
}

async fn text(path: &str) -> (StatusCode, String, String) {
    let res = client()
        .get(format!("{}{path}", world().base))
        .send()
        .await
        .unwrap();
    let ct = res
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (res.status(), ct, res.text().await.unwrap())
}

/// The cell of `region`, `period`, `kon`.
fn cell<'a>(values: &'a [Value], region: &str, period: &str, kon: &str) -> &'a Value {
    values
        .iter()
        .find(|v| v["region"] == region && v["period"] == period && v["kon"] == kon)
        .unwrap_or_else(|| panic!("no cell {region} {period} {kon}"))
}

#[tokio::test]
async fn an_imported_quirky_file_is_served_marked_with_its_source() {
    import().await;
    let doc = json("/api/openapi.json").await;

    let list = valid(
        client()
            .get(format!("{}/api/v1/sources", world().base))
            .send()
            .await
            .unwrap(),
        &doc,
        "/api/v1/sources",
        "get",
        StatusCode::OK,
    )
    .await;
    let sos = list["sources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == "socialstyrelsen")
        .unwrap();
    assert_eq!(sos["url"], "https://sdb.socialstyrelsen.se/");
    let stroke = sos["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == STROKE)
        .unwrap();
    assert_eq!(stroke["rows"], 13);
    assert_eq!(
        stroke["links"]["page"],
        format!("/kallor/socialstyrelsen/{STROKE}")
    );

    let path = format!("/api/v1/sources/socialstyrelsen/indicators/{STROKE}/values");
    let res = client()
        .get(format!("{}{path}", world().base))
        .send()
        .await
        .unwrap();
    let body = valid(res, &doc, VALUES, "get", StatusCode::OK).await;
    assert_eq!(body["source"]["id"], "socialstyrelsen");
    assert_eq!(body["name"], "Andel som lever 30 dagar efter stroke");
    assert_eq!(body["policy"]["id"], "vardhub-public");
    let values = body["values"].as_array().unwrap();
    assert_eq!(values.len(), 13);
    // Every value object has exactly the documented members, and names its source.
    let props = doc["components"]["schemas"]["SourceValue"]["properties"]
        .as_object()
        .unwrap();
    for v in values {
        let keys: Vec<&String> = v.as_object().unwrap().keys().collect();
        assert_eq!(keys, props.keys().collect::<Vec<_>>());
        assert_eq!(v["source"], "socialstyrelsen");
    }
    // Riket → 00, decimal comma and non-breaking spaces read, the interval from one KI cell.
    let riket = cell(values, "00", "2018", "alla");
    assert_eq!(riket["status"], "ok");
    assert_eq!(riket["region_name"], "Riket");
    assert_eq!(riket["value"], 85.3);
    assert_eq!(riket["numerator"], 21950);
    assert_eq!(riket["denominator"], 25732);
    assert_eq!(
        (&riket["lower"], &riket["upper"]),
        (&Value::from(84.9), &Value::from(85.7))
    );
    assert_eq!(riket["disclosure_checked"], true);
    // Region names → codes, span, quarter and month periods.
    assert_eq!(cell(values, "01", "2017-2018", "2")["value"], 86.1);
    assert_eq!(cell(values, "14", "2018-K1", "1")["value"], 84.0);
    assert_eq!(cell(values, "14", "2018-K1", "1")["numerator"], 1234);
    // The source hid it: hidden, and says so.
    let hid = cell(values, "23", "2018-01", "1");
    assert_eq!(hid["status"], "source_suppressed");
    assert_eq!(hid["value"], Value::Null);
    assert_eq!(
        hid["status_text"]["sv"],
        "Dold av källan (för få fall eller sekretess)"
    );
    assert_eq!(
        cell(values, "23", "2018-01", "2")["status"],
        "source_missing"
    );
    assert_eq!(
        cell(values, "10", "2018", "alla")["status"],
        "source_suppressed"
    );
    assert_eq!(cell(values, "10", "2018", "alla")["value"], Value::Null);
    // 3 of 3: shown by the source, hidden by the hub's count rule.
    let small = cell(values, "01", "2018", "alla");
    assert_eq!(small["status"], "hidden_small");
    for k in ["value", "numerator", "denominator", "lower", "upper"] {
        assert_eq!(small[k], Value::Null, "{k}");
    }

    // CSV: Swedish, decimal comma, codes as text.
    let (status, ct, csv) = text(&format!("{path}?format=csv")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(ct, "text/csv; charset=utf-8");
    assert!(csv.starts_with("\u{feff}source;indicator;region;region_name;period;"));
    let line = format!(
        "\"socialstyrelsen\";\"{STROKE}\";\"00\";\"Riket\";\"2018\";\"year\";\"alla\";\"ok\";\"Uppgiften redovisas\";85,3;21950;25732;84,9;85,7;;true\r\n"
    );
    assert!(csv.contains(&line), "{csv}");
    assert!(csv.contains(
        "\"01\";\"Region Stockholm\";\"2018\";\"year\";\"alla\";\"hidden_small\";\"Dold av hubben – för få fall\";;;;;;;true"
    ), "{csv}");
    let (_, _, rfc) = text(&format!("{path}?format=csv-rfc4180")).await;
    assert!(
        rfc.contains(",85.3,21950,25732,84.9,85.7,,true\r\n"),
        "{rfc}"
    );

    // Unknown source, unknown indicator, unknown format.
    let get = |p: String| async move {
        client()
            .get(format!("{}{p}", world().base))
            .send()
            .await
            .unwrap()
    };
    assert_problem(
        get(format!(
            "/api/v1/sources/vardguiden/indicators/{STROKE}/values"
        ))
        .await,
        StatusCode::NOT_FOUND,
    )
    .await;
    assert_problem(
        get("/api/v1/sources/socialstyrelsen/indicators/finns-inte/values".into()).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    assert_problem(
        get(format!("{path}?format=xml")).await,
        StatusCode::BAD_REQUEST,
    )
    .await;
}

#[tokio::test]
async fn the_pages_show_the_values_with_their_source_in_swedish_and_english() {
    import().await;
    let page = format!("/kallor/socialstyrelsen/{STROKE}");
    let (status, ct, sv) = text(&page).await;
    assert_eq!(status, StatusCode::OK);
    assert!(ct.starts_with("text/html"));
    for want in [
        "<html lang=\"sv\">",
        ">Andel som lever 30 dagar efter stroke (källa: Socialstyrelsens statistikdatabas)</caption>",
        "<a href=\"https://sdb.socialstyrelsen.se/\" rel=\"external\">Socialstyrelsens statistikdatabas</a>",
        "<th scope=\"row\">Riket</th><td>2018</td><td>Båda könen</td><td class=\"num\">85,3</td><td class=\"num\">21\u{a0}950</td><td class=\"num\">25\u{a0}732</td><td class=\"num\">84,9–85,7</td><td data-status=\"ok\">Uppgiften redovisas</td>",
        "<th scope=\"row\">Västra Götalandsregionen</th><td>2018 kv 1</td><td>Män</td><td class=\"num\">84</td>",
        "<td data-status=\"source_suppressed\">Dold av källan (för få fall eller sekretess)</td>",
        "<td data-status=\"hidden_small\">Dold av hubben – för få fall</td>",
        "<dt><code>source_missing</code></dt><dd>Uppgift saknas hos källan</dd>",
    ] {
        assert!(sv.contains(want), "missing {want}");
    }
    let (_, _, en) = text(&format!("{page}?lang=en")).await;
    for want in [
        "<html lang=\"en\">",
        "<th scope=\"row\">Sweden</th><td>2018</td><td>Both sexes</td><td class=\"num\">85.3</td><td class=\"num\">21,950</td>",
        "<td data-status=\"source_suppressed\">Hidden by the source (too few or confidential)</td>",
        "<td>2018 Q1</td>",
    ] {
        assert!(en.contains(want), "missing {want}");
    }
    let (status, _, list) = text("/kallor").await;
    assert_eq!(status, StatusCode::OK);
    assert!(list.contains(&format!("<a href=\"/kallor/socialstyrelsen/{STROKE}\">Andel som lever 30 dagar efter stroke</a> (13 rader)")));
    let (status, _, _) = text("/kallor/socialstyrelsen/finns-inte").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}
