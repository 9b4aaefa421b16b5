//! One app per workstation and database (`tauri-plugin-single-instance`): a second start on the
//! same database hands over to the first, which shows and focuses its window, and exits.
//!
//! On Linux the plugin owns a D-Bus name on the session bus; the name here is keyed on the
//! database file (an FNV-1a hash of its absolute path), not only on the app: two apps on one
//! ledger would fight over its write lock and its sync lease, but apps on different files do not
//! interfere, and the end-to-end tests (and the app benchmark) start each instance on a
//! database of their own while a developer's app may be running. Without a session bus (a
//! kiosk without a desktop session, Xvfb in CI) the plugin cannot find other instances and
//! starts normally (it logs a warning). On Windows the plugin keys a named mutex on the app's
//! identifier, so there it is one app per user session whatever the database.

use std::path::{Path, PathBuf};

use tauri::plugin::TauriPlugin;
use tauri::{Manager, Runtime};

/// The D-Bus id for `db_path`: `app.shelfsync.desktop.db_<16 hex digits>` (the plugin appends
/// `.SingleInstance`). Every element starts with a letter, as D-Bus requires.
pub fn dbus_id(db_path: &Path) -> String {
    let path = absolute_db_path(db_path);
    format!("app.shelfsync.desktop.db_{:016x}", fnv1a(path.as_os_str().as_encoded_bytes()))
}

/// The plugin, to register first in the builder (before anything else starts).
pub fn plugin<R: Runtime>(db_path: &Path) -> TauriPlugin<R> {
    tauri_plugin_single_instance::Builder::new()
        .dbus_id(dbus_id(db_path))
        .callback(|app, _argv, _cwd| {
            tracing::info!("a second start on this database: showing this window instead");
            if let Some(window) = app.get_webview_window("main") {
                let _ = window.unminimize();
                let _ = window.show();
                let _ = window.set_focus();
            }
        })
        .build()
}

/// The same file however it is named: the folder resolved (symlinks, `..`), the file name kept
/// (the database may not exist yet on a first start).
fn absolute_db_path(db_path: &Path) -> PathBuf {
    let absolute = std::path::absolute(db_path).unwrap_or_else(|_| db_path.to_path_buf());
    match (absolute.parent().map(std::fs::canonicalize), absolute.file_name()) {
        (Some(Ok(folder)), Some(name)) => folder.join(name),
        _ => absolute,
    }
}

/// FNV-1a, 64 bits: stable across Rust versions and builds (std's hasher is not), so an updated
/// app still finds the running one.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes
        .iter()
        .fold(0xcbf2_9ce4_8422_2325, |hash, &b| (hash ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_id_per_database_file() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a.db");
        let b = dir.path().join("b.db");
        assert_ne!(dbus_id(&a), dbus_id(&b));
        // The same file by another name is the same instance.
        let dotted = dir.path().join("sub/../a.db");
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        assert_eq!(dbus_id(&a), dbus_id(&dotted));
        let id = dbus_id(&a);
        assert!(
            id.starts_with("app.shelfsync.desktop.db_") && id.len() == "app.shelfsync.desktop.db_".len() + 16
        );
        // D-Bus: elements of [A-Za-z0-9_-], none starting with a digit.
        for element in format!("{id}.SingleInstance").split('.') {
            assert!(!element.is_empty() && !element.starts_with(|c: char| c.is_ascii_digit()), "{element}");
            assert!(element.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-'), "{element}");
        }
        assert_eq!(fnv1a(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a(b"a"), 0xaf63_dc4c_8601_ec8c);
    }
}
