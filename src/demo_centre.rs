//! The competence centre's side of the demo: three cases at different stages (a closed one that
//! an indicator answers, an accepted one that an analysis answers, a newly filed one) and the
//! example research project, so that the register and the transparency page show what they are
//! for. Every step goes through the same library operations as the pages and the API.

use anyhow::{Context, Result};
use vardhub_domain::case::{Actor, CaseRole};
use vardhub_engine::definitions::Definitions;
use vardhub_ops::cases::{
    self, AssessmentForm, DecisionForm, FilingForm, LinkForm, PriorityForm, RiskForm, TriageForm,
};
use vardhub_store::Hub;

/// The example research project (`research/exempel_hoftfraktur.toml`).
const EXAMPLE_PROJECT: &str = include_str!("../research/exempel_hoftfraktur.toml");

fn actor(name: &str, role: CaseRole) -> Actor {
    Actor {
        name: name.into(),
        role,
    }
}

fn filing(kind: &str, organisation: &str, question: &str, purpose: &str, data: &str) -> FilingForm {
    FilingForm {
        name: "Demo Beställare".into(),
        email: "bestallare@example.se".into(),
        organisation: organisation.into(),
        requester_kind: kind.into(),
        question: question.into(),
        purpose: purpose.into(),
        data_wanted: data.into(),
        urgency: "normal".into(),
    }
}

fn links(text: &str) -> Result<Vec<LinkForm>> {
    LinkForm::lines(text).map_err(|e| anyhow::anyhow!("{e}"))
}

/// Take a case through triage, prioritisation and assessment.
async fn prepare(
    hub: &Hub,
    id: &str,
    staff: &Actor,
    category: &str,
    scores: [u8; 3],
) -> Result<()> {
    let triage = TriageForm {
        category: category.into(),
        note: "Sorterat vid veckans intagsmöte".into(),
    };
    cases::triage(hub, id, staff, &triage).await?;
    let p = PriorityForm {
        value: scores[0],
        value_motivation: "Efterfrågas av flera regioner och ett NPO".into(),
        feasibility: scores[1],
        feasibility_motivation: "Data finns i hubben".into(),
        regulatory: scores[2],
        regulatory_motivation: "Aggregerade resultat genom röjandekontrollen".into(),
    };
    cases::prioritise(hub, id, staff, &p).await?;
    let a = AssessmentForm {
        governance: "Kompetenscentret förvaltar; NPO godkänner definitionen".into(),
        components: vec!["indikatorrecept".into(), "dashboard".into()],
        data_needed: "vardkontakter".into(),
        competence: "Statistiker och en kliniker från NPO".into(),
        effort_hours: 24,
        risks: vec![RiskForm {
            kind: "kvalitet".into(),
            description: "Regionerna registrerar tidpunkter olika".into(),
            likelihood: 2,
            impact: 2,
            mitigation: "Kvalitetsrapport per region bredvid värdena".into(),
        }],
    };
    cases::assess(hub, id, staff, &a).await?;
    Ok(())
}

/// File the demo's cases and add the example project.
pub async fn seed(hub: &Hub, defs: &Definitions) -> Result<()> {
    let requester = actor("demo-bestallare", CaseRole::Requester);
    let staff = actor("demo-handlaggare", CaseRole::Staff);
    let decider = actor("demo-beslutsfattare", CaseRole::DecisionMaker);

    let answered = cases::file(
        hub,
        &requester,
        &filing(
            "npo",
            "NPO rörelseorganens sjukdomar",
            "Hur stor andel av patienterna med höftfraktur opereras inom 24 timmar, per region och månad?",
            "Uppföljning av det nationella vårdförloppet för höftfraktur",
            "Vårdkontakter med diagnoser och åtgärder",
        ),
    )
    .await?;
    let id = answered.id.to_string();
    prepare(hub, &id, &staff, "indikator", [5, 5, 5]).await?;
    cases::add_links(
        hub,
        defs,
        &id,
        &staff,
        &links("indikator:hoftfraktur_op_24h")?,
    )
    .await?;
    let accept = DecisionForm {
        outcome: "beviljat".into(),
        motivation: "Hög nytta, besvaras med befintliga data".into(),
        references: Vec::new(),
    };
    cases::decide(hub, defs, &id, &decider, &accept).await?;
    let close = DecisionForm {
        outcome: "avslutat".into(),
        motivation: "Besvarat: indikatorn publiceras för alla regioner varje månad".into(),
        references: links("indikator:hoftfraktur_op_24h\nanalys:hoftfraktur_vardkedja")?,
    };
    cases::decide(hub, defs, &id, &decider, &close).await?;

    let accepted = cases::file(
        hub,
        &requester,
        &filing(
            "region",
            "Region Värmland",
            "Minskar mobila team de äldres akuta slutenvård jämfört med liknande patienter utan team?",
            "Beslut om att sprida modellen till fler kommuner",
            "Vårdkontakter och åtgärden mobilt team (XS010)",
        ),
    )
    .await?;
    let id = accepted.id.to_string();
    prepare(hub, &id, &staff, "analys", [4, 3, 4]).await?;
    cases::add_links(hub, defs, &id, &staff, &links("analys:mobila_team")?).await?;
    cases::decide(hub, defs, &id, &decider, &accept).await?;

    cases::file(
        hub,
        &requester,
        &filing(
            "medborgare",
            "Privatperson",
            "Hur länge får man vänta på en första bedömning i specialistvården i min region jämfört med andra?",
            "Att förstå väntetiderna",
            "Väntetider",
        ),
    )
    .await?;

    vardhub_ops::research::add_project(hub, defs.specs(), EXAMPLE_PROJECT, "demo-handlaggare")
        .await
        .context("exempelprojektet / the example project")?;
    Ok(())
}
