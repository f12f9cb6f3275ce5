//! The waiting-list model against `methods.md` §6.3: the deterministic day-step table exactly,
//! and the M/M/1 (and M/M/c) waiting-time tails within Monte-Carlo error.

use super::*;
use crate::scenario::{mm1_wait_exceeds, mmc_wait_exceeds};
use crate::stats::testutil::assert_rel;

/// The day-step vector's model: 1 000 patients with ages ⌊(999 − i)/12⌋, 13 additions a day,
/// `capacity` removals a day, 365 days.
fn day_step(capacity: f64) -> WaitingListModel {
    WaitingListModel {
        initial_ages_days: (0..1000u32).map(|i| (999 - i) / 12).collect(),
        period_days: 1,
        additions: Flow::constant(13.0, 365, FlowKind::Deterministic),
        capacity: Flow::constant(capacity, 365, FlowKind::Deterministic),
        capacity_factor: 1.0,
        threshold_days: 90,
    }
}

/// capacity, treated, mean wait, treated > 90, share, max wait, list, on list > 90, share.
type Row = (f64, u32, f64, u32, f64, u32, u32, u32, f64);

#[test]
fn deterministic_day_step_table_is_reproduced_exactly() {
    // capacity, treated, mean wait, treated > 90, share, max wait, list, on list > 90, share.
    let rows: [Row; 3] = [
        (
            12.0,
            4380,
            91.4652968,
            2262,
            0.5164383562,
            105,
            1365,
            195,
            0.1428571429,
        ),
        (13.0, 4745, 77.38798736, 0, 0.0, 83, 1000, 0, 0.0),
        (14.0, 5110, 63.31624266, 0, 0.0, 83, 635, 0, 0.0),
    ];
    for (c, treated, mean_wait, over, share, max, list, list_over, list_share) in rows {
        let model = day_step(c);
        let r = model.simulate(1, 0).unwrap();
        let done: u32 = r.completed.iter().sum();
        let done_over: u32 = r.completed_over.iter().sum();
        let waited: u64 = r.completed_wait_days.iter().sum();
        assert_eq!(done, treated, "c = {c}");
        assert_rel(waited as f64 / f64::from(done), mean_wait, 1e-9);
        assert_eq!(done_over, over);
        assert_rel(f64::from(done_over) / f64::from(done), share, 1e-9);
        assert_eq!(r.max_wait, max);
        assert_eq!(r.length[364], list);
        assert_eq!(r.waiting_over[364], list_over);
        assert_rel(f64::from(list_over) / f64::from(list), list_share, 1e-9);
        // The Monte-Carlo wrapper gives the same numbers with zero spread.
        let s = model.run(1, 3).unwrap().summary;
        assert_eq!(s.final_length.lower, f64::from(list));
        assert_eq!(s.final_length.upper, f64::from(list));
        assert_rel(s.share_completed_over.mean, share, 1e-9);
        assert_rel(s.final_share_waiting_over.mean, list_share, 1e-9);
        assert_rel(s.mean_completed_wait.mean, mean_wait, 1e-9);
        assert_eq!(s.max_wait.mean, f64::from(max));
    }
    // With c = 12 the first wait over 90 days ends on day 171 (91 days).
    let r = day_step(12.0).simulate(1, 0).unwrap();
    let first = r.completed_over.iter().position(|&n| n > 0).unwrap();
    assert_eq!(first, 171);
}

#[test]
fn capacity_factor_and_stock_flow() {
    // Stock-flow: 1 200 + (400 − 380)·m after m months (monthly periods of 30 days).
    let model = WaitingListModel {
        initial_ages_days: vec![0; 1200],
        period_days: 30,
        additions: Flow::constant(400.0, 12, FlowKind::Deterministic),
        capacity: Flow::constant(380.0, 12, FlowKind::Deterministic),
        capacity_factor: 1.0,
        threshold_days: 90,
    };
    let r = model.simulate(0, 0).unwrap();
    assert_eq!(
        [r.length[2], r.length[5], r.length[8], r.length[11]],
        [1260, 1320, 1380, 1440]
    );
    // 12/day × 1.10 = 13.2/day: 66 every 5 days, fractions carried.
    let mut m = day_step(12.0);
    m.capacity_factor = 1.1;
    let r = m.simulate(0, 0).unwrap();
    assert_eq!(r.completed[..5].iter().sum::<u32>(), 66);
    assert_eq!(r.completed.iter().sum::<u32>(), 4818); // ⌊13.2 · 365⌋
}

#[test]
fn poisson_flows_are_reproducible_with_bands() {
    let mut m = day_step(13.0);
    m.additions.kind = FlowKind::Poisson;
    m.capacity.kind = FlowKind::Poisson;
    m.period_days = 7;
    m.additions = Flow::constant(91.0, 52, FlowKind::Poisson);
    m.capacity = Flow::constant(91.0, 52, FlowKind::Poisson);
    let a = m.run_with_threads(4, 30, 1).unwrap();
    assert_eq!(a, m.run_with_threads(4, 30, 2).unwrap());
    assert_eq!(a.length.len(), 52);
    let s = &a.summary;
    assert!(s.final_length.lower < s.final_length.median);
    assert!(s.final_length.median < s.final_length.upper);
    // Balanced flows: the list neither grows nor shrinks on average (random walk, SD ≈ √(2·91·52)).
    assert!((s.final_length.mean - 1000.0).abs() < 4.0 * s.final_length.se + 1.0);
    let mut bad = m.clone();
    bad.capacity.means.pop();
    assert!(matches!(bad.run(1, 1), Err(ScenarioError::Length { .. })));
    bad = m.clone();
    bad.capacity_factor = 0.0;
    assert!(bad.run(1, 1).is_err());
}

/// Share of `waits` above `t`, per replication → band.
fn tail_band(reps: &[Vec<f64>], t: f64) -> Band {
    let shares: Vec<f64> = reps
        .iter()
        .map(|w| w.iter().filter(|&&x| x > t).count() as f64 / w.len() as f64)
        .collect();
    Band::from_values(&shares).unwrap()
}

#[test]
fn mm1_waiting_time_tail_matches_closed_form() {
    // λ = 0.9, μ = 1 per day (methods.md §6.3): P(W_q > t) at t = 1, 10, 30.
    let (warmup, n, r) = (20_000, 200_000, 40);
    let reps: Vec<Vec<f64>> = (0..r)
        .map(|i| simulate_mmc_waits(0.9, 1.0, 1, warmup + n, 2024, i).unwrap()[warmup..].to_vec())
        .collect();
    for t in [1.0, 10.0, 30.0] {
        let want = mm1_wait_exceeds(0.9, 1.0, t).unwrap();
        let b = tail_band(&reps, t);
        let z = (b.mean - want) / b.se;
        eprintln!(
            "MC check t = {t}: {} vs {want}: {z:+.2} SE (SE {:.3e})",
            b.mean, b.se
        );
        assert!(z.abs() <= 4.0, "t = {t}: {} vs {want} ({z:.2} SE)", b.mean);
        assert!(b.se < 0.1 * want, "t = {t}: SE {}", b.se);
    }
}

#[test]
fn mmc_waiting_time_tail_matches_erlang_c() {
    // Three servers, a = 2.4 (ρ = 0.8).
    let (warmup, n, r) = (5_000, 50_000, 30);
    let reps: Vec<Vec<f64>> = (0..r)
        .map(|i| simulate_mmc_waits(2.4, 1.0, 3, warmup + n, 77, i).unwrap()[warmup..].to_vec())
        .collect();
    for t in [0.0, 1.0, 3.0] {
        let want = mmc_wait_exceeds(3, 2.4, 1.0, t).unwrap();
        let b = tail_band(&reps, t);
        let z = (b.mean - want) / b.se;
        eprintln!(
            "MC check t = {t}: {} vs {want}: {z:+.2} SE (SE {:.3e})",
            b.mean, b.se
        );
        assert!(z.abs() <= 4.0, "t = {t}: {} vs {want} ({z:.2} SE)", b.mean);
    }
    assert!(simulate_mmc_waits(1.0, 1.0, 0, 10, 1, 0).is_err());
    assert!(simulate_mmc_waits(-1.0, 1.0, 1, 10, 1, 0).is_err());
}
