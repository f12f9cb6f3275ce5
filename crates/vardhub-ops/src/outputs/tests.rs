//! Output checking end to end on a real store: planted disclosive outputs are flagged with the
//! rule named, a safe one passes, the decision rules hold, and differencing sees only the same
//! project's approved outputs.

use super::*;
use vardhub_engine::definitions::Definitions;
use vardhub_engine::output_check::{Magnitude, OutputCell};
use vardhub_store::{AuditKey, HubId};

async fn hub(dir: &std::path::Path) -> Hub {
    let key = AuditKey::create(&dir.join("keys")).unwrap();
    Hub::init(dir.join("hub"), true, HubId::random(), key)
        .await
        .unwrap()
}

fn policy() -> DisclosurePolicy {
    Definitions::builtin().policy().clone()
}

fn cell(label: &str, count: u64) -> OutputCell {
    OutputCell {
        label: label.into(),
        count,
        magnitude: None,
    }
}

fn table(id: &str, cells: Vec<OutputCell>) -> OutputTable {
    OutputTable {
        id: id.into(),
        cells,
    }
}

fn rules(c: &Checked) -> Vec<(String, &'static str)> {
    c.report
        .flags()
        .map(|f| (f.cell.clone(), f.reason.rule()))
        .collect()
}

fn safe(id: &str, skane: u64) -> OutputTable {
    table(
        id,
        vec![
            cell("Region Skåne; I21; 2024", skane),
            cell("Region Uppsala; I21; 2024", 80),
        ],
    )
}

#[tokio::test]
async fn planted_disclosive_outputs_need_review_and_a_safe_one_passes() {
    let tmp = tempfile::tempdir().unwrap();
    let hub = hub(tmp.path()).await;
    let p = policy();

    let ok = submit(&hub, &p, "P1", &safe("t1", 120), "rita")
        .await
        .unwrap();
    assert_eq!(ok.report.verdict(), MachineVerdict::Pass);
    assert_eq!(ok.stored.check.verdict, VERDICT_PASS);

    let small = table("t2", vec![cell("Region Jämtland; I21; 2024", 3)]);
    let small = submit(&hub, &p, "P1", &small, "rita").await.unwrap();
    assert_eq!(small.stored.check.verdict, VERDICT_REVIEW);
    assert_eq!(
        rules(&small),
        vec![("Region Jämtland; I21; 2024".into(), "small_cell")]
    );

    let dominant = OutputCell {
        magnitude: Some(Magnitude {
            total: 1_000_000.0,
            largest: vec![600_000.0, 50_000.0],
        }),
        ..cell("Kostnad; Region Gotland; 2024", 40)
    };
    let dominant = submit(&hub, &p, "P1", &table("t3", vec![dominant]), "rita")
        .await
        .unwrap();
    assert_eq!(dominant.stored.check.verdict, VERDICT_REVIEW);
    assert_eq!(
        rules(&dominant),
        vec![("Kostnad; Region Gotland; 2024".into(), "dominance")]
    );
    let stored = report_json(&dominant.stored.check).unwrap();
    assert_eq!(stored["verdict"], "review_required");

    // t1 approved; a later output differing from it by 2 in one cell reveals two persons.
    decide(&hub, &p, ok.stored.id, OutputDecision::Approved, "", "kim")
        .await
        .unwrap();
    let diff = submit(&hub, &p, "P1", &safe("t4", 122), "rita")
        .await
        .unwrap();
    assert_eq!(diff.stored.check.verdict, VERDICT_REVIEW);
    assert_eq!(
        rules(&diff),
        vec![("Region Skåne; I21; 2024".into(), "differencing")]
    );
    let flag = diff.report.flags().next().unwrap().to_string();
    assert!(flag.contains("\"t1\""), "names the earlier output: {flag}");
    assert_eq!(diff.stored.check.earlier, vec![ok.stored.id]);
}

#[tokio::test]
async fn the_decision_rules_hold_and_decisions_are_listed() {
    let tmp = tempfile::tempdir().unwrap();
    let hub = hub(tmp.path()).await;
    let p = policy();
    let small = table("t1", vec![cell("Region Jämtland; I21; 2024", 2)]);
    let s = submit(&hub, &p, "P1", &small, "rita").await.unwrap();
    let err = decide(
        &hub,
        &p,
        s.stored.id,
        OutputDecision::Approved,
        "ok",
        "rita",
    )
    .await
    .unwrap_err();
    assert!(
        matches!(err, OutputsError::Record(OutputRecordError::SelfCheck(_))),
        "{err}"
    );
    let err = decide(&hub, &p, s.stored.id, OutputDecision::Approved, "", "kim")
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            OutputsError::Record(OutputRecordError::ReasonRequired(_))
        ),
        "{err}"
    );
    let d = decide(
        &hub,
        &p,
        s.stored.id,
        OutputDecision::Refused,
        "Cellen med 2 personer får inte lämnas ut",
        "kim",
    )
    .await
    .unwrap();
    let rec = d.stored.decision.clone().unwrap();
    assert_eq!(rec.decision, OutputDecision::Refused);
    assert_eq!(rec.checker, "kim");
    assert_eq!(rec.check.verdict, VERDICT_REVIEW);
    let err = decide(
        &hub,
        &p,
        s.stored.id,
        OutputDecision::Approved,
        "ändå",
        "lo",
    )
    .await
    .unwrap_err();
    assert!(
        matches!(
            err,
            OutputsError::Record(OutputRecordError::AlreadyDecided { .. })
        ),
        "{err}"
    );
    let listed = list(&hub, Some("P1")).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].decision.as_ref(), Some(&rec));
    assert!(list(&hub, Some("P2")).await.unwrap().is_empty());

    let err = parse_table("{\"id\": \"x\", \"cells\": [], \"extra\": 1}").unwrap_err();
    assert!(matches!(err, OutputsError::Json(_)), "{err}");
    let pnr = table("t9", vec![cell("Patient 19800102-2386", 10)]);
    let err = submit(&hub, &p, "P1", &pnr, "rita").await.unwrap_err();
    assert!(matches!(err, OutputsError::IdentityNumber { .. }), "{err}");
    let dup = table("t9", vec![cell("A", 10), cell("A", 11)]);
    let err = submit(&hub, &p, "P1", &dup, "rita").await.unwrap_err();
    assert!(matches!(err, OutputsError::Table(_)), "{err}");

    let actions: Vec<String> = hub
        .audit_entries()
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .filter(|a| a.starts_with("outputs."))
        .collect();
    assert_eq!(actions, vec!["outputs.submit", "outputs.decide"]);
}

#[tokio::test]
async fn differencing_uses_only_the_same_projects_approved_outputs() {
    let tmp = tempfile::tempdir().unwrap();
    let hub = hub(tmp.path()).await;
    let p = policy();
    // Same label, counts 100–103: every pair differs by less than 5.
    let pending = submit(&hub, &p, "P1", &safe("pending", 100), "rita")
        .await
        .unwrap();
    let refused = submit(&hub, &p, "P1", &safe("refused", 101), "rita")
        .await
        .unwrap();
    decide(
        &hub,
        &p,
        refused.stored.id,
        OutputDecision::Refused,
        "inte nu",
        "kim",
    )
    .await
    .unwrap();
    let other = submit(&hub, &p, "P2", &safe("other", 102), "olle")
        .await
        .unwrap();
    decide(
        &hub,
        &p,
        other.stored.id,
        OutputDecision::Approved,
        "",
        "kim",
    )
    .await
    .unwrap();
    let now = submit(&hub, &p, "P1", &safe("now", 103), "rita")
        .await
        .unwrap();
    assert_eq!(
        now.report.verdict(),
        MachineVerdict::Pass,
        "pending, refused and other projects' outputs are not compared: {:?}",
        rules(&now)
    );
    assert!(now.stored.check.earlier.is_empty());

    // Approving `pending` changes what `now` must be compared with: the decision rechecks, and
    // approving `now` then needs a written reason.
    decide(
        &hub,
        &p,
        pending.stored.id,
        OutputDecision::Approved,
        "",
        "kim",
    )
    .await
    .unwrap();
    let err = decide(&hub, &p, now.stored.id, OutputDecision::Approved, "", "kim")
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            OutputsError::Record(OutputRecordError::ReasonRequired(_))
        ),
        "{err}"
    );
    let later = submit(&hub, &p, "P1", &safe("later", 104), "rita")
        .await
        .unwrap();
    assert_eq!(
        rules(&later),
        vec![("Region Skåne; I21; 2024".into(), "differencing")]
    );
    let flag = later.report.flags().next().unwrap().to_string();
    assert!(flag.contains("\"pending\""), "{flag}");
    assert_eq!(later.stored.check.earlier, vec![pending.stored.id]);
}
