//! Contacts after death: a row whose date (the spec's `not_after_death`, e.g. the admission) is
//! after its person's death in the population register is flagged (a warning with file, row and
//! field). The register is the current `befolkning` snapshot in the lake; only the extracts up to
//! the delivery's period can hold a death before one of its dates. Memory: the pseudonyms of this
//! delivery (128 bits each) and the deaths among them.

use super::{line_at, scan_columns, text_at};
use crate::columns::{SOURCE_ROW_COLUMN, pseudonym_column};
use crate::report::{Issue, IssueSink, Severity, TableStats};
use chrono::NaiveDate;
use datafusion::arrow::array::{Array, ArrayRef, AsArray};
use datafusion::arrow::datatypes::{
    DataType, Date32Type, TimeUnit, TimestampMillisecondType, TimestampSecondType,
};
use std::collections::{HashMap, HashSet};
use std::path::Path;
use vardhub_domain::Period;
use vardhub_domain::spec::{CollectionSpec, VarType};
use vardhub_store::{Hub, StoreError};

/// The population register: collection, table and columns.
const REGISTER: &str = "befolkning";
const PERSONS: &str = "personer";
const PERSON_PSEUDONYM: &str = "person_pseudonym";
const DEATH: &str = "avlidendatum";

/// Check the staged tables of a delivery of `spec` for `period` against the register.
pub async fn check(
    hub: &Hub,
    spec: &CollectionSpec,
    period: Period,
    staged_dir: &Path,
    stats: &[TableStats],
    issues: &mut IssueSink,
) -> Result<(), StoreError> {
    let tables: Vec<_> = spec
        .tables
        .iter()
        .filter_map(|t| t.not_after_death.as_ref().map(|f| (t, f)))
        .collect();
    if tables.is_empty() || spec.id == REGISTER {
        return Ok(());
    }
    let snapshot = hub.snapshot(Some(REGISTER), None).await?;
    let register: Vec<_> = snapshot
        .deliveries
        .iter()
        .filter(|d| Period::parse(&d.period).is_ok_and(|p| p <= period))
        .flat_map(|d| d.files.iter().filter(|f| f.table == PERSONS))
        .map(|f| f.path.clone())
        .collect();
    if register.is_empty() {
        return Ok(());
    }
    let io = |e: std::io::Error| StoreError::Internal(format!("contacts-after-death check: {e}"));
    tokio::task::block_in_place(|| {
        for (table, field) in tables {
            let Some(st) = stats.iter().find(|s| s.table == table.name) else {
                continue;
            };
            let Some(id_var) = table
                .variables
                .iter()
                .find(|v| v.var_type == VarType::PersonalId)
            else {
                continue;
            };
            let path = staged_dir.join(format!("{}.parquet", table.name));
            if st.rows_valid == 0 || !path.exists() {
                continue;
            }
            let pcol = pseudonym_column(&id_var.name);
            let mut persons = HashSet::new();
            scan_columns(&path, &[pcol.as_str()], |cols| {
                for row in 0..cols[0].len() {
                    if let Some(p) = text_at(&cols[0], row).and_then(pseudonym_bits) {
                        persons.insert(p);
                    }
                }
                Ok(())
            })
            .map_err(io)?;
            let mut deaths: HashMap<u128, NaiveDate> = HashMap::new();
            for file in &register {
                scan_columns(file, &[PERSON_PSEUDONYM, DEATH], |cols| {
                    for row in 0..cols[0].len() {
                        let Some(d) = date_at(&cols[1], row) else {
                            continue;
                        };
                        if let Some(p) = text_at(&cols[0], row).and_then(pseudonym_bits)
                            && persons.contains(&p)
                        {
                            let e = deaths.entry(p).or_insert(d);
                            *e = (*e).min(d);
                        }
                    }
                    Ok(())
                })
                .map_err(io)?;
            }
            if deaths.is_empty() {
                continue;
            }
            scan_columns(
                &path,
                &[pcol.as_str(), field.as_str(), SOURCE_ROW_COLUMN],
                |cols| {
                    for row in 0..cols[0].len() {
                        let died = text_at(&cols[0], row)
                            .and_then(pseudonym_bits)
                            .and_then(|p| deaths.get(&p));
                        if let (Some(died), Some(date)) = (died, date_at(&cols[1], row))
                            && date > *died
                        {
                            issues.push(
                                Issue::new(
                                    Severity::Warning,
                                    "after_death",
                                    "datumet ligger efter patientens dödsdatum i befolkningsregistret (datumet visas inte)",
                                    "the date is after the patient's date of death in the population register (the date is not shown)",
                                )
                                .in_file(&st.file)
                                .at_row(line_at(&cols[2], row))
                                .field(field),
                            );
                        }
                    }
                    Ok(())
                },
            )
            .map_err(io)?;
        }
        Ok(())
    })
}

/// A 32-hex-digit pseudonym as 128 bits.
fn pseudonym_bits(p: &str) -> Option<u128> {
    u128::from_str_radix(p, 16).ok()
}

/// The date at `row` of a Date32 or Timestamp column (milliseconds in the lake since issue 17;
/// seconds in files written before).
fn date_at(a: &ArrayRef, row: usize) -> Option<NaiveDate> {
    if a.is_null(row) {
        return None;
    }
    match a.data_type() {
        DataType::Date32 => a.as_primitive::<Date32Type>().value_as_date(row),
        DataType::Timestamp(TimeUnit::Millisecond, _) => a
            .as_primitive::<TimestampMillisecondType>()
            .value_as_datetime(row)
            .map(|t| t.date()),
        DataType::Timestamp(TimeUnit::Second, _) => a
            .as_primitive::<TimestampSecondType>()
            .value_as_datetime(row)
            .map(|t| t.date()),
        _ => None,
    }
}
