//! How values are shown: units, decimals, flags, and the pick between crude and standardised.

use crate::i18n::{Lang, number};
use crate::published::PublicValue;
use vardhub_engine::indicator::spec::{Direction, Unit};

/// The factor from stored value to display value (a proportion is shown in per cent).
pub fn display_factor(unit: Unit) -> f64 {
    if unit == Unit::Proportion { 100.0 } else { 1.0 }
}

/// Decimals shown for a unit.
fn decimals(unit: Unit) -> usize {
    match unit {
        Unit::Proportion | Unit::Mean => 1,
        Unit::Per100 | Unit::Per1000 | Unit::Per100000 => 2,
        Unit::Ratio | Unit::PerInhabitant => 0,
    }
}

/// The unit as axis title / column heading.
pub fn unit_label(unit: Unit, lang: Lang) -> &'static str {
    match unit {
        Unit::Proportion => lang.pick("Andel (%)", "Share (%)"),
        Unit::Per100 => lang.pick("Per 100", "Per 100"),
        Unit::Per1000 => lang.pick("Per 1 000 invånare", "Per 1,000 inhabitants"),
        Unit::Per100000 => lang.pick("Per 100 000", "Per 100,000"),
        Unit::Mean => lang.pick("Medelvärde", "Mean"),
        Unit::Ratio => lang.pick("Kvot", "Ratio"),
        Unit::PerInhabitant => lang.pick("Kronor per invånare", "SEK per inhabitant"),
    }
}

/// Direction in words.
pub fn direction_label(d: Direction, lang: Lang) -> &'static str {
    match d {
        Direction::Higher => lang.pick("Högre värde är bättre", "Higher is better"),
        Direction::Lower => lang.pick("Lägre värde är bättre", "Lower is better"),
    }
}

/// The value a chart and the headline use: standardised if there is one, else crude; with its
/// interval; in display units.
pub fn headline(v: &PublicValue, unit: Unit) -> (Option<f64>, Option<f64>, Option<f64>) {
    let f = display_factor(unit);
    let (x, lo, hi) = if v.standardised.is_some() {
        (v.standardised, v.standardised_lower, v.standardised_upper)
    } else {
        (v.value, v.lower, v.upper)
    };
    (x.map(|x| x * f), lo.map(|x| x * f), hi.map(|x| x * f))
}

/// A display value as text (`–` when absent).
pub fn show(v: Option<f64>, unit: Unit, lang: Lang) -> String {
    v.map_or_else(|| "–".to_owned(), |v| number(v, decimals(unit), lang))
}

/// An interval as text.
pub fn show_interval(lo: Option<f64>, hi: Option<f64>, unit: Unit, lang: Lang) -> String {
    match (lo, hi) {
        (Some(l), Some(h)) => format!(
            "{}–{}",
            number(l, decimals(unit), lang),
            number(h, decimals(unit), lang)
        ),
        _ => String::new(),
    }
}

/// A funnel flag in words.
pub fn flag_label(flag: Option<&str>, lang: Lang) -> &'static str {
    match flag {
        Some("better") => lang.pick(
            "Signifikant bättre än riket",
            "Significantly better than Sweden",
        ),
        Some("worse") => lang.pick(
            "Signifikant sämre än riket",
            "Significantly worse than Sweden",
        ),
        Some("not_significant") => lang.pick("Ingen säker skillnad", "No clear difference"),
        Some("cannot_be_assessed") => lang.pick(
            "Kan inte bedömas – för få fall",
            "Cannot be assessed – too few cases",
        ),
        _ => "",
    }
}

/// The status label.
pub fn status_label(v: &PublicValue, lang: Lang) -> &'static str {
    lang.pick(v.status.label_sv(), v.status.label_en())
}
