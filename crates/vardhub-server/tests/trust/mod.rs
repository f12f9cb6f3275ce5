//! Issue 12 (trust): audit completeness, web hardening, safe exports and who sees what. One test
//! per item; audit tests read the audit log back and check the recorded fields (never a token or
//! a raw personnummer).
//!
//! Tests that need their own server state (throttle, limits, cookie settings) run the app in
//! process (`oneshot`, with the client address set as the serve loop sets it) or start their own
//! server over an empty hub; the rest use the shared world's server.

mod exports;

use super::{ID, assert_problem, client, ct, get, world};
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::Request;
use reqwest::StatusCode;
use std::net::SocketAddr;
use std::time::Duration;
use tower::ServiceExt;
use vardhub_domain::RegionCode;
use vardhub_engine::disclosure::DisclosurePolicy;
use vardhub_server::auth::add_user;
use vardhub_server::throttle::ThrottlePolicy;
use vardhub_server::{AppState, Role, ServerConfig};
use vardhub_store::{AuditEntry, Hub};

/// The shared world's hub, opened once more (the same catalogue file as the server's).
async fn world_hub() -> Hub {
    crate::support::open_hub(&world().data).await
}

/// A user of the shared hub made for one test (unique name), with its token.
async fn fresh_user(hub: &Hub, name: &str, role: Role, region: Option<&str>) -> String {
    let region = region.map(|r| RegionCode::parse(r).unwrap());
    add_user(hub, name, role, region).await.unwrap().1
}

/// Audit entries of one actor.
async fn audit_of(hub: &Hub, actor: &str) -> Vec<AuditEntry> {
    hub.audit_entries()
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.actor == actor)
        .collect()
}

/// No audit entry holds a bearer token or a 12-digit identity number.
fn assert_no_secrets(entries: &[AuditEntry]) {
    for e in entries {
        let all = format!("{} {} {} {}", e.actor, e.action, e.object, e.details);
        assert!(!all.contains("vh_"), "token in the audit log: {all}");
        assert!(
            !all.contains("199001011234") && !all.contains("19900101-1234"),
            "personnummer in the audit log: {all}"
        );
    }
}

/// A server config for in-process tests.
fn config() -> ServerConfig {
    ServerConfig {
        request_timeout: Duration::from_secs(600),
        ..ServerConfig::default()
    }
}

/// An in-process request from `addr` to host `hub.test`.
fn request(method: &str, path: &str, addr: [u8; 4]) -> axum::http::request::Builder {
    let mut b = Request::builder()
        .method(method)
        .uri(path)
        .header("host", "hub.test");
    if let Some(ext) = b.extensions_mut() {
        ext.insert(ConnectInfo(SocketAddr::from((addr, 40000))));
    }
    b
}

/// A login form post from the server's own origin.
fn login_request(name: &str, token: &str, addr: [u8; 4], origin: &str) -> Request<Body> {
    request("POST", "/logga-in", addr)
        .header("origin", origin)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::from(format!("name={name}&token={token}&next=%2F")))
        .unwrap()
}

async fn send(app: &axum::Router, req: Request<Body>) -> axum::response::Response {
    app.clone().oneshot(req).await.unwrap()
}

/// Log in through the shared server; the session cookie (`name=value`).
async fn login_session(name: &str, token: &str) -> String {
    let w = world();
    let res = client()
        .post(format!("{}/logga-in", w.base))
        .header("origin", &w.base)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("name={name}&token={token}&next=%2F"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let set = res.headers()["set-cookie"].to_str().unwrap();
    set.split(';').next().unwrap().to_owned()
}

#[tokio::test]
async fn audit_records_unknown_bearer_tokens() {
    let res = get(
        &format!("/api/v1/indicators/{ID}"),
        Some("vh_not_a_known_token"),
    )
    .await;
    assert_problem(res, StatusCode::UNAUTHORIZED).await;
    let hub = world_hub().await;
    let refused: Vec<AuditEntry> = audit_of(&hub, "anonymous")
        .await
        .into_iter()
        .filter(|e| e.action == "auth.refused" && e.object == "/api/v1/indicators/{id}")
        .collect();
    assert!(
        refused
            .iter()
            .any(|e| e.details == "reason=unknown-token addr=127.0.0.1"),
        "{refused:?}"
    );
    assert_no_secrets(&refused);
    hub.close().await;
}

#[tokio::test]
async fn audit_records_logout() {
    let hub = world_hub().await;
    let token = fresh_user(&hub, "t_logout", Role::Public, None).await;
    let session = login_session("t_logout", &token).await;
    let w = world();
    let res = client()
        .post(format!("{}/logga-ut", w.base))
        .header("origin", &w.base)
        .header("cookie", &session)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let entries = audit_of(&hub, "t_logout").await;
    let actions: Vec<&str> = entries.iter().map(|e| e.action.as_str()).collect();
    assert!(actions.contains(&"login"), "{actions:?}");
    let logout = entries.iter().find(|e| e.action == "logout").unwrap();
    assert_eq!(logout.object, "session");
    assert_eq!(logout.details, "addr=127.0.0.1");
    assert_no_secrets(&entries);
    hub.close().await;
}

#[tokio::test]
async fn audit_records_failed_logins_with_name_and_address() {
    let hub = world_hub().await;
    let app = vardhub_server::app(AppState::new(
        hub.clone(),
        DisclosurePolicy::default_public(),
        config(),
    ));
    let origin = "http://hub.test";
    let res = send(
        &app,
        login_request("t_nobody", "vh_guess", [192, 0, 2, 7], origin),
    )
    .await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED.as_u16());
    // A personnummer typed as the name, and a token pasted into it, are not written down.
    for name in ["199001011234", "vh_0123456789abcdef"] {
        let res = send(&app, login_request(name, "x", [192, 0, 2, 8], origin)).await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED.as_u16());
    }
    let failed: Vec<AuditEntry> = audit_of(&hub, "anonymous")
        .await
        .into_iter()
        .filter(|e| e.action == "login.failed")
        .collect();
    assert!(
        failed
            .iter()
            .any(|e| e.details == "name=t_nobody addr=192.0.2.7 reason=unknown-token"),
        "{failed:?}"
    );
    assert_eq!(
        failed
            .iter()
            .filter(|e| e.details == "name=[redacted] addr=192.0.2.8 reason=unknown-token")
            .count(),
        2,
        "{failed:?}"
    );
    assert_no_secrets(&failed);
    hub.close().await;
}

#[tokio::test]
async fn audit_records_the_filters_of_aggregate_reads() {
    let hub = world_hub().await;
    let token = fresh_user(&hub, "t_filters", Role::National, None).await;
    let w = world();
    let path = format!(
        "/api/v1/indicators/{ID}/values?region=25&period={}&kon=2&format=csv",
        w.periods[1]
    );
    assert_eq!(get(&path, Some(&token)).await.status(), StatusCode::OK);
    // A value that is not of its key's syntax is not written down.
    let res = get(
        &format!("/api/v1/indicators/{ID}/values?region=199001011234"),
        Some(&token),
    )
    .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let reads: Vec<AuditEntry> = audit_of(&hub, "t_filters")
        .await
        .into_iter()
        .filter(|e| e.action == "http.read")
        .collect();
    assert_eq!(reads.len(), 2, "{reads:?}");
    assert_eq!(reads[0].object, "/api/v1/indicators/{id}/values");
    assert_eq!(
        reads[0].details,
        format!(
            "GET access=full addr=127.0.0.1 filters=region=25,period={},kon=2,format=csv",
            w.periods[1]
        )
    );
    assert_eq!(
        reads[1].details,
        "GET access=full addr=127.0.0.1 filters=region=?"
    );
    assert_no_secrets(&reads);
    hub.close().await;
}

#[tokio::test]
async fn audit_records_the_region_asked_for_in_refused_microdata_requests() {
    let hub = world_hub().await;
    let token = fresh_user(&hub, "t_asks", Role::Region, Some("01")).await;
    let w = world();
    let res = get(
        &format!(
            "/api/v1/microdata/vardkontakter/kontakter?period={}&region=12",
            w.periods[0]
        ),
        Some(&token),
    )
    .await;
    assert_problem(res, StatusCode::FORBIDDEN).await;
    let res = get(
        "/api/v1/microdata/vardkontakter/kontakter?period=2024-01&region=199001011234",
        Some(&token),
    )
    .await;
    assert_problem(res, StatusCode::FORBIDDEN).await;
    let denied: Vec<AuditEntry> = audit_of(&hub, "t_asks")
        .await
        .into_iter()
        .filter(|e| e.action == "microdata.denied")
        .collect();
    let details: Vec<&str> = denied.iter().map(|e| e.details.as_str()).collect();
    assert_eq!(
        details,
        [
            "vardkontakter/kontakter other-region asked=12",
            "vardkontakter/kontakter other-region asked=?"
        ]
    );
    assert_no_secrets(&denied);
    hub.close().await;
}

#[tokio::test]
async fn audit_records_a_head_of_microdata_as_a_head_not_a_download() {
    let hub = world_hub().await;
    let token = fresh_user(&hub, "t_head", Role::Region, Some("01")).await;
    let w = world();
    let res = client()
        .head(format!(
            "{}/api/v1/microdata/vardkontakter/kontakter?period={}",
            w.base, w.periods[0]
        ))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(ct(res.headers()), "application/vnd.apache.parquet");
    assert!(res.bytes().await.unwrap().is_empty());
    let entries = audit_of(&hub, "t_head").await;
    assert!(
        !entries.iter().any(|e| e.action == "microdata.download"),
        "{entries:?}"
    );
    let head = entries
        .iter()
        .find(|e| e.action == "microdata.head")
        .unwrap();
    assert_eq!(
        head.details,
        format!(
            "table=kontakter region=01 period={} format=parquet",
            w.periods[0]
        )
    );
    hub.close().await;
}

#[tokio::test]
async fn hardening_idle_connections_time_out_and_the_limit_keeps_health_answering() {
    use tokio::io::AsyncReadExt;
    let tmp = tempfile::tempdir().unwrap();
    let hub = crate::support::fresh_hub(tmp.path()).await;
    let state = AppState::new(
        hub,
        DisclosurePolicy::default_public(),
        ServerConfig {
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            header_read_timeout: Duration::from_secs(1),
            max_connections: 8,
            ..config()
        },
    );
    let (tx, rx) = tokio::sync::oneshot::channel();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(vardhub_server::serve(
        state,
        async move {
            let _ = stopped.await;
        },
        move |addr| {
            let _ = tx.send(addr);
        },
    ));
    let addr = rx.await.unwrap();
    // Far more idle connections than the limit, none of which ever sends a header.
    let mut idle = Vec::new();
    for _ in 0..64 {
        idle.push(tokio::net::TcpStream::connect(addr).await.unwrap());
    }
    // /health still answers (excess connections are closed at once, idle ones time out).
    let health = format!("http://{addr}/health");
    let deadline = tokio::time::Instant::now() + Duration::from_secs(120);
    loop {
        let res = client()
            .get(&health)
            .timeout(Duration::from_secs(10))
            .send()
            .await;
        if let Ok(res) = res
            && res.status() == StatusCode::OK
        {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "/health never answered"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    // Every idle connection is closed by the server (EOF or reset) within a generous bound.
    for mut s in idle {
        let mut buf = [0u8; 64];
        let read = tokio::time::timeout(Duration::from_secs(60), s.read(&mut buf))
            .await
            .expect("an idle connection was never closed");
        assert!(matches!(read, Ok(0) | Err(_)), "{read:?}");
    }
    let _ = stop.send(());
    server.await.unwrap().unwrap();
}

#[tokio::test]
async fn hardening_login_is_throttled_per_address_and_per_name() {
    let tmp = tempfile::tempdir().unwrap();
    let hub = crate::support::fresh_hub(tmp.path()).await;
    let token = fresh_user(&hub, "victim", Role::National, None).await;
    let app = vardhub_server::app(AppState::new(
        hub.clone(),
        DisclosurePolicy::default_public(),
        ServerConfig {
            throttle: ThrottlePolicy {
                burst: 3,
                refill: Duration::from_secs(3600),
            },
            ..config()
        },
    ));
    let origin = "http://hub.test";
    // Per address: three failures under different names, then even the right token is refused.
    for name in ["a1", "a2", "a3"] {
        let res = send(&app, login_request(name, "vh_x", [192, 0, 2, 10], origin)).await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED.as_u16());
    }
    for _ in 0..5 {
        let res = send(
            &app,
            login_request("victim", &token, [192, 0, 2, 10], origin),
        )
        .await;
        assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS.as_u16());
        let retry: u64 = res.headers()["retry-after"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!((1..=3600).contains(&retry), "{retry}");
    }
    // Another address is not affected.
    let res = send(
        &app,
        login_request("victim", &token, [192, 0, 2, 11], origin),
    )
    .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER.as_u16());
    // Per name: one failure each from three addresses, then the name is refused everywhere.
    for last in [21, 22, 23] {
        let res = send(
            &app,
            login_request("victim", "vh_x", [192, 0, 2, last], origin),
        )
        .await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED.as_u16());
    }
    for last in [24, 25, 26] {
        let res = send(
            &app,
            login_request("victim", &token, [192, 0, 2, last], origin),
        )
        .await;
        assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS.as_u16());
    }
    // The audit log has the failures and one throttle entry per window and key, not one per
    // refused request.
    let entries = hub.audit_entries().await.unwrap();
    let failed = entries
        .iter()
        .filter(|e| e.action == "login.failed")
        .count();
    assert_eq!(failed, 6);
    let throttled: Vec<&AuditEntry> = entries
        .iter()
        .filter(|e| e.action == "auth.throttled")
        .collect();
    assert_eq!(throttled.len(), 2, "{throttled:?}");
    assert!(
        throttled[0]
            .details
            .starts_with("name=victim addr=192.0.2.10 retry_after=")
    );
    assert!(
        throttled[1]
            .details
            .starts_with("name=victim addr=192.0.2.24 retry_after=")
    );
    // Unknown bearer tokens count against the address, too.
    for i in 0..3 {
        let req = request("GET", "/api/v1/indicators", [192, 0, 2, 30])
            .header("authorization", format!("Bearer vh_guess{i}"))
            .body(Body::empty())
            .unwrap();
        assert_eq!(
            send(&app, req).await.status(),
            StatusCode::UNAUTHORIZED.as_u16()
        );
    }
    let req = request("GET", "/api/v1/indicators", [192, 0, 2, 30])
        .header("authorization", "Bearer vh_guess9")
        .body(Body::empty())
        .unwrap();
    assert_eq!(
        send(&app, req).await.status(),
        StatusCode::TOO_MANY_REQUESTS.as_u16()
    );
    assert_no_secrets(&hub.audit_entries().await.unwrap());
    hub.close().await;
}

#[tokio::test]
async fn hardening_next_after_login_only_follows_local_paths() {
    let hub = world_hub().await;
    let token = fresh_user(&hub, "t_next", Role::Public, None).await;
    let w = world();
    for (next, expected) in [
        ("%2F%09%2Fevil.example%2Fx", "/"),
        ("%2F%0A%2Fevil.example", "/"),
        ("%2F%5Cevil.example", "/"),
        ("%2F%2Fevil.example", "/"),
        ("%09%2F%2Fevil.example", "/"),
        ("https%3A%2F%2Fevil.example", "/"),
        ("%2Fkatalog%3Flang%3Den", "/katalog?lang=en"),
    ] {
        let res = client()
            .post(format!("{}/logga-in", w.base))
            .header("origin", &w.base)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(format!("name=t_next&token={token}&next={next}"))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "{next}");
        assert_eq!(res.headers()["location"], expected, "{next}");
    }
    hub.close().await;
}

#[tokio::test]
async fn hardening_login_posts_from_another_origin_are_refused() {
    let hub = world_hub().await;
    let token = fresh_user(&hub, "t_csrf", Role::Public, None).await;
    let w = world();
    let post = |origin: Option<&str>, referer: Option<&str>| {
        let mut req = client()
            .post(format!("{}/logga-in", w.base))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(format!("name=t_csrf&token={token}"));
        if let Some(o) = origin {
            req = req.header("origin", o);
        }
        if let Some(r) = referer {
            req = req.header("referer", r);
        }
        req.send()
    };
    for (origin, referer) in [
        (Some("http://evil.example"), None),
        (Some("null"), None),
        (None, Some("http://evil.example/login")),
        (None, None),
        (Some(&*w.base.replace("http://", "https://")), None),
    ] {
        let res = post(origin, referer).await.unwrap();
        assert_eq!(
            res.status(),
            StatusCode::FORBIDDEN,
            "{origin:?} {referer:?}"
        );
        assert!(res.headers().get("set-cookie").is_none());
    }
    let res = post(Some(&w.base), None).await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let set = res.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(set.contains("SameSite=Strict"), "{set}");
    let referer = format!("{}/logga-in?next=/", w.base);
    let res = post(None, Some(&referer)).await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    // Logging out is a state-changing form, too.
    let session = set.split(';').next().unwrap().to_owned();
    let res = client()
        .post(format!("{}/logga-ut", w.base))
        .header("origin", "http://evil.example")
        .header("cookie", &session)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let res = client()
        .get(format!("{}/leveranser", w.base))
        .header("cookie", &session)
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.status(),
        StatusCode::FORBIDDEN,
        "still logged in (a public user may not see deliveries)"
    );
    hub.close().await;
}

#[tokio::test]
async fn hardening_logged_in_pages_are_private_no_store() {
    let hub = world_hub().await;
    let token = fresh_user(&hub, "t_cache", Role::National, None).await;
    let session = login_session("t_cache", &token).await;
    let w = world();
    for page in [
        "/".to_owned(),
        format!("/indikatorer/{ID}"),
        "/leveranser".to_owned(),
        "/katalog".to_owned(),
    ] {
        let res = client()
            .get(format!("{}{page}", w.base))
            .header("cookie", &session)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{page}");
        assert_eq!(
            res.headers()["cache-control"],
            "private, no-store",
            "{page}"
        );
        let res = get(&page, Some(&token)).await;
        assert_eq!(
            res.headers()["cache-control"],
            "private, no-store",
            "{page}"
        );
    }
    let res = get("/katalog", None).await;
    assert_ne!(
        res.headers()
            .get("cache-control")
            .map(|v| v.to_str().unwrap()),
        Some("private, no-store"),
        "anonymous pages may be cached"
    );
    hub.close().await;
}

#[tokio::test]
async fn hardening_the_session_cookie_is_secure_behind_tls() {
    let tmp = tempfile::tempdir().unwrap();
    let hub = crate::support::fresh_hub(tmp.path()).await;
    let token = fresh_user(&hub, "tls", Role::Public, None).await;
    let app = |secure_cookies| {
        vardhub_server::app(AppState::new(
            hub.clone(),
            DisclosurePolicy::default_public(),
            ServerConfig {
                secure_cookies,
                ..config()
            },
        ))
    };
    let res = send(
        &app(true),
        login_request("tls", &token, [192, 0, 2, 40], "https://hub.test"),
    )
    .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER.as_u16());
    let set = res.headers()["set-cookie"].to_str().unwrap();
    assert!(
        set.contains("; Secure") && set.contains("HttpOnly") && set.contains("SameSite=Strict"),
        "{set}"
    );
    // Behind TLS the page's origin is https: a plain-http origin is another origin.
    let res = send(
        &app(true),
        login_request("tls", &token, [192, 0, 2, 40], "http://hub.test"),
    )
    .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN.as_u16());
    // Without TLS (development) the cookie cannot be Secure: browsers would drop it.
    let res = send(
        &app(false),
        login_request("tls", &token, [192, 0, 2, 40], "http://hub.test"),
    )
    .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER.as_u16());
    assert!(
        !res.headers()["set-cookie"]
            .to_str()
            .unwrap()
            .contains("Secure")
    );
    hub.close().await;
}
