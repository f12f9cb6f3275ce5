//! Tables of cells with additive margins — the unit the disclosure policy is applied to.
//!
//! A [`Table`] is a list of cells plus a list of [`Margin`]s, each the linear constraint
//! "total = sum of parts" over the cells' counts (and, for proportions, over their denominators;
//! then also over `n − x`). A region × sex table has one margin per row and per column; a
//! hierarchical table (regions → sjukvårdsregioner → Sweden) has one margin per level. Tables
//! that share cells must be passed as *one* table carrying all their margins, since protection is
//! computed per table.

use serde::{Deserialize, Serialize};

use super::DisclosureError;
use crate::stats::Interval;

/// What a cell holds; decides which primary rule applies and which quantities are protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CellKind {
    /// A count (`count` is the value).
    Count,
    /// A proportion `count / denominator`.
    Proportion,
    /// A crude rate; `count` is the number of events.
    Rate,
    /// A directly standardised rate; `count` is the total number of events.
    StandardisedRate,
    /// A standardised ratio O/E; `count` is O.
    StandardisedRatio,
    /// A mean; `count` is the number of observations.
    Mean,
}

impl CellKind {
    /// All kinds.
    pub const ALL: [CellKind; 6] = [
        CellKind::Count,
        CellKind::Proportion,
        CellKind::Rate,
        CellKind::StandardisedRate,
        CellKind::StandardisedRatio,
        CellKind::Mean,
    ];

    /// The snake_case code used in files.
    pub fn code(self) -> &'static str {
        match self {
            CellKind::Count => "count",
            CellKind::Proportion => "proportion",
            CellKind::Rate => "rate",
            CellKind::StandardisedRate => "standardised_rate",
            CellKind::StandardisedRatio => "standardised_ratio",
            CellKind::Mean => "mean",
        }
    }
}

/// The values of a cell. `count` (and `denominator` for proportions) are the protected
/// quantities; `value` and `interval` are what is displayed.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct CellValues {
    /// Kind of cell.
    pub kind: CellKind,
    /// Numerator / events / observations.
    pub count: u64,
    /// Denominator of a proportion (`None` for every other kind).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub denominator: Option<u64>,
    /// The displayed value (the count itself for [`CellKind::Count`]).
    pub value: f64,
    /// Its confidence interval, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interval: Option<Interval>,
}

impl CellValues {
    /// A count.
    pub fn count(count: u64) -> CellValues {
        CellValues {
            kind: CellKind::Count,
            count,
            denominator: None,
            value: count as f64,
            interval: None,
        }
    }

    /// A proportion `x/n` (value `x/n`, or 0 when n = 0). Errors if x > n.
    pub fn proportion(
        x: u64,
        n: u64,
        interval: Option<Interval>,
    ) -> Result<CellValues, DisclosureError> {
        if x > n {
            return Err(DisclosureError::InvalidCell {
                cell: None,
                reason: "numerator > denominator",
            });
        }
        let value = if n == 0 { 0.0 } else { x as f64 / n as f64 };
        Ok(CellValues {
            kind: CellKind::Proportion,
            count: x,
            denominator: Some(n),
            value,
            interval,
        })
    }

    /// A crude rate on `events` events.
    pub fn rate(events: u64, value: f64, interval: Option<Interval>) -> CellValues {
        CellValues {
            kind: CellKind::Rate,
            count: events,
            denominator: None,
            value,
            interval,
        }
    }

    /// A directly standardised rate on `events` events.
    pub fn standardised_rate(events: u64, value: f64, interval: Option<Interval>) -> CellValues {
        CellValues {
            kind: CellKind::StandardisedRate,
            count: events,
            denominator: None,
            value,
            interval,
        }
    }

    /// A standardised ratio O/E with `observed` = O.
    pub fn standardised_ratio(observed: u64, value: f64, interval: Option<Interval>) -> CellValues {
        CellValues {
            kind: CellKind::StandardisedRatio,
            count: observed,
            denominator: None,
            value,
            interval,
        }
    }

    /// A mean over `n` observations.
    pub fn mean(n: u64, value: f64, interval: Option<Interval>) -> CellValues {
        CellValues {
            kind: CellKind::Mean,
            count: n,
            denominator: None,
            value,
            interval,
        }
    }

    /// `n − x` for a proportion.
    pub fn complement(&self) -> Option<u64> {
        self.denominator.map(|n| n.saturating_sub(self.count))
    }
}

/// A cell as computed, before the policy is applied.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CellInput {
    /// Computed values.
    Values(CellValues),
    /// Nothing was delivered for this cell (contributes 0 to its margins).
    NoData,
    /// The cell is not meaningful, e.g. men for a women-only indicator (contributes 0).
    NotApplicable,
}

impl CellInput {
    /// A count cell.
    pub fn count(c: u64) -> CellInput {
        CellInput::Values(CellValues::count(c))
    }

    /// A proportion cell (value x/n, no interval). Errors if x > n.
    pub fn proportion(x: u64, n: u64) -> Result<CellInput, DisclosureError> {
        Ok(CellInput::Values(CellValues::proportion(x, n, None)?))
    }

    /// The values, if any.
    pub fn values(&self) -> Option<&CellValues> {
        match self {
            CellInput::Values(v) => Some(v),
            CellInput::NoData | CellInput::NotApplicable => None,
        }
    }

    /// The count it contributes to margins (0 for no data / not applicable).
    pub(crate) fn count_or_zero(&self) -> u64 {
        self.values().map_or(0, |v| v.count)
    }

    /// The denominator it contributes to margins (0 for no data / not applicable).
    pub(crate) fn denominator_or_zero(&self) -> u64 {
        self.values().and_then(|v| v.denominator).unwrap_or(0)
    }
}

/// Index of a cell in its [`Table`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct CellId(pub usize);

/// The constraint `total = Σ parts` over counts (and denominators of proportions).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Margin {
    /// The total cell.
    pub total: CellId,
    /// The part cells.
    pub parts: Vec<CellId>,
}

impl Margin {
    /// Total and parts.
    pub fn members(&self) -> impl Iterator<Item = CellId> + '_ {
        std::iter::once(self.total).chain(self.parts.iter().copied())
    }
}

/// Cells plus additive margins.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Table {
    cells: Vec<CellInput>,
    margins: Vec<Margin>,
    /// Whether the table's proportions are of a sensitive outcome (the policy's attribute rule).
    #[serde(default)]
    attribute_sensitive: bool,
}

/// The ids of a grid built by [`Table::grid`]: `ids[r][c]`; the last row and column are totals.
pub type GridIds = Vec<Vec<CellId>>;

impl Table {
    /// An empty table.
    pub fn new() -> Table {
        Table::default()
    }

    /// Add a cell; returns its id.
    pub fn add_cell(&mut self, cell: CellInput) -> CellId {
        self.cells.push(cell);
        CellId(self.cells.len() - 1)
    }

    /// Add the margin `total = Σ parts`. The table is validated as a whole by
    /// [`Table::validate`] (called by the policy before anything else).
    pub fn add_margin(&mut self, total: CellId, parts: Vec<CellId>) {
        self.margins.push(Margin { total, parts });
    }

    /// Mark the table's proportions as shares of a sensitive outcome (death, readmission), so
    /// that the policy's attribute rule applies to them.
    pub fn set_attribute_sensitive(&mut self, sensitive: bool) {
        self.attribute_sensitive = sensitive;
    }

    /// Whether the policy's attribute rule applies.
    pub fn attribute_sensitive(&self) -> bool {
        self.attribute_sensitive
    }

    /// The cells.
    pub fn cells(&self) -> &[CellInput] {
        &self.cells
    }

    /// The margins.
    pub fn margins(&self) -> &[Margin] {
        &self.margins
    }

    /// A one-way table: parts and their total (e.g. women, men, both sexes).
    pub fn one_way(parts: Vec<CellInput>, total: CellInput) -> (Table, Vec<CellId>, CellId) {
        let mut t = Table::new();
        let ids: Vec<CellId> = parts.into_iter().map(|c| t.add_cell(c)).collect();
        let tot = t.add_cell(total);
        t.add_margin(tot, ids.clone());
        (t, ids, tot)
    }

    /// A two-way table with both margins, e.g. regions × sex: `rows[r][c]`, where the last row
    /// holds the column totals (Sweden) and the last column the row totals (both sexes).
    /// Errors unless all rows have the same length ≥ 2 and there are ≥ 2 rows.
    pub fn grid(rows: Vec<Vec<CellInput>>) -> Result<(Table, GridIds), DisclosureError> {
        let width = rows.first().map_or(0, Vec::len);
        if rows.len() < 2 || width < 2 || rows.iter().any(|r| r.len() != width) {
            return Err(DisclosureError::InvalidTable(
                "a grid needs ≥ 2 rows of equal length ≥ 2",
            ));
        }
        let mut t = Table::new();
        let ids: GridIds = rows
            .into_iter()
            .map(|r| r.into_iter().map(|c| t.add_cell(c)).collect())
            .collect();
        let (last_r, last_c) = (ids.len() - 1, width - 1);
        for row in &ids {
            t.add_margin(row[last_c], row[..last_c].to_vec());
        }
        for c in 0..width {
            t.add_margin(ids[last_r][c], ids[..last_r].iter().map(|r| r[c]).collect());
        }
        Ok((t, ids))
    }

    /// Check ids, margin shapes and that every margin adds up exactly, in counts and — when its
    /// cells are proportions — in denominators.
    pub fn validate(&self) -> Result<(), DisclosureError> {
        for (i, c) in self.cells.iter().enumerate() {
            if let Some(v) = c.values() {
                let bad = |reason| {
                    Err(DisclosureError::InvalidCell {
                        cell: Some(i),
                        reason,
                    })
                };
                match (v.kind, v.denominator) {
                    (CellKind::Proportion, None) => return bad("a proportion needs a denominator"),
                    (CellKind::Proportion, Some(n)) if v.count > n => {
                        return bad("numerator > denominator");
                    }
                    (CellKind::Proportion, Some(_)) => {}
                    (_, Some(_)) => return bad("only proportions have a denominator"),
                    (_, None) => {}
                }
                // A value that is never shown (empty denominator, no observations) may be NaN.
                let undefined = match v.kind {
                    CellKind::Proportion => v.denominator == Some(0),
                    CellKind::Mean => v.count == 0,
                    _ => false,
                };
                if !v.value.is_finite() && !undefined {
                    return bad("value is not finite");
                }
            }
        }
        for (m, margin) in self.margins.iter().enumerate() {
            if margin.parts.is_empty() {
                return Err(DisclosureError::InvalidMargin {
                    margin: m,
                    reason: "no parts",
                });
            }
            let mut seen = std::collections::BTreeSet::new();
            for id in margin.members() {
                if id.0 >= self.cells.len() {
                    return Err(DisclosureError::InvalidMargin {
                        margin: m,
                        reason: "unknown cell",
                    });
                }
                if !seen.insert(id) {
                    return Err(DisclosureError::InvalidMargin {
                        margin: m,
                        reason: "a cell appears twice",
                    });
                }
            }
            let kinds: Vec<CellKind> = margin
                .members()
                .filter_map(|id| self.cells[id.0].values().map(|v| v.kind))
                .collect();
            let proportions = kinds.iter().filter(|&&k| k == CellKind::Proportion).count();
            if proportions != 0 && proportions != kinds.len() {
                return Err(DisclosureError::InvalidMargin {
                    margin: m,
                    reason: "proportions mixed with other kinds",
                });
            }
            let sum = |f: &dyn Fn(&CellInput) -> u64| -> (u64, u64) {
                let parts = margin.parts.iter().map(|p| f(&self.cells[p.0])).sum();
                (f(&self.cells[margin.total.0]), parts)
            };
            let (total, parts) = sum(&CellInput::count_or_zero);
            if total != parts {
                return Err(DisclosureError::MarginMismatch {
                    margin: m,
                    dimension: "count",
                    total,
                    parts,
                });
            }
            let (total, parts) = sum(&CellInput::denominator_or_zero);
            if total != parts {
                return Err(DisclosureError::MarginMismatch {
                    margin: m,
                    dimension: "denominator",
                    total,
                    parts,
                });
            }
        }
        Ok(())
    }

    /// Whether the margins over denominators apply to `margin` (its cells are proportions).
    pub(crate) fn margin_has_denominators(&self, margin: &Margin) -> bool {
        margin.members().any(|id| {
            self.cells[id.0]
                .values()
                .is_some_and(|v| v.kind == CellKind::Proportion)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grid_builds_row_and_column_margins() {
        let c = CellInput::count;
        let (t, ids) = Table::grid(vec![
            vec![c(1), c(2), c(3)],
            vec![c(4), c(5), c(9)],
            vec![c(5), c(7), c(12)],
        ])
        .unwrap();
        assert_eq!(t.margins().len(), 2 + 3 + 1);
        assert_eq!(
            t.margins()[0],
            Margin {
                total: ids[0][2],
                parts: vec![ids[0][0], ids[0][1]]
            }
        );
        assert_eq!(
            t.margins()[3],
            Margin {
                total: ids[2][0],
                parts: vec![ids[0][0], ids[1][0]]
            }
        );
        t.validate().unwrap();
    }

    #[test]
    fn validation_catches_inconsistent_tables() {
        let c = CellInput::count;
        let (t, _, _) = Table::one_way(vec![c(1), c(2)], c(4));
        assert!(matches!(
            t.validate(),
            Err(DisclosureError::MarginMismatch { .. })
        ));
        let (t, _, _) = Table::one_way(vec![c(1), CellInput::NoData], c(1));
        t.validate().unwrap();
        let p = |x, n| CellInput::proportion(x, n).unwrap();
        let (t, _, _) = Table::one_way(vec![p(1, 10), p(2, 10)], p(3, 21));
        assert!(matches!(
            t.validate(),
            Err(DisclosureError::MarginMismatch {
                dimension: "denominator",
                ..
            })
        ));
        let (t, _, _) = Table::one_way(vec![p(1, 10), c(2)], p(3, 20));
        assert!(matches!(
            t.validate(),
            Err(DisclosureError::InvalidMargin { .. })
        ));
        let mut t = Table::new();
        let a = t.add_cell(c(1));
        t.add_margin(a, vec![a]);
        assert!(t.validate().is_err());
        t.add_margin(CellId(7), vec![a]);
        assert!(t.validate().is_err());
        assert!(Table::grid(vec![vec![c(1)]]).is_err());
        let nan = |n| CellInput::Values(CellValues::mean(n, f64::NAN, None));
        let (t, _, _) = Table::one_way(vec![nan(0), CellInput::NoData], nan(0));
        t.validate().unwrap();
        let (t, _, _) = Table::one_way(vec![nan(3)], nan(3));
        assert!(matches!(
            t.validate(),
            Err(DisclosureError::InvalidCell { cell: Some(0), .. })
        ));
        assert!(CellInput::proportion(3, 2).is_err());
    }
}
