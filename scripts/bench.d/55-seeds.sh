# The simulated scenarios over many seeds (issue 16): one seed's story can hide a bad case, so
# each scenario runs with seeds SEED0..SEED0+N-1 and its ShelfSync row is summarised as median,
# p95 and worst beside batch-30s. BENCH_QUICK=1 runs 5 seeds of the --quick form;
# BENCH_SCENARIOS="flash-sale" runs only the scenarios named.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
if [ "${BENCH_QUICK:-0}" = 1 ]; then SEEDS=5; QUICK=(--quick); PROFILE=dev; DIR=debug
else SEEDS=${BENCH_SEEDS:-100}; QUICK=(); PROFILE=release; DIR=release; fi
SEED0=1
cargo build -q --profile "$PROFILE" -p shelfsync-cli --manifest-path "$ROOT/Cargo.toml" >&2
BIN="$ROOT/target/$DIR/shelfsync"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
echo "## Scenarios over $SEEDS seeds (\`scripts/bench.d/55-seeds.sh\`; seeds $SEED0..$((SEED0 + SEEDS - 1)))"
echo
for name in ${BENCH_SCENARIOS:-flash-sale offline-override webhook-loss sync-halt}; do
    started=$(date +%s)
    for seed in $(seq "$SEED0" $((SEED0 + SEEDS - 1))); do
        "$BIN" bench scenario "$name" --seed "$seed" "${QUICK[@]}" --json >"$WORK/$name-$seed.json"
    done
    python3 - "$WORK" "$name" "$SEEDS" "$(( $(date +%s) - started ))" <<'PY'
import glob, json, statistics, sys
work, name, seeds, secs = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
runs = [json.load(open(f)) for f in sorted(glob.glob(f"{work}/{name}-*.json"))]
assert len(runs) == seeds, f"{len(runs)} runs for {seeds} seeds"
def rows(mode):
    return [r for run in runs for r in run if r.get("mode") == mode]
def pick(rows, key):
    return sorted(r[key] for r in rows if isinstance(r.get(key), (int, float)))
def q(values, p):
    return values[min(len(values) - 1, max(0, int(round(p * len(values) + 0.5)) - 1))] if values else None
modes = sorted({r.get("mode") for run in runs for r in run if r.get("mode", "").startswith(("shelfsync", "batch-30s"))})
keys = [k for k in ("oversold_units", "oversell_rate_pct", "refused_units", "stranded_units", "unbooked_units", "sale_to_channels_max_s",
                    "sale_to_channels_p50_s", "reconnect_to_all_right_s", "units_at_risk")
        if any(k in r for run in runs for r in run)]
print(f"### {name}")
print()
print("| mode | figure | median | p95 | worst | seeds with any (>0) |")
print("| --- | --- | --- | --- | --- | --- |")
for mode in modes:
    for key in keys:
        values = pick(rows(mode), key)
        if not values:
            continue
        nonzero = sum(1 for v in values if v > 0)
        print(f"| {mode} | {key} | {statistics.median(values):g} | {q(values, 0.95):g} | {max(values):g} | {nonzero} of {len(values)} |")
pooled = {mode: sorted(v for r in rows(mode) for v in r.get("sale_to_channels_s") or []) for mode in modes}
if any(pooled.values()):
    print()
    print("Every sale of every seed pooled (the sale-to-every-channel target is a p99 over sales):")
    print()
    print("| mode | sales | p50 | p95 | p99 | max | over 60 s |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for mode, values in pooled.items():
        if values:
            over = sum(1 for v in values if v > 60)
            print(f"| {mode} | {len(values)} | {q(values, 0.5):g} s | {q(values, 0.95):g} s | {q(values, 0.99):g} s | {max(values):g} s | {over} ({100 * over / len(values):.2f}%) |")
print()
print(f"({seeds} seeds in {secs} s)")
print()
PY
done
