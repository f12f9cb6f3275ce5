//! Ärenden: a need filed with the competence centre, from intake to decision.
//!
//! The life of a case is a small state machine, kept here so that every caller (the web pages,
//! the API, the CLI, the tests) goes through the same rules:
//!
//! ```text
//! filed ─triage─► triaged ─prioritise─► prioritised ─assess─► assessed ─decide─► accepted
//!                    │                       │                   │                  │
//!                    └──── decide: on hold / closed (with a reason and references) ─┴─► closed
//! ```
//!
//! * Triage, prioritisation, assessment and links are the centre staff's; decisions are the
//!   decision-maker's ([`CaseRole`]); an administrator may do both.
//! * Prioritisation scores three [`Dimension`]s on the documented scale ([`scale`]) with a
//!   written motivation for each; a case is accepted only after its consequence assessment and
//!   risk analysis.
//! * Every decision records its outcome, motivation, references, who decided (name and role) and
//!   when; the history is kept. Closing needs at least one reference (earlier work, an
//!   indicator or analysis that answers it, or an alternative), so that the reasoning is reused.
//!   A closed case is final.
//! * What is published ([`PublicCase`]) is built by a function that has no access to the
//!   requester's contact details or anyone's name: the register never holds personal data.

mod codes;
mod public;
pub mod scale;
mod text;

#[cfg(test)]
mod tests;

pub use codes::{
    CaseRole, CaseStatus, Category, Component, Dimension, LinkKind, Outcome, RequesterKind,
    RiskKind, Urgency,
};
pub use public::{PublicCase, PublicDecision};
pub use scale::{PriorityClass, Score};
pub use text::{Contact, PublicText, TextError, parse_url};

use serde::{Deserialize, Serialize};
use std::fmt;

/// A case id: the filing year and a running number, `2026-0007`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CaseId(String);

impl CaseId {
    /// The id of the `seq`th case filed in `year`.
    pub fn new(year: i32, seq: u32) -> CaseId {
        CaseId(format!("{year:04}-{seq:04}"))
    }
    /// Parse `ÅÅÅÅ-NNNN` (four or more digits after the dash).
    pub fn parse(s: &str) -> Result<CaseId, CaseError> {
        let ok = s.split_once('-').is_some_and(|(y, n)| {
            y.len() == 4
                && (4..=6).contains(&n.len())
                && y.bytes().chain(n.bytes()).all(|b| b.is_ascii_digit())
        });
        if ok {
            Ok(CaseId(s.to_owned()))
        } else {
            Err(CaseError::BadId)
        }
    }
    /// The id.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for CaseId {
    type Error = CaseError;
    fn try_from(s: String) -> Result<CaseId, CaseError> {
        CaseId::parse(&s)
    }
}

impl From<CaseId> for String {
    fn from(id: CaseId) -> String {
        id.0
    }
}

impl fmt::Display for CaseId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Why an action on a case was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CaseError {
    /// Not a case id.
    #[error("ärende-id har formen ÅÅÅÅ-NNNN / a case id looks like 2026-0007")]
    BadId,
    /// A text was refused.
    #[error(transparent)]
    Text(#[from] TextError),
    /// The role may not do this.
    #[error("rollen {role} får inte {action} / the role {role} may not {action}")]
    Forbidden {
        /// The role's code.
        role: &'static str,
        /// The action's code.
        action: &'static str,
    },
    /// The case is not at a stage where this can be done.
    #[error(
        "ärendet är {status}: {action} går inte nu / the case is {status}: cannot {action} now"
    )]
    WrongStage {
        /// The case's status code.
        status: &'static str,
        /// The action's code.
        action: &'static str,
    },
    /// A closing decision without any reference.
    #[error(
        "ett avslut behöver minst en hänvisning till tidigare arbete eller alternativ / closing needs at least one reference to earlier work or an alternative"
    )]
    NoReference,
    /// A risk analysis without any risk.
    #[error("riskanalysen behöver minst en risk / the risk analysis needs at least one risk")]
    NoRisk,
    /// A case linked to itself.
    #[error("ett ärende kan inte hänvisa till sig självt / a case cannot refer to itself")]
    SelfReference,
    /// A score outside the scale.
    #[error("poäng 1–5 / score 1–5")]
    BadScore,
}

/// What the requester files.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Filing {
    /// The requester's name and e-mail (never published).
    pub contact: Contact,
    /// The requesting organisation (published unless the requester is a citizen).
    pub organisation: PublicText,
    /// Where the need comes from.
    pub requester_kind: RequesterKind,
    /// The question.
    pub question: PublicText,
    /// What the answer is for.
    pub purpose: PublicText,
    /// The data the requester thinks are needed.
    pub data_wanted: PublicText,
    /// How soon.
    pub urgency: Urgency,
}

/// Who acted and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stamp {
    /// User name (not published).
    pub by: String,
    /// The case role they acted in (published).
    pub role: CaseRole,
    /// When (RFC 3339 UTC).
    pub at: String,
}

/// The user acting on a case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// User name.
    pub name: String,
    /// Case role.
    pub role: CaseRole,
}

/// The centre's triage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Triage {
    /// What kind of work answers it.
    pub category: Category,
    /// The staff's note (published).
    pub note: PublicText,
}

/// One dimension's score with its motivation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DimensionScore {
    /// The score on the dimension's scale.
    pub score: Score,
    /// Why (published).
    pub motivation: PublicText,
}

/// The prioritisation on the three dimensions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Prioritisation {
    /// Business value and strategic relevance.
    pub value: DimensionScore,
    /// Complexity and feasibility.
    pub feasibility: DimensionScore,
    /// Regulatory conditions.
    pub regulatory: DimensionScore,
}

impl Prioritisation {
    /// The scores by dimension, in [`Dimension::ALL`] order.
    pub fn scores(&self) -> [(Dimension, &DimensionScore); 3] {
        [
            (Dimension::Value, &self.value),
            (Dimension::Feasibility, &self.feasibility),
            (Dimension::Regulatory, &self.regulatory),
        ]
    }
    /// The sum of the three scores (3–15; equal weights).
    pub fn total(&self) -> u8 {
        self.value.score.get() + self.feasibility.score.get() + self.regulatory.score.get()
    }
    /// The priority class of the total (see [`scale`]).
    pub fn class(&self) -> PriorityClass {
        PriorityClass::of(self)
    }
}

/// The consequence assessment: what answering the case takes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Consequences {
    /// Governance: who owns the answer, which decisions and agreements are needed.
    pub governance: PublicText,
    /// The hub's components touched.
    pub components: Vec<Component>,
    /// The data needed: collections in the hub and any new data.
    pub data_needed: PublicText,
    /// The competence needed (roles, skills).
    pub competence: PublicText,
    /// Estimated effort in hours.
    pub effort_hours: u32,
}

/// One risk of the risk analysis.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Risk {
    /// The kind of risk.
    pub kind: RiskKind,
    /// What could happen.
    pub description: PublicText,
    /// Likelihood 1 (low) – 3 (high).
    pub likelihood: u8,
    /// Impact 1 (small) – 3 (serious).
    pub impact: u8,
    /// What reduces it.
    pub mitigation: PublicText,
}

impl Risk {
    /// Likelihood × impact (1–9): 6 and above is high, 3–4 medium, below low.
    pub fn level(&self) -> u8 {
        self.likelihood * self.impact
    }
}

/// The consequence assessment and the risk analysis together.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assessment {
    /// What answering takes.
    pub consequences: Consequences,
    /// What could go wrong (at least one risk).
    pub risks: Vec<Risk>,
}

/// A reference from a case: what answers it, or earlier work and alternatives.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Link {
    /// What it points to.
    pub kind: LinkKind,
    /// Its id (or https address for an external source).
    pub target: String,
}

/// A decision on a case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decision {
    /// The outcome.
    pub outcome: Outcome,
    /// Why (published).
    pub motivation: PublicText,
    /// Earlier work, answers or alternatives.
    pub references: Vec<Link>,
    /// Who decided and when.
    pub stamp: Stamp,
}

/// A case as the centre keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Case {
    /// Its id.
    pub id: CaseId,
    /// Where it stands.
    pub status: CaseStatus,
    /// What was filed, by whom and when.
    pub filing: Filing,
    /// Who filed it (user name) and when.
    pub filed: Stamp,
    /// The triage, once done.
    pub triage: Option<(Triage, Stamp)>,
    /// The prioritisation, once done (the latest).
    pub priority: Option<(Prioritisation, Stamp)>,
    /// The assessment, once done (the latest).
    pub assessment: Option<(Assessment, Stamp)>,
    /// What the case is linked to.
    pub links: Vec<Link>,
    /// Every decision, oldest first.
    pub decisions: Vec<Decision>,
}

impl Case {
    /// A new case, filed.
    pub fn file(id: CaseId, filing: Filing, filed: Stamp) -> Case {
        Case {
            id,
            status: CaseStatus::Filed,
            filing,
            filed,
            triage: None,
            priority: None,
            assessment: None,
            links: Vec::new(),
            decisions: Vec::new(),
        }
    }

    fn may(&self, actor: &Actor, action: &'static str, allowed: bool) -> Result<(), CaseError> {
        if !allowed {
            return Err(CaseError::Forbidden {
                role: actor.role.code(),
                action,
            });
        }
        Ok(())
    }

    fn at_stage(&self, action: &'static str, stages: &[CaseStatus]) -> Result<(), CaseError> {
        if stages.contains(&self.status) {
            Ok(())
        } else {
            Err(CaseError::WrongStage {
                status: self.status.code(),
                action,
            })
        }
    }

    fn stamp(actor: &Actor, at: &str) -> Stamp {
        Stamp {
            by: actor.name.clone(),
            role: actor.role,
            at: at.to_owned(),
        }
    }

    /// Triage (centre staff; a filed or triaged case).
    pub fn triage(&mut self, actor: &Actor, triage: Triage, at: &str) -> Result<(), CaseError> {
        use CaseStatus::*;
        self.may(actor, "triage", actor.role.may_handle())?;
        self.at_stage("triage", &[Filed, Triaged])?;
        self.triage = Some((triage, Case::stamp(actor, at)));
        self.status = Triaged;
        Ok(())
    }

    /// Prioritise (centre staff; after triage, before a decision; on hold may be re-scored).
    pub fn prioritise(
        &mut self,
        actor: &Actor,
        p: Prioritisation,
        at: &str,
    ) -> Result<(), CaseError> {
        use CaseStatus::*;
        self.may(actor, "prioritise", actor.role.may_handle())?;
        self.at_stage("prioritise", &[Triaged, Prioritised, Assessed, OnHold])?;
        self.priority = Some((p, Case::stamp(actor, at)));
        if matches!(self.status, Triaged) {
            self.status = Prioritised;
        }
        Ok(())
    }

    /// Consequence assessment and risk analysis (centre staff; after prioritisation).
    pub fn assess(&mut self, actor: &Actor, a: Assessment, at: &str) -> Result<(), CaseError> {
        use CaseStatus::*;
        self.may(actor, "assess", actor.role.may_handle())?;
        self.at_stage("assess", &[Prioritised, Assessed, OnHold])?;
        if a.risks.is_empty() {
            return Err(CaseError::NoRisk);
        }
        self.assessment = Some((a, Case::stamp(actor, at)));
        if matches!(self.status, Prioritised) {
            self.status = Assessed;
        }
        Ok(())
    }

    /// Add links (centre staff; any case not closed). Links already there are kept once.
    pub fn link(&mut self, actor: &Actor, links: Vec<Link>) -> Result<(), CaseError> {
        use CaseStatus::*;
        self.may(actor, "link", actor.role.may_handle())?;
        self.at_stage(
            "link",
            &[Filed, Triaged, Prioritised, Assessed, Accepted, OnHold],
        )?;
        self.refuse_self_reference(&links)?;
        for l in links {
            if !self.links.contains(&l) {
                self.links.push(l);
            }
        }
        Ok(())
    }

    fn refuse_self_reference(&self, links: &[Link]) -> Result<(), CaseError> {
        if links
            .iter()
            .any(|l| l.kind == LinkKind::Case && l.target == self.id.as_str())
        {
            return Err(CaseError::SelfReference);
        }
        Ok(())
    }

    /// Decide (decision-maker). Accepting needs the assessment; holding needs at least the
    /// triage; closing needs the triage and at least one reference; a closed case is final.
    pub fn decide(
        &mut self,
        actor: &Actor,
        outcome: Outcome,
        motivation: PublicText,
        references: Vec<Link>,
        at: &str,
    ) -> Result<(), CaseError> {
        use CaseStatus::*;
        self.may(actor, "decide", actor.role.may_decide())?;
        let (action, stages, status): (&'static str, &[CaseStatus], CaseStatus) = match outcome {
            Outcome::Accepted => ("accept", &[Assessed, OnHold], Accepted),
            Outcome::OnHold => ("hold", &[Triaged, Prioritised, Assessed, Accepted], OnHold),
            Outcome::Closed => (
                "close",
                &[Triaged, Prioritised, Assessed, Accepted, OnHold],
                Closed,
            ),
        };
        self.at_stage(action, stages)?;
        if outcome == Outcome::Accepted && self.assessment.is_none() {
            return Err(CaseError::WrongStage {
                status: self.status.code(),
                action,
            });
        }
        if outcome == Outcome::Closed && references.is_empty() {
            return Err(CaseError::NoReference);
        }
        self.refuse_self_reference(&references)?;
        self.decisions.push(Decision {
            outcome,
            motivation,
            references,
            stamp: Case::stamp(actor, at),
        });
        self.status = status;
        Ok(())
    }

    /// The latest decision.
    pub fn decision(&self) -> Option<&Decision> {
        self.decisions.last()
    }
}
