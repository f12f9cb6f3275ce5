//! Publishing indicator results: the one place where computed values meet the disclosure policy.
//!
//! For every indicator and period, the published cells at every level form **one table**
//! ([`super::grid`]): sjukvårdsregioner, regions and Sweden by men, women and both sexes, Sweden
//! also by age group, kommuner, hospitals and units by their totals, with the margins that tie
//! them across the hierarchy. The policy decides the tables of the recipe's finest period kind;
//! quarters, years and rolling 12 months are shown only where they are sums of shown values
//! ([`super::derived`]).
//! Regions by age group and cross cells (a sex *and* an age group) are not published; they stay
//! in the internal results (and in [`View::Full`]'s source, the stored run).
//!
//! Views:
//! * [`View::Public`]: the policy's statuses; values only for `ok` and `zero`.
//! * [`View::Region`]: a region analyst's view — the own region unsuppressed, the others exactly as
//!   the public sees them. The public statuses already withstand an analyst who knows the own
//!   region's row (every region is an insider of the audit), so the view hides nothing extra.
//! * [`View::Full`]: everything unsuppressed (national analysts, administrators).
//!
//! Every value carries its status in the view and the status the public sees. The public statuses
//! of a run are decided once, against every earlier release ([`super::ledger`]), and recorded.

use super::compute::ResultRow;
use super::grid::{Cell, Grid, Label, unsuppressed};
use super::layout::{PartKind, layout};
use super::ledger::{ReleasedTable, release};
use crate::definitions::Definitions;
use crate::disclosure::{DisclosureError, PublishedTable, Status, Table};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use vardhub_domain::RegionCode;

/// Who is looking.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum View {
    /// The public (no login).
    Public,
    /// A region analyst: the own region unsuppressed, the others as published.
    Region(RegionCode),
    /// National analysts and administrators: everything unsuppressed.
    Full,
}

/// One value as shown to a [`View`]: values are `None` whenever `status` is not published.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PublicValue {
    /// Indicator id.
    pub indicator: String,
    /// Recipe version.
    pub spec_version: String,
    /// Recipe content hash.
    pub spec_hash: String,
    /// Area: `00` = Sweden, a region (`01`), a sjukvårdsregion (`SR1`), a kommun (`0180`), a
    /// hospital (`01/01010`) or a unit (`01/01010/Medicin`); see [`vardhub_domain::Area`].
    pub region: String,
    /// The area's level (`land`, `sjukvardsregion`, `region`, `kommun`, `sjukhus`, `enhet`).
    pub level: String,
    /// Period: month `ÅÅÅÅ-MM`, quarter `ÅÅÅÅ-K1`, year `ÅÅÅÅ`, rolling 12 months
    /// `R12-ÅÅÅÅ-MM` (see [`vardhub_domain::ReportPeriod`]).
    pub period: String,
    /// `1` (men), `2` (women), `alla`, or `okant` (sex not known).
    pub kon: String,
    /// Age group, `alla`, or `okand`.
    pub aldersgrupp: String,
    /// Status in this view.
    pub status: Status,
    /// Status the public sees.
    pub public_status: Status,
    /// Numerator.
    pub numerator: Option<f64>,
    /// Denominator.
    pub denominator: Option<f64>,
    /// Crude value in the indicator's unit.
    pub value: Option<f64>,
    /// Lower 95 % limit.
    pub lower: Option<f64>,
    /// Upper 95 % limit.
    pub upper: Option<f64>,
    /// Standardised value (region totals of standardised indicators, above the statistical floor).
    pub standardised: Option<f64>,
    /// Its lower limit.
    pub standardised_lower: Option<f64>,
    /// Its upper limit.
    pub standardised_upper: Option<f64>,
    /// Sweden's value for the same stratum (when Sweden's cell is shown in this view).
    pub national_value: Option<f64>,
    /// Funnel classification at 95 %: `better`, `worse`, `not_significant`.
    pub funnel_95: Option<String>,
    /// Funnel classification at 99.8 %.
    pub funnel_998: Option<String>,
    /// Whether the value meets the target.
    pub meets_target: Option<bool>,
    /// Delivery ids the value was computed from.
    pub deliveries: Vec<String>,
    /// The run the value comes from.
    pub run_id: String,
    /// Disclosure policy id and version applied.
    pub policy: String,
}

impl PublicValue {
    /// The cell this value is for, in the order [`publish`] returns values.
    pub fn cell_key(&self) -> super::compute::CellKey<'_> {
        (
            &self.indicator,
            &self.period,
            &self.region,
            &self.kon,
            &self.aldersgrupp,
        )
    }
}

/// Errors while publishing (none is expected with the shipped policy; each names its table).
#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    /// The results name an indicator without a recipe.
    #[error("okänd indikator i resultaten / unknown indicator in the results: {0}")]
    UnknownIndicator(String),
    /// The run's recorded release does not match its results (or lacks a table).
    #[error(
        "utgåvan stämmer inte med resultaten för {indicator} {period} / the release does not match the results of {indicator} {period}"
    )]
    ReleaseMismatch {
        /// Indicator.
        indicator: String,
        /// Period.
        period: String,
    },
    /// The disclosure policy refused a table.
    #[error(
        "röjandekontroll av {indicator} {period} / disclosure control of {indicator} {period}: {source}"
    )]
    Disclosure {
        /// Indicator.
        indicator: String,
        /// Period.
        period: String,
        /// The error.
        source: DisclosureError,
    },
}

pub use super::grid::{AGE_UNKNOWN, SEX_UNKNOWN};

/// The rows of each published table: one per indicator and period.
pub(crate) fn by_table(rows: &[ResultRow]) -> BTreeMap<(&str, &str), Vec<&ResultRow>> {
    let mut groups: BTreeMap<(&str, &str), Vec<&ResultRow>> = BTreeMap::new();
    for r in rows {
        groups
            .entry((r.indicator.as_str(), r.period.as_str()))
            .or_default()
            .push(r);
    }
    groups
}

/// Publish all rows of a run for one view, sorted by indicator, period, region, sex, age group,
/// deciding the public statuses here without earlier releases (tools and tests; the hub publishes
/// a run with [`publish_released`] and the statuses recorded in its release).
pub fn publish(
    defs: &Definitions,
    rows: &[ResultRow],
    run_id: &str,
    view: &View,
) -> Result<Vec<PublicValue>, PublishError> {
    let released = release(defs, rows, &[])?;
    publish_released(defs, rows, run_id, view, &released)
}

/// Publish all rows of a run for one view with the public statuses of its release.
pub fn publish_released(
    defs: &Definitions,
    rows: &[ResultRow],
    run_id: &str,
    view: &View,
    released: &[ReleasedTable],
) -> Result<Vec<PublicValue>, PublishError> {
    Ok(
        publish_views(defs, rows, run_id, std::slice::from_ref(view), released)?
            .pop()
            .unwrap_or_default(),
    )
}

/// Publish all rows of a run for several views at once, with the public statuses of its release:
/// each table is checked against its release once and then written out for every view (every
/// view of a run costs little more than one). One vector per view, in the order of `views`.
pub fn publish_views(
    defs: &Definitions,
    rows: &[ResultRow],
    run_id: &str,
    views: &[View],
    released: &[ReleasedTable],
) -> Result<Vec<Vec<PublicValue>>, PublishError> {
    let by_key: BTreeMap<String, &ReleasedTable> = released.iter().map(|r| (r.key(), r)).collect();
    let groups: Vec<((&str, &str), Vec<&ResultRow>)> = by_table(rows).into_iter().collect();
    let tagged = par_tables(groups.len(), |i| {
        let ((indicator, period), group) = &groups[i];
        let mismatch = || PublishError::ReleaseMismatch {
            indicator: (*indicator).to_owned(),
            period: (*period).to_owned(),
        };
        let recipe = defs
            .recipe(indicator)
            .ok_or_else(|| PublishError::UnknownIndicator((*indicator).to_owned()))?;
        let grid = Grid::new(recipe, period, group);
        let mut public = vec![None; grid.cells.len()];
        for part in layout(&grid) {
            let suffix = part.kind.suffix();
            let key = if suffix.is_empty() {
                format!("{indicator}/{period}")
            } else {
                format!("{indicator}/{period}/{suffix}")
            };
            let released = by_key.get(&key).ok_or_else(mismatch)?;
            if released.labels != grid.labels(&part.members)
                || !same_quantities(&released.table, &part.table)
            {
                return Err(mismatch());
            }
            for (k, &i) in part.members.iter().enumerate() {
                // A group's first cell is the region's total: the regional part decides it.
                if k == 0 && matches!(part.kind, PartKind::Group(_)) {
                    continue;
                }
                public[i] = Some(released.statuses[k]);
            }
        }
        let mut out = Vec::new();
        for (v, view) in views.iter().enumerate() {
            out.extend(
                publish_table(defs, &grid, public.clone(), run_id, view)?
                    .into_iter()
                    .map(|value| (v, value)),
            );
        }
        Ok(out)
    })?;
    let mut out: Vec<Vec<PublicValue>> = vec![Vec::new(); views.len()];
    for (v, value) in tagged {
        out[v].push(value);
    }
    for values in &mut out {
        values.sort_by(|a, b| a.cell_key().cmp(&b.cell_key()));
    }
    Ok(out)
}

/// `f(0..n)` spread over the cores, concatenated (order not kept). Tables are independent and a
/// few cost most of the time, so each thread takes the next index when it is done.
pub(crate) fn par_tables<T: Send>(
    n: usize,
    f: impl Fn(usize) -> Result<Vec<T>, PublishError> + Sync,
) -> Result<Vec<T>, PublishError> {
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(n.max(1));
    let next = std::sync::atomic::AtomicUsize::new(0);
    let parts: Vec<Result<Vec<T>, PublishError>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                let (f, next) = (&f, &next);
                scope.spawn(move || {
                    let mut out = Vec::new();
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        if i >= n {
                            return Ok(out);
                        }
                        out.extend(f(i)?);
                    }
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect()
    });
    let mut out = Vec::new();
    for part in parts {
        out.extend(part?);
    }
    Ok(out)
}

/// Publish one indicator × period grid for a view, with the public statuses of its release.
fn publish_table(
    defs: &Definitions,
    grid: &Grid<'_>,
    public: Vec<Option<Status>>,
    run_id: &str,
    view: &View,
) -> Result<Vec<PublicValue>, PublishError> {
    let policy = defs.policy();
    let mut out = Vec::new();
    let public = grid.no_cases(public);
    let shown: Vec<Option<Status>> = match view {
        View::Public => public.clone(),
        View::Full => (0..grid.cells.len())
            .map(|i| grid.published(i).then(|| unsuppressed(grid.cells[i].input)))
            .collect(),
        View::Region(own) => grid.region_view(&public, own),
    };
    let shown = grid.no_cases(shown);
    let floor = policy.rules().standardised_rate.statistical_floor as f64;
    let policy_name = format!("{} v{}", policy.id(), policy.version());
    for (i, cell) in grid.cells.iter().enumerate() {
        let (Some(status), Some(public_status)) = (shown[i], public[i]) else {
            continue; // not a published cell (e.g. a region × age group)
        };
        let level = grid.rows[i / grid.width()].level.code().to_owned();
        let Some(row) = cell.row else {
            // An area without a row (nothing delivered): report it as such.
            out.push(empty_value(
                grid,
                cell,
                level,
                (status, public_status),
                run_id,
                &policy_name,
            ));
            continue;
        };
        let shown_at =
            |j: Option<usize>| j.is_some_and(|j| shown[j].is_some_and(Status::is_published));
        let visible = status.is_published();
        let national_visible = shown_at(grid.national_cell(i));
        let standardised_ok = visible && row.numerator >= floor;
        out.push(PublicValue {
            indicator: row.indicator.clone(),
            spec_version: row.spec_version.clone(),
            spec_hash: row.spec_hash.clone(),
            region: cell.area.clone(),
            level,
            period: row.period.clone(),
            kon: cell.kon.clone(),
            aldersgrupp: cell.age.clone(),
            status,
            public_status,
            numerator: visible.then_some(row.numerator),
            denominator: visible.then_some(row.denominator),
            value: row.value.filter(|_| visible),
            lower: row.lower.filter(|_| visible),
            upper: row.upper.filter(|_| visible),
            standardised: row.standardised.filter(|_| standardised_ok),
            standardised_lower: row.standardised_lower.filter(|_| standardised_ok),
            standardised_upper: row.standardised_upper.filter(|_| standardised_ok),
            national_value: row.national_value.filter(|_| national_visible),
            funnel_95: row
                .flags
                .filter(|_| visible && national_visible)
                .map(|f| crate::indicator::results::sig_code(f.at_95).to_owned()),
            funnel_998: row
                .flags
                .filter(|_| visible && national_visible)
                .map(|f| crate::indicator::results::sig_code(f.at_998).to_owned()),
            meets_target: row.meets_target.filter(|_| visible),
            deliveries: row.deliveries.clone(),
            run_id: run_id.to_owned(),
            policy: policy_name.clone(),
        });
    }
    Ok(out)
}

fn empty_value(
    grid: &Grid<'_>,
    cell: &Cell<'_>,
    level: String,
    (status, public): (Status, Status),
    run_id: &str,
    policy: &str,
) -> PublicValue {
    PublicValue {
        indicator: grid.recipe.spec.id.clone(),
        spec_version: grid.recipe.spec.version.clone(),
        spec_hash: grid.recipe.hash.clone(),
        region: cell.area.clone(),
        level,
        period: cell.period.clone(),
        kon: cell.kon.clone(),
        aldersgrupp: cell.age.clone(),
        status,
        public_status: public,
        numerator: None,
        denominator: None,
        value: None,
        lower: None,
        upper: None,
        standardised: None,
        standardised_lower: None,
        standardised_upper: None,
        national_value: None,
        funnel_95: None,
        funnel_998: None,
        meets_target: None,
        deliveries: Vec::new(),
        run_id: run_id.to_owned(),
        policy: policy.to_owned(),
    }
}

/// Whether two tables have the same cells (kind, count, denominator) and margins: the release was
/// decided on these (displayed values may be NaN where nothing is shown, and NaN ≠ NaN).
pub(crate) fn same_quantities(a: &Table, b: &Table) -> bool {
    let quantities = |t: &Table| -> Vec<Option<(crate::disclosure::CellKind, u64, Option<u64>)>> {
        t.cells()
            .iter()
            .map(|c| c.values().map(|v| (v.kind, v.count, v.denominator)))
            .collect()
    };
    quantities(a) == quantities(b) && a.margins() == b.margins()
}

/// One published table with its unsuppressed input, for audits and tests.
#[derive(Debug, Clone)]
pub struct IndicatorTable {
    /// Indicator id.
    pub indicator: String,
    /// Period.
    pub period: String,
    /// (period, area, kon, aldersgrupp) of each cell, in the table's cell order.
    pub labels: Vec<Label>,
    /// The table as computed (unsuppressed — internal).
    pub table: Table,
    /// The table as the public sees it.
    pub published: PublishedTable,
    /// Per cell: the region whose analyst knows it unsuppressed (Sweden's and the
    /// sjukvårdsregioner's cells: none).
    pub owners: Vec<Option<u32>>,
}

/// Every table of a run the policy decides (per indicator and period of its finest kind: the
/// regions and Sweden, and each region's finer areas) with its unsuppressed input and the
/// policy's statuses (sjukvårdsregioner and longer periods are derived and left out).
pub fn tables(defs: &Definitions, rows: &[ResultRow]) -> Result<Vec<IndicatorTable>, PublishError> {
    let policy = defs.policy();
    let mut out = Vec::new();
    for released in release(defs, rows, &[])? {
        if released.part == "derived" {
            continue; // sums of shown cells, not decided by the policy
        }
        let knowledge = released.knowledge(&[]);
        let published = policy
            .apply_with(&released.table, &knowledge)
            .map_err(|source| PublishError::Disclosure {
                indicator: released.indicator.clone(),
                period: released.period.clone(),
                source,
            })?
            .0;
        out.push(IndicatorTable {
            indicator: released.indicator,
            period: released.period,
            labels: released.labels,
            table: released.table,
            published,
            owners: knowledge.owners,
        });
    }
    Ok(out)
}

/// The set of (indicator, period, region, kon, aldersgrupp) keys of hidden cells in `values`.
pub fn hidden_keys(values: &[PublicValue]) -> BTreeSet<(String, String, String, String, String)> {
    values
        .iter()
        .filter(|v| v.status.is_hidden())
        .map(|v| {
            (
                v.indicator.clone(),
                v.period.clone(),
                v.region.clone(),
                v.kon.clone(),
                v.aldersgrupp.clone(),
            )
        })
        .collect()
}
