#!/usr/bin/env bash
# A normal shop's pages/s crawled alone and next to a site serving pathological HTML (800k
# nested <div>s a page, 8.8 MB each), both on local servers (issue 23's target: within 20 %).
# Usage: bench/hostile_neighbour.sh [SHOP_PAGES] [HOSTILE_PAGES]   (default 2000 40)
set -euo pipefail
cd "$(dirname "$0")/.."
pages="${1:-2000}"
hostile="${2:-40}"
cargo build --release -p pharmwatch-crawler --example hostile_neighbour >/dev/null 2>&1
out=$(target/release/examples/hostile_neighbour "$pages" "$hostile")
echo "$out"
alone=$(echo "$out" | sed -n 's/^shop alone: .*, \([0-9.]*\) pages\/s$/\1/p')
together=$(echo "$out" | sed -n 's/^shop next to .*, \([0-9.]*\) pages\/s .*$/\1/p')
ratio=$(echo "$out" | sed -n 's/^ratio: //p')
line="- $(date -u +%Y-%m-%dT%H:%MZ) $(nproc) cores: \`bench/hostile_neighbour.sh $pages $hostile\` — shop alone ${alone} pages/s, next to the hostile site ${together} pages/s (ratio ${ratio}; target ≥ 0.80)"
echo "$line" >> bench/RESULTS.md
echo "$line"
