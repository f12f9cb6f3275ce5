//! How values are shown: units, decimals, flags, and the pick between crude and standardised.

use crate::i18n::{Lang, NBSP, grouped};
use crate::published::PublicValue;
use vardhub_engine::disclosure::Status;
use vardhub_engine::indicator::IndicatorSpec;
use vardhub_engine::indicator::spec::{CiMethod, Direction, Standardisation, Unit};

/// The factor from stored value to display value (a proportion is shown in per cent).
pub fn display_factor(unit: Unit) -> f64 {
    if unit == Unit::Proportion { 100.0 } else { 1.0 }
}

/// Decimals shown for a unit.
pub fn decimals(unit: Unit) -> usize {
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

/// A display value as text, thousands grouped with non-breaking spaces in Swedish (`73 141`,
/// `60,0`), without its unit (for a cell under a heading that names it); `–` when absent.
pub fn show(v: Option<f64>, unit: Unit, lang: Lang) -> String {
    v.map_or_else(|| "–".to_owned(), |v| grouped(v, decimals(unit), lang))
}

/// What a value of the indicator is counted in, written after the number: `%`, `kr`,
/// `dagar`, `per 100`; the recipe's `unit_text` when it has one.
pub fn unit_suffix(spec: &IndicatorSpec, lang: Lang) -> String {
    if let Some(t) = &spec.unit_text {
        return lang.pick(&t.sv, &t.en).to_owned();
    }
    match spec.unit {
        Unit::Proportion => "%".to_owned(),
        Unit::Per100 => lang.pick("per 100", "per 100").to_owned(),
        Unit::Per1000 => lang
            .pick("per 1\u{a0}000 invånare", "per 1,000 inhabitants")
            .to_owned(),
        Unit::Per100000 => lang.pick("per 100\u{a0}000", "per 100,000").to_owned(),
        Unit::PerInhabitant => lang
            .pick("kr per invånare", "SEK per inhabitant")
            .to_owned(),
        Unit::Mean | Unit::Ratio => String::new(),
    }
}

/// A display value with its unit: `60,0 %`, `73 141 kr per invånare`, `4,2 dagar` (non-breaking
/// spaces throughout in Swedish); `–` when absent.
pub fn value_text(v: Option<f64>, spec: &IndicatorSpec, lang: Lang) -> String {
    let Some(v) = v else {
        return "–".to_owned();
    };
    let number = grouped(v, decimals(spec.unit), lang);
    let suffix = unit_suffix(spec, lang);
    if suffix.is_empty() {
        number
    } else {
        format!("{number}{NBSP}{}", suffix.replace(' ', "\u{a0}"))
    }
}

/// The indicator's area in the page language.
pub fn area_name(spec: &IndicatorSpec, lang: Lang) -> &str {
    match (lang, &spec.area_en) {
        (Lang::En, Some(en)) => en,
        _ => &spec.area,
    }
}

/// How the interval and any standardisation are computed, in plain words.
pub fn method_label(spec: &IndicatorSpec, lang: Lang) -> String {
    let interval = match spec.ci {
        CiMethod::Wilson => lang.pick(
            "95 % konfidensintervall för en andel (Wilsons metod)",
            "95 % confidence interval for a share (Wilson's method)",
        ),
        CiMethod::PoissonExact => lang.pick(
            "95 % konfidensintervall för ett antal händelser (exakt Poissonintervall)",
            "95 % confidence interval for a count of events (exact Poisson interval)",
        ),
        CiMethod::T => lang.pick(
            "95 % konfidensintervall för ett medelvärde (t-fördelningen)",
            "95 % confidence interval for a mean (t distribution)",
        ),
        CiMethod::None => lang.pick(
            "Inget osäkerhetsintervall (värdet är en kvot av summor)",
            "No uncertainty interval (the value is a ratio of sums)",
        ),
    };
    let standardised = match spec.standardisation {
        Standardisation::None => lang.pick(
            "Ej standardiserat: regionernas värden kan skilja sig av olika ålders- och könsfördelning.",
            "Not standardised: regions may differ because their age and sex make-up differs.",
        ),
        Standardisation::DirectAgeSex => lang.pick(
            "Ålders- och könsstandardiserat (direkt standardisering mot rikets befolkning), så att regioner med olika ålderssammansättning kan jämföras.",
            "Age- and sex-standardised (direct standardisation to Sweden's population), so that regions with different age structures can be compared.",
        ),
        Standardisation::IndirectAgeSex => lang.pick(
            "Ålders- och könsstandardiserat (indirekt standardisering: observerat mot förväntat med rikets andelar), så att regioner med olika ålderssammansättning kan jämföras.",
            "Age- and sex-standardised (indirect standardisation: observed against expected at Sweden's rates), so that regions with different age structures can be compared.",
        ),
    };
    format!("{interval}. {standardised}")
}

/// The glossary's anchor explaining a status (`/ordlista#status-hidden_small`).
pub fn status_href(status: Status) -> String {
    format!("/ordlista#status-{}", status.code())
}

/// A run's finishing moment (RFC 3339) as a date: `5 december 2026`, `5 December 2026`.
pub fn date_text(rfc3339: &str, lang: Lang) -> String {
    const SV: [&str; 12] = [
        "januari",
        "februari",
        "mars",
        "april",
        "maj",
        "juni",
        "juli",
        "augusti",
        "september",
        "oktober",
        "november",
        "december",
    ];
    const EN: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    let parts: Vec<u32> = rfc3339
        .get(..10)
        .unwrap_or("")
        .split('-')
        .filter_map(|p| p.parse().ok())
        .collect();
    match parts.as_slice() {
        [y, m, d] if (1..=12).contains(m) => {
            let month = lang.pick(SV[*m as usize - 1], EN[*m as usize - 1]);
            format!("{d}{NBSP}{month} {y}")
        }
        _ => rfc3339.to_owned(),
    }
}

/// An interval as text.
pub fn show_interval(lo: Option<f64>, hi: Option<f64>, unit: Unit, lang: Lang) -> String {
    match (lo, hi) {
        (Some(l), Some(h)) => format!(
            "{}–{}",
            grouped(l, decimals(unit), lang),
            grouped(h, decimals(unit), lang)
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

/// A month (`2024-01`) in words: `januari 2024`, `January 2024`; anything else as given.
pub fn month_text(period: &str, lang: Lang) -> String {
    if vardhub_domain::Period::parse(period).is_err() {
        return period.to_owned();
    }
    let day = date_text(&format!("{period}-01"), lang);
    day.split_once(NBSP)
        .map_or_else(|| day.clone(), |(_, rest)| rest.to_owned())
}

/// A published period in words: `januari 2024`, `kvartal 1 2024`, `år 2024`, `12 månader till
/// och med mars 2024` (English alike); the text form when it does not parse.
pub fn period_text(period: &str, lang: Lang) -> String {
    use vardhub_domain::ReportPeriod;
    match ReportPeriod::parse(period) {
        Ok(ReportPeriod::Month(m)) => month_text(&m.to_string(), lang),
        Ok(ReportPeriod::Quarter(y, q)) => match lang {
            Lang::Sv => format!("kvartal {q} {y}"),
            Lang::En => format!("Q{q} {y}"),
        },
        Ok(ReportPeriod::Year(y)) => match lang {
            Lang::Sv => format!("år {y}"),
            Lang::En => format!("year {y}"),
        },
        Ok(ReportPeriod::Rolling12(end)) => {
            let m = month_text(&end.to_string(), lang);
            match lang {
                Lang::Sv => format!("12 månader till och med {m}"),
                Lang::En => format!("12 months to {m}"),
            }
        }
        Err(_) => period.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn recipe(id: &str) -> IndicatorSpec {
        vardhub_engine::definitions::Definitions::builtin()
            .recipes()
            .get(id)
            .unwrap_or_else(|| panic!("{id}"))
            .spec
            .clone()
    }

    #[test]
    fn values_carry_their_unit_with_swedish_spacing() {
        let cost = recipe("vardkostnad_per_invanare");
        assert_eq!(
            value_text(Some(73_141.2), &cost, Lang::Sv),
            "73\u{a0}141\u{a0}kr\u{a0}per\u{a0}invånare"
        );
        let share = recipe("hoftfraktur_op_24h");
        assert_eq!(value_text(Some(60.0), &share, Lang::Sv), "60,0\u{a0}%");
        assert_eq!(value_text(Some(60.0), &share, Lang::En), "60.0\u{a0}%");
        assert_eq!(value_text(None, &share, Lang::Sv), "–");
        assert_eq!(show(Some(10_000.0), Unit::Ratio, Lang::Sv), "10\u{a0}000");
        let stay = recipe("medelvardtid");
        assert_eq!(value_text(Some(4.25), &stay, Lang::En), "4.2\u{a0}days");
    }

    #[test]
    fn methods_areas_and_dates_are_plain_words() {
        let ami = recipe("ami_30d_dodlighet");
        let m = method_label(&ami, Lang::Sv);
        assert!(!m.contains('_') && !m.contains(" / "), "{m}");
        assert_eq!(area_name(&ami, Lang::En), "NPO Cardiovascular diseases");
        assert_eq!(
            date_text("2026-12-05T10:11:12Z", Lang::Sv),
            "5\u{a0}december 2026"
        );
        assert_eq!(
            date_text("2026-03-01T00:00:00Z", Lang::En),
            "1\u{a0}March 2026"
        );
    }
}
