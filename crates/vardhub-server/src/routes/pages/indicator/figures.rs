//! The indicator page's figures: each chart (or, when it has nothing to draw, a sentence saying
//! why) with the table of its numbers.

use super::specs::{self, Limit, MapValue, Point, Sig, TimePoint};
use super::view::{Row, View, factor};
use super::words::{level_plural, period_text, place_name, value_heading};
use super::{status_cell, status_words};
use crate::charts::described;
use crate::i18n::{Lang, grouped};
use crate::published::PublicValue;
use std::collections::BTreeMap;
use vardhub_domain::{Level, ReportPeriod};
use vardhub_engine::indicator::IndicatorSpec;
use vardhub_engine::indicator::compute::SWEDEN;
use vardhub_engine::indicator::spec::{Standardisation, Unit};
use vardhub_engine::stats::{Confidence, binomial_funnel_limits};

use super::super::format::{show, show_interval, value_text};

/// A table cell (a status links to the glossary).
pub struct Cell {
    /// Text.
    pub text: String,
    /// Link.
    pub href: Option<String>,
    /// A number (right-aligned).
    pub num: bool,
}

fn num(text: String) -> Cell {
    Cell {
        text,
        href: None,
        num: true,
    }
}

fn text(text: String) -> Cell {
    Cell {
        text,
        href: None,
        num: false,
    }
}

/// A chart and the table that follows it.
pub struct Figure {
    /// Container id (`diagram-regioner`, `karta`, `diagram-tid`, `diagram-tratt`).
    pub id: &'static str,
    /// Heading.
    pub heading: String,
    /// `chart` or `map`.
    pub kind: &'static str,
    /// The Vega-Lite spec, embeddable; `None`: nothing to draw.
    pub spec: Option<String>,
    /// Why there is no chart, or what to know about it.
    pub notice: Option<String>,
    /// How to read it.
    pub caption: String,
    /// The table's column headings (empty: no table).
    pub head: Vec<String>,
    /// The table's rows.
    pub rows: Vec<Vec<Cell>>,
}

/// A value as a tooltip writes it: with its unit and its 95 % interval.
fn tip(
    v: Option<f64>,
    lo: Option<f64>,
    hi: Option<f64>,
    spec: &IndicatorSpec,
    lang: Lang,
) -> String {
    let i = show_interval(lo, hi, spec.unit, lang);
    if i.is_empty() || v.is_none() {
        value_text(v, spec, lang)
    } else {
        format!(
            "{} ({} {i})",
            value_text(v, spec, lang),
            lang.pick("95 % KI", "95 % CI")
        )
    }
}

/// A value cell: the number, or the status with its glossary link.
fn value_cell(r: &Row, spec: &IndicatorSpec, lang: Lang) -> Cell {
    match r.shown {
        Some(x) => num(show(Some(x), spec.unit, lang)),
        None => status_cell(r, lang),
    }
}

/// The comparison figure (its table is the page's values table) and the other figures.
pub fn build(
    spec: &IndicatorSpec,
    view: &View,
    rows: &[Row],
    values: &[&PublicValue],
    lang: Lang,
) -> (Figure, Vec<Figure>) {
    let axis = value_heading(spec, lang);
    let period = view
        .period
        .map(|p| period_text(p, lang))
        .unwrap_or_default();
    let f = factor(spec);
    let national_row = rows.iter().find(|r| r.sweden);
    let national = national_row.and_then(|r| r.shown);
    let target = spec.target.as_ref().map(|t| t.value * f);
    let points: Vec<Point> = rows
        .iter()
        .filter(|r| !r.sweden)
        .filter_map(|r| {
            Some(Point {
                name: place_name(&r.area, lang),
                value: r.shown?,
                lower: r.lower,
                upper: r.upper,
                denominator: r.denominator,
                sig: Sig::of(r.flag.as_deref()),
                tip: tip(r.shown, r.lower, r.upper, spec, lang),
            })
        })
        .collect();
    let areas = level_plural(view.niva, lang);
    let hidden = rows
        .iter()
        .filter(|r| !r.sweden && r.shown.is_none())
        .count();
    let regions_spec = specs::regions(&points, national, target, &axis, lang);
    let comparison = Figure {
        id: "diagram-regioner",
        heading: format!("{areas} {}, {period}", lang.pick("jämförda", "compared")),
        kind: "chart",
        notice: if regions_spec.is_none() {
            Some(format!(
                "{} {}",
                lang.pick(
                    "Inget diagram: inget område har ett visat värde för",
                    "No chart: no area has a shown value for"
                ),
                period
            ))
        } else if hidden > 0 {
            Some(format!(
                "{hidden} {}",
                lang.pick(
                    "områden saknar visat värde och finns bara i tabellen, med skälet.",
                    "areas have no shown value and are only in the table, with the reason."
                )
            ))
        } else {
            None
        },
        spec: regions_spec.map(|v| described(v, &format!("{areas}, {period}"))),
        caption: lang
            .pick(
                "Värdet med 95 % konfidensintervall. Form och färg visar jämförelsen med riket.",
                "Value with 95 % confidence interval. Shape and colour show the comparison with Sweden.",
            )
            .to_owned(),
        head: Vec::new(),
        rows: Vec::new(),
    };
    let mut figures = Vec::new();
    if view.niva == Level::Region {
        let map_values: Vec<MapValue> = rows
            .iter()
            .filter(|r| !r.sweden)
            .map(|r| MapValue {
                region: r.area.clone(),
                name: place_name(&r.area, lang),
                value: r.shown,
                text: r
                    .shown
                    .map_or_else(|| status_words(r, lang), |x| show(Some(x), spec.unit, lang)),
            })
            .collect();
        if let Some(m) = specs::map(&map_values, &axis, lang) {
            figures.push(Figure {
                id: "karta",
                heading: format!("{}, {period}", lang.pick("Karta", "Map")),
                kind: "map",
                spec: Some(described(
                    m,
                    lang.pick("Karta över regionerna", "Map of the regions"),
                )),
                notice: None,
                caption: lang
                    .pick(
                        "Kartans värden. Grå regioner har inget visat värde.",
                        "The map's values. Grey regions have no shown value.",
                    )
                    .to_owned(),
                head: vec![lang.pick("Region", "Region").into(), axis.clone()],
                rows: rows
                    .iter()
                    .filter(|r| !r.sweden)
                    .map(|r| vec![text(place_name(&r.area, lang)), value_cell(r, spec, lang)])
                    .collect(),
            });
        }
    }
    figures.push(time_figure(spec, view, values, target, &axis, lang));
    // The funnel compares crude shares with limits around Sweden's crude share.
    let crude: Vec<Point> = rows
        .iter()
        .filter(|r| !r.sweden && r.shown.is_some())
        .filter_map(|r| {
            Some(Point {
                name: place_name(&r.area, lang),
                value: r.raw? * f,
                lower: None,
                upper: None,
                denominator: r.denominator,
                sig: Sig::of(r.flag.as_deref()),
                tip: value_text(r.raw.map(|x| x * f), spec, lang),
            })
        })
        .collect();
    figures.push(funnel_figure(
        spec,
        national_row,
        &crude,
        target,
        &axis,
        &period,
        lang,
    ));
    (comparison, figures)
}

/// Sweden and the chosen regions over the periods of the view's kind.
fn time_figure(
    spec: &IndicatorSpec,
    view: &View,
    values: &[&PublicValue],
    target: Option<f64>,
    axis: &str,
    lang: Lang,
) -> Figure {
    let areas: Vec<String> = std::iter::once(SWEDEN.to_owned())
        .chain(view.jamfor.iter().map(|r| r.as_str().to_owned()))
        .collect();
    let mut by: BTreeMap<ReportPeriod, BTreeMap<&str, Row>> = BTreeMap::new();
    for v in values.iter().filter(|v| {
        v.kon == view.kon && v.aldersgrupp == view.aldersgrupp && areas.contains(&v.region)
    }) {
        if let Ok(p) = ReportPeriod::parse(&v.period)
            && p.kind() == view.kind
        {
            by.entry(p)
                .or_default()
                .insert(v.region.as_str(), Row::of(v, spec));
        }
    }
    let names: Vec<String> = areas.iter().map(|a| place_name(a, lang)).collect();
    let labels: Vec<String> = by.keys().map(|p| period_text(*p, lang)).collect();
    let mut points = Vec::new();
    let mut table = Vec::new();
    for ((p, row), label) in by.iter().zip(&labels) {
        let mut cells = vec![text(period_text(*p, lang))];
        for (a, name) in areas.iter().zip(&names) {
            let r = row.get(a.as_str());
            points.push(TimePoint {
                period: label.clone(),
                series: name.clone(),
                value: r.and_then(|r| r.shown),
                lower: r.and_then(|r| r.lower),
                upper: r.and_then(|r| r.upper),
                sig: r
                    .filter(|r| !r.sweden && r.shown.is_some())
                    .map(|r| Sig::of(r.flag.as_deref())),
                tip: r.map_or_else(
                    || "–".to_owned(),
                    |r| match r.shown {
                        Some(_) => tip(r.shown, r.lower, r.upper, spec, lang),
                        None => status_words(r, lang),
                    },
                ),
            });
            cells.push(r.map_or_else(|| text("–".into()), |r| value_cell(r, spec, lang)));
        }
        table.push(cells);
    }
    let chosen = names[1..].join(", ");
    let spec_json = specs::time_series(&points, &labels, &names[1..], target, axis, lang);
    Figure {
        id: "diagram-tid",
        heading: format!(
            "{} {chosen}",
            lang.pick("Över tid: riket och", "Over time: Sweden and")
        ),
        kind: "chart",
        notice: spec_json.is_none().then(|| {
            lang.pick(
                "Inget diagram: varken riket eller de valda regionerna har något visat värde över tid.",
                "No chart: neither Sweden nor the chosen regions have a shown value over time.",
            )
            .to_owned()
        }),
        spec: spec_json.map(|v| described(v, lang.pick("Över tid", "Over time"))),
        caption: lang
            .pick(
                "Tidsseriens värden med 95 % konfidensintervall som band.",
                "The time series' values, 95 % confidence intervals as bands.",
            )
            .to_owned(),
        head: std::iter::once(lang.pick("Period", "Period").to_owned())
            .chain(names.iter().map(|n| format!("{n} ({axis})")))
            .collect(),
        rows: table,
    }
}

/// 95 % and 99.8 % exact binomial limits around Sweden's share (the limits of the exact test
/// that makes the published flags), in per cent, over the shown denominators.
pub fn funnel_limits(theta: f64, denominators: &[f64]) -> Vec<Limit> {
    let ns: Vec<f64> = denominators.iter().copied().filter(|n| *n >= 1.0).collect();
    let (Some(lo), Some(hi)) = (
        ns.iter().copied().reduce(f64::min),
        ns.iter().copied().reduce(f64::max),
    ) else {
        return Vec::new();
    };
    let (lo, hi) = ((lo * 0.8).max(1.0), (hi * 1.2).max(lo + 1.0));
    let mut sizes: Vec<u64> = (0..=60)
        .map(|i| (lo * (hi / lo).powf(f64::from(i) / 60.0)).round() as u64)
        .collect();
    sizes.dedup();
    sizes
        .into_iter()
        .filter_map(|n| {
            let a = binomial_funnel_limits(n, theta, Confidence::P95).ok()?;
            let b = binomial_funnel_limits(n, theta, Confidence::P998).ok()?;
            Some((
                n as f64,
                a.lower * 100.0,
                a.upper * 100.0,
                b.lower * 100.0,
                b.upper * 100.0,
            ))
        })
        .collect()
}

/// Whether drawn 95 % limits around `theta` agree with every point's published flag: a point
/// flagged better or worse lies outside its limits, one with no clear difference inside. A
/// funnel that would contradict the published comparison (standardised values, a comparison
/// widened for overdispersion, a boundary case of the exact test) is not drawn.
pub fn limits_agree_with_flags(theta: f64, points: &[Point]) -> bool {
    points.iter().all(|p| {
        let Some(n) = p.denominator.filter(|n| *n >= 1.0) else {
            return true;
        };
        let Ok(l) = binomial_funnel_limits(n.round() as u64, theta, Confidence::P95) else {
            return false;
        };
        let share = p.value / 100.0;
        let outside = share > l.upper || share < l.lower;
        match p.sig {
            Sig::Better | Sig::Worse => outside,
            Sig::Same => !outside,
            Sig::Unknown => true,
        }
    })
}

/// The funnel plot (shares only: other units have no limits drawn here, and the page says so).
fn funnel_figure(
    spec: &IndicatorSpec,
    national: Option<&Row>,
    points: &[Point],
    target: Option<f64>,
    axis: &str,
    period: &str,
    lang: Lang,
) -> Figure {
    let heading = format!("{}, {period}", lang.pick("Trattdiagram", "Funnel plot"));
    let mut fig = Figure {
        id: "diagram-tratt",
        heading,
        kind: "chart",
        spec: None,
        notice: None,
        caption: lang
            .pick(
                "Trattdiagrammets värden: område, nämnare, värde och jämförelsen med riket.",
                "The funnel plot's values: area, denominator, value and the comparison with Sweden.",
            )
            .to_owned(),
        head: vec![
            lang.pick("Område", "Area").into(),
            lang.pick("Nämnare (antal)", "Denominator (count)").into(),
            axis.to_owned(),
            lang.pick("Jämfört med riket", "Compared with Sweden").into(),
        ],
        rows: points
            .iter()
            .map(|p| {
                vec![
                    text(p.name.clone()),
                    num(p
                        .denominator
                        .map_or("–".into(), |n| grouped(n, 0, lang))),
                    num(show(Some(p.value), spec.unit, lang)),
                    text(p.sig.label(lang).to_owned()),
                ]
            })
            .collect(),
    };
    if spec.unit != Unit::Proportion {
        fig.notice = Some(lang.pick(
            "Trattdiagram ritas bara för andelar. För den här enheten finns inga kontrollgränser att rita här; jämförelsen med riket (exakt test) visas i diagrammet och tabellen ovan.",
            "Funnel plots are drawn for shares only. For this unit there are no control limits to draw here; the comparison with Sweden (exact test) is shown in the chart and table above.",
        ).to_owned());
        fig.head.clear();
        fig.rows.clear();
        return fig;
    }
    if spec.standardisation != Standardisation::None {
        fig.notice = Some(lang.pick(
            "Inget trattdiagram: jämförelsen med riket görs på ålders- och könsstandardiserade värden, och ett trattdiagram över ostandardiserade andelar skulle kunna motsäga den. Jämförelsen visas i diagrammet och tabellen ovan.",
            "No funnel plot: the comparison with Sweden is made on age- and sex-standardised values, and a funnel of crude shares could contradict it. The comparison is shown in the chart and table above.",
        ).to_owned());
        fig.head.clear();
        fig.rows.clear();
        return fig;
    }
    // Crude shares against exact limits around Sweden's crude share.
    let theta = national.and_then(|r| r.raw);
    if theta.is_some_and(|t| !limits_agree_with_flags(t, points)) {
        fig.notice = Some(lang.pick(
            "Inget trattdiagram för den här perioden: jämförelsen med riket tar hänsyn till att regionerna varierar mer än slumpen förklarar (eller ligger på gränsen), så enkla kontrollgränser skulle inte stämma med den. Jämförelsen visas i diagrammet och tabellen ovan.",
            "No funnel plot for this period: the comparison with Sweden allows for regions varying more than chance explains (or lies on the limit), so simple control limits would not agree with it. The comparison is shown in the chart and table above.",
        ).to_owned());
        fig.head.clear();
        fig.rows.clear();
        return fig;
    }
    let denominators: Vec<f64> = points.iter().filter_map(|p| p.denominator).collect();
    let limits = theta
        .map(|t| funnel_limits(t, &denominators))
        .unwrap_or_default();
    let nat = theta.map(|t| t * 100.0);
    let chart = nat.and_then(|n| specs::funnel(points, n, target, &limits, axis, lang));
    if points.is_empty() {
        fig.head.clear();
    }
    match chart {
        Some(c) => {
            fig.spec = Some(described(c, lang.pick("Trattdiagram", "Funnel plot")));
            fig.notice = Some(lang.pick(
                "Streckade linjer: 95 % och prickade 99,8 % kontrollgränser kring rikets andel (exakta binomialgränser, samma test som jämförelsen med riket). Ett område utanför gränserna skiljer sig troligen från riket av mer än slumpen.",
                "Dashed lines: 95 % and dotted 99.8 % control limits around Sweden's share (exact binomial limits, the same test as the comparison with Sweden). An area outside them probably differs from Sweden by more than chance.",
            ).to_owned());
        }
        None => {
            fig.notice = Some(lang.pick(
                "Inget trattdiagram: det kräver rikets andel och minst ett område med visat värde och nämnare.",
                "No funnel plot: it needs Sweden's share and at least one area with a shown value and denominator.",
            ).to_owned());
        }
    }
    fig
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn funnel_limits_widen_as_the_denominator_shrinks() {
        let l = funnel_limits(0.6, &[50.0, 500.0]);
        assert!(l.len() > 20, "{}", l.len());
        let (first, last) = (l[0], l[l.len() - 1]);
        assert!(first.0 < last.0);
        assert!(first.2 - first.1 > last.2 - last.1);
        assert!(
            first.4 - first.3 > first.2 - first.1,
            "99.8 % wider than 95 %"
        );
        assert!(funnel_limits(0.6, &[]).is_empty());
    }

    #[test]
    fn a_funnel_is_drawn_only_when_its_limits_agree_with_the_flags() {
        let point = |value: f64, n: f64, sig: Sig| Point {
            name: "Region".into(),
            value,
            lower: None,
            upper: None,
            denominator: Some(n),
            sig,
            tip: String::new(),
        };
        // Sweden 60 %; with n = 400 the exact 95 % limits are about 55–65 %.
        let agree = [
            point(75.0, 400.0, Sig::Better),
            point(61.0, 400.0, Sig::Same),
            point(45.0, 400.0, Sig::Worse),
            point(90.0, 3.0, Sig::Unknown),
        ];
        assert!(limits_agree_with_flags(0.6, &agree));
        // A comparison widened for overdispersion calls 66 % "no clear difference".
        assert!(!limits_agree_with_flags(
            0.6,
            &[point(66.0, 400.0, Sig::Same)]
        ));
        assert!(!limits_agree_with_flags(
            0.6,
            &[point(61.0, 400.0, Sig::Better)]
        ));
    }
}
