//! Track A import: developer-made files in the shapes sources publish (Windows-1252, semicolons,
//! decimal comma, non-breaking spaces, mixed periods, Riket and region names, suppression
//! markers), and broken ones, checked against the report's findings exactly.

use vardhub_domain::external::{ExternalSex, SourceStatus};
use vardhub_ingest::external::{ReadOptions, read};
use vardhub_ingest::{Lang, Severity};
use vardhub_store::DeliveryStatus;

const QUIRKY: &[u8] = include_bytes!("../data/external/quirky.csv");
const BROKEN: &[u8] = include_bytes!("../data/external/broken.csv");

/// (severity, rule, line, field, value) of a finding.
type Finding = (
    Severity,
    String,
    Option<u64>,
    Option<String>,
    Option<String>,
);

/// A row as (indicator, area, period, sex, status, value, numerator, denominator).
type RowView = (
    String,
    &'static str,
    String,
    &'static str,
    SourceStatus,
    Option<f64>,
    Option<u64>,
    Option<u64>,
);

/// Every finding of a report.
fn findings(r: &vardhub_ingest::external::ExternalReport) -> Vec<Finding> {
    r.issues
        .iter()
        .map(|i| {
            (
                i.severity,
                i.rule.to_string(),
                i.row,
                i.field.clone(),
                i.value.clone(),
            )
        })
        .collect()
}

#[test]
fn the_files_really_are_windows_1252() {
    assert!(String::from_utf8(QUIRKY.to_vec()).is_err());
    assert!(QUIRKY.contains(&0xA0), "non-breaking spaces");
    assert!(QUIRKY.contains(&0x96), "en dashes");
    assert!(QUIRKY.contains(&0xE4), "ä");
}

#[test]
fn a_quirky_file_maps_to_the_hubs_codes() {
    let r = read(
        "quirky.csv",
        QUIRKY,
        "socialstyrelsen",
        &ReadOptions::default(),
    );
    let rep = &r.report;
    assert_eq!(rep.status, DeliveryStatus::AcceptedWithWarnings);
    assert_eq!(rep.encoding.as_deref(), Some("Windows-1252"));
    assert_eq!(rep.separator.as_deref(), Some("';'"));
    assert_eq!(
        (rep.rows_read, rep.rows_valid, rep.rows_with_errors),
        (15, 15, 0)
    );
    assert_eq!(
        findings(rep),
        vec![(
            Severity::Warning,
            "unknown_column".into(),
            Some(1),
            Some("Färg".into()),
            None
        )]
    );
    let got: Vec<RowView> = r
        .rows
        .iter()
        .map(|v| {
            (
                v.indicator.to_string(),
                v.area.code(),
                v.period.code(),
                v.sex.code(),
                v.status,
                v.value,
                v.numerator,
                v.denominator,
            )
        })
        .collect();
    let s = "andel-som-lever-30-dagar-efter-stroke".to_owned();
    let w = "vantetid-till-operation-median-dagar".to_owned();
    use SourceStatus as St;
    let want = vec![
        (
            s.clone(),
            "00",
            "2018".into(),
            "alla",
            St::Value,
            Some(85.3),
            Some(21950),
            Some(25732),
        ),
        (
            s.clone(),
            "01",
            "2017-2018".into(),
            "2",
            St::Value,
            Some(86.1),
            Some(2345),
            Some(2723),
        ),
        (
            s.clone(),
            "14",
            "2018-K1".into(),
            "1",
            St::Value,
            Some(84.0),
            Some(1234),
            Some(1469),
        ),
        (
            s.clone(),
            "23",
            "2018-01".into(),
            "2",
            St::Missing,
            None,
            None,
            None,
        ),
        (
            s.clone(),
            "23",
            "2018-01".into(),
            "1",
            St::Suppressed,
            None,
            None,
            None,
        ),
        (
            s.clone(),
            "01",
            "2018".into(),
            "alla",
            St::Value,
            Some(90.0),
            Some(3),
            Some(3),
        ),
        (
            s.clone(),
            "12",
            "2018".into(),
            "alla",
            St::Nil,
            None,
            None,
            None,
        ),
        (
            s.clone(),
            "12",
            "2018".into(),
            "2",
            St::Suppressed,
            None,
            None,
            None,
        ),
        (
            s.clone(),
            "09",
            "2018".into(),
            "alla",
            St::NotApplicable,
            None,
            None,
            None,
        ),
        (
            s.clone(),
            "03",
            "2018".into(),
            "alla",
            St::Suppressed,
            None,
            None,
            None,
        ),
        (
            s.clone(),
            "18",
            "2018".into(),
            "alla",
            St::Suppressed,
            None,
            None,
            None,
        ),
        (
            s.clone(),
            "20",
            "2018".into(),
            "alla",
            St::Nil,
            None,
            None,
            None,
        ),
        (
            s.clone(),
            "10",
            "2018".into(),
            "alla",
            St::Suppressed,
            None,
            None,
            None,
        ),
        (
            w.clone(),
            "00",
            "R12-2018-06".into(),
            "alla",
            St::Value,
            Some(45.5),
            None,
            None,
        ),
        (
            w.clone(),
            "08",
            "2018-K2".into(),
            "alla",
            St::Value,
            Some(1234.5),
            Some(120),
            None,
        ),
    ];
    assert_eq!(got, want);
    let first = &r.rows[0];
    assert_eq!((first.lower, first.upper), (Some(84.9), Some(85.7)));
    assert_eq!(
        first.indicator_name,
        "Andel som lever 30 dagar efter stroke"
    );
    assert_eq!(r.rows[14].lower, Some(1200.0));
    assert_eq!(
        r.rows[3].footnote.as_deref(),
        Some("Uppgift saknas hos källan")
    );
    assert_eq!(
        rep.indicators
            .iter()
            .map(|i| (i.id.as_str(), i.rows))
            .collect::<Vec<_>>(),
        vec![(s.as_str(), 13), (w.as_str(), 2)]
    );
    let sv = rep.summary(Lang::Sv);
    assert!(sv.contains("GODKÄND MED ANMÄRKNINGAR"), "{sv}");
    assert!(
        sv.contains("quirky.csv:rad 1 [Färg] (unknown_column)"),
        "{sv}"
    );
    assert!(rep.summary(Lang::En).contains("15 rows read, 15 valid"));
}

#[test]
fn a_broken_file_names_every_problem_and_is_rejected_over_the_error_share() {
    let r = read(
        "broken.csv",
        BROKEN,
        "socialstyrelsen",
        &ReadOptions::default(),
    );
    let rep = &r.report;
    let pnr_masked = rep
        .issues
        .iter()
        .find(|i| i.rule == "identity_number")
        .unwrap();
    let masked = pnr_masked.value.clone().unwrap();
    assert!(
        !masked.contains("19800102-2386") && !masked.contains("8001022386"),
        "{masked}"
    );
    let f = |sev, rule: &str, line, field: &str, value: Option<&str>| {
        (
            sev,
            rule.to_owned(),
            line,
            Some(field.to_owned()),
            value.map(str::to_owned),
        )
    };
    let mut want = vec![
        f(Severity::Warning, "unknown_column", Some(1), "Färg", None),
        f(
            Severity::Error,
            "area",
            Some(19),
            "region",
            Some("Stockholmm"),
        ),
        f(
            Severity::Error,
            "period",
            Some(20),
            "period",
            Some("2019 kv5"),
        ),
        f(
            Severity::Error,
            "unit_without_code_list",
            Some(21),
            "region",
            Some("Sahlgrenska Universitetssjukhuset"),
        ),
        f(
            Severity::Warning,
            "identity_number",
            Some(22),
            "fotnot",
            Some(&masked),
        ),
    ];
    let mut fatal = want.clone();
    fatal.push((Severity::Fatal, "error_threshold".into(), None, None, None));
    assert_eq!(findings(rep), fatal);
    assert_eq!(rep.status, DeliveryStatus::Rejected);
    assert!(r.rows.is_empty(), "a rejected file yields no row");
    assert_eq!((rep.rows_read, rep.rows_with_errors), (21, 3));
    assert!(
        rep.issues
            .last()
            .unwrap()
            .message_en
            .contains("3 of 21 rows have errors (14.3 %)")
    );

    // With a more lenient share the same file is accepted without the three rows, and the
    // footnote is stored masked.
    let lenient = ReadOptions {
        max_error_share: 0.2,
    };
    let r = read("broken.csv", BROKEN, "Socialstyrelsen", &lenient);
    assert_eq!(r.report.status, DeliveryStatus::AcceptedWithWarnings);
    assert_eq!(findings(&r.report), {
        want.truncate(5);
        want
    });
    assert_eq!((r.report.rows_valid, r.rows.len()), (18, 18));
    let note = r.rows.last().unwrap().footnote.clone().unwrap();
    assert!(
        note.starts_with("Kontrollerad mot ") && !note.contains("0102-2386"),
        "{note}"
    );
    assert_eq!(r.rows.last().unwrap().sex, ExternalSex::Total);
}

#[test]
fn utf16_unknown_source_and_unknown_layout_are_fatal() {
    let text =
        String::from_utf8_lossy(b"Indikator;Region;Period;V\xc3\xa4rde\r\nx;Riket;2018;1\r\n")
            .into_owned();
    let mut utf16 = vec![0xFF, 0xFE];
    utf16.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    let r = read(
        "wide.csv",
        &utf16,
        "socialstyrelsen",
        &ReadOptions::default(),
    );
    assert_eq!(r.report.status, DeliveryStatus::Rejected);
    assert_eq!(
        findings(&r.report),
        vec![(Severity::Fatal, "encoding".into(), None, None, None)]
    );
    assert!(r.report.issues[0].message_sv.contains("UTF-16"));
    // The same text as UTF-8 with a BOM reads.
    let mut bom = vec![0xEF, 0xBB, 0xBF];
    bom.extend(text.as_bytes());
    let ok = read("bom.csv", &bom, "socialstyrelsen", &ReadOptions::default());
    assert_eq!(ok.report.status, DeliveryStatus::Accepted);
    assert_eq!(ok.report.encoding.as_deref(), Some("UTF-8 (BOM)"));

    let r = read(
        "quirky.csv",
        QUIRKY,
        "Vårdguiden 19800102-2386",
        &ReadOptions::default(),
    );
    assert_eq!(
        findings(&r.report),
        vec![(Severity::Fatal, "unknown_source".into(), None, None, None)]
    );
    assert!(!r.report.issues[0].message_sv.contains("0102-2386"));
    assert!(r.rows.is_empty());

    let r = read(
        "layout.csv",
        "Indikator;Område;Tid\nx;Riket;2018\n".as_bytes(),
        "pvk",
        &ReadOptions::default(),
    );
    assert_eq!(
        findings(&r.report),
        vec![(
            Severity::Fatal,
            "columns".into(),
            Some(1),
            Some("värde".into()),
            None
        )]
    );
}

#[test]
fn tabs_commas_narrow_spaces_and_row_errors() {
    // UTF-8 with TAB separators and narrow non-breaking spaces (impossible in Windows-1252).
    let text = "indicator\tarea\tyear\tsex\tvalue\tnumerator\tdenominator\tci lower\tci upper\n\
                PVK-1\tSweden\t2020\tWomen\t1\u{202f}234,5\t7\t9\t1\u{202f}000\t1\u{202f}500\n\
                PVK-1\tSweden\t2020\tWomen\t3\t1\t2\t\t\n\
                PVK-1\tRegion Gävleborg\t2020\tboth\t3\t9\t7\t\t\n\
                PVK-1\tRegion Halland\t2020\tT\tabc\t\t\t\t\n\
                PVK-1\tRegion Halland\t2020\tokänt\t5\t\t\t\t\n\
                PVK-1\tRegion Halland\t2020\n";
    let lenient = ReadOptions {
        max_error_share: 1.0,
    };
    let r = read("tab.tsv", text.as_bytes(), "primarvardskvalitet", &lenient);
    assert_eq!(r.report.separator.as_deref(), Some("TAB"));
    assert_eq!(r.report.encoding.as_deref(), Some("UTF-8"));
    assert_eq!(r.rows.len(), 1);
    assert_eq!(r.rows[0].value, Some(1234.5));
    assert_eq!(
        (r.rows[0].lower, r.rows[0].upper),
        (Some(1000.0), Some(1500.0))
    );
    let got: Vec<(String, Option<u64>)> = r
        .report
        .issues
        .iter()
        .map(|i| (i.rule.to_string(), i.row))
        .collect();
    let want: Vec<(String, Option<u64>)> = [
        ("duplicate", 3),
        ("numerator_gt_denominator", 4),
        ("type", 5),
        ("sex", 6),
        ("columns", 7),
    ]
    .into_iter()
    .map(|(r, l)| (r.to_owned(), Some(l)))
    .collect();
    assert_eq!(got, want);
    assert_eq!((r.report.rows_read, r.report.rows_with_errors), (6, 5));

    let comma = "Indikator,Region,År,Värde\nx,Riket,2018,\"12,5\"\n";
    let r = read("c.csv", comma.as_bytes(), "npe", &ReadOptions::default());
    assert_eq!(r.rows[0].value, Some(12.5));
    assert_eq!(r.report.status, DeliveryStatus::Accepted);
}
