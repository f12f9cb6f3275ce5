//! Publicering av ett scenario / publishing a what-if scenario run: an administrator who did not
//! run it approves it, with a written motivation, and everyone is then shown a copy of its
//! document that passed the disclosure policy.
//!
//! * [`public_copy`]: the copy. The counts of persons and stays in a document are the
//!   calibration's `stays` and `stays_elsewhere` (everything else is a model output, a rate, a
//!   mean or a count of wards, days or replications). A count `1 ≤ n <` the policy's least count
//!   (`rules.count.min_count`) is hidden; the others are rounded to the nearest multiple of that
//!   least count (the policy names no other rounding base; a least count of 0 or 1 — the rule
//!   switched off — rounds nothing), and the admissions per day, which are the stays divided by
//!   the baseline's days, are derived again from the rounded stays, so that the exact count
//!   cannot be worked back. A scenario calibrated on fewer stays than the least count is not
//!   published at all ([`NotPublishable::TooFewStays`]), nor is a model this version does not
//!   read ([`NotPublishable::ModelNotShown`]): its counts are not known here.
//!   In a waiting-list document the counts of persons are the calibration's `completed` and
//!   `with_target` and each observed share's `completed` and `within` (headline and months):
//!   hidden or rounded alike, `per_day` derived again from the rounded `completed`, publication
//!   refused below the least count ([`NotPublishable::TooFewCompleted`]). An observed share is
//!   hidden when either of its counts is, and otherwise derived again from the rounded counts
//!   (the exact share beside rounded counts could give the exact counts back).
//! * [`publish`]: the motivation is [`PublicText`] (not empty, no identity number, e-mail
//!   address or phone number: it is shown to everyone), the document is read and checked
//!   against its hash, the copy made, and the publication recorded append-only with the store's
//!   four-eyes check ([`vardhub_store::scenario_publications`], audited `scenarios.publish`).
//!
//! Who may publish (an administrator) is the server's rule: roles are its concept.

use crate::scenario_document::{self, Disclosure, ScenarioBody, ScenarioDocument};
use vardhub_domain::case::{PublicText, TextError};
use vardhub_engine::disclosure::DisclosurePolicy;
use vardhub_store::scenario_publications::{
    NewScenarioPublication, ScenarioPublication, ScenarioPublicationError,
};
use vardhub_store::{Hub, RunKind};

/// The longest motivation, in characters.
pub const MAX_MOTIVATION: usize = 2000;

/// Why a scenario's document cannot be published (its author must act: another scenario).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NotPublishable {
    /// The model was calibrated on fewer stays than the policy's least count.
    #[error(
        "scenariot bygger på {stays} vårdtillfällen, färre än röjandepolicyns minsta antal {min}; det kan inte publiceras / the scenario rests on {stays} stays, fewer than the disclosure policy's least count {min}; it cannot be published"
    )]
    TooFewStays {
        /// Stays in the calibration.
        stays: u64,
        /// The policy's least count.
        min: u64,
    },
    /// The waiting-list model was calibrated on fewer completed cases than the least count.
    #[error(
        "scenariot bygger på {completed} avslutade väntetider, färre än röjandepolicyns minsta antal {min}; det kan inte publiceras / the scenario rests on {completed} completed waits, fewer than the disclosure policy's least count {min}; it cannot be published"
    )]
    TooFewCompleted {
        /// Completed cases in the calibration.
        completed: u64,
        /// The policy's least count.
        min: u64,
    },
    /// The document's model is not read by this version, so its counts are not known.
    #[error(
        "modellen visas inte ännu och kan inte röjandekontrolleras / the model is not shown yet and cannot be disclosure-checked"
    )]
    ModelNotShown,
    /// The document is a published copy already.
    #[error("dokumentet är redan röjandekontrollerat / the document is disclosure-checked already")]
    AlreadyChecked,
}

/// Why a publication failed, classified by who must act.
#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    /// The motivation is missing, too long or holds personal data (the approver must act).
    #[error(transparent)]
    Motivation(#[from] TextError),
    /// No scenario run with a document has that id (the user must act).
    #[error("ingen scenariokörning {0} / no scenario run {0}")]
    NotFound(String),
    /// The document does not pass disclosure control (see the variant).
    #[error(transparent)]
    NotPublishable(#[from] NotPublishable),
    /// The record refused it: the approver ran it, it is published already, its author is not
    /// recorded (see the variant).
    #[error(transparent)]
    Record(#[from] ScenarioPublicationError),
    /// The stored run cannot be read, or the catalogue failed (the operator must act).
    #[error(transparent)]
    Ops(#[from] crate::OpsError),
}

/// Round a count to the nearest multiple of `base` (halves up).
fn round_to(n: u64, base: u64) -> u64 {
    if base <= 1 {
        n
    } else {
        (n + base / 2) / base * base
    }
}

/// The copy of `doc` that may be shown to everyone under `policy` (see the module
/// documentation), with a [`Disclosure`] saying what was hidden and rounded.
pub fn public_copy(
    doc: &ScenarioDocument,
    policy: &DisclosurePolicy,
) -> Result<ScenarioDocument, NotPublishable> {
    if doc.disclosure.is_some() {
        return Err(NotPublishable::AlreadyChecked);
    }
    let min = policy.rules().count.min_count;
    let base = min.max(1);
    let mut copy = doc.clone();
    let mut suppressed = Vec::new();
    let mut rounded = Vec::new();
    match &mut copy.result {
        ScenarioBody::Beds(r) => {
            let c = &mut r.calibration;
            let stays = c.stays.unwrap_or(0);
            if stays < min {
                return Err(NotPublishable::TooFewStays { stays, min });
            }
            let shown = round_to(stays, base);
            c.stays = Some(shown);
            let days = doc.spec.baseline.days();
            if days > 0 {
                c.admissions_per_day = shown as f64 / days as f64;
            }
            rounded.push("result.calibration.stays".to_owned());
            rounded.push("result.calibration.admissions_per_day".to_owned());
            c.stays_elsewhere = match c.stays_elsewhere {
                Some(n) if n >= 1 && n < min => {
                    suppressed.push("result.calibration.stays_elsewhere".to_owned());
                    None
                }
                Some(0) => Some(0),
                Some(n) => {
                    rounded.push("result.calibration.stays_elsewhere".to_owned());
                    Some(round_to(n, base))
                }
                None => None,
            };
        }
        ScenarioBody::WaitingList(r) => {
            let c = &mut r.calibration;
            let completed = c.completed.unwrap_or(0);
            if completed < min {
                return Err(NotPublishable::TooFewCompleted { completed, min });
            }
            let shown = round_to(completed, base);
            c.completed = Some(shown);
            let days = doc.spec.baseline.days();
            if days > 0 {
                c.per_day = shown as f64 / days as f64;
            }
            rounded.push("result.calibration.completed".to_owned());
            rounded.push("result.calibration.per_day".to_owned());
            let mut hidden = Vec::new();
            let mut count = |n: Option<u64>, path: String| match n {
                Some(n) if n >= 1 && n < min => {
                    hidden.push(path);
                    None
                }
                Some(0) => Some(0),
                Some(n) => {
                    rounded.push(path);
                    Some(round_to(n, base))
                }
                None => None,
            };
            c.with_target = count(c.with_target, "result.calibration.with_target".into());
            let observed = std::iter::once((
                "result.headline.observed".to_owned(),
                &mut r.headline.observed,
            ))
            .chain(
                r.months
                    .iter_mut()
                    .enumerate()
                    .map(|(i, m)| (format!("result.months[{i}].observed"), &mut m.observed)),
            );
            let (mut derived, mut hidden_shares) = (Vec::new(), Vec::new());
            for (at, o) in observed {
                let Some(o) = o.as_mut() else { continue };
                let (c0, w0) = (o.completed, o.within);
                o.completed = count(o.completed, format!("{at}.completed"));
                o.within = count(o.within, format!("{at}.within"));
                // The share with its rounded counts could give a hidden count back: a share is
                // shown only with both counts, and then derived again from the rounded ones.
                o.share = match (o.completed, o.within) {
                    _ if o.share.is_none() => None,
                    (Some(c), Some(w)) if c > 0 => {
                        if (c, w) != (c0.unwrap_or(0), w0.unwrap_or(0)) {
                            derived.push(format!("{at}.share"));
                        }
                        Some(w as f64 / c as f64)
                    }
                    (Some(0), Some(0)) => o.share,
                    _ => {
                        hidden_shares.push(format!("{at}.share"));
                        None
                    }
                };
            }
            suppressed.extend(hidden);
            suppressed.extend(hidden_shares);
            rounded.extend(derived);
        }
        ScenarioBody::NotYetShown => return Err(NotPublishable::ModelNotShown),
    }
    copy.disclosure = Some(Disclosure {
        policy: format!("{} v{}", policy.id(), policy.version()),
        min_count: min,
        rounding: base,
        suppressed,
        rounded,
    });
    Ok(copy)
}

/// Publish scenario run `run_id` as `approver` with `motivation` under `policy` (see the module
/// documentation). The caller has checked that `approver` is an administrator.
pub async fn publish(
    hub: &Hub,
    policy: &DisclosurePolicy,
    run_id: &str,
    motivation: &str,
    approver: &str,
) -> Result<ScenarioPublication, PublishError> {
    let motivation = PublicText::parse("motivering / motivation", motivation, MAX_MOTIVATION)?;
    let run = hub
        .indicator_runs_of(RunKind::Scenario)
        .await
        .map_err(crate::OpsError::from)?
        .into_iter()
        .find(|r| r.id == run_id && scenario_document::has_document(r))
        .ok_or_else(|| PublishError::NotFound(run_id.to_owned()))?;
    let doc = scenario_document::read(&run)?;
    let copy = public_copy(&doc, policy)?;
    let json = serde_json::to_string(&copy).map_err(|e| crate::OpsError::Encode(e.to_string()))?;
    let policy_name = format!("{} v{}", policy.id(), policy.version());
    Ok(hub
        .publish_scenario(NewScenarioPublication {
            run_id: &run.id,
            approver,
            motivation: motivation.as_str(),
            policy: &policy_name,
            document: &json,
        })
        .await?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario_document::tests::{document, engine_beds, engine_waits, scenario};
    use vardhub_engine::whatif::ScenarioResult;
    use vardhub_store::{AuditKey, HubId};

    fn policy() -> DisclosurePolicy {
        DisclosurePolicy::default_public()
    }

    fn doc(stays: usize, elsewhere: usize) -> ScenarioDocument {
        let s = scenario();
        let bytes = document(&s, &ScenarioResult::Beds(engine_beds(stays, elsewhere)));
        scenario_document::parse(&bytes).unwrap()
    }

    fn beds(d: &ScenarioDocument) -> &scenario_document::BedResult {
        match &d.result {
            ScenarioBody::Beds(r) => r,
            _ => panic!("not beds"),
        }
    }

    #[test]
    fn counts_are_rounded_small_ones_hidden_and_too_few_stays_refused() {
        let p = policy();
        assert_eq!(p.rules().count.min_count, 5);
        let copy = public_copy(&doc(412, 3), &p).unwrap();
        let c = &beds(&copy).calibration;
        assert_eq!(c.stays, Some(410));
        assert_eq!(c.stays_elsewhere, None);
        // 60 baseline days (January and February 2024).
        assert_eq!(c.admissions_per_day, 410.0 / 60.0);
        let d = copy.disclosure.as_ref().unwrap();
        assert_eq!(d.policy, "vardhub-public v4");
        assert_eq!(d.suppressed, ["result.calibration.stays_elsewhere"]);
        // The model's outputs are not counts of persons: unchanged.
        assert_eq!(beds(&copy).headline, beds(&doc(412, 3)).headline);

        let c = public_copy(&doc(413, 0), &p).unwrap();
        let c = &beds(&c).calibration;
        assert_eq!((c.stays, c.stays_elsewhere), (Some(415), Some(0)));
        let c = public_copy(&doc(5, 17), &p).unwrap();
        let c = &beds(&c).calibration;
        assert_eq!((c.stays, c.stays_elsewhere), (Some(5), Some(15)));

        assert_eq!(
            public_copy(&doc(4, 0), &p),
            Err(NotPublishable::TooFewStays { stays: 4, min: 5 })
        );
        assert_eq!(public_copy(&copy, &p), Err(NotPublishable::AlreadyChecked));
        let mut unknown = doc(412, 3);
        unknown.result = ScenarioBody::NotYetShown;
        assert_eq!(
            public_copy(&unknown, &p),
            Err(NotPublishable::ModelNotShown)
        );
    }

    #[test]
    fn waiting_list_counts_are_rounded_small_ones_hidden_with_their_shares() {
        let p = policy();
        let s = scenario();
        let wdoc = |completed, with_target| {
            let r = ScenarioResult::WaitingList(engine_waits(completed, with_target));
            scenario_document::parse(&document(&s, &r)).unwrap()
        };
        let original = wdoc(1812, 3);
        let copy = public_copy(&original, &p).unwrap();
        let (ScenarioBody::WaitingList(w), ScenarioBody::WaitingList(o)) =
            (&copy.result, &original.result)
        else {
            panic!("not a waiting list")
        };
        let c = &w.calibration;
        assert_eq!((c.completed, c.with_target), (Some(1810), None));
        assert_eq!(c.per_day, 1810.0 / 60.0);
        // Headline: 213 of whom 121 within → 215 and 120, the share derived from them.
        let h = w.headline.observed.unwrap();
        assert_eq!((h.completed, h.within), (Some(215), Some(120)));
        assert_eq!(h.share, Some(120.0 / 215.0));
        // The month with 3 completions, 2 within: hidden, and its share too.
        let m = w.months[0].observed.unwrap();
        assert_eq!((m.completed, m.within, m.share), (None, None, None));
        let d = copy.disclosure.as_ref().unwrap();
        for hidden in [
            "result.calibration.with_target",
            "result.months[0].observed.completed",
            "result.months[0].observed.within",
            "result.months[0].observed.share",
        ] {
            assert!(d.suppressed.iter().any(|x| x == hidden), "{hidden}");
        }
        assert!(
            d.rounded
                .iter()
                .any(|x| x == "result.headline.observed.share")
        );
        // The model's outputs are not counts of persons: unchanged (NaN months included).
        assert_eq!(
            serde_json::to_value(w.headline.list_baseline).unwrap(),
            serde_json::to_value(o.headline.list_baseline).unwrap()
        );
        assert_eq!(
            serde_json::to_value(&w.months).unwrap()[1],
            serde_json::to_value(&o.months).unwrap()[1]
        );
        assert_eq!(
            public_copy(&wdoc(4, 4), &p),
            Err(NotPublishable::TooFewCompleted {
                completed: 4,
                min: 5
            })
        );
    }

    #[tokio::test]
    async fn only_another_person_with_a_clean_motivation_publishes_once() {
        let tmp = tempfile::tempdir().unwrap();
        let key = AuditKey::create(&tmp.path().join("keys")).unwrap();
        let hub = Hub::init(tmp.path().join("hub"), true, HubId::random(), key)
            .await
            .unwrap();
        let s = scenario();
        let bytes = document(&s, &ScenarioResult::Beds(engine_beds(412, 3)));
        let now = vardhub_store::now_utc();
        let mut run = vardhub_store::new_run(now, now);
        run.kind = RunKind::Scenario;
        let run = hub
            .store_run_document(
                run,
                scenario_document::DOCUMENT,
                &bytes,
                0,
                "scenarios.run",
                "anna",
            )
            .await
            .unwrap();
        let p = policy();
        let ok = "Godkänd av förvaltningsgruppen 2025-01-15";
        assert!(matches!(
            publish(&hub, &p, &run.id, ok, "anna").await,
            Err(PublishError::Record(
                ScenarioPublicationError::SelfApproval(_)
            ))
        ));
        for bad in ["", "   ", "Se 19800102-2386"] {
            assert!(
                matches!(
                    publish(&hub, &p, &run.id, bad, "bo").await,
                    Err(PublishError::Motivation(_))
                ),
                "{bad:?}"
            );
        }
        assert!(matches!(
            publish(&hub, &p, "run-none", ok, "bo").await,
            Err(PublishError::NotFound(_))
        ));
        let published = publish(&hub, &p, &run.id, ok, "bo").await.unwrap();
        assert_eq!(published.motivation, ok);
        let copy = scenario_document::parse(published.document.as_bytes()).unwrap();
        assert_eq!(beds(&copy).calibration.stays, Some(410));
        assert!(matches!(
            publish(&hub, &p, &run.id, ok, "cecilia").await,
            Err(PublishError::Record(
                ScenarioPublicationError::AlreadyPublished(_)
            ))
        ));
    }
}
