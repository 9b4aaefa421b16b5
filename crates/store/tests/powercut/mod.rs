//! A power-cut SQLite VFS: the default unix VFS, except that a write is only as durable as the
//! last `xSync` of its file.
//!
//! Why a VFS: LazyFS and dm-flakey are not available here, and a `kill -9` cannot tell a
//! store that fsyncs from one that does not (the page cache survives a killed process). This
//! layer sits between SQLite and the disk, so it sees exactly what SQLite asked the disk to
//! make durable.
//!
//! The model:
//! - Every `xWrite`/`xTruncate` of a named file goes to the real file at once (so reads see
//!   it), and the bytes it replaced are kept in an undo log for that file.
//! - `xSync` is the disk's confirmation: the file's undo log is dropped (those writes are now
//!   durable). The real `fsync` is skipped: durability is simulated here, and a test of many
//!   power cuts should not wait on the disk.
//! - [`arm`] picks the n-th write/sync/truncate/delete at which the power goes: that call and
//!   every later one fails with an I/O error (the process is a ghost until its connections
//!   are dropped). [`cut_now`] cuts between calls.
//! - [`power_on`] (with every connection closed) decides what the disk kept of each
//!   unconfirmed write: all of it lost, or, write by write, kept, torn at a 512-byte boundary,
//!   or lost, chosen by the caller's seeded RNG. A real disk without a completed flush may
//!   persist any subset of its queued writes, in any order.
//!
//! Simplifications, each on the side of SQLite's own assumptions: creating and deleting files
//! is durable at once (SQLite fsyncs the directory itself where that matters, and the unix
//! VFS's directory sync is below this layer); the `-shm` file is shared memory, which a power
//! cut loses anyway and SQLite rebuilds from the WAL on the first open; temporary files (no
//! name) pass straight through.
//!
//! [`install`] registers it as the process's default VFS, so the store opens through it with
//! its own code and PRAGMAs, unchanged. The state is global: one power-cut test at a time per
//! process ([`exclusive`]).

#![allow(dead_code)]

use std::collections::HashMap;
use std::ffi::{CStr, c_char, c_int, c_void};
use std::os::unix::fs::FileExt;
use std::path::PathBuf;
use std::sync::{Mutex, MutexGuard, OnceLock};

use rand::Rng;
use rand::rngs::StdRng;
use rusqlite::ffi;

/// The bytes one unconfirmed write or truncate replaced, enough to take it back.
struct Undo {
    /// Where the write (or the truncation) starts.
    off: u64,
    /// How many bytes were written; 0 for a truncate.
    len: u64,
    /// The file's bytes from `off` that the operation replaced (within the old size).
    old: Vec<u8>,
    /// The file's size before the operation.
    old_size: u64,
}

#[derive(Default)]
struct State {
    /// Per file, its writes since its last `xSync`, oldest first.
    unsynced: HashMap<PathBuf, Vec<Undo>>,
    /// Writes, syncs, truncates and deletes seen since [`arm`].
    ops: u64,
    /// The op at which the power goes.
    cut_at: Option<u64>,
    /// The power is off: every write-side call fails until [`power_on`].
    dead: bool,
    /// The op at which the last cut happened (for the failure message).
    cut_op: Option<u64>,
}

impl State {
    /// Counts one write-side op; true when the power goes at this one.
    fn tick(&mut self) -> bool {
        self.ops += 1;
        if self.cut_at == Some(self.ops) {
            self.dead = true;
            self.cut_op = Some(self.ops);
            self.cut_at = None;
        }
        self.dead
    }
}

static STATE: OnceLock<Mutex<State>> = OnceLock::new();

fn state() -> MutexGuard<'static, State> {
    // A failed assertion in one test must not wedge the VFS for the next.
    STATE.get_or_init(Mutex::default).lock().unwrap_or_else(|e| e.into_inner())
}

static EXCLUSIVE: Mutex<()> = Mutex::new(());

/// Held by a test for its whole run: the power state is process-wide (under `cargo test`
/// several tests share a process; under nextest each has its own).
pub fn exclusive() -> MutexGuard<'static, ()> {
    EXCLUSIVE.lock().unwrap_or_else(|e| e.into_inner())
}

struct Vfs(*mut ffi::sqlite3_vfs);
// SAFETY: the pointers are to SQLite's static unix VFS and to our leaked copy, both immutable
// after registration.
unsafe impl Send for Vfs {}
unsafe impl Sync for Vfs {}

static INNER: OnceLock<Vfs> = OnceLock::new();

/// Registers the power-cut VFS as the default, once per process.
pub fn install() {
    static OUTER: OnceLock<Vfs> = OnceLock::new();
    OUTER.get_or_init(|| {
        // SAFETY: sqlite3_vfs_find initialises SQLite and returns its static default VFS.
        let inner = unsafe { ffi::sqlite3_vfs_find(std::ptr::null()) };
        assert!(!inner.is_null(), "SQLite has a default VFS");
        INNER.set(Vfs(inner)).ok().expect("installed once");
        // SAFETY: a bitwise copy of the unix VFS; every method but xOpen/xDelete keeps working
        // with the copy as its first argument (they only read mxPathname from it).
        let mut outer: ffi::sqlite3_vfs = unsafe { std::ptr::read(inner) };
        outer.zName = c"powercut".as_ptr();
        outer.pNext = std::ptr::null_mut();
        outer.szOsFile = (std::mem::size_of::<File>() as c_int) + unsafe { (*inner).szOsFile };
        outer.xOpen = Some(x_open);
        outer.xDelete = Some(x_delete);
        let outer = Box::into_raw(Box::new(outer));
        // SAFETY: `outer` is leaked, so it lives as long as the process, as SQLite requires.
        let rc = unsafe { ffi::sqlite3_vfs_register(outer, 1) };
        assert_eq!(rc, ffi::SQLITE_OK, "register the power-cut VFS");
        Vfs(outer)
    });
}

/// Powers the machine with a cut at the `cut_at`-th write-side op from now (1-based).
pub fn arm(cut_at: u64) {
    let mut st = state();
    assert!(!st.dead, "power_on before arming again");
    st.ops = 0;
    st.cut_at = Some(cut_at.max(1));
    st.cut_op = None;
}

/// Ops counted since [`arm`]: to size the range the cut point is drawn from.
pub fn ops() -> u64 {
    state().ops
}

/// Cuts the power now, between two ops, if it has not gone already.
pub fn cut_now() {
    let mut st = state();
    st.dead = true;
    st.cut_at = None;
}

pub fn is_dead() -> bool {
    state().dead
}

/// The op number at which the armed cut happened, if it did (rather than [`cut_now`]).
pub fn cut_op() -> Option<u64> {
    state().cut_op
}

/// What the disk kept of the unconfirmed writes, per [`power_on`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Loss {
    /// Every write since its file's last sync is gone.
    AllUnsynced,
    /// Each unconfirmed write is kept, torn at a 512-byte boundary, or lost, independently.
    AnySubset,
}

/// How many unconfirmed writes a power-on took back, kept, and tore.
#[derive(Debug, Default)]
pub struct PowerOn {
    pub lost: usize,
    pub kept: usize,
    pub torn: usize,
}

/// Brings the power back: undoes what the disk did not keep (see [`Loss`]) and forgets the
/// undo logs. Every connection must be closed first (drop the `Store`).
pub fn power_on(loss: Loss, rng: &mut StdRng) -> PowerOn {
    let mut st = state();
    assert!(st.dead, "power_on after a cut");
    let mut report = PowerOn::default();
    let mut files: Vec<(PathBuf, Vec<Undo>)> = st.unsynced.drain().collect();
    // The map's order is random per process: sort so a seed replays exactly.
    files.sort_by(|a, b| a.0.cmp(&b.0));
    for (path, undos) in files {
        let file = match std::fs::OpenOptions::new().read(true).write(true).open(&path) {
            Ok(f) => f,
            // Deleted since (deletes are durable at once): nothing of it to undo.
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => panic!("power_on: open {}: {e}", path.display()),
        };
        for undo in undos.iter().rev() {
            let fate = match loss {
                Loss::AllUnsynced => 0,
                Loss::AnySubset => rng.random_range(0..3u8),
            };
            let sectors = undo.len / 512;
            match fate {
                1 => report.kept += 1,
                2 if sectors > 1 => {
                    // Torn: the first k sectors reached the platter, the rest did not.
                    let keep = 512 * rng.random_range(1..sectors);
                    restore(&file, undo, keep);
                    report.torn += 1;
                }
                _ => {
                    restore(&file, undo, 0);
                    report.lost += 1;
                }
            }
        }
    }
    st.dead = false;
    st.ops = 0;
    st.cut_at = None;
    report
}

/// Puts back the bytes of `undo` from `keep` on (0: all of it) and the old size.
fn restore(file: &std::fs::File, undo: &Undo, keep: u64) {
    let keep_old = (keep as usize).min(undo.old.len());
    file.write_all_at(&undo.old[keep_old..], undo.off + keep_old as u64).expect("power_on: write back");
    let end = undo.off + undo.len;
    if undo.len == 0 {
        // A truncate: its tail is back, and so is the size.
        file.set_len(undo.old_size).expect("power_on: size back");
    } else if end > undo.old_size {
        // The write grew the file: only the kept part of the growth stays.
        file.set_len(undo.old_size.max(undo.off + keep)).expect("power_on: size back");
    }
}

/// Our file: SQLite's header, then the unix VFS's own file in the same allocation.
#[repr(C)]
struct File {
    base: ffi::sqlite3_file,
    inner: *mut ffi::sqlite3_file,
    /// None for a temporary file (SQLite gives it no name).
    path: Option<PathBuf>,
}

fn inner_vfs() -> *mut ffi::sqlite3_vfs {
    INNER.get().expect("install() first").0
}

unsafe fn inner_methods(
    f: *mut ffi::sqlite3_file,
) -> (&'static ffi::sqlite3_io_methods, *mut ffi::sqlite3_file) {
    // SAFETY: `f` is one of our files (SQLite only calls our methods with them) and its inner
    // file was opened successfully, so its methods are set.
    unsafe {
        let inner = (*(f as *mut File)).inner;
        (&*(*inner).pMethods, inner)
    }
}

unsafe fn path_of(f: *mut ffi::sqlite3_file) -> Option<PathBuf> {
    // SAFETY: as in inner_methods.
    unsafe { (*(f as *mut File)).path.clone() }
}

unsafe extern "C" fn x_open(
    _vfs: *mut ffi::sqlite3_vfs,
    name: ffi::sqlite3_filename,
    file: *mut ffi::sqlite3_file,
    flags: c_int,
    out_flags: *mut c_int,
) -> c_int {
    // SAFETY: SQLite gives `file` szOsFile bytes: our header, then room for the inner file.
    unsafe {
        let f = file as *mut File;
        (*f).base.pMethods = std::ptr::null();
        let inner = (file as *mut u8).add(std::mem::size_of::<File>()) as *mut ffi::sqlite3_file;
        let vfs = inner_vfs();
        let rc = ((*vfs).xOpen.expect("unix xOpen"))(vfs, name, inner, flags, out_flags);
        if rc != ffi::SQLITE_OK {
            return rc;
        }
        let path =
            (!name.is_null()).then(|| PathBuf::from(CStr::from_ptr(name).to_string_lossy().into_owned()));
        std::ptr::write(&raw mut (*f).inner, inner);
        std::ptr::write(&raw mut (*f).path, path);
        (*f).base.pMethods = &METHODS;
        rc
    }
}

unsafe extern "C" fn x_delete(_vfs: *mut ffi::sqlite3_vfs, name: *const c_char, sync_dir: c_int) -> c_int {
    let path = PathBuf::from(unsafe { CStr::from_ptr(name) }.to_string_lossy().into_owned());
    let mut st = state();
    if st.tick() {
        return ffi::SQLITE_IOERR_DELETE;
    }
    st.unsynced.remove(&path);
    let vfs = inner_vfs();
    // SAFETY: the unix VFS's own xDelete with its own VFS.
    unsafe { ((*vfs).xDelete.expect("unix xDelete"))(vfs, name, sync_dir) }
}

static METHODS: ffi::sqlite3_io_methods = ffi::sqlite3_io_methods {
    // Version 2: shared memory (WAL needs it), no memory-mapped I/O (which would bypass xWrite).
    iVersion: 2,
    xClose: Some(x_close),
    xRead: Some(x_read),
    xWrite: Some(x_write),
    xTruncate: Some(x_truncate),
    xSync: Some(x_sync),
    xFileSize: Some(x_file_size),
    xLock: Some(x_lock),
    xUnlock: Some(x_unlock),
    xCheckReservedLock: Some(x_check_reserved_lock),
    xFileControl: Some(x_file_control),
    xSectorSize: Some(x_sector_size),
    xDeviceCharacteristics: Some(x_device_characteristics),
    xShmMap: Some(x_shm_map),
    xShmLock: Some(x_shm_lock),
    xShmBarrier: Some(x_shm_barrier),
    xShmUnmap: Some(x_shm_unmap),
    xFetch: None,
    xUnfetch: None,
};

unsafe extern "C" fn x_close(f: *mut ffi::sqlite3_file) -> c_int {
    unsafe {
        let (m, inner) = inner_methods(f);
        let rc = (m.xClose.unwrap())(inner);
        // The path was written in x_open; read it out once so it is dropped.
        drop(std::ptr::read(&raw const (*(f as *mut File)).path));
        (*f).pMethods = std::ptr::null();
        rc
    }
}

unsafe extern "C" fn x_read(f: *mut ffi::sqlite3_file, buf: *mut c_void, amt: c_int, off: i64) -> c_int {
    unsafe {
        let (m, inner) = inner_methods(f);
        (m.xRead.unwrap())(inner, buf, amt, off)
    }
}

unsafe extern "C" fn x_write(f: *mut ffi::sqlite3_file, buf: *const c_void, amt: c_int, off: i64) -> c_int {
    unsafe {
        let (m, inner) = inner_methods(f);
        let Some(path) = path_of(f) else { return (m.xWrite.unwrap())(inner, buf, amt, off) };
        let mut st = state();
        if st.tick() {
            return ffi::SQLITE_IOERR_WRITE;
        }
        let old_size = size(m, inner);
        let off_u = off as u64;
        let mut old = Vec::new();
        if off_u < old_size {
            let n = (old_size - off_u).min(amt as u64) as usize;
            old = vec![0u8; n];
            let rc = (m.xRead.unwrap())(inner, old.as_mut_ptr().cast(), n as c_int, off);
            assert_eq!(rc, ffi::SQLITE_OK, "read back before a write");
        }
        st.unsynced.entry(path).or_default().push(Undo { off: off_u, len: amt as u64, old, old_size });
        (m.xWrite.unwrap())(inner, buf, amt, off)
    }
}

unsafe fn size(m: &ffi::sqlite3_io_methods, inner: *mut ffi::sqlite3_file) -> u64 {
    let mut size: i64 = 0;
    let rc = unsafe { (m.xFileSize.unwrap())(inner, &mut size) };
    assert_eq!(rc, ffi::SQLITE_OK, "file size");
    size as u64
}

unsafe extern "C" fn x_truncate(f: *mut ffi::sqlite3_file, to: i64) -> c_int {
    unsafe {
        let (m, inner) = inner_methods(f);
        let Some(path) = path_of(f) else { return (m.xTruncate.unwrap())(inner, to) };
        let mut st = state();
        if st.tick() {
            return ffi::SQLITE_IOERR_TRUNCATE;
        }
        let old_size = size(m, inner);
        let to_u = to as u64;
        let mut old = Vec::new();
        if to_u < old_size {
            old = vec![0u8; (old_size - to_u) as usize];
            let rc = (m.xRead.unwrap())(inner, old.as_mut_ptr().cast(), old.len() as c_int, to);
            assert_eq!(rc, ffi::SQLITE_OK, "read back before a truncate");
        }
        st.unsynced.entry(path).or_default().push(Undo { off: to_u, len: 0, old, old_size });
        (m.xTruncate.unwrap())(inner, to)
    }
}

unsafe extern "C" fn x_sync(f: *mut ffi::sqlite3_file, flags: c_int) -> c_int {
    unsafe {
        let (m, inner) = inner_methods(f);
        let Some(path) = path_of(f) else { return (m.xSync.unwrap())(inner, flags) };
        let mut st = state();
        if st.tick() {
            return ffi::SQLITE_IOERR_FSYNC;
        }
        // Confirmed: whatever this file was written is durable now.
        st.unsynced.remove(&path);
        ffi::SQLITE_OK
    }
}

unsafe extern "C" fn x_file_size(f: *mut ffi::sqlite3_file, out: *mut i64) -> c_int {
    unsafe {
        let (m, inner) = inner_methods(f);
        (m.xFileSize.unwrap())(inner, out)
    }
}

unsafe extern "C" fn x_lock(f: *mut ffi::sqlite3_file, level: c_int) -> c_int {
    unsafe {
        let (m, inner) = inner_methods(f);
        (m.xLock.unwrap())(inner, level)
    }
}

unsafe extern "C" fn x_unlock(f: *mut ffi::sqlite3_file, level: c_int) -> c_int {
    unsafe {
        let (m, inner) = inner_methods(f);
        (m.xUnlock.unwrap())(inner, level)
    }
}

unsafe extern "C" fn x_check_reserved_lock(f: *mut ffi::sqlite3_file, out: *mut c_int) -> c_int {
    unsafe {
        let (m, inner) = inner_methods(f);
        (m.xCheckReservedLock.unwrap())(inner, out)
    }
}

unsafe extern "C" fn x_file_control(f: *mut ffi::sqlite3_file, op: c_int, arg: *mut c_void) -> c_int {
    unsafe {
        let (m, inner) = inner_methods(f);
        if op == ffi::SQLITE_FCNTL_SIZE_HINT {
            // A hint the unix VFS may act on by growing the file below this layer: declined.
            return ffi::SQLITE_OK;
        }
        (m.xFileControl.unwrap())(inner, op, arg)
    }
}

unsafe extern "C" fn x_sector_size(f: *mut ffi::sqlite3_file) -> c_int {
    unsafe {
        let (m, inner) = inner_methods(f);
        (m.xSectorSize.unwrap())(inner)
    }
}

unsafe extern "C" fn x_device_characteristics(f: *mut ffi::sqlite3_file) -> c_int {
    unsafe {
        let (m, inner) = inner_methods(f);
        (m.xDeviceCharacteristics.unwrap())(inner)
    }
}

unsafe extern "C" fn x_shm_map(
    f: *mut ffi::sqlite3_file,
    page: c_int,
    page_size: c_int,
    extend: c_int,
    out: *mut *mut c_void,
) -> c_int {
    unsafe {
        let (m, inner) = inner_methods(f);
        (m.xShmMap.unwrap())(inner, page, page_size, extend, out)
    }
}

unsafe extern "C" fn x_shm_lock(f: *mut ffi::sqlite3_file, offset: c_int, n: c_int, flags: c_int) -> c_int {
    unsafe {
        let (m, inner) = inner_methods(f);
        (m.xShmLock.unwrap())(inner, offset, n, flags)
    }
}

unsafe extern "C" fn x_shm_barrier(f: *mut ffi::sqlite3_file) {
    unsafe {
        let (m, inner) = inner_methods(f);
        (m.xShmBarrier.unwrap())(inner)
    }
}

unsafe extern "C" fn x_shm_unmap(f: *mut ffi::sqlite3_file, delete: c_int) -> c_int {
    unsafe {
        let (m, inner) = inner_methods(f);
        (m.xShmUnmap.unwrap())(inner, delete)
    }
}
