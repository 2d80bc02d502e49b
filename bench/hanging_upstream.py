#!/usr/bin/env python3
"""An upstream that accepts connections, reads the request and never answers a byte (a hung server)."""
import asyncio, sys


async def handle(reader, writer):
    try:
        await reader.readuntil(b"\r\n\r\n")
        await asyncio.sleep(3600)
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    finally:
        writer.close()


async def main(port):
    server = await asyncio.start_server(handle, "127.0.0.1", port, backlog=1024)
    async with server:
        await server.serve_forever()

asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 18092))
