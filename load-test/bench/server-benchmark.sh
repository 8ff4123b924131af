#!/usr/bin/env bash
# Side-by-side benchmark of the captcha server on this machine, in one command:
#   (a) raw in-process ONNX Runtime throughput at the best batch size (hook below),
#   (b) the server's saturated throughput through the load test, unary and stream, and their
#       ratio to (a),
#   (c) p50 and p99 in open loop at 50% of the saturated unary rate, and p50 with one request in
#       flight (unary and stream) beside raw ONNX Runtime's batch-1 inference time,
#   (d) the harness's own capacity against a no-op service,
#   (e) a sweep of offered load (LOADS, % of the saturated unary rate) in open loop for each
#       batching mode (MODES), the modes taking turns at each load (SWEEP_ROUNDS rounds, medians),
#       with a no-op service's latency at the same rates (the harness and transport floor) and the
#       ideal FIFO server's (fifo-reference.py) as references, written as sweep.csv, sweep.md and
#       the chart sweep.svg (p50, p99 and throughput against offered load).
# The server and the raw ONNX Runtime run are pinned to SERVER_CORES and the load generator to
# LOAD_CORES (taskset), so that the ratio measures the server and not a CPU shared with the load.
# (a) and (b) run in ROUNDS alternating rounds on the same warm server and the table quotes their
# medians, so that a noisy neighbour on a shared machine shows as spread rather than as a result.
# Where the server's CPU went during the last saturated unary round (per thread group, from
# /proc) is written to cpu-by-thread.txt.
# Run from the repository root after building the jars:
#   ./mvnw -q -pl server,load-test package -DskipTests
#   load-test/bench/server-benchmark.sh
# Every setting below can be overridden from the environment, e.g. DURATION=60s.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/serving.sh"

SERVER_JAR=${SERVER_JAR:-server/target/captcha-server.jar}
HARNESS_JAR=${HARNESS_JAR:-load-test/target/captcha-load-test.jar}
MODEL=${MODEL:-models/captcha-resnet.onnx}
PORT=${PORT:-50071}
# Cores for the server and the raw ONNX Runtime run, and for the load generator (taskset lists).
# Default: the server on core 0, the load on the others (on one core both share core 0).
SERVER_CORES=${SERVER_CORES:-0}
if [[ -z "${LOAD_CORES:-}" ]]; then
  LOAD_CORES=$([[ $(nproc) -gt 1 ]] && echo "1-$(($(nproc) - 1))" || echo 0)
fi
# Number of cores in a taskset list such as 0,2-3.
count_cores() { tr ',' '\n' <<<"$1" | awk -F- '{ n += (NF == 2 ? $2 - $1 + 1 : 1) } END { print n }'; }
CORES=$(count_cores "$SERVER_CORES")
on_load() { taskset -c "$LOAD_CORES" "$@"; }
# JVM options of the load generator. Each measurement starts a new harness JVM; with the default
# heap it paused 15-34 ms for young collections within each 10 s point (SerialGC, one core), which
# shows in the measured tail as if the server had been slow. A fixed heap with a large young
# generation and a Metaspace threshold above what the harness loads: no collection in a point.
HARNESS_JAVA_OPTS=${HARNESS_JAVA_OPTS:--Xms1g -Xmx1g -Xmn768m -XX:MetaspaceSize=128m}
# shellcheck disable=SC2086
load_gen() { on_load java $HARNESS_JAVA_OPTS -jar "$HARNESS_JAR" "$@"; }
# Server flags; keep the thread settings equal to those of the raw ONNX Runtime benchmark. The
# default, one single-threaded model instance per server core, gave the most throughput here (see
# load-test/README.md).
SERVER_ARGS=${SERVER_ARGS:---instances $CORES --intra-op-threads 1}
# Batching modes of the load sweep (server flags, one mode per entry, ';'-separated; none: no
# sweep) and the offered loads in % of a saturated unary rate: SWEEP_BASE=common (default) sweeps
# every mode at the same offered rates, in % of the median saturated unary rate of the rounds
# above, so modes compare at equal load; SWEEP_BASE=own takes each mode's own saturated rate (one short run).
MODES=${MODES:---batching-mode work-conserving;--batching-mode fixed --max-queue-delay 5ms;--batching-mode fixed --max-queue-delay 0ms;--batching-mode latency-budget --latency-budget 20ms}
LOADS=${LOADS:-10 30 50 70 85 95}
SWEEP_DURATION=${SWEEP_DURATION:-10s}
SWEEP_WARMUP=${SWEEP_WARMUP:-3s}
SWEEP_BASE=${SWEEP_BASE:-common}
DURATION=${DURATION:-30s}
ROUNDS=${ROUNDS:-3}
WARMUP=${WARMUP:-10s}
# Saturated load right after each server start, measured by nothing: on one pinned core the JIT
# compiler threads share the core with the requests, and a profile showed them still taking 16% of
# it 14 to 26 s into saturated load (2.5% at 50 to 62 s). 0s: none.
SERVER_WARMUP=${SERVER_WARMUP:-45s}
# Then open-loop Poisson load at WARMUP_RATE req/s (default: half the saturated unary rate once the
# rounds have measured it, 200 before) for SERVER_WARMUP_OPEN, also measured by nothing: a light
# load runs code (lone requests, small batches) that saturated load leaves to the JIT compiler for
# later, and a compilation on the server's core shows as a tail in the next open-loop figures.
SERVER_WARMUP_OPEN=${SERVER_WARMUP_OPEN:-20s}
WARMUP_RATE=${WARMUP_RATE:-}
# Requests in flight for the saturation runs (well above max batch size x instances).
SAT_CONCURRENCY=${SAT_CONCURRENCY:-256}
STREAMS=${STREAMS:-4}
CONNECTIONS=${CONNECTIONS:-2}
NOOP_CONCURRENCY=${NOOP_CONCURRENCY:-128}
IMAGES=${IMAGES:-}            # a folder of <index>_<text>.png; empty: generate captchas
GENERATE=${GENERATE:-512}
OUT=${OUT:-load-test/bench/out-$(date -u +%Y%m%dT%H%M%SZ)}

# ---------------------------------------------------------------------------------------------
# HOOK: raw ONNX Runtime throughput (images/s at the best batch size, same thread settings).
# Either set RAW_ORT_RPS to a number measured just before, or set RAW_ORT_CMD to a command that
# prints that number as the last line of its output (for example the server module's benchmark
# command). Left empty, the table shows the server's numbers without ratios.
RAW_ORT_RPS=${RAW_ORT_RPS:-}
TRAINING_JAR=${TRAINING_JAR:-training/target/captcha-training.jar}
if [[ -z "${RAW_ORT_CMD:-}" && -z "$RAW_ORT_RPS" && -f "$TRAINING_JAR" ]]; then
  RAW_ORT_CMD="taskset -c $SERVER_CORES java -jar $TRAINING_JAR bench --model $MODEL --batch-sizes 32 --instances $CORES --threads 1 --repetitions 100 2>/dev/null | tail -n 1 | awk '{ print \$NF }'"
fi
RAW_ORT_CMD=${RAW_ORT_CMD:-}
# The same for batch 1 on one single-threaded session: images/s, whose inverse is the raw
# inference time that the server's p50 at one request in flight is compared with.
if [[ -z "${RAW_B1_CMD:-}" && -f "$TRAINING_JAR" ]]; then
  RAW_B1_CMD="taskset -c $SERVER_CORES java -jar $TRAINING_JAR bench --model $MODEL --batch-sizes 1 --instances 1 --threads 1 --repetitions 400 2>/dev/null | tail -n 1 | awk '{ print \$NF }'"
fi
RAW_B1_CMD=${RAW_B1_CMD:-}
# ---------------------------------------------------------------------------------------------

for f in "$SERVER_JAR" "$HARNESS_JAR" "$MODEL"; do
  [[ -f "$f" ]] || { echo "missing $f (build with ./mvnw -q -pl server,load-test package -DskipTests)" >&2; exit 2; }
done
mkdir -p "$OUT"
workload=(--generate "$GENERATE")
[[ -n "$IMAGES" ]] && workload=(--images "$IMAGES")

# Servers this script started (pids), so that an exit stops every one of them.
started=()
server_pid=
stop_servers() {
  local pid
  for pid in "${started[@]}"; do
    if kill -0 "$pid" 2>/dev/null; then
      kill "$pid"; wait "$pid" 2>/dev/null || true
    fi
  done
  started=()
  server_pid=
}
trap stop_servers EXIT

wait_for_port() { # port, log name: waits until the process server_pid listens on the port
  wait_serving "$server_pid" "$OUT/$2" 300 port_open "$1"
}

port_free() { # port: exits if something listens on it already
  if port_open "$1"; then
    echo "port $1 is already in use (a server left running?)" >&2; exit 1
  fi
}

start_server() { # log name, port, then extra server arguments; sets server_pid
  local log=$1 port=$2; shift 2
  echo "== starting the server on port $port, cores $SERVER_CORES: $SERVER_ARGS $* (log: $OUT/$log)" >&2
  port_free "$port"
  # taskset execs java, so $! is the server itself and stop_servers and the CPU figures reach it
  # (a shell function in the background would be a subshell with java as its child).
  # shellcheck disable=SC2086
  taskset -c "$SERVER_CORES" java -jar "$SERVER_JAR" --port "$port" --metrics-port -1 --http-port -1 --model "$MODEL" $SERVER_ARGS \
    "$@" >"$OUT/$log" 2>&1 &
  server_pid=$!
  started+=("$server_pid")
  wait_for_port "$port" "$log"
  warm_server "$port"
}

warm_server() { # port: SERVER_WARMUP of saturated load, half unary and half stream, not recorded
  local port=$1 secs
  secs=$(awk -v d="$SERVER_WARMUP" 'BEGIN { v = d + 0; if (d ~ /ms$/) v /= 1000; else if (d ~ /m$/) v *= 60; printf "%d", v / 2 }')
  [[ "$secs" -gt 0 ]] || return 0
  echo "== warming the server up: ${secs}s unary, ${secs}s stream, saturated (SERVER_WARMUP=$SERVER_WARMUP)" >&2
  load_gen --target "127.0.0.1:$port" "${workload[@]}" --rpc unary \
    --concurrency "$SAT_CONCURRENCY" --duration "${secs}s" --warmup 1s --connections "$CONNECTIONS" -q >/dev/null
  load_gen --target "127.0.0.1:$port" "${workload[@]}" --rpc stream \
    --streams "$STREAMS" --concurrency "$SAT_CONCURRENCY" --duration "${secs}s" --warmup 1s \
    --connections "$CONNECTIONS" -q >/dev/null
  [[ "$SERVER_WARMUP_OPEN" == 0* ]] && return 0
  local rate=${WARMUP_RATE:-200}
  echo "== warming the server up: $SERVER_WARMUP_OPEN open loop at $rate req/s" >&2
  load_gen --target "127.0.0.1:$port" "${workload[@]}" --rpc unary \
    --rate "$rate" --arrivals poisson --duration "$SERVER_WARMUP_OPEN" --warmup 1s \
    --connections "$CONNECTIONS" -q >/dev/null
}
start_server server.log "$PORT"

harness() { # name, then harness arguments
  local name=$1; shift
  echo "== $name" >&2
  load_gen "$@" "${workload[@]}" --duration "${RUN_DURATION:-$DURATION}" \
    --warmup "${RUN_WARMUP:-$WARMUP}" \
    --connections "$CONNECTIONS" --title "$name" -q \
    --json "$OUT/$name.json" --csv "$OUT/$name.csv" --html "$OUT/$name.html" \
    | tee "$OUT/$name.txt" >&2
}
# CSV columns (see load-test/README.md): 9 failed, 11 throughput_rps, 12 goodput_rps,
# 13 p50_ms, 15 p99_ms.
col() { awk -F, -v c="$2" 'NR == 2 { print $c }' "$OUT/$1.csv"; }

# CPU seconds per thread group of a process (digits in thread names folded), from /proc.
cpu_by_thread() {
  for t in /proc/"$1"/task/*; do
    printf '%s %s\n' "$(tr -d ' ' <"$t/comm" | sed 's/[0-9][0-9]*/N/g')" \
      "$(awk '{ print $14 + $15 }' "$t/stat" 2>/dev/null || echo 0)"
  done | awk '{ a[$1] += $2 } END { for (k in a) print k, a[k] }' | sort
}
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.1f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

target=(--target "127.0.0.1:$PORT")
raw_runs=()
for round in $(seq 1 "$ROUNDS"); do
  if [[ -n "$RAW_ORT_CMD" ]]; then
    echo "== raw ONNX Runtime, round $round: $RAW_ORT_CMD" >&2
    raw_runs+=("$(bash -c "$RAW_ORT_CMD" | tee "$OUT/raw-ort-r$round.txt" | tail -n 1 | tr -d '[:space:]')")
  fi
  before=$(cpu_by_thread "$server_pid"); t0=$(date +%s.%N)
  harness "unary-saturated-r$round" "${target[@]}" --rpc unary --concurrency "$SAT_CONCURRENCY"
  after=$(cpu_by_thread "$server_pid"); t1=$(date +%s.%N)
  harness "stream-saturated-r$round" "${target[@]}" --rpc stream --streams "$STREAMS" \
    --concurrency "$SAT_CONCURRENCY"
done
{
  echo "server CPU by thread during the last saturated unary run (cores; $(nproc) on the machine)"
  join <(echo "$before") <(echo "$after") \
    | awk -v s="$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')" -v hz="$(getconf CLK_TCK)" '
        { d = ($3 - $2) / hz / s; if (d >= 0.005) printf "%-24s %.2f\n", $1, d; total += d }
        END { printf "%-24s %.2f\n", "total", total }'
} | tee "$OUT/cpu-by-thread.txt" >&2
if [[ -z "$RAW_ORT_RPS" && ${#raw_runs[@]} -gt 0 ]]; then
  RAW_ORT_RPS=$(printf '%s\n' "${raw_runs[@]}" | median)
fi
# The median round of each saturated measurement stands for it in the table.
median_run() { # name prefix: prints the name of the round with the median goodput
  for round in $(seq 1 "$ROUNDS"); do echo "$(col "$1-r$round" 12) $1-r$round"; done \
    | sort -g | awk '{ n[NR] = $2 } END { print n[int((NR + 1) / 2)] }'
}
spread() { # name prefix: all rounds' goodput
  for round in $(seq 1 "$ROUNDS"); do col "$1-r$round" 12; done | paste -sd/ -
}
unary_run=$(median_run unary-saturated)
stream_run=$(median_run stream-saturated)
half=$(awk -v r="$(col "$unary_run" 12)" 'BEGIN { printf "%.1f", r / 2 }')
[[ -n "$WARMUP_RATE" ]] || WARMUP_RATE=$half
harness unary-open-50pct "${target[@]}" --rpc unary --rate "$half" --arrivals poisson
# One request in flight: the server's per-request cost on top of one batch-1 inference.
harness unary-1-in-flight "${target[@]}" --rpc unary --concurrency 1
harness stream-1-in-flight "${target[@]}" --rpc stream --streams 1 --concurrency 1
stop_servers
raw_b1_ms=
if [[ -n "$RAW_B1_CMD" ]]; then
  echo "== raw ONNX Runtime, batch 1: $RAW_B1_CMD" >&2
  raw_b1_ms=$(bash -c "$RAW_B1_CMD" | tee "$OUT/raw-ort-b1.txt" | tail -n 1 \
    | awk '{ if ($1 > 0) printf "%.3f", 1000 / $1 }')
fi

# (e) Offered-load sweep per batching mode. Every mode's server is started (each on its own port,
# all pinned to SERVER_CORES, idle while another is measured) and warmed up first; then, load by
# load, the modes take turns in an order that rotates, SWEEP_ROUNDS times, so that modes meet the
# machine's drift alike and compare side by side at each load. With SWEEP_FLOOR=yes a no-op
# service, pinned like the servers, takes its turn too: the latency of the harness, gRPC and
# loopback alone at that rate, below which no server gets. sweep-rounds.csv has every point;
# sweep.csv the median over the rounds of each (mode, load).
SWEEP_ROUNDS=${SWEEP_ROUNDS:-1}
SWEEP_FLOOR=${SWEEP_FLOOR:-yes}
FLOOR_LABEL="no-op service (harness and transport floor)"
SWEEP_HEADER="mode,load_pct,offered_rps,throughput_rps,p50_ms,p99_ms,errors,p999_ms,queue_p99_ms"
echo "round,$SWEEP_HEADER" >"$OUT/sweep-rounds.csv"
modes=()
[[ "$MODES" == none ]] || IFS=';' read -r -a modes <<<"$MODES"
labels=() ports=() sats=()
for m in "${!modes[@]}"; do
  port=$((PORT + 1 + m))
  # shellcheck disable=SC2086
  start_server "server-mode$m.log" "$port" ${modes[$m]}
  if [[ "$SWEEP_BASE" == own ]]; then
    RUN_DURATION=$SWEEP_DURATION RUN_WARMUP=$SWEEP_WARMUP \
      harness "mode$m-saturated" --target "127.0.0.1:$port" --rpc unary --concurrency "$SAT_CONCURRENCY"
    sats+=("$(col "mode$m-saturated" 12)")
  else
    sats+=("$(col "$unary_run" 12)")
  fi
  labels+=("${modes[$m]}") ports+=("$port")
done
if [[ ${#modes[@]} -gt 0 && "$SWEEP_FLOOR" == yes ]]; then
  port=$((PORT + 1 + ${#modes[@]}))
  echo "== starting the no-op service on port $port, cores $SERVER_CORES" >&2
  port_free "$port"
  taskset -c "$SERVER_CORES" java -jar "$HARNESS_JAR" noop-server --port "$port" >"$OUT/noop-server.log" 2>&1 &
  server_pid=$!
  started+=("$server_pid")
  wait_for_port "$port" noop-server.log
  warm_server "$port"
  labels+=("$FLOOR_LABEL") ports+=("$port") sats+=("$(col "$unary_run" 12)")
fi
n=${#labels[@]}
for round in $(seq 1 "$SWEEP_ROUNDS"); do
  step=0
  for load in $LOADS; do
    for k in $(seq 0 $((n - 1))); do
      m=$(((k + step + round - 1) % n))
      rate=$(awk -v s="${sats[$m]}" -v l="$load" 'BEGIN { printf "%.1f", s * l / 100 }')
      name="mode$m-load$load-r$round"
      RUN_DURATION=$SWEEP_DURATION RUN_WARMUP=$SWEEP_WARMUP \
        harness "$name" --target "127.0.0.1:${ports[$m]}" --rpc unary --rate "$rate" --arrivals poisson
      echo "$round,$m,$load,$rate,$(col "$name" 11),$(col "$name" 13),$(col "$name" 15),$(col "$name" 9),$(col "$name" 16),$(col "$name" 20)" \
        >>"$OUT/sweep-rounds.csv"
    done
    step=$((step + 1))
  done
done
stop_servers
# Medians over the rounds, in the order of the modes and the loads (errors: the sum).
echo "$SWEEP_HEADER" >"$OUT/sweep.csv"
for m in $(seq 0 $((n - 1))); do
  for load in $LOADS; do
    awk -F, -v m="$m" -v l="$load" -v label="${labels[$m]}" '
      function med(a, k,   i, j, t) {
        for (i = 2; i <= k; i++) for (j = i; j > 1 && a[j - 1] + 0 > a[j] + 0; j--) { t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
        return k % 2 ? a[(k + 1) / 2] : sprintf("%.3f", (a[k / 2] + a[k / 2 + 1]) / 2)
      }
      NR > 1 && $2 == m && $3 == l {
        k++; offered = $4; tp[k] = $5; p50[k] = $6; p99[k] = $7; errors += $8; p999[k] = $9
        if ($10 != "") { q++; qp[q] = $10 }
      }
      END {
        if (k) printf "%s,%s,%s,%s,%s,%s,%d,%s,%s\n", label, l, offered, med(tp, k), med(p50, k),
          med(p99, k), errors, med(p999, k), (q ? med(qp, q) : "")
      }' "$OUT/sweep-rounds.csv" >>"$OUT/sweep.csv"
  done
done
# The ideal single FIFO server at the same loads, each request taking 1 / the saturated unary rate:
# where its p99 exceeds a budget, no scheduler keeps that budget on this hardware.
if [[ ${#modes[@]} -gt 0 ]]; then
  # shellcheck disable=SC2086
  python3 "$(dirname "$0")/fifo-reference.py" "$(col "$unary_run" 12)" $LOADS >>"$OUT/sweep.csv" \
    || echo "no FIFO reference rows (python3 missing?)" >&2
fi
{
  echo "| server mode | load | offered req/s | done req/s | p50 ms | p99 ms | p99.9 ms | server queue p99 ms | errors |"
  echo "|---|---|---|---|---|---|---|---|---|"
  awk -F, 'NR > 1 { printf "| %s | %s%% | %s | %s | %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5, $6, $8, $9, $7 }' \
    "$OUT/sweep.csv"
} >"$OUT/sweep.md"
python3 "$(dirname "$0")/sweep-chart.py" "$OUT/sweep.csv" "$OUT/sweep.svg" \
  || echo "no chart (python3 missing?)" >&2

harness noop-unary noop --rpc unary --concurrency "$NOOP_CONCURRENCY"
harness noop-stream noop --rpc stream --streams "$STREAMS" --concurrency "$NOOP_CONCURRENCY"

ratio() { [[ -n "$RAW_ORT_RPS" ]] && awk -v a="$1" -v b="$RAW_ORT_RPS" 'BEGIN { printf "%.2f", a / b }' || echo "-"; }
row() { # label, run name, target text, whether a ratio to raw applies (yes/no)
  local r="-"
  [[ "$4" == yes ]] && r=$(ratio "$(col "$2" 12)")
  printf '| %s | %s | %s | %s | %s | %s | %s |\n' "$1" "$(col "$2" 12)" "$(col "$2" 13)" \
    "$(col "$2" 15)" "$(col "$2" 9)" "$r" "$3"
}
{
  echo "Benchmark $(date -u +%Y-%m-%dT%H:%M:%SZ) on $(nproc) cores; server and raw ONNX Runtime on cores $SERVER_CORES, load on $LOAD_CORES; model $MODEL; server args: ${SERVER_ARGS:-(defaults)}"
  echo "duration $DURATION after $WARMUP warm-up (each server first warmed up with $SERVER_WARMUP of saturated load and $SERVER_WARMUP_OPEN of open loop), $ROUNDS rounds; $CONNECTIONS connections; workload ${IMAGES:-$GENERATE generated captchas}"
  echo
  echo "| measurement | ok req/s | p50 ms | p99 ms | errors | ratio to raw | target |"
  echo "|---|---|---|---|---|---|---|"
  echo "| raw ONNX Runtime, best batch (median of ${raw_runs[*]:-one value}) | ${RAW_ORT_RPS:-(hook not set)} | | | | 1.00 | |"
  row "server, unary, saturated (concurrency $SAT_CONCURRENCY; median of $(spread unary-saturated))" \
    "$unary_run" ">= 0.85 of raw" yes
  row "server, stream, saturated (concurrency $SAT_CONCURRENCY, $STREAMS streams; median of $(spread stream-saturated))" \
    "$stream_run" ">= 0.92 of raw" yes
  row "server, unary, open loop at $half req/s (50%)" unary-open-50pct "p50/p99" no
  echo "| raw ONNX Runtime, batch 1, one session of one thread (ms per image) | | ${raw_b1_ms:-(not measured)} | | | | |"
  row "server, unary, 1 in flight" unary-1-in-flight "p50 <= raw batch 1 + 0.5 ms" no
  row "server, stream, 1 in flight" stream-1-in-flight "p50 <= raw batch 1 + 0.5 ms" no
  row "no-op service, unary (harness capacity)" noop-unary ">= 15000 req/s" no
  row "no-op service, stream (harness capacity)" noop-stream "" no
  echo
  if [[ "$SWEEP_BASE" == own ]]; then base="each mode's saturated unary rate"; else base="the median saturated unary rate above, the same for every mode"; fi
  echo "Offered-load sweep ($SWEEP_DURATION per point after $SWEEP_WARMUP; % of $base; modes side by side at each load, median of $SWEEP_ROUNDS round(s); chart: sweep.svg)"
  echo
  cat "$OUT/sweep.md"
} | tee "$OUT/table.md"
echo "reports: $OUT" >&2
