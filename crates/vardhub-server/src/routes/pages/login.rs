//! Inloggning / login with user name and token, giving an `HttpOnly; SameSite=Strict` session
//! cookie whose id the catalogue stores only hashed; and logout.

use super::{Base, render};
use crate::auth::{
    Caller, SESSION_COOKIE, SESSION_HOURS, cookie, hash_secret, new_secret, principal_for_token,
};
use crate::i18n::Lang;
use crate::problem::Problem;
use crate::state::AppState;
use askama::Template;
use axum::Form;
use axum::extract::rejection::QueryRejection;
use axum::extract::{FromRequestParts, Query, State};
use axum::http::header::{LOCATION, SET_COOKIE};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    base: Base,
    t: Lang,
    next: String,
    failed: bool,
}

/// `?next=` of the login page.
#[derive(Debug, Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

/// Only local paths are followed after login (no open redirect).
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') => n.to_owned(),
        _ => "/".to_owned(),
    }
}

/// `GET /logga-in`.
pub async fn login_form(
    caller: Caller,
    lang: Lang,
    uri: Uri,
    q: Result<Query<NextQuery>, QueryRejection>,
) -> Response {
    let q = q.ok();
    render(&LoginPage {
        base: Base::new(lang, &caller, &uri),
        t: lang,
        next: safe_next(q.as_ref().and_then(|q| q.next.as_deref())),
        failed: false,
    })
}

/// The login form.
#[derive(Debug, Deserialize)]
pub struct LoginForm {
    name: String,
    token: String,
    next: Option<String>,
}

/// `POST /logga-in`.
pub async fn login(
    State(state): State<AppState>,
    lang: Lang,
    uri: Uri,
    Form(form): Form<LoginForm>,
) -> Result<Response, Problem> {
    let hub = state.hub();
    let principal = principal_for_token(hub, form.token.trim())
        .await
        .map_err(Problem::internal)?
        .filter(|p| p.name == form.name.trim());
    let Some(p) = principal else {
        hub.append_audit("anonymous", "login.failed", "session", "")
            .await
            .map_err(Problem::internal)?;
        let page = render(&LoginPage {
            base: Base::new(lang, &Caller(None), &uri),
            t: lang,
            next: safe_next(form.next.as_deref()),
            failed: true,
        });
        return Ok((StatusCode::UNAUTHORIZED, page).into_response());
    };
    let sid = new_secret();
    let expires = vardhub_store::now_utc() + chrono::Duration::hours(SESSION_HOURS);
    hub.create_session(&hash_secret(&sid), &p.name, expires)
        .await
        .map_err(Problem::internal)?;
    hub.append_audit(
        &p.name,
        "login",
        "session",
        &format!("access={}", p.access().key()),
    )
    .await
    .map_err(Problem::internal)?;
    let mut res = StatusCode::SEE_OTHER.into_response();
    let h = res.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&safe_next(form.next.as_deref())) {
        h.insert(LOCATION, v);
    }
    if let Ok(v) = HeaderValue::from_str(&format!(
        "{SESSION_COOKIE}={sid}; Path=/; HttpOnly; SameSite=Strict; Max-Age={}",
        SESSION_HOURS * 3600
    )) {
        h.insert(SET_COOKIE, v);
    }
    Ok(res)
}

/// The raw session cookie of a request, if any.
pub struct SessionCookie(Option<String>);

impl<S: Send + Sync> FromRequestParts<S> for SessionCookie {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(SessionCookie(
            cookie(parts, SESSION_COOKIE).map(str::to_owned),
        ))
    }
}

/// `POST /logga-ut`.
pub async fn logout(
    State(state): State<AppState>,
    SessionCookie(sid): SessionCookie,
) -> Result<Response, Problem> {
    if let Some(sid) = sid {
        state
            .hub()
            .delete_session(&hash_secret(&sid))
            .await
            .map_err(Problem::internal)?;
    }
    let mut res = StatusCode::SEE_OTHER.into_response();
    let h = res.headers_mut();
    h.insert(LOCATION, HeaderValue::from_static("/"));
    h.insert(
        SET_COOKIE,
        HeaderValue::from_static("vardhub_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0"),
    );
    Ok(res)
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn only_local_paths_are_followed() {
        assert_eq!(safe_next(Some("/leveranser")), "/leveranser");
        assert_eq!(safe_next(Some("//evil.example")), "/");
        assert_eq!(safe_next(Some("https://evil.example")), "/");
        assert_eq!(safe_next(Some("/\\evil")), "/");
        assert_eq!(safe_next(None), "/");
    }
}
