//! What the waiting-list model is calibrated on, read from one lake snapshot for one region:
//! every waiting-time case of the followed kind (`vantetyp`), once, with its start, completion,
//! medical target date and deviation reason. The monthly deliveries list a case every month it
//! waits (status V) and once when it is completed (status G); a case is taken once, completed
//! when any of its rows says so.

use super::file::ScenarioSpec;
use crate::analysis::cohort::{collect, text};
use crate::indicator::ComputeError;
use chrono::NaiveDate;
use std::collections::BTreeMap;
use vardhub_store::Snapshot;

/// One waiting-time case as the lake knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WaitCase {
    /// Day 0 of the wait (referral or decision).
    pub start: NaiveDate,
    /// The day it was completed, if it was.
    pub done: Option<NaiveDate>,
    /// The medical target date, where set.
    pub target: Option<NaiveDate>,
    /// The deviation reason (`PvV`, `MoV`, `SoV`), if any.
    pub deviation: Option<String>,
}

impl WaitCase {
    /// Whether the care guarantee's measures leave it out (patient-chosen or medically caused
    /// wait), as the indicator does.
    pub fn excluded(&self) -> bool {
        matches!(self.deviation.as_deref(), Some("PvV" | "MoV"))
    }
}

/// Read every case of the scenario's waiting kind in its region from `snapshot`, ordered by
/// start.
pub async fn wait_cases(
    snapshot: &Snapshot,
    s: &ScenarioSpec,
) -> Result<Vec<WaitCase>, ComputeError> {
    let region = s.region.as_str().to_owned();
    let (ctx, tables) =
        crate::indicator::lake::session_where(snapshot, |_, d| d.region == region).await?;
    if !tables.contains("arenden") {
        return Ok(Vec::new());
    }
    let kind = s.wait.vantetyp();
    let batches = collect(
        &ctx,
        &s.id,
        &format!(
            "SELECT CAST(arende_id AS VARCHAR) AS id, CAST(startdatum AS VARCHAR) AS start,
                    CAST(genomford_datum AS VARCHAR) AS done,
                    CAST(medicinskt_maldatum AS VARCHAR) AS target,
                    CAST(avvikelseorsak AS VARCHAR) AS deviation,
                    CAST(status AS VARCHAR) AS status
             FROM arenden WHERE vantetyp = '{kind}'"
        ),
    )
    .await?;
    let day = |v: &Option<String>| v.as_deref().and_then(|d| d.get(..10)?.parse().ok());
    let mut cases: BTreeMap<String, WaitCase> = BTreeMap::new();
    for b in &batches {
        let [ids, starts, dones, targets, deviations, statuses] =
            ["id", "start", "done", "target", "deviation", "status"].map(|c| text(b, c));
        for i in 0..b.num_rows() {
            let (Some(id), Some(start)) = (&ids[i], day(&starts[i])) else {
                continue;
            };
            let done = (statuses[i].as_deref() == Some("G"))
                .then(|| day(&dones[i]))
                .flatten();
            let c = cases.entry(id.clone()).or_insert_with(|| WaitCase {
                start,
                done: None,
                target: None,
                deviation: None,
            });
            c.done = c.done.or(done);
            c.target = c.target.or(day(&targets[i]));
            if c.deviation.is_none() {
                c.deviation.clone_from(&deviations[i]);
            }
        }
    }
    let mut out: Vec<WaitCase> = cases.into_values().collect();
    out.sort_by_key(|c| (c.start, c.done));
    Ok(out)
}
