//! The manifest of a delivery: the `manifest.json` file a region's data node puts beside its data
//! files (in a folder or a zip). It says what the delivery claims to be; ingest checks every claim.
//!
//! ```json
//! {
//!   "format": "vardhub-leverans/1",
//!   "collection": "vardkontakter",
//!   "spec_version": "1.0.0",
//!   "region": "01",
//!   "period": "2024-03",
//!   "synthetic": true,
//!   "encoding": "windows-1252",
//!   "created_at": "2024-04-05T08:00:00Z",
//!   "sender": "Region Stockholm, regional dataplattform",
//!   "files": [
//!     { "table": "kontakter", "path": "kontakter.csv", "rows": 1234, "sha256": "…" }
//!   ]
//! }
//! ```

use serde::{Deserialize, Serialize};

/// The manifest format identifier this version of the hub reads.
pub const MANIFEST_FORMAT: &str = "vardhub-leverans/1";

/// The manifest format identifier of a delivery whose data files are a FHIR R4 bulk export: one
/// NDJSON file per resource type (`Patient`, `Encounter`, `Condition`, `Procedure`,
/// `Observation`), each listed in `files` with the resource type as its `table`, its line count as
/// `rows`, encoding `utf-8`. The hub maps it to the collection's tables (docs/fhir-mapping.md).
pub const FHIR_MANIFEST_FORMAT: &str = "vardhub-leverans/1+fhir-ndjson";

/// How a delivery's data files are written, as its manifest's `format` says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DataFormat {
    /// One CSV or Parquet file per table of the collection ([`MANIFEST_FORMAT`]).
    Tables,
    /// A FHIR R4 bulk export, one NDJSON file per resource type ([`FHIR_MANIFEST_FORMAT`]).
    FhirNdjson,
}

/// The manifest's file name inside a delivery.
pub const MANIFEST_FILE: &str = "manifest.json";

/// A manifest larger than this is refused unread (a real one is a few kilobytes).
pub const MAX_MANIFEST_BYTES: u64 = 1 << 20;

/// Why a manifest's bytes are not a manifest. Who must act: the sender.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ManifestError {
    /// Larger than [`MAX_MANIFEST_BYTES`].
    #[error("the manifest is larger than {limit} bytes")]
    TooLarge {
        /// The limit.
        limit: u64,
    },
    /// Written in UTF-16 or UTF-32 (a byte-order mark or NUL bytes say so).
    #[error("the manifest is {0}; write it as UTF-8")]
    WideEncoding(&'static str),
    /// Not JSON, or JSON that does not follow the format.
    #[error("field `{path}`: {message} (line {line}, column {column})")]
    Json {
        /// Where in the document, as a serde path (`files[0].rows`; `.` is the whole document).
        path: String,
        /// What is wrong, in serde_json's words (it may quote the offending value: mask it
        /// before showing it).
        message: String,
        /// Line in the file, 1-based.
        line: usize,
        /// Column in the line, 1-based.
        column: usize,
    },
}

impl Manifest {
    /// How the data files are written, from `format`; `None` for an unknown format.
    pub fn data_format(&self) -> Option<DataFormat> {
        match self.format.as_str() {
            MANIFEST_FORMAT => Some(DataFormat::Tables),
            FHIR_MANIFEST_FORMAT => Some(DataFormat::FhirNdjson),
            _ => None,
        }
    }

    /// Parse a manifest's bytes: UTF-8 JSON, a UTF-8 byte-order mark is skipped. Errors name the
    /// field (serde path), line and column.
    pub fn from_json(bytes: &[u8]) -> Result<Manifest, ManifestError> {
        if bytes.len() as u64 > MAX_MANIFEST_BYTES {
            return Err(ManifestError::TooLarge {
                limit: MAX_MANIFEST_BYTES,
            });
        }
        if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
            return Err(ManifestError::WideEncoding("UTF-16"));
        }
        if bytes.starts_with(&[0, 0, 0xFE, 0xFF]) || bytes.iter().take(64).any(|b| *b == 0) {
            return Err(ManifestError::WideEncoding("UTF-16 or UTF-32"));
        }
        let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        let de = &mut serde_json::Deserializer::from_slice(bytes);
        serde_path_to_error::deserialize(de).map_err(|e| {
            let path = e.path().to_string();
            let inner = e.into_inner();
            let (line, column) = (inner.line(), inner.column());
            let full = inner.to_string();
            let suffix = format!(" at line {line} column {column}");
            let message = full.strip_suffix(&suffix).unwrap_or(&full).to_owned();
            ManifestError::Json {
                path,
                message,
                line,
                column,
            }
        })
    }
}

/// Character encoding of the delivery's CSV files.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Encoding {
    /// UTF-8, with or without byte-order mark.
    #[serde(rename = "utf-8", alias = "UTF-8", alias = "utf8")]
    Utf8,
    /// Windows-1252 (the usual "ANSI" export of Swedish Windows systems).
    #[serde(rename = "windows-1252", alias = "Windows-1252", alias = "cp1252")]
    Windows1252,
}

/// One data file of a delivery.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ManifestFile {
    /// The table of the collection's specification the file holds.
    pub table: String,
    /// Path inside the delivery (`.csv` or `.parquet`).
    pub path: String,
    /// Number of data rows (CSV: lines after the header).
    pub rows: u64,
    /// SHA-256 of the file's bytes, lower-case hex.
    pub sha256: String,
}

/// The manifest of a delivery, as written (not yet checked).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// Must be [`MANIFEST_FORMAT`].
    pub format: String,
    /// Collection id.
    pub collection: String,
    /// Specification version followed.
    pub spec_version: String,
    /// Länskod of the delivering region, `00` for a national delivery.
    pub region: String,
    /// The month delivered, `ÅÅÅÅ-MM`.
    pub period: String,
    /// True for synthetic data; a hub accepts either only synthetic or only real deliveries.
    pub synthetic: bool,
    /// Encoding of the CSV files.
    pub encoding: Encoding,
    /// When the delivery was produced.
    #[serde(default)]
    pub created_at: Option<String>,
    /// Free-text sender description.
    #[serde(default)]
    pub sender: Option<String>,
    /// The data files.
    pub files: Vec<ManifestFile>,
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"{"format":"vardhub-leverans/1","collection":"c","spec_version":"1.0.0",
        "region":"01","period":"2024-03","synthetic":true,"encoding":"utf-8",
        "files":[{"table":"t","path":"t.csv","rows":1,"sha256":"00"}]}"#;

    #[test]
    fn manifest_with_a_bom_is_read() {
        let bytes = [b"\xEF\xBB\xBF".as_slice(), GOOD.as_bytes()].concat();
        assert_eq!(Manifest::from_json(&bytes).unwrap().files[0].rows, 1);
    }

    #[test]
    fn manifest_errors_name_the_field() {
        let bad = GOOD.replace(r#""rows":1"#, r#""rows":"many""#);
        let err = Manifest::from_json(bad.as_bytes()).unwrap_err();
        let ManifestError::Json { path, message, .. } = &err else {
            panic!("{err:?}")
        };
        assert_eq!(path, "files[0].rows");
        assert!(message.starts_with("invalid type: string"), "{message}");
        assert!(err.to_string().contains("field `files[0].rows`"), "{err}");
    }

    #[test]
    fn utf16_and_oversized_manifests_are_named() {
        let wide: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain(GOOD.encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
        assert!(matches!(
            Manifest::from_json(&wide),
            Err(ManifestError::WideEncoding(_))
        ));
        let big = vec![b' '; MAX_MANIFEST_BYTES as usize + 1];
        assert!(matches!(
            Manifest::from_json(&big),
            Err(ManifestError::TooLarge { .. })
        ));
    }
}
