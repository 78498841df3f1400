#!/usr/bin/env bash
# Index and search benchmark: builds an index of N synthetic listings (default 1,000,000),
# then runs a fixed mix of 1,000 queries (terms, phrases, Chinese, filters, ranges, dates,
# boolean, wildcards, match-all; all with facets and highlighting) twice: right after the
# ingest, and again in a fresh process over the same index (the machine is shared, so one
# query pass can be noisy). Prints ingest rate, size per listing, latency percentiles and the
# CPU time and load average of each phase, and appends them to bench/RESULTS.md.
# Usage: bench/index_search.sh [N] [DIR]   (DIR is kept; without it a temporary one is removed)
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-1000000}"
if [[ -n "${2:-}" ]]; then
  dir="$2"
else
  dir="$(mktemp -d)"
  trap 'rm -rf "$dir"' EXIT
fi
run() {
  cargo run --release --locked -p pharmwatch-indexer --example bench_index -- "$n" "$dir"
}
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
out=$(run | tee >(cat >&2))
again=$(PW_BENCH_SEARCH_ONLY=1 run | grep -v '^index:' | tee >(cat >&2))
{
  echo
  echo "## Index and search — $(date -u +%Y-%m-%dT%H:%MZ)"
  echo
  echo "- $(date -u +%Y-%m-%d) $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, load average before $load_before: \`bench/index_search.sh $n\`"
  echo "$out" | sed 's/^/    /'
  echo "    second query pass (new process, same index):"
  echo "$again" | sed 's/^/    /'
} >> bench/RESULTS.md
