//! Checks of a delivery as a whole, each in its own module:
//!
//! * within the delivery, while it is prepared: [`orphans`] (child rows pointing at no parent row),
//!   [`concentration`] (one person holding an implausible share of a table);
//! * against the calendar and the catalogue, when it is finished: [`period`] (a month that cannot
//!   be complete yet), [`share`] (error share per table), [`predecessor`] (a re-delivery far smaller
//!   than what it would replace), [`death`] (contacts after the patient's death in the population
//!   register).

pub mod concentration;
pub mod death;
pub mod orphans;
pub mod period;
pub mod predecessor;
pub mod share;

use datafusion::arrow::array::{Array, ArrayRef, AsArray, RecordBatch};
use datafusion::arrow::datatypes::DataType;
use datafusion::parquet::arrow::ProjectionMask;
use datafusion::parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use std::path::Path;

/// Read `columns` of a Parquet file batch by batch (only those columns are decoded).
pub(crate) fn scan_columns(
    path: &Path,
    columns: &[&str],
    mut each: impl FnMut(&[ArrayRef]) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let file = std::fs::File::open(path)?;
    let builder = ParquetRecordBatchReaderBuilder::try_new(file).map_err(std::io::Error::other)?;
    let mask = ProjectionMask::columns(builder.parquet_schema(), columns.iter().copied());
    let reader = builder
        .with_projection(mask)
        .with_batch_size(crate::table::BATCH_ROWS)
        .build()
        .map_err(std::io::Error::other)?;
    for batch in reader {
        let batch: RecordBatch = batch.map_err(std::io::Error::other)?;
        let cols = columns
            .iter()
            .map(|c| {
                batch
                    .column_by_name(c)
                    .cloned()
                    .ok_or_else(|| std::io::Error::other(format!("column {c} missing")))
            })
            .collect::<std::io::Result<Vec<_>>>()?;
        each(&cols)?;
    }
    Ok(())
}

/// The text at `row` of a Utf8 column (`None` if null or not text).
pub(crate) fn text_at(a: &ArrayRef, row: usize) -> Option<&str> {
    if a.data_type() != &DataType::Utf8 || a.is_null(row) {
        return None;
    }
    Some(a.as_string::<i32>().value(row))
}

/// The source line (`kalla_rad`) at `row`.
pub(crate) fn line_at(a: &ArrayRef, row: usize) -> u64 {
    a.as_primitive::<datafusion::arrow::datatypes::Int64Type>()
        .value(row)
        .max(0) as u64
}
