//! The units of parallel work: one region (all its deliveries of every month) or one month of the
//! national population extract. Each job writes its own folders and returns its counts; nothing
//! is shared but read-only inputs, so the output does not depend on scheduling.

use std::collections::BTreeSet;

use chrono::NaiveDate;
use vardhub_domain::region::regions;
use vardhub_domain::spec::{self, CollectionSpec};

use crate::beds::{self, BedRow};
use crate::cal::{DAY_MIN, Day, Min, NEVER, push_date, push_datetime, push_decimal, push_u64};
use crate::care::{self, Case, Contact, Form, WaitKind, Window};
use crate::codes::{Code, NONE, UNKNOWN_ICD, planted};
use crate::csvfile::{DeliveryMeta, TableWriter, delivery_dir, double_encode, write_manifest};
use crate::defects::{self, DefectRecord, Kind, Plan};
use crate::ids;
use crate::model::{Model, RegionParams};
use crate::places::{PlaceKind, Places};
use crate::population::{Population, kommun_code};
use crate::rng::{self, tag};
use crate::truth::MonthCounts;
use crate::{SynthError, SynthOptions, SynthProgress};

/// Column order of the tables, checked against the specifications by a test.
pub(crate) const KONTAKTER: [&str; 20] = [
    "kontakt_id",
    "patient_id",
    "patient_id_typ",
    "kon",
    "hemkommun",
    "sjukhus",
    "enhet",
    "mvo",
    "vardform",
    "planerad",
    "besokstyp",
    "yrkeskategori",
    "inskrivningsdatum",
    "utskrivningsdatum",
    "utskrivningssatt",
    "hdia",
    "drg",
    "drg_vikt",
    "kpp_kostnad",
    "utskrivningsklar_dagar",
];
#[cfg(test)]
pub(crate) const DIAGNOSER: [&str; 3] = ["kontakt_id", "ordning", "kod"];
#[cfg(test)]
pub(crate) const ATGARDER: [&str; 4] = ["kontakt_id", "ordning", "kod", "datumtid"];
#[cfg(test)]
pub(crate) const ARENDEN: [&str; 14] = [
    "arende_id",
    "patient_id",
    "patient_id_typ",
    "kon",
    "hemkommun",
    "vardenhet",
    "mvo",
    "vantetyp",
    "atgard",
    "startdatum",
    "status",
    "genomford_datum",
    "avvikelseorsak",
    "medicinskt_maldatum",
];
#[cfg(test)]
pub(crate) const ENHETSDAGAR: [&str; 10] = [
    "sjukhus",
    "enhet",
    "datum",
    "vardinriktning",
    "mvo",
    "disponibla",
    "belagda",
    "overbelaggningar",
    "utlokaliserade",
    "utskrivningsklara",
];
#[cfg(test)]
pub(crate) const PERSONER: [&str; 6] = [
    "person_id",
    "person_id_typ",
    "fodelsedatum",
    "kon",
    "folkbokforingskommun",
    "avlidendatum",
];

fn col(cols: &[&str], name: &str) -> usize {
    cols.iter().position(|c| *c == name).unwrap_or(0)
}

/// Inputs shared by all jobs (read-only).
pub(crate) struct Shared<'a> {
    pub opts: &'a SynthOptions,
    pub model: &'a Model,
    pub pop: &'a Population,
    pub window: &'a Window,
    pub progress: &'a dyn SynthProgress,
    /// The kontakter file cut in the middle: (region index, month index).
    pub truncate: Option<(usize, usize)>,
    /// The delivery that is withheld: (collection, region index, month index).
    pub missing: Option<(&'static str, usize, usize)>,
    /// A what-if change to the generator's parameters (`crate::scenario`).
    pub scenario: Option<&'a crate::scenario::Prepared>,
}

/// What a job produced.
#[derive(Default)]
pub(crate) struct JobOut {
    pub deliveries: usize,
    pub rows: u64,
    pub bytes: u64,
    pub counts: Vec<((String, String), MonthCounts)>,
    pub defects: Vec<DefectRecord>,
    pub kpp: Option<KppTruth>,
    /// The planted mobile team (only the job of its region, and only in long enough windows).
    pub mobile: Option<crate::truthfile::MobileTeam>,
    /// The region's frail-elderly cohort summed month by month (`crate::cost_truth`).
    pub cost: Option<crate::cost_truth::RegionCost>,
    /// The scenario's change and outcomes (only the job of its region).
    pub scenario: Option<crate::scenario_truth::ScenarioTruth>,
}

/// KPP cost concentration of a region over the whole window.
#[derive(Debug, Clone, serde::Serialize)]
pub(crate) struct KppTruth {
    pub region: String,
    pub inpatient_contacts: u64,
    pub inpatient_mean_cost: f64,
    pub inpatient_top5_cost_share: Option<f64>,
    pub outpatient_contacts: u64,
    pub outpatient_top3_cost_share: Option<f64>,
}

fn spec_of(id: &str) -> &'static CollectionSpec {
    spec::builtin()
        .get(id)
        .unwrap_or_else(|| panic!("built-in specification {id} exists (a bug otherwise)"))
}

/// Code ids the indicators look for.
struct Marks {
    hip_dx: BTreeSet<Code>,
    hip_ops: BTreeSet<Code>,
    ami_dx: BTreeSet<Code>,
    cold: Code,
    hot: Code,
}

impl Marks {
    fn new(m: &Model) -> Marks {
        let set = |list: &[&str]| list.iter().filter_map(|c| m.codes.get(c)).collect();
        Marks {
            hip_dx: set(&planted::HIP_DX),
            hip_ops: set(&planted::HIP_OPS),
            ami_dx: set(&planted::AMI_DX),
            cold: m.codes.get(planted::TONSIL_COLD).unwrap_or(NONE),
            hot: m.codes.get(planted::TONSIL_HOT).unwrap_or(NONE),
        }
    }
}

struct RegionWriter<'a> {
    sh: &'a Shared<'a>,
    ri: usize,
    rr: &'static str,
    rp: &'a RegionParams,
    places: &'a Places,
    marks: Marks,
}

fn split_replace(row: &str, idx: usize, value: &str) -> String {
    let mut f: Vec<&str> = row.split(';').collect();
    if idx < f.len() {
        f[idx] = value;
    }
    f.join(";")
}

fn field_of(row: &str, idx: usize) -> &str {
    row.split(';').nth(idx).unwrap_or("")
}

impl RegionWriter<'_> {
    fn icd(&self, code: Code, s: &mut String) {
        let t = self.sh.model.codes.text(code);
        if self.rp.icd_without_dot {
            s.extend(t.chars().filter(|&c| c != '.'));
        } else {
            s.push_str(t);
        }
    }

    fn kontakt_id(&self, seq: u32, s: &mut String) {
        s.push('K');
        s.push_str(self.rr);
        let n = seq.to_string();
        for _ in n.len()..9 {
            s.push('0');
        }
        s.push_str(&n);
    }

    fn kontakt_row(&self, c: &Contact, s: &mut String, reference: NaiveDate) {
        let sh = self.sh;
        let p = &sh.pop.persons[c.person as usize];
        self.kontakt_id(c.seq, s);
        s.push(';');
        let form = ids::form_for(rng::hash(
            sh.opts.seed,
            &[tag::FORMS, self.ri as u64, u64::from(c.seq)],
        ));
        ids::push_written(s, p.id, form, reference);
        s.push_str(";P;");
        s.push(if p.sex == 1 { '1' } else { '2' });
        s.push(';');
        s.push_str(kommun_code(p.kommun_at(c.ins.div_euclid(DAY_MIN))));
        let place = &self.places.list[usize::from(c.place)];
        s.push(';');
        s.push_str(&place.sjukhus);
        s.push(';');
        s.push_str(&place.enhet);
        s.push(';');
        s.push_str(place.spec.mvo());
        s.push(';');
        s.push_str(c.form.code());
        s.push(';');
        s.push(if c.planned { 'J' } else { 'N' });
        s.push(';');
        if c.besok > 0 {
            s.push(char::from(b'0' + c.besok));
        }
        s.push(';');
        if c.yrke > 0 {
            s.push(char::from(c.yrke));
        }
        s.push(';');
        push_datetime(s, c.ins);
        s.push(';');
        push_datetime(s, c.uts);
        s.push(';');
        if c.utsatt > 0 {
            s.push(char::from(b'0' + c.utsatt));
        }
        s.push(';');
        if c.hdia != NONE {
            self.icd(c.hdia, s);
        }
        s.push(';');
        if c.drg != NONE {
            s.push_str(sh.model.codes.text(c.drg));
            s.push(';');
            push_decimal(s, f64::from(c.drg_weight), 3);
        } else {
            s.push(';');
        }
        s.push(';');
        push_decimal(s, f64::from(c.cost), 2);
        s.push(';');
        if c.form == Form::Sv {
            push_u64(s, u64::from(c.uk));
        }
    }

    /// Count the indicators of one (clean) contact.
    fn count(
        &self,
        c: &Contact,
        counts: &mut MonthCounts,
        sv_costs: &mut Vec<f32>,
        ov_costs: &mut Vec<f32>,
    ) {
        let p = &self.sh.pop.persons[c.person as usize];
        let home = kommun_code(p.kommun_at(c.ins.div_euclid(DAY_MIN)));
        counts.out_of_region.add(&home[..2] != self.rr);
        match c.form {
            Form::Sv => {
                counts.inpatient += 1;
                counts.kpp_cost_sv += f64::from(c.cost);
                sv_costs.push(c.cost);
                if !c.planned && self.marks.hip_dx.contains(&c.hdia) {
                    let op =
                        (0..usize::from(c.n_ops)).find(|&k| self.marks.hip_ops.contains(&c.ops[k]));
                    if let Some(k) = op {
                        counts.hip_within_24h.add(c.op_at[k] - c.ins <= 24 * 60);
                    }
                }
                if self.marks.ami_dx.contains(&c.hdia) {
                    let ins_day = c.ins.div_euclid(DAY_MIN);
                    counts
                        .ami_30d_death
                        .add(p.death != NEVER && p.death - ins_day <= 30);
                }
            }
            Form::Ov => {
                counts.specialist += 1;
                counts.specialist_physician += u64::from(c.yrke == b'L');
                ov_costs.push(c.cost);
            }
            Form::Pv => {
                counts.primary += 1;
                counts.primary_physician += u64::from(c.yrke == b'L');
            }
        }
        for k in 0..usize::from(c.n_ops) {
            if c.ops[k] == self.marks.cold {
                counts.tonsil_cold.add(true);
            } else if c.ops[k] == self.marks.hot {
                counts.tonsil_cold.add(false);
            }
        }
    }

    fn plan_kontakter(&self, mi: usize, contacts: &[Contact]) -> Plan {
        let sh = self.sh;
        let mut plan = Plan::default();
        if sh.opts.defects <= 0.0 || sh.truncate == Some((self.ri, mi)) {
            return plan;
        }
        let mut rng = rng::stream(sh.opts.seed, &[tag::DEFECTS, self.ri as u64, mi as u64, 1]);
        let n_k = contacts.len();
        let n_d: usize = contacts.iter().map(|c| usize::from(c.n_bidia)).sum();
        let n_a: usize = contacts.iter().map(|c| usize::from(c.n_ops)).sum();
        let limit = spec_of("vardkontakter").acceptance.max_error_row_share;
        let (errors, warnings) = defects::budget(&mut rng, sh.opts.defects, n_k + n_d + n_a, limit);
        // The hub counts the error share per table: each table stays below its limit too.
        let (cap_k, cap_d) = (defects::cap(n_k, limit), defects::cap(n_d, limit));
        let month_end: Min = (sh.window.months[mi].2 + 1) * DAY_MIN - 1;
        let mut used: BTreeSet<usize> = BTreeSet::new();
        let mut used2: BTreeSet<usize> = BTreeSet::new();
        for _ in 0..errors {
            let kind = rng::weighted(&mut rng, &[30.0, 22.0, 23.0, 25.0]);
            let in_main = plan.main.len() + plan.dup_src.len();
            if in_main >= cap_k && (kind != 1 || plan.second.len() >= cap_d) {
                continue;
            }
            match kind {
                0 => {
                    if let Some(r) = defects::pick_row(&mut rng, n_k, &used, |_| true) {
                        used.insert(r);
                        plan.main.insert(r, Kind::PersonalId);
                    }
                }
                1 => {
                    let second = n_d > 0 && rng::chance(&mut rng, 0.5);
                    if (second && plan.second.len() >= cap_d) || (!second && in_main >= cap_k) {
                        continue;
                    }
                    if second {
                        if let Some(r) = defects::pick_row(&mut rng, n_d, &used2, |_| true) {
                            used2.insert(r);
                            plan.second.insert(r, Kind::CodeUnknown);
                        }
                    } else if let Some(r) =
                        defects::pick_row(&mut rng, n_k, &used, |r| contacts[r].hdia != NONE)
                    {
                        used.insert(r);
                        plan.main.insert(r, Kind::CodeUnknown);
                    }
                }
                2 => {
                    if let Some(r) = defects::pick_row(&mut rng, n_k, &used, |r| {
                        contacts[r].uts + 30 <= month_end
                    }) {
                        used.insert(r);
                        plan.main.insert(r, Kind::DateOrder);
                    }
                }
                _ => {
                    if let Some(r) = defects::pick_row(&mut rng, n_k, &used, |_| true) {
                        used.insert(r);
                        let after = (r + rng::range(&mut rng, 0, 40) as usize).min(n_k - 1);
                        plan.dup_src.insert(r);
                        plan.dup_after.entry(after).or_default().push(r);
                    }
                }
            }
        }
        for _ in 0..warnings {
            let places = self.places;
            if let Some(r) = defects::pick_row(&mut rng, n_k, &used, |r| {
                !places.list[usize::from(contacts[r].place)].enhet.is_ascii()
            }) {
                used.insert(r);
                plan.main.insert(r, Kind::Mojibake);
            }
        }
        plan
    }

    fn delivery_name(&self, collection: &str, mi: usize) -> String {
        format!("{collection}-{}-{}", self.rr, self.sh.window.months[mi].0)
    }

    fn finish_delivery(
        &self,
        dir: &std::path::Path,
        collection: &str,
        mi: usize,
        writers: Vec<TableWriter>,
        truncate: Option<(u64, u64)>,
        out: &mut JobOut,
    ) -> Result<(), SynthError> {
        let mut files = Vec::new();
        for w in writers {
            let (mf, bytes, path) = w.finish()?;
            out.rows += mf.rows;
            out.bytes += bytes;
            if mf.table == "kontakter"
                && let Some((at, len)) = truncate
            {
                let f = std::fs::OpenOptions::new()
                    .write(true)
                    .open(&path)
                    .map_err(|source| SynthError::Io {
                        path: path.clone(),
                        source,
                    })?;
                f.set_len(at + len).map_err(|source| SynthError::Io {
                    path: path.clone(),
                    source,
                })?;
            }
            files.push(mf);
        }
        let region = &regions()[self.ri];
        out.bytes += write_manifest(
            dir,
            DeliveryMeta {
                collection,
                spec_version: &spec_of(collection).version,
                region: self.rr,
                period: self.sh.window.months[mi].0,
                encoding: self.sh.opts.encoding,
                sender: format!(
                    "{}, regional dataplattform (syntetiska data)",
                    region.name()
                ),
            },
            files,
        )?;
        out.deliveries += 1;
        self.sh
            .progress
            .delivery_done(&self.delivery_name(collection, mi));
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    fn write_vardkontakter(
        &self,
        mi: usize,
        contacts: &[Contact],
        counts: &mut MonthCounts,
        sv_costs: &mut Vec<f32>,
        ov_costs: &mut Vec<f32>,
        out: &mut JobOut,
    ) -> Result<(), SynthError> {
        let sh = self.sh;
        let name = self.delivery_name("vardkontakter", mi);
        let dir = delivery_dir(&sh.opts.out, &name)?;
        let spec = spec_of("vardkontakter");
        let period = sh.window.months[mi].0;
        let reference = period.last_day();
        let plan = self.plan_kontakter(mi, contacts);
        let enc = sh.opts.encoding;
        let table = |n: &str| spec.table(n).unwrap_or_else(|| panic!("table {n} in spec"));
        let mut wk = TableWriter::create(&dir, table("kontakter"), enc)?;
        let mut wd = TableWriter::create(&dir, table("diagnoser"), enc)?;
        let mut wa = TableWriter::create(&dir, table("atgarder"), enc)?;
        let mut s = String::with_capacity(256);
        let mut saved: std::collections::BTreeMap<usize, String> = Default::default();
        let trunc_row = (sh.truncate == Some((self.ri, mi)) && contacts.len() >= 2)
            .then_some(contacts.len() / 2);
        let mut truncate = None;
        let record = |out: &mut JobOut, file: &str, line: u64, field: Option<&str>, rule: &str| {
            out.defects.push(DefectRecord {
                delivery: name.clone(),
                file: file.to_owned(),
                line: Some(line),
                field: field.map(str::to_owned),
                rule: rule.to_owned(),
            });
        };
        for (i, c) in contacts.iter().enumerate() {
            self.count(c, counts, sv_costs, ov_costs);
            s.clear();
            self.kontakt_row(c, &mut s, reference);
            if plan.dup_src.contains(&i) {
                saved.insert(i, s.clone());
            }
            let line = wk.next_line();
            let row = match plan.main.get(&i) {
                None => std::mem::take(&mut s),
                Some(&kind) => {
                    let (field, row) = match kind {
                        Kind::PersonalId => {
                            let idx = col(&KONTAKTER, "patient_id");
                            let bad = ids::corrupt_check_digit(field_of(&s, idx), (i % 9) as u8);
                            ("patient_id", split_replace(&s, idx, &bad))
                        }
                        Kind::CodeUnknown => {
                            let idx = col(&KONTAKTER, "hdia");
                            let mut code = String::new();
                            let unknown = UNKNOWN_ICD[i % UNKNOWN_ICD.len()];
                            if self.rp.icd_without_dot {
                                code.extend(unknown.chars().filter(|&c| c != '.'));
                            } else {
                                code.push_str(unknown);
                            }
                            ("hdia", split_replace(&s, idx, &code))
                        }
                        Kind::DateOrder => {
                            let month_end: Min = (sh.window.months[mi].2 + 1) * DAY_MIN - 1;
                            let room = i64::from(month_end - c.uts).min(240);
                            let delta = 30 + (i as i64 % (room - 29).max(1)) as Min;
                            let mut t = String::new();
                            push_datetime(&mut t, c.uts + delta);
                            (
                                "utskrivningsdatum",
                                split_replace(&s, col(&KONTAKTER, "inskrivningsdatum"), &t),
                            )
                        }
                        Kind::Mojibake => {
                            let idx = col(&KONTAKTER, "enhet");
                            let bad = double_encode(field_of(&s, idx));
                            ("enhet", split_replace(&s, idx, &bad))
                        }
                    };
                    record(out, "kontakter.csv", line, Some(field), kind.rule());
                    row
                }
            };
            let at = wk.row(&row)?;
            if trunc_row == Some(i) {
                // Cut after the fifth separator: the last line has 6 of 20 fields.
                let cut = row
                    .match_indices(';')
                    .nth(4)
                    .map_or(row.len() / 2, |(p, _)| p + 1);
                truncate = Some((at, wk.encode(&row[..cut]).len() as u64));
            }
            s = row;
            if let Some(srcs) = plan.dup_after.get(&i) {
                for src in srcs {
                    if let Some(copy) = saved.get(src) {
                        let line = wk.next_line();
                        wk.row(copy)?;
                        record(out, "kontakter.csv", line, None, "duplicate");
                    }
                }
            }
        }
        let mut d_idx = 0usize;
        for c in contacts {
            for k in 0..usize::from(c.n_bidia) {
                s.clear();
                self.kontakt_id(c.seq, &mut s);
                s.push(';');
                push_u64(&mut s, k as u64 + 1);
                s.push(';');
                let line = wd.next_line();
                if plan.second.get(&d_idx) == Some(&Kind::CodeUnknown) {
                    let unknown = UNKNOWN_ICD[d_idx % UNKNOWN_ICD.len()];
                    if self.rp.icd_without_dot {
                        s.extend(unknown.chars().filter(|&c| c != '.'));
                    } else {
                        s.push_str(unknown);
                    }
                    record(out, "diagnoser.csv", line, Some("kod"), "code_unknown");
                } else {
                    self.icd(c.bidia[k], &mut s);
                }
                wd.row(&s)?;
                d_idx += 1;
            }
            for k in 0..usize::from(c.n_ops) {
                s.clear();
                self.kontakt_id(c.seq, &mut s);
                s.push(';');
                push_u64(&mut s, k as u64 + 1);
                s.push(';');
                s.push_str(sh.model.codes.text(c.ops[k]));
                s.push(';');
                push_datetime(&mut s, c.op_at[k]);
                wa.row(&s)?;
            }
        }
        if let Some((at, len)) = truncate {
            out.defects.push(DefectRecord {
                delivery: name.clone(),
                file: "kontakter.csv".to_owned(),
                line: None,
                field: None,
                rule: "truncated".to_owned(),
            });
            self.finish_delivery(
                &dir,
                "vardkontakter",
                mi,
                vec![wk, wd, wa],
                Some((at, len)),
                out,
            )
        } else {
            self.finish_delivery(&dir, "vardkontakter", mi, vec![wk, wd, wa], None, out)
        }
    }

    fn write_vantetider(
        &self,
        mi: usize,
        cases: &[Case],
        counts: &mut MonthCounts,
        out: &mut JobOut,
    ) -> Result<(), SynthError> {
        let sh = self.sh;
        let (period, first, last) = sh.window.months[mi];
        let name = self.delivery_name("vantetider", mi);
        let dir = delivery_dir(&sh.opts.out, &name)?;
        let spec = spec_of("vantetider");
        let reference = period.last_day();
        let rows: Vec<&Case> = cases
            .iter()
            .filter(|c| {
                c.start <= last
                    && (c.done == NEVER || c.done >= first)
                    && (c.done != NEVER && c.done <= last || c.end == NEVER || c.end > last)
            })
            .collect();
        let mut plan = Plan::default();
        if sh.opts.defects > 0.0 {
            let mut rng = rng::stream(sh.opts.seed, &[tag::DEFECTS, self.ri as u64, mi as u64, 2]);
            let (errors, _) = defects::budget(
                &mut rng,
                sh.opts.defects,
                rows.len(),
                spec.acceptance.max_error_row_share,
            );
            let mut used = BTreeSet::new();
            for _ in 0..errors {
                if let Some(r) = defects::pick_row(&mut rng, rows.len(), &used, |_| true) {
                    used.insert(r);
                    plan.main.insert(r, Kind::PersonalId);
                }
            }
        }
        let table = spec
            .table("arenden")
            .unwrap_or_else(|| panic!("arenden in spec"));
        let mut w = TableWriter::create(&dir, table, sh.opts.encoding)?;
        let mut s = String::with_capacity(200);
        for (i, c) in rows.iter().enumerate() {
            let p = &sh.pop.persons[c.person as usize];
            let completed = c.done != NEVER && c.done <= last;
            let place = &self.places.list[usize::from(c.place)];
            s.clear();
            s.push('V');
            s.push_str(self.rr);
            let n = c.id.to_string();
            for _ in n.len()..9 {
                s.push('0');
            }
            s.push_str(&n);
            s.push(';');
            let form = ids::form_for(rng::hash(
                sh.opts.seed,
                &[tag::FORMS, 1 << 40 | self.ri as u64, u64::from(c.id)],
            ));
            let mut id = String::new();
            ids::push_written(&mut id, p.id, form, reference);
            if plan.main.contains_key(&i) {
                let line = w.next_line();
                id = ids::corrupt_check_digit(&id, (i % 9) as u8);
                out.defects.push(DefectRecord {
                    delivery: name.clone(),
                    file: "arenden.csv".to_owned(),
                    line: Some(line),
                    field: Some("patient_id".to_owned()),
                    rule: "personal_id".to_owned(),
                });
            }
            s.push_str(&id);
            s.push_str(";P;");
            s.push(if p.sex == 1 { '1' } else { '2' });
            s.push(';');
            let at: Day = if completed { c.done } else { last };
            s.push_str(kommun_code(p.kommun_at(at.min(p.death))));
            s.push(';');
            s.push_str(&place.enhet);
            s.push(';');
            s.push_str(place.spec.mvo());
            s.push(';');
            s.push_str(match c.kind {
                WaitKind::FirstVisit => "FB",
                WaitKind::Operation => "OP",
            });
            s.push(';');
            if c.atgard != NONE {
                s.push_str(sh.model.codes.text(c.atgard));
            }
            s.push(';');
            push_date(&mut s, c.start);
            s.push(';');
            s.push(if completed { 'G' } else { 'V' });
            s.push(';');
            if completed {
                push_date(&mut s, c.done);
            }
            s.push(';');
            s.push_str(match c.avvik {
                1 => "PvV",
                2 => "MoV",
                3 => "SoV",
                _ => "",
            });
            s.push(';');
            if c.maldatum != NEVER {
                push_date(&mut s, c.maldatum);
            }
            w.row(&s)?;
            counts.waiting_rows += 1;
            if completed {
                if c.avvik != 1 && c.avvik != 2 {
                    let within = c.done - c.start <= 90;
                    match c.kind {
                        WaitKind::FirstVisit => counts.first_visit_within_90d.add(within),
                        WaitKind::Operation => counts.operation_within_90d.add(within),
                    }
                }
            } else {
                counts.waiting_now += 1;
            }
        }
        self.finish_delivery(&dir, "vantetider", mi, vec![w], None, out)
    }

    fn write_vardplatser(
        &self,
        mi: usize,
        beds: &[BedRow],
        counts: &mut MonthCounts,
        out: &mut JobOut,
    ) -> Result<(), SynthError> {
        let sh = self.sh;
        let name = self.delivery_name("vardplatser", mi);
        let dir = delivery_dir(&sh.opts.out, &name)?;
        let spec = spec_of("vardplatser");
        let table = spec
            .table("enhetsdagar")
            .unwrap_or_else(|| panic!("enhetsdagar in spec"));
        let mut w = TableWriter::create(&dir, table, sh.opts.encoding)?;
        let mut s = String::with_capacity(120);
        for r in beds {
            let place = &self.places.list[usize::from(r.place)];
            debug_assert_eq!(place.kind, PlaceKind::Ward);
            let psy = place.spec.psychiatric();
            s.clear();
            s.push_str(&place.sjukhus);
            s.push(';');
            s.push_str(&place.enhet);
            s.push(';');
            push_date(&mut s, r.day);
            s.push(';');
            s.push_str(if psy { "PSY" } else { "SOM" });
            s.push(';');
            s.push_str(place.spec.mvo());
            for v in [r.disponibla, r.belagda, r.over, r.utlok, r.uk] {
                s.push(';');
                push_u64(&mut s, u64::from(v));
            }
            w.row(&s)?;
            counts.bed_rows += 1;
            let disp = f64::from(r.disponibla);
            if psy {
                counts.psy_over.numerator += f64::from(r.over);
                counts.psy_over.denominator += disp;
            } else {
                counts.som_over.numerator += f64::from(r.over);
                counts.som_over.denominator += disp;
                counts.som_outliers.numerator += f64::from(r.utlok);
                counts.som_outliers.denominator += disp;
                counts.som_ready.numerator += f64::from(r.uk);
                counts.som_ready.denominator += disp;
            }
        }
        self.finish_delivery(&dir, "vardplatser", mi, vec![w], None, out)
    }
}

/// All deliveries of one region.
pub(crate) fn region_job(sh: &Shared<'_>, ri: usize) -> Result<JobOut, SynthError> {
    let region = &regions()[ri];
    let places = Places::new(region, &sh.pop.kommuner[ri], sh.opts.scale);
    let change = sh.scenario.filter(|s| s.ri == ri);
    let mut care = care::simulate_region(
        sh.model,
        sh.pop,
        &places,
        sh.window,
        ri,
        sh.opts.seed,
        change,
    );
    // Before anything is derived from the care (bed census, deliveries, counts).
    let mobile = crate::mobile::apply(
        sh.model,
        sh.pop,
        &places,
        sh.window,
        ri,
        sh.opts.seed,
        &mut care,
    );
    let rp = &sh.model.regions[ri];
    let bed_change = change.and_then(|s| s.beds.as_ref());
    let beds = beds::census(
        &places,
        &care.stays,
        sh.window,
        rp,
        sh.opts.seed,
        ri,
        bed_change,
    );
    let scenario = change.map(|s| crate::scenario_truth::region(sh, s, &places, &care, &beds));
    let wr = RegionWriter {
        sh,
        ri,
        rr: region.code().as_str(),
        rp,
        places: &places,
        marks: Marks::new(sh.model),
    };
    // The cost-over-time truth from the final contacts as delivered (before defects).
    let delivered: Vec<bool> = (0..sh.window.months.len())
        .map(|mi| sh.missing != Some(("vardkontakter", ri, mi)))
        .collect();
    let cost = crate::cost_truth::region(
        region.code().as_str(),
        &sh.pop.persons,
        sh.window,
        &care.contacts,
        &delivered,
    );
    let mut out = JobOut {
        mobile,
        cost: Some(cost),
        scenario,
        ..JobOut::default()
    };
    let mut sv_costs = Vec::new();
    let mut ov_costs = Vec::new();
    for (mi, month_beds) in beds.iter().enumerate() {
        let mut counts = MonthCounts::default();
        let missing = |c: &str| {
            sh.missing
                .is_some_and(|(mc, mr, mm)| mc == c && mr == ri && mm == mi)
        };
        if !missing("vardkontakter") {
            wr.write_vardkontakter(
                mi,
                &care.contacts[mi],
                &mut counts,
                &mut sv_costs,
                &mut ov_costs,
                &mut out,
            )?;
        }
        if !missing("vantetider") {
            wr.write_vantetider(mi, &care.cases, &mut counts, &mut out)?;
        }
        if !missing("vardplatser") {
            wr.write_vardplatser(mi, month_beds, &mut counts, &mut out)?;
        }
        out.counts.push((
            (wr.rr.to_owned(), sh.window.months[mi].0.to_string()),
            counts,
        ));
    }
    let n_sv = sv_costs.len() as u64;
    let mean = if n_sv > 0 {
        sv_costs.iter().map(|&c| f64::from(c)).sum::<f64>() / n_sv as f64
    } else {
        0.0
    };
    out.kpp = Some(KppTruth {
        region: wr.rr.to_owned(),
        inpatient_contacts: n_sv,
        inpatient_mean_cost: crate::truth::round6(mean),
        inpatient_top5_cost_share: crate::truth::top_share(&mut sv_costs, 0.05),
        outpatient_contacts: ov_costs.len() as u64,
        outpatient_top3_cost_share: crate::truth::top_share(&mut ov_costs, 0.03),
    });
    Ok(out)
}

/// The national population extract of one month.
pub(crate) fn population_job(sh: &Shared<'_>, mi: usize) -> Result<JobOut, SynthError> {
    let (period, first, last) = sh.window.months[mi];
    let name = format!("befolkning-00-{period}");
    let dir = delivery_dir(&sh.opts.out, &name)?;
    let spec = spec_of("befolkning");
    let included = |p: &crate::population::Person| p.birth <= last && p.death >= first;
    let n = sh.pop.persons.iter().filter(|p| included(p)).count();
    let mut plan = Plan::default();
    if sh.opts.defects > 0.0 {
        let mut rng = rng::stream(sh.opts.seed, &[tag::DEFECTS, 99, mi as u64, 3]);
        let (errors, _) = defects::budget(
            &mut rng,
            sh.opts.defects,
            n,
            spec.acceptance.max_error_row_share,
        );
        let mut used = BTreeSet::new();
        for _ in 0..errors {
            if let Some(r) = defects::pick_row(&mut rng, n, &used, |_| true) {
                used.insert(r);
                plan.main.insert(r, Kind::PersonalId);
            }
        }
    }
    let table = spec
        .table("personer")
        .unwrap_or_else(|| panic!("personer in spec"));
    let mut w = TableWriter::create(&dir, table, sh.opts.encoding)?;
    let mut out = JobOut::default();
    let reference = period.last_day();
    let nreg = regions().len();
    let mut counts = vec![MonthCounts::default(); nreg];
    let mut s = String::with_capacity(80);
    let mut row = 0usize;
    for (pi, p) in sh.pop.persons.iter().enumerate() {
        if !included(p) {
            continue;
        }
        let at = last.min(p.death);
        let k = p.kommun_at(at);
        let r = usize::from(p.region_at(at));
        if p.death > last {
            counts[r].population += 1;
        } else {
            counts[r].deaths += 1;
        }
        if p.birth >= first {
            counts[r].births += 1;
        }
        s.clear();
        let form = ids::form_for(rng::hash(sh.opts.seed, &[tag::FORMS, 1 << 41, pi as u64]));
        if plan.main.contains_key(&row) {
            let mut id = String::new();
            ids::push_written(&mut id, p.id, form, reference);
            s.push_str(&ids::corrupt_check_digit(&id, (row % 9) as u8));
            out.defects.push(DefectRecord {
                delivery: name.clone(),
                file: "personer.csv".to_owned(),
                line: Some(w.next_line()),
                field: Some("person_id".to_owned()),
                rule: "personal_id".to_owned(),
            });
        } else {
            ids::push_written(&mut s, p.id, form, reference);
        }
        s.push_str(";P;");
        push_date(&mut s, p.birth);
        s.push(';');
        s.push(if p.sex == 1 { '1' } else { '2' });
        s.push(';');
        s.push_str(kommun_code(k));
        s.push(';');
        if p.death <= last {
            push_date(&mut s, p.death);
        }
        w.row(&s)?;
        row += 1;
    }
    let (mf, bytes, _) = w.finish()?;
    out.rows += mf.rows;
    out.bytes += bytes;
    out.bytes += write_manifest(
        &dir,
        DeliveryMeta {
            collection: "befolkning",
            spec_version: &spec.version,
            region: "00",
            period,
            encoding: sh.opts.encoding,
            sender: "Registerutdrag folkbokföring (syntetiska data)".to_owned(),
        },
        vec![mf],
    )?;
    out.deliveries = 1;
    sh.progress.delivery_done(&name);
    for (ri, c) in counts.into_iter().enumerate() {
        out.counts.push((
            (regions()[ri].code().as_str().to_owned(), period.to_string()),
            c,
        ));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_orders_follow_the_specifications() {
        let check = |collection: &str, table: &str, cols: &[&str]| {
            let t = spec_of(collection).table(table).unwrap();
            let names: Vec<&str> = t.variables.iter().map(|v| v.name.as_str()).collect();
            assert_eq!(names, cols, "{collection}.{table}");
        };
        check("vardkontakter", "kontakter", &KONTAKTER);
        check("vardkontakter", "diagnoser", &DIAGNOSER);
        check("vardkontakter", "atgarder", &ATGARDER);
        check("vantetider", "arenden", &ARENDEN);
        check("vardplatser", "enhetsdagar", &ENHETSDAGAR);
        check("befolkning", "personer", &PERSONER);
        for (id, spec) in spec::builtin() {
            let expected = match id.as_str() {
                "vardkontakter" => 3,
                _ => 1,
            };
            assert_eq!(spec.tables.len(), expected, "{id}");
        }
    }
}
