//! Where the database is, and how it comes up.
//!
//! Start-up must not block the window: opening an empty database and loading the demo takes
//! ~2 s in a debug build. [`AppState::boot`] runs on its own thread; until it finishes, every
//! command but `app_info` answers [`AppError::Starting`] and the UI shows a loading screen by
//! polling `app_info`. The store sits behind one `Mutex`: SQLite allows one writer anyway, and
//! every read here takes milliseconds.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, OnceLock};
use std::time::Instant;

use shelfsync_core::Role;
use shelfsync_store::Store;

use crate::error::{AppError, Result};
use crate::ipc::{AppInfo, Phase};
use crate::session::Sessions;

/// Environment variable naming the database file; tests point it at a temporary file.
pub const DB_ENV: &str = "SHELFSYNC_DB";
/// What an empty database gets at start-up: `on` (the demo), `off` (never the demo), `ask` (the
/// first-run screen, which offers it). Unset: the demo in a debug build, the first-run screen in
/// a release build. See [`DemoPolicy::choose`].
pub const DEMO_ENV: &str = "SHELFSYNC_DEMO";
/// Set to `off` to start a demo database without its simulated channels (`demo_channels`). In
/// every build, as the workstation setting it overrides is listed in every build.
pub const DEMO_CHANNELS_ENV: &str = "SHELFSYNC_DEMO_CHANNELS";
/// Seed of the demo catalogue: the same seed gives the same items and history everywhere.
#[cfg(feature = "demo")]
pub const DEMO_SEED: u64 = 7;
/// Actor the demo loader records on its events; how a demo database is recognised later.
#[cfg(feature = "demo")]
const DEMO_ACTOR: &str = "demo";

/// The demo's accounts, created when the demo loads into a database without users. The first
/// must be the admin: the store only lets an admin bootstrap a user table.
pub const DEMO_USERS: [(&str, Role, &str); 3] =
    [("admin", Role::Admin, "3333"), ("staff", Role::Staff, "1111"), ("super", Role::Supervisor, "2222")];

/// What happens to an empty database (no events, no items, no users) at start-up.
///
/// A release build never loads the demo by itself: a warehouse installing ShelfSync must not
/// find 1,000 made-up SKUs in its ledger (they would be pushed to its channels as soon as one is
/// connected). Developers and the e2e tests want the demo at once, so debug builds keep it.
/// A build without the `demo` feature has no demo at all, so no policy either.
#[cfg(feature = "demo")]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DemoPolicy {
    /// Load the demo into an empty database before the sign-in screen.
    LoadWhenEmpty,
    /// Open the first-run screen: "Try the demo" or "Set up this warehouse".
    Ask,
    /// Never load the demo: the first-run screen offers the set-up only.
    Never,
}

#[cfg(feature = "demo")]
impl DemoPolicy {
    /// `$SHELFSYNC_DEMO` for this build; a value it does not know is reported and ignored.
    pub fn from_env() -> DemoPolicy {
        let value = std::env::var(DEMO_ENV).ok();
        let policy = DemoPolicy::choose(cfg!(debug_assertions), value.as_deref());
        if let Some(v) = value.as_deref().filter(|v| DemoPolicy::parse(v).is_none() && !v.trim().is_empty()) {
            tracing::warn!(value = v, ?policy, "ignoring {DEMO_ENV}: use on, off or ask");
        }
        policy
    }

    /// The policy for a build (`debug_build`: `cfg!(debug_assertions)`) and the variable's
    /// value. Pure, so every combination is tested without touching the environment.
    pub fn choose(debug_build: bool, value: Option<&str>) -> DemoPolicy {
        match value.and_then(DemoPolicy::parse) {
            Some(policy) => policy,
            None if debug_build => DemoPolicy::LoadWhenEmpty,
            None => DemoPolicy::Ask,
        }
    }

    fn parse(value: &str) -> Option<DemoPolicy> {
        match value.trim().to_ascii_lowercase().as_str() {
            "on" | "1" | "true" | "yes" => Some(DemoPolicy::LoadWhenEmpty),
            "off" | "0" | "false" | "no" => Some(DemoPolicy::Never),
            "ask" | "first-run" => Some(DemoPolicy::Ask),
            _ => None,
        }
    }

    /// Whether the first-run screen may offer "Try the demo".
    pub fn offers_demo(self) -> bool {
        self != DemoPolicy::Never
    }
}

/// `$SHELFSYNC_DB`, else `shelfsync.db` in the user's data folder: the same file the
/// `shelfsync` CLI uses by default, so both see one ledger.
pub fn db_path_from_env() -> Result<PathBuf> {
    if let Some(path) = std::env::var_os(DB_ENV).filter(|p| !p.is_empty()) {
        return Ok(PathBuf::from(path));
    }
    directories::ProjectDirs::from("app", "ShelfSync", "shelfsync")
        .map(|dirs| dirs.data_dir().join("shelfsync.db"))
        .ok_or_else(|| AppError::Unavailable(format!("no home folder; set {DB_ENV}=/path/to/shelfsync.db")))
}

struct Boot {
    phase: Phase,
    demo: bool,
    error: Option<String>,
    /// The policy the store was opened with; the first-run screen asks it about the demo.
    #[cfg(feature = "demo")]
    policy: DemoPolicy,
}

pub struct AppState {
    db_path: PathBuf,
    boot: Mutex<Boot>,
    store: OnceLock<Mutex<Store>>,
    /// Who is signed in: the only source of the acting user for every command.
    pub sessions: Sessions,
    /// This machine's name, recorded on every event and audit entry.
    workstation: String,
    /// The last drift audit of this session, kept for its CSV export (audits read channels
    /// live and are not stored by the capture crate).
    last_drift: Mutex<Option<crate::ipc::DriftReportView>>,
    /// The demo's simulated channels, once started (demo databases only).
    #[cfg(feature = "demo")]
    demo_channels: OnceLock<crate::demo_channels::DemoChannels>,
    /// The live service (engine, polls, reconciliation, drift, FBA, alerts) running in-process
    /// on every database once it is open; `None` before that, or when it could not start.
    service: Mutex<Option<shelfsync_capture::service::ServiceHandle>>,
    /// The last full re-push started per channel from this window, for its progress bar.
    pub repushes: crate::repush::Repushes,
    /// The CSV import running in this window, or the last one, for its progress bar.
    pub imports: crate::import::Imports,
}

impl AppState {
    pub fn new(db_path: PathBuf) -> AppState {
        AppState::with_idle(db_path, crate::session::DEFAULT_IDLE)
    }

    pub fn with_idle(db_path: PathBuf, idle: std::time::Duration) -> AppState {
        AppState {
            db_path,
            boot: Mutex::new(Boot {
                phase: Phase::Opening,
                demo: false,
                error: None,
                #[cfg(feature = "demo")]
                policy: DemoPolicy::Never,
            }),
            store: OnceLock::new(),
            sessions: Sessions::new(idle),
            workstation: workstation_name(),
            last_drift: Mutex::new(None),
            #[cfg(feature = "demo")]
            demo_channels: OnceLock::new(),
            service: Mutex::new(None),
            repushes: crate::repush::Repushes::default(),
            imports: crate::import::Imports::default(),
        }
    }

    /// On a demo database, starts the simulated channels (see `demo_channels`). A failure is
    /// reported and the app goes on without them.
    #[cfg(feature = "demo")]
    pub fn start_demo_channels(&self) {
        if !self.is_demo() || !crate::demo_channels::enabled_from_env() || self.demo_channels.get().is_some()
        {
            return;
        }
        match crate::demo_channels::DemoChannels::start(&self.db_path) {
            Ok(channels) => {
                let _ = self.demo_channels.set(channels);
            }
            Err(error) => tracing::error!(%error, "the demo channels did not start"),
        }
    }

    /// A build without the demo has no simulated channels to start (and no demo database: see
    /// [`AppState::boot_from_env`]).
    #[cfg(not(feature = "demo"))]
    pub fn start_demo_channels(&self) {}

    /// Starts the live service in this process, on any database (demo or real), once the store
    /// is open: a scan then reaches the channels with no other program running. Another
    /// workstation (or a `shelfsync serve`) holding the lease is normal: this one then receives
    /// webhooks only, if configured, and takes over when the holder stops.
    pub fn start_service(&self) {
        if self.store.get().is_none() || !crate::service::enabled_from_env() {
            return;
        }
        let mut service = self.lock_service();
        if service.is_some() {
            return;
        }
        match crate::service::config(&self.workstation).and_then(|config| {
            shelfsync_capture::service::spawn(&self.db_path, config)
                .map_err(|e| AppError::Unavailable(e.to_string()))
        }) {
            Ok(handle) => {
                tracing::info!(holder = %handle.status().holder, "live service started");
                *service = Some(handle);
            }
            Err(error) => tracing::error!(%error, "the live service did not start"),
        }
    }

    /// What the in-process service is doing, if it runs.
    pub fn service_status(&self) -> Option<shelfsync_capture::service::ServiceStatus> {
        self.lock_service().as_ref().map(|s| s.status())
    }

    /// Stops the service (its engine finishes its round and hands the lease over), then the
    /// demo's simulator. Called when the app exits.
    pub fn shutdown(&self) {
        if let Some(service) = self.lock_service().take()
            && let Err(error) = service.stop(crate::service::STOP_TIMEOUT)
        {
            tracing::warn!(%error, "the live service did not stop cleanly");
        }
    }

    fn lock_service(&self) -> MutexGuard<'_, Option<shelfsync_capture::service::ServiceHandle>> {
        self.service.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub fn workstation(&self) -> &str {
        &self.workstation
    }

    pub fn last_drift(&self) -> MutexGuard<'_, Option<crate::ipc::DriftReportView>> {
        self.last_drift.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub fn is_demo(&self) -> bool {
        self.lock_boot().demo
    }

    pub fn db_path(&self) -> &Path {
        &self.db_path
    }

    /// Opens the store as `$SHELFSYNC_DEMO` says (see [`DemoPolicy`]); in a build without the
    /// demo, just opens it. Call once, off the UI thread.
    pub fn boot_from_env(&self) {
        #[cfg(feature = "demo")]
        self.boot(DemoPolicy::from_env());
        #[cfg(not(feature = "demo"))]
        {
            if let Some(value) =
                std::env::var(DEMO_ENV).ok().filter(|v| !v.trim().is_empty() && v.trim() != "off")
            {
                tracing::warn!(value, "ignoring {DEMO_ENV}: this build has no demo");
            }
            let started = Instant::now();
            self.finish_boot(started, Store::open(&self.db_path).map_err(AppError::from));
        }
    }

    /// Opens the store and, when it is brand new, loads the demo. Call once, off the UI thread.
    #[cfg(feature = "demo")]
    pub fn boot(&self, policy: DemoPolicy) {
        let started = Instant::now();
        self.lock_boot().policy = policy;
        self.finish_boot(started, self.open_and_seed(policy));
    }

    /// Keeps the opened store (or why it could not open) and says the database is ready.
    fn finish_boot(&self, started: Instant, opened: Result<Store>) {
        match opened {
            Ok(store) => {
                #[cfg(feature = "demo")]
                let demo = is_demo(&store).unwrap_or(false);
                // Without the demo no database is treated as one (no demo accounts on it).
                #[cfg(not(feature = "demo"))]
                let demo = false;
                assert!(self.store.set(Mutex::new(store)).is_ok(), "boot runs once");
                let mut boot = self.lock_boot();
                boot.demo = demo;
                boot.phase = Phase::Ready;
                tracing::info!(
                    db = %self.db_path.display(),
                    ms = started.elapsed().as_millis() as u64,
                    demo,
                    "database ready"
                );
            }
            Err(error) => {
                tracing::error!(db = %self.db_path.display(), %error, "cannot open the database");
                let mut boot = self.lock_boot();
                boot.phase = Phase::Failed;
                boot.error = Some(error.to_string());
            }
        }
    }

    #[cfg(feature = "demo")]
    fn open_and_seed(&self, policy: DemoPolicy) -> Result<Store> {
        let mut store = Store::open(&self.db_path)?;
        // Only a database with neither events nor items is new; one with a catalogue but no
        // stock yet belongs to someone and must not get demo items mixed in.
        let fresh = store.event_count()? == 0 && store.items()?.is_empty();
        if fresh && policy == DemoPolicy::LoadWhenEmpty {
            self.lock_boot().phase = Phase::LoadingDemo;
            let events = shelfsync_store::demo::load(&mut store, DEMO_SEED)?;
            tracing::info!(events, "loaded the demo catalogue");
        }
        if is_demo(&store)? && store.user_count()? == 0 {
            add_demo_users(&mut store, &self.workstation)?;
        }
        Ok(store)
    }

    /// The policy start-up ran with.
    #[cfg(feature = "demo")]
    pub fn demo_policy(&self) -> DemoPolicy {
        self.lock_boot().policy
    }

    /// "Try the demo" on the first-run screen: the demo catalogue and its users go into this
    /// database, which must be empty (no events, no items, no users); checked and loaded under
    /// one hold of the store, so nothing else can slip in between. The caller starts the demo
    /// channels afterwards.
    #[cfg(feature = "demo")]
    pub fn load_demo_into_empty(&self) -> Result<u64> {
        let mut store = self.store()?;
        if store.user_count()? > 0 {
            return Err(AppError::BadRequest(crate::first_run::ALREADY_SET_UP.into()));
        }
        if store.event_count()? > 0 || !store.items()?.is_empty() {
            return Err(AppError::BadRequest(
                "This database already holds items or stock, so the demo cannot be added to it. \
                 Choose \"Set up this warehouse\" instead."
                    .into(),
            ));
        }
        let events = shelfsync_store::demo::load(&mut store, DEMO_SEED)?;
        add_demo_users(&mut store, &self.workstation)?;
        drop(store);
        self.lock_boot().demo = true;
        tracing::info!(events, "loaded the demo catalogue from the first-run screen");
        Ok(events)
    }

    /// The store, once start-up has finished.
    pub fn store(&self) -> Result<MutexGuard<'_, Store>> {
        match self.store.get() {
            // A panic while holding the lock cannot leave SQLite half-written (its transactions
            // roll back), so a poisoned lock is safe to keep using.
            Some(store) => Ok(store.lock().unwrap_or_else(|poisoned| poisoned.into_inner())),
            None => match &self.lock_boot().error {
                Some(error) => Err(AppError::Unavailable(error.clone())),
                None => Err(AppError::Starting),
            },
        }
    }

    pub fn info(&self) -> Result<AppInfo> {
        let (phase, demo, error) = {
            let boot = self.lock_boot();
            (boot.phase.clone(), boot.demo, boot.error.clone())
        };
        let (event_count, item_count, user_count) = match phase {
            Phase::Ready => {
                let store = self.store()?;
                (store.event_count()?, store.items()?.len() as u64, store.user_count()?)
            }
            _ => (0, 0, 0),
        };
        // Nobody can sign in yet: the first-run screen, whatever the database holds.
        let needs_setup = phase == Phase::Ready && user_count == 0;
        #[cfg(feature = "demo")]
        let (demo_channels, demo_offered) = (
            self.demo_channels.get().map(|d| d.url.clone()),
            needs_setup && self.demo_policy().offers_demo() && event_count == 0 && item_count == 0,
        );
        // A build without the demo never offers it, and runs no simulated channels.
        #[cfg(not(feature = "demo"))]
        let (demo_channels, demo_offered) = (None, false);
        Ok(AppInfo {
            phase,
            db_path: self.db_path.display().to_string(),
            demo,
            event_count,
            item_count,
            version: env!("CARGO_PKG_VERSION").to_string(),
            error,
            demo_channels,
            needs_setup,
            demo_offered,
            system_languages: os_languages().to_vec(),
        })
    }

    fn lock_boot(&self) -> MutexGuard<'_, Boot> {
        self.boot.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// A demo database is one whose first event was recorded by the demo loader.
#[cfg(feature = "demo")]
fn is_demo(store: &Store) -> Result<bool> {
    let first = store.first_event()?;
    Ok(first.is_some_and(|e| e.event.actor == DEMO_ACTOR && e.event.workstation == DEMO_ACTOR))
}

/// The demo accounts; the admin first, then the others created by it.
#[cfg(feature = "demo")]
fn add_demo_users(store: &mut Store, workstation: &str) -> Result<()> {
    let (admin_name, admin_role, admin_pin) = DEMO_USERS[0];
    let admin = store.add_user(admin_name, admin_role, admin_pin, None, workstation)?;
    for (name, role, pin) in &DEMO_USERS[1..] {
        store.add_user(name, *role, pin, Some(&admin), workstation)?;
    }
    tracing::info!("added the demo users");
    Ok(())
}

/// `$HOSTNAME`, else /etc/hostname, else "desktop": what the scanner crate records too.
fn workstation_name() -> String {
    std::env::var("HOSTNAME")
        .ok()
        .or_else(|| std::fs::read_to_string("/etc/hostname").ok())
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty() && s.len() <= 64)
        .unwrap_or_else(|| "desktop".into())
}

/// The operating system's languages, read once: `app_info` is polled every few seconds and the
/// system's language does not change under a running app.
fn os_languages() -> &'static [String] {
    static LANGUAGES: OnceLock<Vec<String>> = OnceLock::new();
    LANGUAGES.get_or_init(|| system_languages(sys_locale::get_locales()))
}

/// Languages a system may list; more preferences than this say nothing more to a UI that has two.
const MAX_SYSTEM_LANGUAGES: usize = 8;
/// A BCP 47 tag longer than this (35 is the longest the registry's grammar needs in practice) is
/// not a language worth sending; "C" and "POSIX" are no language at all.
const MAX_LANGUAGE_TAG: usize = 35;

/// The system's languages as the UI gets them: at most [`MAX_SYSTEM_LANGUAGES`] tags of at most
/// [`MAX_LANGUAGE_TAG`] printable ASCII characters, no "C" or "POSIX", no repeats.
pub fn system_languages(locales: impl IntoIterator<Item = String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for tag in locales {
        let tag = tag.trim().to_string();
        let plausible = !tag.is_empty()
            && tag.len() <= MAX_LANGUAGE_TAG
            && tag.chars().all(|c| c.is_ascii_graphic())
            && !matches!(tag.as_str(), "C" | "POSIX");
        if plausible && !out.contains(&tag) {
            out.push(tag);
        }
        if out.len() == MAX_SYSTEM_LANGUAGES {
            break;
        }
    }
    out
}

#[cfg(test)]
mod system_language_tests {
    use super::system_languages;

    #[test]
    fn the_system_languages_are_bounded_and_plausible() {
        let list = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let cases: [(&[&str], &[&str]); 5] = [
            (&["es-ES", "en-US"], &["es-ES", "en-US"]),
            (&["C", "POSIX", " pl-PL ", "pl-PL"], &["pl-PL"]),
            (&["", "de DE", "fr\u{e9}"], &[]),
            (&["a-b-c-d-e-f-g-h-i-j-k-l-m-n-o-p-q-r-s-t"], &[]),
            (&["a", "b", "c", "d", "e", "f", "g", "h", "i", "j"], &["a", "b", "c", "d", "e", "f", "g", "h"]),
        ];
        for (input, expected) in cases {
            assert_eq!(system_languages(list(input)), list(expected), "{input:?}");
        }
    }
}
