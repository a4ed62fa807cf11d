#!/usr/bin/env python3
"""Write a realistic journey map with N stages (default 60) to stdout, deterministically.

Each stage has a goal, three actions, two thoughts, an emotion, three touchpoints, two pain
points, two solutions that address pain points across stages, a funnel count and blueprint
lanes: about the richest map a team would write.
"""
import sys

n = int(sys.argv[1]) if len(sys.argv) > 1 else 60
channels = ["web", "mobile-app", "email", "phone", "chat", "store"]
sev = ["low", "medium", "high", "critical"]
status = ["idea", "planned", "in-progress", "done"]
out = [
    "journeymap: 1",
    f"title: Generated journey with {n} stages",
    "description: A benchmark map.",
    "kind: service-blueprint",
    "owner: Benchmarks",
    "reviewed: 2026-11-01",
    "tags: [benchmark, generated]",
    "persona: {name: Bench, role: Tester, quote: Fast please, goals: [Speed], frustrations: [Waiting]}",
    "stages:",
]
for i in range(n):
    out += [
        f"  - id: stage-{i}",
        f"    name: Stage {i} of the journey",
        f"    goal: Reach the goal of stage {i} without trouble",
        f"    actions: [Does the first thing in stage {i}, Does the second thing, Checks the result]",
        f"    thoughts: [\"Is stage {i} worth it?\", \"Nearly there.\"]",
        f"    emotion: {{score: {((i * 7) % 9 - 4) / 2}, label: Feeling {i}}}",
        "    touchpoints:",
    ]
    for t in range(3):
        out.append(
            f"      - {{name: Touchpoint {i}.{t}, channel: {channels[(i + t) % 6]}, owner: Team {t}, moment_of_truth: {str(t == 0).lower()}}}"
        )
    out.append("    pain_points:")
    for p in range(2):
        out.append(
            f"      - {{id: pain-{i}-{p}, text: Pain point {p} of stage {i} that hurts, severity: {sev[(i + p) % 4]}, evidence: Seen in {i + p} interviews}}"
        )
    out.append("    solutions:")
    for s in range(2):
        other = (i + 1) % n
        out.append(
            f"      - {{id: sol-{i}-{s}, text: Solution {s} for stage {i}, addresses: [pain-{i}-{s}, pain-{other}-{s}], owner: Team {s}, status: {status[(i + s) % 4]}, effort: small, impact: high}}"
        )
    out += [
        f"    funnel: {100000 - i * 1000}",
        f"    frontstage: [Staff greet customer in stage {i}]",
        f"    backstage: [Back office prepares stage {i}]",
        f"    support: [System {i % 5}]",
    ]
print("\n".join(out))
