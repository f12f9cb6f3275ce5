//! Datakvalitet / data-quality notes: per region, the months of a collection with no current
//! delivery and the deliveries that were flagged (accepted with warnings, held, rejected without a
//! replacement), with a plain sentence of what that means for the region's values.
//!
//! Only delivery-level facts are shown (whether a region delivered, its status and its counts of
//! warnings and errors): never a row's content. Months are those of the latest official run (the
//! span of the deliveries it read); before any run, those of the collection's deliveries.

use super::format::month_text;
use crate::i18n::{Lang, region_name};
use crate::problem::Problem;
use crate::state::AppState;
use std::collections::{BTreeMap, BTreeSet};
use vardhub_domain::{Period, RegionCode};
use vardhub_store::{DeliveryFilter, DeliveryStatus, DeliverySummary};

/// Why a delivery is flagged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FlagKind {
    /// The current delivery was accepted with warnings (or with rows left out).
    Warnings,
    /// A valid delivery is held (it would replace its predecessor with far fewer rows) and waits
    /// for confirmation.
    Held,
    /// The newest delivery was rejected and nothing replaced it.
    Rejected,
}

impl FlagKind {
    /// The code (`warnings`, `held`, `rejected`), also a CSS class.
    pub fn code(self) -> &'static str {
        match self {
            FlagKind::Warnings => "warnings",
            FlagKind::Held => "held",
            FlagKind::Rejected => "rejected",
        }
    }
}

/// One flagged delivery (delivery-level facts only).
#[derive(Debug, Clone)]
pub struct FlaggedDelivery {
    /// Delivery id (the quality report is `/leveranser/{id}` for those allowed to see it).
    pub id: String,
    /// Month.
    pub period: String,
    /// The month in words (`januari 2024`).
    pub month: String,
    /// Why it is flagged.
    pub kind: FlagKind,
    /// The status in words.
    pub label: String,
    /// Warning issues of its quality report.
    pub warnings: i64,
    /// Error issues of its quality report.
    pub errors: i64,
}

/// The notes of one region (or of Sweden, `00`, for a national collection) for one collection.
#[derive(Debug, Clone)]
pub struct QualityNote {
    /// Region code (`01`; `00` for a national collection).
    pub region: String,
    /// Region name in the page language.
    pub region_name: String,
    /// Collection id.
    pub collection: String,
    /// Months of the run with no current delivery (`2024-01`), in order.
    pub missing: Vec<String>,
    /// Flagged deliveries, by month.
    pub flagged: Vec<FlaggedDelivery>,
    /// What it means for the region's values, in plain sentences.
    pub text: String,
}

/// The data-quality notes of `collection` within the latest run's months: one note per region
/// with something to note (missing months or flagged deliveries), in region-code order; an empty
/// list when every region delivered every month cleanly. `region` None = every region (for a
/// national collection, Sweden `00`); Some = only that region's note, if any (for a national
/// collection, Sweden's: the region's values rest on the national delivery).
pub(super) async fn quality_notes(
    state: &AppState,
    collection: &str,
    region: Option<RegionCode>,
    lang: Lang,
) -> Result<Vec<QualityNote>, Problem> {
    let all = state
        .hub()
        .deliveries(&DeliveryFilter::default())
        .await
        .map_err(Problem::internal)?;
    let inputs: Option<BTreeSet<String>> = match state.latest_run().await {
        Ok(Some(run)) => serde_json::from_str::<Vec<String>>(&run.run.inputs)
            .ok()
            .map(|v| v.into_iter().collect()),
        Ok(None) => None,
        Err(e) => return Err(Problem::internal(e)),
    };
    let months = run_months(&all, collection, inputs.as_ref());
    let of_collection: Vec<&DeliverySummary> =
        all.iter().filter(|d| d.collection == collection).collect();
    let national = of_collection.iter().any(|d| d.region == "00");
    let regions: Vec<String> = match region {
        // A national collection is delivered once for Sweden: its note is every region's.
        _ if national => vec!["00".to_owned()],
        Some(r) => vec![r.as_str().to_owned()],
        None => RegionCode::all().map(|r| r.as_str().to_owned()).collect(),
    };
    let mut notes = Vec::new();
    for r in regions {
        let mine: Vec<&DeliverySummary> = of_collection
            .iter()
            .copied()
            .filter(|d| d.region == r)
            .collect();
        if let Some(note) = note_for(collection, &r, &months, &mine, lang) {
            notes.push(note);
        }
    }
    Ok(notes)
}

/// The months of the run: the span of the months of the deliveries it read (all collections);
/// without a run (or when it read none of this collection's months), the span of the
/// collection's deliveries.
fn run_months(
    all: &[DeliverySummary],
    collection: &str,
    inputs: Option<&BTreeSet<String>>,
) -> Vec<String> {
    let span = |it: &mut dyn Iterator<Item = &DeliverySummary>| -> Vec<String> {
        let periods: BTreeSet<Period> = it.filter_map(|d| Period::parse(&d.period).ok()).collect();
        match (periods.first(), periods.last()) {
            (Some(a), Some(b)) => Period::range(*a, *b).map(|p| p.to_string()).collect(),
            _ => Vec::new(),
        }
    };
    if let Some(ids) = inputs {
        let read = span(&mut all.iter().filter(|d| ids.contains(&d.id)));
        if !read.is_empty() {
            return read;
        }
    }
    span(&mut all.iter().filter(|d| d.collection == collection))
}

/// One region's note, if it has anything to note. `deliveries` are the region's deliveries of
/// the collection (any order).
fn note_for(
    collection: &str,
    region: &str,
    months: &[String],
    deliveries: &[&DeliverySummary],
    lang: Lang,
) -> Option<QualityNote> {
    let mut by_month: BTreeMap<&str, Vec<&DeliverySummary>> = BTreeMap::new();
    for d in deliveries {
        by_month.entry(d.period.as_str()).or_default().push(d);
    }
    let mut missing = Vec::new();
    let mut flagged = Vec::new();
    for m in months {
        let list = by_month.get(m.as_str()).cloned().unwrap_or_default();
        let current = list.iter().find(|d| d.current);
        if current.is_none() {
            missing.push(m.clone());
        }
        if let Some(c) = current
            && c.status == DeliveryStatus::AcceptedWithWarnings
        {
            flagged.push(flag(c, FlagKind::Warnings, lang));
        }
        // The newest delivery of the month (by version).
        let newest = list.iter().max_by_key(|d| d.version);
        if let Some(n) = newest
            && !n.current
        {
            match n.status {
                DeliveryStatus::Held if n.superseded_at.is_none() => {
                    flagged.push(flag(n, FlagKind::Held, lang));
                }
                DeliveryStatus::Rejected => flagged.push(flag(n, FlagKind::Rejected, lang)),
                _ => {}
            }
        }
    }
    if missing.is_empty() && flagged.is_empty() {
        return None;
    }
    let text = sentences(&missing, &flagged, lang);
    Some(QualityNote {
        region: region.to_owned(),
        region_name: region_name(region, lang).to_owned(),
        collection: collection.to_owned(),
        missing,
        flagged,
        text,
    })
}

fn flag(d: &DeliverySummary, kind: FlagKind, lang: Lang) -> FlaggedDelivery {
    let label = match kind {
        FlagKind::Warnings => lang.pick("godkänd med varningar", "accepted with warnings"),
        FlagKind::Held => lang.pick("vilande – behöver bekräftas", "held – needs confirmation"),
        FlagKind::Rejected => lang.pick("avvisad, inte ersatt", "rejected, not replaced"),
    };
    FlaggedDelivery {
        id: d.id.clone(),
        period: d.period.clone(),
        month: month_text(&d.period, lang),
        kind,
        label: label.to_owned(),
        warnings: d.warnings,
        errors: d.errors,
    }
}

/// A list of months in words: `januari 2024`, `januari 2024 och mars 2024`, `a, b och c`.
fn months_text(months: &[&str], lang: Lang) -> String {
    let words: Vec<String> = months.iter().map(|m| month_text(m, lang)).collect();
    match words.split_last() {
        None => String::new(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} {} {last}", rest.join(", "), lang.pick("och", "and")),
    }
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map_or_else(String::new, |f| f.to_uppercase().chain(c).collect())
}

/// What the notes mean for the region's values, in plain sentences.
fn sentences(missing: &[String], flagged: &[FlaggedDelivery], lang: Lang) -> String {
    let mut out = Vec::new();
    if !missing.is_empty() {
        let m: Vec<&str> = missing.iter().map(String::as_str).collect();
        let words = months_text(&m, lang);
        let (verb, verb_en) = if m.len() == 1 {
            ("saknas", "is missing")
        } else {
            ("saknas", "are missing")
        };
        out.push(match lang {
            Lang::Sv => format!(
                "{} {verb}: regionens värden för {words} och för kvartal, år och rullande 12 månader som omfattar {} visas som ”Uppgift saknas” eller bygger på ofullständiga data.",
                capitalised(&words),
                if m.len() == 1 { "månaden" } else { "månaderna" }
            ),
            Lang::En => format!(
                "{} {verb_en}: the region's values for {words} and for the quarters, years and rolling 12 months that include {} are shown as “No data” or rest on incomplete data.",
                capitalised(&words),
                if m.len() == 1 { "it" } else { "them" }
            ),
        });
    }
    for f in flagged {
        let month = month_text(&f.period, lang);
        out.push(match (f.kind, lang) {
            (FlagKind::Warnings, Lang::Sv) => format!(
                "Leveransen för {month} godkändes med {} {}: värdena bygger på de rader som klarade kontrollerna, så regionens värden för {month} och längre perioder som omfattar månaden kan vara något ofullständiga.",
                f.warnings,
                if f.warnings == 1 { "varning" } else { "varningar" }
            ),
            (FlagKind::Warnings, Lang::En) => format!(
                "The delivery for {month} was accepted with {} {}: the values rest on the rows that passed the checks, so the region's values for {month} and longer periods that include it may be slightly incomplete.",
                f.warnings,
                if f.warnings == 1 { "warning" } else { "warnings" }
            ),
            (FlagKind::Held, Lang::Sv) => format!(
                "En ny leverans för {month} är vilande och väntar på bekräftelse (den skulle ersätta en tidigare leverans med betydligt färre rader): värdena för {month} bygger på den tidigare leveransen, om det finns en."
            ),
            (FlagKind::Held, Lang::En) => format!(
                "A new delivery for {month} is held and awaits confirmation (it would replace an earlier delivery with far fewer rows): the values for {month} rest on the earlier delivery, if there is one."
            ),
            (FlagKind::Rejected, Lang::Sv) => format!(
                "Leveransen för {month} avvisades ({} fel) och har inte ersatts av en godkänd leverans.",
                f.errors
            ),
            (FlagKind::Rejected, Lang::En) => format!(
                "The delivery for {month} was rejected ({} {}) and has not been replaced by an accepted one.",
                f.errors,
                if f.errors == 1 { "error" } else { "errors" }
            ),
        });
    }
    out.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn delivery(
        period: &str,
        version: i64,
        status: DeliveryStatus,
        current: bool,
    ) -> DeliverySummary {
        DeliverySummary {
            id: format!("vardkontakter-01-{period}-v{version}"),
            collection: "vardkontakter".into(),
            region: "01".into(),
            period: period.into(),
            version,
            status,
            current,
            synthetic: true,
            received_at: String::new(),
            published_at: None,
            superseded_at: None,
            superseded_by: None,
            rows_received: 10,
            rows_published: 10,
            errors: if status == DeliveryStatus::Rejected {
                2
            } else {
                0
            },
            warnings: if status == DeliveryStatus::AcceptedWithWarnings {
                3
            } else {
                0
            },
        }
    }

    fn months() -> Vec<String> {
        vec!["2024-01".into(), "2024-02".into(), "2024-03".into()]
    }

    #[test]
    fn a_clean_region_has_no_note() {
        let d: Vec<DeliverySummary> = ["2024-01", "2024-02", "2024-03"]
            .iter()
            .map(|m| delivery(m, 1, DeliveryStatus::Accepted, true))
            .collect();
        let refs: Vec<&DeliverySummary> = d.iter().collect();
        assert!(note_for("vardkontakter", "01", &months(), &refs, Lang::Sv).is_none());
    }

    #[test]
    fn missing_months_warnings_held_and_rejected_are_noted() {
        let d = [
            delivery("2024-01", 1, DeliveryStatus::Rejected, false),
            delivery("2024-02", 1, DeliveryStatus::AcceptedWithWarnings, true),
            delivery("2024-03", 1, DeliveryStatus::Accepted, true),
            delivery("2024-03", 2, DeliveryStatus::Held, false),
        ];
        let refs: Vec<&DeliverySummary> = d.iter().collect();
        let n = note_for("vardkontakter", "01", &months(), &refs, Lang::Sv).unwrap();
        assert_eq!(n.missing, vec!["2024-01"]);
        let kinds: Vec<FlagKind> = n.flagged.iter().map(|f| f.kind).collect();
        assert_eq!(
            kinds,
            vec![FlagKind::Rejected, FlagKind::Warnings, FlagKind::Held]
        );
        assert!(
            n.text
                .starts_with("Januari 2024 saknas: regionens värden för januari 2024"),
            "{}",
            n.text
        );
        assert!(n.text.contains("3 varningar"), "{}", n.text);
        // A rejected delivery replaced by an accepted one is no longer flagged.
        let d = [
            delivery("2024-01", 1, DeliveryStatus::Rejected, false),
            delivery("2024-01", 2, DeliveryStatus::Accepted, true),
            delivery("2024-02", 1, DeliveryStatus::Accepted, true),
            delivery("2024-03", 1, DeliveryStatus::Accepted, true),
        ];
        let refs: Vec<&DeliverySummary> = d.iter().collect();
        assert!(note_for("vardkontakter", "01", &months(), &refs, Lang::En).is_none());
        assert_eq!(
            months_text(&["2024-01", "2024-02", "2024-03"], Lang::En),
            "January 2024, February 2024 and March 2024"
        );
    }
}
