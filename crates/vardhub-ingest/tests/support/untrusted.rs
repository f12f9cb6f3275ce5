//! Deliveries that try the reader rather than the rules (issue 12): oversized records, zip
//! bombs, files that are not what they claim, paths and links that lead out of the delivery. Each
//! test names the item it covers; each failed on the code before the fix.

use super::*;
use std::sync::atomic::{AtomicU64, Ordering};

/// Write `bytes` as `name` in a written delivery and make the manifest's checksum describe them
/// (the row count stays what the manifest said).
fn replace_file(dir: &Path, name: &str, bytes: &[u8]) {
    std::fs::write(dir.join(name), bytes).unwrap();
    edit_manifest(dir, |m| {
        for f in m["files"].as_array_mut().unwrap() {
            if f["path"] == name {
                f["sha256"] = hex::encode(Sha256::digest(bytes)).into();
            }
        }
    });
}

fn edit_manifest(dir: &Path, f: impl FnOnce(&mut serde_json::Value)) {
    let path = dir.join("manifest.json");
    let mut m: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    f(&mut m);
    std::fs::write(&path, serde_json::to_vec_pretty(&m).unwrap()).unwrap();
}

fn issues_of<'a>(report: &'a ValidationReport, rule: &str) -> Vec<&'a vardhub_ingest::Issue> {
    report.issues.iter().filter(|i| i.rule == rule).collect()
}

fn en(report: &ValidationReport) -> String {
    report.summary(vardhub_ingest::Lang::En)
}

/// Counts the bytes the reader hands on.
#[derive(Default)]
struct Counted(AtomicU64);
impl vardhub_ingest::Progress for Counted {
    fn start_file(&self, _: &str, _: u64) {}
    fn advance(&self, bytes: u64) {
        self.0.fetch_add(bytes, Ordering::Relaxed);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn single_line_10_mb_file_is_rejected_with_a_capped_report() {
    let e = env(true).await;
    let dir = Delivery::new(&e.root, "d1")
        .contacts(&Files::new(many_stays(3)), false)
        .write();
    // 10 MB on one line: five million `;`-separated columns, no line break.
    let line = "x;".repeat(5_000_000);
    replace_file(&dir, "kontakter.csv", line.as_bytes());
    let report = e.ingest(&dir).await;
    assert_eq!(report.status, DeliveryStatus::Rejected, "{}", en(&report));
    let long = issues_of(&report, "record_too_long");
    assert_eq!(long.len(), 1, "{}", en(&report));
    assert_eq!(long[0].file.as_deref(), Some("kontakter.csv"));
    assert_eq!(long[0].row, Some(1));
    assert!(
        report.issues.len() <= 20,
        "{} findings stored",
        report.issues.len()
    );
    let json = serde_json::to_string(&report).unwrap();
    assert!(json.len() < 64 * 1024, "report of {} bytes", json.len());
    for f in std::fs::read_dir(e.hub.layout().reports()).unwrap() {
        let len = f.unwrap().metadata().unwrap().len();
        assert!(len < 64 * 1024, "report file of {len} bytes");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn findings_are_capped_per_file_and_rule_with_exact_counts() {
    let e = env(true).await;
    let mut rows = many_stays(3);
    // 3 000 rows with the wrong number of fields: counted exactly, listed only up to the cap.
    rows.extend((0..3000).map(|i| format!("K{i};x")));
    let report = e
        .ingest(
            &Delivery::new(&e.root, "d1")
                .contacts(&Files::new(rows), false)
                .write(),
        )
        .await;
    let c = report
        .counts_by_file
        .iter()
        .find(|c| c.rule == "field_count" && c.file.as_deref() == Some("kontakter.csv"))
        .unwrap();
    assert_eq!(c.errors, 3000);
    let listed = issues_of(&report, "field_count").len() as u64;
    assert_eq!(c.not_listed, 3000 - listed);
    assert!(listed <= vardhub_ingest::report::MAX_LISTED_PER_FILE_RULE);
    assert!(
        en(&report).contains(&format!(
            "{} more findings of the rule field_count in kontakter.csv",
            c.not_listed
        )),
        "{}",
        en(&report)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn zip_bomb_entry_is_refused_after_reading_at_most_its_bound() {
    let e = env(true).await;
    let dir = Delivery::new(&e.root, "d1")
        .contacts(&Files::new(many_stays(20)), false)
        .write();
    let zip_path = e.root.join("bomb.zip");
    let mut zip = zip::ZipWriter::new(std::fs::File::create(&zip_path).unwrap());
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .large_file(true);
    for name in ["manifest.json", "diagnoser.csv", "atgarder.csv"] {
        zip.start_file(name, opts).unwrap();
        std::io::Write::write_all(&mut zip, &std::fs::read(dir.join(name)).unwrap()).unwrap();
    }
    // The real file, then 64 MiB of short lines: it compresses about 1 000 to 1.
    zip.start_file("kontakter.csv", opts).unwrap();
    std::io::Write::write_all(&mut zip, &std::fs::read(dir.join("kontakter.csv")).unwrap())
        .unwrap();
    let junk = "x\n".repeat(1 << 20);
    for _ in 0..32 {
        std::io::Write::write_all(&mut zip, junk.as_bytes()).unwrap();
    }
    zip.finish().unwrap();
    assert!(std::fs::metadata(&zip_path).unwrap().len() < 1 << 20);

    let counted = Counted::default();
    let lock = e.hub.lock_writer().await.unwrap();
    let opts = IngestOptions {
        specs: None,
        actor: "test".into(),
        expect_region: None,
    };
    let report = vardhub_ingest::ingest(&e.hub, &lock, &zip_path, &e.pseudo, &opts, &counted)
        .await
        .unwrap()
        .report;
    assert_eq!(report.status, DeliveryStatus::Rejected, "{}", en(&report));
    let big = issues_of(&report, "file_too_large");
    assert_eq!(big.len(), 1, "{}", en(&report));
    assert_eq!(big[0].file.as_deref(), Some("kontakter.csv"));
    let bound = vardhub_ingest::bounds::csv_file_bound(20);
    let read = counted.0.load(Ordering::Relaxed);
    assert!(
        read <= bound,
        "read {read} bytes, bound {bound} (entry: 64 MiB)"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn unlisted_file_is_a_warning_naming_it() {
    let e = env(true).await;
    let dir = Delivery::new(&e.root, "d1")
        .contacts(&Files::new(many_stays(3)), false)
        .write();
    std::fs::write(dir.join("kontakter_gamla.csv"), b"whatever").unwrap();
    let report = e.ingest(&dir).await;
    assert_eq!(
        report.status,
        DeliveryStatus::AcceptedWithWarnings,
        "{}",
        en(&report)
    );
    let unlisted = issues_of(&report, "file_unlisted");
    assert_eq!(unlisted.len(), 1);
    assert_eq!(unlisted[0].file.as_deref(), Some("kontakter_gamla.csv"));
    assert_eq!(unlisted[0].severity, vardhub_ingest::Severity::Warning);
}

#[tokio::test(flavor = "multi_thread")]
async fn nul_bom_and_control_characters_in_values_are_row_errors() {
    let e = env(true).await;
    let mut rows = many_stays(400);
    rows[1] = rows[1].replace("Ortopedavd 4", "Ortopedavd\u{0}4");
    rows[2] = rows[2].replace("Ortopedavd 4", "\u{FEFF}Ortopedavd 4");
    rows[3] = rows[3].replace("Ortopedavd 4", "Ortopedavd\u{1B}4");
    let report = e
        .ingest(
            &Delivery::new(&e.root, "d1")
                .contacts(&Files::new(rows), false)
                .write(),
        )
        .await;
    assert_eq!(
        report.status,
        DeliveryStatus::AcceptedWithWarnings,
        "{}",
        en(&report)
    );
    let bad = issues_of(&report, "control_character");
    let rows: Vec<u64> = bad.iter().filter_map(|i| i.row).collect();
    assert_eq!(rows, vec![3, 4, 5]);
    assert!(
        bad.iter()
            .all(|i| i.field.as_deref() == Some("enhet")
                && i.file.as_deref() == Some("kontakter.csv"))
    );
    assert!(bad[0].message_en.contains("U+0000"));
    assert!(bad[1].message_en.contains("U+FEFF"));
    let published: usize = e
        .read_table("kontakter")
        .await
        .iter()
        .map(|b| b.num_rows())
        .sum();
    assert_eq!(published, 397);
}

#[tokio::test(flavor = "multi_thread")]
async fn utf16_file_is_one_finding_naming_utf16() {
    let e = env(true).await;
    let dir = Delivery::new(&e.root, "d1")
        .contacts(&Files::new(many_stays(3)), false)
        .write();
    let text = std::fs::read_to_string(dir.join("kontakter.csv")).unwrap();
    let wide: Vec<u8> = [0xFF, 0xFE]
        .into_iter()
        .chain(text.encode_utf16().flat_map(u16::to_le_bytes))
        .collect();
    replace_file(&dir, "kontakter.csv", &wide);
    // And one without a byte-order mark, big-endian.
    let text = std::fs::read_to_string(dir.join("diagnoser.csv")).unwrap();
    let wide: Vec<u8> = text.encode_utf16().flat_map(u16::to_be_bytes).collect();
    replace_file(&dir, "diagnoser.csv", &wide);
    let report = e.ingest(&dir).await;
    assert_eq!(report.status, DeliveryStatus::Rejected);
    for file in ["kontakter.csv", "diagnoser.csv"] {
        let of_file: Vec<_> = report
            .issues
            .iter()
            .filter(|i| i.file.as_deref() == Some(file))
            .collect();
        assert_eq!(of_file.len(), 1, "{}", en(&report));
        assert_eq!(of_file[0].rule, "file_encoding");
        assert!(
            of_file[0]
                .message_en
                .contains("UTF-16; deliver UTF-8 or Windows-1252")
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn comma_or_tab_separated_file_names_the_separator() {
    let e = env(true).await;
    let dir = Delivery::new(&e.root, "d1")
        .contacts(&Files::new(many_stays(3)), false)
        .write();
    let comma = std::fs::read_to_string(dir.join("kontakter.csv"))
        .unwrap()
        .replace(';', ",");
    replace_file(&dir, "kontakter.csv", comma.as_bytes());
    let tab = std::fs::read_to_string(dir.join("diagnoser.csv"))
        .unwrap()
        .replace(';', "\t");
    replace_file(&dir, "diagnoser.csv", tab.as_bytes());
    let report = e.ingest(&dir).await;
    assert_eq!(report.status, DeliveryStatus::Rejected);
    assert!(
        issues_of(&report, "column_missing").is_empty(),
        "{}",
        en(&report)
    );
    let sep = issues_of(&report, "separator");
    assert_eq!(sep.len(), 2, "{}", en(&report));
    assert_eq!(sep[0].file.as_deref(), Some("kontakter.csv"));
    assert!(
        sep[0]
            .message_en
            .contains("separator is ','; the specification requires ';'")
    );
    assert!(sep[1].message_en.contains("separator is TAB"));
}

#[tokio::test(flavor = "multi_thread")]
async fn manifest_with_a_utf8_bom_is_read() {
    let e = env(true).await;
    let dir = Delivery::new(&e.root, "d1")
        .contacts(&Files::new(many_stays(3)), false)
        .write();
    let m = std::fs::read(dir.join("manifest.json")).unwrap();
    std::fs::write(
        dir.join("manifest.json"),
        [b"\xEF\xBB\xBF".as_slice(), &m].concat(),
    )
    .unwrap();
    let report = e.ingest(&dir).await;
    assert_eq!(report.status, DeliveryStatus::Accepted, "{}", en(&report));
}

#[tokio::test(flavor = "multi_thread")]
async fn manifest_errors_name_the_field_and_are_never_cut_mid_word() {
    let e = env(true).await;
    let dir = Delivery::new(&e.root, "d1")
        .contacts(&Files::new(many_stays(3)), false)
        .write();
    edit_manifest(&dir, |m| {
        m["files"][1]["rows"] = "two or maybe three, the exporter could not tell".into()
    });
    let report = e.ingest(&dir).await;
    assert_eq!(report.status, DeliveryStatus::Rejected);
    let bad = issues_of(&report, "manifest_invalid");
    assert_eq!(bad.len(), 1);
    assert_eq!(bad[0].field.as_deref(), Some("files[1].rows"));
    let msg = &bad[0].message_en;
    assert!(msg.contains("field `files[1].rows`"), "{msg}");
    assert!(
        msg.contains("\"two or maybe three, the exporter could not tell\", expected u64"),
        "{msg}"
    );
    assert!(msg.ends_with(')') && !msg.contains('…'), "{msg}");
}

#[tokio::test(flavor = "multi_thread")]
async fn cr_only_and_mixed_line_endings_count_rows() {
    let e = env(true).await;
    let mut rows = many_stays(30);
    rows[10] = rows[10].replace("S72.0", "S72.5");
    rows[25] = rows[25].replace("S72.0", "S72.5");
    let dir = Delivery::new(&e.root, "d1")
        .contacts(&Files::new(rows), false)
        .write();
    let lf = std::fs::read_to_string(dir.join("kontakter.csv")).unwrap();
    for (i, endings) in [["\r", "\r", "\r"], ["\r", "\n", "\r\n"]]
        .iter()
        .enumerate()
    {
        let mut text = String::new();
        for (n, line) in lf.lines().enumerate() {
            text.push_str(line);
            text.push_str(endings[n % 3]);
        }
        replace_file(&dir, "kontakter.csv", text.as_bytes());
        let report = e.ingest(&dir).await;
        let found: Vec<u64> = issues_of(&report, "code_unknown")
            .iter()
            .filter_map(|i| i.row)
            .collect();
        assert_eq!(found, vec![12, 27], "case {i}: {}", en(&report));
        assert!(
            issues_of(&report, "row_count").is_empty(),
            "{}",
            en(&report)
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn path_outside_the_delivery_is_not_called_missing() {
    let e = env(true).await;
    let dir = Delivery::new(&e.root, "d1")
        .contacts(&Files::new(many_stays(3)), false)
        .write();
    std::fs::copy(dir.join("diagnoser.csv"), e.root.join("diagnoser.csv")).unwrap();
    edit_manifest(&dir, |m| {
        m["files"][1]["path"] = "../diagnoser.csv".into();
        m["files"][2]["path"] = "/etc/passwd".into();
    });
    let report = e.ingest(&dir).await;
    assert_eq!(report.status, DeliveryStatus::Rejected);
    let outside: Vec<_> = issues_of(&report, "path_outside")
        .iter()
        .filter_map(|i| i.file.clone())
        .collect();
    assert_eq!(outside, vec!["../diagnoser.csv", "/etc/passwd"]);
    assert!(
        issues_of(&report, "file_missing").is_empty(),
        "{}",
        en(&report)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn symlinks_and_fifos_in_a_folder_are_refused_unopened() {
    let e = env(true).await;
    let dir = Delivery::new(&e.root, "d1")
        .contacts(&Files::new(many_stays(3)), false)
        .write();
    let secret = e.root.join("secret.csv");
    std::fs::write(&secret, "HEMLIG-RAD;x\n").unwrap();
    std::fs::remove_file(dir.join("kontakter.csv")).unwrap();
    std::os::unix::fs::symlink(&secret, dir.join("kontakter.csv")).unwrap();
    std::fs::remove_file(dir.join("diagnoser.csv")).unwrap();
    let made = std::process::Command::new("mkfifo")
        .arg(dir.join("diagnoser.csv"))
        .status()
        .unwrap();
    assert!(made.success());
    let report = e.ingest(&dir).await;
    assert_eq!(report.status, DeliveryStatus::Rejected);
    let refused: Vec<_> = issues_of(&report, "file_not_regular")
        .iter()
        .filter_map(|i| i.file.clone())
        .collect();
    assert_eq!(
        refused,
        vec!["kontakter.csv", "diagnoser.csv"],
        "{}",
        en(&report)
    );
    let all = format!("{}{}", en(&report), serde_json::to_string(&report).unwrap());
    assert!(!all.to_lowercase().contains("hemlig"));
}

#[tokio::test(flavor = "multi_thread")]
async fn symlink_entry_in_a_zip_is_refused_unopened() {
    let e = env(true).await;
    let dir = Delivery::new(&e.root, "d1")
        .contacts(&Files::new(many_stays(3)), false)
        .write();
    let zip_path = e.root.join("links.zip");
    let mut zip = zip::ZipWriter::new(std::fs::File::create(&zip_path).unwrap());
    let opts = zip::write::SimpleFileOptions::default();
    for name in ["manifest.json", "diagnoser.csv", "atgarder.csv"] {
        zip.start_file(name, opts).unwrap();
        std::io::Write::write_all(&mut zip, &std::fs::read(dir.join(name)).unwrap()).unwrap();
    }
    zip.add_symlink("kontakter.csv", "/etc/passwd", opts)
        .unwrap();
    zip.finish().unwrap();
    let report = e.ingest(&zip_path).await;
    assert_eq!(report.status, DeliveryStatus::Rejected);
    let refused = issues_of(&report, "file_not_regular");
    assert_eq!(refused.len(), 1, "{}", en(&report));
    assert_eq!(refused[0].file.as_deref(), Some("kontakter.csv"));
    assert!(issues_of(&report, "column_missing").is_empty());
}
