# Helpers the benchmark scripts source (bash): waiting for a server they started.
#   source "$(dirname "${BASH_SOURCE[0]}")/serving.sh"

# port_open PORT: true when something on 127.0.0.1 accepts connections on PORT.
port_open() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# wait_serving PID LOG SECONDS CHECK...: runs the command CHECK... once a second until it
# succeeds. Stops the calling script (exit 1) with the path of the server's LOG when the process
# PID exits first or SECONDS pass, instead of measuring a server that is not there.
wait_serving() {
  local pid=$1 log=$2 secs=$3
  shift 3
  local deadline=$((SECONDS + secs))
  until "$@" >/dev/null 2>&1; do
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "error: the server exited before serving; see $log" >&2
      exit 1
    fi
    if ((SECONDS >= deadline)); then
      echo "error: the server was not serving within $secs s; see $log" >&2
      exit 1
    fi
    sleep 1
  done
}
