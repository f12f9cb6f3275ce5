//! Statistikdatabasen / the published tables as PxWeb API v2 serves them (SCB's API, read by
//! `pxwebpy`, R `pxweb` and JSON-stat 2 clients such as `pyjstat`).
//!
//! ```text
//!  tables(state) ─► every published table as a PxTable (one place, below)
//!                   · indicators of the latest official run: one table per indicator, built
//!                     from the public view only (indicators.rs)
//!                   · track-A sources: one table per source indicator, from the same
//!                     public form their API serves (sources.rs); analyses: not yet
//!  selection.rs  ─► valueCodes (GET) / selection (POST) → categories per dimension, checked
//!  jsonstat.rs   ─► table list entries, metadata and data as JSON-stat 2 (+ per-value status)
//!  csv.rs        ─► data as CSV (the status symbol where there is no value)
//! ```
//!
//! A [`PxTable`] is dimensions (each with its categories in table order) and cells keyed by
//! their place in the full table; a cell has a value or a [`CellStatus`], never both. A
//! combination the table holds no cell for is [`CellStatus::NotPublished`].
//!
//! **Invariant:** a table is built only from what the disclosure door already let out for the
//! public (`LoadedRun::values(…, Access::Public)` for indicators); a hidden value is a `null`
//! with its status everywhere.

pub mod csv;
mod indicators;
pub mod jsonstat;
pub mod selection;
pub mod sources;
pub mod status;

pub use status::CellStatus;

use crate::auth::Access;
use crate::error::ServerError;
use crate::i18n::Lang;
use crate::published::PublicValue;
use crate::state::AppState;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// A text in Swedish and English.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Text {
    /// Swedish.
    pub sv: String,
    /// English.
    pub en: String,
}

impl Text {
    /// A text from its two languages.
    pub fn new(sv: impl Into<String>, en: impl Into<String>) -> Text {
        Text {
            sv: sv.into(),
            en: en.into(),
        }
    }
    /// The same text in both languages (codes, names as delivered).
    pub fn same(s: impl Into<String>) -> Text {
        let s = s.into();
        Text {
            sv: s.clone(),
            en: s,
        }
    }
    /// The text in `lang`.
    pub fn pick(&self, lang: Lang) -> &str {
        match lang {
            Lang::Sv => &self.sv,
            Lang::En => &self.en,
        }
    }
}

/// The JSON-stat role of a dimension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Time (`role.time`).
    Time,
    /// Geography (`role.geo`).
    Geo,
    /// What is measured (`role.metric`).
    Metric,
}

/// The unit of a metric category (JSON-stat `category.unit`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PxUnit {
    /// The base unit (`andel`, `antal` …).
    pub base: Text,
    /// Decimals to show.
    pub decimals: u8,
}

/// One category (value) of a dimension.
#[derive(Debug, Clone, PartialEq)]
pub struct PxCategory {
    /// The code clients select by.
    pub code: String,
    /// Its label.
    pub label: Text,
    /// Its unit (metric categories only).
    pub unit: Option<PxUnit>,
    /// A note on the category, if any.
    pub note: Option<Text>,
}

impl PxCategory {
    /// A category with a code and a label.
    pub fn new(code: impl Into<String>, label: Text) -> PxCategory {
        PxCategory {
            code: code.into(),
            label,
            unit: None,
            note: None,
        }
    }
}

/// A dimension (PxWeb: variable) of a table.
#[derive(Debug, Clone, PartialEq)]
pub struct PxDimension {
    /// The variable code (`Region`, `Kon`, `Alder`, `ContentsCode`, `Tid`).
    pub code: String,
    /// Its label.
    pub label: Text,
    /// Its JSON-stat role, if any.
    pub role: Option<Role>,
    /// The categories, in table order.
    pub categories: Vec<PxCategory>,
    /// The category a selection that leaves the dimension out gets (its total); `None`: the
    /// dimension must be selected.
    pub elimination: Option<usize>,
    /// The categories of the default selection (empty: eliminated by default).
    pub default: Vec<usize>,
}

impl PxDimension {
    /// The place of a category by code: exact, else ASCII case-insensitive when unique (PxWeb
    /// compares codes without case).
    pub fn find(&self, code: &str) -> Option<usize> {
        if let Some(i) = self.categories.iter().position(|c| c.code == code) {
            return Some(i);
        }
        let mut hits = self
            .categories
            .iter()
            .enumerate()
            .filter(|(_, c)| c.code.eq_ignore_ascii_case(code));
        match (hits.next(), hits.next()) {
            (Some((i, _)), None) => Some(i),
            _ => None,
        }
    }
}

/// A cell of a table: a value, or the status saying why there is none.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum PxCell {
    /// A published value.
    Value(f64),
    /// No value, and why.
    Missing(CellStatus),
}

/// Where a table belongs (PxWeb `paths`, one level per element).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PxPathElement {
    /// Identifier.
    pub id: String,
    /// Label.
    pub label: Text,
}

/// One published table.
#[derive(Debug, Clone)]
pub struct PxTable {
    /// The table id (an indicator's id for indicator tables).
    pub id: String,
    /// Title.
    pub label: Text,
    /// Longer description.
    pub description: Text,
    /// Who publishes it.
    pub source: Text,
    /// When its figures were last updated (ISO 8601, UTC).
    pub updated: String,
    /// PxWeb time unit of its finest period (`Monthly`, `Quarterly`, `Annual`, `Other`).
    pub time_unit: &'static str,
    /// Subject code.
    pub subject_code: String,
    /// Where it belongs, from the top.
    pub path: Vec<PxPathElement>,
    /// Table-level notes.
    pub notes: Vec<Text>,
    /// The dimensions, in JSON-stat `id` order (the last varies fastest).
    pub dimensions: Vec<PxDimension>,
    cells: HashMap<u64, PxCell>,
}

impl PxTable {
    /// A table without cells (every combination [`CellStatus::NotPublished`] until set).
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        id: impl Into<String>,
        label: Text,
        description: Text,
        source: Text,
        updated: impl Into<String>,
        time_unit: &'static str,
        subject_code: impl Into<String>,
        path: Vec<PxPathElement>,
        dimensions: Vec<PxDimension>,
    ) -> PxTable {
        PxTable {
            id: id.into(),
            label,
            description,
            source,
            updated: updated.into(),
            time_unit,
            subject_code: subject_code.into(),
            path,
            notes: Vec::new(),
            dimensions,
            cells: HashMap::new(),
        }
    }

    /// The number of categories of each dimension.
    pub fn size(&self) -> Vec<usize> {
        self.dimensions.iter().map(|d| d.categories.len()).collect()
    }

    /// The dimension with this variable code (ASCII case-insensitive, as PxWeb).
    pub fn dimension(&self, code: &str) -> Option<usize> {
        self.dimensions
            .iter()
            .position(|d| d.code == code)
            .or_else(|| {
                self.dimensions
                    .iter()
                    .position(|d| d.code.eq_ignore_ascii_case(code))
            })
    }

    fn key(&self, at: &[usize]) -> Option<u64> {
        if at.len() != self.dimensions.len() {
            return None;
        }
        let mut key = 0u64;
        for (d, &i) in self.dimensions.iter().zip(at) {
            if i >= d.categories.len() {
                return None;
            }
            key = key * d.categories.len() as u64 + i as u64;
        }
        Some(key)
    }

    /// Set the cell at `at` (one category index per dimension); out-of-range places are ignored.
    pub fn set(&mut self, at: &[usize], cell: PxCell) {
        if let Some(k) = self.key(at) {
            self.cells.insert(k, cell);
        }
    }

    /// The cell at `at`.
    pub fn cell(&self, at: &[usize]) -> PxCell {
        self.key(at)
            .and_then(|k| self.cells.get(&k).copied())
            .unwrap_or(PxCell::Missing(CellStatus::NotPublished))
    }

    /// The first and last time category codes, if there is a time dimension.
    pub fn period_span(&self) -> Option<(&str, &str)> {
        let d = self
            .dimensions
            .iter()
            .find(|d| d.role == Some(Role::Time))?;
        Some((&d.categories.first()?.code, &d.categories.last()?.code))
    }
}

/// Every published table, in a stable order. This is the one list PxWeb serves: a source of
/// published tables adds its tables here, built as [`PxTable`]s from its public form only.
pub async fn tables(state: &AppState) -> Result<Vec<Arc<PxTable>>, ServerError> {
    let mut out = Vec::new();
    // 1. The indicators of the latest official run (public view), one table per indicator.
    if let Some(run) = state.latest_run().await? {
        let defs = state.definitions();
        let values = run.values(&defs, Access::Public).await?;
        out.extend(indicator_tables(&defs, &values, &run.run.finished_at));
    }
    // 2. Track-A external sources: one table per source indicator, from the same public form
    //    `/api/v1/sources/…/values` serves. (Analyses: not yet.)
    let defs = state.definitions();
    let external = vardhub_ops::sources::published(state.hub(), defs.policy())
        .await
        .map_err(|e| ServerError::Publish(e.to_string()))?;
    out.extend(sources::tables(&external).into_iter().map(Arc::new));
    Ok(out)
}

/// The indicator tables, cached for the public view they were built from.
fn indicator_tables(
    defs: &vardhub_engine::definitions::Definitions,
    values: &Arc<Vec<PublicValue>>,
    updated: &str,
) -> Vec<Arc<PxTable>> {
    type Cached = Option<(Arc<Vec<PublicValue>>, Vec<Arc<PxTable>>)>;
    static CACHE: Mutex<Cached> = Mutex::new(None);
    let mut cache = CACHE
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some((v, t)) = cache.as_ref()
        && Arc::ptr_eq(v, values)
    {
        return t.clone();
    }
    let built: Vec<Arc<PxTable>> = indicators::tables(defs, values, updated)
        .into_iter()
        .map(Arc::new)
        .collect();
    // The cache holds the view it was built from, so its address cannot be reused meanwhile.
    *cache = Some((values.clone(), built.clone()));
    built
}

/// The table with this id (ASCII case-insensitive), if published.
pub async fn table(state: &AppState, id: &str) -> Result<Option<Arc<PxTable>>, ServerError> {
    let all = tables(state).await?;
    Ok(all
        .iter()
        .find(|t| t.id == id)
        .or_else(|| all.iter().find(|t| t.id.eq_ignore_ascii_case(id)))
        .cloned())
}
