//! Compact calendar arithmetic: days and minutes counted from 2000-01-01 00:00, and the Swedish
//! delivery formats (`ÅÅÅÅ-MM-DD`, `ÅÅÅÅ-MM-DD tt:mm`).

#[cfg(test)]
use chrono::Weekday;
use chrono::{Datelike, NaiveDate};
use vardhub_domain::Period;

/// Days since 2000-01-01 (negative before).
pub(crate) type Day = i32;
/// Minutes since 2000-01-01 00:00.
pub(crate) type Min = i32;

/// Minutes per day.
pub(crate) const DAY_MIN: Min = 1440;
/// "No such day" (e.g. no death).
pub(crate) const NEVER: Day = i32::MAX;

const EPOCH_CE: i32 = 730_120; // NaiveDate(2000-01-01).num_days_from_ce()

/// The day of a date.
pub(crate) fn day_of(d: NaiveDate) -> Day {
    d.num_days_from_ce() - EPOCH_CE
}

/// The date of a day.
pub(crate) fn date_of(day: Day) -> NaiveDate {
    NaiveDate::from_num_days_from_ce_opt(day + EPOCH_CE).unwrap_or(NaiveDate::MIN)
}

/// First and last day of a period.
pub(crate) fn period_days(p: Period) -> (Day, Day) {
    (day_of(p.first_day()), day_of(p.last_day()))
}

/// Whether a day is a Saturday or Sunday.
pub(crate) fn is_weekend(day: Day) -> bool {
    // 2000-01-01 was a Saturday.
    matches!(day.rem_euclid(7), 0 | 1)
}

/// The weekday of a day.
#[cfg(test)]
pub(crate) fn weekday(day: Day) -> Weekday {
    date_of(day).weekday()
}

/// Month number 1–12 of a day.
pub(crate) fn month_of(day: Day) -> u32 {
    date_of(day).month()
}

/// Day of year 0–365 (for smooth seasonal curves).
pub(crate) fn day_of_year(day: Day) -> u32 {
    date_of(day).ordinal0()
}

/// Completed years between a birth day and a day.
pub(crate) fn age_on(birth: Day, day: Day) -> u32 {
    let b = date_of(birth);
    let d = date_of(day);
    let mut age = d.year() - b.year();
    if (d.month(), d.day()) < (b.month(), b.day()) {
        age -= 1;
    }
    age.max(0) as u32
}

/// The same date `years` earlier (28 February for 29 February in a non-leap year).
pub(crate) fn years_before(day: Day, years: i32) -> Day {
    let d = date_of(day);
    let y = d.year() - years;
    let date = NaiveDate::from_ymd_opt(y, d.month(), d.day())
        .or_else(|| NaiveDate::from_ymd_opt(y, d.month(), 28))
        .unwrap_or(d);
    day_of(date)
}

fn push_num(out: &mut String, v: u32, width: usize) {
    let mut buf = [b'0'; 10];
    let mut x = v;
    let mut i = buf.len();
    while x > 0 || i == buf.len() {
        i -= 1;
        buf[i] = b'0' + (x % 10) as u8;
        x /= 10;
    }
    let digits = buf.len() - i;
    for _ in digits..width {
        out.push('0');
    }
    // ASCII digits only.
    out.push_str(std::str::from_utf8(&buf[i..]).unwrap_or("0"));
}

/// Append `ÅÅÅÅ-MM-DD`.
pub(crate) fn push_date(out: &mut String, day: Day) {
    let d = date_of(day);
    push_num(out, d.year().max(0) as u32, 4);
    out.push('-');
    push_num(out, d.month(), 2);
    out.push('-');
    push_num(out, d.day(), 2);
}

/// Append `ÅÅÅÅ-MM-DD tt:mm`.
pub(crate) fn push_datetime(out: &mut String, min: Min) {
    let day = min.div_euclid(DAY_MIN);
    let m = min.rem_euclid(DAY_MIN) as u32;
    push_date(out, day);
    out.push(' ');
    push_num(out, m / 60, 2);
    out.push(':');
    push_num(out, m % 60, 2);
}

/// Append an unsigned integer.
pub(crate) fn push_u64(out: &mut String, v: u64) {
    if v < 1_000_000_000 {
        push_num(out, v as u32, 1);
    } else {
        out.push_str(&v.to_string());
    }
}

/// Append a non-negative decimal with `decimals` digits and a decimal comma (`1234,50`).
pub(crate) fn push_decimal(out: &mut String, v: f64, decimals: u32) {
    let scale = 10u64.pow(decimals);
    let x = (v.max(0.0) * scale as f64).round() as u64;
    push_u64(out, x / scale);
    if decimals > 0 {
        out.push(',');
        push_num(out, (x % scale) as u32, decimals as usize);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn epoch_and_formats() {
        let d = NaiveDate::from_ymd_opt(2000, 1, 1).unwrap();
        assert_eq!(day_of(d), 0);
        assert_eq!(weekday(0), Weekday::Sat);
        assert!(is_weekend(0) && is_weekend(1) && !is_weekend(2));
        let d = NaiveDate::from_ymd_opt(2024, 2, 29).unwrap();
        assert_eq!(date_of(day_of(d)), d);
        let mut s = String::new();
        push_datetime(&mut s, day_of(d) * DAY_MIN + 13 * 60 + 5);
        assert_eq!(s, "2024-02-29 13:05");
        s.clear();
        push_date(&mut s, day_of(NaiveDate::from_ymd_opt(1895, 7, 3).unwrap()));
        assert_eq!(s, "1895-07-03");
        s.clear();
        push_decimal(&mut s, 1234.567, 2);
        assert_eq!(s, "1234,57");
        s.clear();
        push_decimal(&mut s, 0.05, 3);
        assert_eq!(s, "0,050");
        assert_eq!(
            age_on(
                day_of(NaiveDate::from_ymd_opt(1950, 6, 15).unwrap()),
                day_of(d)
            ),
            73
        );
        assert_eq!(
            date_of(years_before(day_of(d), 1)),
            NaiveDate::from_ymd_opt(2023, 2, 28).unwrap()
        );
    }
}
