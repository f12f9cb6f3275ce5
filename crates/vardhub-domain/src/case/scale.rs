//! The prioritisation scale: every dimension is scored 1–5, each step described, so that two
//! handlers score the same case alike and a requester can read why. A high score always means
//! "in favour of doing it" (for feasibility: simpler; for regulation: clearer ground).
//!
//! The total is the plain sum (3–15, equal weights; the centre decided not to weight until it has
//! a year of cases to calibrate on). Classes: high 12–15, medium 8–11, low 3–7. Any dimension
//! scored 1 makes the case low whatever the total: a case the law or feasibility rules out
//! cannot be outweighed by value.

use super::{Dimension, Prioritisation};
use serde::{Deserialize, Serialize};

/// A score on a dimension's scale, 1–5.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "u8", into = "u8")]
pub struct Score(u8);

impl Score {
    /// Parse 1–5.
    pub fn new(n: u8) -> Result<Score, super::CaseError> {
        if (1..=5).contains(&n) {
            Ok(Score(n))
        } else {
            Err(super::CaseError::BadScore)
        }
    }
    /// The number.
    pub fn get(self) -> u8 {
        self.0
    }
}

impl TryFrom<u8> for Score {
    type Error = super::CaseError;
    fn try_from(n: u8) -> Result<Score, super::CaseError> {
        Score::new(n)
    }
}

impl From<Score> for u8 {
    fn from(s: Score) -> u8 {
        s.0
    }
}

/// What each step of a dimension's scale means: `(score, Swedish, English)`.
pub fn steps(d: Dimension) -> [(u8, &'static str, &'static str); 5] {
    match d {
        Dimension::Value => [
            (
                1,
                "Gäller en enskild enhet; ingen koppling till gemensamma mål",
                "One unit only; no link to shared goals",
            ),
            (
                2,
                "Gäller en region eller ett fåtal enheter",
                "One region or a few units",
            ),
            (
                3,
                "Gäller flera regioner eller ett NPO; tydlig verksamhetsnytta",
                "Several regions or one NPO; clear benefit",
            ),
            (
                4,
                "Gäller de flesta regioner; stödjer en gemensam plan eller uppföljning",
                "Most regions; supports a shared plan or follow-up",
            ),
            (
                5,
                "Nationell prioritet; alla regioner och flera aktörer efterfrågar svaret",
                "National priority; all regions and several actors need it",
            ),
        ],
        Dimension::Feasibility => [
            (
                1,
                "Kräver data som inte finns och inte kan samlas in inom ett år",
                "Needs data that do not exist and cannot be collected within a year",
            ),
            (
                2,
                "Kräver en ny datainsamling eller ny metodutveckling",
                "Needs a new collection or new methods",
            ),
            (
                3,
                "Data finns; kräver nytt recept eller ny analys (veckor)",
                "Data exist; needs a new recipe or analysis (weeks)",
            ),
            (
                4,
                "Data finns; kräver en ändring av ett befintligt recept (dagar)",
                "Data exist; a change to an existing recipe (days)",
            ),
            (
                5,
                "Besvaras med befintliga indikatorer eller analyser",
                "Answered by existing indicators or analyses",
            ),
        ],
        Dimension::Regulatory => [
            (1, "Rättslig grund saknas", "No legal ground"),
            (
                2,
                "Rättslig grund oklar; kräver juridisk utredning",
                "Legal ground unclear; needs a legal review",
            ),
            (
                3,
                "Personuppgifter med rättslig grund; kräver etikprövning eller avtal",
                "Personal data with legal ground; needs ethics approval or an agreement",
            ),
            (
                4,
                "Pseudonymiserade data inom befintliga avtal",
                "Pseudonymised data within existing agreements",
            ),
            (
                5,
                "Endast aggregerade, icke-personliga uppgifter",
                "Aggregate, non-personal data only",
            ),
        ],
    }
}

/// The priority class of a prioritisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PriorityClass {
    /// Total 3–7, or any dimension scored 1.
    Low,
    /// Total 8–11.
    Medium,
    /// Total 12–15.
    High,
}

impl PriorityClass {
    /// The class of `p`.
    pub fn of(p: &Prioritisation) -> PriorityClass {
        if p.scores().iter().any(|(_, s)| s.score.get() == 1) {
            return PriorityClass::Low;
        }
        match p.total() {
            12.. => PriorityClass::High,
            8..=11 => PriorityClass::Medium,
            _ => PriorityClass::Low,
        }
    }
    /// Swedish name.
    pub fn sv(self) -> &'static str {
        match self {
            PriorityClass::Low => "låg",
            PriorityClass::Medium => "medel",
            PriorityClass::High => "hög",
        }
    }
    /// English name.
    pub fn en(self) -> &'static str {
        match self {
            PriorityClass::Low => "low",
            PriorityClass::Medium => "medium",
            PriorityClass::High => "high",
        }
    }
}
