//! The arrival intensity of the bed model: a daily rate × month-of-year factor × hour-of-week
//! factor, estimated from the admission timestamps of a baseline period.

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, Timelike};
use serde::{Deserialize, Serialize};

use super::{ScenarioError, non_negative};

/// Admissions per hour as `daily_rate / 24 × month[m] × hour_of_week[w·24 + h]` (`w` = 0 for
/// Monday). The factors average about 1 over the baseline; together they reproduce the
/// baseline's total exactly.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ArrivalProfile {
    /// Admissions per day on average over the baseline.
    pub daily_rate: f64,
    /// Month-of-year factors (January first); 1 for a month the baseline does not cover.
    pub month: [f64; 12],
    /// Hour-of-week factors, Monday 00–01 first (168 values).
    pub hour_of_week: Vec<f64>,
}

fn hour_of_week(t: &NaiveDateTime) -> usize {
    t.weekday().num_days_from_monday() as usize * 24 + t.hour() as usize
}

impl ArrivalProfile {
    /// A constant intensity of `daily_rate` admissions per day.
    pub fn constant(daily_rate: f64) -> Result<ArrivalProfile, ScenarioError> {
        Ok(ArrivalProfile {
            daily_rate: non_negative("daily_rate", daily_rate)?,
            month: [1.0; 12],
            hour_of_week: vec![1.0; 168],
        })
    }

    /// Estimates the profile from the admission times `admissions` over the baseline days
    /// `first..=last` (times outside it are ignored): the maximum-likelihood fit of the
    /// log-linear Poisson model month + hour-of-week with each baseline day's hours as
    /// exposure, by iterative proportional fitting. The fitted intensity reproduces the observed
    /// admissions per month of the year and per hour of the week (and so the total); a cell of
    /// the week with no admission in the baseline gets intensity 0. The hour-of-week factors
    /// are scaled to average 1, the month factors so that the daily rate is the baseline's.
    pub fn from_admissions(
        admissions: &[NaiveDateTime],
        first: NaiveDate,
        last: NaiveDate,
    ) -> Result<ArrivalProfile, ScenarioError> {
        if last < first {
            return Err(ScenarioError::Empty {
                name: "baseline period",
            });
        }
        // Exposure: baseline days per (month, weekday).
        let mut exposure = [[0.0f64; 7]; 12];
        let mut n_days = 0usize;
        for d in first.iter_days().take_while(|d| *d <= last) {
            exposure[d.month0() as usize][d.weekday().num_days_from_monday() as usize] += 1.0;
            n_days += 1;
        }
        let mut per_month = [0.0f64; 12];
        let mut per_how = vec![0.0f64; 168];
        let mut total = 0.0;
        for t in admissions
            .iter()
            .filter(|t| t.date() >= first && t.date() <= last)
        {
            per_month[t.month0() as usize] += 1.0;
            per_how[hour_of_week(t)] += 1.0;
            total += 1.0;
        }
        if total == 0.0 {
            return ArrivalProfile::constant(0.0);
        }
        let mut month = [1.0f64; 12];
        let mut how = vec![1.0f64; 168];
        for _ in 0..200 {
            let mut change = 0.0f64;
            for m in 0..12 {
                let expected: f64 = (0..7)
                    .map(|w| exposure[m][w] * how[w * 24..w * 24 + 24].iter().sum::<f64>())
                    .sum::<f64>()
                    * month[m];
                if expected > 0.0 {
                    let f = per_month[m] / expected;
                    change = change.max((f - 1.0).abs());
                    month[m] *= f;
                }
            }
            for (i, h) in how.iter_mut().enumerate() {
                let w = i / 24;
                let expected: f64 = (0..12).map(|m| exposure[m][w] * month[m]).sum::<f64>() * *h;
                if expected > 0.0 {
                    let f = per_how[i] / expected;
                    change = change.max((f - 1.0).abs());
                    *h *= f;
                }
            }
            if change < 1e-13 {
                break;
            }
        }
        // Normalise: hour-of-week factors average 1, the daily rate is the baseline's.
        let mean_how = how.iter().sum::<f64>() / 168.0;
        how.iter_mut().for_each(|h| *h /= mean_how);
        let rate = total / n_days as f64;
        let scale = mean_how * 24.0 / rate;
        for (m, f) in month.iter_mut().enumerate() {
            if exposure[m].iter().sum::<f64>() > 0.0 {
                *f *= scale;
            } else {
                *f = 1.0;
            }
        }
        Ok(ArrivalProfile {
            daily_rate: rate,
            month,
            hour_of_week: how,
        })
    }

    /// Expected admissions in each hour of `days` days from `start` (00:00), `24 · days`
    /// values — the input [`super::BedModel::hourly_arrivals`] expects. Scale it for an overall
    /// demand change.
    pub fn hourly_intensity(&self, start: NaiveDate, days: usize) -> Vec<f64> {
        let mut out = Vec::with_capacity(days * 24);
        for i in 0..days {
            let d = start + Duration::days(i as i64);
            let m = self.month[d.month0() as usize];
            let w = d.weekday().num_days_from_monday() as usize * 24;
            for h in 0..24 {
                out.push(self.daily_rate / 24.0 * m * self.hour_of_week[w + h]);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::testutil::assert_rel;

    #[test]
    fn profile_reproduces_a_weekly_and_seasonal_pattern() {
        // Baseline 2023: two admissions every hour on weekdays 08–16, one otherwise; twice as
        // many (each one doubled) in January.
        let first = NaiveDate::from_ymd_opt(2023, 1, 1).unwrap();
        let last = NaiveDate::from_ymd_opt(2023, 12, 31).unwrap();
        let mut times = Vec::new();
        for d in first.iter_days().take_while(|d| *d <= last) {
            let weekday = d.weekday().num_days_from_monday() < 5;
            for h in 0..24 {
                let mut n = if weekday && (8..16).contains(&h) {
                    2
                } else {
                    1
                };
                if d.month() == 1 {
                    n *= 2;
                }
                for _ in 0..n {
                    times.push(d.and_hms_opt(h, 30, 0).unwrap());
                }
            }
        }
        let p = ArrivalProfile::from_admissions(&times, first, last).unwrap();
        let fitted = p.hourly_intensity(first, 365);
        let total: f64 = fitted.iter().sum();
        assert_rel(total, times.len() as f64, 1e-12);
        // January's factor is twice the others'.
        assert_rel(p.month[0] / p.month[5], 2.0, 1e-12);
        // A Monday 10:00 in June: 2 admissions; a Sunday 10:00 in June: 1.
        let monday = NaiveDate::from_ymd_opt(2023, 6, 5).unwrap();
        let i = (monday - first).num_days() as usize * 24 + 10;
        assert_rel(fitted[i], 2.0, 1e-9);
        assert_rel(fitted[i + 6 * 24], 1.0, 1e-9);
        assert_rel(fitted[i - 24 * 150], 4.0, 1e-9); // 2023-01-06 is a Friday in January.
        assert!(ArrivalProfile::from_admissions(&times, last, first).is_err());
        assert_eq!(
            ArrivalProfile::constant(24.0)
                .unwrap()
                .hourly_intensity(first, 2),
            vec![1.0; 48]
        );
    }
}
