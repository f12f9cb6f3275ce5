//! Computing indicators over one lake snapshot with DataFusion.
//!
//! 1. The snapshot's files are registered as tables (one listing table per lake table), so every
//!    query of the run reads exactly the same deliveries.
//! 2. Each recipe's query returns its finest grain (region, month, sex, age in years).
//! 3. In Rust, the fine rows are summed into the published strata — each region and Sweden
//!    (`00`) × sex (`1`, `2`, `alla`) × age group (`0-19` … `80+`, `alla`) — so that every
//!    table's margins add up exactly; then values, intervals, standardisation, funnel flags
//!    against Sweden and the target comparison are computed.
//!
//! The output is the *internal* result (unsuppressed). Everything that leaves the hub passes the
//! disclosure policy first (see [`super::publish`]).

use super::spec::{CiMethod, Definition, Direction, Recipe, Standardisation, Unit};
use super::sql;
use datafusion::arrow::array::{Array, AsArray, RecordBatch};
use datafusion::arrow::datatypes::{DataType, Float64Type, Int64Type};
use datafusion::datasource::file_format::parquet::ParquetFormat;
use datafusion::datasource::listing::{
    ListingOptions, ListingTable, ListingTableConfig, ListingTableUrl,
};
use datafusion::prelude::SessionContext;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::{Duration, Instant};
use vardhub_domain::RegionCode;
use vardhub_store::Snapshot;

use crate::stats::{
    self, Confidence, DsrMethod, DsrStratum, Estimate, FunnelFlags, ProportionFunnel, RatioFunnel,
    Significance,
};

/// Errors of a computation run (the operator must act; bad data never gets this far).
#[derive(Debug, thiserror::Error)]
pub enum ComputeError {
    /// DataFusion failed (a bug in a recipe's SQL, or a damaged lake file).
    #[error("beräkningen av {indicator} misslyckades / computing {indicator} failed: {source}")]
    Query {
        /// Indicator id.
        indicator: String,
        /// The error.
        source: datafusion::error::DataFusionError,
    },
    /// A lake table could not be registered.
    #[error("sjötabellen {table} kan inte läsas / lake table {table} cannot be read: {source}")]
    Register {
        /// Table.
        table: String,
        /// The error.
        source: datafusion::error::DataFusionError,
    },
}

/// The sex strata.
pub const SEXES: [&str; 3] = ["1", "2", ALL];
/// The age groups of the published tables.
pub const AGE_GROUPS: [&str; 5] = ["0-19", "20-39", "40-64", "65-79", "80+"];
/// "All" in a stratum.
pub const ALL: &str = "alla";
/// Sweden as a region.
pub const SWEDEN: &str = "00";

/// The age group of an age in years.
pub fn age_group(age: i64) -> &'static str {
    match age {
        i64::MIN..=19 => AGE_GROUPS[0],
        20..=39 => AGE_GROUPS[1],
        40..=64 => AGE_GROUPS[2],
        65..=79 => AGE_GROUPS[3],
        _ => AGE_GROUPS[4],
    }
}

/// One row of a recipe's query.
#[derive(Debug, Clone, PartialEq)]
pub struct FineRow {
    /// Region (two digits).
    pub region: String,
    /// Month.
    pub period: String,
    /// Sex code, if the indicator has one.
    pub kon: Option<String>,
    /// Age in years, if the indicator has one.
    pub alder: Option<i64>,
    /// Numerator (count or sum).
    pub numerator: f64,
    /// Denominator (count or sum).
    pub denominator: f64,
    /// Sum of squares of the per-row value (means only).
    pub sumsq: f64,
    /// Records behind the row (contacts, referrals, events): what disclosure control counts.
    pub cases: f64,
}

/// "Significantly better/worse than Sweden", both levels.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Flags {
    /// At 95 %.
    pub at_95: Significance,
    /// At 99.8 %.
    pub at_998: Significance,
}

impl From<FunnelFlags> for Flags {
    fn from(f: FunnelFlags) -> Flags {
        Flags {
            at_95: f.at_95,
            at_998: f.at_998,
        }
    }
}

/// (indicator, period, region, kon, aldersgrupp): the order results and published values are kept in.
pub type CellKey<'a> = (&'a str, &'a str, &'a str, &'a str, &'a str);

/// One computed (unsuppressed) value.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ResultRow {
    /// Indicator id.
    pub indicator: String,
    /// Recipe version.
    pub spec_version: String,
    /// Recipe content hash.
    pub spec_hash: String,
    /// Region, `00` = Sweden.
    pub region: String,
    /// Month.
    pub period: String,
    /// `1`, `2` or `alla`.
    pub kon: String,
    /// Age group or `alla`.
    pub aldersgrupp: String,
    /// Numerator.
    pub numerator: f64,
    /// Denominator.
    pub denominator: f64,
    /// Records behind the value (what disclosure control counts for means and ratios).
    pub cases: f64,
    /// Crude value in the indicator's unit (None when the denominator is 0).
    pub value: Option<f64>,
    /// Lower confidence limit (95 %).
    pub lower: Option<f64>,
    /// Upper confidence limit (95 %).
    pub upper: Option<f64>,
    /// Age–sex standardised value (region totals of standardised indicators).
    pub standardised: Option<f64>,
    /// Its lower limit.
    pub standardised_lower: Option<f64>,
    /// Its upper limit.
    pub standardised_upper: Option<f64>,
    /// Sweden's value for the same period and stratum.
    pub national_value: Option<f64>,
    /// Funnel classification against Sweden (region totals).
    pub flags: Option<Flags>,
    /// Meets the target (None without a target or value).
    pub meets_target: Option<bool>,
    /// Delivery ids the value was computed from.
    pub deliveries: Vec<String>,
}

impl ResultRow {
    /// The cell this row is for, in result order.
    pub fn cell_key(&self) -> CellKey<'_> {
        (
            &self.indicator,
            &self.period,
            &self.region,
            &self.kon,
            &self.aldersgrupp,
        )
    }
}

/// The result of one run.
#[derive(Debug, Clone)]
pub struct Computed {
    /// All rows, sorted by indicator, period, region, sex, age group.
    pub rows: Vec<ResultRow>,
    /// Per indicator: query time and fine rows.
    pub timings: Vec<(String, Duration, usize)>,
    /// Indicators without data in the snapshot.
    pub without_data: Vec<String>,
}

/// Register the snapshot's files as the lake's tables in a new session.
pub async fn session(
    snapshot: &Snapshot,
) -> Result<(SessionContext, BTreeSet<String>), ComputeError> {
    let ctx = SessionContext::new();
    let mut by_table: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for d in &snapshot.deliveries {
        for f in &d.files {
            by_table
                .entry(f.table.clone())
                .or_default()
                .push(f.path.display().to_string());
        }
    }
    let mut registered = BTreeSet::new();
    for (table, files) in by_table {
        let reg = |source| ComputeError::Register {
            table: table.clone(),
            source,
        };
        let urls = files
            .iter()
            .map(ListingTableUrl::parse)
            .collect::<Result<Vec<_>, _>>()
            .map_err(reg)?;
        let options =
            ListingOptions::new(Arc::new(ParquetFormat::default())).with_file_extension(".parquet");
        let config = ListingTableConfig::new_with_multi_paths(urls)
            .with_listing_options(options)
            .infer_schema(&ctx.state())
            .await
            .map_err(reg)?;
        let provider = ListingTable::try_new(config).map_err(reg)?;
        ctx.register_table(table.as_str(), Arc::new(provider))
            .map_err(reg)?;
        registered.insert(table);
    }
    Ok((ctx, registered))
}

/// Compute `recipes` over `snapshot`.
pub async fn compute(snapshot: &Snapshot, recipes: &[&Recipe]) -> Result<Computed, ComputeError> {
    let (ctx, tables) = session(snapshot).await?;
    let mut rows = Vec::new();
    let mut timings = Vec::new();
    let mut without_data = Vec::new();
    for recipe in recipes {
        let spec = &recipe.spec;
        let needed = sql::tables(&spec.definition);
        if !needed.iter().all(|t| tables.contains(*t)) {
            without_data.push(spec.id.clone());
            continue;
        }
        let t = Instant::now();
        let fine = run_query(&ctx, &spec.id, &sql::query(&spec.definition)).await?;
        timings.push((spec.id.clone(), t.elapsed(), fine.len()));
        rows.extend(aggregate(recipe, &fine, snapshot));
    }
    rows.sort_by(|a, b| a.cell_key().cmp(&b.cell_key()));
    Ok(Computed {
        rows,
        timings,
        without_data,
    })
}

async fn run_query(
    ctx: &SessionContext,
    id: &str,
    query: &str,
) -> Result<Vec<FineRow>, ComputeError> {
    let err = |source| ComputeError::Query {
        indicator: id.to_owned(),
        source,
    };
    let batches: Vec<RecordBatch> = ctx
        .sql(query)
        .await
        .map_err(err)?
        .collect()
        .await
        .map_err(err)?;
    let mut out = Vec::new();
    for b in batches {
        let text = |name: &str| -> Result<_, ComputeError> {
            let col = b.column_by_name(name).ok_or_else(|| {
                err(datafusion::error::DataFusionError::Plan(format!(
                    "missing output column {name}"
                )))
            })?;
            datafusion::arrow::compute::cast(col, &DataType::Utf8).map_err(|e| err(e.into()))
        };
        let num = |name: &str| -> Result<_, ComputeError> {
            let col = b.column_by_name(name).ok_or_else(|| {
                err(datafusion::error::DataFusionError::Plan(format!(
                    "missing output column {name}"
                )))
            })?;
            datafusion::arrow::compute::cast(col, &DataType::Float64).map_err(|e| err(e.into()))
        };
        let region = text("region")?;
        let period = text("period")?;
        let kon = text("kon")?;
        let alder = b
            .column_by_name("alder")
            .map(|c| datafusion::arrow::compute::cast(c, &DataType::Int64))
            .transpose()
            .map_err(|e| err(e.into()))?;
        let n = num("numerator")?;
        let d = num("denominator")?;
        let ss = num("sumsq").ok();
        let cs = num("cases").ok();
        let (region, period, kon) = (
            region.as_string::<i32>(),
            period.as_string::<i32>(),
            kon.as_string::<i32>(),
        );
        let (n, d) = (
            n.as_primitive::<Float64Type>(),
            d.as_primitive::<Float64Type>(),
        );
        for i in 0..b.num_rows() {
            if region.is_null(i) || period.is_null(i) {
                continue;
            }
            out.push(FineRow {
                region: region.value(i).to_owned(),
                period: period.value(i).to_owned(),
                kon: (!kon.is_null(i)).then(|| kon.value(i).to_owned()),
                alder: alder.as_ref().and_then(|a| {
                    let a = a.as_primitive::<Int64Type>();
                    (!a.is_null(i)).then(|| a.value(i))
                }),
                numerator: if n.is_null(i) { 0.0 } else { n.value(i) },
                denominator: if d.is_null(i) { 0.0 } else { d.value(i) },
                sumsq: ss
                    .as_ref()
                    .map(|s| s.as_primitive::<Float64Type>())
                    .filter(|s| !s.is_null(i))
                    .map_or(0.0, |s| s.value(i)),
                cases: cs
                    .as_ref()
                    .map(|s| s.as_primitive::<Float64Type>())
                    .filter(|s| !s.is_null(i))
                    .map_or(if d.is_null(i) { 0.0 } else { d.value(i) }, |s| s.value(i)),
            });
        }
    }
    // One row per grain; a fixed order makes the float sums of the aggregation reproducible.
    out.sort_by(|a, b| {
        (&a.region, &a.period, &a.kon, a.alder).cmp(&(&b.region, &b.period, &b.kon, b.alder))
    });
    Ok(out)
}

#[derive(Debug, Default, Clone, Copy)]
struct Sums {
    n: f64,
    d: f64,
    ss: f64,
    c: f64,
}

impl Sums {
    fn add(&mut self, r: &FineRow) {
        self.n += r.numerator;
        self.d += r.denominator;
        self.ss += r.sumsq;
        self.c += r.cases;
    }
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
    let has_strata = fine.iter().any(|r| r.kon.is_some());
    let valid_region = |r: &str| RegionCode::parse(r).is_ok_and(|c| c.as_str() == r);
    // (region, period, kon, agegroup) -> sums, including Sweden and "alla".
    let mut cells: BTreeMap<(String, String, String, String), Sums> = BTreeMap::new();
    let mut strata: StrataByCell = BTreeMap::new();
    for r in fine.iter().filter(|r| valid_region(&r.region)) {
        let sexes: Vec<&str> = match r.kon.as_deref() {
            Some(k @ ("1" | "2")) if has_strata => vec![k, ALL],
            _ => vec![ALL],
        };
        let ages: Vec<&str> = match r.alder {
            Some(a) if has_strata => vec![age_group(a), ALL],
            _ => vec![ALL],
        };
        for region in [r.region.as_str(), SWEDEN] {
            for s in &sexes {
                for a in &ages {
                    cells
                        .entry((
                            region.to_owned(),
                            r.period.clone(),
                            (*s).to_owned(),
                            (*a).to_owned(),
                        ))
                        .or_default()
                        .add(r);
                }
            }
            if let Some(st) = std_stratum(r) {
                strata
                    .entry((region.to_owned(), r.period.clone()))
                    .or_default()
                    .entry(st)
                    .or_default()
                    .add(r);
            }
        }
    }
    let deliveries = delivery_index(
        snapshot,
        spec.source.as_str(),
        uses_population(&spec.definition),
    );
    let dir = direction(spec.direction);
    let scale = spec.unit.scale();
    let mut out = Vec::with_capacity(cells.len());
    for ((region, period, kon, age), s) in &cells {
        let national = cells.get(&(SWEDEN.to_owned(), period.clone(), kon.clone(), age.clone()));
        let value = (s.d > 0.0).then(|| s.n / s.d * scale);
        let ci = interval(spec.ci, spec.unit, s);
        let national_value = national.filter(|n| n.d > 0.0).map(|n| n.n / n.d * scale);
        let is_total = kon == ALL && age == ALL;
        let (standardised, std_ci) =
            if spec.standardisation == Standardisation::DirectAgeSex && is_total {
                standardise(
                    strata.get(&(region.clone(), period.clone())),
                    strata.get(&(SWEDEN.to_owned(), period.clone())),
                    spec.unit,
                )
            } else {
                (None, None)
            };
        let flags = if is_total && region != SWEDEN {
            funnel(spec, s, national, &strata, region, period, dir)
        } else {
            None
        };
        let shown = standardised.or(value);
        let shown_ci = std_ci.or(ci);
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
            numerator: s.n,
            denominator: s.d,
            cases: s.c,
            value,
            lower: ci.map(|c| c.0),
            upper: ci.map(|c| c.1),
            standardised,
            standardised_lower: std_ci.map(|c| c.0),
            standardised_upper: std_ci.map(|c| c.1),
            national_value,
            flags,
            meets_target,
            deliveries: deliveries
                .get(&(region.clone(), period.clone()))
                .cloned()
                .unwrap_or_default(),
        });
    }
    out
}

fn uses_population(def: &Definition) -> bool {
    matches!(
        def,
        Definition::DeathWithin { .. } | Definition::PerInhabitants { .. }
    )
}

/// (region, period) -> delivery ids of the source collection (and the population extract) used.
fn delivery_index(
    snapshot: &Snapshot,
    source: &str,
    population: bool,
) -> BTreeMap<(String, String), Vec<String>> {
    let mut idx: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
    let population_ids: BTreeMap<&str, &str> = snapshot
        .deliveries
        .iter()
        .filter(|d| d.collection == "befolkning")
        .map(|d| (d.period.as_str(), d.id.as_str()))
        .collect();
    for d in snapshot
        .deliveries
        .iter()
        .filter(|d| d.collection == source)
    {
        for region in [d.region.as_str(), SWEDEN] {
            idx.entry((region.to_owned(), d.period.clone()))
                .or_default()
                .push(d.id.clone());
        }
    }
    for ((_, period), ids) in idx.iter_mut() {
        if population && let Some(p) = population_ids.get(period.as_str()) {
            ids.push((*p).to_owned());
        }
        ids.sort();
        ids.dedup();
    }
    idx
}

/// 95 % interval of a crude value, in the indicator's unit.
fn interval(method: CiMethod, unit: Unit, s: &Sums) -> Option<(f64, f64)> {
    if s.d <= 0.0 {
        return None;
    }
    let conf = Confidence::P95;
    let scale = unit.scale();
    match method {
        CiMethod::Wilson => {
            let (x, n) = (s.n.round() as u64, s.d.round() as u64);
            stats::wilson(x, n, conf)
                .ok()
                .map(|i| (i.lower * scale, i.upper * scale))
        }
        CiMethod::PoissonExact | CiMethod::Dobson => {
            let i = stats::garwood(s.n.round() as u64, conf);
            Some((i.lower / s.d * scale, i.upper / s.d * scale))
        }
        CiMethod::T => {
            let n = s.d.round() as u64;
            let mean = s.n / s.d;
            let var = ((s.ss - s.d * mean * mean) / (s.d - 1.0)).max(0.0);
            stats::t_interval(n, mean, var.sqrt(), conf)
                .ok()
                .map(|m| (m.estimate.lower, m.estimate.upper))
        }
        CiMethod::None => None,
    }
}

/// Direct age–sex standardisation of a region to Sweden's strata of the same period.
fn standardise(
    region: Option<&BTreeMap<(String, i64), Sums>>,
    sweden: Option<&BTreeMap<(String, i64), Sums>>,
    unit: Unit,
) -> (Option<f64>, Option<(f64, f64)>) {
    let (Some(region), Some(sweden)) = (region, sweden) else {
        return (None, None);
    };
    let scale = unit.scale();
    let total_std: f64 = sweden.values().map(|s| s.d).sum();
    if total_std <= 0.0 {
        return (None, None);
    }
    // Value: Σ w_s · n_s / d_s over strata with a denominator in the region.
    let usable: Vec<(&(String, i64), &Sums)> = region.iter().filter(|(_, s)| s.d > 0.0).collect();
    let weight_sum: f64 = usable
        .iter()
        .map(|(k, _)| sweden.get(*k).map_or(0.0, |s| s.d))
        .sum();
    if weight_sum <= 0.0 {
        return (None, None);
    }
    let value = usable
        .iter()
        .map(|(k, s)| sweden.get(*k).map_or(0.0, |w| w.d) / weight_sum * s.n / s.d)
        .sum::<f64>()
        * scale;
    if !unit.counts_events() {
        return (Some(value), None);
    }
    let strata: Vec<DsrStratum> = usable
        .iter()
        .map(|(k, s)| DsrStratum {
            events: s.n.round() as u64,
            population: s.d,
            standard: sweden.get(*k).map_or(0.0, |w| w.d),
        })
        .collect();
    let ci = stats::Dsr::compute(&strata)
        .ok()
        .and_then(|d| d.interval(Confidence::P95, DsrMethod::DobsonByar).ok())
        .map(|i| (i.lower * scale, i.upper * scale));
    (Some(value), ci)
}

/// Funnel classification of a region's total against Sweden.
fn funnel(
    spec: &super::spec::IndicatorSpec,
    s: &Sums,
    national: Option<&Sums>,
    strata: &StrataByCell,
    region: &str,
    period: &str,
    dir: stats::Direction,
) -> Option<Flags> {
    let national = national.filter(|n| n.d > 0.0)?;
    if s.d <= 0.0 {
        return None;
    }
    let theta = national.n / national.d;
    if spec.standardisation == Standardisation::DirectAgeSex && spec.unit.counts_events() {
        // Indirect comparison: observed vs expected from Sweden's stratum rates (SMR funnel).
        let own = strata.get(&(region.to_owned(), period.to_owned()))?;
        let sweden = strata.get(&(SWEDEN.to_owned(), period.to_owned()))?;
        let expected: f64 = own
            .iter()
            .map(|(k, s)| {
                sweden
                    .get(k)
                    .filter(|w| w.d > 0.0)
                    .map_or(0.0, |w| s.d * w.n / w.d)
            })
            .sum();
        return stats::classify_ratio(s.n.round() as u64, expected, dir, RatioFunnel::ExactPoisson)
            .ok()
            .map(Flags::from);
    }
    match spec.unit {
        Unit::Proportion if theta > 0.0 && theta < 1.0 => stats::classify_proportion(
            s.n.round() as u64,
            s.d.round() as u64,
            theta,
            dir,
            ProportionFunnel::ExactBinomial,
        )
        .ok()
        .map(Flags::from),
        Unit::Per100 | Unit::Per1000 | Unit::Per100000 if theta > 0.0 => stats::classify_rate(
            s.n.round() as u64,
            s.d,
            theta,
            dir,
            RatioFunnel::ExactPoisson,
        )
        .ok()
        .map(Flags::from),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn age_groups_cover_all_ages() {
        assert_eq!(age_group(0), "0-19");
        assert_eq!(age_group(19), "0-19");
        assert_eq!(age_group(20), "20-39");
        assert_eq!(age_group(65), "65-79");
        assert_eq!(age_group(104), "80+");
    }
}
