//! Reporting periods: calendar months.
//!
//! A [`Period`] is a year and a month, ordered chronologically, displayed and serialised as
//! `"YYYY-MM"`. Years are restricted to 1000–9999 so the text form is always exactly seven
//! characters and round-trips.

use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// An invalid period string or value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PeriodError {
    /// Not of the form `YYYY-MM` or `YYYYMM`.
    #[error(
        "ogiltig period, förväntat ÅÅÅÅ-MM eller ÅÅÅÅMM / invalid period, expected YYYY-MM or YYYYMM"
    )]
    Format,
    /// Month outside 1–12 or year outside 1000–9999.
    #[error(
        "period utanför giltigt intervall (månad 1–12, år 1000–9999) / period out of range (month 1–12, year 1000–9999)"
    )]
    OutOfRange,
}

/// A calendar month (`2024-03`).
///
/// Field order makes the derived ordering chronological.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Period {
    year: i32,
    month: u32,
}

impl Period {
    const MIN_YEAR: i32 = 1000;
    const MAX_YEAR: i32 = 9999;

    /// The period `year`-`month`; `None` unless `month` is 1–12 and `year` is 1000–9999.
    pub fn new(year: i32, month: u32) -> Option<Period> {
        ((1..=12).contains(&month) && (Self::MIN_YEAR..=Self::MAX_YEAR).contains(&year))
            .then_some(Period { year, month })
    }

    /// Parse `"2024-03"` or `"202403"` (surrounding whitespace is ignored).
    pub fn parse(s: &str) -> Result<Period, PeriodError> {
        let t = s.trim();
        let (y, m) = match t.len() {
            7 if t.as_bytes()[4] == b'-' => (&t[..4], &t[5..]),
            6 if t.is_ascii() => (&t[..4], &t[4..]),
            _ => return Err(PeriodError::Format),
        };
        let digits = |p: &str| p.bytes().all(|b| b.is_ascii_digit());
        if !digits(y) || !digits(m) {
            return Err(PeriodError::Format);
        }
        let year: i32 = y.parse().map_err(|_| PeriodError::Format)?;
        let month: u32 = m.parse().map_err(|_| PeriodError::Format)?;
        Period::new(year, month).ok_or(PeriodError::OutOfRange)
    }

    /// The month containing `date`.
    ///
    /// # Panics
    /// If the year of `date` is outside 1000–9999.
    pub fn of(date: NaiveDate) -> Period {
        match Period::new(date.year(), date.month()) {
            Some(p) => p,
            None => panic!("date outside the supported period range (years 1000–9999)"),
        }
    }

    /// The year.
    pub fn year(self) -> i32 {
        self.year
    }

    /// The month, 1–12.
    pub fn month(self) -> u32 {
        self.month
    }

    /// The first day of the month.
    pub fn first_day(self) -> NaiveDate {
        // Valid by construction (year 1000–9999, month 1–12).
        NaiveDate::from_ymd_opt(self.year, self.month, 1).unwrap_or(NaiveDate::MIN)
    }

    /// The last day of the month (29 February in leap years).
    pub fn last_day(self) -> NaiveDate {
        let next_first = match self.checked_next() {
            Some(n) => n.first_day(),
            // 9999-12: chrono supports year 10000, so this cannot fail either.
            None => NaiveDate::from_ymd_opt(self.year + 1, 1, 1).unwrap_or(NaiveDate::MAX),
        };
        next_first.pred_opt().unwrap_or(NaiveDate::MAX)
    }

    /// The number of days in the month.
    pub fn days(self) -> u32 {
        self.last_day().day()
    }

    /// Whether `date` falls in this month.
    pub fn contains(self, date: NaiveDate) -> bool {
        date.year() == self.year && date.month() == self.month
    }

    /// The following month (December → January of the next year).
    ///
    /// # Panics
    /// On `9999-12`; use [`Period::checked_next`] to avoid that.
    pub fn next(self) -> Period {
        match self.checked_next() {
            Some(p) => p,
            None => panic!("period overflow after 9999-12"),
        }
    }

    /// The preceding month (January → December of the previous year).
    ///
    /// # Panics
    /// On `1000-01`; use [`Period::checked_prev`] to avoid that.
    pub fn prev(self) -> Period {
        match self.checked_prev() {
            Some(p) => p,
            None => panic!("period underflow before 1000-01"),
        }
    }

    /// The following month, or `None` after 9999-12.
    pub fn checked_next(self) -> Option<Period> {
        Period::from_index(self.index() + 1)
    }

    /// The preceding month, or `None` before 1000-01.
    pub fn checked_prev(self) -> Option<Period> {
        Period::from_index(self.index() - 1)
    }

    /// The period `n` months later (earlier if `n` is negative), or `None` if out of range.
    pub fn checked_add_months(self, n: i32) -> Option<Period> {
        Period::from_index(self.index().checked_add(n)?)
    }

    /// Months from `a` to `b`: `b − a` (negative if `b` is before `a`;
    /// `months_between(2023-12, 2024-01) == 1`).
    pub fn months_between(a: Period, b: Period) -> i32 {
        b.index() - a.index()
    }

    /// Every month from `from` to `to`, both inclusive; empty if `to < from`.
    pub fn range(from: Period, to: Period) -> impl DoubleEndedIterator<Item = Period> + Clone {
        (from.index()..=to.index()).filter_map(Period::from_index)
    }

    /// Months since year 0, January.
    fn index(self) -> i32 {
        self.year * 12 + (self.month as i32 - 1)
    }

    fn from_index(i: i32) -> Option<Period> {
        Period::new(i.div_euclid(12), i.rem_euclid(12) as u32 + 1)
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

impl fmt::Debug for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Period({self})")
    }
}

impl FromStr for Period {
    type Err = PeriodError;
    fn from_str(s: &str) -> Result<Self, PeriodError> {
        Period::parse(s)
    }
}

impl TryFrom<String> for Period {
    type Error = PeriodError;
    fn try_from(s: String) -> Result<Self, PeriodError> {
        Period::parse(&s)
    }
}

impl From<Period> for String {
    fn from(p: Period) -> String {
        p.to_string()
    }
}

impl Serialize for Period {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Period {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = std::borrow::Cow::<'de, str>::deserialize(deserializer)?;
        Period::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Period {
        Period::parse(s).unwrap()
    }

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn parse_and_display() {
        assert_eq!(p("2024-03"), Period::new(2024, 3).unwrap());
        assert_eq!(p("202403"), Period::new(2024, 3).unwrap());
        assert_eq!(p(" 2024-03 "), p("202403"));
        assert_eq!(p("2024-03").to_string(), "2024-03");
        assert_eq!(p("2024-12").year(), 2024);
        assert_eq!(p("2024-12").month(), 12);
        assert_eq!(format!("{:?}", p("2024-03")), "Period(2024-03)");
        for bad in [
            "",
            "2024",
            "2024-3",
            "2024/03",
            "24-03",
            "2024-003",
            "+20403",
            "2024-0x",
            "2024–03",
        ] {
            assert_eq!(Period::parse(bad), Err(PeriodError::Format), "{bad}");
        }
        for bad in ["2024-00", "2024-13", "202400", "0999-01"] {
            assert_eq!(Period::parse(bad), Err(PeriodError::OutOfRange), "{bad}");
        }
        assert_eq!(Period::new(2024, 0), None);
        assert_eq!(Period::new(2024, 13), None);
        assert!("2024-05".parse::<Period>().is_ok());
    }

    #[test]
    fn days_and_contains() {
        let mar = p("2024-03");
        assert_eq!(mar.first_day(), d(2024, 3, 1));
        assert_eq!(mar.last_day(), d(2024, 3, 31));
        assert!(mar.contains(d(2024, 3, 15)));
        assert!(!mar.contains(d(2024, 4, 1)));
        assert!(!mar.contains(d(2023, 3, 15)));
        assert_eq!(p("2024-02").last_day(), d(2024, 2, 29)); // leap year
        assert_eq!(p("2023-02").last_day(), d(2023, 2, 28));
        assert_eq!(p("1900-02").days(), 28); // not a leap year
        assert_eq!(p("2000-02").days(), 29); // is a leap year
        assert_eq!(p("2024-12").last_day(), d(2024, 12, 31));
        assert_eq!(p("9999-12").last_day(), d(9999, 12, 31));
        assert_eq!(Period::of(d(2024, 2, 29)), p("2024-02"));
    }

    #[test]
    fn next_prev_across_years() {
        assert_eq!(p("2024-12").next(), p("2025-01"));
        assert_eq!(p("2025-01").prev(), p("2024-12"));
        assert_eq!(p("2024-03").next(), p("2024-04"));
        assert_eq!(p("9999-12").checked_next(), None);
        assert_eq!(p("1000-01").checked_prev(), None);
        assert_eq!(p("2024-11").checked_add_months(3), Some(p("2025-02")));
        assert_eq!(p("2024-01").checked_add_months(-13), Some(p("2022-12")));
    }

    #[test]
    fn ranges_and_ordering() {
        assert!(p("2023-12") < p("2024-01"));
        assert!(p("2024-02") < p("2024-10"));
        assert_eq!(Period::months_between(p("2023-12"), p("2024-01")), 1);
        assert_eq!(Period::months_between(p("2024-03"), p("2023-03")), -12);
        let r: Vec<String> = Period::range(p("2023-11"), p("2024-02"))
            .map(|x| x.to_string())
            .collect();
        assert_eq!(r, ["2023-11", "2023-12", "2024-01", "2024-02"]);
        assert_eq!(Period::range(p("2024-02"), p("2024-02")).count(), 1);
        assert_eq!(Period::range(p("2024-03"), p("2024-02")).count(), 0);
        assert_eq!(Period::range(p("2000-01"), p("2024-12")).count(), 300);
    }

    #[test]
    fn serde_as_string() {
        let x = p("2024-03");
        assert_eq!(serde_json::to_string(&x).unwrap(), "\"2024-03\"");
        assert_eq!(serde_json::from_str::<Period>("\"2024-03\"").unwrap(), x);
        assert_eq!(serde_json::from_str::<Period>("\"202403\"").unwrap(), x);
        assert!(serde_json::from_str::<Period>("\"2024-13\"").is_err());
    }
}
