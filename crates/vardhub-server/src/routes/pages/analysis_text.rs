//! How analysis results read: counts, shares, kronor and times in plain units, the Swedish way
//! (`73 141 kr`, `60,0 %`, `14,5 timmar`, `−3 120 kr`: non-breaking spaces, decimal comma, a real
//! minus sign), and a hidden value's status in words: never a blank, never `NaN`.

use crate::i18n::{Lang, NBSP, grouped};
use vardhub_engine::analysis::disclose::PublicCount;
use vardhub_engine::disclosure::Status;

/// A hidden or absent value's status in words.
pub fn status_words(status: Status, lang: Lang) -> String {
    match status {
        Status::HiddenSmall => lang.pick("Dold – för få patienter", "Hidden – too few patients"),
        Status::HiddenSecondary => lang.pick(
            "Dold – annars kunde dolda värden räknas fram",
            "Hidden – hidden values could otherwise be worked out",
        ),
        Status::NotApplicable => lang.pick("Ej tillämpligt", "Not applicable"),
        Status::NoCases => lang.pick("Inga patienter", "No patients"),
        Status::NoData => lang.pick(status.label_sv(), status.label_en()),
        Status::Ok => lang.pick("Visas", "Shown"),
        Status::Zero => lang.pick("Noll", "Zero"),
    }
    .to_owned()
}

/// A count, or its status in words.
pub fn count(c: &PublicCount, lang: Lang) -> String {
    c.value.map_or_else(
        || status_words(c.status, lang),
        |v| grouped(v as f64, 0, lang),
    )
}

/// The raw value of a count for a `data-` attribute (empty when hidden).
pub fn raw_count(c: &PublicCount) -> String {
    c.value.map_or_else(String::new, |v| v.to_string())
}

/// A share (0–1) in per cent: `60,0 %`.
pub fn percent(share: f64, lang: Lang) -> String {
    format!("{}{NBSP}%", grouped(share * 100.0, 1, lang))
}

/// An interval of shares in per cent: `52,1–68,0 %`.
pub fn percent_interval(lower: f64, upper: f64, lang: Lang) -> String {
    format!(
        "{}–{}{NBSP}%",
        grouped(lower * 100.0, 1, lang),
        grouped(upper * 100.0, 1, lang)
    )
}

/// An amount in kronor, whole: `73 141 kr` (`73,141 SEK`).
pub fn kronor(v: f64, lang: Lang) -> String {
    format!("{}{NBSP}{}", grouped(v, 0, lang), lang.pick("kr", "SEK"))
}

/// A range of kronor: `10 200 kr – 14 900 kr`; with a negative limit `−5 000 kr – −1 200 kr`.
pub fn kronor_range(lower: f64, upper: f64, lang: Lang) -> String {
    format!("{} – {}", kronor(lower, lang), kronor(upper, lang))
}

/// An amount with its interval: `12 345 kr (10 200 kr – 14 900 kr)`.
pub fn kronor_ci(value: f64, lower: f64, upper: f64, lang: Lang) -> String {
    format!(
        "{} ({})",
        kronor(value, lang),
        kronor_range(lower, upper, lang)
    )
}

/// A time in days in a plain unit: hours under two days (`14,5 timmar`), else days
/// (`3,2 dagar`); an unbounded interval limit is `obegränsad`.
pub fn duration(days: f64, lang: Lang) -> String {
    if !days.is_finite() {
        return lang.pick("obegränsad", "unbounded").to_owned();
    }
    if days < 2.0 {
        format!(
            "{}{NBSP}{}",
            grouped(days * 24.0, 1, lang),
            lang.pick("timmar", "hours")
        )
    } else {
        format!(
            "{}{NBSP}{}",
            grouped(days, 1, lang),
            lang.pick("dagar", "days")
        )
    }
}

/// A float for a `data-` attribute: as stored, empty when absent or not finite.
pub fn raw(v: Option<f64>) -> String {
    v.filter(|x| x.is_finite())
        .map_or_else(String::new, |x| x.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn swedish_units() {
        assert_eq!(kronor(73_141.4, Lang::Sv), "73\u{a0}141\u{a0}kr");
        assert_eq!(kronor(73_141.4, Lang::En), "73,141\u{a0}SEK");
        assert_eq!(percent(0.6, Lang::Sv), "60,0\u{a0}%");
        assert_eq!(percent_interval(0.521, 0.68, Lang::Sv), "52,1–68,0\u{a0}%");
        assert_eq!(duration(0.5, Lang::Sv), "12,0\u{a0}timmar");
        assert_eq!(duration(3.25, Lang::En), "3.2\u{a0}days");
        assert_eq!(duration(f64::INFINITY, Lang::Sv), "obegränsad");
        assert_eq!(
            kronor_ci(-3120.4, -5000.0, -1200.0, Lang::Sv),
            "−3\u{a0}120\u{a0}kr (−5\u{a0}000\u{a0}kr – −1\u{a0}200\u{a0}kr)"
        );
        assert_eq!(
            kronor_ci(-3120.4, -5000.0, 1200.0, Lang::En),
            "-3,120\u{a0}SEK (-5,000\u{a0}SEK – 1,200\u{a0}SEK)"
        );
        let hidden = PublicCount {
            value: None,
            status: Status::HiddenSmall,
        };
        assert_eq!(count(&hidden, Lang::Sv), "Dold – för få patienter");
        assert_eq!(raw_count(&hidden), "");
        assert_eq!(raw(Some(f64::NAN)), "");
    }
}
