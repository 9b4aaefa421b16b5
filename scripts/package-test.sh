#!/usr/bin/env bash
# Install test of the Debian package, on this machine (CI runs as root): builds it with
# scripts/package.sh, installs it with dpkg (apt-get install -f when dependencies are missing),
# and checks that every piece landed and runs:
#
#   files      /usr/bin/shelfsync, /usr/bin/shelfsync-app, the .desktop entry, the icons,
#              /lib/systemd/system/shelfsync.service (and `systemd-analyze verify` accepts it),
#              the maintainer scripts' system user `shelfsync`
#   CLI        `shelfsync --version`, `shelfsync init --db <scratch>`, and `shelfsync serve` on
#              that database alive after 3 s and ending cleanly on SIGTERM, as the unit runs it
#   app        the installed app under xvfb-run and a private D-Bus session, on a scratch
#              SHELFSYNC_DB: alive after 6 s, its log file written; a second start on the same
#              database hands over and exits 0 while the first lives on; a start on another
#              database runs beside it; all stopped with SIGTERM
#
# then removes the package (dpkg -r) and checks the files are gone. Any missing piece fails the
# script with a message naming it; every wait has a deadline.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
say() { printf 'package-test: %s\n' "$*"; }
fail() { printf 'package-test: FAILED: %s\n' "$*" >&2; exit 1; }

[ "$(id -u)" -eq 0 ] || fail "needs root (dpkg -i); CI runs as root"
for tool in dpkg dpkg-deb xvfb-run xauth; do
    command -v "$tool" >/dev/null || fail "$tool is missing; run scripts/setup.sh"
done
# dbus-run-session gives the app a session bus, where the single-instance lock lives.
if ! command -v dbus-run-session >/dev/null; then
    say "apt: installing dbus-daemon (dbus-run-session)"
    DEBIAN_FRONTEND=noninteractive timeout 1200 apt-get install -y -q --no-install-recommends dbus-daemon </dev/null
fi

start=$(date +%s)
deb=$(bash scripts/package.sh | tail -n 1)
[ -f "$deb" ] || fail "scripts/package.sh gave no .deb ($deb)"
built=$(date +%s)
say "built $(basename "$deb") ($(du -h "$deb" | cut -f1)) in $((built - start)) s"

package=$(dpkg-deb --field "$deb" Package)
[ "$package" = "shelfsync" ] || fail "package name is '$package', expected shelfsync"
dpkg-deb --field "$deb" Depends | grep -q libwebkit2gtk-4.1-0 || fail "Depends lacks libwebkit2gtk-4.1-0"

scratch=$(mktemp -d /tmp/shelfsync-package-test.XXXXXX)
PIDS=()
cleanup() {
    for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    sleep 0.5
    for pid in "${PIDS[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
    if dpkg-query -W -f='${db:Status-Abbrev}' "$package" 2>/dev/null | grep -q '^ii'; then
        dpkg -r "$package" >/dev/null 2>&1 || true
    fi
    rm -rf "$scratch"
}
trap cleanup EXIT

# A run that died half-way may have left the package installed: start clean.
if dpkg-query -W -f='${db:Status-Abbrev}' "$package" 2>/dev/null | grep -q '^ii'; then
    say "removing a $package left installed by an earlier run"
    dpkg -r "$package" >/dev/null
fi

say "dpkg -i $(basename "$deb")"
if ! dpkg -i "$deb"; then
    say "dpkg -i failed; letting apt install the missing dependencies"
    DEBIAN_FRONTEND=noninteractive timeout 1200 apt-get install -f -y -q </dev/null || fail "apt-get install -f"
fi
dpkg-query -W -f='${db:Status-Abbrev}' "$package" | grep -q '^ii' || fail "$package is not installed after dpkg -i"

# --- files -------------------------------------------------------------------------------------
unit=/lib/systemd/system/shelfsync.service
for path in /usr/bin/shelfsync /usr/bin/shelfsync-app; do
    [ -x "$path" ] || fail "$path is missing or not executable"
done
[ -f "$unit" ] || fail "$unit is missing"
desktop=$(dpkg -L "$package" | grep '^/usr/share/applications/.*\.desktop$' || true)
[ -n "$desktop" ] && [ -f "$desktop" ] || fail "no .desktop file under /usr/share/applications"
grep -q '^Exec=shelfsync-app' "$desktop" || fail "$desktop does not start shelfsync-app: $(grep ^Exec= "$desktop")"
grep -q '^Icon=shelfsync-app' "$desktop" || fail "$desktop names no shelfsync-app icon"
icons=$(dpkg -L "$package" | grep -c '^/usr/share/icons/hicolor/.*/apps/shelfsync-app\.png$' || true)
[ "$icons" -ge 3 ] || fail "expected at least 3 hicolor icons, found $icons"
grep -q '^ExecStart=/usr/bin/shelfsync serve' "$unit" || fail "$unit does not run shelfsync serve"
getent passwd shelfsync >/dev/null || fail "postinst did not create the shelfsync user"
if command -v systemd-analyze >/dev/null; then
    systemd-analyze verify "$unit" || fail "systemd-analyze verify $unit"
fi
say "files: binaries, $(basename "$desktop"), $icons icons, the unit, the shelfsync user"

# --- the CLI -----------------------------------------------------------------------------------
version=$(/usr/bin/shelfsync --version) || fail "shelfsync --version"
[[ "$version" == "shelfsync "[0-9]* ]] || fail "shelfsync --version printed '$version'"
/usr/bin/shelfsync init --db "$scratch/x.db" >/dev/null || fail "shelfsync init --db $scratch/x.db"
[ -s "$scratch/x.db" ] || fail "shelfsync init made no database"
say "CLI: $version; init made $scratch/x.db"

# `shelfsync serve`, as the unit runs it (its own folders, no channels configured yet).
SHELFSYNC_LOG_DIR="$scratch/serve-logs" SHELFSYNC_SECRETS=file \
    /usr/bin/shelfsync serve --db "$scratch/x.db" >"$scratch/serve.out" 2>&1 </dev/null &
serve=$!
PIDS+=("$serve")
sleep 3
kill -0 "$serve" 2>/dev/null || { cat "$scratch/serve.out" >&2; fail "shelfsync serve exited within 3 s"; }
kill -TERM "$serve"
for _ in $(seq 300); do kill -0 "$serve" 2>/dev/null || break; sleep 0.1; done
kill -0 "$serve" 2>/dev/null && { cat "$scratch/serve.out" >&2; fail "shelfsync serve still running 30 s after SIGTERM"; }
serve_status=0; wait "$serve" || serve_status=$?
[ "$serve_status" -eq 0 ] || { cat "$scratch/serve.out" >&2; fail "shelfsync serve exited $serve_status on SIGTERM"; }
say "serve: ran 3 s, stopped on SIGTERM with status 0"

# --- the app -----------------------------------------------------------------------------------
# One X server and one session bus for every instance below. Each start writes its pid first,
# then execs the installed binary, so the pid is the app's own.
cat >"$scratch/session.sh" <<'SESSION'
#!/bin/bash
# Runs inside xvfb-run and dbus-run-session; $1 is the scratch folder.
set -euo pipefail
s=$1
launch() { # name db
    ( echo $BASHPID >"$s/$1.pid"; export SHELFSYNC_DB="$2" SHELFSYNC_LOG_DIR="$s/logs-$1"
      exec /usr/bin/shelfsync-app >"$s/$1.out" 2>&1 </dev/null ) &
}
alive() { kill -0 "$(cat "$s/$1.pid")" 2>/dev/null; }
stop() { kill -TERM "$(cat "$s/$1.pid")" 2>/dev/null || true; }
trap 'stop first; stop other' EXIT
bad() { echo "package-test: FAILED: $*" >&2; for f in "$s"/*.out; do echo "--- $f" >&2; tail -n 20 "$f" >&2; done; exit 1; }

launch first "$s/app.db"
sleep 6
alive first || bad "the installed app exited within 6 s"
[ -s "$s/app.db" ] || bad "the app made no database at SHELFSYNC_DB"
grep -qs "logging started" "$s"/logs-first/shelfsync-app.*.log || bad "no log file in $s/logs-first"

# A second start on the same database hands over to the first and exits 0.
launch second "$s/app.db"
for _ in $(seq 150); do alive second || break; sleep 0.1; done
alive second && bad "a second start on the same database is still running after 15 s"
wait "$(cat "$s/second.pid")" && status=0 || status=$?
[ "$status" -eq 0 ] || bad "the second start exited $status, expected 0"
grep -qs "a second start on this database" "$s"/logs-first/shelfsync-app.*.log \
    || { sleep 1; grep -qs "a second start on this database" "$s"/logs-first/shelfsync-app.*.log; } \
    || bad "the first instance did not log the second start"
alive first || bad "the first instance died when the second started"

# Another database is another instance (how the e2e tests run beside a developer's app).
launch other "$s/other.db"
sleep 5
alive other || bad "an app on another database exited within 5 s"

for name in first other; do
    pid=$(cat "$s/$name.pid"); stop "$name"
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && bad "$name still running 10 s after SIGTERM"
done
echo "package-test: app: ran, wrote its log, one instance per database, stopped on SIGTERM"
SESSION
chmod +x "$scratch/session.sh"
timeout --kill-after=10 120 xvfb-run -a -s "-screen 0 1280x800x24 -nolisten tcp" \
    dbus-run-session -- "$scratch/session.sh" "$scratch" </dev/null || fail "the app checks (above)"

# --- removal -----------------------------------------------------------------------------------
dpkg -r "$package" >/dev/null || fail "dpkg -r $package"
for path in /usr/bin/shelfsync /usr/bin/shelfsync-app "$unit" "$desktop"; do
    [ ! -e "$path" ] || fail "$path is still there after dpkg -r"
done
say "removed; passed in $(( $(date +%s) - start )) s ($(( $(date +%s) - built )) s after the build)"
