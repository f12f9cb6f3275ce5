//! The indicator page's words: area and period names in the page language, the value's unit
//! in headings.

use crate::i18n::Lang;
use vardhub_domain::{Area, Level, PeriodKind, ReportPeriod, Sjukvardsregion};
use vardhub_engine::indicator::IndicatorSpec;
use vardhub_engine::indicator::spec::Unit;

use super::super::format::{unit_label, unit_suffix};

/// A sjukvårdsregion's name in English.
fn sjukvardsregion_en(s: Sjukvardsregion) -> &'static str {
    match s {
        Sjukvardsregion::Norra => "Northern healthcare region",
        Sjukvardsregion::Mellansverige => "Central Sweden healthcare region",
        Sjukvardsregion::StockholmGotland => "Stockholm healthcare region",
        Sjukvardsregion::Sydostra => "South-East healthcare region",
        Sjukvardsregion::Vastra => "Western healthcare region (with all of Region Halland)",
        Sjukvardsregion::Sodra => "Southern healthcare region (without Region Halland)",
    }
}

/// An area's name in the page language: Sweden "Riket"/"Sweden", sjukvårdsregioner in English
/// in English; regions, kommuner, hospitals and units are proper names.
pub fn place_name(code: &str, lang: Lang) -> String {
    match (Area::parse(code), lang) {
        (Ok(Area::Sjukvardsregion(s)), Lang::En) => sjukvardsregion_en(s).to_owned(),
        (Ok(a), Lang::Sv) => a.name_sv(),
        (Ok(a), Lang::En) => a.name_en(),
        (Err(_), _) => code.to_owned(),
    }
}

const MONTHS_SV: [&str; 12] = [
    "jan", "feb", "mar", "apr", "maj", "jun", "jul", "aug", "sep", "okt", "nov", "dec",
];
const MONTHS_EN: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

fn month(m: vardhub_domain::Period, lang: Lang) -> String {
    let i = (m.month() as usize).saturating_sub(1).min(11);
    format!("{} {}", lang.pick(MONTHS_SV[i], MONTHS_EN[i]), m.year())
}

/// A period in words: `mar 2024`, `kvartal 1 2024` / `Q1 2024`, `2024`,
/// `12 mån. t.o.m. mar 2024` / `12 months to Mar 2024`.
pub fn period_text(p: ReportPeriod, lang: Lang) -> String {
    match p {
        ReportPeriod::Month(m) => month(m, lang),
        ReportPeriod::Quarter(y, q) => match lang {
            Lang::Sv => format!("kvartal {q} {y}"),
            Lang::En => format!("Q{q} {y}"),
        },
        ReportPeriod::Year(y) => y.to_string(),
        ReportPeriod::Rolling12(m) => format!(
            "{} {}",
            lang.pick("12 mån. t.o.m.", "12 months to"),
            month(m, lang)
        ),
    }
}

/// A period kind as a heading (`Månader`, `Quarters`).
pub fn kind_plural(k: PeriodKind, lang: Lang) -> &'static str {
    match k {
        PeriodKind::Month => lang.pick("Månader", "Months"),
        PeriodKind::Quarter => lang.pick("Kvartal", "Quarters"),
        PeriodKind::Year => lang.pick("År", "Years"),
        PeriodKind::Rolling12 => lang.pick("Rullande 12 månader", "Rolling 12 months"),
    }
}

/// A level's areas (`Regioner`, `Hospitals`).
pub fn level_plural(l: Level, lang: Lang) -> &'static str {
    match l {
        Level::Land => lang.pick("Riket", "Sweden"),
        Level::Sjukvardsregion => lang.pick("Sjukvårdsregioner", "Healthcare regions"),
        Level::Region => lang.pick("Regioner", "Regions"),
        Level::Kommun => lang.pick("Kommuner", "Municipalities"),
        Level::Sjukhus => lang.pick("Sjukhus", "Hospitals"),
        Level::Enhet => lang.pick("Vårdenheter", "Care units"),
    }
}

/// A sex in words.
pub fn sex_text(kon: &str, lang: Lang) -> &'static str {
    match kon {
        "1" => lang.pick("Män", "Men"),
        "2" => lang.pick("Kvinnor", "Women"),
        _ => lang.pick("Alla", "All"),
    }
}

/// An age group in words.
pub fn age_text(a: &str, lang: Lang) -> String {
    if a == "alla" {
        lang.pick("Alla åldrar", "All ages").to_owned()
    } else {
        format!("{a} {}", lang.pick("år", "years"))
    }
}

/// The value's heading and axis title, naming the unit: `Andel (%)`, `Medelvärde (dagar)`.
pub fn value_heading(spec: &IndicatorSpec, lang: Lang) -> String {
    let label = unit_label(spec.unit, lang);
    match (&spec.unit_text, spec.unit) {
        (Some(t), Unit::Mean | Unit::Ratio) => {
            format!("{label} ({})", lang.pick(&t.sv, &t.en))
        }
        _ => label.to_owned(),
    }
}

/// The unit in a download's heading, `Värde (%)`: the unit written after a number, or the
/// kind of value when it has none.
pub fn unit_short(spec: &IndicatorSpec, lang: Lang) -> String {
    let s = unit_suffix(spec, lang);
    if !s.is_empty() {
        return s;
    }
    match spec.unit {
        Unit::Mean => lang.pick("medelvärde", "mean").to_owned(),
        _ => lang.pick("kvot", "ratio").to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn places_and_periods_in_both_languages() {
        assert_eq!(place_name("00", Lang::En), "Sweden");
        assert_eq!(
            place_name("SR1", Lang::En),
            sjukvardsregion_en(Sjukvardsregion::from_price_list(1).unwrap())
        );
        assert!(!place_name("SR2", Lang::En).contains("sjukvård"));
        assert_eq!(place_name("25", Lang::En), "Region Norrbotten");
        let q = ReportPeriod::parse("2024-K1").unwrap();
        assert_eq!(period_text(q, Lang::En), "Q1 2024");
        assert_eq!(period_text(q, Lang::Sv), "kvartal 1 2024");
        let m = ReportPeriod::parse("2024-03").unwrap();
        assert_eq!(period_text(m, Lang::Sv), "mar 2024");
    }
}
