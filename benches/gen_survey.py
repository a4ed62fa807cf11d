#!/usr/bin/env python3
"""Write a long-layout survey of N rows (default 1,000,000) to stdout, deterministically:
stage, nps, csat, ces, comment, where comments hold quotes, commas and the odd newline."""
import sys

n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
stages = ["trigger", "search", "research", "purchase", "delivery", "returns"]
comments = ["", "", "", "Fast, simple", 'She said "great"', "Too many\nchoices", "ok", ""]
out = sys.stdout
out.write("respondent,stage,nps,csat,ces,comment\n")
x = 12345
buf = []
for i in range(n):
    x = (x * 1103515245 + 12345) & 0x7FFFFFFF
    s = stages[x % 6]
    nps = (x >> 3) % 11
    csat = 1 + (x >> 7) % 5
    ces = 1 + (x >> 11) % 7
    c = comments[(x >> 15) % 8]
    if '"' in c or "," in c or "\n" in c:
        c = '"' + c.replace('"', '""') + '"'
    buf.append(f"R{i},{s},{nps},{csat},{ces},{c}\n")
    if len(buf) == 10000:
        out.write("".join(buf))
        buf = []
out.write("".join(buf))
