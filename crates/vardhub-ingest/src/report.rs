//! The validation report: what the region gets back, as JSON and as a readable summary in Swedish
//! and English. Every issue names file, row, field, rule and severity; values are masked so that no
//! identity number can appear in a report.

use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use vardhub_store::DeliveryStatus;

/// How bad an issue is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// The whole delivery is rejected.
    Fatal,
    /// The row is left out.
    Error,
    /// The row is kept; something should be looked at.
    Warning,
}

impl Severity {
    fn label(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (Severity::Fatal, Lang::Sv) => "AVVISANDE",
            (Severity::Fatal, Lang::En) => "FATAL",
            (Severity::Error, Lang::Sv) => "FEL",
            (Severity::Error, Lang::En) => "ERROR",
            (Severity::Warning, Lang::Sv) => "VARNING",
            (Severity::Warning, Lang::En) => "WARNING",
        }
    }
}

/// Report language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    /// Swedish.
    Sv,
    /// English.
    En,
}

/// One finding.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Issue {
    /// Severity.
    pub severity: Severity,
    /// Stable rule name (`type`, `mandatory`, `code`, `luhn`, `checksum`, …).
    pub rule: Cow<'static, str>,
    /// File inside the delivery, if the issue concerns one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// Line number in the file (the header is line 1), if the issue concerns a row.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub row: Option<u64>,
    /// Variable, if the issue concerns one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// The offending value, masked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// Explanation in Swedish.
    pub message_sv: String,
    /// Explanation in English.
    pub message_en: String,
}

impl Issue {
    /// A new issue without location. Messages may quote delivery text (file names, parser
    /// errors): they are masked here, as are file and field names, so no finding can carry an
    /// identity number.
    pub fn new(
        severity: Severity,
        rule: &'static str,
        sv: impl Into<String>,
        en: impl Into<String>,
    ) -> Issue {
        Issue {
            severity,
            rule: Cow::Borrowed(rule),
            file: None,
            row: None,
            field: None,
            value: None,
            message_sv: mask_text(&sv.into()),
            message_en: mask_text(&en.into()),
        }
    }
    /// Set the file.
    pub fn in_file(mut self, file: &str) -> Issue {
        self.file = Some(mask_text(file));
        self
    }
    /// Set the row.
    pub fn at_row(mut self, row: u64) -> Issue {
        self.row = Some(row);
        self
    }
    /// Set the field.
    pub fn field(mut self, field: &str) -> Issue {
        self.field = Some(mask_text(field));
        self
    }
    /// Set the value (masked here).
    pub fn value(mut self, raw: &str, is_identity: bool) -> Issue {
        self.value = Some(mask(raw, is_identity));
        self
    }
}

/// Mask a value for a report: identity fields are never shown (only their length); in any other
/// value, everything that could be an identity number is replaced
/// ([`vardhub_domain::mask_identity_numbers`], every written form), then long values are cut.
pub fn mask(raw: &str, is_identity: bool) -> String {
    if is_identity {
        return format!("[dolt, {} tecken]", raw.chars().count());
    }
    // Mask before cutting, so that a number across the cut cannot leave half of itself behind.
    let masked = mask_text(raw);
    let mut out: String = masked.chars().take(60).collect();
    if masked.chars().count() > 60 {
        out.push('…');
    }
    out
}

/// Mask delivery text (messages, file and column names, paths) for a finding, report, log line or
/// catalogue row: the domain's one masking function.
pub fn mask_text(text: &str) -> String {
    vardhub_domain::mask_identity_numbers(text).into_owned()
}

/// Counts per table.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct TableStats {
    /// Table name.
    pub table: String,
    /// File inside the delivery.
    pub file: String,
    /// Data rows read.
    pub rows_read: u64,
    /// Rows that passed validation and are published if the delivery is accepted.
    pub rows_valid: u64,
    /// Rows left out because of errors.
    pub rows_with_errors: u64,
    /// Bytes read.
    pub bytes: u64,
}

/// How many issues of one rule and severity, including those not listed individually.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct RuleCount {
    /// Errors (and fatal issues).
    pub errors: u64,
    /// Warnings.
    pub warnings: u64,
}

/// The full report of one delivery.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ValidationReport {
    /// The delivery id, once the catalogue has assigned one.
    pub delivery_id: Option<String>,
    /// Path ingested.
    pub source: String,
    /// Collection id (from the manifest, if readable).
    pub collection: Option<String>,
    /// Region (from the manifest).
    pub region: Option<String>,
    /// Period (from the manifest).
    pub period: Option<String>,
    /// Specification version.
    pub spec_version: Option<String>,
    /// Synthetic flag.
    pub synthetic: Option<bool>,
    /// Outcome.
    pub status: DeliveryStatus,
    /// When ingest started.
    pub received_at: String,
    /// Pseudonymisation key version used.
    pub key_version: Option<u32>,
    /// Per-table counts.
    pub tables: Vec<TableStats>,
    /// Issue counts per rule (complete, even when the list below is capped).
    pub counts: BTreeMap<String, RuleCount>,
    /// The issues (at most [`MAX_LISTED_PER_RULE`] per file, rule and field,
    /// [`MAX_LISTED_PER_FILE_RULE`] per file and rule, [`MAX_LISTED_PER_FILE`] per file and
    /// [`MAX_LISTED`] in all; fatal ones too).
    pub issues: Vec<Issue>,
    /// Issues counted but not listed.
    pub issues_not_listed: u64,
    /// Exact counts per file and rule, with how many of them are not listed.
    #[serde(default)]
    pub counts_by_file: Vec<FileRuleCount>,
    /// Software version.
    pub software: String,
}

/// At most this many issues are listed per file, rule and field; the rest are only counted.
pub const MAX_LISTED_PER_RULE: u64 = 50;

/// At most this many issues are listed per file and rule (over all fields).
pub const MAX_LISTED_PER_FILE_RULE: u64 = 200;

/// At most this many issues are listed per file (over all rules).
pub const MAX_LISTED_PER_FILE: u64 = 1_000;

/// At most this many issues are listed in a report.
pub const MAX_LISTED: usize = 10_000;

/// Exact counts of one rule in one file (or in no file: delivery-level findings).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileRuleCount {
    /// File, if the findings concern one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// Rule.
    pub rule: String,
    /// Errors (and fatal findings).
    pub errors: u64,
    /// Warnings.
    pub warnings: u64,
    /// How many of them are counted but not listed in `issues`.
    pub not_listed: u64,
}

/// (file, rule, field): the unit within which issues are listed up to [`MAX_LISTED_PER_RULE`].
type ListKey = (Option<String>, Cow<'static, str>, Option<String>);

/// Collects issues with bounded memory: every issue is counted (per rule, and per file and
/// rule), only the first ones of each file, rule and field are kept.
#[derive(Debug, Default)]
pub struct IssueSink {
    issues: Vec<Issue>,
    listed: std::collections::HashMap<ListKey, u64>,
    by_file: BTreeMap<(Option<String>, Cow<'static, str>), FileRuleCount>,
    listed_per_file: std::collections::HashMap<Option<String>, u64>,
    counts: BTreeMap<String, RuleCount>,
    not_listed: u64,
    fatal: bool,
    fatal_files: std::collections::HashSet<String>,
}

impl IssueSink {
    /// Record an issue.
    pub fn push(&mut self, issue: Issue) {
        let c = self.counts.entry(issue.rule.to_string()).or_default();
        let fc = self
            .by_file
            .entry((issue.file.clone(), issue.rule.clone()))
            .or_insert_with(|| FileRuleCount {
                file: issue.file.clone(),
                rule: issue.rule.to_string(),
                ..FileRuleCount::default()
            });
        match issue.severity {
            Severity::Fatal | Severity::Error => {
                c.errors += 1;
                fc.errors += 1;
            }
            Severity::Warning => {
                c.warnings += 1;
                fc.warnings += 1;
            }
        }
        if issue.severity == Severity::Fatal {
            self.fatal = true;
            if let Some(file) = &issue.file {
                self.fatal_files.insert(file.clone());
            }
        }
        let listed_in_rule = fc.errors + fc.warnings - fc.not_listed - 1;
        let per_file = self.listed_per_file.entry(issue.file.clone()).or_default();
        // The per-field counter is only consulted (and its key only stored) while the file and
        // rule are under their caps, so the map stays small whatever the delivery holds.
        let list = self.issues.len() < MAX_LISTED
            && *per_file < MAX_LISTED_PER_FILE
            && listed_in_rule < MAX_LISTED_PER_FILE_RULE
            && {
                let n = self
                    .listed
                    .entry((issue.file.clone(), issue.rule.clone(), issue.field.clone()))
                    .or_default();
                *n += 1;
                *n <= MAX_LISTED_PER_RULE
            };
        if list {
            *per_file += 1;
            self.issues.push(issue);
        } else {
            fc.not_listed += 1;
            self.not_listed += 1;
        }
    }
    /// Any fatal issue so far (listed or not)?
    pub fn has_fatal(&self) -> bool {
        self.fatal
    }
    /// Any fatal issue about this file so far (listed or not)?
    pub fn has_fatal_in(&self, file: &str) -> bool {
        self.fatal_files.contains(file)
    }
    /// Total errors (incl. fatal) and warnings.
    pub fn totals(&self) -> (u64, u64) {
        self.counts
            .values()
            .fold((0, 0), |(e, w), c| (e + c.errors, w + c.warnings))
    }
    /// Hand over the collected issues.
    pub fn into_parts(self) -> (Vec<Issue>, BTreeMap<String, RuleCount>, u64) {
        (self.issues, self.counts, self.not_listed)
    }
    /// The exact counts per file and rule (call before [`IssueSink::into_parts`]).
    pub fn counts_by_file(&self) -> Vec<FileRuleCount> {
        self.by_file.values().cloned().collect()
    }
}

impl ValidationReport {
    /// A readable summary.
    pub fn summary(&self, lang: Lang) -> String {
        let sv = lang == Lang::Sv;
        let mut s = String::new();
        let t = |a: &'static str, b: &'static str| if sv { a } else { b };
        let _ = writeln!(
            s,
            "{} {}",
            t("Leveransrapport", "Delivery report"),
            self.delivery_id.as_deref().unwrap_or("-")
        );
        let _ = writeln!(s, "{}: {}", t("Källa", "Source"), self.source);
        let _ = writeln!(
            s,
            "{}: {} / {}: {} / {}: {} / {}: {}",
            t("Samling", "Collection"),
            self.collection.as_deref().unwrap_or("?"),
            t("region", "region"),
            self.region.as_deref().unwrap_or("?"),
            t("period", "period"),
            self.period.as_deref().unwrap_or("?"),
            t("specifikation", "specification"),
            self.spec_version.as_deref().unwrap_or("?"),
        );
        let status = match (self.status, sv) {
            (DeliveryStatus::Accepted, true) => "GODKÄND",
            (DeliveryStatus::Accepted, false) => "ACCEPTED",
            (DeliveryStatus::AcceptedWithWarnings, true) => "GODKÄND MED ANMÄRKNINGAR",
            (DeliveryStatus::AcceptedWithWarnings, false) => "ACCEPTED WITH WARNINGS",
            (DeliveryStatus::Rejected, true) => "AVVISAD – inget publicerades",
            (DeliveryStatus::Rejected, false) => "REJECTED – nothing was published",
            (DeliveryStatus::Held, true) => {
                "VILANDE – behöver bekräftas; inget publicerades, föregående leverans gäller"
            }
            (DeliveryStatus::Held, false) => {
                "HELD – needs confirmation; nothing was published, the previous delivery stays current"
            }
        };
        let _ = writeln!(s, "Status: {status}");
        for tb in &self.tables {
            let _ = writeln!(
                s,
                "  {} ({}): {} {}, {} {}, {} {}",
                tb.table,
                tb.file,
                tb.rows_read,
                t("rader lästa", "rows read"),
                tb.rows_valid,
                t("giltiga", "valid"),
                tb.rows_with_errors,
                t("med fel (utelämnade)", "with errors (left out)"),
            );
        }
        if !self.counts.is_empty() {
            let _ = writeln!(s, "{}:", t("Anmärkningar per regel", "Findings per rule"));
            for (rule, c) in &self.counts {
                let _ = writeln!(
                    s,
                    "  {rule}: {} {}, {} {}",
                    c.errors,
                    t("fel", "errors"),
                    c.warnings,
                    t("varningar", "warnings")
                );
            }
        }
        let mut issues: Vec<&Issue> = self.issues.iter().collect();
        issues.sort_by_key(|i| i.severity);
        for i in issues.iter().take(200) {
            let mut loc = String::new();
            if let Some(f) = &i.file {
                loc.push_str(f);
            }
            if let Some(r) = i.row {
                let _ = write!(loc, ":{}{r}", t("rad ", "row "));
            }
            if let Some(f) = &i.field {
                let _ = write!(loc, " [{f}]");
            }
            let value = i
                .value
                .as_ref()
                .map(|v| format!(" ({}: {v})", t("värde", "value")))
                .unwrap_or_default();
            let _ = writeln!(
                s,
                "  {:<9} {:<22} {loc}: {}{value}",
                i.severity.label(lang),
                i.rule,
                if sv { &i.message_sv } else { &i.message_en },
            );
        }
        for c in self.counts_by_file.iter().filter(|c| c.not_listed > 0) {
            let _ = writeln!(
                s,
                "  … {} {} {} {}",
                c.not_listed,
                t("fler anmärkningar av regeln", "more findings of the rule"),
                c.rule,
                c.file
                    .as_deref()
                    .map(|f| format!("{} {f}", t("i", "in")))
                    .unwrap_or_default(),
            );
        }
        let hidden = self.issues_not_listed + self.issues.len().saturating_sub(200) as u64;
        if hidden > 0 {
            let _ = writeln!(
                s,
                "  … {hidden} {}",
                t(
                    "fler anmärkningar finns i JSON-rapporten eller räknas ovan",
                    "more findings are in the JSON report or counted above"
                )
            );
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_identity_shaped_digit_runs() {
        assert_eq!(mask("19450110-3297", false), "[dolt]");
        assert_eq!(mask("x 4501103297 y", false), "x [dolt] y");
        assert_eq!(mask("2024-03-01 12:00", false), "2024-03-01 12:00");
        assert_eq!(mask("I21.9", false), "I21.9");
        assert_eq!(mask("2024-03-01", false), "2024-03-01");
        assert_eq!(mask("194501103297", true), "[dolt, 12 tecken]");
        assert_eq!(mask("19810101 2386", false), "[dolt]");
        assert_eq!(mask("Avd 810101.2386", false), "Avd [dolt]");
        let long = format!("{}19810101-2386", "x".repeat(55));
        assert!(
            !mask(&long, false).contains("19810"),
            "no half number at the cut"
        );
    }

    #[test]
    fn sink_caps_listed_issues_but_counts_all() {
        let mut sink = IssueSink::default();
        for row in 0..(MAX_LISTED_PER_RULE + 10) {
            sink.push(
                Issue::new(Severity::Error, "type", "x", "x")
                    .in_file("a.csv")
                    .at_row(row)
                    .field("f"),
            );
        }
        let (issues, counts, not_listed) = sink.into_parts();
        assert_eq!(issues.len() as u64, MAX_LISTED_PER_RULE);
        assert_eq!(not_listed, 10);
        assert_eq!(counts["type"].errors, MAX_LISTED_PER_RULE + 10);
    }

    #[test]
    fn sink_caps_fatal_issues_too_and_keeps_exact_counts_per_file() {
        let mut sink = IssueSink::default();
        for i in 0..100_000u64 {
            sink.push(
                Issue::new(Severity::Fatal, "column_repeated", "x", "x")
                    .in_file("a.csv")
                    .field(&format!("c{i}")),
            );
        }
        sink.push(Issue::new(Severity::Warning, "volume", "x", "x"));
        assert!(sink.has_fatal());
        assert!(sink.listed.len() as u64 <= MAX_LISTED_PER_FILE_RULE + 1);
        let by_file = sink.counts_by_file();
        let (issues, counts, not_listed) = sink.into_parts();
        assert_eq!(issues.len() as u64, MAX_LISTED_PER_FILE_RULE + 1);
        assert_eq!(issues.last().map(|i| i.rule.as_ref()), Some("volume"));
        assert_eq!(counts["column_repeated"].errors, 100_000);
        assert_eq!(not_listed, 100_000 - MAX_LISTED_PER_FILE_RULE);
        assert_eq!(
            by_file[1],
            FileRuleCount {
                file: Some("a.csv".into()),
                rule: "column_repeated".into(),
                errors: 100_000,
                warnings: 0,
                not_listed: 100_000 - MAX_LISTED_PER_FILE_RULE,
            }
        );
    }
}
