//! Loggkontroll / log review over HTTP: who may review what, and the view a region gets.
//!
//! Administrators and national analysts review every region; a region analyst reviews only
//! their own region (the events that concern it: its microdata read by anyone, and everything its
//! own users did), which is what the Patient Data Act asks each care provider to do. Anyone else
//! gets 403. The span is whole Swedish days, at most [`MAX_DAYS`].

use crate::auth::{Caller, Role};
use crate::problem::Problem;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use vardhub_store::Hub;
use vardhub_store::log_review::{
    AccessEvent, ChainCheck, Flag, LogReport, LogReviewError, RegionSummary, UserSummary,
    swedish_days,
};

/// The longest span one review covers.
pub const MAX_DAYS: i64 = 366;

/// `?from=ÅÅÅÅ-MM-DD&to=ÅÅÅÅ-MM-DD&region=RR&format=json|csv&daily=true`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReviewQuery {
    /// First Swedish day.
    pub from: Option<String>,
    /// Last Swedish day (inclusive).
    pub to: Option<String>,
    /// One region (two digits); a region analyst's own region by default.
    pub region: Option<String>,
    /// `json` (default) or `csv`.
    pub format: Option<String>,
    /// CSV of counts per user and day instead of events.
    pub daily: Option<bool>,
    /// Page language.
    pub lang: Option<String>,
}

/// What the caller may review.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// Every region.
    All,
    /// One region.
    Region(String),
}

fn parse_day(field: &str, s: &str) -> Result<NaiveDate, Problem> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| {
        Problem::bad_request(format!(
            "{field}: ange datum som ÅÅÅÅ-MM-DD / give a date as YYYY-MM-DD"
        ))
    })
}

/// The days asked for (default: the last 30 days up to today, Swedish time).
pub fn days(q: &ReviewQuery) -> Result<(NaiveDate, NaiveDate), Problem> {
    let today = vardhub_store::log_review::swedish_local(vardhub_store::now_utc()).date();
    let to = match q.to.as_deref().filter(|s| !s.is_empty()) {
        Some(s) => parse_day("to", s)?,
        None => today,
    };
    let from = match q.from.as_deref().filter(|s| !s.is_empty()) {
        Some(s) => parse_day("from", s)?,
        None => to - chrono::Duration::days(29),
    };
    if from > to || (to - from).num_days() >= MAX_DAYS {
        return Err(Problem::bad_request(format!(
            "from ≤ to, högst {MAX_DAYS} dagar / from ≤ to, at most {MAX_DAYS} days"
        )));
    }
    Ok((from, to))
}

/// The scope of the caller's review, or why none.
pub fn scope(caller: &Caller, region: Option<&str>) -> Result<Scope, Problem> {
    let Some(p) = &caller.0 else {
        return Err(Problem::unauthorized(
            "logga in för loggkontroll / log in for log review",
        ));
    };
    let region = region.filter(|r| !r.is_empty());
    match (p.role, p.region) {
        (Role::Admin | Role::National, _) => {
            Ok(region.map_or(Scope::All, |r| Scope::Region(r.to_owned())))
        }
        (Role::Region, Some(own)) => match region {
            None => Ok(Scope::Region(own.as_str().to_owned())),
            Some(r) if r == own.as_str() => Ok(Scope::Region(r.to_owned())),
            Some(_) => Err(Problem::forbidden(
                "en region granskar bara sin egen logg / a region reviews only its own log",
            )),
        },
        _ => Err(Problem::forbidden(
            "loggkontroll är för regionernas och hubbens granskare / log review is for the regions' and the hub's reviewers",
        )),
    }
}

/// A log review error as a problem.
pub fn problem(e: LogReviewError) -> Problem {
    match e {
        LogReviewError::Region(_) | LogReviewError::Span { .. } => {
            Problem::bad_request(e.to_string())
        }
        other => Problem::internal(other),
    }
}

/// The review of `from`–`to`.
pub async fn review(hub: &Hub, from: NaiveDate, to: NaiveDate) -> Result<LogReport, Problem> {
    let (a, b) = swedish_days(from, to);
    hub.log_review(a, b).await.map_err(problem)
}

/// One region's part of a review.
#[derive(Debug, Clone, Serialize)]
pub struct RegionView<'a> {
    /// The region.
    pub region: String,
    /// First Swedish day.
    pub from: NaiveDate,
    /// Last Swedish day.
    pub to: NaiveDate,
    /// Whether the log verified.
    pub chain: ChainCheck,
    /// Events that concern the region.
    pub events: Vec<&'a AccessEvent>,
    /// Flags on those events.
    pub flags: Vec<&'a Flag>,
    /// Users with events concerning the region.
    pub users: Vec<&'a UserSummary>,
    /// The region's summary.
    pub summary: Option<&'a RegionSummary>,
}

/// The part of `report` that concerns `region` (a valid two-digit code).
pub fn region_view<'a>(
    report: &'a LogReport,
    region: &str,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<RegionView<'a>, Problem> {
    let code = vardhub_domain::RegionCode::parse(region)
        .map_err(|_| Problem::bad_request(format!("okänd region / unknown region {region:?}")))?;
    let region = code.as_str();
    let events: Vec<&AccessEvent> = report
        .events
        .iter()
        .filter(|e| e.concerns(region))
        .collect();
    let seqs: std::collections::BTreeSet<i64> = events.iter().map(|e| e.seq).collect();
    let names: std::collections::BTreeSet<&str> = events.iter().map(|e| e.user.as_str()).collect();
    Ok(RegionView {
        region: region.to_owned(),
        from,
        to,
        chain: report.chain,
        flags: report
            .flags
            .iter()
            .filter(|f| f.seqs.iter().any(|s| seqs.contains(s)))
            .collect(),
        users: report
            .users
            .iter()
            .filter(|u| names.contains(u.user.as_str()))
            .collect(),
        summary: report.regions.iter().find(|r| r.region == region),
        events,
    })
}
