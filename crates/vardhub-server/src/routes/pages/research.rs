//! Forskning / the public transparency page: every approved research project with its ethics
//! approval, legal basis, purpose, approved variables and population, and the releases made to
//! it (date, data versions, files with rows and checksums). The same list as
//! `/api/v1/research/projects`; no person's name.

use super::{Base, render};
use crate::auth::Caller;
use crate::i18n::{Lang, grouped};
use crate::problem::Problem;
use crate::state::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::Uri;
use axum::response::{IntoResponse, Response};
use vardhub_domain::research::Regions;
use vardhub_store::research::PublicProject;

struct ReleaseRow {
    id: String,
    date: String,
    versions: String,
    files: Vec<(String, String, String)>,
}

struct ProjectView {
    id: String,
    title: String,
    organisation: String,
    dnr: String,
    valid: String,
    legal_basis: String,
    purpose: String,
    population: String,
    coarsening: String,
    retention_end: String,
    selection: Vec<(String, String)>,
    releases: Vec<ReleaseRow>,
}

fn view(p: &PublicProject, t: Lang) -> ProjectView {
    let regions = match &p.regions {
        Regions::All => t.pick("alla regioner", "all regions").to_owned(),
        Regions::Only(set) => set.iter().map(|r| r.name()).collect::<Vec<_>>().join(", "),
    };
    let age = p.age.map_or(String::new(), |a| {
        format!(
            ", {} {}–{} {}",
            t.pick("ålder", "age"),
            a.min,
            a.max,
            t.pick("år", "years")
        )
    });
    ProjectView {
        id: p.id.to_string(),
        title: p.title.clone(),
        organisation: p.organisation.clone(),
        dnr: p.ethics_dnr.clone(),
        valid: format!("{} – {}", p.valid_from, p.valid_to),
        legal_basis: t
            .pick(p.legal_basis.label_sv(), p.legal_basis.label_en())
            .to_owned(),
        purpose: p.purpose.clone(),
        population: format!("{regions}; {} – {}{age}", p.from, p.to),
        coarsening: t
            .pick(p.date_coarsening.label_sv(), p.date_coarsening.label_en())
            .to_owned(),
        retention_end: p.retention_end.to_string(),
        selection: p
            .selection
            .iter()
            .map(|s| {
                (
                    format!("{}.{}", s.collection, s.table),
                    s.variables.join(", "),
                )
            })
            .collect(),
        releases: p
            .releases
            .iter()
            .map(|r| ReleaseRow {
                id: r.id.clone(),
                date: r.date.get(..10).unwrap_or(&r.date).to_owned(),
                versions: r.data_versions.len().to_string(),
                files: r
                    .files
                    .iter()
                    .map(|f| {
                        (
                            f.name.clone(),
                            grouped(f.rows as f64, 0, t),
                            f.sha256.clone(),
                        )
                    })
                    .collect(),
            })
            .collect(),
    }
}

#[derive(Template)]
#[template(path = "research.html")]
struct ResearchPage {
    base: Base,
    t: Lang,
    projects: Vec<ProjectView>,
}

/// `GET /forskning`.
pub async fn research(
    State(state): State<AppState>,
    caller: Caller,
    lang: Lang,
    uri: Uri,
) -> Response {
    let projects = match vardhub_ops::research::public_projects(state.hub()).await {
        Ok(p) => p,
        Err(e) => return Problem::internal(e).into_response(),
    };
    render(&ResearchPage {
        base: Base::new(lang, &caller, &uri),
        t: lang,
        projects: projects.iter().map(|p| view(p, lang)).collect(),
    })
}
