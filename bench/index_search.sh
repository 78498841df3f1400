#!/usr/bin/env bash
# Index and search benchmark: builds an index of N synthetic listings (default 1,000,000),
# then runs a fixed mix of 1,000 queries (terms, phrases, Chinese, filters, ranges, dates,
# boolean, wildcards, match-all; all with facets and highlighting). Prints ingest rate, size per
# listing and latency percentiles, and appends them to bench/RESULTS.md.
# Usage: bench/index_search.sh [N] [DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-1000000}"
dir="${2:-$(mktemp -d)}"
out=$(cargo run --release --locked -p pharmwatch-indexer --example bench_index -- "$n" "$dir" | tee /dev/stderr)
{
  echo
  echo "- $(date -u +%Y-%m-%d) $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB: \`bench/index_search.sh $n\`"
  echo "$out" | sed 's/^/    /'
} >> bench/RESULTS.md
