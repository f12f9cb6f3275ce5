//! The exact audit: can an attacker pin down a hidden quantity?
//!
//! **Attacker model.** The attacker knows the table's structure (cells, kinds, margins), every
//! published value, every status and the policy. So they know, for each hidden cell:
//! `hidden_small` ⇒ the primary rule fired (e.g. a count in 1–4, a DSR count in 0–9, or for a
//! proportion: x, n or n − x in 1–4); `hidden_secondary` ⇒ it did not fire (a count of 0 or ≥ 5).
//! With the margins this is a system of linear equations over non-negative integers with
//! interval and "hole" domains and, for hidden proportions, a disjunction. Inference from the
//! order in which the algorithm chose secondary cells is not modelled.
//!
//! When a table has hidden cells but none is `hidden_small`, its statuses were *coarsened*
//! (see `suppress.rs`) and carry no information about which rule fired; the model then only
//! knows that hidden quantities exist (non-negative, `x ≤ n`, `n ≥ 1` for proportions, `n ≥ 1`
//! observations for means).
//!
//! **Check.** A hidden quantity q with true value v is protected iff some integer completion of
//! the table consistent with everything published has q ≠ v. We search for one by constraint
//! propagation (bounds consistency on the equations, holes, the disjunction) and depth-first
//! search trying values close to the truth first. The search is complete, so "no completion"
//! is a proof of recoverability; a search that exhausts its node budget is treated as
//! recoverable too (more suppression, never less). The tests check this against an independent
//! brute-force attack.

use super::Status;
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

/// At least one of the variables lies in its range (a hidden_small proportion).
#[derive(Debug, Clone)]
struct AnyInRange {
    options: Vec<(usize, i64, i64)>,
}

#[derive(Debug, Clone, Copy)]
struct Target {
    cell: CellId,
    /// Which quantity of the cell: 0 = count, 1 = denominator, 2 = n − x.
    quantity: u8,
    var: usize,
}

/// Hidden quantities already shown to have a second feasible value, as (cell, quantity).
///
/// Protection is monotone while suppression goes on: hiding one more cell adds a variable
/// whose true value satisfies its own domain, and coarsening statuses only drops constraints,
/// so a completion found earlier (extended by the true values) stays a completion. The
/// secondary-suppression loop therefore keeps this set between rounds and asks again only
/// about quantities not yet shown free.
pub(crate) type ShownFree = std::collections::HashSet<(CellId, u8)>;

/// The attacker's constraint system for one table and one set of statuses.
#[derive(Debug)]
pub(crate) struct Model {
    init: Vec<Dom>,
    holes: Vec<Option<(i64, i64)>>,
    truth: Vec<i64>,
    equations: Vec<Equation>,
    disjunctions: Vec<AnyInRange>,
    targets: Vec<Target>,
}

fn range(r: SmallRange) -> Option<(i64, i64)> {
    (!r.is_empty()).then_some((r.lo as i64, r.hi as i64))
}

fn to_i64(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(INF).min(INF)
}

impl Model {
    /// Build the system from the true table and the statuses.
    pub(crate) fn new(policy: &DisclosurePolicy, table: &Table, statuses: &[Status]) -> Model {
        let mut m = Model {
            init: Vec::new(),
            holes: Vec::new(),
            truth: Vec::new(),
            equations: Vec::new(),
            disjunctions: Vec::new(),
            targets: Vec::new(),
        };
        // Coarsened statuses (no hidden_small at all) say nothing about the rules.
        let informative = statuses.contains(&Status::HiddenSmall);
        // Per cell: the variables of (count, denominator, complement), if hidden.
        let mut vars: Vec<Option<[usize; 3]>> = vec![None; table.cells().len()];
        for (i, cell) in table.cells().iter().enumerate() {
            let status = statuses[i];
            let Some(v) = cell.values().filter(|_| status.is_hidden()) else {
                continue;
            };
            let small = status == Status::HiddenSmall;
            if v.kind == CellKind::Proportion {
                let n_true = v.denominator.unwrap_or(0);
                let [rx, rn, rc] = if informative {
                    policy.proportion_small_ranges().map(range)
                } else {
                    [None; 3]
                };
                let x = m.var(
                    to_i64(v.count),
                    Dom { lo: 0, hi: INF },
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
                if small {
                    let options = [(x, rx), (n, rn), (c, rc)]
                        .into_iter()
                        .filter_map(|(var, r)| r.map(|(lo, hi)| (var, lo, hi)))
                        .collect();
                    m.disjunctions.push(AnyInRange { options });
                }
                for (quantity, var) in [x, n, c].into_iter().enumerate() {
                    m.targets.push(Target {
                        cell: CellId(i),
                        quantity: quantity as u8,
                        var,
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
                let k = match (small, r) {
                    (true, Some((lo, hi))) => m.var(to_i64(v.count), Dom { lo, hi }, None),
                    // Hidden as small without a small range cannot happen with this policy;
                    // model it without knowledge rather than fail.
                    (true, None) => m.var(to_i64(v.count), Dom { lo: floor, hi: INF }, None),
                    (false, r) => m.var(to_i64(v.count), Dom { lo: floor, hi: INF }, r),
                };
                m.targets.push(Target {
                    cell: CellId(i),
                    quantity: 0,
                    var: k,
                });
                vars[i] = Some([k; 3]);
            }
        }
        for margin in table.margins() {
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
        m
    }

    fn var(&mut self, truth: i64, dom: Dom, hole: Option<(i64, i64)>) -> usize {
        self.init.push(dom);
        self.holes.push(hole);
        self.truth.push(truth);
        self.init.len() - 1
    }

    /// The first hidden cell with a quantity the attacker can pin down (or whose check ran out of
    /// budget), in cell order; `None` if every hidden quantity has at least two feasible values.
    /// Quantities in `shown_free` are not asked about again; those shown free now are added.
    pub(crate) fn first_recoverable(
        &self,
        budget_per_question: u64,
        shown_free: &mut ShownFree,
    ) -> Option<CellId> {
        // Per variable: some completion found so far gives it a value other than its truth.
        let mut var_free = vec![false; self.init.len()];
        for t in &self.targets {
            if shown_free.contains(&(t.cell, t.quantity)) {
                continue;
            }
            if !var_free[t.var] {
                let Some(solution) = self.witness(t.var, budget_per_question) else {
                    return Some(t.cell);
                };
                for (v, &value) in solution.iter().enumerate() {
                    if value != self.truth[v] {
                        var_free[v] = true;
                    }
                }
            }
            shown_free.insert((t.cell, t.quantity));
        }
        None
    }

    /// A completion in which `var` differs from its true value: below it or above it. Both
    /// sides are searched with growing budgets, so an easy side is not starved by a hard one.
    fn witness(&self, var: usize, max_budget: u64) -> Option<Vec<i64>> {
        let truth = self.truth[var];
        let mut open: Vec<Vec<Dom>> = [(i64::MIN, truth - 1), (truth + 1, i64::MAX)]
            .into_iter()
            .filter_map(|(lo, hi)| {
                let mut d = self.init.clone();
                d[var].lo = d[var].lo.max(lo);
                d[var].hi = d[var].hi.min(hi);
                (d[var].lo <= d[var].hi).then_some(d)
            })
            .collect();
        let mut budget = 256.min(max_budget);
        while !open.is_empty() {
            let mut still_open = Vec::new();
            for d in open {
                let mut left = budget;
                match self.search(d.clone(), &mut left) {
                    Ok(Some(solution)) => return Some(solution),
                    Ok(None) => {}
                    Err(()) => still_open.push(d),
                }
            }
            if budget >= max_budget {
                return None;
            }
            budget = budget.saturating_mul(8).min(max_budget);
            open = still_open;
        }
        None
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
                let possible: Vec<(usize, i64, i64)> = dis
                    .options
                    .iter()
                    .copied()
                    .filter(|&(v, lo, hi)| d[v].lo <= hi && lo <= d[v].hi)
                    .collect();
                match possible[..] {
                    [] => return false,
                    [(v, lo, hi)] => match self.tighten(d, v, lo as i128, hi as i128) {
                        None => return false,
                        Some(c) => changed |= c,
                    },
                    _ => {}
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

    fn model(cells: &[(u64, Status)], total: (u64, Status)) -> Model {
        let parts = cells.iter().map(|&(c, _)| CellInput::count(c)).collect();
        let (t, _, _) = Table::one_way(parts, CellInput::count(total.0));
        let mut statuses: Vec<Status> = cells.iter().map(|&(_, s)| s).collect();
        statuses.push(total.1);
        Model::new(&DisclosurePolicy::default_public(), &t, &statuses)
    }

    #[test]
    fn a_single_hidden_part_is_recoverable() {
        let m = model(
            &[(3, Status::HiddenSmall), (40, Status::Ok)],
            (43, Status::Ok),
        );
        assert_eq!(
            m.first_recoverable(1000, &mut ShownFree::new()),
            Some(CellId(0))
        );
    }

    #[test]
    fn two_hidden_parts_are_protected() {
        let m = model(
            &[(3, Status::HiddenSmall), (40, Status::HiddenSecondary)],
            (43, Status::Ok),
        );
        assert_eq!(m.first_recoverable(1000, &mut ShownFree::new()), None);
    }

    #[test]
    fn statuses_can_give_a_value_away() {
        // 1 (small: 1–4) + 5 (secondary: 0 or ≥ 5) = 6 has the single solution (1, 5).
        let m = model(
            &[(1, Status::HiddenSmall), (5, Status::HiddenSecondary)],
            (6, Status::Ok),
        );
        assert_eq!(
            m.first_recoverable(1000, &mut ShownFree::new()),
            Some(CellId(0))
        );
        // With a third hidden part it does not.
        let m = model(
            &[
                (1, Status::HiddenSmall),
                (5, Status::HiddenSecondary),
                (7, Status::HiddenSecondary),
            ],
            (13, Status::Ok),
        );
        assert_eq!(m.first_recoverable(1000, &mut ShownFree::new()), None);
    }

    #[test]
    fn a_zero_sum_of_hidden_cells_is_recoverable() {
        // Secondary cells summing to 0 must both be 0.
        let m = model(
            &[(0, Status::HiddenSecondary), (0, Status::HiddenSecondary)],
            (0, Status::Zero),
        );
        assert_eq!(
            m.first_recoverable(1000, &mut ShownFree::new()),
            Some(CellId(0))
        );
    }
}
