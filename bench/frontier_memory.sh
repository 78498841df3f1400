#!/usr/bin/env bash
# Peak memory of a 1,000,000-URL frontier: the crawl loop's own structures (per-site frontier
# with dedup and trap checks, per-host politeness queues holding every queued job) plus the
# persistent frontier in SQLite, fed page by page as a crawl of 20 shops feeds them, then
# drained (every URL handed out and stored as fetched). See examples/frontier_memory.rs.
# A crawl of a generated 1M-page marketplace would measure the same structures but take hours.
#
# Usage: bench/frontier_memory.sh [N] [MAX_RSS_MIB]   (defaults 1000000 and 300)
# Exits 1 when the peak RSS exceeds MAX_RSS_MIB. Not part of `cargo test`.
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-1000000}"
max_mib="${2:-300}"
work="$PWD/target/bench-frontier"
mkdir -p "$work"
command -v /usr/bin/time >/dev/null || apt-get install -y time >/dev/null
cargo build --release --locked --example frontier_memory >&2
load=$(cut -d' ' -f1 /proc/loadavg)
out=$(/usr/bin/time -v -o "$work/time.txt" target/release/examples/frontier_memory "$n" "$work")
echo "$out"
rm -f "$work"/state.sqlite* # ~0.5 GB, only needed while measuring
rss_mib=$(awk -F': ' '/Maximum resident set size/{printf "%d", $2/1024}' "$work/time.txt")
wall=$(awk -F': ' '/Elapsed \(wall clock\)/{print $2}' "$work/time.txt")
cpu=$(awk -F': ' '/User time/{u=$2} /System time/{s=$2} END{printf "%.1f", u+s}' "$work/time.txt")
verdict=met
[ "$rss_mib" -le "$max_mib" ] || verdict="**missed**"
{
  echo
  echo "## Frontier memory — $(date -u +%Y-%m-%dT%H:%MZ)"
  echo
  echo "\`bench/frontier_memory.sh $n $max_mib\` — $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, load avg $load:"
  echo "peak RSS **${rss_mib} MiB** for $n URLs (target ≤ ${max_mib} MiB: $verdict), wall $wall, CPU ${cpu} s."
  echo
  echo "$out" | sed 's/^/    /'
} >>bench/RESULTS.md
echo "peak RSS ${rss_mib} MiB (bound ${max_mib} MiB): $verdict"
[ "$rss_mib" -le "$max_mib" ]
