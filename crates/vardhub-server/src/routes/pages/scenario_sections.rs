//! A scenario's document as the parts of its page: the changes and the model's assumptions in
//! words, the headline difference with its 95 % interval in a sentence and a table, why the
//! number of replications is enough, the fan chart over the horizon (baseline and scenario
//! monthly bands, the bed collection's own figures as points where delivered) and the daily
//! occupancy bands, each chart followed by its table, and the calibration facts (a published
//! copy's hidden and rounded counts said in words). A waiting-list result's parts are in
//! [`super::scenario_wait_sections`].
//!
//! The matches on the engine's [`ModelKind`] and [`Change`] and on the read
//! [`ScenarioBody`] are exhaustive on purpose: a new model or change does not compile until it
//! is shown here.

use super::analyses::{Chart, Fact, Row, Section, Table};
use crate::charts::{self, BandAxes, BandPoint, described};
use crate::i18n::{Lang, grouped};
use vardhub_engine::scenario::Band;
use vardhub_engine::whatif::{Change, ModelKind, ScenarioSpec};
use vardhub_ops::scenario_document::{BedResult, Calibration, Disclosure, ScenarioBody};

/// What the page shows of a result the server reads.
pub struct Shown {
    /// The headline in sentences.
    pub headline: Vec<String>,
    /// The headline as a table.
    pub headline_table: Table,
    /// The replications and why they are enough.
    pub replications: String,
    /// The charts, each with its table.
    pub sections: Vec<Section>,
    /// What the model was calibrated on.
    pub calibration: Vec<Fact>,
    /// What disclosure control did (a published copy).
    pub disclosure_note: Option<String>,
}

/// The model in words.
pub fn model_name(m: ModelKind, lang: Lang) -> &'static str {
    match m {
        ModelKind::Beds => lang.pick("Vårdplatser och beläggning", "Beds and occupancy"),
        ModelKind::WaitingList => lang.pick("Väntelista", "Waiting list"),
    }
}

/// The model's assumptions in words.
pub fn assumptions(m: ModelKind, lang: Lang) -> Vec<String> {
    let lines: &[(&str, &str)] = match m {
        ModelKind::Beds => &[
            (
                "Inskrivningarna följer en Poissonprocess med basperiodens mönster över årets månader och veckans timmar, på varje vårdenhets egen nivå.",
                "Admissions follow a Poisson process with the baseline's pattern over the months of the year and the hours of the week, at each ward's own level.",
            ),
            (
                "Vårdtiderna dras från vårdenhetens avslutade vårdtillfällen i basperioden och antas inte bero på trängseln.",
                "Lengths of stay are drawn from the ward's completed stays in the baseline and are assumed not to depend on crowding.",
            ),
            (
                "Disponibla vårdplatser följer vårdplatsinsamlingens plan där den finns, annars vårdenhetens medel per veckodag i basperioden.",
                "Staffed beds follow the bed collection's plan where delivered, else the ward's baseline mean per weekday.",
            ),
            (
                "Patienter utöver en full vårdenhet placeras på en annan vårdenhet på samma sjukhus med lediga platser, i basperiodens andel (utlokalisering).",
                "Patients beyond a full ward are placed on another ward of the same hospital with free beds, at the baseline's share (outlying).",
            ),
            (
                "Intervallen omfattar slumpen i inskrivningar och vårdtider, variationen i månadernas nivå och osäkerheten i basperiodens skattningar; utan och med förändring används samma slumptal.",
                "The intervals cover chance in admissions and lengths of stay, the variation of the months' levels and the uncertainty of the baseline's estimates; the same random numbers are used with and without the change.",
            ),
        ],
        ModelKind::WaitingList => &[(
            "Remisser och genomförda besök per vecka; kön betjänas i turordning (först in, först ut).",
            "Referrals and completed visits per week; the list is served in order (first in, first out).",
        )],
    };
    lines
        .iter()
        .map(|(sv, en)| lang.pick(sv, en).to_owned())
        .collect()
}

fn selection_words(
    diagnoses: &[String],
    age_from: Option<u32>,
    age_to: Option<u32>,
    lang: Lang,
) -> String {
    let mut parts = Vec::new();
    if !diagnoses.is_empty() {
        parts.push(format!(
            "{} {}",
            lang.pick("huvuddiagnos", "main diagnosis"),
            diagnoses.join(", ")
        ));
    }
    match (age_from, age_to) {
        (Some(f), Some(t)) => parts.push(format!("{} {f}–{t}", lang.pick("ålder", "aged"))),
        (Some(f), None) => parts.push(format!("{} {f}", lang.pick("ålder från", "aged from"))),
        (None, Some(t)) => parts.push(format!("{} {t}", lang.pick("ålder till", "aged up to"))),
        (None, None) => {}
    }
    if parts.is_empty() {
        lang.pick("alla patienter", "all patients").to_owned()
    } else {
        parts.join(", ")
    }
}

/// One change in words, with the day it starts acting.
pub fn change_words(c: &Change, spec: &ScenarioSpec, lang: Lang) -> String {
    let from = format!(
        "{} {}",
        lang.pick("från", "from"),
        c.start(&spec.horizon).format("%Y-%m-%d")
    );
    let factor = |f: f64| grouped(f, 2, lang);
    match c {
        Change::Demand {
            factor: f,
            diagnoses,
            age_from,
            age_to,
            ..
        } => format!(
            "{} × {} ({}), {from}",
            lang.pick("Efterfrågan (inskrivningar)", "Demand (admissions)"),
            factor(*f),
            selection_words(diagnoses, *age_from, *age_to, lang)
        ),
        Change::LengthOfStay {
            factor: f,
            diagnoses,
            age_from,
            age_to,
            ..
        } => format!(
            "{} × {} ({}), {from}",
            lang.pick("Vårdtid", "Length of stay"),
            factor(*f),
            selection_words(diagnoses, *age_from, *age_to, lang)
        ),
        Change::StaffedBeds { add, .. } => format!(
            "{} {}{}, {from}",
            lang.pick("Disponibla vårdplatser", "Staffed beds"),
            if *add >= 0 { "+" } else { "" },
            grouped(f64::from(*add), 0, lang)
        ),
        Change::Capacity { factor: f, .. } => format!(
            "{} × {}, {from}",
            lang.pick(
                "Kapacitet (besök eller operationer per vecka)",
                "Capacity (visits or operations per week)"
            ),
            factor(*f)
        ),
    }
}

/// `a till b` / `a to b`.
fn interval(b: &Band, decimals: usize, scale: f64, lang: Lang) -> String {
    format!(
        "{} {} {}",
        grouped(b.lower * scale, decimals, lang),
        lang.pick("till", "to"),
        grouped(b.upper * scale, decimals, lang)
    )
}

/// `mean (a till b)`.
fn mean_ci(b: &Band, decimals: usize, scale: f64, lang: Lang) -> String {
    format!(
        "{} ({})",
        grouped(b.mean * scale, decimals, lang),
        interval(b, decimals, scale, lang)
    )
}

/// `median (a till b)`.
fn median_ci(b: &Band, lang: Lang) -> String {
    format!(
        "{} ({})",
        grouped(b.median, 1, lang),
        interval(b, 1, 1.0, lang)
    )
}

/// The parts of the page of a result this server reads (`None`: a model not shown yet).
pub fn shown(body: &ScenarioBody, disclosure: Option<&Disclosure>, lang: Lang) -> Option<Shown> {
    match body {
        ScenarioBody::Beds(r) => Some(beds(r, disclosure, lang)),
        ScenarioBody::WaitingList(r) => {
            Some(super::scenario_wait_sections::waits(r, disclosure, lang))
        }
        ScenarioBody::NotYetShown => None,
    }
}

/// The headline's main sentence: "Överbeläggningar per 100 vårdplatser: 9,8 → 4,1 (skillnad
/// −5,7; 95 % intervall −7,0 till −4,3)".
pub fn headline_sentence(r: &BedResult, lang: Lang) -> String {
    let h = &r.headline;
    format!(
        "{}: {} → {} ({} {}; {} {})",
        lang.pick(
            "Överbeläggningar per 100 vårdplatser",
            "Overcrowding per 100 staffed beds"
        ),
        grouped(h.baseline.mean, 1, lang),
        grouped(h.scenario.mean, 1, lang),
        lang.pick("skillnad", "difference"),
        grouped(h.difference.mean, 1, lang),
        lang.pick("95 % intervall", "95 % interval"),
        interval(&h.difference, 1, 1.0, lang),
    )
}

fn beds(r: &BedResult, disclosure: Option<&Disclosure>, lang: Lang) -> Shown {
    let h = &r.headline;
    let mut headline = vec![
        headline_sentence(r, lang),
        format!(
            "{}: {} → {} ({} {}; {} {})",
            lang.pick(
                "Belagda vårdplatser kl. 06, medel",
                "Occupied beds at 06:00, mean"
            ),
            grouped(h.census_baseline.mean, 1, lang),
            grouped(h.census_scenario.mean, 1, lang),
            lang.pick("skillnad", "difference"),
            grouped(h.census_difference.mean, 1, lang),
            lang.pick("95 % intervall", "95 % interval"),
            interval(&h.census_difference, 1, 1.0, lang),
        ),
    ];
    if let Some(o) = &h.observed {
        headline.push(format!(
            "{}: {} {}, {} {} ({} {}).",
            lang.pick(
                "Utfallet under prognosperioden enligt vårdplatsinsamlingen",
                "The outcome over the horizon by the bed collection"
            ),
            grouped(o.overbelaggningar_per_100, 1, lang),
            lang.pick(
                "överbeläggningar per 100 vårdplatser",
                "overcrowding per 100 staffed beds"
            ),
            grouped(o.census, 1, lang),
            lang.pick("belagda vårdplatser", "occupied beds"),
            o.days,
            lang.pick("dagar levererade", "days delivered"),
        ));
    }
    Shown {
        headline,
        headline_table: headline_table(r, lang),
        replications: replications(r, lang),
        sections: vec![fan(r, lang), census(r, lang)],
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
                    ": antal vårdtillfällen under det minsta antalet döljs och övriga avrundas till närmaste",
                    ": counts of stays below the least count are hidden and the others rounded to the nearest"
                ),
                d.rounding
            )
        }),
    }
}

fn headline_table(r: &BedResult, lang: Lang) -> Table {
    let h = &r.headline;
    let diff_of_means =
        |a: &Band, b: &Band, d: usize, s: f64| grouped((b.mean - a.mean) * s, d, lang);
    let rows = vec![
        Row {
            key: "overbelaggningar".into(),
            data: vec![("difference", h.difference.mean.to_string())],
            cells: vec![
                lang.pick(
                    "Överbeläggningar per 100 vårdplatser",
                    "Overcrowding per 100 staffed beds",
                )
                .to_owned(),
                mean_ci(&h.baseline, 1, 1.0, lang),
                mean_ci(&h.scenario, 1, 1.0, lang),
                mean_ci(&h.difference, 1, 1.0, lang),
            ],
        },
        Row {
            key: "belaggning".into(),
            data: vec![("difference", h.census_difference.mean.to_string())],
            cells: vec![
                lang.pick(
                    "Belagda vårdplatser kl. 06, medel",
                    "Occupied beds at 06:00, mean",
                )
                .to_owned(),
                mean_ci(&h.census_baseline, 1, 1.0, lang),
                mean_ci(&h.census_scenario, 1, 1.0, lang),
                mean_ci(&h.census_difference, 1, 1.0, lang),
            ],
        },
        Row {
            key: "dagar-med-overbelaggning".into(),
            data: Vec::new(),
            cells: vec![
                lang.pick(
                    "Andel dagar med överbeläggning (%)",
                    "Share of days with overcrowding (%)",
                )
                .to_owned(),
                mean_ci(&h.p_overcrowded_baseline, 0, 100.0, lang),
                mean_ci(&h.p_overcrowded_scenario, 0, 100.0, lang),
                diff_of_means(
                    &h.p_overcrowded_baseline,
                    &h.p_overcrowded_scenario,
                    0,
                    100.0,
                ),
            ],
        },
        Row {
            key: "varddagar".into(),
            data: Vec::new(),
            cells: vec![
                lang.pick(
                    "Vårddagar under prognosperioden",
                    "Bed-days over the horizon",
                )
                .to_owned(),
                mean_ci(&h.bed_days_baseline, 0, 1.0, lang),
                mean_ci(&h.bed_days_scenario, 0, 1.0, lang),
                diff_of_means(&h.bed_days_baseline, &h.bed_days_scenario, 0, 1.0),
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

fn replications(r: &BedResult, lang: Lang) -> String {
    let d = &r.headline.difference;
    let (n, seed) = (r.replications, r.seed);
    let (se, width) = (grouped(d.se, 2, lang), grouped(d.upper - d.lower, 1, lang));
    match lang {
        Lang::Sv => format!(
            "Resultaten bygger på {n} replikeringar av simuleringen (frö {seed}). Det räcker: skillnadens medelvärde har ett Monte Carlo-standardfel på {se}, litet jämfört med 95 %-intervallets bredd {width}. Fler replikeringar gör medelvärdet säkrare men intervallet inte smalare: intervallet beskriver hur mycket utfallet kan variera, inte osäkerheten i simuleringen."
        ),
        Lang::En => format!(
            "The results rest on {n} replications of the simulation (seed {seed}). That is enough: the difference's mean has a Monte Carlo standard error of {se}, small beside the width of the 95 % interval, {width}. More replications make the mean more precise but the interval no narrower: it describes how much the outcome can vary, not the simulation's uncertainty."
        ),
    }
}

fn series(lang: Lang) -> (String, String, String) {
    (
        lang.pick("Utan förändring", "Without the change")
            .to_owned(),
        lang.pick("Med förändring", "With the change").to_owned(),
        lang.pick("Utfall (vårdplatsinsamlingen)", "Outcome (bed collection)")
            .to_owned(),
    )
}

fn point(series: &str, x: &str, b: &Band) -> BandPoint {
    BandPoint {
        series: series.to_owned(),
        x: x.to_owned(),
        median: Some(b.median),
        lower: Some(b.lower),
        upper: Some(b.upper),
    }
}

fn fan(r: &BedResult, lang: Lang) -> Section {
    let (without, with, observed) = series(lang);
    let mut points = Vec::new();
    let mut rows = Vec::new();
    let any_observed = r.months.iter().any(|m| m.observed.is_some());
    for m in &r.months {
        points.push(point(&without, &m.month, &m.baseline));
        points.push(point(&with, &m.month, &m.scenario));
        if let Some(o) = &m.observed {
            points.push(BandPoint {
                series: observed.clone(),
                x: m.month.clone(),
                median: Some(o.overbelaggningar_per_100),
                lower: None,
                upper: None,
            });
        }
        rows.push(Row {
            key: m.month.clone(),
            data: vec![
                ("baseline", m.baseline.median.to_string()),
                ("scenario", m.scenario.median.to_string()),
            ],
            cells: vec![
                m.month.clone(),
                median_ci(&m.baseline, lang),
                median_ci(&m.scenario, lang),
                m.observed.map_or_else(
                    || lang.pick("Inte levererat", "Not delivered").to_owned(),
                    |o| grouped(o.overbelaggningar_per_100, 1, lang),
                ),
                format!(
                    "{} / {}",
                    grouped(m.staffed.0, 1, lang),
                    grouped(m.staffed.1, 1, lang)
                ),
            ],
        });
    }
    let mut names = vec![without.clone(), with.clone()];
    if any_observed {
        names.push(observed.clone());
    }
    let y = lang.pick(
        "Överbeläggningar per 100 vårdplatser",
        "Overcrowding per 100 staffed beds",
    );
    let spec = charts::bands(
        &points,
        &BandAxes {
            x: lang.pick("Månad", "Month"),
            y,
            series: &names,
            observed: any_observed.then_some(observed.as_str()),
            days: false,
        },
        lang,
    );
    let (first, last) = (
        r.months.first().map_or("", |m| m.month.as_str()),
        r.months.last().map_or("", |m| m.month.as_str()),
    );
    let description = format!(
        "{} {first}–{last}. {}",
        lang.pick(
            "Solfjäderdiagram: överbeläggningar per 100 vårdplatser per månad utan och med förändringen, median och 95 % intervall, med utfallet som punkter där det finns,",
            "Fan chart: overcrowding per 100 staffed beds by month without and with the change, median and 95 % interval, with the outcome as points where delivered,"
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
                "Överbeläggningar månad för månad",
                "Overcrowding month by month",
            )
            .to_owned(),
        text: lang
            .pick(
                "Median och 95 % intervall per månad utan och med förändringen. Där vårdplatsinsamlingen redan har levererat månaden visas utfallet som en punkt (backtest).",
                "Median and 95 % interval by month without and with the change. Where the bed collection has delivered the month already, its outcome is shown as a point (back-test).",
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
                    "Överbeläggningar per 100 vårdplatser per månad: median (95 % intervall)",
                    "Overcrowding per 100 staffed beds by month: median (95 % interval)",
                )
                .to_owned(),
            head: vec![
                lang.pick("Månad", "Month").to_owned(),
                without,
                with,
                observed,
                lang.pick(
                    "Disponibla vårdplatser (utan / med)",
                    "Staffed beds (without / with)",
                )
                .to_owned(),
            ],
            rows,
            long: false,
        }],
        notes: Vec::new(),
    }
}

fn census(r: &BedResult, lang: Lang) -> Section {
    let (without, with, _) = series(lang);
    let mut points = Vec::new();
    let mut rows = Vec::new();
    for (day, b, s) in &r.daily_census {
        points.push(point(&without, day, b));
        points.push(point(&with, day, s));
        rows.push(Row {
            key: day.clone(),
            data: Vec::new(),
            cells: vec![day.clone(), median_ci(b, lang), median_ci(s, lang)],
        });
    }
    let names = [without.clone(), with.clone()];
    let spec = charts::bands(
        &points,
        &BandAxes {
            x: lang.pick("Dag", "Day"),
            y: lang.pick("Belagda vårdplatser kl. 06", "Occupied beds at 06:00"),
            series: &names,
            observed: None,
            days: true,
        },
        lang,
    );
    let description = lang.pick(
        "Belagda vårdplatser kl. 06 dag för dag utan och med förändringen, median och 95 % intervall. Värdena finns i tabellen under diagrammet.",
        "Occupied beds at 06:00 day by day without and with the change, median and 95 % interval. The values are in the table below the chart.",
    );
    Section {
        id: "belaggning".into(),
        heading: lang
            .pick("Beläggningen dag för dag", "Occupancy day by day")
            .to_owned(),
        text: lang
            .pick(
                "Hur beläggningen i regionen fördelar sig: belagda vårdplatser kl. 06, median och 95 % intervall per dag, utan och med förändringen.",
                "How occupancy in the region is distributed: occupied beds at 06:00, median and 95 % interval per day, without and with the change.",
            )
            .to_owned(),
        chart: (!points.is_empty()).then(|| Chart {
            id: "diagram-belaggning".into(),
            spec: described(spec, description),
        }),
        tables: vec![Table {
            id: "belaggning-tabell".into(),
            caption: lang
                .pick(
                    "Belagda vårdplatser kl. 06 per dag: median (95 % intervall)",
                    "Occupied beds at 06:00 by day: median (95 % interval)",
                )
                .to_owned(),
            head: vec![lang.pick("Dag", "Day").to_owned(), without, with],
            rows,
            long: true,
        }],
        notes: Vec::new(),
    }
}

/// A count of stays as shown: hidden (published copy, under the least count), rounded, or exact.
pub(super) fn stays(
    n: Option<u64>,
    path: &str,
    disclosure: Option<&Disclosure>,
    lang: Lang,
) -> String {
    match (n, disclosure) {
        (None, Some(d)) => format!(
            "{} {}",
            lang.pick("Dold – färre än", "Hidden – fewer than"),
            d.min_count
        ),
        (None, None) => "–".to_owned(),
        (Some(n), Some(d)) if d.rounded.iter().any(|r| r == path) && d.rounding > 1 => format!(
            "{} {} ({} {})",
            lang.pick("ca", "about"),
            grouped(n as f64, 0, lang),
            lang.pick("avrundat till närmaste", "rounded to the nearest"),
            d.rounding
        ),
        (Some(n), _) => grouped(n as f64, 0, lang),
    }
}

fn calibration(c: &Calibration, disclosure: Option<&Disclosure>, lang: Lang) -> Vec<Fact> {
    let fact = |key, sv, en, value| Fact {
        key,
        label: lang.pick(sv, en).to_owned(),
        value,
    };
    vec![
        fact(
            "vardtillfallen",
            "Avslutade vårdtillfällen i basperioden",
            "Completed stays in the baseline",
            stays(c.stays, "result.calibration.stays", disclosure, lang),
        ),
        fact(
            "utanfor",
            "Vårdtillfällen utanför vårdplatsinsamlingen (används inte)",
            "Stays outside the bed collection (not used)",
            stays(
                c.stays_elsewhere,
                "result.calibration.stays_elsewhere",
                disclosure,
                lang,
            ),
        ),
        fact(
            "vardenheter",
            "Vårdenheter som simuleras",
            "Wards simulated",
            grouped(c.wards as f64, 0, lang),
        ),
        fact(
            "inskrivningar",
            "Inskrivningar per dag",
            "Admissions per day",
            grouped(c.admissions_per_day, 1, lang),
        ),
        fact(
            "vardtid",
            "Medelvårdtid (dagar)",
            "Mean length of stay (days)",
            grouped(c.mean_los_days, 1, lang),
        ),
        fact(
            "utlokalisering",
            "Andel av överskottet som utlokaliseras (%)",
            "Share of the excess placed on another ward (%)",
            grouped(c.outlying_share * 100.0, 0, lang),
        ),
        fact(
            "uppvarmning",
            "Uppvärmningsdagar (simuleras före prognosperioden, räknas inte)",
            "Warm-up days (simulated before the horizon, not counted)",
            grouped(c.warmup_days as f64, 0, lang),
        ),
        fact(
            "manadsniva",
            "Månadsnivåns spridning (σ för logaritmen)",
            "Spread of the month's level (σ of the log)",
            grouped(c.month_level_sigma, 3, lang),
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use vardhub_ops::scenario_document::{Headline, MonthResult};

    fn band(mean: f64, lower: f64, upper: f64) -> Band {
        Band {
            mean,
            se: 0.05,
            lower,
            median: mean,
            upper,
        }
    }

    #[test]
    fn the_headline_reads_as_the_issue_writes_it() {
        let b = band(1.0, 0.0, 2.0);
        let r = BedResult {
            headline: Headline {
                baseline: band(9.8, 8.0, 11.0),
                scenario: band(4.1, 3.0, 5.0),
                difference: band(-5.7, -7.0, -4.3),
                census_difference: b,
                census_baseline: b,
                census_scenario: b,
                bed_days_baseline: b,
                bed_days_scenario: b,
                p_overcrowded_baseline: b,
                p_overcrowded_scenario: b,
                observed: None,
            },
            months: vec![MonthResult {
                month: "2024-03".into(),
                baseline: b,
                scenario: b,
                census_baseline: b,
                census_scenario: b,
                staffed: (10.0, 13.0),
                observed: None,
            }],
            daily_census: vec![("2024-03-01".into(), b, b)],
            calibration: Calibration {
                stays: Some(410),
                stays_elsewhere: None,
                wards: 3,
                admissions_per_day: 6.8,
                mean_los_days: 4.0,
                outlying_share: 0.25,
                warmup_days: 60,
                month_level_sigma: 0.1,
            },
            replications: 200,
            seed: 1,
        };
        assert_eq!(
            headline_sentence(&r, Lang::Sv),
            "Överbeläggningar per 100 vårdplatser: 9,8 → 4,1 (skillnad −5,7; 95 % intervall −7,0 till −4,3)"
        );
        let d = Disclosure {
            policy: "vardhub-public v4".into(),
            min_count: 5,
            rounding: 5,
            suppressed: vec!["result.calibration.stays_elsewhere".into()],
            rounded: vec!["result.calibration.stays".into()],
        };
        let s = shown(&ScenarioBody::Beds(Box::new(r)), Some(&d), Lang::Sv).unwrap();
        assert_eq!(s.calibration[0].value, "ca 410 (avrundat till närmaste 5)");
        assert_eq!(s.calibration[1].value, "Dold – färre än 5");
        assert_eq!(s.sections.len(), 2);
        assert!(
            s.replications.contains("200 replikeringar"),
            "{}",
            s.replications
        );
        assert!(shown(&ScenarioBody::NotYetShown, None, Lang::Sv).is_none());
    }
}
