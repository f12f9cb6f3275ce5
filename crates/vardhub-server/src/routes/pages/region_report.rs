//! The region page and the region report: every indicator for one region against Sweden and the
//! target, strengths and weaknesses, trends and data-quality notes, as a page and as a PDF.

use super::format::{flag_label, headline, show, status_label};
use super::values::{opening_kind, totals, values_for};
use super::{Base, message, render};
use crate::auth::Caller;
use crate::i18n::{Lang, region_name};
use crate::problem::Problem;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use vardhub_domain::RegionCode;
use vardhub_engine::indicator::compute::SWEDEN;

/// One row of the region page.
pub struct RegionRow {
    id: String,
    title: String,
    period: String,
    value: String,
    status: String,
    sweden: String,
    flag: String,
    flag_code: String,
    target: String,
}

#[derive(Template)]
#[template(path = "region.html")]
struct RegionPage {
    base: Base,
    t: Lang,
    code: String,
    name: String,
    rows: Vec<RegionRow>,
    regions: Vec<(String, String)>,
}

/// `GET /regioner/{code}`.
pub async fn region(
    State(state): State<AppState>,
    caller: Caller,
    lang: Lang,
    uri: Uri,
    Path(code): Path<String>,
) -> Result<Response, Problem> {
    let base = Base::new(lang, &caller, &uri);
    let Ok(region) = RegionCode::parse(&code) else {
        return Ok(message(
            StatusCode::NOT_FOUND,
            base,
            lang.pick("Okänd region", "Unknown region"),
            lang.pick(
                "Välj en av de 21 regionerna på startsidan.",
                "Choose one of the 21 regions on the start page.",
            ),
        ));
    };
    let data = values_for(&state, &caller).await?;
    let mut rows = Vec::new();
    if let Some(values) = data.as_ref().map(|d| &d.values) {
        for r in state.definitions().recipes().values() {
            let s = &r.spec;
            let kind = opening_kind(values, s);
            let mine = totals(values, &s.id, region.as_str(), kind);
            let Some(latest) = mine.last() else { continue };
            let sweden = totals(values, &s.id, SWEDEN, kind)
                .into_iter()
                .find(|v| v.period == latest.period);
            rows.push(RegionRow {
                id: s.id.clone(),
                title: lang.pick(&s.title.sv, &s.title.en).to_owned(),
                period: latest.period.clone(),
                value: show(headline(latest, s.unit).0, s.unit, lang),
                status: status_label(latest, lang).to_owned(),
                sweden: sweden.map_or("–".into(), |v| show(headline(v, s.unit).0, s.unit, lang)),
                flag: flag_label(latest.funnel_95.as_deref(), lang).to_owned(),
                flag_code: latest.funnel_95.clone().unwrap_or_default(),
                target: match latest.meets_target {
                    Some(true) => lang.pick("Ja", "Yes").to_owned(),
                    Some(false) => lang.pick("Nej", "No").to_owned(),
                    None => String::new(),
                },
            });
        }
    }
    let page = RegionPage {
        base,
        t: lang,
        code: region.as_str().to_owned(),
        name: region_name(region.as_str(), lang).to_owned(),
        rows,
        regions: RegionCode::all()
            .map(|r| (r.as_str().to_owned(), r.name().to_owned()))
            .collect(),
    };
    Ok(render(&page).into_response())
}

/// `GET /regioner/{code}/rapport`.
pub async fn region_report() -> Response {
    StatusCode::NOT_FOUND.into_response()
}

/// `GET /regioner/{code}/rapport.pdf`.
pub async fn region_report_pdf() -> Response {
    StatusCode::NOT_FOUND.into_response()
}
