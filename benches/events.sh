#!/usr/bin/env bash
# Event-log funnel benchmark: journeymap against DuckDB (its Python package, when installed)
# on a generated REES46-shaped log, view -> cart -> purchase, 7-day window, per user.
# DuckDB runs the same algorithm written as SQL: from every entry, the earliest next step at
# or after the one before (file order on ties) within the window of the entry; an actor
# reaches a step when some entry's chain does. Prints counts (which must agree), wall time
# and peak memory.   Usage: benches/events.sh [EVENTS]   (default 1000000)
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
jm_counts=$(python3 -c "import json; d=json.load(open('$work/out.json')); print([s['reach']['count'] for s in d['stages']])")
jm_wall=$(awk -F': ' '/Elapsed/ {print $2}' "$work/time.txt")
jm_rss=$(awk '/Maximum resident/ {print int($6/1024)}' "$work/time.txt")
echo "journeymap: $jm_counts  wall $jm_wall  peak ${jm_rss} MB"
if python3 -c "import duckdb" 2>/dev/null; then
  python3 - "$work/events.csv" <<'PY'
import resource, sys, time
import duckdb
path = sys.argv[1]
W = 7 * 86_400 * 1_000_000
t0 = time.time()
con = duckdb.connect()
rows = con.execute(f"""
with e as (
  select user_id as actor, event_type as ev, rn,
         epoch_us(strptime(replace(event_time, ' UTC', ''), '%Y-%m-%d %H:%M:%S')) as t
  from (select *, row_number() over () as rn from read_csv('{path}', header = true, all_varchar = true))
  where event_type in ('view', 'cart', 'purchase')
),
s1 as (select actor, t as start, t as t1, rn as r1 from e where ev = 'view'),
s2 as (
  select s1.actor, s1.start, arg_min((c.t, c.rn), (c.t, c.rn)) as k
  from s1 join e c on c.actor = s1.actor and c.ev = 'cart'
   and (c.t, c.rn) > (s1.t1, s1.r1) and c.t - s1.start <= {W}
  group by s1.actor, s1.start, s1.t1, s1.r1
),
s3 as (
  select s2.actor
  from s2 join e p on p.actor = s2.actor and p.ev = 'purchase'
   and (p.t, p.rn) > (s2.k[1], s2.k[2]) and p.t - s2.start <= {W}
)
select (select count(distinct actor) from s1), (select count(distinct actor) from s2),
       (select count(distinct actor) from s3)
""").fetchone()
wall = time.time() - t0
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
print(f"duckdb {duckdb.__version__}: {list(rows)}  wall {wall:.2f} s  peak {peak} MB")
PY
else
  echo "duckdb: not installed (pip install duckdb)"
fi
