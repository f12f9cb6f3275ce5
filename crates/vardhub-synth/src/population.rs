//! The synthetic population: people per region in proportion to the 2023 populations, with the
//! 2015 age/sex structure of their län, a folkbokföringskommun, and month by month births, deaths
//! (SCB 2015 mortality by län, sex and age), moves between regions, and acute myocardial
//! infarctions (whose 30-day deaths are part of the mortality, so that the population register and
//! the care data agree).
//!
//! Built sequentially (it is cheap) so that identities are globally unique and independent of
//! threads; everything else reads it.

use vardhub_domain::Period;
use vardhub_domain::region::{KOMMUNER, regions};

use crate::cal::{DAY_MIN, Day, Min, NEVER, age_on, day_of_year, period_days, years_before};
use crate::ids::IdAllocator;
use crate::model::{self, Model};
use crate::refdata::{AGES, SCB};
use crate::rng::{self, tag};

/// One person.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Person {
    /// Canonical 12-digit personnummer.
    pub id: u64,
    pub birth: Day,
    /// Day of death, [`NEVER`] if alive at the end.
    pub death: Day,
    /// Day of moving to `region1`/`kommun1`, [`NEVER`] if no move.
    pub move_day: Day,
    /// Index into [`KOMMUNER`] before the move.
    pub kommun0: u16,
    pub kommun1: u16,
    /// Region index (0–20) before and after the move.
    pub region0: u8,
    pub region1: u8,
    /// 1 man, 2 kvinna.
    pub sex: u8,
}

impl Person {
    pub fn kommun_at(&self, day: Day) -> u16 {
        if day >= self.move_day {
            self.kommun1
        } else {
            self.kommun0
        }
    }

    pub fn region_at(&self, day: Day) -> u8 {
        if day >= self.move_day {
            self.region1
        } else {
            self.region0
        }
    }

    /// Alive on `day` (born on or before it, not yet dead).
    pub fn alive(&self, day: Day) -> bool {
        self.birth <= day && day < self.death
    }
}

/// An acute myocardial infarction: admission time and, if fatal within 30 days, the day of death.
#[derive(Debug, Clone, Copy)]
pub(crate) struct AmiEvent {
    pub person: u32,
    pub at: Min,
    pub fatal: bool,
}

/// Kommuner of a region with their sampling weights.
pub(crate) struct RegionKommuner {
    pub kommuner: Vec<u16>,
    pub cum: Vec<f64>,
}

/// Weight 3 for kommun codes ending in 80–99 (the historic cities, the larger kommuner), 1 else.
pub(crate) fn kommun_weights() -> Vec<RegionKommuner> {
    regions()
        .iter()
        .map(|r| {
            let prefix = r.code().as_str();
            let mut kommuner = Vec::new();
            let mut cum = Vec::new();
            let mut acc = 0.0;
            for (i, (code, _)) in KOMMUNER.iter().enumerate() {
                if code.starts_with(prefix) {
                    let tail: u32 = code[2..].parse().unwrap_or(0);
                    acc += if tail >= 80 { 3.0 } else { 1.0 };
                    kommuner.push(i as u16);
                    cum.push(acc);
                }
            }
            RegionKommuner { kommuner, cum }
        })
        .collect()
}

/// The population over the generated window.
pub(crate) struct Population {
    pub persons: Vec<Person>,
    /// AMI events sorted by person, then time.
    pub ami: Vec<AmiEvent>,
    /// By region index: every person resident there at some time in the window, ascending.
    pub residents: Vec<Vec<u32>>,
    /// Persons per region at the start (scaled 2023 population).
    pub initial: Vec<u64>,
    pub kommuner: Vec<RegionKommuner>,
    /// Persons whose identity is one of Skatteverket's test personnummer (the others have
    /// generated Luhn-valid numbers).
    pub test_numbers: u64,
}

impl Population {
    /// The AMI events of a person.
    pub fn ami_of(&self, person: u32) -> &[AmiEvent] {
        let lo = self.ami.partition_point(|e| e.person < person);
        let hi = self.ami.partition_point(|e| e.person <= person);
        &self.ami[lo..hi]
    }
}

fn pick_kommun(rng: &mut rng::Stream, k: &RegionKommuner) -> u16 {
    k.kommuner[rng::from_cumulative(rng, &k.cum)]
}

/// Build the population for `from..=to`.
pub(crate) fn build(model: &Model, seed: u64, scale: f64, from: Period, to: Period) -> Population {
    let regs = regions();
    let kommuner = kommun_weights();
    let start = period_days(from).0;
    let mut persons: Vec<Person> = Vec::new();
    let mut initial = Vec::with_capacity(regs.len());
    for (ri, reg) in regs.iter().enumerate() {
        let n = ((f64::from(reg.population_2023()) * scale).round() as u64).max(1);
        initial.push(n);
        let mut rng = rng::stream(seed, &[tag::POPULATION, ri as u64]);
        let mut cum = Vec::with_capacity(2 * AGES);
        let mut acc = 0.0;
        for s in 0..2 {
            for a in 0..AGES {
                acc += SCB.pop[ri][s][a];
                cum.push(acc);
            }
        }
        for _ in 0..n {
            let cell = rng::from_cumulative(&mut rng, &cum);
            let sex = (cell / AGES) as u8 + 1;
            let mut age = (cell % AGES) as i32;
            if age == 100 {
                while age < 105 && rng::chance(&mut rng, 0.5) {
                    age += 1;
                }
            }
            let latest = years_before(start, age);
            let earliest = years_before(start, age + 1) + 1;
            let birth = rng::range(&mut rng, i64::from(earliest), i64::from(latest) + 1) as Day;
            let k = pick_kommun(&mut rng, &kommuner[ri]);
            persons.push(Person {
                id: 0,
                birth,
                death: NEVER,
                move_day: NEVER,
                kommun0: k,
                kommun1: k,
                region0: ri as u8,
                region1: ri as u8,
                sex,
            });
        }
    }

    // Births per person-year by region: the 2015 share of 0-year-olds, scaled to ≈100 000 births
    // nationally (2023).
    let birth_rate: Vec<f64> = (0..regs.len())
        .map(|r| {
            let total: f64 = SCB.pop[r].iter().flatten().sum();
            (SCB.pop[r][0][0] + SCB.pop[r][1][0]) / total * 0.81
        })
        .collect();
    let srs: Vec<_> = regs.iter().map(|r| r.sjukvardsregion()).collect();
    let pops: Vec<f64> = regs
        .iter()
        .map(|r| f64::from(r.population_2023()))
        .collect();

    let mut ami = Vec::new();
    for (mi, period) in Period::range(from, to).enumerate() {
        let (first, last) = period_days(period);
        let days = i64::from(last - first + 1);
        let season = model::acute_season(day_of_year(first + 14), model::WINTER_AMPLITUDE);
        let mut rng = rng::stream(seed, &[tag::POPULATION, 1000 + mi as u64]);
        let existing = persons.len();
        for (pi, p) in persons.iter_mut().enumerate().take(existing) {
            if p.death != NEVER || p.birth > last {
                continue;
            }
            let age = age_on(p.birth, first);
            let sex = p.sex;
            let r = usize::from(p.region_at(first));
            let from_day = i64::from(first.max(p.birth));
            let p_ami = model.rates.ami * model::shape_ami(age, sex) * season / 12.0;
            let risk30 = model::ami_death_30d(age);
            if rng::chance(&mut rng, p_ami) {
                let day = rng::range(&mut rng, from_day, i64::from(last) + 1) as Day;
                let at = day * DAY_MIN + rng::range(&mut rng, 0, i64::from(DAY_MIN)) as Min;
                let p30 = (risk30 * model.regions[r].ami_mortality_multiplier).min(0.95);
                let fatal = rng::chance(&mut rng, p30);
                if fatal {
                    let offset = rng::exponential(&mut rng, 6.0).floor().min(29.0) as Day;
                    p.death = day + offset;
                }
                ami.push(AmiEvent {
                    person: pi as u32,
                    at,
                    fatal,
                });
            }
            if p.death == NEVER {
                let q_scb = SCB.death_rate(r, usize::from(sex - 1), age as usize);
                let q = (q_scb - model.rates.ami * model::shape_ami(age, sex) * risk30)
                    .max(0.5 * q_scb);
                let monthly = 1.0 - (1.0 - q).powf(1.0 / 12.0);
                if rng::chance(&mut rng, monthly) {
                    p.death = rng::range(&mut rng, from_day, i64::from(last) + 1) as Day;
                }
            }
            if p.death == NEVER
                && p.move_day == NEVER
                && rng::chance(&mut rng, model::move_rate(age) / 12.0)
            {
                let day = rng::range(
                    &mut rng,
                    from_day.max(i64::from(first) + 1),
                    i64::from(last) + 1,
                ) as Day;
                if day > p.birth && day <= last {
                    let weights: Vec<f64> = (0..regs.len())
                        .map(|d| {
                            if d == r {
                                0.0
                            } else if srs[d] == srs[r] {
                                3.0 * pops[d]
                            } else {
                                pops[d]
                            }
                        })
                        .collect();
                    let dest = rng::weighted(&mut rng, &weights);
                    p.move_day = day;
                    p.region1 = dest as u8;
                    p.kommun1 = pick_kommun(&mut rng, &kommuner[dest]);
                }
            }
        }
        let mut brng = rng::stream(seed, &[tag::BIRTHS, mi as u64]);
        for (ri, &n0) in initial.iter().enumerate() {
            let expected = n0 as f64 * birth_rate[ri] * days as f64 / 365.25;
            let n = rng::poisson(&mut brng, expected);
            for _ in 0..n {
                let birth = rng::range(&mut brng, i64::from(first), i64::from(last) + 1) as Day;
                let sex = if rng::chance(&mut brng, 0.513) { 1 } else { 2 };
                let k = pick_kommun(&mut brng, &kommuner[ri]);
                persons.push(Person {
                    id: 0,
                    birth,
                    death: NEVER,
                    move_day: NEVER,
                    kommun0: k,
                    kommun1: k,
                    region0: ri as u8,
                    region1: ri as u8,
                    sex,
                });
            }
        }
    }
    ami.sort_by_key(|e| (e.person, e.at));

    // Identities, in person order.
    let mut alloc = IdAllocator::default();
    let mut test_numbers = 0u64;
    for p in &mut persons {
        let (id, birth) = alloc.allocate(p.birth, p.sex);
        p.id = id;
        p.birth = birth;
        if crate::refdata::TEST_PNR
            .get(&birth)
            .is_some_and(|l| l.binary_search(&id).is_ok())
        {
            test_numbers += 1;
        }
    }

    let mut residents = vec![Vec::new(); regs.len()];
    for (i, p) in persons.iter().enumerate() {
        residents[usize::from(p.region0)].push(i as u32);
        if p.move_day != NEVER && p.region1 != p.region0 {
            residents[usize::from(p.region1)].push(i as u32);
        }
    }
    Population {
        persons,
        ami,
        residents,
        initial,
        kommuner,
        test_numbers,
    }
}

/// The kommun code of a kommun index.
pub(crate) fn kommun_code(k: u16) -> &'static str {
    KOMMUNER[usize::from(k)].0
}

/// The kommun name of a kommun index.
pub(crate) fn kommun_name(k: u16) -> &'static str {
    KOMMUNER[usize::from(k)].1
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cal::date_of;

    #[test]
    fn small_population_is_consistent() {
        let model = Model::new();
        let from = Period::parse("2024-01").unwrap();
        let to = Period::parse("2024-03").unwrap();
        let pop = build(&model, 3, 0.002, from, to);
        let expected: u64 = regions()
            .iter()
            .map(|r| ((f64::from(r.population_2023()) * 0.002).round() as u64).max(1))
            .sum();
        assert_eq!(pop.initial.iter().sum::<u64>(), expected);
        assert!(pop.persons.len() as u64 > expected);
        let mut ids: Vec<u64> = pop.persons.iter().map(|p| p.id).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), pop.persons.len(), "identity numbers are unique");
        for p in &pop.persons {
            assert_eq!(crate::ids::sex_of(p.id), p.sex);
            assert!(p.death == NEVER || p.death >= p.birth);
            let b = date_of(p.birth);
            let s = p.id.to_string();
            assert_eq!(&s[..8], b.format("%Y%m%d").to_string());
        }
        for e in &pop.ami {
            let p = &pop.persons[e.person as usize];
            let day = e.at.div_euclid(DAY_MIN);
            assert!(p.birth <= day && day <= p.death);
            if e.fatal {
                assert!(p.death - day < 30);
            }
        }
    }
}
