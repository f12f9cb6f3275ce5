//! Writing one delivery: CSV files (`;`, CRLF, UTF-8 or Windows-1252) hashed while they stream
//! to disk, and the manifest that describes them.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use vardhub_domain::manifest::{MANIFEST_FILE, MANIFEST_FORMAT};
use vardhub_domain::spec::TableSpec;
use vardhub_domain::{Encoding, Manifest, ManifestFile};

use crate::SynthError;

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> SynthError + '_ {
    move |source| SynthError::Io {
        path: path.to_owned(),
        source,
    }
}

/// One CSV file being written.
pub(crate) struct TableWriter {
    pub table: String,
    path: PathBuf,
    out: BufWriter<File>,
    hasher: Sha256,
    encoding: Encoding,
    /// Data rows written.
    pub rows: u64,
    /// Bytes written (header included).
    pub bytes: u64,
}

impl TableWriter {
    /// Create `<dir>/<table>.csv` and write the header (the spec's variable names, in order).
    pub fn create(
        dir: &Path,
        spec: &TableSpec,
        encoding: Encoding,
    ) -> Result<TableWriter, SynthError> {
        let path = dir.join(format!("{}.csv", spec.name));
        let file = File::create(&path).map_err(io_err(&path))?;
        let mut w = TableWriter {
            table: spec.name.clone(),
            out: BufWriter::with_capacity(1 << 20, file),
            path,
            hasher: Sha256::new(),
            encoding,
            rows: 0,
            bytes: 0,
        };
        let header: Vec<&str> = spec.variables.iter().map(|v| v.name.as_str()).collect();
        w.put(&header.join(";"))?;
        Ok(w)
    }

    /// The file line the next row gets (the header is line 1).
    pub fn next_line(&self) -> u64 {
        self.rows + 2
    }

    /// Encoded bytes of a text.
    pub fn encode<'a>(&self, s: &'a str) -> std::borrow::Cow<'a, [u8]> {
        match self.encoding {
            Encoding::Utf8 => std::borrow::Cow::Borrowed(s.as_bytes()),
            Encoding::Windows1252 => encoding_rs::WINDOWS_1252.encode(s).0,
        }
    }

    fn put(&mut self, line: &str) -> Result<(), SynthError> {
        let bytes = match self.encoding {
            Encoding::Utf8 => std::borrow::Cow::Borrowed(line.as_bytes()),
            Encoding::Windows1252 => encoding_rs::WINDOWS_1252.encode(line).0,
        };
        self.hasher.update(&bytes);
        self.hasher.update(b"\r\n");
        self.out.write_all(&bytes).map_err(io_err(&self.path))?;
        self.out.write_all(b"\r\n").map_err(io_err(&self.path))?;
        self.bytes += bytes.len() as u64 + 2;
        Ok(())
    }

    /// Write one data row (without line end); returns the byte offset where it starts.
    pub fn row(&mut self, line: &str) -> Result<u64, SynthError> {
        let at = self.bytes;
        self.put(line)?;
        self.rows += 1;
        Ok(at)
    }

    /// Flush and describe the file for the manifest.
    pub fn finish(mut self) -> Result<(ManifestFile, u64, PathBuf), SynthError> {
        self.out.flush().map_err(io_err(&self.path))?;
        let sha = hex::encode(self.hasher.finalize());
        Ok((
            ManifestFile {
                path: format!("{}.csv", self.table),
                table: self.table,
                rows: self.rows,
                sha256: sha,
            },
            self.bytes,
            self.path,
        ))
    }
}

/// What a manifest says besides its files.
pub(crate) struct DeliveryMeta<'a> {
    pub collection: &'a str,
    pub spec_version: &'a str,
    pub region: &'a str,
    pub period: vardhub_domain::Period,
    pub encoding: Encoding,
    pub sender: String,
}

/// Write `manifest.json`.
pub(crate) fn write_manifest(
    dir: &Path,
    meta: DeliveryMeta<'_>,
    files: Vec<ManifestFile>,
) -> Result<u64, SynthError> {
    let DeliveryMeta {
        collection,
        spec_version,
        region,
        period,
        encoding,
        sender,
    } = meta;
    // Created on the 5th of the following month at 06:00 (never the clock: output is reproducible).
    let created = period.next().first_day() + chrono::Days::new(4);
    let manifest = Manifest {
        format: MANIFEST_FORMAT.to_owned(),
        collection: collection.to_owned(),
        spec_version: spec_version.to_owned(),
        region: region.to_owned(),
        period: period.to_string(),
        synthetic: true,
        encoding,
        created_at: Some(format!("{}T06:00:00Z", created.format("%Y-%m-%d"))),
        sender: Some(sender),
        files,
    };
    let path = dir.join(MANIFEST_FILE);
    let mut bytes = serde_json::to_vec_pretty(&manifest).map_err(|e| SynthError::Io {
        path: path.clone(),
        source: std::io::Error::other(e),
    })?;
    bytes.push(b'\n');
    std::fs::write(&path, &bytes).map_err(io_err(&path))?;
    Ok(bytes.len() as u64)
}

/// Text as it looks after being encoded as UTF-8 and then decoded as Windows-1252 (`ä` → `Ã¤`).
pub(crate) fn double_encode(s: &str) -> String {
    encoding_rs::WINDOWS_1252
        .decode_without_bom_handling(s.as_bytes())
        .0
        .into_owned()
}

/// Create (or reuse) a delivery folder.
pub(crate) fn delivery_dir(out: &Path, name: &str) -> Result<PathBuf, SynthError> {
    let dir = out.join(name);
    std::fs::create_dir_all(&dir).map_err(io_err(&dir))?;
    Ok(dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn double_encoding_looks_like_mojibake() {
        assert_eq!(double_encode("Sjukhusä"), "SjukhusÃ¤");
        assert_eq!(double_encode("Öron"), "Ã–ron");
        assert_eq!(double_encode("ASCII"), "ASCII");
    }
}
