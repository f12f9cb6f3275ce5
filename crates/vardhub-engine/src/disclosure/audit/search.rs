//! The search: bounds propagation over the equations, holes and disjunctions, and a complete
//! depth-first search for a completion.

use super::{Dom, Model};

/// Propagation passes before the node is given up as infeasible. Bounds that still move after
/// this many passes are creeping around a cycle of equations that has no solution in reach;
/// pruning such a node can only make the audit more suspicious (more suppression), never less.
const MAX_PASSES: usize = 64;

impl Model {
    /// Depth-first search for a completion; `Err(())` when the budget runs out.
    pub(super) fn search(&self, mut d: Vec<Dom>, budget: &mut u64) -> Result<Option<Vec<i64>>, ()> {
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
