//! Areas as sources write them: `Riket`, `Sverige`, `00`, or a region by code or by any common
//! form of its name ("Region Stockholm", "Stockholms län", "Stockholm", "Västra
//! Götalandsregionen", "Region Jämtland Härjedalen", "Jämtlands län", …).

use crate::RegionCode;
use crate::region::regions;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// Sweden or one region.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ExternalArea {
    /// The whole country (`00`).
    Sweden,
    /// A region.
    Region(RegionCode),
}

/// Why an area cannot be mapped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum AreaProblem {
    /// Neither Sweden nor a region's code or name.
    #[error("varken riket eller en region / neither Sweden nor a region")]
    Unknown,
    /// A hospital, care centre or unit: the hub has no code list to map them to.
    #[error(
        "en enhet eller ett sjukhus: hubben har ingen kodlista för externa enheter / a unit or hospital: the hub has no code list for external units"
    )]
    UnitWithoutCodeList,
}

/// Lower case, ASCII-folded vowels, one space between words, without `region`, `län`,
/// `regionen`, `landstinget i` and a trailing genitive `s` (no bare region name ends in `s`).
fn normalise(s: &str) -> String {
    let mut t: String = s
        .to_lowercase()
        .chars()
        .map(|c| match c {
            'å' | 'ä' => 'a',
            'ö' => 'o',
            '-' | '_' | '\u{a0}' | '\u{202f}' => ' ',
            c => c,
        })
        .collect();
    t = t.split_whitespace().collect::<Vec<_>>().join(" ");
    for prefix in ["region ", "landstinget i ", "landstinget "] {
        if let Some(rest) = t.strip_prefix(prefix) {
            t = rest.to_owned();
        }
    }
    for suffix in [" lan", "regionen", " region", " landsting"] {
        if let Some(rest) = t.strip_suffix(suffix) {
            t = rest.trim_end().to_owned();
        }
    }
    if t.len() > 3
        && let Some(rest) = t.strip_suffix('s')
    {
        t = rest.to_owned();
    }
    t
}

/// Words that make an area a unit rather than a region.
const UNIT_WORDS: [&str; 9] = [
    "sjukhus",
    "lasarett",
    "vardcentral",
    "halsocentral",
    "klinik",
    "mottagning",
    "enhet",
    "vardenhet",
    "akademiska",
];

impl ExternalArea {
    /// Map what a file writes to Sweden or a region (trimmed, case-insensitive).
    pub fn parse(s: &str) -> Result<ExternalArea, AreaProblem> {
        let t = s.trim();
        let n = normalise(t);
        if matches!(
            n.as_str(),
            "riket"
                | "sverige"
                | "hela riket"
                | "hela landet"
                | "sweden"
                | "00"
                | "0"
                | "alla regioner"
        ) {
            return Ok(ExternalArea::Sweden);
        }
        if !t.is_empty() && t.len() <= 2 && t.bytes().all(|b| b.is_ascii_digit()) {
            return RegionCode::parse(t)
                .map(ExternalArea::Region)
                .map_err(|_| AreaProblem::Unknown);
        }
        if n.is_empty() {
            return Err(AreaProblem::Unknown);
        }
        let found = regions().iter().find(|r| {
            let name = normalise(r.name());
            let lan = normalise(r.lan_name());
            n == name || n == lan || (n == "vgr" && r.code().as_str() == "14")
        });
        if let Some(r) = found {
            return Ok(ExternalArea::Region(r.code()));
        }
        if UNIT_WORDS.iter().any(|w| n.contains(w)) {
            return Err(AreaProblem::UnitWithoutCodeList);
        }
        Err(AreaProblem::Unknown)
    }

    /// The hub's area code: `00` or the region's two digits.
    pub fn code(&self) -> &'static str {
        match self {
            ExternalArea::Sweden => "00",
            ExternalArea::Region(r) => r.as_str(),
        }
    }

    /// The name: `Riket` / `Sweden` or the region's name.
    pub fn name(&self, swedish: bool) -> &'static str {
        match self {
            ExternalArea::Sweden if swedish => "Riket",
            ExternalArea::Sweden => "Sweden",
            ExternalArea::Region(r) => r.name(),
        }
    }
}

impl fmt::Display for ExternalArea {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl Serialize for ExternalArea {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.code())
    }
}

impl<'de> Deserialize<'de> for ExternalArea {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        ExternalArea::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(s: &str) -> Result<&'static str, AreaProblem> {
        ExternalArea::parse(s).map(|a| a.code())
    }

    #[test]
    fn every_common_form_of_a_region_name() {
        let cases = [
            ("Riket", "00"),
            ("SVERIGE", "00"),
            ("00", "00"),
            ("Region Stockholm", "01"),
            ("Stockholms län", "01"),
            ("Stockholm", "01"),
            ("1", "01"),
            ("01", "01"),
            ("Västra Götalandsregionen", "14"),
            ("Västra Götalands län", "14"),
            ("Västra Götaland", "14"),
            ("Region Jämtland Härjedalen", "23"),
            ("Jämtlands län", "23"),
            ("Jämtland Härjedalen", "23"),
            ("Region Jönköpings län", "06"),
            ("Jönköping", "06"),
            ("Sörmland", "04"),
            ("Södermanlands län", "04"),
            ("Region Örebro län", "18"),
            ("Dalarnas län", "20"),
            ("Skåne", "12"),
            ("Region Skåne", "12"),
            ("Kalmar län", "08"),
            ("Gotland", "09"),
            ("region  västerbotten", "24"),
        ];
        for (input, want) in cases {
            assert_eq!(code(input), Ok(want), "{input}");
        }
    }

    #[test]
    fn unknown_areas_and_units_are_told_apart() {
        assert_eq!(code("Stockholmm"), Err(AreaProblem::Unknown));
        assert_eq!(code("02"), Err(AreaProblem::Unknown));
        assert_eq!(code(""), Err(AreaProblem::Unknown));
        assert_eq!(
            code("Sahlgrenska Universitetssjukhuset"),
            Err(AreaProblem::UnitWithoutCodeList)
        );
        assert_eq!(
            code("Vårdcentral Tensta"),
            Err(AreaProblem::UnitWithoutCodeList)
        );
    }
}
