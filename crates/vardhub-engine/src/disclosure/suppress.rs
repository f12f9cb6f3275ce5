//! Primary and secondary suppression of one table.

use super::audit::{Attacker, Inherent, Mode, Model, ShownFree};
use super::knowledge::{Knowledge, Problem};
use super::policy::DisclosurePolicy;
use super::table::{CellId, Margin, Table};
use super::{DisclosureError, Status};
use std::collections::HashMap;

/// Decide the status of every cell of `table` under `policy`, against the public, every
/// insider in `knowledge` and every earlier release of the table.
///
/// 1. Primary: each cell by its kind's rule ([`DisclosurePolicy::primary_status_in`]).
/// 2. Secondary (if enabled), repeated until the audit passes:
///    a. *singletons to a fixpoint* — while some margin has exactly one hidden member, hide the
///    best candidate of that margin: a non-zero count before zero, a part before the total,
///    smallest count, then smallest denominator, then lowest id
///    (zero cells come last: a hidden 0 protects little, since `hidden_secondary` means "0 or at
///    least the minimum count"). A link to an earlier release counts as a margin, so a cell
///    hidden before and unchanged since stays hidden;
///    b. *exact audit* ([`Model::first_recoverable`]) for the public and then for each insider
///    with a hidden cell, remembering between rounds which quantities were shown protected —
///    if some hidden quantity can still be narrowed below its protection interval, hide the best
///    visible candidate (never one the attacker knows anyway) among the margins containing that
///    cell (failing that, among all margins with a hidden cell) and go back to a;
///    c. *coarsening* — if there is no visible candidate left and a value is still exposed by
///    what the statuses say (tables of almost only tiny cells), every hidden cell of the table
///    is published as `hidden_secondary`, so the statuses no longer tell which cells were small,
///    and the loop continues. A table is coarsened exactly when it has hidden cells but no
///    `hidden_small` one.
///
/// Only the new table's cells are ever hidden here; earlier releases keep their statuses.
/// Deterministic: the same table, knowledge and policy always give the same statuses.
pub(crate) fn decide(
    policy: &DisclosurePolicy,
    table: &Table,
    knowledge: &Knowledge,
) -> Result<Vec<Status>, DisclosureError> {
    let problem = Problem::new(table, knowledge)?;
    let sensitive = table.attribute_sensitive();
    let mut statuses: Vec<Status> = table
        .cells()
        .iter()
        .map(|c| match c {
            super::CellInput::Values(v) => policy.primary_status_in(v, sensitive),
            super::CellInput::NoData => Status::NoData,
            super::CellInput::NotApplicable => Status::NotApplicable,
        })
        .collect();
    let n = statuses.len();
    statuses.extend(problem.earlier_statuses.iter().copied());
    let any_hidden = statuses.iter().any(|s| s.is_hidden());
    if !policy.secondary().enabled || !any_hidden {
        statuses.truncate(n);
        return Ok(statuses);
    }
    let mut shown_free = ShownFree::new();
    // Per attacker, what primary suppression itself leaves (computed when first needed).
    let mut spans: HashMap<Attacker, Inherent> = HashMap::new();
    loop {
        hide_singletons(&problem, &mut statuses);
        let exposed = first_exposed(policy, &problem, &statuses, &mut spans, &mut shown_free);
        let Some((attacker, cell)) = exposed else {
            statuses.truncate(n);
            return Ok(statuses);
        };
        let not_known = |id: CellId| attacker.is_none() || problem.owners[id.0] != attacker;
        let containing: Vec<&Margin> = problem.margins_with(cell).map(|(_, m)| m).collect();
        let hidden_margins: Vec<&Margin> = problem
            .table
            .margins()
            .iter()
            .filter(|m| m.members().any(|id| statuses[id.0].is_hidden()))
            .collect();
        let next = [&containing, &hidden_margins]
            .into_iter()
            .find_map(|ms| best_candidate(&problem, &statuses, ms.iter().copied(), &not_known))
            .or_else(|| {
                best_candidate(&problem, &statuses, hidden_margins.iter().copied(), &|_| {
                    true
                })
            });
        let new_small = statuses[..n].contains(&Status::HiddenSmall);
        match next {
            Some(id) => statuses[id.0] = Status::HiddenSecondary,
            None if new_small => {
                for s in statuses[..n]
                    .iter_mut()
                    .filter(|s| **s == Status::HiddenSmall)
                {
                    *s = Status::HiddenSecondary;
                }
                // Coarsened statuses say less: what they leave is computed again.
                spans.clear();
                shown_free.clear();
            }
            // A cell of an earlier release that nothing in this one can protect further (every
            // cell around it is hidden): what exposes it was published before; go on.
            None if !problem.is_new(cell.0) => {
                for q in 0..3 {
                    shown_free.insert((attacker, cell, q));
                }
            }
            None => return Err(DisclosureError::Unprotectable { cell: cell.0 }),
        }
    }
}

/// The first attacker (the public first, then each insider with a hidden cell) that can narrow
/// a hidden quantity below its protection interval, and that cell.
fn first_exposed(
    policy: &DisclosurePolicy,
    problem: &Problem,
    statuses: &[Status],
    spans: &mut HashMap<Attacker, Inherent>,
    shown_free: &mut ShownFree,
) -> Option<(Attacker, CellId)> {
    let hidden = (0..statuses.len()).filter(|&i| statuses[i].is_hidden());
    let attackers = std::iter::once(None).chain(problem.insiders(hidden).into_iter().map(Some));
    let budget = policy.secondary().max_search_nodes;
    let model = Model::new(policy, problem, statuses, Mode::Attack);
    let mut pool = Vec::new();
    for attacker in attackers {
        let inherent = spans
            .entry(attacker)
            .or_insert_with(|| Inherent::new(policy, problem, statuses, attacker));
        if let Some(cell) =
            model.first_recoverable(attacker, budget, shown_free, inherent, &mut pool)
        {
            return Some((attacker, cell));
        }
    }
    None
}

/// Hide cells until no margin has exactly one hidden member.
fn hide_singletons(problem: &Problem, statuses: &mut [Status]) {
    loop {
        let mut changed = false;
        for margin in problem.table.margins() {
            let hidden = margin
                .members()
                .filter(|id| statuses[id.0].is_hidden())
                .count();
            if hidden != 1 {
                continue;
            }
            if let Some(id) = best_candidate(problem, statuses, std::iter::once(margin), &|_| true)
            {
                statuses[id.0] = Status::HiddenSecondary;
                changed = true;
            }
        }
        if !changed {
            return;
        }
    }
}

/// The visible (ok or zero) member of the new table in `margins` that is cheapest to hide,
/// among those `allowed`.
fn best_candidate<'a>(
    problem: &Problem,
    statuses: &[Status],
    margins: impl Iterator<Item = &'a Margin>,
    allowed: &dyn Fn(CellId) -> bool,
) -> Option<CellId> {
    let table = &problem.table;
    type Key = (bool, bool, u64, u64, usize);
    let mut best: Option<(Key, CellId)> = None;
    for margin in margins {
        for id in margin.members() {
            if !statuses[id.0].is_published() || !problem.is_new(id.0) || !allowed(id) {
                continue;
            }
            let cell = &table.cells()[id.0];
            let count = cell.count_or_zero();
            let key = (
                count == 0,
                id == margin.total,
                count,
                cell.denominator_or_zero(),
                id.0,
            );
            if best.as_ref().is_none_or(|(k, _)| key < *k) {
                best = Some((key, id));
            }
        }
    }
    best.map(|(_, id)| id)
}
