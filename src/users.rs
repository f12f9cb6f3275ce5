//! `vardhub users add|list|disable|rotate`: thin calls into `vardhub_server::{auth, users}`.
//! Tokens are printed once (add, rotate), never listed.

use super::say;
use anyhow::{Context, Result};
use clap::Subcommand;
use std::process::ExitCode;
use vardhub_domain::RegionCode;
use vardhub_server::Role;
use vardhub_server::auth::TOKEN_DAYS;
use vardhub_store::Hub;

/// The actor written to the audit log for administration from the command line.
const ACTOR: &str = "system";

/// `vardhub users …`.
#[derive(Debug, Subcommand)]
pub(crate) enum UserCommand {
    /// Skapa en användare; token skrivs ut en gång / create a user; the token is printed once.
    Add {
        /// Användarnamn / user name.
        name: String,
        /// Roll / role: public, region, national, admin.
        #[arg(long)]
        role: String,
        /// Regionanalytikerns region (länskod) / the region analyst's region.
        #[arg(long)]
        region: Option<String>,
        /// Token giltig i N dagar / token valid for N days (1–3650).
        #[arg(long, default_value_t = TOKEN_DAYS)]
        expires_days: u32,
    },
    /// Lista användarna (aldrig token) / list the users (never tokens).
    List,
    /// Stäng av en användare: token avvisas, sessioner avslutas / disable a user: token refused,
    /// sessions ended.
    Disable {
        /// Användarnamn / user name.
        name: String,
    },
    /// Ny token (skrivs ut en gång); den gamla slutar gälla / new token (printed once); the old
    /// one stops working.
    Rotate {
        /// Användarnamn / user name.
        name: String,
        /// Den nya token giltig i N dagar / the new token valid for N days (1–3650).
        #[arg(long, default_value_t = TOKEN_DAYS)]
        expires_days: u32,
    },
}

/// Run a `users` command.
pub(crate) async fn run(hub: &Hub, action: &UserCommand) -> Result<ExitCode> {
    match action {
        UserCommand::Add {
            name,
            role,
            region,
            expires_days,
        } => {
            let role = Role::parse(role).with_context(|| format!("--role: {}", Role::CODES))?;
            let region = region
                .as_deref()
                .map(RegionCode::parse)
                .transpose()
                .map_err(|e| anyhow::anyhow!("--region: {e}"))?;
            let (user, token) =
                vardhub_server::auth::add_user_expiring(hub, name, role, region, *expires_days)
                    .await?;
            say(format_args!(
                "Användare {} ({}{}) skapad, token giltig till / token valid until {}. \
                 Token (visas bara nu / shown only now):\n{token}",
                user.name,
                user.role,
                user.region
                    .map(|r| format!(", region {r}"))
                    .unwrap_or_default(),
                user.expires_at.as_deref().unwrap_or("-"),
            ));
        }
        UserCommand::List => {
            say(format_args!(
                "{:<24} {:<9} {:<6} {:<28} {:<28} disabled",
                "name", "role", "region", "created", "expires"
            ));
            for l in vardhub_server::users::list(hub).await? {
                let u = &l.user;
                say(format_args!(
                    "{:<24} {:<9} {:<6} {:<28} {:<28} {}",
                    u.name,
                    u.role,
                    u.region.as_deref().unwrap_or("-"),
                    u.created_at,
                    format!(
                        "{}{}",
                        u.expires_at.as_deref().unwrap_or("-"),
                        if l.expired { " (expired)" } else { "" }
                    ),
                    u.disabled_at.as_deref().unwrap_or("no"),
                ));
            }
        }
        UserCommand::Disable { name } => {
            let u = vardhub_server::users::disable(hub, name, ACTOR).await?;
            say(format_args!(
                "Användare {} avstängd / disabled ({}); sessioner avslutade / sessions ended",
                u.name,
                u.disabled_at.as_deref().unwrap_or("-")
            ));
        }
        UserCommand::Rotate { name, expires_days } => {
            let (u, token) = vardhub_server::users::rotate(hub, name, *expires_days, ACTOR).await?;
            say(format_args!(
                "Ny token för / new token for {}, giltig till / valid until {}; den gamla gäller \
                 inte längre / the old one no longer works. Token (visas bara nu / shown only \
                 now):\n{token}",
                u.name,
                u.expires_at.as_deref().unwrap_or("-"),
            ));
        }
    }
    Ok(ExitCode::SUCCESS)
}
