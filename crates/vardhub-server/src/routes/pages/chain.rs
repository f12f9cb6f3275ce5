//! A care chain as a [`Panel`]: the patients, then (a) the share reaching each step by day 30
//! and within the horizon as bars, (b) the time-to-event curves with their bands, (c) quartiles
//! of the time to each step, (d) the most common paths and (e) the cost per patient and its
//! concentration. Every chart is followed by a table of the same numbers; a value that is not
//! shown says why in words.
//!
//! Times, "day 30" and the horizon count from the recipe's time zero: the index admission, or
//! its discharge (then the page says "från utskrivningen").
//!
//! The input has the published shape: the public result (from `analysis::public_all`) or an
//! analyst's own unsuppressed result with every value shown; this module cannot tell them apart
//! and does not need to.

use super::analyses::{Chart, Fact, Panel, Row, Section, Table, time_zero_words};
use super::analysis_text::{
    count, duration, kronor, kronor_range, percent, percent_interval, raw, raw_count, status_words,
};
use super::cost_parts::{concentration_table, measure_row, measure_table};
use crate::analyses::AnalysisInfo;
use crate::charts::{self, CurvePoint, ShareBar, described};
use crate::i18n::{Lang, grouped};
use vardhub_engine::analysis::chain::{CostResult, TimeQuantile};
use vardhub_engine::analysis::disclose::{PublicChain, PublicStep};
use vardhub_engine::disclosure::Status;

/// Fill the panel `p` with `chain` (`None`: no patient in the cohort in its area).
pub fn panel(mut p: Panel, chain: Option<&PublicChain>, info: &AnalysisInfo, lang: Lang) -> Panel {
    let id = p.id;
    let patients = |value: String| Fact {
        key: "patienter",
        label: lang.pick("Patienter", "Patients").to_owned(),
        value,
    };
    let Some(c) = chain else {
        p.facts.push(patients("0".into()));
        p.note = Some(
            lang.pick(
                "Inga patienter i kohorten i det här området.",
                "No patients in the cohort in this area.",
            )
            .to_owned(),
        );
        return p;
    };
    p.facts.push(patients(count(&c.patients, lang)));
    if c.steps.is_empty() {
        p.note = Some(
            lang.pick(
                "Resultaten visas inte: för få patienter i kohorten.",
                "The results are not shown: too few patients in the cohort.",
            )
            .to_owned(),
        );
        return p;
    }
    let names = Names { info, lang };
    let key = |s: &str| format!("{id}-{s}");
    p.sections = vec![
        steps(&key("steg"), c, &names),
        curves(&key("kurvor"), c, &names),
        quartiles(&key("tider"), c, &names),
        paths(&key("vagar"), c, &names),
        cost(&key("kostnad"), c.cost.as_ref(), lang),
    ];
    p
}

/// Step names and time words of an analysis in the page language.
struct Names<'a> {
    info: &'a AnalysisInfo,
    lang: Lang,
}

impl Names<'_> {
    fn step(&self, id: &str) -> String {
        self.info
            .steps
            .iter()
            .find(|s| s.0 == id)
            .map_or_else(|| id.to_owned(), |s| self.lang.pick(&s.1, &s.2).to_owned())
    }
    /// "Inom 120 dagar"; from a discharge "Inom 30 dagar från utskrivningen".
    fn within(&self) -> String {
        let within = match self.info.horizon_days {
            Some(h) => format!("{} {h} {}", self.lang.pick("Inom", "Within"), self.days()),
            None => self
                .lang
                .pick("Inom uppföljningen", "Within follow-up")
                .to_owned(),
        };
        format!("{within}{}", self.from())
    }
    fn days(&self) -> &'static str {
        self.lang.pick("dagar", "days")
    }
    /// "Dag 30"; from a discharge "Dag 30 från utskrivningen".
    fn day_30(&self) -> String {
        format!("{}{}", self.lang.pick("Dag 30", "Day 30"), self.from())
    }
    /// " från utskrivningen" when time zero is the discharge (the admission goes without
    /// saying).
    fn from(&self) -> String {
        if self.info.from_discharge {
            format!(
                " {} {}",
                self.lang.pick("från", "from"),
                time_zero_words(self.info, self.lang)
            )
        } else {
            String::new()
        }
    }
    fn ci(&self) -> String {
        self.lang.pick("95 % KI", "95 % CI").to_owned()
    }
}

/// A share with its interval: `60,0 % (52,1–68,0 %)`.
fn with_interval(share: f64, lower: f64, upper: f64, lang: Lang) -> String {
    format!(
        "{} ({})",
        percent(share, lang),
        percent_interval(lower, upper, lang)
    )
}

/// Why a share is hidden when too few patients are still followed at its time.
fn too_few_followed(lang: Lang) -> String {
    lang.pick(
        "Dold – för få patienter kvar i uppföljningen",
        "Hidden – too few patients still followed",
    )
    .to_owned()
}

/// The share by day 30 of a step: shown, zero (derivable from what is shown), or hidden.
fn by_day_30(s: &PublicStep) -> Result<Option<(f64, f64, f64)>, ()> {
    if let Some(p) = s.by_day_30 {
        return Ok(Some((p.share, p.lower, p.upper)));
    }
    // Nobody reached the step by day 30 when nobody reached it at all, or when the shown curve
    // goes past day 30 without a point before it.
    let zero = s.share_status == Status::Zero || s.curve.first().is_some_and(|p| p.day > 30.0);
    if zero { Ok(None) } else { Err(()) }
}

fn steps(id: &str, c: &PublicChain, n: &Names) -> Section {
    let lang = n.lang;
    let mut bars = Vec::new();
    let mut rows = Vec::new();
    for s in &c.steps {
        let name = n.step(&s.id);
        let day30 = by_day_30(s);
        let d30 = match day30 {
            Ok(Some((x, lo, hi))) => with_interval(x, lo, hi, lang),
            Ok(None) => percent(0.0, lang),
            Err(()) => too_few_followed(lang),
        };
        let h = match s.share {
            Some(p) => with_interval(p.share, p.lower, p.upper, lang),
            // The step's own door hides a share whose curve's end rests on too few patients
            // still followed (its count shown); the whole run's door hides the step with its
            // count when it would give a hidden one away.
            None if s.share_status == Status::HiddenSecondary && s.reached.value.is_some() => {
                too_few_followed(lang)
            }
            None => status_words(s.share_status, lang),
        };
        let pct = |x: f64| Some(x * 100.0);
        let d30_point = day30.ok().map(|p| p.unwrap_or((0.0, 0.0, 0.0)));
        bars.push(ShareBar {
            step: name.clone(),
            measure: n.day_30(),
            share: d30_point.and_then(|p| pct(p.0)),
            lower: d30_point.and_then(|p| pct(p.1)),
            upper: d30_point.and_then(|p| pct(p.2)),
        });
        bars.push(ShareBar {
            step: name.clone(),
            measure: n.within(),
            share: s.share.and_then(|p| pct(p.share)),
            lower: s.share.and_then(|p| pct(p.lower)),
            upper: s.share.and_then(|p| pct(p.upper)),
        });
        rows.push(Row {
            key: s.id.clone(),
            data: vec![
                ("reached", raw_count(&s.reached)),
                ("share", raw(s.share.map(|p| p.share))),
                ("day30", raw(s.by_day_30.map(|p| p.share))),
            ],
            cells: vec![name, count(&s.reached, lang), d30, h],
        });
    }
    let any = bars.iter().any(|b| b.share.is_some());
    let heading = lang
        .pick("Andel som når varje steg", "Share reaching each step")
        .to_owned();
    Section {
        id: id.to_owned(),
        text: lang
            .pick(
                "Andel av patienterna som nått steget dag 30 och inom uppföljningstiden, med 95 % konfidensintervall (KI). Död räknas som konkurrerande händelse.",
                "Share of the patients who reached the step by day 30 and within follow-up, with 95 % confidence interval (CI). Death counts as a competing event.",
            )
            .to_owned()
            + &if n.info.from_discharge {
                format!(
                    " {}",
                    lang.pick(
                        "Tiden räknas från utskrivningen.",
                        "Time counts from discharge."
                    )
                )
            } else {
                String::new()
            },
        chart: any.then(|| Chart {
            id: format!("{id}-diagram"),
            spec: described(charts::step_bars(&bars, lang), &heading),
        }),
        tables: vec![Table {
            id: format!("{id}-tabell"),
            caption: heading.clone(),
            head: vec![
                lang.pick("Steg", "Step").into(),
                lang.pick("Patienter som nått steget", "Patients reaching it").into(),
                format!("{} ({})", n.day_30(), n.ci()),
                format!("{} ({})", n.within(), n.ci()),
            ],
            rows,
            long: false,
        }],
        notes: if any {
            Vec::new()
        } else {
            vec![lang
                .pick(
                    "Ingen andel kan visas: för få patienter.",
                    "No share can be shown: too few patients.",
                )
                .to_owned()]
        },
        heading,
    }
}

fn curves(id: &str, c: &PublicChain, n: &Names) -> Section {
    let lang = n.lang;
    let mut points = Vec::new();
    let mut rows = Vec::new();
    for s in &c.steps {
        let name = n.step(&s.id);
        if s.curve.is_empty() {
            let why = if s.reached.value == Some(0) {
                lang.pick("Ingen har nått steget", "Nobody reached the step")
                    .to_owned()
            } else {
                lang.pick(
                    "Kurvan visas inte – för få patienter i risk",
                    "The curve is not shown – too few patients at risk",
                )
                .to_owned()
            };
            rows.push(Row {
                key: s.id.clone(),
                data: vec![("day", String::new()), ("share", String::new())],
                cells: vec![name, "–".into(), why, "–".into()],
            });
            continue;
        }
        if s.curve.first().is_some_and(|p| p.day > 0.0) {
            points.push(CurvePoint {
                step: name.clone(),
                day: 0.0,
                share: 0.0,
                lower: 0.0,
                upper: 0.0,
            });
        }
        for p in &s.curve {
            points.push(CurvePoint {
                step: name.clone(),
                day: p.day,
                share: p.share * 100.0,
                lower: p.lower * 100.0,
                upper: p.upper * 100.0,
            });
            rows.push(Row {
                key: s.id.clone(),
                data: vec![("day", raw(Some(p.day))), ("share", raw(Some(p.share)))],
                cells: vec![
                    name.clone(),
                    grouped(p.day, 1, lang),
                    with_interval(p.share, p.lower, p.upper, lang),
                    grouped(p.at_risk as f64, 0, lang),
                ],
            });
        }
    }
    let heading = lang
        .pick("Tid till varje steg", "Time to each step")
        .to_owned();
    let x_title = if n.info.from_discharge {
        lang.pick("Dagar från utskrivningen", "Days from discharge")
    } else {
        lang.pick("Dagar från inskrivningen", "Days from admission")
    };
    let long = rows.len() > 25;
    Section {
        id: id.to_owned(),
        text: lang
            .pick(
                "Kumulativ andel som nått varje steg dag för dag, med 95 % konfidensband. Kurvan slutar där för få patienter återstår i uppföljningen.",
                "Cumulative share reaching each step day by day, with 95 % confidence band. A curve stops where too few patients remain in follow-up.",
            )
            .to_owned(),
        chart: (!points.is_empty()).then(|| Chart {
            id: format!("{id}-diagram"),
            spec: described(
                charts::curves(&points, n.info.horizon_days.map(|h| h as f64), x_title, lang),
                &heading,
            ),
        }),
        tables: vec![Table {
            id: format!("{id}-tabell"),
            caption: format!(
                "{} ({})",
                heading,
                lang.pick("kurvornas punkter", "the curves' points")
            ),
            head: vec![
                lang.pick("Steg", "Step").into(),
                x_title.into(),
                format!("{} ({})", lang.pick("Andel", "Share"), n.ci()),
                lang.pick("Patienter i risk", "Patients at risk").into(),
            ],
            rows,
            long,
        }],
        notes: Vec::new(),
        heading,
    }
}

/// A quartile in words: `14,5 timmar (95 % KI 10,1 timmar – 1,2 dagar)`.
fn quartile(q: &TimeQuantile, lang: Lang) -> String {
    format!(
        "{} ({} {} – {})",
        duration(q.days, lang),
        lang.pick("95 % KI", "95 % CI"),
        duration(q.lower, lang),
        duration(q.upper, lang)
    )
}

fn quartiles(id: &str, c: &PublicChain, n: &Names) -> Section {
    let lang = n.lang;
    let rows = c
        .steps
        .iter()
        .map(|s| {
            let at = |p: f64| s.quantiles.iter().find(|q| (q.p - p).abs() < 1e-9);
            let cell = |p: f64| match at(p) {
                Some(q) => quartile(q, lang),
                None if s.reached.value == Some(0) => lang
                    .pick("Ingen har nått steget", "Nobody reached the step")
                    .to_owned(),
                None => status_words(Status::HiddenSmall, lang),
            };
            Row {
                key: s.id.clone(),
                data: vec![
                    ("q1", raw(at(0.25).map(|q| q.days))),
                    ("median", raw(at(0.5).map(|q| q.days))),
                    ("q3", raw(at(0.75).map(|q| q.days))),
                ],
                cells: vec![n.step(&s.id), cell(0.25), cell(0.5), cell(0.75)],
            }
        })
        .collect();
    let heading = lang
        .pick(
            "Tid till steget bland dem som når det",
            "Time to the step among those reaching it",
        )
        .to_owned();
    Section {
        id: id.to_owned(),
        text: lang
            .pick(
                "Median och kvartiler, med fördelningsfria 95 % konfidensintervall. Kortare tider än två dygn anges i timmar.",
                "Median and quartiles, with distribution-free 95 % confidence intervals. Times under two days are given in hours.",
            )
            .to_owned(),
        chart: None,
        tables: vec![Table {
            id: format!("{id}-tabell"),
            caption: heading.clone(),
            head: vec![
                lang.pick("Steg", "Step").into(),
                lang.pick("Första kvartil", "First quartile").into(),
                lang.pick("Median", "Median").into(),
                lang.pick("Tredje kvartil", "Third quartile").into(),
            ],
            rows,
            long: false,
        }],
        notes: Vec::new(),
        heading,
    }
}

fn paths(id: &str, c: &PublicChain, n: &Names) -> Section {
    let lang = n.lang;
    let label = |path: &[String]| {
        if path.is_empty() {
            lang.pick("Inget steg nått", "No step reached").to_owned()
        } else {
            path.iter()
                .map(|s| n.step(s))
                .collect::<Vec<_>>()
                .join(" → ")
        }
    };
    let other = lang.pick("Övriga vägar", "Other paths").to_owned();
    let mut bars: Vec<(String, u64)> = c.paths.iter().map(|(p, k)| (label(p), *k)).collect();
    let mut rows: Vec<Row> = c
        .paths
        .iter()
        .map(|(p, k)| Row {
            key: p.join(">"),
            data: vec![("patients", k.to_string())],
            cells: vec![label(p), grouped(*k as f64, 0, lang)],
        })
        .collect();
    if let Some(k) = c.other_paths.value.filter(|k| *k > 0) {
        bars.push((other.clone(), k));
    }
    if c.other_paths.value != Some(0) || rows.is_empty() {
        rows.push(Row {
            key: "ovriga".into(),
            data: vec![("patients", raw_count(&c.other_paths))],
            cells: vec![other, count(&c.other_paths, lang)],
        });
    }
    let heading = lang
        .pick(
            "De vanligaste vägarna genom kedjan",
            "The most common paths through the chain",
        )
        .to_owned();
    Section {
        id: id.to_owned(),
        text: lang
            .pick(
                "Stegen i den ordning patienten nådde dem. Vägar som få patienter tagit redovisas tillsammans som övriga vägar.",
                "The steps in the order the patient reached them. Paths taken by few patients are grouped as other paths.",
            )
            .to_owned(),
        chart: (!bars.is_empty()).then(|| Chart {
            id: format!("{id}-diagram"),
            spec: described(charts::paths(&bars, lang), &heading),
        }),
        tables: vec![Table {
            id: format!("{id}-tabell"),
            caption: heading.clone(),
            head: vec![
                lang.pick("Väg", "Path").into(),
                lang.pick("Patienter", "Patients").into(),
            ],
            rows,
            long: false,
        }],
        notes: Vec::new(),
        heading,
    }
}

fn cost(id: &str, cost: Option<&CostResult>, lang: Lang) -> Section {
    let heading = lang
        .pick("Kostnad per patient", "Cost per patient")
        .to_owned();
    let mut section = Section {
        id: id.to_owned(),
        text: lang
            .pick(
                "Kostnaden för alla länkade kontakter från indextillfället till uppföljningens slut, bland patienter som följts hela tiden eller till döden.",
                "The cost of all linked contacts from the index to the end of follow-up, among patients followed the whole time or until death.",
            )
            .to_owned(),
        chart: None,
        tables: Vec::new(),
        notes: Vec::new(),
        heading,
    };
    let Some(c) = cost else {
        section.notes.push(
            lang.pick(
                "Kostnaden visas inte: för få patienter har följts hela uppföljningstiden.",
                "The cost is not shown: too few patients have been followed for the whole period.",
            )
            .to_owned(),
        );
        return section;
    };
    section.tables.push(measure_table(
        format!("{id}-tabell"),
        section.heading.clone(),
        vec![
            measure_row(
                "patienter",
                lang.pick(
                    "Patienter med hela uppföljningen",
                    "Patients followed throughout",
                ),
                grouped(c.patients as f64, 0, lang),
                c.patients.to_string(),
            ),
            measure_row(
                "medel",
                lang.pick("Medelkostnad per patient", "Mean cost per patient"),
                kronor(c.total, lang),
                raw(Some(c.total)),
            ),
            measure_row(
                "intervall",
                lang.pick("95 % konfidensintervall", "95 % confidence interval"),
                kronor_range(c.lower, c.upper, lang),
                String::new(),
            ),
            measure_row(
                "index",
                lang.pick(
                    "Medelkostnad för indexvårdtillfället",
                    "Mean cost of the index stay",
                ),
                kronor(c.index_stay, lang),
                raw(Some(c.index_stay)),
            ),
        ],
        lang,
    ));
    section.tables.push(concentration_table(
        format!("{id}-koncentration"),
        &c.concentration,
        c.total,
        lang,
    ));
    section
}
