//! The CSVs the server emits: indicator values, and the text cells of hemhämtning's CSV.
//!
//! Indicator values come in two dialects:
//!
//! * [`Dialect::Excel`] (`format=csv`): what Swedish Excel opens directly — `;` separator,
//!   decimal comma, UTF-8 with BOM, CRLF line ends;
//! * [`Dialect::Rfc4180`] (`format=csv-rfc4180`): `,` separator, decimal point, no BOM, CRLF.
//!
//! Hidden values are empty cells; the `status` and `status_text` columns say why.
//!
//! Every text cell the server writes into a CSV passes [`neutralise`]: a cell starting with `=`,
//! `+`, `-`, `@`, TAB or CR would be read as a formula by spreadsheet programs (`=HYPERLINK(…)`,
//! `=cmd|…`), so it gets a leading `'`. Numbers are written as numbers and never pass it.

use crate::i18n::Lang;
use crate::published::PublicValue;
use datafusion::arrow::array::{
    Array, ArrayRef, AsArray, GenericStringArray, OffsetSizeTrait, StringViewArray,
};
use datafusion::arrow::datatypes::DataType;
use datafusion::arrow::error::ArrowError;
use datafusion::arrow::record_batch::RecordBatch;
use std::sync::Arc;

/// A CSV dialect.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// `;`, decimal comma, BOM, CRLF.
    Excel,
    /// `,`, decimal point, no BOM, CRLF.
    Rfc4180,
}

const COLUMNS: [&str; 27] = [
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

/// The values as CSV bytes.
pub fn values_csv(values: &[&PublicValue], dialect: Dialect, lang: Lang) -> Vec<u8> {
    let (sep, bom) = match dialect {
        Dialect::Excel => (';', "\u{feff}"),
        Dialect::Rfc4180 => (',', ""),
    };
    let mut out = String::with_capacity(64 + values.len() * 160);
    out.push_str(bom);
    push_row(&mut out, sep, COLUMNS.iter().map(|c| (*c).to_owned()));
    let num = |v: Option<f64>| -> String {
        v.map_or(String::new(), |v| {
            let s = format!("{v}");
            match dialect {
                Dialect::Excel => s.replace('.', ","),
                Dialect::Rfc4180 => s,
            }
        })
    };
    let text = |s: &str| neutralise(s).into_owned();
    for v in values {
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
        push_row(&mut out, sep, cells.into_iter());
    }
    out.into_bytes()
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
