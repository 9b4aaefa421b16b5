use shelfsync_store::StoreError;
use shelfsync_sync::SyncError;
use thiserror::Error;

/// Why a hub operation failed. Messages are the one line a person reads: they name the hub by
/// host, port and database, never with its password.
#[derive(Debug, Error)]
pub enum HubError {
    #[error("invalid hub URL: {0}")]
    InvalidUrl(String),
    #[error("invalid workstation name '{0}': use 1 to 64 letters, digits, '-', '_' or '.'")]
    InvalidWorkstation(String),
    #[error("cannot reach the hub at {target}: {reason}")]
    Unreachable { target: String, reason: String },
    #[error(
        "the hub at {target} is not on this machine, so TLS is required: sslmode={sslmode} would let \
         anyone on the network read the hub password and the ledger; use sslmode=require (the \
         default), with sslrootcert=PATH for a private CA"
    )]
    InsecureHub { target: String, sslmode: String },
    #[error("TLS to the hub: {0}")]
    Tls(String),
    #[error("hub {target}: {reason}")]
    Postgres { target: String, reason: String },
    #[error("this database is not connected to a hub; run `shelfsync hub connect URL --workstation NAME`")]
    NotConnected,
    #[error("this database already belongs to hub {joined} as '{workstation}'; {offered} is another hub")]
    OtherHub { joined: String, offered: String, workstation: String },
    #[error("this database joined the hub as '{joined}', not '{offered}'")]
    OtherName { joined: String, offered: String },
    #[error("workstation '{0}' already joined this hub from another database; pick another name")]
    NameTaken(String),
    #[error("the hub refused event {id}: the same id with a different body is already in the shared ledger")]
    Refused { id: String },
    #[error("hub schema version {found} is newer than this program knows ({known}); upgrade shelfsync")]
    SchemaTooNew { found: i32, known: i32 },
    #[error(
        "{user} cannot create the hub login for workstation '{workstation}': run `hub connect` once \
         with the hub owner's login (a role with CREATEROLE), or connect as a role named \
         '{workstation}' that the hub's administrator made a member of shelfsync_workstation"
    )]
    CannotCreateRole { user: String, workstation: String },
    #[error(
        "a PostgreSQL role named '{0}' already exists on the hub and is not a shelfsync workstation; \
         pick another workstation name"
    )]
    RoleInUse(String),
    #[error(
        "the hub login '{0}' is its workstation's own role but not a plain one: it must be a member of \
         shelfsync_workstation, without SUPERUSER, CREATEROLE or BYPASSRLS"
    )]
    NotWorkstationRole(String),
    #[error(
        "the hub's schema is at version {found} and this program needs {known}; {user} may not upgrade \
         it: run `hub connect` once with the hub owner's login"
    )]
    SchemaNeedsOwner { found: i32, known: i32, user: String },
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Sync(#[from] SyncError),
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

pub type Result<T, E = HubError> = std::result::Result<T, E>;
