#!/usr/bin/env bash
# Heap bytes the server allocates per answered request, for one or two server builds: each build
# in turn is started pinned to SERVER_CORES with a small young generation (so that collections,
# which is when the JVM counts allocations, come often), warmed with WARMUP of closed-loop load,
# then measured over DURATION of the same load: the rise of jvm_memory_pool_allocated_bytes_total
# (every pool, from the server's /metrics) over the rise of captcha_admitted_requests_total. Unlike
# a latency, the figure hardly depends on what else the machine runs; its error is at most one
# young generation (YOUNG) over the requests counted.
# The servers' and the load generator's logs and a summary go to OUT (default:
# load-test/bench/alloc-<UTC time>/).
# Run from the repository root after building the server and load-test jars:
#   load-test/bench/alloc-per-request.sh
#   JAR_A=old/captcha-server.jar JAR_B=server/target/captcha-server.jar load-test/bench/alloc-per-request.sh
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/serving.sh"

JAR_A=${JAR_A:-server/target/captcha-server.jar}
JAR_B=${JAR_B:-}
HARNESS_JAR=${HARNESS_JAR:-load-test/target/captcha-load-test.jar}
MODEL=${MODEL:-models/captcha-resnet.onnx}
SERVER_ARGS=${SERVER_ARGS:---instances 1 --intra-op-threads 1}
SERVER_CORES=${SERVER_CORES:-0}
LOAD_CORES=${LOAD_CORES:-$([[ $(nproc) -gt 1 ]] && echo "1-$(($(nproc) - 1))" || echo 0)}
YOUNG=${YOUNG:-16m}
CONCURRENCY=${CONCURRENCY:-8}
RPC=${RPC:-unary}
WARMUP=${WARMUP:-15s}
DURATION=${DURATION:-20s}
PORT=${PORT:-50098}
METRICS_PORT=${METRICS_PORT:-9498}
OUT=${OUT:-load-test/bench/alloc-$(date -u +%Y%m%dT%H%M%SZ)}
mkdir -p "$OUT"

pid=
trap '[[ -n $pid ]] && kill "$pid" 2>/dev/null || true' EXIT

# Prints the total allocated bytes and the admitted requests, from the server's metrics; the value
# is the last field ($NF), as a pool's label holds spaces.
scrape() {
  curl -sf "http://127.0.0.1:$METRICS_PORT/metrics" | awk '
    /^jvm_memory_pool_allocated_bytes_total/ { bytes += $NF }
    /^captcha_admitted_requests_total/ { requests += $NF }
    END { printf "%.0f %.0f\n", bytes, requests }'
}

load() {
  local extra=()
  [[ $RPC == stream ]] && extra=(--streams 1)
  taskset -c "$LOAD_CORES" java -jar "$HARNESS_JAR" --target "127.0.0.1:$PORT" --rpc "$RPC" \
    "${extra[@]}" --concurrency "$CONCURRENCY" --generate 256 -q "$@" \
    >/dev/null 2>>"$OUT/harness.log"
}

for side in A B; do
  jar_var=JAR_$side
  jar=${!jar_var}
  [[ -z $jar ]] && continue
  # shellcheck disable=SC2086
  taskset -c "$SERVER_CORES" java -Xmx512m "-Xmn$YOUNG" -jar "$jar" --port "$PORT" \
    --metrics-port "$METRICS_PORT" --http-port -1 --model "$MODEL" $SERVER_ARGS \
    >"$OUT/server-$side.log" 2>&1 &
  pid=$!
  wait_serving "$pid" "$OUT/server-$side.log" 300 scrape
  load --duration "$WARMUP" --warmup 1s
  read -r bytes0 requests0 < <(scrape)
  load --duration "$DURATION" --warmup 0s
  read -r bytes1 requests1 < <(scrape)
  kill "$pid"
  wait "$pid" 2>/dev/null || true
  pid=
  requests=$((requests1 - requests0))
  if ((requests < 1)); then
    echo "$side ($jar): no requests admitted; see $OUT/server-$side.log" >&2
    exit 1
  fi
  echo "$side ($jar, $RPC): $(((bytes1 - bytes0) / requests)) bytes per request over $requests requests" |
    tee -a "$OUT/summary.txt"
done
