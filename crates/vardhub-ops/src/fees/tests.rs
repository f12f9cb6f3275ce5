//! The invoice basis against hand-computed totals.

use super::*;
use vardhub_engine::definitions::FeeAmounts;
use vardhub_store::work_log::{NewResourceUse, NewWork, minutes_from_hours};
use vardhub_store::{AuditKey, HubId};

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn model(user_fee: i64, per: UserFeePer) -> FeeModel {
    FeeModel {
        id: "avgifter".into(),
        version: "2025.1".into(),
        currency: "SEK".into(),
        valid_from: d("2025-01-01"),
        valid_to: d("2026-12-31"),
        illustrative: true,
        decision: "test".into(),
        amounts: FeeAmounts {
            start_fee: 10_000,
            hourly_rate: 1_200,
            user_fee,
            user_fee_per: per,
            storage_per_gb_month: 5,
            compute_per_core_hour: 2,
        },
    }
}

async fn hub(dir: &std::path::Path) -> Hub {
    let key = AuditKey::create(&dir.join("keys")).unwrap();
    Hub::init(dir.join("hub"), true, HubId::random(), key)
        .await
        .unwrap()
}

async fn work(hub: &Hub, subject: &str, day: &str, hours: &str, start: bool) -> i64 {
    let w = NewWork {
        subject: Subject::parse(subject).unwrap(),
        who: "karin".into(),
        day: d(day),
        minutes: minutes_from_hours(hours).unwrap(),
        activity: "Handläggning".into(),
        corrects: None,
        reason: None,
        project_start: start,
    };
    hub.record_work(&w, "karin").await.unwrap().seq
}

async fn resources(hub: &Hub, month: &str, users: i64, gb: i64, minutes: i64) {
    let u = NewResourceUse {
        subject: Subject::parse("project:P1").unwrap(),
        month: Period::parse(month).unwrap(),
        users,
        storage_gb_hundredths: gb,
        compute_minutes: minutes,
        reason: (users < 0).then(|| "dubbelräknad användare".into()),
    };
    hub.record_resources(&u, "drift").await.unwrap();
}

/// Project P1: work in January–April (a correction in February), resources January–April.
async fn planted(hub: &Hub) {
    work(hub, "project:P1", "2025-01-10", "1.5", true).await;
    let feb = work(hub, "project:P1", "2025-02-03", "2.25", false).await;
    work(hub, "project:P1", "2025-03-20", "0.01", false).await;
    let fix = NewWork {
        subject: Subject::parse("project:P1").unwrap(),
        who: "karin".into(),
        day: d("2025-02-03"),
        minutes: -15,
        activity: "Rättelse".into(),
        corrects: Some(feb),
        reason: Some("en kvart för mycket".into()),
        project_start: false,
    };
    hub.record_work(&fix, "karin").await.unwrap();
    work(hub, "project:P1", "2025-04-02", "3", false).await;
    resources(hub, "2025-01", 2, 1050, 90).await;
    resources(hub, "2025-02", 3, 2000, 30).await;
    resources(hub, "2025-03", 3, 2025, 0).await;
    resources(hub, "2025-03", -1, 0, 0).await;
    resources(hub, "2025-04", 3, 0, 0).await;
}

fn amounts(b: &InvoiceBasis) -> Vec<(LineKind, i64, i64, i64)> {
    b.lines
        .iter()
        .map(|l| {
            (
                l.kind,
                l.quantity_hundredths,
                l.unit_price_ore,
                l.amount_ore,
            )
        })
        .collect()
}

#[tokio::test]
async fn the_first_quarter_matches_the_hand_computed_total() {
    let tmp = tempfile::tempdir().unwrap();
    let hub = hub(tmp.path()).await;
    planted(&hub).await;
    let p1 = Subject::parse("project:P1").unwrap();
    let m = model(1_100, UserFeePer::Month);
    let b = invoice_basis(&hub, &m, &p1, d("2025-01-01"), d("2025-03-31"))
        .await
        .unwrap();
    // Handling: 90 + 135 + 1 − 15 = 211 min = 3.5167 h → 3,52 h × 1 200 kr = 4 224,00 kr.
    // Users: 2 + 3 + 3 − 1 = 7 user-months × 1 100 kr = 7 700 kr.
    // Storage: 10,50 + 20,00 + 20,25 = 50,75 GB-months × 5 kr = 253,75 kr.
    // Compute: 90 + 30 = 120 core-minutes = 2,00 core-hours × 2 kr = 4 kr.
    // Start fee: the project started 2025-01-10 (marked), 10 000 kr.
    assert_eq!(
        amounts(&b),
        vec![
            (LineKind::StartFee, 100, 1_000_000, 1_000_000),
            (LineKind::Handling, 352, 120_000, 422_400),
            (LineKind::Users, 700, 110_000, 770_000),
            (LineKind::Storage, 5_075, 500, 25_375),
            (LineKind::Compute, 200, 200, 400),
        ]
    );
    assert_eq!(b.total_ore, 2_218_175, "22 181,75 kr");
    assert_eq!(b.fee_model_version, "2025.1");
    assert_eq!(b.vat, VAT_NOTE);
    assert_eq!(b.work.len(), 4);
    assert_eq!(b.resources.len(), 4);

    let csv = b.to_csv();
    assert!(csv.starts_with("\u{feff}Underlag;Från;Till;Rad;Beskrivning;Antal;Enhet;À-pris exkl. moms (kr);Belopp exkl. moms (kr);Avgiftsmodell\r\n"));
    assert!(
        csv.contains("project:P1;2025-01-01;2025-03-31;2;Handläggning, 4 poster;3,52;timmar;1200,00;4224,00;avgifter 2025.1\r\n"),
        "{csv}"
    );
    assert!(
        csv.contains(";Summa exkl. moms;;;;22181,75;avgifter 2025.1\r\n"),
        "{csv}"
    );
    assert!(csv.contains("illustrativa"), "{csv}");
    assert_eq!(csv.lines().count(), 1 + 5 + 1 + 1);
}

#[tokio::test]
async fn later_and_partial_periods_charge_only_what_falls_in_them() {
    let tmp = tempfile::tempdir().unwrap();
    let hub = hub(tmp.path()).await;
    planted(&hub).await;
    let p1 = Subject::parse("project:P1").unwrap();
    let m = model(1_100, UserFeePer::Month);
    // Q2: 3 h and 3 user-months, no start fee.
    let q2 = invoice_basis(&hub, &m, &p1, d("2025-04-01"), d("2025-06-30"))
        .await
        .unwrap();
    assert_eq!(
        amounts(&q2),
        vec![
            (LineKind::Handling, 300, 120_000, 360_000),
            (LineKind::Users, 300, 110_000, 330_000),
        ]
    );
    assert_eq!(q2.total_ore, 690_000);
    // 15 January – 14 February: the February entries (135 − 15 min = 2 h) and February's
    // resources (its first day is in the period); January's month is not.
    let mid = invoice_basis(&hub, &m, &p1, d("2025-01-15"), d("2025-02-14"))
        .await
        .unwrap();
    assert_eq!(
        amounts(&mid),
        vec![
            (LineKind::Handling, 200, 120_000, 240_000),
            (LineKind::Users, 300, 110_000, 330_000),
            (LineKind::Storage, 2_000, 500, 10_000),
            (LineKind::Compute, 50, 200, 100),
        ]
    );
    assert_eq!(mid.total_ore, 580_100);
    // A yearly user fee of 13 000 kr: 1 083,33 kr per user-month, 7 user-months = 7 583,31 kr.
    let year = model(13_000, UserFeePer::Year);
    let b = invoice_basis(&hub, &year, &p1, d("2025-01-01"), d("2025-03-31"))
        .await
        .unwrap();
    let users = b.lines.iter().find(|l| l.kind == LineKind::Users).unwrap();
    assert_eq!((users.unit_price_ore, users.amount_ore), (108_333, 758_331));
    assert_eq!(b.total_ore, 2_218_175 - 770_000 + 758_331);
}

#[tokio::test]
async fn cases_pay_handling_only_and_the_model_must_cover_the_period() {
    let tmp = tempfile::tempdir().unwrap();
    let hub = hub(tmp.path()).await;
    work(&hub, "case:9", "2025-05-05", "1", false).await;
    let case = Subject::parse("case:9").unwrap();
    let m = model(1_100, UserFeePer::Month);
    let b = invoice_basis(&hub, &m, &case, d("2025-01-01"), d("2025-12-31"))
        .await
        .unwrap();
    assert_eq!(
        amounts(&b),
        vec![(LineKind::Handling, 100, 120_000, 120_000)]
    );
    let err = invoice_basis(&hub, &m, &case, d("2024-12-01"), d("2025-01-31"))
        .await
        .unwrap_err();
    assert!(matches!(err, FeesError::NotValid { .. }), "{err}");
    let err = invoice_basis(&hub, &m, &case, d("2025-02-01"), d("2025-01-31"))
        .await
        .unwrap_err();
    assert!(matches!(err, FeesError::Period { .. }), "{err}");
    let empty = invoice_basis(&hub, &m, &case, d("2026-01-01"), d("2026-01-31"))
        .await
        .unwrap();
    assert!(empty.lines.is_empty() && empty.total_ore == 0);
    assert_eq!(decimal_comma(-5), "-0,05");
    assert_eq!(decimal_comma(123_456), "1234,56");
    assert_eq!(resource_months(d("2025-01-02"), d("2025-01-31")), None);
    let feb = Period::parse("2025-02").unwrap();
    assert_eq!(
        resource_months(d("2025-01-31"), d("2025-02-27")),
        Some((feb, feb))
    );
}

#[test]
fn the_builtin_model_prices_an_hour_of_handling() {
    let m = vardhub_engine::definitions::Definitions::builtin()
        .fees()
        .clone();
    let b = basis_from(
        &m,
        &Subject::parse("case:1").unwrap(),
        m.valid_from,
        m.valid_from,
        None,
        Vec::new(),
        Vec::new(),
    )
    .unwrap();
    assert_eq!(b.total_ore, 0);
    assert!(b.illustrative);
}
