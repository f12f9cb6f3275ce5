//! Indicator values as an Excel workbook (`format=xlsx`) with typed cells: codes and texts are
//! text cells (`01`, `0184`, `80+` and `2024-03` stay what they are), numbers are number cells
//! with a number format, the header row is in Swedish (English with `lang=en`) and frozen, and
//! the sheet has an autofilter. Hidden values are empty cells; `Status` says why.
//!
//! A text cell is never a formula in an xlsx file, but a user who edits one and presses Enter
//! would make it one: text cells pass [`crate::csv::neutralise`] like the CSV's.

use crate::csv::neutralise;
use crate::i18n::Lang;
use crate::published::PublicValue;
use rust_xlsxwriter::{Format, FormatAlign, Workbook, XlsxError};

/// The media type of an xlsx file.
pub const XLSX_MEDIA_TYPE: &str =
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// One cell of a row.
enum Cell {
    Text(String),
    Number(Option<f64>),
    Count(Option<f64>),
    Bool(Option<bool>),
}

/// The columns: Swedish header, English header, width.
const COLUMNS: [(&str, &str, f64); 27] = [
    ("Indikator", "Indicator", 28.0),
    ("Områdeskod", "Area code", 12.0),
    ("Område", "Area", 24.0),
    ("Nivå", "Level", 14.0),
    ("Period", "Period", 12.0),
    ("Kön", "Sex", 6.0),
    ("Åldersgrupp", "Age group", 12.0),
    ("Status", "Status", 16.0),
    ("Statustext", "Status text", 28.0),
    ("Täljare", "Numerator", 12.0),
    ("Nämnare", "Denominator", 12.0),
    ("Värde", "Value", 12.0),
    ("Nedre gräns 95 %", "Lower 95 % limit", 12.0),
    ("Övre gräns 95 %", "Upper 95 % limit", 12.0),
    ("Standardiserat värde", "Standardised value", 12.0),
    (
        "Standardiserat, nedre gräns",
        "Standardised, lower limit",
        12.0,
    ),
    (
        "Standardiserat, övre gräns",
        "Standardised, upper limit",
        12.0,
    ),
    ("Rikets värde", "Sweden's value", 12.0),
    ("Trattdiagram 95 %", "Funnel 95 %", 16.0),
    ("Trattdiagram 99,8 %", "Funnel 99.8 %", 16.0),
    ("Når målet", "Meets target", 10.0),
    ("Publik status", "Public status", 16.0),
    ("Receptversion", "Recipe version", 10.0),
    ("Recepthash", "Recipe hash", 18.0),
    ("Leveranser", "Deliveries", 30.0),
    ("Beräkning", "Run", 24.0),
    ("Röjandepolicy", "Disclosure policy", 20.0),
];

fn cells(v: &PublicValue, lang: Lang) -> [Cell; 27] {
    let t = |s: &str| Cell::Text(s.to_owned());
    [
        t(&v.indicator),
        t(&v.region),
        Cell::Text(crate::i18n::area_name(&v.region, lang)),
        t(&v.level),
        t(&v.period),
        t(&v.kon),
        t(&v.aldersgrupp),
        t(v.status.code()),
        t(lang.pick(v.status.label_sv(), v.status.label_en())),
        Cell::Count(v.numerator),
        Cell::Count(v.denominator),
        Cell::Number(v.value),
        Cell::Number(v.lower),
        Cell::Number(v.upper),
        Cell::Number(v.standardised),
        Cell::Number(v.standardised_lower),
        Cell::Number(v.standardised_upper),
        Cell::Number(v.national_value),
        t(v.funnel_95.as_deref().unwrap_or_default()),
        t(v.funnel_998.as_deref().unwrap_or_default()),
        Cell::Bool(v.meets_target),
        t(v.public_status.code()),
        t(&v.spec_version),
        t(&v.spec_hash),
        Cell::Text(v.deliveries.join(" ")),
        t(&v.run_id),
        t(&v.policy),
    ]
}

/// The values as an xlsx workbook: one sheet, `Värden` (`Values`), a frozen header row.
pub fn values_xlsx<'a>(
    values: impl Iterator<Item = &'a PublicValue>,
    lang: Lang,
) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let header = Format::new().set_bold().set_align(FormatAlign::Top);
    let number = Format::new().set_num_format("0.000");
    let whole = Format::new().set_num_format("#,##0");
    let fraction = Format::new().set_num_format("#,##0.00");
    let sheet = book.add_worksheet();
    sheet.set_name(lang.pick("Värden", "Values"))?;
    for (col, (sv, en, width)) in COLUMNS.iter().enumerate() {
        let col = u16::try_from(col).unwrap_or(u16::MAX);
        sheet.write_string_with_format(0, col, lang.pick(sv, en), &header)?;
        sheet.set_column_width(col, *width)?;
    }
    let mut row: u32 = 0;
    for v in values {
        row += 1;
        for (col, cell) in cells(v, lang).into_iter().enumerate() {
            let col = u16::try_from(col).unwrap_or(u16::MAX);
            match cell {
                Cell::Text(s) if s.is_empty() => {}
                Cell::Text(s) => {
                    sheet.write_string(row, col, neutralise(&s))?;
                }
                Cell::Number(Some(x)) => {
                    sheet.write_number_with_format(row, col, x, &number)?;
                }
                Cell::Count(Some(x)) => {
                    let format = if x.fract() == 0.0 { &whole } else { &fraction };
                    sheet.write_number_with_format(row, col, x, format)?;
                }
                Cell::Bool(Some(b)) => {
                    sheet.write_boolean(row, col, b)?;
                }
                Cell::Number(None) | Cell::Count(None) | Cell::Bool(None) => {}
            }
        }
    }
    sheet.set_freeze_panes(1, 0)?;
    let last = u16::try_from(COLUMNS.len() - 1).unwrap_or(u16::MAX);
    sheet.autofilter(0, 0, row.max(1), last)?;
    book.save_to_buffer()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_are_distinct_and_codes_are_text_and_values_numbers() {
        let names: std::collections::BTreeSet<&str> = COLUMNS.iter().map(|c| c.0).collect();
        assert_eq!(names.len(), COLUMNS.len(), "headers are distinct");
        let v = PublicValue {
            indicator: "x".into(),
            spec_version: "1.0.0".into(),
            spec_hash: "1e5".into(),
            region: "01".into(),
            level: "region".into(),
            period: "2024-03".into(),
            kon: "1".into(),
            aldersgrupp: "80+".into(),
            status: vardhub_engine::disclosure::Status::Ok,
            public_status: vardhub_engine::disclosure::Status::Ok,
            numerator: Some(3.0),
            denominator: Some(4.0),
            value: Some(0.75),
            lower: None,
            upper: None,
            standardised: None,
            standardised_lower: None,
            standardised_upper: None,
            national_value: None,
            funnel_95: None,
            funnel_998: None,
            meets_target: Some(true),
            deliveries: vec![],
            run_id: "run-1".into(),
            policy: "p".into(),
        };
        let row = cells(&v, Lang::Sv);
        let at = |header: &str| &row[COLUMNS.iter().position(|c| c.0 == header).unwrap()];
        for (header, text) in [
            ("Områdeskod", "01"),
            ("Kön", "1"),
            ("Åldersgrupp", "80+"),
            ("Period", "2024-03"),
            ("Recepthash", "1e5"),
        ] {
            assert!(matches!(at(header), Cell::Text(t) if t == text), "{header}");
        }
        assert!(matches!(at("Värde"), Cell::Number(Some(x)) if *x == 0.75));
        assert!(matches!(at("Täljare"), Cell::Count(Some(x)) if *x == 3.0));
        assert!(matches!(at("Når målet"), Cell::Bool(Some(true))));
    }

    #[test]
    fn an_empty_workbook_is_a_zip() {
        let bytes = values_xlsx(std::iter::empty(), Lang::Sv).unwrap();
        assert_eq!(&bytes[..2], b"PK");
    }
}
