//! Cost and contacts per patient and month around time zero, by form of care, and how the cost
//! after time zero is concentrated on the costliest patients.
//!
//! Month `m` is `[t0 + m·L, t0 + (m + 1)·L)` with `L` = 365.25 / 12 days; a contact counts in the
//! month of its admission. A patient is observed in month `m` when the whole month lies inside
//! the data delivered for them and they were alive at its start (those who die in it count with
//! their cost until death): each month's mean is over the patients observed in it, so the
//! denominators differ between months and are published with the means. Months before time
//! zero of a cohort entered by repetition contain the contacts that made the patient enter —
//! that is the design, not a bias to be corrected.

use super::chain::{Concentration, concentration};
use super::cohort::Patient;
use super::recipe::{AnalysisRecipe, MONTH_DAYS};
use crate::stats::{Confidence, mean_t};
use serde::{Deserialize, Serialize};

/// The forms of care a cost is split by.
pub const FORMS: [&str; 3] = ["SV", "OV", "PV"];

/// One form of care in one month.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FormMonth {
    /// `SV`, `OV` or `PV`.
    pub form: String,
    /// Mean cost per observed patient (SEK).
    pub cost: f64,
    /// Mean contacts per observed patient.
    pub contacts: f64,
}

/// One month relative to time zero.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MonthPoint {
    /// Month relative to time zero (−12 … 11).
    pub month: i32,
    /// Patients observed in the month.
    pub patients: u64,
    /// Mean cost per patient (SEK), every form of care.
    pub cost: f64,
    /// Lower 95 % limit (t interval, cut at 0 — a cost is never negative; `None` with fewer
    /// than two patients).
    pub lower: Option<f64>,
    /// Upper 95 % limit.
    pub upper: Option<f64>,
    /// Mean contacts per patient.
    pub contacts: f64,
    /// Per form of care.
    pub by_form: Vec<FormMonth>,
}

/// The cost from time zero to the end of the months after.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct CostAfter {
    /// Patients followed the whole period or until death.
    pub patients: u64,
    /// Mean cost per patient (SEK).
    pub mean: f64,
    /// Lower 95 % limit (t interval).
    pub lower: f64,
    /// Upper limit.
    pub upper: f64,
    /// Share of the cost borne by the costliest 1, 5 and 10 %.
    pub concentration: [Concentration; 3],
}

/// A cost-over-time result, unsuppressed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CostOverTimeResult {
    /// Analysis id.
    pub analysis: String,
    /// Recipe hash.
    pub hash: String,
    /// Region (`00` = every region).
    pub region: String,
    /// Patients in the cohort.
    pub patients: u64,
    /// Month by month.
    pub months: Vec<MonthPoint>,
    /// After time zero in total.
    pub after: Option<CostAfter>,
}

/// Whether `p` is observed in the month `[from, to)`.
fn observed(p: &Patient, from: f64, to: f64) -> bool {
    // A death date is a whole day: alive at `from` unless the day ended before it.
    let alive = p.death.is_none_or(|d| d + 1.0 > from);
    from >= p.data_start && to <= p.data_end && alive
}

/// Cost and contacts of `p` admitted in `[from, to)`, by form (index into [`FORMS`], then all).
fn spent(p: &Patient, from: f64, to: f64) -> ([f64; 4], [f64; 4]) {
    let (mut cost, mut n) = ([0.0; 4], [0.0; 4]);
    for c in p
        .contacts
        .iter()
        .filter(|c| c.admitted >= from && c.admitted < to)
    {
        if let Some(f) = FORMS.iter().position(|f| c.vardform.as_deref() == Some(f)) {
            cost[f] += c.cost;
            n[f] += 1.0;
        }
        cost[3] += c.cost;
        n[3] += 1.0;
    }
    (cost, n)
}

/// Compute the months over `patients` (already restricted to one region or all).
pub fn cost_over_time(
    recipe: &AnalysisRecipe,
    region: &str,
    patients: &[Patient],
) -> CostOverTimeResult {
    let conf = Confidence::P95;
    let spec = recipe
        .spec
        .cost_over_time
        .unwrap_or(super::CostOverTimeSpec {
            months_before: 0,
            months_after: 1,
        });
    let from = -(spec.months_before as i32);
    let months = (from..spec.months_after as i32)
        .map(|m| {
            let mut costs = Vec::new();
            let (mut by_cost, mut by_n) = ([0.0; 4], [0.0; 4]);
            for p in patients {
                let a = p.t0 + f64::from(m) * MONTH_DAYS;
                let b = a + MONTH_DAYS;
                if !observed(p, a, b) {
                    continue;
                }
                let (c, n) = spent(p, a, b);
                for i in 0..4 {
                    by_cost[i] += c[i];
                    by_n[i] += n[i];
                }
                costs.push(c[3]);
            }
            let k = costs.len().max(1) as f64;
            let ci = mean_t(&costs, conf).ok();
            MonthPoint {
                month: m,
                patients: costs.len() as u64,
                cost: by_cost[3] / k,
                lower: ci.map(|e| e.estimate.lower.max(0.0)),
                upper: ci.map(|e| e.estimate.upper),
                contacts: by_n[3] / k,
                by_form: FORMS
                    .iter()
                    .enumerate()
                    .map(|(i, f)| FormMonth {
                        form: (*f).to_owned(),
                        cost: by_cost[i] / k,
                        contacts: by_n[i] / k,
                    })
                    .collect(),
            }
        })
        .collect();
    let span = f64::from(spec.months_after) * MONTH_DAYS;
    let totals: Vec<f64> = patients
        .iter()
        .filter(|p| {
            let end = p.t0 + span;
            end <= p.data_end || p.death.is_some_and(|d| d + 1.0 <= p.data_end && d < end)
        })
        .map(|p| spent(p, p.t0, p.t0 + span).0[3])
        .collect();
    let after = mean_t(&totals, conf).ok().map(|e| CostAfter {
        patients: totals.len() as u64,
        mean: e.estimate.value,
        lower: e.estimate.lower.max(0.0),
        upper: e.estimate.upper,
        concentration: concentration(&totals),
    });
    CostOverTimeResult {
        analysis: recipe.spec.id.clone(),
        hash: recipe.hash.clone(),
        region: region.to_owned(),
        patients: patients.len() as u64,
        months,
        after,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::cohort::Contact;

    fn contact(day: f64, form: &str, cost: f64) -> Contact {
        Contact {
            region: "13".into(),
            id: format!("{day}"),
            admitted: day,
            discharged: day,
            emergency_inpatient: form == "SV",
            died_in_stay: false,
            candidate: form == "SV",
            matches: Vec::new(),
            cost,
            vardform: Some(form.into()),
            kon: Some("2".into()),
            alder: Some(85),
        }
    }

    fn patient(t0: f64, contacts: Vec<Contact>, death: Option<f64>, data: (f64, f64)) -> Patient {
        Patient {
            region: "13".into(),
            index: contacts[0].clone(),
            contacts,
            procedures: Vec::new(),
            death,
            data_start: data.0,
            data_end: data.1,
            t0,
        }
    }

    fn recipe() -> AnalysisRecipe {
        crate::analysis::builtin()["aldre_vardkonsumtion"].clone()
    }

    #[test]
    fn months_count_admissions_and_only_the_patients_observed_in_them() {
        let l = MONTH_DAYS;
        // A: followed from a year before to a year after; contacts in months −1, 0 and 1.
        let a = patient(
            1000.0,
            vec![
                contact(1000.0 - 0.5 * l, "SV", 30_000.0),
                contact(1000.0, "SV", 50_000.0),
                contact(1000.0 + 0.2 * l, "OV", 2_000.0),
                contact(1000.0 + 1.5 * l, "PV", 1_000.0),
            ],
            None,
            (1000.0 - 12.0 * l, 1000.0 + 12.0 * l),
        );
        // B: data starts 2 months before t0 and the patient dies in month 1.
        let b = patient(
            2000.0,
            vec![contact(2000.0, "SV", 10_000.0)],
            Some(2000.0 + 1.5 * l),
            (2000.0 - 2.0 * l, 2000.0 + 12.0 * l),
        );
        let r = cost_over_time(&recipe(), "13", &[a, b]);
        assert_eq!(r.months.len(), 24);
        let m = |k: i32| r.months.iter().find(|m| m.month == k).unwrap();
        // Month −3: only A observed (B's data starts later), nothing spent.
        assert_eq!((m(-3).patients, m(-3).cost), (1, 0.0));
        // Month −1: both observed; A's 30 000 over 2 patients.
        assert_eq!((m(-1).patients, m(-1).cost), (2, 15_000.0));
        // Month 0: 50 000 + 2 000 (A) and 10 000 (B) over 2.
        assert_eq!(m(0).patients, 2);
        assert_eq!(m(0).cost, 31_000.0);
        let sv = m(0).by_form.iter().find(|f| f.form == "SV").unwrap();
        assert_eq!((sv.cost, sv.contacts), (30_000.0, 1.0));
        // Month 1: B dies in it and still counts; month 2: B is gone.
        assert_eq!((m(1).patients, m(1).cost), (2, 500.0));
        assert_eq!(m(2).patients, 1);
        // After: A (followed 12 months) and B (died inside the data) with their totals.
        let after = r.after.unwrap();
        assert_eq!(after.patients, 2);
        assert_eq!(after.mean, (53_000.0 + 10_000.0) / 2.0);
    }
}
