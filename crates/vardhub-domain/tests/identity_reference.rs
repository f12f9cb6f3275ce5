//! Every Skatteverket test personnummer in `reference/skatteverket_test_personnummer.json` must parse
//! in all written forms to the same canonical number, with the right kind and sex.

use chrono::{Datelike, NaiveDate};
use vardhub_domain::identity::WrittenForm;
use vardhub_domain::{IdKind, PatientId, Sex};

const LIST: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../reference/skatteverket_test_personnummer.json"
));

fn reference() -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 1, 1).unwrap()
}

fn numbers() -> Vec<String> {
    serde_json::from_str(LIST).expect("test list is a JSON array of strings")
}

#[test]
fn all_test_numbers_parse_in_every_form() {
    let r = reference();
    let numbers = numbers();
    assert_eq!(numbers.len(), 41_129);

    let (mut personnummer, mut samordningsnummer, mut male, mut plus) = (0, 0, 0, 0);
    for (i, n) in numbers.iter().enumerate() {
        // Report failures by position only: these are test numbers, but keep the habit.
        assert_eq!(n.len(), 12, "entry {i}");
        let id = PatientId::parse(n, None, r, None)
            .unwrap_or_else(|e| panic!("entry {i}: 12-digit form rejected: {e}"));
        assert_eq!(id.expose_canonical(), n, "entry {i}");

        let day: u32 = n[6..8].parse().unwrap();
        let expected_kind = if day > 60 {
            IdKind::Samordningsnummer
        } else {
            IdKind::Personnummer
        };
        assert_eq!(id.kind(), expected_kind, "entry {i}");
        match id.kind() {
            IdKind::Personnummer => personnummer += 1,
            _ => samordningsnummer += 1,
        }

        // Sex: parity of the 9th digit of the 10-digit form (= index 10 of the 12-digit form).
        let ninth = n.as_bytes()[10] - b'0';
        let expected_sex = if ninth % 2 == 1 {
            Sex::Male
        } else {
            Sex::Female
        };
        assert_eq!(id.sex(), Some(expected_sex), "entry {i}");
        if expected_sex == Sex::Male {
            male += 1;
        }

        let year: i32 = n[..4].parse().unwrap();
        assert_eq!(id.birth_year(), Some(year), "entry {i}");
        if expected_kind == IdKind::Personnummer {
            assert_eq!(id.birth_date().map(|d| d.year()), Some(year), "entry {i}");
        }

        // 13-character form.
        let thirteen = format!("{}-{}", &n[..8], &n[8..]);
        // 11-character form with the separator for the age at the reference date.
        let old = r.year() - year >= 100;
        if old {
            plus += 1;
        }
        let sep = if old { '+' } else { '-' };
        let eleven = format!("{}{sep}{}", &n[2..8], &n[8..]);
        let mut forms = vec![thirteen, eleven];
        // 10-character form: only unambiguous below 100 years.
        if !old {
            forms.push(n[2..].to_owned());
        }
        for form in &forms {
            let other = PatientId::parse(form, None, r, None)
                .unwrap_or_else(|e| panic!("entry {i}: written form rejected: {e}"));
            assert_eq!(other, id, "entry {i}");
            let hinted = PatientId::parse(form, Some(expected_kind), r, None).unwrap();
            assert_eq!(hinted, id, "entry {i}");
        }
        // The synthetic writer produces exactly these forms.
        assert_eq!(id.synthetic_written_form(WrittenForm::Twelve, r), *n);
        assert_eq!(id.synthetic_written_form(WrittenForm::Eleven, r), forms[1]);
    }

    // The snapshot holds personnummer only (1890–2023), two of them listed twice.
    assert_eq!(personnummer, 41_129);
    assert_eq!(samordningsnummer, 0);
    assert_eq!(male, 20_563);
    // Born 1925 or earlier: written with '+' in 2025.
    assert_eq!(plus, 7_895);
    let mut unique = numbers.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), 41_127);
}

#[test]
fn declared_samordningsnummer_is_a_kind_mismatch_for_test_personnummer() {
    let r = reference();
    for n in numbers().iter().step_by(97) {
        assert!(matches!(
            PatientId::parse(n, Some(IdKind::Samordningsnummer), r, None),
            Err(vardhub_domain::IdError::KindMismatch { .. })
        ));
    }
}
