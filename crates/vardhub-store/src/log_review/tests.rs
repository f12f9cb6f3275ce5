//! Log review against a planted pattern in a real store.

use super::*;
use sqlx::Row;

fn utc(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

#[test]
fn swedish_local_time_follows_the_eu_summer_time_rule() {
    let local = |s: &str| swedish_local(utc(s)).to_string();
    assert_eq!(local("2025-01-15T12:00:00Z"), "2025-01-15 13:00:00");
    assert_eq!(local("2025-03-30T00:59:59Z"), "2025-03-30 01:59:59");
    assert_eq!(local("2025-03-30T01:00:00Z"), "2025-03-30 03:00:00");
    assert_eq!(local("2025-10-26T00:59:59Z"), "2025-10-26 02:59:59");
    assert_eq!(local("2025-10-26T01:00:00Z"), "2025-10-26 02:00:00");
    // 23:30 UTC in summer is the next Swedish day.
    assert_eq!(local("2025-05-05T23:30:00Z"), "2025-05-06 01:30:00");
    let (from, to) = swedish_days(day("2025-05-05"), day("2025-05-09"));
    assert_eq!(from, utc("2025-05-04T22:00:00Z"));
    assert_eq!(to, utc("2025-05-09T22:00:00Z"));
    let (from, to) = swedish_days(day("2025-01-01"), day("2025-01-01"));
    assert_eq!(
        (from, to),
        (utc("2024-12-31T23:00:00Z"), utc("2025-01-01T23:00:00Z"))
    );
}

/// Append an entry with a chosen time, chained and MAC'd exactly as [`crate::audit`] does
/// (the public append stamps the current time, and a review needs days and nights).
/// `forge` writes a wrong MAC, as someone without the audit key would.
async fn append_at(
    hub: &Hub,
    at: &str,
    actor: &str,
    action: &str,
    object: &str,
    details: &str,
    forge: bool,
) {
    let key = hub.audit_key().unwrap();
    let mut tx = hub.pool.begin_with("BEGIN IMMEDIATE").await.unwrap();
    let last = sqlx::query("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")
        .fetch_one(&mut *tx)
        .await
        .unwrap();
    let seq = last.get::<i64, _>(0) + 1;
    let prev: String = last.get(1);
    let at = crate::time::fmt(utc(at));
    let mut hash = key.mac(&[&prev, &seq.to_string(), &at, actor, action, object, details]);
    if forge {
        hash = "0".repeat(hash.len());
    }
    sqlx::query(
        "INSERT INTO audit_log (seq, at, actor, action, object, details, prev_hash, hash)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(seq)
    .bind(&at)
    .bind(actor)
    .bind(action)
    .bind(object)
    .bind(details)
    .bind(&prev)
    .bind(&hash)
    .execute(&mut *tx)
    .await
    .unwrap();
    tx.commit().await.unwrap();
}

async fn download(hub: &Hub, at: &str, user: &str, region: &str) {
    let details = format!(
        "table=kontakter region={region} period=2025-04 format=parquet rows=120 sha256=ab12 pseudonyms=region:{region} key_version=1"
    );
    append_at(
        hub,
        at,
        user,
        "microdata.download",
        "d-2025-04",
        &details,
        false,
    )
    .await;
}

async fn aggregate(hub: &Hub, at: &str, user: &str, access: &str, filters: &str) {
    let details = format!("GET access={access} addr=10.0.0.7 filters={filters}");
    let route = "/api/v1/indicators/{id}/values";
    append_at(hub, at, user, "http.read", route, &details, false).await;
}

async fn user(hub: &Hub, name: &str, role: &str, region: Option<&str>) {
    let expires = utc("2030-01-01T00:00:00Z");
    let token = format!("{:0>64}", hex::encode(name));
    hub.add_user(name, role, region, &token, expires)
        .await
        .unwrap();
}

/// Five weekdays in May 2025 (CEST, UTC+2): four users with a normal pattern, and cecilia
/// with a burst of downloads at 02:30 one night and refused attempts on region 03.
async fn planted_hub(dir: &std::path::Path) -> Hub {
    let hub = crate::hub::test_hub(dir).await;
    user(&hub, "anna", "region", Some("01")).await;
    user(&hub, "bertil", "region", Some("01")).await;
    user(&hub, "cecilia", "region", Some("01")).await;
    user(&hub, "dagny", "region", Some("03")).await;
    user(&hub, "erik", "national", None).await;
    let dagny_counts = [4, 6, 5, 12, 4];
    for (i, d) in ["05", "06", "07", "08", "09"].into_iter().enumerate() {
        let t = |hm: &str| format!("2025-05-{d}T{hm}:00Z");
        for _ in 0..2 {
            download(&hub, &t("07:15"), "anna", "01").await; // 09:15 local
        }
        aggregate(
            &hub,
            &t("07:20"),
            "anna",
            "region-01",
            "region=01,period=2025-04",
        )
        .await;
        // 23:30 local and 05:00 local: not night.
        aggregate(&hub, &t("21:30"), "anna", "region-01", "-").await;
        for _ in 0..3 {
            download(&hub, &t("03:00"), "bertil", "01").await; // 05:00 local
        }
        for _ in 0..dagny_counts[i] {
            download(&hub, &t("08:00"), "dagny", "03").await;
        }
        for _ in 0..2 {
            download(&hub, &t("12:00"), "cecilia", "01").await;
        }
        aggregate(&hub, &t("09:00"), "erik", "full", "region=03,kon=2").await;
        // Noise everyone has: a mistyped login, an expired token.
        let failed = "name=anna addr=10.0.0.7 reason=unknown-token";
        append_at(
            &hub,
            &t("06:55"),
            "anonymous",
            "login.failed",
            "session",
            failed,
            false,
        )
        .await;
    }
    // The planted pattern: 30 downloads at 02:30 local on 7 May …
    for _ in 0..30 {
        download(&hub, "2025-05-07T00:30:00Z", "cecilia", "01").await;
    }
    // … and three refused requests for region 03's microdata on 8 May.
    for _ in 0..3 {
        let details = "kontakter/kontakter other-region asked=03";
        append_at(
            &hub,
            "2025-05-08T09:00:00Z",
            "cecilia",
            "microdata.denied",
            "microdata",
            details,
            false,
        )
        .await;
    }
    let expired = "reason=expired addr=10.0.0.9";
    append_at(
        &hub,
        "2025-05-08T10:00:00Z",
        "bertil",
        "auth.refused",
        "/api/v1/indicators",
        expired,
        false,
    )
    .await;
    // Outside the span: not reviewed.
    download(&hub, "2025-05-12T00:30:00Z", "anna", "01").await;
    hub.checkpoint_audit().await.unwrap();
    hub
}

/// Parse the CSVs written here (quoted cells only where needed).
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let text = text.strip_prefix('\u{feff}').expect("BOM");
    let mut rows = Vec::new();
    for line in text.split_terminator("\r\n") {
        let (mut row, mut cell, mut quoted) = (Vec::new(), String::new(), false);
        let mut chars = line.chars().peekable();
        while let Some(c) = chars.next() {
            match (c, quoted) {
                ('"', true) if chars.peek() == Some(&'"') => {
                    chars.next();
                    cell.push('"');
                }
                ('"', _) => quoted = !quoted,
                (';', false) => row.push(std::mem::take(&mut cell)),
                (c, _) => cell.push(c),
            }
        }
        row.push(cell);
        rows.push(row);
    }
    rows
}

#[tokio::test]
async fn log_review_flags_exactly_the_planted_pattern() {
    let tmp = tempfile::tempdir().unwrap();
    let hub = planted_hub(tmp.path()).await;
    let (from, to) = swedish_days(day("2025-05-05"), day("2025-05-09"));
    let report = hub.log_review(from, to).await.unwrap();
    let total = hub.audit_entries().await.unwrap().len();
    assert_eq!(report.chain, ChainCheck::Verified { entries: total });

    let flags: Vec<(Rule, &str, String, Option<&str>, usize)> = report
        .flags
        .iter()
        .map(|f| {
            (
                f.rule,
                f.user.as_str(),
                f.day.to_string(),
                f.region.as_deref(),
                f.count,
            )
        })
        .collect();
    assert_eq!(
        flags,
        [
            (
                Rule::ManyDownloads,
                "cecilia",
                "2025-05-07".into(),
                None,
                32
            ),
            (Rule::Night, "cecilia", "2025-05-07".into(), None, 30),
            (
                Rule::OtherRegion,
                "cecilia",
                "2025-05-08".into(),
                Some("03"),
                3
            ),
        ]
    );
    assert!(
        report.flags[0].reason.contains("32 hämtningar"),
        "{}",
        report.flags[0].reason
    );
    assert!(
        report.flags[0].reason.contains("gräns 12"),
        "{}",
        report.flags[0].reason
    );

    // Per user: downloads, regions, aggregates with filters, refused attempts.
    let user = |n: &str| report.users.iter().find(|u| u.user == n).unwrap();
    assert_eq!(user("anna").totals().downloads, 10);
    assert_eq!(user("anna").totals().night, 0);
    assert!(
        user("anna")
            .aggregates
            .contains("/api/v1/indicators/{id}/values filters=region=01,period=2025-04")
    );
    assert_eq!(user("cecilia").totals().downloads, 40);
    assert_eq!(user("cecilia").totals().refused, 3);
    assert_eq!(user("cecilia").days[&day("2025-05-07")].night, 30);
    assert_eq!(
        user("dagny").microdata_regions,
        BTreeSet::from(["03".to_owned()])
    );
    assert_eq!(user("anonymous").totals().refused, 5);
    assert_eq!(user("bertil").totals().refused, 1);
    assert_eq!(user("erik").user_region, None);

    // Per region: who read which region's microdata, counts per day.
    let region = |r: &str| report.regions.iter().find(|s| s.region == r).unwrap();
    let names = |v: &[&str]| v.iter().map(|s| (*s).to_owned()).collect::<BTreeSet<_>>();
    assert_eq!(
        region("01").microdata_users,
        names(&["anna", "bertil", "cecilia"])
    );
    assert_eq!(region("03").microdata_users, names(&["dagny"]));
    assert_eq!(region("03").users, names(&["cecilia", "dagny", "erik"]));
    assert_eq!(region("03").days[&day("2025-05-08")].downloads, 12);
    assert_eq!(region("03").days[&day("2025-05-08")].refused, 3);
    // The entry of 12 May and the users.add entries are outside the span.
    assert!(report.events.iter().all(|e| e.at >= from && e.at < to));
    assert_eq!(report.other_entries, 0);
}

#[tokio::test]
async fn region_csv_holds_only_that_regions_rows() {
    let tmp = tempfile::tempdir().unwrap();
    let hub = planted_hub(tmp.path()).await;
    let (from, to) = swedish_days(day("2025-05-05"), day("2025-05-09"));
    let report = hub.log_review(from, to).await.unwrap();
    let csv = report.csv_for_region("3").unwrap();
    let rows = parse_csv(&csv);
    assert_eq!(rows[0][0], "löpnummer");
    assert_eq!(rows[0].len(), 13);
    let body = &rows[1..];
    assert!(body.iter().all(|r| r.len() == 13));
    // Every row is region 03's data or region 03's user.
    assert!(body.iter().all(|r| r[4] == "03" || r[6] == "03"), "{csv}");
    let users: BTreeSet<&str> = body.iter().map(|r| r[3].as_str()).collect();
    assert_eq!(users, BTreeSet::from(["cecilia", "dagny", "erik"]));
    let attempts: Vec<&Vec<String>> = body.iter().filter(|r| r[3] == "cecilia").collect();
    assert_eq!(attempts.len(), 3);
    for r in attempts {
        assert_eq!(
            (r[1].as_str(), r[2].as_str(), r[9].as_str()),
            ("2025-05-08", "11:00:00", "ja")
        );
        assert!(r[12].contains("försök mot region 03"), "{r:?}");
    }
    assert_eq!(body.iter().filter(|r| r[3] == "dagny").count(), 31);
    assert!(
        body.iter()
            .filter(|r| r[3] != "cecilia")
            .all(|r| r[12].is_empty())
    );

    // Region 01 sees its own users, cecilia's night burst flagged, not dagny.
    let rows = parse_csv(&report.csv_for_region("01").unwrap());
    let body = &rows[1..];
    assert!(body.iter().all(|r| r[4] == "01" || r[6] == "01"));
    assert!(!body.iter().any(|r| r[3] == "dagny" || r[3] == "erik"));
    let night: Vec<_> = body.iter().filter(|r| r[2] == "02:30:00").collect();
    assert_eq!(night.len(), 30);
    assert!(night.iter().all(|r| r[3] == "cecilia"
        && r[12].contains("32 hämtningar")
        && r[12].contains("nattetid")));

    let daily = parse_csv(&report.daily_csv_for_region("01").unwrap());
    let burst = daily
        .iter()
        .find(|r| r[0] == "2025-05-07" && r[1] == "cecilia")
        .unwrap();
    assert_eq!(&burst[3..7], ["32", "0", "0", "30"]);
    assert!(burst[7].contains("ovanligt många hämtningar"));
    assert!(report.csv_for_region("99").is_err());
}

#[tokio::test]
async fn log_review_reads_the_live_log_and_refuses_a_broken_chain() {
    let tmp = tempfile::tempdir().unwrap();
    let hub = crate::hub::test_hub(tmp.path()).await;
    user(&hub, "anna", "region", Some("01")).await;
    let details = "table=kontakter region=01 period=2025-04 format=csv rows=3 sha256=ab";
    hub.append_audit("anna", "microdata.download", "d-1", details)
        .await
        .unwrap();
    let now = crate::time::now_utc();
    let (from, to) = (now - Duration::hours(1), now + Duration::hours(1));
    let report = hub.log_review(from, to).await.unwrap();
    assert_eq!(report.events.len(), 1);
    assert_eq!(report.events[0].kind, AccessKind::MicrodataDownload);
    assert_eq!(report.events[0].user_region.as_deref(), Some("01"));
    assert_eq!(report.other_entries, 2, "init and users.add");
    // Only the clock decides whether this run is at night.
    let at_night = report.events[0].local.hour() < NIGHT_END_HOUR;
    assert_eq!(report.flags.len(), usize::from(at_night));
    assert!(report.flags.iter().all(|f| f.rule == Rule::Night));
    assert!(matches!(
        hub.log_review(to, from).await,
        Err(LogReviewError::Span { .. })
    ));

    append_at(
        &hub,
        "2025-05-05T10:00:00Z",
        "anna",
        "microdata.download",
        "d-1",
        details,
        true,
    )
    .await;
    assert!(matches!(
        hub.log_review(from, to).await,
        Err(LogReviewError::Broken(_))
    ));
}
