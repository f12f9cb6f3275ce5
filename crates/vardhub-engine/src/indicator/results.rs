//! Result rows as an Arrow record batch (stored as Parquet by the store) and back.

use super::compute::{Flags, ResultRow};
use crate::stats::Significance;
use datafusion::arrow::array::{
    Array, ArrayRef, AsArray, BooleanArray, Float64Array, RecordBatch, StringArray,
};
use datafusion::arrow::datatypes::{DataType, Field, Float64Type, Schema, SchemaRef};
use datafusion::arrow::error::ArrowError;
use std::sync::Arc;

/// The schema of stored results.
pub fn schema() -> SchemaRef {
    let s = |n: &str| Field::new(n, DataType::Utf8, false);
    let so = |n: &str| Field::new(n, DataType::Utf8, true);
    let f = |n: &str| Field::new(n, DataType::Float64, false);
    let fo = |n: &str| Field::new(n, DataType::Float64, true);
    Arc::new(Schema::new(vec![
        s("indicator"),
        s("spec_version"),
        s("spec_hash"),
        s("software_version"),
        s("region"),
        s("period"),
        s("kon"),
        s("aldersgrupp"),
        f("numerator"),
        f("denominator"),
        f("cases"),
        fo("value"),
        fo("lower"),
        fo("upper"),
        fo("standardised"),
        fo("standardised_lower"),
        fo("standardised_upper"),
        fo("expected"),
        fo("national_value"),
        so("funnel_95"),
        so("funnel_998"),
        Field::new("meets_target", DataType::Boolean, true),
        s("deliveries"),
        s("method"),
    ]))
}

/// The stored code of a funnel classification.
pub(crate) fn sig_code(s: Significance) -> &'static str {
    match s {
        Significance::SignificantlyBetter => "better",
        Significance::SignificantlyWorse => "worse",
        Significance::NotSignificant => "not_significant",
        Significance::CannotBeAssessed => "cannot_be_assessed",
    }
}

fn sig_parse(s: &str) -> Option<Significance> {
    match s {
        "better" => Some(Significance::SignificantlyBetter),
        "worse" => Some(Significance::SignificantlyWorse),
        "not_significant" => Some(Significance::NotSignificant),
        "cannot_be_assessed" => Some(Significance::CannotBeAssessed),
        _ => None,
    }
}

/// Rows to one batch (in the rows' order).
pub fn to_batch(rows: &[ResultRow]) -> Result<RecordBatch, ArrowError> {
    let text = |f: &dyn Fn(&ResultRow) -> String| -> ArrayRef {
        Arc::new(StringArray::from(rows.iter().map(f).collect::<Vec<_>>()))
    };
    let opt_text = |f: &dyn Fn(&ResultRow) -> Option<String>| -> ArrayRef {
        Arc::new(StringArray::from(rows.iter().map(f).collect::<Vec<_>>()))
    };
    let num = |f: &dyn Fn(&ResultRow) -> f64| -> ArrayRef {
        Arc::new(Float64Array::from(rows.iter().map(f).collect::<Vec<_>>()))
    };
    let opt = |f: &dyn Fn(&ResultRow) -> Option<f64>| -> ArrayRef {
        Arc::new(Float64Array::from(rows.iter().map(f).collect::<Vec<_>>()))
    };
    let version = env!("CARGO_PKG_VERSION");
    let columns: Vec<ArrayRef> = vec![
        text(&|r| r.indicator.clone()),
        text(&|r| r.spec_version.clone()),
        text(&|r| r.spec_hash.clone()),
        text(&|_| format!("vardhub {version}")),
        text(&|r| r.region.clone()),
        text(&|r| r.period.clone()),
        text(&|r| r.kon.clone()),
        text(&|r| r.aldersgrupp.clone()),
        num(&|r| r.numerator),
        num(&|r| r.denominator),
        num(&|r| r.cases),
        opt(&|r| r.value),
        opt(&|r| r.lower),
        opt(&|r| r.upper),
        opt(&|r| r.standardised),
        opt(&|r| r.standardised_lower),
        opt(&|r| r.standardised_upper),
        opt(&|r| r.expected),
        opt(&|r| r.national_value),
        opt_text(&|r| r.flags.map(|f| sig_code(f.at_95).to_owned())),
        opt_text(&|r| r.flags.map(|f| sig_code(f.at_998).to_owned())),
        Arc::new(BooleanArray::from(
            rows.iter().map(|r| r.meets_target).collect::<Vec<_>>(),
        )),
        text(&|r| r.deliveries.join(",")),
        text(&|r| r.method.clone()),
    ];
    RecordBatch::try_new(schema(), columns)
}

/// A stored results file that cannot be read (the operator must act: a damaged or missing file).
#[derive(Debug, thiserror::Error)]
#[error("resultatfilen {path} kan inte läsas / the results file cannot be read: {message}")]
pub struct ReadError {
    /// The file.
    pub path: String,
    /// What failed.
    pub message: String,
}

/// The rows of a stored results file (one run's `indicators.parquet`).
pub fn read_file(path: &std::path::Path) -> Result<Vec<ResultRow>, ReadError> {
    let batches = read_batches(path).map_err(|message| ReadError {
        path: path.display().to_string(),
        message,
    })?;
    Ok(from_batches(&batches))
}

/// Every batch of a Parquet file the store wrote.
pub(crate) fn read_batches(path: &std::path::Path) -> Result<Vec<RecordBatch>, String> {
    use datafusion::parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
    let file = std::fs::File::open(path).map_err(|e| e.to_string())?;
    ParquetRecordBatchReaderBuilder::try_new(file)
        .and_then(|b| b.build())
        .map_err(|e| e.to_string())?
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| e.to_string())
}

/// Rows back from stored batches.
pub fn from_batches(batches: &[RecordBatch]) -> Vec<ResultRow> {
    let mut out = Vec::new();
    for b in batches {
        let s = |n: &str| b.column_by_name(n).map(|c| c.as_string::<i32>().clone());
        let f = |n: &str| {
            b.column_by_name(n)
                .map(|c| c.as_primitive::<Float64Type>().clone())
        };
        let (
            Some(ind),
            Some(ver),
            Some(hash),
            Some(region),
            Some(period),
            Some(kon),
            Some(age),
            Some(dels),
        ) = (
            s("indicator"),
            s("spec_version"),
            s("spec_hash"),
            s("region"),
            s("period"),
            s("kon"),
            s("aldersgrupp"),
            s("deliveries"),
        )
        else {
            continue;
        };
        let Some(c) = f("cases") else { continue };
        let (
            Some(n),
            Some(d),
            Some(v),
            Some(lo),
            Some(up),
            Some(st),
            Some(stl),
            Some(stu),
            Some(nat),
        ) = (
            f("numerator"),
            f("denominator"),
            f("value"),
            f("lower"),
            f("upper"),
            f("standardised"),
            f("standardised_lower"),
            f("standardised_upper"),
            f("national_value"),
        )
        else {
            continue;
        };
        let (Some(f95), Some(f998)) = (s("funnel_95"), s("funnel_998")) else {
            continue;
        };
        let meets = b
            .column_by_name("meets_target")
            .map(|c| c.as_boolean().clone());
        // Columns added later (runs stored before them read as absent).
        let expected = f("expected");
        let method = s("method");
        let o = |a: &Float64Array, i: usize| (!a.is_null(i)).then(|| a.value(i));
        for i in 0..b.num_rows() {
            let flags = (!f95.is_null(i))
                .then(|| {
                    Some(Flags {
                        at_95: sig_parse(f95.value(i))?,
                        at_998: sig_parse(f998.value(i))?,
                    })
                })
                .flatten();
            out.push(ResultRow {
                indicator: ind.value(i).to_owned(),
                spec_version: ver.value(i).to_owned(),
                spec_hash: hash.value(i).to_owned(),
                region: region.value(i).to_owned(),
                period: period.value(i).to_owned(),
                kon: kon.value(i).to_owned(),
                aldersgrupp: age.value(i).to_owned(),
                numerator: n.value(i),
                denominator: d.value(i),
                cases: c.value(i),
                value: o(&v, i),
                lower: o(&lo, i),
                upper: o(&up, i),
                standardised: o(&st, i),
                standardised_lower: o(&stl, i),
                standardised_upper: o(&stu, i),
                expected: expected.as_ref().and_then(|e| o(e, i)),
                national_value: o(&nat, i),
                flags,
                meets_target: meets
                    .as_ref()
                    .and_then(|m| (!m.is_null(i)).then(|| m.value(i))),
                deliveries: dels
                    .value(i)
                    .split(',')
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned)
                    .collect(),
                method: method
                    .as_ref()
                    .map_or(String::new(), |m| m.value(i).to_owned()),
            });
        }
    }
    out
}
