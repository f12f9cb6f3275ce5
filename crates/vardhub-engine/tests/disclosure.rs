//! Disclosure control: the rules, secondary suppression on realistic tables, and an independent
//! attack on every published table.
//!
//! The attack uses only what the public sees — the published values, the statuses, the cells'
//! kinds, the margins and the policy's thresholds — and searches exhaustively over non-negative
//! integer completions of the hidden counts (and denominators) for one in which a hidden
//! quantity differs from its true value. It re-implements the status semantics from the policy
//! numbers and shares no code with the engine's own audit. The true values are used only to
//! phrase the question ("is there a completion where this cell is not v?") and to order the
//! search; a completion found is checked against every published fact.

use proptest::prelude::*;
use vardhub_engine::disclosure::{
    CellId, CellInput, CellKind, CellValues, DisclosurePolicy, Margin, PublishedTable, Rules,
    Status, Table,
};

// ---------------------------------------------------------------------------------------------
// The attack
// ---------------------------------------------------------------------------------------------

/// What the public knows about one table.
struct View {
    kinds: Vec<Option<CellKind>>,
    statuses: Vec<Status>,
    /// (count, denominator) of published cells; (0, 0) for no data / not applicable.
    known: Vec<Option<(u64, u64)>>,
    margins: Vec<Margin>,
    rules: Rules,
    /// Whether statuses tell small from secondary (hidden cells but no hidden_small ⇒ coarsened).
    informative: bool,
}

impl View {
    fn of(published: &PublishedTable, policy: &DisclosurePolicy) -> View {
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
                    Status::NoData | Status::NotApplicable => Some((0, 0)),
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
fn small(v: u64, min: u64) -> bool {
    v >= 1 && v < min
}

/// Whether the primary rule fires — written from the policy's documented meaning.
fn primary_fires(r: &Rules, kind: CellKind, c: u64, n: u64) -> bool {
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
fn consistent(view: &View, status: Status, kind: CellKind, c: u64, n: u64) -> bool {
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
enum Quantity {
    Count,
    Denominator,
    Complement,
}

/// An unknown: (cell, is the denominator).
type Unknown = (usize, bool);

/// The attacker's problem for one table: unknowns with explicit finite domains `0..=cap`.
struct Attack<'a> {
    view: &'a View,
    unknowns: Vec<Unknown>,
    /// Hidden cells: (cell, kind, count unknown, denominator unknown).
    cells: Vec<(usize, CellKind, usize, Option<usize>)>,
    /// Margin equations `Σ sign·unknown = rhs`, published values folded into `rhs`.
    equations: Vec<(Vec<(i64, usize)>, i64)>,
    truth: Vec<u64>,
    cap: u64,
}

/// Nodes for the final, exhaustive search (inconclusive beyond).
const NODE_BUDGET: u64 = 200_000;
/// Nodes for each heuristic attempt before it.
const TRY_BUDGET: u64 = 300;

/// The order in which a variable's values are tried.
#[derive(Clone, Copy, Debug)]
enum Order {
    /// The true value first, then outwards.
    TruthFirst,
    /// Smallest first.
    Ascending,
    /// Largest first.
    Descending,
}

/// The search ran out of budget: neither a witness nor a proof of recoverability.
#[derive(Debug)]
struct Inconclusive;

type Domains = Vec<Vec<u64>>;

impl<'a> Attack<'a> {
    fn new(view: &'a View, truth: &Table) -> Attack<'a> {
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
    fn cell_ok(&self, k: usize, x: u64, n: u64, target: (usize, Quantity, u64)) -> bool {
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
    fn filter(&self, d: &mut Domains, target: (usize, Quantity, u64)) -> bool {
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
    fn witness(
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
    fn find(&self, target: (usize, Quantity, u64)) -> Result<Option<Vec<u64>>, Inconclusive> {
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
    fn verify(&self, w: &[u64], target: (usize, Quantity, u64)) -> bool {
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
fn recoverable(view: &View, truth: &Table) -> Vec<(usize, Quantity, u64)> {
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
fn publish_and_attack(table: &Table) -> (PublishedTable, Vec<Status>) {
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

fn c(n: u64) -> CellInput {
    CellInput::count(n)
}

fn p(x: u64, n: u64) -> CellInput {
    CellInput::proportion(x, n).unwrap()
}

/// A regions × (women, men) grid with Sweden and both-sexes totals.
fn region_sex_grid(inner: &[(CellInput, CellInput)]) -> (Table, Vec<Vec<CellId>>) {
    let sum = |cells: &[&CellInput]| -> CellInput {
        let values: Vec<&CellValues> = cells.iter().filter_map(|c| c.values()).collect();
        match values.first().map(|v| v.kind) {
            Some(CellKind::Proportion) => p(
                values.iter().map(|v| v.count).sum(),
                values.iter().map(|v| v.denominator.unwrap()).sum(),
            ),
            _ => c(values.iter().map(|v| v.count).sum()),
        }
    };
    let mut rows: Vec<Vec<CellInput>> = inner
        .iter()
        .map(|(w, m)| vec![*w, *m, sum(&[w, m])])
        .collect();
    let col =
        |j: usize, rows: &Vec<Vec<CellInput>>| sum(&rows.iter().map(|r| &r[j]).collect::<Vec<_>>());
    let sweden = vec![col(0, &rows), col(1, &rows), col(2, &rows)];
    rows.push(sweden);
    Table::grid(rows).unwrap()
}

// ---------------------------------------------------------------------------------------------
// Examples
// ---------------------------------------------------------------------------------------------

#[test]
fn women_men_total_hides_the_partner() {
    let (t, parts, total) = Table::one_way(vec![c(3), c(40)], c(43));
    let (published, statuses) = publish_and_attack(&t);
    assert_eq!(
        statuses,
        vec![Status::HiddenSmall, Status::HiddenSecondary, Status::Ok]
    );
    assert_eq!(published.cells()[total.0].values().unwrap().count(), 43);
    assert!(published.cells()[parts[1].0].values().is_none());
}

#[test]
fn twenty_one_regions_and_sweden() {
    let counts: Vec<u64> = (0..21)
        .map(|i| if i == 7 { 2 } else { 30 + 3 * i })
        .collect();
    let parts: Vec<CellInput> = counts.iter().map(|&n| c(n)).collect();
    let (t, ids, total) = Table::one_way(parts, c(counts.iter().sum()));
    let (_, statuses) = publish_and_attack(&t);
    assert_eq!(statuses[ids[7].0], Status::HiddenSmall);
    // The smallest other region (30) is the secondary cell; Sweden stays visible.
    assert_eq!(statuses[ids[0].0], Status::HiddenSecondary);
    assert_eq!(statuses[total.0], Status::Ok);
    assert_eq!(statuses.iter().filter(|s| s.is_hidden()).count(), 2);
}

#[test]
fn region_by_sex_with_both_margins() {
    let inner: Vec<(CellInput, CellInput)> = (0..21)
        .map(|i| match i {
            3 => (c(2), c(17)),
            11 => (c(25), c(4)),
            15 => (c(1), c(3)),
            _ => (c(20 + i), c(22 + 2 * i)),
        })
        .collect();
    let (t, ids) = region_sex_grid(&inner);
    let (_, statuses) = publish_and_attack(&t);
    for (r, col) in [(3, 0), (11, 1), (15, 0), (15, 1)] {
        assert_eq!(statuses[ids[r][col].0], Status::HiddenSmall);
    }
    // Region 15's both-sexes total is 4: hidden too.
    assert_eq!(statuses[ids[15][2].0], Status::HiddenSmall);
    // Sweden's totals are shown.
    assert_eq!(statuses[ids[21][2].0], Status::Ok);
}

#[test]
fn hierarchical_regions_sjukvardsregioner_sweden() {
    // Six sjukvårdsregioner of 3–4 regions each, then Sweden; one small region.
    let sizes = [3usize, 4, 3, 4, 4, 3];
    let mut t = Table::new();
    let mut level2 = Vec::new();
    let mut k = 0u64;
    let mut all = 0;
    let mut small_id = None;
    for &s in &sizes {
        let mut ids = Vec::new();
        let mut sum = 0;
        for _ in 0..s {
            k += 1;
            let n = if k == 5 { 3 } else { 10 + 7 * k };
            let id = t.add_cell(c(n));
            if k == 5 {
                small_id = Some(id);
            }
            ids.push(id);
            sum += n;
        }
        all += sum;
        let tot = t.add_cell(c(sum));
        t.add_margin(tot, ids);
        level2.push(tot);
    }
    let sweden = t.add_cell(c(all));
    t.add_margin(sweden, level2);
    let (_, statuses) = publish_and_attack(&t);
    assert_eq!(statuses[small_id.unwrap().0], Status::HiddenSmall);
    assert_eq!(statuses[sweden.0], Status::Ok);
}

#[test]
fn proportions_protect_numerator_denominator_and_difference() {
    // Women 98/100 (difference 2), men 40/60, total 138/160.
    let (t, parts, _) = Table::one_way(vec![p(98, 100), p(40, 60)], p(138, 160));
    let (_, statuses) = publish_and_attack(&t);
    assert_eq!(statuses[parts[0].0], Status::HiddenSmall);
    assert_eq!(statuses[parts[1].0], Status::HiddenSecondary);
    // A proportion hidden for its small denominator, in a region × sex grid.
    let inner: Vec<(CellInput, CellInput)> = (0..5)
        .map(|i| match i {
            1 => (p(0, 3), p(10, 30)),
            3 => (p(7, 9), p(2, 12)),
            _ => (p(10 + i, 40 + 3 * i), p(12, 50 + i)),
        })
        .collect();
    let (t, ids) = region_sex_grid(&inner);
    let (_, statuses) = publish_and_attack(&t);
    assert_eq!(statuses[ids[1][0].0], Status::HiddenSmall);
    assert_eq!(statuses[ids[3][0].0], Status::HiddenSmall, "difference 2");
    assert_eq!(statuses[ids[3][1].0], Status::HiddenSmall, "numerator 2");
}

#[test]
fn statuses_alone_would_leak_and_the_audit_prevents_it() {
    // 1 (hidden_small ⇒ 1–4) + 5 (hidden_secondary ⇒ 0 or ≥ 5) = 6 pins both down, so a
    // third cell must go: the singleton rule alone is not enough.
    let (t, parts, total) = Table::one_way(vec![c(1), c(5), c(9), c(12)], c(27));
    let (_, statuses) = publish_and_attack(&t);
    assert_eq!(statuses[parts[0].0], Status::HiddenSmall);
    assert_eq!(statuses[parts[1].0], Status::HiddenSecondary);
    assert_eq!(statuses[parts[2].0], Status::HiddenSecondary);
    assert_eq!(statuses[parts[3].0], Status::Ok);
    assert_eq!(statuses[total.0], Status::Ok);
}

#[test]
fn rates_means_and_dsrs_follow_their_counts() {
    let dsr = |o: u64| CellInput::Values(CellValues::standardised_rate(o, o as f64 * 1e-4, None));
    let (t, parts, total) = Table::one_way(vec![dsr(8), dsr(30), dsr(45)], dsr(83));
    let (_, statuses) = publish_and_attack(&t);
    assert_eq!(
        statuses[parts[0].0],
        Status::HiddenSmall,
        "DSR on 8 < 10 events"
    );
    assert_eq!(statuses[parts[1].0], Status::HiddenSecondary);
    assert_eq!(statuses[total.0], Status::Ok);

    let mean = |n: u64| CellInput::Values(CellValues::mean(n, 4.5, None));
    let (t, parts, _) = Table::one_way(vec![mean(4), mean(0), mean(30), mean(50)], mean(84));
    let (_, statuses) = publish_and_attack(&t);
    assert_eq!(statuses[parts[0].0], Status::HiddenSmall);
    assert_eq!(statuses[parts[1].0], Status::NotApplicable);
    assert_eq!(statuses[parts[2].0], Status::HiddenSecondary);

    let rate = |n: u64| CellInput::Values(CellValues::rate(n, n as f64 / 1e5, None));
    let (t, parts, _) = Table::one_way(vec![rate(0), rate(3), rate(12), rate(7)], rate(22));
    let (_, statuses) = publish_and_attack(&t);
    assert_eq!(statuses[parts[0].0], Status::Zero);
    assert_eq!(statuses[parts[1].0], Status::HiddenSmall);
    assert_eq!(
        statuses[parts[3].0],
        Status::HiddenSecondary,
        "smallest non-zero part"
    );
}

#[test]
fn no_data_and_not_applicable_cells() {
    let (t, parts, _) = Table::one_way(
        vec![
            c(12),
            CellInput::NoData,
            c(3),
            CellInput::NotApplicable,
            c(20),
        ],
        c(35),
    );
    let (published, statuses) = publish_and_attack(&t);
    assert_eq!(statuses[parts[1].0], Status::NoData);
    assert_eq!(statuses[parts[3].0], Status::NotApplicable);
    assert_eq!(statuses[parts[2].0], Status::HiddenSmall);
    assert_eq!(statuses[parts[0].0], Status::HiddenSecondary);
    assert!(published.cells()[parts[1].0].values().is_none());
    // A table with nothing to hide is published as is.
    let (t, _, _) = Table::one_way(vec![c(0), c(12)], c(12));
    let (_, statuses) = publish_and_attack(&t);
    assert_eq!(statuses, vec![Status::Zero, Status::Ok, Status::Ok]);
}

#[test]
fn a_hidden_total_forces_suppression_in_the_other_direction() {
    // Region 0: women 2, men 2, total 4 — the whole row is small. The column margins then need
    // a second hidden cell in the women and men columns.
    let inner = [(c(2), c(2)), (c(30), c(40)), (c(25), c(35)), (c(50), c(60))];
    let (t, ids) = region_sex_grid(&inner);
    let (_, statuses) = publish_and_attack(&t);
    for col in 0..3 {
        assert_eq!(statuses[ids[0][col].0], Status::HiddenSmall);
        let hidden_in_column = (0..5)
            .filter(|&r| statuses[ids[r][col].0].is_hidden())
            .count();
        assert!(hidden_in_column >= 2, "column {col}");
    }
}

#[test]
fn the_policy_file_at_its_path_equals_the_embedded_default() {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../policies/disclosure.toml");
    let loaded = DisclosurePolicy::load(&path).unwrap();
    assert_eq!(loaded, DisclosurePolicy::default_public());
    let (t, _, _) = Table::one_way(vec![c(3), c(40)], c(43));
    let published = loaded.apply(&t).unwrap();
    assert_eq!(
        (published.policy_id(), published.policy_version()),
        ("vardhub-public", 1)
    );
}

#[test]
fn realistic_region_by_sex_table_is_quick() {
    // 21 regions with counts in the hundreds and thousands and a few small cells: the audit
    // works with unbounded domains, so large counts cost nothing.
    let inner: Vec<(CellInput, CellInput)> = (0..21u64)
        .map(|i| match i {
            4 => (c(3), c(812)),
            9 => (c(1_204), c(1)),
            17 => (c(2), c(4)),
            _ => (c(300 + 97 * i), c(280 + 113 * i)),
        })
        .collect();
    let (t, ids) = region_sex_grid(&inner);
    let started = std::time::Instant::now();
    let (_, internal) = DisclosurePolicy::default_public()
        .apply_internal(&t)
        .unwrap();
    assert!(
        started.elapsed().as_secs() < 5,
        "took {:?}",
        started.elapsed()
    );
    let s = &internal.statuses;
    assert_eq!(s[ids[4][0].0], Status::HiddenSmall);
    assert_eq!(s[ids[9][1].0], Status::HiddenSmall);
    assert_eq!(s[ids[17][2].0], Status::Ok, "region 17 has 6 in total");
    assert_eq!(s[ids[21][2].0], Status::Ok, "Sweden's total is shown");
    // Each small cell has a partner in its row and in its column.
    for (r, col) in [(4, 0), (9, 1), (17, 0), (17, 1)] {
        assert!((0..3).filter(|&k| s[ids[r][k].0].is_hidden()).count() >= 2);
        assert!((0..22).filter(|&k| s[ids[k][col].0].is_hidden()).count() >= 2);
    }
}

#[test]
fn an_audit_that_cannot_decide_fails_closed() {
    // With a search budget of one node nothing can be shown protected: the policy hides,
    // coarsens and finally refuses — it never publishes an unaudited table.
    let text = vardhub_engine::disclosure::DEFAULT_POLICY_TOML
        .replace("max_search_nodes = 200000", "max_search_nodes = 1");
    let policy = DisclosurePolicy::parse(&text).unwrap();
    let (t, _) = region_sex_grid(&[(c(3), c(40)), (c(25), c(35)), (c(50), c(2))]);
    match policy.apply(&t) {
        Err(e) => assert!(matches!(
            e,
            vardhub_engine::disclosure::DisclosureError::Unprotectable { .. }
        )),
        Ok(published) => {
            // If it does publish, the independent attack must still find nothing.
            let leaks = recoverable(&View::of(&published, &policy), &t);
            assert!(leaks.is_empty(), "{leaks:?}");
        }
    }
}

#[test]
fn tiny_tables_are_coarsened_rather_than_leaking() {
    // Women 5, men 3 / women 0, men 2: telling small from secondary cells apart would reveal
    // values, so every hidden cell is published as hidden_secondary.
    let (t, _) = region_sex_grid(&[(c(5), c(3)), (c(0), c(2))]);
    let (_, statuses) = publish_and_attack(&t);
    assert!(
        statuses.iter().all(|&s| s == Status::HiddenSecondary),
        "{statuses:?}"
    );
}

// ---------------------------------------------------------------------------------------------
// The attack is real: it finds what is not protected.
// ---------------------------------------------------------------------------------------------

fn without_secondary() -> DisclosurePolicy {
    let text = vardhub_engine::disclosure::DEFAULT_POLICY_TOML
        .replace("enabled = true", "enabled = false");
    DisclosurePolicy::parse(&text).unwrap()
}

#[test]
fn the_attack_recovers_values_when_secondary_suppression_is_off() {
    let policy = without_secondary();
    let (t, _, _) = Table::one_way(vec![c(3), c(40)], c(43));
    let published = policy.apply(&t).unwrap();
    assert_eq!(
        recoverable(&View::of(&published, &policy), &t),
        vec![(0, Quantity::Count, 3)]
    );

    let inner = [(c(2), c(17)), (c(30), c(40)), (c(25), c(35))];
    let (t, ids) = region_sex_grid(&inner);
    let published = policy.apply(&t).unwrap();
    let leaks = recoverable(&View::of(&published, &policy), &t);
    assert_eq!(leaks, vec![(ids[0][0].0, Quantity::Count, 2)]);

    // The denominator and the difference of a proportion are attacked too.
    let (t, _, _) = Table::one_way(vec![p(98, 100), p(40, 60)], p(138, 160));
    let published = policy.apply(&t).unwrap();
    let leaks = recoverable(&View::of(&published, &policy), &t);
    assert_eq!(leaks.len(), 3, "{leaks:?}");
}

#[test]
fn the_attack_uses_what_the_statuses_say() {
    // Hand-made publication of 1 + 5 + 7 = 13 with only the singleton rule: (1, 5) hidden.
    let policy = DisclosurePolicy::default_public();
    let (t, _, _) = Table::one_way(vec![c(1), c(5), c(7)], c(13));
    let view = View {
        kinds: vec![Some(CellKind::Count); 4],
        statuses: vec![
            Status::HiddenSmall,
            Status::HiddenSecondary,
            Status::Ok,
            Status::Ok,
        ],
        known: vec![None, None, Some((7, 0)), Some((13, 0))],
        margins: t.margins().to_vec(),
        rules: *policy.rules(),
        informative: true,
    };
    let leaks = recoverable(&view, &t);
    assert_eq!(
        leaks,
        vec![(0, Quantity::Count, 1), (1, Quantity::Count, 5)]
    );
}

// ---------------------------------------------------------------------------------------------
// Property tests over random small tables
// ---------------------------------------------------------------------------------------------

fn count_grid() -> impl Strategy<Value = Vec<(u64, u64)>> {
    prop::collection::vec((0u64..=30, 0u64..=30), 1..=5)
}

fn proportion_cell() -> impl Strategy<Value = (u64, u64)> {
    (0u64..=30).prop_flat_map(|n| (0..=n, Just(n)))
}

/// 256 cases unless `PROPTEST_CASES` says otherwise.
fn config() -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(256);
    ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config())]

    /// Random region × sex count tables (1–5 regions + Sweden; women, men + both): every count
    /// 1–4 hidden, nothing recoverable, visible cells unchanged (asserted in `publish_and_attack`).
    #[test]
    fn random_count_grids_are_protected(inner in count_grid()) {
        let inner: Vec<(CellInput, CellInput)> = inner.into_iter().map(|(w, m)| (c(w), c(m))).collect();
        let (t, _) = region_sex_grid(&inner);
        publish_and_attack(&t);
    }

    /// Random one-way tables of up to 21 regions and their total.
    #[test]
    fn random_one_way_tables_are_protected(parts in prop::collection::vec(0u64..=30, 1..=21)) {
        let total = parts.iter().sum();
        let (t, _, _) = Table::one_way(parts.into_iter().map(c).collect(), c(total));
        publish_and_attack(&t);
    }

    /// Random region × sex proportion tables: numerators, denominators and differences.
    #[test]
    fn random_proportion_grids_are_protected(
        inner in prop::collection::vec((proportion_cell(), proportion_cell()), 1..=3)
    ) {
        let inner: Vec<(CellInput, CellInput)> =
            inner.into_iter().map(|((wx, wn), (mx, mn))| (p(wx, wn), p(mx, mn))).collect();
        let (t, _) = region_sex_grid(&inner);
        publish_and_attack(&t);
    }

    /// Random two-level hierarchies (regions → groups → Sweden), some regions without data.
    #[test]
    fn random_hierarchies_are_protected(
        groups in prop::collection::vec(prop::collection::vec(prop::option::weighted(0.9, 0u64..=30), 1..=4), 1..=4)
    ) {
        let mut t = Table::new();
        let (mut tops, mut all) = (Vec::new(), 0);
        for g in &groups {
            let ids: Vec<CellId> =
                g.iter().map(|v| t.add_cell(v.map_or(CellInput::NoData, c))).collect();
            let sum: u64 = g.iter().flatten().sum();
            all += sum;
            let top = t.add_cell(c(sum));
            t.add_margin(top, ids);
            tops.push(top);
        }
        let sweden = t.add_cell(c(all));
        t.add_margin(sweden, tops);
        publish_and_attack(&t);
    }

    /// The same table always gives the same publication.
    #[test]
    fn suppression_is_deterministic(inner in count_grid()) {
        let inner: Vec<(CellInput, CellInput)> = inner.into_iter().map(|(w, m)| (c(w), c(m))).collect();
        let (t, _) = region_sex_grid(&inner);
        let policy = DisclosurePolicy::default_public();
        prop_assert_eq!(policy.apply(&t).unwrap(), policy.apply(&t).unwrap());
    }
}
