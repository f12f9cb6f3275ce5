//! Scenarios: the publications an intruder combines (insiders, earlier releases).

use std::collections::BTreeMap;

use vardhub_engine::disclosure::{DisclosurePolicy, Knowledge, PublishedTable, Table};

use super::*;

// ---------------------------------------------------------------------------------------------
// Scenarios: what is combined
// ---------------------------------------------------------------------------------------------

/// A cell of a scenario: (release, cell index in that release's table).
pub type CellRef = (usize, usize);

/// One publication with its true values and the insider of each cell.
#[derive(Clone, Debug)]
pub struct Seen<'a> {
    pub publication: Publication,
    pub truth: &'a Table,
    /// Per cell: the insider who knows its true values (empty: none).
    pub owners: Vec<Option<u32>>,
}

/// Publications an intruder combines: `releases[0]` is the new one, the others were published
/// before; `links` tie cells whose true values are the same (unchanged between releases).
#[derive(Clone, Debug)]
pub struct Scenario<'a> {
    pub releases: Vec<Seen<'a>>,
    pub links: Vec<(CellRef, CellRef)>,
    pub reading: Reading,
}

/// How two points of the protection requirement are read (see [`Reading::default`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Reading {
    pub insider_targets: InsiderTargets,
    pub width: WidthBasis,
}

/// Which hidden cells an insider must not narrow.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InsiderTargets {
    /// Every hidden cell not owned by the insider — Sweden's cells included. Unsatisfiable in
    /// general: Sweden's cell is the insider's own cell plus cells the public already knows
    /// (e.g. shown, unchanged, in an earlier release), whatever the new publication hides.
    NotOwned,
    /// The hidden cells of other regions (cells owned by another insider), as
    /// `disclosure/knowledge.rs` states it; Sweden's cells are protected against the public.
    OtherRegions,
}

/// What `W` in `hi − lo ≥ min(protection_width, W)` is: the widest span of the quantity that …
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WidthBasis {
    /// … the cell's own status allows (1–4 for a small count: W = 3). Then a small total with
    /// two non-zero small parts (region 15 of `region_by_sex_with_both_margins`: 1 + 3 = 4) can
    /// only be protected by coarsening the statuses: the parts are 1–3 whatever is hidden.
    CellStatus,
    /// … the table's status pattern allows: the statuses, kinds and margins of the cell's
    /// release with no value shown, no selection order and no insider (for a lone small count
    /// still 1–4; for 1 + 3 = 4, all small, 1–3: W = 2). Only narrowing by what is *shown* (values,
    /// insiders' cells, the selection order, other releases) counts against the interval.
    StatusPattern,
}

impl Default for Reading {
    /// [`InsiderTargets::OtherRegions`], [`WidthBasis::StatusPattern`].
    fn default() -> Reading {
        Reading {
            insider_targets: InsiderTargets::OtherRegions,
            width: WidthBasis::StatusPattern,
        }
    }
}

impl<'a> Scenario<'a> {
    /// One publication, no insiders.
    pub fn single(publication: Publication, truth: &'a Table) -> Scenario<'a> {
        Scenario {
            releases: vec![Seen {
                publication,
                truth,
                owners: Vec::new(),
            }],
            links: Vec::new(),
            reading: Reading::default(),
        }
    }

    /// `table` published as `published`, with what `knowledge` adds (insiders, earlier releases).
    pub fn of(
        published: &PublishedTable,
        table: &'a Table,
        knowledge: &'a Knowledge,
        policy: &DisclosurePolicy,
    ) -> Scenario<'a> {
        let mut s = Scenario {
            releases: vec![Seen {
                publication: Publication::of(published, policy),
                truth: table,
                owners: knowledge.owners.clone(),
            }],
            links: Vec::new(),
            reading: Reading::default(),
        };
        for (k, e) in knowledge.earlier.iter().enumerate() {
            s.releases.push(Seen {
                publication: Publication::from_statuses(&e.table, &e.statuses, policy),
                truth: &e.table,
                owners: e.owners.clone(),
            });
            for (j, same) in e.same_as.iter().enumerate() {
                if let Some(i) = same {
                    s.links.push(((k + 1, j), (0, i.0)));
                }
            }
        }
        s
    }

    /// Every insider named in any release.
    pub fn insiders(&self) -> Vec<u32> {
        let mut out: Vec<u32> = self
            .releases
            .iter()
            .flat_map(|r| r.owners.iter().flatten().copied())
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }

    /// What was known before release 0: the other releases, with the ties between them that
    /// the links to release 0 imply. Cell references shift down by one release.
    pub fn before(&self) -> Scenario<'a> {
        let mut by_new: BTreeMap<CellRef, Vec<CellRef>> = BTreeMap::new();
        let mut links = Vec::new();
        for &(a, b) in &self.links {
            match (a.0, b.0) {
                (0, 0) => {}
                (0, _) => by_new.entry(a).or_default().push((b.0 - 1, b.1)),
                (_, 0) => by_new.entry(b).or_default().push((a.0 - 1, a.1)),
                _ => links.push(((a.0 - 1, a.1), (b.0 - 1, b.1))),
            }
        }
        for group in by_new.values() {
            for pair in group.windows(2) {
                links.push((pair[0], pair[1]));
            }
        }
        Scenario {
            releases: self.releases[1..].to_vec(),
            links,
            reading: self.reading,
        }
    }
}
