//! The start page: indicators by area, latest national value and trend.

use super::format::{headline, show, status_label};
use super::values::{opening_kind, totals, values_for};
use super::{Base, render};
use crate::auth::Caller;
use crate::i18n::Lang;
use crate::problem::Problem;
use crate::state::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::Uri;
use axum::response::Response;
use std::collections::BTreeMap;
use vardhub_domain::RegionCode;
use vardhub_engine::indicator::compute::SWEDEN;

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
            .map(|d| totals(&d.values, &s.id, SWEDEN, opening_kind(&d.values, s)))
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
        run_id: data.map(|d| d.run_id),
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
