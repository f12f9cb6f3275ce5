//! Scenariosidorna / the what-if scenario pages. `/scenarier` lists the scenario runs the
//! caller may see ([`crate::auth::sees_scenario`]: published ones for everyone, unpublished
//! ones for the entitled roles); `/scenarier/{run_id}` shows one: what it assumes and changes,
//! the headline in words and a table, why the replications are enough, the fan chart over the
//! horizon and the daily occupancy, each chart followed by its table (see
//! [`super::scenario_sections`]), the calibration, and its publication — with, for an
//! administrator who did not run it, the form that publishes it through the disclosure policy
//! (`POST /scenarier/{run_id}/publicering`, the same operation as the API; post/redirect/get, a
//! refusal shows the page again with why). A run the caller may not see is a 404, as an
//! unknown one is.

use super::analyses::Fact;
use super::scenario_sections::{self as sections, Shown, change_words, model_name};
use super::{Base, message, render};
use crate::auth::{Caller, Role};
use crate::i18n::Lang;
use crate::problem::Problem;
use crate::routes::outputs::no_store;
use crate::routes::scenarios::{PublicationBody, publish_as};
use crate::scenarios::{self, Seen};
use crate::state::AppState;
use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::header::LOCATION;
use axum::http::{HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use vardhub_engine::whatif::Months;

/// The date (`ÅÅÅÅ-MM-DD`) of an RFC 3339 time.
fn date(rfc3339: &str) -> String {
    rfc3339.chars().take(10).collect()
}

/// `ÅÅÅÅ-MM – ÅÅÅÅ-MM` (one month: itself).
fn months(m: &Months) -> String {
    if m.from == m.to {
        m.from.to_string()
    } else {
        format!("{} – {}", m.from, m.to)
    }
}

fn title(s: &Seen, lang: Lang) -> String {
    let t = &s.document.spec.title;
    lang.pick(&t.sv, &t.en).to_owned()
}

fn status(s: &Seen, lang: Lang) -> String {
    match &s.publication {
        Some(p) => format!(
            "{} {}",
            lang.pick("Publicerat", "Published"),
            date(&p.published_at)
        ),
        None => lang
            .pick(
                "Inte publicerat (visas bara för behöriga)",
                "Not published (shown to entitled roles only)",
            )
            .to_owned(),
    }
}

/// A scenario in the list.
struct Listed {
    run_id: String,
    title: String,
    region: String,
    baseline: String,
    horizon: String,
    model: String,
    computed: String,
    published: bool,
    status: String,
}

#[derive(Template)]
#[template(path = "scenarios.html")]
struct ListPage {
    base: Base,
    t: Lang,
    scenarios: Vec<Listed>,
    /// The caller sees unpublished scenarios too.
    entitled: bool,
}

/// `GET /scenarier`.
pub async fn scenarios(
    State(state): State<AppState>,
    caller: Caller,
    lang: Lang,
    uri: Uri,
) -> Result<Response, Problem> {
    let seen = scenarios::visible(&state, &caller).await?;
    // Shown the stored document of at least one: the caller is of an entitled role.
    let entitled = seen.iter().any(|s| s.unchecked);
    let list = seen
        .iter()
        .map(|s| {
            let spec = &s.document.spec;
            Listed {
                run_id: s.run.id.clone(),
                title: title(s, lang),
                region: spec.region.name().to_owned(),
                baseline: months(&spec.baseline),
                horizon: months(&spec.horizon),
                model: model_name(spec.model, lang).to_owned(),
                computed: date(&s.run.finished_at),
                published: s.publication.is_some(),
                status: status(s, lang),
            }
        })
        .collect();
    let page = ListPage {
        base: Base::new(lang, &caller, &uri),
        t: lang,
        scenarios: list,
        entitled,
    };
    Ok(no_store_if_logged_in(render(&page), &caller))
}

fn no_store_if_logged_in(res: Response, caller: &Caller) -> Response {
    if caller.0.is_some() {
        no_store(res)
    } else {
        res
    }
}

/// The publication as the page shows it.
struct PublicationView {
    at: String,
    /// Who approved it (entitled roles only; the public reads "an administrator").
    by: String,
    motivation: String,
    policy: String,
}

/// The publication form's state for the caller.
enum FormState {
    /// Published already, or the caller is not an administrator: no form.
    None,
    /// An administrator who did not run the scenario: the form.
    Open,
    /// The administrator who ran it: four eyes, no form.
    Author,
}

#[derive(Template)]
#[template(path = "scenario.html")]
struct ScenarioPage {
    base: Base,
    t: Lang,
    run_id: String,
    title: String,
    description: String,
    facts: Vec<Fact>,
    /// The stored document, not disclosure-checked, is shown.
    unchecked: bool,
    changes: Vec<String>,
    assumptions: Vec<String>,
    shown: Option<Shown>,
    publication: Option<PublicationView>,
    /// An administrator who did not run it: the publication form.
    form_open: bool,
    /// The administrator who ran it: four eyes, no form.
    form_author: bool,
    /// A refused publication: why, and the motivation written (shown again).
    refusal: Option<(String, String)>,
}

fn fact(key: &'static str, label: &str, value: String) -> Fact {
    Fact {
        key,
        label: label.to_owned(),
        value,
    }
}

async fn page(
    state: &AppState,
    caller: &Caller,
    s: Seen,
    lang: Lang,
    uri: &Uri,
    refusal: Option<(String, String)>,
) -> Result<ScenarioPage, Problem> {
    let d = &s.document;
    let spec = &d.spec;
    let mut facts = vec![
        fact(
            "region",
            lang.pick("Region", "Region"),
            spec.region.name().to_owned(),
        ),
        fact(
            "modell",
            lang.pick("Modell", "Model"),
            model_name(spec.model, lang).to_owned(),
        ),
        fact(
            "basperiod",
            lang.pick("Basperiod", "Baseline"),
            months(&spec.baseline),
        ),
        fact(
            "prognosperiod",
            lang.pick("Prognosperiod", "Horizon"),
            months(&spec.horizon),
        ),
        fact(
            "beraknad",
            lang.pick("Beräknad", "Computed"),
            date(&s.run.finished_at),
        ),
        fact(
            "datalage",
            lang.pick("Dataläge", "Data as of"),
            date(&s.run.as_of),
        ),
        fact(
            "version",
            lang.pick("Scenarioversion", "Scenario version"),
            format!("{} ({})", d.version, d.hash),
        ),
        fact("status", lang.pick("Status", "Status"), status(&s, lang)),
    ];
    if let Some(h) = &spec.sjukhus {
        facts.insert(
            1,
            fact("sjukhus", lang.pick("Sjukhus", "Hospital"), h.clone()),
        );
    }
    let mut changes: Vec<String> = spec
        .changes
        .iter()
        .map(|c| change_words(c, spec, lang))
        .collect();
    if changes.is_empty() {
        changes.push(
            lang.pick(
                "Inga förändringar: prognosen för basläget.",
                "No changes: the baseline forecast.",
            )
            .to_owned(),
        );
    }
    let form = match caller.0.as_ref() {
        Some(p) if p.role == Role::Admin && s.publication.is_none() => {
            let author = state
                .hub()
                .scenario_run_author(&s.run.id)
                .await
                .map_err(Problem::internal)?;
            if author.as_deref() == Some(p.name.as_str()) {
                FormState::Author
            } else {
                FormState::Open
            }
        }
        _ => FormState::None,
    };
    let publication = s.publication.as_ref().map(|p| PublicationView {
        at: date(&p.published_at),
        by: if s.unchecked {
            p.approver.clone()
        } else {
            lang.pick("en administratör", "an administrator").to_owned()
        },
        motivation: p.motivation.clone(),
        policy: p.policy.clone(),
    });
    Ok(ScenarioPage {
        base: Base {
            charts: true,
            ..Base::new(lang, caller, uri)
        },
        t: lang,
        run_id: s.run.id.clone(),
        title: title(&s, lang),
        description: spec
            .description
            .as_ref()
            .map(|t| lang.pick(&t.sv, &t.en).to_owned())
            .unwrap_or_default(),
        facts,
        unchecked: s.unchecked,
        changes,
        assumptions: sections::assumptions(spec.model, lang),
        shown: sections::shown(&d.result, d.disclosure.as_ref(), lang),
        publication,
        form_open: matches!(form, FormState::Open),
        form_author: matches!(form, FormState::Author),
        refusal,
    })
}

fn unknown(lang: Lang, caller: &Caller, uri: &Uri) -> Response {
    message(
        StatusCode::NOT_FOUND,
        Base::new(lang, caller, uri),
        lang.pick("Okänt scenario", "Unknown scenario"),
        lang.pick(
            "Scenariot finns inte eller är inte publicerat. Se listan över scenarier.",
            "The scenario does not exist or is not published. See the list of scenarios.",
        ),
    )
}

/// `GET /scenarier/{run_id}`.
pub async fn scenario(
    State(state): State<AppState>,
    caller: Caller,
    lang: Lang,
    uri: Uri,
    Path(run_id): Path<String>,
) -> Result<Response, Problem> {
    let Some(s) = scenarios::one(&state, &caller, &run_id).await? else {
        return Ok(unknown(lang, &caller, &uri));
    };
    let page = page(&state, &caller, s, lang, &uri, None).await?;
    Ok(no_store_if_logged_in(render(&page), &caller))
}

fn see_other(to: &str) -> Response {
    let mut res = StatusCode::SEE_OTHER.into_response();
    if let Ok(v) = HeaderValue::from_str(to) {
        res.headers_mut().insert(LOCATION, v);
    }
    res
}

/// `POST /scenarier/{run_id}/publicering` (form field `motivation`): an administrator's
/// publication; back to the page when recorded, the page with why when refused.
pub async fn scenario_publication(
    State(state): State<AppState>,
    caller: Caller,
    lang: Lang,
    Path(run_id): Path<String>,
    Form(form): Form<PublicationBody>,
) -> Response {
    let here = format!("/scenarier/{run_id}");
    let Some(p) = caller.0.as_ref() else {
        return see_other(&format!("/logga-in?next={here}"));
    };
    let uri: Uri = here
        .parse()
        .unwrap_or_else(|_| Uri::from_static("/scenarier"));
    match publish_as(&state, &caller, p, &run_id, &form.motivation).await {
        Ok(_) => see_other(&format!("{here}?lang={}#publicering", lang.code())),
        Err(problem) if problem.status == 404 => unknown(lang, &caller, &uri),
        Err(problem) if problem.status >= 500 => problem.into_response(),
        Err(problem) => {
            let status =
                StatusCode::from_u16(problem.status).unwrap_or(StatusCode::UNPROCESSABLE_ENTITY);
            let seen = match scenarios::find(&state, &caller, &run_id).await {
                Ok(Some(s)) => s,
                Ok(None) => return unknown(lang, &caller, &uri),
                Err(e) => return e.into_response(),
            };
            let refusal = Some((problem.detail, form.motivation));
            match page(&state, &caller, seen, lang, &uri, refusal).await {
                Ok(page) => no_store((status, render(&page)).into_response()),
                Err(e) => e.into_response(),
            }
        }
    }
}
