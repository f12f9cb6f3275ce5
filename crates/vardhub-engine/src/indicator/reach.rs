//! Which of a recipe's fine rows a changed delivery can alter, and which deliveries computing
//! those rows again must read.
//!
//! Every lake row carries its delivery's region and month (`region`, `period`), and a fine row
//! is keyed by an output region and month. For each building block and table we state how far
//! a delivery of that table reaches ([`reach`]):
//!
//! | block | table | region | month |
//! |---|---|---|---|
//! | `event_within`, `procedure_share` | `kontakter`, `atgarder` | own | own |
//! | `death_within` | `kontakter` / `personer` | own / every | own / every |
//! | `readmission_within` | `kontakter` | own | every (the readmission may come months later) |
//! | `mean_length_of_stay`, `waiting_within`, `beds_per_100` | their table | own | own |
//! | `cost_per_drg_point` | `kontakter` | every (the trimmed top share is national) | own |
//! | `per_inhabitants` | `kontakter`, `personer` | every (rows are by residence) | own |
//! | `sql` | anything | every | every |
//!
//! "Own" means a delivery of region *r* and month *m* only feeds fine rows of *r* (or *m*).
//! The rule is tested against a full computation (`tests/indicators`): rows recomputed on
//! the deliveries [`Scope::needs`] selects, merged with the rows kept, equal a full run's.

use super::spec::Definition;
use std::collections::BTreeSet;

/// How far a delivery of one table reaches along one dimension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Spread {
    /// Only fine rows of the delivery's own region (or month).
    Own,
    /// Fine rows of any region (or month).
    Every,
}

/// How far a delivery of one table reaches in a recipe's fine rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reach {
    /// Along regions.
    pub region: Spread,
    /// Along months.
    pub period: Spread,
}

const OWN: Reach = Reach {
    region: Spread::Own,
    period: Spread::Own,
};
const EVERYWHERE: Reach = Reach {
    region: Spread::Every,
    period: Spread::Every,
};

/// How far a delivery of `table` reaches in the fine rows of `def` (see the module table).
/// A table the definition does not read reaches nothing: `None`.
pub fn reach(def: &Definition, table: &str) -> Option<Reach> {
    if let Definition::Sql { .. } = def {
        return Some(EVERYWHERE);
    }
    if !super::sql::tables(def).contains(&table) {
        return None;
    }
    Some(match def {
        Definition::DeathWithin { .. } if table == "personer" => EVERYWHERE,
        Definition::ReadmissionWithin { .. } => Reach {
            region: Spread::Own,
            period: Spread::Every,
        },
        Definition::CostPerDrgPoint { .. } | Definition::PerInhabitants { .. } => Reach {
            region: Spread::Every,
            period: Spread::Own,
        },
        _ => OWN,
    })
}

/// A delivered table of one region and month that differs between two snapshots (new, a new
/// version, or withdrawn).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Change {
    /// The lake table (`kontakter`).
    pub table: String,
    /// The delivery's region.
    pub region: String,
    /// The delivery's month.
    pub period: String,
}

/// The fine rows of one recipe that changes can alter: a union of (region or every region) ×
/// (month or every month) rectangles.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scope {
    rects: BTreeSet<(Option<String>, Option<String>)>,
}

impl Scope {
    /// What `changes` can alter in the fine rows of `def`.
    pub fn of(def: &Definition, changes: &[Change]) -> Scope {
        let rects = changes
            .iter()
            .filter_map(|c| {
                let r = reach(def, &c.table)?;
                Some((
                    (r.region == Spread::Own).then(|| c.region.clone()),
                    (r.period == Spread::Own).then(|| c.period.clone()),
                ))
            })
            .collect();
        Scope { rects }.simplified()
    }

    /// Rectangles inside another rectangle dropped.
    fn simplified(self) -> Scope {
        let inside = |(r, p): &(Option<String>, Option<String>),
                      (or, op): &(Option<String>, Option<String>)| {
            (or.is_none() || or == r) && (op.is_none() || op == p)
        };
        let rects = self
            .rects
            .iter()
            .filter(|a| !self.rects.iter().any(|b| b != *a && inside(a, b)))
            .cloned()
            .collect();
        Scope { rects }
    }

    /// Nothing can change.
    pub fn is_empty(&self) -> bool {
        self.rects.is_empty()
    }

    /// Every fine row can change.
    pub fn is_everything(&self) -> bool {
        self.rects.contains(&(None, None))
    }

    /// The fine row of `region` and `period` can change.
    pub fn covers(&self, region: &str, period: &str) -> bool {
        self.rects.iter().any(|(r, p)| {
            r.as_deref().is_none_or(|r| r == region) && p.as_deref().is_none_or(|p| p == period)
        })
    }

    /// Computing the covered rows of `def` again reads the delivery of `table` from `region`
    /// and `period`.
    pub fn needs(&self, def: &Definition, table: &str, region: &str, period: &str) -> bool {
        let Some(reach) = reach(def, table) else {
            return false;
        };
        self.rects.iter().any(|(r, p)| {
            let region_ok =
                reach.region == Spread::Every || r.as_deref().is_none_or(|r| r == region);
            let period_ok =
                reach.period == Spread::Every || p.as_deref().is_none_or(|p| p == period);
            region_ok && period_ok
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::indicator::spec::{ContactFilter, Measure};

    fn change(table: &str, region: &str, period: &str) -> Change {
        Change {
            table: table.into(),
            region: region.into(),
            period: period.into(),
        }
    }

    fn filter() -> ContactFilter {
        ContactFilter {
            vardform: vec!["SV".into()],
            planerad: None,
            hdia: vec![],
            min_age: None,
        }
    }

    #[test]
    fn a_region_month_of_contacts_reaches_its_own_rows_of_a_contact_indicator() {
        let def = Definition::MeanLengthOfStay {
            population: filter(),
        };
        let s = Scope::of(&def, &[change("kontakter", "13", "2025-01")]);
        assert!(s.covers("13", "2025-01"));
        assert!(!s.covers("13", "2024-12"));
        assert!(!s.covers("01", "2025-01"));
        assert!(s.needs(&def, "kontakter", "13", "2025-01"));
        assert!(!s.needs(&def, "kontakter", "01", "2025-01"));
        assert!(!s.needs(&def, "kontakter", "13", "2024-12"));
        // A table it does not read changes nothing.
        assert!(Scope::of(&def, &[change("arenden", "13", "2025-01")]).is_empty());
    }

    #[test]
    fn residence_and_national_trimming_reach_every_region_of_the_month() {
        for def in [
            Definition::PerInhabitants {
                population: filter(),
                measure: Measure::Count,
            },
            Definition::CostPerDrgPoint {
                population: filter(),
                exclude_top_share: 0.05,
            },
        ] {
            let s = Scope::of(&def, &[change("kontakter", "13", "2025-01")]);
            assert!(s.covers("01", "2025-01"), "{def:?}");
            assert!(!s.covers("13", "2024-12"), "{def:?}");
            assert!(s.needs(&def, "kontakter", "01", "2025-01"));
            assert!(!s.needs(&def, "kontakter", "13", "2024-12"));
        }
    }

    #[test]
    fn readmissions_reach_every_month_of_the_region_and_deaths_everything() {
        let re = Definition::ReadmissionWithin {
            population: filter(),
            days: 30,
        };
        let s = Scope::of(&re, &[change("kontakter", "13", "2025-01")]);
        assert!(s.covers("13", "2024-11"));
        assert!(!s.covers("12", "2025-01"));
        assert!(s.needs(&re, "kontakter", "13", "2024-02"));
        let death = Definition::DeathWithin {
            population: filter(),
            days: 30,
        };
        let s = Scope::of(&death, &[change("kontakter", "13", "2025-01")]);
        assert!(!s.is_everything());
        // The deaths of every region's population extracts are read for region 13's rows.
        assert!(s.needs(&death, "personer", "01", "2023-05"));
        assert!(!s.needs(&death, "kontakter", "01", "2025-01"));
        let s = Scope::of(&death, &[change("personer", "13", "2025-01")]);
        assert!(s.is_everything());
    }

    #[test]
    fn sql_reaches_everything_and_rectangles_inside_others_are_dropped() {
        let def = Definition::Sql {
            query: "SELECT 1".into(),
            follow_up_days: 0,
            numerator_scale: 1,
            denominator_scale: 1,
        };
        assert!(Scope::of(&def, &[change("anything", "13", "2025-01")]).is_everything());
        let per = Definition::PerInhabitants {
            population: filter(),
            measure: Measure::Cost,
        };
        let s = Scope::of(
            &per,
            &[
                change("kontakter", "13", "2025-01"),
                change("personer", "13", "2025-01"),
                change("kontakter", "14", "2025-02"),
            ],
        );
        assert_eq!(s.rects.len(), 2);
        assert!(Scope::of(&per, &[]).is_empty());
    }
}
