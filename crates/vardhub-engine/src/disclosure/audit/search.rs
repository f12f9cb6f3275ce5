//! The search: bounds propagation over the equations, holes and disjunctions, and a complete
//! depth-first search for a completion.
//!
//! A question about one variable only involves the variables linked to it through equations
//! and disjunctions by other unknowns ([`Scope`]): fixed values are constants, and every other
//! variable keeps its true value, which satisfies all constraints it appears in. The search
//! branches and propagates inside the scope only, so an impossible question in one corner of a
//! large table is proven impossible there, instead of being tried against every combination of
//! unrelated hidden cells elsewhere.

use super::{Dom, Model};

/// The variables, equations and disjunctions a question about one variable depends on.
#[derive(Debug, Clone)]
pub(super) struct Scope {
    vars: Vec<usize>,
    equations: Vec<usize>,
    disjunctions: Vec<usize>,
}

/// Propagation passes before the node is given up as infeasible. Bounds that still move after
/// this many passes are creeping around a cycle of equations that has no solution in reach;
/// pruning such a node can only make the audit more suspicious (more suppression), never less.
const MAX_PASSES: usize = 64;

impl Model {
    /// The scope of a question about `var` with domains `init`: everything linked to it
    /// through constraints by variables that are not fixed.
    pub(super) fn scope(&self, init: &[Dom], var: usize) -> Scope {
        let n = init.len();
        let mut var_eqs: Vec<Vec<usize>> = vec![Vec::new(); n];
        for (e, eq) in self.equations.iter().enumerate() {
            for &(_, v) in &eq.terms {
                var_eqs[v].push(e);
            }
        }
        let mut var_dis: Vec<Vec<usize>> = vec![Vec::new(); n];
        for (k, dis) in self.disjunctions.iter().enumerate() {
            for o in &dis.options {
                for &(v, _, _) in o {
                    if var_dis[v].last() != Some(&k) {
                        var_dis[v].push(k);
                    }
                }
            }
        }
        let (mut seen, mut eq_seen, mut dis_seen) = (
            vec![false; n],
            vec![false; self.equations.len()],
            vec![false; self.disjunctions.len()],
        );
        let mut scope = Scope {
            vars: vec![var],
            equations: Vec::new(),
            disjunctions: Vec::new(),
        };
        seen[var] = true;
        let mut next = 0;
        while next < scope.vars.len() {
            let u = scope.vars[next];
            next += 1;
            let mut reach = Vec::new();
            for &e in &var_eqs[u] {
                if !eq_seen[e] {
                    eq_seen[e] = true;
                    scope.equations.push(e);
                    reach.extend(self.equations[e].terms.iter().map(|&(_, w)| w));
                }
            }
            for &k in &var_dis[u] {
                if !dis_seen[k] {
                    dis_seen[k] = true;
                    scope.disjunctions.push(k);
                    for o in &self.disjunctions[k].options {
                        reach.extend(o.iter().map(|&(w, _, _)| w));
                    }
                }
            }
            for w in reach {
                if !seen[w] && init[w].lo < init[w].hi {
                    seen[w] = true;
                    scope.vars.push(w);
                }
            }
        }
        scope.vars.sort_unstable();
        scope
    }

    /// Depth-first search for a completion inside `scope` (every other variable at its true
    /// value); `Err(())` when the budget runs out.
    pub(super) fn search(
        &self,
        scope: &Scope,
        mut d: Vec<Dom>,
        budget: &mut u64,
    ) -> Result<Option<Vec<i64>>, ()> {
        if !self.propagate(scope, &mut d) {
            return Ok(None);
        }
        let pick = scope
            .vars
            .iter()
            .copied()
            .filter(|&v| d[v].lo < d[v].hi)
            .min_by_key(|&v| (d[v].hi - d[v].lo, v));
        let Some(v) = pick else {
            let mut out = self.truth.clone();
            for &v in &scope.vars {
                out[v] = d[v].lo;
            }
            return Ok(Some(out));
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
                if let Some(s) = self.search(scope, d2, budget)? {
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
    fn propagate(&self, scope: &Scope, d: &mut [Dom]) -> bool {
        // Holes first (initial domains may start inside them).
        for &v in &scope.vars {
            if self.tighten(d, v, i128::MIN, i128::MAX).is_none() {
                return false;
            }
        }
        for _ in 0..MAX_PASSES {
            let mut changed = false;
            for eq in scope.equations.iter().map(|&e| &self.equations[e]) {
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
            for dis in scope.disjunctions.iter().map(|&k| &self.disjunctions[k]) {
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
