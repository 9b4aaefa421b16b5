//! What every command needs: where the database is, who acts, from which workstation.

use std::path::PathBuf;

use shelfsync_store::Store;

use crate::CliError;
use crate::args::Globals;

pub struct Context {
    pub db_path: PathBuf,
    pub json: bool,
    pub user: Option<String>,
    pub workstation: String,
}

impl Context {
    pub fn from_globals(globals: &Globals) -> Result<Context, CliError> {
        let db_path = match &globals.db {
            Some(path) => path.clone(),
            None => default_db_path()?,
        };
        let workstation = globals.workstation.clone().unwrap_or_else(host_name);
        Ok(Context { db_path, json: globals.json, user: globals.user.clone(), workstation })
    }

    pub fn open(&self) -> Result<Store, CliError> {
        Ok(Store::open(&self.db_path)?)
    }

    /// Opens only a database that exists: reading commands must not create one by accident.
    pub fn open_existing(&self) -> Result<Store, CliError> {
        if !self.db_path.exists() {
            return Err(CliError::Usage(format!(
                "no database at {}; run `shelfsync init` first",
                self.db_path.display()
            )));
        }
        self.open()
    }

    /// The recorded actor: the signed-in user, or `cli:<os user>`.
    pub fn actor(&self) -> String {
        match &self.user {
            Some(user) => user.clone(),
            None => format!("cli:{}", std::env::var("USER").unwrap_or_else(|_| "unknown".into())),
        }
    }
}

pub fn default_db_path() -> Result<PathBuf, CliError> {
    directories::ProjectDirs::from("app", "ShelfSync", "shelfsync")
        .map(|dirs| dirs.data_dir().join("shelfsync.db"))
        .ok_or_else(|| CliError::Usage("no home folder; pass --db PATH".into()))
}

fn host_name() -> String {
    std::fs::read_to_string("/etc/hostname")
        .ok()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "workstation".into())
}
