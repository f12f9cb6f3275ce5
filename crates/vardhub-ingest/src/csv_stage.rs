//! Reading one delivered CSV file into the staging folder: recognise what the file really is
//! ([`crate::sniff`]: UTF-16/32, another separator), normalise line endings and bound record
//! sizes ([`crate::lines`]), decode each field (UTF-8 or Windows-1252), refuse values with
//! control characters, and hand the rows to the [`TableValidator`]. Whatever is wrong with the
//! file becomes an issue naming file, row, field and rule; only the hub's own I/O errors are
//! `Err`.

use crate::bounds::{self, csv_file_bound};
use crate::ingest::{TableOutcome, check_file_claims, finish_table};
use crate::lines::{LineReader, record_too_long};
use crate::report::{Issue, IssueSink, Severity};
use crate::sniff;
use crate::source::{DeliverySource, HashingReader, Progress};
use crate::table::{HeaderRejected, TableContext, TableValidator};
use crate::values::{describe_character, forbidden_character};
use std::borrow::Cow;
use std::io::{BufRead, BufReader};
use std::path::Path;
use vardhub_domain::manifest::{Encoding, ManifestFile};
use vardhub_store::{StagedDelivery, TableWriter};

/// What reading the file's rows came to.
enum FileRead {
    /// All rows read (the writer, duplicates and counts for [`finish_table`]).
    Rows(Box<RowsRead>),
    /// The file was refused as a whole (an issue says why); its row count is not checked.
    Refused,
}

struct RowsRead {
    writer: TableWriter,
    dups: Vec<crate::dedup::Duplicate>,
    rows_read: u64,
    rows_with_errors: u64,
    left_out_keys: std::collections::HashSet<u128>,
    residence: crate::table::ResidenceCount,
}

/// Stage one CSV file. `Ok(None)` when the file could not be staged (an issue says why).
#[allow(clippy::too_many_arguments)]
pub(crate) fn stage_csv(
    source: &DeliverySource,
    mf: &ManifestFile,
    declared: Encoding,
    ctx: TableContext<'_>,
    staged: &mut StagedDelivery,
    dedup_dir: &Path,
    progress: &dyn Progress,
    issues: &mut IssueSink,
) -> std::io::Result<Option<TableOutcome>> {
    let file_name = mf.path.clone();
    let table_name = ctx.spec.name.clone();
    let bound = csv_file_bound(mf.rows);
    let read = source.with_file(
        &mf.path,
        bound,
        progress,
        |reader: &mut HashingReader<'_>| {
            let read = read_rows(
                reader,
                declared,
                ctx,
                staged,
                dedup_dir,
                &file_name,
                &table_name,
                issues,
            )?;
            let (sha, _) = reader.finish()?;
            Ok((read, sha))
        },
    );
    let (read, sha) = match read {
        Ok(r) => r,
        Err(e) => return file_error(e, mf, issues).map(|()| None),
    };
    match read {
        FileRead::Refused => {
            check_file_claims(mf, &sha, mf.rows, issues);
            Ok(None)
        }
        FileRead::Rows(r) => {
            check_file_claims(mf, &sha, r.rows_read, issues);
            let bytes = source.size(&mf.path).unwrap_or(0);
            let left_out_keys = r.left_out_keys;
            finish_table(
                staged,
                r.writer,
                &table_name,
                &file_name,
                r.dups,
                r.rows_read,
                r.rows_with_errors,
                r.residence,
                bytes,
                issues,
            )
            .map(|o| o.map(|o| o.with_left_out_keys(left_out_keys)))
        }
    }
}

/// An I/O error while reading a delivered file: the delivery's fault becomes a fatal issue
/// (`Ok`), the hub's own stays `Err`.
pub(crate) fn file_error(
    e: std::io::Error,
    mf: &ManifestFile,
    issues: &mut IssueSink,
) -> std::io::Result<()> {
    let (rule, sv, en) = if let Some(bound) = bounds::exceeded(&e) {
        (
            "file_too_large",
            format!(
                "filen packas upp till mer än {bound} byte (gränsen för {} rader och zip-filens komprimeringsgrad); läsningen avbröts",
                mf.rows
            ),
            format!(
                "the file expands to more than {bound} bytes (the bound for {} rows and the zip's compression ratio); reading stopped",
                mf.rows
            ),
        )
    } else if let Some(p) = crate::source::file_problem(&e) {
        let rule = match p {
            crate::source::FileProblem::OutsideDelivery => "path_outside",
            crate::source::FileProblem::Missing => "file_missing",
            crate::source::FileProblem::NotRegular(_) => "file_not_regular",
        };
        (rule, format!("filen kan inte läsas: {p}"), p.to_string())
    } else if matches!(
        e.kind(),
        std::io::ErrorKind::InvalidData | std::io::ErrorKind::UnexpectedEof
    ) {
        (
            "file_unreadable",
            format!("filen kan inte läsas (skadad eller avkortad): {e}"),
            format!("the file cannot be read (damaged or truncated): {e}"),
        )
    } else {
        return Err(e);
    };
    issues.push(Issue::new(Severity::Fatal, rule, sv, en).in_file(&mf.path));
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn read_rows(
    reader: &mut HashingReader<'_>,
    declared: Encoding,
    ctx: TableContext<'_>,
    staged: &mut StagedDelivery,
    dedup_dir: &Path,
    file_name: &str,
    table_name: &str,
    issues: &mut IssueSink,
) -> std::io::Result<FileRead> {
    let mut buffered = BufReader::with_capacity(1 << 16, &mut *reader);
    let refuse = |issues: &mut IssueSink,
                  rule: &'static str,
                  sv: String,
                  en: String|
     -> std::io::Result<FileRead> {
        issues.push(Issue::new(Severity::Fatal, rule, sv, en).in_file(file_name));
        Ok(FileRead::Refused)
    };
    if let Some(wide) = sniff::wide_encoding(buffered.fill_buf()?) {
        return refuse(
            issues,
            "file_encoding",
            format!("filen är {wide}; leverera UTF-8 eller Windows-1252"),
            format!("the file is {wide}; deliver UTF-8 or Windows-1252"),
        );
    }
    let mut csv = csv::ReaderBuilder::new()
        .delimiter(b';')
        .has_headers(false)
        .flexible(true)
        .buffer_capacity(64 * 1024)
        .from_reader(LineReader::new(&mut buffered, b';'));
    let too_long = |issues: &mut IssueSink, line: u64| -> std::io::Result<FileRead> {
        issues.push(
            Issue::new(
                Severity::Fatal,
                "record_too_long",
                format!(
                    "posten som börjar på rad {line} är längre än {} byte (fel radslut eller ett citattecken som aldrig stängs?); filen läses inte vidare",
                    bounds::MAX_RECORD_BYTES
                ),
                format!(
                    "the record starting at line {line} is longer than {} bytes (wrong line endings or a quote that is never closed?); the file is not read further",
                    bounds::MAX_RECORD_BYTES
                ),
            )
            .in_file(file_name)
            .at_row(line),
        );
        Ok(FileRead::Refused)
    };
    let mut record = csv::ByteRecord::new();
    match csv.read_byte_record(&mut record) {
        Ok(true) => {}
        Ok(false) => {
            return refuse(
                issues,
                "file_unreadable",
                "filen är tom".into(),
                "the file is empty".into(),
            );
        }
        Err(e) => return csv_error(e, issues, too_long),
    }
    let mut encoding = declared;
    let mut header = Vec::with_capacity(record.len());
    for (i, f) in record.iter().enumerate() {
        let mut f = f;
        if i == 0 && f.starts_with(b"\xEF\xBB\xBF") {
            f = &f[3..];
            if encoding != Encoding::Utf8 {
                encoding = Encoding::Utf8;
                issues.push(
                    Issue::new(
                        Severity::Warning,
                        "encoding",
                        "filen börjar med UTF-8-BOM men manifestet anger windows-1252; läses som UTF-8",
                        "the file starts with a UTF-8 BOM but the manifest says windows-1252; read as UTF-8",
                    )
                    .in_file(file_name),
                );
            }
        }
        if record.len() == 1
            && let Some(sep) = sniff::other_separator(f)
        {
            let name = sniff::separator_name(sep);
            return refuse(
                issues,
                "separator",
                format!("avgränsaren är {name}; specifikationen kräver ';'"),
                format!("the separator is {name}; the specification requires ';'"),
            );
        }
        header.push(decode(f, encoding).unwrap_or_default().into_owned());
    }
    let mut validator = match TableValidator::new(ctx, &header, dedup_dir, issues) {
        Ok(v) => v,
        Err(HeaderRejected) => return Ok(FileRead::Refused),
    };
    let mut writer = staged
        .table_writer(table_name, validator.schema())
        .map_err(std::io::Error::other)?;
    loop {
        match csv.read_byte_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => return csv_error(e, issues, too_long),
        }
        // Line endings are normalised to LF before the parser, so its line count is the file's.
        let line = record.position().map_or(0, |p| p.line());
        if record.len() == 1 && record.get(0).is_some_and(|f| f.is_empty()) {
            continue; // blank line
        }
        let mut fields: Vec<Cow<'_, str>> = Vec::with_capacity(record.len());
        let mut bad = None;
        for (i, f) in record.iter().enumerate() {
            match decode(f, encoding) {
                Some(s) => {
                    if bad.is_none()
                        && let Some(c) = forbidden_character(&s)
                    {
                        bad = Some((i, Some(c)));
                    }
                    fields.push(s);
                }
                None => {
                    bad = Some((i, None));
                    break;
                }
            }
        }
        if let Some((col, c)) = bad {
            validator.rows_read += 1;
            let strs: Vec<&str> = fields.iter().map(|c| c.as_ref()).collect();
            validator.left_out(&strs);
            let field = header.get(col).map_or("?", |h| h.trim());
            issues.push(bad_value_issue(c, field, file_name, line));
            continue;
        }
        let strs: Vec<&str> = fields.iter().map(|c| c.as_ref()).collect();
        if let Some(batch) = validator.row(line, &strs, issues)? {
            writer.write(&batch).map_err(std::io::Error::other)?;
        }
    }
    let (last, dups, validator) = validator.finish()?;
    if let Some(batch) = last {
        writer.write(&batch).map_err(std::io::Error::other)?;
    }
    Ok(FileRead::Rows(Box::new(RowsRead {
        writer,
        dups,
        rows_read: validator.rows_read,
        rows_with_errors: validator.rows_with_errors,
        left_out_keys: validator.left_out_keys,
        residence: validator.residence,
    })))
}

/// The issue for a value that cannot be decoded (`c` = None) or holds a forbidden character.
pub(crate) fn bad_value_issue(c: Option<char>, field: &str, file: &str, line: u64) -> Issue {
    let issue = match c {
        None => Issue::new(
            Severity::Error,
            "encoding",
            "ogiltig UTF-8 (manifestet anger utf-8; är filen sparad som windows-1252?)",
            "invalid UTF-8 (the manifest says utf-8; was the file saved as windows-1252?)",
        ),
        Some(c) => {
            let what = describe_character(c);
            Issue::new(
                Severity::Error,
                "control_character",
                format!(
                    "värdet innehåller tecknet {what}, som inte får förekomma i ett värde; raden utelämnas"
                ),
                format!(
                    "the value contains the character {what}, which is not allowed in a value; the row is left out"
                ),
            )
        }
    };
    issue.in_file(file).at_row(line).field(field)
}

/// A CSV parser error: an over-long record is the delivery's fault; anything else is I/O.
fn csv_error(
    e: csv::Error,
    issues: &mut IssueSink,
    too_long: impl FnOnce(&mut IssueSink, u64) -> std::io::Result<FileRead>,
) -> std::io::Result<FileRead> {
    match e.into_kind() {
        csv::ErrorKind::Io(io) => match record_too_long(&io) {
            Some(line) => too_long(issues, line),
            None => Err(io),
        },
        other => Err(std::io::Error::other(format!("{other:?}"))),
    }
}

fn decode(bytes: &[u8], encoding: Encoding) -> Option<Cow<'_, str>> {
    match encoding {
        Encoding::Utf8 => std::str::from_utf8(bytes).ok().map(Cow::Borrowed),
        Encoding::Windows1252 => Some(
            encoding_rs::WINDOWS_1252
                .decode_without_bom_handling(bytes)
                .0,
        ),
    }
}
