//! Ärenden: the competence centre's case operations, one function per step, called alike by the
//! web pages, the API and the tests. Each takes the wire form (what a form or a JSON body holds),
//! parses it into the domain's types (naming the field that is wrong), checks that links point to
//! things that exist (indicators and analyses in the definitions, earlier cases in the catalogue,
//! https addresses), and applies the domain's rule for the actor's role in one catalogue
//! transaction ([`vardhub_store::Hub::update_case`]).

mod work;

pub use work::{record_time, time_entries};

use serde::Deserialize;
use vardhub_domain::case::{
    Actor, Assessment, Case, CaseError, CaseId, CaseStatus, Category, Component, Consequences,
    Contact, DimensionScore, Filing, Link, LinkKind, Outcome, Prioritisation, PublicCase,
    PublicText, RequesterKind, Risk, RiskKind, Score, Triage, Urgency, parse_url,
};
use vardhub_engine::definitions::Definitions;
use vardhub_store::{CaseEvent, Hub, StoreError};

/// Longest question, purpose or motivation.
pub const LONG_TEXT: usize = 4000;
/// Longest short text (organisation, note).
pub const SHORT_TEXT: usize = 300;

/// Why a case operation failed, classified by who must act.
#[derive(Debug, thiserror::Error)]
pub enum CaseOpError {
    /// The input is wrong (the user must act): names the field and the rule.
    #[error("{field}: {message}")]
    Invalid {
        /// The field.
        field: String,
        /// What is wrong (Swedish / English).
        message: String,
    },
    /// The case's rules refuse the action (the user must act, or someone with another role).
    #[error(transparent)]
    Refused(#[from] CaseError),
    /// No such case (the user must act).
    #[error("okänt ärende / unknown case {0}")]
    UnknownCase(String),
    /// The catalogue failed (the operator must act).
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn invalid(field: &str, message: impl Into<String>) -> CaseOpError {
    CaseOpError::Invalid {
        field: field.to_owned(),
        message: message.into(),
    }
}

fn text(field: &'static str, value: &str, max: usize) -> Result<PublicText, CaseOpError> {
    Ok(PublicText::parse(field, value, max).map_err(CaseError::from)?)
}

fn code<T>(
    field: &str,
    value: &str,
    parse: fn(&str) -> Option<T>,
    all: &[&str],
) -> Result<T, CaseOpError> {
    parse(value.trim()).ok_or_else(|| {
        invalid(
            field,
            format!("{value:?}: välj / choose {}", all.join(", ")),
        )
    })
}

macro_rules! vocab {
    ($field:expr, $value:expr, $ty:ty) => {{
        let all: Vec<&str> = <$ty>::ALL.iter().map(|v| v.code()).collect();
        code($field, $value, <$ty>::parse, &all)
    }};
}

/// A need as filed (form or JSON).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FilingForm {
    /// The requester's name (never published).
    pub name: String,
    /// The requester's e-mail (never published).
    pub email: String,
    /// The organisation.
    pub organisation: String,
    /// Code of [`RequesterKind`].
    pub requester_kind: String,
    /// The question.
    pub question: String,
    /// What the answer is for.
    pub purpose: String,
    /// The data wanted.
    pub data_wanted: String,
    /// Code of [`Urgency`].
    pub urgency: String,
}

impl FilingForm {
    fn parse(&self) -> Result<Filing, CaseOpError> {
        Ok(Filing {
            contact: Contact::parse(&self.name, &self.email).map_err(CaseError::from)?,
            organisation: text("organisation", &self.organisation, SHORT_TEXT)?,
            requester_kind: vocab!("requester_kind", &self.requester_kind, RequesterKind)?,
            question: text("question", &self.question, LONG_TEXT)?,
            purpose: text("purpose", &self.purpose, LONG_TEXT)?,
            data_wanted: text("data_wanted", &self.data_wanted, LONG_TEXT)?,
            urgency: vocab!("urgency", &self.urgency, Urgency)?,
        })
    }
}

/// The triage (form or JSON).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TriageForm {
    /// Code of [`Category`].
    pub category: String,
    /// The staff's note (published).
    pub note: String,
}

/// The prioritisation (form or JSON): each dimension's score 1–5 and motivation.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PriorityForm {
    /// Business value and strategic relevance, 1–5.
    pub value: u8,
    /// Why.
    pub value_motivation: String,
    /// Complexity and feasibility, 1–5 (5: simple).
    pub feasibility: u8,
    /// Why.
    pub feasibility_motivation: String,
    /// Regulatory conditions, 1–5 (5: clear ground, aggregates only).
    pub regulatory: u8,
    /// Why.
    pub regulatory_motivation: String,
}

/// One risk (form or JSON).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RiskForm {
    /// Code of [`RiskKind`].
    pub kind: String,
    /// What could happen.
    pub description: String,
    /// 1–3.
    pub likelihood: u8,
    /// 1–3.
    pub impact: u8,
    /// What reduces it.
    pub mitigation: String,
}

/// The consequence assessment and risk analysis (form or JSON).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AssessmentForm {
    /// Governance.
    pub governance: String,
    /// Codes of [`Component`].
    pub components: Vec<String>,
    /// The data needed.
    pub data_needed: String,
    /// The competence needed.
    pub competence: String,
    /// Estimated effort in hours.
    pub effort_hours: u32,
    /// At least one risk.
    pub risks: Vec<RiskForm>,
}

/// A link (JSON), or a line `kind:target` in a form.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LinkForm {
    /// Code of [`LinkKind`].
    pub kind: String,
    /// Id, or https address for an external source.
    pub target: String,
}

impl LinkForm {
    /// Parse the lines of a form's text box, one `kind:target` per line (blank lines skipped).
    pub fn lines(text: &str) -> Result<Vec<LinkForm>, CaseOpError> {
        text.lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(|l| {
                let (kind, target) = l.split_once(':').ok_or_else(|| {
                    invalid(
                        "references",
                        format!(
                            "{l:?}: skriv typ:id, t.ex. indikator:medelvardtid / write kind:id"
                        ),
                    )
                })?;
                Ok(LinkForm {
                    kind: kind.trim().to_owned(),
                    target: target.trim().to_owned(),
                })
            })
            .collect()
    }
}

/// A decision (form or JSON).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DecisionForm {
    /// Code of [`Outcome`].
    pub outcome: String,
    /// Why (published).
    pub motivation: String,
    /// Earlier work, answers or alternatives (at least one when closing).
    #[serde(default)]
    pub references: Vec<LinkForm>,
}

/// A parsed link whose target exists.
async fn link(hub: &Hub, defs: &Definitions, f: &LinkForm) -> Result<Link, CaseOpError> {
    let kind = vocab!("references", &f.kind, LinkKind)?;
    let target = f.target.trim();
    let known = match kind {
        LinkKind::Indicator => defs.recipe(target).is_some(),
        LinkKind::Analysis => defs.analyses().contains_key(target),
        LinkKind::Scenario => {
            !target.is_empty()
                && target.len() <= 64
                && target
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        }
        LinkKind::Case => match CaseId::parse(target) {
            Ok(id) => hub.case(&id).await?.is_some(),
            Err(_) => false,
        },
        LinkKind::External => {
            let url = parse_url("references", target).map_err(CaseError::from)?;
            return Ok(Link { kind, target: url });
        }
    };
    if !known {
        return Err(invalid(
            "references",
            format!("{}:{target} finns inte / does not exist", kind.code()),
        ));
    }
    Ok(Link {
        kind,
        target: target.to_owned(),
    })
}

async fn links(
    hub: &Hub,
    defs: &Definitions,
    forms: &[LinkForm],
) -> Result<Vec<Link>, CaseOpError> {
    let mut out = Vec::with_capacity(forms.len());
    for f in forms {
        out.push(link(hub, defs, f).await?);
    }
    Ok(out)
}

/// Apply a domain step to a stored case.
async fn step(
    hub: &Hub,
    id: &str,
    actor: &Actor,
    action: &'static str,
    change: impl FnOnce(&mut Case, &str) -> Result<(), CaseError>,
) -> Result<Case, CaseOpError> {
    let case_id = CaseId::parse(id).map_err(|_| CaseOpError::UnknownCase(id.to_owned()))?;
    match hub
        .update_case(&case_id, &actor.name, action, change)
        .await?
    {
        None => Err(CaseOpError::UnknownCase(id.to_owned())),
        Some(r) => Ok(r?),
    }
}

/// File a need (any logged-in user).
pub async fn file(hub: &Hub, actor: &Actor, form: &FilingForm) -> Result<Case, CaseOpError> {
    let filing = form.parse()?;
    Ok(hub.file_case(filing, &actor.name, actor.role).await?)
}

/// Triage a case (centre staff).
pub async fn triage(
    hub: &Hub,
    id: &str,
    actor: &Actor,
    form: &TriageForm,
) -> Result<Case, CaseOpError> {
    let t = Triage {
        category: vocab!("category", &form.category, Category)?,
        note: text("note", &form.note, LONG_TEXT)?,
    };
    step(hub, id, actor, "triage", |c, at| c.triage(actor, t, at)).await
}

fn dimension(
    field: &'static str,
    score: u8,
    motivation: &str,
) -> Result<DimensionScore, CaseOpError> {
    Ok(DimensionScore {
        score: Score::new(score).map_err(|e| invalid(field, e.to_string()))?,
        motivation: text(field, motivation, LONG_TEXT)?,
    })
}

/// Prioritise a case on the three dimensions (centre staff).
pub async fn prioritise(
    hub: &Hub,
    id: &str,
    actor: &Actor,
    f: &PriorityForm,
) -> Result<Case, CaseOpError> {
    let p = Prioritisation {
        value: dimension("value", f.value, &f.value_motivation)?,
        feasibility: dimension("feasibility", f.feasibility, &f.feasibility_motivation)?,
        regulatory: dimension("regulatory", f.regulatory, &f.regulatory_motivation)?,
    };
    step(hub, id, actor, "prioritise", |c, at| {
        c.prioritise(actor, p, at)
    })
    .await
}

/// Record the consequence assessment and risk analysis (centre staff).
pub async fn assess(
    hub: &Hub,
    id: &str,
    actor: &Actor,
    f: &AssessmentForm,
) -> Result<Case, CaseOpError> {
    let mut components = Vec::new();
    for c in &f.components {
        let c = vocab!("components", c, Component)?;
        if !components.contains(&c) {
            components.push(c);
        }
    }
    if f.effort_hours > 100_000 {
        return Err(invalid("effort_hours", "0–100 000"));
    }
    let mut risks = Vec::new();
    for (i, r) in f.risks.iter().enumerate() {
        let field = format!("risks[{i}]");
        for (name, v) in [("likelihood", r.likelihood), ("impact", r.impact)] {
            if !(1..=3).contains(&v) {
                return Err(invalid(&format!("{field}.{name}"), "1–3"));
            }
        }
        risks.push(Risk {
            kind: vocab!(&format!("{field}.kind"), &r.kind, RiskKind)?,
            description: text("risks.description", &r.description, LONG_TEXT)?,
            likelihood: r.likelihood,
            impact: r.impact,
            mitigation: text("risks.mitigation", &r.mitigation, LONG_TEXT)?,
        });
    }
    let a = Assessment {
        consequences: Consequences {
            governance: text("governance", &f.governance, LONG_TEXT)?,
            components,
            data_needed: text("data_needed", &f.data_needed, LONG_TEXT)?,
            competence: text("competence", &f.competence, LONG_TEXT)?,
            effort_hours: f.effort_hours,
        },
        risks,
    };
    step(hub, id, actor, "assess", |c, at| c.assess(actor, a, at)).await
}

/// Link a case to what answers it (centre staff).
pub async fn add_links(
    hub: &Hub,
    defs: &Definitions,
    id: &str,
    actor: &Actor,
    forms: &[LinkForm],
) -> Result<Case, CaseOpError> {
    let l = links(hub, defs, forms).await?;
    step(hub, id, actor, "link", |c, _| c.link(actor, l)).await
}

/// Decide: accept, hold or close (decision-maker).
pub async fn decide(
    hub: &Hub,
    defs: &Definitions,
    id: &str,
    actor: &Actor,
    f: &DecisionForm,
) -> Result<Case, CaseOpError> {
    let outcome = vocab!("outcome", &f.outcome, Outcome)?;
    let motivation = text("motivation", &f.motivation, LONG_TEXT)?;
    let refs = links(hub, defs, &f.references).await?;
    step(hub, id, actor, "decide", |c, at| {
        c.decide(actor, outcome, motivation, refs, at)
    })
    .await
}

/// A search of the public register.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct RegisterQuery {
    /// Words that must all occur (case-insensitive).
    pub q: Option<String>,
    /// Only cases with this status code.
    pub status: Option<String>,
}

/// The public register: every case in its public form, newest first, filtered.
pub async fn register(hub: &Hub, query: &RegisterQuery) -> Result<Vec<PublicCase>, CaseOpError> {
    let status = match query.status.as_deref().filter(|s| !s.is_empty()) {
        Some(s) => Some(vocab!("status", s, CaseStatus)?),
        None => None,
    };
    let q = query.q.as_deref().map(str::trim).filter(|q| !q.is_empty());
    Ok(hub
        .cases()
        .await?
        .iter()
        .map(PublicCase::of)
        .filter(|c| status.is_none_or(|s| c.status == s))
        .filter(|c| q.is_none_or(|q| c.matches(q)))
        .collect())
}

/// A case as one viewer may see it: the public form for everyone; the contact details, the
/// names and the history for the centre (and the requester's own case).
#[derive(Debug, Clone)]
pub struct CaseView {
    /// The public form.
    pub public: PublicCase,
    /// The whole case, when the viewer may see it.
    pub full: Option<(Case, Vec<CaseEvent>)>,
}

/// One case for `viewer` (anonymous: `None`).
pub async fn view(hub: &Hub, id: &str, viewer: Option<&Actor>) -> Result<CaseView, CaseOpError> {
    let unknown = || CaseOpError::UnknownCase(id.to_owned());
    let case_id = CaseId::parse(id).map_err(|_| unknown())?;
    let case = hub.case(&case_id).await?.ok_or_else(unknown)?;
    let public = PublicCase::of(&case);
    let may_see = viewer.is_some_and(|a| a.role.sees_all() || a.name == case.filed.by);
    let full = if may_see {
        let events = hub.case_events(&case_id).await?;
        Some((case, events))
    } else {
        None
    };
    Ok(CaseView { public, full })
}

#[cfg(test)]
mod tests;
