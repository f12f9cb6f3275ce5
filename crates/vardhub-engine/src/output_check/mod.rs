//! Automatic output checking (utdatagranskning) of results a researcher wants to take out of
//! the hub.
//!
//! A research project works on microdata inside the hub; what leaves is an *output*: a table of
//! cells, each with a label (the cell's definition, e.g. `Region Skåne; I21; 2023`), a count of
//! persons and, for magnitude tables (cost, days), the cell's total and its largest individual
//! contributions. Before a human output checker decides, [`OutputChecker::check`] runs three
//! rules on every cell and gives each cell a machine verdict with reasons a checker can read:
//!
//! 1. **Small cell** (`small_cell`, ACRO's *threshold rule*): a count `1 ≤ c < min_count` is
//!    flagged; 0 is not. `min_count` is the disclosure policy's count rule
//!    ([`crate::disclosure::CountRule::min_count`]); there is no second constant.
//! 2. **Dominance** (`dominance`, the *(n, k) rule*): the `n` largest contributions to a cell's
//!    magnitude are more than `k` of its total. Defaults in [`NkRule::defaults`].
//! 3. **Differencing** (`differencing`): a cell with the same label as a cell of one of the
//!    project's earlier approved outputs, whose count differs from it by `1 … min_count − 1` in
//!    either direction: subtracting the two reveals a group of that many persons. The flag names
//!    the earlier output.
//!
//! **The machine never approves.** [`MachineVerdict`] has only [`MachineVerdict::Pass`] (no rule
//! flagged anything) and [`MachineVerdict::ReviewRequired`]; both go to the human checker, who
//! alone can approve a release of the output. The report's fields are private, so a verdict can
//! only come from the checks.
//!
//! The rules follow ACRO/SACRO (the `acro` package on PyPI, `acro/default.yaml`), which checks a
//! threshold rule, an (n, k) rule and a p-ratio rule and reports `pass` or `review`/`fail` for a
//! human to decide. The differencing check against the project's earlier outputs is this hub's
//! own addition.

use std::collections::HashSet;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::disclosure::DisclosurePolicy;

/// Errors in what was submitted for checking, or in the checker's rules.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum OutputCheckError {
    /// A dominance rule is unusable.
    #[error(
        "ogiltig dominansregel (n = {n}, k = {k}) / invalid dominance rule (n = {n}, k = {k}): {reason}"
    )]
    InvalidRule {
        /// The rule's `n`.
        n: usize,
        /// The rule's `k`.
        k: f64,
        /// What is wrong.
        reason: &'static str,
    },
    /// An output has no id (an earlier output must be nameable in a differencing flag).
    #[error("utdata saknar id / an output has no id")]
    EmptyId,
    /// A cell has an empty label.
    #[error(
        "utdata {output}: cell {index} saknar etikett / output {output}: cell {index} has no label"
    )]
    EmptyLabel {
        /// The output's id.
        output: String,
        /// The cell's position.
        index: usize,
    },
    /// Two cells of one output have the same label (differencing would be ambiguous).
    #[error(
        "utdata {output}: etiketten ”{label}” förekommer två gånger / output {output}: the label \"{label}\" occurs twice"
    )]
    DuplicateLabel {
        /// The output's id.
        output: String,
        /// The label.
        label: String,
    },
    /// A cell's magnitude data is inconsistent.
    #[error(
        "utdata {output}, cell ”{label}”: ogiltig storhet / output {output}, cell \"{label}\": invalid magnitude: {reason}"
    )]
    InvalidMagnitude {
        /// The output's id.
        output: String,
        /// The cell's label.
        label: String,
        /// What is wrong.
        reason: &'static str,
    },
}

/// A cell's magnitude (e.g. cost in SEK) with its largest individual contributions, so that
/// dominance can be checked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Magnitude {
    /// The cell's total over all its persons (finite, ≥ 0).
    pub total: f64,
    /// The largest contributions of individual persons, in any order (finite, ≥ 0, summing to at
    /// most `total`): at least as many as the largest `n` of the dominance rules, or all persons
    /// when the cell has fewer; never more than the cell's count.
    pub largest: Vec<f64>,
}

/// One cell of an output.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutputCell {
    /// The cell's definition, e.g. `Region Skåne; I21; 2023`. Cells of different outputs with
    /// the same label are taken to describe the same population (differencing).
    pub label: String,
    /// Number of persons in the cell.
    pub count: u64,
    /// For a magnitude cell: its total and largest contributions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub magnitude: Option<Magnitude>,
}

/// An output a researcher submits, or one the project had approved earlier (same shape).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutputTable {
    /// The output's id within the project (named in differencing flags).
    pub id: String,
    /// Its cells; labels are unique within the output.
    pub cells: Vec<OutputCell>,
}

/// The (n, k) dominance rule: a cell is flagged when its `n` largest contributions are more
/// than the share `k` of its total (strictly more, as ACRO's `agg_nk`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NkRule {
    /// Number of largest contributors (≥ 1).
    pub n: usize,
    /// Share of the cell total, `0 < k < 1`.
    pub k: f64,
}

impl NkRule {
    /// The default rules, (1, 50 %) and (2, 90 %).
    ///
    /// * **(2, 90 %)** is ACRO's shipped default (`acro/default.yaml`: `safe_nk_n: 2`,
    ///   `safe_nk_k: 0.90`): if two persons make up more than 90 % of a cell, either of them can
    ///   subtract their own value from the total and learn the other's almost exactly.
    /// * **(1, 50 %)** is this hub's addition (ACRO has no one-contributor rule and covers a
    ///   single dominant person with its p-ratio rule, `safe_pratio_p: 0.10`, not implemented
    ///   here): when one person is more than half of a cell's total, the published total is
    ///   within a factor of two of that person's own value (e.g. one patient's care costs),
    ///   which anyone who knows the person is in the cell learns.
    ///
    /// Neither threshold is in the disclosure policy file yet; a project can pass its own with
    /// [`OutputChecker::with_dominance`].
    pub fn defaults() -> Vec<NkRule> {
        vec![NkRule { n: 1, k: 0.5 }, NkRule { n: 2, k: 0.9 }]
    }
}

/// The machine's verdict on a cell or an output. There is deliberately no "approved": the
/// machine only says whether its rules flagged something; a human checker decides on release.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MachineVerdict {
    /// No rule flagged anything (the human checker still decides).
    Pass,
    /// At least one rule flagged something; the human checker must review the reasons.
    ReviewRequired,
}

/// Why a rule flagged a cell.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "rule", rename_all = "snake_case")]
pub enum Reason {
    /// The count is `1 ≤ count < min_count`.
    SmallCell {
        /// The cell's count.
        count: u64,
        /// The policy's minimum count.
        min_count: u64,
    },
    /// The `n` largest contributions are `share` of the total, more than `k`.
    Dominance {
        /// The rule's `n`.
        n: usize,
        /// The rule's `k`.
        k: f64,
        /// The share found.
        share: f64,
    },
    /// The count differs from an earlier output's count for the same label by a small number.
    Differencing {
        /// The earlier output's id.
        earlier_output: String,
        /// The count there.
        earlier_count: u64,
        /// The count now.
        count: u64,
        /// The policy's minimum count.
        min_count: u64,
    },
}

impl Reason {
    /// The rule's code: `small_cell`, `dominance` or `differencing`.
    pub fn rule(&self) -> &'static str {
        match self {
            Reason::SmallCell { .. } => "small_cell",
            Reason::Dominance { .. } => "dominance",
            Reason::Differencing { .. } => "differencing",
        }
    }
}

/// A flag raised on one cell: the cell's label and the reason.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Flag {
    /// The cell's label.
    pub cell: String,
    /// Why it was flagged.
    pub reason: Reason,
}

fn pct(share: f64) -> String {
    format!("{:.1} %", share * 100.0)
}

impl Flag {
    /// The reason in Swedish, naming the cell and the rule.
    pub fn message_sv(&self) -> String {
        let (cell, rule) = (&self.cell, self.reason.rule());
        match &self.reason {
            Reason::SmallCell { count, min_count } => format!(
                "Cell ”{cell}”, regel {rule}: antalet {count} ligger mellan 1 och {} (policyns minsta antal är {min_count})",
                min_count - 1
            ),
            Reason::Dominance { n, k, share } => format!(
                "Cell ”{cell}”, regel {rule}: de {n} största bidragen är {} av cellens summa, mer än {}",
                pct(*share),
                pct(*k)
            ),
            Reason::Differencing {
                earlier_output,
                earlier_count,
                count,
                min_count,
            } => format!(
                "Cell ”{cell}”, regel {rule}: antalet {count} skiljer sig med {} från {earlier_count} i tidigare utdata ”{earlier_output}”; skillnaden röjer en grupp under {min_count}",
                count.abs_diff(*earlier_count)
            ),
        }
    }

    /// The reason in English, naming the cell and the rule.
    pub fn message_en(&self) -> String {
        let (cell, rule) = (&self.cell, self.reason.rule());
        match &self.reason {
            Reason::SmallCell { count, min_count } => format!(
                "Cell \"{cell}\", rule {rule}: the count {count} is between 1 and {} (the policy's minimum count is {min_count})",
                min_count - 1
            ),
            Reason::Dominance { n, k, share } => format!(
                "Cell \"{cell}\", rule {rule}: the {n} largest contributions are {} of the cell total, more than {}",
                pct(*share),
                pct(*k)
            ),
            Reason::Differencing {
                earlier_output,
                earlier_count,
                count,
                min_count,
            } => format!(
                "Cell \"{cell}\", rule {rule}: the count {count} differs by {} from {earlier_count} in the earlier output \"{earlier_output}\"; the difference reveals a group under {min_count}",
                count.abs_diff(*earlier_count)
            ),
        }
    }
}

impl fmt::Display for Flag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} / {}", self.message_sv(), self.message_en())
    }
}

/// The machine's result for one cell.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CellCheck {
    label: String,
    flags: Vec<Flag>,
    verdict: MachineVerdict,
}

impl CellCheck {
    /// The cell's label.
    pub fn label(&self) -> &str {
        &self.label
    }

    /// The flags raised (empty when the cell passes).
    pub fn flags(&self) -> &[Flag] {
        &self.flags
    }

    /// [`MachineVerdict::Pass`] exactly when no flag was raised.
    pub fn verdict(&self) -> MachineVerdict {
        self.verdict
    }
}

/// The machine's result for one output, for the human checker: per cell verdicts and reasons,
/// and the thresholds used.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OutputCheckReport {
    output: String,
    policy_id: String,
    policy_version: u32,
    min_count: u64,
    dominance: Vec<NkRule>,
    cells: Vec<CellCheck>,
    verdict: MachineVerdict,
}

impl OutputCheckReport {
    /// The checked output's id.
    pub fn output(&self) -> &str {
        &self.output
    }

    /// Id and version of the disclosure policy whose minimum count was used.
    pub fn policy(&self) -> (&str, u32) {
        (&self.policy_id, self.policy_version)
    }

    /// The minimum count used (the policy's count rule).
    pub fn min_count(&self) -> u64 {
        self.min_count
    }

    /// The dominance rules used.
    pub fn dominance(&self) -> &[NkRule] {
        &self.dominance
    }

    /// One result per cell, in the output's order.
    pub fn cells(&self) -> &[CellCheck] {
        &self.cells
    }

    /// All flags of all cells.
    pub fn flags(&self) -> impl Iterator<Item = &Flag> {
        self.cells.iter().flat_map(|c| c.flags.iter())
    }

    /// [`MachineVerdict::Pass`] only when no cell is flagged; never an approval.
    pub fn verdict(&self) -> MachineVerdict {
        self.verdict
    }
}

/// Runs the automatic checks with the disclosure policy's minimum count and the dominance rules.
#[derive(Debug, Clone, PartialEq)]
pub struct OutputChecker {
    policy_id: String,
    policy_version: u32,
    min_count: u64,
    dominance: Vec<NkRule>,
}

impl OutputChecker {
    /// A checker with `policy`'s minimum count and the default dominance rules
    /// ([`NkRule::defaults`]).
    pub fn new(policy: &DisclosurePolicy) -> OutputChecker {
        OutputChecker {
            policy_id: policy.id().to_owned(),
            policy_version: policy.version(),
            min_count: policy.rules().count.min_count,
            dominance: NkRule::defaults(),
        }
    }

    /// A checker with `policy`'s minimum count and these dominance rules (empty: no dominance
    /// check).
    pub fn with_dominance(
        policy: &DisclosurePolicy,
        dominance: Vec<NkRule>,
    ) -> Result<OutputChecker, OutputCheckError> {
        for r in &dominance {
            let reason = if r.n == 0 {
                "n must be ≥ 1"
            } else if !(r.k > 0.0 && r.k < 1.0) {
                "k must be a share 0 < k < 1"
            } else {
                continue;
            };
            return Err(OutputCheckError::InvalidRule {
                n: r.n,
                k: r.k,
                reason,
            });
        }
        Ok(OutputChecker {
            dominance,
            ..OutputChecker::new(policy)
        })
    }

    /// The minimum count (from the policy).
    pub fn min_count(&self) -> u64 {
        self.min_count
    }

    /// The dominance rules.
    pub fn dominance(&self) -> &[NkRule] {
        &self.dominance
    }

    /// `1 ≤ v < min_count`.
    fn small(&self, v: u64) -> bool {
        v >= 1 && v < self.min_count
    }

    /// Check `output` against the rules and against the project's `earlier` approved outputs.
    pub fn check(
        &self,
        output: &OutputTable,
        earlier: &[OutputTable],
    ) -> Result<OutputCheckReport, OutputCheckError> {
        self.validate(output)?;
        for e in earlier {
            self.validate(e)?;
        }
        let cells = output
            .cells
            .iter()
            .map(|cell| {
                let flags: Vec<Flag> = self
                    .reasons(cell, earlier)
                    .into_iter()
                    .map(|reason| Flag {
                        cell: cell.label.clone(),
                        reason,
                    })
                    .collect();
                CellCheck {
                    label: cell.label.clone(),
                    verdict: verdict_of(flags.is_empty()),
                    flags,
                }
            })
            .collect::<Vec<_>>();
        Ok(OutputCheckReport {
            output: output.id.clone(),
            policy_id: self.policy_id.clone(),
            policy_version: self.policy_version,
            min_count: self.min_count,
            dominance: self.dominance.clone(),
            verdict: verdict_of(cells.iter().all(|c| c.flags.is_empty())),
            cells,
        })
    }

    fn reasons(&self, cell: &OutputCell, earlier: &[OutputTable]) -> Vec<Reason> {
        let mut reasons = Vec::new();
        if self.small(cell.count) {
            reasons.push(Reason::SmallCell {
                count: cell.count,
                min_count: self.min_count,
            });
        }
        if let Some(m) = cell.magnitude.as_ref().filter(|m| m.total > 0.0) {
            let mut largest = m.largest.clone();
            largest.sort_by(|a, b| b.total_cmp(a));
            for r in &self.dominance {
                let share = largest.iter().take(r.n).sum::<f64>() / m.total;
                if share > r.k {
                    reasons.push(Reason::Dominance {
                        n: r.n,
                        k: r.k,
                        share: share.min(1.0),
                    });
                }
            }
        }
        for e in earlier {
            let same = e.cells.iter().find(|c| c.label == cell.label);
            if let Some(c) = same.filter(|c| self.small(c.count.abs_diff(cell.count))) {
                reasons.push(Reason::Differencing {
                    earlier_output: e.id.clone(),
                    earlier_count: c.count,
                    count: cell.count,
                    min_count: self.min_count,
                });
            }
        }
        reasons
    }

    fn validate(&self, t: &OutputTable) -> Result<(), OutputCheckError> {
        if t.id.trim().is_empty() {
            return Err(OutputCheckError::EmptyId);
        }
        let needed = self.dominance.iter().map(|r| r.n).max().unwrap_or(0) as u64;
        let mut seen = HashSet::new();
        for (index, cell) in t.cells.iter().enumerate() {
            if cell.label.trim().is_empty() {
                return Err(OutputCheckError::EmptyLabel {
                    output: t.id.clone(),
                    index,
                });
            }
            if !seen.insert(cell.label.as_str()) {
                return Err(OutputCheckError::DuplicateLabel {
                    output: t.id.clone(),
                    label: cell.label.clone(),
                });
            }
            let Some(m) = &cell.magnitude else { continue };
            let invalid = |reason| {
                Err(OutputCheckError::InvalidMagnitude {
                    output: t.id.clone(),
                    label: cell.label.clone(),
                    reason,
                })
            };
            let ok = |v: f64| v.is_finite() && v >= 0.0;
            if !ok(m.total) || !m.largest.iter().all(|&v| ok(v)) {
                return invalid("values must be finite and ≥ 0");
            }
            if m.largest.iter().sum::<f64>() > m.total * (1.0 + 1e-9) + 1e-9 {
                return invalid("the largest contributions add up to more than the total");
            }
            if m.largest.len() as u64 > cell.count {
                return invalid("more contributions than persons in the cell");
            }
            if cell.count == 0 && m.total > 0.0 {
                return invalid("a total without persons");
            }
            if (m.largest.len() as u64) < needed.min(cell.count) {
                return invalid("too few largest contributions for the dominance rules");
            }
        }
        Ok(())
    }
}

fn verdict_of(clean: bool) -> MachineVerdict {
    if clean {
        MachineVerdict::Pass
    } else {
        MachineVerdict::ReviewRequired
    }
}

#[cfg(test)]
mod tests;
