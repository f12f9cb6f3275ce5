//! The region report as a PDF document (see [`crate::pdf`]), from the same [`Report`] the page
//! shows, and the "how to read" sentences both use.

use super::content::{Finding, Report, title};
use crate::i18n::Lang;
use crate::pdf::{Block, Document, Table, render};
use vardhub_domain::RegionCode;

/// How to read the report: the sentences under "Så läser du rapporten" on the page and in the PDF.
pub fn method(lang: Lang) -> Vec<String> {
    [
        (
            "Värdena är regionens senaste redovisade värden för alla kön och åldrar; perioden anges för varje indikator. Ett värde som inte redovisas (dolt för att skydda enskilda, eller utan levererade data) visas med sin status, aldrig som en siffra.",
            "The values are the region's latest shown values for all sexes and ages; the period is given for each indicator. A value that is not shown (hidden to protect individuals, or without delivered data) is given with its status, never as a number.",
        ),
        (
            "Jämförelsen med riket är en trattdiagramsbedömning på 95 % nivå: signifikant bättre eller sämre betyder att regionens värde ligger utanför det intervall som slumpen förklarar vid regionens antal fall.",
            "The comparison with Sweden is a funnel-plot assessment at the 95 % level: significantly better or worse means that the region's value lies outside the range chance explains at the region's number of cases.",
        ),
        (
            "Trenden jämför det senaste värdet med samma period ett år tidigare, eller, när det saknas, med den tidigaste redovisade perioden av samma slag. En förändring anges bara när de två 95 % konfidensintervallen inte överlappar; annars står det att ingen säker förändring finns.",
            "The trend compares the latest value with the same period a year earlier or, when there is none, with the earliest shown period of the same kind. A change is stated only when the two 95 % confidence intervals do not overlap; otherwise the report says there is no clear change.",
        ),
        (
            "Styrkor är indikatorer där regionen är signifikant bättre än riket eller når målnivån; svagheter är indikatorer där regionen är signifikant sämre än riket eller inte når målnivån. En indikator kan vara både och.",
            "Strengths are indicators where the region is significantly better than Sweden or meets the target; weaknesses are those where it is significantly worse than Sweden or misses the target. An indicator can be both.",
        ),
    ]
    .iter()
    .map(|(sv, en)| lang.pick(sv, en).to_owned())
    .collect()
}

fn findings(list: &[Finding], none: &str) -> Block {
    if list.is_empty() {
        return Block::Paragraph(none.to_owned());
    }
    Block::Bullets(
        list.iter()
            .map(|f| format!("{}: {}", f.title, f.why))
            .collect(),
    )
}

/// The report's document.
pub fn document(r: &Report, lang: Lang) -> Document {
    let code = RegionCode::parse(&r.code).ok();
    let heading = code.map_or_else(|| r.name.clone(), |c| title(c, lang).1);
    let mut blocks = vec![
        Block::Heading(lang.pick("Styrkor", "Strengths").into()),
        findings(
            &r.strengths,
            lang.pick(
                "Inga indikatorer är signifikant bättre än riket eller når målnivån.",
                "No indicator is significantly better than Sweden or meets its target.",
            ),
        ),
        Block::Heading(lang.pick("Svagheter", "Weaknesses").into()),
        findings(
            &r.weaknesses,
            lang.pick(
                "Inga indikatorer är signifikant sämre än riket eller missar målnivån.",
                "No indicator is significantly worse than Sweden or misses its target.",
            ),
        ),
    ];
    if !r.unassessed.is_empty() {
        blocks.push(Block::Heading(
            lang.pick("Redovisas inte", "Not shown").into(),
        ));
        blocks.push(findings(&r.unassessed, ""));
    }
    blocks.push(Block::Heading(
        lang.pick("Alla indikatorer", "All indicators").into(),
    ));
    if r.rows.is_empty() {
        blocks.push(Block::Paragraph(
            lang.pick(
                "Inga indikatorvärden är beräknade ännu.",
                "No indicator values have been computed yet.",
            )
            .into(),
        ));
    } else {
        blocks.push(Block::Table(Table {
            columns: vec![
                (lang.pick("Indikator", "Indicator").into(), 2.6),
                (lang.pick("Period", "Period").into(), 1.2),
                (r.name.clone(), 1.5),
                (lang.pick("Riket", "Sweden").into(), 1.3),
                (lang.pick("Målnivå nådd", "Target met").into(), 1.1),
                (
                    lang.pick("Jämfört med riket", "Compared with Sweden")
                        .into(),
                    1.4,
                ),
                (lang.pick("Trend", "Trend").into(), 2.6),
            ],
            rows: r
                .rows
                .iter()
                .map(|row| {
                    let value = if row.shown {
                        row.value.clone()
                    } else {
                        row.status.clone()
                    };
                    let met = if row.target.is_empty() {
                        lang.pick("Inget mål", "No target").to_owned()
                    } else {
                        format!(
                            "{} ({} {})",
                            row.met,
                            lang.pick("mål", "target"),
                            row.target
                        )
                    };
                    vec![
                        row.title.clone(),
                        row.period_text.clone(),
                        value,
                        row.sweden.clone(),
                        met,
                        row.flag.clone(),
                        row.trend.clone(),
                    ]
                })
                .collect(),
        }));
    }
    blocks.push(Block::Heading(
        lang.pick("Datakvalitet", "Data quality").into(),
    ));
    if r.quality.is_empty() {
        blocks.push(Block::Paragraph(
            lang.pick(
                "Regionen har levererat varje månad utan anmärkning.",
                "The region delivered every month without remarks.",
            )
            .into(),
        ));
    }
    for q in &r.quality {
        blocks.push(Block::Paragraph(format!(
            "{}: {}",
            q.collection_title, q.note.text
        )));
    }
    blocks.push(Block::Heading(
        lang.pick("Så läser du rapporten", "How to read the report")
            .into(),
    ));
    blocks.extend(method(lang).into_iter().map(Block::Paragraph));
    let mut subtitle = Vec::new();
    if !r.updated.is_empty() {
        subtitle.push(format!(
            "{}: {}",
            lang.pick("Senast uppdaterad", "Last updated"),
            r.updated
        ));
    }
    subtitle.push(
        lang.pick(
            "Vårddatahubben – endast syntetiska data",
            "Vårddatahubben – synthetic data only",
        )
        .into(),
    );
    Document {
        title: heading,
        subtitle,
        blocks,
        footer: lang
            .pick(
                "Endast syntetiska data",
                "Endast syntetiska data – synthetic data only",
            )
            .into(),
        page_words: (
            lang.pick("Sida", "Page").into(),
            lang.pick("av", "of").into(),
        ),
    }
}

/// The report's PDF bytes.
pub fn pdf(r: &Report, lang: Lang) -> Vec<u8> {
    render(&document(r, lang))
}
