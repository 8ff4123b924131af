#!/usr/bin/env bash
# Soak test of the captcha server: measures the saturated rate (or takes SATURATION_RPS), runs the
# load test in open loop at 80% of it for SOAK_DURATION, samples the server's heap and RSS every
# SAMPLE_SECONDS, and fails when the live heap or RSS shows a growth trend. Not part of CI.
#
# The live heap is measured every LIVE_HEAP_SECONDS by a full collection (jcmd GC.run, tens of
# milliseconds on this heap) followed by a scrape of the heap in use: only what is still
# referenced survives it, so its trend is the leak signal. Without jcmd, the old generation's
# occupancy after its last collection is used instead (G1 may not collect it in a short soak).
#
#   server/soak/soak.sh                       # 30 minutes with the bundled model
#   SOAK_DURATION=10m server/soak/soak.sh     # shorter
#   SERVER_ARGS="--model other.onnx" SATURATION_RPS=900 server/soak/soak.sh
#
# Environment (defaults in brackets):
#   SOAK_DURATION [30m]  measured phase of the soak (load-test duration syntax: 90s, 10m, 1h)
#   LOAD_SHARE [0.8]     share of the saturated rate to offer
#   SATURATION_RPS       skip the saturation measurement and use this rate
#   SAMPLE_SECONDS [10]  sampling period
#   SKIP_SECONDS [120]   samples before this (JIT, caches, pools filling) are left out of the trend
#   LIVE_HEAP_SECONDS [300]  period of the live-heap measurement (full GC, then heap in use)
#   MAX_HEAP_GROWTH_MB_PER_HOUR [32]  allowed trend of the live heap
#   MAX_RSS_GROWTH_MB_PER_HOUR [64]   allowed trend of the resident set size
#   PORT [50551], METRICS_PORT [9565], SERVER_ARGS, SERVER_JAVA_OPTS [-Xmx1g], LOAD_ARGS
#   OUT [target/soak-<time>]  where samples.csv, the reports and server.log go
set -euo pipefail

root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
SOAK_DURATION="${SOAK_DURATION:-30m}"
LOAD_SHARE="${LOAD_SHARE:-0.8}"
SAMPLE_SECONDS="${SAMPLE_SECONDS:-10}"
SKIP_SECONDS="${SKIP_SECONDS:-120}"
LIVE_HEAP_SECONDS="${LIVE_HEAP_SECONDS:-300}"
MAX_HEAP_GROWTH_MB_PER_HOUR="${MAX_HEAP_GROWTH_MB_PER_HOUR:-32}"
MAX_RSS_GROWTH_MB_PER_HOUR="${MAX_RSS_GROWTH_MB_PER_HOUR:-64}"
PORT="${PORT:-50551}"
METRICS_PORT="${METRICS_PORT:-9565}"
SERVER_JAVA_OPTS="${SERVER_JAVA_OPTS:--Xmx1g}"
OUT="${OUT:-server/target/soak-$(date -u +%Y%m%dT%H%M%SZ)}"
mkdir -p "$OUT"

server_jar=server/target/captcha-server.jar
load_jar=load-test/target/captcha-load-test.jar
for jar in "$server_jar" "$load_jar"; do
  if [[ ! -f "$jar" ]]; then
    echo "soak: $jar is missing; build it with ./mvnw -q -pl server,load-test package -DskipTests" >&2
    exit 2
  fi
done

server_pid=""
load_pid=""
cleanup() {
  [[ -n "$load_pid" ]] && kill "$load_pid" 2>/dev/null || true
  if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
}
trap cleanup EXIT

echo "soak: starting the server (log: $OUT/server.log)"
# shellcheck disable=SC2086
java $SERVER_JAVA_OPTS -jar "$server_jar" --port "$PORT" --metrics-port "$METRICS_PORT" \
  ${SERVER_ARGS:-} >"$OUT/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 300); do
  grep -q "listening on port" "$OUT/server.log" && break
  kill -0 "$server_pid" 2>/dev/null || { echo "soak: the server exited:" >&2; tail -20 "$OUT/server.log" >&2; exit 2; }
  sleep 1
done
grep -q "listening on port" "$OUT/server.log" || { echo "soak: the server did not start" >&2; exit 2; }

load() {
  # shellcheck disable=SC2086
  java -jar "$load_jar" --target "localhost:$PORT" --quiet ${LOAD_ARGS:-} "$@"
}

if [[ -z "${SATURATION_RPS:-}" ]]; then
  echo "soak: measuring the saturated rate (closed loop, 64 in flight, 30 s)"
  load --concurrency 64 --warmup 10s --duration 30s --json "$OUT/saturation.json" >/dev/null
  SATURATION_RPS="$(grep -o '"goodputRps" *: *[0-9.]*' "$OUT/saturation.json" | head -1 \
    | sed 's/.*: *//')"
fi
rate="$(awk -v s="$SATURATION_RPS" -v f="$LOAD_SHARE" 'BEGIN { printf "%d", s * f }')"
echo "soak: saturated at ${SATURATION_RPS} req/s; offering ${rate} req/s for ${SOAK_DURATION}"

load --rate "$rate" --arrivals poisson --warmup 10s --duration "$SOAK_DURATION" \
  --json "$OUT/soak.json" --csv-intervals "$OUT/intervals.csv" >"$OUT/load.txt" 2>&1 &
load_pid=$!

# heap_used: all heap pools now; old_after_gc: old generation occupancy after its last collection
# (the leak signal); rss: resident set of the server process.
metric() {
  curl -s "http://localhost:$METRICS_PORT/metrics" | awk -v name="$1" -v filter="$2" '
    $0 !~ /^#/ && index($0, name) == 1 && index($0, filter) { sum += $NF; seen = 1 }
    END { if (seen) printf "%.0f", sum; else printf "" }'
}
echo "seconds,heap_used_bytes,old_after_gc_bytes,rss_bytes" >"$OUT/samples.csv"
echo "seconds,live_heap_bytes" >"$OUT/live-heap.csv"
jcmd_bin="$(command -v jcmd || true)"
start=$(date +%s)
last_live=-$LIVE_HEAP_SECONDS
while kill -0 "$load_pid" 2>/dev/null; do
  now=$(( $(date +%s) - start ))
  heap="$(metric 'jvm_memory_used_bytes{' 'area="heap"')"
  old="$(metric 'jvm_memory_pool_collection_used_bytes{' 'Old Gen')"
  rss_kb="$(awk '/^VmRSS:/ { print $2 }' "/proc/$server_pid/status" 2>/dev/null || echo 0)"
  echo "$now,${heap:-0},${old:-0},$(( ${rss_kb:-0} * 1024 ))" >>"$OUT/samples.csv"
  if [[ -n "$jcmd_bin" && $(( now - last_live )) -ge $LIVE_HEAP_SECONDS ]]; then
    last_live=$now
    if "$jcmd_bin" "$server_pid" GC.run >/dev/null 2>&1; then
      echo "$now,$(metric 'jvm_memory_used_bytes{' 'area="heap"')" >>"$OUT/live-heap.csv"
    fi
  fi
  sleep "$SAMPLE_SECONDS"
done
wait "$load_pid" || { echo "soak: the load test failed:" >&2; tail -20 "$OUT/load.txt" >&2; exit 1; }
load_pid=""
cat "$OUT/load.txt"

# Least-squares slope of a column of a CSV over the rows after SKIP_SECONDS, in MB per hour.
trend() {
  awk -F, -v col="$2" -v skip="$SKIP_SECONDS" '
    NR > 1 && $1 >= skip && $col > 0 { n++; x += $1; y += $col; xx += $1 * $1; xy += $1 * $col }
    END {
      if (n < 3) { print "nan"; exit }
      d = n * xx - x * x
      if (d == 0) { print "nan"; exit }
      printf "%.1f", (n * xy - x * y) / d * 3600 / 1048576
    }' "$1"
}
heap_trend="$(trend "$OUT/live-heap.csv" 2)"
heap_signal="live heap (after a full GC every ${LIVE_HEAP_SECONDS}s)"
if [[ "$heap_trend" == nan ]]; then
  heap_trend="$(trend "$OUT/samples.csv" 3)"
  heap_signal="old generation after GC"
fi
rss_trend="$(trend "$OUT/samples.csv" 4)"
echo "soak: ${heap_signal} trend ${heap_trend} MB/h (limit ${MAX_HEAP_GROWTH_MB_PER_HOUR}),"\
" RSS trend ${rss_trend} MB/h (limit ${MAX_RSS_GROWTH_MB_PER_HOUR}); samples in $OUT"
verdict="$(awk -v h="$heap_trend" -v r="$rss_trend" -v mh="$MAX_HEAP_GROWTH_MB_PER_HOUR" \
  -v mr="$MAX_RSS_GROWTH_MB_PER_HOUR" 'BEGIN {
    if (h == "nan" || r == "nan") { print "too few samples"; exit }
    if (h + 0 > mh + 0) { print "heap grows"; exit }
    if (r + 0 > mr + 0) { print "RSS grows"; exit }
    print "ok" }')"
if [[ "$verdict" != ok ]]; then
  echo "soak: FAILED: $verdict" >&2
  exit 1
fi
echo "soak: passed"
