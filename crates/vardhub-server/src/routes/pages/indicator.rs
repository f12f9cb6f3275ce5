//! The indicator page: definition; regions side by side with intervals, Sweden and the target; a
//! map; Sweden against a chosen region over time; a funnel plot; the values table with statuses;
//! download links. Every chart is followed by a table of the same numbers.

use super::format::{
    direction_label, display_factor, flag_label, headline, show, show_interval, status_label,
    unit_label,
};
use super::values::{opening_kind, totals, values_for};
use super::{Base, message, render};
use crate::auth::{Access, Caller};
use crate::charts::{self, RegionPoint, embed};
use crate::i18n::{Lang, region_name};
use crate::problem::Problem;
use crate::state::AppState;
use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::BTreeSet;
use vardhub_domain::{PeriodKind, RegionCode, ReportPeriod};
use vardhub_engine::indicator::compute::SWEDEN;
use vardhub_engine::indicator::spec::Unit;
use vardhub_engine::stats::{Confidence, normal_funnel_limits};

/// A chart and the table that follows it.
pub struct Figure {
    id: &'static str,
    heading: String,
    kind: &'static str,
    spec: String,
    caption: String,
    head: Vec<String>,
    rows: Vec<Vec<String>>,
}

/// One row of the values table.
pub struct ValueRow {
    region: String,
    name: String,
    status_code: &'static str,
    status: String,
    value: String,
    raw: String,
    interval: String,
    numerator: String,
    denominator: String,
    flag: String,
}

#[derive(Template)]
#[template(path = "indicator.html")]
struct IndicatorPage {
    base: Base,
    t: Lang,
    id: String,
    title: String,
    description: String,
    numerator: String,
    denominator: String,
    area: String,
    source: String,
    version: String,
    hash: String,
    unit: String,
    direction: String,
    method: String,
    target: Option<String>,
    run_id: Option<String>,
    period: String,
    periods: Vec<(String, bool)>,
    /// (code, name, chosen) of the period kinds the recipe publishes.
    kinds: Vec<(String, String, bool)>,
    regions: Vec<(String, String, bool)>,
    figures: Vec<Figure>,
    values: Vec<ValueRow>,
    sweden: Option<ValueRow>,
    access_note: String,
}

/// Query of the indicator page.
#[derive(Debug, Deserialize)]
pub struct PageQuery {
    region: Option<String>,
    period: Option<String>,
    /// Period kind: `month`, `quarter`, `year`, `rolling12`.
    periodtyp: Option<String>,
}

/// `GET /indikatorer/{id}`.
pub async fn indicator(
    State(state): State<AppState>,
    caller: Caller,
    lang: Lang,
    uri: Uri,
    Path(id): Path<String>,
    query: Result<Query<PageQuery>, QueryRejection>,
) -> Result<Response, Problem> {
    let mut base = Base::new(lang, &caller, &uri);
    // The latest run first: it refreshes the definitions with the hub's approved recipes.
    state.latest_run().await.map_err(Problem::internal)?;
    let defs = state.definitions();
    let Some(recipe) = defs.recipes().get(&id) else {
        return Ok(message(
            StatusCode::NOT_FOUND,
            base,
            lang.pick("Okänd indikator", "Unknown indicator"),
            lang.pick(
                "Se listan på startsidan.",
                "See the list on the start page.",
            ),
        ));
    };
    base.charts = true;
    let s = &recipe.spec;
    let q = query.ok().map(|Query(q)| q);
    let access = caller.access();
    let default_region = match access {
        Access::Region(r) => r,
        _ => RegionCode::all()
            .next()
            .unwrap_or_else(|| unreachable!("21 regions")),
    };
    let chosen = q
        .as_ref()
        .and_then(|q| q.region.as_deref())
        .and_then(|r| RegionCode::parse(r).ok())
        .unwrap_or(default_region);
    let data = values_for(&state, &caller).await?;
    let mine: Vec<_> = data
        .as_ref()
        .map(|d| d.values.iter().filter(|v| v.indicator == id).collect())
        .unwrap_or_default();
    let all_values = data
        .as_ref()
        .map(|d| d.values.as_slice())
        .unwrap_or_default();
    let kinds = s.dimensions.period_kinds();
    let kind = q
        .as_ref()
        .and_then(|q| q.periodtyp.as_deref())
        .and_then(PeriodKind::parse)
        .filter(|k| kinds.contains(k))
        .unwrap_or_else(|| opening_kind(all_values, s));
    let of_kind = |p: &str| ReportPeriod::parse(p).is_ok_and(|p| p.kind() == kind);
    let periods: BTreeSet<&str> = mine
        .iter()
        .map(|v| v.period.as_str())
        .filter(|p| of_kind(p))
        .collect();
    let period = q
        .as_ref()
        .and_then(|q| q.period.clone())
        .filter(|p| periods.contains(p.as_str()))
        .or_else(|| periods.last().map(|p| (*p).to_owned()))
        .unwrap_or_default();
    let unit = unit_label(s.unit, lang).to_owned();
    let f = display_factor(s.unit);

    let at_period: Vec<_> = std::iter::once(SWEDEN.to_owned())
        .chain(RegionCode::all().map(|r| r.as_str().to_owned()))
        .filter_map(|r| {
            totals(all_values, &id, &r, kind)
                .into_iter()
                .find(|v| v.period == period)
        })
        .collect();
    let row = |v: &crate::published::PublicValue| {
        let (x, lo, hi) = headline(v, s.unit);
        ValueRow {
            region: v.region.clone(),
            name: region_name(&v.region, lang).to_owned(),
            status_code: v.status.code(),
            status: status_label(v, lang).to_owned(),
            value: show(x, s.unit, lang),
            raw: v.value.map_or(String::new(), |x| x.to_string()),
            interval: show_interval(lo, hi, s.unit, lang),
            numerator: v
                .numerator
                .map_or("–".into(), |n| crate::i18n::number(n, 0, lang)),
            denominator: v
                .denominator
                .map_or("–".into(), |n| crate::i18n::number(n, 0, lang)),
            flag: flag_label(v.funnel_95.as_deref(), lang).to_owned(),
        }
    };
    let sweden_value = at_period.iter().find(|v| v.region == SWEDEN).copied();
    let points: Vec<RegionPoint> = at_period
        .iter()
        .filter(|v| v.region != SWEDEN)
        .map(|v| {
            let (x, lo, hi) = headline(v, s.unit);
            RegionPoint {
                region: v.region.clone(),
                name: region_name(&v.region, lang).to_owned(),
                value: x,
                lower: lo,
                upper: hi,
                status: status_label(v, lang).to_owned(),
                denominator: v.denominator,
                flag: flag_label(v.funnel_95.as_deref(), lang).to_owned(),
            }
        })
        .collect();
    let national = sweden_value.and_then(|v| headline(v, s.unit).0);
    let target = s.target.as_ref().map(|t| t.value * f);

    let mut figures = Vec::new();
    figures.push(Figure {
        id: "diagram-regioner",
        heading: format!("{} {period}", lang.pick("Regionerna jämförda,", "Regions compared,")),
        kind: "chart",
        spec: described(charts::regions(&points, national, target, &unit, lang), lang.pick("Regionerna jämförda", "Regions compared")),
        caption: lang
            .pick(
                "Värdet med 95 % konfidensintervall per region. Svart linje: riket. Streckad grön linje: målnivå.",
                "Value with 95 % confidence interval per region. Black line: Sweden. Dashed green line: target.",
            )
            .to_owned(),
        head: vec![],
        rows: vec![],
    });
    figures.push(Figure {
        id: "karta",
        heading: format!("{} {period}", lang.pick("Karta,", "Map,")),
        kind: "map",
        spec: described(
            charts::map(&points, &unit, lang),
            lang.pick("Karta över regionerna", "Map of the regions"),
        ),
        caption: lang.pick("Kartans värden", "The map's values").to_owned(),
        head: vec![lang.pick("Region", "Region").into(), unit.clone()],
        rows: points
            .iter()
            .map(|p| {
                vec![
                    p.name.clone(),
                    p.value
                        .map_or_else(|| p.status.clone(), |x| show(Some(x), s.unit, lang)),
                ]
            })
            .collect(),
    });
    let series_name = region_name(chosen.as_str(), lang).to_owned();
    let sweden_series = totals(all_values, &id, SWEDEN, kind);
    let region_series = totals(all_values, &id, chosen.as_str(), kind);
    let mut ts_rows = Vec::new();
    let mut ts_table = Vec::new();
    for p in &periods {
        let sv = sweden_series
            .iter()
            .find(|v| v.period == *p)
            .and_then(|v| headline(v, s.unit).0);
        let rv = region_series
            .iter()
            .find(|v| v.period == *p)
            .and_then(|v| headline(v, s.unit).0);
        ts_rows.push(((*p).to_owned(), lang.pick("Riket", "Sweden").to_owned(), sv));
        ts_rows.push(((*p).to_owned(), series_name.clone(), rv));
        ts_table.push(vec![
            (*p).to_owned(),
            show(sv, s.unit, lang),
            show(rv, s.unit, lang),
        ]);
    }
    figures.push(Figure {
        id: "diagram-tid",
        heading: format!(
            "{} {series_name}",
            lang.pick("Över tid: riket och", "Over time: Sweden and")
        ),
        kind: "chart",
        spec: described(
            charts::time_series(&ts_rows, &unit, lang),
            lang.pick("Tidsserie", "Time series"),
        ),
        caption: lang
            .pick("Tidsseriens värden", "The time series' values")
            .to_owned(),
        head: vec![
            lang.pick("Period", "Period").into(),
            lang.pick("Riket", "Sweden").into(),
            series_name.clone(),
        ],
        rows: ts_table,
    });
    let limits = funnel_limits(&points, sweden_value.and_then(|v| v.value), s.unit);
    figures.push(Figure {
        id: "diagram-tratt",
        heading: format!("{} {period}", lang.pick("Trattdiagram,", "Funnel plot,")),
        kind: "chart",
        spec: described(charts::funnel(&points, national, &limits, &unit, lang), lang.pick("Trattdiagram", "Funnel plot")),
        caption: lang
            .pick(
                "Regioner utanför de streckade gränserna (95 % och 99,8 %) skiljer sig säkert från riket.",
                "Regions outside the dashed limits (95 % and 99.8 %) differ clearly from Sweden.",
            )
            .to_owned(),
        head: vec![
            lang.pick("Region", "Region").into(),
            lang.pick("Nämnare", "Denominator").into(),
            unit.clone(),
            lang.pick("Jämfört med riket", "Compared with Sweden").into(),
        ],
        rows: points
            .iter()
            .map(|p| {
                vec![
                    p.name.clone(),
                    p.denominator.map_or("–".into(), |n| crate::i18n::number(n, 0, lang)),
                    p.value.map_or_else(|| p.status.clone(), |x| show(Some(x), s.unit, lang)),
                    p.flag.clone(),
                ]
            })
            .collect(),
    });

    let page = IndicatorPage {
        t: lang,
        id: s.id.clone(),
        title: lang.pick(&s.title.sv, &s.title.en).to_owned(),
        description: lang.pick(&s.description.sv, &s.description.en).to_owned(),
        numerator: lang.pick(&s.numerator.sv, &s.numerator.en).to_owned(),
        denominator: lang.pick(&s.denominator.sv, &s.denominator.en).to_owned(),
        area: s.area.clone(),
        source: vardhub_domain::spec::builtin()
            .get(&s.source)
            .map_or(s.source.clone(), |c| {
                format!("{} ({})", lang.pick(&c.title.sv, &c.title.en), c.id)
            }),
        version: s.version.clone(),
        hash: recipe.hash.clone(),
        unit: unit.clone(),
        direction: direction_label(s.direction, lang).to_owned(),
        method: format!("{:?} / {:?}", s.ci, s.standardisation).to_lowercase(),
        target: s.target.as_ref().map(|t| {
            format!(
                "{} {} – {}",
                show(Some(t.value * f), s.unit, lang),
                unit,
                lang.pick(&t.sv, &t.en)
            )
        }),
        run_id: data.as_ref().map(|d| d.run_id.clone()),
        periods: periods
            .iter()
            .map(|p| ((*p).to_owned(), *p == period))
            .collect(),
        kinds: kinds
            .iter()
            .map(|k| {
                (
                    k.code().to_owned(),
                    lang.pick(k.name_sv(), k.name_en()).to_owned(),
                    *k == kind,
                )
            })
            .collect(),
        regions: RegionCode::all()
            .map(|r| (r.as_str().to_owned(), r.name().to_owned(), r == chosen))
            .collect(),
        values: at_period
            .iter()
            .filter(|v| v.region != SWEDEN)
            .map(|v| row(v))
            .collect(),
        sweden: sweden_value.map(row),
        figures,
        period,
        access_note: match access {
            Access::Public => String::new(),
            Access::Region(r) => format!(
                "{} {}",
                lang.pick(
                    "Du ser ej röjandeskyddade värden för",
                    "You see values without disclosure control for"
                ),
                r.name()
            ),
            Access::Full => lang
                .pick(
                    "Du ser alla värden utan röjandeskydd.",
                    "You see all values without disclosure control.",
                )
                .to_owned(),
        },
        base,
    };
    Ok(render(&page))
}

/// The spec as embeddable JSON, with a description (the chart's accessible name).
fn described(mut spec: Value, description: &str) -> String {
    spec["description"] = json!(description);
    embed(&spec)
}

/// 95 % and 99.8 % funnel limits around Sweden's proportion, in per cent, over the range of the
/// shown denominators (proportions only).
fn funnel_limits(
    points: &[RegionPoint],
    national: Option<f64>,
    unit: Unit,
) -> Vec<(f64, f64, f64, f64, f64)> {
    let (Some(theta), Unit::Proportion) = (national, unit) else {
        return Vec::new();
    };
    let ns: Vec<f64> = points
        .iter()
        .filter_map(|p| p.denominator)
        .filter(|n| *n >= 1.0)
        .collect();
    let (Some(lo), Some(hi)) = (
        ns.iter().copied().reduce(f64::min),
        ns.iter().copied().reduce(f64::max),
    ) else {
        return Vec::new();
    };
    let (lo, hi) = ((lo * 0.8).max(1.0), hi * 1.2);
    (0..=40)
        .filter_map(|i| {
            let n = lo * (hi / lo).powf(f64::from(i) / 40.0);
            let a = normal_funnel_limits(n, theta, Confidence::P95)
                .ok()?
                .clamped(0.0, 1.0);
            let b = normal_funnel_limits(n, theta, Confidence::P998)
                .ok()?
                .clamped(0.0, 1.0);
            Some((
                n,
                a.lower * 100.0,
                a.upper * 100.0,
                b.lower * 100.0,
                b.upper * 100.0,
            ))
        })
        .collect()
}
