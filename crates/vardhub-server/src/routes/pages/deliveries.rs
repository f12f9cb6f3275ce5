//! Leveransöversikten / the deliveries page (logged in only): per collection, a region × month
//! matrix of the current delivery's status and quality (rows, errors, warnings).
//!
//! Who sees which rows: national analysts and administrators every region's; a region analyst
//! only its own region's row; a logged-in user with the public role none (403).

use super::{Base, render};
use crate::auth::{Caller, Role};
use crate::i18n::{Lang, region_name};
use crate::problem::Problem;
use crate::state::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::Uri;
use axum::http::header::LOCATION;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use std::collections::{BTreeMap, BTreeSet};
use vardhub_store::{DeliveryFilter, DeliveryStatus, DeliverySummary};

/// One cell of the matrix: a symbol, a short visible text and (for a delivery) a link to its
/// quality report, so that nothing needs a hover.
pub struct Cell {
    symbol: &'static str,
    class: &'static str,
    label: String,
    title: String,
    short: String,
    href: Option<String>,
}

/// One collection's matrix.
pub struct Matrix {
    collection: String,
    title: String,
    months: Vec<String>,
    rows: Vec<(String, String, Vec<Cell>)>,
}

#[derive(Template)]
#[template(path = "deliveries.html")]
struct DeliveriesPage {
    base: Base,
    t: Lang,
    matrices: Vec<Matrix>,
}

fn cell(d: Option<&DeliverySummary>, lang: Lang) -> Cell {
    let Some(d) = d else {
        return Cell {
            symbol: "–",
            class: "saknas",
            label: lang.pick("saknas", "missing").into(),
            title: String::new(),
            short: String::new(),
            href: None,
        };
    };
    let (symbol, class, label) = match d.status {
        DeliveryStatus::Accepted => ("✓", "ok", lang.pick("godkänd", "accepted")),
        DeliveryStatus::AcceptedWithWarnings => (
            "!",
            "varning",
            lang.pick("godkänd med varningar", "accepted with warnings"),
        ),
        DeliveryStatus::Rejected => ("✗", "avvisad", lang.pick("avvisad", "rejected")),
        DeliveryStatus::Held => (
            "?",
            "varning",
            lang.pick("vilande – behöver bekräftas", "held – needs confirmation"),
        ),
    };
    let short = match d.status {
        DeliveryStatus::Accepted => lang.pick("ok", "ok").to_owned(),
        DeliveryStatus::AcceptedWithWarnings => {
            format!("{} {}", d.warnings, lang.pick("varn.", "warn."))
        }
        DeliveryStatus::Rejected => format!("{} {}", d.errors, lang.pick("fel", "err.")),
        DeliveryStatus::Held => lang.pick("vilande", "held").to_owned(),
    };
    Cell {
        symbol,
        class,
        short,
        href: Some(format!("/leveranser/{}", d.id)),
        label: label.to_owned(),
        title: format!(
            "{} v{}: {} {}, {} {}, {} {}",
            d.id,
            d.version,
            d.rows_published,
            lang.pick("rader", "rows"),
            d.errors,
            lang.pick("fel", "errors"),
            d.warnings,
            lang.pick("varningar", "warnings")
        ),
    }
}

/// `GET /leveranser`: 303 to the login page when not logged in.
pub async fn deliveries(
    State(state): State<AppState>,
    caller: Caller,
    lang: Lang,
    uri: Uri,
) -> Result<Response, Problem> {
    let Some(principal) = caller.0.as_ref() else {
        let mut res = StatusCode::SEE_OTHER.into_response();
        res.headers_mut().insert(
            LOCATION,
            HeaderValue::from_static("/logga-in?next=/leveranser"),
        );
        return Ok(res);
    };
    // The regions whose rows this caller may see (None: all).
    let visible: Option<String> = match (principal.role, principal.region) {
        (Role::National | Role::Admin, _) => None,
        (Role::Region, Some(r)) => Some(r.as_str().to_owned()),
        _ => {
            return Ok(super::message(
                StatusCode::FORBIDDEN,
                Base::new(lang, &caller, &uri),
                lang.pick("Ingen behörighet", "Not permitted"),
                lang.pick(
                    "Leveransöversikten är till för regionanalytiker (den egna regionen) och nationella analytiker.",
                    "The deliveries overview is for region analysts (their own region) and national analysts.",
                ),
            ));
        }
    };
    let all = state
        .hub()
        .deliveries(&DeliveryFilter::default())
        .await
        .map_err(Problem::internal)?;
    // The delivery shown per (collection, region, month): the current one, else the newest.
    let mut shown: BTreeMap<(String, String, String), &DeliverySummary> = BTreeMap::new();
    for d in all
        .iter()
        .filter(|d| visible.as_ref().is_none_or(|r| *r == d.region))
    {
        let key = (d.collection.clone(), d.region.clone(), d.period.clone());
        let replace = match shown.get(&key) {
            None => true,
            Some(old) => d.current && !old.current,
        };
        if replace {
            shown.insert(key, d);
        }
    }
    let mut matrices = Vec::new();
    for c in vardhub_domain::spec::builtin().values() {
        let months: BTreeSet<&str> = shown
            .keys()
            .filter(|(col, _, _)| *col == c.id)
            .map(|(_, _, p)| p.as_str())
            .collect();
        let regions: BTreeSet<&str> = shown
            .keys()
            .filter(|(col, _, _)| *col == c.id)
            .map(|(_, r, _)| r.as_str())
            .collect();
        // A region analyst's own row (national collections, region 00, are no region's own:
        // their deliveries were filtered out above, so they show as "no deliveries").
        let region_list: Vec<String> = if let Some(own) = &visible {
            vec![own.clone()]
        } else if regions.contains("00") {
            vec!["00".into()]
        } else {
            vardhub_domain::RegionCode::all()
                .map(|r| r.as_str().to_owned())
                .collect()
        };
        let rows = region_list
            .iter()
            .map(|r| {
                let cells = months
                    .iter()
                    .map(|m| {
                        cell(
                            shown
                                .get(&(c.id.clone(), r.clone(), (*m).to_owned()))
                                .copied(),
                            lang,
                        )
                    })
                    .collect();
                (r.clone(), region_name(r, lang).to_owned(), cells)
            })
            .collect();
        matrices.push(Matrix {
            collection: c.id.clone(),
            title: lang.pick(&c.title.sv, &c.title.en).to_owned(),
            months: months.into_iter().map(str::to_owned).collect(),
            rows,
        });
    }
    Ok(render(&DeliveriesPage {
        base: Base::new(lang, &caller, &uri),
        t: lang,
        matrices,
    }))
}
