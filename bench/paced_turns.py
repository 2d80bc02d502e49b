#!/usr/bin/env python3
"""Synchronous turns at a steady rate (open loop: a turn is sent on schedule whether or not the last
one was answered, and its latency counts from when it was due), each on the next conversation of
ids-file, over a few keep-alive connections; prints one JSON line with the percentiles and statuses.
  paced_turns.py <host:port> <chat-key> <ids-file> <rate per second> <seconds> <label>"""
import http.client, json, queue, sys, threading, time

hostport, key, ids_file, rate, seconds, label = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4]), \
    float(sys.argv[5]), sys.argv[6]
host, port = hostport.split(":")
ids = [l.strip() for l in open(ids_file) if l.strip()]
due = queue.Queue()
results, lock = [], threading.Lock()
body = json.dumps({"content": "Where is my refund for order A-10442?"})
headers = {"Authorization": "Bearer " + key, "Content-Type": "application/json"}


def worker():
    conn = http.client.HTTPConnection(host, int(port), timeout=60)
    while True:
        item = due.get()
        if item is None:
            return
        at, conversation = item
        try:
            conn.request("POST", "/api/v1/conversations/%s/messages" % conversation, body, headers)
            r = conn.getresponse()
            r.read()
            status = r.status
        except Exception:
            conn.close()
            conn = http.client.HTTPConnection(host, int(port), timeout=60)
            status = 0
        with lock:
            results.append(((time.perf_counter() - at) * 1000, status))


workers = [threading.Thread(target=worker, daemon=True) for _ in range(max(4, int(rate // 5)))]
for w in workers:
    w.start()
start = time.perf_counter()
n = int(rate * seconds)
for i in range(n):
    at = start + i / rate
    delay = at - time.perf_counter()
    if delay > 0:
        time.sleep(delay)
    due.put((at, ids[i % len(ids)]))
for _ in workers:
    due.put(None)
for w in workers:
    w.join()
lat = sorted(l for l, s in results if s == 200)
statuses = {}
for _, s in results:
    statuses[str(s)] = statuses.get(str(s), 0) + 1
p = lambda q: round(lat[min(len(lat) - 1, int(round(q / 100 * (len(lat) - 1))))], 1) if lat else None
print(json.dumps({"label": label, "rate": rate, "sent": n, "p50_ms": p(50), "p90_ms": p(90), "p99_ms": p(99),
                  "max_ms": round(lat[-1], 1) if lat else None, "statuses": statuses}))
