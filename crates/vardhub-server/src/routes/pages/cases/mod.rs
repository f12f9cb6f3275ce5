//! Ärenden / the competence centre's cases as pages: the public register (`/arenden`, searchable,
//! no personal data), a filing form for logged-in users (`/arenden/nytt`), and a case page
//! (`/arenden/{id}`) that shows the public record to everyone and, to the centre's roles and the
//! requester, the contact details and the history, with the form for each next step the viewer's
//! role may take. Each form posts to the same library operation as the API.

mod forms;
mod view;

use super::{Base, render};
use crate::auth::Caller;
use crate::i18n::Lang;
use crate::routes::cases::{actor, problem};
use crate::state::AppState;
use askama::Template;
use axum::Form;
use axum::Router;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::header::{CACHE_CONTROL, LOCATION};
use axum::http::{HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use vardhub_domain::case::{CaseStatus, RequesterKind, Urgency};
use vardhub_ops::cases::{self as ops, CaseOpError, FilingForm, RegisterQuery};
use view::{CasePage, Choice, RegisterRow, case_page};

/// The case pages' routes added to `r`.
pub fn case_routes(r: Router<AppState>) -> Router<AppState> {
    r.route("/arenden", get(register).post(file))
        .route("/arenden/nytt", get(new_form))
        .route("/arenden/{id}", get(case))
        .route("/arenden/{id}/{step}", post(forms::step))
}

#[derive(Template)]
#[template(path = "cases.html")]
struct RegisterPage {
    base: Base,
    t: Lang,
    q: String,
    statuses: Vec<Choice>,
    rows: Vec<RegisterRow>,
    total: usize,
    logged_in: bool,
    error: Option<String>,
}

/// `GET /arenden`: the public register.
pub async fn register(
    State(state): State<AppState>,
    caller: Caller,
    lang: Lang,
    uri: Uri,
    q: Result<Query<RegisterQuery>, QueryRejection>,
) -> Response {
    let q = q.map(|Query(q)| q).unwrap_or_default();
    let (rows, error) = match ops::register(state.hub(), &q).await {
        Ok(cases) => (cases, None),
        Err(e @ CaseOpError::Invalid { .. }) => (Vec::new(), Some(e.to_string())),
        Err(e) => return problem(e).into_response(),
    };
    let status = q.status.clone().unwrap_or_default();
    let page = RegisterPage {
        base: Base::new(lang, &caller, &uri),
        t: lang,
        q: q.q.clone().unwrap_or_default(),
        statuses: CaseStatus::ALL
            .iter()
            .map(|s| Choice::new(s.code(), lang.pick(s.sv(), s.en()), s.code() == status))
            .collect(),
        total: rows.len(),
        rows: rows.iter().map(|c| RegisterRow::of(c, lang)).collect(),
        logged_in: caller.0.is_some(),
        error,
    };
    render(&page)
}

#[derive(Template)]
#[template(path = "case_new.html")]
struct NewPage {
    base: Base,
    t: Lang,
    kinds: Vec<Choice>,
    urgencies: Vec<Choice>,
    form: FilingForm,
    error: Option<String>,
}

fn new_page(
    lang: Lang,
    caller: &Caller,
    uri: &Uri,
    form: FilingForm,
    error: Option<String>,
) -> NewPage {
    NewPage {
        base: Base::new(lang, caller, uri),
        t: lang,
        kinds: RequesterKind::ALL
            .iter()
            .map(|k| {
                Choice::new(
                    k.code(),
                    lang.pick(k.sv(), k.en()),
                    k.code() == form.requester_kind,
                )
            })
            .collect(),
        urgencies: Urgency::ALL
            .iter()
            .map(|u| {
                let chosen =
                    u.code() == form.urgency || (form.urgency.is_empty() && *u == Urgency::Normal);
                Choice::new(u.code(), lang.pick(u.sv(), u.en()), chosen)
            })
            .collect(),
        form,
        error,
    }
}

fn to_login(next: &str) -> Response {
    let mut res = StatusCode::SEE_OTHER.into_response();
    if let Ok(v) = HeaderValue::from_str(&format!("/logga-in?next={next}")) {
        res.headers_mut().insert(LOCATION, v);
    }
    res
}

/// `GET /arenden/nytt`: the filing form (logged-in users; others are sent to log in).
pub async fn new_form(caller: Caller, lang: Lang, uri: Uri) -> Response {
    if caller.0.is_none() {
        return to_login("/arenden/nytt");
    }
    no_store(render(&new_page(
        lang,
        &caller,
        &uri,
        FilingForm::default(),
        None,
    )))
}

/// `POST /arenden`: file a need; on success to the new case's page.
pub async fn file(
    State(state): State<AppState>,
    caller: Caller,
    lang: Lang,
    uri: Uri,
    Form(form): Form<FilingForm>,
) -> Response {
    let Some(a) = actor(&caller) else {
        return to_login("/arenden/nytt");
    };
    match ops::file(state.hub(), &a, &form).await {
        Ok(case) => see_other(&format!("/arenden/{}?lang={}", case.id, lang.code())),
        Err(e @ (CaseOpError::Invalid { .. } | CaseOpError::Refused(_))) => {
            let page = new_page(lang, &caller, &uri, form, Some(e.to_string()));
            no_store((StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response())
        }
        Err(e) => problem(e).into_response(),
    }
}

/// `GET /arenden/{id}`.
pub async fn case(
    State(state): State<AppState>,
    caller: Caller,
    lang: Lang,
    uri: Uri,
    Path(id): Path<String>,
) -> Response {
    show(&state, &caller, lang, &uri, &id, StatusCode::OK, None).await
}

/// Render a case's page, with an error from a refused step when there is one.
async fn show(
    state: &AppState,
    caller: &Caller,
    lang: Lang,
    uri: &Uri,
    id: &str,
    status: StatusCode,
    error: Option<String>,
) -> Response {
    let viewer = actor(caller);
    let v = match ops::view(state.hub(), id, viewer.as_ref()).await {
        Ok(v) => v,
        Err(CaseOpError::UnknownCase(_)) => return super::not_found_page(lang),
        Err(e) => return problem(e).into_response(),
    };
    let private = v.full.is_some();
    let centre = viewer.as_ref().is_some_and(|a| a.role.sees_all());
    let time = if centre {
        match ops::time_entries(state.hub(), id).await {
            Ok(t) => Some(t),
            Err(e) => return problem(e).into_response(),
        }
    } else {
        None
    };
    let page: CasePage = case_page(
        Base::new(lang, caller, uri),
        &v,
        viewer.as_ref(),
        time.as_deref(),
        error,
    );
    let res = (status, render(&page)).into_response();
    if private { no_store(res) } else { res }
}

fn see_other(to: &str) -> Response {
    let mut res = StatusCode::SEE_OTHER.into_response();
    if let Ok(v) = HeaderValue::from_str(to) {
        res.headers_mut().insert(LOCATION, v);
    }
    res
}

fn no_store(mut res: Response) -> Response {
    res.headers_mut()
        .insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}
