//! One person holding an implausible share of a table's rows (a whole month of contacts for a
//! single patient: a default or test identity, a mapping error): a warning naming the table and
//! the count, never the person. Memory is bounded by the share, not the table: the heavy hitters
//! are found with the Misra–Gries summary (⌈1/share⌉ counters), then counted exactly.

use super::{scan_columns, text_at};
use crate::columns::pseudonym_column;
use crate::report::{Issue, IssueSink, Severity, TableStats};
use std::collections::HashMap;
use std::path::Path;
use vardhub_domain::spec::{CollectionSpec, VarType};

/// Flag persons above the specification's `max_person_share` and `max_person_rows` in every
/// staged table whose identity is not its key (in the population register each person has one row
/// by definition).
pub fn check(
    spec: &CollectionSpec,
    staged_dir: &Path,
    stats: &[TableStats],
    issues: &mut IssueSink,
) -> std::io::Result<()> {
    let a = &spec.acceptance;
    for table in &spec.tables {
        let Some(st) = stats.iter().find(|s| s.table == table.name) else {
            continue;
        };
        let n = st.rows_valid;
        if n == 0 || n <= a.max_person_rows {
            continue;
        }
        let path = staged_dir.join(format!("{}.parquet", table.name));
        if !path.exists() {
            continue;
        }
        for var in &table.variables {
            if var.var_type != VarType::PersonalId || table.key.contains(&var.name) {
                continue;
            }
            let column = pseudonym_column(&var.name);
            let limit = (a.max_person_share * n as f64).max(a.max_person_rows as f64);
            for count in heavy_hitters(&path, &column, a.max_person_share)? {
                if count as f64 > limit {
                    issues.push(
                        Issue::new(
                            Severity::Warning,
                            "person_concentration",
                            format!(
                                "en och samma person har {count} av {n} rader i tabellen {} ({:.1} %, gräns {:.1} % och {} rader); kontrollera att identiteterna är rätt (personen anges inte)",
                                table.name,
                                100.0 * count as f64 / n as f64,
                                100.0 * a.max_person_share,
                                a.max_person_rows
                            ),
                            format!(
                                "one person has {count} of {n} rows in table {} ({:.1} %, limit {:.1} % and {} rows); check that the identities are right (the person is not named)",
                                table.name,
                                100.0 * count as f64 / n as f64,
                                100.0 * a.max_person_share,
                                a.max_person_rows
                            ),
                        )
                        .in_file(&st.file)
                        .field(&var.name),
                    );
                }
            }
        }
    }
    Ok(())
}

/// Exact row counts of every value holding more than `share` of the column's non-null values
/// (and possibly some below it): two passes, at most ⌈1/share⌉ + 1 counters.
fn heavy_hitters(path: &Path, column: &str, share: f64) -> std::io::Result<Vec<u64>> {
    let k = ((1.0 / share.max(1e-6)).ceil() as usize).clamp(1, 10_000) + 1;
    let mut counters: HashMap<String, u64> = HashMap::with_capacity(k + 1);
    scan_columns(path, &[column], |cols| {
        for row in 0..cols[0].len() {
            let Some(v) = text_at(&cols[0], row) else {
                continue;
            };
            if let Some(c) = counters.get_mut(v) {
                *c += 1;
            } else if counters.len() < k {
                counters.insert(v.to_owned(), 1);
            } else {
                counters.retain(|_, c| {
                    *c -= 1;
                    *c > 0
                });
            }
        }
        Ok(())
    })?;
    let mut exact: HashMap<String, u64> = counters.into_keys().map(|k| (k, 0)).collect();
    scan_columns(path, &[column], |cols| {
        for row in 0..cols[0].len() {
            if let Some(c) = text_at(&cols[0], row).and_then(|v| exact.get_mut(v)) {
                *c += 1;
            }
        }
        Ok(())
    })?;
    Ok(exact.into_values().collect())
}

#[cfg(test)]
mod tests {
    #[test]
    fn misra_gries_keeps_every_value_above_the_share() {
        use datafusion::arrow::array::{RecordBatch, StringArray};
        use datafusion::arrow::datatypes::{DataType, Field, Schema};
        use std::sync::Arc;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.parquet");
        // 1000 rows: "a" 60 times (6 %), the rest all different, "a" spread out at the end.
        let mut values: Vec<String> = (0..940).map(|i| format!("p{i}")).collect();
        values.extend((0..60).map(|_| "a".to_owned()));
        let schema = Arc::new(Schema::new(vec![Field::new("x", DataType::Utf8, true)]));
        let batch = RecordBatch::try_new(
            schema.clone(),
            vec![Arc::new(StringArray::from(values)) as _],
        )
        .unwrap();
        let mut w = datafusion::parquet::arrow::ArrowWriter::try_new(
            std::fs::File::create(&path).unwrap(),
            schema,
            None,
        )
        .unwrap();
        w.write(&batch).unwrap();
        w.close().unwrap();
        let counts = super::heavy_hitters(&path, "x", 0.05).unwrap();
        assert!(counts.contains(&60), "{counts:?}");
    }
}
