//! The public transparency list of research projects: a project added and a release made with the
//! library operations (as the CLI does) appear on `/forskning` and in
//! `/api/v1/research/projects` with their ethics approval, approved variables and the release's
//! checksums — and without the principal investigator's name.

use crate::analyses::schema;
use crate::json;
use crate::support::{REGION_A, client, open_hub, pseudonymiser, world};
use reqwest::StatusCode;
use sha2::{Digest, Sha256};
use vardhub_engine::definitions::Definitions;
use vardhub_ops::research::{ReleaseRequest, add_project, build_release};

const PI: &str = "Ingrid Forskarsson";

fn project_file() -> String {
    format!(
        r#"id = "transparens-test"
title = "Vårdtider efter höftfraktur"
principal_investigator = "{PI}"
organisation = "Testuniversitetet"
purpose = "Att beskriva vårdtider."
legal_basis = "gdpr-6-1-e-9-2-j"
date_coarsening = "month"
retention_end = "2035-12-31"

[ethics]
dnr = "2025-04321-01"
valid_from = "2025-01-01"
valid_to = "2030-12-31"

[population]
regions = ["{REGION_A}"]
from = "2024-01"
to = "2024-03"

[[selection]]
collection = "vardkontakter"
table = "kontakter"
variables = ["kontakt_id", "patient_id", "kon", "vardform", "inskrivningsdatum", "utskrivningsdatum"]
"#
    )
}

#[tokio::test]
async fn the_transparency_page_lists_approved_projects_and_releases_without_names() {
    let w = world();
    let hub = open_hub(&w.data).await;
    let defs = Definitions::builtin();
    add_project(&hub, defs.specs(), &project_file(), "centre")
        .await
        .unwrap();
    let out = tempfile::tempdir().unwrap();
    let today = chrono::NaiveDate::from_ymd_opt(2026, 6, 1).unwrap();
    let release = build_release(
        &hub,
        defs.specs(),
        &pseudonymiser(),
        &ReleaseRequest {
            project: "transparens-test",
            variables: None,
            out_dir: out.path(),
            today,
            actor: "centre",
        },
    )
    .await
    .unwrap();

    let doc = json("/api/openapi.json", None).await;
    let v = json("/api/v1/research/projects", None).await;
    let schema = &doc["paths"]["/api/v1/research/projects"]["get"]["responses"]["200"]["content"]["application/json"]
        ["schema"];
    let problems = schema::check(&doc, schema, &v, "$");
    assert!(problems.is_empty(), "{problems:?}");
    let p = v["projects"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == "transparens-test")
        .expect("the project is listed");
    assert_eq!(p["ethics_dnr"], "2025-04321-01");
    let files = p["releases"][0]["files"].as_array().unwrap();
    assert!(!files.is_empty());
    // The listed checksums are those of the files delivered.
    for f in files {
        let path = release.folder.join(f["name"].as_str().unwrap());
        let digest = hex::encode(Sha256::digest(std::fs::read(&path).unwrap()));
        assert_eq!(f["sha256"], digest.as_str(), "{path:?}");
    }
    assert!(!v.to_string().contains(PI));

    let res = client()
        .get(format!("{}/forskning", w.base))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let html = res.text().await.unwrap();
    assert!(html.contains("Vårdtider efter höftfraktur") && html.contains("2025-04321-01"));
    assert!(html.contains(files[0]["sha256"].as_str().unwrap()));
    assert!(
        !html.contains(PI),
        "the principal investigator's name is on the page"
    );
}
