//! The one door through which indicator values leave the server.
//!
//! TEMPORARY STAND-IN with the signature of `vardhub_engine::indicator::publish` (being written on
//! branch issue5). It hides every value in the public view and in the public part of a region's
//! view, so nothing can leak before the real disclosure step lands; only authorised views (the
//! caller's own region, national analysts, admins) see values. Replaced by a re-export of the
//! engine's module when issue5 is merged.

use serde::Serialize;
use vardhub_domain::RegionCode;
use vardhub_engine::disclosure::{DisclosurePolicy, Status};
use vardhub_engine::indicator::ResultRow;

/// Who the values are published for.
#[derive(Debug, Clone)]
pub enum View {
    /// Everyone: the disclosure policy applies everywhere.
    Public,
    /// A region analyst: own region unsuppressed, other regions as the public sees them.
    Region(RegionCode),
    /// National analyst, admin: unsuppressed.
    Full,
}

/// One published value.
#[derive(Serialize, Clone, Debug)]
pub struct PublicValue {
    /// Indicator id.
    pub indicator: String,
    /// Recipe version.
    pub spec_version: String,
    /// Recipe hash.
    pub spec_hash: String,
    /// Region, `00` = Sweden.
    pub region: String,
    /// Month.
    pub period: String,
    /// Sex (`1`, `2`, `alla`).
    pub kon: String,
    /// Age group.
    pub aldersgrupp: String,
    /// Disclosure status.
    pub status: Status,
    /// Numerator.
    pub numerator: Option<f64>,
    /// Denominator.
    pub denominator: Option<f64>,
    /// Value.
    pub value: Option<f64>,
    /// Lower confidence limit.
    pub lower: Option<f64>,
    /// Upper confidence limit.
    pub upper: Option<f64>,
    /// Standardised value.
    pub standardised: Option<f64>,
    /// Its lower limit.
    pub standardised_lower: Option<f64>,
    /// Its upper limit.
    pub standardised_upper: Option<f64>,
    /// Sweden's value.
    pub national_value: Option<f64>,
    /// Funnel flag at 95 %.
    pub funnel_95: Option<String>,
    /// Funnel flag at 99.8 %.
    pub funnel_998: Option<String>,
    /// Meets the target.
    pub meets_target: Option<bool>,
    /// Deliveries read.
    pub deliveries: Vec<String>,
    /// Computation run.
    pub run_id: String,
}

/// Publishing failed.
#[derive(Debug, thiserror::Error)]
#[error("publicering misslyckades / publishing failed: {0}")]
pub struct PublishError(String);

/// All published values of one run, for one view (values are `None` whenever status is hidden).
pub fn publish(
    _policy: &DisclosurePolicy,
    rows: &[ResultRow],
    run_id: &str,
    view: &View,
) -> Result<Vec<PublicValue>, PublishError> {
    Ok(rows
        .iter()
        .map(|r| {
            let shown = match view {
                View::Public => false,
                View::Region(own) => r.region == own.as_str(),
                View::Full => true,
            };
            let status = if r.denominator == 0.0 {
                Status::NotApplicable
            } else if !shown {
                Status::HiddenSecondary
            } else if r.numerator == 0.0 {
                Status::Zero
            } else {
                Status::Ok
            };
            let keep = |v: Option<f64>| v.filter(|_| status.is_published());
            PublicValue {
                indicator: r.indicator.clone(),
                spec_version: r.spec_version.clone(),
                spec_hash: r.spec_hash.clone(),
                region: r.region.clone(),
                period: r.period.clone(),
                kon: r.kon.clone(),
                aldersgrupp: r.aldersgrupp.clone(),
                status,
                numerator: keep(Some(r.numerator)),
                denominator: keep(Some(r.denominator)),
                value: keep(r.value),
                lower: keep(r.lower),
                upper: keep(r.upper),
                standardised: keep(r.standardised),
                standardised_lower: keep(r.standardised_lower),
                standardised_upper: keep(r.standardised_upper),
                national_value: keep(r.national_value),
                funnel_95: r
                    .flags
                    .filter(|_| status.is_published())
                    .map(|f| sig(f.at_95).to_owned()),
                funnel_998: r
                    .flags
                    .filter(|_| status.is_published())
                    .map(|f| sig(f.at_998).to_owned()),
                meets_target: r.meets_target.filter(|_| status.is_published()),
                deliveries: r.deliveries.clone(),
                run_id: run_id.to_owned(),
            }
        })
        .collect())
}

fn sig(s: vardhub_engine::stats::Significance) -> &'static str {
    use vardhub_engine::stats::Significance as S;
    match s {
        S::SignificantlyBetter => "better",
        S::SignificantlyWorse => "worse",
        S::NotSignificant => "not_significant",
    }
}
