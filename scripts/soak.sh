#!/usr/bin/env bash
# Soak: the sync engine (`shelfsync sync run`, daemon mode) running against `shelfsync sim`
# under injected faults while stock changes keep arriving, sampling the engine's resident
# memory (VmRSS) and open file handles at a fixed interval. Pass: both flat, i.e. the last
# sample within 25% (and 16 MiB) of the first after warm-up for memory, within 8 handles for
# files; and the outbox drains once the faults stop.
#
#   scripts/soak.sh                 # 30 minutes, a sample a minute
#   scripts/soak.sh --minutes 5
#   scripts/soak.sh --seconds 20 --sample-secs 5   # the quick form scripts/bench.d uses
#
# Prints a Markdown table on stdout; progress and cargo's noise go to stderr. Exit 1 = not flat.
set -euo pipefail

DURATION=$((30 * 60))
SAMPLE=60
while [ $# -gt 0 ]; do
    case "$1" in
        --minutes) DURATION=$(($2 * 60)); shift 2 ;;
        --seconds) DURATION=$2; shift 2 ;;
        --sample-secs) SAMPLE=$2; shift 2 ;;
        *) echo "usage: $0 [--minutes N | --seconds N] [--sample-secs N]" >&2; exit 2 ;;
    esac
done
[ "$SAMPLE" -ge 1 ] && [ "$DURATION" -ge "$SAMPLE" ] || { echo "soak: the run must hold one sample" >&2; exit 2; }

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cargo build -q -p shelfsync-cli --manifest-path "$ROOT/Cargo.toml" >&2
BIN="$ROOT/target/debug/shelfsync"
WORK=$(mktemp -d)
export SHELFSYNC_SECRETS=file
DB="$WORK/soak.db"
PIDS=()
cleanup() {
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT

"$BIN" sim --port 0 --seed 7 >"$WORK/sim.out" 2>/dev/null &
PIDS+=($!)
for _ in $(seq 100); do grep -q "http://127.0.0.1:" "$WORK/sim.out" 2>/dev/null && break; sleep 0.1; done
URL=$(grep -o 'http://127.0.0.1:[0-9]*' "$WORK/sim.out" | head -1)
[ -n "$URL" ] || { echo "soak: the simulator did not start" >&2; exit 1; }

SKUS=50
{
    echo "code,name"; echo "WH1,Main"
} >"$WORK/l.csv"
{
    echo "sku,name,unit_cost,category,safety_stock,barcodes"
    for i in $(seq 0 $((SKUS - 1))); do echo "S$i,Item $i,1.00,misc,0,"; done
} >"$WORK/i.csv"
{
    echo "sku,location,inventory_item_id,location_id"
    for i in $(seq 0 $((SKUS - 1))); do echo "S$i,WH1,gid://shopify/InventoryItem/$((1000 + i)),gid://shopify/Location/1"; done
} >"$WORK/m.csv"
"$BIN" --db "$DB" init >/dev/null
"$BIN" --db "$DB" import locations "$WORK/l.csv" >/dev/null
"$BIN" --db "$DB" import items "$WORK/i.csv" >/dev/null
SHELFSYNC_SHOPIFY_TOKEN=shpat_soak "$BIN" --db "$DB" channel add shopify shop --endpoint "$URL" \
    --shop soak.myshopify.com >/dev/null
"$BIN" --db "$DB" channel import-mappings shop "$WORK/m.csv" >/dev/null

faults() {
    curl -fsS -X POST -H 'Content-Type: application/json' -d "$1" "$URL/admin/faults" >/dev/null
}
# Throttles, 5xx, timeouts after applying, slow answers, dropped connections, 429s.
faults '{"throttle":0.05,"server_error":0.05,"timeout_after_apply":0.03,"slow":0.05,"drop_connection":0.03,"too_many_requests":0.03,"retry_after_ms":200,"slow_ms":50,"hang_ms":6000}'

"$BIN" --db "$DB" sync run >"$WORK/engine.out" 2>"$WORK/engine.err" &
ENGINE=$!
PIDS+=("$ENGINE")

# Stock keeps changing: a receive every ~0.2 s on a random SKU.
(
    while true; do
        "$BIN" --db "$DB" receive "S$((RANDOM % SKUS))" $((RANDOM % 9 + 1)) --location WH1 >/dev/null 2>&1 || true
        sleep 0.2
    done
) &
WRITER=$!
PIDS+=("$WRITER")

rss_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$ENGINE/status"; }
fds() { find "/proc/$ENGINE/fd" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l; }
# Read-only looks at the ledger with the sqlite3 shell (scripts/setup.sh installs it).
depth() { sqlite3 "$DB" "SELECT count(*) FROM outbox" 2>/dev/null || echo "?"; }

echo "| t (s) | engine RSS (MiB) | open files | queue depth | events |"
echo "|---:|---:|---:|---:|---:|"
SAMPLES=$((DURATION / SAMPLE))
FIRST_RSS=""; FIRST_FDS=""; LAST_RSS=0; LAST_FDS=0
for n in $(seq 1 "$SAMPLES"); do
    sleep "$SAMPLE"
    kill -0 "$ENGINE" 2>/dev/null || { echo "soak: the engine exited: $(tail -3 "$WORK/engine.err")" >&2; exit 1; }
    LAST_RSS=$(rss_kib); LAST_FDS=$(fds)
    [ -n "$FIRST_RSS" ] || { FIRST_RSS=$LAST_RSS; FIRST_FDS=$LAST_FDS; }
    EVENTS=$(sqlite3 "$DB" "SELECT count(*) FROM events" 2>/dev/null || echo "?")
    printf '| %d | %.1f | %d | %s | %s |\n' $((n * SAMPLE)) "$(echo "$LAST_RSS / 1024" | bc -l)" "$LAST_FDS" "$(depth)" "$EVENTS"
done

# Faults stop: the backlog must drain (bounded wait).
kill "$WRITER" 2>/dev/null || true
faults '{}'
DRAINED=no
for _ in $(seq 120); do
    [ "$(depth)" = "0" ] && { DRAINED=yes; break; }
    sleep 0.5
done

GROWTH_KIB=$((LAST_RSS - FIRST_RSS))
LIMIT_KIB=$((FIRST_RSS / 4 > 16384 ? FIRST_RSS / 4 : 16384))
FD_GROWTH=$((LAST_FDS - FIRST_FDS))
echo
echo "Memory $((FIRST_RSS / 1024)) -> $((LAST_RSS / 1024)) MiB (growth limit $((LIMIT_KIB / 1024)) MiB);" \
    "open files $FIRST_FDS -> $LAST_FDS (limit +8); drained after the faults stopped: $DRAINED."
if [ "$GROWTH_KIB" -le "$LIMIT_KIB" ] && [ "$FD_GROWTH" -le 8 ] && [ "$DRAINED" = yes ]; then
    echo "Verdict: **flat** (pass)."
else
    echo "Verdict: **not flat** (fail)."
    exit 1
fi
