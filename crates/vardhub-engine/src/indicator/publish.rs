//! Publishing indicator results: the one place where computed values meet the disclosure policy.
//!
//! For every indicator and period, the published cells form **one table**: one row per region and
//! one for Sweden (the column totals) by men, women and both sexes, plus Sweden by age group
//! (whose total is Sweden's "both sexes"). Regions by age group and cross cells (a sex *and* an
//! age group) are not published; they stay in the internal results (and in [`View::Full`]'s
//! source, the stored run).
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

use super::compute::{AGE_GROUPS, ALL, ResultRow, SWEDEN};
use super::ledger::{ReleasedTable, release};
use super::spec::{Recipe, Unit};
use crate::definitions::Definitions;
use crate::disclosure::{CellInput, CellValues, DisclosureError, PublishedTable, Status, Table};
use crate::stats::Interval;
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
    /// Region, `00` = Sweden.
    pub region: String,
    /// Month (`ÅÅÅÅ-MM`).
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

/// Sex not known (a residual column, present only when needed).
pub const SEX_UNKNOWN: &str = "okant";
/// Age not known.
pub const AGE_UNKNOWN: &str = "okand";

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
    let by_key: BTreeMap<(&str, &str), &ReleasedTable> = released
        .iter()
        .map(|r| ((r.indicator.as_str(), r.period.as_str()), r))
        .collect();
    let groups: Vec<((&str, &str), Vec<&ResultRow>)> = by_table(rows).into_iter().collect();
    let mut out = par_tables(groups.len(), |i| {
        let ((indicator, period), group) = &groups[i];
        let mismatch = || PublishError::ReleaseMismatch {
            indicator: (*indicator).to_owned(),
            period: (*period).to_owned(),
        };
        let released = by_key.get(&(*indicator, *period)).ok_or_else(mismatch)?;
        publish_table(defs, indicator, group, run_id, view, released)
    })?;
    out.sort_by(|a, b| a.cell_key().cmp(&b.cell_key()));
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

/// Publish one indicator × period table for a view, with the public statuses of its release.
fn publish_table(
    defs: &Definitions,
    indicator: &str,
    group: &[&ResultRow],
    run_id: &str,
    view: &View,
    released: &ReleasedTable,
) -> Result<Vec<PublicValue>, PublishError> {
    let policy = defs.policy();
    let mut out = Vec::new();
    let recipe = defs
        .recipe(indicator)
        .ok_or_else(|| PublishError::UnknownIndicator(indicator.to_owned()))?;
    let grid = Grid::new(recipe, group);
    let (table, members) = grid.table();
    if released.labels != grid.labels(&members) || !same_quantities(&released.table, &table) {
        return Err(PublishError::ReleaseMismatch {
            indicator: indicator.to_owned(),
            period: grid.period.clone(),
        });
    }
    let public = grid.no_cases(grid.spread(&members, &released.statuses));
    let shown: Vec<Option<Status>> = match view {
        View::Public => public.clone(),
        View::Full => (0..grid.cells.len())
            .map(|i| grid.published(i).then(|| unsuppressed(grid.cells[i].input)))
            .collect(),
        View::Region(own) => grid.region_view(&public, grid.row_of(own.as_str())),
    };
    let shown = grid.no_cases(shown);
    let floor = policy.rules().standardised_rate.statistical_floor as f64;
    let policy_name = format!("{} v{}", policy.id(), policy.version());
    for (i, cell) in grid.cells.iter().enumerate() {
        let (Some(status), Some(public_status)) = (shown[i], public[i]) else {
            continue; // not a published cell (e.g. a region × age group)
        };
        let Some(row) = cell.row else {
            // A region without a row (nothing delivered): report it as such.
            out.push(empty_value(
                &grid,
                cell,
                status,
                public_status,
                run_id,
                &policy_name,
            ));
            continue;
        };
        let shown_at = |j: usize| shown[j].is_some_and(Status::is_published);
        let visible = status.is_published();
        let national_visible = shown_at(grid.national_cell(i));
        let standardised_ok = visible && row.numerator >= floor;
        out.push(PublicValue {
            indicator: row.indicator.clone(),
            spec_version: row.spec_version.clone(),
            spec_hash: row.spec_hash.clone(),
            region: cell.region.clone(),
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
    status: Status,
    public: Status,
    run_id: &str,
    policy: &str,
) -> PublicValue {
    PublicValue {
        indicator: grid.recipe.spec.id.clone(),
        spec_version: grid.recipe.spec.version.clone(),
        spec_hash: grid.recipe.hash.clone(),
        region: cell.region.clone(),
        period: grid.period.clone(),
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
fn same_quantities(a: &Table, b: &Table) -> bool {
    let quantities = |t: &Table| -> Vec<Option<(crate::disclosure::CellKind, u64, Option<u64>)>> {
        t.cells()
            .iter()
            .map(|c| c.values().map(|v| (v.kind, v.count, v.denominator)))
            .collect()
    };
    quantities(a) == quantities(b) && a.margins() == b.margins()
}

/// The status a cell has without any suppression.
fn unsuppressed(input: CellInput) -> Status {
    match input {
        CellInput::Values(v) if v.count == 0 && v.value == 0.0 => Status::Zero,
        CellInput::Values(_) => Status::Ok,
        CellInput::NoData => Status::NoData,
        CellInput::NotApplicable => Status::NotApplicable,
    }
}

/// One cell of an indicator × period table.
struct Cell<'a> {
    region: String,
    kon: String,
    age: String,
    row: Option<&'a ResultRow>,
    /// The additive quantities (count, denominator, cases) and the cell as the policy sees it.
    sums: Sums,
    input: CellInput,
}

#[derive(Debug, Clone, Copy, Default)]
struct Sums {
    n: f64,
    d: f64,
    c: f64,
}

/// The published table of one indicator and period.
pub(crate) struct Grid<'a> {
    recipe: &'a Recipe,
    period: String,
    /// Row labels: the 21 regions, then Sweden.
    regions: Vec<String>,
    /// Column labels: (kon, aldersgrupp); the total column is first.
    columns: Vec<(String, String)>,
    /// Sex part columns and age part columns (indices into `columns`).
    sex_parts: Vec<usize>,
    age_parts: Vec<usize>,
    /// `cells[r * columns.len() + c]`.
    cells: Vec<Cell<'a>>,
}

impl<'a> Grid<'a> {
    pub(crate) fn new(recipe: &'a Recipe, group: &[&'a ResultRow]) -> Grid<'a> {
        let period = group.first().map(|r| r.period.clone()).unwrap_or_default();
        let by_key: BTreeMap<(&str, &str, &str), &ResultRow> = group
            .iter()
            .map(|r| {
                (
                    (r.region.as_str(), r.kon.as_str(), r.aldersgrupp.as_str()),
                    *r,
                )
            })
            .collect();
        let stratified = group.iter().any(|r| r.kon != ALL || r.aldersgrupp != ALL);
        let mut regions: Vec<String> = RegionCode::all().map(|r| r.as_str().to_owned()).collect();
        regions.push(SWEDEN.to_owned());
        let mut columns = vec![(ALL.to_owned(), ALL.to_owned())];
        let (mut sex_parts, mut age_parts) = (Vec::new(), Vec::new());
        if stratified {
            for k in ["1", "2"] {
                sex_parts.push(columns.len());
                columns.push((k.to_owned(), ALL.to_owned()));
            }
            for a in AGE_GROUPS {
                age_parts.push(columns.len());
                columns.push((ALL.to_owned(), a.to_owned()));
            }
        }
        let sums_of = |r: Option<&&ResultRow>| {
            r.map_or(Sums::default(), |r| Sums {
                n: r.numerator,
                d: r.denominator,
                c: r.cases,
            })
        };
        // Residual columns for records without a known sex or age, so the margins add up.
        let residual = |parts: &[usize]| {
            regions.iter().any(|region| {
                let total = sums_of(by_key.get(&(region.as_str(), ALL, ALL)));
                let parts_sum = parts.iter().fold(Sums::default(), |acc, &c| {
                    let s = sums_of(by_key.get(&(
                        region.as_str(),
                        columns[c].0.as_str(),
                        columns[c].1.as_str(),
                    )));
                    acc.plus(s)
                });
                (total.n - parts_sum.n).abs() > 1e-9
                    || (total.d - parts_sum.d).abs() > 1e-9
                    || (total.c - parts_sum.c).abs() > 1e-9
            })
        };
        let (sex_residual, age_residual) = if stratified {
            (residual(&sex_parts), residual(&age_parts))
        } else {
            (false, false)
        };
        let sex_unknown = sex_residual.then(|| {
            columns.push((SEX_UNKNOWN.to_owned(), ALL.to_owned()));
            columns.len() - 1
        });
        let age_unknown = age_residual.then(|| {
            columns.push((ALL.to_owned(), AGE_UNKNOWN.to_owned()));
            columns.len() - 1
        });
        sex_parts.extend(sex_unknown);
        age_parts.extend(age_unknown);
        let unit = recipe.spec.unit;
        let mut cells = Vec::with_capacity(regions.len() * columns.len());
        for region in &regions {
            let total = sums_of(by_key.get(&(region.as_str(), ALL, ALL)));
            let known = |parts: &[usize], skip: Option<usize>| {
                parts
                    .iter()
                    .filter(|&&c| Some(c) != skip)
                    .fold(Sums::default(), |acc, &c| {
                        let s = sums_of(by_key.get(&(
                            region.as_str(),
                            columns[c].0.as_str(),
                            columns[c].1.as_str(),
                        )));
                        acc.plus(s)
                    })
            };
            let region_delivered = by_key.contains_key(&(region.as_str(), ALL, ALL));
            for (ci, (kon, age)) in columns.iter().enumerate() {
                let row = by_key
                    .get(&(region.as_str(), kon.as_str(), age.as_str()))
                    .copied();
                let sums = if Some(ci) == sex_unknown {
                    minus(total, known(&sex_parts, sex_unknown))
                } else if Some(ci) == age_unknown {
                    minus(total, known(&age_parts, age_unknown))
                } else {
                    sums_of(row.as_ref())
                };
                let input = if !region_delivered {
                    CellInput::NoData
                } else {
                    cell_input(unit, sums, row)
                };
                cells.push(Cell {
                    region: region.clone(),
                    kon: kon.clone(),
                    age: age.clone(),
                    row,
                    sums,
                    input,
                });
            }
        }
        Grid {
            recipe,
            period,
            regions,
            columns,
            sex_parts,
            age_parts,
            cells,
        }
    }

    fn width(&self) -> usize {
        self.columns.len()
    }

    /// Statuses with "no cases" for the empty cells of regions that delivered: the engine writes
    /// a (possibly zero) total row for every region that delivered the period, so a region with
    /// a row whose cell has no case, denominator or record is "no cases", not "not applicable"
    /// (and a region without a row stays "no data"). The policy saw these cells as not
    /// applicable; the relabelling shows nothing more (every such cell is 0 in all margins).
    fn no_cases(&self, statuses: Vec<Option<Status>>) -> Vec<Option<Status>> {
        let w = self.width();
        statuses
            .into_iter()
            .enumerate()
            .map(|(i, s)| {
                let c = &self.cells[i];
                let empty = c.sums.n == 0.0 && c.sums.d == 0.0 && c.sums.c == 0.0;
                let delivered = self.cells[i / w * w].row.is_some();
                match s {
                    Some(Status::NotApplicable) if empty && delivered => Some(Status::NoCases),
                    other => other,
                }
            })
            .collect()
    }

    fn row_of(&self, region: &str) -> Option<usize> {
        self.regions.iter().position(|r| r == region)
    }

    /// Sweden's cell in the same column as cell `i`.
    fn national_cell(&self, i: usize) -> usize {
        self.sweden() * self.width() + i % self.width()
    }

    fn sweden(&self) -> usize {
        self.regions.len() - 1
    }

    /// Whether cell `i` is in the published table: every region by sex, and Sweden also by age
    /// group (regions by age group are internal: small monthly cells that would force heavy
    /// secondary suppression of the region × sex table they share totals with).
    fn published(&self, i: usize) -> bool {
        let (r, c) = (i / self.width(), i % self.width());
        r == self.sweden() || !self.age_parts.contains(&c)
    }

    /// Statuses of a policy table spread back onto the grid (`None` = not in the table).
    fn spread(&self, members: &[usize], statuses: &[Status]) -> Vec<Option<Status>> {
        let mut out = vec![None; self.cells.len()];
        for (&i, &s) in members.iter().zip(statuses) {
            out[i] = Some(s);
        }
        out
    }

    /// The policy's table and, per table cell, its grid index.
    pub(crate) fn table(&self) -> (Table, Vec<usize>) {
        let w = self.width();
        let sweden = self.sweden();
        let mut t = Table::new();
        let mut ids = vec![None; self.cells.len()];
        let mut members = Vec::new();
        for r in 0..self.regions.len() {
            for c in 0..w {
                let i = r * w + c;
                if !self.published(i) {
                    continue;
                }
                ids[i] = Some(t.add_cell(self.cells[i].input));
                members.push(i);
            }
        }
        let id = |i: usize| ids[i].expect("cell in table");
        for r in 0..self.regions.len() {
            let total = id(r * w);
            if !self.sex_parts.is_empty() {
                t.add_margin(
                    total,
                    self.sex_parts.iter().map(|&c| id(r * w + c)).collect(),
                );
            }
            if r == sweden && !self.age_parts.is_empty() {
                t.add_margin(
                    total,
                    self.age_parts.iter().map(|&c| id(r * w + c)).collect(),
                );
            }
        }
        for c in (0..w).filter(|c| !self.age_parts.contains(c)) {
            let parts = (0..sweden).map(|r| id(r * w + c)).collect();
            t.add_margin(id(sweden * w + c), parts);
        }
        (t, members)
    }

    /// (region, kon, aldersgrupp) of the given grid cells.
    pub(crate) fn labels(&self, members: &[usize]) -> Vec<(String, String, String)> {
        members
            .iter()
            .map(|&i| {
                let c = &self.cells[i];
                (c.region.clone(), c.kon.clone(), c.age.clone())
            })
            .collect()
    }

    /// Statuses of a region analyst's view: the own row unsuppressed, every other cell as the
    /// public sees it.
    fn region_view(&self, public: &[Option<Status>], own: Option<usize>) -> Vec<Option<Status>> {
        let w = self.width();
        let mut out = public.to_vec();
        let Some(own) = own else { return out };
        for (i, status) in out.iter_mut().enumerate() {
            let Some(s) = status else { continue };
            if i / w == own {
                *s = unsuppressed(self.cells[i].input);
            }
        }
        out
    }
}

impl Sums {
    fn plus(self, o: Sums) -> Sums {
        Sums {
            n: self.n + o.n,
            d: self.d + o.d,
            c: self.c + o.c,
        }
    }
}

fn minus(a: Sums, b: Sums) -> Sums {
    Sums {
        n: a.n - b.n,
        d: a.d - b.d,
        c: a.c - b.c,
    }
}

/// Non-negative integer of an additive quantity (counts are sums of integers; guard rounding).
fn whole(x: f64) -> u64 {
    x.round().max(0.0) as u64
}

/// The cell the policy sees for an indicator's unit.
fn cell_input(unit: Unit, s: Sums, row: Option<&ResultRow>) -> CellInput {
    let count = match unit {
        Unit::Proportion | Unit::Per100 | Unit::Per1000 | Unit::Per100000 => whole(s.n),
        Unit::Mean | Unit::Ratio | Unit::PerInhabitant => whole(s.c),
    };
    // No denominator and nothing counted: not applicable. Records without a denominator (e.g.
    // contacts of an age no resident has) still count in the margins, so they stay cells.
    if s.d <= 0.0 && count == 0 {
        return CellInput::NotApplicable;
    }
    let value = row.and_then(|r| r.value).unwrap_or(if s.d > 0.0 {
        s.n / s.d * unit.scale()
    } else {
        0.0
    });
    let interval = row.and_then(|r| {
        Some(Interval {
            lower: r.lower?,
            upper: r.upper?,
        })
    });
    let values = match unit {
        Unit::Proportion => match CellValues::proportion(whole(s.n), whole(s.d), interval) {
            Ok(v) => CellValues { value, ..v },
            Err(_) => return CellInput::NotApplicable,
        },
        Unit::Per100 | Unit::Per1000 | Unit::Per100000 => {
            CellValues::rate(whole(s.n), value, interval)
        }
        Unit::Mean | Unit::Ratio | Unit::PerInhabitant => {
            CellValues::mean(whole(s.c), value, interval)
        }
    };
    CellInput::Values(values)
}

/// One published table with its unsuppressed input, for audits and tests.
#[derive(Debug, Clone)]
pub struct IndicatorTable {
    /// Indicator id.
    pub indicator: String,
    /// Period.
    pub period: String,
    /// (region, kon, aldersgrupp) of each cell, in the table's cell order.
    pub labels: Vec<(String, String, String)>,
    /// The table as computed (unsuppressed — internal).
    pub table: Table,
    /// The table as the public sees it.
    pub published: PublishedTable,
    /// Per cell: the region whose analyst knows it unsuppressed (Sweden's cells: none).
    pub owners: Vec<Option<u32>>,
}

/// Every public table of a run (one per indicator and period) with its unsuppressed input.
pub fn tables(defs: &Definitions, rows: &[ResultRow]) -> Result<Vec<IndicatorTable>, PublishError> {
    let policy = defs.policy();
    let mut out = Vec::new();
    for released in release(defs, rows, &[])? {
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
