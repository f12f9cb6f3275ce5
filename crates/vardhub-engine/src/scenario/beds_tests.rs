//! Validation of the bed model against the closed forms (`methods.md` §6.2) and its
//! reproducibility. Monte-Carlo comparisons allow 4 standard errors, the SE estimated from the
//! spread over replications.

use super::*;
use crate::scenario::{erlang_b, poisson_census};

/// An exponential LOS distribution (mean `mean_hours`) as a deterministic quantile grid.
fn exponential_sample(mean_hours: f64, n: usize) -> Vec<f64> {
    (0..n)
        .map(|i| -mean_hours * (1.0 - (i as f64 + 0.5) / n as f64).ln())
        .collect()
}

fn mean(v: &[f64]) -> f64 {
    v.iter().sum::<f64>() / v.len() as f64
}

/// A stationary model: `per_day` arrivals a day, one stratum, `beds` beds every day.
fn stationary(per_day: f64, los: Vec<f64>, beds: u32, warmup: usize, days: usize) -> BedModel {
    let total = warmup + days;
    BedModel {
        hourly_arrivals: vec![per_day / 24.0; 24 * total],
        strata: vec![Stratum::new(1.0, los)],
        initial_remaining_hours: Vec::new(),
        staffed_beds: vec![beds; total],
        warmup_days: warmup,
        policy: Policy::Overflow,
    }
}

#[track_caller]
fn within_se(got: &Band, want: f64, k: f64) {
    assert!(got.se > 0.0, "no Monte-Carlo spread: {got:?}");
    let z = (got.mean - want) / got.se;
    eprintln!(
        "MC check: {} vs {want}: {z:+.2} SE (SE {:.3e})",
        got.mean, got.se
    );
    assert!(
        z.abs() <= k,
        "mean {} vs {want}: {z:.2} SE (SE {})",
        got.mean,
        got.se
    );
}

#[test]
fn loss_mode_blocking_matches_erlang_b() {
    // M/M/c/c: λ = 30/day, exponential LOS mean 5 days, c = 160 (methods.md: B ≈ 0.0282).
    let los = exponential_sample(120.0, 20_000);
    let a = 30.0 * mean(&los) / 24.0;
    let mut model = stationary(30.0, los, 160, 40, 365);
    model.policy = Policy::Loss;
    let out = model.run(20_240_601, 100).unwrap();
    let want = erlang_b(160, a).unwrap();
    within_se(&out.summary.blocking, want, 4.0);
    // The check has teeth: the MC error is a small fraction of B.
    assert!(
        out.summary.blocking.se < 0.15 * want,
        "{:?}",
        out.summary.blocking
    );
    // No census ever exceeds the beds in loss mode.
    assert!(
        out.replications
            .iter()
            .all(|r| r.census.iter().all(|&n| n <= 160))
    );
}

#[test]
fn overflow_census_is_poisson_with_exponential_los() {
    let los = exponential_sample(120.0, 20_000);
    let a = 30.0 * mean(&los) / 24.0;
    let c = 160;
    let out = stationary(30.0, los, c, 40, 365).run(7, 100).unwrap();
    let tail = poisson_census(a, c).unwrap();
    let s = &out.summary;
    within_se(&s.mean_census, a, 4.0);
    within_se(&s.p_over_capacity, tail.p_over, 4.0);
    // Överbeläggningar per 100 beds = 100 · E[(N − c)⁺] / c.
    within_se(
        &s.overbelaggningar_per_100,
        100.0 * tail.expected_overflow / f64::from(c),
        4.0,
    );
    within_se(&s.mean_occupancy, a / f64::from(c), 4.0);
    assert!(s.p_over_capacity.se < 0.15 * tail.p_over);
}

/// The empirical-LOS vector of methods.md §6.2 as a sample of 100 stays (in hours).
fn empirical_los_sample() -> Vec<f64> {
    let mut v = Vec::new();
    const EMPIRICAL_LOS: [(u32, f64); 9] = [
        (1, 0.18),
        (2, 0.17),
        (3, 0.14),
        (4, 0.11),
        (5, 0.10),
        (7, 0.10),
        (10, 0.08),
        (14, 0.07),
        (21, 0.05),
    ];
    for (nights, p) in EMPIRICAL_LOS {
        let n = (p * 100.0_f64).round() as usize;
        v.extend(std::iter::repeat_n(24.0 * f64::from(nights), n));
    }
    assert_eq!(v.len(), 100);
    v
}

#[test]
fn empirical_los_vector_within_monte_carlo_error() {
    let out = stationary(30.0, empirical_los_sample(), 165, 25, 365)
        .run(11, 100)
        .unwrap();
    within_se(&out.summary.mean_census, 162.3, 4.0);
    within_se(&out.summary.p_over_capacity, 0.396_115_857_1, 4.0);
    assert!(out.summary.p_over_capacity.se < 0.02);
}

#[test]
fn los_factor_lowers_mean_census_by_littles_law() {
    let base = stationary(30.0, empirical_los_sample(), 165, 25, 365);
    let mut shorter = base.clone();
    shorter.strata[0].los_factor = 0.9;
    let b = base.run(3, 100).unwrap().summary.mean_census;
    let s = shorter.run(3, 100).unwrap().summary.mean_census;
    within_se(&b, 162.3, 4.0);
    within_se(&s, 0.9 * 162.3, 4.0);
    let ratio = s.mean / b.mean;
    let se = ratio * ((b.se / b.mean).powi(2) + (s.se / s.mean).powi(2)).sqrt();
    assert!((ratio - 0.9).abs() <= 4.0 * se, "ratio {ratio} ± {se}");
}

#[test]
fn same_seed_same_results_whatever_the_threads() {
    let mut model = stationary(30.0, empirical_los_sample(), 160, 5, 60);
    let one = model.run_with_threads(99, 9, 1).unwrap();
    let three = model.run_with_threads(99, 9, 3).unwrap();
    assert_eq!(one, three);
    assert_eq!(one.replications[4], model.simulate(99, 4).unwrap());
    assert_ne!(one, model.run_with_threads(100, 9, 3).unwrap());
    model.policy = Policy::Loss;
    assert_eq!(
        model.run_with_threads(5, 5, 1).unwrap(),
        model.run_with_threads(5, 5, 2).unwrap()
    );
}

#[test]
fn initial_patients_are_counted_at_six() {
    let model = BedModel {
        hourly_arrivals: vec![0.0; 48],
        strata: vec![Stratum::new(1.0, vec![24.0])],
        initial_remaining_hours: vec![5.0, 7.0, 30.0, 31.0],
        staffed_beds: vec![2, 2],
        warmup_days: 0,
        policy: Policy::Overflow,
    };
    let out = model.run(1, 3).unwrap();
    let r = &out.replications[0];
    assert_eq!(r.census, vec![3, 1]);
    assert_eq!(r.overbelaggningar, vec![1, 0]);
    assert_eq!((r.days_over_capacity, r.bed_days), (1, 4));
    let s = &out.summary;
    assert_eq!(s.bed_days.mean, 4.0);
    assert_eq!(s.days_over_capacity.mean, 1.0);
    assert_eq!(s.p_over_capacity.mean, 0.5);
    assert_eq!(s.overbelaggningar_per_100.mean, 25.0);
    assert_eq!(s.mean_occupancy.mean, 1.0);
    assert_eq!(out.census[0].median, 3.0);
    assert_eq!(out.census[1].upper, 1.0);
}

#[test]
fn demand_factor_scales_a_strata_share_of_arrivals() {
    let mut model = stationary(48.0, vec![24.0], 100, 0, 100);
    model.strata = vec![
        Stratum::new(0.5, vec![24.0]),
        Stratum {
            demand_factor: 2.0,
            ..Stratum::new(0.5, vec![48.0])
        },
    ];
    let s = model.run(2, 20).unwrap().summary;
    // 48/day × (0.5 + 0.5·2) = 72/day.
    within_se(&s.admissions, 7_200.0, 4.0);
    // Stationary census (from day 2 on): 24/day staying 1 day + 48/day staying 2 days = 120.
    let out = model.run(2, 20).unwrap();
    let late: Vec<f64> = out.census[5..].iter().map(|b| b.mean).collect();
    assert!((mean(&late) - 120.0).abs() < 2.0, "{}", mean(&late));
}

#[test]
fn invalid_models_are_refused() {
    let good = stationary(30.0, vec![24.0], 10, 0, 3);
    let mut m = good.clone();
    m.strata[0].los_hours.clear();
    assert!(matches!(m.run(1, 1), Err(ScenarioError::Empty { .. })));
    let mut m = good.clone();
    m.hourly_arrivals[3] = -1.0;
    assert!(matches!(m.run(1, 1), Err(ScenarioError::Invalid { .. })));
    let mut m = good.clone();
    m.hourly_arrivals.pop();
    assert!(matches!(m.run(1, 1), Err(ScenarioError::Length { .. })));
    let mut m = good.clone();
    m.warmup_days = 3;
    assert!(m.run(1, 1).is_err());
    let mut m = good.clone();
    m.strata[0].los_factor = f64::NAN;
    assert!(m.run(1, 1).is_err());
    assert!(good.run(1, 0).is_err());
}

/// The budget: a 12-month bed scenario for one region with its replications in under
/// 10 s. Run with `cargo test --release -p vardhub-engine --lib scenario_bed_model_speed --
/// --ignored --nocapture`.
#[test]
#[ignore]
fn scenario_bed_model_speed() {
    use crate::scenario::{ArrivalProfile, REPLICATIONS};
    let start = chrono::NaiveDate::from_ymd_opt(2025, 1, 1).unwrap();
    let mut profile = ArrivalProfile::constant(300.0).unwrap();
    for (i, f) in profile.hour_of_week.iter_mut().enumerate() {
        let hour = i % 24;
        *f = if (8..18).contains(&hour) { 1.6 } else { 0.6 };
    }
    profile.month[6] = 0.8;
    let hourly = profile.hourly_intensity(start, 365);
    // Ten strata with skewed LOS (exponential grids, means ½–5 days; 2.75 days overall).
    let strata: Vec<Stratum> = (1..=10)
        .map(|k| Stratum::new(0.1, exponential_sample(24.0 * f64::from(k) / 2.0, 2_000)))
        .collect();
    let model = BedModel {
        hourly_arrivals: hourly,
        strata,
        initial_remaining_hours: exponential_sample(66.0, 800),
        // Fewer staffed beds at weekends (2025-01-01 is a Wednesday).
        staffed_beds: (0..365)
            .map(|d| if (d + 2) % 7 >= 5 { 780 } else { 840 })
            .collect(),
        warmup_days: 0,
        policy: Policy::Overflow,
    };
    let t = std::time::Instant::now();
    let out = model.run(1, REPLICATIONS).unwrap();
    let elapsed = t.elapsed();
    eprintln!(
        "bed model: 365 days, {} admissions/replication on average, R = {}, {} threads: {:.3} s \
         (mean census {:.1}, överbeläggningar/100 {:.2})",
        out.summary.admissions.mean,
        REPLICATIONS,
        crate::scenario::default_threads(),
        elapsed.as_secs_f64(),
        out.summary.mean_census.mean,
        out.summary.overbelaggningar_per_100.mean,
    );
}
