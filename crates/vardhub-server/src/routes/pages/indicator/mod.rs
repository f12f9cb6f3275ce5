//! The indicator page: definition; the areas side by side with intervals, Sweden and the
//! target; a map; chosen regions against Sweden over time; a funnel plot; the values table with
//! statuses; downloads of exactly the view. Every chart is followed by a table of the same
//! numbers. The view is the URL (`kon`, `aldersgrupp`, `niva`, `periodtyp`, `period`, `jamfor`,
//! `sortera`): it works without JavaScript and the download reproduces it.

mod figures;
pub(super) mod specs;
pub(super) mod view;
pub(super) mod words;

use super::format::{
    area_name, date_text, direction_label, method_label, show, show_interval, status_href,
    value_text,
};
use super::quality::quality_notes;
use super::values::values_for;
use super::{Base, message, render};
use crate::auth::{Access, Caller};
use crate::i18n::{Lang, grouped};
use crate::problem::Problem;
use crate::published::PublicValue;
use crate::state::AppState;
use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::header::{COOKIE, SET_COOKIE};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri};
use axum::response::Response;
use figures::{Cell, Figure};
use specs::Sig;
use vardhub_domain::{RegionCode, ReportPeriod};
use vardhub_engine::indicator::IndicatorSpec;
use view::{Params, Row, View};
use words::{age_text, kind_plural, level_plural, period_text, place_name, sex_text};

/// An option of a select (or a checkbox).
pub struct Opt {
    value: String,
    label: String,
    selected: bool,
}

fn opt(value: impl Into<String>, label: impl Into<String>, selected: bool) -> Opt {
    Opt {
        value: value.into(),
        label: label.into(),
        selected,
    }
}

/// One row of the values table.
pub struct ValueRow {
    region: String,
    name: String,
    status_code: &'static str,
    /// The status in words, shown for every value that is not plainly shown.
    status: String,
    status_href: String,
    value: String,
    raw: String,
    interval: String,
    numerator: String,
    denominator: String,
    flag: String,
    flag_class: &'static str,
    sweden: bool,
}

/// A data-quality note of one region.
pub struct Note {
    region: String,
    text: String,
    months: String,
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
    updated: Option<String>,
    run_id: Option<String>,
    period: String,
    period_label: String,
    query: String,
    lang_query: &'static str,
    period_groups: Vec<(String, Vec<Opt>)>,
    kind_links: Vec<Opt>,
    levels: Vec<Opt>,
    sexes: Vec<Opt>,
    ages: Vec<Opt>,
    sorts: Vec<Opt>,
    regions: Vec<Opt>,
    more_regions: Vec<Opt>,
    more_open: bool,
    home: Option<String>,
    notices: Vec<String>,
    comparison: Figure,
    figures: Vec<Figure>,
    table_heading: String,
    values: Vec<ValueRow>,
    quality: Vec<Note>,
    access_note: String,
}

/// The home region cookie.
const HOME_COOKIE: &str = "hemregion";

fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// A count (numerator, denominator) as text: whole numbers grouped, others with two decimals.
fn count_text(n: Option<f64>, lang: Lang) -> String {
    n.map_or_else(
        || "–".to_owned(),
        |n| grouped(n, if n.fract() == 0.0 { 0 } else { 2 }, lang),
    )
}

/// The values table's row.
fn value_row(r: &Row, spec: &IndicatorSpec, lang: Lang) -> ValueRow {
    let shown = r.shown.is_some();
    let sig = (!r.sweden && shown && r.flag.is_some()).then(|| Sig::of(r.flag.as_deref()));
    ValueRow {
        region: r.area.clone(),
        name: place_name(&r.area, lang),
        status_code: r.status.code(),
        status: status_words(r, lang),
        status_href: status_href(r.status),
        value: show(r.shown, spec.unit, lang),
        raw: r.raw.map_or(String::new(), |x| x.to_string()),
        interval: show_interval(r.lower, r.upper, spec.unit, lang),
        numerator: count_text(r.numerator, lang),
        denominator: count_text(r.denominator, lang),
        flag: sig.map_or(String::new(), |s| s.label(lang).to_owned()),
        flag_class: match sig {
            Some(Sig::Better) => "flag-better",
            Some(Sig::Worse) => "flag-worse",
            _ => "",
        },
        sweden: r.sweden,
    }
}

/// The status in words for a value that is not plainly shown (empty for a shown value).
pub(super) fn status_words(r: &Row, lang: Lang) -> String {
    if r.status == vardhub_engine::disclosure::Status::Ok && r.shown.is_some() {
        String::new()
    } else {
        lang.pick(r.status.label_sv(), r.status.label_en())
            .to_owned()
    }
}

/// The home region: `?hemregion=`, the form's "save", the cookie, a region user's region.
fn home_region(params: &Params, headers: &HeaderMap, access: &Access) -> Option<RegionCode> {
    params
        .hemregion
        .or_else(|| {
            params
                .save_home
                .then(|| params.jamfor.first().copied())
                .flatten()
        })
        .or_else(|| {
            cookie(headers, HOME_COOKIE)
                .and_then(|v| RegionCode::parse(v).ok().filter(|r| r.as_str() == v))
        })
        .or(match access {
            Access::Region(r) => Some(*r),
            _ => None,
        })
}

/// `GET /indikatorer/{id}`.
pub async fn indicator(
    State(state): State<AppState>,
    caller: Caller,
    lang: Lang,
    uri: Uri,
    headers: HeaderMap,
    Path(id): Path<String>,
    query: Result<Query<Vec<(String, String)>>, QueryRejection>,
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
    let pairs = query.map(|Query(q)| q).unwrap_or_default();
    let params = Params::parse(&pairs);
    let access = caller.access();
    let home = home_region(&params, &headers, &access);
    let data = values_for(&state, &caller).await?;
    let mine: Vec<&PublicValue> = data
        .as_ref()
        .map(|d| d.values.iter().filter(|v| v.indicator == id).collect())
        .unwrap_or_default();
    let (view, choices) = view::resolve(&params, &mine, s, home);
    let rows = view::rows(&mine, s, &view);
    let period = view.period.map(|p| p.to_string()).unwrap_or_default();
    let period_label = view
        .period
        .map(|p| period_text(p, lang))
        .unwrap_or_default();

    let kinds = s.dimensions.kinds_at(view.niva);
    let avail = view::periods(&mine, &view.kon, &view.aldersgrupp, view.niva);
    let mut notices = Vec::new();
    let areas_shown = rows.iter().any(|r| !r.sweden && r.shown.is_some());
    if view.period.is_some() && !areas_shown {
        // Only the kinds that have a period with a shown value.
        let coarser: Vec<&str> = kinds
            .iter()
            .filter(|k| **k != view.kind && avail.iter().any(|(p, c)| p.kind() == **k && c.any()))
            .map(|k| lang.pick(k.name_sv(), k.name_en()))
            .collect();
        let mut text = format!(
            "{} {}.",
            lang.pick(
                "Inga värden visas för områdena under",
                "No value is shown for the areas in"
            ),
            period_label
        );
        if !coarser.is_empty() {
            text.push_str(&format!(
                " {} {}.",
                lang.pick(
                    "Värdena är dolda eller saknas – välj en annan period:",
                    "The values are hidden or missing – choose another kind of period:"
                ),
                coarser.join(lang.pick(" eller ", " or "))
            ));
        } else if !avail.values().any(|c| c.any()) {
            text.push_str(lang.pick(
                " Ingen period har något visat värde för de här valen: fallen är för få eller inte levererade. Se status per område i tabellen.",
                " No period has a shown value for these choices: the cases are too few or not delivered. See each area's status in the table.",
            ));
        }
        notices.push(text);
    }

    let (comparison, figures) = figures::build(s, &view, &rows, &mine, lang);
    let quality = match (
        data.is_some(),
        quality_notes(&state, &s.source, None, lang).await,
    ) {
        (true, Ok(notes)) => notes
            .into_iter()
            .map(|n| Note {
                region: n.region_name,
                text: n.text,
                months: n
                    .missing
                    .iter()
                    .chain(n.flagged.iter().map(|f| &f.period))
                    .filter_map(|m| ReportPeriod::parse(m).ok())
                    .map(|p| period_text(p, lang))
                    .collect::<Vec<_>>()
                    .join(", "),
            })
            .collect(),
        _ => Vec::new(),
    };

    let period_groups = kinds
        .iter()
        .map(|k| {
            let opts = avail
                .keys()
                .rev()
                .filter(|p| p.kind() == *k)
                .map(|p| {
                    opt(
                        p.to_string(),
                        period_text(*p, lang),
                        Some(*p) == view.period,
                    )
                })
                .collect::<Vec<_>>();
            (kind_plural(*k, lang).to_owned(), opts)
        })
        .filter(|(_, o)| !o.is_empty())
        .collect();
    let kind_links = kinds
        .iter()
        .filter(|k| avail.keys().any(|p| p.kind() == **k))
        .map(|k| {
            opt(
                format!("/indikatorer/{id}?{}", view.with_kind(*k)),
                lang.pick(k.name_sv(), k.name_en()),
                *k == view.kind,
            )
        })
        .collect();
    let first = view.jamfor.first().copied();
    let save_cookie = params
        .hemregion
        .or(if params.save_home { first } else { None });
    let page = IndicatorPage {
        t: lang,
        id: s.id.clone(),
        title: lang.pick(&s.title.sv, &s.title.en).to_owned(),
        description: lang.pick(&s.description.sv, &s.description.en).to_owned(),
        numerator: lang.pick(&s.numerator.sv, &s.numerator.en).to_owned(),
        denominator: lang.pick(&s.denominator.sv, &s.denominator.en).to_owned(),
        area: area_name(s, lang).to_owned(),
        source: vardhub_domain::spec::builtin()
            .get(&s.source)
            .map_or(s.source.clone(), |c| {
                lang.pick(&c.title.sv, &c.title.en).to_owned()
            }),
        version: s.version.clone(),
        hash: recipe.hash.chars().take(12).collect(),
        unit: words::value_heading(s, lang),
        direction: direction_label(s.direction, lang).to_owned(),
        method: method_label(s, lang),
        target: s.target.as_ref().map(|t| {
            format!(
                "{} – {}",
                value_text(Some(t.value * view::factor(s)), s, lang),
                lang.pick(&t.sv, &t.en)
            )
        }),
        updated: data.as_ref().map(|d| date_text(&d.updated, lang)),
        run_id: data.as_ref().map(|d| d.run_id.clone()),
        query: view.query(),
        lang_query: if lang == Lang::En { "&lang=en" } else { "" },
        period_groups,
        kind_links,
        levels: choices
            .levels
            .iter()
            .map(|l| opt(l.code(), level_plural(*l, lang), *l == view.niva))
            .collect(),
        sexes: choices
            .sexes
            .iter()
            .map(|k| opt(k.clone(), sex_text(k, lang), *k == view.kon))
            .collect(),
        ages: choices
            .ages
            .iter()
            .map(|a| opt(a.clone(), age_text(a, lang), *a == view.aldersgrupp))
            .collect(),
        sorts: [view::Sort::Name, view::Sort::Value]
            .into_iter()
            .map(|o| {
                let label = match o {
                    view::Sort::Name => lang.pick("Geografisk ordning", "Geographic order"),
                    view::Sort::Value => {
                        lang.pick("Efter värde, bäst först", "By value, best first")
                    }
                };
                opt(o.code(), label, o == view.sort)
            })
            .collect(),
        regions: RegionCode::all()
            .map(|r| opt(r.as_str(), r.name(), Some(r) == first))
            .collect(),
        more_regions: RegionCode::all()
            .map(|r| {
                opt(
                    r.as_str(),
                    r.name(),
                    view.jamfor.iter().skip(1).any(|j| *j == r),
                )
            })
            .collect(),
        more_open: view.jamfor.len() > 1,
        home: home.map(|r| r.name().to_owned()),
        notices,
        comparison,
        figures,
        table_heading: format!(
            "{}, {period_label}",
            lang.pick("Värden per område", "Values by area")
        ),
        values: rows.iter().map(|r| value_row(r, s, lang)).collect(),
        quality,
        period,
        period_label,
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
    let mut res = render(&page);
    if let Some(r) = save_cookie {
        let secure = if state.config().secure_cookies {
            "; Secure"
        } else {
            ""
        };
        if let Ok(v) = HeaderValue::from_str(&format!(
            "{HOME_COOKIE}={}; Max-Age=31536000; Path=/; SameSite=Lax{secure}",
            r.as_str()
        )) {
            res.headers_mut().append(SET_COOKIE, v);
        }
    }
    Ok(res)
}

/// The values of one indicator in the caller's view, resolved to the view the query asks for,
/// with the rows of its table: what the page shows and the download writes.
pub(super) async fn view_rows(
    state: &AppState,
    caller: &Caller,
    id: &str,
    pairs: &[(String, String)],
) -> Result<Option<(IndicatorSpec, View, Vec<Row>)>, Problem> {
    state.latest_run().await.map_err(Problem::internal)?;
    let defs = state.definitions();
    let Some(recipe) = defs.recipes().get(id) else {
        return Ok(None);
    };
    let data = values_for(state, caller).await?;
    let mine: Vec<&PublicValue> = data
        .as_ref()
        .map(|d| d.values.iter().filter(|v| v.indicator == id).collect())
        .unwrap_or_default();
    let (view, _) = view::resolve(&Params::parse(pairs), &mine, &recipe.spec, None);
    let rows = view::rows(&mine, &recipe.spec, &view);
    Ok(Some((recipe.spec.clone(), view, rows)))
}

/// A table cell with a status link.
pub(super) fn status_cell(r: &Row, lang: Lang) -> Cell {
    Cell {
        text: status_words(r, lang),
        href: Some(status_href(r.status)),
        num: false,
    }
}
