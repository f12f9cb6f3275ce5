//! The output-checking record: its rules are enforced where the decision is recorded.

use super::*;

fn check(verdict: &str, earlier: Vec<i64>) -> MachineCheck {
    MachineCheck {
        report_json: format!("{{\"verdict\":\"{verdict}\"}}"),
        verdict: verdict.into(),
        earlier,
    }
}

fn new(project: &str, output: &str, by: &str, verdict: &str, earlier: Vec<i64>) -> NewOutput {
    NewOutput {
        project: project.into(),
        output_id: output.into(),
        submitted_by: by.into(),
        table_json: format!("{{\"id\":\"{output}\",\"cells\":[]}}"),
        check: check(verdict, earlier),
    }
}

#[tokio::test]
async fn decisions_follow_the_rules_and_are_recorded_once() {
    let tmp = tempfile::tempdir().unwrap();
    let hub = crate::hub::test_hub(tmp.path()).await;
    let a = hub
        .submit_output(&new("P1", "t1", "rita", VERDICT_REVIEW, vec![]))
        .await
        .unwrap();
    assert_eq!(a.decision, None);
    let err = hub
        .decide_output(
            a.id,
            OutputDecision::Approved,
            "ok",
            "Rita",
            &check(VERDICT_REVIEW, vec![]),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, OutputRecordError::SelfCheck(_)), "{err}");
    let err = hub
        .decide_output(
            a.id,
            OutputDecision::Approved,
            " ",
            "kim",
            &check(VERDICT_REVIEW, vec![]),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, OutputRecordError::ReasonRequired(_)), "{err}");
    let d = hub
        .decide_output(
            a.id,
            OutputDecision::Approved,
            "Cellen 3 är en summa av publicerade uppgifter",
            "kim",
            &check(VERDICT_REVIEW, vec![]),
        )
        .await
        .unwrap();
    assert!(d.approved());
    assert_eq!(d.decision.as_ref().unwrap().checker, "kim");
    let err = hub
        .decide_output(
            a.id,
            OutputDecision::Refused,
            "nej",
            "lo",
            &check(VERDICT_PASS, vec![]),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(err, OutputRecordError::AlreadyDecided { .. }),
        "{err}"
    );
    assert!(matches!(
        hub.decide_output(
            99,
            OutputDecision::Refused,
            "x",
            "lo",
            &check(VERDICT_PASS, vec![])
        )
        .await,
        Err(OutputRecordError::NotFound(99))
    ));

    // The next submission must have been checked against the approved output a.
    let err = hub
        .submit_output(&new("P1", "t2", "rita", VERDICT_PASS, vec![]))
        .await
        .unwrap_err();
    assert!(matches!(err, OutputRecordError::Stale), "{err}");
    let b = hub
        .submit_output(&new("P1", "t2", "rita", VERDICT_PASS, vec![a.id]))
        .await
        .unwrap();
    let err = hub
        .decide_output(
            b.id,
            OutputDecision::Refused,
            "",
            "kim",
            &check(VERDICT_PASS, vec![a.id]),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(err, OutputRecordError::ReasonRequired(_)),
        "refusal needs a reason"
    );
    hub.decide_output(
        b.id,
        OutputDecision::Approved,
        "",
        "kim",
        &check(VERDICT_PASS, vec![a.id]),
    )
    .await
    .unwrap();
    let err = hub
        .submit_output(&new("P1", "t1", "rita", VERDICT_PASS, vec![a.id, b.id]))
        .await
        .unwrap_err();
    assert!(matches!(err, OutputRecordError::Duplicate { .. }), "{err}");
    let other = hub
        .submit_output(&new("P2", "t1", "rita", VERDICT_PASS, vec![]))
        .await
        .unwrap();
    assert_eq!(other.check.earlier, Vec::<i64>::new(), "projects are apart");

    assert_eq!(hub.outputs(Some("P1")).await.unwrap().len(), 2);
    assert_eq!(hub.outputs(None).await.unwrap().len(), 3);
    let approved: Vec<i64> = hub
        .approved_outputs("P1")
        .await
        .unwrap()
        .iter()
        .map(|o| o.id)
        .collect();
    assert_eq!(approved, vec![a.id, b.id]);
    let actions: Vec<String> = hub
        .audit_entries()
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.action.starts_with("outputs."))
        .map(|e| format!("{} {} {}", e.action, e.object, e.actor))
        .collect();
    assert_eq!(
        actions,
        vec![
            format!("outputs.submit output:{} rita", a.id),
            format!("outputs.decide output:{} kim", a.id),
            format!("outputs.submit output:{} rita", b.id),
            format!("outputs.decide output:{} kim", b.id),
            format!("outputs.submit output:{} rita", other.id),
        ]
    );
    assert!(hub.verify_audit().await.unwrap().is_ok());
    for sql in [
        "UPDATE output_submissions SET verdict = 'pass'",
        "DELETE FROM output_submissions",
        "UPDATE output_decisions SET decision = 'refused'",
        "DELETE FROM output_decisions",
    ] {
        assert!(sqlx::query(sql).execute(&hub.pool).await.is_err(), "{sql}");
    }
}

#[tokio::test]
async fn a_refused_output_id_may_be_submitted_again_and_stale_decisions_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let hub = crate::hub::test_hub(tmp.path()).await;
    let a = hub
        .submit_output(&new("P1", "t1", "rita", VERDICT_PASS, vec![]))
        .await
        .unwrap();
    let b = hub
        .submit_output(&new("P1", "t2", "rita", VERDICT_PASS, vec![]))
        .await
        .unwrap();
    hub.decide_output(
        a.id,
        OutputDecision::Refused,
        "för detaljerad",
        "kim",
        &check(VERDICT_PASS, vec![]),
    )
    .await
    .unwrap();
    hub.submit_output(&new("P1", "t1", "rita", VERDICT_PASS, vec![]))
        .await
        .unwrap();
    hub.decide_output(
        b.id,
        OutputDecision::Approved,
        "",
        "kim",
        &check(VERDICT_PASS, vec![]),
    )
    .await
    .unwrap();
    let c = hub.outputs(Some("P1")).await.unwrap()[2].clone();
    let err = hub
        .decide_output(
            c.id,
            OutputDecision::Approved,
            "",
            "kim",
            &check(VERDICT_PASS, vec![]),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(err, OutputRecordError::Stale),
        "b was approved after c's check: {err}"
    );
    hub.decide_output(
        c.id,
        OutputDecision::Approved,
        "",
        "kim",
        &check(VERDICT_PASS, vec![b.id]),
    )
    .await
    .unwrap();
}
