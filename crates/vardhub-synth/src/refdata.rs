//! Reference data embedded at build time.
//!
//! * `data/scb_2015_lan_sex_age.csv`: population 31 Dec 2015 and deaths during 2015 by län, sex
//!   (1 man, 2 kvinna) and age 0…100 (100 = 100+). Copied from SCB BE0101N1 / BE0101D9 as
//!   republished in the shared reference files `scb_population_lan_age_sex_1968_2015.csv` and
//!   `scb_deaths_lan_age_sex_1968_2015.csv` (year 2015 rows only; domain brief §11).
//! * `reference/skatteverket_test_personnummer.json`: Skatteverket's published test personnummer
//!   (domain brief §1.5), used for every synthetic person whose birth date and sex fit one.

use std::collections::HashMap;
use std::sync::LazyLock;

use chrono::NaiveDate;
use vardhub_domain::region::regions;

use crate::cal::{Day, day_of};

/// Ages 0..=100 (100 = 100 and older).
pub(crate) const AGES: usize = 101;

const SCB_CSV: &str = include_str!("../data/scb_2015_lan_sex_age.csv");
const TEST_PNR_JSON: &str = include_str!("../../../reference/skatteverket_test_personnummer.json");

/// Population and deaths of 2015 by region index (länskod order), sex index (0 man, 1 kvinna)
/// and age.
pub(crate) struct Scb {
    pub pop: Vec<[[f64; AGES]; 2]>,
    pub deaths: Vec<[[f64; AGES]; 2]>,
}

impl Scb {
    /// National population by sex and age.
    pub fn national_pop(&self) -> [[f64; AGES]; 2] {
        let mut n = [[0.0; AGES]; 2];
        for r in &self.pop {
            for s in 0..2 {
                for a in 0..AGES {
                    n[s][a] += r[s][a];
                }
            }
        }
        n
    }

    /// Annual death probability for a region, sex index and age.
    pub fn death_rate(&self, region: usize, sex: usize, age: usize) -> f64 {
        let a = age.min(AGES - 1);
        let p = self.pop[region][sex][a];
        if p <= 0.0 {
            0.0
        } else {
            (self.deaths[region][sex][a] / p).min(0.9)
        }
    }
}

/// Index of a region (0–20) from its länskod.
pub(crate) fn region_index(code: u8) -> Option<usize> {
    regions().iter().position(|r| r.code().code() == code)
}

pub(crate) static SCB: LazyLock<Scb> = LazyLock::new(|| {
    let n = regions().len();
    let mut pop = vec![[[0.0; AGES]; 2]; n];
    let mut deaths = vec![[[0.0; AGES]; 2]; n];
    for line in SCB_CSV.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        if f.len() != 5 {
            continue;
        }
        let (Ok(lan), Ok(sex), Ok(age), Ok(p), Ok(d)) = (
            f[0].parse::<u8>(),
            f[1].parse::<usize>(),
            f[2].parse::<usize>(),
            f[3].parse::<f64>(),
            f[4].parse::<f64>(),
        ) else {
            continue;
        };
        if let Some(r) = region_index(lan)
            && (1..=2).contains(&sex)
            && age < AGES
        {
            pop[r][sex - 1][age] = p;
            deaths[r][sex - 1][age] = d;
        }
    }
    Scb { pop, deaths }
});

/// Skatteverket's test personnummer by birth day: canonical 12-digit numbers, ascending.
pub(crate) static TEST_PNR: LazyLock<HashMap<Day, Vec<u64>>> = LazyLock::new(|| {
    let list: Vec<String> = serde_json::from_str(TEST_PNR_JSON).unwrap_or_default();
    let mut map: HashMap<Day, Vec<u64>> = HashMap::new();
    for s in list {
        if s.len() != 12 || !s.bytes().all(|b| b.is_ascii_digit()) {
            continue;
        }
        let (Ok(y), Ok(m), Ok(d), Ok(v)) = (
            s[0..4].parse::<i32>(),
            s[4..6].parse::<u32>(),
            s[6..8].parse::<u32>(),
            s.parse::<u64>(),
        ) else {
            continue;
        };
        // Test personnummer only (samordningsnummer have day + 60 and are not in this file).
        if let Some(date) = NaiveDate::from_ymd_opt(y, m, d) {
            map.entry(day_of(date)).or_default().push(v);
        }
    }
    for v in map.values_mut() {
        v.sort_unstable();
        v.dedup();
    }
    map
});

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scb_totals_match_the_source() {
        let total: f64 = SCB.pop.iter().flatten().flatten().sum();
        assert_eq!(total, 9_851_017.0);
        let deaths: f64 = SCB.deaths.iter().flatten().flatten().sum();
        assert_eq!(deaths, 90_907.0);
    }

    #[test]
    fn test_numbers_load() {
        let n: usize = TEST_PNR.values().map(Vec::len).sum();
        assert!(n > 41_000, "{n}");
        let d = day_of(NaiveDate::from_ymd_opt(2017, 1, 1).unwrap());
        assert!(TEST_PNR[&d].contains(&201_701_012_393));
    }
}
