//! The attack's unknowns, constraints and targets, built from a scenario ([`Attack::new`]).

use std::collections::BTreeMap;

use vardhub_engine::disclosure::{CellKind, Status, Table};

use super::*;

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

    pub(crate) fn index(self) -> usize {
        self as usize
    }

    pub(crate) fn of(self, x: u64, n: u64) -> u64 {
        match self {
            Quantity::Count => x,
            Quantity::Denominator => n,
            Quantity::Complement => n.saturating_sub(x),
        }
    }
}

/// The status (and selection-order) constraint of one hidden cell on its unknowns.
#[derive(Clone, Debug)]
pub(crate) struct Con {
    pub(crate) release: usize,
    pub(crate) local: usize,
    pub(crate) kind: CellKind,
    pub(crate) status: Status,
    pub(crate) x: usize,
    pub(crate) n: Option<usize>,
    pub(crate) c: Option<usize>,
    /// Selection order: the cell's key must be below the smallest visible key of at least one
    /// of these margins (is the cell the margin's total, that smallest key). `None`: no
    /// constraint (not a secondary cell, statuses coarsened, or a margin without visible cells).
    pub(crate) order: Option<Vec<(bool, Key)>>,
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
    pub(crate) fixed: Option<(u64, u64)>,
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
    pub(crate) var: usize,
    pub(crate) x: usize,
    pub(crate) n: Option<usize>,
    pub(crate) q: Quantity,
    pub(crate) lo: u64,
    pub(crate) hi: u64,
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
    pub(crate) fn of(&self, q: Quantity) -> usize {
        match q {
            Quantity::Count => self.x,
            Quantity::Denominator => self.n.unwrap(),
            Quantity::Complement => self.c.unwrap(),
        }
    }
}

pub(crate) type Equation = (Vec<(i64, usize)>, i64);
pub(crate) type Domains = Vec<Vec<u64>>;

/// Nodes for the final, exhaustive search (inconclusive beyond). 200 000 left some random
/// pairs of releases of 4 regions inconclusive; 5 000 000 none in 12 000 such pairs.
pub(crate) const NODE_BUDGET: u64 = 5_000_000;
/// Nodes for each heuristic attempt before it.
pub(crate) const TRY_BUDGET: u64 = 300;

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
    pub(crate) scenario: &'s Scenario<'s>,
    pub insider: Option<u32>,
    pub(crate) offsets: Vec<usize>,
    /// Per global cell: what the attacker knows of its values.
    pub(crate) known: Vec<Option<(u64, u64)>>,
    /// Per global cell: its class's unknowns, when not known.
    pub(crate) vars: Vec<Option<Unknowns>>,
    pub(crate) cons: Vec<Con>,
    /// `Σ coef·unknown = rhs`, known values folded into `rhs`.
    pub(crate) equations: Vec<Equation>,
    /// Per unknown: its true value.
    pub truth: Vec<u64>,
    pub cap: u64,
    pub targets: Vec<Target>,
}

/// Keep the values of `u` that `keep` accepts, marking `u` dirty if it shrank; `false` if
/// nothing is left.
pub(crate) fn shrink(
    d: &mut Domains,
    dirty: &mut [bool],
    u: usize,
    keep: &dyn Fn(u64) -> bool,
) -> bool {
    let before = d[u].len();
    d[u].retain(|&v| keep(v));
    if d[u].len() != before {
        dirty[u] = true;
    }
    !d[u].is_empty()
}

/// A constraint on a proportion's (x, n, c = n − x): keep values with partner values in the
/// other domains that satisfy `ok(x, n)`.
pub(crate) fn triple(
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

pub(crate) fn floor_div(p: i64, q: i64) -> i64 {
    if q > 0 {
        p.div_euclid(q)
    } else {
        (-p).div_euclid(-q)
    }
}

pub(crate) fn ceil_div(p: i64, q: i64) -> i64 {
    -floor_div(-p, q)
}

pub(crate) fn values_of(table: &Table, cell: usize) -> (u64, u64) {
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
}
