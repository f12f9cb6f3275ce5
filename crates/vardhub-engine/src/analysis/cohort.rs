//! A cohort's patients and everything linked to them, read from one lake snapshot.
//!
//! Three queries: the patients' contacts (every contact of a patient with at least one index
//! candidate — joined on region as well when the linkage is regional, so a region-scoped analysis
//! never sees another region's contacts), their procedures with the codes the steps name, and
//! their deaths (the population register). In Rust, each patient gets one index: the first
//! candidate whose washout lies inside the delivered data and that has no candidate in the
//! washout before it. Times are days since 1970-01-01 (fractional for timestamps).

use super::recipe::{AnalysisRecipe, Linkage, StepEvent, TimeZero};
use crate::indicator::ComputeError;
use crate::indicator::sql::contact_where;
use datafusion::arrow::array::{Array, AsArray, RecordBatch};
use datafusion::arrow::datatypes::{DataType, Float64Type};
use datafusion::prelude::SessionContext;
use std::collections::BTreeMap;
use vardhub_domain::Period;
use vardhub_store::Snapshot;

/// One linked contact.
#[derive(Debug, Clone, PartialEq)]
pub struct Contact {
    /// Region that delivered it.
    pub region: String,
    /// Contact id (unique within the region's deliveries).
    pub id: String,
    /// Admission (days).
    pub admitted: f64,
    /// Discharge or end of visit (days).
    pub discharged: f64,
    /// Inpatient, unplanned.
    pub emergency_inpatient: bool,
    /// Discharged dead.
    pub died_in_stay: bool,
    /// An index candidate.
    pub candidate: bool,
    /// Matches the filter of each contact step, by step position.
    pub matches: Vec<bool>,
    /// KPP cost (SEK), 0 when missing.
    pub cost: f64,
    /// Form of care (`SV`, `OV`, `PV`).
    pub vardform: Option<String>,
    /// Sex and age at admission.
    pub kon: Option<String>,
    /// Age in years.
    pub alder: Option<i64>,
}

/// One patient of the cohort with an index.
#[derive(Debug, Clone, PartialEq)]
pub struct Patient {
    /// The region of the index contact.
    pub region: String,
    /// The index contact (also in `contacts`).
    pub index: Contact,
    /// Every linked contact, in admission order.
    pub contacts: Vec<Contact>,
    /// Procedures with a step's code: (code, time in days), in time order.
    pub procedures: Vec<(String, f64)>,
    /// Day of death.
    pub death: Option<f64>,
    /// The start of the data for this patient (days): nothing before it is known.
    pub data_start: f64,
    /// The end of the data for this patient (days): follow-up is censored there.
    pub data_end: f64,
    /// Time zero (days): the index admission, or its discharge (recipe's `time_zero`).
    pub t0: f64,
}

const SECONDS_PER_DAY: f64 = 86_400.0;

fn err(id: &str) -> impl Fn(datafusion::error::DataFusionError) -> ComputeError + '_ {
    move |source| ComputeError::Query {
        indicator: id.to_owned(),
        source,
    }
}

/// Run `sql` and collect its batches (query errors name `id`).
pub(crate) async fn collect(
    ctx: &SessionContext,
    id: &str,
    sql: &str,
) -> Result<Vec<RecordBatch>, ComputeError> {
    ctx.sql(sql)
        .await
        .map_err(err(id))?
        .collect()
        .await
        .map_err(err(id))
}

/// A column as text (any type casts), nulls as `None`; a missing column reads as all null.
pub(crate) fn text(b: &RecordBatch, name: &str) -> Vec<Option<String>> {
    let Some(c) = b.column_by_name(name) else {
        return vec![None; b.num_rows()];
    };
    let c = datafusion::arrow::compute::cast(c, &DataType::Utf8).expect("any column casts to text");
    let c = c.as_string::<i32>();
    (0..b.num_rows())
        .map(|i| (!c.is_null(i)).then(|| c.value(i).to_owned()))
        .collect()
}

/// A column as numbers, nulls (and a column that is not numeric) as `None`.
pub(crate) fn num(b: &RecordBatch, name: &str) -> Vec<Option<f64>> {
    let Some(c) = b.column_by_name(name) else {
        return vec![None; b.num_rows()];
    };
    let Ok(c) = datafusion::arrow::compute::cast(c, &DataType::Float64) else {
        return vec![None; b.num_rows()];
    };
    let c = c.as_primitive::<Float64Type>();
    (0..b.num_rows())
        .map(|i| (!c.is_null(i)).then(|| c.value(i)))
        .collect()
}

fn flag(b: &RecordBatch, name: &str) -> Vec<bool> {
    let Some(c) = b.column_by_name(name) else {
        return vec![false; b.num_rows()];
    };
    let c = c.as_boolean();
    (0..b.num_rows())
        .map(|i| !c.is_null(i) && c.value(i))
        .collect()
}

/// Days from 1970-01-01 to the first day of `p` (Hinnant's days-from-civil).
fn month_start(p: Period) -> f64 {
    let (y, m) = (i64::from(p.year()), i64::from(p.month()));
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    (era * 146_097 + doe - 719_468) as f64
}

/// The first and last day (days since 1970-01-01) of the months each region delivered `source`.
fn delivered_span(snapshot: &Snapshot, source: &str) -> BTreeMap<String, (f64, f64)> {
    let mut out: BTreeMap<String, (f64, f64)> = BTreeMap::new();
    for d in snapshot
        .deliveries
        .iter()
        .filter(|d| d.collection == source)
    {
        let Ok(p) = Period::parse(&d.period) else {
            continue;
        };
        let (a, b) = (month_start(p), month_start(p.next()));
        let e = out.entry(d.region.clone()).or_insert((a, b));
        e.0 = e.0.min(a);
        e.1 = e.1.max(b);
    }
    out
}

/// The cohort of `recipe` in `snapshot`, patients in (region, pseudonym) order. The pseudonyms
/// themselves never leave this function.
pub async fn patients(
    snapshot: &Snapshot,
    recipe: &AnalysisRecipe,
) -> Result<Vec<Patient>, ComputeError> {
    let spec = &recipe.spec;
    let id = spec.id.as_str();
    let (ctx, tables) = crate::indicator::lake::session(snapshot).await?;
    for t in ["kontakter", "atgarder"] {
        if !tables.contains(t) {
            return Ok(Vec::new());
        }
    }
    let cand = contact_where(&spec.cohort.index);
    let same_region = match spec.linkage {
        Linkage::Region => " AND i.region = k.region",
        Linkage::National => "",
    };
    let steps = recipe.steps();
    let step_cols: String = steps
        .iter()
        .enumerate()
        .map(|(i, s)| match &s.event {
            StepEvent::Contact { filter } => format!(", ({}) AS step_{i}", contact_where(filter)),
            _ => format!(", FALSE AS step_{i}"),
        })
        .collect();
    let idx =
        format!("SELECT DISTINCT k.region, k.patient_pseudonym FROM kontakter k WHERE {cand}");
    let contacts = collect(
        &ctx,
        id,
        &format!(
            "WITH i AS ({idx})
             SELECT k.region, k.patient_pseudonym AS p, CAST(k.kontakt_id AS VARCHAR) AS kontakt_id,
                    CAST(to_unixtime(k.inskrivningsdatum) AS DOUBLE) AS ins,
                    CAST(to_unixtime(k.utskrivningsdatum) AS DOUBLE) AS uts,
                    (k.vardform = 'SV' AND k.planerad = false) AS emergency,
                    (k.utskrivningssatt IS NOT NULL AND k.utskrivningssatt = '4') AS died,
                    ({cand}) AS candidate, CAST(k.kpp_kostnad AS DOUBLE) AS cost, k.kon, k.alder,
                    k.vardform
                    {step_cols}
             FROM kontakter k JOIN i ON i.patient_pseudonym = k.patient_pseudonym{same_region}
             ORDER BY k.region, p, ins, kontakt_id"
        ),
    )
    .await?;
    let codes: Vec<String> = recipe
        .procedure_codes()
        .iter()
        .map(|c| format!("'{}'", c.replace('\'', "''")))
        .collect();
    let procedures = if codes.is_empty() {
        Vec::new()
    } else {
        collect(
            &ctx,
            id,
            &format!(
                "WITH i AS ({idx})
                 SELECT k.region, k.patient_pseudonym AS p, a.kod,
                        CAST(to_unixtime(a.datumtid) AS DOUBLE) AS t
                 FROM atgarder a
                 JOIN kontakter k ON k.region = a.region AND k.period = a.period AND k.kontakt_id = a.kontakt_id
                 JOIN i ON i.patient_pseudonym = k.patient_pseudonym{same_region}
                 WHERE a.kod IN ({}) ORDER BY k.region, p, t",
                codes.join(", ")
            ),
        )
        .await?
    };
    let deaths = if tables.contains("personer") {
        collect(
            &ctx,
            id,
            &format!(
                "WITH i AS ({idx})
                 SELECT p.person_pseudonym AS p, MIN(CAST(CAST(p.avlidendatum AS DATE) AS INT)) AS d
                 FROM personer p WHERE p.avlidendatum IS NOT NULL
                   AND p.person_pseudonym IN (SELECT patient_pseudonym FROM i)
                 GROUP BY p.person_pseudonym"
            ),
        )
        .await?
    } else {
        Vec::new()
    };
    Ok(assemble(snapshot, recipe, &contacts, &procedures, &deaths))
}

type Key = (String, String);

fn assemble(
    snapshot: &Snapshot,
    recipe: &AnalysisRecipe,
    contacts: &[RecordBatch],
    procedures: &[RecordBatch],
    deaths: &[RecordBatch],
) -> Vec<Patient> {
    let spec = &recipe.spec;
    let n_steps = recipe.steps().len();
    let key = |region: &str, p: &str| -> Key {
        match spec.linkage {
            Linkage::Region => (region.to_owned(), p.to_owned()),
            Linkage::National => (String::new(), p.to_owned()),
        }
    };
    let mut by_patient: BTreeMap<Key, Vec<Contact>> = BTreeMap::new();
    for b in contacts {
        let (region, p, kid) = (text(b, "region"), text(b, "p"), text(b, "kontakt_id"));
        let (ins, uts, cost, alder) = (
            num(b, "ins"),
            num(b, "uts"),
            num(b, "cost"),
            num(b, "alder"),
        );
        let (emergency, died, candidate) =
            (flag(b, "emergency"), flag(b, "died"), flag(b, "candidate"));
        let (kon, vardform) = (text(b, "kon"), text(b, "vardform"));
        let steps: Vec<Vec<bool>> = (0..n_steps)
            .map(|i| flag(b, &format!("step_{i}")))
            .collect();
        for r in 0..b.num_rows() {
            let (Some(region), Some(p), Some(admitted)) = (&region[r], &p[r], ins[r]) else {
                continue;
            };
            let admitted = admitted / SECONDS_PER_DAY;
            by_patient.entry(key(region, p)).or_default().push(Contact {
                region: region.clone(),
                id: kid[r].clone().unwrap_or_default(),
                admitted,
                discharged: uts[r].map_or(admitted, |u| u / SECONDS_PER_DAY),
                emergency_inpatient: emergency[r],
                died_in_stay: died[r],
                candidate: candidate[r],
                matches: steps.iter().map(|s| s[r]).collect(),
                cost: cost[r].unwrap_or(0.0),
                vardform: vardform[r].clone(),
                kon: kon[r].clone(),
                alder: alder[r].map(|a| a as i64),
            });
        }
    }
    let mut procs: BTreeMap<Key, Vec<(String, f64)>> = BTreeMap::new();
    for b in procedures {
        let (region, p, kod, t) = (text(b, "region"), text(b, "p"), text(b, "kod"), num(b, "t"));
        for r in 0..b.num_rows() {
            if let (Some(region), Some(p), Some(kod), Some(t)) = (&region[r], &p[r], &kod[r], t[r])
            {
                procs
                    .entry(key(region, p))
                    .or_default()
                    .push((kod.clone(), t / SECONDS_PER_DAY));
            }
        }
    }
    let mut death: BTreeMap<String, f64> = BTreeMap::new();
    for b in deaths {
        let (p, d) = (text(b, "p"), num(b, "d"));
        for r in 0..b.num_rows() {
            if let (Some(p), Some(d)) = (&p[r], d[r]) {
                death.insert(p.clone(), d);
            }
        }
    }
    let span = delivered_span(snapshot, &spec.source);
    let national_end = span.values().map(|s| s.1).fold(f64::INFINITY, f64::min);
    let national_start = span.values().map(|s| s.0).fold(f64::NEG_INFINITY, f64::max);
    let washout = f64::from(spec.cohort.washout_days);
    let repeat = spec.cohort.repeat;
    let mut out = Vec::new();
    for ((_, pseudonym), mut contacts) in by_patient {
        contacts.sort_by(|a, b| a.admitted.total_cmp(&b.admitted).then(a.id.cmp(&b.id)));
        let candidates: Vec<&Contact> = contacts.iter().filter(|c| c.candidate).collect();
        let index = candidates.iter().enumerate().find_map(|(i, c)| {
            let (start, _) = span.get(&c.region)?;
            let inside = c.admitted - washout >= *start;
            // A repeated entry has its earlier candidates inside the window by definition: the
            // washout then only keeps the index inside the data.
            let entered = match repeat {
                None => candidates[..i]
                    .iter()
                    .all(|e| c.admitted - e.admitted > washout),
                Some(r) => {
                    candidates[..=i]
                        .iter()
                        .filter(|e| c.admitted - e.admitted <= f64::from(r.within_days))
                        .count()
                        >= r.count as usize
                }
            };
            (inside && entered).then(|| (*c).clone())
        });
        let Some(index) = index else {
            continue;
        };
        let t0 = match spec.cohort.time_zero {
            TimeZero::Admission => index.admitted,
            // Follow-up from discharge is for those discharged alive.
            TimeZero::Discharge if index.died_in_stay => continue,
            TimeZero::Discharge => index.discharged,
        };
        let (data_start, data_end) = match spec.linkage {
            Linkage::Region => span.get(&index.region).copied().unwrap_or((t0, t0)),
            Linkage::National => (national_start, national_end),
        };
        let key = key(&index.region, &pseudonym);
        let mut procedures = procs.remove(&key).unwrap_or_default();
        procedures.sort_by(|a, b| a.1.total_cmp(&b.1));
        out.push(Patient {
            region: index.region.clone(),
            death: death.get(&pseudonym).copied(),
            index,
            contacts,
            procedures,
            data_start,
            data_end,
            t0,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn month_starts_count_days_from_1970() {
        let day = |s: &str| month_start(Period::parse(s).unwrap());
        assert_eq!(day("1970-01"), 0.0);
        assert_eq!(day("1970-03"), 59.0);
        assert_eq!(day("2024-01"), 19_723.0);
        assert_eq!(day("2024-03"), 19_783.0);
    }
}
