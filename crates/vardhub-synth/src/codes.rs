//! The code sets the generator draws from: ICD-10-SE diagnoses (every one checked against the
//! embedded Socialstyrelsen list by a test), KVÅ-shaped procedure codes, NordDRG-shaped groups with
//! weights, and the specialties (MVO) of the synthetic care units.
//!
//! Codes are interned once into a [`Codes`] table so that generated contacts carry two-byte ids.
//! Everything that is not verified against a published list is marked as an assumption in
//! `truth.json` (see [`assumptions`]).

use std::collections::BTreeMap;

/// An interned code (index into [`Codes`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub(crate) struct Code(pub u16);

/// The intern table. Id 0 is the empty code.
#[derive(Debug, Default)]
pub(crate) struct Codes {
    list: Vec<&'static str>,
    index: BTreeMap<&'static str, u16>,
}

/// The empty code ("no value").
pub(crate) const NONE: Code = Code(0);

impl Codes {
    pub fn new() -> Codes {
        let mut c = Codes::default();
        c.id("");
        c
    }

    /// Intern a code.
    pub fn id(&mut self, s: &'static str) -> Code {
        if let Some(&i) = self.index.get(s) {
            return Code(i);
        }
        let i = u16::try_from(self.list.len()).unwrap_or(u16::MAX);
        self.list.push(s);
        self.index.insert(s, i);
        Code(i)
    }

    /// The id of an interned code.
    pub fn get(&self, s: &str) -> Option<Code> {
        self.index.get(s).map(|&i| Code(i))
    }

    /// The text of a code.
    pub fn text(&self, c: Code) -> &'static str {
        self.list.get(usize::from(c.0)).copied().unwrap_or("")
    }

    /// Every interned code.
    pub fn all(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.list.iter().copied().filter(|s| !s.is_empty())
    }
}

/// A weighted list of codes.
#[derive(Debug, Clone, Default)]
pub(crate) struct CodeList {
    pub codes: Vec<Code>,
    pub cum: Vec<f64>,
}

impl CodeList {
    pub fn new(codes: &mut Codes, items: &[(&'static str, f64)]) -> CodeList {
        let mut cum = Vec::with_capacity(items.len());
        let mut acc = 0.0;
        let mut list = Vec::with_capacity(items.len());
        for &(c, w) in items {
            acc += w;
            cum.push(acc);
            list.push(codes.id(c));
        }
        CodeList { codes: list, cum }
    }

    pub fn pick(&self, rng: &mut crate::rng::Stream) -> Code {
        if self.codes.is_empty() {
            return NONE;
        }
        self.codes[crate::rng::from_cumulative(rng, &self.cum)]
    }
}

/// Specialties of care units. The MVO codes are three-digit codes chosen by the generator: the
/// official MVO list was not available (domain brief §7.4), so they are assumptions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Spec {
    Med,
    Kard,
    Lung,
    Endo,
    Inf,
    Ger,
    Neuro,
    Kir,
    Ort,
    Kvinn,
    Barn,
    Onh,
    Ogon,
    Psyk,
    Hud,
    Akut,
    Allm,
}

impl Spec {
    pub const ALL: [Spec; 17] = [
        Spec::Med,
        Spec::Kard,
        Spec::Lung,
        Spec::Endo,
        Spec::Inf,
        Spec::Ger,
        Spec::Neuro,
        Spec::Kir,
        Spec::Ort,
        Spec::Kvinn,
        Spec::Barn,
        Spec::Onh,
        Spec::Ogon,
        Spec::Psyk,
        Spec::Hud,
        Spec::Akut,
        Spec::Allm,
    ];
    pub const COUNT: usize = 17;

    pub fn idx(self) -> usize {
        self as usize
    }

    /// The MVO code (assumption).
    pub fn mvo(self) -> &'static str {
        match self {
            Spec::Med => "101",
            Spec::Kard => "131",
            Spec::Lung => "141",
            Spec::Endo => "151",
            Spec::Inf => "161",
            Spec::Ger => "201",
            Spec::Neuro => "221",
            Spec::Kir => "301",
            Spec::Ort => "311",
            Spec::Kvinn => "451",
            Spec::Barn => "401",
            Spec::Onh => "521",
            Spec::Ogon => "511",
            Spec::Psyk => "901",
            Spec::Hud => "611",
            Spec::Akut => "102",
            Spec::Allm => "010",
        }
    }

    /// Name of the specialty (for truth.json).
    pub fn name(self) -> &'static str {
        match self {
            Spec::Med => "internmedicin",
            Spec::Kard => "kardiologi",
            Spec::Lung => "lungmedicin",
            Spec::Endo => "endokrinologi och diabetologi",
            Spec::Inf => "infektion",
            Spec::Ger => "geriatrik",
            Spec::Neuro => "neurologi/strokeenhet",
            Spec::Kir => "kirurgi",
            Spec::Ort => "ortopedi",
            Spec::Kvinn => "kvinnosjukvård och förlossning",
            Spec::Barn => "barn- och ungdomsmedicin",
            Spec::Onh => "öron-näsa-hals",
            Spec::Ogon => "ögonsjukvård",
            Spec::Psyk => "psykiatri",
            Spec::Hud => "hudsjukvård",
            Spec::Akut => "akutsjukvård",
            Spec::Allm => "allmänmedicin (primärvård)",
        }
    }

    /// The outpatient clinic's name.
    pub fn clinic(self) -> &'static str {
        match self {
            Spec::Med => "Medicinmottagningen",
            Spec::Kard => "Hjärtmottagningen",
            Spec::Lung => "Lungmottagningen",
            Spec::Endo => "Diabetes- och endokrinmottagningen",
            Spec::Inf => "Infektionsmottagningen",
            Spec::Ger => "Geriatriska mottagningen",
            Spec::Neuro => "Neurologmottagningen",
            Spec::Kir => "Kirurgmottagningen",
            Spec::Ort => "Ortopedmottagningen",
            Spec::Kvinn => "Kvinnomottagningen",
            Spec::Barn => "Barn- och ungdomsmottagningen",
            Spec::Onh => "Öron-näsa-halsmottagningen",
            Spec::Ogon => "Ögonmottagningen",
            Spec::Psyk => "Psykiatriska öppenvården",
            Spec::Hud => "Hudmottagningen",
            Spec::Akut => "Akutmottagningen",
            Spec::Allm => "Vårdcentralen",
        }
    }

    /// The ward's name, if the specialty has inpatient beds of its own.
    pub fn ward(self) -> Option<&'static str> {
        Some(match self {
            Spec::Med => "Medicinavdelningen",
            Spec::Kard => "Hjärtavdelningen (HIA)",
            Spec::Inf => "Infektionsavdelningen",
            Spec::Ger => "Geriatriska avdelningen",
            Spec::Neuro => "Strokeenheten",
            Spec::Kir => "Kirurgavdelningen",
            Spec::Ort => "Ortopedavdelningen",
            Spec::Kvinn => "Förlossning och BB",
            Spec::Barn => "Barnavdelningen",
            Spec::Onh => "Öron-näsa-halsavdelningen",
            Spec::Psyk => "Psykiatriska avdelningen",
            _ => return None,
        })
    }

    /// Wards every hospital has; the others exist only at the region's main hospital.
    pub fn ward_everywhere(self) -> bool {
        matches!(self, Spec::Med | Spec::Kir | Spec::Ort | Spec::Ger)
    }

    /// The ward a specialty without its own ward admits to.
    pub fn ward_fallback(self) -> Spec {
        match self {
            Spec::Lung | Spec::Endo | Spec::Hud | Spec::Akut | Spec::Allm | Spec::Kard => Spec::Med,
            Spec::Ogon => Spec::Kir,
            s => s,
        }
    }

    /// Psychiatric (PSY) rather than somatic (SOM) inpatient care.
    pub fn psychiatric(self) -> bool {
        self == Spec::Psyk
    }

    /// The NordDRG-shaped outpatient group of a visit and its weight (assumption).
    pub fn ov_drg(self) -> (&'static str, f64) {
        match self {
            Spec::Med => ("T99O", 0.055),
            Spec::Kard => ("F99O", 0.065),
            Spec::Lung => ("E99O", 0.055),
            Spec::Endo => ("K99O", 0.045),
            Spec::Inf => ("S99O", 0.05),
            Spec::Ger => ("T98O", 0.06),
            Spec::Neuro => ("B99O", 0.065),
            Spec::Kir => ("G99O", 0.05),
            Spec::Ort => ("I99O", 0.05),
            Spec::Kvinn => ("N99O", 0.045),
            Spec::Barn => ("P99O", 0.05),
            Spec::Onh => ("D99O", 0.045),
            Spec::Ogon => ("C99O", 0.04),
            Spec::Psyk => ("U99O", 0.05),
            Spec::Hud => ("J99O", 0.035),
            Spec::Akut => ("Z99O", 0.085),
            Spec::Allm => ("Z98O", 0.02),
        }
    }

    /// The NordDRG-shaped inpatient group of a stay of this specialty without a more specific
    /// group, and its weight (assumption).
    pub fn sv_drg(self) -> (&'static str, f64) {
        match self {
            Spec::Med | Spec::Lung | Spec::Endo | Spec::Hud | Spec::Allm | Spec::Akut => {
                ("T60C", 0.95)
            }
            Spec::Kard => ("F67C", 0.8),
            Spec::Inf => ("S65C", 1.1),
            Spec::Ger => ("T61C", 1.05),
            Spec::Neuro => ("B76C", 1.1),
            Spec::Kir | Spec::Ogon => ("G67C", 0.75),
            Spec::Ort => ("I13C", 1.2),
            Spec::Kvinn => ("N62C", 0.7),
            Spec::Barn => ("P67C", 0.6),
            Spec::Onh => ("D63C", 0.5),
            Spec::Psyk => ("U60C", 1.8),
        }
    }
}

/// Codes used for the planted indicators, fixed so that indicator definitions can name them.
pub(crate) mod planted {
    /// Hip-fracture diagnoses (Rikshöft population, domain brief §7.1, §8).
    pub const HIP_DX: [&str; 3] = ["S72.0", "S72.1", "S72.2"];
    /// Hip-fracture surgery: NCSP-shaped KVÅ codes (NFB hemiarthroplasty, NFJ osteosynthesis;
    /// domain brief §7.2). Assumption: the Swedish titles were not verified.
    pub const HIP_OPS: [&str; 6] = ["NFB02", "NFB12", "NFJ49", "NFJ59", "NFJ69", "NFJ79"];
    /// Tonsillectomy with cold technique (assumption: code chosen by the generator, §7.2 [NOT FOUND]).
    pub const TONSIL_COLD: &str = "EMB10";
    /// Tonsillectomy with hot technique (assumption: code chosen by the generator).
    pub const TONSIL_HOT: &str = "EMB15";
    /// Acute myocardial infarction diagnoses (I21.x).
    pub const AMI_DX: [&str; 6] = ["I21.0", "I21.1", "I21.2", "I21.3", "I21.4", "I21.9"];
    /// Percutaneous coronary intervention (NCSP-shaped; assumption).
    pub const PCI: &str = "FNG05";
    /// Home visit of the mobile team (mobilt närsjukvårdsteam, [`crate::mobile`]): KVÅ-shaped,
    /// chosen by the generator, title not verified.
    pub const MOBILE_TEAM_VISIT: &str = "XS010";
}

/// Well-formed ICD-10 codes that are not in ICD-10-SE (for `code_unknown` defects; checked by a
/// test).
pub(crate) const UNKNOWN_ICD: [&str; 6] = ["I21.7", "S72.5", "J44.2", "F32.5", "I50.5", "J03.7"];

/// The assumptions behind the code sets, for truth.json.
pub(crate) fn assumptions() -> Vec<(String, String)> {
    let mut a = vec![
        (
            "mvo".to_owned(),
            "MVO codes are three-digit codes chosen by the generator (Socialstyrelsen's MVO list was not available, domain brief §7.4): ".to_owned()
                + &Spec::ALL
                    .iter()
                    .map(|s| format!("{} {}", s.mvo(), s.name()))
                    .collect::<Vec<_>>()
                    .join(", "),
        ),
        (
            "tonsillectomy_codes".to_owned(),
            format!(
                "{} = tonsillektomi med kall teknik, {} = tonsillektomi med varm teknik: KVÅ-shaped codes chosen by the generator; the Swedish tonsil-surgery KVÅ codes were not verified (domain brief §7.2 [NOT FOUND])",
                planted::TONSIL_COLD,
                planted::TONSIL_HOT
            ),
        ),
        (
            "hip_fracture_surgery_codes".to_owned(),
            format!(
                "{}: NCSP-shaped codes (NFB hemiarthroplasty, NFJ osteosynthesis, domain brief §7.2); exact Swedish KVÅ titles not verified",
                planted::HIP_OPS.join(", ")
            ),
        ),
        (
            "other_procedure_codes".to_owned(),
            "FNG05 (PCI), AF037 (coronary angiography), DT016 (thrombolysis), NGB49/NFB49 (knee/hip arthroplasty), JAB30 (hernia repair), JKA21 (cholecystectomy), JEA01 (appendectomy), CJE20 (cataract), MCA10 (caesarean section), LCD10 (hysterectomy), AF021 (ECG), AD041 and UDH02 (ÖNH examinations, domain brief §7.2): KVÅ-shaped; titles not verified".to_owned(),
        ),
        (
            "mobile_team_visit_code".to_owned(),
            format!(
                "{} = hembesök av mobilt team (mobilt närsjukvårdsteam): KVÅ-shaped, chosen by the generator, title not verified",
                planted::MOBILE_TEAM_VISIT
            ),
        ),
        (
            "drg".to_owned(),
            "DRG codes are four-character NordDRG-shaped groups with weights chosen by the generator (the NordDRG weight list is not in the domain brief); outpatient groups end in O".to_owned(),
        ),
        (
            "kpp_cost".to_owned(),
            "KPP cost = region's cost per DRG point × DRG weight × a length-of-stay factor × log-normal noise, with a heavy intensive-care tail for ~3 % of inpatient stays; primary care has no DRG and a cost per visit by staff category".to_owned(),
        ),
        (
            "units".to_owned(),
            "Hospital codes are the länskod followed by three digits; unit names are generic Swedish ward/clinic names; primary-care centres are named after their kommun".to_owned(),
        ),
        (
            "kommun_weights".to_owned(),
            "Residents are spread over a region's kommuner with weight 3 for kommun codes ending in 80–99 (SCB numbers the historic cities, which are the larger kommuner, from 80) and weight 1 for the others".to_owned(),
        ),
        (
            "utskrivningssatt".to_owned(),
            "Utskrivningssätt uses the specification's provisional codes 1–4".to_owned(),
        ),
    ];
    a.sort();
    a
}

#[cfg(test)]
mod tests {
    use super::*;
    use vardhub_domain::{DrgCode, IcdCode, KvaCode, MvoCode};

    #[test]
    fn unknown_codes_are_well_formed_but_unknown() {
        for c in UNKNOWN_ICD {
            let code = IcdCode::parse(c).unwrap();
            assert!(!code.is_known(), "{c}");
        }
    }

    #[test]
    fn specialty_codes_are_valid() {
        for s in Spec::ALL {
            MvoCode::parse(s.mvo()).unwrap();
            DrgCode::parse(s.ov_drg().0).unwrap();
            DrgCode::parse(s.sv_drg().0).unwrap();
            assert!(s.clinic().chars().count() <= 40);
        }
        for c in planted::HIP_OPS.iter().chain(&[
            planted::TONSIL_COLD,
            planted::TONSIL_HOT,
            planted::PCI,
            planted::MOBILE_TEAM_VISIT,
        ]) {
            KvaCode::parse(c).unwrap();
        }
        for c in planted::HIP_DX.iter().chain(&planted::AMI_DX) {
            assert!(IcdCode::parse(c).unwrap().is_known(), "{c}");
        }
    }
}
