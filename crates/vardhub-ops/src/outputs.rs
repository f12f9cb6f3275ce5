//! Output checking (utdatagranskning) as operations: a researcher submits an output of a research
//! project, the machine checks it, a human checker decides.
//!
//! * [`submit`]: the output table ([`OutputTable`], e.g. from JSON via [`parse_table`]) is run
//!   through [`OutputChecker`] with the definitions' disclosure policy and, as *earlier outputs*
//!   for differencing, the project's **approved** outputs only (pending and refused ones never
//!   left the hub; other projects' outputs are other researchers'); the table, the machine report
//!   and its verdict are stored ([`vardhub_store::output_checks`]) and audited
//!   (`outputs.submit`).
//! * [`decide`]: the checker approves or refuses. The machine check runs again against the
//!   approved outputs at that moment (another output may have been approved since the
//!   submission) and is stored with the decision; the store refuses a checker who is the
//!   submitter, an approval of a review-required output (at either check) or a refusal without a
//!   written reason, and a second decision (audited, `outputs.decide`).
//!
//! The machine never approves: its verdict is `pass` or `review_required`; only [`decide`] records
//! an approval, by a person.

use serde::Serialize;
use vardhub_engine::disclosure::DisclosurePolicy;
use vardhub_engine::output_check::{
    MachineVerdict, OutputCheckError, OutputCheckReport, OutputChecker, OutputTable,
};
use vardhub_store::Hub;
use vardhub_store::output_checks::{
    MachineCheck, NewOutput, OutputDecision, OutputRecordError, StoredOutput, VERDICT_PASS,
    VERDICT_REVIEW,
};

/// The largest output accepted as JSON (bytes).
pub const MAX_TABLE_JSON: usize = 4 << 20;

/// How often a check is run again when another output was approved meanwhile.
const ATTEMPTS: usize = 3;

/// Why an output operation failed, classified by who must act.
#[derive(Debug, thiserror::Error)]
pub enum OutputsError {
    /// The submitted text is not an output table (the researcher must act).
    #[error("utdata går inte att läsa som tabell / the output is not a table: {0}")]
    Json(String),
    /// The table is inconsistent (the researcher must act).
    #[error(transparent)]
    Table(#[from] OutputCheckError),
    /// A label or the id holds what looks like an identity number (the researcher must act).
    #[error(
        "utdata {output}: {place} innehåller något som liknar ett personnummer / {place} holds what looks like an identity number"
    )]
    IdentityNumber {
        /// The output's id (masked).
        output: String,
        /// Where (`id`, `cell 3`).
        place: String,
    },
    /// The record refused the submission or decision; its variant says who must act.
    #[error(transparent)]
    Record(#[from] OutputRecordError),
    /// A stored output cannot be read back (the operator must act: a damaged catalogue).
    #[error("sparad utdata {0} kan inte läsas / stored output {0} cannot be read: {1}")]
    Stored(i64, String),
}

/// A submission as recorded, with the machine's report.
#[derive(Debug, Clone, Serialize)]
pub struct Checked {
    /// The record (the report's JSON included).
    pub stored: StoredOutput,
    /// The machine report of this check (at submission, or the recheck at the decision).
    pub report: OutputCheckReport,
}

/// Parse an output table from JSON (at most [`MAX_TABLE_JSON`] bytes, unknown fields refused).
pub fn parse_table(json: &str) -> Result<OutputTable, OutputsError> {
    if json.len() > MAX_TABLE_JSON {
        return Err(OutputsError::Json(format!(
            "större än {MAX_TABLE_JSON} byte / larger than {MAX_TABLE_JSON} bytes"
        )));
    }
    serde_json::from_str(json).map_err(|e| OutputsError::Json(e.to_string()))
}

fn verdict_text(v: MachineVerdict) -> &'static str {
    match v {
        MachineVerdict::Pass => VERDICT_PASS,
        MachineVerdict::ReviewRequired => VERDICT_REVIEW,
    }
}

fn refuse_identity_numbers(t: &OutputTable) -> Result<(), OutputsError> {
    let found = |place: String| OutputsError::IdentityNumber {
        output: vardhub_domain::mask_identity_numbers(&t.id).into_owned(),
        place,
    };
    if vardhub_domain::contains_identity_number(&t.id) {
        return Err(found("id".into()));
    }
    match t
        .cells
        .iter()
        .position(|c| vardhub_domain::contains_identity_number(&c.label))
    {
        Some(i) => Err(found(format!("cell {i}"))),
        None => Ok(()),
    }
}

/// Check `table` against `project`'s approved outputs now.
async fn machine_check(
    hub: &Hub,
    checker: &OutputChecker,
    project: &str,
    table: &OutputTable,
) -> Result<(OutputCheckReport, MachineCheck), OutputsError> {
    let approved = hub.approved_outputs(project).await?;
    let mut earlier = Vec::with_capacity(approved.len());
    for o in &approved {
        let t: OutputTable = serde_json::from_str(&o.table_json)
            .map_err(|e| OutputsError::Stored(o.id, e.to_string()))?;
        earlier.push(t);
    }
    let report = checker.check(table, &earlier)?;
    let report_json =
        serde_json::to_string(&report).map_err(|e| OutputsError::Json(e.to_string()))?;
    let check = MachineCheck {
        report_json,
        verdict: verdict_text(report.verdict()).to_owned(),
        earlier: approved.iter().map(|o| o.id).collect(),
    };
    Ok((report, check))
}

/// Submit `table` for `project` as `submitted_by`: checked by the machine under `policy` against
/// the project's approved outputs, recorded and audited. The verdict is never an approval.
pub async fn submit(
    hub: &Hub,
    policy: &DisclosurePolicy,
    project: &str,
    table: &OutputTable,
    submitted_by: &str,
) -> Result<Checked, OutputsError> {
    refuse_identity_numbers(table)?;
    let checker = OutputChecker::new(policy);
    let table_json = serde_json::to_string(table).map_err(|e| OutputsError::Json(e.to_string()))?;
    let mut attempt = 0;
    loop {
        let (report, check) = machine_check(hub, &checker, project, table).await?;
        let new = NewOutput {
            project: project.to_owned(),
            output_id: table.id.clone(),
            submitted_by: submitted_by.to_owned(),
            table_json: table_json.clone(),
            check,
        };
        match hub.submit_output(&new).await {
            Err(OutputRecordError::Stale) if attempt + 1 < ATTEMPTS => attempt += 1,
            Err(e) => return Err(e.into()),
            Ok(stored) => return Ok(Checked { stored, report }),
        }
    }
}

/// Record `checker`'s decision on submission `id`, with `reason` (required to approve a
/// review-required output, and to refuse). The machine check is run again under `policy` against
/// the project's approved outputs now and stored with the decision; the returned report is
/// that recheck.
pub async fn decide(
    hub: &Hub,
    policy: &DisclosurePolicy,
    id: i64,
    decision: OutputDecision,
    reason: &str,
    checker: &str,
) -> Result<Checked, OutputsError> {
    let stored = hub
        .output(id)
        .await?
        .ok_or(OutputRecordError::NotFound(id))?;
    let table: OutputTable = serde_json::from_str(&stored.table_json)
        .map_err(|e| OutputsError::Stored(id, e.to_string()))?;
    let machine = OutputChecker::new(policy);
    let mut attempt = 0;
    loop {
        let (report, check) = machine_check(hub, &machine, &stored.project, &table).await?;
        match hub
            .decide_output(id, decision, reason, checker, &check)
            .await
        {
            Err(OutputRecordError::Stale) if attempt + 1 < ATTEMPTS => attempt += 1,
            Err(e) => return Err(e.into()),
            Ok(stored) => return Ok(Checked { stored, report }),
        }
    }
}

/// The submissions of `project` (every project: `None`), oldest first, with their decisions.
pub async fn list(hub: &Hub, project: Option<&str>) -> Result<Vec<StoredOutput>, OutputsError> {
    Ok(hub.outputs(project).await?)
}

/// The machine report stored with a submission (or a decision), as JSON for display.
pub fn report_json(check: &MachineCheck) -> Result<serde_json::Value, OutputsError> {
    serde_json::from_str(&check.report_json).map_err(|e| OutputsError::Json(e.to_string()))
}

#[cfg(test)]
mod tests;
