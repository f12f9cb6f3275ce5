//! What the case pages show, resolved to the page's language: plain strings for the templates.

use super::forms::RISK_ROWS;
use crate::i18n::Lang;
use crate::routes::pages::Base;
use askama::Template;
use vardhub_domain::case::{
    Actor, CaseStatus, Category, Component, Dimension, Link, LinkKind, Outcome, PublicCase,
    RiskKind, scale,
};
use vardhub_ops::cases::CaseView;
use vardhub_store::work_log::WorkEntry;

/// An option of a select or a checkbox.
pub struct Choice {
    /// The code sent.
    pub code: String,
    /// What is shown.
    pub label: String,
    /// Whether it is chosen.
    pub chosen: bool,
}

impl Choice {
    /// An option.
    pub fn new(code: &str, label: &str, chosen: bool) -> Choice {
        Choice {
            code: code.to_owned(),
            label: label.to_owned(),
            chosen,
        }
    }
}

/// A row of the register.
pub struct RegisterRow {
    /// Case id.
    pub id: String,
    /// Filing date.
    pub filed: String,
    /// The question.
    pub question: String,
    /// Who asks (kind, and organisation when public).
    pub from: String,
    /// Status.
    pub status: String,
    /// Status code (for styling).
    pub status_code: String,
    /// Priority class and total, or "–".
    pub priority: String,
    /// The latest decision's motivation, or "".
    pub decision: String,
}

fn from(c: &PublicCase, t: Lang) -> String {
    let kind = t.pick(c.requester_kind.sv(), c.requester_kind.en());
    match &c.organisation {
        Some(o) => format!("{kind}: {o}"),
        None => kind.to_owned(),
    }
}

fn priority(c: &PublicCase, t: Lang) -> String {
    match (c.priority_class, c.priority_total) {
        (Some(class), Some(total)) => format!("{} ({total}/15)", t.pick(class.sv(), class.en())),
        _ => "–".into(),
    }
}

impl RegisterRow {
    /// The row of `c`.
    pub fn of(c: &PublicCase, t: Lang) -> RegisterRow {
        RegisterRow {
            id: c.id.to_string(),
            filed: c.filed.clone(),
            question: c.question.to_string(),
            from: from(c, t),
            status: t.pick(c.status.sv(), c.status.en()).to_owned(),
            status_code: c.status.code().to_owned(),
            priority: priority(c, t),
            decision: c
                .decisions
                .last()
                .map(|d| d.motivation.to_string())
                .unwrap_or_default(),
        }
    }
}

/// A link as shown: its kind, its text and where it goes.
pub struct LinkRow {
    /// The kind.
    pub kind: String,
    /// The target.
    pub text: String,
    /// The address.
    pub href: String,
}

fn link_row(l: &Link, t: Lang) -> LinkRow {
    let href = match l.kind {
        LinkKind::Indicator => format!("/indikatorer/{}", l.target),
        LinkKind::Analysis => format!("/analyser/{}", l.target),
        LinkKind::Case => format!("/arenden/{}", l.target),
        LinkKind::Scenario => String::new(),
        LinkKind::External => l.target.clone(),
    };
    LinkRow {
        kind: t.pick(l.kind.sv(), l.kind.en()).to_owned(),
        text: l.target.clone(),
        href,
    }
}

/// A scored dimension.
pub struct ScoreRow {
    /// Dimension name.
    pub dimension: String,
    /// Score.
    pub score: u8,
    /// What the score means on the scale.
    pub step: String,
    /// Motivation.
    pub motivation: String,
}

/// A risk.
pub struct RiskRow {
    /// Kind.
    pub kind: String,
    /// Description.
    pub description: String,
    /// Likelihood 1–3.
    pub likelihood: u8,
    /// Impact 1–3.
    pub impact: u8,
    /// Level: likelihood × impact and its name.
    pub level: String,
    /// Mitigation.
    pub mitigation: String,
}

/// A decision.
pub struct DecisionRow {
    /// Date.
    pub date: String,
    /// Outcome.
    pub outcome: String,
    /// The decider's role.
    pub role: String,
    /// Motivation.
    pub motivation: String,
    /// References.
    pub references: Vec<LinkRow>,
}

/// A row of the history (centre and requester only).
pub struct EventRow {
    /// When.
    pub at: String,
    /// Who.
    pub actor: String,
    /// What.
    pub action: String,
    /// Status after.
    pub status: String,
}

/// A row of the handling time (centre only).
pub struct TimeRow {
    /// Day.
    pub day: String,
    /// Who.
    pub who: String,
    /// Hours with a decimal comma.
    pub hours: String,
    /// What was done.
    pub activity: String,
}

/// Minutes as hours with two decimals and a decimal comma (`1,50`).
pub fn hours(minutes: i64) -> String {
    let hundredths = (minutes * 100 + 30) / 60;
    format!("{},{:02}", hundredths / 100, hundredths % 100)
}

/// One dimension of the prioritisation form, with its scale.
pub struct ScaleField {
    /// Field name.
    pub name: String,
    /// Dimension name.
    pub label: String,
    /// The five steps.
    pub steps: Vec<Choice>,
}

/// The case page.
#[derive(Template)]
#[template(path = "case.html")]
pub struct CasePage {
    /// Frame.
    pub base: Base,
    /// Language.
    pub t: Lang,
    /// Refused step's reason.
    pub error: Option<String>,
    /// Case id.
    pub id: String,
    /// Status.
    pub status: String,
    /// Filing date.
    pub filed: String,
    /// Who asks.
    pub from: String,
    /// Question.
    pub question: String,
    /// Purpose.
    pub purpose: String,
    /// Data wanted.
    pub data_wanted: String,
    /// Urgency.
    pub urgency: String,
    /// Triage: category and note.
    pub triage: Option<(String, String)>,
    /// Prioritisation rows.
    pub scores: Vec<ScoreRow>,
    /// Priority class and total.
    pub priority: String,
    /// Consequences: governance, components, data, competence, effort.
    pub consequences: Option<[String; 5]>,
    /// Risks.
    pub risks: Vec<RiskRow>,
    /// Links.
    pub links: Vec<LinkRow>,
    /// Decisions.
    pub decisions: Vec<DecisionRow>,
    /// Contact details (name, e-mail, filed by), for who may see them.
    pub contact: Option<[String; 3]>,
    /// History, for who may see it.
    pub history: Vec<EventRow>,
    /// Handling time, for the centre's roles (`None`: not shown).
    pub time: Option<Vec<TimeRow>>,
    /// Total handling time in hours.
    pub time_total: String,
    /// The time form offered.
    pub can_record_time: bool,
    /// Forms offered.
    pub can_triage: bool,
    /// Prioritisation form offered.
    pub can_prioritise: bool,
    /// Assessment form offered.
    pub can_assess: bool,
    /// Links form offered.
    pub can_link: bool,
    /// Decision form offered.
    pub can_decide: bool,
    /// Categories.
    pub categories: Vec<Choice>,
    /// Scales of the prioritisation form.
    pub scale_fields: Vec<ScaleField>,
    /// Components.
    pub components: Vec<Choice>,
    /// Risk kinds.
    pub risk_kinds: Vec<Choice>,
    /// Risk rows offered (1…).
    pub risk_rows: Vec<usize>,
    /// Outcomes.
    pub outcomes: Vec<Choice>,
}

fn risk_level(level: u8, t: Lang) -> String {
    let name = match level {
        6.. => t.pick("hög", "high"),
        3..=4 => t.pick("medel", "medium"),
        _ => t.pick("låg", "low"),
    };
    format!("{level} ({name})")
}

fn choices<T: Copy>(
    all: &[T],
    t: Lang,
    code: fn(T) -> &'static str,
    sv: fn(T) -> &'static str,
    en: fn(T) -> &'static str,
) -> Vec<Choice> {
    all.iter()
        .map(|v| Choice::new(code(*v), t.pick(sv(*v), en(*v)), false))
        .collect()
}

/// The case page for `viewer`.
pub fn case_page(
    base: Base,
    v: &CaseView,
    viewer: Option<&Actor>,
    time: Option<&[WorkEntry]>,
    error: Option<String>,
) -> CasePage {
    use CaseStatus::*;
    let t = base.lang;
    let c = &v.public;
    let role = viewer.map(|a| a.role);
    let handle = role.is_some_and(|r| r.may_handle());
    let decide = role.is_some_and(|r| r.may_decide());
    let open = c.status != Closed;
    let scores = c
        .priority
        .as_ref()
        .map(|p| {
            p.scores()
                .iter()
                .map(|(d, s)| {
                    let n = s.score.get();
                    let step = scale::steps(*d)[usize::from(n - 1)];
                    ScoreRow {
                        dimension: t.pick(d.sv(), d.en()).to_owned(),
                        score: n,
                        step: t.pick(step.1, step.2).to_owned(),
                        motivation: s.motivation.to_string(),
                    }
                })
                .collect()
        })
        .unwrap_or_default();
    let (consequences, risks) = match &c.assessment {
        Some(a) => {
            let k = &a.consequences;
            let comps: Vec<&str> = k
                .components
                .iter()
                .map(|x| t.pick(x.sv(), x.en()))
                .collect();
            let rows = a
                .risks
                .iter()
                .map(|r| RiskRow {
                    kind: t.pick(r.kind.sv(), r.kind.en()).to_owned(),
                    description: r.description.to_string(),
                    likelihood: r.likelihood,
                    impact: r.impact,
                    level: risk_level(r.level(), t),
                    mitigation: r.mitigation.to_string(),
                })
                .collect();
            let effort = format!("{} {}", k.effort_hours, t.pick("timmar", "hours"));
            let c5 = [
                k.governance.to_string(),
                comps.join(", "),
                k.data_needed.to_string(),
                k.competence.to_string(),
                effort,
            ];
            (Some(c5), rows)
        }
        None => (None, Vec::new()),
    };
    let (contact, history) = match &v.full {
        Some((case, events)) => (
            Some([
                case.filing.contact.name.clone(),
                case.filing.contact.email.clone(),
                case.filed.by.clone(),
            ]),
            events
                .iter()
                .map(|e| EventRow {
                    at: e.at.get(..16).unwrap_or(&e.at).replace('T', " "),
                    actor: e.actor.clone(),
                    action: e.action.clone(),
                    status: CaseStatus::parse(&e.status)
                        .map_or(e.status.clone(), |s| t.pick(s.sv(), s.en()).to_owned()),
                })
                .collect(),
        ),
        None => (None, Vec::new()),
    };
    CasePage {
        t,
        error,
        id: c.id.to_string(),
        status: t.pick(c.status.sv(), c.status.en()).to_owned(),
        filed: c.filed.clone(),
        from: from(c, t),
        question: c.question.to_string(),
        purpose: c.purpose.to_string(),
        data_wanted: c.data_wanted.to_string(),
        urgency: t.pick(c.urgency.sv(), c.urgency.en()).to_owned(),
        triage: c.triage.as_ref().map(|tr| {
            (
                t.pick(tr.category.sv(), tr.category.en()).to_owned(),
                tr.note.to_string(),
            )
        }),
        scores,
        priority: priority(c, t),
        consequences,
        risks,
        links: c.links.iter().map(|l| link_row(l, t)).collect(),
        decisions: c
            .decisions
            .iter()
            .map(|d| DecisionRow {
                date: d.date.clone(),
                outcome: t.pick(d.outcome.sv(), d.outcome.en()).to_owned(),
                role: t
                    .pick(d.decided_by_role.sv(), d.decided_by_role.en())
                    .to_owned(),
                motivation: d.motivation.to_string(),
                references: d.references.iter().map(|l| link_row(l, t)).collect(),
            })
            .collect(),
        contact,
        history,
        time_total: hours(time.map_or(0, |t| t.iter().map(|e| e.minutes).sum())),
        time: time.map(|entries| {
            entries
                .iter()
                .map(|e| TimeRow {
                    day: e.day.to_string(),
                    who: e.who.clone(),
                    hours: hours(e.minutes),
                    activity: e.activity.clone(),
                })
                .collect()
        }),
        can_record_time: handle,
        can_triage: handle && matches!(c.status, Filed | Triaged),
        can_prioritise: handle && matches!(c.status, Triaged | Prioritised | Assessed | OnHold),
        can_assess: handle && matches!(c.status, Prioritised | Assessed | OnHold),
        can_link: handle && open,
        can_decide: decide && open && c.status != Filed,
        categories: choices(Category::ALL, t, Category::code, Category::sv, Category::en),
        scale_fields: Dimension::ALL
            .iter()
            .map(|d| ScaleField {
                name: d_field(*d).to_owned(),
                label: t.pick(d.sv(), d.en()).to_owned(),
                steps: scale::steps(*d)
                    .iter()
                    .map(|(n, sv, en)| {
                        Choice::new(&n.to_string(), &format!("{n} – {}", t.pick(sv, en)), false)
                    })
                    .collect(),
            })
            .collect(),
        components: choices(
            Component::ALL,
            t,
            Component::code,
            Component::sv,
            Component::en,
        ),
        risk_kinds: choices(RiskKind::ALL, t, RiskKind::code, RiskKind::sv, RiskKind::en),
        risk_rows: (1..=RISK_ROWS).collect(),
        outcomes: choices(Outcome::ALL, t, Outcome::code, Outcome::sv, Outcome::en),
        base,
    }
}

fn d_field(d: Dimension) -> &'static str {
    match d {
        Dimension::Value => "value",
        Dimension::Feasibility => "feasibility",
        Dimension::Regulatory => "regulatory",
    }
}
