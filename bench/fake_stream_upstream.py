#!/usr/bin/env python3
"""A fake OpenAI-compatible upstream that streams: for every POST /v1/chat/completions it waits
--ttfb-ms, then sends a structured answer (the format Colloquy asks for) as chat.completion.chunk
events, one every --chunk-ms, --chunk-chars characters each, then the finish chunk, a usage chunk and
[DONE]. A request without "stream": true gets the same answer as one JSON completion. asyncio, so
hundreds of streams can be open at once."""
import argparse, asyncio, json

ANSWER = json.dumps({
    "needsHuman": False, "handoffReason": None, "confidence": 0.9,
    "reply": "Thanks for waiting. Your refund for order A-10442 has been approved and the money will be "
             "back on your card within three to five working days.",
    "intent": "refund request", "reasoningSummary": "The order is eligible for a refund.",
    "suggestedNextAction": "Confirm the refund by email", "facts": [], "openQuestions": []})


def chunk(delta, finish=None, usage=None):
    body = {"id": "chatcmpl-bench", "object": "chat.completion.chunk", "created": 1764000000, "model": "gpt-4o-mini"}
    if usage is not None:
        body["choices"] = []
        body["usage"] = usage
    else:
        body["choices"] = [{"index": 0, "delta": delta, "finish_reason": finish}]
    return ("data: " + json.dumps(body) + "\n\n").encode()


async def handle(reader, writer, args):
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            length = 0
            for line in head.decode().split("\r\n"):
                if line.lower().startswith("content-length:"):
                    length = int(line.split(":", 1)[1])
            body = json.loads(await reader.readexactly(length)) if length else {}
            await asyncio.sleep(args.ttfb_ms / 1000)
            usage = {"prompt_tokens": 700, "completion_tokens": 60, "total_tokens": 760,
                     "prompt_tokens_details": {"cached_tokens": 0}}
            if not body.get("stream"):
                payload = json.dumps({"id": "chatcmpl-bench", "object": "chat.completion", "created": 1764000000,
                                      "model": "gpt-4o-mini", "usage": usage, "choices": [{"index": 0,
                                      "message": {"role": "assistant", "content": ANSWER}, "finish_reason": "stop"}]})
                writer.write(("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n"
                              % len(payload)).encode() + payload.encode())
                await writer.drain()
                continue
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n")

            async def send(data):
                writer.write(b"%x\r\n%s\r\n" % (len(data), data))
                await writer.drain()

            await send(chunk({"role": "assistant", "content": ""}))
            for i in range(0, len(ANSWER), args.chunk_chars):
                await asyncio.sleep(args.chunk_ms / 1000)
                await send(chunk({"content": ANSWER[i:i + args.chunk_chars]}))
            await send(chunk({}, "stop"))
            await send(chunk(None, usage=usage))
            await send(b"data: [DONE]\n\n")
            writer.write(b"0\r\n\r\n")
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    finally:
        writer.close()


async def main():
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, default=18091)
    p.add_argument("--ttfb-ms", type=float, default=150)
    p.add_argument("--chunk-ms", type=float, default=15)
    p.add_argument("--chunk-chars", type=int, default=8)
    args = p.parse_args()
    server = await asyncio.start_server(lambda r, w: handle(r, w, args), "127.0.0.1", args.port, backlog=1024)
    async with server:
        await server.serve_forever()

asyncio.run(main())
