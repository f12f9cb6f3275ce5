//! The daily bed census, derived from the generated inpatient stays.
//!
//! * `belagda`: stays present at 06:00 (admitted at or before 06:00, discharged after), on the
//!   responsible ward, minus patients placed elsewhere, plus patients taken in from other wards.
//! * `disponibla`: staffed beds, planned per ward once for the whole window as the number of beds
//!   that gives about the region's overcrowding target (per 100 staffed beds; before outlying
//!   placements, target / (1 − 0.8 × outlier share)) against the ward's own daily load, then reduced in summer (June 5 %, July 12 %, August 7 %) and at Christmas
//!   (December 3 %) when staff are on holiday. Overcrowding then arises from the load: winter peaks,
//!   weekly patterns and chance. The plan uses the stays as they would be without a scenario's
//!   length-of-stay change (`Stay::base_uts`); a scenario's staffed-bed change
//!   ([`crate::scenario::BedChange`]) adds its beds to the wards after the holiday reduction.
//! * `utlokaliserade`: of the patients above a full ward's staffed beds, a region-dependent share
//!   is placed on another ward of the same hospital and the same kind (somatic/psychiatric) that has
//!   free staffed beds; they are counted (as occupied beds and as outlying patients) on the
//!   receiving ward.
//! * `overbelaggningar` = max(0, belagda − disponibla) on every ward and day.
//! * `utskrivningsklara`: patients present at 06:00 in the last `utskrivningsklar_dagar` days of
//!   their stay, counted on the responsible ward and capped at the ward's `belagda`.

use crate::cal::{DAY_MIN, Day, month_of};
use crate::care::{Stay, Window};
use crate::model::RegionParams;
use crate::places::Places;
use crate::rng::{self, tag};
use crate::scenario::BedChange;

/// One ward and day.
#[derive(Debug, Clone, Copy)]
pub(crate) struct BedRow {
    pub place: u16,
    pub day: Day,
    pub disponibla: u32,
    pub belagda: u32,
    pub over: u32,
    pub utlok: u32,
    pub uk: u32,
}

/// Staffed beds in a month relative to the planned number.
pub(crate) fn staffing_factor(month: u32) -> f64 {
    match month {
        6 => 0.95,
        7 => 0.88,
        8 => 0.93,
        12 => 0.97,
        _ => 1.0,
    }
}

/// The census rows of each month (in ward order, then day).
pub(crate) fn census(
    places: &Places,
    stays: &[Stay],
    w: &Window,
    rp: &RegionParams,
    seed: u64,
    ri: usize,
    change: Option<&BedChange>,
) -> Vec<Vec<BedRow>> {
    let wards: Vec<usize> = places.wards().collect();
    let mut ward_of = vec![usize::MAX; places.list.len()];
    for (i, &p) in wards.iter().enumerate() {
        ward_of[p] = i;
    }
    let ndays = (w.last - w.first + 1) as usize;
    let mut occ = vec![vec![0i32; ndays + 1]; wards.len()];
    let mut ready = vec![vec![0i32; ndays + 1]; wards.len()];
    let replan = stays.iter().any(|s| s.base_uts != s.uts);
    let mut plan_occ = vec![vec![0i32; if replan { ndays + 1 } else { 0 }]; wards.len()];
    // Present at 06:00 on day d iff from <= d*1440+360 < to.
    let range = |from: i32, to: i32| -> Option<(usize, usize)> {
        let first = (from - 360 + DAY_MIN - 1).div_euclid(DAY_MIN);
        let last = (to - 360 - 1).div_euclid(DAY_MIN);
        let f = first.max(w.first);
        let l = last.min(w.last);
        (f <= l).then(|| ((f - w.first) as usize, (l - w.first) as usize))
    };
    for s in stays {
        let wi = ward_of[usize::from(s.place)];
        if wi == usize::MAX {
            continue;
        }
        if let Some((f, l)) = range(s.ins, s.uts) {
            occ[wi][f] += 1;
            occ[wi][l + 1] -= 1;
        }
        if replan && let Some((f, l)) = range(s.ins, s.base_uts) {
            plan_occ[wi][f] += 1;
            plan_occ[wi][l + 1] -= 1;
        }
        if s.uk > 0 {
            let from = s.ins.max(s.uts - i32::from(s.uk) * DAY_MIN);
            if let Some((f, l)) = range(from, s.uts) {
                ready[wi][f] += 1;
                ready[wi][l + 1] -= 1;
            }
        }
    }
    let prefix = |v: &mut Vec<i32>| {
        let mut acc = 0;
        for x in v.iter_mut() {
            acc += *x;
            *x = acc;
        }
        v.pop();
    };
    for v in occ
        .iter_mut()
        .chain(ready.iter_mut())
        .chain(plan_occ.iter_mut())
    {
        prefix(v);
    }
    // Part of the excess becomes outlying patients instead of overcrowding: plan for the excess
    // before placement so that overcrowding after it is about the target.
    let target = rp.overcrowding_target_per_100 / (1.0 - 0.8 * rp.outlier_share);
    let planned: Vec<u32> = if replan { &plan_occ } else { &occ }
        .iter()
        .map(|d| plan_beds(d, target))
        .collect();
    let added: Vec<i32> = change.map_or_else(Vec::new, |c| {
        let somatic: Vec<bool> = wards
            .iter()
            .map(|&p| !places.list[p].spec.psychiatric())
            .collect();
        c.per_ward(&somatic, &planned)
    });
    let mut rng = rng::stream(seed, &[tag::BEDS, ri as u64]);
    let mut out: Vec<Vec<BedRow>> = vec![Vec::new(); w.months.len()];
    let mut rows: Vec<BedRow> = Vec::with_capacity(wards.len());
    for d in 0..ndays {
        let day = w.first + d as Day;
        let factor = staffing_factor(month_of(day));
        rows.clear();
        for (wi, &p) in wards.iter().enumerate() {
            let mut disp = ((f64::from(planned[wi]) * factor).round() as u32).max(1);
            if change.is_some_and(|c| day >= c.from) {
                disp = (i64::from(disp) + i64::from(added[wi])).max(1) as u32;
            }
            rows.push(BedRow {
                place: p as u16,
                day,
                disponibla: disp,
                belagda: occ[wi][d].max(0) as u32,
                over: 0,
                utlok: 0,
                uk: ready[wi][d].max(0) as u32,
            });
        }
        // Outlying patients: move part of each full ward's excess to wards of the same hospital
        // and kind with free beds.
        for i in 0..rows.len() {
            let excess = rows[i].belagda.saturating_sub(rows[i].disponibla);
            if excess == 0 {
                continue;
            }
            let want = f64::from(excess) * rp.outlier_share;
            let mut moving = want.floor() as u32 + u32::from(rng::chance(&mut rng, want.fract()));
            let pi = usize::from(rows[i].place);
            let (h, psy) = (places.list[pi].hospital, places.list[pi].spec.psychiatric());
            while moving > 0 {
                let best = (0..rows.len())
                    .filter(|&j| {
                        let pj = &places.list[usize::from(rows[j].place)];
                        j != i
                            && pj.hospital == h
                            && pj.spec.psychiatric() == psy
                            && rows[j].belagda < rows[j].disponibla
                    })
                    .max_by_key(|&j| (rows[j].disponibla - rows[j].belagda, std::cmp::Reverse(j)));
                let Some(j) = best else { break };
                rows[i].belagda -= 1;
                rows[j].belagda += 1;
                rows[j].utlok += 1;
                moving -= 1;
            }
        }
        let mi = w.month_index(day).unwrap_or(0);
        for r in &mut rows {
            r.over = r.belagda.saturating_sub(r.disponibla);
            r.uk = r.uk.min(r.belagda);
            out[mi].push(*r);
        }
    }
    for m in &mut out {
        m.sort_by_key(|r| (r.place, r.day));
    }
    out
}

/// Staffed beds giving overcrowding per 100 staffed beds closest to `target` over `demand`.
pub(crate) fn plan_beds(demand: &[i32], target: f64) -> u32 {
    let days = demand.len().max(1) as f64;
    let rate = |c: u32| -> f64 {
        let over: i64 = demand
            .iter()
            .map(|&d| i64::from((d - c as i32).max(0)))
            .sum();
        100.0 * over as f64 / (f64::from(c) * days)
    };
    let max = demand.iter().copied().max().unwrap_or(0).max(1) as u32;
    // rate(c) decreases with c: find the smallest c with rate(c) <= target.
    let (mut lo, mut hi) = (1u32, max);
    while lo < hi {
        let mid = (lo + hi) / 2;
        if rate(mid) <= target {
            hi = mid
        } else {
            lo = mid + 1
        }
    }
    if lo > 1 && (rate(lo - 1) - target).abs() < (rate(lo) - target).abs() {
        lo - 1
    } else {
        lo
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bed_planning_hits_the_target_on_average() {
        // A ward with 20 ± 5 patients.
        let demand: Vec<i32> = (0..365).map(|d| 20 + ((d * 7919) % 11) - 5).collect();
        let c = plan_beds(&demand, 4.0);
        assert!((19..=23).contains(&c), "{c}");
        assert_eq!(plan_beds(&[0, 0, 0], 4.0), 1);
    }
}
