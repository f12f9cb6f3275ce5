//! A run's fine rows (each recipe's query output, before aggregation) as Arrow and back.
//!
//! An official run keeps them beside its results, so that the next run after an ingest queries
//! only the rows the new deliveries can change ([`super::reach`]) and takes the rest from here.
//! Sums are stored as they came from the query; aggregation sums them exactly
//! ([`super::aggregate`]), so merged and freshly queried rows give the same results.

use super::compute::FineRow;
use datafusion::arrow::array::{
    Array, ArrayRef, AsArray, Float64Array, Int64Array, RecordBatch, StringArray,
};
use datafusion::arrow::datatypes::{DataType, Field, Float64Type, Int64Type, Schema, SchemaRef};
use datafusion::arrow::error::ArrowError;
use std::collections::BTreeMap;
use std::sync::Arc;

/// The schema of stored fine rows.
pub fn schema() -> SchemaRef {
    let s = |n: &str, null| Field::new(n, DataType::Utf8, null);
    let f = |n: &str| Field::new(n, DataType::Float64, false);
    Arc::new(Schema::new(vec![
        s("indicator", false),
        s("region", false),
        s("period", false),
        s("sub", true),
        s("kon", true),
        Field::new("alder", DataType::Int64, true),
        f("numerator"),
        f("denominator"),
        f("sumsq"),
        f("cases"),
    ]))
}

/// One indicator's fine rows as one batch.
pub fn to_batch(indicator: &str, rows: &[FineRow]) -> Result<RecordBatch, ArrowError> {
    fn text<'a>(rows: &'a [FineRow], f: impl Fn(&'a FineRow) -> Option<&'a str>) -> ArrayRef {
        Arc::new(StringArray::from(rows.iter().map(f).collect::<Vec<_>>()))
    }
    let num = |f: &dyn Fn(&FineRow) -> f64| -> ArrayRef {
        Arc::new(Float64Array::from(rows.iter().map(f).collect::<Vec<_>>()))
    };
    RecordBatch::try_new(
        schema(),
        vec![
            Arc::new(StringArray::from(vec![indicator; rows.len()])),
            text(rows, |r| Some(&r.region)),
            text(rows, |r| Some(&r.period)),
            text(rows, |r| r.sub.as_deref()),
            text(rows, |r| r.kon.as_deref()),
            Arc::new(Int64Array::from(
                rows.iter().map(|r| r.alder).collect::<Vec<_>>(),
            )),
            num(&|r| r.numerator),
            num(&|r| r.denominator),
            num(&|r| r.sumsq),
            num(&|r| r.cases),
        ],
    )
}

/// A stored fine-rows file that cannot be read (the operator must act; the caller may also
/// compute everything again instead).
#[derive(Debug, thiserror::Error)]
#[error("finraderna i {path} kan inte läsas / the fine rows cannot be read: {message}")]
pub struct ReadError {
    /// The file.
    pub path: String,
    /// What failed.
    pub message: String,
}

/// The fine rows of a stored file, per indicator, in stored order.
pub fn read_file(path: &std::path::Path) -> Result<BTreeMap<String, Vec<FineRow>>, ReadError> {
    let err = |message: String| ReadError {
        path: path.display().to_string(),
        message,
    };
    let batches = super::results::read_batches(path).map_err(err)?;
    from_batches(&batches).map_err(err)
}

/// Fine rows back from stored batches, per indicator.
pub fn from_batches(batches: &[RecordBatch]) -> Result<BTreeMap<String, Vec<FineRow>>, String> {
    let mut out: BTreeMap<String, Vec<FineRow>> = BTreeMap::new();
    for b in batches {
        let col = |n: &str| {
            b.column_by_name(n)
                .ok_or_else(|| format!("column {n} missing"))
        };
        let text = |n: &str| -> Result<StringArray, String> {
            col(n)?
                .as_string_opt::<i32>()
                .cloned()
                .ok_or_else(|| format!("column {n} is not text"))
        };
        let num = |n: &str| -> Result<Float64Array, String> {
            col(n)?
                .as_primitive_opt::<Float64Type>()
                .cloned()
                .ok_or_else(|| format!("column {n} is not a number"))
        };
        let (indicator, region, period, sub, kon) = (
            text("indicator")?,
            text("region")?,
            text("period")?,
            text("sub")?,
            text("kon")?,
        );
        let alder = col("alder")?
            .as_primitive_opt::<Int64Type>()
            .cloned()
            .ok_or("column alder is not an integer")?;
        let (n, d, ss, cases) = (
            num("numerator")?,
            num("denominator")?,
            num("sumsq")?,
            num("cases")?,
        );
        let opt = |a: &StringArray, i| (!a.is_null(i)).then(|| a.value(i).to_owned());
        for i in 0..b.num_rows() {
            out.entry(indicator.value(i).to_owned())
                .or_default()
                .push(FineRow {
                    region: region.value(i).to_owned(),
                    period: period.value(i).to_owned(),
                    sub: opt(&sub, i),
                    kon: opt(&kon, i),
                    alder: (!alder.is_null(i)).then(|| alder.value(i)),
                    numerator: n.value(i),
                    denominator: d.value(i),
                    sumsq: ss.value(i),
                    cases: cases.value(i),
                });
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fine_rows_survive_the_round_trip_bit_for_bit() {
        let rows = vec![
            FineRow {
                region: "01".into(),
                period: "2024-03".into(),
                sub: Some("0180".into()),
                kon: Some("2".into()),
                alder: Some(81),
                numerator: 0.1 + 0.2,
                denominator: 12.0,
                sumsq: 0.0,
                cases: 3.0,
            },
            FineRow {
                region: "13".into(),
                period: "2024-04".into(),
                sub: None,
                kon: None,
                alder: None,
                numerator: 1e-300,
                denominator: 0.0,
                sumsq: 7.5,
                cases: 0.0,
            },
        ];
        let batch = to_batch("hoftfraktur", &rows).unwrap();
        let back = from_batches(&[batch]).unwrap();
        assert_eq!(back.len(), 1);
        assert_eq!(back["hoftfraktur"], rows);
    }
}
