//! Two jobs before compiling the shell:
//! 1. tauri-build: embeds tauri.conf.json and generates one allow/deny permission per command,
//!    so capabilities/main.json can grant commands one by one.
//! 2. Snapshots the committed TypeScript bindings (ui/src/bindings/*.ts) into the test binary.
//!    `cargo test` regenerates those files through ts-rs; comparing against a snapshot taken at
//!    build time (not the file on disk, which a parallel export test may already have rewritten)
//!    is what lets the `bindings_are_committed` test fail reliably when they are stale.

use std::fmt::Write as _;
use std::path::Path;

/// Every command the webview may call. Adding one here without a permission in a capability
/// file leaves it unreachable, which is the point.
const COMMANDS: &[&str] = &[
    // Read-only, and the session itself.
    "app_info",
    "stock_levels",
    "recent_events",
    "item_lookup",
    "search_stock",
    "locations",
    "session_info",
    "sign_in",
    "sign_out",
    "lock_session",
    "session_ping",
    // First run: no session, and refused in Rust once the database has any user.
    "try_demo",
    "create_first_admin",
    // Acting: each reads the signed-in user from Rust state.
    "classify_scan",
    "commit_scans",
    "save_station_draft",
    "station_draft",
    "discard_station_draft",
    "start_count",
    "count_sessions",
    "count_session",
    "submit_count",
    "due_counts",
    "start_count_scoped",
    "submit_count_confirmed",
    "start_scanners",
    "sync_status",
    "hub_status",
    "sku_sync",
    "alerts",
    "incidents",
    "incident",
    "reconcile_runs",
    "last_drift",
    "export_csv",
    "scanner_devices",
    "repush_progress",
    "import_progress",
    // Supervisors only, checked again in Rust.
    "approvals",
    "decide",
    "decide_many",
    "approvals_waiting",
    "start_due_count",
    "retry_dead_letters",
    "repush_channel",
    // Stock for supervisors; items and locations for admins (checked per kind in Rust).
    "import_csv",
    "ack_alert",
    "resolve_incident",
    "run_reconcile",
    "run_drift",
    "thresholds",
    "tolerance",
    "set_tolerance",
    "channels",
    // Admins only, checked again in Rust.
    "set_threshold",
    "users",
    "add_user",
    "unlock_user",
    "set_user_active",
    "reset_user_pin",
    "add_location",
    "add_channel",
    "set_rule",
    // The channel step of the first run (and any admin): a real call, then the link review.
    "test_channel",
    "link_channel",
    // This workstation: the wedge timing for anyone (read before sign-in); settings and
    // diagnostics for supervisors, checked again in Rust.
    "wedge_max_gap_ms",
    "workstation_settings",
    "set_workstation_setting",
    "save_diagnostics",
    "restart_scanners",
];

fn main() {
    snapshot_bindings();
    tauri_build::try_build(
        tauri_build::Attributes::new().app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .expect("tauri-build failed");
}

fn snapshot_bindings() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../ui/src/bindings");
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut files: Vec<(String, String)> = std::fs::read_dir(&dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "ts"))
                .map(|p| {
                    let name = p.file_name().unwrap().to_string_lossy().into_owned();
                    let text = std::fs::read_to_string(&p).expect("bindings are UTF-8");
                    (name, text)
                })
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    let mut out = String::from("pub const COMMITTED_BINDINGS: &[(&str, &str)] = &[\n");
    for (name, text) in &files {
        writeln!(out, "    ({name:?}, {text:?}),").unwrap();
    }
    out.push_str("];\n");
    let dest = Path::new(&std::env::var("OUT_DIR").unwrap()).join("committed_bindings.rs");
    std::fs::write(dest, out).expect("write bindings snapshot");
}
