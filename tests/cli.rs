//! The `vardhub` binary end to end: exit codes, crash consistency under SIGKILL, and a scan of every
//! byte the hub wrote for identity numbers. All CLI tests live in this one test binary.

#[path = "../crates/vardhub-ingest/tests/support/delivery.rs"]
mod delivery;

use datafusion::arrow::array::{Array, AsArray};
use datafusion::arrow::datatypes::DataType;
use datafusion::parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use delivery::{Delivery, Files, many_stays, stay, test_numbers};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Instant;

fn vardhub(data: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_vardhub"));
    c.arg("--data")
        .arg(data)
        .env("VARDHUB_KEY_DIR", key_dir(data))
        .env_remove("VARDHUB_KEY_FILE")
        .env_remove("VARDHUB_RELEASE_KEYS")
        .env_remove("VARDHUB_CRASH_AT");
    c
}

/// The key folder the tests give a hub in `data`: a sibling, outside the data directory.
fn key_dir(data: &Path) -> PathBuf {
    let name = data.file_name().unwrap().to_string_lossy();
    data.with_file_name(format!("{name}-keys"))
}

fn run(cmd: &mut Command) -> Output {
    cmd.output().expect("vardhub runs")
}

/// The delivery folders `vardhub synth` wrote to `out`, in name order.
fn delivery_folders(out: &Path) -> Vec<PathBuf> {
    let mut deliveries: Vec<PathBuf> = std::fs::read_dir(out)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    deliveries.sort();
    deliveries
}

fn init(data: &Path) {
    let out = run(vardhub(data).args(["init", "--synthetic"]));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// What a reader sees: (delivery id, table, rows per the catalogue, rows actually in the file).
fn visible_state(data: &Path) -> Vec<(String, String, i64, i64)> {
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let hub = vardhub_store::Hub::open(data).await.unwrap();
        let snap = hub.snapshot(None, None).await.unwrap();
        let mut out = Vec::new();
        for d in &snap.deliveries {
            for f in &d.files {
                let file = std::fs::File::open(&f.path).unwrap_or_else(|e| {
                    panic!("published file {} unreadable: {e}", f.path.display())
                });
                let rows = ParquetRecordBatchReaderBuilder::try_new(file)
                    .unwrap()
                    .metadata()
                    .file_metadata()
                    .num_rows();
                out.push((d.id.clone(), f.table.clone(), f.rows, rows));
            }
        }
        hub.close().await;
        out
    })
}

fn assert_consistent(state: &[(String, String, i64, i64)]) {
    for (id, table, catalogue_rows, file_rows) in state {
        assert_eq!(
            catalogue_rows, file_rows,
            "{id}/{table}: catalogue and file disagree"
        );
    }
}

#[test]
fn init_ingest_and_exit_codes() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    init(&data);
    assert!(
        !run(vardhub(&data).args(["init", "--synthetic"]))
            .status
            .success(),
        "init twice fails"
    );

    let good = Delivery::new(tmp.path(), "good")
        .contacts(&Files::new(many_stays(20)), false)
        .write();
    let out = run(vardhub(&data).arg("ingest").arg(&good).arg("--quiet"));
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("GODKÄND"));

    let mut rows = many_stays(5);
    rows.push(stay("K99", "194501103296"));
    let bad = Delivery::new(tmp.path(), "bad")
        .contacts(&Files::new(rows), false)
        .write();
    let out = run(vardhub(&data)
        .arg("ingest")
        .arg(&bad)
        .args(["--json", "--lang", "en"]));
    assert_eq!(out.status.code(), Some(1));
    let reports: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(reports[0]["status"], "rejected");

    let out = run(vardhub(&tmp.path().join("nohub")).arg("ingest").arg(&good));
    assert_eq!(out.status.code(), Some(2), "no hub is a usage/system error");
    let out = run(vardhub(&data).args(["ingest", "/no/such/path"]));
    assert_eq!(
        out.status.code(),
        Some(2),
        "a path that does not exist is a usage error, not a rejection"
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("no such delivery"));
    let out = run(vardhub(&data).arg("ingest"));
    assert_eq!(
        out.status.code(),
        Some(2),
        "missing argument is a usage error"
    );

    let out = run(vardhub(&data).args(["deliveries", "--json"]));
    let list: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(list.as_array().unwrap().len(), 2);
    let out = run(vardhub(&data).args(["report", "vardkontakter-01-2024-03-v2", "--lang", "en"]));
    assert!(String::from_utf8_lossy(&out.stdout).contains("REJECTED"));
    let out = run(vardhub(&data).args(["audit", "verify"]));
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // A group-readable key file is refused.
    use std::os::unix::fs::PermissionsExt;
    let key = key_dir(&data).join("master.key");
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o644)).unwrap();
    let out = run(vardhub(&data).arg("ingest").arg(&good));
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("chmod 600"));
}

/// Kill `vardhub ingest` at many points — at named crash points inside publication and with SIGKILL
/// at spread-out moments — and check each time that readers see either the previous state or the
/// complete new delivery, never a mix, and that the next writer cleans up.
#[test]
fn sigkill_at_any_point_leaves_the_previous_state_intact() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    init(&data);
    let v1 = Delivery::new(tmp.path(), "v1")
        .contacts(&Files::new(many_stays(100)), false)
        .write();
    assert!(
        run(vardhub(&data).arg("ingest").arg(&v1).arg("--quiet"))
            .status
            .success()
    );
    let big = Delivery::new(tmp.path(), "big")
        .contacts(&Files::new(many_stays(30_000)), false)
        .write();

    // Deterministic crash points inside publication.
    for point in ["publish.staged", "publish.renamed", "publish.before_commit"] {
        let before = visible_state(&data);
        let out = run(vardhub(&data)
            .arg("ingest")
            .arg(&big)
            .arg("--quiet")
            .env("VARDHUB_CRASH_AT", point));
        assert!(
            !out.status.success(),
            "{point}: the process must have crashed"
        );
        let after = visible_state(&data);
        assert_eq!(
            after, before,
            "{point}: a crash before commit changes nothing visible"
        );
    }
    let before = visible_state(&data);
    let out = run(vardhub(&data)
        .arg("ingest")
        .arg(&big)
        .arg("--quiet")
        .env("VARDHUB_CRASH_AT", "publish.committed"));
    assert!(!out.status.success());
    let after = visible_state(&data);
    assert_ne!(after, before, "a crash after commit keeps the new delivery");
    assert_consistent(&after);

    // How long does a full ingest take?
    let t = Instant::now();
    assert!(
        run(vardhub(&data).arg("ingest").arg(&big).arg("--quiet"))
            .status
            .success()
    );
    let full = t.elapsed();

    // SIGKILL at spread-out moments over the whole run.
    let kills = 16;
    let mut published_during_kills = 0;
    for i in 0..kills {
        let before = visible_state(&data);
        let mut child = vardhub(&data)
            .arg("ingest")
            .arg(&big)
            .arg("--quiet")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(full.mul_f64(1.1 * f64::from(i) / f64::from(kills)));
        child.kill().unwrap(); // SIGKILL
        let status = child.wait().unwrap();
        let after = visible_state(&data);
        assert_consistent(&after);
        if after != before {
            // Only a complete, newer version of the same delivery may have appeared.
            assert_eq!(
                after.len(),
                before.len(),
                "kill {i} ({status}): {before:?} -> {after:?}"
            );
            assert!(after.iter().all(|(_, _, _, rows)| *rows > 0));
            published_during_kills += 1;
        }
    }
    eprintln!(
        "full ingest {full:?}; {kills} kills, {published_during_kills} of them after the commit"
    );
    assert!(
        published_during_kills < kills,
        "most kills must land before the commit"
    );
    // The next writer cleans up what the killed ones left behind. (The small v1 would now be
    // held as far below its predecessor; the same big delivery again is accepted.)
    assert!(
        run(vardhub(&data).arg("ingest").arg(&big).arg("--quiet"))
            .status
            .success()
    );
    assert_eq!(
        std::fs::read_dir(data.join("staging")).unwrap().count(),
        0,
        "staging is empty"
    );
    let published: std::collections::HashSet<PathBuf> = {
        let rt = tokio::runtime::Runtime::new().unwrap();
        rt.block_on(async {
            let hub = vardhub_store::Hub::open(&data).await.unwrap();
            let mut all = std::collections::HashSet::new();
            for d in hub.deliveries(&Default::default()).await.unwrap() {
                if d.published_at.is_some() {
                    all.insert(data.join(format!(
                        "lake/vardkontakter/region={}/period={}/v{}",
                        d.region, d.period, d.version
                    )));
                }
            }
            all
        })
    };
    for entry in
        std::fs::read_dir(data.join("lake/vardkontakter/region=01/period=2024-03")).unwrap()
    {
        let p = entry.unwrap().path();
        assert!(
            published.contains(&p),
            "orphan folder {} was not cleaned up",
            p.display()
        );
    }
    let out = run(vardhub(&data).args(["audit", "verify"]));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Every identity number fed to the hub, in every written form, must be absent from every byte the
/// hub wrote: lake (raw bytes and decoded Parquet values), catalogue, logs and reports.
#[test]
fn no_identity_number_in_anything_the_hub_wrote() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    init(&data);
    let numbers: Vec<String> = test_numbers()[1000..1300].to_vec();
    let mut rows = many_stays(290);
    rows.push(stay("K900", "194501103296")); // bad check digit: reported, masked
    rows.push(stay(
        "K901",
        &format!("{}-{}", &numbers[5][..8], &numbers[5][8..]),
    )); // 13-char form
    let accepted = Delivery::new(tmp.path(), "a")
        .contacts(&Files::new(rows), false)
        .write();
    let out = run(vardhub(&data).arg("ingest").arg(&accepted).arg("--quiet"));
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let mut bad_rows = many_stays(10);
    bad_rows.push(stay("K902", "194501103296"));
    let rejected = Delivery::new(tmp.path(), "r")
        .contacts(&Files::new(bad_rows), false)
        .write();
    assert_eq!(
        run(vardhub(&data).arg("ingest").arg(&rejected).arg("--quiet"))
            .status
            .code(),
        Some(1)
    );

    // Every number as it could be written: the 10-digit core is inside every written form.
    let mut needles: Vec<String> = numbers.iter().map(|n| n[2..].to_owned()).collect();
    needles.extend(numbers.iter().map(|n| format!("{}-{}", &n[2..8], &n[8..])));
    needles.push("4501103296".into());
    needles.push("450110-3296".into());

    let mut scanned = 0usize;
    let mut stack = vec![data.clone()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let bytes = std::fs::read(&path).unwrap();
            scanned += bytes.len();
            let mut texts = vec![String::from_utf8_lossy(&bytes).into_owned()];
            if path.extension().is_some_and(|e| e == "parquet") {
                texts.extend(parquet_strings(&path));
            }
            for text in &texts {
                for n in &needles {
                    assert!(
                        !text.contains(n.as_str()),
                        "identity number found in {}",
                        path.display()
                    );
                }
            }
        }
    }
    assert!(
        scanned > 10_000,
        "the scan covered the hub's files ({scanned} bytes)"
    );
}

/// Every value of every column of a Parquet file, as text.
fn parquet_strings(path: &Path) -> Vec<String> {
    let reader = ParquetRecordBatchReaderBuilder::try_new(std::fs::File::open(path).unwrap())
        .unwrap()
        .build()
        .unwrap();
    let mut out = Vec::new();
    for batch in reader {
        for col in batch.unwrap().columns() {
            let text = datafusion::arrow::compute::cast(col, &DataType::Utf8).unwrap();
            let text = text.as_string::<i32>();
            out.extend(
                (0..text.len())
                    .filter(|i| !text.is_null(*i))
                    .map(|i| text.value(i).to_owned()),
            );
        }
    }
    out
}

/// Synthetic Sweden in, through the real binary: clean deliveries are all accepted without errors,
/// and with injected defects the validator finds exactly the defects the generator recorded.
#[test]
fn synthetic_deliveries_are_accepted_and_injected_defects_found_exactly() {
    use std::collections::BTreeSet;
    let tmp = tempfile::tempdir().unwrap();
    for defects in ["0", "0.01"] {
        let out = tmp.path().join(format!("synth-{defects}"));
        let data = tmp.path().join(format!("hub-{defects}"));
        let generated = run(vardhub(&data)
            .args([
                "synth", "--scale", "0.002", "--from", "2024-01", "--to", "2024-02",
            ])
            .args(["--defects", defects])
            .arg("--out")
            .arg(&out));
        assert!(
            generated.status.success(),
            "{}",
            String::from_utf8_lossy(&generated.stderr)
        );
        init(&data);
        let deliveries = delivery_folders(&out);
        let ingest = run(vardhub(&data).args(["ingest", "--json"]).args(&deliveries));
        let reports: Vec<serde_json::Value> = serde_json::from_slice(&ingest.stdout)
            .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&ingest.stderr)));
        assert_eq!(reports.len(), deliveries.len());
        // (delivery folder, file, line, field, rule) of every finding other than volume flags.
        let mut found = BTreeSet::new();
        for r in &reports {
            let folder = Path::new(r["source"].as_str().unwrap())
                .file_name()
                .unwrap()
                .to_string_lossy()
                .into_owned();
            for i in r["issues"].as_array().unwrap() {
                let rule = i["rule"].as_str().unwrap();
                if rule.starts_with("volume_") {
                    continue; // plausibility flags at this tiny scale, not defects
                }
                // A truncated file shows as a checksum mismatch plus its cut last line.
                let (rule, line, field) = match rule {
                    "checksum" => ("truncated", None, None),
                    "field_count" | "row_count" => continue,
                    // Children of a row left out for a planted defect: a consequence.
                    "parent_left_out" => continue,
                    _ => (
                        rule,
                        i["row"].as_u64(),
                        i["field"].as_str().map(str::to_owned),
                    ),
                };
                found.insert((
                    folder.clone(),
                    i["file"].as_str().unwrap().to_owned(),
                    line,
                    field,
                    rule.to_owned(),
                ));
            }
        }
        if defects == "0" {
            assert_eq!(
                ingest.status.code(),
                Some(0),
                "every clean delivery is accepted"
            );
            assert!(
                found.is_empty(),
                "clean deliveries have no findings: {found:?}"
            );
            continue;
        }
        let planted: Vec<serde_json::Value> =
            serde_json::from_slice(&std::fs::read(out.join("defects.json")).unwrap()).unwrap();
        let expected: BTreeSet<_> = planted
            .iter()
            .map(|d| {
                (
                    d["delivery"].as_str().unwrap().to_owned(),
                    d["file"].as_str().unwrap().to_owned(),
                    d["line"].as_u64(),
                    d["field"].as_str().map(str::to_owned),
                    d["rule"].as_str().unwrap().to_owned(),
                )
            })
            .collect();
        assert!(expected.len() > 20, "the generator planted defects");
        let missed: Vec<_> = expected.difference(&found).collect();
        let extra: Vec<_> = found.difference(&expected).collect();
        assert!(
            missed.is_empty() && extra.is_empty(),
            "missed {missed:?}\nextra {extra:?}"
        );
        assert_eq!(
            ingest.status.code(),
            Some(1),
            "the truncated delivery is rejected"
        );
        let rejected = reports.iter().filter(|r| r["status"] == "rejected").count();
        assert_eq!(rejected, 1);
    }
}

/// Every regular file under `dir`, recursively.
fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.push(path);
            }
        }
    }
    out
}

/// The 32 key bytes of a key file (`key=<64 hex>`).
fn key_bytes(path: &Path) -> [u8; 32] {
    let text = std::fs::read_to_string(path).unwrap();
    let hex_key = text.lines().find_map(|l| l.strip_prefix("key=")).unwrap();
    let mut out = [0u8; 32];
    hex::decode_to_slice(hex_key.trim(), &mut out).unwrap();
    out
}

/// Every value of the lake's `*_pseudonym` columns.
fn lake_pseudonyms(data: &Path) -> std::collections::BTreeSet<String> {
    files_under(&data.join("lake"))
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "parquet"))
        .flat_map(|p| parquet_strings(p))
        .filter(|v| v.len() == 32 && v.bytes().all(|b| b.is_ascii_hexdigit()))
        .collect()
}

/// A hub created and fed as the CLI does leaves no key material under its data directory: no
/// file holds the master or audit key (as hex or raw bytes), no file there is a key file, and no
/// 32-byte value found there recomputes a lake pseudonym from a personnummer, while the real key
/// (outside) does. Every file and folder there is private (0600/0700).
#[test]
fn no_key_material_under_the_data_directory() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    init(&data);
    let delivery = Delivery::new(tmp.path(), "a")
        .contacts(&Files::new(many_stays(50)), false)
        .write();
    let out = run(vardhub(&data).arg("ingest").arg(&delivery).arg("--quiet"));
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let keys = key_dir(&data);
    let master = key_bytes(&keys.join("master.key"));
    let audit = key_bytes(&keys.join("audit.key"));

    // The real key recomputes the lake's pseudonyms (so the check below can fail).
    let lake = lake_pseudonyms(&data);
    let numbers = &test_numbers()[1000..1050];
    let reference = chrono::NaiveDate::from_ymd_opt(2024, 3, 31).unwrap();
    let recomputed = |p: &vardhub_ingest::Pseudonymiser| {
        numbers
            .iter()
            .filter(|n| {
                let id = p.pseudonymise(n, None, reference, None, None).unwrap();
                lake.contains(&id.pseudonym)
            })
            .count()
    };
    assert_eq!(
        recomputed(&vardhub_ingest::Pseudonymiser::from_master(&master, 1)),
        50
    );

    let mut candidates = 0usize;
    for path in files_under(&data) {
        let bytes = std::fs::read(&path).unwrap();
        let text = String::from_utf8_lossy(&bytes).to_lowercase();
        for secret in [master, audit] {
            assert!(
                !text.contains(&hex::encode(secret)),
                "key hex in {}",
                path.display()
            );
            assert!(
                !bytes.windows(32).any(|w| w == secret),
                "key bytes in {}",
                path.display()
            );
        }
        assert!(
            vardhub_ingest::Pseudonymiser::load(&path).is_err(),
            "{} is a key file",
            path.display()
        );
        // Every 64-hex-digit run (hashes, MACs, fingerprints) tried as a master key.
        let hex_runs = text
            .split(|c: char| !c.is_ascii_hexdigit())
            .filter(|t| t.len() >= 64);
        for hex_run in hex_runs {
            for start in (0..=hex_run.len() - 64).step_by(2) {
                let mut k = [0u8; 32];
                hex::decode_to_slice(&hex_run[start..start + 64], &mut k).unwrap();
                candidates += 1;
                for version in [1, 2] {
                    let p = vardhub_ingest::Pseudonymiser::from_master(&k, version);
                    assert_eq!(
                        recomputed(&p),
                        0,
                        "a value in {} is the key",
                        path.display()
                    );
                }
            }
        }
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{}", path.display());
    }
    assert!(
        candidates > 10,
        "the hub's hashes were tried ({candidates})"
    );
    let mut dirs = vec![data.clone()];
    while let Some(d) = dirs.pop() {
        let mode = std::fs::metadata(&d).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o700, "{}", d.display());
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                dirs.push(p);
            }
        }
    }
}

/// Key paths inside the data directory are refused, however they are spelt.
#[test]
fn a_key_path_inside_the_data_directory_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    let spelt = format!("{}/../data/keys", data.display());
    for (flag, value) in [
        ("--key-dir", spelt.clone()),
        ("--key-dir", data.join("keys").display().to_string()),
        ("--key-file", format!("{spelt}/master.key")),
    ] {
        let out = run(vardhub(&data)
            .args([flag, value.as_str()])
            .args(["init", "--synthetic"]));
        assert_eq!(out.status.code(), Some(2), "{flag} {value}");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("inside the data directory"),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(!data.join("catalogue.sqlite").exists());
        assert!(!data.join("keys").exists());
    }
}

/// `serve` takes the exported release keys and refuses the master key; it runs with no master
/// key anywhere, and its audit entries still verify after it stops.
#[test]
fn serve_runs_on_release_keys_without_the_master_key() {
    use std::io::{Read, Write};
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    init(&data);
    let keys = key_dir(&data);
    let release = tmp.path().join("release.keys");
    let out = run(vardhub(&data)
        .args(["keys", "export-release", "--out"])
        .arg(&release));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = run(vardhub(&data)
        .args(["keys", "export-release", "--out"])
        .arg(data.join("release.keys")));
    assert_eq!(
        out.status.code(),
        Some(2),
        "an export into the data directory"
    );

    let out = run(vardhub(&data)
        .args(["serve", "--addr", "127.0.0.1:0", "--release-keys"])
        .arg(keys.join("master.key")));
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("is the master key"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // No master key anywhere the server could reach.
    std::fs::rename(keys.join("master.key"), tmp.path().join("offline.key")).unwrap();
    let (mut child, addr) = serve(
        vardhub(&data),
        &["--release-keys".as_ref(), release.as_os_str()],
    );
    let mut stream = std::net::TcpStream::connect(&addr).unwrap();
    write!(
        stream,
        "GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    assert!(child.wait().unwrap().success());
    let out = run(vardhub(&data).args(["audit", "verify"]));
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A copy of the repository's definitions (specs, recipes, policy) in `dir`.
fn copy_definitions(dir: &Path) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for sub in ["specs", "indicators", "policies"] {
        std::fs::create_dir_all(dir.join(sub)).unwrap();
        for e in std::fs::read_dir(root.join(sub)).unwrap() {
            let e = e.unwrap();
            std::fs::copy(e.path(), dir.join(sub).join(e.file_name())).unwrap();
        }
    }
}

#[test]
fn definitions_check_names_file_line_and_field_and_exits_1() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let defs = tmp.path().join("definitions");
    copy_definitions(&defs);
    let clean = run(vardhub(&data).args(["definitions", "check"]).arg(&defs));
    let stdout = String::from_utf8_lossy(&clean.stdout);
    assert_eq!(clean.status.code(), Some(0), "{stdout}");
    assert!(
        stdout.contains("14 indikatorrecept, 4 datamängder"),
        "{stdout}"
    );
    let recipe = defs.join("indicators/hoftfraktur_op_24h.toml");
    let text = std::fs::read_to_string(&recipe).unwrap();
    std::fs::write(
        &recipe,
        text.replace("vardform = [\"SV\"]", "vardform = [\"SL\"]"),
    )
    .unwrap();
    let bad = run(vardhub(&data).args(["definitions", "check"]).arg(&defs));
    let stdout = String::from_utf8_lossy(&bad.stdout);
    assert_eq!(bad.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("indicators/hoftfraktur_op_24h.toml:21: okänd kod [definition.vardform]"),
        "{stdout}"
    );
    // Every other command refuses a folder with mistakes, naming them.
    let list = run(vardhub(&data)
        .arg("--definitions")
        .arg(&defs)
        .args(["indicators", "list"]));
    assert_eq!(list.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&list.stderr).contains("hoftfraktur_op_24h.toml:21"));
}

#[test]
fn a_definitions_folder_and_a_disclosure_policy_are_used_by_compute() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let defs = tmp.path().join("definitions");
    copy_definitions(&defs);
    // Only one recipe in the folder, and a policy of its own version.
    for e in std::fs::read_dir(defs.join("indicators")).unwrap() {
        let e = e.unwrap();
        if e.file_name() != "medelvardtid.toml" {
            std::fs::remove_file(e.path()).unwrap();
        }
    }
    let policy = tmp.path().join("policy.toml");
    let text = std::fs::read_to_string(defs.join("policies/disclosure.toml")).unwrap();
    std::fs::write(&policy, text.replace("version = 4", "version = 77")).unwrap();
    let list = run(vardhub(&data)
        .arg("--definitions")
        .arg(&defs)
        .args(["indicators", "list"]));
    let stdout = String::from_utf8_lossy(&list.stdout);
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    assert!(stdout.starts_with("medelvardtid"), "{stdout}");
    init(&data);
    let dir = Delivery::new(tmp.path(), "stays")
        .contacts(&Files::new(many_stays(20)), false)
        .write();
    let ingest = run(vardhub(&data).arg("ingest").arg(&dir).arg("--quiet"));
    assert!(
        ingest.status.success(),
        "{}",
        String::from_utf8_lossy(&ingest.stdout)
    );
    let compute = run(vardhub(&data)
        .arg("--definitions")
        .arg(&defs)
        .arg("--disclosure-policy")
        .arg(&policy)
        .args(["indicators", "compute"]));
    let stdout = String::from_utf8_lossy(&compute.stdout);
    assert!(
        compute.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&compute.stderr)
    );
    assert!(stdout.contains("vardhub-public v77"), "{stdout}");
    assert!(stdout.contains("medelvardtid"), "{stdout}");
    assert!(!stdout.contains("hoftfraktur_op_24h"), "{stdout}");
}

/// `cmd serve` on a free port: the child and the address it printed.
fn serve(mut cmd: Command, extra: &[&std::ffi::OsStr]) -> (std::process::Child, String) {
    use std::io::BufRead;
    let mut child = cmd
        .args(["serve", "--addr", "127.0.0.1:0"])
        .args(extra)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let addr = line
        .split("http://")
        .nth(1)
        .and_then(|r| r.split('/').next())
        .unwrap_or_else(|| panic!("no address in {line:?}"))
        .to_owned();
    (child, addr)
}

/// A raw HTTP GET on the running server: (status line, body).
fn http_get(addr: &str, path: &str) -> (String, String) {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let (head, body) = response.split_once("\r\n\r\n").unwrap_or((&response, ""));
    (
        head.lines().next().unwrap_or("").to_owned(),
        body.to_owned(),
    )
}

/// The issue's "done when": a recipe written here is checked, tried, approved and then published
/// by a running hub, without rebuilding or restarting anything.
#[test]
fn a_recipe_written_here_is_checked_tried_approved_and_published_by_a_running_hub() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    init(&data);
    let dir = Delivery::new(tmp.path(), "stays")
        .contacts(&Files::new(many_stays(40)), false)
        .write();
    let ingest = run(vardhub(&data).arg("ingest").arg(&dir).arg("--quiet"));
    assert!(
        ingest.status.success(),
        "{}",
        String::from_utf8_lossy(&ingest.stdout)
    );
    let first = run(vardhub(&data).args(["indicators", "compute"]));
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );

    // An NPO analyst writes a recipe: mean length of stay of acute inpatient episodes.
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let base = std::fs::read_to_string(root.join("indicators/medelvardtid.toml")).unwrap();
    let text = base
        .replacen("id = \"medelvardtid\"", "id = \"medelvardtid_akut\"", 1)
        .replacen(
            "population = { vardform = [\"SV\"] }",
            "population = { vardform = [\"SV\"], planerad = false }",
            1,
        );
    assert_ne!(text, base);
    let file = tmp.path().join("medelvardtid_akut.toml");
    // First with a mistake: checked, nothing stored.
    std::fs::write(
        &file,
        text.replacen("unit = \"mean\"", "unit = \"proportion\"", 1),
    )
    .unwrap();
    let tried = run(vardhub(&data).args(["indicators", "try"]).arg(&file));
    assert_eq!(tried.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&tried.stdout).contains("[unit]"));
    std::fs::write(&file, &text).unwrap();
    let tried = run(vardhub(&data).args(["indicators", "try"]).arg(&file));
    let stdout = String::from_utf8_lossy(&tried.stdout);
    assert!(
        tried.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&tried.stderr)
    );
    assert!(
        stdout.contains("UTKAST") && stdout.contains("medelvardtid_akut"),
        "{stdout}"
    );

    // The running hub.
    let (mut child, addr) = serve(vardhub(&data), &[]);
    let (status, _) = http_get(&addr, "/api/v1/indicators/medelvardtid_akut");
    assert!(status.contains("404"), "a draft is not published: {status}");

    // Submitted, reviewed, approved: each step with who and when.
    for args in [
        vec![
            "recipes",
            "submit",
            file.to_str().unwrap(),
            "--by",
            "npo-analytiker",
        ],
        vec![
            "recipes",
            "review",
            "medelvardtid_akut",
            "--by",
            "npo-analytiker",
        ],
        vec![
            "recipes",
            "approve",
            "medelvardtid_akut",
            "--by",
            "kc",
            "--note",
            "NAG-beslut",
        ],
    ] {
        let out = run(vardhub(&data).args(&args));
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let list = run(vardhub(&data).args(["recipes", "list"]));
    let stdout = String::from_utf8_lossy(&list.stdout);
    for step in [
        "draft",
        "review",
        "approved",
        "npo-analytiker",
        "kc",
        "NAG-beslut",
    ] {
        assert!(stdout.contains(step), "{step}: {stdout}");
    }
    // An approved recipe cannot be approved again.
    let again = run(vardhub(&data).args(["recipes", "approve", "medelvardtid_akut"]));
    assert_eq!(again.status.code(), Some(2));

    // The next official run computes it; the running server publishes it.
    let second = run(vardhub(&data).args(["indicators", "compute"]));
    let stdout = String::from_utf8_lossy(&second.stdout);
    assert!(
        second.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&second.stderr)
    );
    assert!(stdout.contains("medelvardtid_akut"), "{stdout}");
    let (status, body) = http_get(&addr, "/api/v1/indicators/medelvardtid_akut");
    assert!(status.contains("200"), "{status} {body}");
    let (status, body) = http_get(&addr, "/api/v1/indicators");
    assert!(status.contains("200"));
    assert!(body.contains("medelvardtid_akut"), "{body}");
    let (status, _) = http_get(&addr, "/indikatorer/medelvardtid_akut");
    assert!(status.contains("200"), "{status}");

    // Retired: the next official run leaves it out.
    let out =
        run(vardhub(&data).args(["recipes", "retire", "medelvardtid_akut", "--note", "ersatt"]));
    assert!(out.status.success());
    let third = run(vardhub(&data).args(["indicators", "compute"]));
    assert!(!String::from_utf8_lossy(&third.stdout).contains("medelvardtid_akut"));
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let _ = child.wait();
}

/// Region 01 delivers `vardkontakter` 1.0.0, region 02 the same month in 1.1.0 with one new
/// optional variable: both are accepted, the lake's readers see one schema, and an indicator
/// reads both regions' contacts.
#[test]
fn two_versions_of_a_specification_are_accepted_side_by_side_and_indicators_read_both() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let defs = tmp.path().join("definitions");
    copy_definitions(&defs);
    let text = std::fs::read_to_string(defs.join("specs/vardkontakter.toml")).unwrap();
    let second_table = text.match_indices("\n[[tables]]").nth(1).unwrap().0;
    let new_variable = "\n[[tables.variables]]\nname = \"remisstyp\"\ntype = \"string\"\nmandatory = false\nmax_length = 20\ndescription = { sv = \"Remissens typ (ny i 1.1.0).\", en = \"Type of referral (new in 1.1.0).\" }\n";
    let v11 = format!(
        "{}{new_variable}{}",
        &text[..second_table],
        &text[second_table..]
    )
    .replacen("version = \"1.0.0\"", "version = \"1.1.0\"", 1);
    std::fs::write(defs.join("specs/vardkontakter-1.1.0.toml"), v11).unwrap();
    let check = run(vardhub(&data).args(["definitions", "check"]).arg(&defs));
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stdout)
    );
    init(&data);
    let old = Delivery::new(tmp.path(), "v10")
        .contacts(&Files::new(many_stays(20)), false)
        .write();
    // Region 03's patients live in Uppsala (kommun 0380).
    let uppsala: Vec<String> = many_stays(20)
        .into_iter()
        .map(|r| r.replacen(";0180;", ";0380;", 1))
        .collect();
    let mut new = Delivery::new(tmp.path(), "v11")
        .contacts(&Files::new(uppsala), false)
        .with_column("kontakter", "remisstyp", "egen");
    new.region = "03".into();
    new.spec_version = "1.1.0".into();
    let new = new.write();
    let with_defs = |c: &mut Command| -> Output { run(c.arg("--definitions").arg(&defs)) };
    // Without the folder the hub knows only 1.0.0 and says which versions it accepts.
    let refused = run(vardhub(&data).arg("ingest").arg(&new).arg("--quiet"));
    assert_eq!(refused.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&refused.stdout).contains("1.1.0"));
    for d in [&old, &new] {
        let out = with_defs(vardhub(&data).arg("ingest").arg(d).arg("--quiet"));
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stdout)
        );
    }
    let out =
        with_defs(vardhub(&data).args(["indicators", "compute", "--indicator", "medelvardtid"]));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = with_defs(vardhub(&data).args([
        "indicators",
        "show",
        "medelvardtid",
        "--period",
        "2024-03",
    ]));
    let stdout = String::from_utf8_lossy(&out.stdout);
    for region in ["01 ", "03 "] {
        assert!(
            stdout
                .lines()
                .any(|l| l.starts_with("2024-03") && l.contains(&format!(" {region}"))),
            "region {region} missing: {stdout}"
        );
    }
}

/// Ingest `n` inpatient stays delivered by `region` (its residents, kommun `<region>80`) and
/// return the line the ingest prints about the recomputation it triggered.
fn ingest_stays_of(data: &Path, tmp: &Path, region: &str, n: usize) -> String {
    let stays: Vec<String> = many_stays(n)
        .into_iter()
        .map(|r| r.replacen(";0180;", &format!(";{region}80;"), 1))
        .collect();
    let mut delivery =
        Delivery::new(tmp, &format!("stays-{region}")).contacts(&Files::new(stays), false);
    delivery.region = region.into();
    let out = run(vardhub(data).arg("ingest").arg(delivery.write()));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    stdout
        .lines()
        .find(|l| l.starts_with("Ny beräkning"))
        .unwrap_or_else(|| panic!("no recomputation: {stdout}"))
        .to_owned()
}

/// Computation follows the data: ingesting one new month for one region recomputes the
/// indicators that read it (and only those) in a new official run whose values equal a full
/// recomputation's.
#[test]
fn an_ingest_recomputes_what_it_affects_and_equals_a_full_run() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    init(&data);
    let first = Delivery::new(tmp.path(), "first")
        .contacts(&Files::new(many_stays(30)), false)
        .write();
    let out = run(vardhub(&data).arg("ingest").arg(&first));
    assert!(out.status.success());
    assert!(
        !String::from_utf8_lossy(&out.stdout).contains("Ny beräkning"),
        "no official run yet: nothing to follow"
    );
    let full = run(vardhub(&data).args(["indicators", "compute"]));
    assert!(
        full.status.success(),
        "{}",
        String::from_utf8_lossy(&full.stderr)
    );
    // Region 03 delivers the same month.
    let line = ingest_stays_of(&data, tmp.path(), "03", 25);
    assert!(line.contains("medelvardtid"), "{line}");
    assert!(
        !line.contains("vantetid_forsta_besok_90"),
        "waiting times read nothing new: {line}"
    );
    let show_all = || -> Vec<String> {
        let list = run(vardhub(&data).args(["indicators", "list"]));
        String::from_utf8_lossy(&list.stdout)
            .lines()
            .map(|l| l.split_whitespace().next().unwrap().to_owned())
            .map(|id| {
                let out = run(vardhub(&data).args(["indicators", "show", &id]));
                // Without the header line naming the run.
                String::from_utf8_lossy(&out.stdout)
                    .lines()
                    .filter(|l| !l.starts_with("Källa:"))
                    .collect::<Vec<_>>()
                    .join("\n")
            })
            .collect()
    };
    assert!(
        !line.contains("; 0 av dem"),
        "the indicators it recomputed started from the earlier run's fine rows: {line}"
    );
    let incremental = show_all();
    let full = run(vardhub(&data).args(["indicators", "compute"]));
    assert!(full.status.success());
    assert_eq!(incremental, show_all());
    assert!(
        incremental.iter().any(|s| s.contains("2024-03 03")),
        "region 03 is in"
    );

    // Fine rows that do not match the hash recorded with their run are not trusted: the next
    // recomputation queries in full, and still equals a full run.
    let mut runs: Vec<PathBuf> = std::fs::read_dir(data.join("results"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("fine.parquet").exists())
        .collect();
    runs.sort();
    let fine = runs.last().unwrap().join("fine.parquet");
    let mut bytes = std::fs::read(&fine).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0xff;
    std::fs::write(&fine, bytes).unwrap();
    let line = ingest_stays_of(&data, tmp.path(), "12", 20);
    assert!(line.contains("; 0 av dem"), "{line}");
    let incremental = show_all();
    let full = run(vardhub(&data).args(["indicators", "compute"]));
    assert!(full.status.success());
    assert_eq!(incremental, show_all());
}

/// A care-chain analysis runs on the lake as a run of kind analysis: stored apart, audited, never
/// an official run (the public API keeps serving the official one), and what it prints passed
/// the policy's analysis rules.
#[test]
fn an_analysis_is_stored_as_a_run_of_kind_analysis_and_prints_the_public_view() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("synth");
    let data = tmp.path().join("hub");
    let generated = run(vardhub(&data)
        .args([
            "synth", "--scale", "0.01", "--from", "2024-01", "--to", "2024-06",
        ])
        .arg("--out")
        .arg(&out));
    assert!(generated.status.success());
    init(&data);
    let deliveries = delivery_folders(&out);
    let ingest = run(vardhub(&data)
        .args(["ingest", "--quiet", "--no-compute"])
        .args(&deliveries));
    assert!(ingest.status.success());
    assert!(
        !String::from_utf8_lossy(&ingest.stdout).contains("Ny beräkning"),
        "--no-compute computes nothing"
    );
    let list = run(vardhub(&data).args(["analyses", "list"]));
    assert!(String::from_utf8_lossy(&list.stdout).contains("hoftfraktur_vardkedja"));
    let analysed = run(vardhub(&data).args(["analyses", "run", "hoftfraktur_vardkedja"]));
    let stdout = String::from_utf8_lossy(&analysed.stdout);
    assert!(
        analysed.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&analysed.stderr)
    );
    assert!(stdout.contains("Vårdkedjan efter höftfraktur"), "{stdout}");
    assert!(stdout.contains("Operation"), "{stdout}");
    assert!(stdout.contains("vardhub-public v4"), "{stdout}");
    // Stored apart under results/analysis/, never as an official run.
    let stored: Vec<PathBuf> = std::fs::read_dir(data.join("results").join("analysis"))
        .unwrap()
        .map(|e| e.unwrap().path().join("analysis.json"))
        .collect();
    assert_eq!(stored.len(), 1);
    let doc: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&stored[0]).unwrap()).unwrap();
    assert_eq!(doc["analysis"], "hoftfraktur_vardkedja");
    assert_eq!(doc["kind"], "care_chain");
    assert!(doc["results"][0]["patients"].as_u64().unwrap() > 0);
    // The other kinds print their own tables.
    let cost = run(vardhub(&data).args(["analyses", "run", "aldre_vardkonsumtion"]));
    let stdout = String::from_utf8_lossy(&cost.stdout);
    assert!(cost.status.success(), "{stdout}");
    assert!(stdout.contains("kr per patient"), "{stdout}");
    let before_after = run(vardhub(&data).args(["analyses", "run", "mobila_team"]));
    let stdout = String::from_utf8_lossy(&before_after.stdout);
    assert!(before_after.status.success(), "{stdout}");
    assert!(stdout.contains("skillnad-i-skillnader"), "{stdout}");
    let show = run(vardhub(&data).args(["indicators", "show", "hoftfraktur_op_24h"]));
    assert!(
        !show.status.success() || !String::from_utf8_lossy(&show.stdout).contains("analysis"),
        "an analysis run is never served as indicator results"
    );
    // A region without patients says so; an unknown analysis is the user's mistake.
    let unknown = run(vardhub(&data).args(["analyses", "run", "finns_inte"]));
    assert!(!unknown.status.success());
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("finns_inte"));
    let audit = run(vardhub(&data).args(["audit", "verify"]));
    assert!(audit.status.success());
    // Log review over the days around now (Swedish days): the CLI's own work is not access, so
    // nothing is flagged; a region's CSV has the Swedish header.
    let today = chrono::Utc::now().date_naive();
    let (from, to) = (
        (today - chrono::Duration::days(1)).to_string(),
        (today + chrono::Duration::days(1)).to_string(),
    );
    let review = run(vardhub(&data).args(["audit", "review", "--from", &from, "--to", &to]));
    let stdout = String::from_utf8_lossy(&review.stdout);
    assert!(
        review.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&review.stderr)
    );
    assert!(stdout.contains("0 flaggor"), "{stdout}");
    let csv = tmp.path().join("loggkontroll-13.csv");
    let region = run(vardhub(&data)
        .args([
            "audit", "review", "--from", &from, "--to", &to, "--region", "13", "--out",
        ])
        .arg(&csv));
    assert!(region.status.success());
    let text = std::fs::read_to_string(&csv).unwrap();
    assert!(text.starts_with("\u{feff}löpnummer;"), "{text}");
    let bad = run(vardhub(&data).args(["audit", "review", "--from", "igår", "--to", &to]));
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("YYYY-MM-DD"));
}
