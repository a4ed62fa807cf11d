#!/usr/bin/env python3
"""Start-up benchmark: the toothbrush example rendered to HTML by one or more builds of
journeymap, their runs interleaved so that a busy moment of the machine falls on all of them
alike. Each run is timed from spawn to exit (no shell in between); prints the median and
quartiles per build, and the same for /bin/true (what starting any process costs here).

    python3 benches/startup.py [--runs N] BIN [BIN ...]
"""
import os
import statistics
import sys
import time

argv = sys.argv[1:]
runs = 150
if argv[:1] == ["--runs"]:
    runs, argv = int(argv[1]), argv[2:]
if not argv:
    sys.exit(__doc__)
root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
os.chdir(root)
out = "/tmp/journeymap-startup.html"
args = ["render", "examples/toothbrush/toothbrush.journey.yaml", "-o", out, "-q"]
devnull = os.open(os.devnull, os.O_WRONLY)
quiet = [(os.POSIX_SPAWN_DUP2, devnull, 1), (os.POSIX_SPAWN_DUP2, devnull, 2)]


def once(argv):
    start = time.perf_counter()
    pid = os.posix_spawn(argv[0], argv, os.environ, file_actions=quiet)
    _, status = os.waitpid(pid, 0)
    if status != 0:
        sys.exit(f"{argv[0]} failed (status {status})")
    return (time.perf_counter() - start) * 1000


commands = [[os.path.abspath(b)] + args for b in argv] + [["/bin/true"]]
for c in commands:
    once(c)  # warm the page cache
times = [[] for _ in commands]
for _ in range(runs):
    for i, c in enumerate(commands):
        times[i].append(once(c))
for c, t in zip(commands, times):
    t.sort()
    q = len(t) // 4
    print(f"{c[0]}: median {statistics.median(t):.2f} ms (quartiles {t[q]:.2f}–{t[-q - 1]:.2f}), {runs} runs")
os.unlink(out)
