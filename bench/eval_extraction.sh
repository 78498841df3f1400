#!/usr/bin/env bash
# Extraction on real data: scores the price parser on shared/eval/prices (578 real price
# strings) and the page extractor's price, currency and name on shared/eval/pages (68 saved
# real product pages), prints per-field accuracy and every miss, and appends the figures with
# this command to bench/RESULTS.md. The data is not in the repository: it is read from
# ../shared/eval beside the clone (override with EVAL_DIR).
# Usage: bench/eval_extraction.sh [--no-record]
set -euo pipefail
cd "$(dirname "$0")/.."
eval_dir="${EVAL_DIR:-../shared/eval}"
if [[ ! -f "$eval_dir/prices/prices.json" || ! -f "$eval_dir/pages/pages.json" ]]; then
  echo "eval_extraction: no eval data in $eval_dir (expected prices/prices.json and pages/pages.json)" >&2
  exit 2
fi
out=$(cargo run --quiet --locked -p pharmwatch-extract --example eval_extraction -- "$eval_dir" --misses)
echo "$out"
if [[ "${1:-}" == "--no-record" ]]; then
  exit 0
fi
{
  echo
  echo "## Extraction on real data — $(date -u +%Y-%m-%dT%H:%MZ)"
  echo
  echo "\`bench/eval_extraction.sh\` at $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- extract model || echo ' (with uncommitted changes)'): shared/eval prices (578 strings) and pages (68 pages)."
  echo
  echo "$out" | sed -n '/^# misses/q;p' | sed '/^$/d;s/^/- /'
} >> bench/RESULTS.md
