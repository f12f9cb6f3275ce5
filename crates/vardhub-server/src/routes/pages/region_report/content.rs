//! The region report's content, built once from the published values and used by the page, the
//! region page's summary and the PDF.

use super::judge::{Change, Point, Standing, change, compare_with, improvement, place};
use crate::i18n::{Lang, region_name};
use crate::published::PublicValue;
use crate::routes::pages::format::{
    area_name, display_factor, flag_label, headline, period_text, show_interval, status_href,
    status_label, unit_suffix, value_text,
};
use crate::routes::pages::quality::QualityNote;
use crate::routes::pages::values::{opening_kind, totals};
use vardhub_domain::{PeriodKind, RegionCode, ReportPeriod};
use vardhub_engine::indicator::compute::SWEDEN;
use vardhub_engine::indicator::spec::Direction;
use vardhub_engine::indicator::{IndicatorSpec, Recipe};

/// One indicator's line of the report.
#[derive(Debug, Clone)]
pub struct Row {
    /// Indicator id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Area (NPO).
    pub area: String,
    /// Period (text form, `2024-03`), empty when the region has no value at all.
    pub period: String,
    /// The period in words.
    pub period_text: String,
    /// Whether the region's value is shown.
    pub shown: bool,
    /// The region's value with unit (empty when not shown).
    pub value: String,
    /// The headline value in stored units when shown (for `data-value`).
    pub raw: Option<f64>,
    /// The 95 % interval with unit (empty when none).
    pub interval: String,
    /// Status label.
    pub status: String,
    /// Status code.
    pub status_code: String,
    /// The glossary's anchor for the status.
    pub status_href: String,
    /// Sweden's value with unit, or its status.
    pub sweden: String,
    /// The target with unit (empty: no target).
    pub target: String,
    /// Whether the target is met, in words (empty when there is no target).
    pub met: String,
    /// `yes`, `no`, or empty.
    pub met_code: &'static str,
    /// The comparison with Sweden in words.
    pub flag: String,
    /// The comparison's code (`better`, `worse`, …; empty).
    pub flag_code: String,
    /// The trend in words.
    pub trend: String,
    /// `better`, `worse`, `stable`, `unknown`.
    pub trend_code: &'static str,
    standing: Standing,
    target_uncertain: bool,
}

/// An indicator in the strengths, weaknesses or not-assessed list.
#[derive(Debug, Clone)]
pub struct Finding {
    /// Indicator id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Why (the comparison, the target, or the status).
    pub why: String,
}

/// A collection's data-quality note for the region.
#[derive(Debug, Clone)]
pub struct QualitySection {
    /// The collection's title.
    pub collection_title: String,
    /// The note.
    pub note: QualityNote,
}

/// The whole report.
#[derive(Debug, Clone)]
pub struct Report {
    /// Region code.
    pub code: String,
    /// Region name.
    pub name: String,
    /// "Senast uppdaterad" as a date (empty before the first run).
    pub updated: String,
    /// One row per indicator.
    pub rows: Vec<Row>,
    /// Significantly better than Sweden or meeting the target.
    pub strengths: Vec<Finding>,
    /// Significantly worse than Sweden or missing the target.
    pub weaknesses: Vec<Finding>,
    /// Not shown (hidden, no data): listed with their status.
    pub unassessed: Vec<Finding>,
    /// Data-quality notes per collection (only those with something to note).
    pub quality: Vec<QualitySection>,
    /// Whether the viewer may open the deliveries' quality reports (national, admin, or the
    /// region's own analyst).
    pub delivery_links: bool,
}

/// Build the rows, strengths and weaknesses of `region` from the values of one view.
pub fn build<'a>(
    values: &[PublicValue],
    recipes: impl Iterator<Item = &'a Recipe>,
    region: RegionCode,
    lang: Lang,
) -> (Vec<Row>, Vec<Finding>, Vec<Finding>, Vec<Finding>) {
    let rows: Vec<Row> = recipes
        .map(|r| row(values, r, region.as_str(), lang))
        .collect();
    let (mut strengths, mut weaknesses, mut unassessed) = (Vec::new(), Vec::new(), Vec::new());
    for r in &rows {
        let p = place(r.standing);
        let finding = |why: String| Finding {
            id: r.id.clone(),
            title: r.title.clone(),
            why,
        };
        let target_why = |met: bool| {
            if met {
                lang.pick("Når målnivån", "Meets the target")
            } else {
                lang.pick("Når inte målnivån", "Does not meet the target")
            }
        };
        if p.unassessed {
            unassessed.push(finding(format!("{} ({})", r.status, r.period_text)));
            continue;
        }
        let mut good = Vec::new();
        let mut bad = Vec::new();
        match r.standing.better {
            Some(true) => good.push(r.flag.clone()),
            Some(false) => bad.push(r.flag.clone()),
            None => {}
        }
        let caveat = if r.target_uncertain {
            lang.pick(
                "; osäkert: konfidensintervallet omfattar målnivån",
                "; uncertain: the confidence interval includes the target",
            )
        } else {
            ""
        };
        match r.standing.meets_target {
            Some(true) => good.push(format!("{} ({}{caveat})", target_why(true), r.target)),
            Some(false) => bad.push(format!("{} ({}{caveat})", target_why(false), r.target)),
            None => {}
        }
        let when = if r.interval.is_empty() {
            format!("{}, {}", r.value, r.period_text)
        } else {
            format!(
                "{} ({} {}), {}",
                r.value,
                lang.pick("95 % KI", "95 % CI"),
                r.interval,
                r.period_text
            )
        };
        if p.strength {
            strengths.push(finding(format!("{}: {when}", good.join("; "))));
        }
        if p.weakness {
            weaknesses.push(finding(format!("{}: {when}", bad.join("; "))));
        }
    }
    (rows, strengths, weaknesses, unassessed)
}

fn shown(v: &PublicValue) -> bool {
    v.status.is_published()
}

/// The finest period kind the recipe publishes whose latest period shows the region's own value
/// (a small region's quarter or year rather than a hidden month); `None` when no kind does.
fn region_kind(values: &[PublicValue], s: &IndicatorSpec, region: &str) -> Option<PeriodKind> {
    s.dimensions.period_kinds().iter().copied().find(|k| {
        totals(values, &s.id, region, *k)
            .into_iter()
            .filter_map(|v| ReportPeriod::parse(&v.period).ok().map(|p| (p, v)))
            .max_by_key(|(p, _)| *p)
            .is_some_and(|(_, v)| shown(v))
    })
}

fn row(values: &[PublicValue], recipe: &Recipe, region: &str, lang: Lang) -> Row {
    let s = &recipe.spec;
    let kind = region_kind(values, s, region).unwrap_or_else(|| opening_kind(values, s));
    let mut mine = totals(values, &s.id, region, kind);
    mine.sort_by_key(|v| ReportPeriod::parse(&v.period).ok());
    let sweden = totals(values, &s.id, SWEDEN, kind);
    let sweden_at = |period: &str| sweden.iter().copied().find(|v| v.period == period);
    // The latest period where the region's, or at least Sweden's, value is shown; else the latest.
    let latest = mine
        .iter()
        .rev()
        .find(|v| shown(v) || sweden_at(&v.period).is_some_and(shown))
        .or(mine.last())
        .copied();
    let target = s.target.as_ref().map_or_else(String::new, |t| {
        value_text(Some(t.value * display_factor(s.unit)), s, lang)
    });
    let mut out = Row {
        id: s.id.clone(),
        title: lang.pick(&s.title.sv, &s.title.en).to_owned(),
        area: area_name(s, lang).to_owned(),
        period: String::new(),
        period_text: String::new(),
        shown: false,
        value: String::new(),
        raw: None,
        interval: String::new(),
        status: lang
            .pick(
                "Inga värden i den senaste körningen",
                "No values in the latest run",
            )
            .to_owned(),
        status_code: String::new(),
        status_href: String::new(),
        sweden: "–".to_owned(),
        target: target.clone(),
        met: if s.target.is_some() {
            "–".to_owned()
        } else {
            String::new()
        },
        met_code: "",
        flag: String::new(),
        flag_code: String::new(),
        trend: lang
            .pick(
                "Ingen säker förändring kan anges: regionens värde redovisas inte.",
                "No clear change can be stated: the region's value is not shown.",
            )
            .to_owned(),
        trend_code: "unknown",
        standing: Standing {
            shown: false,
            better: None,
            meets_target: None,
        },
        target_uncertain: false,
    };
    let Some(v) = latest else {
        return out;
    };
    out.period = v.period.clone();
    out.period_text = period_text(&v.period, lang);
    out.status = status_label(v, lang).to_owned();
    out.status_code = v.status.code().to_owned();
    out.status_href = status_href(v.status);
    out.sweden = match sweden_at(&v.period) {
        Some(n) if shown(n) => value_text(headline(n, s.unit).0, s, lang),
        Some(n) => status_label(n, lang).to_owned(),
        None => "–".to_owned(),
    };
    if !shown(v) {
        return out;
    }
    let (x, lo, hi) = headline(v, s.unit);
    out.shown = true;
    out.value = value_text(x, s, lang);
    out.raw = v.standardised.or(v.value);
    if let (Some(lo), Some(hi)) = (lo, hi) {
        let suffix = unit_suffix(s, lang).replace(' ', "\u{a0}");
        let range = show_interval(Some(lo), Some(hi), s.unit, lang);
        out.interval = if suffix.is_empty() {
            range
        } else {
            format!("{range}\u{a0}{suffix}")
        };
        // A target inside the interval: the verdict rests on the point estimate alone.
        out.target_uncertain = s
            .target
            .as_ref()
            .is_some_and(|t| (lo..=hi).contains(&(t.value * display_factor(s.unit))));
    }
    out.flag = flag_label(v.funnel_95.as_deref(), lang).to_owned();
    out.flag_code = v.funnel_95.clone().unwrap_or_default();
    if s.target.is_some() {
        (out.met, out.met_code) = match v.meets_target {
            Some(true) => (lang.pick("Ja", "Yes").to_owned(), "yes"),
            Some(false) => (lang.pick("Nej", "No").to_owned(), "no"),
            None => ("–".to_owned(), ""),
        };
    }
    out.standing = Standing {
        shown: true,
        better: match v.funnel_95.as_deref() {
            Some("better") => Some(true),
            Some("worse") => Some(false),
            _ => None,
        },
        meets_target: s.target.as_ref().and(v.meets_target),
    };
    (out.trend, out.trend_code) = trend(&mine, v, s.direction, s.unit, lang);
    out
}

fn point(v: &PublicValue, unit: vardhub_engine::indicator::spec::Unit) -> Option<Point> {
    let (x, lower, upper) = headline(v, unit);
    x.map(|value| Point {
        value,
        lower,
        upper,
    })
}

/// The trend sentence and its code for the region's series `mine` (one period kind, in order)
/// at `latest` (shown).
fn trend(
    mine: &[&PublicValue],
    latest: &PublicValue,
    direction: Direction,
    unit: vardhub_engine::indicator::spec::Unit,
    lang: Lang,
) -> (String, &'static str) {
    let periods: Vec<ReportPeriod> = mine
        .iter()
        .filter(|v| shown(v))
        .filter_map(|v| ReportPeriod::parse(&v.period).ok())
        .collect();
    let Ok(at) = ReportPeriod::parse(&latest.period) else {
        return (String::new(), "unknown");
    };
    let Some((then, not_a_year)) = compare_with(at, &periods) else {
        return (
            lang.pick(
                "Ingen säker förändring kan anges: det finns ingen tidigare jämförbar period med redovisat värde.",
                "No clear change can be stated: there is no earlier comparable period with a shown value.",
            )
            .to_owned(),
            "unknown",
        );
    };
    let earlier = mine
        .iter()
        .find(|v| ReportPeriod::parse(&v.period).ok() == Some(then));
    let (Some(a), Some(b)) = (point(latest, unit), earlier.and_then(|v| point(v, unit))) else {
        return (String::new(), "unknown");
    };
    let since = period_text(&then.to_string(), lang);
    let c = change(a, b);
    let season = if not_a_year {
        lang.pick(
            " Perioderna är inte ett år från varandra, så skillnaden kan bero på säsong.",
            " The periods are not a year apart, so the difference may be seasonal.",
        )
    } else {
        ""
    };
    let text = match (c, improvement(c, direction), lang) {
        (Change::NoInterval, _, Lang::Sv) => format!(
            "Ingen säker förändring kan anges jämfört med {since}: värdena saknar osäkerhetsintervall."
        ),
        (Change::NoInterval, _, Lang::En) => format!(
            "No clear change can be stated compared with {since}: the values have no uncertainty interval."
        ),
        (Change::Overlap, _, Lang::Sv) => {
            format!("Ingen säker förändring jämfört med {since} (konfidensintervallen överlappar).")
        }
        (Change::Overlap, _, Lang::En) => {
            format!("No clear change compared with {since} (the confidence intervals overlap).")
        }
        (_, better, Lang::Sv) => format!(
            "{} jämfört med {since} – en {} (konfidensintervallen överlappar inte).{season}",
            if c == Change::Rising {
                "Högre"
            } else {
                "Lägre"
            },
            if better == Some(true) {
                "förbättring"
            } else {
                "försämring"
            }
        ),
        (_, better, Lang::En) => format!(
            "{} than in {since} – {} (the confidence intervals do not overlap).{season}",
            if c == Change::Rising {
                "Higher"
            } else {
                "Lower"
            },
            if better == Some(true) {
                "an improvement"
            } else {
                "a deterioration"
            }
        ),
    };
    let code = match (c, improvement(c, direction)) {
        (_, Some(true)) => "better",
        (_, Some(false)) => "worse",
        (Change::Overlap, None) => "stable",
        _ => "unknown",
    };
    (text, code)
}

/// The region's name and the report's title.
pub fn title(region: RegionCode, lang: Lang) -> (String, String) {
    let name = region_name(region.as_str(), lang).to_owned();
    let title = format!("{} – {name}", lang.pick("Regionrapport", "Region report"));
    (name, title)
}

#[cfg(test)]
mod tests {
    use super::*;
    use vardhub_engine::definitions::Definitions;
    use vardhub_engine::disclosure::Status;

    struct V<'a> {
        region: &'a str,
        period: &'a str,
        status: Status,
        x: Option<(f64, f64, f64)>,
        funnel: Option<&'a str>,
        meets: Option<bool>,
    }

    fn pv(v: V) -> PublicValue {
        PublicValue {
            indicator: "hoftfraktur_op_24h".into(),
            spec_version: "1".into(),
            spec_hash: "h".into(),
            region: v.region.into(),
            level: if v.region == SWEDEN { "land" } else { "region" }.into(),
            period: v.period.into(),
            kon: "alla".into(),
            aldersgrupp: "alla".into(),
            status: v.status,
            public_status: v.status,
            numerator: None,
            denominator: None,
            value: v.x.map(|x| x.0),
            lower: v.x.map(|x| x.1),
            upper: v.x.map(|x| x.2),
            standardised: None,
            standardised_lower: None,
            standardised_upper: None,
            national_value: None,
            funnel_95: v.funnel.map(str::to_owned),
            funnel_998: None,
            meets_target: v.meets,
            deliveries: Vec::new(),
            run_id: "run".into(),
            policy: "p".into(),
        }
    }

    #[test]
    fn rows_trends_strengths_and_hidden_values() {
        let defs = Definitions::builtin();
        let recipe = defs.recipes().get("hoftfraktur_op_24h").unwrap();
        let values = vec![
            pv(V {
                region: "00",
                period: "2024-K1",
                status: Status::Ok,
                x: Some((0.8, 0.78, 0.82)),
                funnel: None,
                meets: Some(true),
            }),
            pv(V {
                region: "01",
                period: "2023-K1",
                status: Status::Ok,
                x: Some((0.70, 0.62, 0.77)),
                funnel: None,
                meets: Some(false),
            }),
            pv(V {
                region: "01",
                period: "2024-K1",
                status: Status::Ok,
                x: Some((0.90, 0.85, 0.94)),
                funnel: Some("better"),
                meets: Some(true),
            }),
            pv(V {
                region: "12",
                period: "2024-K1",
                status: Status::HiddenSmall,
                x: None,
                funnel: None,
                meets: None,
            }),
        ];
        let one = |code: &str, lang| {
            let region = RegionCode::parse(code).unwrap();
            build(&values, std::iter::once(recipe), region, lang)
        };
        let (rows, strengths, weaknesses, unassessed) = one("01", Lang::Sv);
        let r = &rows[0];
        assert_eq!(r.period, "2024-K1");
        assert_eq!(r.period_text, "kvartal 1 2024");
        assert_eq!(r.value, "90,0\u{a0}%");
        assert_eq!(r.interval, "85,0–94,0\u{a0}%");
        assert_eq!(r.sweden, "80,0\u{a0}%");
        assert_eq!((r.met.as_str(), r.met_code), ("Ja", "yes"));
        assert_eq!(r.trend_code, "better");
        assert!(
            r.trend
                .starts_with("Högre jämfört med kvartal 1 2023 – en förbättring"),
            "{}",
            r.trend
        );
        assert_eq!(strengths.len(), 1);
        assert!(strengths[0].why.contains("Signifikant bättre än riket"));
        assert!(strengths[0].why.contains("Når målnivån (75,0\u{a0}%)"));
        assert!(weaknesses.is_empty() && unassessed.is_empty());

        let (rows, strengths, weaknesses, unassessed) = one("12", Lang::En);
        let r = &rows[0];
        assert!(!r.shown && r.raw.is_none() && r.value.is_empty());
        assert_eq!(r.status_code, "hidden_small");
        assert_eq!(r.status_href, "/ordlista#status-hidden_small");
        assert_eq!(r.sweden, "80.0\u{a0}%");
        assert_eq!(r.trend_code, "unknown");
        assert!(strengths.is_empty() && weaknesses.is_empty());
        assert_eq!(unassessed.len(), 1);
        assert!(unassessed[0].why.starts_with(r.status.as_str()));
    }

    #[test]
    fn a_region_is_reported_at_the_finest_kind_that_shows_its_own_value() {
        let defs = Definitions::builtin();
        let recipe = defs.recipes().get("hoftfraktur_op_24h").unwrap();
        let v = |region, period, status, x| {
            pv(V {
                region,
                period,
                status,
                x,
                funnel: None,
                meets: None,
            })
        };
        let values = vec![
            v("01", "2024-K3", Status::Ok, Some((0.8, 0.7, 0.9))),
            v("01", "2024-K4", Status::HiddenSmall, None),
            v("01", "2024", Status::Ok, Some((0.8, 0.7, 0.9))),
            v("12", "2024-K4", Status::Ok, Some((0.6, 0.5, 0.7))),
            v("12", "2024", Status::Ok, Some((0.6, 0.55, 0.65))),
        ];
        let kinds = recipe.spec.dimensions.period_kinds();
        assert_eq!(kinds.first(), Some(&PeriodKind::Quarter));
        assert_eq!(
            region_kind(&values, &recipe.spec, "01"),
            Some(PeriodKind::Year),
            "the latest quarter hides region 01's value, the year shows it"
        );
        assert_eq!(
            region_kind(&values, &recipe.spec, "12"),
            Some(PeriodKind::Quarter)
        );
        assert_eq!(region_kind(&values, &recipe.spec, "25"), None);
        let row = row(&values, recipe, "01", Lang::Sv);
        assert!(row.shown && row.period == "2024", "{}", row.period);
    }
}
