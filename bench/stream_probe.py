#!/usr/bin/env python3
"""Measures live delivery for bench/streaming.sh.

  ttfd <base> <key> <ids-file> <n> <upstream-url>
      time to the first reply delta of a streamed turn through Colloquy, against the fake upstream's own
      time to its first chunk and to its first chunk that carries reply text, each over n requests
  fanout <base> <chat-key> <agent-key> <pairs-file> <samples> [flag-file]
      opens a conversation event stream for every conversation in pairs-file (one "handoff conversation"
      per line), then, one at a time for `samples` of them, claims the handoff and posts an agent reply,
      timing the reply POST to the event on that conversation's stream
"""
import asyncio, json, statistics, sys, time, urllib.request


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def summary(name, ms):
    return "%-58s n=%d p50=%.1f ms p90=%.1f ms p99=%.1f ms mean=%.1f ms" % (
        name, len(ms), pct(ms, 50), pct(ms, 90), pct(ms, 99), statistics.mean(ms))


async def http_stream(host, port, method, path, headers, body, on_event, stop):
    reader, writer = await asyncio.open_connection(host, port)
    data = json.dumps(body).encode() if body is not None else b""
    lines = ["%s %s HTTP/1.1" % (method, path), "Host: %s:%d" % (host, port), "Accept: text/event-stream",
             "Content-Length: %d" % len(data)] + ["%s: %s" % kv for kv in headers.items()]
    if body is not None:
        lines.append("Content-Type: application/json")
    writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + data)
    await writer.drain()
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head.split(b" ")[1])
    chunked = b"chunked" in head.lower()
    buffer = b""
    name, payload = "message", ""
    try:
        while not stop():
            if chunked:
                size_line = await reader.readuntil(b"\r\n")
                size = int(size_line.strip(), 16)
                if size == 0:
                    return status
                piece = await reader.readexactly(size + 2)
                buffer += piece[:-2]
            else:
                piece = await reader.read(65536)
                if not piece:
                    return status
                buffer += piece
            while b"\n" in buffer:
                line, buffer = buffer.split(b"\n", 1)
                line = line.rstrip(b"\r").decode()
                if line == "":
                    if payload:
                        on_event(name, payload)
                    name, payload = "message", ""
                elif line.startswith("event:"):
                    name = line[6:].strip()
                elif line.startswith("data:"):
                    payload += line[5:].lstrip()
        return status
    finally:
        writer.close()


def split(base):
    hostport = base.split("//", 1)[1]
    host, port = hostport.split(":")
    return host, int(port)


async def ttfd(base, key, ids_file, n, upstream):
    host, port = split(base)
    ids = [l.strip() for l in open(ids_file) if l.strip()]
    colloquy = []
    for i in range(n):
        start = time.perf_counter()
        first = []

        def on_event(name, payload):
            if name == "delta" and not first:
                first.append(time.perf_counter())
        await http_stream(host, port, "POST", "/api/v1/conversations/%s/messages" % ids[i % len(ids)],
                          {"Authorization": "Bearer " + key}, {"content": "Where is my refund for A-10442?"},
                          on_event, lambda: False)
        if first:
            colloquy.append((first[0] - start) * 1000)
    uhost, uport = split(upstream)
    first_chunk, first_reply = [], []
    for i in range(n):
        start = time.perf_counter()
        seen = {"text": "", "chunk": None, "reply": None}

        def on_event(name, payload):
            if payload == "[DONE]":
                return
            now = time.perf_counter()
            if seen["chunk"] is None:
                seen["chunk"] = now
            for c in json.loads(payload).get("choices", []):
                seen["text"] += c.get("delta", {}).get("content") or ""
            marker = seen["text"].find('"reply": "')
            if seen["reply"] is None and marker >= 0 and len(seen["text"]) > marker + len('"reply": "'):
                seen["reply"] = now
        await http_stream(uhost, uport, "POST", "/v1/chat/completions", {},
                          {"model": "gpt-4o-mini", "stream": True, "messages": [{"role": "user", "content": "hi"}]},
                          on_event, lambda: False)
        first_chunk.append((seen["chunk"] - start) * 1000)
        first_reply.append((seen["reply"] - start) * 1000)
    print(summary("upstream alone: first chunk", first_chunk))
    print(summary("upstream alone: first chunk carrying reply text", first_reply))
    print(summary("through Colloquy: first reply delta of a streamed turn", colloquy))
    print("overhead (Colloquy first delta - upstream first reply chunk): p50 %.1f ms, p99 %.1f ms" % (
        pct(colloquy, 50) - pct(first_reply, 50), pct(colloquy, 99) - pct(first_reply, 99)))


async def fanout(base, chat_key, agent_key, pairs_file, samples, flag=None):
    host, port = split(base)
    pairs = [l.split() for l in open(pairs_file) if l.strip()]
    ready = {}
    arrived = {}
    done = [False]
    tasks = []
    for handoff, conversation in pairs:
        ready[conversation] = asyncio.Event()

        def on_event(name, payload, conversation=conversation):
            if name == "ready":
                ready[conversation].set()
            elif name == "message" and json.loads(payload)["message"]["role"] == "AGENT":
                arrived.setdefault(conversation, time.perf_counter())
        tasks.append(asyncio.create_task(http_stream(host, port, "GET", "/api/v1/conversations/%s/events" % conversation,
                                                      {"Authorization": "Bearer " + chat_key}, None, on_event,
                                                      lambda: done[0])))
    await asyncio.wait_for(asyncio.gather(*(e.wait() for e in ready.values())), 120)
    print("open conversation streams: %d" % len(ready))
    sys.stdout.flush()
    if flag:
        # the caller measures the service's memory with every stream open, then lets sampling start
        import os
        for _ in range(600):
            if os.path.exists(flag):
                break
            await asyncio.sleep(0.1)
    loop = asyncio.get_running_loop()

    def post(path, body):
        req = urllib.request.Request(base + path, data=json.dumps(body).encode(), method="POST",
                                     headers={"Authorization": "Bearer " + agent_key, "Content-Type": "application/json"})
        with urllib.request.urlopen(req) as r:
            r.read()
    latencies, posts = [], []
    for handoff, conversation in pairs[:samples]:
        await loop.run_in_executor(None, post, "/api/v1/handoffs/%s/claim" % handoff, {"agentName": "bench"})
        sent = time.perf_counter()
        await loop.run_in_executor(None, post, "/api/v1/handoffs/%s/messages" % handoff, {"content": "Hello, this is the bench agent."})
        posts.append((time.perf_counter() - sent) * 1000)
        for _ in range(2000):
            if conversation in arrived:
                break
            await asyncio.sleep(0.001)
        if conversation in arrived:
            latencies.append((arrived[conversation] - sent) * 1000)
    print(summary("comparison: the agent reply POST itself (until its answer)", posts))
    print(summary("agent reply POST to the event on the widget's stream", latencies))
    print("replies delivered: %d of %d" % (len(latencies), samples))
    done[0] = True
    for t in tasks:
        t.cancel()


if __name__ == "__main__":
    mode = sys.argv[1]
    if mode == "ttfd":
        asyncio.run(ttfd(sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]), sys.argv[6]))
    else:
        asyncio.run(fanout(sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5], int(sys.argv[6]),
                           sys.argv[7] if len(sys.argv) > 7 else None))
