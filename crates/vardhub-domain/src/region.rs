//! Regions (län), sjukvårdsregioner and kommuner.
//!
//! * [`RegionCode`]: one of the 21 länskoder (SCB), `01`, `03`–`10`, `12`–`14`, `17`–`25`.
//! * [`Region`]: the static facts about a region (name, län, letter, population 2023,
//!   sjukvårdsregion), from the domain brief §2.1–2.2.
//! * [`Sjukvardsregion`]: the six sjukvårdsregioner with their price-list numbers.
//! * [`KommunCode`]: one of Sweden's 290 kommuner (plus the special `9901` for asylum seekers).
//!
//! Region Halland is the only region that belongs to two sjukvårdsregioner; the split is by kommun,
//! so use [`KommunCode::sjukvardsregion`] when the kommun is known.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::codes::CodeError;

const LAN_SYSTEM: &str = "länskod/county code";
const KOMMUN_SYSTEM: &str = "kommunkod/municipality code";

// ---------------------------------------------------------------------------------------------
// Sjukvårdsregion
// ---------------------------------------------------------------------------------------------

/// The six sjukvårdsregioner (Förordning 1982:777; names as currently used).
///
/// [`Sjukvardsregion::price_list`] gives the number of the matching `priceList` code in Inera's
/// invoicing contract (1 Norra Sverige … 6 Södra Sverige). Serialised in snake case
/// (`"norra"`, `"mellansverige"`, `"stockholm_gotland"`, `"sydostra"`, `"vastra"`, `"sodra"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sjukvardsregion {
    /// Norra sjukvårdsregionen (22, 23, 24, 25). Price list 1.
    Norra,
    /// Sjukvårdsregion Mellansverige, formerly Uppsala-Örebro (03, 04, 17, 18, 19, 20, 21).
    /// Price list 2.
    Mellansverige,
    /// Stockholms sjukvårdsregion, Stockholm–Gotland (01, 09). Price list 3.
    StockholmGotland,
    /// Sydöstra sjukvårdsregionen (05, 06, 08). Price list 4.
    Sydostra,
    /// Västra sjukvårdsregionen (14 and northern Halland). Price list 5.
    Vastra,
    /// Södra sjukvårdsregionen (07, 10, 12 and southern Halland). Price list 6.
    Sodra,
}

impl Sjukvardsregion {
    /// All six, in price-list order.
    pub const ALL: [Sjukvardsregion; 6] = [
        Sjukvardsregion::Norra,
        Sjukvardsregion::Mellansverige,
        Sjukvardsregion::StockholmGotland,
        Sjukvardsregion::Sydostra,
        Sjukvardsregion::Vastra,
        Sjukvardsregion::Sodra,
    ];

    /// The Swedish name, e.g. `"Norra sjukvårdsregionen"`.
    pub fn name(self) -> &'static str {
        match self {
            Sjukvardsregion::Norra => "Norra sjukvårdsregionen",
            Sjukvardsregion::Mellansverige => "Sjukvårdsregion Mellansverige",
            Sjukvardsregion::StockholmGotland => "Stockholms sjukvårdsregion",
            Sjukvardsregion::Sydostra => "Sydöstra sjukvårdsregionen",
            Sjukvardsregion::Vastra => "Västra sjukvårdsregionen",
            Sjukvardsregion::Sodra => "Södra sjukvårdsregionen",
        }
    }

    /// The number of the `priceList` code in Inera's invoicing contract (1–6).
    pub fn price_list(self) -> u8 {
        match self {
            Sjukvardsregion::Norra => 1,
            Sjukvardsregion::Mellansverige => 2,
            Sjukvardsregion::StockholmGotland => 3,
            Sjukvardsregion::Sydostra => 4,
            Sjukvardsregion::Vastra => 5,
            Sjukvardsregion::Sodra => 6,
        }
    }

    /// The sjukvårdsregion with the given price-list number (1–6).
    pub fn from_price_list(n: u8) -> Option<Sjukvardsregion> {
        Sjukvardsregion::ALL
            .into_iter()
            .find(|s| s.price_list() == n)
    }

    /// The regions that are members, wholly or (Halland) partly.
    pub fn members(self) -> impl Iterator<Item = RegionCode> {
        regions()
            .iter()
            .filter(move |r| r.sjukvardsregioner().contains(&self))
            .map(Region::code)
    }
}

impl fmt::Display for Sjukvardsregion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

// ---------------------------------------------------------------------------------------------
// RegionCode and Region
// ---------------------------------------------------------------------------------------------

/// A länskod: one of the 21 SCB county codes, which are also the regions' codes
/// (Socialstyrelsen uses the same numbers; `0` = Riket is not a region).
///
/// Displayed and serialised as two digits (`"01"`). Code `99` (asylum seekers in billing) is not a
/// region; see [`KommunCode`] for `9901`.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RegionCode(u8);

/// Static facts about one region.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Region {
    code: RegionCode,
    code_str: &'static str,
    name: &'static str,
    lan_name: &'static str,
    letter: &'static str,
    population_2023: u32,
    sjukvardsregioner: &'static [Sjukvardsregion],
}

use Sjukvardsregion as S;

/// The 21 regions in code order. Names, letters and 31 Dec 2023 populations from the domain brief
/// §2.1 (SCB; Gotland 61 029 derived as the residual of the official national total).
#[rustfmt::skip]
static REGIONS: [Region; 21] = [
    region(1, "01", "Region Stockholm", "Stockholms län", "AB", 2_454_821, &[S::StockholmGotland]),
    region(3, "03", "Region Uppsala", "Uppsala län", "C", 404_589, &[S::Mellansverige]),
    region(4, "04", "Region Sörmland", "Södermanlands län", "D", 301_944, &[S::Mellansverige]),
    region(5, "05", "Region Östergötland", "Östergötlands län", "E", 472_298, &[S::Sydostra]),
    region(6, "06", "Region Jönköpings län", "Jönköpings län", "F", 368_856, &[S::Sydostra]),
    region(7, "07", "Region Kronoberg", "Kronobergs län", "G", 203_686, &[S::Sodra]),
    region(8, "08", "Region Kalmar län", "Kalmar län", "H", 246_667, &[S::Sydostra]),
    region(9, "09", "Region Gotland", "Gotlands län", "I", 61_029, &[S::StockholmGotland]),
    region(10, "10", "Region Blekinge", "Blekinge län", "K", 157_973, &[S::Sodra]),
    region(12, "12", "Region Skåne", "Skåne län", "M", 1_421_781, &[S::Sodra]),
    region(13, "13", "Region Halland", "Hallands län", "N", 343_746, &[S::Vastra, S::Sodra]),
    region(14, "14", "Västra Götalandsregionen", "Västra Götalands län", "O", 1_767_016, &[S::Vastra]),
    region(17, "17", "Region Värmland", "Värmlands län", "S", 283_548, &[S::Mellansverige]),
    region(18, "18", "Region Örebro län", "Örebro län", "T", 308_116, &[S::Mellansverige]),
    region(19, "19", "Region Västmanland", "Västmanlands län", "U", 280_813, &[S::Mellansverige]),
    region(20, "20", "Region Dalarna", "Dalarnas län", "W", 287_253, &[S::Mellansverige]),
    region(21, "21", "Region Gävleborg", "Gävleborgs län", "X", 285_642, &[S::Mellansverige]),
    region(22, "22", "Region Västernorrland", "Västernorrlands län", "Y", 242_148, &[S::Norra]),
    region(23, "23", "Region Jämtland Härjedalen", "Jämtlands län", "Z", 132_572, &[S::Norra]),
    region(24, "24", "Region Västerbotten", "Västerbottens län", "AC", 278_729, &[S::Norra]),
    region(25, "25", "Region Norrbotten", "Norrbottens län", "BD", 248_480, &[S::Norra]),
];

const fn region(
    code: u8,
    code_str: &'static str,
    name: &'static str,
    lan_name: &'static str,
    letter: &'static str,
    population_2023: u32,
    sjukvardsregioner: &'static [Sjukvardsregion],
) -> Region {
    Region {
        code: RegionCode(code),
        code_str,
        name,
        lan_name,
        letter,
        population_2023,
        sjukvardsregioner,
    }
}

/// The 21 regions in länskod order.
pub fn regions() -> &'static [Region] {
    &REGIONS
}

impl RegionCode {
    /// The region with numeric länskod `code`, if it is one of the 21.
    pub fn new(code: u8) -> Option<RegionCode> {
        REGIONS.iter().map(|r| r.code).find(|c| c.0 == code)
    }

    /// Parse a länskod: `"1"` or `"01"` (trimmed), or a länsbokstav (`"AB"`, `"m"`,
    /// case-insensitive).
    pub fn parse(s: &str) -> Result<RegionCode, CodeError> {
        let t = s.trim();
        let found = if !t.is_empty() && t.len() <= 2 && t.bytes().all(|b| b.is_ascii_digit()) {
            t.parse::<u8>().ok().and_then(RegionCode::new)
        } else {
            REGIONS
                .iter()
                .find(|r| r.letter.eq_ignore_ascii_case(t))
                .map(|r| r.code)
        };
        found.ok_or_else(|| CodeError::for_value(LAN_SYSTEM, s))
    }

    /// All 21 codes in order.
    pub fn all() -> impl Iterator<Item = RegionCode> {
        REGIONS.iter().map(|r| r.code)
    }

    /// The numeric code (`1` for Stockholm).
    pub fn code(self) -> u8 {
        self.0
    }

    /// The two-digit code (`"01"`).
    pub fn as_str(&self) -> &'static str {
        self.region().code_str
    }

    /// The static facts about this region.
    pub fn region(&self) -> &'static Region {
        REGIONS
            .iter()
            .find(|r| r.code == *self)
            .unwrap_or(&REGIONS[0]) // unreachable: a RegionCode is always in the table
    }

    /// The region's name (`"Region Stockholm"`).
    pub fn name(&self) -> &'static str {
        self.region().name
    }
}

impl fmt::Display for RegionCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for RegionCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RegionCode({})", self.as_str())
    }
}

impl FromStr for RegionCode {
    type Err = CodeError;
    fn from_str(s: &str) -> Result<Self, CodeError> {
        RegionCode::parse(s)
    }
}

impl TryFrom<String> for RegionCode {
    type Error = CodeError;
    fn try_from(s: String) -> Result<Self, CodeError> {
        RegionCode::parse(&s)
    }
}

impl From<RegionCode> for String {
    fn from(c: RegionCode) -> String {
        c.as_str().to_owned()
    }
}

impl Serialize for RegionCode {
    fn serialize<Ser: Serializer>(&self, serializer: Ser) -> Result<Ser::Ok, Ser::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for RegionCode {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = std::borrow::Cow::<'de, str>::deserialize(deserializer)?;
        RegionCode::parse(&s).map_err(serde::de::Error::custom)
    }
}

impl Region {
    /// The länskod.
    pub fn code(&self) -> RegionCode {
        self.code
    }

    /// The name of the region as huvudman (`"Region Stockholm"`, `"Västra Götalandsregionen"`).
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// The name of the län (`"Stockholms län"`).
    pub fn lan_name(&self) -> &'static str {
        self.lan_name
    }

    /// The länsbokstav (`"AB"`).
    pub fn letter(&self) -> &'static str {
        self.letter
    }

    /// Population 31 December 2023 (SCB, via the domain brief §2.1).
    pub fn population_2023(&self) -> u32 {
        self.population_2023
    }

    /// The sjukvårdsregion of the region as a whole.
    ///
    /// Region Halland is split by kommun (Kungsbacka, Varberg, Falkenberg → Västra; Halmstad, Hylte,
    /// Laholm → Södra). For the whole region this returns [`Sjukvardsregion::Vastra`] by convention;
    /// use [`KommunCode::sjukvardsregion`] when the kommun is known, and
    /// [`Region::sjukvardsregioner`] to see both.
    pub fn sjukvardsregion(&self) -> Sjukvardsregion {
        self.sjukvardsregioner[0]
    }

    /// Every sjukvårdsregion the region belongs to (two for Halland, one otherwise).
    pub fn sjukvardsregioner(&self) -> &'static [Sjukvardsregion] {
        self.sjukvardsregioner
    }

    /// The region's kommuner (code and name), in code order.
    pub fn kommuner(&self) -> impl Iterator<Item = (KommunCode, &'static str)> {
        kommuner_in(self.code)
    }
}

// ---------------------------------------------------------------------------------------------
// Kommun
// ---------------------------------------------------------------------------------------------

/// A kommunkod: four digits, the first two being the länskod (`0180` Stockholm).
///
/// Only the 290 kommuner of [`KOMMUNER`] are accepted, plus `9901` (asylum seekers; used with
/// länskod `99` in Inera's invoicing contract), which belongs to no region.
/// Displayed and serialised as four digits.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct KommunCode(&'static str);

/// Position + 1 in [`KOMMUNER`] of every four-digit code (0 = not a kommun): parsing a kommunkod
/// is done for every delivered row, so it is a table lookup rather than a search.
fn kommun_index() -> &'static [u16; 10_000] {
    static INDEX: std::sync::OnceLock<Box<[u16; 10_000]>> = std::sync::OnceLock::new();
    INDEX.get_or_init(|| {
        let mut index = Box::new([0u16; 10_000]);
        for (i, (code, _)) in KOMMUNER.iter().enumerate() {
            if let Ok(n) = code.parse::<usize>() {
                index[n] = i as u16 + 1;
            }
        }
        index
    })
}

impl KommunCode {
    /// The special code for asylum seekers (not a kommun, no region).
    pub const ASYLUM_SEEKERS: KommunCode = KommunCode("9901");

    /// Parse a kommunkod: four digits (`"0180"`), or three digits where the leading zero was lost
    /// (`"180"`), trimmed. Must be in [`KOMMUNER`] or be `9901`.
    pub fn parse(s: &str) -> Result<KommunCode, CodeError> {
        let t = s.trim();
        let err = || CodeError::for_value(KOMMUN_SYSTEM, s);
        if !(t.len() == 3 || t.len() == 4) || !t.bytes().all(|b| b.is_ascii_digit()) {
            return Err(err());
        }
        let number = t
            .bytes()
            .fold(0usize, |n, b| n * 10 + usize::from(b - b'0'));
        if number == 9901 {
            return Ok(Self::ASYLUM_SEEKERS);
        }
        match kommun_index()[number] {
            0 => Err(err()),
            i => Ok(KommunCode(KOMMUNER[usize::from(i) - 1].0)),
        }
    }

    /// The four-digit code (`"0180"`).
    pub fn as_str(&self) -> &'static str {
        self.0
    }

    /// The numeric code (`180`).
    pub fn code(&self) -> u16 {
        self.0.parse().unwrap_or(0)
    }

    /// The kommun's name (`"Stockholm"`); `None` for `9901`.
    pub fn name(&self) -> Option<&'static str> {
        KOMMUNER
            .binary_search_by(|(code, _)| (*code).cmp(self.0))
            .ok()
            .map(|i| KOMMUNER[i].1)
    }

    /// Whether this is the special asylum-seeker code `9901`.
    pub fn is_asylum_seekers(&self) -> bool {
        *self == Self::ASYLUM_SEEKERS
    }

    /// The region (län) of the kommun; `None` for `9901`.
    pub fn region(&self) -> Option<RegionCode> {
        self.0[..2].parse::<u8>().ok().and_then(RegionCode::new)
    }

    /// The sjukvårdsregion of the kommun; `None` for `9901`.
    ///
    /// Halland is split: Halmstad (1380), Hylte (1315) and Laholm (1381) belong to Södra,
    /// Kungsbacka (1384), Varberg (1383) and Falkenberg (1382) to Västra.
    pub fn sjukvardsregion(&self) -> Option<Sjukvardsregion> {
        match self.0 {
            "1315" | "1380" | "1381" => Some(Sjukvardsregion::Sodra),
            "1382" | "1383" | "1384" => Some(Sjukvardsregion::Vastra),
            _ => self.region().map(|r| r.region().sjukvardsregion()),
        }
    }
}

impl fmt::Display for KommunCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

impl fmt::Debug for KommunCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "KommunCode({})", self.0)
    }
}

impl FromStr for KommunCode {
    type Err = CodeError;
    fn from_str(s: &str) -> Result<Self, CodeError> {
        KommunCode::parse(s)
    }
}

impl TryFrom<String> for KommunCode {
    type Error = CodeError;
    fn try_from(s: String) -> Result<Self, CodeError> {
        KommunCode::parse(&s)
    }
}

impl From<KommunCode> for String {
    fn from(c: KommunCode) -> String {
        c.0.to_owned()
    }
}

impl Serialize for KommunCode {
    fn serialize<Ser: Serializer>(&self, serializer: Ser) -> Result<Ser::Ok, Ser::Error> {
        serializer.serialize_str(self.0)
    }
}

impl<'de> Deserialize<'de> for KommunCode {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = std::borrow::Cow::<'de, str>::deserialize(deserializer)?;
        KommunCode::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// All 290 kommuner, `(code, name)`, in code order.
pub fn kommuner() -> impl Iterator<Item = (KommunCode, &'static str)> {
    KOMMUNER
        .iter()
        .map(|&(code, name)| (KommunCode(code), name))
}

/// The kommuner of one region, `(code, name)`, in code order.
pub fn kommuner_in(region: RegionCode) -> impl Iterator<Item = (KommunCode, &'static str)> {
    let prefix = region.as_str();
    kommuner().filter(move |(code, _)| code.0.starts_with(prefix))
}

/// Sweden's 290 kommuner (code, short name), sorted by code; the subdivision valid since 2003
/// (unchanged through 2024–2025).
///
/// Source: SCB's kommun codes as published CC0 in github.com/sjbrg/swedish-geodata
/// `data/municipalities.csv` (commit 9673191, "municipality_code, municipality_name_short";
/// derived from SCB), cross-checked code-for-code and name-for-name against an independent copy
/// (github.com/viktorbengtsson/pypsa-vgr `dashboard/MapSelector/map_selector/frontend/src/geo.ts`,
/// 290 entries, identical).
pub static KOMMUNER: [(&str, &str); 290] = [
    ("0114", "Upplands Väsby"),
    ("0115", "Vallentuna"),
    ("0117", "Österåker"),
    ("0120", "Värmdö"),
    ("0123", "Järfälla"),
    ("0125", "Ekerö"),
    ("0126", "Huddinge"),
    ("0127", "Botkyrka"),
    ("0128", "Salem"),
    ("0136", "Haninge"),
    ("0138", "Tyresö"),
    ("0139", "Upplands-Bro"),
    ("0140", "Nykvarn"),
    ("0160", "Täby"),
    ("0162", "Danderyd"),
    ("0163", "Sollentuna"),
    ("0180", "Stockholm"),
    ("0181", "Södertälje"),
    ("0182", "Nacka"),
    ("0183", "Sundbyberg"),
    ("0184", "Solna"),
    ("0186", "Lidingö"),
    ("0187", "Vaxholm"),
    ("0188", "Norrtälje"),
    ("0191", "Sigtuna"),
    ("0192", "Nynäshamn"),
    ("0305", "Håbo"),
    ("0319", "Älvkarleby"),
    ("0330", "Knivsta"),
    ("0331", "Heby"),
    ("0360", "Tierp"),
    ("0380", "Uppsala"),
    ("0381", "Enköping"),
    ("0382", "Östhammar"),
    ("0428", "Vingåker"),
    ("0461", "Gnesta"),
    ("0480", "Nyköping"),
    ("0481", "Oxelösund"),
    ("0482", "Flen"),
    ("0483", "Katrineholm"),
    ("0484", "Eskilstuna"),
    ("0486", "Strängnäs"),
    ("0488", "Trosa"),
    ("0509", "Ödeshög"),
    ("0512", "Ydre"),
    ("0513", "Kinda"),
    ("0560", "Boxholm"),
    ("0561", "Åtvidaberg"),
    ("0562", "Finspång"),
    ("0563", "Valdemarsvik"),
    ("0580", "Linköping"),
    ("0581", "Norrköping"),
    ("0582", "Söderköping"),
    ("0583", "Motala"),
    ("0584", "Vadstena"),
    ("0586", "Mjölby"),
    ("0604", "Aneby"),
    ("0617", "Gnosjö"),
    ("0642", "Mullsjö"),
    ("0643", "Habo"),
    ("0662", "Gislaved"),
    ("0665", "Vaggeryd"),
    ("0680", "Jönköping"),
    ("0682", "Nässjö"),
    ("0683", "Värnamo"),
    ("0684", "Sävsjö"),
    ("0685", "Vetlanda"),
    ("0686", "Eksjö"),
    ("0687", "Tranås"),
    ("0760", "Uppvidinge"),
    ("0761", "Lessebo"),
    ("0763", "Tingsryd"),
    ("0764", "Alvesta"),
    ("0765", "Älmhult"),
    ("0767", "Markaryd"),
    ("0780", "Växjö"),
    ("0781", "Ljungby"),
    ("0821", "Högsby"),
    ("0834", "Torsås"),
    ("0840", "Mörbylånga"),
    ("0860", "Hultsfred"),
    ("0861", "Mönsterås"),
    ("0862", "Emmaboda"),
    ("0880", "Kalmar"),
    ("0881", "Nybro"),
    ("0882", "Oskarshamn"),
    ("0883", "Västervik"),
    ("0884", "Vimmerby"),
    ("0885", "Borgholm"),
    ("0980", "Gotland"),
    ("1060", "Olofström"),
    ("1080", "Karlskrona"),
    ("1081", "Ronneby"),
    ("1082", "Karlshamn"),
    ("1083", "Sölvesborg"),
    ("1214", "Svalöv"),
    ("1230", "Staffanstorp"),
    ("1231", "Burlöv"),
    ("1233", "Vellinge"),
    ("1256", "Östra Göinge"),
    ("1257", "Örkelljunga"),
    ("1260", "Bjuv"),
    ("1261", "Kävlinge"),
    ("1262", "Lomma"),
    ("1263", "Svedala"),
    ("1264", "Skurup"),
    ("1265", "Sjöbo"),
    ("1266", "Hörby"),
    ("1267", "Höör"),
    ("1270", "Tomelilla"),
    ("1272", "Bromölla"),
    ("1273", "Osby"),
    ("1275", "Perstorp"),
    ("1276", "Klippan"),
    ("1277", "Åstorp"),
    ("1278", "Båstad"),
    ("1280", "Malmö"),
    ("1281", "Lund"),
    ("1282", "Landskrona"),
    ("1283", "Helsingborg"),
    ("1284", "Höganäs"),
    ("1285", "Eslöv"),
    ("1286", "Ystad"),
    ("1287", "Trelleborg"),
    ("1290", "Kristianstad"),
    ("1291", "Simrishamn"),
    ("1292", "Ängelholm"),
    ("1293", "Hässleholm"),
    ("1315", "Hylte"),
    ("1380", "Halmstad"),
    ("1381", "Laholm"),
    ("1382", "Falkenberg"),
    ("1383", "Varberg"),
    ("1384", "Kungsbacka"),
    ("1401", "Härryda"),
    ("1402", "Partille"),
    ("1407", "Öckerö"),
    ("1415", "Stenungsund"),
    ("1419", "Tjörn"),
    ("1421", "Orust"),
    ("1427", "Sotenäs"),
    ("1430", "Munkedal"),
    ("1435", "Tanum"),
    ("1438", "Dals-Ed"),
    ("1439", "Färgelanda"),
    ("1440", "Ale"),
    ("1441", "Lerum"),
    ("1442", "Vårgårda"),
    ("1443", "Bollebygd"),
    ("1444", "Grästorp"),
    ("1445", "Essunga"),
    ("1446", "Karlsborg"),
    ("1447", "Gullspång"),
    ("1452", "Tranemo"),
    ("1460", "Bengtsfors"),
    ("1461", "Mellerud"),
    ("1462", "Lilla Edet"),
    ("1463", "Mark"),
    ("1465", "Svenljunga"),
    ("1466", "Herrljunga"),
    ("1470", "Vara"),
    ("1471", "Götene"),
    ("1472", "Tibro"),
    ("1473", "Töreboda"),
    ("1480", "Göteborg"),
    ("1481", "Mölndal"),
    ("1482", "Kungälv"),
    ("1484", "Lysekil"),
    ("1485", "Uddevalla"),
    ("1486", "Strömstad"),
    ("1487", "Vänersborg"),
    ("1488", "Trollhättan"),
    ("1489", "Alingsås"),
    ("1490", "Borås"),
    ("1491", "Ulricehamn"),
    ("1492", "Åmål"),
    ("1493", "Mariestad"),
    ("1494", "Lidköping"),
    ("1495", "Skara"),
    ("1496", "Skövde"),
    ("1497", "Hjo"),
    ("1498", "Tidaholm"),
    ("1499", "Falköping"),
    ("1715", "Kil"),
    ("1730", "Eda"),
    ("1737", "Torsby"),
    ("1760", "Storfors"),
    ("1761", "Hammarö"),
    ("1762", "Munkfors"),
    ("1763", "Forshaga"),
    ("1764", "Grums"),
    ("1765", "Årjäng"),
    ("1766", "Sunne"),
    ("1780", "Karlstad"),
    ("1781", "Kristinehamn"),
    ("1782", "Filipstad"),
    ("1783", "Hagfors"),
    ("1784", "Arvika"),
    ("1785", "Säffle"),
    ("1814", "Lekeberg"),
    ("1860", "Laxå"),
    ("1861", "Hallsberg"),
    ("1862", "Degerfors"),
    ("1863", "Hällefors"),
    ("1864", "Ljusnarsberg"),
    ("1880", "Örebro"),
    ("1881", "Kumla"),
    ("1882", "Askersund"),
    ("1883", "Karlskoga"),
    ("1884", "Nora"),
    ("1885", "Lindesberg"),
    ("1904", "Skinnskatteberg"),
    ("1907", "Surahammar"),
    ("1960", "Kungsör"),
    ("1961", "Hallstahammar"),
    ("1962", "Norberg"),
    ("1980", "Västerås"),
    ("1981", "Sala"),
    ("1982", "Fagersta"),
    ("1983", "Köping"),
    ("1984", "Arboga"),
    ("2021", "Vansbro"),
    ("2023", "Malung-Sälen"),
    ("2026", "Gagnef"),
    ("2029", "Leksand"),
    ("2031", "Rättvik"),
    ("2034", "Orsa"),
    ("2039", "Älvdalen"),
    ("2061", "Smedjebacken"),
    ("2062", "Mora"),
    ("2080", "Falun"),
    ("2081", "Borlänge"),
    ("2082", "Säter"),
    ("2083", "Hedemora"),
    ("2084", "Avesta"),
    ("2085", "Ludvika"),
    ("2101", "Ockelbo"),
    ("2104", "Hofors"),
    ("2121", "Ovanåker"),
    ("2132", "Nordanstig"),
    ("2161", "Ljusdal"),
    ("2180", "Gävle"),
    ("2181", "Sandviken"),
    ("2182", "Söderhamn"),
    ("2183", "Bollnäs"),
    ("2184", "Hudiksvall"),
    ("2260", "Ånge"),
    ("2262", "Timrå"),
    ("2280", "Härnösand"),
    ("2281", "Sundsvall"),
    ("2282", "Kramfors"),
    ("2283", "Sollefteå"),
    ("2284", "Örnsköldsvik"),
    ("2303", "Ragunda"),
    ("2305", "Bräcke"),
    ("2309", "Krokom"),
    ("2313", "Strömsund"),
    ("2321", "Åre"),
    ("2326", "Berg"),
    ("2361", "Härjedalen"),
    ("2380", "Östersund"),
    ("2401", "Nordmaling"),
    ("2403", "Bjurholm"),
    ("2404", "Vindeln"),
    ("2409", "Robertsfors"),
    ("2417", "Norsjö"),
    ("2418", "Malå"),
    ("2421", "Storuman"),
    ("2422", "Sorsele"),
    ("2425", "Dorotea"),
    ("2460", "Vännäs"),
    ("2462", "Vilhelmina"),
    ("2463", "Åsele"),
    ("2480", "Umeå"),
    ("2481", "Lycksele"),
    ("2482", "Skellefteå"),
    ("2505", "Arvidsjaur"),
    ("2506", "Arjeplog"),
    ("2510", "Jokkmokk"),
    ("2513", "Överkalix"),
    ("2514", "Kalix"),
    ("2518", "Övertorneå"),
    ("2521", "Pajala"),
    ("2523", "Gällivare"),
    ("2560", "Älvsbyn"),
    ("2580", "Luleå"),
    ("2581", "Piteå"),
    ("2582", "Boden"),
    ("2583", "Haparanda"),
    ("2584", "Kiruna"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn twenty_one_regions_in_order() {
        let codes: Vec<&str> = RegionCode::all().map(|c| c.as_str()).collect();
        assert_eq!(
            codes,
            [
                "01", "03", "04", "05", "06", "07", "08", "09", "10", "12", "13", "14", "17", "18",
                "19", "20", "21", "22", "23", "24", "25"
            ]
        );
        assert_eq!(regions().len(), 21);
        for r in regions() {
            assert_eq!(r.code().region(), r);
            assert_eq!(RegionCode::parse(r.code().as_str()), Ok(r.code()));
            assert_eq!(RegionCode::parse(r.letter()), Ok(r.code()));
            assert_eq!(RegionCode::new(r.code().code()), Some(r.code()));
        }
        for missing in [0, 2, 11, 15, 16, 26, 99] {
            assert_eq!(RegionCode::new(missing), None);
        }
    }

    #[test]
    fn region_parse_forms() {
        let sthlm = RegionCode::parse("1").unwrap();
        assert_eq!(RegionCode::parse("01"), Ok(sthlm));
        assert_eq!(RegionCode::parse(" ab "), Ok(sthlm));
        assert_eq!(sthlm.to_string(), "01");
        assert_eq!(sthlm.name(), "Region Stockholm");
        assert_eq!(sthlm.region().lan_name(), "Stockholms län");
        assert_eq!(RegionCode::parse("BD").unwrap().as_str(), "25");
        for bad in ["", "0", "02", "11", "99", "001", "X1", "Q", "1a"] {
            assert!(RegionCode::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(format!("{sthlm:?}"), "RegionCode(01)");
    }

    #[test]
    fn region_serde() {
        let c = RegionCode::parse("9").unwrap();
        assert_eq!(serde_json::to_string(&c).unwrap(), "\"09\"");
        assert_eq!(serde_json::from_str::<RegionCode>("\"09\"").unwrap(), c);
        assert!(serde_json::from_str::<RegionCode>("\"02\"").is_err());
        assert_eq!(
            serde_json::to_string(&Sjukvardsregion::StockholmGotland).unwrap(),
            "\"stockholm_gotland\""
        );
    }

    #[test]
    fn populations() {
        let gotland = RegionCode::parse("09").unwrap().region();
        assert_eq!(gotland.population_2023(), 61_029);
        let total: u32 = regions().iter().map(Region::population_2023).sum();
        assert_eq!(total, 10_551_707); // Riket 31 Dec 2023
    }

    #[test]
    fn sjukvardsregioner() {
        for s in Sjukvardsregion::ALL {
            assert_eq!(Sjukvardsregion::from_price_list(s.price_list()), Some(s));
            assert!(s.members().count() >= 2, "{s}");
        }
        assert_eq!(Sjukvardsregion::from_price_list(0), None);
        assert_eq!(Sjukvardsregion::from_price_list(7), None);
        let members = |s: Sjukvardsregion| s.members().map(|c| c.as_str()).collect::<Vec<_>>();
        assert_eq!(members(Sjukvardsregion::Norra), ["22", "23", "24", "25"]);
        assert_eq!(
            members(Sjukvardsregion::Mellansverige),
            ["03", "04", "17", "18", "19", "20", "21"]
        );
        assert_eq!(members(Sjukvardsregion::StockholmGotland), ["01", "09"]);
        assert_eq!(members(Sjukvardsregion::Sydostra), ["05", "06", "08"]);
        assert_eq!(members(Sjukvardsregion::Vastra), ["13", "14"]);
        assert_eq!(members(Sjukvardsregion::Sodra), ["07", "10", "12", "13"]);
        let halland = RegionCode::parse("13").unwrap().region();
        assert_eq!(halland.sjukvardsregion(), Sjukvardsregion::Vastra);
        assert_eq!(halland.sjukvardsregioner().len(), 2);
        assert_eq!(
            Sjukvardsregion::Sodra.to_string(),
            "Södra sjukvårdsregionen"
        );
    }

    #[test]
    fn halland_split_by_kommun() {
        let svr = |c: &str| KommunCode::parse(c).unwrap().sjukvardsregion().unwrap();
        for c in ["1380", "1315", "1381"] {
            assert_eq!(svr(c), Sjukvardsregion::Sodra, "{c}");
        }
        for c in ["1384", "1383", "1382"] {
            assert_eq!(svr(c), Sjukvardsregion::Vastra, "{c}");
        }
        assert_eq!(svr("0180"), Sjukvardsregion::StockholmGotland);
        assert_eq!(svr("1280"), Sjukvardsregion::Sodra);
        assert_eq!(svr("2584"), Sjukvardsregion::Norra);
        // Every Halland kommun is covered by the explicit split.
        assert_eq!(kommuner_in(RegionCode::parse("13").unwrap()).count(), 6);
    }

    #[test]
    fn kommun_list() {
        assert_eq!(KOMMUNER.len(), 290);
        assert_eq!(kommuner().count(), 290);
        assert!(
            KOMMUNER.windows(2).all(|w| w[0].0 < w[1].0),
            "sorted, unique"
        );
        let mut per_region = 0;
        for r in regions() {
            let n = r.kommuner().count();
            assert!(n >= 1, "{}", r.name());
            per_region += n;
        }
        assert_eq!(per_region, 290, "every kommun belongs to a valid region");
        let n = |c: &str| kommuner_in(RegionCode::parse(c).unwrap()).count();
        assert_eq!(n("01"), 26);
        assert_eq!(n("09"), 1);
        assert_eq!(n("12"), 33);
        assert_eq!(n("14"), 49);
        for (code, name) in kommuner() {
            assert_eq!(code.as_str().len(), 4);
            assert_eq!(code.name(), Some(name));
            assert_eq!(KommunCode::parse(code.as_str()), Ok(code));
            assert!(code.region().is_some());
            assert!(code.sjukvardsregion().is_some());
        }
    }

    #[test]
    fn kommun_parse() {
        let sthlm = KommunCode::parse("0180").unwrap();
        assert_eq!(sthlm.name(), Some("Stockholm"));
        assert_eq!(sthlm.code(), 180);
        assert_eq!(KommunCode::parse(" 180 "), Ok(sthlm));
        assert_eq!(sthlm.region(), RegionCode::parse("01").ok());
        assert_eq!(KommunCode::parse("0127").unwrap().name(), Some("Botkyrka"));
        assert_eq!(KommunCode::parse("0980").unwrap().name(), Some("Gotland"));
        let asyl = KommunCode::parse("9901").unwrap();
        assert!(asyl.is_asylum_seekers());
        assert_eq!(asyl.region(), None);
        assert_eq!(asyl.name(), None);
        assert_eq!(asyl.sjukvardsregion(), None);
        // Shape-valid but not a kommun; invalid län prefix; bad shapes.
        for bad in [
            "0100", "0181x", "0200", "1100", "9900", "", "18", "01800", "01-8", "abcd",
        ] {
            assert!(KommunCode::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(serde_json::to_string(&sthlm).unwrap(), "\"0180\"");
        assert_eq!(
            serde_json::from_str::<KommunCode>("\"0180\"").unwrap(),
            sthlm
        );
        assert_eq!(sthlm.to_string(), "0180");
    }
}
