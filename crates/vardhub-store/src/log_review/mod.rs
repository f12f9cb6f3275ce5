//! Loggkontroll / log review over the audit log (the Patient Data Act's review of accesses).
//!
//! [`Hub::log_review`] reads the audit log through [`Hub::audit_entries`] after checking its chain
//! with [`Hub::verify_audit`] (when the hub has its audit key; a broken chain is an error, not a
//! report), keeps the entries of a time span that are about access to data, and builds a
//! [`LogReport`]: every access event, per user and per region with counts per day, and the
//! unusual patterns ([`Flag`]) with a plain reason. [`LogReport::csv_for_region`] and
//! [`LogReport::daily_csv_for_region`] export what one region needs for its own log review.
//!
//! Which audit entries are accesses (the actions the server writes):
//!
//! | action                  | kind                                 | region read                |
//! |-------------------------|--------------------------------------|----------------------------|
//! | `microdata.download`    | [`AccessKind::MicrodataDownload`]    | `region=` of the details   |
//! | `microdata.head`        | [`AccessKind::MicrodataHead`]        | `region=` of the details   |
//! | `http.read`             | [`AccessKind::AggregateRead`]        | `region=` of the filters   |
//! | `analysis.unsuppressed` | [`AccessKind::UnsuppressedAnalysis`] | `region=` of the details   |
//! | `microdata.denied`      | [`AccessKind::MicrodataRefused`]     | `asked=` (another region)  |
//! | `auth.refused`          | [`AccessKind::AuthRefused`]          | —                          |
//! | `login.failed`          | [`AccessKind::LoginFailed`]          | —                          |
//! | `auth.throttled`        | [`AccessKind::Throttled`]            | —                          |
//!
//! `http.read` of the hemhämtning route is left out: the `microdata.*` entry written for the same
//! request says more. Everything else (ingest, users, runs, logins) is counted in
//! [`LogReport::other_entries`] only. A region code that is not one of the 21 (`SE`, `?`) is no
//! region.
//!
//! Rules for unusual patterns ([`Rule`]), all on Swedish local time ([`swedish_local`]: CET,
//! UTC+1, and CEST, UTC+2, from 01:00 UTC on the last Sunday of March to 01:00 UTC on the last
//! Sunday of October, the EU rule Sweden follows; no time-zone database needed):
//!
//! 1. [`Rule::ManyDownloads`]: a user's hemhämtning downloads on one day exceed
//!    max([`BURST_FACTOR`] × m, m + [`BURST_MARGIN`]), where m is the median of the user's daily
//!    download counts on the *other* days of the span on which the user downloaded anything (0 if
//!    none). Leaving the judged day out keeps a burst from raising its own bar, and a user whose
//!    only day in the span is a burst is still judged (against 0 + 10).
//! 2. [`Rule::Night`]: a named user's access (or refused attempt) at 00:00 ≤ local time < 05:00
//!    ([`NIGHT_END_HOUR`]); anonymous refusals are listed as refused attempts but not flagged.
//! 3. [`Rule::OtherRegion`]: an attempt on another region's microdata (`microdata.denied` with
//!    `other-region`), or any microdata entry for a region that is not the user's own.
//!
//! Flags are per user and day (and region, for rule 3). The report holds only what the audit log
//! holds: user names, routes, filters, delivery ids, never an identity number.

use crate::audit::{AuditEntry, AuditError};
use crate::error::StoreError;
use crate::hub::Hub;
use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, Timelike, Utc};
use std::collections::{BTreeMap, BTreeSet};
use vardhub_domain::RegionCode;

/// Rule 1: a day's downloads above this many times the user's usual median are unusual …
pub const BURST_FACTOR: f64 = 3.0;
/// … and, for users who download little, above the median plus this many.
pub const BURST_MARGIN: f64 = 10.0;
/// Rule 2: access before this hour (Swedish local time, from midnight) is at night.
pub const NIGHT_END_HOUR: u32 = 5;

const MICRODATA_ROUTE: &str = "/api/v1/microdata/";

/// Why a log review could not be made.
#[derive(Debug, thiserror::Error)]
pub enum LogReviewError {
    /// The catalogue could not be read.
    #[error(
        "loggkontrollen kunde inte läsa katalogen: {0} / the log review could not read the catalogue"
    )]
    Store(#[from] StoreError),
    /// The audit chain does not verify: a review of a tampered log would vouch for it.
    #[error("{0}; ingen loggkontroll över en bruten logg / no log review over a broken log")]
    Broken(#[from] AuditError),
    /// The span is empty or reversed.
    #[error("ogiltig period: {from} är inte före {to} / invalid span: {from} is not before {to}")]
    Span {
        /// Start given.
        from: DateTime<Utc>,
        /// End given.
        to: DateTime<Utc>,
    },
    /// An audit entry's time does not parse (the catalogue writes RFC 3339).
    #[error(
        "granskningspost {seq} har ogiltig tidpunkt {at:?} / audit entry {seq} has an invalid time"
    )]
    Timestamp {
        /// The entry.
        seq: i64,
        /// Its time as stored.
        at: String,
    },
    /// The region asked for is not one of the 21.
    #[error("okänd regionkod {0:?} / unknown region code")]
    Region(String),
}

/// Whether the chain of the reviewed log was verified.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum ChainCheck {
    /// Verified with the audit key, including the checkpoints outside the catalogue; the review
    /// covers these first entries only.
    Verified {
        /// Entries verified.
        entries: usize,
    },
    /// The hub was opened without its audit key: the entries were read as they are.
    NotVerified,
}

/// What kind of access an audit entry records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub enum AccessKind {
    /// A hemhämtning file handed out (`microdata.download`).
    MicrodataDownload,
    /// The headers of a hemhämtning download, without the file (`microdata.head`).
    MicrodataHead,
    /// An authenticated read of an aggregate route or page (`http.read`), with its filters.
    AggregateRead,
    /// Unsuppressed analysis results shown (`analysis.unsuppressed`).
    UnsuppressedAnalysis,
    /// A refused hemhämtning request (`microdata.denied`).
    MicrodataRefused,
    /// A refused token (`auth.refused`).
    AuthRefused,
    /// A failed login (`login.failed`).
    LoginFailed,
    /// Too many failed attempts (`auth.throttled`).
    Throttled,
}

impl AccessKind {
    fn from_action(action: &str, object: &str) -> Option<AccessKind> {
        Some(match action {
            "microdata.download" => AccessKind::MicrodataDownload,
            "microdata.head" => AccessKind::MicrodataHead,
            "http.read" if !object.starts_with(MICRODATA_ROUTE) => AccessKind::AggregateRead,
            "analysis.unsuppressed" => AccessKind::UnsuppressedAnalysis,
            "microdata.denied" => AccessKind::MicrodataRefused,
            "auth.refused" => AccessKind::AuthRefused,
            "login.failed" => AccessKind::LoginFailed,
            "auth.throttled" => AccessKind::Throttled,
            _ => return None,
        })
    }

    /// Label, Swedish / English.
    pub fn label(self) -> &'static str {
        match self {
            AccessKind::MicrodataDownload => "hemhämtning / microdata download",
            AccessKind::MicrodataHead => "hemhämtning, bara huvuden / microdata headers only",
            AccessKind::AggregateRead => "aggregat / aggregate read",
            AccessKind::UnsuppressedAnalysis => {
                "oundertryckt analys / unsuppressed analysis results"
            }
            AccessKind::MicrodataRefused => "nekad hemhämtning / refused microdata request",
            AccessKind::AuthRefused => "nekad token / refused token",
            AccessKind::LoginFailed => "misslyckad inloggning / failed login",
            AccessKind::Throttled => "för många försök / throttled",
        }
    }

    /// Whether the attempt was refused.
    pub fn refused(self) -> bool {
        matches!(
            self,
            AccessKind::MicrodataRefused
                | AccessKind::AuthRefused
                | AccessKind::LoginFailed
                | AccessKind::Throttled
        )
    }
}

/// One access (or refused attempt) from the audit log.
#[derive(Debug, Clone, serde::Serialize)]
pub struct AccessEvent {
    /// The audit entry's sequence number.
    pub seq: i64,
    /// When (UTC).
    pub at: DateTime<Utc>,
    /// When, in Swedish local time ([`swedish_local`]).
    pub local: NaiveDateTime,
    /// Who (user name, or `anonymous`).
    pub user: String,
    /// The user's own region (two digits), when the user is a region analyst.
    pub user_region: Option<String>,
    /// What kind of access.
    pub kind: AccessKind,
    /// The region whose data was read or asked for (two digits), when there is one.
    pub region: Option<String>,
    /// On what: the route, the delivery id, the analysis run id.
    pub object: String,
    /// The filters of an aggregate read (`region=01,period=2024-03`), when there are any.
    pub filters: Option<String>,
    /// Why it was refused, for refused attempts.
    pub reason: Option<String>,
    /// The audit entry's details as recorded.
    pub details: String,
}

impl AccessEvent {
    /// The Swedish local day.
    pub fn day(&self) -> NaiveDate {
        self.local.date()
    }

    /// Whether a region's own log review concerns this event: its data was read or asked for, or
    /// its own user acted.
    pub fn concerns(&self, region: &str) -> bool {
        self.region.as_deref() == Some(region) || self.user_region.as_deref() == Some(region)
    }

    fn other_region(&self) -> Option<&str> {
        let microdata = matches!(
            self.kind,
            AccessKind::MicrodataDownload
                | AccessKind::MicrodataHead
                | AccessKind::MicrodataRefused
        );
        let asked_other = self.kind == AccessKind::MicrodataRefused
            && self
                .reason
                .as_deref()
                .is_some_and(|r| r.starts_with("other-region"));
        let region = self.region.as_deref()?;
        let not_own = self.user_region.as_deref().is_some_and(|own| own != region);
        (microdata && (asked_other || not_own)).then_some(region)
    }
}

/// Counts of one day (or a whole span).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct DayCounts {
    /// Hemhämtning downloads.
    pub downloads: usize,
    /// Aggregate reads, unsuppressed analyses and download headers.
    pub other_reads: usize,
    /// Refused attempts.
    pub refused: usize,
    /// Accesses and attempts at night (named users).
    pub night: usize,
}

impl DayCounts {
    fn add(&mut self, e: &AccessEvent) {
        if e.kind == AccessKind::MicrodataDownload {
            self.downloads += 1;
        } else if e.kind.refused() {
            self.refused += 1;
        } else {
            self.other_reads += 1;
        }
        if is_night(e) {
            self.night += 1;
        }
    }

    fn sum<'a>(days: impl Iterator<Item = &'a DayCounts>) -> DayCounts {
        days.fold(DayCounts::default(), |a, d| DayCounts {
            downloads: a.downloads + d.downloads,
            other_reads: a.other_reads + d.other_reads,
            refused: a.refused + d.refused,
            night: a.night + d.night,
        })
    }
}

/// What one user did in the span.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct UserSummary {
    /// The user name (or `anonymous`).
    pub user: String,
    /// The user's own region, when a region analyst.
    pub user_region: Option<String>,
    /// Regions whose microdata the user downloaded.
    pub microdata_regions: BTreeSet<String>,
    /// Aggregates read: route and filters (`/api/v1/indicators/{id}/values filters=region=01`).
    pub aggregates: BTreeSet<String>,
    /// Counts per Swedish local day.
    pub days: BTreeMap<NaiveDate, DayCounts>,
}

impl UserSummary {
    /// Counts over the whole span.
    pub fn totals(&self) -> DayCounts {
        DayCounts::sum(self.days.values())
    }
}

/// What was done with one region's data, or by its users, in the span.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct RegionSummary {
    /// The region (two digits).
    pub region: String,
    /// Users who downloaded its microdata.
    pub microdata_users: BTreeSet<String>,
    /// Users who read its data or asked for it, refused or not.
    pub users: BTreeSet<String>,
    /// Counts per Swedish local day of the events that concern it ([`AccessEvent::concerns`]).
    pub days: BTreeMap<NaiveDate, DayCounts>,
}

impl RegionSummary {
    /// Counts over the whole span.
    pub fn totals(&self) -> DayCounts {
        DayCounts::sum(self.days.values())
    }
}

/// A rule for unusual patterns (see the module documentation).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub enum Rule {
    /// Far more downloads in a day than the user's usual.
    ManyDownloads,
    /// Access at night.
    Night,
    /// An attempt on another region's microdata.
    OtherRegion,
}

impl Rule {
    /// Label, Swedish / English.
    pub fn label(self) -> &'static str {
        match self {
            Rule::ManyDownloads => "ovanligt många hämtningar / unusually many downloads",
            Rule::Night => "åtkomst nattetid / access at night",
            Rule::OtherRegion => "försök mot annan region / attempt on another region",
        }
    }
}

/// An unusual pattern: one rule, one user, one Swedish local day.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Flag {
    /// The rule.
    pub rule: Rule,
    /// The user.
    pub user: String,
    /// The Swedish local day.
    pub day: NaiveDate,
    /// The other region, for [`Rule::OtherRegion`].
    pub region: Option<String>,
    /// How many events the flag covers.
    pub count: usize,
    /// The audit entries it covers.
    pub seqs: Vec<i64>,
    /// The reason in plain words, Swedish / English.
    pub reason: String,
}

/// A log review over a time span.
#[derive(Debug, Clone, serde::Serialize)]
pub struct LogReport {
    /// Start of the span (inclusive).
    pub from: DateTime<Utc>,
    /// End of the span (exclusive).
    pub to: DateTime<Utc>,
    /// Whether the chain was verified.
    pub chain: ChainCheck,
    /// Every access and refused attempt in the span, oldest first.
    pub events: Vec<AccessEvent>,
    /// Per user, by name.
    pub users: Vec<UserSummary>,
    /// Per region, by code.
    pub regions: Vec<RegionSummary>,
    /// Unusual patterns, by user, day and rule.
    pub flags: Vec<Flag>,
    /// Entries in the span that are not about access (ingest, users, runs, logins …).
    pub other_entries: usize,
}

/// The Swedish local time of `t` (CET/CEST by the EU summer-time rule, see the module
/// documentation).
pub fn swedish_local(t: DateTime<Utc>) -> NaiveDateTime {
    let year = t.year();
    let summer = |month| {
        last_sunday(year, month)
            .and_hms_opt(1, 0, 0)
            .map(|d| d.and_utc())
    };
    let offset = match (summer(3), summer(10)) {
        (Some(start), Some(end)) if t >= start && t < end => 2,
        _ => 1,
    };
    t.naive_utc() + Duration::hours(offset)
}

/// The span from the start of Swedish local day `first` to the end of `last` (as `from`, `to`
/// for [`Hub::log_review`]).
pub fn swedish_days(first: NaiveDate, last: NaiveDate) -> (DateTime<Utc>, DateTime<Utc>) {
    let midnight = |d: NaiveDate| {
        let local = d.and_time(chrono::NaiveTime::MIN);
        // Midnight is never in the spring gap: exactly one of the two offsets maps back to it.
        [2, 1]
            .into_iter()
            .map(|h| (local - Duration::hours(h)).and_utc())
            .find(|u| swedish_local(*u) == local)
            .unwrap_or_else(|| (local - Duration::hours(1)).and_utc())
    };
    (midnight(first), midnight(last + Duration::days(1)))
}

fn last_sunday(year: i32, month: u32) -> NaiveDate {
    let next = if month == 12 {
        NaiveDate::from_ymd_opt(year + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(year, month + 1, 1)
    };
    let last = next.unwrap_or(NaiveDate::MAX) - Duration::days(1);
    last - Duration::days(i64::from(last.weekday().num_days_from_sunday()))
}

fn is_night(e: &AccessEvent) -> bool {
    e.user != "anonymous" && e.local.hour() < NIGHT_END_HOUR
}

/// The value of `key=` among the space-separated fields of audit details.
fn field<'a>(details: &'a str, key: &str) -> Option<&'a str> {
    details
        .split_whitespace()
        .find_map(|f| f.strip_prefix(key)?.strip_prefix('='))
}

/// A region code as the 21 regions' two digits; anything else (`SE`, `?`) is none.
fn region_code(s: &str) -> Option<String> {
    RegionCode::parse(s).ok().map(|r| r.as_str().to_owned())
}

fn median(values: &mut [usize]) -> f64 {
    values.sort_unstable();
    match values.len() {
        0 => 0.0,
        n if n % 2 == 1 => values[n / 2] as f64,
        n => (values[n / 2 - 1] + values[n / 2]) as f64 / 2.0,
    }
}

/// A number as Swedish text (decimal comma).
fn num(x: f64) -> String {
    format!("{x}").replace('.', ",")
}

impl LogReport {
    /// Build the review of `entries` in `from..to`; `home_regions` maps user names to their own
    /// region (as [`crate::UserRecord::region`]). Users not in it fall back to the `access=region-RR`
    /// of their reads.
    pub fn build(
        entries: &[AuditEntry],
        home_regions: &BTreeMap<String, String>,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        chain: ChainCheck,
    ) -> Result<LogReport, LogReviewError> {
        if from >= to {
            return Err(LogReviewError::Span { from, to });
        }
        let mut homes: BTreeMap<String, String> = home_regions
            .iter()
            .filter_map(|(u, r)| Some((u.clone(), region_code(r)?)))
            .collect();
        for e in entries {
            if let Some(r) = field(&e.details, "access")
                .and_then(|a| a.strip_prefix("region-"))
                .and_then(region_code)
            {
                homes.entry(e.actor.clone()).or_insert(r);
            }
        }
        let mut events = Vec::new();
        let mut other_entries = 0;
        for e in entries {
            let at = DateTime::parse_from_rfc3339(&e.at)
                .map_err(|_| LogReviewError::Timestamp {
                    seq: e.seq,
                    at: e.at.clone(),
                })?
                .with_timezone(&Utc);
            if at < from || at >= to {
                continue;
            }
            let Some(kind) = AccessKind::from_action(&e.action, &e.object) else {
                other_entries += 1;
                continue;
            };
            let (region, filters, reason) = match kind {
                AccessKind::MicrodataDownload
                | AccessKind::MicrodataHead
                | AccessKind::UnsuppressedAnalysis => (
                    field(&e.details, "region").and_then(region_code),
                    None,
                    None,
                ),
                AccessKind::AggregateRead => {
                    let filters = field(&e.details, "filters").filter(|f| *f != "-");
                    let region = filters.and_then(|f| {
                        f.split(',')
                            .find_map(|kv| kv.strip_prefix("region="))
                            .and_then(region_code)
                    });
                    (region, filters.map(str::to_owned), None)
                }
                AccessKind::MicrodataRefused => {
                    // `<collection>/<table> <reason>`, the reason `other-region asked=RR` for
                    // another region.
                    let reason = e.details.split_once(' ').map(|(_, r)| r.to_owned());
                    (
                        field(&e.details, "asked").and_then(region_code),
                        None,
                        reason,
                    )
                }
                AccessKind::AuthRefused | AccessKind::LoginFailed => {
                    (None, None, field(&e.details, "reason").map(str::to_owned))
                }
                AccessKind::Throttled => (None, None, Some("throttled".to_owned())),
            };
            events.push(AccessEvent {
                seq: e.seq,
                at,
                local: swedish_local(at),
                user: e.actor.clone(),
                user_region: homes.get(&e.actor).cloned(),
                kind,
                region,
                object: e.object.clone(),
                filters,
                reason,
                details: e.details.clone(),
            });
        }
        let users = summarise_users(&events);
        let regions = summarise_regions(&events);
        let flags = find_flags(&events);
        Ok(LogReport {
            from,
            to,
            chain,
            events,
            users,
            regions,
            flags,
            other_entries,
        })
    }

    /// The flags covering one event.
    pub fn flags_of(&self, seq: i64) -> impl Iterator<Item = &Flag> {
        self.flags.iter().filter(move |f| f.seqs.contains(&seq))
    }
}

fn summarise_users(events: &[AccessEvent]) -> Vec<UserSummary> {
    let mut users: BTreeMap<&str, UserSummary> = BTreeMap::new();
    for e in events {
        let u = users.entry(&e.user).or_insert_with(|| UserSummary {
            user: e.user.clone(),
            user_region: e.user_region.clone(),
            ..UserSummary::default()
        });
        u.days.entry(e.day()).or_default().add(e);
        match e.kind {
            AccessKind::MicrodataDownload => {
                u.microdata_regions.extend(e.region.clone());
            }
            AccessKind::AggregateRead | AccessKind::UnsuppressedAnalysis => {
                let filters = e.filters.as_deref().unwrap_or("-");
                u.aggregates
                    .insert(format!("{} filters={filters}", e.object));
            }
            _ => {}
        }
    }
    users.into_values().collect()
}

fn summarise_regions(events: &[AccessEvent]) -> Vec<RegionSummary> {
    let mut regions: BTreeMap<&str, RegionSummary> = BTreeMap::new();
    for e in events {
        let mut touched: BTreeSet<&str> = BTreeSet::new();
        touched.extend(e.region.as_deref());
        touched.extend(e.user_region.as_deref());
        for r in touched {
            let s = regions.entry(r).or_insert_with(|| RegionSummary {
                region: r.to_owned(),
                ..RegionSummary::default()
            });
            s.days.entry(e.day()).or_default().add(e);
            if e.region.as_deref() == Some(r) {
                s.users.insert(e.user.clone());
                if e.kind == AccessKind::MicrodataDownload {
                    s.microdata_users.insert(e.user.clone());
                }
            }
        }
    }
    regions.into_values().collect()
}

fn find_flags(events: &[AccessEvent]) -> Vec<Flag> {
    let mut flags = Vec::new();
    // Rule 1: downloads per user and day against the user's other days.
    let mut downloads: BTreeMap<&str, BTreeMap<NaiveDate, Vec<i64>>> = BTreeMap::new();
    for e in events
        .iter()
        .filter(|e| e.kind == AccessKind::MicrodataDownload)
    {
        downloads
            .entry(&e.user)
            .or_default()
            .entry(e.day())
            .or_default()
            .push(e.seq);
    }
    for (user, days) in &downloads {
        for (day, seqs) in days {
            let mut others: Vec<usize> = days
                .iter()
                .filter(|(d, _)| *d != day)
                .map(|(_, s)| s.len())
                .collect();
            let usual = median(&mut others);
            let limit = (BURST_FACTOR * usual).max(usual + BURST_MARGIN);
            if seqs.len() as f64 > limit {
                flags.push(Flag {
                    rule: Rule::ManyDownloads,
                    user: (*user).to_owned(),
                    day: *day,
                    region: None,
                    count: seqs.len(),
                    seqs: seqs.clone(),
                    reason: format!(
                        "{} hämtningar på en dag, vanligen {} (median övriga dagar), gräns {} / {} downloads in one day, usually {}, limit {}",
                        seqs.len(),
                        num(usual),
                        num(limit),
                        seqs.len(),
                        usual,
                        limit
                    ),
                });
            }
        }
    }
    // Rules 2 and 3: grouped per user and day (and region).
    let mut night: BTreeMap<(&str, NaiveDate), Vec<i64>> = BTreeMap::new();
    let mut other: BTreeMap<(&str, NaiveDate, &str), Vec<i64>> = BTreeMap::new();
    for e in events {
        if is_night(e) {
            night.entry((&e.user, e.day())).or_default().push(e.seq);
        }
        if let Some(r) = e.other_region() {
            other.entry((&e.user, e.day(), r)).or_default().push(e.seq);
        }
    }
    for ((user, day), seqs) in night {
        flags.push(Flag {
            rule: Rule::Night,
            user: user.to_owned(),
            day,
            region: None,
            count: seqs.len(),
            reason: format!(
                "{} åtkomster nattetid, mellan 00:00 och {NIGHT_END_HOUR:02}:00 svensk tid / {} accesses at night, between 00:00 and {NIGHT_END_HOUR:02}:00 Swedish time",
                seqs.len(),
                seqs.len()
            ),
            seqs,
        });
    }
    for ((user, day, region), seqs) in other {
        flags.push(Flag {
            rule: Rule::OtherRegion,
            user: user.to_owned(),
            day,
            region: Some(region.to_owned()),
            count: seqs.len(),
            reason: format!(
                "{} försök mot region {region}s mikrodata, inte användarens egen / {} attempts on region {region}'s microdata, not the user's own",
                seqs.len(),
                seqs.len()
            ),
            seqs,
        });
    }
    flags.sort_by(|a, b| (&a.user, a.day, a.rule).cmp(&(&b.user, b.day, b.rule)));
    flags
}

impl Hub {
    /// The log review of `from..to` (UTC; see [`swedish_days`] for whole Swedish days). With the
    /// audit key, the chain and its checkpoints are verified first and only the verified entries
    /// are reviewed; a broken chain is [`LogReviewError::Broken`]. Users' own regions come from
    /// the users table.
    pub async fn log_review(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<LogReport, LogReviewError> {
        if from >= to {
            return Err(LogReviewError::Span { from, to });
        }
        let chain = match self.verify_audit().await {
            Ok(Ok(entries)) => ChainCheck::Verified { entries },
            Ok(Err(broken)) => return Err(broken.into()),
            Err(StoreError::NoAuditKey) => ChainCheck::NotVerified,
            Err(e) => return Err(e.into()),
        };
        let mut entries = self.audit_entries().await?;
        if let ChainCheck::Verified { entries: n } = chain {
            // Entries appended after the verification are not part of this review.
            entries.truncate(n);
        }
        let homes: BTreeMap<String, String> = self
            .users()
            .await?
            .into_iter()
            .filter_map(|u| Some((u.name, u.region?)))
            .collect();
        LogReport::build(&entries, &homes, from, to, chain)
    }
}

mod export;

#[cfg(test)]
mod tests;
