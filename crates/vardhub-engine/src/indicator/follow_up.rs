//! Follow-up completeness: every outcome window lies inside the delivered data.
//!
//! A "within N days" outcome of a month's index events (death, readmission) can only be counted
//! when the data covering the last day of the month + N days have been delivered; otherwise the
//! events after the data are missed and the value is understated (readmission within 30 days read
//! 5.6 % for the last month against 10–13 % before it). The rule belongs to the building blocks
//! ([`Definition::follow_up`]) and is applied here, in one place, for every recipe: a (region,
//! month) whose window is not covered is not computed, so it is neither stored nor published.

use super::spec::{Definition, FollowUp, FollowUpSource};
use std::collections::BTreeSet;
use vardhub_domain::Period;
use vardhub_store::Snapshot;

/// The collection of the national population register extracts.
pub const POPULATION_COLLECTION: &str = "befolkning";

/// The months after `period` that a window of `days` days after its last day reaches into.
pub fn window_months(period: Period, days: u32) -> Vec<Period> {
    let mut out = Vec::new();
    let mut covered = 0u32;
    let mut p = period;
    while covered < days {
        p = p.next();
        covered += p.days();
        out.push(p);
    }
    out
}

/// Which (region, month) pairs of one recipe have their outcome window inside the data.
#[derive(Debug, Clone)]
pub struct Coverage {
    follow_up: Option<FollowUp>,
    /// (region, period) of the deliveries that cover follow-up: the source collection's.
    regional: BTreeSet<(String, String)>,
    /// Periods of the population register extracts.
    register: BTreeSet<String>,
}

impl Coverage {
    /// The coverage of `definition` (reading `source`) in `snapshot`.
    pub fn new(snapshot: &Snapshot, source: &str, definition: &Definition) -> Coverage {
        let follow_up = definition.follow_up();
        let mut regional = BTreeSet::new();
        let mut register = BTreeSet::new();
        if follow_up.is_some() {
            for d in &snapshot.deliveries {
                if d.collection == source {
                    regional.insert((d.region.clone(), d.period.clone()));
                }
                if d.collection == POPULATION_COLLECTION {
                    register.insert(d.period.clone());
                }
            }
        }
        Coverage {
            follow_up,
            regional,
            register,
        }
    }

    /// Whether the outcome window of `region`'s index events in `period` is covered (always true
    /// for blocks without a window; false for a period that does not parse).
    pub fn complete(&self, region: &str, period: &str) -> bool {
        let Some(f) = self.follow_up else {
            return true;
        };
        let Ok(p) = Period::parse(period) else {
            return false;
        };
        window_months(p, f.days).iter().all(|m| {
            let m = m.to_string();
            match f.source {
                FollowUpSource::SameRegion => self.regional.contains(&(region.to_owned(), m)),
                FollowUpSource::PopulationRegister => self.register.contains(&m),
            }
        })
    }

    /// The window, if the block has one.
    pub fn follow_up(&self) -> Option<FollowUp> {
        self.follow_up
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::indicator::builtin;

    fn p(s: &str) -> Period {
        Period::parse(s).unwrap()
    }

    #[test]
    fn windows_reach_into_the_right_months() {
        assert!(window_months(p("2024-03"), 0).is_empty());
        assert_eq!(window_months(p("2024-03"), 30), vec![p("2024-04")]);
        // 31 January + 30 days = 1 March (2024 is a leap year: February has 29 days).
        assert_eq!(
            window_months(p("2024-01"), 30),
            vec![p("2024-02"), p("2024-03")]
        );
        assert_eq!(window_months(p("2024-02"), 29), vec![p("2024-03")]);
        assert_eq!(window_months(p("2023-12"), 31), vec![p("2024-01")]);
    }

    /// Every built-in "within N days" outcome declares its window, and only those.
    #[test]
    fn every_within_n_days_outcome_declares_its_follow_up() {
        for (id, r) in builtin() {
            let f = r.spec.definition.follow_up();
            match &r.spec.definition {
                Definition::DeathWithin { days, .. } => {
                    assert_eq!(
                        f.map(|f| f.source),
                        Some(FollowUpSource::PopulationRegister)
                    );
                    assert!(f.unwrap().days >= *days, "{id}");
                }
                Definition::ReadmissionWithin { days, .. } => {
                    assert_eq!(f.map(|f| f.source), Some(FollowUpSource::SameRegion));
                    assert!(f.unwrap().days >= *days, "{id}");
                }
                _ => assert_eq!(f, None, "{id}"),
            }
        }
    }
}
