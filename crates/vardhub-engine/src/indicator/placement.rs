//! Where a fine row counts: from one region's month (and sub-area) to every published area and
//! period that contains it.
//!
//! * **Areas.** A region's row counts in the region, its sjukvårdsregion and Sweden, and — when
//!   the recipe publishes one — in its kommun of residence, hospital or unit
//!   ([`super::dimensions`]).
//! * **Periods.** A month counts in its month, quarter, year and the twelve rolling 12-month
//!   periods that contain it, as far as the recipe publishes them.
//! * **Only whole periods.** A region has a value for a quarter, year or rolling 12 months only
//!   when it delivered every month of it, each with its outcome window inside the data: a
//!   partial quarter is not a quarter. Sjukvårdsregioner and Sweden sum the regions that have
//!   the period, so every published sum adds up exactly over the level below, and a longer
//!   period of a region is exactly the sum of its months.

use super::compute::{FineRow, SWEDEN};
use super::dimensions::{Dimensions, SubArea};
use super::follow_up::{Coverage, POPULATION_COLLECTION};
use super::spec::Definition;
use std::collections::{BTreeMap, BTreeSet};
use vardhub_domain::{Area, Level, Period, PeriodKind, RegionCode, ReportPeriod};
use vardhub_store::Snapshot;

/// The published (area, period) cells of one recipe's rows.
#[derive(Debug)]
pub(crate) struct Placement {
    regional: Vec<PeriodKind>,
    sub: SubArea,
    kommun: Vec<PeriodKind>,
    sjukhus: Vec<PeriodKind>,
    enhet: Vec<PeriodKind>,
    /// (region, report period) that the region has whole.
    whole: BTreeSet<(String, String)>,
}

impl Placement {
    /// The placement of a recipe's rows: `delivered` are the (region, month) pairs of the
    /// source collection's deliveries.
    pub(crate) fn new(
        dims: &Dimensions,
        coverage: &Coverage,
        delivered: &BTreeSet<(String, String)>,
        fine: &[FineRow],
    ) -> Placement {
        let regional = dims.period_kinds();
        let mut whole = BTreeSet::new();
        // Months: as delivered rows show them (the month's own rule: outcome window covered).
        for r in fine {
            if coverage.complete(&r.region, &r.period) {
                whole.insert((r.region.clone(), r.period.clone()));
            }
        }
        let have = |region: &str, m: Period| {
            let m = m.to_string();
            delivered.contains(&(region.to_owned(), m.clone())) && coverage.complete(region, &m)
        };
        let mut candidates: BTreeSet<(String, ReportPeriod)> = BTreeSet::new();
        for (region, month) in delivered.iter().chain(whole.iter()) {
            let Ok(m) = Period::parse(month) else {
                continue;
            };
            for kind in dims.all_kinds() {
                if kind == PeriodKind::Month {
                    continue;
                }
                for p in ReportPeriod::containing(kind, m) {
                    candidates.insert((region.clone(), p));
                }
            }
        }
        for (region, p) in candidates {
            if p.months().into_iter().all(|m| have(&region, m)) {
                whole.insert((region, p.to_string()));
            }
        }
        // Months the regions delivered without any row (no case at all) are whole too.
        for (region, month) in delivered {
            if coverage.complete(region, month) {
                whole.insert((region.clone(), month.clone()));
            }
        }
        Placement {
            regional,
            sub: dims.sub_area(),
            kommun: dims.kinds_at(Level::Kommun),
            sjukhus: dims.kinds_at(Level::Sjukhus),
            enhet: dims.kinds_at(Level::Enhet),
            whole,
        }
    }

    /// Whether `region` has `period` whole.
    pub(crate) fn has(&self, region: &str, period: &str) -> bool {
        self.whole.contains(&(region.to_owned(), period.to_owned()))
    }

    /// Every (region, period) the regions have whole, at the regional period kinds.
    pub(crate) fn regional_periods(&self) -> impl Iterator<Item = (&str, &str)> {
        self.whole
            .iter()
            .filter(|(_, p)| {
                ReportPeriod::parse(p).is_ok_and(|p| self.regional.contains(&p.kind()))
            })
            .map(|(r, p)| (r.as_str(), p.as_str()))
    }

    /// The (area, period) cells a month of `region` counts in: with `sub`, those of its finer
    /// areas (kommun, hospital, unit); without, the region, its sjukvårdsregion and Sweden.
    /// None for an invalid region.
    pub(crate) fn cells(
        &self,
        region: &str,
        month: &str,
        sub: Option<&str>,
    ) -> Vec<(String, String)> {
        let Ok(code) = RegionCode::parse(region) else {
            return Vec::new();
        };
        if code.as_str() != region {
            return Vec::new();
        }
        let Ok(m) = Period::parse(month) else {
            return Vec::new();
        };
        let targets: Vec<(String, &[PeriodKind])> = match sub {
            Some(sub) => self.sub_areas(code, Some(sub)),
            None => {
                let area = Area::Region(code);
                [Some(area.clone()), area.parent(), Some(Area::Sweden)]
                    .into_iter()
                    .flatten()
                    .map(|a| (a.to_string(), &self.regional[..]))
                    .collect()
            }
        };
        let kinds: BTreeSet<PeriodKind> = targets
            .iter()
            .flat_map(|(_, k)| k.iter())
            .copied()
            .collect();
        let mut out = Vec::new();
        for kind in kinds {
            for period in ReportPeriod::containing(kind, m) {
                let p = period.to_string();
                if !self.has(region, &p) {
                    continue;
                }
                for (area, kinds) in &targets {
                    if kinds.contains(&kind) && adds_up(period, kinds) {
                        out.push((area.clone(), p.clone()));
                    }
                }
            }
        }
        out
    }

    /// The sub-areas of a row with the period kinds each is published at.
    fn sub_areas(&self, region: RegionCode, sub: Option<&str>) -> Vec<(String, &[PeriodKind])> {
        let Some(sub) = sub else {
            return Vec::new();
        };
        match self.sub {
            SubArea::None => Vec::new(),
            SubArea::Kommun => match Area::parse(sub) {
                Ok(a @ Area::Kommun(_)) if a.region() == Some(region) => {
                    vec![(a.to_string(), &self.kommun[..])]
                }
                _ => Vec::new(),
            },
            SubArea::Sjukhus => vec![(
                Area::Sjukhus(region, code_part(sub)).to_string(),
                &self.sjukhus[..],
            )],
            SubArea::Enhet => {
                let (h, u) = sub.split_once('/').unwrap_or((sub, super::sql::UNKNOWN));
                let h = code_part(h);
                vec![
                    (
                        Area::Sjukhus(region, h.to_owned()).to_string(),
                        &self.sjukhus[..],
                    ),
                    (
                        Area::Enhet(region, h.to_owned(), u.to_owned()).to_string(),
                        &self.enhet[..],
                    ),
                ]
            }
        }
    }
}

/// Whether a rolling period can be shown at a level publishing `kinds`: it must add up from
/// them (without months, only rolling periods ending a quarter do).
fn adds_up(period: ReportPeriod, kinds: &[PeriodKind]) -> bool {
    let shorter: Vec<PeriodKind> = kinds
        .iter()
        .copied()
        .filter(|k| *k != PeriodKind::Rolling12)
        .collect();
    period.kind() != PeriodKind::Rolling12 || !period.parts(&shorter).is_empty()
}

/// A hospital code as one part of an area's text form (`/` separates the parts).
fn code_part(s: &str) -> String {
    s.replace('/', "-")
}

/// The level of an area code (regions for anything unparsable, which no placement produces).
pub(crate) fn level_of(area: &str) -> Level {
    Area::parse(area).map_or(Level::Region, |a| a.level())
}

/// Delivery ids per (region, month) and Sweden's per month, as the rows of months carry them.
pub(crate) type DeliveryIndex = BTreeMap<(String, String), Vec<String>>;

pub(crate) fn uses_population(def: &Definition) -> bool {
    matches!(
        def,
        Definition::DeathWithin { .. } | Definition::PerInhabitants { .. }
    )
}

/// (region, period) -> delivery ids of the source collection (and the population extract) used.
pub(crate) fn delivery_index(snapshot: &Snapshot, source: &str, population: bool) -> DeliveryIndex {
    let mut idx: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
    let population_ids: BTreeMap<&str, &str> = snapshot
        .deliveries
        .iter()
        .filter(|d| d.collection == POPULATION_COLLECTION)
        .map(|d| (d.period.as_str(), d.id.as_str()))
        .collect();
    for d in snapshot
        .deliveries
        .iter()
        .filter(|d| d.collection == source)
    {
        for region in [d.region.as_str(), SWEDEN] {
            idx.entry((region.to_owned(), d.period.clone()))
                .or_default()
                .push(d.id.clone());
        }
    }
    for ((_, period), ids) in idx.iter_mut() {
        if population && let Some(p) = population_ids.get(period.as_str()) {
            ids.push((*p).to_owned());
        }
        ids.sort();
        ids.dedup();
    }
    idx
}

/// The deliveries a month's value was computed from: the region's (with the population
/// extract), a sjukvårdsregion's members', Sweden's all; a sub-area its region's. Rows of longer
/// periods list none: they are the sums of their months' rows, which list theirs.
pub(crate) fn deliveries_of(index: &DeliveryIndex, area: &str, period: &str) -> Vec<String> {
    if !matches!(ReportPeriod::parse(period), Ok(ReportPeriod::Month(_))) {
        return Vec::new();
    }
    let get = |a: &str| {
        index
            .get(&(a.to_owned(), period.to_owned()))
            .cloned()
            .unwrap_or_default()
    };
    match Area::parse(area) {
        Ok(Area::Sjukvardsregion(s)) => {
            let mut ids: Vec<String> = vardhub_domain::RegionCode::all()
                .filter(|r| r.region().sjukvardsregion() == s)
                .flat_map(|r| get(r.as_str()))
                .collect();
            ids.sort();
            ids.dedup();
            ids
        }
        Ok(a) if a.level() > Level::Region => a.region().map_or_else(Vec::new, |r| get(r.as_str())),
        _ => get(area),
    }
}
