//! Externa källor (spår A) / external sources (track A): their values beside the hub's own
//! indicators, marked with their source.
//!
//! * `GET /api/v1/sources`: every known source with its versions, imported time, terms and the
//!   current version's indicators.
//! * `GET /api/v1/sources/{source}/indicators/{id}/values`: one source indicator's published
//!   cells (JSON, or `format=csv` — `;`, decimal comma, BOM — or `format=csv-rfc4180`); 404 for a
//!   source or indicator the hub does not hold.
//! * `/kallor` and `/kallor/{source}/{id}`: the same as pages (sv, `?lang=en`).
//!
//! Every value comes from [`vardhub_ops::sources::published`] with the server's disclosure
//! policy: the one door out.

use crate::auth::{Access, Caller};
use crate::i18n::Lang;
use crate::problem::Problem;
use crate::routes::api::set_cache;
use crate::routes::pages::{Base, message, render};
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, get};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};
use std::fmt::Write as _;
use vardhub_domain::external::SourceId;
use vardhub_ops::sources::{self, SourceCell, SourceCellStatus, SourceTable, SourcesError};

/// This module's API routes: `(path, method, handler)`; each is also in the OpenAPI document
/// (`assets/openapi/sources.json`).
pub fn documented() -> Vec<(&'static str, &'static str, MethodRouter<AppState>)> {
    vec![
        ("/api/v1/sources", "get", get(list)),
        (
            "/api/v1/sources/{source}/indicators/{id}/values",
            "get",
            get(values),
        ),
    ]
}

/// This module's pages: `/kallor` and `/kallor/{source}/{id}`.
pub fn pages(r: Router<AppState>) -> Router<AppState> {
    r.route("/kallor", get(list_page))
        .route("/kallor/{source}/{id}", get(values_page))
}

fn problem(e: SourcesError) -> Problem {
    Problem::internal(e)
}

fn public(mut res: Response) -> Response {
    set_cache(res.headers_mut(), Access::Public);
    res
}

/// `GET /api/v1/sources`.
pub async fn list(State(state): State<AppState>) -> Result<Response, Problem> {
    let list = sources::listing(state.hub()).await.map_err(problem)?;
    let items: Vec<Value> = list
        .iter()
        .map(|s| {
            let indicators: Vec<Value> = s
                .indicators
                .iter()
                .map(|i| {
                    let base = format!("/api/v1/sources/{}/indicators/{}/values", s.id, i.id);
                    json!({
                        "id": i.id,
                        "name": i.name,
                        "rows": i.rows,
                        "links": {
                            "values": base,
                            "csv": format!("{base}?format=csv"),
                            "page": format!("/kallor/{}/{}", s.id, i.id),
                        },
                    })
                })
                .collect();
            json!({
                "id": s.id,
                "name": {"sv": s.name_sv, "en": s.name_en},
                "publisher": s.publisher,
                "url": s.url,
                "attribution": {"sv": s.attribution_sv, "en": s.attribution_en},
                "current_version": s.current_version,
                "imported_at": s.imported_at,
                "indicators": indicators,
                "versions": s.versions,
            })
        })
        .collect();
    Ok(public(
        Json(json!({"total": items.len(), "sources": items})).into_response(),
    ))
}

/// The `format` parameter of `values`.
#[derive(Debug, Deserialize)]
pub struct ValuesQuery {
    /// `json` (default), `csv` or `csv-rfc4180`.
    format: Option<String>,
}

/// One source indicator's table, or a 404 problem.
async fn find(state: &AppState, source: &str, id: &str) -> Result<SourceTable, Problem> {
    let not_found = || {
        Problem::not_found(format!(
            "ingen sådan källindikator / no such source indicator: {}/{}",
            crate::csv::neutralise(&vardhub_domain::mask_identity_numbers(source)),
            crate::csv::neutralise(&vardhub_domain::mask_identity_numbers(id)),
        ))
    };
    let Ok(sid) = SourceId::parse(source) else {
        return Err(not_found());
    };
    let policy = state.definitions();
    sources::published(state.hub(), policy.policy())
        .await
        .map_err(problem)?
        .into_iter()
        .find(|t| t.source.id == sid.as_str() && t.indicator == id)
        .ok_or_else(not_found)
}

fn cell_json(t: &SourceTable, c: &SourceCell) -> Value {
    json!({
        "source": t.source.id,
        "indicator": t.indicator,
        "region": c.area,
        "region_name": crate::i18n::region_name(c.area, Lang::Sv),
        "period": c.period,
        "period_kind": c.period_kind,
        "kon": c.kon,
        "status": c.status.code(),
        "status_text": {"sv": c.status.label_sv(), "en": c.status.label_en()},
        "value": c.value,
        "numerator": c.numerator,
        "denominator": c.denominator,
        "lower": c.lower,
        "upper": c.upper,
        "footnote": c.footnote,
        "disclosure_checked": c.disclosure_checked,
    })
}

/// `GET /api/v1/sources/{source}/indicators/{id}/values`.
pub async fn values(
    State(state): State<AppState>,
    Path((source, id)): Path<(String, String)>,
    Query(q): Query<ValuesQuery>,
) -> Result<Response, Problem> {
    let csv = match q.format.as_deref() {
        None | Some("json") => None,
        Some("csv") => Some((';', true)),
        Some("csv-rfc4180") => Some((',', false)),
        Some(_) => {
            return Err(Problem::bad_request("format: json, csv, csv-rfc4180"));
        }
    };
    let t = find(&state, &source, &id).await?;
    if let Some((sep, swedish)) = csv {
        let mut res = values_csv(&t, sep, swedish).into_response();
        res.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/csv; charset=utf-8"),
        );
        return Ok(public(res));
    }
    let info = t.source;
    let values: Vec<Value> = t.cells.iter().map(|c| cell_json(&t, c)).collect();
    Ok(public(
        Json(json!({
            "source": {
                "id": info.id,
                "name": {"sv": info.name_sv, "en": info.name_en},
                "publisher": info.publisher,
                "url": info.url,
                "attribution": {"sv": info.attribution_sv, "en": info.attribution_en},
            },
            "indicator": t.indicator,
            "name": t.name,
            "version": t.version,
            "imported_at": t.imported_at,
            "policy": {"id": t.policy_id, "version": t.policy_version},
            "dimensions": {"region": t.areas, "period": t.periods, "kon": t.sexes},
            "total": values.len(),
            "values": values,
        }))
        .into_response(),
    ))
}

/// The CSV columns.
const CSV_COLUMNS: [&str; 16] = [
    "source",
    "indicator",
    "region",
    "region_name",
    "period",
    "period_kind",
    "kon",
    "status",
    "status_text",
    "value",
    "numerator",
    "denominator",
    "lower",
    "upper",
    "footnote",
    "disclosure_checked",
];

/// A table as CSV: Swedish (`;`, decimal comma, BOM) or RFC 4180 (`,`, decimal point); every
/// text cell neutralised and quoted; CRLF.
fn values_csv(t: &SourceTable, sep: char, swedish: bool) -> String {
    let text = |s: &str| {
        let n = crate::csv::neutralise(s);
        format!("\"{}\"", n.replace('"', "\"\""))
    };
    let num = |v: Option<f64>| {
        v.map(|v| {
            let s = v.to_string();
            if swedish { s.replace('.', ",") } else { s }
        })
        .unwrap_or_default()
    };
    let count = |v: Option<u64>| v.map(|v| v.to_string()).unwrap_or_default();
    let mut out = String::new();
    if swedish {
        out.push('\u{feff}');
    }
    out.push_str(&CSV_COLUMNS.join(&sep.to_string()));
    out.push_str("\r\n");
    for c in &t.cells {
        let fields = [
            text(t.source.id),
            text(&t.indicator),
            text(c.area),
            text(crate::i18n::region_name(c.area, Lang::Sv)),
            text(&c.period),
            text(c.period_kind),
            text(c.kon),
            text(c.status.code()),
            text(c.status.label_sv()),
            num(c.value),
            count(c.numerator),
            count(c.denominator),
            num(c.lower),
            num(c.upper),
            c.footnote.as_deref().map(text).unwrap_or_default(),
            c.disclosure_checked.to_string(),
        ];
        let _ = write!(out, "{}\r\n", fields.join(&sep.to_string()));
    }
    out
}

/// A source in the list page.
struct SourceItem {
    id: &'static str,
    name: &'static str,
    publisher: &'static str,
    url: &'static str,
    attribution: &'static str,
    version: String,
    imported_at: String,
    indicators: Vec<(String, String, u64)>,
}

#[derive(Template)]
#[template(path = "source_list.html")]
struct ListPage {
    base: Base,
    t: Lang,
    sources: Vec<SourceItem>,
}

/// `GET /kallor`.
pub async fn list_page(
    State(state): State<AppState>,
    caller: Caller,
    lang: Lang,
    uri: Uri,
) -> Result<Response, Problem> {
    let list = sources::listing(state.hub()).await.map_err(problem)?;
    let sources = list
        .into_iter()
        .map(|s| SourceItem {
            id: s.id,
            name: lang.pick(s.name_sv, s.name_en),
            publisher: s.publisher,
            url: s.url,
            attribution: lang.pick(s.attribution_sv, s.attribution_en),
            version: s
                .current_version
                .map_or_else(|| "–".into(), |v| v.to_string()),
            imported_at: s.imported_at.unwrap_or_else(|| "–".into()),
            indicators: s
                .indicators
                .into_iter()
                .map(|i| (i.id, i.name, i.rows))
                .collect(),
        })
        .collect();
    Ok(render(&ListPage {
        base: Base::new(lang, &caller, &uri),
        t: lang,
        sources,
    }))
}

/// A row of the values page.
struct Row {
    area: String,
    period: String,
    sex: &'static str,
    value: String,
    numerator: String,
    denominator: String,
    interval: String,
    status: &'static str,
    status_code: &'static str,
    footnote: String,
}

#[derive(Template)]
#[template(path = "source_values.html")]
struct ValuesPage {
    base: Base,
    t: Lang,
    source_id: &'static str,
    source_name: &'static str,
    source_url: &'static str,
    publisher: &'static str,
    attribution: &'static str,
    indicator: String,
    name: String,
    version: u32,
    imported_at: String,
    policy: String,
    rows: Vec<Row>,
    legend: Vec<(&'static str, &'static str)>,
    unchecked: bool,
}

/// `GET /kallor/{source}/{id}`.
pub async fn values_page(
    State(state): State<AppState>,
    caller: Caller,
    lang: Lang,
    uri: Uri,
    Path((source, id)): Path<(String, String)>,
) -> Result<Response, Problem> {
    let base = Base::new(lang, &caller, &uri);
    let t = match find(&state, &source, &id).await {
        Ok(t) => t,
        Err(p) if p.status == StatusCode::NOT_FOUND.as_u16() => {
            return Ok(message(
                StatusCode::NOT_FOUND,
                base,
                lang.pick("Okänd källindikator", "Unknown source indicator"),
                lang.pick("Se listan över källor.", "See the list of sources."),
            ));
        }
        Err(p) => return Err(p),
    };
    let sv = lang == Lang::Sv;
    let num = |v: Option<f64>| {
        v.map_or_else(String::new, |v| {
            let s = v.to_string();
            if sv { s.replace('.', ",") } else { s }
        })
    };
    let count =
        |v: Option<u64>| v.map_or_else(String::new, |v| crate::i18n::grouped(v as f64, 0, lang));
    let rows = t
        .cells
        .iter()
        .map(|c| Row {
            area: crate::i18n::region_name(c.area, lang).to_owned(),
            period: vardhub_domain::external::ExternalPeriod::parse(&c.period)
                .map_or_else(|_| c.period.clone(), |p| p.label(sv)),
            sex: match c.kon {
                "1" => lang.pick("Män", "Men"),
                "2" => lang.pick("Kvinnor", "Women"),
                _ => lang.pick("Båda könen", "Both sexes"),
            },
            value: num(c.value),
            numerator: count(c.numerator),
            denominator: count(c.denominator),
            interval: match (c.lower, c.upper) {
                (Some(l), Some(u)) => format!("{}–{}", num(Some(l)), num(Some(u))),
                _ => String::new(),
            },
            status: lang.pick(c.status.label_sv(), c.status.label_en()),
            status_code: c.status.code(),
            footnote: c.footnote.clone().unwrap_or_default(),
        })
        .collect();
    let legend = SourceCellStatus::ALL
        .into_iter()
        .filter(|s| t.cells.iter().any(|c| c.status == *s))
        .map(|s| (s.code(), lang.pick(s.label_sv(), s.label_en())))
        .collect();
    let info = t.source;
    Ok(render(&ValuesPage {
        base,
        t: lang,
        source_id: info.id,
        source_name: lang.pick(info.name_sv, info.name_en),
        source_url: info.url,
        publisher: info.publisher,
        attribution: lang.pick(info.attribution_sv, info.attribution_en),
        unchecked: t
            .cells
            .iter()
            .any(|c| !c.disclosure_checked && c.value.is_some()),
        indicator: t.indicator,
        name: t.name,
        version: t.version,
        imported_at: t.imported_at,
        policy: format!("{} v{}", t.policy_id, t.policy_version),
        rows,
        legend,
    }))
}
