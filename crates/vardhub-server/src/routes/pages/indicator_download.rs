//! "Ladda ner det du ser": the indicator page's current view (filters, level, period, sort) as
//! CSV and xlsx, exactly the rows of the page's values table in the page's order
//! ([`super::indicator::view_rows`], the same function the page uses), in display units (per
//! cent, not fractions) rounded to the shown decimals, with Swedish headers (English in English).

use super::format::decimals;
use super::indicator::view::Row;
use super::indicator::words::{place_name, unit_short};
use super::indicator::{specs::Sig, status_words, view_rows};
use crate::auth::Caller;
use crate::csv::neutralise;
use crate::i18n::Lang;
use crate::problem::Problem;
use crate::state::AppState;
use crate::xlsx::XLSX_MEDIA_TYPE;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use rust_xlsxwriter::{Format, FormatAlign, Workbook, XlsxError};
use vardhub_engine::indicator::IndicatorSpec;

/// One cell of the download.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// Text (codes, names, words).
    Text(String),
    /// A number with its decimals (`None`: empty).
    Number(Option<f64>, usize),
}

/// The headers of the view's table.
pub fn headers(spec: &IndicatorSpec, lang: Lang) -> Vec<String> {
    vec![
        lang.pick("Områdeskod", "Area code").to_owned(),
        lang.pick("Område", "Area").to_owned(),
        format!(
            "{} ({})",
            lang.pick("Värde", "Value"),
            unit_short(spec, lang)
        ),
        lang.pick("Konfidensintervall nedre", "Confidence interval lower")
            .to_owned(),
        lang.pick("Konfidensintervall övre", "Confidence interval upper")
            .to_owned(),
        lang.pick("Täljare", "Numerator").to_owned(),
        lang.pick("Nämnare", "Denominator").to_owned(),
        "Status".to_owned(),
        lang.pick("Jämfört med riket", "Compared with Sweden")
            .to_owned(),
    ]
}

/// Decimals of a count: none for whole numbers.
fn count_decimals(n: Option<f64>) -> usize {
    match n {
        Some(n) if n.fract() != 0.0 => 2,
        _ => 0,
    }
}

/// The cells of one row, as the page shows them.
pub fn cells(r: &Row, spec: &IndicatorSpec, lang: Lang) -> Vec<Cell> {
    let d = decimals(spec.unit);
    let sig =
        (!r.sweden && r.shown.is_some() && r.flag.is_some()).then(|| Sig::of(r.flag.as_deref()));
    vec![
        Cell::Text(r.area.clone()),
        Cell::Text(place_name(&r.area, lang)),
        Cell::Number(r.shown, d),
        Cell::Number(r.lower, d),
        Cell::Number(r.upper, d),
        Cell::Number(r.numerator, count_decimals(r.numerator)),
        Cell::Number(r.denominator, count_decimals(r.denominator)),
        Cell::Text(status_words(r, lang)),
        Cell::Text(sig.map_or(String::new(), |s| s.label(lang).to_owned())),
    ]
}

/// A number the Swedish spreadsheet way: decimal comma, no grouping, rounded (in both
/// languages: the file is for a spreadsheet set to Swedish, like the page's other `;` CSV).
fn csv_number(v: f64, decimals: usize) -> String {
    let s = format!("{v:.decimals$}");
    let s = if s.starts_with('-') && s.bytes().all(|b| matches!(b, b'-' | b'0' | b'.')) {
        s[1..].to_owned()
    } else {
        s
    };
    s.replace('.', ",")
}

fn csv_text(s: &str) -> String {
    let s = neutralise(s);
    if s.contains([';', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.into_owned()
    }
}

/// The view as CSV: UTF-8 with BOM, `;`, decimal comma, CRLF.
pub fn view_csv_text(spec: &IndicatorSpec, rows: &[Row], lang: Lang) -> String {
    let mut out = String::from("\u{feff}");
    let line = |cells: Vec<String>| cells.join(";") + "\r\n";
    out.push_str(&line(
        headers(spec, lang).iter().map(|h| csv_text(h)).collect(),
    ));
    for r in rows {
        out.push_str(&line(
            cells(r, spec, lang)
                .into_iter()
                .map(|c| match c {
                    Cell::Text(t) => csv_text(&t),
                    Cell::Number(v, d) => v.map_or(String::new(), |v| csv_number(v, d)),
                })
                .collect(),
        ));
    }
    out
}

/// The number format of `decimals` places.
fn number_format(decimals: usize) -> Format {
    let f = if decimals == 0 {
        "#,##0".to_owned()
    } else {
        format!("#,##0.{}", "0".repeat(decimals))
    };
    Format::new().set_num_format(&f)
}

/// The view as an xlsx workbook: numbers as numbers rounded to the shown decimals, codes and
/// words as text, a frozen header row.
pub fn view_xlsx_bytes(
    spec: &IndicatorSpec,
    rows: &[Row],
    period: &str,
    lang: Lang,
) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let header = Format::new().set_bold().set_align(FormatAlign::Top);
    let sheet = book.add_worksheet();
    let name: String = period
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .collect();
    sheet.set_name(if name.is_empty() { "Vy" } else { &name })?;
    for (col, h) in headers(spec, lang).iter().enumerate() {
        let col = u16::try_from(col).unwrap_or(u16::MAX);
        sheet.write_string_with_format(0, col, h, &header)?;
        sheet.set_column_width(col, if col == 1 { 28.0 } else { 16.0 })?;
    }
    for (i, r) in rows.iter().enumerate() {
        let row = u32::try_from(i + 1).unwrap_or(u32::MAX);
        for (col, c) in cells(r, spec, lang).into_iter().enumerate() {
            let col = u16::try_from(col).unwrap_or(u16::MAX);
            match c {
                Cell::Text(t) => {
                    sheet.write_string(row, col, neutralise(&t).as_ref())?;
                }
                Cell::Number(Some(v), d) => {
                    sheet.write_number_with_format(
                        row,
                        col,
                        super::indicator::view::rounded(v, d),
                        &number_format(d),
                    )?;
                }
                Cell::Number(None, _) => {}
            }
        }
    }
    sheet.set_freeze_panes(1, 0)?;
    book.save_to_buffer()
}

fn attachment(id: &str, period: &str, ext: &str) -> String {
    let safe = |s: &str| -> String {
        s.chars()
            .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_'))
            .collect()
    };
    format!(
        "attachment; filename=\"{}-{}.{ext}\"",
        safe(id),
        safe(period)
    )
}

async fn load(
    state: &AppState,
    caller: &Caller,
    id: &str,
    query: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Result<(IndicatorSpec, String, Vec<Row>), Problem> {
    let pairs = query.map(|Query(q)| q).unwrap_or_default();
    let (spec, view, rows) = view_rows(state, caller, id, &pairs)
        .await?
        .ok_or_else(|| Problem::not_found(format!("okänd indikator / unknown indicator {id}")))?;
    let period = view.period.map(|p| p.to_string()).unwrap_or_default();
    Ok((spec, period, rows))
}

/// `GET /indikatorer/{id}/vy.csv`.
pub async fn view_csv(
    State(state): State<AppState>,
    caller: Caller,
    lang: Lang,
    Path(id): Path<String>,
    query: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Result<Response, Problem> {
    let (spec, period, rows) = load(&state, &caller, &id, query).await?;
    let body = view_csv_text(&spec, &rows, lang);
    Ok((
        [
            (CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (CONTENT_DISPOSITION, attachment(&id, &period, "csv")),
        ],
        body,
    )
        .into_response())
}

/// `GET /indikatorer/{id}/vy.xlsx`.
pub async fn view_xlsx(
    State(state): State<AppState>,
    caller: Caller,
    lang: Lang,
    Path(id): Path<String>,
    query: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Result<Response, Problem> {
    let (spec, period, rows) = load(&state, &caller, &id, query).await?;
    let body = view_xlsx_bytes(&spec, &rows, &period, lang).map_err(Problem::internal)?;
    Ok((
        [
            (CONTENT_TYPE, XLSX_MEDIA_TYPE.to_owned()),
            (CONTENT_DISPOSITION, attachment(&id, &period, "xlsx")),
        ],
        body,
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;
    use vardhub_engine::disclosure::Status;

    #[test]
    fn the_csv_reads_the_swedish_way() {
        let spec = vardhub_engine::definitions::Definitions::builtin()
            .recipes()
            .get("hoftfraktur_op_24h")
            .unwrap()
            .spec
            .clone();
        let row = |area: &str, shown: Option<f64>| Row {
            area: area.into(),
            status: if shown.is_some() {
                Status::Ok
            } else {
                Status::HiddenSmall
            },
            raw: shown.map(|x| x / 100.0),
            shown,
            lower: shown.map(|x| x - 1.234_567),
            upper: shown.map(|x| x + 1.0),
            numerator: shown.map(|_| 1234.0),
            denominator: shown.map(|_| 2000.0),
            flag: Some("better".into()),
            sweden: area == "00",
        };
        let csv = view_csv_text(&spec, &[row("00", Some(61.7)), row("01", None)], Lang::Sv);
        assert!(csv.starts_with('\u{feff}'));
        let lines: Vec<&str> = csv.trim_start_matches('\u{feff}').split("\r\n").collect();
        assert_eq!(
            lines[0],
            "Områdeskod;Område;Värde (%);Konfidensintervall nedre;Konfidensintervall övre;Täljare;Nämnare;Status;Jämfört med riket"
        );
        assert_eq!(lines[1], "00;Riket;61,7;60,5;62,7;1234;2000;;");
        assert_eq!(lines[2], "01;Region Stockholm;;;;;;Dold – för få fall;");
        assert_eq!(
            attachment("a", "2024-K1", "csv"),
            "attachment; filename=\"a-2024-K1.csv\""
        );
        assert!(view_xlsx_bytes(&spec, &[row("01", Some(1.0))], "2024-K1", Lang::En).is_ok());
    }
}
