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

/// The manifest's file name inside a delivery.
pub const MANIFEST_FILE: &str = "manifest.json";

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
