//! A real hub for the server tests: a tiny synthetic Sweden, delivered through the real ingest,
//! computed by the real engine, stored as a run, with one user per role, served on a free port
//! by a server running on its own thread (shared by all tests of a binary). The server derives
//! hemhämtning's release pseudonyms from the same key the ingest used ([`pseudonymiser`]).

#![allow(dead_code)]

pub mod analysis;
pub mod python;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};
use vardhub_domain::RegionCode;
use vardhub_engine::disclosure::DisclosurePolicy;
use vardhub_engine::indicator::results;
use vardhub_ingest::{IngestOptions, NoProgress, Pseudonymiser};
use vardhub_server::{Access, AppState, Role, ServerConfig};
use vardhub_store::{AuditKey, Hub, HubId, RunKind};

/// Region A and B of the tests.
pub const REGION_A: &str = "01";
/// Region B.
pub const REGION_B: &str = "12";

/// The pseudonymisation key of the test hub: the ingest and the server use the same one.
pub fn pseudonymiser() -> Pseudonymiser {
    Pseudonymiser::from_master(&[7; 32], 1)
}

/// The running server and what the tests need to know about it.
pub struct World {
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    /// The hub's data directory.
    pub data: PathBuf,
    /// Bearer tokens by user name: `pub`, `reg_a`, `reg_b`, `nat`, `adm`, `adm2` (a second
    /// administrator: the four eyes of a scenario's publication), and the competence
    /// centre's `req` (requester), `centre` (staff), `decider` and `forskare` (researcher).
    pub tokens: Vec<(String, String)>,
    /// Months generated.
    pub periods: Vec<String>,
    /// The official run (the one served).
    pub official_run: String,
    /// Newer runs of the other kinds (draft, scenario, analysis, project): never served.
    pub other_runs: Vec<String>,
}

impl World {
    /// The token of a user.
    pub fn token(&self, name: &str) -> &str {
        &self
            .tokens
            .iter()
            .find(|(n, _)| n == name)
            .unwrap_or_else(|| panic!("no user {name}"))
            .1
    }
}

/// A new empty synthetic hub in `dir/hub`, its audit key in `dir/keys` (outside the data).
pub async fn fresh_hub(dir: &Path) -> Hub {
    let audit = AuditKey::create(&dir.join("keys")).unwrap();
    Hub::init(dir.join("hub"), true, HubId::random(), audit)
        .await
        .unwrap()
}

/// Open the test hub in `data` with its audit key (kept beside it, in `keys/`), as the server has it.
pub async fn open_hub(data: &Path) -> Hub {
    let keys = data.with_file_name("keys");
    Hub::open(data)
        .await
        .unwrap()
        .with_audit_key(AuditKey::load(&keys).unwrap())
        .await
        .unwrap()
}

static WORLD: OnceLock<World> = OnceLock::new();

/// The shared world (built on first use).
pub fn world() -> &'static World {
    WORLD.get_or_init(|| {
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async move {
                let tmp = tempfile::tempdir().unwrap();
                let root = tmp.keep();
                let (hub, tokens, periods, (official_run, other_runs)) = build_hub(&root).await;
                let state = AppState::new(
                    hub,
                    DisclosurePolicy::default_public(),
                    ServerConfig {
                        addr: SocketAddr::from(([127, 0, 0, 1], 0)),
                        // Unoptimised test builds publish slowly; the timeout itself is tested
                        // nowhere here.
                        request_timeout: std::time::Duration::from_secs(600),
                        ..ServerConfig::default()
                    },
                )
                .with_release_keys(Arc::new(pseudonymiser().release_keys()));
                // The other views are published on first use.
                let started = std::time::Instant::now();
                state.warm_up(&[Access::Public]).await;
                eprintln!(
                    "published the public view in {:.1} s",
                    started.elapsed().as_secs_f64()
                );
                let data = root.join("hub");
                vardhub_server::serve(state, std::future::pending(), move |addr| {
                    tx.send(World {
                        base: format!("http://{addr}"),
                        data,
                        tokens,
                        periods,
                        official_run,
                        other_runs,
                    })
                    .unwrap();
                })
                .await
                .unwrap();
            });
        });
        rx.recv().expect("the test server did not start")
    })
}

/// The hub, its users' tokens, the months, and (official run, other runs).
type Built = (
    Hub,
    Vec<(String, String)>,
    Vec<String>,
    (String, Vec<String>),
);

async fn build_hub(root: &Path) -> Built {
    let out = root.join("deliveries");
    vardhub_synth::generate(
        &vardhub_synth::SynthOptions {
            out: out.clone(),
            scale: 0.004,
            seed: 11,
            from: vardhub_domain::Period::parse("2024-01").unwrap(),
            to: vardhub_domain::Period::parse("2024-03").unwrap(),
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
    let pseudo = pseudonymiser();
    let mut deliveries: Vec<PathBuf> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    deliveries.sort();
    let lock = hub.lock_writer().await.unwrap();
    let opts = IngestOptions {
        specs: None,
        actor: "test".into(),
        expect_region: None,
    };
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
    // Compute and store an official run, with the operation `vardhub indicators compute` calls.
    let defs = vardhub_engine::definitions::Definitions::builtin();
    let stored = vardhub_ops::runs::compute_and_store(
        &hub,
        &defs,
        &vardhub_ops::runs::RunRequest::official("test"),
    )
    .await
    .unwrap();
    let official = stored.run;
    let snapshot = hub.snapshot(None, None).await.unwrap();
    // Newer runs of every other kind, with other values: none may ever be served.
    let mut others = Vec::new();
    for kind in [
        RunKind::Draft,
        RunKind::Scenario,
        RunKind::Analysis,
        RunKind::Project,
    ] {
        let mut rows = stored.rows.clone();
        for r in &mut rows {
            r.numerator *= 2.0;
            r.denominator *= 2.0;
        }
        let mut run = vardhub_store::new_run(snapshot.as_of, vardhub_store::now_utc());
        run.kind = kind;
        run.recipes = "{}".into();
        run.inputs = "[]".into();
        run.timings = "{}".into();
        let batch = results::to_batch(&rows).unwrap();
        let stored = hub.store_indicator_run(run, &batch, &[]).await.unwrap();
        others.push(stored.id);
    }
    let mut tokens = Vec::new();
    for (name, role, region) in [
        ("pub", Role::Public, None),
        ("reg_a", Role::Region, Some(REGION_A)),
        ("reg_b", Role::Region, Some(REGION_B)),
        ("nat", Role::National, None),
        ("adm", Role::Admin, None),
        ("adm2", Role::Admin, None),
        ("req", Role::Requester, None),
        ("centre", Role::CentreStaff, None),
        ("decider", Role::DecisionMaker, None),
        ("forskare", Role::Researcher, None),
    ] {
        let region = region.map(|r| RegionCode::parse(r).unwrap());
        let (_, token) = vardhub_server::auth::add_user(&hub, name, role, region)
            .await
            .unwrap();
        tokens.push((name.to_owned(), token));
    }
    let periods = vec!["2024-01".into(), "2024-02".into(), "2024-03".into()];
    (hub, tokens, periods, (official.id, others))
}

/// Run a bed scenario over the world's lake — region `region`, baseline January–February 2024,
/// horizon March 2024, three more staffed beds, 20 replications — and store it as `actor`'s run
/// of kind scenario (`vardhub_ops::scenarios::run_and_store`); its run id.
pub async fn store_scenario(
    data: &Path,
    id: &str,
    title_sv: &str,
    region: &str,
    actor: &str,
) -> String {
    let hub = open_hub(data).await;
    let text = format!(
        r#"id = "{id}"
version = "1.0.0"
title = {{ sv = "{title_sv}", en = "{title_sv} (en)" }}
model = "beds"
region = "{region}"
baseline = {{ from = "2024-01", to = "2024-02" }}
horizon = {{ from = "2024-03", to = "2024-03" }}
replications = 20

[[change]]
kind = "staffed_beds"
add = 3
"#
    );
    let scenario =
        vardhub_engine::whatif::Scenario::from_toml(&format!("{id}.toml"), &text).unwrap();
    let stored = vardhub_ops::scenarios::run_and_store(&hub, &scenario, actor)
        .await
        .unwrap();
    assert_eq!(stored.run.kind, RunKind::Scenario);
    stored.run.id
}

/// An HTTP client that does not follow redirects.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}
