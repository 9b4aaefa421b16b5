#!/usr/bin/env bash
# Compares the criterion micro-benchmarks (crates/bench/benches/micro.rs) of two revisions in one
# run, so that "no regression beyond noise" is a measured statement, not a guess.
#
#   scripts/bench-compare.sh [options] BASE_REV [HEAD_REV]     (HEAD_REV defaults to HEAD)
#
# Options:
#   --rounds N       rounds of both binaries, alternating (default 5)
#   --quick          tiny warm-up and measurement times: proves the comparison runs; figures
#                    are meaningless
#   --build SIDE     build only: base, head or both, then stop (to build ahead of time)
#   --filter REGEX   run only the benchmarks whose name matches (criterion's own filter)
#   --nice N         build and run at this niceness (default 0; use 19 to build in background)
#
# How it works, and why:
# - Each revision is checked out in its own git worktree under $BENCH_COMPARE_DIR (default
#   /tmp/shelfsync-bench-compare/{base,head}), never in this working tree, and built in release
#   with its own CARGO_TARGET_DIR (target/bench-base, target/bench-head): the two builds never
#   invalidate each other or the everyday target dir, and a later run only rebuilds what changed.
# - The two binaries run alternately, round after round, and the side that goes first swaps every
#   round: load on a shared machine drifts, and alternating spreads that drift over both sides
#   instead of charging it to whichever ran second.
# - Each side and round writes to its own CRITERION_HOME, so no run reads another's estimates
#   (criterion otherwise compares against, and overwrites, target/criterion).
#
# The table: per benchmark, the median over the rounds of each round's median (criterion's
# point estimate), the ratio head/base, and the rounds' range on each side. The noise rule: a
# difference is within noise when the two sides' ranges of round medians overlap; it is beyond
# noise only when every head round is slower than every base round (or faster than every one).
# The rule needs at least 3 rounds a side; fewer are reported as too few to judge. Benchmarks
# that exist on one side only are listed as such. Like every benchmark here, this
# prints figures and never fails on a threshold.
set -euo pipefail

usage() {
  sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

rounds=5
quick=0
build_only=
filter=
niceness=0
revs=()
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) rounds=${2:?--rounds needs a number}; shift 2 ;;
    --quick) quick=1; shift ;;
    --build) build_only=${2:?--build needs base, head or both}; shift 2 ;;
    --filter) filter=${2:?--filter needs a regex}; shift 2 ;;
    --nice) niceness=${2:?--nice needs a number}; shift 2 ;;
    -h|--help) usage ;;
    -*) echo "unknown option $1" >&2; usage ;;
    *) revs+=("$1"); shift ;;
  esac
done
[ ${#revs[@]} -ge 1 ] && [ ${#revs[@]} -le 2 ] || usage
case "$build_only" in ''|base|head|both) ;; *) echo "--build takes base, head or both" >&2; exit 2 ;; esac
[[ "$rounds" =~ ^[1-9][0-9]*$ ]] || { echo "--rounds takes a positive number" >&2; exit 2; }

root=$(git -C "$(dirname "$0")" rev-parse --show-toplevel)
base_rev=$(git -C "$root" rev-parse --verify "${revs[0]}^{commit}")
head_rev=$(git -C "$root" rev-parse --verify "${revs[1]:-HEAD}^{commit}")
trees=${BENCH_COMPARE_DIR:-/tmp/shelfsync-bench-compare}
results=$root/target/bench-compare/$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$trees"

# Criterion's measurement settings. Quick: enough to prove both binaries run and report.
if [ "$quick" = 1 ]; then
  timing=(--warm-up-time 0.1 --measurement-time 0.3 --sample-size 10)
else
  timing=(--warm-up-time 1 --measurement-time 3 --sample-size 50)
fi

log() { echo "bench-compare: $*" >&2; }

# The worktree of one side at its revision: created if missing, recreated when it holds another
# revision (its target dir survives, so only what changed is rebuilt).
worktree() {
  local side=$1 rev=$2 dir=$trees/$1
  if [ -d "$dir" ] && [ "$(git -C "$dir" rev-parse HEAD 2>/dev/null)" = "$rev" ]; then
    echo "$dir"
    return
  fi
  if [ -e "$dir" ]; then
    git -C "$root" worktree remove --force "$dir" >&2 2>/dev/null || rm -rf "$dir"
    git -C "$root" worktree prune
  fi
  log "worktree $side at ${rev:0:12} in $dir"
  git -C "$root" worktree add --detach "$dir" "$rev" >&2
  echo "$dir"
}

# Builds one side's micro-benchmark in release and prints the path of its binary.
build() {
  local side=$1 rev=$2 dir target executable
  dir=$(worktree "$side" "$rev")
  target=$root/target/bench-$side
  log "building $side (${rev:0:12}) into $target"
  executable=$(cd "$dir" && CARGO_TARGET_DIR=$target nice -n "$niceness" \
    cargo bench -p shelfsync-bench --bench micro --no-run --message-format=json-render-diagnostics |
    sed -n 's/.*"target":{[^}]*"name":"micro".*"executable":"\([^"]*\)".*/\1/p' | tail -n 1)
  if [ -z "$executable" ] || [ ! -x "$executable" ]; then
    log "no micro-benchmark binary came out of the $side build"
    exit 1
  fi
  echo "$executable"
}

case "$build_only" in
  base) build base "$base_rev" >/dev/null; log "base built"; exit 0 ;;
  head) build head "$head_rev" >/dev/null; log "head built"; exit 0 ;;
  both) build base "$base_rev" >/dev/null; build head "$head_rev" >/dev/null; log "both built"; exit 0 ;;
esac
base_bin=$(build base "$base_rev")
head_bin=$(build head "$head_rev")

# One run of one side: all its benchmarks (the setup, a 10,000-SKU ledger, is paid once per run),
# into this round's own CRITERION_HOME. Run from the package directory, as `cargo bench` does.
run() {
  local side=$1 round=$2 bin home
  if [ "$side" = base ]; then bin=$base_bin; else bin=$head_bin; fi
  home=$results/$side/round-$round
  mkdir -p "$home"
  log "round $round/$rounds: $side"
  (cd "$trees/$side/crates/bench" && CRITERION_HOME=$home nice -n "$niceness" \
    "$bin" --bench --noplot "${timing[@]}" ${filter:+"$filter"}) >"$home.log" 2>&1 || {
    log "$side round $round failed; its output:"
    tail -n 30 "$home.log" >&2
    exit 1
  }
}

for round in $(seq 1 "$rounds"); do
  # Odd rounds base first, even rounds head first.
  if [ $((round % 2)) = 1 ]; then run base "$round"; run head "$round"; else run head "$round"; run base "$round"; fi
done

# "side<TAB>round<TAB>benchmark<TAB>median_ns" for every estimate written. benchmark.json names
# the benchmark (full_id); estimates.json beside it holds the median's point estimate in ns.
samples() {
  local file dir side round id median
  while IFS= read -r file; do
    dir=$(dirname "$file")
    side=${file#"$results"/}
    round=${side#*/round-}
    round=${round%%/*}
    side=${side%%/*}
    id=$(sed -e 's/.*"full_id":"\([^"]*\)".*/\1/' "$file")
    median=$(sed -e 's/.*"median":{"confidence_interval":{[^}]*},"point_estimate":\([-0-9.eE+]*\).*/\1/' \
      "$dir/estimates.json")
    printf '%s\t%s\t%s\t%s\n' "$side" "$round" "$id" "$median"
  done < <(find "$results" -path '*/new/benchmark.json' | sort)
}

samples >"$results/samples.tsv"

{
  echo "## Micro-benchmarks: base ${base_rev:0:12} against head ${head_rev:0:12}"
  echo
  echo "$rounds rounds, base and head alternating (the side that goes first swaps every round);"
  echo "criterion ${timing[*]}."
  echo "Median: over the rounds, of each round's median. Range: the rounds' lowest and highest"
  echo "median. Within noise: the two ranges overlap. Load at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "on $(nproc) cores."
  [ "$quick" = 1 ] && echo && echo "(quick run: figures prove the comparison runs, nothing more)"
  echo
  echo "| benchmark | base median | head median | head/base | base range | head range | verdict |"
  echo "| --- | --- | --- | --- | --- | --- | --- |"
  sort -t$'\t' -k3,3 -k1,1 -k4,4g "$results/samples.tsv" | awk -F'\t' '
    function human(ns) {
      if (ns < 1000) return sprintf("%.1f ns", ns)
      if (ns < 1000000) return sprintf("%.2f µs", ns / 1000)
      return sprintf("%.3f ms", ns / 1000000)
    }
    # Median of the sorted values v[1..n].
    function median(v, n) { return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2 }
    {
      name[$3] = 1
      n[$3, $1]++
      v[$3, $1, n[$3, $1]] = $4
    }
    END {
      count = 0
      for (b in name) names[++count] = b
      # Sorted names (insertion sort; a handful of benchmarks).
      for (i = 2; i <= count; i++) {
        x = names[i]
        for (j = i - 1; j >= 1 && names[j] > x; j--) names[j + 1] = names[j]
        names[j + 1] = x
      }
      for (i = 1; i <= count; i++) {
        b = names[i]
        nb = n[b, "base"] + 0
        nh = n[b, "head"] + 0
        split("", s); split("", sb); split("", sh)
        if (nb == 0 || nh == 0) {
          side = nb ? "base" : "head"
          k = nb ? nb : nh
          for (r = 1; r <= k; r++) s[r] = v[b, side, r]
          m = human(median(s, k))
          if (nb) printf "| %s | %s | | | | | only in base |\n", b, m
          else printf "| %s | | %s | | | | only in head |\n", b, m
          continue
        }
        for (r = 1; r <= nb; r++) sb[r] = v[b, "base", r]
        for (r = 1; r <= nh; r++) sh[r] = v[b, "head", r]
        mb = median(sb, nb); mh = median(sh, nh)
        lb = sb[1]; ub = sb[nb]; lh = sh[1]; uh = sh[nh]
        # With one or two rounds a side, the ranges say nothing about the spread.
        if (nb < 3 || nh < 3) verdict = "too few rounds to judge"
        else if (lh > ub) verdict = "slower, beyond noise"
        else if (uh < lb) verdict = "faster, beyond noise"
        else verdict = "within noise"
        printf "| %s | %s | %s | %.3f | %s - %s | %s - %s | %s |\n", b, human(mb), human(mh), \
          mh / mb, human(lb), human(ub), human(lh), human(uh), verdict
      }
    }'
  echo
  echo "Raw figures: $results/samples.tsv; criterion logs beside them."
} | tee "$results/table.md"
