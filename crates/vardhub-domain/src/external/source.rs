//! The sources the hub takes external indicator values from, and their indicators' ids.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// What the hub knows about one source: names, publisher, link and how to cite it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceInfo {
    /// The id (`socialstyrelsen`, `primarvardskvalitet`, …).
    pub id: &'static str,
    /// Swedish name.
    pub name_sv: &'static str,
    /// English name.
    pub name_en: &'static str,
    /// Who publishes it.
    pub publisher: &'static str,
    /// Where the source publishes its figures.
    pub url: &'static str,
    /// Other names a file's `källa` column may use (matched case-insensitively).
    pub aliases: &'static [&'static str],
    /// How to cite it, Swedish.
    pub attribution_sv: &'static str,
    /// How to cite it, English.
    pub attribution_en: &'static str,
}

/// The terms the hub states for every source: it republishes what the source made public.
const TERMS_SV: &str =
    "Uppgifterna är offentliga hos källan; använd dem enligt källans villkor och ange källan.";
const TERMS_EN: &str =
    "The figures are public at the source; use them under the source's terms and cite the source.";

static SOURCES: [SourceInfo; 6] = [
    SourceInfo {
        id: "socialstyrelsen",
        name_sv: "Socialstyrelsens statistikdatabas",
        name_en: "The National Board of Health and Welfare's statistical database",
        publisher: "Socialstyrelsen",
        url: "https://sdb.socialstyrelsen.se/",
        aliases: &["socialstyrelsen", "sos", "statistikdatabasen"],
        attribution_sv: TERMS_SV,
        attribution_en: TERMS_EN,
    },
    SourceInfo {
        id: "primarvardskvalitet",
        name_sv: "PrimärvårdsKvalitet",
        name_en: "PrimärvårdsKvalitet (primary care quality)",
        publisher: "Sveriges Kommuner och Regioner",
        url: "https://skr.se/primarvardskvalitet",
        aliases: &["primärvårdskvalitet", "pvk"],
        attribution_sv: TERMS_SV,
        attribution_en: TERMS_EN,
    },
    SourceInfo {
        id: "psykiatrin-i-siffror",
        name_sv: "Psykiatrin i siffror",
        name_en: "Psychiatry in figures",
        publisher: "Sveriges Kommuner och Regioner",
        url: "https://www.uppdragpsykiskhalsa.se/psykiatrinisiffror/",
        aliases: &["psykiatrin i siffror", "pis"],
        attribution_sv: TERMS_SV,
        attribution_en: TERMS_EN,
    },
    SourceInfo {
        id: "patientenkat",
        name_sv: "Nationell patientenkät",
        name_en: "The national patient survey",
        publisher: "Sveriges Kommuner och Regioner",
        url: "https://patientenkat.se/",
        aliases: &["nationell patientenkät", "npe", "patientenkät"],
        attribution_sv: TERMS_SV,
        attribution_en: TERMS_EN,
    },
    SourceInfo {
        id: "kvalitetsregister",
        name_sv: "Nationella kvalitetsregister",
        name_en: "National quality registers",
        publisher: "Nationella kvalitetsregister",
        url: "https://kvalitetsregister.se/",
        aliases: &["nationella kvalitetsregister", "kvalitetsregistren"],
        attribution_sv: TERMS_SV,
        attribution_en: TERMS_EN,
    },
    SourceInfo {
        id: "vantetider",
        name_sv: "Väntetider i vården",
        name_en: "Waiting times in health care",
        publisher: "Sveriges Kommuner och Regioner",
        url: "https://www.vantetider.se/",
        aliases: &["väntetider i vården", "väntetider"],
        attribution_sv: TERMS_SV,
        attribution_en: TERMS_EN,
    },
];

/// Every source the hub knows, in a fixed order.
pub fn sources() -> &'static [SourceInfo] {
    &SOURCES
}

/// A source the hub does not know (the text is not kept: it may be anything).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("okänd källa / unknown source")]
pub struct UnknownSource;

/// One of the known sources ([`sources`]).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SourceId(&'static str);

impl SourceId {
    /// The source with this id, name or alias (trimmed, case-insensitive).
    pub fn parse(s: &str) -> Result<SourceId, UnknownSource> {
        let t = s.trim().to_lowercase();
        SOURCES
            .iter()
            .find(|i| {
                i.id == t
                    || i.name_sv.to_lowercase() == t
                    || i.name_en.to_lowercase() == t
                    || i.aliases.contains(&t.as_str())
            })
            .map(|i| SourceId(i.id))
            .ok_or(UnknownSource)
    }

    /// The id.
    pub fn as_str(&self) -> &'static str {
        self.0
    }

    /// What the hub knows about it.
    pub fn info(&self) -> &'static SourceInfo {
        SOURCES
            .iter()
            .find(|i| i.id == self.0)
            .unwrap_or(&SOURCES[0]) // unreachable: a SourceId is always in the table
    }
}

impl fmt::Display for SourceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

impl fmt::Debug for SourceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SourceId({})", self.0)
    }
}

impl Serialize for SourceId {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.0)
    }
}

impl<'de> Deserialize<'de> for SourceId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        SourceId::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// A source's indicator id: 1–64 characters of `a-z`, `0-9`, `-`, `_`, `.`, starting with a
/// letter or digit. Made from a file's indicator column by [`ExternalIndicatorId::from_label`].
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct ExternalIndicatorId(String);

/// The longest id.
const MAX_ID: usize = 64;

impl ExternalIndicatorId {
    /// Parse an id exactly as written (the API's path parameter).
    pub fn parse(s: &str) -> Option<ExternalIndicatorId> {
        let ok = !s.is_empty()
            && s.len() <= MAX_ID
            && s.bytes().next().is_some_and(|b| b.is_ascii_alphanumeric())
            && s.bytes().all(|b| {
                b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'-' | b'_' | b'.')
            });
        ok.then(|| ExternalIndicatorId(s.to_owned()))
    }

    /// An id from what a file writes in its indicator column: a code (`PVK-12`) or a title
    /// ("Andel med blodtryck under 140/90"): lower case, å/ä → a, ö → o, é → e, every other run
    /// of characters → `-`, cut to 64. `None` when nothing is left.
    pub fn from_label(s: &str) -> Option<ExternalIndicatorId> {
        let mut out = String::new();
        let mut dash = false;
        for c in s.trim().chars().flat_map(char::to_lowercase) {
            let c = match c {
                'å' | 'ä' | 'á' | 'à' => 'a',
                'ö' | 'ó' | 'ø' => 'o',
                'é' | 'è' | 'ë' => 'e',
                'ü' | 'ú' => 'u',
                c => c,
            };
            if c.is_ascii_alphanumeric() || (matches!(c, '_' | '.') && !out.is_empty()) {
                if dash && !out.is_empty() {
                    out.push('-');
                }
                dash = false;
                out.push(c);
            } else {
                dash = true;
            }
            if out.len() >= MAX_ID {
                break;
            }
        }
        let out = out.trim_end_matches(['-', '.', '_']).to_owned();
        ExternalIndicatorId::parse(&out)
    }

    /// The id.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ExternalIndicatorId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for ExternalIndicatorId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        ExternalIndicatorId::parse(&s)
            .ok_or_else(|| serde::de::Error::custom("ogiltigt indikator-id / invalid indicator id"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sources_by_id_name_and_alias() {
        assert_eq!(
            SourceId::parse("Socialstyrelsen").unwrap().as_str(),
            "socialstyrelsen"
        );
        assert_eq!(
            SourceId::parse(" PrimärvårdsKvalitet ").unwrap().as_str(),
            "primarvardskvalitet"
        );
        assert_eq!(
            SourceId::parse("Psykiatrin i siffror").unwrap().as_str(),
            "psykiatrin-i-siffror"
        );
        assert_eq!(SourceId::parse("Vårdguiden"), Err(UnknownSource));
    }

    #[test]
    fn indicator_ids_from_labels() {
        let id = |s| ExternalIndicatorId::from_label(s).map(|i| i.0);
        assert_eq!(id("PVK-12").as_deref(), Some("pvk-12"));
        assert_eq!(
            id("Andel med blodtryck < 140/90 (%)").as_deref(),
            Some("andel-med-blodtryck-140-90")
        );
        assert_eq!(
            id("Väntetid öppenvård").as_deref(),
            Some("vantetid-oppenvard")
        );
        assert_eq!(id(" –– "), None);
        assert!(ExternalIndicatorId::parse("Bad Id").is_none());
        assert!(ExternalIndicatorId::parse("-x").is_none());
        assert!(id(&"a".repeat(200)).is_some_and(|s| s.len() == 64));
    }
}
