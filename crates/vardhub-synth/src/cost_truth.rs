//! The true cost over time of frail older people (the hub's analysis `aldre_vardkonsumtion`),
//! computed independently of the hub from the final generated contacts (after the mobile team,
//! before any defect is injected) and written to `truth.json` → `cost_over_time`.
//!
//! Definitions (times in whole minutes, money in öre until the means; `truth.json` repeats them):
//!
//! * A *patient* is (region, person): each region's delivered contacts are linked on their own.
//!   A contact is *delivered* when it ends inside the window and its month's `vardkontakter`
//!   delivery is not withheld.
//! * A *candidate* is a delivered contact of the region with vardform SV (planned or not) and age
//!   at admission ≥ [`MIN_AGE`] (completed years on the admission date, as the hub derives `alder`
//!   from the identity number).
//! * The *index* is, in admission order, the first candidate `c` with at least [`REPEAT_COUNT`]
//!   candidates of the patient admitted in `[c − 365 days, c]` (`c` and ties included). Patients
//!   without one are not in the cohort. `t0` = the index admission.
//! * Data of a region: from 00:00 of the first day of its first delivered `vardkontakter` month to
//!   00:00 of the day after the last day of its last delivered month.
//! * Month `m` (−[`MONTHS_BEFORE`] … [`MONTHS_AFTER`] − 1) = `[t0 + m·L, t0 + (m + 1)·L)` with
//!   `L` = 365.25 / 12 days = [`MONTH_MIN`] minutes exactly. A patient is observed in month `m`
//!   when it lies inside the region's data and the patient is alive at its start: no death date in
//!   the population register (deaths within the window), or `(death day + 1) · 1440 > start`.
//! * Cost of a patient in a month: Σ `kpp_kostnad` as delivered (two decimals) over the patient's
//!   delivered contacts of the region admitted in the month, also per form; contacts likewise.
//!   A month's means are over the patients observed in it (0 when none); `00` is every region's
//!   patients together.

use std::collections::BTreeMap;

use crate::cal::{DAY_MIN, Min, age_on};
use crate::care::{Contact, Form, Window};
use crate::mobile::delivered_ore;
use crate::population::Person;
use crate::truth::round6;
use crate::truthfile::{CostAnalysis, CostMonth, CostRegion};

/// The hub's analysis id these numbers are the truth of.
pub(crate) const ANALYSIS: &str = "aldre_vardkonsumtion";
/// The least age at admission of a candidate.
pub(crate) const MIN_AGE: u32 = 80;
/// Candidates needed within [`WITHIN_DAYS`] (the index counted).
pub(crate) const REPEAT_COUNT: usize = 3;
/// The repetition window (days before the index admission, inclusive).
pub(crate) const WITHIN_DAYS: Min = 365;
/// Months before `t0`.
pub(crate) const MONTHS_BEFORE: i32 = 12;
/// Months from `t0` on.
pub(crate) const MONTHS_AFTER: i32 = 12;
/// One month, `L` = 365.25 / 12 days, in minutes (exact: 30 days 10 h 30 min).
pub(crate) const MONTH_MIN: i64 = 43_830;

const DEFINITION: &str = "Cohort of the hub's analysis aldre_vardkonsumtion, counted by the generator from the contacts as generated (after the mobile team, before defects). Patient = (region, person): each region's delivered kontakter (ending inside the window, in a vardkontakter delivery not withheld) are linked separately. Candidate = a delivered contact of the region with vardform SV (planerad J or N) and age at inskrivningsdatum >= min_age (completed years on that date, as the hub derives alder from the identity number). Index = in admission order the first candidate c with at least repeat_count candidates of the patient admitted in [c - within_days days, c] (c and ties included; times in minutes); t0 = the index's inskrivningsdatum. Region data = [00:00 of the first day of the first delivered vardkontakter month, 00:00 of the day after the last day of the last delivered month). L = 365.25/12 days (43 830 minutes). Month m (-months_before .. months_after-1) = [t0 + m*L, t0 + (m+1)*L). A patient is observed in month m when the month lies inside the region data and the patient is alive at its start (no avlidendatum in the population register, or (avlidendatum + 1 day) > month start). Cost of a patient in a month = sum of kpp_kostnad as delivered (SEK, two decimals) of the patient's delivered contacts of the region admitted in the month, also per vardform SV/OV/PV; contacts = their number. Per month: patients observed and the means per observed patient (0 when none). Region 00 = all regions' patients together (same per-patient values).";

/// Sums over one region's patients observed in one month (money in öre).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct MonthSums {
    /// Patients observed.
    pub patients: u64,
    /// Σ cost, every form.
    pub ore: u64,
    /// Σ cost per form (SV, OV, PV).
    pub ore_form: [u64; 3],
    /// Σ contacts, every form.
    pub contacts: u64,
    /// Σ contacts per form (SV, OV, PV).
    pub contacts_form: [u64; 3],
}

impl MonthSums {
    fn merge(&mut self, o: &MonthSums) {
        self.patients += o.patients;
        self.ore += o.ore;
        self.contacts += o.contacts;
        for f in 0..3 {
            self.ore_form[f] += o.ore_form[f];
            self.contacts_form[f] += o.contacts_form[f];
        }
    }
}

/// One region's cohort, summed month by month.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RegionCost {
    /// Länskod.
    pub region: String,
    /// Patients in the cohort.
    pub patients: u64,
    /// Month sums, the first for month −[`MONTHS_BEFORE`].
    pub months: Vec<MonthSums>,
}

/// The index admission of one patient's delivered contacts (in admission order), if any.
fn index_admission(person: &Person, contacts: &[&Contact]) -> Option<Min> {
    let candidates: Vec<Min> = contacts
        .iter()
        .filter(|c| {
            c.form == Form::Sv && age_on(person.birth, c.ins.div_euclid(DAY_MIN)) >= MIN_AGE
        })
        .map(|c| c.ins)
        .collect();
    candidates.iter().copied().find(|&t| {
        candidates
            .iter()
            .filter(|&&e| e <= t && e >= t - WITHIN_DAYS * DAY_MIN)
            .count()
            >= REPEAT_COUNT
    })
}

/// The cohort of one region and its month sums. `contacts` are the region's contacts by month of
/// delivery (`w.months`); `delivered[mi]` says whether month `mi`'s vardkontakter were delivered.
pub(crate) fn region(
    region: &str,
    persons: &[Person],
    w: &Window,
    contacts: &[Vec<Contact>],
    delivered: &[bool],
) -> RegionCost {
    let n_months = (MONTHS_BEFORE + MONTHS_AFTER) as usize;
    let mut out = RegionCost {
        region: region.to_owned(),
        patients: 0,
        months: vec![MonthSums::default(); n_months],
    };
    let shipped: Vec<usize> = (0..w.months.len())
        .filter(|&mi| delivered.get(mi).copied().unwrap_or(false))
        .collect();
    let (Some(&first), Some(&last)) = (shipped.first(), shipped.last()) else {
        return out;
    };
    let data_start = i64::from(w.months[first].1) * i64::from(DAY_MIN);
    let data_end = (i64::from(w.months[last].2) + 1) * i64::from(DAY_MIN);

    let mut by_person: BTreeMap<u32, Vec<&Contact>> = BTreeMap::new();
    for &mi in &shipped {
        for c in contacts.get(mi).into_iter().flatten() {
            by_person.entry(c.person).or_default().push(c);
        }
    }
    for (pi, mut list) in by_person {
        list.sort_by_key(|c| (c.ins, c.seq));
        let person = &persons[pi as usize];
        let Some(t0) = index_admission(person, &list) else {
            continue;
        };
        out.patients += 1;
        // The population register holds the deaths of the window's months only.
        let death = (w.first..=w.last)
            .contains(&person.death)
            .then(|| i64::from(person.death));
        for (k, sums) in out.months.iter_mut().enumerate() {
            let m = k as i64 - i64::from(MONTHS_BEFORE);
            let from = i64::from(t0) + m * MONTH_MIN;
            let to = from + MONTH_MIN;
            let alive = death.is_none_or(|d| (d + 1) * i64::from(DAY_MIN) > from);
            if from < data_start || to > data_end || !alive {
                continue;
            }
            sums.patients += 1;
            for c in list
                .iter()
                .filter(|c| (from..to).contains(&i64::from(c.ins)))
            {
                let ore = delivered_ore(c);
                let f = match c.form {
                    Form::Sv => 0,
                    Form::Ov => 1,
                    Form::Pv => 2,
                };
                sums.ore += ore;
                sums.ore_form[f] += ore;
                sums.contacts += 1;
                sums.contacts_form[f] += 1;
            }
        }
    }
    out
}

/// Mean in SEK per patient of a sum in öre (0 without patients).
fn mean_sek(ore: u64, n: u64) -> f64 {
    if n == 0 {
        0.0
    } else {
        round6(ore as f64 / n as f64 / 100.0)
    }
}

/// Mean per patient of a count (0 without patients).
fn mean(x: u64, n: u64) -> f64 {
    if n == 0 {
        0.0
    } else {
        round6(x as f64 / n as f64)
    }
}

fn truth_region(patients: u64, months: &[MonthSums]) -> CostRegion {
    CostRegion {
        patients,
        months: months
            .iter()
            .enumerate()
            .map(|(k, s)| CostMonth {
                month: k as i32 - MONTHS_BEFORE,
                patients: s.patients,
                cost: mean_sek(s.ore, s.patients),
                cost_sv: mean_sek(s.ore_form[0], s.patients),
                cost_ov: mean_sek(s.ore_form[1], s.patients),
                cost_pv: mean_sek(s.ore_form[2], s.patients),
                contacts: mean(s.contacts, s.patients),
                contacts_sv: mean(s.contacts_form[0], s.patients),
                contacts_ov: mean(s.contacts_form[1], s.patients),
                contacts_pv: mean(s.contacts_form[2], s.patients),
            })
            .collect(),
    }
}

/// The `truth.json` block from every region's sums: each region and `00` (all together).
pub(crate) fn assemble(regions: &[RegionCost]) -> CostAnalysis {
    let n_months = (MONTHS_BEFORE + MONTHS_AFTER) as usize;
    let mut all = vec![MonthSums::default(); n_months];
    let mut patients = 0;
    let mut by_region = BTreeMap::new();
    for r in regions {
        patients += r.patients;
        for (a, s) in all.iter_mut().zip(&r.months) {
            a.merge(s);
        }
        by_region.insert(r.region.clone(), truth_region(r.patients, &r.months));
    }
    by_region.insert("00".to_owned(), truth_region(patients, &all));
    CostAnalysis {
        definition: DEFINITION,
        min_age: MIN_AGE,
        repeat_count: REPEAT_COUNT as u32,
        within_days: WITHIN_DAYS,
        months_before: MONTHS_BEFORE,
        months_after: MONTHS_AFTER,
        month_days: MONTH_MIN as f64 / f64::from(DAY_MIN),
        by_region,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cal::{NEVER, day_of};
    use crate::codes::NONE;
    use chrono::NaiveDate;
    use vardhub_domain::Period;

    fn day(y: i32, m: u32, d: u32) -> i32 {
        day_of(NaiveDate::from_ymd_opt(y, m, d).unwrap())
    }

    fn person(birth: i32, death: i32) -> Person {
        Person {
            id: 0,
            birth,
            death,
            move_day: NEVER,
            kommun0: 0,
            kommun1: 0,
            region0: 0,
            region1: 0,
            sex: 2,
        }
    }

    fn contact(person: u32, seq: u32, ins: Min, form: Form, cost: f32) -> Contact {
        Contact {
            person,
            seq,
            ins,
            uts: ins + 60,
            op_at: [0; 2],
            cost,
            drg_weight: 0.0,
            place: 0,
            hdia: NONE,
            bidia: [NONE; 3],
            ops: [NONE; 2],
            drg: NONE,
            uk: 0,
            form,
            planned: form != Form::Sv,
            besok: 0,
            yrke: 0,
            utsatt: 0,
            n_bidia: 0,
            n_ops: 0,
        }
    }

    /// Contacts filed by month of discharge, as the region job has them.
    fn by_month(w: &Window, list: &[Contact]) -> Vec<Vec<Contact>> {
        let mut out = vec![Vec::new(); w.months.len()];
        for c in list {
            if let Some(mi) = w.month_index(c.uts.div_euclid(DAY_MIN)) {
                out[mi].push(*c);
            }
        }
        out
    }

    fn window() -> Window {
        Window::new(
            Period::parse("2024-01").unwrap(),
            Period::parse("2024-12").unwrap(),
        )
    }

    #[test]
    fn the_third_stay_within_a_year_is_the_index_and_months_count_what_is_observed() {
        let w = window();
        let at = |d: i32, h: i32| d * DAY_MIN + h * 60;
        let birth80 = day(1940, 3, 1); // 80+ throughout 2024
        let persons = vec![
            // 0: SV stays 1 Feb, 1 Mar, 1 Jul (index = 1 Jul); an OV visit and a PV visit.
            person(birth80, NEVER),
            // 1: turns 80 on 2024-06-01: the stays before do not count; index = the third after.
            person(day(1944, 6, 1), NEVER),
            // 2: only two stays.
            person(birth80, NEVER),
            // 3: as 0 but dies on 15 Aug 2024.
            person(birth80, day(2024, 8, 15)),
        ];
        let contacts = vec![
            contact(0, 1, at(day(2024, 2, 1), 10), Form::Sv, 10_000.0),
            contact(0, 2, at(day(2024, 3, 1), 10), Form::Sv, 20_000.0),
            contact(0, 3, at(day(2024, 7, 1), 10), Form::Sv, 30_000.5),
            contact(0, 4, at(day(2024, 7, 10), 9), Form::Ov, 2_000.25),
            contact(0, 5, at(day(2024, 8, 20), 9), Form::Pv, 1_000.0),
            contact(1, 6, at(day(2024, 5, 30), 10), Form::Sv, 5_000.0),
            contact(1, 7, at(day(2024, 6, 2), 10), Form::Sv, 5_000.0),
            contact(1, 8, at(day(2024, 6, 20), 10), Form::Sv, 5_000.0),
            contact(1, 9, at(day(2024, 9, 2), 10), Form::Sv, 7_000.0),
            contact(2, 10, at(day(2024, 1, 2), 10), Form::Sv, 1.0),
            contact(2, 11, at(day(2024, 6, 10), 10), Form::Sv, 1.0),
            contact(3, 12, at(day(2024, 2, 1), 10), Form::Sv, 10_000.0),
            contact(3, 13, at(day(2024, 3, 1), 10), Form::Sv, 20_000.0),
            contact(3, 14, at(day(2024, 7, 1), 10), Form::Sv, 30_000.5),
        ];
        let months = by_month(&w, &contacts);
        let r = region("17", &persons, &w, &months, &[true; 12]);
        assert_eq!(r.patients, 3, "persons 0, 1 and 3");
        let m = |k: i32| r.months[(k + MONTHS_BEFORE) as usize];
        // t0 of 0 and 3: 1 Jul 10:00; of 1: 2 Sep 10:00. Data: 2024-01-01 .. 2025-01-01.
        let t0 = i64::from(at(day(2024, 7, 1), 10));
        let (start, end) = (
            i64::from(day(2024, 1, 1) * DAY_MIN),
            i64::from(day(2025, 1, 1) * DAY_MIN),
        );
        for k in -MONTHS_BEFORE..MONTHS_AFTER {
            let from = t0 + i64::from(k) * MONTH_MIN;
            let inside = from >= start && from + MONTH_MIN <= end;
            // Person 3 dies on 15 Aug: alive at the start of month 1 (31 Jul 20:30), not month 2.
            let want_03 = u64::from(inside) * if k >= 2 { 1 } else { 2 };
            let from1 = i64::from(at(day(2024, 9, 2), 10)) + i64::from(k) * MONTH_MIN;
            let want_1 = u64::from(from1 >= start && from1 + MONTH_MIN <= end);
            assert_eq!(m(k).patients, want_03 + want_1, "month {k}");
        }
        // Month 0 of persons 0 and 3 (1 Jul 10:00 – 31 Jul 20:30): 30 000,50 + 2 000,25 and
        // 30 000,50; of person 1 (2 Sep 10:00 – 2 Oct 20:30): its index stay, 7 000.
        assert_eq!(m(0).patients, 3);
        assert_eq!(m(0).ore, 3_000_050 + 200_025 + 3_000_050 + 700_000);
        assert_eq!(m(0).ore_form, [3_000_050 * 2 + 700_000, 200_025, 0]);
        assert_eq!((m(0).contacts, m(0).contacts_form), (4, [3, 1, 0]));
        // Month −5 of 0 and 3 is 31 Jan 05:30 – 1 Mar 16:00: both their early stays.
        assert_eq!(m(-5).ore_form[0], 2 * (1_000_000 + 2_000_000));
        // Person 1's stay at 79 is no candidate but costs: month −4 (3 May 16:00 – 3 Jun 02:30)
        // holds it and the first candidate; month −3 the second.
        assert_eq!((m(-4).ore, m(-4).contacts), (1_000_000, 2));
        assert_eq!((m(-3).ore, m(-3).contacts), (500_000, 1));
        // Month 1 (31 Jul 20:30 – 31 Aug 07:00): person 0's PV visit; person 3 is still observed.
        assert_eq!(
            (m(1).patients, m(1).ore, m(1).ore_form[2]),
            (3, 100_000, 100_000)
        );

        let t = assemble(&[
            r.clone(),
            RegionCost {
                region: "01".into(),
                ..r.clone()
            },
        ]);
        let all = &t.by_region["00"];
        assert_eq!(all.patients, 6);
        assert_eq!(all.months[MONTHS_BEFORE as usize].patients, 6);
        let one = &t.by_region["17"].months[MONTHS_BEFORE as usize];
        assert_eq!(
            one.cost,
            round6((3_000_050.0 * 2.0 + 200_025.0 + 700_000.0) / 3.0 / 100.0)
        );
        assert_eq!(one.contacts_sv, 1.0);
        assert_eq!(all.months[MONTHS_BEFORE as usize].cost, one.cost);
    }

    #[test]
    fn the_year_is_inclusive_and_withheld_months_are_not_data() {
        let w = window();
        let persons = vec![person(day(1930, 1, 1), NEVER)];
        let d0 = day(2024, 1, 3) * DAY_MIN;
        // Three stays, the last exactly 365 days after the first: it is the index.
        let list = [
            contact(0, 1, d0, Form::Sv, 1.0),
            contact(0, 2, d0 + 100 * DAY_MIN, Form::Sv, 1.0),
            contact(0, 3, d0 + 365 * DAY_MIN, Form::Sv, 1.0),
        ];
        let months = by_month(&w, &list[..2]);
        // Only two within the window: no index.
        assert_eq!(region("01", &persons, &w, &months, &[true; 12]).patients, 0);
        let longer = Window::new(
            Period::parse("2024-01").unwrap(),
            Period::parse("2025-03").unwrap(),
        );
        let months = by_month(&longer, &list);
        let r = region("01", &persons, &longer, &months, &[true; 15]);
        assert_eq!(r.patients, 1);
        // One minute later and the first no longer counts.
        let late = [
            list[0],
            list[1],
            contact(0, 3, d0 + 365 * DAY_MIN + 1, Form::Sv, 1.0),
        ];
        let months = by_month(&longer, &late);
        assert_eq!(
            region("01", &persons, &longer, &months, &[true; 15]).patients,
            0
        );
        // A withheld first month: its stay is not delivered and the data start a month later.
        let months = by_month(&longer, &list);
        let mut delivered = [true; 15];
        delivered[0] = false;
        assert_eq!(
            region("01", &persons, &longer, &months, &delivered).patients,
            0
        );
        // Nothing delivered: nothing at all.
        let r = region("01", &persons, &longer, &months, &[false; 15]);
        assert_eq!(
            (r.patients, r.months.iter().map(|m| m.patients).sum::<u64>()),
            (0, 0)
        );
    }
}
