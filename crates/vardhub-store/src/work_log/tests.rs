//! The work log: parsing, recording, corrections, listing per subject and period, audit.

use super::*;

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn work(subject: &str, day: &str, hours: &str, activity: &str) -> NewWork {
    NewWork {
        subject: Subject::parse(subject).unwrap(),
        who: "karin".into(),
        day: d(day),
        minutes: minutes_from_hours(hours).unwrap(),
        activity: activity.into(),
        corrects: None,
        reason: None,
        project_start: false,
    }
}

#[test]
fn subjects_and_numbers_parse_strictly() {
    assert_eq!(
        Subject::parse("project:P-2025-01").unwrap(),
        Subject::Project("P-2025-01".into())
    );
    assert_eq!(Subject::parse("case:17").unwrap().to_string(), "case:17");
    for bad in ["", "project:", "projekt:1", "case:a b", "case:x;y", "17"] {
        assert!(Subject::parse(bad).is_err(), "{bad}");
    }
    assert_eq!(minutes_from_hours("1.5").unwrap(), 90);
    assert_eq!(minutes_from_hours("1,25").unwrap(), 75);
    assert_eq!(
        minutes_from_hours("0.01").unwrap(),
        1,
        "0.6 min rounds to 1"
    );
    assert_eq!(minutes_from_hours("-0.75").unwrap(), -45);
    assert_eq!(minutes_from_hours("2").unwrap(), 120);
    for bad in ["1.255", "", "1h", "1.5.1", "-", "99999"] {
        assert!(minutes_from_hours(bad).is_err(), "{bad}");
    }
    assert_eq!(hundredths("12,5").unwrap(), 1250);
    assert_eq!(div_round(-5, 10), -1);
    assert_eq!(div_round(4, 10), 0);
}

#[tokio::test]
async fn work_is_recorded_listed_per_subject_and_period_and_audited() {
    let tmp = tempfile::tempdir().unwrap();
    let hub = crate::hub::test_hub(tmp.path()).await;
    let a = hub
        .record_work(
            &work(
                "project:P1",
                "2025-03-03",
                "1.5",
                "Genomgång av ansökan för 19800102-2386",
            ),
            "anna",
        )
        .await
        .unwrap();
    assert_eq!(a.minutes, 90);
    assert!(
        !a.activity.contains("19800102-2386"),
        "identity numbers are masked: {}",
        a.activity
    );
    hub.record_work(&work("project:P1", "2025-04-10", "2", "Uttag"), "anna")
        .await
        .unwrap();
    hub.record_work(&work("case:7", "2025-03-05", "0.5", "Triage"), "bo")
        .await
        .unwrap();
    let p1 = Subject::parse("project:P1").unwrap();
    let march = hub
        .work_entries(&p1, d("2025-03-01"), d("2025-03-31"))
        .await
        .unwrap();
    assert_eq!(march.len(), 1);
    assert_eq!(march[0], a);
    let all = hub
        .work_entries(&p1, d("2025-01-01"), d("2025-12-31"))
        .await
        .unwrap();
    assert_eq!(all.len(), 2);
    assert_eq!(hub.work_subjects().await.unwrap().len(), 2);
    let audit: Vec<_> = hub
        .audit_entries()
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.action == "work.record")
        .collect();
    assert_eq!(audit.len(), 3);
    assert_eq!(audit[0].object, "project:P1");
    assert_eq!(audit[0].actor, "anna");
    assert!(
        audit[0].details.contains("minutes=90"),
        "{}",
        audit[0].details
    );
    assert!(hub.verify_audit().await.unwrap().is_ok());
}

#[tokio::test]
async fn corrections_are_new_negative_entries_with_a_reason_and_the_log_is_append_only() {
    let tmp = tempfile::tempdir().unwrap();
    let hub = crate::hub::test_hub(tmp.path()).await;
    let a = hub
        .record_work(&work("project:P1", "2025-03-03", "3", "Granskning"), "anna")
        .await
        .unwrap();
    let mut fix = work("project:P1", "2025-03-03", "-1", "Rättelse");
    fix.corrects = Some(a.seq);
    let err = hub.record_work(&fix, "anna").await.unwrap_err();
    assert!(
        matches!(err, WorkLogError::Invalid(_)),
        "a reason is needed: {err}"
    );
    fix.reason = Some("fel antal timmar".into());
    let c = hub.record_work(&fix, "anna").await.unwrap();
    assert_eq!(c.minutes, -60);
    let mut too_much = fix.clone();
    too_much.minutes = -121;
    assert!(
        hub.record_work(&too_much, "anna").await.is_err(),
        "below zero"
    );
    let mut other = fix.clone();
    other.subject = Subject::parse("case:1").unwrap();
    assert!(
        hub.record_work(&other, "anna").await.is_err(),
        "corrects an entry of the same subject only"
    );
    let mut zero = work("project:P1", "2025-03-03", "0", "x");
    assert!(hub.record_work(&zero, "anna").await.is_err());
    zero.minutes = 10;
    zero.subject = Subject::parse("case:1").unwrap();
    zero.project_start = true;
    assert!(
        hub.record_work(&zero, "anna").await.is_err(),
        "cases do not start"
    );
    let total: i64 = hub
        .work_entries(&a.subject, d("2025-01-01"), d("2025-12-31"))
        .await
        .unwrap()
        .iter()
        .map(|e| e.minutes)
        .sum();
    assert_eq!(total, 120);
    let month = NewResourceUse {
        subject: a.subject.clone(),
        month: Period::parse("2025-03").unwrap(),
        users: 1,
        storage_gb_hundredths: 0,
        compute_minutes: 0,
        reason: None,
    };
    hub.record_resources(&month, "drift").await.unwrap();
    for sql in [
        "UPDATE work_log SET minutes = 1",
        "DELETE FROM work_log",
        "UPDATE resource_use SET users = 1",
        "DELETE FROM resource_use",
    ] {
        assert!(sqlx::query(sql).execute(&hub.pool).await.is_err(), "{sql}");
    }
}

#[tokio::test]
async fn resources_are_per_project_and_month_and_the_start_is_found() {
    let tmp = tempfile::tempdir().unwrap();
    let hub = crate::hub::test_hub(tmp.path()).await;
    let p = Subject::parse("project:P2").unwrap();
    assert_eq!(hub.project_start(&p).await.unwrap(), None);
    let use_ = |month: &str, users, gb, min| NewResourceUse {
        subject: p.clone(),
        month: Period::parse(month).unwrap(),
        users,
        storage_gb_hundredths: gb,
        compute_minutes: min,
        reason: None,
    };
    hub.record_resources(&use_("2025-02", 2, 1050, 600), "drift")
        .await
        .unwrap();
    hub.record_resources(&use_("2025-03", 3, 2000, 0), "drift")
        .await
        .unwrap();
    assert_eq!(hub.project_start(&p).await.unwrap(), Some(d("2025-02-01")));
    let mut neg = use_("2025-03", -1, 0, 0);
    assert!(hub.record_resources(&neg, "drift").await.is_err(), "reason");
    neg.reason = Some("en användare räknades två gånger".into());
    hub.record_resources(&neg, "drift").await.unwrap();
    neg.users = -3;
    assert!(
        hub.record_resources(&neg, "drift").await.is_err(),
        "below zero"
    );
    let mut case = use_("2025-03", 1, 0, 0);
    case.subject = Subject::parse("case:1").unwrap();
    assert!(hub.record_resources(&case, "drift").await.is_err());
    assert!(
        hub.record_resources(&use_("2025-03", 0, 0, 0), "drift")
            .await
            .is_err()
    );
    let rows = hub
        .resource_use(
            &p,
            Period::parse("2025-03").unwrap(),
            Period::parse("2025-12").unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows.iter().map(|r| r.users).sum::<i64>(), 2);
    let mut w = work("project:P2", "2025-01-20", "1", "Startmöte");
    hub.record_work(&w, "anna").await.unwrap();
    assert_eq!(hub.project_start(&p).await.unwrap(), Some(d("2025-01-20")));
    w.day = d("2025-02-15");
    w.project_start = true;
    hub.record_work(&w, "anna").await.unwrap();
    assert_eq!(
        hub.project_start(&p).await.unwrap(),
        Some(d("2025-02-15")),
        "an explicit start mark wins"
    );
    assert!(hub.verify_audit().await.unwrap().is_ok());
}
