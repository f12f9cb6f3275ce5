//! Releases: the public statuses of a run, decided once against everything published before.
//!
//! An intruder who keeps every release of a table can difference them: before and after one
//! region's late delivery, the other regions' cells are unchanged, and two suppression patterns
//! over the same values can pin a hidden cell that each pattern alone protects. So the public
//! statuses of a run are decided by [`release`] with every earlier release of the same table (from
//! the hub's release ledger) as [`crate::disclosure::EarlierRelease`]s, cells with unchanged
//! values tied together, and every region as an insider who knows its own row. The result,
//! [`ReleasedTable`]s, is recorded with the run ([`to_entries`]) and is what the hub then serves
//! ([`super::publish::publish_released`]).

use super::compute::{ResultRow, SWEDEN};
use super::publish::{Grid, PublishError, by_table, par_tables};
use crate::definitions::Definitions;
use crate::disclosure::{CellId, CellInput, EarlierRelease, Knowledge, Status, Table};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One published table as the ledger keeps it: its true values (internal) and public statuses.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReleasedTable {
    /// Indicator id.
    pub indicator: String,
    /// Period.
    pub period: String,
    /// Policy id and version applied (`vardhub-public v3`).
    pub policy: String,
    /// (region, kon, aldersgrupp) of each cell, in the table's order.
    pub labels: Vec<(String, String, String)>,
    /// The table as computed (unsuppressed).
    pub table: Table,
    /// The public status of each cell.
    pub statuses: Vec<Status>,
}

/// A ledger body that cannot be read back.
#[derive(Debug, thiserror::Error)]
#[error("utgåvejournalen kan inte läsas / the release ledger cannot be read ({key}): {message}")]
pub struct LedgerError {
    /// The table key.
    pub key: String,
    /// What is wrong.
    pub message: String,
}

impl ReleasedTable {
    /// The ledger key: `indicator/period`.
    pub fn key(&self) -> String {
        format!("{}/{}", self.indicator, self.period)
    }

    /// What an intruder knows around this table: every region as an insider of its own cells,
    /// and the earlier releases of the same table, tied cell by cell where the values did not
    /// change.
    pub fn knowledge(&self, earlier: &[&ReleasedTable]) -> Knowledge {
        let new_cell: BTreeMap<&(String, String, String), usize> = self
            .labels
            .iter()
            .enumerate()
            .map(|(i, l)| (l, i))
            .collect();
        let mut distinct: Vec<&ReleasedTable> = Vec::new();
        for e in earlier {
            if !distinct
                .iter()
                .any(|d| d.table == e.table && d.statuses == e.statuses && d.labels == e.labels)
            {
                distinct.push(e);
            }
        }
        Knowledge {
            owners: owners(&self.labels),
            earlier: distinct
                .into_iter()
                .map(|e| EarlierRelease {
                    table: e.table.clone(),
                    statuses: e.statuses.clone(),
                    owners: owners(&e.labels),
                    same_as: e
                        .labels
                        .iter()
                        .zip(e.table.cells())
                        .map(|(label, old)| {
                            let i = *new_cell.get(label)?;
                            same_values(old, &self.table.cells()[i]).then_some(CellId(i))
                        })
                        .collect(),
                })
                .collect(),
        }
    }
}

/// The insider of each cell: its region (Sweden's cells have none).
fn owners(labels: &[(String, String, String)]) -> Vec<Option<u32>> {
    labels
        .iter()
        .map(|(region, _, _)| (region != SWEDEN).then(|| region.parse().ok()).flatten())
        .collect()
}

/// Whether two cells hold the same protected quantities (a cell "unchanged" between releases).
fn same_values(a: &CellInput, b: &CellInput) -> bool {
    match (a.values(), b.values()) {
        (Some(a), Some(b)) => {
            a.kind == b.kind && a.count == b.count && a.denominator == b.denominator
        }
        _ => false,
    }
}

/// Decide the public statuses of every table of a run (one per indicator and period) against
/// `history`, the tables released before (any order; only those of the same indicator and period
/// are used).
pub fn release(
    defs: &Definitions,
    rows: &[ResultRow],
    history: &[ReleasedTable],
) -> Result<Vec<ReleasedTable>, PublishError> {
    let policy = defs.policy();
    let mut earlier: BTreeMap<(&str, &str), Vec<&ReleasedTable>> = BTreeMap::new();
    for h in history {
        earlier
            .entry((h.indicator.as_str(), h.period.as_str()))
            .or_default()
            .push(h);
    }
    let groups: Vec<((&str, &str), Vec<&ResultRow>)> = by_table(rows).into_iter().collect();
    let policy_name = format!("{} v{}", policy.id(), policy.version());
    let mut out = par_tables(groups.len(), |i| {
        let ((indicator, period), group) = &groups[i];
        let recipe = defs
            .recipe(indicator)
            .ok_or_else(|| PublishError::UnknownIndicator((*indicator).to_owned()))?;
        let grid = Grid::new(recipe, group);
        let (mut table, members) = grid.table();
        table.set_attribute_sensitive(
            policy
                .attribute()
                .is_sensitive(&recipe.spec.definition.block_name()),
        );
        let mut released = ReleasedTable {
            indicator: (*indicator).to_owned(),
            period: (*period).to_owned(),
            policy: policy_name.clone(),
            labels: grid.labels(&members),
            table,
            statuses: Vec::new(),
        };
        let before = earlier
            .get(&(*indicator, *period))
            .map_or(&[][..], Vec::as_slice);
        let knowledge = released.knowledge(before);
        let (_, internal) = policy
            .apply_with(&released.table, &knowledge)
            .map_err(|source| PublishError::Disclosure {
                indicator: (*indicator).to_owned(),
                period: (*period).to_owned(),
                source,
            })?;
        released.statuses = internal.statuses;
        Ok(vec![released])
    })?;
    out.sort_by(|a, b| (&a.indicator, &a.period).cmp(&(&b.indicator, &b.period)));
    Ok(out)
}

/// Ledger entries `(key, JSON body)` of released tables, for [`vardhub_store::Hub::store_indicator_run`].
pub fn to_entries(released: &[ReleasedTable]) -> Vec<(String, String)> {
    released
        .iter()
        .map(|r| {
            let body = serde_json::to_string(r)
                .unwrap_or_else(|e| unreachable!("a released table always serialises: {e}"));
            (r.key(), body)
        })
        .collect()
}

/// Released tables from ledger entries.
pub fn from_entries(
    entries: &[vardhub_store::LedgerEntry],
) -> Result<Vec<ReleasedTable>, LedgerError> {
    entries
        .iter()
        .map(|e| {
            serde_json::from_str(&e.body).map_err(|err| LedgerError {
                key: e.table_key.clone(),
                message: err.to_string(),
            })
        })
        .collect()
}

/// Why a run could not be released against the hub's ledger.
#[derive(Debug, thiserror::Error)]
pub enum ReleaseError {
    /// The catalogue could not be read.
    #[error(transparent)]
    Store(#[from] vardhub_store::StoreError),
    /// A ledger body is unreadable.
    #[error(transparent)]
    Ledger(#[from] LedgerError),
    /// Disclosure control refused a table.
    #[error(transparent)]
    Publish(#[from] PublishError),
}

/// The release of a run's rows against everything `hub`'s ledger holds (or, with `run_id`, held
/// before that run was stored). The caller stores it with the run
/// ([`vardhub_store::Hub::store_indicator_run`] and [`to_entries`]).
pub async fn release_against_ledger(
    hub: &vardhub_store::Hub,
    defs: &Definitions,
    rows: &[ResultRow],
    run_id: Option<&str>,
) -> Result<Vec<ReleasedTable>, ReleaseError> {
    let history = from_entries(&hub.releases_before(run_id).await?)?;
    Ok(release(defs, rows, &history)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn released(cells: &[(&str, u64)], statuses: Vec<Status>) -> ReleasedTable {
        // One region-and-Sweden column: `cells` are (region, count), the last is Sweden.
        let mut table = Table::new();
        let ids: Vec<CellId> = cells
            .iter()
            .map(|&(_, c)| table.add_cell(CellInput::count(c)))
            .collect();
        let (sweden, parts) = ids.split_last().unwrap();
        table.add_margin(*sweden, parts.to_vec());
        ReleasedTable {
            indicator: "x".into(),
            period: "2024-01".into(),
            policy: "p v1".into(),
            labels: cells
                .iter()
                .map(|(r, _)| ((*r).to_owned(), "alla".to_owned(), "alla".to_owned()))
                .collect(),
            table,
            statuses,
        }
    }

    #[test]
    fn earlier_releases_are_tied_to_the_new_table_by_label_where_values_did_not_change() {
        let policy = crate::disclosure::DisclosurePolicy::default_public();
        // Before: region 03 had not delivered its late month (0 here), 01, 25 and 07 had.
        let mut before = released(
            &[("01", 40), ("25", 3), ("07", 20), ("03", 0), ("00", 63)],
            Vec::new(),
        );
        let insiders = before.knowledge(&[]);
        before.statuses = policy
            .apply_with(&before.table, &insiders)
            .unwrap()
            .1
            .statuses;

        assert!(before.statuses[1].is_hidden());
        // After: the cells come in another order, 03 delivered 30, Sweden changed.
        let after = released(
            &[("03", 30), ("01", 40), ("25", 3), ("07", 20), ("00", 93)],
            Vec::new(),
        );
        let k = after.knowledge(&[&before, &before.clone()]);
        assert_eq!(k.owners, vec![Some(3), Some(1), Some(25), Some(7), None]);
        assert_eq!(k.earlier.len(), 1, "identical earlier releases count once");
        let e = &k.earlier[0];
        assert_eq!(e.owners, vec![Some(1), Some(25), Some(7), Some(3), None]);
        assert_eq!(
            e.same_as,
            vec![
                Some(CellId(1)),
                Some(CellId(2)),
                Some(CellId(3)),
                None,
                None
            ],
            "unchanged 01, 25 and 07 are tied; 03 and Sweden changed"
        );
        // The policy accepts the combination and keeps what was hidden and is unchanged hidden.
        let (_, internal) = policy.apply_with(&after.table, &k).unwrap();
        for (j, same) in e.same_as.iter().enumerate() {
            if let Some(i) = same
                && before.statuses[j].is_hidden()
            {
                assert!(internal.statuses[i.0].is_hidden(), "cell {j} → {i:?}");
            }
        }
    }
}
