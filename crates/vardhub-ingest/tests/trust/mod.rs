//! Issue 12 (ingest, part 2): nothing lost to a bad delivery, no identity number in other fields.
//! One test per item; each fails on the code before the fix.

use super::*;
use chrono::TimeZone;

/// Diagnoses for contacts K1..Kn, `per` each.
fn diagnoses(n: usize, per: usize) -> Vec<String> {
    (1..=n)
        .flat_map(|k| (1..=per).map(move |o| format!("K{k};{o};I10")))
        .collect()
}

/// Every text cell of every batch.
fn text_cells(batches: &[RecordBatch]) -> Vec<String> {
    let mut out = Vec::new();
    for b in batches {
        for c in b.columns() {
            if let Some(s) = c.as_string_opt::<i32>() {
                out.extend(s.iter().flatten().map(str::to_owned));
            }
        }
    }
    out
}

/// The written forms of a 12-digit test personnummer (born before 2000, so `+` is a valid form
/// only for the shape, not the age: the scanner must catch it anyway).
fn written_forms(n: &str) -> Vec<String> {
    let (c, ten) = (&n[..2], &n[2..]);
    let (d6, l4) = (&ten[..6], &ten[6..]);
    vec![
        n.to_owned(),
        format!("{c}{d6}-{l4}"),
        format!("{c}{d6} {l4}"),
        format!("{c}{d6}.{l4}"),
        ten.to_owned(),
        format!("{d6}-{l4}"),
        format!("{d6}+{l4}"),
        format!("{d6} {l4}"),
        format!("{d6}.{l4}"),
    ]
}

#[tokio::test(flavor = "multi_thread")]
async fn nul_garbage_redelivery_does_not_replace_published_data() {
    let e = env(true).await;
    let mut files = Files::new(many_stays(20));
    files.diagnoser = diagnoses(20, 8);
    let v1 = Delivery::new(&e.root, "v1").contacts(&files, false).write();
    assert_ne!(e.ingest(&v1).await.status, DeliveryStatus::Rejected);
    // The re-delivery: the contacts file is its header and then NUL bytes; checksum and row count
    // in the manifest describe exactly those bytes.
    let v2 = Delivery::new(&e.root, "v2")
        .contacts(&files, false)
        .map_file("kontakter", |b| {
            let mut out = b[..=b.iter().position(|&c| c == b'\n').unwrap()].to_vec();
            out.extend(std::iter::repeat_n(0u8, 256 * 1024));
            out
        })
        .write();
    let before = e.lake_state();
    let report = e.ingest(&v2).await;
    assert_eq!(
        report.status,
        DeliveryStatus::Rejected,
        "{}",
        report.summary(vardhub_ingest::Lang::En)
    );
    // The file is refused as a whole (its first record runs past the record bound) or on its
    // error share; either way the finding names the file.
    let fatal = report
        .issues
        .iter()
        .find(|i| i.severity == vardhub_ingest::report::Severity::Fatal)
        .expect("a fatal finding");
    assert_eq!(fatal.file.as_deref(), Some("kontakter.csv"));
    assert_eq!(e.current_ids().await, vec!["vardkontakter-01-2024-03-v1"]);
    assert_eq!(e.lake_state(), before);
    let rows: usize = e
        .read_table("kontakter")
        .await
        .iter()
        .map(|b| b.num_rows())
        .sum();
    assert_eq!(rows, 20, "the published contacts are still the ones read");
}

#[tokio::test(flavor = "multi_thread")]
async fn header_only_redelivery_is_held_until_confirmed() {
    let e = env(true).await;
    let mut files = Files::new(many_stays(30));
    files.diagnoser = diagnoses(30, 2);
    let v1 = Delivery::new(&e.root, "v1").contacts(&files, false).write();
    assert_ne!(e.ingest(&v1).await.status, DeliveryStatus::Rejected);
    let empty = Files {
        kontakter: Vec::new(),
        diagnoser: Vec::new(),
        atgarder: Vec::new(),
    };
    let v2 = Delivery::new(&e.root, "v2").contacts(&empty, false).write();
    let report = e.ingest(&v2).await;
    assert_eq!(
        report.status,
        DeliveryStatus::Held,
        "{}",
        report.summary(vardhub_ingest::Lang::En)
    );
    let why = report
        .issues
        .iter()
        .find(|i| i.rule == "shrunk_vs_predecessor")
        .unwrap();
    assert!(
        why.message_en.contains("kontakter 0 rows against 30"),
        "{}",
        why.message_en
    );
    assert!(why.message_en.contains("vardhub deliveries confirm"));
    assert!(
        report
            .summary(vardhub_ingest::Lang::Sv)
            .contains("VILANDE – behöver bekräftas")
    );
    // The good data stays current.
    assert_eq!(e.current_ids().await, vec!["vardkontakter-01-2024-03-v1"]);
    let rows: usize = e
        .read_table("kontakter")
        .await
        .iter()
        .map(|b| b.num_rows())
        .sum();
    assert_eq!(rows, 30);
    let list = e.hub.deliveries(&Default::default()).await.unwrap();
    let held = list.iter().find(|d| d.version == 2).unwrap();
    assert_eq!(held.status, DeliveryStatus::Held);
    assert!(!held.current);

    // An operator confirms it: now it is published, and the audit log says who did it.
    let lock = e.hub.lock_writer().await.unwrap();
    e.hub
        .confirm_held(&lock, "vardkontakter-01-2024-03-v2", "operatör")
        .await
        .unwrap();
    assert!(
        e.hub
            .confirm_held(&lock, "vardkontakter-01-2024-03-v2", "operatör")
            .await
            .is_err(),
        "only a held delivery can be confirmed"
    );
    drop(lock);
    assert_eq!(e.current_ids().await, vec!["vardkontakter-01-2024-03-v2"]);
    let audit = e.hub.audit_entries().await.unwrap();
    assert!(audit.iter().any(|a| a.action == "ingest.hold"));
    assert!(audit.iter().any(|a| a.action == "delivery.confirm"
        && a.actor == "operatör"
        && a.object == "vardkontakter-01-2024-03-v2"));
    assert!(e.hub.verify_audit().await.unwrap().is_ok());
}

#[tokio::test(flavor = "multi_thread")]
async fn future_period_is_rejected() {
    let e = env(true).await;
    let rows: Vec<String> = many_stays(5)
        .into_iter()
        .map(|r| r.replace("2024-03-", "2032-01-"))
        .collect();
    let mut d = Delivery::new(&e.root, "future").contacts(&Files::new(rows), false);
    d.period = "2032-01".into();
    let path = d.write();
    let lock = e.hub.lock_writer().await.unwrap();
    let opts = IngestOptions {
        specs: None,
        actor: "test".into(),
        expect_region: None,
    };
    let at = |y, m, day| chrono::Utc.with_ymd_and_hms(y, m, day, 12, 0, 0).unwrap();
    let report = vardhub_ingest::ingest_at(
        &e.hub,
        &lock,
        &path,
        &e.pseudo,
        &opts,
        &NoProgress,
        at(2031, 12, 15),
    )
    .await
    .unwrap()
    .report;
    assert_eq!(report.status, DeliveryStatus::Rejected);
    assert!(rules(&report).contains(&"period_in_future"));
    assert!(e.current_ids().await.is_empty());
    // The same delivery once the month has ended is fine: the clock decides, nothing else.
    let report = vardhub_ingest::ingest_at(
        &e.hub,
        &lock,
        &path,
        &e.pseudo,
        &opts,
        &NoProgress,
        at(2032, 2, 1),
    )
    .await
    .unwrap()
    .report;
    assert_ne!(
        report.status,
        DeliveryStatus::Rejected,
        "{}",
        report.summary(vardhub_ingest::Lang::En)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn orphan_diagnosis_is_reported_with_file_row_field_rule() {
    let e = env(true).await;
    let mut files = Files::new(many_stays(20));
    files.diagnoser = diagnoses(20, 8);
    files.diagnoser.push("K99;1;I10".into()); // line 162: no contact K99
    let path = Delivery::new(&e.root, "d").contacts(&files, false).write();
    let report = e.ingest(&path).await;
    assert_eq!(
        report.status,
        DeliveryStatus::AcceptedWithWarnings,
        "{}",
        report.summary(vardhub_ingest::Lang::En)
    );
    let orphan = report
        .issues
        .iter()
        .find(|i| i.rule == "orphan_reference")
        .expect("the orphan diagnosis is reported");
    assert_eq!(
        (
            orphan.file.as_deref(),
            orphan.row,
            orphan.field.as_deref(),
            orphan.severity
        ),
        (
            Some("diagnoser.csv"),
            Some(162),
            Some("kontakt_id"),
            vardhub_ingest::Severity::Error
        )
    );
    let diag = report
        .tables
        .iter()
        .find(|t| t.table == "diagnoser")
        .unwrap();
    assert_eq!((diag.rows_valid, diag.rows_with_errors), (160, 1));
    let rows: usize = e
        .read_table("diagnoser")
        .await
        .iter()
        .map(|b| b.num_rows())
        .sum();
    assert_eq!(rows, 160, "the orphan is not published");
}

#[tokio::test(flavor = "multi_thread")]
async fn children_of_a_contact_left_out_are_left_out_as_a_consequence_not_as_orphans() {
    let e = env(true).await;
    let mut files = Files::new(many_stays(200));
    files.diagnoser = diagnoses(200, 1);
    // Contact K1 has an impossible admission date: it is left out for its own error, and its
    // diagnosis with it (nothing may point at a contact the lake does not hold).
    files.kontakter[0] = files.kontakter[0].replace("2024-03-02 14:10", "2024-13-02 14:10");
    let path = Delivery::new(&e.root, "d").contacts(&files, false).write();
    let report = e.ingest(&path).await;
    let en = report.summary(vardhub_ingest::Lang::En);
    assert_eq!(report.status, DeliveryStatus::AcceptedWithWarnings, "{en}");
    assert!(
        !report.issues.iter().any(|i| i.rule == "orphan_reference"),
        "{en}"
    );
    let consequence = report
        .issues
        .iter()
        .find(|i| i.rule == "parent_left_out")
        .expect("the consequence is reported once");
    assert_eq!(consequence.severity, vardhub_ingest::Severity::Warning);
    assert_eq!(consequence.file.as_deref(), Some("diagnoser.csv"));
    assert!(consequence.message_en.starts_with("1 rows"), "{en}");
    let diag = report
        .tables
        .iter()
        .find(|t| t.table == "diagnoser")
        .unwrap();
    assert_eq!((diag.rows_valid, diag.rows_with_errors), (199, 0));
    let rows: usize = e
        .read_table("diagnoser")
        .await
        .iter()
        .map(|b| b.num_rows())
        .sum();
    assert_eq!(rows, 199);
}

#[tokio::test(flavor = "multi_thread")]
async fn single_patient_month_is_flagged() {
    let e = env(true).await;
    let numbers = test_numbers();
    let mut rows = many_stays(100);
    for (i, row) in rows.iter_mut().enumerate().take(30) {
        *row = stay(&format!("K{}", i + 1), &numbers[5000]);
    }
    let path = Delivery::new(&e.root, "d")
        .contacts(&Files::new(rows), false)
        .write();
    let report = e.ingest(&path).await;
    assert_eq!(report.status, DeliveryStatus::AcceptedWithWarnings);
    let flag = report
        .issues
        .iter()
        .find(|i| i.rule == "person_concentration")
        .expect("a single patient with 30 % of the contacts is flagged");
    assert_eq!(flag.severity, vardhub_ingest::Severity::Warning);
    assert_eq!(flag.file.as_deref(), Some("kontakter.csv"));
    assert!(
        flag.message_en
            .contains("30 of 100 rows in table kontakter"),
        "{}",
        flag.message_en
    );
    // Never the identity: neither the number nor its pseudonym.
    let json = serde_json::to_string(&report).unwrap();
    assert!(!json.contains(&numbers[5000][2..]));
    let batches = e.read_table("kontakter").await;
    let pseudo = batches[0]
        .column_by_name("patient_pseudonym")
        .unwrap()
        .as_string::<i32>()
        .value(0)
        .to_owned();
    assert!(!json.contains(&pseudo));
    assert_eq!(
        report.counts["person_concentration"].warnings, 1,
        "one person, one flag"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn contact_after_death_is_warned_with_file_row_field() {
    let e = env(true).await;
    let numbers = test_numbers();
    let rows: Vec<String> = numbers[2000..2100]
        .iter()
        .enumerate()
        .map(|(i, n)| {
            let died = if i == 0 { "2024-03-01" } else { "" };
            format!(
                "{n};P;{}-{}-{};{};1280;{died}",
                &n[..4],
                &n[4..6],
                &n[6..8],
                if n.as_bytes()[10] % 2 == 1 { 1 } else { 2 }
            )
        })
        .collect();
    let mut pop = Delivery::new(&e.root, "pop").table(
        "befolkning",
        "personer",
        "person_id;person_id_typ;fodelsedatum;kon;folkbokforingskommun;avlidendatum",
        &rows,
    );
    pop.region = "00".into();
    assert_eq!(
        e.ingest(&pop.write()).await.status,
        DeliveryStatus::Accepted
    );
    // The first contact's patient died the day before its admission; the second is alive.
    let stays = vec![
        stay("K1", &numbers[2000]),
        stay("K2", &numbers[2001]),
        stay("K3", &numbers[2002]),
    ];
    let path = Delivery::new(&e.root, "d")
        .contacts(&Files::new(stays), false)
        .write();
    let report = e.ingest(&path).await;
    let after: Vec<_> = report
        .issues
        .iter()
        .filter(|i| i.rule == "after_death")
        .collect();
    assert_eq!(
        after.len(),
        1,
        "{}",
        report.summary(vardhub_ingest::Lang::En)
    );
    assert_eq!(
        (
            after[0].severity,
            after[0].file.as_deref(),
            after[0].row,
            after[0].field.as_deref()
        ),
        (
            vardhub_ingest::Severity::Warning,
            Some("kontakter.csv"),
            Some(2),
            Some("inskrivningsdatum")
        )
    );
    assert_eq!(report.status, DeliveryStatus::AcceptedWithWarnings);
}

#[tokio::test(flavor = "multi_thread")]
async fn personnummer_in_enhet_kontakt_id_vardenhet_is_caught_in_every_form() {
    let e = env(true).await;
    let numbers = test_numbers();
    let pnr = &numbers[7000];
    let forms = written_forms(pnr);
    // 2 000 contacts, so that 18 bad rows stay under the 1 % error share and the rest is published.
    let mut rows = many_stays(2000);
    let mut bad = Vec::new();
    for (i, f) in forms.iter().enumerate() {
        let a = 100 + 2 * i;
        rows[a] = rows[a].replace("Ortopedavd 4", &format!("Avd {f}"));
        rows[a + 1] = rows[a + 1].replacen(&format!("K{};", a + 2), &format!("{f};"), 1);
        bad.push((a as u64 + 2, "enhet"));
        bad.push((a as u64 + 3, "kontakt_id"));
    }
    let path = Delivery::new(&e.root, "d")
        .contacts(&Files::new(rows), false)
        .write();
    let report = e.ingest(&path).await;
    assert_eq!(
        report.status,
        DeliveryStatus::AcceptedWithWarnings,
        "{}",
        report.summary(vardhub_ingest::Lang::En)
    );
    let found: Vec<(u64, &str)> = report
        .issues
        .iter()
        .filter(|i| i.rule == "identity_in_field")
        .map(|i| {
            assert_eq!(i.file.as_deref(), Some("kontakter.csv"));
            assert!(i.value.is_none(), "the value is never shown");
            (i.row.unwrap(), i.field.as_deref().unwrap())
        })
        .collect();
    let mut expected = bad.clone();
    expected.sort();
    let mut found = found;
    found.sort();
    assert_eq!(found, expected);
    let json = serde_json::to_string(&report).unwrap();
    let lake = text_cells(&e.read_table("kontakter").await);
    assert!(!lake.is_empty());
    for f in &forms {
        assert!(!json.contains(f.as_str()), "report shows {f}");
        assert!(
            lake.iter().all(|c| !c.contains(f.as_str())),
            "the lake holds {f}"
        );
    }

    // vantetider.vardenhet, every form.
    let header = "arende_id;patient_id;patient_id_typ;kon;hemkommun;vardenhet;mvo;vantetyp;atgard;startdatum;status;genomford_datum;avvikelseorsak;medicinskt_maldatum";
    let mut rows: Vec<String> = (0..2000)
        .map(|i| {
            format!(
                "A{i};{};P;2;0180;ORT1;301;OP;NFB49;2024-01-10;G;2024-03-12;;",
                numbers[10000 + i]
            )
        })
        .collect();
    for (i, f) in forms.iter().enumerate() {
        rows[50 + i] = rows[50 + i].replace("ORT1", f);
    }
    let path = Delivery::new(&e.root, "wait")
        .table("vantetider", "arenden", header, &rows)
        .write();
    let report = e.ingest(&path).await;
    assert_eq!(report.status, DeliveryStatus::AcceptedWithWarnings);
    let rows_flagged: Vec<u64> = report
        .issues
        .iter()
        .filter(|i| i.rule == "identity_in_field" && i.field.as_deref() == Some("vardenhet"))
        .filter_map(|i| i.row)
        .collect();
    assert_eq!(
        rows_flagged,
        (52..52 + forms.len() as u64).collect::<Vec<_>>()
    );
    let snap = e.hub.snapshot(Some("vantetider"), None).await.unwrap();
    let mut batches = Vec::new();
    for f in snap.files_of("vantetider", "arenden") {
        let r = ParquetRecordBatchReaderBuilder::try_new(std::fs::File::open(&f.path).unwrap())
            .unwrap()
            .build()
            .unwrap();
        batches.extend(r.map(|b| b.unwrap()));
    }
    let cells = text_cells(&batches);
    assert!(!cells.is_empty());
    for f in &forms {
        assert!(
            cells.iter().all(|c| !c.contains(f.as_str())),
            "lake holds {f}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn report_stdout_and_catalogue_contain_no_space_or_dot_form() {
    let e = env(true).await;
    // A Skatteverket test number written with a space and with a dot, where a code belongs (the
    // finding quotes the value), and in the delivery's folder name (the report names its source).
    let (spaced, dotted) = ("19810101 2386", "810101.2386");
    let mut rows = many_stays(300);
    rows[10] = rows[10].replace("S72.0", spaced);
    rows[11] = rows[11].replace("S72.0", dotted);
    let path = Delivery::new(&e.root, "leverans 19810101 2386")
        .contacts(&Files::new(rows), false)
        .write();
    let outcome = {
        let lock = e.hub.lock_writer().await.unwrap();
        let opts = IngestOptions {
            specs: None,
            actor: "test".into(),
            expect_region: None,
        };
        vardhub_ingest::ingest(&e.hub, &lock, &path, &e.pseudo, &opts, &NoProgress)
            .await
            .unwrap()
    };
    let report = &outcome.report;
    assert!(
        report
            .issues
            .iter()
            .filter(|i| i.field.as_deref() == Some("hdia"))
            .count()
            >= 2,
        "{}",
        report.summary(vardhub_ingest::Lang::En)
    );
    let mut texts = vec![
        serde_json::to_string(report).unwrap(),
        report.summary(vardhub_ingest::Lang::Sv), // what `vardhub ingest` prints
        report.summary(vardhub_ingest::Lang::En),
    ];
    for f in &outcome.report_files {
        texts.push(std::fs::read_to_string(f).unwrap());
    }
    let id = report.delivery_id.clone().unwrap();
    texts.push(e.hub.delivery(&id).await.unwrap().unwrap().1);
    for t in &texts {
        for form in [spaced, dotted, "810101 2386", "19810101.2386", "8101012386"] {
            assert!(!t.contains(form), "{form} in {t}");
        }
    }
}
