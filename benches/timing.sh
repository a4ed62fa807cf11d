# Timing helpers sourced by the benchmark scripts.
median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
wall() { # wall RUNS CMD...: median wall seconds
  local n=$1; shift
  for _ in $(seq "$n"); do
    local s e; s=$(date +%s%N); "$@" >/dev/null 2>&1; e=$(date +%s%N)
    awk -v d="$(( e - s ))" 'BEGIN { printf "%.3f\n", d / 1e9 }'
  done | median
}
peak() { # peak CMD...: maximum resident set in MB
  /usr/bin/time -v "$@" 2>&1 >/dev/null | awk '/Maximum resident/ { printf "%.0f", $6 / 1024 }'
}
