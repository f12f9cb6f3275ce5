//! Computation that follows the data: after one region's new month, and after a region's
//! corrected month, a run that starts from the previous run's fine rows and queries only what
//! the changes can reach equals a full computation, row for row and bit for bit.

use super::{ingest, without_last_row, world_holding};
use std::collections::{BTreeMap, BTreeSet};
use vardhub_engine::indicator::compute::FineRow;
use vardhub_engine::indicator::reach::Change;
use vardhub_engine::indicator::{Computed, Prior, builtin, compute, compute_after};
use vardhub_store::Snapshot;

/// Delivered tables (per region and month) in one snapshot and not the other, either way.
fn changes(before: &Snapshot, after: &Snapshot) -> Vec<Change> {
    let ids =
        |s: &Snapshot| -> BTreeSet<String> { s.deliveries.iter().map(|d| d.id.clone()).collect() };
    let (b, a) = (ids(before), ids(after));
    let mut out = BTreeSet::new();
    for (snap, other) in [(before, &a), (after, &b)] {
        for d in snap.deliveries.iter().filter(|d| !other.contains(&d.id)) {
            for f in &d.files {
                out.insert(Change {
                    table: f.table.clone(),
                    region: d.region.clone(),
                    period: d.period.clone(),
                });
            }
        }
    }
    out.into_iter().collect()
}

fn prior(computed: &Computed, changes: Vec<Change>) -> Prior {
    Prior {
        fine: computed.fine.iter().cloned().collect(),
        changes,
    }
}

fn fine_of<'a>(c: &'a Computed, id: &str) -> &'a [FineRow] {
    &c.fine.iter().find(|(i, _)| i == id).unwrap().1
}

/// The fine rows of `id` outside region `region`, by (region, period).
fn elsewhere(rows: &[FineRow], region: &str) -> BTreeMap<(String, String), f64> {
    let mut out = BTreeMap::new();
    for r in rows.iter().filter(|r| r.region != region) {
        *out.entry((r.region.clone(), r.period.clone())).or_default() += r.numerator;
    }
    out
}

fn assert_same(partial: &Computed, full: &Computed, step: &str) {
    assert_eq!(partial.rows.len(), full.rows.len(), "{step}: result rows");
    for (p, f) in partial.rows.iter().zip(&full.rows) {
        assert_eq!(p, f, "{step}: a result differs from the full run's");
    }
    assert_eq!(partial.fine, full.fine, "{step}: fine rows");
    assert_eq!(partial.without_data, full.without_data, "{step}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_new_month_and_a_corrected_month_are_queried_only_where_they_reach_and_equal_a_full_run()
{
    const HELD: &str = "vardkontakter-13-2024-03";
    let w = world_holding(0.01, "2024-01", "2024-03", &[HELD]).await;
    let recipes: Vec<_> = builtin().values().collect();
    let first_snapshot = w.hub.snapshot(None, None).await.unwrap();
    let first = compute(&first_snapshot, &recipes).await.unwrap();
    assert!(first.partly_queried.is_empty(), "nothing to start from");

    // Halland's March contacts arrive.
    ingest(&w.hub, &w.out.join(HELD)).await;
    let second_snapshot = w.hub.snapshot(None, None).await.unwrap();
    let step = changes(&first_snapshot, &second_snapshot);
    assert!(
        step.iter()
            .all(|c| c.region == "13" && c.period == "2024-03")
    );
    assert!(step.iter().any(|c| c.table == "kontakter"));
    let partial = compute_after(&second_snapshot, &recipes, &prior(&first, step))
        .await
        .unwrap();
    let full = compute(&second_snapshot, &recipes).await.unwrap();
    assert_same(&partial, &full, "new month");
    // Every indicator started from the earlier run; none was queried over the whole lake.
    assert_eq!(partial.partly_queried.len(), recipes.len());
    // The rule's reach is exercised: residents of other regions treated in Halland change
    // other regions' rows of a per-inhabitant indicator.
    for id in ["vardtillfallen_per_1000", "vardkostnad_per_invanare"] {
        let (a, b) = (
            elsewhere(fine_of(&first, id), "13"),
            elsewhere(fine_of(&full, id), "13"),
        );
        assert!(
            a.iter().any(|(k, v)| b.get(k) != Some(v)) || a.len() != b.len(),
            "{id}: Halland's month changes no other region's rows, so the test proves nothing"
        );
    }

    // Västerbotten corrects February (one contact less): its new version replaces the old.
    let feb = w.out.join("vardkontakter-24-2024-02");
    let corrected = w.out.join("corrected").join("vardkontakter-24-2024-02");
    without_last_row(&feb, &corrected);
    ingest(&w.hub, &corrected).await;
    let third_snapshot = w.hub.snapshot(None, None).await.unwrap();
    let step = changes(&second_snapshot, &third_snapshot);
    assert!(
        step.iter()
            .all(|c| c.region == "24" && c.period == "2024-02")
    );
    let partial = compute_after(&third_snapshot, &recipes, &prior(&full, step))
        .await
        .unwrap();
    let again = compute(&third_snapshot, &recipes).await.unwrap();
    assert_same(&partial, &again, "corrected month");
    assert!(
        partial.fine != full.fine,
        "the correction changed nothing, so the test proves nothing"
    );
}
