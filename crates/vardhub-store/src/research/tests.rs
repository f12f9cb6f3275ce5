//! Research projects and the release log in a real catalogue.

use super::*;
use crate::{AuditKey, HubId};
use vardhub_domain::SpecSet;

const EXAMPLE: &str = include_str!("../../../../research/exempel_hoftfraktur.toml");

async fn hub(dir: &std::path::Path) -> Hub {
    let audit = AuditKey::create(&dir.join("keys")).unwrap();
    Hub::init(dir.join("hub"), true, HubId::random(), audit)
        .await
        .unwrap()
}

fn project() -> ResearchProject {
    ResearchProject::from_toml(EXAMPLE, &SpecSet::builtin()).unwrap()
}

fn release(id: &str, p: &StoredProject) -> NewRelease {
    NewRelease {
        id: id.into(),
        project_id: p.record.id.clone(),
        project_sha256: p.record_sha256.clone(),
        files: vec![ReleaseFile {
            name: "vardkontakter_kontakter.csv".into(),
            rows: 12,
            bytes: 345,
            sha256: "ab".repeat(32),
        }],
        data_versions: vec!["vardkontakter-01-2024-01-v1".into()],
        spec_versions: BTreeMap::from([("vardkontakter".into(), vec!["1.0.0".into()])]),
        key_version: 1,
        out_dir: "/tmp/ut/hoftfraktur-2025-r1".into(),
    }
}

#[tokio::test]
async fn projects_and_releases_are_stored_listed_and_audited() {
    let tmp = tempfile::tempdir().unwrap();
    let hub = hub(tmp.path()).await;
    let p = project();
    let stored = hub.add_research_project(&p, "centre").await.unwrap();
    assert_eq!(stored.record, p);
    assert_eq!(stored.record_sha256.len(), 64);
    // An id is added once.
    assert!(matches!(
        hub.add_research_project(&p, "centre").await,
        Err(StoreError::Conflict(_))
    ));
    let got = hub.research_project(&p.id).await.unwrap().unwrap();
    assert_eq!(got, stored);
    assert_eq!(hub.research_projects().await.unwrap(), vec![stored.clone()]);
    let other = ProjectId::parse("finns-inte").unwrap();
    assert!(hub.research_project(&other).await.unwrap().is_none());

    assert_eq!(
        hub.next_research_release_id(&p.id).await.unwrap(),
        "hoftfraktur-2025-r1"
    );
    let r1 = hub
        .record_research_release(&release("hoftfraktur-2025-r1", &stored), "centre")
        .await
        .unwrap();
    assert_eq!(
        hub.next_research_release_id(&p.id).await.unwrap(),
        "hoftfraktur-2025-r2"
    );
    assert!(matches!(
        hub.record_research_release(&release("hoftfraktur-2025-r1", &stored), "centre")
            .await,
        Err(StoreError::Conflict(_))
    ));
    let mut orphan = release("x-r1", &stored);
    orphan.project_id = other.clone();
    assert!(matches!(
        hub.record_research_release(&orphan, "centre").await,
        Err(StoreError::Conflict(_))
    ));
    assert_eq!(hub.research_releases(None).await.unwrap(), vec![r1.clone()]);
    assert_eq!(
        hub.research_releases(Some(&p.id)).await.unwrap(),
        vec![r1.clone()]
    );
    assert!(
        hub.research_releases(Some(&other))
            .await
            .unwrap()
            .is_empty()
    );

    hub.refuse_research_release("hoftfraktur-2025", "ethics_expired", "centre")
        .await
        .unwrap();
    let actions: Vec<(String, String)> = hub
        .audit_entries()
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.action.starts_with("research."))
        .map(|e| (e.action, e.object))
        .collect();
    assert_eq!(
        actions,
        vec![
            ("research.project.add".into(), "hoftfraktur-2025".into()),
            ("research.release".into(), "hoftfraktur-2025".into()),
            ("research.release.refused".into(), "hoftfraktur-2025".into()),
        ]
    );
    assert!(hub.verify_audit().await.unwrap().is_ok());
}

#[tokio::test]
async fn the_release_log_only_grows_and_records_never_change() {
    let tmp = tempfile::tempdir().unwrap();
    let hub = hub(tmp.path()).await;
    let stored = hub
        .add_research_project(&project(), "centre")
        .await
        .unwrap();
    hub.record_research_release(&release("hoftfraktur-2025-r1", &stored), "centre")
        .await
        .unwrap();
    for sql in [
        "UPDATE research_releases SET files = '[]'",
        "DELETE FROM research_releases",
        "INSERT OR REPLACE INTO research_releases SELECT * FROM research_releases",
        "INSERT OR REPLACE INTO research_projects SELECT * FROM research_projects",
        "UPDATE research_projects SET record = '{}'",
        "DELETE FROM research_projects",
    ] {
        let e = sqlx::query(sql).execute(&hub.pool).await;
        assert!(e.is_err(), "{sql} was allowed");
    }
    assert_eq!(hub.research_releases(None).await.unwrap().len(), 1);
}

#[tokio::test]
async fn the_public_listing_names_no_person() {
    let tmp = tempfile::tempdir().unwrap();
    let hub = hub(tmp.path()).await;
    let stored = hub
        .add_research_project(&project(), "centre.staff")
        .await
        .unwrap();
    hub.record_research_release(&release("hoftfraktur-2025-r1", &stored), "centre.staff")
        .await
        .unwrap();
    let public = hub.public_research_projects().await.unwrap();
    assert_eq!(public.len(), 1);
    let p = &public[0];
    assert_eq!(p.ethics_dnr, "2025-01234-01");
    assert_eq!(p.releases.len(), 1);
    assert_eq!(p.releases[0].files[0].rows, 12);
    assert_eq!(p.releases[0].date.len(), 10);
    let json = serde_json::to_string(&public).unwrap();
    for secret in ["Anna Exempelsson", "centre.staff", "/tmp/ut"] {
        assert!(!json.contains(secret), "{secret} in {json}");
    }
    assert!(json.contains("Exempeluniversitetet"));
    assert!(json.contains("vardkontakter-01-2024-01-v1"));
}

#[tokio::test]
async fn members_are_added_to_existing_projects_once_and_audited() {
    let tmp = tempfile::tempdir().unwrap();
    let hub = hub(tmp.path()).await;
    let p = project();
    let other = ProjectId::parse("finns-inte").unwrap();
    // Nothing recorded yet: no member anywhere (the table is created on demand).
    assert!(!hub.is_research_member(&p.id, "rita").await.unwrap());
    assert!(
        hub.research_member_projects("rita")
            .await
            .unwrap()
            .is_empty()
    );
    // The project must exist.
    assert!(matches!(
        hub.add_research_member(&p.id, "rita", "centre").await,
        Err(StoreError::Conflict(_))
    ));
    hub.add_research_project(&p, "centre").await.unwrap();
    let m = hub
        .add_research_member(&p.id, "rita", "centre")
        .await
        .unwrap();
    assert_eq!(m.user_name, "rita");
    assert_eq!(m.added_by, "centre");
    // Once only; a user name as `vardhub users` makes them.
    assert!(matches!(
        hub.add_research_member(&p.id, "rita", "centre").await,
        Err(StoreError::Conflict(_))
    ));
    for bad in ["", "rita ekström", "a;b", &"x".repeat(65)] {
        assert!(
            matches!(
                hub.add_research_member(&p.id, bad, "centre").await,
                Err(StoreError::Conflict(_))
            ),
            "{bad:?}"
        );
    }
    assert!(matches!(
        hub.add_research_member(&other, "rita", "centre").await,
        Err(StoreError::Conflict(_))
    ));
    assert!(hub.is_research_member(&p.id, "rita").await.unwrap());
    assert!(!hub.is_research_member(&p.id, "kim").await.unwrap());
    assert!(!hub.is_research_member(&other, "rita").await.unwrap());
    assert_eq!(
        hub.research_member_projects("rita").await.unwrap(),
        vec![p.id.clone()]
    );
    assert!(
        hub.research_member_projects("kim")
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(hub.research_members(&p.id).await.unwrap(), vec![m]);

    let adds: Vec<(String, String, String, String)> = hub
        .audit_entries()
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.action == "research.member.add")
        .map(|e| (e.actor, e.action, e.object, e.details))
        .collect();
    assert_eq!(
        adds,
        vec![(
            "centre".into(),
            "research.member.add".into(),
            "hoftfraktur-2025".into(),
            "user=rita".into()
        )]
    );
    assert!(hub.verify_audit().await.unwrap().is_ok());
}
