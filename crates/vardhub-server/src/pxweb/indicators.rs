//! One PxWeb table per indicator, from the public view of the latest official run.
//!
//! Dimensions: `Region` (every area published: Sweden `00`, sjukvårdsregioner, regions, and
//! kommuner, hospitals and units where the recipe publishes them), `Kon` and `Alder` when the
//! indicator publishes breakdowns by sex or age group, `ContentsCode` (value, numerator,
//! denominator, lower and upper limit) and `Tid` (the published periods, oldest end first; the
//! hub's own period codes, as in the JSON API). A cell gets a value only when the public status
//! shows it; otherwise it carries the status.

use super::{
    CellStatus, PxCategory, PxCell, PxDimension, PxPathElement, PxTable, PxUnit, Role, Text,
};
use crate::published::PublicValue;
use std::collections::{BTreeSet, HashMap};
use vardhub_domain::{Area, Level, PeriodKind, ReportPeriod};
use vardhub_engine::definitions::Definitions;
use vardhub_engine::disclosure::Status;
use vardhub_engine::indicator::compute::{AGE_GROUPS, ALL};
use vardhub_engine::indicator::publish::{AGE_UNKNOWN, SEX_UNKNOWN};
use vardhub_engine::indicator::spec::{IndicatorSpec, Unit};

/// The contents of every indicator table: (code, sv, en).
const CONTENTS: [(&str, &str, &str); 5] = [
    ("value", "Värde", "Value"),
    ("numerator", "Täljare", "Numerator"),
    ("denominator", "Nämnare", "Denominator"),
    ("lower", "Undre 95 %-gräns", "Lower 95 % limit"),
    ("upper", "Övre 95 %-gräns", "Upper 95 % limit"),
];

/// Every indicator with values in `values` (the public view), in the recipes' order.
pub(super) fn tables(defs: &Definitions, values: &[PublicValue], updated: &str) -> Vec<PxTable> {
    let mut by_indicator: HashMap<&str, Vec<&PublicValue>> = HashMap::new();
    for v in values {
        by_indicator.entry(&v.indicator).or_default().push(v);
    }
    defs.recipes()
        .values()
        .filter_map(|r| {
            let vs = by_indicator.get(r.spec.id.as_str())?;
            Some(table(&r.spec, vs, updated))
        })
        .collect()
}

fn table(spec: &IndicatorSpec, values: &[&PublicValue], updated: &str) -> PxTable {
    let regions = region_dimension(values);
    let periods = period_dimension(values);
    let time_unit = finest_kind(values).map_or("Other", |k| match k {
        PeriodKind::Month => "Monthly",
        PeriodKind::Quarter => "Quarterly",
        PeriodKind::Year => "Annual",
        PeriodKind::Rolling12 => "Other",
    });
    let mut dims = vec![regions];
    let sex = breakdown(
        values,
        |v| &v.kon,
        &sex_order(),
        "Kon",
        Text::new("kön", "sex"),
        sex_label,
    );
    let age = breakdown(
        values,
        |v| &v.aldersgrupp,
        &age_order(),
        "Alder",
        Text::new("åldersgrupp", "age group"),
        age_label,
    );
    dims.extend(sex);
    dims.extend(age);
    dims.push(contents_dimension(spec));
    dims.push(periods);
    let mut t = PxTable::new(
        spec.id.clone(),
        Text::new(&spec.title.sv, &spec.title.en),
        Text::new(&spec.description.sv, &spec.description.en),
        Text::new(
            "Vårddatahubben",
            "Vårddatahubben (the regions' shared health-data hub)",
        ),
        updated,
        time_unit,
        "IND",
        vec![
            PxPathElement {
                id: "IND".into(),
                label: Text::new("Indikatorer", "Indicators"),
            },
            PxPathElement {
                id: slug(&spec.area),
                label: Text::new(&spec.area, spec.area_en.as_deref().unwrap_or(&spec.area)),
            },
        ],
        dims,
    );
    t.notes.push(Text::new(
        format!(
            "Källa: insamlingen {} i Vårddatahubben, indikatorrecept {} version {}. Dolda värden visas som tomma (null) med en status.",
            spec.source, spec.id, spec.version
        ),
        format!(
            "Source: the {} collection in Vårddatahubben, indicator recipe {} version {}. Hidden values are empty (null) with a status.",
            spec.source, spec.id, spec.version
        ),
    ));
    fill(&mut t, values);
    t
}

/// Place every public value's five contents in the table.
fn fill(t: &mut PxTable, values: &[&PublicValue]) {
    let index = |d: &PxDimension| -> HashMap<String, usize> {
        d.categories
            .iter()
            .enumerate()
            .map(|(i, c)| (c.code.clone(), i))
            .collect()
    };
    let per_dim: Vec<HashMap<String, usize>> = t.dimensions.iter().map(index).collect();
    let codes: Vec<String> = t.dimensions.iter().map(|d| d.code.clone()).collect();
    let contents_at = codes.iter().position(|c| c == "ContentsCode");
    for v in values {
        let mut at = Vec::with_capacity(codes.len());
        for (code, idx) in codes.iter().zip(&per_dim) {
            let key = match code.as_str() {
                "Region" => v.region.as_str(),
                "Kon" => v.kon.as_str(),
                "Alder" => v.aldersgrupp.as_str(),
                "Tid" => v.period.as_str(),
                _ => "",
            };
            at.push(idx.get(key).copied().unwrap_or(0));
        }
        // A value that is not shown in the public view stays hidden whatever its fields hold.
        let shown = v.status.is_published();
        let Some(ci) = contents_at else { continue };
        for (i, x) in [v.value, v.numerator, v.denominator, v.lower, v.upper]
            .into_iter()
            .enumerate()
        {
            at[ci] = i;
            let cell = match (shown, x) {
                (true, Some(x)) if x.is_finite() => PxCell::Value(x),
                (true, _) => PxCell::Missing(CellStatus::Engine(Status::NotApplicable)),
                (false, _) => PxCell::Missing(CellStatus::Engine(v.status)),
            };
            t.set(&at, cell);
        }
    }
}

fn level_rank(code: &str) -> usize {
    Level::parse(code).map_or(usize::MAX, |l| {
        Level::ALL
            .iter()
            .position(|x| *x == l)
            .unwrap_or(usize::MAX)
    })
}

fn region_dimension(values: &[&PublicValue]) -> PxDimension {
    let areas: BTreeSet<(usize, &str)> = values
        .iter()
        .map(|v| (level_rank(&v.level), v.region.as_str()))
        .collect();
    let categories: Vec<PxCategory> = areas
        .iter()
        .map(|(_, code)| {
            let label = Area::parse(code).map_or_else(
                |_| Text::same(*code),
                |a| Text::new(a.name_sv(), a.name_en()),
            );
            PxCategory::new(*code, label)
        })
        .collect();
    let default: Vec<usize> = areas
        .iter()
        .enumerate()
        .filter(|(_, (rank, _))| *rank <= 2 && *rank != 1)
        .map(|(i, _)| i)
        .collect();
    PxDimension {
        code: "Region".into(),
        label: Text::new("område", "area"),
        role: Some(Role::Geo),
        elimination: categories.iter().position(|c| c.code == "00"),
        categories,
        default,
    }
}

fn finest_kind(values: &[&PublicValue]) -> Option<PeriodKind> {
    values
        .iter()
        .filter_map(|v| ReportPeriod::parse(&v.period).ok())
        .map(|p| p.kind())
        .min()
}

fn period_dimension(values: &[&PublicValue]) -> PxDimension {
    let periods: BTreeSet<(String, PeriodKind, String)> = values
        .iter()
        .filter_map(|v| {
            let p = ReportPeriod::parse(&v.period).ok()?;
            Some((p.last_month().to_string(), p.kind(), v.period.clone()))
        })
        .collect();
    let finest = periods.iter().map(|(_, k, _)| *k).min();
    let mut default = Vec::new();
    let categories = periods
        .iter()
        .enumerate()
        .map(|(i, (_, kind, code))| {
            if Some(*kind) == finest {
                default.push(i);
            }
            PxCategory::new(code.clone(), period_label(code))
        })
        .collect();
    PxDimension {
        code: "Tid".into(),
        label: Text::new("period", "period"),
        role: Some(Role::Time),
        categories,
        elimination: None,
        default,
    }
}

const MONTHS: [(&str, &str); 12] = [
    ("januari", "January"),
    ("februari", "February"),
    ("mars", "March"),
    ("april", "April"),
    ("maj", "May"),
    ("juni", "June"),
    ("juli", "July"),
    ("augusti", "August"),
    ("september", "September"),
    ("oktober", "October"),
    ("november", "November"),
    ("december", "December"),
];

fn month_name(month: u32) -> (&'static str, &'static str) {
    MONTHS
        .get(month.saturating_sub(1) as usize)
        .copied()
        .unwrap_or(("", ""))
}

pub(super) fn period_label(code: &str) -> Text {
    match ReportPeriod::parse(code) {
        Ok(ReportPeriod::Month(m)) => {
            let (sv, en) = month_name(m.month());
            Text::new(format!("{sv} {}", m.year()), format!("{en} {}", m.year()))
        }
        Ok(ReportPeriod::Quarter(y, q)) => {
            Text::new(format!("kvartal {q} {y}"), format!("Q{q} {y}"))
        }
        Ok(ReportPeriod::Year(y)) => Text::same(y.to_string()),
        Ok(ReportPeriod::Rolling12(end)) => {
            let (sv, en) = month_name(end.month());
            Text::new(
                format!("12 månader t.o.m. {sv} {}", end.year()),
                format!("12 months to {en} {}", end.year()),
            )
        }
        Err(_) => Text::same(code),
    }
}

fn sex_order() -> Vec<&'static str> {
    vec![ALL, "1", "2", SEX_UNKNOWN]
}

pub(super) fn sex_label(code: &str) -> Text {
    match code {
        "1" => Text::new("män", "men"),
        "2" => Text::new("kvinnor", "women"),
        c if c == ALL => Text::new("totalt", "total"),
        c if c == SEX_UNKNOWN => Text::new("okänt kön", "sex unknown"),
        c => Text::same(c),
    }
}

fn age_order() -> Vec<&'static str> {
    let mut v = vec![ALL];
    v.extend(AGE_GROUPS);
    v.push(AGE_UNKNOWN);
    v
}

fn age_label(code: &str) -> Text {
    match code {
        c if c == ALL => Text::new("alla åldrar", "all ages"),
        c if c == AGE_UNKNOWN => Text::new("okänd ålder", "age unknown"),
        c => Text::new(format!("{c} år"), format!("{c} years")),
    }
}

/// A breakdown dimension (sex, age group) when the indicator publishes more than the total.
fn breakdown(
    values: &[&PublicValue],
    key: impl Fn(&PublicValue) -> &String,
    order: &[&str],
    code: &str,
    label: Text,
    labels: fn(&str) -> Text,
) -> Option<PxDimension> {
    let present: BTreeSet<&str> = values.iter().map(|v| key(v).as_str()).collect();
    if present.iter().all(|c| *c == ALL) {
        return None;
    }
    let mut codes: Vec<&str> = order
        .iter()
        .copied()
        .filter(|c| present.contains(c))
        .collect();
    codes.extend(present.iter().filter(|c| !order.contains(c)));
    let categories: Vec<PxCategory> = codes
        .iter()
        .map(|c| PxCategory::new(*c, labels(c)))
        .collect();
    Some(PxDimension {
        code: code.into(),
        label,
        role: None,
        elimination: categories.iter().position(|c| c.code == ALL),
        categories,
        default: Vec::new(),
    })
}

fn unit_text(unit: Unit) -> (Text, u8) {
    match unit {
        Unit::Proportion => (Text::new("andel (0–1)", "proportion (0–1)"), 3),
        Unit::Per100 => (Text::new("per 100", "per 100"), 2),
        Unit::Per1000 => (Text::new("per 1 000", "per 1,000"), 2),
        Unit::Per100000 => (Text::new("per 100 000", "per 100,000"), 2),
        Unit::Mean => (Text::new("medelvärde", "mean"), 1),
        Unit::Ratio => (Text::new("kvot", "ratio"), 0),
        Unit::PerInhabitant => (Text::new("kronor per invånare", "SEK per inhabitant"), 0),
    }
}

fn contents_dimension(spec: &IndicatorSpec) -> PxDimension {
    let (value_unit, value_decimals) = unit_text(spec.unit);
    let counts = spec.unit.counts_events();
    let categories = CONTENTS
        .iter()
        .map(|(code, sv, en)| {
            let (base, decimals) = match *code {
                "numerator" if counts => (Text::new("antal", "count"), 0),
                "numerator" => (Text::new("summa", "sum"), 2),
                "denominator" if spec.unit == Unit::Ratio => (Text::new("summa", "sum"), 2),
                "denominator" => (Text::new("antal", "count"), 0),
                _ => (value_unit.clone(), value_decimals),
            };
            let note = match *code {
                "numerator" => Some(Text::new(&spec.numerator.sv, &spec.numerator.en)),
                "denominator" => Some(Text::new(&spec.denominator.sv, &spec.denominator.en)),
                _ => None,
            };
            PxCategory {
                code: (*code).into(),
                label: Text::new(*sv, *en),
                unit: Some(PxUnit { base, decimals }),
                note,
            }
        })
        .collect();
    PxDimension {
        code: "ContentsCode".into(),
        label: Text::new("tabellinnehåll", "observations"),
        role: Some(Role::Metric),
        categories,
        elimination: None,
        default: vec![0],
    }
}

/// An ASCII identifier from a subject name (`Tillgänglighet (vårdgaranti)` → `tillganglighet-vardgaranti`).
fn slug(s: &str) -> String {
    let mut out = String::new();
    for ch in s.to_lowercase().chars() {
        let c = match ch {
            'å' | 'ä' => 'a',
            'ö' => 'o',
            'é' => 'e',
            c if c.is_ascii_alphanumeric() => c,
            _ => '-',
        };
        if c != '-' || !out.ends_with('-') {
            out.push(c);
        }
    }
    out.trim_matches('-').to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subject_slugs_are_ascii() {
        assert_eq!(
            slug("Tillgänglighet (vårdgaranti)"),
            "tillganglighet-vardgaranti"
        );
    }

    #[test]
    fn periods_are_labelled_in_both_languages() {
        assert_eq!(period_label("2024-03").sv, "mars 2024");
        assert_eq!(period_label("2024-K1").en, "Q1 2024");
        assert_eq!(period_label("R12-2024-03").en, "12 months to March 2024");
    }
}
