//! Track A: reading aggregate deliveries of external indicator values (quality registers,
//! PrimärvårdsKvalitet, Psykiatrin i siffror, Socialstyrelsen, the national patient survey) in
//! the shapes such sources publish, mapped to the hub's codes with a report like a region's.
//!
//! ```text
//! bytes ─► text (UTF-8 ± BOM, else Windows-1252; UTF-16/32 refused) ─► separator (; TAB ,)
//!       ─► header (Swedish/English aliases) ─► rows (decimal comma, thousands, %, markers,
//!          periods, Riket and region names, sex) ─► duplicates ─► error share ─► report
//! ```
//!
//! A fatal finding (unknown source, unreadable encoding, a header without the required columns,
//! too large a share of bad rows) rejects the whole file: no row is returned. A row with an error
//! is left out and counted; warnings keep the row. Every value in a finding is masked
//! ([`crate::report::mask`]).

mod columns;
mod number;
mod report;
mod row;
mod text;

pub use columns::{Field, field_of};
pub use number::{Number, parse_count, parse_interval, parse_number};
pub use report::{ExternalReport, IndicatorRows};
pub use text::{Decoded, TextProblem, decode, separator};

use crate::report::{Issue, IssueSink, Severity};
use crate::sniff::separator_name;
use std::collections::{BTreeMap, HashSet};
use vardhub_domain::external::{ExternalValue, SourceId};

/// The largest file read (external deliveries are small tables of aggregates).
pub const MAX_FILE_BYTES: usize = 64 * 1024 * 1024;

/// How strict the import is.
#[derive(Debug, Clone, Copy)]
pub struct ReadOptions {
    /// The largest share of data rows with errors (left out) before the whole file is rejected,
    /// like a region delivery's `share` check.
    pub max_error_share: f64,
}

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions {
            max_error_share: 0.10,
        }
    }
}

/// What a file yields: its source, its valid rows (none when rejected) and the report.
#[derive(Debug)]
pub struct ExternalReading {
    /// The source, when known.
    pub source: Option<SourceId>,
    /// The valid rows, in file order (empty when the report rejects the file).
    pub rows: Vec<ExternalValue>,
    /// The report.
    pub report: ExternalReport,
}

fn fatal(sink: &mut IssueSink, file: &str, rule: &'static str, sv: String, en: String) {
    sink.push(Issue::new(Severity::Fatal, rule, sv, en).in_file(file));
}

/// Read one external file delivered for `source` (an id, name or alias of a known source).
/// Never panics and never fails: every problem is in the report.
pub fn read(file: &str, bytes: &[u8], source: &str, opts: &ReadOptions) -> ExternalReading {
    let mut sink = IssueSink::default();
    let mut rows = Vec::new();
    let mut meta = Meta::default();
    let parsed = SourceId::parse(source).ok();
    match parsed {
        None => fatal(
            &mut sink,
            file,
            "unknown_source",
            format!(
                "okänd källa «{}»; kända: {}",
                crate::report::mask(source, false),
                known()
            ),
            format!(
                "unknown source «{}»; known: {}",
                crate::report::mask(source, false),
                known()
            ),
        ),
        Some(id) => read_rows(file, bytes, id, opts, &mut sink, &mut rows, &mut meta),
    }
    let mut report = ExternalReport::new(file, sink);
    report.source = parsed.map(|s| s.as_str().to_owned());
    report.encoding = meta.encoding.map(str::to_owned);
    report.separator = meta.separator;
    report.rows_read = meta.rows_read;
    report.rows_with_errors = meta.rows_with_errors;
    if report.is_rejected() {
        rows.clear();
    }
    report.rows_valid = rows.len() as u64;
    let mut per: BTreeMap<String, (String, u64)> = BTreeMap::new();
    for r in &rows {
        per.entry(r.indicator.as_str().to_owned())
            .or_insert_with(|| (r.indicator_name.clone(), 0))
            .1 += 1;
    }
    report.indicators = per
        .into_iter()
        .map(|(id, (name, rows))| IndicatorRows { id, name, rows })
        .collect();
    ExternalReading {
        source: parsed,
        rows,
        report,
    }
}

fn known() -> String {
    vardhub_domain::external::sources()
        .iter()
        .map(|s| s.id)
        .collect::<Vec<_>>()
        .join(", ")
}

#[derive(Default)]
struct Meta {
    encoding: Option<&'static str>,
    separator: Option<String>,
    rows_read: u64,
    rows_with_errors: u64,
}

fn read_rows(
    file: &str,
    bytes: &[u8],
    source: SourceId,
    opts: &ReadOptions,
    sink: &mut IssueSink,
    rows: &mut Vec<ExternalValue>,
    meta: &mut Meta,
) {
    if bytes.len() > MAX_FILE_BYTES {
        return fatal(
            sink,
            file,
            "too_large",
            format!("filen är större än {} MiB", MAX_FILE_BYTES >> 20),
            format!("the file is larger than {} MiB", MAX_FILE_BYTES >> 20),
        );
    }
    let decoded = match decode(bytes) {
        Ok(d) => d,
        Err(TextProblem::Empty) => {
            return fatal(
                sink,
                file,
                "empty",
                "filen är tom".into(),
                "the file is empty".into(),
            );
        }
        Err(TextProblem::Wide(name)) => {
            return fatal(
                sink,
                file,
                "encoding",
                format!("filen är kodad som {name}; spara den som UTF-8 eller Windows-1252 (ANSI)"),
                format!("the file is encoded as {name}; save it as UTF-8 or Windows-1252 (ANSI)"),
            );
        }
    };
    meta.encoding = Some(decoded.encoding);
    // CRLF and CR-only line ends as LF, so that line numbers count every kind of line end.
    let text = decoded.text.replace("\r\n", "\n").replace('\r', "\n");
    let header_line = text.lines().next().unwrap_or("");
    let sep = match separator(header_line) {
        Ok(Some(s)) => s,
        Ok(None) => {
            return fatal(
                sink,
                file,
                "columns",
                "rubrikraden har bara en kolumn; avgränsa kolumnerna med semikolon".into(),
                "the header has only one column; separate the columns with semicolons".into(),
            );
        }
        Err((a, b)) => {
            return fatal(
                sink,
                file,
                "separator",
                format!(
                    "rubrikraden innehåller både {} och {}; avgränsaren är tvetydig",
                    separator_name(a),
                    separator_name(b)
                ),
                format!(
                    "the header holds both {} and {}; the separator is ambiguous",
                    separator_name(a),
                    separator_name(b)
                ),
            );
        }
    };
    meta.separator = Some(separator_name(char::from(sep)));
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(sep)
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut records = reader.records();
    let header = match records.next() {
        Some(Ok(h)) => h,
        _ => {
            return fatal(
                sink,
                file,
                "columns",
                "rubrikraden kan inte läsas".into(),
                "the header cannot be read".into(),
            );
        }
    };
    let Some(fields) = map_header(file, &header, sink) else {
        return;
    };
    let mut seen = HashSet::new();
    for rec in records {
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                meta.rows_read += 1;
                meta.rows_with_errors += 1;
                let line = e.position().map_or(0, |p| p.line());
                sink.push(
                    Issue::new(
                        Severity::Error,
                        "syntax",
                        "raden kan inte läsas som CSV",
                        "the row cannot be read as CSV",
                    )
                    .in_file(file)
                    .at_row(line),
                );
                continue;
            }
        };
        let line = rec.position().map_or(0, |p| p.line());
        if rec.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        meta.rows_read += 1;
        if rec.len() != header.len() {
            meta.rows_with_errors += 1;
            sink.push(
                Issue::new(
                    Severity::Error,
                    "columns",
                    format!("raden har {} fält, rubrikraden {}", rec.len(), header.len()),
                    format!(
                        "the row has {} fields, the header {}",
                        rec.len(),
                        header.len()
                    ),
                )
                .in_file(file)
                .at_row(line),
            );
            continue;
        }
        let cells = row::Cells {
            cells: fields
                .iter()
                .zip(rec.iter())
                .filter_map(|(f, v)| f.map(|f| (f, v)))
                .collect(),
            line,
        };
        let Some(value) = row::validate(&cells, source, file, sink) else {
            meta.rows_with_errors += 1;
            continue;
        };
        let key = (value.indicator.clone(), value.area, value.period, value.sex);
        if !seen.insert(key) {
            meta.rows_with_errors += 1;
            sink.push(
                Issue::new(
                    Severity::Error,
                    "duplicate",
                    "samma indikator, område, period och kön finns redan på en tidigare rad; raden utelämnas",
                    "the same indicator, area, period and sex is on an earlier row; the row is left out",
                )
                .in_file(file)
                .at_row(line),
            );
            continue;
        }
        rows.push(value);
    }
    if meta.rows_read == 0 {
        return fatal(
            sink,
            file,
            "empty",
            "filen har inga datarader".into(),
            "the file has no data rows".into(),
        );
    }
    let share = meta.rows_with_errors as f64 / meta.rows_read as f64;
    if share > opts.max_error_share {
        fatal(
            sink,
            file,
            "error_threshold",
            format!(
                "{} av {} rader har fel ({:.1} %), över gränsen {:.1} %",
                meta.rows_with_errors,
                meta.rows_read,
                100.0 * share,
                100.0 * opts.max_error_share
            ),
            format!(
                "{} of {} rows have errors ({:.1} %), above the limit of {:.1} %",
                meta.rows_with_errors,
                meta.rows_read,
                100.0 * share,
                100.0 * opts.max_error_share
            ),
        );
    }
}

/// The field of each column (`None`: ignored, with a warning); `None` when the layout is unknown
/// (a required field missing, or a field twice): fatal.
fn map_header(
    file: &str,
    header: &csv::StringRecord,
    sink: &mut IssueSink,
) -> Option<Vec<Option<Field>>> {
    let mut fields = Vec::new();
    let mut ok = true;
    for name in header.iter() {
        let f = field_of(name);
        match f {
            None => sink.push(
                Issue::new(
                    Severity::Warning,
                    "unknown_column",
                    "okänd kolumn; den läses inte",
                    "unknown column; it is not read",
                )
                .in_file(file)
                .at_row(1)
                .field(name),
            ),
            Some(f) if fields.contains(&Some(f)) => {
                ok = false;
                sink.push(
                    Issue::new(
                        Severity::Fatal,
                        "columns",
                        format!("två kolumner betyder {}", f.name()),
                        format!("two columns mean {}", f.name()),
                    )
                    .in_file(file)
                    .at_row(1)
                    .field(name),
                );
            }
            Some(_) => {}
        }
        fields.push(f);
    }
    for f in Field::REQUIRED {
        if !fields.contains(&Some(f)) {
            ok = false;
            sink.push(
                Issue::new(
                    Severity::Fatal,
                    "columns",
                    format!("kolumnen {} saknas (okänd kolumnlayout)", f.name()),
                    format!("the column {} is missing (unknown column layout)", f.name()),
                )
                .in_file(file)
                .at_row(1)
                .field(f.name()),
            );
        }
    }
    ok.then_some(fields)
}
