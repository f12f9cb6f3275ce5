//! The report of one external file: what a source's delivery gets back, as JSON and as a
//! summary in Swedish or English, like a region's delivery report.

use crate::report::{FileRuleCount, Issue, IssueSink, Lang, RuleCount};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use vardhub_store::DeliveryStatus;

/// Rows per indicator in a file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndicatorRows {
    /// The indicator id.
    pub id: String,
    /// Its name as the file gave it (masked).
    pub name: String,
    /// Valid rows.
    pub rows: u64,
}

/// The report of one external file.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ExternalReport {
    /// The source (its id), when known.
    pub source: Option<String>,
    /// The file's name (masked).
    pub file: String,
    /// The encoding detected.
    pub encoding: Option<String>,
    /// The separator detected (`;`, `TAB`, `,`).
    pub separator: Option<String>,
    /// The outcome: accepted (with warnings), rejected, or held (far smaller than the current
    /// version: needs confirmation).
    pub status: DeliveryStatus,
    /// The version it was stored as (accepted or held imports).
    pub version: Option<u32>,
    /// Data rows read.
    pub rows_read: u64,
    /// Valid rows.
    pub rows_valid: u64,
    /// Rows left out because of errors.
    pub rows_with_errors: u64,
    /// Valid rows per indicator.
    pub indicators: Vec<IndicatorRows>,
    /// Findings per rule (complete).
    pub counts: BTreeMap<String, RuleCount>,
    /// The findings (capped like a region's report).
    pub issues: Vec<Issue>,
    /// Findings counted but not listed.
    pub issues_not_listed: u64,
    /// Exact counts per rule.
    pub counts_by_file: Vec<FileRuleCount>,
    /// When the import started (RFC 3339 UTC).
    pub received_at: String,
    /// Software version.
    pub software: String,
}

impl ExternalReport {
    /// A report from the collected findings.
    pub(crate) fn new(file: &str, sink: IssueSink) -> ExternalReport {
        let counts_by_file = sink.counts_by_file();
        let status = if sink.has_fatal() {
            DeliveryStatus::Rejected
        } else if sink.totals() == (0, 0) {
            DeliveryStatus::Accepted
        } else {
            DeliveryStatus::AcceptedWithWarnings
        };
        let (issues, counts, issues_not_listed) = sink.into_parts();
        ExternalReport {
            source: None,
            file: crate::report::mask_text(file),
            encoding: None,
            separator: None,
            status,
            version: None,
            rows_read: 0,
            rows_valid: 0,
            rows_with_errors: 0,
            indicators: Vec::new(),
            counts,
            issues,
            issues_not_listed,
            counts_by_file,
            received_at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            software: format!("vardhub {}", env!("CARGO_PKG_VERSION")),
        }
    }

    /// Whether nothing may be stored (a fatal finding).
    pub fn is_rejected(&self) -> bool {
        self.status == DeliveryStatus::Rejected
    }

    /// A readable summary.
    pub fn summary(&self, lang: Lang) -> String {
        let sv = lang == Lang::Sv;
        let t = |a: &'static str, b: &'static str| if sv { a } else { b };
        let mut s = String::new();
        let _ = writeln!(
            s,
            "{} {} ({})",
            t("Importrapport för", "Import report for"),
            self.file,
            self.source.as_deref().unwrap_or("?")
        );
        let status = match (self.status, sv) {
            (DeliveryStatus::Accepted, true) => "GODKÄND".to_owned(),
            (DeliveryStatus::Accepted, false) => "ACCEPTED".to_owned(),
            (DeliveryStatus::AcceptedWithWarnings, true) => "GODKÄND MED ANMÄRKNINGAR".to_owned(),
            (DeliveryStatus::AcceptedWithWarnings, false) => "ACCEPTED WITH WARNINGS".to_owned(),
            (DeliveryStatus::Rejected, true) => "AVVISAD – inget lagrades".to_owned(),
            (DeliveryStatus::Rejected, false) => "REJECTED – nothing was stored".to_owned(),
            (DeliveryStatus::Held, true) => {
                "VILANDE – behöver bekräftas; gällande version ligger kvar".to_owned()
            }
            (DeliveryStatus::Held, false) => {
                "HELD – needs confirmation; the current version stays current".to_owned()
            }
        };
        let _ = writeln!(s, "Status: {status}");
        if let Some(v) = self.version {
            let _ = writeln!(s, "Version: {v}");
        }
        let _ = writeln!(
            s,
            "{}: {} / {}: {}",
            t("Teckenkodning", "Encoding"),
            self.encoding.as_deref().unwrap_or("?"),
            t("avgränsare", "separator"),
            self.separator.as_deref().unwrap_or("?")
        );
        let _ = writeln!(
            s,
            "{} {}, {} {}, {} {}",
            self.rows_read,
            t("rader lästa", "rows read"),
            self.rows_valid,
            t("giltiga", "valid"),
            self.rows_with_errors,
            t("med fel (utelämnade)", "with errors (left out)")
        );
        for i in &self.indicators {
            let _ = writeln!(
                s,
                "  {} ({}): {} {}",
                i.id,
                i.name,
                i.rows,
                t("rader", "rows")
            );
        }
        for i in &self.issues {
            let mut loc = self.file.clone();
            if let Some(r) = i.row {
                let _ = write!(loc, ":{}{r}", t("rad ", "row "));
            }
            if let Some(f) = &i.field {
                let _ = write!(loc, " [{f}]");
            }
            let sev = match (i.severity, sv) {
                (crate::Severity::Fatal, true) => "AVVISANDE",
                (crate::Severity::Fatal, false) => "FATAL",
                (crate::Severity::Error, true) => "FEL",
                (crate::Severity::Error, false) => "ERROR",
                (crate::Severity::Warning, true) => "VARNING",
                (crate::Severity::Warning, false) => "WARNING",
            };
            let msg = if sv { &i.message_sv } else { &i.message_en };
            let value = i
                .value
                .as_deref()
                .map(|v| format!(" «{v}»"))
                .unwrap_or_default();
            let _ = writeln!(s, "{sev} {loc} ({}){value}: {msg}", i.rule);
        }
        if self.issues_not_listed > 0 {
            let _ = writeln!(
                s,
                "{} {}",
                self.issues_not_listed,
                t(
                    "anmärkningar till räknades men listas inte",
                    "more findings counted, not listed"
                )
            );
        }
        s
    }
}
