//! The exact audit: can an intruder pin down a hidden quantity, or narrow it too much?
//!
//! **Intruder model.** The intruder knows the table's structure (cells, kinds, margins), every
//! published value, every status and the policy, so for each hidden cell:
//! `hidden_small` ⇒ the primary rule fired (e.g. a count in 1–4, a DSR count in 0–9, for a
//! proportion: x, n or n − x in 1–4, or a sensitive share of 0 % or 100 % in a small group);
//! `hidden_secondary` ⇒ it did not fire (a count of 0 or ≥ 5). Beyond that:
//! * **the selection order**: the candidate rule is public, so a `hidden_secondary` cell was,
//!   when chosen, the cheapest visible member of some margin containing it; every cell still
//!   visible was visible then, which bounds its count and, for a 0, its denominator (see
//!   `order_options`);
//! * **a sensitive outcome**: a `hidden_secondary` share of such a table is not 0 % or 100 % in
//!   a group under the attribute rule's size;
//! * **an insider** (a region's analyst, [`super::Knowledge::owners`]) also knows the true
//!   values of the own cells; every insider with a hidden cell is an attacker of its own, who
//!   must not narrow another insider's cells (cells of no one, such as Sweden's sums over all
//!   regions, are protected against the public);
//! * **earlier releases** of the same table are in the [`Problem`] with their statuses, tied
//!   to the new cells that did not change.
//!
//! With the margins this is a system of linear equations over non-negative integers with
//! interval and "hole" domains and, for hidden proportions, a disjunction of ranges.
//!
//! When a table has hidden cells but none is `hidden_small`, its statuses were *coarsened*
//! (see `suppress.rs`) and carry no information about which rule fired or in which order cells
//! were chosen; the model then only knows that hidden quantities exist (non-negative, `x ≤ n`,
//! `n ≥ 1` for proportions, `n ≥ 1` observations for means).
//!
//! **Check: protection intervals.** A hidden quantity with true value v is protected iff the
//! integer completions consistent with everything the intruder knows give it values `lo ≤ v ≤
//! hi` with `hi − lo ≥` the policy's `protection_width`, or the whole span its status allows when
//! that is narrower (1–4 for a small count: then 1 and 4 must both be possible). We search for
//! completions below the lowest and above the highest value seen so far by constraint
//! propagation (bounds consistency on the equations, holes, the disjunctions) and depth-first
//! search. The search is complete, so "no completion" is a proof; a search that exhausts its
//! node budget counts as "not protected" (more suppression, never less). The tests check this
//! against an independent brute-force attack.

use super::Status;
use super::knowledge::Problem;
use super::policy::{DisclosurePolicy, SmallRange};
use super::table::{CellId, CellKind, Table};

/// "Unbounded" upper limit (larger than any count the hub will see).
const INF: i64 = 1 << 40;
/// Propagation passes before the node is given up as infeasible. Bounds that still move after
/// this many passes are creeping around a cycle of equations that has no solution in reach;
/// pruning such a node can only make the audit more suspicious (more suppression), never less.
const MAX_PASSES: usize = 64;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Dom {
    lo: i64,
    hi: i64,
}

/// `Σ coef·var = rhs` with coefficients ±1.
#[derive(Debug, Clone)]
struct Equation {
    terms: Vec<(i64, usize)>,
    rhs: i64,
}

/// At least one option holds; an option is a conjunction of ranges (a hidden_small proportion:
/// x, n or n − x small, or — for a sensitive outcome — x = 0 or n − x = 0 with n small).
#[derive(Debug, Clone)]
struct AnyOf {
    options: Vec<Vec<(usize, i64, i64)>>,
}

#[derive(Debug, Clone, Copy)]
struct Target {
    cell: CellId,
    /// Which quantity of the cell: 0 = count, 1 = denominator, 2 = n − x.
    quantity: u8,
    var: usize,
    /// The width `hi − lo` its feasible values must reach.
    required: i64,
}

/// Who attacks: the public (`None`) or an insider.
pub(crate) type Attacker = Option<u32>;

/// What a [`Model`] is built for.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Mode {
    /// The intruders' system: the public's, on which an insider's is the same with the own
    /// cells' variables fixed to their true values ([`Model::first_recoverable`]).
    Attack,
    /// Each release on its own, its hidden_small cells as their statuses say, the attacker's own
    /// cells known and every other cell an unknown: what primary suppression itself reveals (e.g. a
    /// row whose cells and total are all small tells each cell is at most the total minus one;
    /// Sweden's cell equals an insider's own when no other region can have a case) and no
    /// secondary cell can undo.
    Inherent(Attacker),
}

/// The span each quantity keeps for one attacker when nothing but the primary statuses, the
/// margins and the attacker's own cells is known, capped at the policy's protection width;
/// computed only for quantities that fall short of the full width (few), and remembered.
pub(crate) struct Inherent {
    model: Model,
    pool: Vec<Vec<i64>>,
    spans: std::collections::HashMap<(CellId, u8), i64>,
}

impl Inherent {
    /// The structure-only system of `attacker`.
    pub(crate) fn new(
        policy: &DisclosurePolicy,
        problem: &Problem,
        statuses: &[Status],
        attacker: Attacker,
    ) -> Inherent {
        let model = Model::new(policy, problem, statuses, Mode::Inherent(attacker));
        Inherent {
            model,
            pool: Vec::new(),
            spans: std::collections::HashMap::new(),
        }
    }

    /// The span of (cell, quantity); a search out of budget counts as the full width (so more is
    /// asked, never less), an unknown quantity too.
    fn span(&mut self, cell: CellId, quantity: u8, budget: u64) -> i64 {
        if let Some(&s) = self.spans.get(&(cell, quantity)) {
            return s;
        }
        let Some(t) = self
            .model
            .targets
            .iter()
            .find(|t| t.cell == cell && t.quantity == quantity)
            .copied()
        else {
            return INF;
        };
        let init = self.model.init.clone();
        let span = match self
            .model
            .widen(&t, &init, &mut self.pool, &|_| true, budget)
        {
            Ok((false, lo, hi)) => hi - lo,
            Ok((true, _, _)) | Err(()) => t.required,
        };
        self.spans.insert((cell, quantity), span);
        span
    }
}

/// Hidden quantities already shown protected, as (attacker, cell, quantity).
///
/// Protection is monotone while suppression goes on: hiding one more cell replaces a known
/// value by a variable whose true value satisfies its own domain (also the selection-order
/// bound), and coarsening statuses only drops constraints, so a completion found earlier
/// (extended by the true values) stays a completion. The secondary-suppression loop therefore
/// keeps this set between rounds and asks again only about quantities not yet shown protected.
pub(crate) type ShownFree = std::collections::HashSet<(Attacker, CellId, u8)>;

/// The intruder's constraint system for one problem, one attacker and one set of statuses.
#[derive(Debug)]
pub(crate) struct Model {
    /// Per variable: the insider who knows it.
    var_owner: Vec<Option<u32>>,
    init: Vec<Dom>,
    holes: Vec<Option<(i64, i64)>>,
    truth: Vec<i64>,
    equations: Vec<Equation>,
    disjunctions: Vec<AnyOf>,
    targets: Vec<Target>,
}

fn range(r: SmallRange) -> Option<(i64, i64)> {
    (!r.is_empty()).then_some((r.lo as i64, r.hi as i64))
}

fn to_i64(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(INF).min(INF)
}

/// What the selection order tells about one `hidden_secondary` cell: it was chosen from one of
/// these options (one or two per margin containing it), each a conjunction of ranges over
/// (quantity 0 = count, 1 = denominator). Empty: nothing is known (coarsened statuses).
type OrderOptions = Vec<Vec<(usize, i64, i64)>>;

/// The selection-order options of each `hidden_secondary` cell of an informative segment. The
/// cell was chosen from one of its margins m as the visible member with the smallest key
/// `(count = 0, is the total, count, denominator, index)`, and every member still visible was
/// visible then. From m as a part, with a non-zero count: at most each non-zero visible part
/// (strictly less where the index decides a tie of counts without denominators); with count 0:
/// only if m shows no non-zero value and the cell's denominator (then index) does not exceed a
/// visible zero part's. From m as the total: only if m shows no non-zero part, and 0 only if it
/// shows no part at all.
fn order_options(problem: &Problem, statuses: &[Status]) -> Vec<OrderOptions> {
    let table = &problem.table;
    let mut out = vec![OrderOptions::new(); table.cells().len()];
    for seg in &problem.segments {
        let informative = seg
            .cells
            .clone()
            .any(|i| statuses[i] == Status::HiddenSmall);
        if !informative {
            continue;
        }
        for i in seg.cells.clone() {
            if statuses[i] != Status::HiddenSecondary {
                continue;
            }
            let mut options = OrderOptions::new();
            for m in &table.margins()[seg.margins.clone()] {
                let Some(is_total) = m.members().position(|id| id.0 == i).map(|pos| pos == 0)
                else {
                    continue;
                };
                let visible = |id: &CellId| statuses[id.0].is_published();
                let values = |id: &CellId| table.cells()[id.0].values().copied();
                let visible_parts: Vec<(usize, crate::disclosure::CellValues)> = m
                    .parts
                    .iter()
                    .filter(|p| visible(p))
                    .filter_map(|p| values(p).map(|v| (p.0, v)))
                    .collect();
                let nonzero: Vec<&(usize, crate::disclosure::CellValues)> =
                    visible_parts.iter().filter(|(_, v)| v.count > 0).collect();
                let zero: Vec<&(usize, crate::disclosure::CellValues)> =
                    visible_parts.iter().filter(|(_, v)| v.count == 0).collect();
                if is_total {
                    if !nonzero.is_empty() {
                        continue; // a non-zero part would have been chosen first
                    }
                    let lo = i64::from(!visible_parts.is_empty());
                    options.push(vec![(0, lo, INF)]);
                    continue;
                }
                // A non-zero count.
                let hi = nonzero
                    .iter()
                    .map(|(p, v)| {
                        let equal_possible = v.denominator.is_some() || *p > i;
                        to_i64(v.count) - i64::from(!equal_possible)
                    })
                    .min()
                    .unwrap_or(INF);
                if hi >= 1 {
                    options.push(vec![(0, 1, hi)]);
                }
                // A zero count: nothing non-zero shown in m, and ahead of every visible zero part.
                let total_shown =
                    visible(&m.total) && values(&m.total).is_some_and(|v| v.count > 0);
                if nonzero.is_empty() && !total_shown {
                    let mut den_hi = INF;
                    let mut possible = true;
                    for (p, v) in &zero {
                        match v.denominator {
                            Some(n) => {
                                den_hi = den_hi.min(to_i64(n) - i64::from(*p < i));
                            }
                            None => possible &= *p > i,
                        }
                    }
                    if possible && den_hi >= 0 {
                        options.push(vec![(0, 0, 0), (1, 0, den_hi)]);
                    }
                }
            }
            out[i] = options;
        }
    }
    out
}

impl Model {
    /// Build the system for `mode` from the true problem and the statuses of all its cells.
    pub(crate) fn new(
        policy: &DisclosurePolicy,
        problem: &Problem,
        statuses: &[Status],
        mode: Mode,
    ) -> Model {
        let (attacker, inherent) = match mode {
            Mode::Attack => (None, false),
            Mode::Inherent(a) => (a, true),
        };
        let table: &Table = &problem.table;
        let mut m = Model {
            var_owner: Vec::new(),
            init: Vec::new(),
            holes: Vec::new(),
            truth: Vec::new(),
            equations: Vec::new(),
            disjunctions: Vec::new(),
            targets: Vec::new(),
        };
        let width = to_i64(policy.secondary().protection_width);
        let orders = if inherent {
            vec![OrderOptions::new(); table.cells().len()]
        } else {
            order_options(problem, statuses)
        };
        // Values an intruder knows although the cell is hidden: an insider's own cells, and cells
        // linked as unchanged to a cell published in another release.
        let mut known: Vec<bool> = (0..table.cells().len())
            .map(|i| attacker.is_some() && problem.owners[i] == attacker)
            .collect();
        for (mi, margin) in table.margins().iter().enumerate() {
            if let [part] = margin.parts[..] {
                let total = margin.total;
                if problem.segment_of_margin(mi).is_none() {
                    if statuses[part.0].is_published() {
                        known[total.0] = true;
                    }
                    if statuses[total.0].is_published() {
                        known[part.0] = true;
                    }
                }
            }
        }
        // Per cell: the variables of (count, denominator, complement), if unknown.
        let mut vars: Vec<Option<[usize; 3]>> = vec![None; table.cells().len()];
        for (i, cell) in table.cells().iter().enumerate() {
            let status = statuses[i];
            if inherent {
                // Each release on its own (no links); every cell not hidden as small (nor known)
                // is a free unknown.
                // Cells not applicable (e.g. a mean of no observation) are known constants.
                let unknown = status.is_hidden() || status.is_published();
                let Some(v) = cell.values().filter(|_| unknown && !known[i]) else {
                    continue;
                };
                let seg_informative = problem
                    .segment_of(i)
                    .cells
                    .clone()
                    .any(|j| statuses[j] == Status::HiddenSmall);
                if status != Status::HiddenSmall || !seg_informative {
                    let floor = i64::from(v.kind == CellKind::Mean);
                    let x = m.var(to_i64(v.count), Dom { lo: floor, hi: INF }, None);
                    let quantities = if v.kind == CellKind::Proportion {
                        let n_true = v.denominator.unwrap_or(0);
                        let n = m.var(to_i64(n_true), Dom { lo: 1, hi: INF }, None);
                        let c = m.var(
                            to_i64(n_true.saturating_sub(v.count)),
                            Dom { lo: 0, hi: INF },
                            None,
                        );
                        m.equations.push(Equation {
                            terms: vec![(1, n), (-1, x), (-1, c)],
                            rhs: 0,
                        });
                        vec![x, n, c]
                    } else {
                        vec![x]
                    };
                    // Every cell, visible ones too: they may be hidden later, and what the
                    // structure leaves of them does not change when they are.
                    for (quantity, &var) in quantities.iter().enumerate() {
                        m.targets.push(Target {
                            cell: CellId(i),
                            quantity: quantity as u8,
                            var,
                            required: width,
                        });
                    }
                    vars[i] = Some(match quantities[..] {
                        [x, n, c] => [x, n, c],
                        _ => [x; 3],
                    });
                    continue;
                }
            }
            let Some(v) = cell.values().filter(|_| status.is_hidden() && !known[i]) else {
                continue;
            };
            let seg = problem.segment_of(i);
            // Coarsened statuses (no hidden_small at all) say nothing about the rules.
            let informative = seg
                .cells
                .clone()
                .any(|j| statuses[j] == Status::HiddenSmall);
            let small = status == Status::HiddenSmall;
            // The loosest bounds on the count over the selection-order options (the options
            // themselves join the disjunctions below).
            let order = &orders[i];
            let (order_lo, order_hi) = if order.is_empty() {
                (0, INF)
            } else {
                order.iter().fold((INF, i64::MIN), |(lo, hi), o| {
                    let (a, b) = o.iter().find(|q| q.0 == 0).map_or((0, INF), |q| (q.1, q.2));
                    (lo.min(a), hi.max(b))
                })
            };
            if v.kind == CellKind::Proportion {
                let n_true = v.denominator.unwrap_or(0);
                let [rx, rn, rc] = if informative {
                    policy.proportion_small_ranges().map(range)
                } else {
                    [None; 3]
                };
                let x = m.var(
                    to_i64(v.count),
                    Dom {
                        lo: order_lo,
                        hi: order_hi,
                    },
                    if small { None } else { rx },
                );
                let n = m.var(
                    to_i64(n_true),
                    Dom { lo: 1, hi: INF },
                    if small { None } else { rn },
                );
                let c = m.var(
                    to_i64(n_true.saturating_sub(v.count)),
                    Dom { lo: 0, hi: INF },
                    if small { None } else { rc },
                );
                // n = x + c.
                m.equations.push(Equation {
                    terms: vec![(1, n), (-1, x), (-1, c)],
                    rhs: 0,
                });
                let a = to_i64(policy.attribute().all_or_none_min_denominator);
                if !order.is_empty() {
                    let qs = [x, n];
                    m.disjunctions.push(AnyOf {
                        options: order
                            .iter()
                            .map(|o| o.iter().map(|&(q, lo, hi)| (qs[q], lo, hi)).collect())
                            .collect(),
                    });
                }
                if !small && informative && seg.sensitive && a > 1 {
                    // Not all-or-none in a small group: n large enough, or both outcomes occur.
                    m.disjunctions.push(AnyOf {
                        options: vec![vec![(n, a, INF)], vec![(x, 1, INF), (c, 1, INF)]],
                    });
                }
                if small {
                    let mut options: Vec<Vec<(usize, i64, i64)>> = [(x, rx), (n, rn), (c, rc)]
                        .into_iter()
                        .filter_map(|(var, r)| r.map(|(lo, hi)| vec![(var, lo, hi)]))
                        .collect();
                    if seg.sensitive && a > 1 {
                        options.push(vec![(x, 0, 0), (n, 1, a - 1)]);
                        options.push(vec![(c, 0, 0), (n, 1, a - 1)]);
                    }
                    m.disjunctions.push(AnyOf { options });
                }
                for (quantity, var) in [x, n, c].into_iter().enumerate() {
                    m.targets.push(Target {
                        cell: CellId(i),
                        quantity: quantity as u8,
                        var,
                        required: width,
                    });
                }
                vars[i] = Some([x, n, c]);
            } else {
                let r = if informative {
                    range(policy.count_small_range(v.kind))
                } else {
                    None
                };
                let floor = if v.kind == CellKind::Mean { 1 } else { 0 };
                let dom = match (small, r) {
                    (true, Some((lo, hi))) => Dom { lo, hi },
                    // Hidden as small without a small range cannot happen with this policy;
                    // model it without knowledge rather than fail.
                    _ => Dom { lo: floor, hi: INF },
                };
                // What the status alone allows decides how wide the range can be required to be.
                let required = width.min(dom.hi - dom.lo);
                let k = m.var(
                    to_i64(v.count),
                    Dom {
                        lo: dom.lo.max(order_lo),
                        hi: dom.hi.min(order_hi),
                    },
                    if small { None } else { r },
                );
                if !order.is_empty() {
                    m.disjunctions.push(AnyOf {
                        options: order
                            .iter()
                            .map(|o| {
                                o.iter()
                                    .filter(|q| q.0 == 0)
                                    .map(|&(_, lo, hi)| (k, lo, hi))
                                    .collect()
                            })
                            .collect(),
                    });
                }
                m.targets.push(Target {
                    cell: CellId(i),
                    quantity: 0,
                    var: k,
                    required,
                });
                vars[i] = Some([k; 3]);
            }
        }
        for (mi, margin) in table.margins().iter().enumerate() {
            if inherent && problem.segment_of_margin(mi).is_none() {
                continue;
            }
            // Dimensions 0 = count, 1 = denominator, 2 = n − x (implied by the other two, but
            // stated so that propagation sees it directly).
            let dims: &[usize] = if table.margin_has_denominators(margin) {
                &[0, 1, 2]
            } else {
                &[0]
            };
            for &dim in dims {
                let mut eq = Equation {
                    terms: Vec::new(),
                    rhs: 0,
                };
                for (j, id) in margin.members().enumerate() {
                    let sign = if j == 0 { -1 } else { 1 };
                    match vars[id.0] {
                        Some(v) => eq.terms.push((sign, v[dim])),
                        None => {
                            let cell = &table.cells()[id.0];
                            let (x, n) = (cell.count_or_zero(), cell.denominator_or_zero());
                            let known = [x, n, n.saturating_sub(x)][dim];
                            eq.rhs -= sign * to_i64(known);
                        }
                    }
                }
                if !eq.terms.is_empty() {
                    m.equations.push(eq);
                }
            }
        }
        for (i, cell_vars) in vars.iter().enumerate() {
            for &v in cell_vars.iter().flatten() {
                m.var_owner[v] = problem.owners[i];
            }
        }
        m
    }

    fn var(&mut self, truth: i64, dom: Dom, hole: Option<(i64, i64)>) -> usize {
        self.var_owner.push(None);
        self.init.push(dom);
        self.holes.push(hole);
        self.truth.push(truth);
        self.init.len() - 1
    }

    /// The first hidden cell with a quantity whose feasible range is narrower than required for
    /// `attacker` (or whose check ran out of budget), in cell order; `None` if every hidden
    /// quantity is protected. An insider's system is this one with the own cells' variables fixed
    /// to their true values, so completions found for anyone (`pool`) serve every attacker whose
    /// own variables they leave at the truth. Quantities in `shown_free` are not asked about
    /// again; those shown protected now are added.
    pub(crate) fn first_recoverable(
        &self,
        attacker: Attacker,
        budget_per_question: u64,
        shown_free: &mut ShownFree,
        inherent: &mut Inherent,
        pool: &mut Vec<Vec<i64>>,
    ) -> Option<CellId> {
        let own: Vec<usize> = (0..self.init.len())
            .filter(|&v| attacker.is_some() && self.var_owner[v] == attacker)
            .collect();
        let mut init = self.init.clone();
        for &v in &own {
            init[v] = Dom {
                lo: self.truth[v],
                hi: self.truth[v],
            };
        }
        let valid = |sol: &[i64]| own.iter().all(|&v| sol[v] == self.truth[v]);
        for t in &self.targets {
            // An insider must not narrow another insider's cells; its own it knows, and cells of
            // no one (Sweden's) are sums over several insiders, protected against the public.
            if attacker.is_some() && (self.var_owner[t.var].is_none() || own.contains(&t.var)) {
                continue;
            }
            let key = (attacker, t.cell, t.quantity);
            if shown_free.contains(&key) {
                continue;
            }
            let protected = match self.widen(t, &init, pool, &valid, budget_per_question) {
                Ok((true, _, _)) => true,
                // The exact range is known: enough if the structure itself allows no more.
                Ok((false, lo, hi)) => {
                    hi - lo
                        >= t.required
                            .min(inherent.span(t.cell, t.quantity, budget_per_question))
                }
                Err(()) => false,
            };
            if !protected {
                return Some(t.cell);
            }
            shown_free.insert(key);
        }
        None
    }

    /// Look for completions (within `init`) below and above the range seen so far — the truth
    /// and every `valid` completion in `pool` — until the target's range is wide enough
    /// (`true`) or no completion exists on either side (`false`); returns the range too. New
    /// completions join the pool. Budgets grow on both sides together, so an easy side is not
    /// starved by a hard one; running out of budget is `Err`.
    fn widen(
        &self,
        t: &Target,
        init: &[Dom],
        pool: &mut Vec<Vec<i64>>,
        valid: &dyn Fn(&[i64]) -> bool,
        max_budget: u64,
    ) -> Result<(bool, i64, i64), ()> {
        let v = t.var;
        let (mut lo, mut hi) = (self.truth[v], self.truth[v]);
        for sol in pool.iter().filter(|s| valid(s)) {
            lo = lo.min(sol[v]);
            hi = hi.max(sol[v]);
        }
        let mut done = [false, false];
        let mut budget = 256.min(max_budget);
        loop {
            if hi - lo >= t.required {
                return Ok((true, lo, hi));
            }
            let mut out_of_budget = false;
            let mut found = false;
            for (side, side_done) in done.iter_mut().enumerate() {
                if *side_done || hi - lo >= t.required {
                    continue;
                }
                let mut d = init.to_vec();
                if side == 0 {
                    d[v].hi = d[v].hi.min(lo - 1);
                } else {
                    d[v].lo = d[v].lo.max(hi + 1);
                }
                if d[v].lo > d[v].hi {
                    *side_done = true;
                    continue;
                }
                let mut left = budget;
                match self.search(d, &mut left) {
                    Ok(Some(solution)) => {
                        found = true;
                        lo = lo.min(solution[v]);
                        hi = hi.max(solution[v]);
                        pool.push(solution);
                    }
                    Ok(None) => *side_done = true,
                    Err(()) => out_of_budget = true,
                }
            }
            if hi - lo >= t.required {
                return Ok((true, lo, hi));
            }
            if done == [true, true] {
                return Ok((false, lo, hi));
            }
            if out_of_budget && !found {
                if budget >= max_budget {
                    return Err(());
                }
                budget = budget.saturating_mul(8).min(max_budget);
            }
        }
    }

    /// Depth-first search for a completion; `Err(())` when the budget runs out.
    fn search(&self, mut d: Vec<Dom>, budget: &mut u64) -> Result<Option<Vec<i64>>, ()> {
        if !self.propagate(&mut d) {
            return Ok(None);
        }
        let pick = (0..d.len())
            .filter(|&v| d[v].lo < d[v].hi)
            .min_by_key(|&v| (d[v].hi - d[v].lo, v));
        let Some(v) = pick else {
            return Ok(Some(d.iter().map(|x| x.lo).collect()));
        };
        let (lo, hi) = (d[v].lo, d[v].hi);
        let start = self.truth[v].clamp(lo, hi);
        // start, start+1, start−1, start+2, … inside [lo, hi].
        let mut step = 0i64;
        loop {
            let up = start + step;
            let down = start - step;
            if up > hi && down < lo {
                return Ok(None);
            }
            let mut candidates = [None, None];
            if up <= hi {
                candidates[0] = Some(up);
            }
            if step > 0 && down >= lo {
                candidates[1] = Some(down);
            }
            for value in candidates.into_iter().flatten() {
                if *budget == 0 {
                    return Err(());
                }
                *budget -= 1;
                if self.holes[v].is_some_and(|(a, b)| (a..=b).contains(&value)) {
                    continue;
                }
                let mut d2 = d.clone();
                d2[v] = Dom {
                    lo: value,
                    hi: value,
                };
                if let Some(s) = self.search(d2, budget)? {
                    return Ok(Some(s));
                }
            }
            step += 1;
        }
    }

    /// Narrow `d[v]` to `[lo, hi]` and out of its hole; `None` if empty, else whether it changed.
    fn tighten(&self, d: &mut [Dom], v: usize, lo: i128, hi: i128) -> Option<bool> {
        let old = d[v];
        let mut lo = (old.lo as i128)
            .max(lo)
            .clamp(i64::MIN as i128, i64::MAX as i128) as i64;
        let mut hi = (old.hi as i128)
            .min(hi)
            .clamp(i64::MIN as i128, i64::MAX as i128) as i64;
        if let Some((a, b)) = self.holes[v] {
            if (a..=b).contains(&lo) {
                lo = b + 1;
            }
            if (a..=b).contains(&hi) {
                hi = a - 1;
            }
        }
        if lo > hi {
            return None;
        }
        d[v] = Dom { lo, hi };
        Some(d[v] != old)
    }

    /// Bounds propagation to a fixpoint; `false` if infeasible (or still moving after
    /// [`MAX_PASSES`]).
    fn propagate(&self, d: &mut [Dom]) -> bool {
        // Holes first (initial domains may start inside them).
        for v in 0..d.len() {
            if self.tighten(d, v, i128::MIN, i128::MAX).is_none() {
                return false;
            }
        }
        for _ in 0..MAX_PASSES {
            let mut changed = false;
            for eq in &self.equations {
                let (mut smin, mut smax) = (0i128, 0i128);
                for &(a, v) in &eq.terms {
                    let (lo, hi) = (d[v].lo as i128, d[v].hi as i128);
                    if a > 0 {
                        smin += lo;
                        smax += hi;
                    } else {
                        smin -= hi;
                        smax -= lo;
                    }
                }
                let rhs = eq.rhs as i128;
                if rhs < smin || rhs > smax {
                    return false;
                }
                for &(a, v) in &eq.terms {
                    let (lo, hi) = (d[v].lo as i128, d[v].hi as i128);
                    let (cmin, cmax) = if a > 0 { (lo, hi) } else { (-hi, -lo) };
                    // a·v ∈ [rhs − (smax − cmax), rhs − (smin − cmin)].
                    let (alo, ahi) = (rhs - (smax - cmax), rhs - (smin - cmin));
                    let (nlo, nhi) = if a > 0 { (alo, ahi) } else { (-ahi, -alo) };
                    match self.tighten(d, v, nlo, nhi) {
                        None => return false,
                        Some(c) => changed |= c,
                    }
                }
            }
            for dis in &self.disjunctions {
                let possible: Vec<&Vec<(usize, i64, i64)>> = dis
                    .options
                    .iter()
                    .filter(|o| o.iter().all(|&(v, lo, hi)| d[v].lo <= hi && lo <= d[v].hi))
                    .take(2)
                    .collect();
                let Some(&only) = possible.first() else {
                    return false;
                };
                if possible.len() == 1 {
                    for &(v, lo, hi) in only {
                        match self.tighten(d, v, lo as i128, hi as i128) {
                            None => return false,
                            Some(c) => changed |= c,
                        }
                    }
                }
            }
            if !changed {
                return true;
            }
        }
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::disclosure::table::CellInput;

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
}
