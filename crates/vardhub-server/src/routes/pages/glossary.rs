//! The glossary (`/ordlista`): what every status, comparison flag, period and method word on the
//! pages means, in Swedish and English. Values link here next to their status
//! ([`super::format::status_href`]), so each entry has a stable anchor.

use super::{Base, render};
use crate::auth::Caller;
use crate::i18n::Lang;
use askama::Template;
use axum::http::Uri;
use axum::response::Response;
use vardhub_engine::disclosure::Status;

/// One entry: anchor, term, explanation.
pub struct Entry {
    anchor: String,
    term: String,
    text: String,
}

/// A group of entries under a heading.
pub struct Group {
    id: &'static str,
    heading: &'static str,
    entries: Vec<Entry>,
}

#[derive(Template)]
#[template(path = "glossary.html")]
struct GlossaryPage {
    base: Base,
    t: Lang,
    groups: Vec<Group>,
}

/// What a status means for the reader.
fn status_text(status: Status, lang: Lang) -> &'static str {
    match status {
        Status::Ok => lang.pick(
            "Värdet har passerat röjandekontrollen och visas.",
            "The value has passed disclosure control and is shown.",
        ),
        Status::Zero => lang.pick(
            "Det fanns fall att räkna på, men ingen händelse: värdet är noll.",
            "There were cases to count, but no event: the value is zero.",
        ),
        Status::HiddenSmall => lang.pick(
            "Värdet bygger på så få personer att det skulle kunna röja enskilda. Det är beräknat men visas inte.",
            "The value rests on so few people that it could identify individuals. It is computed but not shown.",
        ),
        Status::HiddenSecondary => lang.pick(
            "Värdet är i sig inte litet, men döljs för att ett annat dolt värde annars skulle kunna räknas fram ur summor och andra celler.",
            "The value is not small itself, but is hidden because another hidden value could otherwise be worked out from totals and other cells.",
        ),
        Status::NoData => lang.pick(
            "Regionen har inte levererat underlaget för perioden. Inget är beräknat; det säger ingenting om vården.",
            "The region has not delivered the data for the period. Nothing is computed; it says nothing about the care.",
        ),
        Status::NotApplicable => lang.pick(
            "Måttet gäller inte här, till exempel ett kön eller en nivå som indikatorn inte redovisas för.",
            "The measure does not apply here, for example a sex or a level the indicator is not published for.",
        ),
        Status::NoCases => lang.pick(
            "Regionen har levererat, men under perioden fanns inget fall som ingår i nämnaren, så inget värde kan beräknas.",
            "The region has delivered, but there was no case in the denominator during the period, so no value can be computed.",
        ),
    }
}

fn entry(anchor: &str, term: &str, text: &str) -> Entry {
    Entry {
        anchor: anchor.to_owned(),
        term: term.to_owned(),
        text: text.to_owned(),
    }
}

/// The glossary's groups in the page language.
fn groups(lang: Lang) -> Vec<Group> {
    let statuses = Status::ALL
        .iter()
        .map(|s| Entry {
            anchor: format!("status-{}", s.code()),
            term: lang.pick(s.label_sv(), s.label_en()).to_owned(),
            text: status_text(*s, lang).to_owned(),
        })
        .collect();
    let p = |sv, en| lang.pick(sv, en);
    vec![
        Group {
            id: "statusar",
            heading: p("Statusar", "Statuses"),
            entries: statuses,
        },
        Group {
            id: "jamforelser",
            heading: p("Jämförelse med riket", "Comparison with Sweden"),
            entries: vec![
                entry(
                    "flagga-better",
                    p(
                        "Signifikant bättre än riket",
                        "Significantly better than Sweden",
                    ),
                    p(
                        "Regionens värde ligger utanför trattdiagrammets 95-procentsgräns åt det bättre hållet: skillnaden är troligen inte slump.",
                        "The region's value lies outside the funnel plot's 95 % limit on the better side: the difference is unlikely to be chance.",
                    ),
                ),
                entry(
                    "flagga-not_significant",
                    p("Ingen säker skillnad", "No clear difference"),
                    p(
                        "Regionens värde ligger inom 95-procentsgränserna: skillnaden mot riket kan vara slump.",
                        "The region's value lies inside the 95 % limits: the difference from Sweden may be chance.",
                    ),
                ),
                entry(
                    "flagga-worse",
                    p(
                        "Signifikant sämre än riket",
                        "Significantly worse than Sweden",
                    ),
                    p(
                        "Regionens värde ligger utanför 95-procentsgränsen åt det sämre hållet.",
                        "The region's value lies outside the 95 % limit on the worse side.",
                    ),
                ),
                entry(
                    "flagga-cannot_be_assessed",
                    p("Kan inte bedömas", "Cannot be assessed"),
                    p(
                        "För få fall för att avgöra om regionen skiljer sig från riket.",
                        "Too few cases to tell whether the region differs from Sweden.",
                    ),
                ),
            ],
        },
        Group {
            id: "metoder",
            heading: p("Metoder", "Methods"),
            entries: vec![
                entry(
                    "konfidensintervall",
                    p("Konfidensintervall (95 %)", "Confidence interval (95 %)"),
                    p(
                        "Det intervall som med 95 % säkerhet täcker det sanna värdet, givet slumpens variation. Ett brett intervall betyder få fall.",
                        "The range that covers the true value with 95 % confidence, given chance variation. A wide interval means few cases.",
                    ),
                ),
                entry(
                    "trattdiagram",
                    p("Trattdiagram", "Funnel plot"),
                    p(
                        "Varje region visas mot sin storlek (nämnaren). Gränserna runt rikets värde smalnar av ju fler fall; en region utanför gränserna skiljer sig säkert från riket.",
                        "Each region is shown against its size (the denominator). The limits around Sweden's value narrow with more cases; a region outside them clearly differs from Sweden.",
                    ),
                ),
                entry(
                    "standardisering",
                    p(
                        "Ålders- och könsstandardisering",
                        "Age and sex standardisation",
                    ),
                    p(
                        "En omräkning som tar bort skillnader som bara beror på att regionerna har olika många äldre, kvinnor och män, så att vården kan jämföras.",
                        "A recalculation that removes differences due only to regions having different numbers of older people, women and men, so that care can be compared.",
                    ),
                ),
                entry(
                    "malniva",
                    p("Målnivå", "Target"),
                    p(
                        "En nivå som en nationell eller regional instans har satt för indikatorn; källan anges på indikatorsidan.",
                        "A level a national or regional body has set for the indicator; the source is named on the indicator page.",
                    ),
                ),
            ],
        },
        Group {
            id: "perioder",
            heading: p("Perioder och nivåer", "Periods and levels"),
            entries: vec![
                entry(
                    "period-month",
                    p("Månad", "Month"),
                    p(
                        "Händelser under en kalendermånad.",
                        "Events in one calendar month.",
                    ),
                ),
                entry(
                    "period-quarter",
                    p("Kvartal", "Quarter"),
                    p(
                        "Tre månader (K1 = januari–mars). Fler fall än en månad, så färre dolda värden.",
                        "Three months (Q1 = January–March). More cases than a month, so fewer hidden values.",
                    ),
                ),
                entry(
                    "period-year",
                    p("År", "Year"),
                    p("Ett kalenderår.", "A calendar year."),
                ),
                entry(
                    "period-rolling12",
                    p("Rullande 12 månader", "Rolling 12 months"),
                    p(
                        "De tolv månaderna till och med den angivna månaden (R12-2024-06 = juli 2023–juni 2024).",
                        "The twelve months up to and including the given month (R12-2024-06 = July 2023–June 2024).",
                    ),
                ),
                entry(
                    "niva",
                    p("Nivå", "Level"),
                    p(
                        "Riket, sjukvårdsregion (sex samverkansregioner), region, kommun (patientens hemkommun) eller sjukhus och enhet (där vården gavs).",
                        "Sweden, healthcare region (six collaboration regions), region, municipality (the patient's home municipality) or hospital and unit (where care was given).",
                    ),
                ),
            ],
        },
    ]
}

/// `GET /ordlista`.
pub async fn glossary(caller: Caller, lang: Lang, uri: Uri) -> Response {
    let base = Base::new(lang, &caller, &uri);
    render(&GlossaryPage {
        base,
        t: lang,
        groups: groups(lang),
    })
}
