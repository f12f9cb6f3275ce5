//! A second small hub for the analysis pages: a year of synthetic care contacts and population
//! (an analysis needs its washout and follow-up inside the data, more than the shared world's
//! three months), every built-in analysis run and stored as a run of kind analysis with
//! `vardhub_ops::analyses::run_and_store` — two care chains (the hip fracture timed from the
//! admission, the myocardial infarction from the discharge), cost over time and the mobile
//! teams' before/after (planted in Värmland only) — served by its own server on a free port. No
//! official indicator run: the analysis pages do not need one.
//!
//! What the public sees is `public_all` over each stored run ([`AnalysisWorld::public_of`]), the
//! expectation the tests compare the API and the pages with.

use super::{REGION_A, REGION_B, pseudonymiser};
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use vardhub_domain::RegionCode;
use vardhub_engine::analysis::{AnalysisResult, ChainResult, PublicResult, public_all};
use vardhub_engine::disclosure::DisclosurePolicy;
use vardhub_ingest::{IngestOptions, NoProgress};
use vardhub_server::{AppState, Role, ServerConfig};
use vardhub_store::{AuditKey, Hub, HubId};

/// The hip-fracture care chain (time zero: the admission).
pub const ANALYSIS: &str = "hoftfraktur_vardkedja";
/// The myocardial-infarction care chain (time zero: the discharge).
pub const AMI: &str = "hjartinfarkt_uppfoljning";
/// Cost over time for frail older people.
pub const COST: &str = "aldre_vardkonsumtion";
/// Mobile teams before and after, with a comparison group.
pub const TEAM: &str = "mobila_team";
/// Värmland, the only region with a mobile team.
pub const TEAM_REGION: &str = "17";

/// A stored analysis of a kind the server does not know (no recipe on the server either).
pub const NOT_SHOWN: &str = "prov_ej_visad";

/// Share of Sweden's population the fixture generates. At 0.008 Värmland has a few mobile-team
/// patients matched to controls — enough for the unsuppressed estimates (two or more pairs),
/// too few for the public ones (ten in each group): showing those would take a hub several times
/// larger than a test can build in its time.
const SCALE: f64 = 0.008;

/// The regions whose contacts are ingested, to keep the build near 20 s (Sweden, `00`, is their
/// sum; the population register is national): the tests' two analyst regions, Värmland with its
/// mobile team and small regions where most is hidden.
const INGESTED: [&str; 8] = [
    REGION_A,
    REGION_B,
    TEAM_REGION,
    "03",
    "09",
    "10",
    "20",
    "23",
];

/// One stored analysis run.
pub struct StoredRun {
    /// The stored document (`analysis.json`).
    pub document: PathBuf,
    /// The run's id (never shown: pages show its date).
    pub run_id: String,
}

/// The running analysis server.
pub struct AnalysisWorld {
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    /// The hub's data directory.
    pub data: PathBuf,
    /// Bearer tokens by user name: `pub`, `reg_a`, `reg_b`, `nat`.
    pub tokens: Vec<(String, String)>,
    /// The stored runs by analysis id (every built-in analysis).
    pub runs: BTreeMap<String, StoredRun>,
    /// The hip-fracture run's document.
    pub document: PathBuf,
    /// The hip-fracture run's id.
    pub run_id: String,
}

impl AnalysisWorld {
    /// The token of a user.
    pub fn token(&self, name: &str) -> &str {
        &self
            .tokens
            .iter()
            .find(|(n, _)| n == name)
            .unwrap_or_else(|| panic!("no user {name}"))
            .1
    }

    /// The unsuppressed results of analysis `id` as stored: all regions (`00`) first, then each
    /// region.
    pub fn results_of(&self, id: &str) -> Vec<AnalysisResult> {
        read_results(&self.runs[id].document)
    }

    /// What the public may see of analysis `id`: the whole run through `public_all`.
    pub fn public_of(&self, id: &str) -> Vec<PublicResult> {
        public_all(&self.results_of(id), &DisclosurePolicy::default_public())
    }

    /// The hip-fracture chain's unsuppressed results.
    pub fn results(&self) -> Vec<ChainResult> {
        self.results_of(ANALYSIS)
            .into_iter()
            .map(|r| match r {
                AnalysisResult::CareChain(c) => c,
                other => panic!("not a care chain: {other:?}"),
            })
            .collect()
    }

    /// The unsuppressed hip-fracture result of one region (`00`: all regions), if it has
    /// patients.
    pub fn result(&self, region: &str) -> Option<ChainResult> {
        self.results().into_iter().find(|r| r.region == region)
    }
}

/// A stored document's results.
pub fn read_results(path: &Path) -> Vec<AnalysisResult> {
    let doc: serde_json::Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    serde_json::from_value(doc["results"].clone()).unwrap()
}

static ANALYSIS_WORLD: OnceLock<AnalysisWorld> = OnceLock::new();

/// The shared analysis world (built on first use).
pub fn analysis_world() -> &'static AnalysisWorld {
    ANALYSIS_WORLD.get_or_init(|| {
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async move {
                let root = tempfile::tempdir().unwrap().keep();
                let started = std::time::Instant::now();
                let (hub, tokens, runs) = build(&root).await;
                eprintln!(
                    "built the analysis hub in {:.1} s",
                    started.elapsed().as_secs_f64()
                );
                let state = AppState::new(
                    hub,
                    DisclosurePolicy::default_public(),
                    ServerConfig {
                        addr: SocketAddr::from(([127, 0, 0, 1], 0)),
                        request_timeout: std::time::Duration::from_secs(600),
                        ..ServerConfig::default()
                    },
                );
                let data = root.join("hub");
                vardhub_server::serve(state, std::future::pending(), move |addr| {
                    let chain = &runs[ANALYSIS];
                    let (document, run_id) = (chain.document.clone(), chain.run_id.clone());
                    tx.send(AnalysisWorld {
                        base: format!("http://{addr}"),
                        data,
                        tokens,
                        runs,
                        document,
                        run_id,
                    })
                    .unwrap();
                })
                .await
                .unwrap();
            });
        });
        rx.recv().expect("the analysis test server did not start")
    })
}

async fn build(root: &Path) -> (Hub, Vec<(String, String)>, BTreeMap<String, StoredRun>) {
    let out = root.join("deliveries");
    vardhub_synth::generate(
        &vardhub_synth::SynthOptions {
            out: out.clone(),
            scale: SCALE,
            seed: 14,
            from: vardhub_domain::Period::parse("2023-07").unwrap(),
            to: vardhub_domain::Period::parse("2024-06").unwrap(),
            encoding: vardhub_domain::Encoding::Utf8,
            defects: 0.0,
        },
        &vardhub_synth::NoProgress,
    )
    .unwrap();
    let audit = AuditKey::create(&root.join("keys")).unwrap();
    let hub = Hub::init(root.join("hub"), true, HubId::random(), audit)
        .await
        .unwrap();
    // The analyses read contacts (with their procedures) and deaths only.
    let mut deliveries: Vec<PathBuf> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .filter(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            name.starts_with("befolkning-")
                || INGESTED
                    .iter()
                    .any(|r| name.starts_with(&format!("vardkontakter-{r}-")))
        })
        .collect();
    deliveries.sort();
    let lock = hub.lock_writer().await.unwrap();
    let opts = IngestOptions {
        specs: None,
        actor: "test".into(),
        expect_region: None,
    };
    let pseudo = pseudonymiser();
    for d in &deliveries {
        let o = vardhub_ingest::ingest(&hub, &lock, d, &pseudo, &opts, &NoProgress)
            .await
            .unwrap();
        assert!(
            o.accepted(),
            "{}",
            o.report.summary(vardhub_ingest::Lang::En)
        );
    }
    drop(lock);
    let mut runs = BTreeMap::new();
    for (id, recipe) in vardhub_engine::analysis::builtin() {
        let started = std::time::Instant::now();
        let stored = vardhub_ops::analyses::run_and_store(
            &hub,
            &recipe,
            &DisclosurePolicy::default_public(),
            "test",
        )
        .await
        .unwrap();
        eprintln!(
            "analysis {id}: {} results in {:.1} s",
            stored.results.len(),
            started.elapsed().as_secs_f64()
        );
        runs.insert(
            id,
            StoredRun {
                document: stored.run.result_path.clone(),
                run_id: stored.run.id,
            },
        );
    }
    // A run of a kind this server does not know: listed and described, never failed on.
    let document = serde_json::to_vec(&serde_json::json!({
        "analysis": NOT_SHOWN, "kind": "survival", "version": "0.1.0", "hash": "0",
        "results": [{"kind": "survival", "region": "00", "patients": 3}],
    }))
    .unwrap();
    let mut run = vardhub_store::new_run(vardhub_store::now_utc(), vardhub_store::now_utc());
    run.kind = vardhub_store::RunKind::Analysis;
    run.recipes = serde_json::json!({ NOT_SHOWN: "0" }).to_string();
    run.inputs = "[]".into();
    run.timings = "{}".into();
    hub.store_run_document(run, "analysis.json", &document, 3, "analyses.run", "test")
        .await
        .unwrap();
    let mut tokens = Vec::new();
    for (name, role, region) in [
        ("pub", Role::Public, None),
        ("reg_a", Role::Region, Some(REGION_A)),
        ("reg_b", Role::Region, Some(REGION_B)),
        ("nat", Role::National, None),
    ] {
        let region = region.map(|r| RegionCode::parse(r).unwrap());
        let (_, token) = vardhub_server::auth::add_user(&hub, name, role, region)
            .await
            .unwrap();
        tokens.push((name.to_owned(), token));
    }
    (hub, tokens, runs)
}
