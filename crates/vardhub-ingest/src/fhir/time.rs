//! FHIR `dateTime` → the hub's Swedish local date and time. A time with an offset (`Z`,
//! `+01:00`) is converted to Swedish time (CET, CEST from the last Sunday of March 01:00 UTC to
//! the last Sunday of October 01:00 UTC: the EU rule); a time without offset is taken as Swedish
//! time already; fractions of a second are dropped; a bare date stays a date. Partial dates
//! (`2024`, `2024-03`) are not a point in time and are refused.

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, Weekday};

/// Why a `dateTime` was refused (for the finding's message).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeProblem {
    /// Year or year-month only.
    Partial,
    /// Not a FHIR dateTime at all.
    Malformed,
}

/// The value as the CSV path writes it: `ÅÅÅÅ-MM-DD` or `ÅÅÅÅ-MM-DD tt:mm:ss`, Swedish time.
pub fn to_swedish_local(value: &str) -> Result<String, TimeProblem> {
    let v = value.trim();
    if v.len() < 10 {
        return Err(
            if v.len() >= 4 && v.bytes().all(|b| b.is_ascii_digit() || b == b'-') {
                TimeProblem::Partial
            } else {
                TimeProblem::Malformed
            },
        );
    }
    let date = NaiveDate::parse_from_str(v.get(..10).ok_or(TimeProblem::Malformed)?, "%Y-%m-%d")
        .map_err(|_| TimeProblem::Malformed)?;
    let rest = &v[10..];
    if rest.is_empty() {
        return Ok(date.format("%Y-%m-%d").to_string());
    }
    let rest = rest.strip_prefix('T').ok_or(TimeProblem::Malformed)?;
    let clock = rest.get(..8).ok_or(TimeProblem::Malformed)?;
    let time = NaiveTime::parse_from_str(clock, "%H:%M:%S").map_err(|_| TimeProblem::Malformed)?;
    let mut zone = &rest[8..];
    if let Some(frac) = zone.strip_prefix('.') {
        let digits = frac.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return Err(TimeProblem::Malformed);
        }
        zone = &frac[digits..];
    }
    let local = date.and_time(time);
    let out = match zone {
        "" => local,
        "Z" => utc_to_swedish(local),
        z => {
            let sign = match z.as_bytes().first() {
                Some(b'+') => 1,
                Some(b'-') => -1,
                _ => return Err(TimeProblem::Malformed),
            };
            let hm =
                NaiveTime::parse_from_str(&z[1..], "%H:%M").map_err(|_| TimeProblem::Malformed)?;
            let offset = Duration::minutes(sign * i64::from(hm.hour_minutes()));
            utc_to_swedish(local - offset)
        }
    };
    Ok(out.format("%Y-%m-%d %H:%M:%S").to_string())
}

trait HourMinutes {
    fn hour_minutes(&self) -> u32;
}

impl HourMinutes for NaiveTime {
    fn hour_minutes(&self) -> u32 {
        use chrono::Timelike;
        self.hour() * 60 + self.minute()
    }
}

/// Swedish local time of a UTC time.
fn utc_to_swedish(utc: NaiveDateTime) -> NaiveDateTime {
    let year = utc.year();
    let one = NaiveTime::from_hms_opt(1, 0, 0).unwrap_or(NaiveTime::MIN);
    let summer = match (last_sunday(year, 3), last_sunday(year, 10)) {
        (Some(start), Some(end)) => utc >= start.and_time(one) && utc < end.and_time(one),
        _ => false,
    };
    utc + Duration::hours(if summer { 2 } else { 1 })
}

fn last_sunday(year: i32, month: u32) -> Option<NaiveDate> {
    let last = NaiveDate::from_ymd_opt(year, month + 1, 1)?.pred_opt()?;
    let back = last.weekday().num_days_from_sunday();
    let sunday = last - Duration::days(i64::from(back));
    debug_assert_eq!(sunday.weekday(), Weekday::Sun);
    Some(sunday)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_become_swedish_time() {
        let t = |s| to_swedish_local(s).unwrap();
        assert_eq!(t("2024-02-10T14:10:00+01:00"), "2024-02-10 14:10:00");
        assert_eq!(t("2024-02-10T13:10:00Z"), "2024-02-10 14:10:00");
        assert_eq!(t("2024-07-10T12:10:00.123Z"), "2024-07-10 14:10:00");
        assert_eq!(t("2024-07-10T14:10:00+02:00"), "2024-07-10 14:10:00");
        assert_eq!(t("2024-07-10T08:10:00-04:00"), "2024-07-10 14:10:00");
        // The switches of 2024: 31 March and 27 October at 01:00 UTC.
        assert_eq!(t("2024-03-31T00:59:00Z"), "2024-03-31 01:59:00");
        assert_eq!(t("2024-03-31T01:00:00Z"), "2024-03-31 03:00:00");
        assert_eq!(t("2024-10-27T00:59:00Z"), "2024-10-27 02:59:00");
        assert_eq!(t("2024-10-27T01:00:00Z"), "2024-10-27 02:00:00");
        assert_eq!(t("2024-02-10T14:10:00"), "2024-02-10 14:10:00");
        assert_eq!(t("2024-02-10"), "2024-02-10");
    }

    #[test]
    fn partial_and_malformed_values_are_refused() {
        assert_eq!(to_swedish_local("2024"), Err(TimeProblem::Partial));
        assert_eq!(to_swedish_local("2024-03"), Err(TimeProblem::Partial));
        for bad in [
            "",
            "igår",
            "2024-02-30",
            "2024-02-10 14:10",
            "2024-02-10T14:10:00+1",
            "2024-02-10T25:00:00Z",
        ] {
            assert_eq!(to_swedish_local(bad), Err(TimeProblem::Malformed), "{bad}");
        }
    }
}
