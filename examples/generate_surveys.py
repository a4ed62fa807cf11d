#!/usr/bin/env python3
"""Write the example survey exports, deterministically (seeded), next to each example map.

    python3 examples/generate_surveys.py

Answers are drawn around each stage's mood, so the measured emotion curve tells roughly the
same story as the hand-set one, with the noise and gaps of real exports: skipped questions,
"N/A" answers, comments with commas, quotes and line breaks.
"""
import csv
import os
import random

HERE = os.path.dirname(os.path.abspath(__file__))


def clamp(x, lo, hi):
    return max(lo, min(hi, x))


def answer(rng, mood, lo, hi):
    """A rating on lo..hi around a mood on -2..2."""
    centre = lo + (mood + 2) / 4 * (hi - lo)
    return int(round(clamp(rng.gauss(centre, (hi - lo) / 4), lo, hi)))


def write(path, rows, newline="\n", encoding="utf-8"):
    with open(os.path.join(HERE, path), "w", newline="", encoding=encoding) as f:
        w = csv.writer(f, lineterminator=newline)
        w.writerows(rows)


# Toothbrush: a plain long export from the analytics warehouse, one row per answer.
rng = random.Random(2026)
moods = {"trigger": -1, "search": -1.5, "research": 0, "purchase": 1.5, "delivery": 0.5, "returns": -2}
comments = {
    "search": ["Too many brushes that look the same", "Filters helped, sort of",
               'Why are there "pro", "pro+" and "pro 2"?', "Took me an hour, honestly"],
    "research": ["Reviews were useful", "Half the reviews look paid for",
                 "Nobody answered my charger question", "The Q&A saved me, thanks"],
    "purchase": ["One click, done", "Easiest part", "Wish I'd seen the delivery date first"],
    "delivery": ["Arrived next morning", "Tracking said 'exception', panicked a bit"],
    "returns": ["Had to find a printer at the library", "Refund took 9 days\nand two emails",
                "Locker was fine, label was not", "Why is there no QR code?"],
    "trigger": ["Old one died mid-brush", "Couldn't tell if the battery was replaceable"],
}
rows = [["respondent", "stage", "nps", "csat", "ces", "comment"]]
for i in range(1, 641):
    stage = rng.choice(list(moods))
    mood = moods[stage]
    # Recommending the shop depends on the stage far less than the stage's own rating.
    nps = answer(rng, 0.5 + mood / 3, 0, 10) if rng.random() > 0.1 else ""
    csat = answer(rng, mood, 1, 5) if rng.random() > 0.05 else "N/A"
    ces = answer(rng, mood, 1, 7) if rng.random() > 0.2 else ""
    comment = rng.choice(comments[stage]) if rng.random() < 0.3 else ""
    rows.append([f"R{i:04d}", stage, nps, csat, ces, comment])
write("toothbrush/surveys/post-purchase-2026-q3.csv", rows)

# SaaS onboarding: a Qualtrics export (three header rows), one row per trial workspace.
rng = random.Random(7)
labels = ["Very difficult", "Difficult", "Neither easy nor difficult", "Easy", "Very easy"]
q = [
    ("StartDate", "Start Date", "startDate"),
    ("EndDate", "End Date", "endDate"),
    ("Finished", "Finished", "finished"),
    ("ResponseId", "Response ID", "_recordId"),
    ("Q1", "How easy was it to sign up?", "QID1"),
    ("Q2", "How easy was it to import your backlog?", "QID2"),
    ("Q3", "How easy was it to invite your team?", "QID3"),
    ("Q4", "How easy was your first sprint in Trackwise?", "QID4"),
    ("Q5", "How likely are you to recommend Trackwise to a colleague?", "QID5"),
    ("Q6", "What nearly made you give up?", "QID6_TEXT"),
]
rows = [[a for a, _, _ in q], [b for _, b, _ in q], ['{"ImportId":"%s"}' % c for _, _, c in q]]
moods = [1, -1.5, 0, 1.5]
gripes = ["The importer rejected our dates", "Lost all our comments on import",
          "Per-seat price for people who only read", "Board got slow with our 300 issues",
          "Nothing, it was fine", ""]
for i in range(1, 181):
    finished = "1" if rng.random() > 0.12 else "0"
    ease = [labels[answer(rng, m, 1, 5) - 1] if rng.random() > 0.08 else "" for m in moods]
    nps = answer(rng, 0.4, 0, 10)
    rows.append([f"2026-09-{1 + i % 28:02d} 10:{i % 60:02d}:00", f"2026-09-{1 + i % 28:02d} 10:{(i + 7) % 60:02d}:00",
                 finished, f"R_{i:05x}"] + ease + [nps, rng.choice(gripes)])
write("saas-onboarding/surveys/trial-exit-qualtrics.csv", rows, newline="\r\n")

# First investment: a Google Forms export in the customer research panel, one row per
# participant, questions as headers.
rng = random.Random(11)
head = ["Timestamp",
        "How confident did you feel while exploring investing? (1-5)",
        "How easy was it to prove your identity? (1-7)",
        "How easy were the suitability questions? (1-7)",
        "How satisfied are you with funding the account? (1-5)",
        "How likely are you to recommend investing with us to a friend? (0-10)",
        "Anything else you want to tell us?"]
rows = [head]
for i in range(1, 121):
    rows.append([f"9/{1 + i % 28}/2026 {8 + i % 12}:{i % 60:02d}:00",
                 answer(rng, 0, 1, 5), answer(rng, -1, 1, 7), answer(rng, -0.5, 1, 7),
                 answer(rng, 1.5, 1, 5), answer(rng, 0.5, 0, 10),
                 rng.choice(["", "", "Too much jargon on the fund page",
                             "The app would not accept my residence permit",
                             "Why is the price not shown until tomorrow?", "Smooth, thanks"])])
write("first-investment/surveys/research-panel-google-forms.csv", rows, newline="\r\n")

# Car service: aggregates from the dealer group's warehouse (layout: aggregated).
rows = [["stage", "measure", "n", "promoters", "passives", "detractors", "top_box", "mean", "stddev"],
        ["reminder", "csat", "412", "", "", "", "298", "3.9", "0.9"],
        ["booking", "ces", "388", "", "", "", "", "3.1", "1.6"],
        ["booking", "csat", "390", "", "", "", "172", "3.2", "1.1"],
        ["drop-off", "csat", "366", "", "", "", "241", "3.8", "0.8"],
        ["workshop", "csat", "351", "", "", "", "119", "2.7", "1.3"],
        ["workshop", "nps", "349", "88", "101", "160", "", "", ""],
        ["collection", "csat", "344", "", "", "", "281", "4.2", "0.7"],
        ["collection", "nps", "344", "151", "120", "73", "", "", ""],
        ["", "nps", "1040", "355", "338", "347", "", "", ""]]
write("car-service-blueprint/surveys/warehouse-aggregates.csv", rows)

# Returns over time: a quarterly pulse survey, one row per returned order, with the end date
# (waves by quarter) and the channel the order was returned through (segments). The refund
# flow was rebuilt in Q2, so Refund should move in Q3 and the other stages should not.
rng = random.Random(13)
moods = {  # stage -> mood per quarter (Q1, Q2, Q3)
    "start-return": (0.5, 0.5, 0.5),
    "print-label": (-1.0, -1.0, -0.8),
    "drop-off": (0.0, 0.2, 0.1),
    "refund": (-1.5, -1.3, 0.6),
    "next-order": (0.0, 0.0, 0.4),
}
channel_lift = {"Online": -0.3, "In store": 0.5}
comments = {
    "start-return": ["Found the returns page quickly", "Had to log in twice to start it"],
    "print-label": ["No printer at home, had to go to the library",
                    "Why is there no QR code option?", "Label printed fine"],
    "drop-off": ["Locker was full, came back next day", "Store staff were lovely about it"],
    "refund": ["Refund took 11 days and two emails", "Money back in two days, impressed",
               "Still waiting, nobody answers the chat", "Refund showed up before I got home"],
    "next-order": ["Would order again now that returns are easy", "Not sure I'd risk it again"],
}
rows = [["ResponseId", "EndDate", "Channel", "Stage", "NPS", "CSAT", "Effort", "Comment"]]
i = 0
for q, (month0, days) in enumerate([(1, 88), (4, 90), (7, 91)]):
    for _ in range(420 if q < 2 else 460):
        i += 1
        stage = rng.choice(list(moods))
        channel = "In store" if rng.random() < 0.35 else "Online"
        mood = moods[stage][q] + channel_lift[channel]
        day = rng.randrange(days)
        month, dom = month0 + min(day // 30, 2), 1 + day % 30
        dom = min(dom, 28) if month == 2 else dom
        end = f"2026-{month:02d}-{dom:02d} {8 + i % 12:02d}:{i % 60:02d}:{(7 * i) % 60:02d}"
        nps = answer(rng, 0.3 + mood / 2, 0, 10) if rng.random() > 0.08 else ""
        csat = answer(rng, mood, 1, 5) if rng.random() > 0.04 else ""
        ces = answer(rng, mood, 1, 7) if rng.random() > 0.25 else ""
        comment = rng.choice(comments[stage]) if rng.random() < 0.25 else ""
        rows.append([f"R_{i:05d}", end, channel, stage, nps, csat, ces, comment])
write("returns-over-time/surveys/returns-pulse.csv", rows)

# Shop checkout: the product's own event log after the purchase the web funnel ends with
# (one row per event, epoch milliseconds, as a product-analytics export writes them).
rng = random.Random(17)
rows = [["timestamp", "distinct_id", "event", "platform"]]
events = []
base = 1_606_262_400_000  # 2020-11-25 00:00:00 UTC, in ms
for i in range(2668):
    who = f"u{rng.getrandbits(40):010x}"
    t = base + rng.randrange(67 * 86_400_000)
    platform = rng.choice(["ios", "android", "web"])
    events.append((t, who, "order_completed", platform))
    if rng.random() < 0.81:
        t += rng.choice([5, 60, 3_600, 86_400, 3 * 86_400]) * 1000
        events.append((t, who, "app_opened", platform))
        if rng.random() < 0.62:
            t += rng.choice([86_400, 2 * 86_400, 5 * 86_400, 9 * 86_400]) * 1000
            events.append((t, who, "second_order", platform))
# What else customers do (a second generator, so the steps above stay as they were): web
# customers follow their order on the tracking page more often than they open the app, and
# a failed delivery sends some to support instead of a second order.
other = random.Random(18)
firsts = {}
for t, who, e, p in events:
    firsts.setdefault(who, []).append((t, e, p))
more = []
for who, done in sorted(firsts.items()):
    t0, _, platform = done[0]
    opened = any(e == "app_opened" for _, e, _ in done)
    track = 0.7 if platform == "web" else 0.35
    if other.random() < (track if not opened else 0.2):
        more.append((t0 + other.choice([30, 600, 7_200]) * 1000, who, "order_tracked", platform))
    if other.random() < 0.12:
        more.append((t0 + other.choice([2, 3, 4]) * 86_400_000, who, "delivery_failed", platform))
        if other.random() < 0.7:
            more.append((t0 + 4 * 86_400_000 + 3_600_000, who, "support_chat", platform))
    if opened and other.random() < 0.3:
        more.append((t0 + 6 * 86_400_000, who, "push_disabled", platform))
events += more
events.sort()
rows += [[str(t), who, e, p] for t, who, e, p in events]
write("shop-checkout/analytics/product-events.csv", rows)
