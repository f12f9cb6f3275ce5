//! `truth.json` → `scenario`: a scenario's change and its outcomes measured directly on what the
//! generator produced for the region, with the change and without it (the same seed), so a test
//! can compare a scenario engine's prediction with the generator's counterfactual without reading
//! the deliveries.
//!
//! The run without the change is the region as a run without a scenario generates it: for a
//! length-of-stay change the region's care is simulated a second time without it (with the
//! mobile team where it is planted), for a staffed-bed change the census is derived a second
//! time from the same stays.

use serde::Serialize;

use crate::beds::{self, BedRow};
use crate::cal::{DAY_MIN, NEVER, date_of};
use crate::care::{self, Form, RegionCare, WaitKind, Window};
use crate::job::Shared;
use crate::places::Places;
use crate::scenario::{ChangeKind, Prepared};
use crate::truth::round6;

const DEFINITION: &str = "Outcomes of the scenario's region measured on the generated data (before defects, whether or not a delivery is withheld), once as generated with the change (scenario) and once without it (baseline, identical to a run without a scenario). Per calendar month of the window and from_start (from 00:00 of the start day to the end of the window). Bed outcomes over the region's vardplatser.enhetsdagar rows with vardinriktning SOM: disponibla, belagda, overbelaggningar and utlokaliserade are sums over ward-days (bed-days), mean_disponibla and mean_belagda those sums divided by the days, overbelaggningar_per_100 = Σ overbelaggningar / Σ disponibla × 100 (as indicators/overbelaggningar_per_100.toml and truth.json → indicators → overcrowding_per_100_staffed_beds). Diagnosis group (diagnoses): vardkontakter.kontakter rows with vardform SV and hdia starting with one of the codes; group_stays counts them, group_bed_days = Σ (utskrivningsdatum − inskrivningsdatum) in days (minutes / 1440), group_mean_los_days = group_bed_days / group_stays; months by utskrivningsdatum, from_start the rows admitted at or after the start. First visits as truth.json → indicators → first_visit_within_90_days (vantetyp FB, completed in the month, avvikelseorsak not PvV or MoV; within = genomford_datum − startdatum ≤ 90 days); from_start those completed at or after the start.";

/// The scenario part of `truth.json`.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct ScenarioTruth {
    definition: &'static str,
    change: ChangeTruth,
    /// The diagnosis codes of the measured group (the change's own, otherwise hip fracture).
    diagnoses: Vec<&'static str>,
    /// A staffed-bed change: the beds added to each ward (scenario − baseline on the start day).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    added_beds: Vec<WardBeds>,
    baseline: Outcomes,
    scenario: Outcomes,
}

#[derive(Debug, Clone, Serialize)]
struct ChangeTruth {
    /// `length_of_stay`, `staffed_beds` or `first_visit_capacity`.
    kind: &'static str,
    region: String,
    /// First day (ÅÅÅÅ-MM-DD, from 00:00) to the end of the window.
    start: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    factor: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    diagnoses: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    beds: Option<i32>,
    /// How the generator applies it.
    rule: &'static str,
}

#[derive(Debug, Clone, Serialize)]
struct WardBeds {
    sjukhus: String,
    enhet: String,
    beds: i64,
}

#[derive(Debug, Clone, Serialize)]
struct Outcomes {
    months: Vec<Outcome>,
    from_start: Outcome,
}

#[derive(Debug, Clone, Default, Serialize)]
struct Outcome {
    /// ÅÅÅÅ-MM, or ÅÅÅÅ-MM-DD..ÅÅÅÅ-MM-DD for `from_start`.
    period: String,
    days: u32,
    disponibla: u64,
    belagda: u64,
    overbelaggningar: u64,
    utlokaliserade: u64,
    mean_disponibla: f64,
    mean_belagda: f64,
    overbelaggningar_per_100: Option<f64>,
    group_stays: u64,
    group_bed_days: f64,
    group_mean_los_days: Option<f64>,
    first_visits: u64,
    first_visits_within_90d: u64,
    first_visit_within_90d_share: Option<f64>,
    #[serde(skip)]
    group_minutes: i64,
}

impl Outcome {
    fn finish(mut self) -> Outcome {
        let days = f64::from(self.days.max(1));
        self.mean_disponibla = round6(self.disponibla as f64 / days);
        self.mean_belagda = round6(self.belagda as f64 / days);
        self.overbelaggningar_per_100 = (self.disponibla > 0)
            .then(|| round6(100.0 * self.overbelaggningar as f64 / self.disponibla as f64));
        self.group_bed_days = round6(self.group_minutes as f64 / f64::from(DAY_MIN));
        self.group_mean_los_days = (self.group_stays > 0).then(|| {
            round6(self.group_minutes as f64 / f64::from(DAY_MIN) / self.group_stays as f64)
        });
        self.first_visit_within_90d_share = (self.first_visits > 0)
            .then(|| round6(self.first_visits_within_90d as f64 / self.first_visits as f64));
        self
    }
}

/// Measure the outcomes of one version of the region.
fn measure(
    p: &Prepared,
    w: &Window,
    places: &Places,
    care: &RegionCare,
    beds: &[Vec<BedRow>],
) -> Outcomes {
    let start_min = p.start * DAY_MIN;
    let mut months: Vec<Outcome> = w
        .months
        .iter()
        .map(|(period, first, last)| Outcome {
            period: period.to_string(),
            days: (last - first + 1) as u32,
            ..Outcome::default()
        })
        .collect();
    let mut from = Outcome {
        period: format!("{}..{}", date_of(p.start), date_of(w.last)),
        days: (w.last - p.start + 1) as u32,
        ..Outcome::default()
    };
    for (mi, rows) in beds.iter().enumerate() {
        for r in rows {
            if places.list[usize::from(r.place)].spec.psychiatric() {
                continue;
            }
            for o in [
                Some(&mut months[mi]),
                (r.day >= p.start).then_some(&mut from),
            ]
            .into_iter()
            .flatten()
            {
                o.disponibla += u64::from(r.disponibla);
                o.belagda += u64::from(r.belagda);
                o.overbelaggningar += u64::from(r.over);
                o.utlokaliserade += u64::from(r.utlok);
            }
        }
    }
    for (mi, contacts) in care.contacts.iter().enumerate() {
        for c in contacts {
            if c.form != Form::Sv || !p.group.contains(&c.hdia) {
                continue;
            }
            for o in [
                Some(&mut months[mi]),
                (c.ins >= start_min).then_some(&mut from),
            ]
            .into_iter()
            .flatten()
            {
                o.group_stays += 1;
                o.group_minutes += i64::from(c.uts - c.ins);
            }
        }
    }
    for c in &care.cases {
        if c.kind != WaitKind::FirstVisit || c.done == NEVER || c.avvik == 1 || c.avvik == 2 {
            continue;
        }
        let Some(mi) = w.month_index(c.done) else {
            continue;
        };
        let within = c.done - c.start <= 90;
        for o in [
            Some(&mut months[mi]),
            (c.done >= p.start).then_some(&mut from),
        ]
        .into_iter()
        .flatten()
        {
            o.first_visits += 1;
            o.first_visits_within_90d += u64::from(within);
        }
    }
    Outcomes {
        months: months.into_iter().map(Outcome::finish).collect(),
        from_start: from.finish(),
    }
}

/// The scenario truth of region `p.ri`, given its care and census with the change.
pub(crate) fn region(
    sh: &Shared<'_>,
    p: &Prepared,
    places: &Places,
    care: &RegionCare,
    beds: &[Vec<BedRow>],
) -> ScenarioTruth {
    let (ri, seed, w) = (p.ri, sh.opts.seed, sh.window);
    let rp = &sh.model.regions[ri];
    let simulated;
    let base = if p.los.is_some() || p.capacity.is_some() {
        let mut b = care::simulate_region(sh.model, sh.pop, places, w, ri, seed, None);
        let _ = crate::mobile::apply(sh.model, sh.pop, places, w, ri, seed, &mut b);
        simulated = b;
        &simulated
    } else {
        care
    };
    let base_beds = beds::census(places, &base.stays, w, rp, seed, ri, None);
    let mut added = Vec::new();
    if let Some(mi) = w.month_index(p.start) {
        let on_start = |rows: &[BedRow]| -> Vec<(u16, u32)> {
            rows.iter()
                .filter(|r| r.day == p.start)
                .map(|r| (r.place, r.disponibla))
                .collect()
        };
        for ((place, b), (_, s)) in on_start(&base_beds[mi])
            .into_iter()
            .zip(on_start(&beds[mi]))
        {
            if s != b {
                let pl = &places.list[usize::from(place)];
                added.push(WardBeds {
                    sjukhus: pl.sjukhus.clone(),
                    enhet: pl.enhet.clone(),
                    beds: i64::from(s) - i64::from(b),
                });
            }
        }
    }
    let baseline = measure(p, w, places, base, &base_beds);
    finish(sh, p, baseline, measure(p, w, places, care, beds), added)
}

fn finish(
    sh: &Shared<'_>,
    p: &Prepared,
    baseline: Outcomes,
    scenario: Outcomes,
    added_beds: Vec<WardBeds>,
) -> ScenarioTruth {
    let c = &p.change;
    let mut change = ChangeTruth {
        kind: "",
        region: c.region.as_str().to_owned(),
        start: c.start.to_string(),
        factor: None,
        diagnoses: None,
        beds: None,
        rule: "",
    };
    match &c.kind {
        ChangeKind::LengthOfStay { diagnoses, factor } => {
            change.kind = "length_of_stay";
            change.factor = Some(*factor);
            change.diagnoses = Some(diagnoses.clone());
            change.rule = "SV stays of the region admitted at or after the start with hdia in the group and utskrivningssätt ≠ 4 end at admission + round(factor × length in minutes), not before their last procedure + 60 minutes; admission, codes, procedures, readmissions and follow-up visits as generated; kpp_kostnad × (0.4 + 0.6 (d′ + 0.5)/(r + 0.5)) / (0.4 + 0.6 (d + 0.5)/(r + 0.5)) with d, d′ whole days from admission before and after and r the generator's reference length of the specialty; utskrivningsklar_dagar capped at d′ − 1 (0 if d′ < 2); staffed beds planned on the stays as generated.";
        }
        ChangeKind::StaffedBeds { beds } => {
            change.kind = "staffed_beds";
            change.beds = Some(*beds);
            change.rule = "From the start day, beds are added to the region's somatic wards in proportion to their planned staffed beds (largest remainder, ties to the earlier ward) after the holiday reduction, never below one bed per ward; stays unchanged, outlying placements redrawn from the census stream from the start day.";
        }
        ChangeKind::FirstVisitCapacity { factor } => {
            change.kind = "first_visit_capacity";
            change.factor = Some(*factor);
            change.rule = "First-visit waits are a medical target (lognormal, σ 0.75; medicinskt_maldatum = start + target for 60 % of cases) plus the region's lateness L0 = 0.5 × the median wait its planted share within 90 days implies. With capacity × factor from the start day t0, a referral due on day u ≥ t0 − L0 (due = start + target, after the PvV/MoV/other deviation factors) is served (L0 + c(t0 − u))/(1 + c) days after u, at least 0, c = factor − 1 (the fluid queue: the backlog a·L0 drains at c·a a day); the visit is moved to the next weekday; referrals, targets and all draws as generated, the pathway after a moved visit follows from the new day.";
        }
    }
    ScenarioTruth {
        definition: DEFINITION,
        change,
        diagnoses: p.group.iter().map(|&g| sh.model.codes.text(g)).collect(),
        added_beds,
        baseline,
        scenario,
    }
}
