#!/usr/bin/env bash
# Crawl throughput of pharmwatch against Scrapy on the same static marketplace served by nginx,
# with the limits around them: nginx's own ceiling for one product page (wrk) and pharmwatch's
# parse-only ceiling (decode + extract of every page in memory, no network).
#
# The sample marketplace is written as static files (`pharmwatch marketplace --static-out`),
# one nginx server block per shop on its own loopback address and port, access log on. Both
# crawlers start from the same URLs, obey robots.txt, run 64 requests at once and 16 per host,
# with no delay; they alternate, ROUNDS rounds. For each run: pages/s, wall, CPU seconds
# (user+sys), peak RSS (/usr/bin/time -v), pages the crawler reports and requests nginx logged.
# pharmwatch runs its whole pipeline (evidence WARC, rules, state store, index); Scrapy only
# extracts title and price into a JSON lines file.
#
# Usage: bench/crawl_vs_scrapy.sh          (20 shops × 1,000 listings: 20,000 product pages)
#   SHOPS=20 PER_SHOP=50 ROUNDS=1 bench/crawl_vs_scrapy.sh     (a quick dry run)
# Needs root for apt-get when nginx, wrk or GNU time are missing. Not part of `cargo test`.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
shops="${SHOPS:-20}"
per_shop="${PER_SHOP:-1000}"
rounds="${ROUNDS:-3}"
venv="$repo/target/scrapy-venv"
# shellcheck source=lib/market.sh
source bench/lib/market.sh
need_pkg wrk wrk
need_pkg /usr/bin/time time

echo "== building release pharmwatch and the parse-ceiling example" >&2
cargo build --release --locked --features demo --bin pharmwatch --example parse_ceiling >&2

market_up
listing_pages=$((shops * per_shop))
trap stop_nginx EXIT

echo "== Scrapy in $venv" >&2
if ! "$venv/bin/python" -c 'import scrapy' 2>/dev/null; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q scrapy >&2
fi
scrapy_version=$("$venv/bin/python" -c 'import scrapy; print(scrapy.__version__)')

access="$site/logs/access.log"
requests_logged() { sleep 1.5; wc -l <"$access"; } # the access log is flushed every second

# Runs one crawl under /usr/bin/time; prints "pages wall cpu rss_mib requests load".
measure() { # name round
  local name=$1 round=$2 tv="$work/time-$1-$2.txt" out="$work/out-$1-$2.txt" before load pages
  before=$(requests_logged)
  load=$(cut -d' ' -f1 /proc/loadavg)
  case $name in
    pharmwatch)
      rm -rf "$work/data"
      /usr/bin/time -v -o "$tv" "$bin" --data-dir "$work/data" --config "$config" crawl >/dev/null 2>"$out" || true
      pages=$(grep -oE '^[0-9]+ pages fetched' "$out" | grep -oE '^[0-9]+' || echo 0)
      ;;
    scrapy)
      rm -f "$work/items.jsonl"
      (cd "$work" && /usr/bin/time -v -o "$tv" "$venv/bin/scrapy" runspider "$repo/bench/scrapy/market_spider.py" \
        -a start_urls="$site/start_urls.txt" -O "$work/items.jsonl" >/dev/null 2>"$out") || true
      pages=$(grep -oE "'response_received_count': [0-9]+" "$out" | grep -oE '[0-9]+$' || echo 0)
      ;;
  esac
  local after wall cpu rss
  after=$(requests_logged)
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/{n=split($2,t,":"); s=0; for(i=1;i<=n;i++) s=s*60+t[i]; print s}' "$tv")
  cpu=$(awk -F': ' '/User time/{u=$2} /System time/{s=$2} END{printf "%.2f", u+s}' "$tv")
  rss=$(awk -F': ' '/Maximum resident set size/{printf "%d", $2/1024}' "$tv")
  echo "$pages $wall $cpu $rss $((after - before)) $load"
}

results="$work/results.txt"
: >"$results"
for round in $(seq 1 "$rounds"); do
  if [ $((round % 2)) -eq 1 ]; then order="pharmwatch scrapy"; else order="scrapy pharmwatch"; fi
  for name in $order; do
    echo "== round $round: $name" >&2
    read -r pages wall cpu rss reqs load < <(measure "$name" "$round")
    rate=$(awk -v r="$reqs" -v w="$wall" 'BEGIN{printf "%.0f", (w > 0 ? r / w : 0)}')
    line="$name $round $pages $reqs $wall $cpu $rss $rate $load"
    echo "$line" | tee -a "$results" >&2
  done
done
items=$( [ -f "$work/items.jsonl" ] && wc -l <"$work/items.jsonl" || echo 0)

echo "== nginx ceiling (wrk, one product page)" >&2
first_shop=$(head -1 "$site/start_urls.txt")
# (sed -n 1p, not head -1: head's early exit would SIGPIPE the writer, fatal under pipefail)
first_name=$(sed -n 's/^name = "\(.*\)"/\1/p' "$site/sites.toml" | sed -n 1p)
product=$(find "$site/$first_name/product" -name '*.html' | sort | sed -n 1p)
product=${product#"$site/$first_name/"}
wrk_load=$(cut -d' ' -f1 /proc/loadavg)
wrk_out=$(wrk -t2 -c64 -d10s "${first_shop}$product")
wrk_rps=$(echo "$wrk_out" | awk '/Requests\/sec/{printf "%.0f", $2}')

echo "== parse-only ceiling" >&2
parse_load=$(cut -d' ' -f1 /proc/loadavg)
parse_out=$("$target/release/examples/parse_ceiling" "$site")
echo "$parse_out" >&2
parse_1=$(echo "$parse_out" | awk '/threads=1 /{sub("pages_per_s=","",$NF); print $NF}')
parse_all=$(echo "$parse_out" | tail -1 | awk '{sub("pages_per_s=","",$NF); print $NF}')

median() { sort -n | awk '{a[NR]=$1} END{print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
col() { awk -v n="$1" -v c="$2" '$1==n{print $c}' "$results" | median; }
pw_rate=$(col pharmwatch 8); sc_rate=$(col scrapy 8)
pw_rss=$(col pharmwatch 7); sc_rss=$(col scrapy 7)
pw_cpu=$(col pharmwatch 6); sc_cpu=$(col scrapy 6)
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.2f", (b > 0 ? a / b : 0)}'; }
speed_ratio=$(ratio "$pw_rate" "$sc_rate")
rss_ratio=$(ratio "$pw_rss" "$sc_rss")
cpu_ratio=$(ratio "$pw_cpu" "$sc_cpu")
ceiling_share=$(awk -v a="$pw_rate" -v b="$parse_all" 'BEGIN{printf "%.0f", (b > 0 ? 100 * a / b : 0)}')
verdict() { awk -v v="$1" -v t="$2" -v op="$3" 'BEGIN{ok = (op == ">=" ? v >= t : v <= t); print (ok ? "met" : "**missed**")}'; }

summary=$(cat <<EOF
pharmwatch / Scrapy pages/s (median): $pw_rate / $sc_rate = ${speed_ratio}× (target ≥ 5×: $(verdict "$speed_ratio" 5 ">="))
pharmwatch / Scrapy peak RSS (median): $pw_rss / $sc_rss MiB = $rss_ratio (target ≤ 0.33: $(verdict "$rss_ratio" 0.3334 "<="))
pharmwatch / Scrapy CPU seconds (median): $pw_cpu / $sc_cpu = $cpu_ratio
nginx ceiling (wrk -t2 -c64 -d10s, one product page): $wrk_rps req/s (load $wrk_load)
parse-only ceiling: $parse_1 pages/s on one core, $parse_all on all cores (load $parse_load)
pharmwatch crawl at ${ceiling_share}% of the parse-only ceiling (target ≥ 60%: $(verdict "$ceiling_share" 60 ">="))
Scrapy $scrapy_version items with title and price: $items (last run)
EOF
)
echo "$summary"

{
  echo
  echo "## Crawl vs Scrapy — $(date -u +%Y-%m-%dT%H:%MZ)"
  echo
  echo "\`SHOPS=$shops PER_SHOP=$per_shop ROUNDS=$rounds bench/crawl_vs_scrapy.sh\` — $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB;"
  echo "$shops shops, $listing_pages product pages, nginx $(nginx -v 2>&1 | cut -d/ -f2), Scrapy $scrapy_version;"
  echo "both: robots.txt obeyed, 64 concurrent, 16 per host, no delay, no retries. pages/s = nginx-logged requests / wall."
  echo
  echo "| crawler | round | pages (own count) | requests (nginx log) | wall s | CPU s | peak RSS MiB | pages/s | load avg |"
  echo "|---|---|---|---|---|---|---|---|---|"
  awk '{printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5, $6, $7, $8, $9}' "$results"
  echo
  echo "$summary" | sed 's/^/- /'
} >>bench/RESULTS.md
