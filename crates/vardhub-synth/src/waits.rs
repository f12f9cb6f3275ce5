//! The first-visit queue of a region's clinics: how long a referral waits for its first visit.
//!
//! Each referral gets a medical target: the wait its priority allows, lognormal with σ
//! [`SIGMA`]. The clinics run late on their targets: capacity matches demand, and a backlog of
//! referrals already due is served in due order, so every referral is served [`lateness`] days
//! after its due date (start + target). In the baseline the lateness is constant, `L₀` =
//! [`LATENESS_SHARE`] × the median wait the region's planted share within 90 days implies; the
//! target's median is then set so that target + `L₀` keeps that share exactly.
//!
//! A capacity change by the factor `1 + c` from day `t₀` (a scenario, [`crate::scenario`]) turns
//! this into a fluid queue with due arrivals `a` and capacity `a(1 + c)`: the backlog `a·L₀` drains
//! at `c·a` a day, so a referral due on day `u ≥ t₀ − L₀` is served at
//! `t₀ + (u − t₀ + L₀)/(1 + c)`, i.e. `(L₀ + c(t₀ − u))/(1 + c)` days late, never less than 0 (a
//! capacity cut, `c < 0`, makes it grow). Referrals due before `t₀ − L₀` were served before the
//! change.
//!
//! The medical target is what the register's `medicinskt_maldatum` records where it is set, so the
//! lateness is observable: genomförd − måldatum.

use crate::cal::Day;
use crate::rng;

/// σ of the log medical target.
pub(crate) const SIGMA: f64 = 0.75;

/// Share of the implied median wait that is lateness on the target in the baseline.
pub(crate) const LATENESS_SHARE: f64 = 0.5;

/// Share of first-visit cases with a medical target date in the register.
pub(crate) const TARGET_RECORDED: f64 = 0.6;

/// A first-visit capacity change: `1 + surplus` times the capacity from day `from`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct CapacityChange {
    /// First day of the new capacity.
    pub from: Day,
    /// `c`: the relative change (0.10 for 10 % more).
    pub surplus: f64,
}

/// One region's first-visit queue.
#[derive(Debug, Clone, Copy)]
pub(crate) struct FirstVisitQueue {
    /// Median medical target in days.
    pub median_target: f64,
    /// Baseline lateness `L₀` in days.
    pub lateness0: f64,
    change: Option<CapacityChange>,
}

impl FirstVisitQueue {
    /// The queue of a region whose planted share of first visits within 90 days is `p90`.
    pub(crate) fn new(p90: f64, change: Option<CapacityChange>) -> FirstVisitQueue {
        let z = rng::normal_quantile(p90.clamp(0.01, 0.99));
        let implied_median = 90.0 / (SIGMA * z).exp();
        let lateness0 = LATENESS_SHARE * implied_median;
        FirstVisitQueue {
            median_target: (90.0 - lateness0) / (SIGMA * z).exp(),
            lateness0,
            change,
        }
    }

    /// Days late for a referral due on (fractional) day `due`.
    pub(crate) fn lateness(&self, due: f64) -> f64 {
        let l0 = self.lateness0;
        match self.change {
            Some(CapacityChange { from, surplus }) if due >= f64::from(from) - l0 => {
                ((l0 + surplus * (f64::from(from) - due)) / (1.0 + surplus)).max(0.0)
            }
            _ => l0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// P(X ≤ x) for the standard normal, by bisection on the generator's own quantile.
    fn share_within(q: &FirstVisitQueue, lateness: f64) -> f64 {
        let x = ((90.0 - lateness) / q.median_target).ln() / SIGMA;
        let (mut lo, mut hi) = (1e-9, 1.0 - 1e-9);
        for _ in 0..80 {
            let mid = (lo + hi) / 2.0;
            if rng::normal_quantile(mid) < x {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        lo
    }

    #[test]
    fn the_baseline_keeps_the_planted_share() {
        for p in [0.5, 0.72, 0.9] {
            let q = FirstVisitQueue::new(p, None);
            assert!((share_within(&q, q.lateness0) - p).abs() < 1e-6, "{p}");
            assert_eq!(q.lateness(10_000.0), q.lateness0);
        }
    }

    #[test]
    fn more_capacity_drains_the_backlog_at_the_fluid_rate() {
        let from = 1000;
        let q = FirstVisitQueue::new(0.8, Some(CapacityChange { from, surplus: 0.1 }));
        let l0 = q.lateness0;
        let t0 = f64::from(from);
        // Served before the change: unchanged.
        assert_eq!(q.lateness(t0 - l0 - 1.0), l0);
        // Continuous where the change starts to act, then falling by c/(1 + c) a day.
        assert!((q.lateness(t0 - l0) - l0).abs() < 1e-9);
        assert!((q.lateness(t0) - l0 / 1.1).abs() < 1e-9);
        let slope = q.lateness(t0 + 11.0) - q.lateness(t0);
        assert!((slope + 11.0 * 0.1 / 1.1).abs() < 1e-9);
        // Served at t₀ + (u − t₀ + L₀)/(1 + c): due order kept, never before t₀ for the backlog.
        for u in [t0 - l0, t0 - l0 / 2.0, t0, t0 + 30.0] {
            let served = u + q.lateness(u);
            assert!((served - (t0 + (u - t0 + l0) / 1.1)).abs() < 1e-9);
        }
        // Empty once the backlog is gone.
        assert_eq!(q.lateness(t0 + 12.0 * l0), 0.0);
        // A cut makes it grow.
        let cut = FirstVisitQueue::new(
            0.8,
            Some(CapacityChange {
                from,
                surplus: -0.1,
            }),
        );
        assert!(cut.lateness(t0 + 30.0) > l0);
    }
}
