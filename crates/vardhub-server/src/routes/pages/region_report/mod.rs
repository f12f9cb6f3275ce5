//! The region page and the region report: every indicator for one region against Sweden and the
//! target, strengths and weaknesses, trends and data-quality notes, as a page and as a PDF.
//!
//! The content is built once ([`content::Report`]) in the caller's view of the latest official
//! run and rendered three ways: the region page (a summary), the report page and the PDF.

mod content;
mod judge;
mod pdf_doc;

use super::format::date_text;
use super::quality::quality_notes;
use super::values::values_for;
use super::{Base, message, render};
use crate::auth::{Caller, Role};
use crate::i18n::Lang;
use crate::problem::Problem;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::http::{HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use content::{QualitySection, Report};
use std::collections::BTreeSet;
use vardhub_domain::RegionCode;

#[derive(Template)]
#[template(path = "region.html")]
struct RegionPage {
    base: Base,
    t: Lang,
    report: Report,
    table_id: &'static str,
    regions: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "region_report.html")]
struct ReportPage {
    base: Base,
    t: Lang,
    report: Report,
    table_id: &'static str,
    method: Vec<String>,
}

/// The 404 page of an unknown region.
fn unknown_region(base: Base) -> Response {
    let lang = base.lang;
    message(
        StatusCode::NOT_FOUND,
        base,
        lang.pick("Okänd region", "Unknown region"),
        lang.pick(
            "Välj en av de 21 regionerna på startsidan.",
            "Choose one of the 21 regions on the start page.",
        ),
    )
}

/// Build the report of `region` in the caller's view.
async fn report_for(
    state: &AppState,
    caller: &Caller,
    region: RegionCode,
    lang: Lang,
) -> Result<Report, Problem> {
    let data = values_for(state, caller).await?;
    let defs = state.definitions();
    let (rows, strengths, weaknesses, unassessed) = match &data {
        Some(d) => content::build(&d.values, defs.recipes().values(), region, lang),
        None => Default::default(),
    };
    let sources: BTreeSet<&str> = defs
        .recipes()
        .values()
        .map(|r| r.spec.source.as_str())
        .collect();
    let mut quality = Vec::new();
    for source in sources {
        let collection_title = vardhub_domain::spec::builtin().get(source).map_or_else(
            || source.to_owned(),
            |c| lang.pick(&c.title.sv, &c.title.en).to_owned(),
        );
        for note in quality_notes(state, source, Some(region), lang).await? {
            quality.push(QualitySection {
                collection_title: collection_title.clone(),
                note,
            });
        }
    }
    let (name, _) = content::title(region, lang);
    Ok(Report {
        code: region.as_str().to_owned(),
        name,
        updated: data
            .as_ref()
            .map(|d| date_text(&d.updated, lang))
            .unwrap_or_default(),
        rows,
        strengths,
        weaknesses,
        unassessed,
        quality,
        delivery_links: caller.0.as_ref().is_some_and(|p| match p.role {
            Role::National | Role::Admin => true,
            Role::Region => p.region == Some(region),
            _ => false,
        }),
    })
}

/// The report of the region named in the path, handed to `show` with the page's frame; the 404
/// page for an unknown region.
async fn with_report(
    state: &AppState,
    caller: &Caller,
    lang: Lang,
    uri: &Uri,
    code: &str,
    show: impl FnOnce(Base, Report) -> Result<Response, Problem>,
) -> Result<Response, Problem> {
    let base = Base::new(lang, caller, uri);
    let Ok(region) = RegionCode::parse(code) else {
        return Ok(unknown_region(base));
    };
    let report = report_for(state, caller, region, lang).await?;
    show(base, report)
}

/// `GET /regioner/{code}`: the region's summary, with links to the report and its PDF.
pub async fn region(
    State(state): State<AppState>,
    caller: Caller,
    lang: Lang,
    uri: Uri,
    Path(code): Path<String>,
) -> Result<Response, Problem> {
    with_report(&state, &caller, lang, &uri, &code, |base, report| {
        let page = RegionPage {
            base,
            t: lang,
            report,
            table_id: "regiontabell",
            regions: RegionCode::all()
                .map(|r| (r.as_str().to_owned(), r.name().to_owned()))
                .collect(),
        };
        Ok(render(&page).into_response())
    })
    .await
}

/// `GET /regioner/{code}/rapport`: the region report.
pub async fn region_report(
    State(state): State<AppState>,
    caller: Caller,
    lang: Lang,
    uri: Uri,
    Path(code): Path<String>,
) -> Result<Response, Problem> {
    with_report(&state, &caller, lang, &uri, &code, |base, report| {
        let page = ReportPage {
            base,
            t: lang,
            report,
            table_id: "rapporttabell",
            method: pdf_doc::method(lang),
        };
        Ok(render(&page).into_response())
    })
    .await
}

/// `GET /regioner/{code}/rapport.pdf`: the region report as a PDF (A4).
pub async fn region_report_pdf(
    State(state): State<AppState>,
    caller: Caller,
    lang: Lang,
    uri: Uri,
    Path(code): Path<String>,
) -> Result<Response, Problem> {
    with_report(&state, &caller, lang, &uri, &code, |_, report| {
        let bytes = pdf_doc::pdf(&report, lang);
        let disposition = format!("inline; filename=\"regionrapport-{}.pdf\"", report.code);
        let mut res = bytes.into_response();
        res.headers_mut()
            .insert(CONTENT_TYPE, HeaderValue::from_static("application/pdf"));
        res.headers_mut().insert(
            CONTENT_DISPOSITION,
            HeaderValue::from_str(&disposition).map_err(Problem::internal)?,
        );
        Ok(res)
    })
    .await
}
