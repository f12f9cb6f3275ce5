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

use super::compute::ResultRow;
use super::grid::{Grid, Label};
use super::layout::{Part, PartKind, layout};
use super::publish::{PublishError, by_table, par_tables, same_quantities};
use crate::definitions::Definitions;
use crate::disclosure::{CellId, CellInput, EarlierRelease, Knowledge, Status, Table};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use vardhub_domain::Area;

/// One published table as the ledger keeps it: its true values (internal) and public statuses.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReleasedTable {
    /// Indicator id.
    pub indicator: String,
    /// Period.
    pub period: String,
    /// Which part of the period's cells (see `layout.rs`): `""` the regions and Sweden, a
    /// region code that region's finer areas, `derived` the sums of shown cells.
    #[serde(default)]
    pub part: String,
    /// Policy id and version applied (`vardhub-public v4`).
    pub policy: String,
    /// (period, area, kon, aldersgrupp) of each cell, in the table's order.
    pub labels: Vec<Label>,
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
    /// The ledger key: `indicator/period`, or `indicator/period/part`.
    pub fn key(&self) -> String {
        if self.part.is_empty() {
            format!("{}/{}", self.indicator, self.period)
        } else {
            format!("{}/{}/{}", self.indicator, self.period, self.part)
        }
    }

    /// What an intruder knows around this table: every region as an insider of its own cells,
    /// and the earlier releases of the same table, tied cell by cell where the values did not
    /// change.
    pub fn knowledge(&self, earlier: &[&ReleasedTable]) -> Knowledge {
        let new_cell: BTreeMap<&Label, usize> = self
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

/// The insider of each cell: the region of its area (Sweden's and the sjukvårdsregioner's
/// cells have none).
fn owners(labels: &[Label]) -> Vec<Option<u32>> {
    labels
        .iter()
        .map(|(_, area, _, _)| {
            Area::parse(area)
                .ok()
                .and_then(|a| a.region())
                .map(|r| u32::from(r.code()))
        })
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

/// Decide the public statuses of every table of a run against `history`, the tables released
/// before (any order; only those with the same key are used). Per indicator and period the cells
/// are released in parts (`layout.rs`): the policy decides the regions and Sweden of the recipe's
/// finest period kind, then each region's finer areas; sjukvårdsregioner and longer periods are
/// then derived, shortest first ([`super::derived`]).
///
/// A part identical to one released before (same cells, values and margins) keeps that
/// release's statuses: publishing the same statuses over the same values again tells nothing new,
/// and the decision is not repeated.
pub fn release(
    defs: &Definitions,
    rows: &[ResultRow],
    history: &[ReleasedTable],
) -> Result<Vec<ReleasedTable>, PublishError> {
    let policy = defs.policy();
    let mut earlier: BTreeMap<String, Vec<&ReleasedTable>> = BTreeMap::new();
    for h in history {
        earlier.entry(h.key()).or_default().push(h);
    }
    let mut grids = Vec::new();
    for ((indicator, period), group) in by_table(rows) {
        let recipe = defs
            .recipe(indicator)
            .ok_or_else(|| PublishError::UnknownIndicator(indicator.to_owned()))?;
        grids.push(Grid::new(recipe, period, &group));
    }
    let layouts: Vec<Vec<Part>> = grids.iter().map(layout).collect();
    let policy_name = format!("{} v{}", policy.id(), policy.version());
    let sensitive = |g: &Grid<'_>| {
        policy
            .attribute()
            .is_sensitive(&g.recipe.spec.definition.block_name())
    };
    let record = |g: &Grid<'_>, part: &Part| ReleasedTable {
        indicator: g.recipe.spec.id.clone(),
        period: g.period.clone(),
        part: part.kind.suffix(),
        policy: policy_name.clone(),
        labels: g.labels(&part.members),
        table: {
            let mut t = part.table.clone();
            t.set_attribute_sensitive(sensitive(g));
            t
        },
        statuses: Vec::new(),
    };
    // The policy's decision of one part against its earlier releases.
    let decide = |mut released: ReleasedTable| -> Result<ReleasedTable, PublishError> {
        let key = released.key();
        let before = earlier.get(&key).map_or(&[][..], Vec::as_slice);
        if let Some(same) = before.iter().rev().find(|e| {
            e.policy == released.policy
                && e.labels == released.labels
                && identical(&e.table, &released.table)
        }) {
            released.statuses = same.statuses.clone();
            return Ok(released);
        }
        let knowledge = released.knowledge(before);
        let (_, internal) = policy
            .apply_with(&released.table, &knowledge)
            .map_err(|source| PublishError::Disclosure {
                indicator: released.indicator.clone(),
                period: key,
                source,
            })?;
        released.statuses = internal.statuses;
        Ok(released)
    };
    let jobs = |kind: fn(&PartKind) -> bool| -> Vec<(usize, usize)> {
        layouts
            .iter()
            .enumerate()
            .flat_map(|(g, parts)| {
                parts
                    .iter()
                    .enumerate()
                    .filter(|(_, p)| kind(&p.kind))
                    .map(move |(k, _)| (g, k))
            })
            .collect()
    };
    // 1. Regions and Sweden.
    let regional = jobs(|k| *k == PartKind::Regional);
    let mut out = par_tables(regional.len(), |i| {
        let (g, k) = regional[i];
        Ok(vec![decide(record(&grids[g], &layouts[g][k]))?])
    })?;
    let mut shown: BTreeMap<String, BTreeMap<Label, Status>> = BTreeMap::new();
    let learn = |shown: &mut BTreeMap<String, BTreeMap<Label, Status>>, r: &ReleasedTable| {
        shown
            .entry(r.indicator.clone())
            .or_default()
            .extend(r.labels.iter().cloned().zip(r.statuses.iter().copied()));
    };
    for r in &out {
        learn(&mut shown, r);
    }
    // 2. Each region's finer areas, under its total as the regional table shows it.
    let groups = jobs(|k| matches!(k, PartKind::Group(_)));
    let decided = par_tables(groups.len(), |i| {
        let (g, k) = groups[i];
        let released = record(&grids[g], &layouts[g][k]);
        let total = shown
            .get(&released.indicator)
            .and_then(|m| m.get(&released.labels[0]))
            .copied()
            .filter(|s| s.is_published());
        let mut released = if total.is_some() {
            decide(released)?
        } else {
            released
        };
        if total.is_none() || released.statuses[0].is_hidden() {
            // Everything finer hidden; the total as the public sees it (shown, or hidden too).
            released.statuses = coarsened(&released.table);
            if let Some(t) = total {
                released.statuses[0] = t;
            }
        }
        Ok(vec![released])
    })?;
    for r in &decided {
        learn(&mut shown, r);
    }
    out.extend(decided);
    // 3. Sjukvårdsregioner and longer periods, shortest first.
    let mut derived = jobs(|k| *k == PartKind::Derived);
    derived.sort_by_key(|&(g, _)| {
        (
            vardhub_domain::ReportPeriod::parse(&grids[g].period)
                .map(|p| p.kind())
                .ok(),
            grids[g].period.clone(),
        )
    });
    let mut by_label: BTreeMap<&str, BTreeMap<Label, &ResultRow>> = BTreeMap::new();
    for r in rows {
        by_label.entry(r.indicator.as_str()).or_default().insert(
            (
                r.period.clone(),
                r.region.clone(),
                r.kon.clone(),
                r.aldersgrupp.clone(),
            ),
            r,
        );
    }
    for (g, k) in derived {
        let grid = &grids[g];
        let part = &layouts[g][k];
        let mut released = record(grid, part);
        let (no_statuses, no_rows) = (BTreeMap::new(), BTreeMap::new());
        released.statuses = super::derived::statuses(
            policy,
            sensitive(grid),
            grid,
            &part.members,
            shown.get(&released.indicator).unwrap_or(&no_statuses),
            by_label
                .get(released.indicator.as_str())
                .unwrap_or(&no_rows),
        );
        learn(&mut shown, &released);
        out.push(released);
    }
    out.sort_by_key(ReleasedTable::key);
    Ok(out)
}

/// Statuses that hide every value of a part and tell nothing about which cells were small.
fn coarsened(table: &Table) -> Vec<Status> {
    table
        .cells()
        .iter()
        .map(|c| match c {
            CellInput::Values(_) => Status::HiddenSecondary,
            CellInput::NoData => Status::NoData,
            CellInput::NotApplicable => Status::NotApplicable,
        })
        .collect()
}

/// Whether two tables are the same publication: the same cells with the same protected
/// quantities, margins and attribute rule, and the same shown values and intervals (equal up to
/// the last bits a JSON round trip of the ledger may change; a NaN equals a NaN).
fn identical(a: &Table, b: &Table) -> bool {
    let same = |x: f64, y: f64| {
        (x.is_nan() && y.is_nan()) || x == y || (x - y).abs() <= 1e-12 * x.abs().max(y.abs())
    };
    let shown = |c: &CellInput| {
        c.values()
            .map(|v| (v.value, v.interval.map(|i| (i.lower, i.upper))))
    };
    same_quantities(a, b)
        && a.attribute_sensitive() == b.attribute_sensitive()
        && a.cells()
            .iter()
            .zip(b.cells())
            .all(|(x, y)| match (shown(x), shown(y)) {
                (None, None) => true,
                (Some((v, i)), Some((w, j))) => {
                    same(v, w)
                        && match (i, j) {
                            (None, None) => true,
                            (Some((l, u)), Some((m, o))) => same(l, m) && same(u, o),
                            _ => false,
                        }
                }
                _ => false,
            })
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
            part: String::new(),
            policy: "p v1".into(),
            labels: cells
                .iter()
                .map(|(r, _)| {
                    (
                        "2024-01".to_owned(),
                        (*r).to_owned(),
                        "alla".to_owned(),
                        "alla".to_owned(),
                    )
                })
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
