//! Identity numbers of synthetic persons: Skatteverket's test personnummer where one fits the
//! birth date and sex, otherwise Luhn-valid numbers built like real ones (never mixed with real
//! data: every manifest says `synthetic: true`). Written in a realistic mix of forms.

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate};
use vardhub_domain::identity::{WrittenForm, luhn_check_digit};
use vardhub_domain::{IdKind, PatientId};

use crate::cal::{Day, date_of};
use crate::refdata::TEST_PNR;

/// The canonical 12-digit number of a personnummer born on `birth` with birth number `nnn`.
pub(crate) fn canonical(birth: NaiveDate, nnn: u16) -> u64 {
    let y = birth.year() as u32;
    let nine = [
        (y / 10 % 10) as u8,
        (y % 10) as u8,
        (birth.month() / 10) as u8,
        (birth.month() % 10) as u8,
        (birth.day() / 10) as u8,
        (birth.day() % 10) as u8,
        (nnn / 100) as u8,
        (nnn / 10 % 10) as u8,
        (nnn % 10) as u8,
    ];
    let check = luhn_check_digit(&nine);
    let mut v = u64::from(y);
    v = v * 10_000 + u64::from(birth.month() * 100 + birth.day());
    v = v * 1000 + u64::from(nnn);
    v * 10 + u64::from(check)
}

/// Sex from the second-last digit (odd = man = 1, even = kvinna = 2).
pub(crate) fn sex_of(id: u64) -> u8 {
    if (id / 10) % 2 == 1 { 1 } else { 2 }
}

/// Birth date and birth number of a canonical number.
fn parts(id: u64) -> Option<(NaiveDate, u16)> {
    let nnn = ((id / 10) % 1000) as u16;
    let ymd = id / 10_000;
    let date = NaiveDate::from_ymd_opt(
        (ymd / 10_000) as i32,
        ((ymd / 100) % 100) as u32,
        (ymd % 100) as u32,
    )?;
    Some((date, nnn))
}

/// Hands out unique identity numbers.
#[derive(Default)]
pub(crate) struct IdAllocator {
    /// Next position in the test list per (birth day, sex).
    test_pos: HashMap<(Day, u8), usize>,
    /// Next synthetic birth-number counter per (birth day, sex).
    synth_next: HashMap<(Day, u8), u16>,
}

impl IdAllocator {
    /// An unused number for a person born on `birth` with `sex` (1/2). Returns the number and the
    /// birth day it encodes (a neighbouring day if all 500 numbers of the day and sex are taken,
    /// as Skatteverket does).
    pub fn allocate(&mut self, mut birth: Day, sex: u8) -> (u64, Day) {
        loop {
            if let Some(list) = TEST_PNR.get(&birth) {
                let pos = self.test_pos.entry((birth, sex)).or_insert(0);
                while *pos < list.len() {
                    let v = list[*pos];
                    *pos += 1;
                    if sex_of(v) == sex {
                        return (v, birth);
                    }
                }
            }
            let date = date_of(birth);
            // Birth numbers 1–499 (per sex), starting at a day-dependent offset so that numbers
            // look varied.
            let start = (birth.rem_euclid(97) as u16 * 41) % 499;
            let used = self.synth_next.entry((birth, sex)).or_insert(0);
            while *used < 499 {
                let idx = (start + *used) % 499 + 1;
                *used += 1;
                let nnn = 2 * idx - u16::from(sex == 1);
                let v = canonical(date, nnn);
                let taken = TEST_PNR
                    .get(&birth)
                    .is_some_and(|l| l.binary_search(&v).is_ok());
                if !taken {
                    return (v, birth);
                }
            }
            birth += 1;
        }
    }
}

/// The written forms and their shares: mostly 12 digits, some 13 (`ÅÅÅÅMMDD-NNNK`), a few 11
/// (`ÅÅMMDD-NNNK`, `+` from the year the person turns 100).
pub(crate) fn form_for(h: u64) -> WrittenForm {
    match h % 100 {
        0..=84 => WrittenForm::Twelve,
        85..=96 => WrittenForm::Thirteen,
        _ => WrittenForm::Eleven,
    }
}

/// Append the number in `form` as it is interpreted at `reference` (the period's last day).
/// The 12-digit form is the canonical number itself; the others come from
/// [`PatientId::synthetic_written_form`].
pub(crate) fn push_written(out: &mut String, id: u64, form: WrittenForm, reference: NaiveDate) {
    if form == WrittenForm::Twelve {
        crate::cal::push_u64(out, id);
        return;
    }
    match parts(id) {
        Some((birth, nnn)) => {
            let p = PatientId::synthesize(birth, nnn, IdKind::Personnummer);
            out.push_str(&p.synthetic_written_form(form, reference));
        }
        None => crate::cal::push_u64(out, id),
    }
}

/// The same number with a wrong check digit (a `personal_id` defect).
pub(crate) fn corrupt_check_digit(written: &str, shift: u8) -> String {
    let mut b = written.as_bytes().to_vec();
    if let Some(last) = b.last_mut()
        && last.is_ascii_digit()
    {
        *last = b'0' + (*last - b'0' + 1 + shift % 9) % 10;
    }
    String::from_utf8(b).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cal::day_of;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn canonical_matches_the_domain() {
        // Example of the domain brief: 640823-3234.
        assert_eq!(canonical(d(1964, 8, 23), 323), 196_408_233_234);
        let r = d(2024, 12, 31);
        for (birth, nnn) in [
            (d(1924, 2, 29), 981),
            (d(1990, 1, 1), 2),
            (d(2024, 5, 5), 999),
        ] {
            let v = canonical(birth, nnn);
            let p = PatientId::parse(&v.to_string(), Some(IdKind::Personnummer), r, None).unwrap();
            assert_eq!(p, PatientId::synthesize(birth, nnn, IdKind::Personnummer));
            assert_eq!(p.birth_date(), Some(birth));
        }
    }

    #[test]
    fn written_forms_parse_back() {
        let r = d(2024, 3, 31);
        let mut alloc = IdAllocator::default();
        for (birth, sex) in [
            (d(1920, 6, 1), 1),
            (d(1924, 1, 1), 2),
            (d(1950, 7, 7), 1),
            (d(2001, 3, 3), 2),
            (d(2024, 3, 31), 1),
        ] {
            let (v, b) = alloc.allocate(day_of(birth), sex);
            assert_eq!(b, day_of(birth));
            assert_eq!(sex_of(v), sex);
            let canonical = PatientId::parse(&v.to_string(), None, r, None).unwrap();
            for form in [
                WrittenForm::Twelve,
                WrittenForm::Thirteen,
                WrittenForm::Eleven,
            ] {
                let mut s = String::new();
                push_written(&mut s, v, form, r);
                let p = PatientId::parse(&s, Some(IdKind::Personnummer), r, None).unwrap();
                assert_eq!(p, canonical, "{form:?}");
                let bad = corrupt_check_digit(&s, 3);
                assert_eq!(
                    PatientId::parse(&bad, Some(IdKind::Personnummer), r, None),
                    Err(vardhub_domain::IdError::Checksum)
                );
            }
        }
    }

    #[test]
    fn test_numbers_first_then_unique_synthetic_ones() {
        let mut alloc = IdAllocator::default();
        let day = day_of(d(2017, 1, 1));
        let mut seen = std::collections::BTreeSet::new();
        let (first, _) = alloc.allocate(day, 1);
        assert!(TEST_PNR[&day].contains(&first));
        seen.insert(first);
        for i in 0..1200 {
            let (v, b) = alloc.allocate(day, if i % 2 == 0 { 1 } else { 2 });
            assert!(seen.insert(v), "duplicate");
            assert!(b >= day);
        }
    }
}
