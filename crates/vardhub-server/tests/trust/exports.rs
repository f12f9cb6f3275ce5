//! Issue 12, continued: safe CSV exports, who sees which deliveries, and token lifetimes.

use super::{assert_no_secrets, audit_of, config, fresh_user, request, send, world, world_hub};
use crate::{ID, get};
use axum::body::Body;
use reqwest::StatusCode;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use vardhub_engine::disclosure::DisclosurePolicy;
use vardhub_ingest::{IngestOptions, NoProgress};
use vardhub_server::{AppState, Role};

/// Formula-leading texts planted in a delivery's free-text column.
const PLANTED: [&str; 3] = ["=cmd|'/C calc'!A0", "@SUM(1+1)", "+HYPERLINK(x)"];

/// The shared world's synthetic delivery of `collection`, region, month.
fn world_delivery(collection: &str, region: &str, period: &str) -> PathBuf {
    let out = world().data.parent().unwrap().join("deliveries");
    std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|d| {
            let Ok(m) = std::fs::read(d.join("manifest.json")) else {
                return false;
            };
            let m: serde_json::Value = serde_json::from_slice(&m).unwrap();
            m["collection"] == collection && m["region"] == region && m["period"] == period
        })
        .unwrap_or_else(|| panic!("no delivery {collection} {region} {period}"))
}

/// A copy of `from` in `to` whose `table`'s `column` holds [`PLANTED`] in its first rows, with
/// the manifest's checksum updated (as a region's own system could send it).
fn planted_copy(from: &Path, to: &Path, table: &str, column: &str) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let p = e.unwrap().path();
        std::fs::copy(&p, to.join(p.file_name().unwrap())).unwrap();
    }
    let csv_path = to.join(format!("{table}.csv"));
    let text = std::fs::read_to_string(&csv_path).unwrap();
    let mut lines: Vec<String> = text.split("\r\n").map(str::to_owned).collect();
    let col = lines[0].split(';').position(|c| c == column).unwrap();
    for (line, planted) in lines[1..].iter_mut().zip(PLANTED) {
        let mut cells: Vec<&str> = line.split(';').collect();
        cells[col] = planted;
        *line = cells.join(";");
    }
    let text = lines.join("\r\n");
    std::fs::write(&csv_path, &text).unwrap();
    let manifest_path = to.join("manifest.json");
    let mut m: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&manifest_path).unwrap()).unwrap();
    for f in m["files"].as_array_mut().unwrap() {
        if f["table"] == table {
            f["sha256"] = hex::encode(Sha256::digest(text.as_bytes())).into();
        }
    }
    std::fs::write(&manifest_path, serde_json::to_vec_pretty(&m).unwrap()).unwrap();
}

// The ingest uses `block_in_place`, which needs the multi-threaded runtime.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exports_hemhamtning_csv_neutralises_formula_cells() {
    let w = world();
    let tmp = tempfile::tempdir().unwrap();
    let delivery = tmp.path().join("delivery");
    planted_copy(
        &world_delivery("vardkontakter", "01", &w.periods[0]),
        &delivery,
        "kontakter",
        "enhet",
    );
    let hub = crate::support::fresh_hub(tmp.path()).await;
    let pseudo = crate::support::pseudonymiser();
    let lock = hub.lock_writer().await.unwrap();
    let opts = IngestOptions {
        specs: None,
        actor: "test".into(),
        expect_region: None,
    };
    let o = vardhub_ingest::ingest(&hub, &lock, &delivery, &pseudo, &opts, &NoProgress)
        .await
        .unwrap();
    assert!(
        o.accepted(),
        "{}",
        o.report.summary(vardhub_ingest::Lang::En)
    );
    drop(lock);
    let token = fresh_user(&hub, "csv_a", Role::Region, Some("01")).await;
    let app = vardhub_server::app(
        AppState::new(hub.clone(), DisclosurePolicy::default_public(), config())
            .with_release_keys(std::sync::Arc::new(pseudo.release_keys())),
    );
    let req = request(
        "GET",
        &format!(
            "/api/v1/microdata/vardkontakter/kontakter?period={}&format=csv",
            w.periods[0]
        ),
        [127, 0, 0, 1],
    )
    .header("authorization", format!("Bearer {token}"))
    .body(Body::empty())
    .unwrap();
    let res = send(&app, req).await;
    assert_eq!(res.status(), StatusCode::OK.as_u16());
    let body = axum::body::to_bytes(res.into_body(), 1 << 26)
        .await
        .unwrap();
    let csv = String::from_utf8(body.to_vec()).unwrap();
    let cells: Vec<Vec<String>> = csv.lines().map(split_csv_line).collect();
    let col = cells[0].iter().position(|c| c == "enhet").unwrap();
    let enhet: Vec<&str> = cells[1..].iter().map(|r| r[col].as_str()).collect();
    for planted in PLANTED {
        let neutral = format!("'{planted}");
        assert!(enhet.contains(&neutral.as_str()), "{planted}: {enhet:?}");
    }
    // No cell of the file starts a formula (a leading `-` only on a number); numbers (ages) are
    // still bare numbers.
    for row in &cells {
        for c in row {
            assert!(
                !c.starts_with(['=', '+', '@', '\t', '\r']),
                "formula-leading cell {c:?}"
            );
            if let Some(n) = c.strip_prefix('-') {
                assert!(n.parse::<f64>().is_ok(), "formula-leading cell {c:?}");
            }
        }
    }
    let age = cells[0]
        .iter()
        .position(|c| c.starts_with("alder"))
        .unwrap();
    assert!(cells[1][age].parse::<i64>().is_ok(), "{:?}", cells[1][age]);
    hub.close().await;
}

/// One RFC 4180 line split into its cells (quotes removed).
fn split_csv_line(line: &str) -> Vec<String> {
    let mut cells = vec![String::new()];
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                chars.next();
                cells.last_mut().unwrap().push('"');
            }
            ('"', _) => quoted = !quoted,
            (',', false) => cells.push(String::new()),
            (c, _) => cells.last_mut().unwrap().push(c),
        }
    }
    cells
}

#[tokio::test]
async fn exports_values_csv_keeps_numbers_numbers() {
    let w = world();
    let res = get(
        &format!(
            "/api/v1/indicators/{ID}/values?format=csv-rfc4180&region=25&period={}",
            w.periods[0]
        ),
        None,
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    let csv = res.text().await.unwrap();
    for line in csv.lines() {
        for c in split_csv_line(line) {
            assert!(!c.starts_with(['=', '+', '@', '\t', '\r']), "{c:?}");
            if let Some(n) = c.strip_prefix('-') {
                assert!(
                    n.parse::<f64>().is_ok(),
                    "only numbers may start with -: {c:?}"
                );
            }
        }
    }
}

#[tokio::test]
async fn who_sees_what_a_region_sees_only_its_own_deliveries() {
    let w = world();
    let page = |user: &'static str| async move {
        let res = get("/leveranser", Some(w.token(user))).await;
        (res.status(), res.text().await.unwrap())
    };
    let (status, html) = page("reg_a").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("data-region=\"01\""), "own row");
    let rows = html.matches("data-region=").count();
    assert_eq!(
        rows,
        html.matches("data-region=\"01\"").count(),
        "only region 01's rows"
    );
    let (status, html) = page("reg_b").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("data-region=\"12\"") && !html.contains("data-region=\"01\""));
    for user in ["nat", "adm"] {
        let (status, html) = page(user).await;
        assert_eq!(status, StatusCode::OK);
        for r in ["01", "12", "25"] {
            assert!(html.contains(&format!("data-region=\"{r}\"")), "{user} {r}");
        }
    }
    let (status, html) = page("pub").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(!html.contains("data-region="));
}

#[tokio::test]
async fn tokens_expire_and_can_be_listed_disabled_and_rotated() {
    let hub = world_hub().await;
    // Rotation: the old token stops working, the new one works.
    let old = fresh_user(&hub, "t_rot", Role::National, None).await;
    assert_eq!(
        get("/api/v1/indicators", Some(&old)).await.status(),
        StatusCode::OK
    );
    let (_, new) = vardhub_server::users::rotate(&hub, "t_rot", 30, "system")
        .await
        .unwrap();
    assert_ne!(old, new);
    assert_eq!(
        get("/api/v1/indicators", Some(&old)).await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        get("/api/v1/indicators", Some(&new)).await.status(),
        StatusCode::OK
    );
    // Disabling: refused and audited as the user's.
    vardhub_server::users::disable(&hub, "t_rot", "system")
        .await
        .unwrap();
    assert_eq!(
        get("/api/v1/indicators", Some(&new)).await.status(),
        StatusCode::UNAUTHORIZED
    );
    // Expiry: a token past its date is refused and audited as the user's.
    let expired_token = "vh_expired_token_of_t_exp";
    hub.add_user(
        "t_exp",
        "national",
        None,
        &vardhub_server::auth::hash_secret(expired_token),
        vardhub_store::now_utc() - chrono::Duration::seconds(1),
    )
    .await
    .unwrap();
    assert_eq!(
        get("/api/v1/indicators", Some(expired_token))
            .await
            .status(),
        StatusCode::UNAUTHORIZED
    );
    let rot = audit_of(&hub, "t_rot").await;
    assert!(
        rot.iter().any(|e| e.action == "auth.refused"
            && e.object == "/api/v1/indicators"
            && e.details == "reason=disabled addr=127.0.0.1"),
        "{rot:?}"
    );
    let exp = audit_of(&hub, "t_exp").await;
    assert!(
        exp.iter()
            .any(|e| e.action == "auth.refused" && e.details == "reason=expired addr=127.0.0.1"),
        "{exp:?}"
    );
    let system = audit_of(&hub, "system").await;
    assert!(
        system
            .iter()
            .any(|e| e.action == "users.rotate" && e.object == "t_rot")
    );
    assert!(
        system
            .iter()
            .any(|e| e.action == "users.disable" && e.object == "t_rot")
    );
    assert_no_secrets(&rot);
    assert_no_secrets(&exp);
    // Listing: name, role, region, created, expires, disabled; never a token.
    let list = vardhub_server::users::list(&hub).await.unwrap();
    let t_rot = list.iter().find(|l| l.user.name == "t_rot").unwrap();
    assert_eq!(t_rot.user.role, "national");
    assert!(t_rot.user.disabled_at.is_some() && !t_rot.expired);
    assert!(t_rot.user.expires_at.as_deref().unwrap() > t_rot.user.created_at.as_str());
    assert!(
        list.iter()
            .find(|l| l.user.name == "t_exp")
            .unwrap()
            .expired
    );
    let shown = format!("{list:?}");
    assert!(!shown.contains(&old) && !shown.contains(&new) && !shown.contains("vh_"));
    hub.close().await;
}
