//! Periods that results are published for: a month, a quarter, a calendar year, or the twelve
//! months ending with a month (rolling 12).
//!
//! Text forms (what tables, URLs and files carry): `2024-03` (month), `2024-K1` (quarter,
//! *kvartal*), `2024` (year), `R12-2024-03` (the 12 months April 2023 – March 2024).
//! Every longer period is a set of whole months ([`ReportPeriod::months`]), so a longer period's
//! sums are exactly the sums of its months.

use std::fmt;

use crate::period::{Period, PeriodError};

/// The kind of a [`ReportPeriod`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PeriodKind {
    /// A calendar month.
    Month,
    /// A calendar quarter.
    Quarter,
    /// A calendar year.
    Year,
    /// The 12 months ending with a month.
    Rolling12,
}

impl PeriodKind {
    /// All kinds, finest first.
    pub const ALL: [PeriodKind; 4] = [
        PeriodKind::Month,
        PeriodKind::Quarter,
        PeriodKind::Year,
        PeriodKind::Rolling12,
    ];

    /// The code used in recipes and APIs (`month`, `quarter`, `year`, `rolling12`).
    pub fn code(self) -> &'static str {
        match self {
            PeriodKind::Month => "month",
            PeriodKind::Quarter => "quarter",
            PeriodKind::Year => "year",
            PeriodKind::Rolling12 => "rolling12",
        }
    }

    /// Parse a code.
    pub fn parse(s: &str) -> Option<PeriodKind> {
        PeriodKind::ALL.into_iter().find(|k| k.code() == s)
    }

    /// Swedish name.
    pub fn name_sv(self) -> &'static str {
        match self {
            PeriodKind::Month => "månad",
            PeriodKind::Quarter => "kvartal",
            PeriodKind::Year => "år",
            PeriodKind::Rolling12 => "rullande 12 månader",
        }
    }

    /// English name.
    pub fn name_en(self) -> &'static str {
        match self {
            PeriodKind::Month => "month",
            PeriodKind::Quarter => "quarter",
            PeriodKind::Year => "year",
            PeriodKind::Rolling12 => "rolling 12 months",
        }
    }
}

/// A period results are published for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ReportPeriod {
    /// One month.
    Month(Period),
    /// A quarter: year and quarter number 1–4.
    Quarter(i32, u32),
    /// A calendar year.
    Year(i32),
    /// The 12 months ending with (and including) this month.
    Rolling12(Period),
}

impl ReportPeriod {
    /// The kind.
    pub fn kind(self) -> PeriodKind {
        match self {
            ReportPeriod::Month(_) => PeriodKind::Month,
            ReportPeriod::Quarter(..) => PeriodKind::Quarter,
            ReportPeriod::Year(_) => PeriodKind::Year,
            ReportPeriod::Rolling12(_) => PeriodKind::Rolling12,
        }
    }

    /// The period of `kind` that ends with or contains `month`: for rolling 12, the 12 months
    /// ending with it.
    pub fn of(kind: PeriodKind, month: Period) -> ReportPeriod {
        match kind {
            PeriodKind::Month => ReportPeriod::Month(month),
            PeriodKind::Quarter => ReportPeriod::Quarter(month.year(), (month.month() - 1) / 3 + 1),
            PeriodKind::Year => ReportPeriod::Year(month.year()),
            PeriodKind::Rolling12 => ReportPeriod::Rolling12(month),
        }
    }

    /// Every period of `kind` that contains `month` (one, or twelve rolling periods).
    pub fn containing(kind: PeriodKind, month: Period) -> Vec<ReportPeriod> {
        match kind {
            PeriodKind::Rolling12 => (0..12)
                .filter_map(|k| shift(month, k))
                .map(ReportPeriod::Rolling12)
                .collect(),
            _ => vec![ReportPeriod::of(kind, month)],
        }
    }

    /// The months of the period, in order.
    pub fn months(self) -> Vec<Period> {
        let range = |first: Option<Period>, n: i32| -> Vec<Period> {
            first.map_or_else(Vec::new, |f| (0..n).filter_map(|k| shift(f, k)).collect())
        };
        match self {
            ReportPeriod::Month(m) => vec![m],
            ReportPeriod::Quarter(y, q) => range(Period::new(y, (q - 1) * 3 + 1), 3),
            ReportPeriod::Year(y) => range(Period::new(y, 1), 12),
            ReportPeriod::Rolling12(end) => range(shift(end, -11), 12),
        }
    }

    /// The periods of the next finer published kind whose sums make up this one, given which
    /// kinds are published: a quarter its months, a year its quarters (or months), a rolling 12
    /// its months (or, ending a quarter, its four quarters). Empty when no finer kind adds up to it.
    pub fn parts(self, published: &[PeriodKind]) -> Vec<ReportPeriod> {
        let has = |k: PeriodKind| published.contains(&k);
        let months = || self.months().into_iter().map(ReportPeriod::Month).collect();
        match self {
            ReportPeriod::Month(_) => Vec::new(),
            ReportPeriod::Quarter(..) if has(PeriodKind::Month) => months(),
            ReportPeriod::Quarter(..) => Vec::new(),
            ReportPeriod::Year(y) if has(PeriodKind::Quarter) => {
                (1..=4).map(|q| ReportPeriod::Quarter(y, q)).collect()
            }
            ReportPeriod::Rolling12(end) if has(PeriodKind::Quarter) && end.month() % 3 == 0 => (0
                ..4)
                .filter_map(|k| shift(end, -3 * k))
                .rev()
                .map(|m| ReportPeriod::of(PeriodKind::Quarter, m))
                .collect(),
            ReportPeriod::Year(_) | ReportPeriod::Rolling12(_) if has(PeriodKind::Month) => {
                months()
            }
            ReportPeriod::Year(_) | ReportPeriod::Rolling12(_) => Vec::new(),
        }
    }

    /// The last month of the period.
    pub fn last_month(self) -> Period {
        *self
            .months()
            .last()
            .unwrap_or_else(|| unreachable!("every period has months"))
    }

    /// Parse a text form (`2024-03`, `2024-K1`, `2024`, `R12-2024-03`).
    pub fn parse(s: &str) -> Result<ReportPeriod, PeriodError> {
        let t = s.trim();
        if let Some(end) = t.strip_prefix("R12-") {
            return Ok(ReportPeriod::Rolling12(Period::parse(end)?));
        }
        if let Some((y, q)) = t.split_once("-K") {
            let year = year(y)?;
            let q: u32 = match q {
                "1" | "2" | "3" | "4" => q.parse().map_err(|_| PeriodError::Format)?,
                _ => return Err(PeriodError::Format),
            };
            return Ok(ReportPeriod::Quarter(year, q));
        }
        if t.len() == 4 {
            return Ok(ReportPeriod::Year(year(t)?));
        }
        Ok(ReportPeriod::Month(Period::parse(t)?))
    }
}

fn year(y: &str) -> Result<i32, PeriodError> {
    if y.len() != 4 || !y.bytes().all(|b| b.is_ascii_digit()) {
        return Err(PeriodError::Format);
    }
    let year: i32 = y.parse().map_err(|_| PeriodError::Format)?;
    Period::new(year, 1)
        .map(|p| p.year())
        .ok_or(PeriodError::OutOfRange)
}

/// `month` moved by `k` months (None outside the years periods allow).
fn shift(month: Period, k: i32) -> Option<Period> {
    let index = month.year() * 12 + month.month() as i32 - 1 + k;
    Period::new(index.div_euclid(12), (index.rem_euclid(12) + 1) as u32)
}

impl fmt::Display for ReportPeriod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReportPeriod::Month(m) => write!(f, "{m}"),
            ReportPeriod::Quarter(y, q) => write!(f, "{y}-K{q}"),
            ReportPeriod::Year(y) => write!(f, "{y}"),
            ReportPeriod::Rolling12(end) => write!(f, "R12-{end}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> ReportPeriod {
        ReportPeriod::parse(s).unwrap()
    }

    #[test]
    fn text_forms_round_trip() {
        for s in ["2024-03", "2024-K1", "2024-K4", "2024", "R12-2024-03"] {
            assert_eq!(p(s).to_string(), s);
        }
        for bad in [
            "2024-K5", "2024-K", "R12-2024", "24", "2024-13", "R12-", "abcd",
        ] {
            assert!(ReportPeriod::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn longer_periods_are_whole_months() {
        let m = |s: &str| Period::parse(s).unwrap();
        assert_eq!(
            p("2024-K2").months(),
            vec![m("2024-04"), m("2024-05"), m("2024-06")]
        );
        assert_eq!(p("2024").months().len(), 12);
        let r = p("R12-2024-03").months();
        assert_eq!((r[0], r[11], r.len()), (m("2023-04"), m("2024-03"), 12));
        assert_eq!(
            ReportPeriod::containing(PeriodKind::Rolling12, m("2024-01"))
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()[..2],
            ["R12-2024-01".to_owned(), "R12-2024-02".to_owned()]
        );
        assert_eq!(
            ReportPeriod::of(PeriodKind::Quarter, m("2024-12")),
            p("2024-K4")
        );
    }

    #[test]
    fn parts_add_up_to_the_whole() {
        let all = PeriodKind::ALL;
        for s in ["2024-K3", "2024", "R12-2024-06", "R12-2024-05"] {
            let whole = p(s);
            let mut months: Vec<Period> = whole
                .parts(&all)
                .into_iter()
                .flat_map(ReportPeriod::months)
                .collect();
            months.sort();
            assert_eq!(months, whole.months(), "{s}");
        }
        assert_eq!(p("2024").parts(&all).len(), 4, "a year of quarters");
        assert_eq!(
            p("R12-2024-05").parts(&all).len(),
            12,
            "not at a quarter end: months"
        );
        assert!(p("2024-K1").parts(&[PeriodKind::Quarter]).is_empty());
        assert_eq!(
            p("2024")
                .parts(&[PeriodKind::Year, PeriodKind::Month])
                .len(),
            12
        );
    }
}
