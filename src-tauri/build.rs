//! Two jobs before compiling the shell:
//! 1. tauri-build: embeds tauri.conf.json and generates one allow/deny permission per command,
//!    so capabilities/main.json can grant commands one by one.
//! 2. Snapshots the committed TypeScript bindings (ui/src/bindings/*.ts) into the test binary.
//!    `cargo test` regenerates those files through ts-rs; comparing against a snapshot taken at
//!    build time (not the file on disk, which a parallel export test may already have rewritten)
//!    is what lets the `bindings_are_committed` test fail reliably when they are stale.

use std::fmt::Write as _;
use std::path::Path;

/// Collects the names of `src/command_table.rs`, the one list of commands (see `src/handler.rs`
/// for the rest of what it generates). The argument and return types are parsed as `ty`
/// fragments and never resolved, so the build script needs none of them. A command in the
/// table without a grant in capabilities/main.json is unreachable, and a test says so.
macro_rules! commands {
    ($(
        $(#[doc = $doc:literal])*
        $name:ident ( $($arg:ident : $ty:ty),* $(,)? ) -> $ret:ty => $kind:ident $body:path;
    )*) => {
        const COMMANDS: &[&str] = &[$(stringify!($name)),*];
    };
}

include!("src/command_table.rs");

fn main() {
    println!("cargo:rerun-if-changed=src/command_table.rs");
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
