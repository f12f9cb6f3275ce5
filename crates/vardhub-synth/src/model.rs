//! The parameters of synthetic Sweden: national rates by age and sex, the regions' planted
//! differences, seasonality, and the calibration that makes national per-capita volumes land on
//! the domain brief's §10 figures.
//!
//! Rates are written as *shapes* (relative risk by age and sex) times a national constant. The
//! constant is solved from the 2015 national age/sex structure so that the national mean per
//! person-year equals the target; the background care volumes are solved last, as what remains of
//! the §10 totals after the named conditions, referrals, readmissions and emergency visits.

use std::f64::consts::TAU;

use crate::codes::{CodeList, Codes, Spec};
use crate::refdata::{AGES, SCB};

/// National targets per person-year (domain brief §10, divided by the 2023 population 10 551 707).
pub(crate) mod target {
    /// Slutenvård vårdtillfällen: ≈1 379 000 (2022).
    pub const SV: f64 = 1_379_000.0 / 10_551_707.0;
    /// Läkarbesök i specialiserad öppen vård: ≈13 594 000 (2022).
    pub const OV_PHYSICIAN: f64 = 13_594_000.0 / 10_551_707.0;
    /// Läkarbesök i primärvård: 14 600 000 (2015).
    pub const PV_PHYSICIAN: f64 = 14_600_000.0 / 10_551_707.0;
    /// Hip fractures, ≈13 400 primary operations per year (§10) plus some not registered.
    pub const HIP: f64 = 15_000.0 / 10_551_707.0;
    /// Acute myocardial infarction, ≈25 300 persons per year (§10).
    pub const AMI: f64 = 25_300.0 / 10_551_707.0;
    /// Stroke admissions (I61/I63/I64), generator's assumption ≈22 000 per year.
    pub const STROKE: f64 = 22_000.0 / 10_551_707.0;
    /// Tonsil operations ≈10 000–11 300 per year (§10).
    pub const TONSIL: f64 = 10_500.0 / 10_551_707.0;
    /// Births ≈100 000 per year (2023).
    pub const DELIVERIES: f64 = 100_000.0 / 10_551_707.0;
    /// Referrals to a first specialist visit that go through the waiting-time register
    /// (generator's assumption, chosen so that ≈100 000 people wait for an operation at any time,
    /// the order of the 123 538 of April 2019 in §10).
    pub const REFERRALS: f64 = 0.30;
}

/// Share of physician visits among background specialist outpatient visits.
pub(crate) const OV_PHYSICIAN_SHARE: f64 = 0.65;
/// Share of physician visits among background primary-care visits.
pub(crate) const PV_PHYSICIAN_SHARE: f64 = 0.50;
/// Share of the background inpatient episodes that are planned.
pub(crate) const SV_PLANNED_SHARE: f64 = 0.25;
/// Share of acute admissions that come through the emergency department (an ED visit is reported
/// as a specialist outpatient visit as well, domain brief §4.1).
pub(crate) const ED_SHARE: f64 = 0.85;
/// Mean share of a person's care given in another region than the home region.
pub(crate) const AWAY_SHARE: f64 = 0.05;
/// Probability that a referral leads to a decision on an operation (for specialties that operate).
pub(crate) const OP_AFTER_REFERRAL: f64 = 0.25;
/// Share of the deceased (other than AMI deaths) whose death ends an inpatient stay.
pub(crate) const TERMINAL_STAY: f64 = 0.35;
/// Amplitude of the winter peak of acute admissions (peak mid-January).
pub(crate) const WINTER_AMPLITUDE: f64 = 0.12;
/// Amplitude of the winter peak of respiratory and heart-failure admissions.
pub(crate) const WINTER_AMPLITUDE_RESPIRATORY: f64 = 0.30;
/// Relative volume of planned care by month (summer holidays), normalised to mean 1 in code.
pub(crate) const PLANNED_BY_MONTH: [f64; 12] = [
    1.04, 1.07, 1.07, 1.02, 1.04, 0.93, 0.66, 0.86, 1.08, 1.08, 1.08, 0.92,
];

/// 30-day readmission probability after an inpatient episode.
pub(crate) fn readmission_prob(age: u32) -> f64 {
    if age >= 65 { 0.11 } else { 0.05 }
}

/// Seasonal factor of acute care on a day of year.
pub(crate) fn acute_season(doy: u32, amplitude: f64) -> f64 {
    1.0 + amplitude * (TAU * (f64::from(doy) - 15.0) / 365.25).cos()
}

/// Seasonal factor of planned care in a month (1–12).
pub(crate) fn planned_season(month: u32) -> f64 {
    let mean: f64 = PLANNED_BY_MONTH.iter().sum::<f64>() / 12.0;
    PLANNED_BY_MONTH[(month as usize + 11) % 12] / mean
}

/// Largest planned-care factor (for thinning).
pub(crate) fn planned_season_max() -> f64 {
    let mean: f64 = PLANNED_BY_MONTH.iter().sum::<f64>() / 12.0;
    PLANNED_BY_MONTH.iter().copied().fold(0.0, f64::max) / mean
}

// ---------------------------------------------------------------------------------------------
// Shapes (relative risk by age; sex 1 = man, 2 = kvinna)
// ---------------------------------------------------------------------------------------------

pub(crate) fn shape_hip(age: u32, sex: u8) -> f64 {
    let a = match age {
        0..=49 => 0.0,
        50..=64 => 1.0,
        65..=74 => 4.0,
        75..=84 => 16.0,
        _ => 45.0,
    };
    a * if sex == 2 { 1.8 } else { 1.0 }
}

pub(crate) fn shape_ami(age: u32, sex: u8) -> f64 {
    let a = match age {
        0..=29 => 0.0,
        30..=44 => 0.3,
        45..=54 => 1.5,
        55..=64 => 4.0,
        65..=74 => 8.0,
        75..=84 => 15.0,
        _ => 25.0,
    };
    a * if sex == 1 { 1.6 } else { 1.0 }
}

pub(crate) fn shape_stroke(age: u32, sex: u8) -> f64 {
    let a = match age {
        0..=29 => 0.02,
        30..=44 => 0.3,
        45..=54 => 1.2,
        55..=64 => 3.0,
        65..=74 => 7.0,
        75..=84 => 16.0,
        _ => 30.0,
    };
    a * if sex == 1 { 1.1 } else { 1.0 }
}

pub(crate) fn shape_tonsil(age: u32, _sex: u8) -> f64 {
    match age {
        3..=9 => 4.0,
        10..=15 => 3.0,
        16..=25 => 2.5,
        26..=40 => 1.0,
        41..=60 => 0.3,
        _ => 0.0,
    }
}

pub(crate) fn shape_delivery(age: u32, sex: u8) -> f64 {
    if sex != 2 {
        return 0.0;
    }
    match age {
        18..=22 => 0.3,
        23..=26 => 0.8,
        27..=31 => 1.4,
        32..=35 => 1.2,
        36..=39 => 0.6,
        40..=44 => 0.15,
        _ => 0.0,
    }
}

pub(crate) fn shape_referral(age: u32, _sex: u8) -> f64 {
    match age {
        0..=17 => 0.5,
        18..=44 => 0.8,
        45..=64 => 1.2,
        65..=79 => 1.6,
        _ => 1.4,
    }
}

/// Background inpatient care.
pub(crate) fn shape_sv(age: u32, _sex: u8) -> f64 {
    match age {
        0 => 1.2,
        1..=4 => 0.4,
        5..=17 => 0.25,
        18..=44 => 0.45,
        45..=64 => 0.8,
        65..=74 => 1.6,
        75..=84 => 2.8,
        _ => 4.2,
    }
}

/// Background specialist outpatient care.
pub(crate) fn shape_ov(age: u32, sex: u8) -> f64 {
    let a = match age {
        0..=4 => 0.7,
        5..=17 => 0.6,
        18..=44 => 0.8,
        45..=64 => 1.1,
        65..=79 => 1.6,
        _ => 1.5,
    };
    a * if sex == 2 && (18..=64).contains(&age) {
        1.2
    } else {
        1.0
    }
}

/// Background primary care.
pub(crate) fn shape_pv(age: u32, sex: u8) -> f64 {
    let a = match age {
        0..=4 => 1.6,
        5..=17 => 0.7,
        18..=44 => 0.8,
        45..=64 => 1.0,
        65..=79 => 1.6,
        _ => 2.4,
    };
    a * if sex == 2 && (15..=64).contains(&age) {
        1.25
    } else {
        1.0
    }
}

// ---------------------------------------------------------------------------------------------
// Chronic conditions: prevalence at the start, and care per prevalent person-year
// ---------------------------------------------------------------------------------------------

pub(crate) fn prev_heart_failure(age: u32, _sex: u8) -> f64 {
    match age {
        0..=49 => 0.0005,
        50..=64 => 0.005,
        65..=74 => 0.02,
        75..=84 => 0.06,
        _ => 0.14,
    }
}

pub(crate) fn prev_copd(age: u32, _sex: u8) -> f64 {
    match age {
        0..=39 => 0.0,
        40..=64 => 0.02,
        65..=79 => 0.06,
        _ => 0.07,
    }
}

pub(crate) fn prev_diabetes2(age: u32, sex: u8) -> f64 {
    let a = match age {
        0..=29 => 0.0,
        30..=49 => 0.02,
        50..=64 => 0.07,
        65..=79 => 0.13,
        _ => 0.14,
    };
    a * if sex == 1 { 1.2 } else { 0.85 }
}

pub(crate) fn prev_diabetes1(age: u32, _sex: u8) -> f64 {
    if age >= 5 { 0.005 } else { 0.0 }
}

pub(crate) fn prev_depression(age: u32, sex: u8) -> f64 {
    match (age, sex) {
        (0..=11, _) => 0.0,
        (12..=17, _) => 0.02,
        (18..=64, 2) => 0.06,
        (18..=64, _) => 0.035,
        _ => 0.03,
    }
}

/// Care per prevalent person-year: (inpatient, specialist visits, primary-care visits).
pub(crate) struct ChronicCare {
    pub sv: f64,
    pub ov: f64,
    pub ov_physician: f64,
    pub pv: f64,
    pub pv_physician: f64,
}

pub(crate) const HF_CARE: ChronicCare = ChronicCare {
    sv: 0.20,
    ov: 1.0,
    ov_physician: 0.7,
    pv: 2.0,
    pv_physician: 0.6,
};
pub(crate) const COPD_CARE: ChronicCare = ChronicCare {
    sv: 0.12,
    ov: 0.3,
    ov_physician: 0.8,
    pv: 1.5,
    pv_physician: 0.5,
};
pub(crate) const DM2_CARE: ChronicCare = ChronicCare {
    sv: 0.02,
    ov: 0.3,
    ov_physician: 0.7,
    pv: 3.0,
    pv_physician: 0.4,
};
pub(crate) const DM1_CARE: ChronicCare = ChronicCare {
    sv: 0.05,
    ov: 3.0,
    ov_physician: 0.6,
    pv: 0.5,
    pv_physician: 0.5,
};
pub(crate) const DEP_CARE: ChronicCare = ChronicCare {
    sv: 0.03,
    ov: 1.0,
    ov_physician: 0.6,
    pv: 2.0,
    pv_physician: 0.5,
};

/// Follow-up specialist visits after a hip fracture, AMI and stroke (all physician visits).
pub(crate) const FOLLOW_UP_VISITS: f64 = 1.0;
/// Share of tonsil operations done as inpatient (the rest as day surgery).
pub(crate) const TONSIL_INPATIENT: f64 = 0.3;

/// Specialties referred to (weights by patient group) and whether they operate.
pub(crate) fn referral_specs(age: u32, sex: u8) -> &'static [(Spec, f64)] {
    if age < 18 {
        &[
            (Spec::Barn, 30.0),
            (Spec::Onh, 15.0),
            (Spec::Ort, 10.0),
            (Spec::Ogon, 8.0),
            (Spec::Hud, 10.0),
            (Spec::Psyk, 12.0),
            (Spec::Kir, 6.0),
        ]
    } else if sex == 2 && age < 65 {
        &[
            (Spec::Kvinn, 18.0),
            (Spec::Ort, 16.0),
            (Spec::Kir, 12.0),
            (Spec::Ogon, 6.0),
            (Spec::Onh, 7.0),
            (Spec::Kard, 6.0),
            (Spec::Med, 8.0),
            (Spec::Hud, 9.0),
            (Spec::Neuro, 6.0),
            (Spec::Psyk, 6.0),
            (Spec::Endo, 3.0),
            (Spec::Lung, 3.0),
        ]
    } else if age < 65 {
        &[
            (Spec::Ort, 20.0),
            (Spec::Kir, 16.0),
            (Spec::Ogon, 6.0),
            (Spec::Onh, 8.0),
            (Spec::Kard, 9.0),
            (Spec::Med, 9.0),
            (Spec::Hud, 9.0),
            (Spec::Neuro, 6.0),
            (Spec::Psyk, 5.0),
            (Spec::Endo, 3.0),
            (Spec::Lung, 4.0),
        ]
    } else {
        &[
            (Spec::Ort, 18.0),
            (Spec::Kir, 14.0),
            (Spec::Ogon, 18.0),
            (Spec::Onh, 6.0),
            (Spec::Kard, 12.0),
            (Spec::Med, 10.0),
            (Spec::Hud, 8.0),
            (Spec::Neuro, 6.0),
            (Spec::Lung, 5.0),
            (Spec::Ger, 3.0),
        ]
    }
}

/// Whether a referral to this specialty can lead to an operation, and whether that operation is
/// an inpatient stay (probability).
pub(crate) fn operates(spec: Spec) -> Option<f64> {
    match spec {
        Spec::Ort => Some(0.85),
        Spec::Kir => Some(0.45),
        Spec::Ogon => Some(0.0),
        Spec::Kvinn => Some(0.8),
        _ => None,
    }
}

/// Background specialties of outpatient visits (weights by patient group).
pub(crate) fn ov_specs(age: u32, sex: u8) -> &'static [(Spec, f64)] {
    if age < 18 {
        &[
            (Spec::Barn, 40.0),
            (Spec::Onh, 10.0),
            (Spec::Ort, 10.0),
            (Spec::Ogon, 8.0),
            (Spec::Hud, 6.0),
            (Spec::Psyk, 14.0),
            (Spec::Akut, 12.0),
        ]
    } else if sex == 2 && age < 50 {
        &[
            (Spec::Kvinn, 28.0),
            (Spec::Ort, 10.0),
            (Spec::Kir, 6.0),
            (Spec::Med, 8.0),
            (Spec::Psyk, 12.0),
            (Spec::Hud, 6.0),
            (Spec::Onh, 5.0),
            (Spec::Ogon, 4.0),
            (Spec::Neuro, 4.0),
            (Spec::Akut, 10.0),
            (Spec::Endo, 3.0),
            (Spec::Kard, 2.0),
            (Spec::Lung, 2.0),
        ]
    } else if age < 65 {
        &[
            (Spec::Ort, 14.0),
            (Spec::Kir, 9.0),
            (Spec::Med, 10.0),
            (Spec::Kard, 8.0),
            (Spec::Psyk, 9.0),
            (Spec::Hud, 6.0),
            (Spec::Onh, 6.0),
            (Spec::Ogon, 6.0),
            (Spec::Neuro, 5.0),
            (Spec::Akut, 12.0),
            (Spec::Endo, 4.0),
            (Spec::Lung, 4.0),
            (Spec::Kvinn, 4.0),
            (Spec::Inf, 2.0),
        ]
    } else {
        &[
            (Spec::Ort, 12.0),
            (Spec::Kir, 8.0),
            (Spec::Med, 12.0),
            (Spec::Kard, 12.0),
            (Spec::Ogon, 14.0),
            (Spec::Hud, 6.0),
            (Spec::Onh, 5.0),
            (Spec::Neuro, 5.0),
            (Spec::Akut, 12.0),
            (Spec::Lung, 5.0),
            (Spec::Ger, 5.0),
            (Spec::Inf, 2.0),
            (Spec::Endo, 2.0),
        ]
    }
}

/// Background inpatient specialties (weights by patient group), acute.
pub(crate) fn sv_acute_specs(age: u32) -> &'static [(Spec, f64)] {
    match age {
        0..=17 => &[
            (Spec::Barn, 70.0),
            (Spec::Kir, 12.0),
            (Spec::Ort, 10.0),
            (Spec::Psyk, 8.0),
        ],
        18..=64 => &[
            (Spec::Med, 30.0),
            (Spec::Kir, 22.0),
            (Spec::Ort, 12.0),
            (Spec::Psyk, 12.0),
            (Spec::Inf, 8.0),
            (Spec::Kard, 8.0),
            (Spec::Neuro, 4.0),
            (Spec::Onh, 4.0),
        ],
        65..=79 => &[
            (Spec::Med, 40.0),
            (Spec::Kir, 16.0),
            (Spec::Ort, 10.0),
            (Spec::Ger, 12.0),
            (Spec::Inf, 8.0),
            (Spec::Kard, 8.0),
            (Spec::Psyk, 3.0),
            (Spec::Neuro, 3.0),
        ],
        _ => &[
            (Spec::Med, 35.0),
            (Spec::Ger, 30.0),
            (Spec::Kir, 10.0),
            (Spec::Ort, 10.0),
            (Spec::Inf, 8.0),
            (Spec::Kard, 5.0),
            (Spec::Neuro, 2.0),
        ],
    }
}

/// Background inpatient specialties, planned (stays not from the waiting-time register).
pub(crate) fn sv_planned_specs(age: u32) -> &'static [(Spec, f64)] {
    match age {
        0..=17 => &[(Spec::Barn, 60.0), (Spec::Onh, 20.0), (Spec::Kir, 20.0)],
        _ => &[
            (Spec::Med, 30.0),
            (Spec::Kir, 25.0),
            (Spec::Ort, 15.0),
            (Spec::Kvinn, 10.0),
            (Spec::Kard, 10.0),
            (Spec::Psyk, 10.0),
        ],
    }
}

/// Median length of stay (days) and log-scale spread by specialty.
pub(crate) fn los(spec: Spec, planned: bool) -> (f64, f64) {
    let (m, s) = match spec {
        Spec::Psyk => (12.0, 0.9),
        Spec::Ger => (7.0, 0.7),
        Spec::Neuro => (6.0, 0.8),
        Spec::Med | Spec::Lung | Spec::Endo | Spec::Hud | Spec::Akut | Spec::Allm => (3.5, 0.8),
        Spec::Inf => (4.0, 0.7),
        Spec::Kard => (2.5, 0.7),
        Spec::Kir | Spec::Ogon => (2.5, 0.9),
        Spec::Ort => (3.5, 0.8),
        Spec::Kvinn => (2.0, 0.5),
        Spec::Barn => (1.8, 0.8),
        Spec::Onh => (1.2, 0.5),
    };
    if planned { (m * 0.7, s * 0.8) } else { (m, s) }
}

// ---------------------------------------------------------------------------------------------
// Regions
// ---------------------------------------------------------------------------------------------

/// The parameters of one region; planted values are marked in [`PLANTED`].
#[derive(Debug, Clone, serde::Serialize)]
pub(crate) struct RegionParams {
    /// Länskod.
    pub region: &'static str,
    /// Probability that a hip fracture is operated within 24 hours of arrival.
    pub hip_within_24h: f64,
    /// Share of first visits completed within 90 days (waiting distribution, before PvV/MoV).
    pub first_visit_within_90d: f64,
    /// Share of operations completed within 90 days of the decision.
    pub operation_within_90d: f64,
    /// Share of tonsillectomies with cold technique.
    pub tonsil_cold_share: f64,
    /// Multiplier of the age-specific 30-day death risk after AMI.
    pub ami_mortality_multiplier: f64,
    /// Staffed beds are planned so that overcrowding per 100 staffed beds is about this over the
    /// generated period (before the summer reduction of staffed beds).
    pub overcrowding_target_per_100: f64,
    /// Share of the patients above a full unit's staffed beds who are placed on another unit of
    /// the same hospital with free beds (outlying patients), if there is one.
    pub outlier_share: f64,
    /// Care given to residents of other regions, as a share of the region's own volume.
    pub visitor_share: f64,
    /// Multiplier of visitors in July (half of it in June, 60 % in August): summer tourism.
    pub summer_visitors: f64,
    /// KPP cost per DRG point, SEK.
    pub cost_per_drg_point: f64,
    /// Relative use of care (background volumes), normalised nationally to a mean of 1.
    pub care_use: f64,
    /// Whether the region's system writes ICD-10 codes without the dot (`I219`).
    pub icd_without_dot: bool,
}

/// Planted differences: (indicator, länskod, planted value, note).
pub(crate) const PLANTED: &[(&str, &str, f64, &str)] = &[
    (
        "hip_fracture_surgery_within_24h",
        "06",
        0.95,
        "best: Jönköping operates 95 % of hip fractures within 24 h",
    ),
    (
        "hip_fracture_surgery_within_24h",
        "21",
        0.55,
        "worst: Gävleborg operates 55 % within 24 h",
    ),
    (
        "first_visit_within_90_days",
        "13",
        0.96,
        "best: Halland's waits for a first visit are short",
    ),
    (
        "first_visit_within_90_days",
        "25",
        0.60,
        "worst: Norrbotten's waits for a first visit are long",
    ),
    (
        "tonsillectomy_cold_technique_share",
        "03",
        0.95,
        "best: Uppsala uses cold technique in 95 % of tonsillectomies",
    ),
    (
        "tonsillectomy_cold_technique_share",
        "01",
        0.40,
        "worst: Stockholm uses cold technique in 40 %",
    ),
    (
        "ami_30_day_mortality",
        "05",
        0.6,
        "better: Östergötland's 30-day death risk after AMI is 0.6 × the national age-specific risk",
    ),
    (
        "ami_30_day_mortality",
        "22",
        1.6,
        "worse: Västernorrland's 30-day death risk after AMI is 1.6 × the national age-specific risk",
    ),
    (
        "overcrowding_per_100_staffed_beds",
        "04",
        11.0,
        "worse: Sörmland staffs its beds for about 11 overcrowding events per 100 staffed beds",
    ),
    (
        "overcrowding_per_100_staffed_beds",
        "08",
        0.8,
        "better: Kalmar staffs its beds for about 0.8 per 100",
    ),
];

/// The region whose delivery of one collection is missing for one month, and which collection.
pub(crate) const MISSING_DELIVERY: (&str, &str) = ("vardplatser", "23");

/// The 21 regions' parameters, in länskod order.
pub(crate) fn region_params() -> Vec<RegionParams> {
    // Defaults vary moderately by region; the planted extremes override them below.
    const CODES: [&str; 21] = [
        "01", "03", "04", "05", "06", "07", "08", "09", "10", "12", "13", "14", "17", "18", "19",
        "20", "21", "22", "23", "24", "25",
    ];
    const HIP: [f64; 21] = [
        0.78, 0.74, 0.70, 0.80, 0.82, 0.72, 0.76, 0.70, 0.75, 0.77, 0.81, 0.73, 0.69, 0.79, 0.74,
        0.71, 0.68, 0.72, 0.70, 0.76, 0.73,
    ];
    const FB90: [f64; 21] = [
        0.84, 0.80, 0.76, 0.86, 0.88, 0.82, 0.85, 0.83, 0.80, 0.79, 0.90, 0.81, 0.78, 0.84, 0.80,
        0.82, 0.77, 0.79, 0.81, 0.83, 0.75,
    ];
    const OP90: [f64; 21] = [
        0.80, 0.74, 0.70, 0.82, 0.85, 0.77, 0.80, 0.78, 0.74, 0.73, 0.86, 0.76, 0.72, 0.80, 0.75,
        0.76, 0.70, 0.73, 0.75, 0.78, 0.68,
    ];
    const COLD: [f64; 21] = [
        0.70, 0.80, 0.66, 0.74, 0.78, 0.68, 0.72, 0.65, 0.70, 0.76, 0.79, 0.73, 0.67, 0.75, 0.69,
        0.71, 0.66, 0.72, 0.70, 0.77, 0.68,
    ];
    const OVERCROWD: [f64; 21] = [
        4.5, 6.5, 6.0, 4.0, 3.0, 3.5, 2.5, 3.0, 4.5, 6.0, 3.5, 5.0, 4.0, 4.5, 5.5, 4.0, 5.0, 4.5,
        3.5, 4.0, 5.0,
    ];
    const OUTLIERS: [f64; 21] = [
        0.35, 0.40, 0.45, 0.30, 0.25, 0.30, 0.20, 0.25, 0.35, 0.40, 0.30, 0.35, 0.30, 0.35, 0.40,
        0.30, 0.35, 0.30, 0.25, 0.30, 0.35,
    ];
    const VISITORS: [f64; 21] = [
        0.045, 0.070, 0.050, 0.050, 0.045, 0.055, 0.050, 0.075, 0.055, 0.045, 0.060, 0.045, 0.050,
        0.055, 0.050, 0.060, 0.050, 0.050, 0.070, 0.060, 0.050,
    ];
    const COST: [f64; 21] = [
        68_000.0, 66_500.0, 63_000.0, 62_500.0, 61_000.0, 62_000.0, 61_500.0, 66_000.0, 62_500.0,
        64_500.0, 60_500.0, 64_000.0, 63_500.0, 63_000.0, 64_000.0, 63_500.0, 64_500.0, 65_000.0,
        67_000.0, 65_500.0, 66_000.0,
    ];
    const USE: [f64; 21] = [
        0.97, 1.03, 1.02, 0.99, 0.97, 0.98, 1.01, 1.04, 1.02, 1.00, 0.96, 1.00, 1.03, 1.01, 1.00,
        1.03, 1.04, 1.05, 1.04, 1.02, 1.06,
    ];
    let mut v: Vec<RegionParams> = (0..21)
        .map(|i| RegionParams {
            region: CODES[i],
            hip_within_24h: HIP[i],
            first_visit_within_90d: FB90[i],
            operation_within_90d: OP90[i],
            tonsil_cold_share: COLD[i],
            ami_mortality_multiplier: 1.0,
            overcrowding_target_per_100: OVERCROWD[i],
            outlier_share: OUTLIERS[i],
            visitor_share: VISITORS[i],
            summer_visitors: match CODES[i] {
                "09" => 3.0,
                "08" | "10" | "13" => 1.5,
                _ => 1.0,
            },
            cost_per_drg_point: COST[i],
            care_use: USE[i],
            icd_without_dot: matches!(CODES[i], "12" | "14" | "24"),
        })
        .collect();
    for &(ind, region, value, _) in PLANTED {
        let Some(p) = v.iter_mut().find(|p| p.region == region) else {
            continue;
        };
        match ind {
            "hip_fracture_surgery_within_24h" => p.hip_within_24h = value,
            "first_visit_within_90_days" => p.first_visit_within_90d = value,
            "tonsillectomy_cold_technique_share" => p.tonsil_cold_share = value,
            "ami_30_day_mortality" => p.ami_mortality_multiplier = value,
            "overcrowding_per_100_staffed_beds" => p.overcrowding_target_per_100 = value,
            _ => {}
        }
    }
    // Normalise care use to a population-weighted mean of 1.
    let regions = vardhub_domain::region::regions();
    let pop: f64 = regions.iter().map(|r| f64::from(r.population_2023())).sum();
    let mean: f64 = regions
        .iter()
        .zip(&v)
        .map(|(r, p)| f64::from(r.population_2023()) * p.care_use)
        .sum::<f64>()
        / pop;
    for p in &mut v {
        p.care_use /= mean;
    }
    v
}

/// Age-specific 30-day death risk after an AMI admission (before the regional multiplier).
pub(crate) fn ami_death_30d(age: u32) -> f64 {
    match age {
        0..=64 => 0.05,
        65..=74 => 0.10,
        75..=84 => 0.19,
        _ => 0.33,
    }
}

/// Annual probability of moving to another region.
pub(crate) fn move_rate(age: u32) -> f64 {
    match age {
        0..=17 => 0.012,
        18..=29 => 0.045,
        30..=44 => 0.018,
        45..=64 => 0.008,
        _ => 0.004,
    }
}

// ---------------------------------------------------------------------------------------------
// Calibration
// ---------------------------------------------------------------------------------------------

/// National constants that turn shapes into rates, and the solved background volumes.
#[derive(Debug, Clone, serde::Serialize)]
pub(crate) struct Rates {
    pub hip: f64,
    pub ami: f64,
    pub stroke: f64,
    pub tonsil: f64,
    pub delivery: f64,
    pub referral: f64,
    /// Background inpatient episodes (per unit of [`shape_sv`]).
    pub bg_sv: f64,
    /// Background specialist visits, all staff (per unit of [`shape_ov`]).
    pub bg_ov: f64,
    /// Background primary-care visits, all staff (per unit of [`shape_pv`]).
    pub bg_pv: f64,
    /// Expected national volumes per person-year after calibration.
    pub expected: Expected,
}

/// Expected national volumes per person-year.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub(crate) struct Expected {
    pub inpatient_episodes: f64,
    pub specialist_visits: f64,
    pub specialist_physician_visits: f64,
    pub primary_care_visits: f64,
    pub primary_care_physician_visits: f64,
}

/// The national share of each (sex index, age) cell in 2015.
fn national_shares() -> [[f64; AGES]; 2] {
    let n = SCB.national_pop();
    let total: f64 = n.iter().flatten().sum();
    let mut s = [[0.0; AGES]; 2];
    for sx in 0..2 {
        for a in 0..AGES {
            s[sx][a] = n[sx][a] / total;
        }
    }
    s
}

/// National mean of `f(age, sex)`.
fn mean_of(shares: &[[f64; AGES]; 2], f: impl Fn(u32, u8) -> f64) -> f64 {
    let mut m = 0.0;
    for (sx, by_age) in shares.iter().enumerate() {
        for (a, share) in by_age.iter().enumerate() {
            m += share * f(a as u32, sx as u8 + 1);
        }
    }
    m
}

/// National annual death probability by age and sex.
fn national_death_rate(age: u32, sex: u8) -> f64 {
    let a = (age as usize).min(AGES - 1);
    let s = usize::from(sex - 1);
    let (mut d, mut p) = (0.0, 0.0);
    for r in 0..SCB.pop.len() {
        d += SCB.deaths[r][s][a];
        p += SCB.pop[r][s][a];
    }
    if p > 0.0 { d / p } else { 0.0 }
}

impl Rates {
    /// Solve the constants (see the module documentation).
    pub fn calibrate() -> Rates {
        let sh = national_shares();
        let k = |t: f64, f: fn(u32, u8) -> f64| t / mean_of(&sh, f);
        let hip = k(target::HIP, shape_hip);
        let ami = k(target::AMI, shape_ami);
        let stroke = k(target::STROKE, shape_stroke);
        let tonsil = k(target::TONSIL, shape_tonsil);
        let delivery = k(target::DELIVERIES, shape_delivery);
        let referral = k(target::REFERRALS, shape_referral);
        let mut r = Rates {
            hip,
            ami,
            stroke,
            tonsil,
            delivery,
            referral,
            bg_sv: 0.0,
            bg_ov: 0.0,
            bg_pv: 0.0,
            expected: Expected::default(),
        };
        // Inpatient: everything but the background, with readmissions.
        let cond_sv_acute = |a: u32, s: u8| {
            r.hip * shape_hip(a, s)
                + r.ami * shape_ami(a, s)
                + r.stroke * shape_stroke(a, s)
                + prev_heart_failure(a, s) * HF_CARE.sv
                + prev_copd(a, s) * COPD_CARE.sv
                + prev_diabetes2(a, s) * DM2_CARE.sv
                + prev_diabetes1(a, s) * DM1_CARE.sv
                + prev_depression(a, s) * DEP_CARE.sv
                + national_death_rate(a, s) * TERMINAL_STAY
        };
        let op_sv = |a: u32, s: u8| {
            let specs = referral_specs(a, s);
            let total: f64 = specs.iter().map(|x| x.1).sum();
            let inpatient: f64 = specs
                .iter()
                .filter_map(|&(sp, w)| operates(sp).map(|ip| w / total * ip))
                .sum();
            r.referral * shape_referral(a, s) * OP_AFTER_REFERRAL * inpatient
        };
        let cond_sv_planned =
            |a: u32, s: u8| r.tonsil * shape_tonsil(a, s) * TONSIL_INPATIENT + op_sv(a, s);
        let readm = |a: u32| 1.0 + readmission_prob(a);
        let fixed_sv = mean_of(&sh, |a, s| {
            (cond_sv_acute(a, s) + cond_sv_planned(a, s)) * readm(a)
                + r.delivery * shape_delivery(a, s)
        });
        let bg_sv_unit = mean_of(&sh, |a, s| shape_sv(a, s) * readm(a));
        r.bg_sv = (target::SV - fixed_sv) / bg_sv_unit;
        // Specialist physician visits.
        let acute_sv = |a: u32, s: u8| {
            (cond_sv_acute(a, s) + r.bg_sv * shape_sv(a, s) * (1.0 - SV_PLANNED_SHARE)) * readm(a)
                + (cond_sv_planned(a, s) + r.bg_sv * shape_sv(a, s) * SV_PLANNED_SHARE)
                    * (readm(a) - 1.0)
        };
        let chronic_ov_l = |a: u32, s: u8| {
            prev_heart_failure(a, s) * HF_CARE.ov * HF_CARE.ov_physician
                + prev_copd(a, s) * COPD_CARE.ov * COPD_CARE.ov_physician
                + prev_diabetes2(a, s) * DM2_CARE.ov * DM2_CARE.ov_physician
                + prev_diabetes1(a, s) * DM1_CARE.ov * DM1_CARE.ov_physician
                + prev_depression(a, s) * DEP_CARE.ov * DEP_CARE.ov_physician
        };
        let chronic_ov = |a: u32, s: u8| {
            prev_heart_failure(a, s) * HF_CARE.ov
                + prev_copd(a, s) * COPD_CARE.ov
                + prev_diabetes2(a, s) * DM2_CARE.ov
                + prev_diabetes1(a, s) * DM1_CARE.ov
                + prev_depression(a, s) * DEP_CARE.ov
        };
        let op_ov = |a: u32, s: u8| {
            let specs = referral_specs(a, s);
            let total: f64 = specs.iter().map(|x| x.1).sum();
            let day: f64 = specs
                .iter()
                .filter_map(|&(sp, w)| operates(sp).map(|ip| w / total * (1.0 - ip)))
                .sum();
            r.referral * shape_referral(a, s) * OP_AFTER_REFERRAL * day
        };
        let fixed_ov_l = |a: u32, s: u8| {
            ED_SHARE * acute_sv(a, s)
                + r.referral * shape_referral(a, s)
                + r.tonsil * shape_tonsil(a, s) * (1.0 + (1.0 - TONSIL_INPATIENT))
                + op_ov(a, s)
                + (r.hip * shape_hip(a, s)
                    + r.ami * shape_ami(a, s)
                    + r.stroke * shape_stroke(a, s))
                    * FOLLOW_UP_VISITS
                + chronic_ov_l(a, s)
        };
        let fixed_ov_other = |a: u32, s: u8| chronic_ov(a, s) - chronic_ov_l(a, s);
        let ov_l_fixed = mean_of(&sh, fixed_ov_l);
        r.bg_ov =
            (target::OV_PHYSICIAN - ov_l_fixed) / (mean_of(&sh, shape_ov) * OV_PHYSICIAN_SHARE);
        // Primary-care physician visits.
        let chronic_pv_l = |a: u32, s: u8| {
            prev_heart_failure(a, s) * HF_CARE.pv * HF_CARE.pv_physician
                + prev_copd(a, s) * COPD_CARE.pv * COPD_CARE.pv_physician
                + prev_diabetes2(a, s) * DM2_CARE.pv * DM2_CARE.pv_physician
                + prev_diabetes1(a, s) * DM1_CARE.pv * DM1_CARE.pv_physician
                + prev_depression(a, s) * DEP_CARE.pv * DEP_CARE.pv_physician
        };
        let chronic_pv = |a: u32, s: u8| {
            prev_heart_failure(a, s) * HF_CARE.pv
                + prev_copd(a, s) * COPD_CARE.pv
                + prev_diabetes2(a, s) * DM2_CARE.pv
                + prev_diabetes1(a, s) * DM1_CARE.pv
                + prev_depression(a, s) * DEP_CARE.pv
        };
        let fixed_pv_l = |a: u32, s: u8| chronic_pv_l(a, s) + r.tonsil * shape_tonsil(a, s);
        r.bg_pv = (target::PV_PHYSICIAN - mean_of(&sh, fixed_pv_l))
            / (mean_of(&sh, shape_pv) * PV_PHYSICIAN_SHARE);
        r.expected = Expected {
            inpatient_episodes: target::SV,
            specialist_physician_visits: target::OV_PHYSICIAN,
            specialist_visits: ov_l_fixed
                + mean_of(&sh, fixed_ov_other)
                + r.bg_ov * mean_of(&sh, shape_ov),
            primary_care_physician_visits: target::PV_PHYSICIAN,
            primary_care_visits: mean_of(&sh, chronic_pv)
                + mean_of(&sh, |a, s| r.tonsil * shape_tonsil(a, s))
                + r.bg_pv * mean_of(&sh, shape_pv),
        };
        r
    }
}

// ---------------------------------------------------------------------------------------------
// Diagnosis lists
// ---------------------------------------------------------------------------------------------

/// Diagnosis lists, interned.
pub(crate) struct Dx {
    pub pv_child: CodeList,
    pub pv_adult: CodeList,
    pub pv_old: CodeList,
    pub ov: Vec<CodeList>,
    pub sv_acute: Vec<CodeList>,
    pub sv_planned: Vec<CodeList>,
    pub secondary: CodeList,
    pub terminal: CodeList,
    pub hip: CodeList,
    pub ami: CodeList,
    pub stroke: CodeList,
    pub hf: CodeList,
    pub copd_stable: CodeList,
    pub copd_exacerbation: CodeList,
    pub dm2: CodeList,
    pub dm1: CodeList,
    pub dm1_acute: CodeList,
    pub depression: CodeList,
    pub depression_severe: CodeList,
    pub tonsil_chronic: CodeList,
    pub tonsil_acute: CodeList,
    pub delivery_vaginal: CodeList,
    pub delivery_caesarean: CodeList,
    pub ami_follow_up: CodeList,
    pub stroke_follow_up: CodeList,
    pub hip_follow_up: CodeList,
    pub visitor_pv: CodeList,
    pub visitor_ov: CodeList,
    pub visitor_sv: CodeList,
}

fn list(c: &mut Codes, items: &[(&'static str, f64)]) -> CodeList {
    CodeList::new(c, items)
}

impl Dx {
    pub fn new(c: &mut Codes) -> Dx {
        let ov_for = |c: &mut Codes, s: Spec| -> CodeList {
            let items: &[(&'static str, f64)] = match s {
                Spec::Med => &[
                    ("I10.9", 3.0),
                    ("E78.5", 2.0),
                    ("D64.9", 2.0),
                    ("R07.4", 2.0),
                    ("K29.7", 1.0),
                    ("N18.9", 1.0),
                ],
                Spec::Kard => &[
                    ("I25.9", 3.0),
                    ("I48.9", 4.0),
                    ("I20.9", 2.0),
                    ("R07.4", 2.0),
                    ("I10.9", 1.0),
                ],
                Spec::Lung => &[
                    ("J45.9", 4.0),
                    ("J44.9", 2.0),
                    ("J18.9", 1.0),
                    ("R05.9", 1.0),
                ],
                Spec::Endo => &[
                    ("E03.9", 3.0),
                    ("E66.9", 2.0),
                    ("E11.9", 2.0),
                    ("E78.5", 1.0),
                ],
                Spec::Inf => &[
                    ("B34.9", 2.0),
                    ("A09.9", 1.0),
                    ("L03.1", 2.0),
                    ("N39.0", 2.0),
                ],
                Spec::Ger => &[("F03.9", 3.0), ("R42", 2.0), ("I10.9", 1.0), ("M81.9", 2.0)],
                Spec::Neuro => &[
                    ("G43.9", 3.0),
                    ("G47.0", 1.0),
                    ("R42", 2.0),
                    ("G40.9", 2.0),
                    ("G35.9", 1.0),
                ],
                Spec::Kir => &[
                    ("K40.9", 3.0),
                    ("K80.2", 3.0),
                    ("K59.0", 1.0),
                    ("R10.4", 2.0),
                    ("C50.9", 1.0),
                    ("I83.9", 2.0),
                ],
                Spec::Ort => &[
                    ("M17.9", 3.0),
                    ("M16.9", 2.0),
                    ("M54.2", 2.0),
                    ("S52.5", 1.0),
                    ("S82.8", 1.0),
                    ("S93.4", 1.0),
                    ("M75.1", 2.0),
                ],
                Spec::Kvinn => &[
                    ("N93.0", 2.0),
                    ("Z34.9", 3.0),
                    ("Z30.9", 2.0),
                    ("N95.1", 1.0),
                    ("N80.9", 1.0),
                ],
                Spec::Barn => &[
                    ("J45.9", 2.0),
                    ("R50.9", 2.0),
                    ("H66.9", 1.0),
                    ("L20.9", 2.0),
                    ("K59.0", 1.0),
                    ("R10.4", 1.0),
                ],
                Spec::Onh => &[
                    ("J35.0", 1.0),
                    ("H66.9", 2.0),
                    ("H91.1", 2.0),
                    ("J01.9", 1.0),
                    ("J34.2", 1.0),
                ],
                Spec::Ogon => &[
                    ("H25.9", 3.0),
                    ("H10.9", 1.0),
                    ("H40.1", 2.0),
                    ("H35.3", 2.0),
                ],
                Spec::Psyk => &[
                    ("F32.1", 2.0),
                    ("F41.1", 2.0),
                    ("F43.1", 2.0),
                    ("F90.0", 2.0),
                    ("F20.9", 1.0),
                    ("F60.3", 1.0),
                ],
                Spec::Hud => &[
                    ("L20.9", 2.0),
                    ("L40.0", 2.0),
                    ("C44.9", 1.0),
                    ("L70.0", 1.0),
                    ("D22.9", 2.0),
                ],
                Spec::Akut => &[
                    ("R07.4", 3.0),
                    ("R10.4", 3.0),
                    ("S61.0", 2.0),
                    ("S52.5", 1.0),
                    ("R55", 1.0),
                    ("S00.8", 1.0),
                    ("N39.0", 1.0),
                    ("R42", 1.0),
                ],
                Spec::Allm => &[("J06.9", 1.0)],
            };
            list(c, items)
        };
        let sv_acute_for = |c: &mut Codes, s: Spec| -> CodeList {
            let items: &[(&'static str, f64)] = match s {
                Spec::Med | Spec::Lung | Spec::Endo | Spec::Hud | Spec::Akut | Spec::Allm => &[
                    ("J18.9", 5.0),
                    ("N39.0", 3.0),
                    ("I48.9", 3.0),
                    ("D64.9", 1.0),
                    ("R55", 1.0),
                    ("E87.1", 1.0),
                    ("A41.9", 2.0),
                    ("R07.4", 2.0),
                    ("K92.2", 1.0),
                    ("J22.9", 2.0),
                ],
                Spec::Ger => &[
                    ("J18.9", 3.0),
                    ("N39.0", 3.0),
                    ("R26.8", 2.0),
                    ("I48.9", 1.0),
                    ("E86.9", 1.0),
                    ("F05.9", 2.0),
                ],
                Spec::Kir | Spec::Ogon => &[
                    ("K35.8", 3.0),
                    ("K80.1", 2.0),
                    ("K56.6", 1.0),
                    ("K57.3", 1.0),
                    ("R10.4", 3.0),
                ],
                Spec::Ort => &[
                    ("S82.8", 2.0),
                    ("S52.5", 2.0),
                    ("S42.2", 1.0),
                    ("S32.0", 1.0),
                ],
                Spec::Barn => &[
                    ("J21.9", 2.0),
                    ("J18.9", 1.0),
                    ("A09.9", 2.0),
                    ("R50.9", 1.0),
                    ("P59.9", 1.0),
                ],
                Spec::Inf => &[
                    ("A41.9", 2.0),
                    ("J18.9", 2.0),
                    ("A46.9", 1.0),
                    ("L03.1", 2.0),
                ],
                Spec::Psyk => &[
                    ("F32.2", 2.0),
                    ("F20.9", 2.0),
                    ("F10.2", 2.0),
                    ("F43.1", 1.0),
                    ("F31.6", 1.0),
                ],
                Spec::Neuro => &[("G40.9", 2.0), ("G45.9", 2.0), ("R42", 1.0)],
                Spec::Kard => &[("I48.9", 3.0), ("I20.0", 2.0), ("R07.4", 2.0)],
                Spec::Onh => &[("J36", 2.0), ("R04.0", 1.0), ("H81.1", 1.0)],
                Spec::Kvinn => &[("O47.9", 2.0), ("O21.0", 1.0), ("N83.2", 1.0)],
            };
            list(c, items)
        };
        let sv_planned_for = |c: &mut Codes, s: Spec| -> CodeList {
            let items: &[(&'static str, f64)] = match s {
                Spec::Kir | Spec::Ogon => &[
                    ("C18.9", 2.0),
                    ("C50.9", 2.0),
                    ("K57.3", 1.0),
                    ("K80.2", 1.0),
                ],
                Spec::Ort => &[("M17.9", 2.0), ("M16.9", 2.0), ("M75.1", 1.0)],
                Spec::Kvinn => &[("N81.1", 1.0), ("D25.9", 1.0)],
                Spec::Barn => &[("J35.1", 1.0), ("Q53.1", 1.0), ("R62.8", 1.0)],
                Spec::Onh => &[("J35.1", 2.0), ("J34.2", 1.0)],
                Spec::Psyk => &[("F20.9", 1.0), ("F31.6", 1.0), ("F33.2", 1.0)],
                Spec::Kard => &[("I48.9", 2.0), ("I25.9", 2.0)],
                _ => &[
                    ("I48.9", 1.0),
                    ("D64.9", 1.0),
                    ("C34.9", 1.0),
                    ("K50.9", 1.0),
                    ("R07.4", 1.0),
                ],
            };
            list(c, items)
        };
        let ov = Spec::ALL.iter().map(|&s| ov_for(c, s)).collect();
        let sv_acute = Spec::ALL.iter().map(|&s| sv_acute_for(c, s)).collect();
        let sv_planned = Spec::ALL.iter().map(|&s| sv_planned_for(c, s)).collect();
        Dx {
            pv_child: list(
                c,
                &[
                    ("J06.9", 30.0),
                    ("J03.9", 8.0),
                    ("H66.9", 10.0),
                    ("J20.9", 6.0),
                    ("L30.9", 5.0),
                    ("B34.9", 8.0),
                    ("R50.9", 6.0),
                    ("H10.9", 5.0),
                    ("A09.9", 4.0),
                    ("J45.9", 5.0),
                    ("Z00.0", 8.0),
                ],
            ),
            pv_adult: list(
                c,
                &[
                    ("J06.9", 15.0),
                    ("M54.5", 10.0),
                    ("I10.9", 8.0),
                    ("F41.9", 5.0),
                    ("F43.2", 5.0),
                    ("N39.0", 5.0),
                    ("J03.9", 4.0),
                    ("L30.9", 4.0),
                    ("K21.9", 3.0),
                    ("E78.5", 3.0),
                    ("R10.4", 4.0),
                    ("G43.9", 3.0),
                    ("M79.6", 4.0),
                    ("J20.9", 4.0),
                    ("H10.9", 2.0),
                    ("J01.9", 3.0),
                    ("Z00.0", 4.0),
                    ("B34.9", 3.0),
                ],
            ),
            pv_old: list(
                c,
                &[
                    ("I10.9", 20.0),
                    ("M54.5", 6.0),
                    ("N39.0", 8.0),
                    ("E78.5", 6.0),
                    ("J20.9", 5.0),
                    ("I48.9", 6.0),
                    ("M17.9", 6.0),
                    ("R42", 4.0),
                    ("L30.9", 3.0),
                    ("J06.9", 5.0),
                    ("K59.0", 3.0),
                    ("M79.6", 3.0),
                    ("R50.9", 2.0),
                    ("Z00.0", 3.0),
                ],
            ),
            ov,
            sv_acute,
            sv_planned,
            secondary: list(
                c,
                &[
                    ("I10.9", 10.0),
                    ("E11.9", 5.0),
                    ("I48.9", 4.0),
                    ("N18.9", 2.0),
                    ("E78.5", 4.0),
                    ("J44.9", 2.0),
                    ("F32.9", 2.0),
                    ("I25.9", 3.0),
                    ("E66.9", 2.0),
                    ("D64.9", 2.0),
                    ("F03.9", 1.0),
                    ("Z92.1", 1.0),
                ],
            ),
            terminal: list(
                c,
                &[
                    ("J18.9", 4.0),
                    ("I50.9", 3.0),
                    ("C34.9", 2.0),
                    ("A41.9", 2.0),
                    ("C18.9", 1.0),
                    ("I63.9", 2.0),
                    ("N17.9", 1.0),
                    ("C61", 1.0),
                    ("J44.1", 1.0),
                ],
            ),
            hip: list(c, &[("S72.0", 55.0), ("S72.1", 38.0), ("S72.2", 7.0)]),
            ami: list(
                c,
                &[
                    ("I21.0", 12.0),
                    ("I21.1", 10.0),
                    ("I21.2", 3.0),
                    ("I21.3", 5.0),
                    ("I21.4", 55.0),
                    ("I21.9", 15.0),
                ],
            ),
            stroke: list(c, &[("I63.9", 80.0), ("I61.9", 12.0), ("I64", 8.0)]),
            hf: list(c, &[("I50.0", 40.0), ("I50.1", 20.0), ("I50.9", 40.0)]),
            copd_stable: list(c, &[("J44.9", 3.0), ("J44.8", 1.0)]),
            copd_exacerbation: list(c, &[("J44.1", 3.0), ("J44.0", 1.0)]),
            dm2: list(
                c,
                &[
                    ("E11.9", 6.0),
                    ("E11.5", 1.0),
                    ("E11.3", 1.0),
                    ("E11.2", 1.0),
                ],
            ),
            dm1: list(c, &[("E10.9", 5.0), ("E10.3", 1.0), ("E10.6", 1.0)]),
            dm1_acute: list(c, &[("E10.1", 2.0), ("E10.0", 1.0)]),
            depression: list(
                c,
                &[
                    ("F32.1", 4.0),
                    ("F32.0", 2.0),
                    ("F32.9", 2.0),
                    ("F33.1", 2.0),
                    ("F33.0", 1.0),
                ],
            ),
            depression_severe: list(c, &[("F32.2", 2.0), ("F32.3", 1.0), ("F33.2", 2.0)]),
            tonsil_chronic: list(c, &[("J35.0", 5.0), ("J35.1", 3.0), ("J35.3", 2.0)]),
            tonsil_acute: list(c, &[("J03.9", 4.0), ("J03.0", 1.0)]),
            delivery_vaginal: list(c, &[("O80.0", 6.0), ("O80.9", 2.0), ("O81.4", 1.0)]),
            delivery_caesarean: list(c, &[("O82.0", 1.0), ("O82.1", 1.0)]),
            ami_follow_up: list(c, &[("I25.2", 1.0), ("I25.9", 1.0)]),
            stroke_follow_up: list(c, &[("I69.3", 2.0), ("I63.9", 1.0)]),
            hip_follow_up: list(c, &[("S72.0", 3.0), ("S72.1", 2.0), ("Z47.0", 1.0)]),
            visitor_pv: list(
                c,
                &[
                    ("J06.9", 4.0),
                    ("S61.0", 2.0),
                    ("H10.9", 2.0),
                    ("N39.0", 2.0),
                    ("T14.1", 1.0),
                    ("J03.9", 2.0),
                ],
            ),
            visitor_ov: list(
                c,
                &[
                    ("S61.0", 2.0),
                    ("S93.4", 2.0),
                    ("R10.4", 2.0),
                    ("S00.8", 1.0),
                    ("S52.5", 1.0),
                    ("R07.4", 2.0),
                    ("T78.3", 1.0),
                ],
            ),
            visitor_sv: list(
                c,
                &[
                    ("J18.9", 2.0),
                    ("S82.8", 2.0),
                    ("K35.8", 2.0),
                    ("S52.5", 1.0),
                    ("N39.0", 1.0),
                    ("R07.4", 2.0),
                ],
            ),
        }
    }
}

/// A planned operation from the waiting list: specialty, KVÅ code, weight, diagnosis, inpatient
/// and day-surgery DRG.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PlannedOp {
    pub spec: Spec,
    pub code: crate::codes::Code,
    pub weight: f64,
    pub dx: crate::codes::Code,
    pub drg_sv: &'static str,
    pub drg_ov: &'static str,
}

/// Procedure codes used by the generator (KVÅ-shaped; see [`crate::codes::assumptions`]).
pub(crate) struct Ops {
    pub hip_prosthesis: CodeList,
    pub hip_fixation_neck: CodeList,
    pub hip_fixation_troch: CodeList,
    pub pci: crate::codes::Code,
    pub angio: crate::codes::Code,
    pub thrombolysis: crate::codes::Code,
    pub tonsil_cold: crate::codes::Code,
    pub tonsil_hot: crate::codes::Code,
    pub caesarean: crate::codes::Code,
    pub appendectomy: crate::codes::Code,
    pub ecg: crate::codes::Code,
    pub onh_exam: CodeList,
    pub appendicitis: crate::codes::Code,
    /// Home visit of the mobile team ([`crate::codes::planted::MOBILE_TEAM_VISIT`]).
    pub mobile_team_visit: crate::codes::Code,
    /// Planned operations by specialty.
    pub planned: Vec<PlannedOp>,
}

impl Ops {
    pub fn new(c: &mut Codes) -> Ops {
        let planned = [
            (Spec::Ort, "NGB49", 1.0, "M17.9", "I04C", "I04C"),
            (Spec::Ort, "NFB49", 1.0, "M16.9", "I04C", "I04C"),
            (Spec::Kir, "JAB30", 1.2, "K40.9", "G09C", "G09O"),
            (Spec::Kir, "JKA21", 1.0, "K80.2", "H08C", "H08O"),
            (Spec::Ogon, "CJE20", 1.0, "H25.9", "C08O", "C08O"),
            (Spec::Kvinn, "LCD10", 1.0, "N81.1", "N04C", "N04C"),
        ]
        .into_iter()
        .map(|(spec, code, weight, dx, drg_sv, drg_ov)| PlannedOp {
            spec,
            code: c.id(code),
            weight,
            dx: c.id(dx),
            drg_sv,
            drg_ov,
        })
        .collect();
        Ops {
            hip_prosthesis: list(c, &[("NFB12", 3.0), ("NFB02", 1.0)]),
            hip_fixation_neck: list(c, &[("NFJ49", 2.0), ("NFJ59", 1.0)]),
            hip_fixation_troch: list(c, &[("NFJ69", 2.0), ("NFJ79", 1.0)]),
            pci: c.id(crate::codes::planted::PCI),
            angio: c.id("AF037"),
            thrombolysis: c.id("DT016"),
            tonsil_cold: c.id(crate::codes::planted::TONSIL_COLD),
            tonsil_hot: c.id(crate::codes::planted::TONSIL_HOT),
            caesarean: c.id("MCA10"),
            appendectomy: c.id("JEA01"),
            ecg: c.id("AF021"),
            onh_exam: list(c, &[("AD041", 1.0), ("UDH02", 1.0)]),
            appendicitis: c.id("K35.8"),
            mobile_team_visit: c.id(crate::codes::planted::MOBILE_TEAM_VISIT),
            planned,
        }
    }

    /// A planned operation of a specialty.
    pub fn planned_for(&self, spec: Spec, rng: &mut crate::rng::Stream) -> Option<PlannedOp> {
        let cands: Vec<&PlannedOp> = self.planned.iter().filter(|p| p.spec == spec).collect();
        if cands.is_empty() {
            return None;
        }
        let w: Vec<f64> = cands.iter().map(|p| p.weight).collect();
        Some(*cands[crate::rng::weighted(rng, &w)])
    }
}

/// The whole model: codes, lists, rates and the regions' parameters.
pub(crate) struct Model {
    pub codes: Codes,
    pub dx: Dx,
    pub ops: Ops,
    pub rates: Rates,
    pub regions: Vec<RegionParams>,
    /// DRG codes interned: (code, weight).
    pub drg: std::collections::BTreeMap<&'static str, (crate::codes::Code, f64)>,
}

/// Inpatient NordDRG-shaped groups with weights (assumption).
const SV_DRGS: &[(&str, f64)] = &[
    ("I03C", 2.10),
    ("I08C", 1.85),
    ("F10C", 1.55),
    ("F41C", 1.05),
    ("B70C", 1.75),
    ("F62C", 0.95),
    ("E65C", 0.85),
    ("K60C", 0.75),
    ("U71C", 2.2),
    ("D11C", 0.45),
    ("D11O", 0.30),
    ("O60C", 0.55),
    ("O01C", 1.15),
    ("I04C", 1.9),
    ("G09C", 0.65),
    ("G09O", 0.30),
    ("H08C", 0.9),
    ("H08O", 0.5),
    ("C08O", 0.22),
    ("N04C", 1.1),
    ("G07C", 0.95),
    ("T62C", 1.3),
];

impl Model {
    pub fn new() -> Model {
        let mut codes = Codes::new();
        let dx = Dx::new(&mut codes);
        let ops = Ops::new(&mut codes);
        let mut drg = std::collections::BTreeMap::new();
        for &(d, w) in SV_DRGS {
            drg.insert(d, (codes.id(d), w));
        }
        for s in Spec::ALL {
            for (d, w) in [s.ov_drg(), s.sv_drg()] {
                drg.insert(d, (codes.id(d), w));
            }
        }
        Model {
            codes,
            dx,
            ops,
            rates: Rates::calibrate(),
            regions: region_params(),
            drg,
        }
    }

    /// A DRG's code and weight.
    pub fn drg(&self, d: &str) -> (crate::codes::Code, f64) {
        self.drg
            .get(d)
            .copied()
            .unwrap_or((crate::codes::NONE, 0.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use vardhub_domain::{DrgCode, IcdCode, KvaCode};

    #[test]
    fn every_code_of_the_model_is_valid() {
        let m = Model::new();
        let drgs: Vec<&str> = m.drg.keys().copied().collect();
        let ops: Vec<&str> = m
            .ops
            .planned
            .iter()
            .map(|p| m.codes.text(p.code))
            .chain([
                m.codes.text(m.ops.pci),
                m.codes.text(m.ops.angio),
                m.codes.text(m.ops.thrombolysis),
                m.codes.text(m.ops.caesarean),
                m.codes.text(m.ops.appendectomy),
                m.codes.text(m.ops.ecg),
            ])
            .collect();
        for c in m.codes.all() {
            if drgs.contains(&c) {
                DrgCode::parse(c).unwrap();
            } else if ops.contains(&c) || KvaCode::parse(c).is_ok() {
                KvaCode::parse(c).unwrap();
            } else {
                let icd = IcdCode::parse(c).unwrap_or_else(|_| panic!("{c}"));
                assert!(icd.is_known(), "unknown ICD-10-SE code in the model: {c}");
            }
        }
    }

    #[test]
    fn calibration_is_positive_and_hits_targets() {
        let r = Rates::calibrate();
        assert!(r.bg_sv > 0.0 && r.bg_ov > 0.0 && r.bg_pv > 0.0, "{r:?}");
        assert!((r.expected.specialist_visits / target::OV_PHYSICIAN) > 1.2);
        let p = region_params();
        assert_eq!(p.len(), 21);
        assert_eq!(p[4].region, "06");
        assert_eq!(p[4].hip_within_24h, 0.95);
    }

    #[test]
    fn seasons_average_to_one() {
        let m: f64 = (1..=12).map(planned_season).sum::<f64>() / 12.0;
        assert!((m - 1.0).abs() < 1e-12);
        let a: f64 = (0..365).map(|d| acute_season(d, 0.2)).sum::<f64>() / 365.0;
        assert!((a - 1.0).abs() < 0.01);
    }
}
