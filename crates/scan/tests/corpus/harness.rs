//! Stable-toolchain fuzzing: a kept corpus plus proptest mutations of it.
//!
//! `cargo fuzz` needs nightly, which this project does not use. Each fuzz target instead keeps
//! a corpus directory (`tests/corpus/<target>/`, one input per file): every file is replayed as
//! a test case, then mutated inputs (bit flips, inserts, deletes, truncations, splices of two
//! seeds, plus raw random bytes) run for a bounded number of cases and a bounded time. A crash
//! prints the minimal input as hex, to be saved as a new corpus file once fixed: the corpus is
//! the regression suite.
//!
//! Shared by the fuzz targets of several crates through `#[path]`; a test target includes it as
//! `mod harness;`.

#![allow(dead_code)]

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};

/// Mutated cases per target unless `SHELFSYNC_FUZZ_CASES` says otherwise. Enough to reach past
/// the first byte of every parser in CI; raise it for a long local run.
pub const DEFAULT_CASES: u32 = 10_000;

/// Wall-clock budget per target unless `SHELFSYNC_FUZZ_SECS` says otherwise: the whole fuzz
/// set must stay a small part of CI on a 2-core machine.
pub const DEFAULT_SECS: u64 = 15;

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

/// Replays the corpus, then fuzzes mutations of it. `check` returns `Err` when the property is
/// broken (e.g. an error without a message, a value that does not round-trip); a panic inside
/// it is a failure too. Panics on the first failure with the input that causes it.
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
    let cases = env_or("SHELFSYNC_FUZZ_CASES", DEFAULT_CASES);
    let budget = Duration::from_secs(env_or("SHELFSYNC_FUZZ_SECS", DEFAULT_SECS));
    let deadline = Instant::now() + budget;
    let seeds: Vec<Vec<u8>> = files.into_iter().map(|(_, b)| b).collect();
    let corpus_files = seeds.len();
    // A fixed RNG seed per target keeps CI reproducible; SHELFSYNC_FUZZ_RANDOM=1 explores more.
    let config = Config { cases, failure_persistence: None, ..Config::default() };
    let mut runner = if std::env::var("SHELFSYNC_FUZZ_RANDOM").is_ok() {
        TestRunner::new(config)
    } else {
        TestRunner::new_with_rng(config, proptest::test_runner::TestRng::deterministic_rng(config_algo()))
    };
    let ran = std::cell::Cell::new(0u32);
    let result = runner.run(&inputs(seeds), |input| {
        if Instant::now() > deadline {
            return Ok(());
        }
        ran.set(ran.get() + 1);
        check(&input).map_err(TestCaseError::fail)
    });
    if let Err(e) = result {
        let shown = match &e {
            proptest::test_runner::TestError::Fail(why, input) => {
                format!("{why}\ninput (hex, save as tests/corpus/{target}/<name> once fixed): {}", hex(input))
            }
            other => other.to_string(),
        };
        panic!("fuzz target {target} failed: {shown}");
    }
    let report = FuzzReport { corpus_files, mutated_cases: ran.get() };
    eprintln!("fuzz {target}: {} corpus files, {} mutated cases", report.corpus_files, report.mutated_cases);
    report
}

fn config_algo() -> proptest::test_runner::RngAlgorithm {
    proptest::test_runner::RngAlgorithm::ChaCha
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
