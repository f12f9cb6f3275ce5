//! Reading one delivered Parquet file into the staging folder: hash it in one bounded streaming
//! pass, then read its columns as text (as if they had come from a CSV file) and hand the rows to
//! the [`TableValidator`]. A zipped Parquet file is read into memory (random access), bounded.

use crate::ingest::{TableOutcome, check_file_claims, finish_table};
use crate::report::{Issue, IssueSink, Severity};
use crate::source::{DeliverySource, Progress};
use crate::table::{HeaderRejected, TableContext, TableValidator};
use datafusion::arrow::array::{Array, AsArray};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::DataType;
use datafusion::arrow::record_batch::{RecordBatch, RecordBatchReader};
use datafusion::parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use std::io::Read;
use std::path::Path;
use vardhub_domain::manifest::ManifestFile;
use vardhub_store::StagedDelivery;

/// Stage one Parquet file. `Ok(None)` when the file could not be staged (an issue says why).
#[allow(clippy::too_many_arguments)]
pub(crate) fn stage_parquet(
    source: &DeliverySource,
    mf: &ManifestFile,
    ctx: TableContext<'_>,
    staged: &mut StagedDelivery,
    dedup_dir: &Path,
    progress: &dyn Progress,
    issues: &mut IssueSink,
) -> std::io::Result<Option<TableOutcome>> {
    let file_name = mf.path.clone();
    let table_name = ctx.spec.name.clone();
    // Hash the file in one streaming pass, then read it with the Parquet reader.
    let max = crate::bounds::MAX_ZIPPED_PARQUET_BYTES;
    let (sha, bytes) = match source.with_file(&mf.path, max, progress, |r| r.finish()) {
        Ok(hashed) => hashed,
        Err(e) => return crate::csv_stage::file_error(e, mf, issues).map(|()| None),
    };
    let builder = match source {
        DeliverySource::Folder(_) => {
            ParquetRecordBatchReaderBuilder::try_new(source.open_in_folder(&mf.path)?)
                .map(|b| b.build())
        }
        DeliverySource::Zip(_) => {
            // Parquet needs random access; a zipped Parquet file is read into memory.
            let mut buf = Vec::new();
            source.with_file(&mf.path, max, &crate::source::NoProgress, |r| {
                r.read_to_end(&mut buf)
            })?;
            ParquetRecordBatchReaderBuilder::try_new(bytes_from(buf)).map(|b| b.build())
        }
    };
    let reader = match builder {
        Ok(Ok(r)) => r,
        Ok(Err(e)) | Err(e) => {
            issues.push(
                Issue::new(
                    Severity::Fatal,
                    "file_unreadable",
                    format!("filen kan inte läsas som Parquet: {e}"),
                    format!("the file cannot be read as Parquet: {e}"),
                )
                .in_file(&file_name),
            );
            check_file_claims(mf, &sha, mf.rows, issues);
            return Ok(None);
        }
    };
    let header: Vec<String> = reader
        .schema()
        .fields()
        .iter()
        .map(|f| f.name().clone())
        .collect();
    let mut validator = match TableValidator::new(ctx, &header, dedup_dir, issues) {
        Ok(v) => v,
        Err(HeaderRejected) => {
            check_file_claims(mf, &sha, mf.rows, issues);
            return Ok(None);
        }
    };
    let mut writer = staged
        .table_writer(&table_name, validator.schema())
        .map_err(std::io::Error::other)?;
    let mut line = 0u64;
    for batch in reader {
        let batch = match batch {
            Ok(b) => b,
            Err(e) => {
                issues.push(
                    Issue::new(
                        Severity::Fatal,
                        "file_unreadable",
                        format!("filen är skadad: {e}"),
                        format!("the file is damaged: {e}"),
                    )
                    .in_file(&file_name),
                );
                return Ok(None);
            }
        };
        let columns = text_columns(&batch).map_err(std::io::Error::other)?;
        for r in 0..batch.num_rows() {
            line += 1;
            let fields: Vec<&str> = columns
                .iter()
                .map(|c| {
                    let s = c.as_string::<i32>();
                    if s.is_null(r) { "" } else { s.value(r) }
                })
                .collect();
            let forbidden = fields
                .iter()
                .enumerate()
                .find_map(|(i, f)| crate::values::forbidden_character(f).map(|c| (i, c)));
            if let Some((col, c)) = forbidden {
                validator.rows_read += 1;
                validator.left_out(&fields);
                issues.push(crate::csv_stage::bad_value_issue(
                    Some(c),
                    &header[col],
                    &file_name,
                    line,
                ));
                continue;
            }
            if let Some(b) = validator.row(line, &fields, issues)? {
                writer.write(&b).map_err(std::io::Error::other)?;
            }
        }
    }
    let (last, dups, validator) = validator.finish()?;
    if let Some(b) = last {
        writer.write(&b).map_err(std::io::Error::other)?;
    }
    check_file_claims(mf, &sha, validator.rows_read, issues);
    let left_out_keys = validator.left_out_keys;
    finish_table(
        staged,
        writer,
        &table_name,
        &file_name,
        dups,
        validator.rows_read,
        validator.rows_with_errors,
        validator.residence,
        bytes,
        issues,
    )
    .map(|o| o.map(|o| o.with_left_out_keys(left_out_keys)))
}

fn bytes_from(buf: Vec<u8>) -> bytes::Bytes {
    bytes::Bytes::from(buf)
}

/// Every column of a delivered Parquet batch as text, as if it had come from a CSV file.
fn text_columns(
    batch: &RecordBatch,
) -> Result<Vec<std::sync::Arc<dyn Array>>, datafusion::arrow::error::ArrowError> {
    batch
        .columns()
        .iter()
        .map(|c| cast(c, &DataType::Utf8))
        .collect()
}
