#!/usr/bin/env bash
# The cost of watching: the quick start's whole stack, its exporter scraped as Prometheus does
# (every 15 s, for 10 minutes), its CPU per scrape (user + system, from /proc), and the
# instructions per scrape of a second exporter with the same configuration under callgrind
# (instructions do not drift with the machine's load as seconds do).
#
#   bench/cost/run.sh [minutes] [interval-seconds] [callgrind-scrapes]   (defaults 10 15 20)
# Needs the binaries built (scripts/bench.sh builds the release preset) and valgrind.
set -euo pipefail
cd "$(dirname "$0")/../.."
minutes=${1:-10}
interval=${2:-15}
callgrind_scrapes=${3:-20}
build=${OOE_BENCH_BUILD:-build/release}
state=$(mktemp -d /tmp/ooe-cost-XXXXXX)
chmod 755 "$state"  # the quick start runs PostgreSQL as its own user, under this directory
export OOE_QUICKSTART_DIR=$state/stack OOE_QUICKSTART_LISTEN=auto
export OOE_EXPORTER_BINARY=${OOE_EXPORTER_BINARY:-$PWD/$build/exporter/onlyoffice-exporter}
export OOE_STANDIN_BINARY=${OOE_STANDIN_BINARY:-$PWD/$build/tools/documentserver-standin/documentserver-standin}
scripts/quickstart.sh --no-build >"$state/quickstart.log" 2>&1 &
quickstart=$!
trap 'kill "$quickstart" 2>/dev/null; wait "$quickstart" 2>/dev/null; rm -rf "$state"' EXIT
for _ in $(seq 1 300); do grep -q "Press Ctrl-C" "$state/quickstart.log" && break; sleep 1; done
grep -q "Press Ctrl-C" "$state/quickstart.log" || { tail -20 "$state/quickstart.log"; exit 1; }
grep -q " FAIL " "$state/quickstart.log" && { grep FAIL "$state/quickstart.log"; exit 1; }
address=$(sed -n 's/^EXPORTER_ADDRESS=//p' "$OOE_QUICKSTART_DIR/stack.env")
pid=$(awk '$2 == "exporter" {print $1}' "$OOE_QUICKSTART_DIR/pids" | tail -1)
ticks=$(getconf CLK_TCK)
cpu() { awk -v t="$ticks" '{print ($14 + $15) / t}' "/proc/$pid/stat"; }
scrape() { curl -fsS -o /dev/null -H "X-Prometheus-Scrape-Timeout-Seconds: $((interval - 1))" "http://$1/metrics"; }

scrape "$address"  # the first scrape reads what later ones keep (inspects, /info)
scrapes=$((minutes * 60 / interval))
# The quick start's Prometheus scrapes this exporter too: count the scrapes it served, ours and
# Prometheus', from its own counter (read by a scrape, counted as one).
served() {
  curl -fsS "http://$address/metrics" | awk '$1 == "onlyoffice_exporter_scrapes_total" {print $2}'
}
served_before=$(served)
before=$(cpu)
for _ in $(seq 1 "$scrapes"); do
  started=$(date +%s.%N)
  scrape "$address"
  sleep "$(awk -v s="$started" -v i="$interval" -v n="$(date +%s.%N)" 'BEGIN {d = i - (n - s); print (d > 0 ? d : 0)}')"
done
after=$(cpu)
served_after=$(served)
rss=$(awk '/^VmRSS|^RssAnon/ {printf "%s %s kB  ", $1, $2}' "/proc/$pid/status")
awk -v a="$after" -v b="$before" -v n="$((served_after - served_before))" -v m="$minutes" -v i="$interval" 'BEGIN {
  printf "cost: %d scrapes served over %d min (ours every %d s and Prometheus'"'"' own): %.2f ms of CPU per scrape (user + system, idle time between scrapes included)\n", n, m, i, (a - b) * 1000 / n }'
echo "cost: resident memory after them: $rss"

# Instructions: a second exporter with the same configuration, under callgrind, counting only
# while it is asked.
if command -v valgrind >/dev/null; then
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  env QUICKSTART_RABBITMQ_PASSWORD=guest valgrind --tool=callgrind --instr-atstart=no \
    --callgrind-out-file="$state/callgrind.out" "$OOE_EXPORTER_BINARY" \
    --config.file="$OOE_QUICKSTART_DIR/exporter.yml" --web.listen-address="127.0.0.1:$port" \
    --web.max-connections=16 >"$state/callgrind.log" 2>&1 &
  grinder=$!
  for _ in $(seq 1 600); do curl -fs -o /dev/null "http://127.0.0.1:$port/-/healthy" && break; sleep 0.2; done
  for _ in 1 2 3; do scrape "127.0.0.1:$port"; done  # warm: the first scrapes read more
  callgrind_control -i on "$grinder" >/dev/null 2>&1
  for _ in $(seq 1 "$callgrind_scrapes"); do scrape "127.0.0.1:$port"; sleep 1; done
  callgrind_control -i off "$grinder" >/dev/null 2>&1
  kill -INT "$grinder"; wait "$grinder" 2>/dev/null || true
  # Every dump covers its own stretch: their totals add up to what instrumentation counted.
  total=$(cat "$state"/callgrind.out* | awk '/^totals:/ {sum += $2} END {print sum + 0}')
  awk -v t="$total" -v n="$callgrind_scrapes" 'BEGIN {
    printf "cost: %.1f million instructions per scrape (callgrind, %d scrapes, every thread)\n", t / n / 1e6, n }'
fi
