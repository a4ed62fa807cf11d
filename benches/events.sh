#!/usr/bin/env bash
# Event-log funnel benchmark: journeymap against DuckDB (its Python package, when installed)
# on a generated REES46-shaped log, view -> cart -> purchase (remove_from_cart in no step),
# 7-day window, per user, with where the lost went next, the detours and the drivers.
# DuckDB runs the SQL `journeymap sql --dialect duckdb` writes for the same map (the same
# rules as window functions). Prints counts (which must agree), wall time and peak memory.
# Usage: benches/events.sh [EVENTS]   (default 1000000)
set -euo pipefail
cd "$(dirname "$0")/.."
events=${1:-1000000}
cargo build --release --quiet
bin=$PWD/target/release/journeymap
work=${BENCH_DIR:-$(mktemp -d)}
python3 benches/gen_events.py "$events" > "$work/events.csv"
cat > "$work/m.journey.yaml" <<YAML
journeymap: 1
title: Bench
persona: {name: P}
stages:
  - {id: browse, name: Browse, touchpoints: [{name: Site}]}
  - {id: cart, name: Cart, touchpoints: [{name: Cart}]}
  - {id: pay, name: Pay, touchpoints: [{name: Checkout}]}
events:
  - id: log
    file: events.csv
    preset: rees46
    steps: {browse: view, cart: cart, pay: purchase}
YAML
size=$(du -m "$work/events.csv" | cut -f1)
echo "events: $events ($size MB)"
/usr/bin/time -v "$bin" render -f json "$work/m.journey.yaml" 2>"$work/time.txt" >"$work/out.json"
jm_counts=$(python3 -c "import json; d=json.load(open('$work/out.json')); print([s['reach']['count'] for s in d['stages']], 'lost at pay, next:', [(e['event'], e['count']) for e in d['stages'][2]['reach']['next_of_lost']])")
jm_wall=$(awk -F': ' '/Elapsed/ {print $2}' "$work/time.txt")
jm_rss=$(awk '/Maximum resident/ {print int($6/1024)}' "$work/time.txt")
echo "journeymap: $jm_counts  wall $jm_wall  peak ${jm_rss} MB"
if python3 -c "import duckdb" 2>/dev/null; then
  (cd "$work" && "$bin" sql --dialect duckdb m.journey.yaml > q.sql)
  python3 - "$work/q.sql" <<'PY'
import resource, sys, time
import duckdb
text = open(sys.argv[1]).read()
stmts = [s for s in text.split(";\n") if s.strip() and not all(l.startswith("--") for l in s.strip().splitlines())]
t0 = time.time()
con = duckdb.connect()
for s in stmts[:-1]:
    con.execute(s)
import os
os.chdir(os.path.dirname(sys.argv[1]))
rows = con.execute(stmts[-1]).fetchall()
wall = time.time() - t0
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
stages = [r[1] for r in rows if r[-3] == ""]
nxt = sorted(((r[-2], r[1]) for r in rows if r[0] == "pay" and r[-3] == "next"), key=lambda e: (-e[1], e[0]))
print(f"duckdb {duckdb.__version__} (journeymap sql): {stages} lost at pay, next: {nxt}  wall {wall:.2f} s  peak {peak} MB")
PY
else
  echo "duckdb: not installed (pip install duckdb)"
fi
