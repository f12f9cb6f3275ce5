//! Assembling and writing `truth.json` and `defects.json`.

use std::collections::BTreeMap;

use serde::Serialize;
use vardhub_domain::region::regions;

use crate::care::Window;
use crate::defects::DefectRecord;
use crate::job::{JobOut, KppTruth};
use crate::model::{self, Model, Rates, RegionParams};
use crate::population::Population;
use crate::truth::{INDICATORS, MonthCounts, Value, indicator_values, round6};
use crate::{SynthError, SynthOptions};

/// Format identifier of truth.json.
pub(crate) const TRUTH_FORMAT: &str = "vardhub-synth-truth/1";

#[derive(Serialize)]
struct TruthFile<'a> {
    format: &'static str,
    note: &'static str,
    generator: Generator,
    assumptions: BTreeMap<String, String>,
    parameters: Parameters<'a>,
    planted: Vec<Planted>,
    missing_deliveries: Vec<Missing>,
    truncated_delivery: Option<String>,
    indicators: BTreeMap<&'static str, Indicator>,
    kpp: Kpp,
    volumes: Volumes,
    care_chains: CareChains,
    /// The planted mobile team (absent when the window is shorter than 9 months).
    #[serde(skip_serializing_if = "Option::is_none")]
    mobile_team: Option<MobileTeam>,
    /// Independent truth of the hub's cost-over-time analyses, by analysis id.
    cost_over_time: BTreeMap<&'static str, CostAnalysis>,
    /// A what-if scenario's change and its outcomes with and without it (only with a scenario).
    #[serde(skip_serializing_if = "Option::is_none")]
    scenario: Option<crate::scenario_truth::ScenarioTruth>,
}

/// The true cost over time of one analysis's cohort (`crate::cost_truth`): money in SEK from
/// `kpp_kostnad` as delivered, means over the patients observed in each month.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct CostAnalysis {
    /// The exact cohort, month and cost definitions.
    pub definition: &'static str,
    /// Least age at admission of a candidate stay.
    pub min_age: u32,
    /// Candidates needed within `within_days` (the index counted).
    pub repeat_count: u32,
    /// The repetition window (days, inclusive).
    pub within_days: i32,
    /// Months before time zero.
    pub months_before: i32,
    /// Months from time zero on.
    pub months_after: i32,
    /// The length of a month (days).
    pub month_days: f64,
    /// Per region (länskod) of the patients, and `00` for all together.
    pub by_region: BTreeMap<String, CostRegion>,
}

/// One region's (or `00`'s) cohort, month by month.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct CostRegion {
    /// Patients in the cohort.
    pub patients: u64,
    /// From month −`months_before` to `months_after` − 1.
    pub months: Vec<CostMonth>,
}

/// One month relative to time zero: means per observed patient (0 when none observed).
#[derive(Debug, Clone, Serialize)]
pub(crate) struct CostMonth {
    /// Month relative to time zero.
    pub month: i32,
    /// Patients observed.
    pub patients: u64,
    /// Mean cost (SEK), every form of care.
    pub cost: f64,
    /// Mean cost of inpatient care (SV).
    pub cost_sv: f64,
    /// Mean cost of specialist outpatient care (OV).
    pub cost_ov: f64,
    /// Mean cost of primary care (PV).
    pub cost_pv: f64,
    /// Mean contacts, every form.
    pub contacts: f64,
    /// Mean SV contacts.
    pub contacts_sv: f64,
    /// Mean OV contacts.
    pub contacts_ov: f64,
    /// Mean PV contacts.
    pub contacts_pv: f64,
}

/// The planted mobile-team intervention (`crate::mobile`): its parameters, the cohort and the true
/// effect. Money in SEK, computed from `kpp_kostnad` as delivered; means over persons.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct MobileTeam {
    /// The exact cohort, intervention and cost definitions.
    pub definition: &'static str,
    /// The region (länskod).
    pub region: &'static str,
    /// First day of the team (ÅÅÅÅ-MM-DD, from 00:00).
    pub start: String,
    /// The KVÅ-shaped procedure code of a home visit.
    pub code: &'static str,
    /// Least age at admission of a candidate stay.
    pub min_age: u32,
    /// Days without another candidate before the index; also the before period.
    pub washout_days: i32,
    /// Joining happens 1..=this many days after the day of discharge.
    pub join_within_days: i32,
    /// The after period from discharge (days).
    pub window_days: i32,
    /// Discharge + this many days must lie within the window.
    pub follow_days: i32,
    /// Probability that an eligible person joins.
    pub join_probability: f64,
    /// Probability that an emergency stay of a joiner from the join day on is avoided.
    pub avoided_share: f64,
    /// KPP cost of one home visit.
    pub visit_cost_sek: u32,
    /// Weekly visits per joiner (fewer if the joiner dies).
    pub visits: u32,
    /// Eligible persons.
    pub eligible: u64,
    /// Persons who joined.
    pub joined: u64,
    /// Eligible persons who did not join (including `died_before_joining`).
    pub not_joined: u64,
    /// Eligible persons drawn to join who died before the join day (no visit, not joined).
    pub died_before_joining: u64,
    /// Home visits delivered (rows with `code`).
    pub team_visits: u64,
    /// Emergency stays removed (including any after the after period).
    pub avoided_stays: u64,
    /// Joiners: mean cost in [T − washout_days, T).
    pub mean_before_sek: Option<f64>,
    /// Joiners: mean cost in [T, T + window_days) as delivered.
    pub mean_after_sek: Option<f64>,
    /// Joiners: the same without the intervention.
    pub mean_after_counterfactual_sek: Option<f64>,
    /// Mean of after − after_counterfactual over joiners (the ATT).
    pub effect_per_patient_sek: Option<f64>,
    /// Mean of after − before over joiners (biased by regression to the mean).
    pub naive_per_patient_sek: Option<f64>,
    /// Eligible non-joiners: mean cost in [T − washout_days, T).
    pub mean_before_not_joined_sek: Option<f64>,
    /// Eligible non-joiners: mean cost in [T, T + window_days).
    pub mean_after_not_joined_sek: Option<f64>,
    /// How to read the numbers.
    pub note: &'static str,
}

/// Planted parameters of care chains (issue 14): what an analysis must recover.
#[derive(Serialize)]
struct CareChains {
    hip_fracture_time_to_operation: HipOperationDelay,
}

/// The planted delay from a hip-fracture admission to its operation.
#[derive(Serialize)]
struct HipOperationDelay {
    definition: &'static str,
    fast_from_minutes: i32,
    fast_span_minutes: i32,
    slow_from_minutes: i32,
    slow_mean_minutes: f64,
    slow_cap_minutes: i32,
    /// Per region: the planted share within 24 hours and the median minutes it implies.
    by_region: BTreeMap<String, HipRegionDelay>,
}

#[derive(Serialize)]
struct HipRegionDelay {
    within_24h: f64,
    median_minutes: f64,
}

/// The median of the planted delay (continuous approximation; minutes are whole in the data).
fn hip_median_minutes(p: f64) -> f64 {
    use crate::care::{HIP_FAST_FROM, HIP_FAST_SPAN, HIP_SLOW_FROM, HIP_SLOW_MEAN};
    if p >= 0.5 {
        f64::from(HIP_FAST_FROM) + f64::from(HIP_FAST_SPAN) * 0.5 / p
    } else {
        f64::from(HIP_SLOW_FROM) + HIP_SLOW_MEAN * (2.0 * (1.0 - p)).ln()
    }
}

#[derive(Serialize)]
struct Generator {
    crate_version: &'static str,
    seed: u64,
    scale: f64,
    from: String,
    to: String,
    encoding: vardhub_domain::Encoding,
    defects: f64,
    people: u64,
    people_with_test_personnummer: u64,
    people_at_start_by_region: BTreeMap<String, u64>,
}

#[derive(Serialize)]
struct Parameters<'a> {
    national: National<'a>,
    regions: &'a [RegionParams],
}

#[derive(Serialize)]
struct National<'a> {
    targets_per_person_year: Targets,
    calibrated_rates: &'a Rates,
    ed_share_of_acute_admissions: f64,
    care_in_other_region_share: f64,
    operation_after_referral: f64,
    terminal_stay_share_of_deaths: f64,
    specialist_physician_share_background: f64,
    primary_care_physician_share_background: f64,
    winter_amplitude_acute: f64,
    winter_amplitude_respiratory: f64,
    planned_care_by_month: [f64; 12],
    staffed_beds_by_month: [f64; 12],
    readmission_30d: &'static str,
    ami_death_30d_by_age: &'static str,
    moves_per_year: &'static str,
    births: &'static str,
    deaths: &'static str,
}

#[derive(Serialize)]
struct Targets {
    inpatient_episodes: f64,
    specialist_physician_visits: f64,
    primary_care_physician_visits: f64,
    hip_fractures: f64,
    ami: f64,
    stroke: f64,
    tonsil_operations: f64,
    deliveries: f64,
    source: &'static str,
}

#[derive(Serialize)]
struct Planted {
    indicator: &'static str,
    region: &'static str,
    planted_value: f64,
    note: &'static str,
    /// The indicator counted over the whole window for the region.
    true_value_whole_window: Option<f64>,
    /// The same for the whole country.
    national_value_whole_window: Option<f64>,
}

#[derive(Serialize)]
struct Missing {
    delivery: String,
    collection: &'static str,
    region: &'static str,
    period: String,
}

#[derive(Serialize)]
struct Indicator {
    definition: &'static str,
    unit: &'static str,
    values: Vec<Value>,
}

#[derive(Serialize)]
struct Kpp {
    definition: &'static str,
    values: Vec<KppTruth>,
}

#[derive(Serialize)]
struct Volumes {
    definition: &'static str,
    values: Vec<VolumeRow>,
    per_capita_whole_window: Vec<PerCapita>,
}

#[derive(Serialize)]
struct VolumeRow {
    region: String,
    period: String,
    population: u64,
    births: u64,
    deaths: u64,
    inpatient_episodes: u64,
    specialist_visits: u64,
    specialist_physician_visits: u64,
    primary_care_visits: u64,
    primary_care_physician_visits: u64,
    waiting_rows: u64,
    waiting_at_month_end: u64,
    bed_rows: u64,
    inpatient_kpp_cost_sek: f64,
}

#[derive(Serialize)]
struct PerCapita {
    region: String,
    person_years: f64,
    inpatient_episodes: f64,
    specialist_physician_visits: f64,
    primary_care_physician_visits: f64,
    specialist_visits: f64,
    primary_care_visits: f64,
}

fn io(path: &std::path::Path) -> impl FnOnce(std::io::Error) -> SynthError + '_ {
    move |source| SynthError::Io {
        path: path.to_owned(),
        source,
    }
}

/// Write truth.json (and defects.json when defects were injected).
pub(crate) fn write(
    opts: &SynthOptions,
    model: &Model,
    pop: &Population,
    window: &Window,
    truncate: Option<(usize, usize)>,
    missing: Option<(&'static str, usize, usize)>,
    outs: Vec<JobOut>,
) -> Result<(), SynthError> {
    let regs = regions();
    let mut counts: BTreeMap<(String, String), MonthCounts> = BTreeMap::new();
    let mut defects: Vec<DefectRecord> = Vec::new();
    let mut kpp: Vec<KppTruth> = Vec::new();
    let mut mobile_team = None;
    let mut scenario = None;
    let mut cost_regions = Vec::new();
    for o in outs {
        if o.mobile.is_some() {
            mobile_team = o.mobile;
        }
        if o.scenario.is_some() {
            scenario = o.scenario;
        }
        cost_regions.extend(o.cost);
        for (k, c) in o.counts {
            counts.entry(k).or_default().merge(&c);
        }
        defects.extend(o.defects);
        kpp.extend(o.kpp);
    }
    kpp.sort_by(|a, b| a.region.cmp(&b.region));
    defects.sort();
    let mut national: BTreeMap<String, MonthCounts> = BTreeMap::new();
    for ((_, period), c) in &counts {
        national.entry(period.clone()).or_default().merge(c);
    }
    for (period, c) in national {
        counts.insert(("00".to_owned(), period), c);
    }

    let whole = |region: &str, get: fn(&MonthCounts) -> crate::truth::Ratio, scale: f64| {
        let mut r = crate::truth::Ratio::default();
        for ((reg, _), c) in &counts {
            if reg == region {
                r.merge(&get(c));
            }
        }
        (r.denominator > 0.0).then(|| round6(r.numerator / r.denominator * scale))
    };
    let planted = model::PLANTED
        .iter()
        .map(|&(ind, region, value, note)| {
            let def = INDICATORS.iter().find(|d| d.name == ind);
            Planted {
                indicator: ind,
                region,
                planted_value: value,
                note,
                true_value_whole_window: def.and_then(|d| whole(region, d.get, d.scale)),
                national_value_whole_window: def.and_then(|d| whole("00", d.get, d.scale)),
            }
        })
        .collect();
    let indicators = INDICATORS
        .iter()
        .map(|d| {
            (
                d.name,
                Indicator {
                    definition: d.definition,
                    unit: d.unit,
                    values: indicator_values(&counts, d),
                },
            )
        })
        .collect();
    let volume_rows: Vec<VolumeRow> = counts
        .iter()
        .map(|((region, period), c)| VolumeRow {
            region: region.clone(),
            period: period.clone(),
            population: c.population,
            births: c.births,
            deaths: c.deaths,
            inpatient_episodes: c.inpatient,
            specialist_visits: c.specialist,
            specialist_physician_visits: c.specialist_physician,
            primary_care_visits: c.primary,
            primary_care_physician_visits: c.primary_physician,
            waiting_rows: c.waiting_rows,
            waiting_at_month_end: c.waiting_now,
            bed_rows: c.bed_rows,
            inpatient_kpp_cost_sek: (c.kpp_cost_sv * 100.0).round() / 100.0,
        })
        .collect();
    let mut per_capita = Vec::new();
    let mut regions_and_total: Vec<String> =
        regs.iter().map(|r| r.code().as_str().to_owned()).collect();
    regions_and_total.push("00".to_owned());
    for region in regions_and_total {
        let mut py = 0.0;
        let mut sum = MonthCounts::default();
        for (mi, (p, first, last)) in window.months.iter().enumerate() {
            let _ = mi;
            if let Some(c) = counts.get(&(region.clone(), p.to_string())) {
                py += c.population as f64 * f64::from(last - first + 1) / 365.25;
                sum.merge(c);
            }
        }
        let per = |x: u64| if py > 0.0 { round6(x as f64 / py) } else { 0.0 };
        per_capita.push(PerCapita {
            region,
            person_years: round6(py),
            inpatient_episodes: per(sum.inpatient),
            specialist_physician_visits: per(sum.specialist_physician),
            primary_care_physician_visits: per(sum.primary_physician),
            specialist_visits: per(sum.specialist),
            primary_care_visits: per(sum.primary),
        });
    }
    let missing_deliveries = missing
        .map(|(collection, ri, mi)| {
            let region = regs[ri].code().as_str();
            let period = window.months[mi].0.to_string();
            Missing {
                delivery: format!("{collection}-{region}-{period}"),
                collection,
                region,
                period,
            }
        })
        .into_iter()
        .collect();
    let truncated_delivery = truncate.and_then(|(ri, mi)| {
        let name = format!(
            "vardkontakter-{}-{}",
            regs[ri].code().as_str(),
            window.months[mi].0
        );
        defects
            .iter()
            .any(|d| d.rule == "truncated" && d.delivery == name)
            .then_some(name)
    });
    let mut months = [0.0; 12];
    for (m, v) in months.iter_mut().enumerate() {
        *v = round6(model::planned_season(m as u32 + 1));
    }
    let mut staffed = [0.0; 12];
    for (m, v) in staffed.iter_mut().enumerate() {
        *v = crate::beds::staffing_factor(m as u32 + 1);
    }
    let file = TruthFile {
        format: TRUTH_FORMAT,
        note: "Synthetic data. Indicator values are counted from the rows as generated, before any defect was injected; a withheld delivery contributes nothing. Region 00 is the whole country.",
        generator: Generator {
            crate_version: env!("CARGO_PKG_VERSION"),
            seed: opts.seed,
            scale: opts.scale,
            from: opts.from.to_string(),
            to: opts.to.to_string(),
            encoding: opts.encoding,
            defects: opts.defects,
            people: pop.persons.len() as u64,
            people_with_test_personnummer: pop.test_numbers,
            people_at_start_by_region: regs
                .iter()
                .zip(&pop.initial)
                .map(|(r, &n)| (r.code().as_str().to_owned(), n))
                .collect(),
        },
        assumptions: crate::codes::assumptions().into_iter().collect(),
        parameters: Parameters {
            national: National {
                targets_per_person_year: Targets {
                    inpatient_episodes: round6(model::target::SV),
                    specialist_physician_visits: round6(model::target::OV_PHYSICIAN),
                    primary_care_physician_visits: round6(model::target::PV_PHYSICIAN),
                    hip_fractures: model::target::HIP,
                    ami: model::target::AMI,
                    stroke: model::target::STROKE,
                    tonsil_operations: model::target::TONSIL,
                    deliveries: model::target::DELIVERIES,
                    source: "domain brief §10 divided by the 2023 population 10 551 707 (stroke and deliveries: generator's assumption)",
                },
                calibrated_rates: &model.rates,
                ed_share_of_acute_admissions: model::ED_SHARE,
                care_in_other_region_share: model::AWAY_SHARE,
                operation_after_referral: model::OP_AFTER_REFERRAL,
                terminal_stay_share_of_deaths: model::TERMINAL_STAY,
                specialist_physician_share_background: model::OV_PHYSICIAN_SHARE,
                primary_care_physician_share_background: model::PV_PHYSICIAN_SHARE,
                winter_amplitude_acute: model::WINTER_AMPLITUDE,
                winter_amplitude_respiratory: model::WINTER_AMPLITUDE_RESPIRATORY,
                planned_care_by_month: months,
                staffed_beds_by_month: staffed,
                readmission_30d: "11 % after inpatient episodes of patients 65+, 5 % otherwise (unplanned, 1–30 days after discharge)",
                ami_death_30d_by_age: "<65: 5 %, 65–74: 10 %, 75–84: 19 %, 85+: 33 %, times the region's multiplier",
                moves_per_year: "0–17: 1.2 %, 18–29: 4.5 %, 30–44: 1.8 %, 45–64: 0.8 %, 65+: 0.4 % (to another region; 3× weight within the sjukvårdsregion)",
                births: "per region: the 2015 share of 0-year-olds × 0.81 per year (≈100 000 nationally)",
                deaths: "SCB 2015 deaths/population by län, sex and age, less the AMI deaths modelled separately",
            },
            regions: &model.regions,
        },
        planted,
        missing_deliveries,
        truncated_delivery,
        indicators,
        kpp: Kpp {
            definition: "Per region over the whole window: inpatient (SV) contacts, their mean KPP cost, and the cost share of the 5 % most expensive (ytterfall, domain brief §3.1: ≈20 %); the same for the 3 % most expensive specialist outpatient contacts.",
            values: kpp,
        },
        volumes: Volumes {
            definition: "Rows per region and month as delivered (before defects): kontakter by vardform and staff (physician = yrkeskategori L), waiting-time rows, bed rows; population = persons in the month's population extract alive at month end by region of residence, births and deaths in the month. per_capita_whole_window divides by person-years (population × days/365.25).",
            values: volume_rows,
            per_capita_whole_window: per_capita,
        },
        care_chains: CareChains {
            hip_fracture_time_to_operation: HipOperationDelay {
                definition: "Minutes from admission to the operation of a hip fracture: with the region's probability within_24h uniform on [fast_from, fast_from + fast_span), otherwise slow_from + an exponential with mean slow_mean (whole minutes, capped at slow_cap). Patients dying before the operation are not operated. median_minutes is the median of this mixture.",
                fast_from_minutes: crate::care::HIP_FAST_FROM,
                fast_span_minutes: crate::care::HIP_FAST_SPAN,
                slow_from_minutes: crate::care::HIP_SLOW_FROM,
                slow_mean_minutes: crate::care::HIP_SLOW_MEAN,
                slow_cap_minutes: crate::care::HIP_SLOW_CAP,
                by_region: model
                    .regions
                    .iter()
                    .map(|r| {
                        (
                            r.region.to_owned(),
                            HipRegionDelay {
                                within_24h: r.hip_within_24h,
                                median_minutes: round6(hip_median_minutes(r.hip_within_24h)),
                            },
                        )
                    })
                    .collect(),
            },
        },
        mobile_team,
        cost_over_time: BTreeMap::from([(
            crate::cost_truth::ANALYSIS,
            crate::cost_truth::assemble(&cost_regions),
        )]),
        scenario,
    };
    let path = opts.out.join("truth.json");
    let mut bytes = serde_json::to_vec_pretty(&file).map_err(|e| SynthError::Io {
        path: path.clone(),
        source: std::io::Error::other(e),
    })?;
    bytes.push(b'\n');
    std::fs::write(&path, bytes).map_err(io(&path))?;
    if opts.defects > 0.0 {
        let path = opts.out.join("defects.json");
        let mut bytes = serde_json::to_vec_pretty(&defects).map_err(|e| SynthError::Io {
            path: path.clone(),
            source: std::io::Error::other(e),
        })?;
        bytes.push(b'\n');
        std::fs::write(&path, bytes).map_err(io(&path))?;
    }
    Ok(())
}
