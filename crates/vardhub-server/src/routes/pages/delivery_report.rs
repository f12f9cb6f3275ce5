//! Kvalitetsrapporten / one delivery's quality report as a page (`/leveranser/{id}`), reached
//! from the deliveries matrix.
//!
//! Who sees it: national analysts and administrators every delivery's; a region analyst only its
//! own region's — another region's id answers 404, exactly as an unknown id, so that existence
//! does not leak; any other logged-in role 403; not logged in, a redirect to the login page.
//! The issues are listed with their rule, place and message, never the offending value.

use super::{Base, message, render};
use crate::auth::{Caller, Role};
use crate::i18n::{Lang, region_name};
use crate::problem::Problem;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::header::LOCATION;
use axum::http::{HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use vardhub_ingest::{Severity, ValidationReport};
use vardhub_store::DeliveryStatus;

/// At most this many issues are listed on the page (the counts are always complete).
const MAX_ISSUES: usize = 500;

/// One issue as shown.
pub struct IssueRow {
    severity: String,
    rule: String,
    file: String,
    row: String,
    field: String,
    message: String,
}

#[derive(Template)]
#[template(path = "delivery_report.html")]
struct DeliveryReportPage {
    base: Base,
    t: Lang,
    id: String,
    facts: Vec<(String, String)>,
    tables: Vec<(String, u64, u64, u64)>,
    counts: Vec<(String, u64, u64)>,
    issues: Vec<IssueRow>,
    not_listed: u64,
}

/// The status of a delivery in words.
pub(super) fn status_words(s: DeliveryStatus, lang: Lang) -> &'static str {
    match s {
        DeliveryStatus::Accepted => lang.pick("godkänd", "accepted"),
        DeliveryStatus::AcceptedWithWarnings => {
            lang.pick("godkänd med varningar", "accepted with warnings")
        }
        DeliveryStatus::Rejected => lang.pick("avvisad", "rejected"),
        DeliveryStatus::Held => {
            lang.pick("vilande – behöver bekräftas", "held – needs confirmation")
        }
    }
}

fn not_found(base: Base) -> Response {
    let lang = base.lang;
    message(
        StatusCode::NOT_FOUND,
        base,
        lang.pick("Leveransen finns inte", "No such delivery"),
        lang.pick(
            "Det finns ingen leverans med den beteckningen som du kan se.",
            "There is no delivery with that id that you can see.",
        ),
    )
}

/// `GET /leveranser/{id}`: one delivery's quality report.
pub async fn delivery_report(
    State(state): State<AppState>,
    caller: Caller,
    lang: Lang,
    uri: Uri,
    Path(id): Path<String>,
) -> Result<Response, Problem> {
    let base = Base::new(lang, &caller, &uri);
    let Some(principal) = caller.0.as_ref() else {
        let mut res = StatusCode::SEE_OTHER.into_response();
        res.headers_mut().insert(
            LOCATION,
            HeaderValue::from_static("/logga-in?next=/leveranser"),
        );
        return Ok(res);
    };
    let own: Option<&str> = match (principal.role, principal.region) {
        (Role::National | Role::Admin, _) => None,
        (Role::Region, Some(r)) => Some(r.as_str()),
        _ => {
            return Ok(message(
                StatusCode::FORBIDDEN,
                base,
                lang.pick("Ingen behörighet", "Not permitted"),
                lang.pick(
                    "Kvalitetsrapporterna är till för regionanalytiker (den egna regionen) och nationella analytiker.",
                    "The quality reports are for region analysts (their own region) and national analysts.",
                ),
            ));
        }
    };
    let Some((d, report_json)) = state.hub().delivery(&id).await.map_err(Problem::internal)? else {
        return Ok(not_found(base));
    };
    if own.is_some_and(|r| r != d.region) {
        return Ok(not_found(base));
    }
    let mut facts = vec![
        (
            lang.pick("Samling", "Collection").to_owned(),
            d.collection.clone(),
        ),
        (
            "Region".to_owned(),
            format!("{} ({})", region_name(&d.region, lang), d.region),
        ),
        (lang.pick("Månad", "Month").to_owned(), d.period.clone()),
        (
            lang.pick("Version", "Version").to_owned(),
            d.version.to_string(),
        ),
        ("Status".to_owned(), status_words(d.status, lang).to_owned()),
        (
            lang.pick("Aktuell leverans", "Current delivery").to_owned(),
            if d.current {
                lang.pick("ja", "yes")
            } else {
                lang.pick("nej", "no")
            }
            .to_owned(),
        ),
        (
            lang.pick("Mottagen", "Received").to_owned(),
            d.received_at.clone(),
        ),
        (
            lang.pick("Rader mottagna", "Rows received").to_owned(),
            d.rows_received.to_string(),
        ),
        (
            lang.pick("Rader publicerade", "Rows published").to_owned(),
            d.rows_published.to_string(),
        ),
        (lang.pick("Fel", "Errors").to_owned(), d.errors.to_string()),
        (
            lang.pick("Varningar", "Warnings").to_owned(),
            d.warnings.to_string(),
        ),
    ];
    if let Some(by) = &d.superseded_by {
        facts.push((
            lang.pick("Ersatt av", "Superseded by").to_owned(),
            by.clone(),
        ));
    }
    let report: Option<ValidationReport> = serde_json::from_str(&report_json).ok();
    let (mut tables, mut counts, mut issues, mut not_listed) =
        (Vec::new(), Vec::new(), Vec::new(), 0);
    if let Some(r) = report {
        tables = r
            .tables
            .iter()
            .map(|t| {
                (
                    t.table.clone(),
                    t.rows_read,
                    t.rows_valid,
                    t.rows_with_errors,
                )
            })
            .collect();
        counts = r
            .counts
            .iter()
            .map(|(rule, c)| (rule.clone(), c.errors, c.warnings))
            .collect();
        not_listed = r.issues_not_listed + r.issues.len().saturating_sub(MAX_ISSUES) as u64;
        issues = r
            .issues
            .iter()
            .take(MAX_ISSUES)
            .map(|i| IssueRow {
                severity: match i.severity {
                    Severity::Warning => lang.pick("varning", "warning"),
                    Severity::Error => lang.pick("fel", "error"),
                    Severity::Fatal => lang.pick("avvisande fel", "fatal error"),
                }
                .to_owned(),
                rule: i.rule.to_string(),
                file: i.file.clone().unwrap_or_default(),
                row: i.row.map(|r| r.to_string()).unwrap_or_default(),
                field: i.field.clone().unwrap_or_default(),
                message: lang.pick(&i.message_sv, &i.message_en).to_owned(),
            })
            .collect();
    }
    Ok(render(&DeliveryReportPage {
        base,
        t: lang,
        id: d.id.clone(),
        facts,
        tables,
        counts,
        issues,
        not_listed,
    }))
}
