//! What a release does to each column and row of a lake file: the plan of a table's output
//! columns ([`OutColumn`], [`Treatment`]), the row filters of the approved population, and the
//! transformations (project pseudonyms, tokens, coarsened dates).

use chrono::{NaiveDate, NaiveDateTime};
use datafusion::arrow::array::{
    Array, ArrayRef, AsArray, BooleanArray, Date32Array, StringArray, TimestampMillisecondArray,
    new_null_array,
};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, Field, Schema, SchemaRef, TimeUnit};
use datafusion::arrow::error::ArrowError;
use datafusion::arrow::record_batch::RecordBatch;
use std::collections::{BTreeSet, HashSet};
use std::sync::Arc;
use vardhub_domain::research::{
    AGE_COLUMN, AgeRange, DERIVED_SEX_COLUMN, DateCoarsening, is_token_variable,
};
use vardhub_domain::spec::{TableSpec, VarType};
use vardhub_domain::{KommunCode, RegionCode};
use vardhub_ingest::ReleasePseudonymiser;
use vardhub_ingest::columns::pseudonym_column;

const EPOCH: NaiveDate = NaiveDate::from_ymd_opt(1970, 1, 1).expect("valid date");

/// What the release does to a column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Treatment {
    /// Lake pseudonyms replaced by the project's pseudonyms.
    Pseudonymised,
    /// An identifier replaced by a per-project token (joins the project's own tables only).
    Tokenised,
    /// A date or timestamp coarsened as the project record says.
    Coarsened,
    /// Derived by the hub from the identity number before it was dropped (age, sex).
    Derived,
    /// As delivered.
    Unchanged,
}

impl Treatment {
    /// Swedish description.
    pub fn label_sv(self, c: DateCoarsening) -> String {
        match self {
            Treatment::Pseudonymised => "pseudonymiserad med projektets egen nyckel".into(),
            Treatment::Tokenised => {
                "ersatt med projektets egen kod (kopplingsbar mellan projektets tabeller)".into()
            }
            Treatment::Coarsened => {
                format!("avrundad till {} (periodens första dag)", c.label_sv())
            }
            Treatment::Derived => "härledd ur personnumret före pseudonymiseringen".into(),
            Treatment::Unchanged => "oförändrad".into(),
        }
    }

    /// English description.
    pub fn label_en(self, c: DateCoarsening) -> String {
        match self {
            Treatment::Pseudonymised => "pseudonymised with the project's own key".into(),
            Treatment::Tokenised => {
                "replaced by the project's own code (joins the project's tables)".into()
            }
            Treatment::Coarsened => format!("coarsened to the {} (its first day)", c.label_en()),
            Treatment::Derived => "derived from the identity number before pseudonymisation".into(),
            Treatment::Unchanged => "unchanged".into(),
        }
    }
}

/// One column of a released table.
#[derive(Debug, Clone)]
pub struct OutColumn {
    /// The approved variable (specification name: `patient_id`).
    pub variable: String,
    /// The column in the lake and in the release (`patient_pseudonym`).
    pub name: String,
    /// The released type.
    pub data_type: DataType,
    /// What is done to it.
    pub treatment: Treatment,
    /// The specification's type, if a variable of the specification.
    pub var_type: Option<VarType>,
}

/// The columns of a released table, in the lake's order, for the approved `variables`.
pub fn plan_columns(table: &TableSpec, variables: &[String]) -> Vec<OutColumn> {
    let lake = vardhub_ingest::columns::lake_schema(table);
    let approved: HashSet<&str> = variables.iter().map(String::as_str).collect();
    let mut out = Vec::new();
    for field in lake.fields() {
        let name = field.name().as_str();
        let spec_var = table.variables.iter().find(|v| {
            v.name == name || pseudonym_column(&v.name) == name && v.var_type == VarType::PersonalId
        });
        let variable = spec_var.map_or(name, |v| v.name.as_str());
        if !approved.contains(variable) {
            continue;
        }
        let var_type = spec_var.map(|v| v.var_type);
        let (treatment, data_type) = match var_type {
            Some(VarType::PersonalId) => (Treatment::Pseudonymised, DataType::Utf8),
            Some(VarType::Date) => (Treatment::Coarsened, DataType::Date32),
            Some(VarType::Datetime) => (
                Treatment::Coarsened,
                DataType::Timestamp(TimeUnit::Millisecond, None),
            ),
            Some(_) if is_token_variable(table, variable) => (Treatment::Tokenised, DataType::Utf8),
            None if name == AGE_COLUMN || name == DERIVED_SEX_COLUMN => {
                (Treatment::Derived, field.data_type().clone())
            }
            _ => (Treatment::Unchanged, field.data_type().clone()),
        };
        out.push(OutColumn {
            variable: variable.to_owned(),
            name: name.to_owned(),
            data_type,
            treatment,
            var_type,
        });
    }
    out
}

/// The Arrow schema of a released table.
pub fn out_schema(columns: &[OutColumn]) -> SchemaRef {
    Arc::new(Schema::new(
        columns
            .iter()
            .map(|c| Field::new(&c.name, c.data_type.clone(), true))
            .collect::<Vec<_>>(),
    ))
}

/// The keys of a release's transformations.
pub struct Keys<'a> {
    /// The project's pseudonyms.
    pub pseudonyms: &'a ReleasePseudonymiser,
    /// The project's tokens.
    pub tokens: &'a ReleasePseudonymiser,
    /// The project's date coarsening.
    pub coarsening: DateCoarsening,
}

/// Where the rows of a batch come from: a token is keyed on collection, field and region (an
/// identifier is unique only within its region's delivery).
pub struct Origin<'a> {
    /// Collection id.
    pub collection: &'a str,
    /// The delivery's region (`00` for national).
    pub region: &'a str,
}

/// `batch` (already filtered) as the released table's columns.
pub fn transform(
    batch: &RecordBatch,
    columns: &[OutColumn],
    schema: &SchemaRef,
    keys: &Keys<'_>,
    origin: &Origin<'_>,
) -> Result<RecordBatch, ArrowError> {
    let mut arrays: Vec<ArrayRef> = Vec::with_capacity(columns.len());
    for c in columns {
        let Some(raw) = batch.column_by_name(&c.name) else {
            // A column a file of an older specification version lacks reads as null.
            arrays.push(new_null_array(&c.data_type, batch.num_rows()));
            continue;
        };
        let array: ArrayRef = match c.treatment {
            Treatment::Pseudonymised => {
                let text = cast(raw, &DataType::Utf8)?;
                Arc::new(map_text(&text, |v| keys.pseudonyms.pseudonym(v)))
            }
            Treatment::Tokenised => {
                let text = cast(raw, &DataType::Utf8)?;
                let prefix = format!("{}/{}/{}/", origin.collection, c.variable, origin.region);
                Arc::new(map_text(&text, |v| {
                    keys.tokens.pseudonym(&format!("{prefix}{v}"))
                }))
            }
            Treatment::Coarsened => coarsen(raw, &c.data_type, keys.coarsening)?,
            Treatment::Derived | Treatment::Unchanged => cast(raw, &c.data_type)?,
        };
        arrays.push(array);
    }
    RecordBatch::try_new(Arc::clone(schema), arrays)
}

fn map_text(column: &ArrayRef, f: impl Fn(&str) -> String) -> StringArray {
    column
        .as_string::<i32>()
        .iter()
        .map(|v| v.map(&f))
        .collect()
}

/// A date or timestamp column coarsened (timestamps as milliseconds, at 00:00 of the first day).
fn coarsen(raw: &ArrayRef, to: &DataType, c: DateCoarsening) -> Result<ArrayRef, ArrowError> {
    let typed = cast(raw, to)?;
    Ok(match to {
        DataType::Date32 => {
            let days = typed.as_primitive::<datafusion::arrow::datatypes::Date32Type>();
            let out: Date32Array = days
                .iter()
                .map(|d| {
                    d.and_then(|d| EPOCH.checked_add_signed(chrono::Duration::days(i64::from(d))))
                        .map(|date| (c.apply(date) - EPOCH).num_days() as i32)
                })
                .collect();
            Arc::new(out)
        }
        _ => {
            let ms = typed.as_primitive::<datafusion::arrow::datatypes::TimestampMillisecondType>();
            let out: TimestampMillisecondArray = ms
                .iter()
                .map(|t| {
                    t.and_then(chrono::DateTime::from_timestamp_millis)
                        .map(|t| {
                            let day = c.apply(t.naive_utc().date());
                            NaiveDateTime::from(day).and_utc().timestamp_millis()
                        })
                })
                .collect();
            Arc::new(out)
        }
    })
}

/// Row filters of the approved population that need the rows themselves.
#[derive(Debug, Default)]
pub struct RowFilter {
    /// Keep rows whose `alder` is inside the range (a row without an age is left out).
    pub age: Option<AgeRange>,
    /// Keep rows whose `field` is among the kept keys of the parent table (child rows of a table
    /// filtered by age).
    pub parent: Option<(String, HashSet<String>)>,
    /// Keep rows whose municipality `field` lies in one of the regions (national collections).
    pub residence: Option<(String, BTreeSet<RegionCode>)>,
}

impl RowFilter {
    /// Whether the filter keeps every row.
    pub fn is_empty(&self) -> bool {
        self.age.is_none() && self.parent.is_none() && self.residence.is_none()
    }

    /// The rows of `batch` to keep.
    pub fn mask(&self, batch: &RecordBatch) -> Result<BooleanArray, ArrowError> {
        let n = batch.num_rows();
        let mut keep = vec![true; n];
        let column = |name: &str| {
            batch.column_by_name(name).cloned().ok_or_else(|| {
                ArrowError::SchemaError(format!("the lake file has no column {name}"))
            })
        };
        if let Some(range) = self.age {
            let ages = cast(&column(AGE_COLUMN)?, &DataType::Int64)?;
            let ages = ages.as_primitive::<datafusion::arrow::datatypes::Int64Type>();
            for (k, a) in keep.iter_mut().zip(ages.iter()) {
                *k &= a.is_some_and(|a| range.contains(a));
            }
        }
        if let Some((field, keys)) = &self.parent {
            let values = cast(&column(field)?, &DataType::Utf8)?;
            for (k, v) in keep.iter_mut().zip(values.as_string::<i32>().iter()) {
                *k &= v.is_some_and(|v| keys.contains(v));
            }
        }
        if let Some((field, regions)) = &self.residence {
            let values = cast(&column(field)?, &DataType::Utf8)?;
            for (k, v) in keep.iter_mut().zip(values.as_string::<i32>().iter()) {
                *k &= v
                    .and_then(|v| KommunCode::parse(v).ok())
                    .and_then(|kommun| kommun.region())
                    .is_some_and(|r| regions.contains(&r));
            }
        }
        Ok(BooleanArray::from(keep))
    }
}

/// The values of `field` in the rows of `batch` whose age is inside `range` (the parent keys
/// that child rows are kept for).
pub fn kept_keys(
    batch: &RecordBatch,
    field: &str,
    range: AgeRange,
    into: &mut HashSet<String>,
) -> Result<(), ArrowError> {
    let filter = RowFilter {
        age: Some(range),
        ..RowFilter::default()
    };
    let mask = filter.mask(batch)?;
    let values = batch
        .column_by_name(field)
        .cloned()
        .ok_or_else(|| ArrowError::SchemaError(format!("the lake file has no column {field}")))?;
    let values = cast(&values, &DataType::Utf8)?;
    let values: &StringArray = values.as_string::<i32>();
    for i in 0..values.len() {
        if mask.value(i) && values.is_valid(i) {
            into.insert(values.value(i).to_owned());
        }
    }
    Ok(())
}
