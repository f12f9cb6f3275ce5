//! The published values a page shows: the latest official run's values in the caller's view,
//! the all-sexes all-ages series of one area, and the period kind a page opens on.

use crate::auth::Caller;
use crate::problem::Problem;
use crate::published::PublicValue;
use crate::state::AppState;
use std::sync::Arc;
use vardhub_domain::{PeriodKind, ReportPeriod};
use vardhub_engine::indicator::IndicatorSpec;
use vardhub_engine::indicator::compute::ALL;

/// The latest official run's values in one view.
pub struct RunValues {
    /// The run's id.
    pub run_id: String,
    /// When the run finished (RFC 3339): the pages' "Senast uppdaterad".
    pub updated: String,
    /// Every value the caller may see.
    pub values: Arc<Vec<PublicValue>>,
}

/// The values of this request's access level, or `None` before the first run.
pub(super) async fn values_for(
    state: &AppState,
    caller: &Caller,
) -> Result<Option<RunValues>, Problem> {
    let Some(run) = state.latest_run().await.map_err(Problem::internal)? else {
        return Ok(None);
    };
    let values = run
        .values(&state.definitions(), caller.access())
        .await
        .map_err(Problem::internal)?;
    Ok(Some(RunValues {
        run_id: run.run.id.clone(),
        updated: run.run.finished_at.clone(),
        values,
    }))
}

/// The all-sexes, all-ages values of one indicator and area at periods of one kind, by period.
pub(super) fn totals<'a>(
    values: &'a [PublicValue],
    id: &str,
    region: &str,
    kind: PeriodKind,
) -> Vec<&'a PublicValue> {
    values
        .iter()
        .filter(|v| v.indicator == id && v.region == region && v.kon == ALL && v.aldersgrupp == ALL)
        .filter(|v| ReportPeriod::parse(&v.period).is_ok_and(|p| p.kind() == kind))
        .collect()
}

/// The period kind a page opens on: the finest the recipe publishes whose latest period shows
/// at least one region's value in this view (so a small-count indicator opens on quarters or
/// years rather than on a month of hidden values); failing that, the finest.
pub(super) fn opening_kind(values: &[PublicValue], recipe: &IndicatorSpec) -> PeriodKind {
    let kinds = recipe.dimensions.period_kinds();
    let shows = |kind: PeriodKind| {
        let of_kind: Vec<&PublicValue> = values
            .iter()
            .filter(|v| v.indicator == recipe.id && v.level == "region")
            .filter(|v| ReportPeriod::parse(&v.period).is_ok_and(|p| p.kind() == kind))
            .collect();
        let latest = of_kind
            .iter()
            .filter_map(|v| ReportPeriod::parse(&v.period).ok())
            .max();
        latest.is_some_and(|l| {
            of_kind
                .iter()
                .any(|v| v.status.is_published() && ReportPeriod::parse(&v.period).ok() == Some(l))
        })
    };
    kinds
        .iter()
        .copied()
        .find(|k| shows(*k))
        .or_else(|| kinds.first().copied())
        .unwrap_or(PeriodKind::Month)
}
