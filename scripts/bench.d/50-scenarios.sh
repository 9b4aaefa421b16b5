# The guide's scenarios, ShelfSync beside periodic batch sync (crates/bench), each printed with
# the guide's claim, its table, its model and timing parameters, and its findings.
# BENCH_QUICK=1 runs each scenario's --quick form (seconds); the full run takes a few minutes,
# most of it the rate-limit scenario's real 100,000-SKU re-push.
set -euo pipefail
echo "## Scenarios: ShelfSync beside batch sync (\`shelfsync bench scenario NAME\`)"
echo
quick=()
if [ "${BENCH_QUICK:-0}" = 1 ]; then
  quick=(--quick)
fi
cargo build -q --release -p shelfsync-cli >&2
for name in flash-sale webhook-loss sync-halt offline-override rate-limit; do
  started=$(date +%s)
  ./target/release/shelfsync bench scenario "$name" "${quick[@]}"
  echo
  echo "(\`shelfsync bench scenario $name ${quick[*]}\` took $(( $(date +%s) - started )) s)"
  echo
done
