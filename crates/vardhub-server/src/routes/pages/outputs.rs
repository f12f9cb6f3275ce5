//! Utdatagranskning / output checking as a page (`/forskning/utdata`).
//!
//! The checker (centre staff, administrator) sees every submitted output: project, output id,
//! submitter, date, the machine verdict with each rule that fired in words, the table's cells,
//! and for an undecided output a decision form (approve or refuse, with a reason) posting to
//! `/forskning/utdata/{id}/beslut`, which calls the same operation as the API
//! ([`crate::routes::outputs::decide_as`]); a done decision goes back to the page
//! (post/redirect/get), a refused one shows the page again with the reason. A researcher sees
//! the outputs of their own projects and their statuses, without forms. Every response is
//! `Cache-Control: no-store` (it names users).

use super::{Base, render};
use crate::auth::{Caller, Principal};
use crate::i18n::{Lang, grouped};
use crate::problem::Problem;
use crate::routes::outputs::{
    DecisionBody, OutputView, Scope, is_checker, may_decide, no_store, scope, visible,
};
use crate::state::AppState;
use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::header::LOCATION;
use axum::http::{HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};

/// The page's address.
const PAGE: &str = "/forskning/utdata";

struct CellRow {
    label: String,
    count: String,
    total: String,
    verdict: String,
    flagged: bool,
}

struct DecisionRow {
    decision: String,
    checker: String,
    reason: String,
    at: String,
    recheck: String,
}

struct OutputRow {
    id: i64,
    project: String,
    output_id: String,
    submitted_by: String,
    submitted_at: String,
    status: String,
    pending: bool,
    verdict: String,
    review: bool,
    flags: Vec<String>,
    cells: Vec<CellRow>,
    decision: Option<DecisionRow>,
}

fn when(rfc3339: &str) -> String {
    format!(
        "{} UTC",
        rfc3339.get(..16).unwrap_or(rfc3339).replace('T', " ")
    )
}

fn verdict_label(v: &str, t: Lang) -> String {
    match v {
        "pass" => t.pick(
            "Inga regler slog till (granskaren beslutar)",
            "No rule fired (the checker decides)",
        ),
        _ => t.pick("Kräver granskning", "Review required"),
    }
    .to_owned()
}

fn status_label(s: &str, t: Lang) -> String {
    match s {
        "approved" => t.pick("Godkänd för utlämning", "Approved for release"),
        "refused" => t.pick("Avslagen", "Refused"),
        _ => t.pick("Väntar på beslut", "Awaiting decision"),
    }
    .to_owned()
}

/// A magnitude as a Swedish or English number with at most two decimals, thousands grouped.
fn number(v: f64, t: Lang) -> String {
    let s = format!("{v:.2}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    let decimals = s.split_once('.').map_or(0, |(_, d)| d.len());
    grouped(v, decimals, t)
}

fn row(o: &OutputView, t: Lang) -> OutputRow {
    let cells = o
        .table
        .cells
        .iter()
        .map(|c| {
            let flagged = o.check.flags.iter().any(|f| f.cell == c.label);
            CellRow {
                label: c.label.clone(),
                count: grouped(c.count as f64, 0, t),
                total: c
                    .magnitude
                    .as_ref()
                    .map_or(String::new(), |m| number(m.total, t)),
                verdict: if flagged {
                    t.pick("flaggad", "flagged")
                } else {
                    t.pick("ingen flagga", "no flag")
                }
                .to_owned(),
                flagged,
            }
        })
        .collect();
    OutputRow {
        id: o.id,
        project: o.project.clone(),
        output_id: o.output_id.clone(),
        submitted_by: o.submitted_by.clone(),
        submitted_at: when(&o.submitted_at),
        status: status_label(o.status, t),
        pending: o.decision.is_none(),
        verdict: verdict_label(&o.check.verdict, t),
        review: o.check.verdict != "pass",
        flags: o
            .check
            .flags
            .iter()
            .map(|f| t.pick(&f.message_sv, &f.message_en).to_owned())
            .collect(),
        cells,
        decision: o.decision.as_ref().map(|d| DecisionRow {
            decision: status_label(d.decision, t),
            checker: d.checker.clone(),
            reason: d.reason.clone(),
            at: when(&d.decided_at),
            recheck: verdict_label(&d.check.verdict, t),
        }),
    }
}

#[derive(Template)]
#[template(path = "outputs.html")]
struct OutputsPage {
    base: Base,
    t: Lang,
    checker: bool,
    /// A researcher who is a member of no project.
    no_projects: bool,
    pending: Vec<OutputRow>,
    decided: Vec<OutputRow>,
    /// A refused decision.
    refusal: Option<Refusal>,
}

/// A decision the operation refused: on which output, why, and the reason the checker wrote
/// (shown again in the form).
struct Refusal {
    id: i64,
    detail: String,
    reason: String,
}

fn see_other(to: &str) -> Response {
    let mut res = StatusCode::SEE_OTHER.into_response();
    if let Ok(v) = HeaderValue::from_str(to) {
        res.headers_mut().insert(LOCATION, v);
    }
    res
}

fn forbidden(lang: Lang, caller: &Caller, uri: &Uri) -> Response {
    no_store(super::message(
        StatusCode::FORBIDDEN,
        Base::new(lang, caller, uri),
        lang.pick("Ingen behörighet", "Not permitted"),
        lang.pick(
            "Utdatagranskningen är till för forskare i godkända projekt och kompetenscentrumets granskare.",
            "Output checking is for researchers in approved projects and the competence centre's checkers.",
        ),
    ))
}

/// Render the page for `p`, with a refused decision's error when there is one.
async fn show(
    state: &AppState,
    caller: &Caller,
    p: &Principal,
    lang: Lang,
    uri: &Uri,
    status: StatusCode,
    refusal: Option<Refusal>,
) -> Response {
    let scope = match scope(state, p).await {
        Ok(s) => s,
        Err(problem) if problem.status == 403 => return forbidden(lang, caller, uri),
        Err(problem) => return problem.into_response(),
    };
    let outputs = match visible(state, &scope, None).await {
        Ok(o) => o,
        Err(problem) => return problem.into_response(),
    };
    let (pending, decided): (Vec<_>, Vec<_>) = outputs
        .iter()
        .map(|o| row(o, lang))
        .partition(|r| r.pending);
    let page = OutputsPage {
        base: Base::new(lang, caller, uri),
        t: lang,
        checker: is_checker(p.role),
        no_projects: matches!(&scope, Scope::Projects(p) if p.is_empty()),
        pending,
        decided,
        refusal,
    };
    no_store((status, render(&page)).into_response())
}

/// `GET /forskning/utdata`: 303 to the login page when not logged in.
pub async fn outputs(
    State(state): State<AppState>,
    caller: Caller,
    lang: Lang,
    uri: Uri,
) -> Response {
    let Some(p) = caller.0.as_ref() else {
        return see_other(&format!("/logga-in?next={PAGE}"));
    };
    show(&state, &caller, p, lang, &uri, StatusCode::OK, None).await
}

/// `POST /forskning/utdata/{id}/beslut` (form fields `decision`, `reason`): the checker's
/// decision; back to the page when recorded, the page with the reason when refused.
pub async fn output_decision(
    State(state): State<AppState>,
    caller: Caller,
    lang: Lang,
    Path(id): Path<String>,
    Form(form): Form<DecisionBody>,
) -> Response {
    let Some(p) = caller.0.as_ref() else {
        return see_other(&format!("/logga-in?next={PAGE}"));
    };
    let page: Uri = Uri::from_static(PAGE);
    if may_decide(p).is_err() {
        return forbidden(lang, &caller, &page);
    }
    let Ok(id) = id.parse::<i64>() else {
        return super::not_found_page(lang);
    };
    match crate::routes::outputs::decide_as(&state, p, id, &form).await {
        Ok(_) => see_other(&format!("{PAGE}?lang={}#utdata-{id}", lang.code())),
        Err(problem) if problem.status == 404 => super::not_found_page(lang),
        Err(problem) if problem.status >= 500 => problem.into_response(),
        Err(problem) => {
            let status =
                StatusCode::from_u16(problem.status).unwrap_or(StatusCode::UNPROCESSABLE_ENTITY);
            let Problem { detail, .. } = problem;
            show(
                &state,
                &caller,
                p,
                lang,
                &page,
                status,
                Some(Refusal {
                    id,
                    detail,
                    reason: form.reason,
                }),
            )
            .await
        }
    }
}
