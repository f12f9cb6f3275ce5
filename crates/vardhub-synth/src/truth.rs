//! `truth.json`: what the generator planted and the true value of every planted indicator per
//! region and period, counted from the rows actually written (before any defects are injected).

use std::collections::BTreeMap;

use serde::Serialize;

/// A counted share.
#[derive(Debug, Clone, Copy, Default, Serialize, PartialEq)]
pub(crate) struct Ratio {
    pub numerator: f64,
    pub denominator: f64,
}

impl Ratio {
    pub fn add(&mut self, hit: bool) {
        self.denominator += 1.0;
        if hit {
            self.numerator += 1.0;
        }
    }

    pub fn merge(&mut self, o: &Ratio) {
        self.numerator += o.numerator;
        self.denominator += o.denominator;
    }
}

/// Everything counted for one region (or `00`) and month.
#[derive(Debug, Clone, Default)]
pub(crate) struct MonthCounts {
    pub hip_within_24h: Ratio,
    pub first_visit_within_90d: Ratio,
    pub operation_within_90d: Ratio,
    pub tonsil_cold: Ratio,
    pub ami_30d_death: Ratio,
    /// Somatic: (överbeläggningar, utlokaliserade, utskrivningsklara) over disponibla.
    pub som_over: Ratio,
    pub som_outliers: Ratio,
    pub som_ready: Ratio,
    pub psy_over: Ratio,
    pub out_of_region: Ratio,
    pub inpatient: u64,
    pub specialist: u64,
    pub specialist_physician: u64,
    pub primary: u64,
    pub primary_physician: u64,
    pub waiting_rows: u64,
    pub waiting_now: u64,
    pub bed_rows: u64,
    pub population: u64,
    pub deaths: u64,
    pub births: u64,
    pub kpp_cost_sv: f64,
}

impl MonthCounts {
    pub fn merge(&mut self, o: &MonthCounts) {
        for (a, b) in [
            (&mut self.hip_within_24h, &o.hip_within_24h),
            (&mut self.first_visit_within_90d, &o.first_visit_within_90d),
            (&mut self.operation_within_90d, &o.operation_within_90d),
            (&mut self.tonsil_cold, &o.tonsil_cold),
            (&mut self.ami_30d_death, &o.ami_30d_death),
            (&mut self.som_over, &o.som_over),
            (&mut self.som_outliers, &o.som_outliers),
            (&mut self.som_ready, &o.som_ready),
            (&mut self.psy_over, &o.psy_over),
            (&mut self.out_of_region, &o.out_of_region),
        ] {
            a.merge(b);
        }
        self.inpatient += o.inpatient;
        self.specialist += o.specialist;
        self.specialist_physician += o.specialist_physician;
        self.primary += o.primary;
        self.primary_physician += o.primary_physician;
        self.waiting_rows += o.waiting_rows;
        self.waiting_now += o.waiting_now;
        self.bed_rows += o.bed_rows;
        self.population += o.population;
        self.deaths += o.deaths;
        self.births += o.births;
        self.kpp_cost_sv += o.kpp_cost_sv;
    }
}

/// An indicator's definition.
pub(crate) struct IndicatorDef {
    pub name: &'static str,
    pub unit: &'static str,
    pub scale: f64,
    pub definition: &'static str,
    pub get: fn(&MonthCounts) -> Ratio,
}

pub(crate) const INDICATORS: &[IndicatorDef] = &[
    IndicatorDef {
        name: "hip_fracture_surgery_within_24h",
        unit: "share",
        scale: 1.0,
        definition: "Denominator: vardkontakter.kontakter rows of the region's delivery for the month (reported by utskrivningsdatum) with vardform SV, planerad N, hdia S72.0, S72.1 or S72.2 and at least one atgarder row with a hip-fracture surgery code (NFB02, NFB12, NFJ49, NFJ59, NFJ69, NFJ79). Numerator: those whose first such procedure's datumtid is at most 24 hours after inskrivningsdatum.",
        get: |c| c.hip_within_24h,
    },
    IndicatorDef {
        name: "first_visit_within_90_days",
        unit: "share",
        scale: 1.0,
        definition: "Denominator: vantetider.arenden rows of the month with vantetyp FB, status G and avvikelseorsak not PvV or MoV. Numerator: those with genomford_datum − startdatum ≤ 90 calendar days (care guarantee, domain brief §5).",
        get: |c| c.first_visit_within_90d,
    },
    IndicatorDef {
        name: "operation_within_90_days",
        unit: "share",
        scale: 1.0,
        definition: "As first_visit_within_90_days for vantetyp OP (operation/åtgärd after decision).",
        get: |c| c.operation_within_90d,
    },
    IndicatorDef {
        name: "tonsillectomy_cold_technique_share",
        unit: "share",
        scale: 1.0,
        definition: "Denominator: atgarder rows of the month's vardkontakter delivery with kod EMB10 (tonsillectomy, cold technique) or EMB15 (hot technique) — both codes are the generator's assumption. Numerator: rows with EMB10.",
        get: |c| c.tonsil_cold,
    },
    IndicatorDef {
        name: "ami_30_day_mortality",
        unit: "share",
        scale: 1.0,
        definition: "Denominator: vardkontakter.kontakter rows of the month (reported by utskrivningsdatum) with vardform SV and hdia I21.x. Numerator: those whose patient has an avlidendatum at most 30 days after the date of inskrivningsdatum (deaths after the last generated month are counted too, although the population extract does not show them).",
        get: |c| c.ami_30d_death,
    },
    IndicatorDef {
        name: "overcrowding_per_100_staffed_beds",
        unit: "per 100 disponibla vårdplatser",
        scale: 100.0,
        definition: "Σ overbelaggningar / Σ disponibla × 100 over all vardplatser.enhetsdagar rows of the month with vardinriktning SOM (domain brief §6: a mean daily rate).",
        get: |c| c.som_over,
    },
    IndicatorDef {
        name: "outlying_patients_per_100_staffed_beds",
        unit: "per 100 disponibla vårdplatser",
        scale: 100.0,
        definition: "Σ utlokaliserade / Σ disponibla × 100 over the month's SOM rows.",
        get: |c| c.som_outliers,
    },
    IndicatorDef {
        name: "ready_for_discharge_beds_per_100_staffed_beds",
        unit: "per 100 disponibla vårdplatser",
        scale: 100.0,
        definition: "Σ utskrivningsklara / Σ disponibla × 100 over the month's SOM rows.",
        get: |c| c.som_ready,
    },
    IndicatorDef {
        name: "psychiatric_overcrowding_per_100_staffed_beds",
        unit: "per 100 disponibla vårdplatser",
        scale: 100.0,
        definition: "As overcrowding_per_100_staffed_beds for vardinriktning PSY.",
        get: |c| c.psy_over,
    },
    IndicatorDef {
        name: "care_of_residents_of_other_regions_share",
        unit: "share",
        scale: 1.0,
        definition: "Share of the month's vardkontakter.kontakter rows whose hemkommun lies outside the delivering region (visitors and people who moved).",
        get: |c| c.out_of_region,
    },
];

/// One value of an indicator.
#[derive(Debug, Serialize)]
pub(crate) struct Value {
    pub region: String,
    pub period: String,
    pub numerator: f64,
    pub denominator: f64,
    pub value: Option<f64>,
}

/// Round to 6 decimals (stable, readable JSON).
pub(crate) fn round6(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}

/// The indicator values of all regions and months plus the national (`00`) aggregate.
pub(crate) fn indicator_values(
    counts: &BTreeMap<(String, String), MonthCounts>,
    def: &IndicatorDef,
) -> Vec<Value> {
    counts
        .iter()
        .map(|((region, period), c)| {
            let r = (def.get)(c);
            Value {
                region: region.clone(),
                period: period.clone(),
                numerator: round6(r.numerator),
                denominator: round6(r.denominator),
                value: (r.denominator > 0.0)
                    .then(|| round6(r.numerator / r.denominator * def.scale)),
            }
        })
        .collect()
}

/// Cost share of the most expensive `top` share of contacts (the ytterfall of KPP).
pub(crate) fn top_share(costs: &mut [f32], top: f64) -> Option<f64> {
    if costs.is_empty() {
        return None;
    }
    costs.sort_by(|a, b| b.total_cmp(a));
    let total: f64 = costs.iter().map(|&c| f64::from(c)).sum();
    let n = ((costs.len() as f64 * top).ceil() as usize).max(1);
    let top_sum: f64 = costs[..n].iter().map(|&c| f64::from(c)).sum();
    (total > 0.0).then(|| round6(top_sum / total))
}
