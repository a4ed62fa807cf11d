#!/usr/bin/env python3
"""The survey benchmark's other tools: per-stage NPS, CSAT (top two boxes, %) and mean CES
of FILE, computed by polars (lazy scan_csv + group_by) or DuckDB (read_csv + GROUP BY), as
a user would write them. Prints {stage: [n_nps, nps, n_csat, csat, n_ces, ces]} as JSON on
stdout and the seconds the computation took (imports excluded) on stderr.

Usage: others.py polars|duckdb FILE"""
import json
import sys
import time

tool, path = sys.argv[1], sys.argv[2]
if tool == "polars":
    import polars as pl

    start = time.perf_counter()
    scores = ["nps", "csat", "ces"]
    lf = pl.scan_csv(path, infer_schema=False).select(
        pl.col("stage"), *[pl.col(c).cast(pl.Int64, strict=False) for c in scores]
    )
    df = (
        lf.group_by("stage")
        .agg(
            pl.col("nps").count().alias("n_nps"),
            (pl.col("nps") >= 9).sum().alias("p"),
            (pl.col("nps") <= 6).sum().alias("d"),
            pl.col("csat").count().alias("n_csat"),
            (pl.col("csat") >= 4).sum().alias("t"),
            pl.col("ces").count().alias("n_ces"),
            pl.col("ces").mean().alias("ces"),
        )
        .collect()
    )
    rows = df.rows(named=True)
elif tool == "duckdb":
    import duckdb

    start = time.perf_counter()
    con = duckdb.connect()
    rows = con.execute(
        """SELECT stage, count(nps) AS n_nps, count_if(nps >= 9) AS p, count_if(nps <= 6) AS d,
                  count(csat) AS n_csat, count_if(csat >= 4) AS t, count(ces) AS n_ces,
                  avg(ces) AS ces
           FROM read_csv(?, header = true,
                         types = {'nps': 'INTEGER', 'csat': 'INTEGER', 'ces': 'INTEGER'})
           GROUP BY stage""",
        [path],
    ).fetchall()
    cols = ["stage", "n_nps", "p", "d", "n_csat", "t", "n_ces", "ces"]
    rows = [dict(zip(cols, r)) for r in rows]
else:
    sys.exit(f"unknown tool {tool}")
took = time.perf_counter() - start
out = {
    r["stage"]: [
        r["n_nps"], (r["p"] - r["d"]) / r["n_nps"] * 100,
        r["n_csat"], r["t"] / r["n_csat"] * 100,
        r["n_ces"], r["ces"],
    ]
    for r in rows
}
print(json.dumps(out, sort_keys=True))
print(f"{took:.3f}", file=sys.stderr)
