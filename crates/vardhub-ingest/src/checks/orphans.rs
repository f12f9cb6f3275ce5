//! Child rows that point at no parent row of the same delivery (a diagnosis or procedure whose
//! contact is not among the delivered contacts): an error per row, naming file, row, field and
//! rule; the rows are removed from the staged table. Memory: one 128-bit hash per parent key.

use super::{line_at, scan_columns, text_at};
use crate::dedup::key_hash;
use crate::report::{Issue, IssueSink, Severity, TableStats};
use std::collections::HashSet;
use vardhub_domain::spec::CollectionSpec;
use vardhub_store::StagedDelivery;

/// Check every reference of every staged table of `spec`; update `stats` for removed rows.
pub fn check(
    spec: &CollectionSpec,
    staged: &mut StagedDelivery,
    stats: &mut [TableStats],
    issues: &mut IssueSink,
) -> std::io::Result<()> {
    for table in &spec.tables {
        for r in &table.references {
            let parent = staged.dir().join(format!("{}.parquet", r.table));
            let child = staged.dir().join(format!("{}.parquet", table.name));
            let staged_names: Vec<&str> = staged.files().map(|f| f.table.as_str()).collect();
            // A table that could not be read has already made the delivery fatal.
            if !staged_names.contains(&r.table.as_str())
                || !staged_names.contains(&table.name.as_str())
            {
                continue;
            }
            let mut keys = HashSet::new();
            scan_columns(&parent, &[r.field.as_str()], |cols| {
                for row in 0..cols[0].len() {
                    if let Some(v) = text_at(&cols[0], row) {
                        keys.insert(key_hash([v.as_bytes()]));
                    }
                }
                Ok(())
            })?;
            let Some(st) = stats.iter_mut().find(|s| s.table == table.name) else {
                continue;
            };
            let mut orphans = HashSet::new();
            scan_columns(
                &child,
                &[r.field.as_str(), crate::columns::SOURCE_ROW_COLUMN],
                |cols| {
                    for row in 0..cols[0].len() {
                        let found = text_at(&cols[0], row)
                            .is_none_or(|v| keys.contains(&key_hash([v.as_bytes()])));
                        if !found {
                            let line = line_at(&cols[1], row);
                            orphans.insert(line);
                            issues.push(
                                Issue::new(
                                    Severity::Error,
                                    "orphan_reference",
                                    format!(
                                        "{} finns inte i tabellen {} i samma leverans; raden lämnas utanför",
                                        r.field, r.table
                                    ),
                                    format!(
                                        "{} does not occur in table {} of the same delivery; the row is left out",
                                        r.field, r.table
                                    ),
                                )
                                .in_file(&st.file)
                                .at_row(line)
                                .field(&r.field),
                            );
                        }
                    }
                    Ok(())
                },
            )?;
            if !orphans.is_empty() {
                let written = crate::ingest::remove_rows(staged, &table.name, &orphans)?;
                st.rows_with_errors += orphans.len() as u64;
                st.rows_valid = written.rows;
                staged.add(written);
            }
        }
    }
    Ok(())
}
