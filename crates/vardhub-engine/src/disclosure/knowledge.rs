//! What an intruder knows beyond one published table, and the combined problem the audit solves.
//!
//! * **Insiders.** A region's analyst sees the own region's values unsuppressed. The public
//!   publication must protect every other region's hidden cells against an intruder who knows
//!   the public table *and* one region's true row ([`Knowledge::owners`]).
//! * **Earlier releases.** A table published again (a late delivery, a correction) can be
//!   compared with what was published before. Every earlier release of the same table, with the
//!   true values and statuses it was published with, joins the problem; cells unchanged since
//!   ([`EarlierRelease::same_as`]) are tied to the new table's cells by an equality, so the
//!   audit sees the differencing an intruder can do.
//!
//! [`Problem`] is the union: the new table's cells first, then each earlier release's cells, the
//! margins of every table, and one "link" margin `earlier = new` per unchanged cell.

use std::ops::Range;

use super::table::{CellId, Margin, Table};
use super::{DisclosureError, Status};

/// What an intruder may know besides the publication itself.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Knowledge {
    /// Per cell of the table: the insider (e.g. a region) who knows its true values, if any.
    /// Empty, or one entry per cell.
    pub owners: Vec<Option<u32>>,
    /// Earlier releases of the same table.
    pub earlier: Vec<EarlierRelease>,
}

/// A table as it was published before.
#[derive(Debug, Clone, PartialEq)]
pub struct EarlierRelease {
    /// Its true values then.
    pub table: Table,
    /// The statuses it was published with.
    pub statuses: Vec<Status>,
    /// Per cell: the insider who knows it (empty, or one entry per cell).
    pub owners: Vec<Option<u32>>,
    /// Per cell: the new table's cell with the same true values (unchanged since), if any.
    pub same_as: Vec<Option<CellId>>,
}

/// One published table inside a [`Problem`].
#[derive(Debug, Clone)]
pub(crate) struct Segment {
    pub cells: Range<usize>,
    pub margins: Range<usize>,
    pub sensitive: bool,
}

/// The tables an intruder can combine, as one system.
#[derive(Debug, Clone)]
pub(crate) struct Problem {
    /// All cells and margins (the new table's first); link margins last.
    pub table: Table,
    /// `segments[0]` is the new table; the others are earlier releases.
    pub segments: Vec<Segment>,
    /// Per cell: its insider.
    pub owners: Vec<Option<u32>>,
    /// Statuses of the earlier releases' cells (indices from `segments[0].cells.end`).
    pub earlier_statuses: Vec<Status>,
}

impl Problem {
    /// Combine `table` with `knowledge`; checks shapes and that linked cells agree.
    pub(crate) fn new(table: &Table, knowledge: &Knowledge) -> Result<Problem, DisclosureError> {
        table.validate()?;
        let n = table.cells().len();
        let owners_of = |owners: &[Option<u32>], len: usize| {
            if owners.is_empty() {
                Ok(vec![None; len])
            } else if owners.len() == len {
                Ok(owners.to_vec())
            } else {
                Err(DisclosureError::InvalidTable(
                    "owners must be empty or one per cell",
                ))
            }
        };
        let mut combined = table.clone();
        let mut owners = owners_of(&knowledge.owners, n)?;
        let mut segments = vec![Segment {
            cells: 0..n,
            margins: 0..table.margins().len(),
            sensitive: table.attribute_sensitive(),
        }];
        let mut earlier_statuses = Vec::new();
        let mut links = Vec::new();
        for e in &knowledge.earlier {
            e.table.validate()?;
            let len = e.table.cells().len();
            if e.statuses.len() != len || e.same_as.len() != len {
                return Err(DisclosureError::InvalidTable(
                    "an earlier release needs one status and one link per cell",
                ));
            }
            let offset = combined.cells().len();
            let first_margin = combined.margins().len();
            for c in e.table.cells() {
                combined.add_cell(*c);
            }
            for m in e.table.margins() {
                combined.add_margin(
                    CellId(m.total.0 + offset),
                    m.parts.iter().map(|p| CellId(p.0 + offset)).collect(),
                );
            }
            owners.extend(owners_of(&e.owners, len)?);
            earlier_statuses.extend(e.statuses.iter().copied());
            for (j, link) in e.same_as.iter().enumerate() {
                if let Some(i) = link {
                    if i.0 >= n {
                        return Err(DisclosureError::InvalidTable("a link to an unknown cell"));
                    }
                    links.push((CellId(offset + j), *i));
                }
            }
            segments.push(Segment {
                cells: offset..offset + len,
                margins: first_margin..combined.margins().len(),
                sensitive: e.table.attribute_sensitive(),
            });
        }
        for (earlier, new) in links {
            combined.add_margin(earlier, vec![new]);
        }
        // Linked cells must hold the same values (checked as the margins `earlier = new`).
        combined.validate().map_err(|e| match e {
            DisclosureError::MarginMismatch { .. } => {
                DisclosureError::InvalidTable("a cell linked as unchanged has other values")
            }
            other => other,
        })?;
        Ok(Problem {
            table: combined,
            segments,
            owners,
            earlier_statuses,
        })
    }

    /// Whether cell `i` belongs to the new table (only those can be hidden now).
    pub(crate) fn is_new(&self, i: usize) -> bool {
        i < self.segments[0].cells.end
    }

    /// The segment of cell `i`.
    pub(crate) fn segment_of(&self, i: usize) -> &Segment {
        self.segments
            .iter()
            .find(|s| s.cells.contains(&i))
            .unwrap_or(&self.segments[0])
    }

    /// The segment whose margins include margin `m` (`None` for a link).
    pub(crate) fn segment_of_margin(&self, m: usize) -> Option<&Segment> {
        self.segments.iter().find(|s| s.margins.contains(&m))
    }

    /// The insiders that know at least one of the given cells.
    pub(crate) fn insiders(&self, cells: impl Iterator<Item = usize>) -> Vec<u32> {
        let mut out: Vec<u32> = cells.filter_map(|i| self.owners[i]).collect();
        out.sort_unstable();
        out.dedup();
        out
    }

    /// The margins (with their index) containing cell `id`.
    pub(crate) fn margins_with(&self, id: CellId) -> impl Iterator<Item = (usize, &Margin)> {
        self.table
            .margins()
            .iter()
            .enumerate()
            .filter(move |(_, m)| m.members().any(|x| x == id))
    }
}
