//! The analysis pages: `/analyser` lists the patient-level analyses with the date of their
//! newest run, `/analyser/{id}` shows one: what it is, when it ran, how far patients' contacts
//! are linked, then the public result for Sweden or a chosen region (the whole run through the
//! engine's `analysis::public_all`, see [`crate::analyses`]), and for a logged-in analyst a
//! clearly labelled panel with the own region's unsuppressed result (national analysts and
//! admins: the chosen area's), audited.
//!
//! Each kind of analysis is one module that turns a result into a [`Panel`] (care chains:
//! [`super::chain`], cost over time: [`super::cost_time`], before/after:
//! [`super::before_after`]); a kind the server does not know is listed and described, and its
//! page says it is not shown.

use super::{Base, before_after, chain, cost_time, message, render};
use crate::analyses::{AnalysisInfo, BEFORE_AFTER, CARE_CHAIN, COST_OVER_TIME};
use crate::auth::{Access, Caller};
use crate::i18n::{Lang, region_name};
use crate::problem::Problem;
use crate::routes::analyses::{known, newest};
use crate::state::AppState;
use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use serde::Deserialize;
use vardhub_domain::RegionCode;
use vardhub_engine::analysis::PublicResult;

/// A fact in a panel's summary (`<dt>`/`<dd>`; the `<dd>` gets the id `{panel}-{key}`).
pub struct Fact {
    /// Id suffix.
    pub key: &'static str,
    /// Label.
    pub label: String,
    /// Value (a hidden value's status in words).
    pub value: String,
}

/// A table row: the cells (the first is the row header) and raw values as `data-` attributes.
pub struct Row {
    /// `data-key`.
    pub key: String,
    /// `data-{name}="{value}"` (raw numbers as stored; empty when hidden).
    pub data: Vec<(&'static str, String)>,
    /// Cell texts.
    pub cells: Vec<String>,
}

/// A table.
pub struct Table {
    /// Element id.
    pub id: String,
    /// Caption.
    pub caption: String,
    /// Column headings.
    pub head: Vec<String>,
    /// Rows.
    pub rows: Vec<Row>,
    /// Long: scrolls within a focusable region.
    pub long: bool,
}

/// A chart (Vega-Lite, rendered by `charts.js`); its table follows it in the same section.
pub struct Chart {
    /// Element id.
    pub id: String,
    /// The spec as embeddable JSON.
    pub spec: String,
}

/// One part of a panel: heading, optional chart, its tables, notes.
pub struct Section {
    /// Element id (the heading's is `{id}-rubrik`).
    pub id: String,
    /// Heading.
    pub heading: String,
    /// A sentence under the heading.
    pub text: String,
    /// The chart, if there is anything to draw.
    pub chart: Option<Chart>,
    /// Tables (the first is the chart's).
    pub tables: Vec<Table>,
    /// Why something is not shown.
    pub notes: Vec<String>,
}

/// One result on the page: the public one, or an analyst's unsuppressed one.
pub struct Panel {
    /// Element id (`allman`, `egen`).
    pub id: &'static str,
    /// Heading.
    pub heading: String,
    /// Unsuppressed: shown apart, labelled.
    pub own: bool,
    /// The area (`00` = Sweden).
    pub region: String,
    /// Summary facts (area, patients).
    pub facts: Vec<Fact>,
    /// Why the result is not shown.
    pub note: Option<String>,
    /// Sections.
    pub sections: Vec<Section>,
}

impl Panel {
    /// An empty panel of area `region` (`00` = Sweden) with the area as its first fact.
    pub fn new(id: &'static str, heading: String, own: bool, region: &str, lang: Lang) -> Panel {
        Panel {
            id,
            heading,
            own,
            region: region.to_owned(),
            facts: vec![Fact {
                key: "omrade",
                label: lang.pick("Område", "Area").to_owned(),
                value: region_name(region, lang).to_owned(),
            }],
            note: None,
            sections: Vec::new(),
        }
    }
}

/// The panel of one result of a document of `kind` (`None`: no patient in the cohort there).
/// `min_cost_patients` is the policy's least number of patients behind a mean cost (to say why
/// a mean is hidden).
#[allow(clippy::too_many_arguments)]
fn panel_of(
    kind: &str,
    id: &'static str,
    heading: String,
    own: bool,
    region: &str,
    result: Option<&PublicResult>,
    info: &AnalysisInfo,
    min_cost_patients: u64,
    lang: Lang,
) -> Panel {
    let p = Panel::new(id, heading, own, region, lang);
    match kind {
        COST_OVER_TIME => {
            let r = result.and_then(|r| match r {
                PublicResult::CostOverTime(c) => Some(c),
                _ => None,
            });
            cost_time::panel(p, r, info, min_cost_patients, lang)
        }
        BEFORE_AFTER => {
            let r = result.and_then(|r| match r {
                PublicResult::BeforeAfter(b) => Some(b),
                _ => None,
            });
            before_after::panel(p, r, info, min_cost_patients, lang)
        }
        _ => {
            let r = result.and_then(|r| match r {
                PublicResult::CareChain(c) => Some(c),
                _ => None,
            });
            chain::panel(p, r, info, lang)
        }
    }
}

/// An analysis in the list.
pub struct Listed {
    id: String,
    title: String,
    description: String,
    /// Date of the newest run (`None`: never run).
    computed: Option<String>,
}

#[derive(Template)]
#[template(path = "analyses.html")]
struct ListPage {
    base: Base,
    t: Lang,
    analyses: Vec<Listed>,
}

#[derive(Template)]
#[template(path = "analysis.html")]
struct AnalysisPage {
    base: Base,
    t: Lang,
    id: String,
    title: String,
    description: String,
    computed: String,
    as_of: String,
    linkage: String,
    follow_up: String,
    version: String,
    policy: String,
    /// (code, name, chosen).
    regions: Vec<(String, String, bool)>,
    /// The kind is shown by this server.
    shown: bool,
    access_note: String,
    panels: Vec<Panel>,
}

/// The date (`ÅÅÅÅ-MM-DD`) of an RFC 3339 time.
fn date(rfc3339: &str) -> String {
    chrono::DateTime::parse_from_rfc3339(rfc3339)
        .map(|t| t.format("%Y-%m-%d").to_string())
        .unwrap_or_else(|_| rfc3339.chars().take(10).collect())
}

/// `GET /analyser`.
pub async fn analyses(
    State(state): State<AppState>,
    caller: Caller,
    lang: Lang,
    uri: Uri,
) -> Result<Response, Problem> {
    let base = Base::new(lang, &caller, &uri);
    let analyses = known(&state)
        .await?
        .into_iter()
        .map(|(info, run)| Listed {
            title: lang.pick(&info.title.0, &info.title.1).to_owned(),
            description: lang
                .pick(&info.description.0, &info.description.1)
                .to_owned(),
            computed: run.map(|r| date(&r.finished_at)),
            id: info.id,
        })
        .collect();
    Ok(render(&ListPage {
        base,
        t: lang,
        analyses,
    }))
}

/// Query of the analysis page.
#[derive(Debug, Deserialize)]
pub struct AnalysisQuery {
    /// `00` (Sweden) or a region code.
    region: Option<String>,
}

/// How far contacts are linked, in words.
fn linkage_words(info: &AnalysisInfo, lang: Lang) -> String {
    if info.regional_linkage {
        lang.pick(
            "Varje patients kontakter länkas bara inom den region där patienten vårdades vid indextillfället; vård i andra regioner syns inte.",
            "Each patient's contacts are linked only within the region where the patient was treated at the index event; care in other regions is not seen.",
        )
    } else {
        lang.pick(
            "Varje patients kontakter länkas över regiongränserna.",
            "Each patient's contacts are linked across regions.",
        )
    }
    .to_owned()
}

/// Time zero in words: "utskrivningen" or "inskrivningen".
pub fn time_zero_words(info: &AnalysisInfo, lang: Lang) -> &'static str {
    if info.from_discharge {
        lang.pick("utskrivningen", "discharge")
    } else {
        lang.pick("inskrivningen", "admission")
    }
}

/// The follow-up in words, by kind.
fn follow_up_words(info: &AnalysisInfo, lang: Lang) -> String {
    let zero = time_zero_words(info, lang);
    match info.kind.as_str() {
        COST_OVER_TIME => match info.months {
            Some((before, after)) => format!(
                "{} {before} {} {after} {} {zero} {}",
                lang.pick("Från", "From"),
                lang.pick("månader före till", "months before to"),
                lang.pick("månader efter", "months after"),
                lang.pick("vid indextillfället", "at the index event"),
            ),
            None => format!("{} {zero}", lang.pick("Månader kring", "Months around")),
        },
        BEFORE_AFTER => match (info.window_days, &info.exposure) {
            (Some(w), Some((codes, within))) => format!(
                "{w} {} {w} {} {zero}; {} ({}) {} {within} {} {zero}",
                lang.pick("dagar före och", "days before and"),
                lang.pick("dagar efter", "days after"),
                lang.pick("insatsen", "the intervention"),
                codes.join(", "),
                lang.pick("inom", "within"),
                lang.pick("dagar efter", "days after"),
            ),
            _ => format!("{} {zero}", lang.pick("Före och efter", "Before and after")),
        },
        CARE_CHAIN => {
            let from = format!("{} {zero}", lang.pick("från", "from"));
            match info.horizon_days {
                Some(h) => format!("{h} {} {from}", lang.pick("dagar", "days")),
                None => from,
            }
        }
        // A kind the server does not know: nothing to say.
        _ => "–".to_owned(),
    }
}

/// `GET /analyser/{id}`.
pub async fn analysis(
    State(state): State<AppState>,
    caller: Caller,
    lang: Lang,
    uri: Uri,
    Path(id): Path<String>,
    query: Result<Query<AnalysisQuery>, QueryRejection>,
) -> Result<Response, Problem> {
    let mut base = Base::new(lang, &caller, &uri);
    let Some((info, loaded)) = newest(&state, &id).await? else {
        return Ok(message(
            StatusCode::NOT_FOUND,
            base,
            lang.pick("Okänd analys", "Unknown analysis"),
            lang.pick(
                "Analysen finns inte eller är inte beräknad ännu. Se listan över analyser.",
                "The analysis does not exist or has not been computed yet. See the list of analyses.",
            ),
        ));
    };
    let chosen = query
        .ok()
        .and_then(|Query(q)| q.region)
        .and_then(|r| {
            if r == "00" {
                Some("00".to_owned())
            } else {
                RegionCode::parse(&r).ok().map(|c| c.as_str().to_owned())
            }
        })
        .unwrap_or_else(|| "00".to_owned());
    let defs = state.definitions();
    let policy = defs.policy();
    let min_cost = policy.analysis().min_cost_patients;
    let access = caller.access();
    let kind = loaded.kind();
    let mut panels = Vec::new();
    // Kinds the server knows; another kind gets the page's "not shown" notice.
    if loaded.shown() {
        base.charts = true;
        // Every area's public result comes from the whole run's public form.
        let public = loaded.public(policy);
        let area = region_name(&chosen, lang);
        panels.push(panel_of(
            kind,
            "allman",
            format!(
                "{} {area}",
                lang.pick("Publicerat resultat:", "Published result:")
            ),
            false,
            &chosen,
            public.iter().find(|r| r.region() == chosen),
            &info,
            min_cost,
            lang,
        ));
        // The analyst's own region (national analysts and admins: the chosen area), unsuppressed.
        let own = match access {
            Access::Region(r) => Some(r.as_str().to_owned()),
            Access::Full => Some(chosen.clone()),
            Access::Public => None,
        };
        if let Some(own) = own {
            let result = loaded.unsuppressed_for(state.hub(), &caller, &own).await?;
            let heading = match access {
                Access::Region(_) => format!(
                    "{} {}",
                    lang.pick(
                        "Din region (ej röjandekontrollerad, endast för dig):",
                        "Your region (not disclosure-controlled, for you only):"
                    ),
                    region_name(&own, lang)
                ),
                _ => format!(
                    "{} {}",
                    lang.pick(
                        "Ej röjandekontrollerat, endast för dig:",
                        "Not disclosure-controlled, for you only:"
                    ),
                    region_name(&own, lang)
                ),
            };
            panels.push(panel_of(
                kind,
                "egen",
                heading,
                true,
                &own,
                result.as_ref(),
                &info,
                min_cost,
                lang,
            ));
        }
    }
    let page = AnalysisPage {
        t: lang,
        id: info.id.clone(),
        title: lang.pick(&info.title.0, &info.title.1).to_owned(),
        description: lang.pick(&info.description.0, &info.description.1).to_owned(),
        computed: date(&loaded.computed_at),
        as_of: date(&loaded.as_of),
        linkage: linkage_words(&info, lang),
        follow_up: follow_up_words(&info, lang),
        version: loaded.version.clone(),
        policy: format!("{} v{}", policy.id(), policy.version()),
        regions: std::iter::once(("00".to_owned(), region_name("00", lang).to_owned()))
            .chain(RegionCode::all().map(|r| (r.as_str().to_owned(), r.name().to_owned())))
            .map(|(code, name)| {
                let selected = code == chosen;
                (code, name, selected)
            })
            .collect(),
        shown: loaded.shown(),
        access_note: match access {
            Access::Public => String::new(),
            Access::Region(r) => format!(
                "{} {} {}",
                lang.pick(
                    "Under det publicerade resultatet visas",
                    "Below the published result you see"
                ),
                r.name(),
                lang.pick(
                    "utan röjandekontroll, endast för dig. Uppslaget loggas.",
                    "without disclosure control, for you only. The access is logged."
                )
            ),
            Access::Full => lang
                .pick(
                    "Under det publicerade resultatet visas det valda området utan röjandekontroll, endast för dig. Uppslaget loggas.",
                    "Below the published result you see the chosen area without disclosure control, for you only. The access is logged.",
                )
                .to_owned(),
        },
        panels,
        base,
    };
    Ok(render(&page))
}
