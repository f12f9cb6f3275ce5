//! Track A: external indicator values from other organisations' statistics.
//!
//! * [`import`]: read a delivered file ([`vardhub_ingest::external::read`]), decide against the
//!   source's current version and store it as the next version with its report
//!   ([`vardhub_store::Hub::store_source_version`], audited `sources.import`). A rejected file is
//!   recorded and never current; a file with far fewer rows for an indicator than the current
//!   version (under [`MIN_SHARE_OF_PREDECESSOR`], when that had at least
//!   [`PREDECESSOR_MIN_ROWS`]) is held, like a region's re-delivery, until [`confirm`].
//! * [`listing`]: every known source with its versions and current indicators.
//! * [`published`] (in `published.rs`): the current values of every source, one
//!   [`SourceTable`] per source indicator, through the hub's disclosure policy — what the API,
//!   the pages, PxWeb and the DCAT catalogue show.

mod published;

pub use published::{SourceCell, SourceCellStatus, SourceTable, published};

use serde::Serialize;
use sha2::{Digest, Sha256};
use vardhub_domain::external::{SourceId, SourceInfo, sources};
use vardhub_ingest::external::{ExternalReport, IndicatorRows, ReadOptions, read};
use vardhub_ingest::report::{FileRuleCount, Issue, Severity};
use vardhub_store::sources::{NewSourceVersion, SourceDecision, SourceVersion};
use vardhub_store::{DeliveryStatus, Hub, StoreError};

/// An indicator of the current version with at least this many rows is compared with a new
/// import.
pub const PREDECESSOR_MIN_ROWS: u64 = 10;

/// A new import with fewer than this share of an indicator's current rows is held.
pub const MIN_SHARE_OF_PREDECESSOR: f64 = 0.5;

/// Why a source operation failed, by who must act.
#[derive(Debug, thiserror::Error)]
pub enum SourcesError {
    /// The catalogue failed or refused (the operator must act).
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The disclosure policy refused a table (a bug or a broken policy: the developers or the
    /// policy owner must act).
    #[error(transparent)]
    Disclosure(#[from] vardhub_engine::disclosure::DisclosureError),
    /// A stored version cannot be read back (the operator must act: a damaged catalogue).
    #[error("en lagrad version kan inte läsas / a stored version cannot be read: {0}")]
    Stored(String),
    /// The unknown source named (the user must act).
    #[error("okänd källa / unknown source")]
    UnknownSource,
}

/// Read `bytes` (the file `file_name`) as a delivery of `source` and store it as the source's
/// next version. Returns the report (with its version and final status). A file whose source is
/// unknown is not stored (there is no source to file it under); its report says why.
pub async fn import(
    hub: &Hub,
    file_name: &str,
    bytes: &[u8],
    source: &str,
    actor: &str,
    opts: &ReadOptions,
) -> Result<ExternalReport, SourcesError> {
    let reading = read(file_name, bytes, source, opts);
    let Some(id) = reading.source else {
        return Ok(reading.report);
    };
    let body = (!reading.report.is_rejected())
        .then(|| serde_json::to_string(&reading.rows))
        .transpose()
        .map_err(|e| SourcesError::Stored(e.to_string()))?;
    let indicators = serde_json::to_string(&reading.report.indicators)
        .map_err(|e| SourcesError::Stored(e.to_string()))?;
    let new = NewSourceVersion {
        source: id.as_str().to_owned(),
        imported_by: actor.to_owned(),
        file: reading.report.file.clone(),
        sha256: hex::encode(Sha256::digest(bytes)),
        rows: reading.report.rows_valid,
        indicators,
        body,
    };
    let mut report = reading.report;
    let (_, decision) = hub
        .store_source_version(new, |current, version| {
            decide(&mut report, current, version)
        })
        .await?;
    serde_json::from_str(&decision.report).map_err(|e| SourcesError::Stored(e.to_string()))
}

/// Accepted, held (far smaller than the current version) or rejected, recorded in the report.
fn decide(
    report: &mut ExternalReport,
    current: Option<&SourceVersion>,
    version: u32,
) -> SourceDecision {
    report.version = Some(version);
    if !report.is_rejected()
        && let Some(cur) = current
    {
        let before: Vec<IndicatorRows> = serde_json::from_str(&cur.indicators).unwrap_or_default();
        let shrunk: Vec<String> = before
            .iter()
            .filter(|b| b.rows >= PREDECESSOR_MIN_ROWS)
            .filter_map(|b| {
                let now = report
                    .indicators
                    .iter()
                    .find(|i| i.id == b.id)
                    .map_or(0, |i| i.rows);
                ((now as f64) < MIN_SHARE_OF_PREDECESSOR * b.rows as f64)
                    .then(|| format!("{} {now}/{}", b.id, b.rows))
            })
            .collect();
        if !shrunk.is_empty() {
            hold(report, cur.version, &shrunk.join(", "));
        }
    }
    let make_current = matches!(
        report.status,
        DeliveryStatus::Accepted | DeliveryStatus::AcceptedWithWarnings
    );
    SourceDecision {
        status: report.status.as_str().to_owned(),
        make_current,
        report: serde_json::to_string(report).unwrap_or_else(|_| "{}".to_owned()),
    }
}

fn hold(report: &mut ExternalReport, current: u32, list: &str) {
    let limit = 100.0 * MIN_SHARE_OF_PREDECESSOR;
    let issue = Issue::new(
        Severity::Warning,
        "shrunk_vs_predecessor",
        format!(
            "importen har långt färre rader än gällande version {current} (under {limit:.0} %): {list}. Den väntar på bekräftelse (`vardhub sources confirm`); version {current} förblir gällande."
        ),
        format!(
            "the import has far fewer rows than the current version {current} (below {limit:.0} %): {list}. It is held for confirmation (`vardhub sources confirm`); version {current} stays current."
        ),
    )
    .in_file(&report.file);
    report.issues.push(issue);
    report
        .counts
        .entry("shrunk_vs_predecessor".to_owned())
        .or_default()
        .warnings += 1;
    report.counts_by_file.push(FileRuleCount {
        file: Some(report.file.clone()),
        rule: "shrunk_vs_predecessor".to_owned(),
        errors: 0,
        warnings: 1,
        not_listed: 0,
    });
    report.status = DeliveryStatus::Held;
}

/// Make a held version of a source current (an operator confirmed it); audited.
pub async fn confirm(
    hub: &Hub,
    source: &str,
    version: u32,
    actor: &str,
) -> Result<(), SourcesError> {
    let id = SourceId::parse(source).map_err(|_| SourcesError::UnknownSource)?;
    Ok(hub
        .confirm_source_version(id.as_str(), version, actor)
        .await?)
}

/// A known source with what the hub holds of it.
#[derive(Debug, Clone, Serialize)]
pub struct SourceListing {
    /// The id.
    pub id: &'static str,
    /// Swedish name.
    pub name_sv: &'static str,
    /// English name.
    pub name_en: &'static str,
    /// Publisher.
    pub publisher: &'static str,
    /// The source's own site.
    pub url: &'static str,
    /// Terms and attribution, Swedish.
    pub attribution_sv: &'static str,
    /// Terms and attribution, English.
    pub attribution_en: &'static str,
    /// The current version, if any.
    pub current_version: Option<u32>,
    /// When the current version was imported.
    pub imported_at: Option<String>,
    /// The current version's indicators.
    pub indicators: Vec<IndicatorRows>,
    /// Every version, oldest first.
    pub versions: Vec<VersionListing>,
}

/// One version in a listing.
#[derive(Debug, Clone, Serialize)]
pub struct VersionListing {
    /// The number.
    pub version: u32,
    /// `accepted`, `accepted_with_warnings`, `held`, `rejected`.
    pub status: String,
    /// Whether readers see it.
    pub current: bool,
    /// When.
    pub imported_at: String,
    /// Valid rows.
    pub rows: u64,
}

/// Every known source (in [`sources`] order) with its versions and current indicators.
pub async fn listing(hub: &Hub) -> Result<Vec<SourceListing>, SourcesError> {
    let versions = hub.source_versions(None).await?;
    sources()
        .iter()
        .map(|info: &'static SourceInfo| {
            let mine: Vec<&SourceVersion> =
                versions.iter().filter(|v| v.source == info.id).collect();
            let current = mine.iter().find(|v| v.current);
            let indicators = current
                .map(|c| serde_json::from_str(&c.indicators))
                .transpose()
                .map_err(|e| SourcesError::Stored(e.to_string()))?
                .unwrap_or_default();
            Ok(SourceListing {
                id: info.id,
                name_sv: info.name_sv,
                name_en: info.name_en,
                publisher: info.publisher,
                url: info.url,
                attribution_sv: info.attribution_sv,
                attribution_en: info.attribution_en,
                current_version: current.map(|c| c.version),
                imported_at: current.map(|c| c.imported_at.clone()),
                indicators,
                versions: mine
                    .iter()
                    .map(|v| VersionListing {
                        version: v.version,
                        status: v.status.clone(),
                        current: v.current,
                        imported_at: v.imported_at.clone(),
                        rows: v.rows,
                    })
                    .collect(),
            })
        })
        .collect()
}

/// The stored report of one version of a source.
pub async fn report(
    hub: &Hub,
    source: &str,
    version: u32,
) -> Result<Option<ExternalReport>, SourcesError> {
    let id = SourceId::parse(source).map_err(|_| SourcesError::UnknownSource)?;
    hub.source_report(id.as_str(), version)
        .await?
        .map(|r| serde_json::from_str(&r).map_err(|e| SourcesError::Stored(e.to_string())))
        .transpose()
}
