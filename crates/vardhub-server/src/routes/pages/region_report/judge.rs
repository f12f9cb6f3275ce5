//! The report's statistical judgements, kept pure so that they can be tested: whether a region's
//! value changed (the trend) and which indicators are strengths and weaknesses.
//!
//! A change is claimed only when the 95 % confidence intervals of the two periods do not overlap
//! (a conservative test for two independent estimates: it implies a difference significant at
//! well below the 5 % level). Periods that share months (rolling 12 months less than a year
//! apart) are never compared, and a value without an interval never supports a claim.

use vardhub_domain::{PeriodKind, ReportPeriod};
use vardhub_engine::indicator::spec::Direction;

/// One period's value with its 95 % interval, in display units.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Point {
    /// The value.
    pub value: f64,
    /// Lower limit.
    pub lower: Option<f64>,
    /// Upper limit.
    pub upper: Option<f64>,
}

/// What the comparison of two periods shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// Higher than before, intervals apart.
    Rising,
    /// Lower than before, intervals apart.
    Falling,
    /// The intervals overlap: no clear change.
    Overlap,
    /// One of the values has no interval: nothing can be claimed.
    NoInterval,
}

/// Compare `latest` with `earlier`.
pub fn change(latest: Point, earlier: Point) -> Change {
    match (latest.lower, latest.upper, earlier.lower, earlier.upper) {
        (Some(l_lo), Some(l_hi), Some(e_lo), Some(e_hi)) => {
            if l_lo > e_hi {
                Change::Rising
            } else if l_hi < e_lo {
                Change::Falling
            } else {
                Change::Overlap
            }
        }
        _ => Change::NoInterval,
    }
}

/// Whether a clear change is an improvement given which direction is better (None: no clear
/// change).
pub fn improvement(c: Change, direction: Direction) -> Option<bool> {
    match (c, direction) {
        (Change::Rising, Direction::Higher) | (Change::Falling, Direction::Lower) => Some(true),
        (Change::Rising, Direction::Lower) | (Change::Falling, Direction::Higher) => Some(false),
        _ => None,
    }
}

/// The period to compare `latest` with, among `shown` (the periods of the same kind where the
/// region's value is shown): the same period a year earlier when there is one; else, for months
/// and quarters (which never overlap), the earliest shown period — `true` in the answer then
/// says the comparison is not a year apart (seasons may differ). Rolling 12 months are only
/// compared a year apart (closer ones share months).
pub fn compare_with(latest: ReportPeriod, shown: &[ReportPeriod]) -> Option<(ReportPeriod, bool)> {
    let year_before = match latest {
        ReportPeriod::Month(m) => m.checked_add_months(-12).map(ReportPeriod::Month),
        ReportPeriod::Quarter(y, q) => Some(ReportPeriod::Quarter(y - 1, q)),
        ReportPeriod::Year(y) => Some(ReportPeriod::Year(y - 1)),
        ReportPeriod::Rolling12(m) => m.checked_add_months(-12).map(ReportPeriod::Rolling12),
    };
    if let Some(p) = year_before
        && shown.contains(&p)
    {
        return Some((p, false));
    }
    match latest.kind() {
        PeriodKind::Month | PeriodKind::Quarter => shown
            .iter()
            .copied()
            .filter(|p| *p < latest && p.kind() == latest.kind())
            .min()
            .map(|p| (p, true)),
        PeriodKind::Year | PeriodKind::Rolling12 => None,
    }
}

/// Where an indicator stands, for the strengths and weaknesses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Standing {
    /// The region's value is shown.
    pub shown: bool,
    /// The funnel comparison with Sweden at 95 % (`better`, `worse`, …).
    pub better: Option<bool>,
    /// Whether the value meets the target (None: no target or not shown).
    pub meets_target: Option<bool>,
}

/// Which list an indicator goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Placement {
    /// A strength: significantly better than Sweden, or meeting its target.
    pub strength: bool,
    /// A weakness: significantly worse than Sweden, or missing its target.
    pub weakness: bool,
    /// Not assessed: the region's value is not shown (its status is listed instead).
    pub unassessed: bool,
}

/// Place one indicator (it may be both a strength and a weakness: better than Sweden but
/// short of the target).
pub fn place(s: Standing) -> Placement {
    if !s.shown {
        return Placement {
            strength: false,
            weakness: false,
            unassessed: true,
        };
    }
    Placement {
        strength: s.better == Some(true) || s.meets_target == Some(true),
        weakness: s.better == Some(false) || s.meets_target == Some(false),
        unassessed: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(v: f64, lo: f64, hi: f64) -> Point {
        Point {
            value: v,
            lower: Some(lo),
            upper: Some(hi),
        }
    }

    fn rp(s: &str) -> ReportPeriod {
        ReportPeriod::parse(s).unwrap()
    }

    #[test]
    fn a_change_needs_intervals_apart() {
        assert_eq!(
            change(p(60.0, 55.0, 65.0), p(50.0, 45.0, 54.0)),
            Change::Rising
        );
        assert_eq!(
            change(p(40.0, 35.0, 44.0), p(50.0, 45.0, 54.0)),
            Change::Falling
        );
        assert_eq!(
            change(p(53.0, 48.0, 58.0), p(50.0, 45.0, 54.0)),
            Change::Overlap
        );
        let bare = Point {
            value: 90.0,
            lower: None,
            upper: None,
        };
        assert_eq!(change(bare, p(50.0, 45.0, 54.0)), Change::NoInterval);
        assert_eq!(improvement(Change::Rising, Direction::Higher), Some(true));
        assert_eq!(improvement(Change::Rising, Direction::Lower), Some(false));
        assert_eq!(improvement(Change::Falling, Direction::Lower), Some(true));
        assert_eq!(improvement(Change::Overlap, Direction::Lower), None);
    }

    #[test]
    fn comparisons_prefer_a_year_earlier_and_never_overlap() {
        let shown = [rp("2023-03"), rp("2024-01"), rp("2024-02"), rp("2024-03")];
        assert_eq!(
            compare_with(rp("2024-03"), &shown),
            Some((rp("2023-03"), false))
        );
        let shown = [rp("2024-01"), rp("2024-02"), rp("2024-03")];
        assert_eq!(
            compare_with(rp("2024-03"), &shown),
            Some((rp("2024-01"), true))
        );
        assert_eq!(compare_with(rp("2024-01"), &shown[..1]), None);
        let rolling = [rp("R12-2024-01"), rp("R12-2024-03")];
        assert_eq!(compare_with(rp("R12-2024-03"), &rolling), None);
        let rolling = [rp("R12-2023-03"), rp("R12-2024-03")];
        assert_eq!(
            compare_with(rp("R12-2024-03"), &rolling),
            Some((rp("R12-2023-03"), false))
        );
        assert_eq!(compare_with(rp("2024"), &[rp("2024")]), None);
    }

    #[test]
    fn strengths_and_weaknesses() {
        let s = |shown, better, meets_target| {
            place(Standing {
                shown,
                better,
                meets_target,
            })
        };
        let p = s(true, Some(true), None);
        assert!(p.strength && !p.weakness && !p.unassessed);
        let p = s(true, Some(false), Some(true));
        assert!(p.strength && p.weakness);
        let p = s(true, None, None);
        assert!(!p.strength && !p.weakness && !p.unassessed);
        let p = s(false, Some(true), Some(true));
        assert!(!p.strength && !p.weakness && p.unassessed);
        let p = s(true, None, Some(false));
        assert!(p.weakness && !p.strength);
    }
}
