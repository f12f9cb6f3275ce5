//! `vardhub outputs submit | decide | list`: output checking (utdatagranskning) of a research
//! project's outputs ([`vardhub_ops::outputs`]): the machine checks under the definitions'
//! disclosure policy (small cells, dominance, differencing against the project's approved
//! outputs) and a human checker — never the submitter — approves or refuses.
//!
//! Exit codes: `submit` 0 when the machine found nothing, 1 when review is required; `decide` 1
//! when the record refuses the decision (checker = submitter, a reason missing, decided already).

use super::say;
use anyhow::{Context, Result};
use clap::Subcommand;
use std::path::PathBuf;
use std::process::ExitCode;
use vardhub_engine::definitions::Definitions;
use vardhub_engine::output_check::{MachineVerdict, OutputCheckReport};
use vardhub_ops::outputs::{self, OutputsError};
use vardhub_store::Hub;
use vardhub_store::output_checks::{OutputDecision, OutputRecordError, StoredOutput};

/// `vardhub outputs …`.
#[derive(Debug, Subcommand)]
pub(crate) enum OutputsCommand {
    /// Lämna in utdata (JSON: {"id": …, "cells": [{"label", "count", "magnitude"?}]}) för
    /// maskinell kontroll; exit 1 om granskning krävs / submit an output for the machine check;
    /// exit 1 when review is required.
    Submit {
        /// Forskningsprojektets id / the research project's id.
        project: String,
        /// Utdatafilen (JSON) / the output file (JSON).
        file: PathBuf,
        /// Vem som lämnar in / who submits (default: the login name).
        #[arg(long = "as")]
        actor: Option<String>,
    },
    /// Granskarens beslut (aldrig den som lämnade in) / the checker's decision (never the
    /// submitter).
    Decide {
        /// Inlämningens nummer / the submission's number (`outputs list`).
        id: i64,
        /// Godkänn utlämning / approve the release.
        #[arg(long, conflicts_with = "refuse", required_unless_present = "refuse")]
        approve: bool,
        /// Avslå / refuse.
        #[arg(long)]
        refuse: bool,
        /// Motivering (krävs för avslag och när maskinen kräver granskning) / reason (required
        /// to refuse, and when the machine requires review).
        #[arg(long, default_value = "")]
        reason: String,
        /// Granskaren / the checker (default: the login name).
        #[arg(long = "as")]
        actor: Option<String>,
    },
    /// Lista inlämnade utdata och beslut / list submitted outputs and decisions.
    List {
        /// Bara detta projekt / only this project.
        project: Option<String>,
        /// JSON.
        #[arg(long)]
        json: bool,
    },
}

fn print_report(report: &OutputCheckReport) {
    let (policy, version) = report.policy();
    say(format_args!(
        "  maskinens utslag / machine verdict: {} (policy {policy} v{version}, minsta antal / minimum count {})",
        match report.verdict() {
            MachineVerdict::Pass => "inga flaggor / pass",
            MachineVerdict::ReviewRequired => "granskning krävs / review required",
        },
        report.min_count()
    ));
    for f in report.flags() {
        say(format_args!("  - {f}"));
    }
}

fn line(o: &StoredOutput) -> String {
    let state = match &o.decision {
        None => "väntar / pending".to_owned(),
        Some(d) => format!(
            "{} av / by {} {}{}",
            match d.decision {
                OutputDecision::Approved => "godkänd / approved",
                OutputDecision::Refused => "avslagen / refused",
            },
            d.checker,
            d.decided_at,
            if d.reason.is_empty() {
                String::new()
            } else {
                format!(": {}", d.reason)
            }
        ),
    };
    format!(
        "{:>5}  {:<16} {:<20} {:<12} {:<16} {}",
        o.id, o.project, o.output_id, o.submitted_by, o.check.verdict, state
    )
}

/// A refusal by the record's rules is a rejected request (exit 1), not a failure.
fn refused(e: OutputsError) -> Result<ExitCode> {
    match e {
        OutputsError::Record(
            r @ (OutputRecordError::SelfCheck(_)
            | OutputRecordError::ReasonRequired(_)
            | OutputRecordError::AlreadyDecided { .. }
            | OutputRecordError::Duplicate { .. }),
        ) => {
            say(format_args!("nekat / refused: {r}"));
            Ok(ExitCode::from(1))
        }
        other => Err(other.into()),
    }
}

/// Run an `outputs` command.
pub(crate) async fn run(
    hub: &Hub,
    defs: &Definitions,
    action: &OutputsCommand,
) -> Result<ExitCode> {
    match action {
        OutputsCommand::Submit {
            project,
            file,
            actor,
        } => {
            let text = std::fs::read_to_string(file).with_context(|| file.display().to_string())?;
            let table = outputs::parse_table(&text).with_context(|| file.display().to_string())?;
            let by = crate::recipes::actor(actor.as_deref());
            let checked = match outputs::submit(hub, defs.policy(), project, &table, &by).await {
                Ok(c) => c,
                Err(e) => return refused(e),
            };
            say(format_args!(
                "utdata / output {} ({}) inlämnad för projekt / submitted for project {}",
                checked.stored.id, checked.stored.output_id, checked.stored.project
            ));
            print_report(&checked.report);
            Ok(match checked.report.verdict() {
                MachineVerdict::Pass => ExitCode::SUCCESS,
                MachineVerdict::ReviewRequired => ExitCode::from(1),
            })
        }
        OutputsCommand::Decide {
            id,
            approve,
            refuse: _,
            reason,
            actor,
        } => {
            let decision = if *approve {
                OutputDecision::Approved
            } else {
                OutputDecision::Refused
            };
            let by = crate::recipes::actor(actor.as_deref());
            let checked =
                match outputs::decide(hub, defs.policy(), *id, decision, reason, &by).await {
                    Ok(c) => c,
                    Err(e) => return refused(e),
                };
            say(format_args!("{}", line(&checked.stored)));
            print_report(&checked.report);
            Ok(ExitCode::SUCCESS)
        }
        OutputsCommand::List { project, json } => {
            let all = outputs::list(hub, project.as_deref()).await?;
            if *json {
                say(format_args!("{}", serde_json::to_string_pretty(&all)?));
            } else {
                for o in &all {
                    say(format_args!("{}", line(o)));
                }
                say(format_args!("{} utdata / outputs", all.len()));
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}
