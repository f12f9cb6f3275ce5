//! Katalogmetadata / catalogue metadata: `GET /api/v1/catalog/dcat` — the hub's collections,
//! indicators and published analyses as a DCAT catalogue, open and anonymous.
//!
//! `?profile=healthdcat-ap` (default; HealthDCAT-AP release 8, for the EHDS) or `dcat-ap-se`
//! (for dataportal.se); the format from `?format=ttl|jsonld|rdf` or else the `Accept` header
//! (Turtle when it accepts anything). Every IRI is under the request's own host (`Host`, or the
//! authority of an absolute request URI), `https` when the hub is configured behind TLS. The
//! graph comes from `vardhub_ops::dcat` over the server's definitions and the catalogue facts
//! of the moment: the current deliveries, the latest official run and the months each
//! indicator is published for in the public view.

use crate::auth::{Access, Caller};
use crate::problem::Problem;
use crate::routes::api::set_cache;
use crate::state::AppState;
use axum::extract::{Query, State};
use axum::http::header::{self, HeaderMap, HeaderValue};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, get};
use serde::Deserialize;
use std::collections::BTreeMap;
use vardhub_domain::{Period, ReportPeriod};
use vardhub_ops::dcat::{
    self, BaseUrl, CatalogueFacts, CollectionFacts, ExternalFacts, Format, Profile, Publisher,
    RunFacts, Served,
};

/// The catalogue route's path.
pub const PATH: &str = "/api/v1/catalog/dcat";

/// This module's API routes: `(path, method, handler)`; each is also in the OpenAPI document
/// (`assets/openapi/dcat.json`).
pub fn documented() -> Vec<(&'static str, &'static str, MethodRouter<AppState>)> {
    vec![(PATH, "get", get(catalogue))]
}

/// Query parameters of the catalogue.
#[derive(Debug, Default, Deserialize)]
pub struct DcatQuery {
    profile: Option<String>,
    format: Option<String>,
}

/// `GET /api/v1/catalog/dcat`.
pub async fn catalogue(
    State(state): State<AppState>,
    _caller: Caller,
    uri: Uri,
    headers: HeaderMap,
    query: Result<Query<DcatQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, Problem> {
    let Query(q) = query.map_err(|e| Problem::bad_request(e.body_text()))?;
    let profile = match q.profile.as_deref() {
        None => Profile::HealthDcatAp,
        Some(p) => Profile::parse(p)
            .ok_or_else(|| Problem::bad_request("profile: healthdcat-ap, dcat-ap-se".to_owned()))?,
    };
    let format = match q.format.as_deref() {
        Some(f) => Format::parse(f)
            .ok_or_else(|| Problem::bad_request("format: ttl, jsonld, rdf".to_owned()))?,
        None => negotiate(&headers).ok_or_else(|| {
            Problem::new(
                StatusCode::NOT_ACCEPTABLE,
                "tillgängliga format / available: text/turtle, application/ld+json, application/rdf+xml",
            )
        })?,
    };
    let host = uri
        .authority()
        .map(|a| a.as_str().to_owned())
        .or_else(|| {
            headers
                .get(header::HOST)
                .and_then(|h| h.to_str().ok())
                .map(str::to_owned)
        })
        .unwrap_or_default();
    let base = BaseUrl::new(state.config().secure_cookies, &host)
        .map_err(|e| Problem::bad_request(e.to_string()))?;
    let facts = facts(&state, base).await?;
    let defs = state.definitions();
    let graph = dcat::catalogue(&defs, &facts, profile);
    let body = dcat::render(&graph, format).map_err(Problem::internal)?;
    let mut res = (StatusCode::OK, body).into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(&format!("{}; charset=utf-8", format.media_type()))
            .map_err(Problem::internal)?,
    );
    set_cache(h, Access::Public);
    Ok(res)
}

/// The format an `Accept` header asks for: the acceptable RDF type of highest quality, Turtle
/// for `*/*`, `text/*` or no header; `None` when nothing acceptable is offered.
fn negotiate(headers: &HeaderMap) -> Option<Format> {
    let Some(accept) = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()) else {
        return Some(Format::Turtle);
    };
    let mut best: Option<(f32, Format)> = None;
    for item in accept.split(',') {
        let mut parts = item.split(';');
        let media = parts.next().unwrap_or("").trim().to_ascii_lowercase();
        let q = parts
            .filter_map(|p| p.trim().strip_prefix("q="))
            .find_map(|v| v.trim().parse::<f32>().ok())
            .unwrap_or(1.0);
        let format = match media.as_str() {
            "*/*" | "text/*" => Some(Format::Turtle),
            m => Format::from_media_type(m),
        };
        if let Some(f) = format
            && q > 0.0
            && best.is_none_or(|(bq, _)| q > bq)
        {
            best = Some((q, f));
        }
    }
    best.map(|(_, f)| f)
}

/// Whether the PxWeb tables are routed (read once from the route table).
static PXWEB_ROUTED: std::sync::OnceLock<bool> = std::sync::OnceLock::new();

/// The catalogue facts of the moment: one snapshot read, the latest official run and its
/// public view.
async fn facts(state: &AppState, base: BaseUrl) -> Result<CatalogueFacts, Problem> {
    let hub = state.hub();
    let snapshot = hub.snapshot(None, None).await.map_err(Problem::internal)?;
    let mut collections: BTreeMap<String, CollectionFacts> = BTreeMap::new();
    for d in &snapshot.deliveries {
        let Ok(period) = Period::parse(&d.period) else {
            continue;
        };
        let c = collections
            .entry(d.collection.clone())
            .or_insert_with(|| CollectionFacts {
                regions: Default::default(),
                first: period,
                last: period,
                rows: BTreeMap::new(),
                last_published: None,
            });
        c.regions.insert(d.region.clone());
        c.first = c.first.min(period);
        c.last = c.last.max(period);
        for f in &d.files {
            *c.rows.entry(f.table.clone()).or_insert(0) += f.rows;
        }
        if c.last_published.as_deref() < Some(d.published_at.as_str()) {
            c.last_published = Some(d.published_at.clone());
        }
    }
    let run = state.latest_run().await.map_err(Problem::internal)?;
    let mut indicator_months: BTreeMap<String, (Period, Period)> = BTreeMap::new();
    if let Some(r) = &run {
        let values = r
            .values(&state.definitions(), Access::Public)
            .await
            .map_err(Problem::internal)?;
        for v in values.iter() {
            let Ok(p) = ReportPeriod::parse(&v.period) else {
                continue;
            };
            let months = p.months();
            let (Some(first), Some(last)) = (months.iter().min(), months.iter().max()) else {
                continue;
            };
            let e = indicator_months
                .entry(v.indicator.clone())
                .or_insert((*first, *last));
            e.0 = e.0.min(*first);
            e.1 = e.1.max(*last);
        }
    }
    let pxweb = *PXWEB_ROUTED.get_or_init(|| {
        crate::routes::documented()
            .iter()
            .any(|(p, _, _)| *p == "/api/v2/tables/{id}/data")
    });
    // What `/api/v1/analyses/{id}` serves: the newest analysis run of each id.
    let analyses = crate::analyses::AnalysisCache::newest_runs(hub)
        .await
        .map_err(Problem::internal)?
        .into_iter()
        .map(|(id, run)| (id, run.finished_at))
        .collect();
    // The track-A tables, as `/api/v1/sources` serves them.
    let defs = state.definitions();
    let external = vardhub_ops::sources::published(hub, defs.policy())
        .await
        .map_err(Problem::internal)?
        .into_iter()
        .map(|t| ExternalFacts {
            source: t.source.id.to_owned(),
            source_sv: t.source.name_sv.to_owned(),
            source_en: t.source.name_en.to_owned(),
            publisher: t.source.publisher.to_owned(),
            url: t.source.url.to_owned(),
            pxweb_table: Some(crate::pxweb::sources::table_id(t.source.id, &t.indicator)),
            indicator: t.indicator,
            name: t.name,
            version: t.version,
            imported_at: t.imported_at,
        })
        .collect();
    Ok(CatalogueFacts {
        external,
        publisher: Publisher::hub(&base),
        base,
        synthetic: hub.is_synthetic(),
        collections,
        latest_run: run.as_ref().map(|r| RunFacts {
            id: r.run.id.clone(),
            finished_at: r.run.finished_at.clone(),
        }),
        indicator_months,
        analyses,
        served: Served {
            // `…/values?format=xlsx` is served by `crate::xlsx`.
            xlsx: !crate::xlsx::XLSX_MEDIA_TYPE.is_empty(),
            pxweb,
        },
    })
}
