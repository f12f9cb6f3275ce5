//! Webbsidorna / the dashboard pages: server-rendered with askama, Swedish first, every chart
//! followed by its table, usable with the keyboard, nothing loaded from other origins.

mod analyses;
mod analysis_text;
mod before_after;
mod cases;
mod catalogue;
mod chain;
mod cost_parts;
mod cost_time;
mod deliveries;
mod delivery_report;
mod format;
mod glossary;
mod indicator;
mod indicator_download;
mod log_review;
mod login;
mod outputs;
mod overview;
mod quality;
mod region_report;
mod research;
mod scenario_sections;
mod scenario_wait_sections;
mod scenarios;
mod values;

pub use analyses::{analyses, analysis};
pub use cases::case_routes;
pub use catalogue::{catalogue, code_systems, collection};
pub use deliveries::deliveries;
pub use delivery_report::delivery_report;
pub use glossary::glossary;
pub use indicator::indicator;
pub use indicator_download::{view_csv, view_xlsx};
pub use log_review::log_review;
pub use login::{login, login_form, logout};
pub use outputs::{output_decision, outputs};
pub use overview::start;
pub use region_report::{region, region_report, region_report_pdf};
pub use research::research;
pub use scenarios::{scenario, scenario_publication, scenarios};

use crate::auth::Caller;
use crate::i18n::Lang;
use crate::problem::Problem;
use askama::Template;
use axum::http::StatusCode;
use axum::http::Uri;
use axum::response::{Html, IntoResponse, Response};

/// What every page's frame needs.
pub struct Base {
    /// Page language.
    pub lang: Lang,
    /// Logged-in user, if any.
    pub user: Option<String>,
    /// The same page in the other language.
    pub switch_href: String,
    /// Whether the chart scripts are loaded.
    pub charts: bool,
}

impl Base {
    /// The frame for a request.
    pub fn new(lang: Lang, caller: &Caller, uri: &Uri) -> Base {
        Base {
            lang,
            user: caller.name().map(str::to_owned),
            switch_href: with_param(uri, "lang", lang.other().code()),
            charts: false,
        }
    }
}

/// `uri` with query parameter `key` set to `value` (others kept).
pub fn with_param(uri: &Uri, key: &str, value: &str) -> String {
    let mut parts: Vec<String> = uri
        .query()
        .unwrap_or("")
        .split('&')
        .filter(|kv| !kv.is_empty() && kv.split('=').next() != Some(key))
        .map(str::to_owned)
        .collect();
    parts.push(format!("{key}={value}"));
    format!("{}?{}", uri.path(), parts.join("&"))
}

/// Render a template into a response (500 problem if it fails, which is a bug).
pub fn render(t: &impl Template) -> Response {
    match t.render() {
        Ok(html) => Html(html).into_response(),
        Err(e) => Problem::internal(e).into_response(),
    }
}

#[derive(Template)]
#[template(path = "message.html")]
struct MessagePage {
    base: Base,
    t: Lang,
    heading: String,
    text: String,
}

/// A simple page with a heading and a sentence, with a status.
pub fn message(status: StatusCode, base: Base, heading: &str, text: &str) -> Response {
    let t = base.lang;
    let page = MessagePage {
        base,
        t,
        heading: heading.to_owned(),
        text: text.to_owned(),
    };
    (status, render(&page)).into_response()
}

/// The 404 page.
pub fn not_found_page(lang: Lang) -> Response {
    let base = Base {
        lang,
        user: None,
        switch_href: format!("/?lang={}", lang.other().code()),
        charts: false,
    };
    message(
        StatusCode::NOT_FOUND,
        base,
        lang.pick("Sidan finns inte", "Page not found"),
        lang.pick(
            "Kontrollera adressen eller gå till startsidan.",
            "Check the address or go to the start page.",
        ),
    )
}
