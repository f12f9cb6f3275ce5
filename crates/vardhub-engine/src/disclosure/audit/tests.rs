//! Unit tests of the audit on one-way tables.

use super::*;
use crate::disclosure::Status;
use crate::disclosure::knowledge::Problem;
use crate::disclosure::policy::DisclosurePolicy;
use crate::disclosure::table::{CellInput, Table};

/// The first exposed cell of a one-way table with these statuses, for the public.
fn exposed(cells: &[(u64, Status)], total: (u64, Status)) -> Option<CellId> {
    let (m, mut inherent) = model(cells, total);
    m.first_recoverable(
        None,
        1000,
        &mut ShownFree::new(),
        &mut inherent,
        &mut Vec::new(),
    )
}

fn model(cells: &[(u64, Status)], total: (u64, Status)) -> (Model, Inherent) {
    let parts = cells.iter().map(|&(c, _)| CellInput::count(c)).collect();
    let (t, _, _) = Table::one_way(parts, CellInput::count(total.0));
    let mut statuses: Vec<Status> = cells.iter().map(|&(_, s)| s).collect();
    statuses.push(total.1);
    let problem = Problem::new(&t, &crate::disclosure::Knowledge::default()).unwrap();
    let policy = DisclosurePolicy::default_public();
    let inherent = Inherent::new(&policy, &problem, &statuses, None);
    (
        Model::new(&policy, &problem, &statuses, Mode::Attack),
        inherent,
    )
}

#[test]
fn a_single_hidden_part_is_recoverable() {
    assert_eq!(
        exposed(
            &[(3, Status::HiddenSmall), (40, Status::Ok)],
            (43, Status::Ok),
        ),
        Some(CellId(0))
    );
}

#[test]
fn two_hidden_parts_are_protected() {
    assert_eq!(
        exposed(
            &[(3, Status::HiddenSmall), (40, Status::HiddenSecondary)],
            (43, Status::Ok),
        ),
        None
    );
}

#[test]
fn statuses_can_give_a_value_away() {
    // 1 (small: 1–4) + 5 (secondary: 0 or ≥ 5) = 6 has the single solution (1, 5).
    assert_eq!(
        exposed(
            &[(1, Status::HiddenSmall), (5, Status::HiddenSecondary)],
            (6, Status::Ok),
        ),
        Some(CellId(0))
    );
    // With a third hidden part the 1 is 1–3 (both secondary cells are ≥ 5: the selection
    // order chose them while the total showed a non-zero value): too narrow.
    assert_eq!(
        exposed(
            &[
                (1, Status::HiddenSmall),
                (5, Status::HiddenSecondary),
                (7, Status::HiddenSecondary),
            ],
            (13, Status::Ok),
        ),
        Some(CellId(0))
    );
    // With 1 + 5 + 7 + 9 = 22 the 1 can be 1–4 again.
    assert_eq!(
        exposed(
            &[
                (1, Status::HiddenSmall),
                (5, Status::HiddenSecondary),
                (7, Status::HiddenSecondary),
                (9, Status::HiddenSecondary),
            ],
            (22, Status::Ok),
        ),
        None
    );
}

#[test]
fn a_zero_sum_of_hidden_cells_is_recoverable() {
    // Secondary cells summing to 0 must both be 0.
    assert_eq!(
        exposed(
            &[(0, Status::HiddenSecondary), (0, Status::HiddenSecondary)],
            (0, Status::Zero),
        ),
        Some(CellId(0))
    );
}
