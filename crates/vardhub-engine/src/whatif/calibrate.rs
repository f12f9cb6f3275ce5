//! What the bed model is calibrated on, read from one lake snapshot for one region: the
//! somatic inpatient stays discharged in the baseline (when each was admitted, to which ward,
//! how long it lasted, its main diagnosis and age) and the daily bed count of every somatic
//! ward (staffed, occupied, overcrowded, outlying) over the baseline and the horizon.
//!
//! Stays are taken by discharge, not admission: a forecast made at the end of the baseline knows
//! only completed stays, and in a steady state the discharges per day equal the admissions per
//! day. A stay counts for a ward only if the ward is in the bed collection as somatic
//! (`vardinriktning = 'SOM'`); the others are counted and reported, never silently dropped.

use super::file::ScenarioSpec;
use crate::analysis::cohort::{collect, num, text};
use crate::indicator::ComputeError;
use chrono::NaiveDate;
use std::collections::{BTreeMap, BTreeSet};
use vardhub_store::Snapshot;

/// One completed stay of the baseline.
#[derive(Debug, Clone, PartialEq)]
pub struct Stay {
    /// The ward (`sjukhus/enhet`).
    pub ward: String,
    /// Admission, seconds since 1970 (local time as delivered).
    pub admitted: f64,
    /// Length of stay in hours.
    pub los_hours: f64,
    /// Main diagnosis.
    pub hdia: Option<String>,
    /// Age at admission.
    pub age: Option<i64>,
}

/// One ward's bed count on one day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WardDay {
    /// Staffed beds.
    pub staffed: u32,
    /// Occupied at 06:00.
    pub occupied: u32,
    /// Overcrowding.
    pub overflow: u32,
    /// Outlying patients taken in.
    pub outlying: u32,
}

/// The baseline of a bed scenario.
#[derive(Debug, Clone, Default)]
pub struct BedBaseline {
    /// Completed stays discharged in the baseline on somatic wards.
    pub stays: Vec<Stay>,
    /// Per ward (`sjukhus/enhet`), its hospital and its days.
    pub wards: BTreeMap<String, WardSeries>,
    /// Stays discharged in the baseline on wards not in the bed collection as somatic.
    pub stays_elsewhere: usize,
}

/// One ward's daily counts.
#[derive(Debug, Clone, Default)]
pub struct WardSeries {
    /// The hospital.
    pub sjukhus: String,
    /// Day → counts.
    pub days: BTreeMap<NaiveDate, WardDay>,
}

fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// Read the baseline of a bed scenario for its region (and hospital) from `snapshot`.
pub async fn bed_baseline(
    snapshot: &Snapshot,
    s: &ScenarioSpec,
) -> Result<BedBaseline, ComputeError> {
    let region = s.region.as_str().to_owned();
    let (ctx, tables) =
        crate::indicator::lake::session_where(snapshot, |_, d| d.region == region).await?;
    let mut out = BedBaseline::default();
    if !tables.contains("kontakter") || !tables.contains("enhetsdagar") {
        return Ok(out);
    }
    let hospital = s
        .sjukhus
        .as_deref()
        .map_or(String::new(), |h| format!(" AND sjukhus = {}", quote(h)));
    let (b0, b1) = (s.baseline.first_day(), s.baseline.end_day());
    let (h1,) = (s.horizon.end_day(),);
    let wards = collect(
        &ctx,
        &s.id,
        &format!(
            "SELECT CAST(sjukhus AS VARCHAR) AS sjukhus, CAST(enhet AS VARCHAR) AS enhet,
                    CAST(datum AS VARCHAR) AS datum,
                    CAST(disponibla AS DOUBLE) AS disponibla, CAST(belagda AS DOUBLE) AS belagda,
                    CAST(overbelaggningar AS DOUBLE) AS overbelaggningar,
                    CAST(utlokaliserade AS DOUBLE) AS utlokaliserade
             FROM enhetsdagar
             WHERE vardinriktning = 'SOM' AND datum >= DATE '{b0}' AND datum < DATE '{h1}'{hospital}"
        ),
    )
    .await?;
    for b in &wards {
        let (sj, en, d) = (text(b, "sjukhus"), text(b, "enhet"), text(b, "datum"));
        let cols = [
            "disponibla",
            "belagda",
            "overbelaggningar",
            "utlokaliserade",
        ]
        .map(|c| num(b, c));
        for i in 0..b.num_rows() {
            let (Some(sj), Some(en), Some(day)) = (
                &sj[i],
                &en[i],
                d[i].as_deref().and_then(|d| d.get(..10)?.parse().ok()),
            ) else {
                continue;
            };
            let n = |k: usize| cols[k][i].unwrap_or(0.0).max(0.0).round() as u32;
            let series = out.wards.entry(format!("{sj}/{en}")).or_default();
            series.sjukhus = sj.clone();
            series.days.insert(
                day,
                WardDay {
                    staffed: n(0),
                    occupied: n(1),
                    overflow: n(2),
                    outlying: n(3),
                },
            );
        }
    }
    let somatic: BTreeSet<&String> = out.wards.keys().collect();
    let stays = collect(
        &ctx,
        &s.id,
        &format!(
            "SELECT CAST(sjukhus AS VARCHAR) AS sjukhus, CAST(enhet AS VARCHAR) AS enhet,
                    CAST(to_unixtime(inskrivningsdatum) AS DOUBLE) AS ins,
                    CAST(to_unixtime(utskrivningsdatum) AS DOUBLE) AS uts,
                    CAST(hdia AS VARCHAR) AS hdia, CAST(alder AS DOUBLE) AS alder
             FROM kontakter
             WHERE vardform = 'SV' AND utskrivningsdatum >= TIMESTAMP '{b0} 00:00:00'
               AND utskrivningsdatum < TIMESTAMP '{b1} 00:00:00'{hospital}"
        ),
    )
    .await?;
    let mut kept = Vec::new();
    let mut elsewhere = 0;
    for b in &stays {
        let (sj, en, ins, uts, hdia, age) = (
            text(b, "sjukhus"),
            text(b, "enhet"),
            num(b, "ins"),
            num(b, "uts"),
            text(b, "hdia"),
            num(b, "alder"),
        );
        for i in 0..b.num_rows() {
            let (Some(sj), Some(en), Some(a), Some(d)) = (&sj[i], &en[i], ins[i], uts[i]) else {
                elsewhere += 1;
                continue;
            };
            let ward = format!("{sj}/{en}");
            if !somatic.contains(&ward) || d < a {
                elsewhere += 1;
                continue;
            }
            kept.push(Stay {
                ward,
                admitted: a,
                los_hours: (d - a) / 3600.0,
                hdia: hdia[i].clone(),
                age: age[i].map(|x| x as i64),
            });
        }
    }
    kept.sort_by(|x, y| x.admitted.total_cmp(&y.admitted).then(x.ward.cmp(&y.ward)));
    out.stays = kept;
    out.stays_elsewhere = elsewhere;
    Ok(out)
}
