//! Cost over time as a [`Panel`]: the patients, then (a) the mean cost per patient and month
//! relative to time zero with its 95 % band, for all forms of care together and per form, with
//! the number of patients observed each month (the table says it month by month, hidden months
//! with their status in words), and (b) the cost after time zero with its interval and how
//! concentrated it is on the costliest patients. The chart is followed by its table.
//!
//! The input has the published shape: the public result (from `analysis::public_all`) or an
//! analyst's own unsuppressed result with every value shown.

use super::analyses::{Chart, Fact, Panel, Row, Section, Table, time_zero_words};
use super::analysis_text::{count, kronor, kronor_ci, raw, raw_count, status_words};
use super::cost_parts::{concentration_table, measure_row, measure_table};
use crate::analyses::AnalysisInfo;
use crate::charts::{self, LineAxes, LinePoint, described};
use crate::i18n::{Lang, grouped};
use vardhub_engine::analysis::PublicCostOverTime;
use vardhub_engine::analysis::cost_time::{CostAfter, FORMS, MonthPoint};
use vardhub_engine::analysis::disclose_kinds::PublicMonth;
use vardhub_engine::disclosure::Status;

/// A form of care by its code (`SV`, `OV`, `PV`), in words with the code.
pub fn form_name(code: &str, lang: Lang) -> String {
    let name = match code {
        "SV" => lang.pick("Slutenvård", "Inpatient care"),
        "OV" => lang.pick("Öppen specialistvård", "Specialist outpatient care"),
        "PV" => lang.pick("Primärvård", "Primary care"),
        other => other,
    };
    format!("{name} ({code})")
}

/// A month relative to time zero: `−12`, …, `0 (index)`, …, `11`.
fn month_label(m: i32, lang: Lang) -> String {
    if m == 0 {
        "0 (index)".to_owned()
    } else {
        grouped(f64::from(m), 0, lang)
    }
}

/// Fill the panel `p` with `result` (`None`: no patient in the cohort in its area).
/// `min_cost_patients`: the least number of patients behind a published mean.
pub fn panel(
    mut p: Panel,
    result: Option<&PublicCostOverTime>,
    info: &AnalysisInfo,
    min_cost_patients: u64,
    lang: Lang,
) -> Panel {
    let patients = |value: String| Fact {
        key: "patienter",
        label: lang.pick("Patienter", "Patients").to_owned(),
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
    p.facts.push(patients(count(&r.patients, lang)));
    if r.months.is_empty() {
        p.note = Some(
            lang.pick(
                "Resultaten visas inte: för få patienter i kohorten.",
                "The results are not shown: too few patients in the cohort.",
            )
            .to_owned(),
        );
        return p;
    }
    let key = |s: &str| format!("{}-{s}", p.id);
    let months_after = info.months.map_or_else(
        || r.months.iter().filter(|m| m.month >= 0).count() as u32,
        |m| m.1,
    );
    p.sections = vec![
        months(&key("manader"), r, info, min_cost_patients, lang),
        after(&key("efter"), r.after.as_ref(), months_after, lang),
    ];
    p
}

/// Why a month's means are not shown, in words.
fn month_hidden(m: &PublicMonth, min_cost_patients: u64, lang: Lang) -> String {
    match m.patients.value {
        None => status_words(m.patients.status, lang),
        Some(0) => lang
            .pick("Inga patienter observerade", "No patients observed")
            .to_owned(),
        Some(n) if n < min_cost_patients => lang
            .pick(
                "Dold – för få patienter för ett medelvärde",
                "Hidden – too few patients for a mean",
            )
            .to_owned(),
        Some(_) => status_words(Status::HiddenSecondary, lang),
    }
}

/// A month's mean cost with its interval (none with a single patient).
fn month_cost(v: &MonthPoint, lang: Lang) -> String {
    match (v.lower, v.upper) {
        (Some(lo), Some(hi)) => kronor_ci(v.cost, lo, hi, lang),
        _ => format!(
            "{} ({})",
            kronor(v.cost, lang),
            lang.pick("inget intervall – en patient", "no interval – one patient")
        ),
    }
}

fn months(
    id: &str,
    r: &PublicCostOverTime,
    info: &AnalysisInfo,
    min_cost_patients: u64,
    lang: Lang,
) -> Section {
    let all = lang.pick("Alla vårdformer", "All forms of care").to_owned();
    let series: Vec<String> = std::iter::once(all.clone())
        .chain(FORMS.iter().map(|f| form_name(f, lang)))
        .collect();
    let mut points = Vec::new();
    let mut rows = Vec::new();
    let mut hidden = 0;
    for m in &r.months {
        let x = f64::from(m.month);
        let form = |v: &MonthPoint, f: &str| v.by_form.iter().find(|b| b.form == f).map(|b| b.cost);
        points.push(LinePoint {
            series: all.clone(),
            x,
            y: m.values.as_ref().map(|v| v.cost),
            lower: m.values.as_ref().and_then(|v| v.lower),
            upper: m.values.as_ref().and_then(|v| v.upper),
        });
        for (f, name) in FORMS.iter().zip(&series[1..]) {
            points.push(LinePoint {
                series: name.clone(),
                x,
                y: m.values.as_ref().and_then(|v| form(v, f)),
                lower: None,
                upper: None,
            });
        }
        let mut data = vec![
            ("month", m.month.to_string()),
            ("patients", raw_count(&m.patients)),
        ];
        let cells = match &m.values {
            Some(v) => {
                data.extend([
                    ("cost", raw(Some(v.cost))),
                    ("lower", raw(v.lower)),
                    ("upper", raw(v.upper)),
                    ("contacts", raw(Some(v.contacts))),
                ]);
                let mut cells = vec![
                    month_label(m.month, lang),
                    count(&m.patients, lang),
                    month_cost(v, lang),
                ];
                cells.extend(
                    FORMS
                        .iter()
                        .map(|f| form(v, f).map_or_else(|| "–".to_owned(), |c| kronor(c, lang))),
                );
                cells.push(grouped(v.contacts, 2, lang));
                cells
            }
            None => {
                hidden += 1;
                data.push(("cost", String::new()));
                let mut cells = vec![
                    month_label(m.month, lang),
                    count(&m.patients, lang),
                    month_hidden(m, min_cost_patients, lang),
                ];
                cells.extend(std::iter::repeat_n("–".to_owned(), FORMS.len() + 1));
                cells
            }
        };
        rows.push(Row {
            key: m.month.to_string(),
            data,
            cells,
        });
    }
    let heading = lang
        .pick(
            "Kostnad per patient och månad",
            "Cost per patient and month",
        )
        .to_owned();
    let zero = time_zero_words(info, lang);
    let x_title = format!(
        "{} (0 = {zero})",
        lang.pick("Månad från indextillfället", "Month from the index event")
    );
    let y_title = lang.pick("Kostnad per patient (kr)", "Cost per patient (SEK)");
    let mut notes = Vec::new();
    if hidden > 0 {
        notes.push(format!(
            "{} {} {} {}",
            grouped(f64::from(hidden), 0, lang),
            lang.pick("av", "of"),
            grouped(r.months.len() as f64, 0, lang),
            lang.pick(
                "månader visas inte; tabellen säger varför för varje månad.",
                "months are not shown; the table says why for each month."
            ),
        ));
    }
    let any = r.months.iter().any(|m| m.values.is_some());
    Section {
        id: id.to_owned(),
        text: format!(
            "{} {}",
            lang.pick(
                "Medelkostnad per patient och månad före och efter indextillfället (månad 0 börjar vid det), med 95 % konfidensband för alla vårdformer tillsammans, och per vårdform.",
                "Mean cost per patient and month before and after the index event (month 0 starts at it), with 95 % confidence band for all forms of care together, and per form of care.",
            ),
            lang.pick(
                "Antalet patienter skiljer sig mellan månaderna: en patient räknas bara i månader som ligger helt inom de levererade uppgifterna och medan patienten lever.",
                "The number of patients differs between months: a patient counts only in months that lie wholly inside the delivered data and while the patient is alive.",
            )
        ),
        chart: any.then(|| Chart {
            id: format!("{id}-diagram"),
            spec: described(
                charts::lines(
                    &points,
                    &LineAxes {
                        x: &x_title,
                        y: y_title,
                        zero: "index",
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
                lang.pick("Månad", "Month").into(),
                lang.pick("Patienter observerade", "Patients observed").into(),
                format!(
                    "{} ({})",
                    lang.pick("Medelkostnad", "Mean cost"),
                    lang.pick("95 % KI", "95 % CI")
                ),
            ]
            .into_iter()
            .chain(FORMS.iter().map(|f| form_name(f, lang)))
            .chain(std::iter::once(
                lang.pick("Kontakter per patient", "Contacts per patient").into(),
            ))
            .collect(),
            rows,
            long: r.months.len() > 12,
        }],
        notes,
        heading,
    }
}

fn after(id: &str, after: Option<&CostAfter>, months: u32, lang: Lang) -> Section {
    let heading = lang
        .pick(
            "Kostnad per patient efter indextillfället",
            "Cost per patient after the index event",
        )
        .to_owned();
    let mut section = Section {
        id: id.to_owned(),
        text: format!(
            "{} {months} {}",
            lang.pick(
                "Kostnaden för alla länkade kontakter under de",
                "The cost of all linked contacts in the"
            ),
            lang.pick(
                "månaderna från indextillfället, bland patienter som följts hela perioden eller till döden, och hur stor del av den som bärs av de dyraste patienterna.",
                "months from the index event, among patients followed the whole period or until death, and how much of it the costliest patients bear.",
            )
        ),
        chart: None,
        tables: Vec::new(),
        notes: Vec::new(),
        heading,
    };
    let Some(a) = after else {
        section.notes.push(
            lang.pick(
                "Kostnaden efter indextillfället visas inte: för få patienter har följts hela perioden eller till döden.",
                "The cost after the index event is not shown: too few patients have been followed for the whole period or until death.",
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
                    "Patienter med hela perioden",
                    "Patients followed throughout",
                ),
                grouped(a.patients as f64, 0, lang),
                a.patients.to_string(),
            ),
            measure_row(
                "medel",
                lang.pick(
                    "Medelkostnad per patient (95 % KI)",
                    "Mean cost per patient (95 % CI)",
                ),
                kronor_ci(a.mean, a.lower, a.upper, lang),
                raw(Some(a.mean)),
            ),
        ],
        lang,
    ));
    section.tables.push(concentration_table(
        format!("{id}-koncentration"),
        &a.concentration,
        a.mean,
        lang,
    ));
    section
}

#[cfg(test)]
mod tests {
    use super::*;
    use vardhub_engine::analysis::chain::Concentration;
    use vardhub_engine::analysis::cost_time::FormMonth;
    use vardhub_engine::analysis::disclose::PublicCount;

    fn month(m: i32, patients: Option<u64>, values: bool) -> PublicMonth {
        PublicMonth {
            month: m,
            patients: PublicCount {
                value: patients,
                status: if patients.is_some() {
                    Status::Ok
                } else {
                    Status::HiddenSmall
                },
            },
            values: values.then(|| MonthPoint {
                month: m,
                patients: patients.unwrap_or(0),
                cost: 12_345.6,
                lower: Some(10_000.0),
                upper: Some(14_700.0),
                contacts: 1.25,
                by_form: FORMS
                    .iter()
                    .map(|f| FormMonth {
                        form: (*f).to_owned(),
                        cost: 4_115.2,
                        contacts: 0.4,
                    })
                    .collect(),
            }),
        }
    }

    #[test]
    fn shown_and_hidden_months_read_in_words_and_swedish_numbers() {
        let r = PublicCostOverTime {
            analysis: "a".into(),
            region: "00".into(),
            patients: PublicCount {
                value: Some(40),
                status: Status::Ok,
            },
            months: vec![
                month(-2, None, false),
                month(-1, Some(7), false),
                month(0, Some(40), true),
                month(1, Some(30), false),
            ],
            after: Some(CostAfter {
                patients: 20,
                mean: 80_000.0,
                lower: 60_000.0,
                upper: 100_000.0,
                concentration: [0.01, 0.05, 0.1].map(|top| Concentration {
                    top,
                    patients: 1,
                    share: None,
                }),
            }),
            policy: "p".into(),
        };
        let info = AnalysisInfo::unknown("a", "cost_over_time");
        let p = panel(
            Panel::new("allman", "x".into(), false, "00", Lang::Sv),
            Some(&r),
            &info,
            10,
            Lang::Sv,
        );
        let t = &p.sections[0].tables[0];
        let cells = |k: &str| &t.rows.iter().find(|r| r.key == k).unwrap().cells;
        assert_eq!(cells("-2")[0], "−2");
        assert_eq!(cells("-2")[1], "Dold – för få patienter");
        assert_eq!(cells("-1")[2], "Dold – för få patienter för ett medelvärde");
        assert!(cells("1")[2].starts_with("Dold – annars"));
        assert_eq!(
            cells("0")[2],
            "12\u{a0}346\u{a0}kr (10\u{a0}000\u{a0}kr – 14\u{a0}700\u{a0}kr)"
        );
        assert_eq!(cells("0")[0], "0 (index)");
        assert_eq!(cells("0")[6], "1,25");
        assert!(p.sections[0].chart.is_some());
        assert_eq!(p.sections[0].notes.len(), 1);
        let after = &p.sections[1].tables;
        assert_eq!(after[0].rows[1].data[0].1, "80000");
        assert_eq!(after[1].rows[0].cells[2], "Dold – för få patienter");
    }
}
