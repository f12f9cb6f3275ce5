//! Values of longer periods: shown only where they reveal nothing new.
//!
//! The disclosure policy decides one table per period of the recipe's finest kind (a month, or
//! for hip fracture a quarter), with every level in it. A quarter, year or rolling 12 months is
//! the sum of such periods, so its tables would tie the finest tables together, and a rolling
//! period ties every year to the next. Instead of one unbounded linked table, a longer period's
//! value is shown only where it is the exact sum of cells the public already sees: its months
//! (a year its quarters, a rolling 12 months ending a quarter its four quarters) of the same area
//! and column — or, for Sweden and a sjukvårdsregion, the shown values of its regions. A sum of
//! shown values tells an intruder nothing the decided tables do not. Every other cell is hidden:
//! `hidden_small` where the primary rule itself would hide it, `hidden_secondary` otherwise.

use super::compute::ResultRow;
use super::grid::{Grid, Label, Sums, unsuppressed};
use crate::disclosure::{CellInput, DisclosurePolicy, Status};
use std::collections::BTreeMap;
use vardhub_domain::{Area, Level, PeriodKind, RegionCode, ReportPeriod};

/// The public statuses of the published cells (`members`) of a longer period's grid, given the
/// public statuses of the indicator's shorter periods (`shown`, by label) and all its rows.
pub(crate) fn statuses(
    policy: &DisclosurePolicy,
    sensitive: bool,
    grid: &Grid<'_>,
    members: &[usize],
    shown: &BTreeMap<Label, Status>,
    rows: &BTreeMap<Label, &ResultRow>,
) -> Vec<Status> {
    let w = grid.width();
    let dims = &grid.recipe.spec.dimensions;
    let sums_of = |l: &Label| -> Sums {
        rows.get(l).map_or(Sums::default(), |r| Sums {
            n: r.numerator,
            d: r.denominator,
            c: r.cases,
        })
    };
    let known = |l: &Label| {
        shown
            .get(l)
            .is_some_and(|s| s.is_published() || matches!(s, Status::NotApplicable))
    };
    // Shown as the sum of shown cells of shorter periods.
    let by_periods = |i: usize| -> bool {
        let cell = &grid.cells[i];
        let level = grid.rows[i / w].level;
        let Ok(p) = ReportPeriod::parse(&cell.period) else {
            return false;
        };
        let kinds: Vec<PeriodKind> = dims
            .kinds_at(level)
            .into_iter()
            .filter(|k| *k != PeriodKind::Rolling12)
            .collect();
        let parts: Vec<Label> = p
            .parts(&kinds)
            .iter()
            .map(|q| {
                (
                    q.to_string(),
                    cell.area.clone(),
                    cell.kon.clone(),
                    cell.age.clone(),
                )
            })
            .collect();
        !parts.is_empty()
            && parts.iter().all(known)
            && parts
                .iter()
                .fold(Sums::default(), |acc, l| acc.plus(sums_of(l)))
                .same(cell.sums)
    };
    let direct: Vec<bool> = (0..grid.cells.len())
        .map(|i| grid.published(i) && by_periods(i))
        .collect();
    let index: BTreeMap<(&str, &str, &str), usize> = (0..grid.cells.len())
        .map(|i| {
            let c = &grid.cells[i];
            ((c.area.as_str(), c.kon.as_str(), c.age.as_str()), i)
        })
        .collect();
    // Sweden and sjukvårdsregioner: also as the sum of their regions' shown values (shown by
    // the regional table, or derived here).
    let by_regions = |i: usize| -> bool {
        let cell = &grid.cells[i];
        let members: Vec<RegionCode> = match Area::parse(&cell.area) {
            Ok(Area::Sweden) => RegionCode::all().collect(),
            Ok(a @ Area::Sjukvardsregion(_)) => RegionCode::all()
                .filter(|r| Area::Region(*r).parent().as_ref() == Some(&a))
                .collect(),
            _ => return false,
        };
        let parts: Option<Vec<usize>> = members
            .iter()
            .map(|m| {
                index
                    .get(&(m.as_str(), cell.kon.as_str(), cell.age.as_str()))
                    .copied()
            })
            .collect();
        parts.is_some_and(|parts| {
            parts.iter().all(|&j| {
                let c = &grid.cells[j];
                direct[j]
                    || known(&(
                        c.period.clone(),
                        c.area.clone(),
                        c.kon.clone(),
                        c.age.clone(),
                    ))
                    || matches!(
                        grid.cells[j].input,
                        CellInput::NoData | CellInput::NotApplicable
                    )
            }) && parts
                .iter()
                .fold(Sums::default(), |acc, &j| acc.plus(grid.cells[j].sums))
                .same(grid.cells[i].sums)
        })
    };
    members
        .iter()
        .map(|&i| {
            let input = grid.cells[i].input;
            let level = grid.rows[i / w].level;
            match input {
                CellInput::NoData | CellInput::NotApplicable => unsuppressed(input),
                _ if direct[i] => unsuppressed(input),
                _ if level <= Level::Sjukvardsregion && by_regions(i) => unsuppressed(input),
                CellInput::Values(v) => match policy.primary_status_in(&v, sensitive) {
                    s @ Status::HiddenSmall => s,
                    _ => Status::HiddenSecondary,
                },
            }
        })
        .collect()
}
