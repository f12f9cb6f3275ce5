//! Cost tables shared by the kinds of analysis that report a cost per patient (care chains, cost
//! over time): how concentrated the cost is on the costliest patients.

use super::analyses::{Row, Table};
use super::analysis_text::{percent, raw, status_words};
use crate::i18n::{Lang, NBSP, grouped};
use vardhub_engine::analysis::chain::Concentration;
use vardhub_engine::disclosure::Status;

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
