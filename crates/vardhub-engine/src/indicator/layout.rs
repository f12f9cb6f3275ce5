//! How one period's grid is released: which cells the disclosure policy decides together, and
//! which cells follow from decisions already made.
//!
//! * **Regional** (the recipe's finest period kind): the regions and Sweden, by sex and
//!   Sweden's age groups, with their margins — one table, decided against the public, every
//!   region's analyst and every earlier release of it (as before levels existed).
//! * **Group** (one per region with finer areas): the region's total and its kommuner or
//!   hospitals (and their units), with their margins. The region's total is the only cell the
//!   group shares with anything else, so where the regional table shows it, the group is an
//!   independent table the policy decides on its own; where the policy would rather hide the
//!   total, or the regional table hides it, every finer cell of the region is hidden
//!   (`hidden_secondary`, the statuses coarsened: they tell nothing about which were small).
//! * **Derived**: the sjukvårdsregioner, and every cell of a longer period — shown only where
//!   they are sums of shown cells ([`super::derived`]).
//!
//! The layout is a pure function of the grid, so a release recorded in the ledger can be checked
//! against the results it is served with.

use super::grid::Grid;
use crate::disclosure::Table;
use vardhub_domain::{Level, RegionCode};

/// Which kind of part.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PartKind {
    /// Regions and Sweden, decided by the policy.
    Regional,
    /// A region's finer areas under its total.
    Group(RegionCode),
    /// Sums of shown cells.
    Derived,
}

impl PartKind {
    /// The ledger key suffix (`""`, the region code, `derived`).
    pub(crate) fn suffix(self) -> String {
        match self {
            PartKind::Regional => String::new(),
            PartKind::Group(r) => r.as_str().to_owned(),
            PartKind::Derived => "derived".to_owned(),
        }
    }
}

/// One part: its cells (grid indices, in table order) and its table.
pub(crate) struct Part {
    pub(crate) kind: PartKind,
    pub(crate) members: Vec<usize>,
    pub(crate) table: Table,
}

/// The parts of a grid, regional first, then groups by region, then derived.
pub(crate) fn layout(grid: &Grid<'_>) -> Vec<Part> {
    let cells_only = |members: Vec<usize>| {
        let mut t = Table::new();
        for &i in &members {
            t.add_cell(grid.cells[i].input);
        }
        t
    };
    if !grid.is_audited() {
        let members = grid.published_at(|_| true);
        let table = cells_only(members.clone());
        return vec![Part {
            kind: PartKind::Derived,
            members,
            table,
        }];
    }
    let mut out = Vec::new();
    let regional = grid.published_at(|r| matches!(r.level, Level::Land | Level::Region));
    out.push(Part {
        kind: PartKind::Regional,
        table: grid.part_table(&regional),
        members: regional,
    });
    for region in RegionCode::all() {
        let finer = grid.published_at(|r| r.level > Level::Region && r.region == Some(region));
        if finer.is_empty() {
            continue;
        }
        let total = grid.published_at(|r| r.level == Level::Region && r.region == Some(region));
        let mut members: Vec<usize> = total.into_iter().take(1).collect();
        members.extend(finer);
        out.push(Part {
            kind: PartKind::Group(region),
            table: grid.part_table(&members),
            members,
        });
    }
    let derived = grid.published_at(|r| r.level == Level::Sjukvardsregion);
    out.push(Part {
        kind: PartKind::Derived,
        table: cells_only(derived.clone()),
        members: derived,
    });
    out
}
