#!/usr/bin/env bash
# Where a crawl's CPU goes: one pharmwatch crawl of the benchmark marketplace (the one
# bench/crawl_vs_scrapy.sh crawls, served by nginx) under `perf record` (cpu-clock at 250 Hz,
# DWARF call graphs), each sample attributed to a pipeline stage by bench/crawl_stages.py.
# Prints CPU µs per page per stage and appends the table to bench/RESULTS.md; writes the
# folded stacks to target/bench-crawl/crawl.folded for a flamegraph
# (`cargo install inferno; inferno-flamegraph < target/bench-crawl/crawl.folded > crawl.svg`).
#
# Usage: bench/profile_crawl.sh            (20 shops × 1,000 listings)
#   SHOPS=4 PER_SHOP=100 bench/profile_crawl.sh      (a quick dry run)
# Needs root for apt-get when nginx or perf is missing, and perf_event access. Not part of
# `cargo test`.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
shops="${SHOPS:-20}"
per_shop="${PER_SHOP:-1000}"
freq=250
# shellcheck source=lib/market.sh
source bench/lib/market.sh
need_pkg perf linux-perf

echo "== building release pharmwatch" >&2
cargo build --release --locked --features demo --bin pharmwatch >&2
market_up
trap stop_nginx EXIT

echo "== crawling under perf" >&2
rm -rf "$work/data"
load=$(cut -d' ' -f1 /proc/loadavg)
perf record -q -e cpu-clock -F "$freq" --call-graph dwarf,16384 -o "$work/perf.data" -- \
  "$bin" --data-dir "$work/data" --config "$config" crawl >/dev/null 2>"$work/profile-out.txt"
pages=$(tr '\r' '\n' <"$work/profile-out.txt" | grep -oE '^[0-9]+ pages fetched' | grep -oE '^[0-9]+' | tail -1)
echo "== attributing samples ($pages pages)" >&2
perf script -F comm,tid,ip,sym --no-inline -i "$work/perf.data" 2>/dev/null >"$work/perf.txt"
table=$(python3 bench/crawl_stages.py "$work/perf.txt" "$pages" "$freq" "$work/crawl.folded")
rm -f "$work/perf.data" "$work/perf.txt" # hundreds of MB, only needed for the table
echo "$table"
{
  echo
  echo "## Crawl profile — $(date -u +%Y-%m-%dT%H:%MZ)"
  echo
  echo "\`SHOPS=$shops PER_SHOP=$per_shop bench/profile_crawl.sh\` — $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, load avg $load;"
  echo "$pages pages, \`perf record -e cpu-clock -F $freq --call-graph dwarf,16384\` (perf adds a few % of CPU), stages by \`bench/crawl_stages.py\`:"
  echo
  echo "$table"
} >>bench/RESULTS.md
