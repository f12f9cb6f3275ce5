//! `vardhub audit review`: log review (loggkontroll) over whole Swedish days of the verified
//! audit log — a summary of the flags, or one region's CSV for its own review.

use crate::say;
use anyhow::Context;
use chrono::NaiveDate;
use std::path::Path;
use std::process::ExitCode;
use vardhub_store::Hub;
use vardhub_store::log_review::swedish_days;

fn day(s: &str) -> anyhow::Result<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .with_context(|| format!("{s}: ange datum som ÅÅÅÅ-MM-DD / give dates as YYYY-MM-DD"))
}

/// Review `from`–`to` (Swedish local days, inclusive). With `region`, write that region's CSV
/// (events, or counts per user and day with `daily`) to `out` or stdout; without, print the
/// flags. Exit 1 when anything is flagged, so a scheduled review can alert.
pub async fn run(
    hub: &Hub,
    from: &str,
    to: &str,
    region: Option<&str>,
    daily: bool,
    out: Option<&Path>,
) -> anyhow::Result<ExitCode> {
    let (first, last) = (day(from)?, day(to)?);
    let (a, b) = swedish_days(first, last);
    let report = hub
        .log_review(a, b)
        .await
        .context("loggkontroll / log review")?;
    if let Some(region) = region {
        let csv = if daily {
            report.daily_csv_for_region(region)?
        } else {
            report.csv_for_region(region)?
        };
        match out {
            Some(path) => vardhub_store::private::write_file(path, &csv)
                .with_context(|| path.display().to_string())?,
            None => std::io::Write::write_all(&mut std::io::stdout(), csv.as_bytes())?,
        }
    } else {
        say(format_args!(
            "loggkontroll / log review {first} – {last}: {} åtkomster / accesses, {} användare / users, {} flaggor / flags ({:?})",
            report.events.len(),
            report.users.len(),
            report.flags.len(),
            report.chain
        ));
        for f in &report.flags {
            say(format_args!("  {} {}: {}", f.day, f.user, f.reason));
        }
    }
    Ok(if report.flags.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
