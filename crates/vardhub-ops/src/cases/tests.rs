//! A case through every step against a real catalogue, with the definitions' ids as links.

use super::*;
use vardhub_domain::case::CaseRole;
use vardhub_store::{AuditKey, HubId};

async fn hub(dir: &std::path::Path) -> Hub {
    let key = AuditKey::create(&dir.join("keys")).unwrap();
    Hub::init(dir.join("hub"), true, HubId::random(), key)
        .await
        .unwrap()
}

fn actor(name: &str, role: CaseRole) -> Actor {
    Actor {
        name: name.into(),
        role,
    }
}

pub(crate) fn filing_form() -> FilingForm {
    FilingForm {
        name: "Cecilia Berg".into(),
        email: "cecilia.berg@example.se".into(),
        organisation: "Region Sörmland".into(),
        requester_kind: "region".into(),
        question: "Hur stor andel av höftfrakturerna opereras inom 24 timmar?".into(),
        purpose: "Underlag till regionens uppföljning".into(),
        data_wanted: "Vårdkontakter 2024".into(),
        urgency: "normal".into(),
    }
}

#[tokio::test]
async fn a_case_from_filing_to_closure_with_links_checked() {
    let tmp = tempfile::tempdir().unwrap();
    let hub = hub(tmp.path()).await;
    let defs = Definitions::builtin();
    let requester = actor("cecilia", CaseRole::Requester);
    let staff = actor("stina", CaseRole::Staff);
    let decider = actor("david", CaseRole::DecisionMaker);

    let mut bad = filing_form();
    bad.question = "Gäller patient 19800102-2386".into();
    assert!(matches!(
        file(&hub, &requester, &bad).await,
        Err(CaseOpError::Refused(CaseError::Text(_)))
    ));
    bad = filing_form();
    bad.urgency = "asap".into();
    let e = file(&hub, &requester, &bad).await.unwrap_err();
    assert!(e.to_string().starts_with("urgency:"), "{e}");

    let case = file(&hub, &requester, &filing_form()).await.unwrap();
    let id = case.id.as_str().to_owned();
    let tr = TriageForm {
        category: "indikator".into(),
        note: "Finns som indikator".into(),
    };
    assert!(matches!(
        triage(&hub, &id, &requester, &tr).await,
        Err(CaseOpError::Refused(CaseError::Forbidden { .. }))
    ));
    triage(&hub, &id, &staff, &tr).await.unwrap();
    let p = PriorityForm {
        value: 4,
        value_motivation: "Flera regioner följer upp".into(),
        feasibility: 5,
        feasibility_motivation: "Indikatorn finns".into(),
        regulatory: 5,
        regulatory_motivation: "Endast aggregat".into(),
    };
    prioritise(&hub, &id, &staff, &p).await.unwrap();
    let a = AssessmentForm {
        governance: "NPO äger definitionen".into(),
        components: vec!["indikatorrecept".into(), "dashboard".into()],
        data_needed: "vardkontakter".into(),
        competence: "Analytiker".into(),
        effort_hours: 4,
        risks: vec![RiskForm {
            kind: "kvalitet".into(),
            description: "Tidpunkter saknas i vissa regioner".into(),
            likelihood: 2,
            impact: 2,
            mitigation: "Kvalitetsrapport per region".into(),
        }],
    };
    assess(&hub, &id, &staff, &a).await.unwrap();
    let unknown = LinkForm {
        kind: "indikator".into(),
        target: "finns_inte".into(),
    };
    assert!(matches!(
        add_links(&hub, &defs, &id, &staff, &[unknown]).await,
        Err(CaseOpError::Invalid { .. })
    ));
    let links =
        LinkForm::lines("indikator:hoftfraktur_op_24h\n\nanalys:hoftfraktur_vardkedja").unwrap();
    add_links(&hub, &defs, &id, &staff, &links).await.unwrap();
    let accept = DecisionForm {
        outcome: "beviljat".into(),
        motivation: "Hög nytta, enkelt".into(),
        references: vec![],
    };
    assert!(matches!(
        decide(&hub, &defs, &id, &staff, &accept).await,
        Err(CaseOpError::Refused(CaseError::Forbidden { .. }))
    ));
    decide(&hub, &defs, &id, &decider, &accept).await.unwrap();
    let close = DecisionForm {
        outcome: "avslutat".into(),
        motivation: "Besvarat av befintlig indikator".into(),
        references: LinkForm::lines(
            "indikator:hoftfraktur_op_24h\nextern:https://www.socialstyrelsen.se/statistik",
        )
        .unwrap(),
    };
    let closed = decide(&hub, &defs, &id, &decider, &close).await.unwrap();
    assert_eq!(closed.status, CaseStatus::Closed);

    // A second case may refer to the first; the register finds it by its words.
    let second = file(&hub, &requester, &filing_form()).await.unwrap();
    let refs = [LinkForm {
        kind: "arende".into(),
        target: id.clone(),
    }];
    add_links(&hub, &defs, second.id.as_str(), &staff, &refs)
        .await
        .unwrap();
    let found = register(
        &hub,
        &RegisterQuery {
            q: Some("HÖFTFRAKTURERNA 24".into()),
            status: Some("avslutat".into()),
        },
    )
    .await
    .unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].id.as_str(), id);

    // The public sees the public form; the requester and the centre see the whole case.
    let anonymous = view(&hub, &id, None).await.unwrap();
    assert!(anonymous.full.is_none());
    let other = actor("olle", CaseRole::Requester);
    assert!(view(&hub, &id, Some(&other)).await.unwrap().full.is_none());
    let own = view(&hub, &id, Some(&requester)).await.unwrap();
    let (case, events) = own.full.unwrap();
    assert_eq!(case.filing.contact.email, "cecilia.berg@example.se");
    assert_eq!(events.len(), 7);
    let json = serde_json::to_string(&anonymous.public).unwrap();
    assert!(!json.contains("Cecilia") && !json.contains("example.se") && !json.contains("david"));
    assert!(matches!(
        view(&hub, "2020-0001", None).await,
        Err(CaseOpError::UnknownCase(_))
    ));
}

#[tokio::test]
async fn handling_time_is_recorded_by_staff_on_a_known_case() {
    let tmp = tempfile::tempdir().unwrap();
    let hub = hub(tmp.path()).await;
    let requester = actor("cecilia", CaseRole::Requester);
    let staff = actor("stina", CaseRole::Staff);
    let case = file(&hub, &requester, &filing_form()).await.unwrap();
    let id = case.id.as_str();
    let day = chrono::NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
    assert!(matches!(
        record_time(&hub, id, &requester, "1", "Läste", day).await,
        Err(CaseOpError::Refused(CaseError::Forbidden { .. }))
    ));
    assert!(matches!(
        record_time(&hub, "2020-0009", &staff, "1", "x", day).await,
        Err(CaseOpError::UnknownCase(_))
    ));
    assert!(matches!(
        record_time(&hub, id, &staff, "en timme", "x", day).await,
        Err(CaseOpError::Invalid { .. })
    ));
    record_time(&hub, id, &staff, "1,5", "Sortering och prioritering", day)
        .await
        .unwrap();
    record_time(&hub, id, &staff, "0.25", "Svar", day)
        .await
        .unwrap();
    let entries = time_entries(&hub, id).await.unwrap();
    assert_eq!(entries.iter().map(|e| e.minutes).sum::<i64>(), 105);
}
