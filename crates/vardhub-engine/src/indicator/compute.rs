//! Computing indicators over one lake snapshot with DataFusion.
//!
//! 1. The snapshot's files are registered as tables (one listing table per collection and lake
//!    table, [`super::lake`]), so every query of the run reads exactly the same deliveries.
//! 2. Each recipe's query returns its finest grain (region, month, sex, age in years).
//! 3. In Rust, the fine rows are summed into the published strata — each region and Sweden
//!    (`00`) × sex (`1`, `2`, `alla`) × age group (`0-19` … `80+`, `alla`) — so that every
//!    table's margins add up exactly; then values, intervals, standardisation, flags against
//!    Sweden and the target comparison are computed (see [`super::aggregate`]).
//!
//! The output is the *internal* result (unsuppressed). Everything that leaves the hub passes the
//! disclosure policy first (see [`super::publish`]).

use super::aggregate::aggregate;
use super::reach::{Change, Scope};
use super::spec::Recipe;
use super::sql;
use datafusion::arrow::array::{Array, AsArray, RecordBatch};
use datafusion::arrow::datatypes::{DataType, Float64Type, Int64Type};
use datafusion::prelude::SessionContext;
use serde::Serialize;
use std::collections::BTreeMap;
use std::time::{Duration, Instant};
use vardhub_store::Snapshot;

use crate::stats::{FunnelFlags, Significance};

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
    /// The sub-area below the region (kommun of residence, hospital, `hospital/unit`), when the
    /// recipe publishes one.
    pub sub: Option<String>,
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
    /// Age–sex standardised value (region totals of standardised indicators; see `method`).
    pub standardised: Option<f64>,
    /// Its lower limit.
    pub standardised_lower: Option<f64>,
    /// Its upper limit.
    pub standardised_upper: Option<f64>,
    /// Expected count at Sweden's stratum rates, `E = Σ_s n_s R_s` (region totals of
    /// standardised indicators that count events): the denominator of the indirect comparison.
    pub expected: Option<f64>,
    /// Sweden's value for the same period and stratum.
    pub national_value: Option<f64>,
    /// "Significantly better/worse than Sweden" by an exact test (region totals; see `method`).
    pub flags: Option<Flags>,
    /// Meets the target (None without a target or value).
    pub meets_target: Option<bool>,
    /// Delivery ids the value was computed from.
    pub deliveries: Vec<String>,
    /// The methods behind the value, its interval, the standardised value and the flag
    /// (e.g. `ci=wilson; standardised=indirect_age_sex(…); flag=exact_poisson(…)`).
    pub method: String,
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
    /// Per computed indicator, its fine rows (what a later run can start from; see [`Prior`]).
    pub fine: Vec<(String, Vec<FineRow>)>,
    /// Indicators of which only the rows the changes can alter were queried.
    pub partly_queried: Vec<String>,
}

/// What an earlier run of the same recipes computed, and what changed since: a run given a
/// prior queries only the fine rows the changes can alter ([`Scope`]) and keeps the others.
#[derive(Debug, Clone, Default)]
pub struct Prior {
    /// Per indicator, the fine rows of the earlier run (computed with the same recipe; an
    /// indicator not here is queried in full).
    pub fine: BTreeMap<String, Vec<FineRow>>,
    /// The delivered tables that differ between the earlier run's snapshot and this one.
    pub changes: Vec<Change>,
}

pub use super::lake::session;

/// Compute `recipes` over `snapshot`.
pub async fn compute(snapshot: &Snapshot, recipes: &[&Recipe]) -> Result<Computed, ComputeError> {
    compute_after(snapshot, recipes, &Prior::default()).await
}

/// Compute `recipes` over `snapshot`, starting from `prior`: per indicator with prior fine rows,
/// only the rows the changes can alter are queried again, on the deliveries they need, and
/// merged with the rest. Aggregation always covers every row. The result equals
/// [`compute`]'s (tested in `tests/indicators`).
pub async fn compute_after(
    snapshot: &Snapshot,
    recipes: &[&Recipe],
    prior: &Prior,
) -> Result<Computed, ComputeError> {
    let names = super::lake::table_names(snapshot);
    let mut whole: Option<SessionContext> = None;
    let mut out = Computed {
        rows: Vec::new(),
        timings: Vec::new(),
        without_data: Vec::new(),
        fine: Vec::new(),
        partly_queried: Vec::new(),
    };
    for recipe in recipes {
        let spec = &recipe.spec;
        if !sql::tables(&spec.definition)
            .iter()
            .all(|t| names.contains(*t))
        {
            out.without_data.push(spec.id.clone());
            continue;
        }
        let t = Instant::now();
        let query = sql::query(&spec.definition, spec.dimensions.sub_area());
        let before = prior.fine.get(&spec.id);
        let scope = Scope::of(&spec.definition, &prior.changes);
        let partly = match before {
            Some(before) if scope.is_empty() => Some(before.clone()),
            Some(before) if !scope.is_everything() => query_scope(snapshot, recipe, &query, &scope)
                .await
                .map(|fresh| merge(before, fresh, &scope)),
            _ => None,
        };
        let fine = match partly {
            Some(fine) => {
                out.partly_queried.push(spec.id.clone());
                fine
            }
            None => {
                if whole.is_none() {
                    whole = Some(session(snapshot).await?.0);
                }
                let ctx = whole.as_ref().expect("just opened");
                run_query(ctx, &spec.id, &query).await?
            }
        };
        out.timings.push((spec.id.clone(), t.elapsed(), fine.len()));
        out.rows.extend(aggregate(recipe, &fine, snapshot));
        out.fine.push((spec.id.clone(), fine));
    }
    out.rows.sort_by(|a, b| a.cell_key().cmp(&b.cell_key()));
    Ok(out)
}

/// The fine rows `scope` covers, queried on the deliveries they need; `None` when that cannot be
/// done on part of the lake (a table with no needed file, a column only other files have): the
/// caller then queries everything.
async fn query_scope(
    snapshot: &Snapshot,
    recipe: &Recipe,
    query: &str,
    scope: &Scope,
) -> Option<Vec<FineRow>> {
    let def = &recipe.spec.definition;
    let (ctx, names) = super::lake::session_where(snapshot, |table, d| {
        scope.needs(def, table, &d.region, &d.period)
    })
    .await
    .ok()?;
    if !sql::tables(def).iter().all(|t| names.contains(*t)) {
        return None;
    }
    let rows = run_query(&ctx, &recipe.spec.id, query).await.ok()?;
    Some(
        rows.into_iter()
            .filter(|r| scope.covers(&r.region, &r.period))
            .collect(),
    )
}

/// The rows of `before` that `scope` does not cover, with `fresh`, in query order.
fn merge(before: &[FineRow], fresh: Vec<FineRow>, scope: &Scope) -> Vec<FineRow> {
    let mut rows: Vec<FineRow> = before
        .iter()
        .filter(|r| !scope.covers(&r.region, &r.period))
        .cloned()
        .chain(fresh)
        .collect();
    in_query_order(&mut rows);
    rows
}

/// One row per grain; a fixed order makes the float sums of the aggregation reproducible.
fn in_query_order(rows: &mut [FineRow]) {
    rows.sort_by(|a, b| {
        (&a.region, &a.period, &a.sub, &a.kon, a.alder)
            .cmp(&(&b.region, &b.period, &b.sub, &b.kon, b.alder))
    });
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
        let sub = b
            .column_by_name("sub")
            .map(|c| datafusion::arrow::compute::cast(c, &DataType::Utf8))
            .transpose()
            .map_err(|e| err(e.into()))?;
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
                sub: sub.as_ref().and_then(|c| {
                    let c = c.as_string::<i32>();
                    (!c.is_null(i) && !c.value(i).is_empty()).then(|| c.value(i).to_owned())
                }),
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
    in_query_order(&mut out);
    Ok(out)
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
