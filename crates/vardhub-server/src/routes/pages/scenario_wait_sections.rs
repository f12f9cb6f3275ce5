//! A waiting-list scenario's document as the parts of its page (see
//! [`super::scenario_sections`]): the share of first visits within 90 days and the list at the
//! horizon's end in sentences and a table, the lateness the model was calibrated on, a fan chart
//! of the monthly share within 90 days (the lake's own share as points where delivered) and one
//! of the list at each month's end, each followed by its table. A month without completions has
//! no share (NaN in the engine): no point in the chart, "no completions" in the table.

use super::analyses::{Chart, Fact, Row, Section, Table};
use super::scenario_sections::{Shown, stays};
use crate::charts::{self, BandAxes, BandPoint, described};
use crate::i18n::{Lang, grouped};
use vardhub_engine::scenario::Band;
use vardhub_ops::scenario_document::{Disclosure, ObservedShare, WaitCalibration, WaitResult};

/// A signed number: `+8,3`, `−1,2`, `0,0`.
fn signed(v: f64, decimals: usize, lang: Lang) -> String {
    let s = grouped(v, decimals, lang);
    if v > 0.0 && s.chars().any(|c| c.is_ascii_digit() && c != '0') {
        format!("+{s}")
    } else {
        s
    }
}

/// A share in per cent (`59,2 %`), `–` when undefined.
fn percent(v: f64, lang: Lang) -> String {
    if v.is_finite() {
        format!("{} %", grouped(v * 100.0, 1, lang))
    } else {
        "–".to_owned()
    }
}

/// `median (a till b)` of a band scaled by `scale`, or "no completions" for an undefined one.
fn median_ci(b: &Band, decimals: usize, scale: f64, lang: Lang) -> String {
    if !b.median.is_finite() {
        return lang
            .pick("Inga avslutade besök", "No completed visits")
            .to_owned();
    }
    format!(
        "{} ({} {} {})",
        grouped(b.median * scale, decimals, lang),
        grouped(b.lower * scale, decimals, lang),
        lang.pick("till", "to"),
        grouped(b.upper * scale, decimals, lang)
    )
}

/// `mean (a till b)` of a band scaled by `scale`.
fn mean_ci(b: &Band, decimals: usize, scale: f64, lang: Lang) -> String {
    if !b.mean.is_finite() {
        return "–".to_owned();
    }
    format!(
        "{} ({} {} {})",
        grouped(b.mean * scale, decimals, lang),
        grouped(b.lower * scale, decimals, lang),
        lang.pick("till", "to"),
        grouped(b.upper * scale, decimals, lang)
    )
}

fn finite(v: f64) -> Option<f64> {
    v.is_finite().then_some(v)
}

fn point(series: &str, x: &str, b: &Band, scale: f64) -> BandPoint {
    BandPoint {
        series: series.to_owned(),
        x: x.to_owned(),
        median: finite(b.median * scale),
        lower: finite(b.lower * scale),
        upper: finite(b.upper * scale),
    }
}

/// The headline's main sentence: "Andel första besök inom 90 dagar: 59,2 % → 66,7 % (skillnad
/// +8,3 procentenheter; 95 % intervall +6,7 till +9,7)".
pub fn headline_sentence(r: &WaitResult, lang: Lang) -> String {
    let h = &r.headline;
    format!(
        "{}: {} → {} ({} {} {}; {} {} {} {})",
        lang.pick(
            "Andel första besök inom 90 dagar",
            "Share of first visits within 90 days"
        ),
        percent(h.baseline.mean, lang),
        percent(h.scenario.mean, lang),
        lang.pick("skillnad", "difference"),
        signed(h.difference.mean * 100.0, 1, lang),
        lang.pick("procentenheter", "percentage points"),
        lang.pick("95 % intervall", "95 % interval"),
        signed(h.difference.lower * 100.0, 1, lang),
        lang.pick("till", "to"),
        signed(h.difference.upper * 100.0, 1, lang),
    )
}

/// The lake's share in words: `56,8 % (120 av 215)`, or hidden.
fn observed_words(o: &ObservedShare, lang: Lang) -> String {
    match (o.share, o.completed, o.within) {
        (Some(s), Some(c), Some(w)) => format!(
            "{} ({} {} {})",
            percent(s, lang),
            grouped(w as f64, 0, lang),
            lang.pick("av", "of"),
            grouped(c as f64, 0, lang)
        ),
        (Some(s), _, _) => percent(s, lang),
        _ => lang
            .pick("Dold – för få besök", "Hidden – too few visits")
            .to_owned(),
    }
}

/// The calibration in a sentence: the lateness and what it rests on.
fn lateness_sentence(c: &WaitCalibration, lang: Lang) -> String {
    let l = grouped(c.lateness_days.abs(), 1, lang);
    let (median, share) = (
        grouped(c.median_wait_days, 0, lang),
        percent(c.baseline_share, lang),
    );
    let n = c
        .completed
        .map_or_else(|| "–".to_owned(), |n| grouped(n as f64, 0, lang));
    match lang {
        Lang::Sv => format!(
            "Modellen är kalibrerad på basperiodens {n} avslutade väntetider ({} per dag; medianväntetid {median} dagar, {share} inom 90 dagar). Besöken ägde i median rum {l} dagar {} det medicinskt angivna måldatumet; den eftersläpningen antas bestå när kön betjänas i turordning.",
            grouped(c.per_day, 1, lang),
            if c.lateness_days < 0.0 {
                "före"
            } else {
                "efter"
            }
        ),
        Lang::En => format!(
            "The model is calibrated on the baseline's {n} completed waits ({} per day; median wait {median} days, {share} within 90 days). Visits took place a median {l} days {} the medical target date; that lateness is assumed to persist as the list is served in order.",
            grouped(c.per_day, 1, lang),
            if c.lateness_days < 0.0 {
                "before"
            } else {
                "after"
            }
        ),
    }
}

/// The parts of a waiting-list scenario's page.
pub fn waits(r: &WaitResult, disclosure: Option<&Disclosure>, lang: Lang) -> Shown {
    let h = &r.headline;
    let mut headline = vec![
        headline_sentence(r, lang),
        format!(
            "{}: {} → {} ({} {}; {} {} {} {})",
            lang.pick(
                "Väntande vid prognosperiodens slut",
                "Waiting at the end of the horizon"
            ),
            grouped(h.list_baseline.mean, 0, lang),
            grouped(h.list_scenario.mean, 0, lang),
            lang.pick("skillnad", "difference"),
            signed(h.list_difference.mean, 0, lang),
            lang.pick("95 % intervall", "95 % interval"),
            signed(h.list_difference.lower, 0, lang),
            lang.pick("till", "to"),
            signed(h.list_difference.upper, 0, lang),
        ),
    ];
    if let Some(o) = &h.observed {
        headline.push(format!(
            "{}: {} {}.",
            lang.pick(
                "Utfallet under prognosperioden enligt väntetidsdata",
                "The outcome over the horizon by the waiting-time data"
            ),
            observed_words(o, lang),
            lang.pick("inom 90 dagar", "within 90 days"),
        ));
    }
    headline.push(lateness_sentence(&r.calibration, lang));
    Shown {
        headline,
        headline_table: headline_table(r, lang),
        replications: replications(r, lang),
        sections: vec![fan(r, lang), list(r, lang)],
        calibration: calibration(&r.calibration, disclosure, lang),
        disclosure_note: disclosure.map(|d| {
            format!(
                "{} {}{} {}.",
                lang.pick(
                    "Publicerad kopia, röjandekontrollerad enligt",
                    "Published copy, disclosure-checked under"
                ),
                d.policy,
                lang.pick(
                    ": antal personer under det minsta antalet döljs (med sina andelar) och övriga avrundas till närmaste",
                    ": counts of persons below the least count are hidden (with their shares) and the others rounded to the nearest"
                ),
                d.rounding
            )
        }),
    }
}

fn headline_table(r: &WaitResult, lang: Lang) -> Table {
    let h = &r.headline;
    let rows = vec![
        Row {
            key: "inom-90".into(),
            data: vec![("difference", h.difference.mean.to_string())],
            cells: vec![
                lang.pick(
                    "Andel första besök inom 90 dagar (%)",
                    "Share of first visits within 90 days (%)",
                )
                .to_owned(),
                mean_ci(&h.baseline, 1, 100.0, lang),
                mean_ci(&h.scenario, 1, 100.0, lang),
                mean_ci(&h.difference, 1, 100.0, lang),
            ],
        },
        Row {
            key: "vantande".into(),
            data: vec![("difference", h.list_difference.mean.to_string())],
            cells: vec![
                lang.pick(
                    "Väntande vid prognosperiodens slut",
                    "Waiting at the end of the horizon",
                )
                .to_owned(),
                mean_ci(&h.list_baseline, 0, 1.0, lang),
                mean_ci(&h.list_scenario, 0, 1.0, lang),
                mean_ci(&h.list_difference, 0, 1.0, lang),
            ],
        },
    ];
    Table {
        id: "huvudresultat-tabell".into(),
        caption: lang
            .pick(
                "Huvudresultat över prognosperioden: medelvärde (95 % intervall); skillnaden parvis per replikering",
                "Headline over the horizon: mean (95 % interval); the difference paired by replication",
            )
            .to_owned(),
        head: vec![
            lang.pick("Mått", "Measure").to_owned(),
            lang.pick("Utan förändring", "Without the change").to_owned(),
            lang.pick("Med förändring", "With the change").to_owned(),
            lang.pick("Skillnad", "Difference").to_owned(),
        ],
        rows,
        long: false,
    }
}

fn replications(r: &WaitResult, lang: Lang) -> String {
    let d = &r.headline.difference;
    let (n, seed) = (r.replications, r.seed);
    let (se, width) = (
        grouped(d.se * 100.0, 2, lang),
        grouped((d.upper - d.lower) * 100.0, 1, lang),
    );
    match lang {
        Lang::Sv => format!(
            "Resultaten bygger på {n} replikeringar av simuleringen (frö {seed}). Det räcker: skillnadens medelvärde har ett Monte Carlo-standardfel på {se} procentenheter, litet jämfört med 95 %-intervallets bredd {width} procentenheter. Fler replikeringar gör medelvärdet säkrare men intervallet inte smalare: intervallet beskriver hur mycket utfallet kan variera, inte osäkerheten i simuleringen."
        ),
        Lang::En => format!(
            "The results rest on {n} replications of the simulation (seed {seed}). That is enough: the difference's mean has a Monte Carlo standard error of {se} percentage points, small beside the width of the 95 % interval, {width} percentage points. More replications make the mean more precise but the interval no narrower: it describes how much the outcome can vary, not the simulation's uncertainty."
        ),
    }
}

fn names(lang: Lang) -> (String, String, String) {
    (
        lang.pick("Utan förändring", "Without the change")
            .to_owned(),
        lang.pick("Med förändring", "With the change").to_owned(),
        lang.pick("Utfall (väntetidsdata)", "Outcome (waiting-time data)")
            .to_owned(),
    )
}

fn span(r: &WaitResult) -> (&str, &str) {
    (
        r.months.first().map_or("", |m| m.month.as_str()),
        r.months.last().map_or("", |m| m.month.as_str()),
    )
}

fn fan(r: &WaitResult, lang: Lang) -> Section {
    let (without, with, observed) = names(lang);
    let mut points = Vec::new();
    let mut rows = Vec::new();
    let any_observed = r
        .months
        .iter()
        .any(|m| m.observed.is_some_and(|o| o.share.is_some()));
    for m in &r.months {
        points.push(point(&without, &m.month, &m.baseline, 100.0));
        points.push(point(&with, &m.month, &m.scenario, 100.0));
        if let Some(s) = m.observed.and_then(|o| o.share) {
            points.push(BandPoint {
                series: observed.clone(),
                x: m.month.clone(),
                median: finite(s * 100.0),
                lower: None,
                upper: None,
            });
        }
        let mut data = Vec::new();
        if m.baseline.median.is_finite() {
            data.push(("baseline", m.baseline.median.to_string()));
        }
        if m.scenario.median.is_finite() {
            data.push(("scenario", m.scenario.median.to_string()));
        }
        rows.push(Row {
            key: m.month.clone(),
            data,
            cells: vec![
                m.month.clone(),
                median_ci(&m.baseline, 1, 100.0, lang),
                median_ci(&m.scenario, 1, 100.0, lang),
                m.observed.map_or_else(
                    || lang.pick("Inte levererat", "Not delivered").to_owned(),
                    |o| observed_words(&o, lang),
                ),
            ],
        });
    }
    let mut series = vec![without.clone(), with.clone()];
    if any_observed {
        series.push(observed.clone());
    }
    let spec = charts::bands(
        &points,
        &BandAxes {
            x: lang.pick("Månad", "Month"),
            y: lang.pick(
                "Andel första besök inom 90 dagar (%)",
                "Share of first visits within 90 days (%)",
            ),
            series: &series,
            observed: any_observed.then_some(observed.as_str()),
            days: false,
        },
        lang,
    );
    let (first, last) = span(r);
    let description = format!(
        "{} {first}–{last}. {}",
        lang.pick(
            "Solfjäderdiagram: andel första besök inom 90 dagar per månad utan och med förändringen, median och 95 % intervall, med utfallet som punkter där det finns,",
            "Fan chart: share of first visits within 90 days by month without and with the change, median and 95 % interval, with the outcome as points where delivered,"
        ),
        lang.pick(
            "Värdena finns i tabellen under diagrammet.",
            "The values are in the table below the chart."
        ),
    );
    Section {
        id: "prognos".into(),
        heading: lang
            .pick(
                "Andel inom 90 dagar månad för månad",
                "Share within 90 days month by month",
            )
            .to_owned(),
        text: lang
            .pick(
                "Median och 95 % intervall per månad utan och med förändringen, bland månadens avslutade första besök. Där väntetidsdata redan finns för månaden visas utfallet som en punkt (backtest).",
                "Median and 95 % interval by month without and with the change, among the month's completed first visits. Where the waiting-time data already cover the month, its outcome is shown as a point (back-test).",
            )
            .to_owned(),
        chart: Some(Chart {
            id: "diagram-solfjader".into(),
            spec: described(spec, &description),
        }),
        tables: vec![Table {
            id: "prognos-tabell".into(),
            caption: lang
                .pick(
                    "Andel första besök inom 90 dagar per månad (%): median (95 % intervall)",
                    "Share of first visits within 90 days by month (%): median (95 % interval)",
                )
                .to_owned(),
            head: vec![
                lang.pick("Månad", "Month").to_owned(),
                without,
                with,
                observed,
            ],
            rows,
            long: false,
        }],
        notes: Vec::new(),
    }
}

fn list(r: &WaitResult, lang: Lang) -> Section {
    let (without, with, _) = names(lang);
    let mut points = Vec::new();
    let mut rows = Vec::new();
    for m in &r.months {
        points.push(point(&without, &m.month, &m.list_baseline, 1.0));
        points.push(point(&with, &m.month, &m.list_scenario, 1.0));
        rows.push(Row {
            key: m.month.clone(),
            data: Vec::new(),
            cells: vec![
                m.month.clone(),
                median_ci(&m.list_baseline, 0, 1.0, lang),
                median_ci(&m.list_scenario, 0, 1.0, lang),
                median_ci(&m.over_90_baseline, 0, 1.0, lang),
                median_ci(&m.over_90_scenario, 0, 1.0, lang),
            ],
        });
    }
    let series = [without.clone(), with.clone()];
    let spec = charts::bands(
        &points,
        &BandAxes {
            x: lang.pick("Månad", "Month"),
            y: lang.pick("Väntande vid månadens slut", "Waiting at the month's end"),
            series: &series,
            observed: None,
            days: false,
        },
        lang,
    );
    let (first, last) = span(r);
    let description = format!(
        "{} {first}–{last}. {}",
        lang.pick(
            "Väntande vid varje månads slut utan och med förändringen, median och 95 % intervall,",
            "Persons waiting at each month's end without and with the change, median and 95 % interval,"
        ),
        lang.pick(
            "Värdena finns i tabellen under diagrammet.",
            "The values are in the table below the chart."
        ),
    );
    Section {
        id: "vantelista".into(),
        heading: lang
            .pick("Väntelistan månad för månad", "The waiting list month by month")
            .to_owned(),
        text: lang
            .pick(
                "Hur många som väntar på ett första besök vid varje månads slut, och hur många av dem som har väntat mer än 90 dagar, utan och med förändringen.",
                "How many are waiting for a first visit at each month's end, and how many of them have waited more than 90 days, without and with the change.",
            )
            .to_owned(),
        chart: (!points.is_empty()).then(|| Chart {
            id: "diagram-vantelista".into(),
            spec: described(spec, &description),
        }),
        tables: vec![Table {
            id: "vantelista-tabell".into(),
            caption: lang
                .pick(
                    "Väntande vid månadens slut: median (95 % intervall)",
                    "Waiting at the month's end: median (95 % interval)",
                )
                .to_owned(),
            head: vec![
                lang.pick("Månad", "Month").to_owned(),
                without,
                with,
                lang.pick(
                    "Över 90 dagar, utan förändring",
                    "Over 90 days, without the change",
                )
                .to_owned(),
                lang.pick(
                    "Över 90 dagar, med förändring",
                    "Over 90 days, with the change",
                )
                .to_owned(),
            ],
            rows,
            long: false,
        }],
        notes: Vec::new(),
    }
}

fn calibration(c: &WaitCalibration, disclosure: Option<&Disclosure>, lang: Lang) -> Vec<Fact> {
    let fact = |key, sv, en, value| Fact {
        key,
        label: lang.pick(sv, en).to_owned(),
        value,
    };
    vec![
        fact(
            "avslutade",
            "Avslutade väntetider i basperioden",
            "Completed waits in the baseline",
            stays(
                c.completed,
                "result.calibration.completed",
                disclosure,
                lang,
            ),
        ),
        fact(
            "med-maldatum",
            "Av dem med medicinskt måldatum",
            "Of them with a medical target date",
            stays(
                c.with_target,
                "result.calibration.with_target",
                disclosure,
                lang,
            ),
        ),
        fact(
            "per-dag",
            "Avslutade per dag",
            "Completed per day",
            grouped(c.per_day, 1, lang),
        ),
        fact(
            "efterslapning",
            "Eftersläpning mot måldatum, median (dagar)",
            "Lateness against the target date, median (days)",
            grouped(c.lateness_days, 1, lang),
        ),
        fact(
            "medianvantetid",
            "Medianväntetid (dagar)",
            "Median wait (days)",
            grouped(c.median_wait_days, 0, lang),
        ),
        fact(
            "basandel",
            "Andel inom 90 dagar i basperioden",
            "Share within 90 days in the baseline",
            percent(c.baseline_share, lang),
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use vardhub_ops::scenario_document::{WaitHeadline, WaitMonth};

    fn band(mean: f64, lower: f64, upper: f64) -> Band {
        Band {
            mean,
            se: 0.002,
            lower,
            median: mean,
            upper,
        }
    }

    #[test]
    fn the_waiting_list_headline_reads_as_the_issue_writes_it() {
        let b = band(300.0, 280.0, 320.0);
        let nan = band(f64::NAN, f64::NAN, f64::NAN);
        let month = |month: &str, share: Band, observed| WaitMonth {
            month: month.into(),
            baseline: share,
            scenario: share,
            difference: share,
            list_baseline: b,
            list_scenario: b,
            over_90_baseline: b,
            over_90_scenario: b,
            observed,
        };
        let hidden = ObservedShare {
            completed: None,
            within: None,
            share: None,
        };
        let r = WaitResult {
            headline: WaitHeadline {
                baseline: band(0.592, 0.58, 0.60),
                scenario: band(0.667, 0.65, 0.68),
                difference: band(0.083, 0.067, 0.097),
                list_baseline: b,
                list_scenario: band(250.0, 230.0, 270.0),
                list_difference: band(-50.0, -60.0, -40.0),
                observed: None,
            },
            months: vec![
                month("2024-03", band(0.6, 0.5, 0.7), Some(hidden)),
                month("2024-04", nan, None),
            ],
            calibration: WaitCalibration {
                completed: Some(1810),
                with_target: None,
                per_day: 30.2,
                lateness_days: 12.5,
                median_wait_days: 61.0,
                baseline_share: 0.59,
                month_factors: [1.0; 12],
            },
            replications: 200,
            seed: 1,
        };
        assert_eq!(
            headline_sentence(&r, Lang::Sv),
            "Andel första besök inom 90 dagar: 59,2 % → 66,7 % (skillnad +8,3 procentenheter; 95 % intervall +6,7 till +9,7)"
        );
        let d = Disclosure {
            policy: "vardhub-public v4".into(),
            min_count: 5,
            rounding: 5,
            suppressed: vec!["result.calibration.with_target".into()],
            rounded: vec!["result.calibration.completed".into()],
        };
        let s = waits(&r, Some(&d), Lang::Sv);
        assert!(
            s.headline[2].contains("12,5 dagar efter"),
            "{}",
            s.headline[2]
        );
        assert_eq!(
            s.calibration[0].value,
            "ca 1\u{a0}810 (avrundat till närmaste 5)"
        );
        assert_eq!(s.calibration[1].value, "Dold – färre än 5");
        assert_eq!(s.sections.len(), 2);
        let fan = &s.sections[0].tables[0].rows;
        assert_eq!(fan[0].cells[3], "Dold – för få besök");
        assert_eq!(fan[1].cells[1], "Inga avslutade besök");
        assert!(
            fan.iter()
                .flat_map(|r| &r.cells)
                .all(|c| !c.contains("NaN"))
        );
    }
}
