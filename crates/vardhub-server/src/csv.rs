//! The CSVs the server emits: indicator values, and the text cells of hemhämtning's CSV.
//!
//! Indicator values come in three dialects:
//!
//! * [`Dialect::Excel`] (`format=csv`): Swedish CSV — `;` separator, decimal comma, UTF-8 with
//!   BOM, CRLF line ends; every cell as it is (what R, pandas and PxWeb users read);
//! * [`Dialect::Spreadsheet`] (`format=csv-excel`): the same, but a text cell starting with a
//!   digit (`01`, `0184`, `80+`, `0-19`, `2024-03`, a hash like `1e5a…`) is written as the
//!   formula `="01"`, so that Excel and LibreOffice keep it as the text it is instead of a
//!   number or a date (leading zeros kept);
//! * [`Dialect::Rfc4180`] (`format=csv-rfc4180`): `,` separator, decimal point, no BOM, CRLF.
//!
//! Hidden values are empty cells; the `status` and `status_text` columns say why. A download is
//! every matching row, written row by row as the body is sent ([`ValuesCsvBody`]).
//!
//! Every text cell the server writes into a CSV passes [`neutralise`]: a cell starting with `=`,
//! `+`, `-`, `@`, TAB or CR would be read as a formula by spreadsheet programs (`=HYPERLINK(…)`,
//! `=cmd|…`), so it gets a leading `'`. Numbers are written as numbers and never pass it. The
//! spreadsheet dialect's `="…"` is the server's own quoting of a cell that passed it (a string
//! literal: quotes doubled, nothing evaluated but the text itself).

use crate::i18n::Lang;
use crate::published::PublicValue;
use axum::body::Bytes;
use datafusion::arrow::array::{
    Array, ArrayRef, AsArray, GenericStringArray, OffsetSizeTrait, StringViewArray,
};
use datafusion::arrow::datatypes::DataType;
use datafusion::arrow::error::ArrowError;
use datafusion::arrow::record_batch::RecordBatch;
use hyper::body::Frame;
use std::convert::Infallible;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

/// A CSV dialect.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// `;`, decimal comma, BOM, CRLF.
    Excel,
    /// As [`Dialect::Excel`], and text cells starting with a digit written as `="…"` (kept as
    /// text by spreadsheet programs).
    Spreadsheet,
    /// `,`, decimal point, no BOM, CRLF.
    Rfc4180,
}

impl Dialect {
    /// Separator and byte-order mark.
    fn separator_and_bom(self) -> (char, &'static str) {
        match self {
            Dialect::Excel | Dialect::Spreadsheet => (';', "\u{feff}"),
            Dialect::Rfc4180 => (',', ""),
        }
    }
}

/// The columns of a values CSV, in order.
pub const COLUMNS: [&str; 27] = [
    "indicator",
    "spec_version",
    "spec_hash",
    "region",
    "period",
    "kon",
    "aldersgrupp",
    "status",
    "status_text",
    "numerator",
    "denominator",
    "value",
    "lower",
    "upper",
    "standardised",
    "standardised_lower",
    "standardised_upper",
    "national_value",
    "funnel_95",
    "funnel_998",
    "meets_target",
    "deliveries",
    "run_id",
    "region_name",
    "public_status",
    "policy",
    "level",
];

/// Writes values as CSV rows of one dialect and language.
#[derive(Debug, Clone, Copy)]
pub struct ValuesCsv {
    dialect: Dialect,
    lang: Lang,
}

impl ValuesCsv {
    /// A writer for `dialect`, status texts in `lang`.
    pub fn new(dialect: Dialect, lang: Lang) -> Self {
        ValuesCsv { dialect, lang }
    }

    /// The byte-order mark (if the dialect has one) and the header row.
    pub fn header(&self) -> String {
        let (sep, bom) = self.dialect.separator_and_bom();
        let mut out = String::from(bom);
        push_row(&mut out, sep, COLUMNS.iter().map(|c| (*c).to_owned()));
        out
    }

    /// One value as a CSV row (with its line end), appended to `out`.
    pub fn push(&self, out: &mut String, v: &PublicValue) {
        let (sep, _) = self.dialect.separator_and_bom();
        let num = |v: Option<f64>| -> String {
            v.map_or(String::new(), |v| {
                let s = format!("{v}");
                match self.dialect {
                    Dialect::Excel | Dialect::Spreadsheet => s.replace('.', ","),
                    Dialect::Rfc4180 => s,
                }
            })
        };
        let text = |s: &str| {
            let cell = neutralise(s);
            if self.dialect == Dialect::Spreadsheet {
                as_spreadsheet_text(&cell)
            } else {
                cell.into_owned()
            }
        };
        let lang = self.lang;
        let cells = [
            text(&v.indicator),
            text(&v.spec_version),
            text(&v.spec_hash),
            text(&v.region),
            text(&v.period),
            text(&v.kon),
            text(&v.aldersgrupp),
            text(v.status.code()),
            text(lang.pick(v.status.label_sv(), v.status.label_en())),
            num(v.numerator),
            num(v.denominator),
            num(v.value),
            num(v.lower),
            num(v.upper),
            num(v.standardised),
            num(v.standardised_lower),
            num(v.standardised_upper),
            num(v.national_value),
            text(v.funnel_95.as_deref().unwrap_or_default()),
            text(v.funnel_998.as_deref().unwrap_or_default()),
            v.meets_target.map_or(String::new(), |b| b.to_string()),
            text(&v.deliveries.join(" ")),
            text(&v.run_id),
            text(&crate::i18n::area_name(&v.region, lang)),
            text(v.public_status.code()),
            text(&v.policy),
            text(&v.level),
        ];
        push_row(out, sep, cells.into_iter());
    }
}

/// The values as CSV bytes.
#[cfg(test)]
pub fn values_csv(values: &[&PublicValue], dialect: Dialect, lang: Lang) -> Vec<u8> {
    let w = ValuesCsv::new(dialect, lang);
    let mut out = w.header();
    out.reserve(values.len() * 160);
    for v in values {
        w.push(&mut out, v);
    }
    out.into_bytes()
}

/// A text cell that a spreadsheet would read as a number or a date — it starts with a digit —
/// as the formula `="…"` (a string literal, quotes doubled), which it shows as that text. Other
/// cells, and cells too long for a formula's string literal (255), are unchanged.
fn as_spreadsheet_text(cell: &str) -> String {
    if cell.starts_with(|c: char| c.is_ascii_digit()) && cell.chars().count() <= 255 {
        format!("=\"{}\"", cell.replace('"', "\"\""))
    } else {
        cell.to_owned()
    }
}

/// Rows per frame of a [`ValuesCsvBody`].
const ROWS_PER_FRAME: usize = 256;

/// A values CSV as a response body, written a few hundred rows at a time as it is sent: the
/// header, then `values[i]` for every `i` of `rows`, in order.
#[derive(Debug)]
pub struct ValuesCsvBody {
    writer: ValuesCsv,
    values: Arc<Vec<PublicValue>>,
    rows: Vec<usize>,
    next: usize,
    header_sent: bool,
}

impl ValuesCsvBody {
    /// The body of `values[i]` for every `i` of `rows`.
    pub fn new(values: Arc<Vec<PublicValue>>, rows: Vec<usize>, writer: ValuesCsv) -> Self {
        ValuesCsvBody {
            writer,
            values,
            rows,
            next: 0,
            header_sent: false,
        }
    }
}

impl hyper::body::Body for ValuesCsvBody {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        let this = self.get_mut();
        if !this.header_sent {
            this.header_sent = true;
            return Poll::Ready(Some(Ok(Frame::data(Bytes::from(this.writer.header())))));
        }
        if this.next >= this.rows.len() {
            return Poll::Ready(None);
        }
        let end = (this.next + ROWS_PER_FRAME).min(this.rows.len());
        let mut out = String::with_capacity((end - this.next) * 200);
        for &i in &this.rows[this.next..end] {
            if let Some(v) = this.values.get(i) {
                this.writer.push(&mut out, v);
            }
        }
        this.next = end;
        Poll::Ready(Some(Ok(Frame::data(Bytes::from(out)))))
    }

    fn is_end_stream(&self) -> bool {
        self.header_sent && self.next >= self.rows.len()
    }
}

/// A text cell as spreadsheet programs will not evaluate it: a leading `=`, `+`, `-`, `@`, TAB or
/// CR gets a `'` in front (OWASP's CSV injection advice); anything else is unchanged.
pub fn neutralise(cell: &str) -> std::borrow::Cow<'_, str> {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        std::borrow::Cow::Owned(format!("'{cell}"))
    } else {
        std::borrow::Cow::Borrowed(cell)
    }
}

/// `batch` with every text column's cells passed through [`neutralise`] (hemhämtning's CSV: the
/// text comes from the regions' deliveries). Other columns, nulls included, are unchanged.
pub fn neutralise_text_columns(batch: &RecordBatch) -> Result<RecordBatch, ArrowError> {
    fn strings<O: OffsetSizeTrait>(column: &ArrayRef) -> ArrayRef {
        let out: GenericStringArray<O> = column
            .as_string::<O>()
            .iter()
            .map(|v| v.map(neutralise))
            .collect();
        Arc::new(out)
    }
    let columns = batch
        .columns()
        .iter()
        .map(|c| match c.data_type() {
            DataType::Utf8 => strings::<i32>(c),
            DataType::LargeUtf8 => strings::<i64>(c),
            DataType::Utf8View => {
                let out: StringViewArray = c
                    .as_string_view()
                    .iter()
                    .map(|v| v.map(neutralise))
                    .collect();
                Arc::new(out)
            }
            _ => Arc::clone(c),
        })
        .collect();
    RecordBatch::try_new(batch.schema(), columns)
}

fn push_row(out: &mut String, sep: char, cells: impl Iterator<Item = String>) {
    for (i, c) in cells.enumerate() {
        if i > 0 {
            out.push(sep);
        }
        if c.contains([sep, '"', '\r', '\n']) {
            out.push('"');
            out.push_str(&c.replace('"', "\"\""));
            out.push('"');
        } else {
            out.push_str(&c);
        }
    }
    out.push_str("\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;
    use vardhub_engine::disclosure::Status;

    fn value(status: Status, v: Option<f64>) -> PublicValue {
        PublicValue {
            indicator: "x".into(),
            spec_version: "1.0.0".into(),
            spec_hash: "h".into(),
            region: "01".into(),
            level: "region".into(),
            period: "2024-03".into(),
            kon: "alla".into(),
            aldersgrupp: "alla".into(),
            status,
            public_status: status,
            numerator: v.map(|_| 12.0),
            denominator: v.map(|_| 40.0),
            value: v,
            lower: None,
            upper: None,
            standardised: None,
            standardised_lower: None,
            standardised_upper: None,
            national_value: None,
            funnel_95: None,
            funnel_998: None,
            meets_target: None,
            deliveries: vec!["a".into(), "b".into()],
            run_id: "run-1".into(),
            policy: "vardhub-public v1".into(),
        }
    }

    #[test]
    fn formula_leading_text_cells_are_neutralised_and_numbers_stay_numbers() {
        for bad in [
            "=HYPERLINK(\"x\")",
            "@SUM(A1)",
            "=cmd|' /C calc'!A0",
            "+1",
            "-1",
            "\tx",
            "\rx",
        ] {
            assert_eq!(neutralise(bad), format!("'{bad}"));
        }
        assert_eq!(neutralise("Region Stockholm"), "Region Stockholm");
        assert_eq!(neutralise(""), "");
        let mut v = value(Status::Ok, Some(-0.5));
        v.policy = "=HYPERLINK(\"http://evil.example\")".into();
        let out = String::from_utf8(values_csv(&[&v], Dialect::Rfc4180, Lang::En)).unwrap();
        assert!(out.contains(",-0.5,"), "{out}");
        assert!(
            out.contains("\"'=HYPERLINK(\"\"http://evil.example\"\")\""),
            "{out}"
        );
    }

    #[test]
    fn text_columns_of_a_batch_are_neutralised_numbers_and_nulls_not() {
        use datafusion::arrow::array::{Int64Array, StringArray};
        let batch = RecordBatch::try_from_iter([
            (
                "t",
                Arc::new(StringArray::from(vec![Some("=1+1"), None, Some("ok")])) as ArrayRef,
            ),
            ("n", Arc::new(Int64Array::from(vec![-1, 2, 3])) as ArrayRef),
        ])
        .unwrap();
        let out = neutralise_text_columns(&batch).unwrap();
        let t = out.column(0).as_string::<i32>();
        assert_eq!(t.value(0), "'=1+1");
        assert!(t.is_null(1));
        assert_eq!(t.value(2), "ok");
        assert_eq!(out.column(1), batch.column(1));
    }

    #[test]
    fn excel_dialect_has_bom_semicolons_decimal_comma_and_crlf() {
        let v = value(Status::Ok, Some(0.3));
        let out = String::from_utf8(values_csv(&[&v], Dialect::Excel, Lang::Sv)).unwrap();
        assert!(out.starts_with('\u{feff}'));
        let lines: Vec<&str> = out.trim_start_matches('\u{feff}').split("\r\n").collect();
        assert_eq!(lines.len(), 3);
        assert!(lines[0].starts_with("indicator;spec_version;"));
        assert!(lines[1].contains(";0,3;"), "{}", lines[1]);
        assert!(lines[1].contains("Region Stockholm"));
    }

    #[test]
    fn spreadsheet_dialect_keeps_digit_led_codes_as_text_and_numbers_as_numbers() {
        let mut v = value(Status::Ok, Some(0.25));
        v.region = "0184".into();
        v.aldersgrupp = "80+".into();
        v.kon = "1".into();
        v.spec_hash = "1e5a".into();
        v.policy = "=HYPERLINK(\"x\")".into();
        let out = String::from_utf8(values_csv(&[&v], Dialect::Spreadsheet, Lang::Sv)).unwrap();
        assert!(out.starts_with('\u{feff}'));
        let row: Vec<&str> = out.split("\r\n").nth(1).unwrap().split(';').collect();
        let col = |name: &str| COLUMNS.iter().position(|c| *c == name).unwrap();
        assert_eq!(row[col("region")], "\"=\"\"0184\"\"\"");
        assert_eq!(row[col("aldersgrupp")], "\"=\"\"80+\"\"\"");
        assert_eq!(row[col("kon")], "\"=\"\"1\"\"\"");
        assert_eq!(row[col("period")], "\"=\"\"2024-03\"\"\"");
        assert_eq!(row[col("spec_hash")], "\"=\"\"1e5a\"\"\"");
        assert_eq!(row[col("value")], "0,25");
        assert_eq!(row[col("numerator")], "12");
        assert_eq!(row[col("indicator")], "x");
        assert_eq!(row[col("status")], "ok");
        // Formula-leading text from the data is still neutralised, never wrapped.
        assert_eq!(row[col("policy")], "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(as_spreadsheet_text("a\"1"), "a\"1");
        assert_eq!(as_spreadsheet_text("1\"a"), "=\"1\"\"a\"");
        assert_eq!(as_spreadsheet_text(&"1".repeat(256)), "1".repeat(256));
    }

    #[test]
    fn the_streamed_body_is_the_whole_csv_in_order() {
        let values: Vec<PublicValue> = (0..(ROWS_PER_FRAME * 2 + 7))
            .map(|i| {
                let mut v = value(Status::Ok, Some(i as f64));
                v.region = format!("{:02}", i % 21 + 1);
                v
            })
            .collect();
        let rows: Vec<usize> = (0..values.len()).filter(|i| i % 3 != 1).collect();
        let want: Vec<&PublicValue> = rows.iter().map(|&i| &values[i]).collect();
        let want = values_csv(&want, Dialect::Rfc4180, Lang::En);
        let body = ValuesCsvBody::new(
            Arc::new(values),
            rows,
            ValuesCsv::new(Dialect::Rfc4180, Lang::En),
        );
        let got = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(axum::body::to_bytes(
                axum::body::Body::new(body),
                usize::MAX,
            ))
            .unwrap();
        assert_eq!(got.as_ref(), want.as_slice());
    }

    #[test]
    fn rfc_dialect_has_commas_and_points_and_quotes_when_needed() {
        let v = value(Status::Ok, Some(0.3));
        let out = String::from_utf8(values_csv(&[&v], Dialect::Rfc4180, Lang::En)).unwrap();
        assert!(out.starts_with("indicator,spec_version,"));
        assert!(out.contains(",0.3,"));
        let hidden = value(Status::HiddenSmall, None);
        let out = String::from_utf8(values_csv(&[&hidden], Dialect::Rfc4180, Lang::En)).unwrap();
        assert!(
            out.contains("\"Hidden – too few cases\"") || out.contains(",Hidden – too few cases,")
        );
        assert!(out.contains("hidden_small,Hidden – too few cases,,,,"));
    }
}
