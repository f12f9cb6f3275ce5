//! Track A versions: an import of a source becomes version N+1 and current only when accepted;
//! a rejected one is recorded, a far smaller one is held until confirmed; every import is
//! audited; the published tables pass the disclosure policy.

use vardhub_engine::disclosure::DisclosurePolicy;
use vardhub_ingest::external::ReadOptions;
use vardhub_ops::sources::{self, SourceCellStatus};
use vardhub_store::{AuditKey, DeliveryStatus, Hub, HubId};

const QUIRKY: &[u8] = include_bytes!("../../vardhub-ingest/tests/data/external/quirky.csv");
const BROKEN: &[u8] = include_bytes!("../../vardhub-ingest/tests/data/external/broken.csv");

async fn hub(dir: &std::path::Path) -> Hub {
    let key = AuditKey::create(&dir.join("keys")).unwrap();
    Hub::init(dir.join("hub"), true, HubId::random(), key)
        .await
        .unwrap()
}

/// (version, status, current) of every stored version of socialstyrelsen.
async fn versions(hub: &Hub) -> Vec<(u32, String, bool)> {
    hub.source_versions(Some("socialstyrelsen"))
        .await
        .unwrap()
        .into_iter()
        .map(|v| (v.version, v.status, v.current))
        .collect()
}

fn v(version: u32, status: &str, current: bool) -> (u32, String, bool) {
    (version, status.to_owned(), current)
}

#[tokio::test]
async fn versions_are_current_only_when_accepted_and_never_silently_shrink() {
    let tmp = tempfile::tempdir().unwrap();
    let hub = hub(tmp.path()).await;
    let opts = ReadOptions::default();
    let policy = DisclosurePolicy::default_public();

    let r = sources::import(&hub, "quirky.csv", QUIRKY, "socialstyrelsen", "ops", &opts)
        .await
        .unwrap();
    assert_eq!(
        (r.status, r.version),
        (DeliveryStatus::AcceptedWithWarnings, Some(1))
    );
    assert_eq!(
        versions(&hub).await,
        vec![v(1, "accepted_with_warnings", true)]
    );

    // A broken file over the error share: recorded as version 2, rejected, v1 stays current.
    let r = sources::import(&hub, "broken.csv", BROKEN, "socialstyrelsen", "ops", &opts)
        .await
        .unwrap();
    assert_eq!((r.status, r.version), (DeliveryStatus::Rejected, Some(2)));
    let stored = sources::report(&hub, "socialstyrelsen", 2)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.status, DeliveryStatus::Rejected);
    assert_eq!(stored.counts["error_threshold"].errors, 1);
    assert_eq!(
        versions(&hub).await,
        vec![
            v(1, "accepted_with_warnings", true),
            v(2, "rejected", false)
        ]
    );

    // One row of an indicator that had 13: held, v1 stays current and is what is published.
    let small = "Indikator;Region;Period;Värde;Täljare;Nämnare\n\
                 Andel som lever 30 dagar efter stroke;Riket;2019;86,0;22000;25600\n";
    let r = sources::import(
        &hub,
        "small.csv",
        small.as_bytes(),
        "Socialstyrelsen",
        "ops",
        &opts,
    )
    .await
    .unwrap();
    assert_eq!((r.status, r.version), (DeliveryStatus::Held, Some(3)));
    let held = r
        .issues
        .iter()
        .find(|i| i.rule == "shrunk_vs_predecessor")
        .unwrap();
    assert!(
        held.message_en
            .contains("andel-som-lever-30-dagar-efter-stroke 1/13"),
        "{}",
        held.message_en
    );
    let tables = sources::published(&hub, &policy).await.unwrap();
    assert_eq!(tables.len(), 2);
    assert!(tables.iter().all(|t| t.version == 1));

    // The operator confirms: v3 is current, alone.
    sources::confirm(&hub, "socialstyrelsen", 3, "ops")
        .await
        .unwrap();
    assert!(
        sources::confirm(&hub, "socialstyrelsen", 2, "ops")
            .await
            .is_err()
    );
    assert_eq!(
        versions(&hub).await,
        vec![
            v(1, "accepted_with_warnings", false),
            v(2, "rejected", false),
            v(3, "held", true)
        ]
    );
    let tables = sources::published(&hub, &policy).await.unwrap();
    assert_eq!(tables.len(), 1);
    assert_eq!((tables[0].version, tables[0].cells.len()), (3, 1));
    assert_eq!(tables[0].cells[0].value, Some(86.0));

    // A full file again: version 4, current.
    let r = sources::import(&hub, "quirky.csv", QUIRKY, "socialstyrelsen", "ops", &opts)
        .await
        .unwrap();
    assert_eq!(
        (r.status, r.version),
        (DeliveryStatus::AcceptedWithWarnings, Some(4))
    );
    assert_eq!(
        versions(&hub).await.last(),
        Some(&v(4, "accepted_with_warnings", true))
    );

    // An unknown source is not stored anywhere.
    let r = sources::import(&hub, "x.csv", QUIRKY, "okänd", "ops", &opts)
        .await
        .unwrap();
    assert_eq!((r.status, r.version), (DeliveryStatus::Rejected, None));
    assert_eq!(hub.source_versions(None).await.unwrap().len(), 4);

    let audit: Vec<(String, String)> = hub
        .audit_entries()
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.action.starts_with("sources."))
        .map(|e| (e.action, e.object))
        .collect();
    let want: Vec<(String, String)> = [
        ("sources.import", "socialstyrelsen/v1"),
        ("sources.import", "socialstyrelsen/v2"),
        ("sources.import", "socialstyrelsen/v3"),
        ("sources.confirm", "socialstyrelsen/v3"),
        ("sources.import", "socialstyrelsen/v4"),
    ]
    .into_iter()
    .map(|(a, o)| (a.to_owned(), o.to_owned()))
    .collect();
    assert_eq!(audit, want);
    assert!(matches!(hub.verify_audit().await.unwrap(), Ok(n) if n >= 5));

    let listing = sources::listing(&hub).await.unwrap();
    let sos = listing.iter().find(|s| s.id == "socialstyrelsen").unwrap();
    assert_eq!(sos.current_version, Some(4));
    assert_eq!(sos.versions.len(), 4);
    assert_eq!(sos.indicators.len(), 2);
    assert!(
        listing
            .iter()
            .any(|s| s.id == "patientenkat" && s.versions.is_empty())
    );
    hub.close().await;
}

#[tokio::test]
async fn published_cells_pass_the_disclosure_policy() {
    let tmp = tempfile::tempdir().unwrap();
    let hub = hub(tmp.path()).await;
    sources::import(
        &hub,
        "quirky.csv",
        QUIRKY,
        "socialstyrelsen",
        "ops",
        &ReadOptions::default(),
    )
    .await
    .unwrap();
    let tables = sources::published(&hub, &DisclosurePolicy::default_public())
        .await
        .unwrap();
    let stroke = &tables[0];
    assert_eq!(stroke.indicator, "andel-som-lever-30-dagar-efter-stroke");
    assert_eq!(stroke.source.id, "socialstyrelsen");
    assert_eq!(
        (stroke.policy_id.as_str(), stroke.policy_version),
        ("vardhub-public", 4)
    );
    let cell = |area: &str, period: &str, kon: &str| {
        stroke
            .cells
            .iter()
            .find(|c| c.area == area && c.period == period && c.kon == kon)
            .unwrap_or_else(|| panic!("{area} {period} {kon}"))
    };
    let riket = cell("00", "2018", "alla");
    assert_eq!(riket.status, SourceCellStatus::Ok);
    assert_eq!(
        (
            riket.value,
            riket.numerator,
            riket.denominator,
            riket.lower,
            riket.upper
        ),
        (Some(85.3), Some(21950), Some(25732), Some(84.9), Some(85.7))
    );
    assert!(riket.disclosure_checked);
    // 3 of 3: the hub's count rule hides it (the source showed it).
    let small = cell("01", "2018", "alla");
    assert_eq!(small.status, SourceCellStatus::HiddenSmall);
    assert_eq!(
        (small.value, small.numerator, small.denominator),
        (None, None, None)
    );
    assert_eq!(
        cell("23", "2018-01", "1").status,
        SourceCellStatus::SourceSuppressed
    );
    assert_eq!(
        cell("23", "2018-01", "2").status,
        SourceCellStatus::SourceMissing
    );
    assert_eq!(
        cell("10", "2018", "alla").status,
        SourceCellStatus::SourceSuppressed
    );
    assert_eq!(cell("10", "2018", "alla").value, None);
    assert_eq!(
        cell("09", "2018", "alla").status,
        SourceCellStatus::NotApplicable
    );
    assert_eq!(cell("12", "2018", "alla").status, SourceCellStatus::Nil);
    assert_eq!(stroke.sexes, vec!["alla", "1", "2"]);
    assert_eq!(
        stroke.periods,
        vec!["2018", "2017-2018", "2018-K1", "2018-01"]
    );

    let wait = &tables[1];
    let r12 = &wait
        .cells
        .iter()
        .find(|c| c.period == "R12-2018-06")
        .unwrap();
    assert_eq!((r12.status, r12.value), (SourceCellStatus::Ok, Some(45.5)));
    assert!(
        !r12.disclosure_checked,
        "no numerator: the policy cannot check it"
    );
    let kalmar = wait.cells.iter().find(|c| c.area == "08").unwrap();
    assert_eq!(
        (kalmar.status, kalmar.value, kalmar.numerator),
        (SourceCellStatus::Ok, Some(1234.5), Some(120))
    );
    hub.close().await;
}
