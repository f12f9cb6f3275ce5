#![allow(dead_code)]
//! An independent attack on published tables, shared by the disclosure and indicator tests.
//!
//! The attack uses only what the public sees — the published values, the statuses, the cells'
//! kinds, the margins and the policy's thresholds — and searches exhaustively over non-negative
//! integer completions of the hidden counts (and denominators) for one in which a hidden
//! quantity differs from its true value. It re-implements the status semantics from the policy
//! numbers and shares no code with the engine's own audit. The true values are used only to
//! phrase the question ("is there a completion where this cell is not v?") and to order the
//! search; a completion found is checked against every published fact.

use vardhub_engine::disclosure::{
    CellKind, DisclosurePolicy, Margin, PublishedTable, Rules, Status, Table,
};

// ---------------------------------------------------------------------------------------------
// The attack
// ---------------------------------------------------------------------------------------------

/// What the public knows about one table.
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

impl View {
    pub fn of(published: &PublishedTable, policy: &DisclosurePolicy) -> View {
        let cells = published.cells();
        View {
            kinds: cells.iter().map(|c| c.kind()).collect(),
            statuses: cells.iter().map(|c| c.status()).collect(),
            known: cells
                .iter()
                .map(|c| match c.status() {
                    Status::Ok | Status::Zero => {
                        let v = c.values().expect("published cells carry values");
                        Some((v.count(), v.denominator().unwrap_or(0)))
                    }
                    Status::NoData | Status::NotApplicable | Status::NoCases => Some((0, 0)),
                    Status::HiddenSmall | Status::HiddenSecondary => {
                        assert!(c.values().is_none(), "a hidden cell carries values");
                        None
                    }
                })
                .collect(),
            margins: published.margins().to_vec(),
            rules: *policy.rules(),
            informative: cells.iter().any(|c| c.status() == Status::HiddenSmall),
        }
    }
}

/// `1 ≤ v < min`.
pub fn small(v: u64, min: u64) -> bool {
    v >= 1 && v < min
}

/// Whether the primary rule fires — written from the policy's documented meaning.
pub fn primary_fires(r: &Rules, kind: CellKind, c: u64, n: u64) -> bool {
    let derived = |d: vardhub_engine::disclosure::DerivedRule| {
        small(c, d.min_count) || c < d.statistical_floor
    };
    match kind {
        CellKind::Count => small(c, r.count.min_count),
        CellKind::Proportion => {
            n >= 1
                && (small(c, r.proportion.min_numerator)
                    || small(n, r.proportion.min_denominator)
                    || small(n - c, r.proportion.min_complement))
        }
        CellKind::Rate => derived(r.rate),
        CellKind::StandardisedRate => derived(r.standardised_rate),
        CellKind::StandardisedRatio => derived(r.standardised_ratio),
        CellKind::Mean => c >= 1 && derived(r.mean),
    }
}

/// Whether (c, n) is consistent with the published status of a hidden cell.
pub fn consistent(view: &View, status: Status, kind: CellKind, c: u64, n: u64) -> bool {
    let r = &view.rules;
    let exists = match kind {
        CellKind::Proportion => n >= 1 && c <= n,
        CellKind::Mean => c >= 1,
        _ => true,
    };
    exists
        && (!view.informative
            || match status {
                Status::HiddenSmall => primary_fires(r, kind, c, n),
                Status::HiddenSecondary => !primary_fires(r, kind, c, n),
                _ => unreachable!(),
            })
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Quantity {
    Count,
    Denominator,
    Complement,
}

/// An unknown: (cell, is the denominator).
type Unknown = (usize, bool);

/// The attacker's problem for one table: unknowns with explicit finite domains `0..=cap`.
pub struct Attack<'a> {
    pub view: &'a View,
    pub unknowns: Vec<Unknown>,
    /// Hidden cells: (cell, kind, count unknown, denominator unknown).
    pub cells: Vec<(usize, CellKind, usize, Option<usize>)>,
    /// Margin equations `Σ sign·unknown = rhs`, published values folded into `rhs`.
    pub equations: Vec<(Vec<(i64, usize)>, i64)>,
    pub truth: Vec<u64>,
    pub cap: u64,
}

/// Nodes for the final, exhaustive search (inconclusive beyond).
const NODE_BUDGET: u64 = 200_000;
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

/// The search ran out of budget: neither a witness nor a proof of recoverability.
#[derive(Debug)]
pub struct Inconclusive;

type Domains = Vec<Vec<u64>>;

impl<'a> Attack<'a> {
    pub fn new(view: &'a View, truth: &Table) -> Attack<'a> {
        let true_of = |cell: usize| {
            truth.cells()[cell]
                .values()
                .copied()
                .expect("hidden ⇒ values")
        };
        let mut a = Attack {
            view,
            unknowns: Vec::new(),
            cells: Vec::new(),
            equations: Vec::new(),
            truth: Vec::new(),
            cap: 0,
        };
        for cell in 0..view.known.len() {
            if view.known[cell].is_some() {
                continue;
            }
            let kind = view.kinds[cell].expect("hidden cells have a kind");
            let v = true_of(cell);
            a.unknowns.push((cell, false));
            a.truth.push(v.count);
            let x = a.unknowns.len() - 1;
            let n = (kind == CellKind::Proportion).then(|| {
                a.unknowns.push((cell, true));
                a.truth.push(v.denominator.unwrap());
                a.unknowns.len() - 1
            });
            a.cells.push((cell, kind, x, n));
        }
        // Σ parts − total = 0 over counts, denominators and (implied, but stated so that the
        // filter sees it) the differences n − x.
        for m in &view.margins {
            let dens = m
                .members()
                .any(|id| view.kinds[id.0] == Some(CellKind::Proportion));
            let dims: &[(i64, i64)] = if dens {
                &[(1, 0), (0, 1), (-1, 1)]
            } else {
                &[(1, 0)]
            };
            for &(cx, cn) in dims {
                let (mut terms, mut rhs) = (Vec::new(), 0i64);
                for (j, id) in m.members().enumerate() {
                    let sign = if j == 0 { -1 } else { 1 };
                    match view.known[id.0] {
                        Some((c, n)) => rhs -= sign * (cx * c as i64 + cn * n as i64),
                        None => {
                            for (coef, den) in [(cx, false), (cn, true)] {
                                if coef != 0 {
                                    let u =
                                        a.unknowns.iter().position(|&u| u == (id.0, den)).unwrap();
                                    terms.push((sign * coef, u));
                                }
                            }
                        }
                    }
                }
                if !terms.is_empty() {
                    a.equations.push((terms, rhs));
                }
            }
        }
        let biggest = truth
            .cells()
            .iter()
            .filter_map(|c| c.values())
            .map(|v| v.denominator.unwrap_or(v.count))
            .max()
            .unwrap_or(0);
        a.cap = 2 * biggest + 10;
        a
    }

    /// Whether the hidden cell `k` may hold (x, n) — its status, and the target condition.
    pub fn cell_ok(&self, k: usize, x: u64, n: u64, target: (usize, Quantity, u64)) -> bool {
        let (cell, kind, _, _) = self.cells[k];
        if kind == CellKind::Proportion && x > n {
            return false;
        }
        if !consistent(self.view, self.view.statuses[cell], kind, x, n) {
            return false;
        }
        if cell == target.0 {
            let q = match target.1 {
                Quantity::Count => x,
                Quantity::Denominator => n,
                Quantity::Complement => n - x,
            };
            return q != target.2;
        }
        true
    }

    /// Remove values that cannot occur in any completion; `false` if a domain empties.
    pub fn filter(&self, d: &mut Domains, target: (usize, Quantity, u64)) -> bool {
        // Work list: cells and equations are revisited only when one of their domains shrank.
        let mut dirty = vec![true; d.len()];
        loop {
            if !dirty.iter().any(|&x| x) {
                return true;
            }
            let was = std::mem::replace(&mut dirty, vec![false; d.len()]);
            let mut shrink = |d: &mut Domains, u: usize, keep: &dyn Fn(u64) -> bool| -> bool {
                let before = d[u].len();
                d[u].retain(|&v| keep(v));
                if d[u].len() != before {
                    dirty[u] = true;
                }
                !d[u].is_empty()
            };
            // Each hidden cell: keep values with a partner value its status allows (x ≤ n).
            for (k, &(_, _, x, n)) in self.cells.iter().enumerate() {
                let ok = match n {
                    None if was[x] => shrink(d, x, &|xv| self.cell_ok(k, xv, 0, target)),
                    Some(n) if was[x] || was[n] => {
                        let dn = d[n].clone();
                        let ok_x = shrink(d, x, &|xv| {
                            dn[dn.partition_point(|&nv| nv < xv)..]
                                .iter()
                                .any(|&nv| self.cell_ok(k, xv, nv, target))
                        });
                        let dx = d[x].clone();
                        ok_x && shrink(d, n, &|nv| {
                            dx[..dx.partition_point(|&xv| xv <= nv)]
                                .iter()
                                .any(|&xv| self.cell_ok(k, xv, nv, target))
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
                for &(sign, u) in terms {
                    let (mut lo, mut hi) = (0i64, 0i64);
                    for &(s, w) in terms {
                        if w == u {
                            continue;
                        }
                        let (min, max) = (d[w][0] as i64, d[w][d[w].len() - 1] as i64);
                        if s > 0 {
                            lo += min;
                            hi += max;
                        } else {
                            lo -= max;
                            hi -= min;
                        }
                    }
                    // sign·u = rhs − others ∈ [rhs − hi, rhs − lo].
                    let (a, b) = (rhs - hi, rhs - lo);
                    let (a, b) = if sign > 0 { (a, b) } else { (-b, -a) };
                    if !shrink(d, u, &|v| a <= v as i64 && v as i64 <= b) {
                        return false;
                    }
                }
            }
        }
    }

    /// A completion with the target quantity different from its true value, if one exists.
    pub fn witness(
        &self,
        mut d: Domains,
        target: (usize, Quantity, u64),
        (order, rank): (Order, &[usize]),
        nodes: &mut u64,
    ) -> Result<Option<Vec<u64>>, Inconclusive> {
        if *nodes == 0 {
            return Err(Inconclusive);
        }
        *nodes -= 1;
        if !self.filter(&mut d, target) {
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
            if let Some(w) = self.witness(d2, target, (order, rank), nodes)? {
                return Ok(Some(w));
            }
        }
        Ok(None)
    }

    /// Heuristic attempts first — small boxes around the truth, then the full range with
    /// several value orders and tie-breaking orders among variables, each with a small budget —
    /// and finally the exhaustive search over `0..=cap`, where "none found" proves the quantity
    /// recoverable.
    pub fn find(&self, target: (usize, Quantity, u64)) -> Result<Option<Vec<u64>>, Inconclusive> {
        let k = self.unknowns.len();
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
            let domains: Domains = self
                .truth
                .iter()
                .map(|&t| {
                    (t.saturating_sub(radius)..=t.saturating_add(radius).min(self.cap)).collect()
                })
                .collect();
            let mut nodes = budget;
            match self.witness(domains, target, (order, &rank), &mut nodes) {
                Ok(Some(w)) => return Ok(Some(w)),
                _ if i < last => {}
                other => return other,
            }
        }
        unreachable!()
    }

    /// Check a completion against every published fact, from scratch.
    pub fn verify(&self, w: &[u64], target: (usize, Quantity, u64)) -> bool {
        let value = |cell: usize, den: bool| -> u64 {
            match self.view.known[cell] {
                Some((c, n)) => {
                    if den {
                        n
                    } else {
                        c
                    }
                }
                None => {
                    w[self
                        .unknowns
                        .iter()
                        .position(|&u| u == (cell, den))
                        .unwrap()]
                }
            }
        };
        let cells_ok = self
            .cells
            .iter()
            .enumerate()
            .all(|(k, &(cell, kind, _, _))| {
                let n = if kind == CellKind::Proportion {
                    value(cell, true)
                } else {
                    0
                };
                self.cell_ok(k, value(cell, false), n, target)
            });
        let margins_ok = self.view.margins.iter().all(|m| {
            let dens = m
                .members()
                .any(|id| self.view.kinds[id.0] == Some(CellKind::Proportion));
            [false, true]
                .iter()
                .filter(|&&den| !den || dens)
                .all(|&den| {
                    value(m.total.0, den) == m.parts.iter().map(|p| value(p.0, den)).sum::<u64>()
                })
        });
        cells_ok && margins_ok
    }
}

/// Every hidden quantity whose value the public can determine: (cell, quantity, value). Panics
/// if a search is inconclusive (which would fail the test too).
pub fn recoverable(view: &View, truth: &Table) -> Vec<(usize, Quantity, u64)> {
    let attack = Attack::new(view, truth);
    let mut found = Vec::new();
    for &(cell, kind, x, n) in &attack.cells {
        let mut quantities = vec![(Quantity::Count, attack.truth[x])];
        if let (CellKind::Proportion, Some(n)) = (kind, n) {
            quantities.push((Quantity::Denominator, attack.truth[n]));
            quantities.push((Quantity::Complement, attack.truth[n] - attack.truth[x]));
        }
        for (q, value) in quantities {
            let target = (cell, q, value);
            match attack.find(target) {
                Ok(Some(w)) => assert!(attack.verify(&w, target), "a witness must check out"),
                Ok(None) => found.push(target),
                Err(Inconclusive) => panic!("attack inconclusive for cell {cell} {q:?}"),
            }
        }
    }
    found
}

/// Apply the default policy and assert everything the issue demands of the result.
pub fn publish_and_attack(table: &Table) -> (PublishedTable, Vec<Status>) {
    let policy = DisclosurePolicy::default_public();
    let (published, internal) = policy.apply_internal(table).unwrap();
    let view = View::of(&published, &policy);
    for (i, (cell, pc)) in table.cells().iter().zip(published.cells()).enumerate() {
        // (a) every primary-suppressible cell is hidden — as hidden_small, unless the table's
        // statuses were coarsened (then every hidden cell is hidden_secondary).
        if let Some(v) = cell.values() {
            if policy.primary_status(v) == Status::HiddenSmall {
                let want = if view.informative {
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
    // (b) no hidden quantity can be recovered.
    let leaks = recoverable(&view, table);
    assert!(
        leaks.is_empty(),
        "recoverable: {leaks:?}; statuses {:?}",
        internal.statuses
    );
    (published, internal.statuses)
}
