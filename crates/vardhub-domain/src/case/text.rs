//! The free texts of a case. Most are published in the public register, so they are parsed at the
//! edge: trimmed, not empty, not too long, and refused when they look like personal data (an
//! identity number of any written form, an e-mail address, a phone number). The requester's own
//! name and e-mail are [`Contact`]: stored for the centre, never published.

use crate::identity_scan::mask_identity_numbers;
use std::fmt;

/// Why a text of a case was refused; names the field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TextError {
    /// Empty after trimming.
    #[error("{field}: fältet är tomt / the field is empty")]
    Empty {
        /// The field.
        field: &'static str,
    },
    /// Longer than allowed.
    #[error("{field}: högst {max} tecken / at most {max} characters")]
    TooLong {
        /// The field.
        field: &'static str,
        /// The limit.
        max: usize,
    },
    /// Looks like personal data; the text is published and must not hold any.
    #[error(
        "{field}: texten ser ut att innehålla {what}; den publiceras i ärenderegistret och får inte innehålla personuppgifter / the text seems to hold {what_en}; it is published and must not hold personal data"
    )]
    PersonalData {
        /// The field.
        field: &'static str,
        /// What was found (Swedish).
        what: &'static str,
        /// What was found (English).
        what_en: &'static str,
    },
    /// An e-mail address that is not one.
    #[error("{field}: ogiltig e-postadress / invalid e-mail address")]
    Email {
        /// The field.
        field: &'static str,
    },
    /// A link that is not an https address.
    #[error(
        "{field}: en extern källa anges med en https-adress / an external source is an https address"
    )]
    Url {
        /// The field.
        field: &'static str,
    },
}

/// Trimmed, non-empty, at most `max` characters.
fn bounded(field: &'static str, text: &str, max: usize) -> Result<String, TextError> {
    let t = text.trim();
    if t.is_empty() {
        return Err(TextError::Empty { field });
    }
    if t.chars().count() > max {
        return Err(TextError::TooLong { field, max });
    }
    Ok(t.to_owned())
}

/// A run of at least `n` digits, allowing single spaces or dashes between them (a phone number).
fn has_digit_run(text: &str, n: usize) -> bool {
    let mut digits = 0;
    let mut gap = false;
    for c in text.chars() {
        if c.is_ascii_digit() {
            digits += 1;
            gap = false;
            if digits >= n {
                return true;
            }
        } else if (c == ' ' || c == '-') && digits > 0 && !gap {
            gap = true;
        } else {
            digits = 0;
            gap = false;
        }
    }
    false
}

/// Something shaped like `name@domain.tld`.
fn has_email(text: &str) -> bool {
    text.split(|c: char| c.is_whitespace() || "<>()[],;:\"'".contains(c))
        .any(|w| {
            w.split_once('@')
                .is_some_and(|(l, d)| !l.is_empty() && d.contains('.') && !d.ends_with('.'))
        })
}

/// A text that is published: no identity numbers, e-mail addresses or phone numbers.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(transparent)]
pub struct PublicText(String);

impl PublicText {
    /// Parse the text of `field`, at most `max` characters.
    pub fn parse(field: &'static str, text: &str, max: usize) -> Result<PublicText, TextError> {
        let t = bounded(field, text, max)?;
        let personal = |what, what_en| TextError::PersonalData {
            field,
            what,
            what_en,
        };
        if mask_identity_numbers(&t) != t.as_str() {
            return Err(personal(
                "ett person- eller samordningsnummer",
                "an identity number",
            ));
        }
        if has_email(&t) {
            return Err(personal("en e-postadress", "an e-mail address"));
        }
        // Years, periods and codes have at most eight digits in a row (202401, 2024-2025 …);
        // a Swedish phone number has nine or more.
        if has_digit_run(&t, 9) {
            return Err(personal("ett telefonnummer", "a phone number"));
        }
        Ok(PublicText(t))
    }
    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
    /// Whether it contains `needle` (already lower-cased).
    pub fn contains_lower(&self, needle: &str) -> bool {
        self.0.to_lowercase().contains(needle)
    }
}

impl fmt::Display for PublicText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<'de> serde::Deserialize<'de> for PublicText {
    /// Stored texts are parsed again when read (the limit is generous: the form's own limits are
    /// stricter).
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<PublicText, D::Error> {
        let s = String::deserialize(d)?;
        PublicText::parse("text", &s, 20_000).map_err(serde::de::Error::custom)
    }
}

/// The requester's contact details: personal data, kept for the centre and never published.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Contact {
    /// The requester's name.
    pub name: String,
    /// The requester's e-mail address.
    pub email: String,
}

impl Contact {
    /// Parse a name and an e-mail address.
    pub fn parse(name: &str, email: &str) -> Result<Contact, TextError> {
        let name = bounded("namn / name", name, 200)?;
        let email = bounded("e-post / e-mail", email, 254)?;
        let ok = email.split_once('@').is_some_and(|(l, d)| {
            !l.is_empty()
                && d.contains('.')
                && !d.starts_with('.')
                && !d.ends_with('.')
                && !email.chars().any(char::is_whitespace)
                && email.matches('@').count() == 1
        });
        if !ok {
            return Err(TextError::Email {
                field: "e-post / e-mail",
            });
        }
        Ok(Contact { name, email })
    }
}

/// An https address of an outside source.
pub fn parse_url(field: &'static str, text: &str) -> Result<String, TextError> {
    let t = bounded(field, text, 500)?;
    let host_ok = t.strip_prefix("https://").is_some_and(|rest| {
        let host = rest.split(['/', '?', '#']).next().unwrap_or("");
        host.contains('.')
            && host
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || ".-:".contains(c))
    });
    if !host_ok || t.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(TextError::Url { field });
    }
    Ok(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_text_refuses_personal_data() {
        for bad in [
            "Patienten 19800102-2386 fick vänta",
            "ring 070-123 45 67",
            "svar till anna.andersson@region.se",
            "198001022386",
        ] {
            assert!(
                matches!(
                    PublicText::parse("fråga", bad, 500),
                    Err(TextError::PersonalData { .. })
                ),
                "{bad}"
            );
        }
        for ok in [
            "Väntetider till första besök 2023-2024 per region, ICD S72.0",
            "Hur många 80+ hade tre vårdtillfällen under 202401–202412?",
        ] {
            assert!(PublicText::parse("fråga", ok, 500).is_ok(), "{ok}");
        }
        assert!(matches!(
            PublicText::parse("fråga", "  ", 500),
            Err(TextError::Empty { .. })
        ));
        assert!(matches!(
            PublicText::parse("fråga", "ååå", 2),
            Err(TextError::TooLong { .. })
        ));
    }

    #[test]
    fn contact_and_url() {
        assert!(Contact::parse("Anna", "anna@example.se").is_ok());
        assert!(Contact::parse("Anna", "anna@").is_err());
        assert!(Contact::parse("", "anna@example.se").is_err());
        assert!(parse_url("länk", "https://www.socialstyrelsen.se/statistik").is_ok());
        assert!(parse_url("länk", "http://example.se").is_err());
        assert!(parse_url("länk", "javascript:alert(1)").is_err());
    }
}
