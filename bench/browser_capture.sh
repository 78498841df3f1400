#!/usr/bin/env bash
# Rendered pages per second and peak RSS (pharmwatch plus the browser and its renderers) of a
# browser capture of the script-rendered sample shop. See examples/browser_capture.rs.
#
# Usage: bench/browser_capture.sh [LISTINGS]   (default 100). Needs chromium. Not part of `cargo test`.
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-100}"
cargo build --release --locked --features browser --bin pharmwatch --example browser_capture >&2
load=$(cut -d' ' -f1 /proc/loadavg)
out=$(target/release/examples/browser_capture target/release/pharmwatch "$n" "$PWD/target/bench-browser")
echo "$out"
{
  echo
  echo "## Browser capture — $(date -u +%Y-%m-%dT%H:%MZ)"
  echo
  echo "\`bench/browser_capture.sh $n\` — $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, load avg $load, $(chromium --version 2>/dev/null | tail -1):"
  echo
  echo "    $out"
} >>bench/RESULTS.md
