//! Several workstations, one ledger: replication through a shared PostgreSQL hub (issue 11).
//!
//! Each workstation keeps its SQLite ledger: the offline buffer and a full replica. Replication
//! ships events, not rows: local events go up with `INSERT ... ON CONFLICT (id) DO NOTHING` in
//! bounded batches, one transaction each, under a lock that makes the hub's sequence its commit
//! order; the others' events come down in that order through the store's own idempotent append
//! (`AppendMode::Replicated`). The hub re-checks the bucket rules on its global balances and
//! turns a conflict into a discrepancy for a supervisor, keeping both events. The catalogue
//! (locations, items, barcodes) rides along, versioned, every version kept, the last write by
//! the hub's clock winning. The sync engine runs on the one workstation holding the hub's lease.
//!
//! Trust (issue 17): the hub is shared, so a workstation believes of it only what cannot hurt
//! it. Users, tolerances and channels never travel (an admin sets them on each workstation);
//! the hub stamps master times itself and a time ahead of the local clock is refused; whatever
//! is applied from the hub is in the local audit chain. Each workstation logs in as its own
//! PostgreSQL role, and row-level security holds every row it writes to that name. TLS is
//! required for a hub off this machine, and no password is ever taken from a command line.
//!
//! Architecture invariants: no event is changed or dropped on the way (a different body under a
//! known id is refused and reported on both sides); a workstation never needs the hub to record
//! a change; at most one engine pushes to the channels at a time; no row on the hub names a
//! workstation other than the one whose login wrote it.

mod error;
pub mod lease;
pub mod local;
pub mod node;
pub mod pg;
pub mod replicate;
mod secrets;
#[cfg(feature = "testing")]
pub mod testing;

use std::path::Path;
use std::time::Duration;

use serde::Serialize;
use shelfsync_store::Store;

pub use error::{HubError, Result};
pub use node::{NodeConfig, NodeReport, run_blocking};
pub use pg::HubTarget;
pub use shelfsync_store::replication::discrepancies::Discrepancy;

/// What `hub connect` did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Joined {
    pub workstation: String,
    pub hub: String,
    pub hub_id: String,
    /// False when this database had joined this hub before (the URL was replaced).
    pub first_join: bool,
}

/// Joins the database at `db_path` (which must exist) to the hub at `url` as `workstation`:
/// brings the hub's schema up to date, makes (or checks) the workstation's own hub login,
/// stores that login with the secrets, queues this workstation's catalogue and registers the
/// name. Everything is checked before anything is written on this workstation; running it again
/// repairs a join that stopped half-way (and rotates the generated password).
pub async fn connect(db_path: &Path, url: &str, workstation: &str) -> Result<Joined> {
    connect_with(db_path, url, None, workstation).await
}

/// [`connect`] with the password given apart from the URL (from `SHELFSYNC_HUB_PASSWORD` or a
/// prompt: a password in a URL on a command line is readable by every user of the machine).
pub async fn connect_with(
    db_path: &Path,
    url: &str,
    password: Option<&str>,
    workstation: &str,
) -> Result<Joined> {
    check_workstation(workstation)?;
    let mut target = HubTarget::parse(url)?;
    if let Some(password) = password.filter(|p| !p.is_empty()) {
        target = target.with_password(password);
    }
    let store = Store::open(db_path)?;
    let existing = store.hub_config()?;
    if let Some(existing) = &existing
        && existing.workstation != workstation
    {
        return Err(HubError::OtherName {
            joined: existing.workstation.clone(),
            offered: workstation.into(),
        });
    }
    let mut hub = pg::connect(&target).await?;
    let hub_id = pg::migrate(&mut hub).await?;
    if let Some(existing) = &existing
        && existing.hub_id != hub_id
    {
        return Err(HubError::OtherHub {
            joined: existing.hub_id.clone(),
            offered: target.to_string(),
            workstation: existing.workstation.clone(),
        });
    }
    let taken = hub
        .client
        .query_opt("SELECT 1 FROM workstations WHERE name = $1", &[&workstation])
        .await
        .map_err(hub.fail())?
        .is_some();
    if taken && existing.is_none() {
        return Err(HubError::NameTaken(workstation.into()));
    }
    let login = workstation_login(&hub, &target, url, password, workstation).await?;
    // The workstation's own login must work, as itself, before anything is stored here.
    let own = pg::connect(&login.target).await?;
    let itself: bool =
        own.client.query_one("SELECT current_user = $1", &[&workstation]).await.map_err(own.fail())?.get(0);
    if !itself {
        return Err(HubError::NotWorkstationRole(login.target.user().to_string()));
    }
    let first_join = store.hub_join(workstation, &hub_id, || {
        secrets::store_hub_login(db_path, &login.url, login.password.as_deref())
    })?;
    // Registered under its own login (the policies accept only its own name). After the local
    // join, as before: a failure here is repaired by running `hub connect` again, which a
    // registration without a local join would refuse as a taken name.
    own.client
        .execute("INSERT INTO workstations (name) VALUES ($1) ON CONFLICT (name) DO NOTHING", &[&workstation])
        .await
        .map_err(own.fail())?;
    Ok(Joined { workstation: workstation.into(), hub: login.target.to_string(), hub_id, first_join })
}

/// The stored URL and password of a database's hub login, as `hub sync` uses them.
pub fn login(db_path: &Path) -> Result<HubTarget> {
    secrets::hub_target(db_path)
}

/// How a workstation logs in to the hub from now on.
struct Login {
    target: HubTarget,
    url: String,
    password: Option<String>,
}

/// Bytes of randomness in a generated workstation password (hex-encoded: 64 characters).
const GENERATED_PASSWORD_BYTES: usize = 32;

/// Each workstation connects as its own PostgreSQL role, named as the workstation, so the hub's
/// row-level security can hold every row it writes to its own name (issue 17). Connected as
/// that role already: it is used as it is, if it is a plain member of shelfsync_workstation.
/// Connected as someone else (the hub's owner, or any role with CREATEROLE): the role is
/// created, or its password replaced if it is already a workstation role, with a fresh random
/// password that only this workstation's secret store keeps. The owner's password is not kept.
async fn workstation_login(
    hub: &pg::HubConn,
    target: &HubTarget,
    url: &str,
    password: Option<&str>,
    workstation: &str,
) -> Result<Login> {
    let fail = hub.fail();
    let me = hub
        .client
        .query_one(
            "SELECT current_user::text, rolsuper OR rolcreaterole, rolbypassrls,
                    pg_has_role(current_user, 'shelfsync_workstation', 'MEMBER')
             FROM pg_roles WHERE rolname = current_user",
            &[],
        )
        .await
        .map_err(&fail)?;
    let (user, may_create, bypasses, member): (String, bool, bool, bool) =
        (me.get(0), me.get(1), me.get(2), me.get(3));
    if user == workstation {
        if may_create || bypasses || !member {
            return Err(HubError::NotWorkstationRole(user));
        }
        let password = password.filter(|p| !p.is_empty()).map(str::to_string);
        return Ok(Login { target: target.clone(), url: url.trim().to_string(), password });
    }
    if !may_create {
        return Err(HubError::CannotCreateRole { user, workstation: workstation.into() });
    }
    let existing = hub
        .client
        .query_opt(
            "SELECT rolsuper OR rolcreaterole OR rolbypassrls,
                    pg_has_role(oid, (SELECT oid FROM pg_roles WHERE rolname = 'shelfsync_workstation'), 'MEMBER')
             FROM pg_roles WHERE rolname = $1",
            &[&workstation],
        )
        .await
        .map_err(&fail)?;
    if let Some(row) = &existing
        && (row.get::<_, bool>(0) || !row.get::<_, bool>(1))
    {
        return Err(HubError::RoleInUse(workstation.into()));
    }
    let generated = {
        use rand::RngCore;
        let mut bytes = [0u8; GENERATED_PASSWORD_BYTES];
        rand::rng().fill_bytes(&mut bytes);
        hex::encode(bytes)
    };
    // Role names are identifiers, not parameters: the name is checked (letters, digits, '-', '_',
    // '.') and quoted; the password is hex. Nothing else goes into the statement.
    let statement = if existing.is_some() {
        format!("ALTER ROLE \"{workstation}\" WITH LOGIN PASSWORD '{generated}'")
    } else {
        format!("CREATE ROLE \"{workstation}\" LOGIN PASSWORD '{generated}' IN ROLE shelfsync_workstation")
    };
    hub.client.batch_execute(&statement).await.map_err(&fail)?;
    Ok(Login {
        target: target.clone().with_user(workstation).with_password(&generated),
        url: pg::url_with_user(url, workstation)?,
        password: Some(generated),
    })
}

fn check_workstation(name: &str) -> Result<()> {
    let valid = !name.is_empty()
        && name.len() <= 64
        && name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if valid { Ok(()) } else { Err(HubError::InvalidWorkstation(name.into())) }
}

/// The hub state a person (or the desktop app) sees. No secrets: the hub is named by
/// `user@host:port/database`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct HubStatus {
    /// This workstation's name on the hub; None when the database has not joined one.
    pub workstation: Option<String>,
    /// The hub answered just now.
    pub connected: bool,
    /// Local events and master records not yet on the hub.
    pub pending_up: u64,
    pub last_push: Option<String>,
    pub last_pull: Option<String>,
    /// Hub events not yet applied here (as of the last contact when the hub does not answer).
    pub lag_events: u64,
    /// The workstation whose engine lease is live, when the hub answers.
    pub engine: Option<String>,
    pub hub: Option<String>,
    pub discrepancies: u64,
    pub refused: u64,
    pub last_error: Option<String>,
}

/// How long `status` waits for the hub: it is a glance, not a sync.
const STATUS_TIMEOUT: Duration = Duration::from_secs(2);

pub async fn status(db_path: &Path) -> Result<HubStatus> {
    let store = Store::open(db_path)?;
    let Some(config) = store.hub_config()? else { return Ok(HubStatus::default()) };
    let counts = store.hub_counts()?;
    let mut status = HubStatus {
        workstation: Some(config.workstation.clone()),
        pending_up: store.hub_pending_up()?,
        last_push: config.last_push.clone(),
        last_pull: config.last_pull.clone(),
        lag_events: (config.hub_head - config.pull_watermark).max(0) as u64,
        discrepancies: counts.discrepancies,
        refused: counts.refused,
        last_error: config.last_error.clone(),
        ..HubStatus::default()
    };
    let target = secrets::hub_target(db_path)?;
    status.hub = Some(target.to_string());
    let probe = async {
        let hub = pg::connect(&target).await?;
        let head: i64 = hub
            .client
            .query_one("SELECT coalesce(max(seq), 0) FROM events", &[])
            .await
            .map_err(hub.fail())?
            .get(0);
        Ok::<_, HubError>((head, lease::holder(&hub).await?))
    };
    if let Ok(Ok((head, engine))) = tokio::time::timeout(STATUS_TIMEOUT, probe).await {
        status.connected = true;
        status.lag_events = (head - config.pull_watermark).max(0) as u64;
        status.engine = engine;
    }
    Ok(status)
}

/// [`status`] for callers without a runtime (the CLI, the desktop app's commands).
pub fn hub_status(db_path: &Path) -> Result<HubStatus> {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    runtime.block_on(status(db_path))
}

/// [`connect`] for callers without a runtime.
pub fn connect_blocking(db_path: &Path, url: &str, workstation: &str) -> Result<Joined> {
    connect_with_blocking(db_path, url, None, workstation)
}

/// [`connect_with`] for callers without a runtime.
pub fn connect_with_blocking(
    db_path: &Path,
    url: &str,
    password: Option<&str>,
    workstation: &str,
) -> Result<Joined> {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    runtime.block_on(connect_with(db_path, url, password, workstation))
}
