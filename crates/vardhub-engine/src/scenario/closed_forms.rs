//! Closed forms for beds and queues (`methods.md` §6.1–§6.3): Little's law, Erlang B and C,
//! the Poisson (M/G/∞) census and waiting-time tails of M/M/1 and M/M/c. They validate the
//! simulators and give quick answers for stationary cases.

use serde::{Deserialize, Serialize};

use super::{ScenarioError, non_negative, positive, probability};
use crate::stats::special::gamma_pq;

/// Little's law `L = λW`: the mean census (occupied beds) for `admissions_per_day` and a mean
/// length of stay of `mean_los_days`.
pub fn little_census(admissions_per_day: f64, mean_los_days: f64) -> Result<f64, ScenarioError> {
    Ok(non_negative("admissions_per_day", admissions_per_day)?
        * non_negative("mean_los_days", mean_los_days)?)
}

/// Beds needed for a target mean occupancy `ρ*`: `c = λW/ρ*` (not rounded; round up for a
/// whole number of beds).
pub fn beds_for_occupancy(
    admissions_per_day: f64,
    mean_los_days: f64,
    target_occupancy: f64,
) -> Result<f64, ScenarioError> {
    let rho = positive("target_occupancy", target_occupancy)?;
    Ok(little_census(admissions_per_day, mean_los_days)? / rho)
}

/// Beds freed on average by shortening the mean stay by `los_reduction_days`: `λΔW`.
pub fn beds_freed(admissions_per_day: f64, los_reduction_days: f64) -> Result<f64, ScenarioError> {
    let dw = los_reduction_days;
    if !dw.is_finite() {
        return Err(ScenarioError::Invalid {
            name: "los_reduction_days",
            value: dw,
            requirement: "finite",
        });
    }
    Ok(non_negative("admissions_per_day", admissions_per_day)? * dw)
}

/// Erlang B blocking `B(c, a)` of the loss system M/G/c/c with offered load `a` (erlangs), by
/// the stable recursion `B(0) = 1`, `B(k) = aB(k−1) / (k + aB(k−1))`.
pub fn erlang_b(servers: u32, offered_load: f64) -> Result<f64, ScenarioError> {
    let a = non_negative("offered_load", offered_load)?;
    let mut b = 1.0;
    for k in 1..=servers {
        b = a * b / (f64::from(k) + a * b);
    }
    Ok(b)
}

/// Erlang C, the probability of waiting in M/M/c: `C(c, a) = cB / (c − a(1 − B))`; requires
/// `a < c` (a stable queue).
pub fn erlang_c(servers: u32, offered_load: f64) -> Result<f64, ScenarioError> {
    let a = non_negative("offered_load", offered_load)?;
    let c = f64::from(servers);
    if a >= c {
        return Err(ScenarioError::Invalid {
            name: "offered_load",
            value: a,
            requirement: "< number of servers (stable queue)",
        });
    }
    let b = erlang_b(servers, a)?;
    Ok(c * b / (c - a * (1.0 - b)))
}

/// The Erlang loss model for a ward: patients refused when all beds are full.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ErlangLoss {
    /// Offered load `a = λW` (erlangs, occupied beds without a limit).
    pub offered_load: f64,
    /// Blocking probability `B(c, a)`.
    pub blocking: f64,
    /// Patients refused per day `λB`.
    pub refused_per_day: f64,
    /// Carried occupancy `a(1 − B)/c`.
    pub carried_occupancy: f64,
}

/// The Erlang loss model with `beds` beds, `admissions_per_day` offered and mean stay
/// `mean_los_days` (insensitive to the LOS distribution).
pub fn erlang_loss(
    beds: u32,
    admissions_per_day: f64,
    mean_los_days: f64,
) -> Result<ErlangLoss, ScenarioError> {
    if beds == 0 {
        return Err(ScenarioError::Invalid {
            name: "beds",
            value: 0.0,
            requirement: "≥ 1",
        });
    }
    let a = little_census(admissions_per_day, mean_los_days)?;
    let blocking = erlang_b(beds, a)?;
    Ok(ErlangLoss {
        offered_load: a,
        blocking,
        refused_per_day: admissions_per_day * blocking,
        carried_occupancy: a * (1.0 - blocking) / f64::from(beds),
    })
}

/// Tail quantities of the census `N ~ Poisson(a)` against `c` beds.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct CensusTail {
    /// `P(N ≥ c)`: all beds needed.
    pub p_at_least: f64,
    /// `P(N > c)`: more patients than beds.
    pub p_over: f64,
    /// `E[(N − c)⁺]`: expected overflow (överbeläggningar) per day.
    pub expected_overflow: f64,
}

/// `P(N ≥ k)` for `N ~ Poisson(a)`, computed in the tail that keeps full relative accuracy.
fn poisson_at_least(k: u64, a: f64) -> f64 {
    if k == 0 {
        1.0
    } else if a == 0.0 {
        0.0
    } else {
        // P(N ≥ k) = P(k, a), the regularised lower incomplete gamma function.
        gamma_pq(k as f64, a).0
    }
}

/// The M/G/∞ census with offered load `a` against `beds` beds (`methods.md` §6.2): with
/// Poisson arrivals and any LOS distribution the census is Poisson(a).
/// `E[(N − c)⁺] = a·P(N ≥ c) − c·P(N > c)`.
pub fn poisson_census(offered_load: f64, beds: u32) -> Result<CensusTail, ScenarioError> {
    let a = non_negative("offered_load", offered_load)?;
    let c = u64::from(beds);
    let p_at_least = poisson_at_least(c, a);
    let p_over = poisson_at_least(c + 1, a);
    let expected_overflow = (a * p_at_least - c as f64 * p_over).max(0.0);
    Ok(CensusTail {
        p_at_least,
        p_over,
        expected_overflow,
    })
}

/// The mean midnight (or 06:00) census with a discrete LOS distribution: a patient staying `L`
/// nights is counted at `L` consecutive censuses, so the census is Poisson(`λ Σ_k P(L ≥ k)` =
/// `λE[L]`). `los_pmf` is `(nights, probability)`; the probabilities must sum to 1 (± 1e-9).
pub fn discrete_day_census_mean(
    admissions_per_day: f64,
    los_pmf: &[(u32, f64)],
) -> Result<f64, ScenarioError> {
    if los_pmf.is_empty() {
        return Err(ScenarioError::Empty { name: "los_pmf" });
    }
    let mut total = 0.0;
    let mut mean = 0.0;
    for &(nights, p) in los_pmf {
        probability("los_pmf probability", p)?;
        total += p;
        mean += f64::from(nights) * p;
    }
    if (total - 1.0).abs() > 1e-9 {
        return Err(ScenarioError::Invalid {
            name: "los_pmf total probability",
            value: total,
            requirement: "1",
        });
    }
    little_census(admissions_per_day, mean)
}

/// The smallest number of beds with Erlang B blocking ≤ `max_blocking`.
pub fn min_beds_for_blocking(offered_load: f64, max_blocking: f64) -> Result<u32, ScenarioError> {
    let a = non_negative("offered_load", offered_load)?;
    let target = positive("max_blocking", probability("max_blocking", max_blocking)?)?;
    let mut b = 1.0;
    let mut c = 0u32;
    while b > target {
        c += 1;
        b = a * b / (f64::from(c) + a * b);
    }
    Ok(c)
}

/// The smallest number of beds `c` with `P(N > c) ≤ max_exceed` for `N ~ Poisson(a)`.
pub fn min_beds_for_census(offered_load: f64, max_exceed: f64) -> Result<u32, ScenarioError> {
    let a = non_negative("offered_load", offered_load)?;
    let target = positive("max_exceed", probability("max_exceed", max_exceed)?)?;
    // Start below the answer (the normal approximation minus a margin) and walk up.
    let mut c = (a - 10.0 * a.sqrt() - 10.0).max(0.0) as u32;
    while poisson_at_least(u64::from(c) + 1, a) > target {
        c += 1;
    }
    Ok(c)
}

fn check_rates(arrival_rate: f64, service_rate: f64, t: f64) -> Result<(), ScenarioError> {
    non_negative("arrival_rate", arrival_rate)?;
    positive("service_rate", service_rate)?;
    non_negative("t", t)?;
    Ok(())
}

/// M/M/1 (FIFO): `P(W_q > t) = ρ e^{−(μ−λ)t}`, `ρ = λ/μ < 1`.
pub fn mm1_wait_exceeds(
    arrival_rate: f64,
    service_rate: f64,
    t: f64,
) -> Result<f64, ScenarioError> {
    mmc_wait_exceeds(1, arrival_rate, service_rate, t)
}

/// M/M/c (FIFO): `P(W_q > t) = C(c, a) e^{−(cμ−λ)t}`, `a = λ/μ < c`.
pub fn mmc_wait_exceeds(
    servers: u32,
    arrival_rate: f64,
    service_rate: f64,
    t: f64,
) -> Result<f64, ScenarioError> {
    check_rates(arrival_rate, service_rate, t)?;
    let c = erlang_c(servers, arrival_rate / service_rate)?;
    Ok(c * (-(f64::from(servers) * service_rate - arrival_rate) * t).exp())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::testutil::assert_rel;

    /// `methods.md` §6.2, λ = 30/day, mean LOS 5 days (a = 150): c, B, λB, a(1−B)/c,
    /// P(N ≥ c), P(N > c), E[(N−c)⁺].
    const TABLE: [(u32, [f64; 6]); 8] = [
        (
            150,
            [
                0.06240288566,
                1.87208657,
                0.9375971143,
                0.5108582297,
                0.4783028203,
                4.883311419,
            ],
        ),
        (
            154,
            [
                0.04705124718,
                1.411537415,
                0.9281968372,
                0.3827602061,
                0.3522843783,
                3.16223666,
            ],
        ),
        (
            160,
            [
                0.02824632855,
                0.8473898564,
                0.911019067,
                0.2173508704,
                0.1946013145,
                1.466420237,
            ],
        ),
        (
            165,
            [
                0.0167631267,
                0.5028938009,
                0.893851703,
                0.1192025261,
                0.1041858805,
                0.6897086289,
            ],
        ),
        (
            170,
            [
                0.008964915544,
                0.2689474663,
                0.8744427216,
                0.05788789021,
                0.0493655325,
                0.2910430072,
            ],
        ),
        (
            176,
            [
                0.003621851778,
                0.1086555533,
                0.8491859218,
                0.02066740455,
                0.01710751365,
                0.08918827989,
            ],
        ),
        (
            183,
            [
                0.000997886061,
                0.02993658183,
                0.8188541918,
                0.004958726478,
                0.003964796832,
                0.01825115137,
            ],
        ),
        (
            190,
            [
                0.0002126134879,
                0.006378404637,
                0.7893058315,
                0.0009345452201,
                0.0007220852573,
                0.002985584134,
            ],
        ),
    ];

    #[test]
    fn erlang_and_poisson_census_match_methods_md_table() {
        for (c, v) in TABLE {
            let e = erlang_loss(c, 30.0, 5.0).unwrap();
            assert_eq!(e.offered_load, 150.0);
            // The table gives 10 significant digits (9 for some): 1e-9 relative.
            assert_rel(e.blocking, v[0], 1e-9);
            assert_rel(e.refused_per_day, v[1], 1e-8);
            assert_rel(e.carried_occupancy, v[2], 1e-9);
            let p = poisson_census(150.0, c).unwrap();
            assert_rel(p.p_at_least, v[3], 1e-9);
            assert_rel(p.p_over, v[4], 1e-9);
            assert_rel(p.expected_overflow, v[5], 1e-9);
        }
    }

    #[test]
    fn minimum_beds_and_little_match_methods_md() {
        assert_eq!(min_beds_for_blocking(150.0, 0.05).unwrap(), 154);
        assert_eq!(min_beds_for_blocking(150.0, 0.01).unwrap(), 170);
        assert_eq!(min_beds_for_blocking(150.0, 0.001).unwrap(), 183);
        assert_eq!(little_census(30.0, 5.0).unwrap(), 150.0);
        assert_rel(
            beds_for_occupancy(30.0, 5.0, 0.85).unwrap(),
            176.470_588_235_294_1,
            1e-12,
        );
        assert_eq!(beds_freed(30.0, 0.5).unwrap(), 15.0);
        assert!(little_census(-1.0, 5.0).is_err());
        assert!(beds_for_occupancy(30.0, 5.0, 0.0).is_err());
    }

    /// The empirical-LOS vector: E[L] = 5.41 nights, census Poisson(162.3).
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

    #[test]
    fn empirical_los_census_matches_methods_md() {
        let a = discrete_day_census_mean(30.0, &EMPIRICAL_LOS).unwrap();
        assert_rel(a, 162.3, 1e-12);
        assert_rel(poisson_census(a, 165).unwrap().p_over, 0.3961158571, 1e-9);
        assert_rel(poisson_census(a, 175).unwrap().p_over, 0.150226716, 1e-9);
        assert_eq!(min_beds_for_census(a, 0.05).unwrap(), 184);
        assert!(discrete_day_census_mean(30.0, &[(1, 0.5)]).is_err());
        assert!(discrete_day_census_mean(30.0, &[]).is_err());
    }

    #[test]
    fn mm1_matches_methods_md() {
        for (t, want) in [
            (1.0, 0.8143536762),
            (10.0, 0.3310914971),
            (30.0, 0.04480836153),
            (90.0, 0.0001110688237),
        ] {
            assert_rel(mm1_wait_exceeds(0.9, 1.0, t).unwrap(), want, 1e-9);
        }
        assert!(mm1_wait_exceeds(1.0, 1.0, 1.0).is_err());
    }

    #[test]
    fn erlang_c_known_values() {
        // One server: C = ρ.
        assert_rel(erlang_c(1, 0.9).unwrap(), 0.9, 1e-15);
        // Two servers, a = 1: C = a²/(2(2 − a)) / (1 + a + a²/(2(2−a))) = 0.5/2.5 = 1/3.
        assert_rel(erlang_c(2, 1.0).unwrap(), 1.0 / 3.0, 1e-14);
        assert!(erlang_c(2, 2.0).is_err());
        assert_eq!(erlang_b(0, 3.0).unwrap(), 1.0);
        assert_rel(
            mmc_wait_exceeds(2, 1.0, 1.0, 0.0).unwrap(),
            1.0 / 3.0,
            1e-14,
        );
    }
}
