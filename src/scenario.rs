//! `vardhub scenario run FILE`: a what-if scenario over the lake, stored as a run of kind
//! scenario (never published), its headline printed beside the baseline forecast.

use crate::say;
use anyhow::Context;
use clap::Subcommand;
use std::path::PathBuf;
use std::process::ExitCode;
use vardhub_engine::scenario::Band;
use vardhub_engine::whatif::{Scenario, ScenarioResult};
use vardhub_store::Hub;

/// `vardhub scenario …`.
#[derive(Debug, Subcommand)]
pub enum ScenarioCommand {
    /// Kör ett scenario (TOML) mot sjön och spara det som en körning av slaget scenario (publiceras
    /// aldrig) / run a scenario file over the lake, stored as a run of kind scenario (never
    /// published).
    Run {
        /// Scenariofil / scenario file (scenarios/*.toml).
        file: PathBuf,
        /// Vem som kör / who runs it (audit log).
        #[arg(long = "as", default_value = "cli")]
        actor: String,
        /// Skriv hela resultatet som JSON / print the whole result as JSON.
        #[arg(long)]
        json: bool,
    },
}

fn num(x: f64, decimals: usize) -> String {
    format!("{x:.decimals$}")
        .replace('.', ",")
        .replace('-', "−")
}

fn band(b: &Band, decimals: usize) -> String {
    format!(
        "{} ({}–{})",
        num(b.mean, decimals),
        num(b.lower, decimals),
        num(b.upper, decimals)
    )
}

/// Run the command.
pub async fn run(hub: &Hub, command: &ScenarioCommand) -> anyhow::Result<ExitCode> {
    let ScenarioCommand::Run { file, actor, json } = command;
    let text = std::fs::read_to_string(file).with_context(|| file.display().to_string())?;
    let name = file
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("scenario.toml");
    let scenario = Scenario::from_toml(name, &text)?;
    let stored = vardhub_ops::scenarios::run_and_store(hub, &scenario, actor).await?;
    if *json {
        let out = serde_json::to_string_pretty(&stored.result)?;
        std::io::Write::write_all(&mut std::io::stdout(), out.as_bytes())?;
        return Ok(ExitCode::SUCCESS);
    }
    let s = &scenario.spec;
    say(format_args!(
        "{} / {} — region {} — {} – {} ({} replikeringar / replications, {:.1} s; körning / run {})",
        s.title.sv,
        s.title.en,
        s.region.as_str(),
        s.horizon.from,
        s.horizon.to,
        scenario.replications(),
        stored.seconds,
        stored.run.id
    ));
    match &stored.result {
        ScenarioResult::Beds(r) => {
            let h = &r.headline;
            let c = &r.calibration;
            say(format_args!(
                "  kalibrering / calibration: {} vårdtillfällen / stays, {} avdelningar / wards, {} inskrivningar per dag / admissions per day, medelvårdtid / mean LOS {} d, utlokaliseringsandel / outlying share {}",
                c.stays,
                c.wards,
                num(c.admissions_per_day, 1),
                num(c.mean_los_days, 2),
                num(c.outlying_share, 2)
            ));
            say(format_args!(
                "  överbeläggningar per 100 vårdplatser / overcrowding per 100 beds: bas / baseline {}, scenario {}, skillnad / difference {}",
                band(&h.baseline, 2),
                band(&h.scenario, 2),
                band(&h.difference, 2)
            ));
            say(format_args!(
                "  belagda kl. 06 / occupied at 06:00: bas / baseline {}, scenario {}",
                band(&h.census_baseline, 1),
                band(&h.census_scenario, 1)
            ));
            if let Some(o) = &h.observed {
                let covered = h.baseline.covers(o.overbelaggningar_per_100);
                say(format_args!(
                    "  återprövning / back-test: sjön visar / the lake shows {} per 100 ({} dagar / days) — {} av basprognosens 95-procentsband / {} the baseline's 95 % band",
                    num(o.overbelaggningar_per_100, 2),
                    o.days,
                    if covered { "inom" } else { "UTANFÖR" },
                    if covered { "within" } else { "OUTSIDE" }
                ));
            }
            for m in &r.months {
                say(format_args!(
                    "  {}: bas / baseline {}, scenario {}{}",
                    m.month,
                    band(&m.baseline, 2),
                    band(&m.scenario, 2),
                    m.observed.map_or(String::new(), |o| format!(
                        ", observerat / observed {}",
                        num(o.overbelaggningar_per_100, 2)
                    ))
                ));
            }
        }
        ScenarioResult::WaitingList(r) => {
            let h = &r.headline;
            let c = &r.calibration;
            say(format_args!(
                "  kalibrering / calibration: {} genomförda ärenden / completed cases ({} med måldatum / with a target), {} per dag / per day, försening / lateness {} d, medianväntetid / median wait {} d, inom 90 dagar / within 90 days {}",
                c.completed,
                c.with_target,
                num(c.per_day, 2),
                num(c.lateness_days, 1),
                num(c.median_wait_days, 1),
                num(c.baseline_share, 3)
            ));
            say(format_args!(
                "  andel inom 90 dagar / share within 90 days: bas / baseline {}, scenario {}, skillnad / difference {}",
                band(&h.baseline, 3),
                band(&h.scenario, 3),
                band(&h.difference, 3)
            ));
            say(format_args!(
                "  väntande vid horisontens slut / waiting at the horizon's end: bas / baseline {}, scenario {}",
                band(&h.list_baseline, 0),
                band(&h.list_scenario, 0)
            ));
            if let Some(o) = &h.observed {
                let covered = h.baseline.covers(o.share);
                say(format_args!(
                    "  återprövning / back-test: sjön visar / the lake shows {} ({} av / of {}) — {} av basprognosens 95-procentsband / {} the baseline's 95 % band",
                    num(o.share, 3),
                    o.within,
                    o.completed,
                    if covered { "inom" } else { "UTANFÖR" },
                    if covered { "within" } else { "OUTSIDE" }
                ));
            }
            for m in &r.months {
                say(format_args!(
                    "  {}: bas / baseline {}, scenario {}{}",
                    m.month,
                    band(&m.baseline, 3),
                    band(&m.scenario, 3),
                    m.observed.map_or(String::new(), |o| format!(
                        ", observerat / observed {}",
                        num(o.share, 3)
                    ))
                ));
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
