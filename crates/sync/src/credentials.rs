//! Channel secrets: the OS keychain (`keyring`), or, where none exists (a server without a
//! Secret Service, a CI box), a 0600 file next to the database. Never SQLite, never logs:
//! [`Secret`] does not print its value, even with `{:?}`.

use std::collections::BTreeMap;
use std::fs::{self, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::{Result, SyncError};

/// Service name under which every secret sits in the keychain.
const SERVICE: &str = "shelfsync";

/// Longest secret accepted: real tokens are under 200 bytes; this catches a pasted file.
const MAX_SECRET_LEN: usize = 4096;

/// A secret value that never shows itself in output.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Result<Secret> {
        let value = value.into();
        if value.trim().is_empty() || value.len() > MAX_SECRET_LEN {
            return Err(SyncError::Credentials(format!("a secret must be 1 to {MAX_SECRET_LEN} bytes")));
        }
        Ok(Secret(value))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// Where secrets went.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Keychain,
    File,
}

impl Backend {
    pub fn as_str(self) -> &'static str {
        match self {
            Backend::Keychain => "keychain",
            Backend::File => "file",
        }
    }
}

pub struct Secrets {
    backend: Backend,
    /// Keys in the keychain name the database, so two databases' channels never collide.
    scope: String,
    file: PathBuf,
}

impl Secrets {
    /// The keychain when one answers; otherwise `<database>.secrets` (0600).
    /// `SHELFSYNC_SECRETS=file` forces the file (tests, headless boxes with a locked keychain).
    pub fn for_database(db_path: &Path) -> Secrets {
        let forced_file = std::env::var("SHELFSYNC_SECRETS").is_ok_and(|v| v == "file");
        let backend = if forced_file || !keychain_available() { Backend::File } else { Backend::Keychain };
        Secrets::with_backend(db_path, backend)
    }

    pub fn with_backend(db_path: &Path, backend: Backend) -> Secrets {
        let absolute = std::path::absolute(db_path).unwrap_or_else(|_| db_path.to_path_buf());
        let mut file = absolute.clone().into_os_string();
        file.push(".secrets");
        Secrets { backend, scope: absolute.display().to_string(), file: PathBuf::from(file) }
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub fn file_path(&self) -> &Path {
        &self.file
    }

    pub fn set(&self, channel: &str, name: &str, secret: &Secret) -> Result<()> {
        match self.backend {
            Backend::Keychain => {
                self.entry(channel, name)?.set_password(secret.expose()).map_err(keychain_error)
            }
            Backend::File => {
                let mut all = self.read_file()?;
                all.insert(file_key(channel, name), secret.expose().to_string());
                self.write_file(&all)
            }
        }
    }

    pub fn get(&self, channel: &str, name: &str) -> Result<Option<Secret>> {
        let value = match self.backend {
            Backend::Keychain => match self.entry(channel, name)?.get_password() {
                Ok(value) => Some(value),
                Err(keyring::Error::NoEntry) => None,
                Err(error) => return Err(keychain_error(error)),
            },
            Backend::File => self.read_file()?.remove(&file_key(channel, name)),
        };
        value.map(Secret::new).transpose()
    }

    pub fn delete(&self, channel: &str, name: &str) -> Result<()> {
        match self.backend {
            Backend::Keychain => match self.entry(channel, name)?.delete_credential() {
                Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
                Err(error) => Err(keychain_error(error)),
            },
            Backend::File => {
                let mut all = self.read_file()?;
                if all.remove(&file_key(channel, name)).is_some() {
                    self.write_file(&all)?;
                }
                Ok(())
            }
        }
    }

    fn entry(&self, channel: &str, name: &str) -> Result<keyring::Entry> {
        keyring::Entry::new(SERVICE, &format!("{}#{channel}/{name}", self.scope)).map_err(keychain_error)
    }

    fn read_file(&self) -> Result<BTreeMap<String, String>> {
        let text = match fs::read_to_string(&self.file) {
            Ok(text) => text,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(BTreeMap::new()),
            Err(error) => return Err(error.into()),
        };
        check_private(&self.file)?;
        serde_json::from_str(&text)
            .map_err(|e| SyncError::Credentials(format!("{} is unreadable: {e}", self.file.display())))
    }

    /// Written to a 0600 temp file, synced, then renamed over: never a half-written file, and
    /// never a moment when the secrets are readable by others.
    fn write_file(&self, all: &BTreeMap<String, String>) -> Result<()> {
        let mut tmp = self.file.clone().into_os_string();
        tmp.push(".tmp");
        let tmp = PathBuf::from(tmp);
        let mut options = OpenOptions::new();
        options.write(true).create(true).truncate(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let mut file = options.open(&tmp)?;
        file.write_all(serde_json::to_string_pretty(all).expect("a map of strings serialises").as_bytes())?;
        file.sync_all()?;
        fs::rename(&tmp, &self.file)?;
        Ok(())
    }
}

fn file_key(channel: &str, name: &str) -> String {
    format!("{channel}/{name}")
}

#[cfg(unix)]
fn check_private(path: &Path) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let mode = fs::metadata(path)?.permissions().mode() & 0o777;
    if mode & 0o077 != 0 {
        return Err(SyncError::Credentials(format!(
            "{} has mode {mode:o}; secrets files must be 600 (chmod 600 it)",
            path.display()
        )));
    }
    Ok(())
}

#[cfg(not(unix))]
fn check_private(_path: &Path) -> Result<()> {
    Ok(())
}

fn keychain_error(error: keyring::Error) -> SyncError {
    SyncError::Credentials(format!("keychain: {error}"))
}

/// True when the platform keychain answers a lookup (a missing entry is an answer).
fn keychain_available() -> bool {
    let Ok(entry) = keyring::Entry::new(SERVICE, "availability-probe") else { return false };
    matches!(entry.get_password(), Ok(_) | Err(keyring::Error::NoEntry))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_fallback_round_trips_with_mode_600_and_hides_values() {
        let dir = tempfile::tempdir().unwrap();
        let secrets = Secrets::with_backend(&dir.path().join("s.db"), Backend::File);
        let token = Secret::new("shpat_very_secret").unwrap();
        secrets.set("shop", "token", &token).unwrap();
        secrets.set("other", "token", &Secret::new("x").unwrap()).unwrap();
        assert_eq!(secrets.get("shop", "token").unwrap(), Some(token.clone()));
        assert_eq!(secrets.get("shop", "missing").unwrap(), None);
        assert!(!format!("{token:?}").contains("very_secret"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(secrets.file_path()).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
            fs::set_permissions(secrets.file_path(), fs::Permissions::from_mode(0o644)).unwrap();
            assert!(secrets.get("shop", "token").unwrap_err().to_string().contains("must be 600"));
            fs::set_permissions(secrets.file_path(), fs::Permissions::from_mode(0o600)).unwrap();
        }
        secrets.delete("shop", "token").unwrap();
        assert_eq!(secrets.get("shop", "token").unwrap(), None);
        assert!(secrets.get("other", "token").unwrap().is_some());
    }

    #[test]
    fn this_machine_without_a_keychain_falls_back_to_the_file() {
        // No Secret Service runs here (nor in CI): the automatic choice must be the file.
        if std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_none() {
            let dir = tempfile::tempdir().unwrap();
            assert_eq!(Secrets::for_database(&dir.path().join("s.db")).backend(), Backend::File);
        }
    }
}
