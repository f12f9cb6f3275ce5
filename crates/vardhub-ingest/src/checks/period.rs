//! A delivery for a month that has not ended cannot be complete.

use crate::report::{Issue, IssueSink, Severity};
use chrono::{DateTime, Utc};
use vardhub_domain::Period;

/// Fatal if `period` is after the month of `now` (the hub's clock when the delivery was received;
/// injected so tests are deterministic). The current month itself is allowed: a region may send a
/// preliminary extract, and the volume checks flag it.
pub fn check(period: Period, now: DateTime<Utc>, issues: &mut IssueSink) {
    let current = Period::of(now.date_naive());
    if period > current {
        issues.push(Issue::new(
            Severity::Fatal,
            "period_in_future",
            format!(
                "perioden {period} ligger efter innevarande månad {current}; en framtida månad kan inte vara komplett (fel period i manifestet?)"
            ),
            format!(
                "the period {period} is after the current month {current}; a future month cannot be complete (wrong period in the manifest?)"
            ),
        ));
    }
}
