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

mod build;
mod inherent;
mod search;

pub(crate) use inherent::Inherent;

use super::table::CellId;

/// "Unbounded" upper limit (larger than any count the hub will see).
const INF: i64 = 1 << 40;

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
    /// Each release on its own, its hidden_small cells as their statuses say and every other
    /// cell an unknown, for anyone (no insider): what the pattern of primary statuses itself
    /// reveals (e.g. a row whose cells and total are all small tells each cell is at most the
    /// total minus one) and no secondary cell can undo. What an insider adds to it (its own
    /// row beside a small Sweden cell) is not inherent: coarsening the statuses undoes it.
    Structure,
    /// What the earlier releases alone told `attacker`: the new table's cells are free unknowns
    /// with no margin of their own, so that they only tie together the earlier cells linked to
    /// them. The new release cannot protect a quantity better than that.
    Before(Attacker),
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

impl Model {
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
        let scope = self.scope(init, v);
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
                match self.search(&scope, d, &mut left) {
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
}

#[cfg(test)]
mod tests;
