//! One region's log review as CSV files (what each region takes to its own loggkontroll).

use super::{AccessEvent, DayCounts, LogReport, LogReviewError, region_code};
use chrono::NaiveDate;
use std::collections::{BTreeMap, BTreeSet};

impl LogReport {
    fn region_events(&self, region: &str) -> Result<Vec<&AccessEvent>, LogReviewError> {
        let code = region_code(region).ok_or_else(|| LogReviewError::Region(region.to_owned()))?;
        Ok(self.events.iter().filter(|e| e.concerns(&code)).collect())
    }

    /// One region's log review as CSV: every event that concerns the region
    /// ([`AccessEvent::concerns`]) with the flags covering it. Semicolon-separated, UTF-8 with
    /// BOM, CRLF, Swedish headers, as Swedish Excel opens it; text cells that a spreadsheet would
    /// read as a formula get a leading `'`.
    pub fn csv_for_region(&self, region: &str) -> Result<String, LogReviewError> {
        let events = self.region_events(region)?;
        let mut out = String::from("\u{feff}");
        push_row(
            &mut out,
            [
                "löpnummer",
                "datum",
                "tid (svensk tid)",
                "användare",
                "användarens region",
                "händelse",
                "region",
                "objekt",
                "filter",
                "nekad",
                "skäl",
                "detaljer",
                "flaggor",
            ]
            .map(str::to_owned),
        );
        for e in events {
            let flags: Vec<&str> = self.flags_of(e.seq).map(|f| f.reason.as_str()).collect();
            push_row(
                &mut out,
                [
                    e.seq.to_string(),
                    e.day().to_string(),
                    e.local.format("%H:%M:%S").to_string(),
                    e.user.clone(),
                    e.user_region.clone().unwrap_or_default(),
                    e.kind.label().to_owned(),
                    e.region.clone().unwrap_or_default(),
                    e.object.clone(),
                    e.filters.clone().unwrap_or_default(),
                    if e.kind.refused() { "ja" } else { "nej" }.to_owned(),
                    e.reason.clone().unwrap_or_default(),
                    e.details.clone(),
                    flags.join(" | "),
                ],
            );
        }
        Ok(out)
    }

    /// One region's counts per user and Swedish local day as CSV (same dialect as
    /// [`LogReport::csv_for_region`]), over the events that concern the region.
    pub fn daily_csv_for_region(&self, region: &str) -> Result<String, LogReviewError> {
        let mut days: BTreeMap<(NaiveDate, &str), (Option<&str>, DayCounts)> = BTreeMap::new();
        for e in self.region_events(region)? {
            let d = days
                .entry((e.day(), &e.user))
                .or_insert((e.user_region.as_deref(), DayCounts::default()));
            d.1.add(e);
        }
        let mut out = String::from("\u{feff}");
        push_row(
            &mut out,
            [
                "datum",
                "användare",
                "användarens region",
                "hämtningar",
                "övriga läsningar",
                "nekade försök",
                "nattetid",
                "flaggor",
            ]
            .map(str::to_owned),
        );
        for ((day, user), (home, c)) in days {
            let rules: BTreeSet<&str> = self
                .flags
                .iter()
                .filter(|f| f.user == user && f.day == day)
                .map(|f| f.rule.label())
                .collect();
            push_row(
                &mut out,
                [
                    day.to_string(),
                    user.to_owned(),
                    home.unwrap_or_default().to_owned(),
                    c.downloads.to_string(),
                    c.other_reads.to_string(),
                    c.refused.to_string(),
                    c.night.to_string(),
                    rules.into_iter().collect::<Vec<_>>().join(" | "),
                ],
            );
        }
        Ok(out)
    }
}

/// A text cell as spreadsheet programs will not evaluate it (OWASP's CSV injection advice).
fn neutralise(cell: &str) -> String {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{cell}")
    } else {
        cell.to_owned()
    }
}

fn push_row<const N: usize>(out: &mut String, cells: [String; N]) {
    for (i, cell) in cells.iter().enumerate() {
        if i > 0 {
            out.push(';');
        }
        let cell = neutralise(cell);
        if cell.contains([';', '"', '\n', '\r']) {
            out.push('"');
            out.push_str(&cell.replace('"', "\"\""));
            out.push('"');
        } else {
            out.push_str(&cell);
        }
    }
    out.push_str("\r\n");
}
