//! A full disk while logging: the log folder is a 1 MiB tmpfs filled to the last byte by a
//! ballast file, and 20,000 lines are logged (and flushed) into it. Nothing panics, the program
//! goes on, the lines are dropped; once space is freed, logging resumes in the same file.
//! Mounting needs root, so the test is named `privileged_*`: CI runs as root and runs it; where
//! the mount is refused it fails, saying why. As another user, `cargo nextest run --profile
//! unprivileged` (`.config/nextest.toml`) leaves it out and nextest reports it as skipped.

use std::path::{Path, PathBuf};
use std::process::Command;

struct Tmpfs(PathBuf);

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

fn log_bytes(dir: &Path) -> String {
    let mut text = String::new();
    for entry in std::fs::read_dir(dir).expect("dir") {
        let path = entry.expect("entry").path();
        if path.file_name().is_some_and(|n| n.to_string_lossy().starts_with("disk-test.")) {
            text.push_str(&std::fs::read_to_string(&path).expect("read log"));
        }
    }
    text
}

#[test]
fn privileged_a_full_disk_drops_lines_and_never_stops_the_program() {
    let base = tempfile::tempdir().expect("tempdir");
    let mount_point = base.path().join("logs");
    std::fs::create_dir(&mount_point).expect("mount point");
    let out = Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=1m", "tmpfs"])
        .arg(&mount_point)
        .output()
        .expect("run mount");
    assert!(
        out.status.success(),
        "this test needs root to mount a tmpfs ({}); CI runs as root. As another user run \
         `cargo nextest run --profile unprivileged`, which reports the privileged_* tests as skipped",
        String::from_utf8_lossy(&out.stderr).trim()
    );
    let _mounted = Tmpfs(mount_point.clone());

    let guard = shelfsync_logging::init(Some(mount_point.clone()), "disk-test").expect("init logging");
    tracing::info!("before the disk fills");
    guard.flush();
    assert!(log_bytes(&mount_point).contains("before the disk fills"));

    // Fill every remaining byte.
    let ballast = mount_point.join("ballast");
    {
        use std::io::Write;
        let mut file = std::fs::File::create(&ballast).expect("ballast");
        let block = vec![0u8; 4096];
        while file.write_all(&block).is_ok() {}
        let _ = file.write_all(&[0u8; 1]);
        let _ = file.sync_all();
    }
    for n in 0..20_000 {
        tracing::info!(n, "a line while the disk is full, padded to make it count: {}", "x".repeat(100));
    }
    guard.flush();
    let text = log_bytes(&mount_point);
    assert!(!text.contains("n=19999"), "the disk was full, yet the last line was written");

    // Space again: logging resumes.
    std::fs::remove_file(&ballast).expect("remove ballast");
    tracing::info!("after space came back");
    guard.flush();
    assert!(log_bytes(&mount_point).contains("after space came back"), "logging did not resume");
}
