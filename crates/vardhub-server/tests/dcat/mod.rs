//! Issue 17 (dcat): the catalogue as HealthDCAT-AP and DCAT-AP-SE, in Turtle, JSON-LD and
//! RDF/XML — every profile × format fetched from the running hub, parsed by rdflib (the three
//! formats must give isomorphic graphs) and validated by pySHACL against the vendored official
//! shapes (`tests/shapes/`), with a required property removed to show the shapes catch it; the
//! negotiation, the IRIs under the request's host, and every open distribution's link served.

use super::support::{client, python, world};
use super::{JsonBody, ct, get};
use reqwest::StatusCode;
use serde_json::Value;
use std::path::Path;
use vardhub_ops::dcat::rdf::{Graph, iri, lang, lit, typed};
use vardhub_ops::dcat::{Format, render, vocab};

const PATH: &str = "/api/v1/catalog/dcat";

async fn fetch(query: &str, accept: Option<&str>) -> reqwest::Response {
    let w = world();
    let mut req = client().get(format!("{}{PATH}{query}", w.base));
    if let Some(a) = accept {
        req = req.header("accept", a);
    }
    req.send().await.unwrap()
}

async fn body(query: &str, media: &str) -> String {
    let res = fetch(query, None).await;
    assert_eq!(res.status(), StatusCode::OK, "{query}");
    assert_eq!(
        ct(res.headers()),
        format!("{media}; charset=utf-8"),
        "{query}"
    );
    res.text().await.unwrap()
}

#[tokio::test]
async fn dcat_every_profile_and_format_passes_the_official_shapes() {
    // A track-A source's tables are datasets of the catalogue too.
    crate::sources::import().await;
    let dir = tempfile::tempdir().unwrap();
    let shapes = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/shapes");
    for profile in ["healthdcat-ap", "dcat-ap-se"] {
        let mut args = vec![profile.to_owned(), shapes.display().to_string()];
        for (format, media) in [
            ("ttl", "text/turtle"),
            ("jsonld", "application/ld+json"),
            ("rdf", "application/rdf+xml"),
        ] {
            let text = body(&format!("?profile={profile}&format={format}"), media).await;
            assert!(
                text.contains("/dcat/dataset/source/socialstyrelsen/"),
                "{profile} {format}: no track-A dataset"
            );
            let file = dir.path().join(format!("{profile}.{format}"));
            std::fs::write(&file, text).unwrap();
            args.push(file.display().to_string());
        }
        let out = python::run("dcat_shacl.py", &args).await;
        let summary: Value =
            serde_json::from_str(out.trim()).unwrap_or_else(|e| panic!("{e}: {out}"));
        eprintln!("{out}");
        let runs = summary["runs"].as_array().unwrap();
        let names: Vec<&str> = runs.iter().map(|r| r["name"].as_str().unwrap()).collect();
        if profile == "healthdcat-ap" {
            // Collections are validated as NON_PUBLIC, indicators and analyses as PUBLIC.
            assert_eq!(names, ["NON_PUBLIC", "PUBLIC"], "{out}");
        } else {
            assert_eq!(names, ["DCAT-AP-SE"], "{out}");
        }
        for r in runs {
            assert_eq!(r["violations"], 0, "{out}");
            assert!(r["datasets"].as_u64().unwrap() >= 4, "{out}");
        }
        // The shapes can fail: each required property removed gave violations on its path.
        let negative = summary["negative"].as_array().unwrap();
        assert_eq!(negative.len(), 2 * runs.len(), "{out}");
        assert!(
            negative
                .iter()
                .all(|n| n["violations"].as_u64().unwrap() > 0),
            "{out}"
        );
    }
}

#[tokio::test]
async fn dcat_negotiates_the_format_and_refuses_what_it_cannot_serve() {
    for (accept, media) in [
        (None, "text/turtle"),
        (Some("*/*"), "text/turtle"),
        (Some("application/ld+json"), "application/ld+json"),
        (
            Some("text/html;q=0.9, application/rdf+xml, application/ld+json;q=0.5"),
            "application/rdf+xml",
        ),
    ] {
        let res = fetch("", accept).await;
        assert_eq!(res.status(), StatusCode::OK, "{accept:?}");
        assert_eq!(
            ct(res.headers()),
            format!("{media}; charset=utf-8"),
            "{accept:?}"
        );
        assert!(
            res.headers()["cache-control"]
                .to_str()
                .unwrap()
                .starts_with("public"),
            "open data"
        );
    }
    // `format` wins over Accept.
    let res = fetch("?format=jsonld", Some("text/turtle")).await;
    assert!(ct(res.headers()).starts_with("application/ld+json"));
    let res = fetch("", Some("application/json")).await;
    assert_eq!(res.status(), StatusCode::NOT_ACCEPTABLE);
    for bad in ["?profile=dcat-ap", "?format=n3", "?profile="] {
        let res = fetch(bad, None).await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{bad}");
        assert!(
            ct(res.headers()).starts_with("application/problem+json"),
            "{bad}"
        );
    }
    // Open: a logged-in user gets the same catalogue.
    let w = world();
    let anonymous = get(&format!("{PATH}?format=ttl"), None)
        .await
        .text()
        .await
        .unwrap();
    let logged_in = get(&format!("{PATH}?format=ttl"), Some(w.token("reg_a")))
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(anonymous, logged_in);
}

#[tokio::test]
async fn dcat_iris_are_under_the_requests_host() {
    let w = world();
    let res = client()
        .get(format!("{}{PATH}?format=ttl", w.base))
        .header("host", "data.example.se")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let text = res.text().await.unwrap();
    assert!(
        text.contains("<http://data.example.se/dcat/catalog>"),
        "{text:.400}"
    );
    assert!(text.contains("<http://data.example.se/api/v1/indicators/"));
    assert!(!text.contains("127.0.0.1"), "no IRI under another host");
    let res = client()
        .get(format!("{}{PATH}", w.base))
        .header("host", "evil.se\">")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
}

/// The JSON-LD graph's nodes by `@id`.
fn nodes(doc: &Value) -> std::collections::HashMap<String, Value> {
    doc["@graph"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| (n["@id"].as_str().unwrap().to_owned(), n.clone()))
        .collect()
}

fn ids(node: &Value, key: &str) -> Vec<String> {
    node[key]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|v| v["@id"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

fn values(node: &Value, key: &str) -> Vec<String> {
    node[key]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|v| v["@value"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn dcat_describes_the_hubs_deliveries_and_links_what_the_server_serves() {
    let w = world();
    let doc: Value = fetch("?format=jsonld", None).await.json_value().await;
    let nodes = nodes(&doc);
    let base = &w.base;
    // The care-contact collection covers exactly the months delivered.
    let kontakter = &nodes[&format!("{base}/dcat/dataset/collection/vardkontakter")];
    let temporal = ids(kontakter, "dct:temporal");
    let period = &nodes[&temporal[0]];
    let first = w.periods.iter().min().unwrap();
    let last = w.periods.iter().max().unwrap();
    assert_eq!(values(period, "dcat:startDate"), [format!("{first}-01")]);
    assert!(values(period, "dcat:endDate")[0].starts_with(last.as_str()));
    let records: u64 = values(kontakter, "healthdcatap:numberOfRecords")[0]
        .parse()
        .unwrap();
    assert!(records > 0);
    assert!(
        ids(kontakter, "healthdcatap:hasCodingSystem")
            .iter()
            .any(|s| s.ends_with("/coding-system/ICD-10-NAT"))
    );
    // Every open distribution's access and download URL is served, anonymously.
    let mut checked = 0;
    for node in nodes.values() {
        let is_dist = node["@type"]
            .as_array()
            .is_some_and(|t| t.iter().any(|t| t == "dcat:Distribution"));
        if !is_dist || node.get("dct:license").is_none() {
            continue;
        }
        for url in ids(node, "dcat:accessURL")
            .into_iter()
            .chain(ids(node, "dcat:downloadURL"))
        {
            let path = url
                .strip_prefix(base.as_str())
                .unwrap_or_else(|| panic!("{url}"));
            let res = get(path, None).await;
            assert_eq!(res.status(), StatusCode::OK, "{url}");
            checked += 1;
        }
    }
    assert!(checked >= 40, "{checked} links");
    // The indicators' JSON-stat distribution is PxWeb's table of the same id.
    let hip = &nodes[&format!("{base}/dcat/dataset/indicator/hoftfraktur_op_24h")];
    let dists = ids(hip, "dcat:distribution");
    assert!(
        dists.iter().any(|d| d.ends_with("/distribution/pxweb")),
        "{dists:?}"
    );
    assert!(
        dists.iter().any(|d| d.ends_with("/distribution/xlsx")),
        "{dists:?}"
    );
}

/// Text no writer may change: quotes, backslashes, line breaks, tabs, markup, Swedish letters.
const TRICKY: &str = "Citat \"så\" här\\ och\nny rad\r\n\tÅÄÖ åäö <&> ]]> '\u{e9}' \u{1F600}";

#[tokio::test]
async fn dcat_writers_escape_what_rdflib_reads_back_unchanged() {
    let mut g = Graph::new();
    let s = iri("http://example.se/dataset/v%C3%A5rd?a=1&b=2#x");
    g.add(&s, vocab::DCT_TITLE, lang(TRICKY, "sv"));
    g.add(&s, vocab::DCT_DESCRIPTION, lit(TRICKY));
    g.add(
        &s,
        vocab::DCT_MODIFIED,
        typed("2024-02-29", vocab::XSD_DATE),
    );
    let b = g.blank();
    g.add(&s, vocab::DCT_PUBLISHER, b.clone());
    g.add(&b, vocab::FOAF_NAME, lit("Region Jämtland Härjedalen"));
    let dir = tempfile::tempdir().unwrap();
    let mut args = Vec::new();
    for format in [Format::Turtle, Format::JsonLd, Format::RdfXml] {
        let file = dir.path().join(format!("g.{}", format.extension()));
        std::fs::write(&file, render(&g, format).unwrap()).unwrap();
        args.push(file.display().to_string());
    }
    let out = python::run("dcat_roundtrip.py", &args).await;
    let v: Value = serde_json::from_str(out.trim()).unwrap_or_else(|e| panic!("{e}: {out}"));
    assert_eq!(v["triples"], 5, "{out}");
    let lits: Vec<Vec<String>> = serde_json::from_value(v["literals"].clone()).unwrap();
    let subject = "http://example.se/dataset/v%C3%A5rd?a=1&b=2#x";
    let dct = "http://purl.org/dc/terms/";
    let title = vec![
        subject.into(),
        format!("{dct}title"),
        TRICKY.into(),
        "sv".into(),
    ];
    let description = vec![
        subject.into(),
        format!("{dct}description"),
        TRICKY.into(),
        String::new(),
    ];
    assert!(lits.contains(&title), "{out}");
    assert!(lits.contains(&description), "{out}");
    assert!(
        lits.iter()
            .any(|l| l[2] == "2024-02-29" && l[3] == vocab::XSD_DATE),
        "{out}"
    );
    assert!(
        lits.iter().any(|l| l[2] == "Region Jämtland Härjedalen"),
        "{out}"
    );
}
