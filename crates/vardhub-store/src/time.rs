//! Timestamps as stored in the catalogue: RFC 3339, UTC, microseconds, so that text order is time order.

use chrono::{DateTime, SecondsFormat, Utc};

/// The current time, truncated to microseconds (the catalogue's resolution).
pub fn now_utc() -> DateTime<Utc> {
    let now = Utc::now();
    DateTime::from_timestamp_micros(now.timestamp_micros()).unwrap_or(now)
}

/// Format for the catalogue.
pub(crate) fn fmt(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Micros, true)
}
