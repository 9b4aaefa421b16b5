//! What every command needs: where the database is, who acts, from which workstation.

use std::path::PathBuf;

use shelfsync_store::{Store, User};

use crate::CliError;
use crate::args::Globals;

pub struct Context {
    pub db_path: PathBuf,
    pub json: bool,
    /// The user named by `--user` or SHELFSYNC_USER: a claim until `auth::authorize` verifies it.
    pub user: Option<String>,
    pub workstation: String,
    /// Who acts, once `auth::authorize` has decided.
    pub acting: Acting,
}

/// Who a command acts as.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Acting {
    /// Not decided (before `auth::authorize`), or a command that reads only.
    Nobody,
    /// A database with no users yet: set-up, recorded as `cli:<os user>`.
    SetUp,
    /// A user whose PIN was checked.
    User(User),
    /// The live service.
    Service,
}

impl Context {
    pub fn from_globals(globals: &Globals) -> Result<Context, CliError> {
        let db_path = match &globals.db {
            Some(path) => path.clone(),
            None => default_db_path()?,
        };
        let workstation = globals.workstation.clone().unwrap_or_else(host_name);
        Ok(Context {
            db_path,
            json: globals.json,
            user: globals.user.clone(),
            workstation,
            acting: Acting::Nobody,
        })
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

    /// The recorded actor: the verified user, `service:<workstation>`, or (set-up, before any
    /// user exists) `cli:<os user>`. Never a name that was not verified.
    pub fn actor(&self) -> String {
        match &self.acting {
            Acting::User(user) => user.name.clone(),
            Acting::Service => format!("service:{}", self.workstation),
            Acting::Nobody | Acting::SetUp => {
                format!("cli:{}", std::env::var("USER").unwrap_or_else(|_| "unknown".into()))
            }
        }
    }

    /// The verified user, if there is one.
    pub fn signed_in(&self) -> Option<&User> {
        match &self.acting {
            Acting::User(user) => Some(user),
            _ => None,
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
