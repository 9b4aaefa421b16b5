#!/usr/bin/env bash
# Builds the desktop app the way it ships, minus the installer: the UI (svelte-check + vite, run
# by tauri.conf.json's beforeBuildCommand) and then the Rust binary through the Tauri CLI, which
# adds the `tauri/custom-protocol` feature so the binary serves the built UI from inside itself.
# Result: target/debug/shelfsync-app (or $CARGO_TARGET_DIR/debug/shelfsync-app).
#
# With the app's `demo` feature (the simulated channels, "Try the demo"): `make run` opens the
# demo and the e2e suite drives it. scripts/package.sh builds the .deb with the same feature, so
# it reuses this build.
#
# A plain `cargo build -p shelfsync-app` writes the same path without those features (and without
# the demo: an empty database then gets the first-run screen); the app still
# works (there is no devUrl to point it elsewhere), but run this right before the e2e tests so
# they test what a user runs.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}"

tauri="$root/ui/node_modules/.bin/tauri"
if [ ! -x "$tauri" ]; then
    echo "build-app: $tauri is missing; run scripts/setup.sh first" >&2
    exit 1
fi

# Tell the CLI where the Tauri crate and the front end are, instead of letting it search.
export TAURI_APP_PATH="$root/src-tauri"
export TAURI_FRONTEND_PATH="$root/ui"

start=$(date +%s)
echo "build-app: building UI and shelfsync-app (debug, no bundle, feature demo)"
timeout --kill-after=30 2400 "$tauri" build --debug --no-bundle --features demo </dev/null

binary="$CARGO_TARGET_DIR/debug/shelfsync-app"
if [ ! -x "$binary" ]; then
    echo "build-app: expected $binary after the build" >&2
    exit 1
fi
echo "build-app: $binary ready in $(( $(date +%s) - start )) s"
