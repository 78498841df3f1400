#!/usr/bin/env bash
# Rules engine throughput with the shipped packs (criterion, `cargo bench -p pharmwatch-rules
# --bench evaluate`: listings/s on one core, wall clock and CPU time of the bench thread), and
# its cost per listing, counted in instructions (valgrind's callgrind: repeatable on a
# busy machine, unlike wall-clock time), with the shipped lexicon and with synthetic lexicons of
# 200, 2,000 and 20,000 names (rules/benches/synthetic_lexicon.rs), over the ~1 KB listing mix
# of the `evaluate` benchmark. Instructions per listing = (instructions for N listings minus
# instructions for 0, i.e. loading and compiling) / N. Also prints the wall-clock time per
# listing of an uninstrumented run. Appends the figures to bench/RESULTS.md.
# Usage: bench/rules_scaling.sh [N]   (default 3000 listings per measurement)
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-3000}"
command -v valgrind >/dev/null || { echo "valgrind is needed (apt-get install valgrind)" >&2; exit 1; }
cargo build --release --locked -p pharmwatch-rules --example prof >&2
bin=target/release/examples/prof
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
instructions() { # N NAMES
  valgrind --tool=callgrind --callgrind-out-file="$tmp/cg" "$bin" "$1" all $2 2>&1 \
    | sed -n 's/.*Collected : //p'
}
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
echo "== criterion: shipped packs" >&2
crit=$(cargo bench --locked -p pharmwatch-rules --bench evaluate 2>&1)
echo "$crit" >&2
# criterion prints `thrpt:  [67.0 Kelem/s 68.3 Kelem/s 69.8 Kelem/s]`: keep the middle estimate.
per_s=$(echo "$crit" | awk '/thrpt:/{v=$4; u=$5; sub(/\/s/, "", u); m=(u=="Kelem"?1e3:(u=="Melem"?1e6:1)); printf "%.0f", v*m; exit}')
cpu_line=$(echo "$crit" | grep -o 'cpu-time throughput: .*' || true)
verdict=met
[ "${per_s:-0}" -ge 50000 ] || verdict="**missed**"
crit_line="shipped packs (criterion, one core): ${per_s} listings/s wall clock (target ≥ 50,000: $verdict); ${cpu_line:-no CPU-time figure}"
echo "$crit_line"
out="$crit_line"$'\n'
last=""
base=""
for names in "" 200 2000 20000; do
  zero=$(instructions 0 "$names")
  full=$(instructions "$n" "$names")
  per=$(( (full - zero) / n ))
  wall=$("$bin" 6000 all $names 2>/dev/null | sed 's/ per listing//')
  label="${names:-shipped (1,675)}"
  if [[ -n "$names" ]]; then
    base="${base:-$per}"
    ratio=$(awk -v a="$per" -v b="$base" 'BEGIN { printf "%.2f", a / b }')
    line="lexicon ${label} names: ${per} instructions per listing (${ratio}× the 200-name cost), wall clock ${wall} per listing"
    last="$ratio"
  else
    line="lexicon ${label} names: ${per} instructions per listing, wall clock ${wall} per listing"
  fi
  echo "$line"
  out+="$line"$'\n'
done
sub=met
awk -v r="$last" 'BEGIN { exit !(r < 100) }' || sub="**missed**"
line="100× the lexicon names cost ${last}× as much per listing (target: sub-linear, below 100×: $sub)"
echo "$line"
out+="$line"$'\n'
{
  echo
  echo "## Rules throughput and lexicon scaling — $(date -u +%Y-%m-%dT%H:%MZ)"
  echo
  echo "- $(date -u +%Y-%m-%d) $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, load average before $load_before: \`bench/rules_scaling.sh $n\`"
  printf '%s' "$out" | sed 's/^/    /'
} >> bench/RESULTS.md
