#!/usr/bin/env bash
# Installs what building and testing ShelfSync needs on a fresh Debian 12 / Ubuntu machine, and
# nothing that is already there: a second run is a quick no-op. Non-interactive (CI has no stdin).
#
#   apt:   the WebKitGTK stack Tauri 2 builds against, Xvfb + WebKitWebDriver for the
#          end-to-end tests, socat for serial tests, sqlite3 for poking at a database by hand
#   npm:   ui/node_modules from ui/package-lock.json (npm ci), only when missing or stale
#   cargo: tauri-driver (WebDriver bridge for the e2e tests) and cargo-nextest (test runner)
set -euo pipefail
cd "$(dirname "$0")/.."

export DEBIAN_FRONTEND=noninteractive
say() { printf 'setup: %s\n' "$*"; }

APT_PACKAGES=(
    libwebkit2gtk-4.1-dev build-essential libssl-dev libayatana-appindicator3-dev librsvg2-dev
    libxdo-dev libudev-dev pkg-config xvfb xauth webkit2gtk-driver socat sqlite3
    libdbus-1-dev
    # The shared hub's tests and benchmark start a throwaway PostgreSQL cluster (Debian 12: 15).
    postgresql
    # Load on the webhook receiver (scripts/bench.d/90-reliability.sh).
    wrk
)

# --- apt -------------------------------------------------------------------------------------
sudo_if_needed() {
    if [ "$(id -u)" -eq 0 ]; then
        "$@"
    elif command -v sudo >/dev/null; then
        sudo -n "$@"
    else
        say "need root or sudo to run: $*" >&2
        exit 1
    fi
}

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
    status=$(dpkg-query -W -f='${db:Status-Abbrev}' "$pkg" 2>/dev/null || true)
    [[ "$status" == ii* ]] || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
    say "apt: installing ${missing[*]}"
    sudo_if_needed env DEBIAN_FRONTEND=noninteractive timeout 600 apt-get update -q
    sudo_if_needed env DEBIAN_FRONTEND=noninteractive timeout 1200 \
        apt-get install -y -q --no-install-recommends "${missing[@]}" </dev/null
else
    say "apt: all ${#APT_PACKAGES[@]} packages present"
fi

# --- toolchains we do not install ------------------------------------------------------------
for tool in cargo node npm; do
    if ! command -v "$tool" >/dev/null; then
        say "$tool is missing: install Rust (rustup) and Node 20+ first" >&2
        exit 1
    fi
done

# --- npm -------------------------------------------------------------------------------------
# npm ci writes node_modules/.package-lock.json; when it is older than the committed lock (or
# missing), the tree is stale and npm ci rebuilds it exactly from the lock.
stamp=ui/node_modules/.package-lock.json
if [ ! -f "$stamp" ] || [ ui/package-lock.json -nt "$stamp" ] || [ ui/package.json -nt "$stamp" ]; then
    say "npm: npm ci in ui/"
    (cd ui && timeout 600 npm ci --no-audit --no-fund </dev/null)
else
    say "npm: ui/node_modules is up to date"
fi

# --- cargo tools -----------------------------------------------------------------------------
cargo_bin="${CARGO_HOME:-$HOME/.cargo}/bin"
have_tool() { command -v "$1" >/dev/null || [ -x "$cargo_bin/$1" ]; }

if ! have_tool tauri-driver; then
    say "cargo: installing tauri-driver 2 (about 30 s)"
    timeout 1200 cargo install tauri-driver --version '^2' --locked </dev/null
else
    say "cargo: tauri-driver present"
fi
if ! have_tool cargo-nextest; then
    say "cargo: installing cargo-nextest (a few minutes)"
    timeout 1800 cargo install cargo-nextest --locked </dev/null
else
    say "cargo: cargo-nextest present"
fi
say "done"
