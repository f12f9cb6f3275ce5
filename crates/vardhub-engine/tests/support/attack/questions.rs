//! The questions asked of an attack: values, ranges, shortfalls, publish-and-attack.

use vardhub_engine::disclosure::{
    CellKind, DisclosurePolicy, Knowledge, PublishedTable, Status, Table,
};

use super::*;

impl<'s> Attack<'s> {
    /// A value of the target's quantity `q` in `[lo, hi]` that some completion gives, if any.
    /// Panics if the search is inconclusive.
    pub fn value_in(&self, t: &Target, q: Quantity, lo: u64, hi: u64) -> Option<u64> {
        if lo > hi {
            return None;
        }
        if let Some((x, n)) = t.fixed {
            let v = q.of(x, n);
            return (lo <= v && v <= hi).then_some(v);
        }
        let goal = Goal {
            var: t.unknowns.of(q),
            x: t.unknowns.x,
            n: t.unknowns.n,
            q,
            lo,
            hi,
        };
        match self.find(&goal) {
            Ok(Some(w)) => {
                if let Err(why) = self.check(&w, Some(&goal)) {
                    panic!("a witness must check out: {why}");
                }
                Some(w[goal.var])
            }
            Ok(None) => None,
            Err(Inconclusive) => panic!(
                "attack inconclusive for {:?} {q:?} in [{lo}, {hi}] (insider {:?})",
                t.cells, self.insider
            ),
        }
    }

    /// `W` from the status pattern of the release of the target's first cell: the span of `q`
    /// over completions consistent with that release's statuses, kinds and margins alone (no
    /// value shown, no selection order, no insider, no other release), stopping at `enough`.
    pub fn pattern_width(&self, t: &Target, q: Quantity, enough: u64) -> u64 {
        let (r, c) = t.cells[0];
        let seen = &self.scenario.releases[r];
        let mut publication = seen.publication.clone();
        for (i, s) in publication.view.statuses.iter().enumerate() {
            if s.is_published() {
                publication.view.known[i] = None;
            }
        }
        publication.selection_order = SelectionOrder::Off;
        let scenario = Scenario {
            releases: vec![Seen {
                publication,
                truth: seen.truth,
                owners: Vec::new(),
            }],
            links: Vec::new(),
            reading: self.scenario.reading,
        };
        let attack = Attack::new(&scenario, None);
        let pattern = attack
            .targets
            .iter()
            .find(|e| e.cells.contains(&(0, c)))
            .expect("a hidden cell is a target of its status pattern");
        let (lo, hi) = attack.range(pattern, q, Some(enough));
        hi - lo
    }

    /// The values `[lo, hi]` the quantity can take: exact when `enough` is `None`; otherwise
    /// the search stops as soon as `hi − lo ≥ enough` (and is exact when it falls short).
    pub fn range(&self, t: &Target, q: Quantity, enough: Option<u64>) -> (u64, u64) {
        let truth = t.truth_of(q);
        let (mut lo, mut hi) = (truth, truth);
        if t.fixed.is_some() {
            return (lo, hi);
        }
        // Nothing feasible below `lb` or above `ub`; `lo` and `hi` are feasible.
        let (mut lb, mut ub) = (0, self.cap);
        match enough {
            None => {
                while lb < lo {
                    let mid = lb + (lo - 1 - lb) / 2;
                    match self.value_in(t, q, lb, mid) {
                        Some(v) => lo = v,
                        None => lb = mid + 1,
                    }
                }
                while hi < ub {
                    let mid = hi + 1 + (ub - hi - 1) / 2;
                    match self.value_in(t, q, mid, ub) {
                        Some(v) => hi = v,
                        None => ub = mid - 1,
                    }
                }
            }
            Some(r) => loop {
                if hi - lo >= r || (lb == lo && ub == hi) {
                    break;
                }
                if hi >= lb + r {
                    match self.value_in(t, q, lb, hi - r) {
                        Some(v) => {
                            lo = v;
                            continue;
                        }
                        None => lb = hi - r + 1,
                    }
                }
                if lo + r <= ub {
                    match self.value_in(t, q, lo + r, ub) {
                        Some(v) => {
                            hi = v;
                            continue;
                        }
                        None => ub = lo + r - 1,
                    }
                }
                if lb < lo {
                    match self.value_in(t, q, lb, lo - 1) {
                        Some(v) => {
                            lo = v;
                            continue;
                        }
                        None => lb = lo,
                    }
                }
                if hi < ub {
                    match self.value_in(t, q, hi + 1, ub) {
                        Some(v) => {
                            hi = v;
                            continue;
                        }
                        None => ub = hi,
                    }
                }
            },
        }
        (lo, hi)
    }
}

// ---------------------------------------------------------------------------------------------
// Questions
// ---------------------------------------------------------------------------------------------

/// The values a hidden quantity can take, as the attacker sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Feasible {
    /// The first hidden cell of the target (release, cell).
    pub cell: CellRef,
    pub quantity: Quantity,
    pub truth: u64,
    pub lo: u64,
    pub hi: u64,
    /// The width the policy requires: `min(protection_width, W)`.
    pub required: u64,
}

/// A hidden quantity narrowed below its protection interval.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Shortfall {
    /// `None`: the public; `Some(g)`: insider `g`.
    pub attacker: Option<u32>,
    /// The first hidden cell of the target (release, cell); release 0 is the new table.
    pub cell: CellRef,
    pub quantity: Quantity,
    pub truth: u64,
    pub lo: u64,
    pub hi: u64,
    pub required: u64,
}

/// The exact interval of every hidden quantity for the public or an insider. Panics if a search
/// is inconclusive.
pub fn feasible_ranges(scenario: &Scenario, insider: Option<u32>) -> Vec<Feasible> {
    let attack = Attack::new(scenario, insider);
    let mut out = Vec::new();
    for t in &attack.targets {
        for q in t.quantities() {
            let (lo, hi) = attack.range(t, q, None);
            out.push(Feasible {
                cell: t.cells[0],
                quantity: q,
                truth: t.truth_of(q),
                lo,
                hi,
                required: t.required[q.index()],
            });
        }
    }
    out
}

/// Every hidden quantity whose interval is narrower than required, for the public or an
/// insider, over all releases of the scenario (earlier ones included, without asking whether
/// they were protected before: see [`all_shortfalls`]).
pub fn protection_shortfalls(scenario: &Scenario, insider: Option<u32>) -> Vec<Shortfall> {
    let attack = Attack::new(scenario, insider);
    attack
        .targets
        .iter()
        .flat_map(|t| shortfalls_of(&attack, t))
        .collect()
}

pub(crate) fn shortfalls_of(attack: &Attack, t: &Target) -> Vec<Shortfall> {
    let mut out = Vec::new();
    for q in t.quantities() {
        let mut r = t.required[q.index()];
        if r == 0 {
            continue;
        }
        let (lo, hi) = attack.range(t, q, Some(r));
        if hi - lo < r && attack.scenario.reading.width == WidthBasis::StatusPattern {
            r = r.min(attack.pattern_width(t, q, r));
        }
        if hi - lo < r {
            out.push(Shortfall {
                attacker: attack.insider,
                cell: t.cells[0],
                quantity: q,
                truth: t.truth_of(q),
                lo,
                hi,
                required: r,
            });
        }
    }
    out
}

/// Every hidden quantity the attacker can pin to one value: (release, cell), quantity, value.
pub fn pinned(scenario: &Scenario, insider: Option<u32>) -> Vec<(CellRef, Quantity, u64)> {
    let attack = Attack::new(scenario, insider);
    let mut out = Vec::new();
    for t in &attack.targets {
        for q in t.quantities() {
            let (lo, hi) = attack.range(t, q, Some(1));
            if lo == hi {
                out.push((t.cells[0], q, lo));
            }
        }
    }
    out
}

/// The shortfalls for the public and for every insider of the scenario. A quantity that an
/// earlier release already narrowed (against the same attacker, with the earlier releases
/// alone) cannot be protected better by release 0: it counts only if release 0 narrows it
/// further, i.e. the requirement is `min(required, what the earlier releases left)`.
pub fn all_shortfalls(scenario: &Scenario) -> Vec<Shortfall> {
    let before = (scenario.releases.len() > 1).then(|| scenario.before());
    let attackers: Vec<Option<u32>> = std::iter::once(None)
        .chain(scenario.insiders().into_iter().map(Some))
        .collect();
    let mut out = Vec::new();
    for insider in attackers {
        let attack = Attack::new(scenario, insider);
        let mut earlier_attack = None;
        for t in &attack.targets {
            for s in shortfalls_of(&attack, t) {
                if let Some(&(r, c)) = t.cells.iter().find(|c| c.0 > 0) {
                    let before = before.as_ref().unwrap();
                    let ea = earlier_attack.get_or_insert_with(|| Attack::new(before, insider));
                    let here = (r - 1, c);
                    // Not a target before: known exactly (e.g. shown in an earlier release).
                    let left_before =
                        ea.targets
                            .iter()
                            .find(|e| e.cells.contains(&here))
                            .map_or(0, |e| {
                                let (lo, hi) = ea.range(e, s.quantity, Some(s.required));
                                hi - lo
                            });
                    if s.hi - s.lo >= s.required.min(left_before) {
                        continue;
                    }
                }
                out.push(s);
            }
        }
    }
    out
}

/// Every hidden quantity whose value the public can determine: (cell, quantity, value). The
/// view says nothing of attribute sensitivity, so it is taken from `truth` (the engine publishes
/// the table's flag; the threshold is the default policy's). Panics if a search is
/// inconclusive (which would fail the test too).
pub fn recoverable(view: &View, truth: &Table) -> Vec<(usize, Quantity, u64)> {
    let policy = DisclosurePolicy::default_public();
    let publication = Publication::new(view.clone(), truth.attribute_sensitive(), &policy);
    let scenario = Scenario::single(publication, truth);
    pinned(&scenario, None)
        .into_iter()
        .map(|((_, cell), q, v)| (cell, q, v))
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Publish and attack
// ---------------------------------------------------------------------------------------------

/// Apply the default policy and assert everything the issues demand of the result (see
/// [`publish_and_attack_with`]), with no insiders and no earlier releases.
pub fn publish_and_attack(table: &Table) -> (PublishedTable, Vec<Status>) {
    publish_and_attack_with(table, &Knowledge::default())
}

/// Apply the default policy with `knowledge` and assert: (a) every primary-suppressible cell is
/// hidden (counts 1–4, and in an attribute-sensitive table shares of 0 % or 100 % of fewer than
/// the rule's minimum); (b) every hidden quantity keeps its protection interval against the
/// public, every insider, and across the earlier releases (which implies that none can be
/// recovered); (c) visible cells are unchanged and hidden ones carry nothing.
pub fn publish_and_attack_with(
    table: &Table,
    knowledge: &Knowledge,
) -> (PublishedTable, Vec<Status>) {
    let policy = DisclosurePolicy::default_public();
    let (published, internal) = policy.apply_with(table, knowledge).unwrap();
    let sensitive = table.attribute_sensitive();
    assert_eq!(published.attribute_sensitive(), sensitive);
    let statuses: Vec<Status> = published.cells().iter().map(|c| c.status()).collect();
    assert_eq!(statuses, internal.statuses);
    let informative = statuses.contains(&Status::HiddenSmall);
    let all_or_none_min = policy.attribute().all_or_none_min_denominator;
    for (i, (cell, pc)) in table.cells().iter().zip(published.cells()).enumerate() {
        // (a) every primary-suppressible cell is hidden — as hidden_small, unless the table's
        // statuses were coarsened (then every hidden cell is hidden_secondary).
        if let Some(v) = cell.values() {
            if policy.primary_status_in(v, sensitive) == Status::HiddenSmall {
                let want = if informative {
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
            if let (true, CellKind::Proportion, Some(n)) = (sensitive, v.kind, v.denominator)
                && small(n, all_or_none_min)
                && (v.count == 0 || v.count == n)
            {
                assert!(
                    pc.status().is_hidden(),
                    "{}/{n} of a sensitive outcome in cell {i} is shown",
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
    // (b) every hidden quantity keeps its protection interval.
    let scenario = Scenario::of(&published, table, knowledge, &policy);
    let short = all_shortfalls(&scenario);
    assert!(
        short.is_empty(),
        "protection shortfalls: {short:?}; statuses {statuses:?}"
    );
    (published, statuses)
}
