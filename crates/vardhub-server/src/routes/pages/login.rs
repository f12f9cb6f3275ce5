//! Inloggning / login with user name and token, giving an `HttpOnly; SameSite=Strict` session
//! cookie (`Secure` behind TLS) whose id the catalogue stores only hashed; and logout.
//!
//! Failed logins are throttled per client address and per attempted name
//! ([`crate::throttle`]: 429 with `Retry-After`, checked before the credentials) and audited
//! (`login.failed` with the attempted name as [`crate::audit_fields::attempted_name`] allows and
//! the client address; throttled attempts once per window as `auth.throttled`). Logout is
//! audited too. Both forms must come from the server's own origin (see `layers::same_origin`).

use super::{Base, render};
use crate::audit_fields::{ClientAddr, addr_field, attempted_name};
use crate::auth::{
    Caller, SESSION_COOKIE, SESSION_HOURS, TokenCheck, check_token, cookie, hash_secret,
    new_secret, throttled,
};
use crate::i18n::Lang;
use crate::layers::cookie_attributes;
use crate::problem::Problem;
use crate::state::AppState;
use crate::throttle::Key;
use askama::Template;
use axum::Form;
use axum::extract::rejection::QueryRejection;
use axum::extract::{FromRequestParts, Query, State};
use axum::http::header::{CACHE_CONTROL, LOCATION, SET_COOKIE};
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

/// Only local paths are followed after login (no open redirect): a path that starts with a
/// single `/` followed by neither `/` nor `\\`, made only of visible ASCII (no control character,
/// whitespace, backslash or non-ASCII anywhere: browsers drop TAB and newlines, so `/\t/evil`
/// would become `//evil`). Nothing is removed or repaired; anything else gives `/`.
fn safe_next(next: Option<&str>) -> String {
    let ok = |n: &str| {
        let b = n.as_bytes();
        b.first() == Some(&b'/')
            && b.get(1).is_none_or(|c| *c != b'/' && *c != b'\\')
            && b.iter().all(|c| c.is_ascii_graphic() && *c != b'\\')
    };
    match next {
        Some(n) if ok(n) => n.to_owned(),
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
    ClientAddr(addr): ClientAddr,
    lang: Lang,
    uri: Uri,
    Form(form): Form<LoginForm>,
) -> Result<Response, Problem> {
    let hub = state.hub();
    let name = form.name.trim();
    let logged_name = attempted_name(name);
    let keys: Vec<Key> = addr
        .map(Key::addr)
        .into_iter()
        .chain(std::iter::once(Key::Name(name.to_owned())))
        .collect();
    let who = format!("name={logged_name} {}", addr_field(addr));
    if let Err(t) = state.throttle().check(&keys) {
        return throttled(hub, t, "session", &who).await;
    }
    let check = check_token(hub, form.token.trim())
        .await
        .map_err(Problem::internal)?;
    let reason = match &check {
        TokenCheck::Valid(p) if p.name == name => None,
        TokenCheck::Valid(_) => Some("name-mismatch"),
        TokenCheck::Expired(n) | TokenCheck::Disabled(n) if n != name => Some("name-mismatch"),
        c => c.reason(),
    };
    let p = match (check, reason) {
        (TokenCheck::Valid(p), None) => p,
        (_, reason) => {
            state.throttle().fail(&keys);
            hub.append_audit(
                "anonymous",
                "login.failed",
                "session",
                &format!("{who} reason={}", reason.unwrap_or("refused")),
            )
            .await
            .map_err(Problem::internal)?;
            let page = render(&LoginPage {
                base: Base::new(lang, &Caller(None), &uri),
                t: lang,
                next: safe_next(form.next.as_deref()),
                failed: true,
            });
            return Ok((StatusCode::UNAUTHORIZED, page).into_response());
        }
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
        &format!("access={} {}", p.access().key(), addr_field(addr)),
    )
    .await
    .map_err(Problem::internal)?;
    let mut res = StatusCode::SEE_OTHER.into_response();
    let h = res.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&safe_next(form.next.as_deref())) {
        h.insert(LOCATION, v);
    }
    if let Ok(v) = HeaderValue::from_str(&format!(
        "{SESSION_COOKIE}={sid}; HttpOnly; Max-Age={}; {}",
        SESSION_HOURS * 3600,
        cookie_attributes(&state)
    )) {
        h.insert(SET_COOKIE, v);
    }
    h.insert(CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
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

/// `POST /logga-ut`: ends the session; audited as `logout` by its user.
pub async fn logout(
    State(state): State<AppState>,
    ClientAddr(addr): ClientAddr,
    SessionCookie(sid): SessionCookie,
) -> Result<Response, Problem> {
    if let Some(sid) = sid {
        let hub = state.hub();
        let hash = hash_secret(&sid);
        let user = hub.session_user(&hash).await.map_err(Problem::internal)?;
        hub.delete_session(&hash).await.map_err(Problem::internal)?;
        if let Some(u) = user {
            hub.append_audit(&u.name, "logout", "session", &addr_field(addr))
                .await
                .map_err(Problem::internal)?;
        }
    }
    let mut res = StatusCode::SEE_OTHER.into_response();
    let h = res.headers_mut();
    h.insert(LOCATION, HeaderValue::from_static("/"));
    if let Ok(v) = HeaderValue::from_str(&format!(
        "{SESSION_COOKIE}=; HttpOnly; Max-Age=0; {}",
        cookie_attributes(&state)
    )) {
        h.insert(SET_COOKIE, v);
    }
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
        assert_eq!(safe_next(Some("/")), "/");
        assert_eq!(
            safe_next(Some("/indikatorer/x?region=01&lang=en")),
            "/indikatorer/x?region=01&lang=en"
        );
        for bad in [
            "/\t/evil.example/",
            "/\n/evil.example",
            "/\r\n/evil.example",
            "/ /evil.example",
            "\t//evil.example",
            " /x",
            "/x\\y",
            "/\u{0}x",
            "/x\u{7f}",
            "/é",
            "",
        ] {
            assert_eq!(safe_next(Some(bad)), "/", "{bad:?}");
        }
    }
}
