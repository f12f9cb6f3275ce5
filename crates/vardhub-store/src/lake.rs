//! Writing Parquet into a staging folder that later becomes one immutable lake folder.

use crate::error::StoreError;
use crate::hub::{Hub, remove_all, sync_dir};
use datafusion::arrow::datatypes::SchemaRef;
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::parquet::arrow::ArrowWriter;
use datafusion::parquet::basic::{Compression, ZstdLevel};
use datafusion::parquet::file::properties::WriterProperties;
use sha2::{Digest, Sha256};
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

/// Rows per Parquet row group: large enough for good compression and scans, small enough that a
/// writer holds little in memory.
const ROW_GROUP_ROWS: usize = 128 * 1024;

/// A delivery being written, in its own folder under `staging/`. Dropping it without publishing
/// removes the folder.
#[derive(Debug)]
pub struct StagedDelivery {
    dir: PathBuf,
    files: Vec<(String, WrittenFile)>,
    published: bool,
}

impl StagedDelivery {
    /// Start a new staging folder.
    pub fn create(hub: &Hub) -> Result<StagedDelivery, StoreError> {
        let staging = hub.layout().staging();
        // Deliveries may be staged in parallel: a per-process sequence keeps names apart.
        static SEQUENCE: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let name = format!(
            "{}-{}-{}",
            std::process::id(),
            crate::time::now_utc().timestamp_micros(),
            SEQUENCE.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
        );
        let dir = staging.join(name);
        crate::private::create_dir_all(&dir).map_err(StoreError::io(&dir))?;
        Ok(StagedDelivery {
            dir,
            files: Vec::new(),
            published: false,
        })
    }

    /// The staging folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Open a writer for one table (`<table>.parquet`).
    pub fn table_writer(&self, table: &str, schema: SchemaRef) -> Result<TableWriter, StoreError> {
        TableWriter::create(&self.dir.join(format!("{table}.parquet")), table, schema)
    }

    /// Record a written file; it replaces an earlier file of the same table (a rewrite).
    pub fn add(&mut self, file: WrittenFile) {
        self.files.retain(|(t, _)| *t != file.table);
        self.files.push((file.table.clone(), file));
    }

    /// The files written so far.
    pub fn files(&self) -> impl Iterator<Item = &WrittenFile> {
        self.files.iter().map(|(_, f)| f)
    }

    /// Make the staging folder durable (fsync the folder) before it is renamed into the lake.
    pub(crate) fn seal(&self) -> Result<(), StoreError> {
        sync_dir(&self.dir)
    }

    pub(crate) fn mark_published(&mut self) {
        self.published = true;
    }
}

impl Drop for StagedDelivery {
    fn drop(&mut self) {
        if !self.published {
            let _ = remove_all(&self.dir);
        }
    }
}

/// A finished Parquet file.
#[derive(Debug, Clone)]
pub struct WrittenFile {
    /// Table name.
    pub table: String,
    /// File name inside the delivery folder.
    pub file_name: String,
    /// Rows written.
    pub rows: u64,
    /// Size in bytes.
    pub bytes: u64,
    /// SHA-256 of the file's bytes, hex.
    pub sha256: String,
}

/// Streams record batches into one Parquet file, hashing the bytes as they are written.
pub struct TableWriter {
    table: String,
    path: PathBuf,
    writer: ArrowWriter<HashingWriter<BufWriter<File>>>,
    rows: u64,
}

impl std::fmt::Debug for TableWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TableWriter")
            .field("table", &self.table)
            .field("rows", &self.rows)
            .finish()
    }
}

impl TableWriter {
    pub(crate) fn create(
        path: &Path,
        table: &str,
        schema: SchemaRef,
    ) -> Result<TableWriter, StoreError> {
        let file = crate::private::create_file(path).map_err(StoreError::io(path))?;
        let props = WriterProperties::builder()
            .set_compression(Compression::ZSTD(ZstdLevel::try_new(1)?))
            .set_max_row_group_row_count(Some(ROW_GROUP_ROWS))
            .set_created_by(format!("vardhub {}", env!("CARGO_PKG_VERSION")))
            .build();
        let sink = HashingWriter {
            inner: BufWriter::with_capacity(1 << 20, file),
            hasher: Sha256::new(),
            bytes: 0,
        };
        let writer = ArrowWriter::try_new(sink, schema, Some(props))?;
        Ok(TableWriter {
            table: table.to_owned(),
            path: path.to_owned(),
            writer,
            rows: 0,
        })
    }

    /// Append one batch.
    pub fn write(&mut self, batch: &RecordBatch) -> Result<(), StoreError> {
        self.rows += batch.num_rows() as u64;
        self.writer.write(batch)?;
        Ok(())
    }

    /// Finish the file, fsync it and return what was written.
    pub fn finish(self) -> Result<WrittenFile, StoreError> {
        let sink = self.writer.into_inner()?;
        let HashingWriter {
            inner,
            hasher,
            bytes,
        } = sink;
        let file = inner
            .into_inner()
            .map_err(|e| StoreError::io(&self.path)(e.into_error()))?;
        file.sync_all().map_err(StoreError::io(&self.path))?;
        Ok(WrittenFile {
            file_name: self
                .path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
            table: self.table,
            rows: self.rows,
            bytes,
            sha256: hex::encode(hasher.finalize()),
        })
    }
}

struct HashingWriter<W> {
    inner: W,
    hasher: Sha256,
    bytes: u64,
}

impl<W: Write> Write for HashingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        self.bytes += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}
