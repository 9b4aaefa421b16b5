//! The hub's connection string and password live with the channel secrets: the OS keychain, or
//! the 0600 `<db>.secrets` file where there is none. Never in SQLite, never printed, never on a
//! command line.

use std::path::Path;

use shelfsync_sync::credentials::{Secret, Secrets};

use crate::pg::HubTarget;
use crate::{HubError, Result};

/// The key under which the URL is kept. Channel names cannot contain '@', so this can never be
/// a channel's.
const OWNER: &str = "@hub";
const NAME: &str = "url";
/// The workstation role's password, kept apart from the URL so the URL can be shown (redacted)
/// and rebuilt without parsing a password out of it.
const PASSWORD: &str = "password";

pub fn hub_url(db_path: &Path) -> Result<Secret> {
    Secrets::for_database(db_path).get(OWNER, NAME)?.ok_or(HubError::NotConnected)
}

/// The stored URL with the stored password, if any.
pub fn hub_target(db_path: &Path) -> Result<HubTarget> {
    let target = HubTarget::parse(hub_url(db_path)?.expose())?;
    Ok(match Secrets::for_database(db_path).get(OWNER, PASSWORD)? {
        Some(password) => target.with_password(password.expose()),
        None => target,
    })
}

/// Stores the URL and the password (or forgets an earlier password when there is none now).
pub fn store_hub_login(db_path: &Path, url: &str, password: Option<&str>) -> Result<()> {
    let secrets = Secrets::for_database(db_path);
    secrets.set(OWNER, NAME, &Secret::new(url)?)?;
    match password {
        Some(password) => secrets.set(OWNER, PASSWORD, &Secret::new(password)?)?,
        None => secrets.delete(OWNER, PASSWORD)?,
    }
    Ok(())
}
