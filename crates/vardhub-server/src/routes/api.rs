//! Öppna data / the open-data API: the indicator catalogue and every value with its status.
//!
//! Values come only from [`crate::runs::LoadedRun::values`] for the caller's access level, so a
//! public caller gets exactly what the disclosure policy publishes. Responses carry an `ETag`
//! (run id + query + access level + format) and answer `If-None-Match` with 304 (weak
//! comparison, RFC 9110: [`if_none_match`]).
//!
//! JSON is paged (`page`, `page_size`, `Link`); a download — CSV in three dialects
//! ([`crate::csv`]) or xlsx ([`crate::xlsx`]) — is every matching row, never one page: the CSV
//! is written row by row as it is sent.

use crate::auth::{Access, Caller};
use crate::csv::{Dialect, ValuesCsv, ValuesCsvBody};
use crate::i18n::Lang;
use crate::problem::Problem;
use crate::published::PublicValue;
use crate::runs::LoadedRun;
use crate::state::AppState;
use axum::Json;
use axum::body::Body;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::http::header::{self, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::sync::Arc;
use vardhub_domain::{Area, Level, PeriodKind, RegionCode, ReportPeriod};
use vardhub_engine::disclosure::Status;
use vardhub_engine::indicator::compute::{AGE_GROUPS, ALL};
use vardhub_engine::indicator::publish::{AGE_UNKNOWN, SEX_UNKNOWN};
use vardhub_engine::indicator::{IndicatorSpec, Recipe};

/// Default page size of `values`.
pub const DEFAULT_PAGE_SIZE: usize = 500;
/// Largest page size of `values`.
pub const MAX_PAGE_SIZE: usize = 5000;

/// One indicator in the catalogue: its recipe as written plus hash and links.
#[derive(Debug, Serialize)]
pub struct IndicatorInfo<'a> {
    /// The recipe (id, version, area, source, unit, direction, texts, target, definition …).
    #[serde(flatten)]
    pub spec: &'a IndicatorSpec,
    /// Recipe content hash.
    pub hash: &'a str,
    /// The latest run, if any.
    pub latest_run: Option<&'a str>,
    /// Links.
    pub links: Value,
}

fn info<'a>(recipe: &'a Recipe, run: Option<&'a str>) -> IndicatorInfo<'a> {
    let id = &recipe.spec.id;
    IndicatorInfo {
        spec: &recipe.spec,
        hash: &recipe.hash,
        latest_run: run,
        links: json!({
            "self": format!("/api/v1/indicators/{id}"),
            "values": format!("/api/v1/indicators/{id}/values"),
            "csv": format!("/api/v1/indicators/{id}/values?format=csv"),
            "page": format!("/indikatorer/{id}"),
        }),
    }
}

async fn latest(state: &AppState) -> Result<Option<Arc<LoadedRun>>, Problem> {
    state.latest_run().await.map_err(Problem::internal)
}

/// `GET /api/v1/indicators`.
pub async fn catalogue(
    State(state): State<AppState>,
    _caller: Caller,
) -> Result<Response, Problem> {
    let run = latest(&state).await?;
    let run_id = run.as_ref().map(|r| r.run.id.as_str());
    let defs = state.definitions();
    let list: Vec<IndicatorInfo> = defs.recipes().values().map(|r| info(r, run_id)).collect();
    let statuses: serde_json::Map<String, Value> = Status::ALL
        .iter()
        .map(|s| {
            (
                s.code().to_owned(),
                json!({"sv": s.label_sv(), "en": s.label_en()}),
            )
        })
        .collect();
    let mut res = Json(json!({
        "latest_run": run_id,
        "computed_at": run.as_ref().map(|r| r.run.finished_at.as_str()),
        "statuses": statuses,
        "indicators": list,
    }))
    .into_response();
    set_cache(res.headers_mut(), Access::Public);
    Ok(res)
}

/// `GET /api/v1/indicators/{id}`.
pub async fn indicator(
    State(state): State<AppState>,
    _caller: Caller,
    Path(id): Path<String>,
) -> Result<Response, Problem> {
    let run = latest(&state).await?;
    let defs = state.definitions();
    let recipe = defs
        .recipes()
        .get(&id)
        .ok_or_else(|| Problem::not_found(format!("okänd indikator / unknown indicator {id}")))?;
    let mut res = Json(info(recipe, run.as_ref().map(|r| r.run.id.as_str()))).into_response();
    set_cache(res.headers_mut(), Access::Public);
    Ok(res)
}

/// Query parameters of `values` (all optional, checked by hand for clear 400s).
#[derive(Debug, Default, Deserialize)]
pub struct ValuesQuery {
    region: Option<String>,
    period: Option<String>,
    level: Option<String>,
    period_type: Option<String>,
    kon: Option<String>,
    aldersgrupp: Option<String>,
    format: Option<String>,
    page: Option<String>,
    page_size: Option<String>,
    lang: Option<String>,
}

/// Output format of `values`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Json,
    Csv(Dialect),
    Xlsx,
}

impl Format {
    /// Whether the format is a download of every matching row (not paged).
    fn is_download(self) -> bool {
        self != Format::Json
    }
}

/// The checked filter of a values request.
#[derive(Debug, Clone, Default)]
pub(crate) struct Filter {
    pub region: Option<String>,
    pub period: Option<String>,
    /// Level code (`land`, `sjukvardsregion`, `region`, `kommun`, `sjukhus`, `enhet`).
    pub level: Option<String>,
    /// Period kind (`month`, `quarter`, `year`, `rolling12`).
    pub period_type: Option<PeriodKind>,
    pub kon: Option<String>,
    pub aldersgrupp: Option<String>,
}

impl Filter {
    pub fn matches(&self, v: &PublicValue) -> bool {
        self.region.as_ref().is_none_or(|r| *r == v.region)
            && self.period.as_ref().is_none_or(|p| *p == v.period)
            && self.level.as_ref().is_none_or(|l| *l == v.level)
            && self
                .period_type
                .is_none_or(|k| ReportPeriod::parse(&v.period).is_ok_and(|p| p.kind() == k))
            && self.kon.as_ref().is_none_or(|k| *k == v.kon)
            && self
                .aldersgrupp
                .as_ref()
                .is_none_or(|a| *a == v.aldersgrupp)
    }
}

struct Checked {
    filter: Filter,
    format: Option<Format>,
    format_code: Option<String>,
    page: usize,
    page_size: usize,
    lang: Lang,
}

fn check(q: ValuesQuery) -> Result<Checked, Problem> {
    let region = q
        .region
        .map(|r| {
            // A region in any written form (`1`, `01`), or any other area's code.
            RegionCode::parse(&r)
                .map(|c| c.as_str().to_owned())
                .or_else(|_| Area::parse(&r).map(|a| a.to_string()))
                .map_err(|_| Problem::bad_request(format!("okänt område / unknown area: {r}")))
        })
        .transpose()?;
    let period = q
        .period
        .map(|p| {
            ReportPeriod::parse(&p).map(|p| p.to_string()).map_err(|_| {
                Problem::bad_request(
                    "period: ÅÅÅÅ-MM, ÅÅÅÅ-K1…K4, ÅÅÅÅ, R12-ÅÅÅÅ-MM / YYYY-MM, YYYY-Q as YYYY-K1…K4, YYYY, R12-YYYY-MM",
                )
            })
        })
        .transpose()?;
    let level = q
        .level
        .map(|l| {
            Level::parse(&l)
                .map(|l| l.code().to_owned())
                .ok_or_else(|| {
                    Problem::bad_request(
                        "level: land, sjukvardsregion, region, kommun, sjukhus, enhet",
                    )
                })
        })
        .transpose()?;
    let period_type = q
        .period_type
        .map(|k| {
            PeriodKind::parse(&k)
                .ok_or_else(|| Problem::bad_request("period_type: month, quarter, year, rolling12"))
        })
        .transpose()?;
    let kon = q
        .kon
        .map(|k| match k.as_str() {
            "1" | "2" | ALL | SEX_UNKNOWN => Ok(k),
            _ => Err(Problem::bad_request("kon: 1, 2, alla, okant")),
        })
        .transpose()?;
    let aldersgrupp = q
        .aldersgrupp
        .map(|a| {
            // `+` in a query string means a space; accept "80 " for "80+".
            let a = if a.trim_end() == "80" {
                "80+".to_owned()
            } else {
                a
            };
            if a == ALL || a == AGE_UNKNOWN || AGE_GROUPS.contains(&a.as_str()) {
                Ok(a)
            } else {
                Err(Problem::bad_request(format!(
                    "aldersgrupp: {}, alla, okand",
                    AGE_GROUPS.join(", ")
                )))
            }
        })
        .transpose()?;
    let format = q
        .format
        .as_deref()
        .map(|f| match f {
            "json" => Ok(Format::Json),
            "csv" => Ok(Format::Csv(Dialect::Excel)),
            "csv-excel" => Ok(Format::Csv(Dialect::Spreadsheet)),
            "csv-rfc4180" => Ok(Format::Csv(Dialect::Rfc4180)),
            "xlsx" => Ok(Format::Xlsx),
            _ => Err(Problem::bad_request(
                "format: json, csv, csv-excel, csv-rfc4180, xlsx",
            )),
        })
        .transpose()?;
    let number = |name: &str, v: Option<String>, default: usize| -> Result<usize, Problem> {
        v.map_or(Ok(default), |s| {
            s.parse::<usize>().ok().filter(|n| *n >= 1).ok_or_else(|| {
                Problem::bad_request(format!("{name}: ett heltal ≥ 1 / an integer ≥ 1"))
            })
        })
    };
    let page = number("page", q.page, 1)?;
    let page_size = number("page_size", q.page_size, DEFAULT_PAGE_SIZE)?;
    if page_size > MAX_PAGE_SIZE {
        return Err(Problem::bad_request(format!(
            "page_size: högst / at most {MAX_PAGE_SIZE}"
        )));
    }
    let lang = match q.lang.as_deref() {
        None => Lang::Sv,
        Some(l) => Lang::parse(l).ok_or_else(|| Problem::bad_request("lang: sv, en"))?,
    };
    Ok(Checked {
        filter: Filter {
            region,
            period,
            level,
            period_type,
            kon,
            aldersgrupp,
        },
        format_code: q.format,
        format,
        page,
        page_size,
        lang,
    })
}

/// Pick the format from `Accept` when no `format` parameter is given.
fn negotiate(headers: &HeaderMap) -> Result<Format, Problem> {
    let Some(accept) = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()) else {
        return Ok(Format::Json);
    };
    for part in accept.split(',') {
        let media = part.split(';').next().unwrap_or("").trim();
        match media {
            "application/json" | "application/*" | "*/*" | "" => return Ok(Format::Json),
            "text/csv" | "text/*" => return Ok(Format::Csv(Dialect::Excel)),
            crate::xlsx::XLSX_MEDIA_TYPE => return Ok(Format::Xlsx),
            _ => {}
        }
    }
    Err(Problem::not_acceptable())
}

/// `GET /api/v1/indicators/{id}/values`.
pub async fn values(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    query: Result<Query<ValuesQuery>, QueryRejection>,
    headers: HeaderMap,
) -> Result<Response, Problem> {
    // The latest run first: it refreshes the definitions with the hub's approved recipes.
    latest(&state).await?;
    if !state.definitions().recipes().contains_key(&id) {
        return Err(Problem::not_found(format!(
            "okänd indikator / unknown indicator {id}"
        )));
    }
    let Query(q) = query.map_err(|e| Problem::bad_request(e.body_text()))?;
    let c = check(q)?;
    let format = match c.format {
        Some(f) => f,
        None => negotiate(&headers)?,
    };
    let run = latest(&state)
        .await?
        .ok_or_else(|| Problem::not_found("ingen beräkning ännu / no indicator run yet"))?;
    let access = caller.access();
    let base = canonical_query(&c, format);
    // A download is every row: its page is not part of what it is.
    let page_key = if format.is_download() {
        String::new()
    } else {
        c.page.to_string()
    };
    let etag = {
        let mut h = Sha256::new();
        for part in [
            run.run.id.as_str(),
            &id,
            &base,
            &page_key,
            &access.key(),
            &format!("{format:?}"),
        ] {
            h.update(part.as_bytes());
            h.update([0]);
        }
        format!("\"{}\"", hex::encode(&h.finalize()[..16]))
    };
    if if_none_match(&headers, &etag) {
        let mut res = StatusCode::NOT_MODIFIED.into_response();
        set_etag(res.headers_mut(), &etag, access);
        return Ok(res);
    }
    let all = run
        .values(&state.definitions(), access)
        .await
        .map_err(Problem::internal)?;
    let matching: Vec<usize> = all
        .iter()
        .enumerate()
        .filter(|(_, v)| v.indicator == id && c.filter.matches(v))
        .map(|(i, _)| i)
        .collect();
    let total = matching.len();
    let pages = total.div_ceil(c.page_size).max(1);
    let start = (c.page - 1).saturating_mul(c.page_size).min(total);
    let end = (start + c.page_size).min(total);
    let link = |p: usize| format!("/api/v1/indicators/{id}/values?{base}page={p}");
    let mut links = Vec::new();
    if !format.is_download() {
        links.push((link(1), "first"));
        links.push((link(pages), "last"));
        if c.page < pages {
            links.push((link(c.page + 1), "next"));
        }
        if c.page > 1 {
            links.push((link((c.page - 1).min(pages)), "prev"));
        }
    }
    let mut res = match format {
        Format::Json => {
            let statuses: serde_json::Map<String, Value> = Status::ALL
                .iter()
                .map(|s| {
                    (
                        s.code().to_owned(),
                        json!({"sv": s.label_sv(), "en": s.label_en()}),
                    )
                })
                .collect();
            let named: serde_json::Map<String, Value> = links
                .iter()
                .map(|(u, rel)| ((*rel).to_owned(), json!(u)))
                .collect();
            let page: Vec<&PublicValue> = matching[start..end].iter().map(|&i| &all[i]).collect();
            Json(json!({
                "indicator": id,
                "run_id": run.run.id,
                "total": total,
                "page": c.page,
                "page_size": c.page_size,
                "pages": pages,
                "links": named,
                "statuses": statuses,
                "values": page,
            }))
            .into_response()
        }
        Format::Csv(dialect) => {
            let body = ValuesCsvBody::new(all, matching, ValuesCsv::new(dialect, c.lang));
            let ct = match dialect {
                Dialect::Excel | Dialect::Spreadsheet => "text/csv; charset=utf-8",
                Dialect::Rfc4180 => "text/csv; charset=utf-8; header=present",
            };
            let suffix = if dialect == Dialect::Spreadsheet {
                "-excel"
            } else {
                ""
            };
            attachment(Body::new(body), ct, &format!("{id}{suffix}.csv"))
        }
        Format::Xlsx => {
            let lang = c.lang;
            let bytes = tokio::task::spawn_blocking(move || {
                crate::xlsx::values_xlsx(matching.iter().map(|&i| &all[i]), lang)
            })
            .await
            .map_err(Problem::internal)?
            .map_err(Problem::internal)?;
            attachment(
                Body::from(bytes),
                crate::xlsx::XLSX_MEDIA_TYPE,
                &format!("{id}.xlsx"),
            )
        }
    };
    if !links.is_empty() {
        let link_header = links
            .iter()
            .map(|(u, rel)| format!("<{u}>; rel=\"{rel}\""))
            .collect::<Vec<_>>()
            .join(", ");
        if let Ok(v) = HeaderValue::from_str(&link_header) {
            res.headers_mut().insert(header::LINK, v);
        }
    }
    if let Ok(v) = HeaderValue::from_str(&total.to_string()) {
        res.headers_mut().insert("x-total-count", v);
    }
    set_etag(res.headers_mut(), &etag, access);
    Ok(res)
}

/// A download: its body, media type and `Content-Disposition: attachment` file name.
fn attachment(body: Body, ct: &'static str, file: &str) -> Response {
    let mut res = body.into_response();
    res.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(ct));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{file}\"")) {
        res.headers_mut().insert(header::CONTENT_DISPOSITION, v);
    }
    res
}

/// Whether the request's `If-None-Match` matches `etag` (RFC 9110 §13.1.2): `*`, or any entity
/// tag of its comma-separated lists (every `If-None-Match` field) equal to `etag` by weak
/// comparison — `W/"x"` matches `"x"` and the other way round. A field that is not a valid list
/// matches nothing.
pub(crate) fn if_none_match(headers: &HeaderMap, etag: &str) -> bool {
    let ours = opaque_tag(etag).unwrap_or(etag);
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|list| {
            list.trim() == "*" || entity_tags(list).is_some_and(|tags| tags.contains(&ours))
        })
}

/// The opaque part (with its quotes) of an entity tag `"x"` or `W/"x"`.
fn opaque_tag(tag: &str) -> Option<&str> {
    let t = tag.trim();
    let t = t.strip_prefix("W/").unwrap_or(t);
    (t.len() >= 2 && t.starts_with('"') && t.ends_with('"') && !t[1..t.len() - 1].contains('"'))
        .then_some(t)
}

/// The opaque tags of an `If-None-Match` list (`"a", W/"b"`), quotes kept; `None` when it is
/// not a list of entity tags. A comma inside quotes belongs to the tag.
fn entity_tags(list: &str) -> Option<Vec<&str>> {
    let mut tags = Vec::new();
    let mut rest = list;
    loop {
        rest = rest.trim_start_matches([' ', '\t', ',']);
        if rest.is_empty() {
            return Some(tags);
        }
        let body = rest.strip_prefix("W/").unwrap_or(rest);
        let inner = body.strip_prefix('"')?;
        let close = inner.find('"')?;
        tags.push(&body[..close + 2]);
        rest = &inner[close + 1..];
        let next = rest.trim_start_matches([' ', '\t']);
        if !(next.is_empty() || next.starts_with(',')) {
            return None;
        }
        rest = next;
    }
}

/// The checked parameters as a query string prefix ending in `&` (without `page`; a download
/// has no `page_size` either: it is every row).
fn canonical_query(c: &Checked, format: Format) -> String {
    let mut s = String::new();
    let mut add = |k: &str, v: &Option<String>| {
        if let Some(v) = v {
            s.push_str(k);
            s.push('=');
            s.push_str(&v.replace('+', "%2B"));
            s.push('&');
        }
    };
    add("region", &c.filter.region);
    add("period", &c.filter.period);
    add("level", &c.filter.level);
    add(
        "period_type",
        &c.filter.period_type.map(|k| k.code().to_owned()),
    );
    add("kon", &c.filter.kon);
    add("aldersgrupp", &c.filter.aldersgrupp);
    add("format", &c.format_code);
    if c.page_size != DEFAULT_PAGE_SIZE && !format.is_download() {
        add("page_size", &Some(c.page_size.to_string()));
    }
    if c.lang != Lang::Sv {
        add("lang", &Some(c.lang.code().to_owned()));
    }
    s
}

/// `Cache-Control` and `Vary` of a response for `access`: public responses may be cached for
/// five minutes by anyone, others only privately.
pub(crate) fn set_cache(h: &mut HeaderMap, access: Access) {
    let v = match access {
        Access::Public => "public, max-age=300",
        _ => "private, no-cache",
    };
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(v));
    h.insert(
        header::VARY,
        HeaderValue::from_static("Accept, Authorization, Cookie"),
    );
}

fn set_etag(h: &mut HeaderMap, etag: &str, access: Access) {
    if let Ok(v) = HeaderValue::from_str(etag) {
        h.insert(header::ETAG, v);
    }
    set_cache(h, access);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(values: &[&str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for v in values {
            h.append(header::IF_NONE_MATCH, HeaderValue::from_str(v).unwrap());
        }
        h
    }

    #[test]
    fn if_none_match_compares_weakly_over_lists_and_fields() {
        let ours = "\"abc\"";
        for matching in [
            vec!["\"abc\""],
            vec!["W/\"abc\""],
            vec!["*"],
            vec!["\"x\", W/\"abc\""],
            vec!["\"x\",\"abc\""],
            vec!["\"x\"", "\"abc\""],
            vec!["  \"y\" ,  \"abc\"  "],
        ] {
            assert!(if_none_match(&with(&matching), ours), "{matching:?}");
        }
        assert!(if_none_match(&with(&["\"abc\""]), "W/\"abc\""));
        for other in [
            vec![],
            vec!["\"abcd\""],
            vec!["abc"],
            vec!["\"a,bc\""],
            vec!["W/abc"],
            vec!["\"x\" \"abc\""],
            vec!["w/\"abc\""],
        ] {
            assert!(!if_none_match(&with(&other), ours), "{other:?}");
        }
        assert_eq!(
            entity_tags("\"a,b\", W/\"c\""),
            Some(vec!["\"a,b\"", "\"c\""])
        );
        assert_eq!(entity_tags("\"open"), None);
    }
}
