//! The exhaustive search for completions, and the check of every completion from scratch.

use vardhub_engine::disclosure::CellKind;

use super::*;

impl<'s> Attack<'s> {
    pub(crate) fn con_ok(&self, con: &Con, x: u64, n: u64) -> bool {
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
    pub(crate) fn filter(&self, d: &mut Domains) -> bool {
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
    pub(crate) fn witness(
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
}
