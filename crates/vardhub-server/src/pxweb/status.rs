//! Why a cell has no value: the engine's disclosure statuses as JSON-stat `status` symbols.
//!
//! A JSON-stat 2 `status` is a short symbol per value; the symbols and their meanings (sv, en)
//! travel with every dataset (`extension.status`, and the legend in `note`), so a client never
//! has to guess. PxWeb's own conventions are kept where they exist (`..` not available, `.` not
//! applicable, `:` confidential).

use crate::i18n::Lang;
use vardhub_engine::disclosure::Status;

/// The status of a cell without a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CellStatus {
    /// The engine's status of the published cell (never `ok` or `zero`, which carry values).
    Engine(Status),
    /// The table has no such cell: the combination is not published at all (e.g. a region by
    /// age group, or a hospital by sex).
    NotPublished,
    /// A track-A value the source itself hid (too few, or confidential).
    SourceSuppressed,
    /// A track-A value the source does not have (not available or too uncertain).
    SourceMissing,
}

impl CellStatus {
    /// Every status a cell can carry, in a stable order (the legend's).
    pub const ALL: [CellStatus; 8] = [
        CellStatus::Engine(Status::HiddenSmall),
        CellStatus::Engine(Status::HiddenSecondary),
        CellStatus::Engine(Status::NoData),
        CellStatus::Engine(Status::NotApplicable),
        CellStatus::Engine(Status::NoCases),
        CellStatus::NotPublished,
        CellStatus::SourceSuppressed,
        CellStatus::SourceMissing,
    ];

    /// The JSON-stat symbol (also written in CSV cells).
    pub fn symbol(self) -> &'static str {
        match self {
            CellStatus::Engine(Status::HiddenSmall) => ":",
            CellStatus::Engine(Status::HiddenSecondary) => "::",
            CellStatus::Engine(Status::NoData) => "..",
            CellStatus::Engine(Status::NotApplicable) => ".",
            CellStatus::Engine(Status::NoCases) => "-",
            // `ok` and `zero` carry values; a cell without one is not applicable.
            CellStatus::Engine(Status::Ok | Status::Zero) => ".",
            CellStatus::NotPublished => "/",
            // Official statistics' "x": may not be published.
            CellStatus::SourceSuppressed => "x",
            CellStatus::SourceMissing => "...",
        }
    }

    /// The status code (the engine's `hidden_small` …, or `not_published`).
    pub fn code(self) -> &'static str {
        match self {
            CellStatus::Engine(s) => s.code(),
            CellStatus::NotPublished => "not_published",
            CellStatus::SourceSuppressed => "source_suppressed",
            CellStatus::SourceMissing => "source_missing",
        }
    }

    /// The meaning in Swedish.
    pub fn label_sv(self) -> &'static str {
        match self {
            CellStatus::Engine(s) => s.label_sv(),
            CellStatus::NotPublished => "Redovisas inte för denna kombination",
            CellStatus::SourceSuppressed => "Dold av källan (för få fall eller sekretess)",
            CellStatus::SourceMissing => "Uppgift saknas hos källan",
        }
    }

    /// The meaning in English.
    pub fn label_en(self) -> &'static str {
        match self {
            CellStatus::Engine(s) => s.label_en(),
            CellStatus::NotPublished => "Not published for this combination",
            CellStatus::SourceSuppressed => "Hidden by the source (too few or confidential)",
            CellStatus::SourceMissing => "Not available at the source",
        }
    }

    /// The meaning in `lang`.
    pub fn label(self, lang: Lang) -> &'static str {
        lang.pick(self.label_sv(), self.label_en())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn every_status_has_its_own_symbol() {
        let symbols: BTreeSet<&str> = CellStatus::ALL.iter().map(|s| s.symbol()).collect();
        assert_eq!(symbols.len(), CellStatus::ALL.len());
        let codes: BTreeSet<&str> = CellStatus::ALL.iter().map(|s| s.code()).collect();
        assert_eq!(codes.len(), CellStatus::ALL.len());
    }
}
