//! The connection to the hub: URL checks, TLS (rustls, ring), timeouts, LISTEN, and the hub's
//! own schema migrations.

use std::str::FromStr;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use include_dir::{Dir, include_dir};
use tokio::sync::Notify;
use tokio_postgres::config::SslMode;
use tokio_postgres::{AsyncMessage, Client, Config};
use tokio_postgres_rustls::MakeRustlsConnect;

use crate::{HubError, Result};

static HUB_MIGRATIONS: Dir = include_dir!("$CARGO_MANIFEST_DIR/../../migrations/hub");

/// How long connecting may take. A hub on the LAN answers in milliseconds; a few seconds covers
/// a TLS handshake over a slow VPN while a dead address still fails quickly enough for a person.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// How long any one statement may run on the hub. The largest is a push of one batch; far
/// below this on any healthy server, so hitting it means a stuck server, not a slow one.
pub const STATEMENT_TIMEOUT_MS: u32 = 30_000;

/// The channel pushes NOTIFY, so pullers wake at once instead of polling.
pub const NOTIFY_CHANNEL: &str = "shelfsync_hub";

/// Serialises writers to the shared log, so the hub's sequence order is commit order.
pub const PUSH_LOCK: i64 = 0x0053_4845_4C46_5301;
/// Serialises schema migrations between workstations connecting at the same time.
const MIGRATION_LOCK: i64 = 0x0053_4845_4C46_5302;

/// A PEM file of extra trusted CAs for the hub's certificate, beside the platform's roots: a hub
/// on a LAN often has a certificate from the company's own CA.
pub const CA_ENV: &str = "SHELFSYNC_HUB_CA";

/// A checked hub address. Displays as `user@host:port/database`: never the password.
#[derive(Clone)]
pub struct HubTarget {
    config: Config,
    display: String,
    ca_file: Option<std::path::PathBuf>,
}

impl std::fmt::Display for HubTarget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.display)
    }
}

impl std::fmt::Debug for HubTarget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "HubTarget({})", self.display)
    }
}

/// The most query parameters a hub URL may carry: a handful are meaningful; a limit keeps a
/// pasted blob from being parsed at length.
const MAX_URL_PARAMS: usize = 16;

impl HubTarget {
    /// Parses `postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?sslmode=...&sslrootcert=PATH]`.
    ///
    /// TLS is required for any hub that is not on this machine: with no `sslmode` such a hub
    /// gets `require`, and `disable`, `allow` or `prefer` are refused here, before any
    /// connection, because each lets someone on the network read the password and the ledger
    /// (`prefer` falls back to plain text when a man in the middle says the server has no TLS).
    /// `require`, `verify-ca` and `verify-full` all mean the same here: rustls always checks the
    /// certificate chain and the host name. `sslrootcert=PATH` (or `SHELFSYNC_HUB_CA`) adds a
    /// private CA to the platform's roots.
    pub fn parse(url: &str) -> Result<HubTarget> {
        let url = url.trim();
        if !(url.starts_with("postgres://") || url.starts_with("postgresql://")) {
            return Err(HubError::InvalidUrl(
                "expected postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE".into(),
            ));
        }
        let (base, query) = url.split_once('?').unwrap_or((url, ""));
        let mut kept: Vec<&str> = Vec::new();
        let mut sslmode: Option<String> = None;
        let mut sslrootcert: Option<String> = None;
        for (n, param) in query.split('&').filter(|p| !p.is_empty()).enumerate() {
            if n >= MAX_URL_PARAMS {
                return Err(HubError::InvalidUrl(format!("more than {MAX_URL_PARAMS} parameters")));
            }
            match param.split_once('=') {
                Some(("sslmode", value)) => sslmode = Some(percent_decode(value)?),
                Some(("sslrootcert", value)) => sslrootcert = Some(percent_decode(value)?),
                _ => kept.push(param),
            }
        }
        let rest = if kept.is_empty() { base.to_string() } else { format!("{base}?{}", kept.join("&")) };
        let mut config =
            Config::from_str(&rest).map_err(|e| HubError::InvalidUrl(redact(&e.to_string(), url)))?;
        let host = match config.get_hosts().first() {
            Some(tokio_postgres::config::Host::Tcp(host)) => host.clone(),
            #[cfg(unix)]
            Some(tokio_postgres::config::Host::Unix(path)) => path.display().to_string(),
            None => return Err(HubError::InvalidUrl("no host (postgres://USER@HOST/DATABASE)".into())),
        };
        let Some(database) = config.get_dbname().map(str::to_string) else {
            return Err(HubError::InvalidUrl("no database name (postgres://USER@HOST/DATABASE)".into()));
        };
        let Some(user) = config.get_user().map(str::to_string) else {
            return Err(HubError::InvalidUrl("no user name (postgres://USER@HOST/DATABASE)".into()));
        };
        let port = config.get_ports().first().copied().unwrap_or(5432);
        let display = format!("{user}@{host}:{port}/{database}");
        let local = is_on_this_machine(&config);
        config.ssl_mode(tls_mode(local, sslmode.as_deref(), &display)?);
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(CONNECT_TIMEOUT);
        }
        // Dead peers (a pulled cable) are noticed by keepalives instead of hanging a pull.
        config.keepalives_idle(Duration::from_secs(30));
        config.options(format!("-c statement_timeout={STATEMENT_TIMEOUT_MS}"));
        config.application_name("shelfsync");
        let ca_file = sslrootcert
            .map(std::path::PathBuf::from)
            .or_else(|| std::env::var_os(CA_ENV).filter(|v| !v.is_empty()).map(std::path::PathBuf::from));
        Ok(HubTarget { config, display, ca_file })
    }

    /// Trusts the CAs in this PEM file too (instead of `sslrootcert` or `SHELFSYNC_HUB_CA`).
    pub fn with_ca_file(mut self, path: impl Into<std::path::PathBuf>) -> HubTarget {
        self.ca_file = Some(path.into());
        self
    }

    /// Uses this password (kept with the secrets, or read from the environment or a prompt).
    pub fn with_password(mut self, password: &str) -> HubTarget {
        self.config.password(password);
        self
    }

    /// Connects as `user` instead (the workstation's own role).
    pub fn with_user(mut self, user: &str) -> HubTarget {
        self.config.user(user);
        let at = self.display.find('@').map_or(0, |i| i + 1);
        self.display = format!("{user}@{}", &self.display[at..]);
        self
    }

    /// The URL carries a password (`postgres://USER:PASSWORD@...` or `?password=`).
    pub fn has_password(&self) -> bool {
        self.config.get_password().is_some_and(|p| !p.is_empty())
    }

    pub fn user(&self) -> &str {
        self.config.get_user().unwrap_or_default()
    }

    /// What TLS this target will use: `require` unless the hub is on this machine.
    pub fn ssl_mode(&self) -> SslMode {
        self.config.get_ssl_mode()
    }
}

/// True when every address names this machine: a Unix socket, `localhost` or a loopback IP
/// (and any `hostaddr` too). Only then may TLS be off: nothing crosses a network.
fn is_on_this_machine(config: &Config) -> bool {
    use tokio_postgres::config::Host;
    let hosts_local = config.get_hosts().iter().all(|host| match host {
        Host::Tcp(name) => {
            name.eq_ignore_ascii_case("localhost")
                || name
                    .trim_start_matches('[')
                    .trim_end_matches(']')
                    .parse::<std::net::IpAddr>()
                    .is_ok_and(|ip| ip.is_loopback())
        }
        #[cfg(unix)]
        Host::Unix(_) => true,
    });
    hosts_local && config.get_hostaddrs().iter().all(|ip| ip.is_loopback())
}

/// The TLS mode for a hub, or the refusal: see [`HubTarget::parse`].
fn tls_mode(on_this_machine: bool, sslmode: Option<&str>, target: &str) -> Result<SslMode> {
    let mode = match sslmode {
        None if on_this_machine => SslMode::Prefer,
        None | Some("require" | "verify-ca" | "verify-full") => SslMode::Require,
        Some("disable") => SslMode::Disable,
        Some("allow" | "prefer") => SslMode::Prefer,
        Some(other) => {
            return Err(HubError::InvalidUrl(format!(
                "sslmode={other}: expected require, verify-ca, verify-full (the same here: the \
                 certificate and host name are always verified), or disable/prefer for a hub on \
                 this machine"
            )));
        }
    };
    if mode != SslMode::Require && !on_this_machine {
        return Err(HubError::InsecureHub {
            target: target.to_string(),
            sslmode: sslmode.unwrap_or_default().to_string(),
        });
    }
    Ok(mode)
}

/// Decodes `%XX` escapes in a URL parameter (a CA file path with spaces or '&').
fn percent_decode(value: &str) -> Result<String> {
    let bytes = value.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = value.get(i + 1..i + 3).and_then(|h| u8::from_str_radix(h, 16).ok());
            let Some(byte) = hex else {
                return Err(HubError::InvalidUrl(format!("bad %-escape in '{value}'")));
            };
            out.push(byte);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| HubError::InvalidUrl(format!("'{value}' is not UTF-8")))
}

/// The URL with its user replaced (and no password): `postgres://USER@HOST...`.
pub fn url_with_user(url: &str, user: &str) -> Result<String> {
    let url = url.trim();
    let (scheme, rest) = url.split_once("://").ok_or_else(|| HubError::InvalidUrl("no scheme".into()))?;
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let Some(at) = rest[..authority_end].rfind('@') else {
        return Err(HubError::InvalidUrl(
            "give the user before the host: postgres://USER@HOST/DATABASE".into(),
        ));
    };
    Ok(format!("{scheme}://{user}@{}", &rest[at + 1..]))
}

/// Removes the password from a message that might echo the URL.
fn redact(message: &str, url: &str) -> String {
    let password = url
        .split_once("://")
        .and_then(|(_, rest)| rest.split_once('@'))
        .and_then(|(userinfo, _)| userinfo.split_once(':'))
        .map(|(_, password)| password)
        .filter(|p| !p.is_empty());
    match password {
        Some(password) => message.replace(password, "***"),
        None => message.to_string(),
    }
}

/// TLS: the platform's trust store (plus the CA file, if any) through rustls with the ring
/// provider. The native roots are loaded once: that reads the whole certificate store.
fn tls(target: &HubTarget) -> Result<MakeRustlsConnect> {
    static NATIVE: OnceLock<rustls::RootCertStore> = OnceLock::new();
    let mut roots = NATIVE
        .get_or_init(|| {
            let mut roots = rustls::RootCertStore::empty();
            for cert in rustls_native_certs::load_native_certs().certs {
                let _ = roots.add(cert);
            }
            roots
        })
        .clone();
    if let Some(path) = &target.ca_file {
        use rustls::pki_types::CertificateDer;
        use rustls::pki_types::pem::PemObject;
        let unreadable =
            |reason: String| HubError::Tls(format!("cannot use the CA file {}: {reason}", path.display()));
        let mut added = 0;
        for cert in CertificateDer::pem_file_iter(path).map_err(|e| unreadable(e.to_string()))? {
            roots.add(cert.map_err(|e| unreadable(e.to_string()))?).map_err(|e| unreadable(e.to_string()))?;
            added += 1;
        }
        if added == 0 {
            return Err(unreadable("no certificate in it".into()));
        }
    }
    let config =
        rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
            .with_safe_default_protocol_versions()
            .expect("ring supports the default TLS versions")
            .with_root_certificates(roots)
            .with_no_client_auth();
    Ok(MakeRustlsConnect::new(config))
}

/// An open connection, and a wake-up for every NOTIFY on [`NOTIFY_CHANNEL`].
pub struct HubConn {
    pub client: Client,
    pub target: String,
    pub notified: Arc<Notify>,
}

impl HubConn {
    /// Maps a driver error to one naming this hub. Owns its copy of the name, so it can be held
    /// while the client is borrowed mutably (a transaction).
    pub fn fail(&self) -> impl Fn(tokio_postgres::Error) -> HubError + 'static {
        let target = self.target.clone();
        move |error| HubError::Postgres { target: target.clone(), reason: describe(&error) }
    }

    pub fn is_closed(&self) -> bool {
        self.client.is_closed()
    }

    /// Subscribes to the pushes' NOTIFY.
    pub async fn listen(&self) -> Result<()> {
        self.client.batch_execute(&format!("LISTEN {NOTIFY_CHANNEL}")).await.map_err(self.fail())
    }
}

/// The driver's message with its cause ("db error: ERROR: ...", "Connection refused").
fn describe(error: &tokio_postgres::Error) -> String {
    use std::error::Error;
    match (error.as_db_error(), error.source()) {
        (Some(db), _) => db.message().to_string(),
        (None, Some(source)) => format!("{error}: {source}"),
        (None, None) => error.to_string(),
    }
}

/// Connects within [`CONNECT_TIMEOUT`] and drives the connection on a task of its own.
pub async fn connect(target: &HubTarget) -> Result<HubConn> {
    let unreachable = |reason: String| HubError::Unreachable { target: target.display.clone(), reason };
    let connecting = target.config.connect(tls(target)?);
    let (client, mut connection) = tokio::time::timeout(CONNECT_TIMEOUT + Duration::from_secs(1), connecting)
        .await
        .map_err(|_| unreachable(format!("no answer within {} s", CONNECT_TIMEOUT.as_secs())))?
        .map_err(|e| unreachable(describe(&e)))?;
    let notified = Arc::new(Notify::new());
    let wake = notified.clone();
    tokio::spawn(async move {
        while let Some(message) = std::future::poll_fn(|cx| connection.poll_message(cx)).await {
            match message {
                Ok(AsyncMessage::Notification(_)) => wake.notify_one(),
                Ok(_) => {}
                Err(_) => break,
            }
        }
        // Closed: wake the loop so it notices and reconnects.
        wake.notify_one();
    });
    Ok(HubConn { client, target: target.display.clone(), notified })
}

/// The newest hub schema this program knows.
pub fn known_schema_version() -> i32 {
    migrations().last().map_or(0, |(version, _, _)| *version)
}

fn migrations() -> Vec<(i32, String, &'static str)> {
    let mut all: Vec<(i32, String, &'static str)> = HUB_MIGRATIONS
        .dirs()
        .filter_map(|dir| {
            let name = dir.path().file_name()?.to_str()?.to_string();
            let version: i32 = name.split('-').next()?.parse().ok()?;
            let sql = dir.get_file(dir.path().join("up.sql"))?.contents_utf8()?;
            Some((version, name, sql))
        })
        .collect();
    all.sort_by_key(|(version, _, _)| *version);
    all
}

/// Brings the hub schema up to date in one transaction, under a lock, so two workstations
/// connecting at once cannot both apply a migration. Returns the hub's id.
pub async fn migrate(hub: &mut HubConn) -> Result<String> {
    let target = hub.target.clone();
    let fail = |error: tokio_postgres::Error| HubError::Postgres {
        target: target.clone(),
        reason: describe(&error),
    };
    let known = known_schema_version();
    // Up to date already: read only, so a workstation's own role (which may create nothing)
    // gets through; only the owner's login changes the schema.
    let row = hub
        .client
        .query_one(
            "SELECT to_regclass('schema_migrations') IS NOT NULL AND to_regclass('hub_meta') IS NOT NULL,
                    current_user::text",
            &[],
        )
        .await
        .map_err(&fail)?;
    let (exists, user): (bool, String) = (row.get(0), row.get(1));
    let mut found = 0;
    if exists {
        found = hub
            .client
            .query_one("SELECT coalesce(max(version), 0) FROM schema_migrations", &[])
            .await
            .map_err(&fail)?
            .get(0);
        if found == known
            && let Some(row) =
                hub.client.query_opt("SELECT hub_id FROM hub_meta", &[]).await.map_err(&fail)?
        {
            return Ok(row.get(0));
        }
    }
    let needs_owner = |error: tokio_postgres::Error| match error.code() {
        Some(&tokio_postgres::error::SqlState::INSUFFICIENT_PRIVILEGE) => {
            HubError::SchemaNeedsOwner { found, known, user: user.clone() }
        }
        _ => fail(error),
    };
    let tx = hub.client.transaction().await.map_err(&fail)?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK]).await.map_err(&fail)?;
    tx.batch_execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations (
             version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())",
    )
    .await
    .map_err(&needs_owner)?;
    let applied: i32 = tx
        .query_one("SELECT coalesce(max(version), 0) FROM schema_migrations", &[])
        .await
        .map_err(&fail)?
        .get(0);
    if applied > known {
        return Err(HubError::SchemaTooNew { found: applied, known });
    }
    for (version, name, sql) in migrations().into_iter().filter(|(v, _, _)| *v > applied) {
        tx.batch_execute(sql).await.map_err(&needs_owner)?;
        tx.execute("INSERT INTO schema_migrations (version, name) VALUES ($1, $2)", &[&version, &name])
            .await
            .map_err(&fail)?;
    }
    let fresh_id = uuid::Uuid::now_v7().to_string();
    tx.execute("INSERT INTO hub_meta (id, hub_id) VALUES (1, $1) ON CONFLICT (id) DO NOTHING", &[&fresh_id])
        .await
        .map_err(&needs_owner)?;
    let hub_id: String = tx.query_one("SELECT hub_id FROM hub_meta", &[]).await.map_err(&fail)?.get(0);
    tx.commit().await.map_err(&fail)?;
    Ok(hub_id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_checked_and_shown_without_their_password() {
        let good = [
            ("postgres://me:pw@db.local/hub", "me@db.local:5432/hub"),
            ("postgresql://me@10.0.0.5:6543/ledger?sslmode=require", "me@10.0.0.5:6543/ledger"),
            ("  postgres://me:p%40ss@h/x  ", "me@h:5432/x"),
        ];
        for (url, shown) in good {
            let target = HubTarget::parse(url).unwrap_or_else(|e| panic!("{url}: {e}"));
            assert_eq!(target.to_string(), shown);
            assert!(!format!("{target:?}").contains("pw"), "{target:?}");
        }
        let bad = [
            ("mysql://me@h/x", "expected postgres://"),
            ("postgres://me@h", "no database name"),
            ("postgres://h/x", "no user name"),
            ("postgres://me:pw@h:notaport/x", "invalid hub URL"),
            ("", "expected postgres://"),
        ];
        for (url, expected) in bad {
            let message = HubTarget::parse(url).err().map(|e| e.to_string()).unwrap_or_default();
            assert!(message.contains(expected), "{url}: {message}");
        }
        assert_eq!(redact("bad value pw in x", "postgres://me:pw@h/x"), "bad value *** in x");
    }

    /// TLS is decided before any connection: (url, Ok(mode) or Err(part of the refusal)).
    #[test]
    fn a_hub_off_this_machine_needs_tls_and_the_refusal_comes_before_connecting() {
        use SslMode::*;
        let insecure = "is not on this machine, so TLS is required";
        let cases: [(&str, std::result::Result<SslMode, &str>); 22] = [
            // Off this machine: require by default; anything weaker is refused.
            ("postgres://ws@hub.lan/shelf", Ok(Require)),
            ("postgres://ws@hub.lan/shelf?sslmode=require", Ok(Require)),
            ("postgres://ws@hub.lan/shelf?sslmode=verify-full", Ok(Require)),
            ("postgres://ws@hub.lan/shelf?sslmode=verify-ca", Ok(Require)),
            ("postgres://ws@hub.lan/shelf?sslmode=prefer", Err(insecure)),
            ("postgres://ws@hub.lan/shelf?sslmode=disable", Err(insecure)),
            ("postgres://ws@hub.lan/shelf?sslmode=allow", Err(insecure)),
            ("postgres://ws@10.0.0.5:6543/shelf?sslmode=disable", Err(insecure)),
            ("postgres://ws@[2001:db8::1]/shelf?sslmode=prefer", Err(insecure)),
            // A name that only resolves to loopback is still a name: it could resolve elsewhere.
            ("postgres://ws@localhost.example.com/shelf?sslmode=disable", Err(insecure)),
            // A loopback host with a remote hostaddr goes over the network.
            ("postgres://ws@localhost/shelf?hostaddr=10.1.2.3&sslmode=disable", Err(insecure)),
            ("postgres://ws@hub.lan/shelf?hostaddr=127.0.0.1&sslmode=disable", Err(insecure)),
            ("postgres://ws@hub.lan/shelf?sslmode=bogus", Err("sslmode=bogus: expected require")),
            // On this machine, TLS is the operator's choice.
            ("postgres://ws@127.0.0.1/shelf?sslmode=disable", Ok(Disable)),
            ("postgres://ws@127.0.0.7/shelf?sslmode=disable", Ok(Disable)),
            ("postgres://ws@localhost/shelf?sslmode=disable", Ok(Disable)),
            ("postgres://ws@LOCALHOST/shelf", Ok(Prefer)),
            ("postgres://ws@[::1]:5433/shelf?sslmode=prefer", Ok(Prefer)),
            ("postgres://ws@localhost/shelf?sslmode=require", Ok(Require)),
            ("postgres://ws@localhost/shelf?hostaddr=127.0.0.1&sslmode=disable", Ok(Disable)),
            ("postgres://ws@%2Frun%2Fpostgresql/shelf?sslmode=disable", Ok(Disable)),
            ("postgres://ws@hub.lan/shelf?sslmode=require&sslrootcert=%2Fetc%2Fca%20x.pem", Ok(Require)),
        ];
        for (url, expected) in cases {
            match (HubTarget::parse(url), expected) {
                (Ok(target), Ok(mode)) => assert_eq!(target.ssl_mode(), mode, "{url}"),
                (Err(error), Err(part)) => {
                    let message = error.to_string();
                    assert!(message.contains(part), "{url}: {message}");
                    if part == insecure {
                        assert!(message.contains("use sslmode=require"), "{url}: {message}");
                    }
                }
                (got, want) => panic!("{url}: got {:?}, want {want:?}", got.map(|t| t.ssl_mode())),
            }
        }
        let target = HubTarget::parse("postgres://ws@hub.lan/shelf?sslrootcert=%2Fetc%2Fca%20x.pem").unwrap();
        assert_eq!(target.ca_file.as_deref(), Some(std::path::Path::new("/etc/ca x.pem")));
        assert!(HubTarget::parse("postgres://ws@hub.lan/shelf?sslrootcert=%zz").is_err());
    }

    #[test]
    fn the_stored_url_names_the_workstation_and_no_password() {
        let cases = [
            (
                "postgres://admin:pw@hub.lan:5433/shelf?sslmode=require",
                "postgres://ws-1@hub.lan:5433/shelf?sslmode=require",
            ),
            ("postgresql://admin@127.0.0.1/x", "postgresql://ws-1@127.0.0.1/x"),
            (
                "postgres://a%40b:p%40ss@h/x?sslrootcert=%2Fca.pem",
                "postgres://ws-1@h/x?sslrootcert=%2Fca.pem",
            ),
        ];
        for (url, stored) in cases {
            assert_eq!(url_with_user(url, "ws-1").unwrap(), stored);
        }
        assert!(url_with_user("postgres://h/x?user=a", "ws-1").is_err());
    }

    #[test]
    fn a_target_can_take_a_password_and_another_user_without_showing_either_password() {
        let target = HubTarget::parse("postgres://admin@hub.lan/shelf").unwrap();
        assert!(!target.has_password());
        let target = target.with_password("s3cret").with_user("ws-1");
        assert!(target.has_password());
        assert_eq!(target.user(), "ws-1");
        assert_eq!(target.to_string(), "ws-1@hub.lan:5432/shelf");
        assert!(!format!("{target:?}").contains("s3cret"));
        assert!(HubTarget::parse("postgres://a:pw@hub.lan/shelf").unwrap().has_password());
        assert!(HubTarget::parse("postgres://a@hub.lan/shelf?password=pw").unwrap().has_password());
    }

    #[test]
    fn the_embedded_hub_migrations_are_numbered_in_order() {
        let versions: Vec<i32> = migrations().iter().map(|(v, _, _)| *v).collect();
        assert!(!versions.is_empty());
        assert_eq!(versions, (1..=versions.len() as i32).collect::<Vec<_>>());
        assert_eq!(known_schema_version(), *versions.last().unwrap());
    }
}
