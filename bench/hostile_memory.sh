#!/usr/bin/env bash
# Peak memory of the crawler while it meets the hostile local servers (gzip bomb inflating to
# 1 GiB, endless body, drip server, redirect loop, 10,000-link calendar trap, ...): the whole
# hostile test suite runs in one process under /usr/bin/time, and the peak RSS must stay under
# a bound far below what any of those servers would make an unbounded crawler allocate.
# Usage: bench/hostile_memory.sh [MAX_RSS_MIB]   (default 256)
set -euo pipefail
cd "$(dirname "$0")/.."
max_mib="${1:-256}"
cargo test --release -p pharmwatch-crawler --test crawl --no-run >/dev/null 2>&1
bin=$(cargo test --release -p pharmwatch-crawler --test crawl --no-run --message-format=json 2>/dev/null \
  | grep -o '"executable":"[^"]*"' | tail -1 | cut -d'"' -f4)
log=$(mktemp)
/usr/bin/time -v "$bin" --test-threads=1 >"$log.out" 2>"$log"
rss_kib=$(grep 'Maximum resident set size' "$log" | awk '{print $NF}')
wall=$(grep 'Elapsed (wall clock)' "$log" | awk '{print $NF}')
rss_mib=$((rss_kib / 1024))
tests=$(grep -c '\.\.\. ok' "$log.out" || true)
line="- $(date -u +%Y-%m-%d) $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB: \`bench/hostile_memory.sh\` — ${tests} hostile/crawler tests, peak RSS ${rss_mib} MiB (bound ${max_mib} MiB), wall ${wall}"
echo "$line"
echo "$line" >> bench/RESULTS.md
if [ "$rss_mib" -gt "$max_mib" ]; then
  echo "FAIL: peak RSS ${rss_mib} MiB exceeds ${max_mib} MiB" >&2
  exit 1
fi
