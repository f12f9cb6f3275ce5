//! The disclosure policy as data: `policies/disclosure.toml`.

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::table::{CellKind, CellValues};
use super::{DisclosureError, Status};

/// The policy file shipped in the repository, embedded as the default.
pub const DEFAULT_POLICY_TOML: &str = include_str!("../../../../policies/disclosure.toml");

/// A text in Swedish and English.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Text {
    /// Swedish.
    pub sv: String,
    /// English.
    pub en: String,
}

/// Rule for counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CountRule {
    /// Counts `1 ≤ c < min_count` are hidden.
    pub min_count: u64,
}

/// Rule for proportions x/n.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProportionRule {
    /// Hidden when `1 ≤ x < min_numerator`.
    pub min_numerator: u64,
    /// Hidden when `1 ≤ n < min_denominator`.
    pub min_denominator: u64,
    /// Hidden when `1 ≤ n − x < min_complement`.
    pub min_complement: u64,
}

/// Rule for values derived from a count: rates, standardised rates and ratios, means.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DerivedRule {
    /// Hidden when the underlying count is `1 ≤ c < min_count` (disclosure).
    pub min_count: u64,
    /// Hidden when the underlying count is `c < statistical_floor`, including 0 (statistics:
    /// e.g. no DSR for fewer than 10 events).
    pub statistical_floor: u64,
}

/// The primary rules, one per kind of cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rules {
    /// Counts.
    pub count: CountRule,
    /// Proportions.
    pub proportion: ProportionRule,
    /// Crude rates.
    pub rate: DerivedRule,
    /// Directly standardised rates.
    pub standardised_rate: DerivedRule,
    /// Standardised ratios (SMR).
    pub standardised_ratio: DerivedRule,
    /// Means.
    pub mean: DerivedRule,
}

/// How secondary cells are chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CandidateRule {
    /// The smallest non-zero visible part of the margin (then zero parts, then the total).
    SmallestNonzeroPart,
}

/// Secondary suppression settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SecondaryRule {
    /// Whether secondary suppression runs (off only for internal, non-public policies).
    pub enabled: bool,
    /// How the next cell to hide is chosen.
    pub candidate: CandidateRule,
    /// Search budget of the audit per question; exhausting it counts as "recoverable".
    pub max_search_nodes: u64,
    /// Protection interval (as τ-ARGUS's protection levels): the values of a hidden quantity
    /// consistent with everything an intruder knows must span at least this width (`hi − lo`),
    /// or the whole span its status allows when that is narrower (1–4 for a count under 5).
    pub protection_width: u64,
}

/// Attribute disclosure: shares of 0 % or 100 % that tell something about *every* patient of a
/// small group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AttributeRule {
    /// Building blocks of indicators whose outcome is sensitive for the person (death,
    /// readmission): their proportions of 0 % or 100 % are hidden in small groups.
    pub sensitive_blocks: Vec<String>,
    /// A share of 0 % or 100 % of such an indicator is hidden when `1 ≤ n <` this.
    pub all_or_none_min_denominator: u64,
}

impl AttributeRule {
    /// Whether indicators built on `block` have a sensitive outcome.
    pub fn is_sensitive(&self, block: &str) -> bool {
        self.sensitive_blocks.iter().any(|b| b == block)
    }
}

/// Presentation of one status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatusText {
    /// Whether cells with this status show their values (must match [`Status::is_published`]).
    pub published: bool,
    /// Symbol for tables and CSV.
    pub symbol: String,
    /// Swedish label.
    pub sv: String,
    /// English label.
    pub en: String,
}

/// The seven statuses; the file must describe exactly these.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Statuses {
    /// [`Status::Ok`].
    pub ok: StatusText,
    /// [`Status::Zero`].
    pub zero: StatusText,
    /// [`Status::HiddenSmall`].
    pub hidden_small: StatusText,
    /// [`Status::HiddenSecondary`].
    pub hidden_secondary: StatusText,
    /// [`Status::NoData`].
    pub no_data: StatusText,
    /// [`Status::NoCases`].
    pub no_cases: StatusText,
    /// [`Status::NotApplicable`].
    pub not_applicable: StatusText,
}

impl Statuses {
    /// The text of `status`.
    pub fn get(&self, status: Status) -> &StatusText {
        match status {
            Status::Ok => &self.ok,
            Status::Zero => &self.zero,
            Status::HiddenSmall => &self.hidden_small,
            Status::HiddenSecondary => &self.hidden_secondary,
            Status::NoData => &self.no_data,
            Status::NoCases => &self.no_cases,
            Status::NotApplicable => &self.not_applicable,
        }
    }
}

/// A disclosure policy: id, version, description, the rules as data, the statuses.
///
/// Obtained only by parsing (which validates), so a value of this type is a usable policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DisclosurePolicy {
    id: String,
    version: u32,
    description: Text,
    rules: Rules,
    attribute: AttributeRule,
    secondary: SecondaryRule,
    statuses: Statuses,
    /// Rules for patient-level analyses (version 4; a policy without them gets the defaults).
    #[serde(default)]
    analysis: AnalysisRules,
}

/// Disclosure rules for the outputs of patient-level analyses (care chains, time to event,
/// paths, costs). Each protects one thing; ARCHITECTURE.md says why.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AnalysisRules {
    /// A cohort or a count of patients `1 ≤ c <` this is hidden (as counts).
    pub min_patients: u64,
    /// A quantile of a time is shown only with at least this many patients on each side of it.
    pub min_each_side: u64,
    /// A point of a time-to-event curve is shown only while at least this many patients are at
    /// risk; the curve stops there.
    pub min_at_risk: u64,
    /// A path through a care chain taken by fewer patients is grouped as "other paths".
    pub min_path: u64,
    /// A cost per patient is shown only for at least this many patients.
    pub min_cost_patients: u64,
    /// Whether an analysis may link a patient's contacts across regions.
    pub national_linkage: bool,
}

impl Default for AnalysisRules {
    fn default() -> AnalysisRules {
        AnalysisRules {
            min_patients: 5,
            min_each_side: 5,
            min_at_risk: 10,
            min_path: 5,
            min_cost_patients: 10,
            national_linkage: false,
        }
    }
}

/// The set of "small" values `[lo, hi]` of a quantity; empty when `hi < lo`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct SmallRange {
    pub lo: u64,
    pub hi: u64,
}

impl SmallRange {
    /// `1 ≤ v < min`.
    fn below(min: u64) -> SmallRange {
        SmallRange {
            lo: 1,
            hi: min.saturating_sub(1),
        }
    }

    pub fn is_empty(self) -> bool {
        self.hi < self.lo
    }

    pub fn contains(self, v: u64) -> bool {
        self.lo <= v && v <= self.hi
    }
}

impl DisclosurePolicy {
    /// The policy in `policies/disclosure.toml`, embedded at build time.
    pub fn default_public() -> DisclosurePolicy {
        // The embedded file is validated by a unit test, so this cannot fail in a built binary.
        DisclosurePolicy::parse(DEFAULT_POLICY_TOML).unwrap_or_else(|e| {
            unreachable!("the embedded policies/disclosure.toml is invalid: {e}")
        })
    }

    /// Parse and validate a policy from TOML text.
    pub fn parse(text: &str) -> Result<DisclosurePolicy, DisclosureError> {
        let policy: DisclosurePolicy =
            toml::from_str(text).map_err(|e| DisclosureError::PolicyParse(e.to_string()))?;
        policy.validate()?;
        Ok(policy)
    }

    /// Read, parse and validate a policy file.
    pub fn load(path: &Path) -> Result<DisclosurePolicy, DisclosureError> {
        let text = std::fs::read_to_string(path).map_err(|e| DisclosureError::PolicyIo {
            path: path.display().to_string(),
            message: e.to_string(),
        })?;
        DisclosurePolicy::parse(&text)
    }

    fn validate(&self) -> Result<(), DisclosureError> {
        let invalid = |m: &str| Err(DisclosureError::PolicyInvalid(m.to_owned()));
        if self.id.trim().is_empty() {
            return invalid("id must not be empty");
        }
        // A small set with exactly one value would let the status hidden_small reveal it.
        let single = |r: SmallRange| !r.is_empty() && r.lo == r.hi;
        for kind in CellKind::ALL {
            if kind == CellKind::Proportion {
                let names = ["min_numerator", "min_denominator", "min_complement"];
                for (name, r) in names.iter().zip(self.proportion_small_ranges()) {
                    if single(r) {
                        return invalid(&format!(
                            "rules.proportion.{name} makes hidden_small reveal the value {}; use 0, 1 or ≥ 3",
                            r.lo
                        ));
                    }
                }
            } else if single(self.count_small_range(kind)) {
                return invalid(&format!(
                    "rules.{} makes hidden_small reveal the value {}; use thresholds 0, 1 or ≥ 3",
                    kind.code(),
                    self.count_small_range(kind).lo
                ));
            }
        }
        if self.secondary.enabled && self.secondary.max_search_nodes == 0 {
            return invalid("secondary.max_search_nodes must be > 0");
        }
        if self.secondary.enabled && self.secondary.protection_width == 0 {
            return invalid(
                "secondary.protection_width must be ≥ 1 (0 would accept a value pinned down)",
            );
        }
        for s in Status::ALL {
            if self.statuses.get(s).published != s.is_published() {
                return invalid(&format!(
                    "statuses.{}.published must be {}",
                    s.code(),
                    s.is_published()
                ));
            }
        }
        Ok(())
    }

    /// The rules for patient-level analyses.
    pub fn analysis(&self) -> &AnalysisRules {
        &self.analysis
    }

    /// Policy id, e.g. `vardhub-public`.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// Policy version (recorded with every published table).
    pub fn version(&self) -> u32 {
        self.version
    }

    /// Description in Swedish and English.
    pub fn description(&self) -> &Text {
        &self.description
    }

    /// The primary rules.
    pub fn rules(&self) -> &Rules {
        &self.rules
    }

    /// The attribute-disclosure rule.
    pub fn attribute(&self) -> &AttributeRule {
        &self.attribute
    }

    /// Secondary suppression settings.
    pub fn secondary(&self) -> &SecondaryRule {
        &self.secondary
    }

    /// Labels and symbols of the statuses.
    pub fn statuses(&self) -> &Statuses {
        &self.statuses
    }

    fn derived(&self, kind: CellKind) -> Option<DerivedRule> {
        match kind {
            CellKind::Count | CellKind::Proportion => None,
            CellKind::Rate => Some(self.rules.rate),
            CellKind::StandardisedRate => Some(self.rules.standardised_rate),
            CellKind::StandardisedRatio => Some(self.rules.standardised_ratio),
            CellKind::Mean => Some(self.rules.mean),
        }
    }

    /// The values of `count` that make a cell of `kind` hidden_small (for proportions: of the
    /// numerator; see [`Self::proportion_small_ranges`]).
    pub(crate) fn count_small_range(&self, kind: CellKind) -> SmallRange {
        match self.derived(kind) {
            None => SmallRange::below(self.rules.count.min_count),
            Some(d) => {
                let top = d.min_count.max(d.statistical_floor).saturating_sub(1);
                // With a floor the small set includes 0 — except for means, where 0 observations
                // is not_applicable.
                let lo = if d.statistical_floor > 0 && kind != CellKind::Mean {
                    0
                } else {
                    1
                };
                SmallRange {
                    lo,
                    hi: if d.statistical_floor > 0 || d.min_count > 1 {
                        top
                    } else {
                        0
                    },
                }
            }
        }
    }

    /// Whether a share `x/n` of 0 % or 100 % is in a group too small to be told (attribute rule).
    pub(crate) fn all_or_none_small(&self, x: u64, n: u64) -> bool {
        (x == 0 || x == n) && n >= 1 && n < self.attribute.all_or_none_min_denominator
    }

    /// Small ranges of (numerator, denominator, complement) of a proportion.
    pub(crate) fn proportion_small_ranges(&self) -> [SmallRange; 3] {
        let p = self.rules.proportion;
        [
            SmallRange::below(p.min_numerator),
            SmallRange::below(p.min_denominator),
            SmallRange::below(p.min_complement),
        ]
    }

    /// The status the primary rules give a cell with these values (in a table whose outcome is
    /// not sensitive; see [`Self::primary_status_in`]).
    pub fn primary_status(&self, v: &CellValues) -> Status {
        self.primary_status_in(v, false)
    }

    /// The status the primary rules give a cell with these values, in a table whose outcome is
    /// `sensitive` ([`AttributeRule`]) or not.
    pub fn primary_status_in(&self, v: &CellValues, sensitive: bool) -> Status {
        match v.kind {
            CellKind::Proportion => {
                let n = v.denominator.unwrap_or(0);
                if n == 0 {
                    return Status::NotApplicable;
                }
                let [rx, rn, rc] = self.proportion_small_ranges();
                let x = v.count;
                if rx.contains(x)
                    || rn.contains(n)
                    || rc.contains(n.saturating_sub(x))
                    || (sensitive && self.all_or_none_small(x, n))
                {
                    Status::HiddenSmall
                } else if x == 0 {
                    Status::Zero
                } else {
                    Status::Ok
                }
            }
            kind => {
                if kind == CellKind::Mean && v.count == 0 {
                    return Status::NotApplicable;
                }
                if self.count_small_range(kind).contains(v.count) {
                    Status::HiddenSmall
                } else if v.count == 0 {
                    Status::Zero
                } else {
                    Status::Ok
                }
            }
        }
    }
}

impl Default for DisclosurePolicy {
    fn default() -> Self {
        DisclosurePolicy::default_public()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::disclosure::table::CellValues;

    #[test]
    fn the_shipped_policy_parses_and_says_what_the_issue_asks() {
        let p = DisclosurePolicy::parse(DEFAULT_POLICY_TOML).unwrap();
        assert_eq!(p.id(), "vardhub-public");
        assert_eq!(p.version(), 4);
        assert_eq!(*p.analysis(), AnalysisRules::default());
        assert_eq!(p.secondary().protection_width, 3);
        assert!(p.attribute().is_sensitive("death_within"));
        assert!(!p.attribute().is_sensitive("waiting_within"));
        assert_eq!(p.rules().count.min_count, 5);
        assert_eq!(p.rules().standardised_rate.statistical_floor, 10);
        assert!(p.secondary().enabled);
        assert!(p.description().sv.contains("1–4"));
        // Labels in the file equal the built-in ones.
        for s in Status::ALL {
            assert_eq!(p.statuses().get(s).sv, s.label_sv());
            assert_eq!(p.statuses().get(s).en, s.label_en());
        }
        assert_eq!(DisclosurePolicy::default(), p);
    }

    #[test]
    fn unknown_fields_and_unsafe_thresholds_are_rejected() {
        let extra = DEFAULT_POLICY_TOML.replace("min_count = 5\n", "min_count = 5\nmin_cnt = 3\n");
        assert!(matches!(
            DisclosurePolicy::parse(&extra),
            Err(DisclosureError::PolicyParse(_))
        ));
        let two = DEFAULT_POLICY_TOML.replacen("min_count = 5", "min_count = 2", 1);
        assert!(matches!(
            DisclosurePolicy::parse(&two),
            Err(DisclosureError::PolicyInvalid(_))
        ));
        let missing = DEFAULT_POLICY_TOML.replace("[statuses.zero]", "[statuses.zeroo]");
        assert!(DisclosurePolicy::parse(&missing).is_err());
        let lying = DEFAULT_POLICY_TOML.replacen("published = false", "published = true", 1);
        assert!(matches!(
            DisclosurePolicy::parse(&lying),
            Err(DisclosureError::PolicyInvalid(_))
        ));
        let e = DisclosurePolicy::load(Path::new("/nonexistent/policy.toml")).unwrap_err();
        assert!(matches!(e, DisclosureError::PolicyIo { .. }));
    }

    #[test]
    fn primary_rules_one_by_one() {
        let p = DisclosurePolicy::default_public();
        let count = |c| p.primary_status(&CellValues::count(c));
        assert_eq!(count(0), Status::Zero);
        for c in 1..=4 {
            assert_eq!(count(c), Status::HiddenSmall, "count {c}");
        }
        assert_eq!(count(5), Status::Ok);

        let prop = |x, n| p.primary_status(&CellValues::proportion(x, n, None).unwrap());
        assert_eq!(prop(0, 0), Status::NotApplicable);
        assert_eq!(prop(3, 100), Status::HiddenSmall, "numerator 1–4");
        assert_eq!(prop(0, 4), Status::HiddenSmall, "denominator 1–4");
        assert_eq!(prop(97, 100), Status::HiddenSmall, "difference 1–4");
        assert_eq!(prop(100, 100), Status::Ok, "difference 0 is not small");
        assert_eq!(prop(0, 100), Status::Zero);
        assert_eq!(prop(5, 10), Status::Ok);
        // Attribute rule: 0 % or 100 % of a sensitive outcome in a group under 20.
        let sens = |x, n| p.primary_status_in(&CellValues::proportion(x, n, None).unwrap(), true);
        assert_eq!(sens(0, 19), Status::HiddenSmall);
        assert_eq!(sens(19, 19), Status::HiddenSmall);
        assert_eq!(sens(0, 20), Status::Zero);
        assert_eq!(sens(20, 20), Status::Ok);
        assert_eq!(sens(7, 19), Status::Ok);
        assert_eq!(prop(0, 19), Status::Zero, "not sensitive: shown");

        let rate = |c| p.primary_status(&CellValues::rate(c, c as f64 / 1e4, None));
        assert_eq!(rate(0), Status::Zero);
        assert_eq!(rate(4), Status::HiddenSmall);
        assert_eq!(rate(5), Status::Ok);

        let dsr = |c| p.primary_status(&CellValues::standardised_rate(c, 1e-3, None));
        assert_eq!(
            dsr(0),
            Status::HiddenSmall,
            "DSR below the floor of 10, even 0"
        );
        assert_eq!(dsr(9), Status::HiddenSmall);
        assert_eq!(dsr(10), Status::Ok);

        let smr = |c| p.primary_status(&CellValues::standardised_ratio(c, 1.0, None));
        assert_eq!(smr(0), Status::Zero);
        assert_eq!(smr(3), Status::HiddenSmall);

        let mean = |n| p.primary_status(&CellValues::mean(n, 4.2, None));
        assert_eq!(mean(0), Status::NotApplicable);
        assert_eq!(mean(4), Status::HiddenSmall);
        assert_eq!(mean(5), Status::Ok);
    }

    #[test]
    fn small_ranges_follow_the_thresholds() {
        let p = DisclosurePolicy::default_public();
        assert_eq!(
            p.count_small_range(CellKind::Count),
            SmallRange { lo: 1, hi: 4 }
        );
        assert_eq!(
            p.count_small_range(CellKind::StandardisedRate),
            SmallRange { lo: 0, hi: 9 }
        );
        assert_eq!(
            p.count_small_range(CellKind::Mean),
            SmallRange { lo: 1, hi: 4 }
        );
        let off = DEFAULT_POLICY_TOML.replacen("min_count = 5", "min_count = 0", 1);
        let off = DisclosurePolicy::parse(&off).unwrap();
        assert!(off.count_small_range(CellKind::Count).is_empty());
        assert_eq!(off.primary_status(&CellValues::count(1)), Status::Ok);
    }
}
