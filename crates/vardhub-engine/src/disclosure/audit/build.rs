//! Building the intruder's constraint system ([`Model::new`]) from a problem and its statuses.

use super::{AnyOf, Dom, Equation, INF, Mode, Model, Target};
use crate::disclosure::knowledge::Problem;
use crate::disclosure::policy::{DisclosurePolicy, SmallRange};
use crate::disclosure::table::{CellId, CellKind, Table};
use crate::disclosure::{CellValues, Status};

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
/// visible then. From m as a part, with a non-zero count: a key below the smallest visible
/// non-zero part's (a smaller count, or the same count with a smaller denominator, then
/// index); with count 0:
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
                // A non-zero count: a key below the smallest key of the visible non-zero parts,
                // i.e. a smaller count, or the same count and a smaller (denominator, index).
                let smallest = nonzero
                    .iter()
                    .min_by_key(|(p, v)| (v.count, v.denominator.unwrap_or(0), *p));
                match smallest {
                    None => options.push(vec![(0, 1, INF)]),
                    Some((p, v)) => {
                        let count = to_i64(v.count);
                        let before_it = i64::from(*p < i);
                        match v.denominator {
                            None if count - before_it >= 1 => {
                                options.push(vec![(0, 1, count - before_it)]);
                            }
                            None => {}
                            Some(n) => {
                                if count > 1 {
                                    options.push(vec![(0, 1, count - 1)]);
                                }
                                if to_i64(n) - before_it >= 0 {
                                    options.push(vec![
                                        (0, count, count),
                                        (1, 0, to_i64(n) - before_it),
                                    ]);
                                }
                            }
                        }
                    }
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
        let (attacker, inherent, before) = match mode {
            Mode::Attack => (None, false, false),
            Mode::Structure => (None, true, false),
            Mode::Before(a) => (a, false, true),
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
            if inherent {
                break; // each release on its own: nothing is known through links
            }
            if let [part] = margin.parts[..] {
                let total = margin.total;
                if problem.segment_of_margin(mi).is_none() {
                    // (Before the new release, its cells were not published.)
                    if statuses[part.0].is_published() && !(before && problem.is_new(part.0)) {
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
                    // Every cell, visible ones too: they may be hidden later, and what the
                    // structure leaves of them does not change when they are.
                    vars[i] = Some(m.free_unknowns(i, v, width));
                    continue;
                }
            }
            if before && problem.is_new(i) {
                // Before the new release its cells were unknown, with nothing known of them;
                // they only tie together the earlier cells linked to them.
                if let Some(v) = cell.values().filter(|_| !known[i]) {
                    vars[i] = Some(m.free_unknowns(i, v, width));
                }
                continue;
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
            let segment = problem.segment_of_margin(mi);
            if inherent && segment.is_none() {
                continue;
            }
            if before && segment.is_some_and(|s| s.cells.start == 0) {
                continue; // the new release's margins
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

    /// Free unknowns (count, and for a proportion denominator and `n − x`) for cell `i`, each a
    /// target with the full `width`: nothing is known of them but their kind.
    fn free_unknowns(&mut self, i: usize, v: &CellValues, width: i64) -> [usize; 3] {
        let floor = i64::from(v.kind == CellKind::Mean);
        let x = self.var(to_i64(v.count), Dom { lo: floor, hi: INF }, None);
        let quantities = if v.kind == CellKind::Proportion {
            let n_true = v.denominator.unwrap_or(0);
            let n = self.var(to_i64(n_true), Dom { lo: 1, hi: INF }, None);
            let c = self.var(
                to_i64(n_true.saturating_sub(v.count)),
                Dom { lo: 0, hi: INF },
                None,
            );
            self.equations.push(Equation {
                terms: vec![(1, n), (-1, x), (-1, c)],
                rhs: 0,
            });
            vec![x, n, c]
        } else {
            vec![x]
        };
        for (quantity, &var) in quantities.iter().enumerate() {
            self.targets.push(Target {
                cell: CellId(i),
                quantity: quantity as u8,
                var,
                required: width,
            });
        }
        match quantities[..] {
            [x, n, c] => [x, n, c],
            _ => [x; 3],
        }
    }
}
