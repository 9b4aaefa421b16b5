#!/usr/bin/env bash
# Regenerates BENCHMARKS.md: every benchmark in release mode, side by side in one run.
# Benchmarks are measurements, not tests: they print figures and never fail on a threshold.
#
# Each part of the product owns one fragment in scripts/bench.d/, run in name order; a fragment
# prints one Markdown section. `--quick` (exported as BENCH_QUICK=1) asks every fragment for a
# scaled-down run that only proves the benchmarks still work; CI uses it and reads no timings.
set -euo pipefail
cd "$(dirname "$0")/.."
export BENCH_QUICK=0
out=BENCHMARKS.md
if [ "${1:-}" = "--quick" ]; then
  BENCH_QUICK=1
  out=target/BENCHMARKS.quick.md
  mkdir -p target
fi
started=$(date +%s)
tmp=$(mktemp)
log=$(mktemp)
trap 'status=$?; if [ $status -ne 0 ]; then echo "bench failed in ${fragment:-?}; it said:" >&2; tail -n 30 "$log" >&2; fi' EXIT
{
  echo "# Benchmarks"
  echo
  echo "Regenerate with \`make bench\` (runs \`scripts/bench.sh\`). Measured $(date -u +%Y-%m-%d) on"
  echo "$(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, shared with other work: medians and ratios measured side by"
  echo "side in one run are the figures to trust, not any single number."
  for fragment in scripts/bench.d/*.sh; do
    echo
    bash "$fragment" 2>>"$log"
  done
  took=$(( $(date +%s) - started ))
  echo
  echo "This regeneration took $((took / 60)) min $((took % 60)) s."
} > "$tmp"
mv "$tmp" "$out"
echo "wrote $out"
