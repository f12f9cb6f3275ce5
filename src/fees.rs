//! `vardhub fees record | resources | list | invoice`: handling time and resource use per case
//! or research project (the work log), and the invoice basis under the definitions' fee model
//! ([`vardhub_ops::fees`]), as a summary or as CSV for a finance department.

use super::say;
use anyhow::{Context, Result};
use chrono::NaiveDate;
use clap::Subcommand;
use std::path::PathBuf;
use std::process::ExitCode;
use vardhub_domain::Period;
use vardhub_engine::definitions::Definitions;
use vardhub_ops::fees::{decimal_comma, invoice_basis};
use vardhub_store::Hub;
use vardhub_store::work_log::{
    NewResourceUse, NewWork, Subject, div_round, hundredths, minutes_from_hours,
};

/// `vardhub fees …`.
#[derive(Debug, Subcommand)]
pub(crate) enum FeesCommand {
    /// Registrera handläggningstid (rättelse: negativa timmar med --reason) / record handling
    /// time (a correction: negative hours with --reason).
    Record {
        /// case:<id> eller project:<id>.
        #[arg(long)]
        subject: String,
        /// Timmar, högst två decimaler (1,5 eller 1.5) / hours, at most two decimals.
        #[arg(long, allow_hyphen_values = true)]
        hours: String,
        /// Vad som gjordes / what was done.
        #[arg(long)]
        activity: String,
        /// Dag / day, YYYY-MM-DD (default: today).
        #[arg(long)]
        date: Option<String>,
        /// Vem som arbetade / who did the work (default: --as).
        #[arg(long)]
        who: Option<String>,
        /// Rättar post nr / corrects entry number.
        #[arg(long)]
        corrects: Option<i64>,
        /// Varför (krävs för rättelser) / why (required for corrections).
        #[arg(long)]
        reason: Option<String>,
        /// Dagen är projektets start (startavgift) / the day is the project's start (start fee).
        #[arg(long)]
        project_start: bool,
        /// Vem som registrerar / who records (default: the login name).
        #[arg(long = "as")]
        actor: Option<String>,
    },
    /// Registrera ett projekts resursanvändning för en månad / record a project's resource use
    /// for a month (negative values with --reason correct it).
    Resources {
        /// project:<id>.
        #[arg(long)]
        subject: String,
        /// Månad / month, YYYY-MM.
        #[arg(long)]
        month: String,
        /// Användarkonton / user accounts.
        #[arg(long, default_value_t = 0, allow_hyphen_values = true)]
        users: i64,
        /// Lagring i GB (två decimaler) / storage in GB (two decimals).
        #[arg(long, default_value = "0", allow_hyphen_values = true)]
        storage_gb: String,
        /// Beräkning i kärntimmar (två decimaler) / compute in core-hours (two decimals).
        #[arg(long, default_value = "0", allow_hyphen_values = true)]
        compute_hours: String,
        /// Varför (krävs för rättelser) / why (required for corrections).
        #[arg(long)]
        reason: Option<String>,
        /// Vem som registrerar / who records (default: the login name).
        #[arg(long = "as")]
        actor: Option<String>,
    },
    /// Lista registrerad tid och resurser / list recorded time and resources.
    List {
        /// case:<id> eller project:<id>.
        #[arg(long)]
        subject: String,
        /// Första dag / first day, YYYY-MM-DD.
        #[arg(long)]
        from: String,
        /// Sista dag / last day, YYYY-MM-DD.
        #[arg(long)]
        to: String,
    },
    /// Fakturaunderlag enligt avgiftsmodellen (exkl. moms) / invoice basis under the fee model
    /// (excl. VAT).
    Invoice {
        /// case:<id> eller project:<id>.
        #[arg(long)]
        subject: String,
        /// Första dag / first day, YYYY-MM-DD.
        #[arg(long)]
        from: String,
        /// Sista dag / last day, YYYY-MM-DD.
        #[arg(long)]
        to: String,
        /// Skriv CSV (semikolon, decimalkomma) till fil / write CSV to a file.
        #[arg(long)]
        csv: Option<PathBuf>,
        /// JSON.
        #[arg(long)]
        json: bool,
    },
}

fn day(s: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .with_context(|| format!("{s}: ange datum som ÅÅÅÅ-MM-DD / give dates as YYYY-MM-DD"))
}

fn actor(a: Option<&str>) -> String {
    crate::recipes::actor(a)
}

/// Run a `fees` command.
pub(crate) async fn run(hub: &Hub, defs: &Definitions, action: &FeesCommand) -> Result<ExitCode> {
    match action {
        FeesCommand::Record {
            subject,
            hours,
            activity,
            date,
            who,
            corrects,
            reason,
            project_start,
            actor: by,
        } => {
            let by = actor(by.as_deref());
            let w = NewWork {
                subject: Subject::parse(subject)?,
                who: who.clone().unwrap_or_else(|| by.clone()),
                day: match date {
                    Some(d) => day(d)?,
                    None => chrono::Local::now().date_naive(),
                },
                minutes: minutes_from_hours(hours)?,
                activity: activity.clone(),
                corrects: *corrects,
                reason: reason.clone(),
                project_start: *project_start,
            };
            let e = hub.record_work(&w, &by).await?;
            say(format_args!(
                "post / entry {}: {} {} {} timmar / hours, {}",
                e.seq,
                e.subject,
                e.day,
                decimal_comma(div_round(e.minutes * 100, 60)),
                e.activity
            ));
        }
        FeesCommand::Resources {
            subject,
            month,
            users,
            storage_gb,
            compute_hours,
            reason,
            actor: by,
        } => {
            let u = NewResourceUse {
                subject: Subject::parse(subject)?,
                month: Period::parse(month).map_err(|e| anyhow::anyhow!("--month {month}: {e}"))?,
                users: *users,
                storage_gb_hundredths: hundredths(storage_gb)?,
                compute_minutes: minutes_from_hours(compute_hours)?,
                reason: reason.clone(),
            };
            let r = hub.record_resources(&u, &actor(by.as_deref())).await?;
            say(format_args!(
                "post / entry {}: {} {} användare / users {}, {} GB, {} kärntimmar / core-hours",
                r.seq,
                r.subject,
                r.month,
                r.users,
                decimal_comma(r.storage_gb_hundredths),
                decimal_comma(div_round(r.compute_minutes * 100, 60))
            ));
        }
        FeesCommand::List { subject, from, to } => {
            let (subject, from, to) = (Subject::parse(subject)?, day(from)?, day(to)?);
            for e in hub.work_entries(&subject, from, to).await? {
                let fix = match (e.corrects, &e.reason) {
                    (Some(c), Some(r)) => format!(" (rättar / corrects {c}: {r})"),
                    (None, Some(r)) => format!(" ({r})"),
                    _ => String::new(),
                };
                say(format_args!(
                    "{:>5}  {}  {:<12} {:>8} h  {}{}{}",
                    e.seq,
                    e.day,
                    e.who,
                    decimal_comma(div_round(e.minutes * 100, 60)),
                    e.activity,
                    if e.project_start { " [start]" } else { "" },
                    fix
                ));
            }
            if let Some((a, b)) = vardhub_ops::fees::resource_months(from, to) {
                for r in hub.resource_use(&subject, a, b).await? {
                    say(format_args!(
                        "{:>5}  {}  användare / users {}, {} GB, {} kärntimmar / core-hours{}",
                        r.seq,
                        r.month,
                        r.users,
                        decimal_comma(r.storage_gb_hundredths),
                        decimal_comma(div_round(r.compute_minutes * 100, 60)),
                        r.reason.map(|x| format!(" ({x})")).unwrap_or_default()
                    ));
                }
            }
        }
        FeesCommand::Invoice {
            subject,
            from,
            to,
            csv,
            json,
        } => {
            let subject = Subject::parse(subject)?;
            let b = invoice_basis(hub, defs.fees(), &subject, day(from)?, day(to)?).await?;
            if let Some(path) = csv {
                vardhub_store::private::write_file(path, b.to_csv())
                    .with_context(|| path.display().to_string())?;
            }
            if *json {
                say(format_args!("{}", serde_json::to_string_pretty(&b)?));
                return Ok(ExitCode::SUCCESS);
            }
            say(format_args!(
                "Fakturaunderlag / invoice basis {} {} – {} (avgiftsmodell / fee model {} {}{})",
                b.subject,
                b.from,
                b.to,
                b.fee_model,
                b.fee_model_version,
                if b.illustrative {
                    ", illustrativa belopp / illustrative amounts"
                } else {
                    ""
                }
            ));
            for l in &b.lines {
                say(format_args!(
                    "  {:<48} {:>10} {:<16} à {:>12} kr = {:>14} kr",
                    l.text_sv,
                    decimal_comma(l.quantity_hundredths),
                    l.unit_sv,
                    decimal_comma(l.unit_price_ore),
                    decimal_comma(l.amount_ore)
                ));
            }
            say(format_args!(
                "  Summa / total {} kr ({})",
                decimal_comma(b.total_ore),
                b.vat
            ));
            if let Some(path) = csv {
                say(format_args!("CSV: {}", path.display()));
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
