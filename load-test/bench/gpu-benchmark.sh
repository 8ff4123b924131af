#!/usr/bin/env bash
# GPU check and benchmark of the captcha server, in one command, inside 8 minutes:
#   1. builds the server (with -Pcuda: onnxruntime_gpu), the load test and the client;
#   2. starts the server with --device cuda (start-up fails where CUDA cannot load) and checks
#      from the server's own report (GetModelInfo's execution provider, read with `captcha info`,
#      and its start-up log) that CUDA runs the model;
#   3. reads the raw batching gain from the server's warm-up, which times every batch size from 1
#      to 64 on the GPU: cost(b) = a + b * c, gain(b) = b * cost(1) / cost(b);
#   4. runs server-benchmark.sh with short runs: saturation, the offered-load sweep per batching
#      mode (table and chart), with the raw rate at batch 64 from step 3 as the reference.
# Needs an NVIDIA GPU with its driver, CUDA 12 and cuDNN 9 libraries on the library path.
# Run from the repository root: load-test/bench/gpu-benchmark.sh
# Output: load-test/bench/gpu-out-<time>/ (summary.md, table.md, sweep.svg, logs).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/serving.sh"

BUDGET_S=${BUDGET_S:-480}
MODEL=${MODEL:-models/captcha-resnet.onnx}
PORT=${PORT:-50081}
MAX_BATCH=${MAX_BATCH:-64}
OUT=${OUT:-load-test/bench/gpu-out-$(date -u +%Y%m%dT%H%M%SZ)}
deadline=$((SECONDS + BUDGET_S))

if ! command -v nvidia-smi >/dev/null || ! nvidia-smi -L >/dev/null 2>&1; then
  echo "error: no NVIDIA GPU here (nvidia-smi missing or failing)" >&2
  exit 2
fi
[[ -f "$MODEL" ]] || { echo "error: missing model $MODEL" >&2; exit 2; }
mkdir -p "$OUT"
nvidia-smi -L | tee "$OUT/gpu.txt"

echo "== build (-Pcuda)" >&2
./mvnw -B -q -pl server,load-test,client -am -Pcuda -DskipTests package >"$OUT/build.log" 2>&1 \
  || { echo "error: build failed; see $OUT/build.log" >&2; exit 1; }

SERVER_JAR=server/target/captcha-server.jar
CLIENT_JAR=client/target/captcha-client.jar
[[ -f "$CLIENT_JAR" ]] || CLIENT_JAR=
server_pid=
stop_server() {
  if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then
    kill "$server_pid"; wait "$server_pid" 2>/dev/null || true
  fi
  server_pid=
}
trap stop_server EXIT

echo "== server with --device cuda, max batch $MAX_BATCH" >&2
java -jar "$SERVER_JAR" --port "$PORT" --metrics-port -1 --model "$MODEL" --device cuda \
  --instances 1 --max-batch-size "$MAX_BATCH" >"$OUT/server-cuda.log" 2>&1 &
server_pid=$!
wait_serving "$server_pid" "$OUT/server-cuda.log" $((deadline - SECONDS)) port_open "$PORT"
if grep -q "running on CPU" "$OUT/server-cuda.log"; then
  echo "error: the server fell back to the CPU; see $OUT/server-cuda.log" >&2; exit 1
fi
provider="(client jar not found)"
if [[ -n "$CLIENT_JAR" ]]; then
  java -jar "$CLIENT_JAR" info --target "127.0.0.1:$PORT" | tee "$OUT/info.txt"
  provider=$(awk -F: '/execution provider/ { gsub(/ /, "", $2); print $2 }' "$OUT/info.txt")
  [[ "$provider" == CUDA ]] \
    || { echo "error: the server reports execution provider '$provider', not CUDA" >&2; exit 1; }
fi
# "warmed up batch sizes 1..64 on 1 instance(s) in N ms; batch cost ~A us + C us per image"
read -r a c < <(sed -n 's/.*batch cost ~\([0-9]*\) us + \([0-9]*\) us per image.*/\1 \2/p' \
  "$OUT/server-cuda.log" | tail -n 1)
stop_server
[[ -n "${a:-}" ]] || { echo "error: no batch cost in $OUT/server-cuda.log" >&2; exit 1; }
raw_rps=$(awk -v a="$a" -v c="$c" -v m="$MAX_BATCH" 'BEGIN { printf "%.0f", m / ((a + m * c) / 1e6) }')
{
  echo "# GPU benchmark $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo
  echo "GPU: $(head -n 1 "$OUT/gpu.txt"); execution provider reported by the server: $provider"
  echo
  echo "Raw batch cost from the server's warm-up (every size 1..$MAX_BATCH): a = $a us, c = $c us per image"
  echo
  echo "| batch | cost ms | images/s | gain over batch 1 |"
  echo "|---|---|---|---|"
  for b in 1 2 4 8 16 32 64; do
    (( b <= MAX_BATCH )) || continue
    awk -v a="$a" -v c="$c" -v b="$b" 'BEGIN { t = (a + b * c) / 1e3; t1 = (a + c) / 1e3;
      printf "| %d | %.3f | %.0f | %.1f |\n", b, t, b / t * 1e3, b * t1 / t }'
  done
} | tee "$OUT/summary.md"

left=$((deadline - SECONDS))
echo "== server sweep ($left s left)" >&2
half=$(( $(nproc) / 2 ))
SERVER_CORES="0-$((half - 1))" LOAD_CORES="$half-$(($(nproc) - 1))" \
  SERVER_ARGS="--device cuda --instances 1 --max-batch-size $MAX_BATCH" \
  RAW_ORT_RPS="$raw_rps" SERVER_WARMUP=6s DURATION=8s WARMUP=3s ROUNDS=1 SAT_CONCURRENCY=512 \
  SWEEP_DURATION=5s SWEEP_WARMUP=2s LOADS="10 50 95" OUT="$OUT/sweep" \
  timeout "$left" load-test/bench/server-benchmark.sh
cat "$OUT/sweep/table.md" >>"$OUT/summary.md"
echo "reports: $OUT (finished in $SECONDS s)" >&2
