//! One PxWeb table per track-A source indicator (issue 17), built from the same public form that
//! `/api/v1/sources/{source}/indicators/{id}/values` serves (`vardhub_ops::sources::published`:
//! the current version of each source through the hub's disclosure policy).
//!
//! Dimensions: `Region` (Sweden `00` and the regions the source reported), `Kon` when the source
//! reported by sex, `ContentsCode` (value, numerator, denominator, lower and upper limit) and
//! `Tid` (the periods as the hub coded them: `2018`, `2017-2018`, `2018-K1`, `2018-01`). A hidden
//! value — by the hub's policy or by the source — is a status, never a value.

use super::indicators::{period_label, sex_label};
use super::{
    CellStatus, PxCategory, PxCell, PxDimension, PxPathElement, PxTable, PxUnit, Role, Text,
};
use std::collections::HashMap;
use vardhub_domain::Area;
use vardhub_engine::disclosure::Status;
use vardhub_ops::sources::{SourceCell, SourceCellStatus, SourceTable};

/// The table id of a source indicator: `ext-{source}-{indicator}` (indicator tables use the
/// recipes' ids, which have no `ext-` prefix).
pub fn table_id(source: &str, indicator: &str) -> String {
    format!("ext-{source}-{indicator}")
}

const CONTENTS: [(&str, &str, &str); 5] = [
    ("value", "Värde", "Value"),
    ("numerator", "Täljare", "Numerator"),
    ("denominator", "Nämnare", "Denominator"),
    ("lower", "Undre gräns", "Lower limit"),
    ("upper", "Övre gräns", "Upper limit"),
];

/// Every source indicator's table.
pub(super) fn tables(list: &[SourceTable]) -> Vec<PxTable> {
    list.iter().map(table).collect()
}

fn table(s: &SourceTable) -> PxTable {
    let mut dims = vec![region_dimension(s)];
    if s.sexes.iter().any(|k| *k != "alla") {
        let categories: Vec<PxCategory> = s
            .sexes
            .iter()
            .map(|k| PxCategory::new(*k, sex_label(k)))
            .collect();
        dims.push(PxDimension {
            code: "Kon".into(),
            label: Text::new("kön", "sex"),
            role: None,
            elimination: categories.iter().position(|c| c.code == "alla"),
            default: (0..categories.len()).collect(),
            categories,
        });
    }
    dims.push(contents_dimension());
    let periods: Vec<PxCategory> = s
        .periods
        .iter()
        .map(|p| PxCategory::new(p, period_label(p)))
        .collect();
    let years = s.periods.iter().all(|p| p.len() == 4);
    dims.push(PxDimension {
        code: "Tid".into(),
        label: Text::new("period", "period"),
        role: Some(Role::Time),
        elimination: None,
        default: periods.len().checked_sub(1).into_iter().collect(),
        categories: periods,
    });
    let src = s.source;
    let mut t = PxTable::new(
        table_id(src.id, &s.indicator),
        Text::new(
            format!("{} ({})", s.name, src.name_sv),
            format!("{} ({})", s.name, src.name_en),
        ),
        Text::new(
            format!(
                "{} – publicerat av {} ({}), importerat till hubben som version {}.",
                s.name, src.publisher, src.url, s.version
            ),
            format!(
                "{} – published by {} ({}), imported into the hub as version {}.",
                s.name, src.publisher, src.url, s.version
            ),
        ),
        Text::new(src.name_sv, src.name_en),
        &s.imported_at,
        if years { "Annual" } else { "Other" },
        "EXT",
        vec![
            PxPathElement {
                id: "EXT".into(),
                label: Text::new("Externa källor", "External sources"),
            },
            PxPathElement {
                id: src.id.to_owned(),
                label: Text::new(src.name_sv, src.name_en),
            },
        ],
        dims,
    );
    t.notes.push(Text::new(
        format!(
            "Källa: {}. {} Värdena har passerat hubbens röjandeskydd ({} version {}); dolda värden \
             visas som tomma (null) med en status.",
            src.name_sv, src.attribution_sv, s.policy_id, s.policy_version
        ),
        format!(
            "Source: {}. {} The values passed the hub's disclosure control ({} version {}); hidden \
             values are empty (null) with a status.",
            src.name_en, src.attribution_en, s.policy_id, s.policy_version
        ),
    ));
    fill(&mut t, &s.cells);
    t
}

fn region_dimension(s: &SourceTable) -> PxDimension {
    let categories: Vec<PxCategory> = s
        .areas
        .iter()
        .map(|code| {
            let label = Area::parse(code).map_or_else(
                |_| Text::same(*code),
                |a| Text::new(a.name_sv(), a.name_en()),
            );
            PxCategory::new(*code, label)
        })
        .collect();
    PxDimension {
        code: "Region".into(),
        label: Text::new("område", "area"),
        role: Some(Role::Geo),
        elimination: categories.iter().position(|c| c.code == "00"),
        default: (0..categories.len()).collect(),
        categories,
    }
}

fn contents_dimension() -> PxDimension {
    let categories = CONTENTS
        .iter()
        .map(|(code, sv, en)| {
            let mut c = PxCategory::new(*code, Text::new(*sv, *en));
            let (base, decimals) = match *code {
                "numerator" | "denominator" => (Text::new("antal", "count"), 0),
                _ => (Text::new("källans enhet", "the source's unit"), 1),
            };
            c.unit = Some(PxUnit { base, decimals });
            c
        })
        .collect();
    PxDimension {
        code: "ContentsCode".into(),
        label: Text::new("tabellinnehåll", "contents"),
        role: Some(Role::Metric),
        elimination: None,
        default: vec![0],
        categories,
    }
}

/// The status of a cell without a value.
fn missing(status: SourceCellStatus) -> CellStatus {
    match status {
        SourceCellStatus::HiddenSmall => CellStatus::Engine(Status::HiddenSmall),
        SourceCellStatus::HiddenSecondary => CellStatus::Engine(Status::HiddenSecondary),
        SourceCellStatus::SourceSuppressed => CellStatus::SourceSuppressed,
        SourceCellStatus::SourceMissing => CellStatus::SourceMissing,
        SourceCellStatus::Nil => CellStatus::Engine(Status::NoCases),
        SourceCellStatus::NotApplicable | SourceCellStatus::Ok | SourceCellStatus::Zero => {
            CellStatus::Engine(Status::NotApplicable)
        }
    }
}

fn fill(t: &mut PxTable, cells: &[SourceCell]) {
    let index: Vec<HashMap<String, usize>> = t
        .dimensions
        .iter()
        .map(|d| {
            d.categories
                .iter()
                .enumerate()
                .map(|(i, c)| (c.code.clone(), i))
                .collect()
        })
        .collect();
    let codes: Vec<String> = t.dimensions.iter().map(|d| d.code.clone()).collect();
    let Some(ci) = codes.iter().position(|c| c == "ContentsCode") else {
        return;
    };
    for c in cells {
        let mut at = Vec::with_capacity(codes.len());
        for (code, idx) in codes.iter().zip(&index) {
            let key = match code.as_str() {
                "Region" => c.area,
                "Kon" => c.kon,
                "Tid" => c.period.as_str(),
                _ => "",
            };
            at.push(idx.get(key).copied().unwrap_or(0));
        }
        let shown = c.status.is_published();
        let numbers = [
            c.value,
            c.numerator.map(|n| n as f64),
            c.denominator.map(|n| n as f64),
            c.lower,
            c.upper,
        ];
        for (i, x) in numbers.into_iter().enumerate() {
            at[ci] = i;
            let cell = match (shown, x) {
                (true, Some(x)) if x.is_finite() => PxCell::Value(x),
                (true, _) => PxCell::Missing(CellStatus::Engine(Status::NotApplicable)),
                (false, _) => PxCell::Missing(missing(c.status)),
            };
            t.set(&at, cell);
        }
    }
}
