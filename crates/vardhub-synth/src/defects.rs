//! Injected defects: which rows get one, and the record of each in `defects.json`.
//!
//! Every defect leaves its row valid in every other respect, so the hub's validator reports
//! exactly one issue per defect. The rule names are the validator's: `personal_id`,
//! `code_unknown`, `date_order`, `duplicate`, `mojibake` (a warning; the row is kept) and
//! `truncated` (a whole file cut in the middle of a line).
//!
//! Row defects are kept below 90 % of the collection's `max_error_row_share` per table (the hub
//! counts the share per table), so that every delivery but the truncated one is accepted.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::rng::{self, Stream};

/// One injected defect.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct DefectRecord {
    /// Delivery folder name.
    pub delivery: String,
    /// File inside the delivery.
    pub file: String,
    /// File line (header = 1); `null` for a truncated file.
    pub line: Option<u64>,
    /// The variable, if the defect concerns one.
    pub field: Option<String>,
    /// The validator's rule name.
    pub rule: String,
}

/// What is wrong with a row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    PersonalId,
    CodeUnknown,
    DateOrder,
    Mojibake,
}

impl Kind {
    pub fn rule(self) -> &'static str {
        match self {
            Kind::PersonalId => "personal_id",
            Kind::CodeUnknown => "code_unknown",
            Kind::DateOrder => "date_order",
            Kind::Mojibake => "mojibake",
        }
    }
}

/// The defects planned for one delivery.
#[derive(Debug, Default)]
pub(crate) struct Plan {
    /// Main table (kontakter / arenden / personer): row index → defect.
    pub main: BTreeMap<usize, Kind>,
    /// Second table (diagnoser): row index → defect.
    pub second: BTreeMap<usize, Kind>,
    /// Duplicates: after main row index → source rows copied there.
    pub dup_after: BTreeMap<usize, Vec<usize>>,
    /// Source rows of duplicates.
    pub dup_src: BTreeSet<usize>,
}

/// A count with expectation `x` (floor plus a chance for the fraction).
pub(crate) fn stochastic_round(rng: &mut Stream, x: f64) -> usize {
    x.floor() as usize + usize::from(rng::chance(rng, x.fract()))
}

/// Number of row defects (errors) and warnings for a delivery of `rows` rows.
pub(crate) fn budget(
    rng: &mut Stream,
    rate: f64,
    rows: usize,
    max_error_share: f64,
) -> (usize, usize) {
    if rate <= 0.0 || rows == 0 {
        return (0, 0);
    }
    let total = stochastic_round(rng, rate * rows as f64);
    let warnings = (0..total).filter(|_| rng::chance(rng, 0.12)).count();
    ((total - warnings).min(cap(rows, max_error_share)), warnings)
}

/// How many rows of a table of `rows` may get an error: below 90 % of the error share the hub
/// accepts, which it counts per table.
pub(crate) fn cap(rows: usize, max_error_share: f64) -> usize {
    (0.9 * max_error_share * rows as f64).floor() as usize
}

/// Pick an unused row satisfying `ok` (up to 40 tries).
pub(crate) fn pick_row(
    rng: &mut Stream,
    n: usize,
    used: &BTreeSet<usize>,
    ok: impl Fn(usize) -> bool,
) -> Option<usize> {
    if n == 0 {
        return None;
    }
    for _ in 0..40 {
        let r = rng::range(rng, 0, n as i64) as usize;
        if !used.contains(&r) && ok(r) {
            return Some(r);
        }
    }
    None
}
