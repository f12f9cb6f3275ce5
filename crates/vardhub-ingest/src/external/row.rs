//! One data row of an external file: every cell parsed into the domain's types, every problem a
//! finding with line, field, rule and the masked value. A row with an error is left out; a
//! warning keeps it.

use super::columns::Field;
use super::number::{parse_count, parse_interval, parse_number};
use crate::report::{Issue, IssueSink, Severity};
use vardhub_domain::external::{
    AreaProblem, ExternalArea, ExternalIndicatorId, ExternalPeriod, ExternalSex, ExternalValue,
    PeriodProblem, SourceId, SourceStatus,
};

/// The cells of one row by field (trimmed; empty cells are `None`).
pub(crate) struct Cells<'a> {
    pub(crate) cells: Vec<(Field, &'a str)>,
    pub(crate) line: u64,
}

impl Cells<'_> {
    fn get(&self, f: Field) -> Option<&str> {
        self.cells
            .iter()
            .find(|(g, _)| *g == f)
            .map(|(_, v)| v.trim())
            .filter(|v| !v.is_empty())
    }
}

/// Findings of one row, told to the file's sink.
struct Row<'s> {
    file: &'s str,
    line: u64,
    sink: &'s mut IssueSink,
    errors: u32,
}

impl Row<'_> {
    fn push(
        &mut self,
        sev: Severity,
        rule: &'static str,
        f: Field,
        raw: Option<&str>,
        sv: String,
        en: String,
    ) {
        if sev != Severity::Warning {
            self.errors += 1;
        }
        let mut issue = Issue::new(sev, rule, sv, en)
            .in_file(self.file)
            .at_row(self.line)
            .field(f.name());
        if let Some(raw) = raw {
            issue = issue.value(raw, false);
        }
        self.sink.push(issue);
    }
    fn error(&mut self, rule: &'static str, f: Field, raw: Option<&str>, sv: &str, en: &str) {
        self.push(Severity::Error, rule, f, raw, sv.to_owned(), en.to_owned());
    }
    fn warn(&mut self, rule: &'static str, f: Field, raw: Option<&str>, sv: &str, en: &str) {
        self.push(
            Severity::Warning,
            rule,
            f,
            raw,
            sv.to_owned(),
            en.to_owned(),
        );
    }
}

/// Validate one row; `None` when it is left out (its errors are in `sink`).
pub(crate) fn validate(
    cells: &Cells<'_>,
    source: SourceId,
    file: &str,
    sink: &mut IssueSink,
) -> Option<ExternalValue> {
    let mut r = Row {
        file,
        line: cells.line,
        sink,
        errors: 0,
    };
    if let Some(raw) = cells.get(Field::Source)
        && SourceId::parse(raw).ok() != Some(source)
    {
        r.error(
            "source_mismatch",
            Field::Source,
            Some(raw),
            &format!("raden anger en annan källa än importens ({source})"),
            &format!("the row names another source than the import's ({source})"),
        );
    }
    let indicator_raw = cells.get(Field::Indicator);
    let indicator = indicator_raw.and_then(ExternalIndicatorId::from_label);
    if indicator.is_none() {
        r.error(
            "mandatory",
            Field::Indicator,
            indicator_raw,
            "indikator saknas eller innehåller inga bokstäver eller siffror",
            "the indicator is missing or has no letters or digits",
        );
    }
    let area_raw = cells.get(Field::Area);
    let area = match ExternalArea::parse(area_raw.unwrap_or("")) {
        Ok(a) => Some(a),
        Err(AreaProblem::UnitWithoutCodeList) => {
            r.error(
                "unit_without_code_list",
                Field::Area,
                area_raw,
                "enheter och sjukhus kan inte kopplas till hubbens koder: det finns ingen kodlista för källans enheter; leverera regionens eller rikets värde",
                "units and hospitals cannot be mapped to the hub's codes: there is no code list for the source's units; deliver the region's or Sweden's value",
            );
            None
        }
        Err(AreaProblem::Unknown) => {
            r.error(
                "area",
                Field::Area,
                area_raw,
                "varken Riket eller en region: ange länskod (01–25) eller regionens namn",
                "neither Sweden (Riket) nor a region: give the county code (01–25) or the region's name",
            );
            None
        }
    };
    let period_raw = cells.get(Field::Period);
    let period = match ExternalPeriod::parse(period_raw.unwrap_or("")) {
        Ok(p) => Some(p),
        Err(e) => {
            let (sv, en) = match e {
                PeriodProblem::Form => (
                    "okänd periodform; använd t.ex. 2018, 2017–2018, 2018 kv1, 201801 eller R12-2018-06",
                    "unknown period form; use e.g. 2018, 2017–2018, 2018 kv1, 201801 or R12-2018-06",
                ),
                PeriodProblem::Year => (
                    "året ligger utanför 1900–2100",
                    "the year is outside 1900–2100",
                ),
                PeriodProblem::Span => (
                    "perioden slutar inte efter att den börjar (eller är inte tolv månader)",
                    "the period does not end after it starts (or is not twelve months)",
                ),
                PeriodProblem::Part => (
                    "månad (1–12) eller kvartal (1–4) utanför intervallet",
                    "month (1–12) or quarter (1–4) out of range",
                ),
            };
            r.error("period", Field::Period, period_raw, sv, en);
            None
        }
    };
    let sex_raw = cells.get(Field::Sex);
    let sex = match sex_raw {
        None => Some(ExternalSex::Total),
        Some(s) => {
            let sex = ExternalSex::parse(s);
            if sex.is_none() {
                r.error(
                    "sex",
                    Field::Sex,
                    Some(s),
                    "okänt kön: använd Kvinnor, Män eller Totalt",
                    "unknown sex: use Kvinnor (women), Män (men) or Totalt (both)",
                );
            }
            sex
        }
    };
    let (mut status, value) = value_and_status(&mut r, cells);
    let numerator = count(&mut r, cells, Field::Numerator, &mut status);
    let denominator = count(&mut r, cells, Field::Denominator, &mut status);
    if let (Some(x), Some(n)) = (numerator, denominator)
        && x > n
    {
        r.error(
            "numerator_gt_denominator",
            Field::Numerator,
            cells.get(Field::Numerator),
            &format!("täljaren är större än nämnaren ({n})"),
            &format!("the numerator is larger than the denominator ({n})"),
        );
    }
    let (lower, upper) = interval(&mut r, cells, value);
    let footnote = cells.get(Field::Footnote).map(|f| {
        if vardhub_domain::contains_identity_number(f) {
            r.warn(
                "identity_number",
                Field::Footnote,
                Some(f),
                "fotnoten innehåller något som kan vara ett personnummer; det är maskerat och lagras aldrig",
                "the footnote holds what may be an identity number; it is masked and never stored",
            );
        }
        vardhub_domain::mask_identity_numbers(f).into_owned()
    });
    if r.errors > 0 {
        return None;
    }
    let value = if status == SourceStatus::Value {
        value
    } else {
        None
    };
    Some(ExternalValue {
        indicator: indicator?,
        indicator_name: vardhub_domain::mask_identity_numbers(indicator_raw?).into_owned(),
        area: area?,
        period: period?,
        sex: sex?,
        status,
        value,
        numerator,
        denominator,
        lower,
        upper,
        footnote,
        line: cells.line,
    })
}

/// The value and the source's status: a marker in the value cell, the status column, or a
/// number.
fn value_and_status(r: &mut Row<'_>, cells: &Cells<'_>) -> (SourceStatus, Option<f64>) {
    let raw = cells.get(Field::Value);
    let stated = cells.get(Field::Status).and_then(|s| {
        let st = SourceStatus::from_status_text(s);
        if st.is_none() {
            r.warn(
                "status",
                Field::Status,
                Some(s),
                "okänd status; värdet läses som det står",
                "unknown status; the value is read as written",
            );
        }
        st
    });
    let marker = raw.and_then(SourceStatus::from_marker);
    if let Some(m) = marker {
        return (m, None);
    }
    let number = raw.map(|s| (s, parse_number(s)));
    match (number, stated) {
        (Some((s, None)), _) => {
            r.error(
                "type",
                Field::Value,
                Some(s),
                "värdet är varken ett tal eller en känd prickmarkering (.., ., -, x, *, <5, Uppgift saknas, för få)",
                "the value is neither a number nor a known marker (.., ., -, x, *, <5, Uppgift saknas, för få)",
            );
            (SourceStatus::Value, None)
        }
        (Some((s, Some(n))), stated) => {
            if n.dot_as_thousands {
                r.warn(
                    "number_dot",
                    Field::Value,
                    Some(s),
                    "punkten lästes som tusentalsavgränsare",
                    "the dot was read as a thousands separator",
                );
            }
            match stated {
                // The source hid the value in its status column: it stays hidden.
                Some(st) if st != SourceStatus::Value => (st, None),
                _ => (SourceStatus::Value, Some(n.value)),
            }
        }
        (None, Some(st)) if st != SourceStatus::Value => (st, None),
        (None, _) => {
            r.error(
                "mandatory",
                Field::Value,
                None,
                "värde saknas och ingen status eller prickmarkering anger varför",
                "the value is missing and no status or marker says why",
            );
            (SourceStatus::Value, None)
        }
    }
}

/// A whole count; a suppression marker in it makes the row suppressed (the source hid a small
/// count, so its value stays hidden too).
fn count(r: &mut Row<'_>, cells: &Cells<'_>, f: Field, status: &mut SourceStatus) -> Option<u64> {
    let raw = cells.get(f)?;
    if let Some(m) = SourceStatus::from_marker(raw) {
        if m == SourceStatus::Suppressed {
            *status = SourceStatus::Suppressed;
        }
        return None;
    }
    let n = parse_count(raw);
    if n.is_none() {
        r.error(
            "type",
            f,
            Some(raw),
            "ska vara ett icke-negativt heltal",
            "must be a non-negative whole number",
        );
    }
    n
}

/// The interval: two columns or one `KI` cell; a value outside it or limits in the wrong order
/// are warnings (and the limits are dropped).
fn interval(r: &mut Row<'_>, cells: &Cells<'_>, value: Option<f64>) -> (Option<f64>, Option<f64>) {
    let mut limit = |f: Field| {
        let raw = cells.get(f)?;
        if SourceStatus::from_marker(raw).is_some() {
            return None;
        }
        let n = parse_number(raw).map(|n| n.value);
        if n.is_none() {
            r.error("type", f, Some(raw), "ska vara ett tal", "must be a number");
        }
        n
    };
    let (lower, upper) = (limit(Field::Lower), limit(Field::Upper));
    let (lower, upper) = match (lower, upper, cells.get(Field::Interval)) {
        (None, None, Some(raw)) if SourceStatus::from_marker(raw).is_none() => {
            match parse_interval(raw) {
                Some((a, b)) => (Some(a), Some(b)),
                None => {
                    r.error(
                        "type",
                        Field::Interval,
                        Some(raw),
                        "intervallet ska skrivas som två tal, t.ex. 12,3–15,6",
                        "the interval must be two numbers, e.g. 12,3–15,6",
                    );
                    (None, None)
                }
            }
        }
        (l, u, _) => (l, u),
    };
    if let (Some(l), Some(u)) = (lower, upper) {
        let outside = value.is_some_and(|v| v < l || v > u);
        if l > u || outside {
            r.warn(
                "interval",
                Field::Interval,
                None,
                "intervallets gränser står i fel ordning eller omfattar inte värdet; intervallet utelämnas",
                "the interval's limits are in the wrong order or do not contain the value; the interval is left out",
            );
            return (None, None);
        }
    }
    (lower, upper)
}
