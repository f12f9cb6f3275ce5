//! Disclosure control: one policy, applied in one place.
//!
//! ```text
//!  policies/disclosure.toml ──parse──► DisclosurePolicy ──apply(&Table)──► PublishedTable
//!                                                        └─apply_internal─► (PublishedTable, InternalTable)
//! ```
//!
//! * [`DisclosurePolicy`]: the rules as data (minimum counts, proportion rules, statistical
//!   floors, secondary suppression, statuses with Swedish and English labels), versioned,
//!   embedded as the default ([`DisclosurePolicy::default_public`]) and loadable from a path.
//! * [`Table`]: cells ([`CellInput`]: values of a count, proportion, rate, standardised rate or
//!   ratio, or mean; or "no data"/"not applicable") plus additive [`Margin`]s
//!   (`total = Σ parts`), which make two-way (region × sex) and hierarchical tables.
//! * [`DisclosurePolicy::apply`]: primary suppression by the rules, then secondary suppression
//!   until an exact audit shows that no hidden count, denominator or `n − x` can be recovered or
//!   narrowed below the policy's protection interval from the published cells, the margins, the
//!   statuses and the selection order (see `audit.rs` for the intruder model);
//!   [`DisclosurePolicy::apply_with`] also protects against insiders who know their own cells and
//!   against differencing with earlier releases ([`Knowledge`]).
//!
//! **Invariant:** a [`PublishedTable`] holds values only for cells whose status is published
//! (`ok`, `zero`); its fields are private and it is only built here. Unsuppressed values exist
//! only in [`InternalTable`], for authorised roles.

mod audit;
mod knowledge;
mod policy;
mod suppress;
mod table;

use serde::{Deserialize, Serialize};

pub use knowledge::{EarlierRelease, Knowledge};
pub use policy::{
    AnalysisRules, AttributeRule, CandidateRule, CountRule, DEFAULT_POLICY_TOML, DerivedRule,
    DisclosurePolicy, ProportionRule, Rules, SecondaryRule, StatusText, Statuses, Text,
};
pub use table::{CellId, CellInput, CellKind, CellValues, GridIds, Margin, Table};

use crate::stats::Interval;

/// The status of a published cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// The value is shown.
    Ok,
    /// The value is shown and is zero.
    Zero,
    /// Hidden by a primary rule (too few cases, or below a statistical floor).
    HiddenSmall,
    /// Hidden so that other hidden values cannot be recovered from the margins. In a table of
    /// almost only tiny cells, where telling small and secondary cells apart would itself
    /// reveal values, *every* hidden cell carries this status (the table has no
    /// `hidden_small` cell then).
    HiddenSecondary,
    /// Nothing was delivered: the region has not delivered the source collection for the period.
    NoData,
    /// Not meaningful for this cell (e.g. a value without a denominator, or a sex the indicator
    /// excludes).
    NotApplicable,
    /// Delivered, but the cell has no case (an empty denominator: no value can be computed).
    /// Set by the indicator publication for delivered regions; the disclosure policy sees such
    /// a cell as not applicable (it contributes 0 to every margin, like `zero`, and reveals no
    /// more than `not_applicable` did).
    NoCases,
}

impl Status {
    /// All statuses.
    pub const ALL: [Status; 7] = [
        Status::Ok,
        Status::Zero,
        Status::HiddenSmall,
        Status::HiddenSecondary,
        Status::NoData,
        Status::NotApplicable,
        Status::NoCases,
    ];

    /// The snake_case code (as serialised).
    pub fn code(self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::Zero => "zero",
            Status::HiddenSmall => "hidden_small",
            Status::HiddenSecondary => "hidden_secondary",
            Status::NoData => "no_data",
            Status::NotApplicable => "not_applicable",
            Status::NoCases => "no_cases",
        }
    }

    /// Swedish label (the shipped policy file uses the same wording).
    pub fn label_sv(self) -> &'static str {
        match self {
            Status::Ok => "Uppgiften redovisas",
            Status::Zero => "Värdet är noll",
            Status::HiddenSmall => "Dold – för få fall",
            Status::HiddenSecondary => "Dold – skyddar andra dolda uppgifter",
            Status::NoData => "Uppgift saknas – inga data levererade",
            Status::NotApplicable => "Ej tillämpligt",
            Status::NoCases => "Inga fall",
        }
    }

    /// English label.
    pub fn label_en(self) -> &'static str {
        match self {
            Status::Ok => "Value shown",
            Status::Zero => "Value is zero",
            Status::HiddenSmall => "Hidden – too few cases",
            Status::HiddenSecondary => "Hidden – protects other hidden values",
            Status::NoData => "No data – nothing delivered",
            Status::NotApplicable => "Not applicable",
            Status::NoCases => "No cases",
        }
    }

    /// Whether values are shown (`ok`, `zero`).
    pub fn is_published(self) -> bool {
        matches!(self, Status::Ok | Status::Zero)
    }

    /// Whether a value exists but is withheld (`hidden_small`, `hidden_secondary`).
    pub fn is_hidden(self) -> bool {
        matches!(self, Status::HiddenSmall | Status::HiddenSecondary)
    }
}

/// Errors of the disclosure module, by who must act: the policy author (`Policy*`), the caller
/// building tables (`Invalid*`, `MarginMismatch`), or nobody can (`Unprotectable`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DisclosureError {
    /// The policy file is not valid TOML or has unknown/missing fields.
    #[error("röjandepolicyn kan inte läsas / the disclosure policy cannot be parsed: {0}")]
    PolicyParse(String),
    /// The policy parses but its rules are unusable.
    #[error("röjandepolicyn är ogiltig / the disclosure policy is invalid: {0}")]
    PolicyInvalid(String),
    /// The policy file cannot be read.
    #[error("kan inte läsa {path} / cannot read {path}: {message}")]
    PolicyIo {
        /// The path.
        path: String,
        /// The I/O error.
        message: String,
    },
    /// A cell's values are inconsistent.
    #[error("ogiltig cell {cell:?} / invalid cell {cell:?}: {reason}")]
    InvalidCell {
        /// The cell index, if known.
        cell: Option<usize>,
        /// What is wrong.
        reason: &'static str,
    },
    /// A margin is malformed.
    #[error("ogiltig marginal {margin} / invalid margin {margin}: {reason}")]
    InvalidMargin {
        /// The margin index.
        margin: usize,
        /// What is wrong.
        reason: &'static str,
    },
    /// The table's shape is unusable.
    #[error("ogiltig tabell / invalid table: {0}")]
    InvalidTable(&'static str),
    /// A margin does not add up.
    #[error(
        "marginal {margin} summerar inte ({dimension}: summa {total}, delar {parts}) / margin {margin} does not add up ({dimension}: total {total}, parts {parts})"
    )]
    MarginMismatch {
        /// The margin index.
        margin: usize,
        /// `count` or `denominator`.
        dimension: &'static str,
        /// The total's value.
        total: u64,
        /// The sum of the parts.
        parts: u64,
    },
    /// No further cell can be hidden and the statuses are coarsened, yet a hidden value is still
    /// recoverable (not expected for one-way, two-way or hierarchical tables; possible with an
    /// exhausted search budget).
    #[error("cell {cell} kan inte skyddas / cell {cell} cannot be protected")]
    Unprotectable {
        /// The cell index.
        cell: usize,
    },
}

/// What is shown of a published cell: only for statuses `ok` and `zero`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct PublishedValues {
    count: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    denominator: Option<u64>,
    value: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    interval: Option<Interval>,
}

impl PublishedValues {
    /// The count (numerator, events, observations).
    pub fn count(&self) -> u64 {
        self.count
    }

    /// The denominator of a proportion.
    pub fn denominator(&self) -> Option<u64> {
        self.denominator
    }

    /// The value.
    pub fn value(&self) -> f64 {
        self.value
    }

    /// The confidence interval.
    pub fn interval(&self) -> Option<Interval> {
        self.interval
    }
}

/// One cell as published.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct PublishedCell {
    status: Status,
    #[serde(skip_serializing_if = "Option::is_none")]
    kind: Option<CellKind>,
    #[serde(flatten)]
    values: Option<PublishedValues>,
}

impl PublishedCell {
    /// The status.
    pub fn status(&self) -> Status {
        self.status
    }

    /// The kind of cell (known for hidden cells too; `None` for no data / not applicable input).
    pub fn kind(&self) -> Option<CellKind> {
        self.kind
    }

    /// The values — `Some` exactly when the status is published.
    pub fn values(&self) -> Option<&PublishedValues> {
        self.values.as_ref()
    }
}

/// A table after the policy: statuses for all cells, values only where published.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PublishedTable {
    policy_id: String,
    policy_version: u32,
    cells: Vec<PublishedCell>,
    margins: Vec<Margin>,
    /// Whether the attribute rule applied (the indicator's outcome is sensitive).
    attribute_sensitive: bool,
}

impl PublishedTable {
    /// Id of the policy applied.
    pub fn policy_id(&self) -> &str {
        &self.policy_id
    }

    /// Version of the policy applied.
    pub fn policy_version(&self) -> u32 {
        self.policy_version
    }

    /// The cells, in the order of the input table.
    pub fn cells(&self) -> &[PublishedCell] {
        &self.cells
    }

    /// The table's margins (its structure is public).
    pub fn margins(&self) -> &[Margin] {
        &self.margins
    }

    /// Whether the policy's attribute rule applied to the table's proportions.
    pub fn attribute_sensitive(&self) -> bool {
        self.attribute_sensitive
    }
}

/// The unsuppressed table with the statuses the public sees — **for authorised roles only**;
/// never pass it to a public output.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InternalTable {
    /// The input table, unchanged.
    pub table: Table,
    /// The status of every cell in the published version.
    pub statuses: Vec<Status>,
}

impl DisclosurePolicy {
    /// Apply the policy to a table: the one place every published aggregate passes through.
    pub fn apply(&self, table: &Table) -> Result<PublishedTable, DisclosureError> {
        Ok(self.apply_internal(table)?.0)
    }

    /// Apply the policy and also return the unsuppressed view for authorised roles.
    pub fn apply_internal(
        &self,
        table: &Table,
    ) -> Result<(PublishedTable, InternalTable), DisclosureError> {
        self.apply_with(table, &Knowledge::default())
    }

    /// Apply the policy so that the publication also withstands what `knowledge` adds: insiders
    /// who know their own cells, and earlier releases of the same table.
    pub fn apply_with(
        &self,
        table: &Table,
        knowledge: &Knowledge,
    ) -> Result<(PublishedTable, InternalTable), DisclosureError> {
        let statuses = suppress::decide(self, table, knowledge)?;
        let cells = table
            .cells()
            .iter()
            .zip(&statuses)
            .map(|(input, &status)| {
                let v = input.values();
                PublishedCell {
                    status,
                    kind: v.map(|v| v.kind),
                    values: v
                        .filter(|_| status.is_published())
                        .map(|v| PublishedValues {
                            count: v.count,
                            denominator: v.denominator,
                            value: v.value,
                            interval: v.interval,
                        }),
                }
            })
            .collect();
        let published = PublishedTable {
            policy_id: self.id().to_owned(),
            policy_version: self.version(),
            cells,
            margins: table.margins().to_vec(),
            attribute_sensitive: table.attribute_sensitive(),
        };
        Ok((
            published,
            InternalTable {
                table: table.clone(),
                statuses,
            },
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_serialise_as_snake_case_with_labels() {
        for s in Status::ALL {
            assert_eq!(
                serde_json::to_string(&s).unwrap(),
                format!("\"{}\"", s.code())
            );
            assert!(!s.label_sv().is_empty() && !s.label_en().is_empty());
            assert!(!(s.is_hidden() && s.is_published()));
        }
        let back: Status = serde_json::from_str("\"hidden_secondary\"").unwrap();
        assert_eq!(back, Status::HiddenSecondary);
    }

    #[test]
    fn hidden_values_are_not_serialised() {
        let c = CellInput::count;
        let (t, _, _) = Table::one_way(vec![c(3), c(40)], c(43));
        let published = DisclosurePolicy::default_public().apply(&t).unwrap();
        let json = serde_json::to_string(&published).unwrap();
        assert!(json.contains("\"policy_id\":\"vardhub-public\""));
        let cells = serde_json::to_string(published.cells()).unwrap();
        assert!(!cells.contains(":3,") && !cells.contains(":40,") && !cells.contains(":3}"));
        assert!(cells.contains("\"count\":43"));
    }
}
