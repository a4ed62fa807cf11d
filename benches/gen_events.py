#!/usr/bin/env python3
"""Print an event log in the REES46 e-commerce layout, sorted by time, for benchmarks:
    python3 benches/gen_events.py EVENTS [ACTORS] > events.csv
Each actor views products, may add to cart, take out of the cart and buy; times are whole
seconds with ties, product and 19-digit category ids, brands (some empty), prices and a
session UUID per visit, as in the public REES46 export."""
import random
import sys

events = int(sys.argv[1])
actors = int(sys.argv[2]) if len(sys.argv) > 2 else max(1, events // 6)
rng = random.Random(46)
start = 1_569_888_000  # 2019-10-01 00:00:00 UTC
span = 30 * 86_400
out = sys.stdout
out.write("event_time,event_type,product_id,category_id,category_code,brand,price,user_id,user_session\n")
# Events are drawn in time order: each second, a batch of actors act.
per_second = events / span
t = start
written = 0
brands = ["samsung", "apple", "xiaomi", "huawei", ""]
import time as _time
while written < events:
    n = int(per_second) + (1 if rng.random() < per_second - int(per_second) else 0)
    stamp = _time.strftime("%Y-%m-%d %H:%M:%S UTC", _time.gmtime(t))
    for _ in range(n):
        if written >= events:
            break
        user = 512_000_000 + rng.randrange(actors)
        r = rng.random()
        kind = "view" if r < 0.75 else "cart" if r < 0.87 else "remove_from_cart" if r < 0.93 else "purchase"
        out.write(f"{stamp},{kind},{1_000_000 + rng.randrange(50_000)},{2_053_013_555_631_882_655 + rng.randrange(1000)},electronics.smartphone,{rng.choice(brands)},{rng.randrange(500, 90_000) / 100:.2f},{user},{rng.getrandbits(32):08x}-{rng.getrandbits(16):04x}-4{rng.getrandbits(12):03x}-a{rng.getrandbits(12):03x}-{rng.getrandbits(48):012x}\n")
        written += 1
    t += 1
