//! The areas results are published for, and their levels: Sweden, a sjukvårdsregion, a region,
//! a kommun (by residence), a hospital or a care unit (by the delivering region's provider).
//!
//! Text forms: `00` (Sweden), `SR1`–`SR6` (sjukvårdsregion by its price-list number), `01`
//! (region), `0180` (kommun), `01/01010` (hospital `01010` of region 01), `01/01010/Medicin`
//! (unit `Medicin` of that hospital). Every area but Sweden has a parent on the way up
//! (unit → hospital → region, kommun → region, region → sjukvårdsregion → Sweden), so sums over
//! a level add up to the level above.
//!
//! Region Halland belongs to two sjukvårdsregioner, split by kommun. A region-level sum has no
//! kommun to split by, so Halland is counted in Västra by convention
//! ([`crate::Region::sjukvardsregion`]); [`Sjukvardsregion`] areas say so in their names.

use std::fmt;

use crate::region::{KommunCode, RegionCode, Sjukvardsregion};

/// A level of the area hierarchy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Level {
    /// Sweden.
    Land,
    /// One of the six sjukvårdsregioner.
    Sjukvardsregion,
    /// One of the 21 regions.
    Region,
    /// One of the 290 kommuner (the patient's residence).
    Kommun,
    /// A hospital or health centre (the provider).
    Sjukhus,
    /// A care unit of a hospital.
    Enhet,
}

impl Level {
    /// All levels, top down.
    pub const ALL: [Level; 6] = [
        Level::Land,
        Level::Sjukvardsregion,
        Level::Region,
        Level::Kommun,
        Level::Sjukhus,
        Level::Enhet,
    ];

    /// The code used in recipes and APIs.
    pub fn code(self) -> &'static str {
        match self {
            Level::Land => "land",
            Level::Sjukvardsregion => "sjukvardsregion",
            Level::Region => "region",
            Level::Kommun => "kommun",
            Level::Sjukhus => "sjukhus",
            Level::Enhet => "enhet",
        }
    }

    /// Parse a code.
    pub fn parse(s: &str) -> Option<Level> {
        Level::ALL.into_iter().find(|l| l.code() == s)
    }

    /// Swedish name.
    pub fn name_sv(self) -> &'static str {
        match self {
            Level::Land => "riket",
            Level::Sjukvardsregion => "sjukvårdsregion",
            Level::Region => "region",
            Level::Kommun => "kommun",
            Level::Sjukhus => "sjukhus",
            Level::Enhet => "vårdenhet",
        }
    }

    /// English name.
    pub fn name_en(self) -> &'static str {
        match self {
            Level::Land => "Sweden",
            Level::Sjukvardsregion => "healthcare region",
            Level::Region => "region",
            Level::Kommun => "municipality",
            Level::Sjukhus => "hospital",
            Level::Enhet => "care unit",
        }
    }
}

/// An area results are published for.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Area {
    /// Sweden.
    Sweden,
    /// A sjukvårdsregion.
    Sjukvardsregion(Sjukvardsregion),
    /// A region.
    Region(RegionCode),
    /// A kommun.
    Kommun(KommunCode),
    /// A hospital of a region (its code as delivered).
    Sjukhus(RegionCode, String),
    /// A unit of a hospital (names as delivered).
    Enhet(RegionCode, String, String),
}

/// A text that is not an area.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("okänt område / unknown area")]
pub struct AreaError;

impl Area {
    /// The level.
    pub fn level(&self) -> Level {
        match self {
            Area::Sweden => Level::Land,
            Area::Sjukvardsregion(_) => Level::Sjukvardsregion,
            Area::Region(_) => Level::Region,
            Area::Kommun(_) => Level::Kommun,
            Area::Sjukhus(..) => Level::Sjukhus,
            Area::Enhet(..) => Level::Enhet,
        }
    }

    /// The region the area lies in (None for Sweden and sjukvårdsregioner).
    pub fn region(&self) -> Option<RegionCode> {
        match self {
            Area::Sweden | Area::Sjukvardsregion(_) => None,
            Area::Region(r) | Area::Sjukhus(r, _) | Area::Enhet(r, ..) => Some(*r),
            Area::Kommun(k) => k.region(),
        }
    }

    /// The area one level up (None for Sweden).
    pub fn parent(&self) -> Option<Area> {
        match self {
            Area::Sweden => None,
            Area::Sjukvardsregion(_) => Some(Area::Sweden),
            Area::Region(r) => Some(Area::Sjukvardsregion(r.region().sjukvardsregion())),
            Area::Kommun(k) => k.region().map(Area::Region),
            Area::Sjukhus(r, _) => Some(Area::Region(*r)),
            Area::Enhet(r, s, _) => Some(Area::Sjukhus(*r, s.clone())),
        }
    }

    /// The area's name in Swedish (units and hospitals: their codes as delivered).
    pub fn name_sv(&self) -> String {
        match self {
            Area::Sweden => "Riket".to_owned(),
            Area::Sjukvardsregion(s) => format!("{}{}", s.name(), halland_note(*s, true)),
            Area::Region(r) => r.region().name().to_owned(),
            Area::Kommun(k) => k.name().unwrap_or(k.as_str()).to_owned(),
            Area::Sjukhus(_, s) => s.clone(),
            Area::Enhet(_, s, e) => format!("{e} ({s})"),
        }
    }

    /// The area's name in English.
    pub fn name_en(&self) -> String {
        match self {
            Area::Sweden => "Sweden".to_owned(),
            Area::Sjukvardsregion(s) => format!("{}{}", s.name(), halland_note(*s, false)),
            other => other.name_sv(),
        }
    }

    /// Parse a text form (see the module documentation).
    pub fn parse(s: &str) -> Result<Area, AreaError> {
        if s == "00" {
            return Ok(Area::Sweden);
        }
        if let Some(n) = s.strip_prefix("SR") {
            return n
                .parse::<u8>()
                .ok()
                .and_then(Sjukvardsregion::from_price_list)
                .map(Area::Sjukvardsregion)
                .ok_or(AreaError);
        }
        let mut parts = s.splitn(3, '/');
        let first = parts.next().ok_or(AreaError)?;
        match (parts.next(), parts.next()) {
            (None, _) if first.len() == 4 => KommunCode::parse(first)
                .map(Area::Kommun)
                .map_err(|_| AreaError),
            (None, _) => region(first).map(Area::Region),
            (Some(h), None) if !h.is_empty() => Ok(Area::Sjukhus(region(first)?, h.to_owned())),
            (Some(h), Some(u)) if !h.is_empty() && !u.is_empty() => {
                Ok(Area::Enhet(region(first)?, h.to_owned(), u.to_owned()))
            }
            _ => Err(AreaError),
        }
    }
}

fn region(s: &str) -> Result<RegionCode, AreaError> {
    RegionCode::parse(s)
        .ok()
        .filter(|r| r.as_str() == s)
        .ok_or(AreaError)
}

/// Halland's convention, in the sjukvårdsregion's name.
fn halland_note(s: Sjukvardsregion, sv: bool) -> &'static str {
    match (s, sv) {
        (Sjukvardsregion::Vastra, true) => " (med hela Region Halland)",
        (Sjukvardsregion::Vastra, false) => " (with all of Region Halland)",
        (Sjukvardsregion::Sodra, true) => " (utan Region Halland)",
        (Sjukvardsregion::Sodra, false) => " (without Region Halland)",
        _ => "",
    }
}

impl fmt::Display for Area {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Area::Sweden => f.write_str("00"),
            Area::Sjukvardsregion(s) => write!(f, "SR{}", s.price_list()),
            Area::Region(r) => f.write_str(r.as_str()),
            Area::Kommun(k) => f.write_str(k.as_str()),
            Area::Sjukhus(r, h) => write!(f, "{}/{h}", r.as_str()),
            Area::Enhet(r, h, u) => write!(f, "{}/{h}/{u}", r.as_str()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_forms_round_trip_and_name_their_level() {
        for (s, level) in [
            ("00", Level::Land),
            ("SR3", Level::Sjukvardsregion),
            ("01", Level::Region),
            ("0180", Level::Kommun),
            ("01/01010", Level::Sjukhus),
            ("01/01010/Medicinavdelningen", Level::Enhet),
        ] {
            let a = Area::parse(s).unwrap();
            assert_eq!((a.to_string().as_str(), a.level()), (s, level));
        }
        for bad in ["02", "SR7", "0000", "01/", "01//x", "1", "99/x"] {
            assert!(Area::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn every_area_has_its_parent_up_to_sweden() {
        let mut a = Area::parse("01/01010/Medicin").unwrap();
        let mut path = vec![a.to_string()];
        while let Some(p) = a.parent() {
            path.push(p.to_string());
            a = p;
        }
        assert_eq!(path, ["01/01010/Medicin", "01/01010", "01", "SR3", "00"]);
        assert_eq!(
            Area::parse("1380").unwrap().parent(),
            Some(Area::Region(RegionCode::parse("13").unwrap()))
        );
        assert!(Area::parse("SR5").unwrap().name_sv().contains("Halland"));
    }
}
