//! Code systems: kön (ISO 5218), ICD-10-SE, KVÅ, ATC, MVO and NordDRG.
//!
//! Every code type is parsed once at the edge ([`IcdCode::parse`], …), stored normalised (trimmed,
//! uppercase, ICD without the dot) and is `Copy`. All types serialise as their normalised string and
//! implement `Display`, `FromStr`, `TryFrom<String>`, `Eq`, `Hash` and `Ord`.
//!
//! Shapes follow the domain brief (§7): ICD-10-SE letter + 2 digits (+ digit) (+ Swedish 5th character),
//! KVÅ 3 letters + 2 digits (surgical) or 2 letters + 3 digits (medical), ATC levels 1–5, MVO three
//! digits, NordDRG four characters ending in a letter.

use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;
use std::sync::LazyLock;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// An invalid code value.
///
/// The message is in Swedish and English. The offending value is shown truncated to 12 characters,
/// and if it contains six or more digits (it might be an identity number in the wrong column) every
/// digit is masked with `#`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CodeError {
    /// The value was empty (or only whitespace).
    #[error("tom kod ({system}) / empty code ({system})")]
    Empty {
        /// Which code system was expected.
        system: &'static str,
    },
    /// The value does not have the shape of the code system (or is not in its list).
    #[error("ogiltig kod för {system}: '{value}' / invalid {system} code: '{value}'")]
    Invalid {
        /// Which code system was expected.
        system: &'static str,
        /// The offending value, truncated and masked (see the type documentation).
        value: String,
    },
}

impl CodeError {
    /// An [`CodeError::Invalid`] with `raw` sanitised (truncated to 12 characters, digits masked if
    /// the value contains six or more digits).
    pub(crate) fn invalid(system: &'static str, raw: &str) -> CodeError {
        CodeError::Invalid {
            system,
            value: sanitize(raw),
        }
    }

    /// `Empty` if `raw` is blank, otherwise `Invalid`.
    pub(crate) fn for_value(system: &'static str, raw: &str) -> CodeError {
        if raw.trim().is_empty() {
            CodeError::Empty { system }
        } else {
            CodeError::invalid(system, raw)
        }
    }
}

/// Truncate to 12 characters; mask digits if the value has six or more of them.
fn sanitize(raw: &str) -> String {
    const MAX: usize = 12;
    let raw = raw.trim();
    let mask = raw.chars().filter(char::is_ascii_digit).count() >= 6;
    let mut out: String = raw
        .chars()
        .take(MAX)
        .map(|c| if mask && c.is_ascii_digit() { '#' } else { c })
        .collect();
    if raw.chars().count() > MAX {
        out.push('…');
    }
    out
}

/// A short ASCII code stored inline (`Copy`), at most `N` bytes.
///
/// Unused bytes are zero, so the derived ordering equals the ordering of the strings.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
struct Ascii<const N: usize> {
    bytes: [u8; N],
    len: u8,
}

impl<const N: usize> Ascii<N> {
    /// Caller guarantees `s` is ASCII and at most `N` bytes.
    fn new(s: &str) -> Self {
        let mut bytes = [0u8; N];
        let src = s.as_bytes();
        let len = src.len().min(N);
        bytes[..len].copy_from_slice(&src[..len]);
        Ascii {
            bytes,
            // N is at most 7 in this module.
            len: len as u8,
        }
    }

    fn as_str(&self) -> &str {
        // Only ASCII is ever stored, so this cannot fail.
        std::str::from_utf8(&self.bytes[..usize::from(self.len)]).unwrap_or("")
    }
}

/// Trim and uppercase (ASCII); `None` if anything non-ASCII remains.
fn normalise(raw: &str) -> Option<String> {
    let t = raw.trim();
    t.is_ascii().then(|| t.to_ascii_uppercase())
}

/// Shared trait implementations for the code newtypes: `Display`, `FromStr`, `TryFrom<String>`,
/// `From<T> for String`, and serde as the normalised string.
macro_rules! string_code_impls {
    ($ty:ident) => {
        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl fmt::Debug for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({:?})", stringify!($ty), self.as_str())
            }
        }

        impl FromStr for $ty {
            type Err = CodeError;
            fn from_str(s: &str) -> Result<Self, CodeError> {
                $ty::parse(s)
            }
        }

        impl TryFrom<String> for $ty {
            type Error = CodeError;
            fn try_from(s: String) -> Result<Self, CodeError> {
                $ty::parse(&s)
            }
        }

        impl TryFrom<&str> for $ty {
            type Error = CodeError;
            fn try_from(s: &str) -> Result<Self, CodeError> {
                $ty::parse(s)
            }
        }

        impl From<$ty> for String {
            fn from(c: $ty) -> String {
                c.as_str().to_owned()
            }
        }

        impl Serialize for $ty {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> Deserialize<'de> for $ty {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let s = std::borrow::Cow::<'de, str>::deserialize(deserializer)?;
                $ty::parse(&s).map_err(serde::de::Error::custom)
            }
        }
    };
}

// ---------------------------------------------------------------------------------------------
// Sex
// ---------------------------------------------------------------------------------------------

/// Kön according to ISO 5218 (Inera code system `1.2.752.129.2.2.1.1`).
///
/// Since 2024 the patient register's kön is *juridiskt kön*. Serialised as the code string
/// (`"0"`, `"1"`, `"2"`, `"9"`); deserialisation also accepts the aliases of [`Sex::from_code`] and
/// JSON integers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Sex {
    /// 0 – okänt (not known).
    Unknown = 0,
    /// 1 – man (male).
    Male = 1,
    /// 2 – kvinna (female).
    Female = 2,
    /// 9 – obestämt (not applicable / indeterminate).
    Indeterminate = 9,
}

impl Sex {
    const SYSTEM: &'static str = "kön/sex";

    /// All four values in code order.
    pub const ALL: [Sex; 4] = [Sex::Unknown, Sex::Male, Sex::Female, Sex::Indeterminate];

    /// Parse a code: `"0"`, `"1"`, `"2"`, `"9"`, or (case-insensitive, trimmed) `M`/`man`/`male`,
    /// `K`/`kvinna`/`F`/`female`, `okänt`/`unknown`, `obestämt`/`indeterminate`.
    pub fn from_code(s: &str) -> Result<Sex, CodeError> {
        let t = s.trim().to_lowercase();
        match t.as_str() {
            "0" | "okänt" | "okand" | "okänd" | "unknown" => Ok(Sex::Unknown),
            "1" | "m" | "man" | "male" => Ok(Sex::Male),
            "2" | "k" | "kvinna" | "f" | "female" => Ok(Sex::Female),
            "9" | "obestämt" | "obestamt" | "indeterminate" => Ok(Sex::Indeterminate),
            _ => Err(CodeError::for_value(Self::SYSTEM, s)),
        }
    }

    /// Alias of [`Sex::from_code`] (for symmetry with the other code types).
    pub fn parse(s: &str) -> Result<Sex, CodeError> {
        Sex::from_code(s)
    }

    /// The numeric ISO 5218 code.
    pub fn code(self) -> u8 {
        self as u8
    }

    /// The ISO 5218 code as a string (`"1"` for men).
    pub fn as_str(self) -> &'static str {
        match self {
            Sex::Unknown => "0",
            Sex::Male => "1",
            Sex::Female => "2",
            Sex::Indeterminate => "9",
        }
    }

    /// The Swedish label: `man`, `kvinna`, `okänt`, `obestämt`.
    pub fn label(self) -> &'static str {
        match self {
            Sex::Unknown => "okänt",
            Sex::Male => "man",
            Sex::Female => "kvinna",
            Sex::Indeterminate => "obestämt",
        }
    }
}

impl fmt::Display for Sex {
    /// The code string (`"1"`); use [`Sex::label`] for text.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Sex {
    type Err = CodeError;
    fn from_str(s: &str) -> Result<Self, CodeError> {
        Sex::from_code(s)
    }
}

impl Serialize for Sex {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Sex {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Sex;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an ISO 5218 sex code (0, 1, 2, 9)")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Sex, E> {
                Sex::from_code(v).map_err(E::custom)
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Sex, E> {
                match v {
                    0 => Ok(Sex::Unknown),
                    1 => Ok(Sex::Male),
                    2 => Ok(Sex::Female),
                    9 => Ok(Sex::Indeterminate),
                    _ => Err(E::custom(CodeError::invalid(Sex::SYSTEM, &v.to_string()))),
                }
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Sex, E> {
                match u64::try_from(v) {
                    Ok(u) => self.visit_u64(u),
                    Err(_) => Err(E::custom(CodeError::invalid(Sex::SYSTEM, &v.to_string()))),
                }
            }
        }
        deserializer.deserialize_any(V)
    }
}

// ---------------------------------------------------------------------------------------------
// ICD-10-SE
// ---------------------------------------------------------------------------------------------

/// An ICD-10-SE diagnosis code, normalised to uppercase without the dot (`I219`).
///
/// Shape: a letter, two digits, optionally a digit (4th character) and optionally one more
/// alphanumeric character (Swedish 5th-character extension). ICD codes never have a letter in the
/// 4th position. Accepted input: `I21.9`, `I219`, `i21.9`, `I10`, `F32.9A`.
///
/// Shape-valid codes are not necessarily in the classification; see [`IcdCode::is_known`].
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct IcdCode(Ascii<5>);

/// `code -> title` from the embedded Socialstyrelsen files (3- and 4-character codes).
static ICD_TITLES: LazyLock<HashMap<&'static str, &'static str>> = LazyLock::new(|| {
    const DIGIT3: &str = include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../reference/icd10se/digit3.txt"
    ));
    const DIGIT4: &str = include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../reference/icd10se/digit4.txt"
    ));
    let mut map = HashMap::with_capacity(12_000);
    for text in [DIGIT3, DIGIT4] {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        for line in text.lines() {
            let mut cols = line.split('\t');
            let code = cols.next().unwrap_or("").trim();
            // Column 2 is the dagger/asterisk marker; column 3 the Swedish title.
            let title = cols.nth(1).unwrap_or("").trim();
            if !code.is_empty() {
                map.insert(code, title);
            }
        }
    }
    map
});

impl IcdCode {
    const SYSTEM: &'static str = "ICD-10-SE";

    /// Parse and normalise an ICD-10-SE code (shape check only).
    pub fn parse(s: &str) -> Result<IcdCode, CodeError> {
        let err = || CodeError::for_value(Self::SYSTEM, s);
        let mut n = normalise(s).ok_or_else(err)?;
        // One optional dot, directly after the category.
        if n.len() > 4 && n.as_bytes()[3] == b'.' {
            n.remove(3);
        }
        let b = n.as_bytes();
        let ok = (3..=5).contains(&b.len())
            && b[0].is_ascii_uppercase()
            && b[1].is_ascii_digit()
            && b[2].is_ascii_digit()
            && b.get(3).is_none_or(u8::is_ascii_digit)
            && b.get(4).is_none_or(u8::is_ascii_alphanumeric);
        if ok {
            Ok(IcdCode(Ascii::new(&n)))
        } else {
            Err(err())
        }
    }

    /// The normalised code without dot (`"I219"`).
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }

    /// The code with a dot after the category (`"I21.9"`, `"F32.9A"`; `"I10"` stays `"I10"`).
    pub fn dotted(&self) -> String {
        let s = self.as_str();
        if s.len() > 3 {
            format!("{}.{}", &s[..3], &s[3..])
        } else {
            s.to_owned()
        }
    }

    /// The 3-character category (`"I21"`).
    pub fn category(&self) -> &str {
        &self.as_str()[..3]
    }

    /// The chapter letter (`'I'`).
    pub fn chapter_letter(&self) -> char {
        char::from(self.0.bytes[0])
    }

    /// Whether the code is in the embedded ICD-10-SE lists: a 4-character code in the 4-character
    /// list, a 3-character code in the category list, or a 5-character code whose 4-character prefix
    /// is known (Swedish extension).
    pub fn is_known(&self) -> bool {
        self.lookup().is_some()
    }

    /// The Swedish title from the embedded lists (for a 5-character code: the title of its
    /// 4-character parent). `None` if the code is not known.
    pub fn title(&self) -> Option<&'static str> {
        self.lookup()
    }

    fn lookup(&self) -> Option<&'static str> {
        let s = self.as_str();
        let key = if s.len() == 5 { &s[..4] } else { s };
        ICD_TITLES.get(key).copied()
    }
}

string_code_impls!(IcdCode);

// ---------------------------------------------------------------------------------------------
// KVÅ
// ---------------------------------------------------------------------------------------------

/// A KVÅ (Klassifikation av vårdåtgärder) code, uppercase.
///
/// Surgical (NCSP-type) codes are 3 letters + 2 digits (`UDH02`, `NFB49`); medical codes are
/// 2 letters + 3 digits (`AD041`). Codes are never padded to the 7-character field width.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct KvaCode(Ascii<5>);

impl KvaCode {
    const SYSTEM: &'static str = "KVÅ";

    /// Parse and normalise a KVÅ code (shape check only; there is no embedded list).
    pub fn parse(s: &str) -> Result<KvaCode, CodeError> {
        let err = || CodeError::for_value(Self::SYSTEM, s);
        let n = normalise(s).ok_or_else(err)?;
        let b = n.as_bytes();
        let letters = b.iter().take_while(|c| c.is_ascii_uppercase()).count();
        let ok = b.len() == 5
            && (letters == 2 || letters == 3)
            && b[letters..].iter().all(u8::is_ascii_digit);
        if ok {
            Ok(KvaCode(Ascii::new(&n)))
        } else {
            Err(err())
        }
    }

    /// The normalised code.
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }

    /// `true` for surgical codes (3 letters + 2 digits), `false` for medical (2 letters + 3 digits).
    pub fn is_surgical(&self) -> bool {
        self.0.bytes[2].is_ascii_uppercase()
    }
}

string_code_impls!(KvaCode);

// ---------------------------------------------------------------------------------------------
// ATC
// ---------------------------------------------------------------------------------------------

/// A WHO ATC code at any of the five levels: `A`, `A10`, `A10B`, `A10BA`, `A10BA02`.
///
/// Level 1 must be one of the 14 anatomical main groups (A B C D G H J L M N P R S V).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AtcCode(Ascii<7>);

impl AtcCode {
    const SYSTEM: &'static str = "ATC";
    const MAIN_GROUPS: &'static [u8] = b"ABCDGHJLMNPRSV";

    /// Parse and normalise an ATC code (any level).
    pub fn parse(s: &str) -> Result<AtcCode, CodeError> {
        let err = || CodeError::for_value(Self::SYSTEM, s);
        let n = normalise(s).ok_or_else(err)?;
        let b = n.as_bytes();
        let shape_ok = matches!(b.len(), 1 | 3 | 4 | 5 | 7)
            && b.iter().enumerate().all(|(i, c)| match i {
                0 | 3 | 4 => c.is_ascii_uppercase(),
                _ => c.is_ascii_digit(),
            });
        if shape_ok && Self::MAIN_GROUPS.contains(&b[0]) {
            Ok(AtcCode(Ascii::new(&n)))
        } else {
            Err(err())
        }
    }

    /// The normalised code.
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }

    /// The ATC level 1–5.
    pub fn level(&self) -> u8 {
        match self.0.len {
            1 => 1,
            3 => 2,
            4 => 3,
            5 => 4,
            _ => 5,
        }
    }

    /// The code one level up (`A10BA02` → `A10BA`); `None` at level 1.
    pub fn parent(&self) -> Option<AtcCode> {
        let cut = match self.level() {
            1 => return None,
            2 => 1,
            3 => 3,
            4 => 4,
            _ => 5,
        };
        Some(AtcCode(Ascii::new(&self.as_str()[..cut])))
    }

    /// Whether `self` equals `other` or is an ancestor of it (`A10` covers `A10BA02`).
    pub fn covers(&self, other: &AtcCode) -> bool {
        other.as_str().starts_with(self.as_str())
    }
}

string_code_impls!(AtcCode);

// ---------------------------------------------------------------------------------------------
// MVO
// ---------------------------------------------------------------------------------------------

/// A medicinskt verksamhetsområde (MVO) code from Socialstyrelsen: exactly three digits.
///
/// The code list itself is not embedded (not found in public sources), so only the shape is checked.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct MvoCode(Ascii<3>);

impl MvoCode {
    const SYSTEM: &'static str = "MVO";

    /// Parse a three-digit MVO code.
    pub fn parse(s: &str) -> Result<MvoCode, CodeError> {
        let t = s.trim();
        if t.len() == 3 && t.bytes().all(|c| c.is_ascii_digit()) {
            Ok(MvoCode(Ascii::new(t)))
        } else {
            Err(CodeError::for_value(Self::SYSTEM, s))
        }
    }

    /// The code (`"101"`).
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }
}

string_code_impls!(MvoCode);

// ---------------------------------------------------------------------------------------------
// NordDRG
// ---------------------------------------------------------------------------------------------

/// A NordDRG code: four uppercase alphanumeric characters, the last a letter (`A43O`, `J04O`,
/// `A99Z`, `372N`).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DrgCode(Ascii<4>);

impl DrgCode {
    const SYSTEM: &'static str = "DRG";

    /// Parse and normalise a DRG code (shape check only).
    pub fn parse(s: &str) -> Result<DrgCode, CodeError> {
        let err = || CodeError::for_value(Self::SYSTEM, s);
        let n = normalise(s).ok_or_else(err)?;
        let b = n.as_bytes();
        let ok =
            b.len() == 4 && b.iter().all(u8::is_ascii_alphanumeric) && b[3].is_ascii_uppercase();
        if ok {
            Ok(DrgCode(Ascii::new(&n)))
        } else {
            Err(err())
        }
    }

    /// The normalised code.
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }
}

string_code_impls!(DrgCode);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sex_codes_and_aliases() {
        assert_eq!(Sex::from_code("1"), Ok(Sex::Male));
        assert_eq!(Sex::from_code(" 2 "), Ok(Sex::Female));
        assert_eq!(Sex::from_code("0"), Ok(Sex::Unknown));
        assert_eq!(Sex::from_code("9"), Ok(Sex::Indeterminate));
        assert_eq!(Sex::from_code("M"), Ok(Sex::Male));
        assert_eq!(Sex::from_code("k"), Ok(Sex::Female));
        assert_eq!(Sex::from_code("MAN"), Ok(Sex::Male));
        assert_eq!(Sex::from_code("Kvinna"), Ok(Sex::Female));
        assert_eq!(Sex::from_code("OKÄNT"), Ok(Sex::Unknown));
        assert!(Sex::from_code("3").is_err());
        assert_eq!(
            Sex::from_code(" "),
            Err(CodeError::Empty { system: "kön/sex" })
        );
        for s in Sex::ALL {
            assert_eq!(Sex::from_code(s.as_str()), Ok(s));
            assert_eq!(Sex::from_code(s.label()), Ok(s));
            assert_eq!(s.as_str(), s.code().to_string());
        }
        assert_eq!(Sex::Female.label(), "kvinna");
        assert_eq!(Sex::Male.to_string(), "1");
    }

    #[test]
    fn sex_serde() {
        assert_eq!(serde_json::to_string(&Sex::Female).unwrap(), "\"2\"");
        assert_eq!(
            serde_json::from_str::<Sex>("\"9\"").unwrap(),
            Sex::Indeterminate
        );
        assert_eq!(serde_json::from_str::<Sex>("1").unwrap(), Sex::Male);
        assert_eq!(serde_json::from_str::<Sex>("\"K\"").unwrap(), Sex::Female);
        assert!(serde_json::from_str::<Sex>("5").is_err());
        assert!(serde_json::from_str::<Sex>("-1").is_err());
    }

    #[test]
    fn icd_parse_forms() {
        let a = IcdCode::parse("I21.9").unwrap();
        assert_eq!(a.as_str(), "I219");
        assert_eq!(a.dotted(), "I21.9");
        assert_eq!(a.category(), "I21");
        assert_eq!(a.chapter_letter(), 'I');
        assert_eq!(IcdCode::parse("I219").unwrap(), a);
        assert_eq!(IcdCode::parse(" i21.9 ").unwrap(), a);
        let i10 = IcdCode::parse("I10").unwrap();
        assert_eq!(i10.as_str(), "I10");
        assert_eq!(i10.dotted(), "I10");
        let ext = IcdCode::parse("F32.9A").unwrap();
        assert_eq!(ext.as_str(), "F329A");
        assert_eq!(ext.dotted(), "F32.9A");
        assert_eq!(IcdCode::parse("f329a").unwrap(), ext);
        assert_eq!(a.to_string(), "I219");
        assert!(IcdCode::parse("S72.0").is_ok());
    }

    #[test]
    fn icd_shape_errors() {
        for bad in [
            "", " ", "I2", "I2A", "121", "II1", "I21A", "I21.", "I2.19", "I21..9", "I21.9AB",
            "I21-9", "Ä21", "I21.9Ö", "A10BA02",
        ] {
            assert!(IcdCode::parse(bad).is_err(), "{bad} should be rejected");
        }
        assert_eq!(
            IcdCode::parse(""),
            Err(CodeError::Empty {
                system: "ICD-10-SE"
            })
        );
    }

    #[test]
    fn icd_known_and_titles() {
        let s720 = IcdCode::parse("S72.0").unwrap();
        assert!(s720.is_known());
        assert_eq!(s720.title(), Some("Kollumfraktur"));
        assert!(IcdCode::parse("I21.9").unwrap().is_known());
        assert_eq!(
            IcdCode::parse("I21.9").unwrap().title(),
            Some("Akut hjärtinfarkt, ospecificerad")
        );
        assert!(IcdCode::parse("I10").unwrap().is_known());
        assert!(IcdCode::parse("I21").unwrap().is_known());
        assert_eq!(
            IcdCode::parse("S72").unwrap().title(),
            Some("Fraktur på lårben")
        );
        // First line of each file carries the BOM: must still be found.
        assert_eq!(IcdCode::parse("A00").unwrap().title(), Some("Kolera"));
        assert!(IcdCode::parse("A000").unwrap().is_known());
        // Swedish extension: known via the 4-character parent.
        assert!(IcdCode::parse("F32.9A").unwrap().is_known());
        assert!(!IcdCode::parse("X999").unwrap().is_known());
        assert_eq!(IcdCode::parse("X999").unwrap().title(), None);
        assert!(!IcdCode::parse("X99.9A").unwrap().is_known());
    }

    #[test]
    fn icd_serde_roundtrip() {
        let c = IcdCode::parse("i21.9").unwrap();
        let j = serde_json::to_string(&c).unwrap();
        assert_eq!(j, "\"I219\"");
        assert_eq!(serde_json::from_str::<IcdCode>("\"I21.9\"").unwrap(), c);
        assert!(serde_json::from_str::<IcdCode>("\"nope\"").is_err());
        assert_eq!(format!("{c:?}"), "IcdCode(\"I219\")");
    }

    #[test]
    fn code_ordering_matches_strings() {
        let mut v: Vec<IcdCode> = ["I219", "I10", "A00", "I21", "I2190"]
            .iter()
            .map(|s| IcdCode::parse(s).unwrap())
            .collect();
        v.sort();
        let s: Vec<&str> = v.iter().map(IcdCode::as_str).collect();
        assert_eq!(s, ["A00", "I10", "I21", "I219", "I2190"]);
    }

    #[test]
    fn kva_codes() {
        let s = KvaCode::parse("udh02").unwrap();
        assert_eq!(s.as_str(), "UDH02");
        assert!(s.is_surgical());
        assert!(KvaCode::parse("NFB49").unwrap().is_surgical());
        let m = KvaCode::parse(" AD041 ").unwrap();
        assert!(!m.is_surgical());
        assert_eq!(m.to_string(), "AD041");
        for bad in [
            "", "UDH2", "UDH002", "U0H02", "A1041", "ADDD1", "12345", "ÅDH02", "UDH0A",
        ] {
            assert!(KvaCode::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(
            serde_json::from_str::<KvaCode>("\"nfb12\"")
                .unwrap()
                .as_str(),
            "NFB12"
        );
    }

    #[test]
    fn atc_levels() {
        let cases = [
            ("A", 1),
            ("A10", 2),
            ("A10B", 3),
            ("A10BA", 4),
            ("a10ba02", 5),
        ];
        for (s, level) in cases {
            assert_eq!(AtcCode::parse(s).unwrap().level(), level, "{s}");
        }
        let m = AtcCode::parse("A10BA02").unwrap();
        assert_eq!(m.parent().unwrap().as_str(), "A10BA");
        assert_eq!(m.parent().unwrap().parent().unwrap().as_str(), "A10B");
        assert_eq!(
            AtcCode::parse("A10B").unwrap().parent().unwrap().as_str(),
            "A10"
        );
        assert_eq!(
            AtcCode::parse("A10").unwrap().parent().unwrap().as_str(),
            "A"
        );
        assert_eq!(AtcCode::parse("A").unwrap().parent(), None);
        assert!(AtcCode::parse("A10").unwrap().covers(&m));
        assert!(!AtcCode::parse("A11").unwrap().covers(&m));
        for bad in [
            "", "E", "A1", "A10B1", "A10BA0", "A10BA023", "110BA02", "I21.9", "AA0BA02",
        ] {
            assert!(AtcCode::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn mvo_codes() {
        assert_eq!(MvoCode::parse(" 101 ").unwrap().as_str(), "101");
        for bad in ["", "10", "1010", "10A", "+10"] {
            assert!(MvoCode::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(
            serde_json::to_string(&MvoCode::parse("301").unwrap()).unwrap(),
            "\"301\""
        );
    }

    #[test]
    fn drg_codes() {
        for ok in ["A43O", "C08O", "J04O", "a99z", "372N"] {
            assert!(DrgCode::parse(ok).is_ok(), "{ok}");
        }
        assert_eq!(DrgCode::parse("c13o").unwrap().as_str(), "C13O");
        for bad in ["", "A43", "A43O1", "A430", "A4-O", "Ö43O"] {
            assert!(DrgCode::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn errors_are_bilingual_truncated_and_masked() {
        let e = IcdCode::parse("Q99.9ZZ").unwrap_err();
        let msg = e.to_string();
        assert!(msg.contains("ogiltig") && msg.contains("invalid"), "{msg}");
        assert!(msg.contains("Q99.9ZZ"), "{msg}");
        // A long digit string (identity number in the wrong column) is truncated and masked.
        let long = "19450110329712345";
        let msg = IcdCode::parse(long).unwrap_err().to_string();
        assert!(!msg.contains("1945"), "{msg}");
        assert!(msg.contains("############…"), "{msg}");
        let msg = DrgCode::parse("ABCDEFGHIJKLMNOP").unwrap_err().to_string();
        assert!(msg.contains("ABCDEFGHIJKL…") && !msg.contains('M'), "{msg}");
    }
}
