//! The error share, per table, on what was expected: rows with errors over the larger of the rows
//! read and the rows the manifest declares. A table of garbage cannot hide behind good tables,
//! and a file that yields fewer rows than declared cannot lower its own share.

use crate::report::{Issue, IssueSink, Severity, TableStats};
use vardhub_domain::manifest::ManifestFile;

/// Fatal for every table whose error share exceeds `limit`.
pub fn check(tables: &[TableStats], files: &[ManifestFile], limit: f64, issues: &mut IssueSink) {
    for t in tables {
        let declared = files
            .iter()
            .find(|f| f.table == t.table)
            .map_or(0, |f| f.rows);
        let expected = t.rows_read.max(declared);
        // Rows expected but not read (a file cut short) count as bad rows too.
        let bad = t.rows_with_errors + declared.saturating_sub(t.rows_read);
        if expected == 0 {
            continue;
        }
        let share = bad as f64 / expected as f64;
        if share > limit {
            issues.push(
                Issue::new(
                    Severity::Fatal,
                    "error_threshold",
                    format!(
                        "tabellen {}: {bad} av {expected} förväntade rader har fel eller saknas ({:.2} %), över gränsen {:.2} % i specifikationen",
                        t.table,
                        100.0 * share,
                        100.0 * limit
                    ),
                    format!(
                        "table {}: {bad} of {expected} expected rows have errors or are missing ({:.2} %), above the specification's limit of {:.2} %",
                        t.table,
                        100.0 * share,
                        100.0 * limit
                    ),
                )
                .in_file(&t.file),
            );
        }
    }
}
