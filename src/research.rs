//! `vardhub research project add FILE | project list`, `vardhub research member add PROJECT USER`,
//! `vardhub research release PROJECT --out DIR [--variables a,b]` and `vardhub research releases
//! [PROJECT]`: research projects, their members and releases, thin calls into
//! [`vardhub_ops::research`] (members: the store's [`vardhub_store::Hub::add_research_member`]). A release reads the master key the way
//! `ingest` does (it derives the project's pseudonyms); every refusal is audited and exits 1.

use super::{Cli, keys, say};
use anyhow::{Context, Result};
use clap::Subcommand;
use std::path::PathBuf;
use std::process::ExitCode;
use vardhub_domain::research::ProjectId;
use vardhub_ingest::Pseudonymiser;
use vardhub_ops::research::{self, ReleaseRequest};

/// `vardhub research …`.
#[derive(Debug, Subcommand)]
pub(crate) enum ResearchCommand {
    /// Forskningsprojekt / research projects.
    Project {
        #[command(subcommand)]
        action: ProjectCommand,
    },
    /// Projektmedlemmar: vilka användare som agerar för ett projekt (lämnar in utdata för
    /// granskning) / project members: the users who act for a project (submit outputs).
    Member {
        #[command(subcommand)]
        action: MemberCommand,
    },
    /// Gör en utlämning till ett projekt: godkända variabler och population, projektets egna
    /// pseudonymer, Parquet + CSV + variabelbeskrivning i DIR/<utlämning>/ / make a release to a
    /// project.
    ///
    /// Exit code 0: released; 1: refused (expired approval, variable not approved, …; audited);
    /// 2: usage or system error.
    Release {
        /// Projekt-id / project id.
        project: String,
        /// Utkatalog; utlämningen hamnar i en ny mapp i den / output folder (the release gets a
        /// new folder in it).
        #[arg(long)]
        out: PathBuf,
        /// Bara dessa godkända variabler (variabel, tabell.variabel eller
        /// samling.tabell.variabel) / only these approved variables.
        #[arg(long, value_delimiter = ',')]
        variables: Option<Vec<String>>,
        /// Vem som gör utlämningen (standard: inloggningsnamnet) / who makes the release.
        #[arg(long)]
        by: Option<String>,
    },
    /// Utlämningsloggen, för alla projekt eller ett / the release log, for all projects or one.
    Releases {
        /// Projekt-id / project id.
        project: Option<String>,
        /// JSON.
        #[arg(long)]
        json: bool,
    },
}

/// `vardhub research project …`.
#[derive(Debug, Subcommand)]
pub(crate) enum ProjectCommand {
    /// Lägg till ett godkänt projekt från en projektfil (TOML) / add an approved project from a
    /// project file (see research/exempel_hoftfraktur.toml).
    Add {
        /// Projektfil / project file.
        file: PathBuf,
        /// Vem som lägger till (standard: inloggningsnamnet) / who adds it.
        #[arg(long)]
        by: Option<String>,
    },
    /// Lista projekten / list the projects.
    List {
        /// JSON (hela posterna) / JSON (the full records).
        #[arg(long)]
        json: bool,
    },
}

/// `vardhub research member …`.
#[derive(Debug, Subcommand)]
pub(crate) enum MemberCommand {
    /// Gör en användare till medlem i ett projekt / make a user a member of a project.
    ///
    /// Exit code 0: added; 1: refused (unknown project, already a member, invalid user name);
    /// 2: usage or system error.
    Add {
        /// Projekt-id / project id.
        project: String,
        /// Användarnamn (som i `vardhub users`) / user name (as in `vardhub users`).
        user: String,
        /// Vem som lägger till (standard: inloggningsnamnet) / who adds them.
        #[arg(long)]
        by: Option<String>,
    },
}

fn actor(by: Option<&str>) -> String {
    by.map(str::to_owned)
        .or_else(|| std::env::var("USER").ok())
        .unwrap_or_else(|| "operatör".into())
}

/// Run a `research` command.
pub(crate) async fn run(cli: &Cli, action: &ResearchCommand) -> Result<ExitCode> {
    let defs =
        super::definitions::load(cli.definitions.as_deref(), cli.disclosure_policy.as_deref())?;
    let (hub, dir) = keys::open_hub(cli).await?;
    super::init_logging(&cli.data);
    let code = match action {
        ResearchCommand::Project {
            action: ProjectCommand::Add { file, by },
        } => {
            let text = std::fs::read_to_string(file).with_context(|| file.display().to_string())?;
            match research::add_project(&hub, defs.specs(), &text, &actor(by.as_deref())).await {
                Ok(p) => {
                    say(format_args!(
                        "Projekt {} tillagt / project added: {} (Dnr {}, {}–{}, sha256 {})",
                        p.record.id,
                        p.record.title,
                        p.record.ethics.dnr,
                        p.record.ethics.valid_from,
                        p.record.ethics.valid_to,
                        p.record_sha256
                    ));
                    ExitCode::SUCCESS
                }
                Err(e @ research::ResearchError::Project(_)) => {
                    eprintln!("{}: {e}", file.display());
                    ExitCode::from(1)
                }
                Err(e) => return Err(e.into()),
            }
        }
        ResearchCommand::Project {
            action: ProjectCommand::List { json },
        } => {
            let list = research::projects(&hub).await?;
            if *json {
                say(format_args!("{}", serde_json::to_string_pretty(&list)?));
            } else {
                say(format_args!(
                    "{:<24} {:<15} {:<23} {:<12} {}",
                    "projekt", "dnr", "giltigt / valid", "lagras till", "titel / title"
                ));
                for p in &list {
                    let r = &p.record;
                    say(format_args!(
                        "{:<24} {:<15} {:<23} {:<12} {}",
                        r.id.as_str(),
                        r.ethics.dnr.as_str(),
                        format!("{}–{}", r.ethics.valid_from, r.ethics.valid_to),
                        r.retention_end.to_string(),
                        r.title
                    ));
                }
                say(format_args!("{} projekt / projects", list.len()));
            }
            ExitCode::SUCCESS
        }
        ResearchCommand::Member {
            action: MemberCommand::Add { project, user, by },
        } => {
            let id = ProjectId::parse(project)
                .map_err(|e| anyhow::anyhow!("projekt-id / project id: {e}"))?;
            match hub
                .add_research_member(&id, user, &actor(by.as_deref()))
                .await
            {
                Ok(m) => {
                    say(format_args!(
                        "{} är medlem i / is a member of {}",
                        m.user_name, m.project_id
                    ));
                    ExitCode::SUCCESS
                }
                Err(vardhub_store::StoreError::Conflict(e)) => {
                    eprintln!("nekad / refused: {e}");
                    ExitCode::from(1)
                }
                Err(e) => return Err(e.into()),
            }
        }
        ResearchCommand::Release {
            project,
            out,
            variables,
            by,
        } => {
            let pseudonymiser = Pseudonymiser::load(&keys::master_key(cli, &dir)?)?;
            let by = actor(by.as_deref());
            let req = ReleaseRequest {
                project,
                variables: variables.as_deref(),
                out_dir: out,
                today: chrono::Local::now().date_naive(),
                actor: &by,
            };
            match research::build_release(&hub, defs.specs(), &pseudonymiser, &req).await {
                Ok(s) => {
                    say(format_args!(
                        "Utlämning / release {} till / to {} i / in {}",
                        s.record.release.id,
                        s.record.release.project_id,
                        s.folder.display()
                    ));
                    for t in &s.tables {
                        say(format_args!(
                            "  {}.{}: {} rader / rows, {} kolumner / columns",
                            t.collection,
                            t.table,
                            t.rows,
                            t.columns.len()
                        ));
                    }
                    for f in &s.record.release.files {
                        say(format_args!("  {}  {} ({} B)", f.sha256, f.name, f.bytes));
                    }
                    say(format_args!(
                        "  {} leveranser lästa / deliveries read; nyckelversion / key version {}",
                        s.record.release.data_versions.len(),
                        s.record.release.key_version
                    ));
                    ExitCode::SUCCESS
                }
                Err(e) if e.is_refusal() => {
                    eprintln!("nekad / refused: {e}");
                    ExitCode::from(1)
                }
                Err(e) => return Err(e.into()),
            }
        }
        ResearchCommand::Releases { project, json } => {
            let id = project
                .as_deref()
                .map(ProjectId::parse)
                .transpose()
                .map_err(|e| anyhow::anyhow!("projekt-id / project id: {e}"))?;
            let log = research::releases(&hub, id.as_ref()).await?;
            if *json {
                say(format_args!("{}", serde_json::to_string_pretty(&log)?));
            } else {
                for r in &log {
                    let rows: u64 = r
                        .release
                        .files
                        .iter()
                        .filter(|f| f.name.ends_with(".parquet"))
                        .map(|f| f.rows)
                        .sum();
                    say(format_args!(
                        "{:<28} {:<24} {} av / by {}: {} rader / rows, {} filer / files, {} leveranser / deliveries",
                        r.release.id,
                        r.release.project_id.as_str(),
                        r.released_at,
                        r.released_by,
                        rows,
                        r.release.files.len(),
                        r.release.data_versions.len()
                    ));
                }
                say(format_args!("{} utlämningar / releases", log.len()));
            }
            ExitCode::SUCCESS
        }
    };
    hub.close().await;
    Ok(code)
}
