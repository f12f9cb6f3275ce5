//! Primary and secondary suppression of one table.

use super::audit::{Model, ShownFree};
use super::policy::DisclosurePolicy;
use super::table::{CellId, Margin, Table};
use super::{DisclosureError, Status};

/// Decide the status of every cell of `table` under `policy`.
///
/// 1. Primary: each cell by its kind's rule ([`DisclosurePolicy::primary_status`]).
/// 2. Secondary (if enabled), repeated until the audit passes:
///    a. *singletons to a fixpoint* — while some margin has exactly one hidden member, hide the
///    best candidate of that margin: a non-zero count before zero, a part before the total,
///    smallest count, then smallest denominator, then lowest id
///    (zero cells come last: a hidden 0 protects little, since `hidden_secondary` means "0 or at
///    least the minimum count");
///    b. *exact audit* ([`Model::first_recoverable`], remembering between rounds which quantities
///    were already shown free) — if some hidden quantity can still be
///    pinned down (e.g. through what the statuses say), hide the best visible candidate among
///    the margins containing that cell (failing that, among all margins with a hidden cell) and
///    go back to a;
///    c. *coarsening* — if there is no visible candidate left and a value is still pinned down
///    by what the statuses say (tables of almost only tiny cells), every hidden cell of the
///    table is published as `hidden_secondary`, so the statuses no longer tell which cells
///    were small, and the loop continues. A table is coarsened exactly when it has hidden cells
///    but no `hidden_small` one.
///
/// Deterministic: the same table and policy always give the same statuses.
pub(crate) fn decide(
    policy: &DisclosurePolicy,
    table: &Table,
) -> Result<Vec<Status>, DisclosureError> {
    table.validate()?;
    let mut statuses: Vec<Status> = table
        .cells()
        .iter()
        .map(|c| match c {
            super::CellInput::Values(v) => policy.primary_status(v),
            super::CellInput::NoData => Status::NoData,
            super::CellInput::NotApplicable => Status::NotApplicable,
        })
        .collect();
    if !policy.secondary().enabled || !statuses.iter().any(|s| s.is_hidden()) {
        return Ok(statuses);
    }
    let mut shown_free = ShownFree::new();
    loop {
        hide_singletons(table, &mut statuses);
        let model = Model::new(policy, table, &statuses);
        let Some(cell) =
            model.first_recoverable(policy.secondary().max_search_nodes, &mut shown_free)
        else {
            return Ok(statuses);
        };
        let containing: Vec<&Margin> = table
            .margins()
            .iter()
            .filter(|m| m.members().any(|id| id == cell))
            .collect();
        let next = best_candidate(table, &statuses, containing.iter().copied()).or_else(|| {
            // Every cell around it is hidden already: widen to all margins with a hidden cell.
            let hidden_margins = table
                .margins()
                .iter()
                .filter(|m| m.members().any(|id| statuses[id.0].is_hidden()));
            best_candidate(table, &statuses, hidden_margins)
        });
        match next {
            Some(id) => statuses[id.0] = Status::HiddenSecondary,
            None if statuses.contains(&Status::HiddenSmall) => {
                for s in statuses.iter_mut().filter(|s| **s == Status::HiddenSmall) {
                    *s = Status::HiddenSecondary;
                }
            }
            None => return Err(DisclosureError::Unprotectable { cell: cell.0 }),
        }
    }
}

/// Hide cells until no margin has exactly one hidden member.
fn hide_singletons(table: &Table, statuses: &mut [Status]) {
    loop {
        let mut changed = false;
        for margin in table.margins() {
            let hidden = margin
                .members()
                .filter(|id| statuses[id.0].is_hidden())
                .count();
            if hidden != 1 {
                continue;
            }
            if let Some(id) = best_candidate(table, statuses, std::iter::once(margin)) {
                statuses[id.0] = Status::HiddenSecondary;
                changed = true;
            }
        }
        if !changed {
            return;
        }
    }
}

/// The visible (ok or zero) member of `margins` that is cheapest to hide.
fn best_candidate<'a>(
    table: &Table,
    statuses: &[Status],
    margins: impl Iterator<Item = &'a Margin>,
) -> Option<CellId> {
    type Key = (bool, bool, u64, u64, usize);
    let mut best: Option<(Key, CellId)> = None;
    for margin in margins {
        for id in margin.members() {
            if !statuses[id.0].is_published() {
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
