//! The lake's columns for a table: derived from its specification, with identity numbers replaced
//! by pseudonyms, derived age and sex, and provenance (`region`, `period`, `kalla_rad`).

use chrono::{NaiveDate, NaiveDateTime};
use datafusion::arrow::array::{
    ArrayRef, BooleanBuilder, Date32Builder, Float64Builder, Int32Builder, Int64Builder,
    StringBuilder, TimestampMillisecondBuilder,
};
use datafusion::arrow::datatypes::{DataType, Field, Schema, SchemaRef, TimeUnit};
use datafusion::arrow::error::ArrowError;
use datafusion::arrow::record_batch::RecordBatch;
use std::sync::Arc;
use vardhub_domain::spec::{TableSpec, VarType};

/// A parsed, valid value of one variable.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// Empty.
    Null,
    /// Text or normalised code.
    Text(String),
    /// Whole number.
    Int(i64),
    /// Decimal number.
    Float(f64),
    /// Date.
    Date(NaiveDate),
    /// Date and time.
    DateTime(NaiveDateTime),
    /// Yes/no.
    Bool(bool),
}

/// Name of the lake column holding the pseudonym of a `personal_id` variable:
/// `patient_id` → `patient_pseudonym`.
pub fn pseudonym_column(var: &str) -> String {
    match var.strip_suffix("_id") {
        Some(stem) => format!("{stem}_pseudonym"),
        None => format!("{var}_pseudonym"),
    }
}

/// Column holding the age derived from an identity number.
pub const AGE_COLUMN: &str = "alder";
/// Column holding the sex derived from an identity number (ISO 5218 code).
pub const DERIVED_SEX_COLUMN: &str = "kon_enligt_id";
/// Provenance: the delivery's region.
pub const REGION_COLUMN: &str = "region";
/// Provenance: the delivery's period.
pub const PERIOD_COLUMN: &str = "period";
/// Provenance: the line in the delivered file.
pub const SOURCE_ROW_COLUMN: &str = "kalla_rad";

/// The Arrow schema of a table in the lake.
pub fn lake_schema(table: &TableSpec) -> SchemaRef {
    let mut fields = Vec::new();
    for v in &table.variables {
        let (name, dt) = match v.var_type {
            VarType::PersonalId => (pseudonym_column(&v.name), DataType::Utf8),
            VarType::String | VarType::Code => (v.name.clone(), DataType::Utf8),
            VarType::Integer => (v.name.clone(), DataType::Int64),
            VarType::Decimal => (v.name.clone(), DataType::Float64),
            VarType::Date => (v.name.clone(), DataType::Date32),
            VarType::Datetime => (
                v.name.clone(),
                DataType::Timestamp(TimeUnit::Millisecond, None),
            ),
            VarType::Boolean => (v.name.clone(), DataType::Boolean),
        };
        fields.push(Field::new(name, dt, !v.mandatory));
    }
    for d in &table.derive {
        if d.age_at.is_some() {
            fields.push(Field::new(AGE_COLUMN, DataType::Int32, true));
        }
        fields.push(Field::new(DERIVED_SEX_COLUMN, DataType::Utf8, true));
    }
    fields.push(Field::new(REGION_COLUMN, DataType::Utf8, false));
    fields.push(Field::new(PERIOD_COLUMN, DataType::Utf8, false));
    fields.push(Field::new(SOURCE_ROW_COLUMN, DataType::Int64, false));
    Arc::new(Schema::new(fields))
}

enum Builder {
    Utf8(StringBuilder),
    I64(Int64Builder),
    I32(Int32Builder),
    F64(Float64Builder),
    Date(Date32Builder),
    Ts(TimestampMillisecondBuilder),
    Bool(BooleanBuilder),
}

/// Accumulates valid rows into Arrow arrays, one batch at a time.
pub struct BatchBuilder {
    schema: SchemaRef,
    builders: Vec<Builder>,
    rows: usize,
}

const EPOCH: NaiveDate = NaiveDate::from_ymd_opt(1970, 1, 1).expect("valid date");

impl BatchBuilder {
    /// Builders for `schema` (from [`lake_schema`]).
    pub fn new(schema: SchemaRef) -> BatchBuilder {
        let builders = schema
            .fields()
            .iter()
            .map(|f| match f.data_type() {
                DataType::Int64 => Builder::I64(Int64Builder::new()),
                DataType::Int32 => Builder::I32(Int32Builder::new()),
                DataType::Float64 => Builder::F64(Float64Builder::new()),
                DataType::Date32 => Builder::Date(Date32Builder::new()),
                DataType::Timestamp(_, _) => Builder::Ts(TimestampMillisecondBuilder::new()),
                DataType::Boolean => Builder::Bool(BooleanBuilder::new()),
                _ => Builder::Utf8(StringBuilder::new()),
            })
            .collect();
        BatchBuilder {
            schema,
            builders,
            rows: 0,
        }
    }

    /// Rows appended since the last [`BatchBuilder::finish`].
    pub fn len(&self) -> usize {
        self.rows
    }

    /// No rows pending.
    pub fn is_empty(&self) -> bool {
        self.rows == 0
    }

    /// Append one row; `cells` has one value per schema column, in order.
    pub fn append(&mut self, cells: &[Cell]) {
        debug_assert_eq!(cells.len(), self.builders.len());
        for (b, c) in self.builders.iter_mut().zip(cells) {
            match (b, c) {
                (Builder::Utf8(b), Cell::Text(s)) => b.append_value(s),
                (Builder::I64(b), Cell::Int(v)) => b.append_value(*v),
                (Builder::I32(b), Cell::Int(v)) => {
                    b.append_value(i32::try_from(*v).unwrap_or(i32::MAX))
                }
                (Builder::F64(b), Cell::Float(v)) => b.append_value(*v),
                (Builder::Date(b), Cell::Date(d)) => {
                    b.append_value(i32::try_from((*d - EPOCH).num_days()).unwrap_or(i32::MAX))
                }
                (Builder::Ts(b), Cell::DateTime(t)) => {
                    b.append_value(t.and_utc().timestamp_millis())
                }
                (Builder::Bool(b), Cell::Bool(v)) => b.append_value(*v),
                (Builder::Utf8(b), _) => b.append_null(),
                (Builder::I64(b), _) => b.append_null(),
                (Builder::I32(b), _) => b.append_null(),
                (Builder::F64(b), _) => b.append_null(),
                (Builder::Date(b), _) => b.append_null(),
                (Builder::Ts(b), _) => b.append_null(),
                (Builder::Bool(b), _) => b.append_null(),
            }
        }
        self.rows += 1;
    }

    /// Take the pending rows as a record batch.
    pub fn finish(&mut self) -> Result<RecordBatch, ArrowError> {
        let arrays: Vec<ArrayRef> = self
            .builders
            .iter_mut()
            .map(|b| -> ArrayRef {
                match b {
                    Builder::Utf8(b) => Arc::new(b.finish()),
                    Builder::I64(b) => Arc::new(b.finish()),
                    Builder::I32(b) => Arc::new(b.finish()),
                    Builder::F64(b) => Arc::new(b.finish()),
                    Builder::Date(b) => Arc::new(b.finish()),
                    Builder::Ts(b) => Arc::new(b.finish()),
                    Builder::Bool(b) => Arc::new(b.finish()),
                }
            })
            .collect();
        self.rows = 0;
        RecordBatch::try_new(self.schema.clone(), arrays)
    }
}
