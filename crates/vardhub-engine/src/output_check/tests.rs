use super::*;
use crate::disclosure::DEFAULT_POLICY_TOML;

fn checker() -> OutputChecker {
    OutputChecker::new(&DisclosurePolicy::default_public())
}

fn cell(label: &str, count: u64) -> OutputCell {
    OutputCell {
        label: label.to_owned(),
        count,
        magnitude: None,
    }
}

fn cost(label: &str, count: u64, total: f64, largest: &[f64]) -> OutputCell {
    OutputCell {
        magnitude: Some(Magnitude {
            total,
            largest: largest.to_vec(),
        }),
        ..cell(label, count)
    }
}

fn table(id: &str, cells: Vec<OutputCell>) -> OutputTable {
    OutputTable {
        id: id.to_owned(),
        cells,
    }
}

fn rules_of(report: &OutputCheckReport) -> Vec<(String, &'static str)> {
    report
        .flags()
        .map(|f| (f.cell.clone(), f.reason.rule()))
        .collect()
}

#[test]
fn the_minimum_count_comes_from_the_policy() {
    assert_eq!(checker().min_count(), 5);
    let ten = DEFAULT_POLICY_TOML.replacen("min_count = 5", "min_count = 10", 1);
    let ten = OutputChecker::new(&DisclosurePolicy::parse(&ten).unwrap());
    assert_eq!(ten.min_count(), 10);
    let t = table("t", vec![cell("A", 7)]);
    assert_eq!(
        ten.check(&t, &[]).unwrap().verdict(),
        MachineVerdict::ReviewRequired
    );
    assert_eq!(
        checker().check(&t, &[]).unwrap().verdict(),
        MachineVerdict::Pass
    );
    let off = DEFAULT_POLICY_TOML.replacen("min_count = 5", "min_count = 0", 1);
    let off = OutputChecker::new(&DisclosurePolicy::parse(&off).unwrap());
    let one = table("t", vec![cell("A", 1)]);
    assert_eq!(
        off.check(&one, &[]).unwrap().verdict(),
        MachineVerdict::Pass
    );
}

#[test]
fn a_small_cell_is_flagged_and_zero_is_not() {
    let t = table(
        "utdata-1",
        vec![
            cell("Region Skåne; I21; 2023", 3),
            cell("Region Gotland; I21; 2023", 0),
            cell("Region Uppsala; I21; 2023", 12),
        ],
    );
    let report = checker().check(&t, &[]).unwrap();
    assert_eq!(report.verdict(), MachineVerdict::ReviewRequired);
    assert_eq!(report.output(), "utdata-1");
    assert_eq!(report.policy(), ("vardhub-public", 4));
    assert_eq!(
        rules_of(&report),
        vec![("Region Skåne; I21; 2023".to_owned(), "small_cell")]
    );
    let verdicts: Vec<_> = report.cells().iter().map(|c| c.verdict()).collect();
    assert_eq!(
        verdicts,
        vec![
            MachineVerdict::ReviewRequired,
            MachineVerdict::Pass,
            MachineVerdict::Pass
        ]
    );
    let msg = report.cells()[0].flags()[0].to_string();
    assert!(msg.contains("Cell ”Region Skåne; I21; 2023”, regel small_cell: antalet 3"));
    assert!(msg.contains("Cell \"Region Skåne; I21; 2023\", rule small_cell: the count 3"));
    assert!(msg.contains("between 1 and 4"), "{msg}");
    for c in 1..5 {
        let t = table("t", vec![cell("A", c)]);
        assert_eq!(
            checker().check(&t, &[]).unwrap().verdict(),
            MachineVerdict::ReviewRequired
        );
    }
}

#[test]
fn a_dominated_magnitude_cell_is_flagged() {
    let t = table(
        "kostnader",
        vec![
            // One patient is 60 % of the cell's cost: (1, 50 %).
            cost("Skåne; kostnad", 40, 100_000.0, &[5_000.0, 60_000.0]),
            // Two patients are 91 %: (2, 90 %) only.
            cost("Uppsala; kostnad", 30, 100_000.0, &[46_000.0, 45_000.0]),
            // Exactly 50 % and 90 % are not *more than* the thresholds.
            cost("Örebro; kostnad", 30, 100_000.0, &[50_000.0, 40_000.0]),
            // A zero total cannot be dominated.
            cost("Gotland; kostnad", 0, 0.0, &[]),
        ],
    );
    let report = checker().check(&t, &[]).unwrap();
    assert_eq!(
        rules_of(&report),
        vec![
            ("Skåne; kostnad".to_owned(), "dominance"),
            ("Uppsala; kostnad".to_owned(), "dominance"),
        ]
    );
    let skane = &report.cells()[0].flags()[0];
    assert!(matches!(skane.reason, Reason::Dominance { n: 1, .. }));
    assert!(
        skane
            .message_sv()
            .contains("de 1 största bidragen är 60.0 % av cellens summa")
    );
    let uppsala = &report.cells()[1].flags()[0];
    assert!(matches!(uppsala.reason, Reason::Dominance { n: 2, .. }));
    assert!(
        uppsala.message_en().contains(
            "Cell \"Uppsala; kostnad\", rule dominance: the 2 largest contributions are 91.0 %"
        ),
        "{}",
        uppsala.message_en()
    );
    assert_eq!(report.verdict(), MachineVerdict::ReviewRequired);
}

#[test]
fn a_difference_of_two_persons_against_an_earlier_output_is_flagged() {
    let earlier = table(
        "godkänd-2024-03",
        vec![
            cell("Skåne; I21; 2023", 120),
            cell("Uppsala; I21; 2023", 40),
        ],
    );
    let now = table(
        "utdata-2",
        vec![
            cell("Skåne; I21; 2023", 122),
            cell("Uppsala; I21; 2023", 40),
            cell("Örebro; I21; 2023", 33),
        ],
    );
    let report = checker()
        .check(&now, std::slice::from_ref(&earlier))
        .unwrap();
    assert_eq!(report.verdict(), MachineVerdict::ReviewRequired);
    assert_eq!(
        rules_of(&report),
        vec![("Skåne; I21; 2023".to_owned(), "differencing")]
    );
    let flag = &report.cells()[0].flags()[0];
    assert_eq!(
        flag.reason,
        Reason::Differencing {
            earlier_output: "godkänd-2024-03".to_owned(),
            earlier_count: 120,
            count: 122,
            min_count: 5,
        }
    );
    let msg = flag.to_string();
    assert!(msg.contains("regel differencing: antalet 122 skiljer sig med 2 från 120 i tidigare utdata ”godkänd-2024-03”"));
    assert!(msg.contains("rule differencing: the count 122 differs by 2 from 120 in the earlier output \"godkänd-2024-03\""));
    // Either direction; a difference of min_count or more, or none, is fine.
    for (count, flagged) in [
        (118, true),
        (116, true),
        (124, true),
        (125, false),
        (115, false),
        (120, false),
    ] {
        let t = table("t", vec![cell("Skåne; I21; 2023", count)]);
        let v = checker()
            .check(&t, std::slice::from_ref(&earlier))
            .unwrap()
            .verdict();
        assert_eq!(
            v == MachineVerdict::ReviewRequired,
            flagged,
            "count {count}"
        );
    }
}

#[test]
fn a_safe_table_passes_and_zero_cells_do_not_flag() {
    let earlier = table("godkänd-1", vec![cell("A", 50), cell("Z", 0)]);
    let t = table(
        "utdata-säker",
        vec![
            cell("A", 60),
            cell("Z", 0),
            cell("B", 5),
            cost("C", 25, 80_000.0, &[20_000.0, 15_000.0]),
        ],
    );
    let report = checker().check(&t, &[earlier]).unwrap();
    assert_eq!(report.verdict(), MachineVerdict::Pass);
    assert_eq!(report.flags().count(), 0);
    assert!(
        report
            .cells()
            .iter()
            .all(|c| c.verdict() == MachineVerdict::Pass)
    );
    assert_eq!(report.dominance(), NkRule::defaults().as_slice());
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(json["verdict"], "pass");
}

#[test]
fn the_verdict_serialises_without_an_approval() {
    let report = checker()
        .check(&table("t", vec![cell("A", 2)]), &[])
        .unwrap();
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(json["verdict"], "review_required");
    assert_eq!(json["cells"][0]["flags"][0]["reason"]["rule"], "small_cell");
}

#[test]
fn invalid_input_and_rules_are_refused() {
    let c = checker();
    let err = |t: OutputTable| c.check(&t, &[]).unwrap_err();
    assert!(matches!(err(table(" ", vec![])), OutputCheckError::EmptyId));
    assert!(matches!(
        err(table("t", vec![cell("", 5)])),
        OutputCheckError::EmptyLabel { index: 0, .. }
    ));
    assert!(matches!(
        err(table("t", vec![cell("A", 5), cell("A", 6)])),
        OutputCheckError::DuplicateLabel { .. }
    ));
    for bad in [
        cost("A", 10, 100.0, &[-1.0, 5.0]),
        cost("A", 10, f64::NAN, &[1.0, 1.0]),
        cost("A", 10, 100.0, &[80.0, 30.0]),
        cost("A", 1, 100.0, &[60.0, 40.0]),
        cost("A", 10, 100.0, &[60.0]),
        cost("A", 0, 100.0, &[]),
    ] {
        assert!(matches!(
            err(table("t", vec![bad])),
            OutputCheckError::InvalidMagnitude { .. }
        ));
    }
    // A cell of one person needs only its one contribution (and is flagged twice).
    let one = c
        .check(&table("t", vec![cost("A", 1, 100.0, &[100.0])]), &[])
        .unwrap();
    let rules: Vec<_> = rules_of(&one).into_iter().map(|(_, r)| r).collect();
    assert_eq!(rules, vec!["small_cell", "dominance", "dominance"]);
    // An earlier output is validated too.
    let e = c
        .check(&table("t", vec![]), &[table("", vec![])])
        .unwrap_err();
    assert_eq!(e, OutputCheckError::EmptyId);

    let p = DisclosurePolicy::default_public();
    for (n, k) in [(0, 0.5), (1, 0.0), (1, 1.0), (2, f64::NAN)] {
        let e = OutputChecker::with_dominance(&p, vec![NkRule { n, k }]).unwrap_err();
        assert!(matches!(e, OutputCheckError::InvalidRule { .. }));
        assert!(e.to_string().starts_with("ogiltig dominansregel"));
    }
    let none = OutputChecker::with_dominance(&p, vec![]).unwrap();
    let t = table("t", vec![cost("A", 10, 100.0, &[])]);
    assert_eq!(none.check(&t, &[]).unwrap().verdict(), MachineVerdict::Pass);
}
