//! Before/after with a comparison group as a [`Panel`]: (a) the patients — eligible, exposed,
//! matched and their controls — and how they were matched, (b) the two effects side by side, the
//! naive before/after and the difference-in-differences against the comparison group, each with
//! its 95 % interval, and why they differ (regression to the mean), (c) the mean cost per 30-day
//! period of both groups, (d) each group's mean before and after and (e) the balance of the
//! matching variables. Every chart is followed by its table; when the estimates are not shown
//! the panel says why in words.
//!
//! The input has the published shape: the public result (from `analysis::public_all`) or an
//! analyst's own unsuppressed result with every value shown.

use super::analyses::{Chart, Fact, Panel, Row, Section, Table, time_zero_words};
use super::analysis_text::{count, kronor, kronor_ci, percent, raw, raw_count, status_words};
use crate::analyses::AnalysisInfo;
use crate::charts::{self, EffectPoint, LineAxes, LinePoint, described};
use crate::i18n::{Lang, NBSP, grouped};
use vardhub_engine::analysis::PublicBeforeAfter;
use vardhub_engine::analysis::before_after::{Balance, EffectCi, Group, MeanCi};
use vardhub_engine::disclosure::Status;

/// Fill the panel `p` with `result` (`None`: no patient in the cohort in its area).
/// `min_cost_patients`: the least number of matched patients and of controls behind published
/// estimates.
pub fn panel(
    mut p: Panel,
    result: Option<&PublicBeforeAfter>,
    info: &AnalysisInfo,
    min_cost_patients: u64,
    lang: Lang,
) -> Panel {
    let patients = |value: String| Fact {
        key: "patienter",
        label: lang
            .pick(
                "Patienter med hela perioden före och efter",
                "Patients with the whole period before and after",
            )
            .to_owned(),
        value,
    };
    let Some(r) = result else {
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
    p.facts.push(patients(count(&r.eligible, lang)));
    let key = |s: &str| format!("{}-{s}", p.id);
    let mut sections = vec![groups(&key("grupper"), r, lang)];
    if r.status == Status::Ok {
        sections.push(effects(&key("effekt"), r, lang));
        sections.push(periods(&key("perioder"), r, info, lang));
        sections.push(means(&key("medel"), r, lang));
        sections.push(balance(&key("balans"), &r.balance, lang));
    } else {
        p.note = Some(not_shown(r.status, min_cost_patients, lang));
    }
    p.sections = sections;
    p
}

/// Why the estimates are not shown, in words.
fn not_shown(status: Status, min_cost_patients: u64, lang: Lang) -> String {
    match status {
        Status::Zero => lang
            .pick(
                "Ingen patient i kohorten fick insatsen i det här området, så det finns inget att jämföra.",
                "No patient in the cohort received the intervention in this area, so there is nothing to compare.",
            )
            .to_owned(),
        Status::HiddenSmall => format!(
            "{} {min_cost_patients} {}",
            lang.pick(
                "Skattningarna visas inte: för få matchade patienter eller jämförelsepatienter (minst",
                "The estimates are not shown: too few matched patients or comparison patients (at least",
            ),
            lang.pick("i varje grupp behövs).", "in each group are needed).")
        ),
        Status::HiddenSecondary => lang
            .pick(
                "Skattningarna visas inte: de skulle annars kunna användas för att räkna fram dolda värden.",
                "The estimates are not shown: they could otherwise be used to work out hidden values.",
            )
            .to_owned(),
        Status::NotApplicable => lang
            .pick(
                "Ingen patient som fick insatsen kunde matchas mot en jämförelsepatient.",
                "No patient who received the intervention could be matched to a comparison patient.",
            )
            .to_owned(),
        other => status_words(other, lang),
    }
}

/// The Swedish or English half of an engine text written `svenska / English`.
fn half(text: &str, lang: Lang) -> &str {
    match text.split_once(" / ") {
        Some((sv, en)) => lang.pick(sv, en),
        None => text,
    }
}

fn groups(id: &str, r: &PublicBeforeAfter, lang: Lang) -> Section {
    let row = |key: &str, label: &str, c: &vardhub_engine::analysis::disclose::PublicCount| Row {
        key: key.to_owned(),
        data: vec![("patients", raw_count(c))],
        cells: vec![label.to_owned(), count(c, lang)],
    };
    let heading = lang
        .pick("Patienter och matchning", "Patients and matching")
        .to_owned();
    Section {
        id: id.to_owned(),
        text: format!(
            "{}: {}.",
            lang.pick("Jämförelsegruppen", "The comparison group"),
            half(&r.method, lang)
        ),
        chart: None,
        tables: vec![Table {
            id: format!("{id}-tabell"),
            caption: heading.clone(),
            head: vec![
                lang.pick("Grupp", "Group").into(),
                lang.pick("Patienter", "Patients").into(),
            ],
            rows: vec![
                row(
                    "berattigade",
                    lang.pick(
                        "I kohorten med hela perioden före och efter",
                        "In the cohort with the whole period before and after",
                    ),
                    &r.eligible,
                ),
                row(
                    "exponerade",
                    lang.pick("Fick insatsen", "Received the intervention"),
                    &r.exposed,
                ),
                row(
                    "matchade",
                    lang.pick(
                        "Fick insatsen och matchades",
                        "Received it and were matched",
                    ),
                    &r.matched,
                ),
                row(
                    "kontroller",
                    lang.pick(
                        "Jämförelsepatienter (kontroller)",
                        "Comparison patients (controls)",
                    ),
                    &r.controls,
                ),
            ],
            long: false,
        }],
        notes: Vec::new(),
        heading,
    }
}

/// The two estimates' names.
fn estimate_names(lang: Lang) -> [String; 2] {
    [
        lang.pick("Naiv före/efter", "Naive before/after")
            .to_owned(),
        lang.pick(
            "Skillnad-i-skillnader (mot jämförelsegrupp)",
            "Difference-in-differences (against comparison group)",
        )
        .to_owned(),
    ]
}

fn effects(id: &str, r: &PublicBeforeAfter, lang: Lang) -> Section {
    let names = estimate_names(lang);
    let estimates: [(&str, &String, Option<&EffectCi>); 2] = [
        ("naiv", &names[0], r.naive.as_ref()),
        ("did", &names[1], r.did.as_ref()),
    ];
    let points: Vec<EffectPoint> = estimates
        .iter()
        .filter_map(|(_, label, e)| {
            e.map(|e| EffectPoint {
                label: (*label).clone(),
                estimate: e.estimate,
                lower: e.lower,
                upper: e.upper,
            })
        })
        .collect();
    let rows = estimates
        .iter()
        .map(|(key, label, e)| Row {
            key: (*key).to_owned(),
            data: vec![
                ("estimate", raw(e.map(|e| e.estimate))),
                ("lower", raw(e.map(|e| e.lower))),
                ("upper", raw(e.map(|e| e.upper))),
            ],
            cells: vec![
                (*label).clone(),
                e.map_or_else(
                    || {
                        lang.pick(
                            "Kan inte skattas – färre än två matchade patienter",
                            "Cannot be estimated – fewer than two matched patients",
                        )
                        .to_owned()
                    },
                    |e| kronor_ci(e.estimate, e.lower, e.upper, lang),
                ),
            ],
        })
        .collect();
    let heading = lang
        .pick(
            "Effekt på kostnaden per patient",
            "Effect on the cost per patient",
        )
        .to_owned();
    let x_title = lang.pick(
        "Förändring av kostnaden per patient (kr)",
        "Change in cost per patient (SEK)",
    );
    Section {
        id: id.to_owned(),
        text: format!(
            "{} {}",
            lang.pick(
                "Förändringen av kostnaden per patient från perioden före till perioden efter, med 95 % konfidensintervall; ett negativt värde är en lägre kostnad efteråt.",
                "The change in cost per patient from the period before to the period after, with 95 % confidence intervals; a negative value is a lower cost afterwards.",
            ),
            lang.pick(
                "Den naiva skattningen jämför patienterna med sig själva och innehåller regression mot medelvärdet: de får insatsen just efter en kostnadstopp, och kostnaden hade sjunkit en del ändå. Skillnad-i-skillnader drar av jämförelsegruppens förändring – den valdes vid samma slags topp – och innehåller därför inte regressionen mot medelvärdet.",
                "The naive estimate compares the patients with themselves and includes regression to the mean: they receive the intervention just after a cost peak, and their cost would have fallen somewhat anyway. The difference-in-differences subtracts the comparison group's change – it was selected at the same kind of peak – and so does not include the regression to the mean.",
            )
        ),
        chart: (!points.is_empty()).then(|| Chart {
            id: format!("{id}-diagram"),
            spec: described(charts::effects(&points, x_title, lang), &heading),
        }),
        tables: vec![Table {
            id: format!("{id}-tabell"),
            caption: heading.clone(),
            head: vec![
                lang.pick("Skattning", "Estimate").into(),
                format!(
                    "{} ({})",
                    lang.pick("Förändring per patient", "Change per patient"),
                    lang.pick("95 % KI", "95 % CI")
                ),
            ],
            rows,
            long: false,
        }],
        notes: Vec::new(),
        heading,
    }
}

/// A 30-day period `[from, to)` in days: `−90 till −61`.
fn period_label(from: i32, to: i32, lang: Lang) -> String {
    format!(
        "{} {} {}",
        grouped(f64::from(from), 0, lang),
        lang.pick("till", "to"),
        grouped(f64::from(to - 1), 0, lang)
    )
}

fn periods(id: &str, r: &PublicBeforeAfter, info: &AnalysisInfo, lang: Lang) -> Section {
    let series = [
        lang.pick("Fick insatsen", "Received the intervention")
            .to_owned(),
        lang.pick("Jämförelsegrupp", "Comparison group").to_owned(),
    ];
    let mut points = Vec::new();
    let rows = r
        .periods
        .iter()
        .map(|p| {
            let x = f64::from(p.from_day + p.to_day) / 2.0;
            for (s, y) in series.iter().zip([p.exposed, p.comparison]) {
                points.push(LinePoint {
                    series: s.clone(),
                    x,
                    y: Some(y),
                    lower: None,
                    upper: None,
                });
            }
            Row {
                key: p.from_day.to_string(),
                data: vec![
                    ("from", p.from_day.to_string()),
                    ("exposed", raw(Some(p.exposed))),
                    ("comparison", raw(Some(p.comparison))),
                ],
                cells: vec![
                    period_label(p.from_day, p.to_day, lang),
                    kronor(p.exposed, lang),
                    kronor(p.comparison, lang),
                    kronor(p.exposed - p.comparison, lang),
                ],
            }
        })
        .collect();
    let heading = lang
        .pick(
            "Kostnad per patient och 30-dagarsperiod",
            "Cost per patient and 30-day period",
        )
        .to_owned();
    let zero = time_zero_words(info, lang);
    let x_title = format!(
        "{} {zero} ({})",
        lang.pick("Dagar från", "Days from"),
        lang.pick("periodens mitt", "middle of the period")
    );
    Section {
        id: id.to_owned(),
        text: lang
            .pick(
                "Medelkostnad per patient i varje period om 30 dagar före och efter, för dem som fick insatsen och för jämförelsegruppen (varje patients kontroller vägs tillsammans som en).",
                "Mean cost per patient in each 30-day period before and after, for those who received the intervention and for the comparison group (each patient's controls weigh together as one).",
            )
            .to_owned(),
        chart: (!points.is_empty()).then(|| Chart {
            id: format!("{id}-diagram"),
            spec: described(
                charts::lines(
                    &points,
                    &LineAxes {
                        x: &x_title,
                        y: lang.pick("Kostnad per patient (kr)", "Cost per patient (SEK)"),
                        zero: &format!("{} 0", lang.pick("dag", "day")),
                        series: &series,
                    },
                    lang,
                ),
                &heading,
            ),
        }),
        tables: vec![Table {
            id: format!("{id}-tabell"),
            caption: heading.clone(),
            head: vec![
                format!("{} {zero}", lang.pick("Dagar från", "Days from")),
                series[0].clone(),
                series[1].clone(),
                lang.pick("Skillnad", "Difference").into(),
            ],
            rows,
            long: false,
        }],
        notes: Vec::new(),
        heading,
    }
}

/// A group's mean with its interval, or why there is none.
fn mean_cell(m: Option<&MeanCi>, lang: Lang) -> String {
    m.map_or_else(
        || {
            lang.pick(
                "Kan inte skattas – färre än två patienter",
                "Cannot be estimated – fewer than two patients",
            )
            .to_owned()
        },
        |m| kronor_ci(m.value, m.lower, m.upper, lang),
    )
}

fn means(id: &str, r: &PublicBeforeAfter, lang: Lang) -> Section {
    let row = |key: &str, label: &str, g: Option<&Group>| Row {
        key: key.to_owned(),
        data: vec![
            ("before", raw(g.and_then(|g| g.before).map(|m| m.value))),
            ("after", raw(g.and_then(|g| g.after).map(|m| m.value))),
        ],
        cells: vec![
            label.to_owned(),
            g.map_or_else(|| "–".to_owned(), |g| grouped(g.patients as f64, 0, lang)),
            mean_cell(g.and_then(|g| g.before.as_ref()), lang),
            mean_cell(g.and_then(|g| g.after.as_ref()), lang),
        ],
    };
    let heading = lang
        .pick(
            "Medelkostnad per patient före och efter",
            "Mean cost per patient before and after",
        )
        .to_owned();
    let ci = lang.pick("95 % KI", "95 % CI");
    Section {
        id: id.to_owned(),
        text: lang
            .pick(
                "Kostnaden för alla länkade kontakter i perioden före och i perioden efter, per patient.",
                "The cost of all linked contacts in the period before and in the period after, per patient.",
            )
            .to_owned(),
        chart: None,
        tables: vec![Table {
            id: format!("{id}-tabell"),
            caption: heading.clone(),
            head: vec![
                lang.pick("Grupp", "Group").into(),
                lang.pick("Patienter", "Patients").into(),
                format!("{} ({ci})", lang.pick("Före", "Before")),
                format!("{} ({ci})", lang.pick("Efter", "After")),
            ],
            rows: vec![
                row(
                    "exponerade",
                    lang.pick(
                        "Fick insatsen och matchades",
                        "Received it and were matched",
                    ),
                    r.exposed_group.as_ref(),
                ),
                row(
                    "jamforelse",
                    lang.pick("Jämförelsegrupp", "Comparison group"),
                    r.comparison_group.as_ref(),
                ),
            ],
            long: false,
        }],
        notes: Vec::new(),
        heading,
    }
}

/// A matching variable's mean in its unit.
fn balance_value(variable: &str, v: f64, lang: Lang) -> String {
    match variable {
        "alder" => format!("{}{NBSP}{}", grouped(v, 1, lang), lang.pick("år", "years")),
        "kvinnor" => percent(v, lang),
        "kostnad_fore" => kronor(v, lang),
        _ => grouped(v, 2, lang),
    }
}

fn balance(id: &str, rows: &[Balance], lang: Lang) -> Section {
    let label = |v: &str| match v {
        "alder" => lang.pick("Ålder (medel)", "Age (mean)").to_owned(),
        "kvinnor" => lang.pick("Andel kvinnor", "Share women").to_owned(),
        "kostnad_fore" => lang
            .pick(
                "Kostnad i perioden före (medel)",
                "Cost in the period before (mean)",
            )
            .to_owned(),
        other => other.to_owned(),
    };
    let heading = lang
        .pick("Balans mellan grupperna", "Balance between the groups")
        .to_owned();
    Section {
        id: id.to_owned(),
        text: lang
            .pick(
                "Hur lika grupperna är på matchningsvariablerna. En standardiserad medelvärdesskillnad nära noll (under 0,1 i absolut värde) brukar räknas som god balans.",
                "How alike the groups are on the matching variables. A standardised mean difference near zero (below 0.1 in absolute value) is usually taken as good balance.",
            )
            .to_owned(),
        chart: None,
        tables: vec![Table {
            id: format!("{id}-tabell"),
            caption: heading.clone(),
            head: vec![
                lang.pick("Variabel", "Variable").into(),
                lang.pick("Fick insatsen", "Received the intervention").into(),
                lang.pick("Jämförelsegrupp", "Comparison group").into(),
                lang.pick(
                    "Standardiserad medelvärdesskillnad",
                    "Standardised mean difference",
                )
                .into(),
            ],
            rows: rows
                .iter()
                .map(|b| Row {
                    key: b.variable.clone(),
                    data: vec![
                        ("exposed", raw(Some(b.exposed))),
                        ("comparison", raw(Some(b.comparison))),
                        ("smd", raw(b.smd)),
                    ],
                    cells: vec![
                        label(&b.variable),
                        balance_value(&b.variable, b.exposed, lang),
                        balance_value(&b.variable, b.comparison, lang),
                        b.smd.map_or_else(
                            || {
                                lang.pick(
                                    "Ej tillämpligt – ingen spridning",
                                    "Not applicable – no spread",
                                )
                                .to_owned()
                            },
                            |d| grouped(d, 2, lang),
                        ),
                    ],
                })
                .collect(),
            long: false,
        }],
        notes: Vec::new(),
        heading,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use vardhub_engine::analysis::before_after::PeriodCost;
    use vardhub_engine::analysis::disclose::PublicCount;

    fn shown(v: u64) -> PublicCount {
        PublicCount {
            value: Some(v),
            status: Status::Ok,
        }
    }

    fn published(status: Status) -> PublicBeforeAfter {
        let ok = status == Status::Ok;
        let mean = |value: f64| MeanCi {
            value,
            lower: value * 0.8,
            upper: value * 1.2,
        };
        let group = |before: f64, after: f64| Group {
            patients: 40,
            before: Some(mean(before)),
            after: Some(mean(after)),
        };
        let effect = |estimate: f64| EffectCi {
            estimate,
            lower: estimate - 4_000.0,
            upper: estimate + 3_000.0,
            se: 1_800.0,
            df: 39.0,
        };
        PublicBeforeAfter {
            analysis: "mobila_team".into(),
            region: "17".into(),
            eligible: shown(900),
            exposed: shown(45),
            matched: shown(40),
            controls: PublicCount {
                value: None,
                status: Status::HiddenSecondary,
            },
            method: "grovmatchning (CEM) på region / coarsened exact matching".into(),
            status,
            exposed_group: ok.then(|| group(60_000.0, 30_000.0)),
            comparison_group: ok.then(|| group(58_000.0, 40_000.0)),
            naive: ok.then(|| effect(-30_000.0)),
            did: ok.then(|| effect(-12_000.5)),
            balance: vec![Balance {
                variable: "kvinnor".into(),
                exposed: 0.6,
                comparison: 0.55,
                smd: Some(-0.1),
            }],
            periods: vec![PeriodCost {
                from_day: -90,
                to_day: -60,
                exposed: 9_000.0,
                comparison: 8_000.0,
            }],
            policy: "p".into(),
        }
    }

    fn info() -> AnalysisInfo {
        let mut i = AnalysisInfo::unknown("mobila_team", "before_after");
        i.from_discharge = true;
        i
    }

    #[test]
    fn published_estimates_read_side_by_side_with_real_minus_signs() {
        let r = published(Status::Ok);
        let p = Panel::new("allman", "x".into(), false, "17", Lang::Sv);
        let p = panel(p, Some(&r), &info(), 10, Lang::Sv);
        assert!(p.note.is_none());
        let ids: Vec<&str> = p.sections.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "allman-grupper",
                "allman-effekt",
                "allman-perioder",
                "allman-medel",
                "allman-balans"
            ]
        );
        assert!(
            p.sections[0]
                .text
                .starts_with("Jämförelsegruppen: grovmatchning (CEM)")
        );
        assert!(p.sections[0].tables[0].rows[3].cells[1].starts_with("Dold"));
        let effects = &p.sections[1];
        assert!(effects.chart.is_some());
        assert!(effects.text.contains("regression mot medelvärdet"));
        assert_eq!(effects.tables[0].rows[0].cells[0], "Naiv före/efter");
        assert_eq!(
            effects.tables[0].rows[1].cells[1],
            "−12\u{a0}000\u{a0}kr (−16\u{a0}000\u{a0}kr – −9\u{a0}000\u{a0}kr)"
        );
        let periods = &p.sections[2];
        assert!(periods.chart.is_some());
        assert_eq!(periods.tables[0].rows[0].cells[0], "−90 till −61");
        assert_eq!(periods.tables[0].head[0], "Dagar från utskrivningen");
        let balance = &p.sections[4].tables[0].rows[0].cells;
        assert_eq!(balance[1], "60,0\u{a0}%");
        assert_eq!(balance[3], "−0,10");
    }

    #[test]
    fn hidden_estimates_say_why() {
        for (status, words) in [
            (Status::HiddenSmall, "minst 10 i varje grupp"),
            (Status::HiddenSecondary, "räkna fram dolda värden"),
            (Status::Zero, "Ingen patient i kohorten fick insatsen"),
        ] {
            let r = published(status);
            let p = Panel::new("allman", "x".into(), false, "17", Lang::Sv);
            let p = panel(p, Some(&r), &info(), 10, Lang::Sv);
            assert!(p.note.as_ref().unwrap().contains(words), "{status:?}");
            assert_eq!(p.sections.len(), 1, "{status:?}: the counts only");
        }
        let p = Panel::new("allman", "x".into(), false, "17", Lang::En);
        let p = panel(p, Some(&published(Status::Ok)), &info(), 10, Lang::En);
        assert_eq!(
            p.sections[1].tables[0].rows[1].cells[0],
            "Difference-in-differences (against comparison group)"
        );
        assert!(p.sections[0].text.ends_with("coarsened exact matching."));
    }
}
