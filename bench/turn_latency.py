#!/usr/bin/env python3
"""Sequential synchronous turns (JSON), each on the next conversation of ids-file; prints latency
percentiles and which upstream answered how often.
  turn_latency.py <base> <chat-key> <ids-file> <n> <label>"""
import collections, json, statistics, sys, time, urllib.request

base, key, ids_file, n, label = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5]
ids = [l.strip() for l in open(ids_file) if l.strip()]
lat, by = [], collections.Counter()
for i in range(n):
    req = urllib.request.Request("%s/api/v1/conversations/%s/messages" % (base, ids[i % len(ids)]),
                                 data=json.dumps({"content": "Where is my refund for A-10442?"}).encode(),
                                 headers={"Authorization": "Bearer " + key, "Content-Type": "application/json"})
    start = time.perf_counter()
    with urllib.request.urlopen(req, timeout=60) as r:
        body = json.loads(r.read())
    lat.append((time.perf_counter() - start) * 1000)
    answered = body.get("answeredBy")
    by[answered["upstream"] if answered else "handoff:" + (body.get("handoff") or {}).get("reason", "?")] += 1
lat.sort()
p = lambda q: lat[min(len(lat) - 1, int(round(q / 100 * (len(lat) - 1))))]
print("%-62s n=%d p50=%.1f ms p90=%.1f ms p99=%.1f ms  answered by %s" % (label, n, p(50), p(90), p(99), dict(by)))
