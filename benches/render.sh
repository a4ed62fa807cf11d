#!/usr/bin/env bash
# Render benchmark: a generated 60-stage map and the toothbrush example, to each format.
# Prints the mean wall time per render (process start to exit) over RUNS runs, and the
# user+system CPU time per render. Usage: benches/render.sh [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-50}
cargo build --release --quiet
bin=target/release/journeymap
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 benches/gen_map.py 60 > "$work/big.journey.yaml"
printf 'map: %s bytes, %s lines\n' "$(wc -c < "$work/big.journey.yaml")" "$(wc -l < "$work/big.journey.yaml")"
"$bin" validate "$work/big.journey.yaml" --format short --max-age 100000 >/dev/null

measure() { # label, then the command
  local label=$1; shift
  local start end
  "$@" >/dev/null # warm-up
  start=$(date +%s%N)
  local t0; t0=$(awk '{print $14+$15+$16+$17}' /proc/$$/stat)
  for _ in $(seq "$runs"); do "$@" >/dev/null; done
  end=$(date +%s%N)
  local t1; t1=$(awk '{print $14+$15+$16+$17}' /proc/$$/stat)
  local hz; hz=$(getconf CLK_TCK)
  awk -v l="$label" -v s="$start" -v e="$end" -v n="$runs" -v c0="$t0" -v c1="$t1" -v hz="$hz" \
    'BEGIN { printf "%-28s %7.2f ms wall  %7.2f ms cpu\n", l, (e - s) / n / 1e6, (c1 - c0) / hz / n * 1000 }'
}

for f in html markdown json; do
  measure "60 stages -> $f" "$bin" render -f "$f" "$work/big.journey.yaml"
done
for f in html markdown json; do
  measure "toothbrush -> $f" "$bin" render -f "$f" examples/toothbrush/toothbrush.journey.yaml
done
measure "validate 60 stages" "$bin" validate "$work/big.journey.yaml" --max-age 100000

# Hostile inputs are refused quickly.
python3 -c "print('a: ' + '['*100000 + ']'*100000)" > "$work/deep.yaml"
measure "refuse 200 KB of [[[[" sh -c "\"$bin\" validate \"$work/deep.yaml\" || true"
cp tests/fixtures/invalid/JM006-alias-bomb/map.journey.yaml "$work/bomb.yaml"
measure "refuse alias bomb" sh -c "\"$bin\" validate \"$work/bomb.yaml\" || true"
