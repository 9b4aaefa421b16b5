#!/usr/bin/env bash
# Regenerates BENCHMARKS.md: every benchmark in release mode, side by side in one run.
# Benchmarks are measurements, not tests: they print figures and never fail on a threshold.
set -euo pipefail
cd "$(dirname "$0")/.."
out=BENCHMARKS.md
tmp=$(mktemp)
log=$(mktemp)
trap 'status=$?; if [ $status -ne 0 ]; then echo "bench failed; cargo said:" >&2; tail -n 30 "$log" >&2; fi' EXIT
{
  echo "# Benchmarks"
  echo
  echo "Regenerate with \`make bench\` (runs \`scripts/bench.sh\`). Measured $(date -u +%Y-%m-%d) on"
  echo "$(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, shared with other work: medians and ratios measured side by"
  echo "side in one run are the figures to trust, not any single number."
  echo
  echo "## Ledger (\`cargo bench -p shelfsync-store --bench ledger\`)"
  echo
  cargo bench -q -p shelfsync-store --bench ledger 2>>"$log"
  echo
  echo "## Scanner pipeline (\`cargo bench -p shelfsync-scan --bench pipeline\`)"
  echo
  cargo bench -q -p shelfsync-scan --bench pipeline 2>>"$log"
  for bench in crates/sync/benches/*.rs; do
    [ -e "$bench" ] || continue
    name=$(basename "$bench" .rs)
    echo
    echo "## Sync engine (\`cargo bench -p shelfsync-sync --bench $name\`)"
    echo
    cargo bench -q -p shelfsync-sync --bench "$name" 2>>"$log"
  done
  if [ -f target/e2e-screens/bench.txt ]; then
    echo
    echo "## Desktop app (from the last \`make test-e2e\`: debug build, through WebDriver)"
    echo
    sed 's/^bench: //; s/; /\n- /g; s/^/- /' target/e2e-screens/bench.txt
  fi
  echo
  echo "## Reading the figures"
  echo
  echo "- The ledger floors write one row into one table. A ledger append writes the event, its"
  echo "  balances (one or two upserts), its hash-chained audit entry and the outbox marking, with"
  echo "  four indexes, two SHA-256 hashes and the rule checks, all in one transaction: the share of"
  echo "  the floor is the cost of that bookkeeping, and it is the figure that stays comparable"
  echo "  between a quiet and a busy machine."
  echo "- Durable appends are bound by fsync: the p99 follows the disk, as the floor beside it shows."
  echo "- The scanner's max is one scheduling stall; p99 is the figure to read."
} > "$tmp"
mv "$tmp" "$out"
echo "wrote $out"
