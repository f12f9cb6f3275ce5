//! # vardhub-synth: a synthetic Sweden with planted truth
//!
//! Generates, for every region, collection and month, a delivery exactly as a region would send it
//! to the hub (manifest marked `synthetic: true`), the national population extract of every month,
//! and `truth.json` with the planted parameters and the true value of every planted indicator.
//! No real patient is involved: identities are Skatteverket's test personnummer where one fits the
//! birth date and sex, otherwise Luhn-valid numbers built for the purpose.
//!
//! ```no_run
//! use vardhub_synth::{generate, NoProgress, SynthOptions};
//! use vardhub_domain::{Encoding, Period};
//! let opts = SynthOptions {
//!     out: "synth-out".into(),
//!     scale: 0.01,
//!     seed: 42,
//!     from: Period::parse("2024-01").unwrap(),
//!     to: Period::parse("2024-12").unwrap(),
//!     encoding: Encoding::Utf8,
//!     defects: 0.0,
//! };
//! let summary = generate(&opts, &NoProgress).unwrap();
//! println!("{} deliveries, {} rows", summary.deliveries, summary.rows);
//! ```
//!
//! ## Output layout (under `out`)
//!
//! ```text
//! vardkontakter-<RR>-<ÅÅÅÅ-MM>/  manifest.json kontakter.csv diagnoser.csv atgarder.csv
//! vantetider-<RR>-<ÅÅÅÅ-MM>/     manifest.json arenden.csv
//! vardplatser-<RR>-<ÅÅÅÅ-MM>/    manifest.json enhetsdagar.csv
//! befolkning-00-<ÅÅÅÅ-MM>/       manifest.json personer.csv
//! truth.json                     planted parameters and true indicator values
//! defects.json                   (only with defects > 0) every injected defect
//! ```
//!
//! CSV files follow the collection specifications (`specs/*.toml`) exactly: `;` separator, a
//! header with the variable names in specification order, CRLF, decimal comma, `ÅÅÅÅ-MM-DD` and
//! `ÅÅÅÅ-MM-DD tt:mm`, `J`/`N`, ISO 5218 sex, and identity numbers in a mix of written forms
//! (mostly 12 digits, some 13, a few 11 with `+` for persons turning 100 or more).
//!
//! ## How it works
//!
//! 1. `population`: people per region (scaled 2023 populations, SCB 2015 age/sex structure),
//!    kommun, identity; month by month births, deaths, moves and acute myocardial infarctions.
//! 2. `care` (one job per region, in parallel): each resident's care as Poisson processes by age
//!    and sex with care pathways for the named conditions; referrals and waiting-time cases; care
//!    for visitors from other regions.
//!    In Värmland (region 17) `mobile` then plants a mobile team (see below) into that care.
//! 3. `beds`: the daily bed census derived from the stays.
//! 4. `job`: the deliveries written month by month, counted for `truth.json`, with defects
//!    injected on demand (`defects`).
//!
//! ## What is planted (all recorded in `truth.json`)
//!
//! * Volumes: national inpatient episodes, specialist and primary-care physician visits per
//!   person-year are calibrated to the domain brief §10 (aim ±3 %; the tests allow ±10 %), with a
//!   winter peak of acute care and a summer dip of planned care.
//! * Regions better or worse on purpose: hip-fracture surgery within 24 h (Jönköping 95 %,
//!   Gävleborg 55 %), first visit within 90 days (Halland 96 %, Norrbotten 60 %), cold-technique
//!   tonsillectomy (Uppsala 95 %, Stockholm 40 %), 30-day death after AMI (Östergötland 0.6 ×,
//!   Västernorrland 1.6 × the age-specific risk), overcrowding (Sörmland ≈11, Kalmar ≈0.8 per 100
//!   staffed beds); Gotland's summer tourists; the bed census of Jämtland Härjedalen is withheld for
//!   the middle month.
//! * A mobile team (mobilt närsjukvårdsteam) in Värmland from the window's fourth month (windows of
//!   9 months or more): half of the eligible persons aged 75+ discharged after an emergency stay
//!   join within 14 days, get 8 weekly home visits (KVÅ-shaped `XS010`, 3 000 SEK each) and lose
//!   half of their later emergency stays. `truth.json` → `mobile_team` holds the exact cohort
//!   definition, the true effect on the treated and the naive before/after difference, which
//!   regression to the mean makes look like a large saving.
//! * The true value of every indicator per region and month, counted from the rows written, with
//!   its definition.
//! * The true cost over time of frail older people (the hub's analysis `aldre_vardkonsumtion`),
//!   computed independently from the contacts as delivered: `truth.json` → `cost_over_time`
//!   (`cost_truth`).
//!
//! ## What-if scenarios
//!
//! [`generate_scenario`] applies a [`ScenarioChange`] to the generator's own parameters in one
//! region from a start date (`scenario`: hip-fracture or other diagnosis-group length of stay ×
//! factor, or N more staffed beds). The same seed draws the same random numbers with and without
//! the change; other regions are byte-identical; `truth.json` → `scenario` holds the change and
//! its outcomes measured with and without it (`scenario_truth`). Without a change the output is
//! exactly that of [`generate`].
//!
//! Architecture invariants: the output depends only on the options (no clock, no hash-map order,
//! no thread scheduling: every random decision comes from a stream named by its purpose); the
//! crate never reads outside the repository at run time (reference data are embedded); the
//! generator never calls `PatientId::expose_canonical`.

use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Instant;

use vardhub_domain::{Encoding, Period};

mod beds;
mod cal;
mod care;
mod codes;
mod cost_truth;
mod csvfile;
mod defects;
pub mod fhir;
mod ids;
mod job;
mod mobile;
mod model;
mod places;
mod population;
mod refdata;
mod rng;
mod scenario;
mod scenario_truth;
mod truth;
mod truthfile;
mod waits;

pub use defects::DefectRecord;
pub use scenario::{ChangeKind, HIP_FRACTURE, ScenarioChange};

/// What to generate.
#[derive(Debug, Clone)]
pub struct SynthOptions {
    /// Output folder (created; must be empty if it exists).
    pub out: PathBuf,
    /// Share of the real population: 1.0 ≈ 10.55 million people. At most 1.0.
    pub scale: f64,
    /// Random seed: the same seed and options give byte-identical output.
    pub seed: u64,
    /// First month (≥ 2000-01).
    pub from: Period,
    /// Last month (≥ `from`, at most 20 years after it).
    pub to: Period,
    /// Character encoding of the CSV files.
    pub encoding: Encoding,
    /// Share of rows given a realistic defect (0.0 = none; at most 0.05).
    pub defects: f64,
}

impl SynthOptions {
    /// The number of deliveries [`generate`] writes for these options (for progress bars): per
    /// month 21 regions × 3 collections plus the national population extract, less the one
    /// delivery that is withheld on purpose (see `truth.json`, `missing_deliveries`).
    pub fn delivery_count(&self) -> usize {
        let months = usize::try_from(Period::months_between(self.from, self.to) + 1).unwrap_or(0);
        let regions = vardhub_domain::region::regions().len();
        (months * (3 * regions + 1)).saturating_sub(usize::from(months > 0))
    }
}

/// What was generated.
#[derive(Debug, Clone, PartialEq)]
pub struct SynthSummary {
    /// Deliveries written.
    pub deliveries: usize,
    /// Data rows written (all tables).
    pub rows: u64,
    /// Bytes written (data files and manifests; truth.json and defects.json excluded).
    pub bytes: u64,
    /// Persons in the synthetic population (including those born during the window).
    pub people: u64,
    /// Wall-clock seconds.
    pub seconds: f64,
}

/// Progress reporting: called once per finished delivery, from worker threads.
pub trait SynthProgress: Send + Sync {
    /// A delivery folder (e.g. `vardkontakter-01-2024-03`) is complete.
    fn delivery_done(&self, name: &str);
}

/// Progress that shows nothing.
#[derive(Debug, Default, Clone, Copy)]
pub struct NoProgress;

impl SynthProgress for NoProgress {
    fn delivery_done(&self, _name: &str) {}
}

/// Why generation failed.
#[derive(Debug, thiserror::Error)]
pub enum SynthError {
    /// The options are not usable (the caller must change them).
    #[error("ogiltiga val / invalid options: {0}")]
    InvalidOptions(String),
    /// Writing the output failed.
    #[error("I/O-fel vid {path} / I/O error at {path}: {source}")]
    Io {
        /// Where.
        path: PathBuf,
        /// What.
        source: std::io::Error,
    },
}

fn check(opts: &SynthOptions) -> Result<(), SynthError> {
    let bad = |m: &str| Err(SynthError::InvalidOptions(m.to_owned()));
    if !(opts.scale > 0.0 && opts.scale <= 1.0) {
        return bad("scale must be > 0 and ≤ 1");
    }
    if opts.to < opts.from {
        return bad("to must not be before from");
    }
    if opts.from < Period::new(2000, 1).unwrap_or(opts.from) {
        return bad("from must be 2000-01 or later");
    }
    if Period::months_between(opts.from, opts.to) >= 240 {
        return bad("at most 240 months");
    }
    if !(0.0..=0.05).contains(&opts.defects) {
        return bad("defects must be within 0..=0.05");
    }
    if opts.out.exists() {
        let mut entries = std::fs::read_dir(&opts.out).map_err(|source| SynthError::Io {
            path: opts.out.clone(),
            source,
        })?;
        if entries.next().is_some() {
            return bad("the output folder is not empty");
        }
    }
    std::fs::create_dir_all(&opts.out).map_err(|source| SynthError::Io {
        path: opts.out.clone(),
        source,
    })
}

#[derive(Clone, Copy)]
enum Job {
    Region(usize),
    Population(usize),
}

/// Generate the deliveries, `truth.json` and (with defects) `defects.json` under `opts.out`.
pub fn generate(
    opts: &SynthOptions,
    progress: &dyn SynthProgress,
) -> Result<SynthSummary, SynthError> {
    generate_scenario(opts, None, progress)
}

/// [`generate`] with a what-if change applied to the generator's own parameters (`None`: exactly
/// [`generate`]). The same seed and options give the same random draws with and without the
/// change; other regions' deliveries are byte-identical. `truth.json` → `scenario` holds the
/// change and its outcomes measured with and without it.
pub fn generate_scenario(
    opts: &SynthOptions,
    scenario: Option<&ScenarioChange>,
    progress: &dyn SynthProgress,
) -> Result<SynthSummary, SynthError> {
    let t0 = Instant::now();
    check(opts)?;
    let model = model::Model::new();
    let window = care::Window::new(opts.from, opts.to);
    let prepared = scenario
        .map(|s| scenario::prepare(s, &model, &window))
        .transpose()
        .map_err(SynthError::InvalidOptions)?;
    let pop = population::build(&model, opts.seed, opts.scale, opts.from, opts.to);
    let n_months = window.months.len();
    let n_regions = vardhub_domain::region::regions().len();
    let truncate = (opts.defects > 0.0).then(|| {
        (
            (opts.seed % n_regions as u64) as usize,
            ((opts.seed / n_regions as u64) % n_months as u64) as usize,
        )
    });
    let (mc, mr) = model::MISSING_DELIVERY;
    let missing = mr
        .parse::<u8>()
        .ok()
        .and_then(refdata::region_index)
        .map(|ri| (mc, ri, (n_months - 1) / 2));
    let sh = job::Shared {
        opts,
        model: &model,
        pop: &pop,
        window: &window,
        progress,
        truncate,
        missing,
        scenario: prepared.as_ref(),
    };

    let mut jobs: Vec<Job> = (0..n_regions).map(Job::Region).collect();
    jobs.sort_by_key(|j| match j {
        Job::Region(r) => std::cmp::Reverse(pop.residents[*r].len()),
        Job::Population(_) => std::cmp::Reverse(0),
    });
    jobs.extend((0..n_months).map(Job::Population));
    let results: Mutex<Vec<Option<Result<job::JobOut, SynthError>>>> =
        Mutex::new((0..jobs.len()).map(|_| None).collect());
    let next = AtomicUsize::new(0);
    let failed = AtomicBool::new(false);
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(2)
        .min(jobs.len())
        .max(1);
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| {
                loop {
                    if failed.load(Ordering::Relaxed) {
                        break;
                    }
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(&job) = jobs.get(i) else { break };
                    let r = match job {
                        Job::Region(ri) => job::region_job(&sh, ri),
                        Job::Population(mi) => job::population_job(&sh, mi),
                    };
                    if r.is_err() {
                        failed.store(true, Ordering::Relaxed);
                    }
                    if let Ok(mut v) = results.lock() {
                        v[i] = Some(r);
                    }
                }
            });
        }
    });
    let results = results.into_inner().unwrap_or_default();
    let mut outs = Vec::with_capacity(results.len());
    for r in results.into_iter().flatten() {
        outs.push(r?);
    }
    let mut summary = SynthSummary {
        deliveries: 0,
        rows: 0,
        bytes: 0,
        people: pop.persons.len() as u64,
        seconds: 0.0,
    };
    for o in &outs {
        summary.deliveries += o.deliveries;
        summary.rows += o.rows;
        summary.bytes += o.bytes;
    }
    truthfile::write(opts, &model, &pop, &window, truncate, missing, outs)?;
    summary.seconds = t0.elapsed().as_secs_f64();
    Ok(summary)
}
