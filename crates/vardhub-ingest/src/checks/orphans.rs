//! Child rows that point at no parent row of the same delivery (a diagnosis or procedure whose
//! contact is not among the delivered contacts): an error per row, naming file, row, field and
//! rule; the rows are removed from the staged table. A child whose parent row was delivered but
//! left out for its own errors is left out too, as a consequence: one warning per table with the
//! count (the parent's error is the finding), not an error of the child table.
//! Memory: one 128-bit hash per parent key.

use super::{line_at, scan_columns, text_at};
use crate::dedup::key_hash;
use crate::report::{Issue, IssueSink, Severity, TableStats};
use std::collections::{HashMap, HashSet};
use vardhub_domain::spec::CollectionSpec;
use vardhub_store::StagedDelivery;

/// Check every reference of every staged table of `spec`; update `stats` for removed rows.
/// `left_out` holds, per parent table, the hashed keys of its rows left out for their own errors.
pub fn check(
    spec: &CollectionSpec,
    staged: &mut StagedDelivery,
    stats: &mut [TableStats],
    left_out: &HashMap<String, HashSet<u128>>,
    issues: &mut IssueSink,
) -> std::io::Result<()> {
    let none = HashSet::new();
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
            // A parent file refused or cut short has made the delivery fatal already; its
            // children are not orphans of their own making.
            let parent_file = stats.iter().find(|s| s.table == r.table).map(|s| &s.file);
            if parent_file.is_some_and(|f| issues.has_fatal_in(f)) {
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
            let parent_left_out = left_out.get(&r.table).unwrap_or(&none);
            let mut orphans = HashSet::new();
            let mut consequences = 0u64;
            scan_columns(
                &child,
                &[r.field.as_str(), crate::columns::SOURCE_ROW_COLUMN],
                |cols| {
                    for row in 0..cols[0].len() {
                        let hash = text_at(&cols[0], row).map(|v| key_hash([v.as_bytes()]));
                        let found = hash.is_none_or(|h| keys.contains(&h));
                        if !found && hash.is_some_and(|h| parent_left_out.contains(&h)) {
                            orphans.insert(line_at(&cols[1], row));
                            consequences += 1;
                        } else if !found {
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
            if consequences > 0 {
                issues.push(
                    Issue::new(
                        Severity::Warning,
                        "parent_left_out",
                        format!(
                            "{consequences} rader lämnas utanför eftersom deras rad i tabellen {} har fel ({})",
                            r.table, r.field
                        ),
                        format!(
                            "{consequences} rows are left out because their row in table {} has errors ({})",
                            r.table, r.field
                        ),
                    )
                    .in_file(&st.file)
                    .field(&r.field),
                );
            }
            if !orphans.is_empty() {
                let written = crate::ingest::remove_rows(staged, &table.name, &orphans)?;
                st.rows_with_errors += orphans.len() as u64 - consequences;
                st.rows_valid = written.rows;
                staged.add(written);
            }
        }
    }
    Ok(())
}
