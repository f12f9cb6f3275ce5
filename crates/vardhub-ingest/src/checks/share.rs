//! The error share, per table, on what was expected: rows with errors over the larger of the rows
//! read and the rows the manifest declares. A table of garbage cannot hide behind good tables,
//! and a file that yields fewer rows than declared cannot lower its own share.

use crate::report::{Issue, IssueSink, Severity, TableStats};
use vardhub_domain::manifest::ManifestFile;

/// Fatal for every table whose error share exceeds `limit`. A table whose file was already
/// refused as a whole (a fatal finding naming the file: wrong encoding, record too long…) is
/// skipped: its real cause is reported, and a second finding would only bury it.
pub fn check(tables: &[TableStats], files: &[ManifestFile], limit: f64, issues: &mut IssueSink) {
    for t in tables {
        if issues.has_fatal_in(&t.file) {
            continue;
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn table(name: &str, read: u64, errors: u64) -> TableStats {
        TableStats {
            table: name.into(),
            file: format!("{name}.csv"),
            rows_read: read,
            rows_valid: read - errors,
            rows_with_errors: errors,
            bytes: 0,
        }
    }

    fn declared(name: &str, rows: u64) -> ManifestFile {
        ManifestFile {
            table: name.into(),
            path: format!("{name}.csv"),
            rows,
            sha256: String::new(),
        }
    }

    #[test]
    fn a_bad_table_is_not_hidden_by_good_ones() {
        // 1 000 good contacts, 10 diagnoses of which 5 are bad: 0.5 % over the delivery, 50 %
        // in its table.
        let tables = [table("kontakter", 1000, 0), table("diagnoser", 10, 5)];
        let files = [declared("kontakter", 1000), declared("diagnoser", 10)];
        let mut sink = IssueSink::default();
        check(&tables, &files, 0.01, &mut sink);
        let (issues, _, _) = sink.into_parts();
        assert_eq!(issues.len(), 1);
        assert_eq!(issues[0].file.as_deref(), Some("diagnoser.csv"));
    }

    #[test]
    fn rows_declared_but_not_read_count_as_bad() {
        let tables = [table("kontakter", 2, 0)];
        let files = [declared("kontakter", 1809)];
        let mut sink = IssueSink::default();
        check(&tables, &files, 0.01, &mut sink);
        assert!(sink.has_fatal());
    }

    #[test]
    fn a_file_refused_as_a_whole_gets_no_second_finding() {
        let tables = [table("kontakter", 0, 0)];
        let files = [declared("kontakter", 3)];
        let mut sink = IssueSink::default();
        sink.push(
            Issue::new(Severity::Fatal, "file_encoding", "sv", "en").in_file("kontakter.csv"),
        );
        check(&tables, &files, 0.01, &mut sink);
        assert_eq!(sink.totals().0, 1);
    }
}
