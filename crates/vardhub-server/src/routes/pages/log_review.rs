//! Loggkontroll / log review as a page: the flags, the users and (for the hub's reviewers) the
//! regions over a span of Swedish days, with each region's CSV one link away. Who sees what is
//! decided in [`crate::log_review::scope`], as for the API.

use super::{Base, message, render};
use crate::auth::Caller;
use crate::i18n::{Lang, grouped};
use crate::log_review::{ReviewQuery, Scope, days, region_view, review, scope};
use crate::state::AppState;
use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::header::CACHE_CONTROL;
use axum::http::{HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use vardhub_domain::RegionCode;
use vardhub_store::log_review::{ChainCheck, UserSummary};

/// A user's row.
struct UserRow {
    user: String,
    region: String,
    microdata: String,
    downloads: String,
    reads: String,
    refused: String,
    night: String,
}

/// A count as the page language writes it (`12 345`, `12,345`).
fn count(n: usize, lang: Lang) -> String {
    grouped(n as f64, 0, lang)
}

fn user_row(u: &UserSummary, lang: Lang) -> UserRow {
    let t = u.totals();
    UserRow {
        user: u.user.clone(),
        region: u.user_region.clone().unwrap_or_else(|| "–".into()),
        microdata: u
            .microdata_regions
            .iter()
            .cloned()
            .collect::<Vec<_>>()
            .join(", "),
        downloads: count(t.downloads, lang),
        reads: count(t.other_reads, lang),
        refused: count(t.refused, lang),
        night: count(t.night, lang),
    }
}

/// A flag's row.
struct FlagRow {
    day: String,
    user: String,
    rule: String,
    reason: String,
}

#[derive(Template)]
#[template(path = "log_review.html")]
struct LogReviewPage {
    base: Base,
    t: Lang,
    from: String,
    to: String,
    regions: Vec<(String, String, bool)>,
    all: bool,
    verified: String,
    events: String,
    flags: Vec<FlagRow>,
    users: Vec<UserRow>,
    csv: Vec<(String, String)>,
}

/// `GET /loggkontroll`.
pub async fn log_review(
    State(state): State<AppState>,
    caller: Caller,
    lang: Lang,
    uri: Uri,
    q: Result<Query<ReviewQuery>, QueryRejection>,
) -> Response {
    let q = q.map(|Query(q)| q).unwrap_or_default();
    let base = || Base::new(lang, &caller, &uri);
    let refuse = |status: StatusCode, text: &str| {
        message(
            status,
            base(),
            lang.pick("Loggkontroll", "Log review"),
            text,
        )
    };
    let scope = match scope(&caller, q.region.as_deref()) {
        Ok(s) => s,
        Err(p) => {
            return refuse(
                StatusCode::from_u16(p.status).unwrap_or(StatusCode::FORBIDDEN),
                &p.detail,
            );
        }
    };
    let (from, to) = match days(&q) {
        Ok(d) => d,
        Err(p) => return refuse(StatusCode::BAD_REQUEST, &p.detail),
    };
    let report = match review(state.hub(), from, to).await {
        Ok(r) => r,
        Err(p) => {
            return refuse(
                StatusCode::from_u16(p.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
                &p.detail,
            );
        }
    };
    let verified = match report.chain {
        ChainCheck::Verified { entries } => format!(
            "{} {} {}",
            lang.pick("Loggen verifierad:", "Log verified:"),
            count(entries, lang),
            lang.pick("poster", "entries")
        ),
        ChainCheck::NotVerified => lang
            .pick(
                "Loggen kunde inte verifieras (ingen nyckel).",
                "The log could not be verified (no key).",
            )
            .to_owned(),
    };
    let flag_row = |f: &vardhub_store::log_review::Flag| FlagRow {
        day: f.day.to_string(),
        user: f.user.clone(),
        rule: f.rule.label().to_owned(),
        reason: f.reason.clone(),
    };
    let (events, flags, users, chosen) = match &scope {
        Scope::All => (
            report.events.len(),
            report.flags.iter().map(flag_row).collect(),
            report.users.iter().map(|u| user_row(u, lang)).collect(),
            String::new(),
        ),
        Scope::Region(r) => match region_view(&report, r, from, to) {
            Ok(v) => (
                v.events.len(),
                v.flags.iter().map(|f| flag_row(f)).collect(),
                v.users.iter().map(|u| user_row(u, lang)).collect(),
                v.region.clone(),
            ),
            Err(p) => return refuse(StatusCode::BAD_REQUEST, &p.detail),
        },
    };
    let csv = RegionCode::all()
        .filter(|r| matches!(scope, Scope::All) || r.as_str() == chosen)
        .map(|r| {
            (
                r.name().to_owned(),
                format!(
                    "/api/v1/audit/review?from={from}&to={to}&region={}&format=csv",
                    r.as_str()
                ),
            )
        })
        .collect();
    let page = LogReviewPage {
        t: lang,
        from: from.to_string(),
        to: to.to_string(),
        all: matches!(scope, Scope::All) || caller.0.as_ref().is_some_and(|p| p.region.is_none()),
        regions: RegionCode::all()
            .map(|r| {
                (
                    r.as_str().to_owned(),
                    r.name().to_owned(),
                    r.as_str() == chosen,
                )
            })
            .collect(),
        verified,
        events: count(events, lang),
        flags,
        users,
        csv,
        base: base(),
    };
    let mut res = render(&page);
    res.headers_mut()
        .insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res.into_response()
}
