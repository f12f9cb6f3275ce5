//! Utdatagranskning och avgifter i API:t / output checking and fees over the API.
//!
//! * `POST /api/v1/research/outputs` (a researcher who is a member of the project,
//!   `vardhub research member add`): submit an output table of a research project; the machine
//!   checks it against the server's disclosure policy and the project's approved outputs
//!   ([`vardhub_ops::outputs::submit`]) and answers 201 with the stored output and the machine
//!   report. The machine never approves.
//! * `GET /api/v1/research/outputs[?project=]` and `GET …/{id}`: the centre's staff and
//!   administrators see every output; a researcher sees the outputs of their own projects; others
//!   are refused.
//! * `POST /api/v1/research/outputs/{id}/decision` (centre staff, administrator: the checker)
//!   records the human decision ([`vardhub_ops::outputs::decide`]).
//! * `GET /api/v1/fees/invoice?subject=&from=&to=[&format=csv]` (centre staff, decision-maker,
//!   administrator): the invoice basis of a case or project over a period
//!   ([`vardhub_ops::fees::invoice_basis`]) under the definitions' fee model, as JSON or as the
//!   Swedish CSV a finance department reads.
//!
//! Every response names users, so every one is sent `Cache-Control: no-store`. Errors are problem
//! details: 400 a body or query that is not the form, 401 without login, 403 a role or project
//! that may not, 404 an unknown output, 409 a decision made already (or an output id taken), 422
//! a field that breaks a rule.

use crate::auth::{Caller, Principal, Role};
use crate::problem::Problem;
use crate::state::AppState;
use axum::Json;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE, LOCATION};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use vardhub_domain::research::ProjectId;
use vardhub_engine::output_check::{Flag, OutputTable};
use vardhub_ops::fees::{self, FeesError};
use vardhub_ops::outputs::{self as ops, OutputsError};
use vardhub_store::output_checks::{MachineCheck, OutputDecision, OutputRecordError, StoredOutput};
use vardhub_store::work_log::{Subject, WorkLogError};

/// Whether a role checks outputs (and sees every project's).
pub fn is_checker(role: Role) -> bool {
    matches!(role, Role::CentreStaff | Role::Admin)
}

/// An output operation's error as a problem.
pub fn problem(e: OutputsError) -> Problem {
    let unprocessable =
        |e: &OutputsError| Problem::new(StatusCode::UNPROCESSABLE_ENTITY, e.to_string());
    match &e {
        OutputsError::Json(_) | OutputsError::Table(_) | OutputsError::IdentityNumber { .. } => {
            unprocessable(&e)
        }
        OutputsError::Record(r) => match r {
            OutputRecordError::NotFound(_) => Problem::not_found(e.to_string()),
            OutputRecordError::SelfCheck(_) => Problem::forbidden(e.to_string()),
            OutputRecordError::AlreadyDecided { .. }
            | OutputRecordError::Duplicate { .. }
            | OutputRecordError::Stale => Problem::new(StatusCode::CONFLICT, e.to_string()),
            OutputRecordError::ReasonRequired(_) | OutputRecordError::Invalid(_) => {
                unprocessable(&e)
            }
            OutputRecordError::Store(err) => Problem::internal(err),
        },
        OutputsError::Stored(..) => Problem::internal(&e),
    }
}

/// One rule that fired on one cell, in words.
#[derive(Debug, Clone, Serialize)]
pub struct FlagView {
    /// The cell's label.
    pub cell: String,
    /// `small_cell`, `dominance` or `differencing`.
    pub rule: &'static str,
    /// The reason in Swedish.
    pub message_sv: String,
    /// The reason in English.
    pub message_en: String,
}

/// A machine check as shown: verdict, the approved outputs compared against, the flags and the
/// full report.
#[derive(Debug, Clone, Serialize)]
pub struct CheckView {
    /// `pass` or `review_required` (never an approval).
    pub verdict: String,
    /// Submission ids of the project's approved outputs compared against (differencing).
    pub earlier: Vec<i64>,
    /// Every rule that fired, cell by cell.
    pub flags: Vec<FlagView>,
    /// The machine report as stored.
    pub report: Value,
}

/// A human decision as shown.
#[derive(Debug, Clone, Serialize)]
pub struct DecisionView {
    /// `approved` or `refused`.
    pub decision: &'static str,
    /// Why.
    pub reason: String,
    /// The checker.
    pub checker: String,
    /// When (RFC 3339).
    pub decided_at: String,
    /// The machine check run again at the decision.
    pub check: CheckView,
}

/// A submitted output as shown over the API and on the page.
#[derive(Debug, Clone, Serialize)]
pub struct OutputView {
    /// Submission id.
    pub id: i64,
    /// The research project.
    pub project: String,
    /// The output's own id.
    pub output_id: String,
    /// Who submitted it.
    pub submitted_by: String,
    /// When (RFC 3339).
    pub submitted_at: String,
    /// `pending`, `approved` or `refused`.
    pub status: &'static str,
    /// The output table.
    pub table: OutputTable,
    /// The machine check at submission.
    pub check: CheckView,
    /// The decision, once made.
    pub decision: Option<DecisionView>,
}

fn check_view(id: i64, c: &MachineCheck) -> Result<CheckView, OutputsError> {
    let report = ops::report_json(c)?;
    let mut flags = Vec::new();
    for cell in report["cells"].as_array().into_iter().flatten() {
        for f in cell["flags"].as_array().into_iter().flatten() {
            let f: Flag = serde_json::from_value(f.clone())
                .map_err(|e| OutputsError::Stored(id, e.to_string()))?;
            flags.push(FlagView {
                rule: f.reason.rule(),
                message_sv: f.message_sv(),
                message_en: f.message_en(),
                cell: f.cell,
            });
        }
    }
    Ok(CheckView {
        verdict: c.verdict.clone(),
        earlier: c.earlier.clone(),
        flags,
        report,
    })
}

/// The view of a stored output.
pub fn view(o: &StoredOutput) -> Result<OutputView, OutputsError> {
    let table: OutputTable = serde_json::from_str(&o.table_json)
        .map_err(|e| OutputsError::Stored(o.id, e.to_string()))?;
    let decision = match &o.decision {
        None => None,
        Some(d) => Some(DecisionView {
            decision: d.decision.as_str(),
            reason: d.reason.clone(),
            checker: d.checker.clone(),
            decided_at: d.decided_at.clone(),
            check: check_view(o.id, &d.check)?,
        }),
    };
    Ok(OutputView {
        id: o.id,
        project: o.project.clone(),
        output_id: o.output_id.clone(),
        submitted_by: o.submitted_by.clone(),
        submitted_at: o.submitted_at.clone(),
        status: decision.as_ref().map_or("pending", |d| d.decision),
        table,
        check: check_view(o.id, &o.check)?,
        decision,
    })
}

/// Which outputs a user may see.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// Every project's (the checkers).
    All,
    /// Those of these projects (a researcher's own).
    Projects(Vec<String>),
}

impl Scope {
    /// Whether outputs of `project` are visible.
    pub fn sees(&self, project: &str) -> bool {
        match self {
            Scope::All => true,
            Scope::Projects(p) => p.iter().any(|p| p == project),
        }
    }
}

/// The logged-in user, or 401.
pub fn logged_in(caller: &Caller) -> Result<&Principal, Problem> {
    caller
        .0
        .as_ref()
        .ok_or_else(|| Problem::unauthorized("logga in för att göra detta / log in to do this"))
}

/// What `p` may see of outputs: everything (centre staff, administrator), their projects'
/// (researcher), nothing (403).
pub async fn scope(state: &AppState, p: &Principal) -> Result<Scope, Problem> {
    if is_checker(p.role) {
        return Ok(Scope::All);
    }
    if p.role != Role::Researcher {
        return Err(Problem::forbidden(
            "utdatagranskning är för forskare och kompetenscentrumet / output checking is for researchers and the competence centre",
        ));
    }
    let projects = state
        .hub()
        .research_member_projects(&p.name)
        .await
        .map_err(Problem::internal)?;
    Ok(Scope::Projects(
        projects.iter().map(|p| p.as_str().to_owned()).collect(),
    ))
}

/// The outputs `scope` sees, of `project` if given, oldest first.
pub async fn visible(
    state: &AppState,
    scope: &Scope,
    project: Option<&str>,
) -> Result<Vec<OutputView>, Problem> {
    if let Some(p) = project
        && !scope.sees(p)
    {
        return Err(not_member(p));
    }
    let all = ops::list(state.hub(), project).await.map_err(problem)?;
    all.iter()
        .filter(|o| scope.sees(&o.project))
        .map(|o| view(o).map_err(problem))
        .collect()
}

fn not_member(project: &str) -> Problem {
    Problem::forbidden(format!(
        "du är inte medlem i projektet {project} / you are not a member of the project"
    ))
}

/// `Cache-Control: no-store`.
pub fn no_store(mut res: Response) -> Response {
    res.headers_mut()
        .insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

fn body<T>(b: Result<Json<T>, JsonRejection>) -> Result<T, Problem> {
    b.map(|Json(t)| t).map_err(|e| {
        Problem::bad_request(format!("ogiltig JSON / invalid JSON: {}", e.body_text()))
    })
}

/// The body of `POST /api/v1/research/outputs`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SubmitBody {
    /// The research project.
    project: String,
    /// The output table.
    output: OutputTable,
}

/// `POST /api/v1/research/outputs`: a member researcher submits an output for checking.
pub async fn submit(
    State(state): State<AppState>,
    caller: Caller,
    b: Result<Json<SubmitBody>, JsonRejection>,
) -> Result<Response, Problem> {
    let p = logged_in(&caller)?;
    if p.role != Role::Researcher {
        return Err(Problem::forbidden(
            "bara forskare i projektet lämnar in utdata / only the project's researchers submit outputs",
        ));
    }
    let b = body(b)?;
    let project = ProjectId::parse(b.project.trim()).map_err(|_| not_member(&b.project))?;
    let member = state
        .hub()
        .is_research_member(&project, &p.name)
        .await
        .map_err(Problem::internal)?;
    if !member {
        return Err(not_member(project.as_str()));
    }
    let defs = state.definitions();
    let checked = ops::submit(
        state.hub(),
        defs.policy(),
        project.as_str(),
        &b.output,
        &p.name,
    )
    .await
    .map_err(problem)?;
    let v = view(&checked.stored).map_err(problem)?;
    let mut res = (StatusCode::CREATED, Json(v)).into_response();
    if let Ok(l) = HeaderValue::from_str(&format!("/api/v1/research/outputs/{}", checked.stored.id))
    {
        res.headers_mut().insert(LOCATION, l);
    }
    Ok(no_store(res))
}

/// The query of `GET /api/v1/research/outputs`.
#[derive(Debug, Deserialize)]
pub struct ListQuery {
    /// Only this project's outputs.
    project: Option<String>,
}

/// `GET /api/v1/research/outputs[?project=]`.
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    q: Result<Query<ListQuery>, QueryRejection>,
) -> Result<Response, Problem> {
    let p = logged_in(&caller)?;
    let Query(q) = q.map_err(|e| Problem::bad_request(e.body_text()))?;
    let scope = scope(&state, p).await?;
    let project = q
        .project
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty());
    let outputs = visible(&state, &scope, project).await?;
    Ok(no_store(
        Json(json!({ "total": outputs.len(), "outputs": outputs })).into_response(),
    ))
}

fn output_id(id: &str) -> Result<i64, Problem> {
    id.parse()
        .map_err(|_| Problem::not_found(format!("ingen utdata {id} / no output {id}")))
}

/// `GET /api/v1/research/outputs/{id}`.
pub async fn output(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Response, Problem> {
    let p = logged_in(&caller)?;
    let scope = scope(&state, p).await?;
    let id = output_id(&id)?;
    let stored = state
        .hub()
        .output(id)
        .await
        .map_err(|e| problem(e.into()))?
        .ok_or_else(|| problem(OutputRecordError::NotFound(id).into()))?;
    if !scope.sees(&stored.project) {
        return Err(not_member(&stored.project));
    }
    Ok(no_store(
        Json(view(&stored).map_err(problem)?).into_response(),
    ))
}

/// The body of `POST /api/v1/research/outputs/{id}/decision` (and the page's form).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DecisionBody {
    /// `approved` or `refused`.
    #[serde(default)]
    pub decision: String,
    /// Why (required to refuse, and to approve an output the machine flagged).
    #[serde(default)]
    pub reason: String,
}

/// 403 unless `p` is a checker (centre staff, administrator).
pub fn may_decide(p: &Principal) -> Result<(), Problem> {
    if is_checker(p.role) {
        Ok(())
    } else {
        Err(Problem::forbidden(
            "bara kompetenscentrumets granskare beslutar om utdata / only the competence centre's checkers decide on outputs",
        ))
    }
}

/// Record the checker `p`'s decision on output `id`: the one operation the API and the page
/// call. 403 for anyone but centre staff and administrators.
pub async fn decide_as(
    state: &AppState,
    p: &Principal,
    id: i64,
    b: &DecisionBody,
) -> Result<StoredOutput, Problem> {
    may_decide(p)?;
    let decision = match b.decision.trim() {
        "approved" => OutputDecision::Approved,
        "refused" => OutputDecision::Refused,
        _ => {
            return Err(Problem::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "decision: välj approved (godkänn) eller refused (avslå) / choose approved or refused",
            ));
        }
    };
    let defs = state.definitions();
    let checked = ops::decide(state.hub(), defs.policy(), id, decision, &b.reason, &p.name)
        .await
        .map_err(problem)?;
    Ok(checked.stored)
}

/// `POST /api/v1/research/outputs/{id}/decision`.
pub async fn decision(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    b: Result<Json<DecisionBody>, JsonRejection>,
) -> Result<Response, Problem> {
    let p = logged_in(&caller)?;
    may_decide(p)?;
    let b = body(b)?;
    let stored = decide_as(&state, p, output_id(&id)?, &b).await?;
    Ok(no_store(
        Json(view(&stored).map_err(problem)?).into_response(),
    ))
}

/// The query of `GET /api/v1/fees/invoice`.
#[derive(Debug, Deserialize)]
pub struct InvoiceQuery {
    /// `project:<id>` or `case:<id>`.
    subject: Option<String>,
    /// First day, `ÅÅÅÅ-MM-DD`.
    from: Option<String>,
    /// Last day (inclusive).
    to: Option<String>,
    /// `json` (default) or `csv`.
    format: Option<String>,
}

fn fees_problem(e: FeesError) -> Problem {
    match e {
        FeesError::WorkLog(WorkLogError::Store(err)) => Problem::internal(err),
        e => Problem::new(StatusCode::UNPROCESSABLE_ENTITY, e.to_string()),
    }
}

fn day(name: &str, v: Option<&str>) -> Result<NaiveDate, Problem> {
    let v = v.ok_or_else(|| Problem::bad_request(format!("{name} saknas / {name} is missing")))?;
    NaiveDate::parse_from_str(v.trim(), "%Y-%m-%d").map_err(|_| {
        Problem::bad_request(format!("{name}: ett datum ÅÅÅÅ-MM-DD / a date YYYY-MM-DD"))
    })
}

/// `GET /api/v1/fees/invoice?subject=project:ID|case:ID&from=&to=[&format=csv]`.
pub async fn invoice(
    State(state): State<AppState>,
    caller: Caller,
    q: Result<Query<InvoiceQuery>, QueryRejection>,
) -> Result<Response, Problem> {
    let p = logged_in(&caller)?;
    if !matches!(
        p.role,
        Role::CentreStaff | Role::DecisionMaker | Role::Admin
    ) {
        return Err(Problem::forbidden(
            "fakturaunderlag är för kompetenscentrumet / invoice bases are for the competence centre",
        ));
    }
    let Query(q) = q.map_err(|e| Problem::bad_request(e.body_text()))?;
    let subject = q
        .subject
        .as_deref()
        .ok_or_else(|| Problem::bad_request("subject saknas / subject is missing"))?;
    let subject =
        Subject::parse(subject.trim()).map_err(|e| Problem::bad_request(e.to_string()))?;
    let (from, to) = (day("from", q.from.as_deref())?, day("to", q.to.as_deref())?);
    let csv = match q.format.as_deref().unwrap_or("json") {
        "json" => false,
        "csv" => true,
        _ => return Err(Problem::bad_request("format: json, csv")),
    };
    let defs = state.definitions();
    let basis = fees::invoice_basis(state.hub(), defs.fees(), &subject, from, to)
        .await
        .map_err(fees_problem)?;
    if !csv {
        return Ok(no_store(Json(basis).into_response()));
    }
    let name: String = format!("fakturaunderlag_{subject}_{from}_{to}.csv")
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '-'
            }
        })
        .collect();
    let mut res = basis.to_csv().into_response();
    let h = res.headers_mut();
    h.insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        h.insert(CONTENT_DISPOSITION, v);
    }
    Ok(no_store(res))
}
