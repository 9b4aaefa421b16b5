//! The fuzz harness itself (`corpus/harness.rs`, shared by every fuzz target): a target that
//! breaks its property fails, and the input that broke it is kept in its corpus, so the next
//! run replays it first and fails again until it is fixed.

#[path = "corpus/harness.rs"]
mod harness;

use std::panic::{AssertUnwindSafe, catch_unwind};

/// Fails on any input holding 0xAB: an error, or a panic, as a real target's bug would.
fn broken(input: &[u8], panics: bool) -> Result<(), String> {
    if input.contains(&0xAB) {
        if panics {
            panic!("the parser fell over");
        }
        return Err("property broken".into());
    }
    Ok(())
}

#[test]
fn a_failing_target_keeps_its_input_in_the_corpus_and_fails_again_on_replay() {
    for panics in [false, true] {
        let manifest = tempfile::tempdir().unwrap();
        let manifest_dir = manifest.path().to_str().unwrap();
        let dir = harness::corpus_dir(manifest_dir, "t");
        std::fs::create_dir_all(&dir).unwrap();
        for (name, bytes) in [("a", &b"plain"[..]), ("b", b"text"), ("c", b"\x00\x01")] {
            std::fs::write(dir.join(name), bytes).unwrap();
        }
        let first =
            catch_unwind(AssertUnwindSafe(|| harness::fuzz(manifest_dir, "t", |i| broken(i, panics))));
        assert!(first.is_err(), "panics={panics}: the broken target fails");
        let kept: Vec<_> =
            harness::corpus(manifest_dir, "t").into_iter().filter(|(n, _)| n.starts_with("crash-")).collect();
        assert_eq!(kept.len(), 1, "panics={panics}: the failing input is kept");
        assert!(kept[0].1.contains(&0xAB), "panics={panics}: the kept input is the failing one (shrunk)");
        // The corpus replay comes first: the next run fails on the kept file by name.
        let again =
            catch_unwind(AssertUnwindSafe(|| harness::fuzz(manifest_dir, "t", |i| broken(i, panics))));
        let message = again.err().map(|p| {
            p.downcast_ref::<String>()
                .cloned()
                .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default()
        });
        assert!(
            message.as_deref().is_some_and(|m| m.contains(&format!("corpus t/{}", kept[0].0))),
            "panics={panics}: the replay fails on the kept file: {message:?}"
        );
    }
}

#[test]
fn a_sound_target_runs_at_least_the_minimum_of_cases() {
    let manifest = tempfile::tempdir().unwrap();
    let manifest_dir = manifest.path().to_str().unwrap();
    let dir = harness::corpus_dir(manifest_dir, "ok");
    std::fs::create_dir_all(&dir).unwrap();
    for name in ["a", "b", "c"] {
        std::fs::write(dir.join(name), name).unwrap();
    }
    let report = harness::fuzz(manifest_dir, "ok", |_| Ok(()));
    assert_eq!(report.corpus_files, 3);
    assert!(report.mutated_cases >= harness::MIN_CASES, "{report:?}");
}
