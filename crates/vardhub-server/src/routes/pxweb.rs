//! PxWeb API v2 (SCB's table API, <https://github.com/PxTools/PxApiSpecs>) over every published
//! table: `/api/v2/config`, `/api/v2/tables` (search, paging), `/api/v2/tables/{id}`,
//! `/api/v2/tables/{id}/metadata`, `/api/v2/tables/{id}/defaultselection` and `/api/v2/tables/{id}/data` (GET with `valueCodes[Var]=…`,
//! POST with `{"selection":[…]}`; `outputFormat=json-stat2` (default) or `csv`).
//!
//! Open data: every caller gets the public view (`crate::pxweb::tables`), logged in or not.
//! Refusals are problem details whose `title` is PxWeb's (`Non-existent value`, `Too many cells
//! selected` …) and whose `detail` names the variable and code in Swedish and English. More
//! than [`MAX_DATA_CELLS`] cells in one request is a 400 (`Too many cells selected`), as PxWeb
//! API v2 installations answer (SCB, SSB); `/config` announces the limit, so clients split.

use crate::auth::{Access, Caller};
use crate::i18n::Lang;
use crate::problem::Problem;
use crate::pxweb::csv::CsvOptions;
use crate::pxweb::selection::{
    SelectionBody, SelectionError, VariableSelection, resolve, split_list,
};
use crate::pxweb::{PxTable, jsonstat};
use crate::routes::api::set_cache;
use crate::state::AppState;
use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::header::{self, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, get, post};
use serde_json::{Value, json};
use std::sync::Arc;

/// The most cells one data request may return.
pub const MAX_DATA_CELLS: usize = 100_000;
/// Default `pageSize` of the table list.
pub const DEFAULT_PAGE_SIZE: usize = 20;
/// Largest `pageSize`.
pub const MAX_PAGE_SIZE: usize = 10_000;

/// This module's API routes: `(path, method, handler)`; each is also in the OpenAPI document
/// (`assets/openapi/pxweb.json`).
pub fn documented() -> Vec<(&'static str, &'static str, MethodRouter<AppState>)> {
    vec![
        ("/api/v2/config", "get", get(config)),
        ("/api/v2/tables", "get", get(list)),
        ("/api/v2/tables/{id}", "get", get(table)),
        ("/api/v2/tables/{id}/metadata", "get", get(metadata)),
        (
            "/api/v2/tables/{id}/defaultselection",
            "get",
            get(default_selection),
        ),
        ("/api/v2/tables/{id}/data", "get", get(data_get)),
        ("/api/v2/tables/{id}/data", "post", post(data_post)),
    ]
}

type Params = Result<Query<Vec<(String, String)>>, QueryRejection>;

fn params(q: Params) -> Result<Vec<(String, String)>, Problem> {
    q.map(|Query(v)| v)
        .map_err(|e| Problem::bad_request(e.body_text()))
}

fn refuse(title: &str, detail: impl Into<String>) -> Problem {
    Problem {
        title: title.to_owned(),
        ..Problem::bad_request(detail)
    }
}

fn selection_problem(e: &SelectionError) -> Problem {
    refuse(e.title(), e.to_string())
}

/// `lang` (default Swedish), and no parameter outside `allowed`.
fn lang_and_check(pairs: &[(String, String)], allowed: &[&str]) -> Result<Lang, Problem> {
    let mut lang = Lang::Sv;
    for (k, v) in pairs {
        if k == "lang" {
            lang = Lang::parse(v).ok_or_else(|| {
                refuse(
                    "Unsupported language",
                    format!("språket {v} finns inte: sv, en / no language {v}: sv, en"),
                )
            })?;
        } else if !allowed.contains(&k.as_str()) {
            return Err(Problem::bad_request(format!(
                "okänd parameter {k} / unknown parameter {k}"
            )));
        }
    }
    Ok(lang)
}

fn json_response(v: &Value) -> Response {
    let mut res = Json(v).into_response();
    set_cache(res.headers_mut(), Access::Public);
    res
}

async fn find(state: &AppState, id: &str) -> Result<Arc<PxTable>, Problem> {
    crate::pxweb::table(state, id)
        .await
        .map_err(Problem::internal)?
        .ok_or_else(|| Problem::not_found(format!("ingen tabell {id} / no table {id}")))
}

/// `GET /api/v2/config`.
pub async fn config(_caller: Caller, q: Params) -> Result<Response, Problem> {
    lang_and_check(&params(q)?, &[])?;
    Ok(json_response(&json!({
        "apiVersion": "2.0.0",
        "appVersion": env!("CARGO_PKG_VERSION"),
        "languages": [{"id": "sv", "label": "Svenska"}, {"id": "en", "label": "English"}],
        "defaultLanguage": "sv",
        "maxDataCells": MAX_DATA_CELLS,
        "maxCallsPerTimeWindow": 0,
        "timeWindow": 0,
        "license": "ej angiven / not stated",
        "sourceReferences": [
            {"language": "sv", "text": "Källa: Vårddatahubben"},
            {"language": "en", "text": "Source: Vårddatahubben"}
        ],
        "defaultDataFormat": "json-stat2",
        "dataFormats": ["json-stat2", "csv"],
        "features": [{"id": "CORS", "params": [{"key": "enabled", "value": "True"}]}],
    })))
}

/// `GET /api/v2/tables`: `query` (every word, without case, in id, title or description),
/// `pastDays`, `includeDiscontinued`, `pageNumber`, `pageSize`, `lang`.
pub async fn list(
    State(state): State<AppState>,
    _caller: Caller,
    q: Params,
) -> Result<Response, Problem> {
    let pairs = params(q)?;
    let lang = lang_and_check(
        &pairs,
        &[
            "query",
            "pastDays",
            "includeDiscontinued",
            "pageNumber",
            "pageSize",
        ],
    )?;
    let get = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    let number = |k: &str, default: usize, max: usize| -> Result<usize, Problem> {
        get(k).map_or(Ok(default), |s| {
            s.parse::<usize>()
                .ok()
                .filter(|n| (1..=max).contains(n))
                .ok_or_else(|| {
                    Problem::bad_request(format!("{k}: ett heltal 1–{max} / an integer 1–{max}"))
                })
        })
    };
    let page_number = number("pageNumber", 1, usize::MAX)?;
    let page_size = number("pageSize", DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)?;
    let past_days = get("pastDays")
        .map(|_| number("pastDays", 1, 100_000))
        .transpose()?;
    if let Some(v) = get("includeDiscontinued")
        && !v.eq_ignore_ascii_case("true")
        && !v.eq_ignore_ascii_case("false")
    {
        return Err(Problem::bad_request("includeDiscontinued: true, false"));
    }
    let words: Vec<String> = get("query")
        .unwrap_or("")
        .split_whitespace()
        .map(str::to_lowercase)
        .collect();
    let now = chrono::Utc::now();
    let all = crate::pxweb::tables(&state)
        .await
        .map_err(Problem::internal)?;
    let hits: Vec<&Arc<PxTable>> = all
        .iter()
        .filter(|t| {
            let text = format!(
                "{} {} {}",
                t.id,
                t.label.pick(lang),
                t.description.pick(lang)
            )
            .to_lowercase();
            words.iter().all(|w| text.contains(w.as_str()))
        })
        .filter(|t| {
            past_days.is_none_or(|d| {
                chrono::DateTime::parse_from_rfc3339(&t.updated)
                    .is_ok_and(|u| (now - u.with_timezone(&chrono::Utc)).num_days() < d as i64)
            })
        })
        .collect();
    let total = hits.len();
    let pages = total.div_ceil(page_size).max(1);
    let tables: Vec<Value> = hits
        .iter()
        .skip((page_number - 1).saturating_mul(page_size))
        .take(page_size)
        .map(|t| jsonstat::table_entry(t, lang))
        .collect();
    let link = |rel: &str, n: usize| {
        json!({"rel": rel, "hreflang": lang.code(), "href": format!(
            "{}/tables?lang={}&pageNumber={n}&pageSize={page_size}",
            jsonstat::BASE, lang.code()
        )})
    };
    let mut page_links = vec![link("self", page_number.min(pages))];
    if page_number < pages {
        page_links.push(link("next", page_number + 1));
    }
    if page_number > 1 {
        page_links.push(link("previous", (page_number - 1).min(pages)));
    }
    page_links.push(link("last", pages));
    Ok(json_response(&json!({
        "language": lang.code(),
        "tables": tables,
        "page": {
            "pageNumber": page_number,
            "pageSize": page_size,
            "totalElements": total,
            "totalPages": pages,
            "links": page_links,
        },
        "links": [link("self", page_number)],
    })))
}

/// `GET /api/v2/tables/{id}`.
pub async fn table(
    State(state): State<AppState>,
    _caller: Caller,
    Path(id): Path<String>,
    q: Params,
) -> Result<Response, Problem> {
    let lang = lang_and_check(&params(q)?, &[])?;
    let t = find(&state, &id).await?;
    let mut entry = jsonstat::table_entry(&t, lang);
    if let Value::Object(m) = &mut entry {
        m.insert("language".into(), json!(lang.code()));
    }
    Ok(json_response(&entry))
}

/// `GET /api/v2/tables/{id}/metadata`: JSON-stat 2 with every variable and value.
pub async fn metadata(
    State(state): State<AppState>,
    _caller: Caller,
    Path(id): Path<String>,
    q: Params,
) -> Result<Response, Problem> {
    let lang = lang_and_check(&params(q)?, &[])?;
    let t = find(&state, &id).await?;
    Ok(json_response(&jsonstat::metadata(&t, lang)))
}

/// `GET /api/v2/tables/{id}/defaultselection`: what a data request without a selection gets.
pub async fn default_selection(
    State(state): State<AppState>,
    _caller: Caller,
    Path(id): Path<String>,
    q: Params,
) -> Result<Response, Problem> {
    let lang = lang_and_check(&params(q)?, &[])?;
    let t = find(&state, &id).await?;
    let sel = resolve(&t, None, usize::MAX).map_err(|e| selection_problem(&e))?;
    Ok(json_response(&jsonstat::default_selection(&t, &sel, lang)))
}

/// How the data come back.
enum Output {
    JsonStat,
    Csv(CsvOptions),
}

/// `outputFormat` and `outputFormatParams` (repeated or comma-separated).
fn output(format: Option<&str>, format_params: &[&str]) -> Result<Output, Problem> {
    let bad_format = |f: &str| {
        refuse(
            "Unsupported output format",
            format!(
                "outputFormat {f} stöds inte: json-stat2, csv / outputFormat {f} is not supported: json-stat2, csv"
            ),
        )
    };
    let params: Vec<String> = format_params.iter().flat_map(|p| split_list(p)).collect();
    match format.map(str::to_ascii_lowercase).as_deref() {
        None | Some("json-stat2") => {
            if let Some(p) = params.first() {
                return Err(refuse(
                    "Unsupported output format parameter",
                    format!(
                        "outputFormatParams ({p}) gäller bara csv / outputFormatParams ({p}) apply to csv only"
                    ),
                ));
            }
            Ok(Output::JsonStat)
        }
        Some("csv") => {
            let mut opts = CsvOptions::default();
            for p in &params {
                if !opts.apply(p) {
                    return Err(refuse(
                        "Unsupported output format parameter",
                        format!(
                            "okänd outputFormatParams {p}: UseCodes, UseTexts, UseCodesAndTexts, SeparatorSemicolon, SeparatorTab, SeparatorSpace, IncludeTitle / unknown outputFormatParams {p}"
                        ),
                    ));
                }
            }
            Ok(Output::Csv(opts))
        }
        Some(_) => Err(bad_format(format.unwrap_or_default())),
    }
}

async fn data(
    state: &AppState,
    id: &str,
    selection: Option<Vec<VariableSelection>>,
    lang: Lang,
    out: Output,
) -> Result<Response, Problem> {
    let t = find(state, id).await?;
    let sel =
        resolve(&t, selection.as_deref(), MAX_DATA_CELLS).map_err(|e| selection_problem(&e))?;
    Ok(match out {
        Output::JsonStat => json_response(&jsonstat::data(&t, &sel, lang)),
        Output::Csv(opts) => {
            let body = crate::pxweb::csv::data(&t, &sel, lang, opts);
            let mut res = body.into_response();
            let h = res.headers_mut();
            h.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/csv; charset=utf-8"),
            );
            if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{}.csv\"", t.id))
            {
                h.insert(header::CONTENT_DISPOSITION, v);
            }
            set_cache(h, Access::Public);
            res
        }
    })
}

/// `GET /api/v2/tables/{id}/data?valueCodes[Var]=…&outputFormat=…`.
pub async fn data_get(
    State(state): State<AppState>,
    _caller: Caller,
    Path(id): Path<String>,
    q: Params,
) -> Result<Response, Problem> {
    let pairs = params(q)?;
    let mut lang = Lang::Sv;
    let mut format = None;
    let mut format_params = Vec::new();
    let mut selection: Vec<VariableSelection> = Vec::new();
    for (k, v) in &pairs {
        let lower = k.to_ascii_lowercase();
        let inner = |prefix: &str| {
            lower
                .strip_prefix(prefix)
                .and_then(|r| r.strip_suffix(']'))
                .map(|_| k[prefix.len()..k.len() - 1].to_owned())
        };
        if k == "lang" {
            lang = lang_and_check(std::slice::from_ref(&(k.clone(), v.clone())), &[])?;
        } else if lower == "outputformat" {
            format = Some(v.as_str());
        } else if lower == "outputformatparams" {
            format_params.push(v.as_str());
        } else if let Some(var) = inner("valuecodes[") {
            selection.push(VariableSelection {
                variable_code: var,
                value_codes: split_list(v),
                codelist: None,
            });
        } else if let Some(var) = inner("codelist[") {
            selection.push(VariableSelection {
                variable_code: var,
                value_codes: Vec::new(),
                codelist: Some(v.clone()),
            });
        } else {
            return Err(Problem::bad_request(format!(
                "okänd parameter {k}: valueCodes[VARIABEL], outputFormat, outputFormatParams, lang / unknown parameter {k}"
            )));
        }
    }
    let out = output(format, &format_params)?;
    let selection = (!selection.is_empty()).then_some(selection);
    data(&state, &id, selection, lang, out).await
}

/// `POST /api/v2/tables/{id}/data?outputFormat=…` with `{"selection":[{"variableCode":…,
/// "valueCodes":[…]}]}` (an empty body: the default selection).
pub async fn data_post(
    State(state): State<AppState>,
    _caller: Caller,
    Path(id): Path<String>,
    q: Params,
    body: Bytes,
) -> Result<Response, Problem> {
    let pairs = params(q)?;
    let lang = lang_and_check(&pairs, &["outputFormat", "outputFormatParams"])?;
    let get_all = |k: &str| -> Vec<&str> {
        pairs
            .iter()
            .filter(|(n, _)| n == k)
            .map(|(_, v)| v.as_str())
            .collect()
    };
    let out = output(
        get_all("outputFormat").first().copied(),
        &get_all("outputFormatParams"),
    )?;
    let body: SelectionBody = if body.iter().all(u8::is_ascii_whitespace) {
        SelectionBody::default()
    } else {
        serde_json::from_slice(&body).map_err(|e| {
            Problem::bad_request(format!(
                "urvalet är inte giltig JSON ({e}); väntat {{\"selection\":[{{\"variableCode\":…,\"valueCodes\":[…]}}]}} / the selection is not valid JSON"
            ))
        })?
    };
    data(&state, &id, Some(body.selection), lang, out).await
}
