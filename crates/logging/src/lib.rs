//! Where ShelfSync's logs go, and what they may never contain.
//!
//! One set-up for every long-running face of ShelfSync: the desktop app and `shelfsync serve`.
//! [`init`] installs a global `tracing` subscriber that writes each event twice:
//!
//! - to a daily rolling file `<dir>/<component>.YYYY-MM-DD.log` (UTC dates), keeping the newest
//!   [`KEEP_FILES`] files; `<dir>` is the caller's, else `$SHELFSYNC_LOG_DIR`, else `logs/` in
//!   the data folder the default database lives in ([`default_log_dir`]);
//! - to stderr (the journal under systemd, the terminal in development).
//!
//! The file is written by `tracing-appender`'s non-blocking writer in lossy mode: an event is
//! queued (up to [`BUFFERED_LINES`]) and a worker thread writes it, so a slow or full disk never
//! blocks a scan, a command or the sync engine. When the queue is full the line is dropped; when
//! the disk is full the worker's write fails and the line is dropped: logging never panics and
//! never stops the program. `log` crate records (Tauri's, some libraries') are forwarded too.
//!
//! Secrets: nothing in ShelfSync passes a PIN or a channel credential to a log call (the
//! credentials crate's `Secret` prints `***` even with `{:?}`); as a second line of defence every
//! line goes through [`redact`] before it reaches a writer, which hides the known shapes of
//! channel tokens and the values of secret-bearing environment variables (`SHELFSYNC_*PIN*`,
//! `*TOKEN*`, `*SECRET*`, `*PASSWORD*`, 6 characters or more).
//!
//! Panics: [`init`] installs a hook that logs the panic (thread, `file:line:column`, message) as
//! an ERROR event and then flushes the file (a panic on the main thread ends the process, and a
//! queued line would be lost with it) before the default hook runs.

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock, RwLock};
use std::time::Duration;

use tracing_appender::non_blocking::{NonBlocking, NonBlockingBuilder, WorkerGuard};
use tracing_appender::rolling::{RollingFileAppender, Rotation};
use tracing_subscriber::filter::{LevelFilter, Targets};
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

/// Names the log folder, overriding the data folder's `logs/`.
pub const LOG_DIR_ENV: &str = "SHELFSYNC_LOG_DIR";
/// What to log, as `tracing` targets: `info` (the default), `debug`, `info,shelfsync_sync=debug`.
pub const LOG_FILTER_ENV: &str = "SHELFSYNC_LOG";
/// Daily files kept per component: two weeks of history for a support call, a bounded folder.
pub const KEEP_FILES: usize = 14;
/// Lines queued for the file writer before new ones are dropped (the worker drains thousands a
/// second; this only fills when the disk stalls).
pub const BUFFERED_LINES: usize = 16_384;
/// How long a panic waits for the queued lines to reach the file.
const FLUSH_WAIT: Duration = Duration::from_secs(1);
/// Shortest environment value treated as a secret to scrub: shorter ones (a 4-digit PIN) would
/// turn every matching number in a log line into `[redacted]`; those are kept out of log calls.
const MIN_ENV_SECRET_LEN: usize = 6;

#[derive(Debug, thiserror::Error)]
pub enum LoggingError {
    #[error("no log folder: no home folder to put one in; set {LOG_DIR_ENV}=/path/to/logs")]
    NoLogDir,
    #[error("cannot use the log folder {}: {source}", dir.display())]
    Dir { dir: PathBuf, source: io::Error },
    #[error("cannot open a log file in {}: {message}", dir.display())]
    File { dir: PathBuf, message: String },
    #[error("component name {0:?} must be 1 to 64 letters, digits, '-' or '_'")]
    Component(String),
    #[error("logging is already set up in this process")]
    AlreadyInitialised,
}

/// Keeps the file writer alive. Hold it until the program ends: dropping it flushes the queued
/// lines (waiting up to 1 s) and stops file logging.
pub struct Guard {
    file: Option<Arc<FileSink>>,
    dir: Option<PathBuf>,
}

impl Guard {
    /// The folder the log files are in (`None` when logging to stderr only).
    pub fn log_dir(&self) -> Option<&Path> {
        self.dir.as_deref()
    }

    /// Writes every queued line to the file now (waits up to 1 s).
    pub fn flush(&self) {
        if let Some(file) = &self.file {
            file.flush();
        }
    }

    /// Lines dropped so far because the queue was full.
    pub fn dropped_lines(&self) -> usize {
        self.file.as_ref().map_or(0, |file| file.dropped_lines())
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
        if let Some(file) = &self.file {
            file.close();
        }
    }
}

/// `logs/` in the data folder that holds the default database (the app's and the CLI's:
/// `~/.local/share/shelfsync/logs` on Linux, `%APPDATA%\ShelfSync\shelfsync\data\logs` on Windows).
pub fn default_log_dir() -> Option<PathBuf> {
    directories::ProjectDirs::from("app", "ShelfSync", "shelfsync").map(|dirs| dirs.data_dir().join("logs"))
}

/// `log_dir` if given, else `$SHELFSYNC_LOG_DIR`, else [`default_log_dir`].
pub fn resolve_log_dir(log_dir: Option<PathBuf>) -> Result<PathBuf, LoggingError> {
    log_dir
        .or_else(|| std::env::var_os(LOG_DIR_ENV).filter(|v| !v.is_empty()).map(PathBuf::from))
        .or_else(default_log_dir)
        .ok_or(LoggingError::NoLogDir)
}

/// Sets up logging for this process: the rolling file in the resolved folder, stderr, the panic
/// hook. `component` names the files (`shelfsync-app`, `shelfsync-serve`). Call once, first
/// thing in `main`, and keep the guard until `main` returns.
pub fn init(log_dir: Option<PathBuf>, component: &str) -> Result<Guard, LoggingError> {
    check_component(component)?;
    let dir = resolve_log_dir(log_dir)?;
    let file = Arc::new(FileSink::open(&dir, component)?);
    let (filter, bad_filter) = filter_from_env();
    register_env_secrets();
    tracing_subscriber::registry()
        .with(file_layer(file.clone()))
        .with(stderr_layer())
        .with(filter)
        .try_init()
        .map_err(|_| LoggingError::AlreadyInitialised)?;
    install_panic_hook(Some(file.clone()));
    if let Some(bad) = bad_filter {
        tracing::warn!(filter = %bad, "ignoring {LOG_FILTER_ENV}: not a list of target=level; logging at info");
    }
    tracing::info!(
        component,
        version = env!("CARGO_PKG_VERSION"),
        pid = std::process::id(),
        log_dir = %dir.display(),
        "logging started"
    );
    Ok(Guard { file: Some(file), dir: Some(dir) })
}

/// Logging to stderr only, with the same filter, redaction and panic hook: for when [`init`]
/// cannot open its folder (a read-only home), so the program still starts and says why.
pub fn init_stderr_only() -> Result<Guard, LoggingError> {
    let (filter, _) = filter_from_env();
    register_env_secrets();
    tracing_subscriber::registry()
        .with(stderr_layer())
        .with(filter)
        .try_init()
        .map_err(|_| LoggingError::AlreadyInitialised)?;
    install_panic_hook(None);
    Ok(Guard { file: None, dir: None })
}

fn check_component(component: &str) -> Result<(), LoggingError> {
    let ok = (1..=64).contains(&component.len())
        && component.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if ok { Ok(()) } else { Err(LoggingError::Component(component.to_string())) }
}

fn filter_from_env() -> (Targets, Option<String>) {
    let default = Targets::new().with_default(LevelFilter::INFO);
    match std::env::var(LOG_FILTER_ENV) {
        Err(_) => (default, None),
        Ok(raw) if raw.trim().is_empty() => (default, None),
        Ok(raw) => match raw.trim().parse::<Targets>() {
            Ok(targets) => (targets, None),
            Err(_) => (default, Some(raw)),
        },
    }
}

fn file_layer<S>(file: Arc<FileSink>) -> impl tracing_subscriber::Layer<S>
where
    S: tracing::Subscriber + for<'a> tracing_subscriber::registry::LookupSpan<'a>,
{
    tracing_subscriber::fmt::layer()
        .with_ansi(false)
        .with_thread_names(true)
        .with_target(true)
        // A failed write is a dropped line, not an eprintln (which could itself panic).
        .log_internal_errors(false)
        .with_writer(Redacting(file))
}

fn stderr_layer<S>() -> impl tracing_subscriber::Layer<S>
where
    S: tracing::Subscriber + for<'a> tracing_subscriber::registry::LookupSpan<'a>,
{
    tracing_subscriber::fmt::layer()
        .with_ansi(false)
        .with_target(true)
        .log_internal_errors(false)
        .with_writer(Redacting(Arc::new(StderrSink)))
}

// ---- the file ---------------------------------------------------------------------------------

/// The non-blocking writer over the rolling file, swappable so that a panic can flush it without
/// ending file logging: [`FileSink::flush`] starts a fresh worker on the same folder and drops
/// the old one's guard, which writes out everything queued before it.
struct FileSink {
    dir: PathBuf,
    component: String,
    current: RwLock<Option<(NonBlocking, WorkerGuard)>>,
    /// Serialises flushes (two panics at once).
    flushing: Mutex<()>,
    dropped_before: std::sync::atomic::AtomicUsize,
}

impl FileSink {
    fn open(dir: &Path, component: &str) -> Result<FileSink, LoggingError> {
        create_private_dir(dir).map_err(|source| LoggingError::Dir { dir: dir.to_path_buf(), source })?;
        let pair = Self::start(dir, component)?;
        Ok(FileSink {
            dir: dir.to_path_buf(),
            component: component.to_string(),
            current: RwLock::new(Some(pair)),
            flushing: Mutex::new(()),
            dropped_before: Default::default(),
        })
    }

    fn start(dir: &Path, component: &str) -> Result<(NonBlocking, WorkerGuard), LoggingError> {
        let appender = RollingFileAppender::builder()
            .rotation(Rotation::DAILY)
            .filename_prefix(component)
            .filename_suffix("log")
            .max_log_files(KEEP_FILES)
            .build(dir)
            .map_err(|error| LoggingError::File { dir: dir.to_path_buf(), message: error.to_string() })?;
        Ok(NonBlockingBuilder::default()
            .lossy(true)
            .buffered_lines_limit(BUFFERED_LINES)
            .thread_name("log-writer")
            .finish(appender))
    }

    fn write(&self, buf: &[u8]) {
        let current = self.current.read().unwrap_or_else(|p| p.into_inner());
        if let Some((writer, _)) = current.as_ref() {
            // Lossy: never blocks, never fails; a full queue drops the line.
            let _ = writer.clone().write_all(buf);
        }
    }

    fn dropped_lines(&self) -> usize {
        let current = self.current.read().unwrap_or_else(|p| p.into_inner());
        let now = current.as_ref().map_or(0, |(writer, _)| writer.error_counter().dropped_lines());
        now + self.dropped_before.load(std::sync::atomic::Ordering::Relaxed)
    }

    fn flush(&self) {
        let _one = self.flushing.lock().unwrap_or_else(|p| p.into_inner());
        // If the folder is gone (or the disk refuses a new file) there is nothing better to do
        // than to stop file logging after writing what is queued.
        let fresh = Self::start(&self.dir, &self.component).ok();
        let old = {
            let mut current = self.current.write().unwrap_or_else(|p| p.into_inner());
            std::mem::replace(&mut *current, fresh)
        };
        if let Some((writer, guard)) = old {
            self.dropped_before
                .fetch_add(writer.error_counter().dropped_lines(), std::sync::atomic::Ordering::Relaxed);
            drop(writer);
            // WorkerGuard's drop waits for the worker to write out the queue (bounded at 1 s by
            // tracing-appender); run it on a helper thread so our own bound holds too.
            let (done_tx, done_rx) = std::sync::mpsc::channel();
            let spawned = std::thread::Builder::new().name("log-flush".into()).spawn(move || {
                drop(guard);
                let _ = done_tx.send(());
            });
            if spawned.is_ok() {
                let _ = done_rx.recv_timeout(FLUSH_WAIT + Duration::from_millis(200));
            }
        }
    }

    fn close(&self) {
        let _one = self.flushing.lock().unwrap_or_else(|p| p.into_inner());
        let old = self.current.write().unwrap_or_else(|p| p.into_inner()).take();
        drop(old);
    }
}

/// Creates the folder 0700 when it does not exist yet (logs name users, SKUs and channels: for
/// this account only, like the database); an existing folder keeps its mode (the systemd unit's
/// LogsDirectory is 0750 on purpose).
fn create_private_dir(dir: &Path) -> io::Result<()> {
    if dir.is_dir() {
        return Ok(());
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        std::fs::DirBuilder::new().recursive(true).mode(0o700).create(dir)
    }
    #[cfg(not(unix))]
    {
        // Windows: the per-user AppData folder is already private to the account.
        std::fs::create_dir_all(dir)
    }
}

struct StderrSink;

trait Sink: Send + Sync + 'static {
    fn write_line(&self, buf: &[u8]);
}

impl Sink for FileSink {
    fn write_line(&self, buf: &[u8]) {
        self.write(buf);
    }
}

impl Sink for StderrSink {
    fn write_line(&self, buf: &[u8]) {
        // A closed or broken stderr loses the line; it never panics (unlike eprintln!).
        let _ = io::stderr().lock().write_all(buf);
    }
}

/// Every line passes through [`redact`] on its way to a sink. The fmt layer formats one event
/// into one buffer and hands it over in a single `write_all`, so a line is never split.
struct Redacting<S>(Arc<S>);

struct RedactingWriter<S>(Arc<S>);

impl<'a, S: Sink> MakeWriter<'a> for Redacting<S> {
    type Writer = RedactingWriter<S>;

    fn make_writer(&'a self) -> Self::Writer {
        RedactingWriter(self.0.clone())
    }
}

impl<S: Sink> Write for RedactingWriter<S> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let text = String::from_utf8_lossy(buf);
        self.0.write_line(redact(&text).as_bytes());
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

// ---- redaction ----------------------------------------------------------------------------------

/// Values registered as secrets for this process (from the environment at [`init`], or by the
/// program through [`register_secret`]).
fn secrets() -> &'static RwLock<Vec<String>> {
    static SECRETS: OnceLock<RwLock<Vec<String>>> = OnceLock::new();
    SECRETS.get_or_init(|| RwLock::new(Vec::new()))
}

/// Hides `value` in every later log line (values shorter than 6 characters are ignored: see
/// the module docs).
pub fn register_secret(value: &str) {
    let value = value.trim();
    if value.chars().count() < MIN_ENV_SECRET_LEN {
        return;
    }
    let mut list = secrets().write().unwrap_or_else(|p| p.into_inner());
    if !list.iter().any(|known| known == value) {
        list.push(value.to_string());
        // Longest first, so a secret containing another is hidden whole.
        list.sort_by_key(|s| std::cmp::Reverse(s.len()));
    }
}

/// Environment variables whose values are secrets: the CLI reads PINs and channel credentials
/// from them (`SHELFSYNC_PIN`, `SHELFSYNC_SHOPIFY_TOKEN`, `SHELFSYNC_LWA_CLIENT_SECRET`, ...).
fn is_secret_var(name: &str) -> bool {
    const WORDS: &[&str] =
        &["PIN", "TOKEN", "SECRET", "PASSWORD", "PASSWD", "CREDENTIAL", "CREDENTIALS", "KEY", "APIKEY"];
    name.to_ascii_uppercase().split(['_', '-']).any(|word| WORDS.contains(&word))
}

fn register_env_secrets() {
    for (name, value) in std::env::vars_os() {
        if let (Some(name), Some(value)) = (name.to_str(), value.to_str())
            && is_secret_var(name)
        {
            register_secret(value);
        }
    }
}

/// Prefixes that start a credential in the clear, in any channel's format: Shopify access
/// tokens, Login with Amazon tokens, eBay user tokens, HTTP authorisation values and the
/// form/JSON fields OAuth uses. What follows one, up to a delimiter, is replaced.
const TOKEN_PREFIXES: &[&str] = &[
    "shpat_",
    "shpca_",
    "shppa_",
    "shpss_",
    "Atzr|",
    "Atza|",
    "v^1.1#",
    "Bearer ",
    "bearer ",
    "refresh_token=",
    "access_token=",
    "client_secret=",
    "password=",
    "\"refresh_token\":\"",
    "\"access_token\":\"",
    "\"client_secret\":\"",
    "x-shopify-access-token: ",
    "X-Shopify-Access-Token: ",
];
const REDACTED: &str = "[redacted]";

fn ends_token(c: char) -> bool {
    c.is_whitespace() || matches!(c, '"' | '\'' | ',' | '&' | ';' | ')' | '}' | ']' | '>')
}

/// `line` with every registered secret and every credential-shaped value replaced by
/// `[redacted]`.
pub fn redact(line: &str) -> String {
    // Replaced values become MARK first (no delimiter in it, so a later prefix that covers an
    // earlier hit swallows it whole), and `[redacted]` at the end.
    const MARK: char = '\u{1}';
    let mut out = line.to_string();
    {
        let list = secrets().read().unwrap_or_else(|p| p.into_inner());
        for secret in list.iter() {
            if out.contains(secret.as_str()) {
                out = out.replace(secret.as_str(), &MARK.to_string());
            }
        }
    }
    for prefix in TOKEN_PREFIXES {
        let mut from = 0;
        while let Some(found) = out[from..].find(prefix) {
            let start = from + found + prefix.len();
            let rest = &out[start..];
            if rest.starts_with(MARK) || rest.starts_with(REDACTED) {
                from = start + 1;
            } else {
                let end = rest.find(ends_token).map_or(out.len(), |n| start + n);
                if end > start {
                    out.replace_range(start..end, &MARK.to_string());
                }
                from = start + 1;
            }
            if from >= out.len() {
                break;
            }
        }
    }
    out.replace(MARK, REDACTED)
}

// ---- panics -------------------------------------------------------------------------------------

fn install_panic_hook(file: Option<Arc<FileSink>>) {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let thread = std::thread::current();
        let thread = thread.name().unwrap_or("unnamed");
        let location = info
            .location()
            .map(|l| format!("{}:{}:{}", l.file(), l.line(), l.column()))
            .unwrap_or_else(|| "unknown".into());
        let message = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "(no message)".into());
        tracing::error!(target: "panic", thread, location = %location, "panicked: {message}");
        if let Some(file) = &file {
            file.flush();
        }
        previous(info);
    }));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_shapes_are_redacted_and_the_rest_kept() {
        let line = r#"push failed: header X-Shopify-Access-Token: shpat_0123abcd for sku SS-1, body {"refresh_token":"Atzr|IwEBI-x","n":3} Bearer v^1.1#i^1#abc, token=none refresh_token=Atzr|x9&grant=1"#;
        let clean = redact(line);
        assert!(clean.contains("X-Shopify-Access-Token: [redacted] for"), "{clean}");
        assert!(clean.contains("refresh_token=[redacted]&grant=1"), "one marker for nested hits: {clean}");
        for leak in ["shpat_0123abcd", "0123abcd", "Atzr|IwEBI", "IwEBI-x", "v^1.1#i^1#abc", "i^1#abc"] {
            assert!(!clean.contains(leak), "{leak} left in {clean}");
        }
        assert!(
            clean.contains("push failed") && clean.contains("sku SS-1") && clean.contains("\"n\":3"),
            "{clean}"
        );
        assert!(clean.contains("token=none"), "ordinary words stay: {clean}");
        // Idempotent: a line redacted twice is unchanged.
        assert_eq!(redact(&clean), clean);
    }

    #[test]
    fn registered_secrets_are_redacted_and_short_values_ignored() {
        register_secret("hunter2-secret");
        register_secret("2468");
        let clean = redact("login hunter2-secret seq 24680");
        assert_eq!(clean, "login [redacted] seq 24680");
    }

    #[test]
    fn secret_variable_names() {
        for name in [
            "SHELFSYNC_PIN",
            "SHELFSYNC_NEW_PIN",
            "SHELFSYNC_SHOPIFY_TOKEN",
            "SHELFSYNC_LWA_CLIENT_SECRET",
            "SHELFSYNC_SMTP_PASSWORD",
        ] {
            assert!(is_secret_var(name), "{name}");
        }
        for name in ["SHELFSYNC_DB", "SHELFSYNC_LOG_DIR", "HOME", "PATH"] {
            assert!(!is_secret_var(name), "{name}");
        }
    }

    #[test]
    fn component_names() {
        assert!(check_component("shelfsync-app").is_ok());
        for bad in ["", "../x", "a b", &"x".repeat(65)] {
            assert!(check_component(bad).is_err(), "{bad:?}");
        }
    }
}
