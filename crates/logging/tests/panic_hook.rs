//! The panic hook logs the panic with its location and flushes the file before the default hook
//! runs: the line is on disk when `join` returns, with the guard still alive (nothing else
//! flushed it). One test per file: `init` is once per process.

#[test]
fn a_panic_is_in_the_log_file_with_its_location() {
    let base = tempfile::tempdir().expect("tempdir");
    let logs = base.path().join("new/logs");
    let _guard = shelfsync_logging::init(Some(logs.clone()), "panic-test").expect("init logging");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&logs).expect("log folder").permissions().mode() & 0o777;
        assert_eq!(mode, 0o700, "a new log folder is private");
    }
    let dir = &logs;
    let line = line!() + 3;
    let result = std::thread::Builder::new()
        .name("scanner".into())
        .spawn(|| panic!("scanner thread lost its device"))
        .expect("spawn")
        .join();
    assert!(result.is_err(), "the thread panicked");

    let files: Vec<_> = std::fs::read_dir(dir).expect("dir").map(|e| e.expect("entry").path()).collect();
    assert_eq!(files.len(), 1, "one file: {files:?}");
    let name = files[0].file_name().unwrap().to_string_lossy().to_string();
    assert!(name.starts_with("panic-test.") && name.ends_with(".log"), "{name}");
    let text = std::fs::read_to_string(&files[0]).expect("read");
    let panic_line =
        text.lines().find(|l| l.contains("panicked")).unwrap_or_else(|| panic!("no panic line in:\n{text}"));
    assert!(panic_line.contains("ERROR"), "{panic_line}");
    assert!(panic_line.contains("scanner thread lost its device"), "{panic_line}");
    assert!(panic_line.contains(&format!("panic_hook.rs:{line}:")), "location {line} in: {panic_line}");
    assert!(panic_line.contains("thread=\"scanner\""), "{panic_line}");

    // File logging goes on after the flush.
    tracing::info!("after the panic");
    _guard.flush();
    let text = std::fs::read_to_string(&files[0]).expect("read");
    assert!(text.contains("after the panic"), "{text}");
}
