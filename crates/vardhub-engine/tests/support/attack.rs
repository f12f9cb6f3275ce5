#![allow(dead_code)]
//! An independent attack on published tables, shared by the disclosure and indicator tests.
//!
//! The attack uses only what an intruder knows — the published values, the statuses, the cells'
//! kinds, the margins, the policy's thresholds, the documented order in which secondary cells are
//! chosen, and, for an insider, the true values of the insider's own cells; for differencing also
//! every earlier publication of the table and which cells are unchanged since — and searches
//! exhaustively over non-negative integer completions of the hidden counts (and denominators) for
//! the values a hidden quantity can take. It re-implements the status semantics from the policy
//! numbers and shares no code with the engine's own audit. The true values are used only to
//! phrase the questions ("is there a completion where this quantity lies in [a, b]?"), to fix an
//! insider's own cells and to order the search; every completion found is checked against every
//! known fact from scratch, and the true values themselves must satisfy the attacker's model
//! (otherwise the model or the engine is wrong, and the attack panics).
//!
//! * [`recoverable`]: hidden quantities pinned to one value (the original question).
//! * [`feasible_ranges`]: the exact interval `[lo, hi]` of values of every hidden quantity.
//! * [`protection_shortfalls`]: quantities whose interval is narrower than the protection width
//!   (τ-ARGUS protection levels: `hi − lo ≥ min(protection_width, W)`, `W` the span the statuses
//!   alone allow — read as set out in [`Reading`]).
//! * [`pinned`]: the same for insiders and several releases, "pinned to one value".
//! * [`all_shortfalls`]: the public and every insider, over every release of a table.
//! * [`publish_and_attack`], [`publish_and_attack_with`]: apply the default policy and assert
//!   everything the issues demand of the result.

use std::collections::BTreeMap;

use vardhub_engine::disclosure::{
    CellKind, DisclosurePolicy, Knowledge, Margin, PublishedTable, Rules, Status, Table,
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
fn known_of(status: Status, values: Option<(u64, u64)>) -> Option<(u64, u64)> {
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

// ---------------------------------------------------------------------------------------------
// Scenarios: what is combined
// ---------------------------------------------------------------------------------------------

/// A cell of a scenario: (release, cell index in that release's table).
pub type CellRef = (usize, usize);

/// One publication with its true values and the insider of each cell.
#[derive(Clone, Debug)]
pub struct Seen<'a> {
    pub publication: Publication,
    pub truth: &'a Table,
    /// Per cell: the insider who knows its true values (empty: none).
    pub owners: Vec<Option<u32>>,
}

/// Publications an intruder combines: `releases[0]` is the new one, the others were published
/// before; `links` tie cells whose true values are the same (unchanged between releases).
#[derive(Clone, Debug)]
pub struct Scenario<'a> {
    pub releases: Vec<Seen<'a>>,
    pub links: Vec<(CellRef, CellRef)>,
    pub reading: Reading,
}

/// How two points of the protection requirement are read (see [`Reading::default`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Reading {
    pub insider_targets: InsiderTargets,
    pub width: WidthBasis,
}

/// Which hidden cells an insider must not narrow.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InsiderTargets {
    /// Every hidden cell not owned by the insider — Sweden's cells included. Unsatisfiable in
    /// general: Sweden's cell is the insider's own cell plus cells the public already knows
    /// (e.g. shown, unchanged, in an earlier release), whatever the new publication hides.
    NotOwned,
    /// The hidden cells of other regions (cells owned by another insider), as
    /// `disclosure/knowledge.rs` states it; Sweden's cells are protected against the public.
    OtherRegions,
}

/// What `W` in `hi − lo ≥ min(protection_width, W)` is: the widest span of the quantity that …
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WidthBasis {
    /// … the cell's own status allows (1–4 for a small count: W = 3). Then a small total with
    /// two non-zero small parts (region 15 of `region_by_sex_with_both_margins`: 1 + 3 = 4) can
    /// only be protected by coarsening the statuses: the parts are 1–3 whatever is hidden.
    CellStatus,
    /// … the table's status pattern allows: the statuses, kinds and margins of the cell's
    /// release with no value shown, no selection order and no insider (for a lone small count
    /// still 1–4; for 1 + 3 = 4, all small, 1–3: W = 2). Only narrowing by what is *shown* (values,
    /// insiders' cells, the selection order, other releases) counts against the interval.
    StatusPattern,
}

impl Default for Reading {
    /// [`InsiderTargets::OtherRegions`], [`WidthBasis::StatusPattern`].
    fn default() -> Reading {
        Reading {
            insider_targets: InsiderTargets::OtherRegions,
            width: WidthBasis::StatusPattern,
        }
    }
}

impl<'a> Scenario<'a> {
    /// One publication, no insiders.
    pub fn single(publication: Publication, truth: &'a Table) -> Scenario<'a> {
        Scenario {
            releases: vec![Seen {
                publication,
                truth,
                owners: Vec::new(),
            }],
            links: Vec::new(),
            reading: Reading::default(),
        }
    }

    /// `table` published as `published`, with what `knowledge` adds (insiders, earlier releases).
    pub fn of(
        published: &PublishedTable,
        table: &'a Table,
        knowledge: &'a Knowledge,
        policy: &DisclosurePolicy,
    ) -> Scenario<'a> {
        let mut s = Scenario {
            releases: vec![Seen {
                publication: Publication::of(published, policy),
                truth: table,
                owners: knowledge.owners.clone(),
            }],
            links: Vec::new(),
            reading: Reading::default(),
        };
        for (k, e) in knowledge.earlier.iter().enumerate() {
            s.releases.push(Seen {
                publication: Publication::from_statuses(&e.table, &e.statuses, policy),
                truth: &e.table,
                owners: e.owners.clone(),
            });
            for (j, same) in e.same_as.iter().enumerate() {
                if let Some(i) = same {
                    s.links.push(((k + 1, j), (0, i.0)));
                }
            }
        }
        s
    }

    /// Every insider named in any release.
    pub fn insiders(&self) -> Vec<u32> {
        let mut out: Vec<u32> = self
            .releases
            .iter()
            .flat_map(|r| r.owners.iter().flatten().copied())
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }

    /// What was known before release 0: the other releases, with the ties between them that
    /// the links to release 0 imply. Cell references shift down by one release.
    pub fn before(&self) -> Scenario<'a> {
        let mut by_new: BTreeMap<CellRef, Vec<CellRef>> = BTreeMap::new();
        let mut links = Vec::new();
        for &(a, b) in &self.links {
            match (a.0, b.0) {
                (0, 0) => {}
                (0, _) => by_new.entry(a).or_default().push((b.0 - 1, b.1)),
                (_, 0) => by_new.entry(b).or_default().push((a.0 - 1, a.1)),
                _ => links.push(((a.0 - 1, a.1), (b.0 - 1, b.1))),
            }
        }
        for group in by_new.values() {
            for pair in group.windows(2) {
                links.push((pair[0], pair[1]));
            }
        }
        Scenario {
            releases: self.releases[1..].to_vec(),
            links,
            reading: self.reading,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The attack
// ---------------------------------------------------------------------------------------------

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Quantity {
    Count,
    Denominator,
    Complement,
}

impl Quantity {
    const ALL: [Quantity; 3] = [Quantity::Count, Quantity::Denominator, Quantity::Complement];

    fn index(self) -> usize {
        self as usize
    }

    fn of(self, x: u64, n: u64) -> u64 {
        match self {
            Quantity::Count => x,
            Quantity::Denominator => n,
            Quantity::Complement => n.saturating_sub(x),
        }
    }
}

/// The status (and selection-order) constraint of one hidden cell on its unknowns.
#[derive(Clone, Debug)]
struct Con {
    release: usize,
    local: usize,
    kind: CellKind,
    status: Status,
    x: usize,
    n: Option<usize>,
    c: Option<usize>,
    /// Selection order: the cell's key must be below the smallest visible key of at least one
    /// of these margins (is the cell the margin's total, that smallest key). `None`: no
    /// constraint (not a secondary cell, statuses coarsened, or a margin without visible cells).
    order: Option<Vec<(bool, Key)>>,
}

/// What a hidden quantity is attacked as: a class of cells with the same true values (one cell,
/// or cells linked across releases), its unknowns, and the protection it needs.
#[derive(Clone, Debug)]
pub struct Target {
    /// The hidden cells of the class, first in scenario order (the new release first).
    pub cells: Vec<CellRef>,
    pub kind: CellKind,
    /// Its unknowns (meaningless when `fixed`).
    pub unknowns: Unknowns,
    /// Values known to the attacker though the cells are hidden in their releases (an earlier
    /// hidden cell shown, unchanged, in release 0): the quantity is pinned.
    fixed: Option<(u64, u64)>,
    /// Required width per quantity: `min(protection_width, W)`.
    pub required: [u64; 3],
    pub truth: (u64, u64),
}

impl Target {
    pub fn quantities(&self) -> Vec<Quantity> {
        if self.kind == CellKind::Proportion {
            Quantity::ALL.to_vec()
        } else {
            vec![Quantity::Count]
        }
    }

    pub fn truth_of(&self, q: Quantity) -> u64 {
        q.of(self.truth.0, self.truth.1)
    }

    /// Whether some cell of the class belongs to release 0.
    pub fn is_new(&self) -> bool {
        self.cells.iter().any(|c| c.0 == 0)
    }
}

/// The search's goal: the target quantity in `[lo, hi]`.
#[derive(Clone, Copy, Debug)]
pub struct Goal {
    /// The unknown that is the quantity (count, denominator or complement).
    var: usize,
    x: usize,
    n: Option<usize>,
    q: Quantity,
    lo: u64,
    hi: u64,
}

/// The unknowns of a class: count, and for proportions denominator and complement `n − x`
/// (tied by `n − x − c = 0`, so that margins over `n − x` propagate as well as the others).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Unknowns {
    pub x: usize,
    pub n: Option<usize>,
    pub c: Option<usize>,
}

impl Unknowns {
    fn of(&self, q: Quantity) -> usize {
        match q {
            Quantity::Count => self.x,
            Quantity::Denominator => self.n.unwrap(),
            Quantity::Complement => self.c.unwrap(),
        }
    }
}

type Equation = (Vec<(i64, usize)>, i64);
type Domains = Vec<Vec<u64>>;

/// Nodes for the final, exhaustive search (inconclusive beyond). 200 000 left some random
/// pairs of releases of 4 regions inconclusive; 5 000 000 none in 12 000 such pairs.
const NODE_BUDGET: u64 = 5_000_000;
/// Nodes for each heuristic attempt before it.
const TRY_BUDGET: u64 = 300;

/// The order in which a variable's values are tried.
#[derive(Clone, Copy, Debug)]
pub enum Order {
    /// The true value first, then outwards.
    TruthFirst,
    /// Smallest first.
    Ascending,
    /// Largest first.
    Descending,
}

/// The search ran out of budget: neither a witness nor a proof.
#[derive(Debug)]
pub struct Inconclusive;

/// One attacker's problem over a scenario: unknowns with explicit finite domains `0..=cap`.
pub struct Attack<'s> {
    scenario: &'s Scenario<'s>,
    pub insider: Option<u32>,
    offsets: Vec<usize>,
    /// Per global cell: what the attacker knows of its values.
    known: Vec<Option<(u64, u64)>>,
    /// Per global cell: its class's unknowns, when not known.
    vars: Vec<Option<Unknowns>>,
    cons: Vec<Con>,
    /// `Σ coef·unknown = rhs`, known values folded into `rhs`.
    equations: Vec<Equation>,
    /// Per unknown: its true value.
    pub truth: Vec<u64>,
    pub cap: u64,
    pub targets: Vec<Target>,
}

/// Keep the values of `u` that `keep` accepts, marking `u` dirty if it shrank; `false` if
/// nothing is left.
fn shrink(d: &mut Domains, dirty: &mut [bool], u: usize, keep: &dyn Fn(u64) -> bool) -> bool {
    let before = d[u].len();
    d[u].retain(|&v| keep(v));
    if d[u].len() != before {
        dirty[u] = true;
    }
    !d[u].is_empty()
}

/// A constraint on a proportion's (x, n, c = n − x): keep values with partner values in the
/// other domains that satisfy `ok(x, n)`.
fn triple(
    d: &mut Domains,
    dirty: &mut [bool],
    (x, n, c): (usize, usize, usize),
    ok: &dyn Fn(u64, u64) -> bool,
) -> bool {
    let (dn, dc) = (d[n].clone(), d[c].clone());
    let has = |dom: &Vec<u64>, v: u64| dom.binary_search(&v).is_ok();
    if !shrink(d, dirty, x, &|xv| {
        dn[dn.partition_point(|&v| v < xv)..]
            .iter()
            .any(|&nv| has(&dc, nv - xv) && ok(xv, nv))
    }) {
        return false;
    }
    let dx = d[x].clone();
    if !shrink(d, dirty, n, &|nv| {
        dx[..dx.partition_point(|&v| v <= nv)]
            .iter()
            .any(|&xv| has(&dc, nv - xv) && ok(xv, nv))
    }) {
        return false;
    }
    let dn = d[n].clone();
    shrink(d, dirty, c, &|cv| {
        dx.iter().any(|&xv| has(&dn, xv + cv) && ok(xv, xv + cv))
    })
}

fn floor_div(p: i64, q: i64) -> i64 {
    if q > 0 {
        p.div_euclid(q)
    } else {
        (-p).div_euclid(-q)
    }
}

fn ceil_div(p: i64, q: i64) -> i64 {
    -floor_div(-p, q)
}

fn values_of(table: &Table, cell: usize) -> (u64, u64) {
    table.cells()[cell]
        .values()
        .map_or((0, 0), |v| (v.count, v.denominator.unwrap_or(0)))
}

impl<'s> Attack<'s> {
    /// The problem of the public (`insider` = `None`) or of insider `g`, who also knows the true
    /// values of every cell owned by `g`.
    pub fn new(scenario: &'s Scenario<'s>, insider: Option<u32>) -> Attack<'s> {
        let rel = &scenario.releases;
        let mut offsets = vec![0];
        for r in rel {
            offsets.push(offsets.last().unwrap() + r.publication.view.kinds.len());
        }
        let total = *offsets.last().unwrap();
        let global = |(r, c): CellRef| offsets[r] + c;
        let place: Vec<CellRef> = (0..rel.len())
            .flat_map(|r| (0..rel[r].publication.view.kinds.len()).map(move |c| (r, c)))
            .collect();
        for (r, s) in rel.iter().enumerate() {
            assert_eq!(
                s.truth.cells().len(),
                s.publication.view.kinds.len(),
                "release {r}"
            );
            assert!(s.owners.is_empty() || s.owners.len() == s.truth.cells().len());
        }
        // Classes of cells with the same values (union–find over the links).
        let mut parent: Vec<usize> = (0..total).collect();
        fn root(parent: &mut [usize], mut i: usize) -> usize {
            while parent[i] != i {
                parent[i] = parent[parent[i]];
                i = parent[i];
            }
            i
        }
        for &(a, b) in &scenario.links {
            let (ga, gb) = (global(a), global(b));
            assert_eq!(
                values_of(rel[a.0].truth, a.1),
                values_of(rel[b.0].truth, b.1),
                "linked cells {a:?} and {b:?} hold different values"
            );
            let (ra, rb) = (root(&mut parent, ga), root(&mut parent, gb));
            parent[ra.max(rb)] = ra.min(rb);
        }
        let class: Vec<usize> = (0..total).map(|g| root(&mut parent, g)).collect();
        let owned = |g: usize| {
            let (r, c) = place[g];
            insider.is_some() && rel[r].owners.get(c).copied().flatten() == insider
        };
        let shown = |g: usize| {
            let (r, c) = place[g];
            rel[r].publication.view.known[c]
        };
        // What the attacker knows of each class: a value shown in some release, or owned.
        let mut class_known: BTreeMap<usize, (u64, u64)> = BTreeMap::new();
        for g in 0..total {
            let (r, c) = place[g];
            let v = shown(g).or_else(|| owned(g).then(|| values_of(rel[r].truth, c)));
            if let Some(v) = v {
                class_known.entry(class[g]).or_insert(v);
            }
        }
        let known: Vec<Option<(u64, u64)>> = (0..total)
            .map(|g| class_known.get(&class[g]).copied())
            .collect();
        let mut a = Attack {
            scenario,
            insider,
            offsets: offsets.clone(),
            known,
            vars: vec![None; total],
            cons: Vec::new(),
            equations: Vec::new(),
            truth: Vec::new(),
            cap: 0,
            targets: Vec::new(),
        };
        // Unknowns, one set per unknown class.
        let mut class_vars: BTreeMap<usize, Unknowns> = BTreeMap::new();
        for g in 0..total {
            if a.known[g].is_some() {
                continue;
            }
            let (r, c) = place[g];
            let kind = rel[r].publication.view.kinds[c].expect("hidden cells have a kind");
            let vars = *class_vars.entry(class[g]).or_insert_with(|| {
                let (x, n) = values_of(rel[r].truth, c);
                a.truth.push(x);
                let xv = a.truth.len() - 1;
                if kind != CellKind::Proportion {
                    return Unknowns {
                        x: xv,
                        n: None,
                        c: None,
                    };
                }
                a.truth.push(n);
                a.truth.push(n - x);
                let (nv, cv) = (a.truth.len() - 2, a.truth.len() - 1);
                a.equations.push((vec![(1, nv), (-1, xv), (-1, cv)], 0));
                Unknowns {
                    x: xv,
                    n: Some(nv),
                    c: Some(cv),
                }
            });
            a.vars[g] = Some(vars);
        }
        // Status and selection-order constraints of every hidden cell with unknown values.
        for (g, &(r, c)) in place.iter().enumerate() {
            let view = &rel[r].publication.view;
            let Some(Unknowns { x, n, c: cv }) = a.vars[g] else {
                continue;
            };
            let status = view.statuses[c];
            let order = (rel[r].publication.selection_order != SelectionOrder::Off
                && view.informative
                && status == Status::HiddenSecondary)
                .then(|| {
                    view.margins
                        .iter()
                        .filter(|m| m.members().any(|id| id.0 == c))
                        .map(|m| {
                            let smallest = m
                                .members()
                                .filter(|id| id.0 != c && view.statuses[id.0].is_published())
                                .map(|id| {
                                    let (vc, vn) = view.known[id.0].unwrap();
                                    key(vc, vn, id == m.total, id.0)
                                })
                                .min();
                            (m.total.0 == c, smallest)
                        })
                        .collect::<Vec<_>>()
                })
                .and_then(|ms| {
                    // A margin with no visible member constrains nothing, nor does "no margin".
                    if ms.is_empty() || ms.iter().any(|(_, s)| s.is_none()) {
                        None
                    } else {
                        Some(ms.into_iter().map(|(t, s)| (t, s.unwrap())).collect())
                    }
                });
            a.cons.push(Con {
                release: r,
                local: c,
                kind: view.kinds[c].unwrap(),
                status,
                x,
                n,
                c: cv,
                order,
            });
        }
        // Σ parts − total = 0 over counts, denominators and (implied, but stated so that the
        // filter sees it) the differences n − x, in every release. Dimensions: 0 count,
        // 1 denominator, 2 complement.
        for (r, s) in rel.iter().enumerate() {
            let view = &s.publication.view;
            for m in &view.margins {
                let dens = m
                    .members()
                    .any(|id| view.kinds[id.0] == Some(CellKind::Proportion));
                let dims = if dens { 3 } else { 1 };
                for dim in 0..dims {
                    let (mut terms, mut rhs) = (BTreeMap::<usize, i64>::new(), 0i64);
                    for (j, id) in m.members().enumerate() {
                        let sign = if j == 0 { -1 } else { 1 };
                        let g = global((r, id.0));
                        match (a.known[g], a.vars[g]) {
                            (Some((c, n)), _) => {
                                rhs -= sign * [c, n, n.saturating_sub(c)][dim] as i64;
                            }
                            (None, Some(u)) => {
                                let var = [Some(u.x), u.n, u.c][dim]
                                    .expect("a margin over denominators has proportions only");
                                *terms.entry(var).or_default() += sign;
                            }
                            (None, None) => unreachable!(),
                        }
                    }
                    let terms: Vec<(i64, usize)> = terms
                        .into_iter()
                        .filter(|&(_, k)| k != 0)
                        .map(|(u, k)| (k, u))
                        .collect();
                    if !terms.is_empty() {
                        a.equations.push((terms, rhs));
                    }
                }
            }
        }
        let biggest = rel
            .iter()
            .flat_map(|s| s.truth.cells().iter().filter_map(|c| c.values()))
            .map(|v| v.denominator.unwrap_or(v.count))
            .max()
            .unwrap_or(0);
        a.cap = 2 * biggest + 10;
        // Targets: every class with a hidden cell the attacker does not own; a class shown in an
        // earlier release is public knowledge (no target); one shown only in release 0 makes
        // its earlier hidden cells known (a pinned target).
        let mut members: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
        for (g, &root) in class.iter().enumerate() {
            members.entry(root).or_default().push(g);
        }
        for (_, gs) in members {
            let hidden: Vec<usize> = gs
                .iter()
                .copied()
                .filter(|&g| rel[place[g].0].publication.view.statuses[place[g].1].is_hidden())
                .collect();
            if hidden.is_empty() || gs.iter().any(|&g| owned(g)) {
                continue;
            }
            let other_region = gs.iter().any(|&g| {
                let (r, c) = place[g];
                rel[r]
                    .owners
                    .get(c)
                    .copied()
                    .flatten()
                    .is_some_and(|o| Some(o) != insider)
            });
            if insider.is_some()
                && scenario.reading.insider_targets == InsiderTargets::OtherRegions
                && !other_region
            {
                continue;
            }
            let fixed = a.known[hidden[0]];
            if fixed.is_some() && gs.iter().any(|&g| place[g].0 >= 1 && shown(g).is_some()) {
                continue;
            }
            let (r0, c0) = place[hidden[0]];
            let kind = rel[r0].publication.view.kinds[c0].unwrap();
            let mut required = [u64::MAX; 3];
            for &g in &hidden {
                let (r, c) = place[g];
                let p = &rel[r].publication;
                let spans = status_spans(p, p.view.statuses[c], kind);
                for q in 0..3 {
                    let w = spans[q].map_or(p.protection_width, |w| w.min(p.protection_width));
                    required[q] = required[q].min(w);
                }
            }
            let unknowns = a.vars[hidden[0]].unwrap_or(Unknowns {
                x: usize::MAX,
                n: None,
                c: None,
            });
            a.targets.push(Target {
                cells: hidden.iter().map(|&g| place[g]).collect(),
                kind,
                unknowns,
                fixed,
                required,
                truth: values_of(rel[r0].truth, c0),
            });
        }
        // The truth must satisfy everything the attacker assumes.
        if let Err(why) = a.check(&a.truth, None) {
            panic!(
                "the attacker's model rejects the true values ({why}); insider {insider:?}; statuses {:?}",
                rel.iter()
                    .map(|s| &s.publication.view.statuses)
                    .collect::<Vec<_>>()
            );
        }
        a
    }

    fn con_ok(&self, con: &Con, x: u64, n: u64) -> bool {
        let p = &self.scenario.releases[con.release].publication;
        if con.kind == CellKind::Proportion && x > n {
            return false;
        }
        if !p.consistent(con.status, con.kind, x, n) {
            return false;
        }
        match (&con.order, p.selection_order) {
            (None, _) | (_, SelectionOrder::Off) => true,
            (Some(ms), SelectionOrder::Exact) => ms
                .iter()
                .any(|&(total, smallest)| key(x, n, total, con.local) < smallest),
            (Some(ms), SelectionOrder::UpperBound) => {
                x == 0 || ms.iter().any(|&(_, (zero, _, c, _, _))| zero || x <= c)
            }
        }
    }

    /// Remove values that cannot occur in any completion; `false` if a domain empties.
    fn filter(&self, d: &mut Domains) -> bool {
        let mut dirty = vec![true; d.len()];
        loop {
            if !dirty.iter().any(|&x| x) {
                return true;
            }
            let was = std::mem::replace(&mut dirty, vec![false; d.len()]);
            for con in &self.cons {
                let ok = match (con.n, con.c) {
                    (None, _) if was[con.x] => {
                        shrink(d, &mut dirty, con.x, &|xv| self.con_ok(con, xv, 0))
                    }
                    (Some(n), Some(c)) if was[con.x] || was[n] || was[c] => {
                        triple(d, &mut dirty, (con.x, n, c), &|xv, nv| {
                            self.con_ok(con, xv, nv)
                        })
                    }
                    _ => true,
                };
                if !ok {
                    return false;
                }
            }
            // Each margin: a value must fit between the others' smallest and largest sums.
            for (terms, rhs) in &self.equations {
                if !terms.iter().any(|&(_, u)| was[u]) {
                    continue;
                }
                for &(coef, u) in terms {
                    let (mut lo, mut hi) = (0i64, 0i64);
                    for &(k, w) in terms {
                        if w == u {
                            continue;
                        }
                        let (min, max) = (d[w][0] as i64, d[w][d[w].len() - 1] as i64);
                        if k > 0 {
                            lo += k * min;
                            hi += k * max;
                        } else {
                            lo += k * max;
                            hi += k * min;
                        }
                    }
                    // coef·u = rhs − others ∈ [rhs − hi, rhs − lo].
                    let (a, b) = (rhs - hi, rhs - lo);
                    let (a, b) = if coef > 0 {
                        (ceil_div(a, coef), floor_div(b, coef))
                    } else {
                        (ceil_div(b, coef), floor_div(a, coef))
                    };
                    if !shrink(d, &mut dirty, u, &|v| a <= v as i64 && v as i64 <= b) {
                        return false;
                    }
                }
            }
        }
    }

    /// A completion within the domains (the goal is in them), if one exists.
    fn witness(
        &self,
        mut d: Domains,
        (order, rank): (Order, &[usize]),
        nodes: &mut u64,
    ) -> Result<Option<Vec<u64>>, Inconclusive> {
        if *nodes == 0 {
            return Err(Inconclusive);
        }
        *nodes -= 1;
        if !self.filter(&mut d) {
            return Ok(None);
        }
        let Some(u) = (0..d.len())
            .filter(|&u| d[u].len() > 1)
            .min_by_key(|&u| (d[u].len(), rank[u]))
        else {
            return Ok(Some(d.iter().map(|v| v[0]).collect()));
        };
        let mut values = d[u].clone();
        match order {
            Order::TruthFirst => values.sort_by_key(|&v| (v.abs_diff(self.truth[u]), v)),
            Order::Ascending => {}
            Order::Descending => values.reverse(),
        }
        for v in values {
            let mut d2 = d.clone();
            d2[u] = vec![v];
            if let Some(w) = self.witness(d2, (order, rank), nodes)? {
                return Ok(Some(w));
            }
        }
        Ok(None)
    }

    /// A completion meeting the goal: first the whole domain filtered once (which often proves
    /// there is none), then heuristic attempts — small boxes around the truth, then the full
    /// range with several value orders and tie-breaking orders among variables, each with a
    /// small budget — and finally the exhaustive search over `0..=cap`, where "none found"
    /// proves there is no such completion.
    pub fn find(&self, goal: &Goal) -> Result<Option<Vec<u64>>, Inconclusive> {
        let k = self.truth.len();
        let mut root: Domains = vec![(0..=self.cap).collect(); k];
        root[goal.var].retain(|&v| goal.lo <= v && v <= goal.hi);
        if root[goal.var].is_empty() || !self.filter(&mut root) {
            return Ok(None);
        }
        let identity: Vec<usize> = (0..k).collect();
        let shuffled = |seed: u64| -> Vec<usize> {
            let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
            let mut rank = identity.clone();
            for i in (1..k).rev() {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                rank.swap(i, (state % (i as u64 + 1)) as usize);
            }
            rank
        };
        let mut attempts = vec![
            (2, Order::TruthFirst, identity.clone(), TRY_BUDGET),
            (8, Order::TruthFirst, identity.clone(), TRY_BUDGET),
            (u64::MAX, Order::Ascending, identity.clone(), TRY_BUDGET),
            (u64::MAX, Order::Descending, identity.clone(), TRY_BUDGET),
        ];
        for seed in 1..=40 {
            let order = [Order::TruthFirst, Order::Ascending, Order::Descending][seed as usize % 3];
            attempts.push((u64::MAX, order, shuffled(seed), TRY_BUDGET));
        }
        attempts.push((u64::MAX, Order::TruthFirst, identity.clone(), NODE_BUDGET));
        let last = attempts.len() - 1;
        for (i, (radius, order, rank, budget)) in attempts.into_iter().enumerate() {
            let domains: Domains = root
                .iter()
                .zip(&self.truth)
                .map(|(d, &t)| {
                    d.iter()
                        .copied()
                        .filter(|v| v.abs_diff(t) <= radius)
                        .collect()
                })
                .collect();
            if domains.iter().any(|d: &Vec<u64>| d.is_empty()) {
                continue;
            }
            let mut nodes = budget;
            match self.witness(domains, (order, &rank), &mut nodes) {
                Ok(Some(w)) => return Ok(Some(w)),
                _ if i < last => {}
                other => return other,
            }
        }
        unreachable!()
    }

    /// Check an assignment of the unknowns against every known fact, from scratch: statuses,
    /// selection order, every release's margins, the links, and the goal. `Err` says what fails.
    pub fn check(&self, w: &[u64], goal: Option<&Goal>) -> Result<(), String> {
        let rel = &self.scenario.releases;
        let value = |(r, c): CellRef| -> (u64, u64) {
            let g = self.offsets[r] + c;
            match (self.known[g], self.vars[g]) {
                (Some(v), _) => v,
                (None, Some(u)) => (w[u.x], u.n.map_or(0, |n| w[n])),
                (None, None) => unreachable!(),
            }
        };
        for con in &self.cons {
            let (x, n) = value((con.release, con.local));
            if !self.con_ok(con, x, n) {
                return Err(format!(
                    "release {} cell {} ({:?}) cannot be ({x}, {n}){}",
                    con.release,
                    con.local,
                    con.status,
                    if con.order.is_some() {
                        " by its status or the selection order"
                    } else {
                        ""
                    }
                ));
            }
        }
        for u in self.vars.iter().flatten() {
            if let (Some(n), Some(c)) = (u.n, u.c)
                && (w[n] < w[u.x] || w[c] != w[n] - w[u.x])
            {
                return Err(format!("complement unknown {c} is not n − x"));
            }
        }
        for (r, s) in rel.iter().enumerate() {
            let view = &s.publication.view;
            for m in &view.margins {
                let dens = m
                    .members()
                    .any(|id| view.kinds[id.0] == Some(CellKind::Proportion));
                let total = value((r, m.total.0));
                let (cx, cn) = m.parts.iter().fold((0, 0), |(a, b), p| {
                    let (x, n) = value((r, p.0));
                    (a + x, b + n)
                });
                if total.0 != cx || (dens && total.1 != cn) {
                    return Err(format!("release {r}: margin {m:?} does not add up"));
                }
            }
        }
        for &(a, b) in &self.scenario.links {
            if value(a) != value(b) {
                return Err(format!("linked cells {a:?} and {b:?} differ"));
            }
        }
        if let Some(g) = goal {
            let v = g.q.of(w[g.x], g.n.map_or(0, |n| w[n]));
            if v < g.lo || v > g.hi {
                return Err(format!("the goal {g:?} is not met ({v})"));
            }
        }
        Ok(())
    }

    /// A value of the target's quantity `q` in `[lo, hi]` that some completion gives, if any.
    /// Panics if the search is inconclusive.
    pub fn value_in(&self, t: &Target, q: Quantity, lo: u64, hi: u64) -> Option<u64> {
        if lo > hi {
            return None;
        }
        if let Some((x, n)) = t.fixed {
            let v = q.of(x, n);
            return (lo <= v && v <= hi).then_some(v);
        }
        let goal = Goal {
            var: t.unknowns.of(q),
            x: t.unknowns.x,
            n: t.unknowns.n,
            q,
            lo,
            hi,
        };
        match self.find(&goal) {
            Ok(Some(w)) => {
                if let Err(why) = self.check(&w, Some(&goal)) {
                    panic!("a witness must check out: {why}");
                }
                Some(w[goal.var])
            }
            Ok(None) => None,
            Err(Inconclusive) => panic!(
                "attack inconclusive for {:?} {q:?} in [{lo}, {hi}] (insider {:?})",
                t.cells, self.insider
            ),
        }
    }

    /// `W` from the status pattern of the release of the target's first cell: the span of `q`
    /// over completions consistent with that release's statuses, kinds and margins alone (no
    /// value shown, no selection order, no insider, no other release), stopping at `enough`.
    pub fn pattern_width(&self, t: &Target, q: Quantity, enough: u64) -> u64 {
        let (r, c) = t.cells[0];
        let seen = &self.scenario.releases[r];
        let mut publication = seen.publication.clone();
        for (i, s) in publication.view.statuses.iter().enumerate() {
            if s.is_published() {
                publication.view.known[i] = None;
            }
        }
        publication.selection_order = SelectionOrder::Off;
        let scenario = Scenario {
            releases: vec![Seen {
                publication,
                truth: seen.truth,
                owners: Vec::new(),
            }],
            links: Vec::new(),
            reading: self.scenario.reading,
        };
        let attack = Attack::new(&scenario, None);
        let pattern = attack
            .targets
            .iter()
            .find(|e| e.cells.contains(&(0, c)))
            .expect("a hidden cell is a target of its status pattern");
        let (lo, hi) = attack.range(pattern, q, Some(enough));
        hi - lo
    }

    /// The values `[lo, hi]` the quantity can take: exact when `enough` is `None`; otherwise
    /// the search stops as soon as `hi − lo ≥ enough` (and is exact when it falls short).
    pub fn range(&self, t: &Target, q: Quantity, enough: Option<u64>) -> (u64, u64) {
        let truth = t.truth_of(q);
        let (mut lo, mut hi) = (truth, truth);
        if t.fixed.is_some() {
            return (lo, hi);
        }
        // Nothing feasible below `lb` or above `ub`; `lo` and `hi` are feasible.
        let (mut lb, mut ub) = (0, self.cap);
        match enough {
            None => {
                while lb < lo {
                    let mid = lb + (lo - 1 - lb) / 2;
                    match self.value_in(t, q, lb, mid) {
                        Some(v) => lo = v,
                        None => lb = mid + 1,
                    }
                }
                while hi < ub {
                    let mid = hi + 1 + (ub - hi - 1) / 2;
                    match self.value_in(t, q, mid, ub) {
                        Some(v) => hi = v,
                        None => ub = mid - 1,
                    }
                }
            }
            Some(r) => loop {
                if hi - lo >= r || (lb == lo && ub == hi) {
                    break;
                }
                if hi >= lb + r {
                    match self.value_in(t, q, lb, hi - r) {
                        Some(v) => {
                            lo = v;
                            continue;
                        }
                        None => lb = hi - r + 1,
                    }
                }
                if lo + r <= ub {
                    match self.value_in(t, q, lo + r, ub) {
                        Some(v) => {
                            hi = v;
                            continue;
                        }
                        None => ub = lo + r - 1,
                    }
                }
                if lb < lo {
                    match self.value_in(t, q, lb, lo - 1) {
                        Some(v) => {
                            lo = v;
                            continue;
                        }
                        None => lb = lo,
                    }
                }
                if hi < ub {
                    match self.value_in(t, q, hi + 1, ub) {
                        Some(v) => {
                            hi = v;
                            continue;
                        }
                        None => ub = hi,
                    }
                }
            },
        }
        (lo, hi)
    }
}

// ---------------------------------------------------------------------------------------------
// Questions
// ---------------------------------------------------------------------------------------------

/// The values a hidden quantity can take, as the attacker sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Feasible {
    /// The first hidden cell of the target (release, cell).
    pub cell: CellRef,
    pub quantity: Quantity,
    pub truth: u64,
    pub lo: u64,
    pub hi: u64,
    /// The width the policy requires: `min(protection_width, W)`.
    pub required: u64,
}

/// A hidden quantity narrowed below its protection interval.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Shortfall {
    /// `None`: the public; `Some(g)`: insider `g`.
    pub attacker: Option<u32>,
    /// The first hidden cell of the target (release, cell); release 0 is the new table.
    pub cell: CellRef,
    pub quantity: Quantity,
    pub truth: u64,
    pub lo: u64,
    pub hi: u64,
    pub required: u64,
}

/// The exact interval of every hidden quantity for the public or an insider. Panics if a search
/// is inconclusive.
pub fn feasible_ranges(scenario: &Scenario, insider: Option<u32>) -> Vec<Feasible> {
    let attack = Attack::new(scenario, insider);
    let mut out = Vec::new();
    for t in &attack.targets {
        for q in t.quantities() {
            let (lo, hi) = attack.range(t, q, None);
            out.push(Feasible {
                cell: t.cells[0],
                quantity: q,
                truth: t.truth_of(q),
                lo,
                hi,
                required: t.required[q.index()],
            });
        }
    }
    out
}

/// Every hidden quantity whose interval is narrower than required, for the public or an
/// insider, over all releases of the scenario (earlier ones included, without asking whether
/// they were protected before: see [`all_shortfalls`]).
pub fn protection_shortfalls(scenario: &Scenario, insider: Option<u32>) -> Vec<Shortfall> {
    let attack = Attack::new(scenario, insider);
    attack
        .targets
        .iter()
        .flat_map(|t| shortfalls_of(&attack, t))
        .collect()
}

fn shortfalls_of(attack: &Attack, t: &Target) -> Vec<Shortfall> {
    let mut out = Vec::new();
    for q in t.quantities() {
        let mut r = t.required[q.index()];
        if r == 0 {
            continue;
        }
        let (lo, hi) = attack.range(t, q, Some(r));
        if hi - lo < r && attack.scenario.reading.width == WidthBasis::StatusPattern {
            r = r.min(attack.pattern_width(t, q, r));
        }
        if hi - lo < r {
            out.push(Shortfall {
                attacker: attack.insider,
                cell: t.cells[0],
                quantity: q,
                truth: t.truth_of(q),
                lo,
                hi,
                required: r,
            });
        }
    }
    out
}

/// Every hidden quantity the attacker can pin to one value: (release, cell), quantity, value.
pub fn pinned(scenario: &Scenario, insider: Option<u32>) -> Vec<(CellRef, Quantity, u64)> {
    let attack = Attack::new(scenario, insider);
    let mut out = Vec::new();
    for t in &attack.targets {
        for q in t.quantities() {
            let (lo, hi) = attack.range(t, q, Some(1));
            if lo == hi {
                out.push((t.cells[0], q, lo));
            }
        }
    }
    out
}

/// The shortfalls for the public and for every insider of the scenario. A quantity that an
/// earlier release already narrowed (against the same attacker, with the earlier releases
/// alone) cannot be protected better by release 0: it counts only if release 0 narrows it
/// further, i.e. the requirement is `min(required, what the earlier releases left)`.
pub fn all_shortfalls(scenario: &Scenario) -> Vec<Shortfall> {
    let before = (scenario.releases.len() > 1).then(|| scenario.before());
    let attackers: Vec<Option<u32>> = std::iter::once(None)
        .chain(scenario.insiders().into_iter().map(Some))
        .collect();
    let mut out = Vec::new();
    for insider in attackers {
        let attack = Attack::new(scenario, insider);
        let mut earlier_attack = None;
        for t in &attack.targets {
            for s in shortfalls_of(&attack, t) {
                if let Some(&(r, c)) = t.cells.iter().find(|c| c.0 > 0) {
                    let before = before.as_ref().unwrap();
                    let ea = earlier_attack.get_or_insert_with(|| Attack::new(before, insider));
                    let here = (r - 1, c);
                    // Not a target before: known exactly (e.g. shown in an earlier release).
                    let left_before =
                        ea.targets
                            .iter()
                            .find(|e| e.cells.contains(&here))
                            .map_or(0, |e| {
                                let (lo, hi) = ea.range(e, s.quantity, Some(s.required));
                                hi - lo
                            });
                    if s.hi - s.lo >= s.required.min(left_before) {
                        continue;
                    }
                }
                out.push(s);
            }
        }
    }
    out
}

/// Every hidden quantity whose value the public can determine: (cell, quantity, value). The
/// view says nothing of attribute sensitivity, so it is taken from `truth` (the engine publishes
/// the table's flag; the threshold is the default policy's). Panics if a search is
/// inconclusive (which would fail the test too).
pub fn recoverable(view: &View, truth: &Table) -> Vec<(usize, Quantity, u64)> {
    let policy = DisclosurePolicy::default_public();
    let publication = Publication::new(view.clone(), truth.attribute_sensitive(), &policy);
    let scenario = Scenario::single(publication, truth);
    pinned(&scenario, None)
        .into_iter()
        .map(|((_, cell), q, v)| (cell, q, v))
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Publish and attack
// ---------------------------------------------------------------------------------------------

/// Apply the default policy and assert everything the issues demand of the result (see
/// [`publish_and_attack_with`]), with no insiders and no earlier releases.
pub fn publish_and_attack(table: &Table) -> (PublishedTable, Vec<Status>) {
    publish_and_attack_with(table, &Knowledge::default())
}

/// Apply the default policy with `knowledge` and assert: (a) every primary-suppressible cell is
/// hidden (counts 1–4, and in an attribute-sensitive table shares of 0 % or 100 % of fewer than
/// the rule's minimum); (b) every hidden quantity keeps its protection interval against the
/// public, every insider, and across the earlier releases (which implies that none can be
/// recovered); (c) visible cells are unchanged and hidden ones carry nothing.
pub fn publish_and_attack_with(
    table: &Table,
    knowledge: &Knowledge,
) -> (PublishedTable, Vec<Status>) {
    let policy = DisclosurePolicy::default_public();
    let (published, internal) = policy.apply_with(table, knowledge).unwrap();
    let sensitive = table.attribute_sensitive();
    assert_eq!(published.attribute_sensitive(), sensitive);
    let statuses: Vec<Status> = published.cells().iter().map(|c| c.status()).collect();
    assert_eq!(statuses, internal.statuses);
    let informative = statuses.contains(&Status::HiddenSmall);
    let all_or_none_min = policy.attribute().all_or_none_min_denominator;
    for (i, (cell, pc)) in table.cells().iter().zip(published.cells()).enumerate() {
        // (a) every primary-suppressible cell is hidden — as hidden_small, unless the table's
        // statuses were coarsened (then every hidden cell is hidden_secondary).
        if let Some(v) = cell.values() {
            if policy.primary_status_in(v, sensitive) == Status::HiddenSmall {
                let want = if informative {
                    Status::HiddenSmall
                } else {
                    Status::HiddenSecondary
                };
                assert_eq!(pc.status(), want, "cell {i}");
            }
            if v.kind == CellKind::Count && (1..=4).contains(&v.count) {
                assert!(
                    pc.status().is_hidden(),
                    "count {} in cell {i} is shown",
                    v.count
                );
            }
            if let (true, CellKind::Proportion, Some(n)) = (sensitive, v.kind, v.denominator)
                && small(n, all_or_none_min)
                && (v.count == 0 || v.count == n)
            {
                assert!(
                    pc.status().is_hidden(),
                    "{}/{n} of a sensitive outcome in cell {i} is shown",
                    v.count
                );
            }
        }
        // (c) visible cells are unchanged; hidden ones carry nothing.
        match pc.values() {
            Some(p) => {
                let v = cell.values().unwrap();
                assert_eq!(
                    (p.count(), p.denominator(), p.value()),
                    (v.count, v.denominator, v.value)
                );
                assert_eq!(p.interval(), v.interval);
            }
            None => assert!(!pc.status().is_published()),
        }
    }
    // (b) every hidden quantity keeps its protection interval.
    let scenario = Scenario::of(&published, table, knowledge, &policy);
    let short = all_shortfalls(&scenario);
    assert!(
        short.is_empty(),
        "protection shortfalls: {short:?}; statuses {statuses:?}"
    );
    (published, statuses)
}
