//! Cost over time and before/after on the pages and in the API: every area's public panel and
//! the API carry exactly what `public_all` lets through over the whole run (hidden values as
//! status words, never blank or NaN), the responses match the OpenAPI document, and a logged-in
//! analyst's unsuppressed panel shows the own region's (national analysts: the chosen area's)
//! unsuppressed values and no other region's.
//!
//! At the fixture's scale the mobile team's public estimates are hidden (too few matched
//! patients in Värmland); their shown values are exercised through the national analyst's
//! unsuppressed panel, which is drawn by the same code from the same published shape.

use super::{assert_no_blank_or_nan, fact, json, page, panel, raw, rows, schema};
use crate::support::analysis::{AnalysisWorld, COST, TEAM, TEAM_REGION, analysis_world};
use crate::support::{REGION_A, REGION_B};
use serde_json::Value;
use vardhub_engine::analysis::{
    AnalysisResult, PublicBeforeAfter, PublicCostOverTime, PublicResult,
};
use vardhub_engine::disclosure::Status;

fn cost_of(results: &[PublicResult], region: &str) -> Option<PublicCostOverTime> {
    results.iter().find_map(|r| match r {
        PublicResult::CostOverTime(c) if c.region == region => Some(c.clone()),
        _ => None,
    })
}

fn team_of(results: &[PublicResult], region: &str) -> Option<PublicBeforeAfter> {
    results.iter().find_map(|r| match r {
        PublicResult::BeforeAfter(b) if b.region == region => Some(b.clone()),
        _ => None,
    })
}

/// The unsuppressed result of `region`, in the published shape with everything shown.
fn unsuppressed(w: &AnalysisWorld, id: &str, region: &str) -> AnalysisResult {
    w.results_of(id)
        .into_iter()
        .find(|r| r.region() == region)
        .unwrap()
}

fn count_raw(c: &vardhub_engine::analysis::disclose::PublicCount) -> String {
    c.value.map_or_else(String::new, |v| v.to_string())
}

/// The API response validates against the document and carries `public_all`'s values.
async fn assert_api(w: &AnalysisWorld, id: &str, kind: &str) {
    let doc: Value = json(w, "/api/openapi.json", None).await;
    let expected: Value =
        serde_json::from_str(&serde_json::to_string(&w.public_of(id)).unwrap()).unwrap();
    for token in [None, Some(w.token("reg_a")), Some(w.token("nat"))] {
        let one = json(w, &format!("/api/v1/analyses/{id}"), token).await;
        let schema = &doc["components"]["schemas"]["Analysis"];
        assert_eq!(schema::check(&doc, schema, &one, id), Vec::<String>::new());
        assert_eq!(one["kind"], kind);
        assert_eq!(one["shown"], true);
        assert_eq!(one["results"], expected, "{id}: exactly public_all");
        assert!(!one.to_string().contains(&w.runs[id].run_id));
    }
}

/// The months table of a cost panel shows exactly `c`'s months, hidden ones in words.
fn assert_cost_panel(p: &str, id: &str, c: &PublicCostOverTime) {
    let patients = fact(p, &format!("{id}-patienter"));
    match c.patients.value {
        Some(n) => assert_eq!(patients.replace('\u{a0}', ""), n.to_string(), "{id}"),
        None => assert!(patients.starts_with("Dold – "), "{id}: {patients}"),
    }
    let months = rows(p, &format!("{id}-manader-tabell"));
    assert_eq!(months.len(), c.months.len(), "{id}: one row per month");
    for m in &c.months {
        let row = &months[&m.month.to_string()];
        let what = format!("{id} month {}", m.month);
        assert_eq!(row.data["patients"], count_raw(&m.patients), "{what}");
        assert_eq!(
            row.data["cost"],
            raw(m.values.as_ref().map(|v| v.cost)),
            "{what}"
        );
        if m.month < 0 {
            assert!(row.cells[0].starts_with('−'), "{what}: a real minus sign");
        }
        match &m.values {
            Some(v) => {
                assert!(
                    row.cells[2].contains("\u{a0}kr ("),
                    "{what}: {}",
                    row.cells[2]
                );
                assert_eq!(row.data["lower"], raw(v.lower), "{what}");
            }
            None => assert!(
                row.cells[2].starts_with("Dold") || row.cells[2] == "Inga patienter observerade",
                "{what}: {}",
                row.cells[2]
            ),
        }
        if m.patients.value.is_none() {
            assert!(row.cells[1].starts_with("Dold"), "{what}");
        }
    }
    let after = rows(p, &format!("{id}-efter-tabell"));
    match &c.after {
        Some(a) => assert_eq!(after["medel"].data["value"], raw(Some(a.mean)), "{id}"),
        None => assert!(after.is_empty(), "{id}: no cost after shown"),
    }
}

#[tokio::test]
async fn cost_over_time_pages_and_api_show_exactly_public_all() {
    let w = analysis_world();
    assert_api(w, COST, "cost_over_time").await;
    let public = w.public_of(COST);
    // The test data: Sweden's months are partly shown, partly hidden; regions hidden.
    let sweden = cost_of(&public, "00").unwrap();
    assert!(sweden.months.iter().any(|m| m.values.is_some()));
    assert!(sweden.months.iter().any(|m| m.values.is_none()));
    assert!(public.iter().any(|r| match r {
        PublicResult::CostOverTime(c) => c.patients.value.is_none(),
        _ => false,
    }));
    for r in &public {
        let region = r.region();
        let c = cost_of(&public, region).unwrap();
        let html = page(w, &format!("/analyser/{COST}?region={region}"), None).await;
        assert!(panel(&html, "egen").is_none());
        let p = panel(&html, "allman").unwrap();
        assert!(p.contains(&format!("data-region=\"{region}\"")));
        assert_cost_panel(p, "allman", &c);
        if c.months.is_empty() {
            assert!(p.contains("Resultaten visas inte"), "{region}");
        }
        assert_no_blank_or_nan(&html);
    }
    // Sweden: the chart and its table, the rule at the index, the sentence on the differing
    // number of patients, and the cost after time zero (or why it is not shown).
    let html = page(w, &format!("/analyser/{COST}"), None).await;
    assert!(html.contains("id=\"allman-manader-diagram\""));
    assert!(html.contains("\"label\":\"index\""));
    assert!(html.contains("medan patienten lever"));
    assert!(html.contains("12 månader före till 12 månader efter inskrivningen"));
    assert!(html.contains("Slutenvård (SV)") && html.contains("Primärvård (PV)"));
    assert!(html.contains("id=\"allman-efter\""));
    if sweden.after.is_none() {
        assert!(html.contains("Kostnaden efter indextillfället visas inte"));
    }
    let en = page(w, &format!("/analyser/{COST}?lang=en"), None).await;
    assert!(en.contains("Cost per patient and month"));
    assert!(en.contains("while the patient is alive"));
    assert!(en.contains("Inpatient care (SV)"));
}

#[tokio::test]
async fn a_region_analyst_sees_its_own_months_unsuppressed_and_no_other_regions() {
    let w = analysis_world();
    let public = w.public_of(COST);
    for (user, own, other) in [("reg_a", REGION_A, REGION_B), ("reg_b", REGION_B, REGION_A)] {
        let html = page(
            w,
            &format!("/analyser/{COST}?region={other}"),
            Some(w.token(user)),
        )
        .await;
        // The chosen area's public result, as everyone sees it.
        let p = panel(&html, "allman").unwrap();
        assert_cost_panel(p, "allman", &cost_of(&public, other).unwrap());
        // The own region unsuppressed, every month with patients shown.
        let mine = panel(&html, "egen").expect("own panel");
        assert!(mine.contains(&format!("data-region=\"{own}\"")));
        assert!(!mine.contains(&format!("data-region=\"{other}\"")));
        let AnalysisResult::CostOverTime(r) = unsuppressed(w, COST, own) else {
            panic!("kind")
        };
        assert_eq!(
            fact(mine, "egen-patienter").replace('\u{a0}', ""),
            r.patients.to_string()
        );
        let months = rows(mine, "egen-manader-tabell");
        for m in &r.months {
            let row = &months[&m.month.to_string()];
            assert_eq!(row.data["patients"], m.patients.to_string(), "{user}");
            if m.patients > 0 {
                assert_eq!(row.data["cost"], m.cost.to_string(), "{user}");
            }
        }
        assert_no_blank_or_nan(&html);
    }
}

/// The counts table of a before/after panel shows exactly `b`'s counts, hidden ones in words.
fn assert_team_counts(p: &str, id: &str, b: &PublicBeforeAfter) {
    let counts = rows(p, &format!("{id}-grupper-tabell"));
    for (key, c) in [
        ("berattigade", &b.eligible),
        ("exponerade", &b.exposed),
        ("matchade", &b.matched),
        ("kontroller", &b.controls),
    ] {
        assert_eq!(counts[key].data["patients"], count_raw(c), "{id} {key}");
        if c.value.is_none() {
            assert!(counts[key].cells[1].starts_with("Dold"), "{id} {key}");
        }
    }
}

#[tokio::test]
async fn before_after_pages_and_api_show_exactly_public_all_and_say_why_estimates_are_hidden() {
    let w = analysis_world();
    assert_api(w, TEAM, "before_after").await;
    let public = w.public_of(TEAM);
    for r in &public {
        let region = r.region();
        let b = team_of(&public, region).unwrap();
        let html = page(w, &format!("/analyser/{TEAM}?region={region}"), None).await;
        let p = panel(&html, "allman").unwrap();
        assert!(p.contains(&format!("data-region=\"{region}\"")));
        assert_team_counts(p, "allman", &b);
        assert!(p.contains("grovmatchning (CEM)"), "{region}: the method");
        let effects = rows(p, "allman-effekt-tabell");
        match b.status {
            Status::Ok => {
                assert_eq!(
                    effects["did"].data["estimate"],
                    raw(b.did.map(|d| d.estimate))
                );
                assert!(p.contains("Skillnad-i-skillnader (mot jämförelsegrupp)"));
            }
            Status::Zero => {
                assert!(effects.is_empty());
                assert!(
                    p.contains("Ingen patient i kohorten fick insatsen"),
                    "{region}"
                );
            }
            _ => {
                assert!(effects.is_empty(), "{region}: no estimate shown");
                assert!(p.contains("Skattningarna visas inte"), "{region}");
            }
        }
        assert_no_blank_or_nan(&html);
    }
    // The team is in Värmland only: elsewhere nobody was exposed.
    let team = team_of(&public, TEAM_REGION).unwrap();
    assert_ne!(team.exposed.value, Some(0));
    assert_eq!(
        team_of(&public, REGION_A).unwrap().status,
        Status::Zero,
        "no team in region A"
    );
    let en = page(
        w,
        &format!("/analyser/{TEAM}?region={TEAM_REGION}&lang=en"),
        None,
    )
    .await;
    assert!(en.contains("coarsened exact matching"));
    assert!(en.contains("Patients and matching"));
}

#[tokio::test]
async fn analysts_see_the_mobile_teams_unsuppressed_estimates_only_where_allowed() {
    let w = analysis_world();
    let public = w.public_of(TEAM);
    let AnalysisResult::BeforeAfter(r) = unsuppressed(w, TEAM, TEAM_REGION) else {
        panic!("kind")
    };
    assert!(
        r.matched >= 2,
        "the fixture has matched pairs: {}",
        r.matched
    );
    // A national analyst: the chosen area unsuppressed beside the public result.
    let html = page(
        w,
        &format!("/analyser/{TEAM}?region={TEAM_REGION}"),
        Some(w.token("nat")),
    )
    .await;
    let p = panel(&html, "allman").unwrap();
    assert_team_counts(p, "allman", &team_of(&public, TEAM_REGION).unwrap());
    let mine = panel(&html, "egen").unwrap();
    assert!(mine.contains(&format!("data-region=\"{TEAM_REGION}\"")));
    let counts = rows(mine, "egen-grupper-tabell");
    assert_eq!(counts["matchade"].data["patients"], r.matched.to_string());
    assert_eq!(
        counts["kontroller"].data["patients"],
        r.controls.to_string()
    );
    // Both effects side by side with their intervals, the plain-language reason they differ.
    let effects = rows(mine, "egen-effekt-tabell");
    assert_eq!(
        effects["naiv"].data["estimate"],
        raw(r.naive.map(|e| e.estimate))
    );
    assert_eq!(
        effects["did"].data["estimate"],
        raw(r.did.map(|e| e.estimate))
    );
    assert!(mine.contains("id=\"egen-effekt-diagram\""));
    assert!(mine.contains("regression mot medelvärdet"));
    for (key, e) in [("naiv", r.naive), ("did", r.did)] {
        let e = e.unwrap();
        assert!(
            effects[key].cells[1].contains("\u{a0}kr – "),
            "{key}: an interval: {}",
            effects[key].cells[1]
        );
        if e.estimate < 0.0 {
            assert!(
                effects[key].cells[1].starts_with('−'),
                "{key}: real minus sign"
            );
        }
    }
    // The periods of both groups, with their table.
    let periods = rows(mine, "egen-perioder-tabell");
    assert_eq!(periods.len(), r.periods.len());
    for q in &r.periods {
        let row = &periods[&q.from_day.to_string()];
        assert_eq!(row.data["exposed"], q.exposed.to_string());
        assert_eq!(row.data["comparison"], q.comparison.to_string());
    }
    assert!(mine.contains("id=\"egen-perioder-diagram\""));
    assert!(periods["-90"].cells[0].starts_with("−90"));
    // Group means and balance.
    let means = rows(mine, "egen-medel-tabell");
    assert_eq!(
        means["exponerade"].data["before"],
        raw(r.exposed_group.before.map(|m| m.value))
    );
    let balance = rows(mine, "egen-balans-tabell");
    for b in &r.balance {
        assert_eq!(balance[&b.variable].data["smd"], raw(b.smd));
        assert_eq!(balance[&b.variable].data["exposed"], b.exposed.to_string());
    }
    assert!(balance["kvinnor"].cells[1].ends_with('%'));
    assert_no_blank_or_nan(&html);
    // A region analyst of another region: the own region only, where nobody was exposed; the
    // team's region stays public.
    let html = page(
        w,
        &format!("/analyser/{TEAM}?region={TEAM_REGION}"),
        Some(w.token("reg_a")),
    )
    .await;
    let mine = panel(&html, "egen").unwrap();
    assert!(mine.contains(&format!("data-region=\"{REGION_A}\"")));
    assert!(!mine.contains(&format!("data-region=\"{TEAM_REGION}\"")));
    assert!(mine.contains("Ingen patient i kohorten fick insatsen"));
    assert!(rows(mine, "egen-effekt-tabell").is_empty());
    assert!(!html.contains("id=\"egen-effekt-diagram\""));
}
