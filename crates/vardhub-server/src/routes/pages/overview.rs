//! The start page (indicators by area, latest national value and trend) and the region page
//! (every indicator for one region against Sweden).

use super::format::{flag_label, headline, show, status_label};
use super::{Base, message, render};
use crate::auth::Caller;
use crate::i18n::{Lang, region_name};
use crate::problem::Problem;
use crate::published::PublicValue;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use std::collections::BTreeMap;
use std::sync::Arc;
use vardhub_domain::{PeriodKind, RegionCode, ReportPeriod};
use vardhub_engine::indicator::IndicatorSpec;
use vardhub_engine::indicator::compute::{ALL, SWEDEN};

/// One indicator on the start page.
pub struct Card {
    id: String,
    title: String,
    latest: String,
    period: String,
    status: String,
    /// SVG polyline points of the national trend (empty: fewer than two values).
    spark: String,
    spark_label: String,
    series: Vec<(String, String)>,
}

/// One area.
pub struct Area {
    name: String,
    cards: Vec<Card>,
}

#[derive(Template)]
#[template(path = "start.html")]
struct StartPage {
    base: Base,
    t: Lang,
    run_id: Option<String>,
    areas: Vec<Area>,
    regions: Vec<(String, String)>,
}

/// The values of this request's access level, or `None` before the first run.
pub(super) async fn values_for(
    state: &AppState,
    caller: &Caller,
) -> Result<Option<(String, Arc<Vec<PublicValue>>)>, Problem> {
    let Some(run) = state.latest_run().await.map_err(Problem::internal)? else {
        return Ok(None);
    };
    let values = run
        .values(&state.definitions(), caller.access())
        .await
        .map_err(Problem::internal)?;
    Ok(Some((run.run.id.clone(), values)))
}

/// The all-sexes, all-ages values of one indicator and area at periods of one kind, by period.
pub(super) fn totals<'a>(
    values: &'a [PublicValue],
    id: &str,
    region: &str,
    kind: PeriodKind,
) -> Vec<&'a PublicValue> {
    values
        .iter()
        .filter(|v| v.indicator == id && v.region == region && v.kon == ALL && v.aldersgrupp == ALL)
        .filter(|v| ReportPeriod::parse(&v.period).is_ok_and(|p| p.kind() == kind))
        .collect()
}

/// The period kind a page opens on: the finest the recipe publishes whose latest period shows
/// at least one region's value in this view (so a small-count indicator opens on quarters or
/// years rather than on a month of hidden values); failing that, the finest.
pub(super) fn opening_kind(values: &[PublicValue], recipe: &IndicatorSpec) -> PeriodKind {
    let kinds = recipe.dimensions.period_kinds();
    let shows = |kind: PeriodKind| {
        let of_kind: Vec<&PublicValue> = values
            .iter()
            .filter(|v| v.indicator == recipe.id && v.level == "region")
            .filter(|v| ReportPeriod::parse(&v.period).is_ok_and(|p| p.kind() == kind))
            .collect();
        let latest = of_kind
            .iter()
            .filter_map(|v| ReportPeriod::parse(&v.period).ok())
            .max();
        latest.is_some_and(|l| {
            of_kind
                .iter()
                .any(|v| v.status.is_published() && ReportPeriod::parse(&v.period).ok() == Some(l))
        })
    };
    kinds
        .iter()
        .copied()
        .find(|k| shows(*k))
        .or_else(|| kinds.first().copied())
        .unwrap_or(PeriodKind::Month)
}

fn sparkline(points: &[Option<f64>]) -> String {
    let known: Vec<(usize, f64)> = points
        .iter()
        .enumerate()
        .filter_map(|(i, v)| v.map(|v| (i, v)))
        .collect();
    if known.len() < 2 {
        return String::new();
    }
    let (min, max) = known
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), (_, v)| {
            (a.min(*v), b.max(*v))
        });
    let span = (max - min).max(1e-9);
    let n = (points.len() - 1).max(1) as f64;
    known
        .iter()
        .map(|(i, v)| {
            format!(
                "{:.1},{:.1}",
                2.0 + 116.0 * *i as f64 / n,
                30.0 - 28.0 * (v - min) / span
            )
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// `GET /`.
pub async fn start(
    State(state): State<AppState>,
    caller: Caller,
    lang: Lang,
    uri: Uri,
) -> Result<Response, Problem> {
    let base = Base::new(lang, &caller, &uri);
    let data = values_for(&state, &caller).await?;
    let mut areas: BTreeMap<String, Vec<Card>> = BTreeMap::new();
    for r in state.definitions().recipes().values() {
        let s = &r.spec;
        let series = data
            .as_ref()
            .map(|(_, v)| totals(v, &s.id, SWEDEN, opening_kind(v, s)))
            .unwrap_or_default();
        let shown: Vec<Option<f64>> = series.iter().map(|v| headline(v, s.unit).0).collect();
        let last = series
            .iter()
            .rev()
            .find(|v| headline(v, s.unit).0.is_some())
            .or(series.last());
        let first_known = shown.iter().flatten().next();
        let last_known = shown.iter().flatten().last();
        let spark_label = match (first_known, last_known) {
            (Some(a), Some(b)) => format!(
                "{}: {} → {}",
                lang.pick("Trend i riket", "Trend in Sweden"),
                show(Some(*a), s.unit, lang),
                show(Some(*b), s.unit, lang)
            ),
            _ => String::new(),
        };
        areas.entry(s.area.clone()).or_default().push(Card {
            id: s.id.clone(),
            title: lang.pick(&s.title.sv, &s.title.en).to_owned(),
            latest: last.map_or("–".into(), |v| show(headline(v, s.unit).0, s.unit, lang)),
            period: last.map_or(String::new(), |v| v.period.clone()),
            status: last.map_or(String::new(), |v| status_label(v, lang).to_owned()),
            spark: sparkline(&shown),
            spark_label,
            series: series
                .iter()
                .map(|v| (v.period.clone(), show(headline(v, s.unit).0, s.unit, lang)))
                .collect(),
        });
    }
    let page = StartPage {
        base,
        t: lang,
        run_id: data.map(|(id, _)| id),
        areas: areas
            .into_iter()
            .map(|(name, cards)| Area { name, cards })
            .collect(),
        regions: RegionCode::all()
            .map(|r| (r.as_str().to_owned(), r.name().to_owned()))
            .collect(),
    };
    Ok(render(&page))
}

/// One row of the region page.
pub struct RegionRow {
    id: String,
    title: String,
    period: String,
    value: String,
    status: String,
    sweden: String,
    flag: String,
    flag_code: String,
    target: String,
}

#[derive(Template)]
#[template(path = "region.html")]
struct RegionPage {
    base: Base,
    t: Lang,
    code: String,
    name: String,
    rows: Vec<RegionRow>,
    regions: Vec<(String, String)>,
}

/// `GET /regioner/{code}`.
pub async fn region(
    State(state): State<AppState>,
    caller: Caller,
    lang: Lang,
    uri: Uri,
    Path(code): Path<String>,
) -> Result<Response, Problem> {
    let base = Base::new(lang, &caller, &uri);
    let Ok(region) = RegionCode::parse(&code) else {
        return Ok(message(
            StatusCode::NOT_FOUND,
            base,
            lang.pick("Okänd region", "Unknown region"),
            lang.pick(
                "Välj en av de 21 regionerna på startsidan.",
                "Choose one of the 21 regions on the start page.",
            ),
        ));
    };
    let data = values_for(&state, &caller).await?;
    let mut rows = Vec::new();
    if let Some((_, values)) = &data {
        for r in state.definitions().recipes().values() {
            let s = &r.spec;
            let kind = opening_kind(values, s);
            let mine = totals(values, &s.id, region.as_str(), kind);
            let Some(latest) = mine.last() else { continue };
            let sweden = totals(values, &s.id, SWEDEN, kind)
                .into_iter()
                .find(|v| v.period == latest.period);
            rows.push(RegionRow {
                id: s.id.clone(),
                title: lang.pick(&s.title.sv, &s.title.en).to_owned(),
                period: latest.period.clone(),
                value: show(headline(latest, s.unit).0, s.unit, lang),
                status: status_label(latest, lang).to_owned(),
                sweden: sweden.map_or("–".into(), |v| show(headline(v, s.unit).0, s.unit, lang)),
                flag: flag_label(latest.funnel_95.as_deref(), lang).to_owned(),
                flag_code: latest.funnel_95.clone().unwrap_or_default(),
                target: match latest.meets_target {
                    Some(true) => lang.pick("Ja", "Yes").to_owned(),
                    Some(false) => lang.pick("Nej", "No").to_owned(),
                    None => String::new(),
                },
            });
        }
    }
    let page = RegionPage {
        base,
        t: lang,
        code: region.as_str().to_owned(),
        name: region_name(region.as_str(), lang).to_owned(),
        rows,
        regions: RegionCode::all()
            .map(|r| (r.as_str().to_owned(), r.name().to_owned()))
            .collect(),
    };
    Ok(render(&page).into_response())
}
