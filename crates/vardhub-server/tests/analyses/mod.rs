//! The analysis pages and API against a hub with every built-in analysis stored (see
//! `support::analysis`). Here the care chains: the public JSON and pages carry exactly what
//! `analysis::public_all` lets through over the whole run (the expectation is built with
//! `public_all` itself), a region analyst sees the own region's unsuppressed result and no other
//! region's, logged-out and public users never see an unsuppressed value, unknown analyses are
//! 404, a kind the server does not know is described and listed without failing, and the
//! responses match the OpenAPI document. Cost over time and before/after: [`kinds`].

mod kinds;
pub(crate) mod schema;

use crate::support::analysis::{AMI, ANALYSIS, AnalysisWorld, NOT_SHOWN, analysis_world};
use crate::support::{REGION_A, REGION_B, client};
use reqwest::StatusCode;
use serde_json::Value;
use std::collections::BTreeMap;
use vardhub_engine::analysis::chain::ChainResult;
use vardhub_engine::analysis::disclose::PublicChain;
use vardhub_engine::analysis::{PublicResult, builtin};

pub(crate) async fn get(w: &AnalysisWorld, path: &str, token: Option<&str>) -> reqwest::Response {
    let mut req = client().get(format!("{}{path}", w.base));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    req.send().await.unwrap()
}

pub(crate) async fn page(w: &AnalysisWorld, path: &str, token: Option<&str>) -> String {
    let res = get(w, path, token).await;
    assert_eq!(res.status(), StatusCode::OK, "{path}");
    res.text().await.unwrap()
}

pub(crate) async fn json(w: &AnalysisWorld, path: &str, token: Option<&str>) -> Value {
    let res = get(w, path, token).await;
    assert_eq!(res.status(), StatusCode::OK, "{path}");
    serde_json::from_slice(&res.bytes().await.unwrap()).unwrap()
}

/// What the public may see of analysis `id`, as the API sends it (serialised and read back):
/// the whole run through `public_all`.
fn expected_public(w: &AnalysisWorld, id: &str) -> Value {
    serde_json::from_str(&serde_json::to_string(&w.public_of(id)).unwrap()).unwrap()
}

/// The public care chain of `region` in analysis `id` (from `public_all` over the whole run).
fn chain_of(w: &AnalysisWorld, id: &str, region: &str) -> Option<PublicChain> {
    w.public_of(id).into_iter().find_map(|r| match r {
        PublicResult::CareChain(c) if c.region == region => Some(c),
        _ => None,
    })
}

/// The public hip-fracture chain of `region`.
fn public_of(w: &AnalysisWorld, region: &str) -> Option<PublicChain> {
    chain_of(w, ANALYSIS, region)
}

/// The HTML of panel `id` (`allman`, `egen`), if the page has it.
pub(crate) fn panel<'a>(html: &'a str, id: &str) -> Option<&'a str> {
    let start = html.find(&format!("<section id=\"{id}\" class=\"panel"))?;
    let rest = &html[start + 1..];
    let end = [
        "<section id=\"allman\"",
        "<section id=\"egen\"",
        "id=\"ladda-ner\"",
    ]
    .iter()
    .filter_map(|m| rest.find(m))
    .min()
    .unwrap_or(rest.len());
    Some(&html[start..start + 1 + end])
}

/// A table row of a panel: its `data-` attributes and cell texts.
pub(crate) struct Row {
    pub data: BTreeMap<String, String>,
    pub cells: Vec<String>,
}

/// The rows of table `table` of a panel by key (the first row of each key).
pub(crate) fn rows(panel: &str, table: &str) -> BTreeMap<String, Row> {
    let Some(start) = panel.find(&format!("<table class=\"data\" id=\"{table}\"")) else {
        return BTreeMap::new();
    };
    let body = &panel[start..];
    let body = &body[..body.find("</table>").unwrap()];
    let mut out = BTreeMap::new();
    for tr in body.split("<tr data-key=\"").skip(1) {
        let tr = &tr[..tr.find("</tr>").unwrap()];
        let key = tr[..tr.find('"').unwrap()].to_owned();
        let tag = &tr[..tr.find('>').unwrap()];
        let data = tag
            .split(" data-")
            .skip(1)
            .map(|kv| {
                let (k, v) = kv.split_once("=\"").unwrap();
                (k.to_owned(), v[..v.find('"').unwrap()].to_owned())
            })
            .collect();
        let cells = tr
            .split(['<'])
            .filter_map(|part| {
                let (tag, text) = part.split_once('>')?;
                (tag.starts_with("td") || tag.starts_with("th scope=\"row\""))
                    .then(|| text.to_owned())
            })
            .collect();
        // Only the first row of a key (curves have one row per point).
        out.entry(key).or_insert(Row { data, cells });
    }
    out
}

/// The text of fact `id` of a panel.
pub(crate) fn fact<'a>(panel: &'a str, id: &str) -> &'a str {
    let marker = format!("id=\"{id}\">");
    let at = panel
        .find(&marker)
        .unwrap_or_else(|| panic!("{id} missing"))
        + marker.len();
    &panel[at..at + panel[at..].find("</dd>").unwrap()]
}

/// A float as the page's `data-` attributes carry it (empty: not shown).
pub(crate) fn raw(v: Option<f64>) -> String {
    v.map_or_else(String::new, |x| x.to_string())
}

/// The panel shows exactly `chain`'s values (patients, each step's count and shares), and a
/// value `chain` leaves out is shown as words, never as a number.
pub(crate) fn assert_panel_shows(panel: &str, id: &str, chain: &PublicChain) {
    let patients = fact(panel, &format!("{id}-patienter"));
    match chain.patients.value {
        Some(n) => assert_eq!(patients.replace('\u{a0}', ""), n.to_string(), "{id}"),
        None => assert!(patients.starts_with("Dold – "), "{id}: {patients}"),
    }
    let steps = rows(panel, &format!("{id}-steg-tabell"));
    assert_eq!(steps.len(), chain.steps.len(), "{id}: one row per step");
    for s in &chain.steps {
        let row = &steps[&s.id];
        let what = format!("{id} {}", s.id);
        assert_eq!(
            row.data["reached"],
            s.reached.value.map_or(String::new(), |v| v.to_string()),
            "{what}"
        );
        assert_eq!(row.data["share"], raw(s.share.map(|p| p.share)), "{what}");
        assert_eq!(
            row.data["day30"],
            raw(s.by_day_30.map(|p| p.share)),
            "{what}"
        );
        if s.share.is_none() {
            assert!(row.cells[3].starts_with("Dold"), "{what}: {}", row.cells[3]);
        }
        if s.reached.value.is_none() {
            assert!(row.cells[1].starts_with("Dold"), "{what}");
        }
    }
    let quartiles = rows(panel, &format!("{id}-tider-tabell"));
    for s in &chain.steps {
        let at = |p: f64| s.quantiles.iter().find(|q| q.p == p).map(|q| q.days);
        let row = &quartiles[&s.id];
        assert_eq!(row.data["median"], raw(at(0.5)), "{id} {}", s.id);
        assert_eq!(row.data["q1"], raw(at(0.25)), "{id} {}", s.id);
    }
}

/// No cell is blank and nothing reads NaN or inf.
pub(crate) fn assert_no_blank_or_nan(html: &str) {
    assert!(!html.contains("<td></td>"), "a blank cell");
    assert!(!html.contains("<dd></dd>"), "a blank fact");
    for bad in ["NaN", "inf<", ">inf", "undefined"] {
        assert!(!html.contains(bad), "{bad} in the page");
    }
}

#[tokio::test]
async fn the_api_serves_exactly_the_public_form_for_every_caller() {
    let w = analysis_world();
    let doc: Value = json(w, "/api/openapi.json", None).await;
    let expected = expected_public(w, ANALYSIS);
    assert!(expected.as_array().unwrap().len() > 2);
    for token in [
        None,
        Some(w.token("pub")),
        Some(w.token("reg_a")),
        Some(w.token("nat")),
    ] {
        let list = json(w, "/api/v1/analyses", token).await;
        let schema = &doc["paths"]["/api/v1/analyses"]["get"]["responses"]["200"]["content"]["application/json"]
            ["schema"];
        assert_eq!(
            schema::check(&doc, schema, &list, "list"),
            Vec::<String>::new()
        );
        let items = list["analyses"].as_array().unwrap();
        let mine = items.iter().find(|a| a["id"] == ANALYSIS).unwrap();
        assert!(mine["computed_at"].is_string());
        assert_eq!(mine["links"]["page"], format!("/analyser/{ANALYSIS}"));
        assert!(
            items
                .iter()
                .any(|a| a["id"] == NOT_SHOWN && a["kind"] == "survival")
        );
        // Every built-in analysis is listed, computed.
        for id in builtin().keys() {
            let a = items.iter().find(|a| a["id"] == id.as_str()).unwrap();
            assert!(a["computed_at"].is_string(), "{id}");
        }

        let one = json(w, &format!("/api/v1/analyses/{ANALYSIS}"), token).await;
        let schema = &doc["components"]["schemas"]["Analysis"];
        assert_eq!(
            schema::check(&doc, schema, &one, "analysis"),
            Vec::<String>::new()
        );
        assert_eq!(one["kind"], "care_chain");
        assert_eq!(one["shown"], true);
        assert_eq!(one["linkage"], "region");
        // Exactly what `public_all` lets through over the whole run, for every caller: a region
        // analyst's own unsuppressed values are not in the API.
        assert_eq!(one["results"], expected);
        assert!(one["results"][0]["kind"] == "care_chain");
        assert!(
            !one.to_string().contains(&w.run_id),
            "the run id is not shown"
        );
    }
    // The test data has hidden values, and shown ones.
    let results = w.results();
    let publics: Vec<PublicChain> = results
        .iter()
        .map(|r| public_of(w, &r.region).unwrap())
        .collect();
    assert!(
        publics[0].patients.value.is_some(),
        "Sweden's cohort is shown"
    );
    assert!(publics.iter().any(|p| p.patients.value.is_none()));
    assert!(publics[0].steps.iter().any(|s| s.share.is_some()));
    assert!(
        publics
            .iter()
            .flat_map(|p| &p.steps)
            .any(|s| s.share.is_none())
    );

    // Unknown: 404 problem.
    for id in ["finns_inte"] {
        let res = get(w, &format!("/api/v1/analyses/{id}"), None).await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "{id}");
        assert_eq!(
            res.headers()["content-type"].to_str().unwrap(),
            "application/problem+json"
        );
        let res = get(w, &format!("/analyser/{id}"), None).await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "{id}");
        assert!(res.text().await.unwrap().contains("<html lang=\"sv\">"));
    }
    // A kind the server does not know: described, no results.
    let other = json(w, &format!("/api/v1/analyses/{NOT_SHOWN}"), None).await;
    assert_eq!(other["shown"], false);
    assert_eq!(other["results"], Value::Array(Vec::new()));
}

#[tokio::test]
async fn the_public_page_shows_what_public_lets_through_and_says_why_the_rest_is_hidden() {
    let w = analysis_world();
    let results = w.results();
    let hidden_region = results
        .iter()
        .find(|r| r.region != "00" && public_of(w, &r.region).unwrap().patients.value.is_none())
        .map(|r| r.region.clone())
        .expect("a region with too few patients");
    let list = page(w, "/analyser", None).await;
    assert!(list.contains(&format!("href=\"/analyser/{ANALYSIS}\"")));
    assert!(list.contains("Vårdkedjan efter höftfraktur"));
    assert!(list.contains(NOT_SHOWN));
    for token in [None, Some(w.token("pub"))] {
        for region in ["00", REGION_A, REGION_B, hidden_region.as_str()] {
            let html = page(w, &format!("/analyser/{ANALYSIS}?region={region}"), token).await;
            assert!(html.contains("<html lang=\"sv\">"));
            assert!(html.contains("id=\"berakningsdatum\""));
            assert!(!html.contains(&w.run_id), "a date, not a run id");
            assert!(
                html.contains("länkas bara inom den region"),
                "linkage in words"
            );
            assert!(panel(&html, "egen").is_none(), "no unsuppressed panel");
            assert!(!html.contains("ej röjandekontrollerad"));
            let p = panel(&html, "allman").unwrap();
            assert!(p.contains(&format!("data-region=\"{region}\"")));
            assert_panel_shows(p, "allman", &public_of(w, region).unwrap());
            assert_no_blank_or_nan(&html);
        }
    }
    // The door is the whole run's: a region whose count its own result alone would show, but
    // which Sweden minus the other regions would give away, is hidden, and says why.
    let policy = vardhub_engine::disclosure::DisclosurePolicy::default_public();
    let secondary = results
        .iter()
        .find(|r| {
            vardhub_engine::analysis::public(r, &policy)
                .patients
                .value
                .is_some()
                && public_of(w, &r.region).unwrap().patients.value.is_none()
        })
        .expect("a region hidden only beside the others");
    let html = page(
        w,
        &format!("/analyser/{ANALYSIS}?region={}", secondary.region),
        None,
    )
    .await;
    let p = panel(&html, "allman").unwrap();
    assert_eq!(
        fact(p, "allman-patienter"),
        "Dold – annars kunde dolda värden räknas fram"
    );
    assert!(!p.contains("allman-steg-tabell"));
    // Sweden: every section, each chart followed by its table.
    let html = page(w, &format!("/analyser/{ANALYSIS}"), None).await;
    for section in ["steg", "kurvor", "tider", "vagar", "kostnad"] {
        assert!(
            html.contains(&format!("id=\"allman-{section}\"")),
            "{section}"
        );
    }
    for chart in html.split("data-chart-for=\"").skip(1) {
        let id = &chart[..chart.find('"').unwrap()];
        let table = id.replace("-diagram", "-tabell");
        let after = &html[html.find(&format!("id=\"{id}\"")).unwrap()..];
        let table_at = after.find(&format!("id=\"{table}\"")).expect(id);
        assert!(
            !after[..table_at].contains("class=\"figure\""),
            "{id}: its table follows it in the same section"
        );
    }
    // Swedish formats: a count of Sweden's patients, kronor and per cent with non-breaking spaces.
    let sweden = public_of(w, "00").unwrap();
    assert!(html.contains("\u{a0}%<"), "per cent");
    if let Some(c) = sweden.cost {
        assert!(html.contains("\u{a0}kr<"), "kronor");
        assert!(c.total > 0.0);
    }
    // English.
    let en = page(w, &format!("/analyser/{ANALYSIS}?lang=en"), None).await;
    assert!(en.contains("<html lang=\"en\">"));
    assert!(en.contains("The care chain after a hip fracture"));
    assert!(en.contains("Share reaching each step"));
    // A kind the server does not know.
    let other = page(w, &format!("/analyser/{NOT_SHOWN}"), None).await;
    assert!(other.contains("id=\"visas-inte\""));
}

#[tokio::test]
async fn a_region_analyst_sees_its_own_unsuppressed_result_and_no_other_regions() {
    let w = analysis_world();
    let own = |r: &str| w.result(r).unwrap();
    let (a, b) = (own(REGION_A), own(REGION_B));
    // The test data: something of A's and B's is hidden from the public.
    let hidden = |c: &ChainResult| {
        let p = public_of(w, &c.region).unwrap();
        p.steps.iter().any(|s| s.share.is_none()) || p.patients.value.is_none()
    };
    assert!(hidden(&a) && hidden(&b));
    for (user, mine, other) in [("reg_a", &a, &b), ("reg_b", &b, &a)] {
        for chosen in ["00", REGION_A, REGION_B] {
            let html = page(
                w,
                &format!("/analyser/{ANALYSIS}?region={chosen}"),
                Some(w.token(user)),
            )
            .await;
            // The public result of the chosen area, as everyone sees it.
            let public_panel = panel(&html, "allman").unwrap();
            assert_panel_shows(public_panel, "allman", &public_of(w, chosen).unwrap());
            // The own region, unsuppressed, labelled.
            let own_panel = panel(&html, "egen").expect("the own panel");
            assert!(own_panel.contains("Din region (ej röjandekontrollerad, endast för dig)"));
            assert!(own_panel.contains(&format!("data-region=\"{}\"", mine.region)));
            let steps = rows(own_panel, "egen-steg-tabell");
            for s in &mine.steps {
                assert_eq!(
                    steps[&s.id].data["share"],
                    s.share.share.to_string(),
                    "{user}"
                );
                assert_eq!(steps[&s.id].data["reached"], s.reached.to_string());
            }
            assert_eq!(
                fact(own_panel, "egen-patienter").replace('\u{a0}', ""),
                mine.patients.to_string()
            );
            // Never the other region's unsuppressed result, nor Sweden's.
            assert!(!html.contains(&format!(
                "class=\"panel own\" aria-labelledby=\"egen-rubrik\" data-region=\"{}\"",
                other.region
            )));
            assert!(!own_panel.contains("data-region=\"00\""));
            if chosen == other.region {
                // The other region's hidden shares stay hidden (their rows say why).
                let p = public_of(w, &other.region).unwrap();
                let shown = rows(public_panel, "allman-steg-tabell");
                for s in p.steps.iter().filter(|s| s.share.is_none()) {
                    assert_eq!(shown[&s.id].data["share"], "", "{user}: {}", s.id);
                    assert!(
                        shown[&s.id].cells[3].starts_with("Dold"),
                        "{user}: {}",
                        s.id
                    );
                }
                assert!(p.steps.iter().any(|s| s.share.is_none()) || p.patients.value.is_none());
            }
        }
    }
    // National analysts see the chosen area unsuppressed.
    let html = page(
        w,
        &format!("/analyser/{ANALYSIS}?region={REGION_B}"),
        Some(w.token("nat")),
    )
    .await;
    let own_panel = panel(&html, "egen").unwrap();
    assert!(own_panel.contains(&format!("data-region=\"{REGION_B}\"")));
    let steps = rows(own_panel, "egen-steg-tabell");
    for s in &b.steps {
        assert_eq!(steps[&s.id].data["share"], s.share.share.to_string());
    }
    // Every unsuppressed access is audited, with the region; the public's never.
    let hub = crate::support::open_hub(&w.data).await;
    let entries = hub.audit_entries().await.unwrap();
    let unsuppressed: Vec<_> = entries
        .iter()
        .filter(|e| e.action == "analysis.unsuppressed")
        .collect();
    assert!(unsuppressed.iter().any(|e| e.actor == "reg_a"
        && e.details.contains(&format!("region={REGION_A} "))
        && e.object == w.run_id));
    assert!(
        unsuppressed
            .iter()
            .filter(|e| e.actor == "reg_a")
            .all(|e| e.details.contains(&format!("region={REGION_A} ")))
    );
    assert!(
        unsuppressed
            .iter()
            .filter(|e| e.actor == "reg_b")
            .all(|e| e.details.contains(&format!("region={REGION_B} ")))
    );
    assert!(unsuppressed.iter().any(|e| e.actor == "nat"));
    assert!(
        unsuppressed
            .iter()
            .all(|e| !["pub", "anonymous"].contains(&e.actor.as_str()))
    );
    // (The chain's integrity is checked where nothing else appends meanwhile: other tests of
    // this server append while this one reads.)
    hub.close().await;
}

#[tokio::test]
async fn the_infarction_chain_counts_from_discharge_and_every_area_shows_public_all() {
    let w = analysis_world();
    let doc: Value = json(w, "/api/openapi.json", None).await;
    let one = json(w, &format!("/api/v1/analyses/{AMI}"), None).await;
    let schema = &doc["components"]["schemas"]["Analysis"];
    assert_eq!(
        schema::check(&doc, schema, &one, "analysis"),
        Vec::<String>::new()
    );
    assert_eq!(one["time_zero"], "discharge");
    assert_eq!(one["horizon_days"], 30);
    assert_eq!(one["results"], expected_public(w, AMI));
    let sweden = chain_of(w, AMI, "00").unwrap();
    assert!(
        sweden.steps.iter().any(|s| s.share.is_some()),
        "shown values"
    );
    for r in w.public_of(AMI) {
        let region = r.region().to_owned();
        let html = page(w, &format!("/analyser/{AMI}?region={region}"), None).await;
        // Times and "day 30" count from discharge, and the page says so.
        assert!(html.contains("30 dagar från utskrivningen"), "{region}");
        let p = panel(&html, "allman").unwrap();
        assert!(p.contains(&format!("data-region=\"{region}\"")));
        assert_panel_shows(p, "allman", &chain_of(w, AMI, &region).unwrap());
        if chain_of(w, AMI, &region).unwrap().steps.is_empty() {
            assert!(p.contains("class=\"notice\""), "{region}: why in words");
        } else {
            assert!(
                p.contains("Dag 30 från utskrivningen (95 % KI)"),
                "{region}"
            );
            assert!(p.contains("Tiden räknas från utskrivningen."), "{region}");
            assert!(p.contains("Dagar från utskrivningen"), "{region}");
        }
        assert_no_blank_or_nan(&html);
    }
    // The hip fracture counts from admission: no "from discharge" there.
    let html = page(w, &format!("/analyser/{ANALYSIS}"), None).await;
    assert!(html.contains("från inskrivningen"));
    assert!(!html.contains("från utskrivningen"));
    let en = page(w, &format!("/analyser/{AMI}?lang=en"), None).await;
    assert!(en.contains("Day 30 from discharge (95 % CI)"));
}
