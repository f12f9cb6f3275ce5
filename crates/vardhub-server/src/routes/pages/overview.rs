//! The start page: indicators by area, the latest national value with its unit, period and
//! status, and the trend.

use super::format::{
    area_name, date_text, headline, show, status_href, status_label, unit_suffix, value_text,
};
use super::values::{opening_kind, totals, values_for};
use super::{Base, render};
use crate::auth::Caller;
use crate::i18n::Lang;
use crate::problem::Problem;
use crate::state::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::header::COOKIE;
use axum::http::{HeaderMap, Uri};
use axum::response::Response;
use std::collections::BTreeMap;
use vardhub_domain::{PeriodKind, RegionCode, ReportPeriod};
use vardhub_engine::indicator::compute::SWEDEN;

/// One indicator on the start page.
pub struct Card {
    id: String,
    title: String,
    /// The value as [`value_text`] writes it, split so that a long unit may wrap: the number
    /// (with `%` when that is the unit; `–` when hidden or absent) and the unit after it.
    latest: String,
    unit: String,
    /// The period as shown (`2024-03`, `2024-K1`; `2024-Q1` in English).
    period: String,
    /// The period kind in words (`Månad`, `Kvartal`, …).
    kind: String,
    /// The period kind's code (`month`, `quarter`, …).
    kind_code: &'static str,
    /// The status in words, its code and the glossary entry explaining it.
    status: String,
    status_code: &'static str,
    status_href: String,
    /// SVG polyline points of the national trend (empty: fewer than two values).
    spark: String,
    spark_label: String,
    /// The trend table's caption (`Riket per kvartal`) and value heading (`Värde (%)`).
    series_caption: String,
    value_heading: String,
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
    /// When the values were computed, as a date (`5 december 2026`).
    updated: Option<String>,
    areas: Vec<Area>,
    regions: Vec<(String, String)>,
    /// The reader's own region (the `hemregion` cookie the indicator page sets): code, name.
    home: Option<(String, String)>,
}

/// The cookie an indicator page sets when the reader picks their region.
const HOME_COOKIE: &str = "hemregion";

/// The region in the `hemregion` cookie, if it names one.
fn home_region(headers: &HeaderMap) -> Option<RegionCode> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == HOME_COOKIE)
        .and_then(|(_, v)| RegionCode::parse(v).ok())
        .filter(|r| r.as_str() != SWEDEN)
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

/// A period as the reader sees it: `2024-03`, `2024-K1` (`2024-Q1` in English), `2024`,
/// `R12-2024-03`.
fn period_text(period: &str, lang: Lang) -> String {
    match (lang, ReportPeriod::parse(period)) {
        (Lang::En, Ok(ReportPeriod::Quarter(y, q))) => format!("{y}-Q{q}"),
        _ => period.to_owned(),
    }
}

/// A period kind as a capitalised word: `Månad`, `Rullande 12 månader`.
fn kind_word(kind: PeriodKind, lang: Lang) -> String {
    let word = lang.pick(kind.name_sv(), kind.name_en());
    let mut chars = word.chars();
    chars.next().map_or_else(String::new, |c| {
        c.to_uppercase().chain(chars).collect::<String>()
    })
}

/// `GET /`.
pub async fn start(
    State(state): State<AppState>,
    caller: Caller,
    lang: Lang,
    uri: Uri,
    headers: HeaderMap,
) -> Result<Response, Problem> {
    let base = Base::new(lang, &caller, &uri);
    let data = values_for(&state, &caller).await?;
    // Keyed by the Swedish area name (the order), with the name in the page language.
    let mut areas: BTreeMap<String, (String, Vec<Card>)> = BTreeMap::new();
    for r in state.definitions().recipes().values() {
        let s = &r.spec;
        let kind = data
            .as_ref()
            .map_or(PeriodKind::Month, |d| opening_kind(&d.values, s));
        let series = data
            .as_ref()
            .map(|d| totals(&d.values, &s.id, SWEDEN, kind))
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
                value_text(Some(*a), s, lang),
                value_text(Some(*b), s, lang)
            ),
            _ => String::new(),
        };
        let suffix = unit_suffix(s, lang);
        let (number, unit) = match last.and_then(|v| headline(v, s.unit).0) {
            None => ("–".to_owned(), String::new()),
            Some(x) if suffix.is_empty() || suffix == "%" => {
                (value_text(Some(x), s, lang), String::new())
            }
            Some(x) => (show(Some(x), s.unit, lang), suffix.clone()),
        };
        let value_heading = if suffix.is_empty() {
            lang.pick("Värde", "Value").to_owned()
        } else {
            format!("{} ({suffix})", lang.pick("Värde", "Value"))
        };
        let entry = areas
            .entry(s.area.clone())
            .or_insert_with(|| (area_name(s, lang).to_owned(), Vec::new()));
        entry.1.push(Card {
            id: s.id.clone(),
            title: lang.pick(&s.title.sv, &s.title.en).to_owned(),
            latest: number,
            unit,
            period: last.map_or(String::new(), |v| period_text(&v.period, lang)),
            kind: kind_word(kind, lang),
            kind_code: kind.code(),
            status: last.map_or(String::new(), |v| status_label(v, lang).to_owned()),
            status_code: last.map_or("", |v| v.status.code()),
            status_href: last.map_or(String::new(), |v| status_href(v.status)),
            spark: sparkline(&shown),
            spark_label,
            series_caption: format!(
                "{} ({})",
                lang.pick("Riket per period", "Sweden by period"),
                lang.pick(kind.name_sv(), kind.name_en())
            ),
            value_heading,
            series: series
                .iter()
                .map(|v| {
                    (
                        period_text(&v.period, lang),
                        show(headline(v, s.unit).0, s.unit, lang),
                    )
                })
                .collect(),
        });
    }
    let page = StartPage {
        base,
        t: lang,
        updated: data.map(|d| date_text(&d.updated, lang)),
        areas: areas
            .into_values()
            .map(|(name, cards)| Area { name, cards })
            .collect(),
        regions: RegionCode::all()
            .map(|r| (r.as_str().to_owned(), r.name().to_owned()))
            .collect(),
        home: home_region(&headers).map(|r| (r.as_str().to_owned(), r.name().to_owned())),
    };
    Ok(render(&page))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn periods_and_their_kinds_read_as_words() {
        assert_eq!(kind_word(PeriodKind::Month, Lang::Sv), "Månad");
        assert_eq!(
            kind_word(PeriodKind::Rolling12, Lang::En),
            "Rolling 12 months"
        );
        assert_eq!(period_text("2024-K1", Lang::Sv), "2024-K1");
        assert_eq!(period_text("2024-K1", Lang::En), "2024-Q1");
        assert_eq!(period_text("2024-03", Lang::En), "2024-03");
    }

    #[test]
    fn the_home_region_comes_from_its_cookie() {
        let mut h = HeaderMap::new();
        assert_eq!(home_region(&h), None);
        h.insert(COOKIE, HeaderValue::from_static("lang=en; hemregion=12"));
        assert_eq!(
            home_region(&h).map(|r| r.as_str().to_owned()),
            Some("12".into())
        );
        h.insert(COOKIE, HeaderValue::from_static("hemregion=99"));
        assert_eq!(home_region(&h), None);
    }
}
