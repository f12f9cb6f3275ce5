//! The whole publication of one indicator as one linked system, for audits from outside.
//!
//! The disclosure policy decides parts (`layout.rs`) and derives the rest ([`super::derived`]);
//! this puts them back together as an intruder sees them: every published cell of every period
//! and level, with every sum that ties them — in a period, down the hierarchy (Sweden and the
//! sjukvårdsregioner over the regions, a region over its kommuner or hospitals, a hospital over
//! its units) and across periods (a quarter over its months, a year over its quarters or months, a
//! rolling 12 months over its months or quarters) — and the public statuses. The hidden cells of
//! a part whose statuses are coarsened (hidden, none `hidden_small`) are left out: they tell
//! nothing but that they exist, and every sum over them is a sum over unknowns.

use super::compute::ResultRow;
use super::grid::{Grid, Label, Sums};
use super::ledger::ReleasedTable;
use super::publish::{PublishError, by_table};
use crate::definitions::Definitions;
use crate::disclosure::{Status, Table};
use std::collections::{BTreeMap, BTreeSet};
use vardhub_domain::{PeriodKind, ReportPeriod};

/// One indicator's publication as one table: (table, label of each cell, public status of each).
pub type Linked = (Table, Vec<Label>, Vec<Status>);

/// The linked system of `indicator` in a run's `rows` as `released`.
pub fn linked(
    defs: &Definitions,
    rows: &[ResultRow],
    released: &[ReleasedTable],
    indicator: &str,
) -> Result<Linked, PublishError> {
    let recipe = defs
        .recipe(indicator)
        .ok_or_else(|| PublishError::UnknownIndicator(indicator.to_owned()))?;
    let mut status: BTreeMap<&Label, Status> = BTreeMap::new();
    let mut left_out: BTreeSet<&Label> = BTreeSet::new();
    let mut parts: Vec<&ReleasedTable> = released
        .iter()
        .filter(|r| r.indicator == indicator)
        .collect();
    // Regional parts first: a group's first cell (the region's total) is theirs.
    parts.sort_by_key(|r| (r.part.is_empty(), r.key()));
    parts.reverse();
    for r in parts {
        let coarsened = r.part != "derived"
            && r.statuses.iter().any(|s| s.is_hidden())
            && !r.statuses.contains(&Status::HiddenSmall);
        for (l, s) in r.labels.iter().zip(&r.statuses) {
            if status.contains_key(l) {
                continue;
            }
            status.insert(l, *s);
            if coarsened && s.is_hidden() {
                left_out.insert(l);
            }
        }
    }
    let mut table = Table::new();
    let mut labels = Vec::new();
    let mut statuses = Vec::new();
    let mut ids = BTreeMap::new();
    let mut sums: BTreeMap<Label, Sums> = BTreeMap::new();
    let groups: Vec<(&str, Vec<&ResultRow>)> = by_table(rows)
        .into_iter()
        .filter(|((i, _), _)| *i == indicator)
        .map(|((_, p), g)| (p, g))
        .collect();
    let grids: Vec<Grid<'_>> = groups
        .iter()
        .map(|(p, g)| Grid::new(recipe, p, g))
        .collect();
    for grid in &grids {
        for i in 0..grid.cells.len() {
            let label = grid.labels(&[i]).remove(0);
            sums.insert(label.clone(), grid.cells[i].sums);
            let Some(&s) = status.get(&label) else {
                continue;
            };
            if !grid.published(i) || left_out.contains(&label) {
                continue;
            }
            ids.insert(label.clone(), table.add_cell(grid.cells[i].input));
            labels.push(label);
            statuses.push(s);
        }
    }
    let mut add = |total: &Label, parts: &[Label]| {
        let (Some(&t), Some(p)) = (
            ids.get(total),
            parts
                .iter()
                .map(|l| ids.get(l).copied())
                .collect::<Option<Vec<_>>>(),
        ) else {
            return;
        };
        let sum = parts
            .iter()
            .fold(Sums::default(), |acc, l| acc.plus(sums[l]));
        if !p.is_empty() && sums[total].same(sum) {
            table.add_margin(t, p);
        }
    };
    for grid in &grids {
        let label = |i: usize| grid.labels(&[i]).remove(0);
        // In the period, down the hierarchy.
        for (total, parts) in grid.margins() {
            let parts: Vec<Label> = parts.into_iter().map(label).collect();
            add(&label(total), &parts);
        }
        // Across periods.
        let Ok(p) = ReportPeriod::parse(&grid.period) else {
            continue;
        };
        for i in (0..grid.cells.len()).filter(|&i| grid.published(i)) {
            let level = grid.rows[i / grid.width()].level;
            let kinds: Vec<PeriodKind> = recipe
                .spec
                .dimensions
                .kinds_at(level)
                .into_iter()
                .filter(|k| *k != PeriodKind::Rolling12)
                .collect();
            let (_, area, kon, age) = label(i);
            let parts: Vec<Label> = p
                .parts(&kinds)
                .iter()
                .map(|q| (q.to_string(), area.clone(), kon.clone(), age.clone()))
                .collect();
            add(&label(i), &parts);
        }
    }
    Ok((table, labels, statuses))
}
