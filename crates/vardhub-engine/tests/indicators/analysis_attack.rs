//! The independent attack on published analyses: every count that adds up over regions
//! (patients, each step's patients, each month's patients, the before/after groups) is read
//! back from the public results as a one-way table — regions and Sweden — with the statuses the
//! public sees, and attacked by `support/attack` (exhaustive search over completions, the public
//! and every region as an insider knowing its own cells). No hidden count may be narrowed below
//! the policy's protection width; and every value shown rests on enough patients.

use super::attack::{Publication, Reading, Scenario, Seen, all_shortfalls};
use vardhub_engine::analysis::disclose::PublicCount;
use vardhub_engine::analysis::{AnalysisResult, PublicResult};
use vardhub_engine::disclosure::{CellId, CellInput, DisclosurePolicy, Status, Table};

/// The additive counts of a result, unsuppressed and as published (`None`: left out with the
/// cohort).
fn counts(r: &AnalysisResult, p: &PublicResult) -> Vec<(String, u64, Option<PublicCount>)> {
    let mut out = Vec::new();
    match (r, p) {
        (AnalysisResult::CareChain(r), PublicResult::CareChain(p)) => {
            out.push(("patients".into(), r.patients, Some(p.patients)));
            for s in &r.steps {
                let shown = p.steps.iter().find(|x| x.id == s.id).map(|x| x.reached);
                out.push((format!("step {}", s.id), s.reached, shown));
            }
        }
        (AnalysisResult::CostOverTime(r), PublicResult::CostOverTime(p)) => {
            out.push(("patients".into(), r.patients, Some(p.patients)));
            for m in &r.months {
                let shown = p
                    .months
                    .iter()
                    .find(|x| x.month == m.month)
                    .map(|x| x.patients);
                out.push((format!("month {}", m.month), m.patients, shown));
            }
        }
        (AnalysisResult::BeforeAfter(r), PublicResult::BeforeAfter(p)) => {
            out.push(("eligible".into(), r.eligible, Some(p.eligible)));
            out.push(("exposed".into(), r.exposed, Some(p.exposed)));
            out.push(("matched".into(), r.matched, Some(p.matched)));
            out.push(("controls".into(), r.controls, Some(p.controls)));
        }
        _ => panic!("public result of another kind"),
    }
    out
}

/// Attack every additive count of a run published as `public` (Sweden `00` among `results`).
/// Returns how many hidden counts were attacked.
pub fn attack_run(
    results: &[AnalysisResult],
    public: &[PublicResult],
    policy: &DisclosurePolicy,
) -> usize {
    assert_eq!(results.len(), public.len());
    let rules = *policy.analysis();
    let t = results.iter().position(|r| r.region() == "00").unwrap();
    let order: Vec<usize> = (0..results.len())
        .filter(|i| *i != t)
        .chain(std::iter::once(t))
        .collect();
    let per: Vec<Vec<(String, u64, Option<PublicCount>)>> = order
        .iter()
        .map(|i| counts(&results[*i], &public[*i]))
        .collect();
    let (regions, sweden) = per.split_at(per.len() - 1);
    let mut attacked = 0;
    for k in 0..sweden[0].len() {
        let name = &sweden[0][k].0;
        let mut table = Table::new();
        let mut statuses = Vec::new();
        let mut owners = Vec::new();
        let mut closed = 0;
        let mut any_closed = false;
        for (r, row) in regions.iter().enumerate() {
            assert_eq!(&row[k].0, name);
            match row[k].2 {
                Some(shown) => {
                    table.add_cell(CellInput::count(row[k].1));
                    statuses.push(status_of(name, row[k].1, shown, &rules));
                    owners.push(Some(r as u32));
                }
                None => {
                    closed += row[k].1;
                    any_closed = true;
                }
            }
        }
        let open = statuses.len();
        if any_closed {
            table.add_cell(CellInput::count(closed));
            owners.push(None);
        }
        let (truth, shown) = (
            sweden[0][k].1,
            sweden[0][k].2.expect("Sweden's counts are listed"),
        );
        table.add_cell(CellInput::count(truth));
        owners.push(None);
        let parts = (0..table.cells().len() - 1).map(CellId).collect();
        table.add_margin(CellId(table.cells().len() - 1), parts);
        // The closed cell's status is the door's (deterministic from the documented rules).
        let knowledge = vardhub_engine::disclosure::Knowledge {
            owners: owners.clone(),
            earlier: Vec::new(),
        };
        let (door, _) = policy.apply_with(&table, &knowledge).unwrap();
        if any_closed {
            statuses.push(door.cells()[open].status());
        }
        statuses.push(status_of(name, truth, shown, &rules));
        if statuses.iter().all(|s| !s.is_hidden()) {
            continue;
        }
        attacked += statuses.iter().filter(|s| s.is_hidden()).count();
        let scenario = Scenario {
            releases: vec![Seen {
                publication: Publication::from_statuses(&table, &statuses, policy),
                truth: &table,
                owners,
            }],
            links: Vec::new(),
            reading: Reading::default(),
        };
        let shortfalls = all_shortfalls(&scenario);
        assert!(
            shortfalls.is_empty(),
            "{name}: {shortfalls:?} (statuses {statuses:?})"
        );
    }
    attacked
}

fn status_of(
    name: &str,
    truth: u64,
    shown: PublicCount,
    rules: &vardhub_engine::disclosure::AnalysisRules,
) -> Status {
    if let Some(v) = shown.value {
        assert_eq!(v, truth, "{name}: a shown count differs from the truth");
        assert!(v == 0 || v >= rules.min_patients, "{name}: {v} shown");
    }
    assert!(
        shown.value.is_some() == shown.status.is_published(),
        "{name}: {shown:?}"
    );
    shown.status
}
