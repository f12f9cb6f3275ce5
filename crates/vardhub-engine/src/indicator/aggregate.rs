//! From a recipe's fine rows to result rows: exact sums into the published strata, then values,
//! intervals, standardisation, the flag against Sweden and the target comparison.
//!
//! * **Sums are exact.** Numerator and denominator are summed as integers in the units of
//!   [`Definition::scales`] (öre for SEK, 1/10 000 for DRG weights, whole counts otherwise) and
//!   divided once at the end, so a stored sum is the nearest double to the exact decimal sum,
//!   whatever the number and order of the rows.
//! * **Intervals follow the kind of value** (methods.md §0.1): a share gets Wilson (always in
//!   [0, 1]), a rate Garwood's exact limits ÷ its denominator, a mean Student t; a standardised
//!   value the interval of its standardisation ([`Standardisation`]).
//! * **Standardised values use one standard for all regions**: indirect (expected events at
//!   Sweden's stratum rates) or direct with Sweden's weights over *all* of Sweden's strata — a
//!   region lacking a stratum gets no directly standardised value.
//! * **Flags come from an exact test** ([`crate::stats::exact_flags_proportion`],
//!   [`crate::stats::exact_flags_count`]), with "cannot be assessed" where no outcome at that size
//!   could be significant. When one period's regions vary more than the binomial/Poisson model
//!   allows (Spiegelhalter's dispersion ratio φ over the regions, Winsorised 10 %, significant by
//!   a χ² test; e.g. overcrowding, a daily census whose days are not independent events), the
//!   test runs on effective counts (÷ φ) and the row's `method` states φ.
//! * **Outcome windows lie inside the data**: (region, month) pairs whose follow-up is not
//!   delivered are left out ([`Coverage`]).
//! * **Regions that delivered but have no case** get a zero total row (published as "no cases"),
//!   distinct from regions that delivered nothing (no row: "no data").
//!
//! Every row states its methods in `method` ([`method`]).

use super::compute::{ALL, FineRow, Flags, ResultRow, SWEDEN, age_group};
use super::follow_up::Coverage;
use super::placement::{Placement, deliveries_of, delivery_index, level_of, uses_population};
use super::spec::{
    CiMethod, Definition, Direction, FollowUpSource, IndicatorSpec, Recipe, Standardisation, Unit,
};
use crate::stats::{self, Confidence, DsrMethod, DsrStratum, Estimate};
use std::collections::{BTreeMap, BTreeSet};
use vardhub_domain::{Area, Level, ReportPeriod};
use vardhub_store::Snapshot;

/// Units per 1 of numerator and denominator (see [`Definition::scales`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Scales {
    /// Numerator units per 1.
    pub numerator: f64,
    /// Denominator units per 1.
    pub denominator: f64,
}

impl Scales {
    /// The scales of a definition.
    pub fn of(def: &Definition) -> Scales {
        let (n, d) = def.scales();
        Scales {
            numerator: f64::from(n),
            denominator: f64::from(d),
        }
    }
}

/// Sums of fine rows: numerator and denominator as exact integers in their units.
#[derive(Debug, Default, Clone, Copy, PartialEq)]
pub struct Sums {
    /// Σ numerator, in numerator units.
    pub n: i128,
    /// Σ denominator, in denominator units.
    pub d: i128,
    /// Σ squares of the per-row value (means).
    pub ss: f64,
    /// Σ cases.
    pub c: i128,
}

/// A fine-row value in integer units (the queries return whole units or `k / scale` as the
/// nearest double, from which `k` is recovered exactly).
fn units(v: f64, scale: f64) -> i128 {
    (v * scale).round() as i128
}

/// Sums of one region's (or finer area's) month: by (sex, age group) column and by
/// standardisation stratum.
#[derive(Debug, Default)]
struct Grain<'a> {
    cols: BTreeMap<(&'a str, &'a str), Sums>,
    strata: BTreeMap<(String, i64), Sums>,
}

impl Sums {
    /// Add another sum.
    pub fn merge(&mut self, o: &Sums) {
        self.n += o.n;
        self.d += o.d;
        self.ss += o.ss;
        self.c += o.c;
    }

    /// Add one fine row.
    pub fn add(&mut self, r: &FineRow, s: Scales) {
        self.n += units(r.numerator, s.numerator);
        self.d += units(r.denominator, s.denominator);
        self.ss += r.sumsq;
        self.c += units(r.cases, 1.0);
    }

    /// The numerator (the nearest double to the exact decimal sum).
    pub fn numerator(&self, s: Scales) -> f64 {
        self.n as f64 / s.numerator
    }

    /// The denominator (the nearest double to the exact decimal sum).
    pub fn denominator(&self, s: Scales) -> f64 {
        self.d as f64 / s.denominator
    }

    /// numerator / denominator (None when the denominator is 0).
    fn ratio(&self, s: Scales) -> Option<f64> {
        (self.d > 0).then(|| self.numerator(s) / self.denominator(s))
    }
}

/// A count as an integer (the numerator of a share or rate).
fn whole(x: f64) -> u64 {
    x.round().max(0.0) as u64
}

fn direction(d: Direction) -> stats::Direction {
    match d {
        Direction::Higher => stats::Direction::HigherIsBetter,
        Direction::Lower => stats::Direction::LowerIsBetter,
    }
}

/// Per (region, period): sums per standardisation stratum (sex, 10-year band).
type StrataByCell = BTreeMap<(String, String), BTreeMap<(String, i64), Sums>>;

/// Standardisation stratum: sex × 10-year band (0-9 … 80-89, 90+).
fn std_stratum(r: &FineRow) -> Option<(String, i64)> {
    Some((r.kon.clone()?, r.alder?.clamp(0, 90) / 10))
}

/// Sum fine rows into strata and compute values, intervals, standardisation, flags and targets.
pub fn aggregate(recipe: &Recipe, fine: &[FineRow], snapshot: &Snapshot) -> Vec<ResultRow> {
    let spec = &recipe.spec;
    let sc = Scales::of(&spec.definition);
    let coverage = Coverage::new(snapshot, &spec.source, &spec.definition);
    let has_strata = fine.iter().any(|r| r.kon.is_some());
    let delivered: BTreeSet<(String, String)> = snapshot
        .deliveries
        .iter()
        .filter(|d| d.collection == spec.source)
        .map(|d| (d.region.clone(), d.period.clone()))
        .collect();
    let placement = Placement::new(&spec.dimensions, &coverage, &delivered, fine);
    // 1. The month grain: per region and month the sums by sex and age group and by
    //    standardisation stratum; per finer area and month its total and strata.
    let mut months: BTreeMap<(&str, &str), Grain> = BTreeMap::new();
    let mut sub_months: BTreeMap<(&str, &str, &str), Grain> = BTreeMap::new();
    for r in fine
        .iter()
        .filter(|r| coverage.complete(&r.region, &r.period))
    {
        let sexes: &[&str] = match r.kon.as_deref() {
            Some("1") if has_strata => &["1", ALL],
            Some("2") if has_strata => &["2", ALL],
            _ => &[ALL],
        };
        let group = r.alder.filter(|_| has_strata).map(age_group);
        let m = months.entry((&r.region, &r.period)).or_default();
        for s in sexes {
            for a in group.iter().copied().chain([ALL]) {
                m.cols.entry((s, a)).or_default().add(r, sc);
            }
        }
        if let Some(st) = std_stratum(r) {
            m.strata.entry(st.clone()).or_default().add(r, sc);
        }
        if let Some(sub) = r.sub.as_deref() {
            let g = sub_months.entry((&r.region, &r.period, sub)).or_default();
            g.cols.entry((ALL, ALL)).or_default().add(r, sc);
            if let Some(st) = std_stratum(r) {
                g.strata.entry(st).or_default().add(r, sc);
            }
        }
    }
    // 2. Every area and period a month counts in (`placement`).
    // (area, period, kon, agegroup) -> sums, including Sweden and "alla".
    let mut cells: BTreeMap<(String, String, String, String), Sums> = BTreeMap::new();
    let mut strata: StrataByCell = BTreeMap::new();
    let months = months
        .iter()
        .map(|((region, month), g)| (placement.cells(region, month, None), g));
    let subs = sub_months
        .iter()
        .map(|((region, month, sub), g)| (placement.cells(region, month, Some(sub)), g));
    for (targets, g) in months.chain(subs) {
        for (area, period) in targets {
            for ((s, a), sums) in &g.cols {
                cells
                    .entry((
                        area.clone(),
                        period.clone(),
                        (*s).to_owned(),
                        (*a).to_owned(),
                    ))
                    .or_default()
                    .merge(sums);
            }
            let st = strata.entry((area, period)).or_default();
            for (k, sums) in &g.strata {
                st.entry(k.clone()).or_default().merge(sums);
            }
        }
    }
    let deliveries = delivery_index(
        snapshot,
        spec.source.as_str(),
        uses_population(&spec.definition),
    );
    // Regions that have the period whole but no case: a zero total (with their
    // sjukvårdsregion's and Sweden's), and so have the sub-areas seen in them.
    let total = |area: &str, period: &str| {
        (
            area.to_owned(),
            period.to_owned(),
            ALL.to_owned(),
            ALL.to_owned(),
        )
    };
    for (region, period) in placement.regional_periods() {
        let Ok(area) = Area::parse(region) else {
            continue;
        };
        for a in [Some(area.clone()), area.parent(), Some(Area::Sweden)]
            .into_iter()
            .flatten()
        {
            cells.entry(total(&a.to_string(), period)).or_default();
        }
    }
    let subs: BTreeSet<String> = cells
        .keys()
        .filter(|k| level_of(&k.0) > Level::Region)
        .map(|k| k.0.clone())
        .collect();
    for sub in subs {
        let Ok(area) = Area::parse(&sub) else {
            continue;
        };
        let Some(region) = area.region() else {
            continue;
        };
        let kinds = spec.dimensions.kinds_at(area.level());
        let periods: Vec<String> = cells
            .keys()
            .filter(|k| k.0 == region.as_str() && k.2 == ALL && k.3 == ALL)
            .map(|k| k.1.clone())
            .filter(|p| ReportPeriod::parse(p).is_ok_and(|p| kinds.contains(&p.kind())))
            .collect();
        for p in periods {
            cells.entry(total(&sub, &p)).or_default();
        }
    }
    let dir = direction(spec.direction);
    let scale = spec.unit.scale();
    let method = method(spec);
    // Region totals first: their standardisation and test inputs, and per period the regions'
    // dispersion around Sweden, which the flags of that period take into account.
    let mut totals: BTreeMap<(String, String), (Standardised, Option<TestInput>)> = BTreeMap::new();
    for ((region, period, kon, age), s) in &cells {
        if kon != ALL || age != ALL {
            continue;
        }
        let national = cells.get(&(SWEDEN.to_owned(), period.clone(), kon.clone(), age.clone()));
        let std = standardise(
            spec,
            strata.get(&(region.clone(), period.clone())),
            strata.get(&(SWEDEN.to_owned(), period.clone())),
            sc,
        );
        let input = (region != SWEDEN)
            .then(|| test_input(spec, s, national, &std, sc))
            .flatten();
        totals.insert((region.clone(), period.clone()), (std, input));
    }
    // Dispersion per level and period: the areas of one level are compared with each other.
    let mut inputs_by_period: BTreeMap<(Level, &str), Vec<TestInput>> = BTreeMap::new();
    for ((area, period), (_, input)) in &totals {
        if let Some(input) = input {
            inputs_by_period
                .entry((level_of(area), period))
                .or_default()
                .push(*input);
        }
    }
    let dispersion_by_period: BTreeMap<(Level, &str), Option<(f64, usize)>> = inputs_by_period
        .iter()
        .map(|(p, inputs)| (*p, dispersion(inputs)))
        .collect();
    let mut out = Vec::with_capacity(cells.len());
    for ((region, period, kon, age), s) in &cells {
        let national = cells.get(&(SWEDEN.to_owned(), period.clone(), kon.clone(), age.clone()));
        let value = s.ratio(sc).map(|v| v * scale);
        let ci = crude_interval(spec, s, sc);
        let national_value = national.and_then(|n| n.ratio(sc)).map(|v| v * scale);
        let is_total = kon == ALL && age == ALL;
        let (std, input) = if is_total {
            totals
                .get(&(region.clone(), period.clone()))
                .copied()
                .unwrap_or_default()
        } else {
            (Standardised::default(), None)
        };
        let od = dispersion_by_period
            .get(&(level_of(region), period.as_str()))
            .copied()
            .flatten();
        let flags = input.and_then(|i| flag(i, od.map(|d| d.0), dir));
        let row_method = if flags.is_some() {
            format!("{method}{}", dispersion_note(od))
        } else {
            method.clone()
        };
        let shown = std.value.or(value);
        let shown_ci = std.ci.or(ci);
        let meets_target = spec.target.as_ref().zip(shown).map(|(t, v)| {
            let (lower, upper) = shown_ci.unwrap_or((v, v));
            let est = Estimate {
                value: v,
                lower,
                upper,
            };
            stats::compare_with_target(est, t.value, dir).meets
        });
        out.push(ResultRow {
            indicator: spec.id.clone(),
            spec_version: spec.version.clone(),
            spec_hash: recipe.hash.clone(),
            region: region.clone(),
            period: period.clone(),
            kon: kon.clone(),
            aldersgrupp: age.clone(),
            numerator: s.numerator(sc),
            denominator: s.denominator(sc),
            cases: s.c as f64,
            value,
            lower: ci.map(|c| c.0),
            upper: ci.map(|c| c.1),
            standardised: std.value,
            standardised_lower: std.ci.map(|c| c.0),
            standardised_upper: std.ci.map(|c| c.1),
            expected: std.expected,
            national_value,
            flags,
            meets_target,
            deliveries: deliveries_of(&deliveries, region, period),
            method: row_method,
        });
    }
    out
}

/// 95 % interval of a crude value, in the indicator's unit, by the kind of value.
fn crude_interval(spec: &IndicatorSpec, s: &Sums, sc: Scales) -> Option<(f64, f64)> {
    if s.d <= 0 || spec.ci == CiMethod::None {
        return None;
    }
    let conf = Confidence::P95;
    let scale = spec.unit.scale();
    let (num, den) = (s.numerator(sc), s.denominator(sc));
    match spec.unit.crude_ci() {
        CiMethod::Wilson => stats::wilson(whole(num), whole(den), conf)
            .ok()
            .map(|i| (i.lower * scale, i.upper * scale)),
        CiMethod::PoissonExact => {
            let i = stats::garwood(whole(num), conf);
            Some((i.lower / den * scale, i.upper / den * scale))
        }
        CiMethod::T => {
            let n = whole(den);
            let mean = num / den;
            let var = ((s.ss - den * mean * mean) / (den - 1.0)).max(0.0);
            stats::t_interval(n, mean, var.sqrt(), conf)
                .ok()
                .map(|m| (m.estimate.lower, m.estimate.upper))
        }
        CiMethod::None => None,
    }
}

/// A region total's standardisation.
#[derive(Debug, Default, Clone, Copy, PartialEq)]
struct Standardised {
    value: Option<f64>,
    ci: Option<(f64, f64)>,
    /// Observed events over the strata Sweden has (counts only).
    observed: Option<u64>,
    /// Expected events at Sweden's stratum rates (counts only).
    expected: Option<f64>,
}

/// Standardise a region's total to Sweden's strata of the same period.
fn standardise(
    spec: &IndicatorSpec,
    region: Option<&BTreeMap<(String, i64), Sums>>,
    sweden: Option<&BTreeMap<(String, i64), Sums>>,
    sc: Scales,
) -> Standardised {
    let mut out = Standardised::default();
    if spec.standardisation == Standardisation::None {
        return out;
    }
    let (Some(region), Some(sweden)) = (region, sweden) else {
        return out;
    };
    // Sweden's strata with a denominator: the standard.
    let standard: Vec<(&(String, i64), &Sums)> = sweden.iter().filter(|(_, s)| s.d > 0).collect();
    if standard.is_empty() {
        return out;
    }
    let unit = spec.unit;
    let scale = unit.scale();
    let empty = Sums::default();
    let own = |k: &(String, i64)| region.get(k).unwrap_or(&empty);
    if unit.counts_events() {
        // O and E over the same strata: Σ over regions of E = Sweden's O.
        let observed: f64 = standard.iter().map(|(k, _)| own(k).numerator(sc)).sum();
        let expected: f64 = standard
            .iter()
            .map(|(k, w)| own(k).denominator(sc) * w.numerator(sc) / w.denominator(sc))
            .sum();
        out.observed = Some(whole(observed));
        out.expected = Some(expected);
    }
    match spec.standardisation {
        Standardisation::None => {}
        Standardisation::DirectAgeSex => {
            // Every stratum of the standard must have a denominator in the region.
            if standard.iter().any(|(k, _)| own(k).d <= 0) {
                return out;
            }
            let total: f64 = standard.iter().map(|(_, w)| w.denominator(sc)).sum();
            let value = standard
                .iter()
                .map(|(k, w)| {
                    w.denominator(sc) / total * own(k).numerator(sc) / own(k).denominator(sc)
                })
                .sum::<f64>();
            out.value = Some(value * scale);
            if unit.counts_events() {
                let dsr: Vec<DsrStratum> = standard
                    .iter()
                    .map(|(k, w)| DsrStratum {
                        events: whole(own(k).numerator(sc)),
                        population: own(k).denominator(sc),
                        standard: w.denominator(sc),
                    })
                    .collect();
                out.ci = stats::Dsr::compute(&dsr)
                    .ok()
                    .and_then(|d| d.interval(Confidence::P95, DsrMethod::DobsonByar).ok())
                    .map(|i| (i.lower * scale, i.upper * scale));
            }
        }
        Standardisation::IndirectAgeSex => {
            let (Some(o), Some(e)) = (out.observed, out.expected) else {
                return out;
            };
            let x: f64 = standard.iter().map(|(_, w)| w.numerator(sc)).sum();
            let n: f64 = standard.iter().map(|(_, w)| w.denominator(sc)).sum();
            if e <= 0.0 {
                return out;
            }
            let reference = x / n;
            let value = o as f64 / e * reference;
            let g = stats::garwood(o, Confidence::P95);
            let (mut lo, mut hi) = (g.lower / e * reference, g.upper / e * reference);
            if unit == Unit::Proportion {
                // A share above 1 is not a share: the method cannot support the value.
                if value > 1.0 {
                    return out;
                }
                // The share lies in [0, 1]: the interval is intersected with it.
                lo = lo.clamp(0.0, 1.0);
                hi = hi.clamp(0.0, 1.0);
            }
            out.value = Some(value * scale);
            out.ci = Some((lo * scale, hi * scale));
        }
    }
    out
}

/// What a region's total is tested with against Sweden.
#[derive(Debug, Clone, Copy, PartialEq)]
enum TestInput {
    /// `x` of `n` against Sweden's share `theta` (binomial).
    Proportion { x: u64, n: u64, theta: f64 },
    /// `o` events against `e` expected at Sweden's rates (Poisson).
    Count { o: u64, e: f64 },
}

/// The exact test's input for a region's total, if the indicator has a flag and the test is
/// defined (see [`method`]).
fn test_input(
    spec: &IndicatorSpec,
    s: &Sums,
    national: Option<&Sums>,
    std: &Standardised,
    sc: Scales,
) -> Option<TestInput> {
    if s.d <= 0 {
        return None;
    }
    if spec.standardisation != Standardisation::None && spec.unit.counts_events() {
        // Observed vs expected at Sweden's stratum rates.
        let (o, e) = (std.observed?, std.expected?);
        return (e > 0.0).then_some(TestInput::Count { o, e });
    }
    let national = national.filter(|n| n.d > 0)?;
    let theta = national.numerator(sc) / national.denominator(sc);
    let (x, n) = (s.numerator(sc), s.denominator(sc));
    match spec.unit {
        Unit::Proportion => Some(TestInput::Proportion {
            x: whole(x),
            n: whole(n),
            theta,
        }),
        Unit::Per100 | Unit::Per1000 | Unit::Per100000 if theta > 0.0 => Some(TestInput::Count {
            o: whole(x),
            e: theta * n,
        }),
        _ => None,
    }
}

/// Smallest number of regions from which a dispersion ratio is estimated.
const MIN_REGIONS_FOR_DISPERSION: usize = 5;

/// Spiegelhalter's dispersion ratio φ of one period's region totals around Sweden (`methods.md`
/// §3.4: z-scores on the natural scale, Winsorised 10 % per tail), used only when `I·φ` exceeds
/// the 95 % point of χ² with I − 1 degrees of freedom; otherwise the binomial/Poisson model
/// stands (`None`). Returns φ and the number of regions.
fn dispersion(inputs: &[TestInput]) -> Option<(f64, usize)> {
    if inputs.len() < MIN_REGIONS_FOR_DISPERSION {
        return None;
    }
    let fit = match inputs[0] {
        TestInput::Proportion { theta, .. } => {
            let units: Vec<stats::OdUnit> = inputs
                .iter()
                .filter_map(|t| match *t {
                    TestInput::Proportion { x, n, .. } if n > 0 => Some(stats::OdUnit {
                        numerator: x as f64,
                        denominator: n as f64,
                    }),
                    _ => None,
                })
                .collect();
            stats::NaturalOverdispersion::fit(&units, stats::NaturalScale::Proportion, theta, 0.1)
        }
        TestInput::Count { .. } => {
            let units: Vec<stats::OdUnit> = inputs
                .iter()
                .filter_map(|t| match *t {
                    TestInput::Count { o, e } if e > 0.0 => Some(stats::OdUnit {
                        numerator: o as f64,
                        denominator: e,
                    }),
                    _ => None,
                })
                .collect();
            stats::NaturalOverdispersion::fit(&units, stats::NaturalScale::Ratio, 1.0, 0.1)
        }
    }
    .ok()?;
    let i = fit.z.len();
    (i >= MIN_REGIONS_FOR_DISPERSION && fit.is_overdispersed(0.95, (i - 1) as f64))
        .then_some((fit.phi, i))
}

/// "Significantly better/worse than Sweden" for a region's total, by an exact test on the
/// counts, or on effective counts (÷ φ) when the period's regions are overdispersed.
fn flag(input: TestInput, phi: Option<f64>, dir: stats::Direction) -> Option<Flags> {
    let phi = phi.unwrap_or(1.0);
    let tails = match input {
        TestInput::Proportion { x, n, theta } => {
            stats::binomial_tails_overdispersed(x, n, theta, phi)
        }
        TestInput::Count { o, e } => stats::poisson_tails_overdispersed(o, e, phi),
    };
    tails
        .ok()
        .map(|t| Flags::from(stats::flags_from_tails(t, dir)))
}

/// The per-period note on overdispersion appended to the method of a flagged row.
fn dispersion_note(d: Option<(f64, usize)>) -> String {
    match d {
        Some((phi, i)) => format!(
            "; overdispersion: phi={phi} over {i} regions (Winsorised 10 %, chi2 test at 95 %), \
             the exact test on counts / phi"
        ),
        None => {
            "; overdispersion: none detected (chi2 test at 95 %, or under 5 regions)".to_owned()
        }
    }
}

/// The methods of a recipe's values, in words a reviewer can check (stored with every row).
pub fn method(spec: &IndicatorSpec) -> String {
    let ci = match spec.ci {
        CiMethod::Wilson => "ci=wilson_95",
        CiMethod::PoissonExact => "ci=garwood_95(O)/denominator",
        CiMethod::T => "ci=student_t_95",
        CiMethod::None => "ci=none",
    };
    let strata = "strata=sex×10-year bands, reference=Sweden same month";
    let standardised = match spec.standardisation {
        Standardisation::None => "standardised=none".to_owned(),
        Standardisation::DirectAgeSex => format!(
            "standardised=direct_age_sex({strata}, weights=Sweden's denominators, every stratum \
             required; ci={})",
            if spec.unit.counts_events() {
                "dobson_byar_95"
            } else {
                "none"
            }
        ),
        Standardisation::IndirectAgeSex => format!(
            "standardised=indirect_age_sex({strata}, E=Σ n_s×Sweden's rate_s, value=O/E×Sweden's \
             value, ci=garwood_95(O)/E×Sweden's value{})",
            if spec.unit == Unit::Proportion {
                " within [0,1]"
            } else {
                ""
            }
        ),
    };
    let test = "one-sided α/2 at 95 % and 99.8 %";
    let flag = if spec.standardisation != Standardisation::None && spec.unit.counts_events() {
        format!("flag=exact_poisson(O vs E, {test})")
    } else {
        match spec.unit {
            Unit::Proportion => format!("flag=exact_binomial(x of n vs Sweden's share, {test})"),
            Unit::Per100 | Unit::Per1000 | Unit::Per100000 => {
                format!("flag=exact_poisson(O vs Sweden's rate × denominator, {test})")
            }
            Unit::Mean | Unit::Ratio | Unit::PerInhabitant => "flag=none".to_owned(),
        }
    };
    let follow_up = spec.definition.follow_up().map_or(String::new(), |f| {
        format!(
            "; follow_up={} days after the month ({})",
            f.days,
            match f.source {
                FollowUpSource::SameRegion => "same region's deliveries",
                FollowUpSource::PopulationRegister => "population register",
            }
        )
    });
    format!("{ci}; {standardised}; {flag}{follow_up}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::indicator::builtin;

    fn row(period: &str, numerator: f64, denominator: f64) -> FineRow {
        FineRow {
            region: "01".into(),
            period: period.into(),
            sub: None,
            kon: None,
            alder: None,
            numerator,
            denominator,
            sumsq: 0.0,
            cases: 1.0,
        }
    }

    /// Decimal sums are exact: many KPP costs sum to the exact decimal sum to the öre (a float
    /// running sum drifts in the last digits).
    #[test]
    fn decimal_sums_are_exact_to_the_ore() {
        let sc = Scales::of(&builtin()["vardkostnad_per_invanare"].spec.definition);
        assert_eq!(sc.numerator, 100.0);
        let mut sums = Sums::default();
        let mut exact_ore: i128 = 0;
        for i in 0..200_000u64 {
            // Costs up to 5 million kronor, as the query returns them (the nearest double to k/100).
            let ore = 1 + (i * 7_919 * 104_729) % 500_000_000;
            sums.add(&row("2024-01", ore as f64 / 100.0, 1.0), sc);
            exact_ore += i128::from(ore);
        }
        assert_eq!(sums.n, exact_ore);
        let exact = exact_ore as f64 / 100.0;
        assert_eq!(
            sums.numerator(sc),
            exact,
            "the nearest double to the exact sum"
        );
        // Where a float running sum drifts (ten costs of 0,10 kr), the exact sum does not.
        let mut sums = Sums::default();
        let mut float = 0.0f64;
        for _ in 0..10 {
            sums.add(&row("2024-01", 0.1, 1.0), sc);
            float += 0.1;
        }
        assert_ne!(
            float, 1.0,
            "a float running sum drifts (the test is meaningful)"
        );
        assert_eq!(sums.numerator(sc), 1.0);
    }

    #[test]
    fn every_recipe_states_its_methods() {
        let m = method(&builtin()["ami_30d_dodlighet"].spec);
        assert!(m.contains("ci=wilson_95"), "{m}");
        assert!(m.contains("standardised=indirect_age_sex"), "{m}");
        assert!(m.contains("flag=exact_poisson"), "{m}");
        assert!(m.contains("follow_up=30 days"), "{m}");
        let m = method(&builtin()["hoftfraktur_op_24h"].spec);
        assert!(
            m.contains("flag=exact_binomial") && !m.contains("follow_up"),
            "{m}"
        );
        let m = method(&builtin()["aterinskrivning_30d_65"].spec);
        assert!(m.contains("follow_up=60 days"), "{m}");
    }

    fn strata(cells: &[((&str, i64), f64, f64)]) -> BTreeMap<(String, i64), Sums> {
        cells
            .iter()
            .map(|&((k, b), n, d)| {
                (
                    (k.to_owned(), b),
                    Sums {
                        n: n as i128,
                        d: d as i128,
                        ss: 0.0,
                        c: d as i128,
                    },
                )
            })
            .collect()
    }

    /// Direct standardisation needs every stratum of the standard; indirect works with any and
    /// uses Sweden's stratum rates for every region.
    #[test]
    fn standardised_values_use_one_standard() {
        let sc = Scales {
            numerator: 1.0,
            denominator: 1.0,
        };
        let sweden = strata(&[(("1", 5), 10.0, 100.0), (("2", 7), 30.0, 100.0)]);
        let partial = strata(&[(("1", 5), 2.0, 10.0)]);
        let full = strata(&[(("1", 5), 2.0, 10.0), (("2", 7), 3.0, 10.0)]);
        let direct = &builtin()["vardtillfallen_per_1000"].spec;
        assert_eq!(direct.standardisation, Standardisation::DirectAgeSex);
        assert_eq!(
            standardise(direct, Some(&partial), Some(&sweden), sc).value,
            None
        );
        let v = standardise(direct, Some(&full), Some(&sweden), sc);
        // (½ · 0.2 + ½ · 0.3) × 1000.
        assert!((v.value.unwrap() - 250.0).abs() < 1e-9);
        let ami = &builtin()["ami_30d_dodlighet"].spec;
        let v = standardise(ami, Some(&partial), Some(&sweden), sc);
        // E = 10 × 0.1 = 1; O = 2; Sweden's share 40/200 = 0.2: 2/1 × 0.2.
        assert_eq!(v.expected, Some(1.0));
        assert!((v.value.unwrap() - 0.4).abs() < 1e-12);
        let (lo, hi) = v.ci.unwrap();
        assert!((0.0..0.4).contains(&lo) && 0.4 < hi && hi <= 1.0);
        // 1 death in 1 low-risk case: the share would exceed 1 — not published.
        let tiny = strata(&[(("1", 5), 1.0, 1.0)]);
        assert_eq!(standardise(ami, Some(&tiny), Some(&sweden), sc).value, None);
    }
}
