//! Användaradministration / user administration behind `vardhub users list|disable|rotate`
//! (creating users is [`crate::auth::add_user_expiring`]).
//!
//! Listing never shows a token (the catalogue has only hashes); rotation shows the new token once.

use crate::auth::{hash_secret, new_secret, token_expiry};
use crate::error::ServerError;
use vardhub_store::{Hub, UserRecord};

/// One user as `users list` shows it: everything but the token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserListing {
    /// The stored user.
    pub user: UserRecord,
    /// The token has expired.
    pub expired: bool,
}

/// All users, by name, with whether their tokens have expired.
pub async fn list(hub: &Hub) -> Result<Vec<UserListing>, ServerError> {
    let now = vardhub_store::now_utc();
    Ok(hub
        .users()
        .await?
        .into_iter()
        .map(|u| UserListing {
            expired: u.expired_at(now),
            user: u,
        })
        .collect())
}

/// Disable a user: its token is refused and its sessions end (audited by `actor`).
pub async fn disable(hub: &Hub, name: &str, actor: &str) -> Result<UserRecord, ServerError> {
    Ok(hub.disable_user(name, actor).await?)
}

/// Give a user a new token valid for `days` days; the old one stops working and the user's
/// sessions end (audited by `actor`). Returns the user and the new token (show it once).
pub async fn rotate(
    hub: &Hub,
    name: &str,
    days: u32,
    actor: &str,
) -> Result<(UserRecord, String), ServerError> {
    let expires = token_expiry(days)?;
    let token = new_secret();
    let user = hub
        .rotate_token(name, &hash_secret(&token), expires, actor)
        .await?;
    Ok((user, token))
}
