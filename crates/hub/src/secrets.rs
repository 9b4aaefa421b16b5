//! The hub's connection string lives with the channel secrets: the OS keychain, or the 0600
//! `<db>.secrets` file where there is none. Never in SQLite, never printed.

use std::path::Path;

use shelfsync_sync::credentials::{Secret, Secrets};

use crate::{HubError, Result};

/// The key under which the URL is kept. Channel names cannot contain '@', so this can never be
/// a channel's.
const OWNER: &str = "@hub";
const NAME: &str = "url";

pub fn hub_url(db_path: &Path) -> Result<Secret> {
    Secrets::for_database(db_path).get(OWNER, NAME)?.ok_or(HubError::NotConnected)
}

pub fn store_hub_url(db_path: &Path, url: &str) -> Result<()> {
    Ok(Secrets::for_database(db_path).set(OWNER, NAME, &Secret::new(url)?)?)
}
