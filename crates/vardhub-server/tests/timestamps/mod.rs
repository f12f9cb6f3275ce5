//! Timestamps that statistical tools read as timestamps (issue 17): the lake's Parquet files and
//! hemhämtning's downloads carry their date-time columns as INT64 with the TIMESTAMP(MILLIS)
//! logical type, and DuckDB, pandas (pyarrow) and polars — the analysts' tools, from the test
//! venv — all read them as timestamps with the same first value.

use crate::support::{REGION_A, client, python, world};
use datafusion::arrow::array::AsArray;
use datafusion::arrow::datatypes::TimestampMillisecondType;
use datafusion::parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use std::path::{Path, PathBuf};

const COLUMNS: [&str; 2] = ["inskrivningsdatum", "utskrivningsdatum"];

/// The `COLUMN=first value` arguments of `timestamps_read.py` for a file, after checking in Rust
/// that each column has the TIMESTAMP(MILLIS) logical type.
fn expectations(path: &Path) -> Vec<String> {
    let file = std::fs::File::open(path).unwrap();
    let builder = ParquetRecordBatchReaderBuilder::try_new(file).unwrap();
    let descr = builder.metadata().file_metadata().schema_descr_ptr();
    let mut reader = builder.build().unwrap();
    let batch = reader.next().expect("a row group").unwrap();
    COLUMNS
        .iter()
        .map(|name| {
            let col = descr
                .columns()
                .iter()
                .find(|c| c.name() == *name)
                .unwrap_or_else(|| panic!("{}: no column {name}", path.display()));
            let logical = format!("{:?}", col.logical_type_ref());
            assert!(
                logical.contains("Timestamp") && logical.contains("MILLIS"),
                "{}: {name} has logical type {logical}",
                path.display()
            );
            let values = batch
                .column_by_name(name)
                .unwrap()
                .as_primitive::<TimestampMillisecondType>();
            let first = values.value_as_datetime(0).unwrap();
            format!("{name}={}", first.format("%Y-%m-%dT%H:%M:%S"))
        })
        .collect()
}

/// The current lake file of `vardkontakter.kontakter` for a region and month.
fn lake_file(data: &Path, region: &str, period: &str) -> PathBuf {
    let dir = data
        .join("lake/vardkontakter")
        .join(format!("region={region}"))
        .join(format!("period={period}"));
    let mut versions: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    versions.sort();
    versions.last().unwrap().join("kontakter.parquet")
}

#[tokio::test]
async fn duckdb_pandas_and_polars_read_the_lakes_and_the_downloads_timestamps_as_timestamps() {
    let w = world();
    let period = &w.periods[0];
    let res = client()
        .get(format!(
            "{}/api/v1/microdata/vardkontakter/kontakter?period={period}",
            w.base
        ))
        .bearer_auth(w.token("reg_a"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let tmp = tempfile::tempdir().unwrap();
    let download = tmp.path().join("kontakter.parquet");
    std::fs::write(&download, res.bytes().await.unwrap()).unwrap();
    let lake = lake_file(&w.data, REGION_A, period);

    let mut args = Vec::new();
    for file in [&download, &lake] {
        args.push(file.display().to_string());
        args.extend(expectations(file));
    }
    let out = python::run("timestamps_read.py", &args).await;
    assert_eq!(
        out.lines().filter(|l| l.starts_with("ok ")).count(),
        2,
        "{out}"
    );
}
