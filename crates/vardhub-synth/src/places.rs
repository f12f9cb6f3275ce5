//! A region's care providers: hospitals with wards (which the bed census counts) and outpatient
//! clinics, and primary-care centres per kommun.
//!
//! The number of wards is proportional to the region's real population (see [`ward_count`]), so
//! that bed-census rows per inhabitant are alike in all regions (the hub flags outliers). Wards
//! are shared out over specialties by their expected share of bed-days (largest remainder; at least
//! one medicine ward), the general wards (medicine, surgery, orthopaedics, geriatrics) spread over
//! the hospitals, the specialised ones at the main hospital. A specialty without a ward admits to
//! its fallback ward (in the end medicine).

use std::collections::BTreeMap;

use vardhub_domain::region::Region;

use crate::codes::Spec;
use crate::population::{RegionKommuner, kommun_code, kommun_name};

/// What kind of unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PlaceKind {
    Ward,
    Clinic,
    PrimaryCare,
}

/// One unit: `sjukhus` + `enhet` as delivered.
#[derive(Debug, Clone)]
pub(crate) struct Place {
    pub sjukhus: String,
    pub enhet: String,
    pub spec: Spec,
    pub kind: PlaceKind,
    pub hospital: u8,
}

/// Share of bed-days by ward specialty (sums to 1).
const WARD_SHARES: [(Spec, f64); 11] = [
    (Spec::Med, 0.28),
    (Spec::Ger, 0.12),
    (Spec::Kir, 0.12),
    (Spec::Ort, 0.12),
    (Spec::Psyk, 0.10),
    (Spec::Kard, 0.06),
    (Spec::Neuro, 0.05),
    (Spec::Kvinn, 0.05),
    (Spec::Inf, 0.04),
    (Spec::Barn, 0.04),
    (Spec::Onh, 0.02),
];

/// The number of wards of a region: proportional to its real population, and to `scale^0.6`,
/// so that a ward holds about 20 patients at scale 1, 8 at scale 0.1 and 3 at scale 0.01.
pub(crate) fn ward_count(population_2023: u32, scale: f64) -> usize {
    let n = f64::from(population_2023) * scale.powf(0.6) / 10_700.0;
    (n.round() as usize).max(1)
}

/// The units of one region.
pub(crate) struct Places {
    pub list: Vec<Place>,
    /// By hospital and specialty: the wards (parallel wards of the same specialty).
    ward: Vec<Vec<Vec<u16>>>,
    clinic: Vec<[u16; Spec::COUNT]>,
    /// kommun index → (hospital, primary-care centres).
    kommun: BTreeMap<u16, (u8, Vec<u16>)>,
}

impl Places {
    pub fn new(region: &Region, kommuner: &RegionKommuner, scale: f64) -> Places {
        let n_wards = ward_count(region.population_2023(), scale);
        let hospitals = ((n_wards as f64 / 12.0).round() as usize).clamp(1, 7);
        // Largest remainder over the specialties.
        let mut counts: Vec<usize> = WARD_SHARES
            .iter()
            .map(|&(_, sh)| (n_wards as f64 * sh).floor() as usize)
            .collect();
        let mut order: Vec<usize> = (0..WARD_SHARES.len()).collect();
        order.sort_by(|&a, &b| {
            let ra = n_wards as f64 * WARD_SHARES[a].1 - counts[a] as f64;
            let rb = n_wards as f64 * WARD_SHARES[b].1 - counts[b] as f64;
            rb.total_cmp(&ra).then(a.cmp(&b))
        });
        let mut left = n_wards.saturating_sub(counts.iter().sum());
        for &i in &order {
            if left == 0 {
                break;
            }
            counts[i] += 1;
            left -= 1;
        }
        if counts[0] == 0 {
            counts[0] = 1;
            if let Some(i) = (1..counts.len()).rev().find(|&i| counts[i] > 0) {
                counts[i] -= 1;
            }
        }
        let rr = region.code().as_str();
        let sjukhus: Vec<String> = (0..hospitals)
            .map(|h| format!("{rr}{:03}", 10 * (h + 1)))
            .collect();
        let mut list = Vec::new();
        let mut ward = vec![vec![Vec::new(); Spec::COUNT]; hospitals];
        for (i, &(spec, _)) in WARD_SHARES.iter().enumerate() {
            let general = spec.ward_everywhere();
            let mut per_h = vec![0usize; hospitals];
            for k in 0..counts[i] {
                per_h[if general { k % hospitals } else { 0 }] += 1;
            }
            for (h, &n) in per_h.iter().enumerate() {
                for k in 0..n {
                    let base = spec.ward().unwrap_or("Vårdavdelningen");
                    let enhet = if n > 1 {
                        format!("{base} {}", k + 1)
                    } else {
                        base.to_owned()
                    };
                    ward[h][spec.idx()].push(list.len() as u16);
                    list.push(Place {
                        sjukhus: sjukhus[h].clone(),
                        enhet,
                        spec,
                        kind: PlaceKind::Ward,
                        hospital: h as u8,
                    });
                }
            }
        }
        let mut clinic = Vec::new();
        for (h, code) in sjukhus.iter().enumerate() {
            let mut c = [0u16; Spec::COUNT];
            for s in Spec::ALL {
                if s == Spec::Allm {
                    continue;
                }
                c[s.idx()] = list.len() as u16;
                list.push(Place {
                    sjukhus: code.clone(),
                    enhet: s.clinic().to_owned(),
                    spec: s,
                    kind: PlaceKind::Clinic,
                    hospital: h as u8,
                });
            }
            clinic.push(c);
        }
        let mut kommun = BTreeMap::new();
        for (pos, &k) in kommuner.kommuner.iter().enumerate() {
            let code = kommun_code(k);
            let city = code[2..].parse::<u32>().unwrap_or(0) >= 80;
            let n = if city { 3 } else { 1 };
            let mut vcs = Vec::new();
            for i in 0..n {
                let name = kommun_name(k);
                let enhet = if n > 1 {
                    format!("Vårdcentralen {name} {}", i + 1)
                } else {
                    format!("Vårdcentralen {name}")
                };
                vcs.push(list.len() as u16);
                list.push(Place {
                    sjukhus: format!("VC{code}-{}", i + 1),
                    enhet,
                    spec: Spec::Allm,
                    kind: PlaceKind::PrimaryCare,
                    hospital: 0,
                });
            }
            kommun.insert(k, ((pos % hospitals) as u8, vcs));
        }
        Places {
            list,
            ward,
            clinic,
            kommun,
        }
    }

    /// The number of hospitals.
    #[cfg(test)]
    pub fn hospitals(&self) -> u8 {
        self.ward.len() as u8
    }

    /// The hospital serving a kommun of the region (the main hospital for other kommuner).
    pub fn hospital_of(&self, kommun: u16) -> u8 {
        self.kommun.get(&kommun).map_or(0, |k| k.0)
    }

    /// The ward of hospital `h` that takes patients of `spec` (`key` chooses among parallel
    /// wards).
    pub fn ward(&self, h: u8, spec: Spec, key: u32) -> u16 {
        let h = usize::from(h).min(self.ward.len() - 1);
        let mut s = spec;
        loop {
            for hh in [h, 0] {
                let w = &self.ward[hh][s.idx()];
                if !w.is_empty() {
                    return w[key as usize % w.len()];
                }
            }
            let next = match s {
                Spec::Med => break,
                Spec::Kvinn | Spec::Onh | Spec::Ogon => Spec::Kir,
                other => {
                    let f = other.ward_fallback();
                    if f == other { Spec::Med } else { f }
                }
            };
            s = next;
        }
        self.ward
            .iter()
            .flat_map(|h| h.iter().flatten())
            .copied()
            .next()
            .unwrap_or(0)
    }

    /// The outpatient clinic of `spec` at hospital `h`.
    pub fn clinic(&self, h: u8, spec: Spec) -> u16 {
        let h = usize::from(h).min(self.clinic.len() - 1);
        let s = if spec == Spec::Allm { Spec::Med } else { spec };
        self.clinic[h][s.idx()]
    }

    /// A primary-care centre for a resident of `kommun` (chosen by `h`), or of the region's first
    /// kommun for a non-resident.
    pub fn primary_care(&self, kommun: u16, h: u64) -> u16 {
        let vcs = match self.kommun.get(&kommun) {
            Some(k) => &k.1,
            None => match self
                .kommun
                .values()
                .nth((h % self.kommun.len() as u64) as usize)
            {
                Some(k) => &k.1,
                None => return 0,
            },
        };
        vcs[(h % vcs.len() as u64) as usize]
    }

    /// Indices of the wards.
    pub fn wards(&self) -> impl Iterator<Item = usize> + '_ {
        self.list
            .iter()
            .enumerate()
            .filter(|(_, p)| p.kind == PlaceKind::Ward)
            .map(|(i, _)| i)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::population::kommun_weights;
    use vardhub_domain::region::regions;

    #[test]
    fn units_fit_the_specification() {
        let kw = kommun_weights();
        for (i, r) in regions().iter().enumerate() {
            for scale in [0.001, 0.1, 1.0] {
                let p = Places::new(r, &kw[i], scale);
                assert!(p.hospitals() >= 1);
                let wards = p.wards().count();
                assert_eq!(wards, ward_count(r.population_2023(), scale));
                for place in &p.list {
                    assert!(place.sjukhus.chars().count() <= 20, "{}", place.sjukhus);
                    // Double encoding (mojibake defects) doubles each non-ASCII character.
                    let doubled = place.enhet.chars().count()
                        + place.enhet.chars().filter(|c| !c.is_ascii()).count();
                    assert!(doubled <= 40, "{}", place.enhet);
                }
                for s in Spec::ALL {
                    let w = p.ward(p.hospitals() - 1, s, 7);
                    assert_eq!(p.list[usize::from(w)].kind, PlaceKind::Ward);
                }
            }
        }
    }
}
