use super::*;

fn t(s: &str) -> PublicText {
    PublicText::parse("text", s, 2000).unwrap()
}

fn actor(role: CaseRole) -> Actor {
    Actor {
        name: format!("user-{}", role.code()),
        role,
    }
}

fn filed() -> Case {
    let filing = Filing {
        contact: Contact::parse("Anna Andersson", "anna@example.se").unwrap(),
        organisation: t("Region Värmland"),
        requester_kind: RequesterKind::Region,
        question: t("Hur lång är väntetiden till höftfrakturoperation?"),
        purpose: t("Uppföljning i regionstyrelsen"),
        data_wanted: t("Vårdkontakter 2024"),
        urgency: Urgency::Normal,
    };
    let stamp = Stamp {
        by: "anna".into(),
        role: CaseRole::Requester,
        at: "2026-12-01T09:00:00Z".into(),
    };
    Case::file(CaseId::new(2026, 1), filing, stamp)
}

fn score(n: u8) -> DimensionScore {
    DimensionScore {
        score: Score::new(n).unwrap(),
        motivation: t("Motiverat enligt skalan"),
    }
}

fn prio(v: u8, f: u8, r: u8) -> Prioritisation {
    Prioritisation {
        value: score(v),
        feasibility: score(f),
        regulatory: score(r),
    }
}

fn assessment() -> Assessment {
    Assessment {
        consequences: Consequences {
            governance: t("NPO rörelseorganens sjukdomar äger frågan"),
            components: vec![Component::IndicatorRecipe],
            data_needed: t("vardkontakter"),
            competence: t("Statistiker 40 timmar"),
            effort_hours: 40,
        },
        risks: vec![Risk {
            kind: RiskKind::Privacy,
            description: t("Små regioner kan röja enskilda"),
            likelihood: 2,
            impact: 3,
            mitigation: t("Röjandekontroll enligt policyn"),
        }],
    }
}

const AT: &str = "2026-12-02T10:00:00Z";

#[test]
fn a_case_goes_from_filing_to_closure() {
    let mut c = filed();
    let staff = actor(CaseRole::Staff);
    let decider = actor(CaseRole::DecisionMaker);
    let triage = Triage {
        category: Category::Indicator,
        note: t("Ny indikator"),
    };
    c.triage(&staff, triage, AT).unwrap();
    assert_eq!(c.status, CaseStatus::Triaged);
    // Accepting before the assessment is refused.
    let refused = c.decide(&decider, Outcome::Accepted, t("Ja"), vec![], AT);
    assert!(matches!(refused, Err(CaseError::WrongStage { .. })));
    c.prioritise(&staff, prio(5, 4, 5), AT).unwrap();
    assert_eq!(c.priority.as_ref().unwrap().0.class(), PriorityClass::High);
    c.assess(&staff, assessment(), AT).unwrap();
    assert_eq!(c.status, CaseStatus::Assessed);
    c.decide(&decider, Outcome::Accepted, t("Hög nytta"), vec![], AT)
        .unwrap();
    assert_eq!(c.status, CaseStatus::Accepted);
    let answer = Link {
        kind: LinkKind::Indicator,
        target: "hoftfraktur_op_24h".into(),
    };
    c.link(&staff, vec![answer.clone(), answer.clone()])
        .unwrap();
    assert_eq!(c.links.len(), 1);
    // Closing needs a reference.
    assert_eq!(
        c.decide(&decider, Outcome::Closed, t("Besvarat"), vec![], AT),
        Err(CaseError::NoReference)
    );
    c.decide(&decider, Outcome::Closed, t("Besvarat"), vec![answer], AT)
        .unwrap();
    assert_eq!(c.status, CaseStatus::Closed);
    assert_eq!(c.decisions.len(), 2);
    assert_eq!(c.decision().unwrap().stamp.by, "user-decider");
    // Closed is final.
    assert!(
        c.decide(&decider, Outcome::OnHold, t("x"), vec![], AT)
            .is_err()
    );
    assert!(c.link(&staff, vec![]).is_err());
}

#[test]
fn roles_are_enforced() {
    let mut c = filed();
    let requester = actor(CaseRole::Requester);
    let staff = actor(CaseRole::Staff);
    let triage = || Triage {
        category: Category::Analysis,
        note: t("Analys"),
    };
    assert!(matches!(
        c.triage(&requester, triage(), AT),
        Err(CaseError::Forbidden { .. })
    ));
    c.triage(&staff, triage(), AT).unwrap();
    let hold = c.decide(&staff, Outcome::OnHold, t("vänta"), vec![], AT);
    assert!(matches!(hold, Err(CaseError::Forbidden { .. })));
    let admin = actor(CaseRole::Admin);
    c.decide(
        &admin,
        Outcome::OnHold,
        t("Kapacitet saknas i år"),
        vec![],
        AT,
    )
    .unwrap();
    assert_eq!(c.status, CaseStatus::OnHold);
}

#[test]
fn priority_classes_follow_the_scale() {
    assert_eq!(prio(5, 5, 5).total(), 15);
    assert_eq!(prio(4, 4, 4).class(), PriorityClass::High);
    assert_eq!(prio(3, 3, 3).class(), PriorityClass::Medium);
    assert_eq!(prio(3, 2, 2).class(), PriorityClass::Low);
    // One dimension at 1 makes the case low whatever the total.
    assert_eq!(prio(5, 5, 1).class(), PriorityClass::Low);
    assert!(Score::new(0).is_err() && Score::new(6).is_err());
    for d in Dimension::ALL {
        let s = scale::steps(*d);
        assert_eq!(s.map(|x| x.0), [1, 2, 3, 4, 5]);
    }
}

#[test]
fn the_public_form_holds_no_personal_data() {
    let mut c = filed();
    c.filing.requester_kind = RequesterKind::Citizen;
    c.filing.organisation = t("Föreningen för Anna");
    c.triage(
        &actor(CaseRole::Staff),
        Triage {
            category: Category::OpenData,
            note: t("Öppna data"),
        },
        AT,
    )
    .unwrap();
    let public = PublicCase::of(&c);
    let json = serde_json::to_string(&public).unwrap();
    for secret in ["Anna", "anna@example.se", "user-centre", "09:00"] {
        assert!(!json.contains(secret), "{secret} in {json}");
    }
    assert!(json.contains("2026-12-01"));
    assert!(public.matches("VÄNTETIDEN höftfrakturoperation"));
    assert!(!public.matches("cancer"));
}

#[test]
fn case_ids_and_self_references() {
    assert_eq!(CaseId::new(2026, 7).as_str(), "2026-0007");
    assert!(CaseId::parse("2026-0007").is_ok());
    for bad in ["2026-7", "26-0007", "2026-00a7", "../x"] {
        assert!(CaseId::parse(bad).is_err(), "{bad}");
    }
    let mut c = filed();
    let own = Link {
        kind: LinkKind::Case,
        target: "2026-0001".into(),
    };
    assert_eq!(
        c.link(&actor(CaseRole::Staff), vec![own]),
        Err(CaseError::SelfReference)
    );
    // Stored cases round-trip through JSON, their texts parsed again.
    let back: Case = serde_json::from_str(&serde_json::to_string(&c).unwrap()).unwrap();
    assert_eq!(back, c);
}
