//! The door for a whole analysis run: every region's result and Sweden's (`00`) together.
//!
//! Each result first passes its own door ([`AnalysisResult::public`]). Published side by side,
//! though, the regions add up to Sweden — every patient belongs to the region of the index — so
//! a value hidden in one region could be recovered as Sweden's minus the others'. Every count
//! that adds up (patients, each step's patients, each path's patients, each month's patients,
//! the before/after groups) is therefore published as a one-way table, regions and their total,
//! through the policy's table door ([`DisclosurePolicy::apply_with`]: primary and secondary
//! suppression, against the public and against every region knowing its own counts), and
//! whatever a hidden count would give away is hidden with it. Means (costs)
//! add up too, as sums `n · mean`: where a region's mean is hidden, more regions' means are hidden
//! until the hidden regions together have `min_cost_patients` patients and are at least two, so
//! that no hidden group's total cost can be recovered.

use super::disclose::PublicCount;
use super::{AnalysisResult, PublicResult};
use crate::disclosure::{CellInput, DisclosurePolicy, Knowledge, Status, Table};

/// A count that adds up over regions.
#[derive(Debug, Clone, PartialEq)]
enum Slot {
    Patients,
    Step(usize),
    /// A step's patients reaching it by day 30.
    Day30(usize),
    Path(Vec<String>),
    Month(i32),
    Eligible,
    Exposed,
    Matched,
    Controls,
}

fn count_of(r: &AnalysisResult, slot: &Slot) -> u64 {
    match (r, slot) {
        (_, Slot::Patients) => match r {
            AnalysisResult::BeforeAfter(_) => 0,
            _ => r.patients(),
        },
        (AnalysisResult::CareChain(c), Slot::Step(i)) => c.steps.get(*i).map_or(0, |s| s.reached),
        (AnalysisResult::CareChain(c), Slot::Day30(i)) => c.steps.get(*i).map_or(0, |s| {
            s.curve
                .iter()
                .take_while(|p| p.day <= 30.0)
                .map(|p| p.events)
                .sum()
        }),
        (AnalysisResult::CareChain(c), Slot::Path(p)) => {
            c.paths.iter().find(|(q, _)| q == p).map_or(0, |(_, n)| *n)
        }
        (AnalysisResult::CostOverTime(c), Slot::Month(m)) => c
            .months
            .iter()
            .find(|x| x.month == *m)
            .map_or(0, |x| x.patients),
        (AnalysisResult::BeforeAfter(b), Slot::Eligible) => b.eligible,
        (AnalysisResult::BeforeAfter(b), Slot::Exposed) => b.exposed,
        (AnalysisResult::BeforeAfter(b), Slot::Matched) => b.matched,
        (AnalysisResult::BeforeAfter(b), Slot::Controls) => b.controls,
        _ => 0,
    }
}

fn slots(total: &AnalysisResult, shown: &PublicResult) -> Vec<Slot> {
    match (total, shown) {
        (AnalysisResult::CareChain(c), PublicResult::CareChain(p)) => {
            let mut s = vec![Slot::Patients];
            s.extend((0..c.steps.len()).map(Slot::Step));
            s.extend((0..c.steps.len()).map(Slot::Day30));
            s.extend(p.paths.iter().map(|(q, _)| Slot::Path(q.clone())));
            s
        }
        (AnalysisResult::CostOverTime(c), _) => {
            let mut s = vec![Slot::Patients];
            s.extend(c.months.iter().map(|m| Slot::Month(m.month)));
            s
        }
        (AnalysisResult::BeforeAfter(_), _) => {
            vec![Slot::Eligible, Slot::Exposed, Slot::Matched, Slot::Controls]
        }
        _ => Vec::new(),
    }
}

fn hidden(status: Status) -> PublicCount {
    PublicCount {
        value: None,
        status,
    }
}

/// Hide `slot` in `p`, and everything it would give away.
fn hide(p: &mut PublicResult, slot: &Slot, status: Status) {
    match (p, slot) {
        (PublicResult::CareChain(c), Slot::Patients) => {
            c.patients = hidden(status);
            c.steps.clear();
            c.paths.clear();
            c.other_paths = hidden(Status::NotApplicable);
            c.cost = None;
        }
        (PublicResult::CareChain(c), Slot::Step(i)) => {
            if let Some(s) = c.steps.get_mut(*i) {
                s.reached = hidden(status);
                s.share = None;
                s.share_status = status;
                s.by_day_30 = None;
                s.curve.clear();
                s.quantiles_hidden += s.quantiles.len();
                s.quantiles.clear();
            }
        }
        (PublicResult::CareChain(c), Slot::Day30(i)) => {
            if let Some(s) = c.steps.get_mut(*i) {
                s.by_day_30 = None;
            }
        }
        (PublicResult::CareChain(c), Slot::Path(q)) => {
            if let Some(at) = c.paths.iter().position(|(x, _)| x == q) {
                let (_, n) = c.paths.remove(at);
                if let Some(v) = c.other_paths.value.as_mut() {
                    *v += n;
                }
            }
        }
        (PublicResult::CostOverTime(c), Slot::Patients) => {
            c.patients = hidden(status);
            c.months.clear();
            c.after = None;
        }
        (PublicResult::CostOverTime(c), Slot::Month(m)) => {
            if let Some(x) = c.months.iter_mut().find(|x| x.month == *m) {
                x.patients = hidden(status);
                x.values = None;
            }
        }
        (PublicResult::BeforeAfter(b), slot) => {
            let target = match slot {
                Slot::Eligible => &mut b.eligible,
                Slot::Exposed => &mut b.exposed,
                Slot::Matched => &mut b.matched,
                Slot::Controls => &mut b.controls,
                _ => return,
            };
            *target = hidden(status);
            if matches!(slot, Slot::Exposed | Slot::Matched | Slot::Controls) {
                hide_estimates(b, status);
            }
        }
        _ => {}
    }
}

fn hide_estimates(b: &mut super::PublicBeforeAfter, status: Status) {
    if b.status == Status::Ok {
        b.status = status;
    }
    b.exposed_group = None;
    b.comparison_group = None;
    b.naive = None;
    b.did = None;
    b.balance.clear();
    b.periods.clear();
}

/// Regions (indices into `parts`) whose mean must be hidden as well, given each part's patients
/// behind the mean and whether it is shown, when the total's mean is shown; `None` when even
/// hiding every region's is not enough (then the total's goes too).
fn complementary_means(parts: &[(u64, bool)], min: u64) -> Option<Vec<usize>> {
    let mut extra = Vec::new();
    let hidden_n = |extra: &[usize]| -> (u64, usize) {
        let mut n = 0;
        let mut k = 0;
        for (i, (p, shown)) in parts.iter().enumerate() {
            if !*shown || extra.contains(&i) {
                n += p;
                k += 1;
            }
        }
        (n, k)
    };
    loop {
        let (n, k) = hidden_n(&extra);
        if k == 0 || (k >= 2 && n >= min) {
            return Some(extra);
        }
        // The smallest shown mean joins the hidden ones.
        let next = parts
            .iter()
            .enumerate()
            .filter(|(i, (_, shown))| *shown && !extra.contains(i))
            .min_by_key(|(i, (p, _))| (*p, *i))
            .map(|(i, _)| i);
        match next {
            Some(i) => extra.push(i),
            None => return None,
        }
    }
}

/// Means behind a result that add up over regions: (patients, shown).
fn means(p: &PublicResult, r: &AnalysisResult) -> Vec<(u64, bool)> {
    match (p, r) {
        (PublicResult::CareChain(p), AnalysisResult::CareChain(r)) => {
            vec![(r.cost.map_or(0, |c| c.patients), p.cost.is_some())]
        }
        (PublicResult::CostOverTime(p), AnalysisResult::CostOverTime(r)) => {
            let mut v = vec![(r.after.map_or(0, |a| a.patients), p.after.is_some())];
            for m in &r.months {
                let shown = p
                    .months
                    .iter()
                    .any(|x| x.month == m.month && x.values.is_some());
                v.push((m.patients, shown));
            }
            v
        }
        (PublicResult::BeforeAfter(p), AnalysisResult::BeforeAfter(r)) => {
            vec![(r.matched.min(r.controls), p.did.is_some())]
        }
        _ => Vec::new(),
    }
}

/// Hide mean number `k` of `means` in `p`.
fn hide_mean(p: &mut PublicResult, k: usize, months: &[i32]) {
    match p {
        PublicResult::CareChain(c) => c.cost = None,
        PublicResult::CostOverTime(c) if k == 0 => c.after = None,
        PublicResult::CostOverTime(c) => {
            if let Some(m) = months.get(k - 1)
                && let Some(x) = c.months.iter_mut().find(|x| x.month == *m)
            {
                x.values = None;
            }
        }
        PublicResult::BeforeAfter(b) => hide_estimates(b, Status::HiddenSecondary),
    }
}

/// Whether `slot` is still published in `p` (not left out with its cohort).
fn open_for(p: &PublicResult, slot: &Slot) -> bool {
    match (p, slot) {
        (_, Slot::Patients | Slot::Eligible | Slot::Exposed | Slot::Matched | Slot::Controls) => {
            true
        }
        (PublicResult::CareChain(c), Slot::Step(_) | Slot::Day30(_) | Slot::Path(_)) => {
            c.patients.value.is_some() && !c.steps.is_empty()
        }
        (PublicResult::CostOverTime(c), Slot::Month(m)) => {
            c.patients.value.is_some() && c.months.iter().any(|x| x.month == *m)
        }
        _ => false,
    }
}

/// The one-way table of `slot`: the regions where it is still published, one cell for the
/// regions where it was left out with their cohort (their sum follows from the margin), and
/// Sweden. Returns the table and the open regions (cells 0.., then the closed cell if any,
/// then Sweden last).
fn slot_table(
    results: &[AnalysisResult],
    out: &[PublicResult],
    t: usize,
    parts: &[usize],
    slot: &Slot,
) -> (Table, Vec<usize>) {
    let (open, closed): (Vec<usize>, Vec<usize>) =
        parts.iter().partition(|i| open_for(&out[**i], slot));
    let mut table = Table::new();
    let mut ids: Vec<_> = open
        .iter()
        .map(|i| table.add_cell(CellInput::count(count_of(&results[*i], slot))))
        .collect();
    if !closed.is_empty() {
        let sum = closed.iter().map(|i| count_of(&results[*i], slot)).sum();
        ids.push(table.add_cell(CellInput::count(sum)));
    }
    let total = table.add_cell(CellInput::count(count_of(&results[t], slot)));
    table.add_margin(total, ids);
    (table, open)
}

/// What the public may see of a whole run: `results` holds Sweden (`00`) and the regions.
pub fn public_all(results: &[AnalysisResult], policy: &DisclosurePolicy) -> Vec<PublicResult> {
    let mut out: Vec<PublicResult> = results.iter().map(|r| r.public(policy)).collect();
    let Some(t) = results.iter().position(|r| r.region() == "00") else {
        return out;
    };
    let parts: Vec<usize> = (0..results.len()).filter(|i| *i != t).collect();
    if parts.is_empty() {
        return out;
    }
    for slot in slots(&results[t], &out[t]) {
        let (table, open) = slot_table(results, &out, t, &parts, &slot);
        // Each region knows its own counts: the door protects the others against it too.
        let mut owners: Vec<Option<u32>> = open
            .iter()
            .map(|i| results[*i].region().parse().ok())
            .collect();
        owners.resize(table.cells().len(), None);
        let knowledge = Knowledge {
            owners,
            earlier: Vec::new(),
        };
        let Ok((published, _)) = policy.apply_with(&table, &knowledge) else {
            // A table that does not add up is a bug; publish nothing of the slot then.
            for p in &mut out {
                hide(p, &slot, Status::HiddenSecondary);
            }
            continue;
        };
        let cells = published.cells();
        for (k, i) in open.iter().enumerate() {
            let status = cells[k].status();
            if status.is_hidden() {
                hide(&mut out[*i], &slot, status);
            }
        }
        if let Some(total) = cells.last()
            && total.status().is_hidden()
        {
            hide(&mut out[t], &slot, total.status());
        }
    }
    // Means: Sweden's shown mean and the shown regions' give the hidden regions' total.
    let months: Vec<i32> = match &results[t] {
        AnalysisResult::CostOverTime(c) => c.months.iter().map(|m| m.month).collect(),
        _ => Vec::new(),
    };
    let total_means = means(&out[t], &results[t]);
    for (k, (_, total_shown)) in total_means.iter().enumerate() {
        if !total_shown {
            continue;
        }
        let mut region_means: Vec<(u64, bool)> = parts
            .iter()
            .map(|i| {
                means(&out[*i], &results[*i])
                    .get(k)
                    .copied()
                    .unwrap_or((0, false))
            })
            .collect();
        // A region without patients behind the mean hides nothing.
        for m in &mut region_means {
            if m.0 == 0 {
                m.1 = true;
            }
        }
        match complementary_means(&region_means, policy.analysis().min_cost_patients) {
            Some(extra) => {
                for j in extra {
                    hide_mean(&mut out[parts[j]], k, &months);
                }
            }
            None => {
                for j in 0..parts.len() {
                    hide_mean(&mut out[parts[j]], k, &months);
                }
                hide_mean(&mut out[t], k, &months);
            }
        }
    }
    // A path hidden above joins "other paths"; while that group is 1–4, more paths join it
    // (hiding more never narrows what is hidden).
    let min = policy.analysis().min_patients;
    for p in &mut out {
        if let PublicResult::CareChain(c) = p
            && let Some(mut other) = c.other_paths.value
        {
            while super::disclose::small(other, min) && !c.paths.is_empty() {
                let (_, n) = c.paths.pop().expect("not empty");
                other += n;
            }
            c.other_paths = super::disclose::count(other, min);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lone_hidden_mean_takes_the_smallest_shown_one_with_it() {
        // Region 2 (4 patients) is hidden; Sweden's mean minus the others' would give it.
        let parts = [(40, true), (4, false), (25, true), (12, true)];
        assert_eq!(complementary_means(&parts, 10), Some(vec![3]));
        // Two hidden with enough patients together: nothing more.
        let parts = [(40, true), (6, false), (7, false)];
        assert_eq!(complementary_means(&parts, 10), Some(vec![]));
        // Nothing hidden: nothing more.
        assert_eq!(
            complementary_means(&[(40, true), (30, true)], 10),
            Some(vec![])
        );
        // One region only, hidden: the total must go too.
        assert_eq!(complementary_means(&[(4, false)], 10), None);
    }
}
