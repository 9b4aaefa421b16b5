//! Stable-toolchain fuzzing: a kept corpus plus proptest mutations of it.
//!
//! `cargo fuzz` needs nightly, which this project does not use. Each fuzz target instead keeps
//! a corpus directory (`tests/corpus/<target>/`, one input per file): every file is replayed as
//! a test case, then mutated inputs (bit flips, inserts, deletes, truncations, splices of two
//! seeds, plus raw random bytes) run from a fresh seed each run (printed; `SHELFSYNC_FUZZ_SEED`
//! replays it), at least [`MIN_CASES`] of them and then up to a bounded number of cases and a
//! bounded time. A crash is shrunk and written into the corpus (`crash-<hash>`), so it is kept
//! and replayed first by every later run: the corpus is the regression suite.
//!
//! Shared by the fuzz targets of several crates through `#[path]`; a test target includes it as
//! `mod harness;`.

#![allow(dead_code)]

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestCaseError, TestRng, TestRunner};

/// Mutated cases per target unless `SHELFSYNC_FUZZ_CASES` says otherwise. Enough to reach past
/// the first byte of every parser in CI; raise it for a long local run.
pub const DEFAULT_CASES: u32 = 10_000;

/// Mutated cases every target runs whatever the clock says, unless `SHELFSYNC_FUZZ_MIN_CASES`
/// says otherwise: the time budget may cut a run short only after these. Asserted, so a
/// slowed-down target fails instead of passing on a handful of cases. The slowest target (CSV
/// imports into SQLite, a few ms a case) runs these in seconds.
pub const MIN_CASES: u32 = 1_000;

/// Wall-clock budget per target unless `SHELFSYNC_FUZZ_SECS` says otherwise: the whole fuzz
/// set must stay a small part of CI on a 2-core machine. Cases past [`MIN_CASES`] stop here.
pub const DEFAULT_SECS: u64 = 15;

/// Longest a failing input is shrunk before it is reported and saved.
const SHRINK_SECS: u32 = 20;

/// Longest generated input. Every parser under test bounds its own input well below this; the
/// fuzz only needs to cross those bounds, not to allocate megabytes.
const MAX_INPUT: usize = 8 * 1024;

/// What one fuzz target run did, for the report line.
#[derive(Debug)]
pub struct FuzzReport {
    pub corpus_files: usize,
    pub mutated_cases: u32,
}

pub fn corpus_dir(manifest_dir: &str, target: &str) -> PathBuf {
    Path::new(manifest_dir).join("tests").join("corpus").join(target)
}

/// Every corpus file of a target, sorted by name so replays are in a stable order.
pub fn corpus(manifest_dir: &str, target: &str) -> Vec<(String, Vec<u8>)> {
    let dir = corpus_dir(manifest_dir, target);
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("corpus {} unreadable: {e}", dir.display()))
        .map(|entry| entry.expect("corpus entry").path())
        .filter(|p| p.is_file())
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read(&p).expect("corpus file"))
        })
        .collect();
    files.sort();
    files
}

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

#[derive(Clone, Debug)]
enum Mutation {
    Flip(usize, u8),
    Insert(usize, Vec<u8>),
    Delete(usize, usize),
    Truncate(usize),
    Splice(usize, usize),
    Repeat(usize, usize, u8),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        4 => (any::<usize>(), 1u8..=255).prop_map(|(at, bit)| Mutation::Flip(at, bit)),
        3 => (any::<usize>(), prop::collection::vec(any::<u8>(), 1..8)).prop_map(|(at, b)| Mutation::Insert(at, b)),
        2 => (any::<usize>(), 1usize..16).prop_map(|(at, n)| Mutation::Delete(at, n)),
        1 => any::<usize>().prop_map(Mutation::Truncate),
        1 => (any::<usize>(), any::<usize>()).prop_map(|(other, at)| Mutation::Splice(other, at)),
        1 => (any::<usize>(), 1usize..64, any::<u8>()).prop_map(|(at, n, b)| Mutation::Repeat(at, n, b)),
    ]
}

fn apply(seed: &[u8], seeds: &[Vec<u8>], mutations: &[Mutation]) -> Vec<u8> {
    let mut out = seed.to_vec();
    for m in mutations {
        let len = out.len();
        match m {
            Mutation::Flip(at, bit) if len > 0 => out[at % len] ^= bit,
            Mutation::Insert(at, bytes) => {
                let at = at % (len + 1);
                out.splice(at..at, bytes.iter().copied());
            }
            Mutation::Delete(at, n) if len > 0 => {
                let at = at % len;
                out.drain(at..(at + n).min(len));
            }
            Mutation::Truncate(at) => out.truncate(at % (len + 1)),
            Mutation::Splice(other, at) if !seeds.is_empty() => {
                let other = &seeds[other % seeds.len()];
                let from = at % (other.len() + 1);
                let keep = at % (len + 1);
                out.truncate(keep);
                out.extend_from_slice(&other[from..]);
            }
            Mutation::Repeat(at, n, byte) => {
                let at = at % (len + 1);
                out.splice(at..at, std::iter::repeat_n(*byte, *n));
            }
            _ => {}
        }
    }
    out.truncate(MAX_INPUT);
    out
}

fn inputs(seeds: Vec<Vec<u8>>) -> impl Strategy<Value = Vec<u8>> {
    let n = seeds.len().max(1);
    let pick = (0..n, prop::collection::vec(mutation(), 1..6)).prop_map(move |(i, ms)| {
        let seed = seeds.get(i).cloned().unwrap_or_default();
        apply(&seed, &seeds, &ms)
    });
    prop_oneof![8 => pick, 1 => prop::collection::vec(any::<u8>(), 0..512)]
}

/// The run's RNG seed: `SHELFSYNC_FUZZ_SEED` to replay a run, else fresh (the clock mixed
/// through std's randomly keyed hasher), so every CI run explores new inputs.
pub fn seed() -> u64 {
    if let Ok(v) = std::env::var("SHELFSYNC_FUZZ_SEED") {
        return v.trim().parse().unwrap_or_else(|_| panic!("SHELFSYNC_FUZZ_SEED={v:?} is not a number"));
    }
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos()),
    );
    h.finish()
}

/// Replays the corpus, then fuzzes mutations of it from a fresh seed (printed; replay with
/// `SHELFSYNC_FUZZ_SEED`). `check` returns `Err` when the property is broken (e.g. an error
/// without a message, a value that does not round-trip); a panic inside it is a failure too.
/// On the first failure the shrunk input is saved in the corpus as `crash-<hash>` (so every
/// later run replays it until it is fixed) and the test panics naming it. Asserts that at
/// least [`MIN_CASES`] mutated cases ran.
pub fn fuzz(manifest_dir: &str, target: &str, check: impl Fn(&[u8]) -> Result<(), String>) -> FuzzReport {
    let files = corpus(manifest_dir, target);
    assert!(files.len() >= 3, "corpus {target} needs seed files (found {})", files.len());
    for (name, bytes) in &files {
        match catch_unwind(AssertUnwindSafe(|| check(bytes))) {
            Ok(Ok(())) => {}
            Ok(Err(why)) => panic!("corpus {target}/{name}: {why}"),
            Err(_) => panic!("corpus {target}/{name}: panicked"),
        }
    }
    let min_cases = env_or("SHELFSYNC_FUZZ_MIN_CASES", MIN_CASES);
    let cases = env_or("SHELFSYNC_FUZZ_CASES", DEFAULT_CASES).max(min_cases);
    let budget = Duration::from_secs(env_or("SHELFSYNC_FUZZ_SECS", DEFAULT_SECS));
    let seed = seed();
    eprintln!("fuzz {target}: seed {seed} (replay: SHELFSYNC_FUZZ_SEED={seed})");
    let started = Instant::now();
    let deadline = started + budget;
    let seeds: Vec<Vec<u8>> = files.into_iter().map(|(_, b)| b).collect();
    let corpus_files = seeds.len();
    let config =
        Config { cases, failure_persistence: None, max_shrink_time: SHRINK_SECS * 1000, ..Config::default() };
    let mut runner =
        TestRunner::new_with_rng(config, TestRng::from_seed(RngAlgorithm::ChaCha, &seed_bytes(seed)));
    let ran = std::cell::Cell::new(0u32);
    let shrinking = std::cell::Cell::new(false);
    let result = runner.run(&inputs(seeds), |input| {
        // Past the minimum, the clock may end the run (the remaining cases pass untried).
        // While shrinking a failure, every case runs.
        if !shrinking.get() && ran.get() >= min_cases && Instant::now() > deadline {
            return Ok(());
        }
        if !shrinking.get() {
            ran.set(ran.get() + 1);
        }
        let verdict = catch_unwind(AssertUnwindSafe(|| check(&input)));
        let failed = !matches!(verdict, Ok(Ok(())));
        // After the first failure proptest only shrinks: count no more cases from here.
        shrinking.set(shrinking.get() || failed);
        match verdict {
            Ok(Ok(())) => Ok(()),
            Ok(Err(why)) => Err(TestCaseError::fail(why)),
            Err(panic) => Err(TestCaseError::fail(format!("panicked: {}", panic_text(&panic)))),
        }
    });
    if let Err(e) = result {
        let shown = match &e {
            proptest::test_runner::TestError::Fail(why, input) => {
                let kept = keep_crash(manifest_dir, target, input);
                format!("{why}\ninput kept as {kept} (hex {}); seed {seed}", hex(input))
            }
            other => other.to_string(),
        };
        panic!("fuzz target {target} failed: {shown}");
    }
    let report = FuzzReport { corpus_files, mutated_cases: ran.get() };
    eprintln!(
        "fuzz {target}: {} corpus files, {} mutated cases in {:.1} s, seed {seed}",
        report.corpus_files,
        report.mutated_cases,
        started.elapsed().as_secs_f64()
    );
    assert!(
        report.mutated_cases >= min_cases,
        "fuzz {target}: only {} mutated cases ran; at least {min_cases} must",
        report.mutated_cases
    );
    report
}

/// The 32 bytes ChaCha wants, spread from the printed 64-bit seed.
fn seed_bytes(seed: u64) -> [u8; 32] {
    let mut out = [0u8; 32];
    for (i, chunk) in out.chunks_mut(8).enumerate() {
        // splitmix64 steps: distinct words from one seed.
        let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15u64.wrapping_mul(i as u64 + 1));
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        chunk.copy_from_slice(&(z ^ (z >> 31)).to_le_bytes());
    }
    out
}

fn panic_text(panic: &Box<dyn std::any::Any + Send>) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "(no message)".into())
}

/// Saves a failing input in the target's corpus as `crash-<FNV-1a hash>`; returns its path.
/// The corpus is the regression suite: the file stays, and is replayed first by every run,
/// until the bug is fixed (then it is committed as a kept case).
pub fn keep_crash(manifest_dir: &str, target: &str, input: &[u8]) -> String {
    let hash = input
        .iter()
        .fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3));
    let path = corpus_dir(manifest_dir, target).join(format!("crash-{hash:016x}"));
    match std::fs::write(&path, input) {
        Ok(()) => path.display().to_string(),
        Err(e) => format!("(not saved: {}: {e})", path.display()),
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// An error message fit for a person: one line, not empty, bounded.
pub fn one_line(msg: &str) -> Result<(), String> {
    if msg.trim().is_empty() {
        return Err("empty error message".into());
    }
    if msg.contains('\n') {
        return Err(format!("multi-line error message: {msg:?}"));
    }
    if msg.len() > 2_000 {
        return Err(format!("error message of {} bytes", msg.len()));
    }
    Ok(())
}
