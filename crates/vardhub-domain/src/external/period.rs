//! The period forms external sources publish: a year (`2018`), a span of years (`2017–2018`),
//! a quarter (`2018 kv1`, `2018K1`, `2018-Q1`), a month (`201801`, `2018-01`) and rolling 12
//! months (`R12-2018-06`, `rullande 12 mån 2018-06`, or the twelve months written out as
//! `2017-07–2018-06`).

use crate::{Period, ReportPeriod};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// A period of an external value. Codes: `2018`, `2017-2018`, `2018-K1`, `2018-01`,
/// `R12-2018-06` (the hub's [`ReportPeriod`] codes where one matches).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ExternalPeriod {
    /// A calendar year.
    Year(i32),
    /// Several calendar years, first to last (first < last).
    Span(i32, i32),
    /// A quarter (1–4).
    Quarter(i32, u32),
    /// A month.
    Month(Period),
    /// Twelve months ending with this one.
    Rolling12(Period),
}

/// Why a period cannot be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PeriodProblem {
    /// None of the known forms.
    #[error("okänd periodform / unknown period form")]
    Form,
    /// A year outside 1900–2100.
    #[error("året ligger utanför 1900–2100 / the year is outside 1900–2100")]
    Year,
    /// A span whose last year is not after its first.
    #[error("spannet slutar inte efter att det börjar / the span does not end after it starts")]
    Span,
    /// A month or quarter number out of range.
    #[error("månad eller kvartal utanför intervallet / month or quarter out of range")]
    Part,
}

fn year(s: &str) -> Result<i32, PeriodProblem> {
    if s.len() != 4 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(PeriodProblem::Form);
    }
    let y: i32 = s.parse().map_err(|_| PeriodProblem::Form)?;
    if (1900..=2100).contains(&y) {
        Ok(y)
    } else {
        Err(PeriodProblem::Year)
    }
}

fn digits(s: &str) -> Option<u32> {
    (!s.is_empty() && s.len() <= 2 && s.bytes().all(|b| b.is_ascii_digit()))
        .then(|| s.parse().ok())
        .flatten()
}

/// A month written `201801`, `2018-01`, `2018M01` or `2018 01`.
fn month(s: &str) -> Result<Option<Period>, PeriodProblem> {
    let (y, m) = if s.len() == 6 && s.bytes().all(|b| b.is_ascii_digit()) {
        (&s[..4], &s[4..])
    } else if s.len() >= 6 && s.is_char_boundary(4) && matches!(&s[4..5], "-" | "M" | "m" | " ") {
        (&s[..4], &s[5..])
    } else {
        return Ok(None);
    };
    let Some(m) = digits(m) else {
        return Ok(None);
    };
    let y = year(y)?;
    Period::new(y, m).map(Some).ok_or(PeriodProblem::Part)
}

/// A quarter written `2018 kv1`, `2018 Kv 1`, `2018K1`, `2018-K1`, `2018-Q1`, `2018 Q1`,
/// `2018:1`, `Q1 2018`, `kv1 2018`.
fn quarter(s: &str) -> Result<Option<(i32, u32)>, PeriodProblem> {
    let t = s.to_lowercase();
    let compact: String = t.chars().filter(|c| !c.is_whitespace()).collect();
    let (y, q) = if compact.len() >= 6 && compact.is_char_boundary(4) {
        let (y, rest) = compact.split_at(4);
        if y.bytes().all(|b| b.is_ascii_digit()) {
            let rest = rest.trim_start_matches(['-', ':', '_']);
            let q = rest
                .strip_prefix("kv")
                .or_else(|| rest.strip_prefix("k"))
                .or_else(|| rest.strip_prefix("q"))
                .or_else(|| compact[4..].strip_prefix(':'));
            match q {
                Some(q) => (y.to_owned(), q.to_owned()),
                None => return Ok(None),
            }
        } else {
            // `Q1 2018`, `kv1 2018`.
            let Some(body) = compact
                .strip_prefix("kv")
                .or_else(|| compact.strip_prefix('k'))
                .or_else(|| compact.strip_prefix('q'))
            else {
                return Ok(None);
            };
            if body.len() != 5 {
                return Ok(None);
            }
            (body[1..].to_owned(), body[..1].to_owned())
        }
    } else {
        return Ok(None);
    };
    let Some(q) = digits(&q) else {
        return Ok(None);
    };
    let y = year(&y)?;
    if (1..=4).contains(&q) {
        Ok(Some((y, q)))
    } else {
        Err(PeriodProblem::Part)
    }
}

impl ExternalPeriod {
    /// Parse any of the forms (trimmed; en dash, em dash and hyphen alike).
    pub fn parse(s: &str) -> Result<ExternalPeriod, PeriodProblem> {
        let t = s.trim().replace(['\u{a0}', '\u{202f}'], " ");
        let t = t.trim();
        if t.is_empty() {
            return Err(PeriodProblem::Form);
        }
        // Rolling 12 months, named.
        let lower = t.to_lowercase();
        for prefix in [
            "r12-",
            "r12 ",
            "rullande 12 mån t.o.m. ",
            "rullande 12 mån ",
            "rullande 12 ",
            "rolling 12 months to ",
            "rolling 12 ",
        ] {
            if let Some(rest) = lower.strip_prefix(prefix) {
                return match month(rest.trim())? {
                    Some(m) => Ok(ExternalPeriod::Rolling12(m)),
                    None => Err(PeriodProblem::Form),
                };
            }
        }
        // Spans: years or (twelve) months around a dash.
        for dash in ['–', '—', '/'] {
            if let Some((a, b)) = t.split_once(dash) {
                return span(a.trim(), b.trim());
            }
        }
        if t.len() == 9 && t.as_bytes()[4] == b'-' {
            return span(&t[..4], &t[5..]);
        }
        if t.len() >= 15 && t.matches('-').count() == 3 {
            // `2017-07-2018-06`.
            return span(&t[..7], &t[8..]);
        }
        if t.len() == 4 {
            return year(t).map(ExternalPeriod::Year);
        }
        if let Some((y, q)) = quarter(t)? {
            return Ok(ExternalPeriod::Quarter(y, q));
        }
        if let Some(m) = month(t)? {
            return Ok(ExternalPeriod::Month(m));
        }
        Err(PeriodProblem::Form)
    }

    /// The code: `2018`, `2017-2018`, `2018-K1`, `2018-01`, `R12-2018-06`.
    pub fn code(&self) -> String {
        match self {
            ExternalPeriod::Year(y) => y.to_string(),
            ExternalPeriod::Span(a, b) => format!("{a}-{b}"),
            ExternalPeriod::Quarter(y, q) => format!("{y}-K{q}"),
            ExternalPeriod::Month(m) => m.to_string(),
            ExternalPeriod::Rolling12(m) => format!("R12-{m}"),
        }
    }

    /// The kind's code: `year`, `span`, `quarter`, `month`, `rolling12`.
    pub fn kind(&self) -> &'static str {
        match self {
            ExternalPeriod::Year(_) => "year",
            ExternalPeriod::Span(..) => "span",
            ExternalPeriod::Quarter(..) => "quarter",
            ExternalPeriod::Month(_) => "month",
            ExternalPeriod::Rolling12(_) => "rolling12",
        }
    }

    /// The hub's report period of the same months (none for a span of years).
    pub fn report_period(&self) -> Option<ReportPeriod> {
        match *self {
            ExternalPeriod::Year(y) => Some(ReportPeriod::Year(y)),
            ExternalPeriod::Span(..) => None,
            ExternalPeriod::Quarter(y, q) => Some(ReportPeriod::Quarter(y, q)),
            ExternalPeriod::Month(m) => Some(ReportPeriod::Month(m)),
            ExternalPeriod::Rolling12(m) => Some(ReportPeriod::Rolling12(m)),
        }
    }

    /// A label: `2018`, `2017–2018`, `2018 kv 1` / `2018 Q1`, `2018-01`, `R12 t.o.m. 2018-06` /
    /// `12 months to 2018-06`.
    pub fn label(&self, swedish: bool) -> String {
        match self {
            ExternalPeriod::Year(y) => y.to_string(),
            ExternalPeriod::Span(a, b) => format!("{a}–{b}"),
            ExternalPeriod::Quarter(y, q) if swedish => format!("{y} kv {q}"),
            ExternalPeriod::Quarter(y, q) => format!("{y} Q{q}"),
            ExternalPeriod::Month(m) => m.to_string(),
            ExternalPeriod::Rolling12(m) if swedish => format!("12 mån t.o.m. {m}"),
            ExternalPeriod::Rolling12(m) => format!("12 months to {m}"),
        }
    }
}

/// `2017–2018` (years) or `2017-07–2018-06` (exactly twelve months: rolling 12).
fn span(a: &str, b: &str) -> Result<ExternalPeriod, PeriodProblem> {
    if a.len() == 4 && b.len() == 4 {
        let (a, b) = (year(a)?, year(b)?);
        return if a < b {
            Ok(ExternalPeriod::Span(a, b))
        } else {
            Err(PeriodProblem::Span)
        };
    }
    match (month(a)?, month(b)?) {
        (Some(from), Some(to)) if Period::months_between(from, to) == 11 => {
            Ok(ExternalPeriod::Rolling12(to))
        }
        (Some(_), Some(_)) => Err(PeriodProblem::Span),
        _ => Err(PeriodProblem::Form),
    }
}

impl fmt::Display for ExternalPeriod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.code())
    }
}

impl Serialize for ExternalPeriod {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.code())
    }
}

impl<'de> Deserialize<'de> for ExternalPeriod {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        ExternalPeriod::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(s: &str) -> Result<String, PeriodProblem> {
        ExternalPeriod::parse(s).map(|p| p.code())
    }

    #[test]
    fn every_form_sources_use() {
        let cases = [
            ("2018", "2018"),
            ("2017–2018", "2017-2018"),
            ("2017-2018", "2017-2018"),
            ("2017 — 2018", "2017-2018"),
            ("2018 kv1", "2018-K1"),
            ("2018 Kv 2", "2018-K2"),
            ("2018K3", "2018-K3"),
            ("2018-Q4", "2018-K4"),
            ("Q1 2019", "2019-K1"),
            ("201801", "2018-01"),
            ("2018-12", "2018-12"),
            ("R12-2018-06", "R12-2018-06"),
            ("rullande 12 mån t.o.m. 2018-06", "R12-2018-06"),
            ("2017-07–2018-06", "R12-2018-06"),
        ];
        for (input, want) in cases {
            assert_eq!(code(input).as_deref(), Ok(want), "{input}");
        }
    }

    #[test]
    fn bad_periods_say_why() {
        assert_eq!(code("2018 kv5"), Err(PeriodProblem::Part));
        assert_eq!(code("201813"), Err(PeriodProblem::Part));
        assert_eq!(code("2019–2018"), Err(PeriodProblem::Span));
        assert_eq!(code("1850"), Err(PeriodProblem::Year));
        assert_eq!(code("våren 2018"), Err(PeriodProblem::Form));
        assert_eq!(code("2017-03–2018-06"), Err(PeriodProblem::Span));
        assert_eq!(code(""), Err(PeriodProblem::Form));
    }

    #[test]
    fn report_periods_match_where_they_exist() {
        assert_eq!(
            ExternalPeriod::parse("2018 kv1").unwrap().report_period(),
            Some(ReportPeriod::Quarter(2018, 1))
        );
        assert_eq!(
            ExternalPeriod::parse("2017–2018").unwrap().report_period(),
            None
        );
    }
}
