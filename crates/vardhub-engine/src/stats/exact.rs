//! "Significantly better/worse than Sweden" by an **exact test** — the flag the hub publishes.
//!
//! Why not the funnel limits of [`super::funnel`]? Spiegelhalter's interpolated limits
//! (`methods.md` §3.1) are drawn lines: they make the funnel smooth in `n`, but comparing an
//! *integer* count with an interpolated limit flags results the exact test does not reject. At
//! small `n` the upper limit lies just below 1, so every `x = n` is flagged "high" (5 of 5 against
//! Sweden's 0.875 has `P(X ≥ 5) = 0.51`), while `x = 0` is never below a limit truncated at 0 — the
//! error is one-sided. The limits stay for drawing; the flag comes from here.
//!
//! The test, per level (95 %: α = 0.05; 99.8 %: α = 0.002), one-sided at α/2 on each side, which
//! makes it the equal-tailed two-sided test at that level:
//!
//! * **proportion** `x` of `n` against Sweden's share `p`: `X ~ Bin(n, p)`; "high" when
//!   `P(X ≥ x) < α/2`, "low" when `P(X ≤ x) < α/2`. This is exactly "Sweden's value lies outside
//!   the Clopper–Pearson interval of `x/n`" (§1.3 is the inversion of these tails).
//! * **count** `O` against an expected count `E` (a crude rate: `E` = Sweden's rate × the unit's
//!   denominator; an indirectly standardised value: `E` = Σ stratum denominators × Sweden's
//!   stratum rates): `O ~ Po(E)`; "high" when `P(O' ≥ O) < α/2`, "low" when `P(O' ≤ O) < α/2` —
//!   exactly "`E` lies outside Garwood's interval of `O`" (§1.4).
//!
//! **Cannot be assessed.** If the result lies on a side where even the most extreme possible
//! outcome (`x = n` above, `x = 0` / `O = 0` below) would not reach significance at this `n` or
//! `E`, the test cannot show a difference on that side whatever the data: the flag is
//! [`Significance::CannotBeAssessed`] rather than "no difference". (A region exactly at Sweden's
//! value is "cannot be assessed" only if neither side can reach significance.)

use super::funnel::{FunnelFlags, Significance};
use super::special::{beta_inc_xy, gamma_pq};
use super::{Confidence, Direction, StatsError, non_negative, probability};

/// One-sided exact tail probabilities of an observation: `P(X ≤ x)` and `P(X ≥ x)`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Tails {
    /// `P(X ≤ x)`.
    pub lower: f64,
    /// `P(X ≥ x)`.
    pub upper: f64,
    /// `P(X ≤ 0)`: the smallest lower tail any outcome can have.
    pub lower_min: f64,
    /// `P(X ≥ max)` (`max = n` for a binomial; 0 for a Poisson count, which is unbounded).
    pub upper_min: f64,
    /// Whether the observation lies above (`Some(true)`), below (`Some(false)`) or exactly at
    /// (`None`) its expectation.
    pub above: Option<bool>,
}

/// Exact binomial tails of `x` successes in `n` trials with success probability `p`.
pub fn binomial_tails(x: u64, n: u64, p: f64) -> Result<Tails, StatsError> {
    if n == 0 {
        return Err(StatsError::ZeroDenominator);
    }
    if x > n {
        return Err(StatsError::CountExceedsDenominator {
            count: x,
            denominator: n,
        });
    }
    let p = probability("p", p)?;
    let q = 1.0 - p;
    // P(X ≤ x) = I_{1−p}(n − x, x + 1) for x < n; P(X ≥ x) = I_p(x, n − x + 1) for x > 0.
    let le = |k: u64| {
        if k >= n {
            1.0
        } else {
            beta_inc_xy((n - k) as f64, (k + 1) as f64, q, p).0
        }
    };
    let ge = |k: u64| {
        if k == 0 {
            1.0
        } else {
            beta_inc_xy(k as f64, (n - k + 1) as f64, p, q).0
        }
    };
    let mean = n as f64 * p;
    let xf = x as f64;
    Ok(Tails {
        lower: le(x),
        upper: ge(x),
        lower_min: le(0),
        upper_min: ge(n),
        above: (xf != mean).then_some(xf > mean),
    })
}

/// Exact Poisson tails of an observed count `observed` with mean `expected`.
pub fn poisson_tails(observed: u64, expected: f64) -> Result<Tails, StatsError> {
    let mu = non_negative("expected", expected)?;
    // P(O ≤ o) = Q(o + 1, μ); P(O ≥ o) = P(o, μ) for o > 0.
    let le = |k: u64| {
        if mu == 0.0 {
            1.0
        } else {
            gamma_pq(k as f64 + 1.0, mu).1
        }
    };
    let ge = |k: u64| match (k, mu == 0.0) {
        (0, _) => 1.0,
        (_, true) => 0.0,
        _ => gamma_pq(k as f64, mu).0,
    };
    let o = observed as f64;
    Ok(Tails {
        lower: le(observed),
        upper: ge(observed),
        lower_min: le(0),
        upper_min: 0.0,
        above: (o != mu).then_some(o > mu),
    })
}

/// The flag at one level from exact tails (see the module documentation).
pub fn flag_from_tails(t: Tails, conf: Confidence, direction: Direction) -> Significance {
    let a = conf.lower_tail();
    let (high, low) = match direction {
        Direction::HigherIsBetter => (
            Significance::SignificantlyBetter,
            Significance::SignificantlyWorse,
        ),
        Direction::LowerIsBetter => (
            Significance::SignificantlyWorse,
            Significance::SignificantlyBetter,
        ),
    };
    let can_high = t.upper_min < a;
    let can_low = t.lower_min < a;
    match t.above {
        Some(true) if t.upper < a => high,
        Some(false) if t.lower < a => low,
        Some(true) if !can_high => Significance::CannotBeAssessed,
        Some(false) if !can_low => Significance::CannotBeAssessed,
        None if !can_high && !can_low => Significance::CannotBeAssessed,
        _ => Significance::NotSignificant,
    }
}

/// "Significantly better/worse than Sweden" for a proportion `x/n` against Sweden's share
/// `national`: the exact binomial test at 95 % and 99.8 %.
pub fn exact_flags_proportion(
    x: u64,
    n: u64,
    national: f64,
    direction: Direction,
) -> Result<FunnelFlags, StatsError> {
    let t = binomial_tails(x, n, national)?;
    Ok(FunnelFlags {
        at_95: flag_from_tails(t, Confidence::P95, direction),
        at_998: flag_from_tails(t, Confidence::P998, direction),
    })
}

/// "Significantly better/worse than Sweden" for an observed count against the count expected at
/// Sweden's rates: the exact Poisson test at 95 % and 99.8 %.
pub fn exact_flags_count(
    observed: u64,
    expected: f64,
    direction: Direction,
) -> Result<FunnelFlags, StatsError> {
    let t = poisson_tails(observed, expected)?;
    Ok(FunnelFlags {
        at_95: flag_from_tails(t, Confidence::P95, direction),
        at_998: flag_from_tails(t, Confidence::P998, direction),
    })
}

/// Exact binomial tails on effective counts when the regions vary more than the binomial model
/// allows (a dispersion ratio `phi` > 1, `methods.md` §3.4): `x` and `n` are divided by `phi`
/// (the quasi-likelihood effective sample size), the effective `x` rounded towards the
/// expectation on each side, so each tail is the larger (conservative) one. `phi ≤ 1` is the
/// plain test.
pub fn binomial_tails_overdispersed(x: u64, n: u64, p: f64, phi: f64) -> Result<Tails, StatsError> {
    if phi.is_nan() || phi <= 1.0 {
        return binomial_tails(x, n, p);
    }
    if x > n {
        return Err(StatsError::CountExceedsDenominator {
            count: x,
            denominator: n,
        });
    }
    let n_eff = ((n as f64 / phi).round() as u64).max(1);
    let x_eff = x as f64 / phi;
    let low = binomial_tails((x_eff.ceil() as u64).min(n_eff), n_eff, p)?;
    let high = binomial_tails((x_eff.floor() as u64).min(n_eff), n_eff, p)?;
    let mean = n as f64 * p;
    Ok(Tails {
        lower: low.lower,
        upper: high.upper,
        lower_min: low.lower_min,
        upper_min: low.upper_min,
        above: (x as f64 != mean).then_some(x as f64 > mean),
    })
}

/// Exact Poisson tails on effective counts (`observed` and `expected` divided by `phi` > 1; see
/// [`binomial_tails_overdispersed`]). `phi ≤ 1` is the plain test.
pub fn poisson_tails_overdispersed(
    observed: u64,
    expected: f64,
    phi: f64,
) -> Result<Tails, StatsError> {
    if phi.is_nan() || phi <= 1.0 {
        return poisson_tails(observed, expected);
    }
    let o_eff = observed as f64 / phi;
    let e_eff = expected / phi;
    let low = poisson_tails(o_eff.ceil() as u64, e_eff)?;
    let high = poisson_tails(o_eff.floor() as u64, e_eff)?;
    let o = observed as f64;
    Ok(Tails {
        lower: low.lower,
        upper: high.upper,
        lower_min: low.lower_min,
        upper_min: 0.0,
        above: (o != expected).then_some(o > expected),
    })
}

/// The flags at 95 % and 99.8 % from exact tails.
pub fn flags_from_tails(t: Tails, direction: Direction) -> FunnelFlags {
    FunnelFlags {
        at_95: flag_from_tails(t, Confidence::P95, direction),
        at_998: flag_from_tails(t, Confidence::P998, direction),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::testutil::assert_rel;
    use crate::stats::{clopper_pearson, garwood};

    const UP: Direction = Direction::HigherIsBetter;
    const DOWN: Direction = Direction::LowerIsBetter;

    #[test]
    fn binomial_tails_match_direct_sums() {
        // 5 of 5 against 0.875: P(X ≥ 5) = 0.875⁵ = 0.5129089355.
        let t = binomial_tails(5, 5, 0.875).unwrap();
        assert_rel(t.upper, 0.875f64.powi(5), 1e-12);
        assert_eq!(t.lower, 1.0);
        assert_rel(t.lower_min, 0.125f64.powi(5), 1e-12);
        // 3 of 20 against 0.1 by summing the pmf.
        let pmf = |k: u64| {
            let mut c = 1.0;
            for i in 0..k {
                c *= (20 - i) as f64 / (i + 1) as f64;
            }
            c * 0.1f64.powi(k as i32) * 0.9f64.powi(20 - k as i32)
        };
        let t = binomial_tails(3, 20, 0.1).unwrap();
        assert_rel(t.lower, (0..=3).map(pmf).sum::<f64>(), 1e-12);
        assert_rel(t.upper, (3..=20).map(pmf).sum::<f64>(), 1e-12);
        assert!(binomial_tails(3, 0, 0.1).is_err());
        assert!(binomial_tails(4, 3, 0.1).is_err());
    }

    /// The examples: an integer count against an interpolated limit flagged every x = n
    /// at small n and never x = 0.
    #[test]
    fn significance_flags_agree_with_the_exact_test() {
        // 5 of 5 against Sweden's 0.875 is not "better at 99.8 %" (nor at 95 %): even 5 of 5
        // cannot reach significance upwards at n = 5.
        let f = exact_flags_proportion(5, 5, 0.875, UP).unwrap();
        assert_eq!(f.at_998, Significance::CannotBeAssessed);
        assert_eq!(f.at_95, Significance::CannotBeAssessed);
        // The old funnel flagged it.
        let old = crate::stats::classify_proportion(
            5,
            5,
            0.875,
            UP,
            crate::stats::ProportionFunnel::ExactBinomial,
        )
        .unwrap();
        assert_eq!(old.at_998, Significance::SignificantlyBetter);
        // 0 of n is flaggable when the test reaches significance: 0 of 40 against 0.2 has
        // P(X = 0) = 0.8⁴⁰ = 1.3e-4 < 0.001.
        let f = exact_flags_proportion(0, 40, 0.2, UP).unwrap();
        assert_eq!(f.at_95, Significance::SignificantlyWorse);
        assert_eq!(f.at_998, Significance::SignificantlyWorse);
        // 0 of 10 against 0.2 (P = 0.107) cannot be significant at any level at n = 10 … but
        // 10 of 10 (P = 1e-7) can, so a value at the top is judged, a value at 0 is not.
        let f = exact_flags_proportion(0, 10, 0.2, UP).unwrap();
        assert_eq!(f.at_95, Significance::CannotBeAssessed);
        let f = exact_flags_proportion(10, 10, 0.2, UP).unwrap();
        assert_eq!(f.at_998, Significance::SignificantlyBetter);
        // Direction turns high/low into better/worse.
        let f = exact_flags_proportion(10, 10, 0.2, DOWN).unwrap();
        assert_eq!(f.at_998, Significance::SignificantlyWorse);
        // Levels: 125 of 1000 against 0.1: P(X ≥ 125) ≈ 0.0056 — significant at 95 %, not 99.8 %.
        let f = exact_flags_proportion(125, 1000, 0.1, UP).unwrap();
        assert_eq!(f.at_95, Significance::SignificantlyBetter);
        assert_eq!(f.at_998, Significance::NotSignificant);
        // A region exactly at Sweden's value with enough cases: no difference.
        let f = exact_flags_proportion(100, 1000, 0.1, UP).unwrap();
        assert_eq!(f.at_998, Significance::NotSignificant);
        // Sweden at 0 (every region at 0): no flag.
        let f = exact_flags_proportion(0, 7, 0.0, UP).unwrap();
        assert_eq!(f.at_95, Significance::NotSignificant);
    }

    /// The flag is "Sweden's value outside the exact (Clopper–Pearson / Garwood) interval".
    #[test]
    fn the_flag_equals_the_exact_interval_against_swedens_value() {
        for conf in [Confidence::P95, Confidence::P998] {
            for n in [1u64, 2, 5, 13, 40, 200] {
                for x in 0..=n {
                    for p in [0.03, 0.2, 0.5, 0.875, 0.97] {
                        let t = binomial_tails(x, n, p).unwrap();
                        let f = flag_from_tails(t, conf, UP);
                        let ci = clopper_pearson(x, n, conf).unwrap();
                        let outside = p < ci.lower || p > ci.upper;
                        // Within rounding of the quantile functions, skip knife edges.
                        if (p - ci.lower).abs() < 1e-9 || (p - ci.upper).abs() < 1e-9 {
                            continue;
                        }
                        let flagged = matches!(
                            f,
                            Significance::SignificantlyBetter | Significance::SignificantlyWorse
                        );
                        assert_eq!(flagged, outside, "{x}/{n} vs {p} at {}", conf.level());
                    }
                }
            }
            for o in [0u64, 1, 3, 9, 25, 100] {
                for e in [0.5, 2.0, 7.5, 20.0, 60.0, 140.0] {
                    let f = flag_from_tails(poisson_tails(o, e).unwrap(), conf, UP);
                    let ci = garwood(o, conf);
                    let outside = e < ci.lower || e > ci.upper;
                    let flagged = matches!(
                        f,
                        Significance::SignificantlyBetter | Significance::SignificantlyWorse
                    );
                    assert_eq!(flagged, outside, "{o} vs E={e} at {}", conf.level());
                }
            }
        }
    }

    #[test]
    fn counts_below_expectation_need_enough_expected_events() {
        // O = 0 can only be significantly low when e^{-E} < α/2: E > 3.69 (95 %), 6.91 (99.8 %).
        let f = exact_flags_count(0, 3.0, DOWN).unwrap();
        assert_eq!(f.at_95, Significance::CannotBeAssessed);
        let f = exact_flags_count(0, 5.0, DOWN).unwrap();
        assert_eq!(f.at_95, Significance::SignificantlyBetter);
        assert_eq!(f.at_998, Significance::CannotBeAssessed);
        let f = exact_flags_count(0, 8.0, DOWN).unwrap();
        assert_eq!(f.at_998, Significance::SignificantlyBetter);
        // Upwards a Poisson count can always reach significance.
        let f = exact_flags_count(9, 2.0, DOWN).unwrap();
        assert_eq!(f.at_998, Significance::SignificantlyWorse);
        let f = exact_flags_count(3, 2.0, DOWN).unwrap();
        assert_eq!(f.at_95, Significance::NotSignificant);
        assert!(exact_flags_count(3, -1.0, DOWN).is_err());
    }

    #[test]
    fn overdispersed_tails_are_the_plain_ones_at_phi_1_and_never_smaller_above_it() {
        let plain = poisson_tails(40, 2.35).unwrap();
        assert_eq!(poisson_tails_overdispersed(40, 2.35, 1.0).unwrap(), plain);
        assert_eq!(poisson_tails_overdispersed(40, 2.35, 0.7).unwrap(), plain);
        for phi in [1.5, 4.0, 10.0] {
            let t = poisson_tails_overdispersed(40, 2.35, phi).unwrap();
            assert!(t.upper >= plain.upper && t.above == Some(true));
            // 0 events against E = 3.97: plainly "low" (e^-3.97 = 0.019 < 0.025), not with φ = 4.
            let z = poisson_tails_overdispersed(0, 3.97, phi).unwrap();
            assert!(z.lower > 0.025, "{phi}: {z:?}");
        }
        let b = binomial_tails(30, 40, 0.5).unwrap();
        let od = binomial_tails_overdispersed(30, 40, 0.5, 2.0).unwrap();
        // Effective 15 of 20 against 0.5.
        assert_eq!(od.upper, binomial_tails(15, 20, 0.5).unwrap().upper);
        assert!(od.upper > b.upper);
        // 7 of 40 with φ = 3: effective n = 13; x/φ = 2.33 → 3 for the lower tail, 2 for the upper.
        let od = binomial_tails_overdispersed(7, 40, 0.5, 3.0).unwrap();
        assert_eq!(od.lower, binomial_tails(3, 13, 0.5).unwrap().lower);
        assert_eq!(od.upper, binomial_tails(2, 13, 0.5).unwrap().upper);
    }
}
