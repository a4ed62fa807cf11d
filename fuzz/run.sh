#!/usr/bin/env bash
# Run one fuzz target for SECONDS (default 600), seeded from the repository's own maps and
# survey files. Usage: fuzz/run.sh map|survey|render [SECONDS]
# Needs cargo-fuzz (cargo install cargo-fuzz); stable Rust runs it with RUSTC_BOOTSTRAP=1.
set -euo pipefail
cd "$(dirname "$0")/.."
target=$1
seconds=${2:-600}
corpus=fuzz/corpus/$target
mkdir -p "$corpus"
i=0
if [ "$target" = survey ]; then
  for f in tests/fixtures/real/*/*.csv examples/*/surveys/*.csv tests/fixtures/invalid/*/*.csv; do
    cp "$f" "$corpus/seed-$((i++)).csv"
  done
else
  for f in examples/*/*.journey.yaml tests/fixtures/invalid/*/map.journey.yaml tests/fixtures/real/maps/*.yaml; do
    cp "$f" "$corpus/seed-$((i++)).yaml"
  done
fi
RUSTC_BOOTSTRAP=1 cargo fuzz run "$target" "$corpus" -- \
  -max_total_time="$seconds" -rss_limit_mb=1024 -timeout=5 -print_final_stats=1
