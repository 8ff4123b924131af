#!/usr/bin/env bash
# Float against int8, side by side in one run: the float model file and the int8 file timed by
# raw ONNX Runtime (graph optimisations on: ORT_ENABLE_ALL, as the server loads them) on one
# pinned core with one intra-op thread, at batch 1 and 32, the two files alternating in rounds
# (the order swapping every round) so that a busy neighbour slows both alike; medians over rounds.
# Writes table.md (with the issue's targets: >= 2.2x at batch 1, >= 2.4x at batch 32), the raw
# output, the JSON of the bench command and the machine's state before and after.
# Run from the repository root after building the training jar:
#   ./mvnw -q -pl training -am package -DskipTests
#   load-test/bench/int8-benchmark.sh
# Every setting below can be overridden from the environment, e.g. CORE=0 ROUNDS=31.
set -euo pipefail

TRAINING_JAR=${TRAINING_JAR:-training/target/captcha-training.jar}
FLOAT_MODEL=${FLOAT_MODEL:-models/captcha-resnet.onnx}
INT8_MODEL=${INT8_MODEL:-models/captcha-resnet-int8.onnx}
CORE=${CORE:-$(($(nproc) - 1))}   # the core the whole JVM is pinned to
BATCH_SIZES=${BATCH_SIZES:-1,32}
WARMUP=${WARMUP:-20}              # untimed runs per model and batch size
ROUNDS=${ROUNDS:-21}              # alternating rounds
REPETITIONS=${REPETITIONS:-20}    # timed runs per model, batch size and round
TARGET_BATCH1=${TARGET_BATCH1:-2.2}
TARGET_BATCH32=${TARGET_BATCH32:-2.4}
OUT=${OUT:-load-test/bench/out-int8-$(date -u +%Y%m%dT%H%M%SZ)}

fail() { echo "error: $*" >&2; exit 2; }
for f in "$TRAINING_JAR" "$FLOAT_MODEL" "$INT8_MODEL"; do
  [[ -f "$f" ]] || fail "missing $f (build the jar with ./mvnw -q -pl training -am package -DskipTests)"
done
command -v taskset >/dev/null || fail "taskset (util-linux) is needed to pin the benchmark to one core"
[[ "$CORE" =~ ^[0-9]+$ ]] && (( CORE < $(nproc) )) || fail "CORE must be a core number below $(nproc), got '$CORE'"
for n in "$WARMUP" "$ROUNDS" "$REPETITIONS"; do
  [[ "$n" =~ ^[0-9]+$ ]] && (( n >= 1 )) || fail "WARMUP, ROUNDS and REPETITIONS must be whole numbers >= 1"
done
mkdir -p "$OUT"

machine() {
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "cpu: $(lscpu 2>/dev/null | sed -n 's/^Model name: *//p') ($(nproc) cores)"
  local flags
  flags=$(grep -m1 '^flags' /proc/cpuinfo | tr ' ' '\n' | grep -E '^(avx512_vnni|avx_vnni|avx512f|avx2)$' | sort | tr '\n' ' ')
  echo "cpu flags: ${flags:-none of avx2, avx512f, avx512_vnni, avx_vnni}"
  echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "busiest processes (%cpu, command):"
  ps -eo pcpu=,args= --sort=-pcpu | head -n 5 | cut -c1-120 | sed 's/^/  /'
}

machine >"$OUT/machine-before.txt"
cat "$OUT/machine-before.txt" >&2
echo "== float ($FLOAT_MODEL) against int8 ($INT8_MODEL) on core $CORE, batch sizes $BATCH_SIZES" >&2
taskset -c "$CORE" java -jar "$TRAINING_JAR" bench --model "$FLOAT_MODEL" --compare "$INT8_MODEL" \
  --batch-sizes "$BATCH_SIZES" --threads 1 --warmup "$WARMUP" --rounds "$ROUNDS" \
  --repetitions "$REPETITIONS" --json "$OUT/compare.json" | tee "$OUT/compare.txt" >&2
machine >"$OUT/machine-after.txt"

{
  echo "Float against int8, one pinned core (core $CORE), one intra-op thread, ONNX Runtime graph"
  echo "optimisations on; $ROUNDS alternating rounds of $REPETITIONS runs per model and batch size;"
  echo "medians over rounds. Load average before: $(sed -n 's/^load average: //p' "$OUT/machine-before.txt");"
  echo "after: $(sed -n 's/^load average: //p' "$OUT/machine-after.txt")."
  echo
  echo "| batch | float images/s | int8 images/s | int8 / float | float img/cpu-s | int8 img/cpu-s | int8 / float (CPU time) | fastest run float / int8 ms | target |"
  echo "|---|---|---|---|---|---|---|---|---|"
  # Rows of the bench command's table: batch, A, B, B/A | A cpu, B cpu, B/A | A best, B best.
  awk -v t1="$TARGET_BATCH1" -v t32="$TARGET_BATCH32" '
    $1 ~ /^[0-9]+$/ && $5 == "|" && $9 == "|" {
      ratio = $4; sub(/x$/, "", ratio)
      target = ""
      if ($1 == 1) target = t1
      if ($1 == 32) target = t32
      verdict = target == "" ? "" : sprintf(">= %sx: %s", target, (ratio + 0 >= target + 0) ? "met" : "not met")
      printf "| %s | %s | %s | **%s** | %s | %s | %s | %s / %s | %s |\n", $1, $2, $3, $4, $6, $7, $8, $10, $11, verdict
    }' "$OUT/compare.txt"
  echo
  echo "images/s: wall time of each round's block; img/cpu-s: the same runs in the CPU time of the"
  echo "calling thread. On a busy machine only the ratios mean something."
} | tee "$OUT/table.md"
echo "reports: $OUT" >&2
