//! Reading one delivered text value as the type its specification says, Swedish conventions
//! included (decimal comma, `ÅÅÅÅMMDD` dates, `J`/`N`).

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use vardhub_domain::spec::{CodeSystem, Variable};
use vardhub_domain::{
    AtcCode, DrgCode, IcdCode, IdKind, KommunCode, KvaCode, MvoCode, RegionCode, Sex,
};

/// A whole number; spaces (also non-breaking) as thousands separators are allowed.
pub fn parse_integer(s: &str) -> Option<i64> {
    if s.contains([' ', '\u{a0}']) {
        s.replace([' ', '\u{a0}'], "").parse().ok()
    } else {
        s.parse().ok()
    }
}

/// A decimal number with decimal comma or point.
pub fn parse_decimal(s: &str) -> Option<f64> {
    let cleaned: String = s
        .chars()
        .filter(|c| !matches!(c, ' ' | '\u{a0}'))
        .map(|c| if c == ',' { '.' } else { c })
        .collect();
    if cleaned.matches('.').count() > 1 || cleaned.contains(['e', 'E']) {
        return None;
    }
    cleaned.parse::<f64>().ok().filter(|v| v.is_finite())
}

/// `ÅÅÅÅ-MM-DD` or `ÅÅÅÅMMDD`.
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    let b = s.as_bytes();
    let (y, m, d) = match b.len() {
        10 if b[4] == b'-' && b[7] == b'-' => (&s[0..4], &s[5..7], &s[8..10]),
        8 => (&s[0..4], &s[4..6], &s[6..8]),
        _ => return None,
    };
    if !(y.bytes().chain(m.bytes()).chain(d.bytes())).all(|c| c.is_ascii_digit()) {
        return None;
    }
    NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)
}

/// A date with time. Returns the value and whether a time was given (a bare date means 00:00).
pub fn parse_datetime(s: &str) -> Option<(NaiveDateTime, bool)> {
    if let Some(d) = parse_date(s) {
        return Some((d.and_time(NaiveTime::MIN), false));
    }
    let (date, time) = if s.len() >= 12 && s.as_bytes()[..12].iter().all(u8::is_ascii_digit) {
        (&s[..8], &s[8..])
    } else {
        let i = s.find([' ', 'T'])?;
        (&s[..i], &s[i + 1..])
    };
    let date = parse_date(date)?;
    let time = parse_time(time)?;
    Some((date.and_time(time), true))
}

fn parse_time(s: &str) -> Option<NaiveTime> {
    let digits: String = s.chars().filter(|c| *c != ':').collect();
    if !digits.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let colons = s.matches(':').count();
    let ok_shape = match digits.len() {
        4 => colons == 1 || colons == 0,
        6 => colons == 2 || colons == 0,
        _ => false,
    };
    if !ok_shape {
        return None;
    }
    let h = digits[0..2].parse().ok()?;
    let m = digits[2..4].parse().ok()?;
    let sec = if digits.len() == 6 {
        digits[4..6].parse().ok()?
    } else {
        0
    };
    NaiveTime::from_hms_opt(h, m, sec)
}

/// `1`/`0`, `J`/`N`, `ja`/`nej`, `true`/`false`, `Y`/`N`, `yes`/`no`.
pub fn parse_bool(s: &str) -> Option<bool> {
    match s.to_ascii_lowercase().as_str() {
        "1" | "j" | "ja" | "true" | "y" | "yes" | "sant" => Some(true),
        "0" | "n" | "nej" | "false" | "no" | "falskt" => Some(false),
        _ => None,
    }
}

/// Why a code was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeProblem {
    /// Rule name: `code_format` (shape) or `code_unknown` (not in the code system).
    pub rule: &'static str,
    /// Swedish explanation.
    pub sv: String,
    /// English explanation.
    pub en: String,
}

/// Check a code against the variable's allowed list or code system; returns the normalised code.
pub fn normalise_code(var: &Variable, s: &str) -> Result<String, CodeProblem> {
    if !var.allowed.is_empty() {
        return var
            .allowed
            .iter()
            .find(|a| a.code.eq_ignore_ascii_case(s))
            .map(|a| a.code.clone())
            .ok_or_else(|| {
                let list: Vec<&str> = var.allowed.iter().map(|a| a.code.as_str()).collect();
                CodeProblem {
                    rule: "code_unknown",
                    sv: format!("värdet finns inte bland de tillåtna: {}", list.join(", ")),
                    en: format!("value is not one of the allowed: {}", list.join(", ")),
                }
            });
    }
    let Some(system) = var.code_system else {
        return Ok(s.to_owned());
    };
    let shape = |name: &str| CodeProblem {
        rule: "code_format",
        sv: format!("inte en giltig {name}-kod till formen"),
        en: format!("not a well-formed {name} code"),
    };
    match system {
        CodeSystem::Icd10se => {
            let code = IcdCode::parse(s).map_err(|_| shape("ICD-10-SE"))?;
            if code.is_known() {
                Ok(code.as_str().to_owned())
            } else {
                Err(CodeProblem {
                    rule: "code_unknown",
                    sv: "okänd ICD-10-SE-kod (finns inte i Socialstyrelsens kodlista)".into(),
                    en: "unknown ICD-10-SE code (not in Socialstyrelsen's list)".into(),
                })
            }
        }
        CodeSystem::Kva => KvaCode::parse(s)
            .map(|c| c.as_str().to_owned())
            .map_err(|_| shape("KVÅ")),
        CodeSystem::Atc => AtcCode::parse(s)
            .map(|c| c.as_str().to_owned())
            .map_err(|_| shape("ATC")),
        CodeSystem::Mvo => MvoCode::parse(s)
            .map(|c| c.as_str().to_owned())
            .map_err(|_| shape("MVO")),
        CodeSystem::Drg => DrgCode::parse(s)
            .map(|c| c.as_str().to_owned())
            .map_err(|_| shape("NordDRG")),
        CodeSystem::Lan => RegionCode::parse(s)
            .map(|c| c.to_string())
            .map_err(|_| CodeProblem {
                rule: "code_unknown",
                sv: "okänd länskod".into(),
                en: "unknown county code".into(),
            }),
        CodeSystem::Kommun => {
            KommunCode::parse(s)
                .map(|c| c.to_string())
                .map_err(|_| CodeProblem {
                    rule: "code_unknown",
                    sv: "okänd kommunkod".into(),
                    en: "unknown municipality code".into(),
                })
        }
        CodeSystem::Sex => Sex::from_code(s)
            .map(|c| c.as_str().to_owned())
            .map_err(|_| CodeProblem {
                rule: "code_unknown",
                sv: "okänd könskod (ISO 5218: 0, 1, 2, 9)".into(),
                en: "unknown sex code (ISO 5218: 0, 1, 2, 9)".into(),
            }),
        CodeSystem::IdKind => IdKind::parse_label(s)
            .map(|k| k.code().to_owned())
            .ok_or_else(|| CodeProblem {
                rule: "code_unknown",
                sv: "okänd identitetstyp (P, S eller R)".into(),
                en: "unknown identity kind (P, S or R)".into(),
            }),
    }
}

/// True when a text looks like UTF-8 that was decoded as Windows-1252 or Latin-1 (`Ã¤` for `ä`,
/// `Ã¥` for `å`, `Ã–` for `Ö`, …): a mark of a double-encoded export.
pub fn looks_like_mojibake(s: &str) -> bool {
    if s.is_ascii() {
        return false;
    }
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if matches!(c, 'Ã' | 'Â')
            && let Some(&next) = chars.peek()
            && (('\u{80}'..='\u{bf}').contains(&next)
                || "€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ".contains(next))
        {
            return true;
        }
    }
    false
}

/// The first character in a value that must not be published: a control character (NUL, line
/// breaks, …; TAB is allowed), a byte-order mark (U+FEFF) or a Unicode line/paragraph separator.
pub fn forbidden_character(s: &str) -> Option<char> {
    if s.bytes().all(|b| (0x20..0x7F).contains(&b) || b == b'\t') {
        return None;
    }
    s.chars().find(|c| {
        (c.is_control() && *c != '\t') || matches!(c, '\u{FEFF}' | '\u{2028}' | '\u{2029}')
    })
}

/// How a forbidden character is named in a report (`U+0000 (NUL)`); never the value itself.
pub fn describe_character(c: char) -> String {
    let name = match c {
        '\0' => " (NUL)",
        '\n' => " (LF, radbrytning / line feed)",
        '\r' => " (CR)",
        '\u{FEFF}' => " (BOM)",
        _ => "",
    };
    format!("U+{:04X}{name}", u32::from(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forbidden_characters() {
        assert_eq!(forbidden_character("Västerås\tA"), None);
        assert_eq!(forbidden_character("ab\0c"), Some('\0'));
        assert_eq!(forbidden_character("\u{FEFF}K1"), Some('\u{FEFF}'));
        assert_eq!(forbidden_character("a\u{1}"), Some('\u{1}'));
        assert_eq!(forbidden_character("a\u{85}"), Some('\u{85}'));
        assert_eq!(describe_character('\0'), "U+0000 (NUL)");
    }

    #[test]
    fn swedish_number_conventions() {
        assert_eq!(parse_decimal("1234,50"), Some(1234.5));
        assert_eq!(parse_decimal("1 234,5"), Some(1234.5));
        assert_eq!(parse_decimal("1.5"), Some(1.5));
        assert_eq!(parse_decimal("1,2,3"), None);
        assert_eq!(parse_decimal("NaN"), None);
        assert_eq!(parse_integer("12 000"), Some(12000));
        assert_eq!(parse_integer("1,5"), None);
    }

    #[test]
    fn dates_and_times() {
        assert_eq!(
            parse_date("2024-02-29"),
            NaiveDate::from_ymd_opt(2024, 2, 29)
        );
        assert_eq!(parse_date("20240229"), NaiveDate::from_ymd_opt(2024, 2, 29));
        assert_eq!(parse_date("2023-02-29"), None);
        assert_eq!(parse_date("2024/02/01"), None);
        let (dt, has_time) = parse_datetime("2024-03-01 13:45").unwrap();
        assert!(has_time);
        assert_eq!(dt.to_string(), "2024-03-01 13:45:00");
        assert_eq!(
            parse_datetime("202403011345").unwrap().0.to_string(),
            "2024-03-01 13:45:00"
        );
        assert_eq!(
            parse_datetime("20240301134501").unwrap().0.to_string(),
            "2024-03-01 13:45:01"
        );
        assert_eq!(
            parse_datetime("2024-03-01T13:45:10").unwrap().0.to_string(),
            "2024-03-01 13:45:10"
        );
        assert!(!parse_datetime("2024-03-01").unwrap().1);
        assert_eq!(parse_datetime("2024-03-01 25:00"), None);
    }

    #[test]
    fn booleans() {
        assert_eq!(parse_bool("J"), Some(true));
        assert_eq!(parse_bool("nej"), Some(false));
        assert_eq!(parse_bool("kanske"), None);
    }

    #[test]
    fn mojibake() {
        assert!(looks_like_mojibake("SjukhusÃ¤t"));
        assert!(looks_like_mojibake("Ã–rebro"));
        assert!(!looks_like_mojibake("Örebro"));
        assert!(!looks_like_mojibake("Västerås"));
    }
}
