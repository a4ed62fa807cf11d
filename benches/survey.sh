#!/usr/bin/env bash
# Survey benchmark on exports shaped like real ones (benches/gen_real.py): per-stage NPS,
# CSAT top-two-box and mean CES computed by journeymap (comments bound and not), by the
# plainest single-threaded csv::ByteRecord loop (benches/baseline.rs), and, when their Python
# packages are installed, by polars and DuckDB on the same file in the same run. Every tool's
# figures are checked against the others before any time is printed.
#
# Usage: benches/survey.sh [RUNS] [SHAPE:ROWS ...]
#   default: 3 runs of long:1000000 long:10000000 wide:1000000
#   (pip install polars duckdb for the comparison; needs /usr/bin/time)
# journeymap runs on every core and, with JOURNEYMAP_THREADS=1, on one; both give the same
# bytes (checked). Wall time is the median of RUNS; peak memory is the maximum resident set of one more run.
# polars and DuckDB are timed inside Python, imports excluded (their best case); their peak
# memory includes the interpreter.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
shift || true
shapes=("$@")
[ ${#shapes[@]} -gt 0 ] || shapes=(long:1000000 long:10000000 wide:1000000)
cargo build --release --quiet
cargo bench --no-run --bench baseline --quiet 2>/dev/null
baseline=$(ls -t target/release/deps/baseline-* | grep -v '\.d$' | head -1)
bin=$PWD/target/release/journeymap
work=${BENCH_DIR:-$(mktemp -d)}
others=()
for tool in polars duckdb; do
  python3 -c "import $tool" 2>/dev/null && others+=("$tool") || echo "($tool is not installed: pip install $tool)"
done

map() { # map WITH_COMMENTS > file
  printf 'journeymap: 1\ntitle: Survey benchmark\npersona: {name: Bench}\nstages:\n'
  for s in trigger search research purchase delivery returns; do
    printf '  - id: %s\n    name: %s\n    emotion: 0\n    touchpoints: [{name: Web}]\n' "$s" "$s"
  done
  printf 'surveys:\n  - id: bench\n    file: answers.csv\n    stage_column: stage\n'
  if [ "$1" = yes ]; then
    printf '    measures: {nps: nps, csat: csat, ces: ces, comment: comment}\n'
  else
    printf '    measures: {nps: nps, csat: csat, ces: ces}\n'
  fi
}
map yes > "$work/comments.journey.yaml"
map no > "$work/plain.journey.yaml"

. benches/timing.sh
inner() { # inner RUNS TOOL FILE: median of the seconds others.py reports
  local n=$1; shift
  for _ in $(seq "$n"); do python3 benches/others.py "$@" 2>&1 >/dev/null | tail -1; done | median
}

for shape in "${shapes[@]}"; do
  layout=${shape%%:*}; rows=${shape##*:}
  python3 benches/gen_real.py "$rows" "$layout" > "$work/answers.csv"
  size=$(du -m "$work/answers.csv" | cut -f1)
  # The same figures from every tool, or no timing at all.
  "$bin" render -f json "$work/comments.journey.yaml" > "$work/jm.json"
  # Read on every core or on one, the same bytes.
  JOURNEYMAP_THREADS=1 "$bin" render -f json "$work/comments.journey.yaml" > "$work/jm1.json"
  cmp "$work/jm.json" "$work/jm1.json"
  python3 benches/figures.py journeymap "$work/jm.json" > "$work/f-journeymap.json"
  "$baseline" "$work/answers.csv" > "$work/base.txt"
  python3 benches/figures.py baseline "$work/base.txt" > "$work/f-baseline.json"
  checked=("$work/f-journeymap.json" "$work/f-baseline.json")
  for tool in "${others[@]}"; do
    python3 benches/others.py "$tool" "$work/answers.csv" > "$work/f-$tool.json" 2>/dev/null
    checked+=("$work/f-$tool.json")
  done
  python3 benches/figures.py check "${checked[@]}"

  jm=$(wall "$runs" "$bin" render -f json "$work/comments.journey.yaml")
  printf '\n%s layout, %s rows (%s MB), median of %s runs:\n' "$layout" "$rows" "$size" "$runs"
  printf '| %-44s | %8s | %8s | %s |\n' tool "wall (s)" "peak MB" "time ÷ journeymap (comments)"
  printf '|%s|%s|%s|%s|\n' "----------------------------------------------" "----------" "----------" "---"
  row() { printf '| %-44s | %8s | %8s | %s |\n' "$1" "$2" "$3" "$(awk -v a="$2" -v b="$jm" 'BEGIN { printf "%.2f", a / b }')"; }
  row "plain csv::ByteRecord loop, 1 thread" "$(wall "$runs" "$baseline" "$work/answers.csv")" "$(peak "$baseline" "$work/answers.csv")"
  for tool in "${others[@]}"; do
    row "$tool (all cores)" "$(inner "$runs" "$tool" "$work/answers.csv")" "$(peak python3 benches/others.py "$tool" "$work/answers.csv")"
  done
  one=(env JOURNEYMAP_THREADS=1 "$bin" render -f json)
  row "journeymap, comments not bound, 1 thread" "$(wall "$runs" "${one[@]}" "$work/plain.journey.yaml")" "$(peak "${one[@]}" "$work/plain.journey.yaml")"
  row "journeymap, comments bound, 1 thread" "$(wall "$runs" "${one[@]}" "$work/comments.journey.yaml")" "$(peak "${one[@]}" "$work/comments.journey.yaml")"
  row "journeymap, comments not bound (all cores)" "$(wall "$runs" "$bin" render -f json "$work/plain.journey.yaml")" "$(peak "$bin" render -f json "$work/plain.journey.yaml")"
  row "journeymap, comments bound (all cores)" "$jm" "$(peak "$bin" render -f json "$work/comments.journey.yaml")"
done
