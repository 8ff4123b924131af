#!/usr/bin/env bash
# Compares two server builds (or two model files, MODEL_A and MODEL_B, on one build) at one request
# in flight, side by side: both servers run at once,
# pinned to the same SERVER_CORES, each warmed up alike; then ROUNDS alternating rounds measure
# the p50 of one unary call and of one SolveStream item in flight on each, so that a machine whose
# speed drifts affects both alike. Prints each round and, per kind, the median p50 of each build and
# the median of the per-round ratios B / A. With FLOOR=yes (the default) a no-op service pinned to
# the same cores takes its turn in every round (side N): the p50 of the harness, gRPC and loopback
# alone, the floor under both builds. With a training jar (TRAINING_JAR), raw ONNX Runtime batch 1
# of MODEL_A and MODEL_B is timed on SERVER_CORES after the servers stop (two files in alternating
# rounds, `bench --compare`).
# Run from the repository root after building the load-test jar:
#   JAR_A=old/captcha-server.jar JAR_B=server/target/captcha-server.jar load-test/bench/ab-one-in-flight.sh
#   JAR_A=server/target/captcha-server.jar JAR_B=server/target/captcha-server.jar \
#     MODEL_A=a.onnx MODEL_B=b.onnx load-test/bench/ab-one-in-flight.sh
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/serving.sh"

JAR_A=${JAR_A:?set JAR_A to the first server jar}
JAR_B=${JAR_B:?set JAR_B to the second server jar}
HARNESS_JAR=${HARNESS_JAR:-load-test/target/captcha-load-test.jar}
MODEL=${MODEL:-models/captcha-resnet.onnx}
MODEL_A=${MODEL_A:-$MODEL}
MODEL_B=${MODEL_B:-$MODEL}
SERVER_ARGS=${SERVER_ARGS:---instances 1 --intra-op-threads 1}
SERVER_CORES=${SERVER_CORES:-0}
LOAD_CORES=${LOAD_CORES:-$([[ $(nproc) -gt 1 ]] && echo "1-$(($(nproc) - 1))" || echo 0)}
PORT_A=${PORT_A:-50095}
PORT_B=${PORT_B:-50096}
PORT_N=${PORT_N:-50097}
FLOOR=${FLOOR:-yes}
TRAINING_JAR=${TRAINING_JAR:-training/target/captcha-training.jar}
ROUNDS=${ROUNDS:-6}
DURATION=${DURATION:-5s}
OUT=${OUT:-load-test/bench/ab-$(date -u +%Y%m%dT%H%M%SZ)}
mkdir -p "$OUT"

pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true' EXIT
for side in A B; do
  jar_var=JAR_$side; port_var=PORT_$side; model_var=MODEL_$side
  # shellcheck disable=SC2086
  taskset -c "$SERVER_CORES" java -jar "${!jar_var}" --port "${!port_var}" --model "${!model_var}" \
    --http-port -1 --metrics-port -1 $SERVER_ARGS >"$OUT/server-$side.log" 2>&1 &
  pids+=($!)
done
sides=(A B)
ports=("$PORT_A" "$PORT_B")
if [[ $FLOOR == yes ]]; then
  taskset -c "$SERVER_CORES" java -jar "$HARNESS_JAR" noop-server --port "$PORT_N" \
    >"$OUT/server-N.log" 2>&1 &
  pids+=($!)
  sides+=(N)
  ports+=("$PORT_N")
fi
for i in "${!ports[@]}"; do
  wait_serving "${pids[$i]}" "$OUT/server-${sides[$i]}.log" 300 port_open "${ports[$i]}"
done
load() { taskset -c "$LOAD_CORES" java -jar "$HARNESS_JAR" --generate 256 -q "$@" 2>>"$OUT/harness.log"; }
for port in "$PORT_A" "$PORT_B"; do # warm-up: saturated, then open loop; measured by nothing
  load --target "127.0.0.1:$port" --rpc unary --concurrency 64 --duration 20s --warmup 1s >/dev/null
  load --target "127.0.0.1:$port" --rpc unary --rate 250 --arrivals poisson --duration 15s \
    --warmup 1s >/dev/null
done
echo "round,build,kind,p50_ms" >"$OUT/rounds.csv"
for round in $(seq 1 "$ROUNDS"); do
  for side in "${sides[@]}"; do
    port_var=PORT_$side
    for kind in unary stream; do
      extra=()
      [[ $kind == stream ]] && extra=(--streams 1)
      csv="$OUT/$side-$round-$kind.csv"
      load --target "127.0.0.1:${!port_var}" --rpc "$kind" "${extra[@]}" --concurrency 1 \
        --duration "$DURATION" --warmup 2s --connections 1 --csv "$csv" >/dev/null
      # CSV column 13 is p50_ms (see load-test/README.md).
      echo "$round,$side,$kind,$(awk -F, 'NR == 2 { print $13 }' "$csv")" | tee -a "$OUT/rounds.csv"
    done
  done
done
kill "${pids[@]}" 2>/dev/null || true
wait 2>/dev/null || true
echo "model,ms" >"$OUT/raw-b1.csv"
if [[ -f $TRAINING_JAR ]]; then
  bench=(taskset -c "$SERVER_CORES" java -jar "$TRAINING_JAR" bench --model "$MODEL_A"
    --batch-sizes 1 --threads 1 --repetitions 400)
  if [[ $MODEL_B == "$MODEL_A" ]]; then
    # The last column of the last line: images/s.
    ips_a=$("${bench[@]}" 2>/dev/null | tail -n 1 | awk '{ print $NF }')
    ips_b=$ips_a
  else
    # --compare times the two files in alternating rounds; its batch-1 row starts with the median
    # images/s of each.
    read -r ips_a ips_b < <("${bench[@]}" --compare "$MODEL_B" 2>/dev/null |
      awk '$1 == 1 { print $2, $3; exit }')
  fi
  echo "$MODEL_A,$(awk -v r="$ips_a" 'BEGIN { printf "%.3f", 1000 / r }')" | tee -a "$OUT/raw-b1.csv"
  echo "$MODEL_B,$(awk -v r="$ips_b" 'BEGIN { printf "%.3f", 1000 / r }')" | tee -a "$OUT/raw-b1.csv"
fi
python3 - "$OUT/rounds.csv" "$OUT/raw-b1.csv" "$MODEL_A" "$MODEL_B" <<'PY' | tee "$OUT/summary.txt"
import csv, statistics, sys
rows = list(csv.DictReader(open(sys.argv[1])))
raw = {}
for r in csv.DictReader(open(sys.argv[2])):
    raw.setdefault(r["model"], []).append(float(r["ms"]))
raw_a = statistics.median(raw[sys.argv[3]]) if sys.argv[3] in raw else None
raw_b = statistics.median(raw[sys.argv[4]]) if sys.argv[4] in raw else None
for kind in ("unary", "stream"):
    p50 = {(r["build"], r["round"]): float(r["p50_ms"]) for r in rows if r["kind"] == kind}
    rounds = sorted({rnd for _, rnd in p50}, key=int)
    a = [p50[("A", rnd)] for rnd in rounds]
    b = [p50[("B", rnd)] for rnd in rounds]
    ratios = [y / x for x, y in zip(a, b)]
    print(f"{kind}: p50 A {statistics.median(a):.3f} ms, B {statistics.median(b):.3f} ms (medians);"
          f" B / A per round {', '.join(f'{r:.2f}' for r in ratios)}, median {statistics.median(ratios):.3f}")
    floor = [p50[("N", rnd)] for rnd in rounds if ("N", rnd) in p50]
    if floor:
        print(f"{kind}: no-op service (floor) p50 {statistics.median(floor):.3f} ms (median)")
    if raw_a is not None and raw_b is not None:
        print(f"{kind}: over raw batch 1 (A {raw_a:.3f} ms, B {raw_b:.3f} ms, medians):"
              f" A {statistics.median(a) - raw_a:+.3f} ms, B {statistics.median(b) - raw_b:+.3f} ms")
PY
