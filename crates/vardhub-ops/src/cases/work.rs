//! Handling time on a case: the centre staff record what they spent (the work log, which the fee
//! model's invoice basis reads), and the centre sees it with the case.

use super::{CaseOpError, invalid};
use chrono::NaiveDate;
use vardhub_domain::case::{Actor, CaseError, CaseId};
use vardhub_store::Hub;
use vardhub_store::work_log::{NewWork, Subject, WorkEntry, WorkLogError, minutes_from_hours};

fn work_error(e: WorkLogError) -> CaseOpError {
    match e {
        WorkLogError::Store(s) => CaseOpError::Store(s),
        WorkLogError::Number(_) => invalid("hours", e.to_string()),
        other => invalid("activity", other.to_string()),
    }
}

async fn known(hub: &Hub, id: &str) -> Result<CaseId, CaseOpError> {
    let unknown = || CaseOpError::UnknownCase(id.to_owned());
    let case_id = CaseId::parse(id).map_err(|_| unknown())?;
    hub.case(&case_id).await?.ok_or_else(unknown)?;
    Ok(case_id)
}

/// Record `hours` (decimal comma or point) of handling on case `id`, done today by the actor
/// (centre staff); audited by the work log.
pub async fn record_time(
    hub: &Hub,
    id: &str,
    actor: &Actor,
    hours: &str,
    activity: &str,
    day: NaiveDate,
) -> Result<WorkEntry, CaseOpError> {
    if !actor.role.may_handle() {
        return Err(CaseOpError::Refused(CaseError::Forbidden {
            role: actor.role.code(),
            action: "record time",
        }));
    }
    let case_id = known(hub, id).await?;
    let minutes = minutes_from_hours(hours).map_err(work_error)?;
    if minutes <= 0 {
        return Err(invalid("hours", "mer än 0 timmar / more than 0 hours"));
    }
    let work = NewWork {
        subject: Subject::Case(case_id.to_string()),
        who: actor.name.clone(),
        day,
        minutes,
        activity: activity.to_owned(),
        corrects: None,
        reason: None,
        project_start: false,
    };
    hub.record_work(&work, &actor.name)
        .await
        .map_err(work_error)
}

/// The handling time recorded on case `id`, oldest first.
pub async fn time_entries(hub: &Hub, id: &str) -> Result<Vec<WorkEntry>, CaseOpError> {
    let case_id = known(hub, id).await?;
    // The catalogue stores days as text (ÅÅÅÅ-MM-DD): four-digit years bound every entry.
    let first = NaiveDate::from_ymd_opt(1000, 1, 1).unwrap_or_default();
    let last = NaiveDate::from_ymd_opt(9999, 12, 31).unwrap_or_default();
    hub.work_entries(&Subject::Case(case_id.to_string()), first, last)
        .await
        .map_err(work_error)
}
