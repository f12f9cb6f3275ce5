//! The planted intervention: a mobile team (mobilt närsjukvårdsteam) in Värmland (region 17) for
//! old people just discharged after an emergency stay, with a known true effect on their KPP cost
//! and regression to the mean built in (they join right after an expensive stay).
//!
//! Applied to one region's care after it is simulated and before anything is derived from it (the
//! bed census, the deliveries, every count in `truth.json`), so all other truths stay consistent.
//!
//! Definitions (times in minutes; `truth.json` → `mobile_team` repeats them):
//!
//! * Only when the window has at least [`MIN_MONTHS`] months. Team start `S` = 00:00 of the first
//!   day of the window's fourth month.
//! * A *candidate* is a delivered contact (one that ends inside the window) of region 17 with
//!   vardform SV, planerad N and age at admission ≥ [`MIN_AGE`]. A person's *index* is the first
//!   candidate in admission order whose admission − 90 days is not before the window start and
//!   with no other candidate of the person admitted at or before it and at most 90 days earlier.
//!   `T` = the index's discharge.
//! * Eligible: the index's hemkommun (as delivered) lies in region 17, `T ≥ S`, the index's
//!   utskrivningssätt is not 4 (died), and `T + 104 days ≤` the end of the window (24:00 of its
//!   last day). Each eligible person is drawn to join with probability [`JOIN_PROBABILITY`];
//!   join day `J` = the day of `T` + uniform 1..=14 days; one drawn but dead on `J` does not join
//!   (no visit shows them) and counts as not joined.
//! * A joiner gets [`VISITS`] weekly home visits from `J` (while alive) and each of their delivered
//!   emergency stays (SV, planerad N) in region 17 admitted at or after 00:00 of `J` is removed
//!   with probability [`MOBILE_TEAM_AVOIDED_SHARE`], with its bed-census stay and its procedures
//!   (the emergency-department visit before it is kept).
//! * Cost of a person in a period = the sum of `kpp_kostnad` as delivered (rounded to öre) over the
//!   person's delivered region-17 contacts of any form admitted in the period; before =
//!   `[T − 90 d, T)`, after = `[T, T + 90 d)`.

use std::collections::{BTreeMap, BTreeSet};

use crate::cal::{DAY_MIN, Day, Min, age_on, date_of};
use crate::care::{Contact, Form, RegionCare, Window};
use crate::codes::{NONE, Spec, planted};
use crate::model::Model;
use crate::places::Places;
use crate::population::Population;
use crate::rng::{self, tag};
use crate::truthfile::MobileTeam;

/// The region of the mobile team (Värmland).
pub(crate) const REGION: &str = "17";
/// The least number of months of a window the team is planted in.
pub(crate) const MIN_MONTHS: usize = 9;
/// The team starts on the first day of this month of the window (0-based).
pub(crate) const START_MONTH: usize = 3;
/// The least age at admission of a candidate stay.
pub(crate) const MIN_AGE: u32 = 75;
/// No other candidate stay within this many days before the index; the before period.
pub(crate) const WASHOUT_DAYS: Min = 90;
/// A joiner joins at most this many days after the day of discharge.
pub(crate) const JOIN_WITHIN_DAYS: Min = 14;
/// The after period (from discharge).
pub(crate) const WINDOW_DAYS: Min = 90;
/// The discharge must lie this many days before the end of the window.
pub(crate) const FOLLOW_DAYS: Min = JOIN_WITHIN_DAYS + WINDOW_DAYS;
/// Probability that an eligible person joins.
pub(crate) const JOIN_PROBABILITY: f64 = 0.35;
/// Probability that an emergency stay of a joiner from the join day on is avoided.
pub(crate) const MOBILE_TEAM_AVOIDED_SHARE: f64 = 0.5;
/// KPP cost of one home visit (SEK).
pub(crate) const MOBILE_TEAM_VISIT_COST: u32 = 3000;
/// Weekly home visits per joiner (fewer if the joiner dies).
pub(crate) const VISITS: u32 = 8;

const NOTE: &str = "Synthetic intervention. effect_per_patient_sek is the planted average effect on the treated (ATT): mean over joiners of after − after_counterfactual, where after_counterfactual is the cost over the same contacts as generated before the intervention (no team visits, no stay removed). naive_per_patient_sek (mean of after − before) overstates the saving because joiners join right after an emergency stay that lies in their before period (regression to the mean); a difference-in-differences against comparable non-joiners should recover the effect. Joining is random among the eligible, so eligible persons who did not join (not_joined, mean_*_not_joined_sek; they include the few drawn but dead before the join day) are a nearly ideal comparison group; visitors from other regions never join. Means are null when no one is in the group. The emergency-department visit before an avoided stay is kept.";

const DEFINITION: &str = "Region 17 only, when the window has at least 9 months; start = 00:00 of the first day of the window's fourth month. Candidate: a delivered vardkontakter.kontakter row of region 17 (delivered = utskrivningsdatum inside the window) with vardform SV, planerad N and age at inskrivningsdatum ≥ min_age (from the identity number's birth date). Index: a person's first candidate (by inskrivningsdatum) with inskrivningsdatum − washout_days ≥ 00:00 of the window's first day and no other candidate of the person admitted at or before it and at most washout_days earlier (index − other > washout_days × 1440 minutes for every earlier candidate). T = the index's utskrivningsdatum. Eligible: the index row's hemkommun lies in region 17, T ≥ start, utskrivningssatt of the index ≠ 4, T + follow_days ≤ 24:00 of the window's last day. Each eligible person is drawn to join with join_probability; join day J = date of T + uniform 1..=join_within_days; a person drawn but dead on J does not join (counted in died_before_joining and in not_joined), so joiners are exactly the eligible persons with at least one row with code. A joiner gets one home visit per week from J for visits weeks while alive (OV, planerad J, nybesök then återbesök, atgarder kod = code, kpp_kostnad = visit_cost_sek, hdia of the index, at the geriatric clinic of the hospital serving the joiner's kommun), and each delivered SV row with planerad N of the joiner in region 17 admitted at or after 00:00 of J is removed with probability avoided_share (with its procedures and its bed-census stay). Cost = Σ kpp_kostnad as delivered of the person's region-17 rows of any vardform admitted in the period: before = [T − window_days, T), after = [T, T + window_days).";

/// One contact of a person: where it is and what the cohort rules look at.
#[derive(Clone, Copy)]
struct Row {
    ins: Min,
    seq: u32,
    /// Cost as delivered, in öre.
    ore: u64,
    emergency_sv: bool,
}

/// A contact's `kpp_kostnad` as delivered (two decimals), in öre.
pub(crate) fn delivered_ore(c: &Contact) -> u64 {
    (f64::from(c.cost).max(0.0) * 100.0).round() as u64
}

/// Σ öre of the rows admitted in `[from, to)`.
fn cost_in(rows: &[Row], from: Min, to: Min) -> u64 {
    rows.iter()
        .filter(|r| r.ins >= from && r.ins < to)
        .map(|r| r.ore)
        .sum()
}

/// Sums over a group of persons (öre).
#[derive(Default)]
struct Group {
    n: u64,
    before: u64,
    after: u64,
    counterfactual: u64,
}

impl Group {
    fn mean(&self, ore: u64) -> Option<f64> {
        (self.n > 0).then(|| crate::truth::round6(ore as f64 / self.n as f64 / 100.0))
    }

    fn mean_diff(&self, a: u64, b: u64) -> Option<f64> {
        (self.n > 0).then(|| crate::truth::round6((a as f64 - b as f64) / self.n as f64 / 100.0))
    }
}

/// Plant the mobile team in region `ri`'s care, if it is region 17 and the window is long enough;
/// returns what was planted for `truth.json`.
pub(crate) fn apply(
    m: &Model,
    pop: &Population,
    places: &Places,
    w: &Window,
    ri: usize,
    seed: u64,
    care: &mut RegionCare,
) -> Option<MobileTeam> {
    let region = REGION
        .parse::<u8>()
        .ok()
        .and_then(crate::refdata::region_index)?;
    if ri != region || w.months.len() < MIN_MONTHS {
        return None;
    }
    let start_day = w.months.get(START_MONTH)?.1;
    let start = start_day * DAY_MIN;
    let window_start = w.first * DAY_MIN;
    let window_end = (w.last + 1) * DAY_MIN;

    // Every delivered contact by person, in admission order.
    let mut by_person: BTreeMap<u32, Vec<(Min, u32, usize, usize)>> = BTreeMap::new();
    for (mi, month) in care.contacts.iter().enumerate() {
        for (k, c) in month.iter().enumerate() {
            by_person
                .entry(c.person)
                .or_default()
                .push((c.ins, c.seq, mi, k));
        }
    }
    let mut next_seq = care
        .contacts
        .iter()
        .flatten()
        .map(|c| c.seq + 1)
        .max()
        .unwrap_or(0);

    let mut joined = Group::default();
    let mut not_joined = Group::default();
    let mut removed: BTreeSet<u32> = BTreeSet::new();
    let mut died_before_joining = 0u64;
    let mut visits: Vec<Contact> = Vec::new();
    for (&pi, list) in &mut by_person {
        list.sort_unstable();
        let p = pop.persons[pi as usize];
        let contact = |&(_, _, mi, k): &(Min, u32, usize, usize)| &care.contacts[mi][k];
        let candidates: Vec<&Contact> = list
            .iter()
            .map(contact)
            .filter(|c| {
                c.form == Form::Sv
                    && !c.planned
                    && age_on(p.birth, c.ins.div_euclid(DAY_MIN)) >= MIN_AGE
            })
            .collect();
        let index = candidates.iter().enumerate().find_map(|(i, c)| {
            let clear = c.ins - WASHOUT_DAYS * DAY_MIN >= window_start
                && candidates[..i]
                    .iter()
                    .all(|o| c.ins - o.ins > WASHOUT_DAYS * DAY_MIN);
            clear.then_some(*c)
        });
        let Some(index) = index else { continue };
        let t = index.uts;
        let resident = usize::from(p.region_at(index.ins.div_euclid(DAY_MIN))) == ri;
        if !resident || t < start || index.utsatt == 4 || t + FOLLOW_DAYS * DAY_MIN > window_end {
            continue;
        }
        let rows: Vec<Row> = list
            .iter()
            .map(contact)
            .map(|c| Row {
                ins: c.ins,
                seq: c.seq,
                ore: delivered_ore(c),
                emergency_sv: c.form == Form::Sv && !c.planned,
            })
            .collect();
        let before = cost_in(&rows, t - WASHOUT_DAYS * DAY_MIN, t);
        let counterfactual = cost_in(&rows, t, t + WINDOW_DAYS * DAY_MIN);
        let mut join_rng = rng::stream(seed, &[tag::MOBILE_JOIN, ri as u64, u64::from(pi)]);
        let drawn = rng::chance(&mut join_rng, JOIN_PROBABILITY);
        let join: Day = t.div_euclid(DAY_MIN)
            + rng::range(&mut join_rng, 1, i64::from(JOIN_WITHIN_DAYS) + 1) as Day;
        // Drawn but dead by the join day: the team never meets them, no visit shows it, so they
        // count as not joined (as the hub sees them).
        died_before_joining += u64::from(drawn && !p.alive(join));
        if !drawn || !p.alive(join) {
            not_joined.n += 1;
            not_joined.before += before;
            not_joined.after += counterfactual;
            not_joined.counterfactual += counterfactual;
            continue;
        }
        // Avoided stays.
        let mut avoid_rng = rng::stream(seed, &[tag::MOBILE_AVOIDED, ri as u64, u64::from(pi)]);
        let mut kept: Vec<Row> = Vec::with_capacity(rows.len() + VISITS as usize);
        for r in &rows {
            if r.emergency_sv
                && r.ins >= join * DAY_MIN
                && rng::chance(&mut avoid_rng, MOBILE_TEAM_AVOIDED_SHARE)
            {
                removed.insert(r.seq);
            } else {
                kept.push(*r);
            }
        }
        // Home visits.
        let mut visit_rng = rng::stream(seed, &[tag::MOBILE_VISITS, ri as u64, u64::from(pi)]);
        let hosp = places.hospital_of(p.kommun_at(join));
        let place = places.clinic(hosp, Spec::Ger);
        let (drg, weight) = m.drg(Spec::Ger.ov_drg().0);
        for week in 0..VISITS {
            let day = join + 7 * week as Day;
            if !p.alive(day) || day > w.last {
                break;
            }
            let ins = day * DAY_MIN + 8 * 60 + 15 * rng::range(&mut visit_rng, 0, 28) as Min;
            let uts = ins + rng::range(&mut visit_rng, 30, 91) as Min;
            let yrke = if week == 0 || rng::chance(&mut visit_rng, 0.3) {
                b'L'
            } else {
                b'S'
            };
            let c = Contact {
                person: pi,
                seq: next_seq,
                ins,
                uts,
                op_at: [ins + 10, 0],
                cost: MOBILE_TEAM_VISIT_COST as f32,
                drg_weight: weight as f32,
                place,
                hdia: index.hdia,
                bidia: [NONE; 3],
                ops: [m.ops.mobile_team_visit, NONE],
                drg,
                uk: 0,
                form: Form::Ov,
                planned: true,
                besok: if week == 0 { 1 } else { 2 },
                yrke,
                utsatt: 0,
                n_bidia: 0,
                n_ops: 1,
            };
            next_seq += 1;
            kept.push(Row {
                ins,
                seq: c.seq,
                ore: delivered_ore(&c),
                emergency_sv: false,
            });
            visits.push(c);
        }
        joined.n += 1;
        joined.before += before;
        joined.after += cost_in(&kept, t, t + WINDOW_DAYS * DAY_MIN);
        joined.counterfactual += counterfactual;
    }

    // Apply: remove the avoided stays (contacts with their procedures, and their census stays),
    // add the visits.
    let mut stays_out: BTreeMap<(u16, Min, Min, u16), u32> = BTreeMap::new();
    for month in &mut care.contacts {
        month.retain(|c| {
            if removed.contains(&c.seq) {
                *stays_out.entry((c.place, c.ins, c.uts, c.uk)).or_default() += 1;
                false
            } else {
                true
            }
        });
    }
    care.stays.retain(
        |s| match stays_out.get_mut(&(s.place, s.ins, s.uts, s.uk)) {
            Some(n) if *n > 0 => {
                *n -= 1;
                false
            }
            _ => true,
        },
    );
    let team_visits = visits.len() as u64;
    for c in visits {
        if let Some(mi) = w.month_index(c.uts.div_euclid(DAY_MIN)) {
            care.contacts[mi].push(c);
        }
    }
    for month in &mut care.contacts {
        month.sort_by_key(|c| (c.uts, c.seq));
    }

    Some(MobileTeam {
        definition: DEFINITION,
        region: REGION,
        start: date_of(start_day).to_string(),
        code: planted::MOBILE_TEAM_VISIT,
        min_age: MIN_AGE,
        washout_days: WASHOUT_DAYS,
        join_within_days: JOIN_WITHIN_DAYS,
        window_days: WINDOW_DAYS,
        follow_days: FOLLOW_DAYS,
        join_probability: JOIN_PROBABILITY,
        avoided_share: MOBILE_TEAM_AVOIDED_SHARE,
        visit_cost_sek: MOBILE_TEAM_VISIT_COST,
        visits: VISITS,
        eligible: joined.n + not_joined.n,
        joined: joined.n,
        not_joined: not_joined.n,
        died_before_joining,
        team_visits,
        avoided_stays: removed.len() as u64,
        mean_before_sek: joined.mean(joined.before),
        mean_after_sek: joined.mean(joined.after),
        mean_after_counterfactual_sek: joined.mean(joined.counterfactual),
        effect_per_patient_sek: joined.mean_diff(joined.after, joined.counterfactual),
        naive_per_patient_sek: joined.mean_diff(joined.after, joined.before),
        mean_before_not_joined_sek: not_joined.mean(not_joined.before),
        mean_after_not_joined_sek: not_joined.mean(not_joined.after),
        note: NOTE,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::care;
    use vardhub_domain::Period;
    use vardhub_domain::region::regions;

    fn region_care(from: &str, to: &str, ri: usize) -> (Model, Population, Places, Window) {
        let m = Model::new();
        let (from, to) = (Period::parse(from).unwrap(), Period::parse(to).unwrap());
        let pop = crate::population::build(&m, 7, 0.004, from, to);
        let places = Places::new(&regions()[ri], &pop.kommuner[ri], 0.004);
        (m, pop, places, Window::new(from, to))
    }

    #[test]
    fn the_team_removes_stays_with_their_census_stays_and_adds_visits() {
        let ri = crate::refdata::region_index(17).unwrap();
        let (m, pop, places, w) = region_care("2024-01", "2024-09", ri);
        let before = care::simulate_region(&m, &pop, &places, &w, ri, 7, None);
        let mut after = care::simulate_region(&m, &pop, &places, &w, ri, 7, None);
        let planted = apply(&m, &pop, &places, &w, ri, 7, &mut after).unwrap();
        assert!(planted.joined > 0 && planted.eligible >= planted.joined);
        assert_eq!(planted.start, "2024-04-01");
        let n = |c: &RegionCare| c.contacts.iter().map(Vec::len).sum::<usize>() as u64;
        assert_eq!(
            n(&after),
            n(&before) + planted.team_visits - planted.avoided_stays
        );
        assert_eq!(
            after.stays.len() as u64,
            before.stays.len() as u64 - planted.avoided_stays
        );
        let seqs: BTreeSet<u32> = after.contacts.iter().flatten().map(|c| c.seq).collect();
        assert_eq!(seqs.len() as u64, n(&after), "kontakt ids stay unique");
        let visits = after
            .contacts
            .iter()
            .flatten()
            .filter(|c| c.ops[0] == m.ops.mobile_team_visit)
            .count() as u64;
        assert_eq!(visits, planted.team_visits);
        assert!(visits <= u64::from(VISITS) * planted.joined);
        for (mi, month) in after.contacts.iter().enumerate() {
            assert!(month.is_sorted_by_key(|c| (c.uts, c.seq)));
            assert!(
                month
                    .iter()
                    .all(|c| w.month_index(c.uts.div_euclid(DAY_MIN)) == Some(mi))
            );
        }
        // Deterministic.
        let mut again = care::simulate_region(&m, &pop, &places, &w, ri, 7, None);
        let planted2 = apply(&m, &pop, &places, &w, ri, 7, &mut again).unwrap();
        assert_eq!(planted2.joined, planted.joined);
        assert_eq!(
            planted2.effect_per_patient_sek,
            planted.effect_per_patient_sek
        );
        assert_eq!(n(&again), n(&after));
    }

    #[test]
    fn nothing_is_planted_in_short_windows_or_other_regions() {
        let ri = crate::refdata::region_index(17).unwrap();
        let (m, pop, places, w) = region_care("2024-01", "2024-08", ri);
        let mut c = care::simulate_region(&m, &pop, &places, &w, ri, 7, None);
        assert!(apply(&m, &pop, &places, &w, ri, 7, &mut c).is_none());
        let other = crate::refdata::region_index(18).unwrap();
        let (m, pop, places, w) = region_care("2024-01", "2024-12", other);
        let mut c = care::simulate_region(&m, &pop, &places, &w, other, 7, None);
        assert!(apply(&m, &pop, &places, &w, other, 7, &mut c).is_none());
    }

    #[test]
    fn the_visit_code_is_kva_shaped_and_costs_round_like_the_deliveries() {
        vardhub_domain::KvaCode::parse(planted::MOBILE_TEAM_VISIT).unwrap();
        let mut s = String::new();
        crate::cal::push_decimal(&mut s, f64::from(1234.567_f32), 2);
        assert_eq!(s, "1234,57");
        let c = Contact {
            person: 0,
            seq: 0,
            ins: 0,
            uts: 0,
            op_at: [0; 2],
            cost: 1234.567,
            drg_weight: 0.0,
            place: 0,
            hdia: NONE,
            bidia: [NONE; 3],
            ops: [NONE; 2],
            drg: NONE,
            uk: 0,
            form: Form::Ov,
            planned: true,
            besok: 1,
            yrke: b'L',
            utsatt: 0,
            n_bidia: 0,
            n_ops: 0,
        };
        assert_eq!(delivered_ore(&c), 123_457);
    }
}
