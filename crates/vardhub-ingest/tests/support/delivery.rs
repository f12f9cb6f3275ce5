//! Building deliveries on disk for tests: a folder with CSV (or Parquet) files and a manifest whose
//! checksums and row counts describe them (or, on purpose, describe other bytes). Shared by the
//! ingest tests and the CLI tests (`#[path]`-included). Identities are Skatteverket test numbers.
#![allow(dead_code)]

use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// Skatteverket test personnummer (the only identities allowed in fixtures).
pub fn test_numbers() -> Vec<String> {
    serde_json::from_str(include_str!(
        "../../../../reference/skatteverket_test_personnummer.json"
    ))
    .unwrap()
}

pub const KONTAKTER_HEADER: &str = "kontakt_id;patient_id;patient_id_typ;kon;hemkommun;sjukhus;enhet;mvo;vardform;planerad;besokstyp;yrkeskategori;inskrivningsdatum;utskrivningsdatum;utskrivningssatt;hdia;drg;drg_vikt;kpp_kostnad;utskrivningsklar_dagar";

/// One inpatient stay in March 2024 for a patient living in Stockholm (kommun 0180).
pub fn stay(id: &str, pnr: &str) -> String {
    format!(
        "{id};{pnr};P;1;0180;11001;Ortopedavd 4;301;SV;N;;;2024-03-02 14:10;2024-03-09 10:00;1;S72.0;I08C;2,35;98 500,50;2"
    )
}

/// A primary-care visit.
pub fn visit(id: &str, pnr: &str) -> String {
    format!(
        "{id};{pnr};;2;0180;21002;VC Söder;;PV;J;1;L;2024-03-05 09:00;2024-03-05 09:20;;;;;1 250,00;"
    )
}

pub struct Files {
    pub kontakter: Vec<String>,
    pub diagnoser: Vec<String>,
    pub atgarder: Vec<String>,
}

impl Files {
    pub fn new(rows: Vec<String>) -> Files {
        Files {
            kontakter: rows,
            diagnoser: vec!["K1;1;I10".into(), "K1;2;E11.9".into()],
            atgarder: vec!["K1;1;NFJ09;2024-03-03 08:15".into()],
        }
    }
}

pub fn csv(header: &str, rows: &[String], crlf: bool) -> String {
    let nl = if crlf { "\r\n" } else { "\n" };
    let mut s = String::from(header);
    s.push_str(nl);
    for r in rows {
        s.push_str(r);
        s.push_str(nl);
    }
    s
}

pub struct Delivery {
    pub dir: PathBuf,
    pub region: String,
    pub period: String,
    pub encoding: &'static str,
    pub synthetic: bool,
    pub collection: String,
    /// The specification version the manifest names.
    pub spec_version: String,
    /// (table, file name, bytes as written, bytes the manifest describes)
    pub files: Vec<(String, String, Vec<u8>, Vec<u8>)>,
    /// Row count to declare for a Parquet file.
    pub parquet_rows: Option<u64>,
}

impl Delivery {
    pub fn new(root: &Path, name: &str) -> Delivery {
        Delivery {
            dir: root.join(name),
            region: "01".into(),
            period: "2024-03".into(),
            encoding: "utf-8",
            synthetic: true,
            collection: "vardkontakter".into(),
            spec_version: "1.0.0".into(),
            files: Vec::new(),
            parquet_rows: None,
        }
    }
    pub fn contacts(mut self, f: &Files, crlf: bool) -> Delivery {
        let k = csv(KONTAKTER_HEADER, &f.kontakter, crlf).into_bytes();
        let d = csv("kontakt_id;ordning;kod", &f.diagnoser, crlf).into_bytes();
        let a = csv("kontakt_id;ordning;kod;datumtid", &f.atgarder, crlf).into_bytes();
        for (t, b) in [("kontakter", k), ("diagnoser", d), ("atgarder", a)] {
            self.files
                .push((t.into(), format!("{t}.csv"), b.clone(), b));
        }
        self
    }
    /// Any collection's table from a header and rows (LF line endings, UTF-8).
    pub fn table(
        mut self,
        collection: &str,
        table: &str,
        header: &str,
        rows: &[String],
    ) -> Delivery {
        self.collection = collection.into();
        let b = csv(header, rows, false).into_bytes();
        self.files
            .push((table.into(), format!("{table}.csv"), b.clone(), b));
        self
    }
    /// A column more in a CSV table (written and described alike): `name` in the header and
    /// `value` on every row.
    pub fn with_column(mut self, table: &str, name: &str, value: &str) -> Delivery {
        let entry = self.files.iter_mut().find(|e| e.0 == table).unwrap();
        let text = String::from_utf8(entry.2.clone()).unwrap();
        let mut out = String::new();
        for (i, line) in text.split_inclusive('\n').enumerate() {
            let (body, end) = match line.strip_suffix("\r\n") {
                Some(b) => (b, "\r\n"),
                None => line.strip_suffix('\n').map_or((line, ""), |b| (b, "\n")),
            };
            let extra = if i == 0 { name } else { value };
            out.push_str(&format!("{body};{extra}{end}"));
        }
        entry.2 = out.clone().into_bytes();
        entry.3 = out.into_bytes();
        self
    }
    pub fn map_file(mut self, table: &str, f: impl FnOnce(Vec<u8>) -> Vec<u8>) -> Delivery {
        let entry = self.files.iter_mut().find(|e| e.0 == table).unwrap();
        entry.2 = f(std::mem::take(&mut entry.2));
        self
    }
    pub fn write(self) -> PathBuf {
        std::fs::create_dir_all(&self.dir).unwrap();
        let mut files = Vec::new();
        for (table, name, written, described) in &self.files {
            std::fs::write(self.dir.join(name), written).unwrap();
            let rows = if name.ends_with(".parquet") {
                self.parquet_rows
                    .expect("set parquet_rows for a Parquet file")
            } else {
                described
                    .split(|b| *b == b'\n')
                    .filter(|l| !l.is_empty() && *l != b"\r")
                    .count() as u64
                    - 1
            };
            files.push(serde_json::json!({
                "table": table, "path": name, "rows": rows,
                "sha256": hex::encode(Sha256::digest(described)),
            }));
        }
        let manifest = serde_json::json!({
            "format": "vardhub-leverans/1", "collection": self.collection, "spec_version": self.spec_version,
            "region": self.region, "period": self.period, "synthetic": self.synthetic,
            "encoding": self.encoding, "files": files,
        });
        std::fs::write(
            self.dir.join("manifest.json"),
            serde_json::to_vec_pretty(&manifest).unwrap(),
        )
        .unwrap();
        self.dir
    }
}

pub fn many_stays(n: usize) -> Vec<String> {
    let numbers = test_numbers();
    (0..n)
        .map(|i| stay(&format!("K{}", i + 1), &numbers[1000 + i]))
        .collect()
}
