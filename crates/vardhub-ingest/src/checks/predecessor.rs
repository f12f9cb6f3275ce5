//! A re-delivery must not silently replace good data with much less: when any table's accepted
//! rows fall below the specification's share of the published predecessor's, the delivery is held
//! (not published) until an operator confirms it; the predecessor stays current meanwhile.

use crate::report::{Issue, IssueSink, Severity, TableStats};
use vardhub_domain::Period;
use vardhub_domain::spec::CollectionSpec;
use vardhub_store::{Hub, StoreError};

/// Compare with the current delivery of the same collection, region and period. Returns whether
/// the delivery must be held; if so, the report says why and how to confirm it.
pub async fn check(
    hub: &Hub,
    spec: &CollectionSpec,
    region: &str,
    period: Period,
    tables: &[TableStats],
    issues: &mut IssueSink,
) -> Result<bool, StoreError> {
    let Some(current) = hub.current_tables(&spec.id, region, period).await? else {
        return Ok(false);
    };
    let a = &spec.acceptance;
    let mut shrunk = Vec::new();
    for (table, before) in &current.tables {
        let before = (*before).max(0) as u64;
        if before < a.predecessor_min_rows {
            continue;
        }
        let now = tables
            .iter()
            .find(|t| &t.table == table)
            .map_or(0, |t| t.rows_valid);
        if (now as f64) < a.min_share_of_predecessor * before as f64 {
            shrunk.push((table.clone(), now, before));
        }
    }
    if shrunk.is_empty() {
        return Ok(false);
    }
    let list = |and: &str| {
        shrunk
            .iter()
            .map(|(t, n, b)| format!("{t} {n} {and} {b}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let limit = 100.0 * a.min_share_of_predecessor;
    issues.push(Issue::new(
        Severity::Warning,
        "shrunk_vs_predecessor",
        format!(
            "leveransen ersätter {} men har långt färre godkända rader (under {limit:.0} %): {}. Den publiceras inte utan väntar på bekräftelse; {} förblir gällande. Om minskningen är riktig bekräftar regionen det, och en operatör kör `vardhub deliveries confirm <leverans-id>` (loggas i granskningsloggen); annars skicka en ny, komplett leverans.",
            current.id,
            list("rader mot"),
            current.id
        ),
        format!(
            "the delivery would replace {} but has far fewer accepted rows (below {limit:.0} %): {}. It is not published but held for confirmation; {} stays current. If the decrease is real, the region confirms it and an operator runs `vardhub deliveries confirm <delivery id>` (recorded in the audit log); otherwise send a new, complete delivery.",
            current.id,
            list("rows against"),
            current.id
        ),
    ));
    Ok(true)
}
