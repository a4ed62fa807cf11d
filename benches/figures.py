#!/usr/bin/env python3
"""Read per-stage figures from journeymap's JSON (`render -f json`) or the baseline's lines
into the form others.py prints, and check that every tool computed the same figures.

Usage: figures.py journeymap FILE.json | figures.py baseline FILE.txt
       figures.py check A.json B.json ...   (exit 1 when any two disagree)"""
import json
import sys

kind = sys.argv[1]
if kind == "journeymap":
    ctx = json.load(open(sys.argv[2]))
    out = {}
    for s in ctx["stages"]:
        m = s["metrics"]
        out[s["id"]] = [m["nps"]["n"], m["nps"]["value"], m["csat"]["n"], m["csat"]["value"],
                        m["ces"]["n"], m["ces"]["value"]]
    print(json.dumps(out, sort_keys=True))
elif kind == "baseline":
    out = {}
    for line in open(sys.argv[2]):
        w = line.split()
        out[w[0]] = [int(w[2][2:]), float(w[3]), int(w[5][2:]), float(w[6]), int(w[8][2:]), float(w[9])]
    print(json.dumps(out, sort_keys=True))
elif kind == "check":
    sets = {p: json.load(open(p)) for p in sys.argv[2:]}
    first, *rest = sets.items()
    bad = []
    for name, figs in rest:
        if sorted(figs) != sorted(first[1]):
            bad.append(f"{name}: stages {sorted(figs)} against {sorted(first[1])}")
            continue
        for stage, values in figs.items():
            for a, b in zip(values, first[1][stage]):
                # The baseline prints four decimals; everything else is compared closely.
                if abs(a - b) > 1e-4 * max(1.0, abs(b)):
                    bad.append(f"{name}: {stage} {values} against {first[1][stage]}")
                    break
    if bad:
        print("figures differ:\n  " + "\n  ".join(bad))
        sys.exit(1)
    print(f"same figures from {len(sets)} tools")
