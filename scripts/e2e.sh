#!/usr/bin/env bash
# End-to-end tests: the built app in a real window under Xvfb, driven over WebDriver.
#
#   outside Xvfb: checks tools and the app binary, compiles the test crate, clears old
#                 screenshots, then re-runs itself inside `xvfb-run -a`
#   inside Xvfb:  starts tauri-driver on 4444 (WebDriver) / 4445 (WebKitWebDriver), or a free
#                 random pair when those are taken (TAURI_DRIVER_URL tells the tests), waits for
#                 both ports, runs `cargo test -p shelfsync-e2e -- --test-threads=1`, and stops
#                 tauri-driver with SIGTERM (SIGKILL would leave WebKitWebDriver holding 4445)
#
# Everything has a deadline: the script fails rather than hangs. Needs scripts/setup.sh and
# scripts/build-app.sh first (`make test-e2e` runs both). Screenshots: target/e2e-screens/.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}"
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"

# Ports: 4444/4445 unless taken (another run, e.g. CI on a shared machine), else a random
# free pair, so two runs on one machine never share a driver. The tests read TAURI_DRIVER_URL.
DRIVER_PORT="${E2E_DRIVER_PORT:-4444}"
NATIVE_PORT=$((DRIVER_PORT + 1))
PORT_WAIT_S=30
TESTS_TIMEOUT_S=900
say() { printf 'e2e: %s\n' "$*"; }

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Global, not local: the EXIT trap runs after inside_xvfb has returned.
DRIVER_PID=""
DRIVER_CHILDREN=""

stop_driver() {
    [ -n "$DRIVER_PID" ] || return 0
    DRIVER_CHILDREN=$(pgrep -P "$DRIVER_PID" || true)
    if kill -0 "$DRIVER_PID" 2>/dev/null; then
        kill -TERM "$DRIVER_PID" 2>/dev/null || true
        for _ in $(seq 50); do kill -0 "$DRIVER_PID" 2>/dev/null || break; sleep 0.1; done
    fi
    # WebKitWebDriver normally exits with its parent; make sure it does not keep the port.
    for child in $DRIVER_CHILDREN; do kill -TERM "$child" 2>/dev/null || true; done
    wait "$DRIVER_PID" 2>/dev/null || true
    DRIVER_PID=""
}

inside_xvfb() {
    local log="$CARGO_TARGET_DIR/e2e-screens/tauri-driver.log"
    trap stop_driver EXIT
    tauri-driver --port "$DRIVER_PORT" --native-port "$NATIVE_PORT" >"$log" 2>&1 &
    DRIVER_PID=$!
    local driver=$DRIVER_PID

    local waited=0
    until port_open "$DRIVER_PORT" && port_open "$NATIVE_PORT"; do
        if ! kill -0 "$driver" 2>/dev/null; then
            say "tauri-driver exited early:"; cat "$log" >&2; return 1
        fi
        if [ "$waited" -ge $((PORT_WAIT_S * 10)) ]; then
            say "ports $DRIVER_PORT/$NATIVE_PORT not open after ${PORT_WAIT_S} s:"; cat "$log" >&2; return 1
        fi
        sleep 0.1; waited=$((waited + 1))
    done
    say "tauri-driver up on $DRIVER_PORT/$NATIVE_PORT (display $DISPLAY)"
    # E2E_TESTS="floor labels" runs only those test files (a failure's replay); every file runs
    # even after one fails, so one run reports them all.
    local only=()
    for name in ${E2E_TESTS:-}; do only+=(--test "$name"); done
    timeout --kill-after=20 "$TESTS_TIMEOUT_S" \
        cargo test -q -p shelfsync-e2e --no-fail-fast "${only[@]}" -- --test-threads=1 </dev/null
}

if [ "${1:-}" = "--inside-xvfb" ]; then
    inside_xvfb
    exit
fi

for tool in xvfb-run xauth tauri-driver WebKitWebDriver; do
    command -v "$tool" >/dev/null || { say "$tool is missing; run scripts/setup.sh" >&2; exit 1; }
done
app="$CARGO_TARGET_DIR/debug/shelfsync-app"
[ -x "$app" ] || { say "$app is missing; run scripts/build-app.sh" >&2; exit 1; }
tries=0
while port_open "$DRIVER_PORT" || port_open "$NATIVE_PORT"; do
    tries=$((tries + 1))
    if [ "$tries" -gt 50 ]; then say "no free pair of ports for the WebDriver" >&2; exit 1; fi
    DRIVER_PORT=$((20000 + RANDOM % 20000))
    NATIVE_PORT=$((DRIVER_PORT + 1))
done
export E2E_DRIVER_PORT="$DRIVER_PORT"
export TAURI_DRIVER_URL="http://127.0.0.1:$DRIVER_PORT"

start=$(date +%s)
say "compiling the test crate and the shelfsync CLI (it runs the channel simulator and one sync pass)"
timeout --kill-after=20 1800 cargo build -q -p shelfsync-cli </dev/null
timeout --kill-after=20 1800 cargo test -q -p shelfsync-e2e --no-run </dev/null
rm -rf "$CARGO_TARGET_DIR/e2e-screens"
mkdir -p "$CARGO_TARGET_DIR/e2e-screens"

say "running the tests under Xvfb"
timeout --kill-after=30 $((TESTS_TIMEOUT_S + 120)) \
    xvfb-run -a -s "-screen 0 1280x800x24 -nolisten tcp" "$0" --inside-xvfb </dev/null
say "passed in $(( $(date +%s) - start )) s; screenshots in $CARGO_TARGET_DIR/e2e-screens"
