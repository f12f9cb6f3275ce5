//! Vem frågar? / who is asking: users, tokens, sessions and the access level they give.
//!
//! * `vardhub users add NAME --role … [--expires-days N]` creates a user with a random bearer
//!   token, printed once, valid for N days (default [`TOKEN_DAYS`]); the catalogue stores only its
//!   SHA-256 (tokens are 256 random bits, so a fast hash is enough: there is nothing to
//!   brute-force). `users rotate` replaces it, `users disable` stops it (see [`crate::users`]).
//! * API clients send `Authorization: Bearer <token>`; a malformed, unknown, expired or disabled
//!   token is a 401, and each such refusal is audited (`auth.refused`, with the reason and the
//!   client address, never the token). Unknown tokens count as failures in the
//!   [`crate::throttle`]: a flood gets 429 and one audit row per window.
//! * Browsers log in with name + token on `/logga-in` and get an `HttpOnly; SameSite=Strict`
//!   session cookie (`Secure` when the server is configured behind TLS); the catalogue stores
//!   the session id's SHA-256.
//! * [`Caller`] is the extractor handlers use. Every authenticated request is appended to the
//!   hash-chained audit log (actor = user name, object = route template, details = method,
//!   access, client address and the checked filters of the query, see [`crate::audit_fields`];
//!   never the query string itself).

use crate::audit_fields::{addr_field, client_addr, filters};
use crate::error::ServerError;
use crate::problem::Problem;
use crate::state::AppState;
use crate::throttle::{Key, Throttled};
use axum::extract::{FromRequestParts, MatchedPath};
use axum::http::header::{AUTHORIZATION, COOKIE, RETRY_AFTER};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use rand::RngCore;
use sha2::{Digest, Sha256};
use std::net::IpAddr;
use vardhub_domain::RegionCode;
use vardhub_store::{Hub, UserRecord};

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "vardhub_session";
/// How long a session lasts.
pub const SESSION_HOURS: i64 = 8;
/// How long a new or rotated token is valid unless told otherwise.
pub const TOKEN_DAYS: u32 = 90;

/// A user's role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// Logged in, sees what everyone sees.
    Public,
    /// Region analyst: own region unsuppressed, own microdata.
    Region,
    /// National analyst: unsuppressed aggregates.
    National,
    /// Administrator: as national analyst.
    Admin,
    /// Files needs with the competence centre and follows them (public access to data).
    Requester,
    /// Competence-centre staff: triage, prioritise and assess cases (public access to data).
    CentreStaff,
    /// Decides on cases (public access to data).
    DecisionMaker,
    /// A researcher in an approved project: files needs, submits outputs for checking (public
    /// access to data: research releases are delivered outside the server).
    Researcher,
}

impl Role {
    /// Parse the stored / command-line code.
    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "public" => Some(Role::Public),
            "region" => Some(Role::Region),
            "national" => Some(Role::National),
            "admin" => Some(Role::Admin),
            "requester" => Some(Role::Requester),
            "centre" => Some(Role::CentreStaff),
            "decider" => Some(Role::DecisionMaker),
            "researcher" => Some(Role::Researcher),
            _ => None,
        }
    }
    /// The code.
    pub fn code(self) -> &'static str {
        match self {
            Role::Public => "public",
            Role::Region => "region",
            Role::National => "national",
            Role::Admin => "admin",
            Role::Requester => "requester",
            Role::CentreStaff => "centre",
            Role::DecisionMaker => "decider",
            Role::Researcher => "researcher",
        }
    }
    /// Every role's code, for help texts.
    pub const CODES: &'static str =
        "public, region, national, admin, requester, centre, decider, researcher";
    /// The role this user acts in on a case of the competence centre.
    pub fn case_role(self) -> vardhub_domain::case::CaseRole {
        use vardhub_domain::case::CaseRole;
        match self {
            Role::Admin => CaseRole::Admin,
            Role::CentreStaff => CaseRole::Staff,
            Role::DecisionMaker => CaseRole::DecisionMaker,
            _ => CaseRole::Requester,
        }
    }
}

/// What a caller may see of indicator values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Access {
    /// The public view.
    Public,
    /// Own region unsuppressed, the rest public.
    Region(RegionCode),
    /// Everything unsuppressed.
    Full,
}

impl Access {
    /// The engine's view for this access.
    pub fn view(self) -> crate::published::View {
        use crate::published::View;
        match self {
            Access::Public => View::Public,
            Access::Region(r) => View::Region(r),
            Access::Full => View::Full,
        }
    }
    /// A short stable key (`public`, `region-01`, `full`): cache keys and ETags.
    pub fn key(self) -> String {
        match self {
            Access::Public => "public".into(),
            Access::Region(r) => format!("region-{}", r.as_str()),
            Access::Full => "full".into(),
        }
    }
}

/// An authenticated user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    /// User name.
    pub name: String,
    /// Role.
    pub role: Role,
    /// Own region (region analysts only).
    pub region: Option<RegionCode>,
}

impl Principal {
    /// Parse a stored user; a user with an unknown role or a region analyst without a region
    /// gets no access beyond the public's.
    fn from_record(u: UserRecord) -> Principal {
        let role = Role::parse(&u.role).unwrap_or(Role::Public);
        let region = u.region.as_deref().and_then(|r| RegionCode::parse(r).ok());
        let role = if role == Role::Region && region.is_none() {
            Role::Public
        } else {
            role
        };
        Principal {
            name: u.name,
            role,
            region,
        }
    }

    /// The access this principal gives.
    pub fn access(&self) -> Access {
        match (self.role, self.region) {
            (Role::Region, Some(r)) => Access::Region(r),
            (Role::National | Role::Admin, _) => Access::Full,
            _ => Access::Public,
        }
    }
}

/// The caller of a request: anonymous or a [`Principal`].
#[derive(Debug, Clone)]
pub struct Caller(pub Option<Principal>);

impl Caller {
    /// The caller's access level.
    pub fn access(&self) -> Access {
        self.0.as_ref().map_or(Access::Public, Principal::access)
    }
    /// The user name, if logged in.
    pub fn name(&self) -> Option<&str> {
        self.0.as_ref().map(|p| p.name.as_str())
    }
}

/// Who may see a what-if scenario run of `region` (`vardhub_ops::scenarios`). A published one:
/// everyone (the public is shown its disclosure-checked copy). An unpublished one: only
/// administrators, the competence centre's staff, decision-makers, national analysts, and a
/// region analyst when the scenario is of the own region; the public, requesters, researchers
/// and other regions' analysts never. The same rule decides who is shown the unpublished
/// document of a published scenario.
pub fn sees_scenario(caller: &Caller, region: RegionCode, published: bool) -> bool {
    if published {
        return true;
    }
    let Some(p) = caller.0.as_ref() else {
        return false;
    };
    match p.role {
        Role::Admin | Role::CentreStaff | Role::DecisionMaker | Role::National => true,
        Role::Region => p.region == Some(region),
        Role::Public | Role::Requester | Role::Researcher => false,
    }
}

/// SHA-256 (hex) of a token or session id.
pub fn hash_secret(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// A new random secret: `vh_` + 64 hex digits (256 bits).
pub fn new_secret() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    format!("vh_{}", hex::encode(bytes))
}

/// Create a user whose token is valid for [`TOKEN_DAYS`] days and return it with its bearer token
/// (shown once, stored only hashed).
pub async fn add_user(
    hub: &Hub,
    name: &str,
    role: Role,
    region: Option<RegionCode>,
) -> Result<(UserRecord, String), ServerError> {
    add_user_expiring(hub, name, role, region, TOKEN_DAYS).await
}

/// The moment a token made now for `days` days expires (1–3650 days).
pub fn token_expiry(days: u32) -> Result<chrono::DateTime<chrono::Utc>, ServerError> {
    if !(1..=3650).contains(&days) {
        return Err(ServerError::InvalidUser("--expires-days: 1–3650".into()));
    }
    Ok(vardhub_store::now_utc() + chrono::Duration::days(i64::from(days)))
}

/// Create a user whose token is valid for `days` days and return it with its bearer token
/// (shown once, stored only hashed).
pub async fn add_user_expiring(
    hub: &Hub,
    name: &str,
    role: Role,
    region: Option<RegionCode>,
    days: u32,
) -> Result<(UserRecord, String), ServerError> {
    let expires = token_expiry(days)?;
    let valid_name = !name.is_empty()
        && name.len() <= 64
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b));
    if !valid_name {
        return Err(ServerError::InvalidUser(
            "namnet får bara innehålla a–z, 0–9, . _ - (högst 64 tecken) / the name may only contain a–z, 0–9, . _ -".into(),
        ));
    }
    match (role, region) {
        (Role::Region, None) => {
            return Err(ServerError::InvalidUser(
                "en regionanalytiker behöver --region / a region analyst needs --region".into(),
            ));
        }
        (Role::Region, Some(_)) | (_, None) => {}
        (_, Some(_)) => {
            return Err(ServerError::InvalidUser(
                "--region gäller bara rollen region / --region only applies to the region role"
                    .into(),
            ));
        }
    }
    let token = new_secret();
    let user = hub
        .add_user(
            name,
            role.code(),
            region.map(|r| r.as_str()),
            &hash_secret(&token),
            expires,
        )
        .await?;
    Ok((user, token))
}

/// What a presented token is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenCheck {
    /// A valid token of this principal.
    Valid(Principal),
    /// No user has this token.
    Unknown,
    /// The token of this user, expired.
    Expired(String),
    /// The token of this user, who is disabled.
    Disabled(String),
}

impl TokenCheck {
    /// The refusal reason written to the audit log (`None` for a valid token).
    pub fn reason(&self) -> Option<&'static str> {
        match self {
            TokenCheck::Valid(_) => None,
            TokenCheck::Unknown => Some("unknown-token"),
            TokenCheck::Expired(_) => Some("expired"),
            TokenCheck::Disabled(_) => Some("disabled"),
        }
    }
}

/// Check a bearer token.
pub async fn check_token(hub: &Hub, token: &str) -> Result<TokenCheck, ServerError> {
    Ok(match hub.user_by_token_hash(&hash_secret(token)).await? {
        None => TokenCheck::Unknown,
        Some(u) if u.disabled() => TokenCheck::Disabled(u.name),
        Some(u) if u.expired_at(vardhub_store::now_utc()) => TokenCheck::Expired(u.name),
        Some(u) => TokenCheck::Valid(Principal::from_record(u)),
    })
}

/// Audit a refused authentication: `auth.refused` by `actor` (the user of an expired or disabled
/// token, else `anonymous`) on `route`, with the reason and the client address.
async fn refuse(
    hub: &Hub,
    actor: &str,
    route: &str,
    reason: &str,
    addr: Option<IpAddr>,
) -> Result<Problem, Problem> {
    hub.append_audit(
        actor,
        "auth.refused",
        route,
        &format!("reason={reason} {}", addr_field(addr)),
    )
    .await
    .map_err(Problem::internal)?;
    Ok(Problem::unauthorized(match reason {
        "expired" => "token har gått ut / token expired",
        "disabled" => "användaren är avstängd / user disabled",
        "unknown-token" => "okänd token / unknown token",
        _ => "Authorization: Bearer <token> förväntas / expected",
    }))
}

/// A 429 with `Retry-After`; the first refusal of a window is audited as `auth.throttled`.
pub(crate) async fn throttled(
    hub: &Hub,
    t: Throttled,
    object: &str,
    details: &str,
) -> Result<Response, Problem> {
    if t.first_in_window {
        hub.append_audit(
            "anonymous",
            "auth.throttled",
            object,
            &format!("{details} retry_after={}", t.retry_after_secs),
        )
        .await
        .map_err(Problem::internal)?;
    }
    let mut res = Problem::new(
        StatusCode::TOO_MANY_REQUESTS,
        "för många misslyckade inloggningar, försök senare / too many failed attempts, try later",
    )
    .into_response();
    if let Ok(v) = HeaderValue::from_str(&t.retry_after_secs.to_string()) {
        res.headers_mut().insert(RETRY_AFTER, v);
    }
    Ok(res)
}

/// The value of one cookie in a request.
pub fn cookie<'a>(parts: &'a Parts, name: &str) -> Option<&'a str> {
    parts
        .headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// Why a request was not let through by [`Caller`]: a 401 problem or a 429.
pub struct Refused(Response);

impl IntoResponse for Refused {
    fn into_response(self) -> Response {
        self.0
    }
}

impl From<Problem> for Refused {
    fn from(p: Problem) -> Self {
        Refused(p.into_response())
    }
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = Refused;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Refused> {
        let hub = state.hub();
        let route = parts
            .extensions
            .get::<MatchedPath>()
            .map_or("-", MatchedPath::as_str)
            .to_owned();
        let addr = client_addr(parts);
        let principal = if let Some(h) = parts.headers.get(AUTHORIZATION) {
            let addr_key: Vec<Key> = addr.map(Key::addr).into_iter().collect();
            if let Err(t) = state.throttle().check(&addr_key) {
                return Err(Refused(throttled(hub, t, &route, &addr_field(addr)).await?));
            }
            let token = h
                .to_str()
                .ok()
                .and_then(|v| v.strip_prefix("Bearer "))
                .map(str::trim)
                .filter(|t| !t.is_empty());
            let check = match token {
                Some(t) => check_token(hub, t).await.map_err(Problem::internal)?,
                None => {
                    state.throttle().fail(&addr_key);
                    return Err(refuse(hub, "anonymous", &route, "malformed", addr)
                        .await?
                        .into());
                }
            };
            match check {
                TokenCheck::Valid(p) => Some(p),
                TokenCheck::Unknown => {
                    state.throttle().fail(&addr_key);
                    return Err(refuse(hub, "anonymous", &route, "unknown-token", addr)
                        .await?
                        .into());
                }
                ref c @ (TokenCheck::Expired(ref name) | TokenCheck::Disabled(ref name)) => {
                    let reason = c.reason().unwrap_or("refused");
                    return Err(refuse(hub, name, &route, reason, addr).await?.into());
                }
            }
        } else if let Some(sid) = cookie(parts, SESSION_COOKIE) {
            hub.session_user(&hash_secret(sid))
                .await
                .map_err(Problem::internal)?
                .map(Principal::from_record)
        } else {
            None
        };
        if let Some(p) = &principal {
            hub.append_audit(
                &p.name,
                "http.read",
                &route,
                &format!(
                    "{} access={} {} {}",
                    parts.method,
                    p.access().key(),
                    addr_field(addr),
                    filters(&parts.uri)
                ),
            )
            .await
            .map_err(Problem::internal)?;
        }
        Ok(Caller(principal))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_random_and_hashes_are_hex_sha256() {
        let a = new_secret();
        assert_eq!(a.len(), 67);
        assert_ne!(a, new_secret());
        assert_eq!(
            hash_secret("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn an_unpublished_scenario_is_seen_by_the_entitled_roles_and_the_own_region_only() {
        let (r01, r12) = (
            RegionCode::parse("01").unwrap(),
            RegionCode::parse("12").unwrap(),
        );
        let caller = |role, region| {
            Caller(Some(Principal {
                name: "x".into(),
                role,
                region,
            }))
        };
        let anonymous = Caller(None);
        assert!(!sees_scenario(&anonymous, r01, false));
        assert!(sees_scenario(&anonymous, r01, true));
        for role in [
            Role::Admin,
            Role::CentreStaff,
            Role::DecisionMaker,
            Role::National,
        ] {
            assert!(sees_scenario(&caller(role, None), r01, false), "{role:?}");
        }
        for role in [Role::Public, Role::Requester, Role::Researcher] {
            let c = caller(role, None);
            assert!(!sees_scenario(&c, r01, false), "{role:?}");
            assert!(sees_scenario(&c, r01, true), "{role:?}");
        }
        let analyst = caller(Role::Region, Some(r01));
        assert!(sees_scenario(&analyst, r01, false));
        assert!(!sees_scenario(&analyst, r12, false));
        assert!(sees_scenario(&analyst, r12, true));
    }

    #[test]
    fn access_follows_role_and_region() {
        let p = |role, region| Principal {
            name: "x".into(),
            role,
            region,
        };
        let r01 = RegionCode::parse("01").unwrap();
        assert_eq!(p(Role::Public, None).access(), Access::Public);
        assert_eq!(p(Role::Region, Some(r01)).access(), Access::Region(r01));
        assert_eq!(p(Role::Region, None).access(), Access::Public);
        assert_eq!(p(Role::National, None).access(), Access::Full);
        assert_eq!(p(Role::Admin, None).access(), Access::Full);
        assert_eq!(Access::Region(r01).key(), "region-01");
    }
}
