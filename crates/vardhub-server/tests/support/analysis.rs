//! A second small hub for the analysis pages: a year of synthetic care contacts and population
//! (a care chain needs its washout and follow-up inside the data, more than the shared world's
//! three months), the built-in hip-fracture care chain run and stored as a run of kind analysis
//! with `vardhub_ops::analyses::run_and_store`, served by its own server on a free port. No
//! official indicator run: the analysis pages do not need one.

use super::{REGION_A, REGION_B, pseudonymiser};
use serde_json::Value;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use vardhub_domain::RegionCode;
use vardhub_engine::analysis::ChainResult;
use vardhub_engine::disclosure::DisclosurePolicy;
use vardhub_ingest::{IngestOptions, NoProgress};
use vardhub_server::{AppState, Role, ServerConfig};
use vardhub_store::{AuditKey, Hub, HubId};

/// The analysis the fixture runs.
pub const ANALYSIS: &str = "hoftfraktur_vardkedja";

/// A stored analysis of a kind the server does not show yet (no recipe on the server either).
pub const NOT_SHOWN: &str = "prov_ej_visad";

/// The running analysis server.
pub struct AnalysisWorld {
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    /// The hub's data directory.
    pub data: PathBuf,
    /// Bearer tokens by user name: `pub`, `reg_a`, `reg_b`, `nat`.
    pub tokens: Vec<(String, String)>,
    /// The stored document (`analysis.json`) of the run.
    pub document: PathBuf,
    /// The run's id (never shown: pages show its date).
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

    /// The unsuppressed results as stored: all regions (`00`) first, then each region.
    pub fn results(&self) -> Vec<ChainResult> {
        read_results(&self.document)
    }

    /// The unsuppressed result of one region (`00`: all regions), if it has patients.
    pub fn result(&self, region: &str) -> Option<ChainResult> {
        self.results().into_iter().find(|r| r.region == region)
    }
}

/// The stored document's care-chain results. A time quantile's interval limit that is −∞ or +∞
/// (too few patients for a finite order statistic) is stored as JSON `null`; it is read back as
/// the infinity its missing rank says.
pub fn read_results(path: &Path) -> Vec<ChainResult> {
    let doc: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    doc["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let mut r = r.clone();
            let mut unbounded = Vec::new();
            for (s, step) in r["steps"].as_array_mut().unwrap().iter_mut().enumerate() {
                for (q, quantile) in step["quantiles"]
                    .as_array_mut()
                    .unwrap()
                    .iter_mut()
                    .enumerate()
                {
                    for (k, limit) in [("lower", f64::NEG_INFINITY), ("upper", f64::INFINITY)] {
                        if quantile[k].is_null() {
                            quantile[k] = Value::from(0.0);
                            unbounded.push((s, q, k, limit));
                        }
                    }
                }
            }
            let mut r: ChainResult = serde_json::from_value(r).unwrap();
            for (s, q, k, limit) in unbounded {
                let quantile = &mut r.steps[s].quantiles[q];
                match k {
                    "lower" => quantile.lower = limit,
                    _ => quantile.upper = limit,
                }
            }
            r
        })
        .collect()
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
                let (hub, tokens, document, run_id) = build(&root).await;
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
                    tx.send(AnalysisWorld {
                        base: format!("http://{addr}"),
                        data,
                        tokens,
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

async fn build(root: &Path) -> (Hub, Vec<(String, String)>, PathBuf, String) {
    let out = root.join("deliveries");
    vardhub_synth::generate(
        &vardhub_synth::SynthOptions {
            out: out.clone(),
            scale: 0.004,
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
    // A care chain reads contacts and deaths only.
    let mut deliveries: Vec<PathBuf> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .filter(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            name.starts_with("vardkontakter-") || name.starts_with("befolkning-")
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
    let recipe = &vardhub_engine::analysis::builtin()[ANALYSIS];
    let stored = vardhub_ops::analyses::run_and_store(
        &hub,
        recipe,
        &DisclosurePolicy::default_public(),
        "test",
    )
    .await
    .unwrap();
    // A run of a kind the pages do not show yet: listed and described, never failed on.
    let document = serde_json::to_vec(&serde_json::json!({
        "analysis": NOT_SHOWN, "kind": "cost_over_time", "version": "0.1.0", "hash": "0",
        "results": [{"kind": "cost_over_time", "region": "00", "patients": 3}],
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
    (hub, tokens, stored.run.result_path.clone(), stored.run.id)
}
