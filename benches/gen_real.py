#!/usr/bin/env python3
"""Write a survey export shaped like a real one to stdout, deterministically.

  gen_real.py ROWS long   respondent id, timestamp, stage, touchpoint, nps, csat, ces and a
                          comment on about one row in four (60-250 characters, with commas,
                          quotes and the odd line break): 1M rows is about 96 MB.
  gen_real.py ROWS wide   the same answers among 40 columns laid out as a Qualtrics export
                          (dates, status, IP address, progress, duration, location, embedded
                          data...): 1M rows is about 236 MB.

Stage ids: trigger, search, research, purchase, delivery, returns. A few answers are blank
(skipped questions), as in real exports."""
import sys

rows = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
shape = sys.argv[2] if len(sys.argv) > 2 else "long"
stages = ["trigger", "search", "research", "purchase", "delivery", "returns"]
touchpoints = ["Product page", "Search results", "Reviews", "Checkout", "Tracking email", "Returns portal",
               "Support chat", "Mobile app", "Store visit", "Call centre"]
sentences = [
    "The delivery was two days later than promised and nobody told me why",
    "Great prices, but the filters on the category page hide half of what I need",
    "I had to call twice before anyone could say where the parcel was",
    "Checkout was quick, although the address form kept resetting the postcode",
    'The "free returns" label is misleading: I paid for the label in the end',
    "Reviews helped a lot, especially the photos from other customers",
    "Support chat answered within a minute and fixed it, thank you",
    "Too many near-identical products; I spent an hour comparing, gave up, came back",
    "The app crashed on payment, so I finished on the website",
    "Refund took eleven days, with no status update in between",
]
alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
x = 2463534242


def rnd():
    global x
    x ^= (x << 13) & 0xFFFFFFFF
    x ^= x >> 17
    x ^= (x << 5) & 0xFFFFFFFF
    return x


def quote(s):
    if any(c in s for c in ',"\n'):
        return '"' + s.replace('"', '""') + '"'
    return s


def comment():
    if rnd() % 4:
        return ""
    k = 1 + rnd() % 3
    parts = [sentences[rnd() % len(sentences)] for _ in range(k)]
    text = ". ".join(parts) + "."
    if rnd() % 50 == 0:
        text = text.replace(". ", ".\n", 1)
    return quote(text)


def answer(lo, hi):
    # About 2% of answers are skipped.
    if rnd() % 50 == 0:
        return ""
    return str(lo + rnd() % (hi - lo + 1))


def response_id():
    return "R_" + "".join(alnum[rnd() % 62] for _ in range(15))


def stamp(i):
    sec = 1_783_000_000 + i * 7
    day, rest = divmod(sec, 86400)
    # Days from 2026-07-02 on, as a plain calendar for the benchmark (30-day months).
    month, dom = divmod(day % 360, 30)
    return f"2026-{1 + month % 12:02d}-{1 + dom:02d} {rest // 3600:02d}:{rest % 3600 // 60:02d}:{rest % 60:02d}"


out = sys.stdout
if shape == "long":
    out.write("respondent,recorded,stage,touchpoint,nps,csat,ces,comment\n")
else:
    meta = ["StartDate", "EndDate", "Status", "IPAddress", "Progress", "Duration (in seconds)", "Finished",
            "RecordedDate", "ResponseId", "RecipientLastName", "RecipientFirstName", "RecipientEmail",
            "ExternalReference", "LocationLatitude", "LocationLongitude", "DistributionChannel", "UserLanguage"]
    extra = [f"Q{i}" for i in range(6, 23)]
    out.write(",".join(meta + ["stage", "touchpoint", "nps", "csat", "ces", "comment"] + extra) + "\n")
buf = []
for i in range(rows):
    s = stages[rnd() % 6]
    t = touchpoints[rnd() % len(touchpoints)]
    rid = response_id()
    when = stamp(i)
    answers = [answer(0, 10), answer(1, 5), answer(1, 7)]
    if shape == "long":
        buf.append(f"{rid},{when},{s},{t},{answers[0]},{answers[1]},{answers[2]},{comment()}\n")
    else:
        ip = f"{rnd() % 223 + 1}.{rnd() % 256}.{rnd() % 256}.{rnd() % 256}"
        lat = f"{(rnd() % 180000) / 1000 - 90:.4f}"
        lon = f"{(rnd() % 360000) / 1000 - 180:.4f}"
        fields = [when, when, "IP Address", ip, "100", str(60 + rnd() % 900), "True", when, rid, "", "", "",
                  "", lat, lon, "anonymous", "EN", s, t, *answers, comment()]
        fields += [str(rnd() % 5 + 1) for _ in range(17)]
        buf.append(",".join(fields) + "\n")
    if len(buf) == 10000:
        out.write("".join(buf))
        buf = []
out.write("".join(buf))
