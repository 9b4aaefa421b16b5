//! Where connections come from, and the settings every one of them gets.

use std::path::{Path, PathBuf};
use std::sync::LazyLock;
use std::time::Duration;

use include_dir::{Dir, include_dir};
use rusqlite::{Connection, Transaction, TransactionBehavior};
use rusqlite_migration::Migrations;

use crate::Result;

static MIGRATIONS_DIR: Dir = include_dir!("$CARGO_MANIFEST_DIR/../../migrations/workstation");

/// The schema, embedded at build time from the top-level `migrations/workstation/` folder. Each migration
/// runs in one transaction together with its `user_version` bump, so a crash leaves the schema
/// either before or after it, never between.
pub static MIGRATIONS: LazyLock<Migrations<'static>> = LazyLock::new(|| {
    Migrations::from_directory(&MIGRATIONS_DIR).expect("migrations/workstation/ is well-formed")
});

/// How long a writer waits for another one before SQLITE_BUSY. Scans are human-paced, so a
/// second of contention is already unusual; five keeps a busy workstation from erroring while
/// still failing fast enough for a person to notice.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

const STATEMENT_CACHE: usize = 128;

/// Page cache of every connection, in KiB (SQLite's own default is 2 MiB). A connection keeps
/// each page it has read or written until its cache is full, and the app and the service hold
/// theirs open for a whole shift: at 32 MiB each, a station's process grew by about 1 MiB
/// per 1,000 scans until its half-dozen connections were full (issue 19's memory study;
/// measured on one connection: +12 MiB over 15,000 appends, then flat). 4 MiB keeps a scan's
/// hot pages (the item, its balance rows, the index leaves, the audit head) many times over;
/// what else is read comes from the operating system's file cache.
pub(crate) const CACHE_KIB: i64 = 4_096;
/// Page cache while a bulk write runs (an import, a batch of events), in KiB: a 5,000-event
/// group fits without spilling dirty pages to the WAL mid-transaction. Given back after it.
pub(crate) const BULK_CACHE_KIB: i64 = 32_768;

pub struct Store {
    pub(crate) conn: Connection,
    path: PathBuf,
}

impl Store {
    /// Opens (creating if needed) the database at `path` and brings its schema up to date.
    pub fn open(path: impl AsRef<Path>) -> Result<Store> {
        let path = path.as_ref().to_path_buf();
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent)?;
        }
        create_private(&path)?;
        let mut conn = Connection::open(&path)?;
        configure(&conn)?;
        MIGRATIONS.to_latest(&mut conn)?;
        Ok(Store { conn, path })
    }

    /// A connection for the sync engine's workers, whose writes are bookkeeping the next engine
    /// re-derives (attempt groups and their keys, acknowledgements, read findings, dead
    /// letters): they commit with `synchronous=NORMAL`, durable against a crash of the process
    /// but not against a power cut, so the worker's commit just before a channel request costs
    /// no fsync (issue 16: commit to first byte). Nothing on this connection is a ledger event.
    /// What a power cut can cost, each bounded and conservative: an attempt group formed again
    /// under a new key with the same quantities (a resend of an absolute value), a push sent
    /// again, and, on Amazon and eBay, a pushed-down quantity read back as an unseen sale (it
    /// lowers the listings until reconciliation's grace period classifies it as a channel
    /// edit). Only a suffix of WAL frames can be lost: the next `synchronous=FULL` commit on
    /// the file (any ledger append) makes every earlier frame durable too.
    pub fn open_for_sync_bookkeeping(path: impl AsRef<Path>) -> Result<Store> {
        let store = Store::open(path)?;
        store.conn.pragma_update(None, "synchronous", "NORMAL")?;
        Ok(store)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The raw connection, for the store's own modules only: other crates call typed
    /// operations, and their tests reach raw SQL through [`crate::testing::connection`].
    pub(crate) fn connection(&self) -> &Connection {
        &self.conn
    }

    /// `PRAGMA integrity_check`: "ok" when the file is sound.
    pub fn integrity_check(&self) -> Result<String> {
        let rows: Vec<String> = self
            .conn
            .prepare("PRAGMA integrity_check")?
            .query_map([], |row| row.get(0))?
            .collect::<Result<_, _>>()?;
        Ok(rows.join("; "))
    }
}

/// Creates a missing database file readable by its owner only: it holds PIN hashes, the audit
/// trail and the business's stock. SQLite gives the `-wal` and `-shm` files the database
/// file's permissions, so they follow. An existing file is left as it is.
fn create_private(path: &Path) -> Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    match options.open(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(e.into()),
    }
}

/// Woken after every commit made through any [`Store`] in this process (see [`commit_signal`]).
static COMMITTED: tokio::sync::Notify = tokio::sync::Notify::const_new();

/// SQLite's own automatic checkpoint threshold (pages in the WAL), which a WAL hook replaces and
/// [`after_commit`] therefore runs itself.
const AUTOCHECKPOINT_PAGES: std::ffi::c_int = 1000;

/// Wakes whoever waits for a commit in this process: the sync engine's workers wait on it, so a
/// scan committed by the app reaches its channel request in milliseconds instead of at the
/// workers' next poll. Commits by other processes (a CLI on the same file) are seen at that
/// poll. Register interest with `notified()` and `enable()` before looking at the outbox, so a
/// commit in between is not missed.
pub fn commit_signal() -> &'static tokio::sync::Notify {
    &COMMITTED
}

/// SQLite calls this once a transaction is committed to the WAL (after its fsync under
/// `synchronous=FULL`), so a woken reader sees it. It also does what SQLite's default WAL hook
/// does, a passive checkpoint past 1,000 pages, because registering a hook replaces that.
fn after_commit(wal: &rusqlite::hooks::Wal, pages: std::ffi::c_int) -> rusqlite::Result<()> {
    COMMITTED.notify_waiters();
    if pages >= AUTOCHECKPOINT_PAGES {
        // As SQLite's own: a checkpoint that cannot run now (readers, a busy writer) runs at a
        // later commit; the commit itself has already succeeded.
        let _ = wal.checkpoint();
    }
    Ok(())
}

/// Every PRAGMA set explicitly, on every connection: `foreign_keys` is per connection and
/// library defaults differ between builds.
fn configure(conn: &Connection) -> Result<()> {
    conn.busy_timeout(BUSY_TIMEOUT)?;
    // The append path alone prepares about ten statements; the default cache of 16 would
    // evict and re-prepare them on every event once imports and queries join in.
    conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
    // WAL lets readers (the UI, reports) run while the scanner writes.
    let mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |row| row.get(0))?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(rusqlite::Error::InvalidParameterName(format!("journal_mode stayed {mode}")).into());
    }
    // After journal_mode, and no `wal_autocheckpoint` PRAGMA after it: that would replace it.
    conn.wal_hook(Some(after_commit));
    // FULL: an acknowledged event survives power loss, not just a process crash.
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.pragma_update(None, "trusted_schema", "OFF")?;
    set_cache_kib(conn, CACHE_KIB)?;
    conn.pragma_update(None, "temp_store", "MEMORY")?;
    Ok(())
}

/// Sets the connection's page cache (negative = KiB). Lowering it frees the pages past the new
/// size at once.
fn set_cache_kib(conn: &Connection, kib: i64) -> rusqlite::Result<()> {
    conn.pragma_update(None, "cache_size", -kib)
}

impl Store {
    /// Runs a bulk write with [`BULK_CACHE_KIB`] of page cache and gives it back afterwards,
    /// whether the work succeeded or not.
    pub(crate) fn with_bulk_cache<T, E: From<rusqlite::Error>>(
        &mut self,
        work: impl FnOnce(&mut Store) -> std::result::Result<T, E>,
    ) -> std::result::Result<T, E> {
        set_cache_kib(&self.conn, BULK_CACHE_KIB)?;
        let result = work(self);
        let restored = set_cache_kib(&self.conn, CACHE_KIB);
        let value = result?;
        restored?;
        Ok(value)
    }
}

/// A `BEGIN IMMEDIATE` transaction on a shared connection (`&Store`, or the connection a `Db`
/// stands for): the write lock is taken at the start, so a transaction that reads then writes
/// never fails half-way on a lock upgrade. Callers never nest these. The store's modules that
/// hold `&mut Store` use `transaction_with_behavior` instead, which the borrow checker guards.
pub(crate) fn immediate(conn: &Connection) -> rusqlite::Result<Transaction<'_>> {
    Transaction::new_unchecked(conn, TransactionBehavior::Immediate)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_validate() {
        MIGRATIONS.validate().expect("migrations apply cleanly to an empty database");
    }

    /// A bulk write runs with the large cache and gives it back, when it succeeds and when it
    /// is refused (a long-lived connection would otherwise keep 32 MiB of pages for good).
    #[test]
    fn a_bulk_write_gives_its_page_cache_back() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(dir.path().join("s.db")).unwrap();
        let cache =
            |store: &Store| -> i64 { store.conn.query_row("PRAGMA cache_size", [], |r| r.get(0)).unwrap() };
        const GOOD: &[u8] = b"sku,name,unit_cost,category,safety_stock,barcodes\nA-1,Widget,1.00,tools,0,\n";
        let cases: [(&str, &[u8], bool); 2] =
            [("good", GOOD, true), ("refused", b"sku,name\n,no sku\n", false)];
        for (name, csv, accepted) in cases {
            let during = std::cell::Cell::new(0);
            let result = store.with_bulk_cache(|inner| {
                during.set(cache(inner));
                inner.import_items(csv, "ana", "ws1")
            });
            assert_eq!(result.is_ok(), accepted, "{name}: {result:?}");
            assert_eq!(during.get(), -BULK_CACHE_KIB, "{name}: the bulk write had the large cache");
            assert_eq!(cache(&store), -CACHE_KIB, "{name}: the cache is small again");
        }
    }

    #[test]
    fn every_pragma_is_set() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path().join("s.db")).unwrap();
        let get = |name: &str| -> String {
            store
                .conn
                .query_row(&format!("PRAGMA {name}"), [], |r| r.get::<_, rusqlite::types::Value>(0))
                .map(|v| format!("{v:?}"))
                .unwrap()
        };
        assert_eq!(get("journal_mode"), r#"Text("wal")"#);
        assert_eq!(get("synchronous"), "Integer(2)");
        assert_eq!(get("foreign_keys"), "Integer(1)");
        assert_eq!(get("busy_timeout"), "Integer(5000)");
        assert_eq!(get("cache_size"), format!("Integer({})", -CACHE_KIB));
        assert_eq!(store.integrity_check().unwrap(), "ok");
        let worker = Store::open_for_sync_bookkeeping(dir.path().join("s.db")).unwrap();
        let synchronous: i64 = worker.conn.query_row("PRAGMA synchronous", [], |r| r.get(0)).unwrap();
        assert_eq!(synchronous, 1, "the sync workers' bookkeeping commits without an fsync");
        assert_eq!(get("synchronous"), "Integer(2)", "every other connection keeps FULL");
    }
}
