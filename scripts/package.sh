#!/usr/bin/env bash
# Builds the Debian package: the desktop app, the `shelfsync` CLI, the desktop entry and icons,
# and the systemd unit `shelfsync.service` (shipped, not enabled). `make package` runs this.
#
#   1. cargo build -p shelfsync-cli (debug, like the rest of CI), copied to target/package/
#      and stripped there (tauri.conf.json's bundle.linux.deb.files takes it from that path)
#   2. the Tauri CLI's deb bundler, `tauri build --debug --bundles deb`, with two settings for
#      this build only (--config): bundle.active on, and productName `shelfsync`, which names
#      the Debian package (the bundler kebab-cases it: `ShelfSync` would give `shelf-sync`; the
#      desktop entry's template keeps the name people see, ShelfSync). It rebuilds the UI, and
#      the app crate once (~15 s: the embedded config changed), reusing everything else that
#      scripts/build-app.sh built (same profile, same features: the app's `demo` feature too,
#      because README's first run holds for the package: SHELFSYNC_DEMO unset loads the demo in
#      a debug build, `on` loads it in any build)
#
# Debug, not release: CI already has the debug app, a release build of the GTK/WebKit stack
# costs many minutes on 2 cores, and the package is what the install test installs. A release
# package for people: PROFILE=release bash scripts/package.sh.
# The AppImage bundler downloads tools at build time and is never used here.
#
# Result: the path of the .deb on the last line of stdout.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}"
export CARGO_INCREMENTAL="${CARGO_INCREMENTAL:-0}"
profile="${PROFILE:-debug}"
say() { printf 'package: %s\n' "$*" >&2; }

tauri="$root/ui/node_modules/.bin/tauri"
[ -x "$tauri" ] || { say "$tauri is missing; run scripts/setup.sh first"; exit 1; }
case "$profile" in
    debug) cargo_profile=(); tauri_profile=(--debug) ;;
    release) cargo_profile=(--release); tauri_profile=() ;;
    *) say "PROFILE must be debug or release, not $profile"; exit 1 ;;
esac

start=$(date +%s)
say "building the shelfsync CLI ($profile)"
timeout --kill-after=30 2400 cargo build -q "${cargo_profile[@]}" -p shelfsync-cli </dev/null
stage="$root/target/package"
mkdir -p "$stage"
install -m 0755 "$CARGO_TARGET_DIR/$profile/shelfsync" "$stage/shelfsync"
# Debug symbols are most of a debug binary; the package does not need them.
strip --strip-debug "$stage/shelfsync"

export TAURI_APP_PATH="$root/src-tauri"
export TAURI_FRONTEND_PATH="$root/ui"
bundle_dir="$CARGO_TARGET_DIR/$profile/bundle/deb"
rm -rf "$bundle_dir"
say "bundling the app into a .deb (tauri build ${tauri_profile[*]} --bundles deb --features demo)"
timeout --kill-after=30 2400 "$tauri" build "${tauri_profile[@]}" --bundles deb --features demo \
    --config '{"productName":"shelfsync","bundle":{"active":true}}' </dev/null >&2

shopt -s nullglob
debs=("$bundle_dir"/*.deb)
if [ ${#debs[@]} -ne 1 ]; then
    say "expected one .deb in $bundle_dir, found ${#debs[@]}"
    exit 1
fi
deb="${debs[0]}"
say "$(basename "$deb"): $(du -h "$deb" | cut -f1) in $(( $(date +%s) - start )) s"
echo "$deb"
