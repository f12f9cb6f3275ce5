//! Care for the residents of one region (and its visitors): contacts, inpatient stays for the bed
//! census, and waiting-time cases.
//!
//! Each resident is simulated on their own random stream over the part of the window they live in
//! the region, plus a warm-up (120 days for care, so that the bed census of the first month is
//! full; 365 days for referrals, so that the waiting list is), as a set of Poisson processes whose
//! rates come from [`crate::model`]. Named conditions follow simple care pathways (emergency visit →
//! admission → procedure → discharge → follow-up / readmission; referral → waiting → first visit →
//! decision → waiting → operation). A contact is kept when it *ends* inside the window.

use vardhub_domain::Period;

use crate::cal::{
    DAY_MIN, Day, Min, NEVER, age_on, day_of_year, is_weekend, month_of, period_days,
};
use crate::codes::{Code, CodeList, NONE, Spec};
use crate::model::{self, ChronicCare, Model, RegionParams};
use crate::places::Places;
use crate::population::{Person, Population};
use crate::rng::{self, Stream, tag};
use crate::scenario::{LosChange, Prepared};
use crate::waits::{self, FirstVisitQueue, TARGET_RECORDED};

/// Minutes from admission to a hip-fracture operation done within 24 hours: uniform on
/// `[HIP_FAST_FROM, HIP_FAST_FROM + HIP_FAST_SPAN)` (planted; `truth.json` → `care_chains`).
pub(crate) const HIP_FAST_FROM: Min = 240;
/// See [`HIP_FAST_FROM`].
pub(crate) const HIP_FAST_SPAN: Min = 1180;
/// Minutes to an operation later than 24 hours: `HIP_SLOW_FROM` + exponential with mean
/// `HIP_SLOW_MEAN`, capped at `HIP_SLOW_CAP`.
pub(crate) const HIP_SLOW_FROM: Min = 24 * 60 + 10;
/// See [`HIP_SLOW_FROM`].
pub(crate) const HIP_SLOW_MEAN: f64 = 18.0 * 60.0;
/// See [`HIP_SLOW_FROM`].
pub(crate) const HIP_SLOW_CAP: Min = 72 * 60;

/// Form of care.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Form {
    Sv,
    Ov,
    Pv,
}

impl Form {
    pub fn code(self) -> &'static str {
        match self {
            Form::Sv => "SV",
            Form::Ov => "OV",
            Form::Pv => "PV",
        }
    }
}

/// One care contact as generated (compact: codes are interned).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Contact {
    pub person: u32,
    pub seq: u32,
    pub ins: Min,
    pub uts: Min,
    pub op_at: [Min; 2],
    pub cost: f32,
    pub drg_weight: f32,
    pub place: u16,
    pub hdia: Code,
    pub bidia: [Code; 3],
    pub ops: [Code; 2],
    pub drg: Code,
    pub uk: u16,
    pub form: Form,
    pub planned: bool,
    /// 0 none, 1 nybesök, 2 återbesök.
    pub besok: u8,
    /// 0 none, else b'L', b'S', b'F', b'P', b'O'.
    pub yrke: u8,
    /// 0 none, 1–4.
    pub utsatt: u8,
    pub n_bidia: u8,
    pub n_ops: u8,
}

/// An inpatient stay for the bed census.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Stay {
    pub place: u16,
    pub ins: Min,
    pub uts: Min,
    pub uk: u16,
    /// The discharge without a scenario's change (= `uts` otherwise); beds are planned on it.
    pub base_uts: Min,
}

/// What a waiting-time case waits for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum WaitKind {
    FirstVisit,
    Operation,
}

/// A waiting-time case.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Case {
    pub id: u32,
    pub person: u32,
    pub kind: WaitKind,
    pub place: u16,
    pub atgard: Code,
    pub start: Day,
    /// Day of the visit/operation, [`NEVER`] if it never happens (the patient died).
    pub done: Day,
    /// Day the case ends without completion (death), [`NEVER`] otherwise.
    pub end: Day,
    /// 0 none, 1 PvV, 2 MoV, 3 SoV.
    pub avvik: u8,
    pub maldatum: Day,
}

/// The generated window.
#[derive(Debug, Clone)]
pub(crate) struct Window {
    pub months: Vec<(Period, Day, Day)>,
    pub first: Day,
    pub last: Day,
    /// Start of care simulation (warm-up for the bed census).
    pub warm: Day,
    /// Start of referrals (warm-up for the waiting list).
    pub wait_warm: Day,
}

impl Window {
    pub fn new(from: Period, to: Period) -> Window {
        let months: Vec<(Period, Day, Day)> = Period::range(from, to)
            .map(|p| {
                let (a, b) = period_days(p);
                (p, a, b)
            })
            .collect();
        let first = months.first().map_or(0, |m| m.1);
        let last = months.last().map_or(0, |m| m.2);
        Window {
            months,
            first,
            last,
            warm: first - 120,
            wait_warm: first - 365,
        }
    }

    /// Index of the month containing `day`.
    pub fn month_index(&self, day: Day) -> Option<usize> {
        if day < self.first || day > self.last {
            return None;
        }
        Some(self.months.partition_point(|m| m.2 < day))
    }
}

/// Everything generated for one region.
pub(crate) struct RegionCare {
    pub contacts: Vec<Vec<Contact>>,
    pub stays: Vec<Stay>,
    pub cases: Vec<Case>,
}

#[derive(Clone, Copy)]
enum Season {
    Flat,
    Acute(f64),
    Planned,
}

/// Chronic conditions of a person.
#[derive(Default, Clone, Copy)]
struct Chronic {
    hf: bool,
    copd: bool,
    dm2: bool,
    dm1: bool,
    dep: bool,
}

/// Per-person context.
struct Ctx {
    pi: u32,
    p: Person,
    /// First day of residence (incl. warm-up).
    a: Day,
    /// First day referrals are generated (longer warm-up for the waiting list).
    a_wait: Day,
    /// First day no new care starts (moved away or died).
    end: Day,
    hosp: u8,
    chronic: Chronic,
    died_in_hospital: bool,
}

/// A stay to create.
struct StayReq {
    spec: Spec,
    ward: u16,
    adm: Min,
    planned: bool,
    los: f64,
    min_disch: Min,
    hdia: Code,
    drg: &'static str,
    ops: [(Code, Min); 2],
    n_ops: usize,
    uk_bias: f64,
    readmit: bool,
    ed: bool,
}

/// A visit to create.
struct VisitReq {
    form: Form,
    place: u16,
    spec: Spec,
    day: Day,
    planned: bool,
    besok: u8,
    yrke: u8,
    hdia: Code,
    op: Code,
    emergency: bool,
}

const HOUR_WEIGHTS: [f64; 24] = [
    1.0, 1.0, 0.8, 0.7, 0.7, 0.8, 1.5, 2.5, 3.5, 4.5, 5.0, 5.0, 5.0, 5.0, 5.0, 5.0, 5.0, 4.8, 4.5,
    4.0, 3.5, 3.0, 2.2, 1.5,
];

pub(crate) struct Sim<'a> {
    m: &'a Model,
    pop: &'a Population,
    places: &'a Places,
    w: &'a Window,
    ri: usize,
    rp: &'a RegionParams,
    seed: u64,
    out: RegionCare,
    next_seq: u32,
    next_case: u32,
    days: Vec<Day>,
    /// A scenario's length-of-stay change for this region (`crate::scenario`).
    los: Option<&'a LosChange>,
    /// Contacts delivered only because of `los` (numbered after all others).
    late: Vec<(usize, Contact)>,
    /// The region's first-visit queue (with a scenario's capacity change, if any).
    first_visits: FirstVisitQueue,
}

/// Simulate the care of region `ri`.
pub(crate) fn simulate_region(
    m: &Model,
    pop: &Population,
    places: &Places,
    w: &Window,
    ri: usize,
    seed: u64,
    change: Option<&Prepared>,
) -> RegionCare {
    let los = change.and_then(|c| c.los.as_ref());
    let capacity = change.and_then(|c| c.capacity);
    let mut sim = Sim {
        m,
        pop,
        places,
        w,
        ri,
        rp: &m.regions[ri],
        seed,
        out: RegionCare {
            contacts: vec![Vec::new(); w.months.len()],
            stays: Vec::new(),
            cases: Vec::new(),
        },
        next_seq: 0,
        next_case: 0,
        days: Vec::new(),
        los,
        late: Vec::new(),
        first_visits: FirstVisitQueue::new(m.regions[ri].first_visit_within_90d, capacity),
    };
    for &pi in &pop.residents[ri] {
        sim.person(pi);
    }
    sim.visitors();
    for (mi, mut c) in std::mem::take(&mut sim.late) {
        c.seq = sim.next_seq;
        sim.next_seq += 1;
        sim.out.contacts[mi].push(c);
    }
    for month in &mut sim.out.contacts {
        month.sort_by_key(|c| (c.uts, c.seq));
    }
    sim.out
}

/// KPP cost relative to a stay of the reference length (`days` whole days from admission).
pub(crate) fn los_cost_factor(days: Day, ref_los: f64) -> f64 {
    0.4 + 0.6 * (f64::from(days) + 0.5) / (ref_los + 0.5)
}

fn acute_minute(rng: &mut Stream, day: Day) -> Min {
    let h = rng::weighted(rng, &HOUR_WEIGHTS) as Min;
    day * DAY_MIN + h * 60 + rng::range(rng, 0, 60) as Min
}

fn office_minute(rng: &mut Stream, day: Day) -> Min {
    day * DAY_MIN + 8 * 60 + 5 * rng::range(rng, 0, 96) as Min
}

/// Staff category other than physician, by specialty.
fn other_staff(rng: &mut Stream, spec: Spec) -> u8 {
    let (codes, w): (&[u8], &[f64]) = match spec {
        Spec::Psyk => (b"PSO", &[6.0, 3.0, 1.0]),
        Spec::Ort => (b"FSO", &[5.0, 4.0, 1.0]),
        Spec::Allm => (b"SFPO", &[60.0, 24.0, 8.0, 8.0]),
        _ => (b"SFO", &[80.0, 5.0, 15.0]),
    };
    codes[rng::weighted(rng, w)]
}

impl Sim<'_> {
    fn season_factor(season: Season, day: Day) -> (f64, f64) {
        match season {
            Season::Flat => (1.0, 1.0),
            Season::Acute(a) => (model::acute_season(day_of_year(day), a), 1.0 + a),
            Season::Planned => (
                model::planned_season(month_of(day)),
                model::planned_season_max(),
            ),
        }
    }

    /// Days of a Poisson process with `rate` per year on `[a, end)` (into `self.days`).
    fn event_days(
        &mut self,
        rng: &mut Stream,
        rate: f64,
        a: Day,
        end: Day,
        season: Season,
        weekdays: bool,
    ) {
        self.days.clear();
        if end <= a || rate <= 0.0 {
            return;
        }
        let (_, max) = Self::season_factor(season, a);
        let n = rng::poisson(rng, rate * f64::from(end - a) / 365.25 * max);
        for _ in 0..n {
            let mut day = rng::range(rng, i64::from(a), i64::from(end)) as Day;
            if weekdays {
                let mut tries = 0;
                while is_weekend(day) && tries < 8 {
                    day = rng::range(rng, i64::from(a), i64::from(end)) as Day;
                    tries += 1;
                }
                if is_weekend(day) {
                    continue;
                }
            }
            let (f, _) = Self::season_factor(season, day);
            if rng::uniform(rng) * max < f {
                self.days.push(day);
            }
        }
        self.days.sort_unstable();
    }

    fn person(&mut self, pi: u32) {
        let p = self.pop.persons[pi as usize];
        let ri = self.ri as u8;
        let (a, a_wait, b_excl) = if p.region0 == ri {
            let b = if p.move_day != NEVER && p.region1 != ri {
                p.move_day
            } else {
                self.w.last + 1
            };
            (self.w.warm, self.w.wait_warm, b)
        } else if p.region1 == ri && p.move_day != NEVER {
            (p.move_day, p.move_day, self.w.last + 1)
        } else {
            return;
        };
        let a = a.max(p.birth);
        let a_wait = a_wait.max(p.birth);
        if a_wait >= b_excl {
            return;
        }
        let end = b_excl.min(p.death);
        let mut rng = rng::stream(self.seed, &[tag::CARE, self.ri as u64, u64::from(pi)]);
        let chronic = {
            let mut r = rng::stream(self.seed, &[tag::ATTRIBUTES, u64::from(pi)]);
            let age = age_on(p.birth, self.w.first.max(p.birth));
            let s = p.sex;
            Chronic {
                hf: rng::chance(&mut r, model::prev_heart_failure(age, s)),
                copd: rng::chance(&mut r, model::prev_copd(age, s)),
                dm2: rng::chance(&mut r, model::prev_diabetes2(age, s)),
                dm1: rng::chance(&mut r, model::prev_diabetes1(age, s)),
                dep: rng::chance(&mut r, model::prev_depression(age, s)),
            }
        };
        let hosp = self.places.hospital_of(p.kommun_at(a));
        let mut ctx = Ctx {
            pi,
            p,
            a,
            a_wait,
            end,
            hosp,
            chronic,
            died_in_hospital: false,
        };
        if a < end {
            self.background(&mut ctx, &mut rng);
            self.conditions(&mut ctx, &mut rng);
            self.chronic_care(&mut ctx, &mut rng);
        }
        if a_wait < end {
            self.tonsils(&mut ctx, &mut rng);
            self.referrals(&mut ctx, &mut rng);
        }
        let mut ami_fatal = false;
        for e in self.pop.ami_of(pi) {
            let day = e.at.div_euclid(DAY_MIN);
            if day >= a && day < b_excl && p.region_at(day) == ri {
                ami_fatal |= e.fatal;
                self.ami(&mut ctx, &mut rng, e.at);
            }
        }
        let d = p.death;
        if d != NEVER
            && d >= a.max(self.w.warm)
            && d < b_excl
            && !ctx.died_in_hospital
            && !ami_fatal
            && rng::chance(&mut rng, model::TERMINAL_STAY)
        {
            self.terminal(&mut ctx, &mut rng);
        }
    }

    fn age(&self, ctx: &Ctx, day: Day) -> u32 {
        age_on(ctx.p.birth, day.max(ctx.p.birth))
    }

    fn mid_age(&self, ctx: &Ctx) -> u32 {
        self.age(ctx, ctx.a + (ctx.end - ctx.a) / 2)
    }

    // -----------------------------------------------------------------------------------------
    // Background care
    // -----------------------------------------------------------------------------------------

    fn background(&mut self, ctx: &mut Ctx, rng: &mut Stream) {
        let age = self.mid_age(ctx);
        let sex = ctx.p.sex;
        let r = &self.m.rates;
        let home = (1.0 - model::AWAY_SHARE) * self.rp.care_use;
        // Primary care.
        self.event_days(
            rng,
            r.bg_pv * model::shape_pv(age, sex) * home,
            ctx.a,
            ctx.end,
            Season::Planned,
            true,
        );
        let days = std::mem::take(&mut self.days);
        for &day in &days {
            let list = self.pv_list(age);
            let hdia = if rng::chance(rng, 0.9) {
                list.pick(rng)
            } else {
                NONE
            };
            let yrke = if rng::chance(rng, model::PV_PHYSICIAN_SHARE) {
                b'L'
            } else {
                other_staff(rng, Spec::Allm)
            };
            let place = self
                .places
                .primary_care(ctx.p.kommun_at(day), u64::from(ctx.pi));
            let planned = rng::chance(rng, 0.6);
            let besok = if rng::chance(rng, 0.4) { 1 } else { 2 };
            self.visit(
                ctx,
                rng,
                VisitReq {
                    form: Form::Pv,
                    place,
                    spec: Spec::Allm,
                    day,
                    planned,
                    besok,
                    yrke,
                    hdia,
                    op: NONE,
                    emergency: false,
                },
            );
        }
        // Specialist outpatient care.
        self.event_days(
            rng,
            r.bg_ov * model::shape_ov(age, sex) * home,
            ctx.a,
            ctx.end,
            Season::Planned,
            false,
        );
        let days2 = std::mem::take(&mut self.days);
        for &day in &days2 {
            let specs = model::ov_specs(self.age(ctx, day), sex);
            let w: Vec<f64> = specs.iter().map(|s| s.1).collect();
            let spec = specs[rng::weighted(rng, &w)].0;
            let hdia = self.m.dx.ov[spec.idx()].pick(rng);
            let yrke = if rng::chance(rng, model::OV_PHYSICIAN_SHARE) {
                b'L'
            } else {
                other_staff(rng, spec)
            };
            let emergency = spec == Spec::Akut;
            let mut day = day;
            if !emergency && is_weekend(day) {
                day += if is_weekend(day + 1) { 1 } else { 2 };
                if day >= ctx.end {
                    continue;
                }
            }
            let op = match spec {
                Spec::Kard if rng::chance(rng, 0.3) => self.m.ops.ecg,
                Spec::Onh if rng::chance(rng, 0.4) => self.m.ops.onh_exam.pick(rng),
                _ => NONE,
            };
            let place = self.places.clinic(ctx.hosp, spec);
            let (planned, besok) = if emergency {
                (false, 1)
            } else {
                (
                    rng::chance(rng, 0.85),
                    if rng::chance(rng, 0.25) { 1 } else { 2 },
                )
            };
            self.visit(
                ctx,
                rng,
                VisitReq {
                    form: Form::Ov,
                    place,
                    spec,
                    day,
                    planned,
                    besok,
                    yrke,
                    hdia,
                    op,
                    emergency,
                },
            );
        }
        // Inpatient care: acute and planned.
        let sv = r.bg_sv * model::shape_sv(age, sex) * home;
        self.event_days(
            rng,
            sv * (1.0 - model::SV_PLANNED_SHARE),
            ctx.a,
            ctx.end,
            Season::Acute(model::WINTER_AMPLITUDE),
            false,
        );
        let days3 = std::mem::take(&mut self.days);
        for &day in &days3 {
            let a = self.age(ctx, day);
            let specs = model::sv_acute_specs(a);
            let w: Vec<f64> = specs.iter().map(|s| s.1).collect();
            let spec = specs[rng::weighted(rng, &w)].0;
            let hdia = self.m.dx.sv_acute[spec.idx()].pick(rng);
            let adm = acute_minute(rng, day);
            let (med, sigma) = model::los(spec, false);
            let los = rng::lognormal(rng, med, sigma);
            let mut req = StayReq {
                spec,
                ward: self.places.ward(ctx.hosp, spec, ctx.pi),
                adm,
                planned: false,
                los,
                min_disch: adm,
                hdia,
                drg: spec.sv_drg().0,
                ops: [(NONE, 0); 2],
                n_ops: 0,
                uk_bias: if spec == Spec::Ger { 0.15 } else { 0.0 },
                readmit: true,
                ed: spec != Spec::Psyk && rng::chance(rng, model::ED_SHARE),
            };
            if hdia == self.m.ops.appendicitis {
                req.ops[0] = (
                    self.m.ops.appendectomy,
                    adm + rng::range(rng, 180, 720) as Min,
                );
                req.n_ops = 1;
                req.drg = "G07C";
            }
            self.stay(ctx, rng, req);
        }
        self.event_days(
            rng,
            sv * model::SV_PLANNED_SHARE,
            ctx.a,
            ctx.end,
            Season::Planned,
            true,
        );
        let days4 = std::mem::take(&mut self.days);
        for &day in &days4 {
            let a = self.age(ctx, day);
            let specs = model::sv_planned_specs(a);
            let w: Vec<f64> = specs.iter().map(|s| s.1).collect();
            let spec = specs[rng::weighted(rng, &w)].0;
            let hdia = self.m.dx.sv_planned[spec.idx()].pick(rng);
            let adm = day * DAY_MIN + 7 * 60 + rng::range(rng, 0, 180) as Min;
            let (med, sigma) = model::los(spec, true);
            let mut req = StayReq {
                spec,
                ward: self.places.ward(ctx.hosp, spec, ctx.pi),
                adm,
                planned: true,
                los: rng::lognormal(rng, med, sigma),
                min_disch: adm,
                hdia,
                drg: spec.sv_drg().0,
                ops: [(NONE, 0); 2],
                n_ops: 0,
                uk_bias: 0.0,
                readmit: true,
                ed: false,
            };
            if spec == Spec::Kard && rng::chance(rng, 0.4) {
                req.ops[0] = (self.m.ops.angio, adm + rng::range(rng, 60, 300) as Min);
                req.n_ops = 1;
            }
            self.stay(ctx, rng, req);
        }
        self.days = days;
    }

    fn pv_list(&self, age: u32) -> &CodeList {
        match age {
            0..=17 => &self.m.dx.pv_child,
            18..=64 => &self.m.dx.pv_adult,
            _ => &self.m.dx.pv_old,
        }
    }

    // -----------------------------------------------------------------------------------------
    // Named conditions
    // -----------------------------------------------------------------------------------------

    fn conditions(&mut self, ctx: &mut Ctx, rng: &mut Stream) {
        let age = self.mid_age(ctx);
        let sex = ctx.p.sex;
        let r = &self.m.rates;
        let home = 1.0 - model::AWAY_SHARE;
        let (hip, stroke, delivery) = (
            r.hip * model::shape_hip(age, sex) * home,
            r.stroke * model::shape_stroke(age, sex) * home,
            r.delivery * model::shape_delivery(age, sex) * home,
        );
        let season = Season::Acute(model::WINTER_AMPLITUDE);
        self.event_days(rng, hip, ctx.a, ctx.end, season, false);
        for day in std::mem::take(&mut self.days) {
            self.hip_fracture(ctx, rng, day);
        }
        self.event_days(rng, stroke, ctx.a, ctx.end, season, false);
        for day in std::mem::take(&mut self.days) {
            self.stroke(ctx, rng, day);
        }
        self.event_days(rng, delivery, ctx.a, ctx.end, Season::Flat, false);
        for day in std::mem::take(&mut self.days) {
            self.delivery(ctx, rng, day);
        }
    }

    fn hip_fracture(&mut self, ctx: &mut Ctx, rng: &mut Stream, day: Day) {
        let adm = acute_minute(rng, day);
        let hdia = self.m.dx.hip.pick(rng);
        let within = rng::chance(rng, self.rp.hip_within_24h);
        let delay = if within {
            HIP_FAST_FROM + rng::range(rng, 0, i64::from(HIP_FAST_SPAN)) as Min
        } else {
            HIP_SLOW_FROM + (rng::exponential(rng, HIP_SLOW_MEAN) as Min).min(HIP_SLOW_CAP)
        };
        let surgery = adm + delay;
        let alive_at_surgery = ctx.p.death == NEVER || surgery.div_euclid(DAY_MIN) < ctx.p.death;
        let neck = self.m.codes.text(hdia) == "S72.0";
        let (op, drg) = if !alive_at_surgery {
            (NONE, "I13C")
        } else if neck && rng::chance(rng, 0.6) {
            (self.m.ops.hip_prosthesis.pick(rng), "I03C")
        } else if neck {
            (self.m.ops.hip_fixation_neck.pick(rng), "I08C")
        } else {
            (self.m.ops.hip_fixation_troch.pick(rng), "I08C")
        };
        let los = rng::lognormal(rng, 6.0, 0.5);
        let req = StayReq {
            spec: Spec::Ort,
            ward: self.places.ward(ctx.hosp, Spec::Ort, ctx.pi),
            adm,
            planned: false,
            los,
            min_disch: if op == NONE {
                adm
            } else {
                surgery + 2 * DAY_MIN
            },
            hdia,
            drg,
            ops: [(op, surgery), (NONE, 0)],
            n_ops: usize::from(op != NONE),
            uk_bias: 0.15,
            readmit: true,
            ed: true,
        };
        if let Some(disch) = self.stay(ctx, rng, req) {
            let fu = disch.div_euclid(DAY_MIN) + rng::range(rng, 42, 85) as Day;
            let dx = self.m.dx.hip_follow_up.pick(rng);
            self.follow_up(ctx, rng, Spec::Ort, fu, dx);
        }
    }

    fn stroke(&mut self, ctx: &mut Ctx, rng: &mut Stream, day: Day) {
        let adm = acute_minute(rng, day);
        let hdia = self.m.dx.stroke.pick(rng);
        let mut req = StayReq {
            spec: Spec::Neuro,
            ward: self.places.ward(0, Spec::Neuro, ctx.pi),
            adm,
            planned: false,
            los: rng::lognormal(rng, 7.0, 0.6),
            min_disch: adm,
            hdia,
            drg: "B70C",
            ops: [(NONE, 0); 2],
            n_ops: 0,
            uk_bias: 0.2,
            readmit: true,
            ed: true,
        };
        if self.m.codes.text(hdia) == "I63.9" && rng::chance(rng, 0.12) {
            req.ops[0] = (
                self.m.ops.thrombolysis,
                adm + rng::range(rng, 30, 120) as Min,
            );
            req.n_ops = 1;
        }
        if let Some(disch) = self.stay(ctx, rng, req) {
            let fu = disch.div_euclid(DAY_MIN) + rng::range(rng, 80, 100) as Day;
            let dx = self.m.dx.stroke_follow_up.pick(rng);
            self.follow_up(ctx, rng, Spec::Neuro, fu, dx);
        }
    }

    fn ami(&mut self, ctx: &mut Ctx, rng: &mut Stream, adm: Min) {
        let hdia = self.m.dx.ami.pick(rng);
        let age = self.age(ctx, adm.div_euclid(DAY_MIN));
        let pci = rng::chance(rng, if age >= 85 { 0.35 } else { 0.65 });
        let mut req = StayReq {
            spec: Spec::Kard,
            ward: self.places.ward(0, Spec::Kard, ctx.pi),
            adm,
            planned: false,
            los: rng::lognormal(rng, 4.0, 0.45),
            min_disch: adm,
            hdia,
            drg: if pci { "F10C" } else { "F41C" },
            ops: [(NONE, 0); 2],
            n_ops: 0,
            uk_bias: 0.0,
            readmit: true,
            ed: rng::chance(rng, model::ED_SHARE),
        };
        if pci {
            req.ops[0] = (self.m.ops.pci, adm + rng::range(rng, 30, 600) as Min);
            req.n_ops = 1;
        } else if rng::chance(rng, 0.2) {
            req.ops[0] = (self.m.ops.angio, adm + rng::range(rng, 120, 2880) as Min);
            req.n_ops = 1;
        }
        if let Some(disch) = self.stay(ctx, rng, req) {
            let fu = disch.div_euclid(DAY_MIN) + rng::range(rng, 30, 61) as Day;
            let dx = self.m.dx.ami_follow_up.pick(rng);
            self.follow_up(ctx, rng, Spec::Kard, fu, dx);
        }
    }

    fn tonsils(&mut self, ctx: &mut Ctx, rng: &mut Stream) {
        let age = self.age(ctx, ctx.a_wait + (ctx.end - ctx.a_wait) / 2);
        let rate =
            self.m.rates.tonsil * model::shape_tonsil(age, ctx.p.sex) * (1.0 - model::AWAY_SHARE);
        self.event_days(rng, rate, ctx.a_wait, ctx.end, Season::Acute(0.2), true);
        for day in std::mem::take(&mut self.days) {
            self.tonsil(ctx, rng, day);
        }
    }

    fn tonsil(&mut self, ctx: &mut Ctx, rng: &mut Stream, day: Day) {
        let place = self
            .places
            .primary_care(ctx.p.kommun_at(day), u64::from(ctx.pi));
        let acute = self.m.dx.tonsil_acute.pick(rng);
        self.visit(
            ctx,
            rng,
            VisitReq {
                form: Form::Pv,
                place,
                spec: Spec::Allm,
                day,
                planned: false,
                besok: 1,
                yrke: b'L',
                hdia: acute,
                op: NONE,
                emergency: false,
            },
        );
        let clinic = self.places.clinic(ctx.hosp, Spec::Onh);
        let Some(c1) = self.waiting_case(ctx, rng, WaitKind::FirstVisit, clinic, NONE, day) else {
            return;
        };
        let chronic = self.m.dx.tonsil_chronic.pick(rng);
        self.visit(
            ctx,
            rng,
            VisitReq {
                form: Form::Ov,
                place: clinic,
                spec: Spec::Onh,
                day: c1,
                planned: true,
                besok: 1,
                yrke: b'L',
                hdia: chronic,
                op: NONE,
                emergency: false,
            },
        );
        let cold = rng::chance(rng, self.rp.tonsil_cold_share);
        let op = if cold {
            self.m.ops.tonsil_cold
        } else {
            self.m.ops.tonsil_hot
        };
        let Some(c2) = self.waiting_case(ctx, rng, WaitKind::Operation, clinic, op, c1) else {
            return;
        };
        if rng::chance(rng, model::TONSIL_INPATIENT) {
            let adm = c2 * DAY_MIN + 7 * 60 + rng::range(rng, 0, 120) as Min;
            let req = StayReq {
                spec: Spec::Onh,
                ward: self.places.ward(0, Spec::Onh, ctx.pi),
                adm,
                planned: true,
                los: rng::lognormal(rng, 1.0, 0.3),
                min_disch: adm,
                hdia: chronic,
                drg: "D11C",
                ops: [(op, adm + rng::range(rng, 60, 300) as Min), (NONE, 0)],
                n_ops: 1,
                uk_bias: 0.0,
                readmit: false,
                ed: false,
            };
            self.stay(ctx, rng, req);
        } else {
            self.surgery_visit(ctx, rng, clinic, c2, chronic, op, "D11O");
        }
    }

    fn delivery(&mut self, ctx: &mut Ctx, rng: &mut Stream, day: Day) {
        let caesarean = rng::chance(rng, 0.18);
        let elective = caesarean && rng::chance(rng, 0.4);
        let adm = if elective && !is_weekend(day) {
            day * DAY_MIN + 7 * 60 + rng::range(rng, 0, 120) as Min
        } else {
            day * DAY_MIN + rng::range(rng, 0, i64::from(DAY_MIN)) as Min
        };
        let (hdia, drg, los) = if caesarean {
            (
                self.m.dx.delivery_caesarean.pick(rng),
                "O01C",
                rng::lognormal(rng, 3.0, 0.3),
            )
        } else {
            (
                self.m.dx.delivery_vaginal.pick(rng),
                "O60C",
                rng::lognormal(rng, 1.5, 0.5),
            )
        };
        let mut req = StayReq {
            spec: Spec::Kvinn,
            ward: self.places.ward(0, Spec::Kvinn, ctx.pi),
            adm,
            planned: elective,
            los,
            min_disch: adm,
            hdia,
            drg,
            ops: [(NONE, 0); 2],
            n_ops: 0,
            uk_bias: 0.0,
            readmit: false,
            ed: false,
        };
        if caesarean {
            req.ops[0] = (self.m.ops.caesarean, adm + rng::range(rng, 30, 600) as Min);
            req.n_ops = 1;
        }
        self.stay(ctx, rng, req);
    }

    fn terminal(&mut self, ctx: &mut Ctx, rng: &mut Stream) {
        let d = ctx.p.death;
        let age = self.age(ctx, d);
        let spec = if age >= 80 { Spec::Ger } else { Spec::Med };
        let los = rng::lognormal(rng, 6.0, 0.8);
        let first = ctx.a.max(self.w.warm);
        let day = (d - los.round() as Day).max(first);
        let adm = acute_minute(rng, day);
        let req = StayReq {
            spec,
            ward: self.places.ward(ctx.hosp, spec, ctx.pi),
            adm,
            planned: false,
            los: los + 5.0,
            min_disch: adm,
            hdia: self.m.dx.terminal.pick(rng),
            drg: "T62C",
            ops: [(NONE, 0); 2],
            n_ops: 0,
            uk_bias: 0.0,
            readmit: false,
            ed: rng::chance(rng, 0.7),
        };
        self.stay(ctx, rng, req);
    }

    // -----------------------------------------------------------------------------------------
    // Chronic conditions
    // -----------------------------------------------------------------------------------------

    fn chronic_care(&mut self, ctx: &mut Ctx, rng: &mut Stream) {
        let c = ctx.chronic;
        let dx = &self.m.dx;
        type Plan<'a> = (
            bool,
            &'a ChronicCare,
            Spec,
            Spec,
            &'a CodeList,
            &'a CodeList,
            &'static str,
            f64,
        );
        let plans: [Plan<'_>; 5] = [
            (
                c.hf,
                &model::HF_CARE,
                Spec::Kard,
                Spec::Med,
                &dx.hf,
                &dx.hf,
                "F62C",
                4.5,
            ),
            (
                c.copd,
                &model::COPD_CARE,
                Spec::Lung,
                Spec::Med,
                &dx.copd_stable,
                &dx.copd_exacerbation,
                "E65C",
                4.0,
            ),
            (
                c.dm2,
                &model::DM2_CARE,
                Spec::Endo,
                Spec::Med,
                &dx.dm2,
                &dx.dm2,
                "K60C",
                3.0,
            ),
            (
                c.dm1,
                &model::DM1_CARE,
                Spec::Endo,
                Spec::Med,
                &dx.dm1,
                &dx.dm1_acute,
                "K60C",
                3.0,
            ),
            (
                c.dep,
                &model::DEP_CARE,
                Spec::Psyk,
                Spec::Psyk,
                &dx.depression,
                &dx.depression_severe,
                "U71C",
                14.0,
            ),
        ];
        let home = 1.0 - model::AWAY_SHARE;
        for (has, care, ov_spec, sv_spec, visit_dx, sv_dx, drg, los_median) in plans {
            if !has {
                continue;
            }
            let respiratory = Season::Acute(model::WINTER_AMPLITUDE_RESPIRATORY);
            self.event_days(rng, care.sv * home, ctx.a, ctx.end, respiratory, false);
            for day in std::mem::take(&mut self.days) {
                let adm = acute_minute(rng, day);
                let req = StayReq {
                    spec: sv_spec,
                    ward: self.places.ward(ctx.hosp, sv_spec, ctx.pi),
                    adm,
                    planned: false,
                    los: rng::lognormal(rng, los_median, 0.6),
                    min_disch: adm,
                    hdia: sv_dx.pick(rng),
                    drg,
                    ops: [(NONE, 0); 2],
                    n_ops: 0,
                    uk_bias: 0.05,
                    readmit: true,
                    ed: sv_spec != Spec::Psyk && rng::chance(rng, model::ED_SHARE),
                };
                self.stay(ctx, rng, req);
            }
            self.event_days(rng, care.ov * home, ctx.a, ctx.end, Season::Planned, true);
            for day in std::mem::take(&mut self.days) {
                let yrke = if rng::chance(rng, care.ov_physician) {
                    b'L'
                } else {
                    other_staff(rng, ov_spec)
                };
                let place = self.places.clinic(ctx.hosp, ov_spec);
                let hdia = visit_dx.pick(rng);
                self.visit(
                    ctx,
                    rng,
                    VisitReq {
                        form: Form::Ov,
                        place,
                        spec: ov_spec,
                        day,
                        planned: true,
                        besok: 2,
                        yrke,
                        hdia,
                        op: NONE,
                        emergency: false,
                    },
                );
            }
            self.event_days(rng, care.pv * home, ctx.a, ctx.end, Season::Planned, true);
            for day in std::mem::take(&mut self.days) {
                let yrke = if rng::chance(rng, care.pv_physician) {
                    b'L'
                } else if ov_spec == Spec::Psyk {
                    b'P'
                } else {
                    b'S'
                };
                let place = self
                    .places
                    .primary_care(ctx.p.kommun_at(day), u64::from(ctx.pi));
                let hdia = visit_dx.pick(rng);
                self.visit(
                    ctx,
                    rng,
                    VisitReq {
                        form: Form::Pv,
                        place,
                        spec: Spec::Allm,
                        day,
                        planned: true,
                        besok: 2,
                        yrke,
                        hdia,
                        op: NONE,
                        emergency: false,
                    },
                );
            }
        }
    }

    // -----------------------------------------------------------------------------------------
    // Referrals, waiting and planned operations
    // -----------------------------------------------------------------------------------------

    fn referrals(&mut self, ctx: &mut Ctx, rng: &mut Stream) {
        let age = self.age(ctx, ctx.a_wait + (ctx.end - ctx.a_wait) / 2);
        let rate = self.m.rates.referral
            * model::shape_referral(age, ctx.p.sex)
            * (1.0 - model::AWAY_SHARE);
        self.event_days(rng, rate, ctx.a_wait, ctx.end, Season::Planned, true);
        for day in std::mem::take(&mut self.days) {
            let specs = model::referral_specs(self.age(ctx, day), ctx.p.sex);
            let w: Vec<f64> = specs.iter().map(|s| s.1).collect();
            let spec = specs[rng::weighted(rng, &w)].0;
            let clinic = self.places.clinic(ctx.hosp, spec);
            let Some(c1) = self.waiting_case(ctx, rng, WaitKind::FirstVisit, clinic, NONE, day)
            else {
                continue;
            };
            let hdia = self.m.dx.ov[spec.idx()].pick(rng);
            self.visit(
                ctx,
                rng,
                VisitReq {
                    form: Form::Ov,
                    place: clinic,
                    spec,
                    day: c1,
                    planned: true,
                    besok: 1,
                    yrke: b'L',
                    hdia,
                    op: NONE,
                    emergency: false,
                },
            );
            let Some(inpatient) = model::operates(spec) else {
                continue;
            };
            if !rng::chance(rng, model::OP_AFTER_REFERRAL) {
                continue;
            }
            let Some(op) = self.m.ops.planned_for(spec, rng) else {
                continue;
            };
            let Some(c2) = self.waiting_case(ctx, rng, WaitKind::Operation, clinic, op.code, c1)
            else {
                continue;
            };
            if rng::chance(rng, inpatient) {
                let adm = c2 * DAY_MIN + 7 * 60 + rng::range(rng, 0, 120) as Min;
                let (med, sigma) = model::los(spec, true);
                let req = StayReq {
                    spec,
                    ward: self.places.ward(ctx.hosp, spec, ctx.pi),
                    adm,
                    planned: true,
                    los: rng::lognormal(rng, med, sigma),
                    min_disch: adm,
                    hdia: op.dx,
                    drg: op.drg_sv,
                    ops: [(op.code, adm + rng::range(rng, 60, 360) as Min), (NONE, 0)],
                    n_ops: 1,
                    uk_bias: 0.0,
                    readmit: true,
                    ed: false,
                };
                self.stay(ctx, rng, req);
            } else {
                self.surgery_visit(ctx, rng, clinic, c2, op.dx, op.code, op.drg_ov);
            }
        }
    }

    /// Create a waiting case starting on `start`; returns the completion day if the visit or
    /// operation takes place while the patient is alive and not after the window.
    fn waiting_case(
        &mut self,
        ctx: &Ctx,
        rng: &mut Stream,
        kind: WaitKind,
        place: u16,
        atgard: Code,
        start: Day,
    ) -> Option<Day> {
        // First visits: a medical target and the clinics' lateness on it (`crate::waits`);
        // operations: one lognormal wait calibrated to the planted share within 90 days.
        let median = match kind {
            WaitKind::FirstVisit => self.first_visits.median_target,
            WaitKind::Operation => {
                90.0 / (waits::SIGMA * rng::normal_quantile(self.rp.operation_within_90d)).exp()
            }
        };
        let target = rng::lognormal(rng, median, waits::SIGMA);
        let mut wait = target;
        let avvik = match rng::weighted(rng, &[92.0, 4.0, 3.0, 1.0]) {
            1 => {
                wait = wait * 2.0 + 30.0;
                1
            }
            2 => {
                wait = wait * 1.6 + 20.0;
                2
            }
            3 => {
                wait *= 1.3;
                3
            }
            _ => 0,
        };
        if kind == WaitKind::FirstVisit {
            wait += self.first_visits.lateness(f64::from(start) + wait);
        }
        let mut done = start + (wait.min(900.0).round() as Day).max(1);
        while is_weekend(done) {
            done += 1;
        }
        let maldatum = match kind {
            WaitKind::Operation if rng::chance(rng, 0.25) => {
                start + 30 * rng::range(rng, 1, 5) as Day
            }
            WaitKind::FirstVisit if rng::chance(rng, TARGET_RECORDED) => {
                start + (target.min(900.0).round() as Day).max(1)
            }
            _ => NEVER,
        };
        let (done, end) = if ctx.p.death != NEVER && done >= ctx.p.death {
            (NEVER, ctx.p.death)
        } else {
            (done, NEVER)
        };
        let relevant = start <= self.w.last
            && (done == NEVER || done >= self.w.first)
            && (end == NEVER || end > self.w.first);
        if relevant {
            self.out.cases.push(Case {
                id: self.next_case,
                person: ctx.pi,
                kind,
                place,
                atgard,
                start,
                done,
                end,
                avvik,
                maldatum,
            });
            self.next_case += 1;
        }
        (done != NEVER && done <= self.w.last).then_some(done)
    }

    #[allow(clippy::too_many_arguments)]
    fn surgery_visit(
        &mut self,
        ctx: &mut Ctx,
        rng: &mut Stream,
        place: u16,
        day: Day,
        hdia: Code,
        op: Code,
        drg: &'static str,
    ) {
        let ins = day * DAY_MIN + 7 * 60 + 15 * rng::range(rng, 0, 24) as Min;
        let uts = ins + rng::range(rng, 90, 300) as Min;
        let (drg_code, weight) = self.m.drg(drg);
        let cost = self.rp.cost_per_drg_point * weight * rng::lognormal(rng, 1.0, 0.3);
        let c = Contact {
            person: ctx.pi,
            seq: 0,
            ins,
            uts,
            op_at: [ins + rng::range(rng, 15, 60) as Min, 0],
            cost: cost as f32,
            drg_weight: weight as f32,
            place,
            hdia,
            bidia: [NONE; 3],
            ops: [op, NONE],
            drg: drg_code,
            uk: 0,
            form: Form::Ov,
            planned: true,
            besok: 2,
            yrke: b'L',
            utsatt: 0,
            n_bidia: 0,
            n_ops: 1,
        };
        self.emit(c);
    }

    fn follow_up(&mut self, ctx: &mut Ctx, rng: &mut Stream, spec: Spec, day: Day, hdia: Code) {
        let mut day = day;
        while is_weekend(day) {
            day += 1;
        }
        if day >= ctx.end {
            return;
        }
        let place = self.places.clinic(ctx.hosp, spec);
        self.visit(
            ctx,
            rng,
            VisitReq {
                form: Form::Ov,
                place,
                spec,
                day,
                planned: true,
                besok: 2,
                yrke: b'L',
                hdia,
                op: NONE,
                emergency: false,
            },
        );
    }

    // -----------------------------------------------------------------------------------------
    // Contacts
    // -----------------------------------------------------------------------------------------

    fn secondary(&self, ctx: &Ctx, rng: &mut Stream, hdia: Code, n: usize) -> ([Code; 3], u8) {
        let mut out = [NONE; 3];
        let mut k = 0;
        let dx = &self.m.dx;
        let c = ctx.chronic;
        let chronic: [(bool, &CodeList); 4] = [
            (c.dm2, &dx.dm2),
            (c.hf, &dx.hf),
            (c.copd, &dx.copd_stable),
            (c.dep, &dx.depression),
        ];
        for (has, list) in chronic {
            if k < n && has && rng::chance(rng, 0.7) {
                let code = list.pick(rng);
                if code != hdia && !out[..k].contains(&code) {
                    out[k] = code;
                    k += 1;
                }
            }
        }
        let mut tries = 0;
        while k < n && tries < 6 {
            tries += 1;
            let code = dx.secondary.pick(rng);
            if code != hdia && !out[..k].contains(&code) {
                out[k] = code;
                k += 1;
            }
        }
        (out, k as u8)
    }

    fn visit(&mut self, ctx: &mut Ctx, rng: &mut Stream, v: VisitReq) {
        let (ins, dur) = if v.emergency {
            (acute_minute(rng, v.day), rng::range(rng, 90, 360) as Min)
        } else {
            let d = match (v.form, v.yrke) {
                (Form::Pv, b'L') => rng::range(rng, 15, 35),
                (Form::Pv, _) => rng::range(rng, 10, 30),
                _ => rng::range(rng, 20, 60),
            };
            (office_minute(rng, v.day), d as Min)
        };
        let uts = ins + dur;
        let n_sec = match v.form {
            Form::Ov if v.hdia != NONE && rng::chance(rng, 0.15) => 1,
            Form::Pv if v.hdia != NONE && rng::chance(rng, 0.10) => 1,
            _ => 0,
        };
        let (bidia, n_bidia) = self.secondary(ctx, rng, v.hdia, n_sec);
        let (drg, weight, cost) = match v.form {
            Form::Pv => {
                let mean = if v.yrke == b'L' { 1300.0 } else { 650.0 };
                (NONE, 0.0, rng::lognormal(rng, mean, 0.35))
            }
            _ => {
                let (d, w) = v.spec.ov_drg();
                let (code, _) = self.m.drg(d);
                let staff = if v.yrke == b'L' { 1.0 } else { 0.6 };
                (
                    code,
                    w,
                    self.rp.cost_per_drg_point * w * staff * rng::lognormal(rng, 1.0, 0.45),
                )
            }
        };
        let c = Contact {
            person: ctx.pi,
            seq: 0,
            ins,
            uts,
            op_at: [ins + 5, 0],
            cost: cost as f32,
            drg_weight: weight as f32,
            place: v.place,
            hdia: v.hdia,
            bidia,
            ops: [v.op, NONE],
            drg,
            uk: 0,
            form: v.form,
            planned: v.planned,
            besok: v.besok,
            yrke: v.yrke,
            utsatt: 0,
            n_bidia,
            n_ops: u8::from(v.op != NONE),
        };
        self.emit(c);
    }

    /// Create an inpatient stay (with its emergency visit and possibly a readmission); returns
    /// the discharge time.
    fn stay(&mut self, ctx: &mut Ctx, rng: &mut Stream, req: StayReq) -> Option<Min> {
        let p = ctx.p;
        let adm = req.adm;
        let adm_day = adm.div_euclid(DAY_MIN);
        if req.ed {
            let clinic = self
                .places
                .clinic(self.places.list[usize::from(req.ward)].hospital, Spec::Akut);
            let ins = adm - rng::range(rng, 90, 360) as Min;
            let (d, w) = Spec::Akut.ov_drg();
            let (code, _) = self.m.drg(d);
            let c = Contact {
                person: ctx.pi,
                seq: 0,
                ins,
                uts: adm,
                op_at: [0; 2],
                cost: (self.rp.cost_per_drg_point * w * rng::lognormal(rng, 1.0, 0.4)) as f32,
                drg_weight: w as f32,
                place: clinic,
                hdia: req.hdia,
                bidia: [NONE; 3],
                ops: [NONE; 2],
                drg: code,
                uk: 0,
                form: Form::Ov,
                planned: false,
                besok: 1,
                yrke: b'L',
                utsatt: 0,
                n_bidia: 0,
                n_ops: 0,
            };
            self.emit(c);
        }
        let los_days = req.los.max(0.0).round() as Day;
        let disch_day = adm_day + los_days;
        let mut disch = if disch_day == adm_day {
            (adm + rng::range(rng, 120, 480) as Min)
                .min(adm_day * DAY_MIN + DAY_MIN - 1)
                .max(adm)
        } else {
            disch_day * DAY_MIN + 9 * 60 + rng::range(rng, 0, 480) as Min
        };
        if disch < req.min_disch {
            let d = req.min_disch.div_euclid(DAY_MIN);
            disch = (d * DAY_MIN + 10 * 60 + rng::range(rng, 0, 360) as Min).max(req.min_disch);
        }
        let mut died = false;
        if p.death != NEVER && disch.div_euclid(DAY_MIN) >= p.death {
            let day_end = p.death * DAY_MIN + DAY_MIN - 1;
            disch = (p.death * DAY_MIN + rng::range(rng, 0, i64::from(DAY_MIN)) as Min)
                .max(adm + 30)
                .min(day_end)
                .max(adm);
            died = true;
            ctx.died_in_hospital = true;
        }
        let age = self.age(ctx, adm_day);
        let actual_days = disch.div_euclid(DAY_MIN) - adm_day;
        let mut uk = 0u16;
        if !died && age >= 65 && actual_days >= 2 {
            let p_uk = (0.22 + req.uk_bias) * if req.planned { 0.3 } else { 1.0 };
            if rng::chance(rng, p_uk) {
                let days = 1 + rng::exponential(rng, 2.0) as Day;
                uk = days.min(actual_days - 1).max(1) as u16;
            }
        }
        let utsatt = if died {
            4
        } else if age >= 80 {
            [1u8, 2, 3][rng::weighted(rng, &[77.0, 15.0, 8.0])]
        } else if rng::chance(rng, 0.05) {
            3
        } else {
            1
        };
        let n_sec = if age >= 65 {
            rng::weighted(rng, &[15.0, 30.0, 30.0, 25.0])
        } else {
            rng::weighted(rng, &[50.0, 30.0, 15.0, 5.0])
        };
        let (bidia, n_bidia) = self.secondary(ctx, rng, req.hdia, n_sec);
        let mut ops = [NONE; 2];
        let mut op_at = [0; 2];
        let mut n_ops = 0;
        for &(code, at) in req.ops.iter().take(req.n_ops) {
            if code != NONE && at >= adm && at <= disch {
                ops[n_ops] = code;
                op_at[n_ops] = at;
                n_ops += 1;
            }
        }
        let (drg, weight) = self.m.drg(req.drg);
        let (ref_los, _) = model::los(req.spec, req.planned);
        let los_factor = los_cost_factor(actual_days, ref_los);
        let mut cost =
            self.rp.cost_per_drg_point * weight * los_factor * rng::lognormal(rng, 1.0, 0.25);
        if rng::chance(rng, 0.03) {
            cost *= 1.0 + rng::exponential(rng, 2.5);
        }
        let c = Contact {
            person: ctx.pi,
            seq: 0,
            ins: adm,
            uts: disch,
            op_at,
            cost: cost.min(4.0e7) as f32,
            drg_weight: weight as f32,
            place: req.ward,
            hdia: req.hdia,
            bidia,
            ops,
            drg,
            uk,
            form: Form::Sv,
            planned: req.planned,
            besok: 0,
            yrke: 0,
            utsatt,
            n_bidia,
            n_ops: n_ops as u8,
        };
        let base_uts = c.uts;
        let mut c = c;
        if let Some(los) = self.los {
            los.shorten(&mut c, req.spec);
        }
        self.emit_at(c, base_uts);
        if req.readmit && !died && rng::chance(rng, model::readmission_prob(age)) {
            let gap = 1 + (rng::exponential(rng, 8.0) as Day).min(29);
            let day = disch.div_euclid(DAY_MIN) + gap;
            if day < ctx.end {
                let spec = if rng::chance(rng, 0.5) {
                    req.spec
                } else {
                    Spec::Med
                };
                let adm2 = acute_minute(rng, day);
                let (med, sigma) = model::los(spec, false);
                let re = StayReq {
                    spec,
                    ward: self.places.ward(ctx.hosp, spec, ctx.pi),
                    adm: adm2,
                    planned: false,
                    los: rng::lognormal(rng, med, sigma),
                    min_disch: adm2,
                    hdia: self.m.dx.sv_acute[spec.idx()].pick(rng),
                    drg: spec.sv_drg().0,
                    ops: [(NONE, 0); 2],
                    n_ops: 0,
                    uk_bias: 0.05,
                    readmit: false,
                    ed: spec != Spec::Psyk && rng::chance(rng, model::ED_SHARE),
                };
                self.stay(ctx, rng, re);
            }
        }
        Some(disch)
    }

    fn emit(&mut self, c: Contact) {
        self.emit_at(c, c.uts);
    }

    /// Emit `c`, which would end at `base_uts` without a scenario's change: that decides the
    /// census stay and the contact number, so nothing else shifts.
    fn emit_at(&mut self, mut c: Contact, base_uts: Min) {
        if c.form == Form::Sv
            && base_uts >= self.w.first * DAY_MIN
            && c.ins < (self.w.last + 1) * DAY_MIN
        {
            self.out.stays.push(Stay {
                place: c.place,
                ins: c.ins,
                uts: c.uts,
                uk: c.uk,
                base_uts,
            });
        }
        let base = self.w.month_index(base_uts.div_euclid(DAY_MIN));
        match (base, self.w.month_index(c.uts.div_euclid(DAY_MIN))) {
            (Some(_), mi) => {
                c.seq = self.next_seq;
                self.next_seq += 1;
                if let Some(mi) = mi {
                    self.out.contacts[mi].push(c);
                }
            }
            (None, Some(mi)) => self.late.push((mi, c)),
            (None, None) => {}
        }
    }

    // -----------------------------------------------------------------------------------------
    // Visitors: care for residents of other regions
    // -----------------------------------------------------------------------------------------

    fn visitors(&mut self) {
        let regs = vardhub_domain::region::regions();
        let own = &regs[self.ri];
        let srs: Vec<_> = regs.iter().map(|r| r.sjukvardsregion()).collect();
        let weights: Vec<f64> = regs
            .iter()
            .enumerate()
            .map(|(i, r)| {
                if i == self.ri || self.pop.residents[i].is_empty() {
                    0.0
                } else if srs[i] == own.sjukvardsregion() {
                    4.0 * f64::from(r.population_2023())
                } else {
                    f64::from(r.population_2023())
                }
            })
            .collect();
        let e = &self.m.rates.expected;
        let pop = self.pop.initial[self.ri] as f64 * self.rp.care_use;
        let v = self.rp.visitor_share;
        let kommuner = &self.pop.kommuner[self.ri];
        for mi in 0..self.w.months.len() {
            let (period, first, last) = self.w.months[mi];
            let years = f64::from(last - first + 1) / 365.25;
            let summer = match period.month() {
                6 => 0.5,
                7 => 1.0,
                8 => 0.6,
                _ => 0.0,
            };
            let v = v * (1.0 + (self.rp.summer_visitors - 1.0) * summer);
            let mut rng = rng::stream(self.seed, &[tag::VISITORS, self.ri as u64, mi as u64]);
            let n = [
                rng::poisson(&mut rng, v * pop * e.inpatient_episodes * years),
                rng::poisson(&mut rng, v * pop * e.specialist_visits * years),
                rng::poisson(&mut rng, v * pop * e.primary_care_visits * years),
            ];
            for (kind, &count) in n.iter().enumerate() {
                for _ in 0..count {
                    let day = rng::range(&mut rng, i64::from(first), i64::from(last) + 1) as Day;
                    let Some(pi) = self.pick_visitor(&mut rng, &weights, day) else {
                        continue;
                    };
                    let p = self.pop.persons[pi as usize];
                    let kommun = kommuner.kommuner[rng::from_cumulative(&mut rng, &kommuner.cum)];
                    let hosp = self.places.hospital_of(kommun);
                    let mut ctx = Ctx {
                        pi,
                        p,
                        a: day,
                        a_wait: day,
                        end: (day + 40).min(p.death),
                        hosp,
                        chronic: Chronic::default(),
                        died_in_hospital: false,
                    };
                    match kind {
                        0 => {
                            let specs = [(Spec::Med, 4.0), (Spec::Ort, 3.0), (Spec::Kir, 2.0)];
                            let w: Vec<f64> = specs.iter().map(|s| s.1).collect();
                            let spec = specs[rng::weighted(&mut rng, &w)].0;
                            let adm = acute_minute(&mut rng, day);
                            let req = StayReq {
                                spec,
                                ward: self.places.ward(hosp, spec, pi),
                                adm,
                                planned: false,
                                los: rng::lognormal(&mut rng, 2.0, 0.6),
                                min_disch: adm,
                                hdia: self.m.dx.visitor_sv.pick(&mut rng),
                                drg: spec.sv_drg().0,
                                ops: [(NONE, 0); 2],
                                n_ops: 0,
                                uk_bias: 0.0,
                                readmit: false,
                                ed: false,
                            };
                            self.stay(&mut ctx, &mut rng, req);
                        }
                        1 => {
                            let place = self.places.clinic(hosp, Spec::Akut);
                            let hdia = self.m.dx.visitor_ov.pick(&mut rng);
                            let yrke = if rng::chance(&mut rng, 0.8) {
                                b'L'
                            } else {
                                b'S'
                            };
                            self.visit(
                                &mut ctx,
                                &mut rng,
                                VisitReq {
                                    form: Form::Ov,
                                    place,
                                    spec: Spec::Akut,
                                    day,
                                    planned: false,
                                    besok: 1,
                                    yrke,
                                    hdia,
                                    op: NONE,
                                    emergency: true,
                                },
                            );
                        }
                        _ => {
                            let mut d = day;
                            while is_weekend(d) {
                                d += 1;
                            }
                            if d > last || d >= ctx.end {
                                continue;
                            }
                            let place = self.places.primary_care(kommun, u64::from(pi));
                            let hdia = self.m.dx.visitor_pv.pick(&mut rng);
                            let yrke = if rng::chance(&mut rng, 0.6) {
                                b'L'
                            } else {
                                b'S'
                            };
                            self.visit(
                                &mut ctx,
                                &mut rng,
                                VisitReq {
                                    form: Form::Pv,
                                    place,
                                    spec: Spec::Allm,
                                    day: d,
                                    planned: false,
                                    besok: 1,
                                    yrke,
                                    hdia,
                                    op: NONE,
                                    emergency: false,
                                },
                            );
                        }
                    }
                }
            }
        }
    }

    fn pick_visitor(&self, rng: &mut Stream, weights: &[f64], day: Day) -> Option<u32> {
        for _ in 0..10 {
            let d = rng::weighted(rng, weights);
            let list = &self.pop.residents[d];
            if list.is_empty() {
                continue;
            }
            let pi = list[rng::range(rng, 0, list.len() as i64) as usize];
            let p = &self.pop.persons[pi as usize];
            if p.alive(day) && usize::from(p.region_at(day)) == d {
                return Some(pi);
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn window_months() {
        let w = Window::new(
            Period::parse("2023-12").unwrap(),
            Period::parse("2024-02").unwrap(),
        );
        assert_eq!(w.months.len(), 3);
        assert_eq!(w.month_index(w.first), Some(0));
        assert_eq!(w.month_index(w.last), Some(2));
        assert_eq!(w.month_index(w.first - 1), None);
        assert_eq!(w.month_index(w.months[1].1), Some(1));
        assert_eq!(w.month_index(w.months[0].2), Some(0));
    }
}
