//! What-if scenarios applied to the generator's own parameters (issue 16): the ground truth a
//! scenario engine's prediction is checked against.
//!
//! A [`ScenarioChange`] acts in one region from a start date (00:00, inclusive) to the end of the
//! window. With the same seed and options, a run with a change draws every random number that a
//! run without it draws, in the same order, and only transforms results; every other region's
//! deliveries are byte-identical and the scenario region's differ only where the change acts.
//!
//! * [`ChangeKind::LengthOfStay`]: every inpatient stay (vardform SV) of the region admitted at or
//!   after the start whose main diagnosis belongs to the group is shortened to `factor` × its
//!   generated length in minutes (discharge = admission + round(factor × (discharge − admission))),
//!   but not to before its last procedure + 60 minutes. Stays ending in death (utskrivningssätt 4)
//!   keep their length: the death is planted. Admission, diagnoses, procedures and their times,
//!   DRG, readmissions and follow-up visits stay as generated (later events keep their dates). The
//!   KPP cost follows the generator's own cost model, which depends on the whole days of the stay
//!   (`care::los_cost_factor`): cost × factor(new days) / factor(generated days), the same random
//!   draws. `utskrivningsklar_dagar` is capped at the new whole days − 1 (0 under two days). The
//!   staffed beds are still planned on the generated stays: the change does not re-plan the wards.
//!   A contact that ends inside the window only because it was shortened gets its number after
//!   all others, so no other contact's number changes.
//! * [`ChangeKind::StaffedBeds`]: `beds` staffed beds are added to the region from the start,
//!   distributed over its somatic wards in proportion to their planned beds (largest remainder,
//!   ties to the earlier ward), after the holiday reduction (so `disponibla` rises by exactly
//!   `beds` every day, unless a ward would fall below one bed). Stays are unchanged;
//!   `belagda`, `overbelaggningar` and `utlokaliserade` follow from the same stays. The outlying
//!   placements draw from the census stream, so they share every draw before the start.
//!
//! * [`ChangeKind::FirstVisitCapacity`]: the region's clinics get `factor` times their
//!   first-visit capacity from the start. The first-visit queue (`crate::waits`) then drains (or
//!   builds) its backlog of referrals already due at the fluid rate: a referral due on or after
//!   the start minus the baseline lateness is served `(L₀ + c(t₀ − due))/(1 + c)` days after its
//!   due date instead of `L₀` (`c` = factor − 1). Referrals, their medical targets and every
//!   random draw are those of the run without the change; only first-visit days move. The
//!   pathway after a moved visit (the visit itself, a decision to operate, the operation) follows
//!   from the new day on the person's own stream, so that person's later events may differ, and
//!   case and contact numbers after the first such person shift; every other person's care is
//!   as generated.

use chrono::NaiveDate;
use vardhub_domain::{IcdCode, RegionCode};

use crate::cal::{DAY_MIN, Day, Min, day_of};
use crate::care::{Contact, Form, Window, los_cost_factor};
use crate::codes::{Code, Spec};
use crate::model::{self, Model};
use crate::waits::CapacityChange;

/// The hip-fracture diagnosis group (main diagnosis; the generator's hip-fracture pathway codes).
pub const HIP_FRACTURE: [&str; 3] = crate::codes::planted::HIP_DX;

/// One change to the generator's parameters, in one region from `start` to the end of the window.
#[derive(Debug, Clone, PartialEq)]
pub struct ScenarioChange {
    /// The region (the care it provides: residents and visitors).
    pub region: RegionCode,
    /// First day the change acts (from 00:00); must lie inside the window.
    pub start: NaiveDate,
    /// What changes.
    pub kind: ChangeKind,
}

/// What a scenario changes.
#[derive(Debug, Clone, PartialEq)]
pub enum ChangeKind {
    /// Inpatient stays with a main diagnosis in `diagnoses` (ICD-10-SE codes or categories; a stay
    /// matches when its code starts with one of them) admitted on or after the start last
    /// `factor` (0 < factor ≤ 1) times as long.
    LengthOfStay {
        /// The diagnosis group, e.g. [`HIP_FRACTURE`].
        diagnoses: Vec<String>,
        /// Multiplier of the length of stay.
        factor: f64,
    },
    /// `beds` more (or, negative, fewer) staffed beds on the region's somatic wards.
    StaffedBeds {
        /// Beds added per day.
        beds: i32,
    },
    /// `factor` (0.5–2) times the first-visit capacity of the region's clinics.
    FirstVisitCapacity {
        /// Multiplier of the capacity, e.g. 1.10 for 10 % more.
        factor: f64,
    },
}

impl ScenarioChange {
    /// Hip-fracture stays ([`HIP_FRACTURE`]) `factor` times as long.
    pub fn hip_fracture_los(region: RegionCode, start: NaiveDate, factor: f64) -> ScenarioChange {
        ScenarioChange {
            region,
            start,
            kind: ChangeKind::LengthOfStay {
                diagnoses: HIP_FRACTURE.iter().map(|s| (*s).to_owned()).collect(),
                factor,
            },
        }
    }

    /// `beds` more staffed beds.
    pub fn staffed_beds(region: RegionCode, start: NaiveDate, beds: i32) -> ScenarioChange {
        ScenarioChange {
            region,
            start,
            kind: ChangeKind::StaffedBeds { beds },
        }
    }

    /// Parse `REGION:FACTOR:START[:CODES]` (CODES comma-separated, default the hip-fracture
    /// group), e.g. `06:0.9:2024-04-01`.
    pub fn parse_los(s: &str) -> Result<ScenarioChange, String> {
        let parts: Vec<&str> = s.split(':').collect();
        if !(3..=4).contains(&parts.len()) {
            return Err(format!("expected REGION:FACTOR:START[:CODES], got {s:?}"));
        }
        let region = parse_region(parts[0])?;
        let factor: f64 = parts[1]
            .trim()
            .parse()
            .map_err(|_| format!("FACTOR {:?} is not a number", parts[1]))?;
        let start = parse_date(parts[2])?;
        let mut change = ScenarioChange::hip_fracture_los(region, start, factor);
        if let Some(codes) = parts.get(3) {
            let list: Vec<String> = codes
                .split(',')
                .map(|c| c.trim().to_owned())
                .filter(|c| !c.is_empty())
                .collect();
            change.kind = ChangeKind::LengthOfStay {
                diagnoses: list,
                factor,
            };
        }
        Ok(change)
    }

    /// `factor` times the first-visit capacity.
    pub fn first_visit_capacity(
        region: RegionCode,
        start: NaiveDate,
        factor: f64,
    ) -> ScenarioChange {
        ScenarioChange {
            region,
            start,
            kind: ChangeKind::FirstVisitCapacity { factor },
        }
    }

    /// Parse `REGION:FACTOR:START`, e.g. `25:1.1:2024-07-01` (first-visit capacity).
    pub fn parse_first_visits(s: &str) -> Result<ScenarioChange, String> {
        let parts: Vec<&str> = s.split(':').collect();
        let [region, factor, start] = parts[..] else {
            return Err(format!("expected REGION:FACTOR:START, got {s:?}"));
        };
        let factor: f64 = factor
            .trim()
            .parse()
            .map_err(|_| format!("FACTOR {factor:?} is not a number"))?;
        Ok(ScenarioChange::first_visit_capacity(
            parse_region(region)?,
            parse_date(start)?,
            factor,
        ))
    }

    /// Parse `REGION:BEDS:START`, e.g. `04:20:2024-04-01`.
    pub fn parse_beds(s: &str) -> Result<ScenarioChange, String> {
        let parts: Vec<&str> = s.split(':').collect();
        let [region, beds, start] = parts[..] else {
            return Err(format!("expected REGION:BEDS:START, got {s:?}"));
        };
        let beds: i32 = beds
            .trim()
            .parse()
            .map_err(|_| format!("BEDS {beds:?} is not a whole number"))?;
        Ok(ScenarioChange::staffed_beds(
            parse_region(region)?,
            parse_date(start)?,
            beds,
        ))
    }
}

fn parse_region(s: &str) -> Result<RegionCode, String> {
    RegionCode::parse(s).map_err(|_| format!("REGION {s:?} is not a länskod (01–25)"))
}

fn parse_date(s: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .map_err(|_| format!("START {s:?} is not a date ÅÅÅÅ-MM-DD"))
}

/// A change checked against the model and the window.
pub(crate) struct Prepared {
    pub change: ScenarioChange,
    /// Index of the region.
    pub ri: usize,
    /// First day of the change.
    pub start: Day,
    /// The diagnosis group measured in `truth.json` (the change's own, otherwise hip fracture).
    pub group: Vec<Code>,
    pub los: Option<LosChange>,
    pub beds: Option<BedChange>,
    pub capacity: Option<CapacityChange>,
}

/// Check `change` (the error names what is wrong).
pub(crate) fn prepare(change: &ScenarioChange, m: &Model, w: &Window) -> Result<Prepared, String> {
    let ri = crate::refdata::region_index(change.region.code())
        .ok_or_else(|| format!("scenario: unknown region {}", change.region))?;
    let start = day_of(change.start);
    if start < w.first || start > w.last {
        return Err(format!(
            "scenario: start {} lies outside the window",
            change.start
        ));
    }
    let group_of = |diagnoses: &[String]| -> Result<Vec<Code>, String> {
        if diagnoses.is_empty() {
            return Err("scenario: the diagnosis group is empty".to_owned());
        }
        let mut prefixes = Vec::new();
        for d in diagnoses {
            let icd = IcdCode::parse(d)
                .map_err(|_| format!("scenario: {d:?} is not an ICD-10-SE code"))?;
            prefixes.push(icd.dotted());
        }
        let codes: Vec<Code> = m
            .codes
            .all()
            .filter(|t| prefixes.iter().any(|p| t.starts_with(p.as_str())))
            .filter_map(|t| m.codes.get(t))
            .collect();
        if codes.is_empty() {
            return Err(format!(
                "scenario: the generator uses no diagnosis in {}",
                diagnoses.join(", ")
            ));
        }
        Ok(codes)
    };
    let hip = || -> Vec<String> { HIP_FRACTURE.iter().map(|s| (*s).to_owned()).collect() };
    let (group, los, beds, capacity) = match &change.kind {
        ChangeKind::LengthOfStay { diagnoses, factor } => {
            if !(factor.is_finite() && *factor > 0.0 && *factor <= 1.0) {
                return Err(format!(
                    "scenario: length-of-stay factor {factor} must be > 0 and ≤ 1"
                ));
            }
            let codes = group_of(diagnoses)?;
            let los = LosChange {
                codes: codes.clone(),
                factor: *factor,
                from: start * DAY_MIN,
            };
            (codes, Some(los), None, None)
        }
        ChangeKind::StaffedBeds { beds } => {
            if *beds == 0 || beds.unsigned_abs() > 100_000 {
                return Err(format!(
                    "scenario: staffed beds {beds} must be non-zero and at most 100 000"
                ));
            }
            let bed = BedChange {
                from: start,
                beds: *beds,
            };
            (group_of(&hip())?, None, Some(bed), None)
        }
        ChangeKind::FirstVisitCapacity { factor } => {
            if !(factor.is_finite() && (0.5..=2.0).contains(factor) && *factor != 1.0) {
                return Err(format!(
                    "scenario: first-visit capacity factor {factor} must lie in 0.5–2 and not be 1"
                ));
            }
            let capacity = CapacityChange {
                from: start,
                surplus: factor - 1.0,
            };
            (group_of(&hip())?, None, None, Some(capacity))
        }
    };
    Ok(Prepared {
        change: change.clone(),
        ri,
        start,
        group,
        los,
        beds,
        capacity,
    })
}

/// A length-of-stay change in the region being simulated.
#[derive(Debug, Clone)]
pub(crate) struct LosChange {
    codes: Vec<Code>,
    factor: f64,
    /// Admissions from this minute on.
    from: Min,
}

impl LosChange {
    /// Shorten `c` if the change applies to it (`spec`: the specialty the stay was generated for,
    /// which sets the reference length of the cost model). Uses no random numbers.
    pub(crate) fn shorten(&self, c: &mut Contact, spec: Spec) {
        if c.form != Form::Sv || c.ins < self.from || c.utsatt == 4 || !self.codes.contains(&c.hdia)
        {
            return;
        }
        let len = f64::from(c.uts - c.ins);
        let mut uts = c.ins + (len * self.factor).round() as Min;
        if let Some(op) = (0..usize::from(c.n_ops)).map(|k| c.op_at[k]).max() {
            uts = uts.max((op + 60).min(c.uts));
        }
        let adm_day = c.ins.div_euclid(DAY_MIN);
        let days = c.uts.div_euclid(DAY_MIN) - adm_day;
        let new_days = uts.div_euclid(DAY_MIN) - adm_day;
        if new_days != days {
            let (ref_los, _) = model::los(spec, c.planned);
            let ratio = los_cost_factor(new_days, ref_los) / los_cost_factor(days, ref_los);
            c.cost = (f64::from(c.cost) * ratio).min(4.0e7) as f32;
        }
        if c.uk > 0 {
            c.uk = if new_days >= 2 {
                c.uk.min(u16::try_from(new_days - 1).unwrap_or(u16::MAX))
            } else {
                0
            };
        }
        c.uts = uts;
    }
}

/// A staffed-bed change in the region's census.
#[derive(Debug, Clone)]
pub(crate) struct BedChange {
    /// From this day on.
    pub from: Day,
    beds: i32,
}

impl BedChange {
    /// Beds added to each ward: `beds` over the somatic wards in proportion to their planned beds,
    /// by largest remainder (ties to the earlier ward); 0 for psychiatric wards.
    pub(crate) fn per_ward(&self, somatic: &[bool], planned: &[u32]) -> Vec<i32> {
        let weights: Vec<u64> = planned
            .iter()
            .zip(somatic)
            .map(|(&p, &s)| if s { u64::from(p) } else { 0 })
            .collect();
        let n = u64::from(self.beds.unsigned_abs());
        let sign = self.beds.signum();
        let total: u64 = weights.iter().sum();
        if total == 0 {
            return vec![0; planned.len()];
        }
        let mut out: Vec<u64> = weights.iter().map(|&w| n * w / total).collect();
        let mut rest: Vec<(u64, usize)> = weights
            .iter()
            .enumerate()
            .filter(|(_, w)| **w > 0)
            .map(|(i, &w)| (n * w % total, i))
            .collect();
        rest.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        let missing = n - out.iter().sum::<u64>();
        for &(_, i) in rest.iter().take(missing as usize) {
            out[i] += 1;
        }
        out.into_iter()
            .map(|x| sign * i32::try_from(x).unwrap_or(i32::MAX))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codes::NONE;

    #[test]
    fn beds_are_shared_by_largest_remainder() {
        let b = BedChange { from: 0, beds: 20 };
        // 10 + 20 + 30 + (psychiatric 40) = 60 somatic: 20 × 1/6, 2/6, 3/6.
        let v = b.per_ward(&[true, true, true, false], &[10, 20, 30, 40]);
        assert_eq!(v, vec![3, 7, 10, 0]);
        assert_eq!(v.iter().sum::<i32>(), 20);
        let v = b.per_ward(&[true, true, true], &[1, 1, 1]);
        assert_eq!(v, vec![7, 7, 6]);
        let neg = BedChange { from: 0, beds: -5 };
        assert_eq!(neg.per_ward(&[true, true], &[3, 1]), vec![-4, -1]);
        assert_eq!(b.per_ward(&[false], &[5]), vec![0]);
    }

    #[test]
    fn flags_parse_and_name_what_is_wrong() {
        let c = ScenarioChange::parse_los("06:0.9:2024-04-01").unwrap();
        assert_eq!(c.region.as_str(), "06");
        assert_eq!(c.start, NaiveDate::from_ymd_opt(2024, 4, 1).unwrap());
        assert_eq!(
            c.kind,
            ChangeKind::LengthOfStay {
                diagnoses: vec!["S72.0".into(), "S72.1".into(), "S72.2".into()],
                factor: 0.9
            }
        );
        let c = ScenarioChange::parse_los("06:0.8:2024-04-01:I21, I63").unwrap();
        assert!(
            matches!(c.kind, ChangeKind::LengthOfStay { ref diagnoses, .. } if diagnoses == &["I21", "I63"])
        );
        let c = ScenarioChange::parse_beds("04:20:2024-04-01").unwrap();
        assert_eq!(c.kind, ChangeKind::StaffedBeds { beds: 20 });
        assert!(
            ScenarioChange::parse_los("99:0.9:2024-04-01")
                .unwrap_err()
                .contains("REGION")
        );
        assert!(
            ScenarioChange::parse_los("06:x:2024-04-01")
                .unwrap_err()
                .contains("FACTOR")
        );
        assert!(
            ScenarioChange::parse_beds("04:20:2024-13-01")
                .unwrap_err()
                .contains("START")
        );
        assert!(
            ScenarioChange::parse_beds("04:2.5:2024-04-01")
                .unwrap_err()
                .contains("BEDS")
        );
        assert!(
            ScenarioChange::parse_beds("04:20")
                .unwrap_err()
                .contains("REGION:BEDS:START")
        );
    }

    #[test]
    fn changes_are_checked_against_the_window() {
        let m = Model::new();
        let w = Window::new(
            vardhub_domain::Period::parse("2024-01").unwrap(),
            vardhub_domain::Period::parse("2024-06").unwrap(),
        );
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let r = RegionCode::parse("04").unwrap();
        let p = prepare(
            &ScenarioChange::hip_fracture_los(r, d("2024-03-01"), 0.9),
            &m,
            &w,
        )
        .unwrap();
        assert_eq!(p.group.len(), 3);
        assert!(p.los.is_some() && p.beds.is_none());
        let bad = [
            ScenarioChange::hip_fracture_los(r, d("2024-07-01"), 0.9),
            ScenarioChange::hip_fracture_los(r, d("2024-03-01"), 1.5),
            ScenarioChange::hip_fracture_los(r, d("2024-03-01"), 0.0),
            ScenarioChange::staffed_beds(r, d("2024-03-01"), 0),
            ScenarioChange {
                region: r,
                start: d("2024-03-01"),
                kind: ChangeKind::LengthOfStay {
                    diagnoses: vec!["Q99.9".into()],
                    factor: 0.9,
                },
            },
        ];
        for c in bad {
            assert!(prepare(&c, &m, &w).is_err(), "{c:?}");
        }
    }

    #[test]
    fn a_stay_is_shortened_without_losing_its_procedure() {
        let m = Model::new();
        let hip = m.codes.get("S72.1").unwrap();
        let change = LosChange {
            codes: vec![hip],
            factor: 0.9,
            from: 1000 * DAY_MIN,
        };
        let ins = 1000 * DAY_MIN + 600;
        let mut c = Contact {
            person: 0,
            seq: 0,
            ins,
            uts: ins + 10 * DAY_MIN,
            op_at: [ins + 300, 0],
            cost: 100_000.0,
            drg_weight: 1.0,
            place: 0,
            hdia: hip,
            bidia: [NONE; 3],
            ops: [NONE; 2],
            drg: NONE,
            uk: 5,
            form: Form::Sv,
            planned: false,
            besok: 0,
            yrke: 0,
            utsatt: 1,
            n_bidia: 0,
            n_ops: 1,
        };
        let before = c;
        change.shorten(&mut c, Spec::Ort);
        assert_eq!(c.uts - c.ins, 9 * DAY_MIN);
        assert!(c.cost < before.cost && c.uk == 5);
        // Not before the procedure + 60 minutes.
        let mut short = LosChange {
            factor: 0.01,
            ..change.clone()
        };
        let mut d = before;
        short.shorten(&mut d, Spec::Ort);
        assert_eq!(d.uts, ins + 360);
        assert_eq!(d.uk, 0);
        // Died in hospital, admitted before the start, other diagnosis: unchanged.
        short.factor = 0.5;
        for e in [
            Contact {
                utsatt: 4,
                ..before
            },
            Contact {
                ins: ins - 2 * DAY_MIN,
                ..before
            },
            Contact {
                hdia: m.codes.get("S72.0").unwrap(),
                ..before
            },
        ] {
            let mut f = e;
            short.shorten(&mut f, Spec::Ort);
            assert_eq!(f.uts, e.uts);
            assert_eq!(f.cost, e.cost);
        }
    }
}
