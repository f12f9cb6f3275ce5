//! What an intruder knows: the published view of one table and what its statuses say.

use vardhub_engine::disclosure::{
    CellKind, DisclosurePolicy, Margin, PublishedTable, Rules, Status, Table,
};

// ---------------------------------------------------------------------------------------------
// What an intruder knows
// ---------------------------------------------------------------------------------------------

/// What the public knows about one table.
#[derive(Clone, Debug)]
pub struct View {
    pub kinds: Vec<Option<CellKind>>,
    pub statuses: Vec<Status>,
    /// (count, denominator) of published cells; (0, 0) for no data / not applicable.
    pub known: Vec<Option<(u64, u64)>>,
    pub margins: Vec<Margin>,
    pub rules: Rules,
    /// Whether statuses tell small from secondary (hidden cells but no hidden_small ⇒ coarsened).
    pub informative: bool,
}

/// What a status says of a cell's values: shown, known to be zero-contributing, or hidden.
pub(crate) fn known_of(status: Status, values: Option<(u64, u64)>) -> Option<(u64, u64)> {
    match status {
        Status::Ok | Status::Zero => Some(values.expect("published cells carry values")),
        Status::NoData | Status::NotApplicable | Status::NoCases => Some((0, 0)),
        Status::HiddenSmall | Status::HiddenSecondary => None,
    }
}

impl View {
    pub fn of(published: &PublishedTable, policy: &DisclosurePolicy) -> View {
        let cells = published.cells();
        View {
            kinds: cells.iter().map(|c| c.kind()).collect(),
            statuses: cells.iter().map(|c| c.status()).collect(),
            known: cells
                .iter()
                .map(|c| {
                    if c.status().is_hidden() {
                        assert!(c.values().is_none(), "a hidden cell carries values");
                    }
                    known_of(
                        c.status(),
                        c.values()
                            .map(|v| (v.count(), v.denominator().unwrap_or(0))),
                    )
                })
                .collect(),
            margins: published.margins().to_vec(),
            rules: *policy.rules(),
            informative: cells.iter().any(|c| c.status() == Status::HiddenSmall),
        }
    }

    /// The view of `table` as published with `statuses` (an earlier release, or a hand-made
    /// publication): values exactly where the status is published.
    pub fn from_statuses(table: &Table, statuses: &[Status], policy: &DisclosurePolicy) -> View {
        assert_eq!(table.cells().len(), statuses.len(), "one status per cell");
        View {
            kinds: table
                .cells()
                .iter()
                .map(|c| c.values().map(|v| v.kind))
                .collect(),
            statuses: statuses.to_vec(),
            known: table
                .cells()
                .iter()
                .zip(statuses)
                .map(|(c, &s)| {
                    known_of(s, c.values().map(|v| (v.count, v.denominator.unwrap_or(0))))
                })
                .collect(),
            margins: table.margins().to_vec(),
            rules: *policy.rules(),
            informative: statuses.contains(&Status::HiddenSmall),
        }
    }
}

/// One publication as an intruder knows it: the table's [`View`] plus what the policy and the
/// publication say besides.
#[derive(Clone, Debug)]
pub struct Publication {
    pub view: View,
    /// The attribute rule's `all_or_none_min_denominator` when the table is published as
    /// attribute-sensitive; `None` otherwise.
    pub all_or_none_below: Option<u64>,
    /// The policy's protection width.
    pub protection_width: u64,
    /// How the attacker uses the documented order in which secondary cells are chosen
    /// ([`SelectionOrder::Exact`] for real publications; the others show what the order adds).
    pub selection_order: SelectionOrder,
}

/// What the attacker takes from the order in which secondary cells are chosen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SelectionOrder {
    /// Nothing.
    Off,
    /// Only the implied upper bound: a non-zero secondary cell is at most the count of the
    /// smallest-key visible member of one of its margins (zero stays possible).
    UpperBound,
    /// The full rule: its key is below every visible member's of one of its margins (so, e.g.,
    /// it is not zero while a margin has a visible non-zero member).
    Exact,
}

impl Publication {
    pub fn new(view: View, sensitive: bool, policy: &DisclosurePolicy) -> Publication {
        Publication {
            view,
            all_or_none_below: sensitive.then_some(policy.attribute().all_or_none_min_denominator),
            protection_width: policy.secondary().protection_width,
            selection_order: SelectionOrder::Exact,
        }
    }

    pub fn of(published: &PublishedTable, policy: &DisclosurePolicy) -> Publication {
        Publication::new(
            View::of(published, policy),
            published.attribute_sensitive(),
            policy,
        )
    }

    /// `table` as published with `statuses` (its sensitivity as the table says).
    pub fn from_statuses(
        table: &Table,
        statuses: &[Status],
        policy: &DisclosurePolicy,
    ) -> Publication {
        Publication::new(
            View::from_statuses(table, statuses, policy),
            table.attribute_sensitive(),
            policy,
        )
    }

    /// Whether (c, n) is consistent with the published status of a hidden cell of this table.
    pub fn consistent(&self, status: Status, kind: CellKind, c: u64, n: u64) -> bool {
        let exists = match kind {
            CellKind::Proportion => n >= 1 && c <= n,
            CellKind::Mean => c >= 1,
            _ => true,
        };
        let fires = || primary_fires(&self.view.rules, self.all_or_none_below, kind, c, n);
        exists
            && match status {
                // Shown cells (unknown only when the status pattern alone is attacked).
                Status::Ok => c != 0 && !fires(),
                Status::Zero => c == 0 && !fires(),
                Status::HiddenSmall => !self.view.informative || fires(),
                Status::HiddenSecondary => !self.view.informative || !fires(),
                _ => unreachable!("{status:?} has known values"),
            }
    }
}

/// `1 ≤ v < min`.
pub fn small(v: u64, min: u64) -> bool {
    v >= 1 && v < min
}

/// Whether the primary rule fires — written from the policy's documented meaning.
/// `all_or_none_below` is the attribute rule's minimum denominator when the table is sensitive:
/// then a share of 0 % or 100 % with `1 ≤ n <` it fires too.
pub fn primary_fires(
    r: &Rules,
    all_or_none_below: Option<u64>,
    kind: CellKind,
    c: u64,
    n: u64,
) -> bool {
    let derived = |d: vardhub_engine::disclosure::DerivedRule| {
        small(c, d.min_count) || c < d.statistical_floor
    };
    match kind {
        CellKind::Count => small(c, r.count.min_count),
        CellKind::Proportion => {
            n >= 1
                && (small(c, r.proportion.min_numerator)
                    || small(n, r.proportion.min_denominator)
                    || small(n.saturating_sub(c), r.proportion.min_complement)
                    || all_or_none_below.is_some_and(|m| (c == 0 || c == n) && small(n, m)))
        }
        CellKind::Rate => derived(r.rate),
        CellKind::StandardisedRate => derived(r.standardised_rate),
        CellKind::StandardisedRatio => derived(r.standardised_ratio),
        CellKind::Mean => c >= 1 && derived(r.mean),
    }
}

/// Whether (c, n) is consistent with the published status of a hidden cell of a table that is
/// not attribute-sensitive.
pub fn consistent(view: &View, status: Status, kind: CellKind, c: u64, n: u64) -> bool {
    let p = Publication {
        view: view.clone(),
        all_or_none_below: None,
        protection_width: 0,
        selection_order: SelectionOrder::Off,
    };
    p.consistent(status, kind, c, n)
}

/// The key by which the documented candidate rule (`smallest_nonzero_part`) picks a margin's next
/// secondary cell among its visible members: smallest first.
pub type Key = (bool, bool, u64, u64, usize);

/// (count is zero, the cell is the margin's total, count, denominator, cell index).
pub fn key(count: u64, denominator: u64, is_total: bool, index: usize) -> Key {
    (count == 0, is_total, count, denominator, index)
}

/// The widest span of each quantity (count, denominator, n − x) that a hidden cell's status
/// alone allows; `None` when unbounded.
pub fn status_spans(p: &Publication, status: Status, kind: CellKind) -> [Option<u64>; 3] {
    if !p.view.informative {
        return [None; 3];
    }
    let span = |values: &mut dyn Iterator<Item = u64>, unbounded_from: u64| {
        let (mut lo, mut hi) = (u64::MAX, 0);
        for v in values {
            lo = lo.min(v);
            hi = hi.max(v);
        }
        (hi < unbounded_from && lo <= hi).then(|| hi - lo)
    };
    if kind == CellKind::Proportion {
        const LIMIT: u64 = 120;
        let pairs: Vec<(u64, u64)> = (1..=LIMIT)
            .flat_map(|n| (0..=n).map(move |x| (x, n)))
            .filter(|&(x, n)| p.consistent(status, kind, x, n))
            .collect();
        [
            span(&mut pairs.iter().map(|&(x, _)| x), LIMIT / 2),
            span(&mut pairs.iter().map(|&(_, n)| n), LIMIT / 2),
            span(&mut pairs.iter().map(|&(x, n)| n - x), LIMIT / 2),
        ]
    } else {
        const LIMIT: u64 = 400;
        let mut counts = (0..=LIMIT).filter(|&c| p.consistent(status, kind, c, 0));
        [span(&mut counts, LIMIT - 1), None, None]
    }
}
