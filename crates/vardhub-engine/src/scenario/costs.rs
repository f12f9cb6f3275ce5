//! KPP cost scenarios (`methods.md` §6.4): volume × mean cost per contact type, shifts of a
//! fraction of one type's volume to substitute types, bed-days and beds released by Little's
//! law, and an optional bootstrap band on the mean costs.

use serde::{Deserialize, Serialize};

use super::{Band, Rng, ScenarioError, non_negative, positive, probability, run_replications};

/// A contact type (e.g. an inpatient DRG group, an outpatient visit, a home-care visit).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContactType {
    /// Name, for the caller's tables.
    pub name: String,
    /// Baseline volume (contacts in the period).
    pub volume: f64,
    /// Mean KPP cost per contact (SEK; full cost incl. overheads).
    pub mean_cost: f64,
    /// Mean length of stay in days (0 for outpatient contacts).
    pub mean_los_days: f64,
    /// The part of the cost that scales with the length of stay, per bed-day (SEK; 0 if none).
    pub cost_per_bed_day: f64,
    /// Share of the cost that is variable in the short term (1 = all of it).
    pub variable_share: f64,
    /// Scenario factor on the volume (1 = baseline).
    pub volume_factor: f64,
    /// Scenario factor on the length of stay (1 = baseline).
    pub los_factor: f64,
    /// Costs of the individual baseline contacts, for the bootstrap band (may be empty: the
    /// mean cost is then taken as known).
    pub cost_sample: Vec<f64>,
}

impl ContactType {
    /// A contact type with no scenario change, fully variable cost and no cost sample.
    pub fn new(name: &str, volume: f64, mean_cost: f64, mean_los_days: f64) -> ContactType {
        ContactType {
            name: name.to_owned(),
            volume,
            mean_cost,
            mean_los_days,
            cost_per_bed_day: 0.0,
            variable_share: 1.0,
            volume_factor: 1.0,
            los_factor: 1.0,
            cost_sample: Vec::new(),
        }
    }
}

/// A substitute for moved contacts: `per_moved` contacts of type `contact_type` each.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Substitute {
    /// Index into [`CostScenario::contact_types`].
    pub contact_type: usize,
    /// Contacts of that type replacing one moved contact (k).
    pub per_moved: f64,
}

/// Shift a fraction of one type's (scenario) volume to substitutes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Shift {
    /// Index of the type the contacts move from.
    pub from: usize,
    /// Fraction moved (f).
    pub fraction: f64,
    /// What replaces each moved contact.
    pub substitutes: Vec<Substitute>,
}

/// A cost scenario over one period (e.g. a year).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CostScenario {
    /// The contact types.
    pub contact_types: Vec<ContactType>,
    /// The shifts.
    pub shifts: Vec<Shift>,
    /// Days in the period the volumes cover (365 for a year).
    pub period_days: f64,
    /// Target occupancy for converting bed-days into beds (e.g. 0.85).
    pub target_occupancy: f64,
}

/// The evaluated scenario.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct CostResult {
    /// Baseline cost `Σ V_s c̄_s`.
    pub baseline_cost: f64,
    /// Scenario cost.
    pub scenario_cost: f64,
    /// Scenario − baseline.
    pub delta_cost: f64,
    /// The short-term (variable) part of the change: each type's cost change × its variable
    /// share.
    pub delta_variable_cost: f64,
    /// Contacts moved by the shifts.
    pub moved: f64,
    /// Δ cost per moved contact (NaN when nothing is moved).
    pub delta_per_moved: f64,
    /// Bed-days released (baseline − scenario bed-days).
    pub bed_days_released: f64,
    /// Beds released: bed-days released / period days / target occupancy (Little's law).
    pub beds_released: f64,
}

/// Bootstrap bands of the costs.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct CostBands {
    /// Baseline cost.
    pub baseline_cost: Band,
    /// Scenario cost.
    pub scenario_cost: Band,
    /// Scenario − baseline.
    pub delta_cost: Band,
}

impl CostScenario {
    fn check(&self) -> Result<(), ScenarioError> {
        positive("period_days", self.period_days)?;
        positive("target_occupancy", self.target_occupancy)?;
        let n = self.contact_types.len();
        if n == 0 {
            return Err(ScenarioError::Empty {
                name: "contact_types",
            });
        }
        for t in &self.contact_types {
            non_negative("volume", t.volume)?;
            non_negative("mean_cost", t.mean_cost)?;
            non_negative("mean_los_days", t.mean_los_days)?;
            non_negative("cost_per_bed_day", t.cost_per_bed_day)?;
            probability("variable_share", t.variable_share)?;
            non_negative("volume_factor", t.volume_factor)?;
            non_negative("los_factor", t.los_factor)?;
            for &c in &t.cost_sample {
                non_negative("cost_sample", c)?;
            }
        }
        let index = |i: usize| {
            if i < n {
                Ok(())
            } else {
                Err(ScenarioError::Invalid {
                    name: "contact type index",
                    value: i as f64,
                    requirement: "< number of contact types",
                })
            }
        };
        let mut moved_share = vec![0.0; n];
        for s in &self.shifts {
            index(s.from)?;
            probability("fraction", s.fraction)?;
            moved_share[s.from] += s.fraction;
            for sub in &s.substitutes {
                index(sub.contact_type)?;
                non_negative("per_moved", sub.per_moved)?;
            }
        }
        for &m in &moved_share {
            probability("total fraction moved from a contact type", m)?;
        }
        Ok(())
    }

    /// Evaluates the scenario at the mean costs.
    pub fn evaluate(&self) -> Result<CostResult, ScenarioError> {
        self.check()?;
        let means: Vec<f64> = self.contact_types.iter().map(|t| t.mean_cost).collect();
        Ok(self.evaluate_at(&means))
    }

    fn evaluate_at(&self, mean_costs: &[f64]) -> CostResult {
        let types = &self.contact_types;
        // Scenario volumes: volume factor, then shifts out of and into each type.
        let mut volume: Vec<f64> = types.iter().map(|t| t.volume * t.volume_factor).collect();
        let mut moved = 0.0;
        let mut delta_volume = vec![0.0; types.len()];
        for s in &self.shifts {
            let m = s.fraction * volume[s.from];
            moved += m;
            delta_volume[s.from] -= m;
            for sub in &s.substitutes {
                delta_volume[sub.contact_type] += m * sub.per_moved;
            }
        }
        for (v, d) in volume.iter_mut().zip(&delta_volume) {
            *v += d;
        }
        let (mut baseline, mut scenario, mut variable) = (0.0, 0.0, 0.0);
        let (mut base_days, mut scen_days) = (0.0, 0.0);
        for ((t, &c), &v) in types.iter().zip(mean_costs).zip(&volume) {
            let cost = c + t.cost_per_bed_day * t.mean_los_days * (t.los_factor - 1.0);
            let b = t.volume * c;
            let s = v * cost;
            baseline += b;
            scenario += s;
            variable += (s - b) * t.variable_share;
            base_days += t.volume * t.mean_los_days;
            scen_days += v * t.mean_los_days * t.los_factor;
        }
        let delta = scenario - baseline;
        let released = base_days - scen_days;
        CostResult {
            baseline_cost: baseline,
            scenario_cost: scenario,
            delta_cost: delta,
            delta_variable_cost: variable,
            moved,
            delta_per_moved: if moved > 0.0 { delta / moved } else { f64::NAN },
            bed_days_released: released,
            beds_released: released / self.period_days / self.target_occupancy,
        }
    }

    /// Bootstrap bands: in each of `replications` replications every contact type with a cost
    /// sample gets the mean of a resample (with replacement, same size) as its mean cost; types
    /// without one keep their mean cost.
    pub fn bootstrap(&self, seed: u64, replications: usize) -> Result<CostBands, ScenarioError> {
        self.check()?;
        if replications == 0 {
            return Err(ScenarioError::Empty {
                name: "replications",
            });
        }
        let results = run_replications(replications, super::default_threads(), |r| {
            let mut rng = Rng::for_replication(seed, r);
            let means: Vec<f64> = self
                .contact_types
                .iter()
                .map(|t| {
                    let n = t.cost_sample.len();
                    if n == 0 {
                        return t.mean_cost;
                    }
                    let sum: f64 = (0..n)
                        .map(|_| t.cost_sample[rng.below(n as u64) as usize])
                        .sum();
                    sum / n as f64
                })
                .collect();
            self.evaluate_at(&means)
        });
        let band = |f: fn(&CostResult) -> f64| {
            let v: Vec<f64> = results.iter().map(f).collect();
            Band::from_values(&v).ok_or(ScenarioError::Invalid {
                name: "cost",
                value: f64::NAN,
                requirement: "finite",
            })
        };
        Ok(CostBands {
            baseline_cost: band(|r| r.baseline_cost)?,
            scenario_cost: band(|r| r.scenario_cost)?,
            delta_cost: band(|r| r.delta_cost)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::testutil::assert_rel;

    /// methods.md §6.4: 1 200 episodes at 62 000 SEK, 15 % moved to 3 outpatient visits at
    /// 4 200 SEK + 2 home-care visits at 1 900 SEK, LOS 5.2 days, 85 % occupancy.
    fn vector() -> CostScenario {
        CostScenario {
            contact_types: vec![
                ContactType::new("inpatient", 1200.0, 62_000.0, 5.2),
                ContactType::new("outpatient", 0.0, 4_200.0, 0.0),
                ContactType::new("home care", 0.0, 1_900.0, 0.0),
            ],
            shifts: vec![Shift {
                from: 0,
                fraction: 0.15,
                substitutes: vec![
                    Substitute {
                        contact_type: 1,
                        per_moved: 3.0,
                    },
                    Substitute {
                        contact_type: 2,
                        per_moved: 2.0,
                    },
                ],
            }],
            period_days: 365.0,
            target_occupancy: 0.85,
        }
    }

    #[test]
    fn methods_md_cost_vector() {
        let r = vector().evaluate().unwrap();
        assert_rel(r.moved, 180.0, 1e-12);
        assert_rel(r.baseline_cost, 74_400_000.0, 1e-12);
        assert_rel(r.scenario_cost, 66_192_000.0, 1e-12);
        assert_rel(r.delta_cost, -8_208_000.0, 1e-12);
        assert_rel(r.delta_per_moved, -45_600.0, 1e-12);
        assert_rel(r.bed_days_released, 936.0, 1e-12);
        assert_rel(r.beds_released, 3.016_921_837, 1e-9);
        assert_rel(r.delta_variable_cost, -8_208_000.0, 1e-12);
    }

    #[test]
    fn volume_and_los_changes() {
        let mut s = vector();
        s.shifts.clear();
        s.contact_types[0].los_factor = 0.9;
        s.contact_types[0].cost_per_bed_day = 5_000.0;
        s.contact_types[0].variable_share = 0.4;
        let r = s.evaluate().unwrap();
        // 1 200 × 5.2 × 0.1 bed-days; 1 200 × 5 000 × 0.52 SEK.
        assert_rel(r.bed_days_released, 624.0, 1e-12);
        assert_rel(r.delta_cost, -3_120_000.0, 1e-12);
        assert_rel(r.delta_variable_cost, -1_248_000.0, 1e-12);
        assert!(r.delta_per_moved.is_nan());
        s.contact_types[0].volume_factor = 1.1;
        s.contact_types[0].los_factor = 1.0;
        let r = s.evaluate().unwrap();
        assert_rel(r.delta_cost, 7_440_000.0, 1e-12);
        assert_rel(r.bed_days_released, -624.0, 1e-12);
    }

    #[test]
    fn bootstrap_band_and_errors() {
        let mut s = vector();
        s.contact_types[0].cost_sample =
            (0..400).map(|i| 42_000.0 + 100.0 * f64::from(i)).collect();
        let b = s.bootstrap(9, 200).unwrap();
        // Mean of the sample is 61 950: the baseline band is centred there, ± ~1.96·SE
        // (SE of the mean = 11 547/√400 ≈ 577 per episode).
        assert!(b.baseline_cost.covers(1200.0 * 61_950.0));
        let width = (b.baseline_cost.upper - b.baseline_cost.lower) / 1200.0;
        assert!((1_500.0..3_000.0).contains(&width), "{width}");
        assert_eq!(b, s.bootstrap(9, 200).unwrap());
        let mut bad = vector();
        bad.shifts[0].from = 7;
        assert!(bad.evaluate().is_err());
        bad = vector();
        bad.shifts[0].fraction = 1.5;
        assert!(bad.evaluate().is_err());
        bad = vector();
        bad.contact_types[1].mean_cost = -1.0;
        assert!(bad.evaluate().is_err());
    }
}
