use super::*;

const EXAMPLE: &str = include_str!("../../../../research/exempel_hoftfraktur.toml");

fn specs() -> SpecSet {
    SpecSet::builtin()
}

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

#[test]
fn the_example_project_parses() {
    let p = ResearchProject::from_toml(EXAMPLE, &specs()).unwrap();
    assert_eq!(p.id.as_str(), "hoftfraktur-2025");
    assert_eq!(p.ethics.dnr.as_str(), "2025-01234-01");
    assert_eq!(p.ethics.dnr.year(), 2025);
    assert_eq!(p.legal_basis, LegalBasis::PublicInterestResearch);
    assert_eq!(p.date_coarsening, DateCoarsening::Month);
    assert_eq!(p.population.age, Some(AgeRange { min: 65, max: 130 }));
    assert!(
        p.population
            .regions
            .contains(RegionCode::parse("12").unwrap())
    );
    assert!(
        !p.population
            .regions
            .contains(RegionCode::parse("13").unwrap())
    );
    assert_eq!(p.selection.len(), 3);
    // A stored record reads back identically.
    let json = serde_json::to_string(&p).unwrap();
    let back: ResearchProject = serde_json::from_str(&json).unwrap();
    assert_eq!(back, p);
}

#[test]
fn ids_and_dnrs_are_parsed() {
    assert!(ProjectId::parse("ab1").is_ok());
    for bad in [
        "ab",
        "Abc",
        "a_b",
        "-abc",
        "abc-",
        "1abc",
        &"a".repeat(41),
        "åäö",
        "x19800102-2386",
    ] {
        assert!(ProjectId::parse(bad).is_err(), "{bad}");
    }
    assert!(EthicsDnr::parse("2025-01234-01").is_ok());
    assert!(EthicsDnr::parse("2019-00001").is_ok());
    for bad in [
        "2018-01234-01",
        "2025-1234-01",
        "2025-01234-1",
        "25-01234-01",
        "2025/01234",
    ] {
        assert!(EthicsDnr::parse(bad).is_err(), "{bad}");
    }
    for b in LegalBasis::ALL {
        assert_eq!(LegalBasis::parse(b.code()).unwrap(), b);
    }
}

#[test]
fn coarsening_moves_dates_to_the_start_of_the_period() {
    let x = d(2024, 7, 19);
    assert_eq!(DateCoarsening::Day.apply(x), x);
    assert_eq!(DateCoarsening::Month.apply(x), d(2024, 7, 1));
    assert_eq!(DateCoarsening::Year.apply(x), d(2024, 1, 1));
}

#[test]
fn a_release_is_blocked_outside_the_approval_and_after_retention() {
    let mut p = ResearchProject::from_toml(EXAMPLE, &specs()).unwrap();
    assert_eq!(p.release_blocked_at(d(2025, 3, 1)), None);
    assert_eq!(p.release_blocked_at(d(2030, 12, 31)), None);
    assert_eq!(
        p.release_blocked_at(d(2025, 2, 28)),
        Some(ReleaseBlock::NotYetValid(d(2025, 3, 1)))
    );
    assert_eq!(
        p.release_blocked_at(d(2031, 1, 1)),
        Some(ReleaseBlock::Expired(d(2030, 12, 31)))
    );
    p.retention_end = d(2026, 6, 30);
    assert_eq!(
        p.release_blocked_at(d(2026, 7, 1)),
        Some(ReleaseBlock::RetentionEnded(d(2026, 6, 30)))
    );
}

fn field_of(e: ProjectError) -> String {
    match e {
        ProjectError::Invalid { field, .. } => field,
        other => panic!("{other}"),
    }
}

#[test]
fn errors_name_the_field() {
    let err = |from: &str, to: &str| {
        ResearchProject::from_toml(&EXAMPLE.replacen(from, to, 1), &specs()).unwrap_err()
    };
    assert_eq!(
        field_of(err("dnr = \"2025-01234-01\"", "dnr = \"2017-01234-01\"")),
        "ethics.dnr"
    );
    assert_eq!(
        field_of(err(
            "valid_to = \"2030-12-31\"",
            "valid_to = \"2024-12-31\""
        )),
        "ethics.valid_to"
    );
    assert_eq!(
        field_of(err(
            "valid_from = \"2025-03-01\"",
            "valid_from = \"1 mars\""
        )),
        "ethics.valid_from"
    );
    assert_eq!(
        field_of(err("\"01\", \"12\"", "\"01\", \"99\"")),
        "population.regions[1]"
    );
    assert_eq!(
        field_of(err(
            "date_coarsening = \"month\"",
            "date_coarsening = \"week\""
        )),
        "date_coarsening"
    );
    assert_eq!(
        field_of(err(
            "legal_basis = \"gdpr-6-1-e-9-2-j\"",
            "legal_basis = \"samtycke\""
        )),
        "legal_basis"
    );
    assert_eq!(
        field_of(err("id = \"hoftfraktur-2025\"", "id = \"Höft\"")),
        "id"
    );
    // Unknown fields are refused, naming the field.
    let e = err("purpose =", "purpouse =");
    assert!(
        matches!(&e, ProjectError::Toml(m) if m.contains("purpouse")),
        "{e}"
    );
    // A personnummer in a free-text field is refused.
    assert_eq!(
        field_of(err("Anna Exempelsson", "Anna 19800102-2386")),
        "principal_investigator"
    );
}

#[test]
fn the_selection_is_checked_against_the_specifications() {
    let err = |from: &str, to: &str| {
        ResearchProject::from_toml(&EXAMPLE.replacen(from, to, 1), &specs()).unwrap_err()
    };
    assert_eq!(
        err("\"ordning\", \"kod\"]", "\"ordning\", \"kodd\"]"),
        ProjectError::UnknownVariable {
            collection: "vardkontakter".into(),
            table: "diagnoser".into(),
            variable: "kodd".into(),
        }
    );
    assert_eq!(
        err("table = \"atgarder\"", "table = \"operationer\""),
        ProjectError::UnknownTable {
            collection: "vardkontakter".into(),
            table: "operationer".into(),
        }
    );
    assert!(matches!(
        err("collection = \"vardkontakter\"", "collection = \"recept\""),
        ProjectError::UnknownCollection(c) if c == "recept"
    ));
    // The lake's own provenance line number is never approvable.
    assert!(matches!(
        err("\"ordning\", \"kod\"]", "\"ordning\", \"kalla_rad\"]"),
        ProjectError::UnknownVariable { variable, .. } if variable == "kalla_rad"
    ));
    // An age range needs an age column (or a parent with one): the population register has none.
    let with_personer = format!(
        "{EXAMPLE}\n[[selection]]\ncollection = \"befolkning\"\ntable = \"personer\"\nvariables = [\"person_id\"]\n"
    );
    let e = ResearchProject::from_toml(&with_personer, &specs()).unwrap_err();
    assert!(field_of(e).starts_with("population.age"));
    let both = with_personer.replacen("age_min = 65\nage_max = 130\n", "", 1);
    // Without an age range the register's residents are filtered by their municipality's region.
    ResearchProject::from_toml(&both, &specs()).unwrap();
}
