//! `GET /api/v1/audit/review`: loggkontroll over the verified audit log (see
//! [`crate::log_review`] for who may review what). JSON (the whole report for every region, or
//! one region's part) or one region's CSV (`format=csv`, events; `daily=true`, counts per user and
//! day) in the dialect Swedish spreadsheets open. Sent `Cache-Control: no-store`: the report
//! names users.

use crate::auth::Caller;
use crate::log_review::{ReviewQuery, Scope, days, problem, region_view, review, scope};
use crate::problem::Problem;
use crate::state::AppState;
use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::HeaderValue;
use axum::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};

/// `GET /api/v1/audit/review`.
pub async fn review_log(
    State(state): State<AppState>,
    caller: Caller,
    q: Result<Query<ReviewQuery>, QueryRejection>,
) -> Result<Response, Problem> {
    let Query(q) = q.map_err(|e| Problem::bad_request(e.body_text()))?;
    let scope = scope(&caller, q.region.as_deref())?;
    let (from, to) = days(&q)?;
    let report = review(state.hub(), from, to).await?;
    let csv = match q.format.as_deref() {
        None | Some("json") => false,
        Some("csv") => true,
        Some(_) => return Err(Problem::not_acceptable()),
    };
    let mut res = match (&scope, csv) {
        (Scope::All, false) => Json(&report).into_response(),
        (Scope::Region(r), false) => Json(region_view(&report, r, from, to)?).into_response(),
        (Scope::All, true) => {
            return Err(Problem::bad_request(
                "CSV gäller en region: ange region / CSV is per region: give region",
            ));
        }
        (Scope::Region(r), true) => {
            let body = if q.daily.unwrap_or(false) {
                report.daily_csv_for_region(r)
            } else {
                report.csv_for_region(r)
            }
            .map_err(problem)?;
            let mut res = body.into_response();
            res.headers_mut().insert(
                CONTENT_TYPE,
                HeaderValue::from_static("text/csv; charset=utf-8; header=present"),
            );
            let kind = if q.daily.unwrap_or(false) {
                "per-dag"
            } else {
                "handelser"
            };
            if let Ok(v) = HeaderValue::from_str(&format!(
                "attachment; filename=\"loggkontroll-{r}-{from}-{to}-{kind}.csv\""
            )) {
                res.headers_mut().insert(CONTENT_DISPOSITION, v);
            }
            res
        }
    };
    res.headers_mut()
        .insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(res)
}
