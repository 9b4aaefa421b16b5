# Criterion micro-benchmarks of the hot paths (crates/bench/benches/micro.rs); prints the
# medians criterion estimated, read from target/criterion/<name>/new/estimates.json.
# BENCH_QUICK=1: tiny warm-up and measurement times, enough to prove the benchmarks still run.
set -euo pipefail
echo "## Micro-benchmarks (\`cargo bench -p shelfsync-bench --bench micro\`)"
echo
args=()
if [ "${BENCH_QUICK:-0}" = 1 ]; then
  args=(--warm-up-time 0.1 --measurement-time 0.3 --sample-size 10)
fi
# Criterion's own report goes to stderr (the log); only the table goes to stdout.
cargo bench -q -p shelfsync-bench --bench micro -- "${args[@]}" >&2

# estimates.json is one line; the median's point estimate (ns) follows its confidence interval.
field() {
  sed -e "s/.*\"median\":{\"confidence_interval\":{[^}]*\"$2\":\([-0-9.eE+]*\)[^}]*}.*/\1/" "$1"
}
median_ns() {
  sed -e 's/.*"median":{"confidence_interval":{[^}]*},"point_estimate":\([-0-9.eE+]*\).*/\1/' "$1"
}
human() {
  awk -v ns="$1" 'BEGIN {
    if (ns < 1000) printf "%.1f ns", ns;
    else if (ns < 1000000) printf "%.2f µs", ns / 1000;
    else printf "%.3f ms", ns / 1000000 }'
}
describe() {
  case "$1" in
    ledger_append_durable) echo "durable ledger append (1 event, its 3 listings re-allocated, synchronous=FULL)" ;;
    atp_balances) echo "ATP from one balance row (on_hand - committed - reserved - damaged)" ;;
    allocation_pure) echo "allocation arithmetic, 2 locations (percent, buffer, cap, channel adjustment)" ;;
    allocation_from_sqlite) echo "a listing's allocation read from the ledger (SQLite, 10,000 SKUs)" ;;
    outbox_form_group_250_of_10000) echo "outbox selection: form one 250-row attempt group from 10,000 queued rows (and release it)" ;;
    gs1_parse_gs1_128) echo "GS1 parse of one GS1-128 read (01 + 17 + 10 + 21, AIM ]C1)" ;;
    *) echo "$1" ;;
  esac
}

echo "| hot path | median | 95% CI of the median |"
echo "| --- | --- | --- |"
for name in ledger_append_durable atp_balances allocation_pure allocation_from_sqlite \
  outbox_form_group_250_of_10000 gs1_parse_gs1_128; do
  file=target/criterion/$name/new/estimates.json
  if [ ! -f "$file" ]; then
    echo "| $(describe "$name") | missing | |"
    continue
  fi
  echo "| $(describe "$name") | $(human "$(median_ns "$file")") | $(human "$(field "$file" lower_bound)") - $(human "$(field "$file" upper_bound)") |"
done
if [ "${BENCH_QUICK:-0}" = 1 ]; then
  echo
  echo "(quick run: 0.3 s of measurement per benchmark; figures are indicative only)"
fi
