//! Cost tables shared by the kinds of analysis that report a cost per patient (care chains, cost
//! over time): the measure/value table of a cost and how concentrated the cost is on the
//! costliest patients.

use super::analyses::{Row, Table};
use super::analysis_text::{percent, raw, status_words};
use crate::i18n::{Lang, NBSP, grouped};
use vardhub_engine::analysis::chain::Concentration;
use vardhub_engine::disclosure::Status;

/// One row of a measure/value table; `raw_value` goes to the row's `data-value` (machine
/// readable, empty when there is none).
pub fn measure_row(key: &str, label: &str, value: String, raw_value: String) -> Row {
    Row {
        key: key.to_owned(),
        data: vec![("value", raw_value)],
        cells: vec![label.to_owned(), value],
    }
}

/// A two-column table (measure, value) with `caption`.
pub fn measure_table(id: String, caption: String, rows: Vec<Row>, lang: Lang) -> Table {
    Table {
        id,
        caption,
        head: vec![
            lang.pick("Mått", "Measure").into(),
            lang.pick("Värde", "Value").into(),
        ],
        rows,
        long: false,
    }
}

/// The table `id` of the cost shares of the costliest 1, 5 and 10 % of the patients, whose
/// mean cost is `mean`: a share not shown says why (no cost at all, or too few patients in the
/// group or outside it).
pub fn concentration_table(id: String, groups: &[Concentration], mean: f64, lang: Lang) -> Table {
    Table {
        id,
        caption: lang
            .pick(
                "Kostnadskoncentration: de dyraste patienternas andel av kostnaden",
                "Cost concentration: the costliest patients' share of the cost",
            )
            .to_owned(),
        head: vec![
            lang.pick("De dyraste", "The costliest").into(),
            lang.pick("Patienter", "Patients").into(),
            lang.pick("Andel av kostnaden", "Share of the cost").into(),
        ],
        rows: groups
            .iter()
            .map(|g| Row {
                key: format!("topp-{}", (g.top * 100.0).round()),
                data: vec![("share", raw(g.share))],
                cells: vec![
                    format!("{}{NBSP}%", grouped(g.top * 100.0, 0, lang)),
                    grouped(g.patients as f64, 0, lang),
                    match g.share {
                        Some(x) => percent(x, lang),
                        None if mean <= 0.0 => lang
                            .pick("Ej tillämpligt – ingen kostnad", "Not applicable – no cost")
                            .to_owned(),
                        None => status_words(Status::HiddenSmall, lang),
                    },
                ],
            })
            .collect(),
        long: false,
    }
}
