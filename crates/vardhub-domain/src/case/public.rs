//! What the public register shows of a case. Built only from the parts of a [`Case`] that are
//! not personal data: no contact details, no user names (a decision shows the decider's role),
//! the organisation only when it is not a citizen's, dates without times.

use super::{
    Assessment, Case, CaseId, CaseStatus, Link, Outcome, Prioritisation, PriorityClass,
    RequesterKind, Triage, Urgency,
};
use super::{CaseRole, PublicText};
use serde::Serialize;

/// A decision as published.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PublicDecision {
    /// The outcome.
    pub outcome: Outcome,
    /// Why.
    pub motivation: PublicText,
    /// Earlier work, answers or alternatives.
    pub references: Vec<Link>,
    /// The role of who decided.
    pub decided_by_role: CaseRole,
    /// The date (ÅÅÅÅ-MM-DD).
    pub date: String,
}

/// A case as the public register shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PublicCase {
    /// Its id.
    pub id: CaseId,
    /// Where it stands.
    pub status: CaseStatus,
    /// Filing date (ÅÅÅÅ-MM-DD).
    pub filed: String,
    /// Where the need comes from.
    pub requester_kind: RequesterKind,
    /// The requesting organisation, unless the requester is a citizen.
    pub organisation: Option<PublicText>,
    /// The question.
    pub question: PublicText,
    /// What the answer is for.
    pub purpose: PublicText,
    /// The data asked for.
    pub data_wanted: PublicText,
    /// How soon.
    pub urgency: Urgency,
    /// The triage.
    pub triage: Option<Triage>,
    /// The prioritisation.
    pub priority: Option<Prioritisation>,
    /// Its total (3–15).
    pub priority_total: Option<u8>,
    /// Its class.
    pub priority_class: Option<PriorityClass>,
    /// The consequence assessment and risk analysis.
    pub assessment: Option<Assessment>,
    /// What answers it.
    pub links: Vec<Link>,
    /// Every decision, oldest first.
    pub decisions: Vec<PublicDecision>,
}

fn date(rfc3339: &str) -> String {
    rfc3339.get(..10).unwrap_or(rfc3339).to_owned()
}

impl PublicCase {
    /// The public form of `case`.
    pub fn of(case: &Case) -> PublicCase {
        let f = &case.filing;
        PublicCase {
            id: case.id.clone(),
            status: case.status,
            filed: date(&case.filed.at),
            requester_kind: f.requester_kind,
            organisation: f
                .requester_kind
                .organisation_is_public()
                .then(|| f.organisation.clone()),
            question: f.question.clone(),
            purpose: f.purpose.clone(),
            data_wanted: f.data_wanted.clone(),
            urgency: f.urgency,
            triage: case.triage.as_ref().map(|(t, _)| t.clone()),
            priority_total: case.priority.as_ref().map(|(p, _)| p.total()),
            priority_class: case.priority.as_ref().map(|(p, _)| p.class()),
            priority: case.priority.as_ref().map(|(p, _)| p.clone()),
            assessment: case.assessment.as_ref().map(|(a, _)| a.clone()),
            links: case.links.clone(),
            decisions: case
                .decisions
                .iter()
                .map(|d| PublicDecision {
                    outcome: d.outcome,
                    motivation: d.motivation.clone(),
                    references: d.references.clone(),
                    decided_by_role: d.stamp.role,
                    date: date(&d.stamp.at),
                })
                .collect(),
        }
    }

    /// Whether every word of `query` (lower-cased, split on whitespace) occurs in the case's
    /// id, texts, organisation, links or decisions.
    pub fn matches(&self, query: &str) -> bool {
        let q = query.to_lowercase();
        let mut hay = vec![
            self.id.as_str().to_owned(),
            self.question.as_str().to_lowercase(),
            self.purpose.as_str().to_lowercase(),
            self.data_wanted.as_str().to_lowercase(),
            self.status.sv().to_lowercase(),
            self.status.en().to_lowercase(),
        ];
        if let Some(o) = &self.organisation {
            hay.push(o.as_str().to_lowercase());
        }
        if let Some(t) = &self.triage {
            hay.push(t.note.as_str().to_lowercase());
            hay.push(t.category.sv().to_lowercase());
        }
        for l in self
            .links
            .iter()
            .chain(self.decisions.iter().flat_map(|d| &d.references))
        {
            hay.push(l.target.to_lowercase());
        }
        for d in &self.decisions {
            hay.push(d.motivation.as_str().to_lowercase());
        }
        q.split_whitespace()
            .all(|w| hay.iter().any(|h| h.contains(w)))
    }

    /// Whether the case is closed or accepted and thus carries an answer or a reason.
    pub fn is_settled(&self) -> bool {
        matches!(self.status, CaseStatus::Accepted | CaseStatus::Closed)
    }
}
