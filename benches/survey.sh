#!/usr/bin/env bash
# Survey benchmark: journeymap against a plain csv::ByteRecord loop (benches/baseline.rs)
# on generated long-layout files of 1M and 10M rows; wall time (best of RUNS) and peak RSS.
# Usage: benches/survey.sh [RUNS]   (needs python3 and /usr/bin/time)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
cargo build --release --quiet
cargo bench --no-run --bench baseline --quiet 2>/dev/null
baseline=$(ls -t target/release/deps/baseline-* | grep -v '\.d$' | head -1)
bin=target/release/journeymap
work=${BENCH_DIR:-$(mktemp -d)}
python3 benches/gen_map.py 6 | sed 's/id: stage-0/id: trigger/; s/id: stage-1/id: search/; s/id: stage-2/id: research/; s/id: stage-3/id: purchase/; s/id: stage-4/id: delivery/; s/id: stage-5/id: returns/' > "$work/m.journey.yaml"
sed -i 's/pain-\([0-9]\)-/pain-\1-/g' "$work/m.journey.yaml"
cat >> "$work/m.journey.yaml" <<YAML
surveys:
  - id: bench
    file: answers.csv
    stage_column: stage
    measures: {nps: nps, csat: csat, ces: ces, comment: comment}
    emotion_from: csat
YAML

best() { # prints the best wall time in seconds of $runs runs of the command
  local best=999999
  for _ in $(seq "$runs"); do
    local s e
    s=$(date +%s%N); "$@" >/dev/null; e=$(date +%s%N)
    best=$(awk -v a="$best" -v b="$(( (e - s) / 1000000 ))" 'BEGIN { print (b < a ? b : a) }')
  done
  echo "$best"
}
rss() { /usr/bin/time -v "$@" 2>&1 >/dev/null | awk '/Maximum resident/ { print $6 }'; }

for rows in 1000000 10000000; do
  python3 benches/gen_survey.py "$rows" > "$work/answers.csv"
  size=$(du -m "$work/answers.csv" | cut -f1)
  jm=$(best "$bin" render -f json "$work/m.journey.yaml")
  base=$(best "$baseline" "$work/answers.csv")
  jm_rss=$(rss "$bin" render -f json "$work/m.journey.yaml")
  base_rss=$(rss "$baseline" "$work/answers.csv")
  printf '%9s rows (%4s MB): journeymap %6s ms, %6s KB peak RSS | baseline %6s ms, %6s KB | ratio %s\n' \
    "$rows" "$size" "$jm" "$jm_rss" "$base" "$base_rss" "$(awk -v a="$jm" -v b="$base" 'BEGIN { printf "%.2f", a / b }')"
done
