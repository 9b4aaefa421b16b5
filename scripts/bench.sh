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
} > "$tmp"
mv "$tmp" "$out"
echo "wrote $out"
