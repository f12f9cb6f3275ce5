//! The door out for external values: the current version of every source, one table per source
//! indicator, through the hub's one disclosure policy.
//!
//! The figures are public at their source already, yet they leave the hub only as the policy
//! allows: a row with a numerator becomes a cell of the policy's [`Table`] (a proportion with
//! its denominator, else a count when the value is the numerator, else a rate on that many
//! events) and gets the policy's status — a numerator under the count rule's minimum is hidden
//! (`hidden_small`). A value the source suppressed stays hidden with a status saying the source
//! hid it (`source_suppressed`), and so for missing (`source_missing`), not applicable and
//! nothing-to-report (`nil`) markers. A value without a numerator cannot be checked: it is shown
//! as the source published it, marked `disclosure_checked: false`. The tables declare no
//! margins: the hub cannot know that a source's values add up (shares, medians).
//!
//! For PxWeb and DCAT: call [`published`] with the server's policy; each [`SourceTable`] has its
//! dimension values (`areas`, `periods`, `sexes`) and one cell per published row.

use super::SourcesError;
use serde::Serialize;
use std::collections::BTreeMap;
use vardhub_domain::external::{ExternalValue, SourceId, SourceInfo, SourceStatus};
use vardhub_engine::disclosure::{
    CellInput, CellKind, CellValues, DisclosurePolicy, Status, Table,
};
use vardhub_engine::stats::Interval;
use vardhub_store::Hub;

/// The status of a published external cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SourceCellStatus {
    /// Shown.
    Ok,
    /// Shown, and zero.
    Zero,
    /// Hidden by the hub's policy: too few cases.
    HiddenSmall,
    /// Hidden by the hub's policy to protect other hidden values.
    HiddenSecondary,
    /// The source hid it (too few or confidential).
    SourceSuppressed,
    /// The source has no value (not available or too uncertain).
    SourceMissing,
    /// Cannot occur.
    NotApplicable,
    /// Nothing to report (the source's `–`).
    Nil,
}

impl SourceCellStatus {
    /// Every status.
    pub const ALL: [SourceCellStatus; 8] = [
        SourceCellStatus::Ok,
        SourceCellStatus::Zero,
        SourceCellStatus::HiddenSmall,
        SourceCellStatus::HiddenSecondary,
        SourceCellStatus::SourceSuppressed,
        SourceCellStatus::SourceMissing,
        SourceCellStatus::NotApplicable,
        SourceCellStatus::Nil,
    ];

    /// The code (as serialised).
    pub fn code(self) -> &'static str {
        match self {
            SourceCellStatus::Ok => "ok",
            SourceCellStatus::Zero => "zero",
            SourceCellStatus::HiddenSmall => "hidden_small",
            SourceCellStatus::HiddenSecondary => "hidden_secondary",
            SourceCellStatus::SourceSuppressed => "source_suppressed",
            SourceCellStatus::SourceMissing => "source_missing",
            SourceCellStatus::NotApplicable => "not_applicable",
            SourceCellStatus::Nil => "nil",
        }
    }

    /// Swedish explanation.
    pub fn label_sv(self) -> &'static str {
        match self {
            SourceCellStatus::Ok => "Uppgiften redovisas",
            SourceCellStatus::Zero => "Värdet är noll",
            SourceCellStatus::HiddenSmall => "Dold av hubben – för få fall",
            SourceCellStatus::HiddenSecondary => "Dold av hubben – skyddar andra dolda uppgifter",
            SourceCellStatus::SourceSuppressed => "Dold av källan (för få fall eller sekretess)",
            SourceCellStatus::SourceMissing => "Uppgift saknas hos källan",
            SourceCellStatus::NotApplicable => "Ej tillämpligt",
            SourceCellStatus::Nil => "Inget att redovisa enligt källan",
        }
    }

    /// English explanation.
    pub fn label_en(self) -> &'static str {
        match self {
            SourceCellStatus::Ok => "Value shown",
            SourceCellStatus::Zero => "Value is zero",
            SourceCellStatus::HiddenSmall => "Hidden by the hub – too few cases",
            SourceCellStatus::HiddenSecondary => "Hidden by the hub – protects other hidden values",
            SourceCellStatus::SourceSuppressed => "Hidden by the source (too few or confidential)",
            SourceCellStatus::SourceMissing => "Not available at the source",
            SourceCellStatus::NotApplicable => "Not applicable",
            SourceCellStatus::Nil => "Nothing to report, according to the source",
        }
    }

    /// Whether a value is shown.
    pub fn is_published(self) -> bool {
        matches!(self, SourceCellStatus::Ok | SourceCellStatus::Zero)
    }

    fn of_policy(s: Status) -> SourceCellStatus {
        match s {
            Status::Ok => SourceCellStatus::Ok,
            Status::Zero => SourceCellStatus::Zero,
            Status::HiddenSmall => SourceCellStatus::HiddenSmall,
            Status::HiddenSecondary => SourceCellStatus::HiddenSecondary,
            Status::NoData => SourceCellStatus::SourceMissing,
            Status::NotApplicable | Status::NoCases => SourceCellStatus::NotApplicable,
        }
    }
}

/// One published cell: values only where the status is published.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SourceCell {
    /// Area code: `00` Sweden or a region.
    pub area: &'static str,
    /// Period code (`2018`, `2017-2018`, `2018-K1`, `2018-01`, `R12-2018-06`).
    pub period: String,
    /// Period kind (`year`, `span`, `quarter`, `month`, `rolling12`).
    pub period_kind: &'static str,
    /// Sex: `alla`, `1` (men), `2` (women).
    pub kon: &'static str,
    /// The status.
    pub status: SourceCellStatus,
    /// The value (in the source's unit).
    pub value: Option<f64>,
    /// Numerator.
    pub numerator: Option<u64>,
    /// Denominator.
    pub denominator: Option<u64>,
    /// Lower limit.
    pub lower: Option<f64>,
    /// Upper limit.
    pub upper: Option<f64>,
    /// The source's footnote (masked).
    pub footnote: Option<String>,
    /// Whether the hub's policy could check the cell (it has a numerator, or no value at all).
    pub disclosure_checked: bool,
}

/// One source indicator as published.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SourceTable {
    /// The source.
    #[serde(serialize_with = "source_id")]
    pub source: &'static SourceInfo,
    /// The indicator's id.
    pub indicator: String,
    /// Its name as the source gave it.
    pub name: String,
    /// The source version the values come from.
    pub version: u32,
    /// When that version was imported.
    pub imported_at: String,
    /// The policy applied (id).
    pub policy_id: String,
    /// Its version.
    pub policy_version: u32,
    /// Area codes present, sorted.
    pub areas: Vec<&'static str>,
    /// Period codes present, sorted.
    pub periods: Vec<String>,
    /// Sex codes present (`alla`, `1`, `2`).
    pub sexes: Vec<&'static str>,
    /// The cells, by period, area and sex.
    pub cells: Vec<SourceCell>,
}

fn source_id<S: serde::Serializer>(s: &&'static SourceInfo, ser: S) -> Result<S::Ok, S::Error> {
    ser.serialize_str(s.id)
}

/// The current values of every source, one table per source indicator (sources in
/// [`vardhub_domain::external::sources`] order, indicators by id), through `policy`.
pub async fn published(
    hub: &Hub,
    policy: &DisclosurePolicy,
) -> Result<Vec<SourceTable>, SourcesError> {
    let mut out = Vec::new();
    for (version, body) in hub.current_source_bodies().await? {
        let Ok(id) = SourceId::parse(&version.source) else {
            continue;
        };
        let rows: Vec<ExternalValue> =
            serde_json::from_str(&body).map_err(|e| SourcesError::Stored(e.to_string()))?;
        let mut by_indicator: BTreeMap<String, Vec<ExternalValue>> = BTreeMap::new();
        for r in rows {
            by_indicator
                .entry(r.indicator.as_str().to_owned())
                .or_default()
                .push(r);
        }
        for (indicator, mut rows) in by_indicator {
            rows.sort_by_key(|r| (r.period, r.area, r.sex));
            out.push(table(id.info(), indicator, &rows, &version, policy)?);
        }
    }
    let order = |t: &SourceTable| {
        vardhub_domain::external::sources()
            .iter()
            .position(|s| s.id == t.source.id)
    };
    out.sort_by(|a, b| (order(a), &a.indicator).cmp(&(order(b), &b.indicator)));
    Ok(out)
}

/// The policy's cell for a row with a value and a numerator.
fn policy_cell(r: &ExternalValue) -> Option<CellValues> {
    let (value, count) = (r.value?, r.numerator?);
    let interval = r
        .lower
        .zip(r.upper)
        .map(|(lower, upper)| Interval { lower, upper });
    let (kind, denominator) = match r.denominator {
        Some(n) if count <= n => (CellKind::Proportion, Some(n)),
        _ if value == count as f64 => (CellKind::Count, None),
        _ => (CellKind::Rate, None),
    };
    Some(CellValues {
        kind,
        count,
        denominator,
        value,
        interval,
    })
}

fn table(
    info: &'static SourceInfo,
    indicator: String,
    rows: &[ExternalValue],
    version: &vardhub_store::sources::SourceVersion,
    policy: &DisclosurePolicy,
) -> Result<SourceTable, SourcesError> {
    let mut t = Table::new();
    let mut ids = Vec::new();
    for r in rows {
        let cell = (r.status == SourceStatus::Value)
            .then(|| policy_cell(r))
            .flatten();
        ids.push(cell.map(|c| t.add_cell(CellInput::Values(c))));
    }
    let applied = policy.apply(&t)?;
    let cells = rows
        .iter()
        .zip(ids)
        .map(|(r, id)| {
            let mut c = SourceCell {
                area: r.area.code(),
                period: r.period.code(),
                period_kind: r.period.kind(),
                kon: r.sex.code(),
                status: SourceCellStatus::Ok,
                value: None,
                numerator: None,
                denominator: None,
                lower: None,
                upper: None,
                footnote: r.footnote.clone(),
                disclosure_checked: true,
            };
            match (r.status, id) {
                (SourceStatus::Value, Some(id)) => {
                    let p = &applied.cells()[id.0];
                    c.status = SourceCellStatus::of_policy(p.status());
                    if let Some(v) = p.values() {
                        c.value = Some(v.value());
                        c.numerator = Some(v.count());
                        c.denominator = v.denominator();
                        c.lower = v.interval().map(|i| i.lower);
                        c.upper = v.interval().map(|i| i.upper);
                    }
                }
                (SourceStatus::Value, None) => {
                    // No numerator: shown as the source published it, unchecked.
                    c.status = if r.value == Some(0.0) {
                        SourceCellStatus::Zero
                    } else {
                        SourceCellStatus::Ok
                    };
                    c.value = r.value;
                    c.denominator = r.denominator;
                    c.lower = r.lower;
                    c.upper = r.upper;
                    c.disclosure_checked = false;
                }
                (SourceStatus::Suppressed, _) => c.status = SourceCellStatus::SourceSuppressed,
                (SourceStatus::Missing, _) => c.status = SourceCellStatus::SourceMissing,
                (SourceStatus::NotApplicable, _) => c.status = SourceCellStatus::NotApplicable,
                (SourceStatus::Nil, _) => c.status = SourceCellStatus::Nil,
            }
            c
        })
        .collect::<Vec<_>>();
    let mut areas: Vec<&'static str> = cells.iter().map(|c| c.area).collect();
    areas.sort_unstable();
    areas.dedup();
    let mut periods: Vec<String> = Vec::new();
    for r in rows {
        let code = r.period.code();
        if !periods.contains(&code) {
            periods.push(code);
        }
    }
    let mut sexes: Vec<&'static str> = Vec::new();
    for s in ["alla", "1", "2"] {
        if cells.iter().any(|c| c.kon == s) {
            sexes.push(s);
        }
    }
    Ok(SourceTable {
        source: info,
        name: rows
            .first()
            .map(|r| r.indicator_name.clone())
            .unwrap_or_default(),
        indicator,
        version: version.version,
        imported_at: version.imported_at.clone(),
        policy_id: applied.policy_id().to_owned(),
        policy_version: applied.policy_version(),
        areas,
        periods,
        sexes,
        cells,
    })
}
