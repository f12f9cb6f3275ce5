//! Finding identity numbers inside other text: a personnummer or samordningsnummer typed into a
//! unit name, a contact id or an error message.
//!
//! Two uses, one shape definition:
//! * [`find_identity_numbers`] is strict (a plausible date part and a valid Luhn check digit), so
//!   that ordinary ids that merely have ten digits are not taken for identity numbers; ingest uses
//!   it to refuse rows that carry one in a non-identity field;
//! * [`mask_identity_numbers`] is cautious (shape only, check digit or not, plus any run of ten or
//!   more digits): it is the one masking function for every text that leaves the hub's memory in a
//!   finding, report, log line or catalogue row.
//!
//! Shapes (every written form): `YYMMDDNNNC`, `YYYYMMDDNNNC`, and both with one separator before the
//! last four digits: `-`, `+`, a space or a dot (`YYMMDD-NNNC`, `YYYYMMDD NNNC`, `YYMMDD.NNNC`, …);
//! samordningsnummer have day + 60. The number must stand alone: no digit directly before or after.

use std::borrow::Cow;
use std::ops::Range;

/// What replaces an identity-shaped part of a text.
pub const MASK: &str = "[dolt]";

/// Separators a written identity number may have before its last four digits.
fn is_separator(c: u8) -> bool {
    matches!(c, b'-' | b'+' | b' ' | b'.')
}

/// Byte ranges of identity-*shaped* substrings (no date or check-digit test), with the ten or
/// twelve digits of each.
fn shaped(text: &str) -> Vec<(Range<usize>, Vec<u8>)> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if !b[i].is_ascii_digit() || (i > 0 && b[i - 1].is_ascii_digit()) {
            i += 1;
            continue;
        }
        let start = i;
        let mut end = i;
        while end < b.len() && b[end].is_ascii_digit() {
            end += 1;
        }
        let run = end - start;
        // Unseparated: exactly 10 or 12 digits.
        if run == 10 || run == 12 {
            out.push((start..end, b[start..end].iter().map(|d| d - b'0').collect()));
            i = end;
            continue;
        }
        // Separated: 6 or 8 digits, one separator, exactly 4 digits.
        if (run == 6 || run == 8) && end + 5 <= b.len() && is_separator(b[end]) {
            let tail = end + 1;
            let tail_end = tail + 4;
            let four = b[tail..tail_end].iter().all(u8::is_ascii_digit);
            let alone = tail_end == b.len() || !b[tail_end].is_ascii_digit();
            if four && alone {
                let digits = b[start..end]
                    .iter()
                    .chain(&b[tail..tail_end])
                    .map(|d| d - b'0')
                    .collect();
                out.push((start..tail_end, digits));
                i = tail_end;
                continue;
            }
        }
        i = end;
    }
    out
}

/// Whether ten or twelve digits look like a real personnummer or samordningsnummer: century 18–20
/// (12 digits), month 01–12 (00 allowed for a samordningsnummer), day 01–31 or 61–91, valid
/// Luhn check digit.
fn plausible(digits: &[u8]) -> bool {
    let ten = match digits.len() {
        10 => digits,
        12 => {
            let century = digits[0] * 10 + digits[1];
            if !(18..=20).contains(&century) {
                return false;
            }
            &digits[2..]
        }
        _ => return false,
    };
    let month = ten[2] * 10 + ten[3];
    let day = ten[4] * 10 + ten[5];
    let coordination = (61..=91).contains(&day);
    if !((1..=31).contains(&day) || coordination) {
        return false;
    }
    if !((1..=12).contains(&month) || (month == 0 && coordination)) {
        return false;
    }
    let mut nine = [0u8; 9];
    nine.copy_from_slice(&ten[..9]);
    crate::identity::luhn_check_digit(&nine) == ten[9]
}

/// Byte ranges of the personnummer and samordningsnummer in `text`, in any written form, with a
/// plausible date part and a valid check digit. Never returns the values themselves.
pub fn find_identity_numbers(text: &str) -> Vec<Range<usize>> {
    shaped(text)
        .into_iter()
        .filter(|(_, d)| plausible(d))
        .map(|(r, _)| r)
        .collect()
}

/// Does `text` contain a personnummer or samordningsnummer (see [`find_identity_numbers`])?
pub fn contains_identity_number(text: &str) -> bool {
    shaped(text).iter().any(|(_, d)| plausible(d))
}

/// Replace everything in `text` that could be an identity number by [`MASK`]: every
/// identity-shaped substring (valid or not: a mistyped number is still personal data) and every run
/// of ten or more digits, also when broken up by `-` or `+`. Ordinary dates and times
/// (`2024-03-01 12:00`), codes and short numbers are left as they are.
pub fn mask_identity_numbers(text: &str) -> Cow<'_, str> {
    let b = text.as_bytes();
    let mut ranges: Vec<Range<usize>> = shaped(text).into_iter().map(|(r, _)| r).collect();
    // Long digit runs, with '-' and '+' inside them.
    let mut i = 0;
    while i < b.len() {
        if !b[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        let start = i;
        let mut digits = 0;
        let mut last_digit = i;
        while i < b.len() && (b[i].is_ascii_digit() || matches!(b[i], b'-' | b'+')) {
            if b[i].is_ascii_digit() {
                digits += 1;
                last_digit = i;
            }
            i += 1;
        }
        if digits >= 10 {
            ranges.push(start..last_digit + 1);
        }
    }
    if ranges.is_empty() {
        return Cow::Borrowed(text);
    }
    ranges.sort_by_key(|r| r.start);
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for r in ranges {
        if r.end <= at {
            continue;
        }
        if r.start >= at {
            out.push_str(&text[at..r.start]);
            out.push_str(MASK);
        }
        at = r.end;
    }
    out.push_str(&text[at..]);
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    // Skatteverket test personnummer 198101012386 (reference/skatteverket_test_personnummer.json).
    const FORMS: [&str; 8] = [
        "198101012386",
        "19810101-2386",
        "19810101 2386",
        "19810101.2386",
        "8101012386",
        "810101-2386",
        "810101+2386",
        "810101.2386",
    ];

    #[test]
    fn every_written_form_is_found_and_masked() {
        for f in FORMS.iter().chain(&["810101 2386"]) {
            let text = format!("Avd {f} norr");
            assert_eq!(find_identity_numbers(&text).len(), 1, "{f}");
            assert_eq!(mask_identity_numbers(&text), "Avd [dolt] norr", "{f}");
            assert_eq!(mask_identity_numbers(f), "[dolt]", "{f}");
        }
    }

    #[test]
    fn samordningsnummer_are_found() {
        // Day 01 + 60 = 61, check digit recomputed.
        let nine = [8, 1, 0, 1, 6, 1, 2, 3, 8];
        let c = crate::identity::luhn_check_digit(&nine);
        let s = format!("810161-238{c}");
        assert!(contains_identity_number(&s));
    }

    #[test]
    fn ordinary_values_are_not_identity_numbers() {
        for s in [
            "2024-03-01 12:00",
            "2024-03-01",
            "K1234567890", // 10 digits, month 34
            "SE2321000016-15ZT",
            "8101012385", // wrong check digit
            "I21.9",
            "98 500,50",
            "1 250,00",
        ] {
            assert!(!contains_identity_number(s), "{s}");
        }
        assert_eq!(
            mask_identity_numbers("2024-03-01 12:00"),
            "2024-03-01 12:00"
        );
        assert_eq!(mask_identity_numbers("I21.9"), "I21.9");
        assert_eq!(mask_identity_numbers("98 500,50"), "98 500,50");
    }

    #[test]
    fn masking_is_cautious_and_luhn_blind() {
        assert_eq!(mask_identity_numbers("x 8101012385 y"), "x [dolt] y");
        assert_eq!(mask_identity_numbers("19450110-3297"), "[dolt]");
        assert_eq!(mask_identity_numbers("12345678901234"), "[dolt]");
        assert_eq!(
            mask_identity_numbers("a 810101 2386 och 19810101.2386"),
            "a [dolt] och [dolt]"
        );
    }

    #[test]
    fn digits_glued_to_more_digits_are_not_a_number_of_their_own() {
        assert!(!contains_identity_number("1198101012386"));
        assert!(!contains_identity_number("810101-23861"));
    }
}
